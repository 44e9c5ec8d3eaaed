/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile of a time range: a stack tree's samples between two times, rebuilt from its time
 * index (model/timeline), as a tree of its own or as one node's samples per time bucket. Times are
 * nanoseconds from the recording's start (the index's origin); an entry counts in a range when
 * its time (its bucket's start, where the index was coarsened) is inside.
 */
#ifndef RINGSIDE_MODEL_STACKTREE_RANGE_H
#define RINGSIDE_MODEL_STACKTREE_RANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/stacktree.h"

/*
 * A new tree of t's samples in [from_ns, to_ns): the same frame ids, no window and no time index,
 * only the nodes with samples in the range. When map is not NULL, *map gets an array (the
 * caller frees it) giving each new node's id in t. NULL when t has no time index.
 */
struct stacktree *stacktree_range_tree(const struct stacktree *t, uint64_t from_ns, uint64_t to_ns,
				       uint32_t **map);

/*
 * Samples through node id (its subtree) per time bucket: counts[i] gets those in
 * [from_ns + i * bucket_ns, from_ns + (i + 1) * bucket_ns), for i < n. False (counts zeroed)
 * when t has no time index or id is not a node.
 */
bool stacktree_range_series(const struct stacktree *t, uint32_t id, uint64_t from_ns,
			    uint64_t bucket_ns, uint64_t *counts, size_t n);

/* Samples in [from_ns, to_ns); 0 without a time index. */
uint64_t stacktree_range_samples(const struct stacktree *t, uint64_t from_ns, uint64_t to_ns);

#endif
