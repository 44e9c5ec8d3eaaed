// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where a command launched under the live screen writes its output, since the screen owns the
 * terminal: a new file of a unique name in $TMPDIR, given to the sudo user when ringside runs under
 * sudo, named on stderr once the screen has closed (or removed if the command wrote nothing).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/app/command_log.h"
#include "ringside/perf/target.h"
#include "ringside/util/outfile.h"

int
command_log_open(char **path)
{
	const char *dir = outfile_tmpdir();
	uid_t uid;
	gid_t gid;
	int fd;

	*path = NULL;
	fd = outfile_create_unique(dir, "ringside-command-", ".log", O_APPEND, path);
	if (fd < 0) {
		fprintf(stderr,
			"ringside: cannot create a file for the command's output in %s: %s; set "
			"TMPDIR to a writable directory\n",
			dir, strerror(-fd));
		return fd;
	}
	if (target_sudo_ids(&uid, &gid) && fchown(fd, uid, gid) != 0) {
		int r = -errno;

		fprintf(stderr, "ringside: cannot give %s to the sudo user (SUDO_UID=%d): %s\n",
			*path, (int)uid, strerror(-r));
		close(fd);
		unlink(*path);
		free(*path);
		*path = NULL;
		return r;
	}
	return fd;
}

void
command_log_done(int fd, const char *path)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && st.st_size == 0)
		unlink(path);
	else
		fprintf(stderr, "ringside: the command's output is in %s\n", path);
}
