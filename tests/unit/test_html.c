// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The HTML page as a container: hostile strings cannot end the data element or hide markup in
 * it, the JSON comes back out exactly (plain and gzip-base64), foreign and damaged pages are
 * refused with a clear message, and the extension picks the format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/export/export.h"
#include "ringside/export/html.h"
#include "ringside/export/snapshot.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"

/* </script>, <!--, U+2028, U+2029, control characters and a literal backslash-u003c. */
static const char hostile[] = "h</script><!--<script>\xe2\x80\xa8\xe2\x80\xa9\x01\x1f\x7f"
			      "\\u003c<img src=x onerror=alert(1)>";

static const char *
testdata(void)
{
	const char *d = getenv("TESTDATA");

	if (!d)
		fail_msg("TESTDATA is not set (run through make check)");
	return d;
}

static struct profile *
load_good(void)
{
	struct profile *p = NULL;
	struct errbuf err;
	char path[4096];

	errbuf_clear(&err);
	snprintf(path, sizeof(path), "%s/snapshot-good.json", testdata());
	if (snapshot_load(path, &p, &err) < 0)
		fail_msg("%s", err.msg);
	free(p->meta.host);
	p->meta.host = xstrdup(hostile);
	return p;
}

static char *
write_mem(const struct profile *p, int (*fn)(const struct profile *, FILE *, struct errbuf *),
	  size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct errbuf err;

	errbuf_clear(&err);
	assert_non_null(f);
	assert_int_equal(fn(p, f, &err), 0);
	fclose(f);
	return buf;
}

static size_t
count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *s = strstr(hay, needle); s; s = strstr(s + 1, needle))
		n++;
	return n;
}

/* The data element's content. */
static char *
data_of(const char *page)
{
	const char *open = strstr(page, "id=\"ringside-data\"");
	const char *body, *end;

	assert_non_null(open);
	body = strchr(open, '>') + 1;
	end = strstr(body, "</script>");
	assert_non_null(end);
	return strndup(body, (size_t)(end - body));
}

static void
test_escaping(void **state)
{
	struct profile *p = load_good(), *q = NULL;
	size_t len, jlen, plen;
	char *json = write_mem(p, snapshot_write, &len);
	char *page = write_mem(p, html_write, &plen);
	char *data = data_of(page), *back = NULL;
	struct errbuf err;

	(void)state;
	/* The page's own four script elements end (data, range.js, histo.js, ringside.js), nothing
	 * else. */
	assert_int_equal(count(page, "</script"), 4);
	assert_int_equal(count(page, "<!--"), 0);
	assert_null(strchr(data, '<'));
	assert_non_null(strstr(data, "\\u003c/script>\\u003c!--"));
	assert_null(strstr(page, "\xe2\x80\xa8"));
	assert_null(strstr(page, "\xe2\x80\xa9"));
	for (const char *c = data; *c; c++)
		assert_true((unsigned char)*c >= 0x20 && (unsigned char)*c < 0x7f);
	assert_non_null(strstr(page, "Content-Security-Policy"));
	assert_non_null(strstr(page, "default-src 'none'"));
	/* No URL but the SVG namespace's name (a name, never fetched). */
	assert_int_equal(count(page, "http:"), count(page, "http://www.w3.org/2000/svg"));
	assert_null(strstr(page, "https:"));
	/* The JSON comes back byte for byte (without the final newline) and parses. */
	errbuf_clear(&err);
	assert_int_equal(html_extract(page, plen, &back, &jlen, &err), 0);
	assert_int_equal(jlen, len - 1);
	assert_memory_equal(back, json, jlen);
	assert_int_equal(snapshot_parse(back, jlen, &q, &err), 0);
	assert_string_equal(q->meta.host, hostile);
	profile_free(q);
	free(back);
	free(data);
	free(page);
	free(json);
	profile_free(p);
}

static void
test_gzip(void **state)
{
	struct profile *p = load_good();
	size_t len, plen, jlen;
	char *json = write_mem(p, snapshot_write, &len), *page, *back = NULL, *data;
	struct errbuf err;

	(void)state;
	setenv("RINGSIDE_HTML_GZIP", "1", 1);
	page = write_mem(p, html_write, &plen);
	unsetenv("RINGSIDE_HTML_GZIP");
	assert_non_null(strstr(page, "data-encoding=\"gzip-base64\""));
	data = data_of(page);
	assert_int_equal(strspn(data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789+/="),
			 strlen(data));
	errbuf_clear(&err);
	assert_int_equal(html_extract(page, plen, &back, &jlen, &err), 0);
	assert_int_equal(jlen, len - 1);
	assert_memory_equal(back, json, jlen);
	free(back);
	/* JSON that inflates to more than the limit is refused, not inflated without bound. */
	errbuf_clear(&err);
	assert_int_equal(html_extract_max(page, plen, len - 2, &back, &jlen, &err), -EFBIG);
	assert_null(back);
	assert_int_equal(err.class, ERRBUF_INPUT);
	assert_non_null(strstr(err.msg, "inflates to over"));
	errbuf_clear(&err);
	assert_int_equal(html_extract_max(page, plen, len - 1, &back, &jlen, &err), 0);
	assert_int_equal(jlen, len - 1);
	free(back);
	back = NULL;
	/* A damaged payload is refused, not half read. */
	data[strlen(data) / 2] = data[strlen(data) / 2] == 'A' ? 'B' : 'A';
	memcpy(strstr(page, "gzip-base64\">") + 13, data, strlen(data));
	errbuf_clear(&err);
	assert_int_equal(html_extract(page, plen, &back, &jlen, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "ringside-data"));
	assert_null(back);
	free(data);
	free(page);
	free(json);
	profile_free(p);
}

static void
test_detect(void **state)
{
	(void)state;
	assert_true(html_detect(" \n\t<!DOCTYPE html>", 18));
	assert_true(html_detect("\xef\xbb\xbf<html>", 9));
	assert_false(html_detect("{\"format\":1}", 12));
	assert_false(html_detect("  ", 2));
	assert_false(html_detect("", 0));
}

static void
expect_refused(const char *page, const char *what)
{
	struct errbuf err;
	char *json = (char *)"x";
	size_t jlen = 1;

	errbuf_clear(&err);
	assert_int_equal(html_extract(page, strlen(page), &json, &jlen, &err), -EINVAL);
	assert_null(json);
	if (!strstr(err.msg, what))
		fail_msg("message '%s' does not say '%s'", err.msg, what);
}

static void
test_foreign(void **state)
{
	char path[] = "/tmp/ringside-test-html-XXXXXX";
	struct profile *p = NULL;
	struct errbuf err;
	int fd;

	(void)state;
	expect_refused("<html><body><script>var x = 1;</script></body></html>", "ringside-data");
	expect_refused("<script type=\"application/json\" id=\"ringside-data\">{\"a\":1", "no end");
	expect_refused("<script type=\"application/json\" id=\"ringside-data\"", "cut short");
	expect_refused("<script type=\"application/json\" id=\"ringside-data\" "
		       "data-encoding=\"gzip-base64\">!!!</script>",
		       "base64");
	/* Through snapshot_load, as `ringside view x.html` and `export x.html` read it. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_true(write(fd, "<!DOCTYPE html><p>hello</p>\n", 28) == 28);
	close(fd);
	errbuf_clear(&err);
	assert_int_equal(snapshot_load(path, &p, &err), -EINVAL);
	assert_null(p);
	if (!strstr(err.msg, "holds no ringside snapshot"))
		fail_msg("message: %s", err.msg);
	assert_non_null(strstr(err.msg, path));
	unlink(path);
}

static void
test_write_path(void **state)
{
	char dir[] = "/tmp/ringside-test-html-XXXXXX", path[256];
	struct profile *p = load_good(), *q = NULL;
	struct errbuf err;

	(void)state;
	assert_int_equal(export_format_of("a.json"), EXPORT_JSON);
	assert_int_equal(export_format_of("a.html"), EXPORT_HTML);
	assert_int_equal(export_format_of("a.folded"), EXPORT_FOLDED);
	assert_int_equal(export_format_of("a.pb.gz"), EXPORT_PPROF);
	assert_int_equal(export_format_of("a.gz"), EXPORT_UNKNOWN);
	assert_int_equal(export_format_of("a.htm"), EXPORT_UNKNOWN);
	assert_int_equal(export_format_of(".html"), EXPORT_UNKNOWN);
	assert_true(export_format_known("x/y.html"));
	assert_false(export_format_known("y.txt"));
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/run.txt", dir);
	errbuf_clear(&err);
	assert_int_equal(export_write_path(p, path, &err), -EINVAL);
	assert_non_null(strstr(err.msg, ".json, .html, .folded or .pb.gz"));
	assert_int_not_equal(access(path, F_OK), 0);
	snprintf(path, sizeof(path), "%s/run.html", dir);
	errbuf_clear(&err);
	assert_int_equal(export_write_path(p, path, &err), 0);
	assert_int_equal(snapshot_load(path, &q, &err), 0);
	assert_string_equal(q->meta.host, hostile);
	assert_int_equal(q->ntracks, p->ntracks);
	profile_free(q);
	unlink(path);
	rmdir(dir);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escaping),   cmocka_unit_test(test_gzip),
		cmocka_unit_test(test_detect),	   cmocka_unit_test(test_foreign),
		cmocka_unit_test(test_write_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
