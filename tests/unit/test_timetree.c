// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The off-CPU and wall-clock trees built from a hand-made profile: off-CPU drops the "[on-CPU]"
 * nodes; wall-clock puts each thread's sampled stacks under its "[on-CPU]" node, scaled to the
 * thread's run time (floored, the remainder staying on "[on-CPU]", so the thread's total is its
 * time), and gives a thread that never switched its samples at the sampling period; the cache
 * rebuilds only when the profile's trees grow.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ringside/model/offcpu.h"
#include "ringside/view/timetree.h"

struct fx {
	struct profile *p;
	uint32_t pf, tf, tf2, f_main, f_work, f_wait, on, sleep;
};

static void
fx_setup(struct fx *f)
{
	struct frametab *ft;

	f->p = profile_new();
	profile_enable_stacks(f->p, 0, 0);
	profile_enable_offcpu(f->p, 0);
	f->p->sampling.freq = 1000;
	ft = f->p->frames;
	f->pf = frametab_intern(ft, "app", NULL, NULL, 7, FRAME_PROCESS, false);
	f->tf = frametab_intern(ft, "app", NULL, NULL, 7, FRAME_THREAD, false);
	f->tf2 = frametab_intern(ft, "helper", NULL, NULL, 8, FRAME_THREAD, false);
	f->f_main = frametab_intern(ft, "main", "app", NULL, 0, FRAME_USER, false);
	f->f_work = frametab_intern(ft, "work", "app", NULL, 0, FRAME_USER, false);
	f->f_wait = frametab_intern(ft, "wait_here", "app", NULL, 0, FRAME_USER, false);
	f->on = offcpu_state_frame(ft, OFFCPU_ON);
	f->sleep = offcpu_state_frame(ft, OFFCPU_SLEEP);
	/* Samples: thread 7 has 3 in main;work and 1 in main; thread 8 (never switched) 2. */
	stacktree_insert(f->p->stacks, (uint32_t[]){ f->pf, f->tf, f->f_main, f->f_work }, 4, 3, 0);
	stacktree_insert(f->p->stacks, (uint32_t[]){ f->pf, f->tf, f->f_main }, 3, 1, 0);
	stacktree_insert(f->p->stacks, (uint32_t[]){ f->pf, f->tf2, f->f_work }, 3, 2, 0);
	/* Time: thread 7 ran 1000 ns and slept 5000 ns in main;wait_here. */
	stacktree_insert(f->p->offcpu, (uint32_t[]){ f->pf, f->tf, f->on }, 3, 1000, 0);
	stacktree_insert(f->p->offcpu, (uint32_t[]){ f->pf, f->tf, f->sleep, f->f_main, f->f_wait },
			 5, 5000, 0);
}

static uint64_t
at(const struct stacktree *t, const uint32_t *path, size_t n)
{
	uint32_t id = STACKTREE_ROOT;

	for (size_t i = 0; i < n && id != STACKTREE_NONE; i++)
		id = stacktree_child(t, id, path[i]);
	return id == STACKTREE_NONE ? UINT64_MAX : stacktree_node(t, id)->total;
}

static void
test_off(void **state)
{
	struct fx f;
	struct stacktree *t;

	(void)state;
	fx_setup(&f);
	t = timetree_build(f.p, TIMETREE_OFF);
	assert_non_null(t);
	assert_int_equal(stacktree_samples(t), 5000);
	assert_int_equal(at(t, (uint32_t[]){ f.pf, f.tf, f.on }, 3), UINT64_MAX);
	assert_int_equal(at(t, (uint32_t[]){ f.pf, f.tf, f.sleep, f.f_main, f.f_wait }, 5), 5000);
	stacktree_free(t);
	profile_free(f.p);
}

static void
test_wall(void **state)
{
	struct fx f;
	struct stacktree *t;

	(void)state;
	fx_setup(&f);
	t = timetree_build(f.p, TIMETREE_WALL);
	/* Thread 7: 1000 ns on CPU over its 4 samples (250 each), 5000 off. */
	assert_int_equal(at(t, (uint32_t[]){ f.pf, f.tf }, 2), 6000);
	assert_int_equal(at(t, (uint32_t[]){ f.pf, f.tf, f.on }, 3), 1000);
	assert_int_equal(at(t, (uint32_t[]){ f.pf, f.tf, f.on, f.f_main }, 4), 1000);
	assert_int_equal(at(t, (uint32_t[]){ f.pf, f.tf, f.on, f.f_main, f.f_work }, 5), 750);
	assert_int_equal(at(t, (uint32_t[]){ f.pf, f.tf, f.sleep }, 3), 5000);
	/* Thread 8 never switched: 2 samples at 1 ms each. */
	assert_int_equal(at(t, (uint32_t[]){ f.pf, f.tf2, f.on, f.f_work }, 4), 2000000);
	stacktree_free(t);
	profile_free(f.p);
}

static void
test_cache_and_modes(void **state)
{
	struct fx f;
	struct timetree tt;
	const struct stacktree *a, *b;
	enum timetree_mode m;

	(void)state;
	fx_setup(&f);
	timetree_init(&tt);
	assert_ptr_equal(timetree_get(&tt, f.p), f.p->stacks);
	tt.mode = TIMETREE_OFF;
	a = timetree_get(&tt, f.p);
	b = timetree_get(&tt, f.p);
	assert_ptr_equal(a, b);
	stacktree_insert(f.p->offcpu, (uint32_t[]){ f.pf, f.tf, f.on }, 3, 10, 0);
	tt.mode = TIMETREE_WALL;
	assert_int_equal(stacktree_samples(timetree_get(&tt, f.p)), 6010 + 2000000);
	timetree_fini(&tt);
	assert_true(timetree_mode_parse("off", &m) && m == TIMETREE_OFF);
	assert_true(timetree_mode_parse("wall-clock", &m) && m == TIMETREE_WALL);
	assert_false(timetree_mode_parse("sideways", &m));
	stacktree_free(f.p->offcpu);
	f.p->offcpu = NULL;
	assert_false(timetree_available(f.p, TIMETREE_OFF));
	assert_null(timetree_build(f.p, TIMETREE_WALL));
	profile_free(f.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_wall),
		cmocka_unit_test(test_cache_and_modes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
