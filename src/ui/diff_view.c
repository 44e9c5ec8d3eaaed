// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal diff screen. The flamegraph's layout is the flame view's own (view/flame.h), laid
 * out over a stack tree built from the diff with B's counts, so widths are B's samples; each cell
 * is then coloured by its node's change. A change is also written as a mark (+ grew, - shrank)
 * before the frame's name, so the screen reads the same without colour. Below: the selected
 * frame's A, B and change, the functions by change (t/s: by total or self) and the counters.
 */
#include "config.h"

#include <curses.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/app/compare.h"
#include "ringside/ui/diff_view.h"
#include "ringside/view/flame.h"
#include "ringside/util/xalloc.h"

#define DIFF_VIEW_MARK 0.5 /* points of share (or samples) under which a change is no change */

struct diff_view {
	struct diff *d;
	char *a, *b;		/* the header's names of the two sides */
	short pair_base;	/* the first of the colour pairs this view sets */
	struct stacktree *tree; /* B's counts, node ids mapped to the diff's by node_map */
	uint32_t *node_map;
	struct flame *fl;
	double max_delta; /* the largest |change| of a node, for the colour's intensity */
	bool colour, by_self;
	bool gone; /* o: the frames only A ran instead of the functions */
	long sel;
};

/* A stack tree with the diff's shape and B's counts (nodes B never ran are left out). */
static void
diff_view_build(struct diff_view *v)
{
	const struct diff *d = v->d;
	uint32_t *to_tree = xmalloc(d->nnodes * sizeof(*to_tree));

	v->tree = stacktree_new(d->nodes[0].frame, d->nodes[0].frame, d->nnodes + 1, 0);
	v->node_map = xmalloc((d->nnodes + 1) * sizeof(*v->node_map));
	stacktree_set_root(v->tree, d->nodes[0].b_self, d->nodes[0].b_total);
	to_tree[0] = STACKTREE_ROOT;
	v->node_map[STACKTREE_ROOT] = 0;
	/* Parents come before children in the node array: each node is made after its parent. */
	for (size_t i = 1; i < d->nnodes; i++) {
		const struct diff_node *n = &d->nodes[i];
		uint32_t parent = to_tree[n->parent], id = STACKTREE_NONE;

		if (n->b_total && parent != STACKTREE_NONE)
			id = stacktree_add_node(v->tree, parent, n->frame, n->b_self, n->b_total);
		to_tree[i] = id;
		if (id != STACKTREE_NONE)
			v->node_map[id] = (uint32_t)i;
	}
	free(to_tree);
}

/* The largest |change| of a node, for the colours' intensity. */
static void
diff_view_max(struct diff_view *v)
{
	v->max_delta = 0;
	for (size_t i = 1; i < v->d->nnodes; i++) {
		double delta = fabs(diff_node_delta(v->d, &v->d->nodes[i]));

		if (delta > v->max_delta)
			v->max_delta = delta;
	}
}

enum { DIFF_VIEW_LEVELS = 3 };

/* The colour pairs from pair_base on, when the terminal has colours and pairs enough. */
static void
diff_view_colours(struct diff_view *v)
{
	/* Light to strong: red for grew, blue for shrank, gray for no change. */
	static const short red256[] = { 224, 210, 196 }, blue256[] = { 153, 111, 27 };
	bool many = COLORS >= 256;
	short b = v->pair_base;

	v->colour = b > 0 && has_colors() && b + 2 * DIFF_VIEW_LEVELS < COLOR_PAIRS;
	if (!v->colour)
		return;
	for (int i = 0; i < DIFF_VIEW_LEVELS; i++) {
		init_pair((short)(b + i), COLOR_BLACK, many ? red256[i] : COLOR_RED);
		init_pair((short)(b + DIFF_VIEW_LEVELS + i),
			  many && i < 2 ? COLOR_BLACK : COLOR_WHITE,
			  many ? blue256[i] : COLOR_BLUE);
	}
	init_pair((short)(b + 2 * DIFF_VIEW_LEVELS), COLOR_BLACK, many ? 252 : COLOR_WHITE);
}

/* The attribute of a change: its colour and intensity. */
static attr_t
diff_view_attr(const struct diff_view *v, double delta)
{
	int level;

	if (!v->colour)
		return fabs(delta) >= DIFF_VIEW_MARK && delta > 0 ? A_BOLD : A_NORMAL;
	if (fabs(delta) < DIFF_VIEW_MARK || v->max_delta <= 0)
		return COLOR_PAIR(v->pair_base + 2 * DIFF_VIEW_LEVELS);
	level = (int)(fabs(delta) / v->max_delta * DIFF_VIEW_LEVELS);
	if (level >= DIFF_VIEW_LEVELS)
		level = DIFF_VIEW_LEVELS - 1;
	return COLOR_PAIR(v->pair_base + (delta > 0 ? 0 : DIFF_VIEW_LEVELS) + level);
}

static char
diff_view_mark(double delta)
{
	return fabs(delta) < DIFF_VIEW_MARK ? ' ' : delta > 0 ? '+' : '-';
}

/* Print at most width columns of s; control characters and bytes past ASCII as '?'. */
static void
diff_view_text(int y, int x, int width, const char *s)
{
	for (int i = 0; i < width && s[i]; i++)
		mvaddch(y, x + i,
			(unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f ? '?' : s[i]);
}

static const struct diff_node *
diff_view_cell_node(const struct diff_view *v, const struct flame_cell *c)
{
	return &v->d->nodes[v->node_map[c->node]];
}

static void
diff_view_flame(struct diff_view *v, int top, int rows, int cols)
{
	size_t n;
	const struct flame_cell *cells;
	char label[512];

	flame_update(v->fl, v->tree, v->d->frames, cols);
	cells = flame_cells(v->fl, &n);
	for (size_t i = 0; i < n; i++) {
		const struct flame_cell *c = &cells[i];
		const struct diff_node *dn = diff_view_cell_node(v, c);
		const struct frame *f = frametab_get(v->d->frames, dn->frame);
		double delta = diff_node_delta(v->d, dn);
		attr_t a = diff_view_attr(v, delta);

		if ((int)c->depth >= rows)
			continue;
		if ((long)i == v->sel)
			a |= A_REVERSE;
		attron(a);
		mvhline(top + (int)c->depth, c->x, ' ', c->width);
		snprintf(label, sizeof(label), "%c%s", diff_view_mark(delta),
			 frametab_str(v->d->frames, f->name));
		diff_view_text(top + (int)c->depth, c->x, c->width - 1, label);
		mvaddch(top + (int)c->depth, c->x + c->width - 1, '|');
		attroff(a);
	}
}

static void
diff_view_details(struct diff_view *v, int y, int cols)
{
	size_t n;
	const struct flame_cell *cells = flame_cells(v->fl, &n);
	const struct diff_node *dn;
	char line[1024];
	double pa, pb;

	if (v->sel < 0 || (size_t)v->sel >= n)
		return;
	dn = diff_view_cell_node(v, &cells[v->sel]);
	pa = diff_share_a(v->d, dn->a_total);
	pb = diff_share_b(v->d, dn->b_total);
	snprintf(line, sizeof(line),
		 "%s  A %" PRIu64 " (%.1f%%)  B %" PRIu64 " (%.1f%%)  delta %+.1f %s  (%s%+.0f%%)",
		 frametab_str(v->d->frames, frametab_get(v->d->frames, dn->frame)->name),
		 dn->a_total, pa, dn->b_total, pb, diff_node_delta(v->d, dn),
		 v->d->flags & DIFF_ABSOLUTE ? "samples" : "points", pa > 0 ? "" : "new ",
		 pa > 0 ? 100 * (pb - pa) / pa : 0);
	attron(A_BOLD);
	diff_view_text(y, 0, cols, line);
	attroff(A_BOLD);
}

static void
diff_view_funcs(struct diff_view *v, int y, int rows, int cols)
{
	int w = cols / 2 - 1, nw = w - 31 > 8 ? w - 31 : 8;
	char line[1024];

	attron(A_UNDERLINE);
	snprintf(line, sizeof(line), "%-*.*s %8s %8s %8s", nw + 2, nw + 2,
		 v->by_self ? "By change, self (t: total)" : "By change, total (s: self)", "A%",
		 "B%", "change");
	diff_view_text(y, 0, w, line);
	attroff(A_UNDERLINE);
	for (int i = 0; i < rows - 1 && (size_t)i < v->d->nfuncs; i++) {
		const struct diff_func *f = &v->d->funcs[i];
		uint64_t ca = v->by_self ? f->a_self : f->a_total;
		uint64_t cb = v->by_self ? f->b_self : f->b_total;
		double delta = v->by_self ? f->self_delta : f->total_delta;
		const char *name =
			frametab_str(v->d->frames, frametab_get(v->d->frames, f->frame)->name);
		attr_t a = diff_view_attr(v, delta);

		snprintf(line, sizeof(line), "%c %-*.*s %8.1f %8.1f %+8.1f", diff_view_mark(delta),
			 nw, nw, name, diff_share_a(v->d, ca), diff_share_b(v->d, cb), delta);
		attron(a);
		diff_view_text(y + 1 + i, 0, w, line);
		attroff(a);
	}
}

/* The tops of subtrees only A ran (B's flame graph cannot show them), in node order. */
static void
diff_view_gone(struct diff_view *v, int y, int rows, int cols)
{
	int w = cols / 2 - 1, i = 0;
	char line[1024];

	attron(A_UNDERLINE);
	snprintf(line, sizeof(line), "Only in A (o: by change)%*s", w > 32 ? w - 32 : 1, "A%");
	diff_view_text(y, 0, w, line);
	attroff(A_UNDERLINE);
	for (size_t id = 1; id < v->d->nnodes && i < rows - 1; id++) {
		const struct diff_node *n = &v->d->nodes[id];
		const struct frame *f = frametab_get(v->d->frames, n->frame);

		if (n->b_total || !n->a_total || v->d->nodes[n->parent].b_total == 0)
			continue;
		snprintf(line, sizeof(line), "- %-*.*s %6.1f", w - 10, w - 10,
			 frametab_str(v->d->frames, f->name), diff_share_a(v->d, n->a_total));
		diff_view_text(y + 1 + i++, 0, w, line);
	}
	if (!i)
		diff_view_text(y + 1, 0, w, "(none: B ran every path A ran)");
}

static void
diff_view_counters(struct diff_view *v, int y, int x, int rows, int cols)
{
	char line[512], sa[32], sb[32], sd[32];

	attron(A_UNDERLINE);
	snprintf(line, sizeof(line), "%-22s %12s %12s %9s", "Counter", "A", "B", "change");
	diff_view_text(y, x, cols, line);
	attroff(A_UNDERLINE);
	for (int i = 0; i < rows - 1 && (size_t)i < v->d->ncounters; i++) {
		const struct diff_counter *c = &v->d->counters[i];

		snprintf(sa, sizeof(sa), c->have_a ? "%.4g" : "(only B)", c->a_value);
		snprintf(sb, sizeof(sb), c->have_b ? "%.4g" : "(only A)", c->b_value);
		if (c->have_a && c->have_b && c->a_value != 0)
			snprintf(sd, sizeof(sd), "%+.1f%%",
				 100 * (c->b_value - c->a_value) / c->a_value);
		else
			snprintf(sd, sizeof(sd), "-");
		snprintf(line, sizeof(line), "%-22.22s %12s %12s %9s", c->name,
			 c->have_a ? sa : "-", c->have_b ? sb : "-", sd);
		diff_view_text(y + 1 + i, x, cols, line);
	}
}

void
diff_view_render(struct diff_view *v, int top, int rows, int cols, const char *title,
		 const char *keys)
{
	int frows, y, end = top + rows;
	char line[1024];

	snprintf(line, sizeof(line), "%s  A %s (%" PRIu64 " samples)  B %s (%" PRIu64 " samples)",
		 title, v->a, v->d->a_samples, v->b, v->d->b_samples);
	attron(A_BOLD);
	diff_view_text(top, 0, cols, line);
	attroff(A_BOLD);
	snprintf(line, sizeof(line), "%s (a)  o only in A  %s  %s",
		 v->d->flags & DIFF_ABSOLUTE ? "absolute" : "shares", keys,
		 v->d->mismatch ? v->d->mismatch
				: "red + grew, blue - shrank, stronger = bigger change");
	diff_view_text(top + 1, 0, cols, line);
	frows = (rows - 4) / 2;
	if (v->d->a_stacks && !v->d->b_stacks) {
		diff_view_text(top + 2, 0, cols,
			       "B has no call stacks: no flame graph; A's functions are below");
	} else if (v->d->a_stacks || v->d->b_stacks) {
		diff_view_flame(v, top + 2, frows, cols);
		diff_view_details(v, top + 2 + frows, cols);
	} else {
		diff_view_text(top + 2, 0, cols, "neither side has call stacks: counters only");
	}
	y = top + 3 + frows;
	if (v->gone)
		diff_view_gone(v, y, end - y, cols);
	else
		diff_view_funcs(v, y, end - y, cols);
	diff_view_counters(v, y, cols / 2, end - y, cols - cols / 2);
}

bool
diff_view_key(struct diff_view *v, int key)
{
	size_t n;
	long to = -1;

	flame_cells(v->fl, &n);
	if (key == 'a') {
		diff_set_absolute(v->d, !(v->d->flags & DIFF_ABSOLUTE));
		diff_sort_funcs(v->d, v->by_self);
		diff_view_max(v);
		return true;
	}
	if (key == 'o') {
		v->gone = !v->gone;
		return true;
	}
	if (key == 't' || key == 's') {
		v->by_self = key == 's';
		diff_sort_funcs(v->d, v->by_self);
		return true;
	}
	if (v->sel < 0 || (size_t)v->sel >= n)
		return false;
	if (key == KEY_UP)
		to = flame_move(v->fl, (size_t)v->sel, FLAME_PARENT);
	else if (key == KEY_DOWN)
		to = flame_move(v->fl, (size_t)v->sel, FLAME_CHILD);
	else if (key == KEY_LEFT)
		to = flame_move(v->fl, (size_t)v->sel, FLAME_LEFT);
	else if (key == KEY_RIGHT)
		to = flame_move(v->fl, (size_t)v->sel, FLAME_RIGHT);
	else
		return false;
	if (to >= 0)
		v->sel = to;
	return true;
}

/* The cell of the node that changed most, for the first selection. */
static long
diff_view_first(struct diff_view *v)
{
	size_t n;
	const struct flame_cell *cells;
	long best = -1;
	double bd = -1;

	flame_update(v->fl, v->tree, v->d->frames, COLS);
	cells = flame_cells(v->fl, &n);
	for (size_t i = 0; i < n; i++) {
		const struct diff_node *dn = diff_view_cell_node(v, &cells[i]);
		const struct frame *f = frametab_get(v->d->frames, dn->frame);
		double delta = fabs(diff_node_delta(v->d, dn));

		if (f->kind == FRAME_PROCESS || f->kind == FRAME_THREAD || f->kind == FRAME_ROOT)
			delta = 0;
		if (delta > bd)
			bd = delta, best = (long)i;
	}
	return best;
}

struct diff_view *
diff_view_new(struct diff *d, const char *a, const char *b, short pair_base)
{
	struct diff_view *v = xcalloc(1, sizeof(*v));

	v->a = xstrdup(a);
	v->b = xstrdup(b);
	v->pair_base = pair_base;
	v->sel = -1;
	v->fl = flame_new();
	diff_view_colours(v);
	diff_view_set(v, d);
	return v;
}

enum { DIFF_VIEW_MAX_PATH = 512 };

/* The frames from the root's child down to the selected frame's; how many (0: none). */
static size_t
diff_view_sel_path(const struct diff_view *v, uint32_t *path)
{
	size_t n = 0, k, cells;
	const struct flame_cell *c = flame_cells(v->fl, &cells);
	uint32_t id;

	if (!v->d || v->sel < 0 || (size_t)v->sel >= cells)
		return 0;
	for (id = v->node_map[c[v->sel].node]; id != 0 && n < DIFF_VIEW_MAX_PATH;
	     id = v->d->nodes[id].parent)
		path[n++] = v->d->nodes[id].frame;
	for (k = 0; k < n / 2; k++) {
		uint32_t t = path[k];

		path[k] = path[n - 1 - k];
		path[n - 1 - k] = t;
	}
	return n;
}

/* The cell showing the node at path in the current diff, or -1. */
static long
diff_view_find(struct diff_view *v, const uint32_t *path, size_t n)
{
	uint32_t id = 0;
	size_t cells;
	const struct flame_cell *c;

	for (size_t k = 0; k < n && id != STACKTREE_NONE; k++)
		id = diff_child(v->d, id, path[k]);
	if (id == STACKTREE_NONE)
		return -1;
	flame_update(v->fl, v->tree, v->d->frames, COLS);
	c = flame_cells(v->fl, &cells);
	for (size_t i = 0; i < cells; i++)
		if (v->node_map[c[i].node] == id)
			return (long)i;
	return -1;
}

void
diff_view_set(struct diff_view *v, struct diff *d)
{
	uint32_t path[DIFF_VIEW_MAX_PATH];
	size_t n = diff_view_sel_path(v, path);
	bool first = !v->d;

	stacktree_free(v->tree);
	free(v->node_map);
	diff_free(v->d);
	v->d = d;
	diff_sort_funcs(v->d, v->by_self);
	diff_view_build(v);
	diff_view_max(v);
	/* The same frame stays selected while it is there; else the biggest change. */
	v->sel = first || !n ? -1 : diff_view_find(v, path, n);
	if (v->sel < 0)
		v->sel = diff_view_first(v);
}

void
diff_view_free(struct diff_view *v)
{
	if (!v)
		return;
	flame_free(v->fl);
	stacktree_free(v->tree);
	free(v->node_map);
	diff_free(v->d);
	free(v->a);
	free(v->b);
	free(v);
}

int
diff_view_main(const char *a, const char *b, const char *range_a, const char *range_b,
	       unsigned flags, bool ascii)
{
	char na[4096], nb[4096];
	struct diff_view *v;
	struct diff *d;
	struct errbuf err;
	int key;

	(void)ascii; /* the screen draws ASCII only */
	errbuf_clear(&err);
	if (compare_load(a, b, range_a, range_b, flags, &d, &err) < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return 2;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "ringside: the diff screen needs a terminal; write the diff with "
				"-o FILE.json, -o FILE.folded or -o FILE.html\n");
		diff_free(d);
		return 2;
	}
	if (d->mismatch)
		fprintf(stderr, "ringside: note: %s\n", d->mismatch);
	initscr();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors() && start_color() == OK)
		use_default_colors();
	v = diff_view_new(d, compare_name(a, range_a, na, sizeof(na)),
			  compare_name(b, range_b, nb, sizeof(nb)), 1);
	for (;;) {
		erase();
		diff_view_render(v, 0, LINES, COLS, "ringside diff", "q quit");
		refresh();
		key = getch();
		if (key == 'q' || key == 'Q' || key == KEY_F(10) || key == ERR)
			break;
		diff_view_key(v, key);
	}
	endwin();
	diff_view_free(v);
	return 0;
}
