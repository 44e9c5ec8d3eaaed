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
 * The writer keeps the counts it wrote per node, keyed by (parent node, frame), so stack-tree
 * compaction and relabelling (which renumber the tree) cost only a change of counts.
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

struct stream_wframe {
	struct frame f; /* the tree frame this id was written for */
	uint32_t jid;	/* its stream id, or 0 when not written */
};

struct stream_writer {
	FILE *fp;
	size_t ntracks;		      /* tracks in the header: only they are streamed */
	size_t **done;		      /* per track and series: points written */
	size_t *ndone;		      /* per track: series known */
	struct stream_wframe *frames; /* by tree frame id */
	size_t nframes;
	uint32_t next_frame;
	/* Nodes: (parent, frame) -> id through an open-addressing hash; counts per id. */
	uint64_t *keys;
	uint32_t *vals;
	size_t hcap, nnodes; /* nnodes: ids handed out (id 0 the root) */
	int64_t *wrote, *now;
	uint32_t *gen;
	uint64_t *key_of;   /* per id: its (parent, frame), UINT64_MAX when free */
	uint32_t *free_ids; /* ids given up (x lines), taken again first */
	size_t nfree;
	size_t ncap;
	uint32_t cur_gen;
	uint32_t *stack; /* the walk's node ids by depth */
	size_t stack_cap;
	uint64_t seq;
	bool failed;
	struct stream_gz *gz; /* the compressed form: fp deflates into out */
	bool buckets;	      /* the timeline as summary buckets (b lines) */
	unsigned
		hold_permille; /* nodes under this share of all samples wait in [other] (0: none) */
	bool compact;	       /* version 4's lines: implicit node ids, ids as gaps */
	uint32_t last_n;       /* compact: the node the interval's last n line defined (0: none) */
	FILE *out;
	struct stream_sched_writer *sched;   /* the scheduler timeline's lines (stream_sched) */
	struct stream_events_writer *events; /* events added and removed (stream_events) */
};

struct stream_writer *
stream_writer_new(FILE *fp)
{
	struct stream_writer *w = xcalloc(1, sizeof(*w));

	w->fp = fp;
	w->next_frame = 1;
	w->nnodes = 1;
	return w;
}

struct stream_writer *
stream_writer_new_gz(FILE *fp)
{
	struct stream_gz *gz = NULL;
	FILE *zfp = stream_gz_writer(fp, &gz);
	struct stream_writer *w;

	if (!zfp)
		return NULL;
	w = stream_writer_new(zfp);
	w->gz = gz;
	w->out = fp;
	return w;
}

void
stream_writer_summarize(struct stream_writer *w)
{
	w->buckets = true;
}

void
stream_writer_hold(struct stream_writer *w, unsigned permille)
{
	w->hold_permille = permille;
}

/* After a header, an interval or the end line: the compressed form's flush. 0 or -1. */
static int
stream_writer_sync(struct stream_writer *w, bool finish)
{
	return w->gz ? stream_gz_sync(w->fp, w->gz, finish) : 0;
}

void
stream_writer_free(struct stream_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->ntracks; i++)
		free(w->done[i]);
	free(w->done);
	free(w->ndone);
	free(w->frames);
	free(w->keys);
	free(w->vals);
	free(w->wrote);
	free(w->now);
	free(w->gen);
	free(w->key_of);
	free(w->free_ids);
	free(w->stack);
	stream_sched_writer_free(w->sched);
	stream_events_writer_free(w->events);
	if (w->gz)
		fclose(w->fp);
	free(w);
}

static int
stream_io(struct errbuf *err)
{
	return errbuf_fail(err, -EIO, "cannot write the stream: %s", strerror(errno ? errno : EIO));
}

int
stream_write_header(struct stream_writer *w, const struct profile *p, struct errbuf *err)
{
	char *line = stream_snapshot_line(p, 0, p->ntracks, true, err);
	int r = line ? 0 : -EIO;

	/* Version 4 when its features are used (compressed, b lines, compact ids), else 2. */
	w->compact = w->gz || w->buckets;
	if (r == 0 &&
	    fprintf(w->fp, "%s %d %s\n", STREAM_FORMAT, w->compact ? STREAM_VERSION : 2, line) < 0)
		r = stream_io(err);
	w->ntracks = p->ntracks;
	w->done = xcalloc(p->ntracks + 1, sizeof(*w->done));
	w->ndone = xcalloc(p->ntracks + 1, sizeof(*w->ndone));
	stream_events_write(&w->events, w->fp, p, true, err);
	if (r == 0 && stream_writer_sync(w, false) < 0)
		r = stream_io(err);
	free(line);
	return r;
}

/* The counter points written since the last interval. */
static void
stream_write_counters(struct stream_writer *w, const struct profile *p)
{
	for (size_t i = 0; i < w->ntracks && i < p->ntracks; i++) {
		const struct counter_track *tr = &p->tracks[i];

		if (tr->nseries > w->ndone[i]) {
			w->done[i] = xreallocarray(w->done[i], tr->nseries, sizeof(size_t));
			memset(w->done[i] + w->ndone[i], 0,
			       (tr->nseries - w->ndone[i]) * sizeof(size_t));
			w->ndone[i] = tr->nseries;
		}
		for (size_t k = 0; k < tr->nseries; k++) {
			const struct counter_series *s = &tr->series[k];

			for (size_t j = w->done[i][k]; j < s->n; j++)
				fprintf(w->fp,
					"c %zu %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
					"\n",
					i, s->cpu, s->t[j], s->count[j], s->enabled[j],
					s->running[j]);
			w->done[i][k] = s->n;
		}
	}
}

void
stream_put_field(FILE *fp, const char *s)
{
	if (!s || !*s) {
		fputc('-', fp);
		return;
	}
	if (strcmp(s, "-") == 0) {
		fputs("%2D", fp);
		return;
	}
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c <= ' ' || *c == '%' || *c == 0x7f)
			fprintf(fp, "%%%02X", *c);
		else
			fputc(*c, fp);
	}
}

/* The stream id of tree frame id, written first when new (or when the id names another frame). */
static uint32_t
stream_frame(struct stream_writer *w, const struct frametab *ft, uint32_t id)
{
	const struct frame *f = frametab_get(ft, id);

	if (id >= w->nframes) {
		size_t n = w->nframes ? w->nframes : 64;

		while (n <= id)
			n *= 2;
		w->frames = xreallocarray(w->frames, n, sizeof(*w->frames));
		memset(w->frames + w->nframes, 0, (n - w->nframes) * sizeof(*w->frames));
		w->nframes = n;
	}
	if (w->frames[id].jid && memcmp(&w->frames[id].f, f, sizeof(*f)) == 0)
		return w->frames[id].jid;
	w->frames[id].f = *f;
	w->frames[id].jid = w->next_frame++;
	fprintf(w->fp, "f %" PRIu32 " %s %" PRIu32 " %d ", w->frames[id].jid,
		frame_kind_name((enum frame_kind)f->kind), f->line, f->inlined ? 1 : 0);
	stream_put_field(w->fp, frametab_str(ft, f->name));
	fputc(' ', w->fp);
	stream_put_field(w->fp, frametab_str(ft, f->module));
	fputc(' ', w->fp);
	stream_put_field(w->fp, frametab_str(ft, f->file));
	fputc('\n', w->fp);
	return w->frames[id].jid;
}

static uint64_t
stream_hash(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return key;
}

static void
stream_grow_nodes(struct stream_writer *w)
{
	uint64_t *keys = w->keys;
	uint32_t *vals = w->vals;
	size_t old = w->hcap;

	w->hcap = old ? old * 2 : 1024;
	w->keys = xcalloc(w->hcap, sizeof(*w->keys));
	w->vals = xcalloc(w->hcap, sizeof(*w->vals));
	for (size_t i = 0; i < old; i++) {
		size_t h;

		if (!vals[i])
			continue;
		for (h = stream_hash(keys[i]) & (w->hcap - 1); w->vals[h];
		     h = (h + 1) & (w->hcap - 1))
			;
		w->keys[h] = keys[i];
		w->vals[h] = vals[i];
	}
	free(keys);
	free(vals);
}

/* Room for the counts of one more node id. */
static void
stream_room(struct stream_writer *w)
{
	size_t n;

	if (w->nnodes + 1 <= w->ncap)
		return;
	n = w->ncap ? 2 * w->ncap : 1024;
	w->wrote = xreallocarray(w->wrote, n, sizeof(*w->wrote));
	w->now = xreallocarray(w->now, n, sizeof(*w->now));
	w->gen = xreallocarray(w->gen, n, sizeof(*w->gen));
	w->key_of = xreallocarray(w->key_of, n, sizeof(*w->key_of));
	w->free_ids = xreallocarray(w->free_ids, n, sizeof(*w->free_ids));
	memset(w->wrote + w->ncap, 0, (n - w->ncap) * sizeof(*w->wrote));
	memset(w->key_of + w->ncap, 0xff, (n - w->ncap) * sizeof(*w->key_of));
	memset(w->gen + w->ncap, 0, (n - w->ncap) * sizeof(*w->gen));
	w->ncap = n;
}

/* The stream id of the node (parent, frame), written first when new. */
static uint32_t
stream_node(struct stream_writer *w, uint32_t parent, uint32_t frame)
{
	uint64_t key = (uint64_t)parent << 32 | frame;
	uint32_t id;
	size_t h;

	if (2 * (w->nnodes + 1) > w->hcap)
		stream_grow_nodes(w);
	for (h = stream_hash(key) & (w->hcap - 1); w->vals[h]; h = (h + 1) & (w->hcap - 1))
		if (w->keys[h] == key)
			return w->vals[h];
	stream_room(w);
	id = w->nfree ? w->free_ids[--w->nfree] : (uint32_t)w->nnodes++;
	w->keys[h] = key;
	w->vals[h] = id;
	w->key_of[id] = key;
	w->wrote[id] = 0;
	if (!w->compact)
		fprintf(w->fp, "n %" PRIu32 " %" PRIu32 " %" PRIu32 "\n", id, parent, frame);
	else if (parent && parent == w->last_n)
		fprintf(w->fp, "n . %" PRIu32 "\n", frame);
	else
		fprintf(w->fp, "n %" PRIu32 " %" PRIu32 "\n", parent, frame);
	w->last_n = id;
	return id;
}

struct stream_walk {
	struct stream_writer *w;
	const struct profile *p;
	uint64_t min;	     /* a node not yet sent waits while its total is under this */
	unsigned hold_depth; /* while holding: the depth of the node held */
	uint32_t hold_jid;   /* while holding: the [other] node its subtree counts in */
	bool holding;
};

/* Add self samples to node jid's count of this interval. */
static void
stream_count(struct stream_writer *w, uint32_t jid, uint64_t self)
{
	if (w->gen[jid] != w->cur_gen) {
		w->gen[jid] = w->cur_gen;
		w->now[jid] = 0;
	}
	w->now[jid] += (int64_t)self;
}

/* True when the node (parent, tree frame id) is in the stream already. */
static bool
stream_sent(const struct stream_writer *w, const struct frametab *ft, uint32_t parent, uint32_t id)
{
	uint64_t key;

	if (id >= w->nframes || !w->frames[id].jid ||
	    memcmp(&w->frames[id].f, frametab_get(ft, id), sizeof(struct frame)) != 0)
		return false;
	key = (uint64_t)parent << 32 | w->frames[id].jid;
	for (size_t h = stream_hash(key) & (w->hcap - 1); w->hcap && w->vals[h];
	     h = (h + 1) & (w->hcap - 1))
		if (w->keys[h] == key)
			return true;
	return false;
}

static bool
stream_visit(void *ctx, const struct stacktree *t, uint32_t id, unsigned depth)
{
	struct stream_walk *k = ctx;
	struct stream_writer *w = k->w;
	const struct stacktree_node *node = stacktree_node(t, id);
	uint32_t jid = 0;

	if (k->holding && depth > k->hold_depth) {
		stream_count(w, k->hold_jid, node->self);
		return true;
	}
	k->holding = false;
	if (depth + 1 > w->stack_cap) {
		w->stack_cap = 2 * (depth + 1);
		w->stack = xreallocarray(w->stack, w->stack_cap, sizeof(*w->stack));
	}
	if (depth > 0 && node->total < k->min &&
	    !stream_sent(w, k->p->frames, w->stack[depth - 1], node->frame)) {
		/* Too small to be sent yet: its subtree counts in [other] under its parent. */
		k->hold_jid = stream_node(w, w->stack[depth - 1],
					  stream_frame(w, k->p->frames, k->p->frame_other));
		k->hold_depth = depth;
		k->holding = true;
		stream_count(w, k->hold_jid, node->self);
		return true;
	}
	if (depth > 0)
		jid = stream_node(w, w->stack[depth - 1],
				  stream_frame(w, k->p->frames, node->frame));
	w->stack[depth] = jid;
	stream_count(w, jid, node->self);
	return true;
}

/*
 * Give up the ids of nodes the tree no longer has (their counts are 0 by now): an x line each, and
 * the hash rebuilt from the ids still held, so the writer's memory follows the tree, not its past.
 */
static void
stream_free_gone(struct stream_writer *w)
{
	size_t freed = 0, prev = 0;

	for (size_t i = 1; i < w->nnodes; i++) {
		if (w->key_of[i] == UINT64_MAX || w->gen[i] == w->cur_gen)
			continue;
		fprintf(w->fp, "x %zu\n", w->compact ? i - prev : i);
		prev = i;
		w->key_of[i] = UINT64_MAX;
		w->free_ids[w->nfree++] = (uint32_t)i;
		freed++;
	}
	if (!freed)
		return;
	memset(w->vals, 0, w->hcap * sizeof(*w->vals));
	for (size_t i = 1; i < w->nnodes; i++) {
		size_t h;

		if (w->key_of[i] == UINT64_MAX)
			continue;
		for (h = stream_hash(w->key_of[i]) & (w->hcap - 1); w->vals[h];
		     h = (h + 1) & (w->hcap - 1))
			;
		w->keys[h] = w->key_of[i];
		w->vals[h] = (uint32_t)i;
	}
}

/* Each node's change of self count since the last interval; a node gone counts as 0. */
static void
stream_write_stacks(struct stream_writer *w, const struct profile *p)
{
	struct stream_walk k = { .w = w, .p = p };
	size_t prev = 0;

	if (!p->stacks || !p->frames)
		return;
	if (w->hold_permille)
		k.min = stacktree_node(p->stacks, 0)->total * w->hold_permille / 1000;
	stream_room(w); /* the root's counts, id 0 */
	w->cur_gen++;
	w->last_n = 0;
	stacktree_walk(p->stacks, stream_visit, &k);
	for (size_t i = 0; i < w->nnodes; i++) {
		int64_t c = w->gen[i] == w->cur_gen ? w->now[i] : 0;

		if (w->key_of[i] == UINT64_MAX && i)
			continue;
		if (c != w->wrote[i]) {
			fprintf(w->fp, "s %zu %" PRId64 "\n", w->compact ? i - prev : i,
				c - w->wrote[i]);
			prev = i;
		}
		w->wrote[i] = c;
	}
	stream_free_gone(w);
}

int
stream_write_interval(struct stream_writer *w, const struct profile *p, uint64_t duration_ns,
		      struct errbuf *err)
{
	const struct profile_sampling *sm = &p->sampling;

	errno = 0;
	if (stream_events_write(&w->events, w->fp, p, false, err) < 0)
		return -EIO;
	if (p->ntracks > w->ntracks) {
		w->done = xreallocarray(w->done, p->ntracks + 1, sizeof(*w->done));
		w->ndone = xreallocarray(w->ndone, p->ntracks + 1, sizeof(*w->ndone));
		memset(w->done + w->ntracks, 0, (p->ntracks - w->ntracks) * sizeof(*w->done));
		memset(w->ndone + w->ntracks, 0, (p->ntracks - w->ntracks) * sizeof(*w->ndone));
		w->ntracks = p->ntracks;
	}
	stream_write_counters(w, p);
	stream_write_stacks(w, p);
	stream_sched_write(&w->sched, w->fp, p, w->buckets, w->hold_permille);
	fprintf(w->fp,
		"i %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		++w->seq, duration_ns, sm->samples, sm->lost, sm->throttled, sm->bad_records);
	if (ferror(w->fp) || stream_writer_sync(w, false) < 0)
		return stream_io(err);
	return 0;
}

int
stream_write_end(struct stream_writer *w, const char *reason, struct errbuf *err)
{
	errno = 0;
	fputs("end ", w->fp);
	stream_put_field(w->fp, reason);
	fputc('\n', w->fp);
	return ferror(w->fp) || stream_writer_sync(w, true) < 0 ? stream_io(err) : 0;
}

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
