// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Failures carried from where they are found to where the user is told about them, with their
 * code and class as values.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ringside/util/errbuf.h"

void
errbuf_clear(struct errbuf *e)
{
	if (!e)
		return;
	e->msg[0] = '\0';
	e->code = 0;
	e->class = ERRBUF_NONE;
}

enum errbuf_class
errbuf_class_of(int code)
{
	switch (-code) {
	case EINVAL:
	case ENOENT:
	case ESRCH:
	case ENODEV:
	case EISDIR:
	case ENOTDIR:
	case EROFS:
	case EACCES:
		return ERRBUF_INPUT;
	default:
		return ERRBUF_RUNTIME;
	}
}

/* The one place a failure is recorded; errno survives the formatting. */
static int
errbuf_vfail(struct errbuf *e, enum errbuf_class class, int code, const char *fmt, va_list ap)
{
	int saved = errno;

	if (!e || e->class != ERRBUF_NONE || e->msg[0])
		return code;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	e->code = code;
	e->class = class;
	errno = saved;
	return code;
}

int
errbuf_fail(struct errbuf *e, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vfail(e, errbuf_class_of(code), code, fmt, ap);
	va_end(ap);
	return code;
}

int
errbuf_fail_as(struct errbuf *e, enum errbuf_class class, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errbuf_vfail(e, class, code, fmt, ap);
	va_end(ap);
	return code;
}

void
errbuf_reword(struct errbuf *e, const char *fmt, ...)
{
	int saved = errno;
	char msg[sizeof(e->msg)];
	va_list ap;

	if (!e)
		return;
	/* Through a copy: the arguments may be e->msg itself (a prefix to the message). */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memcpy(e->msg, msg, sizeof(msg));
	if (e->class == ERRBUF_NONE) {
		e->class = ERRBUF_RUNTIME;
		e->code = e->code ? e->code : -EIO;
	}
	errno = saved;
}

int
errbuf_recode(struct errbuf *e, enum errbuf_class class, int code)
{
	if (e && e->class != ERRBUF_NONE) {
		e->class = class;
		e->code = code;
	}
	return code;
}

bool
errbuf_isset(const struct errbuf *e)
{
	return e && (e->msg[0] || e->class != ERRBUF_NONE);
}

int
errbuf_exit_status(const struct errbuf *e)
{
	if (!e)
		return 0;
	switch (e->class) {
	case ERRBUF_INPUT:
		return 2;
	case ERRBUF_RUNTIME:
		return 1;
	default:
		return e->msg[0] ? 1 : 0;
	}
}
