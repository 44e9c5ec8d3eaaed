// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Flamegraph view: the stack tree as a text flamegraph (root at the bottom, or an icicle with
 * the root on top), each frame a bar coloured by kind with its name cut to fit and a separator
 * in its last column, a header line (counts, filter, zoom, the search's share) and a details line
 * for the selected frame. Layout, zoom, search, filter and moves live in view/flame; this file
 * maps them to the screen, the keys and the mouse. While the display is frozen the model lays out
 * a copy of the tree taken at freeze time, so zooming and searching still work on what is shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/offcpu.h"
#include "ringside/ui/annotate_view.h"
#include "ringside/ui/baseline.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/flame_view.h"
#include "ringside/ui/flamechart_view.h"
#include "ringside/ui/range.h"
#include "ringside/ui/ratioflame_view.h"
#include "ringside/ui/timemode.h"
#include "ringside/ui/view.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/flame.h"

enum { FLAME_VIEW_MAX_FILTERS = 64, FLAME_VIEW_QUERY_MAX = 120 };

struct flame_view {
	struct flame *fl;
	bool icicle;			      /* root on top */
	bool typing;			      /* the search prompt is open */
	char query[FLAME_VIEW_QUERY_MAX + 1]; /* what the prompt holds */
	char *before;			      /* the search before the prompt opened */
	unsigned scroll;		      /* the first depth shown */
	bool diff;			      /* d: the change since the baseline instead */
	int area_y, area_rows, cols;	      /* where the frames went at the last draw */
	struct flame_filter filters[FLAME_VIEW_MAX_FILTERS];
	enum timetree_mode mode; /* the time mode laid out last */
	size_t event;		 /* and its sampled event */
	uint64_t range;		 /* range_stamp() of the tree frozen */
	bool chart;		 /* c: the flame chart instead (ui/flamechart_view) */
	struct flamechart_view *cv;
	struct ratioflame_view *rf; /* E past the last event: ratio flamegraphs */
};

static void *
flame_view_init(struct ui *ui)
{
	struct flame_view *fv = xcalloc(1, sizeof(*fv));

	(void)ui;
	fv->fl = flame_new();
	fv->cv = flamechart_view_new();
	fv->rf = ratioflame_view_new();
	fv->cols = 80;
	return fv;
}

static void
flame_view_fini(void *state)
{
	struct flame_view *fv = state;

	if (!fv)
		return;
	flame_free(fv->fl);
	flamechart_view_free(fv->cv);
	ratioflame_view_free(fv->rf);
	free(fv->before);
	free(fv);
}

/* Lay out again: the live tree, or the copy taken when the display froze. */
static void
flame_view_update(struct ui *ui, struct flame_view *fv, int cols)
{
	const struct profile *p = ui->profile;
	const struct stacktree *t = timemode_tree(ui);

	/* A range's tree has no window: it shows every sample of the range. */
	if (ui->range.active && flame_window(fv->fl) && range_tree(ui))
		flame_set_window(fv->fl, false);
	/* Frozen, a mode switch (or another event, or a new range) freezes the new tree as it is.
	 */
	if (ui->frozen && ui->session &&
	    (!flame_frozen(fv->fl) || fv->mode != ui->tt.mode || fv->event != ui->tt.event ||
	     fv->range != range_stamp(ui)))
		flame_freeze(fv->fl, t);
	else if (!ui->frozen && flame_frozen(fv->fl))
		flame_thaw(fv->fl);
	fv->range = range_stamp(ui);
	fv->mode = ui->tt.mode;
	fv->event = ui->tt.event;
	fv->cols = cols;
	flame_update(fv->fl, t, p->frames, cols);
}

enum theme_slot
flame_view_slot(enum frame_kind kind)
{
	switch (kind) {
	case FRAME_KERNEL:
		return THEME_KERNEL;
	case FRAME_USER:
		return THEME_USER;
	case FRAME_LIBRARY:
		return THEME_LIBRARY;
	case FRAME_JIT:
		return THEME_JIT;
	case FRAME_ROOT:
	case FRAME_PROCESS:
	case FRAME_THREAD:
	case FRAME_HOST:
		return THEME_PROCESS;
	default:
		return THEME_UNKNOWN;
	}
}

/*
 * A frame's label: its name, with the pid or tid of a process or thread, or "exited" for the
 * node that the exited ones of that name folded into (module "[exited]", no pid).
 */
void
flame_view_label(const struct frametab *ft, uint32_t frame, char *buf, size_t len)
{
	const struct frame *f = frametab_get(ft, frame);
	const char *name = f ? frametab_str(ft, f->name) : "?";

	if (f && (f->kind == FRAME_PROCESS || f->kind == FRAME_THREAD) && f->module)
		snprintf(buf, len, "%s (exited)", name);
	else if (f && (f->kind == FRAME_PROCESS || f->kind == FRAME_THREAD))
		snprintf(buf, len, "%s (%u)", name, f->line);
	else if (f && f->kind == FRAME_HOST) /* a merged snapshot's host */
		snprintf(buf, len, "[host %s]", name);
	else
		snprintf(buf, len, "%s", name);
}

/* What a filter's last frame is: a process, a thread, or a merged snapshot's host. */
static const char *
flame_view_filter_kind(const struct frametab *ft, const struct flame_filter *flt)
{
	const struct frame *f = frametab_get(ft, flt->path[flt->n - 1]);

	if (f && f->kind == FRAME_HOST)
		return "host";
	if (f && f->kind == FRAME_PROCESS)
		return "process";
	return "thread";
}

static void
flame_view_cell(struct ui *ui, struct flame_view *fv, int y, size_t i, bool selected)
{
	const struct flame_cell *c = flame_cells(fv->fl, &(size_t){ 0 }) + i;
	const struct frametab *ft = ui->profile->frames;
	const struct frame *f = frametab_get(ft, c->frame);
	enum theme_slot slot = flame_view_slot(f ? (enum frame_kind)f->kind : FRAME_UNKNOWN);
	attr_t a = draw_attr(ui, slot);
	char label[512];

	if (selected)
		a = draw_attr(ui, THEME_SELECT) | A_BOLD;
	else if (c->flags & FLAME_MATCH)
		a = draw_attr(ui, THEME_MATCH);
	else if (ratioflame_view_on(ui))
		a = ratioflame_view_attr(ui, fv->rf, i);
	draw_fill(y, c->x, c->width, a);
	if (c->width >= 2) {
		flame_view_label(ft, c->frame, label, sizeof(label));
		draw_text(ui, y, c->x, c->width - 1, a, label);
	}
	/* The last column separates neighbours, even in a theme without colours. */
	draw_text(ui, y, c->x + c->width - 1, 1, a, ui->glyphs.vline);
}

static double
flame_view_pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0;
}

/* The header: samples, counts used, filter, zoom, the search's share and hidden rows. */
static void
flame_view_header(struct ui *ui, struct flame_view *fv, int y, int cols, unsigned nrows)
{
	const struct flame_filter *flt = flame_filter(fv->fl);
	const struct frametab *ft = ui->profile->frames;
	char line[1024], n1[32], label[512], span[64];
	size_t ncells, len;
	const struct flame_cell *cells = flame_cells(fv->fl, &ncells);
	unsigned zd = flame_zoom_depth(fv->fl);
	int x = 1;

	/* The mode is named where there is a choice (snapshots without off-CPU time read as
	 * before). */
	len = (size_t)snprintf(line, sizeof(line), "%s%s%s%s%s, %s", timemode_event(ui),
			       timemode_event(ui)[0] ? ": " : "",
			       ui->profile->offcpu ? timemode_name(ui) : "",
			       ui->profile->offcpu ? ": " : "",
			       timemode_amount(ui, flame_base_total(fv->fl), n1, sizeof(n1)),
			       range_tree(ui) ? timerange_format(ui->range.from_ns, ui->range.to_ns,
								 span, sizeof(span))
			       : flame_window(fv->fl) && ui->tt.mode == TIMETREE_ON ? "last 10 s"
										    : "cumulative");
	if (flt) {
		flame_view_label(ft, flt->path[flt->n - 1], label, sizeof(label));
		len += (size_t)snprintf(line + len, sizeof(line) - len, "  %s %s: %s",
					ui->glyphs.vline, flame_view_filter_kind(ft, flt), label);
	}
	if (ncells && zd > (flt ? flt->n : 0) && zd < ncells) {
		flame_view_label(ft, cells[zd].frame, label, sizeof(label));
		len += (size_t)snprintf(line + len, sizeof(line) - len, "  %s zoom: %s",
					ui->glyphs.vline, label);
	}
	x += draw_text(ui, y, x, cols - 2, draw_attr(ui, THEME_HEADER), line);
	if (flame_search(fv->fl) && x + 4 < cols) {
		snprintf(line, sizeof(line), "  %s /%s: %.1f%%", ui->glyphs.vline,
			 flame_search(fv->fl),
			 flame_view_pct(flame_match_total(fv->fl), flame_base_total(fv->fl)));
		x += draw_text(ui, y, x, cols - x - 1, draw_attr(ui, THEME_MATCH), line);
	}
	if (nrows > (unsigned)fv->area_rows && x + 4 < cols)
		draw_textf(ui, y, x, cols - x - 1, draw_attr(ui, THEME_DIM),
			   "  %s depth %u-%u of %u", ui->glyphs.vline, fv->scroll,
			   fv->scroll + (unsigned)fv->area_rows - 1, nrows - 1);
}

/*
 * In the time modes, whether cell i is on or off the CPU: its state frame (depth 3) written into
 * buf as "  on CPU" or "  off CPU (S sleeping)". Returns the length written.
 */
static size_t
flame_view_state(struct ui *ui, struct flame_view *fv, long i, char *buf, size_t len)
{
	size_t ncells;
	const struct flame_cell *c = flame_cells(fv->fl, &ncells);
	const struct frametab *ft = ui->profile->frames;
	enum offcpu_state st;
	int n = 0;

	if (ui->tt.mode == TIMETREE_ON)
		return 0;
	while (i >= 0 && c[i].depth > 3)
		i = c[i].parent;
	if (i < 0 || c[i].depth != 3 || !offcpu_frame_state(frametab_get(ft, c[i].frame), ft, &st))
		return 0;
	if (st == OFFCPU_ON) {
		n = snprintf(buf, len, "  %s on CPU", ui->glyphs.vline);
	} else {
		/* "[off-CPU S sleeping]" -> "S sleeping" */
		const char *nm = offcpu_state_name(st) + strlen("[off-CPU ");

		n = snprintf(buf, len, "  %s off CPU (%.*s)", ui->glyphs.vline, (int)strlen(nm) - 1,
			     nm);
	}
	return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

/* The selected frame's samples against time (ui/range, which holds it frozen), found by its
 * frames from the root. */
static void
flame_view_spark(struct ui *ui, struct flame_view *fv, long sel, char *buf, size_t len)
{
	uint32_t frames[256];
	size_t n = flame_cell_path(fv->fl, sel, frames, 256);

	range_spark(ui, frames, n, 24, buf, len);
}

/* The selected frame's details: self, total, kind, module, declaration site, against time. */
static void
flame_view_details(struct ui *ui, struct flame_view *fv, int y, int cols)
{
	const struct frametab *ft = ui->profile->frames;
	long sel = flame_selected(fv->fl);
	size_t ncells;
	const struct flame_cell *c = flame_cells(fv->fl, &ncells);
	const struct frame *f;
	uint64_t base = flame_base_total(fv->fl);
	char line[1536], label[512];
	const char *mod, *slash, *file;
	size_t len;

	if (fv->typing) {
		draw_textf(ui, y, 1, cols - 2, draw_attr(ui, THEME_NORMAL) | A_BOLD,
			   "search: %s_   (Enter: keep, Esc: cancel)", fv->query);
		return;
	}
	if (sel < 0)
		return;
	c += sel;
	f = frametab_get(ft, c->frame);
	if (!f)
		return;
	flame_view_label(ft, c->frame, label, sizeof(label));
	if (ui->tt.mode == TIMETREE_ON)
		len = (size_t)snprintf(
			line, sizeof(line), "%s  %s self %.1f%% (%llu)  total %.1f%% (%llu)  %s",
			label, ui->glyphs.vline, flame_view_pct(c->self, base),
			(unsigned long long)c->self, flame_view_pct(c->total, base),
			(unsigned long long)c->total, frame_kind_name((enum frame_kind)f->kind));
	else
		len = (size_t)snprintf(line, sizeof(line),
				       "%s  %s self %.1f%% (%.3f s)  total %.1f%% (%.3f s)  %s",
				       label, ui->glyphs.vline, flame_view_pct(c->self, base),
				       (double)c->self / 1e9, flame_view_pct(c->total, base),
				       (double)c->total / 1e9,
				       frame_kind_name((enum frame_kind)f->kind));
	if (f->inlined)
		len += (size_t)snprintf(line + len, sizeof(line) - len, " (inlined)");
	len += flame_view_state(ui, fv, sel, line + len, sizeof(line) - len);
	if (ratioflame_view_on(ui))
		len += ratioflame_view_details(ui, fv->rf, (size_t)sel, line + len,
					       sizeof(line) - len);
	mod = frametab_str(ft, f->module);
	file = frametab_str(ft, f->file);
	if (*mod) {
		slash = strrchr(mod, '/');
		len += (size_t)snprintf(line + len, sizeof(line) - len, "  %s",
					slash ? slash + 1 : mod);
	}
	if (*file) {
		slash = strrchr(file, '/');
		len += (size_t)snprintf(line + len, sizeof(line) - len, "  %s:%u",
					slash ? slash + 1 : file, f->line);
	}
	if (len < sizeof(line))
		flame_view_spark(ui, fv, sel, line + len, sizeof(line) - len);
	draw_text(ui, y, 1, cols - 2, draw_attr(ui, THEME_NORMAL), line);
}

/* Keep the selected row in sight. */
static void
flame_view_scroll(struct flame_view *fv, unsigned nrows, long sel)
{
	unsigned shown = fv->area_rows > 0 ? (unsigned)fv->area_rows : 1, depth;
	size_t ncells;
	const struct flame_cell *c = flame_cells(fv->fl, &ncells);

	if (nrows <= shown) {
		fv->scroll = 0;
		return;
	}
	if (fv->scroll > nrows - shown)
		fv->scroll = nrows - shown;
	if (sel < 0)
		return;
	depth = c[sel].depth;
	if (depth < fv->scroll)
		fv->scroll = depth;
	else if (depth >= fv->scroll + shown)
		fv->scroll = depth - shown + 1;
}

/* The screen row of depth d, or -1 when it is scrolled away. */
static int
flame_view_row_y(const struct flame_view *fv, unsigned d)
{
	if (d < fv->scroll || d >= fv->scroll + (unsigned)fv->area_rows)
		return -1;
	if (fv->icicle)
		return fv->area_y + (int)(d - fv->scroll);
	return fv->area_y + fv->area_rows - 1 - (int)(d - fv->scroll);
}

static void
flame_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	struct flame_view *fv = state;
	const struct profile *p = ui->profile;
	const struct flame_cell *cells;
	size_t ncells;
	unsigned nrows;
	long sel;

	if (!p->stacks) {
		draw_text(ui, top + 1, 1, cols - 2, draw_attr(ui, THEME_NA),
			  "no samples (recorded with --no-samples): no flamegraph");
		return;
	}
	if (fv->diff) {
		baseline_draw(ui, top, rows, cols);
		return;
	}
	if (fv->chart) {
		flamechart_view_draw(ui, fv->cv, flame_filter(fv->fl), top, rows, cols);
		return;
	}
	/* A ratio flamegraph counts the whole recording: no window. */
	if (ratioflame_view_on(ui) && flame_window(fv->fl))
		flame_set_window(fv->fl, false);
	flame_view_update(ui, fv, cols);
	cells = flame_cells(fv->fl, &ncells);
	nrows = flame_rows(fv->fl);
	sel = flame_selected(fv->fl);
	fv->area_y = top + 1;
	fv->area_rows = rows - 2;
	if (ratioflame_view_on(ui)) {
		ratioflame_view_update(ui, fv->rf, cells, ncells);
		ratioflame_view_legend(ui, fv->rf, top + 1, cols);
		fv->area_y++;
		fv->area_rows--;
	}
	flame_view_scroll(fv, nrows, sel);
	flame_view_header(ui, fv, top, cols, nrows);
	if (!ncells) {
		const char *why = "no samples yet";

		if (flame_filter(fv->fl))
			why = "no samples for this process or thread (f: next filter, r: reset)";
		else if (flame_window(fv->fl))
			why = "no samples in the last 10 s (w: the whole recording)";
		draw_text(ui, top + 2, 1, cols - 2, draw_attr(ui, THEME_DIM), why);
	}
	for (size_t i = 0; i < ncells; i++) {
		int y = flame_view_row_y(fv, cells[i].depth);

		if (y >= 0)
			flame_view_cell(ui, fv, y, i, (long)i == sel);
	}
	flame_view_details(ui, fv, top + rows - 1, cols);
}

static void
flame_view_select(struct flame_view *fv, long i)
{
	if (i >= 0)
		flame_select(fv->fl, (size_t)i);
}

/*
 * The next or previous filter in the cycle: none, then processes, each followed by its threads
 * (in a merged snapshot: hosts, each followed by its processes).
 */
static void
flame_view_cycle_filter(struct ui *ui, struct flame_view *fv, bool backward)
{
	const struct profile *p = ui->profile;
	const struct flame_filter *cur = flame_filter(fv->fl);
	size_t n = flame_filters(fv->fl, timemode_tree(ui), fv->filters, FLAME_VIEW_MAX_FILTERS),
	       at = n;
	char label[512];

	for (size_t i = 0; cur && i < n; i++)
		if (fv->filters[i].n == cur->n &&
		    memcmp(fv->filters[i].path, cur->path, cur->n * sizeof(uint32_t)) == 0)
			at = i;
	/* Positions 0..n-1 are filters, n is "none". */
	at = backward ? (at + n) % (n + 1) : (at + 1) % (n + 1);
	if (at == n) {
		flame_set_filter(fv->fl, NULL);
		ui_message(ui, false, "flamegraph: every process");
		return;
	}
	flame_set_filter(fv->fl, &fv->filters[at]);
	flame_view_label(p->frames, fv->filters[at].path[fv->filters[at].n - 1], label,
			 sizeof(label));
	ui_message(ui, false, "flamegraph: %s %s",
		   flame_view_filter_kind(p->frames, &fv->filters[at]), label);
}

/* A key while the search prompt is open: every key is the prompt's. */
static bool
flame_view_prompt_key(struct ui *ui, struct flame_view *fv, int key)
{
	size_t len = strlen(fv->query);

	switch (key) {
	case 27:
		fv->typing = false;
		flame_set_search(fv->fl, fv->before);
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER: {
		long m;

		fv->typing = false;
		flame_set_search(fv->fl, fv->query);
		if (!fv->query[0] || !ui->profile->stacks)
			return true;
		/* The keys may come in one burst: lay out now to find the first match. */
		flame_view_update(ui, fv, fv->cols);
		m = flame_next_match(fv->fl, SIZE_MAX, false);
		if (m >= 0) {
			flame_view_select(fv, m);
		} else if (flame_zoom_match(fv->fl)) {
			/* Every match is too narrow to draw: zoom into the heaviest. */
			flame_view_update(ui, fv, fv->cols);
			ui_message(ui, false,
				   "'%s' is narrower than a column: zoomed into it "
				   "(Esc: back)",
				   fv->query);
		} else {
			ui_message(ui, false, "no frame matches '%s'", fv->query);
		}
		return true;
	}
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len)
			fv->query[len - 1] = '\0';
		break;
	default:
		if (key < 0x20 || key > 0x7e || len >= FLAME_VIEW_QUERY_MAX)
			return false;
		fv->query[len] = (char)key;
		fv->query[len + 1] = '\0';
		break;
	}
	flame_set_search(fv->fl, fv->query);
	return true;
}

/* c swaps the flamegraph and the flame chart; the chart takes the keys it knows. */
static bool
flame_view_chart_key(struct ui *ui, struct flame_view *fv, int key)
{
	if (key == 'c') {
		fv->chart = !fv->chart;
		ui_message(ui, false, "%s", fv->chart ? "flame chart: x is time" : "flamegraph");
		return true;
	}
	return fv->chart && flamechart_view_key(ui, fv->cv, key);
}

static bool
flame_view_key(struct ui *ui, void *state, int key)
{
	struct flame_view *fv = state;
	long sel = flame_selected(fv->fl);

	if (fv->typing)
		return flame_view_prompt_key(ui, fv, key);
	if (key == 'd') {
		if (baseline_can_show(ui))
			fv->diff = !fv->diff;
		return true;
	}
	if (fv->diff)
		return baseline_key(ui, key);
	if (flame_view_chart_key(ui, fv, key))
		return true;
	switch (key) {
	case KEY_UP:
		flame_view_select(fv, flame_move(fv->fl, (size_t)sel,
						 fv->icicle ? FLAME_PARENT : FLAME_CHILD));
		return true;
	case KEY_DOWN:
		flame_view_select(fv, flame_move(fv->fl, (size_t)sel,
						 fv->icicle ? FLAME_CHILD : FLAME_PARENT));
		return true;
	case KEY_LEFT:
		flame_view_select(fv, flame_move(fv->fl, (size_t)sel, FLAME_LEFT));
		return true;
	case KEY_RIGHT:
		flame_view_select(fv, flame_move(fv->fl, (size_t)sel, FLAME_RIGHT));
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		if (sel >= 0)
			flame_zoom_in(fv->fl, (size_t)sel);
		return true;
	case 27:
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (!flame_zoom_out(fv->fl))
			ui_message(ui, false, "flamegraph: not zoomed");
		return true;
	case '/':
		free(fv->before);
		fv->before = flame_search(fv->fl) ? xstrdup(flame_search(fv->fl)) : NULL;
		fv->query[0] = '\0';
		fv->typing = true;
		return true;
	case 'n':
	case 'N':
		if (!flame_search(fv->fl))
			ui_message(ui, false, "no search: / searches frame names");
		else if (sel >= 0)
			flame_view_select(fv, flame_next_match(fv->fl, (size_t)sel, key == 'N'));
		return true;
	case 'i':
		fv->icicle = !fv->icicle;
		return true;
	case 'w':
		if (ui->tt.mode != TIMETREE_ON) {
			ui_message(ui, false, "%s time covers the whole recording (o: on-CPU)",
				   timemode_name(ui));
			return true;
		}
		if (!ui->session) {
			ui_message(ui, false,
				   "a snapshot has no window: it shows the whole recording");
			return true;
		}
		flame_set_window(fv->fl, !flame_window(fv->fl));
		ui_message(ui, false, "flamegraph: %s",
			   flame_window(fv->fl) ? "the last 10 seconds" : "the whole recording");
		return true;
	case 'f':
	case 'F':
		if (ui->profile->stacks)
			flame_view_cycle_filter(ui, fv, key == 'F');
		return true;
	case 'r':
		flame_reset(fv->fl);
		fv->scroll = 0;
		return true;
	case 'a':
		if (sel >= 0)
			annotate_view_open(ui, flame_cells(fv->fl, &(size_t){ 0 })[sel].frame);
		return true;
	case 'E':
		if (!ratioflame_view_next(ui))
			timemode_next_event(ui);
		return true;
	case 'o':
		timemode_cycle(ui);
		/* Time trees have no window: they show the whole recording. */
		if (ui->tt.mode != TIMETREE_ON)
			flame_set_window(fv->fl, false);
		return true;
	default:
		return false;
	}
}

/* A click selects a frame; a click on the selected frame, or a double click, zooms into it. */
static bool
flame_view_mouse(struct ui *ui, void *state, int y, int x, mmask_t bstate)
{
	struct flame_view *fv = state;
	unsigned depth;
	long cell;

	if (fv->chart)
		return flamechart_view_mouse(ui, fv->cv, y, x, bstate);
	if (!(bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED)))
		return false;
	if (y < fv->area_y || y >= fv->area_y + fv->area_rows)
		return false;
	depth = fv->icicle ? fv->scroll + (unsigned)(y - fv->area_y)
			   : fv->scroll + (unsigned)(fv->area_y + fv->area_rows - 1 - y);
	cell = flame_cell_at(fv->fl, depth, x);
	if (cell < 0)
		return false;
	if ((bstate & BUTTON1_DOUBLE_CLICKED) || cell == flame_selected(fv->fl))
		flame_zoom_in(fv->fl, (size_t)cell);
	else
		flame_select(fv->fl, (size_t)cell);
	return true;
}

static bool
flame_view_typing(void *state)
{
	const struct flame_view *fv = state;

	return fv->typing;
}

const struct view_ops flame_view_ops = {
	.name = "Flame",
	.keys = "arrows    move: Up to a callee (icicle: to the caller), Left/Right along the row\n"
		"Enter     zoom into the selected frame (mouse: click it again, or double-click)\n"
		"Esc Bksp  zoom out (back to the previous zoom)\n"
		"/         search frame names (substring, any case); their share is shown;\n"
		"          a match too narrow to draw is zoomed into\n"
		"n N       next, previous match\n"
		"i         flip: flame (root at the bottom) or icicle (root on top)\n"
		"w         the last 10 s or the whole recording\n"
		"f F       filter to a process or thread, or a merged snapshot's host (cycles;\n"
		"          F goes back)\n"
		"r         reset zoom, filter and search\n"
		"d         the change since the baseline (b), or against a baseline range:\n"
		"          red grew, blue shrank; there A: absolute or shares, t: total or\n"
		"          self, o: gone\n"
		"a         annotate the selected function: its hot lines and instructions\n"
		"o         on-CPU samples, off-CPU time, wall-clock (both under each thread)\n"
		"E         the next sampled event's tree (--sample-event A,B,...), then each\n"
		"          ratio flamegraph (--ratio NAME=A/B of two sampled events: widths B,\n"
		"          colour A/B per frame, grey under 10 samples of B)\n"
		"c         flame chart: x is time (each column the stack that ran most then);\n"
		"          there Enter: the frame's time becomes the range, Esc: the one before\n",
	.init = flame_view_init,
	.fini = flame_view_fini,
	.draw = flame_view_draw,
	.key = flame_view_key,
	.mouse = flame_view_mouse,
	.typing = flame_view_typing,
};
