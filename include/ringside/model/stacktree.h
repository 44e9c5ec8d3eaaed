/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stack tree: every sampled call path, root first, merged into a tree whose nodes carry self
 * and total sample counts, cumulative and, in a tree made with a window, for a sliding "last N
 * seconds" window too (kept apart from the nodes: a tree without one pays nothing for it). The
 * first levels under the root are the process (FRAME_PROCESS) and the thread (FRAME_THREAD), so
 * views by process and by thread are subtrees. Memory is bounded: past the node cap, the rarest
 * paths are folded into an "[other]" child of their parent (FRAME_OTHER), keeping every count.
 *
 * Insertion does not allocate per sample once the tree has grown (arrays grow geometrically), and
 * finds children through a hash of (parent, frame).
 */
#ifndef RINGSIDE_MODEL_STACKTREE_H
#define RINGSIDE_MODEL_STACKTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/frametab.h"

#define STACKTREE_ROOT 0u
#define STACKTREE_NONE UINT32_MAX
/*
 * Default node cap: 64K nodes; compaction keeps the tree within max_nodes + max_nodes / 8 + 1
 * nodes of 36 bytes (node and pending count; 52 with a window's counts) plus a 512 KiB hash: under
 * 4.5 MiB (3.1 MiB without a window), the tree's share of the 32 MB target for a long system-wide
 * recording (the time index takes 1.5 MiB, the scheduler's exact runs 3 MiB: see timeline.h and
 * schedmap.h). A snapshot with more nodes still loads.
 */
#define STACKTREE_DEFAULT_MAX_NODES (1u << 16)

struct stacktree_node {
	uint32_t frame;	       /* frame id in the frametab */
	uint32_t parent;       /* STACKTREE_NONE for the root */
	uint32_t first_child;  /* STACKTREE_NONE when a leaf */
	uint32_t next_sibling; /* STACKTREE_NONE when last */
	uint64_t self;	       /* samples whose leaf is this node */
	uint64_t total;	       /* samples through this node (self + children's totals) */
};

/* A node's counts within the window (stacktree_win). */
struct stacktree_win {
	uint64_t self, total;
};

struct stacktree;

/*
 * A tree with only the root (whose frame is root_frame, usually a FRAME_ROOT frame "all"),
 * at most max_nodes nodes (0 for the default) and a window of window_ns (0: no window).
 * other_frame is the frame id used for "[other]" nodes.
 */
struct stacktree *stacktree_new(uint32_t root_frame, uint32_t other_frame, size_t max_nodes,
				uint64_t window_ns);
/* Free the tree; NULL is fine. */
void stacktree_free(struct stacktree *t);

/*
 * Add weight samples along path (frame ids, root's child first: process, thread, outermost
 * function ... leaf) at time_ns (monotonic). Returns the leaf node's id.
 */
uint32_t stacktree_insert(struct stacktree *t, const uint32_t *path, size_t n, uint64_t weight,
			  uint64_t time_ns);
/*
 * Add weight samples at an existing node, as stacktree_insert of its path would, without walking
 * the path down (callers that cache a callchain's leaf). The id must be current: compaction
 * renumbers nodes (see stacktree_folds). Returns leaf, or STACKTREE_NONE for an unknown id.
 * The ancestors' totals are added when the tree is next read (any function here that returns
 * counts or walks the tree settles them first), once per leaf rather than once per sample.
 */
uint32_t stacktree_insert_leaf(struct stacktree *t, uint32_t leaf, uint64_t weight,
			       uint64_t time_ns);
/* Expire window samples older than now_ns - window; call at least once per refresh. */
void stacktree_advance(struct stacktree *t, uint64_t now_ns);

/*
 * Node access; ids are dense from 0 (the root). A compaction (when the cap is reached) renumbers
 * nodes: a caller that keeps ids across inserts checks stacktree_folds() for a change.
 */
size_t stacktree_nnodes(const struct stacktree *t);
const struct stacktree_node *stacktree_node(const struct stacktree *t, uint32_t id);
/* Was the tree made with a window (window_ns != 0)? Only then does it keep window counts. */
bool stacktree_windowed(const struct stacktree *t);
/*
 * Node id's counts within the window (zero past the last node). A tree without a window keeps no
 * window counts: its window is the whole recording, and these are the cumulative counts.
 */
struct stacktree_win stacktree_win(const struct stacktree *t, uint32_t id);
/* The child of parent for frame, or STACKTREE_NONE. */
uint32_t stacktree_child(const struct stacktree *t, uint32_t parent, uint32_t frame);
/*
 * The frames of node's path into out, root's child first (as stacktree_insert takes them), the
 * root left out; a path deeper than max keeps its max frames nearest node. Returns how many (0
 * for the root or an unknown id).
 */
size_t stacktree_node_path(const struct stacktree *t, uint32_t node, uint32_t *out, size_t max);
/* Total samples ever inserted (the root's total). */
uint64_t stacktree_samples(const struct stacktree *t);
/* Bytes used, for memory accounting. */
size_t stacktree_memory(const struct stacktree *t);
/* Fold events: one per compaction plus one per sample routed into an "[other]" node. */
uint64_t stacktree_folds(const struct stacktree *t);
/*
 * A number that changes whenever a count or a node does (inserts, window expiry, compactions,
 * relabels, the snapshot reader's nodes): a view that computed something from the tree at one
 * generation can keep it while the generation stays.
 */
uint64_t stacktree_generation(const struct stacktree *t);

/*
 * Add a node directly (used by the snapshot reader to rebuild a tree): child of parent for frame
 * with the given counts (window counts zero in a tree with a window). Returns its id, or
 * STACKTREE_NONE when parent is not a node or already has a child for frame. Totals are taken as
 * given, not propagated.
 */
uint32_t stacktree_add_node(struct stacktree *t, uint32_t parent, uint32_t frame, uint64_t self,
			    uint64_t total);

/* Set the root's counts (the snapshot reader; the root is created with zero counts). */
void stacktree_set_root(struct stacktree *t, uint64_t self, uint64_t total);

/*
 * Relabel nodes, merging those that become alike (how exited processes fold into one node per
 * name). fn is called once for every node but the root, parents before children, with the node
 * (read only that node: others may already be rewritten) and the frame its parent now has; it
 * returns the frame the node is to have (its own to keep it). Children of one parent that end up
 * with the same frame merge into one node: counts (cumulative and window) are added and their
 * subtrees merge the same way; the window log follows. When anything changed, node ids change and
 * stacktree_folds() counts one more fold. Returns the number of nodes removed by merging.
 */
typedef uint32_t (*stacktree_relabel_fn)(void *ctx, const struct stacktree_node *node,
					 uint32_t parent_frame);
size_t stacktree_relabel(struct stacktree *t, stacktree_relabel_fn fn, void *ctx);

/*
 * Remember every node's counts now; the counts it keeps are moved and merged with the node by
 * compactions and relabels, so stacktree_self_since tells what came since, whatever ids changed.
 * Costs 16 bytes a node from the first call on.
 */
void stacktree_checkpoint(struct stacktree *t);
/* Samples whose leaf is node id since the last stacktree_checkpoint (all of them before one). */
uint64_t stacktree_self_since(const struct stacktree *t, uint32_t id);

/* Visit every node in depth-first pre-order (parents before children); fn returns false to stop. */
typedef bool (*stacktree_visit_fn)(void *ctx, const struct stacktree *t, uint32_t id,
				   unsigned depth);
void stacktree_walk(const struct stacktree *t, stacktree_visit_fn fn, void *ctx);

/*
 * Give the tree a time index (model/timeline), owned and freed by the tree from now on (NULL to
 * drop it): every insert is logged there, and compactions and relabels keep its node ids current.
 */
struct timeline;
void stacktree_set_timeline(struct stacktree *t, struct timeline *tl);
/* The tree's time index, or NULL. */
struct timeline *stacktree_timeline(const struct stacktree *t);
/* The frame id of "[other]" nodes, as given to stacktree_new. */
uint32_t stacktree_other_frame(const struct stacktree *t);

#endif
