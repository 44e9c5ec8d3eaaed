/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Output files that appear whole or not at all: the data goes to a fresh temporary file beside the
 * destination (created with O_EXCL, mode 0600 unless outfile_set_mode says otherwise, so a planted
 * symlink is never followed), which is
 * renamed over the destination only when everything was written. Opening early tells the user at
 * once that a path is unwritable, before anything is recorded.
 *
 * The temporary of DIR/NAME is DIR/.ringside.NAME.XXXXXX, locked with flock while its process
 * lives. It never outlives a way out that runs code: commit and abort remove it, and so do an exit
 * handler and, for SIGTERM, SIGHUP, SIGINT, SIGQUIT and the fatal signals still at their default
 * action, a signal handler installed by the first outfile_open. One left by kill -9 is removed by
 * the next outfile_open of the same destination (outfile_sweep).
 */
#ifndef RINGSIDE_UTIL_OUTFILE_H
#define RINGSIDE_UTIL_OUTFILE_H

#include <stdio.h>
#include <sys/types.h>

#include "ringside/util/errbuf.h"

struct outfile {
	char *path; /* destination */
	char *tmp;  /* temporary name, NULL once committed or aborted */
	FILE *fp;
};

/*
 * The permission bits that outfile_open's files get (default 0600, owner only; --file-mode). Files
 * of unique names (outfile_create_unique, outfile_open_unique) are always 0600.
 */
void outfile_set_mode(mode_t mode);
/* The directory for files of our own making: $TMPDIR when set and not empty, else /tmp. */
const char *outfile_tmpdir(void);
/*
 * Create the temporary file for path, after removing the ones of dead owners (outfile_sweep).
 * Returns 0, or -errno with a message naming path in err.
 */
int outfile_open(struct outfile *of, const char *path, struct errbuf *err);
/*
 * Create a new file of a unique name, DIR/PREFIX<6 random characters>SUFFIX, with O_EXCL, mode
 * 0600 and close-on-exec (a planted symlink is never followed, an existing file never reused);
 * extra_flags may add O_APPEND. Returns the descriptor with the name in *path (the caller's), or
 * -errno.
 */
int outfile_create_unique(const char *dir, const char *prefix, const char *suffix, int extra_flags,
			  char **path);
/*
 * Like outfile_open, but for a destination of a unique name that outfile_create_unique chooses in
 * dir (of->path tells which): the data goes to that new file directly. Returns 0, or -errno with
 * a message naming dir in err.
 */
int outfile_open_unique(struct outfile *of, const char *dir, const char *prefix, const char *suffix,
			struct errbuf *err);
/* Flush, fsync and rename into place. On failure the temporary is removed; -errno and err. */
int outfile_commit(struct outfile *of, struct errbuf *err);
/* Remove the temporary file (if still there) and free everything; of may be zeroed. */
void outfile_abort(struct outfile *of);
/*
 * Remove path's temporaries (.ringside.NAME.XXXXXX beside it) that are regular files of this user
 * whose lock nobody holds: their owner ended without removing them. Other files are never touched.
 */
void outfile_sweep(const char *path);
/*
 * Remove this process's temporaries not yet committed or aborted; async-signal-safe, for fatal
 * signal handlers (the outfile's own handlers and exit handler call it already).
 */
void outfile_remove_pending(void);
/*
 * Write all n bytes of buf to fd, again after a short write or EINTR. Returns 0, or -errno
 * (-EIO when write wrote nothing).
 */
int fd_write_all(int fd, const void *buf, size_t n);

#endif
