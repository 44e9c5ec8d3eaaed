// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 'ringside merge': every input is loaded first (a missing or corrupt one stops the merge before
 * anything is written), then one profile is built: a root, one FRAME_HOST node per input holding
 * that input's whole tree, the inputs' counter tracks renamed EVENT@LABEL with their times moved
 * onto the earliest start, meta.hosts, and one scheduler timeline with every input's CPUs and
 * tasks (merge_sched.c). A host seen in more than one input (MPI ranks on one
 * machine) is labelled host#N, N the input's position on the command line.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/journal.h"
#include "ringside/app/merge.h"
#include "ringside/app/runs.h"
#include "ringside/export/export.h"
#include "ringside/util/xalloc.h"

#include "merge_impl.h"

/* Copying one input's tree under its host node: old frame and node ids to new ones. */
struct merge_copy {
	struct profile *dst;
	const struct profile *src;
	uint32_t *frames; /* src frame id -> dst frame id, UINT32_MAX when not yet interned */
	uint32_t *nodes;  /* src node id -> dst node id */
	uint32_t host;	  /* the host node in dst */
	bool failed;
};

/* Input i's label: its host ("input N" when empty), host#N when another input has that host. */
static char *
merge_label(struct profile *const *in, size_t n, size_t i)
{
	const char *h = in[i]->meta.host;

	if (!h || !*h)
		return xasprintf("input %zu", i + 1);
	for (size_t k = 0; k < n; k++)
		if (k != i && in[k]->meta.host && strcmp(in[k]->meta.host, h) == 0)
			return xasprintf("%s#%zu", h, i + 1);
	return xstrdup(h);
}

static uint32_t
merge_frame(struct merge_copy *c, uint32_t id)
{
	const struct frame *f;
	struct frame g;

	if (c->frames[id] != UINT32_MAX)
		return c->frames[id];
	f = frametab_get(c->src->frames, id);
	g = *f;
	g.name = frametab_string(c->dst->frames, frametab_str(c->src->frames, f->name));
	g.module = frametab_string(c->dst->frames, frametab_str(c->src->frames, f->module));
	g.file = frametab_string(c->dst->frames, frametab_str(c->src->frames, f->file));
	c->frames[id] = frametab_intern_ids(c->dst->frames, &g);
	return c->frames[id];
}

static bool
merge_visit(void *ctx, const struct stacktree *t, uint32_t id, unsigned depth)
{
	struct merge_copy *c = ctx;
	const struct stacktree_node *node = stacktree_node(t, id);

	(void)depth;
	if (id == STACKTREE_ROOT) {
		c->nodes[id] = c->host;
		return true;
	}
	c->nodes[id] = stacktree_add_node(c->dst->stacks, c->nodes[node->parent],
					  merge_frame(c, node->frame), node->self, node->total);
	c->failed |= c->nodes[id] == STACKTREE_NONE;
	return !c->failed;
}

/* Input i's tree under a new host node labelled label (line = i + 1). */
static int
merge_tree(struct profile *dst, const struct profile *src, const char *label, size_t i,
	   struct errbuf *err)
{
	const struct stacktree_node *root = stacktree_node(src->stacks, STACKTREE_ROOT);
	struct merge_copy c = { .dst = dst, .src = src };
	uint32_t hf = frametab_intern(dst->frames, label, NULL, NULL, (uint32_t)(i + 1), FRAME_HOST,
				      false);

	c.host = stacktree_add_node(dst->stacks, STACKTREE_ROOT, hf, root->self, root->total);
	c.frames = xmalloc(frametab_nframes(src->frames) * sizeof(*c.frames));
	memset(c.frames, 0xff, frametab_nframes(src->frames) * sizeof(*c.frames));
	c.nodes = xcalloc(stacktree_nnodes(src->stacks), sizeof(*c.nodes));
	c.failed = c.host == STACKTREE_NONE;
	if (!c.failed)
		stacktree_walk(src->stacks, merge_visit, &c);
	free(c.frames);
	free(c.nodes);
	if (c.failed)
		return errbuf_fail(err, -EINVAL, "%s: its stack tree cannot be merged", label);
	return 0;
}

/* A new tree in dst big enough for every input's nodes plus the host level. */
static void
merge_stacks_init(struct profile *dst, struct profile *const *in, size_t n)
{
	size_t nodes = n + 2;

	for (size_t i = 0; i < n; i++)
		if (in[i]->stacks)
			nodes += stacktree_nnodes(in[i]->stacks);
	dst->frames = frametab_new();
	dst->frame_root = frametab_intern(dst->frames, "all", NULL, NULL, 0, FRAME_ROOT, false);
	dst->frame_other =
		frametab_intern(dst->frames, "[other]", NULL, NULL, 0, FRAME_OTHER, false);
	dst->stacks = stacktree_new(dst->frame_root, dst->frame_other,
				    nodes > STACKTREE_DEFAULT_MAX_NODES ? nodes : 0, 0);
	dst->tasks = tasks_new();
}

/* Input src's sampling figures added to dst's (the first input with samples names the event). */
static void
merge_sampling(struct profile *dst, const struct profile *src, const char *label)
{
	struct profile_sampling *d = &dst->sampling;
	const struct profile_sampling *s = &src->sampling;

	if (!d->event) {
		d->event = xstrdup(s->event);
		d->callgraph = xstrdup(s->callgraph ? s->callgraph : "none");
		d->freq = s->freq;
		d->period = s->period;
	} else if (strcmp(d->event, s->event) != 0) {
		fprintf(stderr,
			"ringside: warning: %s sampled %s, not %s: its counts are added as they "
			"are\n",
			label, s->event, d->event);
	}
	d->samples += stacktree_node(src->stacks, STACKTREE_ROOT)->total;
	d->lost += s->lost;
	d->throttled += s->throttled;
	d->bad_records += s->bad_records;
}

/* Move src's tracks into dst, named EVENT@label, their times shifted by shift_ns. */
static void
merge_tracks(struct profile *dst, struct profile *src, const char *label, uint64_t shift_ns)
{
	for (size_t i = 0; i < src->ntracks; i++) {
		struct counter_track *t = profile_add_track(dst);
		char *name, *canonical;

		*t = src->tracks[i];
		name = xasprintf("%s@%s", t->name ? t->name : "", label);
		canonical = xasprintf("%s@%s", t->canonical ? t->canonical : "", label);
		free(t->name);
		free(t->canonical);
		t->name = name;
		t->canonical = canonical;
		if (t->added_ns)
			t->added_ns += shift_ns;
		if (t->removed_ns)
			t->removed_ns += shift_ns;
		for (size_t k = 0; k < t->nseries; k++)
			for (size_t j = 0; j < t->series[k].n; j++)
				t->series[k].t[j] += shift_ns;
	}
	free(src->tracks);
	src->tracks = NULL;
	src->ntracks = 0;
}

/* The common value of a meta string over the inputs, or "mixed". */
static char *
merge_common(struct profile *const *in, size_t n, size_t offset)
{
	const char *first = *(char *const *)((const char *)&in[0]->meta + offset);

	for (size_t i = 1; i < n; i++) {
		const char *s = *(char *const *)((const char *)&in[i]->meta + offset);

		if (!first || !s || strcmp(first, s) != 0)
			return xstrdup("mixed");
	}
	return xstrdup(first ? first : "");
}

/* dst's meta: one entry per input in meta.hosts, the whole span, the labels as its host. */
static void
merge_meta(struct profile *dst, struct profile *const *in, const char *const *sources,
	   char **labels, size_t n)
{
	struct profile_meta *m = &dst->meta;
	int64_t start = in[0]->meta.start_unix_ns, end = start;
	size_t len = 0;

	m->hosts = xcalloc(n, sizeof(*m->hosts));
	m->nhosts = n;
	for (size_t i = 0; i < n; i++) {
		const struct profile_meta *s = &in[i]->meta;
		struct profile_host *h = &m->hosts[i];

		h->label = xstrdup(labels[i]);
		h->host = xstrdup(s->host ? s->host : "");
		h->kernel = xstrdup(s->kernel ? s->kernel : "");
		h->source = xstrdup(sources[i]);
		h->ncpus = s->ncpus;
		h->start_unix_ns = s->start_unix_ns;
		h->duration_ns = s->duration_ns;
		h->samples = in[i]->stacks ? stacktree_samples(in[i]->stacks) : 0;
		if (s->start_unix_ns < start)
			start = s->start_unix_ns;
		if (s->start_unix_ns + (int64_t)s->duration_ns > end)
			end = s->start_unix_ns + (int64_t)s->duration_ns;
		m->ncpus += s->ncpus;
		len += strlen(labels[i]) + 1;
	}
	m->host = xcalloc(len + 1, 1);
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(m->host, ",");
		strcat(m->host, labels[i]);
	}
	m->kernel = merge_common(in, n, offsetof(struct profile_meta, kernel));
	m->arch = merge_common(in, n, offsetof(struct profile_meta, arch));
	m->target_kind = merge_common(in, n, offsetof(struct profile_meta, target_kind));
	if (strcmp(m->target_kind, "mixed") == 0) {
		free(m->target_kind);
		m->target_kind = xstrdup("system");
	}
	m->target_desc = xasprintf("%zu hosts merged: %s", n, m->host);
	m->start_unix_ns = start;
	m->duration_ns = (uint64_t)(end - start);
	m->interval_ns = in[0]->meta.interval_ns;
	m->end_reason = xstrdup("merged");
}

int
merge_profiles(struct profile *const *in, const char *const *sources, size_t n,
	       struct profile **out, struct errbuf *err)
{
	struct profile *dst = profile_new();
	char **labels = xcalloc(n, sizeof(*labels));
	uint64_t samples = 0;
	int rc = 0;

	*out = NULL;
	for (size_t i = 0; i < n && rc == 0; i++) {
		labels[i] = merge_label(in, n, i);
		if (in[i]->meta.nhosts)
			rc = errbuf_fail(err, -EINVAL,
					 "%s is already a merged snapshot: merge the snapshots "
					 "it was made of instead",
					 sources[i]);
	}
	if (rc == 0)
		merge_meta(dst, in, sources, labels, n);
	for (size_t i = 0; i < n && rc == 0; i++) {
		uint64_t shift = (uint64_t)(in[i]->meta.start_unix_ns - dst->meta.start_unix_ns);

		merge_tracks(dst, in[i], labels[i], shift);
		if (!in[i]->stacks || !in[i]->frames || !in[i]->sampling.event)
			continue;
		if (!dst->stacks)
			merge_stacks_init(dst, in, n);
		merge_sampling(dst, in[i], labels[i]);
		samples += stacktree_samples(in[i]->stacks);
		rc = merge_tree(dst, in[i], labels[i], i, err);
	}
	if (rc == 0 && dst->stacks)
		stacktree_set_root(dst->stacks, 0, samples);
	if (rc == 0)
		merge_sched(dst, in, n);
	for (size_t i = 0; i < n; i++)
		free(labels[i]);
	free(labels);
	if (rc < 0)
		profile_free(dst);
	else
		*out = dst;
	return rc;
}

/* Load args[i] into *p, its path resolved through the library for @REF. */
static int
merge_load(const char *arg, struct profile **p, struct errbuf *err)
{
	char *path = NULL;
	int rc = runs_resolve_arg(arg, &path, err);

	if (rc == 0)
		rc = journal_load_any(path, p, err);
	if (rc == 1) {
		fprintf(stderr, "ringside: %s was cut short: merging what it holds\n", arg);
		rc = 0;
	}
	free(path);
	return rc;
}

int
merge_main(const char *const *args, size_t n, const char *out)
{
	struct profile **in = xcalloc(n, sizeof(*in)), *merged = NULL;
	struct errbuf err;
	int rc = 0, code = 0;

	errbuf_clear(&err);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = merge_load(args[i], &in[i], &err);
	if (rc == 0)
		rc = merge_profiles(in, args, n, &merged, &err);
	if (rc == 0)
		rc = export_write_path(merged, out, &err);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		code = errbuf_exit_status(&err);
	}
	for (size_t i = 0; i < n; i++)
		profile_free(in[i]);
	free(in);
	profile_free(merged);
	return code;
}
