/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Binary search over arrays of structs sorted by a uint64_t key (symbols by address, mappings by
 * end): the one search the symbol tables, memory maps and JIT maps all need. And a sort in place
 * for the large tables: glibc's qsort takes a copy of the whole array to merge into (2 MB beside
 * kallsyms' 2 MB while it loads), where a heap sort needs none.
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

/* Swap the size-byte elements a and b (size at most 64). */
static inline void
sorted_swap(unsigned char *a, unsigned char *b, size_t size)
{
	unsigned char t[64];

	memcpy(t, a, size);
	memcpy(a, b, size);
	memcpy(b, t, size);
}

/* Sift element root of the heap p[0, n) down to its place. */
static inline void
sorted_sift(unsigned char *p, size_t root, size_t n, size_t size,
	    int (*cmp)(const void *, const void *, void *), void *arg)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && cmp(p + child * size, p + (child + 1) * size, arg) < 0)
			child++;
		if (cmp(p + root * size, p + child * size, arg) >= 0)
			return;
		sorted_swap(p + root * size, p + child * size, size);
		root = child;
	}
}

/*
 * Sort the n elements of size bytes (at most 64) at base ascending by cmp, in place, allocating
 * nothing. Not stable: cmp must order every two elements that differ in what the caller keeps.
 */
static inline void
sorted_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *, void *),
	    void *arg)
{
	unsigned char *p = base;

	if (n < 2)
		return;
	for (size_t i = n / 2; i-- > 0;)
		sorted_sift(p, i, n, size, cmp, arg);
	for (size_t end = n - 1; end > 0; end--) {
		sorted_swap(p, p + end * size, size);
		sorted_sift(p, 0, end, size, cmp, arg);
	}
}

#endif
