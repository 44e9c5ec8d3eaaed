// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Time ranges of a loaded snapshot for 'ringside export --range'. The tree of the range comes
 * from the time index (model/stacktree_range) and keeps its own index, the entries inside the
 * range, so the snapshot written is itself rangeable and its nodes' entries still add up to their
 * self counts. Counter series keep the intervals that overlap the range, each whole.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/range.h"
#include "ringside/model/counters.h"
#include "ringside/model/stacktree.h"
#include "ringside/model/stacktree_range.h"
#include "ringside/model/timeline.h"
#include "ringside/util/clock.h"
#include "ringside/util/xalloc.h"

/* One bound: digits with at most one '.', then an optional "s" or "ms"; the rest of s in *end. */
static bool
range_number(const char *s, double *sec, const char **end)
{
	size_t n = strspn(s, "0123456789.");
	char buf[64], *e;
	double v;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	v = strtod(buf, &e);
	if (e != buf + n || !isfinite(v))
		return false;
	s += n;
	if (strncmp(s, "ms", 2) == 0) {
		v /= 1e3;
		s += 2;
	} else if (*s == 's') {
		s++;
	}
	*sec = v;
	*end = s;
	return true;
}

/* Parse text: *from (seconds, from the end when *from_rel), *to (likewise; *open: to the end). */
static bool
range_parse(const char *text, double *from, bool *from_rel, double *to, bool *to_rel, bool *open)
{
	const char *s = text;

	*from = 0;
	*from_rel = *to_rel = *open = false;
	*to = 0;
	if (*s == '-') {
		/* "-10s": the last 10 s. */
		*from_rel = *open = true;
		return range_number(s + 1, from, &s) && *s == '\0';
	}
	if (!range_number(s, from, &s) || *s != '-')
		return false;
	s++;
	if (*s == '\0') {
		*open = true;
		return true;
	}
	if (*s == '-') {
		*to_rel = true;
		s++;
	}
	return range_number(s, to, &s) && *s == '\0';
}

static uint64_t
range_ns(double sec)
{
	return sec >= 1.8e10 ? UINT64_MAX / 2 : (uint64_t)llround(sec * 1e9);
}

int
range_resolve(const char *text, uint64_t span_ns, uint64_t *from_ns, uint64_t *to_ns,
	      struct errbuf *err)
{
	double from, to, span = (double)span_ns / 1e9;
	bool from_rel, to_rel, open;
	uint64_t a, b;

	if (!range_parse(text, &from, &from_rel, &to, &to_rel, &open))
		return errbuf_fail(
			err, -EINVAL,
			"cannot read the range '%s': write START-END in seconds from the "
			"start (2-4, 1.5-, -10s for the last 10 s); the recording spans "
			"0-%.3f s",
			text, span);
	a = range_ns(from);
	b = range_ns(to);
	if (from_rel)
		a = a >= span_ns ? 0 : span_ns - a;
	if (open)
		b = span_ns;
	else if (to_rel)
		b = b >= span_ns ? 0 : span_ns - b;
	if (b <= a)
		return errbuf_fail(
			err, -EINVAL,
			"the range '%s' is reversed or empty: its end must come after its "
			"start; the recording spans 0-%.3f s",
			text, span);
	if (a >= span_ns)
		return errbuf_fail(err, -EINVAL,
				   "the range '%s' is outside the recording, which spans 0-%.3f s",
				   text, span);
	*from_ns = a;
	*to_ns = b > span_ns ? span_ns : b;
	return 0;
}

uint64_t
range_span(const struct profile *p)
{
	const struct timeline *tl = p->stacks ? stacktree_timeline(p->stacks) : NULL;
	uint64_t first, last, span = p->meta.duration_ns;

	/* Samples taken in the recording's last moments can sit a little past its duration. */
	if (tl && timeline_span(tl, &first, &last) && last + TIMELINE_QUANTUM_NS > span)
		span = last + TIMELINE_QUANTUM_NS;
	return span;
}

/* Keep the intervals of s that overlap [from, to): interval i covers (t[i-1], t[i]]. */
static void
range_cut_series(struct counter_series *s, uint64_t from, uint64_t to)
{
	size_t w = 0;

	for (size_t i = 0; i < s->n; i++) {
		uint64_t start = i ? s->t[i - 1] : 0;

		if (s->t[i] <= from || start >= to)
			continue;
		s->t[w] = s->t[i];
		s->count[w] = s->count[i];
		s->enabled[w] = s->enabled[i];
		s->running[w] = s->running[i];
		w++;
	}
	s->n = w;
}

/* The tree of [from, to) with a time index of its own: the entries inside, on the new ids. */
static struct stacktree *
range_tree(const struct stacktree *t, uint64_t from, uint64_t to)
{
	const struct timeline *tl = stacktree_timeline(t);
	const struct timeline_entry *e;
	struct timeline *ntl;
	struct stacktree *r;
	uint32_t *back = NULL, *inv;
	size_t ne, nn = stacktree_nnodes(t), rn;
	uint64_t until;

	r = stacktree_range_tree(t, from, to, &back);
	rn = stacktree_nnodes(r);
	inv = xmalloc((nn ? nn : 1) * sizeof(*inv));
	for (size_t i = 0; i < nn; i++)
		inv[i] = UINT32_MAX;
	for (size_t i = 0; i < rn; i++)
		inv[back[i]] = (uint32_t)i;
	ntl = timeline_new(0, 0);
	e = timeline_entries(tl, &ne);
	for (size_t i = 0; i < ne; i++) {
		uint64_t at = (uint64_t)e[i].time * TIMELINE_QUANTUM_NS;

		if (at >= from && at < to && e[i].leaf < nn && inv[e[i].leaf] != UINT32_MAX)
			timeline_add_rel(ntl, at, inv[e[i].leaf], e[i].weight);
	}
	until = timeline_coarse_until(tl);
	if (until > from)
		timeline_set_coarse(ntl, until, timeline_resolution(tl, 0));
	timeline_sort(ntl);
	stacktree_set_timeline(r, ntl);
	free(inv);
	free(back);
	return r;
}

/* RINGSIDE_DEBUG_RANGE set: the build's figures on stderr (tests/bench/ranges.sh reads them). */
static void
range_debug(const struct stacktree *t, const struct stacktree *r, uint64_t from, uint64_t to,
	    uint64_t ns)
{
	size_t ne;

	if (!getenv("RINGSIDE_DEBUG_RANGE"))
		return;
	timeline_entries(stacktree_timeline(t), &ne);
	fprintf(stderr,
		"range: [%" PRIu64 ", %" PRIu64 ") ns: %" PRIu64 " samples, %zu of %zu nodes, "
		"%zu entries scanned, built in %.3f ms\n",
		from, to, stacktree_node(r, STACKTREE_ROOT)->total, stacktree_nnodes(r),
		stacktree_nnodes(t), ne, (double)ns / 1e6);
}

int
range_apply(struct profile *p, const char *text, const char *in, struct errbuf *err)
{
	uint64_t from, to, t0;
	struct stacktree *r;
	int rc;

	if (!p->stacks || !stacktree_timeline(p->stacks))
		return errbuf_fail(err, -EINVAL,
				   "%s has no time index (stacks.timeline): ranges need a snapshot "
				   "written by a newer ringside; record it again",
				   in);
	rc = range_resolve(text, range_span(p), &from, &to, err);
	if (rc < 0)
		return rc;
	t0 = clock_now_ns();
	timeline_sort(stacktree_timeline(p->stacks));
	r = range_tree(p->stacks, from, to);
	range_debug(p->stacks, r, from, to, clock_now_ns() - t0);
	stacktree_free(p->stacks);
	p->stacks = r;
	p->sampling.samples = stacktree_node(r, STACKTREE_ROOT)->total;
	for (size_t i = 0; i < p->ntracks; i++)
		for (size_t k = 0; k < p->tracks[i].nseries; k++)
			range_cut_series(&p->tracks[i].series[k], from, to);
	return 0;
}
