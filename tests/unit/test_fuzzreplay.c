// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Every fuzz target (tests/fuzz) replayed over its seed corpus (tests/data/fuzz/TARGET) and over
 * the inputs that once made it crash (tests/data/fuzz-regress/TARGET), in every build: the
 * sanitizer build of make check thus keeps each fixed fuzz finding fixed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "../fuzz/fuzz.h"

FUZZ_TARGET(decode);
FUZZ_TARGET(snapshot);
FUZZ_TARGET(html);
FUZZ_TARGET(evspec);
FUZZ_TARGET(theme);
FUZZ_TARGET(jitmap);
FUZZ_TARGET(procmaps);
FUZZ_TARGET(kallsyms);
FUZZ_TARGET(schedtp);
FUZZ_TARGET(stream);

struct target {
	const char *name;
	int (*init)(int *argc, char ***argv);
	int (*one)(const uint8_t *data, size_t size);
};

static uint8_t *
read_whole(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	size_t cap = 4096, n = 0, r;
	uint8_t *buf;

	if (!fp)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	buf = xmalloc(cap);
	while ((r = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	fclose(fp);
	*len = n;
	return buf;
}

/* Run t over every file in dir; returns how many (0 when dir does not exist). */
static size_t
replay_dir(const struct target *t, const char *dir)
{
	struct dirent **names = NULL;
	int n = scandir(dir, &names, NULL, alphasort);
	size_t done = 0;

	if (n < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		char *path;
		uint8_t *data;
		size_t len;

		if (names[i]->d_name[0] == '.') {
			free(names[i]);
			continue;
		}
		path = xasprintf("%s/%s", dir, names[i]->d_name);
		data = read_whole(path, &len);
		print_message("# %s: %s (%zu bytes)\n", t->name, path, len);
		t->one(data, len);
		free(data);
		free(path);
		free(names[i]);
		done++;
	}
	free(names);
	return done;
}

static void
replay(void **state)
{
	const struct target *t = *state;
	const char *data = getenv("TESTDATA");
	char *seeds, *regress;
	int argc = 1;
	char *args[] = { (char *)"test_fuzzreplay", NULL }, **argv = args;
	size_t nseeds;

	assert_non_null(data);
	seeds = xasprintf("%s/fuzz/%s", data, t->name);
	regress = xasprintf("%s/fuzz-regress/%s", data, t->name);
	t->init(&argc, &argv);
	nseeds = replay_dir(t, seeds);
	if (nseeds == 0)
		fail_msg("no seed inputs in %s", seeds);
	replay_dir(t, regress);
	free(seeds);
	free(regress);
}

#define TARGET(n) static const struct target target_##n = { #n, fuzz_##n##_init, fuzz_##n##_one }

TARGET(decode);
TARGET(snapshot);
TARGET(html);
TARGET(evspec);
TARGET(theme);
TARGET(jitmap);
TARGET(procmaps);
TARGET(kallsyms);
TARGET(schedtp);
TARGET(stream);

#define REPLAY(n)                                                                                  \
	{                                                                                          \
		.name = "replay " #n, .test_func = replay, .initial_state = (void *)&target_##n    \
	}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		REPLAY(decode), REPLAY(snapshot), REPLAY(html),	    REPLAY(evspec),  REPLAY(theme),
		REPLAY(jitmap), REPLAY(procmaps), REPLAY(kallsyms), REPLAY(schedtp), REPLAY(stream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
