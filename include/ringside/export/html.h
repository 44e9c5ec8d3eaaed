/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The self-contained HTML page: one file that opens offline in any modern browser. It holds the
 * snapshot JSON (man/ringside-snapshot.5) in a <script type="application/json"
 * id="ringside-data"> element, and ringside's own script and style sheet inline; a
 * Content-Security-Policy allows those two by hash and forbids every network request. The JSON
 * is written with every '<' as \u003c, so nothing in it can end its element; a large snapshot is
 * stored gzip-compressed in base64 instead (data-encoding="gzip-base64"), which the page inflates
 * with the browser's DecompressionStream. Either way html_extract gives back the exact JSON.
 */
#ifndef RINGSIDE_EXPORT_HTML_H
#define RINGSIDE_EXPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/* Snapshots whose JSON is larger than this are embedded compressed (unless RINGSIDE_HTML_GZIP
 * says otherwise: 0 never, 1 always). */
#define HTML_GZIP_THRESHOLD (512 * 1024)

/* Write p as an HTML page to fp. Returns 0, or -EIO / -EINVAL with err. */
int html_write(const struct profile *p, FILE *fp, struct errbuf *err);
/* The most functions a page carries annotations of (the hottest by sampled instructions). */
#define HTML_ANNOTATE_FUNCS 16
/* The most rows (source lines and instructions) of one function's annotation in a page. */
#define HTML_ANNOTATE_ROWS 4000
/*
 * The JSON of the page's annotations (html_annotate.c), read from the files named in p now; NULL
 * when p has no sampled addresses. The caller's to free.
 */
char *html_annotate_json(const struct profile *p);
/* Write p as an HTML page to path atomically. Returns 0 or -errno with err. */
int html_save(const struct profile *p, const char *path, struct errbuf *err);
/* True when buf looks like HTML rather than JSON: white space, then '<'. */
bool html_detect(const char *buf, size_t len);
/* Find the snapshot in a page html_write wrote and give back its JSON in *json (the caller's,
 * NUL-terminated, *jlen bytes). Returns 0, or -EINVAL with err when the page holds none or it
 * is damaged. */
int html_extract(const char *buf, size_t len, char **json, size_t *jlen, struct errbuf *err);
/* As html_extract, with at most max bytes of JSON (compressed JSON inflating to more is refused,
 * -EFBIG); html_extract allows SNAPSHOT_MAX_BYTES. */
int html_extract_max(const char *buf, size_t len, size_t max, char **json, size_t *jlen,
		     struct errbuf *err);

/*
 * Write the diff page: the diff JSON json[0..len) (view/diff.h as diff_export writes it) in a data
 * element, drawn by the diff page's own script, under the same Content-Security-Policy as the
 * snapshot page. Returns 0 or -EIO with err.
 */
int html_write_diff(const char *json, size_t len, FILE *fp, struct errbuf *err);

#endif
