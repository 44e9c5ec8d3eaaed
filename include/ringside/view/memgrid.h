/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory view's view-model (curses-free): the address x time heat map of a memacc log for a
 * zoom (all mappings, or an address range of one; a time range), with rows split at mapping
 * boundaries, and the tables of the hottest mappings and pages with the functions that touched
 * them. The screen, the snapshot's buckets and the tests all read it.
 */
#ifndef RINGSIDE_VIEW_MEMGRID_H
#define RINGSIDE_VIEW_MEMGRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/memacc.h"

#define MEMGRID_ALL	 UINT32_MAX /* zoom.map: every mapping */
#define MEMGRID_PAGE	 4096u
#define MEMGRID_TOPFUNCS 3u

struct memgrid_zoom {
	uint32_t map;	 /* MEMGRID_ALL, or the one mapping shown */
	uint64_t lo, hi; /* with one mapping: its address range shown, [lo, hi); 0, 0: all */
	uint64_t t0, t1; /* monotonic ns, [t0, t1]; 0, 0: the log's whole span */
};

struct memgrid_row {
	uint32_t map;
	uint64_t lo, hi; /* the addresses the row covers, [lo, hi) */
	bool first;	 /* the first row of its mapping (where the label goes) */
};

struct memgrid {
	size_t nrows, ncols;
	struct memgrid_row *rows;
	uint64_t *cells;    /* nrows x ncols, row-major: samples (log entries times the stride) */
	uint64_t t0, t1;    /* the time span drawn */
	uint64_t max;	    /* the largest cell */
	size_t maps_hidden; /* mappings with samples that got no row (more than rows) */
};

/*
 * Build g (zeroed or from an earlier build; memgrid_fini releases it) for zoom z with at most
 * nrows rows and exactly ncols columns. Overview: each mapping with samples in the time range
 * gets rows in proportion to its samples (at least one), the busiest nrows / 2 mappings at most,
 * shown in address order; one mapping: rows divide [lo, hi) evenly in whole pages.
 */
void memgrid_build(struct memgrid *g, const struct memacc *m, const struct memgrid_zoom *z,
		   size_t nrows, size_t ncols);
void memgrid_fini(struct memgrid *g);

struct memgrid_mapstat {
	uint32_t map;
	uint64_t samples;		  /* in the time range (log entries times the stride) */
	uint64_t pages;			  /* distinct pages touched in the log */
	uint32_t funcs[MEMGRID_TOPFUNCS]; /* frametab ids, MEMACC_NOFRAME past the last */
	uint64_t func_samples[MEMGRID_TOPFUNCS];
};

struct memgrid_page {
	uint32_t map;
	uint64_t page; /* address of the page */
	uint64_t samples;
	uint32_t func; /* the function that touched it most, or MEMACC_NOFRAME */
};

struct memgrid_stats {
	struct memgrid_mapstat *maps; /* mappings with samples, most samples first */
	size_t nmaps;
	struct memgrid_page *pages; /* the hottest pages, most samples first (ties: address) */
	size_t npages;
};

/* The tables for time range [t0, t1] (0, 0: all), at most maxpages pages. Free with
 * memgrid_stats_fini. */
void memgrid_stats(struct memgrid_stats *st, const struct memacc *m, uint64_t t0, uint64_t t1,
		   size_t maxpages);
void memgrid_stats_fini(struct memgrid_stats *st);
/* The log's first and last sample times; false when it is empty. */
bool memgrid_span(const struct memacc *m, uint64_t *t0, uint64_t *t1);

#endif
