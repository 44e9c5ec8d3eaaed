// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ring reader on a memfd that plays the kernel: records are written at data_head, some of
 * them across the end of the data area, and must come out whole and in order; a record with an
 * impossible size is counted as bad and the rest of what was published is skipped, never followed.
 * A reader that spills mid-reading gives the kernel its room back and still reads every record
 * once, in order, across several rings' worth of data, within the spill's limit per reading.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ringside/perf/ring.h"

#define PAGES 2

struct fake {
	int fd;
	struct ring r;
	struct perf_event_mmap_page *meta;
	unsigned char *data;
	uint64_t size;
};

static void
fake_open(struct fake *f)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	f->fd = memfd_create("ring", MFD_CLOEXEC);
	assert_true(f->fd >= 0);
	assert_int_equal(ftruncate(f->fd, (off_t)((PAGES + 1) * page)), 0);
	assert_int_equal(ring_open(&f->r, f->fd, PAGES), 0);
	f->meta = f->r.base;
	f->data = f->r.data;
	f->size = f->r.data_size;
}

static void
fake_close(struct fake *f)
{
	ring_close(&f->r);
	close(f->fd);
}

/* Write a record of size bytes (a multiple of 8) whose payload bytes are all fill, at the head. */
static void
fake_write(struct fake *f, uint16_t size, unsigned char fill)
{
	unsigned char rec[1024];
	struct perf_event_header h = { .type = PERF_RECORD_SAMPLE, .misc = fill, .size = size };
	uint64_t head = f->meta->data_head;

	memset(rec, fill, size);
	memcpy(rec, &h, sizeof(h));
	for (uint16_t i = 0; i < size; i++)
		f->data[(head + i) & (f->size - 1)] = rec[i];
	__atomic_store_n(&f->meta->data_head, head + size, __ATOMIC_RELEASE);
}

struct seen {
	size_t n;
	uint16_t sizes[4096];
	unsigned char fills[4096];
	bool whole;
};

static void
check_record(void *ctx, const struct perf_event_header *h)
{
	struct seen *s = ctx;
	const unsigned char *p = (const unsigned char *)h;

	for (uint16_t i = sizeof(*h); i < h->size; i++)
		if (p[i] != h->misc)
			s->whole = false;
	s->sizes[s->n] = h->size;
	s->fills[s->n] = (unsigned char)h->misc;
	s->n++;
}

static void
test_wrapping_records(void **state)
{
	struct fake f;
	struct seen s = { .whole = true };
	size_t written = 0;
	uint16_t sizes[] = { 24, 200, 8, 512, 1016, 64, 136 };

	(void)state;
	fake_open(&f);
	/* Many rounds through the ring: records straddle the end at every alignment we produce. */
	for (int round = 0; round < 300; round++) {
		uint64_t used = f.meta->data_head - f.meta->data_tail;
		uint16_t size = sizes[round % 7];

		if (used + size > f.size) {
			ring_consume(&f.r, check_record, &s);
			used = 0;
		}
		fake_write(&f, size, (unsigned char)(round % 251 + 1));
		written++;
	}
	ring_consume(&f.r, check_record, &s);
	assert_int_equal(s.n, written);
	assert_true(s.whole);
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(s.sizes[i], sizes[i % 7]);
		assert_int_equal(s.fills[i], i % 251 + 1);
	}
	assert_int_equal(f.meta->data_tail, f.meta->data_head);
	assert_int_equal(f.r.bad, 0);
	assert_int_equal(ring_pending(&f.r), 0);
	fake_close(&f);
}

static void
test_partial_and_bad(void **state)
{
	struct fake f;
	struct seen s = { .whole = true };
	struct perf_event_header bad = { .type = PERF_RECORD_SAMPLE, .size = 4 };
	uint64_t head;

	(void)state;
	fake_open(&f);
	/*
	 * The kernel publishes data_head only past whole records, so a header that claims more than
	 * was published, or less than itself, means the ring is corrupt: it is counted and skipped.
	 */
	fake_write(&f, 64, 9);
	assert_int_equal(ring_consume(&f.r, check_record, &s), 1);
	/* A record whose size is below its header's: counted as bad and the ring skipped past. */
	head = f.meta->data_head;
	memcpy(f.data + (head & (f.size - 1)), &bad, sizeof(bad));
	__atomic_store_n(&f.meta->data_head, head + 64, __ATOMIC_RELEASE);
	assert_int_equal(ring_consume(&f.r, check_record, &s), 0);
	assert_int_equal(f.r.bad, 1);
	assert_int_equal(f.meta->data_tail, f.meta->data_head);
	/* A size larger than what was published is bad too. */
	head = f.meta->data_head;
	bad.size = 4000;
	memcpy(f.data + (head & (f.size - 1)), &bad, sizeof(bad));
	__atomic_store_n(&f.meta->data_head, head + 64, __ATOMIC_RELEASE);
	ring_consume(&f.r, check_record, &s);
	assert_int_equal(f.r.bad, 2);
	fake_close(&f);
}

/* Read the next record with ring_peek/ring_next into s; false at the end. */
static bool
read_one(struct fake *f, struct seen *s)
{
	const struct perf_event_header *h = ring_peek(&f->r);

	if (!h)
		return false;
	check_record(s, h);
	ring_next(&f->r);
	return true;
}

static void
test_spill(void **state)
{
	struct fake f;
	struct seen s = { .whole = true };
	size_t written = 0, spilled = 0;
	uint16_t sizes[] = { 24, 200, 8, 512, 1016, 64, 136 };

	(void)state;
	fake_open(&f);
	/* Nothing published: nothing to spill. */
	ring_begin(&f.r);
	assert_int_equal(ring_spill(&f.r), 0);
	/*
	 * One reading of a slow reader: it reads one record in three while the kernel fills the
	 * ring and the reader spills whenever the ring is half full, so the kernel always has room.
	 * Six rings' worth pass through, records wrapping at the end of the ring and in the spill.
	 */
	for (int round = 0; written * 300 < 6 * f.size; round++) {
		uint16_t size = sizes[round % 7];

		if (ring_used(&f.r) > f.size / 2)
			spilled += ring_spill(&f.r);
		assert_true(ring_used(&f.r) + size <= f.size);
		fake_write(&f, size, (unsigned char)(round % 251 + 1));
		written++;
		if (round % 3 == 0)
			read_one(&f, &s);
	}
	assert_true(spilled > f.size);
	assert_true(f.r.spill_len > f.r.spill_off);
	while (read_one(&f, &s))
		;
	/* What came after the last spill is the next reading's. */
	ring_commit(&f.r);
	assert_true(s.n < written);
	ring_consume(&f.r, check_record, &s);
	assert_int_equal(s.n, written);
	assert_true(s.whole);
	for (size_t i = 0; i < s.n; i++) {
		assert_int_equal(s.sizes[i], sizes[i % 7]);
		assert_int_equal(s.fills[i], i % 251 + 1);
	}
	assert_int_equal(f.meta->data_tail, f.meta->data_head);
	assert_int_equal(ring_pending(&f.r), 0);
	assert_int_equal(f.r.bad, 0);
	assert_int_equal(f.r.spilled, spilled);
	/* A reading takes at most spill_max bytes into the spill; the next reading may again. */
	f.r.spill_max = 512;
	ring_begin(&f.r);
	fake_write(&f, 512, 1);
	assert_int_equal(ring_spill(&f.r), 512);
	fake_write(&f, 64, 2);
	assert_int_equal(ring_spill(&f.r), 0);
	assert_int_equal(ring_pending(&f.r), 576);
	s = (struct seen){ .whole = true };
	ring_consume(&f.r, check_record, &s);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.fills[0], 1);
	assert_int_equal(s.fills[1], 2);
	ring_begin(&f.r);
	fake_write(&f, 64, 3);
	assert_int_equal(ring_spill(&f.r), 64);
	/* A corrupt spill is counted and dropped like a corrupt ring. */
	((struct perf_event_header *)f.r.spill)->size = 12;
	assert_null(ring_peek(&f.r));
	assert_int_equal(f.r.bad, 1);
	assert_int_equal(ring_pending(&f.r), 0);
	fake_close(&f);
}

static void
test_bad_pages(void **state)
{
	struct ring r;

	(void)state;
	assert_int_equal(ring_open(&r, -1, 3), -EINVAL);
	assert_int_equal(ring_open(&r, -1, 0), -EINVAL);
	assert_true(ring_open(&r, -1, 4) < 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrapping_records),
		cmocka_unit_test(test_partial_and_bad),
		cmocka_unit_test(test_spill),
		cmocka_unit_test(test_bad_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
