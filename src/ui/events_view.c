// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The event browser: every event this machine offers (perf's generic events, the PMUs' events,
 * tracepoints) with its kind, whether it counts here and its description, and a mark on the
 * events counted now. After '/', what is typed narrows the list at each key (best matches first,
 * perf/catalog's catalog_filter); Enter or 'a' adds the selected event to the running session,
 * 'd' or Delete removes one being counted. A snapshot (`ringside view`) is read-only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/session.h"
#include "ringside/perf/catalog.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/view.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"

enum { EVENTS_QUERY_MAX = 120, EVENTS_KIND_W = 11, EVENTS_HERE_W = 4, EVENTS_HEAD_ROWS = 3 };

struct events_view {
	struct catalog cat;
	bool built;
	size_t *idx, n; /* the entries shown, best match first */
	char query[EVENTS_QUERY_MAX + 1];
	size_t qlen;
	bool typing; /* the search prompt has the keys */
	size_t sel, top;
	int list_top, list_rows; /* where the list was drawn last */
};

static void *
events_view_init(struct ui *ui)
{
	(void)ui;
	return xcalloc(1, sizeof(struct events_view));
}

static void
events_view_fini(void *state)
{
	struct events_view *ev = state;

	if (!ev)
		return;
	catalog_fini(&ev->cat);
	free(ev->idx);
	free(ev);
}

static void
events_view_refilter(struct events_view *ev)
{
	ev->n = catalog_filter(&ev->cat, ev->query, ev->idx);
	if (ev->sel >= ev->n)
		ev->sel = ev->n ? ev->n - 1 : 0;
}

/* The catalog is read the first time the view is used: the screen comes up without waiting. */
static void
events_view_build(struct events_view *ev)
{
	if (ev->built)
		return;
	catalog_build(&ev->cat, CATALOG_TRACE_FIELDS);
	ev->idx = xcalloc(ev->cat.n + 1, sizeof(*ev->idx));
	ev->built = true;
	events_view_refilter(ev);
}

static const struct catalog_entry *
events_view_selected(const struct events_view *ev)
{
	return ev->sel < ev->n ? &ev->cat.v[ev->idx[ev->sel]] : NULL;
}

/* The profile track of the event named name (as written, or canonical), or SIZE_MAX. */
static size_t
events_view_track(const struct ui *ui, const char *name)
{
	const struct profile *p = ui->profile;

	for (size_t i = 0; i < p->ntracks; i++)
		if (strcmp(p->tracks[i].name, name) == 0 ||
		    (p->tracks[i].canonical && strcmp(p->tracks[i].canonical, name) == 0))
			return i;
	return SIZE_MAX;
}

/* Counted now (live), or recorded to the end (a snapshot). */
static bool
events_view_counted(const struct ui *ui, size_t track)
{
	if (track >= ui->profile->ntracks)
		return false;
	if (ui->session)
		return session_event_counted(ui->session, track);
	return ui->profile->tracks[track].removed_ns == 0;
}

static void
events_view_add(struct ui *ui, struct events_view *ev)
{
	const struct catalog_entry *e = events_view_selected(ev);
	const struct counter_track *tr;
	struct errbuf err;
	int r;

	if (!e) {
		ui_message(ui, true, "no event matches '%s'; Backspace or Esc widens the search",
			   ev->query);
		return;
	}
	if (!ui->session) {
		ui_message(ui, true, "%s: a snapshot is read-only; add events in a live session",
			   e->name);
		return;
	}
	errbuf_clear(&err);
	r = session_add_event(ui->session, e->name, &err);
	if (r < 0) {
		ui_message(ui, true, "cannot add %s: %s", e->name, err.msg);
		return;
	}
	tr = &ui->profile->tracks[r];
	if (!tr->supported)
		ui_message(ui, true, "%s: %s; shown as n/a", e->name,
			   tr->reason ? tr->reason : "not supported on this machine");
	else
		ui_message(ui, false, "added %s", e->name);
}

static void
events_view_remove(struct ui *ui, struct events_view *ev)
{
	const struct catalog_entry *e = events_view_selected(ev);
	size_t ti = e ? events_view_track(ui, e->name) : SIZE_MAX;
	struct errbuf err;
	char *name;
	int r;

	if (!e)
		return;
	if (!ui->session) {
		ui_message(ui, true, "%s: a snapshot is read-only; remove events in a live session",
			   e->name);
		return;
	}
	if (!events_view_counted(ui, ti)) {
		ui_message(ui, true, "%s is not counted now; nothing to remove", e->name);
		return;
	}
	name = xstrdup(ui->profile->tracks[ti].name);
	errbuf_clear(&err);
	r = session_remove_event(ui->session, name, &err);
	if (r < 0)
		ui_message(ui, true, "cannot remove %s: %s", name, err.msg);
	else
		ui_message(ui, false, "removed %s (what it counted stays in the profile)", name);
	free(name);
}

/* The prompt line: the search being typed, the filter in force, or the keys. */
static void
events_view_prompt(struct ui *ui, struct events_view *ev, int y, int cols)
{
	attr_t dim = draw_attr(ui, THEME_DIM), match = draw_attr(ui, THEME_MATCH);
	int x = 1;

	if (ev->typing || ev->qlen) {
		x += draw_text(ui, y, x, cols - x, draw_attr(ui, THEME_HEADER), "Search: ");
		x += draw_text(ui, y, x, cols - x - 1, match, ev->query);
		if (ev->typing)
			x += draw_text(ui, y, x, 1, match | A_REVERSE, " ");
		x += 2;
		draw_textf(ui, y, x, cols - x, dim, "%zu of %zu   %s", ev->n, ev->cat.n,
			   ev->typing ? "Esc ends the search, Enter adds" : "/ edits, Esc clears");
		return;
	}
	draw_textf(ui, y, x, cols - x, dim, "%zu events   / search   %s", ev->cat.n,
		   ui->session ? "Enter or a adds   d removes"
			       : "read-only: a snapshot's events cannot change");
}

/* The line naming the events counted now (live) or recorded (snapshot). */
static void
events_view_counted_line(struct ui *ui, int y, int cols)
{
	const struct profile *p = ui->profile;
	int x = 1;

	x += draw_text(ui, y, x, cols - x, draw_attr(ui, THEME_HEADER),
		       ui->session ? "Counted now:" : "Recorded:");
	for (size_t i = 0; i < p->ntracks && x < cols - 2; i++) {
		if (!events_view_counted(ui, i))
			continue;
		x += 1;
		x += draw_text(ui, y, x, cols - x - 1,
			       p->tracks[i].supported ? draw_attr(ui, THEME_NORMAL)
						      : draw_attr(ui, THEME_NA),
			       p->tracks[i].name);
		if (!p->tracks[i].supported && x < cols - 6)
			x += draw_text(ui, y, x, cols - x - 1, draw_attr(ui, THEME_NA), " (n/a)");
	}
}

static void
events_view_row(struct ui *ui, const struct catalog_entry *e, bool selected, int y, int cols,
		int name_w)
{
	attr_t base = selected ? draw_attr(ui, THEME_SELECT) : draw_attr(ui, THEME_NORMAL);
	attr_t dim = selected ? base : draw_attr(ui, THEME_DIM);
	bool counted = events_view_counted(ui, events_view_track(ui, e->name));
	int x = 1;

	if (selected)
		draw_fill(y, 0, cols, base);
	draw_text(ui, y, x, 1, base | A_BOLD, counted ? "*" : " ");
	x += 2;
	draw_text(ui, y, x, name_w, counted ? base | A_BOLD : base, e->name);
	x += name_w + 1;
	draw_text(ui, y, x, EVENTS_KIND_W, dim, e->group);
	x += EVENTS_KIND_W + 1;
	draw_text(ui, y, x, EVENTS_HERE_W,
		  e->supported || selected ? base : draw_attr(ui, THEME_NA),
		  e->supported ? "yes" : "no");
	x += EVENTS_HERE_W + 1;
	if (x < cols - 1)
		draw_text(ui, y, x, cols - x - 1, dim, e->desc);
}

static void
events_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	struct events_view *ev = state;
	int name_w = cols >= 120 ? 40 : 30, y = top + EVENTS_HEAD_ROWS;
	attr_t h = draw_attr(ui, THEME_HEADER);

	events_view_build(ev);
	events_view_prompt(ui, ev, top, cols);
	events_view_counted_line(ui, top + 1, cols);
	draw_text(ui, top + 2, 1, 1, h, "*");
	draw_text(ui, top + 2, 3, name_w, h, "event");
	draw_text(ui, top + 2, 4 + name_w, EVENTS_KIND_W, h, "kind");
	draw_text(ui, top + 2, 5 + name_w + EVENTS_KIND_W, EVENTS_HERE_W, h, "here");
	draw_text(ui, top + 2, 6 + name_w + EVENTS_KIND_W + EVENTS_HERE_W,
		  cols - (7 + name_w + EVENTS_KIND_W + EVENTS_HERE_W), h, "description");
	ev->list_top = y;
	ev->list_rows = rows - EVENTS_HEAD_ROWS > 1 ? rows - EVENTS_HEAD_ROWS : 1;
	/* Keep the selection in sight. */
	if (ev->sel < ev->top)
		ev->top = ev->sel;
	if (ev->sel >= ev->top + (size_t)ev->list_rows)
		ev->top = ev->sel - (size_t)ev->list_rows + 1;
	if (ev->n == 0) {
		draw_text(ui, y, 3, cols - 4, draw_attr(ui, THEME_DIM),
			  ev->qlen ? "no event matches; Backspace widens the search"
				   : "no events found on this machine");
		return;
	}
	for (size_t i = ev->top; i < ev->n && y < top + rows; i++)
		events_view_row(ui, &ev->cat.v[ev->idx[i]], i == ev->sel, y++, cols, name_w);
}

/* Move the selection by delta rows, clamped to the list. */
static void
events_view_move(struct events_view *ev, long delta)
{
	long sel = (long)ev->sel + delta;

	if (sel >= (long)ev->n)
		sel = (long)ev->n - 1;
	if (sel < 0)
		sel = 0;
	ev->sel = (size_t)sel;
}

/* Keys that move the selection, in and out of the prompt; false when key is not one. */
static bool
events_view_nav(struct events_view *ev, int key)
{
	long page = ev->list_rows > 1 ? ev->list_rows - 1 : 1;

	switch (key) {
	case KEY_UP:
		events_view_move(ev, -1);
		return true;
	case KEY_DOWN:
		events_view_move(ev, 1);
		return true;
	case KEY_PPAGE:
		events_view_move(ev, -page);
		return true;
	case KEY_NPAGE:
		events_view_move(ev, page);
		return true;
	case KEY_HOME:
		ev->sel = 0;
		return true;
	case KEY_END:
		events_view_move(ev, (long)ev->n);
		return true;
	default:
		return false;
	}
}

/* The search prompt: every key is the prompt's. */
static bool
events_view_type(struct ui *ui, struct events_view *ev, int key)
{
	if (events_view_nav(ev, key))
		return true;
	switch (key) {
	case 27: /* Esc: the filter stays */
		ev->typing = false;
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
		ev->typing = false;
		events_view_add(ui, ev);
		return true;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (ev->qlen)
			ev->query[--ev->qlen] = '\0';
		else
			ev->typing = false;
		break;
	case 21: /* Ctrl-U */
		ev->qlen = 0;
		ev->query[0] = '\0';
		break;
	default:
		if (key < 32 || key > 126 || ev->qlen >= EVENTS_QUERY_MAX)
			return true;
		ev->query[ev->qlen++] = (char)key;
		ev->query[ev->qlen] = '\0';
		break;
	}
	ev->sel = ev->top = 0;
	events_view_refilter(ev);
	return true;
}

static bool
events_view_key(struct ui *ui, void *state, int key)
{
	struct events_view *ev = state;

	events_view_build(ev);
	if (ev->typing)
		return events_view_type(ui, ev, key);
	if (events_view_nav(ev, key))
		return true;
	switch (key) {
	case '/':
		ev->typing = true;
		return true;
	case 'j':
		events_view_move(ev, 1);
		return true;
	case 'k':
		events_view_move(ev, -1);
		return true;
	case 27: /* Esc: the whole list again */
		if (!ev->qlen)
			return false;
		ev->qlen = 0;
		ev->query[0] = '\0';
		ev->sel = ev->top = 0;
		events_view_refilter(ev);
		return true;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case 'a':
		events_view_add(ui, ev);
		return true;
	case 'd':
	case KEY_DC:
		events_view_remove(ui, ev);
		return true;
	default:
		return false;
	}
}

static bool
events_view_mouse(struct ui *ui, void *state, int y, int x, mmask_t bstate)
{
	struct events_view *ev = state;
	size_t row;

	(void)x;
	if (bstate & BUTTON4_PRESSED) {
		events_view_move(ev, -3);
		return true;
	}
	if (bstate & BUTTON5_PRESSED) {
		events_view_move(ev, 3);
		return true;
	}
	if (y < ev->list_top || y >= ev->list_top + ev->list_rows)
		return false;
	row = ev->top + (size_t)(y - ev->list_top);
	if (row >= ev->n)
		return false;
	ev->sel = row;
	if (bstate & BUTTON1_DOUBLE_CLICKED)
		events_view_add(ui, ev);
	return true;
}

static bool
events_view_typing(void *state)
{
	const struct events_view *ev = state;

	return ev && ev->typing;
}

const struct view_ops events_view_ops = {
	.name = "Events",
	.keys = "/         search: what you type narrows the list (Esc ends, Enter adds)\n"
		"Up Down   select (PgUp PgDn Home End, j k)\n"
		"Enter a   add the selected event to the running session\n"
		"d Del     remove the selected event (its counts so far are kept)\n"
		"Esc       show every event again\n"
		"*         marks the events counted now\n",
	.init = events_view_init,
	.fini = events_view_fini,
	.draw = events_view_draw,
	.key = events_view_key,
	.mouse = events_view_mouse,
	.typing = events_view_typing,
};
