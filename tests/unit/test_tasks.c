// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for model/tasks: creation on first sight, COMM (plain and exec), FORK inheriting the
 * parent's name, EXIT keeping the name, insertion order, a table large enough to grow, and
 * forgetting exited tasks (live ones and recycled tids stay), and forgetting, recycling and growing
 * again with many colliding tids.
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

#include "ringside/model/tasks.h"

static void
test_get_and_find(void **state)
{
	(void)state;
	struct tasks *ts = tasks_new();

	assert_null(tasks_find(ts, 42));
	assert_int_equal(tasks_count(ts), 0);
	assert_null(tasks_at(ts, 0));

	struct task *t = tasks_get(ts, 40, 42);
	assert_non_null(t);
	assert_int_equal(t->tid, 42);
	assert_int_equal(t->pid, 40);
	assert_string_equal(t->comm, "");
	assert_false(t->exited);
	assert_int_equal(t->exec_count, 0);
	assert_ptr_equal(tasks_get(ts, 40, 42), t);
	assert_ptr_equal(tasks_find(ts, 42), t);
	assert_int_equal(tasks_count(ts), 1);
	tasks_free(ts);
	tasks_free(NULL);
}

static void
test_comm_fork_exit_exec(void **state)
{
	(void)state;
	struct tasks *ts = tasks_new();
	const struct task *t;

	tasks_comm(ts, 100, 100, "bash", false);
	/* a thread of 100 */
	tasks_fork(ts, 100, 100, 100, 101);
	t = tasks_find(ts, 101);
	assert_non_null(t);
	assert_string_equal(t->comm, "bash");
	assert_int_equal(t->pid, 100);
	/* a child process that execs */
	tasks_fork(ts, 100, 100, 200, 200);
	assert_string_equal(tasks_find(ts, 200)->comm, "bash");
	tasks_comm(ts, 200, 200, "calltree", true);
	t = tasks_find(ts, 200);
	assert_string_equal(t->comm, "calltree");
	assert_int_equal(t->exec_count, 1);
	/* the thread keeps its own name; renaming the parent does not rename children */
	tasks_comm(ts, 100, 100, "bash2", false);
	assert_string_equal(tasks_find(ts, 200)->comm, "calltree");
	assert_int_equal(tasks_find(ts, 100)->exec_count, 0);
	/* prctl(PR_SET_NAME) on a thread */
	tasks_fork(ts, 200, 200, 200, 201);
	tasks_comm(ts, 200, 201, "worker", false);
	assert_string_equal(tasks_find(ts, 201)->comm, "worker");
	assert_string_equal(tasks_find(ts, 200)->comm, "calltree");

	/* exit keeps the name */
	tasks_exit(ts, 200, 201);
	tasks_exit(ts, 200, 200);
	t = tasks_find(ts, 200);
	assert_true(t->exited);
	assert_string_equal(t->comm, "calltree");
	assert_true(tasks_find(ts, 201)->exited);
	assert_string_equal(tasks_find(ts, 201)->comm, "worker");
	assert_false(tasks_find(ts, 100)->exited);

	/* insertion order */
	assert_int_equal(tasks_count(ts), 4);
	assert_int_equal(tasks_at(ts, 0)->tid, 100);
	assert_int_equal(tasks_at(ts, 1)->tid, 101);
	assert_int_equal(tasks_at(ts, 2)->tid, 200);
	assert_int_equal(tasks_at(ts, 3)->tid, 201);
	assert_null(tasks_at(ts, 4));

	/* a recycled tid starts afresh from its new parent */
	tasks_fork(ts, 100, 100, 201, 201);
	t = tasks_find(ts, 201);
	assert_false(t->exited);
	assert_int_equal(t->pid, 201);
	assert_string_equal(t->comm, "bash2");
	assert_int_equal(tasks_count(ts), 4);
	tasks_free(ts);
}

static void
test_fork_unknown_parent_and_long_comm(void **state)
{
	(void)state;
	struct tasks *ts = tasks_new();

	tasks_fork(ts, 1, 1, 7, 7);
	assert_string_equal(tasks_find(ts, 7)->comm, "");
	/* COMM before FORK (seen out of order across CPUs) is not overwritten */
	tasks_comm(ts, 8, 8, "early", false);
	tasks_fork(ts, 7, 7, 8, 8);
	assert_string_equal(tasks_find(ts, 8)->comm, "early");

	/* names are cut to 15 characters plus the NUL */
	tasks_comm(ts, 9, 9, "a-very-long-command-name", true);
	const struct task *t = tasks_find(ts, 9);
	assert_int_equal(strlen(t->comm), 15);
	assert_memory_equal(t->comm, "a-very-long-com", 16);
	tasks_comm(ts, 9, 9, "ab", false);
	assert_string_equal(t->comm, "ab");
	assert_int_equal(t->comm[15], '\0');
	tasks_comm(ts, 9, 9, NULL, false);
	assert_string_equal(tasks_find(ts, 9)->comm, "");
	tasks_free(ts);
}

static void
test_many_tasks(void **state)
{
	(void)state;
	struct tasks *ts = tasks_new();
	enum { N = 50000 };
	char name[16];

	for (pid_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "t%d", (int)i);
		/* spread and negative-free tids with collisions in the low bits */
		tasks_comm(ts, 1000 + i / 4, 1000 + i * 1024, name, false);
	}
	assert_int_equal(tasks_count(ts), N);
	for (pid_t i = 0; i < N; i++) {
		const struct task *t = tasks_find(ts, 1000 + i * 1024);
		snprintf(name, sizeof(name), "t%d", (int)i);
		assert_non_null(t);
		assert_string_equal(t->comm, name);
		assert_int_equal(t->pid, 1000 + i / 4);
		assert_ptr_equal(tasks_at(ts, (size_t)i), t);
	}
	assert_null(tasks_find(ts, 3));
	tasks_free(ts);
}

static void
test_forget(void **state)
{
	(void)state;
	struct tasks *ts = tasks_new();
	pid_t gone[2100];
	size_t n = 0;

	/* keepers (tid % 3 == 0) live, workers exit */
	tasks_comm(ts, 0, 0, "swapper/0", false);
	for (pid_t tid = 100; tid < 3100; tid++) {
		tasks_comm(ts, tid, tid, tid % 3 ? "worker" : "keeper", false);
		if (tid % 3) {
			tasks_exit(ts, tid, tid);
			gone[n++] = tid;
		}
	}
	/* tid 101 is recycled by a keeper's child: a live task again, and stays */
	tasks_fork(ts, 102, 102, 101, 101);
	/* a tid never seen and a live one are ignored */
	gone[n++] = 99999;
	gone[n++] = 102;
	assert_int_equal(tasks_forget(ts, gone, n), 2000 - 1);
	assert_int_equal(tasks_count(ts), 1 + 1000 + 1);
	assert_int_equal(tasks_forget(ts, gone, n), 0);
	assert_non_null(tasks_find(ts, 0));
	assert_string_equal(tasks_find(ts, 101)->comm, "keeper");
	assert_false(tasks_find(ts, 101)->exited);
	assert_null(tasks_find(ts, 100));
	assert_null(tasks_find(ts, 3098));
	for (pid_t tid = 102; tid < 3100; tid += 3)
		assert_string_equal(tasks_find(ts, tid)->comm, "keeper");
	/* order kept, and the table still grows and finds */
	assert_int_equal(tasks_at(ts, 0)->tid, 0);
	assert_int_equal(tasks_at(ts, 1)->tid, 101);
	assert_int_equal(tasks_at(ts, 2)->tid, 102);
	assert_int_equal(tasks_at(ts, 3)->tid, 105);
	for (pid_t tid = 5000; tid < 6000; tid++)
		tasks_get(ts, tid, tid);
	assert_int_equal(tasks_find(ts, 5999)->tid, 5999);
	assert_int_equal(tasks_find(ts, 3099)->tid, 3099);
	tasks_free(ts);
}

/*
 * Forgetting and recycling with many colliding tids: forgotten tids are not found, the rest keep
 * their order; recycled tids are found again; a tid listed twice is dropped once; and the table
 * keeps growing and finding after each compaction.
 */
static void
test_forget_recycle_grow(void **state)
{
	(void)state;
	enum { N = 20000 };
	struct tasks *ts = tasks_new();
	static pid_t list[2 * N];
	size_t n = 0;
	char name[16];

	for (pid_t i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "t%d", (int)i);
		tasks_comm(ts, 7 + i * 1024, 7 + i * 1024, name, false);
		tasks_exit(ts, 7 + i * 1024, 7 + i * 1024);
		if (i % 2 == 0)
			list[n++] = 7 + i * 1024;
	}
	assert_int_equal(tasks_forget(ts, list, n), N / 2);
	assert_int_equal(tasks_count(ts), N / 2);
	for (pid_t i = 0; i < N; i++) {
		const struct task *t = tasks_find(ts, 7 + i * 1024);

		if (i % 2 == 0) {
			assert_null(t);
			continue;
		}
		snprintf(name, sizeof(name), "t%d", (int)i);
		assert_non_null(t);
		assert_string_equal(t->comm, name);
		assert_true(t->exited);
		assert_ptr_equal(tasks_at(ts, (size_t)i / 2), t);
	}
	/* the forgotten tids recycled (children of their odd neighbours), after the kept ones */
	for (pid_t i = 0; i < N; i += 2)
		tasks_fork(ts, 7 + (i + 1) * 1024, 7 + (i + 1) * 1024, 7 + i * 1024, 7 + i * 1024);
	assert_int_equal(tasks_count(ts), N);
	for (pid_t i = 0; i < N; i += 2) {
		const struct task *t = tasks_find(ts, 7 + i * 1024);

		snprintf(name, sizeof(name), "t%d", (int)i + 1);
		assert_non_null(t);
		assert_false(t->exited);
		assert_string_equal(t->comm, name);
		assert_ptr_equal(tasks_at(ts, N / 2 + (size_t)i / 2), t);
	}
	/* the odd ones forgotten, each listed twice: dropped once */
	n = 0;
	for (pid_t i = 1; i < N; i += 2) {
		list[n++] = 7 + i * 1024;
		list[n++] = 7 + i * 1024;
	}
	assert_int_equal(tasks_forget(ts, list, n), N / 2);
	assert_int_equal(tasks_count(ts), N / 2);
	for (pid_t i = 0; i < N; i++) {
		const struct task *t = tasks_find(ts, 7 + i * 1024);

		if (i % 2) {
			assert_null(t);
		} else {
			assert_non_null(t);
			assert_int_equal(t->tid, 7 + i * 1024);
			assert_ptr_equal(tasks_at(ts, (size_t)i / 2), t);
		}
	}
	/* and it grows again */
	for (pid_t i = 0; i < 3 * N; i++)
		tasks_get(ts, 9, 9 + i * 1024);
	assert_int_equal(tasks_count(ts), N / 2 + 3 * N);
	for (pid_t i = 0; i < 3 * N; i++)
		assert_ptr_equal(tasks_find(ts, 9 + i * 1024), tasks_at(ts, N / 2 + (size_t)i));
	assert_non_null(tasks_find(ts, 7));
	assert_null(tasks_find(ts, 7 + 1024));
	tasks_free(ts);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_and_find),
		cmocka_unit_test(test_comm_fork_exit_exec),
		cmocka_unit_test(test_fork_unknown_parent_and_long_comm),
		cmocka_unit_test(test_many_tasks),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_forget_recycle_grow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
