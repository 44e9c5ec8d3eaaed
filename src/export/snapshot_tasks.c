// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The snapshot's "task_counters" object (man/ringside-snapshot.5): the per-task counter table,
 * its events by name (values are in that order, so a reader maps them by name), which of them
 * could be counted, and one object per task with its totals, its last interval and its CPU
 * history in per-mille of one CPU. Absent when the recording had no per-task counters.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <string.h>

#include "ringside/model/taskctr.h"
#include "snapshot_internal.h"

static json_t *
snapshot_tasks_u64v(const uint64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

static json_t *
snapshot_tasks_row(const struct taskctr_row *r)
{
	json_t *hist = json_array();

	for (size_t i = 0; i < r->nhist; i++)
		json_array_append_new(hist,
				      json_integer((json_int_t)(r->hist[i] * 1000.0f + 0.5f)));
	/* The name comes from the system: jansson escapes it. */
	return json_pack("{s:i, s:i, s:s#, s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "tid",
			 (int)r->tid, "pid", (int)r->pid, "comm", r->comm, strnlen(r->comm, 15),
			 "state", taskctr_state_name(r->state), "first_ns", (json_int_t)r->first_ns,
			 "last_ns", (json_int_t)r->last_ns, "counted_ns", (json_int_t)r->counted_ns,
			 "span_ns", (json_int_t)r->span_ns, "total",
			 snapshot_tasks_u64v(r->total, TASKCTR_NEV), "last",
			 snapshot_tasks_u64v(r->last, TASKCTR_NEV), "cpu_hist", hist);
}

json_t *
snapshot_tasks_json(const struct profile *p)
{
	const struct taskctr *tc = p->taskctr;
	json_t *events = json_array(), *sup = json_array(), *tasks = json_array();

	for (int ev = 0; ev < TASKCTR_NEV; ev++) {
		json_array_append_new(events,
				      json_string(taskctr_event_name((enum taskctr_event)ev)));
		json_array_append_new(sup,
				      json_boolean(taskctr_supported(tc, (enum taskctr_event)ev)));
	}
	for (size_t i = 0; i < taskctr_count(tc); i++) {
		json_t *row = snapshot_tasks_row(taskctr_at(tc, i));

		/* A name that is not valid UTF-8 cannot be packed: that task is left out. */
		if (row)
			json_array_append_new(tasks, row);
	}
	return json_pack("{s:o, s:o, s:I, s:o}", "events", events, "supported", sup, "evicted",
			 (json_int_t)taskctr_evicted(tc), "tasks", tasks);
}

static int
snapshot_tasks_bad(struct errbuf *err, const char *what, size_t i)
{
	return errbuf_fail(err, -EINVAL,
			   "task_counters.%s[%zu]: not as ringside writes it (the file is damaged "
			   "or not a ringside snapshot)",
			   what, i);
}

static bool
snapshot_tasks_u64(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/* An array of counts in the file's event order into v, by the model's order (map). */
static bool
snapshot_tasks_counts(json_t *a, const int *map, size_t nev, uint64_t *v)
{
	json_t *e;
	size_t i;

	if (!json_is_array(a) || json_array_size(a) != nev)
		return false;
	json_array_foreach (a, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) < 0)
			return false;
		if (map[i] >= 0)
			v[map[i]] = (uint64_t)json_integer_value(e);
	}
	return true;
}

static int
snapshot_tasks_read_row(struct taskctr *tc, json_t *o, const int *map, size_t nev, size_t i,
			struct errbuf *err)
{
	struct taskctr_row r = { 0 };
	json_t *tid = json_object_get(o, "tid"), *pid = json_object_get(o, "pid"), *h, *e;
	const char *comm = json_string_value(json_object_get(o, "comm"));
	const char *state = json_string_value(json_object_get(o, "state"));
	int st = state ? taskctr_state_find(state) : -1;
	size_t k;

	if (!json_is_object(o) || !json_is_integer(tid) || !json_is_integer(pid) || !comm ||
	    st < 0 || !snapshot_tasks_u64(o, "first_ns", &r.first_ns) ||
	    !snapshot_tasks_u64(o, "last_ns", &r.last_ns) ||
	    !snapshot_tasks_u64(o, "counted_ns", &r.counted_ns) ||
	    !snapshot_tasks_u64(o, "span_ns", &r.span_ns) ||
	    !snapshot_tasks_counts(json_object_get(o, "total"), map, nev, r.total) ||
	    !snapshot_tasks_counts(json_object_get(o, "last"), map, nev, r.last))
		return snapshot_tasks_bad(err, "tasks", i);
	r.tid = (int32_t)json_integer_value(tid);
	r.pid = (int32_t)json_integer_value(pid);
	r.state = (enum taskctr_state)st;
	strncpy(r.comm, comm, sizeof(r.comm) - 1);
	h = json_object_get(o, "cpu_hist");
	if (h && !json_is_array(h))
		return snapshot_tasks_bad(err, "tasks", i);
	json_array_foreach (h, k, e) {
		if (!json_is_integer(e) || json_integer_value(e) < 0)
			return snapshot_tasks_bad(err, "tasks", i);
		if (k < TASKCTR_HIST)
			r.hist[r.nhist++] = (float)json_integer_value(e) / 1000.0f;
	}
	/* A duplicate or a task past the table's bound is left out, as recording would. */
	taskctr_load(tc, &r);
	return 0;
}

int
snapshot_tasks_read(json_t *root, struct profile *p, struct errbuf *err)
{
	json_t *o = json_object_get(root, "task_counters"), *events, *sup, *tasks, *e;
	int map[64];
	size_t i, nev;

	if (!o)
		return 0;
	events = json_object_get(o, "events");
	sup = json_object_get(o, "supported");
	tasks = json_object_get(o, "tasks");
	nev = json_array_size(events);
	if (!json_is_object(o) || !json_is_array(events) || !json_is_array(tasks) ||
	    !json_is_array(sup) || json_array_size(sup) != nev || nev > 64)
		return errbuf_fail(
			err, -EINVAL,
			"task_counters: expected events, supported and tasks arrays (the "
			"file is damaged or not a ringside snapshot)");
	p->taskctr = taskctr_new();
	json_array_foreach (events, i, e) {
		const char *name = json_string_value(e);
		enum taskctr_event ev = name ? taskctr_event_find(name) : TASKCTR_NEV;

		if (!name || !json_is_boolean(json_array_get(sup, i)))
			return snapshot_tasks_bad(err, "events", i);
		/* An event this ringside does not know is skipped. */
		map[i] = ev == TASKCTR_NEV ? -1 : (int)ev;
		if (map[i] >= 0)
			taskctr_set_supported(p->taskctr, ev, json_is_true(json_array_get(sup, i)));
	}
	json_array_foreach (tasks, i, e)
		if (snapshot_tasks_read_row(p->taskctr, e, map, nev, i, err) < 0)
			return err->code;
	return 0;
}
