// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The session's per-task counters (perf/taskcount into model/taskctr): every thread of a
 * process or command target, or the busiest N threads system-wide (--task-counters N, default
 * 16; 0 turns them off). They are read with the session's counters, each interval; for process
 * targets a short timer also looks for new threads between reads, so a thread started later is
 * counted from within SESSION_TASKS_LOOK_MS of its start. System-wide, the busiest are chosen by
 * the scheduler timeline's run times once it has switches (else from /proc). A shortage of
 * descriptors is said once.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "ringside/app/loop.h"
#include "ringside/model/schedmap.h"
#include "ringside/model/taskctr.h"
#include "ringside/perf/taskcount.h"
#include "ringside/util/clock.h"
#include "ringside/util/xalloc.h"
#include "session_impl.h"

_Static_assert(TASKCOUNT_NEV == TASKCTR_NEV, "perf/taskcount and model/taskctr count alike");

/* How often a process target's threads are looked for between counter reads. */
#define SESSION_TASKS_LOOK_MS 50

static size_t
session_tasks_top(const struct session *s)
{
	return s->opts->task_top ? s->opts->task_top : SESSION_TASKS_DEFAULT_TOP;
}

/* One thread's interval into the table. */
static void
session_tasks_row(void *ctx, const struct taskcount_row *row)
{
	struct session *s = ctx;
	uint64_t at = row->at_ns > s->start_ns ? row->at_ns - s->start_ns : 0;
	const struct task *t = s->profile->tasks ? tasks_find(s->profile->tasks, row->tid) : NULL;
	/* A thread gone before /proc showed its exec: the samples' name is the later one. */
	const char *comm = row->exited && t && t->comm[0] ? t->comm : row->comm;
	enum taskctr_state st = row->exited    ? TASKCTR_EXITED
				: row->dropped ? TASKCTR_DROPPED
					       : TASKCTR_LIVE;

	taskctr_update(s->profile->taskctr, row->tid, row->pid, comm, row->delta, row->span_ns, at,
		       st);
}

static void
session_tasks_notes(struct session *s)
{
	const char *note = taskcount_note(s->tasks.tc);

	if (note)
		session_note(s, "%s", note);
}

/* The look timer: open counters on threads started since the last look. */
static void
session_tasks_on_timer(void *ctx, int fd, short revents)
{
	struct session *s = ctx;
	uint64_t n;

	(void)revents;
	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		return;
	if (s->end_reason || !s->tasks.tc) {
		loop_remove(s->io.loop, fd);
		return;
	}
	taskcount_discover(s->tasks.tc, clock_now_ns(), session_tasks_row, s);
	session_tasks_notes(s);
}

/* The first look for threads (system-wide: the busiest, from every thread's schedstat in /proc). */
static void
session_tasks_first(struct session *s)
{
	struct itimerspec its = { 0 };

	taskcount_discover(s->tasks.tc, clock_now_ns(), session_tasks_row, s);
	for (int ev = 0; ev < TASKCTR_NEV; ev++)
		taskctr_set_supported(s->profile->taskctr, (enum taskctr_event)ev,
				      taskcount_supported(s->tasks.tc, (size_t)ev));
	session_tasks_notes(s);
	if (s->target.kind == TARGET_SYSTEM)
		return;
	s->tasks.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->tasks.timer_fd < 0)
		return;
	its.it_value.tv_nsec = SESSION_TASKS_LOOK_MS * 1000000L;
	its.it_interval.tv_nsec = SESSION_TASKS_LOOK_MS * 1000000L;
	timerfd_settime(s->tasks.timer_fd, 0, &its, NULL);
	loop_add(s->io.loop, s->tasks.timer_fd, POLLIN, session_tasks_on_timer, s);
}

void
session_tasks_init(struct session *s, bool defer)
{
	bool procs = s->target.kind != TARGET_SYSTEM;

	s->tasks.timer_fd = -1;
	if (s->opts->no_task_counters || (procs && !s->target.npids))
		return;
	s->tasks.tc = taskcount_new(procs ? s->target.pids : NULL, procs ? s->target.npids : 0,
				    session_tasks_top(s), s->target.kind == TARGET_COMMAND);
	s->profile->taskctr = taskctr_new();
	s->tasks.deferred = defer;
	if (!defer)
		session_tasks_first(s);
}

void
session_tasks_late(struct session *s)
{
	if (!s->tasks.deferred || !s->tasks.tc || s->end_reason)
		return;
	s->tasks.deferred = false;
	session_tasks_first(s);
}

/*
 * System-wide with a scheduler timeline: the look's candidates and their run times come from it
 * (every task that has run), not from every thread's schedstat in /proc, which was about half
 * of the live screen's own CPU time on an idle machine.
 */
static void
session_tasks_runs(struct session *s)
{
	const struct schedmap *m = s->profile->sched;
	struct schedmap_counts c;
	size_t n = 0, nt;

	if (s->target.kind != TARGET_SYSTEM || !m)
		return;
	schedmap_get_counts(m, &c);
	if (!c.switches)
		return; /* no timeline (yet): /proc */
	nt = schedmap_ntasks(m);
	if (nt > s->tasks.runs_cap) {
		s->tasks.runs_cap = nt + nt / 2;
		s->tasks.runs =
			xreallocarray(s->tasks.runs, s->tasks.runs_cap, sizeof(*s->tasks.runs));
	}
	for (uint32_t i = 0; i < nt; i++) {
		struct schedmap_task_stats st;

		if (schedmap_task_brief(m, i, &st) < 0 || st.tid <= 0 || st.folded ||
		    !st.runtime_ns)
			continue;
		s->tasks.runs[n++] = (struct taskcount_run){
			.tid = st.tid, .pid = st.pid, .run_ns = st.runtime_ns, .exited = st.exited
		};
	}
	taskcount_set_runs(s->tasks.tc, s->tasks.runs, n);
}

void
session_tasks_sample(struct session *s)
{
	/* Stopping: session_tasks_close reads them a last time (none is dropped then). */
	if (!s->tasks.tc || s->stopped)
		return;
	session_tasks_runs(s);
	/* The table's times are the interval's end, as the counters' are. */
	taskcount_tick(s->tasks.tc, s->last_ns, session_tasks_row, s);
	for (int ev = 0; ev < TASKCTR_NEV; ev++)
		taskctr_set_supported(s->profile->taskctr, (enum taskctr_event)ev,
				      taskcount_supported(s->tasks.tc, (size_t)ev));
	session_tasks_notes(s);
}

void
session_tasks_close(struct session *s)
{
	if (!s->tasks.tc)
		return;
	if (s->tasks.timer_fd >= 0) {
		if (s->io.loop && loop_watches(s->io.loop, s->tasks.timer_fd))
			loop_remove(s->io.loop, s->tasks.timer_fd);
		close(s->tasks.timer_fd);
		s->tasks.timer_fd = -1;
	}
	if (s->profile && s->profile->taskctr)
		taskcount_close_all(s->tasks.tc, s->last_ns, session_tasks_row, s);
	taskcount_free(s->tasks.tc);
	s->tasks.tc = NULL;
	free(s->tasks.runs);
	s->tasks.runs = NULL;
	s->tasks.runs_cap = 0;
}
