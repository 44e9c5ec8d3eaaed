// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * PID/TID to index, open addressing with linear probing; deletion shifts the entries of a probe
 * run back instead of leaving tombstones.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/util/idmap.h"
#include "ringside/util/xalloc.h"

static size_t
idmap_home(int32_t key, size_t cap)
{
	uint32_t h = (uint32_t)key * 0x9e3779b1u;

	return (h ^ (h >> 15)) & (cap - 1);
}

/* The slot holding key, or the free slot where it would go; cap must be non-zero. */
static size_t
idmap_slot(const struct idmap *m, int32_t key)
{
	size_t s = idmap_home(key, m->cap);

	while (m->vals[s] != IDMAP_NONE && m->keys[s] != key)
		s = (s + 1) & (m->cap - 1);
	return s;
}

static void
idmap_resize(struct idmap *m, size_t cap)
{
	int32_t *keys = m->keys;
	uint32_t *vals = m->vals;
	size_t old = m->cap;

	m->keys = xmalloc(cap * sizeof(*m->keys));
	m->vals = xmalloc(cap * sizeof(*m->vals));
	memset(m->vals, 0xff, cap * sizeof(*m->vals));
	m->cap = cap;
	for (size_t i = 0; i < old; i++) {
		if (vals[i] != IDMAP_NONE) {
			size_t s = idmap_slot(m, keys[i]);

			m->keys[s] = keys[i];
			m->vals[s] = vals[i];
		}
	}
	free(keys);
	free(vals);
}

void
idmap_init(struct idmap *m)
{
	memset(m, 0, sizeof(*m));
}

void
idmap_fini(struct idmap *m)
{
	free(m->keys);
	free(m->vals);
	idmap_init(m);
}

void
idmap_clear(struct idmap *m)
{
	if (m->cap)
		memset(m->vals, 0xff, m->cap * sizeof(*m->vals));
	m->n = 0;
}

uint32_t
idmap_get(const struct idmap *m, int32_t key)
{
	return m->cap ? m->vals[idmap_slot(m, key)] : IDMAP_NONE;
}

void
idmap_put(struct idmap *m, int32_t key, uint32_t val)
{
	size_t s;

	if ((m->n + 1) * 2 > m->cap)
		idmap_resize(m, m->cap ? m->cap * 2 : 64);
	s = idmap_slot(m, key);
	if (m->vals[s] == IDMAP_NONE)
		m->n++;
	m->keys[s] = key;
	m->vals[s] = val;
}

uint32_t
idmap_del(struct idmap *m, int32_t key)
{
	size_t mask = m->cap - 1, hole, s;
	uint32_t val;

	if (!m->cap)
		return IDMAP_NONE;
	hole = idmap_slot(m, key);
	val = m->vals[hole];
	if (val == IDMAP_NONE)
		return IDMAP_NONE;
	m->n--;
	/* Move back each later entry of the run whose home does not lie between the hole and it. */
	for (s = (hole + 1) & mask; m->vals[s] != IDMAP_NONE; s = (s + 1) & mask) {
		size_t home = idmap_home(m->keys[s], m->cap);

		if (((s - home) & mask) >= ((s - hole) & mask)) {
			m->keys[hole] = m->keys[s];
			m->vals[hole] = m->vals[s];
			hole = s;
		}
	}
	m->vals[hole] = IDMAP_NONE;
	return val;
}

size_t
idmap_count(const struct idmap *m)
{
	return m->n;
}

bool
idmap_next(const struct idmap *m, size_t *pos, int32_t *key, uint32_t *val)
{
	for (; *pos < m->cap; (*pos)++) {
		if (m->vals[*pos] != IDMAP_NONE) {
			*key = m->keys[*pos];
			*val = m->vals[*pos];
			(*pos)++;
			return true;
		}
	}
	return false;
}
