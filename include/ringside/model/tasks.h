/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The task table: every thread seen, with its process and its name (comm), renamed on exec and
 * kept after exit (so that samples that arrive late keep its name) until tasks_forget. Pure data,
 * no I/O.
 */
#ifndef RINGSIDE_MODEL_TASKS_H
#define RINGSIDE_MODEL_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct task {
	pid_t tid;
	pid_t pid;     /* the process (thread group) */
	char comm[16]; /* NUL-terminated, as the kernel keeps it */
	bool exited;
	uint64_t exec_count; /* how many times it exec'd while watched */
};

struct tasks;

struct tasks *tasks_new(void);
void tasks_free(struct tasks *ts);
/* The task tid, or NULL. */
const struct task *tasks_find(const struct tasks *ts, pid_t tid);
/* The task tid, created (comm "" , pid = pid) when missing. */
struct task *tasks_get(struct tasks *ts, pid_t pid, pid_t tid);
/* A COMM record: set the name; exec says whether it came from an exec. */
void tasks_comm(struct tasks *ts, pid_t pid, pid_t tid, const char *comm, bool exec);
/* A FORK record: the child starts with the parent's name. */
void tasks_fork(struct tasks *ts, pid_t ppid, pid_t ptid, pid_t pid, pid_t tid);
/* An EXIT record. */
void tasks_exit(struct tasks *ts, pid_t pid, pid_t tid);
/*
 * Drop the exited tasks among tids (n of them) from the table (a task that lives again under a
 * recycled tid stays); the rest keep their order. Returns how many were dropped.
 */
size_t tasks_forget(struct tasks *ts, const pid_t *tids, size_t n);
/* Number of tasks, and the i-th (in insertion order). */
size_t tasks_count(const struct tasks *ts);
const struct task *tasks_at(const struct tasks *ts, size_t i);

#endif
