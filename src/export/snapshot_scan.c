// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The JSON pull scanner of snapshot_scan.h: RFC 8259 syntax (as jansson reads it: no NUL in
 * strings, valid UTF-8, integers within 64 bits), nesting at most 2048 deep as jansson allows.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "snapshot_scan.h"

#define JSCAN_MAX_DEPTH 2048

void
jscan_init(struct jscan *s, const char *buf, size_t len)
{
	*s = (struct jscan){ .start = buf, .p = buf, .end = buf + len };
}

void
jscan_fini(struct jscan *s)
{
	free(s->str);
	s->str = NULL;
	s->str_cap = 0;
}

bool
jscan_fail(struct jscan *s, const char *why)
{
	if (!s->why) {
		s->why = why;
		s->at = s->p;
	}
	s->p = s->end; /* nothing more is read */
	return false;
}

static void
jscan_ws(struct jscan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\t' || *s->p == '\r'))
		s->p++;
}

char
jscan_peek(struct jscan *s)
{
	jscan_ws(s);
	return s->p < s->end ? *s->p : 0;
}

bool
jscan_lit(struct jscan *s, char c)
{
	static const char *const what[] = { "expected '{'", "expected '['", "expected ':'",
					    "expected ','", "unexpected character" };
	const char *w = c == '{'   ? what[0]
			: c == '[' ? what[1]
			: c == ':' ? what[2]
			: c == ',' ? what[3]
				   : what[4];

	if (jscan_peek(s) != c || s->p >= s->end)
		return jscan_fail(s, w);
	s->p++;
	return true;
}

int
jscan_more(struct jscan *s, char close, bool *first)
{
	char c = jscan_peek(s);

	if (c == close && s->p < s->end) {
		s->p++;
		return 0;
	}
	if (*first) {
		*first = false;
		return s->p < s->end ? 1 : (jscan_fail(s, "premature end of input"), -1);
	}
	if (c != ',' || s->p >= s->end)
		return jscan_fail(s, close == ']' ? "expected ',' or ']'" : "expected ',' or '}'"),
		       -1;
	s->p++;
	return 1;
}

/* The length of the UTF-8 sequence at p (at most n bytes), 0 when it is not valid. */
static size_t
jscan_utf8(const unsigned char *p, size_t n)
{
	size_t len;
	uint32_t cp;

	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	len = p[0] < 0xe0 ? 2 : p[0] < 0xf0 ? 3 : 4;
	if (len > n)
		return 0;
	cp = p[0] & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

static void
jscan_put(struct jscan *s, const char *b, size_t n)
{
	if (s->str_len + n + 1 > s->str_cap) {
		s->str_cap = (s->str_len + n + 1) * 2;
		s->str = xrealloc(s->str, s->str_cap);
	}
	memcpy(s->str + s->str_len, b, n);
	s->str_len += n;
	s->str[s->str_len] = '\0';
}

static bool
jscan_hex4(struct jscan *s, uint32_t *out)
{
	*out = 0;
	if (s->end - s->p < 4)
		return jscan_fail(s, "invalid \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *s->p++;

		*out <<= 4;
		if (c >= '0' && c <= '9')
			*out |= (uint32_t)(c - '0');
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			*out |= (uint32_t)((c | 0x20) - 'a' + 10);
		else
			return jscan_fail(s, "invalid \\u escape");
	}
	return true;
}

/* The escape after a backslash, its UTF-8 appended when keep. */
static bool
jscan_escape(struct jscan *s, bool keep)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;
	char u[4];
	uint32_t cp, lo;
	size_t n;

	if (s->p >= s->end)
		return jscan_fail(s, "premature end of input");
	e = memchr(from, *s->p, sizeof(from) - 1);
	if (e) {
		s->p++;
		if (keep)
			jscan_put(s, &to[e - from], 1);
		return true;
	}
	if (*s->p++ != 'u' || !jscan_hex4(s, &cp))
		return jscan_fail(s, "invalid escape");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (s->end - s->p < 2 || s->p[0] != '\\' || s->p[1] != 'u')
			return jscan_fail(s, "invalid Unicode surrogate pair");
		s->p += 2;
		if (!jscan_hex4(s, &lo) || lo < 0xdc00 || lo > 0xdfff)
			return jscan_fail(s, "invalid Unicode surrogate pair");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	} else if (cp >= 0xdc00 && cp <= 0xdfff) {
		return jscan_fail(s, "invalid Unicode surrogate");
	}
	if (cp == 0)
		return jscan_fail(s, "\\u0000 is not allowed");
	if (!keep)
		return true;
	if (cp < 0x80) {
		u[0] = (char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12), u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18), u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f)), u[3] = (char)(0x80 | (cp & 0x3f)), n = 4;
	}
	jscan_put(s, u, n);
	return true;
}

/* A string's body after its opening quote, kept in s->str when keep. */
static bool
jscan_body(struct jscan *s, bool keep)
{
	s->str_len = 0;
	if (keep)
		jscan_put(s, "", 0);
	for (;;) {
		const char *run = s->p;
		size_t n;

		while (s->p < s->end && (unsigned char)*s->p >= 0x20 && *s->p != '"' &&
		       *s->p != '\\' && (unsigned char)*s->p < 0x80)
			s->p++;
		if (keep && s->p > run)
			jscan_put(s, run, (size_t)(s->p - run));
		if (s->p >= s->end)
			return jscan_fail(s, "premature end of input in a string");
		if (*s->p == '"') {
			s->p++;
			return true;
		}
		if (*s->p == '\\') {
			s->p++;
			if (!jscan_escape(s, keep))
				return false;
			continue;
		}
		if ((unsigned char)*s->p < 0x20)
			return jscan_fail(s, "control character in a string");
		n = jscan_utf8((const unsigned char *)s->p, (size_t)(s->end - s->p));
		if (!n)
			return jscan_fail(s, "invalid UTF-8 in a string");
		if (keep)
			jscan_put(s, s->p, n);
		s->p += n;
	}
}

bool
jscan_str(struct jscan *s)
{
	if (jscan_peek(s) != '"' || s->p >= s->end)
		return jscan_fail(s, "expected a string");
	s->p++;
	return jscan_body(s, true);
}

bool
jscan_key(struct jscan *s)
{
	return jscan_str(s) && jscan_lit(s, ':');
}

bool
jscan_int(struct jscan *s, int64_t *out)
{
	bool neg = jscan_peek(s) == '-';
	uint64_t v = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	const char *d;

	if (neg)
		s->p++;
	d = s->p;
	while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
		unsigned dig = (unsigned)(*s->p - '0');

		if (v > (lim - dig) / 10)
			return jscan_fail(s, "integer too big");
		v = v * 10 + dig;
		s->p++;
	}
	if (s->p == d || (*d == '0' && s->p - d > 1))
		return jscan_fail(s, "expected an integer");
	if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E'))
		return jscan_fail(s, "expected an integer");
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

static bool
jscan_word(struct jscan *s, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(s->end - s->p) < n || memcmp(s->p, w, n) != 0)
		return jscan_fail(s, "invalid token");
	s->p += n;
	return true;
}

bool
jscan_bool(struct jscan *s, bool *out)
{
	char c = jscan_peek(s);

	*out = c == 't';
	if (c != 't' && c != 'f')
		return jscan_fail(s, "expected a boolean");
	return jscan_word(s, c == 't' ? "true" : "false");
}

static bool
jscan_digits(struct jscan *s)
{
	const char *d = s->p;

	while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
		s->p++;
	return s->p > d || jscan_fail(s, "invalid number");
}

static bool
jscan_number(struct jscan *s)
{
	const char *d;

	if (*s->p == '-')
		s->p++;
	d = s->p;
	if (!jscan_digits(s))
		return false;
	if (*d == '0' && s->p - d > 1)
		return jscan_fail(s, "invalid number");
	if (s->p < s->end && *s->p == '.') {
		s->p++;
		if (!jscan_digits(s))
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		if (!jscan_digits(s))
			return false;
	}
	return true;
}

/* A number's integer part at p (the common case), else the full grammar; the end, or NULL. */
static const char *
jscan_skip_number(struct jscan *s, const char *p)
{
	const char *at = p, *d = p + (*p == '-');

	p = d;
	while (p < s->end && *p >= '0' && *p <= '9')
		p++;
	if (p > d && !(*d == '0' && p - d > 1) &&
	    (p >= s->end || (*p != '.' && *p != 'e' && *p != 'E')))
		return p;
	s->p = at;
	return jscan_number(s) ? s->p : NULL;
}

/* The text after literal w at p, or NULL. */
static const char *
jscan_skip_word(struct jscan *s, const char *p, const char *w, size_t n)
{
	if ((size_t)(s->end - p) < n || memcmp(p, w, n) != 0) {
		s->p = p;
		jscan_fail(s, "invalid token");
		return NULL;
	}
	return p + n;
}

#define JSCAN_WS(p, end)                                                                           \
	while ((p) < (end) && (*(p) == ' ' || *(p) == '\n' || *(p) == '\t' || *(p) == '\r'))       \
	(p)++

/* The text after the scalar (string, literal or number) at p, or NULL. */
static const char *
jscan_skip_scalar(struct jscan *s, const char *p)
{
	switch (*p) {
	case '"':
		s->p = p + 1;
		return jscan_body(s, false) ? s->p : NULL;
	case 't':
		return jscan_skip_word(s, p, "true", 4);
	case 'f':
		return jscan_skip_word(s, p, "false", 5);
	case 'n':
		return jscan_skip_word(s, p, "null", 4);
	default:
		if (*p != '-' && (*p < '0' || *p > '9')) {
			s->p = p;
			jscan_fail(s, "invalid token");
			return NULL;
		}
		return jscan_skip_number(s, p);
	}
}

/* The text after an object's key and its colon at p, or NULL. */
static const char *
jscan_skip_key(struct jscan *s, const char *p)
{
	JSCAN_WS(p, s->end);
	if (p >= s->end || *p != '"') {
		s->p = p;
		jscan_fail(s, "string or '}' expected");
		return NULL;
	}
	s->p = p + 1;
	if (!jscan_body(s, false))
		return NULL;
	p = s->p;
	JSCAN_WS(p, s->end);
	if (p >= s->end || *p != ':') {
		s->p = p;
		jscan_fail(s, "':' expected");
		return NULL;
	}
	return p + 1;
}

/*
 * One value skipped in a single loop with its own stack of open brackets: the scheduler's runs
 * are millions of small arrays, so this is where a diff's load spends its time.
 */
bool
jscan_skip(struct jscan *s)
{
	char open[JSCAN_MAX_DEPTH];
	const char *p = s->p, *end = s->end;
	int depth = 0;

value:
	if (p < end && (unsigned char)(*p - '0') < 10) {
		/* the common case first: a plain non-negative integer */
		const char *d = p;

		while (p < end && (unsigned char)(*p - '0') < 10)
			p++;
		if ((*d != '0' || p - d == 1) && (p >= end || (*p != '.' && (*p | 0x20) != 'e')))
			goto after;
		p = d;
	}
	JSCAN_WS(p, end);
	if (p >= end) {
		s->p = p;
		return jscan_fail(s, "premature end of input");
	}
	if (*p == '[' || *p == '{') {
		if (depth == JSCAN_MAX_DEPTH) {
			s->p = p;
			return jscan_fail(s, "maximum parsing depth reached");
		}
		open[depth++] = *p++ == '[' ? ']' : '}';
		JSCAN_WS(p, end);
		if (p < end && *p == open[depth - 1]) {
			p++;
			depth--;
			goto after;
		}
		goto element;
	}
	if (!(p = jscan_skip_scalar(s, p)))
		return false;
after:
	if (depth == 0) {
		s->p = p;
		return true;
	}
	if (p < end && *p == ',') {
		p++;
		goto element;
	}
	JSCAN_WS(p, end);
	if (p < end && *p == ',') {
		p++;
		goto element;
	}
	if (p < end && *p == open[depth - 1]) {
		p++;
		depth--;
		goto after;
	}
	s->p = p;
	if (p >= end)
		return jscan_fail(s, "premature end of input");
	return jscan_fail(s,
			  open[depth - 1] == ']' ? "expected ',' or ']'" : "expected ',' or '}'");
element:
	if (open[depth - 1] == '}' && !(p = jscan_skip_key(s, p)))
		return false;
	goto value;
}

void
jscan_where(const struct jscan *s, const char *at, int *line, int *col)
{
	const char *ls = s->start;

	*line = 1;
	for (const char *q = s->start; q < at; q++)
		if (*q == '\n') {
			(*line)++;
			ls = q + 1;
		}
	*col = (int)(at - ls) + 1;
}
