// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Call sites per sample. The frames of the chain being resolved collect in a scratch array; the
 * commit keeps, for each function after the leaf's not seen closer to the leaf, the addrtab entry
 * of its call site, in an arena of [length, entry...] runs that a reference (offset, generation)
 * names. When the arena is full it is emptied and its generation bumped: old references stop
 * being valid and their chains take the slow path once more. Nothing here allocates per sample
 * but the arena's growth (by doubling, up to INGEST_SITES_MAX).
 */
#include <stdlib.h>

#include "ingest_sites.h"
#include "ringside/util/xalloc.h"

/* A reference's offset when it holds no call site (valid whatever the generation). */
#define INGEST_SITES_NONE UINT32_MAX

/* The most frames of a chain kept (a longer chain's outermost callers are not counted). */
#define INGEST_SITES_DEPTH 512u

struct ingest_sites_frame {
	uint32_t fn;
	bool kernel;
	uint64_t ip;
};

struct ingest_sites {
	struct ingest_sites_frame frames[INGEST_SITES_DEPTH];
	size_t nframes;
	uint32_t *arena;
	size_t n, cap;
	uint32_t gen; /* from 1: a zeroed reference is never valid */
};

struct ingest_sites *
ingest_sites_new(void)
{
	struct ingest_sites *is = xcalloc(1, sizeof(*is));

	is->gen = 1;
	return is;
}

void
ingest_sites_free(struct ingest_sites *is)
{
	if (!is)
		return;
	free(is->arena);
	free(is);
}

void
ingest_sites_begin(struct ingest_sites *is)
{
	is->nframes = 0;
}

void
ingest_sites_frame(struct ingest_sites *is, size_t i, uint32_t fn, uint64_t ip, bool kernel)
{
	if (i == 0)
		is->nframes = 0;
	if (is->nframes < INGEST_SITES_DEPTH)
		is->frames[is->nframes++] = (struct ingest_sites_frame){ fn, kernel, ip };
}

/* True when frame k's function occurs closer to the leaf (or is the leaf's). */
static bool
ingest_sites_seen(const struct ingest_sites *is, size_t k)
{
	for (size_t j = 0; j < k; j++)
		if (is->frames[j].fn == is->frames[k].fn)
			return true;
	return false;
}

/* Room for need more entries, emptying the arena when full; false when need can never fit. */
static bool
ingest_sites_room(struct ingest_sites *is, size_t need)
{
	if (need > INGEST_SITES_MAX)
		return false;
	if (is->n + need > INGEST_SITES_MAX) {
		is->n = 0;
		is->gen = is->gen == UINT32_MAX ? 1 : is->gen + 1;
	}
	if (is->n + need > is->cap) {
		size_t cap = is->cap ? is->cap : 4096;

		while (cap < is->n + need)
			cap *= 2;
		is->cap = cap < INGEST_SITES_MAX ? cap : INGEST_SITES_MAX;
		is->arena = xreallocarray(is->arena, is->cap, sizeof(*is->arena));
	}
	return true;
}

struct ingest_sites_ref
ingest_sites_commit(struct ingest_sites *is, struct addrtab *t, struct symres *sym, pid_t pid)
{
	struct ingest_sites_ref ref = { INGEST_SITES_NONE, 1 };
	size_t nf = is->nframes, start;

	is->nframes = 0;
	if (!t || nf < 2 || !ingest_sites_room(is, nf))
		return ref;
	start = is->n++;
	for (size_t k = 1; k < nf; k++) {
		const struct ingest_sites_frame *f = &is->frames[k];
		uint64_t addr = f->ip;

		if (ingest_sites_seen(is, k))
			continue;
		if (!f->kernel && !symres_user_where(sym, pid, f->ip, &addr))
			addr = f->ip;
		is->arena[is->n++] = addrtab_add_calls(t, f->fn, addr, 1);
	}
	is->arena[start] = (uint32_t)(is->n - start - 1);
	ref.off = (uint32_t)start;
	ref.gen = is->gen;
	return ref;
}

bool
ingest_sites_valid(const struct ingest_sites *is, struct ingest_sites_ref ref)
{
	return ref.gen == is->gen || (ref.off == INGEST_SITES_NONE && ref.gen);
}

void
ingest_sites_bump(const struct ingest_sites *is, struct addrtab *t, struct ingest_sites_ref ref)
{
	if (!t || ref.off == INGEST_SITES_NONE || ref.gen != is->gen)
		return;
	addrtab_bump_calls_n(t, &is->arena[ref.off + 1], is->arena[ref.off], 1);
}

size_t
ingest_sites_memory(const struct ingest_sites *is)
{
	return is ? sizeof(*is) + is->cap * sizeof(*is->arena) : 0;
}
