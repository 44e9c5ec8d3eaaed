/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A launched command's output: the file that keeps it (while the live screen owns the terminal,
 * and with its run in the library), the relay that fills that file with stdout and stderr kept
 * apart, and the reading of that file's kept format.
 *
 * The kept format is text: a first line starting with '#', then one record a line, "o TEXT" for a
 * line the command wrote to stdout, "e TEXT" for one on stderr, in the order the relay read them.
 * "O TEXT" and "E TEXT" are a piece without its newline (the command ended mid-line, or wrote a
 * line longer than COMMAND_LOG_LINE_MAX): the record's own newline is then not the command's.
 */
#ifndef RINGSIDE_APP_COMMAND_LOG_H
#define RINGSIDE_APP_COMMAND_LOG_H

#include <stdbool.h>
#include <stddef.h>

enum {
	COMMAND_LOG_MAX = 16 << 20,   /* bytes of the command's output the file keeps */
	COMMAND_LOG_LINE_MAX = 4096,  /* longer lines are kept in pieces of this size */
	COMMAND_LOG_SNAPSHOT = 65536, /* bytes of records (the last ones) a snapshot keeps */
};

/* One record of the kept format. */
struct command_log_line {
	char stream;	  /* 'o' stdout, 'e' stderr */
	bool newline;	  /* the command ended this piece with a newline */
	const char *text; /* not NUL-terminated; the command's bytes, escapes and all */
	size_t len;
};

/*
 * Create a new file of a unique name in $TMPDIR (never a planted one), the sudo user's when
 * ringside runs under sudo, so that they can read their command's output. Returns its descriptor,
 * open for appending, with its name in *path (the caller's to free), or -errno after saying why on
 * stderr (*path is then NULL).
 */
int command_log_open(char **path);
/* Name the file on stderr once the screen is closed, or remove it if it is empty; fd stays open. */
void command_log_done(int fd, const char *path);
/*
 * Start the relay: a child reading two pipes, the command's stdout (*out_fd) and stderr (*err_fd),
 * copying each to ringside's own stdout and stderr when relay is true, and to logfd in the kept
 * format (its first COMMAND_LOG_MAX bytes). Returns the child's pid, or -errno.
 */
int command_log_tee_start(int logfd, bool relay, int *out_fd, int *err_fd);
/* Close both write ends and wait for the relay to copy the rest (2 s at most, then it is killed).
 */
void command_log_tee_finish(int pid, int out_fd, int err_fd);
/*
 * The last records of a kept-format file, at most max bytes of them, without the header line and
 * with invalid UTF-8 and NUL bytes made '?' (so that JSON can hold them); *dropped counts the
 * records left out before them. A file without the header (an older run's) is all stdout.
 * Returns a string (the caller's), or NULL when the file is missing or holds nothing.
 */
char *command_log_load(const char *path, size_t max, size_t *dropped);
/* The record at *pos of kept-format text (no header), *pos moved past it; false at its end. */
bool command_log_next(const char **pos, struct command_log_line *line);

#endif
