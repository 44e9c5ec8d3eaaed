/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The diff of two profiles (A, the baseline, and B): one tree holding both runs' call paths, with
 * frames matched across runs by what they are (function name, module and kind; processes and
 * threads by command name), never by address or PID; each node carries A's and B's counts. On top
 * of it: the functions ranked by their change (self and total), the counters and ratios side by
 * side, and the scheduler's per-task figures side by side. Curses-free: the terminal view, the
 * JSON, folded and HTML writers all render this.
 *
 * Changes are shares by default (a node's samples over its run's samples, so runs of different
 * lengths compare), or sample counts with DIFF_ABSOLUTE.
 */
#ifndef RINGSIDE_VIEW_DIFF_H
#define RINGSIDE_VIEW_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/frametab.h"
#include "ringside/model/profile.h"

#define DIFF_NONE UINT32_MAX

enum diff_flags {
	DIFF_MERGE_THREADS = 1 << 0, /* no thread level: a process's threads are one */
	DIFF_ABSOLUTE = 1 << 1,	     /* changes in samples, not in shares */
	/*
	 * B is a later state of the same recording as A (the live screen's baseline): B's samples,
	 * counters and task figures are what came since A (B's less A's, rates over the time
	 * since); wake-up p99s stay B's own.
	 */
	DIFF_SINCE_A = 1 << 2,
};

struct diff_node {
	uint32_t frame; /* frame id in diff->frames (line and file are 0) */
	uint32_t parent, first_child, next_sibling; /* DIFF_NONE when none */
	uint64_t a_self, a_total, b_self, b_total;
};

/* A function's counts over the whole tree (total: once per path, however deep it recurses). */
struct diff_func {
	uint32_t frame;
	uint64_t a_self, a_total, b_self, b_total;
	double self_delta, total_delta; /* points of share (or samples when absolute) */
};

/* An event's totals in both runs; a side that did not count it has have_a / have_b false. */
struct diff_counter {
	char *name; /* the event or ratio name (owned) */
	bool have_a, have_b;
	double a_value, b_value; /* scaled for multiplexing */
	double a_rate, b_rate;	 /* per second of the run */
	double a_share, b_share; /* the share of time counted (0..1) */
	bool is_ratio;		 /* a user ratio (value = A/B of its events) */
};

/* A task (by command name: its threads and processes together) in both runs. */
struct diff_task {
	char comm[16];
	bool have_a, have_b;
	uint64_t a_runtime_ns, b_runtime_ns;
	uint64_t a_switches, b_switches;
	uint64_t a_migrations, b_migrations;
	uint64_t a_p99_ns, b_p99_ns; /* the largest p99 wake-up latency of its tasks */
};

struct diff {
	unsigned flags;
	struct frametab *frames;
	struct diff_node *nodes; /* nodes[0] is the root */
	size_t nnodes, cap;
	uint64_t a_samples, b_samples; /* the roots' totals */
	uint64_t a_lost, b_lost;
	bool a_stacks, b_stacks; /* the run had a stack tree */
	struct diff_func *funcs; /* sorted by |total_delta|, largest first */
	size_t nfuncs;
	struct diff_counter *counters;
	size_t ncounters;
	struct diff_task *tasks; /* sorted by |runtime change|, largest first */
	size_t ntasks;
	char *mismatch; /* "A sampled X, B sampled Y ..." when the runs sampled differently, or NULL
			 */
	/* the hash of (parent, frame) -> node, the key kept in the slot (one cache line a probe) */
	struct diff_slot {
		uint32_t parent, frame, id;
	} * hash;
	size_t hash_cap;
};

/* The diff of a against b (both borrowed, not kept). flags: a set of diff_flags. */
struct diff *diff_new(const struct profile *a, const struct profile *b, unsigned flags);
/*
 * diff_new in two steps, so that A's tree can be poured in while B is still being read: a diff
 * holding A's stacks only, then diff_finish with both profiles (a the same) for the rest.
 */
struct diff *diff_new_a(const struct profile *a, unsigned flags);
/* The rest of diff_new over d from diff_new_a(a, ...); returns d. */
struct diff *diff_finish(struct diff *d, const struct profile *a, const struct profile *b);
/* Free d; NULL is fine. */
void diff_free(struct diff *d);

/* A node's share change: B's share minus A's in points (or B - A samples when absolute). */
double diff_node_delta(const struct diff *d, const struct diff_node *n);
/* A's and B's total share of a node in percent (0 for a run without samples). */
double diff_share_a(const struct diff *d, uint64_t a_count);
double diff_share_b(const struct diff *d, uint64_t b_count);
/* The change of a pair of counts as diff_node_delta computes it. */
double diff_delta(const struct diff *d, uint64_t a_count, uint64_t b_count);
/* The child of parent with frame, or DIFF_NONE. */
uint32_t diff_child(const struct diff *d, uint32_t parent, uint32_t frame);
/* Sort the functions by self change (by_self) or by total change, largest magnitude first. */
void diff_sort_funcs(struct diff *d, bool by_self);

/* Switch between changes in shares and in samples (DIFF_ABSOLUTE); the functions are re-sorted by
 * total. */
void diff_set_absolute(struct diff *d, bool absolute);

/* Visit every node depth-first, parents first, children in insertion order. */
typedef void (*diff_visit_fn)(void *ctx, const struct diff *d, uint32_t id, unsigned depth);
void diff_walk(const struct diff *d, diff_visit_fn fn, void *ctx);

#endif
