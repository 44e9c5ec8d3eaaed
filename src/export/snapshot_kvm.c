// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The snapshot's "kvm" object (--kvm; man/ringside-snapshot.5): the exit reasons with this
 * kernel's names, per vCPU thread the exits and time in exit per reason, and the heat map of
 * exits over time (columns x reasons). Bounded by the model: at most 256 threads, 64 reasons and
 * 120 columns. Reading rebuilds the model as it was.
 */
#include "config.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "ringside/util/errbuf.h"
#include "snapshot_internal.h"

static json_t *
snapshot_kvm_u64s(const uint64_t *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)v[i]));
	return a;
}

int
snapshot_kvm_write(const struct profile *p, FILE *fp)
{
	const struct kvmexits *k = p->kvm;
	json_t *o, *reasons = json_array(), *tasks = json_array(), *heat = json_array();
	int r;

	for (size_t i = 0; i < k->nreasons; i++)
		json_array_append_new(reasons, json_pack("{s:I, s:s}", "code",
							 (json_int_t)k->reasons[i].code, "name",
							 k->reasons[i].name));
	for (size_t i = 0; i < k->ntasks; i++) {
		const struct kvmexits_task *t = &k->tasks[i];

		json_array_append_new(
			tasks, json_pack("{s:i, s:i, s:o, s:o, s:o}", "pid", (int)t->pid, "tid",
					 (int)t->tid, "vcpu",
					 t->vcpu == UINT32_MAX ? json_null()
							       : json_integer((json_int_t)t->vcpu),
					 "count", snapshot_kvm_u64s(t->count, k->nreasons), "ns",
					 snapshot_kvm_u64s(t->ns, k->nreasons)));
	}
	for (size_t b = 0; b < k->nbuckets; b++) {
		json_t *col = json_array();

		for (size_t i = 0; i < k->nreasons; i++)
			json_array_append_new(col, json_integer(k->heat[b][i]));
		json_array_append_new(heat, col);
	}
	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:o, s:o, s:o}", "isa", k->isa, "exits",
		      (json_int_t)k->exits, "dropped", (json_int_t)k->dropped, "unmatched",
		      (json_int_t)k->unmatched, "bucket_ns", (json_int_t)k->bucket_ns, "reasons",
		      reasons, "tasks", tasks, "heat", heat);
	if (!o)
		return -1;
	r = json_dumpf(o, fp, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	return r;
}

static int
snapshot_kvm_bad(struct errbuf *err, const char *what)
{
	return errbuf_fail(
		err, -EINVAL,
		"kvm.%s: not what ringside writes (the file is damaged or not a ringside "
		"snapshot)",
		what);
}

/* An array of n non-negative integers into v. */
static bool
snapshot_kvm_get_u64s(json_t *a, size_t n, uint64_t *v)
{
	size_t i;
	json_t *e;

	if (!json_is_array(a) || json_array_size(a) != n)
		return false;
	json_array_foreach (a, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) < 0)
			return false;
		v[i] = (uint64_t)json_integer_value(e);
	}
	return true;
}

static int
snapshot_kvm_read_tasks(struct kvmexits *k, json_t *tasks, struct errbuf *err)
{
	size_t i;
	json_t *v;

	if (!json_is_array(tasks) || json_array_size(tasks) > KVMEXITS_MAX_TASKS)
		return snapshot_kvm_bad(err, "tasks");
	json_array_foreach (tasks, i, v) {
		json_t *pid = json_object_get(v, "pid"), *tid = json_object_get(v, "tid"),
		       *vcpu = json_object_get(v, "vcpu");
		struct kvmexits_task *t;

		if (!json_is_integer(pid) || !json_is_integer(tid) ||
		    !(json_is_null(vcpu) || json_is_integer(vcpu)))
			return snapshot_kvm_bad(err, "tasks");
		t = kvmexits_task(
			k, (int32_t)json_integer_value(pid), (int32_t)json_integer_value(tid),
			json_is_null(vcpu) ? UINT32_MAX : (uint32_t)json_integer_value(vcpu));
		if (!t ||
		    !snapshot_kvm_get_u64s(json_object_get(v, "count"), k->nreasons, t->count) ||
		    !snapshot_kvm_get_u64s(json_object_get(v, "ns"), k->nreasons, t->ns))
			return snapshot_kvm_bad(err, "tasks");
		for (size_t r = 0; r < k->nreasons; r++)
			t->exits += t->count[r];
	}
	return 0;
}

static int
snapshot_kvm_read_heat(struct kvmexits *k, json_t *heat, struct errbuf *err)
{
	size_t b;
	json_t *col;

	if (!json_is_array(heat) || json_array_size(heat) > KVMEXITS_BUCKETS)
		return snapshot_kvm_bad(err, "heat");
	json_array_foreach (heat, b, col) {
		uint64_t v[KVMEXITS_MAX_REASONS];

		if (!snapshot_kvm_get_u64s(col, k->nreasons, v))
			return snapshot_kvm_bad(err, "heat");
		for (size_t r = 0; r < k->nreasons; r++)
			kvmexits_heat_add(k, b, (int)r, (uint32_t)v[r]);
	}
	k->nbuckets = json_array_size(heat);
	return 0;
}

int
snapshot_kvm_read(json_t *root, struct profile *p, struct errbuf *err)
{
	json_t *o = json_object_get(root, "kvm"), *reasons, *v;
	const char *isa;
	struct kvmexits *k;
	uint64_t n[4];
	size_t i;

	if (!o)
		return 0;
	reasons = json_object_get(o, "reasons");
	isa = json_string_value(json_object_get(o, "isa"));
	if (!json_is_object(o) || !isa || !json_is_array(reasons) ||
	    json_array_size(reasons) > KVMEXITS_MAX_REASONS)
		return snapshot_kvm_bad(err, "reasons");
	k = kvmexits_new(isa);
	p->kvm = k;
	json_array_foreach (reasons, i, v) {
		json_t *code = json_object_get(v, "code");
		const char *name = json_string_value(json_object_get(v, "name"));

		if (!json_is_integer(code) || !name || json_integer_value(code) < 0 ||
		    json_integer_value(code) > UINT32_MAX ||
		    kvmexits_reason(k, (uint32_t)json_integer_value(code), name) != (int)i)
			return snapshot_kvm_bad(err, "reasons");
	}
	for (int f = 0; f < 4; f++) {
		static const char *const keys[4] = { "exits", "dropped", "unmatched", "bucket_ns" };
		json_t *x = json_object_get(o, keys[f]);

		if (!json_is_integer(x) || json_integer_value(x) < 0)
			return snapshot_kvm_bad(err, keys[f]);
		n[f] = (uint64_t)json_integer_value(x);
	}
	if (n[3] == 0)
		return snapshot_kvm_bad(err, "bucket_ns");
	k->exits = n[0];
	k->dropped = n[1];
	k->unmatched = n[2];
	k->bucket_ns = n[3];
	if (snapshot_kvm_read_tasks(k, json_object_get(o, "tasks"), err) < 0)
		return -EINVAL;
	return snapshot_kvm_read_heat(k, json_object_get(o, "heat"), err);
}
