/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A perf ring buffer: the mmap of an event's fd, consumed record by record. The head is read with
 * acquire and the tail written with release, as the kernel's ordering requires; a record that
 * straddles the end of the ring is copied whole into a scratch buffer, so consumers always see a
 * contiguous record. Nothing here allocates per record.
 */
#ifndef RINGSIDE_PERF_RING_H
#define RINGSIDE_PERF_RING_H

#include <linux/perf_event.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	int fd;
	void *base; /* the mmap: metadata page then data pages */
	size_t map_size;
	unsigned char *data;
	uint64_t data_size;	/* a power of two */
	unsigned char *scratch; /* data_size bytes, for records that wrap */
	uint64_t bad;	 /* records rejected for a bad size (the rest of the ring is skipped) */
	uint64_t head;	 /* data_head as read by ring_begin */
	uint64_t pos;	 /* the next record to read, between the tail and head */
	uint16_t peeked; /* size of the record ring_peek returned, 0 when none */
};

/* Called with each record (header first); the pointer is valid only during the call. */
typedef void (*ring_record_fn)(void *ctx, const struct perf_event_header *rec);

/* Map fd's ring with data_pages pages of data (a power of two). Returns 0 or -errno. */
int ring_open(struct ring *r, int fd, size_t data_pages);
/* Consume every complete record now in the ring; returns the number consumed. */
size_t ring_consume(struct ring *r, ring_record_fn fn, void *ctx);

/*
 * Step-by-step reading, for merging several rings in time order: ring_begin takes the records
 * published so far, ring_peek returns the next one (NULL at the end; valid until ring_next),
 * ring_next steps past it, and ring_commit hands everything stepped past back to the kernel.
 */
void ring_begin(struct ring *r);
const struct perf_event_header *ring_peek(struct ring *r);
void ring_next(struct ring *r);
void ring_commit(struct ring *r);
/* Bytes waiting to be read. */
uint64_t ring_pending(const struct ring *r);
/* Unmap (r may be zeroed). The fd is not closed. */
void ring_close(struct ring *r);

#endif
