/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small JSON pull scanner over a buffer, for the parts of a snapshot that are read without
 * building jansson's tree (snapshot_lazy.c): values are read in place or skipped with their syntax
 * checked, so a large snapshot is read in one pass at memory speed. The first problem is kept
 * with its byte offset; every call after it fails.
 */
#ifndef RINGSIDE_EXPORT_SNAPSHOT_SCAN_H
#define RINGSIDE_EXPORT_SNAPSHOT_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jscan {
	const char *start, *p, *end;
	const char *why; /* the first problem, NULL while there is none */
	const char *at;	 /* where it was found */
	char *str;	 /* the last string jscan_str decoded (NUL-terminated), owned */
	size_t str_len, str_cap;
};

/* Scan [buf, buf + len). */
void jscan_init(struct jscan *s, const char *buf, size_t len);
/* Free the string buffer. */
void jscan_fini(struct jscan *s);
/* Record problem why at the current position (the first one stays); returns false. */
bool jscan_fail(struct jscan *s, const char *why);
/* The next byte after white space (0 at the end), not consumed. */
char jscan_peek(struct jscan *s);
/* Consume c after white space, or fail. */
bool jscan_lit(struct jscan *s, char c);
/*
 * Before each element of an array or object whose bracket is consumed: 1 when one follows (its
 * comma consumed), 0 at close (consumed), -1 on bad syntax. *first starts true.
 */
int jscan_more(struct jscan *s, char close, bool *first);
/* Skip one value, its syntax checked. */
bool jscan_skip(struct jscan *s);
/* Decode a string into s->str / s->str_len (valid UTF-8, no NUL). */
bool jscan_str(struct jscan *s);
/* An object's next key (decoded into s->str) and its colon. */
bool jscan_key(struct jscan *s);
/* An integer (no fraction or exponent) that fits int64_t. */
bool jscan_int(struct jscan *s, int64_t *out);
/* true or false. */
bool jscan_bool(struct jscan *s, bool *out);
/* The line and column (from 1) of position at, for messages. */
void jscan_where(const struct jscan *s, const char *at, int *line, int *col);

#endif
