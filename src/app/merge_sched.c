// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scheduler timelines of ringside merge's inputs in one: input after input (in meta.hosts
 * order), its tasks are appended (short names given anew, so that a map letter names one task of
 * one host) and its CPUs become the next rows, each remembering its host and CPU number there.
 * An input's times move by its start's distance from the merged start, as its counters do. The
 * summaries of an input whose bucket width differs from the first input's are left out (a merged
 * map has one width); its exact runs are kept.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"

#include "merge_impl.h"

/* The most CPUs a snapshot's "sched" object may have (its reader's limit). */
#define MERGE_SCHED_MAX_CPUS 65536u

/* Copying one input's timeline into the merged one. */
struct merge_sched_copy {
	struct schedmap *dst;
	const struct schedmap *src;
	uint32_t task_base; /* dst index of src's task 0 */
	unsigned cpu_base;  /* dst CPU of src's CPU 0 */
	uint64_t add;	    /* dst time = src time + add */
};

/* src's task reference in dst (the special ones stay). */
static uint32_t
merge_sched_task(const struct merge_sched_copy *c, uint32_t task)
{
	return task < schedmap_ntasks(c->src) ? task + c->task_base : task;
}

/* src's tasks appended to dst, named anew from *names on; host is their host's index. */
static void
merge_sched_tasks(struct merge_sched_copy *c, uint64_t *names, uint32_t *task_host, uint32_t host)
{
	for (size_t i = 0; i < schedmap_ntasks(c->src); i++) {
		struct schedmap_task_stats st;
		struct schedmap_latency *l;
		uint32_t idx;
		size_t n = 0;

		if (schedmap_task_stats(c->src, (uint32_t)i, &st) < 0)
			memset(&st, 0, sizeof(st));
		if (st.short_name[0])
			schedmap_short_name_for((*names)++, st.short_name);
		idx = schedmap_load_task(c->dst, &st);
		task_host[idx] = host;
		l = schedmap_task_latencies(c->src, (uint32_t)i, &n);
		if (l)
			schedmap_load_latencies(c->dst, idx, l, n);
		free(l);
	}
}

/* src's CPU cpu as dst's CPU cpu_base + cpu: its summaries (when sums), then its runs. */
static void
merge_sched_cpu(struct merge_sched_copy *c, unsigned cpu, bool sums)
{
	unsigned to = c->cpu_base + cpu;
	struct schedmap_bucket b;
	struct schedmap_run run;

	for (size_t i = 0; sums && schedmap_summary_at(c->src, cpu, i, &b) == 0; i++) {
		b.start += c->add;
		b.task = merge_sched_task(c, b.task);
		b.target_task = merge_sched_task(c, b.target_task);
		schedmap_load_summary(c->dst, to, &b);
	}
	for (size_t i = 0; schedmap_run_at(c->src, cpu, i, &run) == 0; i++)
		schedmap_load_run(c->dst, to, run.start + c->add, run.end + c->add,
				  merge_sched_task(c, run.task));
}

/* The count key (events, switches) an input's snapshot gives, else its map's (own). */
static uint64_t
merge_sched_count(const struct profile *p, const char *key, uint64_t own)
{
	char pattern[32];
	const char *e;

	if (!p->sched_json)
		return own;
	snprintf(pattern, sizeof(pattern), "\"%s\":", key);
	e = strstr(p->sched_json, pattern);
	/* the object's own keys come before "tasks" (snapshot_write.c writes them so) */
	if (!e || e > strstr(p->sched_json, "\"tasks\":"))
		return own;
	return strtoull(e + strlen(pattern), NULL, 10);
}

/* The merged CPU count, bucket width and origin (the latest input's, so no time goes below it). */
static unsigned
merge_sched_size(struct profile *const *in, size_t n, uint64_t *bucket_ns, uint64_t *origin,
		 size_t *ntasks)
{
	unsigned ncpus = 0;

	for (size_t i = 0; i < n; i++) {
		if (!in[i]->sched)
			continue;
		if (!ncpus)
			*bucket_ns = schedmap_bucket_ns(in[i]->sched);
		ncpus += schedmap_ncpus(in[i]->sched);
		*ntasks += schedmap_ntasks(in[i]->sched);
		if (in[i]->sched_origin > *origin)
			*origin = in[i]->sched_origin;
	}
	return ncpus;
}

void
merge_sched(struct profile *dst, struct profile *const *in, size_t n)
{
	uint64_t W = 0, origin = 0, names = 0;
	size_t ntasks = 0;
	unsigned ncpus = merge_sched_size(in, n, &W, &origin, &ntasks), cpu = 0;
	struct schedmap *m;

	if (!ncpus)
		return;
	if (ncpus > MERGE_SCHED_MAX_CPUS) {
		fprintf(stderr,
			"ringside: warning: the inputs have %u CPUs, more than a snapshot's %u: "
			"their scheduler timelines are left out (merge fewer hosts to keep them)\n",
			ncpus, MERGE_SCHED_MAX_CPUS);
		return;
	}
	m = schedmap_new(ncpus, UINT64_MAX / 4, W);
	dst->sched_cpu_host = xcalloc(ncpus, sizeof(*dst->sched_cpu_host));
	dst->sched_cpu_num = xcalloc(ncpus, sizeof(*dst->sched_cpu_num));
	dst->sched_task_host = xcalloc(ntasks + 1, sizeof(*dst->sched_task_host));
	for (size_t i = 0; i < n; i++) {
		const struct schedmap *s = in[i]->sched;
		struct merge_sched_copy c = { .dst = m, .src = s };
		bool sums = s && schedmap_bucket_ns(s) == W;
		struct schedmap_counts sc;

		if (!s)
			continue;
		c.task_base = (uint32_t)schedmap_ntasks(m);
		c.cpu_base = cpu;
		c.add = origin - in[i]->sched_origin +
			(uint64_t)(in[i]->meta.start_unix_ns - dst->meta.start_unix_ns);
		if (!sums)
			fprintf(stderr,
				"ringside: warning: %s's scheduler summaries are %" PRIu64
				" ns wide, not %" PRIu64 ": only its exact runs are merged\n",
				dst->meta.hosts[i].label, schedmap_bucket_ns(s), W);
		merge_sched_tasks(&c, &names, dst->sched_task_host, (uint32_t)i);
		for (unsigned k = 0; k < schedmap_ncpus(s); k++, cpu++) {
			dst->sched_cpu_host[cpu] = (uint32_t)i;
			dst->sched_cpu_num[cpu] = k;
			merge_sched_cpu(&c, k, sums);
		}
		schedmap_get_counts(s, &sc);
		dst->sched_switches += merge_sched_count(in[i], "switches", in[i]->sched_switches);
		dst->sched_events +=
			merge_sched_count(in[i], "events", sc.events + in[i]->sched_events);
	}
	schedmap_load_finish(m, origin + dst->meta.duration_ns);
	dst->sched = m;
	dst->sched_origin = origin;
}
