// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * KVM exits per thread and reason, and their heat map over time. An exit opens an interval on its
 * thread that the thread's next entry closes; the interval's length is time in exit. A thread
 * that exits again before entering (a lost record) has the older exit counted without a time.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/kvmexits.h"
#include "ringside/util/xalloc.h"

struct kvmexits *
kvmexits_new(const char *isa)
{
	struct kvmexits *k = xcalloc(1, sizeof(*k));

	snprintf(k->isa, sizeof(k->isa), "%s", isa ? isa : "");
	k->bucket_ns = KVMEXITS_BUCKET_NS;
	return k;
}

void
kvmexits_free(struct kvmexits *k)
{
	if (!k)
		return;
	free(k->tasks);
	free(k);
}

int
kvmexits_reason(struct kvmexits *k, uint32_t code, const char *name)
{
	struct kvmexits_reason *r;

	for (size_t i = 0; i < k->nreasons; i++)
		if (k->reasons[i].code == code)
			return (int)i;
	if (k->nreasons == KVMEXITS_MAX_REASONS)
		return -1;
	r = &k->reasons[k->nreasons];
	r->code = code;
	if (name && *name)
		snprintf(r->name, sizeof(r->name), "%s", name);
	else
		snprintf(r->name, sizeof(r->name), "reason %u", code);
	return (int)k->nreasons++;
}

struct kvmexits_task *
kvmexits_task(struct kvmexits *k, int32_t pid, int32_t tid, uint32_t vcpu)
{
	struct kvmexits_task *t;

	if (k->last < k->ntasks && k->tasks[k->last].tid == tid) {
		t = &k->tasks[k->last];
		if (vcpu != UINT32_MAX)
			t->vcpu = vcpu;
		return t;
	}
	for (size_t i = 0; i < k->ntasks; i++)
		if (k->tasks[i].tid == tid) {
			k->last = i;
			t = &k->tasks[i];
			if (vcpu != UINT32_MAX)
				t->vcpu = vcpu;
			return t;
		}
	if (k->ntasks == KVMEXITS_MAX_TASKS)
		return NULL;
	if ((k->ntasks & (k->ntasks - 1)) == 0)
		k->tasks = xrealloc(k->tasks, (k->ntasks ? 2 * k->ntasks : 4) * sizeof(*k->tasks));
	t = &k->tasks[k->ntasks++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = tid;
	t->vcpu = vcpu;
	t->open_reason = -1;
	return t;
}

/* Halve the heat map's resolution: merge neighbouring columns. */
static void
kvmexits_widen(struct kvmexits *k)
{
	for (size_t b = 0; b < KVMEXITS_BUCKETS; b++)
		for (size_t r = 0; r < KVMEXITS_MAX_REASONS; r++)
			k->heat[b][r] = 2 * b + 1 < KVMEXITS_BUCKETS
						? k->heat[2 * b][r] + k->heat[2 * b + 1][r]
						: 0;
	k->bucket_ns *= 2;
	k->nbuckets = (k->nbuckets + 1) / 2;
}

void
kvmexits_heat_add(struct kvmexits *k, size_t b, int ri, uint32_t count)
{
	if (ri < 0 || ri >= KVMEXITS_MAX_REASONS || b >= KVMEXITS_BUCKETS)
		return;
	k->heat[b][ri] += count;
	if (b + 1 > k->nbuckets)
		k->nbuckets = b + 1;
}

void
kvmexits_exit(struct kvmexits *k, int32_t pid, int32_t tid, uint32_t vcpu, int ri, uint64_t time)
{
	struct kvmexits_task *t = kvmexits_task(k, pid, tid, vcpu);
	uint64_t b;

	if (!t || ri < 0) {
		k->dropped++;
		return;
	}
	if (!k->origin)
		k->origin = time ? time : 1;
	k->exits++;
	t->exits++;
	t->count[ri]++;
	t->open_time = time;
	t->open_reason = ri;
	b = time > k->origin ? (time - k->origin) / k->bucket_ns : 0;
	while (b >= KVMEXITS_BUCKETS) {
		kvmexits_widen(k);
		b = (time - k->origin) / k->bucket_ns;
	}
	kvmexits_heat_add(k, (size_t)b, ri, 1);
}

void
kvmexits_entry(struct kvmexits *k, int32_t pid, int32_t tid, uint32_t vcpu, uint64_t time)
{
	struct kvmexits_task *t = kvmexits_task(k, pid, tid, vcpu);

	if (!t)
		return;
	if (t->open_reason < 0) {
		k->unmatched++;
		return;
	}
	if (time >= t->open_time)
		t->ns[t->open_reason] += time - t->open_time;
	t->open_reason = -1;
}

uint64_t
kvmexits_reason_total(const struct kvmexits *k, int ri, uint64_t *ns)
{
	uint64_t n = 0, t = 0;

	for (size_t i = 0; i < k->ntasks; i++) {
		n += k->tasks[i].count[ri];
		t += k->tasks[i].ns[ri];
	}
	if (ns)
		*ns = t;
	return n;
}

void
kvmexits_order(const struct kvmexits *k, int *order)
{
	uint64_t tot[KVMEXITS_MAX_REASONS];

	for (size_t i = 0; i < k->nreasons; i++) {
		tot[i] = kvmexits_reason_total(k, (int)i, NULL);
		order[i] = (int)i;
	}
	/* Insertion sort: at most 64 reasons; ties keep the order of first sight. */
	for (size_t i = 1; i < k->nreasons; i++) {
		int x = order[i];
		size_t j = i;

		while (j > 0 && tot[order[j - 1]] < tot[x]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = x;
	}
}
