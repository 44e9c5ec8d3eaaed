// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ring reader on a memfd that plays the kernel: records are written at data_head, some of
 * them across the end of the data area, and must come out whole and in order; a record with an
 * impossible size is counted as bad and the rest of what was published is skipped, never followed.
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
		cmocka_unit_test(test_bad_pages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
