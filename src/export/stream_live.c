// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream read while it arrives (`view -`): the bytes are kept, whole lines are scanned for the
 * header, commit ("i") and end lines, and a rebuild runs stream_read over the bytes up to the
 * last of them (or, when lines past the last commit have waited 2 s, over every whole line, so a
 * corrupt one is named while the sender still holds the connection). Rebuilding from the start
 * keeps one reader with one set of checks; its cost grows with the stream, so the next rebuild
 * waits four times the last one's duration. A compressed stream (its first byte gzip's) is
 * inflated as it arrives and the text kept, so everything else reads the text form.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/export/stream_live.h"
#include "ringside/util/clock.h"
#include "ringside/util/xalloc.h"

#include "stream_internal.h"

struct stream_live {
	char *name;
	char *buf;
	size_t len, cap;
	size_t line_start; /* where the line being received starts */
	size_t lines;	   /* whole lines received */
	size_t committed;  /* bytes up to the end of the last header, commit or end line */
	size_t built;	   /* bytes the last rebuild read */
	bool eof, built_eof;
	bool form_known;	 /* the first byte was read: text or compressed */
	struct stream_gz_in *gz; /* the compressed form's inflater, or NULL */
	char *raw;		 /* the compressed form: the bytes read, before inflating */
	uint64_t next_ns;	 /* no rebuild before this */
	uint64_t stall_ns;	 /* when whole lines past the last commit first waited, or 0 */
};

/*
 * Whole lines past the last commit that wait this long are read too, so that a corrupt line is
 * found while its sender still holds the connection open (an interval is written at once).
 */
#define STREAM_LIVE_STALL_NS 2000000000ull

struct stream_live *
stream_live_new(const char *name)
{
	struct stream_live *l = xcalloc(1, sizeof(*l));

	l->name = xstrdup(name);
	return l;
}

void
stream_live_free(struct stream_live *l)
{
	if (!l)
		return;
	free(l->name);
	free(l->buf);
	free(l->raw);
	stream_gz_in_free(l->gz);
	free(l);
}

/* Whole lines in buf[from, len): note header, commit and end lines. */
static int
stream_live_scan(struct stream_live *l, size_t from, struct errbuf *err)
{
	for (size_t i = from; i < l->len; i++) {
		const char *line = l->buf + l->line_start;

		if (l->buf[i] != '\n')
			continue;
		l->lines++;
		if (l->lines == 1 || strncmp(line, "i ", 2) == 0 || strncmp(line, "end ", 4) == 0) {
			l->committed = i + 1;
			l->stall_ns = 0;
		} else if (!l->stall_ns) {
			l->stall_ns = clock_now_ns();
		}
		l->line_start = i + 1;
	}
	if (l->len - l->line_start > STREAM_MAX_LINE + 1)
		return errbuf_fail(err, -EINVAL, "'%s' line %zu is longer than %zu bytes", l->name,
				   l->lines + 1, STREAM_MAX_LINE);
	return 0;
}

#define STREAM_LIVE_RAW 65536

/*
 * n bytes read into the buffer's end (at from): on the first, tell the form; a compressed stream's
 * bytes are inflated in their place. Returns 0 or -EINVAL (corrupt compressed data) with err.
 */
static int
stream_live_take(struct stream_live *l, size_t from, size_t n, struct errbuf *err)
{
	if (!l->form_known && n > 0) {
		l->form_known = true;
		if (stream_gz_sniff(l->buf + from, n)) {
			l->gz = stream_gz_inflater();
			l->raw = xmalloc(STREAM_LIVE_RAW);
		}
	}
	if (!l->gz) {
		l->len += n;
		return 0;
	}
	/* The bytes read are at most STREAM_LIVE_RAW (see stream_live_read). */
	memcpy(l->raw, l->buf + from, n);
	if (stream_gz_feed(l->gz, l->raw, n, &l->buf, &l->len, &l->cap) < 0 &&
	    stream_live_scan(l, from, err) == 0)
		return errbuf_fail(
			err, -EINVAL,
			"'%s' line %zu is corrupt: the compressed stream is damaged there "
			"(%s)",
			l->name, l->lines + 1, stream_gz_error(l->gz));
	return stream_gz_error(l->gz) ? -EINVAL : 0;
}

int
stream_live_read(struct stream_live *l, int fd, struct errbuf *err)
{
	for (int rounds = 0; rounds < 64 && !l->eof; rounds++) {
		size_t from = l->len, want;
		ssize_t n;

		if (l->cap - l->len < 65536) {
			l->cap = l->cap ? l->cap * 2 : 1 << 20;
			l->buf = xrealloc(l->buf, l->cap);
		}
		want = l->gz || !l->form_known ? STREAM_LIVE_RAW : l->cap - l->len;
		n = read(fd, l->buf + l->len, want);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errbuf_fail(err, -EIO, "cannot read '%s': %s", l->name,
					   strerror(errno));
		l->eof = n == 0;
		if (stream_live_take(l, from, (size_t)n, err) < 0)
			return -EINVAL;
		if (stream_live_scan(l, from, err) < 0)
			return -EINVAL;
	}
	return 0;
}

bool
stream_live_eof(const struct stream_live *l)
{
	return l->eof;
}

bool
stream_live_started(const struct stream_live *l)
{
	return l->lines > 0;
}

uint64_t
stream_live_due(const struct stream_live *l)
{
	uint64_t stalled = l->stall_ns + STREAM_LIVE_STALL_NS;

	if (l->committed > l->built || (l->eof && !l->built_eof))
		return l->next_ns;
	if (l->stall_ns && l->line_start > l->built)
		return stalled > l->next_ns ? stalled : l->next_ns;
	return UINT64_MAX;
}

int
stream_live_build(struct stream_live *l, struct profile **out, struct stream_stats *st,
		  struct errbuf *err)
{
	uint64_t t0 = clock_now_ns(), t1;
	size_t len = l->eof ? l->len : l->committed;
	FILE *fp;
	int rc;

	*out = NULL;
	if (!l->eof && l->stall_ns && t0 >= l->stall_ns + STREAM_LIVE_STALL_NS) {
		len = l->line_start; /* the open interval's lines too: checked, not applied */
		l->stall_ns = t0;    /* and again only after as long */
	}
	if (len == 0)
		return errbuf_fail(err, -EINVAL,
				   "'%s' has no whole header line (empty or cut short)", l->name);
	fp = fmemopen(l->buf, len, "r");
	if (!fp)
		return errbuf_fail(err, -EIO, "cannot read '%s': %s", l->name, strerror(errno));
	rc = stream_read(fp, l->name, out, st, err);
	fclose(fp);
	t1 = clock_now_ns();
	l->built = len;
	l->built_eof = l->eof;
	l->next_ns = t1 + 4 * (t1 - t0);
	return rc;
}
