// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hottest functions (view/hot) of a stack tree built with stacktree_insert: self and total
 * samples per function, a recursive function counted once per sample in its total, the same
 * function on separate branches added up, process, thread and marker frames left out, both
 * orders with their tie-breaks, the cap on entries, the sliding window's counts, and a ratio's
 * table over two trees (A's and B's samples and A/B per function, a function being a name and
 * module). Expected
 * values are worked out in the comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "ringside/model/frametab.h"
#include "ringside/model/stacktree.h"
#include "ringside/view/hot.h"

#define S 1000000000ull

struct tree {
	struct frametab *ft;
	struct stacktree *t;
	uint32_t proc, thread, main_, foo, bar, kfunc, baz, jitf, trunc;
};

static void
insert(struct tree *tr, uint64_t weight, uint64_t time, size_t n, ...)
{
	uint32_t path[16] = { tr->proc, tr->thread };
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		path[2 + i] = va_arg(ap, uint32_t);
	va_end(ap);
	stacktree_insert(tr->t, path, n + 2, weight, time);
}

/*
 * Under one process and thread, at 1 s:      and at 20 s:
 *   main > foo > bar          5                main > foo > bar   2
 *   main > foo                2                jitf               3
 *   main > bar                3
 *   main > foo > foo > foo    4  (recursion)
 *   main > kfunc              1
 *   main > baz                1
 *   jitf                      1
 *   main > [truncated]        1  (a marker: not a function)
 * Cumulative: self bar 5+3+2 = 10, foo 2+4 = 6, jitf 1+3 = 4, kfunc 1, baz 1, main 0;
 * total main 5+2+3+4+1+1+1+2 = 19, foo 5+2+4+2 = 13 (the recursion once), bar 5+3+2 = 10,
 * jitf 4, kfunc 1, baz 1; 23 samples. In the window (the 20 s ones): self jitf 3, bar 2;
 * total jitf 3, main 2, foo 2, bar 2; 5 samples.
 */
static void
tree_init(struct tree *tr)
{
	tr->ft = frametab_new();
	tr->t = stacktree_new(frametab_intern(tr->ft, "all", NULL, NULL, 0, FRAME_ROOT, false),
			      frametab_intern(tr->ft, "[other]", NULL, NULL, 0, FRAME_OTHER, false),
			      0, 10 * S);
	tr->proc = frametab_intern(tr->ft, "app", NULL, NULL, 42, FRAME_PROCESS, false);
	tr->thread = frametab_intern(tr->ft, "app", NULL, NULL, 43, FRAME_THREAD, false);
	tr->main_ = frametab_intern(tr->ft, "main", "/bin/app", NULL, 0, FRAME_USER, false);
	tr->foo = frametab_intern(tr->ft, "foo", "/bin/app", NULL, 0, FRAME_USER, false);
	tr->bar = frametab_intern(tr->ft, "bar", "/lib/libc.so.6", NULL, 0, FRAME_LIBRARY, false);
	tr->kfunc =
		frametab_intern(tr->ft, "do_syscall_64", "[kernel]", NULL, 0, FRAME_KERNEL, false);
	tr->baz = frametab_intern(tr->ft, "app+0x10", "/bin/app", NULL, 0, FRAME_UNKNOWN, false);
	tr->jitf = frametab_intern(tr->ft, "jitted", "[jit]", NULL, 0, FRAME_JIT, false);
	tr->trunc =
		frametab_intern(tr->ft, "[truncated stack]", NULL, NULL, 0, FRAME_TRUNCATED, false);
	insert(tr, 5, 1 * S, 3, tr->main_, tr->foo, tr->bar);
	insert(tr, 2, 1 * S, 2, tr->main_, tr->foo);
	insert(tr, 3, 1 * S, 2, tr->main_, tr->bar);
	insert(tr, 4, 1 * S, 4, tr->main_, tr->foo, tr->foo, tr->foo);
	insert(tr, 1, 1 * S, 2, tr->main_, tr->kfunc);
	insert(tr, 1, 1 * S, 2, tr->main_, tr->baz);
	insert(tr, 1, 1 * S, 1, tr->jitf);
	insert(tr, 1, 1 * S, 2, tr->main_, tr->trunc);
	insert(tr, 2, 20 * S, 3, tr->main_, tr->foo, tr->bar);
	insert(tr, 3, 20 * S, 1, tr->jitf);
}

static void
tree_fini(struct tree *tr)
{
	stacktree_free(tr->t);
	frametab_free(tr->ft);
}

static void
expect_entry(const struct hot_entry *e, uint32_t frame, uint64_t self, uint64_t total)
{
	assert_int_equal(e->frame, frame);
	assert_int_equal(e->self, self);
	assert_int_equal(e->total, total);
}

static void
test_by_self(void **state)
{
	struct hot_entry out[16];
	struct tree tr;
	uint64_t samples = 0;

	(void)state;
	tree_init(&tr);
	assert_int_equal(hot_top(tr.t, tr.ft, false, HOT_BY_SELF, out, 16, &samples), 6);
	assert_int_equal(samples, 23);
	expect_entry(&out[0], tr.bar, 10, 10);
	expect_entry(&out[1], tr.foo, 6, 13);
	expect_entry(&out[2], tr.jitf, 4, 4);
	/* equal counts: the lower frame id first */
	expect_entry(&out[3], tr.kfunc, 1, 1);
	expect_entry(&out[4], tr.baz, 1, 1);
	expect_entry(&out[5], tr.main_, 0, 19);
	tree_fini(&tr);
}

static void
test_by_total(void **state)
{
	struct hot_entry out[16];
	struct tree tr;

	(void)state;
	tree_init(&tr);
	assert_int_equal(hot_top(tr.t, tr.ft, false, HOT_BY_TOTAL, out, 16, NULL), 6);
	expect_entry(&out[0], tr.main_, 0, 19);
	expect_entry(&out[1], tr.foo, 6, 13);
	expect_entry(&out[2], tr.bar, 10, 10);
	expect_entry(&out[3], tr.jitf, 4, 4);
	expect_entry(&out[4], tr.kfunc, 1, 1);
	expect_entry(&out[5], tr.baz, 1, 1);
	/* At most max entries: the top ones. */
	assert_int_equal(hot_top(tr.t, tr.ft, false, HOT_BY_TOTAL, out, 2, NULL), 2);
	expect_entry(&out[0], tr.main_, 0, 19);
	expect_entry(&out[1], tr.foo, 6, 13);
	assert_int_equal(hot_top(tr.t, tr.ft, false, HOT_BY_SELF, out, 1, NULL), 1);
	expect_entry(&out[0], tr.bar, 10, 10);
	assert_int_equal(hot_top(tr.t, tr.ft, false, HOT_BY_SELF, out, 0, NULL), 0);
	tree_fini(&tr);
}

static void
test_window(void **state)
{
	struct hot_entry out[16];
	struct tree tr;
	uint64_t samples = 0;

	(void)state;
	tree_init(&tr);
	/* The window is 10 s: at 20 s, the samples of 1 s have left it. */
	stacktree_advance(tr.t, 20 * S);
	assert_int_equal(hot_top(tr.t, tr.ft, true, HOT_BY_SELF, out, 16, &samples), 4);
	assert_int_equal(samples, 5);
	expect_entry(&out[0], tr.jitf, 3, 3);
	expect_entry(&out[1], tr.bar, 2, 2);
	expect_entry(&out[2], tr.main_, 0, 2);
	expect_entry(&out[3], tr.foo, 0, 2);
	assert_int_equal(hot_top(tr.t, tr.ft, true, HOT_BY_TOTAL, out, 16, NULL), 4);
	expect_entry(&out[0], tr.jitf, 3, 3);
	expect_entry(&out[1], tr.bar, 2, 2);
	expect_entry(&out[2], tr.main_, 0, 2);
	expect_entry(&out[3], tr.foo, 0, 2);
	/* The cumulative counts are still all there. */
	assert_int_equal(hot_top(tr.t, tr.ft, false, HOT_BY_TOTAL, out, 16, &samples), 6);
	assert_int_equal(samples, 23);
	/* Past the window of every sample: nothing. */
	stacktree_advance(tr.t, 40 * S);
	assert_int_equal(hot_top(tr.t, tr.ft, true, HOT_BY_SELF, out, 16, &samples), 0);
	assert_int_equal(samples, 0);
	tree_fini(&tr);
}

static void
test_empty(void **state)
{
	struct hot_entry out[4];
	struct tree tr;
	uint64_t samples = 99;

	(void)state;
	tr.ft = frametab_new();
	tr.t = stacktree_new(frametab_intern(tr.ft, "all", NULL, NULL, 0, FRAME_ROOT, false),
			     frametab_intern(tr.ft, "[other]", NULL, NULL, 0, FRAME_OTHER, false),
			     0, 0);
	assert_int_equal(hot_top(tr.t, tr.ft, false, HOT_BY_TOTAL, out, 4, &samples), 0);
	assert_int_equal(samples, 0);
	/* Samples with only a process and thread: no function. */
	tr.proc = frametab_intern(tr.ft, "app", NULL, NULL, 42, FRAME_PROCESS, false);
	tr.thread = frametab_intern(tr.ft, "app", NULL, NULL, 43, FRAME_THREAD, false);
	insert(&tr, 3, S, 0);
	assert_int_equal(hot_top(tr.t, tr.ft, false, HOT_BY_SELF, out, 4, &samples), 0);
	assert_int_equal(samples, 3);
	tree_fini(&tr);
}

/*
 * A ratio over the tree above as B and a second tree as A (the same frames):
 *   main > foo > bar 30, main > foo 5, main > kfunc 7:
 * A self bar 30, kfunc 7, foo 5; A total main 42, foo 35, bar 30, kfunc 7. A/B total: bar
 * 30/10, foo 35/13, main 42/19; the others have under 10 samples of B (no ratio), nor has any
 * self ratio but bar's 30/10 (B self: foo 6, main 0).
 */
static void
test_ratio(void **state)
{
	struct hot_ratio_entry out[16];
	struct tree tr;
	struct stacktree *b;

	(void)state;
	tree_init(&tr);
	b = tr.t;
	tr.t = stacktree_new(0, 1, 0, 10 * S);
	insert(&tr, 30, S, 3, tr.main_, tr.foo, tr.bar);
	insert(&tr, 5, S, 2, tr.main_, tr.foo);
	insert(&tr, 7, S, 2, tr.main_, tr.kfunc);
	assert_int_equal(hot_ratio(tr.t, b, tr.ft, HOT_RATIO_TOTAL, out, 16), 6);
	assert_int_equal(out[0].frame, tr.bar);
	assert_int_equal(out[0].a_self, 30);
	assert_int_equal(out[0].a_total, 30);
	assert_int_equal(out[0].b_self, 10);
	assert_int_equal(out[0].b_total, 10);
	assert_float_equal(out[0].ratio_self, 3.0, 1e-12);
	assert_float_equal(out[0].ratio_total, 3.0, 1e-12);
	assert_int_equal(out[1].frame, tr.foo);
	assert_float_equal(out[1].ratio_total, 35.0 / 13, 1e-12);
	assert_true(out[1].ratio_self < 0);
	assert_int_equal(out[2].frame, tr.main_);
	assert_int_equal(out[2].a_total, 42);
	assert_int_equal(out[2].b_total, 19);
	assert_true(out[2].ratio_self < 0);
	/* No ratio: by B's total, then by frame. */
	assert_int_equal(out[3].frame, tr.jitf);
	assert_true(out[3].ratio_total < 0);
	assert_int_equal(out[4].frame, tr.kfunc);
	assert_int_equal(out[4].a_self, 7);
	assert_int_equal(out[5].frame, tr.baz);
	assert_int_equal(hot_ratio(tr.t, b, tr.ft, HOT_RATIO_A_SELF, out, 16), 6);
	assert_int_equal(out[0].frame, tr.bar);
	assert_int_equal(out[1].frame, tr.kfunc);
	assert_int_equal(out[2].frame, tr.foo);
	assert_int_equal(out[3].frame, tr.main_);
	assert_int_equal(hot_ratio(tr.t, b, tr.ft, HOT_RATIO_B_TOTAL, out, 2), 2);
	assert_int_equal(out[0].frame, tr.main_);
	assert_int_equal(out[1].frame, tr.foo);
	assert_int_equal(hot_ratio(tr.t, b, tr.ft, HOT_RATIO_B_SELF, out, 0), 0);
	assert_string_equal(hot_ratio_order_name(HOT_RATIO_SELF), "A/B self");
	stacktree_free(tr.t);
	tr.t = b;
	tree_fini(&tr);
}

/*
 * One function, two frames (foo at two lines of /bin/app): one row of the ratio's table, its self
 * the two frames' added up, its total counted once where one calls the other. A tree (= B):
 *   main > foo@1 > foo@2 4, main > foo@2 3, main > bar 2
 * foo self 7, total 7 (the recursion once), bar 2, main total 9; A is the same tree. The row's
 * frame is foo@1's (the lower id); hot_ratio_all gives the same rows unsorted and hot_ratio_sort
 * orders them.
 */
static void
test_ratio_by_name(void **state)
{
	struct hot_ratio_entry out[8], *all;
	struct tree tr;
	uint32_t foo2;
	size_t n;

	(void)state;
	tree_init(&tr);
	stacktree_free(tr.t);
	tr.t = stacktree_new(0, 1, 0, 0);
	foo2 = frametab_intern(tr.ft, "foo", "/bin/app", "app.c", 2, FRAME_USER, false);
	assert_int_not_equal(foo2, tr.foo);
	insert(&tr, 4, S, 3, tr.main_, tr.foo, foo2);
	insert(&tr, 3, S, 2, tr.main_, foo2);
	insert(&tr, 2, S, 2, tr.main_, tr.bar);
	assert_int_equal(hot_ratio(tr.t, tr.t, tr.ft, HOT_RATIO_A_SELF, out, 8), 3);
	assert_int_equal(out[0].frame, tr.foo);
	assert_int_equal(out[0].a_self, 7);
	assert_int_equal(out[0].a_total, 7);
	assert_int_equal(out[0].b_self, 7);
	assert_int_equal(out[0].b_total, 7);
	assert_int_equal(out[1].frame, tr.bar);
	assert_int_equal(out[2].frame, tr.main_);
	assert_int_equal(out[2].b_total, 9);
	n = hot_ratio_all(tr.t, tr.t, tr.ft, &all);
	assert_int_equal(n, 3);
	hot_ratio_sort(all, n, HOT_RATIO_B_TOTAL);
	assert_int_equal(all[0].frame, tr.main_);
	assert_int_equal(all[1].frame, tr.foo);
	assert_int_equal(all[2].frame, tr.bar);
	free(all);
	tree_fini(&tr);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_self), cmocka_unit_test(test_by_total),
		cmocka_unit_test(test_window),	cmocka_unit_test(test_empty),
		cmocka_unit_test(test_ratio),	cmocka_unit_test(test_ratio_by_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
