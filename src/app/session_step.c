// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A session's step through the one poll loop (app/loop): the signalfd brings SIGINT, SIGTERM and
 * SIGHUP (stop), SIGCHLD (the command ended) and SIGWINCH (live); the caller's descriptor, the
 * attached processes' pidfds, the rings and the interval timer follow, each source with its
 * handler. Each tick reads every counter group once and appends the deltas to the profile.
 */
#include <errno.h>
#include <poll.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "ringside/app/ingest.h"
#include "ringside/app/loop.h"
#include "ringside/sym/symres.h"
#include "ringside/util/clock.h"
#include "ringside/util/xalloc.h"
#include "session_impl.h"

static void session_on_signal(void *ctx, int signo);

/* The stop signals, SIGCHLD and (live) SIGWINCH, through the session's loop. */
int
session_signals(struct session *s)
{
	session_hold_signals();
	s->io.loop = loop_new();
	return loop_add_signals(s->io.loop,
				LOOP_SIG_CHLD | (s->flags & SESSION_LIVE ? LOOP_SIG_WINCH : 0),
				session_on_signal, s);
}

/* Drain every ring into the profile. */
void
session_drain(struct session *s)
{
	if (!s->sampler)
		return;
	sampler_consume(s->sampler, ingest_record, s->ingest);
	ingest_flush(s->ingest);
	/* The debug files' pages this drain's new addresses read go back to the page cache. */
	if (s->sym)
		symres_trim(s->sym);
	session_memory_trim(clock_now_ns());
	/* Old history folds into summary buckets, so long recordings stay bounded. */
	if (s->profile->sched)
		schedmap_advance(s->profile->sched, clock_now_ns());
	/* The window of the flamegraph and hottest functions: the last seconds only. */
	if (s->profile->stacks)
		stacktree_advance(s->profile->stacks, clock_now_ns());
}

/* Read every counter and append the deltas since the last read as one interval ending now. */
int
session_sample(struct session *s)
{
	size_t nslots = counter_set_nslots(s->counters);
	uint64_t now = clock_now_ns();
	struct counter_value *tmp;
	int r;

	if (now <= s->last_ns)
		return 0;
	r = counter_set_read(s->counters, s->cur);
	if (r < 0)
		return r;
	for (size_t i = 0; i < s->profile->ntracks; i++) {
		struct counter_track *tr = &s->profile->tracks[i];
		size_t ev = s->track_ev[i];

		if (!tr->supported)
			continue;
		for (size_t k = 0; k < nslots; k++) {
			const struct counter_value *c, *p;

			if (ev == SIZE_MAX) {
				/* Removed: an uncounted interval keeps the tracks aligned. */
				counter_series_append(&tr->series[k], now - s->start_ns, 0, 0, 0);
				continue;
			}
			c = &s->cur[ev * nslots + k];
			p = &s->prev[ev * nslots + k];
			counter_series_append(
				&tr->series[k], now - s->start_ns,
				c->count >= p->count ? c->count - p->count : 0,
				c->enabled >= p->enabled ? c->enabled - p->enabled : 0,
				c->running >= p->running ? c->running - p->running : 0);
		}
	}
	if (s->nticks == s->ticks_cap) {
		s->ticks_cap = s->ticks_cap ? 2 * s->ticks_cap : 256;
		s->ticks = xreallocarray(s->ticks, s->ticks_cap, sizeof(*s->ticks));
	}
	s->ticks[s->nticks++] = now - s->start_ns;
	tmp = s->prev;
	s->prev = s->cur;
	s->cur = tmp;
	s->last_ns = now;
	session_tasks_sample(s);
	return 0;
}

static void
session_arm_timer(struct session *s)
{
	uint64_t next = s->last_ns + s->interval_ns;
	struct itimerspec its = { 0 };

	if (s->deadline_ns && next > s->deadline_ns)
		next = s->deadline_ns;
	its.it_value.tv_sec = (time_t)(next / 1000000000u);
	its.it_value.tv_nsec = (long)(next % 1000000000u);
	timerfd_settime(s->io.timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
session_on_signal(void *ctx, int signo)
{
	struct session *s = ctx;

	if (signo == SIGCHLD) {
		if (target_reap(&s->target) && s->target.kind == TARGET_COMMAND && !s->end_reason)
			s->end_reason = SESSION_END_COMMAND;
	} else if (signo == SIGWINCH) {
		s->io.st->winch = true;
	} else {
		s->io.st->stopped = true;
		if (!s->end_reason)
			s->end_reason = SESSION_END_SIGNAL;
	}
}

/* The caller's descriptor: readable, or hung up (nothing more will come). */
static void
session_on_input(void *ctx, int fd, short revents)
{
	struct session *s = ctx;

	(void)fd;
	s->io.st->input = true;
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		s->io.st->input_gone = true;
}

/* An attached process exited: its pidfd is watched no more. */
static void
session_on_pidfd(void *ctx, int fd, short revents)
{
	struct session *s = ctx;
	size_t gone = 0;

	(void)revents;
	for (size_t i = 0; i < s->target.npids; i++)
		if (s->io.pid_fds[i] == fd && !s->io.pid_gone[i]) {
			loop_remove(s->io.loop, fd);
			s->io.pid_gone[i] = true;
		}
	for (size_t j = 0; j < s->target.npids; j++)
		gone += s->io.pid_gone[j];
	if (gone == s->target.npids && !s->end_reason)
		s->end_reason = SESSION_END_PROCESSES;
}

/* A ring has records: drained once the step's sources are handled. */
static void
session_on_ring(void *ctx, int fd, short revents)
{
	struct session *s = ctx;

	if (revents & POLLIN)
		s->io.drain = true;
	/* The thread behind this fd exited: its ring is still drained. */
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		loop_remove(s->io.loop, fd);
}

static int session_on_tick(struct session *s, struct session_step *st);

/* The interval timer: read the counters (handled last, after any end the others saw). */
static void
session_on_timer(void *ctx, int fd, short revents)
{
	struct session *s = ctx;

	(void)fd;
	(void)revents;
	if (s->io.was_ended)
		return;
	s->io.err = session_on_tick(s, s->io.st);
	if (s->io.err < 0 && !s->end_reason)
		s->end_reason = SESSION_END_COUNTERS;
	s->io.drain = true;
}

/*
 * The sources one step watches: the signals (from the start), the caller's input, then, until
 * the session ends, the pidfds, the rings and the timer, armed at the first step.
 */
static void
session_watch(struct session *s, int input_fd)
{
	size_t npids = s->target.kind == TARGET_PIDS ? s->target.npids : 0;
	size_t nring = s->sampler ? sampler_nfds(s->sampler) : 0;

	if (input_fd != s->io.input_fd) {
		if (s->io.input_fd >= 0)
			loop_remove(s->io.loop, s->io.input_fd);
		s->io.input_fd = input_fd;
		if (input_fd >= 0)
			loop_add(s->io.loop, input_fd, POLLIN, session_on_input, s);
	}
	if (!s->io.watching) {
		s->io.watching = true;
		for (size_t i = 0; i < npids; i++)
			loop_add(s->io.loop, s->io.pid_fds[i], POLLIN, session_on_pidfd, s);
		for (size_t i = 0; i < nring; i++)
			loop_add(s->io.loop, sampler_fd(s->sampler, i), POLLIN, session_on_ring, s);
		loop_add(s->io.loop, s->io.timer_fd, POLLIN, session_on_timer, s);
		session_arm_timer(s);
	}
	/* Once ended, only the signals and the caller's input matter. */
	if (s->end_reason && !s->io.unwatched) {
		s->io.unwatched = true;
		for (size_t i = 0; i < npids; i++)
			loop_remove(s->io.loop, s->io.pid_fds[i]);
		for (size_t i = 0; i < nring; i++)
			loop_remove(s->io.loop, sampler_fd(s->sampler, i));
		loop_remove(s->io.loop, s->io.timer_fd);
	}
}

/*
 * A process target's sampling events are per CPU, opened on the CPUs online at the start: say
 * once of a CPU that came online since that its samples are missing (its counts are not: the
 * counters follow the threads).
 */
static void
session_check_task_cpus(struct session *s, const struct cpulist *online, double at)
{
	const struct cpulist *have = sampler_task_cpus(s->sampler);

	for (size_t i = 0; i < online->n; i++) {
		int cpu = online->cpus[i];

		if (cpulist_contains(have, cpu) || cpulist_contains(&s->unsampled, cpu))
			continue;
		cpulist_add(&s->unsampled, cpu);
		session_note(s,
			     "CPU %d came online at %.1f s, after the start: no samples are taken "
			     "on it (the counts are complete); start again to sample it too",
			     cpu, at);
	}
}

/*
 * System-wide, say when one of the target's CPUs goes offline (its events stop counting and
 * sampling, the recording goes on with the others) or comes back; for a process target, when a
 * CPU it has no sampling event on comes online.
 */
static void
session_check_cpus(struct session *s)
{
	struct cpulist online = { 0 }, offline = { 0 };
	double at = (double)(s->last_ns - s->start_ns) / 1e9;

	/* A process target without sampling events has nothing a CPU could miss. */
	if (s->target.kind != TARGET_SYSTEM &&
	    (!s->sampler || sampler_task_cpus(s->sampler)->n == 0))
		return;
	if (cpulist_online(&online) < 0 || online.n == 0) {
		cpulist_fini(&online);
		return;
	}
	if (s->target.kind != TARGET_SYSTEM) {
		session_check_task_cpus(s, &online, at);
		cpulist_fini(&online);
		return;
	}
	offline.cpus = xcalloc(s->target.cpus.n + 1, sizeof(int));
	for (size_t i = 0; i < s->target.cpus.n; i++) {
		int cpu = s->target.cpus.cpus[i];
		bool on = false;

		for (size_t k = 0; k < online.n && !on; k++)
			on = online.cpus[k] == cpu;
		if (!on)
			offline.cpus[offline.n++] = cpu;
	}
	for (size_t i = 0; i < offline.n; i++) {
		bool was = false;

		for (size_t k = 0; k < s->offline.n && !was; k++)
			was = s->offline.cpus[k] == offline.cpus[i];
		if (!was)
			session_note(
				s,
				"CPU %d went offline at %.1f s: it is not recorded while offline; "
				"the other CPUs still are",
				offline.cpus[i], at);
	}
	for (size_t k = 0; k < s->offline.n; k++) {
		bool still = false;

		for (size_t i = 0; i < offline.n && !still; i++)
			still = s->offline.cpus[k] == offline.cpus[i];
		if (!still)
			session_note(s, "CPU %d is back online at %.1f s", s->offline.cpus[k], at);
	}
	cpulist_fini(&s->offline);
	s->offline = offline;
	cpulist_fini(&online);
}

/* A timer tick: read the counters, then drain below. */
static int
session_on_tick(struct session *s, struct session_step *st)
{
	uint64_t ticks;
	int r;

	if (read(s->io.timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return 0;
	r = session_sample(s);
	if (r < 0)
		return r;
	session_check_cpus(s);
	session_memory_tick(s);
	st->tick = true;
	if (s->deadline_ns && s->last_ns >= s->deadline_ns && !s->end_reason)
		s->end_reason = SESSION_END_DURATION;
	session_arm_timer(s);
	return 0;
}

int
session_step(struct session *s, int input_fd, int timeout_ms, struct session_step *st)
{
	int r;

	*st = (struct session_step){ 0 };
	session_watch(s, input_fd);
	s->io.st = st;
	s->io.was_ended = s->end_reason != SESSION_END_NONE;
	s->io.drain = false;
	s->io.err = 0;
	r = loop_run_once(s->io.loop, timeout_ms);
	s->io.st = NULL;
	if (r < 0)
		return r;
	if (s->io.drain && !s->io.was_ended)
		session_drain(s);
	if (st->tick) {
		session_journal_append(s);
		session_push_tick(s);
	}
	if (!s->io.was_ended && s->end_reason)
		st->ended = true;
	return s->io.err;
}
