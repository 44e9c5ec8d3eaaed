// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Drawing helpers: the theme as colour pairs, escaped and cut text, sparklines (block elements,
 * braille or an ASCII ramp) and bars. Everything goes through curses' own buffers, so only what
 * changed since the last frame reaches the terminal.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ringside/ui/draw.h"

/* Pair numbers: 1 + slot. */
static attr_t draw_slot_attr[THEME_SLOT_COUNT];

/* The terminal colour for a theme colour (-1: the terminal's default); bright may need bold. */
static short
draw_color(const struct ui *ui, const struct theme_color *c, bool *bold)
{
	unsigned ansi;

	switch (c->kind) {
	case THEME_COLOR_ANSI:
		ansi = c->value;
		break;
	case THEME_COLOR_RGB:
		if (ui->ncolors >= 256)
			return (short)theme_nearest_256(c->value);
		ansi = theme_nearest_ansi(c->value, ui->ncolors >= 16 ? 16 : 8);
		break;
	default:
		return -1;
	}
	if (ansi >= 8 && ui->ncolors < 16) {
		if (bold)
			*bold = true;
		ansi -= 8;
	}
	return (short)ansi;
}

static attr_t
draw_theme_attrs(unsigned attrs)
{
	attr_t a = A_NORMAL;

	if (attrs & THEME_ATTR_BOLD)
		a |= A_BOLD;
	if (attrs & THEME_ATTR_DIM)
		a |= A_DIM;
	if (attrs & THEME_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (attrs & THEME_ATTR_REVERSE)
		a |= A_REVERSE;
	return a;
}

void
draw_init_colors(struct ui *ui)
{
	ui->can_color = has_colors();
	if (ui->can_color) {
		start_color();
		use_default_colors();
		ui->ncolors = COLORS;
	}
	for (int i = 0; i < THEME_SLOT_COUNT; i++) {
		const struct theme_style *st = &ui->theme.slot[i];
		attr_t a = draw_theme_attrs(st->attrs);

		if (ui->can_color && i + 1 < COLOR_PAIRS) {
			bool bold = false;
			short fg = draw_color(ui, &st->fg, &bold),
			      bg = draw_color(ui, &st->bg, NULL);

			init_pair((short)(i + 1), fg, bg);
			a |= COLOR_PAIR(i + 1);
			if (bold)
				a |= A_BOLD;
		}
		draw_slot_attr[i] = a;
	}
}

attr_t
draw_attr(const struct ui *ui, enum theme_slot slot)
{
	(void)ui;
	return (unsigned)slot < THEME_SLOT_COUNT ? draw_slot_attr[slot] : A_NORMAL;
}

void
draw_fill(int y, int x, int n, attr_t attr)
{
	if (n <= 0)
		return;
	attrset(attr);
	mvhline(y, x, ' ', n);
	attrset(A_NORMAL);
}

/*
 * The next character of s as it will be shown: into out (NUL-terminated, at most 8 bytes),
 * its width in *w; returns the bytes of s consumed (0 at the end).
 */
static size_t
draw_next(const struct ui *ui, const char *s, char out[8], int *w)
{
	unsigned char c = (unsigned char)*s;
	mbstate_t st;
	wchar_t wc;
	size_t n;

	if (!c)
		return 0;
	if (c < 0x80) {
		out[0] = c < 0x20 || c == 0x7f ? '?' : (char)c;
		out[1] = '\0';
		*w = 1;
		return 1;
	}
	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, strnlen(s, 8), &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		out[0] = '?';
		out[1] = '\0';
		*w = 1;
		return 1;
	}
	if (!ui->glyphs.unicode || (wc >= 0x80 && wc < 0xa0) || wcwidth(wc) < 0) {
		/* A C1 control, a character the terminal cannot show, or an ASCII screen. */
		out[0] = '?';
		out[1] = '\0';
		*w = 1;
		return n;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	*w = wcwidth(wc);
	return n;
}

int
draw_width(const struct ui *ui, const char *s)
{
	char ch[8];
	int w, total = 0;
	size_t n;

	while ((n = draw_next(ui, s, ch, &w)) > 0) {
		total += w;
		s += n;
	}
	return total;
}

int
draw_text(const struct ui *ui, int y, int x, int width, attr_t attr, const char *s)
{
	char buf[1024], ch[8];
	int used = 0, w, ew = 1;
	size_t len = 0, n;
	bool cut = false;

	if (width <= 0 || !s)
		return 0;
	if (draw_width(ui, s) > width)
		cut = true;
	while ((n = draw_next(ui, s, ch, &w)) > 0) {
		size_t cl = strlen(ch);

		if (used + w > width - (cut ? ew : 0) || len + cl + 4 >= sizeof(buf))
			break;
		memcpy(buf + len, ch, cl);
		len += cl;
		used += w;
		s += n;
	}
	if (cut && used + ew <= width) {
		const char *e = ui->glyphs.ellipsis;

		memcpy(buf + len, e, strlen(e));
		len += strlen(e);
		used += ew;
	}
	buf[len] = '\0';
	attrset(attr);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return used;
}

int
draw_textf(const struct ui *ui, int y, int x, int width, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return draw_text(ui, y, x, width, attr, buf);
}

/* The braille cell with a left column of height a and a right one of height b (0..4 dots). */
static void
draw_braille(int a, int b, char out[4])
{
	static const unsigned left[4] = { 0x40, 0x04, 0x02, 0x01 },
			      right[4] = { 0x80, 0x20, 0x10, 0x08 };
	unsigned bits = 0, cp;

	for (int i = 0; i < a && i < 4; i++)
		bits |= left[i];
	for (int i = 0; i < b && i < 4; i++)
		bits |= right[i];
	cp = 0x2800 + bits;
	out[0] = (char)(0xe0 | cp >> 12);
	out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	out[3] = '\0';
}

/* One sparkline cell at (y, col): value a (and b beside it in braille; NAN: no data). */
static void
draw_spark_cell(const struct ui *ui, int y, int col, bool braille, double a, double b, double lo,
		double hi)
{
	if (braille) {
		char cell[4];
		int ha = isnan(a) ? 0 : 1 + rates_level(a, lo, hi, 4),
		    hb = isnan(b) ? 0 : 1 + rates_level(b, lo, hi, 4);

		draw_braille(ha > 4 ? 4 : ha, hb > 4 ? 4 : hb, cell);
		mvaddstr(y, col, cell);
	} else if (isnan(a)) {
		mvaddstr(y, col, " ");
	} else {
		mvaddstr(y, col, ui->glyphs.spark[rates_level(a, lo, hi, ui->glyphs.nspark)]);
	}
}

void
draw_spark(const struct ui *ui, int y, int x, int width, attr_t attr, const double *v, size_t n,
	   double lo, double hi)
{
	bool braille = ui->braille && ui->glyphs.unicode;
	size_t per = braille ? 2 : 1, cells = (n + per - 1) / per, skip = 0;
	int col;

	if (width <= 0)
		return;
	draw_fill(y, x, width, A_NORMAL);
	if (cells > (size_t)width) {
		skip = n - (size_t)width * per;
		cells = (size_t)width;
	}
	col = x + width - (int)cells;
	attrset(attr);
	for (size_t c = 0; c < cells; c++, col++) {
		size_t i = skip + c * per;

		draw_spark_cell(ui, y, col, braille, v[i], i + 1 < n ? v[i + 1] : NAN, lo, hi);
	}
	attrset(A_NORMAL);
}

void
draw_sweep(const struct ui *ui, int y, int x, int width, attr_t attr, const double *v, size_t n,
	   size_t total, double lo, double hi)
{
	bool braille = ui->braille && ui->glyphs.unicode;
	size_t per = braille ? 2 : 1, last, first = total - n;

	if (width <= 0)
		return;
	draw_fill(y, x, width, A_NORMAL);
	if (total == 0 || n > total)
		return;
	/* Cell c (by absolute index: points c * per ...) sits in column c % width. */
	last = (total - 1) / per;
	attrset(attr);
	for (size_t k = 0; k + 1 < (size_t)width && k <= last; k++) {
		size_t c = last - k, i = c * per;
		double a = i >= first && i < total ? v[i - first] : NAN,
		       b = i + 1 >= first && i + 1 < total ? v[i + 1 - first] : NAN;

		draw_spark_cell(ui, y, x + (int)(c % (size_t)width), braille, a, b, lo, hi);
	}
	attrset(A_NORMAL);
}

void
draw_bar(const struct ui *ui, int y, int x, int width, attr_t attr, double f)
{
	int full;

	if (width <= 0)
		return;
	if (!(f >= 0))
		f = 0;
	if (f > 1)
		f = 1;
	full = (int)lround(f * width);
	draw_fill(y, x, width, A_NORMAL);
	attrset(attr);
	for (int i = 0; i < full; i++)
		mvaddstr(y, x + i, ui->glyphs.bar_full);
	attrset(A_NORMAL);
}
