// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tasks view: the per-task counter table (model/taskctr), one row per thread with its CPU
 * share and rates in the last interval, its CPU time in total, IPC and cache-miss share where a
 * PMU counts them (n/a otherwise) and a sparkline of its CPU share over the last intervals.
 * Tasks that exited stay, marked x (dropped from the busiest N: -). < and > cycle the column the
 * table is sorted by; j k and the arrows move the cursor. Live and in `view` alike.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/taskctr.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/view.h"
#include "ringside/util/xalloc.h"

/* Columns: TID, state, COMM, then the figures; the sparkline takes what is left (>= 8). */
enum {
	TASKS_VIEW_TID_W = 7,
	TASKS_VIEW_COMM_W = 12,
	TASKS_VIEW_SPARK_MIN = 8,
};

struct tasks_view {
	enum taskctr_sort sort;
	size_t cursor, first; /* in sorted order */
	size_t *idx;
	size_t cap;
};

/* A figure column: its title, width and the sort it stands for. */
static const struct {
	const char *title;
	int width;
	enum taskctr_sort sort;
} tasks_view_cols[] = {
	{ "CPU%", 5, TASKCTR_SORT_CPU },      { "CPU-s", 6, TASKCTR_SORT_TOTAL_CPU },
	{ "CSW/s", 6, TASKCTR_SORT_CSWITCH }, { "MIG/s", 5, TASKCTR_SORT_MIGRATIONS },
	{ "FLT/s", 6, TASKCTR_SORT_FAULTS },  { "IPC", 4, TASKCTR_SORT_IPC },
	{ "MISS%", 5, TASKCTR_NSORTS },
};

#define TASKS_VIEW_NCOLS (sizeof(tasks_view_cols) / sizeof(tasks_view_cols[0]))

static void *
tasks_view_init(struct ui *ui)
{
	(void)ui;
	return xcalloc(1, sizeof(struct tasks_view));
}

static void
tasks_view_fini(void *state)
{
	struct tasks_view *tv = state;

	if (!tv)
		return;
	free(tv->idx);
	free(tv);
}

static bool
tasks_view_hidden(const struct ui *ui)
{
	return !ui->profile->taskctr;
}

/* A rate in at most 5 columns: 12345, 123k, 12.3M. */
static void
tasks_view_num(char *buf, size_t len, double v)
{
	if (v < 99999.5)
		snprintf(buf, len, "%.0f", v);
	else if (v < 999.5e3)
		snprintf(buf, len, "%.0fk", v / 1e3);
	else
		snprintf(buf, len, "%.1fM", v / 1e6);
}

/* Figure column c of row r into buf; false when it is not counted here (n/a). */
static bool
tasks_view_cell(const struct taskctr *tc, const struct taskctr_row *r, size_t c, char *buf,
		size_t len)
{
	double v;

	switch (c) {
	case 0:
		snprintf(buf, len, "%.0f", taskctr_cpu(r) * 100.0);
		return true;
	case 1:
		snprintf(buf, len, "%.1f", (double)r->total[TASKCTR_TASK_CLOCK] / 1e9);
		return true;
	case 2:
	case 3:
	case 4: {
		static const enum taskctr_event ev[] = { TASKCTR_CSWITCH, TASKCTR_MIGRATIONS,
							 TASKCTR_FAULTS };

		if (!taskctr_supported(tc, ev[c - 2]))
			return false;
		tasks_view_num(buf, len, taskctr_rate(r, ev[c - 2]));
		return true;
	}
	case 5:
		v = taskctr_ipc(r);
		if (v < 0 || !taskctr_supported(tc, TASKCTR_CYCLES))
			return false;
		snprintf(buf, len, "%.2f", v);
		return true;
	default:
		v = taskctr_miss(r);
		if (v < 0 || !taskctr_supported(tc, TASKCTR_CACHE_MISSES))
			return false;
		snprintf(buf, len, "%.0f", v * 100.0);
		return true;
	}
}

/* The title line and the column headers (the sorted column's title marked). */
static void
tasks_view_header(struct ui *ui, const struct tasks_view *tv, int y, int cols, int spark_w)
{
	const struct taskctr *tc = ui->profile->taskctr;
	size_t n = taskctr_count(tc), live = 0, exited = 0;
	attr_t h = draw_attr(ui, THEME_HEADER);
	int x = 0;

	for (size_t i = 0; i < n; i++) {
		live += taskctr_at(tc, i)->state == TASKCTR_LIVE;
		exited += taskctr_at(tc, i)->state == TASKCTR_EXITED;
	}
	draw_fill(y, 0, cols, draw_attr(ui, THEME_NORMAL));
	draw_textf(ui, y, 0, cols, draw_attr(ui, THEME_NORMAL),
		   "%zu tasks (%zu counted, %zu exited), sorted by %s (< >)%s", n, live, exited,
		   taskctr_sort_name(tv->sort),
		   taskctr_supported(tc, TASKCTR_CYCLES) ? "" : "; no PMU: no IPC, MISS%");
	draw_fill(y + 1, 0, cols, h);
	x += draw_textf(ui, y + 1, x, TASKS_VIEW_TID_W, h, "%*s", TASKS_VIEW_TID_W, "TID") + 1;
	x += draw_text(ui, y + 1, x + 2, TASKS_VIEW_COMM_W, h, "COMM") + 3;
	x = TASKS_VIEW_TID_W + 3 + TASKS_VIEW_COMM_W;
	for (size_t c = 0; c < TASKS_VIEW_NCOLS; c++) {
		bool sorted = tasks_view_cols[c].sort == tv->sort;

		draw_textf(ui, y + 1, x, tasks_view_cols[c].width + 1,
			   sorted ? h | A_UNDERLINE | A_BOLD : h, " %*s", tasks_view_cols[c].width,
			   tasks_view_cols[c].title);
		x += tasks_view_cols[c].width + 1;
	}
	if (tv->sort == TASKCTR_SORT_TID)
		mvchgat(y + 1, 0, TASKS_VIEW_TID_W, h | A_UNDERLINE | A_BOLD, 0, NULL);
	if (tv->sort == TASKCTR_SORT_COMM)
		mvchgat(y + 1, TASKS_VIEW_TID_W + 3, 4, h | A_UNDERLINE | A_BOLD, 0, NULL);
	if (spark_w >= TASKS_VIEW_SPARK_MIN)
		draw_text(ui, y + 1, x + 1, spark_w, h, "CPU history");
}

/* One task's row at y. */
static void
tasks_view_row(struct ui *ui, const struct taskctr_row *r, int y, int cols, int spark_w,
	       bool selected)
{
	const struct taskctr *tc = ui->profile->taskctr;
	attr_t a = draw_attr(ui, selected		    ? THEME_SELECT
				 : r->state == TASKCTR_LIVE ? THEME_NORMAL
							    : THEME_DIM);
	static const char marks[TASKCTR_NSTATES] = { ' ', 'x', '-' };
	double hist[TASKCTR_HIST];
	char buf[32];
	int x = TASKS_VIEW_TID_W + 3 + TASKS_VIEW_COMM_W;

	draw_fill(y, 0, cols, a);
	draw_textf(ui, y, 0, TASKS_VIEW_TID_W + 2, a, "%*d %c", TASKS_VIEW_TID_W, (int)r->tid,
		   marks[r->state]);
	draw_text(ui, y, TASKS_VIEW_TID_W + 3, TASKS_VIEW_COMM_W, a, r->comm);
	for (size_t c = 0; c < TASKS_VIEW_NCOLS; c++) {
		int w = tasks_view_cols[c].width;

		if (tasks_view_cell(tc, r, c, buf, sizeof(buf)))
			draw_textf(ui, y, x, w + 1, a, " %*s", w, buf);
		else
			draw_textf(ui, y, x, w + 1, selected ? a : draw_attr(ui, THEME_NA), " %*s",
				   w, "n/a");
		x += w + 1;
	}
	if (spark_w < TASKS_VIEW_SPARK_MIN)
		return;
	for (size_t i = 0; i < r->nhist; i++)
		hist[i] = r->hist[i];
	draw_spark(ui, y, x + 1, spark_w, selected ? a : draw_attr(ui, THEME_SPARK), hist, r->nhist,
		   0.0, 1.0);
}

static void
tasks_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	struct tasks_view *tv = state;
	const struct taskctr *tc = ui->profile->taskctr;
	size_t n = taskctr_count(tc), body;
	int spark_w = cols - (TASKS_VIEW_TID_W + 3 + TASKS_VIEW_COMM_W) - 1;

	for (size_t c = 0; c < TASKS_VIEW_NCOLS; c++)
		spark_w -= tasks_view_cols[c].width + 1;
	if (spark_w > TASKCTR_HIST)
		spark_w = TASKCTR_HIST;
	for (int y = top; y < top + rows; y++)
		draw_fill(y, 0, cols, draw_attr(ui, THEME_NORMAL));
	if (!tc) {
		draw_text(ui, top, 0, cols, draw_attr(ui, THEME_DIM),
			  "no per-task counters in this profile (record with --task-counters)");
		return;
	}
	if (rows < 3)
		return;
	if (n > tv->cap) {
		tv->cap = n;
		tv->idx = xreallocarray(tv->idx, n, sizeof(*tv->idx));
	}
	taskctr_order(tc, tv->sort, tv->idx);
	tasks_view_header(ui, tv, top, cols, spark_w);
	body = (size_t)rows - 2;
	if (tv->cursor >= n)
		tv->cursor = n ? n - 1 : 0;
	if (tv->cursor < tv->first)
		tv->first = tv->cursor;
	if (tv->cursor >= tv->first + body)
		tv->first = tv->cursor - body + 1;
	for (size_t i = 0; i < body && tv->first + i < n; i++)
		tasks_view_row(ui, taskctr_at(tc, tv->idx[tv->first + i]), top + 2 + (int)i, cols,
			       spark_w, tv->first + i == tv->cursor);
}

static bool
tasks_view_key(struct ui *ui, void *state, int key)
{
	struct tasks_view *tv = state;
	size_t n = taskctr_count(ui->profile->taskctr);

	switch (key) {
	case '>':
		tv->sort = (enum taskctr_sort)((tv->sort + 1) % TASKCTR_NSORTS);
		return true;
	case '<':
		tv->sort = (enum taskctr_sort)((tv->sort + TASKCTR_NSORTS - 1) % TASKCTR_NSORTS);
		return true;
	case KEY_UP:
	case 'k':
		tv->cursor -= tv->cursor > 0;
		return true;
	case KEY_DOWN:
	case 'j':
		tv->cursor += tv->cursor + 1 < n;
		return true;
	case KEY_PPAGE:
		tv->cursor = tv->cursor > 10 ? tv->cursor - 10 : 0;
		return true;
	case KEY_NPAGE:
		tv->cursor = tv->cursor + 10 < n ? tv->cursor + 10 : (n ? n - 1 : 0);
		return true;
	case KEY_HOME:
		tv->cursor = 0;
		return true;
	case KEY_END:
		tv->cursor = n ? n - 1 : 0;
		return true;
	default:
		return false;
	}
}

const struct view_ops tasks_view_ops = {
	.name = "Tasks",
	.keys = "< >       sort by the previous or next column (CPU%, CPU-s, CSW/s, MIG/s,\n"
		"          FLT/s, IPC, TID, COMM)\n"
		"Up Down   choose a task (j k, PgUp PgDn, Home End)\n"
		"T 6       this view: each thread's own counts (x: exited, -: no longer counted)\n",
	.init = tasks_view_init,
	.fini = tasks_view_fini,
	.draw = tasks_view_draw,
	.key = tasks_view_key,
	.hidden = tasks_view_hidden,
};
