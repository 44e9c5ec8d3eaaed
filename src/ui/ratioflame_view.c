// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flame view's ratio mode: key E goes on from the last sampled event to each ratio
 * flamegraph (a --ratio NAME=A/B of two sampled events), then back to the first event. The tree
 * laid out is B's (its samples are the widths); each cell's colour is A/B over the same call
 * path in A's tree, on a log scale from yellow (lowest) to red (highest) over every frame of B's
 * tree, drawn or not; frames with fewer than RATIOFLAME_MIN_SAMPLES of B's samples are grey.
 * Counts are the whole recording's.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringside/ui/draw.h"
#include "ringside/ui/ratioflame_view.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/ratioflame.h"

/* Pairs after the diff view's (THEME_SLOT_COUNT + 1 .. + 7): the levels, then grey. */
enum { RATIOFLAME_VIEW_PAIR = THEME_SLOT_COUNT + 8, RATIOFLAME_VIEW_MAX = 64 };

struct ratioflame_view {
	size_t cur;	     /* the index in p->ratios shown (ui->ratio - 1) */
	size_t a, b;	     /* its sampled events */
	uint64_t *na, *nb;   /* per cell: A's and B's samples */
	uint32_t *ida, *idb; /* per cell: its node in A's and B's tree */
	double *v;	     /* per cell: A/B, negative without one */
	size_t n, cap;	     /* cells computed */
	double lo, hi;	     /* the scale: the smallest and largest ratio of B's whole tree */
	/* The trees the scale was taken of, and the ratio, their nodes and samples then. */
	const struct stacktree *sa, *sb;
	uint64_t skey[5];
	bool scaled;
	bool paired; /* colour pairs set */
	bool colour; /* and usable */
};

struct ratioflame_view *
ratioflame_view_new(void)
{
	return xcalloc(1, sizeof(struct ratioflame_view));
}

void
ratioflame_view_free(struct ratioflame_view *rv)
{
	if (!rv)
		return;
	free(rv->na);
	free(rv->nb);
	free(rv->v);
	free(rv->ida);
	free(rv->idb);
	free(rv);
}

/* Show ratio idx (an index in p->ratios), saying so on the status line. */
static void
ratioflame_view_show(struct ui *ui, size_t idx)
{
	const struct profile *p = ui->profile;
	const struct ratio_def *r = &p->ratios[idx];
	size_t a, b;

	ratioflame_events(p, r, &a, &b);
	ui->ratio = idx + 1;
	ui->tt.mode = TIMETREE_ON;
	ui->tt.event = b;
	ui_message(ui, false,
		   "ratio flamegraph %s = %s/%s: widths %s %s, colour %s/%s per frame "
		   "(E: the next)",
		   r->name, r->num, r->den, r->den,
		   profile_event_counts(p, b) ? "counted" : "samples", r->num, r->den);
}

bool
ratioflame_view_next(struct ui *ui)
{
	const struct profile *p = ui->profile;
	size_t list[RATIOFLAME_VIEW_MAX], n = ratioflame_list(p, list, RATIOFLAME_VIEW_MAX), at;

	if (!n)
		return false;
	if (!ratioflame_view_on(ui)) {
		if (ui->tt.mode != TIMETREE_ON || ui->tt.event + 1 < profile_nsampled(p))
			return false;
		ratioflame_view_show(ui, list[0]);
		return true;
	}
	for (at = 0; at < n && list[at] != ui->ratio - 1; at++)
		;
	if (at + 1 < n) {
		ratioflame_view_show(ui, list[at + 1]);
		return true;
	}
	/* After the last ratio: the first event, as E after the last event shows it. */
	ui->ratio = 0;
	ui->tt.event = profile_nsampled(p) - 1;
	return false;
}

const struct ratio_def *
ratioflame_view_shown(struct ui *ui, size_t *a, size_t *b)
{
	const struct profile *p = ui->profile;
	size_t ea = 0, eb = 0;

	if (ui->ratio &&
	    (ui->ratio > p->nratios || ui->tt.mode != TIMETREE_ON ||
	     !ratioflame_events(p, &p->ratios[ui->ratio - 1], &ea, &eb) || ui->tt.event != eb))
		ui->ratio = 0;
	if (!ui->ratio)
		return NULL;
	if (a)
		*a = ea;
	if (b)
		*b = eb;
	return &p->ratios[ui->ratio - 1];
}

bool
ratioflame_view_on(struct ui *ui)
{
	return ratioflame_view_shown(ui, NULL, NULL) != NULL;
}

static void
ratioflame_view_grow(struct ratioflame_view *rv, size_t n)
{
	if (n <= rv->cap)
		return;
	rv->cap = n + n / 2;
	rv->na = xreallocarray(rv->na, rv->cap, sizeof(*rv->na));
	rv->nb = xreallocarray(rv->nb, rv->cap, sizeof(*rv->nb));
	rv->v = xreallocarray(rv->v, rv->cap, sizeof(*rv->v));
	rv->ida = xreallocarray(rv->ida, rv->cap, sizeof(*rv->ida));
	rv->idb = xreallocarray(rv->idb, rv->cap, sizeof(*rv->idb));
}

/* The node of tree t under the one of cell parent (STACKTREE_ROOT for the root's cell). */
static uint32_t
ratioflame_view_node(const struct stacktree *t, const uint32_t *ids, long parent, uint32_t frame)
{
	if (parent < 0)
		return STACKTREE_ROOT;
	return ids[parent] == STACKTREE_NONE ? STACKTREE_NONE
					     : stacktree_child(t, ids[parent], frame);
}

static uint64_t
ratioflame_view_total(const struct stacktree *t, uint32_t id)
{
	const struct stacktree_node *n = id == STACKTREE_NONE ? NULL : stacktree_node(t, id);

	return n ? n->total : 0;
}

/* Cell i's node in t by its whole path from the root (a cell laid out before its parent). */
static uint32_t
ratioflame_view_walk(const struct stacktree *t, const struct flame_cell *cells, size_t i)
{
	uint32_t path[256], id = STACKTREE_ROOT;
	size_t depth = 0;

	for (long j = (long)i; j >= 0 && cells[j].depth > 0 && depth < 256; j = cells[j].parent)
		path[depth++] = cells[j].frame;
	while (depth && id != STACKTREE_NONE)
		id = stacktree_child(t, id, path[--depth]);
	return id;
}

/*
 * The scale over the whole of B's tree (frames too narrow to draw included, as the page has it),
 * walked again only when either tree or the ratio changed since the last time.
 */
static void
ratioflame_view_scale(struct ratioflame_view *rv, const struct stacktree *ta,
		      const struct stacktree *tb)
{
	uint64_t key[5] = {
		rv->cur,
		ta ? stacktree_nnodes(ta) : 0,
		tb ? stacktree_nnodes(tb) : 0,
		ta ? stacktree_samples(ta) : 0,
		tb ? stacktree_samples(tb) : 0,
	};

	if (rv->scaled && rv->sa == ta && rv->sb == tb && !memcmp(key, rv->skey, sizeof(key)))
		return;
	ratioflame_scale(ta, tb, &rv->lo, &rv->hi);
	rv->sa = ta;
	rv->sb = tb;
	memcpy(rv->skey, key, sizeof(key));
	rv->scaled = true;
}

void
ratioflame_view_update(struct ui *ui, struct ratioflame_view *rv, const struct flame_cell *cells,
		       size_t n)
{
	const struct profile *p = ui->profile;
	const struct stacktree *ta, *tb;

	ratioflame_view_shown(ui, &rv->a, &rv->b);
	rv->cur = ui->ratio ? ui->ratio - 1 : 0;
	ta = profile_event_tree(p, rv->a);
	tb = profile_event_tree(p, rv->b);
	ratioflame_view_grow(rv, n);
	rv->n = n;
	ratioflame_view_scale(rv, ta, tb);
	for (size_t i = 0; i < n; i++) {
		long up = cells[i].parent;

		/* Each cell's nodes from its parent's (one lookup), else by its whole path. */
		if (up < (long)i && (up >= 0 || cells[i].depth == 0)) {
			rv->ida[i] = ratioflame_view_node(ta, rv->ida, up, cells[i].frame);
			rv->idb[i] = ratioflame_view_node(tb, rv->idb, up, cells[i].frame);
		} else {
			rv->ida[i] = ratioflame_view_walk(ta, cells, i);
			rv->idb[i] = ratioflame_view_walk(tb, cells, i);
		}
		rv->na[i] = ratioflame_view_total(ta, rv->ida[i]);
		rv->nb[i] = ratioflame_view_total(tb, rv->idb[i]);
		rv->v[i] = ratioflame_value(rv->na[i], rv->nb[i]);
	}
	if (!rv->paired && ui->can_color) {
		/* Yellow to red, lowest to highest; grey for too few samples. */
		static const short c256[RATIOFLAME_LEVELS] = { 229, 221, 214, 208, 196 };
		static const short c8[RATIOFLAME_LEVELS] = { COLOR_YELLOW, COLOR_YELLOW, COLOR_RED,
							     COLOR_RED, COLOR_RED };
		bool many = COLORS >= 256;

		rv->colour = RATIOFLAME_VIEW_PAIR + RATIOFLAME_LEVELS < COLOR_PAIRS;
		for (int k = 0; rv->colour && k < RATIOFLAME_LEVELS; k++)
			init_pair((short)(RATIOFLAME_VIEW_PAIR + k), COLOR_BLACK,
				  many ? c256[k] : c8[k]);
		if (rv->colour)
			init_pair((short)(RATIOFLAME_VIEW_PAIR + RATIOFLAME_LEVELS), COLOR_BLACK,
				  many ? 250 : COLOR_WHITE);
		rv->paired = true;
	}
}

attr_t
ratioflame_view_attr(const struct ui *ui, const struct ratioflame_view *rv, size_t i)
{
	int k;

	if (i >= rv->n)
		return draw_attr(ui, THEME_NORMAL);
	if (rv->v[i] < 0)
		return rv->colour ? COLOR_PAIR(RATIOFLAME_VIEW_PAIR + RATIOFLAME_LEVELS)
				  : draw_attr(ui, THEME_DIM);
	k = ratioflame_level(rv->v[i], rv->lo, rv->hi);
	if (!rv->colour)
		return k >= RATIOFLAME_LEVELS - 2 ? A_BOLD | A_REVERSE : A_REVERSE;
	return COLOR_PAIR(RATIOFLAME_VIEW_PAIR + k);
}

void
ratioflame_view_legend(struct ui *ui, const struct ratioflame_view *rv, int y, int cols)
{
	const struct ratio_def *r = &ui->profile->ratios[rv->cur];
	char b1[32], b2[32];
	int x = 1;

	x += draw_textf(ui, y, x, cols - x - 1, draw_attr(ui, THEME_HEADER),
			"%s = %s/%s per frame, log scale: ", r->name, r->num, r->den);
	for (int k = 0; k < RATIOFLAME_LEVELS && x < cols - 1; k++) {
		attr_t a = rv->colour			? COLOR_PAIR(RATIOFLAME_VIEW_PAIR + k)
			   : k >= RATIOFLAME_LEVELS - 2 ? A_BOLD | A_REVERSE
							: A_REVERSE;

		x += draw_textf(ui, y, x, cols - x - 1, a, " %s ",
				ratioflame_format(ratioflame_level_from(k, rv->lo, rv->hi), b1,
						  sizeof(b1)));
	}
	x += draw_textf(ui, y, x, cols - x - 1, draw_attr(ui, THEME_HEADER), " to %s",
			ratioflame_format(rv->hi, b2, sizeof(b2)));
	x += draw_textf(ui, y, x, cols - x - 1, draw_attr(ui, THEME_DIM), "  %s grey: < %d %s %s",
			ui->glyphs.vline, RATIOFLAME_MIN_SAMPLES, r->den,
			profile_event_counts(ui->profile, rv->b) ? "counted" : "samples");
}

size_t
ratioflame_view_details(const struct ui *ui, const struct ratioflame_view *rv, size_t i, char *buf,
			size_t len)
{
	const struct ratio_def *r = &ui->profile->ratios[rv->cur];
	char v[32];
	int n;

	if (i >= rv->n || !len)
		return 0;
	if (rv->v[i] < 0)
		n = snprintf(buf, len, "  %s %s %llu  %s %llu  %s n/a (< %d)", ui->glyphs.vline,
			     r->num, (unsigned long long)rv->na[i], r->den,
			     (unsigned long long)rv->nb[i], r->name, RATIOFLAME_MIN_SAMPLES);
	else
		n = snprintf(buf, len, "  %s %s %llu  %s %llu  %s %s", ui->glyphs.vline, r->num,
			     (unsigned long long)rv->na[i], r->den, (unsigned long long)rv->nb[i],
			     r->name, ratioflame_format(rv->v[i], v, sizeof(v)));
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}
