// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writing snapshot JSON, format 1 (man/ringside-snapshot.5): the profile's metadata, tracks and
 * ratios are rendered with jansson; the call stacks and the scheduler timeline, the bulk of a
 * file, are streamed after them by hand.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ringside/export/snapshot.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/rates.h"
#include "snapshot_internal.h"

static json_t *
snapshot_strv(char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i] ? v[i] : ""));
	return a;
}

static json_t *
snapshot_intv(const int *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *
snapshot_u64v(const uint64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			a, json_integer(v[i] > INT64_MAX ? INT64_MAX : (json_int_t)v[i]));
	return a;
}

static json_t *
snapshot_hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_string(buf);
}

static json_t *
snapshot_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *
snapshot_meta(const struct profile_meta *m)
{
	char start[64];
	struct tm tm;
	time_t secs = (time_t)(m->start_unix_ns / 1000000000);
	json_t *target, *meta;

	gmtime_r(&secs, &tm);
	snprintf(start, sizeof(start), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(m->start_unix_ns / 1000000 % 1000));
	target = json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "kind",
			   snapshot_str_or_null(m->target_kind ? m->target_kind : "system"),
			   "description", json_string(m->target_desc ? m->target_desc : ""), "cpus",
			   snapshot_intv(m->target_cpus, m->ntarget_cpus), "pids",
			   snapshot_intv(m->target_pids, m->ntarget_pids), "command",
			   snapshot_strv(m->command, m->ncommand), "exit",
			   m->command_exit >= 0 ? json_integer(m->command_exit) : json_null());
	meta = json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:o, s:s, s:I, s:I, s:I, s:o}",
			 "ringside_version",
			 m->ringside_version ? m->ringside_version : PACKAGE_VERSION, "host",
			 m->host ? m->host : "", "kernel", m->kernel ? m->kernel : "", "arch",
			 m->arch ? m->arch : "", "cpus", m->ncpus, "target", target, "command_line",
			 snapshot_strv(m->cmdline, m->ncmdline), "start", start, "start_unix_ns",
			 (json_int_t)m->start_unix_ns, "duration_ns", (json_int_t)m->duration_ns,
			 "interval_ns", (json_int_t)m->interval_ns, "end_reason",
			 snapshot_str_or_null(m->end_reason));
	if (meta && m->nhosts) /* only a merged snapshot: others stay as they were */
		json_object_set_new(meta, "hosts", snapshot_hosts_write(m));
	return meta;
}

static json_t *
snapshot_track(const struct counter_track *t)
{
	json_t *series = json_array(), *enc, *obj;

	for (size_t i = 0; i < t->nseries; i++) {
		const struct counter_series *s = &t->series[i];

		json_array_append_new(series, json_pack("{s:i, s:o, s:o, s:o, s:o}", "cpu", s->cpu,
							"t", snapshot_u64v(s->t, s->n), "count",
							snapshot_u64v(s->count, s->n), "enabled",
							snapshot_u64v(s->enabled, s->n), "running",
							snapshot_u64v(s->running, s->n)));
	}
	enc = json_pack("{s:I, s:o, s:o, s:o, s:b, s:b, s:b}", "type", (json_int_t)t->type,
			"config", snapshot_hex(t->config), "config1", snapshot_hex(t->config1),
			"config2", snapshot_hex(t->config2), "exclude_user", t->exclude_user,
			"exclude_kernel", t->exclude_kernel, "exclude_hv", t->exclude_hv);
	obj = json_pack("{s:s, s:s, s:s, s:s, s:o, s:b, s:o, s:o}", "name", t->name ? t->name : "",
			"canonical", t->canonical ? t->canonical : "", "pmu", t->pmu ? t->pmu : "",
			"kind", t->kind ? t->kind : "", "encoding", enc, "supported", t->supported,
			"reason", snapshot_str_or_null(t->reason), "series", series);
	/* Only for events added or removed during a live session: older files stay as they were. */
	if (t->added_ns)
		json_object_set_new(obj, "added_ns", json_integer((json_int_t)t->added_ns));
	if (t->removed_ns)
		json_object_set_new(obj, "removed_ns", json_integer((json_int_t)t->removed_ns));
	return obj;
}

/*
 * The user's ratios whose two events are in the file, each event by its name there (a ratio given
 * to `ringside view` may name one by its canonical name); NULL when there is none.
 */
static json_t *
snapshot_ratios(const struct profile *p)
{
	json_t *a = NULL;

	for (size_t i = 0; i < p->nratios; i++) {
		const struct ratio_def *r = &p->ratios[i];
		const struct counter_track *num = rates_find_track(p, r->num),
					   *den = rates_find_track(p, r->den);

		if (!num || !den || !*r->name)
			continue;
		if (!a)
			a = json_array();
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:b}", "name", r->name,
						   "numerator", num->name, "denominator", den->name,
						   "percent", r->percent));
	}
	return a;
}

static int
snapshot_frame_cmp(const void *a, const void *b, void *tree)
{
	uint32_t x = stacktree_node(tree, *(const uint32_t *)a)->frame;
	uint32_t y = stacktree_node(tree, *(const uint32_t *)b)->frame;

	return (x > y) - (x < y);
}

/* A task's latencies as "hist": [[ns, count], ...] in lat (absent when it has none). */
static void
snapshot_sched_latencies(const struct schedmap *m, uint32_t task, json_t *lat)
{
	size_t n;
	struct schedmap_latency *l = schedmap_task_latencies(m, task, &n);
	json_t *a;

	if (!l)
		return;
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
			a, json_pack("[I, I]", (json_int_t)l[i].ns, (json_int_t)l[i].count));
	json_object_set_new(lat, "hist", a);
	free(l);
}

/*
 * One element of an array being streamed: a comma before all but the first, t written and freed.
 * NULL (a value jansson refused) is left out. Returns json_dumpf's result.
 */
static int
snapshot_put_elem(FILE *fp, json_t *t, bool *first)
{
	int r;

	if (!t)
		return 0;
	if (!*first)
		fputc(',', fp);
	*first = false;
	r = json_dumpf(t, fp, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(t);
	return r;
}

/*
 * The "tasks" array, written to fp one task at a time: a task's object is built, written and
 * freed before the next, so jansson never holds more than one (tens of MB for the whole array
 * after a long system-wide recording). The bytes are those of the whole array dumped at once.
 */
static int
snapshot_sched_tasks(const struct profile *p, FILE *fp)
{
	const struct schedmap *m = p->sched;
	bool first = true;
	int r = 0;

	fputc('[', fp);
	for (size_t i = 0; r == 0 && i < schedmap_ntasks(m); i++) {
		struct schedmap_task_stats st;
		json_t *t;

		if (schedmap_task_stats(m, (uint32_t)i, &st) < 0)
			continue;
		t = json_pack("{s:i, s:i, s:s, s:s, s:b, s:b, s:i, s:I, s:I, s:I, s:I, s:I, "
			      "s:{s:I, s:I, s:I, s:I, s:I}}",
			      "tid", st.tid, "pid", st.pid, "comm", st.comm, "short", st.short_name,
			      "target", st.target, "exited", st.exited, "execs", (int)st.execs,
			      "runtime_ns", (json_int_t)st.runtime_ns, "switches_voluntary",
			      (json_int_t)st.switches_voluntary, "switches_involuntary",
			      (json_int_t)st.switches_involuntary, "migrations",
			      (json_int_t)st.migrations, "wakeups", (json_int_t)st.wakeups,
			      "latency_ns", "count", (json_int_t)st.lat_count, "p50",
			      (json_int_t)st.lat_p50_ns, "p95", (json_int_t)st.lat_p95_ns, "p99",
			      (json_int_t)st.lat_p99_ns, "max", (json_int_t)st.lat_max_ns);
		snapshot_sched_latencies(m, (uint32_t)i, json_object_get(t, "latency_ns"));
		/* only aggregates have it: files without folding stay as they were */
		if (st.folded)
			json_object_set_new(t, "folded", json_integer((json_int_t)st.folded));
		/* only merged snapshots have it (a label of meta.hosts) */
		if (profile_sched_task_host(p, (uint32_t)i))
			json_object_set_new(t, "host",
					    json_string(profile_sched_task_host(p, (uint32_t)i)));
		/* not valid UTF-8 (t NULL): left out, as the whole array's append did */
		r = snapshot_put_elem(fp, t, &first);
	}
	fputc(']', fp);
	return r;
}

/* Times in the file count from the recording's start (origin). */
static uint64_t
snapshot_rel(uint64_t t, uint64_t origin)
{
	return t > origin ? t - origin : 0;
}

/*
 * The timeline's runs, summaries and map are the bulk of a busy recording (millions of integers):
 * they are written straight to the file rather than built as jansson values first.
 */
static void
snapshot_put_i64(FILE *fp, int64_t v)
{
	char buf[24], *p = buf + sizeof(buf);
	uint64_t u = v < 0 ? (uint64_t) - (v + 1) + 1 : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	fwrite(p, 1, (size_t)(buf + sizeof(buf) - p), fp);
}

/* "[a,b,c]" (with a leading comma unless first). */
static void
snapshot_put_tuple(FILE *fp, bool first, const int64_t *v, size_t n)
{
	fputs(first ? "[" : ",[", fp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', fp);
		snapshot_put_i64(fp, v[i]);
	}
	fputc(']', fp);
}

/*
 * The nodes in pre-order with each node's children sorted by frame id: a canonical order, so that
 * a tree read back from a snapshot is written out again byte for byte the same. Streamed, as the
 * timeline is (see snapshot_put_i64): a capped tree has half a million nodes.
 */
void
snapshot_stream_nodes(const struct stacktree *t, FILE *fp, uint32_t **index_out)
{
	size_t n = stacktree_nnodes(t), top = 0, next = 0;
	uint32_t *stack = xcalloc(n + 1, sizeof(uint32_t)),
		 *index = xcalloc(n + 1, sizeof(uint32_t));

	fputc('[', fp);
	stack[top++] = STACKTREE_ROOT;
	while (top > 0) {
		uint32_t id = stack[--top], first = (uint32_t)top;
		const struct stacktree_node *node = stacktree_node(t, id);
		int64_t v[4] = { node->parent == STACKTREE_NONE ? -1 : (int64_t)index[node->parent],
				 (int64_t)node->frame, (int64_t)node->self, (int64_t)node->total };

		snapshot_put_tuple(fp, next == 0, v, 4);
		index[id] = (uint32_t)next++;
		for (uint32_t c = node->first_child; c != STACKTREE_NONE;
		     c = stacktree_node(t, c)->next_sibling)
			stack[top++] = c;
		/* Pushed in reverse frame order, so the smallest frame is visited first. */
		qsort_r(stack + first, top - first, sizeof(uint32_t), snapshot_frame_cmp,
			(void *)t);
		for (size_t i = first, j = top; i + 1 < j; i++, j--) {
			uint32_t tmp = stack[i];

			stack[i] = stack[j - 1];
			stack[j - 1] = tmp;
		}
	}
	fputc(']', fp);
	free(stack);
	if (index_out)
		*index_out = index;
	else
		free(index);
}

/*
 * The frame table's strings as a JSON array, one at a time (jansson escapes them: they come from
 * the system), so that tens of thousands of names are never held twice as jansson values and
 * text. A string jansson refuses is left out, as appending it to an array did.
 */
static int
snapshot_stream_strings(const struct frametab *ft, FILE *fp)
{
	bool first = true;
	int r = 0;

	fputc('[', fp);
	for (size_t i = 0; r == 0 && i < frametab_nstrings(ft); i++) {
		json_t *s = json_string(frametab_str(ft, (uint32_t)i));

		if (!s)
			continue;
		if (!first)
			fputc(',', fp);
		first = false;
		r = json_dumpf(s, fp, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
		json_decref(s);
	}
	fputc(']', fp);
	return r;
}

/*
 * The "stacks" object, written to fp: its counts built as jansson values, the strings, frames and
 * nodes streamed after them.
 */
static int
snapshot_stream_stacks(const struct profile *p, FILE *fp)
{
	const struct profile_sampling *sm = &p->sampling;
	uint32_t *index = NULL;
	json_t *head;
	char *text;
	size_t len;

	head = json_pack("{s:s, s:I, s:I, s:s, s:I, s:I, s:I, s:I}", "event",
			 sm->event ? sm->event : "", "freq", (json_int_t)sm->freq, "period",
			 (json_int_t)sm->period, "callgraph",
			 sm->callgraph ? sm->callgraph : "none", "samples", (json_int_t)sm->samples,
			 "lost", (json_int_t)sm->lost, "throttled", (json_int_t)sm->throttled,
			 "bad_records", (json_int_t)sm->bad_records);
	text = head ? json_dumps(head, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(head);
	len = text ? strlen(text) : 0;
	if (len < 2) {
		free(text);
		return -1;
	}
	fwrite(text, 1, len - 1, fp);
	free(text);
	fputs(",\"strings\":", fp);
	if (snapshot_stream_strings(p->frames, fp) != 0)
		return -1;
	if (sm->counts) /* The first event leads a group: its tree weighs counts, not samples. */
		fputs(",\"weight\":\"count\"", fp);
	fputs(",\"frames\":[", fp);
	for (size_t i = 0; i < frametab_nframes(p->frames); i++) {
		const struct frame *f = frametab_get(p->frames, (uint32_t)i);
		int64_t v[4] = { f->name, f->module, f->file, f->line };

		fputs(i ? ",[" : "[", fp);
		for (size_t k = 0; k < 4; k++) {
			snapshot_put_i64(fp, v[k]);
			fputc(',', fp);
		}
		fprintf(fp, "\"%s\",%d]", frame_kind_name((enum frame_kind)f->kind),
			f->inlined ? 1 : 0);
	}
	fputs("],\"nodes\":", fp);
	snapshot_stream_nodes(p->stacks, fp, &index);
	snapshot_timeline_write(p->stacks, index, fp);
	free(index);
	snapshot_addrs_write(p, fp);
	if (p->offcpu) {
		/* The time tree: the same node tuples, counts in nanoseconds. */
		fputs(",\"offcpu\":", fp);
		snapshot_stream_nodes(p->offcpu, fp, NULL);
		fprintf(fp, ",\"offcpu_stacks\":\"%s\"", p->offcpu_user ? "user" : "all");
	}
	snapshot_events_write(p, fp);
	fputc('}', fp);
	return 0;
}

/*
 * A merged snapshot's CPU: ,"host":LABEL (a label of meta.hosts), and [*t0, *t1) narrowed to its
 * host's own recording (its busy_ns is the input's). Returns whether the CPU is one.
 */
static bool
snapshot_cpu_host(const struct profile *p, unsigned cpu, uint64_t *t0, uint64_t *t1, FILE *fp)
{
	const struct profile_host *h;
	json_t *label;

	if (!p->sched_cpu_host || p->sched_cpu_host[cpu] >= p->meta.nhosts)
		return false;
	h = &p->meta.hosts[p->sched_cpu_host[cpu]];
	label = json_string(h->label);
	fputs(",\"host\":", fp);
	json_dumpf(label, fp, JSON_ENCODE_ANY | JSON_ENSURE_ASCII);
	json_decref(label);
	if (h->start_unix_ns > p->meta.start_unix_ns)
		*t0 += (uint64_t)(h->start_unix_ns - p->meta.start_unix_ns);
	*t1 = *t0 + h->duration_ns;
	return true;
}

static void
snapshot_stream_cpus(const struct profile *p, uint64_t t1, FILE *fp)
{
	const struct schedmap *m = p->sched;

	fputs("[", fp);
	for (unsigned c = 0; c < schedmap_ncpus(m); c++) {
		uint64_t busy = 0, known = 0, from = p->sched_origin, to = t1;
		struct schedmap_run run;
		struct schedmap_bucket b;
		bool merged;

		fprintf(fp, "%s{\"cpu\":%u", c ? "," : "",
			p->sched_cpu_num ? p->sched_cpu_num[c] : c);
		merged = snapshot_cpu_host(p, c, &from, &to, fp);
		if (to > from)
			schedmap_busy_ns(m, c, from, to, &busy, &known);
		fprintf(fp, ",\"busy_ns\":%" PRIu64 ",\"known_ns\":%" PRIu64 ",\"runs\":[", busy,
			known);
		for (size_t i = 0; schedmap_run_at(m, c, i, &run) == 0; i++) {
			/* a merged CPU's data ends with its host's: not an open unknown run to the
			 * end */
			if (merged && run.open && run.task == SCHEDMAP_TASK_UNKNOWN)
				break;
			int64_t v[3] = { (int64_t)snapshot_rel(run.start, p->sched_origin),
					 (int64_t)snapshot_rel(run.end, p->sched_origin),
					 (int64_t)snapshot_task_ref(run.task) };

			snapshot_put_tuple(fp, i == 0, v, 3);
		}
		fputs("],\"summaries\":[", fp);
		for (size_t i = 0; schedmap_summary_at(m, c, i, &b) == 0; i++) {
			int64_t v[5] = { (int64_t)snapshot_rel(b.start, p->sched_origin),
					 (int64_t)snapshot_task_ref(b.task), b.task_ns, b.busy_ns,
					 b.known_ns };

			snapshot_put_tuple(fp, i == 0, v, 5);
		}
		fputs("]}", fp);
	}
	fputs("]", fp);
}

/*
 * The map the views draw: for every CPU the task that ran most in each bucket of the recording,
 * with its share and the CPU's busy share, per mille.
 */
static void
snapshot_stream_map(const struct profile *p, uint64_t t1, uint64_t bucket_ns, FILE *fp)
{
	const struct schedmap *m = p->sched;
	size_t nb = schedmap_query_nbuckets(p->sched_origin, t1, bucket_ns);
	struct schedmap_cell *cells = xcalloc(nb * schedmap_ncpus(m) + 1, sizeof(*cells));
	/* For processes and commands, the tasks that are not the target's are one "other". */
	unsigned flags = strcmp(p->meta.target_kind ? p->meta.target_kind : "system", "system")
				 ? SCHEDMAP_OTHER
				 : 0;

	fprintf(fp, "{\"bucket_ns\":%" PRIu64 ",\"cells\":[", bucket_ns);
	if (nb && schedmap_query(m, p->sched_origin, t1, bucket_ns, flags, cells) >= 0) {
		for (unsigned c = 0; c < schedmap_ncpus(m); c++) {
			fputs(c ? ",[" : "[", fp);
			for (size_t b = 0; b < nb; b++) {
				const struct schedmap_cell *cell = &cells[c * nb + b];
				int64_t v[3] = { (int64_t)snapshot_task_ref(cell->task),
						 cell->share, cell->busy };

				snapshot_put_tuple(fp, b == 0, v, 3);
			}
			fputs("]", fp);
		}
	}
	fputs("]}", fp);
	free(cells);
}

/* The "sched" object, written to fp. */
static int
snapshot_stream_sched(const struct profile *p, FILE *fp)
{
	uint64_t t1 = p->sched_origin + p->meta.duration_ns;
	uint64_t bucket = schedmap_bucket_ns(p->sched);
	struct schedmap_counts sc;
	int r;

	/* About 200 columns over the recording, never finer than 10 ms. */
	if (p->meta.duration_ns / 200 > bucket)
		bucket = p->meta.duration_ns / 200;
	if (bucket < 10000000)
		bucket = 10000000;
	schedmap_get_counts(p->sched, &sc);
	fprintf(fp,
		"{\"lost\":%" PRIu64 ",\"switches\":%" PRIu64 ",\"events\":%" PRIu64
		",\"summary_bucket_ns\":%" PRIu64 ",\"tasks\":",
		p->sampling.lost, p->sched_switches, sc.events + p->sched_events,
		schedmap_bucket_ns(p->sched));
	/* Full of strings from the system: jansson escapes those, one task at a time. */
	r = snapshot_sched_tasks(p, fp);
	fputs(",\"cpus\":", fp);
	snapshot_stream_cpus(p, t1, fp);
	fputs(",\"map\":", fp);
	snapshot_stream_map(p, t1, bucket, fp);
	fputc('}', fp);
	return r;
}

/* The "events" array, one track built and written at a time (one jansson refuses is left out). */
static int
snapshot_write_tracks(const struct profile *p, FILE *fp)
{
	bool first = true;
	int r = 0;

	fputc('[', fp);
	for (size_t i = 0; r == 0 && i < p->ntracks; i++)
		r = snapshot_put_elem(fp, snapshot_track(&p->tracks[i]), &first);
	fputc(']', fp);
	return r;
}

/*
 * The top object's members but its closing brace, as json_dumpf would write them, in their order;
 * the null that holds the place of "events" becomes the tracks, written one at a time. Built all
 * at once as jansson values (an integer is some 40 bytes) and text, a long recording's counter
 * series made the biggest block of memory ringside ever held: 6 MB at the end of a 30-minute
 * system-wide recording.
 */
static int
snapshot_write_head(const struct profile *p, json_t *root, FILE *fp)
{
	const char *key;
	json_t *v;
	bool first = true;
	int r = 0;

	fputc('{', fp);
	json_object_foreach (root, key, v) {
		json_t *k = json_string(key);

		if (!first)
			fputc(',', fp);
		first = false;
		r = k ? json_dumpf(k, fp, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : -1;
		json_decref(k);
		if (r == 0)
			fputc(':', fp);
		if (r == 0 && strcmp(key, "events") == 0)
			r = snapshot_write_tracks(p, fp);
		else if (r == 0)
			r = json_dumpf(v, fp, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
		if (r != 0)
			break;
	}
	return r;
}

int
snapshot_write(const struct profile *p, FILE *fp, struct errbuf *err)
{
	json_t *root, *ratios;
	int r;

	root = json_pack("{s:s, s:i, s:o, s:o}", "format", SNAPSHOT_FORMAT, "version",
			 SNAPSHOT_VERSION, "meta", snapshot_meta(&p->meta), "events", json_null());
	ratios = snapshot_ratios(p);
	if (root && ratios)
		json_object_set_new(root, "ratios", ratios);
	else
		json_decref(ratios);
	if (root)
		snapshot_output_write(p, root);
	if (root && p->taskctr)
		json_object_set_new(root, "task_counters", snapshot_tasks_json(p));
	if (!root)
		return errbuf_fail(err, -EINVAL,
				   "cannot build the snapshot JSON (a string is not valid UTF-8?)");
	r = snapshot_write_head(p, root, fp);
	/* The stacks and the timeline are streamed after the rest. */
	if (r == 0 && p->stacks && p->frames && p->sampling.event) {
		fputs(",\"stacks\":", fp);
		r = snapshot_stream_stacks(p, fp);
	}
	if (r == 0 && (p->sched || p->sched_json)) {
		fputs(",\"sched\":", fp);
		/* A snapshot read back is written as it was read. */
		if (p->sched_json)
			fputs(p->sched_json, fp);
		else
			r = snapshot_stream_sched(p, fp);
	}
	if (r == 0 && p->mem) {
		fputs(",\"mem\":", fp);
		r = snapshot_mem_write(p, fp);
	}
	if (r == 0 && p->kvm) {
		fputs(",\"kvm\":", fp);
		r = snapshot_kvm_write(p, fp);
	}
	if (r == 0)
		fputc('}', fp);
	json_decref(root);
	if (r != 0 || fputc('\n', fp) == EOF || ferror(fp))
		return errbuf_fail(err, -EIO, "cannot write the snapshot: %s",
				   strerror(errno ? errno : EIO));
	return 0;
}
