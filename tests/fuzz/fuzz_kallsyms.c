// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: /proc/kallsyms (sym/kallsyms): "address type name [module]" lines, parsed in place.
 * Symbols loaded from the input are then looked up at addresses the input also gives.
 */
#include <string.h>

#include "ringside/sym/kallsyms.h"
#include "fuzz.h"
#include "fuzz_file.h"

FUZZ_TARGET(kallsyms);

static int fuzz_kallsyms_fd = -1;
static char fuzz_kallsyms_path[64];
static size_t fuzz_kallsyms_sink;

int
FUZZ_INIT(kallsyms)(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
FUZZ_ONE(kallsyms)(const uint8_t *data, size_t size)
{
	struct kallsyms *ks = NULL;
	struct kallsyms_sym sym;
	const char *path;

	path = fuzz_file_put(&fuzz_kallsyms_fd, fuzz_kallsyms_path, sizeof(fuzz_kallsyms_path),
			     data, size);
	if (!path || kallsyms_load(path, &ks) != 0)
		return 0;
	for (size_t i = 0; i + 8 <= size && i < 256; i += 8) {
		uint64_t addr;

		memcpy(&addr, data + i, 8);
		if (kallsyms_find(ks, addr, &sym))
			fuzz_kallsyms_sink += strlen(sym.name) + strlen(sym.module);
		if (kallsyms_find(ks, addr & 0xffffffffffffULL, &sym))
			fuzz_kallsyms_sink += strlen(sym.name) + strlen(sym.module);
	}
	fuzz_kallsyms_sink += kallsyms_count(ks) + kallsyms_memory(ks) + kallsyms_restricted(ks);
	kallsyms_free(ks);
	return 0;
}
