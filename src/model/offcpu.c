// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Off-CPU time: a pending switch-out per thread (its path and time), turned into time-tree weight
 * when the thread runs again. One slot per thread seen, found through the one PID/TID map; a
 * slot's path buffer is reused, so a switch costs a copy of its path and a tree insertion.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ringside/model/offcpu.h"
#include "ringside/util/idmap.h"
#include "ringside/util/xalloc.h"

static const char *const offcpu_names[OFFCPU_NR_STATES] = {
	[OFFCPU_ON] = "[on-CPU]",
	[OFFCPU_SLEEP] = "[off-CPU S sleeping]",
	[OFFCPU_D] = "[off-CPU D uninterruptible]",
	[OFFCPU_PREEMPT] = "[off-CPU R preempted]",
};

struct offcpu_task {
	int32_t tid;
	uint64_t run_start; /* 0: not known to be running */
	uint64_t out_time;  /* 0: no switch-out pending */
	uint32_t *path;	    /* process, thread, state, stack root first */
	size_t n, cap;
};

struct offcpu {
	struct stacktree *tree;
	struct frametab *ft;
	uint64_t origin;
	uint32_t state_frame[OFFCPU_NR_STATES];
	struct offcpu_task *tasks;
	size_t ntasks, cap;
	struct idmap by_tid;
	uint64_t switches;
};

const char *
offcpu_state_name(enum offcpu_state st)
{
	return (unsigned)st < OFFCPU_NR_STATES ? offcpu_names[st] : "?";
}

enum offcpu_state
offcpu_state_of(uint64_t prev_state)
{
	/* 0x100 is TASK_REPORT_MAX: what 6.x reports for a preempted task. */
	if (prev_state == 0 || prev_state == 0x100)
		return OFFCPU_PREEMPT;
	if (prev_state & 2)
		return OFFCPU_D;
	return OFFCPU_SLEEP;
}

uint32_t
offcpu_state_frame(struct frametab *ft, enum offcpu_state st)
{
	return frametab_intern(ft, offcpu_state_name(st), NULL, NULL, 0, FRAME_STATE, false);
}

bool
offcpu_frame_state(const struct frame *f, const struct frametab *ft, enum offcpu_state *st)
{
	const char *name;

	if (f->kind != FRAME_STATE)
		return false;
	name = frametab_str(ft, f->name);
	for (int i = 0; i < OFFCPU_NR_STATES; i++)
		if (strcmp(name, offcpu_names[i]) == 0) {
			if (st)
				*st = (enum offcpu_state)i;
			return true;
		}
	return false;
}

struct offcpu *
offcpu_new(struct stacktree *tree, struct frametab *ft, uint64_t origin_ns)
{
	struct offcpu *o = xcalloc(1, sizeof(*o));

	o->tree = tree;
	o->ft = ft;
	o->origin = origin_ns;
	for (int i = 0; i < OFFCPU_NR_STATES; i++)
		o->state_frame[i] = offcpu_state_frame(ft, (enum offcpu_state)i);
	idmap_init(&o->by_tid);
	return o;
}

void
offcpu_free(struct offcpu *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->ntasks; i++)
		free(o->tasks[i].path);
	free(o->tasks);
	idmap_fini(&o->by_tid);
	free(o);
}

/* The slot of tid, created (not running, nothing pending) when create is set; else NULL. */
static struct offcpu_task *
offcpu_task(struct offcpu *o, int32_t tid, bool create)
{
	uint32_t i = idmap_get(&o->by_tid, tid);

	if (i != IDMAP_NONE)
		return &o->tasks[i];
	if (!create)
		return NULL;
	if (o->ntasks == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->tasks = xreallocarray(o->tasks, o->cap, sizeof(*o->tasks));
	}
	o->tasks[o->ntasks] = (struct offcpu_task){ .tid = tid };
	idmap_put(&o->by_tid, tid, (uint32_t)o->ntasks);
	return &o->tasks[o->ntasks++];
}

/* Add the run from t's switch-in (or the origin) to time_ns under its "[on-CPU]" node. */
static void
offcpu_add_run(struct offcpu *o, struct offcpu_task *t, uint64_t time_ns, uint32_t pf, uint32_t tf)
{
	uint64_t start = t->run_start ? t->run_start : o->origin;
	uint32_t path[3] = { pf, tf, o->state_frame[OFFCPU_ON] };

	/* A thread with a switch-out pending is not running: the run was counted then. */
	if (t->out_time || time_ns <= start)
		return;
	stacktree_insert(o->tree, path, 3, time_ns - start, time_ns);
}

void
offcpu_out(struct offcpu *o, int32_t tid, uint64_t time_ns, uint64_t prev_state,
	   const uint32_t *path, size_t n)
{
	struct offcpu_task *t;

	if (n < 2 || time_ns < o->origin)
		return;
	t = offcpu_task(o, tid, true);
	o->switches++;
	offcpu_add_run(o, t, time_ns, path[0], path[1]);
	if (n + 1 > t->cap) {
		t->cap = n + 1 > 2 * t->cap ? n + 1 : 2 * t->cap;
		t->path = xreallocarray(t->path, t->cap, sizeof(uint32_t));
	}
	t->path[0] = path[0];
	t->path[1] = path[1];
	t->path[2] = o->state_frame[offcpu_state_of(prev_state)];
	memcpy(t->path + 3, path + 2, (n - 2) * sizeof(uint32_t));
	t->n = n + 1;
	t->out_time = time_ns;
	t->run_start = 0;
}

/* Count t's pending wait up to time_ns. */
static void
offcpu_add_wait(struct offcpu *o, struct offcpu_task *t, uint64_t time_ns)
{
	if (t->out_time && time_ns > t->out_time)
		stacktree_insert(o->tree, t->path, t->n, time_ns - t->out_time, time_ns);
	t->out_time = 0;
}

void
offcpu_in(struct offcpu *o, int32_t tid, uint64_t time_ns)
{
	struct offcpu_task *t;

	if (time_ns < o->origin)
		return;
	t = offcpu_task(o, tid, true);
	offcpu_add_wait(o, t, time_ns);
	t->run_start = time_ns;
}

void
offcpu_exit(struct offcpu *o, int32_t tid, uint64_t time_ns, uint32_t pf, uint32_t tf)
{
	struct offcpu_task *t = offcpu_task(o, tid, false);
	uint32_t i, last;

	if (!t) {
		/* Never switched: it ran from the origin (or its start) to its exit. */
		t = offcpu_task(o, tid, true);
	}
	offcpu_add_wait(o, t, time_ns);
	offcpu_add_run(o, t, time_ns, pf, tf);
	free(t->path);
	i = idmap_del(&o->by_tid, tid);
	last = (uint32_t)--o->ntasks;
	if (i != last) {
		o->tasks[i] = o->tasks[last];
		idmap_put(&o->by_tid, o->tasks[i].tid, i);
	}
}

void
offcpu_finish(struct offcpu *o, uint64_t end_ns)
{
	for (size_t i = 0; i < o->ntasks; i++) {
		struct offcpu_task *t = &o->tasks[i];

		if (t->out_time) {
			offcpu_add_wait(o, t, end_ns);
			t->run_start = end_ns;
		} else if (t->n >= 2) {
			offcpu_add_run(o, t, end_ns, t->path[0], t->path[1]);
			t->run_start = end_ns;
		}
	}
}

uint64_t
offcpu_switches(const struct offcpu *o)
{
	return o->switches;
}
