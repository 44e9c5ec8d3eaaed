/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the stream's writer and reader (export/stream) share with the scheduler timeline's lines
 * (export/stream_sched) and nobody else uses: the field escaping and number parsing, and the
 * timeline's own writer and reader state.
 */
#ifndef RINGSIDE_EXPORT_STREAM_INTERNAL_H
#define RINGSIDE_EXPORT_STREAM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ringside/export/stream.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/* Write s as one field: bytes up to space, '%' and DEL as %XX; "-" when empty. */
void stream_put_field(FILE *fp, const char *s);
/* Undo stream_put_field in place; false when the escapes are malformed. */
bool stream_unescape(char *s);
/* A whole field as an unsigned / signed decimal; false when it is not one. */
bool stream_u64(const char *s, uint64_t *v);
bool stream_i64(const char *s, int64_t *v);

/*
 * p as a one-line snapshot (the caller's; NULL with err on failure) holding its tracks from..to-1
 * without their points, with an empty stack tree when stacks (and p samples), and no timeline;
 * its end_reason "running".
 */
char *stream_snapshot_line(const struct profile *p, size_t from, size_t to, bool stacks,
			   struct errbuf *err);

struct stream_events_writer;

/* Free the events' writer state; NULL is fine. */
void stream_events_writer_free(struct stream_events_writer *ew);
/* The heap bytes of the events' writer state (0 for NULL). */
size_t stream_events_writer_memory(const struct stream_events_writer *ew);
/*
 * With header, note p's tracks as the header wrote them; else write an E line for each track
 * whose span (added_ns, removed_ns) changed and an e line for each new one. *ew is created on
 * the first call. Returns 0 or -EIO with err.
 */
int stream_events_write(struct stream_events_writer **ew, FILE *fp, const struct profile *p,
			bool header, struct errbuf *err);

struct stream_events_reader;

/* Free the events' reader state; NULL is fine. */
void stream_events_reader_free(struct stream_events_reader *er);
/* An e line's snapshot (json): one event, named as none of p's. Returns 0 or -1 (corrupt). */
int stream_events_line_e(struct stream_events_reader **er, const struct profile *p,
			 const char *json);
/* An E line (fields f[0..n-1]). Returns 0 or -1 (corrupt). */
int stream_events_line_E(struct stream_events_reader **er, const struct profile *p, char **f,
			 size_t n);
/* Track i: p's, or one of an e line of the open interval; NULL when there is none. */
const struct counter_track *stream_events_track(const struct stream_events_reader *er,
						const struct profile *p, uint64_t i);
/* Move the open interval's new tracks into p and apply its spans (at the commit). */
void stream_events_commit(struct stream_events_reader *er, struct profile *p);

struct stream_sched_writer;

/* Free the timeline's writer state; NULL is fine. */
void stream_sched_writer_free(struct stream_sched_writer *sw);
/* The heap bytes of the timeline's writer state (0 for NULL). */
size_t stream_sched_writer_memory(const struct stream_sched_writer *sw);
/*
 * Write what p's scheduler timeline gained since the last call (the S line, changed tasks, the
 * runs closed and each CPU's run in progress, or with buckets the b lines of the summary buckets
 * they filled); *sw is created on the first call. A task not written yet waits while its run time
 * is under hold_permille thousandths of the CPUs' time so far and no run or bucket names it, and
 * the changes of a task written wait (up to 10 intervals) while it ran less than that more,
 * unless o->final.
 */
struct stream_sched_opts {
	bool buckets;		/* summary buckets (b lines) instead of runs */
	uint64_t bucket_ns;	/* their width; 0: the map's */
	unsigned hold_permille; /* the hold (0: none) */
	bool final;		/* the last interval: tasks written get their exact figures */
};
void stream_sched_write(struct stream_sched_writer **sw, FILE *fp, const struct profile *p,
			const struct stream_sched_opts *o);

struct stream_sched_reader;

/* Free the timeline's reader state; NULL is fine. */
void stream_sched_reader_free(struct stream_sched_reader *sr);
/*
 * One line of kind S, T, r or o (fields f[0..n-1], f[0] the kind), held until the commit; *sr is
 * created by the first S line. Returns 0, or -1 when the line is corrupt.
 */
int stream_sched_line(struct stream_sched_reader **sr, char **f, size_t n);
/* True when the open interval holds no timeline lines (or there is no timeline). */
bool stream_sched_idle(const struct stream_sched_reader *sr);
/* Apply the open interval's lines (the commit line was read). Returns 0, or -1 when corrupt. */
int stream_sched_commit(struct stream_sched_reader *sr);
/*
 * Give p (whose meta.duration_ns is set) the timeline of the committed intervals: p->sched,
 * sched_origin and sched_switches, and sched_json with the recording's event count. NULL is fine.
 */
void stream_sched_build(struct stream_sched_reader *sr, struct profile *p);

/* The compressed form (stream_gz): gzip with a sync flush per interval. */
struct stream_gz;
struct stream_gz_in;

/* True when buf (len bytes, a stream's start) begins with gzip's magic: a compressed stream. */
bool stream_gz_sniff(const void *buf, size_t len);
/* A FILE whose bytes are deflated into out (borrowed); *zp its state, freed by fclose. */
FILE *stream_gz_writer(FILE *out, struct stream_gz **zp);
/* Flush fp (a stream_gz_writer) through a sync flush, or finish the gzip stream. 0 or -1. */
int stream_gz_sync(FILE *fp, struct stream_gz *z, bool finish);
/*
 * A FILE reading the decompressed text of in (borrowed); *gp its state, for stream_gz_error and
 * freed by stream_gz_in_free after the FILE is closed. A cut-short input reads as an end of file.
 */
FILE *stream_gz_reader(FILE *in, struct stream_gz_in **gp);
/* An inflater fed by stream_gz_feed. */
struct stream_gz_in *stream_gz_inflater(void);
/* Inflate in (len bytes), appending to *buf (*blen used of *bcap, grown). 0, or -1 when corrupt. */
int stream_gz_feed(struct stream_gz_in *g, const void *in, size_t len, char **buf, size_t *blen,
		   size_t *bcap);
/* zlib's word for corrupt compressed data, or NULL. */
const char *stream_gz_error(const struct stream_gz_in *g);
/* Free an inflater; NULL is fine. */
void stream_gz_in_free(struct stream_gz_in *g);
/* stream_read of the text form (stream_read tells the forms apart). */
int stream_read_text(FILE *fp, const char *name, struct profile **out, struct stream_stats *st,
		     struct errbuf *err);

#endif
