// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The snapshot's "mem" object (--mem; man/ringside-snapshot.5): the mappings with their counts,
 * the sample log (delta-coded times, page offsets within the mapping, mapping and function ids),
 * and, derived from them for readers that do not rebuild the heat map, each busy mapping's
 * address x time buckets and the hottest pages. Reading rebuilds the model from the mappings and
 * the log; the derived parts are written again from it.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/view/memgrid.h"
#include "ringside/util/errbuf.h"
#include "snapshot_internal.h"

static json_t *
snapshot_mem_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

/* The mappings, built with jansson: their labels come from the system. */
static json_t *
snapshot_mem_maps(const struct memacc *m)
{
	json_t *maps = json_array();

	for (uint32_t i = 0; i < memacc_nmaps(m); i++) {
		const struct memacc_map *x = memacc_get(m, i);
		json_t *lv = json_array();

		for (size_t l = 0; l < MEMACC_LVL_COUNT; l++)
			json_array_append_new(lv, json_integer((json_int_t)x->levels[l]));
		json_array_append_new(
			maps, json_pack("{s:I, s:o, s:o, s:s, s:s, s:b, s:I, s:I, s:o}", "pid",
					(json_int_t)x->pid, "start",
					snapshot_mem_hex(x->start == UINT64_MAX ? 0 : x->start),
					"end", snapshot_mem_hex(x->end), "label", x->label, "kind",
					memacc_kind_name(x->kind), "dead", x->dead, "samples",
					(json_int_t)x->samples, "weight", (json_int_t)x->weight,
					"levels", lv));
	}
	return maps;
}

static uint64_t
snapshot_mem_start(const struct memacc *m, uint32_t map)
{
	uint64_t s = memacc_get(m, map)->start;

	return s == UINT64_MAX ? 0 : s;
}

/* The log: four parallel arrays, streamed (half a million entries at most). */
static void
snapshot_mem_log(const struct memacc *m, uint64_t origin, FILE *fp)
{
	size_t n;
	const struct memacc_sample *log = memacc_log(m, &n);
	int64_t prev = 0;

	fputs("{\"t_us\":[", fp);
	for (size_t i = 0; i < n; i++) {
		int64_t t = (int64_t)(log[i].time / 1000) - (int64_t)(origin / 1000);

		fprintf(fp, "%s%" PRId64, i ? "," : "", t - prev);
		prev = t;
	}
	fputs("],\"map\":[", fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s%" PRIu32, i ? "," : "", log[i].map);
	fputs("],\"page\":[", fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s%" PRIu64, i ? "," : "",
			log[i].addr / MEMGRID_PAGE -
				snapshot_mem_start(m, log[i].map) / MEMGRID_PAGE);
	fputs("],\"frame\":[", fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%s%" PRId64, i ? "," : "",
			log[i].frame == MEMACC_NOFRAME ? (int64_t)-1 : (int64_t)log[i].frame);
	fputs("]}", fp);
}

/* One mapping's buckets: [row, column, samples] for every non-empty cell. */
static void
snapshot_mem_grid(const struct memacc *m, uint32_t map, uint64_t t0, uint64_t t1, FILE *fp)
{
	struct memgrid g = { 0 };
	struct memgrid_zoom z = { .map = map, .t0 = t0, .t1 = t1 };
	bool first = true;

	memgrid_build(&g, m, &z, SNAPSHOT_MEM_ROWS, SNAPSHOT_MEM_COLS);
	fprintf(fp,
		"{\"map\":%" PRIu32 ",\"rows\":%zu,\"lo\":\"0x%" PRIx64 "\",\"hi\":\"0x%" PRIx64
		"\",\"cells\":[",
		map, g.nrows, g.nrows ? g.rows[0].lo : 0, g.nrows ? g.rows[g.nrows - 1].hi : 0);
	for (size_t r = 0; r < g.nrows; r++)
		for (size_t c = 0; c < g.ncols; c++)
			if (g.cells[r * g.ncols + c]) {
				fprintf(fp, "%s[%zu,%zu,%" PRIu64 "]", first ? "" : ",", r, c,
					g.cells[r * g.ncols + c]);
				first = false;
			}
	fputs("]}", fp);
	memgrid_fini(&g);
}

/* The derived part: the hottest mappings with their functions, their buckets, the hot pages. */
static void
snapshot_mem_derived(const struct profile *p, FILE *fp)
{
	const struct memacc *m = p->mem;
	struct memgrid_stats st;
	/* From the start's microsecond, as the log's times are kept: a file read back bins the
	 * same. */
	uint64_t origin = p->sched_origin - p->sched_origin % 1000;
	uint64_t t0 = origin, t1 = origin + p->meta.duration_ns;

	if (!p->meta.duration_ns && !memgrid_span(m, &t0, &t1))
		t0 = t1 = 0;
	memgrid_stats(&st, m, 0, 0, SNAPSHOT_MEM_PAGES);
	fprintf(fp,
		",\"buckets\":{\"cols\":%d,\"t0_ns\":%" PRIu64 ",\"t1_ns\":%" PRIu64 ",\"maps\":[",
		SNAPSHOT_MEM_COLS, t0 - origin, t1 - origin);
	for (size_t i = 0; i < st.nmaps && i < SNAPSHOT_MEM_GRIDS; i++) {
		fputs(i ? "," : "", fp);
		snapshot_mem_grid(m, st.maps[i].map, t0, t1, fp);
	}
	fputs("]},\"hot_maps\":[", fp);
	for (size_t i = 0; i < st.nmaps; i++) {
		const struct memgrid_mapstat *ms = &st.maps[i];

		fprintf(fp,
			"%s{\"map\":%" PRIu32 ",\"samples\":%" PRIu64 ",\"pages\":%" PRIu64
			",\"funcs\":[",
			i ? "," : "", ms->map, ms->samples, ms->pages);
		for (size_t f = 0; f < MEMGRID_TOPFUNCS && ms->funcs[f] != MEMACC_NOFRAME; f++)
			fprintf(fp, "%s[%" PRIu32 ",%" PRIu64 "]", f ? "," : "", ms->funcs[f],
				ms->func_samples[f]);
		fputs("]}", fp);
	}
	fputs("],\"hot_pages\":[", fp);
	for (size_t i = 0; i < st.npages; i++)
		fprintf(fp, "%s[%" PRIu32 ",\"0x%" PRIx64 "\",%" PRIu64 ",%" PRId64 "]",
			i ? "," : "", st.pages[i].map, st.pages[i].page, st.pages[i].samples,
			st.pages[i].func == MEMACC_NOFRAME ? (int64_t)-1
							   : (int64_t)st.pages[i].func);
	fputc(']', fp);
	memgrid_stats_fini(&st);
}

int
snapshot_mem_write(const struct profile *p, FILE *fp)
{
	const struct memacc *m = p->mem;
	json_t *head = json_pack("{s:s, s:I, s:I, s:I, s:o}", "source", memacc_source(m), "total",
				 (json_int_t)memacc_total(m), "stride",
				 (json_int_t)memacc_stride(m), "maps_dropped",
				 (json_int_t)memacc_maps_dropped(m), "maps", snapshot_mem_maps(m));
	char *text = head ? json_dumps(head, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	size_t len = text ? strlen(text) : 0;

	json_decref(head);
	if (len < 2) {
		free(text);
		return -1;
	}
	fwrite(text, 1, len - 1, fp);
	free(text);
	fputs(",\"log\":", fp);
	snapshot_mem_log(m, p->sched_origin, fp);
	snapshot_mem_derived(p, fp);
	fputc('}', fp);
	return 0;
}

static int
snapshot_mem_bad(struct errbuf *err, const char *what, size_t i)
{
	return errbuf_fail(err, -EINVAL,
			   "mem.%s[%zu]: malformed (the file is damaged or not a "
			   "ringside snapshot)",
			   what, i);
}

/* A hexadecimal "0x..." string; false when v is not one. */
static bool
snapshot_mem_get_hex(json_t *v, uint64_t *out)
{
	const char *s = json_string_value(v);
	char *end;

	if (!s || strncmp(s, "0x", 2) != 0 || !s[2])
		return false;
	errno = 0;
	*out = strtoull(s + 2, &end, 16);
	return !*end && !errno;
}

static json_int_t
snapshot_mem_int(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) && json_integer_value(v) >= 0 ? json_integer_value(v) : -1;
}

static int
snapshot_mem_read_map(struct memacc *m, json_t *v, size_t i, struct errbuf *err)
{
	struct memacc_map x = { 0 };
	json_t *lv = json_object_get(v, "levels"), *e;
	const char *kind = json_string_value(json_object_get(v, "kind"));
	size_t l;

	x.label = (char *)json_string_value(json_object_get(v, "label"));
	if (!json_is_object(v) || snapshot_mem_int(v, "pid") < 0 ||
	    !snapshot_mem_get_hex(json_object_get(v, "start"), &x.start) ||
	    !snapshot_mem_get_hex(json_object_get(v, "end"), &x.end) || !x.label || !kind ||
	    snapshot_mem_int(v, "samples") < 0 || snapshot_mem_int(v, "weight") < 0 ||
	    !json_is_boolean(json_object_get(v, "dead")) || !json_is_array(lv) ||
	    json_array_size(lv) != MEMACC_LVL_COUNT || (i > 0 && x.end <= x.start))
		return snapshot_mem_bad(err, "maps", i);
	x.pid = (uint32_t)snapshot_mem_int(v, "pid");
	x.samples = (uint64_t)snapshot_mem_int(v, "samples");
	x.weight = (uint64_t)snapshot_mem_int(v, "weight");
	x.dead = json_is_true(json_object_get(v, "dead"));
	for (x.kind = 0; x.kind < MEMACC_KIND_COUNT; x.kind++)
		if (strcmp(kind, memacc_kind_name(x.kind)) == 0)
			break;
	if (x.kind == MEMACC_KIND_COUNT)
		return snapshot_mem_bad(err, "maps", i);
	json_array_foreach (lv, l, e) {
		if (!json_is_integer(e) || json_integer_value(e) < 0)
			return snapshot_mem_bad(err, "maps", i);
		x.levels[l] = (uint64_t)json_integer_value(e);
	}
	if (memacc_restore_map(m, (uint32_t)i, &x) != i)
		return errbuf_fail(err, -EINVAL,
				   "mem.maps: more than %u mappings (the file is damaged or not a "
				   "ringside snapshot)",
				   MEMACC_MAX_MAPS);
	return 0;
}

/* The log's four arrays; every entry checked against the mappings and the frames. */
static int
snapshot_mem_read_log(struct memacc *m, json_t *log, const struct profile *p, struct errbuf *err)
{
	json_t *t = json_object_get(log, "t_us"), *mp = json_object_get(log, "map"),
	       *pg = json_object_get(log, "page"), *fr = json_object_get(log, "frame");
	size_t n = json_array_size(t), nframes = p->frames ? frametab_nframes(p->frames) : 0;
	int64_t now = 0;

	if (!json_is_array(t) || !json_is_array(mp) || !json_is_array(pg) || !json_is_array(fr) ||
	    json_array_size(mp) != n || json_array_size(pg) != n || json_array_size(fr) != n)
		return errbuf_fail(err, -EINVAL,
				   "mem.log: expected four arrays of one length (t_us, map, page, "
				   "frame; the file is damaged or not a ringside snapshot)");
	for (size_t i = 0; i < n; i++) {
		json_t *tv = json_array_get(t, i), *mv = json_array_get(mp, i),
		       *pv = json_array_get(pg, i), *fv = json_array_get(fr, i);
		struct memacc_sample s;

		if (!json_is_integer(tv) || !json_is_integer(mv) || !json_is_integer(pv) ||
		    !json_is_integer(fv) || json_integer_value(mv) < 0 ||
		    (size_t)json_integer_value(mv) >= memacc_nmaps(m) ||
		    json_integer_value(pv) < 0 || json_integer_value(fv) < -1 ||
		    json_integer_value(fv) >= (json_int_t)nframes)
			return snapshot_mem_bad(err, "log", i);
		now += json_integer_value(tv);
		now = now > -(int64_t)(p->sched_origin / 1000) ? now
							       : -(int64_t)(p->sched_origin / 1000);
		s.time = (uint64_t)((int64_t)(p->sched_origin / 1000) + now) * 1000;
		s.map = (uint32_t)json_integer_value(mv);
		s.addr = (snapshot_mem_start(m, s.map) / MEMGRID_PAGE +
			  (uint64_t)json_integer_value(pv)) *
			 MEMGRID_PAGE;
		s.frame = json_integer_value(fv) < 0 ? MEMACC_NOFRAME
						     : (uint32_t)json_integer_value(fv);
		memacc_add_logged(m, &s);
	}
	return 0;
}

int
snapshot_mem_read(json_t *root, struct profile *p, struct errbuf *err)
{
	json_t *mem = json_object_get(root, "mem"), *maps, *v;
	const char *source;
	size_t i;

	if (!mem)
		return 0; /* recorded without --mem, or before it existed */
	source = json_string_value(json_object_get(mem, "source"));
	maps = json_object_get(mem, "maps");
	if (!json_is_object(mem) || !source || !json_is_array(maps) || json_array_size(maps) == 0 ||
	    snapshot_mem_int(mem, "total") < 0 || snapshot_mem_int(mem, "stride") < 1 ||
	    snapshot_mem_int(mem, "maps_dropped") < 0 ||
	    !json_is_object(json_object_get(mem, "log")))
		return errbuf_fail(err, -EINVAL,
				   "mem: expected an object with source, total, stride, "
				   "maps_dropped, maps and log (the file is damaged or not a "
				   "ringside snapshot)");
	p->mem = memacc_new(source);
	json_array_foreach (maps, i, v) {
		if (snapshot_mem_read_map(p->mem, v, i, err) < 0)
			return -EINVAL;
	}
	if (snapshot_mem_read_log(p->mem, json_object_get(mem, "log"), p, err) < 0)
		return -EINVAL;
	memacc_set_counts(p->mem, (uint64_t)snapshot_mem_int(mem, "stride"),
			  (uint64_t)snapshot_mem_int(mem, "total"),
			  (uint64_t)snapshot_mem_int(mem, "maps_dropped"));
	return 0;
}
