// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Folded stacks from a stack tree built by hand: threads merge into their process, processes with
 * the same comm merge, names are made safe for the format, lines are sorted, counts are self
 * counts.
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

#include "ringside/export/folded.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

static uint32_t
fr(struct profile *p, const char *name, enum frame_kind kind, uint32_t line)
{
	return frametab_intern(p->frames, name, "mod", NULL, line, kind, false);
}

static void
add(struct profile *p, const char *comm, int pid, int tid, const char *const *frames,
    uint64_t weight)
{
	uint32_t path[16];
	size_t n = 0;

	path[n++] = fr(p, comm, FRAME_PROCESS, (uint32_t)pid);
	path[n++] = fr(p, comm, FRAME_THREAD, (uint32_t)tid);
	for (; *frames; frames++)
		path[n++] = fr(p, *frames, FRAME_USER, 0);
	stacktree_insert(p->stacks, path, n, weight, 0);
}

static char *
folded(const struct profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct errbuf err;

	errbuf_clear(&err);
	assert_int_equal(folded_write(p, f, &err), 0);
	fclose(f);
	return buf;
}

static void
test_merge_and_sort(void **state)
{
	struct profile *p = profile_new();
	char *out;

	(void)state;
	profile_enable_stacks(p, 0, 0);
	add(p, "app", 10, 10, (const char *const[]){ "main", "a", "b", NULL }, 3);
	add(p, "app", 10, 11, (const char *const[]){ "main", "a", "b", NULL }, 2); /* thread */
	add(p, "app", 20, 20, (const char *const[]){ "main", "a", "b", NULL }, 1); /* process */
	add(p, "app", 10, 10, (const char *const[]){ "main", "a", "c", NULL }, 4);
	add(p, "app", 10, 10, (const char *const[]){ "main", "a", NULL }, 1); /* self in a */
	add(p, "db", 30, 30, (const char *const[]){ "loop", NULL }, 7);
	out = folded(p);
	assert_string_equal(out, "app;main;a 1\n"
				 "app;main;a;b 6\n"
				 "app;main;a;c 4\n"
				 "db;loop 7\n");
	free(out);
	profile_free(p);
}

static void
test_unsafe_names(void **state)
{
	struct profile *p = profile_new();
	char *out;

	(void)state;
	profile_enable_stacks(p, 0, 0);
	add(p, "we;ird", 1, 1, (const char *const[]){ "f;g", "multi\nline", "", NULL }, 2);
	out = folded(p);
	assert_string_equal(out, "we:ird;f:g;multi line;[unknown] 2\n");
	free(out);
	profile_free(p);
}

static void
test_lost_line(void **state)
{
	struct profile *p = profile_new();
	char *out;

	(void)state;
	profile_enable_stacks(p, 0, 0);
	add(p, "app", 1, 1, (const char *const[]){ "main", NULL }, 5);
	p->sampling.lost = 12;
	out = folded(p);
	assert_string_equal(out, "app;main 5\n[lost samples] 12\n");
	free(out);
	profile_free(p);
}

static void
test_no_stacks(void **state)
{
	struct profile *p = profile_new();
	struct errbuf err;
	FILE *f = fopen("/dev/null", "w");

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(folded_write(p, f, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "no samples"));
	fclose(f);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_and_sort),
		cmocka_unit_test(test_unsafe_names),
		cmocka_unit_test(test_lost_line),
		cmocka_unit_test(test_no_stacks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
