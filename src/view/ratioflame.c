// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ratio flamegraphs: which user ratios can be drawn per frame (both events sampled), the samples
 * of another event's tree under the same call path, and the log colour scale with its legend's
 * bounds. The flame view and `view` draw with it; the HTML page computes the same in its JS.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "ringside/view/ratioflame.h"

bool
ratioflame_events(const struct profile *p, const struct ratio_def *r, size_t *a, size_t *b)
{
	*a = profile_event_find(p, r->num);
	*b = profile_event_find(p, r->den);
	return *a != SIZE_MAX && *b != SIZE_MAX && *a != *b;
}

size_t
ratioflame_list(const struct profile *p, size_t *out, size_t max)
{
	size_t n = 0, a, b;

	for (size_t i = 0; i < p->nratios; i++)
		if (ratioflame_events(p, &p->ratios[i], &a, &b)) {
			if (n < max)
				out[n] = i;
			n++;
		}
	return n < max ? n : max;
}

uint64_t
ratioflame_count(const struct stacktree *t, const uint32_t *path, size_t n)
{
	uint32_t id = STACKTREE_ROOT;
	const struct stacktree_node *node;

	if (!t)
		return 0;
	for (size_t i = 0; i < n; i++) {
		id = stacktree_child(t, id, path[i]);
		if (id == STACKTREE_NONE)
			return 0;
	}
	node = stacktree_node(t, id);
	return node ? node->total : 0;
}

void
ratioflame_scale(const struct stacktree *ta, const struct stacktree *tb, double *lo, double *hi)
{
	struct pair {
		uint32_t b, a;
	} * stack;
	size_t n = 0, cap = 256;

	*lo = *hi = 0;
	if (!tb || !stacktree_node(tb, STACKTREE_ROOT))
		return;
	stack = xreallocarray(NULL, cap, sizeof(*stack));
	stack[n++] = (struct pair){ STACKTREE_ROOT, ta ? STACKTREE_ROOT : STACKTREE_NONE };
	while (n) {
		struct pair e = stack[--n];
		const struct stacktree_node *nb = stacktree_node(tb, e.b);
		const struct stacktree_node *na =
			e.a == STACKTREE_NONE ? NULL : stacktree_node(ta, e.a);
		double v;

		/* Below the threshold here, so is every node under it. */
		if (!nb || nb->total < RATIOFLAME_MIN_SAMPLES)
			continue;
		v = ratioflame_value(na ? na->total : 0, nb->total);
		if (v > 0 && (*lo == 0 || v < *lo))
			*lo = v;
		if (v > *hi)
			*hi = v;
		for (uint32_t c = nb->first_child; c != STACKTREE_NONE;
		     c = stacktree_node(tb, c)->next_sibling) {
			if (n == cap) {
				cap *= 2;
				stack = xreallocarray(stack, cap, sizeof(*stack));
			}
			stack[n++] = (struct pair){
				c, e.a == STACKTREE_NONE
					   ? STACKTREE_NONE
					   : stacktree_child(ta, e.a, stacktree_node(tb, c)->frame)
			};
		}
	}
	free(stack);
}

double
ratioflame_value(uint64_t a, uint64_t b)
{
	if (b < RATIOFLAME_MIN_SAMPLES)
		return -1;
	return (double)a / (double)b;
}

int
ratioflame_level(double v, double lo, double hi)
{
	int k;

	if (v <= 0 || lo <= 0 || hi <= lo)
		return v > 0 && hi > 0 && v >= hi ? RATIOFLAME_LEVELS - 1 : 0;
	k = (int)floor(log(v / lo) / log(hi / lo) * RATIOFLAME_LEVELS);
	if (k < 0)
		k = 0;
	if (k >= RATIOFLAME_LEVELS)
		k = RATIOFLAME_LEVELS - 1;
	return k;
}

double
ratioflame_level_from(int k, double lo, double hi)
{
	if (lo <= 0 || hi <= lo)
		return k >= RATIOFLAME_LEVELS ? hi : lo;
	return lo * pow(hi / lo, (double)k / RATIOFLAME_LEVELS);
}

const char *
ratioflame_format(double v, char *buf, size_t len)
{
	snprintf(buf, len, "%.3g", v);
	return buf;
}
