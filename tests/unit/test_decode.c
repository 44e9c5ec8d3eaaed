// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The record decoder against well-formed and hostile records: every length it reads from a record
 * is checked against the record's own size, so lies are rejected instead of followed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ringside/perf/decode.h"

#define ST_CHAIN                                                                                  \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |             \
	 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)

static const struct decode_layout layout = { .sample_type = ST_CHAIN, .sample_id_all = true };

/* A record under construction, 8-byte aligned. */
struct rec {
	union {
		struct perf_event_header h;
		uint64_t buf[512];
	};
	size_t len; /* bytes */
};

static void
rec_start(struct rec *r, uint32_t type, uint16_t misc)
{
	struct perf_event_header h = { .type = type, .misc = misc, .size = 0 };

	memset(r, 0, sizeof(*r));
	memcpy(r->buf, &h, sizeof(h));
	r->len = sizeof(h);
}

static void
rec_put(struct rec *r, const void *p, size_t n)
{
	memcpy((char *)r->buf + r->len, p, n);
	r->len += n;
}

static void
rec_u64(struct rec *r, uint64_t v)
{
	rec_put(r, &v, 8);
}

static void
rec_u32x2(struct rec *r, uint32_t a, uint32_t b)
{
	rec_put(r, &a, 4);
	rec_put(r, &b, 4);
}

static const struct perf_event_header *
rec_end(struct rec *r)
{
	r->len = (r->len + 7) & ~(size_t)7;
	r->h.size = (uint16_t)r->len;
	return &r->h;
}

/* The sample_id trailer for ST_CHAIN: tid, time, cpu, identifier. */
static void
rec_trailer(struct rec *r, uint32_t pid, uint32_t tid)
{
	rec_u32x2(r, pid, tid);
	rec_u64(r, 1000);
	rec_u32x2(r, 1, 0);
	rec_u64(r, 42);
}

static const struct perf_event_header *
good_sample(struct rec *r, uint64_t nr)
{
	rec_start(r, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	rec_u64(r, 42);			/* identifier */
	rec_u64(r, 0x401000);		/* ip */
	rec_u32x2(r, 100, 101);		/* pid tid */
	rec_u64(r, 123456789);		/* time */
	rec_u32x2(r, 1, 0);		/* cpu */
	rec_u64(r, 1000);		/* period */
	rec_u64(r, nr);
	for (uint64_t i = 0; i < nr; i++)
		rec_u64(r, 0x401000 + i);
	return rec_end(r);
}

static void
test_sample_good(void **state)
{
	struct decode_sample s;
	struct rec r;

	(void)state;
	assert_int_equal(decode_sample(&layout, good_sample(&r, 3), &s), 0);
	assert_int_equal(s.id, 42);
	assert_int_equal(s.ip, 0x401000);
	assert_int_equal(s.pid, 100);
	assert_int_equal(s.tid, 101);
	assert_int_equal(s.time, 123456789);
	assert_int_equal(s.cpu, 1);
	assert_int_equal(s.period, 1000);
	assert_int_equal(s.nr, 3);
	assert_int_equal(s.ips[2], 0x401002);
}

static void
test_sample_hostile(void **state)
{
	struct perf_event_header *h;
	struct decode_sample s;
	struct rec r;

	(void)state;
	/* A callchain count far larger than the record. */
	good_sample(&r, 2);
	memcpy((char *)r.buf + 56, &(uint64_t){ 1ull << 60 }, 8); /* nr */
	assert_int_equal(decode_sample(&layout, &r.h, &s), -EINVAL);
	/* A count one larger than what is there. */
	good_sample(&r, 2);
	memcpy((char *)r.buf + 56, &(uint64_t){ 3 }, 8);
	assert_int_equal(decode_sample(&layout, &r.h, &s), -EINVAL);
	/* Every truncation of a good record is rejected. */
	good_sample(&r, 4);
	h = &r.h;
	for (uint16_t size = 8; size < h->size; size += 8) {
		struct perf_event_header *cut = &r.h;
		uint16_t full = cut->size;

		cut->size = size;
		assert_int_equal(decode_sample(&layout, cut, &s), -EINVAL);
		cut->size = full;
	}
	/* A header smaller than itself, a wrong type, an unknown sample_type bit. */
	good_sample(&r, 0);
	h->size = 4;
	assert_int_equal(decode_sample(&layout, h, &s), -EINVAL);
	good_sample(&r, 0);
	h->type = PERF_RECORD_MMAP2;
	assert_int_equal(decode_sample(&layout, h, &s), -EINVAL);
	good_sample(&r, 0);
	{
		struct decode_layout odd = { .sample_type = ST_CHAIN | PERF_SAMPLE_BRANCH_STACK };

		assert_int_equal(decode_sample(&odd, h, &s), -EINVAL);
	}
}

static void
test_sample_raw_and_stack(void **state)
{
	struct decode_layout l = {
		.sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_RAW | PERF_SAMPLE_REGS_USER |
			       PERF_SAMPLE_STACK_USER,
		.regs_user_mask = 0x7,
	};
	const struct perf_event_header *h;
	struct decode_sample s;
	uint32_t raw_size = 12;
	char raw[12] = "abcdefghijk";
	struct rec r;

	(void)state;
	rec_start(&r, PERF_RECORD_SAMPLE, 0);
	rec_u64(&r, 7);
	rec_put(&r, &raw_size, 4);
	rec_put(&r, raw, 12); /* 4 + 12 = 16: already aligned */
	rec_u64(&r, 2);	      /* regs abi */
	rec_u64(&r, 1);
	rec_u64(&r, 2);
	rec_u64(&r, 3);
	rec_u64(&r, 16); /* stack size */
	rec_u64(&r, 0xaaaa);
	rec_u64(&r, 0xbbbb);
	rec_u64(&r, 8); /* dyn size */
	h = rec_end(&r);
	assert_int_equal(decode_sample(&l, h, &s), 0);
	assert_int_equal(s.raw_size, 12);
	assert_memory_equal(s.raw, "abcdefghijk", 12);
	assert_int_equal(s.regs_abi, 2);
	assert_int_equal(s.regs[2], 3);
	assert_int_equal(s.stack_size, 16);
	assert_int_equal(s.stack_dyn_size, 8);
	/* A raw size past the end, a stack size past the end, dyn_size above size. */
	memcpy((char *)r.buf + 16, &(uint32_t){ 4000 }, 4);
	assert_int_equal(decode_sample(&l, h, &s), -EINVAL);
	memcpy((char *)r.buf + 16, &raw_size, 4);
	memcpy((char *)r.buf + 64, &(uint64_t){ 4096 }, 8);
	assert_int_equal(decode_sample(&l, h, &s), -EINVAL);
	memcpy((char *)r.buf + 64, &(uint64_t){ 16 }, 8);
	memcpy((char *)r.buf + 88, &(uint64_t){ 17 }, 8);
	assert_int_equal(decode_sample(&l, h, &s), -EINVAL);
}

static void
test_mmap2_comm_task(void **state)
{
	const struct perf_event_header *h;
	struct decode_mmap2 mm;
	struct decode_comm comm;
	struct decode_task task;
	struct decode_id id;
	char name[24] = "/usr/lib/libc.so.6";
	char c[8] = "calltr";
	struct rec r;

	(void)state;
	rec_start(&r, PERF_RECORD_MMAP2, 0);
	rec_u32x2(&r, 10, 11);
	rec_u64(&r, 0x7f0000000000);
	rec_u64(&r, 0x1000);
	rec_u64(&r, 0x2000);
	rec_u64(&r, 0);
	rec_u64(&r, 0);
	rec_u64(&r, 0);
	rec_u32x2(&r, PROT_READ | PROT_EXEC, MAP_PRIVATE);
	rec_put(&r, name, sizeof(name));
	rec_trailer(&r, 10, 11);
	h = rec_end(&r);
	assert_int_equal(decode_mmap2(&layout, h, &mm, &id), 0);
	assert_string_equal(mm.filename, "/usr/lib/libc.so.6");
	assert_int_equal(mm.addr, 0x7f0000000000);
	assert_int_equal(mm.pgoff, 0x2000);
	assert_int_equal(id.id, 42);
	assert_int_equal(id.tid, 11);
	/* A file name without its NUL inside the record is rejected. */
	memset((char *)r.buf + 72, 'x', sizeof(name)); /* the file name */
	assert_int_equal(decode_mmap2(&layout, h, &mm, &id), -EINVAL);

	rec_start(&r, PERF_RECORD_COMM, PERF_RECORD_MISC_COMM_EXEC);
	rec_u32x2(&r, 20, 20);
	rec_put(&r, c, sizeof(c));
	rec_trailer(&r, 20, 20);
	h = rec_end(&r);
	assert_int_equal(decode_comm(&layout, h, &comm, NULL), 0);
	assert_string_equal(comm.comm, "calltr");
	assert_true(comm.exec);
	/* Truncated into the trailer: rejected. */
	(&r.h)->size = 16;
	assert_int_equal(decode_comm(&layout, h, &comm, NULL), -EINVAL);

	rec_start(&r, PERF_RECORD_FORK, 0);
	rec_u32x2(&r, 30, 20);
	rec_u32x2(&r, 31, 21);
	rec_u64(&r, 555);
	rec_trailer(&r, 30, 31);
	h = rec_end(&r);
	assert_int_equal(decode_task(&layout, h, &task, NULL), 0);
	assert_int_equal(task.pid, 30);
	assert_int_equal(task.ppid, 20);
	assert_int_equal(task.tid, 31);
	assert_int_equal(task.ptid, 21);
	assert_int_equal(task.time, 555);
}

static void
test_lost_throttle(void **state)
{
	const struct perf_event_header *h;
	struct decode_lost lost;
	struct decode_throttle thr;
	struct rec r;

	(void)state;
	rec_start(&r, PERF_RECORD_LOST, 0);
	rec_u64(&r, 42);
	rec_u64(&r, 17);
	rec_trailer(&r, 1, 1);
	h = rec_end(&r);
	assert_int_equal(decode_lost(&layout, h, &lost, NULL), 0);
	assert_int_equal(lost.lost, 17);

	rec_start(&r, PERF_RECORD_LOST_SAMPLES, 0);
	rec_u64(&r, 9);
	rec_trailer(&r, 1, 1);
	h = rec_end(&r);
	assert_int_equal(decode_lost(&layout, h, &lost, NULL), 0);
	assert_int_equal(lost.lost, 9);
	assert_int_equal(lost.id, 42);

	rec_start(&r, PERF_RECORD_THROTTLE, 0);
	rec_u64(&r, 1000);
	rec_u64(&r, 42);
	rec_u64(&r, 43);
	rec_trailer(&r, 1, 1);
	h = rec_end(&r);
	assert_int_equal(decode_throttle(&layout, h, &thr), 0);
	assert_int_equal(thr.id, 42);
	/* Wrong type for each decoder. */
	assert_int_equal(decode_lost(&layout, h, &lost, NULL), -EINVAL);
	assert_int_equal(decode_task(&layout, h, &(struct decode_task){ 0 }, NULL), -EINVAL);
}

/* Random garbage of every size never makes a decoder read out of its record (ASan watches). */
static void
test_garbage(void **state)
{
	unsigned seed = 12345;

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t size = 8 + 8 * (size_t)(rand_r(&seed) % 40);
		uint64_t *buf = malloc(size);
		struct perf_event_header *h = (struct perf_event_header *)buf;
		struct decode_sample s;
		struct decode_mmap2 mm;
		struct decode_comm comm;
		struct decode_task task;
		struct decode_lost lost;
		struct decode_throttle thr;
		static const uint32_t types[] = { PERF_RECORD_SAMPLE, PERF_RECORD_MMAP2,
						  PERF_RECORD_COMM,   PERF_RECORD_FORK,
						  PERF_RECORD_EXIT,   PERF_RECORD_LOST,
						  PERF_RECORD_LOST_SAMPLES, PERF_RECORD_THROTTLE };

		for (size_t i = 0; i < size / 8; i++)
			buf[i] = ((uint64_t)rand_r(&seed) << 33) ^ (uint64_t)rand_r(&seed) %
								  (iter % 2 ? 64 : 1u << 30);
		h->type = types[iter % 8];
		h->size = (uint16_t)size;
		decode_sample(&layout, h, &s);
		decode_mmap2(&layout, h, &mm, NULL);
		decode_comm(&layout, h, &comm, NULL);
		decode_task(&layout, h, &task, NULL);
		decode_lost(&layout, h, &lost, NULL);
		decode_throttle(&layout, h, &thr);
		free(buf);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample_good),	cmocka_unit_test(test_sample_hostile),
		cmocka_unit_test(test_sample_raw_and_stack), cmocka_unit_test(test_mmap2_comm_task),
		cmocka_unit_test(test_lost_throttle),	cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
