// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Headless recording: one session stepped until the duration passes, the target ends or a signal
 * arrives, then the output written and a perf-stat-like summary printed on stderr.
 */
#include <errno.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ringside/app/record.h"
#include "ringside/app/runs.h"
#include "ringside/app/session.h"
#include "ringside/perf/sampler.h"

/* "999 Hz" or "every 100000 events", for the start line. */
static void
record_rate(const struct record_opts *o, char *buf, size_t len)
{
	if (o->period)
		snprintf(buf, len, "every %lu events", o->period);
	else
		snprintf(buf, len, "%lu Hz", o->freq);
}

/* Print the notes the session added since *shown (fallbacks, CPUs going offline). */
static void
record_notes(const struct session *s, size_t *shown)
{
	for (const char *const *n = session_notes_since(s, shown); *n; n++)
		fprintf(stderr, "ringside: %s\n", *n);
}

/* The notes so far, then the line that says what is being recorded. */
static void
record_announce(struct session *s, const struct record_opts *o, size_t *shown)
{
	const struct profile *p = session_profile(s);
	char rate[64];

	record_notes(s, shown);
	fprintf(stderr, "ringside: recording %zu event%s", p->ntracks, p->ntracks == 1 ? "" : "s");
	if (p->sampling.event) {
		record_rate(o, rate, sizeof(rate));
		if (p->mem) /* --mem samples by period: every fault, or the PMU source's period */
			snprintf(rate, sizeof(rate), "every %" PRIu64 " events",
				 p->sampling.period);
		fprintf(stderr, ", %s samples (%s, call graph %s)", p->sampling.event, rate,
			p->sampling.callgraph);
	}
	if (p->sched)
		fputs(", the scheduler timeline", stderr);
	fprintf(stderr, " on %s every %u ms; Ctrl-C stops\n", p->meta.target_desc, o->interval_ms);
}

/* The number of intervals recorded (every supported series has the same). */
static size_t
record_intervals(const struct profile *p)
{
	for (size_t i = 0; i < p->ntracks; i++)
		if (p->tracks[i].nseries)
			return p->tracks[i].series[0].n;
	return 0;
}

int
record_main(const struct record_opts *opts)
{
	struct session *s = NULL;
	struct session_step st;
	struct errbuf err;
	size_t intervals, shown = 0;
	bool tee_done = false;
	int r, code = 0;

	errbuf_clear(&err);
	r = session_new(&s, opts, 0, &err);
	if (r == 0)
		r = session_start(s, true, &err);
	if (r < 0) {
		/* The failure recorded decides: bad input 2, else 1. */
		code = errbuf_isset(&err) ? errbuf_exit_status(&err) : 1;
		goto out;
	}
	record_announce(s, opts, &shown);
	while (!session_end_reason(s)) {
		r = session_step(s, -1, -1, &st);
		if (r < 0)
			fprintf(stderr,
				"ringside: reading counters failed: %s; writing what was "
				"recorded\n",
				strerror(-r));
		record_notes(s, &shown);
	}
	session_stop(s);
	record_notes(s, &shown);
	r = session_write_output(s, &err);
	if (r < 0) {
		code = 1;
		goto out;
	}
	session_report(s);
	intervals = record_intervals(session_profile(s));
	fprintf(stderr, "ringside: %s%s (%zu interval%s, %.2f s)\n",
		opts->output_in_library ? "recorded" : "wrote ",
		opts->output_in_library ? "" : session_output(s), intervals,
		intervals == 1 ? "" : "s", (double)session_elapsed_ns(s) / 1e9);
	/* The command's output all in its file before the run takes it. */
	if (opts->command_tee > 0) {
		runs_tee_finish(opts->command_tee, opts->command_output_fd);
		tee_done = true;
	}
	/* The snapshot is safe: the library's failure is said in one line, exit status 1. */
	if (!opts->no_save)
		code = runs_register(session_profile(s),
				     opts->output_in_library ? session_output(s) : NULL,
				     opts->command_output);
out:
	if (errbuf_isset(&err) && code != 0)
		fprintf(stderr, "ringside: %s\n", err.msg);
	session_free(s);
	if (opts->command_tee > 0 && !tee_done)
		runs_tee_finish(opts->command_tee, opts->command_output_fd);
	return code;
}
