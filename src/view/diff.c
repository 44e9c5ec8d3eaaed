// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The diff model. Both runs' stack trees are poured into one tree whose frames are interned in the
 * diff's own table by what they are: (name, module, kind) for code, (command name, kind) for
 * processes and threads, so a pid, a tid, an address or a declaration line never splits a match.
 * Each node then holds A's and B's counts. The functions, counters and scheduler tasks are
 * matched by name the same way and kept side by side.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/view/diff.h"
#include "ringside/util/xalloc.h"

enum diff_side { DIFF_A, DIFF_B };

struct diff_fill {
	struct diff *d;
	const struct profile *p;
	enum diff_side side;
	uint32_t *at; /* at[depth]: the diff node the source node at that depth went to */
	size_t nat;
	uint32_t *map; /* source frame id -> diff frame id (DIFF_NONE: not yet interned) */
};

static size_t
diff_hash_slot(uint32_t parent, uint32_t frame, size_t cap)
{
	uint64_t h = ((uint64_t)parent << 32 | frame) * 0x9e3779b97f4a7c15ULL;

	/* The high half folded in: the low bits of the product see only the low bits of the key. */
	return (size_t)(h ^ h >> 32) & (cap - 1);
}

/* Put node id (parent, frame) into its slot of the hash (which has room). */
static void
diff_hash_put(struct diff *d, uint32_t parent, uint32_t frame, uint32_t id)
{
	size_t s = diff_hash_slot(parent, frame, d->hash_cap);

	while (d->hash[s].id != DIFF_NONE)
		s = (s + 1) & (d->hash_cap - 1);
	d->hash[s] = (struct diff_slot){ parent, frame, id };
}

/* A hash of at least twice the nodes' room (for min_nodes nodes when bigger). */
static void
diff_hash_grow(struct diff *d, size_t min_nodes)
{
	size_t cap = d->hash_cap ? d->hash_cap * 2 : 1024;

	while (cap < min_nodes * 2)
		cap *= 2;
	free(d->hash);
	d->hash = xmalloc(cap * sizeof(*d->hash));
	memset(d->hash, 0xff, cap * sizeof(*d->hash));
	d->hash_cap = cap;
	for (size_t i = 1; i < d->nnodes; i++)
		diff_hash_put(d, d->nodes[i].parent, d->nodes[i].frame, (uint32_t)i);
}

uint32_t
diff_child(const struct diff *d, uint32_t parent, uint32_t frame)
{
	size_t s;

	if (!d->hash_cap)
		return DIFF_NONE;
	for (s = diff_hash_slot(parent, frame, d->hash_cap); d->hash[s].id != DIFF_NONE;
	     s = (s + 1) & (d->hash_cap - 1))
		if (d->hash[s].parent == parent && d->hash[s].frame == frame)
			return d->hash[s].id;
	return DIFF_NONE;
}

/* The child of parent for frame, made when missing. */
static uint32_t
diff_get_child(struct diff *d, uint32_t parent, uint32_t frame)
{
	uint32_t id = diff_child(d, parent, frame);
	struct diff_node *n;

	if (id != DIFF_NONE)
		return id;
	if (d->nnodes == d->cap) {
		d->cap *= 2;
		d->nodes = xreallocarray(d->nodes, d->cap, sizeof(*d->nodes));
	}
	id = (uint32_t)d->nnodes++;
	n = &d->nodes[id];
	*n = (struct diff_node){ .frame = frame, .parent = parent, .first_child = DIFF_NONE };
	n->next_sibling = d->nodes[parent].first_child;
	d->nodes[parent].first_child = id;
	if ((d->nnodes + 1) * 2 > d->hash_cap)
		diff_hash_grow(d, 0);
	else
		diff_hash_put(d, parent, frame, id);
	return id;
}

/* The diff's frame for a source frame: what it is, without where it was. */
static uint32_t
diff_frame(struct diff_fill *f, uint32_t src)
{
	const struct frame *fr;
	const struct frametab *ft = f->p->frames;

	if (f->map[src] != DIFF_NONE)
		return f->map[src];
	fr = frametab_get(ft, src);
	if (fr->kind == FRAME_PROCESS || fr->kind == FRAME_THREAD || fr->kind == FRAME_ROOT)
		f->map[src] = frametab_intern(f->d->frames, frametab_str(ft, fr->name), NULL, NULL,
					      0, fr->kind, false);
	else
		f->map[src] =
			frametab_intern(f->d->frames, frametab_str(ft, fr->name),
					frametab_str(ft, fr->module), NULL, 0, fr->kind, false);
	return f->map[src];
}

static bool
diff_fill_visit(void *ctx, const struct stacktree *t, uint32_t id, unsigned depth)
{
	struct diff_fill *f = ctx;
	const struct stacktree_node *sn = stacktree_node(t, id);
	const struct frame *fr = frametab_get(f->p->frames, sn->frame);
	struct diff_node *n;
	uint32_t did;

	if (depth >= f->nat) {
		f->nat = (depth + 1) * 2;
		f->at = xreallocarray(f->at, f->nat, sizeof(*f->at));
	}
	if (depth == 0)
		did = 0;
	else if (fr->kind == FRAME_THREAD && (f->d->flags & DIFF_MERGE_THREADS))
		did = f->at[depth - 1]; /* the thread's samples are its process's */
	else
		did = diff_get_child(f->d, f->at[depth - 1], diff_frame(f, sn->frame));
	f->at[depth] = did;
	n = &f->d->nodes[did];
	if (f->side == DIFF_A) {
		n->a_self += sn->self;
		if (did != f->at[depth ? depth - 1 : 0] || depth == 0)
			n->a_total += sn->total;
	} else {
		n->b_self += sn->self;
		if (did != f->at[depth ? depth - 1 : 0] || depth == 0)
			n->b_total += sn->total;
	}
	return true;
}

static void
diff_fill(struct diff *d, const struct profile *p, enum diff_side side)
{
	struct diff_fill f = { .d = d, .p = p, .side = side };
	size_t nf;

	if (!p->stacks || !p->frames)
		return;
	nf = frametab_nframes(p->frames);
	f.map = xmalloc((nf ? nf : 1) * sizeof(*f.map));
	memset(f.map, 0xff, (nf ? nf : 1) * sizeof(*f.map));
	stacktree_walk(p->stacks, diff_fill_visit, &f);
	free(f.map);
	free(f.at);
	if (side == DIFF_A) {
		d->a_stacks = true;
		d->a_samples = stacktree_samples(p->stacks);
		d->a_lost = p->sampling.lost;
	} else {
		d->b_stacks = true;
		d->b_samples = stacktree_samples(p->stacks);
		d->b_lost = p->sampling.lost;
	}
}

double
diff_share_a(const struct diff *d, uint64_t a_count)
{
	return d->a_samples ? 100.0 * (double)a_count / (double)d->a_samples : 0;
}

double
diff_share_b(const struct diff *d, uint64_t b_count)
{
	return d->b_samples ? 100.0 * (double)b_count / (double)d->b_samples : 0;
}

double
diff_delta(const struct diff *d, uint64_t a_count, uint64_t b_count)
{
	if (d->flags & DIFF_ABSOLUTE)
		return (double)b_count - (double)a_count;
	return diff_share_b(d, b_count) - diff_share_a(d, a_count);
}

double
diff_node_delta(const struct diff *d, const struct diff_node *n)
{
	return diff_delta(d, n->a_total, n->b_total);
}

void
diff_walk(const struct diff *d, diff_visit_fn fn, void *ctx)
{
	struct {
		uint32_t id;
		unsigned depth;
	} *stack = NULL;
	size_t n = 0, cap = 0;

	if (!d->nnodes)
		return;
	cap = 64;
	stack = xmalloc(cap * sizeof(*stack));
	stack[n].id = 0;
	stack[n++].depth = 0;
	while (n) {
		uint32_t id = stack[--n].id;
		unsigned depth = stack[n].depth;

		fn(ctx, d, id, depth);
		for (uint32_t c = d->nodes[id].first_child; c != DIFF_NONE;
		     c = d->nodes[c].next_sibling) {
			if (n == cap) {
				cap *= 2;
				stack = xreallocarray(stack, cap, sizeof(*stack));
			}
			stack[n].id = c;
			stack[n++].depth = depth + 1;
		}
	}
	free(stack);
}

struct diff_funcs_ctx {
	struct diff_func *acc; /* by frame id */
	uint32_t *path;	       /* frames of the current node's ancestors */
	uint32_t *on_path;     /* by frame id: how often it is on the path */
	size_t npath, cap;
};

static void
diff_funcs_visit(void *vctx, const struct diff *d, uint32_t id, unsigned depth)
{
	struct diff_funcs_ctx *c = vctx;
	const struct diff_node *n = &d->nodes[id];
	const struct frame *fr = frametab_get(d->frames, n->frame);
	struct diff_func *f = &c->acc[n->frame];

	while (c->npath > depth)
		c->on_path[c->path[--c->npath]]--;
	if (c->npath == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->path = xreallocarray(c->path, c->cap, sizeof(*c->path));
	}
	if (fr->kind != FRAME_ROOT && fr->kind != FRAME_PROCESS && fr->kind != FRAME_THREAD) {
		f->frame = n->frame;
		f->a_self += n->a_self;
		f->b_self += n->b_self;
		if (!c->on_path[n->frame]) { /* recursion: count a path once */
			f->a_total += n->a_total;
			f->b_total += n->b_total;
		}
	}
	c->path[c->npath++] = n->frame;
	c->on_path[n->frame]++;
}

static bool diff_sort_by_self;

static int
diff_func_cmp(const void *x, const void *y)
{
	const struct diff_func *a = x, *b = y;
	double da = fabs(diff_sort_by_self ? a->self_delta : a->total_delta);
	double db = fabs(diff_sort_by_self ? b->self_delta : b->total_delta);

	if (da != db)
		return da < db ? 1 : -1;
	return a->frame < b->frame ? -1 : a->frame > b->frame;
}

void
diff_sort_funcs(struct diff *d, bool by_self)
{
	diff_sort_by_self = by_self;
	if (d->nfuncs > 1)
		qsort(d->funcs, d->nfuncs, sizeof(*d->funcs), diff_func_cmp);
}

void
diff_set_absolute(struct diff *d, bool absolute)
{
	if (absolute)
		d->flags |= DIFF_ABSOLUTE;
	else
		d->flags &= ~(unsigned)DIFF_ABSOLUTE;
	for (size_t i = 0; i < d->nfuncs; i++) {
		struct diff_func *f = &d->funcs[i];

		f->self_delta = diff_delta(d, f->a_self, f->b_self);
		f->total_delta = diff_delta(d, f->a_total, f->b_total);
	}
	diff_sort_funcs(d, false);
}

static void
diff_funcs(struct diff *d)
{
	size_t nf = frametab_nframes(d->frames);
	struct diff_funcs_ctx c = { 0 };

	c.acc = xcalloc(nf ? nf : 1, sizeof(*c.acc));
	c.on_path = xcalloc(nf ? nf : 1, sizeof(*c.on_path));
	for (size_t i = 0; i < nf; i++)
		c.acc[i].frame = DIFF_NONE;
	diff_walk(d, diff_funcs_visit, &c);
	d->funcs = xcalloc(nf ? nf : 1, sizeof(*d->funcs));
	for (size_t i = 0; i < nf; i++) {
		struct diff_func *f = &c.acc[i];

		if (f->frame == DIFF_NONE)
			continue;
		f->self_delta = diff_delta(d, f->a_self, f->b_self);
		f->total_delta = diff_delta(d, f->a_total, f->b_total);
		d->funcs[d->nfuncs++] = *f;
	}
	diff_sort_funcs(d, false);
	free(c.acc);
	free(c.on_path);
	free(c.path);
}

/* The run's length in seconds (1 when unknown, so a rate is the total). */
static double
diff_seconds(const struct profile *p)
{
	return p->meta.duration_ns ? (double)p->meta.duration_ns / 1e9 : 1;
}

static struct diff_counter *
diff_add_counter(struct diff *d, const char *name, size_t *cap)
{
	struct diff_counter *c;

	for (size_t i = 0; i < d->ncounters; i++)
		if (strcmp(d->counters[i].name, name) == 0)
			return &d->counters[i];
	if (d->ncounters == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		d->counters = xreallocarray(d->counters, *cap, sizeof(*d->counters));
	}
	c = &d->counters[d->ncounters++];
	*c = (struct diff_counter){ .name = xstrdup(name) };
	return c;
}

static void
diff_side_counters(struct diff *d, const struct profile *p, enum diff_side side, size_t *cap)
{
	double secs = diff_seconds(p);

	for (size_t i = 0; i < p->ntracks; i++) {
		const struct counter_track *t = &p->tracks[i];
		struct diff_counter *c;
		double v, share;

		if (!counter_track_total(t, &v, &share))
			continue;
		c = diff_add_counter(d, t->name, cap);
		if (side == DIFF_A) {
			c->have_a = true;
			c->a_value = v;
			c->a_rate = v / secs;
			c->a_share = share;
		} else {
			c->have_b = true;
			c->b_value = v;
			c->b_rate = v / secs;
			c->b_share = share;
		}
	}
}

/* The totals of a ratio's two events in p, or false when p lacks one. */
static bool
diff_ratio_totals(const struct profile *p, const struct ratio_def *r, double *nv, double *dv)
{
	size_t ni = profile_track_index(p, r->num, r->num);
	size_t di = profile_track_index(p, r->den, r->den);
	double share;

	return ni != SIZE_MAX && di != SIZE_MAX &&
	       counter_track_total(&p->tracks[ni], nv, &share) &&
	       counter_track_total(&p->tracks[di], dv, &share);
}

/* A ratio's value in p, or false when p lacks one of its events. */
static bool
diff_ratio_value(const struct profile *p, const struct ratio_def *r, double *out)
{
	double nv, dv;

	if (!diff_ratio_totals(p, r, &nv, &dv) || dv == 0)
		return false;
	*out = nv / dv * r->scale;
	return true;
}

/* DIFF_SINCE_A: the ratio over what b counted since a, or false. */
static bool
diff_ratio_since(const struct profile *a, const struct profile *b, const struct ratio_def *r,
		 double *out)
{
	double na, da, nb, db;

	if (!diff_ratio_totals(a, r, &na, &da) || !diff_ratio_totals(b, r, &nb, &db) || db <= da)
		return false;
	*out = (nb > na ? nb - na : 0) / (db - da) * r->scale;
	return true;
}

static void
diff_one_ratio(struct diff *d, const struct profile *a, const struct profile *b,
	       const struct ratio_def *r, size_t *cap)
{
	double va, vb;
	bool ha = diff_ratio_value(a, r, &va), hb;
	struct diff_counter *c;

	hb = d->flags & DIFF_SINCE_A ? diff_ratio_since(a, b, r, &vb) : diff_ratio_value(b, r, &vb);
	if (!ha && !hb)
		return;
	c = diff_add_counter(d, r->name, cap);
	c->is_ratio = true;
	c->have_a = ha;
	c->have_b = hb;
	c->a_value = c->a_rate = ha ? va : 0;
	c->b_value = c->b_rate = hb ? vb : 0;
	c->a_share = c->b_share = 1;
}

static void
diff_counters(struct diff *d, const struct profile *a, const struct profile *b)
{
	size_t cap = 0;
	struct ratio_def r;

	diff_side_counters(d, a, DIFF_A, &cap);
	diff_side_counters(d, b, DIFF_B, &cap);
	for (size_t i = 0; i < ratio_builtin_count(); i++) {
		ratio_builtin_get(i, &r);
		diff_one_ratio(d, a, b, &r, &cap);
		ratio_fini(&r);
	}
	for (size_t i = 0; i < a->nratios; i++)
		diff_one_ratio(d, a, b, &a->ratios[i], &cap);
	for (size_t i = 0; i < b->nratios; i++)
		diff_one_ratio(d, a, b, &b->ratios[i], &cap);
}

static void
diff_side_tasks(struct diff *d, const struct profile *p, enum diff_side side, size_t *cap)
{
	size_t nt = p->sched ? schedmap_ntasks(p->sched) : 0;

	for (uint32_t i = 0; i < nt; i++) {
		struct schedmap_task_stats st;
		struct diff_task *t = NULL;

		if (schedmap_task_stats(p->sched, i, &st) < 0 || (st.tid == 0 && !st.folded))
			continue; /* idle */
		for (size_t j = 0; j < d->ntasks && !t; j++)
			if (strncmp(d->tasks[j].comm, st.comm, sizeof(st.comm)) == 0)
				t = &d->tasks[j];
		if (!t) {
			if (d->ntasks == *cap) {
				*cap = *cap ? *cap * 2 : 64;
				d->tasks = xreallocarray(d->tasks, *cap, sizeof(*d->tasks));
			}
			t = &d->tasks[d->ntasks++];
			*t = (struct diff_task){ 0 };
			memcpy(t->comm, st.comm, sizeof(t->comm));
			t->comm[sizeof(t->comm) - 1] = '\0';
		}
		if (side == DIFF_A) {
			t->have_a = true;
			t->a_runtime_ns += st.runtime_ns;
			t->a_switches += st.switches_voluntary + st.switches_involuntary;
			t->a_migrations += st.migrations;
			if (st.lat_p99_ns > t->a_p99_ns)
				t->a_p99_ns = st.lat_p99_ns;
		} else {
			t->have_b = true;
			t->b_runtime_ns += st.runtime_ns;
			t->b_switches += st.switches_voluntary + st.switches_involuntary;
			t->b_migrations += st.migrations;
			if (st.lat_p99_ns > t->b_p99_ns)
				t->b_p99_ns = st.lat_p99_ns;
		}
	}
}

static int
diff_task_cmp(const void *x, const void *y)
{
	const struct diff_task *a = x, *b = y;
	double da = fabs((double)a->b_runtime_ns - (double)a->a_runtime_ns);
	double db = fabs((double)b->b_runtime_ns - (double)b->a_runtime_ns);

	if (da != db)
		return da < db ? 1 : -1;
	return strcmp(a->comm, b->comm);
}

static void
diff_tasks(struct diff *d, const struct profile *a, const struct profile *b)
{
	size_t cap = 0;

	diff_side_tasks(d, a, DIFF_A, &cap);
	diff_side_tasks(d, b, DIFF_B, &cap);
	if (d->ntasks > 1)
		qsort(d->tasks, d->ntasks, sizeof(*d->tasks), diff_task_cmp);
}

static bool
diff_str_eq(const char *x, const char *y)
{
	return strcmp(x ? x : "", y ? y : "") == 0;
}

/* One line when the runs sampled different events or in different units. */
static void
diff_check_sampling(struct diff *d, const struct profile *a, const struct profile *b)
{
	const struct profile_sampling *sa = &a->sampling, *sb = &b->sampling;

	if (!d->a_stacks || !d->b_stacks)
		return;
	if (!diff_str_eq(sa->event, sb->event))
		d->mismatch =
			xasprintf("A sampled %s and B sampled %s: samples are different units, "
				  "compare shares (the default), not counts",
				  sa->event ? sa->event : "?", sb->event ? sb->event : "?");
	else if ((sa->freq != 0) != (sb->freq != 0) || (!sa->freq && sa->period != sb->period))
		d->mismatch = xasprintf("A and B sampled %s at different periods (%s vs %s): "
					"compare shares (the default), not counts",
					sa->event ? sa->event : "?",
					sa->freq ? "a frequency" : "a period",
					sb->freq ? "a frequency" : "a period");
}

/* B's own samples: what it has beyond A's, per node (clamped at 0), totals summed again. */
static void
diff_since_nodes(struct diff *d)
{
	for (size_t i = 0; i < d->nnodes; i++) {
		struct diff_node *n = &d->nodes[i];

		n->b_self = n->b_self > n->a_self ? n->b_self - n->a_self : 0;
		n->b_total = n->b_self;
	}
	/* Parents come before their children: sum from the leaves up. */
	for (size_t i = d->nnodes; i-- > 1;)
		d->nodes[d->nodes[i].parent].b_total += d->nodes[i].b_total;
	if (d->b_stacks)
		d->b_samples = d->nodes[0].b_total;
	d->b_lost = d->b_lost > d->a_lost ? d->b_lost - d->a_lost : 0;
}

/* B's counters and tasks since A: totals less A's, rates over the time since. */
static void
diff_since_figures(struct diff *d, const struct profile *a, const struct profile *b)
{
	double secs = diff_seconds(b) - (a->meta.duration_ns ? diff_seconds(a) : 0);

	if (secs <= 0)
		secs = 1;
	for (size_t i = 0; i < d->ncounters; i++) {
		struct diff_counter *c = &d->counters[i];

		if (c->is_ratio || !c->have_b)
			continue;
		if (c->have_a)
			c->b_value = c->b_value > c->a_value ? c->b_value - c->a_value : 0;
		c->b_rate = c->b_value / secs;
	}
	for (size_t i = 0; i < d->ntasks; i++) {
		struct diff_task *t = &d->tasks[i];

		t->b_runtime_ns -=
			t->b_runtime_ns > t->a_runtime_ns ? t->a_runtime_ns : t->b_runtime_ns;
		t->b_switches -= t->b_switches > t->a_switches ? t->a_switches : t->b_switches;
		t->b_migrations -=
			t->b_migrations > t->a_migrations ? t->a_migrations : t->b_migrations;
	}
	if (d->ntasks > 1)
		qsort(d->tasks, d->ntasks, sizeof(*d->tasks), diff_task_cmp);
}

struct diff *
diff_new_a(const struct profile *a, unsigned flags)
{
	struct diff *d = xcalloc(1, sizeof(*d));
	uint32_t root;

	d->flags = flags;
	d->frames = frametab_new();
	root = frametab_intern(d->frames, "all", NULL, NULL, 0, FRAME_ROOT, false);
	/* room for A's nodes at once: no growing while A is poured in */
	d->cap = a->stacks && stacktree_nnodes(a->stacks) > 1024 ? stacktree_nnodes(a->stacks)
								 : 1024;
	d->nodes = xmalloc(d->cap * sizeof(*d->nodes));
	d->nodes[0] = (struct diff_node){ .frame = root,
					  .parent = DIFF_NONE,
					  .first_child = DIFF_NONE,
					  .next_sibling = DIFF_NONE };
	d->nnodes = 1;
	diff_hash_grow(d, d->cap);
	diff_fill(d, a, DIFF_A);
	return d;
}

struct diff *
diff_finish(struct diff *d, const struct profile *a, const struct profile *b)
{
	diff_fill(d, b, DIFF_B);
	if (d->flags & DIFF_SINCE_A)
		diff_since_nodes(d);
	diff_funcs(d);
	diff_counters(d, a, b);
	diff_tasks(d, a, b);
	if (d->flags & DIFF_SINCE_A)
		diff_since_figures(d, a, b);
	diff_check_sampling(d, a, b);
	return d;
}

struct diff *
diff_new(const struct profile *a, const struct profile *b, unsigned flags)
{
	return diff_finish(diff_new_a(a, flags), a, b);
}

void
diff_free(struct diff *d)
{
	if (!d)
		return;
	frametab_free(d->frames);
	free(d->nodes);
	free(d->hash);
	free(d->funcs);
	for (size_t i = 0; i < d->ncounters; i++)
		free(d->counters[i].name);
	free(d->counters);
	free(d->tasks);
	free(d->mismatch);
	free(d);
}
