// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Perf ring buffers. The kernel writes records at data_head and we read from data_tail: the head
 * is loaded with acquire semantics so the record bytes it covers are visible, and the tail is
 * stored with release semantics once we are done with them, so the kernel may overwrite. A record
 * that wraps around the end of the data area is copied into a scratch buffer whole. While the
 * reader is slow, ring_spill moves what the kernel wrote into a buffer read first, so the
 * kernel gets its room back at once instead of when the whole batch has been handled.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ringside/perf/ring.h"
#include "ringside/util/xalloc.h"

/* A spill holds at most this many ring sizes: beyond it the kernel drops (and counts) records. */
#define RING_SPILL_RINGS 8
/* The largest record: perf_event_header.size is 16 bits. */
#define RING_RECORD_MAX 65536u

int
ring_open(struct ring *r, int fd, size_t data_pages)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *base;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (data_pages == 0 || (data_pages & (data_pages - 1)) != 0)
		return -EINVAL;
	r->map_size = (data_pages + 1) * page;
	base = mmap(NULL, r->map_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED)
		return -errno;
	r->fd = fd;
	r->base = base;
	r->data = (unsigned char *)base + page;
	r->data_size = (uint64_t)data_pages * page;
	/* A record is at most 64 KiB (its size is 16 bits): the scratch need hold no more. */
	r->scratch = xmalloc(r->data_size < RING_RECORD_MAX ? r->data_size : RING_RECORD_MAX);
	r->spill_max = (size_t)r->data_size * RING_SPILL_RINGS;
	return 0;
}

static inline uint64_t
ring_head(const struct ring *r)
{
	const struct perf_event_mmap_page *meta = r->base;

	return __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE);
}

static inline void
ring_set_tail(struct ring *r, uint64_t tail)
{
	struct perf_event_mmap_page *meta = r->base;

	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
}

uint64_t
ring_pending(const struct ring *r)
{
	const struct perf_event_mmap_page *meta = r->base;

	if (!r->base)
		return 0;
	return ring_head(r) - meta->data_tail + (r->spill_len - r->spill_off);
}

uint64_t
ring_used(const struct ring *r)
{
	const struct perf_event_mmap_page *meta = r->base;

	if (!r->base)
		return 0;
	return ring_head(r) - meta->data_tail;
}

void
ring_begin(struct ring *r)
{
	const struct perf_event_mmap_page *meta = r->base;

	r->peeked = 0;
	r->peeked_spill = false;
	r->spill_taken = 0;
	if (!r->base) {
		r->head = r->pos = 0;
		return;
	}
	r->head = ring_head(r);
	r->pos = meta->data_tail;
}

/* The next record of the spill, or NULL when it is empty (or untrustworthy: then dropped). */
static const struct perf_event_header *
ring_peek_spill(struct ring *r)
{
	struct perf_event_header hdr = { 0 };
	size_t left = r->spill_len - r->spill_off;

	if (left == 0)
		return NULL;
	if (left >= sizeof(hdr))
		memcpy(&hdr, r->spill + r->spill_off, sizeof(hdr));
	if (left < sizeof(hdr) || hdr.size < sizeof(hdr) || hdr.size > left || (hdr.size & 7)) {
		r->bad++;
		r->spill_off = r->spill_len = 0;
		return NULL;
	}
	r->peeked = hdr.size;
	r->peeked_spill = true;
	return (const struct perf_event_header *)(r->spill + r->spill_off);
}

/*
 * A burst's spill goes back to the system once read (a steady reader needs none): it is mapped
 * rather than allocated, so that its pages are returned for certain, not kept by the allocator.
 */
static void
ring_spill_free(struct ring *r)
{
	if (r->spill)
		munmap(r->spill, r->spill_cap);
	r->spill = NULL;
	r->spill_cap = 0;
}

/* Room for need bytes in the spill; false when the system has none (nothing is spilled then). */
static bool
ring_spill_room(struct ring *r, size_t need)
{
	size_t cap = r->spill_cap ? r->spill_cap : (size_t)r->data_size / 4;
	void *p;

	if (need <= r->spill_cap)
		return true;
	while (cap < need)
		cap *= 2;
	if (r->spill)
		p = mremap(r->spill, r->spill_cap, cap, MREMAP_MAYMOVE);
	else
		p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return false;
	r->spill = p;
	r->spill_cap = cap;
	if (cap > r->spill_peak)
		r->spill_peak = cap;
	return true;
}

const struct perf_event_header *
ring_peek(struct ring *r)
{
	uint64_t mask = r->data_size - 1, off;
	struct perf_event_header hdr;
	const struct perf_event_header *sp = ring_peek_spill(r);

	if (sp)
		return sp;
	r->peeked_spill = false;
	if (!r->base || r->head - r->pos < sizeof(hdr))
		return NULL;
	off = r->pos & mask;
	/* The header itself may straddle the end. */
	if (off + sizeof(hdr) <= r->data_size) {
		memcpy(&hdr, r->data + off, sizeof(hdr));
	} else {
		size_t first = r->data_size - off;

		memcpy(&hdr, r->data + off, first);
		memcpy((unsigned char *)&hdr + first, r->data, sizeof(hdr) - first);
	}
	if (hdr.size < sizeof(hdr) || hdr.size > r->head - r->pos || (hdr.size & 7) != 0) {
		/* The kernel publishes whole records only: the ring cannot be trusted past this. */
		r->bad++;
		r->pos = r->head;
		r->peeked = 0;
		return NULL;
	}
	r->peeked = hdr.size;
	if (off + hdr.size <= r->data_size)
		return (const struct perf_event_header *)(r->data + off);
	memcpy(r->scratch, r->data + off, r->data_size - off);
	memcpy(r->scratch + (r->data_size - off), r->data, hdr.size - (r->data_size - off));
	return (const struct perf_event_header *)r->scratch;
}

void
ring_next(struct ring *r)
{
	if (!r->peeked_spill) {
		r->pos += r->peeked;
		r->peeked = 0;
		return;
	}
	r->spill_off += r->peeked;
	r->peeked = 0;
	r->peeked_spill = false;
	if (r->spill_off < r->spill_len)
		return;
	r->spill_off = r->spill_len = 0;
	ring_spill_free(r);
}

size_t
ring_spill(struct ring *r)
{
	uint64_t head, n, mask = r->data_size - 1;
	size_t kept = r->spill_len - r->spill_off, off, first;

	if (!r->base)
		return 0;
	head = ring_head(r);
	n = head - r->pos;
	if (n == 0 || n > r->data_size || kept + n > r->spill_max ||
	    r->spill_taken + n > r->spill_max)
		return 0;
	/* Records already read move down once they are most of the buffer, or it would grow. */
	if (r->spill_off && (r->spill_off >= kept || r->spill_len + n > r->spill_cap)) {
		memmove(r->spill, r->spill + r->spill_off, kept);
		r->spill_off = 0;
		r->spill_len = kept;
	}
	if (!ring_spill_room(r, r->spill_len + (size_t)n))
		return 0;
	off = (size_t)(r->pos & mask);
	first = off + n <= r->data_size ? (size_t)n : (size_t)r->data_size - off;
	memcpy(r->spill + r->spill_len, r->data + off, first);
	memcpy(r->spill + r->spill_len + first, r->data, (size_t)n - first);
	r->spill_len += (size_t)n;
	r->spilled += n;
	r->spill_taken += n;
	r->pos = r->head = head;
	r->peeked = 0;
	r->peeked_spill = false;
	ring_set_tail(r, head);
	return (size_t)n;
}

void
ring_commit(struct ring *r)
{
	if (r->base)
		ring_set_tail(r, r->pos);
}

size_t
ring_consume(struct ring *r, ring_record_fn fn, void *ctx)
{
	const struct perf_event_header *h;
	size_t n = 0;

	ring_begin(r);
	while ((h = ring_peek(r))) {
		fn(ctx, h);
		ring_next(r);
		n++;
	}
	ring_commit(r);
	return n;
}

void
ring_close(struct ring *r)
{
	if (r->base)
		munmap(r->base, r->map_size);
	free(r->scratch);
	ring_spill_free(r);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
