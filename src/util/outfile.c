// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Files that appear whole or not at all: a private temporary beside the destination, renamed into
 * place once complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

static mode_t outfile_mode = 0600;

void
outfile_set_mode(mode_t mode)
{
	outfile_mode = mode & 0777;
}

const char *
outfile_tmpdir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

int
outfile_open(struct outfile *of, const char *path, struct errbuf *err)
{
	const char *slash = strrchr(path, '/');
	struct stat st;
	int fd, r;

	memset(of, 0, sizeof(*of));
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		return errbuf_fail(err, -EISDIR,
				   "cannot write '%s': it is a directory; name a file", path);
	}
	if (!slash)
		of->tmp = xasprintf(".%s.XXXXXX", path);
	else
		of->tmp = xasprintf("%.*s/.%s.XXXXXX", (int)(slash - path), path, slash + 1);
	/* mkostemp opens with O_EXCL and mode 0600: a planted symlink is never followed. */
	fd = mkostemp(of->tmp, O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		errbuf_fail(err, r, "cannot write '%s': %s; choose a path in a writable directory",
			    path, strerror(-r));
		free(of->tmp);
		of->tmp = NULL;
		return r;
	}
	/* The mode asked for, exactly (fchmod ignores the umask, as the user named the bits). */
	if (outfile_mode != 0600 && fchmod(fd, outfile_mode) != 0) {
		r = -errno;
		errbuf_fail(err, r, "cannot set the mode of '%s': %s", path, strerror(-r));
		close(fd);
		unlink(of->tmp);
		free(of->tmp);
		of->tmp = NULL;
		return r;
	}
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		r = -errno;
		close(fd);
		unlink(of->tmp);
		free(of->tmp);
		of->tmp = NULL;
		return errbuf_fail(err, r, "cannot write '%s': %s", path, strerror(-r));
	}
	of->path = xstrdup(path);
	return 0;
}

int
outfile_create_unique(const char *dir, const char *prefix, const char *suffix, int extra_flags,
		      char **path)
{
	char *name = xasprintf("%s/%sXXXXXX%s", dir, prefix, suffix);
	/* mkostemps opens with O_CREAT|O_EXCL and mode 0600, trying other names on EEXIST. */
	int fd = mkostemps(name, (int)strlen(suffix), O_CLOEXEC | extra_flags);

	if (fd < 0) {
		fd = -errno;
		free(name);
		return fd;
	}
	*path = name;
	return fd;
}

int
outfile_open_unique(struct outfile *of, const char *dir, const char *prefix, const char *suffix,
		    struct errbuf *err)
{
	int fd, r;

	memset(of, 0, sizeof(*of));
	fd = outfile_create_unique(dir, prefix, suffix, 0, &of->tmp);
	if (fd < 0)
		return errbuf_fail(err, fd, "cannot create a file in '%s': %s", dir, strerror(-fd));
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		r = -errno;
		close(fd);
		outfile_abort(of);
		return errbuf_fail(err, r, "cannot write '%s': %s", dir, strerror(-r));
	}
	/* Committing renames the file onto itself, which rename(2) does without a change. */
	of->path = xstrdup(of->tmp);
	return 0;
}

int
outfile_commit(struct outfile *of, struct errbuf *err)
{
	int r = 0;

	if (fflush(of->fp) != 0 || ferror(of->fp) || fsync(fileno(of->fp)) != 0)
		r = -(errno ? errno : EIO);
	if (fclose(of->fp) != 0 && r == 0)
		r = -errno;
	of->fp = NULL;
	if (r == 0 && rename(of->tmp, of->path) != 0)
		r = -errno;
	if (r < 0) {
		errbuf_fail(
			err, r,
			"cannot write '%s': %s; nothing was written there, free space or choose "
			"another path",
			of->path, strerror(-r));
		unlink(of->tmp);
	}
	free(of->tmp);
	of->tmp = NULL;
	free(of->path);
	of->path = NULL;
	return r;
}

void
outfile_abort(struct outfile *of)
{
	if (of->fp)
		fclose(of->fp);
	if (of->tmp)
		unlink(of->tmp);
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
}
