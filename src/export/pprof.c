// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pprof from the stack tree. One walk of the tree turns every node with samples of its own into a
 * sample (its frames leaf first, its process and thread as labels); frames become functions and
 * locations once each, modules become mappings, strings enter the table once. protoc-c's code for
 * src/export/pprof.proto packs the message, zlib gzips it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "pprof.pb-c.h"
#include "ringside/export/pprof.h"
#include "ringside/util/xalloc.h"

typedef Ringside__Pprof__Function pprof_function;
typedef Ringside__Pprof__Location pprof_location;
typedef Ringside__Pprof__Line pprof_line;
typedef Ringside__Pprof__Mapping pprof_mapping;
typedef Ringside__Pprof__Label pprof_label;
typedef Ringside__Pprof__ValueType pprof_value_type;

enum { PPROF_MAX_LABELS = 5 };

/* A sample with room for what it points to; the pointers are set once the array stops moving. */
struct pprof_sample {
	Ringside__Pprof__Sample msg;
	uint64_t *locs;
	size_t nlocs;
	int64_t value[2];
	pprof_label label[PPROF_MAX_LABELS];
	pprof_label *labelp[PPROF_MAX_LABELS];
};

struct pprof_enc {
	const struct profile *p;
	char **strs;
	size_t nstrs, capstrs;
	int64_t *str_of;  /* frametab string id -> string table index, -1 before first use */
	uint64_t *loc_of; /* frame id -> location (and function) id, 0 before first use */
	uint64_t *map_of; /* module string id -> mapping id, 0 before first use */
	pprof_function *funcs;
	pprof_location *locs;
	pprof_line *lines;
	size_t nlocs, caplocs; /* functions, locations and lines go together */
	pprof_mapping *maps;
	size_t nmaps, capmaps;
	struct pprof_sample *samples;
	size_t nsamples, capsamples;
	uint32_t *path; /* frame ids by depth during the walk */
	size_t cappath;
	uint64_t *scratch; /* location ids of the sample being built */
	int64_t period;	   /* what one sample stands for, in the second sample type's unit */
	int64_t k_pid, k_tid, k_comm, k_thread, k_host;
	const struct pprof_part *part; /* NULL: the whole recording */
};

static int64_t
pprof_str_new(struct pprof_enc *e, const char *s)
{
	if (e->nstrs == e->capstrs) {
		e->capstrs = e->capstrs ? e->capstrs * 2 : 256;
		e->strs = xreallocarray(e->strs, e->capstrs, sizeof(char *));
	}
	e->strs[e->nstrs] = xstrdup(s);
	return (int64_t)e->nstrs++;
}

/* The table index of a frametab string, entered on first use ("" is always index 0). */
static int64_t
pprof_str(struct pprof_enc *e, uint32_t id)
{
	const char *s = frametab_str(e->p->frames, id);

	if (!*s)
		return 0;
	if (e->str_of[id] < 0)
		e->str_of[id] = pprof_str_new(e, s);
	return e->str_of[id];
}

static uint64_t
pprof_mapping_of(struct pprof_enc *e, const struct frame *f)
{
	pprof_mapping *m;

	if (!*frametab_str(e->p->frames, f->module))
		return 0;
	if (!e->map_of[f->module]) {
		if (e->nmaps == e->capmaps) {
			e->capmaps = e->capmaps ? e->capmaps * 2 : 16;
			e->maps = xreallocarray(e->maps, e->capmaps, sizeof(*e->maps));
		}
		m = &e->maps[e->nmaps];
		*m = (pprof_mapping)RINGSIDE__PPROF__MAPPING__INIT;
		m->id = ++e->nmaps;
		m->filename = pprof_str(e, f->module);
		/* Every location carries its function's name: nothing is left to symbolize. */
		m->has_functions = true;
		e->map_of[f->module] = m->id;
	}
	m = &e->maps[e->map_of[f->module] - 1];
	if (*frametab_str(e->p->frames, f->file))
		m->has_filenames = true;
	return m->id;
}

/* The location (one per frame, with a function of the same id) of frame id. */
static uint64_t
pprof_location_of(struct pprof_enc *e, uint32_t id)
{
	const struct frame *f = frametab_get(e->p->frames, id);
	size_t i;

	if (e->loc_of[id])
		return e->loc_of[id];
	if (e->nlocs == e->caplocs) {
		e->caplocs = e->caplocs ? e->caplocs * 2 : 256;
		e->funcs = xreallocarray(e->funcs, e->caplocs, sizeof(*e->funcs));
		e->locs = xreallocarray(e->locs, e->caplocs, sizeof(*e->locs));
		e->lines = xreallocarray(e->lines, e->caplocs, sizeof(*e->lines));
	}
	i = e->nlocs++;
	e->funcs[i] = (pprof_function)RINGSIDE__PPROF__FUNCTION__INIT;
	e->funcs[i].id = i + 1;
	e->funcs[i].name = *frametab_str(e->p->frames, f->name) ? pprof_str(e, f->name)
								: pprof_str_new(e, "[unknown]");
	e->funcs[i].system_name = e->funcs[i].name;
	e->funcs[i].filename = pprof_str(e, f->file);
	e->funcs[i].start_line = f->line;
	e->lines[i] = (pprof_line)RINGSIDE__PPROF__LINE__INIT;
	e->lines[i].function_id = i + 1;
	e->locs[i] = (pprof_location)RINGSIDE__PPROF__LOCATION__INIT;
	e->locs[i].id = i + 1;
	e->locs[i].mapping_id = pprof_mapping_of(e, f);
	e->loc_of[id] = i + 1;
	return i + 1;
}

static void
pprof_label_set(struct pprof_sample *s, int64_t key, int64_t str, int64_t num)
{
	pprof_label *l = &s->label[s->msg.n_label++];

	*l = (pprof_label)RINGSIDE__PPROF__LABEL__INIT;
	l->key = key;
	l->str = str;
	l->num = num;
}

/* One sample for the node at depth, whose path from the root is e->path[0..depth]. */
static void
pprof_add_sample(struct pprof_enc *e, unsigned depth, uint64_t count)
{
	const struct frame *proc = NULL, *thread = NULL, *host = NULL;
	struct pprof_sample *s;
	size_t n = 0;

	for (unsigned d = depth; d > 0; d--) {
		const struct frame *f = frametab_get(e->p->frames, e->path[d]);

		if (f->kind == FRAME_PROCESS)
			proc = f;
		else if (f->kind == FRAME_THREAD)
			thread = f;
		else if (f->kind == FRAME_HOST) /* a merged snapshot's: a label, not a function */
			host = f;
		else if (f->kind != FRAME_ROOT)
			e->scratch[n++] = pprof_location_of(e, e->path[d]);
	}
	if (e->nsamples == e->capsamples) {
		e->capsamples = e->capsamples ? e->capsamples * 2 : 1024;
		e->samples = xreallocarray(e->samples, e->capsamples, sizeof(*e->samples));
	}
	s = &e->samples[e->nsamples++];
	memset(s, 0, sizeof(*s));
	s->msg = (Ringside__Pprof__Sample)RINGSIDE__PPROF__SAMPLE__INIT;
	s->nlocs = n;
	if (n) {
		s->locs = xreallocarray(NULL, n, sizeof(uint64_t));
		memcpy(s->locs, e->scratch, n * sizeof(uint64_t));
	}
	s->value[0] = (int64_t)count;
	s->value[1] = (int64_t)count * e->period;
	if (proc && proc->line)
		pprof_label_set(s, e->k_pid, 0, proc->line);
	if (thread && thread->line)
		pprof_label_set(s, e->k_tid, 0, thread->line);
	if (proc)
		pprof_label_set(s, e->k_comm, pprof_str(e, proc->name), 0);
	if (thread)
		pprof_label_set(s, e->k_thread, pprof_str(e, thread->name), 0);
	if (host)
		pprof_label_set(s, e->k_host, pprof_str(e, host->name), 0);
}

static bool
pprof_visit(void *ctx, const struct stacktree *t, uint32_t id, unsigned depth)
{
	struct pprof_enc *e = ctx;
	const struct stacktree_node *node = stacktree_node(t, id);

	if (depth >= e->cappath) {
		e->cappath = (depth + 1) * 2;
		e->path = xreallocarray(e->path, e->cappath, sizeof(*e->path));
		e->scratch = xreallocarray(e->scratch, e->cappath, sizeof(*e->scratch));
	}
	uint64_t self;

	e->path[depth] = node->frame;
	self = e->part ? stacktree_self_since(t, id) : node->self;
	if (self && depth > 0)
		pprof_add_sample(e, depth, self);
	return true;
}

static bool
pprof_is_clock(const char *event)
{
	return event && (strcmp(event, "cpu-clock") == 0 || strcmp(event, "task-clock") == 0);
}

/*
 * The sample types (samples/count and what a sample stands for), the period and the comments. At
 * a frequency, one sample is 1/freq seconds of CPU time; at a fixed period, a clock event's period
 * is nanoseconds already, any other event's a number of its own events.
 */
static void
pprof_describe(struct pprof_enc *e, Ringside__Pprof__Profile *m, pprof_value_type vt[3])
{
	const struct profile_sampling *sp = &e->p->sampling;
	const struct profile_meta *meta = &e->p->meta;
	char *note;

	for (int i = 0; i < 3; i++)
		vt[i] = (pprof_value_type)RINGSIDE__PPROF__VALUE_TYPE__INIT;
	vt[0].type = pprof_str_new(e, "samples");
	vt[0].unit = pprof_str_new(e, "count");
	if (sp->freq || pprof_is_clock(sp->event) || !sp->event) {
		vt[1].type = pprof_str_new(e, "cpu");
		vt[1].unit = pprof_str_new(e, "nanoseconds");
		e->period = sp->freq ? (int64_t)((1000000000 + sp->freq / 2) / sp->freq)
				     : (int64_t)sp->period;
	} else {
		vt[1].type = pprof_str_new(e, sp->event);
		vt[1].unit = pprof_str_new(e, "events");
		e->period = (int64_t)sp->period;
	}
	vt[2] = vt[1];
	m->period_type = &vt[2];
	m->period = e->period;
	m->default_sample_type = vt[1].type;
	m->time_nanos = e->part ? e->part->time_nanos : meta->start_unix_ns;
	m->duration_nanos = e->part ? e->part->duration_nanos : (int64_t)meta->duration_ns;
	m->comment = xreallocarray(NULL, 3, sizeof(int64_t));
	note = xasprintf("ringside %s on %s: %s",
			 meta->ringside_version ? meta->ringside_version : "",
			 meta->host ? meta->host : "", meta->target_desc ? meta->target_desc : "");
	m->comment[m->n_comment++] = pprof_str_new(e, note);
	free(note);
	if (sp->event) {
		note = xasprintf("sampled on %s, call graph %s", sp->event,
				 sp->callgraph ? sp->callgraph : "none");
		m->comment[m->n_comment++] = pprof_str_new(e, note);
		free(note);
	}
	if (sp->lost) {
		note = xasprintf("lost samples: %" PRIu64 " (not in the samples)", sp->lost);
		m->comment[m->n_comment++] = pprof_str_new(e, note);
		free(note);
	}
}

/* Point the message at the arrays, now that they no longer move. */
static void
pprof_link(struct pprof_enc *e, Ringside__Pprof__Profile *m, pprof_value_type vt[3])
{
	m->sample_type = xreallocarray(NULL, 2, sizeof(*m->sample_type));
	m->sample_type[0] = &vt[0];
	m->sample_type[1] = &vt[1];
	m->n_sample_type = 2;
	m->n_sample = e->nsamples;
	m->sample = xreallocarray(NULL, e->nsamples + 1, sizeof(*m->sample));
	for (size_t i = 0; i < e->nsamples; i++) {
		struct pprof_sample *s = &e->samples[i];

		s->msg.location_id = s->locs;
		s->msg.n_location_id = s->nlocs;
		s->msg.value = s->value;
		s->msg.n_value = 2;
		for (size_t k = 0; k < s->msg.n_label; k++)
			s->labelp[k] = &s->label[k];
		s->msg.label = s->labelp;
		m->sample[i] = &s->msg;
	}
	m->n_function = m->n_location = e->nlocs;
	m->function = xreallocarray(NULL, e->nlocs + 1, sizeof(*m->function));
	m->location = xreallocarray(NULL, e->nlocs + 1, sizeof(*m->location));
	for (size_t i = 0; i < e->nlocs; i++) {
		pprof_line **lp = xmalloc(sizeof(*lp));

		*lp = &e->lines[i];
		e->locs[i].line = lp;
		e->locs[i].n_line = 1;
		m->function[i] = &e->funcs[i];
		m->location[i] = &e->locs[i];
	}
	m->n_mapping = e->nmaps;
	m->mapping = xreallocarray(NULL, e->nmaps + 1, sizeof(*m->mapping));
	for (size_t i = 0; i < e->nmaps; i++)
		m->mapping[i] = &e->maps[i];
	m->string_table = e->strs;
	m->n_string_table = e->nstrs;
}

/* Gzip len bytes of buf to fp. Returns 0 or -EIO (errno keeps a failed write's cause). */
static int
pprof_gzip(const uint8_t *buf, size_t len, FILE *fp)
{
	z_stream z = { 0 };
	uint8_t out[65536];
	int zr;

	/* 15 window bits + 16: a gzip header and trailer rather than zlib's. */
	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
		errno = ENOMEM;
		return -EIO;
	}
	z.next_in = (Bytef *)buf;
	z.avail_in = (uInt)len;
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = deflate(&z, Z_FINISH);
		if (zr == Z_STREAM_ERROR ||
		    fwrite(out, 1, sizeof(out) - z.avail_out, fp) != sizeof(out) - z.avail_out) {
			deflateEnd(&z);
			if (!errno)
				errno = EIO;
			return -EIO;
		}
	} while (zr != Z_STREAM_END);
	deflateEnd(&z);
	return 0;
}

static void
pprof_enc_free(struct pprof_enc *e, Ringside__Pprof__Profile *m)
{
	for (size_t i = 0; i < e->nstrs; i++)
		free(e->strs[i]);
	free(e->strs);
	for (size_t i = 0; i < e->nsamples; i++)
		free(e->samples[i].locs);
	free(e->samples);
	for (size_t i = 0; i < e->nlocs; i++)
		free(e->locs[i].line);
	free(e->funcs);
	free(e->locs);
	free(e->lines);
	free(e->maps);
	free(e->str_of);
	free(e->loc_of);
	free(e->map_of);
	free(e->path);
	free(e->scratch);
	free(m->sample_type);
	free(m->sample);
	free(m->function);
	free(m->location);
	free(m->mapping);
	free(m->comment);
}

int
pprof_write(const struct profile *p, FILE *fp, struct errbuf *err)
{
	return pprof_write_part(p, NULL, fp, err);
}

int
pprof_write_part(const struct profile *p, const struct pprof_part *part, FILE *fp,
		 struct errbuf *err)
{
	Ringside__Pprof__Profile m = RINGSIDE__PPROF__PROFILE__INIT;
	struct pprof_enc e = { .p = p, .part = part };
	pprof_value_type vt[3];
	size_t nstr, len;
	uint8_t *buf;
	int rc;

	if (!p->stacks || !p->frames)
		return errbuf_fail(
			err, -EINVAL,
			"this recording has no samples; record without --no-samples to get stacks");
	nstr = frametab_nstrings(p->frames);
	e.str_of = xreallocarray(NULL, nstr + 1, sizeof(*e.str_of));
	memset(e.str_of, 0xff, (nstr + 1) * sizeof(*e.str_of));
	e.map_of = xcalloc(nstr + 1, sizeof(*e.map_of));
	e.loc_of = xcalloc(frametab_nframes(p->frames) + 1, sizeof(*e.loc_of));
	pprof_str_new(&e, "");
	e.k_pid = pprof_str_new(&e, "pid");
	e.k_tid = pprof_str_new(&e, "tid");
	e.k_comm = pprof_str_new(&e, "comm");
	e.k_thread = pprof_str_new(&e, "thread");
	if (p->meta.nhosts)
		e.k_host = pprof_str_new(&e, "host");
	pprof_describe(&e, &m, vt);
	stacktree_walk(p->stacks, pprof_visit, &e);
	pprof_link(&e, &m, vt);
	len = ringside__pprof__profile__get_packed_size(&m);
	buf = xmalloc(len + 1);
	ringside__pprof__profile__pack(&m, buf);
	errno = 0;
	rc = pprof_gzip(buf, len, fp);
	free(buf);
	pprof_enc_free(&e, &m);
	if (rc < 0) {
		int cause = errno ? errno : EIO;

		errbuf_fail(err, rc, "cannot write pprof: %s", strerror(cause));
		errno = cause; /* export_write_as names the cause */
	}
	return rc;
}
