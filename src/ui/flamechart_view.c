// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flame chart on screen: a header (what is shown, the span, the time per column), a time
 * axis with the cursor, then the rows of frames from the process down (root on top, as stack
 * charts are read), and a details line with the selected frame's time and its samples against
 * time. The selection is kept as a row and a time, so it stays put while the chart re-lays
 * out live and across zooms. The range before each Enter is kept, so Esc walks back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/ui/draw.h"
#include "ringside/ui/flame_view.h"
#include "ringside/ui/flamechart_view.h"
#include "ringside/ui/range.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/flamechart.h"

enum { FLAMECHART_VIEW_BACK = 32 };

struct flamechart_view {
	struct flamechart fc;
	bool has_sel;
	unsigned sel_row; /* the selection: a row and a time in it */
	uint64_t sel_t;
	long sel;	 /* its cell at the last draw, or -1 */
	unsigned scroll; /* the first row shown */
	int area_y, area_rows, x0;
	struct {
		bool active;
		uint64_t from, to;
	} back[FLAMECHART_VIEW_BACK];
	int nback;
};

struct flamechart_view *
flamechart_view_new(void)
{
	struct flamechart_view *cv = xcalloc(1, sizeof(*cv));

	cv->sel = -1;
	return cv;
}

void
flamechart_view_free(struct flamechart_view *cv)
{
	if (!cv)
		return;
	flamechart_fini(&cv->fc);
	free(cv);
}

/* The node of p->stacks that the filter names, or STACKTREE_NONE. */
static uint32_t
flamechart_view_under(const struct stacktree *t, const struct flame_filter *flt)
{
	uint32_t node = STACKTREE_ROOT;

	for (size_t i = 0; flt && i < flt->n && node != STACKTREE_NONE; i++)
		node = stacktree_child(t, node, flt->path[i]);
	return node;
}

/* The selected cell after a layout: the one at the kept row and time, else the first one. */
static void
flamechart_view_resolve(struct flamechart_view *cv)
{
	const struct flamechart *fc = &cv->fc;

	cv->sel = -1;
	if (cv->has_sel && cv->sel_t >= fc->from_ns && fc->bucket_ns)
		cv->sel = flamechart_cell_at(fc, cv->sel_row,
					     (int)((cv->sel_t - fc->from_ns) / fc->bucket_ns));
	if (cv->sel < 0 && fc->n)
		cv->sel = 0;
}

static void
flamechart_view_select(struct flamechart_view *cv, long i)
{
	const struct flamechart_cell *c;

	if (i < 0 || (size_t)i >= cv->fc.n)
		return;
	c = &cv->fc.cells[i];
	cv->sel = i;
	cv->has_sel = true;
	cv->sel_row = c->row;
	cv->sel_t = c->from_ns + (c->to_ns - c->from_ns) / 2;
}

/* "0.5 ms", "120 ms", "2.5 s" */
static const char *
flamechart_view_dur(uint64_t ns, char *buf, size_t len)
{
	if (ns >= 1000000000u)
		snprintf(buf, len, "%.3g s", (double)ns / 1e9);
	else
		snprintf(buf, len, "%.3g ms", (double)ns / 1e6);
	return buf;
}

/* The header and the time axis with its labels and the cursor. */
static void
flamechart_view_top(struct ui *ui, struct flamechart_view *cv, const struct flame_filter *flt,
		    int y, int cols, uint64_t to)
{
	const struct flamechart *fc = &cv->fc;
	char label[512] = "every thread", span[64], dur[32];
	int every = 12;

	if (flt)
		flame_view_label(ui->profile->frames, flt->path[flt->n - 1], label, sizeof(label));
	if (fc->bands < fc->threads)
		snprintf(label, sizeof(label), "the busiest %zu of %zu threads (f: one)", fc->bands,
			 fc->threads);
	draw_textf(ui, y, 1, cols - 2, draw_attr(ui, THEME_HEADER),
		   "flame chart (x is time): %s  %s %s, %s a column, %llu samples", label,
		   ui->glyphs.vline, timerange_format(fc->from_ns, to, span, sizeof(span)),
		   flamechart_view_dur(fc->bucket_ns, dur, sizeof(dur)),
		   (unsigned long long)fc->samples);
	for (int x = 0; x + 4 < cols - 2; x += every)
		draw_textf(ui, y + 1, cv->x0 + x, every - 1, draw_attr(ui, THEME_DIM), "%s%.2fs",
			   ui->glyphs.vline,
			   (double)(fc->from_ns + (uint64_t)x * fc->bucket_ns) / 1e9);
	if (ui->range.cursor_moved && ui->range.cursor_ns >= fc->from_ns && fc->bucket_ns) {
		uint64_t col = (ui->range.cursor_ns - fc->from_ns) / fc->bucket_ns;

		if (col < (uint64_t)(cols - 2))
			range_mark(ui, y + 1, cv->x0 + (int)col, 1, ui->range.cursor_ns,
				   ui->range.cursor_ns + 1);
	}
}

static void
flamechart_view_cell(struct ui *ui, int y, int x0, const struct flamechart_cell *c, bool selected)
{
	const struct frametab *ft = ui->profile->frames;
	const struct frame *f = frametab_get(ft, c->frame);
	attr_t a = draw_attr(ui, flame_view_slot(f ? (enum frame_kind)f->kind : FRAME_UNKNOWN));
	char label[512];

	if (selected)
		a = draw_attr(ui, THEME_SELECT) | A_BOLD;
	draw_fill(y, x0 + c->x, c->width, a);
	if (c->width >= 2) {
		flame_view_label(ft, c->frame, label, sizeof(label));
		draw_text(ui, y, x0 + c->x, c->width - 1, a, label);
	}
	draw_text(ui, y, x0 + c->x + c->width - 1, 1, a, ui->glyphs.vline);
}

/* The selected frame: its name, its time, its samples there and against time. */
static void
flamechart_view_details(struct ui *ui, struct flamechart_view *cv, int y, int cols)
{
	const struct stacktree *t = ui->profile->stacks;
	const struct flamechart_cell *c;
	uint32_t frames[256];
	size_t n, len;
	char line[1536], label[512], span[64], dur[32];

	if (cv->sel < 0)
		return;
	c = &cv->fc.cells[cv->sel];
	n = stacktree_node_path(t, c->node, frames, 256);
	flame_view_label(ui->profile->frames, c->frame, label, sizeof(label));
	len = (size_t)snprintf(line, sizeof(line), "%s  %s %s (%s)  %llu samples", label,
			       ui->glyphs.vline,
			       timerange_format(c->from_ns, c->to_ns, span, sizeof(span)),
			       flamechart_view_dur(c->to_ns - c->from_ns, dur, sizeof(dur)),
			       (unsigned long long)c->samples);
	if (len < sizeof(line))
		range_spark(ui, frames, n, 24, line + len, sizeof(line) - len);
	draw_text(ui, y, 1, cols - 2, draw_attr(ui, THEME_NORMAL), line);
}

/* Keep the selected row in sight. */
static void
flamechart_view_scroll(struct flamechart_view *cv)
{
	unsigned shown = cv->area_rows > 0 ? (unsigned)cv->area_rows : 1, d;

	if (cv->sel < 0)
		return;
	d = cv->fc.cells[cv->sel].row;
	if (d < cv->scroll)
		cv->scroll = d;
	else if (d >= cv->scroll + shown)
		cv->scroll = d - shown + 1;
}

void
flamechart_view_draw(struct ui *ui, struct flamechart_view *cv, const struct flame_filter *flt,
		     int top, int rows, int cols)
{
	struct profile *p = ui->profile;
	uint64_t from = 0, to = range_end_ns(ui);
	uint32_t under;

	if (!range_available(ui) || ui->tt.mode != TIMETREE_ON) {
		draw_text(ui, top + 1, 1, cols - 2, draw_attr(ui, THEME_NA),
			  !range_available(ui)
				  ? "no flame chart: this snapshot has no time index (written by "
				    "an older ringside); c: back to the flamegraph"
				  : "the flame chart shows on-CPU samples (o: on-CPU)");
		return;
	}
	if (ui->range.active) {
		from = ui->range.from_ns;
		to = timerange_end(&ui->range, to);
	}
	under = flamechart_view_under(p->stacks, flt);
	cv->x0 = 1;
	cv->area_y = top + 2;
	cv->area_rows = rows - 3;
	if (under == STACKTREE_NONE)
		cv->fc.n = 0;
	else
		flamechart_layout(&cv->fc, p->stacks, under, from, to, cols - 2);
	if (cv->fc.bucket_ns)
		ui->range.step_ns = cv->fc.bucket_ns;
	flamechart_view_resolve(cv);
	flamechart_view_scroll(cv);
	flamechart_view_top(ui, cv, flt, top, cols, to);
	if (!cv->fc.samples)
		draw_text(ui, top + 3, 1, cols - 2, draw_attr(ui, THEME_DIM),
			  "no samples in this time (R: the whole recording)");
	for (size_t i = 0; i < cv->fc.n; i++) {
		const struct flamechart_cell *c = &cv->fc.cells[i];

		if (c->row < cv->scroll || c->row >= cv->scroll + (unsigned)cv->area_rows)
			continue;
		flamechart_view_cell(ui, cv->area_y + (int)(c->row - cv->scroll), cv->x0, c,
				     (long)i == cv->sel);
	}
	flamechart_view_details(ui, cv, top + rows - 1, cols);
}

/* Enter: the selected frame's time becomes the range, the one before kept for Esc. */
static void
flamechart_view_take(struct ui *ui, struct flamechart_view *cv)
{
	const struct flamechart_cell *c;
	char span[64];

	if (cv->sel < 0)
		return;
	c = &cv->fc.cells[cv->sel];
	if (cv->nback == FLAMECHART_VIEW_BACK) {
		memmove(cv->back, cv->back + 1, sizeof(cv->back[0]) * (FLAMECHART_VIEW_BACK - 1));
		cv->nback--;
	}
	cv->back[cv->nback].active = ui->range.active;
	cv->back[cv->nback].from = ui->range.from_ns;
	cv->back[cv->nback++].to = ui->range.to_ns;
	timerange_set(&ui->range, c->from_ns, c->to_ns);
	ui_message(ui, false, "range %s: %s's time; Esc: the range before, R: none",
		   timerange_format(c->from_ns, c->to_ns, span, sizeof(span)),
		   frametab_str(ui->profile->frames,
				frametab_get(ui->profile->frames, c->frame)->name));
}

/* Esc: back to the range before the last Enter. */
static void
flamechart_view_back(struct ui *ui, struct flamechart_view *cv)
{
	if (!cv->nback) {
		ui_message(ui, false, "flame chart: no range before this one (R clears the range)");
		return;
	}
	cv->nback--;
	if (cv->back[cv->nback].active)
		timerange_set(&ui->range, cv->back[cv->nback].from, cv->back[cv->nback].to);
	else
		timerange_clear(&ui->range);
}

bool
flamechart_view_key(struct ui *ui, struct flamechart_view *cv, int key)
{
	long s = cv->sel;

	switch (key) {
	case KEY_LEFT:
	case KEY_RIGHT:
		if (s >= 0)
			flamechart_view_select(cv, flamechart_move(&cv->fc, (size_t)s,
								   key == KEY_LEFT ? -1 : 1, 0));
		return true;
	case KEY_UP:
	case KEY_DOWN:
		if (s >= 0)
			flamechart_view_select(
				cv, flamechart_move(&cv->fc, (size_t)s, 0, key == KEY_UP ? -1 : 1));
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		flamechart_view_take(ui, cv);
		return true;
	case 27:
	case KEY_BACKSPACE:
	case 127:
	case 8:
		flamechart_view_back(ui, cv);
		return true;
	default:
		return false;
	}
}

bool
flamechart_view_mouse(struct ui *ui, struct flamechart_view *cv, int y, int x, mmask_t bstate)
{
	long cell;

	if (y == cv->area_y - 1 && x >= cv->x0 && cv->fc.bucket_ns) {
		/* The time axis: two clicks (or a drag) choose a range there. */
		uint64_t t = cv->fc.from_ns + (uint64_t)(x - cv->x0) * cv->fc.bucket_ns;

		range_mouse(ui, bstate, t, t + cv->fc.bucket_ns);
		return true;
	}
	if (!(bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
		return false;
	if (y < cv->area_y || y >= cv->area_y + cv->area_rows)
		return false;
	cell = flamechart_cell_at(&cv->fc, cv->scroll + (unsigned)(y - cv->area_y), x - cv->x0);
	if (cell < 0)
		return false;
	if ((bstate & BUTTON1_DOUBLE_CLICKED) || cell == cv->sel) {
		flamechart_view_select(cv, cell);
		flamechart_view_take(ui, cv);
	} else {
		flamechart_view_select(cv, cell);
	}
	return true;
}
