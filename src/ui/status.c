// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The status line, the screen's last row: a message while one shows (in the error colour for
 * errors), else the elapsed time, samples and losses, the share of time counted (multiplexing),
 * ringside's own CPU and the target (cut first, so the figures always show), with LOST or MUX
 * marked in the warning colour whenever samples were lost or events multiplexed.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "ringside/app/session.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/range.h"
#include "ringside/ui/status.h"
#include "ringside/ui/timemode.h"
#include "ringside/view/rates.h"

/* "1:23:45" or "12:34" */
static void
status_clock(uint64_t ns, char *buf, size_t len)
{
	uint64_t s = ns / 1000000000u;

	if (s >= 3600)
		snprintf(buf, len, "%u:%02u:%02u", (unsigned)(s / 3600), (unsigned)(s / 60 % 60),
			 (unsigned)(s % 60));
	else
		snprintf(buf, len, "%02u:%02u", (unsigned)(s / 60), (unsigned)(s % 60));
}

/* The smallest multiplexing share of the latest interval over all counted events. */
static double
status_mux_share(const struct ui *ui)
{
	const struct profile *p = ui->profile;
	double min = 1;

	for (size_t i = 0; i < p->ntracks; i++) {
		struct rates_point pt;
		size_t n = rates_npoints(&p->tracks[i]);

		if (n && rates_point(&p->tracks[i], n - 1, &pt) && pt.counted && pt.share < min)
			min = pt.share;
	}
	return min;
}

/* The target for the status line: a launched command by its program's name, not its path. */
static const char *
status_short_target(const struct profile *p, char *buf, size_t len)
{
	const char *d = p->meta.target_desc ? p->meta.target_desc : "?", *prog, *end, *slash;
	static const char prefix[] = "command: ";

	if (strncmp(d, prefix, sizeof(prefix) - 1) != 0)
		return d;
	prog = d + sizeof(prefix) - 1;
	end = strchr(prog, ' ');
	if (!end)
		end = prog + strlen(prog);
	slash = memrchr(prog, '/', (size_t)(end - prog));
	if (!slash)
		return d;
	snprintf(buf, len, "%s%s", prefix, slash + 1);
	return buf;
}

void
status_draw(struct ui *ui)
{
	const struct profile *p = ui->profile;
	attr_t st = draw_attr(ui, THEME_STATUS);
	char line[512], clock[32], n1[32], n2[32], tbuf[512];
	double mux = status_mux_share(ui);
	int y = ui->rows - 1, len, avail, figures, tw, x;

	draw_fill(y, 0, ui->cols, st);
	if (ui->message[0]) {
		draw_text(ui, y, 1, ui->cols - 2,
			  ui->message_error ? draw_attr(ui, THEME_ERROR) : st | A_BOLD,
			  ui->message);
		return;
	}
	status_clock(ui->session ? session_elapsed_ns(ui->session) : p->meta.duration_ns, clock,
		     sizeof(clock));
	/* The figures first; the target takes what is left, cut, so they always show. */
	len = snprintf(line, sizeof(line), " %s %s", ui->glyphs.vline, clock);
	if (p->sampling.event) {
		/* Several sampled events: the one the flamegraph and functions show, named. */
		const char *ev = timemode_event(ui);
		uint64_t n = ev[0] ? stacktree_samples(profile_event_tree(p, ui->tt.event))
				   : p->sampling.samples;

		len += snprintf(
			line + len, sizeof(line) - (size_t)len, " %s %s%s%s samples %s %s lost",
			ui->glyphs.vline, ev, ev[0] ? " " : "", rates_si((double)n, n1, sizeof(n1)),
			ui->glyphs.vline, rates_si((double)p->sampling.lost, n2, sizeof(n2)));
	}
	len += snprintf(line + len, sizeof(line) - (size_t)len, " %s counted %.0f%%",
			ui->glyphs.vline, mux * 100);
	len += (int)range_status(ui, line + len, sizeof(line) - (size_t)len);
	if (ui->session)
		snprintf(line + len, sizeof(line) - (size_t)len, " %s ringside %.1f%% CPU",
			 ui->glyphs.vline, ui->self_cpu * 100);
	avail = ui->cols - 12;
	figures = draw_width(ui, line);
	if (!ui->session)
		figures = 0; /* view: the file's name is what is cut */
	tw = avail - figures < 12 ? 12 : avail - figures;
	if (ui->loading)
		x = 1 + draw_text(ui, y, 1, tw, st | A_BOLD, "loading symbols");
	else
		x = 1 + draw_text(ui, y, 1, tw, st,
				  ui->session ? status_short_target(p, tbuf, sizeof(tbuf))
					      : ui->source);
	if (x < avail)
		draw_text(ui, y, x, avail - x + 1, st, line);
	draw_text(ui, y, ui->cols - 10, 10, st, "F1 help");
	if ((p->sampling.lost || mux < 0.999) && ui->cols > 40) {
		/* Losses and multiplexing are never hidden: mark them in the warning colour. */
		const char *w = p->sampling.lost ? "LOST" : "MUX";

		draw_text(ui, y, ui->cols - 16, 5, draw_attr(ui, THEME_WARN) | A_REVERSE, w);
	}
}
