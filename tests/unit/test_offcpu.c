// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The off-CPU model fed switch-outs, switch-ins and exits by hand: waits weighted by the time to
 * the next switch-in under the reason's state frame, runs under "[on-CPU]", a thread's on and off
 * time adding up to the time it was seen, pending waits kept by offcpu_finish, and the reasons
 * read from prev_state.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "ringside/model/offcpu.h"
#include "ringside/model/profile.h"

struct fixture {
	struct profile *p;
	struct offcpu *o;
	uint32_t pf, tf, f_main, f_sleep;
};

static void
setup(struct fixture *f)
{
	f->p = profile_new();
	profile_enable_stacks(f->p, 0, 0);
	profile_enable_offcpu(f->p, 0);
	f->o = offcpu_new(f->p->offcpu, f->p->frames, 1000);
	f->pf = frametab_intern(f->p->frames, "app", NULL, NULL, 7, FRAME_PROCESS, false);
	f->tf = frametab_intern(f->p->frames, "app", NULL, NULL, 7, FRAME_THREAD, false);
	f->f_main = frametab_intern(f->p->frames, "main", "app", NULL, 0, FRAME_USER, false);
	f->f_sleep = frametab_intern(f->p->frames, "wait_here", "app", NULL, 0, FRAME_USER, false);
}

static void
teardown(struct fixture *f)
{
	offcpu_free(f->o);
	profile_free(f->p);
}

/* The total of the node at path (process, thread, state[, frames]), 0 when absent. */
static uint64_t
total_at(struct fixture *f, const uint32_t *path, size_t n)
{
	uint32_t id = STACKTREE_ROOT;

	for (size_t i = 0; i < n && id != STACKTREE_NONE; i++)
		id = stacktree_child(f->p->offcpu, id, path[i]);
	return id == STACKTREE_NONE ? 0 : stacktree_node(f->p->offcpu, id)->total;
}

static void
test_wait_and_run(void **state)
{
	struct fixture f;
	uint32_t out[4], on[3], thread[2];

	(void)state;
	setup(&f);
	out[0] = on[0] = thread[0] = f.pf;
	out[1] = on[1] = thread[1] = f.tf;
	out[2] = f.f_main;
	out[3] = f.f_sleep;
	/* Runs 1000..1500 (from the origin), sleeps 1500..4500, runs 4500..5000, D 5000..6000. */
	offcpu_out(f.o, 7, 1500, 1, out, 4);
	offcpu_in(f.o, 7, 4500);
	offcpu_out(f.o, 7, 5000, 2, out, 3);
	offcpu_in(f.o, 7, 6000);
	/* Preempted at 6100, exits at 6400 after running again from 6300. */
	offcpu_out(f.o, 7, 6100, 0x100, out, 2);
	offcpu_in(f.o, 7, 6300);
	offcpu_exit(f.o, 7, 6400, f.pf, f.tf);
	on[2] = offcpu_state_frame(f.p->frames, OFFCPU_ON);
	assert_int_equal(total_at(&f, on, 3), 500 + 500 + 100 + 100);
	out[2] = offcpu_state_frame(f.p->frames, OFFCPU_SLEEP);
	out[3] = f.f_main;
	assert_int_equal(total_at(&f, out, 3), 3000);
	assert_int_equal(total_at(&f, out, 4), 3000);
	out[2] = offcpu_state_frame(f.p->frames, OFFCPU_D);
	assert_int_equal(total_at(&f, out, 4), 1000);
	out[2] = offcpu_state_frame(f.p->frames, OFFCPU_PREEMPT);
	assert_int_equal(total_at(&f, out, 3), 200);
	/* On and off add up to the time from the origin to the exit. */
	assert_int_equal(total_at(&f, thread, 2), 6400 - 1000);
	assert_int_equal(offcpu_switches(f.o), 3);
	teardown(&f);
}

static void
test_finish_keeps_pending(void **state)
{
	struct fixture f;
	uint32_t path[3];

	(void)state;
	setup(&f);
	path[0] = f.pf;
	path[1] = f.tf;
	path[2] = f.f_sleep;
	offcpu_in(f.o, 7, 2000);
	offcpu_out(f.o, 7, 2500, 1, path, 3);
	offcpu_finish(f.o, 9000);
	assert_int_equal(total_at(&f, path, 2), 500 + 6500);
	path[2] = offcpu_state_frame(f.p->frames, OFFCPU_SLEEP);
	assert_int_equal(total_at(&f, path, 3), 6500);
	teardown(&f);
}

static void
test_states(void **state)
{
	enum offcpu_state st;

	(void)state;
	assert_int_equal(offcpu_state_of(0), OFFCPU_PREEMPT);
	assert_int_equal(offcpu_state_of(0x100), OFFCPU_PREEMPT);
	assert_int_equal(offcpu_state_of(1), OFFCPU_SLEEP);
	assert_int_equal(offcpu_state_of(2), OFFCPU_D);
	assert_int_equal(offcpu_state_of(0x80), OFFCPU_SLEEP);
	{
		struct profile *p = profile_new();
		uint32_t id;

		profile_enable_stacks(p, 0, 0);
		id = offcpu_state_frame(p->frames, OFFCPU_D);
		assert_true(offcpu_frame_state(frametab_get(p->frames, id), p->frames, &st));
		assert_int_equal(st, OFFCPU_D);
		assert_false(
			offcpu_frame_state(frametab_get(p->frames, p->frame_root), p->frames, &st));
		profile_free(p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_and_run),
		cmocka_unit_test(test_finish_keeps_pending),
		cmocka_unit_test(test_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
