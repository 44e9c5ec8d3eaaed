// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hottest functions: one pass over the stack tree with an explicit stack, a per-frame count
 * of how many times the frame is on the current path (so recursion counts once in total), and a
 * partial selection of the top entries. For a ratio flamegraph (--ratio NAME=A/B), the same
 * counts in A's tree and B's, and A/B per function for self and total, a function being a name
 * and module (frames of one function, at different lines say, are one row).
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "ringside/view/hot.h"
#include "ringside/view/ratioflame.h"

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

/*
 * Per frame of ft, the samples of t where it was the leaf (self) and on the stack (total, once per
 * sample however often it recurs) into self and total (nframes + 1 entries each, zeroed). With
 * key, frame f counts as frame key[f] (frames that are one function share a key).
 */
static void
hot_count(const struct stacktree *t, const struct frametab *ft, bool window, const uint32_t *key,
	  uint64_t *self, uint64_t *total)
{
	size_t nframes = frametab_nframes(ft), nnodes = stacktree_nnodes(t), sp = 0;
	uint32_t *onpath = xcalloc(nframes + 1, sizeof(uint32_t));
	/* The DFS stack holds node ids; a node is pushed again (tagged) to pop its frame. */
	uint64_t *stack = xcalloc(2 * nnodes + 2, sizeof(uint64_t));

	if (stacktree_node(t, STACKTREE_ROOT))
		stack[sp++] = STACKTREE_ROOT;
	while (sp) {
		uint64_t top = stack[--sp];
		uint32_t id = (uint32_t)top;
		const struct stacktree_node *nd = stacktree_node(t, id);
		const struct frame *f = frametab_get(ft, nd->frame);
		bool code = f && nd->frame < nframes && hot_is_code(f);
		uint32_t k = code && key ? key[nd->frame] : nd->frame;
		struct stacktree_win w;

		if (top >> 32) {
			if (code)
				onpath[k]--;
			continue;
		}
		w = window ? stacktree_win(t, id) : (struct stacktree_win){ nd->self, nd->total };
		if (w.total == 0)
			continue;
		if (code) {
			self[k] += w.self;
			if (onpath[k]++ == 0)
				total[k] += w.total;
			stack[sp++] = (1ull << 32) | id;
		}
		for (uint32_t c = nd->first_child; c != STACKTREE_NONE;
		     c = stacktree_node(t, c)->next_sibling)
			stack[sp++] = c;
	}
	free(stack);
	free(onpath);
}

size_t
hot_top(const struct stacktree *t, const struct frametab *ft, bool window, enum hot_order order,
	struct hot_entry *out, size_t max, uint64_t *samples)
{
	size_t nframes = frametab_nframes(ft), n = 0;
	uint64_t *self = xcalloc(nframes + 1, sizeof(uint64_t));
	uint64_t *total = xcalloc(nframes + 1, sizeof(uint64_t));
	const struct stacktree_node *root = stacktree_node(t, STACKTREE_ROOT);
	struct hot_entry *all;

	if (samples)
		*samples = window ? stacktree_win(t, STACKTREE_ROOT).total : root ? root->total : 0;
	hot_count(t, ft, window, NULL, self, total);
	all = xcalloc(nframes + 1, sizeof(*all));
	for (size_t f = 0; f < nframes; f++)
		if (total[f])
			all[n++] = (struct hot_entry){ (uint32_t)f, self[f], total[f] };
	qsort(all, n, sizeof(*all), order == HOT_BY_SELF ? hot_cmp_self : hot_cmp_total);
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(*out));
	free(all);
	free(total);
	free(self);
	return n;
}

/* Column k of e (enum hot_ratio_order): a count, or a ratio (negative: none). */
static double
hot_ratio_key(const struct hot_ratio_entry *e, enum hot_ratio_order k)
{
	switch (k) {
	case HOT_RATIO_A_SELF:
		return (double)e->a_self;
	case HOT_RATIO_A_TOTAL:
		return (double)e->a_total;
	case HOT_RATIO_B_SELF:
		return (double)e->b_self;
	case HOT_RATIO_B_TOTAL:
		return (double)e->b_total;
	case HOT_RATIO_SELF:
		return e->ratio_self;
	default:
		return e->ratio_total;
	}
}

/* Largest first by the column, then by B's total, then by frame id (a stable order). */
static int
hot_ratio_cmp(const void *a, const void *b, void *arg)
{
	const struct hot_ratio_entry *x = a, *y = b;
	enum hot_ratio_order k = *(const enum hot_ratio_order *)arg;
	double kx = hot_ratio_key(x, k), ky = hot_ratio_key(y, k);

	if (kx != ky)
		return kx < ky ? 1 : -1;
	if (x->b_total != y->b_total)
		return x->b_total < y->b_total ? 1 : -1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* A frame's function: its name and module, then its id (the lowest id leads its function). */
struct hot_fn {
	uint32_t name, module, id;
};

static int
hot_fn_cmp(const void *a, const void *b)
{
	const struct hot_fn *x = a, *y = b;

	if (x->name != y->name)
		return x->name < y->name ? -1 : 1;
	if (x->module != y->module)
		return x->module < y->module ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Per frame of ft, the lowest id of a frame with its name and module (nframes entries). */
static uint32_t *
hot_fn_keys(const struct frametab *ft, size_t nframes)
{
	struct hot_fn *fn = xcalloc(nframes + 1, sizeof(*fn));
	uint32_t *key = xcalloc(nframes + 1, sizeof(*key));

	for (size_t i = 0; i < nframes; i++) {
		const struct frame *f = frametab_get(ft, (uint32_t)i);

		fn[i] = (struct hot_fn){ f ? f->name : 0, f ? f->module : 0, (uint32_t)i };
	}
	qsort(fn, nframes, sizeof(*fn), hot_fn_cmp);
	for (size_t i = 0, lead = 0; i < nframes; i++) {
		if (fn[i].name != fn[lead].name || fn[i].module != fn[lead].module)
			lead = i;
		key[fn[i].id] = fn[lead].id;
	}
	free(fn);
	return key;
}

size_t
hot_ratio_all(const struct stacktree *a, const struct stacktree *b, const struct frametab *ft,
	      struct hot_ratio_entry **out)
{
	size_t nframes = frametab_nframes(ft), n = 0;
	uint64_t *c = xcalloc(4 * (nframes + 1), sizeof(uint64_t));
	uint64_t *as = c, *at = c + nframes + 1, *bs = c + 2 * (nframes + 1),
		 *bt = c + 3 * (nframes + 1);
	uint32_t *key = hot_fn_keys(ft, nframes);
	struct hot_ratio_entry *all;

	hot_count(a, ft, false, key, as, at);
	hot_count(b, ft, false, key, bs, bt);
	all = xcalloc(nframes + 1, sizeof(*all));
	for (size_t f = 0; f < nframes; f++)
		if (at[f] || bt[f])
			all[n++] = (struct hot_ratio_entry){
				.frame = (uint32_t)f,
				.a_self = as[f],
				.a_total = at[f],
				.b_self = bs[f],
				.b_total = bt[f],
				.ratio_self = ratioflame_value(as[f], bs[f]),
				.ratio_total = ratioflame_value(at[f], bt[f]),
			};
	free(key);
	free(c);
	*out = all;
	return n;
}

void
hot_ratio_sort(struct hot_ratio_entry *e, size_t n, enum hot_ratio_order order)
{
	if (n)
		qsort_r(e, n, sizeof(*e), hot_ratio_cmp, &order);
}

size_t
hot_ratio(const struct stacktree *a, const struct stacktree *b, const struct frametab *ft,
	  enum hot_ratio_order order, struct hot_ratio_entry *out, size_t max)
{
	struct hot_ratio_entry *all;
	size_t n = hot_ratio_all(a, b, ft, &all);

	hot_ratio_sort(all, n, order);
	if (n > max)
		n = max;
	if (n)
		memcpy(out, all, n * sizeof(*out));
	free(all);
	return n;
}

const char *
hot_ratio_order_name(enum hot_ratio_order order)
{
	static const char *const names[HOT_RATIO_NR] = {
		[HOT_RATIO_A_SELF] = "A self", [HOT_RATIO_A_TOTAL] = "A total",
		[HOT_RATIO_B_SELF] = "B self", [HOT_RATIO_B_TOTAL] = "B total",
		[HOT_RATIO_SELF] = "A/B self", [HOT_RATIO_TOTAL] = "A/B total",
	};

	return order < HOT_RATIO_NR ? names[order] : "";
}
