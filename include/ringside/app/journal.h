/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The journal: what a recording with an output file keeps beside it as it goes, so that an
 * unclean end (kill -9, the OOM killer, a crash) loses at most the interval under way, a power loss
 * at most the one before it too.
 * The journal of DIR/NAME is DIR/.NAME.journal (DIR/.NAME.2.journal, .3 ... when one of an unclean
 * end is already there, which is never touched), in the stream format (export/stream), appended
 * once per interval and fsync'd right after by a thread of its own (so the recording's thread
 * never waits on the disk), locked with flock while its recording lives. A clean end
 * writes the output as always and removes the journal; `ringside recover` turns a journal left
 * behind into the snapshot, and `view` and `export` read one as they read a snapshot.
 */
#ifndef RINGSIDE_APP_JOURNAL_H
#define RINGSIDE_APP_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/export/stream.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

struct journal;

/*
 * The journals of unclean ends for output (DIR/.NAME.journal and DIR/.NAME.N.journal that no
 * running ringside holds): their number, and the first one's path in *first (the caller's; NULL
 * when none).
 */
size_t journal_find(const char *output, char **first);
/* True when a running ringside still writes the journal at path (holds its lock). */
bool journal_in_use(const char *path);
/* A journal for output, created now (a new name beside it). Returns 0 and *out or -errno. */
int journal_open(struct journal **out, const char *output, struct errbuf *err);
/* The journal's path (borrowed). */
const char *journal_path(const struct journal *j);
/*
 * Append p's interval ending duration_ns after the start (the header first, the first time),
 * flush it and ask the fsync thread for its fsync (done in place when there is no thread). Returns
 * 0 or -errno with err, which is also an earlier append's failed fsync.
 */
int journal_append(struct journal *j, const struct profile *p, uint64_t duration_ns,
		   struct errbuf *err);
/*
 * The heap bytes the journal's stream writer keeps (what it wrote of the tree and the timeline),
 * and the timeline's part of them in *sched (when not NULL). 0 for NULL.
 */
size_t journal_memory(const struct journal *j, size_t *sched);
/*
 * The recording ended: free the stream writer's state (what it wrote of the tree), which nothing
 * needs any more, before the snapshot is written beside it; the file and its lock stay, for
 * recover should the snapshot not be written. Appends do nothing from now on. NULL is fine.
 */
void journal_rest(struct journal *j);
/* Close the journal; with remove (the output was written), delete it. NULL is fine. */
void journal_close(struct journal *j, bool remove);
/*
 * The output a journal was kept for: DIR/NAME for DIR/.NAME.journal or DIR/.NAME.N.journal.
 * Returns it (the caller's) or NULL when path is not named so.
 */
char *journal_output_of(const char *path);
/*
 * Read the journal (or stream) at path: a regular file, lines bounded as export/stream reads
 * them. Returns 0 and *out, *st; or -errno with err (bad input: exit 2).
 */
int journal_load(const char *path, struct profile **out, struct stream_stats *st,
		 struct errbuf *err);
/*
 * Read a snapshot (.json, .html) or a journal, whichever path holds (view and export); "-" reads
 * a stream from stdin (not a terminal). Returns 0 and *out; 1 and *out when the stream on stdin
 * had no end line (cut short: said on stderr, what arrived kept); or -errno with err.
 */
int journal_load_any(const char *path, struct profile **out, struct errbuf *err);

#endif
