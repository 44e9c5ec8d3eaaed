// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: theme files (view/theme), which users write and share: `slot = colour [on colour]
 * [attributes]` lines, comments, colour names and #rrggbb values.
 */
#include "ringside/view/theme.h"
#include "fuzz.h"

FUZZ_TARGET(theme);

int
FUZZ_INIT(theme)(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
FUZZ_ONE(theme)(const uint8_t *data, size_t size)
{
	struct errbuf err = { 0 };
	struct theme t;

	theme_init_default(&t);
	(void)theme_parse(&t, (const char *)data, size, "fuzz.theme", &err);
	theme_fini(&t);
	return 0;
}
