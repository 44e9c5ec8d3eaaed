// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The diff model (view/diff) on profiles built by hand: frames matched across runs by name and
 * module whatever the pid, tid or address; processes and threads by command name, or threads
 * merged; shares and absolute changes; frames only A ran; a recursive function's total counted
 * once per path; a profile against itself; counters and ratios side by side with the events only
 * one run counted; the line saying the runs sampled different events. Expected values are worked
 * out in the comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ringside/model/profile.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/diff.h"

/* Add weight samples along names (process comm/pid, thread comm/tid, then functions in "app"). */
static void
add(struct profile *p, uint64_t weight, const char *comm, uint32_t pid, const char *tcomm,
    uint32_t tid, size_t n, ...)
{
	uint32_t path[16];
	va_list ap;

	path[0] = frametab_intern(p->frames, comm, NULL, NULL, pid, FRAME_PROCESS, false);
	path[1] = frametab_intern(p->frames, tcomm, NULL, NULL, tid, FRAME_THREAD, false);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		/* A declaration line that differs by pid: never part of the match. */
		path[2 + i] = frametab_intern(p->frames, va_arg(ap, const char *), "/usr/bin/app",
					      "app.c", pid + (uint32_t)i, FRAME_USER, false);
	va_end(ap);
	stacktree_insert(p->stacks, path, n + 2, weight, 1);
}

static struct profile *
prof(const char *event)
{
	struct profile *p = profile_new();

	profile_enable_stacks(p, 0, 0);
	p->sampling.event = xstrdup(event);
	p->sampling.freq = 999;
	p->meta.duration_ns = 2000000000ull; /* 2 s */
	return p;
}

static void
track(struct profile *p, const char *name, uint64_t count, uint64_t enabled, uint64_t running)
{
	struct counter_track *t = profile_add_track(p);

	t->name = xstrdup(name);
	t->canonical = xstrdup(name);
	t->supported = true;
	counter_series_append(counter_track_series(t, -1), 1000000000ull, count, enabled, running);
}

/* The node along the names from the root (process, thread, functions), or NULL. */
static const struct diff_node *
find(const struct diff *d, size_t n, ...)
{
	uint32_t id = 0;
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n && id != DIFF_NONE; i++) {
		const char *name = va_arg(ap, const char *);
		uint32_t c;

		for (c = d->nodes[id].first_child; c != DIFF_NONE; c = d->nodes[c].next_sibling)
			if (strcmp(frametab_str(d->frames,
						frametab_get(d->frames, d->nodes[c].frame)->name),
				   name) == 0)
				break;
		id = c;
	}
	va_end(ap);
	return id == DIFF_NONE ? NULL : &d->nodes[id];
}

static const struct diff_func *
func(const struct diff *d, const char *name)
{
	for (size_t i = 0; i < d->nfuncs; i++)
		if (strcmp(frametab_str(d->frames,
					frametab_get(d->frames, d->funcs[i].frame)->name),
			   name) == 0)
			return &d->funcs[i];
	return NULL;
}

/*
 * A (pid 100): main>foo 6, main>bar 4, main>old 2: 12 samples; foo 50%, bar 33.3%, old 16.7%.
 * B (pid 200, tid 201): main>foo 2, main>bar 8: 10 samples; foo 20%, bar 80%.
 * Shares: foo -30, bar +46.67, old -16.67 (only in A), main 0 (100% in both).
 */
static void
build_ab(struct profile **a, struct profile **b)
{
	*a = prof("cpu-clock");
	add(*a, 6, "app", 100, "app", 100, 2, "main", "foo");
	add(*a, 4, "app", 100, "app", 100, 2, "main", "bar");
	add(*a, 2, "app", 100, "app", 100, 2, "main", "old");
	*b = prof("cpu-clock");
	add(*b, 2, "app", 200, "app", 201, 2, "main", "foo");
	add(*b, 8, "app", 200, "app", 201, 2, "main", "bar");
}

static void
test_match_and_shares(void **state)
{
	struct profile *a, *b;
	struct diff *d;
	const struct diff_node *n;

	(void)state;
	build_ab(&a, &b);
	d = diff_new(a, b, 0);
	assert_int_equal(d->a_samples, 12);
	assert_int_equal(d->b_samples, 10);
	assert_int_equal(d->nnodes, 7); /* root, app, app (thread), main, foo, bar, old */
	n = find(d, 4, "app", "app", "main", "foo");
	assert_non_null(n);
	assert_int_equal(n->a_total, 6);
	assert_int_equal(n->b_total, 2);
	assert_float_equal(diff_node_delta(d, n), -30.0, 1e-9);
	n = find(d, 4, "app", "app", "main", "bar");
	assert_float_equal(diff_node_delta(d, n), 80.0 - 400.0 / 12, 1e-9);
	n = find(d, 4, "app", "app", "main", "old");
	assert_int_equal(n->b_total, 0);
	assert_float_equal(diff_node_delta(d, n), -200.0 / 12, 1e-9);
	n = find(d, 3, "app", "app", "main");
	assert_float_equal(diff_node_delta(d, n), 0, 1e-9);
	/* Functions by |total change|: bar, foo, old, main. */
	assert_int_equal(d->nfuncs, 4);
	assert_string_equal(
		frametab_str(d->frames, frametab_get(d->frames, d->funcs[0].frame)->name), "bar");
	assert_float_equal(func(d, "foo")->total_delta, -30.0, 1e-9);
	assert_float_equal(func(d, "foo")->self_delta, -30.0, 1e-9);
	assert_null(d->mismatch);
	diff_free(d);
	/* Absolute: changes in samples. */
	d = diff_new(a, b, DIFF_ABSOLUTE);
	assert_float_equal(diff_node_delta(d, find(d, 4, "app", "app", "main", "foo")), -4, 1e-9);
	assert_float_equal(func(d, "bar")->total_delta, 4, 1e-9);
	diff_free(d);
	profile_free(a);
	profile_free(b);
}

/* B has two threads, "app" and "worker": two thread nodes, or none when merged. */
static void
test_threads(void **state)
{
	struct profile *a, *b;
	struct diff *d;

	(void)state;
	build_ab(&a, &b);
	add(b, 5, "app", 200, "worker", 202, 2, "main", "foo");
	d = diff_new(a, b, 0);
	assert_int_equal(find(d, 2, "app", "worker")->b_total, 5);
	assert_int_equal(find(d, 2, "app", "app")->b_total, 10);
	diff_free(d);
	d = diff_new(a, b, DIFF_MERGE_THREADS);
	assert_null(find(d, 2, "app", "worker"));
	assert_int_equal(find(d, 1, "app")->b_total, 15);
	assert_int_equal(find(d, 3, "app", "main", "foo")->b_total, 7);
	assert_int_equal(find(d, 3, "app", "main", "foo")->a_total, 6);
	assert_int_equal(d->nnodes, 6); /* root, app, main, foo, bar, old */
	diff_free(d);
	profile_free(a);
	profile_free(b);
}

/* main>rec>rec>rec 3: rec's total is 3 (once per path), its self 3, in both runs. */
static void
test_recursion_and_self(void **state)
{
	struct profile *a = prof("cpu-clock");
	struct diff *d;

	(void)state;
	add(a, 3, "app", 1, "app", 1, 4, "main", "rec", "rec", "rec");
	add(a, 1, "app", 1, "app", 1, 2, "main", "x");
	d = diff_new(a, a, 0);
	assert_int_equal(func(d, "rec")->a_total, 3);
	assert_int_equal(func(d, "rec")->b_self, 3);
	for (size_t i = 0; i < d->nnodes; i++) {
		assert_int_equal(d->nodes[i].a_total, d->nodes[i].b_total);
		assert_int_equal(d->nodes[i].a_self, d->nodes[i].b_self);
		assert_float_equal(diff_node_delta(d, &d->nodes[i]), 0, 0);
	}
	for (size_t i = 0; i < d->nfuncs; i++)
		assert_float_equal(d->funcs[i].total_delta, 0, 0);
	diff_free(d);
	profile_free(a);
}

/*
 * cycles: A 100 counted half the time (scaled 200), B 300 -> rates 100/s and 150/s over 2 s;
 * faults only in A; instructions only in B; the built-in IPC ratio only where both are.
 */
static void
test_counters(void **state)
{
	struct profile *a, *b;
	struct diff *d;
	const struct diff_counter *c = NULL;

	(void)state;
	build_ab(&a, &b);
	track(a, "cycles", 100, 1000, 500);
	track(a, "faults", 7, 1000, 1000);
	track(b, "cycles", 300, 1000, 1000);
	track(b, "instructions", 600, 1000, 1000);
	d = diff_new(a, b, 0);
	for (size_t i = 0; i < d->ncounters; i++)
		if (strcmp(d->counters[i].name, "cycles") == 0)
			c = &d->counters[i];
	assert_non_null(c);
	assert_true(c->have_a && c->have_b);
	assert_float_equal(c->a_value, 200, 1e-9);
	assert_float_equal(c->b_value, 300, 1e-9);
	assert_float_equal(c->a_rate, 100, 1e-9);
	assert_float_equal(c->a_share, 0.5, 1e-9);
	for (size_t i = 0; i < d->ncounters; i++) {
		c = &d->counters[i];
		if (strcmp(c->name, "faults") == 0)
			assert_true(c->have_a && !c->have_b);
		if (strcmp(c->name, "instructions") == 0)
			assert_true(!c->have_a && c->have_b);
		if (c->is_ratio) /* IPC needs both events in one run: B has it, A not */
			assert_true(!c->have_a);
	}
	diff_free(d);
	profile_free(a);
	profile_free(b);
}

/*
 * DIFF_SINCE_A, the live baseline: B is A later on (A's samples plus foo 4, new 6; cycles 100 ->
 * 400 over 2 s -> 4 s), so B's own are foo 4 and new 6 (10 samples), cycles 300 at 150/s.
 */
static void
test_since(void **state)
{
	struct profile *a, *b;
	struct diff *d;
	const struct diff_node *n;
	const struct diff_counter *c = NULL;

	(void)state;
	a = prof("cpu-clock");
	add(a, 6, "app", 100, "app", 100, 2, "main", "foo");
	add(a, 4, "app", 100, "app", 100, 2, "main", "bar");
	track(a, "cycles", 100, 1000, 1000);
	b = prof("cpu-clock");
	b->meta.duration_ns = 4000000000ull;
	add(b, 10, "app", 100, "app", 100, 2, "main", "foo");
	add(b, 4, "app", 100, "app", 100, 2, "main", "bar");
	add(b, 6, "app", 100, "app", 100, 2, "main", "new");
	track(b, "cycles", 400, 1000, 1000);
	d = diff_new(a, b, DIFF_SINCE_A);
	assert_int_equal(d->a_samples, 10);
	assert_int_equal(d->b_samples, 10);
	n = find(d, 4, "app", "app", "main", "foo");
	assert_non_null(n);
	assert_int_equal(n->a_total, 6);
	assert_int_equal(n->b_total, 4);
	n = find(d, 4, "app", "app", "main", "bar");
	assert_non_null(n);
	assert_int_equal(n->b_total, 0);
	n = find(d, 3, "app", "app", "main");
	assert_int_equal(n->b_total, 10);
	/* shares: foo 60% -> 40%, bar 40% -> 0%, new 0% -> 60% */
	assert_float_equal(func(d, "new")->total_delta, 60, 1e-9);
	assert_float_equal(func(d, "bar")->total_delta, -40, 1e-9);
	for (size_t i = 0; i < d->ncounters; i++)
		if (strcmp(d->counters[i].name, "cycles") == 0)
			c = &d->counters[i];
	assert_non_null(c);
	assert_float_equal(c->a_value, 100, 1e-9);
	assert_float_equal(c->b_value, 300, 1e-9);
	assert_float_equal(c->b_rate, 150, 1e-9);
	diff_free(d);
	/* without the flag, B is B whole */
	d = diff_new(a, b, 0);
	assert_int_equal(d->b_samples, 20);
	diff_free(d);
	profile_free(a);
	profile_free(b);
}

/* Different sampling events: one line saying so, shares still computed. */
static void
test_mismatch(void **state)
{
	struct profile *a, *b;
	struct diff *d;

	(void)state;
	build_ab(&a, &b);
	free(b->sampling.event);
	b->sampling.event = xstrdup("task-clock");
	d = diff_new(a, b, 0);
	assert_non_null(d->mismatch);
	assert_non_null(strstr(d->mismatch, "task-clock"));
	assert_null(strchr(d->mismatch, '\n'));
	assert_float_equal(func(d, "foo")->total_delta, -30.0, 1e-9);
	diff_free(d);
	profile_free(a);
	profile_free(b);
}

/* A profile without stacks: no tree, counters still diffed. */
static void
test_no_stacks(void **state)
{
	struct profile *a = profile_new(), *b = profile_new();
	struct diff *d;

	(void)state;
	track(a, "faults", 7, 1000, 1000);
	track(b, "faults", 9, 1000, 1000);
	d = diff_new(a, b, 0);
	assert_false(d->a_stacks || d->b_stacks);
	assert_int_equal(d->nnodes, 1);
	assert_int_equal(d->nfuncs, 0);
	assert_int_equal(d->ncounters, 1);
	assert_float_equal(d->counters[0].b_value - d->counters[0].a_value, 2, 1e-9);
	assert_null(d->mismatch);
	diff_free(d);
	profile_free(a);
	profile_free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_and_shares),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_recursion_and_self),
		cmocka_unit_test(test_counters),
		cmocka_unit_test(test_since),
		cmocka_unit_test(test_mismatch),
		cmocka_unit_test(test_no_stacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
