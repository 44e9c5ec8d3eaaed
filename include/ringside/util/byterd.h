/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded reader over the bytes of a mapped section: little-endian numbers of n bytes and
 * LEB128 numbers, as DWARF's line tables (sym/linetab) and unwind tables (sym/elfmod_code) hold
 * them. A read past the end gives 0 (or what was read so far), leaves the cursor at the end and
 * marks the reader bad, so a parser checks once after a run of reads.
 */
#ifndef RINGSIDE_UTIL_BYTERD_H
#define RINGSIDE_UTIL_BYTERD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct byterd {
	const uint8_t *p, *end;
	bool bad;
};

static inline struct byterd
byterd_at(const void *p, size_t n)
{
	return (struct byterd){ p, (const uint8_t *)p + n, false };
}

/* The bytes left. */
static inline size_t
byterd_left(const struct byterd *r)
{
	return (size_t)(r->end - r->p);
}

/* An unsigned little-endian number of n (<= 8) bytes (x86-64 and AArch64 files). */
static inline uint64_t
byterd_un(struct byterd *r, size_t n)
{
	uint64_t v = 0;

	if (byterd_left(r) < n) {
		r->bad = true;
		r->p = r->end;
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	return v;
}

/*
 * A LEB128 number's low 64 bits, with the bits it had in *shift (7 a byte) and its last byte in
 * *last (for the sign).
 */
static inline uint64_t
byterd_leb(struct byterd *r, unsigned *shift, uint8_t *last)
{
	uint64_t v = 0;

	*shift = 0;
	*last = 0;
	while (r->p < r->end) {
		uint8_t b = *r->p++;

		if (*shift < 64)
			v |= (uint64_t)(b & 0x7f) << *shift;
		*shift += 7;
		*last = b;
		if (!(b & 0x80))
			return v;
	}
	r->bad = true;
	return v;
}

/* An unsigned LEB128 number; bits past the 64th are dropped. */
static inline uint64_t
byterd_uleb(struct byterd *r)
{
	unsigned shift;
	uint8_t last;

	return byterd_leb(r, &shift, &last);
}

/* A signed LEB128 number, sign-extended from its last byte's 0x40. */
static inline int64_t
byterd_sleb(struct byterd *r)
{
	unsigned shift;
	uint8_t last;
	uint64_t v = byterd_leb(r, &shift, &last);

	if (!(last & 0x80) && shift < 64 && (last & 0x40)) /* ended, and negative */
		v |= ~0ull << shift;
	return (int64_t)v;
}

#endif
