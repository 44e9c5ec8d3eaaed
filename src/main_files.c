// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ringside's commands on files: export, diff, merge, recover, list and annotate parse their own
 * options here and call their app/ entry points.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/annotate_cmd.h"
#include "ringside/app/compare.h"
#include "ringside/app/convert.h"
#include "ringside/app/listing.h"
#include "ringside/app/merge.h"
#include "ringside/app/recover.h"
#include "ringside/app/runs.h"
#include "ringside/export/diff_export.h"
#include "ringside/export/export.h"
#include "ringside/ui/diff_view.h"
#include "ringside/ui/ui.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"
#include "main.h"
#include "usage.h"

int
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

int
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

int
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

int
main_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "absolute", no_argument, NULL, OPT_ABSOLUTE },
		{ "merge-threads", no_argument, NULL, OPT_MERGE_THREADS },
		{ "range-a", required_argument, NULL, OPT_RANGE_A },
		{ "range-b", required_argument, NULL, OPT_RANGE_B },
		{ "ascii", no_argument, NULL, OPT_ASCII },
		{ "file-mode", required_argument, NULL, OPT_FILE_MODE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *out = NULL, *range_a = NULL, *range_b = NULL;
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
		case OPT_RANGE_A:
			range_a = optarg;
			break;
		case OPT_RANGE_B:
			range_b = optarg;
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
		c = out ? compare_main(a, b, range_a, range_b, out, flags)
			: diff_view_main(a, b, range_a, range_b, flags, ascii);
	free(a);
	free(b);
	return c;
}

int
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

int
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
