// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The self-contained HTML page. The snapshot JSON goes into a data element that the page's own
 * script (src/export/html/ringside.js, inlined) reads and draws; the Content-Security-Policy
 * allows that script and the style sheet by their SHA-256 and nothing else: no network source,
 * no other inline code. Strings from the profiled system appear only inside the JSON, where every
 * '<' is \u003c, and the script puts them on the page as text, never as markup.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "ringside/export/html.h"
#include "ringside/export/html_assets.h"
#include "ringside/export/snapshot.h"
#include "ringside/util/infile.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

#define HTML_DATA_OPEN	"<script type=\"application/json\" id=\"ringside-data\""
#define HTML_DATA_CLOSE "</script>"
#define HTML_GZIP_ATTR	" data-encoding=\"gzip-base64\""

/* ---- writing ----------------------------------------------------------------------------------
 */

static bool
html_want_gzip(size_t json_len)
{
	const char *env = getenv("RINGSIDE_HTML_GZIP");

	if (env && strcmp(env, "0") == 0)
		return false;
	if (env && strcmp(env, "1") == 0)
		return true;
	return json_len > HTML_GZIP_THRESHOLD;
}

/*
 * The JSON as is, with every '<' written \u003c, so no "</script>" or "<!--" can appear, and DEL
 * (which JSON leaves raw) as \u007f; both only ever occur inside JSON strings.
 */
static void
html_put_escaped(FILE *fp, const char *s, size_t n)
{
	size_t start = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] != '<' && s[i] != 0x7f)
			continue;
		fwrite(s + start, 1, i - start, fp);
		fputs(s[i] == '<' ? "\\u003c" : "\\u007f", fp);
		start = i + 1;
	}
	fwrite(s + start, 1, n - start, fp);
}

static void
html_put_base64(FILE *fp, const unsigned char *in, size_t n)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char out[4];

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[0] = tab[v >> 18 & 63];
		out[1] = tab[v >> 12 & 63];
		out[2] = i + 1 < n ? tab[v >> 6 & 63] : '=';
		out[3] = i + 2 < n ? tab[v & 63] : '=';
		fwrite(out, 1, 4, fp);
	}
}

/* gzip (RFC 1952) of s[0..n), in a new buffer of *outlen bytes. */
static int
html_gzip(const char *s, size_t n, unsigned char **out, size_t *outlen, struct errbuf *err)
{
	z_stream z = { 0 };
	unsigned char *buf;
	size_t cap;
	int r;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return errbuf_fail(err, -EIO, "cannot compress the snapshot: zlib failed to start");
	cap = deflateBound(&z, (uLong)n) + 64;
	buf = xmalloc(cap);
	z.next_in = (Bytef *)(uintptr_t)s;
	z.avail_in = (uInt)n;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	r = deflate(&z, Z_FINISH);
	*outlen = z.total_out;
	deflateEnd(&z);
	if (r != Z_STREAM_END) {
		free(buf);
		return errbuf_fail(err, -EIO, "cannot compress the snapshot: zlib error %d", r);
	}
	*out = buf;
	return 0;
}

/* clang-format off */
static const char html_head[] =
	"<!DOCTYPE html>\n"
	"<html lang=\"en\">\n"
	"<head>\n"
	"<meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	"script-src 'sha256-%s' 'sha256-%s' 'sha256-%s'; style-src 'sha256-%s' 'sha256-%s'; img-src data:; "
	"base-uri 'none'; "
	"form-action 'none'\">\n"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	"<meta name=\"generator\" content=\"ringside " PACKAGE_VERSION "\">\n"
	"<title>ringside %s</title>\n"
	"<style>";
static const char html_body[] =
	"</style>\n"
	"</head>\n"
	"<body>\n"
	"<noscript>This ringside profile is drawn by the page's own script; allow JavaScript to "
	"see it. The data is in the element ringside-data below.</noscript>\n"
	"<main id=\"ringside\"></main>\n";
/* clang-format on */

int
html_write(const struct profile *p, FILE *fp, struct errbuf *err)
{
	char *json = NULL, *annot;
	size_t len = 0;
	FILE *mem;
	int r;

	mem = open_memstream(&json, &len);
	if (!mem) {
		r = -errno;
		return errbuf_fail(err, r, "cannot build the page: %s", strerror(-r));
	}
	r = snapshot_write(p, mem, err);
	if (fclose(mem) != 0 && r == 0) {
		r = errbuf_fail(err, -EIO, "cannot build the page: %s", strerror(errno));
	}
	if (r < 0)
		goto out;
	/* The snapshot ends with a newline, which the page does not need. */
	if (len && json[len - 1] == '\n')
		len--;
	fprintf(fp, html_head, html_assets_js_sha256, html_assets_range_js_sha256,
		html_assets_histo_js_sha256, html_assets_css_sha256, html_assets_range_css_sha256,
		"profile");
	fwrite(html_assets_css, 1, html_assets_css_len, fp);
	/* Time ranges (range.js, range.css): their own elements, each allowed by its hash. */
	fputs("</style>\n<style>", fp);
	fwrite(html_assets_range_css, 1, html_assets_range_css_len, fp);
	fputs(html_body, fp);
	if (html_want_gzip(len)) {
		unsigned char *gz = NULL;
		size_t gzlen = 0;

		r = html_gzip(json, len, &gz, &gzlen, err);
		if (r < 0)
			goto out;
		fputs(HTML_DATA_OPEN HTML_GZIP_ATTR ">", fp);
		html_put_base64(fp, gz, gzlen);
		free(gz);
	} else {
		fputs(HTML_DATA_OPEN ">", fp);
		html_put_escaped(fp, json, len);
	}
	fputs(HTML_DATA_CLOSE "\n", fp);
	annot = html_annotate_json(p);
	if (annot) {
		fputs("<script type=\"application/json\" id=\"ringside-annotate\">", fp);
		html_put_escaped(fp, annot, strlen(annot));
		fputs("</script>\n", fp);
		free(annot);
	}
	fputs("<script>", fp);
	fwrite(html_assets_range_js, 1, html_assets_range_js_len, fp);
	/* Histograms and crossplots (histo.js): after range.js, whose setRange it uses. */
	fputs("</script>\n<script>", fp);
	fwrite(html_assets_histo_js, 1, html_assets_histo_js_len, fp);
	fputs("</script>\n<script>", fp);
	fwrite(html_assets_js, 1, html_assets_js_len, fp);
	fputs("</script>\n</body>\n</html>\n", fp);
	if (fflush(fp) != 0 || ferror(fp)) {
		r = errbuf_fail(err, -EIO, "cannot write the page: %s",
				strerror(errno ? errno : EIO));
	}
out:
	free(json);
	return r;
}

/* clang-format off */
static const char html_diff_body[] =
	"</style>\n"
	"</head>\n"
	"<body>\n"
	"<noscript>This ringside diff is drawn by the page's own script; allow JavaScript to "
	"see it. The data is in the element ringside-data below.</noscript>\n"
	"<main id=\"ringside\"></main>\n";
/* clang-format on */

int
html_write_diff(const char *json, size_t len, FILE *fp, struct errbuf *err)
{
	if (len && json[len - 1] == '\n')
		len--;
	/* The diff page has one script and one style sheet: each named more than once. */
	fprintf(fp, html_head, html_assets_diff_js_sha256, html_assets_diff_js_sha256,
		html_assets_diff_js_sha256, html_assets_diff_css_sha256,
		html_assets_diff_css_sha256, "diff");
	fwrite(html_assets_diff_css, 1, html_assets_diff_css_len, fp);
	fputs(html_diff_body, fp);
	fputs(HTML_DATA_OPEN ">", fp);
	html_put_escaped(fp, json, len);
	fputs(HTML_DATA_CLOSE "\n<script>", fp);
	fwrite(html_assets_diff_js, 1, html_assets_diff_js_len, fp);
	fputs("</script>\n</body>\n</html>\n", fp);
	if (fflush(fp) != 0 || ferror(fp))
		return errbuf_fail(err, -EIO, "cannot write the diff page: %s",
				   strerror(errno ? errno : EIO));
	return 0;
}

int
html_save(const struct profile *p, const char *path, struct errbuf *err)
{
	struct outfile of;
	int r;

	r = outfile_open(&of, path, err);
	if (r < 0)
		return r;
	r = html_write(p, of.fp, err);
	if (r < 0) {
		outfile_abort(&of);
		return r;
	}
	return outfile_commit(&of, err);
}

/* ---- reading ----------------------------------------------------------------------------------
 */

bool
html_detect(const char *buf, size_t len)
{
	size_t i = 0;

	/* A UTF-8 byte order mark may come first. */
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	return i < len && buf[i] == '<';
}

static const char *
html_find(const char *buf, size_t len, const char *needle)
{
	return memmem(buf, len, needle, strlen(needle));
}

static int
html_b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 (white space allowed) into a new buffer; -EINVAL on anything else. */
static int
html_unbase64(const char *s, size_t n, unsigned char **out, size_t *outlen)
{
	unsigned char *buf = xmalloc(n / 4 * 3 + 3);
	size_t o = 0, pad = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int v;

		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c == '=') {
			pad++;
			continue;
		}
		v = html_b64val(c);
		if (v < 0 || pad) {
			free(buf);
			return -EINVAL;
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)(acc >> bits);
		}
	}
	if (pad > 2) {
		free(buf);
		return -EINVAL;
	}
	*out = buf;
	*outlen = o;
	return 0;
}

/*
 * Inflate into a new buffer of at most max bytes (plus a NUL): -EFBIG when the data inflates to
 * more, so a small page cannot expand without bound; -EINVAL when it is not valid gzip data.
 */
static int
html_gunzip(const unsigned char *in, size_t n, size_t max, char **out, size_t *outlen)
{
	z_stream z = { 0 };
	/* Output beyond max: one byte more than allowed proves the data too large. */
	size_t lim = max + 1, cap = n * 4 + 1024, used = 0;
	char *buf;
	int r;

	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -EIO;
	if (cap > lim)
		cap = lim;
	buf = xmalloc(cap + 1);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	do {
		size_t avail;

		if (cap - used < 65536 && cap < lim) {
			cap = cap > lim / 2 ? lim : cap * 2;
			buf = xrealloc(buf, cap + 1);
		}
		avail = cap - used;
		if (avail == 0)
			break;
		z.next_out = (Bytef *)buf + used;
		z.avail_out = avail > UINT_MAX ? UINT_MAX : (uInt)avail;
		r = inflate(&z, Z_NO_FLUSH);
		used = z.total_out;
	} while (r == Z_OK);
	inflateEnd(&z);
	if (used > max) {
		free(buf);
		return -EFBIG;
	}
	if (r != Z_STREAM_END || z.avail_in != 0) {
		free(buf);
		return -EINVAL;
	}
	buf[used] = 0;
	*out = buf;
	*outlen = used;
	return 0;
}

/* Undo html_put_escaped: \u003c and \u007f back to '<' and DEL; other escapes stay as they are. */
static void
html_unescape(const char *s, size_t n, char **out, size_t *outlen)
{
	char *buf = xmalloc(n + 1);
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 5 < n && memcmp(s + i + 1, "u003c", 5) == 0) {
			buf[o++] = '<';
			i += 5;
		} else if (s[i] == '\\' && i + 5 < n && memcmp(s + i + 1, "u007f", 5) == 0) {
			buf[o++] = 0x7f;
			i += 5;
		} else if (s[i] == '\\' && i + 1 < n) {
			buf[o++] = s[i++];
			buf[o++] = s[i];
		} else {
			buf[o++] = s[i];
		}
	}
	buf[o] = 0;
	*out = buf;
	*outlen = o;
}

int
html_extract(const char *buf, size_t len, char **json, size_t *jlen, struct errbuf *err)
{
	return html_extract_max(buf, len, SNAPSHOT_MAX_BYTES, json, jlen, err);
}

int
html_extract_max(const char *buf, size_t len, size_t max, char **json, size_t *jlen,
		 struct errbuf *err)
{
	const char *open = html_find(buf, len, HTML_DATA_OPEN), *body, *end, *attrs;
	char lim[32];
	bool gzip;
	int r;

	*json = NULL;
	*jlen = 0;
	if (!open)
		return errbuf_fail(err, -EINVAL,
				   "no <script id=\"ringside-data\"> element, which every page "
				   "ringside writes holds");
	attrs = open + strlen(HTML_DATA_OPEN);
	body = memchr(attrs, '>', len - (size_t)(attrs - buf));
	if (!body)
		return errbuf_fail(err, -EINVAL, "the ringside-data element is cut short");
	body++;
	end = html_find(body, len - (size_t)(body - buf), HTML_DATA_CLOSE);
	if (!end)
		return errbuf_fail(err, -EINVAL,
				   "the ringside-data element has no end (the file is cut "
				   "short?)");
	gzip = html_find(attrs, (size_t)(body - attrs), HTML_GZIP_ATTR) != NULL;
	if (gzip) {
		unsigned char *gz;
		size_t gzlen;

		if (html_unbase64(body, (size_t)(end - body), &gz, &gzlen) < 0)
			return errbuf_fail(err, -EINVAL,
					   "the ringside-data element is not valid base64");
		r = html_gunzip(gz, gzlen, max, json, jlen);
		free(gz);
		if (r == -EFBIG)
			return errbuf_fail_as(
				err, ERRBUF_INPUT, r,
				"its ringside-data element inflates to over %s, the "
				"limit for a snapshot: give a page that ringside record "
				"or export wrote",
				infile_size_str(max, lim, sizeof(lim)));
		if (r < 0)
			return errbuf_fail(err, -EINVAL,
					   "the ringside-data element is not valid gzip data");
	} else {
		html_unescape(body, (size_t)(end - body), json, jlen);
	}
	return 0;
}
