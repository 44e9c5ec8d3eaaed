/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Headless recording: open the events for the target, read them every interval until the duration
 * ends, the target ends or a signal arrives, then write the snapshot. One poll loop over a timerfd,
 * a signalfd and the targets' pidfds.
 */
#ifndef RINGSIDE_CORE_RECORD_H
#define RINGSIDE_CORE_RECORD_H

#include <stdbool.h>

struct record_opts {
	const char *events;   /* -e, NULL for the defaults */
	unsigned interval_ms; /* -I */
	double duration_s;    /* --duration, 0 for until the target ends or a signal */
	const char *output;   /* -o */
	const char *cpus;     /* -C */
	const char *pids;     /* -p */
	char **argv;	      /* -- COMMAND ARGS */
	bool quiet;	      /* -q: no summary */
	int cmdline_argc;     /* ringside's own command line, for the snapshot */
	char **cmdline_argv;
};

/* Run a recording; returns the process exit code (0 ok, 1 runtime failure, 2 bad input). */
int record_main(const struct record_opts *opts);

#endif
