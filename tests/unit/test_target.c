// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for what /proc says of a target process: this process (running, neither a kernel
 * thread nor a zombie), kthreadd (PID 2, a kernel thread), a child that exited unreaped (a
 * zombie), which a PID list leaves out with a note, or refuses when nothing else is left, and a
 * child whose main thread exited while another runs on (state Z, yet not a zombie).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ringside/perf/target.h"
#include "unit.h"

static void
test_proc_self(void **state)
{
	struct target_proc p;

	(void)state;
	assert_int_equal(target_proc_read(getpid(), &p), 0);
	assert_string_equal(p.comm, "test_target");
	assert_int_equal(p.state, 'R');
	assert_int_equal(p.ppid, getppid());
	assert_false(p.kthread);
	assert_false(p.zombie);
	assert_int_equal(target_proc_read(0x7ffffff0, &p), -ESRCH);
}

static void
test_proc_kthreadd(void **state)
{
	struct target_proc p;

	(void)state;
	if (target_proc_read(2, &p) < 0 || strcmp(p.comm, "kthreadd") != 0)
		unit_skip("no kthreadd as PID 2 (a PID namespace without the kernel's threads)");
	assert_true(p.kthread);
	assert_false(p.zombie);
	assert_int_equal(p.ppid, 0);
}

/* A child that has exited and is not reaped yet. */
static pid_t
make_zombie(void)
{
	siginfo_t info;
	pid_t child = fork();

	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	assert_int_equal(waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT), 0);
	return child;
}

static void
test_zombie(void **state)
{
	struct target t;
	struct target_proc p;
	struct errbuf err = { 0 };
	char text[64], line[160];
	pid_t z = make_zombie();

	(void)state;
	assert_int_equal(target_proc_read(z, &p), 0);
	assert_int_equal(p.state, 'Z');
	assert_true(p.zombie);
	assert_int_equal(p.ppid, getpid());

	/* Alone (twice over): nothing to record, bad input. */
	snprintf(text, sizeof(text), "%d,%d", (int)z, (int)z);
	assert_int_equal(target_init_pids(&t, text, &err), -ESRCH);
	assert_int_equal(errbuf_exit_status(&err), 2);
	snprintf(line, sizeof(line),
		 "PID %d is a zombie (exited, not yet reaped by its parent PID %d): nothing to "
		 "record; record a running process (ps shows them)",
		 (int)z, (int)getpid());
	assert_string_equal(err.msg, line);

	/* With a live PID: left out, and the note says so. */
	errbuf_clear(&err);
	snprintf(text, sizeof(text), "%d,%d", (int)z, (int)getpid());
	assert_int_equal(target_init_pids(&t, text, &err), 0);
	assert_int_equal(t.npids, 1);
	assert_int_equal(t.pids[0], getpid());
	snprintf(line, sizeof(line),
		 "PID %d is a zombie (exited, not yet reaped by its parent PID %d): nothing to "
		 "record of it; recording PID %d only",
		 (int)z, (int)getpid(), (int)getpid());
	assert_non_null(t.note);
	assert_string_equal(t.note, line);
	target_fini(&t);
	assert_null(t.note);

	/* A live PID alone gets no note. */
	snprintf(text, sizeof(text), "%d", (int)getpid());
	assert_int_equal(target_init_pids(&t, text, &err), 0);
	assert_null(t.note);
	target_fini(&t);

	waitpid(z, NULL, 0);
	assert_int_equal(target_proc_read(z, &p), -ESRCH);
}

static void *
sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void
test_leader_exited(void **state)
{
	struct target_proc p;
	int ready[2], i;
	pid_t child;
	char c;

	(void)state;
	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pthread_t t;

		if (pthread_create(&t, NULL, sleeper, NULL) != 0)
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		pthread_exit(NULL);
	}
	close(ready[1]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	/* The leader shows Z once its exit is through; its thread runs on. */
	for (i = 0; i < 500; i++) {
		assert_int_equal(target_proc_read(child, &p), 0);
		if (p.state == 'Z')
			break;
		usleep(10000);
	}
	assert_int_equal(p.state, 'Z');
	assert_false(p.zombie);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proc_self),
		cmocka_unit_test(test_proc_kthreadd),
		cmocka_unit_test(test_zombie),
		cmocka_unit_test(test_leader_exited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
