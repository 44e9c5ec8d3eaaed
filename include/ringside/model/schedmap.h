/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The per-CPU scheduler timeline: built from sched tracepoint events (struct sched_event, which
 * perf/schedtp decodes), it keeps for every CPU the sequence of runs (start, end, task) with idle
 * included, a task table with per-task scheduling statistics (run time per CPU, voluntary and
 * involuntary switches, migrations, wake-up to run latency percentiles), and answers the queries
 * the scheduler map, the heat map and the snapshot need. Pure data: no I/O, no perf headers.
 *
 * Time model. Each CPU's history is unknown until its first SCHED_SWITCH, which opens the first
 * run at that time (what ran before is not idle, it is unknown). From then on runs are contiguous:
 * every switch ends the current run and starts the next one. The current run stays open until the
 * next switch on that CPU; queries see it as running until schedmap_now().
 *
 * Memory on long runs. The last detail_ns of every CPU are kept as exact runs; older history folds
 * into per-CPU summaries of fixed-width buckets (bucket_ns wide, aligned to multiples of bucket_ns
 * in absolute time). A summary bucket keeps: the non-idle task that ran most and its ns, the
 * target task that ran most and its ns, busy (non-idle) ns, target busy ns and known ns (time
 * covered by data). Folding is incremental (a bucket at a time, on the switches of its CPU and in
 * schedmap_advance) and moves each run once, so schedmap_event stays O(1) amortized. Caps:
 *   - exact runs: 12 bytes each (start ns + task index, struct-of-arrays; a run ends where the next
 *     begins). Per CPU at most max_runs = clamp(SCHEDMAP_TOTAL_RUNS / ncpus, SCHEDMAP_MIN_RUNS,
 *     SCHEDMAP_MAX_RUNS_PER_CPU) rounded down to a power of two: 2^18 runs = 3 MiB on one CPU,
 *     2^17 = 1.5 MiB per CPU on two, at most 3 MiB in total (but at least 4096 runs = 48 KiB per
 *     CPU, so 3 MiB up to 64 CPUs).
 * When a CPU reaches its cap before detail_ns has passed, whole buckets fold early: the exact
 * horizon shrinks under switch storms (2^17 runs hold 60 s up to ~2200 switches/s per CPU). The one
 * exception: the bucket being filled cannot fold before it ends, so a CPU switching more than
 * max_runs times within one bucket grows its ring past the cap (bounded by its switches per bucket:
 * ~100k at one switch per microsecond and 100 ms buckets, 1.2 MiB).
 *   - summaries: 28 bytes per bucket, a ring of at most SCHEDMAP_DEFAULT_MAX_BUCKETS (36000) per
 *     CPU, i.e. 1 h of history at 100 ms: 0.96 MiB per CPU (2 CPUs: 1.9 MiB; 64 CPUs: 61.5 MiB —
 *     lower it with schedmap_set_max_buckets). Older buckets are dropped (counted): that time is
 *     unknown again. Both rings grow geometrically up to their caps, so short runs stay small.
 *   - tasks: one entry per distinct task seen (a recycled TID after an exit is a new task), 160
 *     bytes plus 8 bytes per CPU (run time per CPU), plus 16 to 32 bytes of TID index. An exited
 *     task stays while something exact may refer to it: until it is not running and was last
 *     seen before detail_ns ago and before every CPU's exact runs begin. After that it can be
 *     folded: its statistics are added into one aggregate task per comm and target status (tid
 *     and pid 0, schedmap_task_stats.folded counting the tasks in it, not found by TID), and the
 *     summaries and the legend that named it name the aggregate, which keeps the first short name
 *     folded into it. Folding runs in schedmap_advance once at least fold_min (1024,
 *     schedmap_set_fold_min) and a quarter of the table can fold; it compacts the table
 *     (renumbering task indexes everywhere) and shrinks the arrays to twice the tasks left. So
 *     the table holds the live tasks, the tasks that exited in the last detail_ns (or since the
 *     oldest exact run), one aggregate per comm, and at most max(fold_min, a third of that)
 *     foldable ones waiting: under a steady stream of short-lived tasks it stops growing after
 *     detail_ns. Short recordings (under detail_ns) never fold. An aggregate's run time,
 *     per-CPU run time, switches, migrations, wake-ups, execs, latency count and maximum are the
 *     exact sums (maximum); its latency percentiles are approximate (see "Wake-up latency").
 *     Latency histograms: 8 bytes per distinct latency bucket (allocated 4, 8 ... 64 at a time,
 *     at most 512 bytes), then a dense 3200-byte array; an exited task's percentiles are frozen
 *     and its histogram freed (an aggregate keeps one: at most 3200 bytes per comm).
 *   - schedmap_memory() reports the bytes currently held.
 *
 * Ordering. Events should arrive in time order (ingest merges the rings). A SCHED_SWITCH earlier
 * than the last switch on its CPU (or than the start of the current run) is clamped to that time:
 * the closed run is empty and dropped, the task sequence stays consistent, nothing is corrupted
 * (counted in schedmap_counts.clamped). A switch whose prev_pid is not the task the model has
 * running on that CPU (lost records, or per-process tracing that only sees some switches) closes
 * the current run as unknown: the time is not credited to anyone (counted as mismatches).
 *
 * Switch classification. prev_state is the kernel's reported state: 0 (TASK_RUNNING) when a task
 * was switched out runnable; since Linux 4.14 a preempted task reports TASK_REPORT_MAX (0x100,
 * printed "R+"), and with lazy preemption (6.13+) preempted tasks mostly report 0. So a switch-out
 * is involuntary when none of the sleeping-state bits (SCHEDMAP_STATE_SLEEP_MASK: S D T t X Z P I)
 * are set, voluntary otherwise. Exiting tasks (X, Z) count as voluntary.
 *
 * Migrations count SCHED_MIGRATE events only; a task seen running on another CPU than its last
 * run without a MIGRATE event (lost records) is not counted as a migration.
 *
 * Wake-up latency: from the first SCHED_WAKEUP/SCHED_WAKEUP_NEW of a task that is not running to
 * the next SCHED_SWITCH that switches it in (a later wake-up before that does not restart the
 * clock; a wake-up of a task that is running is counted as a wake-up but starts no latency).
 * Latencies go into a log-linear histogram: 32 ns steps below 1024 ns, then 32 sub-buckets per
 * power of two up to 2^34 ns (17 s; longer ones land in the last bucket); percentiles report the
 * bucket's midpoint (at most 1.6% off above 1 µs), clamped to the exact maximum. An aggregate's
 * histogram is rebuilt from each folded task's frozen percentiles as a ladder (the ranks up to
 * p50's at its p50, up to p95's at its p95, up to p99's at its p99, the rest at its maximum): each
 * latency is replaced by one no smaller, so the aggregate's percentiles are upper bounds of the
 * true ones over its tasks, to the histogram's precision (a task folded alone reports its own).
 *
 * The idle task (pid 0, one per CPU) is not a task of the table: it has the index
 * SCHEDMAP_TASK_IDLE and no statistics.
 *
 * Targets (-p / --): schedmap_mark_target(tid) or a callback (schedmap_set_target_fn) asked for
 * each new task and on schedmap_set_pid. Children forked by a target task are targets; a thread
 * whose process leader (tid == pid) is a target becomes a target when its pid is set.
 * SCHEDMAP_OTHER in queries groups every non-target task as SCHEDMAP_TASK_OTHER. Summaries record
 * target status as it was when their bucket folded.
 *
 * Per-process tracing sees only switch-outs: the sched_switch tracepoint fires in the context of
 * the task switching out, so per-task events (-p / --, pid + inherit) get prev == a target and
 * never a target's switch-in (measured on 6.18). Ingest can add switch-ins from another source
 * (PERF_RECORD_SWITCH with attr.context_switch) as SCHED_SWITCH events whose unidentified side has
 * a negative pid:
 *   - next_pid < 0 opens a run of SCHEDMAP_TASK_OTHER (no task, no statistics);
 *   - prev_pid < 0 closes the current run as the task last seen switching in there (a guess: its
 *     run time is not credited), unless that task is a target — its switch-out should have been
 *     seen, so the time is unknown (a mismatch).
 * Runs of SCHEDMAP_TASK_OTHER count as busy: the model cannot tell them from idle.
 */
#ifndef RINGSIDE_MODEL_SCHEDMAP_H
#define RINGSIDE_MODEL_SCHEDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The sched tracepoint events, as perf/schedtp decodes them (the contract between the two). Pids
 * are kernel task ids (0: the idle task); schedmap also accepts a negative switch pid for a side
 * ingest cannot identify (see "Per-process tracing" above).
 */
enum sched_event_type {
	SCHED_SWITCH,
	SCHED_WAKEUP,
	SCHED_WAKEUP_NEW,
	SCHED_MIGRATE,
	SCHED_EXEC,
	SCHED_FORK,
	SCHED_EXIT
};
struct sched_event {
	enum sched_event_type type;
	uint64_t time; /* ns, CLOCK_MONOTONIC (perf sample time) */
	int cpu;       /* the CPU that recorded it */
	/* SWITCH */
	int32_t prev_pid, next_pid;
	char prev_comm[16], next_comm[16];
	int64_t prev_state;
	int prev_prio, next_prio;
	/* WAKEUP, WAKEUP_NEW, MIGRATE, EXIT: the task */
	int32_t pid;
	char comm[16];
	int prio;
	/* WAKEUP*: */
	int target_cpu;
	/* MIGRATE: */
	int orig_cpu, dest_cpu;
	/* FORK */
	int32_t parent_pid, child_pid;
	char parent_comm[16], child_comm[16];
	/* EXEC; old_pid 0: not known (from a COMM record), the thread running on cpu if it is of
	 * the same process */
	int32_t old_pid;
	char filename[256]; /* pid in .pid; filename truncated, NUL-terminated */
};

/*
 * Task indexes are dense from 0 in order of first appearance; folding (in schedmap_advance)
 * renumbers them, keeping that order and putting new aggregates last. These are special ones.
 */
/* No data for that time. */
#define SCHEDMAP_TASK_UNKNOWN UINT32_MAX
/* The idle task (pid 0). */
#define SCHEDMAP_TASK_IDLE (UINT32_MAX - 1u)
/* Non-target tasks, grouped (SCHEDMAP_OTHER). */
#define SCHEDMAP_TASK_OTHER (UINT32_MAX - 2u)

/* Exact runs for the last 60 s, summary buckets of 100 ms (32-bit ns fields: at most 4 s). */
#define SCHEDMAP_DEFAULT_DETAIL_NS (60ull * 1000000000ull)
#define SCHEDMAP_DEFAULT_BUCKET_NS (100ull * 1000000ull)
#define SCHEDMAP_MAX_BUCKET_NS	   4000000000ull
/* Fold exited tasks once at least this many can be (see "Memory on long runs"). */
#define SCHEDMAP_DEFAULT_FOLD_MIN 1024u
/* Summary buckets per CPU: 1 h at 100 ms. */
#define SCHEDMAP_DEFAULT_MAX_BUCKETS 36000u
/* Exact runs across all CPUs (3 MiB), per CPU at most and at least. */
#define SCHEDMAP_TOTAL_RUNS	  (1u << 18)
#define SCHEDMAP_MAX_RUNS_PER_CPU (1u << 19)
#define SCHEDMAP_MIN_RUNS	  4096u
/* prev_state bits that mean "went to sleep" (TASK_REPORT below TASK_REPORT_MAX, Linux >= 4.14). */
#define SCHEDMAP_STATE_SLEEP_MASK 0xffll

/* Query flags. */
enum schedmap_flags {
	SCHEDMAP_OTHER = 1u << 0, /* group non-target tasks as SCHEDMAP_TASK_OTHER */
};

/* One CPU x bucket of a query. */
struct schedmap_cell {
	uint32_t task;	/* the task that ran most (index), or IDLE, OTHER; UNKNOWN: no data */
	uint16_t share; /* per mille of the bucket's width that task ran (idle: idle time) */
	uint16_t busy;	/* per mille of the bucket's width some non-idle task ran */
};

/* An exact run, for iteration. */
struct schedmap_run {
	uint64_t start, end; /* ns; end is schedmap_now() for the open run */
	uint32_t task;	     /* index, SCHEDMAP_TASK_IDLE or SCHEDMAP_TASK_UNKNOWN */
	bool open;	     /* the run in progress (the last one) */
};

/* A summary bucket, for iteration. All ns are within [start, start + bucket_ns). */
struct schedmap_bucket {
	uint64_t start;
	uint32_t task;	      /* the non-idle task that ran most, SCHEDMAP_TASK_IDLE if none */
	uint32_t task_ns;     /* its run time in the bucket */
	uint32_t target_task; /* the target task that ran most, SCHEDMAP_TASK_IDLE if none */
	uint32_t target_ns;
	uint32_t busy_ns;	 /* non-idle time */
	uint32_t target_busy_ns; /* time target tasks ran */
	/* time covered by data (the rest is unknown); idle time is known_ns - busy_ns */
	uint32_t known_ns;
};

/* Per-task statistics. */
struct schedmap_task_stats {
	int32_t tid; /* 0 for an aggregate */
	int32_t pid; /* the process; 0 when not known and for an aggregate */
	/* > 0: the aggregate of this many exited tasks of this comm and target status */
	uint64_t folded;
	char comm[16];
	char short_name[8]; /* "" until the task first runs */
	bool target;
	bool exited;
	uint32_t execs;
	uint64_t runtime_ns; /* includes the open run up to schedmap_now() */
	uint64_t switches_voluntary, switches_involuntary;
	uint64_t migrations;
	uint64_t wakeups;
	uint64_t lat_count; /* wake-up to run latencies recorded */
	uint64_t lat_p50_ns, lat_p95_ns, lat_p99_ns, lat_max_ns;
};

/* Wake-up latencies of a task: count latencies of ns each (schedmap_task_latencies). */
struct schedmap_latency {
	uint64_t ns;
	uint64_t count;
};

/* An entry of the legend: tasks with a short name, in the order the names were given. */
struct schedmap_legend_entry {
	uint32_t task;
	int32_t tid, pid;
	uint64_t folded;	/* > 0: an aggregate of that many exited tasks */
	const char *comm;	/* borrowed; valid until the next event */
	const char *short_name; /* borrowed; stable */
	bool target;
};

/* Event accounting. */
struct schedmap_counts {
	uint64_t events;	  /* accepted by schedmap_event */
	uint64_t switches;	  /* SCHED_SWITCH events */
	uint64_t ignored;	  /* events with a bad CPU or type */
	uint64_t clamped;	  /* switches earlier than their CPU's last one */
	uint64_t mismatches;	  /* switches whose prev was not the task running there */
	uint64_t folded_buckets;  /* summary buckets made */
	uint64_t dropped_buckets; /* summary buckets dropped at the cap */
	uint64_t early_folds;	  /* buckets folded before detail_ns because of the run cap */
	uint64_t folded_tasks;	  /* exited tasks folded into aggregates */
};

struct schedmap;

/* Called for new tasks and on schedmap_set_pid: return true to mark the task a target. */
typedef bool (*schedmap_target_fn)(void *ctx, int32_t tid, int32_t pid);

/*
 * A timeline for CPUs 0..ncpus-1 (ncpus >= 1) keeping exact runs for detail_ns and summary
 * buckets of bucket_ns (0 picks the defaults; bucket_ns above SCHEDMAP_MAX_BUCKET_NS is clamped to
 * it, detail_ns below bucket_ns is raised to it). NULL when ncpus is 0.
 */
struct schedmap *schedmap_new(unsigned ncpus, uint64_t detail_ns, uint64_t bucket_ns);
/* Free the map; NULL is fine. */
void schedmap_free(struct schedmap *m);
/* Change the summary cap per CPU (>= 1); buckets beyond it are dropped oldest first. */
void schedmap_set_max_buckets(struct schedmap *m, size_t max_buckets);
/*
 * Fold exited tasks only when at least min_tasks (and a quarter of the table) can fold; 0 never
 * folds. The default is SCHEDMAP_DEFAULT_FOLD_MIN.
 */
void schedmap_set_fold_min(struct schedmap *m, size_t min_tasks);
/* Change the exact-run cap per CPU (rounded down to a power of two, at least 16). */
void schedmap_set_max_runs(struct schedmap *m, size_t max_runs);

/* Feed one event. O(1) amortized; no allocation per event once the arrays have grown. */
void schedmap_event(struct schedmap *m, const struct sched_event *ev);
/*
 * Move "now" forward to now_ns (if later) and fold what has passed the horizon on every CPU; then,
 * rarely, fold exited tasks into aggregates, which renumbers task indexes (see "Memory on long
 * runs"): indexes held across this call are no longer valid.
 */
void schedmap_advance(struct schedmap *m, uint64_t now_ns);
/* The latest time seen (events or schedmap_advance), 0 before any. */
uint64_t schedmap_now(const struct schedmap *m);

/*
 * Record the process of a thread (from perf records); creates the task when unknown. Cheap when
 * the pid is already known (one lookup); target status is decided again only when it changes.
 */
void schedmap_set_pid(struct schedmap *m, int32_t tid, int32_t pid);
/* Mark the task tid a target (creates it when unknown; tid 0 is ignored). */
void schedmap_mark_target(struct schedmap *m, int32_t tid);
/* Ask fn (with ctx) about new tasks and pid changes from now on; NULL removes it. */
void schedmap_set_target_fn(struct schedmap *m, schedmap_target_fn fn, void *ctx);

unsigned schedmap_ncpus(const struct schedmap *m);
uint64_t schedmap_bucket_ns(const struct schedmap *m);
uint64_t schedmap_detail_ns(const struct schedmap *m);
void schedmap_get_counts(const struct schedmap *m, struct schedmap_counts *out);
/* Bytes held by the map (all arrays, tables and histograms). */
size_t schedmap_memory(const struct schedmap *m);

/* Tasks: indexes 0..schedmap_ntasks()-1 (until the next schedmap_advance). */
size_t schedmap_ntasks(const struct schedmap *m);
/* The current task for tid (the latest one if the TID was recycled), or SCHEDMAP_TASK_UNKNOWN. */
uint32_t schedmap_find(const struct schedmap *m, int32_t tid);
/* Fill out for task; -ENOENT for an index that is not a task (IDLE, OTHER, out of range). */
int schedmap_task_stats(const struct schedmap *m, uint32_t task, struct schedmap_task_stats *out);
/*
 * Of schedmap_task_stats, only tid, pid, folded, exited and runtime_ns (the open run included):
 * no latency percentiles, so cheap enough for every task each interval. Same return.
 */
int schedmap_task_brief(const struct schedmap *m, uint32_t task, struct schedmap_task_stats *out);
/*
 * The wake-up latencies of task as (ns, count) pairs in increasing ns, *n of them (the caller's
 * array; NULL with *n 0 when there are none): each histogram bucket's midpoint clamped to the
 * task's maximum, or, for a task whose histogram is gone (exited, or loaded from a file without
 * it), the ladder schedmap_hist_merge rebuilds from its percentiles. The nearest-rank p50, p95
 * and p99 of these are the task's own (schedmap_task_stats).
 */
struct schedmap_latency *schedmap_task_latencies(const struct schedmap *m, uint32_t task,
						 size_t *n);
/* The task's run time on cpu (open run included), 0 for bad arguments. */
uint64_t schedmap_task_runtime_cpu(const struct schedmap *m, uint32_t task, unsigned cpu);
/*
 * The short name of a task, as perf sched map's: "A".."Z", "a".."z", then a letter and digits
 * ("A0".."z0", "A1".."z9", "A00"...), given when the task first runs, never reused. "." for
 * SCHEDMAP_TASK_IDLE, "+" for SCHEDMAP_TASK_OTHER, "" for UNKNOWN and tasks that never ran.
 * An aggregate keeps the first short name of the tasks folded into it; the other names of folded
 * tasks leave the legend. Borrowed, valid until the next event or schedmap_advance.
 */
const char *schedmap_short_name(const struct schedmap *m, uint32_t task);
/* The n-th short name of the sequence into buf (>= 8 bytes); the generator behind the above. */
void schedmap_short_name_for(uint64_t n, char buf[8]);

/*
 * Legend: entries 0..schedmap_legend_count()-1 in order of their short names (the last one has
 * the longest name).
 */
size_t schedmap_legend_count(const struct schedmap *m);
/* Fill out with the i-th entry; -ENOENT past the end. */
int schedmap_legend_at(const struct schedmap *m, size_t i, struct schedmap_legend_entry *out);

/*
 * The scheduler map: for t0 < t1 cut into buckets of bucket_ns (the last one may be shorter),
 * for every CPU and bucket the task that ran most (idle competes as a task) and its share, into
 * out[cpu * nbuckets + bucket] (nbuckets = schedmap_query_nbuckets(t0, t1, bucket_ns); out has
 * ncpus * nbuckets cells). Unknown time competes with nothing; a cell with no data at all is
 * SCHEDMAP_TASK_UNKNOWN. Exact runs are used where they exist; before them, summary buckets
 * overlapping the cell contribute in proportion to the overlap (overlap / summary width) — an
 * approximation: each summary bucket credits only its top task (or, with SCHEDMAP_OTHER, its top
 * target task and "other"), plus idle. Returns nbuckets, or -EINVAL (t1 <= t0, bucket_ns 0).
 */
int schedmap_query(const struct schedmap *m, uint64_t t0, uint64_t t1, uint64_t bucket_ns,
		   unsigned flags, struct schedmap_cell *out);
/* ceil((t1 - t0) / bucket_ns), 0 for an empty range or bucket_ns 0. */
size_t schedmap_query_nbuckets(uint64_t t0, uint64_t t1, uint64_t bucket_ns);

/*
 * Busy (non-idle) and known ns of cpu within [t0, t1) (summaries weighted by overlap). Returns 0,
 * or -EINVAL for a bad CPU or range.
 */
int schedmap_busy_ns(const struct schedmap *m, unsigned cpu, uint64_t t0, uint64_t t1,
		     uint64_t *busy_ns, uint64_t *known_ns);
/* The busy fraction of cpu over [t0, t1): busy / known in 0..1; -1 with no data or bad args. */
double schedmap_busy(const struct schedmap *m, unsigned cpu, uint64_t t0, uint64_t t1);
/*
 * The busy fraction of cpu per interval: out[i] for [t0 + i * interval_ns, + interval_ns),
 * i < n, as schedmap_busy (-1 where there is no data). Returns 0 or -EINVAL.
 */
int schedmap_busy_series(const struct schedmap *m, unsigned cpu, uint64_t t0, uint64_t interval_ns,
			 size_t n, double *out);

/*
 * Iteration for the snapshot. Exact runs of cpu, oldest first, 0..schedmap_nruns()-1; the last
 * one is the open run (when the CPU has had a switch). Consecutive runs of the same task are
 * merged (except around a clamped out-of-order switch).
 */
size_t schedmap_nruns(const struct schedmap *m, unsigned cpu);
/* Fill out with run i of cpu; -ENOENT past the end or for a bad CPU. */
int schedmap_run_at(const struct schedmap *m, unsigned cpu, size_t i, struct schedmap_run *out);
/* Summary buckets of cpu, oldest first, contiguous in time, ending where the exact runs begin. */
size_t schedmap_nsummaries(const struct schedmap *m, unsigned cpu);
/* Fill out with summary bucket i of cpu; -ENOENT past the end or for a bad CPU. */
int schedmap_summary_at(const struct schedmap *m, unsigned cpu, size_t i,
			struct schedmap_bucket *out);

/*
 * Rebuilding a map that was written out (the snapshot reader): on a new map, load every task,
 * then per CPU its summary buckets and its runs in time order, then call schedmap_load_finish.
 * A loaded map takes no events; it answers queries over the times it covers as the map that was
 * written did, with two approximations: a summary bucket keeps no target-only figures (with
 * SCHEDMAP_OTHER its top task counts as the target's when that task is a target), and per-CPU run
 * times (schedmap_task_runtime_cpu) come from the exact runs only.
 */
/*
 * Append a task with the statistics in st (tid, pid, comm, short_name, flags, counts, folded;
 * latency percentiles kept as given); its short name joins the legend. An aggregate (folded > 0)
 * gets tid and pid 0 and is not found by TID. Returns the task's index.
 */
uint32_t schedmap_load_task(struct schedmap *m, const struct schedmap_task_stats *st);
/*
 * Load n latencies pairs l (as schedmap_task_latencies gives them) into loaded task's histogram,
 * so that its latencies can be drawn; its count, maximum and percentiles stay as loaded.
 */
void schedmap_load_latencies(struct schedmap *m, uint32_t task, const struct schedmap_latency *l,
			     size_t n);
/*
 * Append summary bucket b (start, task, task_ns, busy_ns, known_ns; the rest is ignored) to cpu,
 * before any run of cpu: the first sets where summaries begin, each next one must start
 * bucket_ns later. Values are clamped into the bucket. Returns 0, or -EINVAL for a bad CPU,
 * start or task (IDLE, OTHER or a loaded task).
 */
int schedmap_load_summary(struct schedmap *m, unsigned cpu, const struct schedmap_bucket *b);
/*
 * Append the run [start, end) of task (a loaded task, IDLE, OTHER or UNKNOWN) to cpu, in time
 * order: a gap since the previous run (or the summaries' end) becomes unknown time, an overlap
 * is cut off. Returns 0, or -EINVAL for a bad CPU, task or range.
 */
int schedmap_load_run(struct schedmap *m, unsigned cpu, uint64_t start, uint64_t end,
		      uint32_t task);
/* End loading: "now" becomes now_ns (at least the end of the last run) and the legend is ordered.
 */
void schedmap_load_finish(struct schedmap *m, uint64_t now_ns);

#endif
