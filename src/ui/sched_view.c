// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The Scheduler view: the scheduler map (a row per CPU, a column per time bucket, each cell the
 * short name and colour of the task that ran most there, '.' for idle), a legend of the tasks the
 * map shows, and a table of tasks by CPU time with their switches, migrations and wake-up latency.
 * The map follows the latest time until the user scrolls back into history (then it stays there
 * until End or 0); + and - halve and double the time a cell covers. Everything comes from the
 * profile's schedmap, the live session's or the one a snapshot rebuilt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/session.h"
#include "ringside/model/schedmap_range.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/histo_view.h"
#include "ringside/ui/range.h"
#include "ringside/ui/view.h"
#include "ringside/util/xalloc.h"

#define SCHED_VIEW_MS	       1000000ull
#define SCHED_VIEW_S	       1000000000ull
#define SCHED_VIEW_MIN_BUCKET  SCHED_VIEW_MS
#define SCHED_VIEW_MAX_BUCKET  (600ull * SCHED_VIEW_S)
#define SCHED_VIEW_TARGET_SPAN (20ull * SCHED_VIEW_S)
#define SCHED_VIEW_LEGEND_ROWS 3
#define SCHED_VIEW_TABLE_MIN   4

struct sched_view {
	uint64_t bucket_ns; /* time per cell; 0 until the first draw picks one for the width */
	bool follow;	    /* the right edge is the latest time */
	uint64_t end;	    /* else the right edge (schedmap time) */
	unsigned cpu_top;   /* the first CPU row shown */
	unsigned cpu_rows;  /* CPU rows shown by the last draw */
	int ncells;	    /* cells per row in the last draw */
	struct schedmap_cell *cells;
	size_t cells_cap;
	uint8_t *seen; /* per task: shown in the map */
	size_t seen_cap;
	unsigned seen_special; /* 1: idle shown, 2: other tasks shown */
	struct sched_view_row *rows;
	size_t rows_cap;
	uint64_t *range_ns; /* per task: its run time in the range */
	size_t range_cap;
	int map_y0, map_y1, map_x, map_cw; /* the map's cells and marks at the last draw */
	uint64_t map_t0;		   /* its first cell's time (schedmap clock) */
};

/* A row of the task table. */
struct sched_view_row {
	uint64_t runtime_ns;
	uint32_t task;
};

static void *
sched_view_init(struct ui *ui)
{
	struct sched_view *sv = xcalloc(1, sizeof(*sv));

	(void)ui;
	sv->follow = true;
	return sv;
}

static void
sched_view_fini(void *state)
{
	struct sched_view *sv = state;

	if (!sv)
		return;
	free(sv->cells);
	free(sv->seen);
	free(sv->rows);
	free(sv->range_ns);
	free(sv);
}

/* The latest time shown: when the display froze, else now (live) or the recording's end. */
static uint64_t
sched_view_now(const struct ui *ui, const struct schedmap *m)
{
	uint64_t origin = ui->profile->sched_origin;

	if (ui->frozen)
		return origin + ui->shown_ns;
	if (ui->session)
		return origin + session_elapsed_ns(ui->session);
	return schedmap_now(m);
}

/*
 * Columns per cell: room for the longest short name in the legend (its last) and a space. Not
 * schedmap_short_name_for(count - 1): once exited tasks fold, names given outnumber the legend.
 */
static int
sched_view_cell_width(const struct schedmap *m)
{
	size_t n = schedmap_legend_count(m);
	struct schedmap_legend_entry le;
	int w;

	if (!n || schedmap_legend_at(m, n - 1, &le) < 0)
		return 2;
	w = (int)strlen(le.short_name) + 1;
	return w < 2 ? 2 : w > 4 ? 4 : w;
}

/* Columns of the "cpuN" labels ("HOST cpuN" merged, at most 24), a space included. */
static int
sched_view_label_width(const struct profile *p, unsigned ncpus)
{
	int digits = 1, w = 0;
	char label[64];

	if (p->sched_cpu_host) {
		for (unsigned c = 0; c < ncpus; c++) {
			profile_sched_cpu_label(p, c, label, sizeof(label));
			w = (int)strlen(label) + 1 > w ? (int)strlen(label) + 1 : w;
		}
		return w > 24 ? 24 : w;
	}
	for (unsigned n = ncpus > 0 ? ncpus - 1 : 0; n >= 10; n /= 10)
		digits++;
	return 3 + digits + 1;
}

/* The 1-2-5 step nearest (in ratio) to ns, or with at_least the smallest one not below it. */
static uint64_t
sched_view_nice(uint64_t ns, bool at_least)
{
	static const uint64_t steps[] = { 1, 2, 5 };
	uint64_t best = SCHED_VIEW_MIN_BUCKET;
	double best_r = 1e300;

	for (uint64_t p = SCHED_VIEW_MIN_BUCKET; p <= SCHED_VIEW_MAX_BUCKET; p *= 10) {
		for (int i = 0; i < 3; i++) {
			uint64_t v = p * steps[i];
			double r = v > ns ? (double)v / (double)ns : (double)ns / (double)v;

			if (v > SCHED_VIEW_MAX_BUCKET || (at_least && v < ns))
				continue;
			if (r < best_r) {
				best_r = r;
				best = v;
			}
		}
	}
	return best;
}

/*
 * The first time per cell: the map spans about 20 s live; a snapshot's map spans the recording
 * when it is shorter.
 */
static uint64_t
sched_view_first_bucket(const struct ui *ui, int ncells)
{
	uint64_t d = ui->profile->meta.duration_ns;

	if (ui->session || d >= SCHED_VIEW_TARGET_SPAN)
		return sched_view_nice(SCHED_VIEW_TARGET_SPAN / (uint64_t)ncells, false);
	return sched_view_nice((d > SCHED_VIEW_S ? d : SCHED_VIEW_S) / (uint64_t)ncells, true);
}

/* A duration for labels: "500 ms", "28.5 s", "2.5 min". */
static void
sched_view_dur(const struct ui *ui, uint64_t ns, char *buf, size_t len)
{
	if (ns < 1000)
		snprintf(buf, len, "%u ns", (unsigned)ns);
	else if (ns < SCHED_VIEW_MS)
		snprintf(buf, len, "%.3g %s", (double)ns / 1e3, ui->glyphs.unicode ? "µs" : "us");
	else if (ns < SCHED_VIEW_S)
		snprintf(buf, len, "%.3g ms", (double)ns / 1e6);
	else if (ns < 60 * SCHED_VIEW_S)
		snprintf(buf, len, "%.3g s", (double)ns / 1e9);
	else
		snprintf(buf, len, "%.3g min", (double)ns / 6e10);
}

/* A time since the recording's start: "1:05" for coarse steps, "12.25s" for fine ones. */
static void
sched_view_clock(uint64_t ns, uint64_t step, char *buf, size_t len)
{
	uint64_t s = ns / SCHED_VIEW_S;

	if (step >= SCHED_VIEW_S && step % SCHED_VIEW_S == 0)
		snprintf(buf, len, "%u:%02u", (unsigned)(s / 60), (unsigned)(s % 60));
	else if (step >= 100 * SCHED_VIEW_MS)
		snprintf(buf, len, "%.1fs", (double)ns / 1e9);
	else if (step >= 10 * SCHED_VIEW_MS)
		snprintf(buf, len, "%.2fs", (double)ns / 1e9);
	else
		snprintf(buf, len, "%.3fs", (double)ns / 1e9);
}

/* The map's window: [*t0, *t1) in cells of sv->bucket_ns aligned to the recording's start. */
static void
sched_view_window(struct sched_view *sv, uint64_t origin, uint64_t now, uint64_t *t0, uint64_t *t1)
{
	uint64_t span = (uint64_t)sv->ncells * sv->bucket_ns, e, rel;

	if (!sv->follow && sv->end >= now)
		sv->follow = true;
	e = sv->follow ? now : sv->end;
	rel = e > origin ? e - origin : 0;
	rel = (rel + sv->bucket_ns - 1) / sv->bucket_ns * sv->bucket_ns;
	if (rel < span) {
		*t0 = origin;
		*t1 = origin + span;
	} else {
		*t1 = origin + rel;
		*t0 = *t1 - span;
	}
}

static attr_t
sched_view_task_attr(const struct ui *ui, uint32_t task)
{
	if (task == SCHEDMAP_TASK_IDLE)
		return draw_attr(ui, THEME_IDLE);
	if (task == SCHEDMAP_TASK_OTHER || task == SCHEDMAP_TASK_UNKNOWN)
		return draw_attr(ui, THEME_DIM);
	return draw_attr(ui, (enum theme_slot)(THEME_TASK1 + task % THEME_NTASK_COLORS));
}

/* The header: what the window covers, where in the recording, and how it moves. */
static void
sched_view_header(struct ui *ui, struct sched_view *sv, int y, int cols, uint64_t t0, uint64_t t1,
		  uint64_t now)
{
	uint64_t origin = ui->profile->sched_origin, step = sv->bucket_ns;
	char a[32], b[32], c[32], span[32], cell[32], line[256];
	attr_t h = draw_attr(ui, THEME_HEADER);
	int x = 1;

	sched_view_clock(t0 - origin, step, a, sizeof(a));
	sched_view_clock((t1 < now ? t1 : now) - origin, step, b, sizeof(b));
	sched_view_clock(now > origin ? now - origin : 0, step, c, sizeof(c));
	sched_view_dur(ui, (uint64_t)sv->ncells * sv->bucket_ns, span, sizeof(span));
	sched_view_dur(ui, sv->bucket_ns, cell, sizeof(cell));
	snprintf(line, sizeof(line), "Scheduler map  %s-%s of %s  span %s, %s/cell ", a, b, c, span,
		 cell);
	x += draw_text(ui, y, x, cols - x, h, line);
	if (sv->follow)
		x += draw_text(ui, y, x, cols - x, draw_attr(ui, THEME_DIM),
			       ui->session && !ui->frozen ? " live" : " latest");
	else
		draw_text(ui, y, x + 1, cols - x - 1, draw_attr(ui, THEME_WARN) | A_REVERSE,
			  " HISTORY (End) ");
}

/* The time axis: a tick and a time every few cells, far enough apart for their labels. */
static void
sched_view_axis(struct ui *ui, struct sched_view *sv, int y, int x0, int cw, uint64_t t0,
		uint64_t origin)
{
	int every = (10 + cw - 1) / cw;
	uint64_t step = (uint64_t)every * sv->bucket_ns;
	char label[32];

	for (int i = 0; i < sv->ncells; i += every) {
		uint64_t t = t0 + (uint64_t)i * sv->bucket_ns;
		int x = x0 + i * cw;

		sched_view_clock(t - origin, step, label, sizeof(label));
		draw_textf(ui, y, x, cw * every - 1, draw_attr(ui, THEME_DIM), "%s%s",
			   ui->glyphs.vline, label);
	}
}

/* One CPU's row of cells. */
static void
sched_view_cpu_row(struct ui *ui, struct sched_view *sv, const struct schedmap *m, int y,
		   unsigned cpu, int lw, int cw, size_t nb)
{
	char label[64];

	profile_sched_cpu_label(ui->profile, cpu, label, sizeof(label));
	draw_text(ui, y, 0, lw - 1, draw_attr(ui, THEME_DIM), label);
	for (size_t b = 0; b < nb && (int)b < sv->ncells; b++) {
		const struct schedmap_cell *cell = &sv->cells[(size_t)cpu * nb + b];
		int x = lw + (int)b * cw;

		if (cell->task == SCHEDMAP_TASK_UNKNOWN)
			continue;
		draw_textf(ui, y, x, cw, sched_view_task_attr(ui, cell->task), "%-*s", cw,
			   schedmap_short_name(m, cell->task));
	}
}

/* Mark the tasks the map shows (sv->seen); returns how many. */
static size_t
sched_view_mark_seen(struct sched_view *sv, const struct schedmap *m, size_t ncells)
{
	size_t nt = schedmap_ntasks(m), n = 0;

	if (nt + 1 > sv->seen_cap) {
		sv->seen_cap = nt + 64;
		sv->seen = xreallocarray(sv->seen, sv->seen_cap, 1);
	}
	memset(sv->seen, 0, nt);
	sv->seen_special = 0;
	for (size_t i = 0; i < ncells; i++) {
		uint32_t t = sv->cells[i].task;

		if (t == SCHEDMAP_TASK_IDLE)
			sv->seen_special |= 1u;
		else if (t == SCHEDMAP_TASK_OTHER)
			sv->seen_special |= 2u;

		if (t < nt && !sv->seen[t]) {
			sv->seen[t] = 1;
			n++;
		}
	}
	return n;
}

/* The legend: "A comm:tid" for each task in the map, in short-name order, in up to rows rows. */
static int
sched_view_legend(struct ui *ui, struct sched_view *sv, const struct schedmap *m, int y, int rows,
		  int cols, size_t nseen)
{
	struct schedmap_legend_entry le;
	size_t shown = 0;
	int x = 1, row = 0;
	char text[80];

	if (!nseen && !sv->seen_special) {
		draw_text(ui, y, 1, cols - 2, draw_attr(ui, THEME_DIM), "no data in this window");
		return 1;
	}
	for (size_t i = 0; i < 2; i++) {
		uint32_t special = i ? SCHEDMAP_TASK_OTHER : SCHEDMAP_TASK_IDLE;

		if (!(sv->seen_special & (1u << i)))
			continue;
		x += draw_text(ui, y, x, cols - x, sched_view_task_attr(ui, special),
			       schedmap_short_name(m, special));
		x += 1 + draw_text(ui, y, x + 1, cols - x - 1, draw_attr(ui, THEME_DIM),
				   i ? "other tasks" : "idle");
		x += 3;
	}
	for (size_t i = 0; schedmap_legend_at(m, i, &le) == 0 && row < rows; i++) {
		const char *host;
		int w;

		if (le.task >= schedmap_ntasks(m) || !sv->seen[le.task])
			continue;
		host = profile_sched_task_host(ui->profile, le.task);
		if (le.folded)
			snprintf(text, sizeof(text), "%s (%llu exited)%s%.20s", le.comm,
				 (unsigned long long)le.folded, host ? "@" : "", host ? host : "");
		else
			snprintf(text, sizeof(text), "%s:%d%s%.20s", le.comm, (int)le.tid,
				 host ? "@" : "", host ? host : "");
		w = (int)strlen(le.short_name) + 1 + draw_width(ui, text);
		if (x > 1 && x + w + 12 > cols && row + 1 == rows)
			break;
		if (x > 1 && x + w > cols - 1) {
			if (++row >= rows)
				break;
			x = 1;
		}
		x += draw_text(ui, y + row, x, cols - x, sched_view_task_attr(ui, le.task),
			       le.short_name);
		x += 1;
		x += draw_text(ui, y + row, x, cols - x, draw_attr(ui, THEME_NORMAL), text);
		x += 3;
		shown++;
	}
	if (shown < nseen && row < rows)
		draw_textf(ui, y + row, x, cols - x, draw_attr(ui, THEME_DIM), "+%zu more",
			   nseen - shown);
	return row + 1;
}

static int
sched_view_row_cmp(const void *a, const void *b)
{
	const struct sched_view_row *x = a, *y = b;

	if (x->runtime_ns != y->runtime_ns)
		return x->runtime_ns < y->runtime_ns ? 1 : -1;
	return (x->task > y->task) - (x->task < y->task);
}

/* A latency for the table: "-" when none was measured. */
static void
sched_view_lat(const struct ui *ui, const struct schedmap_task_stats *st, char *buf, size_t len)
{
	if (!st->lat_count)
		snprintf(buf, len, "-");
	else
		sched_view_dur(ui, st->lat_p99_ns, buf, len);
}

/* In a range, the rows are the tasks that ran in it, with their time there; returns how many. */
static size_t
sched_view_range_rows(const struct ui *ui, struct sched_view *sv, const struct schedmap *m)
{
	uint64_t origin = ui->profile->sched_origin,
		 to = timerange_end(&ui->range, range_end_ns(ui));
	size_t nt = schedmap_ntasks(m), n = 0;

	if (nt > sv->range_cap) {
		sv->range_cap = nt + 64;
		sv->range_ns = xreallocarray(sv->range_ns, sv->range_cap, sizeof(*sv->range_ns));
	}
	schedmap_range_runtime(m, origin + ui->range.from_ns, origin + to, sv->range_ns, nt);
	for (uint32_t i = 0; i < nt; i++)
		if (sv->range_ns[i])
			sv->rows[n++] = (struct sched_view_row){ sv->range_ns[i], i };
	return n;
}

/* The task table, by CPU time, in rows [y, y + rows). */
static void
sched_view_table(struct ui *ui, struct sched_view *sv, const struct schedmap *m, int y, int rows,
		 int cols)
{
	size_t nt = schedmap_ntasks(m), n = 0;
	char cpu[32], lat[32], span[64];
	bool wide = cols >= 100;
	int x;

	if (rows < 2)
		return;
	if (nt + 1 > sv->rows_cap) {
		sv->rows_cap = nt + 64;
		sv->rows = xreallocarray(sv->rows, sv->rows_cap, sizeof(*sv->rows));
	}
	if (ui->range.active) {
		n = sched_view_range_rows(ui, sv, m);
	} else {
		for (uint32_t i = 0; i < nt; i++) {
			struct schedmap_task_stats st;

			if (schedmap_task_stats(m, i, &st) == 0 &&
			    (st.runtime_ns || st.short_name[0]))
				sv->rows[n++] = (struct sched_view_row){ st.runtime_ns, i };
		}
	}
	qsort(sv->rows, n, sizeof(*sv->rows), sched_view_row_cmp);
	x = 1 + draw_textf(ui, y, 1, cols - 2, draw_attr(ui, THEME_HEADER),
			   "%-3s %-15s %7s %7s %9s %9s%s %5s %8s", "", "task", "tid", "pid",
			   "cpu time", "switches", wide ? " involunt" : "", "migr", "wake p99");
	if (ui->range.active)
		draw_textf(
			ui, y, x + 2, cols - x - 3, draw_attr(ui, THEME_DIM),
			"%zu tasks by cpu time in %s (the rest: the whole recording)", n,
			timerange_format(ui->range.from_ns, ui->range.to_ns, span, sizeof(span)));
	else
		draw_textf(ui, y, x + 2, cols - x - 3, draw_attr(ui, THEME_DIM),
			   "%zu tasks by cpu time", n);
	for (size_t i = 0; i < n && (int)i < rows - 1; i++) {
		struct schedmap_task_stats st;
		int yy = y + 1 + (int)i;
		char invol[16] = "";

		schedmap_task_stats(m, sv->rows[i].task, &st);
		sched_view_dur(ui, sv->rows[i].runtime_ns, cpu, sizeof(cpu));
		sched_view_lat(ui, &st, lat, sizeof(lat));
		if (wide)
			snprintf(invol, sizeof(invol), " %8llu",
				 (unsigned long long)st.switches_involuntary);
		draw_text(ui, yy, 1, 3, sched_view_task_attr(ui, sv->rows[i].task),
			  st.short_name[0] ? st.short_name : " ");
		if (st.folded) {
			/* an aggregate has no TID or PID: its name takes their columns */
			draw_textf(ui, yy, 5, cols - 6 < 31 ? cols - 6 : 31,
				   draw_attr(ui, THEME_NORMAL), "%s (%llu exited)", st.comm,
				   (unsigned long long)st.folded);
		} else {
			const char *host = profile_sched_task_host(ui->profile, sv->rows[i].task);

			/* merged: comm@host, so that one comm on two hosts is told apart */
			draw_textf(ui, yy, 5, 15, draw_attr(ui, THEME_NORMAL), "%s%s%s", st.comm,
				   host ? "@" : "", host ? host : "");
			draw_textf(ui, yy, 20, cols - 21 < 16 ? cols - 21 : 16,
				   draw_attr(ui, THEME_NORMAL), " %7d %7d", (int)st.tid,
				   (int)st.pid);
		}
		draw_textf(ui, yy, 36, cols - 37, draw_attr(ui, THEME_NORMAL),
			   " %9s %9llu%s %5llu %8s", cpu,
			   (unsigned long long)(st.switches_voluntary + st.switches_involuntary),
			   invol, (unsigned long long)st.migrations, lat);
	}
}

/*
 * Fill sv->cells with the map of [t0, t1): *nb buckets of sv->bucket_ns for each CPU, CPU by CPU.
 * Time after now is not known yet and stays blank. Returns 0, or schedmap_query's negative code.
 */
static int
sched_view_query(const struct ui *ui, struct sched_view *sv, const struct schedmap *m, uint64_t t0,
		 uint64_t t1, uint64_t now, size_t *nb)
{
	const char *kind = ui->profile->meta.target_kind;
	unsigned ncpus = schedmap_ncpus(m);
	size_t n = schedmap_query_nbuckets(t0, t1, sv->bucket_ns), need = n * ncpus;
	int r;

	*nb = n;
	if (need > sv->cells_cap) {
		sv->cells_cap = need + 64;
		sv->cells = xreallocarray(sv->cells, sv->cells_cap, sizeof(*sv->cells));
	}
	r = schedmap_query(m, t0, t1, sv->bucket_ns,
			   strcmp(kind ? kind : "system", "system") ? SCHEDMAP_OTHER : 0,
			   sv->cells);
	if (r < 0)
		return r;
	/*
	 * Live, the cell still filling is blank too: its last records may still be in the kernel's
	 * rings (a switch-in not read yet).
	 */
	for (size_t b = 0; b < n; b++) {
		uint64_t from = t0 + b * sv->bucket_ns;

		if (from < now && (!ui->session || ui->frozen || from + sv->bucket_ns <= now))
			continue;
		for (unsigned c = 0; c < ncpus; c++)
			sv->cells[(size_t)c * n + b].task = SCHEDMAP_TASK_UNKNOWN;
	}
	return 0;
}

/* Under the map, the range and the cursor on its cells; the cursor steps a cell. */
static void
sched_view_marks(struct ui *ui, struct sched_view *sv, int y, int lw, int cw, uint64_t t0)
{
	uint64_t origin = ui->profile->sched_origin;

	sv->map_y1 = y;
	sv->map_x = lw;
	sv->map_cw = cw;
	sv->map_t0 = t0;
	ui->range.step_ns = sv->bucket_ns;
	for (int i = 0; i < sv->ncells; i++) {
		uint64_t a = t0 + (uint64_t)i * sv->bucket_ns - origin;

		range_mark(ui, y, lw + i * cw, cw, a, a + sv->bucket_ns);
	}
}

static void
sched_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	struct sched_view *sv = state;
	const struct profile *p = ui->profile;
	const struct schedmap *m = p->sched;
	unsigned ncpus;
	int lw, cw, y = top, bottom = top + rows, avail, legend_rows;
	uint64_t now, t0, t1;
	size_t nb, need, nseen;

	if (!m) {
		draw_text(
			ui, y, 1, cols - 2, draw_attr(ui, THEME_NA),
			p->sched_json ? "the snapshot's scheduler timeline has no CPUs"
			: ui->session
				? "no scheduler timeline: it needs root and tracefs (or was turned "
				  "off with --no-sched)"
				: "no scheduler timeline in this snapshot (recorded with "
				  "--no-sched "
				  "or without tracefs)");
		return;
	}
	ncpus = schedmap_ncpus(m);
	lw = sched_view_label_width(p, ncpus);
	cw = sched_view_cell_width(m);
	sv->ncells = (cols - lw - 1) / cw;
	if (sv->ncells < 1)
		sv->ncells = 1;
	if (!sv->bucket_ns)
		sv->bucket_ns = sched_view_first_bucket(ui, sv->ncells);
	now = sched_view_now(ui, m);
	sched_view_window(sv, p->sched_origin, now, &t0, &t1);

	/* rows: header, axis, CPUs, a blank, the legend, a blank, the table */
	avail = rows - 2 - 1 - 1 - 1 - SCHED_VIEW_TABLE_MIN;
	sv->cpu_rows = ncpus < (unsigned)(avail > 1 ? avail : 1)
			       ? ncpus
			       : (unsigned)(avail > 1 ? avail : 1);
	if (sv->cpu_top + sv->cpu_rows > ncpus)
		sv->cpu_top = ncpus - sv->cpu_rows;

	if (sched_view_query(ui, sv, m, t0, t1, now, &nb) < 0)
		return;
	need = nb * ncpus;

	sched_view_header(ui, sv, y++, cols, t0, t1, now);
	sched_view_axis(ui, sv, y++, lw, cw, t0, p->sched_origin);
	sv->map_y0 = y;
	for (unsigned i = 0; i < sv->cpu_rows; i++)
		sched_view_cpu_row(ui, sv, m, y++, sv->cpu_top + i, lw, cw, nb);
	if (sv->cpu_rows < ncpus)
		draw_textf(ui, y, lw, cols - lw, draw_attr(ui, THEME_DIM),
			   "cpus %u-%u of %u shown; Up/Down scroll", sv->cpu_top,
			   sv->cpu_top + sv->cpu_rows - 1, ncpus);
	else
		sched_view_marks(ui, sv, y, lw, cw, t0);
	y++;
	nseen = sched_view_mark_seen(sv, m, need);
	legend_rows = bottom - y - 1 - SCHED_VIEW_TABLE_MIN;
	if (legend_rows > SCHED_VIEW_LEGEND_ROWS)
		legend_rows = SCHED_VIEW_LEGEND_ROWS;
	if (legend_rows < 1)
		legend_rows = 1;
	y += sched_view_legend(ui, sv, m, y, legend_rows, cols, nseen);
	y++;
	sched_view_table(ui, sv, m, y, bottom - y, cols);
}

/* A click on the map's cells or the marks under them: two clicks (or a drag) choose a range. */
static bool
sched_view_mouse(struct ui *ui, void *state, int y, int x, mmask_t bstate)
{
	struct sched_view *sv = state;
	uint64_t a;
	int i;

	if (!(bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)) || !sv->map_cw ||
	    y < sv->map_y0 || y > sv->map_y1 || x < sv->map_x)
		return false;
	i = (x - sv->map_x) / sv->map_cw;
	if (i >= sv->ncells || sv->map_t0 < ui->profile->sched_origin)
		return false;
	a = sv->map_t0 + (uint64_t)i * sv->bucket_ns - ui->profile->sched_origin;
	range_mouse(ui, bstate, a, a + sv->bucket_ns);
	return true;
}

/* Move the right edge by delta cells (negative: back in time). */
static void
sched_view_scroll(struct ui *ui, struct sched_view *sv, int64_t delta)
{
	const struct profile *p = ui->profile;
	uint64_t now = sched_view_now(ui, p->sched), t0, t1, span, first;

	if (!sv->bucket_ns || !sv->ncells)
		return;
	sched_view_window(sv, p->sched_origin, now, &t0, &t1);
	span = (uint64_t)sv->ncells * sv->bucket_ns;
	first = p->sched_origin + span;
	if (delta < 0 && t0 <= p->sched_origin) {
		ui_message(ui, false, "the map already starts at the recording's start");
		return;
	}
	if (delta < 0) {
		uint64_t back = (uint64_t)-delta * sv->bucket_ns;

		sv->end = t1 > first + back ? t1 - back : first;
		sv->end = sv->end < now ? sv->end : now;
		sv->follow = false;
	} else {
		sv->end = t1 + (uint64_t)delta * sv->bucket_ns;
		sv->follow = sv->end >= now;
	}
}

static bool
sched_view_key(struct ui *ui, void *state, int key)
{
	struct sched_view *sv = state;
	int64_t quarter = sv->ncells / 4 > 0 ? sv->ncells / 4 : 1;
	unsigned ncpus;

	if (!ui->profile->sched)
		return false;
	ncpus = schedmap_ncpus(ui->profile->sched);
	switch (key) {
	case '+':
	case '=':
		if (sv->bucket_ns / 2 >= SCHED_VIEW_MIN_BUCKET)
			sv->bucket_ns /= 2;
		return true;
	case '-':
	case '_':
		if (sv->bucket_ns * 2 <= SCHED_VIEW_MAX_BUCKET)
			sv->bucket_ns *= 2;
		return true;
	case KEY_LEFT:
		sched_view_scroll(ui, sv, -quarter);
		return true;
	case KEY_RIGHT:
		sched_view_scroll(ui, sv, quarter);
		return true;
	case KEY_PPAGE:
		sched_view_scroll(ui, sv, -(int64_t)sv->ncells);
		return true;
	case KEY_NPAGE:
		sched_view_scroll(ui, sv, sv->ncells);
		return true;
	case KEY_HOME:
		sv->follow = false;
		sv->end = ui->profile->sched_origin;
		return true;
	case KEY_END:
	case '0':
		sv->follow = true;
		return true;
	case KEY_UP:
		if (sv->cpu_top > 0)
			sv->cpu_top--;
		return true;
	case KEY_DOWN:
		if (sv->cpu_top + sv->cpu_rows < ncpus)
			sv->cpu_top++;
		return true;
	case 'L':
		histo_view_open_latency(ui);
		return true;
	default:
		return false;
	}
}

const struct view_ops sched_view_ops = {
	.name = "Scheduler",
	.keys = "+ -       zoom in and out in time (halve or double the time per cell)\n"
		"Left Right  scroll back and forward in history by a quarter of the map\n"
		"PgUp PgDn scroll by a whole map; Home: the start of the recording\n"
		"End 0     back to the latest time (the map follows it)\n"
		"Up Down   scroll the CPU rows when they do not all fit\n"
		"L         histogram of wake-up latencies, every task's then each task's\n",
	.init = sched_view_init,
	.fini = sched_view_fini,
	.draw = sched_view_draw,
	.key = sched_view_key,
	.mouse = sched_view_mouse,
};
