// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A profiling session, driven by the headless recorder and the live screen alike. One poll step: a
 * timerfd ticks at each interval (and at the deadline), a signalfd brings SIGINT/SIGTERM/SIGHUP
 * (stop), SIGCHLD (the command ended) and SIGWINCH (live), pidfds say when attached processes
 * exit, ring fds wake the drain. Each tick reads every counter group once and appends the deltas
 * to the profile; the output is written through a temporary file opened before anything ran.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ringside/app/ingest.h"
#include "ringside/app/loop.h"
#include "ringside/app/session.h"
#include "ringside/export/export.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/perf/counter.h"
#include "ringside/perf/sampler.h"
#include "ringside/perf/schedtp.h"
#include "ringside/perf/sys.h"
#include "ringside/perf/target.h"
#include "ringside/sym/symres.h"
#include "ringside/util/clock.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/rates.h"

struct session {
	const struct record_opts *opts;
	struct evspec_list events;
	struct ratio_def *ratios; /* --ratio, as given */
	size_t nratios;
	struct evspec_list ratio_events; /* each ratio's two events */
	struct target target;
	struct counter_set *counters;
	struct profile *profile;
	struct outfile out;
	struct counter_value *prev, *cur;
	/* Sampling (absent with --no-samples). */
	struct evspec sample_spec;
	enum callgraph_mode callgraph;
	uint32_t stack_size; /* -g dwarf,SIZE */
	struct sampler *sampler;
	struct symres *sym;
	struct ingest *ingest;
	/* The scheduler timeline (absent with --no-sched or without tracefs). */
	struct schedtp *tp;
	struct errbuf sched_why; /* why there is no timeline, said once recording starts */
	struct sampler_tracepoint tps[SCHEDTP_NR_TYPES];
	enum export_format format; /* chosen by -o FILE's extension */
	struct loop *loop; /* signals, the caller's input, pidfds, rings, timer: in that order */
	int timer_fd, input_fd;
	bool watching, unwatched; /* the sources are in the loop; the end took them out */
	struct session_step *st;  /* the step being taken, for the handlers */
	bool drain, was_ended;	  /* this step: a ring woke up; the session had ended before it */
	int step_err;		  /* this step: the counters could not be read */
	int *pid_fds;
	bool *pid_gone;
	uint64_t start_ns, last_ns, interval_ns, deadline_ns;
	enum session_end end_reason;
	unsigned flags;
	uint64_t bad_base;
	bool running, stopped, preloaded;
	/* Per profile track: its event in counters, or SIZE_MAX once removed. */
	size_t *track_ev;
	uint64_t *ticks; /* every interval's end, ns since the start */
	size_t nticks, ticks_cap;
	char **notes;
	size_t nnotes;
	struct cpulist offline;	  /* the target's CPUs that are offline now (system-wide) */
	struct cpulist unsampled; /* CPUs online since the start of a process target's events */
};

static void session_note(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static unsigned long
session_max_sample_rate(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_max_sample_rate", "re");
	unsigned long v = 100000;

	if (f) {
		if (fscanf(f, "%lu", &v) != 1)
			v = 100000;
		fclose(f);
	}
	return v;
}

/* The sampling event, frequency or period, and call-graph mode. */
static int
session_prepare_sampling(struct session *s, struct errbuf *err)
{
	const struct record_opts *o = s->opts;
	unsigned long max = session_max_sample_rate();
	int r;

	if (!callgraph_parse(o->callgraph ? o->callgraph : "fp", &s->callgraph, &s->stack_size))
		return errbuf_fail(err, -EINVAL,
				   "call-graph mode '%s' is unknown; use -g fp, -g dwarf, -g "
				   "dwarf,SIZE (bytes of stack, 8 to %d) or -g none",
				   o->callgraph, CALLGRAPH_STACK_MAX);
	if (o->period == 0 && (o->freq == 0 || o->freq > max))
		return errbuf_fail(err, -EINVAL,
				   "sampling frequency %lu Hz is out of range; choose -F from 1 to "
				   "%lu (kernel.perf_event_max_sample_rate)",
				   o->freq, max);
	if (o->sample_event) {
		r = evspec_parse(&s->sample_spec, o->sample_event, err);
		if (r < 0)
			return r;
	} else {
		evspec_sampling_default(&s->sample_spec);
	}
	return 0;
}

/* The sched tracepoints; without tracefs the recording goes on without the timeline, and says so.
 */
static void
session_prepare_sched(struct session *s)
{
	struct errbuf why;

	int r;

	errbuf_clear(&why);
	r = schedtp_new(&s->tp, NULL, &why);
	if (r < 0) {
		errbuf_fail(&s->sched_why, r, "no scheduler timeline: %s", why.msg);
		return;
	}
	for (int i = 0; i < SCHEDTP_NR_TYPES; i++)
		s->tps[i] =
			(struct sampler_tracepoint){ schedtp_name((enum sched_event_type)i),
						     schedtp_id(s->tp, (enum sched_event_type)i) };
}

/* Drop the scheduler timeline (its tracepoints could not be opened). */
static void
session_drop_sched(struct session *s, int code, const char *why)
{
	errbuf_fail(&s->sched_why, code, "no scheduler timeline: %s; run as root to record it",
		    why);
	schedtp_free(s->tp);
	s->tp = NULL;
}

static bool
session_out_of_fds(int r)
{
	return r == -EMFILE || r == -ENFILE;
}

/* Count spec too, unless an event of the list has its name or canonical name. */
static void
session_count_too(struct session *s, const struct evspec *spec)
{
	for (size_t k = 0; k < s->events.n; k++)
		if (strcmp(s->events.v[k].name, spec->name) == 0 ||
		    strcmp(s->events.v[k].canonical, spec->canonical) == 0)
			return;
	s->events.v = xreallocarray(s->events.v, s->events.n + 1, sizeof(*s->events.v));
	evspec_copy(&s->events.v[s->events.n++], spec);
}

/*
 * The --ratio NAME=A/B options: parsed, names unique, and A and B counted too. Their events are
 * kept (two per ratio) to find their tracks by canonical name once the profile exists.
 */
static int
session_prepare_ratios(struct session *s, struct errbuf *err)
{
	const struct record_opts *o = s->opts;
	struct ratio_def r;
	int rc;

	for (size_t i = 0; i < o->nratios; i++) {
		rc = ratio_parse(&r, o->ratios[i], err);
		if (rc < 0)
			return rc;
		for (size_t k = 0; k < s->nratios; k++)
			if (strcmp(s->ratios[k].name, r.name) == 0) {
				errbuf_fail(
					err, -EINVAL,
					"ratio name '%s' is given twice (--ratio %s); name each "
					"ratio once",
					r.name, o->ratios[i]);
				ratio_fini(&r);
				return -EINVAL;
			}
		s->ratios = xreallocarray(s->ratios, s->nratios + 1, sizeof(*s->ratios));
		s->ratios[s->nratios++] = r;
		s->ratio_events.v = xreallocarray(s->ratio_events.v, s->ratio_events.n + 2,
						  sizeof(struct evspec));
		for (int k = 0; k < 2; k++) {
			struct evspec *spec = &s->ratio_events.v[s->ratio_events.n];

			rc = evspec_parse(spec, k ? r.den : r.num, err);
			if (rc < 0)
				return rc;
			s->ratio_events.n++;
			session_count_too(s, spec);
		}
	}
	return 0;
}

/* Everything that can be checked before anything runs: options, events, target, output. */
static int
session_prepare(struct session *s, struct errbuf *err)
{
	const struct record_opts *o = s->opts;
	int r, targets = !!o->cpus + !!o->pids + !!(o->argv && o->argv[0]);

	if (!o->output && !(s->flags & SESSION_LIVE))
		return errbuf_fail(err, -EINVAL,
				   "record needs -o FILE.json to know where to write");
	s->format = o->output ? export_format_of(o->output) : EXPORT_JSON;
	if (s->format == EXPORT_UNKNOWN)
		return errbuf_fail(
			err, -EINVAL,
			"output '%s' must end in .json (a snapshot), .html (a page to open "
			"in a browser) or .folded (folded stacks)",
			o->output);
	if (s->format == EXPORT_FOLDED && o->no_samples)
		return errbuf_fail(
			err, -EINVAL,
			"a .folded output holds stacks; drop --no-samples or write .json");
	if (o->interval_ms < 10 || o->interval_ms > 3600000)
		return errbuf_fail(err, -EINVAL,
				   "interval %u ms is out of range; choose -I from 10 to 3600000",
				   o->interval_ms);
	if (!(o->duration_s >= 0) || o->duration_s > 1e7)
		return errbuf_fail(err, -EINVAL, "duration must be a positive number of seconds");
	if (targets > 1)
		return errbuf_fail(err, -EINVAL,
				   "choose one target: -C CPUS, -p PIDS or -- COMMAND");
	if (!o->no_samples) {
		r = session_prepare_sampling(s, err);
		if (r < 0)
			return r;
	}
	if (!o->no_sched)
		session_prepare_sched(s);
	if (o->events) {
		r = evspec_list_parse(&s->events, o->events, err);
		if (r < 0)
			return r;
	} else {
		evspec_list_defaults(&s->events);
	}
	r = session_prepare_ratios(s, err);
	if (r < 0)
		return r;
	if (o->pids)
		r = target_init_pids(&s->target, o->pids, err);
	else if (o->argv && o->argv[0]) {
		target_init_command(&s->target, o->argv);
		if (o->command_output)
			s->target.output_fd = o->command_output_fd;
		r = 0;
	} else
		r = target_init_system(&s->target, o->cpus, err);
	if (r < 0)
		return r;
	return o->output ? outfile_open(&s->out, o->output, err) : 0;
}

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
	 * SIGHUP stays ignored under nohup.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
}

static void session_on_signal(void *ctx, int signo);

/* The stop signals, SIGCHLD and (live) SIGWINCH, through the session's loop. */
static int
session_signals(struct session *s)
{
	session_hold_signals();
	s->loop = loop_new();
	return loop_add_signals(s->loop,
				LOOP_SIG_CHLD | (s->flags & SESSION_LIVE ? LOOP_SIG_WINCH : 0),
				session_on_signal, s);
}

/*
 * Describe event ev of the counters in track tr; a supported one gets a series per slot, with an
 * uncounted interval (enabled 0) for each interval recorded before it.
 */
static void
session_track_fill(struct session *s, struct counter_track *tr, size_t ev)
{
	const struct evspec *spec = counter_set_spec(s->counters, ev);

	free(tr->name);
	free(tr->canonical);
	free(tr->pmu);
	free(tr->kind);
	free(tr->reason);
	tr->name = xstrdup(spec->name);
	tr->canonical = xstrdup(spec->canonical);
	tr->pmu = xstrdup(spec->pmu);
	tr->kind = xstrdup(evspec_kind_name(spec->kind));
	tr->type = spec->attr.type;
	tr->config = spec->attr.config;
	tr->config1 = spec->attr.config1;
	tr->config2 = spec->attr.config2;
	tr->exclude_user = spec->attr.exclude_user;
	tr->exclude_kernel = spec->attr.exclude_kernel;
	tr->exclude_hv = spec->attr.exclude_hv;
	tr->supported = counter_set_status(s->counters, ev) == COUNTER_OK;
	tr->reason = xstrdup(counter_set_reason(s->counters, ev));
	if (!tr->supported || tr->nseries)
		return;
	for (size_t k = 0; k < counter_set_nslots(s->counters); k++) {
		struct counter_series *sr =
			counter_track_series(tr, counter_set_slot_cpu(s->counters, k));

		for (size_t i = 0; i < s->nticks; i++)
			counter_series_append(sr, s->ticks[i], 0, 0, 0);
	}
}

/*
 * The name of the track that counts a ratio's event: the user may have named it one way in -e and
 * another in --ratio (migrations, cpu-migrations), and snapshots name a ratio's events as their
 * tracks are named.
 */
static const char *
session_ratio_track(const struct session *s, const struct evspec *spec)
{
	size_t i = profile_track_index(s->profile, spec->name, spec->canonical);

	return i == SIZE_MAX ? spec->name : s->profile->tracks[i].name;
}

static void
session_profile_init(struct session *s)
{
	struct profile_meta *m;
	struct utsname un;
	char host[256] = "";
	struct cpulist online = { 0 };
	const struct target *t = &s->target;

	s->profile = profile_new();
	m = &s->profile->meta;
	m->ringside_version = xstrdup(PACKAGE_VERSION);
	gethostname(host, sizeof(host) - 1);
	m->host = xstrdup(host);
	if (uname(&un) == 0) {
		m->kernel = xstrdup(un.release);
		m->arch = xstrdup(un.machine);
	}
	cpulist_online(&online);
	m->ncpus = (int)online.n;
	cpulist_fini(&online);
	m->target_kind = xstrdup(target_kind_name(t->kind));
	m->target_desc = target_describe(t);
	if (t->kind == TARGET_SYSTEM) {
		m->target_cpus = xcalloc(t->cpus.n, sizeof(int));
		memcpy(m->target_cpus, t->cpus.cpus, t->cpus.n * sizeof(int));
		m->ntarget_cpus = t->cpus.n;
	}
	m->target_pids = xcalloc(t->npids + 1, sizeof(int));
	for (size_t i = 0; i < t->npids; i++)
		m->target_pids[i] = (int)t->pids[i];
	m->ntarget_pids = t->npids;
	for (char **a = t->argv; a && *a; a++) {
		m->command = xreallocarray(m->command, m->ncommand + 1, sizeof(char *));
		m->command[m->ncommand++] = xstrdup(*a);
	}
	m->cmdline = xcalloc(s->opts->cmdline_argc + 1, sizeof(char *));
	for (int i = 0; i < s->opts->cmdline_argc; i++)
		m->cmdline[m->ncmdline++] = xstrdup(s->opts->cmdline_argv[i]);
	m->interval_ns = s->interval_ns;

	s->track_ev = xcalloc(counter_set_nevents(s->counters) + 1, sizeof(*s->track_ev));
	for (size_t ev = 0; ev < counter_set_nevents(s->counters); ev++) {
		session_track_fill(s, profile_add_track(s->profile), ev);
		s->track_ev[ev] = ev;
	}
	for (size_t i = 0; i < s->nratios; i++) {
		struct ratio_def r = s->ratios[i];

		r.num = (char *)session_ratio_track(s, &s->ratio_events.v[2 * i]);
		r.den = (char *)session_ratio_track(s, &s->ratio_events.v[2 * i + 1]);
		profile_set_ratio(s->profile, &r);
	}
}

/*
 * Open the sampling event on the target. When the kernel refuses kernel-mode samples of a process
 * (perf_event_paranoid), sample user space only, as the counters do.
 */
static int
session_open_sampler(struct session *s, struct errbuf *err)
{
	struct sampler_opts so = {
		.event = s->opts->no_samples ? NULL : &s->sample_spec,
		.tracepoints = s->tp ? s->tps : NULL,
		.ntracepoints = s->tp ? SCHEDTP_NR_TYPES : 0,
		.context_switch = s->tp != NULL,
		.freq = s->opts->period ? 0 : s->opts->freq,
		.period = s->opts->period,
		.callgraph = s->callgraph,
		.stack_size = s->stack_size,
	};
	int r;

	if (counter_set_user_only(s->counters)) {
		s->sample_spec.attr.exclude_kernel = 1;
		s->sample_spec.attr.exclude_hv = 1;
	}
	r = sampler_open(&s->sampler, &so, &s->target, err);
	if (r == -ENODEV && s->target.kind != TARGET_SYSTEM) {
		/* A CPU went offline since the online list was read: read it again. */
		errbuf_clear(err);
		r = sampler_open(&s->sampler, &so, &s->target, err);
	}
	if ((r == -EACCES || r == -EPERM) && s->tp && so.event) {
		/* Raw tracepoint data needs more privilege than samples: keep the samples. */
		session_drop_sched(s, r, err->msg);
		so.tracepoints = NULL;
		so.ntracepoints = 0;
		so.context_switch = false;
		errbuf_clear(err);
		r = sampler_open(&s->sampler, &so, &s->target, err);
	}
	if (session_out_of_fds(r) && s->tp && so.event) {
		/* The timeline costs seven descriptors per CPU: keep the samples without it. */
		errbuf_fail(
			&s->sched_why, r,
			"no scheduler timeline: not enough file descriptors for it (ulimit -n is "
			"%lu); raise the limit with ulimit -n to record it",
			sys_fd_limit());
		schedtp_free(s->tp);
		s->tp = NULL;
		so.tracepoints = NULL;
		so.ntracepoints = 0;
		so.context_switch = false;
		errbuf_clear(err);
		r = sampler_open(&s->sampler, &so, &s->target, err);
	}
	if ((r == -EACCES || r == -EPERM) && s->target.kind != TARGET_SYSTEM &&
	    !s->sample_spec.attr.exclude_kernel) {
		errbuf_clear(err);
		s->sample_spec.attr.exclude_kernel = 1;
		s->sample_spec.attr.exclude_hv = 1;
		r = sampler_open(&s->sampler, &so, &s->target, err);
	}
	return r;
}

/* The stack tree, the scheduler timeline, the resolver and the ingest, once the profile exists. */
static void
session_stacks_init(struct session *s)
{
	struct profile_sampling *sm = &s->profile->sampling;

	profile_enable_stacks(s->profile, 0, 10ull * 1000000000u);
	if (s->tp) {
		struct cpulist online = { 0 };
		unsigned ncpus = 1;

		cpulist_online(&online);
		if (online.n)
			ncpus = (unsigned)online.cpus[online.n - 1] + 1;
		cpulist_fini(&online);
		s->profile->sched = schedmap_new(ncpus, 0, 0);
	}
	s->sym = symres_new(s->profile->frames);
	if (!s->opts->no_samples) {
		sm->event = xstrdup(s->sample_spec.name);
		sm->freq = s->opts->period ? 0 : s->opts->freq;
		sm->period = s->opts->period;
		sm->callgraph = xstrdup(callgraph_name(s->callgraph));
	}
	s->ingest = ingest_new(s->profile, s->sym);
	if (s->tp && s->profile->sched)
		ingest_set_sched(s->ingest, s->tp, s->target.kind != TARGET_SYSTEM, 0);
	/* Processes that already run have mapped their code before we could see MMAP2 records. */
	if (s->target.kind == TARGET_PIDS)
		for (size_t i = 0; i < s->target.npids; i++)
			symres_proc_scan(s->sym, s->target.pids[i]);
}

/* Drain every ring into the profile. */
static void
session_drain(struct session *s)
{
	if (!s->sampler)
		return;
	sampler_consume(s->sampler, ingest_record, s->ingest);
	ingest_flush(s->ingest);
	/* Old history folds into summary buckets, so long recordings stay bounded. */
	if (s->profile->sched)
		schedmap_advance(s->profile->sched, clock_now_ns());
	/* The window of the flamegraph and hottest functions: the last seconds only. */
	if (s->profile->stacks)
		stacktree_advance(s->profile->stacks, clock_now_ns());
}

/* Read every counter and append the deltas since the last read as one interval ending now. */
static int
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
	timerfd_settime(s->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
session_on_signal(void *ctx, int signo)
{
	struct session *s = ctx;

	if (signo == SIGCHLD) {
		if (target_reap(&s->target) && s->target.kind == TARGET_COMMAND && !s->end_reason)
			s->end_reason = SESSION_END_COMMAND;
	} else if (signo == SIGWINCH) {
		s->st->winch = true;
	} else {
		s->st->stopped = true;
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
	s->st->input = true;
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		s->st->input_gone = true;
}

/* An attached process exited: its pidfd is watched no more. */
static void
session_on_pidfd(void *ctx, int fd, short revents)
{
	struct session *s = ctx;
	size_t gone = 0;

	(void)revents;
	for (size_t i = 0; i < s->target.npids; i++)
		if (s->pid_fds[i] == fd && !s->pid_gone[i]) {
			loop_remove(s->loop, fd);
			s->pid_gone[i] = true;
		}
	for (size_t j = 0; j < s->target.npids; j++)
		gone += s->pid_gone[j];
	if (gone == s->target.npids && !s->end_reason)
		s->end_reason = SESSION_END_PROCESSES;
}

/* A ring has records: drained once the step's sources are handled. */
static void
session_on_ring(void *ctx, int fd, short revents)
{
	struct session *s = ctx;

	if (revents & POLLIN)
		s->drain = true;
	/* The thread behind this fd exited: its ring is still drained. */
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		loop_remove(s->loop, fd);
}

static int session_on_tick(struct session *s, struct session_step *st);

/* The interval timer: read the counters (handled last, after any end the others saw). */
static void
session_on_timer(void *ctx, int fd, short revents)
{
	struct session *s = ctx;

	(void)fd;
	(void)revents;
	if (s->was_ended)
		return;
	s->step_err = session_on_tick(s, s->st);
	if (s->step_err < 0 && !s->end_reason)
		s->end_reason = SESSION_END_COUNTERS;
	s->drain = true;
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

	if (input_fd != s->input_fd) {
		if (s->input_fd >= 0)
			loop_remove(s->loop, s->input_fd);
		s->input_fd = input_fd;
		if (input_fd >= 0)
			loop_add(s->loop, input_fd, POLLIN, session_on_input, s);
	}
	if (!s->watching) {
		s->watching = true;
		for (size_t i = 0; i < npids; i++)
			loop_add(s->loop, s->pid_fds[i], POLLIN, session_on_pidfd, s);
		for (size_t i = 0; i < nring; i++)
			loop_add(s->loop, sampler_fd(s->sampler, i), POLLIN, session_on_ring, s);
		loop_add(s->loop, s->timer_fd, POLLIN, session_on_timer, s);
		session_arm_timer(s);
	}
	/* Once ended, only the signals and the caller's input matter. */
	if (s->end_reason && !s->unwatched) {
		s->unwatched = true;
		for (size_t i = 0; i < npids; i++)
			loop_remove(s->loop, s->pid_fds[i]);
		for (size_t i = 0; i < nring; i++)
			loop_remove(s->loop, sampler_fd(s->sampler, i));
		loop_remove(s->loop, s->timer_fd);
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

	if (read(s->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return 0;
	r = session_sample(s);
	if (r < 0)
		return r;
	session_check_cpus(s);
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
	s->st = st;
	s->was_ended = s->end_reason != SESSION_END_NONE;
	s->drain = false;
	s->step_err = 0;
	r = loop_run_once(s->loop, timeout_ms);
	s->st = NULL;
	if (r < 0)
		return r;
	if (s->drain && !s->was_ended)
		session_drain(s);
	if (!s->was_ended && s->end_reason)
		st->ended = true;
	return s->step_err;
}

static int
session_open_pidfds(struct session *s, struct errbuf *err)
{
	size_t n = s->target.npids;

	s->pid_fds = xcalloc(n + 1, sizeof(int));
	s->pid_gone = xcalloc(n + 1, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		long fd = syscall(SYS_pidfd_open, s->target.pids[i], 0);

		if (fd < 0) {
			int e = errno;

			s->pid_fds[i] = -1;
			if (e == ESRCH)
				return errbuf_fail(err, -ESRCH,
						   "no process with PID %d (it exited); check it "
						   "with ps",
						   (int)s->target.pids[i]);
			/* Counted as bad input, as a PID that cannot be watched always was. */
			return errbuf_fail(err, -EINVAL, "cannot watch PID %d: %s",
					   (int)s->target.pids[i], strerror(e));
		}
		s->pid_fds[i] = (int)fd;
	}
	return 0;
}

static void
session_format_count(char *buf, size_t len, double v)
{
	char digits[64], *out = buf;
	int n = snprintf(digits, sizeof(digits), "%.0f", v);

	for (int i = 0; i < n && (size_t)(out - buf) + 2 < len; i++) {
		*out++ = digits[i];
		if ((n - i - 1) % 3 == 0 && i != n - 1)
			*out++ = ',';
	}
	*out = '\0';
}

/* A perf-stat-like table on stderr. */
static void
session_summary(const struct session *s)
{
	const struct profile *p = s->profile;
	double secs = (double)p->meta.duration_ns / 1e9;

	fprintf(stderr, "\n Counters for %s, %.2f s:\n\n", p->meta.target_desc, secs);
	for (size_t i = 0; i < p->ntracks; i++) {
		const struct counter_track *t = &p->tracks[i];
		double value, share;
		char num[64], extra[96] = "";

		if (!t->supported || !counter_track_total(t, &value, &share)) {
			fprintf(stderr, "  %22s  %-24s %s\n", "n/a", t->name,
				t->reason ? t->reason : "not counted (never scheduled)");
			continue;
		}
		if (strcmp(t->canonical, "task-clock") == 0 ||
		    strcmp(t->canonical, "cpu-clock") == 0) {
			snprintf(num, sizeof(num), "%.2f msec", value / 1e6);
			if (secs > 0)
				snprintf(extra, sizeof(extra), "%.3f CPUs", value / 1e9 / secs);
		} else {
			session_format_count(num, sizeof(num), value);
			if (secs > 0)
				snprintf(extra, sizeof(extra), "%.1f /s", value / secs);
		}
		if (share < 0.9995)
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
				 "  (%.1f%% counted)", share * 100);
		fprintf(stderr, "  %22s  %-24s %s\n", num, t->name, extra);
	}
	/* The user's ratios over the whole recording, under the events they divide. */
	for (size_t i = 0; i < p->nratios; i++) {
		const struct ratio_def *r = &p->ratios[i];
		const char *why = NULL;
		char num[64], name[96];
		double v;

		snprintf(name, sizeof(name), "%s%s", r->name, r->percent ? " %" : "");
		if (!ratio_value(p, r, SIZE_MAX, &v, &why)) {
			fprintf(stderr, "  %22s  %-24s %s / %s: %s\n", "n/a", name, r->num, r->den,
				why ? why : "no value");
			continue;
		}
		snprintf(num, sizeof(num), r->percent ? "%.2f%%" : "%.3f", v);
		fprintf(stderr, "  %22s  %-24s %s / %s\n", num, name, r->num, r->den);
	}
	fputc('\n', stderr);
}

/* Samples taken and records lost; a loss is always reported, quiet or not. */
static void
session_sampling_summary(const struct profile *p)
{
	const struct profile_sampling *sm = &p->sampling;

	if (sm->event)
		fprintf(stderr, "ringside: %" PRIu64 " samples, %" PRIu64 " lost\n", sm->samples,
			sm->lost);
	if (sm->lost || sm->throttled || sm->bad_records)
		fprintf(stderr,
			"ringside: warning: %" PRIu64 " records lost, %" PRIu64
			" throttling events, %" PRIu64
			" bad records; lower -F or enlarge the rings\n",
			sm->lost, sm->throttled, sm->bad_records);
}

int
session_exit_code(int r)
{
	return errbuf_class_of(r) == ERRBUF_INPUT ? 2 : 1;
}

/* Fill the profile's end metadata as of now. */
static void
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
		s->profile->sampling.bad_records = s->bad_base + sampler_bad_records(s->sampler);
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
	session_fill_end(s, s->end_reason);
}

/*
 * Save p where the output could not go: a new file of a unique name in $TMPDIR
 * (ringside-rescue-XXXXXX.json, O_EXCL, so never a planted file or symlink). Returns its name (the
 * caller's), or NULL when that failed too.
 */
static char *
session_rescue(const struct profile *p)
{
	const char *dir = outfile_tmpdir();
	struct outfile of;
	struct errbuf ignored;
	char *name;

	errbuf_clear(&ignored);
	if (outfile_open_unique(&of, dir, "ringside-rescue-", ".json", &ignored) < 0)
		return NULL;
	name = xstrdup(of.path);
	if (snapshot_write(p, of.fp, &ignored) < 0 || outfile_commit(&of, &ignored) < 0) {
		outfile_abort(&of);
		free(name);
		return NULL;
	}
	return name;
}

int
session_write_output(struct session *s, struct errbuf *err)
{
	char *rescue, *why;
	int r;

	if (!s->out.tmp)
		return 0;
	/* Both failures name the file: export_write_as says "cannot write 'FILE': CAUSE". */
	r = export_write_as(s->profile, s->format, s->out.fp, s->opts->output, err);
	if (r == 0)
		r = outfile_commit(&s->out, err);
	else
		outfile_abort(&s->out);
	if (r == 0)
		return 0;
	rescue = session_rescue(s->profile);
	if (rescue) {
		why = xstrdup(err->msg);
		errbuf_reword(err, "%s; the recording was saved to %s instead", why, rescue);
		free(why);
		free(rescue);
	}
	return r;
}

int
session_save(struct session *s, const char *path, struct errbuf *err)
{
	struct outfile of = { 0 };
	enum export_format f = export_format_of(path);
	int r;

	if (f == EXPORT_UNKNOWN)
		return errbuf_fail(err, -EINVAL, "'%s' must end in " EXPORT_EXTENSIONS, path);
	if (f == EXPORT_FOLDED && !s->profile->stacks)
		return errbuf_fail(err, -EINVAL,
				   "no stacks were sampled; save a .json snapshot instead");
	if (!s->stopped)
		session_fill_end(s, SESSION_END_NONE);
	r = outfile_open(&of, path, err);
	if (r < 0)
		return r;
	r = export_write(s->profile, f, of.fp, err);
	if (r == 0)
		r = outfile_commit(&of, err);
	outfile_abort(&of);
	return r;
}

void
session_report(const struct session *s)
{
	if (!s->opts->quiet)
		session_summary(s);
	if (s->sampler)
		session_sampling_summary(s->profile);
	if (s->profile->sched) {
		fprintf(stderr, "ringside: scheduler: %" PRIu64 " switches, %zu tasks\n",
			s->profile->sched_switches, schedmap_ntasks(s->profile->sched));
	}
}

/* Note a message for the user (shown by the caller: stderr headless, the status line live). */
static void
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

	s->opts = opts;
	s->flags = flags;
	s->timer_fd = s->input_fd = -1;
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

#define SESSION_FD_RESERVE 8

/*
 * Open the counters, then the sampler. When descriptors run out (events x CPUs or threads, plus
 * the rings), drop the last counted event and try again while one is left, and say so: a
 * recording with fewer counters beats none.
 */
static int
session_open_events(struct session *s, struct errbuf *err)
{
	/*
	 * Held while events open, so that descriptors remain afterwards for what the run needs:
	 * the timer, ELF files to symbolize, the snapshot's temporary file.
	 */
	int reserve[SESSION_FD_RESERVE];
	char *dropped = NULL;
	int r;

	for (size_t i = 0; i < SESSION_FD_RESERVE; i++)
		reserve[i] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	for (;;) {
		r = counter_set_open(&s->counters, &s->events, &s->target, err);
		if (r == 0 && (!s->opts->no_samples || s->tp))
			r = session_open_sampler(s, err);
		if (!session_out_of_fds(r) || s->events.n < 2)
			break;
		counter_set_free(s->counters);
		s->counters = NULL;
		sampler_free(s->sampler);
		s->sampler = NULL;
		struct evspec *last = &s->events.v[--s->events.n];
		char *more =
			dropped ? xasprintf("%s, %s", last->name, dropped) : xstrdup(last->name);

		free(dropped);
		dropped = more;
		evspec_fini(last);
		errbuf_clear(err);
	}
	for (size_t i = 0; i < SESSION_FD_RESERVE; i++)
		if (reserve[i] >= 0)
			close(reserve[i]);
	if (r == 0 && dropped)
		session_note(
			s,
			"not enough file descriptors (ulimit -n is %lu) to count every event on "
			"every CPU or thread: %s not counted; raise the limit with ulimit -n",
			sys_fd_limit(), dropped);
	free(dropped);
	if (r < 0)
		/* Permission is the machine's policy, not bad input; a missing PID or CPU is. */
		return r == -ESRCH || r == -ENODEV ? r : -EIO;
	return 0;
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
		return -EIO;
	r = session_open_events(s, err);
	if (r < 0)
		return r;
	if (s->target.kind == TARGET_PIDS && (r = session_open_pidfds(s, err)) < 0)
		return r;
	s->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->timer_fd < 0) {
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
	{
		struct timespec wall;

		clock_gettime(CLOCK_REALTIME, &wall);
		s->profile->meta.start_unix_ns = (int64_t)wall.tv_sec * 1000000000 + wall.tv_nsec;
	}
	s->start_ns = s->last_ns = clock_now_ns();
	s->profile->sched_origin = s->start_ns;
	if (s->ingest && s->tp && s->profile->sched)
		ingest_set_sched(s->ingest, s->tp, s->target.kind != TARGET_SYSTEM, s->start_ns);
	if (opts->duration_s > 0)
		s->deadline_ns = s->start_ns + (uint64_t)llround(opts->duration_s * 1e9);
	if (s->target.kind == TARGET_COMMAND) {
		r = target_start(&s->target, err);
		if (r < 0)
			return -EINVAL;
	} else {
		counter_set_enable(s->counters);
		if (s->sampler)
			sampler_enable(s->sampler);
	}
	s->running = true;
	if (counter_set_user_only(s->counters))
		session_note(s,
			     "kernel.perf_event_paranoid = %d allows counting user space only; "
			     "kernel time is not counted (run as root to count it)",
			     sys_perf_paranoid());
	if (errbuf_isset(&s->sched_why))
		session_note(s, "%s", s->sched_why.msg);
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
	return s->opts->output;
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
session_free(struct session *s)
{
	if (!s)
		return;
	if (s->target.kind == TARGET_COMMAND && s->target.child_running)
		target_stop_child(&s->target);
	outfile_abort(&s->out);
	cpulist_fini(&s->offline);
	cpulist_fini(&s->unsampled);
	ingest_free(s->ingest);
	symres_free(s->sym);
	sampler_free(s->sampler);
	schedtp_free(s->tp);
	if (s->sample_spec.name)
		evspec_fini(&s->sample_spec);
	counter_set_free(s->counters);
	profile_free(s->profile);
	evspec_list_fini(&s->events);
	evspec_list_fini(&s->ratio_events);
	for (size_t i = 0; i < s->nratios; i++)
		ratio_fini(&s->ratios[i]);
	free(s->ratios);
	if (s->pid_fds)
		for (size_t i = 0; i < s->target.npids; i++)
			if (s->pid_fds[i] >= 0)
				close(s->pid_fds[i]);
	free(s->pid_fds);
	free(s->pid_gone);
	free(s->prev);
	free(s->cur);
	free(s->track_ev);
	free(s->ticks);
	target_fini(&s->target);
	if (s->timer_fd >= 0)
		close(s->timer_fd);
	loop_free(s->loop);
	for (size_t i = 0; i < s->nnotes; i++)
		free(s->notes[i]);
	free(s->notes);
	free(s);
}
