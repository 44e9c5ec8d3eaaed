/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What ringside's command line shares between main.c (the live screen, record, view) and
 * main_files.c (the commands on files: export, diff, merge, recover, list, annotate).
 */
#ifndef RINGSIDE_MAIN_H
#define RINGSIDE_MAIN_H

#include <stddef.h>
#include <sys/types.h>

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
	OPT_OFF_CPU_KERNEL,
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
	OPT_STREAM_TEXT,
	OPT_STREAM_RUNS,
	OPT_STREAM_DETAIL,
	OPT_NICE,
	OPT_RANGE_A,
	OPT_RANGE_B
};

/* Say what is wrong with the command line on stderr; returns the exit status for bad input. */
int main_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --file-mode: octal permission bits, 0 to 0777, in *mode; returns 0 or -EINVAL. */
int main_parse_file_mode(const char *s, mode_t *mode);
/* Say that s is no --file-mode; returns the exit status for bad input. */
int main_file_mode_error(const char *s);
/* Say that --source-prefix's arg is not OLD=NEW; returns the exit status for bad input. */
int main_source_prefix_error(const char *arg);
/*
 * A snapshot argument (a file, "-", or a run of the library: @ID, @last, @TAG) as a path in
 * *path (the caller frees it); 0, or the exit status after saying why.
 */
int main_snapshot_arg(const char *arg, char **path);

/* The commands on files (main_files.c): each takes its own argv (the command first). */
int main_export(int argc, char **argv);
int main_recover(int argc, char **argv);
int main_list(int argc, char **argv);
int main_diff(int argc, char **argv);
int main_annotate(int argc, char **argv);
int main_merge(int argc, char **argv);

#endif
