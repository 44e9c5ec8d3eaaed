// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pprof from a stack tree built by hand, read back: gunzipped with zlib and unpacked with
 * protobuf-c's own decoder, the message has the sample types, period and times, one sample per
 * path with samples of its own (locations leaf first, pid/tid/comm/thread labels), one function
 * and location per frame, one mapping per module with its flags, and the lost samples in a
 * comment. A profile without stacks is refused; a failed write is reported.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pprof.pb-c.h"
#include "ringside/export/pprof.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

typedef Ringside__Pprof__Profile msg_t;

static void
add(struct profile *p, int pid, int tid, const char *const *frames, uint64_t weight)
{
	uint32_t path[16];
	size_t n = 0;

	path[n++] =
		frametab_intern(p->frames, "app", NULL, NULL, (uint32_t)pid, FRAME_PROCESS, false);
	path[n++] = frametab_intern(p->frames, tid == pid ? "app" : "app-w", NULL, NULL,
				    (uint32_t)tid, FRAME_THREAD, false);
	for (; *frames; frames++) {
		bool kernel = strncmp(*frames, "k_", 2) == 0;

		path[n++] = frametab_intern(p->frames, *frames, kernel ? "[kernel]" : "/bin/app",
					    kernel ? NULL : "app.c", kernel ? 0 : 42,
					    kernel ? FRAME_KERNEL : FRAME_USER, false);
	}
	stacktree_insert(p->stacks, path, n, weight, 0);
}

/* pprof_write p, gunzip and unpack. */
static msg_t *
encode(const struct profile *p)
{
	char *buf = NULL;
	size_t len = 0, cap = 1 << 20;
	FILE *f = open_memstream(&buf, &len);
	struct errbuf err;
	uint8_t *raw = malloc(cap);
	uLongf rawlen;
	z_stream z = { 0 };
	msg_t *m;

	errbuf_clear(&err);
	assert_int_equal(pprof_write(p, f, &err), 0);
	fclose(f);
	assert_true(len > 18);
	assert_int_equal((uint8_t)buf[0], 0x1f); /* gzip magic */
	assert_int_equal((uint8_t)buf[1], 0x8b);
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)buf;
	z.avail_in = (uInt)len;
	z.next_out = raw;
	z.avail_out = (uInt)cap;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	rawlen = z.total_out;
	inflateEnd(&z);
	m = ringside__pprof__profile__unpack(NULL, rawlen, raw);
	assert_non_null(m);
	free(raw);
	free(buf);
	return m;
}

static const char *
str(const msg_t *m, int64_t i)
{
	assert_true(i >= 0 && (size_t)i < m->n_string_table);
	return m->string_table[i];
}

static const char *
fn_name(const msg_t *m, uint64_t loc)
{
	const Ringside__Pprof__Location *l = m->location[loc - 1];

	assert_int_equal(l->id, loc);
	assert_int_equal(l->n_line, 1);
	return str(m, m->function[l->line[0]->function_id - 1]->name);
}

static int64_t
label(const Ringside__Pprof__Sample *s, const msg_t *m, const char *key, const char **sv)
{
	for (size_t i = 0; i < s->n_label; i++)
		if (strcmp(str(m, s->label[i]->key), key) == 0) {
			if (sv)
				*sv = str(m, s->label[i]->str);
			return s->label[i]->num;
		}
	fail_msg("no label %s", key);
	return -1;
}

static void
test_profile(void **state)
{
	struct profile *p = profile_new();
	const Ringside__Pprof__Sample *s;
	const char *comm, *thread;
	msg_t *m;
	int found = 0;

	(void)state;
	profile_enable_stacks(p, 0, 0);
	p->sampling.freq = 1000;
	p->sampling.event = strdup("cpu-clock");
	p->sampling.lost = 7;
	p->meta.start_unix_ns = 1700000000000000000;
	p->meta.duration_ns = 3000000000;
	add(p, 10, 10, (const char *const[]){ "main", "a", "b", NULL }, 3);
	add(p, 10, 11, (const char *const[]){ "main", "a", "k_write", NULL }, 2);
	add(p, 10, 10, (const char *const[]){ "main", "a", NULL }, 1);
	m = encode(p);
	assert_string_equal(str(m, 0), "");
	assert_int_equal(m->n_sample_type, 2);
	assert_string_equal(str(m, m->sample_type[0]->type), "samples");
	assert_string_equal(str(m, m->sample_type[0]->unit), "count");
	assert_string_equal(str(m, m->sample_type[1]->type), "cpu");
	assert_string_equal(str(m, m->sample_type[1]->unit), "nanoseconds");
	assert_string_equal(str(m, m->period_type->unit), "nanoseconds");
	assert_int_equal(m->period, 1000000);
	assert_int_equal(m->time_nanos, 1700000000000000000);
	assert_int_equal(m->duration_nanos, 3000000000);
	assert_int_equal(m->n_sample, 3);
	assert_int_equal(m->n_function, 4); /* main a b k_write, one each */
	assert_int_equal(m->n_location, 4);
	assert_int_equal(m->n_mapping, 2);
	for (size_t i = 0; i < m->n_sample; i++) {
		s = m->sample[i];
		assert_int_equal(s->n_value, 2);
		assert_int_equal(s->value[1], s->value[0] * 1000000);
		assert_int_equal(label(s, m, "pid", NULL), 10);
		label(s, m, "comm", &comm);
		assert_string_equal(comm, "app");
		label(s, m, "thread", &thread);
		if (s->n_location_id == 3 && strcmp(fn_name(m, s->location_id[0]), "b") == 0) {
			assert_int_equal(s->value[0], 3);
			assert_string_equal(fn_name(m, s->location_id[1]), "a");
			assert_string_equal(fn_name(m, s->location_id[2]), "main");
			assert_int_equal(label(s, m, "tid", NULL), 10);
			found++;
		} else if (s->n_location_id == 3) {
			assert_string_equal(fn_name(m, s->location_id[0]), "k_write");
			assert_int_equal(s->value[0], 2);
			assert_int_equal(label(s, m, "tid", NULL), 11);
			assert_string_equal(thread, "app-w");
			found++;
		} else {
			assert_int_equal(s->n_location_id, 2);
			assert_string_equal(fn_name(m, s->location_id[0]), "a");
			assert_int_equal(s->value[0], 1);
			found++;
		}
	}
	assert_int_equal(found, 3);
	for (size_t i = 0; i < m->n_mapping; i++) {
		const Ringside__Pprof__Mapping *mp = m->mapping[i];
		bool user = strcmp(str(m, mp->filename), "/bin/app") == 0;

		assert_true(user || strcmp(str(m, mp->filename), "[kernel]") == 0);
		assert_true(mp->has_functions);
		assert_int_equal(mp->has_filenames, user);
		assert_false(mp->has_line_numbers);
	}
	for (size_t i = 0; i < m->n_function; i++)
		if (strcmp(str(m, m->function[i]->name), "b") == 0) {
			assert_string_equal(str(m, m->function[i]->filename), "app.c");
			assert_int_equal(m->function[i]->start_line, 42);
		}
	found = 0;
	for (size_t i = 0; i < m->n_comment; i++)
		found += strstr(str(m, m->comment[i]), "lost samples: 7") != NULL;
	assert_int_equal(found, 1);
	ringside__pprof__profile__free_unpacked(m, NULL);
	profile_free(p);
}

/* A fixed period of an event that is not a clock counts that event, not nanoseconds. */
static void
test_event_period(void **state)
{
	struct profile *p = profile_new();
	msg_t *m;

	(void)state;
	profile_enable_stacks(p, 0, 0);
	p->sampling.period = 100000;
	p->sampling.event = strdup("page-faults");
	add(p, 5, 5, (const char *const[]){ "main", NULL }, 4);
	m = encode(p);
	assert_string_equal(str(m, m->sample_type[1]->type), "page-faults");
	assert_string_equal(str(m, m->sample_type[1]->unit), "events");
	assert_int_equal(m->period, 100000);
	assert_int_equal(m->sample[0]->value[1], 400000);
	ringside__pprof__profile__free_unpacked(m, NULL);
	profile_free(p);
}

static void
test_refusals(void **state)
{
	struct profile *p = profile_new();
	struct errbuf err;
	FILE *f = fopen("/dev/full", "w");

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(pprof_write(p, stdout, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no samples"));
	profile_enable_stacks(p, 0, 0);
	add(p, 5, 5, (const char *const[]){ "main", NULL }, 4);
	assert_non_null(f);
	setvbuf(f, NULL, _IONBF, 0);
	errbuf_clear(&err);
	assert_int_equal(pprof_write(p, f, &err), -EIO);
	assert_non_null(strstr(err.msg, "No space left"));
	fclose(f);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_profile),
		cmocka_unit_test(test_event_period),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
