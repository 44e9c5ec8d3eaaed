// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for app/journal: a journal written beside its output holds the intervals appended,
 * reads back, and once at rest (the recording ended) keeps its file and lock but no writer state,
 * and takes no further interval.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/app/journal.h"
#include "ringside/export/stream.h"
#include "ringside/model/frametab.h"
#include "ringside/model/profile.h"
#include "ringside/model/stacktree.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"
#include "stream_profile.h"

/* Samples of one more call path (a new function under main), so every interval adds nodes. */
static void
add_path(struct profile *p, unsigned i)
{
	char name[32];
	uint32_t path[3];

	snprintf(name, sizeof(name), "fn%u", i);
	path[0] = frametab_intern(p->frames, "app", NULL, NULL, 42, FRAME_PROCESS, false);
	path[1] = frametab_intern(p->frames, "main", "/bin/app", NULL, 0, FRAME_USER, false);
	path[2] = frametab_intern(p->frames, name, "/bin/app", NULL, 0, FRAME_USER, false);
	stacktree_insert(p->stacks, path, 3, 5, 0);
	p->sampling.samples += 5;
}

static off_t
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void
test_rest(void **state)
{
	char dir[] = "/tmp/ringside-test-journal.XXXXXX", out[128];
	struct profile *p = stream_profile_new(), *back = NULL;
	struct journal *j = NULL;
	struct stream_stats st;
	struct errbuf err;
	char *path;
	off_t size;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(out, sizeof(out), "%s/run.json", dir);
	errbuf_clear(&err);
	assert_int_equal(journal_open(&j, out, &err), 0);
	path = xstrdup(journal_path(j));
	for (unsigned i = 0; i < 3; i++) {
		add_path(p, i);
		assert_int_equal(journal_append(j, p, (i + 1) * 250000000ull, &err), 0);
	}
	assert_true(journal_memory(j, NULL) > 0);
	size = file_size(path);
	assert_true(size > 0);

	/* At rest: no writer state; the file stays, and takes nothing more. */
	journal_rest(j);
	assert_int_equal(journal_memory(j, NULL), 0);
	add_path(p, 3);
	assert_int_equal(journal_append(j, p, 1000000000ull, &err), 0);
	assert_int_equal(file_size(path), size);
	assert_true(journal_in_use(path));

	/* It reads back as the three intervals written: three paths of 5 samples. */
	assert_int_equal(journal_load(path, &back, &st, &err), 0);
	assert_int_equal(stacktree_samples(back->stacks), 15);
	profile_free(back);

	journal_close(j, true);
	assert_int_equal(file_size(path), -1);
	free(path);
	profile_free(p);
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
