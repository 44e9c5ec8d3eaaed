// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for view/ratioflame: which ratios have both events sampled, another tree's samples
 * under the same call path (absent paths count 0), the threshold under which a frame has no
 * ratio, and the log colour scale with its legend's bounds, taken over the whole tree.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/profile.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/ratioflame.h"

/* A profile sampling cpu-clock and page-faults, with ratios pf (both sampled) and ipc (not). */
static struct profile *
two_events(uint32_t *fa, uint32_t *fb)
{
	struct profile *p = profile_new();
	struct ratio_def r;

	profile_enable_stacks(p, 0, 0);
	p->sampling.event = xstrdup("cpu-clock");
	profile_add_event(p, "page-faults", 0, 1, 0, 0);
	*fa = frametab_intern(p->frames, "fault_here", NULL, NULL, 0, FRAME_USER, false);
	*fb = frametab_intern(p->frames, "spin_here", NULL, NULL, 0, FRAME_USER, false);
	assert_int_equal(ratio_parse(&r, "pf=page-faults/cpu-clock", NULL), 0);
	profile_set_ratio(p, &r);
	ratio_fini(&r);
	assert_int_equal(ratio_parse(&r, "ipc=instructions/cycles", NULL), 0);
	profile_set_ratio(p, &r);
	ratio_fini(&r);
	return p;
}

static void
test_list_and_counts(void **state)
{
	uint32_t fa, fb, path[2];
	struct profile *p = two_events(&fa, &fb);
	size_t list[4], a, b;

	(void)state;
	assert_int_equal(ratioflame_list(p, list, 4), 1);
	assert_string_equal(p->ratios[list[0]].name, "pf");
	assert_true(ratioflame_events(p, &p->ratios[list[0]], &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 0);
	path[0] = fa;
	stacktree_insert(p->stacks, path, 1, 20, 1);
	stacktree_insert(profile_event_tree(p, 1), path, 1, 5000, 1);
	path[0] = fb;
	stacktree_insert(p->stacks, path, 1, 600, 1);
	path[1] = fa; /* fault_here under spin_here: another path, not counted with fault_here */
	stacktree_insert(p->stacks, path, 2, 3, 1);
	path[0] = fa;
	assert_int_equal(ratioflame_count(p->stacks, path, 1), 20);
	assert_int_equal(ratioflame_count(profile_event_tree(p, 1), path, 1), 5000);
	path[0] = fb;
	assert_int_equal(ratioflame_count(p->stacks, path, 2), 3);
	assert_int_equal(ratioflame_count(profile_event_tree(p, 1), path, 1), 0);
	assert_int_equal(ratioflame_count(p->stacks, NULL, 0), 623);
	assert_int_equal(ratioflame_count(NULL, path, 1), 0);
	profile_free(p);
}

static void
test_threshold_and_scale(void **state)
{
	char buf[32];

	(void)state;
	assert_true(ratioflame_value(5000, 20) == 250);
	assert_true(ratioflame_value(0, 600) == 0);
	assert_true(ratioflame_value(100, RATIOFLAME_MIN_SAMPLES - 1) < 0);
	assert_true(ratioflame_value(0, RATIOFLAME_MIN_SAMPLES) == 0);
	/* Five levels from 1 to 100000: one per decade. */
	assert_int_equal(ratioflame_level(1, 1, 1e5), 0);
	assert_int_equal(ratioflame_level(15, 1, 1e5), 1);
	assert_int_equal(ratioflame_level(2e3, 1, 1e5), 3);
	assert_int_equal(ratioflame_level(1e5, 1, 1e5), RATIOFLAME_LEVELS - 1);
	assert_int_equal(ratioflame_level(0, 1, 1e5), 0);
	assert_int_equal(ratioflame_level(3, 3, 3), RATIOFLAME_LEVELS - 1);
	assert_true(fabs(ratioflame_level_from(2, 1, 1e5) - 100) < 1e-9);
	assert_true(fabs(ratioflame_level_from(RATIOFLAME_LEVELS, 1, 1e5) - 1e5) < 1e-6);
	assert_string_equal(ratioflame_format(245.333, buf, sizeof(buf)), "245");
	assert_string_equal(ratioflame_format(0.012345, buf, sizeof(buf)), "0.0123");
	assert_string_equal(ratioflame_format(0, buf, sizeof(buf)), "0");
}

/* The scale is the whole tree's: every node with enough of B's samples, however narrow. */
static void
test_scale_whole_tree(void **state)
{
	uint32_t fa, fb, path[2];
	struct profile *p = two_events(&fa, &fb);
	struct stacktree *ta = profile_event_tree(p, 1), *tb = p->stacks;
	double lo, hi;

	(void)state;
	ratioflame_scale(ta, tb, &lo, &hi);
	assert_true(lo == 0 && hi == 0);
	path[0] = fb;
	stacktree_insert(tb, path, 1, 6000, 1);
	stacktree_insert(ta, path, 1, 3000, 1);
	path[1] = fa; /* spin_here -> fault_here: 21 of 6021 samples, 5000 faults */
	stacktree_insert(tb, path, 2, 21, 1);
	stacktree_insert(ta, path, 2, 5000, 1);
	path[0] = fa; /* fault_here alone: 9 samples, under the threshold, 100000 faults */
	stacktree_insert(tb, path, 1, 9, 1);
	stacktree_insert(ta, path, 1, 100000, 1);
	ratioflame_scale(ta, tb, &lo, &hi);
	/* The root: 108000 / 6030; spin_here: 8000 / 6021; under it fault_here: 5000 / 21. */
	assert_true(fabs(lo - 8000.0 / 6021) < 1e-12);
	assert_true(fabs(hi - 5000.0 / 21) < 1e-12);
	/* Without A's tree every ratio is 0: no positive lowest, no highest. */
	ratioflame_scale(NULL, tb, &lo, &hi);
	assert_true(lo == 0 && hi == 0);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_and_counts),
		cmocka_unit_test(test_threshold_and_scale),
		cmocka_unit_test(test_scale_whole_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
