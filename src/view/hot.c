// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hottest functions: one pass over the stack tree with an explicit stack, a per-frame count
 * of how many times the frame is on the current path (so recursion counts once in total), and a
 * partial selection of the top entries.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "ringside/view/hot.h"

static bool
hot_is_code(const struct frame *f)
{
	switch (f->kind) {
	case FRAME_KERNEL:
	case FRAME_USER:
	case FRAME_LIBRARY:
	case FRAME_JIT:
	case FRAME_UNKNOWN:
		return true;
	default:
		return false;
	}
}

static int
hot_cmp_self(const void *a, const void *b)
{
	const struct hot_entry *x = a, *y = b;

	if (x->self != y->self)
		return x->self < y->self ? 1 : -1;
	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

static int
hot_cmp_total(const void *a, const void *b)
{
	const struct hot_entry *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	if (x->self != y->self)
		return x->self < y->self ? 1 : -1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

size_t
hot_top(const struct stacktree *t, const struct frametab *ft, bool window, enum hot_order order,
	struct hot_entry *out, size_t max, uint64_t *samples)
{
	size_t nframes = frametab_nframes(ft), nnodes = stacktree_nnodes(t), n = 0, sp = 0;
	uint64_t *self = xcalloc(nframes + 1, sizeof(uint64_t));
	uint64_t *total = xcalloc(nframes + 1, sizeof(uint64_t));
	uint32_t *onpath = xcalloc(nframes + 1, sizeof(uint32_t));
	/* The DFS stack holds node ids; a node is pushed again (tagged) to pop its frame. */
	uint64_t *stack = xcalloc(2 * nnodes + 2, sizeof(uint64_t));
	struct hot_entry *all;
	const struct stacktree_node *root = stacktree_node(t, STACKTREE_ROOT);

	if (samples)
		*samples = root ? (window ? root->win_total : root->total) : 0;
	if (root)
		stack[sp++] = STACKTREE_ROOT;
	while (sp) {
		uint64_t top = stack[--sp];
		uint32_t id = (uint32_t)top;
		const struct stacktree_node *nd = stacktree_node(t, id);
		const struct frame *f = frametab_get(ft, nd->frame);
		bool code = f && nd->frame < nframes && hot_is_code(f);

		if (top >> 32) {
			if (code)
				onpath[nd->frame]--;
			continue;
		}
		if ((window ? nd->win_total : nd->total) == 0)
			continue;
		if (code) {
			self[nd->frame] += window ? nd->win_self : nd->self;
			if (onpath[nd->frame]++ == 0)
				total[nd->frame] += window ? nd->win_total : nd->total;
			stack[sp++] = (1ull << 32) | id;
		}
		for (uint32_t c = nd->first_child; c != STACKTREE_NONE;
		     c = stacktree_node(t, c)->next_sibling)
			stack[sp++] = c;
	}
	all = xcalloc(nframes + 1, sizeof(*all));
	for (size_t f = 0; f < nframes; f++)
		if (total[f])
			all[n++] = (struct hot_entry){ (uint32_t)f, self[f], total[f] };
	qsort(all, n, sizeof(*all), order == HOT_BY_SELF ? hot_cmp_self : hot_cmp_total);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	free(stack);
	free(onpath);
	free(total);
	free(self);
	return n;
}
