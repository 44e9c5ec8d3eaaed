// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Rebuilding a scheduler timeline from a snapshot: tasks, then per CPU its summary buckets and
 * runs in time order, then the legend put back in short-name order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/schedmap.h"
#include "ringside/util/xalloc.h"

#include "schedmap_int.h"

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
