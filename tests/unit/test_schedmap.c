// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for model/schedmap: hand-built sched event sequences give exact runs with idle,
 * run time per CPU, voluntary/involuntary switches, migrations, wake-up latency percentiles,
 * the scheduler-map query (majority and shares, OTHER grouping), short names and the legend,
 * exec/fork/exit, folding two hours into bounded summaries, out-of-order robustness, the run cap,
 * busy fractions, folding exited tasks into aggregates on long runs, the TID index across
 * recycling, growth, folding and loading; and the cost per event (a TAP diagnostic, not an
 * assertion).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ringside/model/schedmap.h"

#define US 1000ull
#define MS 1000000ull
#define S  1000000000ull

/* prev_state values as the kernel reports them */
#define ST_RUNNING 0ll	   /* switched out runnable (yield, lazy preemption) */
#define ST_PREEMPT 0x100ll /* TASK_REPORT_MAX: preempted, "R+" */
#define ST_SLEEP   0x1ll   /* S */
#define ST_DISK	   0x2ll   /* D */
#define ST_IDLE	   0x80ll  /* I */
#define ST_DEAD	   0x10ll  /* X */
#define ST_ZOMBIE  0x20ll  /* Z */

static void
name_of(int32_t pid, char comm[16])
{
	memset(comm, 0, 16);
	if (pid == 0)
		snprintf(comm, 16, "swapper");
	else
		snprintf(comm, 16, "w%d", (int)pid);
}

/* A switch from prev (named pcomm) to next (named ncomm). */
static void
feed_switch_named(struct schedmap *m, int cpu, uint64_t t, int32_t prev, const char *pcomm,
		  int64_t state, int32_t next, const char *ncomm)
{
	struct sched_event e;

	memset(&e, 0, sizeof(e));
	e.type = SCHED_SWITCH;
	e.time = t;
	e.cpu = cpu;
	e.prev_pid = prev;
	e.next_pid = next;
	e.prev_state = state;
	snprintf(e.prev_comm, sizeof(e.prev_comm), "%s", pcomm);
	snprintf(e.next_comm, sizeof(e.next_comm), "%s", ncomm);
	schedmap_event(m, &e);
}

static void
feed_switch(struct schedmap *m, int cpu, uint64_t t, int32_t prev, int64_t state, int32_t next)
{
	char pcomm[16], ncomm[16];

	name_of(prev, pcomm);
	name_of(next, ncomm);
	feed_switch_named(m, cpu, t, prev, pcomm, state, next, ncomm);
}

/* A wake-up, migration (to the other CPU), exit... of task pid named comm. */
static void
feed_task_named(struct schedmap *m, enum sched_event_type type, int cpu, uint64_t t, int32_t pid,
		const char *comm)
{
	struct sched_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.time = t;
	e.cpu = cpu;
	e.pid = pid;
	snprintf(e.comm, sizeof(e.comm), "%s", comm);
	if (type == SCHED_MIGRATE) {
		e.orig_cpu = cpu;
		e.dest_cpu = cpu ^ 1;
	}
	schedmap_event(m, &e);
}

static void
feed_task_event(struct schedmap *m, enum sched_event_type type, int cpu, uint64_t t, int32_t pid)
{
	char comm[16];

	name_of(pid, comm);
	feed_task_named(m, type, cpu, t, pid, comm);
}

static void
feed_fork(struct schedmap *m, int cpu, uint64_t t, int32_t parent, const char *pcomm, int32_t child,
	  const char *ccomm)
{
	struct sched_event e;

	memset(&e, 0, sizeof(e));
	e.type = SCHED_FORK;
	e.time = t;
	e.cpu = cpu;
	e.parent_pid = parent;
	e.child_pid = child;
	snprintf(e.parent_comm, sizeof(e.parent_comm), "%s", pcomm);
	snprintf(e.child_comm, sizeof(e.child_comm), "%s", ccomm);
	schedmap_event(m, &e);
}

static void
feed_exec(struct schedmap *m, int cpu, uint64_t t, int32_t pid, int32_t old_pid, const char *file)
{
	struct sched_event e;

	memset(&e, 0, sizeof(e));
	e.type = SCHED_EXEC;
	e.time = t;
	e.cpu = cpu;
	e.pid = pid;
	e.old_pid = old_pid;
	snprintf(e.filename, sizeof(e.filename), "%s", file);
	schedmap_event(m, &e);
}

static struct schedmap_task_stats
stats_of(const struct schedmap *m, int32_t tid)
{
	struct schedmap_task_stats st;
	uint32_t idx = schedmap_find(m, tid);

	assert_int_not_equal(idx, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(schedmap_task_stats(m, idx, &st), 0);
	return st;
}

/* Runs contiguous and ordered, summaries contiguous and consistent, runs begin where they end. */
static void
check_invariants(const struct schedmap *m)
{
	uint64_t W = schedmap_bucket_ns(m);

	for (unsigned cpu = 0; cpu < schedmap_ncpus(m); cpu++) {
		size_t ns = schedmap_nsummaries(m, cpu), nr = schedmap_nruns(m, cpu);
		struct schedmap_bucket b, first;
		struct schedmap_run r, prev;
		uint64_t sum_end = 0;

		for (size_t i = 0; i < ns; i++) {
			assert_int_equal(schedmap_summary_at(m, cpu, i, &b), 0);
			if (i == 0)
				first = b;
			assert_true(b.start == first.start + i * W);
			assert_true(b.start % W == 0);
			assert_true(b.known_ns <= W);
			assert_true(b.busy_ns <= b.known_ns);
			assert_true(b.task_ns <= b.busy_ns);
			assert_true(b.target_busy_ns <= b.busy_ns);
			assert_true(b.target_ns <= b.target_busy_ns);
			sum_end = b.start + W;
		}
		assert_int_equal(schedmap_summary_at(m, cpu, ns, &b), -ENOENT);
		for (size_t i = 0; i < nr; i++) {
			assert_int_equal(schedmap_run_at(m, cpu, i, &r), 0);
			assert_true(r.start <= r.end);
			assert_true(r.open == (i + 1 == nr));
			if (!r.open)
				assert_true(r.start < r.end);
			if (i == 0 && ns)
				assert_true(r.start == sum_end);
			if (i > 0)
				assert_true(r.start == prev.end);
			assert_true(r.end <= schedmap_now(m) || r.start == r.end);
			prev = r;
		}
		assert_int_equal(schedmap_run_at(m, cpu, nr, &r), -ENOENT);
	}
}

static void
test_runs_idle_and_runtime(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(2, 0, 0);
	struct schedmap_run r;
	struct schedmap_task_stats a, b;

	assert_null(schedmap_new(0, 0, 0));
	assert_int_equal(schedmap_bucket_ns(m), SCHEDMAP_DEFAULT_BUCKET_NS);
	assert_int_equal(schedmap_detail_ns(m), SCHEDMAP_DEFAULT_DETAIL_NS);
	assert_int_equal(schedmap_nruns(m, 0), 0);

	feed_switch(m, 0, 1 * MS, 0, ST_RUNNING, 100);
	feed_switch(m, 0, 3 * MS, 100, ST_SLEEP, 200);
	feed_switch(m, 0, 6 * MS, 200, ST_PREEMPT, 0);
	feed_switch(m, 0, 7 * MS, 0, ST_RUNNING, 100);
	schedmap_advance(m, 10 * MS);
	assert_int_equal(schedmap_now(m), 10 * MS);
	check_invariants(m);

	assert_int_equal(schedmap_nruns(m, 0), 4);
	assert_int_equal(schedmap_nruns(m, 1), 0);
	uint32_t ta = schedmap_find(m, 100), tb = schedmap_find(m, 200);
	assert_int_equal(ta, 0);
	assert_int_equal(tb, 1);
	assert_int_equal(schedmap_find(m, 0), SCHEDMAP_TASK_UNKNOWN);
	const struct {
		uint64_t start, end;
		uint32_t task;
	} want[] = { { 1 * MS, 3 * MS, ta },
		     { 3 * MS, 6 * MS, tb },
		     { 6 * MS, 7 * MS, SCHEDMAP_TASK_IDLE },
		     { 7 * MS, 10 * MS, ta } };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(schedmap_run_at(m, 0, i, &r), 0);
		assert_int_equal(r.start, want[i].start);
		assert_int_equal(r.end, want[i].end);
		assert_int_equal(r.task, want[i].task);
		assert_int_equal(r.open, i == 3);
	}
	assert_int_equal(schedmap_run_at(m, 5, 0, &r), -ENOENT);

	a = stats_of(m, 100);
	b = stats_of(m, 200);
	assert_int_equal(a.tid, 100);
	assert_string_equal(a.comm, "w100");
	assert_int_equal(a.runtime_ns, 2 * MS + 3 * MS); /* the open run counts up to now */
	assert_int_equal(schedmap_task_runtime_cpu(m, ta, 0), 5 * MS);
	assert_int_equal(schedmap_task_runtime_cpu(m, ta, 1), 0);
	assert_int_equal(schedmap_task_runtime_cpu(m, ta, 9), 0);
	assert_int_equal(a.switches_voluntary, 1);
	assert_int_equal(a.switches_involuntary, 0);
	assert_int_equal(b.runtime_ns, 3 * MS);
	assert_int_equal(b.switches_voluntary, 0);
	assert_int_equal(b.switches_involuntary, 1);
	assert_string_equal(a.short_name, "A");
	assert_string_equal(b.short_name, "B");
	assert_false(a.exited);
	assert_int_equal(schedmap_ntasks(m), 2);
	assert_int_equal(schedmap_task_stats(m, SCHEDMAP_TASK_IDLE, &a), -ENOENT);
	assert_int_equal(schedmap_task_stats(m, 2, &a), -ENOENT);
	/* The brief form: the same ids and run time (open run included), no more. */
	assert_int_equal(schedmap_task_brief(m, ta, &b), 0);
	assert_int_equal(b.tid, 100);
	assert_int_equal(b.runtime_ns, 2 * MS + 3 * MS);
	assert_false(b.exited);
	assert_int_equal(b.folded, 0);
	assert_string_equal(b.comm, "");
	assert_int_equal(schedmap_task_brief(m, 2, &b), -ENOENT);

	/* before the first switch: unknown, not idle */
	assert_true(schedmap_busy(m, 0, 0, 1 * MS) < 0);
	assert_true(schedmap_busy(m, 1, 0, 10 * MS) < 0);
	uint64_t busy, known;
	assert_int_equal(schedmap_busy_ns(m, 0, 0, 10 * MS, &busy, &known), 0);
	assert_int_equal(busy, 8 * MS);
	assert_int_equal(known, 9 * MS);
	assert_int_equal(schedmap_busy_ns(m, 2, 0, 10 * MS, &busy, &known), -EINVAL);
	assert_int_equal(schedmap_busy_ns(m, 0, 5, 5, &busy, &known), -EINVAL);

	struct schedmap_counts c;
	schedmap_get_counts(m, &c);
	assert_int_equal(c.switches, 4);
	assert_int_equal(c.events, 4);
	assert_int_equal(c.clamped + c.mismatches + c.ignored, 0);
	schedmap_free(m);
	schedmap_free(NULL);
}

static void
test_switch_classification(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(1, 0, 0);
	const int64_t states[] = { ST_RUNNING, ST_PREEMPT, ST_SLEEP,
				   ST_DISK,    ST_IDLE,	   ST_SLEEP | ST_PREEMPT };
	uint64_t t = 1 * MS;

	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		feed_switch(m, 0, t, 0, ST_RUNNING, 10);
		feed_switch(m, 0, t + 100 * US, 10, states[i], 0);
		t += 1 * MS;
	}
	struct schedmap_task_stats st = stats_of(m, 10);
	/* 0 and 0x100 (R+) are involuntary; S, D, I are voluntary */
	assert_int_equal(st.switches_involuntary, 2);
	assert_int_equal(st.switches_voluntary, 4);
	assert_int_equal(st.runtime_ns, 6 * 100 * US);
	schedmap_free(m);
}

static void
test_migrations_and_per_cpu(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(2, 0, 0);

	feed_switch(m, 0, 0 * MS + 1, 0, ST_RUNNING, 7);
	feed_switch(m, 0, 10 * MS, 7, ST_PREEMPT, 0);
	feed_task_event(m, SCHED_MIGRATE, 0, 10 * MS + 10, 7);
	feed_switch(m, 1, 10 * MS + 20, 0, ST_RUNNING, 7);
	feed_switch(m, 1, 25 * MS, 7, ST_SLEEP, 0);
	/* back on CPU 0 without a MIGRATE event (lost): not counted */
	feed_switch(m, 0, 30 * MS, 0, ST_RUNNING, 7);
	feed_switch(m, 0, 31 * MS, 7, ST_SLEEP, 0);
	feed_task_event(m, SCHED_MIGRATE, 1, 32 * MS, 0); /* idle: ignored */
	check_invariants(m);

	struct schedmap_task_stats st = stats_of(m, 7);
	uint32_t t7 = schedmap_find(m, 7);
	assert_int_equal(st.migrations, 1);
	assert_int_equal(schedmap_task_runtime_cpu(m, t7, 0), 10 * MS - 1 + 1 * MS);
	assert_int_equal(schedmap_task_runtime_cpu(m, t7, 1), 25 * MS - (10 * MS + 20));
	assert_int_equal(st.runtime_ns,
			 schedmap_task_runtime_cpu(m, t7, 0) + schedmap_task_runtime_cpu(m, t7, 1));
	assert_int_equal(st.switches_involuntary, 1);
	assert_int_equal(st.switches_voluntary, 2);
	assert_int_equal(schedmap_ntasks(m), 1);
	schedmap_free(m);
}

static void
assert_near(uint64_t got, uint64_t want, double rel)
{
	double d = (double)got - (double)want;

	if (d < 0)
		d = -d;
	if (d > rel * (double)want)
		fail_msg("%llu is not within %.1f%% of %llu", (unsigned long long)got, rel * 100,
			 (unsigned long long)want);
}

static void
test_latency_percentiles(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(2, 0, 0);
	struct schedmap_task_stats st;

	/* 100 wake-ups with latencies 1..100 µs */
	for (uint64_t i = 1; i <= 100; i++) {
		uint64_t t = i * MS;

		feed_task_event(m, SCHED_WAKEUP, 0, t, 300);
		feed_switch(m, 1, t + i * US, 0, ST_RUNNING, 300);
		feed_switch(m, 1, t + i * US + 10 * US, 300, ST_SLEEP, 0);
	}
	st = stats_of(m, 300);
	assert_int_equal(st.wakeups, 100);
	assert_int_equal(st.lat_count, 100);
	assert_near(st.lat_p50_ns, 50 * US, 0.02);
	assert_near(st.lat_p95_ns, 95 * US, 0.02);
	assert_near(st.lat_p99_ns, 99 * US, 0.02);
	assert_int_equal(st.lat_max_ns, 100 * US);
	print_message("# latency 1..100 us: p50 %llu p95 %llu p99 %llu max %llu ns\n",
		      (unsigned long long)st.lat_p50_ns, (unsigned long long)st.lat_p95_ns,
		      (unsigned long long)st.lat_p99_ns, (unsigned long long)st.lat_max_ns);

	/* few latencies (the sparse histogram): 5 µs, 5 µs, 2 ms */
	const uint64_t lats[] = { 5 * US, 2 * MS, 5 * US };
	uint64_t t = 1 * S;
	for (size_t i = 0; i < 3; i++, t += 10 * MS) {
		feed_task_event(m, SCHED_WAKEUP_NEW, 0, t, 301);
		feed_switch(m, 0, t + lats[i], 0, ST_RUNNING, 301);
		feed_switch(m, 0, t + lats[i] + 1 * US, 301, ST_SLEEP, 0);
	}
	st = stats_of(m, 301);
	assert_int_equal(st.lat_count, 3);
	assert_near(st.lat_p50_ns, 5 * US, 0.02);
	assert_near(st.lat_p95_ns, 2 * MS, 0.02);
	assert_int_equal(st.lat_max_ns, 2 * MS);

	/* a wake-up of a running task starts no latency; the first of two wake-ups starts it */
	t = 2 * S;
	feed_switch(m, 0, t, 0, ST_RUNNING, 302);
	feed_task_event(m, SCHED_WAKEUP, 1, t + 10 * US, 302);
	feed_switch(m, 0, t + 20 * US, 302, ST_SLEEP, 0);
	feed_switch(m, 0, t + 500 * US, 0, ST_RUNNING, 302); /* no wake-up seen: no latency */
	feed_switch(m, 0, t + 600 * US, 302, ST_SLEEP, 0);
	st = stats_of(m, 302);
	assert_int_equal(st.wakeups, 1);
	assert_int_equal(st.lat_count, 0);
	assert_int_equal(st.lat_p50_ns, 0);
	feed_task_event(m, SCHED_WAKEUP, 1, t + 1 * MS, 302);
	feed_task_event(m, SCHED_WAKEUP, 1, t + 1 * MS + 50 * US, 302);
	feed_switch(m, 0, t + 1 * MS + 100 * US, 0, ST_RUNNING, 302);
	st = stats_of(m, 302);
	assert_int_equal(st.wakeups, 3);
	assert_int_equal(st.lat_count, 1);
	assert_int_equal(st.lat_max_ns, 100 * US);
	assert_near(st.lat_p99_ns, 100 * US, 0.02);

	/* an exited task keeps its percentiles (the histogram is frozen and freed) */
	size_t before = schedmap_memory(m);
	feed_task_event(m, SCHED_EXIT, 0, t + 2 * MS, 300);
	assert_true(schedmap_memory(m) < before);
	struct schedmap_task_stats ex = stats_of(m, 300);
	assert_true(ex.exited);
	assert_int_equal(ex.lat_count, 100);
	assert_near(ex.lat_p50_ns, 50 * US, 0.02);
	assert_near(ex.lat_p99_ns, 99 * US, 0.02);
	assert_int_equal(ex.lat_max_ns, 100 * US);

	/* every latency from 1 µs to 10 s is reported within 2% (midpoint of a 1/32-octave bucket)
	 */
	{
		struct schedmap *m2 = schedmap_new(1, 0, 0);
		uint64_t tt = 1 * S;
		double worst = 0;
		int32_t tid = 20000;

		for (double v = 1000; v <= 10e9; v *= 1.0137, tid++) {
			uint64_t lat = (uint64_t)v;

			feed_task_event(m2, SCHED_WAKEUP, 0, tt, tid);
			feed_switch(m2, 0, tt + lat, 0, ST_RUNNING, tid);
			feed_switch(m2, 0, tt + lat + 1 * US, tid, ST_SLEEP, 0);
			tt += lat + 2 * US;
			st = stats_of(m2, tid);
			assert_int_equal(st.lat_count, 1);
			assert_int_equal(st.lat_max_ns, lat);
			assert_near(st.lat_p50_ns, lat, 0.02);
			double err = ((double)lat - (double)st.lat_p50_ns) / (double)lat;
			if (err < 0)
				err = -err;
			if (err > worst)
				worst = err;
		}
		print_message("# latency 1 us .. 10 s, %d values: worst error %.2f%%\n",
			      tid - 20000, worst * 100);
		schedmap_free(m2);
	}

	/* latencies beyond the histogram's range clamp to its last bucket, max stays exact */
	t = 10 * S;
	feed_task_event(m, SCHED_WAKEUP, 0, t, 303);
	feed_switch(m, 1, t + 30 * S, 0, ST_RUNNING, 303);
	st = stats_of(m, 303);
	assert_int_equal(st.lat_max_ns, 30 * S);
	assert_true(st.lat_p50_ns <= 30 * S && st.lat_p50_ns >= 16 * S);
	check_invariants(m);
	schedmap_free(m);
}

/* Fill a 1 ms bucket of cpu starting at t: each (pid, ns) in turn, ending idle. */
static uint64_t
feed_bucket(struct schedmap *m, int cpu, uint64_t t, int32_t *cur, const int32_t *pids,
	    const uint64_t *ns, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		feed_switch(m, cpu, t, *cur, *cur ? ST_PREEMPT : ST_RUNNING, pids[i]);
		*cur = pids[i];
		t += ns[i];
	}
	return t;
}

static void
test_query_shares_and_pinned(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(2, 0, 0);
	struct schedmap_cell cells[2 * 4];
	int32_t cur0 = 0;

	/* exact shares: [1,2) ms: A 600 µs, idle 400; [2,3): A 300 idle 700 */
	{
		const int32_t p1[] = { 11, 0 }, p2[] = { 11, 0 };
		const uint64_t n1[] = { 600 * US, 400 * US }, n2[] = { 300 * US, 700 * US };
		uint64_t t = feed_bucket(m, 0, 1 * MS, &cur0, p1, n1, 2);
		t = feed_bucket(m, 0, t, &cur0, p2, n2, 2);
		schedmap_advance(m, t);
	}
	assert_int_equal(schedmap_query_nbuckets(0, 4 * MS, 1 * MS), 4);
	assert_int_equal(schedmap_query_nbuckets(0, 4 * MS + 1, 1 * MS), 5);
	assert_int_equal(schedmap_query_nbuckets(5, 5, 1), 0);
	assert_int_equal(schedmap_query(m, 0, 4 * MS, 1 * MS, 0, cells), 4);
	uint32_t A = schedmap_find(m, 11);
	assert_int_equal(cells[0].task, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(cells[0].share, 0);
	assert_int_equal(cells[1].task, A);
	assert_int_equal(cells[1].share, 600);
	assert_int_equal(cells[1].busy, 600);
	assert_int_equal(cells[2].task, SCHEDMAP_TASK_IDLE);
	assert_int_equal(cells[2].share, 700);
	assert_int_equal(cells[2].busy, 300);
	assert_int_equal(cells[3].task, SCHEDMAP_TASK_UNKNOWN); /* after now */
	for (size_t i = 4; i < 8; i++)
		assert_int_equal(cells[i].task, SCHEDMAP_TASK_UNKNOWN); /* CPU 1 never switched */
	/* a partial last bucket: its share is of its own width */
	assert_int_equal(schedmap_query(m, 1 * MS, 1 * MS + 500 * US, 1 * MS, 0, cells), 1);
	assert_int_equal(cells[0].task, A);
	assert_int_equal(cells[0].share, 1000);
	assert_int_equal(schedmap_query(m, 5, 5, 1 * MS, 0, cells), -EINVAL);
	assert_int_equal(schedmap_query(m, 0, 5, 0, 0, cells), -EINVAL);
	schedmap_free(m);

	/* two pinned spinners, interrupted by kworkers and short idle spells, 2 s */
	m = schedmap_new(2, 0, 0);
	int32_t cur[2] = { 0, 0 };
	const int32_t main_pid[2] = { 1000, 2000 }, kw[2] = { 50, 51 };
	uint64_t t0 = 5 * S, step = 10 * MS;
	for (uint64_t k = 0; k < 200; k++) {
		for (int cpu = 0; cpu < 2; cpu++) {
			uint64_t t = t0 + k * step + (uint64_t)cpu * 3 * MS;
			feed_switch(m, cpu, t, cur[cpu], ST_SLEEP, main_pid[cpu]);
			cur[cpu] = main_pid[cpu];
		}
		for (int cpu = 0; cpu < 2; cpu++) {
			uint64_t t = t0 + k * step + (uint64_t)cpu * 3 * MS + 9600 * US;
			int32_t next = (k % 5 == 0) ? 0 : kw[cpu];
			feed_switch(m, cpu, t, cur[cpu], ST_PREEMPT, next);
			cur[cpu] = next;
		}
	}
	schedmap_advance(m, t0 + 200 * step + 3 * MS);
	check_invariants(m);
	enum { NB = 200 };
	struct schedmap_cell *out = calloc(2 * NB, sizeof(*out));
	assert_int_equal(schedmap_query(m, t0, t0 + 2 * S, 10 * MS, 0, out), NB);
	for (int cpu = 0; cpu < 2; cpu++) {
		uint32_t want = schedmap_find(m, main_pid[cpu]);
		unsigned main_buckets = 0;

		for (size_t b = 0; b < NB; b++) {
			const struct schedmap_cell *cell = &out[(size_t)cpu * NB + b];
			if (cell->task == want && cell->share >= 900)
				main_buckets++;
		}
		print_message("# pinned cpu %d: main task in %u of %d buckets\n", cpu, main_buckets,
			      NB);
		assert_true(main_buckets >= NB * 9 / 10);
	}
	/* CPU 0's buckets are aligned with its pattern: A 96%, kworker or idle 4% */
	assert_int_equal(out[6].task, schedmap_find(m, 1000));
	assert_int_equal(out[6].share, 960);
	assert_int_equal(out[6].busy, 1000);
	assert_int_equal(out[10].busy, 960); /* k = 10: the 400 µs after A were idle */
	assert_int_equal(out[NB + 5].task, schedmap_find(m, 2000));
	assert_int_equal(out[NB + 5].share, 960);
	/* busy fractions: CPU 0 is idle 400 µs every 50 ms */
	assert_near((uint64_t)(schedmap_busy(m, 0, t0, t0 + 2 * S) * 1e6), 992000, 0.0001);
	double series[4];
	assert_int_equal(schedmap_busy_series(m, 0, t0, 50 * MS, 4, series), 0);
	for (int i = 0; i < 4; i++)
		assert_near((uint64_t)(series[i] * 1e6), 992000, 0.0001);
	assert_int_equal(schedmap_busy_series(m, 0, 0, 1 * S, 4, series), 0);
	assert_true(series[0] < 0);
	assert_int_equal(schedmap_busy_series(m, 0, 0, 0, 4, series), -EINVAL);
	assert_int_equal(schedmap_busy_series(m, 3, 0, 1, 4, series), -EINVAL);

	/* legend: A B (mains), then the kworkers in order of first run */
	assert_int_equal(schedmap_legend_count(m), 4);
	struct schedmap_legend_entry le;
	const int32_t order[] = { 1000, 2000, 50, 51 };
	const char *names[] = { "A", "B", "C", "D" };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(schedmap_legend_at(m, i, &le), 0);
		assert_int_equal(le.tid, order[i]);
		assert_string_equal(le.short_name, names[i]);
		assert_string_equal(schedmap_short_name(m, le.task), names[i]);
		char comm[16];
		name_of(order[i], comm);
		assert_string_equal(le.comm, comm);
	}
	assert_int_equal(schedmap_legend_at(m, 4, &le), -ENOENT);
	free(out);
	schedmap_free(m);
}

static bool
target_777(void *ctx, int32_t tid, int32_t pid)
{
	(*(int *)ctx)++;
	return tid == 777 || pid == 700;
}

static void
test_other_grouping(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(1, 0, 0);
	struct schedmap_cell cells[3];
	int32_t cur = 0;
	uint64_t t = 1 * MS;

	schedmap_mark_target(m, 30);
	schedmap_mark_target(m, 0); /* ignored */
	{
		const int32_t p[] = { 10, 20, 30, 0 };
		const uint64_t n[] = { 300 * US, 300 * US, 250 * US, 150 * US };
		t = feed_bucket(m, 0, t, &cur, p, n, 4);
	}
	{
		const int32_t p[] = { 30, 10, 20 };
		const uint64_t n[] = { 400 * US, 300 * US, 300 * US };
		t = feed_bucket(m, 0, t, &cur, p, n, 3);
	}
	{
		const int32_t p[] = { 30, 10 };
		const uint64_t n[] = { 700 * US, 300 * US };
		t = feed_bucket(m, 0, t, &cur, p, n, 2);
	}
	schedmap_advance(m, t);
	uint32_t T = schedmap_find(m, 30), N1 = schedmap_find(m, 10);
	assert_true(stats_of(m, 30).target);
	assert_false(stats_of(m, 10).target);

	assert_int_equal(schedmap_query(m, 1 * MS, 4 * MS, 1 * MS, 0, cells), 3);
	assert_int_equal(cells[0].task, N1); /* tie with N2: the earlier task */
	assert_int_equal(cells[0].share, 300);
	assert_int_equal(cells[0].busy, 850);
	assert_int_equal(cells[1].task, T);
	assert_int_equal(cells[1].share, 400);
	assert_int_equal(cells[2].task, T);
	assert_int_equal(cells[2].share, 700);

	assert_int_equal(schedmap_query(m, 1 * MS, 4 * MS, 1 * MS, SCHEDMAP_OTHER, cells), 3);
	assert_int_equal(cells[0].task, SCHEDMAP_TASK_OTHER);
	assert_int_equal(cells[0].share, 600);
	assert_int_equal(cells[1].task, SCHEDMAP_TASK_OTHER);
	assert_int_equal(cells[1].share, 600);
	assert_int_equal(cells[2].task, T);
	assert_int_equal(cells[2].share, 700);
	assert_string_equal(schedmap_short_name(m, SCHEDMAP_TASK_OTHER), "+");

	/* the callback, fork inheritance, threads of a target leader */
	int calls = 0;
	schedmap_set_target_fn(m, target_777, &calls);
	feed_task_event(m, SCHED_WAKEUP, 0, t, 777);
	assert_true(stats_of(m, 777).target);
	assert_true(calls >= 1);
	feed_fork(m, 0, t, 30, "w30", 31, "w30");
	assert_true(stats_of(m, 31).target);
	feed_fork(m, 0, t, 10, "w10", 11, "w10");
	assert_false(stats_of(m, 11).target);
	schedmap_set_pid(m, 40, 30); /* a thread of the target process 30 */
	assert_true(stats_of(m, 40).target);
	assert_int_equal(stats_of(m, 40).pid, 30);
	schedmap_set_pid(m, 41, 10);
	assert_false(stats_of(m, 41).target);
	schedmap_set_pid(m, 701, 700); /* the callback decides by pid */
	assert_true(stats_of(m, 701).target);
	schedmap_set_pid(m, 0, 5); /* ignored */
	schedmap_set_target_fn(m, NULL, NULL);
	feed_task_event(m, SCHED_WAKEUP, 0, t, 778);
	assert_false(stats_of(m, 778).target);
	schedmap_free(m);
}

/* Per-process mode: tracepoint switch-outs plus switch-ins whose prev is unknown (pid -1). */
static void
test_per_process_switches(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(1, 0, 0);
	struct schedmap_counts c;
	struct schedmap_run r;

	schedmap_mark_target(m, 40);
	schedmap_mark_target(m, 41);
	feed_switch(m, 0, 1 * MS, -1, ST_RUNNING, 40);
	feed_switch(m, 0, 2 * MS, 40, ST_SLEEP, 500); /* tracepoint: next is a non-target */
	feed_switch(m, 0, 5 * MS, -1, ST_RUNNING, 40);
	feed_switch(m, 0, 6 * MS, 40, ST_SLEEP, 0);
	feed_switch(m, 0, 9 * MS, -1, ST_RUNNING, 40);
	feed_switch(m, 0, 10 * MS, 40, ST_PREEMPT, -1); /* next not identified */
	feed_switch(m, 0, 12 * MS, -1, ST_RUNNING, 40);
	schedmap_advance(m, 13 * MS);
	check_invariants(m);
	schedmap_get_counts(m, &c);
	assert_int_equal(c.mismatches, 0);
	uint32_t T = schedmap_find(m, 40), N = schedmap_find(m, 500);
	const struct {
		uint64_t start;
		uint32_t task;
	} want[] = { { 1 * MS, T }, { 2 * MS, N },
		     { 5 * MS, T }, { 6 * MS, SCHEDMAP_TASK_IDLE },
		     { 9 * MS, T }, { 10 * MS, SCHEDMAP_TASK_OTHER },
		     { 12 * MS, T } };
	assert_int_equal(schedmap_nruns(m, 0), 7);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(schedmap_run_at(m, 0, i, &r), 0);
		assert_int_equal(r.start, want[i].start);
		assert_int_equal(r.task, want[i].task);
	}
	struct schedmap_task_stats st = stats_of(m, 40);
	assert_int_equal(st.runtime_ns, 4 * MS);
	assert_int_equal(st.switches_voluntary, 2);
	assert_int_equal(st.switches_involuntary, 1);
	assert_int_equal(stats_of(m, 500).runtime_ns, 0); /* guessed, not credited */
	struct schedmap_cell cells[13];
	assert_int_equal(schedmap_query(m, 0, 13 * MS, 1 * MS, SCHEDMAP_OTHER, cells), 13);
	assert_int_equal(cells[1].task, T);
	assert_int_equal(cells[3].task, SCHEDMAP_TASK_OTHER);
	assert_int_equal(cells[7].task, SCHEDMAP_TASK_IDLE);
	assert_int_equal(cells[10].task, SCHEDMAP_TASK_OTHER);
	assert_int_equal(cells[10].busy, 1000);
	assert_int_equal(schedmap_query(m, 0, 13 * MS, 1 * MS, 0, cells), 13);
	assert_int_equal(cells[3].task, N);
	assert_int_equal(cells[10].task, SCHEDMAP_TASK_OTHER);
	/* a target's switch-out was lost: an unidentified prev cannot close its run, which
	 * becomes unknown (the provisional open-run time is no longer counted) */
	feed_switch(m, 0, 20 * MS, -1, ST_RUNNING, 41);
	schedmap_get_counts(m, &c);
	assert_int_equal(c.mismatches, 1);
	assert_int_equal(stats_of(m, 40).runtime_ns, 3 * MS);
	assert_int_equal(schedmap_run_at(m, 0, 6, &r), 0);
	assert_int_equal(r.task, SCHEDMAP_TASK_UNKNOWN);
	check_invariants(m);
	schedmap_free(m);
}

static void
test_short_names(void **state)
{
	(void)state;
	char buf[8];
	const struct {
		uint64_t n;
		const char *name;
	} seq[] = { { 0, "A" },	       { 25, "Z" },	{ 26, "a" },	  { 51, "z" },
		    { 52, "A0" },      { 53, "B0" },	{ 77, "Z0" },	  { 78, "a0" },
		    { 103, "z0" },     { 104, "A1" },	{ 571, "z9" },	  { 572, "A00" },
		    { 573, "B00" },    { 5771, "z99" }, { 5772, "A000" }, { 57771, "z999" },
		    { 57772, "A0000" } };

	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		schedmap_short_name_for(seq[i].n, buf);
		assert_string_equal(buf, seq[i].name);
	}
	schedmap_short_name_for(UINT64_MAX, buf);
	assert_string_equal(buf, "#");

	struct schedmap *m = schedmap_new(1, 0, 0);
	int32_t cur = 0;
	uint64_t t = 1 * MS;
	/* a task that only wakes gets no name */
	feed_task_event(m, SCHED_WAKEUP, 0, t, 5000);
	for (int32_t i = 0; i < 60; i++) {
		feed_switch(m, 0, t, cur, ST_SLEEP, 100 + i);
		cur = 100 + i;
		t += 10 * US;
	}
	assert_string_equal(stats_of(m, 5000).short_name, "");
	assert_string_equal(schedmap_short_name(m, schedmap_find(m, 5000)), "");
	assert_int_equal(schedmap_legend_count(m), 60);
	for (int32_t i = 0; i < 60; i++) {
		schedmap_short_name_for((uint64_t)i, buf);
		assert_string_equal(stats_of(m, 100 + i).short_name, buf);
	}
	assert_string_equal(stats_of(m, 100 + 52).short_name, "A0");
	assert_string_equal(stats_of(m, 100 + 59).short_name, "H0");
	/* running again keeps the name */
	feed_switch(m, 0, t, cur, ST_SLEEP, 100);
	cur = 100;
	t += 10 * US;
	assert_string_equal(stats_of(m, 100).short_name, "A");
	assert_int_equal(schedmap_legend_count(m), 60);
	/* a recycled TID is a new task with a new name; the old name is not reused */
	feed_task_event(m, SCHED_EXIT, 0, t, 101);
	feed_switch(m, 0, t, cur, ST_SLEEP, 101);
	feed_switch(m, 0, t + 10 * US, 101, ST_ZOMBIE, 0);
	cur = 0;
	uint32_t old = schedmap_find(m, 101);
	feed_fork(m, 0, t + 20 * US, 100, "w100", 101, "w100");
	uint32_t fresh = schedmap_find(m, 101);
	assert_int_not_equal(old, fresh);
	feed_switch(m, 0, t + 30 * US, 0, ST_RUNNING, 101);
	assert_string_equal(schedmap_short_name(m, old), "B");
	assert_string_equal(schedmap_short_name(m, fresh), "I0");
	assert_string_equal(schedmap_short_name(m, SCHEDMAP_TASK_IDLE), ".");
	assert_string_equal(schedmap_short_name(m, SCHEDMAP_TASK_UNKNOWN), "");
	schedmap_free(m);
}

/*
 * An exec known from a COMM record (old_pid 0): the record names the process, so the thread that
 * called exec is the one running on that CPU, when it is of the same process.
 */
static void
test_exec_from_comm(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(2, 0, 0);
	uint64_t t = 1 * MS;

	feed_fork(m, 0, t, 20, "app", 21, "app");
	feed_fork(m, 0, t + 1, 20, "app", 22, "app");
	schedmap_set_pid(m, 20, 20);
	schedmap_set_pid(m, 21, 20);
	schedmap_set_pid(m, 22, 20);
	feed_switch(m, 0, t + 10, 0, ST_RUNNING, 21);
	feed_switch(m, 1, t + 10, 0, ST_RUNNING, 22);
	feed_exec(m, 0, t + 20, 20, 0, "/bin/true");
	assert_true(stats_of(m, 21).exited);
	assert_false(stats_of(m, 22).exited); /* running elsewhere: its own exit says it */
	assert_int_equal(stats_of(m, 20).execs, 1);
	assert_string_equal(stats_of(m, 20).comm, "true");
	/* the leader itself execs: no thread is gone */
	feed_switch(m, 0, t + 30, 21, ST_DEAD, 20);
	feed_exec(m, 0, t + 40, 20, 0, "/bin/echo");
	assert_false(stats_of(m, 20).exited);
	assert_int_equal(stats_of(m, 20).execs, 2);
	/* a thread of another process running there: nothing is gone */
	feed_fork(m, 1, t + 50, 30, "other", 31, "other");
	schedmap_set_pid(m, 31, 30);
	feed_switch(m, 1, t + 60, 22, ST_SLEEP, 31);
	feed_exec(m, 1, t + 70, 20, 0, "/bin/sh");
	assert_false(stats_of(m, 31).exited);
	assert_false(stats_of(m, 22).exited);
	assert_int_equal(stats_of(m, 20).execs, 3);
	schedmap_free(m);
}

static void
test_exec_fork_exit(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(2, 0, 0);
	struct schedmap_task_stats st;
	uint64_t t = 1 * MS;

	feed_fork(m, 0, t, 10, "bash", 11, "bash");
	st = stats_of(m, 11);
	assert_string_equal(st.comm, "bash");
	assert_string_equal(stats_of(m, 10).comm, "bash");
	assert_int_equal(st.execs, 0);
	feed_exec(m, 0, t + 1, 11, 11, "/usr/local/bin/calltree-long-name-x");
	st = stats_of(m, 11);
	assert_int_equal(st.execs, 1);
	assert_string_equal(st.comm, "calltree-long-n");
	/* the comm the kernel reports in a switch wins (e.g. prctl(PR_SET_NAME)) */
	struct sched_event e;
	memset(&e, 0, sizeof(e));
	e.type = SCHED_SWITCH;
	e.time = t + 2;
	e.cpu = 1;
	e.next_pid = 11;
	snprintf(e.next_comm, sizeof(e.next_comm), "worker");
	schedmap_event(m, &e);
	assert_string_equal(stats_of(m, 11).comm, "worker");
	/* a 16-byte comm without a NUL is cut to 15 characters */
	memset(e.next_comm, 'x', sizeof(e.next_comm));
	e.time = t + 3;
	e.prev_pid = 11;
	e.next_pid = 12;
	e.prev_state = ST_SLEEP;
	snprintf(e.prev_comm, sizeof(e.prev_comm), "worker");
	schedmap_event(m, &e);
	assert_string_equal(stats_of(m, 12).comm, "xxxxxxxxxxxxxxx");

	/* exit: flag kept, stats kept; a preempted exiting task is still the same task */
	feed_task_event(m, SCHED_EXIT, 1, t + 10, 12);
	feed_switch(m, 1, t + 20, 12, ST_PREEMPT, 0);
	feed_switch(m, 1, t + 30, 0, ST_RUNNING, 12);
	assert_int_equal(schedmap_find(m, 12), schedmap_find(m, 12));
	uint32_t dying = schedmap_find(m, 12);
	feed_switch(m, 1, t + 40, 12, ST_DEAD, 0);
	st = stats_of(m, 12);
	assert_true(st.exited);
	assert_int_equal(st.runtime_ns, (20 - 3) + (40 - 30));
	assert_int_equal(st.switches_involuntary, 1);
	assert_int_equal(st.switches_voluntary, 1);
	assert_int_equal(schedmap_find(m, 12), dying);
	/* the TID recycled (seen first as a wake-up): a new task */
	feed_task_event(m, SCHED_WAKEUP_NEW, 0, t + 50, 12);
	uint32_t reborn = schedmap_find(m, 12);
	assert_int_not_equal(reborn, dying);
	st = stats_of(m, 12);
	assert_false(st.exited);
	assert_int_equal(st.runtime_ns, 0);
	assert_int_equal(st.wakeups, 1);
	struct schedmap_task_stats old;
	assert_int_equal(schedmap_task_stats(m, dying, &old), 0);
	assert_true(old.exited);
	assert_string_equal(old.comm, "w12"); /* as the later switches named it */

	/* a non-leader thread execs: it takes the leader's TID, its own TID is gone */
	feed_fork(m, 0, t + 60, 11, "worker", 13, "worker");
	feed_exec(m, 0, t + 70, 11, 13, "/bin/true");
	assert_true(stats_of(m, 13).exited);
	st = stats_of(m, 11);
	assert_int_equal(st.execs, 2);
	assert_string_equal(st.comm, "true");
	/* fork of a TID whose task exited (final switch lost): a new task too */
	feed_fork(m, 0, t + 75, 11, "true", 14, "true");
	feed_task_event(m, SCHED_EXIT, 0, t + 80, 14);
	uint32_t t14 = schedmap_find(m, 14);
	feed_fork(m, 0, t + 90, 11, "true", 14, "true");
	assert_int_not_equal(schedmap_find(m, 14), t14);
	assert_false(stats_of(m, 14).exited);
	/* events for pid 0 or negative pids are ignored */
	size_t n = schedmap_ntasks(m);
	feed_task_event(m, SCHED_EXIT, 0, t + 100, 0);
	feed_task_event(m, SCHED_WAKEUP, 0, t + 100, -3);
	feed_exec(m, 0, t + 100, 0, 0, "/bin/x");
	feed_fork(m, 0, t + 100, 0, "swapper", 0, "x");
	assert_int_equal(schedmap_ntasks(m), n);
	check_invariants(m);
	schedmap_free(m);
}

/* Two hours on 2 CPUs, one step every 2 ms: CPU 0 runs A (hour 1) then C (hour 2) 90% of the
 * time with rotating helpers, CPU 1 runs B 90% and idles 10%. */
static void
feed_hours(struct schedmap *m, uint64_t t0, uint64_t from, uint64_t to, int32_t cur[2])
{
	for (uint64_t k = from; k < to; k++) {
		uint64_t t = t0 + k * 2 * MS;
		int32_t main0 = t - t0 < 3600 * S ? 1001 : 1003;
		int32_t helper = 901 + (int32_t)(k % 4);

		feed_switch(m, 1, t + 500 * US, cur[1], ST_SLEEP, 0);
		feed_switch(m, 1, t + 700 * US, 0, ST_RUNNING, 1002);
		cur[1] = 1002;
		feed_switch(m, 0, t + 1800 * US, cur[0], ST_PREEMPT, helper);
		feed_switch(m, 0, t + 2000 * US, helper, ST_SLEEP, main0);
		cur[0] = main0;
	}
}

static void
test_fold_two_hours(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(2, 0, 0);
	const uint64_t t0 = 1000 * S, W = SCHEDMAP_DEFAULT_BUCKET_NS;
	const uint64_t steps_per_hour = 3600 * S / (2 * MS);
	int32_t cur[2] = { 0, 0 };
	size_t mem_70min, mem_end;
	struct timespec a, b;

	clock_gettime(CLOCK_MONOTONIC, &a);
	feed_hours(m, t0, 0, steps_per_hour + steps_per_hour / 6, cur);
	mem_70min = schedmap_memory(m);
	feed_hours(m, t0, steps_per_hour + steps_per_hour / 6, 2 * steps_per_hour, cur);
	clock_gettime(CLOCK_MONOTONIC, &b);
	mem_end = schedmap_memory(m);
	uint64_t now = schedmap_now(m);
	double secs = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	struct schedmap_counts c;
	schedmap_get_counts(m, &c);

	/* the documented cap: summaries + exact runs per CPU, plus a small task table */
	size_t cap = 2 * ((size_t)SCHEDMAP_DEFAULT_MAX_BUCKETS * 28 +
			  (size_t)SCHEDMAP_MAX_RUNS_PER_CPU * 12) +
		     64 * 1024;
	print_message("# 2 h on 2 CPUs: %llu events in %.2f s, memory %zu bytes at 70 min, %zu at "
		      "2 h (cap %zu); %zu+%zu runs, %zu+%zu summaries, %llu buckets dropped\n",
		      (unsigned long long)c.events, secs, mem_70min, mem_end, cap,
		      schedmap_nruns(m, 0), schedmap_nruns(m, 1), schedmap_nsummaries(m, 0),
		      schedmap_nsummaries(m, 1), (unsigned long long)c.dropped_buckets);
	assert_true(mem_end <= cap);
	assert_int_equal(mem_end, mem_70min); /* steady state: nothing grows with time */
	assert_int_equal(schedmap_nsummaries(m, 0), SCHEDMAP_DEFAULT_MAX_BUCKETS);
	assert_int_equal(schedmap_nsummaries(m, 1), SCHEDMAP_DEFAULT_MAX_BUCKETS);
	assert_true(c.dropped_buckets > 0);
	assert_int_equal(c.early_folds, 0);
	assert_int_equal(c.clamped + c.mismatches, 0);
	check_invariants(m);

	/* exact runs cover only the last detail_ns (plus the bucket being filled) */
	struct schedmap_run r;
	assert_int_equal(schedmap_run_at(m, 0, 0, &r), 0);
	assert_true(r.start >= now - SCHEDMAP_DEFAULT_DETAIL_NS - W);
	assert_true(r.start <= now - SCHEDMAP_DEFAULT_DETAIL_NS);
	/* a folded bucket: CPU 1 busy 90%, B 90% */
	struct schedmap_bucket sb;
	assert_int_equal(schedmap_summary_at(m, 1, 100, &sb), 0);
	assert_int_equal(sb.task, schedmap_find(m, 1002));
	assert_int_equal(sb.task_ns, 90 * MS);
	assert_int_equal(sb.busy_ns, 90 * MS);
	assert_int_equal(sb.known_ns, W);
	assert_int_equal(schedmap_summary_at(m, 0, 100, &sb), 0);
	assert_int_equal(sb.busy_ns, W);

	/* queries over folded history: the right majority, unaligned buckets too */
	enum { NB = 10 };
	struct schedmap_cell out[2 * NB];
	const uint64_t when[] = { t0 + 3600 * S - 30 * S + 37 * MS, /* hour 1's kept end */
				  t0 + 5400 * S + 37 * MS,	    /* hour 2, folded */
				  now - 20 * S };		    /* exact runs */
	const int32_t want0[] = { 1001, 1003, 1003 };
	for (size_t w = 0; w < 3; w++) {
		assert_int_equal(schedmap_query(m, when[w], when[w] + 10 * S, 1 * S, 0, out), NB);
		for (size_t i = 0; i < NB; i++) {
			assert_int_equal(out[i].task, schedmap_find(m, want0[w]));
			assert_true(out[i].share >= 890 && out[i].share <= 910);
			assert_true(out[i].busy >= 995);
			assert_int_equal(out[NB + i].task, schedmap_find(m, 1002));
			assert_true(out[NB + i].share >= 890 && out[NB + i].share <= 910);
			assert_true(out[NB + i].busy >= 890 && out[NB + i].busy <= 910);
		}
		double busy = schedmap_busy(m, 1, when[w], when[w] + 10 * S);
		assert_true(busy > 0.899 && busy < 0.901);
	}
	/* a bucket straddling the summaries and the exact runs */
	uint64_t edge = now - SCHEDMAP_DEFAULT_DETAIL_NS;
	assert_int_equal(schedmap_query(m, edge - 500 * MS, edge + 500 * MS, 1 * S, 0, out), 1);
	assert_int_equal(out[0].task, schedmap_find(m, 1003));
	assert_true(out[0].share >= 890 && out[0].share <= 910);
	/* dropped history is unknown again */
	assert_int_equal(schedmap_query(m, t0 + 600 * S, t0 + 610 * S, 1 * S, 0, out), NB);
	assert_int_equal(out[0].task, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(out[NB].task, SCHEDMAP_TASK_UNKNOWN);
	assert_true(schedmap_busy(m, 0, t0 + 600 * S, t0 + 610 * S) < 0);

	/* the per-task stats are exact whatever was folded */
	struct schedmap_task_stats st = stats_of(m, 1001);
	assert_int_equal(st.runtime_ns, steps_per_hour * 1800 * US);
	assert_int_equal(st.switches_involuntary, steps_per_hour);
	st = stats_of(m, 1002);
	assert_int_equal(st.switches_voluntary, 2 * steps_per_hour - 1);
	assert_int_equal(schedmap_ntasks(m), 7);

	/* a smaller summary cap applies at once */
	schedmap_set_max_buckets(m, 100);
	assert_int_equal(schedmap_nsummaries(m, 0), 100);
	assert_true(schedmap_memory(m) < mem_end - 2 * 35000 * 28);
	check_invariants(m);
	schedmap_free(m);
}

/*
 * The summary ring grows with the recording by an eighth at a time: between 20 and 30 minutes
 * the map grows by the buckets it gained (plus at most an eighth of the ring), not to twice them.
 */
static void
test_summaries_grow_with_use(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(2, 0, 0);
	const uint64_t t0 = 1000 * S, steps_per_min = 60 * S / (2 * MS);
	int32_t cur[2] = { 0, 0 };
	size_t sn1[2], mem1, mem2, most = 0;

	feed_hours(m, t0, 0, 20 * steps_per_min, cur);
	mem1 = schedmap_memory(m);
	for (unsigned c = 0; c < 2; c++)
		sn1[c] = schedmap_nsummaries(m, c);
	feed_hours(m, t0, 20 * steps_per_min, 30 * steps_per_min, cur);
	mem2 = schedmap_memory(m);
	for (unsigned c = 0; c < 2; c++) {
		size_t sn2 = schedmap_nsummaries(m, c);

		assert_true(sn2 > sn1[c] + 5000);
		most += (sn2 + sn2 / 8 - sn1[c] + 64) * 28;
	}
	print_message("# 20 -> 30 min on 2 CPUs: %zu -> %zu bytes (the buckets' growth allows %zu)\n",
		      mem1, mem2, most);
	assert_true(mem2 > mem1);
	assert_true(mem2 - mem1 <= most);
	check_invariants(m);
	schedmap_free(m);
}

static void
test_summary_iteration(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(1, 200 * MS, 100 * MS);
	struct schedmap_bucket b;
	struct schedmap_run r;

	schedmap_mark_target(m, 2);
	feed_switch(m, 0, 1050 * MS, 0, ST_RUNNING, 1);
	feed_switch(m, 0, 1100 * MS, 1, ST_SLEEP, 0);
	feed_switch(m, 0, 1150 * MS, 0, ST_RUNNING, 2);
	schedmap_advance(m, 1500 * MS); /* horizon 1.3 s */
	check_invariants(m);
	assert_int_equal(schedmap_nsummaries(m, 0), 3);
	uint32_t t1 = schedmap_find(m, 1), t2 = schedmap_find(m, 2);
	assert_int_equal(schedmap_summary_at(m, 0, 0, &b), 0);
	assert_int_equal(b.start, 1000 * MS);
	assert_int_equal(b.task, t1);
	assert_int_equal(b.task_ns, 50 * MS);
	assert_int_equal(b.busy_ns, 50 * MS);
	assert_int_equal(b.known_ns, 50 * MS); /* [1.0, 1.05) s is unknown */
	assert_int_equal(b.target_task, SCHEDMAP_TASK_IDLE);
	assert_int_equal(b.target_busy_ns, 0);
	assert_int_equal(schedmap_summary_at(m, 0, 1, &b), 0);
	assert_int_equal(b.start, 1100 * MS);
	assert_int_equal(b.task, t2);
	assert_int_equal(b.task_ns, 50 * MS);
	assert_int_equal(b.known_ns, 100 * MS);
	assert_int_equal(b.target_task, t2);
	assert_int_equal(b.target_ns, 50 * MS);
	assert_int_equal(b.target_busy_ns, 50 * MS);
	assert_int_equal(schedmap_summary_at(m, 0, 2, &b), 0);
	assert_int_equal(b.task_ns, 100 * MS);
	assert_int_equal(schedmap_summary_at(m, 0, 3, &b), -ENOENT);
	assert_int_equal(schedmap_summary_at(m, 1, 0, &b), -ENOENT);
	assert_int_equal(schedmap_nruns(m, 0), 1);
	assert_int_equal(schedmap_run_at(m, 0, 0, &r), 0);
	assert_true(r.open);
	assert_int_equal(r.start, 1300 * MS);
	assert_int_equal(r.end, 1500 * MS);
	assert_int_equal(r.task, t2);
	/* run time counts from the true start, not the folded one */
	assert_int_equal(stats_of(m, 2).runtime_ns, 350 * MS);
	/* a query bucket across summaries and the open run */
	struct schedmap_cell cells[2];
	assert_int_equal(schedmap_query(m, 1000 * MS, 1400 * MS, 200 * MS, 0, cells), 2);
	/* t1, t2 and idle 50 ms each: the tie goes to the lowest index (t2, made by mark_target) */
	assert_int_equal(t2, 0);
	assert_int_equal(cells[0].task, t2);
	assert_int_equal(cells[0].share, 250);
	assert_int_equal(cells[0].busy, 500);
	assert_int_equal(cells[1].task, t2);
	assert_int_equal(cells[1].share, 1000);
	schedmap_free(m);
}

static void
test_out_of_order(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(2, 0, 0);
	struct schedmap_counts c;
	struct schedmap_run r;

	feed_switch(m, 0, 10 * MS, 0, ST_RUNNING, 1);
	feed_switch(m, 0, 20 * MS, 1, ST_SLEEP, 2);
	feed_switch(m, 0, 15 * MS, 2, ST_SLEEP, 3); /* earlier than the last switch: clamped */
	schedmap_get_counts(m, &c);
	assert_int_equal(c.clamped, 1);
	assert_int_equal(stats_of(m, 2).runtime_ns, 0);
	assert_int_equal(stats_of(m, 2).switches_voluntary, 1);
	/* prev is not what runs there (lost records): the time is unknown */
	feed_switch(m, 0, 30 * MS, 4, ST_SLEEP, 5);
	schedmap_get_counts(m, &c);
	assert_int_equal(c.mismatches, 1);
	assert_int_equal(stats_of(m, 3).runtime_ns, 0);
	assert_int_equal(stats_of(m, 4).runtime_ns, 0);
	schedmap_advance(m, 40 * MS);
	check_invariants(m);
	assert_int_equal(schedmap_nruns(m, 0), 3);
	assert_int_equal(schedmap_run_at(m, 0, 0, &r), 0);
	assert_int_equal(r.start, 10 * MS);
	assert_int_equal(r.end, 20 * MS);
	assert_int_equal(r.task, schedmap_find(m, 1));
	assert_int_equal(schedmap_run_at(m, 0, 1, &r), 0);
	assert_int_equal(r.task, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(r.end, 30 * MS);
	struct schedmap_cell cells[2 * 4];
	assert_int_equal(schedmap_query(m, 0, 40 * MS, 10 * MS, 0, cells), 4);
	assert_int_equal(cells[0].task, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(cells[1].task, schedmap_find(m, 1));
	assert_int_equal(cells[1].share, 1000);
	assert_int_equal(cells[2].task, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(cells[3].task, schedmap_find(m, 5));
	assert_true(schedmap_busy(m, 0, 20 * MS, 30 * MS) < 0);

	/* bad CPUs and types are ignored */
	feed_switch(m, 2, 50 * MS, 0, ST_RUNNING, 9);
	feed_switch(m, -1, 50 * MS, 0, ST_RUNNING, 9);
	struct sched_event e;
	memset(&e, 0, sizeof(e));
	e.type = (enum sched_event_type)99;
	schedmap_event(m, &e);
	schedmap_get_counts(m, &c);
	assert_int_equal(c.ignored, 3);
	assert_int_equal(schedmap_find(m, 9), SCHEDMAP_TASK_UNKNOWN);

	/* a switch-in earlier than its wake-up (clock skew across CPUs): latency 0 */
	feed_task_event(m, SCHED_WAKEUP, 1, 60 * MS, 6);
	feed_switch(m, 0, 59 * MS, 5, ST_SLEEP, 6);
	assert_int_equal(stats_of(m, 6).lat_count, 1);
	assert_int_equal(stats_of(m, 6).lat_max_ns, 0);
	check_invariants(m);
	schedmap_free(m);

	/* a very late switch, older than what has been folded: clamped to the open run */
	m = schedmap_new(1, 1 * S, 100 * MS);
	feed_switch(m, 0, 0, 0, ST_RUNNING, 1);
	schedmap_advance(m, 10 * S);
	assert_true(schedmap_nsummaries(m, 0) >= 89);
	feed_switch(m, 0, 1 * S, 1, ST_PREEMPT, 2);
	schedmap_get_counts(m, &c);
	assert_int_equal(c.clamped, 1);
	check_invariants(m);
	assert_true(stats_of(m, 1).runtime_ns >= 8900 * MS);
	struct schedmap_cell cell;
	assert_int_equal(schedmap_query(m, 2 * S, 3 * S, 1 * S, 0, &cell), 1);
	assert_int_equal(cell.task, schedmap_find(m, 1));
	assert_int_equal(cell.share, 1000);
	schedmap_free(m);
}

static void
test_run_cap(void **state)
{
	(void)state;
	struct schedmap *m = schedmap_new(1, 60 * S, 10 * MS);
	struct schedmap_counts c;
	int32_t cur = 0;
	uint64_t t = 1 * S;

	schedmap_set_max_runs(m, 64);
	/* 20k switches 50 µs apart: A 40 µs, idle 10 µs */
	for (int i = 0; i < 10000; i++) {
		feed_switch(m, 0, t, cur, ST_SLEEP, 77);
		feed_switch(m, 0, t + 40 * US, 77, ST_SLEEP, 0);
		cur = 0;
		t += 50 * US;
	}
	schedmap_get_counts(m, &c);
	check_invariants(m);
	assert_true(c.early_folds > 0);
	/* the ring holds one whole 10 ms bucket (400 runs) at least: 512 */
	assert_true(schedmap_nruns(m, 0) <= 513);
	for (int i = 0; i < 10000; i++) {
		feed_switch(m, 0, t, cur, ST_SLEEP, 77);
		feed_switch(m, 0, t + 40 * US, 77, ST_SLEEP, 0);
		t += 50 * US;
	}
	assert_true(schedmap_nruns(m, 0) <= 513);
	check_invariants(m);
	double busy = schedmap_busy(m, 0, 1 * S, 2 * S);
	assert_true(busy > 0.799 && busy < 0.801);
	struct schedmap_cell cells[100];
	assert_int_equal(schedmap_query(m, 1 * S, 2 * S, 10 * MS, 0, cells), 100);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(cells[i].task, schedmap_find(m, 77));
		assert_int_equal(cells[i].share, 800);
	}
	assert_int_equal(stats_of(m, 77).runtime_ns, 20000 * 40 * US);
	schedmap_free(m);

	/* more switches within one bucket than the cap: the ring grows, nothing breaks */
	m = schedmap_new(1, 60 * S, 100 * MS);
	schedmap_set_max_runs(m, 16);
	t = 1 * S;
	cur = 0;
	for (int i = 0; i < 1000; i++) {
		int32_t next = i % 2 ? 0 : 78;
		feed_switch(m, 0, t, cur, ST_SLEEP, next);
		cur = next;
		t += 50 * US;
	}
	assert_int_equal(schedmap_nruns(m, 0), 1000);
	check_invariants(m);
	feed_switch(m, 0, 1200 * MS, cur, ST_SLEEP, 78);
	feed_switch(m, 0, 1201 * MS, 78, ST_SLEEP, 0);
	assert_true(schedmap_nruns(m, 0) < 16);
	check_invariants(m);
	assert_int_equal(schedmap_query(m, 1 * S, 1100 * MS, 50 * MS, 0, cells), 2);
	/* folded early: 78 ran 25 ms of [1.0, 1.1) s, idle 75 ms; a 50 ms cell gets half of each */
	assert_int_equal(cells[0].task, SCHEDMAP_TASK_IDLE);
	assert_int_equal(cells[0].share, 750);
	assert_int_equal(cells[0].busy, 250);
	assert_int_equal(cells[1].task, SCHEDMAP_TASK_IDLE);
	assert_int_equal(cells[1].busy, 250);
	schedmap_free(m);
}

/* ---- folding exited tasks ---- */

#define CHURN_STEP (1 * MS)

static const char *const churn_comms[] = { "cc1", "as", "ld", "sh" };

/*
 * A build on 2 CPUs: every millisecond a new task (tid 10000 + k, one of four comms) is forked by
 * make (tid 500, a target) or, every third one, by a shell (tid 600, not a target), woken, runs on
 * CPU k % 2 for about 1 ms after a wake-up latency of (k % 13) * 3 µs, exits and is switched out
 * dead; make then runs 0.6 ms on that CPU. schedmap_advance every 10 ms.
 */
static void
feed_churn(struct schedmap *m, uint64_t t0, uint64_t from, uint64_t to)
{
	for (uint64_t k = from; k < to; k++) {
		uint64_t t = t0 + k * CHURN_STEP, lat = (k % 13) * 3 * US;
		int32_t tid = 10000 + (int32_t)k, parent = k % 3 ? 500 : 600;
		const char *comm = churn_comms[k % 4];
		int cpu = (int)(k % 2);

		feed_fork(m, cpu, t, parent, parent == 500 ? "make" : "sh", tid, comm);
		feed_task_named(m, SCHED_WAKEUP_NEW, cpu, t + 10 * US, tid, comm);
		feed_switch_named(m, cpu, t + 10 * US + lat, 0, "swapper", ST_RUNNING, tid, comm);
		if (k % 5 == 0)
			feed_task_event(m, SCHED_MIGRATE, cpu, t + 500 * US, tid);
		feed_task_named(m, SCHED_EXIT, cpu, t + 900 * US, tid, comm);
		feed_switch_named(m, cpu, t + 1 * MS, tid, comm, ST_DEAD, 0, "swapper");
		feed_switch(m, cpu, t + 1200 * US, 0, ST_RUNNING, 500);
		feed_switch(m, cpu, t + 1800 * US, 500, ST_SLEEP, 0);
		if (k % 10 == 9)
			schedmap_advance(m, t + 1800 * US);
	}
}

/* Sums over the tasks of one comm and target status. */
struct churn_sum {
	uint64_t tasks, runtime, cpu0, vol, invol, migrations, wakeups, lat_count, lat_max, execs;
};

static struct churn_sum
churn_sum_of(const struct schedmap *m, const char *comm, bool target)
{
	struct churn_sum sum = { 0 };

	for (uint32_t i = 0; i < schedmap_ntasks(m); i++) {
		struct schedmap_task_stats st;

		assert_int_equal(schedmap_task_stats(m, i, &st), 0);
		if (strcmp(st.comm, comm) != 0 || st.target != target)
			continue;
		sum.tasks += st.folded ? st.folded : 1;
		sum.runtime += st.runtime_ns;
		sum.cpu0 += schedmap_task_runtime_cpu(m, i, 0);
		sum.vol += st.switches_voluntary;
		sum.invol += st.switches_involuntary;
		sum.migrations += st.migrations;
		sum.wakeups += st.wakeups;
		sum.lat_count += st.lat_count;
		sum.execs += st.execs;
		if (st.lat_max_ns > sum.lat_max)
			sum.lat_max = st.lat_max_ns;
	}
	return sum;
}

/* A task of a as b names it: tid for tasks, comm for aggregates; specials as they are. */
static void
churn_same_task(const struct schedmap *a, uint32_t ta, const struct schedmap *b, uint32_t tb)
{
	struct schedmap_task_stats sa, sb;

	if (ta >= schedmap_ntasks(a) || tb >= schedmap_ntasks(b)) {
		assert_int_equal(ta >= schedmap_ntasks(a) ? ta : 0,
				 tb >= schedmap_ntasks(b) ? tb : 0);
		return;
	}
	assert_int_equal(schedmap_task_stats(a, ta, &sa), 0);
	assert_int_equal(schedmap_task_stats(b, tb, &sb), 0);
	assert_string_equal(sa.comm, sb.comm);
	assert_int_equal(sa.target, sb.target);
	if (!sb.folded)
		assert_int_equal(sa.tid, sb.tid);
}

static void
test_fold_tasks(void **state)
{
	(void)state;
	enum { NTASKS = 100000 };
	const uint64_t t0 = 1000 * S, detail = 1 * S;
	struct schedmap *a = schedmap_new(2, detail, 10 * MS),
			*b = schedmap_new(2, detail, 10 * MS);
	size_t max_tasks = 0, mem_quarter = 0, mem_max_2nd = 0, mem_a, mem_b;
	struct schedmap_counts ca, cb;

	schedmap_set_fold_min(a, 0);
	schedmap_set_fold_min(b, 64);
	for (struct schedmap *m = a; m; m = m == a ? b : NULL) {
		schedmap_set_max_buckets(m, 2000);
		schedmap_mark_target(m, 500);
	}
	/* shorter than detail_ns: nothing folds, whatever fold_min says */
	schedmap_set_fold_min(b, 1);
	feed_churn(a, t0, 0, 990);
	feed_churn(b, t0, 0, 990);
	schedmap_get_counts(b, &cb);
	assert_int_equal(cb.folded_tasks, 0);
	assert_int_equal(schedmap_ntasks(b), schedmap_ntasks(a));
	schedmap_set_fold_min(b, 64);
	/* a long run: the table and the memory stop growing after warm-up */
	for (uint64_t k = 990; k < NTASKS; k += 1000) {
		uint64_t to = k + 1000 < NTASKS ? k + 1000 : NTASKS;
		size_t mem;

		feed_churn(a, t0, k, to);
		feed_churn(b, t0, k, to);
		mem = schedmap_memory(b);
		if (schedmap_ntasks(b) > max_tasks)
			max_tasks = schedmap_ntasks(b);
		if (k < NTASKS / 4 && k + 1000 >= NTASKS / 4)
			mem_quarter = mem;
		if (k >= NTASKS / 2 && mem > mem_max_2nd)
			mem_max_2nd = mem;
		check_invariants(b);
	}
	mem_a = schedmap_memory(a);
	mem_b = schedmap_memory(b);
	schedmap_get_counts(a, &ca);
	schedmap_get_counts(b, &cb);
	print_message("# %d short-lived tasks: without folding %zu tasks, %zu bytes; with folding "
		      "%zu tasks (at most %zu), %zu bytes (%zu at 25%%, at most %zu after 50%%), "
		      "%llu folded\n",
		      NTASKS, schedmap_ntasks(a), mem_a, schedmap_ntasks(b), max_tasks, mem_b,
		      mem_quarter, mem_max_2nd, (unsigned long long)cb.folded_tasks);
	assert_int_equal(ca.folded_tasks, 0);
	assert_int_equal(schedmap_ntasks(a), NTASKS + 2);
	assert_true(cb.folded_tasks > NTASKS - 3000);
	/* the last second's ~1000 exited tasks, those waiting, 8 aggregates, make and sh */
	assert_true(max_tasks < 3000);
	assert_true(mem_max_2nd <= mem_quarter);
	assert_true(mem_b < mem_a / 4);
	check_invariants(b);

	/* per comm and target status, sums are exact across folding */
	for (size_t c = 0; c < 4; c++) {
		for (int target = 0; target < 2; target++) {
			struct churn_sum x = churn_sum_of(a, churn_comms[c], target),
					 y = churn_sum_of(b, churn_comms[c], target);

			assert_true(x.tasks > 0);
			assert_int_equal(x.tasks, y.tasks);
			assert_int_equal(x.runtime, y.runtime);
			assert_int_equal(x.cpu0, y.cpu0);
			assert_int_equal(x.vol, y.vol);
			assert_int_equal(x.invol, y.invol);
			assert_int_equal(x.migrations, y.migrations);
			assert_int_equal(x.wakeups, y.wakeups);
			assert_int_equal(x.lat_count, y.lat_count);
			assert_int_equal(x.lat_max, y.lat_max);
			assert_int_equal(x.execs, y.execs);
		}
	}
	/* one aggregate per comm and target status, not found by TID, in the legend once */
	size_t naggs = 0;
	for (uint32_t i = 0; i < schedmap_ntasks(b); i++) {
		struct schedmap_task_stats st;

		assert_int_equal(schedmap_task_stats(b, i, &st), 0);
		if (!st.folded)
			continue;
		naggs++;
		assert_int_equal(st.tid, 0);
		assert_int_equal(st.pid, 0);
		assert_true(st.exited);
		assert_true(st.short_name[0]);
		assert_true(st.lat_count >= st.folded);
		assert_true(st.lat_p50_ns <= st.lat_p95_ns && st.lat_p95_ns <= st.lat_p99_ns &&
			    st.lat_p99_ns <= st.lat_max_ns);
		assert_true(st.lat_p50_ns >= 12 * US && st.lat_p50_ns <= 24 * US);
		assert_true(st.lat_p99_ns >= 30 * US);
		for (uint32_t j = 0; j < i; j++) {
			struct schedmap_task_stats o;

			assert_int_equal(schedmap_task_stats(b, j, &o), 0);
			assert_false(o.folded && o.target == st.target &&
				     strcmp(o.comm, st.comm) == 0);
		}
	}
	assert_int_equal(naggs, 8);
	assert_int_equal(schedmap_find(b, 10000), SCHEDMAP_TASK_UNKNOWN);
	assert_int_not_equal(schedmap_find(a, 10000), SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(stats_of(b, 500).runtime_ns, stats_of(a, 500).runtime_ns);
	assert_int_equal(stats_of(b, NTASKS + 9999).runtime_ns,
			 stats_of(a, NTASKS + 9999).runtime_ns);
	for (size_t i = 0; i < schedmap_legend_count(b); i++) {
		struct schedmap_legend_entry le, lo;

		assert_int_equal(schedmap_legend_at(b, i, &le), 0);
		assert_true(le.task < schedmap_ntasks(b));
		assert_string_equal(le.short_name, schedmap_short_name(b, le.task));
		assert_true(le.folded == 0 || le.tid == 0);
		if (i > 0) {
			assert_int_equal(schedmap_legend_at(b, i - 1, &lo), 0);
			assert_true(lo.task != le.task);
			assert_true(strlen(lo.short_name) <= strlen(le.short_name));
		}
	}

	/* summaries, older than the horizon, still name the same comms */
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		assert_int_equal(schedmap_nsummaries(a, cpu), schedmap_nsummaries(b, cpu));
		assert_int_equal(schedmap_nsummaries(b, cpu), 2000);
		for (size_t i = 0; i < schedmap_nsummaries(a, cpu); i++) {
			struct schedmap_bucket x, y;

			assert_int_equal(schedmap_summary_at(a, cpu, i, &x), 0);
			assert_int_equal(schedmap_summary_at(b, cpu, i, &y), 0);
			assert_int_equal(x.start, y.start);
			assert_int_equal(x.task_ns, y.task_ns);
			assert_int_equal(x.busy_ns, y.busy_ns);
			assert_int_equal(x.known_ns, y.known_ns);
			assert_int_equal(x.target_ns, y.target_ns);
			churn_same_task(a, x.task, b, y.task);
			churn_same_task(a, x.target_task, b, y.target_task);
		}
	}
	/* the exact runs and queries of the last detail_ns are unchanged */
	uint64_t now = schedmap_now(b);
	assert_int_equal(now, schedmap_now(a));
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		assert_int_equal(schedmap_nruns(a, cpu), schedmap_nruns(b, cpu));
		for (size_t i = 0; i < schedmap_nruns(a, cpu); i++) {
			struct schedmap_run x, y;

			assert_int_equal(schedmap_run_at(a, cpu, i, &x), 0);
			assert_int_equal(schedmap_run_at(b, cpu, i, &y), 0);
			assert_int_equal(x.start, y.start);
			assert_int_equal(x.end, y.end);
			churn_same_task(a, x.task, b, y.task);
			if (x.task < schedmap_ntasks(a)) {
				struct schedmap_task_stats sx, sy;

				schedmap_task_stats(a, x.task, &sx);
				schedmap_task_stats(b, y.task, &sy);
				assert_int_equal(sy.folded, 0);
				assert_int_equal(sx.runtime_ns, sy.runtime_ns);
			}
		}
	}
	enum { NB = 50 };
	struct schedmap_cell qa[2 * NB], qb[2 * NB];
	for (unsigned flags = 0; flags <= SCHEDMAP_OTHER; flags += SCHEDMAP_OTHER) {
		assert_int_equal(schedmap_query(a, now - detail, now, 20 * MS, flags, qa), NB);
		assert_int_equal(schedmap_query(b, now - detail, now, 20 * MS, flags, qb), NB);
		for (size_t i = 0; i < 2 * NB; i++) {
			assert_int_equal(qa[i].share, qb[i].share);
			assert_int_equal(qa[i].busy, qb[i].busy);
			churn_same_task(a, qa[i].task, b, qb[i].task);
		}
	}
	schedmap_free(a);
	schedmap_free(b);
}

static void
test_event_cost(void **state)
{
	(void)state;
	enum { NCPU = 8, NTASK = 1024, NSW = 4000000 };
	struct schedmap *m = schedmap_new(NCPU, 0, 0);
	static char comms[NTASK + 1][16];
	int32_t cur[NCPU] = { 0 };
	struct sched_event e;
	struct timespec a, b;
	uint64_t t = 1 * S;
	unsigned rng = 12345;

	for (int i = 0; i <= NTASK; i++)
		name_of(i ? 10000 + i : 0, comms[i]);
	memset(&e, 0, sizeof(e));
	e.type = SCHED_SWITCH;
	/* warm up (tables, rings), then measure switches only, then switches with wake-ups */
	for (int pass = 0; pass < 3; pass++) {
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (int i = 0; i < NSW; i++) {
			int cpu = i % NCPU;
			int32_t next;

			rng = rng * 1103515245u + 12345u;
			next = (rng >> 8) % 8 == 0 ? 0 : 10000 + 1 + (int32_t)((rng >> 12) % NTASK);
			if (next == cur[cpu])
				next = 0;
			if (next && pass == 2) {
				/* 1 wake-up per switch-in of a real task */
				e.type = SCHED_WAKEUP;
				e.time = t - (rng & 0xfff);
				e.cpu = cpu;
				e.pid = next;
				memcpy(e.comm, comms[next - 10000], 16);
				schedmap_event(m, &e);
				e.type = SCHED_SWITCH;
			}
			e.time = t;
			e.cpu = cpu;
			e.prev_pid = cur[cpu];
			e.next_pid = next;
			e.prev_state = (rng >> 20) & 1;
			memcpy(e.prev_comm, comms[cur[cpu] ? cur[cpu] - 10000 : 0], 16);
			memcpy(e.next_comm, comms[next ? next - 10000 : 0], 16);
			schedmap_event(m, &e);
			cur[cpu] = next;
			t += 2 * US;
		}
		clock_gettime(CLOCK_MONOTONIC, &b);
		double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
		if (pass == 1)
			print_message("# schedmap_event sched_switch: %.1f ns/event (%d CPUs, %d "
				      "tasks, %d switches, folding on)\n",
				      ns / NSW, NCPU, NTASK, NSW);
		if (pass == 2)
			print_message("# schedmap_event switch + wake-up: %.1f ns/event\n",
				      ns / (NSW + NSW * 7.0 / 8));
	}
	struct schedmap_counts c;
	schedmap_get_counts(m, &c);
	print_message("# after %llu events: %zu bytes, %llu buckets folded (%llu early)\n",
		      (unsigned long long)c.events, schedmap_memory(m),
		      (unsigned long long)c.folded_buckets, (unsigned long long)c.early_folds);
	assert_int_equal(c.mismatches + c.clamped + c.ignored, 0);
	assert_int_equal(schedmap_ntasks(m), NTASK);
	check_invariants(m);
	schedmap_free(m);
}

/*
 * Loading (the snapshot reader's path): the legend comes out in short-name order whatever the
 * task order, summaries must be contiguous and come first, a gap between runs is unknown time and
 * an overlap is cut off, and the loaded map answers queries and statistics.
 */
static void
test_load(void **state)
{
	static const char *const names[] = { "B0", "A", "", "z", "A1" };
	struct schedmap *m = schedmap_new(1, 0, 100);
	struct schedmap_task_stats st, out;
	struct schedmap_bucket b = {
		.start = 1000, .task = 1, .task_ns = 60, .busy_ns = 70, .known_ns = 90
	};
	struct schedmap_legend_entry le;
	struct schedmap_cell cells[6];
	uint64_t busy, known;
	(void)state;

	for (int i = 0; i < 5; i++) {
		memset(&st, 0, sizeof(st));
		st.tid = 10 + i;
		st.pid = 10;
		snprintf(st.comm, sizeof(st.comm), "t%d", i);
		snprintf(st.short_name, sizeof(st.short_name), "%s", names[i]);
		st.target = i == 1;
		st.runtime_ns = 1000u * (unsigned)i;
		st.switches_voluntary = 3;
		st.lat_count = 2;
		st.lat_p50_ns = 5;
		st.lat_p95_ns = st.lat_p99_ns = st.lat_max_ns = 9;
		assert_int_equal(schedmap_load_task(m, &st), (uint32_t)i);
	}
	assert_int_equal(schedmap_load_summary(m, 0, &b), 0);
	b.start = 1150; /* not the next bucket */
	assert_int_equal(schedmap_load_summary(m, 0, &b), -EINVAL);
	b.start = 1100;
	b.task = 7; /* not a task */
	assert_int_equal(schedmap_load_summary(m, 0, &b), -EINVAL);
	b.task = 3;
	b.task_ns = b.busy_ns = b.known_ns = 500; /* clamped to the bucket */
	assert_int_equal(schedmap_load_summary(m, 0, &b), 0);
	assert_int_equal(schedmap_load_summary(m, 1, &b), -EINVAL);
	/* runs from the summaries' end (1200), with a gap and an overlap */
	assert_int_equal(schedmap_load_run(m, 0, 1200, 1300, 0), 0);
	assert_int_equal(schedmap_load_run(m, 0, 1400, 1500, SCHEDMAP_TASK_IDLE), 0);
	assert_int_equal(schedmap_load_run(m, 0, 1450, 1600, 4), 0);
	assert_int_equal(schedmap_load_run(m, 0, 1600, 1550, 4), -EINVAL);
	assert_int_equal(schedmap_load_run(m, 0, 1600, 1700, 9), -EINVAL);
	b.start = 1200;
	assert_int_equal(schedmap_load_summary(m, 0, &b), -EINVAL); /* after runs */
	schedmap_load_finish(m, 1650);
	assert_int_equal(schedmap_now(m), 1650);

	assert_int_equal(schedmap_legend_count(m), 4);
	assert_int_equal(schedmap_legend_at(m, 0, &le), 0);
	assert_string_equal(le.short_name, "A");
	assert_int_equal(le.tid, 11);
	assert_true(le.target);
	assert_int_equal(schedmap_legend_at(m, 1, &le), 0);
	assert_string_equal(le.short_name, "z");
	assert_int_equal(schedmap_legend_at(m, 2, &le), 0);
	assert_string_equal(le.short_name, "B0");
	assert_int_equal(schedmap_legend_at(m, 3, &le), 0);
	assert_string_equal(le.short_name, "A1");
	assert_string_equal(schedmap_short_name(m, 2), "");
	assert_int_equal(schedmap_find(m, 13), 3);

	assert_int_equal(schedmap_task_stats(m, 4, &out), 0);
	assert_int_equal(out.runtime_ns, 4000);
	assert_int_equal(out.switches_voluntary, 3);
	assert_int_equal(out.lat_p50_ns, 5);
	assert_int_equal(out.lat_p99_ns, 9);
	assert_int_equal(schedmap_task_runtime_cpu(m, 4, 0), 100);
	assert_int_equal(schedmap_task_runtime_cpu(m, 0, 0), 100);

	assert_int_equal(schedmap_query(m, 1000, 1600, 100, 0, cells), 6);
	assert_int_equal(cells[0].task, 1); /* 60 of 1 against 20 idle */
	assert_int_equal(cells[0].share, 600);
	assert_int_equal(cells[0].busy, 700);
	assert_int_equal(cells[1].task, 3); /* clamped: all of it */
	assert_int_equal(cells[1].share, 1000);
	assert_int_equal(cells[2].task, 0);
	assert_int_equal(cells[3].task, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(cells[4].task, SCHEDMAP_TASK_IDLE);
	assert_int_equal(cells[5].task, 4);
	assert_int_equal(schedmap_busy_ns(m, 0, 1200, 1650, &busy, &known), 0);
	assert_int_equal(busy, 200);
	assert_int_equal(known, 300);
	/* grouping other tasks: task 1 is a target, task 3 not */
	assert_int_equal(schedmap_query(m, 1000, 1200, 100, SCHEDMAP_OTHER, cells), 2);
	assert_int_equal(cells[0].task, 1);
	assert_int_equal(cells[1].task, SCHEDMAP_TASK_OTHER);
	schedmap_free(m);
}

/*
 * The TID index across recycling, growth and folding: thousands of TIDs that collide in their low
 * bits, each recycled (exit, then fork: a new task), find their latest task; once the exited tasks
 * fold, each TID still finds its live task and a TID whose tasks all folded finds none; recycled
 * again after the fold, the newest task wins.
 */
static void
test_recycled_tids(void **state)
{
	enum { N = 3000, ND = 100 };
	struct schedmap *m = schedmap_new(1, 1 * S, 10 * MS);
	static uint32_t first[N], second[N];
	struct schedmap_task_stats st;
	struct schedmap_counts c;
	uint64_t t = 1 * MS;
	(void)state;

	schedmap_set_fold_min(m, 1);
	for (int i = 0; i < N; i++) {
		int32_t tid = 100 + i * 1024;
		const char *comm = i % 2 ? "odd" : "even";

		feed_task_named(m, SCHED_WAKEUP, 0, t++, tid, comm);
		first[i] = schedmap_find(m, tid);
		assert_int_not_equal(first[i], SCHEDMAP_TASK_UNKNOWN);
		feed_task_named(m, SCHED_EXIT, 0, t++, tid, comm);
		feed_fork(m, 0, t++, 1, "init", tid, "child");
		second[i] = schedmap_find(m, tid);
		assert_int_not_equal(second[i], first[i]);
	}
	for (int j = 0; j < ND; j++) {
		feed_task_named(m, SCHED_WAKEUP, 0, t++, 50 + j * 1024, "gone");
		feed_task_named(m, SCHED_EXIT, 0, t++, 50 + j * 1024, "gone");
	}
	assert_int_equal(schedmap_ntasks(m), 2 * N + ND + 1);
	for (int i = 0; i < N; i++) {
		int32_t tid = 100 + i * 1024;

		assert_int_equal(schedmap_find(m, tid), second[i]);
		assert_int_equal(schedmap_task_stats(m, second[i], &st), 0);
		assert_int_equal(st.tid, tid);
		assert_false(st.exited);
		assert_string_equal(st.comm, "child");
		assert_int_equal(schedmap_task_stats(m, first[i], &st), 0);
		assert_int_equal(st.tid, tid);
		assert_true(st.exited);
		assert_string_equal(st.comm, i % 2 ? "odd" : "even");
	}

	/* every exited task folds: three aggregates (even, odd, gone) */
	schedmap_advance(m, 10 * S);
	schedmap_get_counts(m, &c);
	assert_int_equal(c.folded_tasks, N + ND);
	assert_int_equal(schedmap_ntasks(m), N + 1 + 3);
	assert_int_equal(schedmap_find(m, 0), SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(stats_of(m, 1).tid, 1);
	for (int i = 0; i < N; i++) {
		st = stats_of(m, 100 + i * 1024);
		assert_int_equal(st.tid, 100 + i * 1024);
		assert_false(st.exited);
		assert_int_equal(st.folded, 0);
		assert_string_equal(st.comm, "child");
	}
	for (int j = 0; j < ND; j++)
		assert_int_equal(schedmap_find(m, 50 + j * 1024), SCHEDMAP_TASK_UNKNOWN);

	/* the even ones recycled again: new tasks after the aggregates, the odd ones unchanged */
	for (int i = 0; i < N; i++)
		second[i] = schedmap_find(m, 100 + i * 1024);
	for (int i = 0; i < N; i += 2) {
		int32_t tid = 100 + i * 1024;

		feed_task_named(m, SCHED_EXIT, 0, 10 * S + (uint64_t)i, tid, "child");
		feed_fork(m, 0, 10 * S + (uint64_t)i, 1, "init", tid, "again");
	}
	assert_int_equal(schedmap_ntasks(m), N + 1 + 3 + N / 2);
	for (int i = 0; i < N; i++) {
		uint32_t idx = schedmap_find(m, 100 + i * 1024);

		assert_int_equal(schedmap_task_stats(m, idx, &st), 0);
		assert_int_equal(st.tid, 100 + i * 1024);
		assert_false(st.exited);
		if (i % 2) {
			assert_int_equal(idx, second[i]);
		} else {
			assert_true(idx >= N + 1 + 3);
			assert_string_equal(st.comm, "again");
		}
	}
	check_invariants(m);
	schedmap_free(m);
}

/*
 * Loaded tasks: a later task of a TID is the one found, an aggregate is not found (not even by
 * tid 0), and many tasks grow the index.
 */
static void
test_load_recycled(void **state)
{
	enum { N = 5000 };
	struct schedmap *m = schedmap_new(1, 0, 100);
	struct schedmap_task_stats st, out;
	(void)state;

	memset(&st, 0, sizeof(st));
	st.tid = st.pid = 7;
	snprintf(st.comm, sizeof(st.comm), "old");
	st.exited = true;
	assert_int_equal(schedmap_load_task(m, &st), 0);
	snprintf(st.comm, sizeof(st.comm), "new");
	st.exited = false;
	assert_int_equal(schedmap_load_task(m, &st), 1);
	snprintf(st.comm, sizeof(st.comm), "agg");
	st.folded = 2;
	assert_int_equal(schedmap_load_task(m, &st), 2);
	assert_int_equal(schedmap_find(m, 7), 1);
	assert_int_equal(schedmap_find(m, 0), SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(schedmap_task_stats(m, 2, &out), 0);
	assert_int_equal(out.tid, 0);
	assert_int_equal(out.folded, 2);
	st.folded = 0;
	for (int i = 0; i < N; i++) {
		st.tid = 3 + i * 4096;
		snprintf(st.comm, sizeof(st.comm), "l%d", i);
		assert_int_equal(schedmap_load_task(m, &st), (uint32_t)(3 + i));
	}
	for (int i = 0; i < N; i++)
		assert_int_equal(schedmap_find(m, 3 + i * 4096), (uint32_t)(3 + i));
	assert_int_equal(schedmap_find(m, 7), 1);
	assert_int_equal(schedmap_find(m, 4), SCHEDMAP_TASK_UNKNOWN);
	schedmap_load_finish(m, 0);
	schedmap_free(m);
}

/*
 * A CPU's ring of exact runs grows while it wraps (older runs folded, so it starts mid-array):
 * every run stays, in order, each starting at the switch that opened it.
 */
static void
test_runs_grow_wrapped(void **state)
{
	struct schedmap *m = schedmap_new(1, 1000000000ull, 100000000ull);
	static uint64_t times[12000];
	size_t n = 0, nruns, k;
	uint64_t t = 1000000000ull;
	struct schedmap_run r, next;

	(void)state;
	/* 1.2 s at one switch a millisecond (folding starts), then five a millisecond. */
	while (n < sizeof(times) / sizeof(times[0])) {
		times[n] = t;
		feed_switch(m, 0, t, n % 2 ? 1 : 2, 0, n % 2 ? 2 : 1);
		n++;
		t += n < 1200 ? 1000000ull : 200000ull;
		schedmap_advance(m, t);
	}
	nruns = schedmap_nruns(m, 0);
	assert_true(nruns > 4096);
	assert_int_equal(schedmap_run_at(m, 0, 0, &r), 0);
	for (k = 0; k < n && times[k] != r.start; k++)
		;
	assert_true(k < n);
	assert_int_equal(k + nruns, n);
	for (size_t i = 0; i + 1 < nruns; i++) {
		assert_int_equal(schedmap_run_at(m, 0, i, &r), 0);
		assert_int_equal(schedmap_run_at(m, 0, i + 1, &next), 0);
		assert_int_equal(r.start, times[k + i]);
		assert_int_equal(r.end, next.start);
		assert_int_not_equal(r.task, next.task);
	}
	schedmap_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runs_idle_and_runtime),
		cmocka_unit_test(test_switch_classification),
		cmocka_unit_test(test_migrations_and_per_cpu),
		cmocka_unit_test(test_latency_percentiles),
		cmocka_unit_test(test_query_shares_and_pinned),
		cmocka_unit_test(test_other_grouping),
		cmocka_unit_test(test_per_process_switches),
		cmocka_unit_test(test_short_names),
		cmocka_unit_test(test_exec_fork_exit),
		cmocka_unit_test(test_exec_from_comm),
		cmocka_unit_test(test_fold_two_hours),
		cmocka_unit_test(test_summaries_grow_with_use),
		cmocka_unit_test(test_summary_iteration),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_run_cap),
		cmocka_unit_test(test_fold_tasks),
		cmocka_unit_test(test_event_cost),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_recycled_tids),
		cmocka_unit_test(test_load_recycled),
		cmocka_unit_test(test_runs_grow_wrapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
