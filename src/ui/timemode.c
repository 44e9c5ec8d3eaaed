// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The time mode of the flamegraph and the hottest functions: the key that cycles it (and key E,
 * the sampled event on-CPU), the tree it shows (built by view/timetree when off-CPU or wall-clock)
 * and its counts' wording.
 */
#include "config.h"

#include <stdio.h>

#include "ringside/ui/range.h"
#include "ringside/ui/timemode.h"
#include "ringside/view/rates.h"

void
timemode_cycle(struct ui *ui)
{
	enum timetree_mode next = (enum timetree_mode)((ui->tt.mode + 1) % TIMETREE_NR_MODES);

	if (!timetree_available(ui->profile, TIMETREE_OFF)) {
		ui_message(ui, false,
			   "no off-CPU time in this recording: it is recorded for -p and -- "
			   "COMMAND, and system-wide with --off-cpu");
		return;
	}
	ui->tt.mode = next;
	ui_message(ui, false, "%s: %s", timemode_name(ui),
		   next == TIMETREE_ON	  ? "sampled stacks"
		   : next == TIMETREE_OFF ? "where threads waited, in time"
					  : "on- and off-CPU time under each thread");
}

void
timemode_next_event(struct ui *ui)
{
	const struct profile *p = ui->profile;
	size_t n = profile_nsampled(p);
	char num[32];

	if (n < 2) {
		ui_message(ui, false,
			   "one sampled event in this recording; sample several with "
			   "--sample-event A,B,...");
		return;
	}
	if (ui->tt.mode != TIMETREE_ON) {
		ui->tt.mode = TIMETREE_ON;
		ui->tt.event = 0;
	} else {
		ui->tt.event = (ui->tt.event + 1) % n;
	}
	/* A group's event weighs counts read with its leader's samples. */
	ui_message(ui, false, "sampled event %zu of %zu: %s, %s %s (E: the next)", ui->tt.event + 1,
		   n, profile_event_name(p, ui->tt.event),
		   rates_si((double)stacktree_samples(profile_event_tree(p, ui->tt.event)), num,
			    sizeof(num)),
		   profile_event_counts(p, ui->tt.event) ? "counted" : "samples");
}

/* The sampled event shown: E's choice, or the first. */
static size_t
timemode_event_index(const struct ui *ui)
{
	return ui->tt.mode == TIMETREE_ON ? ui->tt.event : 0;
}

const char *
timemode_event(const struct ui *ui)
{
	if (profile_nsampled(ui->profile) < 2 || ui->tt.mode != TIMETREE_ON)
		return "";
	return profile_event_name(ui->profile, ui->tt.event);
}

const struct stacktree *
timemode_tree(struct ui *ui)
{
	const struct stacktree *r = range_tree(ui);

	return r ? r : timetree_get(&ui->tt, ui->profile);
}

const char *
timemode_name(const struct ui *ui)
{
	/* Off-CPU stacks without their kernel frames (not --off-cpu-kernel) say so. */
	if (ui->tt.mode != TIMETREE_ON && ui->profile->offcpu_user)
		return ui->tt.mode == TIMETREE_OFF ? "off-CPU (user stacks)"
						   : "wall-clock (user stacks)";
	return timetree_mode_name(ui->tt.mode);
}

const char *
timemode_amount(const struct ui *ui, uint64_t v, char *buf, size_t len)
{
	char n[32];

	if (timetree_in_ns(ui->tt.mode))
		snprintf(buf, len, "%.3f s", (double)v / 1e9);
	else
		snprintf(buf, len, "%s %s", rates_si((double)v, n, sizeof(n)),
			 profile_event_counts(ui->profile, timemode_event_index(ui)) ? "counted"
										     : "samples");
	return buf;
}
