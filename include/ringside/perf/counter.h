/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counting: every event opened for a target as counting groups, one group per CPU (system-wide)
 * or per thread (processes and commands, inherited by threads started later), read in one system
 * call per group with the time each group was enabled and really running, so values can be scaled
 * when the kernel multiplexes. An event the CPU lacks is marked unsupported and the rest still
 * count; an event a full group cannot take is opened as a group of its own.
 */
#ifndef RINGSIDE_PERF_COUNTER_H
#define RINGSIDE_PERF_COUNTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/perf/evspec.h"
#include "ringside/perf/target.h"
#include "ringside/util/errbuf.h"

enum counter_status {
	COUNTER_OK,
	COUNTER_UNSUPPORTED, /* the kernel or CPU has no such event here (ENOENT, EOPNOTSUPP ...) */
};

/* One cumulative reading of one event in one slot. */
struct counter_value {
	uint64_t count;	  /* raw count, unscaled */
	uint64_t enabled; /* ns the event was enabled */
	uint64_t running; /* ns the event was really counting */
};

struct counter_set;

/*
 * Open every event in events for target t. Slots are the target's CPUs (system-wide) or a single
 * slot (-1) that sums all threads. Events start disabled: counter_set_enable starts them, or, for a
 * launched command, its exec does. Returns 0, or a negative errno when nothing could be opened or
 * a fatal error occurred (permission, missing process, descriptor limit), with err saying what to
 * do. events is copied.
 */
int counter_set_open(struct counter_set **out, const struct evspec_list *events,
		     const struct target *t, struct errbuf *err);
/*
 * Open one more event while the set counts: on every CPU (system-wide), or on every thread of the
 * target's processes and of the processes they started (each inherited by what it starts later),
 * in groups of its own, enabled at once. Returns the new event's index: its status says whether it
 * opened (an event the machine lacks is kept, unsupported, with a reason). Returns -errno with err
 * on a failure that leaves the set as it was (permission, no thread left to count on).
 */
int counter_set_add(struct counter_set *cs, const struct evspec *spec, const struct target *t,
		    struct errbuf *err);
/*
 * Stop counting event ev: its descriptors close (a leader its group still needs stays open,
 * unread) and counter_set_read reports zeros for it; indexes do not move. Returns 0, or -ENOENT
 * when ev is out of range or removed already.
 */
int counter_set_remove(struct counter_set *cs, size_t ev);
/* True when event ev was removed. */
bool counter_set_removed(const struct counter_set *cs, size_t ev);
/* Enable every group now (system-wide and attached targets). */
void counter_set_enable(struct counter_set *cs);
/* Number of slots, and the CPU of slot i (-1 for the all-threads slot). */
size_t counter_set_nslots(const struct counter_set *cs);
int counter_set_slot_cpu(const struct counter_set *cs, size_t slot);
/* Number of events (as passed to open) and event i's status and reason (NULL when OK). */
size_t counter_set_nevents(const struct counter_set *cs);
enum counter_status counter_set_status(const struct counter_set *cs, size_t ev);
const char *counter_set_reason(const struct counter_set *cs, size_t ev);
/* The event spec of event i (borrowed). */
const struct evspec *counter_set_spec(const struct counter_set *cs, size_t ev);
/*
 * True when the kernel refused kernel-mode counting for a process target (perf_event_paranoid) and
 * every event was opened again excluding the kernel; the specs then say exclude_kernel.
 */
bool counter_set_user_only(const struct counter_set *cs);
/* Number of file descriptors open. */
size_t counter_set_nfds(const struct counter_set *cs);

/*
 * Read every group; out is indexed [ev * nslots + slot] and receives cumulative values (zero for
 * unsupported events). Returns 0 or -errno on a read failure.
 */
int counter_set_read(struct counter_set *cs, struct counter_value *out);
/* Close everything; cs may be NULL. */
void counter_set_free(struct counter_set *cs);

/*
 * Scale a raw count for multiplexing: count * enabled / running. Returns false (and *scaled = 0)
 * when the event never ran.
 */
bool counter_scale(uint64_t count, uint64_t enabled, uint64_t running, double *scaled);

#endif
