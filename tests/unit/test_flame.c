// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for view/flame on trees built with stacktree_insert: widths proportional to samples
 * and children ordered by name, narrow frames left out, zoom by path surviving new samples and a
 * compaction, the search's share without double counting nested matches, a zoom into a match too
 * narrow to draw, the process and thread filter, window counts, freezing (a frozen copy keeping the
 * window's counts), moves and the selection.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/frametab.h"
#include "ringside/model/stacktree.h"
#include "ringside/view/flame.h"

#define SEC 1000000000ull

struct fx {
	struct frametab *ft;
	struct stacktree *t;
	struct flame *fl;
};

static void
fx_init(struct fx *fx, size_t max_nodes, uint64_t window_ns)
{
	uint32_t root, other;

	fx->ft = frametab_new();
	root = frametab_intern(fx->ft, "all", NULL, NULL, 0, FRAME_ROOT, false);
	other = frametab_intern(fx->ft, "[other]", NULL, NULL, 0, FRAME_OTHER, false);
	fx->t = stacktree_new(root, other, max_nodes, window_ns);
	fx->fl = flame_new();
}

static void
fx_fini(struct fx *fx)
{
	flame_free(fx->fl);
	stacktree_free(fx->t);
	frametab_free(fx->ft);
}

static uint32_t
fx_process(struct fx *fx, unsigned pid)
{
	char name[32];

	snprintf(name, sizeof(name), "proc%u", pid);
	return frametab_intern(fx->ft, name, NULL, NULL, pid, FRAME_PROCESS, false);
}

static uint32_t
fx_thread(struct fx *fx, unsigned tid)
{
	char name[32];

	snprintf(name, sizeof(name), "thr%u", tid);
	return frametab_intern(fx->ft, name, NULL, NULL, tid, FRAME_THREAD, false);
}

/* Insert weight samples of process pid, thread tid and the ';'-separated user frames of stack. */
static void
fx_add(struct fx *fx, unsigned pid, unsigned tid, const char *stack, uint64_t weight,
       uint64_t time_ns)
{
	uint32_t path[64];
	size_t n = 0;
	char *copy = strdup(stack), *save = NULL;

	path[n++] = fx_process(fx, pid);
	path[n++] = fx_thread(fx, tid);
	for (char *f = strtok_r(copy, ";", &save); f && n < 64; f = strtok_r(NULL, ";", &save))
		path[n++] = frametab_intern(fx->ft, f, "/bin/prog", "prog.c", 1, FRAME_USER, false);
	stacktree_insert(fx->t, path, n, weight, time_ns);
	free(copy);
}

static const char *
fx_name(const struct fx *fx, const struct flame_cell *c)
{
	return frametab_str(fx->ft, frametab_get(fx->ft, c->frame)->name);
}

/* The index of the cell named name at depth (any depth when depth < 0), or -1. */
static long
fx_find(const struct fx *fx, const char *name, int depth)
{
	size_t n;
	const struct flame_cell *c = flame_cells(fx->fl, &n);

	for (size_t i = 0; i < n; i++)
		if ((depth < 0 || c[i].depth == (unsigned)depth) &&
		    strcmp(fx_name(fx, &c[i]), name) == 0)
			return (long)i;
	return -1;
}

static const struct flame_cell *
fx_cell(const struct fx *fx, const char *name, int depth)
{
	long i = fx_find(fx, name, depth);
	size_t n;

	if (i < 0)
		fail_msg("no cell '%s' at depth %d", name, depth);
	return &flame_cells(fx->fl, &n)[i];
}

/* Each row is ordered by column, cells within the width, never overlapping, inside the parent. */
static void
check_layout(const struct fx *fx, int width)
{
	size_t n;
	const struct flame_cell *c = flame_cells(fx->fl, &n);

	for (size_t i = 0; i < n; i++) {
		assert_true(c[i].width >= 1);
		assert_true(c[i].x >= 0 && c[i].x + c[i].width <= width);
		if (i && c[i - 1].depth == c[i].depth)
			assert_true(c[i - 1].x + c[i - 1].width <= c[i].x);
		if (i)
			assert_true(c[i - 1].depth <= c[i].depth);
		if (c[i].parent >= 0) {
			const struct flame_cell *p = &c[c[i].parent];

			assert_int_equal(p->depth + 1, c[i].depth);
			assert_true(c[i].x >= p->x && c[i].x + c[i].width <= p->x + p->width);
		} else {
			assert_int_equal(c[i].depth, 0);
		}
	}
}

static void
test_widths(void **state)
{
	struct fx fx;
	size_t first, n;

	(void)state;
	fx_init(&fx, 0, 0);
	/* Inserted out of name order: the layout orders by name. */
	fx_add(&fx, 1, 1, "main;c", 250, 0);
	fx_add(&fx, 1, 1, "main;a;b", 600, 0);
	fx_add(&fx, 1, 1, "main;a", 150, 0);
	fx_add(&fx, 1, 1, "main;zz", 1, 0); /* a thousandth: narrower than a column at 100 */
	flame_update(fx.fl, fx.t, fx.ft, 100);
	check_layout(&fx, 100);
	assert_int_equal(flame_base_total(fx.fl), 1001);
	assert_int_equal(flame_rows(fx.fl), 6); /* all, proc, thr, main, a|c, b */
	assert_int_equal(fx_cell(&fx, "all", 0)->width, 100);
	assert_int_equal(fx_cell(&fx, "main", 3)->width, 100);
	/* a has 750 of 1001 samples, c 250: floor of their sample offsets times 100 / 1001. */
	assert_int_equal(fx_cell(&fx, "a", 4)->x, 0);
	assert_int_equal(fx_cell(&fx, "a", 4)->width, 74);
	assert_int_equal(fx_cell(&fx, "c", 4)->x, 74);
	assert_int_equal(fx_cell(&fx, "c", 4)->width, 99 - 74);
	assert_int_equal(fx_cell(&fx, "b", 5)->width, 59);
	assert_int_equal(fx_cell(&fx, "a", 4)->total, 750);
	assert_int_equal(fx_cell(&fx, "a", 4)->self, 150);
	assert_int_equal(fx_find(&fx, "zz", -1), -1);
	n = flame_row(fx.fl, 4, &first);
	assert_int_equal(n, 2);
	assert_string_equal(fx_name(&fx, &flame_cells(fx.fl, &n)[first]), "a");

	/* b's cell path: the frames stacktree_child walks from the root down to it. */
	uint32_t path[8];
	long ib = fx_find(&fx, "b", 5);
	const struct flame_cell *cb = fx_cell(&fx, "b", 5);

	assert_int_equal(flame_cell_path(fx.fl, ib, path, 8), 5);
	uint32_t node = STACKTREE_ROOT;
	for (size_t k = 0; k < 5; k++)
		node = stacktree_child(fx.t, node, path[k]);
	assert_int_equal(node, cb->node);
	assert_int_equal(path[4], cb->frame);
	/* Cut to 2: the two frames nearest b (a, then b); the root's cell has no path. */
	assert_int_equal(flame_cell_path(fx.fl, ib, path, 2), 2);
	assert_string_equal(frametab_str(fx.ft, frametab_get(fx.ft, path[0])->name), "a");
	assert_int_equal(path[1], cb->frame);
	assert_int_equal(flame_cell_path(fx.fl, fx_find(&fx, "all", 0), path, 8), 0);
	assert_int_equal(flame_cell_path(fx.fl, -1, path, 8), 0);

	/* Wide enough, zz gets its column, and every width follows its share. */
	flame_update(fx.fl, fx.t, fx.ft, 1001);
	check_layout(&fx, 1001);
	assert_int_equal(fx_cell(&fx, "zz", 4)->width, 1);
	assert_int_equal(fx_cell(&fx, "a", 4)->width, 750);
	assert_int_equal(fx_cell(&fx, "c", 4)->width, 250);
	assert_int_equal(fx_cell(&fx, "b", 5)->width, 600);

	/* Nothing to lay out: a root without samples, no tree, no width. */
	flame_update(fx.fl, fx.t, fx.ft, 0);
	assert_int_equal(flame_rows(fx.fl), 0);
	assert_int_equal(flame_selected(fx.fl), -1);
	flame_update(fx.fl, NULL, fx.ft, 80);
	flame_cells(fx.fl, &n);
	assert_int_equal(n, 0);
	fx_fini(&fx);
	fx_init(&fx, 0, 0);
	flame_update(fx.fl, fx.t, fx.ft, 80);
	flame_cells(fx.fl, &n);
	assert_int_equal(n, 0);
	assert_int_equal(flame_base_total(fx.fl), 0);
	assert_int_equal(flame_next_match(fx.fl, 0, false), -1);
	fx_fini(&fx);
}

static void
test_zoom(void **state)
{
	struct fx fx;
	const struct flame_cell *a;

	(void)state;
	/* A small cap, so that the new paths below force compactions that renumber nodes. */
	fx_init(&fx, 64, 0);
	fx_add(&fx, 1, 1, "main;a;b", 600, 0);
	fx_add(&fx, 1, 1, "main;a;x", 200, 0);
	fx_add(&fx, 1, 1, "main;c", 200, 0);
	fx_add(&fx, 1, 2, "worker;spin", 1000, 0);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(fx_cell(&fx, "thr1", 2)->width, 50);
	assert_false(flame_zoom_out(fx.fl));
	assert_true(flame_zoom_in(fx.fl, (size_t)fx_find(&fx, "a", 4)));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	check_layout(&fx, 100);
	assert_int_equal(flame_zoom_depth(fx.fl), 4);
	a = fx_cell(&fx, "a", 4);
	assert_int_equal(a->x, 0);
	assert_int_equal(a->width, 100);
	assert_true(a->flags & FLAME_ZOOM);
	assert_true(fx_cell(&fx, "main", 3)->flags & FLAME_ANCESTOR);
	assert_true(fx_cell(&fx, "all", 0)->flags & FLAME_ANCESTOR);
	assert_int_equal(fx_cell(&fx, "b", 5)->width, 75);
	assert_int_equal(fx_cell(&fx, "x", 5)->width, 25);
	assert_int_equal(fx_find(&fx, "c", -1), -1);
	assert_int_equal(fx_find(&fx, "worker", -1), -1);
	/* Zooming selects the zoomed frame; the base stays the 100% of shares. */
	assert_int_equal(flame_selected(fx.fl), fx_find(&fx, "a", 4));
	assert_int_equal(flame_base_total(fx.fl), 2000);

	/* Many new rare paths: the tree compacts (ids change), the zoom holds by its path. */
	for (unsigned i = 0; i < 200; i++) {
		char stack[64];

		snprintf(stack, sizeof(stack), "main;rare%u;leaf", i);
		fx_add(&fx, 1, 1, stack, 1, 0);
	}
	fx_add(&fx, 1, 1, "main;a;b", 200, 0);
	assert_true(stacktree_folds(fx.t) > 0);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	check_layout(&fx, 100);
	a = fx_cell(&fx, "a", 4);
	assert_int_equal(a->width, 100);
	assert_int_equal(a->total, 1000);
	assert_int_equal(fx_cell(&fx, "b", 5)->width, 80);
	assert_int_equal(fx_cell(&fx, "x", 5)->width, 20);

	/* Deeper, then back out one zoom at a time. */
	assert_true(flame_zoom_in(fx.fl, (size_t)fx_find(&fx, "b", 5)));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_zoom_depth(fx.fl), 5);
	assert_int_equal(fx_find(&fx, "x", -1), -1);
	assert_true(flame_zoom_out(fx.fl));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_zoom_depth(fx.fl), 4);
	assert_true(flame_zoom_out(fx.fl));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_zoom_depth(fx.fl), 0);
	assert_true(fx_find(&fx, "worker", 3) >= 0);
	assert_false(flame_zoom_out(fx.fl));

	/* Zooming into the root is no zoom; reset clears a zoom. */
	assert_true(flame_zoom_in(fx.fl, 0));
	assert_false(flame_zoom_out(fx.fl));
	assert_true(flame_zoom_in(fx.fl, (size_t)fx_find(&fx, "worker", 3)));
	flame_reset(fx.fl);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_zoom_depth(fx.fl), 0);
	assert_int_equal(flame_selected(fx.fl), 0);
	fx_fini(&fx);
}

static void
test_search(void **state)
{
	struct fx fx;
	size_t n;
	const struct flame_cell *c;
	long m;

	(void)state;
	fx_init(&fx, 0, 0);
	/* f recursive (f under f) and Foo under f: 700 samples have an f or foo on the stack. */
	fx_add(&fx, 1, 1, "main;f;g;f", 300, 0);
	fx_add(&fx, 1, 1, "main;f;Foo", 100, 0);
	fx_add(&fx, 1, 1, "main;f", 100, 0);
	fx_add(&fx, 1, 1, "main;h;foo", 200, 0);
	fx_add(&fx, 1, 1, "main;h", 300, 0);
	flame_set_search(fx.fl, "F");
	assert_string_equal(flame_search(fx.fl), "F");
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_base_total(fx.fl), 1000);
	assert_int_equal(flame_match_total(fx.fl), 700);
	assert_int_equal(flame_match_nodes(fx.fl), 4); /* f, f under g, Foo, foo */
	assert_true(fx_cell(&fx, "f", 4)->flags & FLAME_MATCH);
	assert_true(fx_cell(&fx, "Foo", 5)->flags & FLAME_MATCH);
	assert_false(fx_cell(&fx, "g", 5)->flags & FLAME_MATCH);
	assert_false(fx_cell(&fx, "all", 0)->flags & FLAME_MATCH);

	/* The matches in row order, wrapping both ways. */
	c = flame_cells(fx.fl, &n);
	m = flame_next_match(fx.fl, n - 1, false);
	assert_string_equal(fx_name(&fx, &c[m]), "f");
	assert_int_equal(c[m].depth, 4);
	m = flame_next_match(fx.fl, (size_t)m, false);
	assert_string_equal(fx_name(&fx, &c[m]), "Foo");
	m = flame_next_match(fx.fl, (size_t)m, false);
	assert_string_equal(fx_name(&fx, &c[m]), "foo");
	m = flame_next_match(fx.fl, (size_t)m, false);
	assert_int_equal(c[m].depth, 6); /* f under g */
	m = flame_next_match(fx.fl, (size_t)m, false);
	assert_int_equal(m, fx_find(&fx, "f", 4));
	m = flame_next_match(fx.fl, (size_t)m, true);
	assert_int_equal(c[m].depth, 6);

	/* A narrower query, then none. */
	flame_set_search(fx.fl, "oo");
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_match_total(fx.fl), 300);
	assert_false(fx_cell(&fx, "f", 4)->flags & FLAME_MATCH);
	flame_set_search(fx.fl, "");
	assert_null(flame_search(fx.fl));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_match_total(fx.fl), 0);
	assert_int_equal(flame_next_match(fx.fl, 0, false), -1);
	fx_fini(&fx);
}

/* Matches too narrow to draw: flame_zoom_match zooms into the heaviest one and selects it. */
static void
test_search_narrow(void **state)
{
	struct fx fx;
	size_t n;
	const struct flame_cell *c;
	long sel;

	(void)state;
	fx_init(&fx, 0, 0);
	fx_add(&fx, 1, 1, "main;spin", 9970, 0);
	fx_add(&fx, 1, 1, "main;a;tiny", 10, 0); /* 10 of 10000 at 100 columns: 0.1 column */
	fx_add(&fx, 1, 1, "main;b;tiny", 20, 0); /* the heaviest match, still narrow */
	flame_set_search(fx.fl, "TINY");
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_match_total(fx.fl), 30);
	assert_int_equal(fx_find(&fx, "tiny", -1), -1);
	c = flame_cells(fx.fl, &n);
	assert_int_equal(flame_next_match(fx.fl, n - 1, false), -1);
	assert_true(flame_zoom_match(fx.fl));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	check_layout(&fx, 100);
	/* The zoom is b's tiny, full width, with its ancestors; it is selected. */
	assert_int_equal(flame_zoom_depth(fx.fl), 5);
	c = flame_cells(fx.fl, &n);
	sel = flame_selected(fx.fl);
	assert_true(sel >= 0);
	assert_string_equal(fx_name(&fx, &c[sel]), "tiny");
	assert_int_equal(c[sel].total, 20);
	assert_int_equal(c[sel].width, 100);
	assert_string_equal(fx_name(&fx, &c[c[sel].parent]), "b");
	/* Zooming out goes back to the whole tree, where tiny is not drawn. */
	assert_true(flame_zoom_out(fx.fl));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_zoom_depth(fx.fl), 0);
	assert_int_equal(fx_find(&fx, "tiny", -1), -1);
	/* No match at all (or no search): nothing changes. */
	flame_set_search(fx.fl, "nothing");
	assert_false(flame_zoom_match(fx.fl));
	flame_set_search(fx.fl, NULL);
	assert_false(flame_zoom_match(fx.fl));
	assert_false(flame_zoom_out(fx.fl));
	fx_fini(&fx);
}

static void
test_filter(void **state)
{
	struct fx fx;
	struct flame_filter f[8];
	size_t n;

	(void)state;
	fx_init(&fx, 0, 0);
	fx_add(&fx, 10, 10, "main;work", 300, 0);
	fx_add(&fx, 10, 11, "worker;spin", 500, 0);
	fx_add(&fx, 20, 20, "main;other", 1200, 0);
	n = flame_filters(fx.fl, fx.t, f, 8);
	/* proc20 first (most samples, one thread: no thread entries), then proc10 and threads. */
	assert_int_equal(n, 4);
	assert_int_equal(f[0].n, 1);
	assert_int_equal(f[0].path[0], fx_process(&fx, 20));
	assert_int_equal(f[0].total, 1200);
	assert_int_equal(f[1].path[0], fx_process(&fx, 10));
	assert_int_equal(f[2].n, 2);
	assert_int_equal(f[2].path[1], fx_thread(&fx, 11));
	assert_int_equal(f[2].total, 500);
	assert_int_equal(f[3].path[1], fx_thread(&fx, 10));
	assert_int_equal(flame_filters(fx.fl, fx.t, f, 2), 2);
	n = flame_filters(fx.fl, fx.t, f, 8);

	/* A process: the 100% is its samples; other processes are gone. */
	flame_set_filter(fx.fl, &f[1]);
	flame_set_search(fx.fl, "main");
	flame_update(fx.fl, fx.t, fx.ft, 80);
	check_layout(&fx, 80);
	assert_int_equal(flame_base_total(fx.fl), 800);
	assert_int_equal(flame_match_total(fx.fl), 300);
	assert_int_equal(fx_find(&fx, "proc20", -1), -1);
	assert_int_equal(fx_find(&fx, "other", -1), -1);
	assert_int_equal(fx_cell(&fx, "proc10", 1)->width, 80);
	assert_int_equal(fx_cell(&fx, "thr10", 2)->width, 30);
	assert_int_equal(fx_cell(&fx, "thr11", 2)->width, 50);
	assert_int_equal(flame_zoom_depth(fx.fl), 1);
	/* The selection starts at the filter's node. */
	assert_int_equal(flame_selected(fx.fl), fx_find(&fx, "proc10", 1));

	/* A thread; zooming inside it, then a new filter drops the zoom. */
	flame_set_filter(fx.fl, &f[2]);
	assert_int_equal(flame_filter(fx.fl)->n, 2);
	flame_update(fx.fl, fx.t, fx.ft, 80);
	assert_int_equal(flame_base_total(fx.fl), 500);
	assert_int_equal(flame_match_total(fx.fl), 0);
	assert_int_equal(fx_find(&fx, "thr10", -1), -1);
	assert_int_equal(fx_cell(&fx, "spin", 4)->width, 80);
	assert_true(flame_zoom_in(fx.fl, (size_t)fx_find(&fx, "spin", 4)));
	flame_update(fx.fl, fx.t, fx.ft, 80);
	assert_int_equal(flame_zoom_depth(fx.fl), 4);
	flame_set_filter(fx.fl, NULL);
	assert_null(flame_filter(fx.fl));
	flame_update(fx.fl, fx.t, fx.ft, 80);
	assert_int_equal(flame_zoom_depth(fx.fl), 0);
	assert_int_equal(flame_base_total(fx.fl), 2000);
	assert_int_equal(flame_match_total(fx.fl), 1500);
	fx_fini(&fx);
}

static void
test_window(void **state)
{
	struct fx fx;
	struct flame_filter f[4];

	(void)state;
	fx_init(&fx, 0, 10 * SEC);
	fx_add(&fx, 1, 1, "main;old", 400, 1 * SEC);
	fx_add(&fx, 2, 2, "gone", 50, 2 * SEC);
	fx_add(&fx, 1, 1, "main;new", 100, 20 * SEC);
	stacktree_advance(fx.t, 25 * SEC);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_base_total(fx.fl), 550);
	assert_int_equal(fx_cell(&fx, "old", 4)->width, 72);
	assert_true(fx_find(&fx, "proc2", 1) >= 0);
	assert_int_equal(flame_filters(fx.fl, fx.t, f, 4), 2);

	flame_set_window(fx.fl, true);
	assert_true(flame_window(fx.fl));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	check_layout(&fx, 100);
	assert_int_equal(flame_base_total(fx.fl), 100);
	assert_int_equal(fx_find(&fx, "old", -1), -1);
	assert_int_equal(fx_find(&fx, "proc2", -1), -1);
	assert_int_equal(fx_cell(&fx, "new", 4)->width, 100);
	assert_int_equal(fx_cell(&fx, "new", 4)->self, 100);
	/* Only processes with samples in the window can be picked. */
	assert_int_equal(flame_filters(fx.fl, fx.t, f, 4), 1);
	assert_int_equal(f[0].total, 100);
	/* A filter to a process without window samples shows nothing. */
	flame_set_window(fx.fl, false);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_filters(fx.fl, fx.t, f, 4), 2);
	flame_set_filter(fx.fl, &f[1]);
	flame_set_window(fx.fl, true);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_rows(fx.fl), 0);
	assert_int_equal(flame_base_total(fx.fl), 0);
	fx_fini(&fx);
}

static void
test_freeze(void **state)
{
	struct fx fx;

	(void)state;
	fx_init(&fx, 0, 10 * SEC);
	fx_add(&fx, 1, 1, "main;a", 300, 0);
	fx_add(&fx, 1, 1, "main;b", 100, 0);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	flame_select(fx.fl, (size_t)fx_find(&fx, "b", 4));
	flame_freeze(fx.fl, fx.t);
	assert_true(flame_frozen(fx.fl));
	/* The tree goes on; the frozen layout does not, and zoom and search work on the copy. */
	fx_add(&fx, 1, 1, "main;b", 600, 0);
	fx_add(&fx, 1, 1, "main;c", 500, 0);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_base_total(fx.fl), 400);
	assert_int_equal(fx_cell(&fx, "a", 4)->width, 75);
	assert_int_equal(fx_find(&fx, "c", -1), -1);
	assert_int_equal(flame_selected(fx.fl), fx_find(&fx, "b", 4));
	flame_set_search(fx.fl, "b");
	assert_true(flame_zoom_in(fx.fl, (size_t)fx_find(&fx, "main", 3)));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_match_total(fx.fl), 100);
	assert_int_equal(fx_cell(&fx, "b", 4)->width, 25);
	flame_set_window(fx.fl, true);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_base_total(fx.fl), 400);
	flame_set_window(fx.fl, false);
	flame_thaw(fx.fl);
	assert_false(flame_frozen(fx.fl));
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_base_total(fx.fl), 1500);
	assert_int_equal(flame_match_total(fx.fl), 700);
	assert_int_equal(fx_cell(&fx, "c", 4)->width, 34);
	/* A frozen empty tree. */
	flame_freeze(fx.fl, NULL);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_rows(fx.fl), 0);
	fx_fini(&fx);
}

static void
test_moves(void **state)
{
	struct fx fx;
	long a, b, c, main, sel;

	(void)state;
	fx_init(&fx, 0, 0);
	fx_add(&fx, 1, 1, "main;a;a1", 400, 0);
	fx_add(&fx, 1, 1, "main;a;a2", 100, 0);
	fx_add(&fx, 1, 1, "main;b", 300, 0);
	fx_add(&fx, 1, 1, "main;c;c1", 200, 0);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	a = fx_find(&fx, "a", 4);
	b = fx_find(&fx, "b", 4);
	c = fx_find(&fx, "c", 4);
	main = fx_find(&fx, "main", 3);
	assert_int_equal(flame_selected(fx.fl), 0);
	assert_int_equal(flame_move(fx.fl, (size_t)main, FLAME_CHILD), a);
	assert_int_equal(flame_move(fx.fl, (size_t)a, FLAME_PARENT), main);
	assert_int_equal(flame_move(fx.fl, (size_t)a, FLAME_RIGHT), b);
	assert_int_equal(flame_move(fx.fl, (size_t)c, FLAME_RIGHT), c);
	assert_int_equal(flame_move(fx.fl, (size_t)a, FLAME_LEFT), a);
	assert_int_equal(flame_move(fx.fl, (size_t)b, FLAME_CHILD), b);
	assert_int_equal(flame_move(fx.fl, 0, FLAME_PARENT), 0);
	assert_int_equal(flame_move(fx.fl, 1000, FLAME_PARENT), -1);
	/* Right from a1 crosses to its cousin c1 on the same row. */
	assert_int_equal(flame_move(fx.fl, (size_t)fx_find(&fx, "a2", 5), FLAME_RIGHT),
			 fx_find(&fx, "c1", 5));
	assert_int_equal(flame_cell_at(fx.fl, 4, 0), a);
	assert_int_equal(flame_cell_at(fx.fl, 4, 50), b);
	assert_int_equal(flame_cell_at(fx.fl, 4, 99), c);
	assert_int_equal(flame_cell_at(fx.fl, 5, 60), -1);
	assert_int_equal(flame_cell_at(fx.fl, 40, 0), -1);

	/* The selection follows its path as the tree grows and moves things. */
	flame_select(fx.fl, (size_t)c);
	assert_int_equal(flame_selected(fx.fl), c);
	fx_add(&fx, 1, 1, "main;b0", 1000, 0);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	sel = flame_selected(fx.fl);
	assert_int_equal(sel, fx_find(&fx, "c", 4));
	assert_int_equal(flame_cells(fx.fl, &(size_t){ 0 })[sel].x, 90);
	/* A selection that becomes too narrow to show falls back to its caller. */
	flame_select(fx.fl, (size_t)fx_find(&fx, "c1", 5));
	fx_add(&fx, 1, 1, "main;z", 200000, 0);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(fx_find(&fx, "c1", -1), -1);
	assert_int_equal(flame_selected(fx.fl), fx_find(&fx, "main", 3));
	fx_fini(&fx);
}

/*
 * A frozen copy keeps the window's counts as they were: after the freeze, the tree's window moves
 * on (its "new" samples expire, "newer" ones come) and the frozen window still shows "new" alone.
 * Without a window, the tree's window counts are its cumulative ones, in a copy too.
 */
static void
test_freeze_window(void **state)
{
	struct fx fx;

	(void)state;
	fx_init(&fx, 0, 10 * SEC);
	fx_add(&fx, 1, 1, "main;old", 400, 1 * SEC);
	fx_add(&fx, 1, 1, "main;new", 100, 20 * SEC);
	stacktree_advance(fx.t, 25 * SEC);
	flame_set_window(fx.fl, true);
	flame_freeze(fx.fl, fx.t);
	fx_add(&fx, 1, 1, "main;newer", 300, 35 * SEC);
	stacktree_advance(fx.t, 35 * SEC);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	check_layout(&fx, 100);
	assert_int_equal(flame_base_total(fx.fl), 100);
	assert_int_equal(fx_find(&fx, "old", -1), -1);
	assert_int_equal(fx_find(&fx, "newer", -1), -1);
	assert_int_equal(fx_cell(&fx, "new", 4)->width, 100);
	assert_int_equal(fx_cell(&fx, "new", 4)->self, 100);
	assert_int_equal(fx_cell(&fx, "main", 3)->self, 0);
	flame_set_window(fx.fl, false);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_base_total(fx.fl), 500);
	assert_int_equal(fx_cell(&fx, "old", 4)->width, 80);
	/* thawed, the tree's own window: "newer" alone */
	flame_set_window(fx.fl, true);
	flame_thaw(fx.fl);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_base_total(fx.fl), 300);
	assert_int_equal(fx_cell(&fx, "newer", 4)->self, 300);
	assert_int_equal(fx_find(&fx, "new", -1), -1);
	fx_fini(&fx);

	fx_init(&fx, 0, 0);
	fx_add(&fx, 1, 1, "main;old", 400, 1 * SEC);
	fx_add(&fx, 1, 1, "main;new", 100, 20 * SEC);
	stacktree_advance(fx.t, 25 * SEC);
	flame_set_window(fx.fl, true);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_base_total(fx.fl), 500);
	assert_int_equal(fx_cell(&fx, "new", 4)->self, 100);
	flame_freeze(fx.fl, fx.t);
	fx_add(&fx, 1, 1, "main;newer", 300, 35 * SEC);
	flame_update(fx.fl, fx.t, fx.ft, 100);
	assert_int_equal(flame_base_total(fx.fl), 500);
	assert_int_equal(fx_cell(&fx, "old", 4)->width, 80);
	assert_int_equal(fx_cell(&fx, "old", 4)->self, 400);
	fx_fini(&fx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths), cmocka_unit_test(test_zoom),
		cmocka_unit_test(test_search), cmocka_unit_test(test_search_narrow),
		cmocka_unit_test(test_filter), cmocka_unit_test(test_window),
		cmocka_unit_test(test_freeze), cmocka_unit_test(test_freeze_window),
		cmocka_unit_test(test_moves),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
