// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: perf ring records (perf/decode). The first 17 bytes choose the layout (sample_type,
 * sample_regs_user, sample_id_all); the rest is one record whose header size is its length, as the
 * ring hands it over. Every decoder runs on it and every byte a decoded field points to is read,
 * so AddressSanitizer sees any pointer that escapes the record.
 */
#include <string.h>

#include "ringside/perf/decode.h"
#include "fuzz.h"

FUZZ_TARGET(decode);

static uint64_t fuzz_decode_sink;

static void
fuzz_decode_touch(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		fuzz_decode_sink += c[i];
}

int
FUZZ_INIT(decode)(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
FUZZ_ONE(decode)(const uint8_t *data, size_t size)
{
	static uint64_t rec[65536 / 8];
	struct perf_event_header *h = (struct perf_event_header *)rec;
	struct decode_layout l;
	struct decode_sample s;
	struct decode_mmap2 mm;
	struct decode_comm comm;
	struct decode_task task;
	struct decode_lost lost;
	struct decode_throttle thr;
	struct decode_id id;
	uint64_t t;
	bool out;

	if (size < 17 + sizeof(*h))
		return 0;
	memcpy(&l.sample_type, data, 8);
	memcpy(&l.regs_user_mask, data + 8, 8);
	l.sample_id_all = data[16] & 1;
	l.sample_type &= DECODE_SAMPLE_TYPES;
	data += 17;
	size -= 17;
	if (size > sizeof(rec))
		size = sizeof(rec) - 8;
	memcpy(rec, data, size);
	h->size = (uint16_t)size;
	if (!decode_sample_type_ok(l.sample_type))
		return 0;
	if (decode_time(&l, h, &t))
		fuzz_decode_sink += t;
	if (decode_sample(&l, h, &s) == 0) {
		fuzz_decode_touch(s.ips, s.nr * 8);
		fuzz_decode_touch(s.raw, s.raw_size);
		if (s.regs_abi)
			fuzz_decode_touch(s.regs,
					  8 * (size_t)__builtin_popcountll(l.regs_user_mask));
		fuzz_decode_touch(s.stack, s.stack_size);
	}
	if (decode_mmap2(&l, h, &mm, &id) == 0)
		fuzz_decode_touch(mm.filename, strlen(mm.filename));
	if (decode_comm(&l, h, &comm, &id) == 0)
		fuzz_decode_touch(comm.comm, strlen(comm.comm));
	if (decode_task(&l, h, &task, &id) == 0)
		fuzz_decode_sink += task.time;
	if (decode_lost(&l, h, &lost, NULL) == 0)
		fuzz_decode_sink += lost.lost;
	if (decode_switch(&l, h, &id, &out) == 0)
		fuzz_decode_sink += id.time + out;
	if (decode_throttle(&l, h, &thr) == 0)
		fuzz_decode_sink += thr.time;
	return 0;
}
