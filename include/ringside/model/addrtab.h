/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-address sample counts: for each sample, its leaf instruction counted under the function
 * that contains it (a frame id of the frametab, whose module names the file) and the address as
 * the ELF file sees it (what objdump shows; a kernel or JIT address as the process saw it), so any
 * function can be annotated afterwards. The callers' call sites (the call instruction a return
 * address follows) are counted the same way in a second count, "calls": a function's self
 * samples at an address plus its calls there are its samples with callees. Bounded: at most the
 * capacity given at creation distinct (function, address) pairs; samples and call sites at new
 * addresses past it are only counted as dropped. A long recording keeps room with addrtab_compact,
 * which gives back the coldest entries (their counts go to dropped) and renumbers the rest: its
 * epoch tells holders of old indexes to drop them. Pure data, no I/O.
 */
#ifndef RINGSIDE_MODEL_ADDRTAB_H
#define RINGSIDE_MODEL_ADDRTAB_H

#include <stddef.h>
#include <stdint.h>

/*
 * The default capacity: 2^16 pairs (2 MiB of entries and 0.5 MiB of hash at most). A soak's table
 * (system-wide, short-lived binaries) reached 2^17 pairs in 5 min, nearly all of them hit once or
 * twice; compacted to its hottest half when full, it keeps every address a hot function's
 * annotation shows.
 */
#define ADDRTAB_DEFAULT_MAX (1u << 16)
/* What addrtab_add returns when the table is full. */
#define ADDRTAB_NONE UINT32_MAX

struct addrtab_entry {
	uint32_t frame; /* the containing (not inlined) function's frame id */
	uint64_t addr;	/* ELF address of the sampled instruction */
	uint64_t count; /* samples with this instruction as the leaf (self) */
	uint64_t calls; /* samples with this instruction as a caller's call site */
};

/* A function's total over its addresses, for addrtab_top. */
struct addrtab_func {
	uint32_t frame;
	uint64_t samples; /* self */
	uint64_t calls;	  /* at its call sites */
	size_t naddrs;
};

struct addrtab;

/* An empty table holding at most max pairs (0: ADDRTAB_DEFAULT_MAX). */
struct addrtab *addrtab_new(size_t max);
/* Free the table; NULL is fine. */
void addrtab_free(struct addrtab *t);
/*
 * Add count samples at (frame, addr); returns the entry's index, stable until addrtab_compact,
 * or ADDRTAB_NONE when the table is full (the samples then go to addrtab_dropped).
 */
uint32_t addrtab_add(struct addrtab *t, uint32_t frame, uint64_t addr, uint64_t count);
/* Add count samples to entry idx (an index addrtab_add returned; ADDRTAB_NONE counts dropped). */
void addrtab_bump(struct addrtab *t, uint32_t idx, uint64_t count);
/* Like addrtab_add, for count samples with (frame, addr) as a call site. */
uint32_t addrtab_add_calls(struct addrtab *t, uint32_t frame, uint64_t addr, uint64_t count);
/* Add count call-site samples to entry idx (ADDRTAB_NONE counts dropped). */
void addrtab_bump_calls(struct addrtab *t, uint32_t idx, uint64_t count);
/* addrtab_bump_calls for each of the n entries idx (one call for a whole chain's call sites). */
void addrtab_bump_calls_n(struct addrtab *t, const uint32_t *idx, size_t n, uint64_t count);
/* Entries held. */
size_t addrtab_count(const struct addrtab *t);
/* Entry i (borrowed; valid until the next add). */
const struct addrtab_entry *addrtab_get(const struct addrtab *t, size_t i);
/* Samples (self or at a call site) that found the table full. */
uint64_t addrtab_dropped(const struct addrtab *t);
/* Add to the dropped count (a snapshot read back). */
void addrtab_add_dropped(struct addrtab *t, uint64_t n);
/*
 * The entries of function frame sorted by address, into a new array (the caller's to free; NULL
 * when none) of *n entries; returns the function's sample total.
 */
uint64_t addrtab_function(const struct addrtab *t, uint32_t frame, struct addrtab_entry **out,
			  size_t *n);
/*
 * The functions with samples or call sites, most self samples first (ties: most call-site
 * samples, then lower frame id first), into a new array
 * (the caller's; NULL when none); returns how many.
 */
size_t addrtab_functions(const struct addrtab *t, struct addrtab_func **out);
/* Room left: how many new pairs fit before the table is full. */
size_t addrtab_room(const struct addrtab *t);
/*
 * Keep the keep entries with the most samples (self plus call sites; ties: the newer), in their
 * order, and give back the rest, whose samples go to addrtab_dropped; every index changes and
 * the epoch goes up. Returns how many entries went.
 */
size_t addrtab_compact(struct addrtab *t, size_t keep);
/* How many compactions renumbered the entries (0 for a table never compacted). */
uint64_t addrtab_epoch(const struct addrtab *t);
/* Bytes used, for memory accounting. */
size_t addrtab_memory(const struct addrtab *t);

#endif
