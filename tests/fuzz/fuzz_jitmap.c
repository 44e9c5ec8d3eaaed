// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: perf JIT maps (sym/jitmap), /tmp/perf-PID.map files any process can write:
 * "START SIZE name" lines. The input is loaded, then grown by its own first half (as runtimes
 * append) and reloaded, and symbols are looked up at addresses it gives.
 */
#include <string.h>

#include "ringside/sym/jitmap.h"
#include "fuzz.h"
#include "fuzz_file.h"

FUZZ_TARGET(jitmap);

static int fuzz_jitmap_fd = -1;
static char fuzz_jitmap_path[64];
static size_t fuzz_jitmap_sink;

int
FUZZ_INIT(jitmap)(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void
fuzz_jitmap_lookups(const struct jitmap *jm, const uint8_t *data, size_t size)
{
	struct jitmap_sym sym;

	for (size_t i = 0; i + 8 <= size && i < 256; i += 8) {
		uint64_t addr;

		memcpy(&addr, data + i, 8);
		if (jitmap_find(jm, addr, &sym))
			fuzz_jitmap_sink += strlen(sym.name) + sym.size;
	}
	fuzz_jitmap_sink += jitmap_count(jm) + jitmap_memory(jm);
}

int
FUZZ_ONE(jitmap)(const uint8_t *data, size_t size)
{
	struct jitmap *jm;
	const char *path;

	path = fuzz_file_put(&fuzz_jitmap_fd, fuzz_jitmap_path, sizeof(fuzz_jitmap_path), data,
			     size / 2);
	if (!path)
		return 0;
	jm = jitmap_new(path);
	(void)jitmap_refresh(jm);
	fuzz_jitmap_lookups(jm, data, size);
	/* The file grows (appended lines, perhaps ending a half-written one): reload from there. */
	path = fuzz_file_put(&fuzz_jitmap_fd, fuzz_jitmap_path, sizeof(fuzz_jitmap_path), data,
			     size);
	if (path) {
		(void)jitmap_refresh(jm);
		fuzz_jitmap_lookups(jm, data, size);
	}
	jitmap_free(jm);
	return 0;
}
