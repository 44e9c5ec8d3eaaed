// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The histogram pane: one event's per-interval rates (rates_rate, the page's and jq's formula:
 * the scaled count over the interval's length) bucketed by view/histo, drawn as a row per bucket
 * with its range, its count, a bar scaled to the fullest bucket and the marks of the percentiles
 * that fall in it. Rebuilt at every draw, so it follows a live recording (frozen: the intervals
 * shown when the display froze).
 */
#include <curses.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/profile.h"
#include "ringside/model/schedmap.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/histo_view.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/histo.h"
#include "ringside/view/rates.h"

const char histo_view_keys[] = "H L Esc   close the histogram\n"
			       "Left Right  the previous or next counted event (L: task)\n";

enum { HISTO_VIEW_ALL = -1 }; /* latency: every task */

struct histo_view {
	bool latency; /* wake-up latencies (L) rather than an event's rates (H) */
	size_t track; /* the event shown */
	long task;    /* latency: the task's index, or HISTO_VIEW_ALL */
};

/* The counted track at or after (dir 1) or before (dir -1) index i, or SIZE_MAX. */
static size_t
histo_view_find(const struct profile *p, size_t i, int dir)
{
	for (size_t k = 0; k < p->ntracks; k++, i = (i + p->ntracks + (size_t)dir) % p->ntracks)
		if (i < p->ntracks && rates_npoints(&p->tracks[i]) > 0)
			return i;
	return SIZE_MAX;
}

void
histo_view_open(struct ui *ui, size_t track)
{
	size_t i = ui->profile->ntracks ? histo_view_find(ui->profile, track, 1) : SIZE_MAX;
	struct histo_view *hv;

	if (i == SIZE_MAX) {
		ui_message(ui, false, "histogram: no event counted yet");
		return;
	}
	histo_view_close(ui);
	hv = xcalloc(1, sizeof(*hv));
	hv->track = i;
	ui->histo = hv;
	ui->dirty = true;
}

void
histo_view_open_latency(struct ui *ui)
{
	struct histo_view *hv;

	if (!ui->profile->sched) {
		ui_message(ui, false, "latency histogram: no scheduler timeline in this profile");
		return;
	}
	histo_view_close(ui);
	hv = xcalloc(1, sizeof(*hv));
	hv->latency = true;
	hv->task = HISTO_VIEW_ALL;
	ui->histo = hv;
	ui->dirty = true;
}

void
histo_view_close(struct ui *ui)
{
	free(ui->histo);
	ui->histo = NULL;
	ui->dirty = true;
}

/* What the values are: a rate per second, CPUs (a time event's ns per second), latency ns. */
enum histo_view_unit { HV_RATE, HV_CPU, HV_NS };

/* A bucket edge or percentile, in the overview's units (latencies as times). */
static const char *
histo_view_fmt(enum histo_view_unit u, double v, char *buf, size_t len)
{
	char si[32];

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (u == HV_CPU)
		snprintf(buf, len, "%.3g CPU", v / 1e9);
	else if (u == HV_NS && v >= 1e6)
		snprintf(buf, len, "%.3g ms", v / 1e6);
	else if (u == HV_NS)
		snprintf(buf, len, "%.3g us", v / 1e3);
	else
		snprintf(buf, len, "%s/s", rates_si(v, si, sizeof(si)));
	return buf;
}

/* The marks of the percentiles in bucket b: "<- p50 p95" and so on (max: the given one). */
static void
histo_view_marks(const struct histo *h, double max, size_t b, char *buf, size_t len)
{
	const double v[4] = { h->p50, h->p95, h->p99, max };
	const char *name[4] = { "p50", "p95", "p99", "max" };
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < 4 && used < len; k++) {
		size_t in = histo_bucket(h, v[k]);

		/* an exact maximum above the last bucket's values belongs to the last bucket */
		if (in == SIZE_MAX && k == 3 && v[k] > h->max && h->nbuckets)
			in = h->nbuckets - 1;
		if (in == b)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "<- ",
						 name[k]);
	}
}

/* The header, the percentiles and a row per bucket; max is the maximum to show and mark. */
static void
histo_view_show(struct ui *ui, const struct histo *h, enum histo_view_unit u, double max,
		const char *what, int top, int rows, int cols)
{
	int bar_w = cols - 58 > 10 ? cols - 58 : 10, y = top + 4;
	char a[40], b[40], marks[40], s50[40], s95[40], s99[40], smax[40];

	draw_textf(ui, top, 1, cols - 2, draw_attr(ui, THEME_HEADER),
		   "Histogram of %s: %llu %s, %s buckets", what, (unsigned long long)h->n,
		   u == HV_NS ? "latencies" : "intervals", h->log ? "power-of-two" : "linear");
	draw_textf(ui, top + 1, 1, cols - 2, draw_attr(ui, THEME_NORMAL),
		   "p50 %s   p95 %s   p99 %s   max %s", histo_view_fmt(u, h->p50, s50, sizeof(s50)),
		   histo_view_fmt(u, h->p95, s95, sizeof(s95)),
		   histo_view_fmt(u, h->p99, s99, sizeof(s99)),
		   histo_view_fmt(u, max, smax, sizeof(smax)));
	draw_textf(ui, top + 3, 1, cols - 2, draw_attr(ui, THEME_HEADER), "%11s .. %-11s %9s",
		   "from", "to", u == HV_NS ? "latencies" : "intervals");
	if (!h->nbuckets)
		draw_text(ui, y, 1, cols - 2, draw_attr(ui, THEME_NA), "nothing counted yet");
	for (size_t i = 0; i < h->nbuckets && y < top + rows; i++, y++) {
		bool zero = h->log && h->lo[i] == 0;

		snprintf(a, sizeof(a), "0");
		if (!zero)
			histo_view_fmt(u, h->lo[i], a, sizeof(a));
		histo_view_fmt(u, h->hi[i], b, sizeof(b));
		draw_textf(ui, y, 1, 30, draw_attr(ui, THEME_DIM), "%11s .. %-11s", a,
			   zero ? "" : b);
		draw_textf(ui, y, 28, 9, draw_attr(ui, THEME_NORMAL), "%8llu",
			   (unsigned long long)h->count[i]);
		draw_bar(ui, y, 38, bar_w, draw_attr(ui, THEME_SPARK),
			 h->maxcount ? (double)h->count[i] / (double)h->maxcount : 0);
		histo_view_marks(h, max, i, marks, sizeof(marks));
		draw_text(ui, y, 39 + bar_w, cols - 40 - bar_w, draw_attr(ui, THEME_WARN), marks);
	}
}

/* The latencies of task (or every task: HISTO_VIEW_ALL) into h; *max their exact maximum. */
static void
histo_view_latencies(const struct schedmap *m, long task, struct histo *h, double *max)
{
	size_t cap = 0, n = 0;
	double *v = NULL;
	uint64_t *w = NULL;

	*max = NAN;
	for (size_t i = 0; i < schedmap_ntasks(m); i++) {
		struct schedmap_task_stats st;
		struct schedmap_latency *l;
		size_t k;

		if ((task != HISTO_VIEW_ALL && (size_t)task != i) ||
		    schedmap_task_stats(m, (uint32_t)i, &st) < 0 || !st.lat_count)
			continue;
		if (isnan(*max) || (double)st.lat_max_ns > *max)
			*max = (double)st.lat_max_ns;
		l = schedmap_task_latencies(m, (uint32_t)i, &k);
		if (n + k > cap) {
			cap = (n + k) * 2;
			v = xreallocarray(v, cap, sizeof(*v));
			w = xreallocarray(w, cap, sizeof(*w));
		}
		for (size_t j = 0; j < k; j++, n++) {
			v[n] = (double)l[j].ns;
			w[n] = l[j].count;
		}
		free(l);
	}
	histo_build_weighted(h, v, w, n);
	free(v);
	free(w);
}

/* The latency pane: every task's latencies, or one task's. */
static void
histo_view_draw_latency(struct ui *ui, struct histo_view *hv, int top, int rows, int cols)
{
	const struct schedmap *m = ui->profile->sched;
	struct schedmap_task_stats st;
	struct histo h;
	char what[96];
	double max;

	if (!m)
		return;
	if (hv->task != HISTO_VIEW_ALL && schedmap_task_stats(m, (uint32_t)hv->task, &st) == 0) {
		const char *host = profile_sched_task_host(ui->profile, (uint32_t)hv->task);

		/* merged: the host too, as the scheduler view names it */
		snprintf(what, sizeof(what), "wake-up latency of %s (%d)%s%.24s", st.comm,
			 (int)st.tid, host ? "@" : "", host ? host : "");
	} else
		snprintf(what, sizeof(what), "wake-up latency of every task");
	histo_view_latencies(m, hv->task, &h, &max);
	histo_view_show(ui, &h, HV_NS, max, what, top, rows, cols);
	histo_fini(&h);
}

void
histo_view_draw(struct ui *ui, int top, int rows, int cols)
{
	struct histo_view *hv = ui->histo;
	const struct profile *p = ui->profile;
	const struct counter_track *t;
	char what[160];
	size_t n;
	double *v;
	struct histo h;

	if (hv->latency) {
		histo_view_draw_latency(ui, hv, top, rows, cols);
		return;
	}
	if (hv->track >= p->ntracks) {
		draw_text(ui, top, 1, cols - 2, draw_attr(ui, THEME_NA), "no event");
		return;
	}
	t = &p->tracks[hv->track];
	n = rates_npoints(t);
	if (ui->frozen && ui->session && ui->shown_points < n)
		n = ui->shown_points;
	v = xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = rates_rate(t, i);
	histo_build(&h, v, n);
	free(v);
	snprintf(what, sizeof(what), "%s per interval", t->name);
	histo_view_show(ui, &h, rates_is_time(t) ? HV_CPU : HV_RATE, h.max, what, top, rows, cols);
	histo_fini(&h);
}

/* The next task with latencies after (dir 1) or before (dir -1) hv's, every task between the
 * last and the first. */
static void
histo_view_step_task(const struct schedmap *m, struct histo_view *hv, int dir)
{
	long n = (long)schedmap_ntasks(m), i = hv->task;
	struct schedmap_task_stats st;

	for (long k = 0; k <= n; k++) {
		i += dir;
		if (i >= n)
			i = HISTO_VIEW_ALL;
		else if (i < HISTO_VIEW_ALL)
			i = n - 1;
		if (i == HISTO_VIEW_ALL ||
		    (schedmap_task_stats(m, (uint32_t)i, &st) == 0 && st.lat_count)) {
			hv->task = i;
			return;
		}
	}
}

bool
histo_view_key(struct ui *ui, int key)
{
	struct histo_view *hv = ui->histo;
	size_t n = ui->profile->ntracks, i;

	switch (key) {
	case 27:
	case 'q':
	case 'H':
	case 'L':
	case KEY_BACKSPACE:
	case 127:
	case 8:
		histo_view_close(ui);
		return true;
	case KEY_RIGHT:
	case KEY_LEFT:
		if (hv->latency) {
			if (ui->profile->sched)
				histo_view_step_task(ui->profile->sched, hv,
						     key == KEY_RIGHT ? 1 : -1);
			return true;
		}
		if (!n)
			return true;
		i = histo_view_find(ui->profile, (hv->track + (key == KEY_RIGHT ? 1 : n - 1)) % n,
				    key == KEY_RIGHT ? 1 : -1);
		if (i != SIZE_MAX)
			hv->track = i;
		return true;
	case '\t':
	case KEY_BTAB:
	case '1':
	case '2':
	case '3':
	case '4':
	case '5':
	case '6':
	case '7':
	case 'm':
	case 'T':
	case 'K':
		histo_view_close(ui); /* the view changes under it: show that view */
		return false;
	default:
		return false;
	}
}
