// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The range state the keys and the mouse change, and what the views draw of it: the range tree
 * cached between draws (one rebuild per refresh while live, none while the display holds still)
 * and counter totals over the range, each interval counted in proportion to its overlap.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/profile.h"
#include "ringside/model/ratio.h"
#include "ringside/model/stacktree_range.h"
#include "ringside/view/rates.h"
#include "ringside/view/timerange.h"

void
timerange_init(struct timerange *r)
{
	memset(r, 0, sizeof(*r));
	r->to_ns = TIMERANGE_OPEN;
}

void
timerange_fini(struct timerange *r)
{
	stacktree_free(r->tree);
	free(r->map);
	r->tree = NULL;
	r->map = NULL;
	r->of = NULL;
}

void
timerange_set(struct timerange *r, uint64_t a, uint64_t b)
{
	if (a > b) {
		uint64_t t = a;

		a = b;
		b = t;
	}
	if (a == b) {
		timerange_clear(r);
		return;
	}
	r->active = true;
	r->from_ns = a;
	r->to_ns = b;
	r->click_pending = false;
}

void
timerange_clear(struct timerange *r)
{
	r->active = false;
	r->from_ns = 0;
	r->to_ns = TIMERANGE_OPEN;
	r->click_pending = false;
}

void
timerange_mark_start(struct timerange *r)
{
	uint64_t to = r->active && r->to_ns > r->cursor_ns ? r->to_ns : TIMERANGE_OPEN;

	timerange_set(r, r->cursor_ns, to);
}

void
timerange_mark_end(struct timerange *r)
{
	uint64_t from = r->active && r->from_ns < r->cursor_ns ? r->from_ns : 0;

	timerange_set(r, from, r->cursor_ns);
}

bool
timerange_click(struct timerange *r, uint64_t t0, uint64_t t1)
{
	r->cursor_ns = t0;
	r->cursor_moved = true;
	if (!r->click_pending) {
		r->click_pending = true;
		r->click_from = t0;
		r->click_to = t1;
		return false;
	}
	timerange_set(r, t0 < r->click_from ? t0 : r->click_from,
		      t1 > r->click_to ? t1 : r->click_to);
	r->click_pending = false;
	return r->active;
}

void
timerange_move(struct timerange *r, int64_t steps, uint64_t step_ns, uint64_t end_ns)
{
	uint64_t d = (uint64_t)(steps < 0 ? -steps : steps) * step_ns;

	if (steps < 0)
		r->cursor_ns = r->cursor_ns > d ? r->cursor_ns - d : 0;
	else
		r->cursor_ns = r->cursor_ns + d < end_ns ? r->cursor_ns + d : end_ns;
	/* Keep it on the step's grid, so that ranges fall on whole cells. */
	if (step_ns && r->cursor_ns != end_ns)
		r->cursor_ns -= r->cursor_ns % step_ns;
	r->cursor_moved = true;
}

bool
timerange_overlaps(const struct timerange *r, uint64_t t0, uint64_t t1)
{
	return r->active && t0 < r->to_ns && t1 > r->from_ns;
}

uint64_t
timerange_end(const struct timerange *r, uint64_t end_ns)
{
	return r->to_ns == TIMERANGE_OPEN ? end_ns : r->to_ns;
}

const struct stacktree *
timerange_tree(struct timerange *r, const struct stacktree *t, uint64_t end_ns, bool hold)
{
	uint64_t samples, folds, to;

	if (!r->active || !t || !stacktree_timeline(t))
		return NULL;
	samples = stacktree_samples(t);
	folds = stacktree_folds(t);
	to = timerange_end(r, end_ns);
	if (r->tree && r->of == t && r->built_from == r->from_ns && r->built_to == to &&
	    (hold || (r->of_samples == samples && r->of_folds == folds)))
		return r->tree;
	timerange_fini(r);
	r->tree = stacktree_range_tree(t, r->from_ns, to, &r->map);
	r->of = t;
	r->of_samples = samples;
	r->of_folds = folds;
	r->built_from = r->from_ns;
	r->built_to = to;
	return r->tree;
}

uint32_t
timerange_node(const struct timerange *r, uint32_t id)
{
	if (!r->tree || !r->map || id >= stacktree_nnodes(r->tree))
		return id;
	return r->map[id];
}

bool
timerange_track(const struct counter_track *t, uint64_t from_ns, uint64_t to_ns, double *value,
		double *rate, double *lo, double *hi)
{
	size_t n = rates_npoints(t);
	double v = 0, covered = 0;
	bool any = false;

	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		struct rates_point pt;
		uint64_t a, b;
		double r;

		if (!rates_point(t, i, &pt) || !pt.counted || !pt.dt || pt.t < pt.dt)
			continue;
		a = pt.t - pt.dt > from_ns ? pt.t - pt.dt : from_ns;
		b = pt.t < to_ns ? pt.t : to_ns;
		if (a >= b)
			continue;
		v += pt.value * (double)(b - a) / (double)pt.dt;
		covered += (double)(b - a);
		r = rates_rate(t, i);
		if (!isnan(r)) {
			*lo = r < *lo ? r : *lo;
			*hi = r > *hi ? r : *hi;
		}
		any = true;
	}
	*value = v;
	*rate = covered > 0 ? v * 1e9 / covered : NAN;
	return any;
}

bool
timerange_ratio(const struct profile *p, const struct ratio_def *r, uint64_t from_ns,
		uint64_t to_ns, double *out)
{
	const struct counter_track *a = rates_find_track(p, r->num),
				   *b = rates_find_track(p, r->den);
	double num, den, rate, lo, hi;

	if (!a || !b || !a->supported || !b->supported ||
	    !timerange_track(a, from_ns, to_ns, &num, &rate, &lo, &hi) ||
	    !timerange_track(b, from_ns, to_ns, &den, &rate, &lo, &hi) || den == 0)
		return false;
	*out = r->scale * num / den;
	return true;
}

const char *
timerange_format(uint64_t from_ns, uint64_t to_ns, char *buf, size_t len)
{
	if (to_ns == TIMERANGE_OPEN)
		snprintf(buf, len, "%.2f s-end", (double)from_ns / 1e9);
	else
		snprintf(buf, len, "%.2f-%.2f s", (double)from_ns / 1e9, (double)to_ns / 1e9);
	return buf;
}
