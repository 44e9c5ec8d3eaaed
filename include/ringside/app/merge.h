/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'ringside merge': several hosts' (or MPI ranks') snapshots in one. The merged stack tree has a
 * host level (FRAME_HOST) between the root and the processes, each input's counters are kept as
 * tracks named EVENT@HOST, and meta.hosts lists the inputs (man/ringside-snapshot.5).
 */
#ifndef RINGSIDE_APP_MERGE_H
#define RINGSIDE_APP_MERGE_H

#include <stddef.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/*
 * Merge the n profiles in (borrowed; their counter tracks are moved out) recorded from sources
 * (file names or @runs, for meta.hosts) into a new profile (*out, the caller's). Returns 0, or
 * -EINVAL with err when an input is itself a merged snapshot.
 */
int merge_profiles(struct profile *const *in, const char *const *sources, size_t n,
		   struct profile **out, struct errbuf *err);

/*
 * Load each of the n args (a .json or .html snapshot, a journal, or @ID through the library of
 * runs), merge them and write out (.json, .html, .folded or .pb.gz). Nothing is written unless
 * every input loads. Failures are said on stderr. Returns the exit code (0, 1 runtime, 2 input).
 */
int merge_main(const char *const *args, size_t n, const char *out);

#endif
