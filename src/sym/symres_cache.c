// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The resolver's address -> frames cache: open addressing over a flat entry array (Fibonacci
 * hashing, linear probing), frame ids of multi-frame results in one pool, so a hit is a probe
 * and a copy. One per process, and one for the kernel.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "symres_priv.h"

/* Give c room for cap entries (rounded up to a power of two), empty. */
static void
symres_cache_alloc(struct symres_cache *c, size_t cap)
{
	unsigned bits = 0;

	while (((size_t)1 << bits) < cap)
		bits++;
	c->cap = (size_t)1 << bits;
	c->shift = 64 - bits;
	c->ents = xcalloc(c->cap, sizeof(*c->ents));
	c->n = 0;
}

void
symres_cache_fini(struct symres_cache *c)
{
	free(c->ents);
	free(c->pool);
	memset(c, 0, sizeof(*c));
}

static void
symres_cache_grow(struct symres_cache *c)
{
	struct symres_ent *old = c->ents;
	size_t oldcap = c->cap;

	symres_cache_alloc(c, oldcap ? oldcap * 2 : 256);
	for (size_t i = 0; i < oldcap; i++) {
		size_t j, mask = c->cap - 1;

		if (old[i].count == 0)
			continue;
		for (j = symres_cache_slot(c, old[i].addr); c->ents[j].count; j = (j + 1) & mask)
			;
		c->ents[j] = old[i];
		c->n++;
	}
	free(old);
}

/* Store frames for addr (a new entry, or over a retried one); returns the entry. */
struct symres_ent *
symres_cache_put(struct symres_cache *c, uint64_t addr, const uint32_t *frames, size_t n,
		 uint8_t flags, uint16_t gen)
{
	struct symres_ent *e = symres_cache_find(c, addr);

	if (!e) {
		size_t j, mask;

		if (c->n >= SYMRES_CACHE_MAX) {
			/* Start over rather than grow without bound. */
			memset(c->ents, 0, c->cap * sizeof(*c->ents));
			c->n = 0;
			c->npool = 0;
		}
		if ((c->n + 1) * 2 > c->cap)
			symres_cache_grow(c);
		mask = c->cap - 1;
		for (j = symres_cache_slot(c, addr); c->ents[j].count; j = (j + 1) & mask)
			;
		e = &c->ents[j];
		c->n++;
	}
	e->addr = addr;
	e->count = (uint8_t)n;
	e->flags = flags;
	e->gen = gen;
	/* Most addresses are one frame: it lives in the entry, a hit touches one cache line. */
	if (n == 1) {
		e->off = frames[0];
		return e;
	}
	if (c->npool + n > c->pool_cap) {
		c->pool_cap = c->pool_cap ? c->pool_cap * 2 : 1024;
		while (c->npool + n > c->pool_cap)
			c->pool_cap *= 2;
		c->pool = xreallocarray(c->pool, c->pool_cap, sizeof(*c->pool));
	}
	memcpy(c->pool + c->npool, frames, n * sizeof(*frames));
	e->off = (uint32_t)c->npool;
	c->npool += n;
	return e;
}

void
symres_cache_clear(struct symres_cache *c)
{
	if (c->ents)
		memset(c->ents, 0, c->cap * sizeof(*c->ents));
	c->n = 0;
	c->npool = 0;
}

/* Make the entries for [start, end) resolve again on their next hit (whose gen is not gen). */
void
symres_cache_invalidate(struct symres_cache *c, uint64_t start, uint64_t end, uint16_t gen)
{
	if (c->n == 0)
		return;
	for (size_t i = 0; i < c->cap; i++) {
		struct symres_ent *e = &c->ents[i];

		if (e->count && e->addr >= start && e->addr < end) {
			e->flags |= SYMRES_ENT_RETRY;
			e->gen = gen;
		}
	}
}

size_t
symres_cache_memory(const struct symres_cache *c)
{
	return c->cap * sizeof(*c->ents) + c->pool_cap * sizeof(*c->pool);
}
