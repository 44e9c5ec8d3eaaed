// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream's compressed form (man/ringside-stream.5, version 3): the same lines, gzip-compressed
 * (RFC 1952, zlib's deflate) with a sync flush after the header and after every interval, so the
 * other end of a pipe or of ssh can decompress each interval as soon as it arrives. The writer is
 * a stdio stream whose bytes are deflated into the real output; the readers are a stdio stream
 * that inflates another (for stream_read) and an incremental inflater that appends to a buffer
 * (for view -'s live reader). A compressed stream cut short ends where its bytes end, as a text
 * stream cut short does; corrupt compressed data is an error of its own. stream_read is here: it
 * tells the two forms apart by the first byte.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ringside/export/stream.h"
#include "ringside/util/xalloc.h"

#include "stream_internal.h"

/* deflate's and inflate's window bits for the gzip wrapper. */
#define STREAM_GZ_BITS (15 + 16)
#define STREAM_GZ_BUF  65536

struct stream_gz {
	z_stream z;
	FILE *out; /* borrowed */
	unsigned char buf[STREAM_GZ_BUF];
	bool failed, finished;
};

bool
stream_gz_sniff(const void *buf, size_t len)
{
	const unsigned char *b = buf;

	return len >= 1 && b[0] == 0x1f && (len < 2 || b[1] == 0x8b);
}

/* Deflate what z holds with flush; the output to z->out. Returns 0 or -1 (a write failed). */
static int
stream_gz_deflate(struct stream_gz *z, int flush)
{
	do {
		size_t n;

		z->z.next_out = z->buf;
		z->z.avail_out = sizeof(z->buf);
		if (deflate(&z->z, flush) == Z_STREAM_ERROR)
			z->failed = true;
		n = sizeof(z->buf) - z->z.avail_out;
		if (n && fwrite(z->buf, 1, n, z->out) != n)
			z->failed = true;
	} while (!z->failed && z->z.avail_out == 0);
	if (z->failed && !errno)
		errno = EIO;
	return z->failed ? -1 : 0;
}

static ssize_t
stream_gz_write(void *cookie, const char *buf, size_t size)
{
	struct stream_gz *z = cookie;

	if (z->failed || z->finished) {
		errno = EIO;
		return -1;
	}
	z->z.next_in = (Bytef *)(uintptr_t)buf;
	z->z.avail_in = (uInt)size;
	if (stream_gz_deflate(z, Z_NO_FLUSH) < 0)
		return -1;
	return (ssize_t)size;
}

static int
stream_gz_close(void *cookie)
{
	struct stream_gz *z = cookie;

	deflateEnd(&z->z);
	free(z);
	return 0;
}

FILE *
stream_gz_writer(FILE *out, struct stream_gz **zp)
{
	static const cookie_io_functions_t io = { .write = stream_gz_write,
						  .close = stream_gz_close };
	struct stream_gz *z = xcalloc(1, sizeof(*z));
	FILE *fp;

	z->out = out;
	/*
	 * The best level, the most memory for matches (a few hundred KiB) and Z_FILTERED (fewer
	 * short matches, more literals coded by frequency): the lines are mostly decimal numbers,
	 * and a second of them is a few kB, so this costs nothing seen and takes 6 % off the bytes
	 * sent (tests/bench/stream.sh).
	 */
	if (deflateInit2(&z->z, Z_BEST_COMPRESSION, Z_DEFLATED, STREAM_GZ_BITS, 9, Z_FILTERED) !=
	    Z_OK) {
		free(z);
		return NULL;
	}
	fp = fopencookie(z, "w", io);
	if (!fp) {
		stream_gz_close(z);
		return NULL;
	}
	*zp = z;
	return fp;
}

int
stream_gz_sync(FILE *fp, struct stream_gz *z, bool finish)
{
	if (fflush(fp) != 0 || z->failed || z->finished)
		return -1;
	z->z.next_in = NULL;
	z->z.avail_in = 0;
	if (stream_gz_deflate(z, finish ? Z_FINISH : Z_SYNC_FLUSH) < 0)
		return -1;
	z->finished = finish;
	return 0;
}

/* The inflating side: a FILE over another (stream_read) or a buffer fed (stream_live). */
struct stream_gz_in {
	z_stream z;
	FILE *in; /* borrowed; NULL when fed */
	unsigned char buf[STREAM_GZ_BUF];
	bool ended;	   /* the compressed stream's end was read: what follows is ignored */
	const char *error; /* corrupt compressed data: zlib's word for it */
};

static struct stream_gz_in *
stream_gz_in_new(FILE *in)
{
	struct stream_gz_in *g = xcalloc(1, sizeof(*g));

	g->in = in;
	if (inflateInit2(&g->z, STREAM_GZ_BITS) != Z_OK) {
		free(g);
		return NULL;
	}
	return g;
}

void
stream_gz_in_free(struct stream_gz_in *g)
{
	if (!g)
		return;
	inflateEnd(&g->z);
	free(g);
}

/* Inflate what z holds into out (cap bytes): the bytes made, or -1 (corrupt, g->error set). */
static ssize_t
stream_gz_in_step(struct stream_gz_in *g, void *out, size_t cap)
{
	int r;

	if (g->error)
		return -1;
	if (g->ended)
		return 0;
	g->z.next_out = out;
	g->z.avail_out = (uInt)cap;
	r = inflate(&g->z, Z_NO_FLUSH);
	if (r == Z_STREAM_END)
		g->ended = true;
	else if (r != Z_OK && r != Z_BUF_ERROR)
		g->error = g->z.msg ? g->z.msg : "not gzip data";
	/* What came out before damaged data is given first; the error on the next call. */
	if (g->error && g->z.avail_out == cap)
		return -1;
	return (ssize_t)(cap - g->z.avail_out);
}

static ssize_t
stream_gz_in_read(void *cookie, char *buf, size_t size)
{
	struct stream_gz_in *g = cookie;

	if (size > UINT32_MAX)
		size = UINT32_MAX;
	for (;;) {
		ssize_t n;

		if (g->error) {
			errno = EINVAL;
			return -1;
		}
		if (g->z.avail_in == 0 && !g->ended) {
			size_t k = fread(g->buf, 1, sizeof(g->buf), g->in);

			if (k == 0)
				return ferror(g->in) ? -1 : 0; /* cut short: the text ends here */
			g->z.next_in = g->buf;
			g->z.avail_in = (uInt)k;
		}
		n = stream_gz_in_step(g, buf, size);
		if (n < 0) {
			errno = EINVAL;
			return -1;
		}
		if (n > 0 || g->ended)
			return n;
	}
}

static int
stream_gz_in_close(void *cookie)
{
	(void)cookie; /* the caller frees g after it has asked about errors */
	return 0;
}

FILE *
stream_gz_reader(FILE *in, struct stream_gz_in **gp)
{
	static const cookie_io_functions_t io = { .read = stream_gz_in_read,
						  .close = stream_gz_in_close };
	struct stream_gz_in *g = stream_gz_in_new(in);
	FILE *fp;

	if (!g)
		return NULL;
	fp = fopencookie(g, "r", io);
	if (!fp) {
		stream_gz_in_free(g);
		return NULL;
	}
	*gp = g;
	return fp;
}

struct stream_gz_in *
stream_gz_inflater(void)
{
	return stream_gz_in_new(NULL);
}

int
stream_gz_feed(struct stream_gz_in *g, const void *in, size_t len, char **buf, size_t *blen,
	       size_t *bcap)
{
	g->z.next_in = (Bytef *)(uintptr_t)in;
	g->z.avail_in = (uInt)len;
	while (!g->ended && !g->error) {
		ssize_t n;

		if (*bcap - *blen < STREAM_GZ_BUF) {
			*bcap = *bcap ? *bcap * 2 : 1 << 20;
			*buf = xrealloc(*buf, *bcap);
		}
		n = stream_gz_in_step(g, *buf + *blen, *bcap - *blen);
		if (n < 0)
			return -1;
		*blen += (size_t)n;
		if (g->z.avail_in == 0 && g->z.avail_out != 0)
			break;
	}
	g->z.next_in = NULL;
	g->z.avail_in = 0;
	return g->error ? -1 : 0;
}

bool
stream_sniff_gz(const void *buf, size_t len)
{
	char text[64];
	z_stream z = { 0 };
	bool yes;

	if (!stream_gz_sniff(buf, len) || inflateInit2(&z, STREAM_GZ_BITS) != Z_OK)
		return false;
	z.next_in = (Bytef *)(uintptr_t)buf;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)text;
	z.avail_out = sizeof(text);
	(void)inflate(&z, Z_SYNC_FLUSH);
	yes = stream_sniff(text, sizeof(text) - z.avail_out);
	inflateEnd(&z);
	return yes;
}

const char *
stream_gz_error(const struct stream_gz_in *g)
{
	return g->error;
}

/*
 * The compressed form: the text read through an inflating FILE. Corrupt compressed data is named
 * by the line of the decompressed text it cut (the line after the last whole one).
 */
static int
stream_read_gz(FILE *fp, const char *name, struct profile **out, struct stream_stats *st,
	       struct errbuf *err)
{
	struct stream_gz_in *g = NULL;
	FILE *zfp = stream_gz_reader(fp, &g);
	int rc;

	if (!zfp)
		return errbuf_fail(err, -EIO, "cannot read '%s': out of memory", name);
	rc = stream_read_text(zfp, name, out, st, err);
	fclose(zfp);
	if (stream_gz_error(g) && (rc == 0 || rc == -EIO)) {
		if (rc == 0)
			profile_free(*out);
		*out = NULL;
		errbuf_clear(err);
		rc = errbuf_fail(
			err, -EINVAL,
			"'%s' line %zu is corrupt: the compressed stream is damaged there (%s)",
			name, st->lines + 1, stream_gz_error(g));
	}
	stream_gz_in_free(g);
	return rc;
}

int
stream_read(FILE *fp, const char *name, struct profile **out, struct stream_stats *st,
	    struct errbuf *err)
{
	int c = fgetc(fp);
	unsigned char b = (unsigned char)c;

	if (c != EOF && ungetc(c, fp) == EOF)
		return errbuf_fail(err, -EIO, "cannot read '%s': %s", name, strerror(errno));
	if (c != EOF && stream_gz_sniff(&b, 1))
		return stream_read_gz(fp, name, out, st, err);
	return stream_read_text(fp, name, out, st, err);
}
