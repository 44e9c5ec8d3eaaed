/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Headless recording: open the counters and the sampling event for the target, read the counters
 * every interval and drain the sample rings into the stack tree until the duration ends, the target
 * ends or a signal arrives, then write the snapshot (.json), page (.html), folded stacks (.folded)
 * or pprof (.pb.gz), and push it when --push asks (app/push.h). One poll
 * loop over a timerfd, a signalfd, the targets' pidfds and the ring fds.
 */
#ifndef RINGSIDE_APP_RECORD_H
#define RINGSIDE_APP_RECORD_H

#include <stdbool.h>

#include "ringside/app/push.h"

struct record_opts {
	const char *events;	    /* -e, NULL for the defaults */
	unsigned interval_ms;	    /* -I */
	double duration_s;	    /* --duration, 0 for until the target ends or a signal */
	const char *output;	    /* -o */
	const char *cpus;	    /* -C */
	const char *pids;	    /* -p */
	char **argv;		    /* -- COMMAND ARGS */
	bool quiet;		    /* -q: no summary */
	bool no_samples;	    /* --no-samples: count only */
	bool no_sched;		    /* --no-sched: no scheduler timeline */
	const char *sample_event;   /* --sample-event, NULL for the default */
	bool mem;		    /* --mem: data addresses (memory view) */
	bool kvm;		    /* --kvm: KVM exits (kvm_exit/kvm_entry tracepoints) */
	unsigned long freq;	    /* -F (ignored when period is set) */
	unsigned long period;	    /* -c */
	const char *callgraph;	    /* -g: "fp", "dwarf[,SIZE]" or "none", NULL for fp */
	const char *command_output; /* the launched command's stdout/stderr file, NULL: ours */
	int command_output_fd;	    /* with command_output: that file, open for writing */
	int command_tee;      /* > 0: command_output_fd feeds this command_log_tee_start child */
	int command_error_fd; /* > 0: the command's stderr (the relay's second pipe) */
	char **ratios;	      /* --ratio NAME=A/B, kept in snapshots; A and B are counted too */
	size_t nratios;
	struct push_opts push;	/* --push URL and its --push-* options (app/push.h) */
	bool no_save;		/* --no-save: not registered in the library of runs */
	bool output_in_library; /* output is runs_unregistered_path's (record without -o) */
	bool stream;		/* --stream -o -: the stream on stdout, no output file */
	bool stream_text;	/* --stream-text: its text form, not the compressed one */
	bool stream_runs;	/* --stream-runs: every scheduler run, not summary buckets */
	bool stream_detail;	/* --stream-detail: every stack node every interval */
	int cmdline_argc;	/* ringside's own command line, for the snapshot */
	char **cmdline_argv;
	/* --off-cpu 1, --no-off-cpu -1; 0: on for -p and COMMAND, off system-wide */
	int off_cpu;
	bool off_cpu_kernel;   /* --off-cpu-kernel: off-CPU stacks keep their kernel frames */
	int nice;	       /* --nice N: ringside's own priority (-20..19) */
	bool nice_set;	       /* ... given; else SESSION_NICE where allowed */
	unsigned task_top;     /* --task-counters N: system-wide, the busiest N threads (0: 16) */
	bool no_task_counters; /* --task-counters 0: no per-task counters */
};

/* ringside's own nice value by default, where allowed (root): above the programs it watches. */
#define SESSION_NICE (-5)

/* Run a recording; returns the process exit code (0 ok, 1 runtime failure, 2 bad input). */
int record_main(const struct record_opts *opts);

#endif
