/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The flamegraph's view-model, without curses: the stack tree laid out as rows of cells (a node,
 * its column and width, its depth) for a given width, with a zoom, a process or thread filter,
 * cumulative or window counts, a case-insensitive substring search and a selection, plus the
 * moves between cells that the keys and the mouse make.
 *
 * Layout. Depth 0 is the root ("all"). The base of the picture is the filter's node (the root when
 * there is no filter): its total is the 100% that shares are taken of. The zoomed node (the base
 * when not zoomed) spans the whole width, as does each of its ancestors (flagged FLAME_ANCESTOR);
 * below it, a node's width is its share of the zoomed node's samples. Children are ordered by
 * name, then by line (the pid of a process or thread) and frame id, as flamegraph.pl orders them:
 * the layout stays put while samples arrive, and matches folded-stacks tools. Columns come from
 * each node's first and last sample offset within the zoomed node, floored, so a child lies inside
 * its parent and a row's cells never overlap; a node narrower than one column is left out with its
 * subtree (its samples show as blank space in its parent).
 *
 * Zoom, filter and selection are kept as frame paths from the root, not node ids: they survive
 * the tree growing and a compaction that renumbers nodes; a path that no longer resolves in full
 * (its tail folded into "[other]") falls back to its deepest prefix still there. Cells are valid
 * until the next flame_update.
 *
 * Freezing copies the tree's counts: updates then lay out the copy (zoom, search and the window
 * switch keep working) while the real tree goes on growing.
 */
#ifndef RINGSIDE_VIEW_FLAME_H
#define RINGSIDE_VIEW_FLAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/frametab.h"
#include "ringside/model/stacktree.h"

enum flame_flag {
	FLAME_ANCESTOR = 1u << 0, /* an ancestor of the zoomed node, drawn full width */
	FLAME_ZOOM = 1u << 1,	  /* the zoomed node (or the base when not zoomed) */
	FLAME_MATCH = 1u << 2,	  /* its name matches the search */
};

struct flame_cell {
	uint32_t node;	 /* node id in the tree laid out (valid until the next update) */
	uint32_t frame;	 /* frame id in the frametab */
	unsigned depth;	 /* 0: the root */
	int x, width;	 /* columns, width >= 1 */
	uint64_t self;	 /* samples (cumulative or window, as laid out) */
	uint64_t total;	 /* samples through it */
	uint64_t offset; /* its first sample's offset within the zoomed node */
	long parent;	 /* the index of its parent's cell; -1 for the root */
	unsigned flags;	 /* enum flame_flag */
};

/* A process (n = 1) or thread (n = 2) to filter to, by frame path from the root. */
struct flame_filter {
	uint32_t path[2];
	size_t n;
	uint64_t total;
};

enum flame_dir {
	FLAME_PARENT, /* the caller, toward the root */
	FLAME_CHILD,  /* the first callee (leftmost) */
	FLAME_LEFT,   /* the previous cell of the row */
	FLAME_RIGHT,  /* the next cell of the row */
};

struct flame;

/* A flamegraph model: no zoom, no filter, no search, cumulative counts, the root selected. */
struct flame *flame_new(void);
/* Free fl; NULL is fine. */
void flame_free(struct flame *fl);

/*
 * Copy t's nodes and counts (t may be NULL: nothing to show): until flame_thaw, updates lay out
 * the copy, whatever tree they are given. Freezing again replaces the copy.
 */
void flame_freeze(struct flame *fl, const struct stacktree *t);
/* Go back to laying out the tree given to flame_update. */
void flame_thaw(struct flame *fl);
/* True between flame_freeze and flame_thaw. */
bool flame_frozen(const struct flame *fl);

/* Lay out window counts (the tree's sliding window) or cumulative ones. */
void flame_set_window(struct flame *fl, bool window);
bool flame_window(const struct flame *fl);

/* Search frame names for query (copied; case-insensitive substring); NULL or "" clears. */
void flame_set_search(struct flame *fl, const char *query);
/* The current query, or NULL. */
const char *flame_search(const struct flame *fl);

/* Filter to f (a copy is kept; NULL or n = 0 clears). Clears the zoom. */
void flame_set_filter(struct flame *fl, const struct flame_filter *f);
/* The current filter (borrowed), or NULL. */
const struct flame_filter *flame_filter(const struct flame *fl);
/*
 * The filters one can pick in t (or the frozen copy), as counted now: processes by samples, most
 * first, each followed by its threads when it has more than one. At most max into out; returns
 * how many were written.
 */
size_t flame_filters(const struct flame *fl, const struct stacktree *t, struct flame_filter *out,
		     size_t max);

/*
 * Lay out t (or the frozen copy; t may be NULL) width columns wide, resolving zoom, filter,
 * selection and search against it. ft names the frames (for ordering and the search).
 */
void flame_update(struct flame *fl, const struct stacktree *t, const struct frametab *ft,
		  int width);

/* The cells of the last update, by depth then column (borrowed). */
const struct flame_cell *flame_cells(const struct flame *fl, size_t *n);
/*
 * The frames from the root's child down to cell i into out (the path stacktree_child walks), the
 * root's cell left out; deeper than max, the max nearest i. Returns how many (0 for the root).
 */
size_t flame_cell_path(const struct flame *fl, long i, uint32_t *out, size_t max);
/* Rows laid out (the deepest cell's depth + 1; 0 when nothing is shown). */
unsigned flame_rows(const struct flame *fl);
/* The cells of row depth: the index of the first in *first, and how many. */
size_t flame_row(const struct flame *fl, unsigned depth, size_t *first);
/* Samples of the base (the filter's node, or the root): the 100% of shares. */
uint64_t flame_base_total(const struct flame *fl);
/* Samples under search matches within the base, each sample once (nested matches count once). */
uint64_t flame_match_total(const struct flame *fl);
/* Nodes whose name matches within the base (nested ones too). */
size_t flame_match_nodes(const struct flame *fl);
/* Depth of the zoomed node (the base's when not zoomed). */
unsigned flame_zoom_depth(const struct flame *fl);

/* Zoom into the node of cell i of the last update (kept as its path); false when i is none. */
bool flame_zoom_in(struct flame *fl, size_t i);
/*
 * Zoom into the node of the last update (frozen copy, window, filter) with the most samples whose
 * frame matches the search, and select it: for a match too narrow to draw. False when none
 * matched (or there is no search, or the search changed since).
 */
bool flame_zoom_match(struct flame *fl);
/* Back to the zoom before the last zoom in; false when not zoomed. */
bool flame_zoom_out(struct flame *fl);
/* Clear zoom, filter and search, select the root. */
void flame_reset(struct flame *fl);

/* Select the node of cell i of the last update (kept as its path). */
void flame_select(struct flame *fl, size_t i);
/*
 * The selected cell of the last update: the selected node's, or its deepest ancestor shown when
 * it is not shown itself. -1 when nothing is shown.
 */
long flame_selected(const struct flame *fl);
/* The cell one move dir from cell i (i itself when there is none that way); -1 for a bad i. */
long flame_move(const struct flame *fl, size_t i, enum flame_dir dir);
/* The next search match after cell i in row order (backward: before), wrapping; -1 when none. */
long flame_next_match(const struct flame *fl, size_t i, bool backward);
/* The cell at (depth, column x), or -1. */
long flame_cell_at(const struct flame *fl, unsigned depth, int x);

#endif
