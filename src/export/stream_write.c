// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream's writer (man/ringside-stream.5; the reader is export/stream): the header, each
 * interval's counter points, frames, nodes and self changes (in version 4's compact form for
 * record --stream), the timeline's and events' lines through stream_sched and stream_events, and
 * the hold of record --stream (stream_writer_hold): paths and tasks too small to show wait.
 *
 * The writer keeps the counts it wrote per node, keyed by (parent node, frame), so stack-tree
 * compaction and relabelling (which renumber the tree) cost only a change of counts. What it
 * keeps per node id is 24 bytes (the count written, the walk's count, the key), 4 more with a
 * hold (the interval of its last s line), and 6 of hash; per tree frame, 12 bytes (its stream id
 * and a 64-bit sum of the frame it was written for): stream_writer_memory reports it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/stream.h"
#include "ringside/util/xalloc.h"

#include "stream_internal.h"

/*
 * A tree frame id's stream id, and a sum of the fields of the frame it was written for: an id
 * the frame table gave up and gave again (a pid's frame) sums otherwise, and is written anew.
 * Two frames summing alike would take 2^-64 odds; a copy of the frame would take 24 bytes, not 12.
 */
struct stream_wframe {
	uint32_t sum[2];
	uint32_t jid; /* 0 when not written */
};

struct stream_writer {
	FILE *fp;
	size_t ntracks;		      /* tracks in the header: only they are streamed */
	size_t **done;		      /* per track and series: points written */
	size_t *ndone;		      /* per track: series known */
	struct stream_wframe *frames; /* by tree frame id */
	size_t nframes;
	uint32_t next_frame;
	/*
	 * Nodes: (parent, frame) -> id through an open-addressing hash of ids (linear probing, at
	 * most 2/3 full), whose keys are key_of's; per id, its counts.
	 */
	uint32_t *slots;     /* hcap slots: an id, 0 when empty (the root, id 0, is never hashed) */
	size_t hcap, nnodes; /* nnodes: ids handed out (id 0 the root) */
	size_t ncap;	     /* ids the per-id arrays hold */
	int64_t *wrote;	     /* per id: the count its s lines add up to */
	int64_t *now;	     /* per id, from a walk to its s lines: 0 not reached, else 1 + count */
	uint64_t *key_of;    /* per id: its (parent, frame); given up: STREAM_FREE | the next one */
	uint32_t *s_at;	     /* per id: the interval of its last s line (NULL without a hold) */
	uint32_t free_head;  /* the id given up last (x lines), taken again first; 0 when none */
	uint32_t *stack;     /* the walk's node ids by depth */
	size_t stack_cap;
	uint64_t seq;
	bool failed;
	struct stream_gz *gz; /* the compressed form: fp deflates into out */
	bool buckets;	      /* the timeline as summary buckets (b lines) */
	uint64_t bucket_ns;   /* their width (0: the map's) */
	bool final;	      /* the next interval is the last: nothing written lags */
	unsigned
		hold_permille; /* nodes under this share of all samples wait in [other] (0: none) */
	bool compact;	       /* version 4's lines: implicit node ids, ids as gaps */
	uint32_t last_n;       /* compact: the node the interval's last n line defined (0: none) */
	FILE *out;
	struct stream_sched_writer *sched;   /* the scheduler timeline's lines (stream_sched) */
	struct stream_events_writer *events; /* events added and removed (stream_events) */
};

/* key_of of an id given up: no parent has this id; the low half links to the next id given up. */
#define STREAM_FREE 0xffffffff00000000ULL

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
stream_writer_bucket(struct stream_writer *w, uint64_t ns)
{
	w->bucket_ns = ns;
}

void
stream_writer_final(struct stream_writer *w)
{
	w->final = true;
}

/* The interval seq as s_at keeps it: 2^32 intervals are over a century of seconds. */
static uint32_t
stream_seq32(uint64_t seq)
{
	return seq < UINT32_MAX ? (uint32_t)seq : UINT32_MAX;
}

void
stream_writer_hold(struct stream_writer *w, unsigned permille)
{
	w->hold_permille = permille;
	if (permille && !w->s_at && w->ncap) {
		/* Ids handed out before: as if their last s line were now. */
		w->s_at = xreallocarray(NULL, w->ncap, sizeof(*w->s_at));
		for (size_t i = 0; i < w->ncap; i++)
			w->s_at[i] = stream_seq32(w->seq);
	}
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
	free(w->slots);
	free(w->wrote);
	free(w->now);
	free(w->key_of);
	free(w->s_at);
	free(w->stack);
	stream_sched_writer_free(w->sched);
	stream_events_writer_free(w->events);
	if (w->gz)
		fclose(w->fp);
	free(w);
}

size_t
stream_writer_memory(const struct stream_writer *w)
{
	size_t b;

	if (!w)
		return 0;
	b = sizeof(*w) + (w->done ? (w->ntracks + 1) * (sizeof(*w->done) + sizeof(*w->ndone)) : 0);
	for (size_t i = 0; i < w->ntracks; i++)
		b += w->ndone[i] * sizeof(**w->done);
	b += w->nframes * sizeof(*w->frames);
	b += w->hcap * sizeof(*w->slots);
	b += w->ncap * (sizeof(*w->wrote) + sizeof(*w->now) + sizeof(*w->key_of) +
			(w->s_at ? sizeof(*w->s_at) : 0));
	b += w->stack_cap * sizeof(*w->stack);
	return b + stream_sched_writer_memory(w->sched) + stream_events_writer_memory(w->events);
}

size_t
stream_writer_sched_memory(const struct stream_writer *w)
{
	return w ? stream_sched_writer_memory(w->sched) : 0;
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

/* A sum of a frame's fields, for stream_wframe. */
static void
stream_frame_sum(const struct frame *f, uint32_t sum[2])
{
	uint64_t h = (uint64_t)f->name << 32 | f->module;

	h ^= ((uint64_t)f->file << 32 | f->line) * 0x9e3779b97f4a7c15ULL;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= (uint64_t)f->kind << 8 | (uint64_t)f->inlined;
	h ^= h >> 29;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 32;
	sum[0] = (uint32_t)h;
	sum[1] = (uint32_t)(h >> 32);
}

/* True when tree frame id was written as the frame ft has for it now. */
static bool
stream_frame_known(const struct stream_writer *w, const struct frametab *ft, uint32_t id)
{
	uint32_t sum[2];

	if (id >= w->nframes || !w->frames[id].jid)
		return false;
	stream_frame_sum(frametab_get(ft, id), sum);
	return w->frames[id].sum[0] == sum[0] && w->frames[id].sum[1] == sum[1];
}

/* The stream id of tree frame id, written first when new (or when the id names another frame). */
static uint32_t
stream_frame(struct stream_writer *w, const struct frametab *ft, uint32_t id)
{
	const struct frame *f = frametab_get(ft, id);

	if (id >= w->nframes) {
		size_t n = w->nframes ? w->nframes : 64;

		/* By half again (or to id): frame ids come dense, from 1. */
		while (n <= id)
			n += n / 2;
		w->frames = xreallocarray(w->frames, n, sizeof(*w->frames));
		memset(w->frames + w->nframes, 0, (n - w->nframes) * sizeof(*w->frames));
		w->nframes = n;
	}
	if (stream_frame_known(w, ft, id))
		return w->frames[id].jid;
	stream_frame_sum(f, w->frames[id].sum);
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

/* The first slot of key's probe. */
static size_t
stream_slot(const struct stream_writer *w, uint64_t key)
{
	return (size_t)((stream_hash(key) >> 32) * w->hcap >> 32);
}

/* True when id was given up (its key_of links the ids given up). */
static bool
stream_id_free(const struct stream_writer *w, size_t id)
{
	return (w->key_of[id] & STREAM_FREE) == STREAM_FREE;
}

/* The hash rebuilt (hcap slots) from the ids held. */
static void
stream_rehash(struct stream_writer *w)
{
	w->slots = xreallocarray(w->slots, w->hcap, sizeof(*w->slots));
	memset(w->slots, 0, w->hcap * sizeof(*w->slots));
	for (size_t i = 1; i < w->nnodes; i++) {
		size_t h;

		if (stream_id_free(w, i))
			continue;
		for (h = stream_slot(w, w->key_of[i]); w->slots[h]; h = h + 1 < w->hcap ? h + 1 : 0)
			;
		w->slots[h] = (uint32_t)i;
	}
}

/*
 * Room for the counts of one more node id: the per-id arrays grow by a quarter (the tree's cap is
 * no power of two, and a tree at its cap would leave up to half of a larger step unused), and the
 * hash to 1.5 slots per id, so it is at most 2/3 full.
 */
static void
stream_room(struct stream_writer *w)
{
	size_t n;

	if (w->nnodes + 1 <= w->ncap)
		return;
	n = w->ncap ? w->ncap + w->ncap / 4 : 1024;
	w->wrote = xreallocarray(w->wrote, n, sizeof(*w->wrote));
	w->now = xreallocarray(w->now, n, sizeof(*w->now));
	w->key_of = xreallocarray(w->key_of, n, sizeof(*w->key_of));
	if (w->hold_permille)
		w->s_at = xreallocarray(w->s_at, n, sizeof(*w->s_at));
	memset(w->wrote + w->ncap, 0, (n - w->ncap) * sizeof(*w->wrote));
	memset(w->now + w->ncap, 0, (n - w->ncap) * sizeof(*w->now));
	w->ncap = n;
	w->hcap = n + n / 2;
	stream_rehash(w);
}

/* The stream id of the node (parent, frame), written first when new. */
static uint32_t
stream_node(struct stream_writer *w, uint32_t parent, uint32_t frame)
{
	uint64_t key = (uint64_t)parent << 32 | frame;
	uint32_t id;
	size_t h;

	for (h = stream_slot(w, key); w->slots[h]; h = h + 1 < w->hcap ? h + 1 : 0)
		if (w->key_of[w->slots[h]] == key)
			return w->slots[h];
	if (w->free_head) {
		id = w->free_head;
		w->free_head = (uint32_t)w->key_of[id];
	} else {
		id = (uint32_t)w->nnodes++;
		if (w->nnodes > w->ncap) {
			/* Grown: the hash is rebuilt, the key's empty slot moves. */
			w->nnodes--;
			stream_room(w);
			w->nnodes++;
			for (h = stream_slot(w, key); w->slots[h]; h = h + 1 < w->hcap ? h + 1 : 0)
				;
		}
	}
	w->slots[h] = id;
	w->key_of[id] = key;
	w->wrote[id] = 0;
	w->now[id] = 0;
	if (w->s_at)
		w->s_at[id] = stream_seq32(w->seq);
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
	w->now[jid] += (int64_t)self + (w->now[jid] == 0);
}

/* True when the node (parent, tree frame id) is in the stream already. */
static bool
stream_sent(const struct stream_writer *w, const struct frametab *ft, uint32_t parent, uint32_t id)
{
	uint64_t key;

	if (!stream_frame_known(w, ft, id))
		return false;
	key = (uint64_t)parent << 32 | w->frames[id].jid;
	for (size_t h = stream_slot(w, key); w->slots[h]; h = h + 1 < w->hcap ? h + 1 : 0)
		if (w->key_of[w->slots[h]] == key)
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
 * The walk's counts are cleared for the next.
 */
static void
stream_free_gone(struct stream_writer *w)
{
	size_t freed = 0, prev = 0;

	for (size_t i = 1; i < w->nnodes; i++) {
		if (stream_id_free(w, i))
			continue;
		if (w->now[i]) {
			w->now[i] = 0;
			continue;
		}
		fprintf(w->fp, "x %zu\n", w->compact ? i - prev : i);
		prev = i;
		/* Taken again last given up first, as a stack. */
		w->key_of[i] = STREAM_FREE | w->free_head;
		w->free_head = (uint32_t)i;
		freed++;
	}
	w->now[0] = 0;
	if (freed)
		stream_rehash(w);
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
	if (w->nnodes == 1 && w->s_at)
		w->s_at[0] = 0;
	w->last_n = 0;
	stacktree_walk(p->stacks, stream_visit, &k);
	for (size_t i = 0; i < w->nnodes; i++) {
		int64_t c = w->now[i] ? w->now[i] - 1 : 0;

		if (i && stream_id_free(w, i))
			continue;
		/* Held: new samples under the share wait, STREAM_HOLD_STALE intervals at most. */
		if (k.min && !w->final && w->now[i] && c > w->wrote[i] &&
		    c - w->wrote[i] < (int64_t)k.min &&
		    w->seq < (uint64_t)w->s_at[i] + STREAM_HOLD_STALE)
			continue;
		if (c != w->wrote[i]) {
			if (w->s_at)
				w->s_at[i] = stream_seq32(w->seq);
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
	stream_sched_write(&w->sched, w->fp, p,
			   &(struct stream_sched_opts){ .buckets = w->buckets,
							.bucket_ns = w->bucket_ns,
							.hold_permille = w->hold_permille,
							.final = w->final });
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
