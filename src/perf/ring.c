// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Perf ring buffers. The kernel writes records at data_head and we read from data_tail: the head
 * is loaded with acquire semantics so the record bytes it covers are visible, and the tail is
 * stored with release semantics once we are done with them, so the kernel may overwrite. A record
 * that wraps around the end of the data area is copied into a scratch buffer whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ringside/perf/ring.h"
#include "ringside/util/xalloc.h"

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
	r->scratch = xmalloc(r->data_size);
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
	return ring_head(r) - meta->data_tail;
}

void
ring_begin(struct ring *r)
{
	const struct perf_event_mmap_page *meta = r->base;

	r->peeked = 0;
	if (!r->base) {
		r->head = r->pos = 0;
		return;
	}
	r->head = ring_head(r);
	r->pos = meta->data_tail;
}

const struct perf_event_header *
ring_peek(struct ring *r)
{
	uint64_t mask = r->data_size - 1, off;
	struct perf_event_header hdr;

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
	r->pos += r->peeked;
	r->peeked = 0;
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
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
