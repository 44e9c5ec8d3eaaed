/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTML page's own script and style sheet (src/export/html/ringside.js and ringside.css),
 * compiled into the binary at build time by src/export/html/embed. Each comes with its SHA-256 in
 * base64, which the page's Content-Security-Policy names as the only script and style allowed.
 */
#ifndef RINGSIDE_EXPORT_HTML_ASSETS_H
#define RINGSIDE_EXPORT_HTML_ASSETS_H

#include <stddef.h>

/* ringside.js, NUL-terminated; its length without the NUL; its SHA-256 in base64. */
extern const char html_assets_js[];
extern const size_t html_assets_js_len;
extern const char html_assets_js_sha256[];
/* ringside.css, the same way. */
extern const char html_assets_css[];
extern const size_t html_assets_css_len;
extern const char html_assets_css_sha256[];
/* The diff page's script and style sheet (src/export/html/diff.js, diff.css), likewise. */
extern const char html_assets_diff_js[];
extern const size_t html_assets_diff_js_len;
extern const char html_assets_diff_js_sha256[];
extern const char html_assets_diff_css[];
extern const size_t html_assets_diff_css_len;
extern const char html_assets_diff_css_sha256[];
/* Time ranges on the profile page (src/export/html/range.js, range.css), likewise. */
extern const char html_assets_range_js[];
extern const size_t html_assets_range_js_len;
extern const char html_assets_range_js_sha256[];
extern const char html_assets_range_css[];
extern const size_t html_assets_range_css_len;
extern const char html_assets_range_css_sha256[];
/* Histograms and crossplots on the profile page (src/export/html/histo.js), likewise. */
extern const char html_assets_histo_js[];
extern const size_t html_assets_histo_js_len;
extern const char html_assets_histo_js_sha256[];

#endif
