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

/*
 * The largest snapshot file (.json, or the JSON inside an .html page) that is read: 2 GiB. A file
 * over it is refused before it is read, so a mistaken multi-GB file or a device cannot take the
 * machine with it. The figure is the largest snapshot a 24-hour recording writes, with a margin:
 * ringside record -a at the default 1 s interval with the six default events gives per CPU
 * 6 events x 86,400 intervals x ~48 bytes (t, count, enabled, running) = 24.9 MB of counters plus
 * 36,000 scheduler summary buckets x ~50 bytes = 1.8 MB; and whatever the number of CPUs, the
 * stack tree (at most 2^19 + 2^16 + 1 nodes: ~21 MB of nodes, ~65 MB of frames and names), the
 * exact runs of the last 60 s (at most 2^21: ~78 MB) and the folded tasks (a few MB), ~170 MB. On
 * 64 CPUs that is ~1.75 GiB, under the limit by some 15 %; on 8 CPUs ~390 MB. Only more CPUs, more
 * events or a shorter -I make more, and those can record less (-C, -e, -I) or split the day.
 */
#define SNAPSHOT_MAX_BYTES ((size_t)2 << 30)

/* Write p as JSON to fp. Returns 0, or -EIO with err. */
int snapshot_write(const struct profile *p, FILE *fp, struct errbuf *err);
/* Write p to path atomically (temporary file + rename). Returns 0 or -errno with err. */
int snapshot_save(const struct profile *p, const char *path, struct errbuf *err);
/* Parse a snapshot from memory. Returns 0 and *out (the caller's), or -EINVAL with err. */
int snapshot_parse(const char *buf, size_t len, struct profile **out, struct errbuf *err);
/*
 * Parse what 'ringside diff' needs of a snapshot: meta, events, ratios, the stack tree and the
 * scheduler's task summaries, all checked as snapshot_parse checks them; the rest (the scheduler's
 * runs, the time index, addresses, memory, ...) is only checked to be JSON and left out.
 */
int snapshot_parse_diff(const char *buf, size_t len, struct profile **out, struct errbuf *err);
/*
 * Read a snapshot file (.json, or an .html page ringside wrote) of at most SNAPSHOT_MAX_BYTES.
 * Returns 0 and *out, or -errno / -EINVAL with err naming the file; -ESPIPE (not a regular file)
 * and -EFBIG (over the limit) are recorded as bad input.
 */
int snapshot_load(const char *path, struct profile **out, struct errbuf *err);
/* As snapshot_load, with a limit of max bytes for the file and for the JSON a page holds. */
int snapshot_load_max(const char *path, size_t max, struct profile **out, struct errbuf *err);
/* As snapshot_load, read with snapshot_parse_diff. */
int snapshot_load_diff(const char *path, struct profile **out, struct errbuf *err);

#endif
