/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one PID/TID map: a key (a pid or tid, any int) to a 32-bit value (an index into the owner's
 * array), by open addressing with linear probing and backward-shift deletion, so no tombstones
 * build up as tasks come and go. Lookups do not allocate; the table doubles past 1/2 full.
 */
#ifndef RINGSIDE_UTIL_IDMAP_H
#define RINGSIDE_UTIL_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value that means "no entry"; never stored. */
#define IDMAP_NONE UINT32_MAX

struct idmap {
	int32_t *keys;
	uint32_t *vals; /* IDMAP_NONE in a free slot */
	size_t cap;	/* a power of two, or 0 before the first put */
	size_t n;
};

/* An empty map (no allocation until the first put). */
void idmap_init(struct idmap *m);
/* Free the map's memory; m is empty and usable again. */
void idmap_fini(struct idmap *m);
/* Remove every entry, keeping the memory. */
void idmap_clear(struct idmap *m);
/* The value of key, or IDMAP_NONE. */
uint32_t idmap_get(const struct idmap *m, int32_t key);
/* Set key to val (val != IDMAP_NONE), replacing any value it had. */
void idmap_put(struct idmap *m, int32_t key, uint32_t val);
/* Remove key; returns its value, or IDMAP_NONE when it had none. */
uint32_t idmap_del(struct idmap *m, int32_t key);
/* Entries in the map. */
size_t idmap_count(const struct idmap *m);
/*
 * Visit entries: start with *pos = 0; each call gives the next entry and true, or false at the
 * end. The map must not change during a walk.
 */
bool idmap_next(const struct idmap *m, size_t *pos, int32_t *key, uint32_t *val);

#endif
