/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The group-read part of the ingest (--sample-event '{A,B,...}'), private to src/app: each
 * leader sample carries the counts of its group; the change of each count since the previous
 * sample of the same leader (on the same CPU, or of the same thread for inherited events) is
 * the weight that sample gives each event's tree at its call stack.
 */
#ifndef RINGSIDE_APP_INGEST_GROUP_H
#define RINGSIDE_APP_INGEST_GROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "ringside/model/profile.h"
#include "ringside/perf/decode.h"
#include "ringside/perf/sampler.h"

struct ingest_group;

struct ingest_group *ingest_group_new(void);
/* Free it; NULL is fine. */
void ingest_group_free(struct ingest_group *g);
/*
 * The deltas of leader ev's sample s into delta (1 + ev->nmembers values, the leader's first),
 * against the previous sample of the same leader descriptor and thread (or CPU). False when s
 * carries no group read of that size (a bad record).
 */
bool ingest_group_deltas(struct ingest_group *g, const struct sampler_event *ev,
			 const struct decode_sample *s, uint64_t *delta);
/*
 * Add delta[j] at the call path of node leaf of tree (the leader's tree) to the tree of each
 * member j (sampled event ev->index + j) of p; path is scratch room for the longest path.
 */
void ingest_group_members(struct profile *p, const struct sampler_event *ev,
			  const struct stacktree *tree, uint32_t leaf, const uint64_t *delta,
			  uint64_t time, uint32_t *path, size_t path_max);

#endif
