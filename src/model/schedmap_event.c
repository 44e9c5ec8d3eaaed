// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scheduler timeline's events and runs: each sched event updates the tasks it names, a
 * SCHED_SWITCH closes its CPU's open run and opens the next, and runs older than the detail
 * horizon (or over the run cap) fold, a bucket at a time, into summary buckets through the
 * accumulator. This is the per-record path: O(1) amortized, no allocation once the rings have
 * grown.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/schedmap.h"
#include "ringside/util/xalloc.h"

#include "schedmap_int.h"

/* ---- accumulator ---- */

void
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

void
schedmap_acc_fini(struct schedmap_acc *a)
{
	free(a->ns);
	free(a->touched);
}

void
schedmap_acc_reset(struct schedmap_acc *a)
{
	for (size_t i = 0; i < a->ntouched; i++)
		a->ns[a->touched[i]] = 0;
	a->ntouched = 0;
}

/* ---- runs and summaries ---- */

/*
 * Double the full ring in place (realloc: a large one is moved by remapping its pages, not
 * copied, so the old and the new ring are never resident side by side); the runs before rhead
 * wrapped to the start move after the old end, where they follow the others.
 */
static void
schedmap_runs_grow(struct schedmap_cpu *c)
{
	size_t old = c->rcap, cap = old ? old * 2 : 256;

	c->rstart = xreallocarray(c->rstart, cap, sizeof(*c->rstart));
	c->rtask = xreallocarray(c->rtask, cap, sizeof(*c->rtask));
	if (c->rhead) {
		memcpy(c->rstart + old, c->rstart, c->rhead * sizeof(*c->rstart));
		memcpy(c->rtask + old, c->rtask, c->rhead * sizeof(*c->rtask));
	}
	c->rcap = cap;
}

/* Reallocate the summary ring to cap (>= sn), oldest first at 0. */
void
schedmap_sums_resize(struct schedmap_cpu *c, size_t cap)
{
	struct schedmap_sum *s;

	if (c->shead == 0 || c->sn == 0) {
		/*
		 * Oldest first already (a ring that has not wrapped: always so while it grows):
		 * realloc keeps the buckets and may resize the block where it is, never holding
		 * the old ring and a copy of it at once.
		 */
		c->sum = xreallocarray(c->sum, cap, sizeof(*c->sum));
		c->scap = cap;
		c->shead = 0;
		return;
	}
	s = xreallocarray(NULL, cap, sizeof(*s));
	for (size_t i = 0; i < c->sn; i++)
		s[i] = c->sum[(c->shead + i) % c->scap];
	free(c->sum);
	c->sum = s;
	c->scap = cap;
	c->shead = 0;
}

void
schedmap_sums_drop_oldest(struct schedmap *m, struct schedmap_cpu *c)
{
	c->shead = (c->shead + 1) % c->scap;
	c->sn--;
	c->sum_t0 += m->bucket_ns;
	m->counts.dropped_buckets++;
}

void
schedmap_sums_push(struct schedmap *m, struct schedmap_cpu *c, const struct schedmap_sum *s)
{
	if (c->sn == c->scap) {
		if (c->scap < m->max_buckets) {
			/*
			 * By an eighth: the ring grows with the recording's length up to its hour,
			 * so its block is never more than an eighth larger than what it holds (the
			 * unused tail of a block is not resident until written; what doubling into
			 * a new block cost was the moment of the copy, both rings at once).
			 */
			size_t step = c->scap / 8 > 64 ? c->scap / 8 : 64;

			schedmap_sums_resize(c, c->scap + step < m->max_buckets ? c->scap + step
										: m->max_buckets);
		} else {
			schedmap_sums_drop_oldest(m, c);
		}
	}
	c->sum[(c->shead + c->sn++) % c->scap] = *s;
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
void
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
void
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

static inline void
schedmap_rename(struct schedmap_task *t, const char *comm)
{
	/* The kernel pads comms with NULs, so the usual same-name case is one 16-byte compare. */
	if (memcmp(t->comm, comm, 16) == 0)
		return;
	if (comm[0] && strncmp(t->comm, comm, 15) != 0)
		schedmap_set_comm(t->comm, comm);
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

/* The task switching out: usually the one running there, found without a lookup. */
static inline uint32_t
schedmap_switch_prev(struct schedmap *m, const struct schedmap_cpu *c, const struct sched_event *ev)
{
	uint32_t prev;

	if (ev->prev_pid < 0)
		return SCHEDMAP_TASK_OTHER;
	if (ev->prev_pid == 0)
		return SCHEDMAP_TASK_IDLE;
	if (c->started && c->cur_task < m->ntasks && m->tasks[c->cur_task].tid == ev->prev_pid &&
	    !m->tasks[c->cur_task].gone) {
		prev = c->cur_task;
		m->tasks[prev].last_seen = m->now;
	} else {
		prev = schedmap_task_get(m, ev->prev_pid, ev->prev_comm, false);
	}
	schedmap_rename(&m->tasks[prev], ev->prev_comm);
	return prev;
}

/* The CPU's first switch: its history begins at t (what ran before is unknown, not idle). */
static inline void
schedmap_cpu_start(struct schedmap *m, struct schedmap_cpu *c, uint64_t t)
{
	c->started = true;
	c->fold_t = c->cur_start = t;
	c->sum_t0 = schedmap_bucket_floor(m, t);
}

/*
 * Close the open run of cpu at t, clamped to its last switch (the time used is returned): it is
 * prev's when prev is the task running there, a guess at the task last switched in when an
 * unidentified non-target task switched out, unknown otherwise (a mismatch).
 */
static inline uint64_t
schedmap_close_run(struct schedmap *m, struct schedmap_cpu *c, int cpu, uint32_t prev, uint64_t t)
{
	uint64_t floor_t = c->last > c->cur_start ? c->last : c->cur_start;
	uint32_t cur = c->cur_task;

	if (t < floor_t) {
		t = floor_t;
		m->counts.clamped++;
	}
	if (prev == cur) {
		if (prev < m->ntasks) {
			m->tasks[prev].runtime_ns += t - c->cur_since;
			m->cpu_runtime[(size_t)prev * m->ncpus + (unsigned)cpu] += t - c->cur_since;
		}
		if (t > c->cur_start)
			schedmap_push_run(c, c->cur_start, prev);
		return t;
	}
	if (prev == SCHEDMAP_TASK_OTHER && !schedmap_is_target(m, cur)) {
		/* An unidentified task switched out: keep what was last seen switching in (a
		 * guess, so its run time is not credited). */
		if (t > c->cur_start)
			schedmap_push_run(c, c->cur_start, cur);
		if (cur < m->ntasks)
			m->tasks[cur].last_seen = m->now;
	} else {
		m->counts.mismatches++;
		if (t > c->cur_start)
			schedmap_push_run(c, c->cur_start, SCHEDMAP_TASK_UNKNOWN);
	}
	if (cur < m->ntasks && m->tasks[cur].running_cpu == cpu)
		m->tasks[cur].running_cpu = -1;
	return t;
}

/* prev switched out: a voluntary or involuntary switch, not running, gone if it exited dead. */
static inline void
schedmap_switch_out(struct schedmap *m, const struct sched_event *ev, uint32_t prev)
{
	struct schedmap_task *p;

	if (prev >= m->ntasks)
		return;
	p = &m->tasks[prev];
	if (ev->prev_state & SCHEDMAP_STATE_SLEEP_MASK)
		p->vol++;
	else
		p->invol++;
	if (p->running_cpu == ev->cpu)
		p->running_cpu = -1;
	if (p->exited && (ev->prev_state & SCHEDMAP_STATE_GONE))
		p->gone = true;
}

/* The task switching in at t: named, running on the CPU, its wake-up latency recorded. */
static inline uint32_t
schedmap_switch_in(struct schedmap *m, const struct sched_event *ev, uint64_t t)
{
	struct schedmap_task *n;
	uint32_t next;

	if (ev->next_pid < 0)
		return SCHEDMAP_TASK_OTHER;
	if (ev->next_pid == 0)
		return SCHEDMAP_TASK_IDLE;
	next = schedmap_task_get(m, ev->next_pid, ev->next_comm, false);
	n = &m->tasks[next];
	schedmap_rename(n, ev->next_comm);
	schedmap_give_short_name(m, next);
	if (n->wake_pending != SCHEDMAP_NONE) {
		schedmap_hist_add(m, n, t > n->wake_pending ? t - n->wake_pending : 0);
		n->wake_pending = SCHEDMAP_NONE;
	}
	n->running_cpu = ev->cpu;
	return next;
}

/* A SCHED_SWITCH: close the CPU's open run, open the next one, fold what has passed. */
static void
schedmap_switch(struct schedmap *m, const struct sched_event *ev)
{
	struct schedmap_cpu *c = &m->cpus[ev->cpu];
	uint64_t t = ev->time;
	uint32_t prev;

	m->counts.switches++;
	prev = schedmap_switch_prev(m, c, ev);
	if (!c->started)
		schedmap_cpu_start(m, c, t);
	else
		t = schedmap_close_run(m, c, ev->cpu, prev, t);
	schedmap_switch_out(m, ev, prev);
	c->cur_task = schedmap_switch_in(m, ev, t);
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

/* The thread that exec'd under its own TID: that TID is no longer in use. */
static void
schedmap_exec_gone(struct schedmap *m, uint32_t idx)
{
	schedmap_set_exited(m, &m->tasks[idx]);
	m->tasks[idx].gone = true;
}

static void
schedmap_exec(struct schedmap *m, const struct sched_event *ev)
{
	struct schedmap_task *t;
	uint32_t idx;

	if (ev->pid <= 0)
		return;
	/* A non-leader thread that execs takes over the leader's TID; its own TID is gone. */
	if (ev->old_pid == 0) {
		const struct schedmap_cpu *c = &m->cpus[ev->cpu];
		const struct schedmap_task *cur =
			c->started && c->cur_task < m->ntasks ? &m->tasks[c->cur_task] : NULL;

		if (cur && cur->pid == ev->pid && cur->tid != ev->pid && !cur->folded)
			schedmap_exec_gone(m, c->cur_task);
	} else if (ev->old_pid != ev->pid) {
		uint32_t old = schedmap_find(m, ev->old_pid);

		if (old != SCHEDMAP_TASK_UNKNOWN)
			schedmap_exec_gone(m, old);
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
