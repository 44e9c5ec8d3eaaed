/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The hottest functions of a stack tree: samples per function (a frame of kernel, user, library,
 * JIT or unknown code) where it was the leaf (self) and where it was on the stack at all (total;
 * a recursive function counts once per sample). Cumulative or within the tree's sliding window.
 * No curses: the overview and the exports render the list.
 */
#ifndef RINGSIDE_VIEW_HOT_H
#define RINGSIDE_VIEW_HOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/frametab.h"
#include "ringside/model/stacktree.h"

struct hot_entry {
	uint32_t frame; /* frame id */
	uint64_t self, total;
};

enum hot_order { HOT_BY_SELF, HOT_BY_TOTAL };

/*
 * The top max functions of t by order into out (allocated by the caller, max entries); returns
 * how many were written. window: use the window's counts. *samples gets the samples counted.
 */
size_t hot_top(const struct stacktree *t, const struct frametab *ft, bool window,
	       enum hot_order order, struct hot_entry *out, size_t max, uint64_t *samples);

/* The sort columns of the ratio table, in the order they are shown. */
enum hot_ratio_order {
	HOT_RATIO_A_SELF,
	HOT_RATIO_A_TOTAL,
	HOT_RATIO_B_SELF,
	HOT_RATIO_B_TOTAL,
	HOT_RATIO_SELF,
	HOT_RATIO_TOTAL,
	HOT_RATIO_NR
};

/* A function's samples in a ratio's two trees (A/B, B the widths) and its ratios: A self over
 * B self, A total over B total; negative where B has fewer than RATIOFLAME_MIN_SAMPLES. */
struct hot_ratio_entry {
	uint32_t frame;
	uint64_t a_self, a_total, b_self, b_total;
	double ratio_self, ratio_total;
};

/*
 * The top max functions of a ratio NAME=A/B (a and b: A's and B's trees of the whole recording,
 * frames of ft) into out, largest first by the column order (functions without a ratio last when
 * sorted by one); returns how many were written. Every function with samples in A or B counts; a
 * function is a name and module (as the page and the snapshot's readers have it), its entry's
 * frame the lowest id among that function's frames.
 */
size_t hot_ratio(const struct stacktree *a, const struct stacktree *b, const struct frametab *ft,
		 enum hot_ratio_order order, struct hot_ratio_entry *out, size_t max);
/* Every function of hot_ratio, unsorted, into *out (allocated; free it); returns how many. */
size_t hot_ratio_all(const struct stacktree *a, const struct stacktree *b,
		     const struct frametab *ft, struct hot_ratio_entry **out);
/* Sort n entries of hot_ratio_all as hot_ratio does by order. */
void hot_ratio_sort(struct hot_ratio_entry *e, size_t n, enum hot_ratio_order order);
/* The column's name: "A self", ..., "A/B total". */
const char *hot_ratio_order_name(enum hot_ratio_order order);

#endif
