// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The snapshot's "stacks.timeline" object: the stack tree's time index (model/timeline), each
 * entry [dt, node, weight] with its time as quanta since the previous entry (the first since the
 * recording's start), its node as a position in stacks.nodes, sorted by time and then node: a
 * canonical order, so a file read back is written out again byte for byte the same. The reader
 * trusts nothing: every node's entries must add up to its self count, so a time index that does
 * not describe the tree beside it is rejected rather than shown.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "ringside/model/stacktree.h"
#include "ringside/model/timeline.h"
#include "ringside/util/xalloc.h"
#include "snapshot_internal.h"

void
snapshot_timeline_write(const struct stacktree *t, const uint32_t *index, FILE *fp)
{
	struct timeline *tl = stacktree_timeline(t);
	const struct timeline_entry *e;
	struct timeline_entry *w = NULL;
	size_t n, cap = 0, nn = stacktree_nnodes(t);
	uint32_t prev = 0;
	uint64_t until;
	bool first = true;

	if (!tl)
		return;
	/*
	 * In time order in place, then one time at a time: only that time's entries are copied (as
	 * positions in stacks.nodes) and sorted, never the whole index.
	 */
	timeline_sort(tl);
	e = timeline_entries(tl, &n);
	until = timeline_coarse_until(tl);
	fprintf(fp,
		",\"timeline\":{\"quantum_ns\":%llu,\"coarse_until_ns\":%" PRIu64
		",\"coarse_bucket_ns\":%" PRIu64 ",\"entries\":[",
		TIMELINE_QUANTUM_NS, until, until ? timeline_resolution(tl, 0) : 0);
	for (size_t i = 0, j; i < n; i = j) {
		size_t m = 0;

		for (j = i; j < n && e[j].time == e[i].time; j++)
			;
		if (j - i > cap) {
			cap = j - i;
			w = xreallocarray(w, cap, sizeof(*w));
		}
		for (size_t k = i; k < j; k++)
			if (e[k].leaf < nn)
				w[m++] = (struct timeline_entry){ e[k].time, index[e[k].leaf],
								  e[k].weight };
		qsort(w, m, sizeof(*w), timeline_cmp);
		for (size_t a = 0, b; a < m; a = b) {
			uint64_t weight = 0;

			/* Entries of one node (their leaves merged in the file) become one. */
			for (b = a; b < m && w[b].leaf == w[a].leaf; b++)
				weight += w[b].weight;
			fprintf(fp, "%s[%" PRIu32 ",%" PRIu32 ",%" PRIu64 "]", first ? "" : ",",
				w[a].time - prev, w[a].leaf, weight);
			prev = w[a].time;
			first = false;
		}
	}
	fputs("]}", fp);
	free(w);
}

/* One entry [dt, node, weight]: false unless each is an integer in range. */
static bool
snapshot_timeline_tuple(json_t *v, size_t n, uint64_t *dt, uint64_t *node, uint64_t *weight)
{
	json_t *a = json_array_get(v, 0), *b = json_array_get(v, 1), *c = json_array_get(v, 2);

	if (!json_is_array(v) || json_array_size(v) != 3 || !json_is_integer(a) ||
	    !json_is_integer(b) || !json_is_integer(c) || json_integer_value(a) < 0 ||
	    json_integer_value(b) < 0 || json_integer_value(c) < 1 ||
	    (uint64_t)json_integer_value(b) >= n)
		return false;
	*dt = (uint64_t)json_integer_value(a);
	*node = (uint64_t)json_integer_value(b);
	*weight = (uint64_t)json_integer_value(c);
	return true;
}

/* Every node's entries add up to its self count; 0, or -EINVAL naming the first that does not. */
static int
snapshot_timeline_check(const struct stacktree *t, const uint32_t *ids, const uint64_t *sum,
			size_t n, struct errbuf *err)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t self = stacktree_node(t, ids[i])->self;

		if (sum[i] != self)
			return errbuf_fail(err, -EINVAL,
					   "stacks.timeline: the entries of stacks.nodes[%zu] add "
					   "up to %" PRIu64 " samples, its self count is %" PRIu64
					   "; the time index does not match the tree",
					   i, sum[i], self);
	}
	return 0;
}

int
snapshot_timeline_read(json_t *stacks, struct stacktree *t, const uint32_t *ids, size_t n,
		       struct errbuf *err)
{
	json_t *obj = json_object_get(stacks, "timeline"), *a, *q, *cu, *cb, *v;
	uint64_t time = 0, *sum;
	struct timeline *tl;
	size_t i;
	int rc;

	if (!obj)
		return 0;
	a = json_object_get(obj, "entries");
	q = json_object_get(obj, "quantum_ns");
	cu = json_object_get(obj, "coarse_until_ns");
	cb = json_object_get(obj, "coarse_bucket_ns");
	if (!json_is_object(obj) || !json_is_array(a) || !json_is_integer(q) ||
	    !json_is_integer(cu) || !json_is_integer(cb) || json_integer_value(cu) < 0 ||
	    json_integer_value(cb) < 0)
		return errbuf_fail(
			err, -EINVAL,
			"stacks.timeline: expected {\"quantum_ns\": N, \"coarse_until_ns\": "
			"N, \"coarse_bucket_ns\": N, \"entries\": [...]}");
	if ((uint64_t)json_integer_value(q) != TIMELINE_QUANTUM_NS)
		return errbuf_fail(err, -EINVAL,
				   "stacks.timeline.quantum_ns: %" JSON_INTEGER_FORMAT
				   " is not the %llu this version reads",
				   json_integer_value(q), TIMELINE_QUANTUM_NS);
	tl = timeline_new(0, json_array_size(a) > TIMELINE_DEFAULT_MAX ? json_array_size(a) : 0);
	sum = xcalloc(n ? n : 1, sizeof(*sum));
	json_array_foreach (a, i, v) {
		uint64_t dt, node, weight;

		if (!snapshot_timeline_tuple(v, n, &dt, &node, &weight) || dt > UINT32_MAX ||
		    (time += dt) > UINT32_MAX || sum[node] + weight < sum[node]) {
			free(sum);
			timeline_free(tl);
			return errbuf_fail(
				err, -EINVAL,
				"stacks.timeline.entries[%zu]: expected [dt, node, weight] "
				"with dt >= 0, a node of stacks.nodes and weight >= 1",
				i);
		}
		sum[node] += weight;
		timeline_add_rel(tl, time * TIMELINE_QUANTUM_NS, ids[node], weight);
	}
	rc = snapshot_timeline_check(t, ids, sum, n, err);
	free(sum);
	if (rc < 0) {
		timeline_free(tl);
		return rc;
	}
	timeline_set_coarse(tl, (uint64_t)json_integer_value(cu), (uint64_t)json_integer_value(cb));
	stacktree_set_timeline(t, tl);
	return 0;
}
