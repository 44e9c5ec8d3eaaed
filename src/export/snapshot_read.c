// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading snapshot JSON, format 1 (man/ringside-snapshot.5): every field used is checked and the
 * JSON path of the first problem is named, so a bad file never yields a partial profile.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/snapshot.h"
#include "ringside/util/xalloc.h"
#include "snapshot_internal.h"

/* A JSON path for messages, e.g. "events[1].series[0].count[3]". */
struct snapshot_path {
	char s[256];
};

static const char *
snapshot_at(struct snapshot_path *out, const char *base, const char *key, long index)
{
	int n;

	/* A path too deep for the buffer is cut short; it only ever appears in messages. */
	if (key)
		n = snprintf(out->s, sizeof(out->s), "%s%s%s", base, *base ? "." : "", key);
	else
		n = snprintf(out->s, sizeof(out->s), "%s[%ld]", base, index);
	if (n < 0 || (size_t)n >= sizeof(out->s))
		out->s[sizeof(out->s) - 1] = '\0';
	return out->s;
}

static int
snapshot_bad(struct errbuf *err, const char *path, const char *what)
{
	return errbuf_fail(err, -EINVAL, "%s: %s", *path ? path : "top level", what);
}

static json_t *
snapshot_get(json_t *obj, const char *base, const char *key, json_type type, bool nullable,
	     struct errbuf *err)
{
	static const char *const names[] = { "an object", "an array",  "a string",  "an integer",
					     "a number",  "a boolean", "a boolean", "null" };
	struct snapshot_path p;
	json_t *v = json_object_get(obj, key);

	snapshot_at(&p, base, key, 0);
	if (!v) {
		snapshot_bad(err, p.s, "missing");
		return NULL;
	}
	if (nullable && json_is_null(v))
		return v;
	if (json_typeof(v) != type && !(type == JSON_TRUE && json_is_boolean(v))) {
		char msg[64];

		snprintf(msg, sizeof(msg), "expected %s", names[type]);
		snapshot_bad(err, p.s, msg);
		return NULL;
	}
	return v;
}

static int
snapshot_get_str(json_t *obj, const char *base, const char *key, char **out, bool nullable,
		 struct errbuf *err)
{
	json_t *v = snapshot_get(obj, base, key, JSON_STRING, nullable, err);

	if (!v)
		return -EINVAL;
	*out = json_is_null(v) ? NULL : xstrdup(json_string_value(v));
	return 0;
}

static int
snapshot_get_u64(json_t *obj, const char *base, const char *key, uint64_t *out, struct errbuf *err)
{
	json_t *v = snapshot_get(obj, base, key, JSON_INTEGER, false, err);
	struct snapshot_path p;

	if (!v)
		return -EINVAL;
	if (json_integer_value(v) < 0)
		return snapshot_bad(err, snapshot_at(&p, base, key, 0),
				    "expected a non-negative integer");
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int
snapshot_get_hex(json_t *obj, const char *base, const char *key, uint64_t *out, struct errbuf *err)
{
	json_t *v = snapshot_get(obj, base, key, JSON_STRING, false, err);
	struct snapshot_path p;
	const char *s;
	char *end;

	if (!v)
		return -EINVAL;
	s = json_string_value(v);
	errno = 0;
	*out = strtoull(s, &end, 16);
	if (strncmp(s, "0x", 2) != 0 || !s[2] || *end || errno)
		return snapshot_bad(err, snapshot_at(&p, base, key, 0),
				    "expected a hexadecimal string like \"0x1a\"");
	return 0;
}

static int
snapshot_get_strv(json_t *obj, const char *base, const char *key, char ***out, size_t *n,
		  struct errbuf *err)
{
	json_t *a = snapshot_get(obj, base, key, JSON_ARRAY, false, err), *v;
	struct snapshot_path p, q;
	size_t i;

	if (!a)
		return -EINVAL;
	snapshot_at(&p, base, key, 0);
	*n = 0;
	*out = xcalloc(json_array_size(a) + 1, sizeof(char *));
	json_array_foreach (a, i, v) {
		if (!json_is_string(v))
			return snapshot_bad(err, snapshot_at(&q, p.s, NULL, (long)i),
					    "expected a string");
		(*out)[(*n)++] = xstrdup(json_string_value(v));
	}
	return 0;
}

static int
snapshot_get_intv(json_t *obj, const char *base, const char *key, int **out, size_t *n,
		  struct errbuf *err)
{
	json_t *a = snapshot_get(obj, base, key, JSON_ARRAY, false, err), *v;
	struct snapshot_path p, q;
	size_t i;

	if (!a)
		return -EINVAL;
	snapshot_at(&p, base, key, 0);
	*n = 0;
	*out = xcalloc(json_array_size(a) + 1, sizeof(int));
	json_array_foreach (a, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 0x7fffffff)
			return snapshot_bad(err, snapshot_at(&q, p.s, NULL, (long)i),
					    "expected a non-negative integer");
		(*out)[(*n)++] = (int)json_integer_value(v);
	}
	return 0;
}

static int
snapshot_read_meta(json_t *root, struct profile_meta *m, struct errbuf *err)
{
	json_t *meta, *target, *exitv, *cpus;
	uint64_t start;

	meta = snapshot_get(root, "", "meta", JSON_OBJECT, false, err);
	if (!meta)
		return -EINVAL;
	if (snapshot_get_str(meta, "meta", "ringside_version", &m->ringside_version, false, err) ||
	    snapshot_get_str(meta, "meta", "host", &m->host, false, err) ||
	    snapshot_get_str(meta, "meta", "kernel", &m->kernel, false, err) ||
	    snapshot_get_str(meta, "meta", "arch", &m->arch, false, err))
		return -EINVAL;
	cpus = snapshot_get(meta, "meta", "cpus", JSON_INTEGER, false, err);
	if (!cpus)
		return -EINVAL;
	if (json_integer_value(cpus) < 1 || json_integer_value(cpus) > 65536)
		return snapshot_bad(err, "meta.cpus", "expected a CPU count from 1 to 65536");
	m->ncpus = (int)json_integer_value(cpus);
	target = snapshot_get(meta, "meta", "target", JSON_OBJECT, false, err);
	if (!target ||
	    snapshot_get_str(target, "meta.target", "kind", &m->target_kind, false, err) ||
	    snapshot_get_str(target, "meta.target", "description", &m->target_desc, false, err) ||
	    snapshot_get_intv(target, "meta.target", "cpus", &m->target_cpus, &m->ntarget_cpus,
			      err) ||
	    snapshot_get_intv(target, "meta.target", "pids", &m->target_pids, &m->ntarget_pids,
			      err) ||
	    snapshot_get_strv(target, "meta.target", "command", &m->command, &m->ncommand, err))
		return -EINVAL;
	if (strcmp(m->target_kind, "system") && strcmp(m->target_kind, "pids") &&
	    strcmp(m->target_kind, "command"))
		return snapshot_bad(err, "meta.target.kind",
				    "expected \"system\", \"pids\" or \"command\"");
	exitv = snapshot_get(target, "meta.target", "exit", JSON_INTEGER, true, err);
	if (!exitv)
		return -EINVAL;
	if (json_is_integer(exitv) &&
	    (json_integer_value(exitv) < 0 || json_integer_value(exitv) > 255))
		return snapshot_bad(err, "meta.target.exit",
				    "expected an exit code from 0 to 255 or null");
	m->command_exit = json_is_integer(exitv) ? (int)json_integer_value(exitv) : -1;
	if (snapshot_get_strv(meta, "meta", "command_line", &m->cmdline, &m->ncmdline, err) ||
	    !snapshot_get(meta, "meta", "start", JSON_STRING, false, err) ||
	    snapshot_get_u64(meta, "meta", "start_unix_ns", &start, err) ||
	    snapshot_get_u64(meta, "meta", "duration_ns", &m->duration_ns, err) ||
	    snapshot_get_u64(meta, "meta", "interval_ns", &m->interval_ns, err) ||
	    snapshot_get_str(meta, "meta", "end_reason", &m->end_reason, false, err))
		return -EINVAL;
	m->start_unix_ns = (int64_t)start;
	return snapshot_hosts_read(meta, m, err);
}

static int
snapshot_read_series(json_t *obj, const char *base, struct counter_track *t, struct errbuf *err)
{
	static const char *const keys[] = { "t", "count", "enabled", "running" };
	json_t *arrays[4], *cpu;
	struct counter_series *s;
	struct snapshot_path p, q;
	size_t n;

	if (!json_is_object(obj))
		return snapshot_bad(err, base, "expected an object");
	cpu = snapshot_get(obj, base, "cpu", JSON_INTEGER, false, err);
	if (!cpu)
		return -EINVAL;
	if (json_integer_value(cpu) < -1 || json_integer_value(cpu) > 65535)
		return snapshot_bad(err, snapshot_at(&p, base, "cpu", 0),
				    "expected a CPU number or -1");
	for (size_t i = 0; i < t->nseries; i++)
		if (t->series[i].cpu == json_integer_value(cpu))
			return snapshot_bad(err, snapshot_at(&p, base, "cpu", 0),
					    "a second series for the same CPU");
	for (int k = 0; k < 4; k++) {
		arrays[k] = snapshot_get(obj, base, keys[k], JSON_ARRAY, false, err);
		if (!arrays[k])
			return -EINVAL;
	}
	n = json_array_size(arrays[0]);
	for (int k = 1; k < 4; k++)
		if (json_array_size(arrays[k]) != n)
			return snapshot_bad(err, snapshot_at(&p, base, keys[k], 0),
					    "has a different length than t; all four arrays must "
					    "have one entry per interval");
	s = counter_track_series(t, (int)json_integer_value(cpu));
	for (size_t i = 0; i < n; i++) {
		uint64_t v[4];

		for (int k = 0; k < 4; k++) {
			json_t *e = json_array_get(arrays[k], i);

			snapshot_at(&q, snapshot_at(&p, base, keys[k], 0), NULL, (long)i);
			if (!json_is_integer(e) || json_integer_value(e) < 0)
				return snapshot_bad(err, q.s, "expected a non-negative integer");
			v[k] = (uint64_t)json_integer_value(e);
		}
		if (v[3] > v[2])
			return snapshot_bad(
				err,
				snapshot_at(&q, snapshot_at(&p, base, "running", 0), NULL, (long)i),
				"running time exceeds enabled time");
		if (s->n && v[0] <= s->t[s->n - 1])
			return snapshot_bad(
				err, snapshot_at(&q, snapshot_at(&p, base, "t", 0), NULL, (long)i),
				"interval times must increase");
		counter_series_append(s, v[0], v[1], v[2], v[3]);
	}
	return 0;
}

static int
snapshot_read_track(json_t *obj, const char *base, struct profile *p, struct errbuf *err)
{
	struct counter_track *t;
	json_t *enc, *series, *supported, *type, *v;
	struct snapshot_path ep, sp, q;
	char *name = NULL;
	size_t i;

	if (!json_is_object(obj))
		return snapshot_bad(err, base, "expected an object");
	if (snapshot_get_str(obj, base, "name", &name, false, err))
		return -EINVAL;
	if (!*name || profile_find_track(p, name)) {
		char what[160];

		snprintf(what, sizeof(what),
			 "event name '%.100s' is empty or given twice; names must be unique", name);
		free(name);
		return snapshot_bad(err, snapshot_at(&q, base, "name", 0), what);
	}
	t = profile_add_track(p);
	t->name = name;
	if (snapshot_get_str(obj, base, "canonical", &t->canonical, false, err) ||
	    snapshot_get_str(obj, base, "pmu", &t->pmu, false, err) ||
	    snapshot_get_str(obj, base, "kind", &t->kind, false, err) ||
	    snapshot_get_str(obj, base, "reason", &t->reason, true, err))
		return -EINVAL;
	supported = snapshot_get(obj, base, "supported", JSON_TRUE, false, err);
	enc = snapshot_get(obj, base, "encoding", JSON_OBJECT, false, err);
	if (!supported || !enc)
		return -EINVAL;
	t->supported = json_is_true(supported);
	snapshot_at(&ep, base, "encoding", 0);
	type = snapshot_get(enc, ep.s, "type", JSON_INTEGER, false, err);
	if (!type)
		return -EINVAL;
	if (json_integer_value(type) < 0 || json_integer_value(type) > UINT32_MAX)
		return snapshot_bad(err, snapshot_at(&q, ep.s, "type", 0),
				    "expected a perf event type");
	t->type = (uint32_t)json_integer_value(type);
	if (snapshot_get_hex(enc, ep.s, "config", &t->config, err) ||
	    snapshot_get_hex(enc, ep.s, "config1", &t->config1, err) ||
	    snapshot_get_hex(enc, ep.s, "config2", &t->config2, err))
		return -EINVAL;
	{
		json_t *xu = snapshot_get(enc, ep.s, "exclude_user", JSON_TRUE, false, err);
		json_t *xk = xu ? snapshot_get(enc, ep.s, "exclude_kernel", JSON_TRUE, false, err)
				: NULL;
		json_t *xh =
			xk ? snapshot_get(enc, ep.s, "exclude_hv", JSON_TRUE, false, err) : NULL;

		if (!xh)
			return -EINVAL;
		t->exclude_user = json_is_true(xu);
		t->exclude_kernel = json_is_true(xk);
		t->exclude_hv = json_is_true(xh);
	}
	if ((json_object_get(obj, "added_ns") &&
	     snapshot_get_u64(obj, base, "added_ns", &t->added_ns, err)) ||
	    (json_object_get(obj, "removed_ns") &&
	     snapshot_get_u64(obj, base, "removed_ns", &t->removed_ns, err)))
		return -EINVAL;
	if (t->removed_ns && t->removed_ns <= t->added_ns)
		return snapshot_bad(err, snapshot_at(&q, base, "removed_ns", 0),
				    "an event must be removed after it was added");
	series = snapshot_get(obj, base, "series", JSON_ARRAY, false, err);
	if (!series)
		return -EINVAL;
	snapshot_at(&sp, base, "series", 0);
	json_array_foreach (series, i, v) {
		if (snapshot_read_series(v, snapshot_at(&q, sp.s, NULL, (long)i), t, err) < 0)
			return -EINVAL;
	}
	return 0;
}

/* A non-negative integer array element below limit. */
static bool
snapshot_elem(json_t *a, size_t i, uint64_t limit, uint64_t *out)
{
	json_t *v = json_array_get(a, i);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) >= limit)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

static int
snapshot_read_strings(json_t *stacks, struct profile *p, struct errbuf *err)
{
	json_t *a = snapshot_get(stacks, "stacks", "strings", JSON_ARRAY, false, err), *v;
	struct snapshot_path q;
	size_t i;

	if (!a)
		return -EINVAL;
	json_array_foreach (a, i, v) {
		snapshot_at(&q, "stacks.strings", NULL, (long)i);
		if (!json_is_string(v))
			return snapshot_bad(err, q.s, "expected a string");
		if ((i == 0) != (json_string_length(v) == 0) ||
		    frametab_string(p->frames, json_string_value(v)) != i)
			return snapshot_bad(err, q.s,
					    "strings must be unique, and only the first one empty");
	}
	if (json_array_size(a) == 0)
		return snapshot_bad(err, "stacks.strings", "must start with the empty string");
	return 0;
}

static int
snapshot_read_frames(json_t *stacks, struct profile *p, struct errbuf *err)
{
	json_t *a = snapshot_get(stacks, "stacks", "frames", JSON_ARRAY, false, err), *v;
	uint64_t nstr = frametab_nstrings(p->frames);
	struct snapshot_path q;
	size_t i;

	if (!a)
		return -EINVAL;
	json_array_foreach (a, i, v) {
		uint64_t name, module, file, line, inlined;
		enum frame_kind kind;
		struct frame f;

		snapshot_at(&q, "stacks.frames", NULL, (long)i);
		if (!json_is_array(v) || json_array_size(v) != 6 ||
		    !snapshot_elem(v, 0, nstr, &name) || !snapshot_elem(v, 1, nstr, &module) ||
		    !snapshot_elem(v, 2, nstr, &file) ||
		    !snapshot_elem(v, 3, (uint64_t)UINT32_MAX + 1, &line) ||
		    !json_is_string(json_array_get(v, 4)) ||
		    !frame_kind_parse(json_string_value(json_array_get(v, 4)), &kind) ||
		    !snapshot_elem(v, 5, 2, &inlined))
			return snapshot_bad(err, q.s,
					    "expected [name, module, file, line, kind, inlined] "
					    "with string ids in range and a known kind");
		f = (struct frame){ .name = (uint32_t)name,
				    .module = (uint32_t)module,
				    .file = (uint32_t)file,
				    .line = (uint32_t)line,
				    .kind = (uint8_t)kind,
				    .inlined = inlined != 0 };
		if (frametab_intern_ids(p->frames, &f) != i)
			return snapshot_bad(err, q.s, "a frame given twice");
		if (kind == FRAME_OTHER)
			p->frame_other = (uint32_t)i;
	}
	return 0;
}

/*
 * The node tuples of stacks.KEY into a new tree *out. With check_root, the root's total must be
 * samples. With ids_out, *ids_out gets the tree's id of each tuple (the caller frees it).
 */
int
snapshot_read_nodes(json_t *stacks, const char *base, struct profile *p, const char *key,
		    struct stacktree **out, bool check_root, uint64_t samples, uint32_t **ids_out,
		    struct errbuf *err)
{
	json_t *a = snapshot_get(stacks, base, key, JSON_ARRAY, false, err), *v;
	char where[64];
	uint64_t nframes = frametab_nframes(p->frames);
	uint64_t *child_sum = NULL;
	uint32_t *id = NULL;
	struct snapshot_path q;
	size_t i, n;
	int rc = -EINVAL;

	if (!a)
		return -EINVAL;
	snprintf(where, sizeof(where), "%s.%s", base, key);
	n = json_array_size(a);
	if (n == 0)
		return snapshot_bad(err, where, "must hold at least the root");
	id = xcalloc(n, sizeof(*id));
	child_sum = xcalloc(n, sizeof(*child_sum));
	json_array_foreach (a, i, v) {
		json_t *pv = json_array_get(v, 0);
		uint64_t frame, self, total;
		json_int_t parent;

		snapshot_at(&q, where, NULL, (long)i);
		if (!json_is_array(v) || json_array_size(v) != 4 || !json_is_integer(pv) ||
		    !snapshot_elem(v, 1, nframes, &frame) ||
		    !snapshot_elem(v, 2, UINT64_MAX, &self) ||
		    !snapshot_elem(v, 3, UINT64_MAX, &total) || self > total) {
			snapshot_bad(err, q.s,
				     "expected [parent, frame, self, total] with a known frame and "
				     "self <= total");
			goto out;
		}
		parent = json_integer_value(pv);
		if (i == 0) {
			if (parent != -1 ||
			    frametab_get(p->frames, (uint32_t)frame)->kind != FRAME_ROOT) {
				snapshot_bad(err, q.s,
					     "the first node must be the root (parent -1)");
				goto out;
			}
			if (check_root && total != samples) {
				snapshot_bad(err, q.s,
					     "the root's total differs from the samples count");
				goto out;
			}
			p->frame_root = (uint32_t)frame;
			*out = stacktree_new(p->frame_root, p->frame_other,
					     n + 1 > STACKTREE_DEFAULT_MAX_NODES ? n + 1 : 0, 0);
			stacktree_set_root(*out, self, total);
			id[0] = STACKTREE_ROOT;
			continue;
		}
		if (parent < 0 || (size_t)parent >= i) {
			snapshot_bad(err, q.s, "a node's parent must come before it");
			goto out;
		}
		id[i] = stacktree_add_node(*out, id[parent], (uint32_t)frame, self, total);
		if (id[i] == STACKTREE_NONE) {
			snapshot_bad(err, q.s, "two children of one node with the same frame");
			goto out;
		}
		child_sum[parent] += total;
	}
	for (i = 0; i < n; i++) {
		const struct stacktree_node *node = stacktree_node(*out, id[i]);

		if (node->self + child_sum[i] != node->total) {
			snapshot_bad(err, snapshot_at(&q, where, NULL, (long)i),
				     "total is not self plus the children's totals");
			goto out;
		}
	}
	rc = 0;
	if (ids_out) {
		*ids_out = id;
		id = NULL;
	}
out:
	free(id);
	free(child_sum);
	return rc;
}

static int
snapshot_read_stacks(json_t *root, struct profile *p, struct errbuf *err)
{
	json_t *stacks = json_object_get(root, "stacks");
	struct profile_sampling *sm = &p->sampling;
	uint32_t *ids = NULL;
	const char *kind;
	int rc;

	if (!stacks)
		return 0;
	if (!json_is_object(stacks))
		return snapshot_bad(err, "stacks", "expected an object");
	if (snapshot_get_str(stacks, "stacks", "event", &sm->event, false, err) ||
	    snapshot_get_u64(stacks, "stacks", "freq", &sm->freq, err) ||
	    snapshot_get_u64(stacks, "stacks", "period", &sm->period, err) ||
	    snapshot_get_str(stacks, "stacks", "callgraph", &sm->callgraph, false, err) ||
	    snapshot_get_u64(stacks, "stacks", "samples", &sm->samples, err) ||
	    snapshot_get_u64(stacks, "stacks", "lost", &sm->lost, err) ||
	    snapshot_get_u64(stacks, "stacks", "throttled", &sm->throttled, err) ||
	    snapshot_get_u64(stacks, "stacks", "bad_records", &sm->bad_records, err) ||
	    snapshot_events_weight(stacks, "stacks", &sm->counts, NULL, err))
		return -EINVAL;
	p->frames = frametab_new();
	p->tasks = tasks_new();
	if (snapshot_read_strings(stacks, p, err) < 0 || snapshot_read_frames(stacks, p, err) < 0)
		return -EINVAL;
	if (!frametab_nframes(p->frames))
		return snapshot_bad(err, "stacks.frames", "must hold at least the root frame");
	/* A group leader's tree weighs counts: its root is not the sample count. */
	if (snapshot_read_nodes(stacks, "stacks", p, "nodes", &p->stacks, !sm->counts, sm->samples,
				&ids, err) < 0)
		return -EINVAL;
	rc = snapshot_timeline_read(stacks, p->stacks, ids,
				    json_array_size(json_object_get(stacks, "nodes")), err);
	free(ids);
	if (rc < 0)
		return rc;
	/* The time tree (on and off CPU, in ns) is optional: older snapshots have none. */
	if (json_object_get(stacks, "offcpu") &&
	    snapshot_read_nodes(stacks, "stacks", p, "offcpu", &p->offcpu, false, 0, NULL, err) < 0)
		return -EINVAL;
	/* Which frames its stacks hold: absent before user-only stacks, which kept them all. */
	kind = json_string_value(json_object_get(stacks, "offcpu_stacks"));
	if (json_object_get(stacks, "offcpu_stacks") &&
	    (!kind || (strcmp(kind, "user") != 0 && strcmp(kind, "all") != 0)))
		return snapshot_bad(err, "stacks.offcpu_stacks", "expected \"user\" or \"all\"");
	p->offcpu_user = kind && strcmp(kind, "user") == 0;
	if (snapshot_events_read(stacks, p, err) < 0)
		return -EINVAL;
	return snapshot_addrs_read(stacks, p, err);
}

/* One event of a ratio: the name of an entry of "events". */
static int
snapshot_ratio_event(json_t *obj, const char *base, const char *key, struct profile *p, char **out,
		     struct errbuf *err)
{
	struct snapshot_path q;
	char what[200];

	if (snapshot_get_str(obj, base, key, out, false, err))
		return -EINVAL;
	if (profile_find_track(p, *out))
		return 0;
	snprintf(what, sizeof(what),
		 "no event named '%.100s' in events; a ratio's events must be there", *out);
	return snapshot_bad(err, snapshot_at(&q, base, key, 0), what);
}

/* Element base of "ratios" into p's ratios. */
static int
snapshot_read_ratio(json_t *v, const char *base, struct profile *p, struct errbuf *err)
{
	struct ratio_def r = { 0 };
	struct snapshot_path q;
	json_t *percent;
	int rc = -EINVAL;

	if (!json_is_object(v))
		return snapshot_bad(err, base, "expected an object");
	if (snapshot_get_str(v, base, "name", &r.name, false, err))
		goto out;
	if (!*r.name || profile_find_ratio(p, r.name)) {
		char what[160];

		snprintf(what, sizeof(what),
			 "ratio name '%.100s' is empty or given twice; names must be unique",
			 r.name);
		snapshot_bad(err, snapshot_at(&q, base, "name", 0), what);
		goto out;
	}
	if (snapshot_ratio_event(v, base, "numerator", p, &r.num, err) ||
	    snapshot_ratio_event(v, base, "denominator", p, &r.den, err))
		goto out;
	percent = snapshot_get(v, base, "percent", JSON_TRUE, false, err);
	if (!percent)
		goto out;
	r.percent = json_is_true(percent);
	r.scale = r.percent ? 100 : 1;
	profile_set_ratio(p, &r);
	rc = 0;
out:
	ratio_fini(&r);
	return rc;
}

/* The optional "ratios": the user's NAME=A/B, each of two events of the file. */
static int
snapshot_read_ratios(json_t *root, struct profile *p, struct errbuf *err)
{
	json_t *a = json_object_get(root, "ratios"), *v;
	struct snapshot_path q;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return snapshot_bad(err, "ratios", "expected an array");
	json_array_foreach (a, i, v) {
		if (snapshot_read_ratio(v, snapshot_at(&q, "ratios", NULL, (long)i), p, err) < 0)
			return -EINVAL;
	}
	return 0;
}

/* Every element of the array at obj.key is an array of n non-negative... checked by check(). */
static int
snapshot_check_tuples(json_t *a, const char *path, size_t n, struct errbuf *err)
{
	struct snapshot_path q;
	json_t *v;
	size_t i;

	if (!json_is_array(a))
		return snapshot_bad(err, path, "expected an array");
	json_array_foreach (a, i, v) {
		if (!json_is_array(v) || json_array_size(v) != n)
			return snapshot_bad(
				err, snapshot_at(&q, path, NULL, (long)i),
				"expected an array of integers of the documented length");
		for (size_t k = 0; k < n; k++)
			if (!json_is_integer(json_array_get(v, k)))
				return snapshot_bad(err, snapshot_at(&q, path, NULL, (long)i),
						    "expected integers");
	}
	return 0;
}

/* An optional count of a task object: 0 when missing, not an integer or negative. */
static uint64_t
snapshot_count(json_t *obj, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(obj, key));

	return v > 0 ? (uint64_t)v : 0;
}

/* A task's latency_ns.hist ([[ns, count], ...]; optional) into its histogram; bad pairs skipped. */
static void
snapshot_load_latencies(struct schedmap *m, uint32_t task, json_t *hist)
{
	size_t i, n = json_array_size(hist), k = 0;
	struct schedmap_latency *l;
	json_t *pair;

	if (!n)
		return;
	l = xcalloc(n, sizeof(*l));
	json_array_foreach (hist, i, pair) {
		json_int_t ns = json_integer_value(json_array_get(pair, 0)),
			   c = json_integer_value(json_array_get(pair, 1));

		if (json_array_size(pair) == 2 && ns >= 0 && c > 0) {
			l[k].ns = (uint64_t)ns;
			l[k++].count = (uint64_t)c;
		}
	}
	schedmap_load_latencies(m, task, l, k);
	free(l);
}

static void
snapshot_load_task(struct schedmap *m, json_t *v)
{
	json_t *lat = json_object_get(v, "latency_ns");
	struct schedmap_task_stats st;
	const char *s;

	memset(&st, 0, sizeof(st));
	st.tid = (int32_t)json_integer_value(json_object_get(v, "tid"));
	st.pid = (int32_t)json_integer_value(json_object_get(v, "pid"));
	snprintf(st.comm, sizeof(st.comm), "%s", json_string_value(json_object_get(v, "comm")));
	s = json_string_value(json_object_get(v, "short"));
	snprintf(st.short_name, sizeof(st.short_name), "%s", s ? s : "");
	st.target = json_is_true(json_object_get(v, "target"));
	st.exited = json_is_true(json_object_get(v, "exited"));
	st.execs = (uint32_t)snapshot_count(v, "execs");
	st.runtime_ns = snapshot_count(v, "runtime_ns");
	st.switches_voluntary = snapshot_count(v, "switches_voluntary");
	st.switches_involuntary = snapshot_count(v, "switches_involuntary");
	st.migrations = snapshot_count(v, "migrations");
	st.wakeups = snapshot_count(v, "wakeups");
	st.lat_count = snapshot_count(lat, "count");
	st.lat_p50_ns = snapshot_count(lat, "p50");
	st.lat_p95_ns = snapshot_count(lat, "p95");
	st.lat_p99_ns = snapshot_count(lat, "p99");
	st.lat_max_ns = snapshot_count(lat, "max");
	st.folded = snapshot_count(v, "folded");
	snapshot_load_latencies(m, schedmap_load_task(m, &st), json_object_get(lat, "hist"));
}

/*
 * Rebuild the timeline from a checked "sched" object, with times counted from origin. The file's
 * times count from the recording's start, and a run or summary that began before it was written
 * as starting at 0: each CPU's summaries are placed from where its first run begins (they end
 * there), so the origin leaves room for all of them before it. Returns NULL when the object has
 * no CPUs.
 */
static struct schedmap *
snapshot_build_sched(json_t *sched, json_t *tasks, json_t *cpus, const struct profile *p,
		     uint64_t *origin)
{
	uint64_t W = snapshot_count(sched, "summary_bucket_ns"), end = 0;
	size_t ncpus = json_array_size(cpus), most = 0, i;
	struct schedmap *m;
	json_t *v;

	if (!ncpus || ncpus > 65536)
		return NULL;
	if (!W || W > SCHEDMAP_MAX_BUCKET_NS)
		W = SCHEDMAP_DEFAULT_BUCKET_NS;
	/* (nothing ever folds: the horizon is out of reach) */
	m = schedmap_new((unsigned)ncpus, UINT64_MAX / 4, W);
	json_array_foreach (tasks, i, v)
		snapshot_load_task(m, v);
	json_array_foreach (cpus, i, v) {
		size_t n = json_array_size(json_object_get(v, "summaries"));

		most = n > most ? n : most;
	}
	*origin = (most + 1) * W;
	json_array_foreach (cpus, i, v) {
		json_t *runs = json_object_get(v, "runs"), *sums = json_object_get(v, "summaries");
		size_t nsum = json_array_size(sums), k;
		uint64_t first;
		json_t *t;

		if (json_array_size(runs))
			first = (uint64_t)json_integer_value(
				json_array_get(json_array_get(runs, 0), 0));
		else if (nsum)
			first = (uint64_t)json_integer_value(
					json_array_get(json_array_get(sums, nsum - 1), 0)) +
				W;
		else
			continue;
		json_array_foreach (sums, k, t) {
			struct schedmap_bucket b = { 0 };
			json_int_t ref = json_integer_value(json_array_get(t, 1));

			b.start = *origin + first - (nsum - k) * W;
			b.task = ref == -2 ? SCHEDMAP_TASK_IDLE : snapshot_task_of_ref(ref);
			b.task_ns = (uint32_t)json_integer_value(json_array_get(t, 2));
			b.busy_ns = (uint32_t)json_integer_value(json_array_get(t, 3));
			b.known_ns = (uint32_t)json_integer_value(json_array_get(t, 4));
			schedmap_load_summary(m, (unsigned)i, &b);
		}
		json_array_foreach (runs, k, t) {
			uint64_t a = (uint64_t)json_integer_value(json_array_get(t, 0));
			uint64_t e = (uint64_t)json_integer_value(json_array_get(t, 1));

			schedmap_load_run(
				m, (unsigned)i, *origin + a, *origin + e,
				snapshot_task_of_ref(json_integer_value(json_array_get(t, 2))));
			end = e > end ? e : end;
		}
	}
	schedmap_load_finish(m, *origin + (end > p->meta.duration_ns ? end : p->meta.duration_ns));
	return m;
}

/*
 * The scheduler timeline is checked, then rebuilt as a schedmap for the views; its text is kept
 * too and written back as it was read, so a snapshot converts to itself byte for byte.
 */
static int
snapshot_read_sched(json_t *root, struct profile *p, struct errbuf *err)
{
	json_t *sched = json_object_get(root, "sched"), *tasks, *cpus, *map, *v;
	struct snapshot_path q, r, rp;
	size_t i, ntasks;

	if (!sched)
		return 0;
	if (!json_is_object(sched))
		return snapshot_bad(err, "sched", "expected an object");
	tasks = snapshot_get(sched, "sched", "tasks", JSON_ARRAY, false, err);
	cpus = tasks ? snapshot_get(sched, "sched", "cpus", JSON_ARRAY, false, err) : NULL;
	map = cpus ? snapshot_get(sched, "sched", "map", JSON_OBJECT, false, err) : NULL;
	if (!map)
		return -EINVAL;
	ntasks = json_array_size(tasks);
	json_array_foreach (tasks, i, v) {
		uint64_t tid;
		char *comm = NULL;

		snapshot_at(&q, "sched.tasks", NULL, (long)i);
		if (!json_is_object(v) || snapshot_get_u64(v, q.s, "tid", &tid, err) ||
		    snapshot_get_str(v, q.s, "comm", &comm, false, err))
			return snapshot_bad(err, q.s, "expected a task object");
		free(comm);
	}
	json_array_foreach (cpus, i, v) {
		json_t *runs, *run, *sums;
		size_t k;

		snapshot_at(&q, "sched.cpus", NULL, (long)i);
		if (!json_is_object(v))
			return snapshot_bad(err, q.s, "expected an object");
		runs = snapshot_get(v, q.s, "runs", JSON_ARRAY, false, err);
		snapshot_at(&rp, q.s, "runs", 0);
		if (!runs || snapshot_check_tuples(runs, rp.s, 3, err))
			return -EINVAL;
		json_array_foreach (runs, k, run) {
			json_int_t a = json_integer_value(json_array_get(run, 0));
			json_int_t b = json_integer_value(json_array_get(run, 1));
			json_int_t t = json_integer_value(json_array_get(run, 2));

			if (a < 0 || b < a || t < -3 || t >= (json_int_t)ntasks)
				return snapshot_bad(err, snapshot_at(&r, rp.s, NULL, (long)k),
						    "a run must be [start, end >= start, a task "
						    "index or -1..-3]");
		}
		sums = snapshot_get(v, q.s, "summaries", JSON_ARRAY, false, err);
		snapshot_at(&rp, q.s, "summaries", 0);
		if (!sums || snapshot_check_tuples(sums, rp.s, 5, err))
			return -EINVAL;
		json_array_foreach (sums, k, run) {
			json_int_t t = json_integer_value(json_array_get(run, 1));
			bool neg = false;

			for (size_t f = 0; f < 5; f++)
				neg |= f != 1 && json_integer_value(json_array_get(run, f)) < 0;
			if (neg || t < -3 || t >= (json_int_t)ntasks)
				return snapshot_bad(err, snapshot_at(&r, rp.s, NULL, (long)k),
						    "a summary must be [start, task index or "
						    "-1..-3, task_ns, busy_ns, known_ns], none "
						    "negative");
		}
	}
	p->sched_json = json_dumps(sched, JSON_COMPACT | JSON_ENSURE_ASCII);
	p->sched = snapshot_build_sched(sched, tasks, cpus, p, &p->sched_origin);
	return snapshot_hosts_sched(tasks, cpus, p, err);
}

int
snapshot_parse(const char *buf, size_t len, struct profile **out, struct errbuf *err)
{
	json_error_t jerr;
	json_t *root, *format, *version, *events, *v;
	struct profile *p = NULL;
	struct snapshot_path q;
	const char *nul;
	size_t i;
	int r = -EINVAL;

	*out = NULL;
	/* JSON has no raw NUL byte (not even in a string), but jansson skips some: refuse them
	 * here, as the diff's reader does, so that both read the same files. */
	nul = memchr(buf, '\0', len);
	if (nul)
		return errbuf_fail(err, -EINVAL, "not valid JSON: a NUL byte at offset %zu",
				   (size_t)(nul - buf));
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		return errbuf_fail(err, -EINVAL, "not valid JSON at line %d, column %d: %s",
				   jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(root)) {
		snapshot_bad(err, "", "expected a JSON object");
		goto out;
	}
	format = snapshot_get(root, "", "format", JSON_STRING, false, err);
	if (!format)
		goto out;
	if (strcmp(json_string_value(format), SNAPSHOT_FORMAT) != 0) {
		snapshot_bad(err, "format",
			     "not a ringside snapshot (format is not \"" SNAPSHOT_FORMAT "\")");
		goto out;
	}
	version = snapshot_get(root, "", "version", JSON_INTEGER, false, err);
	if (!version)
		goto out;
	if (json_integer_value(version) != SNAPSHOT_VERSION) {
		errbuf_fail(err, r,
			    "version: snapshot format version %lld is not supported (this ringside "
			    "reads version %d); use a matching ringside",
			    (long long)json_integer_value(version), SNAPSHOT_VERSION);
		goto out;
	}
	p = profile_new();
	if (snapshot_read_meta(root, &p->meta, err) < 0)
		goto out;
	events = snapshot_get(root, "", "events", JSON_ARRAY, false, err);
	if (!events)
		goto out;
	json_array_foreach (events, i, v) {
		if (snapshot_read_track(v, snapshot_at(&q, "events", NULL, (long)i), p, err) < 0)
			goto out;
	}
	if (snapshot_read_ratios(root, p, err) < 0 || snapshot_read_stacks(root, p, err) < 0 ||
	    snapshot_read_sched(root, p, err) < 0 || snapshot_mem_read(root, p, err) < 0 ||
	    snapshot_output_read(root, p, err) < 0 || snapshot_kvm_read(root, p, err) < 0 ||
	    snapshot_tasks_read(root, p, err) < 0)
		goto out;
	*out = p;
	p = NULL;
	r = 0;
out:
	profile_free(p);
	json_decref(root);
	return r;
}
