// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A launched command's output. Under the live screen (which owns the terminal) and when its run is
 * kept in the library, the command writes into two pipes, stdout and stderr apart; a relay child
 * reads both, copies each to ringside's own stdout and stderr (record: the user still sees them
 * where they would be) and keeps them, one record a line tagged with its stream, in a file of a
 * unique name in $TMPDIR, given to the sudo user when ringside runs under sudo. The command sees
 * pipes (isatty false), as under `cmd | tee`; --no-save gives it the terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ringside/app/command_log.h"
#include "ringside/perf/target.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

static const char command_log_header[] =
	"# ringside command output: o stdout, e stderr; O, E: no newline\n";

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

	if (fstat(fd, &st) == 0 && st.st_size <= (off_t)strlen(command_log_header))
		unlink(path);
	else
		fprintf(stderr,
			"ringside: the command's output is in %s (lines tagged o: stdout, e: "
			"stderr)\n",
			path);
}

/* One of the command's streams, as the relay reads it. */
struct command_log_stream {
	int in;	 /* the pipe's read end, -1 at its end */
	int out; /* ringside's own stdout or stderr */
	bool out_ok;
	char tag; /* 'o' or 'e' */
	size_t len;
	char line[COMMAND_LOG_LINE_MAX + 3];
};

/* The relay's file: its descriptor, what it has taken, and what waits to be written. */
struct command_log_sink {
	int fd;
	size_t kept;
	bool ok;
	size_t len;
	char buf[65536];
};

static void
command_log_flush(struct command_log_sink *k)
{
	if (k->ok && k->len)
		k->ok = fd_write_all(k->fd, k->buf, k->len) == 0;
	k->len = 0;
}

/* Keep s's line (its tag and a space are already at line[0..1]) as one record. */
static void
command_log_emit(struct command_log_sink *k, struct command_log_stream *s, bool newline)
{
	size_t n = s->len + 3;

	s->line[0] = newline ? s->tag : (char)(s->tag - 'a' + 'A');
	s->line[s->len + 2] = '\n';
	if (k->ok && k->kept + n <= COMMAND_LOG_MAX) {
		if (k->len + n > sizeof(k->buf))
			command_log_flush(k);
		memcpy(k->buf + k->len, s->line, n);
		k->len += n;
		k->kept += n;
	}
	s->len = 0;
}

/* Take n bytes the command wrote to s. */
static void
command_log_feed(struct command_log_sink *k, struct command_log_stream *s, const char *buf,
		 size_t n, bool relay)
{
	if (relay && s->out_ok)
		s->out_ok = fd_write_all(s->out, buf, n) == 0;
	/* Past the limit, the rest is only relayed. */
	while (n && k->ok && k->kept < COMMAND_LOG_MAX) {
		const char *nl = memchr(buf, '\n', n);
		size_t take = nl ? (size_t)(nl - buf) : n;

		if (take > COMMAND_LOG_LINE_MAX - s->len)
			take = COMMAND_LOG_LINE_MAX - s->len;
		memcpy(s->line + 2 + s->len, buf, take);
		s->len += take;
		buf += take;
		n -= take;
		if (nl && buf == nl) {
			command_log_emit(k, s, true);
			buf++;
			n--;
		} else if (s->len == COMMAND_LOG_LINE_MAX) {
			command_log_emit(k, s, false);
		}
	}
}

/* The relay's loop, until both pipes have ended. */
static void __attribute__((noreturn))
command_log_relay(int logfd, int out_rd, int err_rd, bool relay)
{
	static struct command_log_stream st[2];
	static struct command_log_sink k;
	char buf[16384];

	signal(SIGPIPE, SIG_IGN);
	st[0] = (struct command_log_stream){ .in = out_rd, .out = 1, .out_ok = true, .tag = 'o' };
	st[1] = (struct command_log_stream){ .in = err_rd, .out = 2, .out_ok = true, .tag = 'e' };
	st[0].line[1] = st[1].line[1] = ' ';
	k.fd = logfd;
	k.ok = fd_write_all(logfd, command_log_header, strlen(command_log_header)) == 0;
	k.kept = strlen(command_log_header);
	while (st[0].in >= 0 || st[1].in >= 0) {
		struct pollfd pfd[2] = { { .fd = st[0].in, .events = POLLIN },
					 { .fd = st[1].in, .events = POLLIN } };

		/* Nothing more to read at once: the file has all of it (the live pane reads it). */
		if (poll(pfd, 2, 0) == 0)
			command_log_flush(&k);
		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (st[i].in < 0 || !pfd[i].revents)
				continue;
			n = read(st[i].in, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n > 0) {
				command_log_feed(&k, &st[i], buf, (size_t)n, relay);
				continue;
			}
			if (st[i].len)
				command_log_emit(&k, &st[i], false);
			close(st[i].in);
			st[i].in = -1;
		}
	}
	command_log_flush(&k);
	_exit(0);
}

int
command_log_tee_start(int logfd, bool relay, int *out_fd, int *err_fd)
{
	int o[2], e[2];
	pid_t pid;

	*out_fd = *err_fd = -1;
	if (pipe2(o, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(e, O_CLOEXEC) < 0) {
		int r = -errno;

		close(o[0]);
		close(o[1]);
		return r;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(o[0]);
		close(o[1]);
		close(e[0]);
		close(e[1]);
		return r;
	}
	if (pid == 0) {
		close(o[1]);
		close(e[1]);
		command_log_relay(logfd, o[0], e[0], relay);
	}
	close(o[0]);
	close(e[0]);
	*out_fd = o[1];
	*err_fd = e[1];
	return (int)pid;
}

void
command_log_tee_finish(int pid, int out_fd, int err_fd)
{
	int status;

	if (out_fd >= 0)
		close(out_fd);
	if (err_fd >= 0)
		close(err_fd);
	/* EOF comes once the command and its children have closed the pipes: wait 2 s at most. */
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) != 0)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* The length of the valid UTF-8 sequence at s (n bytes left), or 0 when it is not one. */
static size_t
command_log_utf8(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80		    ? 1
		     : s[0] >= 0xc2 && s[0] <= 0xdf ? 2
		     : (s[0] & 0xf0) == 0xe0	    ? 3
		     : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
						    : 0;
	uint32_t cp;

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3) {
		cp = (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6;
		if (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	} else if (len == 4) {
		cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12;
		if (cp < 0x10000 || cp > 0x10ffff)
			return 0;
	}
	return len;
}

/* buf's invalid UTF-8 and NUL bytes made '?', in place. */
static void
command_log_sanitize(char *buf, size_t n)
{
	unsigned char *s = (unsigned char *)buf;

	for (size_t i = 0; i < n;) {
		size_t k = s[i] ? command_log_utf8(s + i, n - i) : 0;

		if (k == 0) {
			s[i++] = '?';
			continue;
		}
		i += k;
	}
}

/* The whole file (bounded by what the relay writes), NUL-terminated, or NULL. */
static char *
command_log_slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t cap = 65536, n = 0;
	char *buf;
	ssize_t r;

	if (fd < 0)
		return NULL;
	buf = xmalloc(cap + 1);
	while ((r = read(fd, buf + n, cap - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		n += (size_t)r;
		if (n == cap && cap < (size_t)COMMAND_LOG_MAX * 2 + 65536) {
			cap *= 2;
			buf = xrealloc(buf, cap + 1);
		} else if (n == cap)
			break;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* An older run's file (no header): every line a stdout record. */
static char *
command_log_tagged(const char *raw, size_t n, size_t *len)
{
	size_t lines = 1, k = 0;
	char *out;

	for (size_t i = 0; i < n; i++)
		lines += raw[i] == '\n';
	out = xmalloc(n + 3 * lines + 1);
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(raw + i, '\n', n - i);
		size_t l = nl ? (size_t)(nl - (raw + i)) : n - i;

		out[k++] = nl ? 'o' : 'O';
		out[k++] = ' ';
		memcpy(out + k, raw + i, l);
		k += l;
		out[k++] = '\n';
		i += l + (nl ? 1 : 0);
	}
	out[k] = '\0';
	*len = k;
	return out;
}

char *
command_log_load(const char *path, size_t max, size_t *dropped)
{
	size_t n = 0, start = 0;
	char *raw = path ? command_log_slurp(path, &n) : NULL, *body, *out;

	*dropped = 0;
	if (!raw)
		return NULL;
	if (n > 0 && raw[0] == '#') {
		char *nl = memchr(raw, '\n', n);

		start = nl ? (size_t)(nl - raw) + 1 : n;
		body = raw;
	} else {
		body = command_log_tagged(raw, n, &n);
		free(raw);
	}
	/* The last records, from a record's start. */
	while (n - start > max) {
		char *nl = memchr(body + start, '\n', n - start);

		start = nl ? (size_t)(nl - body) + 1 : n;
		(*dropped)++;
	}
	if (n == start) {
		free(body);
		return NULL;
	}
	out = xmalloc(n - start + 1);
	memcpy(out, body + start, n - start);
	command_log_sanitize(out, n - start);
	out[n - start] = '\0';
	free(body);
	return out;
}

bool
command_log_next(const char **pos, struct command_log_line *line)
{
	const char *p = *pos, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		if (nl - p >= 2 && strchr("oeOE", p[0]) && p[1] == ' ') {
			line->stream = (char)(p[0] | 0x20);
			line->newline = p[0] == 'o' || p[0] == 'e';
			line->text = p + 2;
			line->len = (size_t)(nl - p - 2);
			*pos = *nl ? nl + 1 : nl;
			return true;
		}
		p = *nl ? nl + 1 : nl; /* not a record: skipped */
	}
	*pos = p;
	return false;
}
