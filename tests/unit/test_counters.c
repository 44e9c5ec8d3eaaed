// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for model/counters and model/profile (series, per-CPU tracks, totals scaled for
 * multiplexing) and for counter_scale from perf/counter.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/counters.h"
#include "ringside/model/profile.h"
#include "ringside/perf/counter.h"
#include "ringside/util/xalloc.h"

static void
assert_close(double got, double want)
{
	double tol = fabs(want) * 1e-9 + 1e-9;
	if (fabs(got - want) > tol)
		fail_msg("got %.17g, expected %.17g", got, want);
}

static void
test_series_append_and_totals(void **state)
{
	(void)state;
	struct counter_series s = { .cpu = 3 };

	uint64_t c = 1, e = 1, r = 1;
	counter_series_totals(&s, &c, &e, &r);
	assert_int_equal(c, 0);
	assert_int_equal(e, 0);
	assert_int_equal(r, 0);

	for (uint64_t i = 1; i <= 1000; i++)
		counter_series_append(&s, i * 1000000, i, 2 * i, i);
	assert_int_equal(s.n, 1000);
	assert_true(s.cap >= s.n);
	assert_int_equal(s.cpu, 3);
	assert_int_equal(s.t[0], 1000000);
	assert_int_equal(s.t[999], 1000000000);
	assert_int_equal(s.count[499], 500);
	assert_int_equal(s.enabled[499], 1000);
	assert_int_equal(s.running[499], 500);

	counter_series_totals(&s, &c, &e, &r);
	assert_int_equal(c, 500500);
	assert_int_equal(e, 1001000);
	assert_int_equal(r, 500500);
	/* any pointer may be NULL */
	counter_series_totals(&s, NULL, &e, NULL);
	assert_int_equal(e, 1001000);
	counter_series_totals(&s, NULL, NULL, NULL);
	counter_series_fini(&s);
}

static void
test_track_series_per_cpu(void **state)
{
	(void)state;
	struct counter_track tr;
	memset(&tr, 0, sizeof(tr));

	struct counter_series *s0 = counter_track_series(&tr, 0);
	assert_non_null(s0);
	assert_int_equal(s0->cpu, 0);
	assert_int_equal(s0->n, 0);
	counter_series_append(s0, 10, 1, 1, 1);
	struct counter_series *s1 = counter_track_series(&tr, 1);
	assert_int_equal(s1->cpu, 1);
	assert_int_equal(tr.nseries, 2);
	counter_series_append(s1, 10, 2, 1, 1);

	/* the existing series is found, not duplicated */
	struct counter_series *again = counter_track_series(&tr, 0);
	assert_int_equal(tr.nseries, 2);
	assert_int_equal(again->cpu, 0);
	assert_int_equal(again->n, 1);
	assert_int_equal(again->count[0], 1);
	again = counter_track_series(&tr, 1);
	assert_int_equal(again->n, 1);
	assert_int_equal(again->count[0], 2);

	/* the all-threads slot */
	struct counter_series *all = counter_track_series(&tr, -1);
	assert_int_equal(all->cpu, -1);
	assert_int_equal(tr.nseries, 3);

	/* many CPUs: earlier series keep their data when the array grows */
	for (int cpu = 2; cpu < 200; cpu++)
		counter_series_append(counter_track_series(&tr, cpu), 10, (uint64_t)cpu, 1, 1);
	assert_int_equal(tr.nseries, 201);
	for (int cpu = 0; cpu < 200; cpu++) {
		struct counter_series *s = counter_track_series(&tr, cpu);
		assert_int_equal(s->cpu, cpu);
		assert_int_equal(s->n, 1);
		assert_int_equal(s->count[0], cpu < 2 ? (uint64_t)cpu + 1 : (uint64_t)cpu);
	}
	assert_int_equal(tr.nseries, 201);
	counter_track_fini(&tr);
}

static void
test_track_total_scales_per_series(void **state)
{
	(void)state;
	struct counter_track tr;
	memset(&tr, 0, sizeof(tr));

	/* A ran half the time it was enabled: 100 counted stands for 200 */
	counter_series_append(counter_track_series(&tr, 0), 1000, 100, 10, 5);
	/* B ran all the time: 50 */
	counter_series_append(counter_track_series(&tr, 1), 1000, 50, 10, 10);

	double value = -1, share = -1;
	assert_true(counter_track_total(&tr, &value, &share));
	assert_close(value, 250.0);
	assert_close(share, 15.0 / 20.0);
	counter_track_fini(&tr);

	/* several intervals in one series, the same multiplexing ratio in each */
	memset(&tr, 0, sizeof(tr));
	struct counter_series *s = counter_track_series(&tr, -1);
	counter_series_append(s, 1000, 30, 100, 25);
	counter_series_append(s, 2000, 10, 100, 25);
	counter_series_append(s, 2500, 5, 40, 10);
	assert_true(counter_track_total(&tr, &value, &share));
	assert_close(value, 180.0);
	assert_close(share, 0.25);
	counter_track_fini(&tr);

	/* never multiplexed: the raw sum, share 1 */
	memset(&tr, 0, sizeof(tr));
	counter_series_append(counter_track_series(&tr, 0), 1000, 7, 1000, 1000);
	counter_series_append(counter_track_series(&tr, 1), 1000, 8, 1000, 1000);
	assert_true(counter_track_total(&tr, &value, &share));
	assert_close(value, 15.0);
	assert_close(share, 1.0);
	counter_track_fini(&tr);
}

static void
test_track_total_never_ran(void **state)
{
	(void)state;
	struct counter_track tr;
	double value = -1, share = -1;

	/* no series at all (an unsupported event) */
	memset(&tr, 0, sizeof(tr));
	assert_false(counter_track_total(&tr, &value, &share));
	counter_track_fini(&tr);

	/* enabled but never running */
	memset(&tr, 0, sizeof(tr));
	counter_series_append(counter_track_series(&tr, 0), 1000, 0, 1000, 0);
	counter_series_append(counter_track_series(&tr, 1), 1000, 0, 1000, 0);
	assert_false(counter_track_total(&tr, &value, &share));
	counter_track_fini(&tr);

	/* series that exist but hold no interval */
	memset(&tr, 0, sizeof(tr));
	counter_track_series(&tr, 0);
	assert_false(counter_track_total(&tr, &value, &share));
	counter_track_fini(&tr);
}

static void
test_scale_edges(void **state)
{
	(void)state;
	double v = -1;

	assert_false(counter_scale(100, 1000, 0, &v));
	assert_close(v, 0.0);
	assert_false(counter_scale(0, 0, 0, &v));
	assert_close(v, 0.0);

	assert_true(counter_scale(12345, 1000, 1000, &v));
	assert_close(v, 12345.0);
	assert_true(counter_scale(0, 1000, 1000, &v));
	assert_close(v, 0.0);
	assert_true(counter_scale(100, 10, 5, &v));
	assert_close(v, 200.0);
	assert_true(counter_scale(3, 10, 4, &v));
	assert_close(v, 7.5);

	/* values whose product overflows 64 bits */
	assert_true(counter_scale(1000000000000000000ULL, 2000000000000ULL, 1000000000000ULL, &v));
	assert_close(v, 2e18);
	assert_true(counter_scale(UINT64_MAX, UINT64_MAX, UINT64_MAX, &v));
	assert_close(v, (double)UINT64_MAX);
	assert_true(counter_scale(1ULL << 62, 3ULL << 60, 1ULL << 60, &v));
	assert_close(v, 3.0 * (double)(1ULL << 62));
}

/* Add a track named name to p. */
static struct counter_track *
add_named(struct profile *p, const char *name)
{
	struct counter_track *t = profile_add_track(p);
	assert_non_null(t);
	assert_null(t->name);
	assert_null(t->series);
	assert_int_equal(t->nseries, 0);
	assert_false(t->supported);
	t->name = xstrdup(name);
	return t;
}

static void
test_profile_tracks(void **state)
{
	(void)state;
	struct profile *p = profile_new();
	assert_non_null(p);
	assert_int_equal(p->ntracks, 0);
	assert_int_equal(p->meta.command_exit, -1);
	assert_null(profile_find_track(p, "cycles"));

	add_named(p, "cycles");
	struct counter_track *pf = add_named(p, "page-faults");
	pf->supported = true;
	counter_series_append(counter_track_series(pf, 0), 1000, 42, 1000, 1000);
	for (int i = 0; i < 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "ev%d", i);
		add_named(p, name);
	}
	assert_int_equal(p->ntracks, 52);

	struct counter_track *t = profile_find_track(p, "page-faults");
	assert_non_null(t);
	assert_string_equal(t->name, "page-faults");
	assert_true(t->supported);
	assert_int_equal(t->nseries, 1);
	assert_int_equal(t->series[0].count[0], 42);
	assert_ptr_equal(profile_find_track(p, "cycles"), &p->tracks[0]);
	assert_ptr_equal(profile_find_track(p, "ev49"), &p->tracks[51]);
	assert_null(profile_find_track(p, "page"));
	assert_null(profile_find_track(p, "page-faults:u"));

	/* profile_free releases the metadata too */
	p->meta.host = xstrdup("host");
	p->meta.cmdline = xcalloc(2, sizeof(char *));
	p->meta.cmdline[0] = xstrdup("ringside");
	p->meta.ncmdline = 1;
	p->meta.target_cpus = xcalloc(2, sizeof(int));
	p->meta.ntarget_cpus = 2;
	profile_free(p);
	profile_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_series_append_and_totals),
		cmocka_unit_test(test_track_series_per_cpu),
		cmocka_unit_test(test_track_total_scales_per_series),
		cmocka_unit_test(test_track_total_never_ran),
		cmocka_unit_test(test_scale_edges),
		cmocka_unit_test(test_profile_tracks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
