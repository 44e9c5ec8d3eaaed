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
#include "main.h"
#include "usage.h"

/* Say what is wrong with the command line on stderr; returns the exit status for bad input. */
int
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
int
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

int
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

int
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

	if (c == OPT_STREAM || c == OPT_STREAM_TEXT || c == OPT_STREAM_RUNS ||
	    c == OPT_STREAM_DETAIL)
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
		{ "off-cpu-kernel", no_argument, NULL, OPT_OFF_CPU_KERNEL },
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
		{ "stream-text", no_argument, NULL, OPT_STREAM_TEXT },
		{ "stream-runs", no_argument, NULL, OPT_STREAM_RUNS },
		{ "stream-detail", no_argument, NULL, OPT_STREAM_DETAIL },
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
		case OPT_OFF_CPU_KERNEL:
			o->off_cpu_kernel = true;
			break;
		case OPT_STREAM:
			o->stream = true;
			break;
		case OPT_STREAM_TEXT:
			o->stream_text = true;
			break;
		case OPT_STREAM_RUNS:
			o->stream_runs = true;
			break;
		case OPT_STREAM_DETAIL:
			o->stream_detail = true;
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
	if ((uo.rec.stream_text || uo.rec.stream_runs || uo.rec.stream_detail) && !uo.rec.stream) {
		r = main_usage_error("%s", uo.rec.stream_text ? "--stream-text is for --stream -o -"
					   : uo.rec.stream_runs
						   ? "--stream-runs is for --stream -o -"
						   : "--stream-detail is for --stream -o -");
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
int
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
