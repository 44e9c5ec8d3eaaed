/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Each task's CPU time within a time range of the scheduler map, for the task table of a range:
 * the exact runs cut at the range's edges, and before them the summary buckets, whose top task
 * is credited in proportion to the overlap (the same approximation as schedmap_query's).
 */
#ifndef RINGSIDE_MODEL_SCHEDMAP_RANGE_H
#define RINGSIDE_MODEL_SCHEDMAP_RANGE_H

#include <stddef.h>
#include <stdint.h>

#include "ringside/model/schedmap.h"

/*
 * out[task] = the task's run time in [t0, t1) (schedmap times) summed over CPUs, for tasks
 * below n (out has n entries, zeroed first). Returns the busy ns counted.
 */
uint64_t schedmap_range_runtime(const struct schedmap *m, uint64_t t0, uint64_t t1, uint64_t *out,
				size_t n);

#endif
