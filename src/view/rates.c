// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Counter rates and ratios for the screens: per-interval values summed over a track's series and
 * scaled for multiplexing, ratios of two tracks, SI formatting and sparkline levels.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/profile.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/rates.h"

size_t
rates_npoints(const struct counter_track *t)
{
	return t->supported && t->nseries ? t->series[0].n : 0;
}

bool
rates_point(const struct counter_track *t, size_t i, struct rates_point *out)
{
	uint64_t enabled = 0, running = 0;
	double value = 0;
	bool counted = false;

	if (i >= rates_npoints(t))
		return false;
	for (size_t k = 0; k < t->nseries; k++) {
		const struct counter_series *s = &t->series[k];

		if (i >= s->n)
			continue;
		enabled += s->enabled[i];
		running += s->running[i];
		if (s->running[i] == 0)
			continue;
		counted = true;
		value += s->running[i] >= s->enabled[i]
				 ? (double)s->count[i]
				 : (double)s->count[i] *
					   ((double)s->enabled[i] / (double)s->running[i]);
	}
	out->t = t->series[0].t[i];
	out->dt = out->t - (i ? t->series[0].t[i - 1] : 0);
	out->value = value;
	out->share = enabled ? (double)running / (double)enabled : (counted ? 1 : 0);
	if (out->share > 1)
		out->share = 1;
	out->counted = counted;
	return true;
}

double
rates_rate(const struct counter_track *t, size_t i)
{
	struct rates_point pt;

	if (!rates_point(t, i, &pt) || !pt.counted || pt.dt == 0)
		return NAN;
	return pt.value / ((double)pt.dt / 1e9);
}

bool
rates_is_time(const struct counter_track *t)
{
	const char *c = t->canonical ? t->canonical : t->name;

	return strcmp(c, "task-clock") == 0 || strcmp(c, "cpu-clock") == 0;
}

struct counter_track *
rates_find_track(const struct profile *p, const char *name)
{
	size_t i = profile_track_index(p, name, name);

	return i == SIZE_MAX ? NULL : &p->tracks[i];
}

/* The input track of a ratio, or NULL with why. */
static const struct counter_track *
ratio_input(const struct profile *p, const char *name, const char **why)
{
	static char buf[160];
	const struct counter_track *t = rates_find_track(p, name);

	if (!t) {
		snprintf(buf, sizeof(buf), "%s not counted", name);
		*why = buf;
		return NULL;
	}
	if (!t->supported) {
		snprintf(buf, sizeof(buf), "%s not supported here", name);
		*why = buf;
		return NULL;
	}
	return t;
}

size_t
ratio_npoints(const struct profile *p, const struct ratio_def *r)
{
	const char *why;
	const struct counter_track *a = ratio_input(p, r->num, &why),
				   *b = ratio_input(p, r->den, &why);
	size_t na, nb;

	if (!a || !b)
		return 0;
	na = rates_npoints(a);
	nb = rates_npoints(b);
	return na < nb ? na : nb;
}

bool
ratio_value(const struct profile *p, const struct ratio_def *r, size_t back, double *out,
	    const char **why)
{
	const char *reason = NULL;
	const struct counter_track *a = ratio_input(p, r->num, &reason), *b = NULL;
	double num = 0, den = 0;
	bool ok = false;

	if (a)
		b = ratio_input(p, r->den, &reason);
	if (a && b) {
		size_t na = rates_npoints(a), nb = rates_npoints(b);

		if (back == SIZE_MAX) {
			double sh;

			ok = counter_track_total(a, &num, &sh) && counter_track_total(b, &den, &sh);
		} else if (back < na && back < nb) {
			struct rates_point pa, pb;

			ok = rates_point(a, na - 1 - back, &pa) &&
			     rates_point(b, nb - 1 - back, &pb) && pa.counted && pb.counted;
			num = pa.value;
			den = pb.value;
		}
		if (!ok)
			reason = "not counted yet";
		else if (den == 0)
			ok = false, reason = "no events";
	}
	if (why)
		*why = reason;
	if (ok)
		*out = r->scale * num / den;
	return ok;
}

const char *
rates_si(double v, char *buf, size_t len)
{
	static const char units[] = " KMGTPE";
	double a = fabs(v);
	int u = 0;

	if (isnan(v)) {
		snprintf(buf, len, "n/a");
		return buf;
	}
	while (a >= 999.5 && u < 6) {
		a /= 1000;
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, len,
			 a >= 100 || a == floor(a) ? "%.0f"
			 : a >= 10		   ? "%.1f"
						   : "%.2f",
			 v);
	else
		snprintf(buf, len,
			 a >= 99.95   ? "%.0f%c"
			 : a >= 9.995 ? "%.1f%c"
				      : "%.2f%c",
			 v, units[u]);
	return buf;
}

int
rates_level(double v, double lo, double hi, int levels)
{
	int l;

	if (isnan(v) || levels <= 1)
		return 0;
	if (hi <= lo)
		return v > 0 ? levels / 2 : 0;
	if (v <= lo)
		return 0;
	l = (int)((v - lo) / (hi - lo) * (levels - 1) + 0.5);
	return l < 0 ? 0 : l >= levels ? levels - 1 : l;
}
