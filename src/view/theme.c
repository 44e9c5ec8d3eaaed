// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Theme files: parsing, colour words, nearest-colour mapping and the search for a theme by name.
 * No curses here: the screen turns a theme into colour pairs.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ringside/util/infile.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/theme.h"

static const char *const theme_keys[THEME_SLOT_COUNT] = {
	[THEME_NORMAL] = "normal",   [THEME_DIM] = "dim",	  [THEME_TITLE] = "title",
	[THEME_TAB] = "tab",	     [THEME_STATUS] = "status",	  [THEME_HEADER] = "header",
	[THEME_SPARK] = "spark",     [THEME_RATIO] = "ratio",	  [THEME_NA] = "na",
	[THEME_WARN] = "warn",	     [THEME_ERROR] = "error",	  [THEME_SELECT] = "select",
	[THEME_MATCH] = "match",     [THEME_BUSY] = "busy",	  [THEME_KERNEL] = "kernel",
	[THEME_USER] = "user",	     [THEME_LIBRARY] = "library", [THEME_JIT] = "jit",
	[THEME_UNKNOWN] = "unknown", [THEME_PROCESS] = "process", [THEME_IDLE] = "idle",
	[THEME_TASK1] = "task1",     [THEME_TASK2] = "task2",	  [THEME_TASK3] = "task3",
	[THEME_TASK4] = "task4",     [THEME_TASK5] = "task5",	  [THEME_TASK6] = "task6",
};

static const char *const theme_ansi_names[16] = {
	"black", "red", "green", "yellow", "blue", "magenta", "cyan", "white",
};

/* xterm's values for the 16 ANSI colours. */
static const uint32_t theme_ansi_values[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd, 0x00cdcd, 0xe5e5e5,
	0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00, 0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

const char *
theme_slot_key(enum theme_slot slot)
{
	return (unsigned)slot < THEME_SLOT_COUNT ? theme_keys[slot] : "?";
}

uint32_t
theme_ansi_rgb(unsigned i)
{
	return theme_ansi_values[i & 15];
}

static int
theme_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool
theme_color_parse(const char *word, struct theme_color *out)
{
	const char *base = word;
	bool bright = false;

	if (strcmp(word, "default") == 0) {
		*out = (struct theme_color){ THEME_COLOR_DEFAULT, 0 };
		return true;
	}
	if (word[0] == '#') {
		uint32_t v = 0;

		if (strlen(word) != 7)
			return false;
		for (int i = 1; i < 7; i++) {
			int h = theme_hexval((unsigned char)word[i]);

			if (h < 0)
				return false;
			v = v << 4 | (uint32_t)h;
		}
		*out = (struct theme_color){ THEME_COLOR_RGB, v };
		return true;
	}
	if (strncmp(word, "bright-", 7) == 0) {
		bright = true;
		base = word + 7;
	}
	for (unsigned i = 0; i < 8; i++) {
		if (strcmp(base, theme_ansi_names[i]) == 0) {
			*out = (struct theme_color){ THEME_COLOR_ANSI, i + (bright ? 8u : 0u) };
			return true;
		}
	}
	return false;
}

/* Squared distance with weights for how the eye sees red, green and blue. */
static unsigned long
theme_distance(uint32_t a, uint32_t b)
{
	long dr = (long)(a >> 16 & 255) - (long)(b >> 16 & 255);
	long dg = (long)(a >> 8 & 255) - (long)(b >> 8 & 255);
	long db = (long)(a & 255) - (long)(b & 255);

	return (unsigned long)(2 * dr * dr + 4 * dg * dg + 3 * db * db);
}

unsigned
theme_nearest_ansi(uint32_t rgb, unsigned ncolors)
{
	unsigned best = 0;
	unsigned long bestd = (unsigned long)-1;

	if (ncolors > 16)
		ncolors = 16;
	for (unsigned i = 0; i < ncolors; i++) {
		unsigned long d = theme_distance(rgb, theme_ansi_values[i]);

		if (d < bestd) {
			bestd = d;
			best = i;
		}
	}
	return best;
}

/* The xterm-256 cube's six levels. */
static const unsigned theme_cube[6] = { 0, 95, 135, 175, 215, 255 };

static unsigned
theme_cube_index(unsigned v)
{
	unsigned best = 0;

	for (unsigned i = 1; i < 6; i++)
		if (abs((int)theme_cube[i] - (int)v) < abs((int)theme_cube[best] - (int)v))
			best = i;
	return best;
}

unsigned
theme_nearest_256(uint32_t rgb)
{
	unsigned r = theme_cube_index(rgb >> 16 & 255), g = theme_cube_index(rgb >> 8 & 255),
		 b = theme_cube_index(rgb & 255);
	uint32_t cube = theme_cube[r] << 16 | theme_cube[g] << 8 | theme_cube[b];
	unsigned avg = ((rgb >> 16 & 255) + (rgb >> 8 & 255) + (rgb & 255)) / 3;
	unsigned gi = avg > 238 ? 23 : avg < 8 ? 0 : (avg - 8) / 10;
	uint32_t grey = (8 + gi * 10) * 0x010101u;

	if (theme_distance(rgb, grey) < theme_distance(rgb, cube))
		return 232 + gi;
	return 16 + 36 * r + 6 * g + b;
}

/* Parse one value ("black on #ff0000 bold") into style. */
static bool
theme_parse_value(char *value, struct theme_style *style, char *bad, size_t badlen)
{
	struct theme_style st = { 0 };
	bool have_fg = false, want_bg = false, have_bg = false;

	for (char *save = NULL, *w = strtok_r(value, " \t", &save); w;
	     w = strtok_r(NULL, " \t", &save)) {
		if (want_bg) {
			if (!theme_color_parse(w, &st.bg))
				goto bad;
			want_bg = false;
			have_bg = true;
		} else if (strcmp(w, "on") == 0 && have_fg && !have_bg) {
			want_bg = true;
		} else if (strcmp(w, "bold") == 0) {
			st.attrs |= THEME_ATTR_BOLD;
		} else if (strcmp(w, "dim") == 0) {
			st.attrs |= THEME_ATTR_DIM;
		} else if (strcmp(w, "underline") == 0) {
			st.attrs |= THEME_ATTR_UNDERLINE;
		} else if (strcmp(w, "reverse") == 0) {
			st.attrs |= THEME_ATTR_REVERSE;
		} else if (!have_fg && theme_color_parse(w, &st.fg)) {
			have_fg = true;
		} else {
		bad:
			snprintf(bad, badlen, "%s", w);
			return false;
		}
	}
	if (want_bg) {
		snprintf(bad, badlen, "on");
		return false;
	}
	if (!have_fg) {
		snprintf(bad, badlen, "(no colour)");
		return false;
	}
	*style = st;
	return true;
}

static char *
theme_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int
theme_parse(struct theme *t, const char *text, size_t len, const char *where, struct errbuf *err)
{
	struct theme_style slots[THEME_SLOT_COUNT];
	size_t pos = 0;
	unsigned lineno = 0;

	memcpy(slots, t->slot, sizeof(slots));
	while (pos < len) {
		size_t end = pos;
		char line[512], *key, *value, *eq, *hash, bad[64];
		int slot = -1;

		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		if (end - pos >= sizeof(line))
			return errbuf_fail(err, -EINVAL,
					   "%s:%u: line too long; keep theme lines short", where,
					   lineno);
		memcpy(line, text + pos, end - pos);
		line[end - pos] = '\0';
		pos = end + 1;
		/* '#' begins a comment at the line's start or before white space (#RRGGBB does
		 * not). */
		for (hash = line; (hash = strchr(hash, '#')); hash++) {
			if (hash == line || hash[1] == ' ' || hash[1] == '\t' || hash[1] == '\0') {
				*hash = '\0';
				break;
			}
		}
		key = theme_trim(line);
		if (!*key)
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return errbuf_fail(err, -EINVAL, "%s:%u: expected 'key = colour', got '%s'",
					   where, lineno, key);
		*eq = '\0';
		value = theme_trim(eq + 1);
		key = theme_trim(key);
		for (int i = 0; i < THEME_SLOT_COUNT; i++)
			if (strcmp(key, theme_keys[i]) == 0)
				slot = i;
		if (slot < 0)
			return errbuf_fail(err, -EINVAL,
					   "%s:%u: unknown key '%s' (keys: normal, dim, title, "
					   "kernel, user, task1..task6, ...)",
					   where, lineno, key);
		if (!theme_parse_value(value, &slots[slot], bad, sizeof(bad)))
			return errbuf_fail(err, -EINVAL,
					   "%s:%u: bad value '%s' for %s; use a colour name, "
					   "#RRGGBB, 'on' COLOUR, bold, dim, underline or reverse",
					   where, lineno, bad, key);
	}
	memcpy(t->slot, slots, sizeof(slots));
	return 0;
}

/* The built-in themes, generated from the themes directory at build time (theme-builtins.c). */
struct theme_builtin {
	const char *name;
	const char *text;
};
extern const struct theme_builtin theme_builtins[];
extern const size_t theme_nbuiltins;

size_t
theme_builtin_count(void)
{
	return theme_nbuiltins;
}

const char *
theme_builtin_name(size_t i)
{
	return i < theme_nbuiltins ? theme_builtins[i].name : NULL;
}

const char *
theme_builtin_text(size_t i)
{
	return i < theme_nbuiltins ? theme_builtins[i].text : NULL;
}

static const char *
theme_builtin_find(const char *name)
{
	for (size_t i = 0; i < theme_nbuiltins; i++)
		if (strcmp(theme_builtins[i].name, name) == 0)
			return theme_builtins[i].text;
	return NULL;
}

void
theme_init_default(struct theme *t)
{
	const char *text = theme_builtin_find("dark");
	struct errbuf ignored;

	memset(t, 0, sizeof(*t));
	t->name = xstrdup("dark");
	errbuf_clear(&ignored);
	if (text)
		theme_parse(t, text, strlen(text), "dark", &ignored);
}

void
theme_fini(struct theme *t)
{
	free(t->name);
	t->name = NULL;
}

/* The one-line refusal of a theme file that is not a regular file or is over THEME_MAX_BYTES. */
static int
theme_refuse(const char *path, int r, mode_t mode, uint64_t size, struct errbuf *err)
{
	char lim[32], got[32];

	infile_size_str(THEME_MAX_BYTES, lim, sizeof(lim));
	if (r == -ESPIPE)
		return errbuf_fail_as(err, ERRBUF_INPUT, r,
				      "theme %s is %s, not a regular file; a theme is a regular "
				      "file of at most %s: give a .theme file's path, or dark, "
				      "light or mono",
				      path, infile_kind(mode), lim);
	return errbuf_fail_as(err, ERRBUF_INPUT, r,
			      "theme %s is %s, over the %s a theme can be: give a .theme file's "
			      "path, or dark, light or mono",
			      path, infile_size_str(size, got, sizeof(got)), lim);
}

static bool
theme_file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The user's theme directory for name, or NULL. */
static char *
theme_user_path(const char *name)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char *path = NULL;

	if (xdg && *xdg)
		path = xasprintf("%s/ringside/themes/%s.theme", xdg, name);
	else if (home && *home)
		path = xasprintf("%s/.config/ringside/themes/%s.theme", home, name);
	if (path && !theme_file_exists(path)) {
		free(path);
		path = NULL;
	}
	return path;
}

int
theme_load(struct theme *t, const char *name, const char *datadir, struct errbuf *err)
{
	char *path = NULL, *text;
	const char *builtin;
	uint64_t size = 0;
	mode_t mode = 0;
	size_t len;
	int r;

	theme_init_default(t);
	if (!name || !*name)
		return 0;
	if (strchr(name, '/')) {
		path = xstrdup(name);
	} else {
		if (!*name ||
		    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789-_.") != strlen(name) ||
		    name[0] == '.')
			return errbuf_fail(err, -EINVAL, "theme name '%s' is not a plain name",
					   name);
		path = theme_user_path(name);
		if (!path && datadir) {
			path = xasprintf("%s/themes/%s.theme", datadir, name);
			if (!theme_file_exists(path)) {
				free(path);
				path = NULL;
			}
		}
	}
	if (!path) {
		builtin = theme_builtin_find(name);
		if (!builtin) {
			return errbuf_fail(
				err, -ENOENT,
				"no theme named '%s'; built-in themes: dark, light, mono", name);
		}
		r = theme_parse(t, builtin, strlen(builtin), name, err);
		if (r == 0) {
			free(t->name);
			t->name = xstrdup(name);
		}
		return r;
	}
	r = infile_read(path, THEME_MAX_BYTES, &text, &len, &mode, &size);
	if (r == -ESPIPE || r == -EFBIG) {
		theme_refuse(path, r, mode, size, err);
		free(path);
		return r;
	}
	if (r < 0) {
		/*
		 * -ENOENT recorded means "no theme by that name"; a named theme's file that went
		 * away between finding and reading it is not that, so it is recorded as -EIO.
		 */
		errbuf_fail(err, r == -ENOENT && !strchr(name, '/') ? -EIO : r,
			    "cannot read theme %s: %s", path, strerror(-r));
		free(path);
		return r;
	}
	r = theme_parse(t, text, len, path, err);
	if (r == 0) {
		free(t->name);
		t->name = xstrdup(name);
	}
	free(text);
	free(path);
	return r;
}
