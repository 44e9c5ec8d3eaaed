/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-task counting: each counted thread gets one counting group of its own (pid = the thread,
 * cpu = -1, not inherited) with the events below, read once per interval. For processes and
 * commands every thread of the target's processes is counted, new threads being opened as they
 * show up in /proc/PID/task; system-wide the N threads that used the most CPU since the last
 * look are counted (their run time as the caller's scheduler timeline has it, taskcount_set_runs,
 * else in /proc/PID/task/TID/schedstat, as tiptop picks by /proc), opened as they enter that set
 * and closed as they leave it. When descriptors run out (ulimit -n),
 * the threads already open go on and taskcount_note says so once.
 */
#ifndef RINGSIDE_PERF_TASKCOUNT_H
#define RINGSIDE_PERF_TASKCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Events counted per thread, in order: task-clock, context-switches, cpu-migrations,
 * page-faults, cycles, instructions, cache-references, cache-misses (model/taskctr's order). */
#define TASKCOUNT_NEV 8

/* One thread's interval, as taskcount_tick reports it. */
struct taskcount_row {
	pid_t tid, pid;
	const char *comm;      /* its name now (borrowed) */
	const uint64_t *delta; /* TASKCOUNT_NEV counts since the last read (or since opened) */
	uint64_t span_ns;      /* wall time those counts cover (0: opened just now) */
	uint64_t at_ns;	       /* when it was read (monotonic) */
	bool exited;	       /* the thread has gone: this is its last row */
	bool dropped;	       /* no longer counted (left the busiest N): its last row */
};

typedef void (*taskcount_fn)(void *ctx, const struct taskcount_row *row);

struct taskcount;

/*
 * Count the threads of the npids processes in pids, or, with npids 0, the top_n busiest threads
 * of the system. With on_exec, the threads found first count from their exec on (a launched
 * command waiting to exec). Nothing opens until taskcount_discover.
 */
struct taskcount *taskcount_new(const pid_t *pids, size_t npids, size_t top_n, bool on_exec);
/*
 * Open counters on the threads found now that have none (processes: new threads); for
 * processes, threads that have gone are reported to fn a last time and closed.
 */
void taskcount_discover(struct taskcount *tc, uint64_t now_ns, taskcount_fn fn, void *ctx);
/*
 * Read every counted thread and report each to fn; threads that exited or left the busiest N
 * are reported a last time and closed; then look for new ones (taskcount_discover).
 */
void taskcount_tick(struct taskcount *tc, uint64_t now_ns, taskcount_fn fn, void *ctx);
/* A thread's run time in total (ns), as a scheduler timeline has it. */
struct taskcount_run {
	pid_t tid, pid; /* pid 0: not known */
	uint64_t run_ns;
	bool exited; /* known to have exited: reported as such, never opened */
};
/*
 * System-wide: the next look (taskcount_tick) takes its candidates and their run time from
 * runs[0..n) instead of reading every thread's schedstat in /proc (~450 system calls a look on
 * an idle desktop); the array must stay valid until then. Only the busiest N have their stat
 * read. Without a call before a look, that look reads /proc.
 */
void taskcount_set_runs(struct taskcount *tc, const struct taskcount_run *runs, size_t n);
/* Read and close every thread (each reported a last time, exited when it has gone). */
void taskcount_close_all(struct taskcount *tc, uint64_t now_ns, taskcount_fn fn, void *ctx);
/* Whether event ev opened here (false: the machine lacks it, e.g. no PMU). */
bool taskcount_supported(const struct taskcount *tc, size_t ev);
/* Threads counted now, and their descriptors. */
size_t taskcount_nthreads(const struct taskcount *tc);
size_t taskcount_nfds(const struct taskcount *tc);
/*
 * A message for the user when threads were left uncounted for lack of descriptors (once; NULL
 * afterwards and before): the limit and how many are counted.
 */
const char *taskcount_note(struct taskcount *tc);
/* Close everything; NULL is fine. */
void taskcount_free(struct taskcount *tc);

#endif
