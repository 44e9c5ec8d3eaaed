// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Sampling events and their rings. System-wide: one event per CPU. Processes and commands: one
 * event per CPU and thread with inherit, so threads started later are sampled too (an inherited
 * event with cpu = -1 cannot be mapped). The first event on each CPU owns that CPU's ring; every
 * other event on the CPU is redirected into it. Each record is matched to its event by the
 * identifier that PERF_SAMPLE_IDENTIFIER puts at a fixed place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ringside/perf/ring.h"
#include "ringside/perf/sampler.h"
#include "ringside/perf/sys.h"
#include "ringside/util/xalloc.h"

#define SAMPLER_MAX_STACK 127

struct sampler_id {
	uint64_t id;
	struct sampler_event *ev;
};

struct sampler {
	struct sampler_event *events; /* the sampling event first (if any), then the tracepoints */
	size_t nevents;
	int *fds; /* every event fd */
	size_t nfds;
	struct ring *rings; /* one per CPU */
	size_t nrings;
	const struct perf_event_header **next; /* per ring: the record to merge next */
	uint64_t *when;			       /* its time */
	struct sampler_id *ids;		       /* sorted by id */
	size_t nids;
	size_t ring_pages;
	size_t ring_pages_asked;  /* before the locked-memory limit halved it */
	struct cpulist task_cpus; /* a process target: the CPUs online when its events opened */
};

const char *
callgraph_name(enum callgraph_mode mode)
{
	switch (mode) {
	case CALLGRAPH_FP:
		return "fp";
	case CALLGRAPH_DWARF:
		return "dwarf";
	default:
		return "none";
	}
}

bool
callgraph_parse(const char *word, enum callgraph_mode *mode, uint32_t *stack_size)
{
	uint32_t size = 0;

	if (strcmp(word, "fp") == 0) {
		*mode = CALLGRAPH_FP;
	} else if (strcmp(word, "none") == 0) {
		*mode = CALLGRAPH_NONE;
	} else if (strcmp(word, "dwarf") == 0) {
		*mode = CALLGRAPH_DWARF;
		size = CALLGRAPH_STACK_DEFAULT;
	} else if (strncmp(word, "dwarf,", 6) == 0) {
		const char *p = word + 6;
		unsigned long long v;
		char *end;

		if (*p < '0' || *p > '9')
			return false;
		errno = 0;
		v = strtoull(p, &end, 10);
		if (errno || *end || v == 0 || v > CALLGRAPH_STACK_MAX)
			return false;
		*mode = CALLGRAPH_DWARF;
		size = (uint32_t)((v + 7) & ~7ull);
	} else {
		return false;
	}
	if (stack_size)
		*stack_size = size;
	return true;
}

uint64_t
sampler_regs_user_mask(void)
{
#if defined(__x86_64__)
	/* AX..IP are bits 0-8 (FLAGS and the segment registers follow), R8..R15 bits 16-23. */
	return 0x1ffull | 0xffull << 16;
#else
	return 0;
#endif
}

/*
 * A group member's attributes: counting in its leader's group (opened with the leader's fd), no
 * sampling, no records of its own; it starts with the leader (disabled only there).
 */
static void
sampler_member_attr(const struct sampler_event *ev, const struct sampler_opts *o,
		    const struct target *t, struct perf_event_attr *attr)
{
	*attr = o->extra[ev->index - 1].spec.attr;
	attr->exclude_kernel |= o->event->attr.exclude_kernel;
	attr->exclude_hv |= o->event->attr.exclude_hv;
	attr->sample_period = 0;
	attr->freq = 0;
	attr->sample_type =
		PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU;
	attr->read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID;
	attr->inherit = t->kind != TARGET_SYSTEM;
	attr->sample_id_all = 1;
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
}

/* Sampling event k of o (0: o->event, k: o->extra[k - 1]), with its group's part. */
static struct sampler_event
sampler_sample_event(const struct sampler_opts *o, const struct target *t, size_t k)
{
	struct sampler_event ev = { .kind = SAMPLER_EVENT_SAMPLE,
				    .index = k,
				    .name = k ? o->extra[k - 1].spec.name : o->event->name,
				    .per_thread = t->kind != TARGET_SYSTEM };

	if (k == 0) {
		ev.nmembers = o->event_members;
	} else {
		ev.member = sampspec_member(&o->extra[k - 1], k);
		ev.nmembers = o->extra[k - 1].nmembers;
	}
	return ev;
}

/* The attributes of ev; first: the event that brings the side-band records. */
static void
sampler_attr(const struct sampler_event *ev, bool first, const struct sampler_opts *o,
	     const struct target *t, struct perf_event_attr *attr)
{
	memset(attr, 0, sizeof(*attr));
	if (ev->kind == SAMPLER_EVENT_SAMPLE && ev->member) {
		sampler_member_attr(ev, o, t, attr);
		return;
	}
	if (ev->kind == SAMPLER_EVENT_SAMPLE) {
		const struct sampspec *x = ev->index ? &o->extra[ev->index - 1] : NULL;

		*attr = x ? x->spec.attr : o->event->attr;
		if (x) {
			attr->exclude_kernel |= o->event->attr.exclude_kernel;
			attr->exclude_hv |= o->event->attr.exclude_hv;
		}
		attr->sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID |
				    PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD;
		if (o->callgraph == CALLGRAPH_FP || o->callgraph == CALLGRAPH_DWARF) {
			attr->sample_type |= PERF_SAMPLE_CALLCHAIN;
			attr->sample_max_stack = SAMPLER_MAX_STACK;
		}
		if (o->callgraph == CALLGRAPH_DWARF) {
			/* The user part comes from unwinding the copied stack, not from the kernel.
			 */
			attr->exclude_callchain_user = 1;
			attr->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
			attr->sample_regs_user = sampler_regs_user_mask();
			attr->sample_stack_user =
				o->stack_size ? o->stack_size : CALLGRAPH_STACK_DEFAULT;
		}
		if (o->mem && !x)
			attr->sample_type |= PERF_SAMPLE_ADDR;
		if (o->mem && o->mem_latency && !x)
			attr->sample_type |= PERF_SAMPLE_WEIGHT | PERF_SAMPLE_DATA_SRC;
		if (ev->nmembers) {
			/* Leader sampling: every member's count comes with each sample. */
			attr->sample_type |= PERF_SAMPLE_READ;
			attr->read_format = PERF_FORMAT_GROUP | PERF_FORMAT_ID;
		}
		if (x ? x->freq != 0 : o->freq != 0) {
			attr->freq = 1;
			attr->sample_freq = x ? x->freq : o->freq;
		} else {
			attr->sample_period = x ? x->period : o->period;
		}
	} else {
		attr->type = PERF_TYPE_TRACEPOINT;
		attr->config = o->tracepoints[ev->index].id;
		attr->sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
				    PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
		attr->sample_period = 1;
		if (o->tracepoints[ev->index].callchain) {
			attr->sample_type |= PERF_SAMPLE_CALLCHAIN;
			attr->sample_max_stack = SAMPLER_MAX_STACK;
			attr->exclude_callchain_kernel = ev->user_chain;
		}
	}
	attr->disabled = 1;
	attr->inherit = t->kind != TARGET_SYSTEM;
	attr->enable_on_exec = t->kind == TARGET_COMMAND;
	if (first) {
		/* Side-band records come from one event per CPU and thread, or they would repeat.
		 */
		/* mmap asks for executable mappings at all; mmap2 chooses the richer record format.
		 */
		attr->mmap = 1;
		attr->mmap2 = 1;
		/* --mem labels data addresses by mapping: anonymous and file data mappings too. */
		attr->mmap_data = o->mem;
		attr->comm = 1;
		attr->comm_exec = 1;
		attr->task = 1;
		/* A task's own tracepoints never see it switched in: ask for switch records. */
		attr->context_switch = o->context_switch && t->kind != TARGET_SYSTEM;
	}
	attr->sample_id_all = 1;
	attr->watermark = 1;
	attr->use_clockid = 1;
	attr->clockid = CLOCK_MONOTONIC;
}

static int
sampler_id_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct sampler_id *)a)->id, y = ((const struct sampler_id *)b)->id;

	return (x > y) - (x < y);
}

void
sampler_event_attr(const struct sampler_opts *o, const struct target *t, size_t k,
		   struct perf_event_attr *attr)
{
	struct sampler_event ev = sampler_sample_event(o, t, k);

	sampler_attr(&ev, false, o, t, attr);
}

int
sampler_probe(const struct sampler_opts *o, const struct target *t, size_t k, struct errbuf *why)
{
	struct sampler_event ev = sampler_sample_event(o, t, k + 1);
	struct perf_event_attr attr;
	pid_t pid = t->kind == TARGET_SYSTEM || t->npids == 0 ? -1 : t->pids[0];
	int cpu = t->kind == TARGET_SYSTEM && t->cpus.n ? t->cpus.cpus[0] : -1;
	int fd;

	sampler_attr(&ev, false, o, t, &attr);
	if (pid == -1 && cpu == -1)
		cpu = 0;
	fd = sys_perf_open(&attr, pid, cpu, -1);
	if (fd >= 0) {
		close(fd);
		return 0;
	}
	switch (-fd) {
	case ENOENT:
	case ENODEV:
	case EOPNOTSUPP:
		return errbuf_fail(why, fd, "'%s' cannot sample here: not supported (%s)", ev.name,
				   strerror(-fd));
	case EINVAL:
		return errbuf_fail(why, fd,
				   "'%s' cannot sample here: a counting-only event, or its rate "
				   "is refused (%s)",
				   ev.name, strerror(-fd));
	default:
		return errbuf_fail(why, fd, "'%s' cannot sample here: %s", ev.name, strerror(-fd));
	}
}

/* Map a CPU's ring, halving its size while the locked-memory limit refuses it. */
static int
sampler_map(struct sampler *s, struct ring *r, int fd)
{
	int rc;

	for (;;) {
		rc = ring_open(r, fd, s->ring_pages);
		if (rc != -EPERM && rc != -ENOMEM)
			return rc;
		if (s->ring_pages <= 1)
			return rc;
		s->ring_pages /= 2;
	}
}

static int
sampler_open_one(struct sampler *s, const struct sampler_opts *o, const struct target *t, size_t e,
		 pid_t pid, int cpu, size_t ring, int group_fd, struct errbuf *err)
{
	struct perf_event_attr attr;
	uint64_t id = 0;
	int fd, rc;

	const char *name = s->events[e].name;

	sampler_attr(&s->events[e], e == 0, o, t, &attr);
	attr.wakeup_watermark = (uint32_t)(s->ring_pages * (size_t)sysconf(_SC_PAGESIZE) / 4);
	fd = sys_perf_open(&attr, pid, cpu, group_fd);
	if (fd < 0 && s->events[e].member && (fd == -ENOENT || fd == -EOPNOTSUPP || fd == -ENODEV))
		return errbuf_fail(err, fd,
				   "group member '%s' is not supported on this machine (%s); drop "
				   "it from the group",
				   name, strerror(-fd));
	if (fd < 0 && s->events[e].member && fd == -EINVAL)
		return errbuf_fail(
			err, fd,
			"group member '%s' cannot be counted in its leader's group (%s): "
			"the PMU cannot schedule the whole group; give fewer members",
			name, strerror(-fd));
	if (fd < 0) {
		switch (-fd) {
		case EACCES:
		case EPERM: {
			char *hint = sys_perf_permission_hint(t->kind == TARGET_SYSTEM,
							      !attr.exclude_kernel);

			errbuf_fail(err, fd, "%s", hint);
			free(hint);
			break;
		}
		case ENOENT:
		case EOPNOTSUPP:
			errbuf_fail(err, fd,
				    "event '%s' cannot be sampled on this machine (%s); choose "
				    "another with --sample-event",
				    name, strerror(-fd));
			break;
		case EINVAL:
			errbuf_fail(err, fd,
				    "event '%s' cannot be sampled with these settings (%s); check "
				    "-F (at most kernel.perf_event_max_sample_rate) or -c",
				    name, strerror(-fd));
			break;
		case ESRCH:
			break; /* a thread that exited since it was listed: the caller decides */
		case EMFILE:
		case ENFILE:
			errbuf_fail(err, fd,
				    "out of file descriptors (ulimit -n is %lu) after %zu sampling "
				    "events; raise the limit with ulimit -n",
				    sys_fd_limit(), s->nfds);
			break;
		default:
			errbuf_fail(err, fd, "cannot open sampling event '%s' on CPU %d: %s", name,
				    cpu, strerror(-fd));
		}
		return fd;
	}
	if (s->rings[ring].fd < 0) {
		size_t pages = s->ring_pages;

		rc = sampler_map(s, &s->rings[ring], fd);
		if (rc < 0) {
			close(fd);
			return errbuf_fail(err, rc,
					   "cannot map the sample ring of CPU %d: %s; raise "
					   "kernel.perf_event_mlock_kb or run as root",
					   cpu, strerror(-rc));
		}
		if (s->ring_pages != pages) {
			/* Its watermark was for the larger ring (never reached): open it again. */
			ring_close(&s->rings[ring]);
			close(fd);
			return sampler_open_one(s, o, t, e, pid, cpu, ring, group_fd, err);
		}
	} else if (!s->events[e].member &&
		   ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, s->rings[ring].fd) < 0) {
		rc = -errno;
		close(fd);
		return errbuf_fail(err, rc, "cannot share the ring of CPU %d: %s", cpu,
				   strerror(-rc));
	}
	if (s->events[e].filter && ioctl(fd, PERF_EVENT_IOC_SET_FILTER, s->events[e].filter) < 0) {
		rc = -errno;
		close(fd);
		return errbuf_fail(err, rc, "cannot set the filter \"%s\" of %s: %s",
				   s->events[e].filter, name, strerror(-rc));
	}
	ioctl(fd, PERF_EVENT_IOC_ID, &id);
	s->fds = xreallocarray(s->fds, s->nfds + 1, sizeof(int));
	s->fds[s->nfds++] = fd;
	s->ids = xreallocarray(s->ids, s->nids + 1, sizeof(*s->ids));
	s->ids[s->nids++] = (struct sampler_id){ id, &s->events[e] };
	return 0;
}

/* Open every event for one CPU and pid (-1: the whole CPU). */
static int
sampler_open_all(struct sampler *s, const struct sampler_opts *o, const struct target *t, pid_t pid,
		 int cpu, size_t ring, struct errbuf *err)
{
	int leader = -1;

	for (size_t e = 0; e < s->nevents; e++) {
		bool member = s->events[e].member;
		int rc = sampler_open_one(s, o, t, e, pid, cpu, ring, member ? leader : -1, err);

		if (rc < 0)
			return rc;
		if (!member)
			leader = s->fds[s->nfds - 1];
	}
	return 0;
}

static int
sampler_open_target(struct sampler *s, const struct sampler_opts *o, const struct target *t,
		    const struct cpulist *cpus, struct errbuf *err)
{
	int rc;

	for (size_t c = 0; c < cpus->n; c++) {
		if (t->kind == TARGET_SYSTEM) {
			rc = sampler_open_all(s, o, t, -1, cpus->cpus[c], c, err);
			if (rc < 0)
				return rc;
			continue;
		}
		for (size_t p = 0; p < t->npids; p++) {
			pid_t *tids = NULL;
			int n = t->kind == TARGET_COMMAND ? 1 : target_threads(t->pids[p], &tids);

			if (n <= 0)
				return errbuf_fail(err, -ESRCH,
						   "no process with PID %d (it exited); check it "
						   "with ps",
						   (int)t->pids[p]);
			for (int i = 0; i < n; i++) {
				pid_t tid = tids ? tids[i] : t->pids[p];

				rc = sampler_open_all(s, o, t, tid, cpus->cpus[c], c, err);
				if (rc == -ESRCH && tid != t->pids[p])
					continue;
				if (rc == -ESRCH)
					errbuf_fail(err, rc,
						    "no process with PID %d (it exited); check it "
						    "with ps",
						    (int)tid);
				if (rc < 0) {
					free(tids);
					return rc;
				}
			}
			free(tids);
		}
	}
	return 0;
}

/*
 * Dwarf rings hold about SAMPLER_DWARF_BACKLOG samples of the copy's size (and ~1 KiB of
 * registers and callchain each), so that a stack copy larger than the default or a moment's
 * delay in draining does not overflow them, while every CPU's ring together stays within
 * SAMPLER_DWARF_TOTAL bytes of locked memory; never fewer pages than pages.
 */
#define SAMPLER_DWARF_BACKLOG 256
#define SAMPLER_DWARF_TOTAL   (64u << 20)

static size_t
sampler_dwarf_pages(size_t pages, uint32_t stack_size, size_t ncpus)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t per = (stack_size ? stack_size : CALLGRAPH_STACK_DEFAULT) + 1024;
	size_t want = SAMPLER_DWARF_BACKLOG * per / page, cap = SAMPLER_DWARF_TOTAL / page / ncpus;
	size_t n = pages;

	while (n < want && 2 * n <= cap)
		n *= 2;
	return n;
}

/*
 * The event(s) of tracepoint i: none when skipped, one, or with the opts' filters two of the same
 * index, the
 * whole call chain for the hits that match it and the user part for the rest (the kernel's
 * unwinding of its own stack is most of a call chain's cost). With user_chains: one, every hit
 * with the user part only.
 */
static void
sampler_add_tracepoint(struct sampler *s, const struct sampler_opts *o, size_t i)
{
	const struct sampler_tracepoint *tp = &o->tracepoints[i];
	bool split = tp->callchain && !o->user_chains && o->kernel_filter && o->user_filter;

	if (tp->skip)
		return;
	s->events[s->nevents++] = (struct sampler_event){ .kind = SAMPLER_EVENT_TRACEPOINT,
							  .index = i,
							  .name = tp->name,
							  .filter = split ? o->kernel_filter : NULL,
							  .user_chain = o->user_chains };
	if (split)
		s->events[s->nevents++] = (struct sampler_event){ .kind = SAMPLER_EVENT_TRACEPOINT,
								  .index = i,
								  .name = tp->name,
								  .filter = o->user_filter,
								  .user_chain = true };
}

int
sampler_open(struct sampler **out, const struct sampler_opts *o, const struct target *t,
	     struct errbuf *err)
{
	struct sampler *s = xcalloc(1, sizeof(*s));
	struct cpulist online = { 0 };
	const struct cpulist *cpus = &t->cpus;
	bool big;
	int rc;

	*out = NULL;
	if (t->kind != TARGET_SYSTEM) {
		rc = cpulist_online(&online);
		if (rc < 0) {
			free(s);
			return errbuf_fail(err, rc, "cannot read the online CPUs: %s",
					   strerror(-rc));
		}
		cpus = &online;
	}
	/*
	 * 512 KiB per CPU for samples. Tracepoints come in bursts (a switch-heavy load writes
	 * several MB/s per CPU), so with them the rings grow while the total mlocked memory stays
	 * modest: 4 MiB per CPU up to 4 CPUs, 1 MiB up to 16. Dwarf samples carry a stack copy
	 * each (8 KiB by default: a 512 KiB ring holds ~60), so they get the larger rings too.
	 */
	big = o->ntracepoints || (o->event && o->callgraph == CALLGRAPH_DWARF);
	if (o->ring_pages)
		s->ring_pages = o->ring_pages;
	else if (geteuid() != 0)
		s->ring_pages = big ? 64 : 16;
	else if (big && cpus->n <= 4)
		s->ring_pages = 1024;
	else if (big && cpus->n <= 16)
		s->ring_pages = 256;
	else
		s->ring_pages = 128;
	if (!o->ring_pages && geteuid() == 0 && o->event && o->callgraph == CALLGRAPH_DWARF)
		s->ring_pages = sampler_dwarf_pages(s->ring_pages, o->stack_size, cpus->n);
	s->ring_pages_asked = s->ring_pages;
	s->events = xcalloc(2 * o->ntracepoints + o->nextra + 1, sizeof(*s->events));
	for (size_t k = 0; o->event && k <= o->nextra; k++)
		s->events[s->nevents++] = sampler_sample_event(o, t, k);
	for (size_t i = 0; i < o->ntracepoints; i++)
		sampler_add_tracepoint(s, o, i);
	for (size_t e = 0; e < s->nevents; e++) {
		struct perf_event_attr attr;

		sampler_attr(&s->events[e], e == 0, o, t, &attr);
		s->events[e].layout =
			(struct decode_layout){ .sample_type = attr.sample_type,
						.regs_user_mask = attr.sample_regs_user,
						.sample_id_all = attr.sample_id_all,
						.read_format = attr.read_format };
	}
	if (s->nevents == 0) {
		cpulist_fini(&online);
		free(s->events);
		free(s);
		return errbuf_fail(err, -EINVAL,
				   "nothing to sample: no sampling event and no tracepoint");
	}
	s->nrings = cpus->n;
	s->rings = xcalloc(s->nrings, sizeof(*s->rings));
	s->next = xcalloc(s->nrings + 1, sizeof(*s->next));
	s->when = xcalloc(s->nrings + 1, sizeof(*s->when));
	for (size_t i = 0; i < s->nrings; i++)
		s->rings[i].fd = -1;
	rc = sampler_open_target(s, o, t, cpus, err);
	s->task_cpus = online; /* empty system-wide */
	if (rc < 0) {
		sampler_free(s);
		return rc;
	}
	qsort(s->ids, s->nids, sizeof(*s->ids), sampler_id_cmp);
	*out = s;
	return 0;
}

void
sampler_enable(struct sampler *s)
{
	for (size_t i = 0; i < s->nfds; i++)
		ioctl(s->fds[i], PERF_EVENT_IOC_ENABLE, 0);
}

size_t
sampler_nfds(const struct sampler *s)
{
	return s->nfds;
}

int
sampler_fd(const struct sampler *s, size_t i)
{
	return s->fds[i];
}

const struct cpulist *
sampler_task_cpus(const struct sampler *s)
{
	return &s->task_cpus;
}

void
sampler_ring_pages(const struct sampler *s, size_t *asked, size_t *mapped)
{
	*asked = s->ring_pages_asked;
	*mapped = s->ring_pages;
}

void
sampler_spill_stats(const struct sampler *s, uint64_t *spilled, size_t *peak)
{
	*spilled = 0;
	*peak = 0;
	for (size_t i = 0; s && i < s->nrings; i++) {
		*spilled += s->rings[i].spilled;
		*peak += s->rings[i].spill_peak;
	}
}

size_t
sampler_nevents_open(const struct sampler *s)
{
	return s->nfds;
}

/* The event that wrote rec, from the identifier at its start (samples) or end (the rest). */
static const struct sampler_event *
sampler_event_of(const struct sampler *s, const struct perf_event_header *rec)
{
	struct sampler_id key;
	const struct sampler_id *hit;
	const unsigned char *p;

	if (s->nids == 0 || rec->size < sizeof(*rec) + 8)
		return NULL;
	if (rec->type == PERF_RECORD_SAMPLE)
		p = (const unsigned char *)(rec + 1);
	else
		p = (const unsigned char *)rec + rec->size - 8;
	memcpy(&key.id, p, 8);
	if (s->nevents == 1) {
		/* One event on every fd: no search needed. */
		return s->ids[0].ev;
	}
	hit = bsearch(&key, s->ids, s->nids, sizeof(*s->ids), sampler_id_cmp);
	return hit ? hit->ev : NULL;
}

/* The time of a record for ordering; records without one go first. */
static uint64_t
sampler_time(const struct sampler *s, const struct perf_event_header *rec)
{
	const struct sampler_event *ev = sampler_event_of(s, rec);
	uint64_t t;

	return ev && decode_time(&ev->layout, rec, &t) ? t : 0;
}

/*
 * A drain can take longer than a ring lasts: the first sample of a process loads its modules'
 * symbols (tens of milliseconds each, more on a busy machine) while a switch-heavy load fills a
 * ring at tens of MB/s. Every SAMPLER_SPILL_EVERY records, a ring more than half full moves what
 * it holds to its spill (ring_spill), so the kernel keeps writing instead of dropping. The spill
 * takes at most a few ring sizes per drain, so a drain always ends.
 */
#define SAMPLER_SPILL_EVERY 32

static void
sampler_spill(struct sampler *s)
{
	for (size_t i = 0; i < s->nrings; i++) {
		struct ring *r = &s->rings[i];

		if (ring_used(r) <= r->data_size / 2 || ring_spill(r) == 0)
			continue;
		/* The same record, now in the spill; or the first of an empty ring's new ones. */
		s->next[i] = ring_peek(r);
		s->when[i] = s->next[i] ? sampler_time(s, s->next[i]) : 0;
	}
}

/*
 * Each ring is in time order, but the rings are not ordered with each other: a process forked on
 * one CPU may run its first samples on another. Merging the rings by time stamp, as perf's ordered
 * events do, lets FORK, COMM and MMAP2 take effect before the samples that depend on them.
 */
size_t
sampler_consume(struct sampler *s, sampler_record_fn fn, void *ctx)
{
	const struct perf_event_header **next = s->next;
	uint64_t *when = s->when;
	size_t n = 0;

	for (size_t i = 0; i < s->nrings; i++) {
		ring_begin(&s->rings[i]);
		next[i] = ring_peek(&s->rings[i]);
		when[i] = next[i] ? sampler_time(s, next[i]) : 0;
	}
	for (;;) {
		size_t pick = s->nrings;

		for (size_t i = 0; i < s->nrings; i++)
			if (next[i] && (pick == s->nrings || when[i] < when[pick]))
				pick = i;
		if (pick == s->nrings)
			break;
		fn(ctx, sampler_event_of(s, next[pick]), next[pick]);
		n++;
		ring_next(&s->rings[pick]);
		next[pick] = ring_peek(&s->rings[pick]);
		when[pick] = next[pick] ? sampler_time(s, next[pick]) : 0;
		if (n % SAMPLER_SPILL_EVERY == 0)
			sampler_spill(s);
	}
	for (size_t i = 0; i < s->nrings; i++)
		ring_commit(&s->rings[i]);
	return n;
}

uint64_t
sampler_bad_records(const struct sampler *s)
{
	uint64_t n = 0;

	for (size_t i = 0; i < s->nrings; i++)
		n += s->rings[i].bad;
	return n;
}

void
sampler_free(struct sampler *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nrings; i++)
		ring_close(&s->rings[i]);
	for (size_t i = 0; i < s->nfds; i++)
		close(s->fds[i]);
	free(s->rings);
	free(s->next);
	free(s->when);
	free(s->fds);
	free(s->ids);
	free(s->events);
	cpulist_fini(&s->task_cpus);
	free(s);
}
