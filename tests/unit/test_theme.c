// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Theme files (view/theme): good files (colour names, bright- forms, #RRGGBB in either case,
 * backgrounds, attributes, comments, blank lines, CRLF, text without a final newline or NUL),
 * every kind of error with its message naming the file and line and the theme left unchanged,
 * the built-in themes, and theme_load's search: a path, the user's directory, the data
 * directory, the built-ins, names that are not plain, and a plain name found nowhere (-ENOENT).
 * Colour words and the nearest-colour mappings are checked on values worked out by hand.
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
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/util/xalloc.h"
#include "ringside/view/theme.h"

static void
expect_color(const struct theme_color *c, enum theme_color_kind kind, uint32_t value)
{
	assert_int_equal(c->kind, kind);
	assert_int_equal(c->value, value);
}

static void
expect_style(const struct theme *t, enum theme_slot slot, enum theme_color_kind fk, uint32_t fv,
	     enum theme_color_kind bk, uint32_t bv, unsigned attrs)
{
	expect_color(&t->slot[slot].fg, fk, fv);
	expect_color(&t->slot[slot].bg, bk, bv);
	assert_int_equal(t->slot[slot].attrs, attrs);
}

static void
test_parse_good(void **state)
{
	static const char text[] = "# a comment line\n"
				   "\n"
				   "normal = white on black\n"
				   "  title=  #ff8800 on bright-blue bold underline  \n"
				   "kernel = red # a comment after a value\n"
				   "user = #00FF00\r\n"
				   "select\t=\tdefault reverse dim\n"
				   "task6 = bright-black on default\n"
				   "jit = yellow";
	struct errbuf err = { 0 };
	struct theme t, def;

	(void)state;
	theme_init_default(&t);
	theme_init_default(&def);
	assert_string_equal(t.name, "dark");
	assert_int_equal(theme_parse(&t, text, strlen(text), "good.theme", &err), 0);
	assert_false(errbuf_isset(&err));
	expect_style(&t, THEME_NORMAL, THEME_COLOR_ANSI, 7, THEME_COLOR_ANSI, 0, 0);
	expect_style(&t, THEME_TITLE, THEME_COLOR_RGB, 0xff8800, THEME_COLOR_ANSI, 12,
		     THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	expect_style(&t, THEME_KERNEL, THEME_COLOR_ANSI, 1, THEME_COLOR_DEFAULT, 0, 0);
	expect_style(&t, THEME_USER, THEME_COLOR_RGB, 0x00ff00, THEME_COLOR_DEFAULT, 0, 0);
	expect_style(&t, THEME_SELECT, THEME_COLOR_DEFAULT, 0, THEME_COLOR_DEFAULT, 0,
		     THEME_ATTR_REVERSE | THEME_ATTR_DIM);
	expect_style(&t, THEME_TASK6, THEME_COLOR_ANSI, 8, THEME_COLOR_DEFAULT, 0, 0);
	expect_style(&t, THEME_JIT, THEME_COLOR_ANSI, 3, THEME_COLOR_DEFAULT, 0, 0);
	/* The keys it does not name keep their values. */
	assert_memory_equal(&t.slot[THEME_DIM], &def.slot[THEME_DIM], sizeof(t.slot[0]));
	assert_memory_equal(&t.slot[THEME_TASK1], &def.slot[THEME_TASK1], sizeof(t.slot[0]));
	/* Only len bytes are read: no NUL needed, nothing past it. */
	assert_int_equal(theme_parse(&t, "kernel = blue### not read", 13, "x", &err), 0);
	expect_style(&t, THEME_KERNEL, THEME_COLOR_ANSI, 4, THEME_COLOR_DEFAULT, 0, 0);
	/* Empty text: nothing changes. */
	assert_int_equal(theme_parse(&t, "", 0, "x", &err), 0);
	expect_style(&t, THEME_KERNEL, THEME_COLOR_ANSI, 4, THEME_COLOR_DEFAULT, 0, 0);
	theme_fini(&t);
	theme_fini(&def);
	assert_null(t.name);
}

/* text fails with msg (after "bad.theme:"), code -EINVAL and the theme left as it was. */
static void
expect_bad(const char *text, const char *msg)
{
	struct errbuf err = { 0 };
	struct theme t, before;
	char *want = xasprintf("bad.theme:%s", msg);

	theme_init_default(&t);
	before = t;
	assert_int_equal(theme_parse(&t, text, strlen(text), "bad.theme", &err), -EINVAL);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.code, -EINVAL);
	assert_int_equal(err.class, ERRBUF_INPUT);
	assert_memory_equal(t.slot, before.slot, sizeof(t.slot));
	theme_fini(&t);
	free(want);
}

#define BAD_VALUE "; use a colour name, #RRGGBB, 'on' COLOUR, bold, dim, underline or reverse"

static void
test_parse_errors(void **state)
{
	char *longline;

	(void)state;
	/* An unknown key on line 2: line 1's change is not kept either. */
	expect_bad("normal = red\nbogus = blue\n",
		   "2: unknown key 'bogus' (keys: normal, dim, title, kernel, user, task1..task6, "
		   "...)");
	expect_bad("task7 = red\n", "1: unknown key 'task7' (keys: normal, dim, title, kernel, "
				    "user, task1..task6, ...)");
	expect_bad("= red\n", "1: unknown key '' (keys: normal, dim, title, kernel, user, "
			      "task1..task6, ...)");
	/* No '=' (comments and blank lines count as lines). */
	expect_bad("# c\n\nnormal red\n", "3: expected 'key = colour', got 'normal red'");
	expect_bad("normal\n", "1: expected 'key = colour', got 'normal'");
	/* Bad colours and values. */
	expect_bad("user = purple\n", "1: bad value 'purple' for user" BAD_VALUE);
	expect_bad("user = #12345\n", "1: bad value '#12345' for user" BAD_VALUE);
	expect_bad("user = #12345g\n", "1: bad value '#12345g' for user" BAD_VALUE);
	expect_bad("user = #1234567\n", "1: bad value '#1234567' for user" BAD_VALUE);
	expect_bad("user = bright-default\n", "1: bad value 'bright-default' for user" BAD_VALUE);
	expect_bad("user = red on mauve\n", "1: bad value 'mauve' for user" BAD_VALUE);
	expect_bad("user = red blue\n", "1: bad value 'blue' for user" BAD_VALUE);
	expect_bad("user = red on blue on green\n", "1: bad value 'on' for user" BAD_VALUE);
	expect_bad("user = on red\n", "1: bad value 'on' for user" BAD_VALUE);
	expect_bad("user = red blink\n", "1: bad value 'blink' for user" BAD_VALUE);
	expect_bad("user = red#x\n", "1: bad value 'red#x' for user" BAD_VALUE);
	/* A value that ends too soon, or has no colour. */
	expect_bad("user = red on\n", "1: bad value 'on' for user" BAD_VALUE);
	expect_bad("user = bold\n", "1: bad value '(no colour)' for user" BAD_VALUE);
	expect_bad("user =\n", "1: bad value '(no colour)' for user" BAD_VALUE);
	/* A line of 512 bytes or more. */
	longline = xcalloc(1, 700);
	memset(longline, ' ', 600);
	memcpy(longline, "dim = red", 9);
	expect_bad(longline, "1: line too long; keep theme lines short");
	longline[512] = '\0';
	expect_bad(longline, "1: line too long; keep theme lines short");
	longline[511] = '\0'; /* 511 bytes: fine */
	{
		struct errbuf err = { 0 };
		struct theme t;

		theme_init_default(&t);
		assert_int_equal(theme_parse(&t, longline, 511, "ok", &err), 0);
		expect_style(&t, THEME_DIM, THEME_COLOR_ANSI, 1, THEME_COLOR_DEFAULT, 0, 0);
		theme_fini(&t);
	}
	free(longline);
}

static void
test_colors(void **state)
{
	struct theme_color c;

	(void)state;
	assert_true(theme_color_parse("default", &c));
	expect_color(&c, THEME_COLOR_DEFAULT, 0);
	assert_true(theme_color_parse("magenta", &c));
	expect_color(&c, THEME_COLOR_ANSI, 5);
	assert_true(theme_color_parse("bright-white", &c));
	expect_color(&c, THEME_COLOR_ANSI, 15);
	assert_true(theme_color_parse("#aBcDeF", &c));
	expect_color(&c, THEME_COLOR_RGB, 0xabcdef);
	assert_false(theme_color_parse("Red", &c));
	assert_false(theme_color_parse("bright-", &c));
	assert_false(theme_color_parse("#", &c));
	assert_false(theme_color_parse("", &c));
	assert_string_equal(theme_slot_key(THEME_NORMAL), "normal");
	assert_string_equal(theme_slot_key(THEME_TASK6), "task6");
	assert_string_equal(theme_slot_key(THEME_SLOT_COUNT), "?");
	assert_int_equal(theme_ansi_rgb(9), 0xff0000);
	assert_int_equal(theme_ansi_rgb(16 + 9), 0xff0000);
	/* Exact matches; with only 8 colours, bright red is nearest to red (0xcd0000). */
	assert_int_equal(theme_nearest_ansi(0xff0000, 16), 9);
	assert_int_equal(theme_nearest_ansi(0xff0000, 8), 1);
	assert_int_equal(theme_nearest_ansi(0x000000, 16), 0);
	assert_int_equal(theme_nearest_ansi(0xffffff, 99), 15);
	/* The 6x6x6 cube: (5,0,0) is 16 + 180; a grey of 128 is the 13th grey (8 + 12 * 10). */
	assert_int_equal(theme_nearest_256(0xff0000), 196);
	assert_int_equal(theme_nearest_256(0x808080), 244);
	assert_int_equal(theme_nearest_256(0x000000), 16);
	assert_int_equal(theme_nearest_256(0x5f87af), 16 + 36 * 1 + 6 * 2 + 3);
}

static void
test_builtins(void **state)
{
	static const char *const names[] = { "dark", "light", "mono" };
	struct errbuf err = { 0 };
	struct theme t;

	(void)state;
	assert_int_equal(theme_builtin_count(), 3);
	for (size_t i = 0; i < 3; i++) {
		const char *text = theme_builtin_text(i);

		assert_string_equal(theme_builtin_name(i), names[i]);
		assert_non_null(text);
		theme_init_default(&t);
		assert_int_equal(theme_parse(&t, text, strlen(text), names[i], &err), 0);
		theme_fini(&t);
		assert_int_equal(theme_load(&t, names[i], NULL, &err), 0);
		assert_false(errbuf_isset(&err));
		assert_string_equal(t.name, names[i]);
		theme_fini(&t);
	}
	assert_null(theme_builtin_name(3));
	assert_null(theme_builtin_text(3));
	/* mono: attributes only. */
	assert_int_equal(theme_load(&t, "mono", NULL, &err), 0);
	for (int s = 0; s < THEME_SLOT_COUNT; s++) {
		assert_int_equal(t.slot[s].fg.kind, THEME_COLOR_DEFAULT);
		assert_int_equal(t.slot[s].bg.kind, THEME_COLOR_DEFAULT);
	}
	assert_int_equal(t.slot[THEME_TAB].attrs,
			 THEME_ATTR_REVERSE | THEME_ATTR_BOLD | THEME_ATTR_UNDERLINE);
	assert_int_equal(t.slot[THEME_NORMAL].attrs, 0);
	theme_fini(&t);
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* A load that fails with code and msg, leaving the default theme. */
static void
expect_load_fails(const char *name, const char *datadir, int code, const char *msg)
{
	struct errbuf err = { 0 };
	struct theme t, def;

	theme_init_default(&def);
	assert_int_equal(theme_load(&t, name, datadir, &err), code);
	assert_string_equal(err.msg, msg);
	assert_string_equal(t.name, "dark");
	assert_memory_equal(t.slot, def.slot, sizeof(t.slot));
	theme_fini(&t);
	theme_fini(&def);
}

/* A theme path that is a FIFO, a device or over THEME_MAX_BYTES is refused whole, as bad input. */
static void
test_load_unbounded(void **state)
{
	char dir[] = "/tmp/test_theme.XXXXXX", *fifo, *big, *msg;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	fifo = xasprintf("%s/f.theme", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	msg = xasprintf(
		"theme %s is a FIFO (a pipe), not a regular file; a theme is a regular "
		"file of at most 1.0 MiB: give a .theme file's path, or dark, light or mono",
		fifo);
	expect_load_fails(fifo, NULL, -ESPIPE, msg);
	free(msg);
	expect_load_fails("/dev/zero", NULL, -ESPIPE,
			  "theme /dev/zero is a character device, not a regular file; a theme is a "
			  "regular file of at most 1.0 MiB: give a .theme file's path, or dark, "
			  "light or mono");
	/* Exactly the limit loads (comments only); one byte more is refused. */
	big = xasprintf("%s/big.theme", dir);
	f = fopen(big, "we");
	assert_non_null(f);
	for (size_t i = 0; i < THEME_MAX_BYTES / 64; i++)
		fprintf(f, "# %61s\n", "padding");
	assert_int_equal(fclose(f), 0);
	{
		struct errbuf err = { 0 };
		struct theme t;

		assert_int_equal(theme_load(&t, big, NULL, &err), 0);
		theme_fini(&t);
	}
	f = fopen(big, "ae");
	assert_non_null(f);
	fputc('\n', f);
	assert_int_equal(fclose(f), 0);
	msg = xasprintf("theme %s is 1.0 MiB, over the 1.0 MiB a theme can be: give a .theme "
			"file's path, or dark, light or mono",
			big);
	expect_load_fails(big, NULL, -EFBIG, msg);
	free(msg);
	unlink(big);
	unlink(fifo);
	rmdir(dir);
	free(big);
	free(fifo);
}

static void
test_load(void **state)
{
	char dir[] = "/tmp/test_theme.XXXXXX", *user, *data, *p, *msg;
	struct errbuf err = { 0 };
	struct theme t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	user = xasprintf("%s/config/ringside/themes", dir);
	data = xasprintf("%s/data/themes", dir);
	p = xasprintf("mkdir -p '%s' '%s'", user, data);
	assert_int_equal(system(p), 0);
	free(p);
	setenv("XDG_CONFIG_HOME", (p = xasprintf("%s/config", dir)), 1);
	free(p);
	/* No name: the default. */
	assert_int_equal(theme_load(&t, NULL, NULL, &err), 0);
	assert_string_equal(t.name, "dark");
	theme_fini(&t);
	assert_int_equal(theme_load(&t, "", NULL, &err), 0);
	theme_fini(&t);
	/* A plain name found nowhere. */
	expect_load_fails("nosuch", NULL, -ENOENT,
			  "no theme named 'nosuch'; built-in themes: dark, light, mono");
	expect_load_fails("nosuch", (p = xasprintf("%s/data", dir)), -ENOENT,
			  "no theme named 'nosuch'; built-in themes: dark, light, mono");
	/* Names that are not plain. */
	expect_load_fails(".hidden", NULL, -EINVAL, "theme name '.hidden' is not a plain name");
	expect_load_fails("a b", NULL, -EINVAL, "theme name 'a b' is not a plain name");
	/* The data directory, then the user's directory over it, then a path. */
	write_text((msg = xasprintf("%s/mine.theme", data)), "kernel = green\n");
	free(msg);
	assert_int_equal(theme_load(&t, "mine", p, &err), 0);
	assert_string_equal(t.name, "mine");
	expect_style(&t, THEME_KERNEL, THEME_COLOR_ANSI, 2, THEME_COLOR_DEFAULT, 0, 0);
	theme_fini(&t);
	write_text((msg = xasprintf("%s/mine.theme", user)), "kernel = cyan\n");
	free(msg);
	assert_int_equal(theme_load(&t, "mine", p, &err), 0);
	expect_style(&t, THEME_KERNEL, THEME_COLOR_ANSI, 6, THEME_COLOR_DEFAULT, 0, 0);
	theme_fini(&t);
	/* A user's theme of a built-in's name wins over it. */
	write_text((msg = xasprintf("%s/light.theme", user)), "kernel = #010203\n");
	free(msg);
	assert_int_equal(theme_load(&t, "light", NULL, &err), 0);
	expect_style(&t, THEME_KERNEL, THEME_COLOR_RGB, 0x010203, THEME_COLOR_DEFAULT, 0, 0);
	theme_fini(&t);
	/* A bad file: its path and line in the message. */
	write_text((msg = xasprintf("%s/broken.theme", user)), "# ok\nkernel = puce\n");
	free(msg);
	msg = xasprintf("%s/broken.theme:2: bad value 'puce' for kernel" BAD_VALUE, user);
	expect_load_fails("broken", NULL, -EINVAL, msg);
	free(msg);
	/* Paths. */
	msg = xasprintf("%s/mine.theme", data);
	assert_int_equal(theme_load(&t, msg, NULL, &err), 0);
	assert_string_equal(t.name, msg);
	expect_style(&t, THEME_KERNEL, THEME_COLOR_ANSI, 2, THEME_COLOR_DEFAULT, 0, 0);
	theme_fini(&t);
	free(msg);
	expect_load_fails("/nonexistent-ringside/x.theme", NULL, -ENOENT,
			  "cannot read theme /nonexistent-ringside/x.theme: No such file or "
			  "directory");
	free(p);
	p = xasprintf("rm -rf '%s'", dir);
	assert_int_equal(system(p), 0);
	free(p);
	free(user);
	free(data);
	setenv("XDG_CONFIG_HOME", "/nonexistent-ringside-test/config", 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good), cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_colors),	   cmocka_unit_test(test_builtins),
		cmocka_unit_test(test_load),	   cmocka_unit_test(test_load_unbounded),
	};

	/* No theme of the user's may stand in for a built-in. */
	setenv("XDG_CONFIG_HOME", "/nonexistent-ringside-test/config", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
