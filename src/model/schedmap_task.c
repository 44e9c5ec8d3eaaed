// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scheduler timeline's task table: tasks in order of first appearance, found by TID through
 * util/idmap (a recycled TID's latest task wins), their short names, and the folding of exited
 * tasks that nothing exact refers to into one aggregate per comm and target status, which
 * compacts and renumbers the table.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/schedmap.h"
#include "ringside/util/xalloc.h"

#include "schedmap_int.h"

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

void
schedmap_set_comm(char dst[16], const char *comm)
{
	size_t len = strnlen(comm, 15);

	memcpy(dst, comm, len);
	memset(dst + len, 0, 16 - len);
}

bool
schedmap_ask_target(struct schedmap *m, int32_t tid, int32_t pid)
{
	return m->target_fn && m->target_fn(m->target_ctx, tid, pid);
}

/*
 * A new task for tid named comm (may be NULL); with indexed, it becomes the one found by tid
 * (replacing an earlier task of a recycled TID); aggregates are not indexed.
 */
uint32_t
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

/* The task exited: it gets no more latencies, and may fold once nothing exact refers to it. */
void
schedmap_set_exited(struct schedmap *m, struct schedmap_task *t)
{
	if (!t->exited && !t->folded)
		m->nexited++;
	t->exited = true;
	schedmap_hist_freeze(m, t);
}

/* ---- folding exited tasks ---- */

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

/* The time before which no exact run ends: detail_ns ago, or the oldest exact run of a CPU. */
static uint64_t
schedmap_fold_horizon(const struct schedmap *m)
{
	/* Exact runs end after every CPU's fold_t; tasks of the last detail_ns stay exact. */
	uint64_t horizon = m->now - m->detail_ns;

	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->cpus[i].started && m->cpus[i].fold_t < horizon)
			horizon = m->cpus[i].fold_t;
	return horizon;
}

/* Mark in sw->fold the tasks that may fold (not any CPU's current task); returns how many. */
static size_t
schedmap_sweep_mark(const struct schedmap *m, struct schedmap_sweep *sw, uint64_t horizon)
{
	size_t nfold = 0;

	sw->fold = xcalloc(m->ntasks, sizeof(*sw->fold));
	for (size_t i = 0; i < m->ntasks; i++)
		sw->fold[i] = schedmap_foldable(&m->tasks[i], horizon);
	for (unsigned i = 0; i < m->ncpus; i++)
		if (m->cpus[i].started && m->cpus[i].cur_task < m->ntasks)
			sw->fold[m->cpus[i].cur_task] = 0;
	for (size_t i = 0; i < m->ntasks; i++)
		nfold += sw->fold[i];
	return nfold;
}

/*
 * Give the kept tasks their new indexes (returns how many are kept), make room for nfold new
 * aggregates and enter the aggregates there are into the hash.
 */
static size_t
schedmap_sweep_start(const struct schedmap *m, struct schedmap_sweep *sw, size_t nfold)
{
	size_t nkept = 0;

	sw->remap = xreallocarray(NULL, m->ntasks, sizeof(*sw->remap));
	for (size_t i = 0; i < m->ntasks; i++)
		if (!sw->fold[i])
			sw->remap[i] = (uint32_t)nkept++;
	sw->hash_cap = 64;
	while (sw->hash_cap < 2 * m->ntasks)
		sw->hash_cap *= 2;
	sw->hash = xmalloc(sw->hash_cap * sizeof(*sw->hash));
	memset(sw->hash, 0xff, sw->hash_cap * sizeof(*sw->hash));
	sw->fresh = xreallocarray(NULL, nfold, sizeof(*sw->fresh));
	sw->fresh_cr = xreallocarray(NULL, nfold * m->ncpus, sizeof(*sw->fresh_cr));
	for (size_t i = 0; i < m->ntasks; i++) {
		const struct schedmap_task *t = &m->tasks[i];
		size_t slot;

		if (!t->folded)
			continue;
		slot = schedmap_comm_hash(t->comm, t->target, sw->hash_cap);
		while (sw->hash[slot] != SCHEDMAP_SLOT_EMPTY)
			slot = (slot + 1) & (sw->hash_cap - 1);
		sw->hash[slot] = (uint32_t)i;
	}
	return nkept;
}

/* Fold each marked task into its aggregate, which becomes its new index. */
static void
schedmap_sweep_fold(struct schedmap *m, struct schedmap_sweep *sw, size_t nkept)
{
	size_t old_n = m->ntasks;

	for (size_t i = 0; i < old_n; i++) {
		struct schedmap_task *t = &m->tasks[i], *a;
		uint64_t *acr;
		uint32_t v;

		if (!sw->fold[i])
			continue;
		v = schedmap_sweep_aggregate(m, sw, t->comm, t->target);
		a = v < old_n ? &m->tasks[v] : &sw->fresh[v - old_n];
		acr = v < old_n ? &m->cpu_runtime[(size_t)v * m->ncpus]
				: &sw->fresh_cr[(v - old_n) * m->ncpus];
		if (!a->short_name[0] && t->short_name[0]) {
			/* the aggregate keeps the first short name: summaries show it */
			memcpy(a->short_name, t->short_name, sizeof(a->short_name));
			sw->fold[i] = 2;
		}
		schedmap_fold_into(m, a, acr, t, &m->cpu_runtime[i * m->ncpus]);
		sw->remap[i] = v < old_n ? sw->remap[v] : (uint32_t)(nkept + v - old_n);
	}
}

/* Free the sweep's scratch. */
static void
schedmap_sweep_fini(struct schedmap_sweep *sw)
{
	free(sw->fold);
	free(sw->remap);
	free(sw->hash);
	free(sw->fresh);
	free(sw->fresh_cr);
}

/*
 * Fold exited tasks that nothing exact refers to into one aggregate per comm and target status,
 * when at least fold_min (and a quarter of the table) can fold, and compact the table. Runs from
 * schedmap_advance: O(tasks + runs + summaries) when it folds, which is rare, so events stay O(1).
 */
void
schedmap_fold_tasks(struct schedmap *m)
{
	struct schedmap_sweep sw = { 0 };
	size_t nfold, nkept, old_n = m->ntasks, need;

	if (!m->fold_min || m->now < m->detail_ns || m->now < m->fold_next)
		return;
	need = m->fold_min > m->ntasks / 4 ? m->fold_min : m->ntasks / 4;
	if (m->nexited < need)
		return;
	nfold = schedmap_sweep_mark(m, &sw, schedmap_fold_horizon(m));
	if (nfold < need) {
		/* Not yet: exited tasks become foldable as time passes; look again later. */
		m->fold_next = m->now + m->detail_ns / 16;
		schedmap_sweep_fini(&sw);
		return;
	}
	nkept = schedmap_sweep_start(m, &sw, nfold);
	schedmap_sweep_fold(m, &sw, nkept);
	schedmap_sweep_compact(m, &sw, nkept);
	schedmap_sweep_remap(m, &sw, old_n);
	schedmap_sweep_shrink(m);
	m->nexited -= nfold;
	m->counts.folded_tasks += nfold;
	schedmap_sweep_fini(&sw);
}
