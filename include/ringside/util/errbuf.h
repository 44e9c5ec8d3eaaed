/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fixed-size message buffer that functions fill when they fail, so that the caller who knows the
 * user's intent can print one line that names the thing at fault and the fix. The first message
 * set wins; later ones are ignored, so the deepest cause survives.
 */
#ifndef RINGSIDE_UTIL_ERRBUF_H
#define RINGSIDE_UTIL_ERRBUF_H

#include <stdbool.h>

struct errbuf {
	char msg[1024];
};

/* Empty the buffer. */
void errbuf_clear(struct errbuf *e);
/* Set the message unless one is already set; e may be NULL. Returns -EINVAL, so that a bad-input
 * failure can be `return errbuf_set(...)`. */
int errbuf_set(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Replace the message whatever it held; e may be NULL. */
void errbuf_reset(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* True when a message is set. */
bool errbuf_isset(const struct errbuf *e);

#endif
