// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for model/stacktree: self and total counts of known paths, the sum invariant over a
 * random workload, the sliding window, the node cap with its "[other]" nodes (hot paths kept, every
 * sample counted), pre-order walks, stacktree_add_node, and the cost of inserting an existing
 * 30-frame path (printed as a TAP diagnostic, not asserted), insert_leaf's deferred totals against
 * whole-path inserts, and relabelling (merging the nodes of exited processes) against a tree built
 * from the relabelled paths; a node's path and the generation that moves with every change; the
 * window's counts costing no memory without a window and following the nodes through compactions.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ringside/model/frametab.h"
#include "ringside/model/stacktree.h"

#define SEC 1000000000ull

/* Frame ids used by the tests: 0 is the root's, 1 is "[other]", the rest are functions. */
enum { ROOT_FRAME, OTHER_FRAME, FIRST_FRAME };

static uint64_t
rng_next(uint64_t *s)
{
	/* xorshift64*: reproducible and good enough for workloads */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* Every node: total == self + children's totals, window total likewise, links match parents. */
static void
check_invariants(const struct stacktree *t)
{
	size_t n = stacktree_nnodes(t);

	for (uint32_t id = 0; id < n; id++) {
		const struct stacktree_node *node = stacktree_node(t, id);
		struct stacktree_win nw = stacktree_win(t, id);
		uint64_t sum = node->self, win = nw.self;
		size_t nchildren = 0;

		for (uint32_t c = node->first_child; c != STACKTREE_NONE;
		     c = stacktree_node(t, c)->next_sibling) {
			const struct stacktree_node *child = stacktree_node(t, c);

			if (child->parent != id)
				fail_msg("node %u: child %u has parent %u", id, c, child->parent);
			if (c <= id)
				fail_msg("node %u: child %u has a lower id", id, c);
			assert_int_equal(stacktree_child(t, id, child->frame), c);
			sum += child->total;
			win += stacktree_win(t, c).total;
			if (++nchildren > n)
				fail_msg("node %u: sibling loop", id);
		}
		if (sum != node->total)
			fail_msg("node %u: total %llu != self + children %llu", id,
				 (unsigned long long)node->total, (unsigned long long)sum);
		if (win != nw.total)
			fail_msg("node %u: window total %llu != window self + children %llu", id,
				 (unsigned long long)nw.total, (unsigned long long)win);
		assert_true(nw.self <= node->self);
		assert_true(nw.total <= node->total);
	}
	assert_null(stacktree_node(t, (uint32_t)n));
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->parent, STACKTREE_NONE);
}

static void
test_known_paths(void **state)
{
	(void)state;
	struct frametab *ft = frametab_new();
	uint32_t all = frametab_intern(ft, "all", NULL, NULL, 0, FRAME_ROOT, false);
	uint32_t other = frametab_intern(ft, "[other]", NULL, NULL, 0, FRAME_OTHER, false);
	uint32_t a = frametab_intern(ft, "a", "x", NULL, 0, FRAME_USER, false);
	uint32_t b = frametab_intern(ft, "b", "x", NULL, 0, FRAME_USER, false);
	uint32_t c = frametab_intern(ft, "c", "x", NULL, 0, FRAME_USER, false);
	struct stacktree *t = stacktree_new(all, other, 0, 0);
	uint32_t ab[] = { a, b }, ac[] = { a, c };

	assert_int_equal(stacktree_nnodes(t), 1);
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->frame, all);
	assert_int_equal(stacktree_samples(t), 0);

	uint32_t leaf_b = stacktree_insert(t, ab, 2, 1, 0);
	assert_int_equal(stacktree_insert(t, ab, 2, 1, 0), leaf_b);
	assert_int_equal(stacktree_insert(t, ab, 2, 1, 0), leaf_b);
	uint32_t leaf_c = stacktree_insert(t, ac, 2, 1, 0);
	assert_int_not_equal(leaf_b, leaf_c);

	uint32_t na = stacktree_child(t, STACKTREE_ROOT, a);
	assert_int_not_equal(na, STACKTREE_NONE);
	assert_int_equal(stacktree_child(t, na, b), leaf_b);
	assert_int_equal(stacktree_child(t, na, c), leaf_c);
	assert_int_equal(stacktree_child(t, STACKTREE_ROOT, b), STACKTREE_NONE);
	assert_int_equal(stacktree_child(t, 99, b), STACKTREE_NONE);

	/* A node's path is what inserted it; cut short, the frames nearest the node. */
	uint32_t out[4] = { 0 };
	assert_int_equal(stacktree_node_path(t, leaf_b, out, 4), 2);
	assert_int_equal(out[0], a);
	assert_int_equal(out[1], b);
	assert_int_equal(stacktree_node_path(t, leaf_c, out, 1), 1);
	assert_int_equal(out[0], c);
	assert_int_equal(stacktree_node_path(t, na, out, 4), 1);
	assert_int_equal(out[0], a);
	assert_int_equal(stacktree_node_path(t, STACKTREE_ROOT, out, 4), 0);
	assert_int_equal(stacktree_node_path(t, 99, out, 4), 0);
	assert_int_equal(stacktree_node_path(t, leaf_b, out, 0), 0);

	assert_int_equal(stacktree_node(t, na)->total, 4);
	assert_int_equal(stacktree_node(t, na)->self, 0);
	assert_int_equal(stacktree_node(t, leaf_b)->self, 3);
	assert_int_equal(stacktree_node(t, leaf_b)->total, 3);
	assert_int_equal(stacktree_node(t, leaf_c)->self, 1);
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->total, 4);
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->self, 0);
	assert_int_equal(stacktree_samples(t), 4);
	assert_int_equal(stacktree_nnodes(t), 4);
	/* no window: the window counts follow the cumulative ones */
	assert_int_equal(stacktree_win(t, leaf_b).self, 3);
	assert_int_equal(stacktree_win(t, STACKTREE_ROOT).total, 4);

	/* a prefix of an existing path, a weight, and the empty path (the root itself) */
	uint32_t a_only[] = { a };
	assert_int_equal(stacktree_insert(t, a_only, 1, 5, 0), na);
	assert_int_equal(stacktree_node(t, na)->self, 5);
	assert_int_equal(stacktree_node(t, na)->total, 9);
	assert_int_equal(stacktree_insert(t, NULL, 0, 2, 0), STACKTREE_ROOT);
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->self, 2);
	assert_int_equal(stacktree_samples(t), 11);
	/* the same frame at two depths is two nodes */
	uint32_t aa[] = { a, a };
	uint32_t naa = stacktree_insert(t, aa, 2, 1, 0);
	assert_int_not_equal(naa, na);
	assert_int_equal(stacktree_node(t, naa)->parent, na);
	check_invariants(t);
	assert_int_equal(stacktree_folds(t), 0);
	assert_true(stacktree_memory(t) >= stacktree_nnodes(t) * sizeof(struct stacktree_node));

	/* The generation moves with every change and stays while the tree is only read. */
	uint64_t gen = stacktree_generation(t);
	stacktree_node_path(t, leaf_b, out, 4);
	stacktree_child(t, STACKTREE_ROOT, a);
	assert_int_equal(stacktree_generation(t), gen);
	stacktree_insert(t, ab, 2, 1, 0);
	assert_true(stacktree_generation(t) != gen);
	gen = stacktree_generation(t);
	stacktree_insert_leaf(t, leaf_c, 1, 0);
	assert_true(stacktree_generation(t) != gen);
	gen = stacktree_generation(t);
	stacktree_add_node(t, leaf_c, b, 0, 0);
	assert_true(stacktree_generation(t) != gen);

	stacktree_free(t);
	stacktree_free(NULL);
	frametab_free(ft);
}

static void
random_path(uint64_t *rng, uint32_t *path, size_t *n, uint32_t nframes, size_t maxdepth)
{
	*n = 1 + rng_next(rng) % maxdepth;
	for (size_t i = 0; i < *n; i++) {
		/* a skewed choice, so some paths are hot and many are rare */
		uint64_t range = 1 + rng_next(rng) % nframes;

		path[i] = FIRST_FRAME + (uint32_t)(rng_next(rng) % range);
	}
}

static void
test_random_sum_invariant(void **state)
{
	(void)state;
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 2 * SEC);
	uint64_t rng = 42, weights = 0;
	uint32_t path[40];
	size_t n;

	for (uint64_t i = 0; i < 100000; i++) {
		uint64_t w = 1 + rng_next(&rng) % 3;

		random_path(&rng, path, &n, 12, 40);
		uint32_t leaf = stacktree_insert(t, path, n, w, i * 100000);
		/* the leaf's ancestry is the path */
		for (size_t d = n; d-- > 0;) {
			const struct stacktree_node *node = stacktree_node(t, leaf);
			assert_int_equal(node->frame, path[d]);
			leaf = node->parent;
		}
		assert_int_equal(leaf, STACKTREE_ROOT);
		weights += w;
		if (i % 1000 == 0)
			stacktree_advance(t, i * 100000);
	}
	assert_int_equal(stacktree_samples(t), weights);
	print_message("# random workload: %zu nodes, %llu folds\n", stacktree_nnodes(t),
		      (unsigned long long)stacktree_folds(t));
	check_invariants(t);
	/* 10 s of samples, a 2 s window: about a fifth remains */
	uint64_t win = stacktree_win(t, STACKTREE_ROOT).total;
	assert_true(win > weights / 6 && win < weights / 4);
	stacktree_advance(t, 100 * SEC);
	check_invariants(t);
	for (uint32_t id = 0; id < stacktree_nnodes(t); id++)
		assert_int_equal(stacktree_win(t, id).total, 0);
	stacktree_free(t);
}

static void
test_window(void **state)
{
	(void)state;
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 2 * SEC);
	uint32_t p1[] = { 10, 11 }, p2[] = { 10, 12 };

	uint32_t l1 = stacktree_insert(t, p1, 2, 1, 0);
	uint32_t l2 = stacktree_insert(t, p2, 2, 1, 5 * SEC);
	uint32_t mid = stacktree_node(t, l1)->parent;

	assert_int_equal(stacktree_win(t, mid).total, 2);
	stacktree_advance(t, 1 * SEC);
	assert_int_equal(stacktree_win(t, l1).self, 1);
	stacktree_advance(t, 6 * SEC);
	assert_int_equal(stacktree_win(t, l1).self, 0);
	assert_int_equal(stacktree_win(t, l1).total, 0);
	assert_int_equal(stacktree_node(t, l1)->self, 1);
	assert_int_equal(stacktree_win(t, l2).self, 1);
	assert_int_equal(stacktree_win(t, l2).total, 1);
	assert_int_equal(stacktree_win(t, mid).total, 1);
	assert_int_equal(stacktree_win(t, STACKTREE_ROOT).total, 1);
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->total, 2);
	/* advancing again, or backwards, changes nothing */
	stacktree_advance(t, 6 * SEC);
	stacktree_advance(t, 3 * SEC);
	assert_int_equal(stacktree_win(t, STACKTREE_ROOT).total, 1);
	stacktree_advance(t, 7 * SEC + 1);
	assert_int_equal(stacktree_win(t, STACKTREE_ROOT).total, 0);
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->total, 2);

	/* many entries on one leaf, spread over time: the log grows and expires in order */
	for (uint64_t i = 0; i < 50000; i++) {
		stacktree_insert(t, i % 2 ? p1 : p2, 2, 1, 10 * SEC + i * 100000);
		stacktree_insert(t, p1, 2, 1, 10 * SEC + i * 100000);
	}
	/* samples at 10 s .. 15 s; keep 13 s .. 15 s */
	stacktree_advance(t, 15 * SEC);
	uint64_t win = stacktree_win(t, STACKTREE_ROOT).total;
	assert_true(win >= 2 * 20000 - 200 && win <= 2 * 20000 + 200);
	check_invariants(t);
	stacktree_free(t);
}

static size_t
count_frame(const struct stacktree *t, uint32_t frame)
{
	size_t k = 0;

	for (uint32_t id = 0; id < stacktree_nnodes(t); id++)
		k += stacktree_node(t, id)->frame == frame;
	return k;
}

/* The node of path, or STACKTREE_NONE. */
static uint32_t
find_path(const struct stacktree *t, const uint32_t *path, size_t n)
{
	uint32_t id = STACKTREE_ROOT;

	for (size_t i = 0; i < n && id != STACKTREE_NONE; i++)
		id = stacktree_child(t, id, path[i]);
	return id;
}

static void
test_cap(void **state)
{
	(void)state;
	enum { CAP = 200 };
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, CAP, 1 * SEC);
	uint32_t hot[] = { 2, 3, 4, 5, 6 }, path[40];
	uint64_t rng = 7, inserted = 0;
	size_t n;

	for (uint64_t i = 0; i < 100000; i++) {
		uint64_t now = i * 10000;

		if (i % 2 == 0) {
			stacktree_insert(t, hot, 5, 1, now);
		} else {
			random_path(&rng, path, &n, 1000, 30);
			stacktree_insert(t, path, n, 1, now);
		}
		inserted++;
		assert_true(stacktree_nnodes(t) <= CAP + CAP / 8 + 1);
		if (i % 500 == 0) {
			stacktree_advance(t, now);
			check_invariants(t);
		}
	}
	assert_int_equal(stacktree_samples(t), inserted);
	assert_true(stacktree_folds(t) > 0);
	assert_true(count_frame(t, OTHER_FRAME) > 0);
	check_invariants(t);

	/* the hot path kept its node and every one of its samples */
	uint32_t leaf = find_path(t, hot, 5);
	assert_int_not_equal(leaf, STACKTREE_NONE);
	assert_int_equal(stacktree_node(t, leaf)->self, inserted / 2);
	assert_int_equal(stacktree_node(t, leaf)->frame, 6);
	assert_int_equal(stacktree_child(t, STACKTREE_ROOT, OTHER_FRAME) != STACKTREE_NONE ||
				 stacktree_child(t, find_path(t, hot, 1), OTHER_FRAME) !=
					 STACKTREE_NONE,
			 true);

	/* the window survives compaction: everything expires to zero */
	stacktree_advance(t, 1000 * SEC);
	check_invariants(t);
	for (uint32_t id = 0; id < stacktree_nnodes(t); id++)
		assert_int_equal(stacktree_win(t, id).total, 0);
	/* nodes and hash stay small; the window log holds up to a second of samples */
	assert_true(stacktree_memory(t) < 4 * 1024 * 1024);
	stacktree_free(t);
}

static void
test_cap_new_hot_path(void **state)
{
	(void)state;
	/* Past the cap, compaction (not only routing) makes room: a path that turns hot later gets
	 * its own nodes and keeps nearly all its samples. */
	enum { CAP = 300 };
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, CAP, 0);
	uint32_t late[] = { 2, 3, 50000, 50001, 50002, 50003 }, path[20];
	uint64_t rng = 11;
	size_t n;

	for (int i = 0; i < 20000; i++) {
		random_path(&rng, path, &n, 5000, 20);
		stacktree_insert(t, path, n, 1, 0);
	}
	uint64_t folds = stacktree_folds(t);
	assert_true(folds > 0);
	for (int i = 0; i < 2000; i++) {
		random_path(&rng, path, &n, 5000, 20);
		stacktree_insert(t, path, n, 1, 0);
		stacktree_insert(t, late, 6, 1, 0);
		assert_true(stacktree_nnodes(t) <= CAP + CAP / 8 + 1);
	}
	uint32_t leaf = find_path(t, late, 6);
	assert_int_not_equal(leaf, STACKTREE_NONE);
	print_message("# late hot path: %llu of 2000 samples on its own leaf, %llu folds\n",
		      (unsigned long long)stacktree_node(t, leaf)->self,
		      (unsigned long long)stacktree_folds(t));
	assert_true(stacktree_node(t, leaf)->self >= 1800);
	assert_int_equal(stacktree_samples(t), 24000);
	check_invariants(t);
	stacktree_free(t);
}

static void
test_cap_wide_leaves(void **state)
{
	(void)state;
	/* The worst case for compaction: every rare node is a lone leaf under a distinct parent. */
	enum { CAP = 64 };
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, CAP, 0);
	uint64_t inserted = 0;

	for (uint32_t round = 0; round < 50; round++) {
		for (uint32_t p = 0; p < 40; p++) {
			uint32_t path[] = { 100 + p, 1000 + round * 100 + p };

			stacktree_insert(t, path, 2, 1 + (p < 5 ? 100 : 0), 0);
			inserted += 1 + (p < 5 ? 100 : 0);
			assert_true(stacktree_nnodes(t) <= CAP + CAP / 8 + 1);
		}
	}
	/* a cap of 1 puts everything in the root's "[other]" */
	struct stacktree *t1 = stacktree_new(ROOT_FRAME, OTHER_FRAME, 1, 0);
	uint32_t p[] = { 5, 6, 7 };
	uint32_t leaf = stacktree_insert(t1, p, 3, 3, 0);
	assert_int_equal(leaf, stacktree_child(t1, STACKTREE_ROOT, OTHER_FRAME));
	assert_int_equal(stacktree_insert(t1, p, 2, 1, 0), leaf);
	assert_int_equal(stacktree_nnodes(t1), 2);
	assert_int_equal(stacktree_samples(t1), 4);
	check_invariants(t1);
	stacktree_free(t1);

	assert_int_equal(stacktree_samples(t), inserted);
	assert_true(count_frame(t, OTHER_FRAME) > 0);
	check_invariants(t);
	stacktree_free(t);
}

struct walk_ctx {
	const struct stacktree *t;
	uint8_t *seen;
	uint32_t *depth_of;
	size_t visits;
	size_t stop_after;
};

static bool
walk_check(void *ctx, const struct stacktree *t, uint32_t id, unsigned depth)
{
	struct walk_ctx *w = ctx;
	const struct stacktree_node *node = stacktree_node(t, id);

	assert_ptr_equal(t, w->t);
	assert_false(w->seen[id]);
	if (id == STACKTREE_ROOT) {
		assert_int_equal(depth, 0);
	} else {
		/* parents before children */
		assert_true(w->seen[node->parent]);
		assert_int_equal(depth, w->depth_of[node->parent] + 1);
	}
	w->seen[id] = 1;
	w->depth_of[id] = depth;
	return ++w->visits != w->stop_after;
}

static void
test_walk(void **state)
{
	(void)state;
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 0);
	uint64_t rng = 3;
	uint32_t path[200];
	size_t n;

	for (int i = 0; i < 5000; i++) {
		random_path(&rng, path, &n, 8, 20);
		stacktree_insert(t, path, n, 1, 0);
	}
	/* a very deep path: the walk must not recurse */
	for (uint32_t i = 0; i < 200; i++)
		path[i] = FIRST_FRAME + i;
	stacktree_insert(t, path, 200, 1, 0);

	size_t nn = stacktree_nnodes(t);
	struct walk_ctx w = { .t = t, .seen = calloc(nn, 1), .depth_of = calloc(nn, 4) };
	assert_non_null(w.seen);
	assert_non_null(w.depth_of);
	stacktree_walk(t, walk_check, &w);
	assert_int_equal(w.visits, nn);
	for (size_t i = 0; i < nn; i++)
		assert_true(w.seen[i]);
	uint32_t deep = find_path(t, path, 200);
	assert_int_equal(w.depth_of[deep], 200);

	/* stopping early */
	memset(w.seen, 0, nn);
	w.visits = 0;
	w.stop_after = 10;
	stacktree_walk(t, walk_check, &w);
	assert_int_equal(w.visits, 10);

	/* a lone root */
	struct stacktree *t0 = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 0);
	memset(w.seen, 0, nn);
	w.t = t0;
	w.visits = 0;
	w.stop_after = 0;
	stacktree_walk(t0, walk_check, &w);
	assert_int_equal(w.visits, 1);
	stacktree_free(t0);

	free(w.seen);
	free(w.depth_of);
	stacktree_free(t);
}

static void
test_add_node(void **state)
{
	(void)state;
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 0);

	/* the snapshot reader gives the root's counts by inserting nothing; children come here */
	uint32_t p = stacktree_add_node(t, STACKTREE_ROOT, 10, 0, 7);
	assert_int_equal(p, 1);
	uint32_t c1 = stacktree_add_node(t, p, 11, 5, 5);
	uint32_t c2 = stacktree_add_node(t, p, 12, 2, 2);
	assert_int_equal(c1, 2);
	assert_int_equal(c2, 3);
	assert_int_equal(stacktree_add_node(t, p, 11, 1, 1), STACKTREE_NONE);
	assert_int_equal(stacktree_add_node(t, 4, 11, 1, 1), STACKTREE_NONE);
	assert_int_equal(stacktree_add_node(t, STACKTREE_NONE, 11, 1, 1), STACKTREE_NONE);
	assert_int_equal(stacktree_nnodes(t), 4);
	assert_int_equal(stacktree_node(t, c1)->self, 5);
	assert_int_equal(stacktree_node(t, p)->total, 7);
	/* no window: the window counts are the cumulative ones */
	assert_int_equal(stacktree_win(t, p).total, 7);
	/* totals are not propagated; the reader sets the root's */
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->total, 0);
	assert_int_equal(stacktree_child(t, p, 12), c2);
	stacktree_set_root(t, 0, 7);
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->total, 7);
	assert_int_equal(stacktree_node(t, STACKTREE_ROOT)->self, 0);
	assert_int_equal(stacktree_samples(t), 7);
	check_invariants(t);

	/* inserting afterwards finds the added nodes */
	uint32_t path[] = { 10, 11 };
	assert_int_equal(stacktree_insert(t, path, 2, 1, 0), c1);
	assert_int_equal(stacktree_node(t, c1)->self, 6);
	assert_int_equal(stacktree_node(t, p)->total, 8);
	assert_int_equal(stacktree_samples(t), 8);
	check_invariants(t);
	stacktree_free(t);

	/* with a window, added nodes have no window samples */
	t = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, SEC);
	p = stacktree_add_node(t, STACKTREE_ROOT, 10, 3, 7);
	assert_int_equal(stacktree_node(t, p)->total, 7);
	assert_int_equal(stacktree_win(t, p).self, 0);
	assert_int_equal(stacktree_win(t, p).total, 0);
	stacktree_free(t);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Insert path at *ts, stepping time as 64 CPUs at 999 Hz would, advancing as a refresh would. */
static void
timed_insert(struct stacktree *t, const uint32_t *path, size_t n, uint64_t *ts, unsigned *k)
{
	stacktree_insert(t, path, n, 1, *ts);
	*ts += 16000;
	if ((++*k & 255) == 0)
		stacktree_advance(t, *ts);
}

static void
test_insert_cost(void **state)
{
	(void)state;
	enum { DEPTH = 30, PATHS = 64, ROUNDS = 20000 };
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 10 * SEC);
	static uint32_t paths[PATHS][DEPTH];
	uint64_t rng = 99, ts = 0;
	unsigned k = 0;
	double t0, same, mixed;

	/* 64 paths sharing a process/thread/main prefix then diverging at a random depth */
	for (int p = 0; p < PATHS; p++) {
		size_t split = 3 + rng_next(&rng) % (DEPTH - 3);
		for (size_t d = 0; d < DEPTH; d++)
			paths[p][d] =
				d < split ? FIRST_FRAME + (uint32_t)d
					  : FIRST_FRAME + 1000 + (uint32_t)(rng_next(&rng) % 50);
	}
	/* warm: more than a window's worth of samples, so the log has reached its size */
	for (int r = 0; r < ROUNDS; r++)
		for (int p = 0; p < PATHS; p++)
			timed_insert(t, paths[(p * 17 + r) % PATHS], DEPTH, &ts, &k);
	size_t warm_mem = stacktree_memory(t);

	t0 = now_s();
	for (int r = 0; r < ROUNDS * PATHS; r++)
		timed_insert(t, paths[0], DEPTH, &ts, &k);
	same = (now_s() - t0) / (ROUNDS * PATHS) * 1e9;

	uint64_t before = stacktree_samples(t);
	t0 = now_s();
	for (int r = 0; r < ROUNDS; r++)
		for (int p = 0; p < PATHS; p++)
			timed_insert(t, paths[(p * 17 + r) % PATHS], DEPTH, &ts, &k);
	mixed = (now_s() - t0) / (ROUNDS * PATHS) * 1e9;
	assert_int_equal(stacktree_samples(t), before + ROUNDS * PATHS);

	print_message("# stacktree_insert+advance, existing %d-frame path, 10 s window: %.1f ns "
		      "repeated, %.1f ns alternating among %d paths (%zu nodes, %zu bytes)\n",
		      DEPTH, same, mixed, PATHS, stacktree_nnodes(t), stacktree_memory(t));
	/* no growth once warm */
	assert_int_equal(stacktree_memory(t), warm_mem);
	check_invariants(t);
	stacktree_free(t);
}

/* Adding at a known leaf leaves exactly what inserting its whole path would, windows included. */
static void
test_insert_leaf(void **state)
{
	struct stacktree *a = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 2 * SEC);
	struct stacktree *b = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 2 * SEC);
	const uint32_t p1[] = { 10, 11, 12, 13 }, p2[] = { 10, 11, 14 };
	uint32_t leaf1, leaf2;

	(void)state;
	leaf1 = stacktree_insert(b, p1, 4, 1, 0);
	leaf2 = stacktree_insert(b, p2, 3, 1, 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(stacktree_insert_leaf(b, leaf1, 2, (uint64_t)i * SEC / 2), leaf1);
		assert_int_equal(stacktree_insert_leaf(b, leaf2, 1, (uint64_t)i * SEC / 2), leaf2);
	}
	stacktree_insert(a, p1, 4, 1, 0);
	stacktree_insert(a, p2, 3, 1, 0);
	for (int i = 0; i < 5; i++) {
		stacktree_insert(a, p1, 4, 2, (uint64_t)i * SEC / 2);
		stacktree_insert(a, p2, 3, 1, (uint64_t)i * SEC / 2);
	}
	stacktree_advance(a, 3 * SEC);
	stacktree_advance(b, 3 * SEC);
	assert_int_equal(stacktree_nnodes(a), stacktree_nnodes(b));
	for (uint32_t id = 0; id < stacktree_nnodes(a); id++) {
		const struct stacktree_node *x = stacktree_node(a, id), *y = stacktree_node(b, id);

		assert_int_equal(x->frame, y->frame);
		assert_int_equal(x->self, y->self);
		assert_int_equal(x->total, y->total);
		assert_int_equal(stacktree_win(a, id).self, stacktree_win(b, id).self);
		assert_int_equal(stacktree_win(a, id).total, stacktree_win(b, id).total);
	}
	assert_int_equal(stacktree_samples(b), 1 + 1 + 5 * 3);
	assert_int_equal(stacktree_insert_leaf(b, (uint32_t)stacktree_nnodes(b), 1, 0),
			 STACKTREE_NONE);
	stacktree_free(a);
	stacktree_free(b);
}

/* The leaf of path in t (every frame present), found without inserting. */
static uint32_t
find_leaf(const struct stacktree *t, const uint32_t *path, size_t n)
{
	uint32_t id = STACKTREE_ROOT;

	for (size_t i = 0; i < n && id != STACKTREE_NONE; i++)
		id = stacktree_child(t, id, path[i]);
	return id;
}

/*
 * insert_leaf defers ancestors' totals: more distinct leaves than its dirty list holds, a weight
 * too big to wait, reads in between, and compactions of a capped tree while weights wait must all
 * give the totals that inserting the whole paths gives.
 */
static void
test_insert_leaf_deferred(void **state)
{
	struct stacktree *a = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 0);
	struct stacktree *b = stacktree_new(ROOT_FRAME, OTHER_FRAME, 0, 0);
	struct stacktree *c = stacktree_new(ROOT_FRAME, OTHER_FRAME, 64, 0);
	uint64_t rng = 42, sum = 0;
	enum { NLEAVES = 3000 };

	(void)state;
	for (uint32_t i = 0; i < NLEAVES; i++) {
		const uint32_t path[] = { 10, 20 + i / 50, 1000 + i };

		stacktree_insert(a, path, 3, 1, 0);
		stacktree_insert(b, path, 3, 1, 0);
	}
	for (int k = 0; k < 20000; k++) {
		uint32_t i = (uint32_t)(rng_next(&rng) % NLEAVES);
		const uint32_t path[] = { 10, 20 + i / 50, 1000 + i };
		uint64_t w = k == 7777 ? 1ull << 33 : 1 + rng_next(&rng) % 3;

		stacktree_insert(a, path, 3, w, 0);
		assert_int_not_equal(stacktree_insert_leaf(b, find_leaf(b, path, 3), w, 0),
				     STACKTREE_NONE);
		if (k % 5000 == 0)
			assert_int_equal(stacktree_samples(b), stacktree_samples(a));
	}
	assert_int_equal(stacktree_nnodes(a), stacktree_nnodes(b));
	for (uint32_t id = 0; id < stacktree_nnodes(a); id++) {
		assert_int_equal(stacktree_node(a, id)->total, stacktree_node(b, id)->total);
		assert_int_equal(stacktree_win(a, id).total, stacktree_win(b, id).total);
	}
	check_invariants(b);

	/* Capped: new paths compact the tree while a hot leaf's weight waits. */
	for (int k = 0; k < 5000; k++) {
		const uint32_t hot[] = { 10, 11, 12 };
		const uint32_t cold[] = { 10, 30 + (uint32_t)(rng_next(&rng) % 200),
					  500 + (uint32_t)(rng_next(&rng) % 200) };
		uint32_t leaf = find_leaf(c, hot, 3);

		if (leaf == STACKTREE_NONE)
			stacktree_insert(c, hot, 3, 1, 0);
		else
			assert_int_equal(stacktree_insert_leaf(c, leaf, 1, 0), leaf);
		stacktree_insert(c, cold, 3, 1, 0);
		sum += 2;
	}
	assert_true(stacktree_folds(c) > 0);
	assert_int_equal(stacktree_samples(c), sum);
	check_invariants(c);
	stacktree_free(a);
	stacktree_free(b);
	stacktree_free(c);
}

/* The relabelling of test_relabel: odd "processes" (100..139) fold into 200 + p % 4, and the
 * "threads" (below 100) of a folded one into 300. */
static uint32_t
fold_frame(uint32_t frame, uint32_t parent_frame)
{
	if (parent_frame == ROOT_FRAME && frame >= 100 && frame < 140 && frame % 2)
		return 200 + frame % 4;
	if (parent_frame >= 200 && parent_frame < 204)
		return 300;
	return frame;
}

static uint32_t
relabel_fold(void *ctx, const struct stacktree_node *node, uint32_t parent_frame)
{
	(*(size_t *)ctx)++;
	return fold_frame(node->frame, parent_frame);
}

static uint32_t
relabel_keep(void *ctx, const struct stacktree_node *node, uint32_t parent_frame)
{
	(void)ctx;
	(void)parent_frame;
	return node->frame;
}

/* Every node of want is in got with the same counts, and they have as many nodes. */
static void
check_same_tree(const struct stacktree *got, const struct stacktree *want)
{
	assert_int_equal(stacktree_nnodes(got), stacktree_nnodes(want));
	for (uint32_t id = 0; id < stacktree_nnodes(want); id++) {
		uint32_t path[64], n = 0, g = STACKTREE_ROOT;
		const struct stacktree_node *w = stacktree_node(want, id), *x;

		for (uint32_t a = id; a != STACKTREE_ROOT; a = stacktree_node(want, a)->parent)
			path[n++] = stacktree_node(want, a)->frame;
		while (n > 0 && g != STACKTREE_NONE)
			g = stacktree_child(got, g, path[--n]);
		if (g == STACKTREE_NONE)
			fail_msg("node %u of the expected tree is missing", id);
		x = stacktree_node(got, g);
		assert_int_equal(x->self, w->self);
		assert_int_equal(x->total, w->total);
		assert_int_equal(stacktree_win(got, g).self, stacktree_win(want, id).self);
		assert_int_equal(stacktree_win(got, g).total, stacktree_win(want, id).total);
	}
}

static void
test_relabel(void **state)
{
	(void)state;
	/* A cap above the ~65K nodes made here: the two trees are compared node for node, and a
	 * compaction would fold each differently. */
	struct stacktree *a = stacktree_new(ROOT_FRAME, OTHER_FRAME, 1u << 17, 2 * SEC);
	struct stacktree *b = stacktree_new(ROOT_FRAME, OTHER_FRAME, 1u << 17, 2 * SEC);
	uint64_t rng = 7, folds;
	uint32_t path[24], mapped[24];
	size_t n, calls = 0, before, removed;

	for (uint64_t i = 0; i < 60000; i++) {
		uint64_t w = 1 + rng_next(&rng) % 3, time = i * 100000;

		random_path(&rng, path + 2, &n, 6, 8);
		path[0] = 100 + (uint32_t)(rng_next(&rng) % 40);
		path[1] = 2 + (uint32_t)(rng_next(&rng) % 3);
		n += 2;
		mapped[0] = fold_frame(path[0], ROOT_FRAME);
		mapped[1] = fold_frame(path[1], mapped[0]);
		memcpy(mapped + 2, path + 2, (n - 2) * sizeof(*path));
		stacktree_insert(a, path, n, w, time);
		stacktree_insert(b, mapped, n, w, time);
		if (i % 1000 == 0) {
			stacktree_advance(a, time);
			stacktree_advance(b, time);
		}
	}
	/* keeping every frame changes nothing, not even the node ids */
	folds = stacktree_folds(a);
	before = stacktree_nnodes(a);
	assert_int_equal(stacktree_relabel(a, relabel_keep, NULL), 0);
	assert_int_equal(stacktree_folds(a), folds);
	assert_int_equal(stacktree_nnodes(a), before);

	removed = stacktree_relabel(a, relabel_fold, &calls);
	assert_int_equal(calls, before - 1);
	assert_int_equal(removed, before - stacktree_nnodes(a));
	print_message("# relabel: %zu nodes, %zu merged away\n", before, removed);
	assert_true(removed > before / 20);
	assert_int_equal(stacktree_folds(a), folds + 1);
	check_invariants(a);
	check_same_tree(a, b);

	/* the window log followed the merged leaves: expiring the rest agrees too */
	stacktree_advance(a, 6 * SEC + SEC / 2);
	stacktree_advance(b, 6 * SEC + SEC / 2);
	check_invariants(a);
	check_same_tree(a, b);
	/* and the tree goes on growing normally */
	uint32_t p[] = { 203, 300, 5, 6 }, q[] = { 101, 2, 5, 6 };
	stacktree_insert(a, p, 4, 1, 7 * SEC);
	stacktree_insert(b, p, 4, 1, 7 * SEC);
	stacktree_insert(a, q, 4, 1, 7 * SEC);
	stacktree_insert(b, q, 4, 1, 7 * SEC);
	check_invariants(a);
	check_same_tree(a, b);
	stacktree_free(a);
	stacktree_free(b);
}

/* The samples since a checkpoint, summed over all nodes. */
static uint64_t
sum_since(const struct stacktree *t)
{
	uint64_t sum = 0;

	for (uint32_t id = 0; id < stacktree_nnodes(t); id++)
		sum += stacktree_self_since(t, id);
	return sum;
}

/*
 * A checkpoint: what came since is counted exactly, through compactions (a capped tree) and a
 * relabel that merges nodes, per node for a hot path and in sum for all.
 */
static void
test_checkpoint(void **state)
{
	(void)state;
	enum { CAP = 300 };
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, CAP, 0);
	uint32_t hot[] = { 101, 2, 5, 6 }, path[24];
	uint64_t rng = 11, folds, since = 0, hot_since[2] = { 0, 0 };
	size_t n, calls = 0;

	for (uint64_t i = 0; i < 20000; i++) {
		random_path(&rng, path + 2, &n, 6, 8);
		path[0] = 100 + (uint32_t)(rng_next(&rng) % 40);
		path[1] = 2 + (uint32_t)(rng_next(&rng) % 3);
		stacktree_insert(t, i % 3 ? path : hot, i % 3 ? n + 2 : 4, 1, 0);
	}
	/* before any checkpoint: everything */
	assert_int_equal(sum_since(t), 20000);
	stacktree_checkpoint(t);
	assert_int_equal(sum_since(t), 0);
	folds = stacktree_folds(t);
	for (uint64_t i = 0; i < 30000; i++) {
		uint64_t w = 1 + i % 2;

		random_path(&rng, path + 2, &n, 6, 8);
		path[0] = 100 + (uint32_t)(rng_next(&rng) % 40);
		path[1] = 2 + (uint32_t)(rng_next(&rng) % 3);
		stacktree_insert(t, i % 3 ? path : hot, i % 3 ? n + 2 : 4, w, 0);
		since += w;
		hot_since[i > 15000] += i % 3 ? 0 : w;
		if (i == 15000)
			stacktree_relabel(t, relabel_fold, &calls);
		assert_true(stacktree_nnodes(t) <= CAP + CAP / 8 + 1);
	}
	assert_true(stacktree_folds(t) > folds + 1);
	check_invariants(t);
	assert_int_equal(sum_since(t), since);
	/* the hot path kept its node: folded by the relabel (process 101 into 201, thread 2 into
	 * 300) with what came before it, and made anew by what came after */
	uint32_t folded[] = { 201, 300, 5, 6 }, leaf = find_path(t, folded, 4);
	assert_int_not_equal(leaf, STACKTREE_NONE);
	assert_int_equal(stacktree_self_since(t, leaf), hot_since[0]);
	leaf = find_path(t, hot, 4);
	assert_int_not_equal(leaf, STACKTREE_NONE);
	assert_int_equal(stacktree_self_since(t, leaf), hot_since[1]);
	stacktree_checkpoint(t);
	assert_int_equal(sum_since(t), 0);
	stacktree_free(t);
}

/*
 * A tree of max_nodes' cap (and window_ns) holding the same 1125 added nodes: 45 "processes" of
 * 24 children each. Nothing is inserted, so there is no window log or path cache to tell apart.
 */
static struct stacktree *
shaped_tree(size_t max_nodes, uint64_t window_ns)
{
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, max_nodes, window_ns);

	for (uint32_t p = 0; p < 45; p++) {
		uint32_t id = stacktree_add_node(t, STACKTREE_ROOT, 100 + p, 0, 24);

		for (uint32_t c = 0; c < 24; c++)
			stacktree_add_node(t, id, 1000 + c, 1, 1);
	}
	assert_int_equal(stacktree_nnodes(t), 1126);
	return t;
}

/*
 * The window's counts cost nothing without a window: a node is 32 bytes, and the node arrays
 * (node, pending count) take 36 bytes a slot, 52 with a window's counts, 16 more each once
 * checkpointed. A cap of 1000 stops the arrays' growth at its hard limit, 1000 + 125 + 1 = 1126
 * slots; a cap of 2000 lets them double to 2048: the same nodes, 922 slots more.
 */
static void
test_window_memory(void **state)
{
	struct stacktree *a = shaped_tree(1000, 0), *b = shaped_tree(2000, 0);
	struct stacktree *wa = shaped_tree(1000, SEC), *wb = shaped_tree(2000, SEC);
	size_t plain = sizeof(struct stacktree_node) + sizeof(uint32_t);
	size_t mem;

	(void)state;
	assert_int_equal(sizeof(struct stacktree_node), 32);
	assert_false(stacktree_windowed(a));
	assert_true(stacktree_windowed(wa));
	assert_int_equal(stacktree_memory(b) - stacktree_memory(a), 922 * plain);
	assert_int_equal(stacktree_memory(wb) - stacktree_memory(wa),
			 922 * (plain + sizeof(struct stacktree_win)));
	assert_int_equal(stacktree_memory(wa) - stacktree_memory(a),
			 1126 * sizeof(struct stacktree_win));
	print_message("# %zu B a node slot without a window, %zu B with one\n", plain,
		      plain + sizeof(struct stacktree_win));
	/* a checkpoint's counts are the tree's memory too */
	mem = stacktree_memory(a);
	stacktree_checkpoint(a);
	assert_int_equal(stacktree_memory(a) - mem, 1126 * 2 * sizeof(uint64_t));
	/* past the last node, no window counts */
	assert_int_equal(stacktree_win(wa, 1126).total, 0);
	assert_int_equal(stacktree_win(a, 1126).self, 0);
	stacktree_free(a);
	stacktree_free(b);
	stacktree_free(wa);
	stacktree_free(wb);
}

/*
 * The window's counts move with the nodes through compactions: old samples (at 0 s) and new ones
 * (at 10 s, a hot path's and random ones) compact a capped tree again and again; once the old
 * ones leave a 1 s window, the root's window total is the new samples, the hot leaf's window
 * self its new samples, and every node's window counts still add up (check_invariants).
 */
static void
test_window_compaction(void **state)
{
	enum { CAP = 200 };
	struct stacktree *t = stacktree_new(ROOT_FRAME, OTHER_FRAME, CAP, 1 * SEC);
	const uint32_t hot[] = { 2, 3, 4, 5 };
	uint32_t path[40], leaf;
	uint64_t rng = 11, fresh = 0, hot_fresh = 0, folds;
	size_t n;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		random_path(&rng, path, &n, 1000, 20);
		stacktree_insert(t, path, n, 1, 0);
		if (i % 3 == 0)
			stacktree_insert(t, hot, 4, 1, 0);
	}
	folds = stacktree_folds(t);
	assert_true(folds > 0);
	for (int i = 0; i < 20000; i++) {
		uint64_t now = 10 * SEC + (uint64_t)i * 1000;

		random_path(&rng, path, &n, 1000, 20);
		stacktree_insert(t, path, n, 2, now);
		fresh += 2;
		if (i % 3 == 0) {
			stacktree_insert(t, hot, 4, 1, now);
			fresh++;
			hot_fresh++;
		}
		if (i == 10000) {
			/* old and new both in the window: the window is everything */
			check_invariants(t);
			assert_int_equal(stacktree_win(t, STACKTREE_ROOT).total,
					 stacktree_samples(t));
		}
	}
	assert_true(stacktree_folds(t) > folds + 1);
	stacktree_advance(t, 10 * SEC + SEC / 2);
	check_invariants(t);
	assert_int_equal(stacktree_win(t, STACKTREE_ROOT).total, fresh);
	leaf = find_path(t, hot, 4);
	assert_int_not_equal(leaf, STACKTREE_NONE);
	assert_int_equal(stacktree_win(t, leaf).self, hot_fresh);
	assert_int_equal(stacktree_win(t, leaf).total, hot_fresh);
	assert_true(stacktree_node(t, leaf)->self > hot_fresh);
	stacktree_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_paths),
		cmocka_unit_test(test_checkpoint),
		cmocka_unit_test(test_random_sum_invariant),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_cap),
		cmocka_unit_test(test_cap_new_hot_path),
		cmocka_unit_test(test_cap_wide_leaves),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_add_node),
		cmocka_unit_test(test_insert_cost),
		cmocka_unit_test(test_insert_leaf),
		cmocka_unit_test(test_insert_leaf_deferred),
		cmocka_unit_test(test_relabel),
		cmocka_unit_test(test_window_memory),
		cmocka_unit_test(test_window_compaction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
