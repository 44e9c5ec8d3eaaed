// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The overview's hottest functions of a ratio flamegraph: one row per function with A's and B's
 * samples (self, total) over the whole recording and A/B of each, the counts the ratio
 * flamegraph's frames give; a row with fewer than RATIOFLAME_MIN_SAMPLES of B is grey. A function
 * is a name and module, as on the page. The counts (two walks of the trees) are kept between
 * draws for as long as both trees' generations, the events and the range stay, and all the while
 * the display is frozen; a new order only sorts them again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringside/ui/draw.h"
#include "ringside/ui/hotratio_view.h"
#include "ringside/ui/range.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/ratioflame.h"

enum { HOTRATIO_VIEW_COL = 8 }; /* a column and its space */

struct hotratio_view {
	bool ok;
	struct hot_ratio_entry *e; /* every function, sorted by order */
	size_t n;
	enum hot_ratio_order order;
	const struct stacktree *a, *b; /* what they were counted from */
	uint64_t gen_a, gen_b, range, shown_ns;
	size_t ia, ib, nframes;
};

struct hotratio_view *
hotratio_view_new(void)
{
	return xcalloc(1, sizeof(struct hotratio_view));
}

void
hotratio_view_free(struct hotratio_view *hv)
{
	if (!hv)
		return;
	free(hv->e);
	free(hv);
}

/* Count the functions of a and b again unless what they were counted from still holds. */
static void
hotratio_view_count(struct ui *ui, struct hotratio_view *hv, size_t ia, size_t ib)
{
	const struct profile *p = ui->profile;
	const struct stacktree *a = profile_event_tree(p, ia), *b = profile_event_tree(p, ib);
	bool same = hv->ok && hv->a == a && hv->b == b && hv->ia == ia && hv->ib == ib &&
		    hv->range == range_stamp(ui);
	bool held = ui->frozen && ui->session && hv->shown_ns == ui->shown_ns;

	if (same && held)
		return;
	/* Unchanged trees: what is counted becomes what a freeze now holds. */
	hv->shown_ns = ui->shown_ns;
	if (same && hv->gen_a == (a ? stacktree_generation(a) : 0) &&
	    hv->gen_b == (b ? stacktree_generation(b) : 0) &&
	    hv->nframes == frametab_nframes(p->frames))
		return;
	free(hv->e);
	hv->e = NULL;
	hv->n = a && b ? hot_ratio_all(a, b, p->frames, &hv->e) : 0;
	hot_ratio_sort(hv->e, hv->n, hv->order);
	hv->ok = true;
	hv->a = a;
	hv->b = b;
	hv->ia = ia;
	hv->ib = ib;
	hv->gen_a = a ? stacktree_generation(a) : 0;
	hv->gen_b = b ? stacktree_generation(b) : 0;
	hv->nframes = frametab_nframes(p->frames);
	hv->range = range_stamp(ui);
}

/* A ratio for its column: three significant digits, or "-" without one. */
static const char *
hotratio_view_fmt(double v, char *buf, size_t len)
{
	if (v < 0)
		return "-";
	return ratioflame_format(v, buf, len);
}

/* The column headers, the sorted one in the selection's colour. */
static void
hotratio_view_heads(struct ui *ui, const struct ratio_def *r, enum hot_ratio_order order, int y,
		    int x, int cols)
{
	char head[HOT_RATIO_NR][32];
	int at = 0;

	snprintf(head[HOT_RATIO_A_SELF], sizeof(head[0]), "A self");
	snprintf(head[HOT_RATIO_A_TOTAL], sizeof(head[0]), "A total");
	snprintf(head[HOT_RATIO_B_SELF], sizeof(head[0]), "B self");
	snprintf(head[HOT_RATIO_B_TOTAL], sizeof(head[0]), "B total");
	snprintf(head[HOT_RATIO_SELF], sizeof(head[0]), "%.4s self", r->name);
	snprintf(head[HOT_RATIO_TOTAL], sizeof(head[0]), "%.4s tot", r->name);
	for (int k = 0; k < HOT_RATIO_NR && at + HOTRATIO_VIEW_COL <= cols; k++) {
		draw_textf(ui, y, x + at, HOTRATIO_VIEW_COL - 1,
			   draw_attr(ui, k == (int)order ? THEME_SELECT : THEME_HEADER), "%*s",
			   HOTRATIO_VIEW_COL - 1, head[k]);
		at += HOTRATIO_VIEW_COL;
	}
	if (at < cols)
		draw_textf(ui, y, x + at, cols - at, draw_attr(ui, THEME_HEADER),
			   "function (grey: < %d %s samples)", RATIOFLAME_MIN_SAMPLES, r->den);
}

/* Row i: the counts, the ratios, the function and its module. */
static void
hotratio_view_row(struct ui *ui, const struct hot_ratio_entry *e, int y, int x, int cols)
{
	const struct profile *p = ui->profile;
	const struct frame *f = frametab_get(p->frames, e->frame);
	const char *mod = frametab_str(p->frames, f->module), *slash = strrchr(mod, '/');
	bool few = e->b_total < RATIOFLAME_MIN_SAMPLES;
	attr_t a = draw_attr(ui, few ? THEME_DIM : THEME_NORMAL);
	char rs[32], rt[32];
	int used;

	used = draw_textf(ui, y, x, cols, a, "%7llu %7llu %7llu %7llu %7s %7s %s",
			  (unsigned long long)e->a_self, (unsigned long long)e->a_total,
			  (unsigned long long)e->b_self, (unsigned long long)e->b_total,
			  hotratio_view_fmt(e->ratio_self, rs, sizeof(rs)),
			  hotratio_view_fmt(e->ratio_total, rt, sizeof(rt)),
			  frametab_str(p->frames, f->name));
	if (*mod && used + 3 < cols)
		draw_textf(ui, y, x + used + 1, cols - used - 1, draw_attr(ui, THEME_DIM), "%s",
			   slash ? slash + 1 : mod);
}

bool
hotratio_view_draw(struct ui *ui, struct hotratio_view *hv, const struct ratio_def *r, size_t a,
		   size_t b, enum hot_ratio_order order, int y, int x, int rows, int cols,
		   uint32_t *first)
{
	size_t max = rows > 2 ? (size_t)rows - 2 : 0, n;

	draw_textf(ui, y, x, cols, draw_attr(ui, THEME_HEADER),
		   "hottest functions, %s = A/B = %s/%s, by %s, all", r->name, r->num, r->den,
		   hot_ratio_order_name(order));
	if (rows > 1)
		hotratio_view_heads(ui, r, order, y + 1, x, cols);
	hotratio_view_count(ui, hv, a, b);
	if (hv->order != order) {
		hot_ratio_sort(hv->e, hv->n, order);
		hv->order = order;
	}
	n = hv->n < max ? hv->n : max;
	if (n == 0 && rows > 2)
		draw_text(ui, y + 2, x, cols, draw_attr(ui, THEME_DIM), "no samples yet");
	for (size_t i = 0; i < n; i++)
		hotratio_view_row(ui, &hv->e[i], y + 2 + (int)i, x, cols);
	if (n)
		*first = hv->e[0].frame;
	return n > 0;
}
