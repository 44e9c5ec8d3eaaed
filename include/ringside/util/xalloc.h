/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation that cannot fail: on exhaustion the registered cleanup hook runs (the UI restores the
 * terminal there), a message is printed and the process exits. Callers never check for NULL.
 */
#ifndef RINGSIDE_UTIL_XALLOC_H
#define RINGSIDE_UTIL_XALLOC_H

#include <stddef.h>

/* Called once before an out-of-memory exit; set by whoever owns the terminal. */
typedef void (*xalloc_cleanup_fn)(void);

/* Register the hook run before an out-of-memory exit (NULL clears it). */
void xalloc_set_cleanup(xalloc_cleanup_fn fn);

/* malloc that never returns NULL. */
void *xmalloc(size_t size);
/* calloc that never returns NULL and checks nmemb * size for overflow. */
void *xcalloc(size_t nmemb, size_t size);
/* realloc that never returns NULL. */
void *xrealloc(void *ptr, size_t size);
/* reallocarray that never returns NULL and checks nmemb * size for overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
/* strdup that never returns NULL; xstrdup(NULL) returns NULL. */
char *xstrdup(const char *s);
/* strndup that never returns NULL. */
char *xstrndup(const char *s, size_t n);
/* asprintf that never fails; the result is the caller's. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
