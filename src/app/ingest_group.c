// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Group reads into the member trees. The previous values of each leader descriptor (keyed by
 * the sample's identifier and, for inherited per-thread events, its thread) sit in an
 * open-addressing table; a member's weight is its count's change since then, added along the
 * call path that the leader's sample was inserted at.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringside/perf/sampspec.h"
#include "ringside/util/xalloc.h"
#include "ingest_group.h"

struct ingest_group_slot {
	uint64_t id;
	uint32_t tid;
	bool used;
	uint64_t v[SAMPSPEC_MAX];
};

struct ingest_group {
	struct ingest_group_slot *slots;
	size_t cap, n; /* cap: a power of two, kept at least twice n */
};

struct ingest_group *
ingest_group_new(void)
{
	struct ingest_group *g = xcalloc(1, sizeof(*g));

	g->cap = 64;
	g->slots = xcalloc(g->cap, sizeof(*g->slots));
	return g;
}

void
ingest_group_free(struct ingest_group *g)
{
	if (!g)
		return;
	free(g->slots);
	free(g);
}

static size_t
ingest_group_hash(uint64_t id, uint32_t tid)
{
	uint64_t h = (id ^ ((uint64_t)tid << 32 | tid)) * 0x9e3779b97f4a7c15ull;

	return (size_t)(h ^ h >> 29);
}

/* The slot of (id, tid), added (values zero) when new. */
static struct ingest_group_slot *
ingest_group_slot(struct ingest_group *g, uint64_t id, uint32_t tid)
{
	size_t i = ingest_group_hash(id, tid) & (g->cap - 1);

	while (g->slots[i].used) {
		if (g->slots[i].id == id && g->slots[i].tid == tid)
			return &g->slots[i];
		i = (i + 1) & (g->cap - 1);
	}
	if (2 * (g->n + 1) > g->cap) {
		struct ingest_group old = *g;

		g->cap *= 2;
		g->slots = xcalloc(g->cap, sizeof(*g->slots));
		g->n = 0;
		for (size_t k = 0; k < old.cap; k++)
			if (old.slots[k].used)
				*ingest_group_slot(g, old.slots[k].id, old.slots[k].tid) =
					old.slots[k];
		free(old.slots);
		return ingest_group_slot(g, id, tid);
	}
	g->n++;
	g->slots[i] = (struct ingest_group_slot){ .id = id, .tid = tid, .used = true };
	return &g->slots[i];
}

bool
ingest_group_deltas(struct ingest_group *g, const struct sampler_event *ev,
		    const struct decode_sample *s, uint64_t *delta)
{
	struct ingest_group_slot *slot;
	size_t n = 1 + ev->nmembers;

	if (!s->read || s->read_nr != n || n > SAMPSPEC_MAX)
		return false;
	slot = ingest_group_slot(g, s->id, ev->per_thread ? s->tid : 0);
	for (size_t j = 0; j < n; j++) {
		uint64_t v = s->read[j * s->read_stride];

		/* A count never goes back; if one seems to, count from it afresh. */
		delta[j] = v >= slot->v[j] ? v - slot->v[j] : 0;
		slot->v[j] = v;
	}
	return true;
}

void
ingest_group_members(struct profile *p, const struct sampler_event *ev,
		     const struct stacktree *tree, uint32_t leaf, const uint64_t *delta,
		     uint64_t time, uint32_t *path, size_t path_max)
{
	/* The leader's path, as the members' trees take it. */
	size_t n = stacktree_node_path(tree, leaf, path, path_max);

	for (size_t j = 1; j <= ev->nmembers; j++) {
		struct stacktree *t = profile_event_tree(p, ev->index + j);

		if (t && delta[j])
			stacktree_insert(t, path, n, delta[j], time);
	}
}
