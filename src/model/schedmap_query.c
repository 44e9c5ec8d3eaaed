// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Queries of the scheduler timeline: the scheduler map (per CPU and bucket, the task that ran
 * most), busy fractions, and iteration over exact runs and summary buckets for the snapshot. A
 * span walks summaries (weighted by overlap) and then exact runs, moving forward as the buckets
 * of a query do.
 */
#include <errno.h>

#include "ringside/model/schedmap.h"

#include "schedmap_int.h"

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
