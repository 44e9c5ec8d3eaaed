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
#include "ringside/ui/draw.h"
#include "ringside/ui/histo_view.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/histo.h"
#include "ringside/view/rates.h"

const char histo_view_keys[] = "H Esc     close the histogram\n"
			       "Left Right  the previous or next counted event\n";

struct histo_view {
	size_t track; /* the event shown */
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
histo_view_close(struct ui *ui)
{
	free(ui->histo);
	ui->histo = NULL;
	ui->dirty = true;
}

/* A bucket edge or percentile, in the overview's units. */
static const char *
histo_view_fmt(const struct counter_track *t, double v, char *buf, size_t len)
{
	char si[32];

	if (isnan(v))
		snprintf(buf, len, "-");
	else if (rates_is_time(t))
		snprintf(buf, len, "%.3g CPU", v / 1e9);
	else
		snprintf(buf, len, "%s/s", rates_si(v, si, sizeof(si)));
	return buf;
}

/* The marks of the percentiles in bucket b: "p50 p95" and so on. */
static void
histo_view_marks(const struct histo *h, size_t b, char *buf, size_t len)
{
	const double v[4] = { h->p50, h->p95, h->p99, h->max };
	const char *name[4] = { "p50", "p95", "p99", "max" };
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < 4 && used < len; k++)
		if (histo_bucket(h, v[k]) == b)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "<- ",
						 name[k]);
}

static void
histo_view_rows(struct ui *ui, const struct counter_track *t, const struct histo *h, int y,
		int rows, int cols)
{
	int bar_w = cols - 58 > 10 ? cols - 58 : 10;
	char a[40], b[40], marks[40];

	for (size_t i = 0; i < h->nbuckets && y < rows; i++, y++) {
		if (h->log && h->lo[i] == 0)
			snprintf(a, sizeof(a), "0");
		else
			histo_view_fmt(t, h->lo[i], a, sizeof(a));
		histo_view_fmt(t, h->hi[i], b, sizeof(b));
		draw_textf(ui, y, 1, 30, draw_attr(ui, THEME_DIM), "%11s .. %-11s", a,
			   h->log && h->lo[i] == 0 ? "" : b);
		draw_textf(ui, y, 28, 9, draw_attr(ui, THEME_NORMAL), "%8llu",
			   (unsigned long long)h->count[i]);
		draw_bar(ui, y, 38, bar_w, draw_attr(ui, THEME_SPARK),
			 h->maxcount ? (double)h->count[i] / (double)h->maxcount : 0);
		histo_view_marks(h, i, marks, sizeof(marks));
		draw_text(ui, y, 39 + bar_w, cols - 40 - bar_w, draw_attr(ui, THEME_WARN), marks);
	}
}

void
histo_view_draw(struct ui *ui, int top, int rows, int cols)
{
	struct histo_view *hv = ui->histo;
	const struct profile *p = ui->profile;
	const struct counter_track *t;
	size_t n;
	double *v;
	struct histo h;
	char s50[40], s95[40], s99[40], smax[40];

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
	draw_textf(ui, top, 1, cols - 2, draw_attr(ui, THEME_HEADER),
		   "Histogram of %s per interval: %llu intervals, %s buckets", t->name,
		   (unsigned long long)h.n, h.log ? "power-of-two" : "linear");
	draw_textf(ui, top + 1, 1, cols - 2, draw_attr(ui, THEME_NORMAL),
		   "p50 %s   p95 %s   p99 %s   max %s", histo_view_fmt(t, h.p50, s50, sizeof(s50)),
		   histo_view_fmt(t, h.p95, s95, sizeof(s95)),
		   histo_view_fmt(t, h.p99, s99, sizeof(s99)),
		   histo_view_fmt(t, h.max, smax, sizeof(smax)));
	draw_textf(ui, top + 3, 1, cols - 2, draw_attr(ui, THEME_HEADER), "%11s .. %-11s %9s",
		   "from", "to", "intervals");
	if (!h.nbuckets)
		draw_text(ui, top + 4, 1, cols - 2, draw_attr(ui, THEME_NA),
			  "no interval counted yet");
	histo_view_rows(ui, t, &h, top + 4, top + rows, cols);
	histo_fini(&h);
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
	case KEY_BACKSPACE:
	case 127:
	case 8:
		histo_view_close(ui);
		return true;
	case KEY_RIGHT:
	case KEY_LEFT:
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
