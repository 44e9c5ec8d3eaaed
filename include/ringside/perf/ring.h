/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A perf ring buffer: the mmap of an event's fd, consumed record by record. The head is read with
 * acquire and the tail written with release, as the kernel's ordering requires; a record that
 * straddles the end of the ring is copied whole into a scratch buffer, so consumers always see a
 * contiguous record. Nothing here allocates per record. A reader busy with slow records (a
 * module's symbols loaded on its first sample) spills what the kernel has written into a
 * buffer and hands the ring back, so the kernel does not drop records while the reader catches up.
 */
#ifndef RINGSIDE_PERF_RING_H
#define RINGSIDE_PERF_RING_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	int fd;
	void *base; /* the mmap: metadata page then data pages */
	size_t map_size;
	unsigned char *data;
	uint64_t data_size;	/* a power of two */
	unsigned char *scratch; /* min(data_size, 64 KiB) bytes, for records that wrap */
	uint64_t bad;	   /* records rejected for a bad size (the rest of the ring is skipped) */
	uint64_t head;	   /* data_head as read by ring_begin */
	uint64_t pos;	   /* the next record to read, between the tail and head */
	uint16_t peeked;   /* size of the record ring_peek returned, 0 when none */
	bool peeked_spill; /* ... and it came from the spill */
	unsigned char *spill; /* records taken from the ring but not yet read, oldest first */
	size_t spill_off;     /* the next record to read in spill */
	size_t spill_len;     /* the end of the records in spill */
	size_t spill_cap;
	size_t spill_max;     /* the most spill may hold, and take in one reading (bytes) */
	uint64_t spill_taken; /* bytes spilled since ring_begin: a reading always ends */
	uint64_t spilled;     /* bytes spilled so far */
	size_t spill_peak;    /* the largest spill_cap so far (bytes mapped at once) */
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
/* Bytes waiting to be read (in the ring and in its spill). */
uint64_t ring_pending(const struct ring *r);
/* The part of the ring the kernel cannot write over yet (read or not), in bytes. */
uint64_t ring_used(const struct ring *r);
/*
 * Between ring_peek calls of a reading: move the records the kernel has published and the reader
 * has not stepped past into the spill, and give their room back to the kernel. Returns the bytes
 * moved; 0 when the spill would hold, or this reading (since ring_begin) would have taken, more
 * than its limit (the kernel then drops and counts what does not fit, as without a spill). A
 * pointer ring_peek returned before is no longer valid: peek again.
 */
size_t ring_spill(struct ring *r);
/* Unmap (r may be zeroed). The fd is not closed. */
void ring_close(struct ring *r);

#endif
