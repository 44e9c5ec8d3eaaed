// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Time ranges on the screen. The cursor lives on one time axis that every view shares (ns from
 * the recording's start); its step is the time of one cell of the axis the current view drew
 * last (an interval of the overview's sparklines, a cell of the scheduler map, a column of the
 * flame chart). [ and ] set the range's start and end at it, two clicks on an axis do both, R
 * clears; the views draw the range's tree, tasks and counters (see their files).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ringside/app/session.h"
#include "ringside/model/stacktree_range.h"
#include "ringside/model/timeline.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/range.h"

const char range_keys[] =
	"< >       move the time cursor back and forth by a cell of the time axis\n"
	"[ ]       the range starts, ends at the cursor (mouse: click the start,\n"
	"          then the end on a sparkline or the scheduler map)\n"
	"R         clear the range: every view shows the whole recording again\n";

bool
range_available(const struct ui *ui)
{
	return ui->profile->stacks && stacktree_timeline(ui->profile->stacks);
}

uint64_t
range_end_ns(const struct ui *ui)
{
	const struct profile *p = ui->profile;
	uint64_t first, last;

	if (ui->session)
		return ui->frozen ? ui->shown_ns : session_elapsed_ns(ui->session);
	if (p->meta.duration_ns)
		return p->meta.duration_ns;
	if (range_available(ui) && timeline_span(stacktree_timeline(p->stacks), &first, &last))
		return last + TIMELINE_QUANTUM_NS;
	return 0;
}

/* Say what the range is now. */
static void
range_say(struct ui *ui)
{
	char a[64];

	if (!ui->range.active) {
		ui_message(ui, false, "no range: every view shows the whole recording");
		return;
	}
	ui_message(ui, false,
		   "range %s: the flamegraph, functions, tasks and counters show it; R clears",
		   timerange_format(ui->range.from_ns, ui->range.to_ns, a, sizeof(a)));
}

bool
range_key(struct ui *ui, int key)
{
	struct timerange *r = &ui->range;
	uint64_t step = r->step_ns ? r->step_ns : 1000000000u;

	if (key != '[' && key != ']' && key != '<' && key != '>' && key != 'R')
		return false;
	if (!range_available(ui)) {
		ui_message(ui, false,
			   ui->profile->stacks
				   ? "no time ranges: this snapshot has no time index (written "
				     "by an older ringside); record it again for ranges"
				   : "no time ranges: they need the sampled stacks (not "
				     "--no-samples)");
		return true;
	}
	switch (key) {
	case '<':
	case '>':
		timerange_move(r, key == '<' ? -1 : 1, step, range_end_ns(ui));
		ui->dirty = true;
		return true;
	case '[':
		timerange_mark_start(r);
		break;
	case ']':
		timerange_mark_end(r);
		break;
	default:
		timerange_clear(r);
		r->cursor_moved = false;
		break;
	}
	range_say(ui);
	return true;
}

void
range_click(struct ui *ui, uint64_t t0, uint64_t t1)
{
	if (!range_available(ui)) {
		range_key(ui, 'R');
		return;
	}
	if (timerange_click(&ui->range, t0, t1))
		range_say(ui);
	else
		ui_message(ui, false, "range from %.2f s: click its other end", (double)t0 / 1e9);
}

void
range_release(struct ui *ui, uint64_t t0, uint64_t t1)
{
	if (ui->range.click_pending && t0 != ui->range.click_from)
		range_click(ui, t0, t1);
}

void
range_mouse(struct ui *ui, mmask_t bstate, uint64_t t0, uint64_t t1)
{
	if (bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))
		range_click(ui, t0, t1);
	else if (bstate & BUTTON1_RELEASED)
		range_release(ui, t0, t1);
}

const struct stacktree *
range_tree(struct ui *ui)
{
	if (!ui->range.active || ui->tt.mode != TIMETREE_ON)
		return NULL;
	bool held = ui->frozen && ui->session;

	/* Held, an open end stops at the time the screen holds: later samples are not shown. */
	return timerange_tree(&ui->range, ui->profile->stacks, held ? ui->shown_ns : TIMERANGE_OPEN,
			      held);
}

uint64_t
range_stamp(const struct ui *ui)
{
	const struct timerange *r = &ui->range;

	return r->active ? (r->from_ns * 1000003u) ^ r->to_ns ^ 1u : 0;
}

size_t
range_status(const struct ui *ui, char *buf, size_t len)
{
	const struct timerange *r = &ui->range;
	char a[64];
	int n = 0;

	if (r->active)
		n = snprintf(buf, len, " %s range %s", ui->glyphs.vline,
			     timerange_format(r->from_ns, r->to_ns, a, sizeof(a)));
	if (r->cursor_moved && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, " %s cursor %.2f s", ui->glyphs.vline,
			      (double)r->cursor_ns / 1e9);
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

void
range_mark(struct ui *ui, int y, int x, int w, uint64_t t0, uint64_t t1)
{
	const struct timerange *r = &ui->range;
	bool cur = r->cursor_moved && r->cursor_ns >= t0 && r->cursor_ns < t1;
	char s[64];

	if (w <= 0 || (!cur && !timerange_overlaps(r, t0, t1)))
		return;
	if (w > (int)sizeof(s) - 1)
		w = (int)sizeof(s) - 1;
	memset(s, cur ? '^' : '=', (size_t)w);
	s[w] = '\0';
	draw_text(ui, y, x, w, draw_attr(ui, cur ? THEME_WARN : THEME_SELECT) | A_BOLD, s);
}

bool
range_spark_span(const struct ui *ui, size_t n, int width, int k, uint64_t *t0, uint64_t *t1)
{
	uint64_t iv = ui->profile->meta.interval_ns ? ui->profile->meta.interval_ns : 1000000000u;
	size_t per = ui->braille && ui->glyphs.unicode ? 2 : 1, first, c;

	if (!n || width < 2 || k < 0 || k >= width)
		return false;
	if (ui->session) {
		/* draw_sweep: cell c sits in column c % width; the column after the last is blank.
		 */
		size_t last = (n - 1) / per,
		       back = (last + (size_t)width - (size_t)k) % (size_t)width;

		if (back >= (size_t)width - 1 || back > last)
			return false;
		first = (last - back) * per;
	} else {
		/* draw_spark: the last cells, right-aligned. */
		size_t cells = (n + per - 1) / per, skip = 0;

		if (cells > (size_t)width) {
			skip = n - (size_t)width * per;
			cells = (size_t)width;
		}
		if ((size_t)k < (size_t)width - cells)
			return false;
		c = (size_t)k - ((size_t)width - cells);
		first = skip + c * per;
	}
	*t0 = (uint64_t)first * iv;
	*t1 = *t0 + per * iv;
	return true;
}

void
range_spark_axis(struct ui *ui, int y, int x, int width, size_t n)
{
	uint64_t iv = ui->profile->meta.interval_ns ? ui->profile->meta.interval_ns : 1000000000u;

	ui->range.step_ns = iv * (ui->braille && ui->glyphs.unicode ? 2 : 1);
	for (int k = 0; k < width; k++) {
		uint64_t t0, t1;

		if (range_spark_span(ui, n, width, k, &t0, &t1))
			range_mark(ui, y, x + k, 1, t0, t1);
	}
}

/* The spark glyph of v of 0..max: the lowest only for none. */
static const char *
range_glyph(const struct ui *ui, uint64_t v, uint64_t max)
{
	int n = ui->glyphs.nspark, lvl;

	if (!v || !max)
		return ui->glyphs.spark[0];
	lvl = 1 + (int)((double)v / (double)max * (n - 2) + 0.5);
	return ui->glyphs.spark[lvl < 1 ? 1 : lvl > n - 1 ? n - 1 : lvl];
}

/* range_spark drawn from the time index now. */
static size_t
range_spark_draw(struct ui *ui, const uint32_t *frames, size_t n, int cells, char *buf, size_t len)
{
	const struct stacktree *t = ui->profile->stacks;
	uint64_t counts[64], max = 0, from, to, bucket;
	uint32_t node = STACKTREE_ROOT;
	char a[64];
	size_t at;
	int k;

	if (!range_available(ui) || ui->tt.mode != TIMETREE_ON || cells < 4)
		return 0;
	cells = cells > 64 ? 64 : cells;
	for (size_t i = 0; i < n && node != STACKTREE_NONE; i++)
		node = stacktree_child(t, node, frames[i]);
	from = ui->range.active ? ui->range.from_ns : 0;
	to = ui->range.active ? timerange_end(&ui->range, range_end_ns(ui)) : range_end_ns(ui);
	if (node == STACKTREE_NONE || to <= from)
		return 0;
	bucket = (to - from + (uint64_t)cells - 1) / (uint64_t)cells;
	stacktree_range_series(t, node, from, bucket, counts, (size_t)cells);
	for (int i = 0; i < cells; i++)
		max = counts[i] > max ? counts[i] : max;
	k = snprintf(buf, len, "  %s when: ", ui->glyphs.vline);
	at = k > 0 && (size_t)k < len ? (size_t)k : 0;
	for (int i = 0; i < cells && at + 8 < len; i++) {
		const char *g = range_glyph(ui, counts[i], max);

		memcpy(buf + at, g, strlen(g));
		at += strlen(g);
	}
	k = snprintf(buf + at, len - at, " %s", timerange_format(from, to, a, sizeof(a)));
	at += k > 0 && (size_t)k < len - at ? (size_t)k : 0;
	buf[at < len ? at : len - 1] = '\0';
	return at < len ? at : len - 1;
}

/* Whether the held sparkline was drawn for these frames in this freeze, range and event. */
static bool
range_spark_held(const struct ui *ui, const uint32_t *frames, size_t n, int cells)
{
	const struct ui_spark_held *h = &ui->spark;

	return ui->frozen && h->ok && h->n == n && h->cells == cells &&
	       h->range == range_stamp(ui) && h->shown_ns == ui->shown_ns &&
	       h->event == ui->tt.event && !memcmp(h->frames, frames, n * sizeof(*frames));
}

size_t
range_spark(struct ui *ui, const uint32_t *frames, size_t n, int cells, char *buf, size_t len)
{
	struct ui_spark_held *h = &ui->spark;
	size_t k;

	if (!range_available(ui) || ui->tt.mode != TIMETREE_ON || cells < 4)
		return 0;
	if (range_spark_held(ui, frames, n, cells)) {
		if (h->len && h->len < len)
			memcpy(buf, h->text, h->len + 1);
		return h->len < len ? h->len : 0;
	}
	k = range_spark_draw(ui, frames, n, cells, buf, len);
	h->ok = ui->frozen && n <= sizeof(h->frames) / sizeof(h->frames[0]) && k < sizeof(h->text);
	if (h->ok) {
		memcpy(h->frames, frames, n * sizeof(*frames));
		h->n = n;
		h->cells = cells;
		h->range = range_stamp(ui);
		h->shown_ns = ui->shown_ns;
		h->event = ui->tt.event;
		h->len = k;
		memcpy(h->text, buf, k);
		h->text[k] = '\0';
	}
	return k;
}
