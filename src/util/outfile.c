// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Files that appear whole or not at all: a private temporary beside the destination, renamed into
 * place once complete. The temporary, .ringside.NAME.XXXXXX, is locked (flock) while it is ours:
 * every way out that runs code removes it (commit, abort, exit, a stop or fatal signal), and the
 * next outfile_open of the same destination removes one whose owner died without a word (kill -9),
 * which it can tell by the lock being free.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

static mode_t outfile_mode = 0600;

/* What precedes the destination's name in its temporary's, and what follows (mkostemp's). */
#define OUTFILE_TMP_PREFIX ".ringside."
#define OUTFILE_TMP_RANDOM "XXXXXX"

/*
 * The temporaries of this process not yet committed or aborted, in static storage so that a
 * signal handler or an exit handler can remove them with unlink alone (async-signal-safe). A
 * forked child inherits the table but not the ownership: owner is the PID that created it.
 */
#define OUTFILE_PENDING_MAX 4
static struct {
	volatile sig_atomic_t used;
	pid_t owner;
	char path[PATH_MAX];
} outfile_pending[OUTFILE_PENDING_MAX];

void
outfile_remove_pending(void)
{
	pid_t self = getpid();

	for (size_t i = 0; i < OUTFILE_PENDING_MAX; i++) {
		if (outfile_pending[i].used && outfile_pending[i].owner == self)
			unlink(outfile_pending[i].path);
	}
}

static void
outfile_atexit(void)
{
	outfile_remove_pending();
}

/* A stop or fatal signal while a temporary is pending: remove it, then die of the signal. */
static void
outfile_on_signal(int sig)
{
	outfile_remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Once per process: the exit handler, and the signal handler for every signal still at its default
 * action (an ignored one stays ignored, another's handler stays; signals blocked for a signalfd
 * never reach it).
 */
static void
outfile_install_handlers(void)
{
	static const int sigs[] = { SIGTERM, SIGHUP, SIGINT, SIGQUIT, SIGSEGV,
				    SIGBUS,  SIGFPE, SIGILL, SIGABRT };
	static pid_t installed;
	struct sigaction sa, old;

	if (installed == getpid())
		return;
	if (!installed)
		atexit(outfile_atexit);
	installed = getpid();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = outfile_on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_DFL &&
		    !(old.sa_flags & SA_SIGINFO))
			sigaction(sigs[i], &sa, NULL);
	}
}

/* Remember tmp as this process's pending temporary (not when the table is full or tmp too long). */
static void
outfile_pending_add(const char *tmp)
{
	size_t len = strlen(tmp);

	outfile_install_handlers();
	if (len >= PATH_MAX)
		return;
	for (size_t i = 0; i < OUTFILE_PENDING_MAX; i++) {
		if (!outfile_pending[i].used) {
			memcpy(outfile_pending[i].path, tmp, len + 1);
			outfile_pending[i].owner = getpid();
			/* The path is whole before a handler can see the slot in use. */
			atomic_signal_fence(memory_order_seq_cst);
			outfile_pending[i].used = 1;
			return;
		}
	}
}

/* Forget tmp: it was renamed or removed. */
static void
outfile_pending_drop(const char *tmp)
{
	for (size_t i = 0; i < OUTFILE_PENDING_MAX; i++) {
		if (outfile_pending[i].used && !strcmp(outfile_pending[i].path, tmp))
			outfile_pending[i].used = 0;
	}
}

/* Whether name is a temporary of ours for the destination base: .ringside.BASE.XXXXXX. */
static bool
outfile_is_tmp_of(const char *name, const char *base)
{
	size_t plen = strlen(OUTFILE_TMP_PREFIX), blen = strlen(base);
	const char *r;

	if (strncmp(name, OUTFILE_TMP_PREFIX, plen) || strncmp(name + plen, base, blen) ||
	    name[plen + blen] != '.')
		return false;
	r = name + plen + blen + 1;
	if (strlen(r) != strlen(OUTFILE_TMP_RANDOM))
		return false;
	for (; *r; r++) {
		if (!((*r >= 'a' && *r <= 'z') || (*r >= 'A' && *r <= 'Z') ||
		      (*r >= '0' && *r <= '9')))
			return false;
	}
	return true;
}

/*
 * Remove the temporary name in dfd if it is a regular file of ours whose lock nobody holds: its
 * owner ended without removing it. The lock taken here keeps a live owner's file (it holds the
 * lock) and makes a new owner that just created it see the name gone and choose another.
 */
static void
outfile_sweep_one(int dfd, const char *name)
{
	struct stat st, again;
	int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
	    flock(fd, LOCK_EX | LOCK_NB) == 0 &&
	    fstatat(dfd, name, &again, AT_SYMLINK_NOFOLLOW) == 0 && again.st_dev == st.st_dev &&
	    again.st_ino == st.st_ino)
		unlinkat(dfd, name, 0);
	close(fd);
}

void
outfile_sweep(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	char *dir = slash ? xasprintf("%.*s", (int)(slash - path), path) : xstrdup(".");
	DIR *d = opendir(*dir ? dir : "/");
	struct dirent *de;

	free(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (outfile_is_tmp_of(de->d_name, base))
			outfile_sweep_one(dirfd(d), de->d_name);
	}
	closedir(d);
}

/*
 * Create and lock the temporary for path in of->tmp. The lock marks it as live for outfile_sweep;
 * if a sweep removed it between its creation and the lock, another name is tried. A file system
 * without flock gets no lock, and a sweep there removes nothing either.
 */
static int
outfile_create_tmp(struct outfile *of, const char *path)
{
	const char *slash = strrchr(path, '/');
	struct stat st, named;

	for (int tries = 0;; tries++) {
		if (!slash)
			of->tmp = xasprintf(OUTFILE_TMP_PREFIX "%s." OUTFILE_TMP_RANDOM, path);
		else
			of->tmp = xasprintf("%.*s/" OUTFILE_TMP_PREFIX "%s." OUTFILE_TMP_RANDOM,
					    (int)(slash - path), path, slash + 1);
		/* mkostemp opens with O_EXCL and mode 0600: a planted symlink is never followed. */
		int fd = mkostemp(of->tmp, O_CLOEXEC);
		if (fd < 0) {
			int r = -errno;
			free(of->tmp);
			of->tmp = NULL;
			return r;
		}
		if (flock(fd, LOCK_EX) != 0 || tries >= 8 ||
		    (fstat(fd, &st) == 0 && stat(of->tmp, &named) == 0 &&
		     st.st_dev == named.st_dev && st.st_ino == named.st_ino)) {
			outfile_pending_add(of->tmp);
			return fd;
		}
		close(fd);
		free(of->tmp);
		of->tmp = NULL;
	}
}

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
	struct stat st;
	int fd, r;

	memset(of, 0, sizeof(*of));
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		return errbuf_fail(err, -EISDIR,
				   "cannot write '%s': it is a directory; name a file", path);
	}
	outfile_sweep(path);
	fd = outfile_create_tmp(of, path);
	if (fd < 0) {
		errbuf_fail(err, fd, "cannot write '%s': %s; choose a path in a writable directory",
			    path, strerror(-fd));
		return fd;
	}
	/* The mode asked for, exactly (fchmod ignores the umask, as the user named the bits). */
	if (outfile_mode != 0600 && fchmod(fd, outfile_mode) != 0) {
		r = -errno;
		errbuf_fail(err, r, "cannot set the mode of '%s': %s", path, strerror(-r));
		close(fd);
		outfile_abort(of);
		return r;
	}
	of->fp = fdopen(fd, "w");
	if (!of->fp) {
		r = -errno;
		close(fd);
		outfile_abort(of);
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
	/* A second descriptor keeps the lock from the close until the rename (outfile_sweep). */
	int keep = dup(fileno(of->fp));
	int r = 0;

	if (fflush(of->fp) != 0 || ferror(of->fp) || fsync(fileno(of->fp)) != 0)
		r = -(errno ? errno : EIO);
	if (fclose(of->fp) != 0 && r == 0)
		r = -errno;
	of->fp = NULL;
	if (r == 0 && rename(of->tmp, of->path) != 0)
		r = -errno;
	if (keep >= 0)
		close(keep);
	if (r == 0)
		outfile_pending_drop(of->tmp);
	if (r < 0) {
		errbuf_fail(
			err, r,
			"cannot write '%s': %s; nothing was written there, free space or choose "
			"another path",
			of->path, strerror(-r));
		unlink(of->tmp);
		outfile_pending_drop(of->tmp);
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
	if (of->tmp) {
		unlink(of->tmp);
		outfile_pending_drop(of->tmp);
	}
	free(of->tmp);
	free(of->path);
	memset(of, 0, sizeof(*of));
}

int
fd_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
