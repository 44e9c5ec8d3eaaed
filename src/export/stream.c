// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream format's writer and reader (man/ringside-stream.5). Lines, each ending in '\n':
 *
 *   ringside-stream 1 SNAPSHOT        the header: a one-line snapshot of the start (no samples)
 *   c TRACK CPU T COUNT ENABLED RUN   a counter point of track TRACK's series for CPU (-1: all)
 *   f ID KIND LINE INLINED NAME MODULE FILE   a frame (strings %-escaped, "-" when empty)
 *   n ID PARENT FRAME                 a stack node (0 is the root; ids dense from 1)
 *   s ID DELTA                        a change of node ID's self samples (signed)
 *   x ID                              node ID has left the tree; its id may be defined again
 *   i SEQ T SAMPLES LOST THROTTLED BAD   the commit of interval SEQ ending T ns after the start
 *   end REASON                        a clean end
 *
 * Version 4 (record --stream) writes n lines as "n PARENT FRAME" (the id implicit: the last given
 * up, else the next; PARENT "." for the previous n line's node) and the ids of s and x lines as
 * gaps; the writer can hold back small paths in [other] (stream_writer_hold).
 *
 * The writer is export/stream_write.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/snapshot.h"
#include "ringside/export/stream.h"
#include "ringside/util/xalloc.h"

#include "stream_internal.h"

bool
stream_sniff(const char *buf, size_t len)
{
	size_t n = strlen(STREAM_FORMAT " ");

	return len >= n && memcmp(buf, STREAM_FORMAT " ", n) == 0;
}

/* The reader's state: the profile being rebuilt, the stream's ids and the open interval. */
struct stream_pending {
	uint32_t track;
	int cpu;
	uint64_t v[4]; /* t, count, enabled, running */
};

/* A node id given up (x line), in the reader's parent array. */
#define STREAM_FREE UINT32_MAX

struct stream_reader {
	struct profile *p;
	uint32_t *fmap; /* stream frame id -> profile frame id */
	size_t nfmap;
	uint32_t *parent, *frame; /* per node id */
	int64_t *self;
	size_t nnodes;
	struct stream_pending *pc;
	size_t npc;
	uint64_t *ps; /* pending self changes: id, delta pairs */
	size_t nps;
	uint32_t *px; /* pending ids given up */
	size_t npx;
	struct stream_stats *st;
	long version;	 /* the header's */
	uint32_t *freed; /* version 4: ids given up, taken again last first */
	size_t nfreed;
	uint32_t last_n; /* version 4: the node the interval's last n line defined (0: none) */
	uint64_t prev_s; /* version 4: the interval's last s line's id */
	uint64_t prev_x; /* version 4: the interval's last x line's id */
	bool any_s;	 /* version 4: an s line was read this interval */
	struct stream_sched_reader *sched;   /* version 2's scheduler timeline */
	struct stream_events_reader *events; /* version 2's events added and removed */
};

/* The most fields a line has (a T line). */
#define STREAM_MAX_FIELDS 19

/* Split line into at most max fields at single spaces; returns the count (max + 1: too many). */
static size_t
stream_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	for (char *c = line;; c++) {
		if (n > max)
			return n;
		f[n++] = c;
		c = strchr(c, ' ');
		if (!c)
			return n;
		*c = '\0';
	}
}

bool
stream_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !*end && errno == 0;
}

bool
stream_i64(const char *s, int64_t *v)
{
	char *end;

	if (!*s || (*s != '-' && (*s < '0' || *s > '9')))
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !*end && errno == 0;
}

bool
stream_unescape(char *s)
{
	char *o = s;

	if (strcmp(s, "-") == 0) {
		*s = '\0';
		return true;
	}
	for (char *c = s; *c; c++) {
		unsigned hi, lo;

		if (*c != '%') {
			*o++ = *c;
			continue;
		}
		if (sscanf(c + 1, "%1x%1x", &hi, &lo) != 2 || hi * 16 + lo == 0)
			return false;
		*o++ = (char)(hi * 16 + lo);
		c += 2;
	}
	*o = '\0';
	return true;
}

static int
stream_line_f(struct stream_reader *r, char **f, size_t n)
{
	uint64_t id, line, inl;
	enum frame_kind kind;

	if (n != 8 || !stream_u64(f[1], &id) || id != r->nfmap + 1 ||
	    !frame_kind_parse(f[2], &kind) || kind >= FRAME_KIND_COUNT ||
	    !stream_u64(f[3], &line) || line > UINT32_MAX || !stream_u64(f[4], &inl) || inl > 1 ||
	    !stream_unescape(f[5]) || !stream_unescape(f[6]) || !stream_unescape(f[7]))
		return -1;
	if (r->nfmap % 1024 == 0)
		r->fmap = xreallocarray(r->fmap, r->nfmap + 1024, sizeof(*r->fmap));
	r->fmap[r->nfmap++] =
		frametab_intern(r->p->frames, f[5], f[6], f[7], (uint32_t)line, kind, inl == 1);
	return 0;
}

/* Define node id (a new one or one given up) under parent with stream frame frame. */
static int
stream_node_put(struct stream_reader *r, uint64_t id, uint64_t parent, uint64_t frame)
{
	/* A new id, or one given up by an earlier interval; the parent a node held now. */
	if (id == 0 || id > r->nnodes || (id < r->nnodes && r->parent[id] != STREAM_FREE) ||
	    parent >= r->nnodes || parent == id || (parent && r->parent[parent] == STREAM_FREE) ||
	    frame == 0 || frame > r->nfmap)
		return -1;
	if (id < r->nnodes) {
		r->parent[id] = (uint32_t)parent;
		r->frame[id] = r->fmap[frame - 1];
		r->self[id] = 0;
		return 0;
	}
	if (r->nnodes % 1024 == 0) {
		r->parent = xreallocarray(r->parent, r->nnodes + 1024, sizeof(*r->parent));
		r->frame = xreallocarray(r->frame, r->nnodes + 1024, sizeof(*r->frame));
		r->self = xreallocarray(r->self, r->nnodes + 1024, sizeof(*r->self));
	}
	r->parent[r->nnodes] = (uint32_t)parent;
	r->frame[r->nnodes] = r->fmap[frame - 1];
	r->self[r->nnodes++] = 0;
	return 0;
}

/*
 * n ID PARENT FRAME; version 4: n PARENT FRAME, the id the last given up (else the next new), the
 * parent "." for the node the interval's previous n line defined.
 */
static int
stream_line_n(struct stream_reader *r, char **f, size_t n)
{
	uint64_t id, parent, frame;

	if (!r->p->stacks)
		return -1;
	if (r->version < 4)
		return n == 4 && stream_u64(f[1], &id) && stream_u64(f[2], &parent) &&
				       stream_u64(f[3], &frame)
			       ? stream_node_put(r, id, parent, frame)
			       : -1;
	if (n != 3 || !stream_u64(f[2], &frame))
		return -1;
	if (strcmp(f[1], ".") == 0 && r->last_n)
		parent = r->last_n;
	else if (!stream_u64(f[1], &parent))
		return -1;
	id = r->nfreed ? r->freed[r->nfreed - 1] : r->nnodes;
	if (stream_node_put(r, id, parent, frame) < 0)
		return -1;
	if (r->nfreed)
		r->nfreed--;
	r->last_n = (uint32_t)id;
	return 0;
}

static int
stream_line_c(struct stream_reader *r, char **f, size_t n)
{
	const struct counter_track *t;
	struct stream_pending c;
	int64_t cpu;

	if (n != 7 || !stream_u64(f[1], &c.v[0]) ||
	    !(t = stream_events_track(r->events, r->p, c.v[0])) || !t->supported ||
	    !stream_i64(f[2], &cpu) || cpu < -1 || cpu > 65535)
		return -1;
	c.track = (uint32_t)c.v[0];
	c.cpu = (int)cpu;
	for (size_t k = 0; k < 4; k++)
		if (!stream_u64(f[3 + k], &c.v[k]))
			return -1;
	if (r->npc % 256 == 0)
		r->pc = xreallocarray(r->pc, r->npc + 256, sizeof(*r->pc));
	r->pc[r->npc++] = c;
	return 0;
}

static int
stream_line_s(struct stream_reader *r, char **f, size_t n)
{
	uint64_t id;
	int64_t d;

	if (n != 3 || !r->p->stacks || !stream_u64(f[1], &id))
		return -1;
	if (r->version >= 4) {
		/* The gap from the interval's last s line's id (the first's from 0). */
		if ((r->any_s && id == 0) || id >= r->nnodes - r->prev_s)
			return -1;
		id += r->prev_s;
		r->prev_s = id;
		r->any_s = true;
	}
	if (id >= r->nnodes || (id && r->parent[id] == STREAM_FREE) || !stream_i64(f[2], &d))
		return -1;
	if (r->nps % 512 == 0)
		r->ps = xreallocarray(r->ps, r->nps + 512, sizeof(*r->ps));
	r->ps[r->nps++] = id;
	r->ps[r->nps++] = (uint64_t)d;
	return 0;
}

/* A node id given up (its count 0 by the commit), to be defined again later. */
static int
stream_line_x(struct stream_reader *r, char **f, size_t n)
{
	uint64_t id;

	if (n != 2 || !r->p->stacks || !stream_u64(f[1], &id) || id == 0)
		return -1;
	if (r->version >= 4) {
		/* The gap from the interval's last x line's id (the first's from 0). */
		if (id >= r->nnodes - r->prev_x)
			return -1;
		id += r->prev_x;
		r->prev_x = id;
	}
	if (id >= r->nnodes || r->parent[id] == STREAM_FREE)
		return -1;
	if (r->npx % 512 == 0)
		r->px = xreallocarray(r->px, r->npx + 512, sizeof(*r->px));
	r->px[r->npx++] = (uint32_t)id;
	return 0;
}

/* An interval's commit: what it held joins the profile. */
static int
stream_line_i(struct stream_reader *r, char **f, size_t n)
{
	uint64_t v[6];

	if (n != 7)
		return -1;
	for (size_t k = 0; k < 6; k++)
		if (!stream_u64(f[1 + k], &v[k]))
			return -1;
	if (v[0] != r->st->intervals + 1 || v[1] < r->st->duration_ns ||
	    stream_sched_commit(r->sched) < 0)
		return -1;
	stream_events_commit(r->events, r->p);
	for (size_t k = 0; k < r->npc; k++) {
		struct stream_pending *c = &r->pc[k];

		counter_series_append(counter_track_series(&r->p->tracks[c->track], c->cpu),
				      c->v[0], c->v[1], c->v[2], c->v[3]);
	}
	for (size_t k = 0; k < r->nps; k += 2)
		r->self[r->ps[k]] += (int64_t)r->ps[k + 1];
	if (r->version >= 4)
		r->freed = xreallocarray(r->freed, r->nfreed + r->npx + 1, sizeof(*r->freed));
	for (size_t k = 0; k < r->npx; k++) {
		if (r->self[r->px[k]] != 0)
			return -1;
		r->parent[r->px[k]] = STREAM_FREE;
		if (r->version >= 4)
			r->freed[r->nfreed++] = r->px[k];
	}
	r->npc = r->nps = r->npx = 0;
	r->last_n = 0;
	r->prev_s = r->prev_x = 0;
	r->any_s = false;
	r->st->intervals++;
	r->st->duration_ns = v[1];
	r->st->samples = v[2];
	r->p->sampling.lost = v[3];
	r->p->sampling.throttled = v[4];
	r->p->sampling.bad_records = v[5];
	return 0;
}

/* The header: the format and version, then the start as a one-line snapshot. */
static int
stream_header(struct stream_reader *r, char *line, size_t len, const char *name, struct errbuf *err)
{
	size_t n = strlen(STREAM_FORMAT " ");
	char *end;
	long v;

	if (!stream_sniff(line, len))
		return errbuf_fail(err, -EINVAL,
				   "'%s' is not a ringside journal or stream (line 1 must start "
				   "with \"" STREAM_FORMAT "\")",
				   name);
	v = strtol(line + n, &end, 10);
	if (end == line + n || *end != ' ')
		return errbuf_fail(err, -EINVAL, "'%s' line 1: no version after \"%s\"", name,
				   STREAM_FORMAT);
	if (v < 1 || v > STREAM_VERSION)
		return errbuf_fail(err, -EINVAL,
				   "'%s' is stream version %ld; this ringside reads versions 1 to "
				   "%d (use a newer ringside)",
				   name, v, STREAM_VERSION);
	r->version = v;
	end++;
	if (snapshot_parse(end, (size_t)(line + len - end), &r->p, err) < 0) {
		errbuf_reword(err, "'%s' line 1: %s", name, err->msg);
		return -EINVAL;
	}
	if (r->p->stacks) {
		r->parent = xcalloc(1024, sizeof(*r->parent));
		r->frame = xcalloc(1024, sizeof(*r->frame));
		r->self = xcalloc(1024, sizeof(*r->self));
		r->nnodes = 1; /* the root */
	}
	return 0;
}

/* One whole line after the header. Returns 0, 1 for the end line, -1 when corrupt. */
static int
stream_line(struct stream_reader *r, char *line)
{
	char *f[STREAM_MAX_FIELDS + 1];
	size_t n;

	/* An event added: a one-line snapshot, whose strings may hold spaces. */
	if (strncmp(line, "e ", 2) == 0)
		return r->version >= 2 ? stream_events_line_e(&r->events, r->p, line + 2) : -1;
	n = stream_fields(line, f, STREAM_MAX_FIELDS);

	if (strcmp(f[0], "end") == 0) {
		if (n != 2 || !stream_unescape(f[1]) || !*f[1])
			return -1;
		free(r->p->meta.end_reason);
		r->p->meta.end_reason = xstrdup(f[1]);
		return 1;
	}
	if (n > STREAM_MAX_FIELDS || strlen(f[0]) != 1)
		return -1;
	switch (f[0][0]) {
	case 'c':
		return stream_line_c(r, f, n);
	case 'f':
		return r->p->frames ? stream_line_f(r, f, n) : -1;
	case 'n':
		return stream_line_n(r, f, n);
	case 's':
		return stream_line_s(r, f, n);
	case 'x':
		return stream_line_x(r, f, n);
	case 'i':
		return stream_line_i(r, f, n);
	case 'E':
		return r->version >= 2 ? stream_events_line_E(&r->events, r->p, f, n) : -1;
	case 'b':
		/* The timeline's summary buckets: version 3 on. */
		return r->version >= 3 ? stream_sched_line(&r->sched, f, n) : -1;
	case 'S':
	case 'T':
	case 'r':
	case 'o':
		/* The scheduler timeline: version 2 on. */
		return r->version >= 2 ? stream_sched_line(&r->sched, f, n) : -1;
	default:
		return -1;
	}
}

/*
 * Insert each node's self count along its path (root's child first). Returns 0, or -1 when the
 * nodes' parents do not lead to the root (a cycle, a node given up).
 */
static int
stream_build(struct stream_reader *r)
{
	uint32_t *path = NULL;
	size_t cap = 0;

	for (size_t id = 1; id < r->nnodes; id++) {
		size_t depth = 0;

		if (r->self[id] <= 0 || r->parent[id] == STREAM_FREE)
			continue;
		for (size_t k = id; k; k = r->parent[k]) {
			if (++depth > r->nnodes || r->parent[k] >= r->nnodes) {
				free(path);
				return -1;
			}
		}
		if (depth > cap) {
			cap = 2 * depth;
			path = xreallocarray(path, cap, sizeof(*path));
		}
		for (size_t k = id, d = depth; k; k = r->parent[k])
			path[--d] = r->frame[k];
		stacktree_insert(r->p->stacks, path, depth, (uint64_t)r->self[id], 0);
	}
	free(path);
	r->p->sampling.samples = stacktree_samples(r->p->stacks);
	return 0;
}

static void
stream_reader_fini(struct stream_reader *r)
{
	free(r->fmap);
	free(r->parent);
	free(r->frame);
	free(r->self);
	free(r->pc);
	free(r->ps);
	free(r->px);
	free(r->freed);
	stream_sched_reader_free(r->sched);
	stream_events_reader_free(r->events);
}

/* The next line into buf: 1 whole, 0 at the end (a cut line in *cut), -1 too long. */
static int
stream_next(FILE *fp, char *buf, size_t *len, size_t *cut)
{
	*cut = 0;
	if (!fgets(buf, (int)STREAM_MAX_LINE + 2, fp))
		return 0;
	*len = strlen(buf);
	if (*len && buf[*len - 1] == '\n') {
		buf[--*len] = '\0';
		return 1;
	}
	if (feof(fp)) {
		*cut = *len;
		return 0;
	}
	return -1;
}

int
stream_read_text(FILE *fp, const char *name, struct profile **out, struct stream_stats *st,
		 struct errbuf *err)
{
	struct stream_reader r = { 0 };
	char *buf = xmalloc(STREAM_MAX_LINE + 2);
	size_t len = 0, cut = 0, pending_bytes = 0;
	int rc = 0, k;

	memset(st, 0, sizeof(*st));
	r.st = st;
	while ((k = stream_next(fp, buf, &len, &cut)) == 1) {
		st->lines++;
		if (st->lines == 1) {
			rc = stream_header(&r, buf, len, name, err);
		} else if (st->ended) {
			rc = errbuf_fail(err, -EINVAL, "'%s' line %zu: a line after the end line",
					 name, st->lines);
		} else {
			size_t before = st->intervals;
			int v = stream_line(&r, buf);

			if (v < 0)
				rc = errbuf_fail(err, -EINVAL, "'%s' line %zu is corrupt", name,
						 st->lines);
			st->ended = v == 1;
			pending_bytes = st->intervals != before ? 0 : pending_bytes + len + 1;
			st->lost_lines = st->intervals != before ? 0 : st->lost_lines + 1;
		}
		if (rc < 0)
			break;
	}
	if (rc == 0 && k < 0)
		rc = errbuf_fail(err, -EINVAL, "'%s' line %zu is longer than %zu bytes", name,
				 st->lines + 1, STREAM_MAX_LINE);
	if (rc == 0 && ferror(fp))
		rc = errbuf_fail(err, -EIO, "cannot read '%s': %s", name, strerror(errno));
	if (rc == 0 && !r.p)
		rc = errbuf_fail(err, -EINVAL, "'%s' has no whole header line (empty or cut short)",
				 name);
	if (rc == 0) {
		st->lost_bytes = pending_bytes + cut;
		if (st->ended) {
			st->lost_lines = 0;
			st->lost_bytes = cut;
		} else {
			free(r.p->meta.end_reason);
			r.p->meta.end_reason = xstrdup("recovered");
		}
		if (r.p->stacks && stream_build(&r) < 0)
			rc = errbuf_fail(err, -EINVAL,
					 "'%s': its stack nodes do not lead to the root (corrupt)",
					 name);
	}
	if (rc == 0) {
		r.p->meta.duration_ns = st->duration_ns;
		stream_sched_build(r.sched, r.p);
		*out = r.p;
		r.p = NULL;
	}
	profile_free(r.p);
	stream_reader_fini(&r);
	free(buf);
	return rc;
}
