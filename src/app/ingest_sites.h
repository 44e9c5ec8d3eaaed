/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The call sites of a sample, private to src/app: each caller of its callchain counted in the
 * profile's addrtab at the instruction that made the call (the return address's call, as the
 * stack tree names the frame), once per function and sample (its innermost call site; the leaf's
 * function has its sample as self already), so an annotation shows samples with callees. A chain
 * seen before replays the addrtab entries kept for it in a bounded arena (INGEST_SITES_MAX entries;
 * when full it starts again, and the chains it held are looked up afresh).
 */
#ifndef RINGSIDE_APP_INGEST_SITES_H
#define RINGSIDE_APP_INGEST_SITES_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringside/model/addrtab.h"
#include "ringside/sym/symres.h"

/* The arena's size in entries (4 bytes each, 1 MiB): 8 for each of the chain cache's slots. */
#define INGEST_SITES_MAX (1u << 18)

/* A chain's call sites in the arena; a zeroed one is never valid. */
struct ingest_sites_ref {
	uint32_t off, gen;
};

struct ingest_sites;

/* An empty arena. */
struct ingest_sites *ingest_sites_new(void);
/* Free it; NULL is fine. */
void ingest_sites_free(struct ingest_sites *is);
/* Start a new sample's chain. */
void ingest_sites_begin(struct ingest_sites *is);
/*
 * Frame i of the chain (leaf first; 0 starts a new chain): the concrete function fn of address ip
 * (the call, for a return address), a kernel address when kernel.
 */
void ingest_sites_frame(struct ingest_sites *is, size_t i, uint32_t fn, uint64_t ip, bool kernel);
/*
 * Count the chain's call sites in t (NULL: none) at their ELF addresses (through sym for process
 * pid) and keep their entries; returns the reference a later sample of the same chain replays.
 */
struct ingest_sites_ref ingest_sites_commit(struct ingest_sites *is, struct addrtab *t,
					    struct symres *sym, pid_t pid);
/* True when ref is still held (a replay counts exactly what the commit did). */
bool ingest_sites_valid(const struct ingest_sites *is, struct ingest_sites_ref ref);
/* Bytes held (the arena), for the memory report. */
size_t ingest_sites_memory(const struct ingest_sites *is);
/* Count the call sites of ref (valid) once more in t (NULL: nothing). */
void ingest_sites_bump(const struct ingest_sites *is, struct addrtab *t,
		       struct ingest_sites_ref ref);

#endif
