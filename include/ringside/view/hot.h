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

#endif
