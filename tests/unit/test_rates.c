// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Counter rates and ratios (view/rates, model/ratio) on tracks built by hand: per-interval values
 * summed over CPUs and scaled for multiplexing (count * enabled / running), the running share,
 * rates per second, time events, finding tracks by name and canonical name, NAME=A/B parsing
 * (percentages, every malformed form), the built-in ratios, ratio values interval by interval
 * and over the whole recording with the reason when there is none, SI formatting and sparkline
 * levels. Every expected value is worked out in the comments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/profile.h"
#include "ringside/model/ratio.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/rates.h"

#define S 1000000000ull /* one second in ns */

static struct counter_track *
add_track(struct profile *p, const char *name, const char *canonical, bool supported)
{
	struct counter_track *t = profile_add_track(p);

	t->name = xstrdup(name);
	t->canonical = canonical ? xstrdup(canonical) : NULL;
	t->supported = supported;
	return t;
}

/*
 * instructions, on CPUs 0 and 1 (CPU 1 one interval shorter):
 *   i  t      cpu0 count/enabled/running    cpu1 count/enabled/running   value          share
 *   0  1 s    1000 / 1 s / 1 s              500 / 1 s / 1 s              1500           1
 *   1  2 s    600 / 1 s / 0.5 s  (x2)       300 / 1 s / 0.25 s (x4)      1200+1200=2400 0.75/2
 *   2  2.5 s  7 / 0.5 s / 0     (not run)   100 / 0.5 s / 0.5 s          100            0.5
 *   3  3.5 s  50 / 100 ns / 120 ns (no x)   -                            50             1 (capped)
 * cycles on all CPUs (-1): 3000, 4800, not counted, 200 at the same times.
 */
static struct profile *
make_profile(void)
{
	struct profile *p = profile_new();
	struct counter_track *t;
	struct counter_series *s;

	t = add_track(p, "instructions", "cpu/instructions/", true);
	s = counter_track_series(t, 0);
	counter_series_append(s, 1 * S, 1000, S, S);
	counter_series_append(s, 2 * S, 600, S, S / 2);
	counter_series_append(s, 5 * S / 2, 7, S / 2, 0);
	counter_series_append(s, 7 * S / 2, 50, 100, 120);
	s = counter_track_series(t, 1);
	counter_series_append(s, 1 * S, 500, S, S);
	counter_series_append(s, 2 * S, 300, S, S / 4);
	counter_series_append(s, 5 * S / 2, 100, S / 2, S / 2);
	t = add_track(p, "cyc", "cpu/cycles/", true);
	free(t->canonical);
	t->canonical = xstrdup("cycles");
	s = counter_track_series(t, -1);
	counter_series_append(s, 1 * S, 3000, S, S);
	counter_series_append(s, 2 * S, 4800, S, S);
	counter_series_append(s, 5 * S / 2, 0, S / 2, 0);
	counter_series_append(s, 7 * S / 2, 200, S, S);
	/* Counted, but no events at all in its last interval. */
	t = add_track(p, "zero", NULL, true);
	s = counter_track_series(t, -1);
	counter_series_append(s, 1 * S, 10, S, S);
	counter_series_append(s, 2 * S, 0, S, S);
	/* Not supported: it has intervals, but none is shown. */
	t = add_track(p, "branches", NULL, false);
	t->reason = xstrdup("not supported here");
	counter_series_append(counter_track_series(t, -1), 1 * S, 5, S, S);
	add_track(p, "task-clock", NULL, true);
	add_track(p, "tc", "cpu-clock", true);
	add_track(p, "cpu-clock", "cpu/cycles/", true);
	return p;
}

static void
expect_point(const struct counter_track *t, size_t i, uint64_t at, uint64_t dt, double value,
	     double share, bool counted)
{
	struct rates_point pt;

	assert_true(rates_point(t, i, &pt));
	assert_int_equal(pt.t, at);
	assert_int_equal(pt.dt, dt);
	assert_float_equal(pt.value, value, 1e-9);
	assert_float_equal(pt.share, share, 1e-12);
	assert_int_equal(pt.counted, counted);
}

static void
test_points(void **state)
{
	struct profile *p = make_profile();
	const struct counter_track *ins = rates_find_track(p, "instructions");
	const struct counter_track *cyc = rates_find_track(p, "cycles");
	struct rates_point pt;

	(void)state;
	assert_non_null(ins);
	assert_int_equal(rates_npoints(ins), 4);
	expect_point(ins, 0, S, S, 1500, 1, true);
	expect_point(ins, 1, 2 * S, S, 2400, 0.375, true);
	expect_point(ins, 2, 5 * S / 2, S / 2, 100, 0.5, true);
	expect_point(ins, 3, 7 * S / 2, S, 50, 1, true);
	assert_false(rates_point(ins, 4, &pt));
	/* An interval where nothing ran: no value, share 0. */
	expect_point(cyc, 2, 5 * S / 2, S / 2, 0, 0, false);
	/* Per second: 2400 in 1 s; 100 in 0.5 s is 200/s; nothing for uncounted or absent ones. */
	assert_float_equal(rates_rate(ins, 0), 1500, 1e-9);
	assert_float_equal(rates_rate(ins, 1), 2400, 1e-9);
	assert_float_equal(rates_rate(ins, 2), 200, 1e-9);
	assert_true(isnan(rates_rate(cyc, 2)));
	assert_true(isnan(rates_rate(ins, 4)));
	/* Unsupported tracks and tracks without series have no points. */
	assert_int_equal(rates_npoints(rates_find_track(p, "branches")), 0);
	assert_false(rates_point(rates_find_track(p, "branches"), 0, &pt));
	assert_int_equal(rates_npoints(rates_find_track(p, "task-clock")), 0);
	profile_free(p);
}

static void
test_find_and_time(void **state)
{
	struct profile *p = make_profile();

	(void)state;
	/* By name first, then by canonical name. */
	assert_string_equal(rates_find_track(p, "cyc")->name, "cyc");
	assert_string_equal(rates_find_track(p, "cycles")->name, "cyc");
	assert_string_equal(rates_find_track(p, "cpu/instructions/")->name, "instructions");
	assert_string_equal(rates_find_track(p, "cpu-clock")->name, "cpu-clock");
	assert_null(rates_find_track(p, "nope"));
	/* Time events by canonical name when there is one, else by name. */
	assert_true(rates_is_time(rates_find_track(p, "task-clock")));
	assert_true(rates_is_time(rates_find_track(p, "tc")));
	assert_false(rates_is_time(rates_find_track(p, "cpu-clock")));
	assert_false(rates_is_time(rates_find_track(p, "instructions")));
	profile_free(p);
}

static void
expect_parse(const char *text, const char *name, const char *num, const char *den, bool percent)
{
	struct errbuf err = { 0 };
	struct ratio_def r;

	assert_int_equal(ratio_parse(&r, text, &err), 0);
	assert_false(errbuf_isset(&err));
	assert_string_equal(r.name, name);
	assert_string_equal(r.num, num);
	assert_string_equal(r.den, den);
	assert_int_equal(r.percent, percent);
	assert_float_equal(r.scale, percent ? 100 : 1, 0);
	assert_false(r.builtin);
	ratio_fini(&r);
	assert_null(r.name);
}

static void
expect_bad(const char *text, const char *msg)
{
	struct errbuf err = { 0 };
	struct ratio_def r;

	assert_int_equal(ratio_parse(&r, text, &err), -EINVAL);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.code, -EINVAL);
	assert_int_equal(err.class, ERRBUF_INPUT);
	assert_null(r.name);
}

static void
test_parse(void **state)
{
	(void)state;
	expect_parse("ipc=instructions/cycles", "ipc", "instructions", "cycles", false);
	expect_parse("miss%=cache-misses/cache-references", "miss", "cache-misses",
		     "cache-references", true);
	expect_parse("a b=c d/e", "a b", "c d", "e", false);
	expect_bad("ipc", "ratio 'ipc' must read NAME=EVENT/EVENT, e.g. ipc=instructions/cycles");
	expect_bad("=a/b", "ratio '=a/b' must read NAME=EVENT/EVENT, e.g. ipc=instructions/cycles");
	expect_bad("x=a", "ratio 'x=a' must read NAME=EVENT/EVENT, e.g. ipc=instructions/cycles");
	expect_bad("x=/b", "ratio 'x=/b' must read NAME=EVENT/EVENT, e.g. ipc=instructions/cycles");
	expect_bad("x=a/", "ratio 'x=a/' must read NAME=EVENT/EVENT, e.g. ipc=instructions/cycles");
	expect_bad("x=a/b/c",
		   "ratio 'x=a/b/c' must read NAME=EVENT/EVENT, e.g. ipc=instructions/cycles");
	/* An event name with a slash cannot be an input: the split would be ambiguous. */
	expect_bad("x=cpu/cycles/u/task-clock",
		   "ratio 'x=cpu/cycles/u/task-clock' must read NAME=EVENT/EVENT, e.g. "
		   "ipc=instructions/cycles");
	expect_bad("%=a/b", "ratio '%=a/b' needs a name before '='");
}

static void
test_builtins(void **state)
{
	static const char *const want[][3] = {
		{ "IPC", "instructions", "cycles" },
		{ "CPI", "cycles", "instructions" },
		{ "cache-miss", "cache-misses", "cache-references" },
		{ "branch-miss", "branch-misses", "branches" },
	};
	struct ratio_def r, copy;

	(void)state;
	assert_int_equal(ratio_builtin_count(), 4);
	for (size_t i = 0; i < 4; i++) {
		ratio_builtin_get(i, &r);
		assert_string_equal(r.name, want[i][0]);
		assert_string_equal(r.num, want[i][1]);
		assert_string_equal(r.den, want[i][2]);
		assert_true(r.builtin);
		assert_int_equal(r.percent, i >= 2);
		assert_float_equal(r.scale, i >= 2 ? 100 : 1, 0);
		ratio_copy(&copy, &r);
		assert_ptr_not_equal(copy.name, r.name);
		assert_string_equal(copy.den, r.den);
		assert_true(copy.builtin);
		ratio_fini(&copy);
		ratio_fini(&r);
	}
	ratio_builtin_get(4, &r);
	assert_null(r.name);
}

static void
expect_ratio(const struct profile *p, const char *text, size_t back, double want)
{
	struct errbuf err = { 0 };
	struct ratio_def r;
	const char *why = "unset";
	double v = -1;

	assert_int_equal(ratio_parse(&r, text, &err), 0);
	assert_true(ratio_value(p, &r, back, &v, &why));
	assert_null(why);
	assert_float_equal(v, want, 1e-12);
	ratio_fini(&r);
}

static void
expect_no_ratio(const struct profile *p, const char *text, size_t back, const char *why_want)
{
	struct errbuf err = { 0 };
	struct ratio_def r;
	const char *why = NULL;
	double v = -1;

	assert_int_equal(ratio_parse(&r, text, &err), 0);
	assert_false(ratio_value(p, &r, back, &v, &why));
	assert_non_null(why);
	assert_string_equal(why, why_want);
	assert_float_equal(v, -1, 0); /* untouched */
	assert_false(ratio_value(p, &r, back, &v, NULL));
	ratio_fini(&r);
}

static void
test_ratio_value(void **state)
{
	struct profile *p = make_profile();
	struct errbuf err = { 0 };
	struct ratio_def r;
	double v = -1;

	(void)state;
	/* The latest interval: 50 / 200; then 2400 / 4800 and 1500 / 3000. */
	expect_ratio(p, "ipc=instructions/cycles", 0, 0.25);
	expect_ratio(p, "ipc=instructions/cycles", 2, 0.5);
	expect_ratio(p, "ipc=instructions/cycles", 3, 0.5);
	expect_ratio(p, "cpi=cycles/instructions", 0, 4);
	expect_ratio(p, "c%=instructions/cycles", 0, 25);
	/* Over the recording: (1000+1200+50 + 500+1200+100) / (3000+4800+200) = 4050 / 8000. */
	expect_ratio(p, "ipc=instructions/cycles", SIZE_MAX, 4050.0 / 8000.0);
	/* Canonical names work as inputs (a definition made by hand: they have slashes). */
	r = (struct ratio_def){ .name = xstrdup("ipc"),
				.num = xstrdup("cpu/instructions/"),
				.den = xstrdup("cycles"),
				.scale = 1 };
	assert_true(ratio_value(p, &r, 0, &v, NULL));
	assert_float_equal(v, 0.25, 1e-12);
	ratio_fini(&r);
	/* cycles did not run one interval back; nothing is there four back. */
	expect_no_ratio(p, "ipc=instructions/cycles", 1, "not counted yet");
	expect_no_ratio(p, "ipc=instructions/cycles", 4, "not counted yet");
	expect_no_ratio(p, "x=instructions/zero", 0, "no events");
	/* Inputs of different lengths line up at their ends: 100 (of 4) / 10 (of 2). */
	expect_ratio(p, "x=instructions/zero", 1, 10);
	expect_no_ratio(p, "x=nope/cycles", 0, "nope not counted");
	expect_no_ratio(p, "x=cycles/nope", 0, "nope not counted");
	expect_no_ratio(p, "x=branches/cycles", 0, "branches not supported here");
	expect_no_ratio(p, "x=cycles/branches", SIZE_MAX, "branches not supported here");
	/* A track that never counted has no total. */
	expect_no_ratio(p, "x=task-clock/cycles", SIZE_MAX, "not counted yet");
	/* Points: the shorter input's. */
	assert_int_equal(ratio_parse(&r, "ipc=instructions/cycles", &err), 0);
	assert_int_equal(ratio_npoints(p, &r), 4);
	ratio_fini(&r);
	assert_int_equal(ratio_parse(&r, "x=instructions/zero", &err), 0);
	assert_int_equal(ratio_npoints(p, &r), 2);
	ratio_fini(&r);
	assert_int_equal(ratio_parse(&r, "x=instructions/branches", &err), 0);
	assert_int_equal(ratio_npoints(p, &r), 0);
	ratio_fini(&r);
	assert_int_equal(ratio_parse(&r, "x=nope/cycles", &err), 0);
	assert_int_equal(ratio_npoints(p, &r), 0);
	ratio_fini(&r);
	profile_free(p);
}

static void
expect_si(double v, const char *want)
{
	char buf[32];

	assert_ptr_equal(rates_si(v, buf, sizeof(buf)), buf);
	assert_string_equal(buf, want);
}

static void
test_si(void **state)
{
	char small[4];

	(void)state;
	expect_si(NAN, "n/a");
	expect_si(0, "0");
	expect_si(2, "2");
	expect_si(0.5, "0.50");
	expect_si(1.234, "1.23");
	expect_si(12.5, "12.5");
	expect_si(100.4, "100");
	expect_si(987, "987");
	expect_si(999.4, "999");
	expect_si(12345, "12.3K");
	expect_si(-12345, "-12.3K");
	expect_si(99960, "100K");
	expect_si(4560000, "4.56M");
	expect_si(123456789, "123M");
	expect_si(1.23e9, "1.23G");
	expect_si(2e12, "2.00T");
	expect_si(3.5e15, "3.50P");
	expect_si(1e21, "1000E"); /* no unit past E */
	/* A short buffer is cut, never overrun. */
	assert_string_equal(rates_si(12345, small, sizeof(small)), "12.");
}

static void
test_level(void **state)
{
	(void)state;
	assert_int_equal(rates_level(NAN, 0, 10, 8), 0);
	assert_int_equal(rates_level(5, 0, 10, 1), 0);
	/* A flat series: the middle level, or 0 when it is zero. */
	assert_int_equal(rates_level(3, 3, 3, 8), 4);
	assert_int_equal(rates_level(0, 0, 0, 8), 0);
	assert_int_equal(rates_level(3, 5, 2, 7), 3);
	/* (v - lo) / (hi - lo) * (levels - 1), rounded; v <= lo is 0 and v > hi is the top. */
	assert_int_equal(rates_level(0, 0, 10, 8), 0);
	assert_int_equal(rates_level(-1, 0, 10, 8), 0);
	assert_int_equal(rates_level(0.5, 0, 10, 8), 0);   /* 0.35 + 0.5 */
	assert_int_equal(rates_level(1, 0, 10, 8), 1);	   /* 0.7 + 0.5 */
	assert_int_equal(rates_level(5, 0, 10, 8), 4);	   /* 3.5 + 0.5 */
	assert_int_equal(rates_level(10, 0, 10, 8), 7);	   /* 7 + 0.5 */
	assert_int_equal(rates_level(20, 0, 10, 8), 7);	   /* 14.5, capped */
	assert_int_equal(rates_level(15, 10, 20, 3), 1);   /* 1 + 0.5 */
	assert_int_equal(rates_level(11, 10, 20, 3), 0);   /* 0.2 + 0.5 */
	assert_int_equal(rates_level(17.5, 10, 20, 3), 2); /* 1.5 + 0.5 */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_points),	    cmocka_unit_test(test_find_and_time),
		cmocka_unit_test(test_parse),	    cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_ratio_value), cmocka_unit_test(test_si),
		cmocka_unit_test(test_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
