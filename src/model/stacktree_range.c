// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Range trees and series. One pass over the time index counts each leaf's samples in the range;
 * totals follow in one pass over the nodes backwards (a parent's id is below its children's). A
 * node's subtree is marked the same way, forwards. Both are linear in entries plus nodes, with no
 * sorting, so any range of a long recording is rebuilt in milliseconds.
 */
#include <stdlib.h>

#include "ringside/model/stacktree_range.h"
#include "ringside/model/timeline.h"
#include "ringside/util/xalloc.h"

struct stacktree *
stacktree_range_tree(const struct stacktree *t, uint64_t from_ns, uint64_t to_ns, uint32_t **map)
{
	const struct timeline *tl = stacktree_timeline(t);
	const struct timeline_entry *e;
	size_t ne, nn = stacktree_nnodes(t), m = 0;
	uint64_t *self, *total;
	uint32_t *newid, *back = NULL;
	struct stacktree *r;

	if (!tl)
		return NULL;
	e = timeline_entries(tl, &ne);
	self = xcalloc(nn, sizeof(*self));
	total = xcalloc(nn, sizeof(*total));
	for (size_t i = 0; i < ne; i++) {
		uint64_t at = (uint64_t)e[i].time * TIMELINE_QUANTUM_NS;

		if (at >= from_ns && at < to_ns && e[i].leaf < nn)
			self[e[i].leaf] += e[i].weight;
	}
	for (size_t id = nn; id-- > 0;) {
		total[id] += self[id];
		if (id)
			total[stacktree_node(t, (uint32_t)id)->parent] += total[id];
	}
	r = stacktree_new(stacktree_node(t, STACKTREE_ROOT)->frame, stacktree_other_frame(t), 0, 0);
	stacktree_set_root(r, self[0], total[0]);
	newid = xmalloc(nn * sizeof(*newid));
	if (map)
		back = xmalloc(nn * sizeof(*back));
	newid[0] = STACKTREE_ROOT;
	if (back)
		back[m] = STACKTREE_ROOT;
	m++;
	for (size_t id = 1; id < nn; id++) {
		const struct stacktree_node *node = stacktree_node(t, (uint32_t)id);

		newid[id] = STACKTREE_NONE;
		if (!total[id] || newid[node->parent] == STACKTREE_NONE)
			continue;
		newid[id] = stacktree_add_node(r, newid[node->parent], node->frame, self[id],
					       total[id]);
		if (newid[id] != STACKTREE_NONE && back)
			back[m++] = (uint32_t)id;
	}
	if (map)
		*map = back;
	free(newid);
	free(self);
	free(total);
	return r;
}

bool
stacktree_range_series(const struct stacktree *t, uint32_t id, uint64_t from_ns, uint64_t bucket_ns,
		       uint64_t *counts, size_t n)
{
	const struct timeline *tl = stacktree_timeline(t);
	const struct timeline_entry *e;
	size_t ne, nn = stacktree_nnodes(t);
	uint8_t *inside;

	for (size_t i = 0; i < n; i++)
		counts[i] = 0;
	if (!tl || id >= nn || !bucket_ns)
		return false;
	inside = xcalloc(nn, 1);
	inside[id] = 1;
	for (size_t k = (size_t)id + 1; k < nn; k++)
		inside[k] = inside[stacktree_node(t, (uint32_t)k)->parent];
	e = timeline_entries(tl, &ne);
	for (size_t i = 0; i < ne; i++) {
		uint64_t at = (uint64_t)e[i].time * TIMELINE_QUANTUM_NS, b;

		if (e[i].leaf >= nn || !inside[e[i].leaf] || at < from_ns)
			continue;
		b = (at - from_ns) / bucket_ns;
		if (b < n)
			counts[b] += e[i].weight;
	}
	free(inside);
	return true;
}

uint64_t
stacktree_range_samples(const struct stacktree *t, uint64_t from_ns, uint64_t to_ns)
{
	const struct timeline *tl = stacktree_timeline(t);
	const struct timeline_entry *e;
	uint64_t sum = 0;
	size_t ne;

	if (!tl)
		return 0;
	e = timeline_entries(tl, &ne);
	for (size_t i = 0; i < ne; i++) {
		uint64_t at = (uint64_t)e[i].time * TIMELINE_QUANTUM_NS;

		if (at >= from_ns && at < to_ns)
			sum += e[i].weight;
	}
	return sum;
}
