// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The off-CPU and wall-clock trees, built from the profile's two trees by walking them with the
 * current path in hand and inserting each node's self count along it: off-CPU is the time tree
 * without its "[on-CPU]" nodes; wall-clock is the time tree with each "[on-CPU]" node given the
 * thread's sampled stacks, each sample worth the thread's run time over its sample count (the
 * rounding's remainder stays on the "[on-CPU]" node, so the thread's total is its measured time).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringside/model/offcpu.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/timetree.h"

static const char *const timetree_names[TIMETREE_NR_MODES] = { "on-CPU", "off-CPU", "wall-clock" };
static const char *const timetree_words[TIMETREE_NR_MODES] = { "on", "off", "wall" };

const char *
timetree_mode_name(enum timetree_mode mode)
{
	return (unsigned)mode < TIMETREE_NR_MODES ? timetree_names[mode] : "?";
}

bool
timetree_mode_parse(const char *word, enum timetree_mode *mode)
{
	for (int i = 0; word && i < TIMETREE_NR_MODES; i++)
		if (strcmp(word, timetree_words[i]) == 0 || strcmp(word, timetree_names[i]) == 0) {
			*mode = (enum timetree_mode)i;
			return true;
		}
	return false;
}

bool
timetree_available(const struct profile *p, enum timetree_mode mode)
{
	return mode == TIMETREE_ON ? p->stacks != NULL : p->offcpu != NULL;
}

bool
timetree_in_ns(enum timetree_mode mode)
{
	return mode != TIMETREE_ON;
}

struct timetree_copy {
	const struct profile *p;
	struct stacktree *out;
	enum timetree_mode mode;
	uint32_t *path; /* the current path, root's child first */
	size_t cap;
	uint32_t on_frame; /* "[on-CPU]" */
};

/* Keep path[depth - 1] = frame, growing the path. */
static void
timetree_push(struct timetree_copy *c, size_t depth, uint32_t frame)
{
	if (depth > c->cap) {
		c->cap = depth * 2;
		c->path = xreallocarray(c->path, c->cap, sizeof(uint32_t));
	}
	c->path[depth - 1] = frame;
}

/*
 * Insert node id of t and its subtree below path[0, depth - 1), each node's self count times
 * scale; returns what was inserted.
 */
static uint64_t
timetree_graft(struct timetree_copy *c, const struct stacktree *t, uint32_t id, size_t depth,
	       double scale)
{
	const struct stacktree_node *n = stacktree_node(t, id);
	uint64_t w = (uint64_t)((double)n->self * scale),
		 added = w; /* floored: never past the time */

	timetree_push(c, depth, n->frame);
	if (w)
		stacktree_insert(c->out, c->path, depth, w, 0);
	for (uint32_t k = n->first_child; k != STACKTREE_NONE;
	     k = stacktree_node(t, k)->next_sibling)
		added += timetree_graft(c, t, k, depth + 1, scale);
	return added;
}

/* The thread node of t with process frame pf and thread frame tf, or STACKTREE_NONE. */
static uint32_t
timetree_thread(const struct stacktree *t, uint32_t pf, uint32_t tf)
{
	uint32_t pn = stacktree_child(t, STACKTREE_ROOT, pf);

	return pn == STACKTREE_NONE ? STACKTREE_NONE : stacktree_child(t, pn, tf);
}

/* Wall-clock: a thread's "[on-CPU]" node (ns) gets the thread's sampled stacks, scaled to it. */
static void
timetree_on(struct timetree_copy *c, const struct stacktree_node *on)
{
	const struct stacktree *st = c->p->stacks;
	uint32_t tn = st ? timetree_thread(st, c->path[0], c->path[1]) : STACKTREE_NONE;
	const struct stacktree_node *tnode = tn != STACKTREE_NONE ? stacktree_node(st, tn) : NULL;
	uint64_t added = 0;

	timetree_push(c, 3, c->on_frame);
	if (tnode && tnode->total) {
		double scale = (double)on->total / (double)tnode->total;

		for (uint32_t k = tnode->first_child; k != STACKTREE_NONE;
		     k = stacktree_node(st, k)->next_sibling)
			added += timetree_graft(c, st, k, 4, scale);
	}
	if (on->total > added)
		stacktree_insert(c->out, c->path, 3, on->total - added, 0);
}

/* Copy node id (at depth >= 1) of the time tree and its subtree, as the mode wants. */
static void
timetree_copy_node(struct timetree_copy *c, uint32_t id, size_t depth)
{
	const struct stacktree *t = c->p->offcpu;
	const struct stacktree_node *n = stacktree_node(t, id);

	if (depth == 3 && n->frame == c->on_frame) {
		if (c->mode == TIMETREE_WALL)
			timetree_on(c, n);
		return;
	}
	timetree_push(c, depth, n->frame);
	if (n->self)
		stacktree_insert(c->out, c->path, depth, n->self, 0);
	for (uint32_t k = n->first_child; k != STACKTREE_NONE;
	     k = stacktree_node(t, k)->next_sibling)
		timetree_copy_node(c, k, depth + 1);
}

/*
 * Wall-clock: threads sampled but absent from the time tree (they never switched while it was
 * recorded) count each sample as the sampling period, 1 s / freq.
 */
static void
timetree_unswitched(struct timetree_copy *c)
{
	const struct stacktree *st = c->p->stacks, *t = c->p->offcpu;
	double scale = c->p->sampling.freq ? 1e9 / (double)c->p->sampling.freq : 0;

	if (!st || !scale)
		return;
	for (uint32_t pn = stacktree_node(st, STACKTREE_ROOT)->first_child; pn != STACKTREE_NONE;
	     pn = stacktree_node(st, pn)->next_sibling)
		for (uint32_t tn = stacktree_node(st, pn)->first_child; tn != STACKTREE_NONE;
		     tn = stacktree_node(st, tn)->next_sibling) {
			uint32_t pf = stacktree_node(st, pn)->frame,
				 tf = stacktree_node(st, tn)->frame;

			if (timetree_thread(t, pf, tf) != STACKTREE_NONE)
				continue;
			timetree_push(c, 1, pf);
			timetree_push(c, 2, tf);
			timetree_push(c, 3, c->on_frame);
			for (uint32_t k = stacktree_node(st, tn)->first_child; k != STACKTREE_NONE;
			     k = stacktree_node(st, k)->next_sibling)
				timetree_graft(c, st, k, 4, scale);
		}
}

struct stacktree *
timetree_build(const struct profile *p, enum timetree_mode mode)
{
	struct timetree_copy c = { .p = p, .mode = mode };

	if (!p->offcpu || !p->frames || mode == TIMETREE_ON)
		return NULL;
	c.out = stacktree_new(p->frame_root, p->frame_other, 0, 0);
	c.on_frame = offcpu_state_frame(p->frames, OFFCPU_ON);
	for (uint32_t k = stacktree_node(p->offcpu, STACKTREE_ROOT)->first_child;
	     k != STACKTREE_NONE; k = stacktree_node(p->offcpu, k)->next_sibling)
		timetree_copy_node(&c, k, 1);
	if (mode == TIMETREE_WALL)
		timetree_unswitched(&c);
	free(c.path);
	return c.out;
}

void
timetree_init(struct timetree *tt)
{
	memset(tt, 0, sizeof(*tt));
	tt->mode = TIMETREE_ON;
}

void
timetree_fini(struct timetree *tt)
{
	stacktree_free(tt->built);
	tt->built = NULL;
}

const struct stacktree *
timetree_get(struct timetree *tt, const struct profile *p)
{
	uint64_t on = p->stacks ? stacktree_samples(p->stacks) : 0,
		 off = p->offcpu ? stacktree_samples(p->offcpu) : 0;

	if (tt->mode == TIMETREE_ON && tt->event && profile_event_tree(p, tt->event))
		return profile_event_tree(p, tt->event);
	if (tt->mode == TIMETREE_ON || !p->offcpu)
		return tt->mode == TIMETREE_ON ? p->stacks : NULL;
	if (!tt->built || tt->built_mode != tt->mode || tt->built_on != on ||
	    tt->built_off != off) {
		stacktree_free(tt->built);
		tt->built = timetree_build(p, tt->mode);
		tt->built_mode = tt->mode;
		tt->built_on = on;
		tt->built_off = off;
	}
	return tt->built;
}
