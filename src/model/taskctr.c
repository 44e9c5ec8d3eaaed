// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The per-task counter table: rows in the order tasks were first seen, found by tid through
 * util/idmap. A full table makes room by removing the task no longer counted that was read
 * longest ago (the last row moves into its place); a table full of counted tasks keeps what it
 * has. The history is a shifting window of the last TASKCTR_HIST CPU shares.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringside/model/taskctr.h"
#include "ringside/util/idmap.h"
#include "ringside/util/xalloc.h"

struct taskctr {
	struct taskctr_row *rows;
	size_t n, cap;
	struct idmap index; /* tid -> row */
	bool unsupported[TASKCTR_NEV];
	uint64_t evicted;
};

static const char *const taskctr_event_names[TASKCTR_NEV] = {
	[TASKCTR_TASK_CLOCK] = "task-clock",
	[TASKCTR_CSWITCH] = "context-switches",
	[TASKCTR_MIGRATIONS] = "cpu-migrations",
	[TASKCTR_FAULTS] = "page-faults",
	[TASKCTR_CYCLES] = "cycles",
	[TASKCTR_INSTRUCTIONS] = "instructions",
	[TASKCTR_CACHE_REFS] = "cache-references",
	[TASKCTR_CACHE_MISSES] = "cache-misses",
};

static const char *const taskctr_state_names[TASKCTR_NSTATES] = {
	[TASKCTR_LIVE] = "live",
	[TASKCTR_EXITED] = "exited",
	[TASKCTR_DROPPED] = "dropped",
};

static const char *const taskctr_sort_names[TASKCTR_NSORTS] = {
	[TASKCTR_SORT_CPU] = "CPU%",	     [TASKCTR_SORT_CSWITCH] = "CSW/s",
	[TASKCTR_SORT_MIGRATIONS] = "MIG/s", [TASKCTR_SORT_FAULTS] = "FLT/s",
	[TASKCTR_SORT_IPC] = "IPC",	     [TASKCTR_SORT_TOTAL_CPU] = "CPU-s",
	[TASKCTR_SORT_TID] = "TID",	     [TASKCTR_SORT_COMM] = "COMM",
};

struct taskctr *
taskctr_new(void)
{
	struct taskctr *tc = xcalloc(1, sizeof(*tc));

	idmap_init(&tc->index);
	return tc;
}

void
taskctr_free(struct taskctr *tc)
{
	if (!tc)
		return;
	idmap_fini(&tc->index);
	free(tc->rows);
	free(tc);
}

const char *
taskctr_event_name(enum taskctr_event ev)
{
	return ev < TASKCTR_NEV ? taskctr_event_names[ev] : "?";
}

enum taskctr_event
taskctr_event_find(const char *name)
{
	for (int i = 0; i < TASKCTR_NEV; i++)
		if (strcmp(name, taskctr_event_names[i]) == 0)
			return (enum taskctr_event)i;
	return TASKCTR_NEV;
}

const char *
taskctr_state_name(enum taskctr_state st)
{
	return st < TASKCTR_NSTATES ? taskctr_state_names[st] : "?";
}

int
taskctr_state_find(const char *name)
{
	for (int i = 0; i < TASKCTR_NSTATES; i++)
		if (strcmp(name, taskctr_state_names[i]) == 0)
			return i;
	return -1;
}

const char *
taskctr_sort_name(enum taskctr_sort s)
{
	return s < TASKCTR_NSORTS ? taskctr_sort_names[s] : "?";
}

void
taskctr_set_supported(struct taskctr *tc, enum taskctr_event ev, bool on)
{
	if (ev < TASKCTR_NEV)
		tc->unsupported[ev] = !on;
}

bool
taskctr_supported(const struct taskctr *tc, enum taskctr_event ev)
{
	return ev < TASKCTR_NEV && !tc->unsupported[ev];
}

/* Remove the row read longest ago that is no longer counted; false when every row is counted. */
static bool
taskctr_evict(struct taskctr *tc)
{
	size_t victim = SIZE_MAX;

	for (size_t i = 0; i < tc->n; i++)
		if (tc->rows[i].state != TASKCTR_LIVE &&
		    (victim == SIZE_MAX || tc->rows[i].last_ns < tc->rows[victim].last_ns))
			victim = i;
	if (victim == SIZE_MAX)
		return false;
	idmap_del(&tc->index, tc->rows[victim].tid);
	if (victim != tc->n - 1) {
		tc->rows[victim] = tc->rows[tc->n - 1];
		idmap_put(&tc->index, tc->rows[victim].tid, (uint32_t)victim);
	}
	tc->n--;
	tc->evicted++;
	return true;
}

/* A new zeroed row for tid, or NULL when the table is full of counted tasks. */
static struct taskctr_row *
taskctr_add(struct taskctr *tc, int32_t tid)
{
	struct taskctr_row *r;

	if (tc->n >= TASKCTR_MAX_ROWS && !taskctr_evict(tc))
		return NULL;
	if (tc->n == tc->cap) {
		tc->cap = tc->cap ? 2 * tc->cap : 64;
		tc->rows = xreallocarray(tc->rows, tc->cap, sizeof(*tc->rows));
	}
	r = &tc->rows[tc->n];
	memset(r, 0, sizeof(*r));
	r->tid = tid;
	idmap_put(&tc->index, tid, (uint32_t)tc->n++);
	return r;
}

static void
taskctr_set_comm(struct taskctr_row *r, const char *comm)
{
	size_t len = strnlen(comm, sizeof(r->comm) - 1);

	memcpy(r->comm, comm, len);
	memset(r->comm + len, 0, sizeof(r->comm) - len);
}

struct taskctr_row *
taskctr_update(struct taskctr *tc, int32_t tid, int32_t pid, const char *comm,
	       const uint64_t delta[TASKCTR_NEV], uint64_t span_ns, uint64_t at_ns,
	       enum taskctr_state state)
{
	uint32_t i = idmap_get(&tc->index, tid);
	struct taskctr_row *r;

	if (i != IDMAP_NONE) {
		r = &tc->rows[i];
	} else {
		r = taskctr_add(tc, tid);
		if (!r)
			return NULL;
		r->first_ns = at_ns;
	}
	r->pid = pid;
	if (comm && comm[0])
		taskctr_set_comm(r, comm);
	r->state = state;
	r->last_ns = at_ns;
	if (!span_ns)
		return r;
	r->span_ns = span_ns;
	r->counted_ns += span_ns;
	for (int ev = 0; ev < TASKCTR_NEV; ev++) {
		r->last[ev] = delta[ev];
		r->total[ev] += delta[ev];
	}
	if (r->nhist == TASKCTR_HIST)
		memmove(r->hist, r->hist + 1, (TASKCTR_HIST - 1) * sizeof(r->hist[0]));
	else
		r->nhist++;
	r->hist[r->nhist - 1] = (float)((double)delta[TASKCTR_TASK_CLOCK] / (double)span_ns);
	return r;
}

bool
taskctr_load(struct taskctr *tc, const struct taskctr_row *row)
{
	struct taskctr_row *r;

	if (idmap_get(&tc->index, row->tid) != IDMAP_NONE)
		return false;
	r = taskctr_add(tc, row->tid);
	if (!r)
		return false;
	*r = *row;
	if (r->nhist > TASKCTR_HIST)
		r->nhist = TASKCTR_HIST;
	r->comm[sizeof(r->comm) - 1] = '\0';
	return true;
}

size_t
taskctr_count(const struct taskctr *tc)
{
	return tc ? tc->n : 0;
}

const struct taskctr_row *
taskctr_at(const struct taskctr *tc, size_t i)
{
	return i < tc->n ? &tc->rows[i] : NULL;
}

const struct taskctr_row *
taskctr_find(const struct taskctr *tc, int32_t tid)
{
	uint32_t i = idmap_get(&tc->index, tid);

	return i == IDMAP_NONE ? NULL : &tc->rows[i];
}

uint64_t
taskctr_evicted(const struct taskctr *tc)
{
	return tc->evicted;
}

double
taskctr_cpu(const struct taskctr_row *r)
{
	if (r->state != TASKCTR_LIVE)
		return taskctr_cpu_total(r);
	return r->span_ns ? (double)r->last[TASKCTR_TASK_CLOCK] / (double)r->span_ns : 0.0;
}

double
taskctr_cpu_total(const struct taskctr_row *r)
{
	return r->counted_ns ? (double)r->total[TASKCTR_TASK_CLOCK] / (double)r->counted_ns : 0.0;
}

double
taskctr_rate(const struct taskctr_row *r, enum taskctr_event ev)
{
	if (ev >= TASKCTR_NEV)
		return 0.0;
	/* A task no longer counted ended in a part of an interval: its average is the figure. */
	if (r->state != TASKCTR_LIVE)
		return r->counted_ns ? (double)r->total[ev] * 1e9 / (double)r->counted_ns : 0.0;
	return r->span_ns ? (double)r->last[ev] * 1e9 / (double)r->span_ns : 0.0;
}

double
taskctr_ipc(const struct taskctr_row *r)
{
	if (!r->total[TASKCTR_CYCLES])
		return -1.0;
	return (double)r->total[TASKCTR_INSTRUCTIONS] / (double)r->total[TASKCTR_CYCLES];
}

double
taskctr_miss(const struct taskctr_row *r)
{
	if (!r->total[TASKCTR_CACHE_REFS])
		return -1.0;
	return (double)r->total[TASKCTR_CACHE_MISSES] / (double)r->total[TASKCTR_CACHE_REFS];
}

/* The figure a row sorts by (higher first). */
static double
taskctr_key(const struct taskctr_row *r, enum taskctr_sort s)
{
	switch (s) {
	case TASKCTR_SORT_CPU:
		return taskctr_cpu(r) * 1e6 + taskctr_cpu_total(r);
	case TASKCTR_SORT_CSWITCH:
		return taskctr_rate(r, TASKCTR_CSWITCH);
	case TASKCTR_SORT_MIGRATIONS:
		return taskctr_rate(r, TASKCTR_MIGRATIONS);
	case TASKCTR_SORT_FAULTS:
		return taskctr_rate(r, TASKCTR_FAULTS);
	case TASKCTR_SORT_IPC:
		return taskctr_ipc(r);
	case TASKCTR_SORT_TOTAL_CPU:
		return (double)r->total[TASKCTR_TASK_CLOCK];
	default:
		return 0.0;
	}
}

static int
taskctr_cmp(const void *a, const void *b, void *ctx)
{
	const struct taskctr *tc = ((const void *const *)ctx)[0];
	enum taskctr_sort s = *(const enum taskctr_sort *)((const void *const *)ctx)[1];
	const struct taskctr_row *x = &tc->rows[*(const size_t *)a];
	const struct taskctr_row *y = &tc->rows[*(const size_t *)b];
	double kx, ky;
	int c;

	if ((x->state == TASKCTR_LIVE) != (y->state == TASKCTR_LIVE))
		return x->state == TASKCTR_LIVE ? -1 : 1;
	if (s == TASKCTR_SORT_COMM && (c = strcmp(x->comm, y->comm)) != 0)
		return c;
	if (s != TASKCTR_SORT_TID && s != TASKCTR_SORT_COMM) {
		kx = taskctr_key(x, s);
		ky = taskctr_key(y, s);
		if (kx != ky)
			return kx > ky ? -1 : 1;
	}
	return (x->tid > y->tid) - (x->tid < y->tid);
}

void
taskctr_order(const struct taskctr *tc, enum taskctr_sort s, size_t *idx)
{
	const void *ctx[2] = { tc, &s };

	for (size_t i = 0; i < tc->n; i++)
		idx[i] = i;
	if (tc->n)
		qsort_r(idx, tc->n, sizeof(*idx), taskctr_cmp, (void *)ctx);
}
