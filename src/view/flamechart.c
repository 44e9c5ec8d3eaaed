// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flame chart's layout. Each node gets a band key once (its thread, or one key for the whole
 * subtree under a thread); one pass over the time index's entries in the span (sorted by time,
 * found by binary search) per band picks each column's heaviest leaf of that band; then each
 * column's path is walked up once, and runs of columns that hold the same node at a depth become
 * one cell. Linear in the entries of the span times the bands, plus the tree's nodes.
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
	const struct timeline_entry *e;
	size_t ne, first; /* the entries, and the first one in the span */
	size_t nn, ncols;
	uint64_t from_ns, to_ns, bucket;
	uint32_t *key;	 /* per node: its band's key, STACKTREE_NONE outside the chosen node */
	unsigned *depth; /* per node */
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
	if (c->row + 1 > fc->rows)
		fc->rows = c->row + 1;
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

/* Each column's heaviest leaf of band key; returns the samples seen. */
static uint64_t
flamechart_scan_band(struct flamechart_scan *s, uint32_t key)
{
	size_t cur = SIZE_MAX;
	uint64_t samples = 0;

	for (size_t c = 0; c < s->ncols; c++) {
		s->best[c] = STACKTREE_NONE;
		s->bestw[c] = 0;
	}
	for (size_t i = s->first; i < s->ne; i++) {
		uint64_t at = (uint64_t)s->e[i].time * TIMELINE_QUANTUM_NS;
		uint32_t leaf = s->e[i].leaf;
		size_t col;

		if (at >= s->to_ns)
			break;
		col = (size_t)((at - s->from_ns) / s->bucket);
		if (col != cur) {
			if (cur != SIZE_MAX)
				flamechart_close(s, cur);
			cur = col;
		}
		if (leaf >= s->nn || s->key[leaf] != key)
			continue;
		if (!s->acc[leaf])
			s->touched[s->ntouched++] = leaf;
		s->acc[leaf] += s->e[i].weight;
		samples += s->e[i].weight;
	}
	if (cur != SIZE_MAX)
		flamechart_close(s, cur);
	return samples;
}

/* The band's cells, depths base and below from row row0: runs of columns holding one node. */
static unsigned
flamechart_band_cells(struct flamechart *fc, struct flamechart_scan *s, unsigned base,
		      unsigned row0)
{
	unsigned maxd = base, w;
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
	for (unsigned d = base; d < w; d++)
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
			cell.row = row0 + d - base;
			cell.width = (int)(e - c);
			cell.frame = stacktree_node(s->t, id)->frame;
			cell.from_ns = s->from_ns + c * s->bucket;
			cell.to_ns = s->from_ns + e * s->bucket;
			if (cell.to_ns > s->to_ns)
				cell.to_ns = s->to_ns;
			flamechart_push(fc, &cell);
			c = e;
		}
	free(path);
	return w - base;
}

static int
flamechart_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The bands: under the root or a process, the busiest threads with samples in the span, by node
 * id, into bands (at most FLAMECHART_MAX_THREADS); returns how many threads had samples.
 */
static size_t
flamechart_threads(struct flamechart_scan *s, uint32_t *bands, size_t *nbands)
{
	uint64_t *count = xcalloc(s->nn, sizeof(*count));
	size_t n = 0;

	for (size_t i = s->first; i < s->ne; i++) {
		uint32_t leaf = s->e[i].leaf;

		if ((uint64_t)s->e[i].time * TIMELINE_QUANTUM_NS >= s->to_ns)
			break;
		if (leaf < s->nn && s->key[leaf] != STACKTREE_NONE)
			count[s->key[leaf]] += s->e[i].weight;
	}
	*nbands = 0;
	for (size_t id = 0; id < s->nn; id++) {
		size_t min = 0;

		if (!count[id])
			continue;
		n++;
		if (*nbands < FLAMECHART_MAX_THREADS) {
			bands[(*nbands)++] = (uint32_t)id;
			continue;
		}
		for (size_t b = 1; b < *nbands; b++)
			if (count[bands[b]] < count[bands[min]])
				min = b;
		if (count[id] > count[bands[min]])
			bands[min] = (uint32_t)id;
	}
	qsort(bands, *nbands, sizeof(*bands), flamechart_cmp_u32);
	free(count);
	return n;
}

/* Depths, and band keys: each node's thread (banded), or the chosen node for all under it. */
static void
flamechart_keys(struct flamechart_scan *s, uint32_t under, bool banded)
{
	for (size_t id = 0; id < s->nn; id++)
		s->key[id] = STACKTREE_NONE;
	s->key[under] = banded ? STACKTREE_NONE : under;
	/* A parent's id is below its children's: one forward pass does the subtree. */
	for (size_t id = 1; id < s->nn; id++) {
		uint32_t parent = stacktree_node(s->t, (uint32_t)id)->parent;

		s->depth[id] = s->depth[parent] + 1;
		if (id <= under)
			continue;
		if (banded && s->depth[id] == 2 && (parent == under || under == STACKTREE_ROOT))
			s->key[id] = (uint32_t)id;
		else
			s->key[id] = s->key[parent];
	}
}

static void
flamechart_run(struct flamechart *fc, struct flamechart_scan *s, uint32_t under)
{
	uint32_t bands[FLAMECHART_MAX_THREADS];
	size_t nbands = 0;
	bool banded;
	unsigned row = 0;

	flamechart_keys(s, under, false);
	banded = s->depth[under] < 2;
	if (banded) {
		flamechart_keys(s, under, true);
		fc->threads = flamechart_threads(s, bands, &nbands);
	} else {
		bands[nbands++] = under;
		fc->threads = 1;
	}
	fc->bands = nbands;
	for (size_t b = 0; b < nbands; b++) {
		fc->samples += flamechart_scan_band(s, bands[b]);
		row += flamechart_band_cells(fc, s, banded ? 2 : 1, row);
	}
}

bool
flamechart_layout(struct flamechart *fc, struct stacktree *t, uint32_t under, uint64_t from_ns,
		  uint64_t to_ns, int width)
{
	struct timeline *tl = stacktree_timeline(t);
	struct flamechart_scan s = {
		.t = t, .nn = stacktree_nnodes(t), .from_ns = from_ns, .to_ns = to_ns
	};

	fc->n = 0;
	fc->rows = 0;
	fc->samples = 0;
	fc->threads = fc->bands = 0;
	fc->from_ns = from_ns;
	if (!tl)
		return false;
	if (width < 1 || to_ns <= from_ns || under >= s.nn)
		return true;
	s.bucket = (to_ns - from_ns + (uint64_t)width - 1) / (uint64_t)width;
	if (s.bucket < TIMELINE_QUANTUM_NS)
		s.bucket = TIMELINE_QUANTUM_NS;
	fc->bucket_ns = s.bucket;
	s.ncols = (size_t)((to_ns - from_ns + s.bucket - 1) / s.bucket);
	timeline_sort(tl);
	s.e = timeline_entries(tl, &s.ne);
	s.first = flamechart_first(s.e, s.ne,
				   (from_ns + TIMELINE_QUANTUM_NS - 1) / TIMELINE_QUANTUM_NS);
	s.key = xmalloc(s.nn * sizeof(*s.key));
	s.depth = xcalloc(s.nn, sizeof(*s.depth));
	s.acc = xcalloc(s.nn, sizeof(*s.acc));
	s.touched = xmalloc(s.nn * sizeof(*s.touched));
	s.best = xmalloc(s.ncols * sizeof(*s.best));
	s.bestw = xcalloc(s.ncols, sizeof(*s.bestw));
	flamechart_run(fc, &s, under);
	free(s.key);
	free(s.depth);
	free(s.acc);
	free(s.touched);
	free(s.best);
	free(s.bestw);
	return true;
}

long
flamechart_cell_at(const struct flamechart *fc, unsigned row, int x)
{
	for (size_t i = 0; i < fc->n; i++)
		if (fc->cells[i].row == row && x >= fc->cells[i].x &&
		    x < fc->cells[i].x + fc->cells[i].width)
			return (long)i;
	return -1;
}

long
flamechart_move(const struct flamechart *fc, size_t i, int dx, int dy)
{
	const struct flamechart_cell *c;
	unsigned row;
	long j;

	if (i >= fc->n)
		return -1;
	c = &fc->cells[i];
	if (dx < 0 && i > 0 && fc->cells[i - 1].row == c->row)
		return (long)i - 1;
	if (dx > 0 && i + 1 < fc->n && fc->cells[i + 1].row == c->row)
		return (long)i + 1;
	if (!dy || (dy < 0 && c->row == 0))
		return (long)i;
	row = dy < 0 ? c->row - 1 : c->row + 1;
	/* Under the cell's middle, else anywhere under the cell. */
	j = flamechart_cell_at(fc, row, c->x + c->width / 2);
	for (int x = c->x; j < 0 && x < c->x + c->width; x++)
		j = flamechart_cell_at(fc, row, x);
	return j < 0 ? (long)i : j;
}

void
flamechart_fini(struct flamechart *fc)
{
	free(fc->cells);
	memset(fc, 0, sizeof(*fc));
}
