// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ringside's command line: parse it and call one mode's entry point.
 */
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/app/annotate_cmd.h"
#include "ringside/app/command_log.h"
#include "ringside/app/compare.h"
#include "ringside/export/diff_export.h"
#include "ringside/app/convert.h"
#include "ringside/app/recover.h"
#include "ringside/app/listing.h"
#include "ringside/app/merge.h"
#include "ringside/app/record.h"
#include "ringside/app/runs.h"
#include "ringside/app/session.h"
#include "ringside/export/export.h"
#include "ringside/ui/diff_view.h"
#include "ringside/ui/ui.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"
#include "usage.h"

enum { EXIT_BAD_INPUT = 2 };
enum {
	OPT_DURATION = 256,
	OPT_ALL,
	OPT_SAMPLE_EVENT,
	OPT_NO_SAMPLES,
	OPT_NO_SCHED,
	OPT_MEM,
	OPT_KVM,
	OPT_OFF_CPU,
	OPT_NO_OFF_CPU,
	OPT_TASK_COUNTERS,
	OPT_WALL_CLOCK,
	OPT_EXPORT_EVENT,
	OPT_RANGE,
	OPT_RATIO,
	OPT_THEME,
	OPT_ASCII,
	OPT_BRAILLE,
	OPT_VIEW,
	OPT_FILE_MODE,
	OPT_PUSH,
	OPT_PUSH_LABEL,
	OPT_PUSH_TENANT,
	OPT_PUSH_TIMEOUT,
	OPT_PUSH_EVERY,
	OPT_ABSOLUTE,
	OPT_MERGE_THREADS,
	OPT_KEEP,
	OPT_NO_SAVE,
	OPT_SOURCE_PATH,
	OPT_SOURCE_PREFIX,
	OPT_STREAM,
	OPT_NICE
};

static int main_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Say what is wrong with the command line on stderr; returns the exit status for bad input. */
static int
main_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ringside: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(". Try 'ringside --help'\n", stderr);
	return EXIT_BAD_INPUT;
}

/* For main_options: stop parsing, the process to exit with status. */
static bool
main_stop(int *exit_status, int status)
{
	*exit_status = status;
	return false;
}

static int
main_parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > 0xffffffffu || *s == '-')
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int
main_parse_seconds(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return !*s || *end || errno || !(*out > 0) || *out > 1e7 ? -EINVAL : 0;
}

/* --file-mode: octal permission bits, 0 to 0777, in *mode; returns 0 or -EINVAL. */
static int
main_parse_file_mode(const char *s, mode_t *mode)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 8);
	if (!*s || *end || errno || v > 0777 || *s == '-')
		return -EINVAL;
	*mode = (mode_t)v;
	return 0;
}

static int
main_file_mode_error(const char *s)
{
	return main_usage_error("--file-mode wants octal permission bits such as 644 or 600, "
				"not '%s'",
				s);
}

/* How option c is written: "-d" for a short one, "--theme" for a long one without a short form. */
static void
main_option_name(int c, const struct option *longopts, char *buf, size_t size)
{
	snprintf(buf, size, "-%c", c);
	if (c < 256)
		return;
	for (const struct option *lo = longopts; lo->name; lo++)
		if (lo->val == c) {
			snprintf(buf, size, "--%s", lo->name);
			return;
		}
}

enum main_mode { MODE_LIVE, MODE_RECORD, MODE_VIEW };

/* Append s to the array *v of *n strings. */
static void
main_append(const char *const **v, size_t *n, const char *s)
{
	const char **grown = xreallocarray((void *)*v, *n + 1, sizeof(*grown));

	grown[(*n)++] = s;
	*v = grown;
}

static int
main_source_prefix_error(const char *arg)
{
	return main_usage_error("--source-prefix wants OLD=NEW, e.g. /build/src=/home/me/src: '%s'",
				arg);
}

/*
 * Whether option c is one of mode's: the screen options are not record's, and view takes only
 * those, --ratio and --file-mode; -d paces reading the counters, and a snapshot in view has none to
 * read.
 */
static bool
main_option_fits(int c, enum main_mode mode)
{
	bool screen_only = c == OPT_THEME || c == OPT_ASCII || c == OPT_BRAILLE || c == OPT_VIEW ||
			   c == 'd' || c == OPT_SOURCE_PATH || c == OPT_SOURCE_PREFIX;

	if (c == OPT_STREAM)
		return mode == MODE_RECORD;
	if (mode == MODE_RECORD)
		return !screen_only;
	if (mode == MODE_VIEW)
		return (screen_only || c == OPT_RATIO || c == OPT_FILE_MODE || c == 'o') &&
		       c != 'd';
	return true;
}

/*
 * The options of the live screen, record and view, into *uo. Returns true to go on with the mode;
 * false when the process is to exit now (help shown, or a usage error said) with *exit_status.
 */
static bool
main_options(int argc, char **argv, enum main_mode mode, struct ui_opts *uo, int *exit_status)
{
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'I' },
		{ "delay", required_argument, NULL, 'd' },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "output", required_argument, NULL, 'o' },
		{ "all-cpus", no_argument, NULL, 'a' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "pid", required_argument, NULL, 'p' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "freq", required_argument, NULL, 'F' },
		{ "count", required_argument, NULL, 'c' },
		{ "call-graph", required_argument, NULL, 'g' },
		{ "sample-event", required_argument, NULL, OPT_SAMPLE_EVENT },
		{ "no-samples", no_argument, NULL, OPT_NO_SAMPLES },
		{ "no-sched", no_argument, NULL, OPT_NO_SCHED },
		{ "mem", no_argument, NULL, OPT_MEM },
		{ "kvm", no_argument, NULL, OPT_KVM },
		{ "off-cpu", no_argument, NULL, OPT_OFF_CPU },
		{ "no-off-cpu", no_argument, NULL, OPT_NO_OFF_CPU },
		{ "task-counters", required_argument, NULL, OPT_TASK_COUNTERS },
		{ "ratio", required_argument, NULL, OPT_RATIO },
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "braille", no_argument, NULL, OPT_BRAILLE },
		{ "view", required_argument, NULL, OPT_VIEW },
		{ "source-path", required_argument, NULL, OPT_SOURCE_PATH },
		{ "source-prefix", required_argument, NULL, OPT_SOURCE_PREFIX },
		{ "file-mode", required_argument, NULL, OPT_FILE_MODE },
		{ "push", required_argument, NULL, OPT_PUSH },
		{ "push-label", required_argument, NULL, OPT_PUSH_LABEL },
		{ "push-tenant", required_argument, NULL, OPT_PUSH_TENANT },
		{ "push-timeout", required_argument, NULL, OPT_PUSH_TIMEOUT },
		{ "push-every", required_argument, NULL, OPT_PUSH_EVERY },
		{ "no-save", no_argument, NULL, OPT_NO_SAVE },
		{ "stream", no_argument, NULL, OPT_STREAM },
		{ "nice", required_argument, NULL, OPT_NICE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const mode_names[] = { "the live screen", "record", "view" };
	struct record_opts *o = &uo->rec;
	char name[32];
	mode_t fmode;
	unsigned v;
	double secs;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:e:I:d:o:aC:p:qhF:c:g:", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			return main_stop(exit_status, 0);
		}
		if (c == ':')
			return main_stop(exit_status, main_usage_error("option '%s' needs a value",
								       argv[optind - 1]));
		if (c == '?')
			return main_stop(exit_status,
					 main_usage_error("unknown option '%s'", argv[optind - 1]));
		if (!main_option_fits(c, mode)) {
			main_option_name(c, longopts, name, sizeof(name));
			return main_stop(exit_status, main_usage_error("option '%s' is not for %s",
								       name, mode_names[mode]));
		}
		switch (c) {
		case 'e':
			o->events = optarg;
			break;
		case 'I':
			if (main_parse_uint(optarg, &o->interval_ms) < 0)
				return main_stop(exit_status,
						 main_usage_error("the interval -I wants whole "
								  "milliseconds, not '%s'",
								  optarg));
			break;
		case 'd':
			if (main_parse_seconds(optarg, &secs) < 0 || secs < 0.01 || secs > 3600)
				return main_stop(exit_status,
						 main_usage_error("the delay -d wants seconds from "
								  "0.01 to 3600, not '%s'",
								  optarg));
			o->interval_ms = (unsigned)(secs * 1000 + 0.5);
			break;
		case OPT_DURATION:
			if (main_parse_seconds(optarg, &o->duration_s) < 0)
				return main_stop(exit_status,
						 main_usage_error("--duration wants a positive "
								  "number of seconds, not '%s'",
								  optarg));
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'a':
			break;
		case 'C':
			o->cpus = optarg;
			break;
		case 'p':
			o->pids = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'F':
			if (main_parse_uint(optarg, &v) < 0 || v == 0)
				return main_stop(exit_status,
						 main_usage_error("the frequency -F wants a whole "
								  "number of Hz, not '%s'",
								  optarg));
			o->freq = v;
			break;
		case 'c':
			if (main_parse_uint(optarg, &v) < 0 || v == 0)
				return main_stop(exit_status,
						 main_usage_error("the period -c wants a whole "
								  "number of events, not '%s'",
								  optarg));
			o->period = v;
			break;
		case 'g':
			o->callgraph = optarg;
			break;
		case OPT_SAMPLE_EVENT:
			o->sample_event = optarg;
			break;
		case OPT_NO_SAMPLES:
			o->no_samples = true;
			break;
		case OPT_NO_SCHED:
			o->no_sched = true;
			break;
		case OPT_MEM:
			o->mem = true;
			break;
		case OPT_KVM:
			o->kvm = true;
			break;
		case OPT_OFF_CPU:
		case OPT_NO_OFF_CPU:
			o->off_cpu = c == OPT_OFF_CPU ? 1 : -1;
			break;
		case OPT_STREAM:
			o->stream = true;
			break;
		case OPT_TASK_COUNTERS:
			if (main_parse_uint(optarg, &o->task_top) < 0 || o->task_top > 4096)
				return main_stop(
					exit_status,
					main_usage_error("--task-counters wants a number of "
							 "tasks from 0 (none) to 4096, "
							 "not '%s'",
							 optarg));
			o->no_task_counters = o->task_top == 0;
			break;
		case OPT_RATIO:
			o->ratios = xreallocarray(o->ratios, o->nratios + 1, sizeof(*o->ratios));
			o->ratios[o->nratios++] = optarg;
			break;
		case OPT_PUSH:
			o->push.url = optarg;
			break;
		case OPT_PUSH_LABEL:
			o->push.labels = xreallocarray(o->push.labels, o->push.nlabels + 1,
						       sizeof(*o->push.labels));
			o->push.labels[o->push.nlabels++] = optarg;
			break;
		case OPT_PUSH_TENANT:
			o->push.tenant = optarg;
			break;
		case OPT_PUSH_EVERY:
			if (strcmp(optarg, "0") == 0)
				o->push.every_s = 0;
			else if (main_parse_seconds(optarg, &o->push.every_s) < 0 ||
				 o->push.every_s < 1 || o->push.every_s > 3600)
				return main_stop(
					exit_status,
					main_usage_error("--push-every wants seconds from 1 "
							 "to 3600, or 0 for one push at "
							 "the end, not '%s'",
							 optarg));
			break;
		case OPT_PUSH_TIMEOUT:
			if (main_parse_seconds(optarg, &o->push.timeout_s) < 0 ||
			    o->push.timeout_s < 0.1)
				return main_stop(
					exit_status,
					main_usage_error("--push-timeout wants seconds from "
							 "0.1 to 3600, not '%s'",
							 optarg));
			break;
		case OPT_NO_SAVE:
			o->no_save = true;
			break;
		case OPT_NICE: {
			char *end;
			long n;

			errno = 0;
			n = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || n < -20 || n > 19)
				return main_stop(exit_status,
						 main_usage_error("--nice '%s': give a nice value "
								  "from -20 to 19",
								  optarg));
			o->nice = (int)n;
			o->nice_set = true;
			break;
		}
		case OPT_THEME:
			uo->theme = optarg;
			break;
		case OPT_ASCII:
			uo->ascii = true;
			break;
		case OPT_BRAILLE:
			uo->braille = true;
			break;
		case OPT_VIEW:
			uo->view = optarg;
			break;
		case OPT_SOURCE_PATH:
			main_append(&uo->annotate.source_dirs, &uo->annotate.nsource_dirs, optarg);
			break;
		case OPT_SOURCE_PREFIX:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return main_stop(exit_status, main_source_prefix_error(optarg));
			main_append(&uo->annotate.prefix_map, &uo->annotate.nprefix_map, optarg);
			break;
		case OPT_FILE_MODE:
			if (main_parse_file_mode(optarg, &fmode) < 0)
				return main_stop(exit_status, main_file_mode_error(optarg));
			outfile_set_mode(fmode);
			break;
		default:
			return main_stop(exit_status,
					 main_usage_error("unknown option '%s'", argv[optind - 1]));
		}
	}
	return true;
}

/* A file for the command's output and the child that copies it there (none when that fails). */
static void
main_record_capture(struct record_opts *o, char **log, int *logfd)
{
	int tee;

	*logfd = command_log_open(log);
	if (*logfd < 0)
		return;
	tee = command_log_tee_start(*logfd, true, &o->command_output_fd, &o->command_error_fd);
	if (tee < 0) {
		fprintf(stderr, "ringside: cannot capture the command's output: %s\n",
			strerror(-tee));
		return;
	}
	o->command_output = *log;
	o->command_tee = tee;
}

static int
main_record(int argc, char **argv)
{
	struct ui_opts uo = { .rec = { .interval_ms = 1000, .freq = 999, .push.every_s = 10 } };
	char *library_out = NULL, *log = NULL;
	int r, logfd = -1;

	session_hold_signals();
	uo.rec.cmdline_argc = argc + 1;
	uo.rec.cmdline_argv = argv - 1;
	if (!main_options(argc, argv, MODE_RECORD, &uo, &r))
		goto out;
	if (!uo.rec.output && uo.rec.no_save) {
		r = main_usage_error(
			"%s", "record --no-save needs -o FILE.json (or .html, .folded, .pb.gz) to "
			      "know where to write the snapshot");
		goto out;
	}
	if (uo.rec.stream != (uo.rec.output && strcmp(uo.rec.output, "-") == 0)) {
		r = main_usage_error(
			"%s", uo.rec.stream ? "--stream writes to stdout: give -o -"
					    : "-o - is for --stream (a snapshot goes to a file)");
		goto out;
	}
	if (uo.rec.stream && uo.rec.push.url) {
		r = main_usage_error("%s",
				     "--push sends a snapshot written to a file, not --stream");
		goto out;
	}
	if (uo.rec.stream) {
		/* Nothing to keep in the library: the stream is the other end's. */
		uo.rec.output = NULL;
		uo.rec.no_save = true;
	}
	if (!uo.rec.output && !uo.rec.stream) {
		struct errbuf err;

		errbuf_clear(&err);
		library_out = runs_unregistered_path(&err);
		if (!library_out) {
			fprintf(stderr, "ringside: %s; or give -o FILE.json\n", err.msg);
			r = 1;
			goto out;
		}
		uo.rec.output = library_out;
		uo.rec.output_in_library = true;
	}
	if (optind < argc)
		uo.rec.argv = argv + optind;
	/* A launched command's output is kept with its run, and still shown. */
	if (uo.rec.argv && !uo.rec.no_save)
		main_record_capture(&uo.rec, &log, &logfd);
	/* --stream: stdout is the stream's alone; the command's output goes to stderr. */
	if (uo.rec.argv && uo.rec.stream) {
		logfd = dup(STDERR_FILENO);
		if (logfd < 0) {
			fprintf(stderr, "ringside: cannot pass the command its output: %s\n",
				strerror(errno));
			r = 1;
			goto out;
		}
		uo.rec.command_output = "standard error";
		uo.rec.command_output_fd = logfd;
	}
	r = record_main(&uo.rec);
	if (log)
		unlink(log);
	if (logfd >= 0)
		close(logfd);
out:
	free(log);
	free(library_out);
	free(uo.rec.ratios);
	free(uo.rec.push.labels);
	return r;
}

static int
main_live(int argc, char **argv)
{
	struct ui_opts uo = { .rec = { .interval_ms = 1000, .freq = 999, .push.every_s = 10 } };
	char *log = NULL;
	int r, logfd = -1, tee = -1;

	session_hold_signals();
	uo.rec.cmdline_argc = argc;
	uo.rec.cmdline_argv = argv;
	if (!main_options(argc, argv, MODE_LIVE, &uo, &r))
		goto out;
	if (optind < argc)
		uo.rec.argv = argv + optind;
	if (uo.rec.argv) {
		logfd = command_log_open(&log);
		if (logfd < 0) {
			r = 1;
			goto out;
		}
		/* Through the relay (stdout and stderr apart, for the output pane), else directly.
		 */
		tee = command_log_tee_start(logfd, false, &uo.rec.command_output_fd,
					    &uo.rec.command_error_fd);
		if (tee < 0)
			uo.rec.command_output_fd = logfd;
		uo.rec.command_output = log;
	}
	r = ui_live_main(&uo);
	if (tee > 0)
		command_log_tee_finish(tee, uo.rec.command_output_fd, uo.rec.command_error_fd);
	if (log)
		command_log_done(logfd, log);
out:
	if (logfd >= 0)
		close(logfd);
	free(log);
	free(uo.rec.ratios);
	free(uo.rec.push.labels);
	free((void *)uo.annotate.source_dirs);
	free((void *)uo.annotate.prefix_map);
	return r;
}

/*
 * A snapshot argument: @ID, @last, @last~N or @TAG through the library of runs, a file as it is.
 * Returns 0 and *path (the caller's), or the exit status after saying why.
 */
static int
main_snapshot_arg(const char *arg, char **path)
{
	struct errbuf err;

	errbuf_clear(&err);
	if (runs_resolve_arg(arg, path, &err) == 0)
		return 0;
	fprintf(stderr, "ringside: %s\n", err.msg);
	return errbuf_exit_status(&err);
}

static int
main_view(int argc, char **argv)
{
	struct ui_opts uo = { .rec = { .interval_ms = 1000 } };
	char *path = NULL;
	int r;

	if (!main_options(argc, argv, MODE_VIEW, &uo, &r))
		goto out;
	if (optind + 1 != argc) {
		r = main_usage_error("%s", "view takes one snapshot file: ringside view FILE.json");
		goto out;
	}
	/* view - -o FILE: what the stream brought is written when the screen quits. */
	if (uo.rec.output && strcmp(argv[optind], "-") != 0) {
		r = main_usage_error("%s", "view -o is for a stream (view - -o FILE); a snapshot "
					   "converts with export IN -o OUT");
		goto out;
	}
	if (uo.rec.output && !export_format_known(uo.rec.output)) {
		r = main_usage_error("output '%s' must end in " EXPORT_EXTENSIONS, uo.rec.output);
		goto out;
	}
	r = main_snapshot_arg(argv[optind], &path);
	if (r == 0)
		r = ui_view_main(path, &uo);
out:
	free(path);
	free(uo.rec.ratios);
	free(uo.rec.push.labels);
	free((void *)uo.annotate.source_dirs);
	free((void *)uo.annotate.prefix_map);
	return r;
}

static int
main_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "file-mode", required_argument, NULL, OPT_FILE_MODE },
		{ "off-cpu", no_argument, NULL, OPT_OFF_CPU },
		{ "wall-clock", no_argument, NULL, OPT_WALL_CLOCK },
		{ "event", required_argument, NULL, OPT_EXPORT_EVENT },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *in = NULL, *out = NULL, *event = NULL, *range = NULL;
	char *path = NULL;
	enum timetree_mode tmode = TIMETREE_ON;
	mode_t fmode;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_OFF_CPU:
			tmode = TIMETREE_OFF;
			break;
		case OPT_WALL_CLOCK:
			tmode = TIMETREE_WALL;
			break;
		case OPT_EXPORT_EVENT:
			event = optarg;
			break;
		case OPT_RANGE:
			range = optarg;
			break;
		case OPT_FILE_MODE:
			if (main_parse_file_mode(optarg, &fmode) < 0)
				return main_file_mode_error(optarg);
			outfile_set_mode(fmode);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return main_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return main_usage_error("unknown option '%s' for export", argv[optind - 1]);
		}
	}
	if (optind < argc)
		in = argv[optind++];
	if (!in || !out || optind < argc)
		return main_usage_error("%s",
					"export takes one snapshot (.json or .html) and -o "
					"OUT.json, -o OUT.html, -o OUT.folded or -o OUT.pb.gz");
	if (!export_format_known(out))
		return main_usage_error("output '%s' must end in " EXPORT_EXTENSIONS, out);
	if (tmode != TIMETREE_ON && export_format_of(out) != EXPORT_FOLDED)
		return main_usage_error("%s",
					"--off-cpu and --wall-clock choose the tree of folded "
					"stacks: write OUT.folded (.json and .html keep both "
					"trees)");
	if (event && (tmode != TIMETREE_ON || export_format_of(out) != EXPORT_FOLDED))
		return main_usage_error(
			"%s", "--event chooses the sampled event's tree of folded stacks: "
			      "write OUT.folded, without --off-cpu or --wall-clock (.json "
			      "and .html keep every event's tree)");
	if (range && (tmode != TIMETREE_ON || event))
		return main_usage_error(
			"%s", "--range cuts the first sampled event's stacks; the off-CPU "
			      "and wall-clock trees and other events have no time index "
			      "(drop --off-cpu, --wall-clock or --event)");
	c = main_snapshot_arg(in, &path);
	if (c == 0)
		c = convert_main(path, out, tmode, event, range);
	free(path);
	return c;
}

static int
main_recover(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "keep", no_argument, NULL, OPT_KEEP },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *in = NULL, *out = NULL;
	bool keep = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_KEEP:
			keep = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return main_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return main_usage_error("unknown option '%s' for recover",
						argv[optind - 1]);
		}
	}
	if (optind < argc)
		in = argv[optind++];
	if (!in || optind < argc)
		return main_usage_error("%s", "recover takes one journal: ringside recover "
					      "DIR/.FILE.journal [-o OUT]");
	if (out && !export_format_known(out))
		return main_usage_error("output '%s' must end in " EXPORT_EXTENSIONS, out);
	return recover_main(in, out, keep);
}

static int
main_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *pattern = NULL;
	bool all = false;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ALL:
			all = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return main_usage_error("unknown option '%s' for list", argv[optind - 1]);
		}
	}
	if (optind < argc)
		pattern = argv[optind++];
	if (optind < argc)
		return main_usage_error("list takes one pattern; quote it if it has spaces: '%s'",
					argv[optind]);
	return listing_main(pattern, all);
}

static int
main_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "absolute", no_argument, NULL, OPT_ABSOLUTE },
		{ "merge-threads", no_argument, NULL, OPT_MERGE_THREADS },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "file-mode", required_argument, NULL, OPT_FILE_MODE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL;
	char *a = NULL, *b = NULL;
	unsigned flags = 0;
	bool ascii = false;
	mode_t fmode;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_ABSOLUTE:
			flags |= DIFF_ABSOLUTE;
			break;
		case OPT_MERGE_THREADS:
			flags |= DIFF_MERGE_THREADS;
			break;
		case OPT_ASCII:
			ascii = true;
			break;
		case OPT_FILE_MODE:
			if (main_parse_file_mode(optarg, &fmode) < 0)
				return main_file_mode_error(optarg);
			outfile_set_mode(fmode);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return main_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return main_usage_error("unknown option '%s' for diff", argv[optind - 1]);
		}
	}
	if (argc - optind != 2)
		return main_usage_error("%s",
					"diff takes two snapshots: ringside diff A.json B.json "
					"[-o OUT.folded|OUT.json|OUT.html]");
	if (out && !diff_export_known(out))
		return main_usage_error("output '%s' must end in .folded, .json or .html", out);
	c = main_snapshot_arg(argv[optind], &a);
	if (c == 0)
		c = main_snapshot_arg(argv[optind + 1], &b);
	if (c == 0)
		c = out ? compare_main(a, b, out, flags) : diff_view_main(a, b, flags, ascii);
	free(a);
	free(b);
	return c;
}

static int
main_annotate(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "source-path", required_argument, NULL, OPT_SOURCE_PATH },
		{ "source-prefix", required_argument, NULL, OPT_SOURCE_PREFIX },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char **dirs = xcalloc((size_t)argc, sizeof(*dirs)),
		   **map = xcalloc((size_t)argc, sizeof(*map));
	struct annotate_opts o = { .source_dirs = dirs, .prefix_map = map };
	int c, r = -1;

	opterr = 0;
	while (r < 0 && (c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_SOURCE_PATH:
			dirs[o.nsource_dirs++] = optarg;
			break;
		case OPT_SOURCE_PREFIX:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				r = main_source_prefix_error(optarg);
			map[o.nprefix_map++] = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			r = 0;
			break;
		case ':':
			r = main_usage_error("option '%s' needs a value", argv[optind - 1]);
			break;
		default:
			r = main_usage_error("unknown option '%s' for annotate", argv[optind - 1]);
		}
	}
	if (r < 0 && argc - optind != 2)
		r = main_usage_error("%s", "annotate takes a snapshot and a function: ringside "
					   "annotate FILE.json FUNCTION");
	if (r < 0)
		r = annotate_cmd_main(argv[optind], argv[optind + 1], &o);
	free(dirs);
	free(map);
	return r;
}

static bool
main_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static bool
main_is_version(const char *arg)
{
	return strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0;
}

/* ringside merge A B ... -o OUT: several hosts' snapshots in one (app/merge.c). */
static int
main_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "file-mode", required_argument, NULL, OPT_FILE_MODE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL;
	mode_t fmode;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_FILE_MODE:
			if (main_parse_file_mode(optarg, &fmode) < 0)
				return main_file_mode_error(optarg);
			outfile_set_mode(fmode);
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return main_usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return main_usage_error("unknown option '%s' for merge", argv[optind - 1]);
		}
	}
	if (!out || argc - optind < 2)
		return main_usage_error("%s", "merge takes two or more snapshots (or @runs) and -o "
					      "OUT.json, OUT.html, OUT.folded or OUT.pb.gz");
	if (!export_format_known(out))
		return main_usage_error("output '%s' must end in " EXPORT_EXTENSIONS, out);
	return merge_main((const char *const *)argv + optind, (size_t)(argc - optind), out);
}

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc >= 2 && main_is_help(argv[1])) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc >= 2 && main_is_version(argv[1])) {
		printf("ringside %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "record") == 0)
		return main_record(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return main_export(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "diff") == 0)
		return main_diff(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return main_list(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "recover") == 0)
		return main_recover(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "view") == 0)
		return main_view(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "runs") == 0)
		return runs_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "annotate") == 0)
		return main_annotate(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "merge") == 0)
		return main_merge(argc - 1, argv + 1);
	if (argc >= 2 && argv[1][0] != '-')
		return main_usage_error("unknown command '%s'; commands: record, view, export, "
					"diff, merge, runs, recover, list, annotate",
					argv[1]);
	/* No command: the live screen. */
	return main_live(argc, argv);
}
