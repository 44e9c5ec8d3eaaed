// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live baseline. Taking one copies the live profile through the snapshot format (so nothing
 * is shared with the tree that keeps growing); drawing diffs it against the live profile with
 * DIFF_SINCE_A, again only when new samples came (and never while the display is frozen), and
 * hands the diff to the diff screen's renderer (ui/diff_view.h) with colour pairs after the
 * theme's.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "ringside/app/session.h"
#include "ringside/model/profile.h"
#include "ringside/ui/baseline.h"
#include "ringside/ui/diff_view.h"
#include "ringside/ui/draw.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/diff.h"

struct baseline {
	struct profile *p; /* the copy */
	double at_s;	   /* when it was taken, seconds into the recording */
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
	profile_free(b->p);
	free(b);
}

void
baseline_take(struct ui *ui)
{
	struct profile *p = NULL;
	struct baseline *b;
	struct errbuf err;

	if (!ui->session) {
		ui_message(ui, false,
			   "b keeps the live profile to compare with later; to compare "
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

/* Diff again when samples came since the last diff (not while frozen). */
static void
baseline_refresh(struct ui *ui, struct baseline *b)
{
	const struct profile *live = ui->profile;
	uint64_t samples = live->stacks ? stacktree_samples(live->stacks) : 0;
	unsigned flags = DIFF_SINCE_A | (b->absolute ? DIFF_ABSOLUTE : 0);
	char since[64], before[64];
	struct diff *d;

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
			  "no baseline: b keeps the profile as it is now; then d shows what "
			  "changed since (red grew, blue shrank)");
		return;
	}
	baseline_refresh(ui, b);
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
