/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inside ringside merge: the parts of the merged profile built in their own files.
 */
#ifndef RINGSIDE_APP_MERGE_IMPL_H
#define RINGSIDE_APP_MERGE_IMPL_H

#include <stddef.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/*
 * One scheduler timeline in dst for the n inputs' (dst's meta already merged): every input's CPUs
 * in turn and its tasks, their host recorded, times moved onto dst's start. No-op when no input
 * has one.
 */
void merge_sched(struct profile *dst, struct profile *const *in, size_t n);

#endif
