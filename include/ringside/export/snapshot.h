/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot JSON format (man/ringside-snapshot.5): writing a profile out and reading one back.
 * The reader validates everything; a bad file is rejected whole, with a message naming the
 * problem and where it is, never with a partial profile.
 */
#ifndef RINGSIDE_EXPORT_SNAPSHOT_H
#define RINGSIDE_EXPORT_SNAPSHOT_H

#include <stddef.h>
#include <stdio.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/* The format name and version written into every snapshot. */
#define SNAPSHOT_FORMAT	 "ringside-snapshot"
#define SNAPSHOT_VERSION 1

/* Write p as JSON to fp. Returns 0, or -EIO with err. */
int snapshot_write(const struct profile *p, FILE *fp, struct errbuf *err);
/* Write p to path atomically (temporary file + rename). Returns 0 or -errno with err. */
int snapshot_save(const struct profile *p, const char *path, struct errbuf *err);
/* Parse a snapshot from memory. Returns 0 and *out (the caller's), or -EINVAL with err. */
int snapshot_parse(const char *buf, size_t len, struct profile **out, struct errbuf *err);
/* Read a snapshot file. Returns 0 and *out, or -errno / -EINVAL with err naming the file. */
int snapshot_load(const char *path, struct profile **out, struct errbuf *err);

#endif
