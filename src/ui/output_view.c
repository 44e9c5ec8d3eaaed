// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The output pane (O): what the launched command wrote, a line a row, its stderr lines marked and
 * in the warning colour, control characters shown as '?' (draw_text) so that no escape sequence
 * of the command reaches the terminal. Live, the relay's file is read again at every draw (its
 * last 256 KiB); in `view`, the snapshot's "command_output" is shown. It holds the last
 * OUTPUT_VIEW_LINES lines and follows the end until scrolled up.
 */
#include <curses.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/command_log.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/output_view.h"
#include "ringside/util/xalloc.h"

enum { OUTPUT_VIEW_READ = 256 << 10 }; /* bytes of the relay's file read at each draw */

const char output_view_keys[] = "O Esc     close the command's output\n"
				"Up Down   scroll a line (k j), PgUp PgDn a page\n"
				"Home End  the first line kept, the end (followed)\n";

struct output_view {
	size_t back;  /* lines scrolled up from the end; 0: following it */
	int page;     /* rows of text at the last draw */
	size_t total; /* lines at the last draw */
};

/* One line of the pane: a record, or pieces of one stream joined. */
struct output_view_line {
	char stream;
	char *text;
};

/* The kept text to show (the caller's), with the records dropped before it; NULL: none. */
static char *
output_view_text(const struct ui *ui, size_t *dropped)
{
	*dropped = 0;
	if (ui->command_output)
		return command_log_load(ui->command_output, OUTPUT_VIEW_READ, dropped);
	if (ui->profile && ui->profile->command_output) {
		*dropped = (size_t)ui->profile->command_output_dropped;
		return xstrdup(ui->profile->command_output);
	}
	return NULL;
}

/* text's records as lines, the last OUTPUT_VIEW_LINES of them (*n; more before: *cut). */
static struct output_view_line *
output_view_lines(const char *text, size_t *n, size_t *cut)
{
	static struct output_view_line ring[OUTPUT_VIEW_LINES];
	struct output_view_line *out;
	struct command_log_line l;
	const char *pos = text;
	size_t count = 0;
	char open = 0;

	while (command_log_next(&pos, &l)) {
		struct output_view_line *last =
			count ? &ring[(count - 1) % OUTPUT_VIEW_LINES] : NULL;

		if (open && last && open == l.stream) {
			size_t had = strlen(last->text);

			last->text = xrealloc(last->text, had + l.len + 1);
			memcpy(last->text + had, l.text, l.len);
			last->text[had + l.len] = '\0';
		} else {
			struct output_view_line *slot = &ring[count % OUTPUT_VIEW_LINES];

			if (count >= OUTPUT_VIEW_LINES)
				free(slot->text);
			slot->stream = l.stream;
			slot->text = xstrndup(l.text, l.len);
			count++;
		}
		open = l.newline ? 0 : l.stream;
	}
	*n = count < OUTPUT_VIEW_LINES ? count : OUTPUT_VIEW_LINES;
	*cut = count - *n;
	out = xcalloc(*n ? *n : 1, sizeof(*out));
	for (size_t i = 0; i < *n; i++)
		out[i] = ring[(count - *n + i) % OUTPUT_VIEW_LINES];
	return out;
}

void
output_view_toggle(struct ui *ui)
{
	size_t dropped;
	char *text;

	if (ui->output) {
		output_view_close(ui);
		return;
	}
	text = output_view_text(ui, &dropped);
	if (!text && !ui->command_output) {
		ui_message(ui, false,
			   "no command output: it is kept for `ringside -- CMD` and record");
		return;
	}
	free(text);
	ui->output = xcalloc(1, sizeof(struct output_view));
}

void
output_view_close(struct ui *ui)
{
	free(ui->output);
	ui->output = NULL;
}

/* The header: what is shown and how to move. */
static void
output_view_header(struct ui *ui, int y, int cols, size_t n, size_t nerr, size_t before)
{
	char head[256];

	snprintf(head, sizeof(head),
		 " Command output: %zu line%s, %zu on stderr (marked)%s%s   O closes, Up/Down "
		 "PgUp/PgDn scroll",
		 n, n == 1 ? "" : "s", nerr, before ? ", earlier lines not kept" : "",
		 ui->command_output ? ", live" : "");
	draw_fill(y, 0, cols, draw_attr(ui, THEME_HEADER) | A_REVERSE);
	draw_text(ui, y, 0, cols, draw_attr(ui, THEME_HEADER) | A_REVERSE, head);
}

void
output_view_draw(struct ui *ui, int top, int rows, int cols)
{
	struct output_view *v = ui->output;
	struct output_view_line *lines;
	size_t n, cut, dropped, nerr = 0, first;
	char *text = output_view_text(ui, &dropped);
	int page = rows - 1;

	lines = output_view_lines(text ? text : "", &n, &cut);
	for (size_t i = 0; i < n; i++)
		nerr += lines[i].stream == 'e';
	output_view_header(ui, top, cols, n, nerr, dropped + cut);
	v->page = page;
	v->total = n;
	if (v->back + (size_t)page > n)
		v->back = n > (size_t)page ? n - (size_t)page : 0;
	first = n > (size_t)page + v->back ? n - (size_t)page - v->back : 0;
	if (n == 0)
		draw_text(ui, top + 1, 1, cols - 2, draw_attr(ui, THEME_DIM),
			  "(the command has written nothing yet)");
	for (int r = 0; r < page && first + (size_t)r < n; r++) {
		const struct output_view_line *l = &lines[first + (size_t)r];
		int x = 0;

		if (l->stream == 'e')
			x = draw_text(ui, top + 1 + r, 0, cols, draw_attr(ui, THEME_DIM),
				      "stderr| ");
		draw_text(ui, top + 1 + r, x, cols - x,
			  draw_attr(ui, l->stream == 'e' ? THEME_WARN : THEME_NORMAL), l->text);
	}
	for (size_t i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
	free(text);
}

bool
output_view_key(struct ui *ui, int key)
{
	struct output_view *v = ui->output;
	size_t page = v->page > 1 ? (size_t)v->page - 1 : 1;

	switch (key) {
	case 'O':
	case 27: /* Esc */
		output_view_close(ui);
		return true;
	case KEY_UP:
	case 'k':
		v->back++;
		return true;
	case KEY_DOWN:
	case 'j':
		v->back = v->back ? v->back - 1 : 0;
		return true;
	case KEY_PPAGE:
		v->back += page;
		return true;
	case KEY_NPAGE:
		v->back = v->back > page ? v->back - page : 0;
		return true;
	case KEY_HOME:
		v->back = v->total;
		return true;
	case KEY_END:
		v->back = 0;
		return true;
	default:
		return false;
	}
}
