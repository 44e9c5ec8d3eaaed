// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scheduler timeline. Per CPU: a ring of exact runs stored as two arrays (start ns, task
 * index; a run ends where the next begins, the last one where the open run begins) covering
 * [fold_t, cur_start), the open run [cur_start, now), and a ring of summary buckets covering
 * [sum_t0, fold_t). Folding moves the oldest bucket's worth of runs into one summary, through an
 * accumulator indexed by task with a list of touched slots, so each run is folded once and no
 * hashing is needed. Tasks live in an array found by TID through util/idmap (TID -> the latest
 * task of that TID).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/schedmap.h"
#include "ringside/util/idmap.h"
#include "ringside/util/xalloc.h"

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

/* ---- accumulator ---- */

static void
schedmap_acc_reserve(struct schedmap_acc *a, size_t nslots)
{
	if (nslots <= a->cap)
		return;
	size_t cap = a->cap ? a->cap : 64;
	while (cap < nslots)
		cap *= 2;
	a->ns = xreallocarray(a->ns, cap, sizeof(*a->ns));
	memset(a->ns + a->cap, 0, (cap - a->cap) * sizeof(*a->ns));
	a->touched = xreallocarray(a->touched, cap, sizeof(*a->touched));
	a->cap = cap;
}

static void
schedmap_acc_fini(struct schedmap_acc *a)
{
	free(a->ns);
	free(a->touched);
}

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

static inline uint32_t
schedmap_slot_task(uint32_t slot)
{
	static const uint32_t special[SCHEDMAP_NSPECIAL] = { SCHEDMAP_TASK_IDLE,
							     SCHEDMAP_TASK_OTHER,
							     SCHEDMAP_TASK_UNKNOWN };

	return slot < SCHEDMAP_NSPECIAL ? special[slot] : slot - SCHEDMAP_NSPECIAL;
}

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

static void
schedmap_acc_reset(struct schedmap_acc *a)
{
	for (size_t i = 0; i < a->ntouched; i++)
		a->ns[a->touched[i]] = 0;
	a->ntouched = 0;
}

/* ---- latency histogram ---- */

static unsigned
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

/* The midpoint of bucket b. */
static uint64_t
schedmap_hist_value(unsigned b)
{
	uint64_t lo, width;

	if (b < SCHEDMAP_HIST_LINEAR) {
		lo = (uint64_t)b * 32;
		width = 32;
	} else {
		unsigned e = 10 + (b - SCHEDMAP_HIST_LINEAR) / 32,
			 sub = (b - SCHEDMAP_HIST_LINEAR) % 32;

		width = 1ull << (e - 5);
		lo = (1ull << e) + sub * width;
	}
	return lo + width / 2;
}

/* The allocated length of a sparse histogram holding n pairs (it doubles from 4). */
static unsigned
schedmap_hist_sparse_cap(unsigned n)
{
	unsigned cap = 4;

	while (cap < n)
		cap *= 2;
	return cap;
}

static size_t
schedmap_hist_bytes(const struct schedmap_task *t)
{
	if (!t->hist)
		return 0;
	if (t->dense)
		return SCHEDMAP_HIST_N * sizeof(uint32_t);
	return schedmap_hist_sparse_cap(t->nsparse) * sizeof(struct schedmap_hpair);
}

static inline void
schedmap_hist_count(uint32_t *c, uint64_t n)
{
	*c = n > UINT32_MAX - *c ? UINT32_MAX : *c + (uint32_t)n;
}

/* Count n latencies in bucket b of t's histogram (lat_count and lat_max are the caller's). */
static void
schedmap_hist_put(struct schedmap *m, struct schedmap_task *t, unsigned b, uint64_t n)
{
	struct schedmap_hpair *p = t->hist;

	if (t->dense) {
		schedmap_hist_count(&((uint32_t *)t->hist)[b], n);
		return;
	}
	for (unsigned i = 0; i < t->nsparse; i++) {
		if (p[i].bucket == b) {
			schedmap_hist_count(&p[i].count, n);
			return;
		}
	}
	if (t->nsparse < SCHEDMAP_HIST_SPARSE) {
		unsigned cap = p ? schedmap_hist_sparse_cap(t->nsparse) : 0;

		if (t->nsparse == cap) {
			unsigned ncap = cap ? cap * 2 : 4;

			p = t->hist = xreallocarray(t->hist, ncap, sizeof(*p));
			m->hist_bytes += (ncap - cap) * sizeof(*p);
		}
		p[t->nsparse].bucket = (uint16_t)b;
		p[t->nsparse].count = 0;
		schedmap_hist_count(&p[t->nsparse++].count, n);
		return;
	}
	/* Many distinct latencies: a dense array is smaller per value from here on. */
	uint32_t *d = xcalloc(SCHEDMAP_HIST_N, sizeof(*d));
	for (unsigned i = 0; i < t->nsparse; i++)
		schedmap_hist_count(&d[p[i].bucket], p[i].count);
	schedmap_hist_count(&d[b], n);
	m->hist_bytes -= schedmap_hist_bytes(t);
	free(p);
	t->hist = d;
	t->dense = true;
	t->nsparse = 0;
	m->hist_bytes += schedmap_hist_bytes(t);
}

static void
schedmap_hist_add(struct schedmap *m, struct schedmap_task *t, uint64_t v)
{
	if (t->frozen)
		return;
	t->lat_count++;
	if (v > t->lat_max)
		t->lat_max = v;
	schedmap_hist_put(m, t, schedmap_hist_bucket(v), 1);
}

static int
schedmap_hpair_cmp(const void *a, const void *b)
{
	const struct schedmap_hpair *x = a, *y = b;

	return (x->bucket > y->bucket) - (x->bucket < y->bucket);
}

/* p50, p95, p99 into out[3], from the histogram. */
static void
schedmap_hist_percentiles(const struct schedmap_task *t, uint64_t out[3])
{
	static const unsigned pct[3] = { 50, 95, 99 };
	struct schedmap_hpair sorted[SCHEDMAP_HIST_SPARSE];
	uint64_t rank[3], cum = 0;
	unsigned k = 0;

	memset(out, 0, 3 * sizeof(*out));
	if (!t->lat_count || !t->hist)
		return;
	for (unsigned i = 0; i < 3; i++) {
		rank[i] = (pct[i] * t->lat_count + 99) / 100;
		if (!rank[i])
			rank[i] = 1;
	}
	if (t->dense) {
		const uint32_t *d = t->hist;

		for (unsigned b = 0; b < SCHEDMAP_HIST_N && k < 3; b++) {
			cum += d[b];
			while (k < 3 && cum >= rank[k])
				out[k++] = schedmap_hist_value(b);
		}
	} else {
		memcpy(sorted, t->hist, t->nsparse * sizeof(*sorted));
		qsort(sorted, t->nsparse, sizeof(*sorted), schedmap_hpair_cmp);
		for (unsigned i = 0; i < t->nsparse && k < 3; i++) {
			cum += sorted[i].count;
			while (k < 3 && cum >= rank[k])
				out[k++] = schedmap_hist_value(sorted[i].bucket);
		}
	}
	for (unsigned i = 0; i < 3; i++)
		if (out[i] > t->lat_max)
			out[i] = t->lat_max;
}

/* Compute the percentiles once and free the histogram (an exited task gets no more latencies). */
static void
schedmap_hist_freeze(struct schedmap *m, struct schedmap_task *t)
{
	if (t->frozen)
		return;
	schedmap_hist_percentiles(t, t->lat_frozen);
	m->hist_bytes -= schedmap_hist_bytes(t);
	free(t->hist);
	t->hist = NULL;
	t->dense = false;
	t->nsparse = 0;
	t->frozen = true;
}

/* ---- short names ---- */

void
schedmap_short_name_for(uint64_t n, char buf[8])
{
	static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	uint64_t span = 52 * 10;
	unsigned digits = 1;

	if (n < 52) {
		buf[0] = letters[n];
		buf[1] = '\0';
		return;
	}
	n -= 52;
	while (n >= span && digits < 6) {
		n -= span;
		digits++;
		span *= 10;
	}
	if (n >= span) {
		/* past 57.8 million names */
		strcpy(buf, "#");
		return;
	}
	buf[0] = letters[n % 52];
	n /= 52;
	for (unsigned i = digits; i > 0; i--) {
		buf[i] = (char)('0' + n % 10);
		n /= 10;
	}
	buf[digits + 1] = '\0';
}

/* ---- tasks ---- */

/*
 * Refill the TID index from the table (after folding renumbered it); with shrink, give back its
 * memory first when it is more than twice what the tasks left need.
 */
static void
schedmap_rebuild_index(struct schedmap *m, bool shrink)
{
	if (shrink && m->index.cap > 4 * (m->ntasks + 1))
		idmap_fini(&m->index);
	else
		idmap_clear(&m->index);
	/* Later entries of a recycled TID win: they overwrite the value of earlier ones. */
	for (size_t i = 0; i < m->ntasks; i++)
		if (!m->tasks[i].folded)
			idmap_put(&m->index, m->tasks[i].tid, (uint32_t)i);
}

static void
schedmap_set_comm(char dst[16], const char *comm)
{
	size_t len = strnlen(comm, 15);

	memcpy(dst, comm, len);
	memset(dst + len, 0, 16 - len);
}

static bool
schedmap_ask_target(struct schedmap *m, int32_t tid, int32_t pid)
{
	return m->target_fn && m->target_fn(m->target_ctx, tid, pid);
}

/*
 * A new task for tid named comm (may be NULL); with indexed, it becomes the one found by tid
 * (replacing an earlier task of a recycled TID); aggregates are not indexed.
 */
static uint32_t
schedmap_task_new(struct schedmap *m, bool indexed, int32_t tid, const char *comm)
{
	struct schedmap_task *t;
	uint32_t idx;

	if (m->ntasks == m->tasks_cap) {
		size_t cap = m->tasks_cap ? m->tasks_cap * 2 : 64;

		m->tasks = xreallocarray(m->tasks, cap, sizeof(*m->tasks));
		m->cpu_runtime =
			xreallocarray(m->cpu_runtime, cap * m->ncpus, sizeof(*m->cpu_runtime));
		m->tasks_cap = cap;
		schedmap_acc_reserve(&m->fold_acc, cap + SCHEDMAP_NSPECIAL);
	}
	idx = (uint32_t)m->ntasks++;
	t = &m->tasks[idx];
	memset(t, 0, sizeof(*t));
	memset(&m->cpu_runtime[(size_t)idx * m->ncpus], 0, m->ncpus * sizeof(*m->cpu_runtime));
	t->tid = tid;
	t->running_cpu = -1;
	t->wake_pending = SCHEDMAP_NONE;
	t->last_seen = m->now;
	if (comm)
		schedmap_set_comm(t->comm, comm);
	if (!indexed)
		return idx;
	idmap_put(&m->index, tid, idx);
	if (schedmap_ask_target(m, tid, 0))
		m->tasks[idx].target = true;
	return idx;
}

/*
 * The live task for tid, created when unknown. With fresh, a task that is gone (switched out
 * dead) or, for fork, exited, is a recycled TID: a new task takes its place.
 */
static uint32_t
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

static inline void
schedmap_rename(struct schedmap_task *t, const char *comm)
{
	/* The kernel pads comms with NULs, so the usual same-name case is one 16-byte compare. */
	if (memcmp(t->comm, comm, 16) == 0)
		return;
	if (comm[0] && strncmp(t->comm, comm, 15) != 0)
		schedmap_set_comm(t->comm, comm);
}

/* The task exited: it gets no more latencies, and may fold once nothing exact refers to it. */
static void
schedmap_set_exited(struct schedmap *m, struct schedmap_task *t)
{
	if (!t->exited && !t->folded)
		m->nexited++;
	t->exited = true;
	schedmap_hist_freeze(m, t);
}

static void
schedmap_give_short_name(struct schedmap *m, uint32_t idx)
{
	struct schedmap_task *t = &m->tasks[idx];

	if (t->short_name[0])
		return;
	schedmap_short_name_for(m->names_given++, t->short_name);
	if (m->nlegend == m->legend_cap) {
		m->legend_cap = m->legend_cap ? m->legend_cap * 2 : 64;
		m->legend = xreallocarray(m->legend, m->legend_cap, sizeof(*m->legend));
	}
	m->legend[m->nlegend++] = idx;
}

static inline bool
schedmap_is_target(const struct schedmap *m, uint32_t task)
{
	return task < m->ntasks && m->tasks[task].target;
}

/* ---- runs and summaries ---- */

static inline size_t
schedmap_rpos(const struct schedmap_cpu *c, size_t i)
{
	return (c->rhead + i) & (c->rcap - 1);
}

static void
schedmap_runs_grow(struct schedmap_cpu *c)
{
	size_t cap = c->rcap ? c->rcap * 2 : 256;
	uint64_t *st = xreallocarray(NULL, cap, sizeof(*st));
	uint32_t *tk = xreallocarray(NULL, cap, sizeof(*tk));

	for (size_t i = 0; i < c->rn; i++) {
		st[i] = c->rstart[schedmap_rpos(c, i)];
		tk[i] = c->rtask[schedmap_rpos(c, i)];
	}
	free(c->rstart);
	free(c->rtask);
	c->rstart = st;
	c->rtask = tk;
	c->rcap = cap;
	c->rhead = 0;
}

/* Reallocate the summary ring to cap (>= sn), oldest first at 0. */
static void
schedmap_sums_resize(struct schedmap_cpu *c, size_t cap)
{
	struct schedmap_sum *s = xreallocarray(NULL, cap, sizeof(*s));

	for (size_t i = 0; i < c->sn; i++)
		s[i] = c->sum[(c->shead + i) % c->scap];
	free(c->sum);
	c->sum = s;
	c->scap = cap;
	c->shead = 0;
}

static void
schedmap_sums_drop_oldest(struct schedmap *m, struct schedmap_cpu *c)
{
	c->shead = (c->shead + 1) % c->scap;
	c->sn--;
	c->sum_t0 += m->bucket_ns;
	m->counts.dropped_buckets++;
}

static void
schedmap_sums_push(struct schedmap *m, struct schedmap_cpu *c, const struct schedmap_sum *s)
{
	if (c->sn == c->scap) {
		if (c->scap < m->max_buckets) {
			size_t cap = c->scap ? c->scap * 2 : 64;

			schedmap_sums_resize(c, cap < m->max_buckets ? cap : m->max_buckets);
		} else {
			schedmap_sums_drop_oldest(m, c);
		}
	}
	c->sum[(c->shead + c->sn++) % c->scap] = *s;
}

static inline uint64_t
schedmap_bucket_floor(const struct schedmap *m, uint64_t t)
{
	return t - t % m->bucket_ns;
}

/* Turn the accumulator into a summary bucket and reset it. */
static void
schedmap_acc_summarize(const struct schedmap *m, struct schedmap_acc *a, struct schedmap_sum *s)
{
	uint64_t top_ns = 0, ttop_ns = 0, busy = 0, tbusy = 0, known = 0;

	s->task = s->target_task = SCHEDMAP_TASK_IDLE;
	for (size_t i = 0; i < a->ntouched; i++) {
		uint32_t slot = a->touched[i], task = schedmap_slot_task(slot);
		uint64_t ns = a->ns[slot];

		if (task == SCHEDMAP_TASK_UNKNOWN)
			continue;
		known += ns;
		if (task == SCHEDMAP_TASK_IDLE)
			continue;
		busy += ns;
		if (ns > top_ns || (ns == top_ns && task < s->task)) {
			top_ns = ns;
			s->task = task;
		}
		if (schedmap_is_target(m, task)) {
			tbusy += ns;
			if (ns > ttop_ns || (ns == ttop_ns && task < s->target_task)) {
				ttop_ns = ns;
				s->target_task = task;
			}
		}
	}
	s->task_ns = (uint32_t)top_ns;
	s->target_ns = (uint32_t)ttop_ns;
	s->busy_ns = (uint32_t)busy;
	s->target_busy_ns = (uint32_t)tbusy;
	s->known_ns = (uint32_t)known;
	schedmap_acc_reset(a);
}

/* Fold the bucket that starts at or before fold_t into a summary. */
static void
schedmap_fold_bucket(struct schedmap *m, struct schedmap_cpu *c)
{
	struct schedmap_acc *a = &m->fold_acc;
	uint64_t be = schedmap_bucket_floor(m, c->fold_t) + m->bucket_ns;
	struct schedmap_sum s;

	while (c->rn) {
		size_t i = c->rhead;
		uint64_t start = c->rstart[i];
		uint64_t end = c->rn > 1 ? c->rstart[schedmap_rpos(c, 1)] : c->cur_start;

		if (end <= be) {
			schedmap_acc_add(a, c->rtask[i], end - start);
			c->rhead = schedmap_rpos(c, 1);
			c->rn--;
		} else {
			schedmap_acc_add(a, c->rtask[i], be - start);
			c->rstart[i] = be;
			break;
		}
	}
	if (!c->rn && c->cur_start < be) {
		schedmap_acc_add(a, c->cur_task, be - c->cur_start);
		c->cur_start = be;
	}
	schedmap_acc_summarize(m, a, &s);
	schedmap_sums_push(m, c, &s);
	c->fold_t = be;
	m->counts.folded_buckets++;
}

/* Fold every bucket of c that ended before the detail horizon. */
static void
schedmap_fold_cpu(struct schedmap *m, struct schedmap_cpu *c)
{
	if (!c->started || m->now < m->detail_ns)
		return;
	uint64_t horizon = m->now - m->detail_ns;

	while (schedmap_bucket_floor(m, c->fold_t) + m->bucket_ns <= horizon)
		schedmap_fold_bucket(m, c);
}

/* Over the run cap, fold whole buckets early while completed runs cover them. */
static void
schedmap_fold_early(struct schedmap *m, struct schedmap_cpu *c)
{
	while (c->rn >= m->max_runs &&
	       schedmap_bucket_floor(m, c->fold_t) + m->bucket_ns <= c->cur_start) {
		schedmap_fold_bucket(m, c);
		m->counts.early_folds++;
	}
}

/* Append the run [start, ...) of task; the previous run (if the same task) just extends. */
static void
schedmap_push_run(struct schedmap_cpu *c, uint64_t start, uint32_t task)
{
	if (c->rn && c->rtask[schedmap_rpos(c, c->rn - 1)] == task)
		return;
	if (c->rn == c->rcap)
		schedmap_runs_grow(c);
	size_t pos = schedmap_rpos(c, c->rn++);
	c->rstart[pos] = start;
	c->rtask[pos] = task;
}

/* ---- events ---- */

static void
schedmap_switch(struct schedmap *m, const struct sched_event *ev)
{
	struct schedmap_cpu *c = &m->cpus[ev->cpu];
	uint64_t t = ev->time;
	uint32_t prev = SCHEDMAP_TASK_IDLE, next = SCHEDMAP_TASK_IDLE;

	m->counts.switches++;
	if (ev->prev_pid > 0) {
		/* prev is usually the task running there: skip the lookup */
		if (c->started && c->cur_task < m->ntasks &&
		    m->tasks[c->cur_task].tid == ev->prev_pid && !m->tasks[c->cur_task].gone) {
			prev = c->cur_task;
			m->tasks[prev].last_seen = m->now;
		} else {
			prev = schedmap_task_get(m, ev->prev_pid, ev->prev_comm, false);
		}
		schedmap_rename(&m->tasks[prev], ev->prev_comm);
	} else if (ev->prev_pid < 0) {
		prev = SCHEDMAP_TASK_OTHER;
	}
	if (!c->started) {
		c->started = true;
		c->fold_t = c->cur_start = t;
		c->sum_t0 = schedmap_bucket_floor(m, t);
	} else {
		uint64_t floor_t = c->last > c->cur_start ? c->last : c->cur_start;

		if (t < floor_t) {
			t = floor_t;
			m->counts.clamped++;
		}
		if (prev == c->cur_task) {
			if (prev < m->ntasks) {
				m->tasks[prev].runtime_ns += t - c->cur_since;
				m->cpu_runtime[(size_t)prev * m->ncpus + (unsigned)ev->cpu] +=
					t - c->cur_since;
			}
			if (t > c->cur_start)
				schedmap_push_run(c, c->cur_start, prev);
		} else if (prev == SCHEDMAP_TASK_OTHER && !schedmap_is_target(m, c->cur_task)) {
			/* An unidentified task switched out: keep what was last seen switching in
			 * (a guess, so its run time is not credited). */
			if (t > c->cur_start)
				schedmap_push_run(c, c->cur_start, c->cur_task);
			if (c->cur_task < m->ntasks)
				m->tasks[c->cur_task].last_seen = m->now;
			if (c->cur_task < m->ntasks && m->tasks[c->cur_task].running_cpu == ev->cpu)
				m->tasks[c->cur_task].running_cpu = -1;
		} else {
			m->counts.mismatches++;
			if (t > c->cur_start)
				schedmap_push_run(c, c->cur_start, SCHEDMAP_TASK_UNKNOWN);
			if (c->cur_task < m->ntasks && m->tasks[c->cur_task].running_cpu == ev->cpu)
				m->tasks[c->cur_task].running_cpu = -1;
		}
	}
	if (prev < m->ntasks) {
		struct schedmap_task *p = &m->tasks[prev];

		if (ev->prev_state & SCHEDMAP_STATE_SLEEP_MASK)
			p->vol++;
		else
			p->invol++;
		if (p->running_cpu == ev->cpu)
			p->running_cpu = -1;
		if (p->exited && (ev->prev_state & SCHEDMAP_STATE_GONE))
			p->gone = true;
	}
	if (ev->next_pid > 0) {
		struct schedmap_task *n;

		next = schedmap_task_get(m, ev->next_pid, ev->next_comm, false);
		n = &m->tasks[next];
		schedmap_rename(n, ev->next_comm);
		schedmap_give_short_name(m, next);
		if (n->wake_pending != SCHEDMAP_NONE) {
			schedmap_hist_add(m, n, t > n->wake_pending ? t - n->wake_pending : 0);
			n->wake_pending = SCHEDMAP_NONE;
		}
		n->running_cpu = ev->cpu;
	} else if (ev->next_pid < 0) {
		next = SCHEDMAP_TASK_OTHER;
	}
	c->cur_task = next;
	c->cur_start = c->cur_since = c->last = t;
	if (c->rn >= m->max_runs)
		schedmap_fold_early(m, c);
	schedmap_fold_cpu(m, c);
}

static void
schedmap_wakeup(struct schedmap *m, const struct sched_event *ev)
{
	uint32_t idx;
	struct schedmap_task *t;

	if (ev->pid <= 0)
		return;
	idx = schedmap_task_get(m, ev->pid, ev->comm, false);
	t = &m->tasks[idx];
	schedmap_rename(t, ev->comm);
	t->wakeups++;
	if (t->running_cpu < 0 && t->wake_pending == SCHEDMAP_NONE)
		t->wake_pending = ev->time;
}

static const char *
schedmap_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static void
schedmap_exec(struct schedmap *m, const struct sched_event *ev)
{
	struct schedmap_task *t;
	uint32_t idx;

	if (ev->pid <= 0)
		return;
	/* A non-leader thread that execs takes over the leader's TID; its own TID is gone. */
	if (ev->old_pid > 0 && ev->old_pid != ev->pid) {
		uint32_t old = schedmap_find(m, ev->old_pid);

		if (old != SCHEDMAP_TASK_UNKNOWN) {
			schedmap_set_exited(m, &m->tasks[old]);
			m->tasks[old].gone = true;
		}
	}
	idx = schedmap_task_get(m, ev->pid, NULL, false);
	t = &m->tasks[idx];
	t->execs++;
	if (ev->filename[0])
		schedmap_set_comm(t->comm, schedmap_basename(ev->filename));
}

static void
schedmap_fork(struct schedmap *m, const struct sched_event *ev)
{
	bool target = false;
	uint32_t child;

	if (ev->child_pid <= 0)
		return;
	if (ev->parent_pid > 0) {
		uint32_t parent = schedmap_task_get(m, ev->parent_pid, ev->parent_comm, false);

		schedmap_rename(&m->tasks[parent], ev->parent_comm);
		target = m->tasks[parent].target;
	}
	child = schedmap_task_get(m, ev->child_pid, ev->child_comm, true);
	schedmap_rename(&m->tasks[child], ev->child_comm);
	if (target)
		m->tasks[child].target = true;
}

static void
schedmap_exit(struct schedmap *m, const struct sched_event *ev)
{
	uint32_t idx;

	if (ev->pid <= 0)
		return;
	/* (the index first: creating a task may move the array) */
	idx = schedmap_task_get(m, ev->pid, ev->comm, false);
	schedmap_set_exited(m, &m->tasks[idx]);
}

void
schedmap_event(struct schedmap *m, const struct sched_event *ev)
{
	if (ev->cpu < 0 || (unsigned)ev->cpu >= m->ncpus || ev->type > SCHED_EXIT) {
		m->counts.ignored++;
		return;
	}
	m->counts.events++;
	if (ev->time > m->now)
		m->now = ev->time;
	switch (ev->type) {
	case SCHED_SWITCH:
		schedmap_switch(m, ev);
		break;
	case SCHED_WAKEUP:
	case SCHED_WAKEUP_NEW:
		schedmap_wakeup(m, ev);
		break;
	case SCHED_MIGRATE:
		if (ev->pid > 0) {
			uint32_t idx = schedmap_task_get(m, ev->pid, ev->comm, false);

			m->tasks[idx].migrations++;
		}
		break;
	case SCHED_EXEC:
		schedmap_exec(m, ev);
		break;
	case SCHED_FORK:
		schedmap_fork(m, ev);
		break;
	case SCHED_EXIT:
		schedmap_exit(m, ev);
		break;
	}
}

/* ---- folding exited tasks ---- */

/*
 * Add t's latencies to the aggregate's histogram. t is frozen (its histogram was freed at exit), so
 * its latencies are rebuilt from its percentiles as a ladder: the ranks up to p50's at p50, then up
 * to p95's at p95, up to p99's at p99, the rest at the maximum. Each value stands for one no
 * smaller, and a task folded alone reports its own percentiles again.
 */
static void
schedmap_hist_merge(struct schedmap *m, struct schedmap_task *agg, const struct schedmap_task *t)
{
	static const unsigned pct[3] = { 50, 95, 99 };
	uint64_t n = t->lat_count, done = 0, v[3];

	if (!n)
		return;
	if (t->frozen)
		memcpy(v, t->lat_frozen, sizeof(v));
	else
		schedmap_hist_percentiles(t, v);
	for (unsigned k = 0; k < 3; k++) {
		uint64_t rank = (pct[k] * n + 99) / 100;

		if (rank > done) {
			schedmap_hist_put(m, agg, schedmap_hist_bucket(v[k]), rank - done);
			done = rank;
		}
	}
	if (n > done)
		schedmap_hist_put(m, agg, schedmap_hist_bucket(t->lat_max), n - done);
	agg->lat_count += n;
	if (t->lat_max > agg->lat_max)
		agg->lat_max = t->lat_max;
}

/* Add task t (with its per-CPU run times tcr) into the aggregate agg (with acr). */
static void
schedmap_fold_into(struct schedmap *m, struct schedmap_task *agg, uint64_t *acr,
		   struct schedmap_task *t, const uint64_t *tcr)
{
	agg->folded++;
	agg->execs += t->execs;
	agg->runtime_ns += t->runtime_ns;
	agg->vol += t->vol;
	agg->invol += t->invol;
	agg->migrations += t->migrations;
	agg->wakeups += t->wakeups;
	schedmap_hist_merge(m, agg, t);
	for (unsigned c = 0; c < m->ncpus; c++)
		acr[c] += tcr[c];
	m->hist_bytes -= schedmap_hist_bytes(t);
	free(t->hist);
	t->hist = NULL;
}

static size_t
schedmap_comm_hash(const char comm[16], bool target, size_t cap)
{
	uint64_t h = 1469598103934665603ull ^ target;

	for (size_t i = 0; i < 16 && comm[i]; i++)
		h = (h ^ (unsigned char)comm[i]) * 1099511628211ull;
	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

/*
 * The sweep's scratch: fold[i] says what becomes of task i (0 kept, 1 folded, 2 folded and its
 * legend entry now stands for its aggregate), remap[i] its new index; aggregates are found by
 * comm and target status through hash (values: an old index, or ntasks + j for the j-th new one,
 * kept in fresh[] with its run times in fresh_cr).
 */
struct schedmap_sweep {
	uint8_t *fold;
	uint32_t *remap, *hash;
	size_t hash_cap, nfresh;
	struct schedmap_task *fresh;
	uint64_t *fresh_cr;
};

/* The aggregate for comm and target (created in fresh[] when there is none): its hash value. */
static uint32_t
schedmap_sweep_aggregate(struct schedmap *m, struct schedmap_sweep *sw, const char comm[16],
			 bool target)
{
	size_t slot = schedmap_comm_hash(comm, target, sw->hash_cap);
	struct schedmap_task *a;

	for (; sw->hash[slot] != SCHEDMAP_SLOT_EMPTY; slot = (slot + 1) & (sw->hash_cap - 1)) {
		uint32_t v = sw->hash[slot];

		a = v < m->ntasks ? &m->tasks[v] : &sw->fresh[v - m->ntasks];
		if (a->target == target && memcmp(a->comm, comm, 16) == 0)
			return v;
	}
	a = &sw->fresh[sw->nfresh];
	memset(a, 0, sizeof(*a));
	memcpy(a->comm, comm, 16);
	a->target = target;
	a->exited = a->gone = true;
	a->running_cpu = -1;
	a->wake_pending = SCHEDMAP_NONE;
	a->last_seen = UINT64_MAX;
	memset(&sw->fresh_cr[sw->nfresh * m->ncpus], 0, m->ncpus * sizeof(*sw->fresh_cr));
	sw->hash[slot] = (uint32_t)(m->ntasks + sw->nfresh++);
	return sw->hash[slot];
}

static inline uint32_t
schedmap_remap(const struct schedmap_sweep *sw, size_t old_n, uint32_t task)
{
	return task < old_n ? sw->remap[task] : task;
}

/* Renumber every stored task index: runs, open runs, summaries and the legend. */
static void
schedmap_sweep_remap(struct schedmap *m, const struct schedmap_sweep *sw, size_t old_n)
{
	size_t n = 0;

	for (unsigned i = 0; i < m->ncpus; i++) {
		struct schedmap_cpu *c = &m->cpus[i];

		for (size_t j = 0; j < c->rn; j++) {
			size_t pos = schedmap_rpos(c, j);

			c->rtask[pos] = schedmap_remap(sw, old_n, c->rtask[pos]);
		}
		c->cur_task = schedmap_remap(sw, old_n, c->cur_task);
		for (size_t j = 0; j < c->sn; j++) {
			struct schedmap_sum *b = &c->sum[(c->shead + j) % c->scap];

			b->task = schedmap_remap(sw, old_n, b->task);
			b->target_task = schedmap_remap(sw, old_n, b->target_task);
		}
	}
	for (size_t i = 0; i < m->nlegend; i++) {
		uint32_t old = m->legend[i];

		if (sw->fold[old] != 1)
			m->legend[n++] = sw->remap[old];
	}
	m->nlegend = n;
}

/* Move the kept tasks down to their new indexes and append the new aggregates. */
static void
schedmap_sweep_compact(struct schedmap *m, const struct schedmap_sweep *sw, size_t nkept)
{
	size_t row = m->ncpus * sizeof(*m->cpu_runtime);

	for (size_t i = 0; i < m->ntasks; i++) {
		uint32_t to = sw->remap[i];

		if (sw->fold[i] || to == i)
			continue;
		m->tasks[to] = m->tasks[i];
		memmove(&m->cpu_runtime[(size_t)to * m->ncpus], &m->cpu_runtime[i * m->ncpus], row);
	}
	memcpy(&m->tasks[nkept], sw->fresh, sw->nfresh * sizeof(*sw->fresh));
	memcpy(&m->cpu_runtime[nkept * m->ncpus], sw->fresh_cr, sw->nfresh * row);
	m->ntasks = nkept + sw->nfresh;
}

/* Shrink the task arrays and the index to the tasks left (with room to double). */
static void
schedmap_sweep_shrink(struct schedmap *m)
{
	size_t cap = 64;

	while (cap < m->ntasks * 2)
		cap *= 2;
	if (cap < m->tasks_cap) {
		m->tasks = xreallocarray(m->tasks, cap, sizeof(*m->tasks));
		m->cpu_runtime =
			xreallocarray(m->cpu_runtime, cap * m->ncpus, sizeof(*m->cpu_runtime));
		m->tasks_cap = cap;
		/* the accumulator is empty between folds */
		schedmap_acc_fini(&m->fold_acc);
		memset(&m->fold_acc, 0, sizeof(m->fold_acc));
		schedmap_acc_reserve(&m->fold_acc, cap + SCHEDMAP_NSPECIAL);
	}
	schedmap_rebuild_index(m, true);
}

/*
 * Whether a task may fold: exited, not an aggregate, and last seen no later than horizon, so no
 * exact run refers to it. The caller keeps every CPU's current task (running_cpu is not enough:
 * it stays set when a task's last switch-out was lost).
 */
static inline bool
schedmap_foldable(const struct schedmap_task *t, uint64_t horizon)
{
	return t->exited && !t->folded && t->last_seen <= horizon;
}

/*
 * Fold exited tasks that nothing exact refers to into one aggregate per comm and target status,
 * when at least fold_min (and a quarter of the table) can fold, and compact the table. Runs from
 * schedmap_advance: O(tasks + runs + summaries) when it folds, which is rare, so events stay O(1).
 */
static void
schedmap_fold_tasks(struct schedmap *m)
{
	struct schedmap_sweep sw = { 0 };
	size_t nfold = 0, nkept = 0, old_n = m->ntasks, need;
	uint64_t horizon;

	if (!m->fold_min || m->now < m->detail_ns || m->now < m->fold_next)
		return;
	need = m->fold_min > m->ntasks / 4 ? m->fold_min : m->ntasks / 4;
	if (m->nexited < need)
		return;
	/* Exact runs end after every CPU's fold_t; tasks of the last detail_ns stay exact. */
	horizon = m->now - m->detail_ns;
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->cpus[i].started && m->cpus[i].fold_t < horizon)
			horizon = m->cpus[i].fold_t;
	sw.fold = xcalloc(old_n, sizeof(*sw.fold));
	for (size_t i = 0; i < old_n; i++)
		sw.fold[i] = schedmap_foldable(&m->tasks[i], horizon);
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->cpus[i].started && m->cpus[i].cur_task < old_n)
			sw.fold[m->cpus[i].cur_task] = 0;
	for (size_t i = 0; i < old_n; i++)
		nfold += sw.fold[i];
	if (nfold < need) {
		/* Not yet: exited tasks become foldable as time passes; look again later. */
		m->fold_next = m->now + m->detail_ns / 16;
		free(sw.fold);
		return;
	}

	sw.remap = xreallocarray(NULL, old_n, sizeof(*sw.remap));
	for (size_t i = 0; i < old_n; i++)
		if (!sw.fold[i])
			sw.remap[i] = (uint32_t)nkept++;
	sw.hash_cap = 64;
	while (sw.hash_cap < 2 * old_n)
		sw.hash_cap *= 2;
	sw.hash = xmalloc(sw.hash_cap * sizeof(*sw.hash));
	memset(sw.hash, 0xff, sw.hash_cap * sizeof(*sw.hash));
	sw.fresh = xreallocarray(NULL, nfold, sizeof(*sw.fresh));
	sw.fresh_cr = xreallocarray(NULL, nfold * m->ncpus, sizeof(*sw.fresh_cr));
	for (size_t i = 0; i < old_n; i++) {
		const struct schedmap_task *t = &m->tasks[i];
		size_t slot;

		if (!t->folded)
			continue;
		slot = schedmap_comm_hash(t->comm, t->target, sw.hash_cap);
		while (sw.hash[slot] != SCHEDMAP_SLOT_EMPTY)
			slot = (slot + 1) & (sw.hash_cap - 1);
		sw.hash[slot] = (uint32_t)i;
	}
	for (size_t i = 0; i < old_n; i++) {
		struct schedmap_task *t = &m->tasks[i], *a;
		uint64_t *acr;
		uint32_t v;

		if (!sw.fold[i])
			continue;
		v = schedmap_sweep_aggregate(m, &sw, t->comm, t->target);
		a = v < old_n ? &m->tasks[v] : &sw.fresh[v - old_n];
		acr = v < old_n ? &m->cpu_runtime[(size_t)v * m->ncpus]
				: &sw.fresh_cr[(v - old_n) * m->ncpus];
		if (!a->short_name[0] && t->short_name[0]) {
			/* the aggregate keeps the first short name: summaries show it */
			memcpy(a->short_name, t->short_name, sizeof(a->short_name));
			sw.fold[i] = 2;
		}
		schedmap_fold_into(m, a, acr, t, &m->cpu_runtime[i * m->ncpus]);
		sw.remap[i] = v < old_n ? sw.remap[v] : (uint32_t)(nkept + v - old_n);
	}
	schedmap_sweep_compact(m, &sw, nkept);
	schedmap_sweep_remap(m, &sw, old_n);
	schedmap_sweep_shrink(m);
	m->nexited -= nfold;
	m->counts.folded_tasks += nfold;
	free(sw.fold);
	free(sw.remap);
	free(sw.hash);
	free(sw.fresh);
	free(sw.fresh_cr);
}

/* ---- lifecycle and settings ---- */

struct schedmap *
schedmap_new(unsigned ncpus, uint64_t detail_ns, uint64_t bucket_ns)
{
	struct schedmap *m;
	size_t runs;

	if (!ncpus)
		return NULL;
	m = xcalloc(1, sizeof(*m));
	m->ncpus = ncpus;
	m->bucket_ns = bucket_ns ? bucket_ns : SCHEDMAP_DEFAULT_BUCKET_NS;
	if (m->bucket_ns > SCHEDMAP_MAX_BUCKET_NS)
		m->bucket_ns = SCHEDMAP_MAX_BUCKET_NS;
	m->detail_ns = detail_ns ? detail_ns : SCHEDMAP_DEFAULT_DETAIL_NS;
	if (m->detail_ns < m->bucket_ns)
		m->detail_ns = m->bucket_ns;
	runs = SCHEDMAP_TOTAL_RUNS / ncpus;
	schedmap_set_max_runs(m, runs < SCHEDMAP_MIN_RUNS	    ? SCHEDMAP_MIN_RUNS
				 : runs > SCHEDMAP_MAX_RUNS_PER_CPU ? SCHEDMAP_MAX_RUNS_PER_CPU
								    : runs);
	m->max_buckets = SCHEDMAP_DEFAULT_MAX_BUCKETS;
	m->fold_min = SCHEDMAP_DEFAULT_FOLD_MIN;
	m->cpus = xcalloc(ncpus, sizeof(*m->cpus));
	idmap_init(&m->index);
	schedmap_acc_reserve(&m->fold_acc, 64 + SCHEDMAP_NSPECIAL);
	return m;
}

void
schedmap_free(struct schedmap *m)
{
	if (!m)
		return;
	for (unsigned i = 0; i < m->ncpus; i++) {
		free(m->cpus[i].rstart);
		free(m->cpus[i].rtask);
		free(m->cpus[i].sum);
	}
	for (size_t i = 0; i < m->ntasks; i++)
		free(m->tasks[i].hist);
	free(m->cpus);
	free(m->tasks);
	free(m->cpu_runtime);
	idmap_fini(&m->index);
	free(m->legend);
	schedmap_acc_fini(&m->fold_acc);
	free(m);
}

void
schedmap_set_max_buckets(struct schedmap *m, size_t max_buckets)
{
	m->max_buckets = max_buckets ? max_buckets : 1;
	for (unsigned i = 0; i < m->ncpus; i++) {
		struct schedmap_cpu *c = &m->cpus[i];

		while (c->sn > m->max_buckets)
			schedmap_sums_drop_oldest(m, c);
		if (c->scap > m->max_buckets)
			schedmap_sums_resize(c, m->max_buckets);
	}
}

void
schedmap_set_fold_min(struct schedmap *m, size_t min_tasks)
{
	m->fold_min = min_tasks;
	m->fold_next = 0;
}

void
schedmap_set_max_runs(struct schedmap *m, size_t max_runs)
{
	/* A power of two, so that the ring (which doubles) is exactly full at the cap. */
	m->max_runs = 16;
	while (m->max_runs * 2 <= max_runs)
		m->max_runs *= 2;
}

void
schedmap_advance(struct schedmap *m, uint64_t now_ns)
{
	if (now_ns > m->now)
		m->now = now_ns;
	for (unsigned i = 0; i < m->ncpus; i++)
		schedmap_fold_cpu(m, &m->cpus[i]);
	schedmap_fold_tasks(m);
}

uint64_t
schedmap_now(const struct schedmap *m)
{
	return m->now;
}

void
schedmap_set_pid(struct schedmap *m, int32_t tid, int32_t pid)
{
	struct schedmap_task *t;
	uint32_t idx;

	if (tid <= 0)
		return;
	idx = schedmap_task_get(m, tid, NULL, false);
	t = &m->tasks[idx];
	/* ingest calls this for every record: nothing to do when the pid is known already */
	if (t->pid == pid)
		return;
	t->pid = pid;
	if (t->target)
		return;
	if (schedmap_ask_target(m, tid, pid)) {
		t->target = true;
	} else if (pid > 0 && pid != tid) {
		uint32_t leader = schedmap_find(m, pid);

		if (leader != SCHEDMAP_TASK_UNKNOWN && m->tasks[leader].target)
			t->target = true;
	}
}

void
schedmap_mark_target(struct schedmap *m, int32_t tid)
{
	uint32_t idx;

	if (tid <= 0)
		return;
	idx = schedmap_task_get(m, tid, NULL, false);
	m->tasks[idx].target = true;
}

void
schedmap_set_target_fn(struct schedmap *m, schedmap_target_fn fn, void *ctx)
{
	m->target_fn = fn;
	m->target_ctx = ctx;
}

unsigned
schedmap_ncpus(const struct schedmap *m)
{
	return m->ncpus;
}

uint64_t
schedmap_bucket_ns(const struct schedmap *m)
{
	return m->bucket_ns;
}

uint64_t
schedmap_detail_ns(const struct schedmap *m)
{
	return m->detail_ns;
}

void
schedmap_get_counts(const struct schedmap *m, struct schedmap_counts *out)
{
	*out = m->counts;
}

size_t
schedmap_memory(const struct schedmap *m)
{
	size_t bytes = sizeof(*m) + m->ncpus * sizeof(*m->cpus);

	for (unsigned i = 0; i < m->ncpus; i++) {
		const struct schedmap_cpu *c = &m->cpus[i];

		bytes += c->rcap * (sizeof(*c->rstart) + sizeof(*c->rtask));
		bytes += c->scap * sizeof(*c->sum);
	}
	bytes += m->tasks_cap * (sizeof(*m->tasks) + m->ncpus * sizeof(*m->cpu_runtime));
	bytes += m->index.cap * (sizeof(*m->index.keys) + sizeof(*m->index.vals));
	bytes += m->legend_cap * sizeof(*m->legend);
	bytes += m->fold_acc.cap * (sizeof(*m->fold_acc.ns) + sizeof(*m->fold_acc.touched));
	bytes += m->hist_bytes;
	return bytes;
}

/* ---- task accessors ---- */

size_t
schedmap_ntasks(const struct schedmap *m)
{
	return m->ntasks;
}

uint32_t
schedmap_find(const struct schedmap *m, int32_t tid)
{
	uint32_t idx = idmap_get(&m->index, tid);

	return idx == IDMAP_NONE ? SCHEDMAP_TASK_UNKNOWN : idx;
}

/* The open run's time of task on cpu so far. */
static uint64_t
schedmap_open_ns(const struct schedmap *m, uint32_t task, unsigned cpu)
{
	const struct schedmap_cpu *c = &m->cpus[cpu];

	if (!c->started || c->cur_task != task || m->now <= c->cur_since)
		return 0;
	return m->now - c->cur_since;
}

int
schedmap_task_stats(const struct schedmap *m, uint32_t task, struct schedmap_task_stats *out)
{
	const struct schedmap_task *t;
	uint64_t pct[3];

	if (task >= m->ntasks)
		return -ENOENT;
	t = &m->tasks[task];
	memset(out, 0, sizeof(*out));
	out->tid = t->tid;
	out->pid = t->pid;
	out->folded = t->folded;
	memcpy(out->comm, t->comm, sizeof(out->comm));
	memcpy(out->short_name, t->short_name, sizeof(out->short_name));
	out->target = t->target;
	out->exited = t->exited;
	out->execs = t->execs;
	out->runtime_ns = t->runtime_ns;
	if (t->running_cpu >= 0)
		out->runtime_ns += schedmap_open_ns(m, task, (unsigned)t->running_cpu);
	out->switches_voluntary = t->vol;
	out->switches_involuntary = t->invol;
	out->migrations = t->migrations;
	out->wakeups = t->wakeups;
	out->lat_count = t->lat_count;
	out->lat_max_ns = t->lat_max;
	if (t->frozen)
		memcpy(pct, t->lat_frozen, sizeof(pct));
	else
		schedmap_hist_percentiles(t, pct);
	out->lat_p50_ns = pct[0];
	out->lat_p95_ns = pct[1];
	out->lat_p99_ns = pct[2];
	return 0;
}

uint64_t
schedmap_task_runtime_cpu(const struct schedmap *m, uint32_t task, unsigned cpu)
{
	if (task >= m->ntasks || cpu >= m->ncpus)
		return 0;
	return m->cpu_runtime[(size_t)task * m->ncpus + cpu] + schedmap_open_ns(m, task, cpu);
}

const char *
schedmap_short_name(const struct schedmap *m, uint32_t task)
{
	if (task == SCHEDMAP_TASK_IDLE)
		return ".";
	if (task == SCHEDMAP_TASK_OTHER)
		return "+";
	if (task >= m->ntasks)
		return "";
	return m->tasks[task].short_name;
}

size_t
schedmap_legend_count(const struct schedmap *m)
{
	return m->nlegend;
}

int
schedmap_legend_at(const struct schedmap *m, size_t i, struct schedmap_legend_entry *out)
{
	const struct schedmap_task *t;

	if (i >= m->nlegend)
		return -ENOENT;
	t = &m->tasks[m->legend[i]];
	out->task = m->legend[i];
	out->tid = t->tid;
	out->pid = t->pid;
	out->folded = t->folded;
	out->comm = t->comm;
	out->short_name = t->short_name;
	out->target = t->target;
	return 0;
}

/* ---- queries ---- */

/* Run j of c (j == rn: the open run) as [start, end) of task; false past the end. */
static bool
schedmap_run_get(const struct schedmap *m, const struct schedmap_cpu *c, size_t j, uint64_t *start,
		 uint64_t *end, uint32_t *task)
{
	if (j < c->rn) {
		size_t pos = schedmap_rpos(c, j);

		*start = c->rstart[pos];
		*end = j + 1 < c->rn ? c->rstart[schedmap_rpos(c, j + 1)] : c->cur_start;
		*task = c->rtask[pos];
		return true;
	}
	if (j == c->rn && c->started) {
		*start = c->cur_start;
		*end = m->now > c->cur_start ? m->now : c->cur_start;
		*task = c->cur_task;
		return true;
	}
	return false;
}

/* The first run of c that ends after t (binary search over the ring; rn when none does). */
static size_t
schedmap_run_search(const struct schedmap_cpu *c, uint64_t t)
{
	size_t lo = 0, hi = c->rn;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t end =
			mid + 1 < c->rn ? c->rstart[schedmap_rpos(c, mid + 1)] : c->cur_start;

		if (end <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static inline uint64_t
schedmap_scale(uint64_t v, uint64_t num, uint64_t den)
{
	return (uint64_t)((unsigned __int128)v * num / den);
}

struct schedmap_span {
	const struct schedmap *m;
	const struct schedmap_cpu *c;
	unsigned flags;
	struct schedmap_acc *acc; /* NULL: busy and known only */
	size_t cursor;		  /* run index, moves forward as spans move forward */
	uint64_t busy, known;
};

static void
schedmap_span_init(struct schedmap_span *sp, const struct schedmap *m, unsigned cpu, uint64_t t0,
		   unsigned flags, struct schedmap_acc *acc)
{
	sp->m = m;
	sp->c = &m->cpus[cpu];
	sp->flags = flags;
	sp->acc = acc;
	sp->cursor = schedmap_run_search(sp->c, t0);
}

static inline uint32_t
schedmap_group(const struct schedmap_span *sp, uint32_t task)
{
	if ((sp->flags & SCHEDMAP_OTHER) && task < sp->m->ntasks && !sp->m->tasks[task].target)
		return SCHEDMAP_TASK_OTHER;
	return task;
}

/* Account [a, e) of the span's CPU (spans must come in increasing order). */
static void
schedmap_span_add(struct schedmap_span *sp, uint64_t a, uint64_t e)
{
	const struct schedmap *m = sp->m;
	const struct schedmap_cpu *c = sp->c;
	uint64_t W = m->bucket_ns, s, re;
	uint32_t task;

	sp->busy = sp->known = 0;
	if (!c->started)
		return;
	/* Summaries: [sum_t0, fold_t). */
	uint64_t se = e < c->fold_t ? e : c->fold_t;
	uint64_t sa = a > c->sum_t0 ? a : c->sum_t0;
	if (c->sn && sa < se) {
		for (size_t k = (sa - c->sum_t0) / W; k < c->sn; k++) {
			const struct schedmap_sum *b = &c->sum[(c->shead + k) % c->scap];
			uint64_t bs = c->sum_t0 + k * W, be = bs + W;
			uint64_t lo = bs > sa ? bs : sa, hi = be < se ? be : se;

			if (lo >= se)
				break;
			if (hi <= lo)
				continue;
			uint64_t o = hi - lo;
			uint64_t busy = schedmap_scale(b->busy_ns, o, W);
			uint64_t known = schedmap_scale(b->known_ns, o, W);

			sp->busy += busy;
			sp->known += known;
			if (!sp->acc)
				continue;
			schedmap_acc_add(sp->acc, SCHEDMAP_TASK_IDLE, known - busy);
			if (sp->flags & SCHEDMAP_OTHER) {
				if (b->target_task != SCHEDMAP_TASK_IDLE)
					schedmap_acc_add(sp->acc, b->target_task,
							 schedmap_scale(b->target_ns, o, W));
				schedmap_acc_add(
					sp->acc, SCHEDMAP_TASK_OTHER,
					schedmap_scale(b->busy_ns - b->target_busy_ns, o, W));
			} else if (b->task != SCHEDMAP_TASK_IDLE) {
				schedmap_acc_add(sp->acc, b->task,
						 schedmap_scale(b->task_ns, o, W));
			}
		}
	}
	/* Exact runs and the open run: [fold_t, now). */
	if (e <= c->fold_t)
		return;
	for (size_t j = sp->cursor; schedmap_run_get(m, c, j, &s, &re, &task); j++) {
		if (re <= a) {
			sp->cursor = j + 1;
			continue;
		}
		if (s >= e)
			break;
		uint64_t lo = s > a ? s : a, hi = re < e ? re : e;
		if (hi <= lo || task == SCHEDMAP_TASK_UNKNOWN)
			continue;
		sp->known += hi - lo;
		if (task != SCHEDMAP_TASK_IDLE)
			sp->busy += hi - lo;
		if (sp->acc)
			schedmap_acc_add(sp->acc, schedmap_group(sp, task), hi - lo);
	}
}

/* ns as per mille of width, rounded to nearest, at most 1000. */
static inline uint16_t
schedmap_permille(uint64_t ns, uint64_t width)
{
	uint64_t v = (uint64_t)(((unsigned __int128)ns * 1000 + width / 2) / width);

	return (uint16_t)(v > 1000 ? 1000 : v);
}

size_t
schedmap_query_nbuckets(uint64_t t0, uint64_t t1, uint64_t bucket_ns)
{
	if (!bucket_ns || t1 <= t0)
		return 0;
	return (size_t)((t1 - t0 - 1) / bucket_ns + 1);
}

int
schedmap_query(const struct schedmap *m, uint64_t t0, uint64_t t1, uint64_t bucket_ns,
	       unsigned flags, struct schedmap_cell *out)
{
	size_t nb = schedmap_query_nbuckets(t0, t1, bucket_ns);
	struct schedmap_acc acc = { 0 };
	struct schedmap_span sp;

	if (!nb || nb > INT32_MAX)
		return -EINVAL;
	schedmap_acc_reserve(&acc, m->ntasks + SCHEDMAP_NSPECIAL);
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++) {
		schedmap_span_init(&sp, m, cpu, t0, flags, &acc);
		for (size_t b = 0; b < nb; b++) {
			struct schedmap_cell *cell = &out[(size_t)cpu * nb + b];
			uint64_t a = t0 + b * bucket_ns;
			uint64_t e = t1 - a > bucket_ns ? a + bucket_ns : t1;
			uint32_t best = SCHEDMAP_TASK_UNKNOWN;
			uint64_t best_ns = 0;

			schedmap_span_add(&sp, a, e);
			for (size_t i = 0; i < acc.ntouched; i++) {
				uint32_t slot = acc.touched[i], task = schedmap_slot_task(slot);
				uint64_t ns = acc.ns[slot];

				if (ns > best_ns || (ns == best_ns && task < best)) {
					best_ns = ns;
					best = task;
				}
			}
			cell->task = best;
			cell->share = best == SCHEDMAP_TASK_UNKNOWN
					      ? 0
					      : schedmap_permille(best_ns, e - a);
			cell->busy = schedmap_permille(sp.busy, e - a);
			schedmap_acc_reset(&acc);
		}
	}
	schedmap_acc_fini(&acc);
	return (int)nb;
}

int
schedmap_busy_ns(const struct schedmap *m, unsigned cpu, uint64_t t0, uint64_t t1,
		 uint64_t *busy_ns, uint64_t *known_ns)
{
	struct schedmap_span sp;

	if (cpu >= m->ncpus || t1 <= t0)
		return -EINVAL;
	schedmap_span_init(&sp, m, cpu, t0, 0, NULL);
	schedmap_span_add(&sp, t0, t1);
	*busy_ns = sp.busy;
	*known_ns = sp.known;
	return 0;
}

double
schedmap_busy(const struct schedmap *m, unsigned cpu, uint64_t t0, uint64_t t1)
{
	uint64_t busy, known;

	if (schedmap_busy_ns(m, cpu, t0, t1, &busy, &known) < 0 || !known)
		return -1.0;
	return (double)busy / (double)known;
}

int
schedmap_busy_series(const struct schedmap *m, unsigned cpu, uint64_t t0, uint64_t interval_ns,
		     size_t n, double *out)
{
	struct schedmap_span sp;

	if (cpu >= m->ncpus || !interval_ns)
		return -EINVAL;
	schedmap_span_init(&sp, m, cpu, t0, 0, NULL);
	for (size_t i = 0; i < n; i++) {
		uint64_t a = t0 + i * interval_ns;

		schedmap_span_add(&sp, a, a + interval_ns);
		out[i] = sp.known ? (double)sp.busy / (double)sp.known : -1.0;
	}
	return 0;
}

/* ---- iteration ---- */

size_t
schedmap_nruns(const struct schedmap *m, unsigned cpu)
{
	if (cpu >= m->ncpus)
		return 0;
	return m->cpus[cpu].rn + (m->cpus[cpu].started ? 1 : 0);
}

int
schedmap_run_at(const struct schedmap *m, unsigned cpu, size_t i, struct schedmap_run *out)
{
	if (cpu >= m->ncpus ||
	    !schedmap_run_get(m, &m->cpus[cpu], i, &out->start, &out->end, &out->task))
		return -ENOENT;
	out->open = i == m->cpus[cpu].rn;
	return 0;
}

size_t
schedmap_nsummaries(const struct schedmap *m, unsigned cpu)
{
	return cpu < m->ncpus ? m->cpus[cpu].sn : 0;
}

int
schedmap_summary_at(const struct schedmap *m, unsigned cpu, size_t i, struct schedmap_bucket *out)
{
	const struct schedmap_cpu *c;
	const struct schedmap_sum *s;

	if (cpu >= m->ncpus || i >= m->cpus[cpu].sn)
		return -ENOENT;
	c = &m->cpus[cpu];
	s = &c->sum[(c->shead + i) % c->scap];
	out->start = c->sum_t0 + i * m->bucket_ns;
	out->task = s->task;
	out->task_ns = s->task_ns;
	out->target_task = s->target_task;
	out->target_ns = s->target_ns;
	out->busy_ns = s->busy_ns;
	out->target_busy_ns = s->target_busy_ns;
	out->known_ns = s->known_ns;
	return 0;
}

/* ---- loading ---- */

/* The position of a short name in schedmap_short_name_for's sequence; UINT64_MAX if not one. */
static uint64_t
schedmap_short_name_index(const char *s)
{
	static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	const char *l = s[0] ? strchr(letters, s[0]) : NULL;
	size_t digits = strlen(s) - (s[0] ? 1 : 0);
	uint64_t value = 0, before = 52, span = 52 * 10;

	if (!l)
		return UINT64_MAX;
	if (!digits)
		return (uint64_t)(l - letters);
	if (digits > 6)
		return UINT64_MAX;
	for (size_t i = 1; i <= digits; i++) {
		if (s[i] < '0' || s[i] > '9')
			return UINT64_MAX;
		value = value * 10 + (uint64_t)(s[i] - '0');
	}
	for (size_t d = 1; d < digits; d++, span *= 10)
		before += span;
	return before + value * 52 + (uint64_t)(l - letters);
}

uint32_t
schedmap_load_task(struct schedmap *m, const struct schedmap_task_stats *st)
{
	/* aggregates are not found by TID */
	uint32_t idx = schedmap_task_new(m, !st->folded, st->folded ? 0 : st->tid, st->comm);
	struct schedmap_task *t = &m->tasks[idx];

	t->folded = st->folded;
	t->last_seen = UINT64_MAX; /* a loaded map never folds */
	t->pid = st->folded ? 0 : st->pid;
	t->target = st->target;
	t->exited = t->gone = st->exited;
	t->execs = st->execs;
	t->runtime_ns = st->runtime_ns;
	t->vol = st->switches_voluntary;
	t->invol = st->switches_involuntary;
	t->migrations = st->migrations;
	t->wakeups = st->wakeups;
	t->lat_count = st->lat_count;
	t->lat_max = st->lat_max_ns;
	t->lat_frozen[0] = st->lat_p50_ns;
	t->lat_frozen[1] = st->lat_p95_ns;
	t->lat_frozen[2] = st->lat_p99_ns;
	t->frozen = true;
	if (st->short_name[0]) {
		size_t len = strnlen(st->short_name, sizeof(t->short_name) - 1);

		memcpy(t->short_name, st->short_name, len);
		t->short_name[len] = '\0';
		if (m->nlegend == m->legend_cap) {
			m->legend_cap = m->legend_cap ? m->legend_cap * 2 : 64;
			m->legend = xreallocarray(m->legend, m->legend_cap, sizeof(*m->legend));
		}
		m->legend[m->nlegend++] = idx;
		m->names_given++;
	}
	return idx;
}

int
schedmap_load_summary(struct schedmap *m, unsigned cpu, const struct schedmap_bucket *b)
{
	struct schedmap_cpu *c;
	struct schedmap_sum s = { 0 };
	uint64_t W = m->bucket_ns;

	if (cpu >= m->ncpus)
		return -EINVAL;
	c = &m->cpus[cpu];
	if (c->started || (c->sn && b->start != c->sum_t0 + c->sn * W))
		return -EINVAL;
	if (b->task != SCHEDMAP_TASK_IDLE && b->task != SCHEDMAP_TASK_OTHER && b->task >= m->ntasks)
		return -EINVAL;
	if (!c->sn)
		c->sum_t0 = b->start;
	/* A loaded map keeps every bucket it is given. */
	if (c->sn == m->max_buckets)
		m->max_buckets *= 2;
	s.task = b->task;
	s.known_ns = (uint32_t)(b->known_ns < W ? b->known_ns : W);
	s.busy_ns = b->busy_ns < s.known_ns ? b->busy_ns : s.known_ns;
	s.task_ns = b->task == SCHEDMAP_TASK_IDLE ? 0
		    : b->task_ns < s.busy_ns	  ? b->task_ns
						  : s.busy_ns;
	s.target_task = SCHEDMAP_TASK_IDLE;
	if (schedmap_is_target(m, s.task)) {
		s.target_task = s.task;
		s.target_ns = s.target_busy_ns = s.task_ns;
	}
	schedmap_sums_push(m, c, &s);
	c->fold_t = c->sum_t0 + c->sn * W;
	return 0;
}

/*
 * While loading, a started CPU's open run is an empty unknown one at the end of the last run
 * loaded (cur_start): the runs loaded are all closed.
 */
int
schedmap_load_run(struct schedmap *m, unsigned cpu, uint64_t start, uint64_t end, uint32_t task)
{
	struct schedmap_cpu *c;

	if (cpu >= m->ncpus || end < start ||
	    (task >= m->ntasks && task != SCHEDMAP_TASK_IDLE && task != SCHEDMAP_TASK_OTHER &&
	     task != SCHEDMAP_TASK_UNKNOWN))
		return -EINVAL;
	c = &m->cpus[cpu];
	if (!c->started) {
		c->started = true;
		if (!c->sn)
			c->fold_t = c->sum_t0 = start;
		c->cur_start = c->fold_t;
		c->cur_task = SCHEDMAP_TASK_UNKNOWN;
	}
	if (start > c->cur_start)
		schedmap_push_run(c, c->cur_start, SCHEDMAP_TASK_UNKNOWN);
	else
		start = c->cur_start;
	if (end <= start)
		return 0;
	schedmap_push_run(c, start, task);
	if (task < m->ntasks)
		m->cpu_runtime[(size_t)task * m->ncpus + cpu] += end - start;
	c->cur_start = c->cur_since = c->last = end;
	if (end > m->now)
		m->now = end;
	return 0;
}

static int
schedmap_legend_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	if (x[0] != y[0])
		return x[0] < y[0] ? -1 : 1;
	return (x[1] > y[1]) - (x[1] < y[1]);
}

void
schedmap_load_finish(struct schedmap *m, uint64_t now_ns)
{
	uint64_t(*order)[2];

	if (now_ns > m->now)
		m->now = now_ns;
	if (!m->nlegend)
		return;
	order = xreallocarray(NULL, m->nlegend, sizeof(*order));
	for (size_t i = 0; i < m->nlegend; i++) {
		order[i][0] = schedmap_short_name_index(m->tasks[m->legend[i]].short_name);
		order[i][1] = m->legend[i];
	}
	qsort(order, m->nlegend, sizeof(*order), schedmap_legend_cmp);
	for (size_t i = 0; i < m->nlegend; i++)
		m->legend[i] = (uint32_t)order[i][1];
	free(order);
}
