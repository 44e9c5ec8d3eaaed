/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Binary search over arrays of structs sorted by a uint64_t key (symbols by address, mappings by
 * end): the one search the symbol tables, memory maps and JIT maps all need.
 */
#ifndef RINGSIDE_UTIL_SORTED_H
#define RINGSIDE_UTIL_SORTED_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * How many of the n elements (each size bytes, sorted ascending by the uint64_t at offset) have a
 * key <= key: the index one past the last such element, 0 when there is none.
 */
static inline size_t
sorted_upper(const void *base, size_t n, size_t size, size_t offset, uint64_t key)
{
	const unsigned char *p = base;
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t k;

		memcpy(&k, p + mid * size + offset, sizeof(k));
		if (k <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

#endif
