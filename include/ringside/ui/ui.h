/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The live screen and `ringside view`: entry points for main.c.
 */
#ifndef RINGSIDE_UI_UI_H
#define RINGSIDE_UI_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "ringside/app/record.h"
#include "ringside/sym/annotate.h"

struct ui_opts {
	struct record_opts rec; /* target, events, sampling; rec.output: written on quit */
	const char *theme;	/* --theme NAME, NULL for the default */
	bool ascii;		/* --ascii: no Unicode on screen */
	bool braille;		/* --braille: two values per sparkline cell */
	const char *view;	/* --view NAME: the view shown first, NULL for the overview */
	struct annotate_opts annotate; /* --source-path, --source-prefix (arrays: the caller's) */
};

/* Profile live; returns the exit code (0, 1 runtime failure, 2 bad input). */
int ui_live_main(const struct ui_opts *opts);
/* Show the snapshot at path (.json or .html) frozen; returns the exit code. */
int ui_view_main(const char *path, const struct ui_opts *opts);

#endif
