/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Per-task counters: a table of threads, each with its own counts of a fixed set of events
 * (task-clock, context switches, migrations, page faults, and the hardware events where a PMU
 * exists), per interval and in total, the time it was counted, and a short history of its CPU
 * share for a sparkline. Tasks that exit stay, marked exited; tasks a system-wide recording
 * stopped counting (they left the busiest N) stay, marked dropped. Memory is bounded: past
 * TASKCTR_MAX_ROWS the oldest task no longer counted makes room. Pure data, no I/O.
 */
#ifndef RINGSIDE_MODEL_TASKCTR_H
#define RINGSIDE_MODEL_TASKCTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The events, in this order everywhere (the snapshot names them). */
enum taskctr_event {
	TASKCTR_TASK_CLOCK,
	TASKCTR_CSWITCH,
	TASKCTR_MIGRATIONS,
	TASKCTR_FAULTS,
	TASKCTR_CYCLES,
	TASKCTR_INSTRUCTIONS,
	TASKCTR_CACHE_REFS,
	TASKCTR_CACHE_MISSES,
	TASKCTR_NEV
};

enum taskctr_state {
	TASKCTR_LIVE,	 /* counted now */
	TASKCTR_EXITED,	 /* the thread exited */
	TASKCTR_DROPPED, /* no longer counted (it left the busiest N, or its counters failed) */
	TASKCTR_NSTATES
};

/* What a table can be sorted by, in the Tasks view's column order (its keys cycle them). */
enum taskctr_sort {
	TASKCTR_SORT_CPU,	/* CPU share in the last interval, then in total */
	TASKCTR_SORT_TOTAL_CPU, /* task-clock over the whole recording */
	TASKCTR_SORT_CSWITCH,
	TASKCTR_SORT_MIGRATIONS,
	TASKCTR_SORT_FAULTS,
	TASKCTR_SORT_IPC,
	TASKCTR_SORT_TID,
	TASKCTR_SORT_COMM,
	TASKCTR_NSORTS
};

#define TASKCTR_MAX_ROWS 1024
#define TASKCTR_HIST	 32

struct taskctr_row {
	int32_t tid, pid;
	char comm[16];
	enum taskctr_state state;
	uint64_t first_ns, last_ns; /* when it was first and last read, ns since the start */
	uint64_t counted_ns;	    /* wall time it was counted */
	uint64_t span_ns;	    /* the last interval's length for this task (0: none yet) */
	uint64_t total[TASKCTR_NEV];
	uint64_t last[TASKCTR_NEV]; /* counts in the last interval */
	float hist[TASKCTR_HIST];   /* CPU share (task-clock / span) per interval, oldest first */
	uint8_t nhist;
};

struct taskctr;

/* An empty table (every event supported until said otherwise). */
struct taskctr *taskctr_new(void);
/* Free tc and its rows; NULL is fine. */
void taskctr_free(struct taskctr *tc);
/* The event's name as perf names it ("task-clock", "page-faults", ...). */
const char *taskctr_event_name(enum taskctr_event ev);
/* The event named name, or TASKCTR_NEV. */
enum taskctr_event taskctr_event_find(const char *name);
/* The state's name: "live", "exited", "dropped"; taskctr_state_find is its inverse (-1: none). */
const char *taskctr_state_name(enum taskctr_state st);
int taskctr_state_find(const char *name);
/* The sort's column title ("CPU%", "CSW/s", ...). */
const char *taskctr_sort_name(enum taskctr_sort s);
/* Whether event ev could be counted here (a machine without a PMU has no cycles). */
void taskctr_set_supported(struct taskctr *tc, enum taskctr_event ev, bool on);
bool taskctr_supported(const struct taskctr *tc, enum taskctr_event ev);
/*
 * One interval of task tid: delta counts per event over span_ns of wall time, read at at_ns
 * (since the start); state says whether it is still counted. Creates the row when new (NULL when
 * the table is full of counted tasks: the interval is then not kept). comm may be NULL (kept).
 */
struct taskctr_row *taskctr_update(struct taskctr *tc, int32_t tid, int32_t pid, const char *comm,
				   const uint64_t delta[TASKCTR_NEV], uint64_t span_ns,
				   uint64_t at_ns, enum taskctr_state state);
/* Add a row as a snapshot keeps it (a copy); false when the table is full or tid is there. */
bool taskctr_load(struct taskctr *tc, const struct taskctr_row *row);
/* Number of rows, and row i (borrowed, in insertion order; valid until the next update). */
size_t taskctr_count(const struct taskctr *tc);
const struct taskctr_row *taskctr_at(const struct taskctr *tc, size_t i);
/* The row of tid, or NULL. */
const struct taskctr_row *taskctr_find(const struct taskctr *tc, int32_t tid);
/* Rows no longer counted that made room for new ones (the table's bound). */
uint64_t taskctr_evicted(const struct taskctr *tc);
/*
 * CPU share in the last interval (1.0: one CPU), and over the whole time counted; a task no
 * longer counted (its last interval ended part way) gives the whole time's share for both.
 */
double taskctr_cpu(const struct taskctr_row *r);
double taskctr_cpu_total(const struct taskctr_row *r);
/* Per second in the last interval, of event ev (0 with no interval yet; a task no longer
 * counted: over the whole time counted). */
double taskctr_rate(const struct taskctr_row *r, enum taskctr_event ev);
/* Instructions per cycle, and cache misses per reference, in total; negative when not counted. */
double taskctr_ipc(const struct taskctr_row *r);
double taskctr_miss(const struct taskctr_row *r);
/*
 * The rows' indexes in order of s (descending for figures, ascending for TID and comm; live rows
 * before the others), into idx (taskctr_count entries).
 */
void taskctr_order(const struct taskctr *tc, enum taskctr_sort s, size_t *idx);

#endif
