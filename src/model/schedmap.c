// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scheduler timeline (model/schedmap): creating and freeing a map, its settings, moving "now"
 * forward, target tasks, and reading tasks, their statistics and the legend. The rest of the
 * module: events and runs in schedmap_event.c, the task table and folding in schedmap_task.c,
 * latency histograms in schedmap_hist.c, queries in schedmap_query.c, loading in
 * schedmap_load.c; their shared internals in schedmap_int.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/schedmap.h"
#include "ringside/util/xalloc.h"

#include "schedmap_int.h"

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
schedmap_task_brief(const struct schedmap *m, uint32_t task, struct schedmap_task_stats *out)
{
	const struct schedmap_task *t;

	if (task >= m->ntasks)
		return -ENOENT;
	t = &m->tasks[task];
	memset(out, 0, sizeof(*out));
	out->tid = t->tid;
	out->pid = t->pid;
	out->folded = t->folded;
	out->exited = t->exited;
	out->runtime_ns = t->runtime_ns;
	if (t->running_cpu >= 0)
		out->runtime_ns += schedmap_open_ns(m, task, (unsigned)t->running_cpu);
	return 0;
}

int
schedmap_task_stats(const struct schedmap *m, uint32_t task, struct schedmap_task_stats *out)
{
	const struct schedmap_task *t;
	uint64_t pct[3];

	if (schedmap_task_brief(m, task, out) < 0)
		return -ENOENT;
	t = &m->tasks[task];
	memcpy(out->comm, t->comm, sizeof(out->comm));
	memcpy(out->short_name, t->short_name, sizeof(out->short_name));
	out->target = t->target;
	out->execs = t->execs;
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
