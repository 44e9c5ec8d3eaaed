// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A profiling session, driven by the headless recorder and the live screen alike: created with
 * everything checked before anything runs (session_open.c), started (signals taken, the command
 * launched, counters, sampling and scheduler events opened), stepped through the poll loop
 * (session_step.c), stopped, written (session_write.c) and freed; and the events the user adds or
 * removes while it counts.
 */
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "ringside/app/ingest.h"
#include "ringside/app/loop.h"
#include "ringside/model/offcpu.h"
#include "ringside/model/stacktree.h"
#include "ringside/model/timeline.h"
#include "ringside/perf/sys.h"
#include "ringside/util/clock.h"
#include "ringside/util/xalloc.h"
#include "session_impl.h"

static void
session_raise_fd_limit(void)
{
	struct rlimit rl;

	/* Each event on each CPU or thread is a descriptor; allow as many as we may. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Give sig its default action back if it is ignored. */
static void
session_unignore(int sig)
{
	struct sigaction old;

	if (sigaction(sig, NULL, &old) == 0 && !(old.sa_flags & SA_SIGINFO) &&
	    old.sa_handler == SIG_IGN)
		signal(sig, SIG_DFL);
}

void
session_hold_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/*
	 * A background job in a script starts with SIGINT ignored, and an ignored signal never
	 * reaches a signalfd (nor stays pending): take SIGINT and SIGTERM back, once blocked.
	 * SIGHUP stays ignored under nohup. A handler (util/outfile's, which removes a temporary
	 * output if one comes after the signalfd is gone) stays.
	 */
	session_unignore(SIGINT);
	session_unignore(SIGTERM);
}

/* Fill the profile's end metadata as of now. */
void
session_fill_end(struct session *s, enum session_end reason)
{
	struct profile_meta *m = &s->profile->meta;

	m->duration_ns = s->last_ns - s->start_ns;
	free(m->end_reason);
	m->end_reason = xstrdup(session_end_name(reason));
	if (s->target.kind == TARGET_COMMAND && !s->target.child_running) {
		int st = s->target.child_status;

		m->command_exit = WIFEXITED(st)	    ? WEXITSTATUS(st)
				  : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
						    : -1;
	}
	if (s->sampler) {
		s->profile->sampling.bad_records = sampler_bad_records(s->sampler);
	}
}

void
session_stop(struct session *s)
{
	if (!s || s->stopped || !s->profile)
		return;
	s->stopped = true;
	if (!s->end_reason)
		s->end_reason = SESSION_END_SIGNAL;
	/* The last, partial interval: everything up to the end is kept (a deadline tick read it).
	 */
	if (s->end_reason != SESSION_END_DURATION && session_sample(s) < 0)
		session_note(s, "the final counter read failed; the profile ends at the last "
				"interval");
	if (s->target.kind == TARGET_COMMAND && s->target.child_running)
		target_stop_child(&s->target);
	/*
	 * The rings hold records up to now, which may be well after the last read when the
	 * machine is busy: the timeline ends where the counters do.
	 */
	if (s->ingest)
		ingest_set_end(s->ingest, s->last_ns);
	session_drain(s);
	/* After the drain: the samples' task names are there for threads gone. */
	session_tasks_close(s);
	/* Threads still off CPU at the end: their waits so far are kept. */
	if (s->offcpu)
		offcpu_finish(s->offcpu, s->last_ns);
	session_fill_end(s, s->end_reason);
	session_note_no_samples(s);
}

/* Note a message for the user (shown by the caller: stderr headless, the status line live). */
void
session_note(struct session *s, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg)
		return;
	s->notes = xreallocarray(s->notes, s->nnotes + 2, sizeof(char *));
	s->notes[s->nnotes++] = msg;
	s->notes[s->nnotes] = NULL;
}

int
session_new(struct session **out, const struct record_opts *opts, unsigned flags,
	    struct errbuf *err)
{
	struct session *s = xcalloc(1, sizeof(*s));
	int r;

	session_memory_init();
	/*
	 * Large arrays (the scheduler map's runs, the stack tree) grow by realloc: from 128 KiB on
	 * they are mapped of their own, so that growing moves no bytes and freeing gives the memory
	 * back, and the heap's free top goes back too (glibc would raise the first threshold to the
	 * largest block freed, and keep 128 KiB..32 MiB blocks in a fragmenting heap).
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
	s->opts = opts;
	s->flags = flags;
	s->io.timer_fd = s->io.input_fd = -1;
	/*
	 * libdw's debuginfo lookup fetches over the network when DEBUGINFOD_URLS is set, which
	 * would stall the loop on a module's first miss: symbols come from local files only.
	 */
	unsetenv("DEBUGINFOD_URLS");
	r = session_prepare(s, err);
	if (r < 0) {
		session_free(s);
		return r;
	}
	*out = s;
	return 0;
}

/*
 * Run at --nice's priority (default SESSION_NICE, above the default 0) where allowed: ringside
 * must drain its rings while the machine it watches is overloaded. At an equal share, a load of 40
 * runnable tasks on 2 CPUs left the reader 100-170 ms behind its wake-ups, and rings that a
 * switch-heavy load fills at 16 MB/s a CPU overflowed (tests/live/sched_perf.sh); at nice -5 it
 * lost nothing. The default only ever raises the priority; --nice sets it either way. Where that is
 * not allowed (raising it without root), the priority quietly stays.
 */
static void
session_raise_priority(const struct record_opts *opts)
{
	int want = opts->nice_set ? opts->nice : SESSION_NICE, now;

	errno = 0;
	now = getpriority(PRIO_PROCESS, 0);
	if (errno == 0 && (opts->nice_set ? want != now : want < now))
		(void)setpriority(PRIO_PROCESS, 0, want);
}

int
session_start(struct session *s, bool preload, struct errbuf *err)
{
	const struct record_opts *opts = s->opts;
	size_t nvalues;
	int r;

	session_raise_fd_limit();
	r = session_signals(s);
	if (r < 0)
		return errbuf_fail(err, -EIO, "cannot set up signal handling: %s", strerror(-r));
	if (s->target.kind == TARGET_COMMAND && (r = target_launch(&s->target, err)) < 0)
		return errbuf_recode(err, ERRBUF_RUNTIME, -EIO);
	session_raise_priority(opts); /* after the launch: the command keeps the caller's */
	r = session_open_events(s, err);
	if (r < 0)
		return r;
	if (s->target.kind == TARGET_PIDS && (r = session_open_pidfds(s, err)) < 0)
		return r;
	s->io.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->io.timer_fd < 0) {
		int e = errno;

		return errbuf_fail(err, -EIO,
				   "cannot create a timer: %s; raise the limit with ulimit -n",
				   strerror(e));
	}
	s->interval_ns = (uint64_t)opts->interval_ms * 1000000u;
	nvalues = counter_set_nevents(s->counters) * counter_set_nslots(s->counters);
	s->prev = xcalloc(nvalues + 1, sizeof(*s->prev));
	s->cur = xcalloc(nvalues + 1, sizeof(*s->cur));
	session_profile_init(s);
	if (s->sampler)
		session_stacks_init(s);
	if (preload)
		session_preload(s);
	/*
	 * Per-task counters first: system-wide, finding the busiest threads reads every thread's
	 * schedstat (20 ms on a busy machine), which must not stand between the start time and
	 * the counters' start (record_system.sh's SIGINT check saw cpu-clock 3.6% short of it).
	 * Its rows count from a provisional start; the real one is taken below. The live screen
	 * system-wide (no preload) looks after its first frame (session_preload): that look is
	 * most of the time to it (~15 ms of the ~25 here).
	 */
	s->start_ns = clock_now_ns();
	session_tasks_init(s, !preload && s->target.kind == TARGET_SYSTEM);
	{
		struct timespec wall;

		clock_gettime(CLOCK_REALTIME, &wall);
		s->profile->meta.start_unix_ns = (int64_t)wall.tv_sec * 1000000000 + wall.tv_nsec;
	}
	s->start_ns = s->last_ns = clock_now_ns();
	s->profile->sched_origin = s->start_ns;
	/* Every sample's time, for ranges and the flame chart (bounded: see model/timeline). */
	if (s->profile->stacks)
		stacktree_set_timeline(s->profile->stacks, timeline_new(s->start_ns, 0));
	if (s->profile->stacks && opts->push.url) {
		s->pusher = pusher_new(&opts->push, s->profile->meta.start_unix_ns, err);
		if (!s->pusher)
			return err->code;
		s->push_last_ns = s->start_ns;
	}
	if (s->ingest && s->sched.tp && s->profile->sched) {
		ingest_set_sched(s->ingest, s->sched.tp, s->target.kind != TARGET_SYSTEM,
				 s->start_ns);
		if (s->offcpu_on) {
			profile_enable_offcpu(s->profile, 0);
			s->profile->offcpu_user = !opts->off_cpu_kernel;
			s->offcpu = offcpu_new(s->profile->offcpu, s->profile->frames, s->start_ns);
			ingest_set_offcpu(s->ingest, s->offcpu);
		}
	}
	if (opts->duration_s > 0)
		s->deadline_ns = s->start_ns + (uint64_t)llround(opts->duration_s * 1e9);
	if (s->target.kind == TARGET_COMMAND) {
		r = target_start(&s->target, err);
		if (r < 0)
			return errbuf_recode(err, ERRBUF_INPUT, -EINVAL);
	} else {
		counter_set_enable(s->counters);
		if (s->sampler)
			sampler_enable(s->sampler);
	}
	s->running = true;
	session_note_targets(s);
	if (counter_set_user_only(s->counters))
		session_note(s,
			     "kernel.perf_event_paranoid = %d allows counting user space only; "
			     "kernel time is not counted (run as root to count it)",
			     sys_perf_paranoid());
	if (errbuf_isset(&s->sched.why))
		session_note(s, "%s", s->sched.why.msg);
	return 0;
}

/* Events can change only while the session counts. */
static int
session_can_change(const struct session *s, struct errbuf *err)
{
	if (!s->running || !s->profile)
		return errbuf_fail(err, -EINVAL,
				   "the session has not started; events change once it counts");
	if (s->stopped || s->end_reason)
		return errbuf_fail(err, -EINVAL,
				   "the session has ended (%s); events change only while it runs",
				   s->end_reason ? session_end_name(s->end_reason) : "stopped");
	return 0;
}

int
session_add_event(struct session *s, const char *text, struct errbuf *err)
{
	size_t nslots, nev, ti;
	struct evspec spec = { 0 };
	int r, ev;

	r = session_can_change(s, err);
	if (r < 0)
		return r;
	r = evspec_parse(&spec, text, err);
	if (r < 0)
		goto out;
	ti = profile_track_index(s->profile, spec.name, spec.canonical);
	if (ti != SIZE_MAX && s->track_ev[ti] != SIZE_MAX) {
		r = errbuf_fail(err, -EINVAL, "%s is counted already; d removes it",
				s->profile->tracks[ti].name);
		goto out;
	}
	/* End the interval here: the new event's first one is then exact, and nothing is lost. */
	r = session_sample(s);
	if (r < 0) {
		errbuf_fail(err, r, "reading the counters failed: %s", strerror(-r));
		goto out;
	}
	ev = counter_set_add(s->counters, &spec, &s->target, err);
	if (ev < 0) {
		r = ev;
		goto out;
	}
	nslots = counter_set_nslots(s->counters);
	nev = counter_set_nevents(s->counters);
	s->prev = xreallocarray(s->prev, nev * nslots + 1, sizeof(*s->prev));
	s->cur = xreallocarray(s->cur, nev * nslots + 1, sizeof(*s->cur));
	memset(&s->prev[(size_t)ev * nslots], 0, nslots * sizeof(*s->prev));
	memset(&s->cur[(size_t)ev * nslots], 0, nslots * sizeof(*s->cur));
	if (ti == SIZE_MAX) {
		s->track_ev =
			xreallocarray(s->track_ev, s->profile->ntracks + 1, sizeof(*s->track_ev));
		ti = s->profile->ntracks;
		profile_add_track(s->profile)->added_ns = s->last_ns - s->start_ns;
	}
	session_track_fill(s, &s->profile->tracks[ti], (size_t)ev);
	s->profile->tracks[ti].removed_ns = 0;
	s->track_ev[ti] = (size_t)ev;
	r = (int)ti;
out:
	if (spec.name)
		evspec_fini(&spec);
	return r;
}

int
session_remove_event(struct session *s, const char *name, struct errbuf *err)
{
	struct counter_track *tr;
	size_t ti;
	int r;

	r = session_can_change(s, err);
	if (r < 0)
		return r;
	ti = profile_track_index(s->profile, name, name);
	if (ti == SIZE_MAX || s->track_ev[ti] == SIZE_MAX)
		return errbuf_fail(err, -EINVAL, "%s is not counted now; nothing to remove", name);
	/* Its last interval ends here, with what it counted up to now. */
	r = session_sample(s);
	if (r < 0)
		return errbuf_fail(err, r, "reading the counters failed: %s", strerror(-r));
	counter_set_remove(s->counters, s->track_ev[ti]);
	s->track_ev[ti] = SIZE_MAX;
	tr = &s->profile->tracks[ti];
	tr->removed_ns = s->last_ns - s->start_ns;
	if (!tr->removed_ns)
		tr->removed_ns = 1;
	return (int)ti;
}

bool
session_event_counted(const struct session *s, size_t track)
{
	return s->track_ev && track < s->profile->ntracks && s->track_ev[track] != SIZE_MAX &&
	       !s->stopped && !s->end_reason;
}

void
session_preload(struct session *s)
{
	session_tasks_late(s);
	if (s->sym && !s->opts->no_samples && !s->preloaded)
		symres_preload(s->sym);
	s->preloaded = true;
}

const char *
session_end_name(enum session_end why)
{
	static const char *const names[] = {
		[SESSION_END_NONE] = "running",
		[SESSION_END_DURATION] = "duration",
		[SESSION_END_SIGNAL] = "signal",
		[SESSION_END_COMMAND] = "command exited",
		[SESSION_END_PROCESSES] = "processes exited",
		[SESSION_END_COUNTERS] = "counters failed",
	};

	return (unsigned)why < sizeof(names) / sizeof(names[0]) ? names[why] : "?";
}

enum session_end
session_end_reason(const struct session *s)
{
	return s->end_reason;
}

void
session_end(struct session *s, enum session_end reason)
{
	if (!s->end_reason)
		s->end_reason = reason;
}

struct profile *
session_profile(struct session *s)
{
	return s->profile;
}

uint64_t
session_elapsed_ns(const struct session *s)
{
	if (!s->running)
		return 0;
	if (s->stopped || s->end_reason)
		return s->last_ns - s->start_ns;
	return clock_now_ns() - s->start_ns;
}

const char *
session_output(const struct session *s)
{
	return s->output;
}

const char *const *
session_notes_since(const struct session *s, size_t *seen)
{
	static const char *const none[] = { NULL };
	size_t from = *seen < s->nnotes ? *seen : s->nnotes;

	*seen = s->nnotes;
	return s->notes ? (const char *const *)s->notes + from : none;
}

void
session_close_events(struct session *s)
{
	if (!s->stopped)
		return;
	session_tasks_close(s);
	sampler_spill_stats(s->sampler, &s->spilled, &s->spill_peak);
	sampler_free(s->sampler);
	s->sampler = NULL;
	counter_set_free(s->counters);
	s->counters = NULL;
}

void
session_free(struct session *s)
{
	if (!s)
		return;
	session_memory_report(s);
	if (s->target.kind == TARGET_COMMAND && s->target.child_running)
		target_stop_child(&s->target);
	outfile_abort(&s->out);
	free(s->output);
	journal_close(s->journal, false);
	if (s->pusher) {
		/* No output was written (live without -o): the parts queued still go. */
		struct errbuf e;

		errbuf_clear(&e);
		pusher_finish(s->pusher, &e);
	}
	cpulist_fini(&s->offline);
	cpulist_fini(&s->unsampled);
	ingest_free(s->ingest);
	offcpu_free(s->offcpu);
	symres_free(s->sym);
	sampler_free(s->sampler);
	schedtp_free(s->sched.tp);
	kvmtp_free(s->kvm.tp);
	if (s->sample_spec.name)
		evspec_fini(&s->sample_spec);
	sampspec_list_fini(&s->sample_list);
	counter_set_free(s->counters);
	session_tasks_close(s);
	profile_free(s->profile);
	evspec_list_fini(&s->events);
	evspec_list_fini(&s->ratio_events);
	for (size_t i = 0; i < s->nratios; i++)
		ratio_fini(&s->ratios[i]);
	free(s->ratios);
	if (s->io.pid_fds)
		for (size_t i = 0; i < s->target.npids; i++)
			if (s->io.pid_fds[i] >= 0)
				close(s->io.pid_fds[i]);
	free(s->io.pid_fds);
	free(s->io.pid_gone);
	free(s->prev);
	free(s->cur);
	free(s->track_ev);
	free(s->ticks);
	target_fini(&s->target);
	if (s->io.timer_fd >= 0)
		close(s->io.timer_fd);
	loop_free(s->io.loop);
	for (size_t i = 0; i < s->nnotes; i++)
		free(s->notes[i]);
	free(s->notes);
	free(s);
}
