/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing a profile to a file whose format its name chooses: FILE.json (a snapshot,
 * man/ringside-snapshot.5), FILE.html (the self-contained page), FILE.folded (folded stacks) or
 * FILE.pb.gz (gzipped pprof, export/pprof.h).
 * record, export, and the live screen's -o and 's' all write through here.
 */
#ifndef RINGSIDE_EXPORT_EXPORT_H
#define RINGSIDE_EXPORT_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

enum export_format {
	EXPORT_UNKNOWN,
	EXPORT_JSON,
	EXPORT_HTML,
	EXPORT_FOLDED,
	EXPORT_PPROF,
};

/* The extensions, for messages: ".json, .html, .folded or .pb.gz". */
#define EXPORT_EXTENSIONS ".json, .html, .folded or .pb.gz"

/* The format path's extension names, or EXPORT_UNKNOWN. */
enum export_format export_format_of(const char *path);
/* True when path ends in an extension export_write_path knows. */
bool export_format_known(const char *path);
/* Write p in format f to fp. Returns 0, or -EINVAL / -EIO with err. */
int export_write(const struct profile *p, enum export_format f, FILE *fp, struct errbuf *err);
/*
 * As export_write, to fp that will become the file path: a failure says "cannot write 'PATH':
 * CAUSE" (the cause of the failed write, or "Invalid argument" for a profile that cannot be
 * written in format f). Returns 0 or the writer's -errno with err.
 */
int export_write_as(const struct profile *p, enum export_format f, FILE *fp, const char *path,
		    struct errbuf *err);
/* Write p to path atomically, in the format its extension names. Returns 0, or -EINVAL with err
 * for an unknown extension (or stacks asked of a profile without them), -errno for I/O. */
int export_write_path(const struct profile *p, const char *path, struct errbuf *err);

#endif
