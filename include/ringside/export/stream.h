/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The stream format (man/ringside-stream.5): one versioned line format of interval updates, the
 * journal a recording keeps beside its output and the stream `record --stream` is to write. A
 * header line holds the profile as it was at the start (a one-line snapshot: meta, events,
 * ratios); then each interval's counter points, new frames and stack nodes, and the changes of
 * each node's self count, closed by a commit line; an end line after a clean end. The writer
 * keeps what it has written, so each interval writes only what changed. The reader bounds every
 * line, applies an interval only at its commit line (an interval cut short is the lost tail),
 * rejects a corrupt line with its number and rebuilds the profile the snapshot writer takes.
 */
#ifndef RINGSIDE_EXPORT_STREAM_H
#define RINGSIDE_EXPORT_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/* The first word of the header line and the newest version after it (4: compact node ids). */
#define STREAM_FORMAT  "ringside-stream"
#define STREAM_VERSION 4
/* The longest line read (the header, a frame with a long C++ name): 1 MiB. */
#define STREAM_MAX_LINE ((size_t)1 << 20)

struct stream_writer;

/* A writer to fp (borrowed; the caller flushes and closes it). */
struct stream_writer *stream_writer_new(FILE *fp);
/* A writer of the compressed form (version 4: gzip, a sync flush per interval) to fp; NULL on
 * failure (out of memory). */
struct stream_writer *stream_writer_new_gz(FILE *fp);
/* Before the header: write the scheduler timeline as summary buckets (b lines, version 3 on), one
 * per CPU and bucket width, instead of every run (r, o lines). */
void stream_writer_summarize(struct stream_writer *w);
/* Before the first interval: the summary buckets' width in ns (0, the default: the scheduler
 * map's; else at least its width and at most SCHEDMAP_MAX_BUCKET_NS). */
void stream_writer_bucket(struct stream_writer *w, uint64_t ns);
/*
 * From the next interval, a stack node not yet written waits while its samples (its total) are
 * under permille thousandths of all samples: its subtree counts in an "[other]" node under its
 * parent until it grows past that (then it is written and [other] gives its samples back); new
 * samples of a node written, fewer than the share, wait (STREAM_HOLD_STALE intervals at most).
 * 0 (the default) writes every node. A last interval written with 0 makes the tree exact.
 */
void stream_writer_hold(struct stream_writer *w, unsigned permille);
/*
 * The next interval is the last: what was written (nodes, tasks) gets its exact counts, while
 * what the hold kept back stays in [other] (nodes) or unwritten (tasks); without a hold, the
 * stream's tree is the recording's exactly.
 */
void stream_writer_final(struct stream_writer *w);
/* A node's change under the share waits this many intervals at most (stream_writer_hold). */
#define STREAM_HOLD_STALE 10u
/* What record --stream holds back (stream_writer_hold) unless --stream-detail: 5 per mille, under
 * a column of a flame graph 200 columns wide. */
#define STREAM_HOLD_PERMILLE 5u
/* Free the writer; NULL is fine. */
void stream_writer_free(struct stream_writer *w);
/* The heap bytes the writer holds (what it keeps of what it wrote), the timeline's included. */
size_t stream_writer_memory(const struct stream_writer *w);
/* The part of stream_writer_memory that the scheduler timeline's tasks and CPUs hold. */
size_t stream_writer_sched_memory(const struct stream_writer *w);
/* Write the header line: p as it is now, without its samples. Returns 0 or -EIO with err. */
int stream_write_header(struct stream_writer *w, const struct profile *p, struct errbuf *err);
/*
 * Write what p gained since the last call (counter points, frames, nodes, self changes) and the
 * commit line of the interval ending duration_ns after the start. Returns 0 or -EIO with err.
 */
int stream_write_interval(struct stream_writer *w, const struct profile *p, uint64_t duration_ns,
			  struct errbuf *err);
/* Write the end line (why the recording ended). Returns 0 or -EIO with err. */
int stream_write_end(struct stream_writer *w, const char *reason, struct errbuf *err);

/* What a read found: the whole intervals, and what was cut short at the tail. */
struct stream_stats {
	size_t lines;	      /* whole lines read */
	size_t intervals;     /* committed intervals */
	uint64_t samples;     /* samples in the committed intervals */
	uint64_t duration_ns; /* the last committed interval's end */
	size_t lost_lines;    /* whole lines after the last commit */
	size_t lost_bytes;    /* bytes after the last commit (a cut line's included) */
	bool ended;	      /* the end line was read */
};

/*
 * Read a stream, text or compressed (told by its first byte), from fp (name for messages) into a
 * new profile (*out, the caller's), applying every committed interval. A corrupt line fails with
 * -EINVAL naming its line; a cut-short tail is not an error (st says what it held). Returns 0, or
 * -EINVAL / -EIO with err.
 */
int stream_read(FILE *fp, const char *name, struct profile **out, struct stream_stats *st,
		struct errbuf *err);
/* True when buf (len bytes, the start of a file) begins with the stream's header word. */
bool stream_sniff(const char *buf, size_t len);
/* True when buf (len bytes, the start of a file) is a stream's compressed form: gzip whose text
 * begins with the header word. */
bool stream_sniff_gz(const void *buf, size_t len);

#endif
