// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a session opens: the options checked and the events parsed before anything runs, the
 * target resolved and the output opened; then the counters and the sampling and scheduler events
 * (falling back, and saying so, when privileges or descriptors run short), the pidfds of attached
 * processes, and the profile those fill.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ringside/app/ingest.h"
#include "ringside/perf/sys.h"
#include "ringside/util/outpath.h"
#include "ringside/util/xalloc.h"
#include "session_impl.h"

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

/*
 * --sample-event's list: the first event is the sampling event (at its own rate if it has one),
 * the others sampled beside it at theirs (or -F, -c); every rate within the kernel's maximum.
 */
static int
session_prepare_sample_list(struct session *s, unsigned long max, struct errbuf *err)
{
	const struct record_opts *o = s->opts;
	struct sampspec_list *l = &s->sample_list;
	int r = sampspec_list_parse(l, o->sample_event, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < l->n; i++) {
		if (l->v[i].freq > max)
			return errbuf_fail(
				err, -EINVAL,
				"--sample-event '%s': freq=%lu is above %lu Hz "
				"(kernel.perf_event_max_sample_rate); choose a lower one",
				l->v[i].spec.name, (unsigned long)l->v[i].freq, max);
		if (i > 0 && !sampspec_member(&l->v[i], i))
			sampspec_rate(&l->v[i], o->freq, o->period, &l->v[i].freq, &l->v[i].period);
	}
	if (o->mem && l->n > 1)
		return errbuf_fail(err, -EINVAL,
				   "--mem samples the data addresses of one event; give "
				   "--sample-event a single event with --mem");
	evspec_copy(&s->sample_spec, &l->v[0].spec);
	return 0;
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
		r = session_prepare_sample_list(s, max, err);
		if (r < 0)
			return r;
	} else {
		evspec_sampling_default(&s->sample_spec);
	}
	return session_mem_prepare(s, err);
}

/* The sched tracepoints; without tracefs the recording goes on without the timeline, and says so.
 */
static void
session_prepare_sched(struct session *s)
{
	struct errbuf why;

	int r;

	errbuf_clear(&why);
	r = schedtp_new(&s->sched.tp, NULL, &why);
	if (r < 0) {
		errbuf_fail(&s->sched.why, r, "no scheduler timeline: %s", why.msg);
		return;
	}
	for (int i = 0; i < SCHEDTP_NR_TYPES; i++)
		s->sched.tps[i] =
			(struct sampler_tracepoint){ .name = schedtp_name((enum sched_event_type)i),
						     .id = schedtp_id(s->sched.tp,
								      (enum sched_event_type)i) };
}

/* Drop the scheduler timeline (its tracepoints could not be opened). */
static void
session_drop_sched(struct session *s, int code, const char *why)
{
	errbuf_fail(&s->sched.why, code, "no scheduler timeline: %s; run as root to record it",
		    why);
	schedtp_free(s->sched.tp);
	s->sched.tp = NULL;
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
int
session_prepare(struct session *s, struct errbuf *err)
{
	const struct record_opts *o = s->opts;
	int r, targets = !!o->cpus + !!o->pids + !!(o->argv && o->argv[0]);

	if (!o->output && !o->stream && !(s->flags & SESSION_LIVE))
		return errbuf_fail(err, -EINVAL,
				   "record needs -o FILE.json to know where to write");
	if (o->output) {
		r = outpath_expand(o->output, &s->output, err);
		if (r < 0)
			return r;
	}
	s->format = s->output ? export_format_of(s->output) : EXPORT_JSON;
	if (s->format == EXPORT_UNKNOWN)
		return errbuf_fail(
			err, -EINVAL,
			"output '%s' must end in .json (a snapshot), .html (a page to open "
			"in a browser), .folded (folded stacks) or .pb.gz (pprof)",
			s->output);
	if ((s->format == EXPORT_FOLDED || s->format == EXPORT_PPROF) && o->no_samples)
		return errbuf_fail(err, -EINVAL,
				   "a .folded or .pb.gz output holds stacks; drop --no-samples or "
				   "write .json");
	r = push_check(&o->push, err);
	if (r < 0)
		return r;
	if (o->push.url && o->no_samples)
		return errbuf_fail(err, -EINVAL,
				   "--push sends the stacks; drop --no-samples or --push");
	if (o->off_cpu_kernel && o->off_cpu < 0)
		return errbuf_fail(err, -EINVAL,
				   "--off-cpu-kernel adds kernel frames to off-CPU stacks; drop "
				   "--no-off-cpu or --off-cpu-kernel");
	if ((o->off_cpu > 0 || o->off_cpu_kernel) && (o->no_sched || o->no_samples))
		return errbuf_fail(
			err, -EINVAL,
			"--off-cpu comes from the scheduler timeline and goes beside the "
			"samples; drop %s or %s",
			o->no_sched ? "--no-sched" : "--no-samples",
			o->off_cpu_kernel ? "--off-cpu-kernel" : "--off-cpu");
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
	} else if (o->mem) {
		return session_mem_prepare(s, err);
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
		if (o->command_output) {
			s->target.output_fd = o->command_output_fd;
			s->target.output_keeps_stdin = o->command_tee > 0;
			if (o->command_error_fd > 0)
				s->target.error_fd = o->command_error_fd;
		}
		r = 0;
	} else
		r = target_init_system(&s->target, o->cpus, err);
	if (r < 0)
		return r;
	session_kvm_prepare(s);
	r = s->output ? outfile_open(&s->out, s->output, err) : 0;
	if (r == 0)
		session_journal_check(s);
	return r;
}

/*
 * Describe event ev of the counters in track tr; a supported one gets a series per slot, with an
 * uncounted interval (enabled 0) for each interval recorded before it.
 */
void
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

void
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
 * The first event's own rate (--sample-event NAME/freq=HZ/ or /period=N/; a tracepoint without
 * one: every hit) over -F and -c.
 */
static void
session_first_rate(struct session *s, struct sampler_opts *so)
{
	const struct sampspec *f = s->sample_list.n ? &s->sample_list.v[0] : NULL;

	if (!f || s->mem.on || (!f->freq && !f->period && f->spec.kind != EVSPEC_TRACEPOINT))
		return;
	/* Its own term, or a tracepoint's every hit (as perf record samples tracepoints). */
	sampspec_rate(f, so->freq, so->period, &so->freq, &so->period);
}

/*
 * Drop each further sampling event that cannot sample the target, saying which and why; the rest
 * go on. A group's events are not probed one by one (a member alone is not the member in its
 * group, and dropping one would renumber its group): the group opens whole or not at all.
 */
static void
session_probe_extra(struct session *s, struct sampler_opts *so)
{
	struct sampspec_list *l = &s->sample_list;

	so->extra = l->v + 1;
	so->nextra = l->n - 1;
	so->event_members = l->v[0].nmembers;
	for (size_t i = 1; i < l->n;) {
		struct errbuf why;

		errbuf_clear(&why);
		if (s->sample_spec.attr.exclude_kernel)
			l->v[i].spec.attr.exclude_kernel = 1;
		if (l->v[i].leader != SAMPSPEC_NO_GROUP ||
		    sampler_probe(so, &s->target, i - 1, &why) == 0) {
			i++;
			continue;
		}
		session_note(s, "--sample-event: %s; the other events are sampled", why.msg);
		evspec_fini(&l->v[i].spec);
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
		so->nextra = --l->n - 1;
	}
}

/*
 * Open the sampler with so, and again without what the kernel refused: tracepoint filters,
 * the raw tracepoints (the scheduler timeline, KVM) that need more privilege or descriptors, a
 * CPU gone offline, kernel-mode samples of a process.
 */
static int
session_sampler_fallbacks(struct session *s, struct sampler_opts *so, struct errbuf *err)
{
	int r;

	r = sampler_open(&s->sampler, so, &s->target, err);
	if (r == -EINVAL && so->kernel_filter) {
		/* A kernel that takes no filter: whole stacks for every switch-out. */
		so->kernel_filter = so->user_filter = NULL;
		errbuf_clear(err);
		r = sampler_open(&s->sampler, so, &s->target, err);
	}
	if ((r == -EACCES || r == -EPERM) && s->kvm.tp && so->event) {
		/* Raw tracepoint data needs more privilege than samples: keep the samples. */
		session_kvm_drop(s, err->msg);
		if (s->sched.tp)
			session_drop_sched(s, r, err->msg);
		session_kvm_drop(s, err->msg);
		so->tracepoints = NULL;
		so->ntracepoints = 0;
		so->context_switch = false;
		errbuf_clear(err);
		r = sampler_open(&s->sampler, so, &s->target, err);
	}
	if (r == -ENODEV && s->target.kind != TARGET_SYSTEM) {
		/* A CPU went offline since the online list was read: read it again. */
		errbuf_clear(err);
		r = sampler_open(&s->sampler, so, &s->target, err);
	}
	if ((r == -EACCES || r == -EPERM) && s->sched.tp && so->event) {
		/* Raw tracepoint data needs more privilege than samples: keep the samples. */
		session_drop_sched(s, r, err->msg);
		so->tracepoints = NULL;
		so->ntracepoints = 0;
		so->context_switch = false;
		errbuf_clear(err);
		r = sampler_open(&s->sampler, so, &s->target, err);
	}
	if (session_out_of_fds(r) && s->sched.tp && so->event) {
		/* The timeline costs up to eight descriptors per CPU: keep the samples without it.
		 */
		errbuf_fail(
			&s->sched.why, r,
			"no scheduler timeline: not enough file descriptors for it (ulimit -n is "
			"%lu); raise the limit with ulimit -n to record it",
			sys_fd_limit());
		schedtp_free(s->sched.tp);
		s->sched.tp = NULL;
		session_kvm_drop(s, "not enough file descriptors");
		so->tracepoints = NULL;
		so->ntracepoints = 0;
		so->context_switch = false;
		errbuf_clear(err);
		r = sampler_open(&s->sampler, so, &s->target, err);
	}
	if ((r == -EACCES || r == -EPERM) && s->target.kind != TARGET_SYSTEM &&
	    !s->sample_spec.attr.exclude_kernel) {
		errbuf_clear(err);
		s->sample_spec.attr.exclude_kernel = 1;
		s->sample_spec.attr.exclude_hv = 1;
		r = sampler_open(&s->sampler, so, &s->target, err);
	}
	return r;
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
		.tracepoints = s->sched.tp ? s->sched.tps : NULL,
		.ntracepoints = s->sched.tp ? SCHEDTP_NR_TYPES : 0,
		.context_switch = s->sched.tp != NULL,
		.freq = s->opts->period || s->mem.on ? 0 : s->opts->freq,
		.period = s->mem.on ? s->mem.period : s->opts->period,
		.callgraph = s->callgraph,
		.stack_size = s->stack_size,
		.mem = s->mem.on,
		.mem_latency = s->mem.latency,
	};

	session_first_rate(s, &so);
	if (!s->opts->no_samples && s->sample_list.n > 1) {
		session_probe_extra(s, &so);
		so.extra = s->sample_list.v + 1;
		so.nextra = s->sample_list.n - 1;
		so.event_members = s->sample_list.v[0].nmembers;
	}

	/* Off-CPU time needs the sched_switch tracepoint; stacks come from its callchains. */
	s->offcpu_on = s->sched.tp && !s->opts->no_samples &&
		       (s->opts->off_cpu > 0 || s->opts->off_cpu_kernel ||
			(s->opts->off_cpu == 0 && s->target.kind != TARGET_SYSTEM));
	s->sched.tps[SCHED_SWITCH].callchain = s->offcpu_on && s->callgraph != CALLGRAPH_NONE;
	/*
	 * User frames only unless --off-cpu-kernel, as perf --off-cpu takes them: the kernel part
	 * (schedule under the same few wait paths) is one of the two stack walks per switch-out,
	 * ~1 us; the state comes from prev_state, not the stack.
	 */
	so.user_chains = !s->opts->off_cpu_kernel;
	/*
	 * Every event a thread carries is scheduled out and in at each of its switches (~0.2 us
	 * here per event and switch, whether it fires or not). Per process, forks, new tasks'
	 * wake-ups and exits come from the side-band records instead, and the target's own migrate
	 * event sees only the migrations it causes (most are the balancer's: ingest reads a
	 * switch-in on another CPU), and an exec is the COMM record's: none of the five is opened.
	 */
	for (int i = SCHED_WAKEUP_NEW; i <= SCHED_EXIT; i++)
		s->sched.tps[i].skip = s->target.kind != TARGET_SYSTEM;
	/*
	 * With --off-cpu-kernel, a preempted thread (prev_state 0, or 0x100 on 6.x: see
	 * offcpu_state_of) still gets its user stack only: it did not block, so the kernel part
	 * (the kernel unwinding its own stack) would say nothing the state does not.
	 */
	if (s->opts->off_cpu_kernel) {
		so.kernel_filter = "prev_state != 0 && prev_state != 256";
		so.user_filter = "prev_state == 0 || prev_state == 256";
	}
	if (s->opts->off_cpu > 0 && !s->sched.tp)
		session_note(s,
			     "no off-CPU time: it comes from the scheduler timeline, which is "
			     "not recorded (%s)",
			     s->sched.why.msg);
	if (counter_set_user_only(s->counters)) {
		s->sample_spec.attr.exclude_kernel = 1;
		s->sample_spec.attr.exclude_hv = 1;
	}
	so.ntracepoints = session_kvm_tracepoints(s, so.tracepoints, so.ntracepoints);
	so.tracepoints = so.ntracepoints ? s->kvm.tps : NULL;
	return session_sampler_fallbacks(s, &so, err);
}

/* Say once when the locked-memory limit made the rings smaller than asked for. */
static void
session_note_rings(struct session *s)
{
	size_t asked, mapped, kib = (size_t)sysconf(_SC_PAGESIZE) / 1024;

	sampler_ring_pages(s->sampler, &asked, &mapped);
	if (mapped < asked)
		session_note(s,
			     "the sample rings are %zu KiB per CPU, not %zu KiB: the locked-memory "
			     "limit refused more (kernel.perf_event_mlock_kb, ulimit -l); under a "
			     "heavy load records may be lost (run as root or raise the limit)",
			     mapped * kib, asked * kib);
}

/* The first event's own rate, in the profile. */
static void
session_first_rate_meta(struct session *s)
{
	struct sampler_opts so = { .freq = s->profile->sampling.freq,
				   .period = s->profile->sampling.period };

	session_first_rate(s, &so);
	s->profile->sampling.freq = so.freq;
	s->profile->sampling.period = so.period;
}

/*
 * The flamegraph's window (its "last 10 s" mode) for the stack trees: only the live screen shows
 * it. Headless, a window would cost its log and each node's window counts for nothing.
 */
static uint64_t
session_window_ns(const struct session *s)
{
	return s->flags & SESSION_LIVE ? 10ull * 1000000000u : 0;
}

/*
 * The further sampled events' trees, a group's (leader sampling) weighing counts, each member
 * naming its leader.
 */
static void
session_add_events(struct session *s)
{
	const struct sampspec_list *l = &s->sample_list;

	s->profile->sampling.counts = l->n && l->v[0].nmembers > 0;
	for (size_t i = 1; i < l->n; i++) {
		struct profile_event *e =
			profile_add_event(s->profile, l->v[i].spec.name, l->v[i].freq,
					  l->v[i].period, 0, session_window_ns(s));

		e->counts = l->v[i].leader != SAMPSPEC_NO_GROUP;
		if (sampspec_member(&l->v[i], i))
			e->leader = xstrdup(l->v[l->v[i].leader].spec.name);
	}
}

/* The stack tree, the scheduler timeline, the resolver and the ingest, once the profile exists. */
void
session_stacks_init(struct session *s)
{
	struct profile_sampling *sm = &s->profile->sampling;

	profile_enable_stacks(s->profile, 0, session_window_ns(s));
	if (s->sched.tp) {
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
		session_first_rate_meta(s);
		session_add_events(s);
	}
	session_mem_init(s);
	s->ingest = ingest_new(s->profile, s->sym);
	if (s->sched.tp && s->profile->sched)
		ingest_set_sched(s->ingest, s->sched.tp, s->target.kind != TARGET_SYSTEM, 0);
	session_kvm_init(s);
	/* Processes that already run have mapped their code before we could see MMAP2 records. */
	if (s->target.kind == TARGET_PIDS)
		for (size_t i = 0; i < s->target.npids; i++)
			symres_proc_scan(s->sym, s->target.pids[i]);
}

int
session_open_pidfds(struct session *s, struct errbuf *err)
{
	size_t n = s->target.npids;

	s->io.pid_fds = xcalloc(n + 1, sizeof(int));
	s->io.pid_gone = xcalloc(n + 1, sizeof(bool));
	for (size_t i = 0; i < n; i++) {
		long fd = syscall(SYS_pidfd_open, s->target.pids[i], 0);

		if (fd < 0) {
			int e = errno;

			s->io.pid_fds[i] = -1;
			if (e == ESRCH)
				return errbuf_fail(err, -ESRCH,
						   "no process with PID %d (it exited); check it "
						   "with ps",
						   (int)s->target.pids[i]);
			/* Counted as bad input, as a PID that cannot be watched always was. */
			return errbuf_fail(err, -EINVAL, "cannot watch PID %d: %s",
					   (int)s->target.pids[i], strerror(e));
		}
		s->io.pid_fds[i] = (int)fd;
	}
	return 0;
}

#define SESSION_FD_RESERVE 8

/*
 * Open the counters, then the sampler. When descriptors run out (events x CPUs or threads, plus
 * the rings), drop the last counted event and try again while one is left, and say so: a
 * recording with fewer counters beats none.
 */
int
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
		if (r == 0 && (!s->opts->no_samples || s->sched.tp || s->kvm.tp))
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
	if (r == 0 && s->sampler)
		session_note_rings(s);
	if (r < 0)
		/* Permission is the machine's policy, not bad input; a missing PID or CPU is. */
		return r == -ESRCH || r == -ENODEV ? errbuf_recode(err, ERRBUF_INPUT, r)
						   : errbuf_recode(err, ERRBUF_RUNTIME, -EIO);
	return 0;
}
