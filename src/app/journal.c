// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal beside a recording's output (ringside/app/journal.h): naming, finding those of
 * unclean ends, appending an interval (fsync'd by a thread of its own), removing it after a clean
 * end, and reading one back for recover, view and export.
 *
 * Why a thread: an fsync waits on the disk, for 75 ms here beside `perf record` writing its
 * perf.data, and for as long as the disk likes elsewhere. The recording's one thread drains the
 * rings; waiting there, a 4 MiB ring that a switch storm fills at 15 MB/s overflows and records
 * are lost. The write itself goes to the page cache, so a killed or crashed ringside loses nothing
 * written; only the kernel's own end (power loss) can take the interval whose fsync was under way.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/app/journal.h"
#include "ringside/export/snapshot.h"
#include "ringside/util/infile.h"
#include "ringside/util/xalloc.h"

struct journal {
	char *path;
	FILE *fp;
	int fd; /* fp's */
	struct stream_writer *w;
	bool headed;
	/* the fsync thread: asked and done count appends, under lock; err is its first failure */
	bool syncing;
	pthread_t sync_thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	uint64_t asked, done;
	int sync_err;
	bool stop;
};

/* fsync each append as it is asked (several at once when they come faster than the disk). */
static void *
journal_sync_main(void *arg)
{
	struct journal *j = arg;

	pthread_mutex_lock(&j->lock);
	for (;;) {
		uint64_t asked;
		int r;

		while (j->done == j->asked && !j->stop)
			pthread_cond_wait(&j->wake, &j->lock);
		if (j->done == j->asked)
			break;
		asked = j->asked;
		pthread_mutex_unlock(&j->lock);
		r = fdatasync(j->fd) == 0 ? 0 : errno ? errno : EIO;
		pthread_mutex_lock(&j->lock);
		j->done = asked;
		if (r && !j->sync_err)
			j->sync_err = r;
	}
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

/* Stop the fsync thread once its last fsync is done. */
static void
journal_sync_stop(struct journal *j)
{
	if (!j->syncing)
		return;
	pthread_mutex_lock(&j->lock);
	j->stop = true;
	pthread_cond_signal(&j->wake);
	pthread_mutex_unlock(&j->lock);
	pthread_join(j->sync_thread, NULL);
	pthread_cond_destroy(&j->wake);
	pthread_mutex_destroy(&j->lock);
	j->syncing = false;
}

/* The output's directory and base name (both the caller's). */
static void
journal_split(const char *output, char **dir, char **base)
{
	char *a = xstrdup(output), *b = xstrdup(output);

	*dir = xstrdup(dirname(a));
	*base = xstrdup(basename(b));
	free(a);
	free(b);
}

/* True when name is .BASE.journal or .BASE.N.journal (N a number from 2). */
static bool
journal_name_matches(const char *name, const char *base)
{
	size_t nb = strlen(base), n = strlen(name);
	const char *mid;

	if (n < nb + 9 || name[0] != '.' || strncmp(name + 1, base, nb) != 0 ||
	    strcmp(name + n - 8, ".journal") != 0)
		return false;
	mid = name + 1 + nb; /* ".journal" or ".N.journal" */
	if (mid == name + n - 8)
		return true;
	if (*mid != '.' || mid + 1 >= name + n - 8)
		return false;
	for (const char *c = mid + 1; c < name + n - 8; c++)
		if (*c < '0' || *c > '9')
			return false;
	return true;
}

/* True when nobody holds the journal's lock: its recording has ended. */
static bool
journal_orphan(const char *path)
{
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	bool orphan = false;

	if (fd < 0)
		return false;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && flock(fd, LOCK_EX | LOCK_NB) == 0)
		orphan = true;
	close(fd);
	return orphan;
}

bool
journal_in_use(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	bool busy;

	if (fd < 0)
		return false;
	busy = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return busy;
}

size_t
journal_find(const char *output, char **first)
{
	char *dir, *base;
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	*first = NULL;
	journal_split(output, &dir, &base);
	d = opendir(dir);
	while (d && (e = readdir(d))) {
		char *path;

		if (!journal_name_matches(e->d_name, base))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (journal_orphan(path) && n++ == 0)
			*first = path;
		else
			free(path);
	}
	if (d)
		closedir(d);
	free(dir);
	free(base);
	return n;
}

int
journal_open(struct journal **out, const char *output, struct errbuf *err)
{
	char *dir, *base, *path = NULL;
	int fd = -1, e = 0;

	journal_split(output, &dir, &base);
	for (unsigned i = 1; i < 1000 && fd < 0; i++) {
		free(path);
		path = i == 1 ? xasprintf("%s/.%s.journal", dir, base)
			      : xasprintf("%s/.%s.%u.journal", dir, base, i);
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		e = errno;
		if (fd < 0 && e != EEXIST)
			break;
	}
	free(dir);
	free(base);
	if (fd < 0) {
		errbuf_fail(err, -e, "cannot create the journal '%s': %s", path, strerror(e));
		free(path);
		return -e;
	}
	flock(fd, LOCK_EX | LOCK_NB);
	*out = xcalloc(1, sizeof(**out));
	(*out)->path = path;
	(*out)->fp = fdopen(fd, "w");
	(*out)->fd = fd;
	(*out)->w = stream_writer_new((*out)->fp);
	pthread_mutex_init(&(*out)->lock, NULL);
	pthread_cond_init(&(*out)->wake, NULL);
	(*out)->syncing = pthread_create(&(*out)->sync_thread, NULL, journal_sync_main, *out) == 0;
	if (!(*out)->syncing) {
		/* no thread: each append is fsync'd in place, as it waits */
		pthread_cond_destroy(&(*out)->wake);
		pthread_mutex_destroy(&(*out)->lock);
	}
	return 0;
}

const char *
journal_path(const struct journal *j)
{
	return j->path;
}

int
journal_append(struct journal *j, const struct profile *p, uint64_t duration_ns, struct errbuf *err)
{
	int r = 0;

	if (!j->w)
		return 0; /* at rest: the recording ended */
	if (!j->headed) {
		r = stream_write_header(j->w, p, err);
		j->headed = true;
	}
	if (r == 0)
		r = stream_write_interval(j->w, p, duration_ns, err);
	if (r < 0) {
		/* The stream's words ("cannot write the stream: CAUSE") do not name the file. */
		const char *cause = strstr(err->msg, ": ");
		char *why = xstrdup(cause ? cause + 2 : strerror(EIO));

		errbuf_reword(err, "cannot write the journal '%s': %s", j->path, why);
		free(why);
		return r;
	}
	if (fflush(j->fp) != 0 || (!j->syncing && fdatasync(j->fd) != 0)) {
		int e = errno ? errno : EIO;

		return errbuf_fail(err, -e, "cannot write the journal '%s': %s", j->path,
				   strerror(e));
	}
	if (j->syncing) {
		int e;

		pthread_mutex_lock(&j->lock);
		e = j->sync_err;
		j->asked++;
		pthread_cond_signal(&j->wake);
		pthread_mutex_unlock(&j->lock);
		/* an earlier append's fsync failed: said now, as a failed write would be */
		if (e)
			return errbuf_fail(err, -e, "cannot write the journal '%s': %s", j->path,
					   strerror(e));
	}
	return 0;
}

size_t
journal_memory(const struct journal *j, size_t *sched)
{
	if (sched)
		*sched = j ? stream_writer_sched_memory(j->w) : 0;
	return j ? stream_writer_memory(j->w) : 0;
}

void
journal_rest(struct journal *j)
{
	if (!j || !j->w)
		return;
	stream_writer_free(j->w);
	j->w = NULL;
	/* the last interval is on disk before the snapshot is written, as recover may need it */
	journal_sync_stop(j);
}

void
journal_close(struct journal *j, bool remove)
{
	if (!j)
		return;
	/* Unlinked before it is closed: the lock holds until the file is gone. */
	if (remove || !j->headed)
		unlink(j->path);
	journal_sync_stop(j);
	stream_writer_free(j->w);
	fclose(j->fp);
	free(j->path);
	free(j);
}

char *
journal_output_of(const char *path)
{
	char *dir, *base, *out = NULL;
	size_t n;

	journal_split(path, &dir, &base);
	n = strlen(base);
	if (n > 9 && base[0] == '.' && strcmp(base + n - 8, ".journal") == 0) {
		char *name = xstrndup(base + 1, n - 9), *dot = strrchr(name, '.');

		/* .NAME.N.journal: drop the .N */
		if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1))
			*dot = '\0';
		if (*name)
			out = xasprintf("%s/%s", dir, name);
		free(name);
	}
	free(dir);
	free(base);
	return out;
}

int
journal_load(const char *path, struct profile **out, struct stream_stats *st, struct errbuf *err)
{
	struct stat sb = { 0 };
	/* Non-blocking: a FIFO without a writer is refused, not waited for. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	FILE *fp;
	int r;

	if (fd < 0) {
		int e = errno;

		return errbuf_fail_as(err, ERRBUF_INPUT, -e, "cannot open '%s': %s", path,
				      strerror(e));
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return errbuf_fail_as(err, ERRBUF_INPUT, -ESPIPE,
				      "'%s' is %s, not a journal file; give the journal's path",
				      path, infile_kind(sb.st_mode));
	}
	fp = fdopen(fd, "r");
	if (!fp) {
		close(fd);
		return errbuf_fail(err, -ENOMEM, "cannot read '%s': out of memory", path);
	}
	r = stream_read(fp, path, out, st, err);
	fclose(fp);
	if (r < 0)
		errbuf_recode(err, ERRBUF_INPUT, r);
	return r;
}

/*
 * The stream on stdin ('-'): a pipe, socket or file, never a terminal. A stream cut short (no end
 * line: its sender was stopped, or the connection dropped) keeps what arrived, said in one line.
 */
static int
journal_load_stdin(struct profile **out, struct errbuf *err)
{
	struct stream_stats st;
	FILE *fp;
	int fd, r;

	if (isatty(STDIN_FILENO))
		return errbuf_fail_as(err, ERRBUF_INPUT, -EINVAL,
				      "stdin is a terminal: '-' reads a stream piped in, e.g. ssh "
				      "HOST ringside record --stream -o - | ringside view -");
	fd = dup(STDIN_FILENO);
	fp = fd >= 0 ? fdopen(fd, "r") : NULL;
	if (!fp) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return errbuf_fail(err, -e, "cannot read stdin: %s", strerror(e));
	}
	r = stream_read(fp, "stdin", out, &st, err);
	fclose(fp);
	if (r < 0) {
		errbuf_recode(err, ERRBUF_INPUT, r);
		return r;
	}
	if (st.ended)
		return 0;
	fprintf(stderr,
		"ringside: the stream on stdin stopped after %zu interval%s (%.2f s) without its "
		"end line (its sender was stopped or the connection dropped); kept what arrived\n",
		st.intervals, st.intervals == 1 ? "" : "s", (double)st.duration_ns / 1e9);
	return 1;
}

int
journal_load_any(const char *path, struct profile **out, struct errbuf *err)
{
	char head[4096] = "";
	struct stream_stats st;
	struct stat sb;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	ssize_t n = 0;

	if (strcmp(path, "-") == 0)
		return journal_load_stdin(out, err);
	/* Only a regular file is looked into; the snapshot reader words every refusal. */
	if (fd >= 0 && fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		n = read(fd, head, sizeof(head));
	if (fd >= 0)
		close(fd);
	if (n < 0)
		n = 0;
	/* A journal, or a stream saved to a file (text or compressed). */
	if (stream_sniff(head, (size_t)n) || stream_sniff_gz(head, (size_t)n))
		return journal_load(path, out, &st, err);
	return snapshot_load(path, out, err);
}
