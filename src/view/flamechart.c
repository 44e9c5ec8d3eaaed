// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flame chart's layout: one pass over the time index's entries in the span (sorted by time,
 * found by binary search) picks each column's heaviest leaf under the chosen node; then each
 * column's path is walked up once, and runs of columns that hold the same node at a depth become
 * one cell. Linear in the entries of the span plus the tree's nodes.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringside/model/timeline.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/flamechart.h"

/* Scratch of one layout. */
struct flamechart_scan {
	const struct stacktree *t;
	size_t nn, ncols;
	uint8_t *inside;
	unsigned *depth;
	uint64_t *acc;
	uint32_t *touched, ntouched;
	uint32_t *best;	 /* per column: its heaviest leaf, or STACKTREE_NONE */
	uint64_t *bestw; /* and its samples */
};

static void
flamechart_push(struct flamechart *fc, const struct flamechart_cell *c)
{
	if (fc->n == fc->cap) {
		fc->cap = fc->cap ? fc->cap * 2 : 256;
		fc->cells = xreallocarray(fc->cells, fc->cap, sizeof(*fc->cells));
	}
	fc->cells[fc->n++] = *c;
	if (c->depth + 1 > fc->rows)
		fc->rows = c->depth + 1;
}

/* Column col is complete: keep its heaviest leaf and reset the sums. */
static void
flamechart_close(struct flamechart_scan *s, size_t col)
{
	uint32_t best = STACKTREE_NONE;
	uint64_t w = 0;

	for (uint32_t i = 0; i < s->ntouched; i++) {
		uint32_t leaf = s->touched[i];

		/* Ties go to the lower node id: the layout does not depend on the entries' order.
		 */
		if (s->acc[leaf] > w || (s->acc[leaf] == w && leaf < best)) {
			w = s->acc[leaf];
			best = leaf;
		}
		s->acc[leaf] = 0;
	}
	s->ntouched = 0;
	if (col < s->ncols) {
		s->best[col] = best;
		s->bestw[col] = w;
	}
}

/* The index of the first entry at or after quantum q (entries sorted by time). */
static size_t
flamechart_first(const struct timeline_entry *e, size_t n, uint64_t q)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (e[mid].time < q)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Each column's heaviest leaf under the chosen node; returns the samples seen. */
static uint64_t
flamechart_scan_columns(struct flamechart_scan *s, struct timeline *tl, uint64_t from_ns,
			uint64_t to_ns, uint64_t bucket)
{
	const struct timeline_entry *e;
	size_t ne, cur = SIZE_MAX, i;
	uint64_t samples = 0;

	timeline_sort(tl);
	e = timeline_entries(tl, &ne);
	i = flamechart_first(e, ne, (from_ns + TIMELINE_QUANTUM_NS - 1) / TIMELINE_QUANTUM_NS);
	for (; i < ne; i++) {
		uint64_t at = (uint64_t)e[i].time * TIMELINE_QUANTUM_NS;
		uint32_t leaf = e[i].leaf;
		size_t col;

		if (at >= to_ns)
			break;
		col = (size_t)((at - from_ns) / bucket);
		if (col != cur) {
			if (cur != SIZE_MAX)
				flamechart_close(s, cur);
			cur = col;
		}
		if (leaf >= s->nn || !s->inside[leaf])
			continue;
		if (!s->acc[leaf])
			s->touched[s->ntouched++] = leaf;
		s->acc[leaf] += e[i].weight;
		samples += e[i].weight;
	}
	if (cur != SIZE_MAX)
		flamechart_close(s, cur);
	return samples;
}

/* Cells of runs of columns holding the same node at each depth. */
static void
flamechart_cells(struct flamechart *fc, struct flamechart_scan *s, uint64_t to_ns)
{
	unsigned maxd = 0, w;
	uint32_t *path;

	for (size_t c = 0; c < s->ncols; c++)
		if (s->best[c] != STACKTREE_NONE && s->depth[s->best[c]] > maxd)
			maxd = s->depth[s->best[c]];
	w = maxd + 1;
	path = xmalloc(s->ncols * w * sizeof(*path));
	for (size_t c = 0; c < s->ncols; c++) {
		uint32_t id = s->best[c];

		for (unsigned d = 0; d < w; d++)
			path[c * w + d] = STACKTREE_NONE;
		for (; id != STACKTREE_NONE; id = stacktree_node(s->t, id)->parent)
			path[c * w + s->depth[id]] = id;
	}
	for (unsigned d = 0; d < w; d++)
		for (size_t c = 0; c < s->ncols;) {
			uint32_t id = path[c * w + d];
			struct flamechart_cell cell = { .node = id, .depth = d, .x = (int)c };
			size_t e = c;

			if (id == STACKTREE_NONE) {
				c++;
				continue;
			}
			while (e < s->ncols && path[e * w + d] == id)
				cell.samples += s->bestw[e++];
			cell.width = (int)(e - c);
			cell.frame = stacktree_node(s->t, id)->frame;
			cell.from_ns = fc->from_ns + c * fc->bucket_ns;
			cell.to_ns = fc->from_ns + e * fc->bucket_ns;
			if (cell.to_ns > to_ns)
				cell.to_ns = to_ns;
			flamechart_push(fc, &cell);
			c = e;
		}
	free(path);
}

bool
flamechart_layout(struct flamechart *fc, struct stacktree *t, uint32_t under, uint64_t from_ns,
		  uint64_t to_ns, int width)
{
	struct timeline *tl = stacktree_timeline(t);
	struct flamechart_scan s = { .t = t, .nn = stacktree_nnodes(t) };
	uint64_t bucket;

	fc->n = 0;
	fc->rows = 0;
	fc->samples = 0;
	fc->from_ns = from_ns;
	if (!tl)
		return false;
	if (width < 1 || to_ns <= from_ns || under >= s.nn)
		return true;
	bucket = (to_ns - from_ns + (uint64_t)width - 1) / (uint64_t)width;
	if (bucket < TIMELINE_QUANTUM_NS)
		bucket = TIMELINE_QUANTUM_NS;
	fc->bucket_ns = bucket;
	s.ncols = (size_t)((to_ns - from_ns + bucket - 1) / bucket);
	s.inside = xcalloc(s.nn, 1);
	s.depth = xcalloc(s.nn, sizeof(*s.depth));
	s.acc = xcalloc(s.nn, sizeof(*s.acc));
	s.touched = xmalloc(s.nn * sizeof(*s.touched));
	s.best = xmalloc(s.ncols * sizeof(*s.best));
	s.bestw = xcalloc(s.ncols, sizeof(*s.bestw));
	for (size_t c = 0; c < s.ncols; c++)
		s.best[c] = STACKTREE_NONE;
	/* A parent's id is below its children's: one forward pass marks the subtree. */
	s.inside[under] = 1;
	for (size_t id = 1; id < s.nn; id++) {
		uint32_t parent = stacktree_node(t, (uint32_t)id)->parent;

		s.depth[id] = s.depth[parent] + 1;
		if (id > under)
			s.inside[id] = s.inside[parent];
	}
	fc->samples = flamechart_scan_columns(&s, tl, from_ns, to_ns, bucket);
	flamechart_cells(fc, &s, to_ns);
	free(s.inside);
	free(s.depth);
	free(s.acc);
	free(s.touched);
	free(s.best);
	free(s.bestw);
	return true;
}

long
flamechart_cell_at(const struct flamechart *fc, unsigned depth, int x)
{
	for (size_t i = 0; i < fc->n; i++)
		if (fc->cells[i].depth == depth && x >= fc->cells[i].x &&
		    x < fc->cells[i].x + fc->cells[i].width)
			return (long)i;
	return -1;
}

long
flamechart_move(const struct flamechart *fc, size_t i, int dx, int dy)
{
	const struct flamechart_cell *c;
	long j;

	if (i >= fc->n)
		return -1;
	c = &fc->cells[i];
	if (dx < 0 && i > 0 && fc->cells[i - 1].depth == c->depth)
		return (long)i - 1;
	if (dx > 0 && i + 1 < fc->n && fc->cells[i + 1].depth == c->depth)
		return (long)i + 1;
	if (!dy || (dy < 0 && c->depth == 0))
		return (long)i;
	/* Under the cell's middle, else anywhere under the cell. */
	j = flamechart_cell_at(fc, c->depth + (unsigned)dy, c->x + c->width / 2);
	for (int x = c->x; j < 0 && x < c->x + c->width; x++)
		j = flamechart_cell_at(fc, c->depth + (unsigned)dy, x);
	return j < 0 ? (long)i : j;
}

void
flamechart_fini(struct flamechart *fc)
{
	free(fc->cells);
	memset(fc, 0, sizeof(*fc));
}
