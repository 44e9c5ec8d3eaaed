/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A stream (man/ringside-stream.5) read as it arrives, for `view -`: bytes are taken from a
 * non-blocking descriptor whenever it is readable, and the profile of the intervals committed so
 * far is rebuilt on demand by the one stream reader (stream_read over the bytes kept), so every
 * check of a whole-file read holds: a corrupt line fails with its number, an interval counts only
 * at its commit line. Each rebuild costs time in proportion to what arrived, so rebuilds are
 * spaced to keep them under about a fifth of one CPU; a long stream refreshes less often.
 */
#ifndef RINGSIDE_EXPORT_STREAM_LIVE_H
#define RINGSIDE_EXPORT_STREAM_LIVE_H

#include <stdbool.h>
#include <stdint.h>

#include "ringside/export/stream.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

struct stream_live;

/* A reader of the stream called name (for messages). */
struct stream_live *stream_live_new(const char *name);
/* Free it; NULL is fine. */
void stream_live_free(struct stream_live *l);
/*
 * Read what fd holds now (fd non-blocking, or one read when it is not). Returns 0, or -EINVAL
 * with err when a line is longer than STREAM_MAX_LINE, -EIO when the read fails; end of file sets
 * stream_live_eof.
 */
int stream_live_read(struct stream_live *l, int fd, struct errbuf *err);
/* True once the descriptor reached its end (the sender ended or the connection dropped). */
bool stream_live_eof(const struct stream_live *l);
/* True when the header line has arrived (a profile can be built). */
bool stream_live_started(const struct stream_live *l);
/*
 * The monotonic time (ns) at which a rebuild is due: something new was committed (or the stream
 * ended) and the spacing after the last rebuild has passed; UINT64_MAX when nothing is new.
 */
uint64_t stream_live_due(const struct stream_live *l);
/*
 * Rebuild: a new profile (*out, the caller's) of every committed interval, or at the end of the
 * stream of all that arrived, with st as stream_read fills it. Returns 0, or -EINVAL (a corrupt
 * line, named with its number) / -EIO with err.
 */
int stream_live_build(struct stream_live *l, struct profile **out, struct stream_stats *st,
		      struct errbuf *err);

#endif
