// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Headless recording. One poll loop: a timerfd ticks at each interval (and at the deadline), a
 * signalfd brings SIGINT/SIGTERM/SIGHUP (stop) and SIGCHLD (the command ended), pidfds say when
 * attached processes exit. Each tick reads every counter group once and appends the deltas to the
 * profile; the end writes the snapshot through a temporary file opened before recording started.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
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

#include "ringside/core/ingest.h"
#include "ringside/core/outfile.h"
#include "ringside/core/record.h"
#include "ringside/core/xalloc.h"
#include "ringside/export/export.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/perf/counter.h"
#include "ringside/perf/sampler.h"
#include "ringside/perf/schedtp.h"
#include "ringside/perf/sys.h"
#include "ringside/perf/target.h"
#include "ringside/sym/symres.h"

enum record_exit { RECORD_OK = 0, RECORD_FAILED = 1, RECORD_BAD_INPUT = 2 };

struct record {
	const struct record_opts *opts;
	struct evspec_list events;
	struct target target;
	struct counter_set *counters;
	struct profile *profile;
	struct outfile out;
	struct counter_value *prev, *cur;
	/* Sampling (absent with --no-samples). */
	struct evspec sample_spec;
	enum callgraph_mode callgraph;
	struct sampler *sampler;
	struct symres *sym;
	struct ingest *ingest;
	/* The scheduler timeline (absent with --no-sched or without tracefs). */
	struct schedtp *tp;
	struct errbuf sched_why; /* why there is no timeline, said once recording starts */
	struct sampler_tracepoint tps[SCHEDTP_NR_TYPES];
	enum export_format format; /* chosen by -o FILE's extension */
	int sig_fd, timer_fd;
	int *pid_fds;
	bool *pid_gone;
	uint64_t start_ns, last_ns, interval_ns, deadline_ns;
	const char *end_reason;
};

static uint64_t
record_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
record_fail(int code, const struct errbuf *err)
{
	fprintf(stderr, "ringside: %s\n", err->msg);
	return code;
}

static unsigned long
record_max_sample_rate(void)
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
record_prepare_sampling(struct record *rec, struct errbuf *err)
{
	const struct record_opts *o = rec->opts;
	unsigned long max = record_max_sample_rate();
	int r;

	if (!callgraph_parse(o->callgraph ? o->callgraph : "fp", &rec->callgraph))
		return errbuf_set(err, "call-graph mode '%s' is unknown; use -g fp or -g none",
				  o->callgraph);
	if (o->period == 0 && (o->freq == 0 || o->freq > max))
		return errbuf_set(err,
				  "sampling frequency %lu Hz is out of range; choose -F from 1 to "
				  "%lu (kernel.perf_event_max_sample_rate)",
				  o->freq, max);
	if (o->sample_event) {
		r = evspec_parse(&rec->sample_spec, o->sample_event, err);
		if (r < 0)
			return r;
	} else {
		evspec_sampling_default(&rec->sample_spec);
	}
	return 0;
}

/* The sched tracepoints; without tracefs the recording goes on without the timeline, and says so.
 */
static void
record_prepare_sched(struct record *rec)
{
	struct errbuf why;

	errbuf_clear(&why);
	if (schedtp_new(&rec->tp, NULL, &why) < 0) {
		errbuf_set(&rec->sched_why, "no scheduler timeline: %s", why.msg);
		return;
	}
	for (int i = 0; i < SCHEDTP_NR_TYPES; i++)
		rec->tps[i] = (struct sampler_tracepoint){ schedtp_name((enum sched_event_type)i),
							   schedtp_id(rec->tp,
								      (enum sched_event_type)i) };
}

/* Drop the scheduler timeline (its tracepoints could not be opened). */
static void
record_drop_sched(struct record *rec, const char *why)
{
	errbuf_set(&rec->sched_why, "no scheduler timeline: %s; run as root to record it", why);
	schedtp_free(rec->tp);
	rec->tp = NULL;
}

/* Everything that can be checked before anything runs: options, events, target, output. */
static int
record_prepare(struct record *rec, struct errbuf *err)
{
	const struct record_opts *o = rec->opts;
	int r, targets = !!o->cpus + !!o->pids + !!(o->argv && o->argv[0]);

	rec->format = export_format_of(o->output);
	if (rec->format == EXPORT_UNKNOWN)
		return errbuf_set(
			err,
			"output '%s' must end in .json (a snapshot), .html (a page to open "
			"in a browser) or .folded (folded stacks)",
			o->output);
	if (rec->format == EXPORT_FOLDED && o->no_samples)
		return errbuf_set(
			err, "a .folded output holds stacks; drop --no-samples or write .json");
	if (o->interval_ms < 10 || o->interval_ms > 3600000)
		return errbuf_set(err,
				  "interval %u ms is out of range; choose -I from 10 to 3600000",
				  o->interval_ms);
	if (!(o->duration_s >= 0) || o->duration_s > 1e7)
		return errbuf_set(err, "duration must be a positive number of seconds"), -EINVAL;
	if (targets > 1)
		return errbuf_set(err, "choose one target: -C CPUS, -p PIDS or -- COMMAND"),
		       -EINVAL;
	if (!o->no_samples) {
		r = record_prepare_sampling(rec, err);
		if (r < 0)
			return r;
	}
	if (!o->no_sched)
		record_prepare_sched(rec);
	if (o->events) {
		r = evspec_list_parse(&rec->events, o->events, err);
		if (r < 0)
			return r;
	} else {
		evspec_list_defaults(&rec->events);
	}
	if (o->pids)
		r = target_init_pids(&rec->target, o->pids, err);
	else if (o->argv && o->argv[0])
		target_init_command(&rec->target, o->argv), r = 0;
	else
		r = target_init_system(&rec->target, o->cpus, err);
	if (r < 0)
		return r;
	return outfile_open(&rec->out, o->output, err);
}

static void
record_raise_fd_limit(void)
{
	struct rlimit rl;

	/* Each event on each CPU or thread is a descriptor; allow as many as we may. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int
record_signals(struct record *rec, sigset_t *old)
{
	sigset_t set;

	/*
	 * A background job in a script starts with SIGINT ignored, and an ignored signal never
	 * reaches a signalfd: take SIGINT and SIGTERM back. SIGHUP stays ignored under nohup.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, old);
	rec->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return rec->sig_fd < 0 ? -errno : 0;
}

static void
record_profile_init(struct record *rec)
{
	struct profile_meta *m;
	struct utsname un;
	char host[256] = "";
	struct cpulist online = { 0 };
	const struct target *t = &rec->target;

	rec->profile = profile_new();
	m = &rec->profile->meta;
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
	m->cmdline = xcalloc(rec->opts->cmdline_argc + 1, sizeof(char *));
	for (int i = 0; i < rec->opts->cmdline_argc; i++)
		m->cmdline[m->ncmdline++] = xstrdup(rec->opts->cmdline_argv[i]);
	m->interval_ns = rec->interval_ns;

	for (size_t ev = 0; ev < counter_set_nevents(rec->counters); ev++) {
		const struct evspec *spec = counter_set_spec(rec->counters, ev);
		struct counter_track *tr = profile_add_track(rec->profile);

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
		tr->supported = counter_set_status(rec->counters, ev) == COUNTER_OK;
		tr->reason = xstrdup(counter_set_reason(rec->counters, ev));
		if (!tr->supported)
			continue;
		for (size_t s = 0; s < counter_set_nslots(rec->counters); s++)
			counter_track_series(tr, counter_set_slot_cpu(rec->counters, s));
	}
}

/*
 * Open the sampling event on the target. When the kernel refuses kernel-mode samples of a process
 * (perf_event_paranoid), sample user space only, as the counters do.
 */
static int
record_open_sampler(struct record *rec, struct errbuf *err)
{
	struct sampler_opts so = {
		.event = rec->opts->no_samples ? NULL : &rec->sample_spec,
		.tracepoints = rec->tp ? rec->tps : NULL,
		.ntracepoints = rec->tp ? SCHEDTP_NR_TYPES : 0,
		.context_switch = rec->tp != NULL,
		.freq = rec->opts->period ? 0 : rec->opts->freq,
		.period = rec->opts->period,
		.callgraph = rec->callgraph,
	};
	int r;

	if (counter_set_user_only(rec->counters)) {
		rec->sample_spec.attr.exclude_kernel = 1;
		rec->sample_spec.attr.exclude_hv = 1;
	}
	r = sampler_open(&rec->sampler, &so, &rec->target, err);
	if ((r == -EACCES || r == -EPERM) && rec->tp && so.event) {
		/* Raw tracepoint data needs more privilege than samples: keep the samples. */
		record_drop_sched(rec, err->msg);
		so.tracepoints = NULL;
		so.ntracepoints = 0;
		so.context_switch = false;
		errbuf_clear(err);
		r = sampler_open(&rec->sampler, &so, &rec->target, err);
	}
	if ((r == -EACCES || r == -EPERM) && rec->target.kind != TARGET_SYSTEM &&
	    !rec->sample_spec.attr.exclude_kernel) {
		errbuf_clear(err);
		rec->sample_spec.attr.exclude_kernel = 1;
		rec->sample_spec.attr.exclude_hv = 1;
		r = sampler_open(&rec->sampler, &so, &rec->target, err);
	}
	return r;
}

/* The stack tree, the scheduler timeline, the resolver and the ingest, once the profile exists. */
static void
record_stacks_init(struct record *rec)
{
	struct profile_sampling *sm = &rec->profile->sampling;

	profile_enable_stacks(rec->profile, 0, 10ull * 1000000000u);
	if (rec->tp) {
		struct cpulist online = { 0 };
		unsigned ncpus = 1;

		cpulist_online(&online);
		if (online.n)
			ncpus = (unsigned)online.cpus[online.n - 1] + 1;
		cpulist_fini(&online);
		rec->profile->sched = schedmap_new(ncpus, 0, 0);
	}
	rec->sym = symres_new(rec->profile->frames);
	if (!rec->opts->no_samples) {
		sm->event = xstrdup(rec->sample_spec.name);
		sm->freq = rec->opts->period ? 0 : rec->opts->freq;
		sm->period = rec->opts->period;
		sm->callgraph = xstrdup(callgraph_name(rec->callgraph));
		/* Before the workload starts (or sampling is enabled), not at its expense. */
		symres_preload(rec->sym);
	}
	rec->ingest = ingest_new(rec->profile, rec->sym);
	if (rec->tp && rec->profile->sched)
		ingest_set_sched(rec->ingest, rec->tp, rec->target.kind != TARGET_SYSTEM, 0);
	/* Processes that already run have mapped their code before we could see MMAP2 records. */
	if (rec->target.kind == TARGET_PIDS)
		for (size_t i = 0; i < rec->target.npids; i++)
			symres_proc_scan(rec->sym, rec->target.pids[i]);
}

/* "999 Hz" or "every 100000 events", for messages. */
static const char *
record_rate(const struct record *rec)
{
	static char buf[64];

	if (rec->opts->period)
		snprintf(buf, sizeof(buf), "every %lu events", rec->opts->period);
	else
		snprintf(buf, sizeof(buf), "%lu Hz", rec->opts->freq);
	return buf;
}

/* Drain every ring into the profile. */
static void
record_drain(struct record *rec)
{
	if (!rec->sampler)
		return;
	sampler_consume(rec->sampler, ingest_record, rec->ingest);
	ingest_flush(rec->ingest);
	/* Old history folds into summary buckets, so long recordings stay bounded. */
	if (rec->profile->sched)
		schedmap_advance(rec->profile->sched, record_now());
}

/* Read every counter and append the deltas since the last read as one interval ending now. */
static int
record_sample(struct record *rec)
{
	size_t nslots = counter_set_nslots(rec->counters), nev = counter_set_nevents(rec->counters);
	uint64_t now = record_now();
	struct counter_value *tmp;
	int r;

	if (now <= rec->last_ns)
		return 0;
	r = counter_set_read(rec->counters, rec->cur);
	if (r < 0)
		return r;
	for (size_t ev = 0; ev < nev; ev++) {
		struct counter_track *tr = &rec->profile->tracks[ev];

		if (!tr->supported)
			continue;
		for (size_t s = 0; s < nslots; s++) {
			const struct counter_value *c = &rec->cur[ev * nslots + s],
						   *p = &rec->prev[ev * nslots + s];

			counter_series_append(
				&tr->series[s], now - rec->start_ns,
				c->count >= p->count ? c->count - p->count : 0,
				c->enabled >= p->enabled ? c->enabled - p->enabled : 0,
				c->running >= p->running ? c->running - p->running : 0);
		}
	}
	tmp = rec->prev;
	rec->prev = rec->cur;
	rec->cur = tmp;
	rec->last_ns = now;
	return 0;
}

static void
record_arm_timer(struct record *rec)
{
	uint64_t next = rec->last_ns + rec->interval_ns;
	struct itimerspec its = { 0 };

	if (rec->deadline_ns && next > rec->deadline_ns)
		next = rec->deadline_ns;
	its.it_value.tv_sec = (time_t)(next / 1000000000u);
	its.it_value.tv_nsec = (long)(next % 1000000000u);
	timerfd_settime(rec->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void
record_on_signal(struct record *rec)
{
	struct signalfd_siginfo si;

	while (read(rec->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGCHLD) {
			if (target_reap(&rec->target) && rec->target.kind == TARGET_COMMAND &&
			    !rec->end_reason)
				rec->end_reason = "command exited";
		} else if (!rec->end_reason) {
			rec->end_reason = "signal";
		}
	}
}

static void
record_on_pidfd(struct record *rec, size_t i)
{
	size_t gone = 0;

	rec->pid_gone[i] = true;
	for (size_t j = 0; j < rec->target.npids; j++)
		gone += rec->pid_gone[j];
	if (gone == rec->target.npids && !rec->end_reason)
		rec->end_reason = "processes exited";
}

static int
record_loop(struct record *rec)
{
	size_t npids = rec->target.kind == TARGET_PIDS ? rec->target.npids : 0;
	size_t nring = rec->sampler ? sampler_nfds(rec->sampler) : 0, base = 2 + npids;
	struct pollfd *pfd = xcalloc(base + nring, sizeof(*pfd));
	int r = 0;

	pfd[0] = (struct pollfd){ .fd = rec->timer_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = rec->sig_fd, .events = POLLIN };
	for (size_t i = 0; i < npids; i++)
		pfd[2 + i] = (struct pollfd){ .fd = rec->pid_fds[i], .events = POLLIN };
	for (size_t i = 0; i < nring; i++)
		pfd[base + i] =
			(struct pollfd){ .fd = sampler_fd(rec->sampler, i), .events = POLLIN };
	record_arm_timer(rec);
	while (!rec->end_reason) {
		bool drain = false;

		if (poll(pfd, base + nring, -1) < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		if (pfd[1].revents)
			record_on_signal(rec);
		for (size_t i = 0; i < nring; i++) {
			if (pfd[base + i].revents & POLLIN)
				drain = true;
			/* The thread behind this fd exited: its ring is still drained below. */
			if (pfd[base + i].revents & (POLLHUP | POLLERR | POLLNVAL))
				pfd[base + i].fd = -1;
		}
		for (size_t i = 0; i < npids; i++) {
			if (pfd[2 + i].revents && !rec->pid_gone[i]) {
				pfd[2 + i].fd = -1;
				record_on_pidfd(rec, i);
			}
		}
		if (pfd[0].revents) {
			uint64_t ticks;

			if (read(rec->timer_fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
				continue;
			drain = true;
			r = record_sample(rec);
			if (r < 0)
				break;
			if (rec->deadline_ns && rec->last_ns >= rec->deadline_ns &&
			    !rec->end_reason)
				rec->end_reason = "duration";
			record_arm_timer(rec);
		}
		if (drain)
			record_drain(rec);
	}
	free(pfd);
	return r;
}

static int
record_open_pidfds(struct record *rec, struct errbuf *err)
{
	size_t n = rec->target.npids;

	rec->pid_fds = xcalloc(n + 1, sizeof(int));
	rec->pid_gone = xcalloc(n + 1, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		long fd = syscall(SYS_pidfd_open, rec->target.pids[i], 0);

		if (fd < 0) {
			rec->pid_fds[i] = -1;
			if (errno == ESRCH)
				return errbuf_set(err,
						  "no process with PID %d (it exited); check it "
						  "with ps",
						  (int)rec->target.pids[i]),
				       -ESRCH;
			return errbuf_set(err, "cannot watch PID %d: %s", (int)rec->target.pids[i],
					  strerror(errno)),
			       -errno;
		}
		rec->pid_fds[i] = (int)fd;
	}
	return 0;
}

static void
record_format_count(char *buf, size_t len, double v)
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
record_summary(const struct record *rec)
{
	const struct profile *p = rec->profile;
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
			record_format_count(num, sizeof(num), value);
			if (secs > 0)
				snprintf(extra, sizeof(extra), "%.1f /s", value / secs);
		}
		if (share < 0.9995)
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
				 "  (%.1f%% counted)", share * 100);
		fprintf(stderr, "  %22s  %-24s %s\n", num, t->name, extra);
	}
	fputc('\n', stderr);
}

/* The number of intervals recorded (every supported series has the same). */
static size_t
record_intervals(const struct profile *p)
{
	for (size_t i = 0; i < p->ntracks; i++)
		if (p->tracks[i].nseries)
			return p->tracks[i].series[0].n;
	return 0;
}

/* Samples taken and records lost; a loss is always reported, quiet or not. */
static void
record_sampling_summary(const struct profile *p)
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

/*
 * Write the snapshot. When the chosen path fails at the end (disk full, directory removed), the
 * data is not thrown away: it goes to a file in $TMPDIR or /tmp, and the message says where.
 */
static int
record_finish(struct record *rec, struct errbuf *err)
{
	struct profile_meta *m = &rec->profile->meta;
	size_t intervals = record_intervals(rec->profile);
	int r;

	m->duration_ns = rec->last_ns - rec->start_ns;
	m->end_reason = xstrdup(rec->end_reason ? rec->end_reason : "signal");
	if (rec->target.kind == TARGET_COMMAND && !rec->target.child_running) {
		int st = rec->target.child_status;

		m->command_exit = WIFEXITED(st)	    ? WEXITSTATUS(st)
				  : WIFSIGNALED(st) ? 128 + WTERMSIG(st)
						    : -1;
	}
	if (rec->sampler)
		rec->profile->sampling.bad_records += sampler_bad_records(rec->sampler);
	r = export_write(rec->profile, rec->format, rec->out.fp, err);
	if (r == 0)
		r = outfile_commit(&rec->out, err);
	else
		outfile_abort(&rec->out);
	if (r < 0) {
		const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		char *rescue = xasprintf("%s/ringside-rescue-%d.json", dir, (int)getpid());
		struct errbuf ignored;

		errbuf_clear(&ignored);
		if (snapshot_save(rec->profile, rescue, &ignored) == 0) {
			char *why = xstrdup(err->msg);

			errbuf_reset(err, "%s; the recording was saved to %s instead", why, rescue);
			free(why);
		}
		free(rescue);
		return r;
	}
	if (!rec->opts->quiet)
		record_summary(rec);
	if (rec->sampler)
		record_sampling_summary(rec->profile);
	if (rec->profile->sched) {
		fprintf(stderr, "ringside: scheduler: %" PRIu64 " switches, %zu tasks\n",
			rec->profile->sched_switches, schedmap_ntasks(rec->profile->sched));
	}
	fprintf(stderr, "ringside: wrote %s (%zu interval%s, %.2f s)\n", rec->opts->output,
		intervals, intervals == 1 ? "" : "s", (double)m->duration_ns / 1e9);
	return 0;
}

static int
record_exit_code(int r)
{
	switch (-r) {
	case EINVAL:
	case ENOENT:
	case ESRCH:
	case ENODEV:
	case EISDIR:
	case ENOTDIR:
	case EROFS:
	case EACCES:
		return RECORD_BAD_INPUT;
	default:
		return RECORD_FAILED;
	}
}

int
record_main(const struct record_opts *opts)
{
	struct record rec = { .opts = opts, .sig_fd = -1, .timer_fd = -1 };
	struct errbuf err;
	sigset_t old;
	char *desc;
	int r, code = RECORD_OK;

	errbuf_clear(&err);
	/*
	 * libdw's debuginfo lookup fetches over the network when DEBUGINFOD_URLS is set, which
	 * would stall the loop on a module's first miss: symbols come from local files only.
	 */
	unsetenv("DEBUGINFOD_URLS");
	r = record_prepare(&rec, &err);
	if (r < 0) {
		code = record_exit_code(r);
		goto out;
	}
	record_raise_fd_limit();
	if (record_signals(&rec, &old) < 0) {
		errbuf_set(&err, "cannot set up signal handling: %s", strerror(errno));
		code = RECORD_FAILED;
		goto out;
	}
	if (rec.target.kind == TARGET_COMMAND && (r = target_launch(&rec.target, &err)) < 0) {
		code = RECORD_FAILED;
		goto out;
	}
	r = counter_set_open(&rec.counters, &rec.events, &rec.target, &err);
	if (r < 0) {
		/* Permission is the machine's policy, not bad input; a missing PID or CPU is. */
		code = r == -ESRCH || r == -ENODEV ? RECORD_BAD_INPUT : RECORD_FAILED;
		goto out;
	}
	if ((!opts->no_samples || rec.tp) && (r = record_open_sampler(&rec, &err)) < 0) {
		code = r == -ESRCH ? RECORD_BAD_INPUT : RECORD_FAILED;
		goto out;
	}
	if (rec.target.kind == TARGET_PIDS && (r = record_open_pidfds(&rec, &err)) < 0) {
		code = RECORD_BAD_INPUT;
		goto out;
	}
	rec.timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	rec.interval_ns = (uint64_t)opts->interval_ms * 1000000u;
	rec.prev = xcalloc(counter_set_nevents(rec.counters) * counter_set_nslots(rec.counters),
			   sizeof(*rec.prev));
	rec.cur = xcalloc(counter_set_nevents(rec.counters) * counter_set_nslots(rec.counters),
			  sizeof(*rec.cur));
	record_profile_init(&rec);
	if (rec.sampler)
		record_stacks_init(&rec);
	{
		struct timespec wall;

		clock_gettime(CLOCK_REALTIME, &wall);
		rec.profile->meta.start_unix_ns = (int64_t)wall.tv_sec * 1000000000 + wall.tv_nsec;
	}
	rec.start_ns = rec.last_ns = record_now();
	rec.profile->sched_origin = rec.start_ns;
	if (rec.ingest && rec.tp && rec.profile->sched)
		ingest_set_sched(rec.ingest, rec.tp, rec.target.kind != TARGET_SYSTEM,
				 rec.start_ns);
	if (opts->duration_s > 0)
		rec.deadline_ns = rec.start_ns + (uint64_t)llround(opts->duration_s * 1e9);
	if (rec.target.kind == TARGET_COMMAND) {
		r = target_start(&rec.target, &err);
		if (r < 0) {
			code = RECORD_BAD_INPUT;
			goto out;
		}
	} else {
		counter_set_enable(rec.counters);
		if (rec.sampler)
			sampler_enable(rec.sampler);
	}
	if (counter_set_user_only(rec.counters))
		fprintf(stderr,
			"ringside: kernel.perf_event_paranoid = %d allows counting user space "
			"only; kernel time is not counted (run as root to count it)\n",
			sys_perf_paranoid());
	if (errbuf_isset(&rec.sched_why))
		fprintf(stderr, "ringside: %s\n", rec.sched_why.msg);
	desc = target_describe(&rec.target);
	fprintf(stderr, "ringside: recording %zu event%s", counter_set_nevents(rec.counters),
		counter_set_nevents(rec.counters) == 1 ? "" : "s");
	if (rec.sampler && !opts->no_samples)
		fprintf(stderr, ", %s samples (%s, call graph %s)", rec.sample_spec.name,
			record_rate(&rec), callgraph_name(rec.callgraph));
	if (rec.profile->sched)
		fputs(", the scheduler timeline", stderr);
	fprintf(stderr, " on %s every %u ms; Ctrl-C stops\n", desc, opts->interval_ms);
	free(desc);

	r = record_loop(&rec);
	if (r < 0)
		fprintf(stderr,
			"ringside: reading counters failed: %s; writing what was recorded\n",
			strerror(-r));
	/* The last, partial interval: everything up to the end is kept (a deadline tick just read
	 * it). */
	if (strcmp(rec.end_reason ? rec.end_reason : "", "duration") != 0 &&
	    record_sample(&rec) < 0 && r == 0)
		fprintf(stderr, "ringside: the final counter read failed; the snapshot ends at the "
				"last interval\n");
	if (rec.target.kind == TARGET_COMMAND && rec.target.child_running)
		target_stop_child(&rec.target);
	record_drain(&rec);
	r = record_finish(&rec, &err);
	if (r < 0)
		code = RECORD_FAILED;
out:
	if (errbuf_isset(&err) && code != RECORD_OK)
		record_fail(code, &err);
	if (rec.target.kind == TARGET_COMMAND && rec.target.child_running)
		target_stop_child(&rec.target);
	outfile_abort(&rec.out);
	ingest_free(rec.ingest);
	symres_free(rec.sym);
	sampler_free(rec.sampler);
	schedtp_free(rec.tp);
	if (rec.sample_spec.name)
		evspec_fini(&rec.sample_spec);
	counter_set_free(rec.counters);
	profile_free(rec.profile);
	evspec_list_fini(&rec.events);
	if (rec.pid_fds)
		for (size_t i = 0; i < rec.target.npids; i++)
			if (rec.pid_fds[i] >= 0)
				close(rec.pid_fds[i]);
	free(rec.pid_fds);
	free(rec.pid_gone);
	free(rec.prev);
	free(rec.cur);
	target_fini(&rec.target);
	if (rec.timer_fd >= 0)
		close(rec.timer_fd);
	if (rec.sig_fd >= 0) {
		close(rec.sig_fd);
		sigprocmask(SIG_SETMASK, &old, NULL);
	}
	return code;
}
