// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The address x time heat map and the hot tables, computed from the memory-access log on demand
 * (a few tens of milliseconds for a full log), so that any zoom is drawn from the samples
 * themselves rather than from pre-binned counts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringside/view/memgrid.h"
#include "ringside/util/xalloc.h"

/* Where a mapping's rows are: the first, how many, their address width and the first address. */
struct memgrid_span {
	size_t first, n;
	uint64_t lo, hi, width;
};

bool
memgrid_span(const struct memacc *m, uint64_t *t0, uint64_t *t1)
{
	size_t n;
	const struct memacc_sample *log = memacc_log(m, &n);

	if (n == 0)
		return false;
	*t0 = *t1 = log[0].time;
	for (size_t i = 1; i < n; i++) {
		*t0 = log[i].time < *t0 ? log[i].time : *t0;
		*t1 = log[i].time > *t1 ? log[i].time : *t1;
	}
	return true;
}

static uint64_t
memgrid_pages(uint64_t lo, uint64_t hi)
{
	return (hi - lo + MEMGRID_PAGE - 1) / MEMGRID_PAGE;
}

/* Give the mapping's [lo, hi) n rows (fewer when it has fewer pages), starting at row *next. */
static void
memgrid_place(struct memgrid *g, struct memgrid_span *sp, uint32_t map, uint64_t lo, uint64_t hi,
	      size_t n)
{
	uint64_t pages;

	/* Rows start on a page, so an address and its page (all a snapshot keeps) share a row. */
	lo &= ~(uint64_t)(MEMGRID_PAGE - 1);
	pages = memgrid_pages(lo, hi);
	if (pages == 0)
		pages = 1;
	if (n > pages)
		n = (size_t)pages;
	sp->width = (pages + n - 1) / n * MEMGRID_PAGE;
	sp->n = (size_t)((hi - lo + sp->width - 1) / sp->width);
	if (sp->n == 0)
		sp->n = 1;
	sp->first = g->nrows;
	sp->lo = lo;
	sp->hi = hi;
	for (size_t r = 0; r < sp->n; r++)
		g->rows[g->nrows++] = (struct memgrid_row){ map, lo + r * sp->width,
							    lo + (r + 1) * sp->width, r == 0 };
	g->rows[g->nrows - 1].hi = hi;
}

struct memgrid_pick {
	uint32_t map;
	uint64_t count;
	const struct memacc_map *x;
};

static int
memgrid_by_count(const void *a, const void *b)
{
	const struct memgrid_pick *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return x->map < y->map ? -1 : x->map > y->map;
}

/* Address order; the unknown mapping last. */
static int
memgrid_by_addr(const void *a, const void *b)
{
	const struct memgrid_pick *x = a, *y = b;

	if ((x->map == MEMACC_UNKNOWN) != (y->map == MEMACC_UNKNOWN))
		return x->map == MEMACC_UNKNOWN ? 1 : -1;
	if (x->x->pid != y->x->pid)
		return x->x->pid < y->x->pid ? -1 : 1;
	return x->x->start < y->x->start ? -1 : x->x->start > y->x->start;
}

/* Overview rows: the busiest mappings, rows in proportion to their samples. */
static void
memgrid_overview(struct memgrid *g, struct memgrid_span *spans, const struct memacc *m,
		 const uint64_t *counts, size_t nrows)
{
	size_t nmaps = memacc_nmaps(m), k = 0, spare;
	struct memgrid_pick *pick = xcalloc(nmaps, sizeof(*pick));
	uint64_t total = 0;

	for (uint32_t i = 0; i < nmaps; i++)
		if (counts[i]) {
			pick[k++] = (struct memgrid_pick){ i, counts[i], memacc_get(m, i) };
			total += counts[i];
		}
	qsort(pick, k, sizeof(*pick), memgrid_by_count);
	/* At most half the rows go to one-row mappings: the busiest keep room to show detail. */
	if (k > (nrows + 1) / 2) {
		g->maps_hidden = k - (nrows + 1) / 2;
		k = (nrows + 1) / 2;
	}
	spare = nrows - k;
	qsort(pick, k, sizeof(*pick), memgrid_by_addr);
	for (size_t i = 0; i < k; i++) {
		size_t extra =
			total ? (size_t)((double)spare * (double)pick[i].count / (double)total) : 0;

		memgrid_place(g, &spans[pick[i].map], pick[i].map, pick[i].x->start, pick[i].x->end,
			      1 + extra);
	}
	free(pick);
}

/* The row of a sample, or SIZE_MAX when it is outside every row. */
static size_t
memgrid_row_of(const struct memgrid_span *sp, uint64_t addr)
{
	size_t r;

	if (sp->n == 0 || addr < sp->lo || addr >= sp->hi)
		return SIZE_MAX;
	r = (size_t)((addr - sp->lo) / sp->width);
	return r < sp->n ? sp->first + r : sp->first + sp->n - 1;
}

void
memgrid_build(struct memgrid *g, const struct memacc *m, const struct memgrid_zoom *z, size_t nrows,
	      size_t ncols)
{
	size_t n, nmaps = memacc_nmaps(m);
	const struct memacc_sample *log = memacc_log(m, &n);
	struct memgrid_span *spans = xcalloc(nmaps, sizeof(*spans));
	uint64_t *counts = xcalloc(nmaps, sizeof(*counts)), stride = memacc_stride(m), span;

	memgrid_fini(g);
	g->ncols = ncols ? ncols : 1;
	g->rows = xcalloc(nrows + 1, sizeof(*g->rows));
	g->t0 = z->t0;
	g->t1 = z->t1;
	if (!z->t0 && !z->t1 && !memgrid_span(m, &g->t0, &g->t1))
		g->t0 = g->t1 = 0;
	for (size_t i = 0; i < n; i++)
		if (log[i].time >= g->t0 && log[i].time <= g->t1)
			counts[log[i].map] += stride;
	if (z->map != MEMGRID_ALL && z->map < nmaps && nrows) {
		const struct memacc_map *x = memacc_get(m, z->map);

		memgrid_place(g, &spans[z->map], z->map, z->hi ? z->lo : x->start,
			      z->hi ? z->hi : x->end, nrows);
	} else if (nrows) {
		memgrid_overview(g, spans, m, counts, nrows);
	}
	g->cells = xcalloc(g->nrows * g->ncols + 1, sizeof(*g->cells));
	span = g->t1 - g->t0 + 1;
	for (size_t i = 0; i < n; i++) {
		size_t r, c;

		if (log[i].time < g->t0 || log[i].time > g->t1)
			continue;
		r = memgrid_row_of(&spans[log[i].map], log[i].addr);
		if (r == SIZE_MAX)
			continue;
		c = (size_t)((double)(log[i].time - g->t0) / (double)span * (double)g->ncols);
		c = c < g->ncols ? c : g->ncols - 1;
		g->cells[r * g->ncols + c] += stride;
		if (g->cells[r * g->ncols + c] > g->max)
			g->max = g->cells[r * g->ncols + c];
	}
	free(spans);
	free(counts);
}

void
memgrid_fini(struct memgrid *g)
{
	free(g->rows);
	free(g->cells);
	memset(g, 0, sizeof(*g));
}

struct memgrid_ent {
	uint32_t map, frame;
	uint64_t page;
};

static int
memgrid_by_page(const void *a, const void *b)
{
	const struct memgrid_ent *x = a, *y = b;

	if (x->map != y->map)
		return x->map < y->map ? -1 : 1;
	if (x->page != y->page)
		return x->page < y->page ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static int
memgrid_by_frame(const void *a, const void *b)
{
	const struct memgrid_ent *x = a, *y = b;

	if (x->map != y->map)
		return x->map < y->map ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static int
memgrid_page_cmp(const void *a, const void *b)
{
	const struct memgrid_page *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	if (x->map != y->map)
		return x->map < y->map ? -1 : 1;
	return x->page < y->page ? -1 : x->page > y->page;
}

static int
memgrid_mapstat_cmp(const void *a, const void *b)
{
	const struct memgrid_mapstat *x = a, *y = b;

	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return x->map < y->map ? -1 : x->map > y->map;
}

/* Pages: one entry per (map, page) run of the sorted log, with its most frequent function. */
static void
memgrid_page_runs(struct memgrid_stats *st, const struct memgrid_ent *e, size_t n, uint64_t stride,
		  struct memgrid_mapstat *by_map)
{
	st->pages = xcalloc(n + 1, sizeof(*st->pages));
	for (size_t i = 0; i < n;) {
		size_t j = i, best = 0;
		struct memgrid_page *pg = &st->pages[st->npages++];

		*pg = (struct memgrid_page){ e[i].map, e[i].page, 0, MEMACC_NOFRAME };
		while (j < n && e[j].map == e[i].map && e[j].page == e[i].page) {
			size_t k = j;

			while (k < n && e[k].map == e[j].map && e[k].page == e[j].page &&
			       e[k].frame == e[j].frame)
				k++;
			if (k - j > best) {
				best = k - j;
				pg->func = e[j].frame;
			}
			j = k;
		}
		pg->samples = (j - i) * stride;
		by_map[e[i].map].pages++;
		i = j;
	}
}

/* Per mapping: samples and its top functions, from the log sorted by (map, frame). */
static void
memgrid_map_funcs(const struct memgrid_ent *e, size_t n, uint64_t stride,
		  struct memgrid_mapstat *by_map)
{
	for (size_t i = 0; i < n;) {
		struct memgrid_mapstat *ms = &by_map[e[i].map];
		size_t j = i;
		uint64_t c;

		while (j < n && e[j].map == e[i].map && e[j].frame == e[i].frame)
			j++;
		c = (j - i) * stride;
		ms->samples += c;
		if (e[i].frame != MEMACC_NOFRAME)
			for (size_t k = 0; k < MEMGRID_TOPFUNCS; k++)
				if (c > ms->func_samples[k]) {
					memmove(&ms->funcs[k + 1], &ms->funcs[k],
						(MEMGRID_TOPFUNCS - 1 - k) * sizeof(ms->funcs[0]));
					memmove(&ms->func_samples[k + 1], &ms->func_samples[k],
						(MEMGRID_TOPFUNCS - 1 - k) *
							sizeof(ms->func_samples[0]));
					ms->funcs[k] = e[i].frame;
					ms->func_samples[k] = c;
					break;
				}
		i = j;
	}
}

void
memgrid_stats(struct memgrid_stats *st, const struct memacc *m, uint64_t t0, uint64_t t1,
	      size_t maxpages)
{
	size_t n, k = 0, nmaps = memacc_nmaps(m);
	const struct memacc_sample *log = memacc_log(m, &n);
	struct memgrid_ent *e = xcalloc(n + 1, sizeof(*e));
	struct memgrid_mapstat *by_map = xcalloc(nmaps, sizeof(*by_map));
	uint64_t stride = memacc_stride(m);

	memset(st, 0, sizeof(*st));
	if (!t0 && !t1)
		t1 = UINT64_MAX;
	for (size_t i = 0; i < n; i++)
		if (log[i].time >= t0 && log[i].time <= t1)
			e[k++] =
				(struct memgrid_ent){ log[i].map, log[i].frame,
						      log[i].addr & ~(uint64_t)(MEMGRID_PAGE - 1) };
	for (uint32_t i = 0; i < nmaps; i++) {
		by_map[i].map = i;
		for (size_t f = 0; f < MEMGRID_TOPFUNCS; f++)
			by_map[i].funcs[f] = MEMACC_NOFRAME;
	}
	qsort(e, k, sizeof(*e), memgrid_by_page);
	memgrid_page_runs(st, e, k, stride, by_map);
	qsort(st->pages, st->npages, sizeof(*st->pages), memgrid_page_cmp);
	if (st->npages > maxpages)
		st->npages = maxpages;
	qsort(e, k, sizeof(*e), memgrid_by_frame);
	memgrid_map_funcs(e, k, stride, by_map);
	qsort(by_map, nmaps, sizeof(*by_map), memgrid_mapstat_cmp);
	while (st->nmaps < nmaps && by_map[st->nmaps].samples)
		st->nmaps++;
	st->maps = by_map;
	free(e);
}

void
memgrid_stats_fini(struct memgrid_stats *st)
{
	free(st->maps);
	free(st->pages);
	memset(st, 0, sizeof(*st));
}
