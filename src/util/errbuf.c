// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Error messages carried from where a failure is found to where the user is told about it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "ringside/util/errbuf.h"

void
errbuf_clear(struct errbuf *e)
{
	if (e)
		e->msg[0] = '\0';
}

int
errbuf_set(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	if (!e || e->msg[0])
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void
errbuf_reset(struct errbuf *e, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

bool
errbuf_isset(const struct errbuf *e)
{
	return e && e->msg[0];
}
