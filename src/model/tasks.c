// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The task table: an array of tasks in the order they were first seen, found by tid through
 * util/idmap (tid -> index into the array). An exited task stays (it keeps its name) until
 * tasks_forget, which compacts the array and rebuilds the map.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/tasks.h"
#include "ringside/util/idmap.h"
#include "ringside/util/xalloc.h"

struct tasks {
	struct task *tasks;
	size_t n, cap;
	struct idmap index; /* tid -> index into tasks */
};

static void
tasks_set_comm(struct task *t, const char *comm)
{
	/* strncpy would not terminate a 16-byte name; TASK_COMM_LEN counts the NUL. */
	size_t len = strnlen(comm, sizeof(t->comm) - 1);

	memcpy(t->comm, comm, len);
	memset(t->comm + len, 0, sizeof(t->comm) - len);
}

struct tasks *
tasks_new(void)
{
	struct tasks *ts = xcalloc(1, sizeof(*ts));

	idmap_init(&ts->index);
	return ts;
}

void
tasks_free(struct tasks *ts)
{
	if (!ts)
		return;
	free(ts->tasks);
	idmap_fini(&ts->index);
	free(ts);
}

const struct task *
tasks_find(const struct tasks *ts, pid_t tid)
{
	uint32_t i = idmap_get(&ts->index, tid);

	return i == IDMAP_NONE ? NULL : &ts->tasks[i];
}

struct task *
tasks_get(struct tasks *ts, pid_t pid, pid_t tid)
{
	uint32_t i = idmap_get(&ts->index, tid);
	struct task *t;

	if (i != IDMAP_NONE)
		return &ts->tasks[i];
	if (ts->n == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 64;
		ts->tasks = xreallocarray(ts->tasks, ts->cap, sizeof(*ts->tasks));
	}
	t = &ts->tasks[ts->n];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	idmap_put(&ts->index, tid, (uint32_t)ts->n++);
	return t;
}

void
tasks_comm(struct tasks *ts, pid_t pid, pid_t tid, const char *comm, bool exec)
{
	struct task *t = tasks_get(ts, pid, tid);

	/* A thread may have been seen first under a guessed pid (e.g. a sample before its FORK). */
	t->pid = pid;
	tasks_set_comm(t, comm ? comm : "");
	if (exec) {
		t->exec_count++;
		t->exited = false;
	}
}

void
tasks_fork(struct tasks *ts, pid_t ppid, pid_t ptid, pid_t pid, pid_t tid)
{
	const struct task *parent = tasks_find(ts, ptid);
	char comm[sizeof(parent->comm)] = "";
	struct task *child;

	if (parent)
		memcpy(comm, parent->comm, sizeof(comm));
	(void)ppid;
	child = tasks_get(ts, pid, tid);
	/* A recycled tid starts afresh; a task already named since (COMM before FORK) keeps it. */
	if (child->exited) {
		child->exited = false;
		child->exec_count = 0;
		tasks_set_comm(child, comm);
	} else if (!child->comm[0]) {
		tasks_set_comm(child, comm);
	}
	child->pid = pid;
}

void
tasks_exit(struct tasks *ts, pid_t pid, pid_t tid)
{
	tasks_get(ts, pid, tid)->exited = true;
}

size_t
tasks_forget(struct tasks *ts, const pid_t *tids, size_t n)
{
	size_t dropped = 0, m = 0;

	for (size_t i = 0; i < n; i++) {
		uint32_t k = idmap_get(&ts->index, tids[i]);

		/* Marked by a tid of 0 (never a key here: the idle task has no entry to forget). */
		if (k != IDMAP_NONE && ts->tasks[k].exited && ts->tasks[k].tid != 0) {
			ts->tasks[k].tid = 0;
			dropped++;
		}
	}
	if (!dropped)
		return 0;
	for (size_t i = 0; i < ts->n; i++)
		if (ts->tasks[i].tid != 0 || !ts->tasks[i].exited)
			ts->tasks[m++] = ts->tasks[i];
	ts->n = m;
	idmap_clear(&ts->index);
	for (size_t i = 0; i < ts->n; i++)
		idmap_put(&ts->index, ts->tasks[i].tid, (uint32_t)i);
	return dropped;
}

size_t
tasks_count(const struct tasks *ts)
{
	return ts->n;
}

const struct task *
tasks_at(const struct tasks *ts, size_t i)
{
	return i < ts->n ? &ts->tasks[i] : NULL;
}
