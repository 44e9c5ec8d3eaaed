// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live baseline. Taking one copies the live profile through the snapshot format (so nothing
 * is shared with the tree that keeps growing); drawing diffs it against the live profile with
 * DIFF_SINCE_A, again only when new samples came (and never while the display is frozen), and
 * hands the diff to the diff screen's renderer (ui/diff_view.h) with colour pairs after the
 * theme's.
 *
 * With a time range chosen, b keeps that range instead (in view too): its tree, built from the
 * profile (live: from a copy, so folding exited tasks cannot change its frames), and d compares
 * the range chosen now, or the whole recording when none is, against it (view/diff_range).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "ringside/app/session.h"
#include "ringside/model/profile.h"
#include "ringside/model/stacktree_range.h"
#include "ringside/ui/baseline.h"
#include "ringside/ui/diff_view.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/range.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/diff.h"
#include "ringside/view/diff_range.h"

struct baseline {
	struct profile *p; /* the copy (NULL for a range of a snapshot: ui->profile is kept) */
	const struct profile *src; /* p, or ui->profile */
	bool ranged;		   /* a time range's tree: */
	struct stacktree *tree;	   /* of [from_ns, to_ns) of src */
	uint64_t from_ns, to_ns;
	uint64_t built_stamp; /* the range compared with it when the diff was made (range_stamp) */
	double at_s;	      /* when it was taken, seconds into the recording */
	struct diff_view *dv;
	uint64_t built_samples; /* the live tree's samples when the diff was made */
	uint64_t built_ns;	/* and its duration */
	bool absolute, by_self;
};

void
baseline_free(struct baseline *b)
{
	if (!b)
		return;
	diff_view_free(b->dv);
	stacktree_free(b->tree);
	profile_free(b->p);
	free(b);
}

/* b with a range chosen: keep the range's tree. */
static void
baseline_take_range(struct ui *ui)
{
	uint64_t from = ui->range.from_ns, to = timerange_end(&ui->range, range_end_ns(ui));
	const struct profile *src = ui->profile;
	struct profile *p = NULL;
	struct baseline *b;
	struct errbuf err;
	char span[64];

	errbuf_clear(&err);
	if (ui->session && session_copy_profile(ui->session, &p, &err) < 0) {
		ui_message(ui, true, "no baseline: %s", err.msg);
		return;
	}
	src = p ? p : src;
	if (!src->stacks || !stacktree_timeline(src->stacks)) {
		ui_message(ui, true, "no baseline: the profile has no time index for the range");
		profile_free(p);
		return;
	}
	baseline_free(ui->baseline);
	b = ui->baseline = xcalloc(1, sizeof(*b));
	b->p = p;
	b->src = src;
	b->ranged = true;
	b->from_ns = from;
	b->to_ns = to;
	b->tree = stacktree_range_tree(src->stacks, from, to, NULL);
	ui_message(ui, false,
		   "baseline: range %s (%" PRIu64 " samples); choose another range (R: the "
		   "whole recording) and d in the Flame view compares it",
		   timerange_format(from, to, span, sizeof(span)), stacktree_samples(b->tree));
}

void
baseline_take(struct ui *ui)
{
	struct profile *p = NULL;
	struct baseline *b;
	struct errbuf err;

	if (ui->range.active && range_available(ui)) {
		baseline_take_range(ui);
		return;
	}
	if (!ui->session) {
		ui_message(ui, false,
			   "b keeps a time range ([ ]) to compare another with; to compare "
			   "snapshots: ringside diff A B");
		return;
	}
	errbuf_clear(&err);
	if (session_copy_profile(ui->session, &p, &err) < 0) {
		ui_message(ui, true, "no baseline: %s", err.msg);
		return;
	}
	baseline_free(ui->baseline);
	b = ui->baseline = xcalloc(1, sizeof(*b));
	b->p = p;
	b->src = p;
	b->at_s = (double)p->meta.duration_ns / 1e9;
	ui_message(ui, false,
		   "baseline: the profile at %.1f s (%" PRIu64 " samples); d in the Flame view "
		   "shows the change since",
		   b->at_s, p->stacks ? stacktree_samples(p->stacks) : 0);
}

bool
baseline_taken(const struct ui *ui)
{
	return ui->baseline != NULL;
}

bool
baseline_can_show(struct ui *ui)
{
	if (ui->baseline)
		return true;
	if (!ui->session)
		ui_message(ui, false,
			   "d shows the change against a baseline: choose a time range ([ ]), b "
			   "keeps it; to compare snapshots: ringside diff A B");
	else
		ui_message(ui, false,
			   "no baseline yet: b keeps the profile as it is now (or the time "
			   "range, when one is chosen)");
	return false;
}

/* The on-CPU tree of the range chosen now (whatever tree the flamegraph shows), or NULL. */
static const struct stacktree *
baseline_range_now(struct ui *ui)
{
	bool held = ui->frozen && ui->session;

	if (!ui->range.active || !range_available(ui))
		return NULL;
	return timerange_tree(&ui->range, ui->profile->stacks, held ? ui->shown_ns : TIMERANGE_OPEN,
			      held);
}

/* A ranged baseline: diff the range chosen now (or the whole recording) against it. */
static void
baseline_refresh_range(struct ui *ui, struct baseline *b)
{
	const struct stacktree *cur = baseline_range_now(ui);
	uint64_t stamp = range_stamp(ui), samples;
	struct diff_range_side sa = { b->src, b->tree, true, b->from_ns, b->to_ns };
	struct diff_range_side sb = { ui->profile, cur, cur != NULL, ui->range.from_ns,
				      timerange_end(&ui->range, range_end_ns(ui)) };
	/* A closed range's counters stay put as the recording grows; the whole's do not. */
	bool grows = !cur || ui->range.to_ns == TIMERANGE_OPEN;
	char before[64], after[64], span[48];
	struct diff *d;

	if (ui->session)
		session_update_meta(ui->session);
	samples = cur			? stacktree_samples(cur)
		  : ui->profile->stacks ? stacktree_samples(ui->profile->stacks)
					: 0;
	if (b->dv && stamp == b->built_stamp &&
	    (ui->frozen || (samples == b->built_samples &&
			    (!grows || ui->profile->meta.duration_ns == b->built_ns))))
		return;
	d = diff_range_new(&sa, &sb, b->absolute ? DIFF_ABSOLUTE : 0);
	b->built_samples = samples;
	b->built_ns = ui->profile->meta.duration_ns;
	if (b->dv && stamp == b->built_stamp) {
		diff_view_set(b->dv, d);
		return;
	}
	/* Another range: new names (the selection starts again). */
	diff_view_free(b->dv);
	b->built_stamp = stamp;
	snprintf(before, sizeof(before), "baseline range %s",
		 timerange_format(b->from_ns, b->to_ns, span, sizeof(span)));
	if (cur)
		snprintf(after, sizeof(after), "range %s",
			 timerange_format(sb.from_ns, sb.to_ns, span, sizeof(span)));
	else
		snprintf(after, sizeof(after), "the whole recording");
	b->dv = diff_view_new(d, before, after, ui->can_color ? THEME_SLOT_COUNT + 1 : 0);
	if (b->by_self)
		diff_view_key(b->dv, 's');
}

/* Diff again when samples came since the last diff (not while frozen). */
static void
baseline_refresh(struct ui *ui, struct baseline *b)
{
	const struct profile *live = ui->profile;
	uint64_t samples = live->stacks ? stacktree_samples(live->stacks) : 0;
	unsigned flags = DIFF_SINCE_A | (b->absolute ? DIFF_ABSOLUTE : 0);
	char since[64], before[64];
	struct diff *d;

	if (b->ranged) {
		baseline_refresh_range(ui, b);
		return;
	}
	if (ui->session)
		session_update_meta(ui->session);
	if (b->dv &&
	    (ui->frozen || (samples == b->built_samples && live->meta.duration_ns == b->built_ns)))
		return;
	d = diff_new(b->p, live, flags);
	b->built_samples = samples;
	b->built_ns = live->meta.duration_ns;
	if (b->dv) {
		diff_view_set(b->dv, d);
		return;
	}
	snprintf(before, sizeof(before), "baseline (0-%.1f s)", b->at_s);
	snprintf(since, sizeof(since), "since (%.1f s on)", b->at_s);
	b->dv = diff_view_new(d, before, since, ui->can_color ? THEME_SLOT_COUNT + 1 : 0);
}

void
baseline_draw(struct ui *ui, int top, int rows, int cols)
{
	struct baseline *b = ui->baseline;

	if (!b) {
		draw_text(ui, top + 1, 1, cols - 2, draw_attr(ui, THEME_DIM),
			  "no baseline: b keeps the profile as it is now (or the time range "
			  "chosen); then d shows what changed (red grew, blue shrank)");
		return;
	}
	baseline_refresh(ui, b);
	if (b->ranged)
		diff_view_render(
			b->dv, top, rows, cols, "Against the baseline range",
			"d flame  [ ] R range  b new baseline  A abs/shares  t total/self");
	else
		diff_view_render(b->dv, top, rows, cols, "Since the baseline",
				 "d flame  b new baseline  A abs/shares  t total/self");
}

bool
baseline_key(struct ui *ui, int key)
{
	struct baseline *b = ui->baseline;

	if (!b || !b->dv)
		return false;
	switch (key) {
	case 'A':
		b->absolute = !b->absolute;
		return diff_view_key(b->dv, 'a');
	case 't':
		b->by_self = !b->by_self;
		return diff_view_key(b->dv, b->by_self ? 's' : 't');
	case 'o':
	case KEY_UP:
	case KEY_DOWN:
	case KEY_LEFT:
	case KEY_RIGHT:
		return diff_view_key(b->dv, key);
	default:
		return false;
	}
}
