/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scheduler timeline's internals, shared by the files of model/schedmap (not part of its
 * contract, which is include/ringside/model/schedmap.h). Per CPU: a ring of exact runs stored as
 * two arrays (start ns, task index; a run ends where the next begins, the last one where the open
 * run begins) covering [fold_t, cur_start), the open run [cur_start, now), and a ring of summary
 * buckets covering [sum_t0, fold_t). Folding moves the oldest bucket's worth of runs into one
 * summary, through an accumulator indexed by task with a list of touched slots, so each run is
 * folded once and no hashing is needed. Tasks live in an array found by TID through util/idmap
 * (TID -> the latest task of that TID).
 *
 * The files: schedmap.c (lifecycle, settings, task accessors), schedmap_event.c (events, runs and
 * summaries), schedmap_task.c (the task table, short names, folding exited tasks),
 * schedmap_hist.c (latency histograms), schedmap_query.c (the map query, busy fractions,
 * iteration), schedmap_load.c (rebuilding a map from a snapshot). The helpers on the per-event
 * path are static inline here so that splitting the module adds no call to it.
 */
#ifndef RINGSIDE_MODEL_SCHEDMAP_INT_H
#define RINGSIDE_MODEL_SCHEDMAP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/schedmap.h"
#include "ringside/util/idmap.h"

#define SCHEDMAP_NONE	     UINT64_MAX
#define SCHEDMAP_SLOT_EMPTY  UINT32_MAX
#define SCHEDMAP_NSPECIAL    3u /* accumulator slots 0..2: idle, other, unknown */
#define SCHEDMAP_HIST_LINEAR 32u
#define SCHEDMAP_HIST_OCT    24u /* powers of two 2^10 .. 2^33 */
#define SCHEDMAP_HIST_N	     (SCHEDMAP_HIST_LINEAR + SCHEDMAP_HIST_OCT * 32u)
#define SCHEDMAP_HIST_SPARSE 64u
/* prev_state exit states (EXIT_DEAD, EXIT_ZOMBIE): the task will not run again. */
#define SCHEDMAP_STATE_GONE 0x30ll

struct schedmap_hpair {
	uint16_t bucket;
	uint32_t count;
};

struct schedmap_task {
	int32_t tid, pid;
	char comm[16];
	char short_name[8];
	int32_t running_cpu; /* -1 when not running */
	uint32_t execs;
	bool target, exited, gone, frozen, dense;
	uint16_t nsparse;
	uint64_t runtime_ns;
	uint64_t vol, invol, migrations, wakeups;
	uint64_t wake_pending; /* SCHEDMAP_NONE when not waiting */
	uint64_t lat_count, lat_max;
	uint64_t lat_frozen[3]; /* p50, p95, p99 once frozen */
	void *hist;		/* struct schedmap_hpair[SPARSE] or uint32_t[HIST_N] */
	uint64_t last_seen;	/* m->now at its last event or run: no exact run ends after it */
	uint64_t folded;	/* > 0: the aggregate of that many exited tasks (tid, pid 0) */
};

struct schedmap_sum {
	uint32_t task, task_ns, target_task, target_ns, busy_ns, target_busy_ns, known_ns;
};

struct schedmap_cpu {
	bool started;
	uint32_t cur_task;
	uint64_t cur_start; /* where the open run's stored part begins (>= fold_t) */
	uint64_t cur_since; /* when it really began, for run time */
	uint64_t last;	    /* the last switch */
	uint64_t fold_t;    /* exact runs cover [fold_t, cur_start) */
	uint64_t *rstart;
	uint32_t *rtask;
	size_t rcap, rhead, rn; /* rcap is a power of two */
	struct schedmap_sum *sum;
	size_t scap, shead, sn;
	/* summaries cover [sum_t0, sum_t0 + sn * bucket): [sum_t0, fold_t) after a fold */
	uint64_t sum_t0;
};

/* Per-slot ns with the list of touched slots, so that a reset costs what was used. */
struct schedmap_acc {
	uint64_t *ns;
	uint32_t *touched;
	size_t cap, ntouched;
};

struct schedmap {
	unsigned ncpus;
	uint64_t detail_ns, bucket_ns, now;
	size_t max_runs, max_buckets;
	struct schedmap_cpu *cpus;
	struct schedmap_task *tasks;
	uint64_t *cpu_runtime; /* [task * ncpus + cpu] */
	size_t ntasks, tasks_cap;
	struct idmap index; /* TID -> latest task (aggregates are not in it) */
	uint32_t *legend;
	size_t nlegend, legend_cap;
	uint64_t names_given; /* short names given: the next one's place in the sequence */
	size_t nexited;	      /* exited tasks that are not aggregates: fold candidates */
	size_t fold_min;      /* fold tasks when at least this many can be (0: never) */
	uint64_t fold_next;   /* no fold sweep before this time */
	uint64_t hist_bytes;
	struct schedmap_acc fold_acc;
	schedmap_target_fn target_fn;
	void *target_ctx;
	struct schedmap_counts counts;
};

/* schedmap_event.c: the accumulator, runs and summaries. */

/* Room for nslots slots (task indexes plus SCHEDMAP_NSPECIAL). */
void schedmap_acc_reserve(struct schedmap_acc *a, size_t nslots);
void schedmap_acc_fini(struct schedmap_acc *a);
/* Zero the touched slots. */
void schedmap_acc_reset(struct schedmap_acc *a);
/* Reallocate the summary ring to cap (>= sn), oldest first at 0. */
void schedmap_sums_resize(struct schedmap_cpu *c, size_t cap);
void schedmap_sums_drop_oldest(struct schedmap *m, struct schedmap_cpu *c);
/* Append a summary, growing the ring up to max_buckets, then dropping the oldest. */
void schedmap_sums_push(struct schedmap *m, struct schedmap_cpu *c, const struct schedmap_sum *s);
/* Fold every bucket of c that ended before the detail horizon. */
void schedmap_fold_cpu(struct schedmap *m, struct schedmap_cpu *c);
/* Append the run [start, ...) of task; the previous run (if the same task) just extends. */
void schedmap_push_run(struct schedmap_cpu *c, uint64_t start, uint32_t task);

/* schedmap_hist.c: latency histograms. */

/* Bytes held by t's histogram. */
size_t schedmap_hist_bytes(const struct schedmap_task *t);
/* The midpoint of bucket b. */
uint64_t schedmap_hist_value(unsigned b);
/* Count n latencies in bucket b of t's histogram (lat_count and lat_max are the caller's). */
void schedmap_hist_put(struct schedmap *m, struct schedmap_task *t, unsigned b, uint64_t n);
/* p50, p95, p99 into out[3], from the histogram. */
void schedmap_hist_percentiles(const struct schedmap_task *t, uint64_t out[3]);
/* Compute the percentiles once and free the histogram (an exited task gets no more latencies). */
void schedmap_hist_freeze(struct schedmap *m, struct schedmap_task *t);
/* Add t's latencies (frozen: rebuilt from its percentiles) to the aggregate agg's histogram. */
void schedmap_hist_merge(struct schedmap *m, struct schedmap_task *agg,
			 const struct schedmap_task *t);

/* schedmap_task.c: the task table and folding exited tasks. */

/* Copy a comm (at most 15 characters), NUL-padded to 16 bytes. */
void schedmap_set_comm(char dst[16], const char *comm);
/* Whether the target callback (if any) says tid (of pid) is a target. */
bool schedmap_ask_target(struct schedmap *m, int32_t tid, int32_t pid);
/* A new task for tid named comm (may be NULL); with indexed, schedmap_find finds it. */
uint32_t schedmap_task_new(struct schedmap *m, bool indexed, int32_t tid, const char *comm);
/* The task exited: it gets no more latencies, and may fold once nothing exact refers to it. */
void schedmap_set_exited(struct schedmap *m, struct schedmap_task *t);
/* Fold exited tasks into aggregates when enough can (see schedmap_advance). */
void schedmap_fold_tasks(struct schedmap *m);

/* Inline helpers of the per-event path. */

/* The accumulator slot of task: idle, other and unknown take 0..2, task i takes i + 3. */
static inline uint32_t
schedmap_slot(uint32_t task)
{
	if (task == SCHEDMAP_TASK_IDLE)
		return 0;
	if (task == SCHEDMAP_TASK_OTHER)
		return 1;
	if (task == SCHEDMAP_TASK_UNKNOWN)
		return 2;
	return task + SCHEDMAP_NSPECIAL;
}

/* The task of an accumulator slot (schedmap_slot backwards). */
static inline uint32_t
schedmap_slot_task(uint32_t slot)
{
	static const uint32_t special[SCHEDMAP_NSPECIAL] = { SCHEDMAP_TASK_IDLE,
							     SCHEDMAP_TASK_OTHER,
							     SCHEDMAP_TASK_UNKNOWN };

	return slot < SCHEDMAP_NSPECIAL ? special[slot] : slot - SCHEDMAP_NSPECIAL;
}

/* Add ns to task's slot, listing the slot as touched the first time. */
static inline void
schedmap_acc_add(struct schedmap_acc *a, uint32_t task, uint64_t ns)
{
	uint32_t slot = schedmap_slot(task);

	if (!ns)
		return;
	if (!a->ns[slot])
		a->touched[a->ntouched++] = slot;
	a->ns[slot] += ns;
}

/* The histogram bucket of a latency of v ns. */
static inline unsigned
schedmap_hist_bucket(uint64_t v)
{
	unsigned e;

	if (v < 1024)
		return (unsigned)(v >> 5);
	e = 63u - (unsigned)__builtin_clzll(v);
	if (e >= 10 + SCHEDMAP_HIST_OCT)
		return SCHEDMAP_HIST_N - 1;
	return SCHEDMAP_HIST_LINEAR + (e - 10) * 32u + (unsigned)((v >> (e - 5)) & 31);
}

/* The ring position of c's i-th exact run (0: the oldest). */
static inline size_t
schedmap_rpos(const struct schedmap_cpu *c, size_t i)
{
	return (c->rhead + i) & (c->rcap - 1);
}

/* The start of the summary bucket that holds t. */
static inline uint64_t
schedmap_bucket_floor(const struct schedmap *m, uint64_t t)
{
	return t - t % m->bucket_ns;
}

/* Whether task is a task of the table marked as a target. */
static inline bool
schedmap_is_target(const struct schedmap *m, uint32_t task)
{
	return task < m->ntasks && m->tasks[task].target;
}

/* Record one latency of v ns (nothing once t is frozen). */
static inline void
schedmap_hist_add(struct schedmap *m, struct schedmap_task *t, uint64_t v)
{
	if (t->frozen)
		return;
	t->lat_count++;
	if (v > t->lat_max)
		t->lat_max = v;
	schedmap_hist_put(m, t, schedmap_hist_bucket(v), 1);
}

/*
 * The live task for tid, created when unknown. A task that is gone (switched out dead) or, with
 * fork, exited, is a recycled TID: a new task takes its place.
 */
static inline uint32_t
schedmap_task_get(struct schedmap *m, int32_t tid, const char *comm, bool fork)
{
	uint32_t idx = idmap_get(&m->index, tid);

	if (idx != IDMAP_NONE) {
		struct schedmap_task *t = &m->tasks[idx];

		if (!(t->gone || (fork && t->exited))) {
			t->last_seen = m->now;
			return idx;
		}
	}
	return schedmap_task_new(m, true, tid, comm);
}

#endif
