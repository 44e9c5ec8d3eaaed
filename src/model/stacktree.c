// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stack tree. Nodes live in one array (ids dense, the root is 0, a parent's id is always below
 * its children's) with first-child/next-sibling links for walking; children are found through an
 * open-addressing hash of node ids keyed by (parent, frame), compared against the node itself, so a
 * lookup touches the node it would touch anyway to add its counts (4 bytes a slot, at most three
 * quarters full). The window's counts live in an array beside the nodes, made only for a tree with
 * a window (the live screen's; a recording or a snapshot read back has none), and follow the nodes
 * wherever they move. The window keeps a ring log of (leaf, weight, time); expiring subtracts from
 * the leaf's ancestors, or, when many entries expire at once, recomputes every window total in one
 * sweep. Consecutive entries of one leaf within 1/256 of the window share an entry.
 *
 * Insertion remembers the previous path and its node ids: consecutive samples share long
 * prefixes (process, thread, main, ...), which then cost a frame comparison instead of a lookup.
 *
 * stacktree_insert_leaf (a cached callchain's leaf, the common case of a long recording) adds to
 * the leaf's self counts at once but defers its ancestors' totals: the weight waits in the leaf's
 * pending count, and the leaf joins a list of dirty leaves the first time. Every function that
 * reads or renumbers nodes first settles the list (one walk to the root per dirty leaf, not per
 * sample), so readers always see exact totals; the list is settled too when it fills up, and a
 * weight that would overflow a pending count is added along the path at once.
 *
 * The cap. When a new node is needed and the tree holds max_nodes, it is compacted: the rarest
 * nodes, ordered by (total, newest first) so the set removed is always whole subtrees, are removed
 * until about three quarters of the cap remain; each removed subtree's counts move to the "[other]"
 * child of its parent (the removed node itself becomes that "[other]" node when there is none).
 * Hot paths keep their nodes and ids change (see stacktree_folds). Should compaction free too
 * little (only single leaves were rare), new paths are instead routed into the "[other]" child of
 * the deepest existing node until enough samples have arrived to make another compaction worth
 * it. Those "[other]" nodes may exceed the cap: the tree never holds more than max_nodes +
 * max_nodes / 8 + 1 nodes (the +1 is the root's "[other]", always allowed), whatever the input,
 * except for nodes added through stacktree_add_node, which obeys no cap.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/stacktree.h"
#include "ringside/model/timeline.h"
#include "ringside/util/xalloc.h"

#define STACKTREE_HASH_BITS 10u
#define STACKTREE_HASH_MIN  (1u << STACKTREE_HASH_BITS)
#define STACKTREE_LOG_MIN   1024u
/* Dirty leaves waiting to pass their pending weight up: a bounded list, settled when full. */
#define STACKTREE_DIRTY_MAX 1024u

/* One window entry: weight samples whose leaf was leaf, at time. */
struct stacktree_sample {
	uint32_t leaf;
	uint64_t weight;
	uint64_t time;
};

enum stacktree_state {
	STACKTREE_KEPT,
	STACKTREE_CONVERTED, /* kept, turned into its parent's "[other]"; its subtree folded in */
	STACKTREE_REMOVED,
};

/*
 * Leaves whose pending weight has not reached their ancestors' totals yet. Kept apart from the
 * tree so that readers, which take the tree const, can settle it.
 */
struct stacktree_dirty {
	size_t n;
	uint32_t ids[STACKTREE_DIRTY_MAX];
};

struct stacktree {
	struct stacktree_node *nodes;
	struct stacktree_win *win; /* per node (cap entries); NULL without a window */
	uint32_t *pending; /* per node (cap entries): weight not yet in its ancestors' totals */
	struct stacktree_dirty *dirty;
	size_t n, cap;
	size_t max_nodes, hard_max;
	uint32_t *hash; /* node ids by hash of (parent, frame); STACKTREE_NONE when free */
	size_t hash_cap;
	unsigned hash_shift; /* 64 - log2(hash_cap) */
	uint32_t root_frame, other_frame;

	uint64_t window_ns, quantum_ns;
	struct stacktree_sample *log; /* ring of log_cap (a power of two) entries */
	size_t log_head, log_count, log_cap;

	/* The previous path: path_frames[i] led from path_ids[i] to path_ids[i + 1]. */
	uint32_t *path_ids;
	uint32_t *path_frames;
	size_t path_cap, path_valid;

	/* Each node's counts at the last stacktree_checkpoint, moved and merged as the node is;
	 * NULL until the first checkpoint. */
	struct stacktree_base {
		uint64_t self, total;
	} * base;

	struct timeline *tl; /* the time index, or NULL */

	uint64_t folds;
	uint64_t gen; /* one more for every change of a count or a node */
	size_t last_freed;
	uint64_t inserts_since_compact;
};

static inline uint64_t
stacktree_hash(uint32_t parent, uint32_t frame)
{
	/*
	 * Lookups along a path are a chain, each parent the previous result: keep the chain to one
	 * multiply (frame's is computed ahead). The slot comes from the top bits.
	 */
	return (uint64_t)parent * 0x9e3779b97f4a7c15ull ^ (uint64_t)frame * 0xc2b2ae3d27d4eb4full;
}

/* The child of parent for frame, or STACKTREE_NONE with *slot set to the free slot for it. */
static inline uint32_t
stacktree_lookup(const struct stacktree *t, uint32_t parent, uint32_t frame, size_t *slot)
{
	uint64_t h = stacktree_hash(parent, frame);
	size_t mask = t->hash_cap - 1, i = (size_t)(h >> t->hash_shift);
	uint32_t id;

	while ((id = t->hash[i]) != STACKTREE_NONE) {
		if (t->nodes[id].parent == parent && t->nodes[id].frame == frame)
			return id;
		i = (i + 1) & mask;
	}
	*slot = i;
	return STACKTREE_NONE;
}

/* Refill the hash from the nodes (every node but the root). */
static void
stacktree_rehash(struct stacktree *t)
{
	size_t mask = t->hash_cap - 1;

	memset(t->hash, 0xff, t->hash_cap * sizeof(*t->hash));
	for (uint32_t id = 1; id < t->n; id++) {
		uint64_t h = stacktree_hash(t->nodes[id].parent, t->nodes[id].frame);
		size_t i = (size_t)(h >> t->hash_shift);

		while (t->hash[i] != STACKTREE_NONE)
			i = (i + 1) & mask;
		t->hash[i] = id;
	}
}

/* A new child of parent for frame, stored in the free hash slot found by stacktree_lookup. */
static uint32_t
stacktree_create(struct stacktree *t, uint32_t parent, uint32_t frame, size_t slot)
{
	struct stacktree_node *node;
	uint32_t id;

	if (t->n == t->cap) {
		size_t cap = t->cap * 2;

		/* Stop doubling at the hard limit: a capped tree must not reserve twice that. */
		if (t->n < t->hard_max && cap > t->hard_max)
			cap = t->hard_max;
		t->nodes = xreallocarray(t->nodes, cap, sizeof(*t->nodes));
		if (t->win)
			t->win = xreallocarray(t->win, cap, sizeof(*t->win));
		t->pending = xreallocarray(t->pending, cap, sizeof(*t->pending));
		if (t->base)
			t->base = xreallocarray(t->base, cap, sizeof(*t->base));
		t->cap = cap;
	}
	id = (uint32_t)t->n++;
	t->gen++;
	node = &t->nodes[id];
	memset(node, 0, sizeof(*node));
	t->pending[id] = 0;
	if (t->win)
		t->win[id] = (struct stacktree_win){ 0, 0 };
	if (t->base)
		t->base[id] = (struct stacktree_base){ 0, 0 };
	node->frame = frame;
	node->parent = parent;
	node->first_child = STACKTREE_NONE;
	node->next_sibling = t->nodes[parent].first_child;
	t->nodes[parent].first_child = id;
	t->hash[slot] = id;

	/* Keep the load at most three quarters. */
	if (t->n * 4 > t->hash_cap * 3) {
		t->hash_cap *= 2;
		t->hash_shift--;
		free(t->hash);
		t->hash = xmalloc(t->hash_cap * sizeof(*t->hash));
		stacktree_rehash(t);
	}
	return id;
}

struct stacktree *
stacktree_new(uint32_t root_frame, uint32_t other_frame, size_t max_nodes, uint64_t window_ns)
{
	struct stacktree *t = xcalloc(1, sizeof(*t));

	if (max_nodes == 0)
		max_nodes = STACKTREE_DEFAULT_MAX_NODES;
	if (max_nodes > UINT32_MAX / 2)
		max_nodes = UINT32_MAX / 2;
	t->max_nodes = max_nodes;
	t->hard_max = max_nodes + max_nodes / 8 + 1;
	t->cap = t->hard_max < 64 ? t->hard_max : 64;
	t->nodes = xcalloc(t->cap, sizeof(*t->nodes));
	if (window_ns)
		t->win = xcalloc(t->cap, sizeof(*t->win));
	t->pending = xcalloc(t->cap, sizeof(*t->pending));
	t->dirty = xcalloc(1, sizeof(*t->dirty));
	t->n = 1;
	t->nodes[0].frame = root_frame;
	t->nodes[0].parent = STACKTREE_NONE;
	t->nodes[0].first_child = STACKTREE_NONE;
	t->nodes[0].next_sibling = STACKTREE_NONE;
	t->hash_cap = STACKTREE_HASH_MIN;
	t->hash_shift = 64 - STACKTREE_HASH_BITS;
	t->hash = xmalloc(t->hash_cap * sizeof(*t->hash));
	memset(t->hash, 0xff, t->hash_cap * sizeof(*t->hash));
	t->root_frame = root_frame;
	t->other_frame = other_frame;
	t->window_ns = window_ns;
	/* Window entries of one leaf closer than this merge: expiry is off by at most 1/256. */
	t->quantum_ns = window_ns / 256;
	t->last_freed = SIZE_MAX;
	return t;
}

void
stacktree_free(struct stacktree *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->win);
	free(t->pending);
	free(t->dirty);
	free(t->base);
	free(t->hash);
	free(t->log);
	timeline_free(t->tl);
	free(t->path_ids);
	free(t->path_frames);
	free(t);
}

/* Add weight to the totals (cumulative and window) of id and every ancestor. */
static void
stacktree_propagate(const struct stacktree *t, uint32_t id, uint64_t weight)
{
	for (;;) {
		struct stacktree_node *node = &t->nodes[id];

		node->total += weight;
		if (t->win)
			t->win[id].total += weight;
		if (node->parent == STACKTREE_NONE)
			break;
		id = node->parent;
	}
}

/* Pass every dirty leaf's pending weight up to its ancestors; const for readers' sake. */
static void
stacktree_settle(const struct stacktree *t)
{
	struct stacktree_dirty *d = t->dirty;

	for (size_t i = 0; i < d->n; i++) {
		uint32_t id = d->ids[i];

		stacktree_propagate(t, id, t->pending[id]);
		t->pending[id] = 0;
	}
	d->n = 0;
}

/* A total squeezed into 32 bits, preserving order (not strictly above 2^31). */
static uint32_t
stacktree_squeeze(uint64_t x)
{
	unsigned e;

	if (x < (1ull << 31))
		return (uint32_t)x;
	e = 63 - (unsigned)__builtin_clzll(x);
	return (1u << 31) + ((e - 31) << 24) + (uint32_t)((x >> (e - 24)) & 0xffffff);
}

/*
 * The compaction order: by total, then newest first. A child has at most its parent's total and a
 * higher id, so it always comes before its parent: any prefix of the order is whole subtrees.
 */
static uint64_t
stacktree_key(const struct stacktree *t, uint32_t id)
{
	return (uint64_t)stacktree_squeeze(t->nodes[id].total) << 32 | (UINT32_MAX - id);
}

/* The k-th smallest of n distinct keys (k < n); reorders a. */
static uint64_t
stacktree_select(uint64_t *a, size_t n, size_t k)
{
	ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;

	while (lo < hi) {
		ptrdiff_t mid = lo + (hi - lo) / 2, i = lo, j = hi;
		uint64_t x = a[lo], y = a[mid], z = a[hi], pivot, tmp;

		pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
		while (i <= j) {
			while (a[i] < pivot)
				i++;
			while (a[j] > pivot)
				j--;
			if (i <= j) {
				tmp = a[i];
				a[i++] = a[j];
				a[j--] = tmp;
			}
		}
		if (want <= j)
			hi = j;
		else if (want >= i)
			lo = i;
		else
			return a[want];
	}
	return a[want];
}

/* Below this key, a node is folded (all of them when the cap leaves no choice). */
static uint64_t
stacktree_threshold(const struct stacktree *t)
{
	size_t keep = t->max_nodes - t->max_nodes / 4, want, ncand = 0;
	uint64_t *keys, kth = UINT64_MAX;

	want = t->n > keep ? t->n - keep : 1;
	keys = xmalloc(t->n * sizeof(*keys));
	for (uint32_t id = 1; id < t->n; id++)
		if (t->nodes[id].frame != t->other_frame)
			keys[ncand++] = stacktree_key(t, id);
	if (want < ncand)
		kth = stacktree_select(keys, ncand, want);
	free(keys);
	return kth;
}

/* Decide each node's fate in id order (parents first) and move folded counts to "[other]". */
static void
stacktree_mark(struct stacktree *t, uint64_t kth, uint8_t *state, uint32_t *fold_to)
{
	state[0] = STACKTREE_KEPT;
	fold_to[0] = STACKTREE_NONE;
	for (uint32_t id = 1; id < t->n; id++) {
		struct stacktree_node *node = &t->nodes[id];
		uint32_t p = node->parent, o;
		size_t slot;

		fold_to[id] = STACKTREE_NONE;
		if (state[p] != STACKTREE_KEPT) {
			state[id] = STACKTREE_REMOVED;
			fold_to[id] = state[p] == STACKTREE_CONVERTED ? p : fold_to[p];
			continue;
		}
		if (node->frame == t->other_frame || stacktree_key(t, id) >= kth) {
			state[id] = STACKTREE_KEPT;
			continue;
		}
		if (node->total == 0) {
			/* Nothing to keep (a path created by an insert that then compacted). */
			state[id] = STACKTREE_REMOVED;
			continue;
		}
		/* For a kept node, fold_to is the "[other]" child made here for its children. */
		o = fold_to[p];
		if (o == STACKTREE_NONE)
			o = stacktree_lookup(t, p, t->other_frame, &slot);
		if (o == STACKTREE_NONE) {
			node->frame = t->other_frame;
			node->self = node->total;
			if (t->win)
				t->win[id].self = t->win[id].total;
			if (t->base)
				t->base[id].self = t->base[id].total;
			fold_to[p] = id;
			state[id] = STACKTREE_CONVERTED;
		} else {
			struct stacktree_node *other = &t->nodes[o];

			other->self += node->total;
			other->total += node->total;
			if (t->win) {
				t->win[o].self += t->win[id].total;
				t->win[o].total += t->win[id].total;
			}
			if (t->base) {
				t->base[o].self += t->base[id].total;
				t->base[o].total += t->base[id].total;
			}
			state[id] = STACKTREE_REMOVED;
			fold_to[id] = o;
		}
	}
}

/* Rebuild every node's first-child and next-sibling links from the parents. */
static void
stacktree_relink(struct stacktree *t)
{
	for (size_t id = 0; id < t->n; id++)
		t->nodes[id].first_child = t->nodes[id].next_sibling = STACKTREE_NONE;
	for (uint32_t id = 1; id < t->n; id++) {
		struct stacktree_node *parent = &t->nodes[t->nodes[id].parent];

		t->nodes[id].next_sibling = parent->first_child;
		parent->first_child = id;
	}
}

/* Fold the rarest subtrees into "[other]" nodes to make room; node ids change. Settled first. */
static void
stacktree_compact(struct stacktree *t)
{
	size_t n = t->n, m = 0;
	uint64_t kth = stacktree_threshold(t);
	uint8_t *state = xmalloc(n);
	uint32_t *fold_to = xmalloc(n * sizeof(*fold_to));
	uint32_t *newid = xmalloc(n * sizeof(*newid));

	stacktree_mark(t, kth, state, fold_to);
	for (size_t id = 0; id < n; id++)
		newid[id] = state[id] == STACKTREE_REMOVED ? STACKTREE_NONE : (uint32_t)m++;

	for (size_t i = 0, k = t->log_head; i < t->log_count; i++, k = (k + 1) & (t->log_cap - 1)) {
		struct stacktree_sample *s = &t->log[k];
		uint32_t to = state[s->leaf] == STACKTREE_REMOVED ? fold_to[s->leaf] : s->leaf;

		if (to == STACKTREE_NONE) {
			/* Cannot happen (a logged leaf has a total); keep the ring sane anyway. */
			s->leaf = STACKTREE_ROOT;
			s->weight = 0;
		} else {
			s->leaf = newid[to];
		}
	}

	if (t->tl) {
		for (size_t id = 0; id < n; id++)
			if (state[id] == STACKTREE_REMOVED)
				fold_to[id] = fold_to[id] == STACKTREE_NONE ? STACKTREE_NONE
									    : newid[fold_to[id]];
			else
				fold_to[id] = newid[id];
		timeline_remap(t->tl, fold_to, n);
	}

	/* Survivors keep their order, so parents still precede children. */
	for (size_t id = 0; id < n; id++) {
		if (newid[id] == STACKTREE_NONE)
			continue;
		t->nodes[newid[id]] = t->nodes[id];
		if (t->win)
			t->win[newid[id]] = t->win[id];
		if (t->base)
			t->base[newid[id]] = t->base[id];
		if (id != STACKTREE_ROOT)
			t->nodes[newid[id]].parent = newid[t->nodes[newid[id]].parent];
	}
	t->n = m;
	stacktree_relink(t);
	stacktree_rehash(t);

	t->path_valid = 0;
	t->folds++;
	t->gen++;
	t->last_freed = n - m;
	t->inserts_since_compact = 0;
	free(state);
	free(fold_to);
	free(newid);
}

/* Compact only when the last compaction freed enough or enough samples have come since. */
static bool
stacktree_may_compact(const struct stacktree *t)
{
	return t->last_freed > t->max_nodes / 16 || t->inserts_since_compact >= t->max_nodes;
}

/*
 * The sample cannot get a node below path_ids[depth]: put it in the "[other]" child of the deepest
 * node on the path that has one or may get one (the root always may). Returns the leaf's depth.
 */
static size_t
stacktree_route(struct stacktree *t, size_t depth)
{
	for (size_t d = depth;; d--) {
		uint32_t p = t->path_ids[d], o;
		size_t slot;

		o = stacktree_lookup(t, p, t->other_frame, &slot);
		if (o == STACKTREE_NONE && (t->n + 1 < t->hard_max || p == STACKTREE_ROOT))
			o = stacktree_create(t, p, t->other_frame, slot);
		if (o != STACKTREE_NONE) {
			t->path_ids[d + 1] = o;
			t->path_valid = d;
			t->folds++;
			t->gen++;
			return d + 1;
		}
	}
}

/* Append a window entry, growing the ring when full. */
static void
stacktree_log_append(struct stacktree *t, uint32_t leaf, uint64_t weight, uint64_t time_ns)
{
	size_t mask = t->log_cap - 1;

	if (t->log_count == t->log_cap) {
		size_t cap = t->log_cap ? t->log_cap * 2 : STACKTREE_LOG_MIN;
		struct stacktree_sample *log = xreallocarray(NULL, cap, sizeof(*log));

		for (size_t i = 0; i < t->log_count; i++)
			log[i] = t->log[(t->log_head + i) & mask];
		free(t->log);
		t->log = log;
		t->log_cap = cap;
		t->log_head = 0;
		mask = cap - 1;
	}
	t->log[(t->log_head + t->log_count++) & mask] =
		(struct stacktree_sample){ .leaf = leaf, .weight = weight, .time = time_ns };
}

/* Log a window entry: merged into the last one when of the same leaf and close in time. */
static inline void
stacktree_log(struct stacktree *t, uint32_t leaf, uint64_t weight, uint64_t time_ns)
{
	if (t->log_count) {
		struct stacktree_sample *last =
			&t->log[(t->log_head + t->log_count - 1) & (t->log_cap - 1)];
		uint64_t gap = time_ns > last->time ? time_ns - last->time : last->time - time_ns;

		if (last->leaf == leaf && gap <= t->quantum_ns) {
			last->weight += weight;
			if (time_ns > last->time)
				last->time = time_ns;
			return;
		}
	}
	stacktree_log_append(t, leaf, weight, time_ns);
}

uint32_t
stacktree_insert(struct stacktree *t, const uint32_t *path, size_t n, uint64_t weight,
		 uint64_t time_ns)
{
	bool compacted = false;
	size_t depth, leaf_depth;
	uint32_t *ids, leaf;

	if (n + 1 > t->path_cap) {
		size_t cap = t->path_cap ? t->path_cap : 64;

		while (cap < n + 1)
			cap *= 2;
		t->path_ids = xreallocarray(t->path_ids, cap, sizeof(*t->path_ids));
		t->path_frames = xreallocarray(t->path_frames, cap, sizeof(*t->path_frames));
		t->path_cap = cap;
	}
restart:
	ids = t->path_ids;
	ids[0] = STACKTREE_ROOT;
	for (depth = 0; depth < t->path_valid && depth < n; depth++)
		if (t->path_frames[depth] != path[depth])
			break;
	for (; depth < n; depth++) {
		size_t slot;
		uint32_t child = stacktree_lookup(t, ids[depth], path[depth], &slot);

		if (child == STACKTREE_NONE) {
			if (t->n >= t->max_nodes) {
				if (!compacted && stacktree_may_compact(t)) {
					stacktree_settle(t);
					stacktree_compact(t);
					compacted = true;
					goto restart;
				}
				leaf_depth = stacktree_route(t, depth);
				goto count;
			}
			child = stacktree_create(t, ids[depth], path[depth], slot);
		}
		ids[depth + 1] = child;
		t->path_frames[depth] = path[depth];
	}
	t->path_valid = n;
	leaf_depth = n;
count:
	for (size_t d = 0; d <= leaf_depth; d++)
		t->nodes[ids[d]].total += weight;
	leaf = ids[leaf_depth];
	t->nodes[leaf].self += weight;
	if (t->win) {
		for (size_t d = 0; d <= leaf_depth; d++)
			t->win[ids[d]].total += weight;
		t->win[leaf].self += weight;
	}
	if (t->window_ns && weight)
		stacktree_log(t, leaf, weight, time_ns);
	if (t->tl && weight)
		timeline_add(t->tl, time_ns, leaf, weight);
	t->inserts_since_compact++;
	t->gen++;
	return leaf;
}

uint32_t
stacktree_insert_leaf(struct stacktree *t, uint32_t leaf, uint64_t weight, uint64_t time_ns)
{
	uint32_t *pend;

	if (leaf >= t->n)
		return STACKTREE_NONE;
	pend = &t->pending[leaf];
	if (weight > UINT32_MAX - *pend) {
		/* Would overflow the pending count: this one goes up the path now. */
		stacktree_propagate(t, leaf, weight);
	} else {
		if (*pend == 0) {
			if (t->dirty->n == STACKTREE_DIRTY_MAX)
				stacktree_settle(t);
			t->dirty->ids[t->dirty->n++] = leaf;
		}
		*pend += (uint32_t)weight;
	}
	t->nodes[leaf].self += weight;
	if (t->win)
		t->win[leaf].self += weight;
	if (t->window_ns && weight)
		stacktree_log(t, leaf, weight, time_ns);
	if (t->tl && weight)
		timeline_add(t->tl, time_ns, leaf, weight);
	t->inserts_since_compact++;
	t->gen++;
	return leaf;
}

void
stacktree_advance(struct stacktree *t, uint64_t now_ns)
{
	size_t mask = t->log_cap - 1, head = t->log_head, expired = 0;
	uint64_t cutoff;

	if (!t->window_ns || now_ns < t->window_ns)
		return;
	stacktree_settle(t);
	cutoff = now_ns - t->window_ns;
	while (expired < t->log_count && t->log[(head + expired) & mask].time < cutoff) {
		const struct stacktree_sample *s = &t->log[(head + expired) & mask];

		t->win[s->leaf].self -= s->weight;
		expired++;
	}
	if (!expired)
		return;
	if (expired * 16 >= t->n) {
		/* Many entries: one sweep, children (higher ids) first, beats walking up. */
		for (size_t id = 0; id < t->n; id++)
			t->win[id].total = t->win[id].self;
		for (size_t id = t->n - 1; id > 0; id--)
			t->win[t->nodes[id].parent].total += t->win[id].total;
	} else {
		for (size_t i = 0; i < expired; i++) {
			const struct stacktree_sample *s = &t->log[(head + i) & mask];

			for (uint32_t id = s->leaf; id != STACKTREE_NONE; id = t->nodes[id].parent)
				t->win[id].total -= s->weight;
		}
	}
	t->log_head = (head + expired) & mask;
	t->log_count -= expired;
	t->gen++;
}

size_t
stacktree_nnodes(const struct stacktree *t)
{
	return t->n;
}

const struct stacktree_node *
stacktree_node(const struct stacktree *t, uint32_t id)
{
	if (t->dirty->n)
		stacktree_settle(t);
	return id < t->n ? &t->nodes[id] : NULL;
}

bool
stacktree_windowed(const struct stacktree *t)
{
	return t->win != NULL;
}

struct stacktree_win
stacktree_win(const struct stacktree *t, uint32_t id)
{
	if (id >= t->n)
		return (struct stacktree_win){ 0, 0 };
	if (t->dirty->n)
		stacktree_settle(t);
	if (!t->win)
		return (struct stacktree_win){ t->nodes[id].self, t->nodes[id].total };
	return t->win[id];
}

uint32_t
stacktree_child(const struct stacktree *t, uint32_t parent, uint32_t frame)
{
	size_t slot;

	if (parent >= t->n)
		return STACKTREE_NONE;
	return stacktree_lookup(t, parent, frame, &slot);
}

size_t
stacktree_node_path(const struct stacktree *t, uint32_t node, uint32_t *out, size_t max)
{
	size_t n = 0;

	/* Count the frames kept, then fill them in from the leaf's end: no reversal needed. */
	for (uint32_t id = node; id < t->n && t->nodes[id].parent != STACKTREE_NONE && n < max;
	     id = t->nodes[id].parent)
		n++;
	for (size_t k = n; k > 0; node = t->nodes[node].parent)
		out[--k] = t->nodes[node].frame;
	return n;
}

uint64_t
stacktree_samples(const struct stacktree *t)
{
	stacktree_settle(t);
	return t->nodes[STACKTREE_ROOT].total;
}

size_t
stacktree_memory(const struct stacktree *t)
{
	size_t node = sizeof(*t->nodes) + sizeof(*t->pending);

	if (t->win)
		node += sizeof(*t->win);
	if (t->base)
		node += sizeof(*t->base);
	return sizeof(*t) + sizeof(*t->dirty) + t->cap * node + t->hash_cap * sizeof(*t->hash) +
	       t->log_cap * sizeof(*t->log) + t->path_cap * 2 * sizeof(uint32_t) +
	       (t->tl ? timeline_memory(t->tl) : 0);
}

uint64_t
stacktree_folds(const struct stacktree *t)
{
	return t->folds;
}

uint64_t
stacktree_generation(const struct stacktree *t)
{
	return t->gen;
}

uint32_t
stacktree_add_node(struct stacktree *t, uint32_t parent, uint32_t frame, uint64_t self,
		   uint64_t total)
{
	size_t slot;
	uint32_t id;

	if (parent >= t->n || t->n >= UINT32_MAX - 1)
		return STACKTREE_NONE;
	stacktree_settle(t);
	if (stacktree_lookup(t, parent, frame, &slot) != STACKTREE_NONE)
		return STACKTREE_NONE;
	id = stacktree_create(t, parent, frame, slot);
	t->nodes[id].self = self;
	t->nodes[id].total = total;
	return id;
}

void
stacktree_set_root(struct stacktree *t, uint64_t self, uint64_t total)
{
	stacktree_settle(t);
	t->nodes[STACKTREE_ROOT].self = self;
	t->nodes[STACKTREE_ROOT].total = total;
	t->gen++;
}

/*
 * In place, in id order: a node's new id is never above its old one and its parent is always
 * placed before it, so every slot written has been read, and the hash (rebuilt as nodes are
 * placed) only ever holds rewritten nodes.
 */
size_t
stacktree_relabel(struct stacktree *t, stacktree_relabel_fn fn, void *ctx)
{
	size_t n = t->n, m = 1;
	uint32_t *frame = xmalloc(n * sizeof(*frame)), *newid;
	bool changed = false;

	stacktree_settle(t);
	frame[0] = t->nodes[0].frame;
	for (uint32_t id = 1; id < n; id++) {
		frame[id] = fn(ctx, &t->nodes[id], frame[t->nodes[id].parent]);
		changed |= frame[id] != t->nodes[id].frame;
	}
	if (!changed) {
		free(frame);
		return 0;
	}
	newid = xmalloc(n * sizeof(*newid));
	newid[0] = STACKTREE_ROOT;
	memset(t->hash, 0xff, t->hash_cap * sizeof(*t->hash));
	for (uint32_t id = 1; id < n; id++) {
		struct stacktree_node node = t->nodes[id];
		uint32_t parent = newid[node.parent], to;
		size_t slot;

		to = stacktree_lookup(t, parent, frame[id], &slot);
		if (to != STACKTREE_NONE) {
			t->nodes[to].self += node.self;
			t->nodes[to].total += node.total;
			if (t->win) {
				t->win[to].self += t->win[id].self;
				t->win[to].total += t->win[id].total;
			}
			if (t->base) {
				t->base[to].self += t->base[id].self;
				t->base[to].total += t->base[id].total;
			}
		} else {
			to = (uint32_t)m++;
			node.parent = parent;
			node.frame = frame[id];
			t->nodes[to] = node;
			if (t->win)
				t->win[to] = t->win[id];
			if (t->base)
				t->base[to] = t->base[id];
			t->hash[slot] = to;
		}
		newid[id] = to;
	}
	for (size_t i = 0, k = t->log_head; i < t->log_count; i++, k = (k + 1) & (t->log_cap - 1))
		t->log[k].leaf = newid[t->log[k].leaf];
	if (t->tl)
		timeline_remap(t->tl, newid, n);
	t->n = m;
	stacktree_relink(t);
	t->path_valid = 0;
	t->folds++;
	t->gen++;
	free(frame);
	free(newid);
	return n - m;
}

void
stacktree_checkpoint(struct stacktree *t)
{
	stacktree_settle(t);
	if (!t->base)
		t->base = xreallocarray(NULL, t->cap, sizeof(*t->base));
	for (size_t id = 0; id < t->n; id++)
		t->base[id] = (struct stacktree_base){ t->nodes[id].self, t->nodes[id].total };
}

uint64_t
stacktree_self_since(const struct stacktree *t, uint32_t id)
{
	uint64_t self = t->nodes[id].self, base = t->base ? t->base[id].self : 0;

	return self > base ? self - base : 0;
}

void
stacktree_walk(const struct stacktree *t, stacktree_visit_fn fn, void *ctx)
{
	uint32_t id = STACKTREE_ROOT;
	unsigned depth = 0;

	stacktree_settle(t);
	for (;;) {
		const struct stacktree_node *node = &t->nodes[id];

		if (!fn(ctx, t, id, depth))
			return;
		if (node->first_child != STACKTREE_NONE) {
			id = node->first_child;
			depth++;
			continue;
		}
		while (id != STACKTREE_ROOT && t->nodes[id].next_sibling == STACKTREE_NONE) {
			id = t->nodes[id].parent;
			depth--;
		}
		if (id == STACKTREE_ROOT)
			return;
		id = t->nodes[id].next_sibling;
	}
}

void
stacktree_set_timeline(struct stacktree *t, struct timeline *tl)
{
	timeline_free(t->tl);
	t->tl = tl;
}

struct timeline *
stacktree_timeline(const struct stacktree *t)
{
	return t->tl;
}

uint32_t
stacktree_other_frame(const struct stacktree *t)
{
	return t->other_frame;
}
