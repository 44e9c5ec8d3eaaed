/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The KVM exit part of the ingest (--kvm), private to src/app: a kvm_exit or kvm_entry record
 * decoded and counted in the profile's kvmexits.
 */
#ifndef RINGSIDE_APP_INGEST_KVM_H
#define RINGSIDE_APP_INGEST_KVM_H

#include <stddef.h>

#include "ringside/model/profile.h"
#include "ringside/perf/decode.h"
#include "ringside/perf/kvmtp.h"

/*
 * Count sample s, a record of tracepoint type (enum kvmtp_type) decoded by tp, in p->kvm (which
 * must exist). Returns 0, or -EINVAL for a record too short for its format.
 */
int ingest_kvm_record(struct profile *p, const struct kvmtp *tp, size_t type,
		      const struct decode_sample *s);

#endif
