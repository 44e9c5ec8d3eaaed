/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The time index of a stack tree: every sample's time and leaf node, so that the tree of any time
 * range can be rebuilt (model/stacktree_range) and a node's samples drawn against time. Entries
 * are (time, leaf, weight), 12 bytes, times in quanta of TIMELINE_QUANTUM_NS from the recording's
 * start; consecutive samples of one leaf in one quantum share an entry.
 *
 * Bounded: at most the capacity given at creation entries. When full, the older half of the
 * history is coarsened: its times are rounded down to buckets of 2^shift quanta (the shift grows
 * each time) and entries of one leaf in one bucket merge, until a quarter of the capacity is free.
 * Times before timeline_coarse_until() are then only known to their bucket
 * (timeline_resolution()). No count is ever dropped. Pure data, no I/O.
 */
#ifndef RINGSIDE_MODEL_TIMELINE_H
#define RINGSIDE_MODEL_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The finest time step kept: 100 us. */
#define TIMELINE_QUANTUM_NS 100000ull
/*
 * The default capacity: 2^17 entries (1.5 MiB; the stack tree's share of memory is in
 * stacktree.h). A system-wide recording at 999 Hz fills it in about a minute, then coarsens its
 * older half. Coarsened, that half still holds an entry per leaf and bucket, and the default tree
 * may have 74K leaves: below twice that, the index would double past its cap instead (a 600 s
 * soak with a 2^17 cap and a tree of 2^17 nodes ended at 2^18).
 */
#define TIMELINE_DEFAULT_MAX (1u << 17)

struct timeline_entry {
	uint32_t time; /* quanta since the origin (bucket start when coarsened) */
	uint32_t leaf; /* the stack tree's node id */
	uint32_t weight;
};

struct timeline;

/* An empty index whose times count from origin_ns, holding at most max entries (0: default). */
struct timeline *timeline_new(uint64_t origin_ns, size_t max);
/* Free the index; NULL is fine. */
void timeline_free(struct timeline *tl);

/* Record weight samples at leaf at time_ns (the clock of origin_ns; earlier times count as 0). */
void timeline_add(struct timeline *tl, uint64_t time_ns, uint32_t leaf, uint64_t weight);
/* Record an entry whose time is already relative to the origin (the snapshot reader). */
void timeline_add_rel(struct timeline *tl, uint64_t rel_ns, uint32_t leaf, uint64_t weight);

/*
 * Node ids changed (the tree compacted or relabelled): map[old] is the new id, or UINT32_MAX to
 * drop the entry (never for a node with samples). n is the size of map; leaves past it are dropped.
 */
void timeline_remap(struct timeline *tl, const uint32_t *map, size_t n);

/* qsort's order of entries: by time, then leaf. */
int timeline_cmp(const void *a, const void *b);
/*
 * Put the entries in time order (leaves in no set order within a time), in place: cheap when only
 * those added since the last sort are out of order. timeline_entries' users need it.
 */
void timeline_sort(struct timeline *tl);
/* The entries and their number; sorted by time after timeline_sort (and until the next add). */
const struct timeline_entry *timeline_entries(const struct timeline *tl, size_t *n);

/* The origin, in the clock the samples' times are in. */
uint64_t timeline_origin(const struct timeline *tl);
/* Earliest and latest entry times, ns from the origin; false when empty. */
bool timeline_span(const struct timeline *tl, uint64_t *first_ns, uint64_t *last_ns);
/* Times before this (ns from the origin) were coarsened; 0 while nothing was. */
uint64_t timeline_coarse_until(const struct timeline *tl);
/* The time step at rel_ns: the quantum, or the coarse bucket before timeline_coarse_until(). */
uint64_t timeline_resolution(const struct timeline *tl, uint64_t rel_ns);
/* Set the coarsening state (the snapshot reader): times before until_ns have step bucket_ns. */
void timeline_set_coarse(struct timeline *tl, uint64_t until_ns, uint64_t bucket_ns);
/* Total weight of every entry. */
uint64_t timeline_samples(const struct timeline *tl);
/* Coarsenings so far. */
unsigned timeline_coarsenings(const struct timeline *tl);
/* Bytes used, for memory accounting. */
size_t timeline_memory(const struct timeline *tl);

#endif
