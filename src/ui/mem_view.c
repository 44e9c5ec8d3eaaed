// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The memory view (--mem): the target's data addresses against time, PerVERT's picture. Rows are
 * address ranges split at mapping boundaries and labelled with the mapping (heap, stack, anon, a
 * file, [vdso], unknown); columns are time buckets; a cell's glyph grows with its samples. Enter
 * zooms into the cursor row's mapping, then into a narrower address range around it; + zooms the
 * time around the cursor column; Esc steps back. Below, the hottest mappings with the functions
 * that touched them, and the hottest pages. The grid and tables come from view/memgrid.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/ui/draw.h"
#include "ringside/ui/view.h"
#include "ringside/view/memgrid.h"
#include "ringside/util/xalloc.h"

enum { MEM_VIEW_LABEL_W = 26, MEM_VIEW_ZOOMS = 16, MEM_VIEW_MIN_TABLE = 4 };

struct mem_view {
	struct memgrid_zoom zoom[MEM_VIEW_ZOOMS]; /* zoom[0]: everything */
	int depth;
	struct memgrid grid;
	struct memgrid_stats stats;
	size_t row, col; /* the cursor */
	bool built;
};

static void *
mem_view_init(struct ui *ui)
{
	struct mem_view *mv = xcalloc(1, sizeof(*mv));

	(void)ui;
	mv->zoom[0].map = MEMGRID_ALL;
	return mv;
}

static void
mem_view_fini(void *state)
{
	struct mem_view *mv = state;

	if (!mv)
		return;
	memgrid_fini(&mv->grid);
	memgrid_stats_fini(&mv->stats);
	free(mv);
}

/* The last path component of a mapping's label, for the narrow label column. */
static const char *
mem_view_short(const char *label)
{
	const char *slash = strrchr(label, '/');

	return slash && slash[1] ? slash + 1 : label;
}

/* A function's name, or "?" when the sample had none. */
static const char *
mem_view_func(const struct profile *p, uint32_t frame)
{
	if (frame == MEMACC_NOFRAME || !p->frames || frame >= frametab_nframes(p->frames))
		return "?";
	return frametab_str(p->frames, frametab_get(p->frames, frame)->name);
}

/* The glyph level of a cell: logarithmic, so a single fault still shows beside a hot spot. */
static int
mem_view_level(const struct ui *ui, uint64_t c, uint64_t max)
{
	double f;

	if (!c || !max)
		return -1;
	f = log1p((double)c) / log1p((double)max);
	return 1 + (int)(f * (ui->glyphs.nspark - 2) + 0.5);
}

static void
mem_view_header(struct ui *ui, struct mem_view *mv, int y, int cols)
{
	const struct memacc *m = ui->profile->mem;
	const struct memgrid_zoom *z = &mv->zoom[mv->depth];
	const struct memgrid *g = &mv->grid;
	uint64_t origin = ui->profile->sched_origin;
	char where[160];

	if (z->map == MEMGRID_ALL)
		snprintf(where, sizeof(where), "all mappings");
	else
		snprintf(where, sizeof(where), "%s %#" PRIx64 "-%#" PRIx64,
			 mem_view_short(memacc_get(m, z->map)->label), g->nrows ? g->rows[0].lo : 0,
			 g->nrows ? g->rows[g->nrows - 1].hi : 0);
	draw_textf(ui, y, 0, cols, draw_attr(ui, THEME_HEADER),
		   " Memory: %s, %" PRIu64 " samples%s | %s | %.2f-%.2f s%s", memacc_source(m),
		   memacc_total(m), memacc_stride(m) > 1 ? " (log thinned)" : "", where,
		   g->t0 > origin ? (double)(g->t0 - origin) / 1e9 : 0.0,
		   g->t1 > origin ? (double)(g->t1 - origin) / 1e9 : 0.0,
		   g->maps_hidden ? " | more mappings in the table" : "");
}

/* One heat-map row: its label (the mapping at its first row, else the address) and cells. */
static void
mem_view_row(struct ui *ui, struct mem_view *mv, size_t r, int y, int cols)
{
	const struct memgrid *g = &mv->grid;
	const struct memgrid_row *row = &g->rows[r];
	const struct memacc_map *x = memacc_get(ui->profile->mem, row->map);
	attr_t la = r == mv->row ? draw_attr(ui, THEME_SELECT) : draw_attr(ui, THEME_DIM);

	if (row->first)
		draw_textf(ui, y, 0, MEM_VIEW_LABEL_W,
			   r == mv->row ? la : draw_attr(ui, THEME_NORMAL), "%-*.*s",
			   MEM_VIEW_LABEL_W - 1, MEM_VIEW_LABEL_W - 1, mem_view_short(x->label));
	else
		draw_textf(ui, y, 0, MEM_VIEW_LABEL_W, la, "  %#" PRIx64, row->lo);
	for (size_t c = 0; c < g->ncols && MEM_VIEW_LABEL_W + (int)c < cols; c++) {
		int lv = mem_view_level(ui, g->cells[r * g->ncols + c], g->max);
		attr_t a = draw_attr(ui, THEME_SPARK);

		if (r == mv->row && c == mv->col)
			a = draw_attr(ui, THEME_SELECT);
		draw_text(ui, y, MEM_VIEW_LABEL_W + (int)c, 1, a,
			  lv < 0 ? (c == mv->col ? ui->glyphs.vline : " ") : ui->glyphs.spark[lv]);
	}
}

/* The hottest mappings, then the hottest pages, as rows allow. */
static void
mem_view_tables(struct ui *ui, struct mem_view *mv, int y, int rows, int cols)
{
	const struct profile *p = ui->profile;
	const struct memgrid_stats *st = &mv->stats;
	uint64_t total = 0;
	int n = 0;

	for (size_t i = 0; i < st->nmaps; i++)
		total += st->maps[i].samples;
	draw_textf(ui, y, 0, cols, draw_attr(ui, THEME_HEADER), " %10s %6s %8s  %-24s %s",
		   "samples", "share", "pages", "mapping", "functions (samples)");
	for (size_t i = 0; i < st->nmaps && n + 1 < rows; i++, n++) {
		const struct memgrid_mapstat *ms = &st->maps[i];
		const struct memacc_map *x = memacc_get(p->mem, ms->map);
		char funcs[256] = "";
		size_t len = 0;

		for (size_t f = 0; f < MEMGRID_TOPFUNCS && ms->funcs[f] != MEMACC_NOFRAME; f++)
			len += (size_t)snprintf(
				funcs + len, sizeof(funcs) - len, "%s%s (%" PRIu64 ")",
				f ? ", " : "", mem_view_func(p, ms->funcs[f]), ms->func_samples[f]);
		draw_textf(ui, y + 1 + n, 0, cols,
			   i == 0 ? draw_attr(ui, THEME_NORMAL) | A_BOLD
				  : draw_attr(ui, THEME_NORMAL),
			   " %10" PRIu64 " %5.1f%% %8" PRIu64 "  %-24.24s %s", ms->samples,
			   total ? 100.0 * (double)ms->samples / (double)total : 0.0, ms->pages,
			   mem_view_short(x->label), funcs);
	}
	if (n + 3 >= rows || st->npages == 0)
		return;
	draw_textf(ui, y + 2 + n, 0, cols, draw_attr(ui, THEME_HEADER), " %10s %-20s %-20s %s",
		   "samples", "hottest page", "mapping", "function");
	for (size_t i = 0; i < st->npages && n + 3 < rows; i++, n++)
		draw_textf(ui, y + 3 + n, 0, cols, draw_attr(ui, THEME_NORMAL),
			   " %10" PRIu64 " %#-20" PRIx64 " %-20.20s %s", st->pages[i].samples,
			   st->pages[i].page,
			   mem_view_short(memacc_get(p->mem, st->pages[i].map)->label),
			   mem_view_func(p, st->pages[i].func));
}

/* What the cursor cell holds: its addresses, its time and its samples. */
static void
mem_view_cursor(struct ui *ui, struct mem_view *mv, int y, int cols)
{
	const struct memgrid *g = &mv->grid;
	const struct memgrid_row *row = &g->rows[mv->row];
	uint64_t origin = ui->profile->sched_origin, span = g->t1 - g->t0;
	double t = (double)(g->t0 > origin ? g->t0 - origin : 0) +
		   (double)span * ((double)mv->col + 0.5) / (double)g->ncols;

	draw_textf(ui, y, 0, cols, draw_attr(ui, THEME_DIM),
		   " cursor: %s %#" PRIx64 "-%#" PRIx64 " at %.3f s: %" PRIu64 " samples",
		   mem_view_short(memacc_get(ui->profile->mem, row->map)->label), row->lo, row->hi,
		   t / 1e9, g->cells[mv->row * g->ncols + mv->col]);
}

static void
mem_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	struct mem_view *mv = state;
	const struct memacc *m = ui->profile->mem;
	int map_rows, ncols = cols - MEM_VIEW_LABEL_W - 1;
	const struct memgrid_zoom *z;

	if (!m) {
		draw_text(
			ui, top + 1, 1, cols - 1, draw_attr(ui, THEME_NA),
			"No memory accesses recorded: record with --mem (page-fault addresses, or "
			"PEBS/IBS loads where the CPU has them).");
		return;
	}
	map_rows = rows - 3 - MEM_VIEW_MIN_TABLE - 6;
	if (map_rows < 3)
		map_rows = rows > 6 ? rows - 4 : 1;
	z = &mv->zoom[mv->depth];
	if (!ui->frozen || !mv->built) {
		memgrid_build(&mv->grid, m, z, (size_t)map_rows, (size_t)(ncols > 1 ? ncols : 1));
		memgrid_stats_fini(&mv->stats);
		memgrid_stats(&mv->stats, m, mv->grid.t0, mv->grid.t1, 16);
		mv->built = true;
	}
	if (mv->row >= mv->grid.nrows)
		mv->row = mv->grid.nrows ? mv->grid.nrows - 1 : 0;
	if (mv->col >= mv->grid.ncols)
		mv->col = mv->grid.ncols - 1;
	mem_view_header(ui, mv, top, cols);
	for (size_t r = 0; r < mv->grid.nrows; r++)
		mem_view_row(ui, mv, r, top + 1 + (int)r, cols);
	if (!mv->grid.nrows)
		draw_text(ui, top + 2, 1, cols - 1, draw_attr(ui, THEME_NA),
			  "No samples in this range yet.");
	else
		mem_view_cursor(ui, mv, top + 1 + (int)mv->grid.nrows, cols);
	mem_view_tables(ui, mv, top + 3 + (int)mv->grid.nrows, rows - 3 - (int)mv->grid.nrows,
			cols);
}

/* Push a zoom (the deepest one is replaced when the stack is full). */
static void
mem_view_push(struct mem_view *mv, const struct memgrid_zoom *z)
{
	if (mv->depth + 1 < MEM_VIEW_ZOOMS)
		mv->depth++;
	mv->zoom[mv->depth] = *z;
	mv->built = false;
}

/* Enter: the cursor row's mapping, or an eighth of the range around the cursor row. */
static void
mem_view_zoom_addr(struct ui *ui, struct mem_view *mv)
{
	const struct memgrid *g = &mv->grid;
	struct memgrid_zoom z = mv->zoom[mv->depth];
	const struct memgrid_row *row;
	uint64_t lo, hi, width, mid;

	if (!g->nrows)
		return;
	row = &g->rows[mv->row];
	if (z.map == MEMGRID_ALL) {
		z.map = row->map;
		z.lo = z.hi = 0;
		mem_view_push(mv, &z);
		mv->row = 0;
		return;
	}
	lo = g->rows[0].lo;
	hi = g->rows[g->nrows - 1].hi;
	width = (hi - lo) / 8;
	if (width < MEMGRID_PAGE * g->nrows) {
		ui_message(ui, false, "already at one page a row");
		return;
	}
	mid = row->lo + (row->hi - row->lo) / 2;
	z.lo = mid - width / 2 < lo || mid < width / 2 ? lo : mid - width / 2;
	z.hi = z.lo + width > hi ? hi : z.lo + width;
	mem_view_push(mv, &z);
	mv->row = g->nrows / 2;
}

/* +: a quarter of the time range, around the cursor column. */
static void
mem_view_zoom_time(struct ui *ui, struct mem_view *mv)
{
	const struct memgrid *g = &mv->grid;
	struct memgrid_zoom z = mv->zoom[mv->depth];
	uint64_t span = g->t1 - g->t0, w = span / 4, at;

	if (span < 4 * g->ncols) {
		ui_message(ui, false, "the time range is as narrow as it goes");
		return;
	}
	at = g->t0 + (uint64_t)((double)span * ((double)mv->col + 0.5) / (double)g->ncols);
	z.t0 = at - w / 2 < g->t0 || at < w / 2 ? g->t0 : at - w / 2;
	z.t1 = z.t0 + w > g->t1 ? g->t1 : z.t0 + w;
	mem_view_push(mv, &z);
	mv->col = g->ncols / 2;
}

static bool
mem_view_key(struct ui *ui, void *state, int key)
{
	struct mem_view *mv = state;

	if (!ui->profile->mem)
		return false;
	switch (key) {
	case KEY_UP:
	case 'k':
		mv->row -= mv->row > 0;
		return true;
	case KEY_DOWN:
	case 'j':
		mv->row += mv->row + 1 < mv->grid.nrows;
		return true;
	case KEY_LEFT:
		mv->col -= mv->col > 0;
		return true;
	case KEY_RIGHT:
		mv->col += mv->col + 1 < mv->grid.ncols;
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		mem_view_zoom_addr(ui, mv);
		return true;
	case '+':
		mem_view_zoom_time(ui, mv);
		return true;
	case 27:
	case KEY_BACKSPACE:
	case 127:
	case '-':
		if (mv->depth > 0) {
			mv->depth--;
			mv->built = false;
		}
		return true;
	default:
		return false;
	}
}

/* The memory tab shows only for a profile that recorded memory accesses. */
static bool
mem_view_hidden(const struct ui *ui)
{
	return ui->profile->mem == NULL;
}

const struct view_ops mem_view_ops = {
	.name = "Memory",
	.keys = "Up Down   choose an address row (j k)\n"
		"Left Right choose a time column\n"
		"Enter     zoom into the row's mapping, then into an eighth of its range\n"
		"+         zoom the time into a quarter around the column\n"
		"Esc - Bksp zoom back out\n"
		"m 5       this view (recorded with --mem)\n",
	.init = mem_view_init,
	.fini = mem_view_fini,
	.draw = mem_view_draw,
	.key = mem_view_key,
	.hidden = mem_view_hidden,
};
