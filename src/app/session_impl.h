/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The session's insides, shared by its files and by nobody else (the contract is
 * ringside/app/session.h): session.c its life and the events changed while it runs,
 * session_open.c what it opens, session_step.c its step through the poll loop, session_write.c
 * what it writes and prints, session_notes.c what it tells of targets that give little.
 */
#ifndef RINGSIDE_APP_SESSION_IMPL_H
#define RINGSIDE_APP_SESSION_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/app/journal.h"
#include "ringside/app/session.h"
#include "ringside/export/export.h"
#include "ringside/model/profile.h"
#include "ringside/perf/counter.h"
#include "ringside/perf/evspec.h"
#include "ringside/perf/kvmtp.h"
#include "ringside/perf/sampler.h"
#include "ringside/perf/schedtp.h"
#include "ringside/perf/target.h"
#include "ringside/perf/taskcount.h"
#include "ringside/util/cpulist.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/outfile.h"

/* The poll loop's sources and one step's state (session_step.c). */
struct session_io {
	struct loop *loop; /* signals, the caller's input, pidfds, rings, timer: in that order */
	int timer_fd, input_fd;
	int *pid_fds; /* per attached process */
	bool *pid_gone;
	bool watching, unwatched; /* the sources are in the loop; the end took them out */
	struct session_step *st;  /* the step being taken, for the handlers */
	bool drain, was_ended;	  /* this step: a ring woke up; the session had ended before it */
	int err;		  /* this step: the counters could not be read */
};

/* The scheduler timeline (absent with --no-sched or without tracefs). */
struct session_sched {
	struct schedtp *tp;
	struct errbuf why; /* why there is no timeline, said once recording starts */
	struct sampler_tracepoint tps[SCHEDTP_NR_TYPES];
};

/* --mem: where data addresses come from (session_mem.c). */
struct session_mem {
	bool on;
	bool latency;	 /* WEIGHT and DATA_SRC sampled */
	uint64_t period; /* events per sample */
	char source[64]; /* "page-faults", "pebs-loads", "ibs-op" or the --sample-event */
};

/* --kvm: the KVM exit tracepoints, opened after the scheduler's (session_kvm.c). */
struct session_kvm {
	struct kvmtp *tp; /* NULL: not recorded */
	size_t base;	  /* the index of kvm_exit among the sampler's tracepoints */
	struct sampler_tracepoint tps[SCHEDTP_NR_TYPES + KVMTP_NR_TYPES]; /* all of them */
};

/* Per-task counters (session_tasks.c): absent with --task-counters 0 and after the end. */
struct session_tasks {
	struct taskcount *tc;
	int timer_fd;		    /* process targets: the look for new threads */
	bool deferred;		    /* the first look waits for session_tasks_late */
	struct taskcount_run *runs; /* system-wide: the look's candidates from the timeline */
	size_t runs_cap;
};

/* The busiest threads counted system-wide unless --task-counters says. */
#define SESSION_TASKS_DEFAULT_TOP 16

struct session {
	const struct record_opts *opts;
	unsigned flags;
	struct evspec_list events;
	struct ratio_def *ratios; /* --ratio, as given */
	size_t nratios;
	struct evspec_list ratio_events; /* each ratio's two events */
	struct target target;
	struct counter_set *counters;
	struct profile *profile;
	struct outfile out;
	char *output;		   /* -o FILE with its %-expansions (util/outpath.h) */
	enum export_format format; /* chosen by -o FILE's extension */
	/* Sampling (absent with --no-samples). */
	struct evspec sample_spec;
	struct sampspec_list sample_list; /* --sample-event's events: v[1..] sampled too */
	enum callgraph_mode callgraph;
	uint32_t stack_size; /* -g dwarf,SIZE */
	struct sampler *sampler;
	struct session_mem mem;
	struct symres *sym;
	struct ingest *ingest;
	struct session_sched sched;
	struct session_kvm kvm;
	bool offcpu_on;	       /* off-CPU time is recorded (needs the timeline) */
	struct offcpu *offcpu; /* its pending switch-outs, from the start */
	struct session_io io;
	struct session_tasks tasks;
	/* The counters over time: the last two reads, and when each interval ended. */
	struct counter_value *prev, *cur;
	uint64_t start_ns, last_ns, interval_ns, deadline_ns;
	uint64_t *ticks; /* every interval's end, ns since the start */
	size_t nticks, ticks_cap;
	/* Per profile track: its event in counters, or SIZE_MAX once removed. */
	size_t *track_ev;
	enum session_end end_reason;
	bool running, stopped, preloaded;
	char **notes;
	size_t nnotes;
	struct cpulist offline;	  /* the target's CPUs that are offline now (system-wide) */
	struct cpulist unsampled; /* CPUs online since the start of a process target's events */
	struct journal *journal;  /* beside the output (app/journal), from the first interval */
	struct pusher *pusher;	  /* --push: parts sent as it records, the rest at the end */
	uint64_t push_last_ns;	  /* when the last part ended (monotonic) */
	bool journal_off;	  /* it could not be written: said once, not tried again */
	/* The journal's writer's bytes (and its timeline's) at its last interval: the memory
	 * report comes after a clean end closed the journal. */
	size_t journal_bytes, journal_sched_bytes;
	uint64_t spilled; /* the rings' spill figures, kept when the sampler closes */
	size_t spill_peak;
};

/* Everything that can be checked before anything runs: options, events, target, output. */
int session_prepare(struct session *s, struct errbuf *err);
/* Describe event ev of the counters in track tr (uncounted intervals before it). */
void session_track_fill(struct session *s, struct counter_track *tr, size_t ev);
/* The profile: its metadata, a track per counted event and the user's ratios. */
void session_profile_init(struct session *s);
/* The stack tree, the scheduler timeline, the resolver and the ingest, once the profile exists. */
void session_stacks_init(struct session *s);
/* A pidfd per attached process. Returns 0, -ESRCH (one exited) or -EINVAL with err. */
int session_open_pidfds(struct session *s, struct errbuf *err);
/* Open the counters, then the sampler, dropping events while descriptors run out. */
int session_open_events(struct session *s, struct errbuf *err);
/* Create the loop and take the signals through it. Returns 0 or -errno. */
int session_signals(struct session *s);
/* Drain every ring into the profile. */
void session_drain(struct session *s);
/* Read every counter and append one interval ending now. Returns 0 or -errno. */
int session_sample(struct session *s);
/* Fill the profile's end metadata as of now. */
void session_fill_end(struct session *s, enum session_end reason);
/* Note the PIDs left out (zombies) and the kernel threads among them, once events are open. */
void session_note_targets(struct session *s);
/* Note why a recording that sampled took no sample at all, once it has stopped. */
void session_note_no_samples(struct session *s);
/* Say when journals of unclean ends lie beside the output (before anything runs). */
void session_journal_check(struct session *s);
/* Push the part since the last one when --push-every has passed (a failure said once). */
void session_push_tick(struct session *s);
/* Append the interval just ended to the journal (created the first time). */
void session_journal_append(struct session *s);
/*
 * Fix malloc's mmap threshold (large arrays grow by remapping); count jansson's bytes when
 * RINGSIDE_DEBUG_MEMORY is set (before jansson allocates anything).
 */
void session_memory_init(void);
/* After a drain, at most every 2 s: give malloc's free pages back (session_memory.c). */
void session_memory_trim(uint64_t now_ns);
/* Print where the memory goes when RINGSIDE_DEBUG_MEMORY is set (session_memory.c). */
void session_memory_report(const struct session *s);
/* With RINGSIDE_DEBUG_MEMORY_EVERY=SECONDS too: one line of counts that far apart, on ticks. */
void session_memory_tick(struct session *s);
/* Note a message for the user (stderr headless, the status line live). */
/* --mem: choose the source of data addresses (after the sampling event is parsed). */
int session_mem_prepare(struct session *s, struct errbuf *err);
/* --mem: give the profile its memory-access model (with the stack tree). */
void session_mem_init(struct session *s);
/* --kvm (or a virtual machine as the target): read the KVM tracepoints' formats; a failure is
 * noted, not fatal. */
void session_kvm_prepare(struct session *s);
/* The sampler's tracepoints: sched's nsched, then the KVM ones (when on). Returns how many. */
size_t session_kvm_tracepoints(struct session *s, const struct sampler_tracepoint *sched,
			       size_t nsched);
/* Give up the KVM exits (their tracepoints could not be opened), saying why. */
void session_kvm_drop(struct session *s, const char *why);
/* The profile's KVM exit model and the ingest's decoder, once both exist. */
void session_kvm_init(struct session *s);
/* Print the KVM exits' line of the end summary (stderr). */
void session_kvm_report(const struct kvmexits *k);
/* Per-task counters: open them (after the profile, before the command starts), read them
 * (after each counter read), close them (reading them a last time); close is idempotent. With
 * defer, the table exists at once but the first look for threads (and their counters' opening)
 * waits for session_tasks_late: the live screen's first frame does not wait for it. */
void session_tasks_init(struct session *s, bool defer);
void session_tasks_late(struct session *s);
void session_tasks_sample(struct session *s);
void session_tasks_close(struct session *s);
void session_note(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
