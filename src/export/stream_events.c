// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The stream's one-line snapshots (man/ringside-stream.5): the header, and from version 2 the
 * events added while a live session runs (an e line: a one-line snapshot holding that event
 * only) and the spans of events removed or added again (E lines), so that a journal keeps what
 * the screen's event browser changed. The reader holds what an interval adds until its commit.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/snapshot.h"
#include "ringside/util/xalloc.h"

#include "stream_internal.h"

char *
stream_snapshot_line(const struct profile *p, size_t from, size_t to, bool stacks,
		     struct errbuf *err)
{
	struct profile copy = *p, *empty = profile_new();
	char *buf = NULL, *line = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	json_t *root = NULL, *meta;
	int r;

	if (!mem) {
		profile_free(empty);
		errbuf_fail(err, -EIO, "cannot write the stream: out of memory");
		return NULL;
	}
	/* The samples and the timeline follow as intervals, never in the snapshot: an empty tree.
	 */
	profile_enable_stacks(empty, 0, 0);
	copy.frames = stacks ? empty->frames : NULL;
	copy.stacks = stacks ? empty->stacks : NULL;
	copy.tasks = stacks ? empty->tasks : NULL;
	copy.frame_root = empty->frame_root;
	copy.frame_other = empty->frame_other;
	copy.sampling.samples = copy.sampling.lost = 0;
	copy.sampling.throttled = copy.sampling.bad_records = 0;
	copy.sched = NULL;
	copy.sched_json = NULL;
	/* The tracks without their points: those go out as counter lines. */
	copy.ntracks = to - from;
	copy.tracks = xcalloc(copy.ntracks + 1, sizeof(*copy.tracks));
	for (size_t i = from; i < to; i++) {
		copy.tracks[i - from] = p->tracks[i];
		copy.tracks[i - from].series = NULL;
		copy.tracks[i - from].nseries = 0;
	}
	r = snapshot_write(&copy, mem, err);
	fclose(mem);
	free(copy.tracks);
	profile_free(empty);
	if (r == 0 && !(root = json_loadb(buf, len, 0, NULL)))
		r = errbuf_fail(err, -EIO, "cannot write the stream header");
	meta = root ? json_object_get(root, "meta") : NULL;
	if (meta && !json_is_string(json_object_get(meta, "end_reason")))
		json_object_set_new(meta, "end_reason", json_string("running"));
	if (r == 0 && !(line = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII)))
		errbuf_fail(err, -EIO, "cannot write the stream header");
	json_decref(root);
	free(buf);
	return line;
}

/* The writer's view of the tracks: the span each had when last written. */
struct stream_events_writer {
	uint64_t *added, *removed;
	size_t n;
};

void
stream_events_writer_free(struct stream_events_writer *ew)
{
	if (!ew)
		return;
	free(ew->added);
	free(ew->removed);
	free(ew);
}

size_t
stream_events_writer_memory(const struct stream_events_writer *ew)
{
	return ew ? sizeof(*ew) + (ew->n + 1) * (sizeof(*ew->added) + sizeof(*ew->removed)) : 0;
}

static void
stream_events_seen(struct stream_events_writer *ew, const struct profile *p)
{
	ew->added = xreallocarray(ew->added, p->ntracks + 1, sizeof(*ew->added));
	ew->removed = xreallocarray(ew->removed, p->ntracks + 1, sizeof(*ew->removed));
	for (size_t i = 0; i < p->ntracks; i++) {
		ew->added[i] = p->tracks[i].added_ns;
		ew->removed[i] = p->tracks[i].removed_ns;
	}
	ew->n = p->ntracks;
}

int
stream_events_write(struct stream_events_writer **ewp, FILE *fp, const struct profile *p,
		    bool header, struct errbuf *err)
{
	struct stream_events_writer *ew = *ewp;

	if (!ew)
		ew = *ewp = xcalloc(1, sizeof(*ew));
	if (header) {
		stream_events_seen(ew, p);
		return 0;
	}
	for (size_t i = 0; i < ew->n && i < p->ntracks; i++) {
		const struct counter_track *t = &p->tracks[i];

		if (t->added_ns != ew->added[i] || t->removed_ns != ew->removed[i])
			fprintf(fp, "E %zu %" PRIu64 " %" PRIu64 "\n", i, t->added_ns,
				t->removed_ns);
	}
	for (size_t i = ew->n; i < p->ntracks; i++) {
		char *line = stream_snapshot_line(p, i, i + 1, false, err);

		if (!line)
			return -EIO;
		fprintf(fp, "e %s\n", line);
		free(line);
	}
	stream_events_seen(ew, p);
	return 0;
}

/* ---- reading ---- */

struct stream_events_span {
	size_t track;
	uint64_t added, removed;
};

struct stream_events_reader {
	struct profile *pending; /* the tracks of e lines until the commit */
	struct stream_events_span *spans;
	size_t nspans;
};

void
stream_events_reader_free(struct stream_events_reader *er)
{
	if (!er)
		return;
	profile_free(er->pending);
	free(er->spans);
	free(er);
}

static struct stream_events_reader *
stream_events_reader(struct stream_events_reader **erp)
{
	if (!*erp) {
		*erp = xcalloc(1, sizeof(**erp));
		(*erp)->pending = profile_new();
	}
	return *erp;
}

int
stream_events_line_e(struct stream_events_reader **erp, const struct profile *p, const char *json)
{
	struct stream_events_reader *er = stream_events_reader(erp);
	struct profile *one = NULL;
	struct errbuf err = { 0 };
	const char *name;
	int r = -1;

	if (snapshot_parse(json, strlen(json), &one, &err) < 0)
		return -1;
	/* One event, named as no other. */
	name = one->ntracks == 1 ? one->tracks[0].name : NULL;
	if (name && profile_track_index(p, name, NULL) == SIZE_MAX &&
	    profile_track_index(er->pending, name, NULL) == SIZE_MAX) {
		*profile_add_track(er->pending) = one->tracks[0];
		one->ntracks = 0; /* moved */
		r = 0;
	}
	profile_free(one);
	return r;
}

const struct counter_track *
stream_events_track(const struct stream_events_reader *er, const struct profile *p, uint64_t i)
{
	if (i < p->ntracks)
		return &p->tracks[i];
	if (er && i - p->ntracks < er->pending->ntracks)
		return &er->pending->tracks[i - p->ntracks];
	return NULL;
}

int
stream_events_line_E(struct stream_events_reader **erp, const struct profile *p, char **f, size_t n)
{
	struct stream_events_reader *er = stream_events_reader(erp);
	struct stream_events_span s;
	uint64_t track;

	if (n != 4 || !stream_u64(f[1], &track) || !stream_events_track(er, p, track) ||
	    !stream_u64(f[2], &s.added) || !stream_u64(f[3], &s.removed) ||
	    (s.removed && s.removed <= s.added))
		return -1;
	s.track = (size_t)track;
	if (er->nspans % 16 == 0)
		er->spans = xreallocarray(er->spans, er->nspans + 16, sizeof(*er->spans));
	er->spans[er->nspans++] = s;
	return 0;
}

void
stream_events_commit(struct stream_events_reader *er, struct profile *p)
{
	if (!er)
		return;
	for (size_t i = 0; i < er->pending->ntracks; i++)
		*profile_add_track(p) = er->pending->tracks[i];
	er->pending->ntracks = 0; /* moved */
	for (size_t i = 0; i < er->nspans; i++) {
		p->tracks[er->spans[i].track].added_ns = er->spans[i].added;
		p->tracks[er->spans[i].track].removed_ns = er->spans[i].removed;
	}
	er->nspans = 0;
}
