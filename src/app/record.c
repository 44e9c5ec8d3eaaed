// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Headless recording: one session stepped until the duration passes, the target ends or a signal
 * arrives, then the output written and a perf-stat-like summary printed on stderr.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "ringside/app/command_log.h"
#include "ringside/app/record.h"
#include "ringside/app/runs.h"
#include "ringside/app/session.h"
#include "ringside/export/stream.h"
#include "ringside/perf/sampler.h"

/* "999 Hz" or "every 100000 events", for the start line. */
static void
record_rate(uint64_t freq, uint64_t period, char *buf, size_t len)
{
	if (freq)
		snprintf(buf, len, "%" PRIu64 " Hz", freq);
	else
		snprintf(buf, len, "every %" PRIu64 " events", period);
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
		record_rate(p->sampling.freq, p->sampling.period, rate, sizeof(rate));
		if (p->mem) /* --mem samples by period: every fault, or the PMU source's period */
			snprintf(rate, sizeof(rate), "every %" PRIu64 " events",
				 p->sampling.period);
		fprintf(stderr, ", %s samples (%s, call graph %s)", p->sampling.event, rate,
			p->sampling.callgraph);
		for (size_t i = 0; i < p->nevents; i++) {
			record_rate(p->events[i].freq, p->events[i].period, rate, sizeof(rate));
			if (p->events[i].leader) /* a group member: never sampled itself */
				fprintf(stderr, ", %s read with each %s sample", p->events[i].event,
					p->events[i].leader);
			else
				fprintf(stderr, ", %s samples (%s)", p->events[i].event, rate);
		}
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

/*
 * --stream: the interval just recorded, on stdout after the header, flushed so that
 * a reader at the other end of a pipe or ssh sees it now. A reader gone (EPIPE) or another write
 * error ends the recording: said once, and the exit status is 1.
 */
static void
record_stream(struct session *s, struct stream_writer *w, bool *failed)
{
	struct errbuf err;
	int r;

	if (*failed)
		return;
	errbuf_clear(&err);
	r = stream_write_interval(w, session_profile(s), session_elapsed_ns(s), &err);
	if (r == 0 && fflush(stdout) != 0)
		r = errbuf_fail(&err, -errno, "cannot write the stream: %s", strerror(errno));
	if (r < 0) {
		fprintf(stderr, "ringside: %s; the recording stops here\n", err.msg);
		*failed = true;
		session_end(s, SESSION_END_SIGNAL);
	}
}

/* The end of a --stream recording: the last interval and the end line. Returns the exit code. */
static int
record_stream_end(struct session *s, struct stream_writer *w, bool failed)
{
	struct errbuf err;

	errbuf_clear(&err);
	/* What was sent gets its exact counts; what the hold kept stays in [other]. */
	stream_writer_final(w);
	record_stream(s, w, &failed);
	if (!failed && (stream_write_end(w, session_end_name(session_end_reason(s)), &err) < 0 ||
			fflush(stdout) != 0)) {
		fprintf(stderr, "ringside: cannot write the stream's end: %s\n", strerror(errno));
		failed = true;
	}
	session_report(s);
	fprintf(stderr, "ringside: streamed %.2f s to stdout%s\n",
		(double)session_elapsed_ns(s) / 1e9, failed ? " (cut short)" : "");
	return failed ? 1 : 0;
}

int
record_main(const struct record_opts *opts)
{
	struct session *s = NULL;
	struct session_step st;
	struct errbuf err;
	size_t intervals, shown = 0;
	bool tee_done = false;
	struct stream_writer *w = NULL;
	bool failed = false;
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
	if (opts->stream) {
		/* A reader that goes away is a write error (EPIPE), not a silent death. */
		signal(SIGPIPE, SIG_IGN);
		w = opts->stream_text ? stream_writer_new(stdout) : stream_writer_new_gz(stdout);
		/* The viewer draws summaries: the exact runs stay on the recording's side. */
		if (w && !opts->stream_runs)
			stream_writer_summarize(w);
		/* Rare paths and tasks wait in [other] (to the end); a bucket per interval. */
		if (w && !opts->stream_detail) {
			stream_writer_hold(w, STREAM_HOLD_PERMILLE);
			stream_writer_bucket(w, (uint64_t)opts->interval_ms * 1000000u);
		}
		if (!w || stream_write_header(w, session_profile(s), &err) < 0 ||
		    fflush(stdout) != 0) {
			if (!errbuf_isset(&err))
				errbuf_fail(&err, -EIO, "cannot write the stream: %s",
					    strerror(errno));
			code = 1;
			goto out;
		}
	}
	while (!session_end_reason(s)) {
		r = session_step(s, -1, -1, &st);
		if (r < 0)
			fprintf(stderr,
				"ringside: reading counters failed: %s; writing what was "
				"recorded\n",
				strerror(-r));
		record_notes(s, &shown);
		if (w && st.tick)
			record_stream(s, w, &failed);
	}
	session_stop(s);
	record_notes(s, &shown);
	if (w) {
		code = record_stream_end(s, w, failed);
		goto out;
	}
	/* The command's output all in its file before the snapshot takes it. */
	if (opts->command_tee > 0) {
		command_log_tee_finish(opts->command_tee, opts->command_output_fd,
				       opts->command_error_fd);
		tee_done = true;
	}
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
	/* The snapshot is safe: the library's failure is said in one line, exit status 1. With
	 * the events' descriptors back first: a recording that used all ulimit -n allows still
	 * has its run registered. */
	session_close_events(s);
	if (!opts->no_save)
		code = runs_register(session_profile(s),
				     opts->output_in_library ? session_output(s) : NULL,
				     opts->command_output);
out:
	if (errbuf_isset(&err) && code != 0)
		fprintf(stderr, "ringside: %s\n", err.msg);
	stream_writer_free(w);
	session_free(s);
	if (opts->command_tee > 0 && !tee_done)
		command_log_tee_finish(opts->command_tee, opts->command_output_fd,
				       opts->command_error_fd);
	return code;
}
