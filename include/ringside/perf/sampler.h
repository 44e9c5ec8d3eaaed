/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sampling: one sampling event per CPU (system-wide; or, for processes and commands, per CPU and
 * thread with inherit, as perf record does), one ring buffer per CPU that every other event on
 * that CPU writes into (PERF_EVENT_IOC_SET_OUTPUT), side-band records (MMAP2, COMM, FORK, EXIT)
 * from the first event of each CPU. Records carry PERF_SAMPLE_IDENTIFIER, so each is matched to
 * the event that wrote it and decoded with that event's layout.
 */
#ifndef RINGSIDE_PERF_SAMPLER_H
#define RINGSIDE_PERF_SAMPLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/perf/decode.h"
#include "ringside/perf/evspec.h"
#include "ringside/perf/sampspec.h"
#include "ringside/perf/target.h"
#include "ringside/util/errbuf.h"

enum callgraph_mode {
	CALLGRAPH_NONE,	 /* the sampled IP only */
	CALLGRAPH_FP,	 /* kernel callchain plus user frame pointers */
	CALLGRAPH_DWARF, /* kernel callchain; user registers and a copy of the user stack */
};

/* The user stack copied per sample with -g dwarf, unless -g dwarf,SIZE says otherwise. */
#define CALLGRAPH_STACK_DEFAULT 8192
/* The largest copy perf_event allows (a record's size is 16 bits; perf caps it the same way). */
#define CALLGRAPH_STACK_MAX 65528

/* "fp", "dwarf", "none". */
const char *callgraph_name(enum callgraph_mode mode);
/*
 * Parse "fp", "none", "dwarf" or "dwarf,SIZE" (bytes, rounded up to a multiple of 8, at most
 * CALLGRAPH_STACK_MAX). *stack_size (may be NULL) gets the copy size for dwarf, 0 otherwise.
 * Returns false for an unknown word or a bad size.
 */
bool callgraph_parse(const char *word, enum callgraph_mode *mode, uint32_t *stack_size);

/* A tracepoint recorded with every hit (period 1) and its raw payload. */
struct sampler_tracepoint {
	const char *name; /* "sched:sched_switch" */
	uint64_t id;	  /* its tracefs id (perf_event_attr.config) */
	bool callchain;	  /* each hit's call stack too (frame pointers): off-CPU stacks */
	bool skip;	  /* not opened (its index stays): a hit that would cost and go unused */
};

struct sampler_opts {
	const struct evspec *event; /* the sampling event, or NULL for tracepoints only */
	/*
	 * Further sampling events with event (--sample-event's second and later), each at its own
	 * rate (freq, else period: resolved by the caller); they follow event's exclude_kernel.
	 */
	const struct sampspec *extra;
	size_t nextra;
	/*
	 * Members of event's group (extra[0..event_members), whose sampspec.leader is 0): read with
	 * each of event's samples. Groups among extra are given by their sampspec's leader (an
	 * index counting event as 0) and nmembers.
	 */
	size_t event_members;
	const struct sampler_tracepoint *tracepoints; /* recorded beside it into the same rings */
	size_t ntracepoints;
	/*
	 * Both set: each tracepoint with callchain opens twice, the hits that match kernel_filter
	 * (a tracepoint filter) with the whole call stack, the others (user_filter, its
	 * complement) with the user part only.
	 */
	const char *kernel_filter, *user_filter;
	/* Tracepoints' call chains without their kernel part (the filters then do not apply). */
	bool user_chains;
	bool context_switch; /* PERF_RECORD_SWITCH records for the target's tasks (not system-wide)
			      */
	uint64_t freq;	     /* samples per second per CPU, or 0 to use period */
	uint64_t period;     /* events per sample when freq is 0 */
	enum callgraph_mode callgraph;
	uint32_t stack_size; /* CALLGRAPH_DWARF: user stack bytes per sample; 0 for the default */
	size_t ring_pages;   /* data pages per CPU ring (power of two); 0 for the default */
	bool mem;	     /* --mem: each sample's data address, and data mappings' MMAP2 */
	bool mem_latency;    /* with mem: the access's weight and data source (PEBS, IBS) */
};

/*
 * The user registers sampled in dwarf mode (sample_regs_user): on x86-64 the sixteen general
 * registers and the IP, every register DWARF call frame information can name (0 elsewhere).
 */
uint64_t sampler_regs_user_mask(void);

/* One event feeding the rings: how its records are laid out. */
enum sampler_event_kind {
	SAMPLER_EVENT_SAMPLE,	  /* the sampling event: IP, callchain, period */
	SAMPLER_EVENT_TRACEPOINT, /* a tracepoint: raw payload in every record */
};

struct sampler_event {
	enum sampler_event_kind kind;
	size_t index; /* tracepoints: the index in sampler_opts.tracepoints; samples: 0 for the
		       * first sampling event, k for sampler_opts.extra[k - 1] */
	const char *name;
	const char *filter; /* a tracepoint filter, or NULL */
	bool user_chain;    /* a tracepoint's call chains without their kernel part */
	/*
	 * Groups (--sample-event '{A,B}'): a leader reads its nmembers members (the sampling
	 * events index + 1 .. index + nmembers) with each sample; a member is never sampled.
	 * per_thread: the values read are the sampled thread's (inherited events), not the CPU's.
	 */
	size_t nmembers;
	bool member;
	bool per_thread;
	struct decode_layout layout;
};

struct sampler;

/*
 * The perf_event_attr of sampling event k of o (0: o->event, k: o->extra[k - 1]) for target t, as
 * sampler_open opens it (not the first of its CPU: no side-band records).
 */
void sampler_event_attr(const struct sampler_opts *o, const struct target *t, size_t k,
			struct perf_event_attr *attr);

/*
 * Open the sampling event for target t and map the rings. Returns 0, or a negative errno with err
 * saying what to do (permission: the paranoid sysctl; an event the CPU lacks; a PID gone).
 * Events start disabled, like counter_set_open: sampler_enable, or the command's exec, starts them.
 */
int sampler_open(struct sampler **out, const struct sampler_opts *o, const struct target *t,
		 struct errbuf *err);
/*
 * Whether further sampling event extra[k] of o can sample target t: opened once and closed.
 * Returns 0, or a negative errno with why naming the event and the reason (not supported here,
 * a counting-only event, or its rate refused).
 */
int sampler_probe(const struct sampler_opts *o, const struct target *t, size_t k,
		  struct errbuf *why);
/* Enable every event now (system-wide and attached targets). */
void sampler_enable(struct sampler *s);
/*
 * Every event fd, for poll: POLLIN when its CPU's ring passes the watermark. An fd whose thread
 * has exited reports POLLHUP: stop polling that one; sampler_consume still drains its ring.
 */
size_t sampler_nfds(const struct sampler *s);
int sampler_fd(const struct sampler *s, size_t i);

/* Called for each record with the event that wrote it (NULL when no event claims its id). */
typedef void (*sampler_record_fn)(void *ctx, const struct sampler_event *ev,
				  const struct perf_event_header *rec);
/* Consume every record waiting in every ring; returns how many. */
size_t sampler_consume(struct sampler *s, sampler_record_fn fn, void *ctx);
/* Records rejected for a bad size (a corrupt ring), over all rings. */
uint64_t sampler_bad_records(const struct sampler *s);
/*
 * The data pages of each CPU's ring: those asked for, and those mapped (fewer when the
 * locked-memory limit refused the size asked for and the rings were halved until it fit).
 */
void sampler_ring_pages(const struct sampler *s, size_t *asked, size_t *mapped);
/*
 * The bytes moved from rings into their spills so far (a drain that fell behind), and the sum of
 * each ring's largest spill (an upper bound of what the spills mapped at once). Zeros for NULL.
 */
void sampler_spill_stats(const struct sampler *s, uint64_t *spilled, size_t *peak);
/* Number of perf fds open (sampling events on all CPUs and threads). */
size_t sampler_nevents_open(const struct sampler *s);
/*
 * A process target (-p, COMMAND): the CPUs its events were opened on, those online then. A CPU
 * that comes online later has none: its threads cannot be given one once they run. Empty
 * system-wide.
 */
const struct cpulist *sampler_task_cpus(const struct sampler *s);
/* Close everything; NULL is fine. */
void sampler_free(struct sampler *s);

#endif
