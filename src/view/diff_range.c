// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Range against range. diff_new reads a side's samples from its profile's stack tree and its
 * counters as whole-run totals; a ranged side is a shallow copy of its profile with the range's
 * tree in place of the stacks, and its counters and ratios are then put right: each event's count
 * over the range (intervals cut by it in proportion) and its rate per second of the time counted.
 */
#include "config.h"

#include <string.h>

#include "ringside/model/ratio.h"
#include "ringside/view/diff_range.h"
#include "ringside/view/rates.h"
#include "ringside/view/timerange.h"

/* The ratio called name over [from, to) of p (a built-in one or p's own), or false. */
static bool
diff_range_ratio(const struct profile *p, const char *name, uint64_t from, uint64_t to, double *out)
{
	struct ratio_def r;
	bool found = false, ok = false;

	for (size_t i = 0; i < p->nratios && !found; i++)
		if (strcmp(p->ratios[i].name, name) == 0) {
			found = true;
			ok = timerange_ratio(p, &p->ratios[i], from, to, out);
		}
	for (size_t i = 0; i < ratio_builtin_count() && !found; i++) {
		ratio_builtin_get(i, &r);
		if (strcmp(r.name, name) == 0) {
			found = true;
			ok = timerange_ratio(p, &r, from, to, out);
		}
		ratio_fini(&r);
	}
	return ok;
}

/* One counter of a ranged side: its value and rate over the range, or have false. */
static bool
diff_range_counter(const struct diff_counter *c, const struct diff_range_side *s, double *value,
		   double *rate)
{
	const struct counter_track *t;
	double lo, hi;

	if (c->is_ratio) {
		if (!diff_range_ratio(s->p, c->name, s->from_ns, s->to_ns, value))
			return false;
		*rate = *value;
		return true;
	}
	t = rates_find_track(s->p, c->name);
	return t && timerange_track(t, s->from_ns, s->to_ns, value, rate, &lo, &hi);
}

static void
diff_range_counters(struct diff *d, const struct diff_range_side *s, bool side_a)
{
	for (size_t i = 0; i < d->ncounters; i++) {
		struct diff_counter *c = &d->counters[i];
		double v = 0, rate = 0;
		bool have = diff_range_counter(c, s, &v, &rate);

		if (side_a) {
			c->have_a = have;
			c->a_value = have ? v : 0;
			c->a_rate = have ? rate : 0;
		} else {
			c->have_b = have;
			c->b_value = have ? v : 0;
			c->b_rate = have ? rate : 0;
		}
	}
}

struct diff *
diff_range_new(const struct diff_range_side *a, const struct diff_range_side *b, unsigned flags)
{
	struct profile pa = *a->p, pb = *b->p;
	struct diff *d;

	if (a->tree)
		pa.stacks = (struct stacktree *)a->tree;
	if (b->tree)
		pb.stacks = (struct stacktree *)b->tree;
	d = diff_new(&pa, &pb, flags & ~(unsigned)DIFF_SINCE_A);
	if (a->ranged)
		diff_range_counters(d, a, true);
	if (b->ranged)
		diff_range_counters(d, b, false);
	/* The scheduler's figures are the whole recording's: side by side they would say nothing.
	 */
	if (a->ranged || b->ranged)
		d->ntasks = 0;
	return d;
}
