/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A failure carried from where it is found to where the user is told about it: a one-line message
 * that names the thing at fault and the fix, the code the failing function returned, and the
 * failure's class, which picks the exit status (bad input 2, a runtime failure 1). The kind of a
 * failure is a value here, never read back from the message's wording. The first failure recorded
 * wins; later ones are ignored, so the deepest cause survives.
 */
#ifndef RINGSIDE_UTIL_ERRBUF_H
#define RINGSIDE_UTIL_ERRBUF_H

#include <stdbool.h>

enum errbuf_class {
	ERRBUF_NONE,	/* nothing recorded */
	ERRBUF_INPUT,	/* the user's input is at fault (an option, a file, a PID): exit 2 */
	ERRBUF_RUNTIME, /* the input was fine and something failed while running: exit 1 */
};

struct errbuf {
	char msg[1024];
	int code;		 /* the code returned with the message (a negative errno), or 0 */
	enum errbuf_class class; /* ERRBUF_NONE until a failure is recorded */
};

/* Empty the buffer. */
void errbuf_clear(struct errbuf *e);
/*
 * Record a failure unless one is recorded already; e may be NULL. The class follows from code
 * (errbuf_class_of). errno is saved before the message is formatted and restored after, so a
 * caller may still read it. Returns code, so that a failure can be `return errbuf_fail(...)`.
 */
int errbuf_fail(struct errbuf *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As errbuf_fail, with the class given rather than derived from code. */
int errbuf_fail_as(struct errbuf *e, enum errbuf_class class, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/*
 * Replace the message whatever it held, keeping the code and class (set them when none is); the
 * arguments may include e->msg (to add to the message).
 */
void errbuf_reword(struct errbuf *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * The caller who knows the user's intent re-classes a failure a callee recorded (a permission
 * refused while opening events is the machine's policy, not bad input): when one is recorded,
 * its code and class become these. Returns code.
 */
int errbuf_recode(struct errbuf *e, enum errbuf_class class, int code);
/* True when a failure is recorded. */
bool errbuf_isset(const struct errbuf *e);
/*
 * The class of a code when nothing says otherwise: the user's input for -EINVAL, -ENOENT, -ESRCH,
 * -ENODEV, -EISDIR, -ENOTDIR, -EROFS and -EACCES (a bad name, a missing PID or file, a CPU not
 * there, a path that cannot be written, no permission); a runtime failure for any other code.
 */
enum errbuf_class errbuf_class_of(int code);
/* The exit status for what e holds: 0 when nothing is recorded, 2 for input, 1 for runtime. */
int errbuf_exit_status(const struct errbuf *e);

#endif
