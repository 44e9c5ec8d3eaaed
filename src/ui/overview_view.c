// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The overview: one row per counted event (rate now, a sparkline of the last intervals, min, max
 * and the multiplexing share), the ratio panel (IPC, CPI, miss rates, --ratio ones), the hottest
 * functions and a busy strip per CPU from the scheduler timeline.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/session.h"
#include "ringside/ui/annotate_view.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/histo_view.h"
#include "ringside/ui/hotratio_view.h"
#include "ringside/ui/range.h"
#include "ringside/ui/ratioflame_view.h"
#include "ringside/ui/timemode.h"
#include "ringside/ui/view.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/hot.h"

enum { OVERVIEW_NAME_W = 20, OVERVIEW_VALUE_W = 11, OVERVIEW_MINMAX_W = 9, OVERVIEW_SHARE_W = 8 };

struct overview {
	enum hot_order order;	     /* t flips */
	enum hot_ratio_order rorder; /* a ratio flamegraph shown: t goes on to the next column */
	bool ratio_rows; /* its table had rows at the last draw, the first ratio_first */
	uint32_t ratio_first;
	struct hotratio_view *ratio; /* its counts, kept between draws */
	bool window;		     /* w flips: the last seconds or everything */
	struct hot_entry *hot;
	size_t hot_cap, hot_n;
	/* Frozen: the list as it was, until the order, window or size changes. */
	uint64_t hot_samples;
	bool hot_held, hot_held_window;
	enum timetree_mode hot_held_mode;
	size_t hot_held_event;
	enum hot_order hot_held_order;
	int hot_held_rows;
	uint64_t hot_held_range; /* range_stamp() */
	double *vals;
	size_t vals_cap;
	uint32_t *hot_prev; /* the frames listed at the last draw, in order */
	size_t hot_prev_n, hot_prev_cap;
	int spark_x, spark_w, spark_y0, spark_y1; /* the sparklines' area at the last draw */
	size_t spark_n;				  /* and their intervals */
	size_t first_track;  /* Up/Down: the first event row shown when not all fit */
	size_t shown_tracks; /* at the last draw */
};

static void *
overview_view_init(struct ui *ui)
{
	struct overview *ov = xcalloc(1, sizeof(*ov));

	ov->order = HOT_BY_SELF;
	ov->rorder = HOT_RATIO_TOTAL;
	ov->ratio = hotratio_view_new();
	ov->window = ui->session != NULL;
	return ov;
}

static void
overview_view_fini(void *state)
{
	struct overview *ov = state;

	if (!ov)
		return;
	hotratio_view_free(ov->ratio);
	free(ov->hot);
	free(ov->hot_prev);
	free(ov->vals);
	free(ov);
}

static double *
overview_vals(struct overview *ov, size_t n)
{
	if (n > ov->vals_cap) {
		ov->vals_cap = n + 64;
		ov->vals = xreallocarray(ov->vals, ov->vals_cap, sizeof(double));
	}
	return ov->vals;
}

/* Intervals shown: all, or those there were when the display froze. */
static size_t
overview_points(const struct ui *ui, size_t n)
{
	return ui->frozen && ui->session && ui->shown_points < n ? ui->shown_points : n;
}

/* A value for its column: CPUs for time events, SI per second for the rest. */
static void
overview_format_rate(const struct counter_track *t, double rate, char *buf, size_t len)
{
	char si[32];

	if (isnan(rate))
		snprintf(buf, len, "-");
	else if (rates_is_time(t))
		snprintf(buf, len, "%.2f CPU", rate / 1e9);
	else
		snprintf(buf, len, "%s/s", rates_si(rate, si, sizeof(si)));
}

static int
overview_spark_width(int cols)
{
	int w = cols -
		(OVERVIEW_NAME_W + OVERVIEW_VALUE_W + 2 * OVERVIEW_MINMAX_W + OVERVIEW_SHARE_W + 6);

	return w < 8 ? 8 : w;
}

static void
overview_header(struct ui *ui, int y, int cols, const char *title, const char *value, bool share)
{
	int sw = overview_spark_width(cols), x = 1;
	attr_t h = draw_attr(ui, THEME_HEADER);

	draw_text(ui, y, x, OVERVIEW_NAME_W, h, title);
	x += OVERVIEW_NAME_W + 1;
	draw_textf(ui, y, x, OVERVIEW_VALUE_W, h, "%*s", OVERVIEW_VALUE_W, value);
	x += OVERVIEW_VALUE_W + 1;
	draw_text(ui, y, x, sw, h, "history");
	x += sw + 1;
	draw_textf(ui, y, x, OVERVIEW_MINMAX_W, h, "%*s", OVERVIEW_MINMAX_W, "min");
	x += OVERVIEW_MINMAX_W + 1;
	draw_textf(ui, y, x, OVERVIEW_MINMAX_W, h, "%*s", OVERVIEW_MINMAX_W, "max");
	x += OVERVIEW_MINMAX_W + 1;
	if (share)
		draw_textf(ui, y, x, OVERVIEW_SHARE_W, h, "%*s", OVERVIEW_SHARE_W, "counted");
}

/*
 * A row's history from 0 to hi: the last n of total values. Live, sweep style (each interval
 * rewrites one column, not the whole row); a snapshot's, right-aligned.
 */
static void
overview_spark(struct ui *ui, int y, int x, int width, attr_t attr, const double *v, size_t n,
	       size_t total, double hi)
{
	if (ui->session)
		draw_sweep(ui, y, x, width, attr, v, n, total, 0, hi);
	else
		draw_spark(ui, y, x, width, attr, v, n, 0, hi);
}

/* In a range, the row's figures are the range's: its mean rate, its smallest and largest. */
static void
overview_track_range(struct ui *ui, const struct counter_track *t, double *cur, double *lo,
		     double *hi)
{
	double value;

	if (!timerange_track(t, ui->range.from_ns, timerange_end(&ui->range, range_end_ns(ui)),
			     &value, cur, lo, hi))
		*cur = NAN;
}

/* One counter row. */
static void
overview_track(struct ui *ui, struct overview *ov, int y, int cols, const struct counter_track *t)
{
	size_t n = overview_points(ui, rates_npoints(t)), sw = (size_t)overview_spark_width(cols);
	size_t want = ui->braille ? 2 * sw : sw, first = n > want ? n - want : 0;
	double *v = overview_vals(ov, want + 1), lo = INFINITY, hi = -INFINITY, cur = NAN, scale;
	char buf[64];
	struct rates_point pt;
	int x = 1;

	draw_text(ui, y, x, OVERVIEW_NAME_W, draw_attr(ui, THEME_NORMAL), t->name);
	x += OVERVIEW_NAME_W + 1;
	if (!t->supported) {
		draw_textf(ui, y, x, OVERVIEW_VALUE_W, draw_attr(ui, THEME_NA), "%*s",
			   OVERVIEW_VALUE_W, "n/a");
		x += OVERVIEW_VALUE_W + 1;
		draw_text(ui, y, x, cols - x - 1, draw_attr(ui, THEME_NA),
			  t->reason ? t->reason : "not supported here");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		double r = rates_rate(t, i);

		if (isnan(r))
			continue;
		lo = r < lo ? r : lo;
		hi = r > hi ? r : hi;
	}
	scale = hi;
	for (size_t i = first; i < n; i++)
		v[i - first] = rates_rate(t, i);
	if (n)
		cur = v[n - 1 - first];
	if (ui->range.active)
		overview_track_range(ui, t, &cur, &lo, &hi);
	overview_format_rate(t, cur, buf, sizeof(buf));
	draw_textf(ui, y, x, OVERVIEW_VALUE_W, draw_attr(ui, THEME_NORMAL) | A_BOLD, "%*s",
		   OVERVIEW_VALUE_W, buf);
	x += OVERVIEW_VALUE_W + 1;
	overview_spark(ui, y, x, (int)sw, draw_attr(ui, THEME_SPARK), v, n - first, n,
		       scale > 0 ? scale : 1);
	x += (int)sw + 1;
	overview_format_rate(t, isinf(lo) ? NAN : lo, buf, sizeof(buf));
	draw_textf(ui, y, x, OVERVIEW_MINMAX_W, draw_attr(ui, THEME_DIM), "%*s", OVERVIEW_MINMAX_W,
		   buf);
	x += OVERVIEW_MINMAX_W + 1;
	overview_format_rate(t, isinf(hi) ? NAN : hi, buf, sizeof(buf));
	draw_textf(ui, y, x, OVERVIEW_MINMAX_W, draw_attr(ui, THEME_DIM), "%*s", OVERVIEW_MINMAX_W,
		   buf);
	x += OVERVIEW_MINMAX_W + 1;
	if (n && rates_point(t, n - 1, &pt)) {
		if (!pt.counted)
			draw_textf(ui, y, x, OVERVIEW_SHARE_W, draw_attr(ui, THEME_NA), "%*s",
				   OVERVIEW_SHARE_W, "idle");
		else
			draw_textf(ui, y, x, OVERVIEW_SHARE_W,
				   pt.share < 0.999 ? draw_attr(ui, THEME_WARN)
						    : draw_attr(ui, THEME_DIM),
				   "%*.0f%%", OVERVIEW_SHARE_W - 1, pt.share * 100);
	}
}

static void
overview_format_ratio(const struct ratio_def *r, double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (r->percent)
		snprintf(buf, len, "%.2f%%", v);
	else
		snprintf(buf, len, "%.3f", v);
}

/* One ratio row: "n/a" and why when an input is missing or unsupported. */
static void
overview_ratio(struct ui *ui, struct overview *ov, int y, int cols, const struct ratio_def *r)
{
	const struct profile *p = ui->profile;
	size_t all = ratio_npoints(p, r), n = overview_points(ui, all), skip = all - n;
	size_t sw = (size_t)overview_spark_width(cols);
	size_t want = ui->braille ? 2 * sw : sw, shown = n < want ? n : want;
	double *v = overview_vals(ov, want + 1), lo = INFINITY, hi = -INFINITY, cur = NAN;
	const char *why = NULL;
	char buf[64];
	int x = 1;

	draw_textf(ui, y, x, OVERVIEW_NAME_W, draw_attr(ui, THEME_NORMAL), "%s%s", r->name,
		   r->percent ? " %" : "");
	x += OVERVIEW_NAME_W + 1;
	if (!ratio_value(p, r, SIZE_MAX, &cur, &why) && n == 0) {
		draw_textf(ui, y, x, OVERVIEW_VALUE_W, draw_attr(ui, THEME_NA), "%*s",
			   OVERVIEW_VALUE_W, "n/a");
		x += OVERVIEW_VALUE_W + 1;
		draw_textf(ui, y, x, cols - x - 1, draw_attr(ui, THEME_NA), "%s/%s: %s", r->num,
			   r->den, why ? why : "no data");
		return;
	}
	for (size_t b = 0; b < n; b++) {
		double val;

		if (!ratio_value(p, r, b + skip, &val, NULL))
			val = NAN;
		if (b < shown)
			v[shown - 1 - b] = val;
		if (!isnan(val)) {
			lo = val < lo ? val : lo;
			hi = val > hi ? val : hi;
		}
	}
	cur = shown ? v[shown - 1] : NAN;
	if (ui->range.active && !timerange_ratio(p, r, ui->range.from_ns,
						 timerange_end(&ui->range, range_end_ns(ui)), &cur))
		cur = NAN;
	overview_format_ratio(r, cur, buf, sizeof(buf));
	draw_textf(ui, y, x, OVERVIEW_VALUE_W, draw_attr(ui, THEME_NORMAL) | A_BOLD, "%*s",
		   OVERVIEW_VALUE_W, buf);
	x += OVERVIEW_VALUE_W + 1;
	overview_spark(ui, y, x, (int)sw, draw_attr(ui, THEME_RATIO), v, shown, n, hi > 0 ? hi : 1);
	x += (int)sw + 1;
	overview_format_ratio(r, isinf(lo) ? NAN : lo, buf, sizeof(buf));
	draw_textf(ui, y, x, OVERVIEW_MINMAX_W, draw_attr(ui, THEME_DIM), "%*s", OVERVIEW_MINMAX_W,
		   buf);
	x += OVERVIEW_MINMAX_W + 1;
	overview_format_ratio(r, isinf(hi) ? NAN : hi, buf, sizeof(buf));
	draw_textf(ui, y, x, OVERVIEW_MINMAX_W, draw_attr(ui, THEME_DIM), "%*s", OVERVIEW_MINMAX_W,
		   buf);
}

/* Where frame stood in the last list drawn (SIZE_MAX: not in it). */
static size_t
overview_hot_prev_rank(const struct overview *ov, uint32_t frame)
{
	for (size_t i = 0; i < ov->hot_prev_n; i++)
		if (ov->hot_prev[i] == frame)
			return i;
	return SIZE_MAX;
}

/*
 * Entries whose shown percentage (to 0.1%) is the same keep the order they had at the last draw,
 * so that the list does not reshuffle (and the terminal redraw its rows) on differences it does
 * not show.
 */
static void
overview_hot_steady(struct overview *ov, size_t n, uint64_t samples)
{
	size_t *rank = xcalloc(n ? n : 1, sizeof(*rank));
	long *shown = xcalloc(n ? n : 1, sizeof(*shown));

	for (size_t i = 0; i < n; i++) {
		uint64_t v = ov->order == HOT_BY_SELF ? ov->hot[i].self : ov->hot[i].total;

		shown[i] = samples ? lround(1000.0 * (double)v / (double)samples) : 0;
		rank[i] = overview_hot_prev_rank(ov, ov->hot[i].frame);
	}
	for (size_t i = 1; i < n; i++) /* insertion sort: stable, and n is a screenful */
		for (size_t j = i; j > 0 && shown[j] == shown[j - 1] && rank[j] < rank[j - 1];
		     j--) {
			struct hot_entry e = ov->hot[j];
			size_t r = rank[j];

			ov->hot[j] = ov->hot[j - 1], ov->hot[j - 1] = e;
			rank[j] = rank[j - 1], rank[j - 1] = r;
		}
	if (n > ov->hot_prev_cap) {
		ov->hot_prev_cap = n + 16;
		ov->hot_prev = xreallocarray(ov->hot_prev, ov->hot_prev_cap, sizeof(*ov->hot_prev));
	}
	for (size_t i = 0; i < n; i++)
		ov->hot_prev[i] = ov->hot[i].frame;
	ov->hot_prev_n = n;
	free(rank);
	free(shown);
}

/* The hottest functions, in rows [y, y + rows) and cols wide from x. */
static void
overview_hot(struct ui *ui, struct overview *ov, int y, int x, int rows, int cols)
{
	const struct profile *p = ui->profile;
	const struct stacktree *tree = timemode_tree(ui);
	bool ranged = range_tree(ui) != NULL,
	     window = ov->window && ui->tt.mode == TIMETREE_ON && !ranged;
	uint64_t samples = 0;
	size_t n, ra, rb;
	char span[64];
	const struct ratio_def *r = ratioflame_view_shown(ui, &ra, &rb);

	if (r && p->stacks) {
		ov->ratio_rows = hotratio_view_draw(ui, ov->ratio, r, ra, rb, ov->rorder, y, x,
						    rows, cols, &ov->ratio_first);
		return;
	}
	draw_textf(ui, y, x, cols, draw_attr(ui, THEME_HEADER),
		   "%-6s %-6s hottest functions (%s%s%s%s%s, %s)", "self", "total",
		   timemode_event(ui), timemode_event(ui)[0] ? ", " : "",
		   p->offcpu ? timemode_name(ui) : "", p->offcpu ? ", " : "",
		   ov->order == HOT_BY_SELF ? "by self" : "by total",
		   ranged ? timerange_format(ui->range.from_ns, ui->range.to_ns, span, sizeof(span))
		   : window ? "last 10 s"
			    : "all");
	if (!p->stacks || !tree) {
		draw_text(ui, y + 1, x, cols, draw_attr(ui, THEME_NA),
			  "no samples (recorded with --no-samples)");
		return;
	}
	if (rows - 1 > (int)ov->hot_cap) {
		ov->hot_cap = (size_t)rows + 16;
		ov->hot = xreallocarray(ov->hot, ov->hot_cap, sizeof(*ov->hot));
	}
	if (ui->frozen && ui->session && ov->hot_held && ov->hot_held_rows == rows &&
	    ov->hot_held_order == ov->order && ov->hot_held_window == ov->window &&
	    ov->hot_held_mode == ui->tt.mode && ov->hot_held_event == ui->tt.event &&
	    ov->hot_held_range == range_stamp(ui)) {
		n = ov->hot_n;
		samples = ov->hot_samples;
	} else {
		n = hot_top(tree, p->frames, window, ov->order, ov->hot,
			    rows > 1 ? (size_t)rows - 1 : 0, &samples);
		if (ui->session)
			overview_hot_steady(ov, n, samples);
		ov->hot_held_mode = ui->tt.mode;
		ov->hot_held_event = ui->tt.event;
		ov->hot_held_range = range_stamp(ui);
		ov->hot_n = n;
		ov->hot_samples = samples;
		ov->hot_held_rows = rows;
		ov->hot_held_order = ov->order;
		ov->hot_held_window = ov->window;
	}
	ov->hot_held = ui->frozen;
	if (n == 0)
		draw_text(ui, y + 1, x, cols, draw_attr(ui, THEME_DIM), "no samples yet");
	for (size_t i = 0; i < n; i++) {
		const struct frame *f = frametab_get(p->frames, ov->hot[i].frame);
		const char *mod = frametab_str(p->frames, f->module), *slash = strrchr(mod, '/');
		double s = samples ? 100.0 * (double)ov->hot[i].self / (double)samples : 0,
		       t = samples ? 100.0 * (double)ov->hot[i].total / (double)samples : 0;
		int used = draw_textf(ui, y + 1 + (int)i, x, cols, draw_attr(ui, THEME_NORMAL),
				      "%5.1f%% %5.1f%% %s", s, t, frametab_str(p->frames, f->name));

		if (*mod && used + 3 < cols)
			draw_textf(ui, y + 1 + (int)i, x + used + 1, cols - used - 1,
				   draw_attr(ui, THEME_DIM), "%s", slash ? slash + 1 : mod);
	}
}

/*
 * Live, a CPU's busy history in width columns, sweep style: whole intervals from the start, each
 * in a fixed column, so that a new interval rewrites one column (hist: room for 2 * width values).
 */
static void
overview_cpu_sweep(struct ui *ui, unsigned cpu, int y, int x, int width, uint64_t now, double *hist)
{
	const struct profile *p = ui->profile;
	uint64_t interval = p->meta.interval_ns ? p->meta.interval_ns : 1000000000u;
	size_t per = ui->braille && ui->glyphs.unicode ? 2 : 1;
	size_t total = (size_t)((now - p->sched_origin) / interval), n = (size_t)(width - 1) * per;

	if (n > total)
		n = total;
	if (n &&
	    schedmap_busy_series(p->sched, cpu, p->sched_origin + (uint64_t)(total - n) * interval,
				 interval, n, hist) == 0) {
		for (size_t i = 0; i < n; i++)
			if (hist[i] < 0)
				hist[i] = NAN;
		draw_sweep(ui, y, x, width, draw_attr(ui, THEME_BUSY), hist, n, total, 0, 1);
	} else {
		draw_sweep(ui, y, x, width, draw_attr(ui, THEME_BUSY), hist, 0, total, 0, 1);
	}
}

/* The per-CPU busy strip from the scheduler timeline. */
static void
overview_cpus(struct ui *ui, struct overview *ov, int y, int x, int rows, int cols)
{
	const struct profile *p = ui->profile;
	struct schedmap *m = p->sched;
	uint64_t interval = p->meta.interval_ns ? p->meta.interval_ns : 1000000000u, now, origin;
	unsigned ncpus;
	int cell = 30, per_row, spark;

	draw_text(ui, y, x, cols, draw_attr(ui, THEME_HEADER), "CPU busy (scheduler timeline)");
	if (!m) {
		draw_text(ui, y + 1, x, cols, draw_attr(ui, THEME_NA),
			  "n/a: no scheduler timeline (needs root and tracefs)");
		return;
	}
	ncpus = schedmap_ncpus(m);
	origin = p->sched_origin;
	now = schedmap_now(m);
	if (ui->frozen && ui->session)
		now = origin + ui->shown_ns < now ? origin + ui->shown_ns : now;
	per_row = cols / cell > 0 ? cols / cell : 1;
	if ((int)ncpus <= rows - 1)
		per_row = 1, cell = cols;
	spark = cell - 17;
	if (spark > 40)
		spark = 40;
	for (unsigned c = 0; c < ncpus; c++) {
		int row = (int)c / per_row, cx = x + ((int)c % per_row) * cell;
		double busy, *hist = overview_vals(ov, (size_t)spark * 2 + 1);
		size_t nh = (size_t)spark;
		uint64_t t0;

		if (row >= rows - 1)
			break;
		busy = now > interval ? schedmap_busy(m, c, now - interval, now) : -1;
		if (ui->range.active)
			busy = schedmap_busy(m, c, origin + ui->range.from_ns,
					     origin + timerange_end(&ui->range, now - origin));
		draw_textf(ui, y + 1 + row, cx, 6, draw_attr(ui, THEME_DIM), "cpu%-3u", c);
		draw_bar(ui, y + 1 + row, cx + 6, 6, draw_attr(ui, THEME_BUSY), busy);
		if (busy >= 0)
			draw_textf(ui, y + 1 + row, cx + 13, 4, draw_attr(ui, THEME_NORMAL),
				   "%3.0f%%", busy * 100);
		else
			draw_text(ui, y + 1 + row, cx + 13, 4, draw_attr(ui, THEME_NA), " n/a");
		if (spark < 4 || now <= origin)
			continue;
		if (ui->session) {
			overview_cpu_sweep(ui, c, y + 1 + row, cx + 18, spark - 1, now, hist);
			continue;
		}
		t0 = now - (uint64_t)nh * interval;
		if (now < (uint64_t)nh * interval || t0 < origin) {
			nh = (size_t)((now - origin) / interval);
			t0 = now - (uint64_t)nh * interval;
		}
		if (nh && schedmap_busy_series(m, c, t0, interval, nh, hist) == 0) {
			for (size_t i = 0; i < nh; i++)
				if (hist[i] < 0)
					hist[i] = NAN;
			draw_spark(ui, y + 1 + row, cx + 18, spark - 1, draw_attr(ui, THEME_BUSY),
				   hist, nh, 0, 1);
		}
	}
}

/* The intervals of the longest track. */
static size_t
overview_max_points(const struct profile *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->ntracks; i++)
		if (rates_npoints(&p->tracks[i]) > n)
			n = rates_npoints(&p->tracks[i]);
	return n;
}

static void
overview_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	struct overview *ov = state;
	const struct profile *p = ui->profile;
	int y = top, bottom = top + rows, hot_rows, max_tracks;
	size_t shown_tracks;

	max_tracks = rows / 2 - 2;
	overview_header(ui, y++, cols, "event", ui->range.active ? "range rate" : "rate", true);
	shown_tracks = p->ntracks < (size_t)max_tracks ? p->ntracks : (size_t)max_tracks;
	/* Events that do not fit scroll with Up/Down; the window never ends past the last. */
	if (ov->first_track + shown_tracks > p->ntracks)
		ov->first_track = p->ntracks - shown_tracks;
	ov->shown_tracks = shown_tracks;
	ov->spark_y0 = y;
	for (size_t i = 0; i < shown_tracks; i++)
		overview_track(ui, ov, y++, cols, &p->tracks[ov->first_track + i]);
	if (shown_tracks < p->ntracks)
		draw_textf(ui, y++, 1, cols - 2, draw_attr(ui, THEME_DIM),
			   "events %zu-%zu of %zu; Up/Down scroll", ov->first_track + 1,
			   ov->first_track + shown_tracks, p->ntracks);
	/* The time axis's marks: the range and the cursor under the sparklines. */
	ov->spark_x = 1 + OVERVIEW_NAME_W + 1 + OVERVIEW_VALUE_W + 1;
	ov->spark_w = overview_spark_width(cols);
	ov->spark_n = overview_points(ui, overview_max_points(p));
	ov->spark_y1 = y;
	range_spark_axis(ui, y, ov->spark_x, ov->spark_w, ov->spark_n);
	y++;
	if (y + (int)ui->nratios + 6 < bottom) {
		overview_header(ui, y++, cols, "ratio", "value", false);
		for (size_t i = 0; i < ui->nratios; i++)
			overview_ratio(ui, ov, y++, cols, &ui->ratios[i]);
		y++;
	}
	hot_rows = bottom - y;
	if (hot_rows < 3)
		return;
	{
		unsigned ncpus = p->sched ? schedmap_ncpus(p->sched) : 1;
		int cpu_w = cols >= 120 ? cols * 2 / 5 : cols / 2, cpu_rows = (int)ncpus + 1;

		if (cpu_rows > hot_rows)
			cpu_rows = hot_rows;
		if (cols >= 100) {
			overview_hot(ui, ov, y, 1, hot_rows, cols - cpu_w - 3);
			overview_cpus(ui, ov, y, cols - cpu_w, hot_rows, cpu_w - 1);
		} else {
			overview_cpus(ui, ov, y, 1, cpu_rows, cols - 2);
			overview_hot(ui, ov, y + cpu_rows + 1, 1, hot_rows - cpu_rows - 1,
				     cols - 2);
		}
	}
}

static bool
overview_view_key(struct ui *ui, void *state, int key)
{
	struct overview *ov = state;

	switch (key) {
	case KEY_DOWN:
		if (ov->first_track + ov->shown_tracks < ui->profile->ntracks)
			ov->first_track++;
		return true;
	case KEY_UP:
		if (ov->first_track > 0)
			ov->first_track--;
		return true;
	case 't':
		if (ratioflame_view_on(ui)) {
			ov->rorder = (enum hot_ratio_order)((ov->rorder + 1) % HOT_RATIO_NR);
			ui_message(ui, false, "hottest functions by %s",
				   hot_ratio_order_name(ov->rorder));
			return true;
		}
		ov->order = ov->order == HOT_BY_SELF ? HOT_BY_TOTAL : HOT_BY_SELF;
		return true;
	case 'a':
		if (ratioflame_view_on(ui) && ov->ratio_rows)
			annotate_view_open(ui, ov->ratio_first);
		else if (ov->hot_n > 0)
			annotate_view_open(ui, ov->hot[0].frame);
		else
			ui_message(ui, false, "annotate: no samples yet");
		return true;
	case 'o':
		timemode_cycle(ui);
		return true;
	case 'E':
		if (!ratioflame_view_next(ui))
			timemode_next_event(ui);
		return true;
	case 'H':
		histo_view_open(ui, ov->first_track);
		return true;
	case 'w':
		ov->window = !ov->window;
		ui_message(ui, false, "hottest functions: %s",
			   ov->window ? "the last 10 seconds" : "the whole recording");
		return true;
	default:
		return false;
	}
}

/* A click on the sparklines or the marks under them: two clicks choose a range. */
static bool
overview_view_mouse(struct ui *ui, void *state, int y, int x, mmask_t bstate)
{
	struct overview *ov = state;
	uint64_t t0, t1;

	if (!(bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED)) ||
	    y < ov->spark_y0 || y > ov->spark_y1 ||
	    !range_spark_span(ui, ov->spark_n, ov->spark_w, x - ov->spark_x, &t0, &t1))
		return false;
	range_mouse(ui, bstate, t0, t1);
	return true;
}

const struct view_ops overview_view_ops = {
	.name = "Overview",
	.keys = "Up Down   scroll the event rows, when more events are counted than fit\n"
		"t         hottest functions by self or by total; of a ratio (E): by the next\n"
		"          column of A self, A total, B self, B total, A/B self, A/B total\n"
		"a         annotate the hottest function: its hot lines and instructions\n"
		"w         hottest functions over the last 10 s or the whole recording\n"
		"o         hottest functions by on-CPU samples, off-CPU time or wall-clock\n"
		"E         hottest functions of the next sampled event (--sample-event A,B),\n"
		"          then of each ratio flamegraph (--ratio NAME=A/B): A's and B's\n"
		"          samples and A/B per function, grey under 10 samples of B\n"
		"H         histogram of the first event row's per-interval rates\n",
	.init = overview_view_init,
	.fini = overview_view_fini,
	.draw = overview_view_draw,
	.key = overview_view_key,
	.mouse = overview_view_mouse,
};
