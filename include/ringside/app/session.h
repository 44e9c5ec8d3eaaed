/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A profiling session: the target, its counters, the sampling and scheduler events, and the
 * profile they fill. Both the headless recorder and the live screen drive one: the session owns
 * one poll step over its timerfd (an interval tick), a signalfd (SIGINT, SIGTERM, SIGHUP stop;
 * SIGCHLD reaps the launched command; SIGWINCH is reported when live), the attached processes'
 * pidfds and the sample rings, plus one descriptor of the caller's (the terminal). The profile is
 * consistent between steps: the caller reads and renders it then.
 */
#ifndef RINGSIDE_APP_SESSION_H
#define RINGSIDE_APP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/app/record.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

struct session;

enum session_flags {
	SESSION_LIVE = 1u << 0, /* an output file is optional; SIGWINCH is reported */
};

/* Why a session ended; a snapshot names it as session_end_name does. */
enum session_end {
	SESSION_END_NONE,      /* still running: "running" */
	SESSION_END_DURATION,  /* --duration passed: "duration" */
	SESSION_END_SIGNAL,    /* a stop signal, or stopped by its driver: "signal" */
	SESSION_END_COMMAND,   /* the launched command exited: "command exited" */
	SESSION_END_PROCESSES, /* every attached process exited: "processes exited" */
	SESSION_END_COUNTERS,  /* the counters could not be read: "counters failed" */
};

/* What one step saw. */
struct session_step {
	bool tick;	 /* a new counter interval was appended (and the rings drained) */
	bool input;	 /* the caller's descriptor is readable */
	bool input_gone; /* the caller's descriptor hung up or failed: nothing more will come */
	bool winch;	 /* the terminal changed size */
	bool stopped;	 /* a stop signal arrived (live: the user wants out) */
	bool ended;	 /* the target ended or the duration passed, in this step */
};

/*
 * Hold SIGINT, SIGTERM and SIGHUP from now on (blocked, pending), so that one arriving before
 * session_start still ends the session the usual way, once it has started: the output is written
 * and the terminal restored. Call first thing in main for the live screen and record. SIGINT and
 * SIGTERM that a script left ignored are taken back; SIGHUP stays ignored under nohup.
 */
void session_hold_signals(void);
/*
 * Check the options, parse the events, resolve the target and open the output (when given)
 * before anything runs. Returns 0 and *out, or -errno with err (whose class gives the exit status).
 */
int session_new(struct session **out, const struct record_opts *opts, unsigned flags,
		struct errbuf *err);
/*
 * Take the signals, launch the command, open counters, sampling and scheduler events and start
 * counting. With preload, the symbol caches load first (headless: before the workload starts);
 * live callers draw their first frame and call session_preload afterwards (system-wide, the
 * per-task counters' first look for the busiest threads waits for it too). Returns 0 or -errno
 * with err; notes for the user (fallbacks, missing timeline) are in session_notes_since.
 */
int session_start(struct session *s, bool preload, struct errbuf *err);
/* Take the per-task counters' deferred first look, then load kallsyms and libc's symbols now
 * (once; symbols not without sampling). */
void session_preload(struct session *s);
/*
 * Wait up to timeout_ms (-1: forever) for something to happen, handle it and say what it was in
 * *st. input_fd is the caller's descriptor (-1: none). After the end (session_end_reason not
 * SESSION_END_NONE) the rings and timer are no longer watched, the signals and input_fd still are.
 * Returns 0 or -errno when counters cannot be read (the session then ends).
 */
int session_step(struct session *s, int input_fd, int timeout_ms, struct session_step *st);
/* Why the session ended, or SESSION_END_NONE (0) while it runs. */
enum session_end session_end_reason(const struct session *s);
/* End the session now with reason (when it has not ended already). */
void session_end(struct session *s, enum session_end reason);
/* The name of an end reason, as snapshots write it in meta.end_reason ("duration", ...). */
const char *session_end_name(enum session_end why);
/*
 * Stop collecting: read the last partial interval, stop a launched command that still runs,
 * drain the rings and fill the profile's end metadata. Idempotent.
 */
void session_stop(struct session *s);
/*
 * Write the output opened by session_new (after session_stop). When the path fails at the end,
 * the data goes to $TMPDIR/ringside-rescue-PID.json and err says so. Returns 0 or -errno.
 */
int session_write_output(struct session *s, struct errbuf *err);
/* Save the profile as it is now to path (.json or .folded, by its name). Returns 0 or -errno. */
int session_save(struct session *s, const char *path, struct errbuf *err);
/*
 * A copy of the profile as it is now (through the snapshot format, so it shares nothing with the
 * live one): the live screen's baseline. 0 and *out (the caller's), or an error.
 */
int session_copy_profile(struct session *s, struct profile **out, struct errbuf *err);
/*
 * Close a stopped session's perf events (rings and counters; the profile stays): their
 * descriptors back before what comes after the recording (the library of runs opens a database).
 */
void session_close_events(struct session *s);
/* Bring the profile's duration up to the last counter read (the live views between saves). */
void session_update_meta(struct session *s);
/* The perf-stat-like summary and the sampling and scheduler lines, on stderr. */
void session_report(const struct session *s);
/*
 * Count one more event (text as -e takes it) from now on, on the session's target, while it runs:
 * the current interval ends here for every event, and the new track's earlier intervals are kept
 * uncounted (enabled 0, added_ns says when it began). An event the machine lacks is added as
 * unsupported (its track says why). A removed event counts again in its old track. Returns the
 * profile track's index, or -errno with err (unknown name, counted already, session ended,
 * permission).
 */
int session_add_event(struct session *s, const char *text, struct errbuf *err);
/*
 * Stop counting the event named name (as its track names it, or its canonical form): its last
 * interval ends now, its track and points stay in the profile (removed_ns says when) and gets
 * uncounted intervals from here on. Returns the track's index, or -errno with err.
 */
int session_remove_event(struct session *s, const char *name, struct errbuf *err);
/* True while profile track i is being counted (false once removed or the session ended). */
bool session_event_counted(const struct session *s, size_t track);
/* The profile (borrowed; consistent between steps). */
struct profile *session_profile(struct session *s);
/* Nanoseconds since counting started (frozen at the end). */
uint64_t session_elapsed_ns(const struct session *s);
/* The output path given, its %-expansions done (util/outpath.h), or NULL. */
const char *session_output(const struct session *s);
/*
 * Messages for the user: fallbacks while starting (a missing timeline), CPUs going offline while
 * running. Those added since *seen (a count the caller keeps, 0 at first), NULL-terminated and
 * borrowed; *seen moves past them.
 */
const char *const *session_notes_since(const struct session *s, size_t *seen);
/* Restore the signal mask, stop a launched command and free everything; NULL is fine. */
void session_free(struct session *s);

#endif
