// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for model/frametab: string and frame interning (idempotent, distinct, dense ids),
 * large tables that force the hashes to grow, frame kind names, and released frames (the others
 * still found, their ids taken again, the table no larger).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/frametab.h"

static void
test_empty_string_is_zero(void **state)
{
	(void)state;
	struct frametab *ft = frametab_new();

	assert_int_equal(frametab_nstrings(ft), 1);
	assert_string_equal(frametab_str(ft, 0), "");
	assert_int_equal(frametab_string(ft, ""), 0);
	assert_int_equal(frametab_string(ft, NULL), 0);
	assert_int_equal(frametab_nstrings(ft), 1);
	assert_int_equal(frametab_nframes(ft), 0);
	frametab_free(ft);
	frametab_free(NULL);
}

static void
test_string_interning(void **state)
{
	(void)state;
	struct frametab *ft = frametab_new();
	uint32_t a = frametab_string(ft, "main");
	uint32_t b = frametab_string(ft, "malloc");
	char buf[8];

	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	assert_int_equal(frametab_string(ft, "main"), a);
	/* equal text from another buffer gives the same id: the table copies */
	strcpy(buf, "malloc");
	assert_int_equal(frametab_string(ft, buf), b);
	buf[0] = 'X';
	assert_string_equal(frametab_str(ft, b), "malloc");
	/* prefixes are distinct strings */
	assert_int_not_equal(frametab_string(ft, "mai"), a);
	assert_int_equal(frametab_nstrings(ft), 4);
	frametab_free(ft);
}

static void
test_many_strings(void **state)
{
	(void)state;
	struct frametab *ft = frametab_new();
	enum { N = 100000 };
	char buf[64];

	for (uint32_t i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "function_%u", i);
		assert_int_equal(frametab_string(ft, buf), i + 1);
	}
	assert_int_equal(frametab_nstrings(ft), N + 1);
	for (uint32_t i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "function_%u", i);
		assert_int_equal(frametab_string(ft, buf), i + 1);
		assert_string_equal(frametab_str(ft, i + 1), buf);
	}
	assert_int_equal(frametab_nstrings(ft), N + 1);

	/* a string longer than an arena block */
	size_t len = 200000;
	char *big = malloc(len + 1);
	assert_non_null(big);
	memset(big, 'x', len);
	big[len] = '\0';
	uint32_t id = frametab_string(ft, big);
	assert_int_equal(id, N + 1);
	assert_int_equal(frametab_string(ft, big), id);
	assert_int_equal(strlen(frametab_str(ft, id)), len);
	/* the arena keeps filling after the big block */
	assert_int_equal(frametab_string(ft, "after"), N + 2);
	assert_string_equal(frametab_str(ft, 5), "function_4");
	free(big);

	assert_true(frametab_memory(ft) > N * 10);
	frametab_free(ft);
}

static void
test_frame_interning(void **state)
{
	(void)state;
	struct frametab *ft = frametab_new();
	uint32_t a = frametab_intern(ft, "a", "/bin/x", "x.c", 10, FRAME_USER, false);
	uint32_t a2 = frametab_intern(ft, "a", "/bin/x", "x.c", 10, FRAME_USER, false);
	uint32_t ai = frametab_intern(ft, "a", "/bin/x", "x.c", 10, FRAME_USER, true);
	uint32_t al = frametab_intern(ft, "a", "/bin/x", "x.c", 11, FRAME_USER, false);
	uint32_t ak = frametab_intern(ft, "a", "/bin/x", "x.c", 10, FRAME_LIBRARY, false);
	uint32_t am = frametab_intern(ft, "a", "/bin/y", "x.c", 10, FRAME_USER, false);
	uint32_t af = frametab_intern(ft, "a", "/bin/x", NULL, 10, FRAME_USER, false);
	uint32_t b = frametab_intern(ft, "b", "/bin/x", "x.c", 10, FRAME_USER, false);

	assert_int_equal(a, 0);
	assert_int_equal(a2, a);
	uint32_t ids[] = { a, ai, al, ak, am, af, b };
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(ids[i], i);
		for (size_t j = i + 1; j < 7; j++)
			assert_int_not_equal(ids[i], ids[j]);
	}
	assert_int_equal(frametab_nframes(ft), 7);

	const struct frame *f = frametab_get(ft, ai);
	assert_non_null(f);
	assert_string_equal(frametab_str(ft, f->name), "a");
	assert_string_equal(frametab_str(ft, f->module), "/bin/x");
	assert_string_equal(frametab_str(ft, f->file), "x.c");
	assert_int_equal(f->line, 10);
	assert_int_equal(f->kind, FRAME_USER);
	assert_true(f->inlined);
	f = frametab_get(ft, af);
	assert_int_equal(f->file, 0);
	assert_null(frametab_get(ft, 7));

	/* by ids */
	struct frame g = *frametab_get(ft, b);
	assert_int_equal(frametab_intern_ids(ft, &g), b);
	g.line = 99;
	assert_int_equal(frametab_intern_ids(ft, &g), 7);
	frametab_free(ft);
}

static void
test_many_frames(void **state)
{
	(void)state;
	struct frametab *ft = frametab_new();
	enum { N = 100000 };
	uint32_t mod = frametab_string(ft, "libc.so.6");

	for (uint32_t i = 0; i < N; i++) {
		struct frame f = { .name = mod, .module = mod, .line = i, .kind = FRAME_LIBRARY };
		assert_int_equal(frametab_intern_ids(ft, &f), i);
	}
	for (uint32_t i = 0; i < N; i++) {
		struct frame f = { .name = mod, .module = mod, .line = i, .kind = FRAME_LIBRARY };
		assert_int_equal(frametab_intern_ids(ft, &f), i);
		assert_int_equal(frametab_get(ft, i)->line, i);
	}
	assert_int_equal(frametab_nframes(ft), N);
	assert_true(frametab_memory(ft) > N * sizeof(struct frame));
	frametab_free(ft);
}

static void
test_kind_names(void **state)
{
	(void)state;
	static const char *const want[FRAME_KIND_COUNT] = {
		"root", "process", "thread", "kernel",	  "user",  "library",
		"jit",	"unknown", "other",  "truncated", "state", "host",
	};
	enum frame_kind k;

	for (int i = 0; i < FRAME_KIND_COUNT; i++) {
		assert_string_equal(frame_kind_name((enum frame_kind)i), want[i]);
		k = FRAME_KIND_COUNT;
		assert_true(frame_kind_parse(want[i], &k));
		assert_int_equal(k, i);
	}
	assert_false(frame_kind_parse("Kernel", &k));
	assert_false(frame_kind_parse("", &k));
	assert_false(frame_kind_parse(NULL, &k));
	assert_string_equal(frame_kind_name(FRAME_KIND_COUNT), "unknown");
}

/* Frames of "pids": process frames named by a few comms, line = pid. */
static uint32_t
pid_frame(struct frametab *ft, uint32_t pid)
{
	static const char *const comms[] = { "cc1", "as", "ld", "sh" };

	return frametab_intern(ft, comms[pid % 4], NULL, NULL, pid, FRAME_PROCESS, false);
}

static void
test_release(void **state)
{
	(void)state;
	struct frametab *ft = frametab_new();
	uint32_t *ids = calloc(40000, sizeof(*ids));
	bool *gone = calloc(40000, sizeof(*gone));
	size_t peak, nframes;
	uint64_t rng = 99;

	/* 20000 live pids at most, releasing random ones as new ones come: ids are reused */
	for (uint32_t pid = 0; pid < 20000; pid++)
		ids[pid] = pid_frame(ft, pid);
	nframes = frametab_nframes(ft);
	peak = frametab_memory(ft);
	for (uint32_t pid = 20000; pid < 40000; pid++) {
		uint32_t victim;

		do {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			victim = (uint32_t)(rng % pid);
		} while (gone[victim]);
		frametab_release(ft, ids[victim]);
		gone[victim] = true;
		/* the released id reads as no frame of its own */
		assert_int_equal(frametab_get(ft, ids[victim])->kind, FRAME_KIND_COUNT);
		assert_string_equal(frame_kind_name(FRAME_KIND_COUNT), "unknown");
		ids[pid] = pid_frame(ft, pid);
		assert_int_equal(ids[pid], ids[victim]);
	}
	assert_int_equal(frametab_nframes(ft), nframes);
	assert_true(frametab_memory(ft) <= peak + 64 * 1024);
	/* every live frame is still found under its id, with its fields */
	for (uint32_t pid = 0; pid < 40000; pid++) {
		const struct frame *f;

		if (gone[pid])
			continue;
		assert_int_equal(pid_frame(ft, pid), ids[pid]);
		f = frametab_get(ft, ids[pid]);
		assert_int_equal(f->line, pid);
		assert_int_equal(f->kind, FRAME_PROCESS);
	}
	assert_int_equal(frametab_nframes(ft), nframes);
	/* releasing twice is harmless: the id is taken again once only */
	frametab_release(ft, ids[39999]);
	frametab_release(ft, ids[39999]);
	uint32_t a = pid_frame(ft, 50000), b = pid_frame(ft, 50001);
	assert_int_not_equal(a, b);
	assert_int_equal(a, ids[39999]);
	assert_int_equal(frametab_get(ft, a)->line, 50000);
	assert_int_equal(frametab_get(ft, b)->line, 50001);
	assert_int_equal(frametab_nframes(ft), nframes + 1);
	/* and the released frame's fields, interned again, make a frame of their own */
	uint32_t c = pid_frame(ft, 39999);
	assert_true(c != a && c != b);
	assert_int_equal(frametab_get(ft, c)->line, 39999);
	frametab_free(ft);
	free(ids);
	free(gone);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_string_is_zero),
		cmocka_unit_test(test_string_interning),
		cmocka_unit_test(test_many_strings),
		cmocka_unit_test(test_frame_interning),
		cmocka_unit_test(test_many_frames),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test(test_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
