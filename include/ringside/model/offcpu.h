/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Off-CPU time: each thread's switch-out (its call stack and why it left: sleeping, waiting
 * uninterruptibly, preempted) is held until the thread runs again, then added to the time tree
 * weighted by the nanoseconds it was away; the time between a switch-in and the next switch-out
 * goes to the thread's "[on-CPU]" node. The time tree's levels: process, thread, a state frame
 * (FRAME_STATE: "[on-CPU]" or one of the off-CPU reasons), then the stack root first. So under
 * each thread the tree adds up to the time the thread was seen, on CPU and off it.
 */
#ifndef RINGSIDE_MODEL_OFFCPU_H
#define RINGSIDE_MODEL_OFFCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/frametab.h"
#include "ringside/model/stacktree.h"

enum offcpu_state {
	OFFCPU_ON,	/* "[on-CPU]": running */
	OFFCPU_SLEEP,	/* S: sleeping (interruptible), and any other waiting state */
	OFFCPU_D,	/* D: uninterruptible (I/O, some locks) */
	OFFCPU_PREEMPT, /* R: preempted while runnable */
	OFFCPU_NR_STATES
};

/* The state frame's name: "[on-CPU]", "[off-CPU S sleeping]", ... */
const char *offcpu_state_name(enum offcpu_state st);
/* The reason for sched_switch's prev_state (0 and 0x100 preempted, 2 D, else S). */
enum offcpu_state offcpu_state_of(uint64_t prev_state);
/* The state frame of st, interned in ft. */
uint32_t offcpu_state_frame(struct frametab *ft, enum offcpu_state st);
/* Whether frame f is a state frame, and which (into *st, may be NULL). */
bool offcpu_frame_state(const struct frame *f, const struct frametab *ft, enum offcpu_state *st);

struct offcpu;

/* Fill tree (borrowed; its frames from ft, borrowed) from switches after origin_ns. */
struct offcpu *offcpu_new(struct stacktree *tree, struct frametab *ft, uint64_t origin_ns);
/* Free o; NULL is fine. Pending waits are dropped (offcpu_finish keeps them). */
void offcpu_free(struct offcpu *o);
/*
 * Thread tid switched out at time_ns with prev_state; path is process, thread, then the stack
 * root first (copied). Its run since the last switch-in (or origin) goes to "[on-CPU]".
 */
void offcpu_out(struct offcpu *o, int32_t tid, uint64_t time_ns, uint64_t prev_state,
		const uint32_t *path, size_t n);
/* Thread tid switched in at time_ns: its wait since the switch-out goes into the tree. */
void offcpu_in(struct offcpu *o, int32_t tid, uint64_t time_ns);
/* Thread tid (process frame pf, thread frame tf) exited at time_ns: its last run ends there. */
void offcpu_exit(struct offcpu *o, int32_t tid, uint64_t time_ns, uint32_t pf, uint32_t tf);
/* The recording ends at end_ns: waits still pending are counted up to it. */
void offcpu_finish(struct offcpu *o, uint64_t end_ns);
/* Switch-outs seen (for the cost figures). */
uint64_t offcpu_switches(const struct offcpu *o);

#endif
