// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KVM exit records into the profile: each kvm_exit's reason is named once (the kernel's print fmt
 * names, through perf/kvmtp) and counted for its thread; each kvm_entry ends its thread's exit.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ingest_kvm.h"

int
ingest_kvm_record(struct profile *p, const struct kvmtp *tp, size_t type,
		  const struct decode_sample *s)
{
	struct kvmexits *k = p->kvm;
	struct kvmtp_event ev;
	int ri;

	if (!k)
		return 0;
	if (kvmtp_decode(tp, (enum kvmtp_type)type, s->raw, s->raw_size, &ev) < 0)
		return -EINVAL;
	if (ev.type == KVMTP_ENTRY) {
		kvmexits_entry(k, (int32_t)s->pid, (int32_t)s->tid, ev.vcpu, s->time);
		return 0;
	}
	if (!k->isa[0] && ev.isa)
		snprintf(k->isa, sizeof(k->isa), "%s", kvmtp_isa_name(ev.isa));
	ri = kvmexits_reason(k, ev.code, kvmtp_reason_name(tp, ev.isa, ev.code));
	kvmexits_exit(k, (int32_t)s->pid, (int32_t)s->tid, ev.vcpu, ri, s->time);
	return 0;
}
