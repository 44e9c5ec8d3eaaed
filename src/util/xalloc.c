// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Allocation wrappers that exit cleanly on exhaustion, so that no caller carries NULL checks and
 * the terminal is restored before the message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"

static xalloc_cleanup_fn xalloc_cleanup;

void
xalloc_set_cleanup(xalloc_cleanup_fn fn)
{
	xalloc_cleanup = fn;
}

static _Noreturn void
xalloc_die(size_t size)
{
	if (xalloc_cleanup)
		xalloc_cleanup();
	fprintf(stderr,
		"ringside: out of memory allocating %zu bytes; close other programs or record "
		"less\n",
		size);
	exit(1);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		xalloc_die(size);
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		xalloc_die(nmemb * size);
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		xalloc_die(size);
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	size_t bytes;

	if (__builtin_mul_overflow(nmemb, size, &bytes))
		xalloc_die(SIZE_MAX);
	return xrealloc(ptr, bytes);
}

char *
xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		xalloc_die(n + 1);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		xalloc_die(strlen(fmt));
	return s;
}
