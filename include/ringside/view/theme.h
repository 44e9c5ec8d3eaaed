/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Colour themes for the live screen, parsed without curses: `key = value` lines where a value is
 * a foreground colour, optionally `on` a background colour, and attributes (bold, dim, underline,
 * reverse). A colour is a name (black, red, green, yellow, blue, magenta, cyan, white, their
 * bright- forms, default) or #RRGGBB; the screen maps it to the nearest colour the terminal has.
 * '#' starts a comment when followed by a space or at the start of a line. A theme file sets only
 * the keys it names; the rest keep the built-in default dark theme's values.
 */
#ifndef RINGSIDE_VIEW_THEME_H
#define RINGSIDE_VIEW_THEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/util/errbuf.h"

/* Every element the screen colours. */
enum theme_slot {
	THEME_NORMAL, /* text on the screen's background */
	THEME_DIM,    /* secondary text (units, labels) */
	THEME_TITLE,  /* the top bar */
	THEME_TAB,    /* the current view's name in the top bar */
	THEME_STATUS, /* the bottom status line */
	THEME_HEADER, /* table and panel headers */
	THEME_SPARK,  /* counter sparklines */
	THEME_RATIO,  /* ratio sparklines */
	THEME_NA,     /* "n/a" values */
	THEME_WARN,   /* warnings: lost samples, multiplexing, banners */
	THEME_ERROR,  /* errors on the status line */
	THEME_SELECT, /* the selected row or frame */
	THEME_MATCH,  /* search matches */
	THEME_BUSY,   /* CPU busy bars */
	THEME_KERNEL, /* flamegraph frames by kind */
	THEME_USER,
	THEME_LIBRARY,
	THEME_JIT,
	THEME_UNKNOWN,
	THEME_PROCESS, /* process and thread frames, the root */
	THEME_IDLE,    /* idle cells of the scheduler map */
	THEME_TASK1,   /* task colours of the scheduler map, cycled */
	THEME_TASK2,
	THEME_TASK3,
	THEME_TASK4,
	THEME_TASK5,
	THEME_TASK6,
	THEME_SLOT_COUNT
};

#define THEME_NTASK_COLORS 6

/* A colour: the terminal's default, one of the 16 ANSI colours, or an RGB value. */
enum theme_color_kind { THEME_COLOR_DEFAULT, THEME_COLOR_ANSI, THEME_COLOR_RGB };

struct theme_color {
	enum theme_color_kind kind;
	uint32_t value; /* ANSI: 0..15; RGB: 0xRRGGBB */
};

enum theme_attr {
	THEME_ATTR_BOLD = 1u << 0,
	THEME_ATTR_DIM = 1u << 1,
	THEME_ATTR_UNDERLINE = 1u << 2,
	THEME_ATTR_REVERSE = 1u << 3,
};

struct theme_style {
	struct theme_color fg, bg;
	unsigned attrs; /* enum theme_attr bits */
};

struct theme {
	char *name;
	struct theme_style slot[THEME_SLOT_COUNT];
};

/* The key of a slot in theme files ("normal", "kernel", "task1", ...). */
const char *theme_slot_key(enum theme_slot slot);
/* Set t to the built-in default dark theme named "dark". */
void theme_init_default(struct theme *t);
/* Free what t owns. */
void theme_fini(struct theme *t);
/*
 * Apply the text of a theme file (len bytes; need not be NUL-terminated) over t. Returns 0, or
 * -EINVAL with err naming what (where, e.g. the file) and the line at fault; t is left unchanged
 * on error.
 */
int theme_parse(struct theme *t, const char *text, size_t len, const char *where,
		struct errbuf *err);
/* Parse one colour word ("red", "bright-blue", "#ff8800", "default"); false when invalid. */
bool theme_color_parse(const char *word, struct theme_color *out);
/* The nearest of the 16 ANSI colours (first ncolors of them, 8 or 16) to an RGB value. */
unsigned theme_nearest_ansi(uint32_t rgb, unsigned ncolors);
/* The nearest xterm-256 palette index (16..255) to an RGB value. */
unsigned theme_nearest_256(uint32_t rgb);
/* The RGB value of ANSI colour i (0..15), for distance comparisons. */
uint32_t theme_ansi_rgb(unsigned i);
/* The largest theme file read: a theme is some twenty lines, so 1 MiB is generous. */
#define THEME_MAX_BYTES ((size_t)1 << 20)

/*
 * Load theme name: a path (contains '/'), $XDG_CONFIG_HOME/ringside/themes/NAME.theme (or
 * ~/.config/...), the installed themes directory, or a built-in theme (dark, light, mono).
 * Returns 0, -ENOENT with err when no such theme exists, -EINVAL with err for a bad file, or the
 * -errno of a file that cannot be read, -ESPIPE (not a regular file) or -EFBIG (over
 * THEME_MAX_BYTES) recorded as bad input; in every case t holds a usable theme (the default on
 * error). For a plain name (no '/'), err->code is -ENOENT exactly when no theme of that name
 * exists, whatever the returned code.
 */
int theme_load(struct theme *t, const char *name, const char *datadir, struct errbuf *err);
/* The built-in themes' names and texts (from the themes directory, compiled in). */
size_t theme_builtin_count(void);
const char *theme_builtin_name(size_t i);
const char *theme_builtin_text(size_t i);

#endif
