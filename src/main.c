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

#include "ringside/core/errbuf.h"
#include "ringside/core/record.h"
#include "ringside/export/export.h"
#include "ringside/export/snapshot.h"
#include "ringside/perf/catalog.h"

enum { EXIT_BAD_INPUT = 2 };
enum { OPT_DURATION = 256, OPT_ALL, OPT_SAMPLE_EVENT, OPT_NO_SAMPLES, OPT_NO_SCHED };

/* clang-format off */
static const char usage_text[] =
"Usage: ringside record [OPTIONS] -o FILE.json|.html|.folded [-a | -C CPUS | -p PIDS | -- COMMAND...]\n"
"       ringside export IN.json|IN.html -o OUT.json|OUT.html|OUT.folded\n"
"       ringside list [--all] [PATTERN]\n"
"       ringside --help | --version\n"
"\n"
"A live profiler for Linux. This version records counters and sampled call stacks headless\n"
"('record'), converts snapshots ('export') and lists the events this machine can count ('list');\n"
"the live screen is not available yet.\n"
"\n"
"record options:\n"
"  -e, --events LIST      events to count, comma-separated (see 'ringside list'); default:\n"
"                         cycles,instructions,cache-references,cache-misses,branches,branch-misses\n"
"                         with a hardware PMU, else task-clock,context-switches,cpu-migrations,\n"
"                         page-faults\n"
"  -I, --interval MS      read the counters every MS milliseconds (10..3600000, default 1000)\n"
"      --duration SECONDS stop after SECONDS (default: when the target ends, or on Ctrl-C)\n"
"  -F, --freq HZ          sample each CPU HZ times a second (default 999)\n"
"  -c, --count PERIOD     sample every PERIOD events instead of a frequency\n"
"  -g, --call-graph MODE  fp (kernel stacks and user frame pointers, the default) or none\n"
"      --sample-event EV  the event to sample (default: cycles with a PMU, else cpu-clock)\n"
"      --no-samples       take no samples (no call stacks)\n"
"      --no-sched         no scheduler timeline (sched tracepoints)\n"
"  -o, --output FILE      a snapshot (FILE.json), a page to open in a browser (FILE.html)\n"
"                         or folded stacks (FILE.folded)\n"
"  -a, --all-cpus         the whole system, every online CPU (the default target)\n"
"  -C, --cpu LIST         the whole system on these CPUs only, e.g. 0-3,8\n"
"  -p, --pid LIST         running processes, all their threads and the threads they start\n"
"  -q, --quiet            no summary table at the end\n"
"  -- COMMAND [ARGS...]   launch COMMAND (without a shell) and record it until it exits\n"
"\n"
"export options:\n"
"  -o, --output FILE      FILE.json (a snapshot again), FILE.html (a self-contained page)\n"
"                         or FILE.folded (folded stacks)\n"
"\n"
"list options:\n"
"      --all              also list PMU events that do not open on this machine\n"
"  PATTERN                a substring or glob (* ? [) matched against names and descriptions\n"
"\n"
"  -h, --help             show this help\n"
"  -V, --version          show the version\n"
"\n"
"See ringside(1) and ringside-snapshot(5).\n";
/* clang-format on */

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ringside: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(". Try 'ringside --help'\n", stderr);
	return EXIT_BAD_INPUT;
}

static int
parse_uint(const char *s, unsigned *out)
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
main_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "events", required_argument, NULL, 'e' },
		{ "interval", required_argument, NULL, 'I' },
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
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct record_opts o = { .interval_ms = 1000, .freq = 999 };
	unsigned v;
	char *end;
	int c;

	o.cmdline_argc = argc + 1;
	o.cmdline_argv = argv - 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+e:I:o:aC:p:qhF:c:g:", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
			o.events = optarg;
			break;
		case 'I':
			if (parse_uint(optarg, &o.interval_ms) < 0)
				return usage_error(
					"the interval -I wants whole milliseconds, not '%s'",
					optarg);
			break;
		case OPT_DURATION:
			errno = 0;
			o.duration_s = strtod(optarg, &end);
			if (!*optarg || *end || errno || !(o.duration_s > 0))
				return usage_error(
					"--duration wants a positive number of seconds, not '%s'",
					optarg);
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'a':
			break;
		case 'C':
			o.cpus = optarg;
			break;
		case 'p':
			o.pids = optarg;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'F':
			if (parse_uint(optarg, &v) < 0 || v == 0)
				return usage_error(
					"the frequency -F wants a whole number of Hz, not '%s'",
					optarg);
			o.freq = v;
			break;
		case 'c':
			if (parse_uint(optarg, &v) < 0 || v == 0)
				return usage_error(
					"the period -c wants a whole number of events, not '%s'",
					optarg);
			o.period = v;
			break;
		case 'g':
			o.callgraph = optarg;
			break;
		case OPT_SAMPLE_EVENT:
			o.sample_event = optarg;
			break;
		case OPT_NO_SAMPLES:
			o.no_samples = true;
			break;
		case OPT_NO_SCHED:
			o.no_sched = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s' for record", argv[optind - 1]);
		}
	}
	if (!o.output)
		return usage_error("%s", "record needs -o FILE.json (or .html, .folded) to know "
					 "where to write the snapshot");
	if (optind < argc)
		o.argv = argv + optind;
	return record_main(&o);
}

static int
main_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *in = NULL, *out = NULL;
	struct profile *p = NULL;
	struct errbuf err;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		case ':':
			return usage_error("option '%s' needs a value", argv[optind - 1]);
		default:
			return usage_error("unknown option '%s' for export", argv[optind - 1]);
		}
	}
	if (optind < argc)
		in = argv[optind++];
	if (!in || !out || optind < argc)
		return usage_error("%s", "export takes one snapshot (.json or .html) and -o "
					 "OUT.json, -o OUT.html or -o OUT.folded");
	if (!export_format_known(out))
		return usage_error("output '%s' must end in " EXPORT_EXTENSIONS, out);
	errbuf_clear(&err);
	rc = snapshot_load(in, &p, &err);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return EXIT_BAD_INPUT;
	}
	rc = export_write_path(p, out, &err);
	profile_free(p);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return rc == -EINVAL ? EXIT_BAD_INPUT : 1;
	}
	return 0;
}

static int
main_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, OPT_ALL },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *pattern = NULL, *group = NULL;
	struct catalog cat;
	bool all = false;
	size_t shown = 0;
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
			return usage_error("unknown option '%s' for list", argv[optind - 1]);
		}
	}
	if (optind < argc)
		pattern = argv[optind++];
	if (optind < argc)
		return usage_error("list takes one pattern; quote it if it has spaces: '%s'",
				   argv[optind]);
	catalog_build(&cat, (all ? 0 : CATALOG_CONFIRM) | CATALOG_TRACE_FIELDS);
	for (size_t i = 0; i < cat.n; i++) {
		const struct catalog_entry *e = &cat.v[i];

		if (pattern && !catalog_entry_matches(e, pattern))
			continue;
		if (!group || strcmp(group, e->group) != 0) {
			group = e->group;
			printf("%s%s events:\n", shown ? "\n" : "", group);
		}
		printf("  %-40s [%s]  %s%s\n", e->name, e->group, e->desc,
		       e->supported ? "" : " (not supported here)");
		shown++;
	}
	catalog_fini(&cat);
	if (shown == 0) {
		fprintf(stderr,
			"ringside: no event matches '%s'; try a shorter pattern or 'ringside "
			"list'\n",
			pattern ? pattern : "");
		return 1;
	}
	return 0;
}

static bool
is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static bool
is_version(const char *arg)
{
	return strcmp(arg, "-V") == 0 || strcmp(arg, "--version") == 0;
}

int
main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc >= 2 && is_help(argv[1])) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (argc >= 2 && is_version(argv[1])) {
		printf("ringside %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "record") == 0)
		return main_record(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return main_export(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return main_list(argc - 1, argv + 1);
	if (argc >= 2 && argv[1][0] != '-')
		return usage_error("unknown command '%s'", argv[1]);
	if (argc >= 2)
		return usage_error("unknown option '%s'", argv[1]);
	/* No command: the live screen, which is not built yet. */
	fputs("ringside: the live screen is not available in this version; use 'ringside record -o "
	      "FILE.json'\n",
	      stderr);
	return EXIT_BAD_INPUT;
}
