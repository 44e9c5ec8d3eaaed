// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ingest fed hand-made records (tests/unit/records.h): the stack tree it builds (process ->
 * thread -> outermost frame ... leaf, return addresses looked up one byte back, shared prefixes
 * merged, a renamed thread and an exec'd process getting new nodes), the task table (comms from
 * COMM and FORK, exec renames and counts, exits), lost, throttled and bad records, the scheduler
 * tracepoints into the schedmap (switches with the system-wide backfill, wake-up latency,
 * migrations, the recording's end) and per-process switch-in records, and the folding of exited
 * tasks. Code is mapped from files that do not exist, so every frame is "file+0xOFFSET" on any
 * machine.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ringside/app/ingest.h"
#include "ringside/model/addrtab.h"
#include "ringside/model/profile.h"
#include "ringside/sym/procmaps.h"
#include "ringside/sym/symres.h"
#include "records.h"
#include "unit.h"

#define PID_A	5000001u /* "app" */
#define TID_A2	5000002u /* a thread of A, renamed "worker" */
#define PID_B	5000010u /* forked from A as "app", exec'd as "tool" */
#define APP	"/nonexistent-ringside-test/bin/app"
#define TOOL	"/nonexistent-ringside-test/bin/tool"
#define CODE_LO 0x400000u

struct fixture {
	struct profile *p;
	struct symres *sym;
	struct ingest *in;
	struct records rs;
};

static struct fixture *
fixture_new(void)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->p = profile_new();
	profile_enable_stacks(f->p, 0, 10ull * 1000000000u);
	f->sym = symres_new(f->p->frames);
	f->in = ingest_new(f->p, f->sym);
	records_init(&f->rs, f->in);
	return f;
}

static void
fixture_free(struct fixture *f)
{
	ingest_free(f->in);
	symres_free(f->sym);
	profile_free(f->p);
	free(f);
}

/* The child of parent whose frame has kind, name and (for processes and threads) line. */
static uint32_t
child_of(const struct profile *p, uint32_t parent, enum frame_kind kind, const char *name,
	 uint32_t line)
{
	const struct stacktree *t = p->stacks;

	if (parent == STACKTREE_NONE)
		return STACKTREE_NONE;
	for (uint32_t c = stacktree_node(t, parent)->first_child; c != STACKTREE_NONE;
	     c = stacktree_node(t, c)->next_sibling) {
		const struct frame *fr = frametab_get(p->frames, stacktree_node(t, c)->frame);

		if (fr->kind == kind && strcmp(frametab_str(p->frames, fr->name), name) == 0 &&
		    fr->line == line)
			return c;
	}
	return STACKTREE_NONE;
}

/* The process node (comm, pid). */
static uint32_t
proc_of(const struct profile *p, const char *comm, uint32_t pid)
{
	return child_of(p, STACKTREE_ROOT, FRAME_PROCESS, comm, pid);
}

/* The node of process (comm, pid) -> thread (comm, tid) -> frames (outermost first), or NONE. */
static uint32_t
node_at(const struct profile *p, const char *pcomm, uint32_t pid, const char *tcomm, uint32_t tid,
	const char *const *frames, size_t n)
{
	uint32_t id = proc_of(p, pcomm, pid);

	id = child_of(p, id, FRAME_THREAD, tcomm, tid);
	for (size_t i = 0; i < n; i++)
		id = child_of(p, id, FRAME_UNKNOWN, frames[i], 0);
	return id;
}

static void
expect_counts(const struct profile *p, uint32_t id, uint64_t self, uint64_t total)
{
	assert_int_not_equal(id, STACKTREE_NONE);
	assert_int_equal(stacktree_node(p->stacks, id)->self, self);
	assert_int_equal(stacktree_node(p->stacks, id)->total, total);
}

static void
expect_task(const struct profile *p, uint32_t tid, uint32_t pid, const char *comm, bool exited,
	    uint64_t execs)
{
	const struct task *t = tasks_find(p->tasks, (pid_t)tid);

	assert_non_null(t);
	assert_int_equal(t->pid, pid);
	assert_string_equal(t->comm, comm);
	assert_int_equal(t->exited, exited);
	assert_int_equal(t->exec_count, execs);
}

/* Process A with its code mapped, one thread renamed, and a child that execs. */
static void
feed_processes(struct fixture *f)
{
	struct records *rs = &f->rs;
	const uint64_t chain1[] = { 0x401010, 0x402020, 0x403030 };
	const uint64_t chain2[] = { 0x404040, 0x402020, 0x403030 };
	const uint64_t chain3[] = { 0x405000, 0x403030 };
	const uint64_t nowhere[] = { 0x7000000000 };
	const uint64_t tool[] = { 0x400100 };

	records_comm(rs, PID_A, PID_A, "app", true, 100);
	records_mmap2(rs, PID_A, CODE_LO, 0x10000, 0, PROT_READ | PROT_EXEC, APP, 110);
	/* Data mapped over nothing: not code, ignored. */
	records_mmap2(rs, PID_A, 0x7000000000, 0x1000, 0, PROT_READ, APP, 111);
	records_sample(rs, PID_A, PID_A, 0, 200, chain1, 3);
	records_sample(rs, PID_A, PID_A, 0, 210, chain1, 3);
	records_sample(rs, PID_A, PID_A, 0, 220, chain2, 3);
	records_sample(rs, PID_A, PID_A, 0, 230, nowhere, 1);
	records_fork(rs, PID_A, PID_A, PID_A, TID_A2, 300);
	records_sample(rs, PID_A, TID_A2, 1, 310, chain3, 2);
	records_comm(rs, PID_A, TID_A2, "worker", false, 320);
	records_sample(rs, PID_A, TID_A2, 1, 330, chain3, 2);
	records_exit(rs, PID_A, TID_A2, 340);
	records_fork(rs, PID_A, PID_A, PID_B, PID_B, 400);
	records_sample(rs, PID_B, PID_B, 1, 410, chain1, 1);
	records_comm(rs, PID_B, PID_B, "tool", true, 420);
	records_mmap2(rs, PID_B, CODE_LO, 0x1000, 0x2000, PROT_READ | PROT_EXEC, TOOL, 430);
	records_sample(rs, PID_B, PID_B, 1, 440, tool, 1);
	records_sample(rs, PID_B, PID_B, 1, 450, chain1, 1); /* app's code is gone from B */
}

static void
test_tree(void **state)
{
	struct fixture *f = fixture_new();
	const struct profile *p = f->p;
	const char *c1[] = { "app+0x302f", "app+0x201f", "app+0x1010" };
	const char *c2[] = { "app+0x302f", "app+0x201f", "app+0x4040" };
	const char *c3[] = { "app+0x302f", "app+0x5000" };

	(void)state;
	feed_processes(f);
	assert_int_equal(p->sampling.samples, 9);
	assert_int_equal(stacktree_samples(p->stacks), 9);
	/* A: 4 samples, all of its main thread; the return addresses are looked up one back. */
	expect_counts(p, node_at(p, "app", PID_A, "app", PID_A, NULL, 0), 0, 4);
	expect_counts(p, node_at(p, "app", PID_A, "app", PID_A, c1, 1), 0, 3);
	expect_counts(p, node_at(p, "app", PID_A, "app", PID_A, c1, 2), 0, 3);
	expect_counts(p, node_at(p, "app", PID_A, "app", PID_A, c1, 3), 2, 2);
	expect_counts(p, node_at(p, "app", PID_A, "app", PID_A, c2, 3), 1, 1);
	/* An address in no mapping: one "[unknown]" frame right under the thread. */
	expect_counts(p,
		      child_of(p, node_at(p, "app", PID_A, "app", PID_A, NULL, 0), FRAME_UNKNOWN,
			       "[unknown]", 0),
		      1, 1);
	/* The thread had A's name when first sampled, "worker" after its COMM. */
	expect_counts(p, node_at(p, "app", PID_A, "app", TID_A2, c3, 2), 1, 1);
	expect_counts(p, node_at(p, "app", PID_A, "worker", TID_A2, c3, 2), 1, 1);
	/* B forked with A's maps; after its exec, a new process frame and only tool's code. */
	expect_counts(p, node_at(p, "app", PID_B, "app", PID_B, c1 + 2, 1), 1, 1);
	expect_counts(p, node_at(p, "tool", PID_B, "tool", PID_B, NULL, 0), 0, 2);
	expect_counts(p,
		      child_of(p, node_at(p, "tool", PID_B, "tool", PID_B, NULL, 0), FRAME_UNKNOWN,
			       "tool+0x2100", 0),
		      1, 1);
	expect_counts(p,
		      child_of(p, node_at(p, "tool", PID_B, "tool", PID_B, NULL, 0), FRAME_UNKNOWN,
			       "[unknown]", 0),
		      1, 1);
	expect_counts(p, proc_of(p, "app", PID_A), 0, 6);
	expect_counts(p, proc_of(p, "app", PID_B), 0, 1);
	expect_counts(p, proc_of(p, "tool", PID_B), 0, 2);
	expect_counts(p, STACKTREE_ROOT, 0, 9);
	/*
	 * Nothing else: the root; processes A, B as app, B as tool; threads A, A2 twice, B twice;
	 * frames: A's 4 + 1, A2's 2 + 2, B's 1 + 2.
	 */
	assert_int_equal(stacktree_nnodes(p->stacks), 1 + 3 + 5 + 5 + 4 + 3);
	fixture_free(f);
}

/* The frame named name (the first one), or UINT32_MAX. */
static uint32_t
frame_named(const struct profile *p, const char *name)
{
	for (uint32_t i = 0; i < frametab_nframes(p->frames); i++)
		if (strcmp(frametab_str(p->frames, frametab_get(p->frames, i)->name), name) == 0)
			return i;
	return UINT32_MAX;
}

/* The self and call-site samples of frame name's only address, which must be addr. */
static void
expect_site(const struct profile *p, const char *name, uint64_t addr, uint64_t self, uint64_t calls)
{
	struct addrtab_entry *e;
	size_t n;

	assert_int_not_equal(frame_named(p, name), UINT32_MAX);
	addrtab_function(p->addrs, frame_named(p, name), &e, &n);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].addr, addr);
	assert_int_equal(e[0].count, self);
	assert_int_equal(e[0].calls, calls);
	free(e);
}

/*
 * Call sites: each caller counted at its call (the return address one back), by the slow path and
 * by the chain cache's replay alike; a function twice in a chain (recursion) once, at its
 * innermost call; the leaf's function not as a call site of itself.
 */
static void
test_call_sites(void **state)
{
	struct fixture *f = fixture_new();
	struct records *rs = &f->rs;
	const uint64_t rec[] = { 0x401010, 0x402020, 0x402020, 0x403030 };
	const uint64_t self_rec[] = { 0x40201f, 0x402020, 0x403030 };

	(void)state;
	feed_processes(f);
	/* A's main thread: chain1 twice (the second from the cache), chain2 once; B: chain1's leaf.
	 */
	expect_site(f->p, "app+0x1010", 0x401010, 3, 0);
	expect_site(f->p, "app+0x201f", 0x40201f, 0, 3);
	/* Its root: those three and the worker's chain3 twice. */
	expect_site(f->p, "app+0x302f", 0x40302f, 0, 5);
	/* app+0x201f twice in a chain: one call site per sample. */
	records_sample(rs, PID_A, PID_A, 0, 500, rec, 4);
	records_sample(rs, PID_A, PID_A, 0, 510, rec, 4);
	expect_site(f->p, "app+0x201f", 0x40201f, 0, 5);
	expect_site(f->p, "app+0x302f", 0x40302f, 0, 7);
	/* The leaf's function as its own caller: the sample is self there, not a call site. */
	records_sample(rs, PID_A, PID_A, 0, 520, self_rec, 3);
	expect_site(f->p, "app+0x201f", 0x40201f, 1, 5);
	expect_site(f->p, "app+0x302f", 0x40302f, 0, 8);
	fixture_free(f);
}

static void
test_tasks(void **state)
{
	struct fixture *f = fixture_new();
	const struct profile *p = f->p;

	(void)state;
	feed_processes(f);
	expect_task(p, PID_A, PID_A, "app", false, 1);
	expect_task(p, TID_A2, PID_A, "worker", true, 0);
	expect_task(p, PID_B, PID_B, "tool", false, 1);
	assert_int_equal(tasks_count(p->tasks), 3);
	/* A COMM of a thread not seen yet creates it; its EXIT marks it. */
	records_comm(&f->rs, PID_B, PID_B + 1, "helper", false, 500);
	expect_task(p, PID_B + 1, PID_B, "helper", false, 0);
	records_exit(&f->rs, PID_B, PID_B + 1, 510);
	expect_task(p, PID_B + 1, PID_B, "helper", true, 0);
	/* A recycled tid forked again starts afresh with its parent's name. */
	records_fork(&f->rs, PID_B, PID_B, PID_B, PID_B + 1, 520);
	expect_task(p, PID_B + 1, PID_B, "tool", false, 0);
	assert_int_equal(tasks_count(p->tasks), 4);
	fixture_free(f);
}

static void
test_lost_and_bad(void **state)
{
	struct fixture *f = fixture_new();
	struct records *rs = &f->rs;
	const struct profile *p = f->p;
	const uint64_t chain[] = { 0x401010 };

	(void)state;
	records_lost(rs, 5, 100);
	records_lost_samples(rs, 3, 110);
	records_throttle(rs, PERF_RECORD_THROTTLE, 120);
	records_throttle(rs, PERF_RECORD_UNTHROTTLE, 130);
	records_throttle(rs, PERF_RECORD_THROTTLE, 140);
	assert_int_equal(p->sampling.lost, 8);
	assert_int_equal(p->sampling.throttled, 2);
	assert_int_equal(p->sampling.bad_records, 0);
	/* A record no event claims. */
	rs->hold = true;
	records_comm(rs, PID_A, PID_A, "app", false, 150);
	ingest_record(f->in, NULL, &rs->r.h);
	assert_int_equal(p->sampling.bad_records, 1);
	/* A sample cut short: the callchain count says more than there is. */
	records_sample(rs, PID_A, PID_A, 0, 160, chain, 1);
	ingest_record(f->in, &rs->sample, &rs->r.h);
	assert_int_equal(p->sampling.samples, 1);
	rs->r.h.size -= 8;
	ingest_record(f->in, &rs->sample, &rs->r.h);
	assert_int_equal(p->sampling.bad_records, 2);
	/* Side-band records too short for their trailer. */
	records_comm(rs, PID_A, PID_A, "app", false, 170);
	rs->r.h.size = 8 + 8;
	ingest_record(f->in, &rs->sample, &rs->r.h);
	records_lost(rs, 1000, 180);
	rs->r.h.size = 8 + 16;
	ingest_record(f->in, &rs->sample, &rs->r.h);
	records_throttle(rs, PERF_RECORD_UNTHROTTLE, 190);
	rs->r.h.size = 8 + 8;
	ingest_record(f->in, &rs->sample, &rs->r.h);
	assert_int_equal(p->sampling.bad_records, 5);
	assert_int_equal(p->sampling.lost, 8);
	assert_int_equal(p->sampling.samples, 1);
	/* Records ingest does not use change nothing. */
	rs->hold = false;
	records_start(rs, PERF_RECORD_KSYMBOL, 0);
	records_trailer(rs, 0, 0, 200);
	records_send(rs, &rs->sample);
	assert_int_equal(p->sampling.bad_records, 5);
	fixture_free(f);
}

/* A schedmap of 2 CPUs fed through ingest, system-wide (targets_only false) or per process. */
static struct schedtp *
sched_setup(struct fixture *f, bool targets_only, uint64_t origin, char **root)
{
	struct errbuf err = { 0 };
	struct schedtp *tp = NULL;

	*root = records_tracefs();
	if (schedtp_new(&tp, *root, &err) != 0)
		fail_msg("schedtp_new: %s", err.msg);
	f->p->sched = schedmap_new(2, 0, 0);
	ingest_set_sched(f->in, tp, targets_only, origin);
	return tp;
}

static void
expect_run(const struct profile *p, unsigned cpu, size_t i, uint64_t start, uint64_t end,
	   uint32_t task)
{
	struct schedmap_run run;

	assert_int_equal(schedmap_run_at(p->sched, cpu, i, &run), 0);
	assert_int_equal(run.start, start);
	assert_int_equal(run.end, end);
	assert_int_equal(run.task, task);
}

static void
test_sched_system(void **state)
{
	struct fixture *f = fixture_new();
	struct records *rs = &f->rs;
	struct schedmap_task_stats st;
	struct schedmap_counts sc;
	const struct profile *p = f->p;
	uint32_t a, w;
	char *root;
	struct schedtp *tp = sched_setup(f, false, 1000, &root);

	(void)state;
	records_sched_switch(rs, 0, 2000, 0, 0, "swapper/0", 0, PID_A, "app");
	records_sched_wakeup(rs, false, 0, 2500, PID_A, PID_A, TID_A2, "worker", 1);
	records_sched_switch(rs, 1, 3000, 0, 0, "swapper/1", 0, TID_A2, "worker");
	records_sched_switch(rs, 0, 4000, PID_A, PID_A, "app", 1 /* S */, 0, "swapper/0");
	records_sched_migrate(rs, 1, 4500, TID_A2, "worker", 1, 0);
	ingest_set_end(f->in, 5000);
	records_sched_switch(rs, 0, 6000, 0, 0, "swapper/0", 0, PID_A, "app"); /* past the end */
	assert_int_equal(p->sched_switches, 3);
	assert_int_equal(p->sampling.bad_records, 0);
	schedmap_get_counts(p->sched, &sc);
	/* 3 switches, each CPU's time before its first one given to idle, a wake-up, a migration.
	 */
	assert_int_equal(sc.switches, 5);
	assert_int_equal(sc.events, 7);
	assert_int_equal(sc.mismatches, 0);
	a = schedmap_find(p->sched, (int32_t)PID_A);
	w = schedmap_find(p->sched, (int32_t)TID_A2);
	assert_int_not_equal(a, SCHEDMAP_TASK_UNKNOWN);
	assert_int_not_equal(w, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(schedmap_task_stats(p->sched, a, &st), 0);
	assert_string_equal(st.comm, "app");
	assert_int_equal(st.pid, PID_A);
	assert_int_equal(st.runtime_ns, 2000);
	assert_int_equal(st.switches_voluntary, 1);
	assert_int_equal(st.switches_involuntary, 0);
	assert_int_equal(schedmap_task_stats(p->sched, w, &st), 0);
	assert_string_equal(st.comm, "worker");
	assert_int_equal(st.pid, 0); /* no record it wrote itself told its process */
	assert_int_equal(st.wakeups, 1);
	assert_int_equal(st.lat_count, 1);
	assert_int_equal(st.lat_max_ns, 500);
	assert_int_equal(st.migrations, 1);
	assert_int_equal(schedmap_now(p->sched), 4500);
	/* CPU 0: idle from the origin, app, idle again (open); CPU 1: idle, then worker (open). */
	assert_int_equal(schedmap_nruns(p->sched, 0), 3);
	expect_run(p, 0, 0, 1000, 2000, SCHEDMAP_TASK_IDLE);
	expect_run(p, 0, 1, 2000, 4000, a);
	expect_run(p, 0, 2, 4000, 4500, SCHEDMAP_TASK_IDLE);
	assert_int_equal(schedmap_nruns(p->sched, 1), 2);
	expect_run(p, 1, 0, 1000, 3000, SCHEDMAP_TASK_IDLE);
	expect_run(p, 1, 1, 3000, 4500, w);
	/* A payload shorter than its format: a bad record, nothing fed. */
	records_tp(rs, SCHED_WAKEUP, PID_A, PID_A, 0, 4600, "abc", 3);
	assert_int_equal(p->sampling.bad_records, 1);
	schedmap_get_counts(p->sched, &sc);
	assert_int_equal(sc.events, 7);
	fixture_free(f);
	schedtp_free(tp);
	records_tracefs_remove(root);
}

static void
test_sched_targets(void **state)
{
	struct fixture *f = fixture_new();
	struct records *rs = &f->rs;
	struct schedmap_task_stats st;
	struct schedmap_counts sc;
	const struct profile *p = f->p;
	uint32_t a;
	char *root;
	struct schedtp *tp = sched_setup(f, true, 1000, &root);

	(void)state;
	records_comm(rs, PID_A, PID_A, "app", true, 1500);
	/* Per process: A switched in (a SWITCH record) on CPU 0, out by its tracepoint... */
	records_switch(rs, PID_A, PID_A, 0, 2000, false);
	records_switch(rs, PID_A, PID_A, 0, 3000, true); /* switch-outs come as tracepoints */
	records_sched_switch(rs, 0, 3000, PID_A, PID_A, "app", 1, 0, "swapper/0");
	/* ... then in on CPU 1: a migration, which its tracepoint (not A's) never says. */
	records_switch(rs, PID_A, PID_A, 1, 4000, false);
	records_sched_migrate(rs, 1, 4000, PID_A, "app", 0, 1);
	records_sched_switch(rs, 1, 5000, PID_A, PID_A, "app", 0 /* preempted */, 0, "swapper/1");
	assert_int_equal(p->sched_switches, 2);
	schedmap_get_counts(p->sched, &sc);
	/*
	 * The exec (from the COMM record), two switch-ins, one synthesized migration, two
	 * switch-outs; no backfill per process.
	 */
	assert_int_equal(sc.events, 6);
	assert_int_equal(sc.switches, 4);
	a = schedmap_find(p->sched, (int32_t)PID_A);
	assert_int_equal(schedmap_task_stats(p->sched, a, &st), 0);
	assert_true(st.target);
	assert_int_equal(st.runtime_ns, 2000);
	assert_int_equal(st.migrations, 1);
	assert_int_equal(st.switches_voluntary, 1);
	assert_int_equal(st.switches_involuntary, 1);
	/* What runs after a target on its CPU is "other" as far as the map can tell. */
	expect_run(p, 0, 0, 2000, 3000, a);
	expect_run(p, 0, 1, 3000, 5000, SCHEDMAP_TASK_OTHER);
	fixture_free(f);
	schedtp_free(tp);
	records_tracefs_remove(root);
}

/*
 * Per process, forks, new tasks' wake-ups and exits come from FORK and EXIT records (their
 * tracepoints are not opened; if one arrives it is ignored, not counted twice).
 */
static void
test_sched_targets_sideband(void **state)
{
	struct fixture *f = fixture_new();
	struct records *rs = &f->rs;
	struct schedmap_task_stats st;
	const struct profile *p = f->p;
	uint32_t c;
	char *root;
	struct schedtp *tp = sched_setup(f, true, 1000, &root);

	(void)state;
	records_comm(rs, PID_A, PID_A, "app", true, 1500);
	records_switch(rs, PID_A, PID_A, 0, 2000, false);
	/* A starts TID_A2 at 2500 (the child is named after it), which runs on CPU 1 from 3000. */
	records_fork(rs, PID_A, PID_A, PID_A, TID_A2, 2500);
	records_sched_fork(rs, 0, 2500, PID_A, PID_A, "app", TID_A2);
	records_sched_wakeup(rs, true, 0, 2500, PID_A, PID_A, TID_A2, "app", 1);
	records_switch(rs, PID_A, TID_A2, 1, 3000, false);
	/* It exits at 4500: its run ends there, though its last switch-out never comes. */
	records_sched_exit(rs, 1, 4400, PID_A, TID_A2, "app");
	records_exit(rs, PID_A, TID_A2, 4500);
	c = schedmap_find(p->sched, (int32_t)TID_A2);
	assert_int_not_equal(c, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(schedmap_task_stats(p->sched, c, &st), 0);
	assert_true(st.target);
	assert_true(st.exited);
	assert_string_equal(st.comm, "app");
	assert_int_equal(st.wakeups, 1);
	assert_int_equal(st.lat_count, 1);
	assert_int_equal(st.lat_max_ns, 500);
	assert_int_equal(st.runtime_ns, 1500);
	expect_run(p, 1, 0, 3000, 4500, c);
	fixture_free(f);
	schedtp_free(tp);
	records_tracefs_remove(root);
}

/*
 * Per process, an exec comes from the COMM record (sched_process_exec is not opened; if one
 * arrives it is ignored, not counted twice); a rename without exec is no exec.
 */
static void
test_sched_targets_exec(void **state)
{
	struct fixture *f = fixture_new();
	struct records *rs = &f->rs;
	struct schedmap_task_stats st;
	const struct profile *p = f->p;
	uint32_t a;
	char *root;
	struct schedtp *tp = sched_setup(f, true, 1000, &root);

	(void)state;
	records_switch(rs, PID_A, PID_A, 0, 2000, false);
	records_comm(rs, PID_A, PID_A, "renamed", false, 2100);
	records_comm(rs, PID_A, PID_A, "tool", true, 2500);
	records_sched_exec(rs, 0, 2500, PID_A, "/usr/bin/tool");
	a = schedmap_find(p->sched, (int32_t)PID_A);
	assert_int_not_equal(a, SCHEDMAP_TASK_UNKNOWN);
	assert_int_equal(schedmap_task_stats(p->sched, a, &st), 0);
	assert_true(st.target);
	assert_int_equal(st.execs, 1);
	assert_string_equal(st.comm, "tool");
	assert_int_equal(st.pid, PID_A);
	/* Past the recording's end: not counted. */
	ingest_set_end(f->in, 3000);
	records_comm(rs, PID_A, PID_A, "late", true, 3500);
	assert_int_equal(schedmap_task_stats(p->sched, a, &st), 0);
	assert_int_equal(st.execs, 1);
	assert_int_equal(p->sampling.bad_records, 0);
	fixture_free(f);
	schedtp_free(tp);
	records_tracefs_remove(root);
}

static void
test_fold(void **state)
{
	struct fixture *f = fixture_new();
	const struct profile *p = f->p;
	const char *c3[] = { "app+0x302f", "app+0x5000" };
	struct timespec ts;
	uint32_t thread;

	(void)state;
	/* Exits at 340 ns fold at a flush once the clock is past 60 s (a batch's longest wait). */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec < 120) {
		fixture_free(f);
		unit_skip("up for %lds: exited tasks would not fold yet (needs 120 s)",
			  (long)ts.tv_sec);
	}
	feed_processes(f);
	ingest_flush(f->in);
	/* The exited thread's two nodes (named app, then worker) became "[exited]" ones. */
	assert_null(tasks_find(p->tasks, (pid_t)TID_A2));
	assert_int_equal(node_at(p, "app", PID_A, "worker", TID_A2, NULL, 0), STACKTREE_NONE);
	assert_int_equal(node_at(p, "app", PID_A, "app", TID_A2, NULL, 0), STACKTREE_NONE);
	thread = child_of(p, proc_of(p, "app", PID_A), FRAME_THREAD, "app", 0);
	expect_counts(p, thread, 0, 1);
	assert_string_equal(
		frametab_str(
			p->frames,
			frametab_get(p->frames, stacktree_node(p->stacks, thread)->frame)->module),
		"[exited]");
	expect_counts(
		p,
		child_of(p, child_of(p, thread, FRAME_UNKNOWN, c3[0], 0), FRAME_UNKNOWN, c3[1], 0),
		1, 1);
	expect_counts(p, child_of(p, proc_of(p, "app", PID_A), FRAME_THREAD, "worker", 0), 0, 1);
	/* Live tasks stay as they were. */
	expect_counts(p, node_at(p, "app", PID_A, "app", PID_A, NULL, 0), 0, 4);
	expect_counts(p, node_at(p, "tool", PID_B, "tool", PID_B, NULL, 0), 0, 2);
	assert_int_equal(stacktree_samples(p->stacks), 9);
	fixture_free(f);
}

/* Whether the frame table holds a process frame for pid (a released frame is no longer one). */
static bool
has_process_frame(const struct profile *p, uint32_t pid)
{
	for (size_t i = 0; i < frametab_nframes(p->frames); i++) {
		const struct frame *fr = frametab_get(p->frames, (uint32_t)i);

		if (fr->kind == FRAME_PROCESS && fr->line == pid)
			return true;
	}
	return false;
}

/*
 * A short-lived process whose nodes the tree's compaction folded into "[other]" (a tree capped
 * at a few nodes, many processes busier than it): when it is folded as exited, its process
 * and thread frames are given back though no node was relabelled.
 */
/*
 * A fixture whose tree is capped at 16 nodes, so that a few busy processes make it compact; the
 * test is skipped while the clock is too young for exits at its few ns to fold.
 */
static struct fixture *
fixture_capped(void)
{
	struct fixture *f;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec < 120)
		unit_skip("up for %lds: exited tasks would not fold yet (needs 120 s)",
			  (long)ts.tv_sec);
	f = xcalloc(1, sizeof(*f));
	f->p = profile_new();
	profile_enable_stacks(f->p, 16, 0);
	f->sym = symres_new(f->p->frames);
	f->in = ingest_new(f->p, f->sym);
	records_init(&f->rs, f->in);
	return f;
}

/* 40 processes of 20 samples of chain each, from 200 ns on: busier than a few samples. */
static void
feed_busy(struct fixture *f, const uint64_t chain[3])
{
	for (uint32_t k = 0; k < 40; k++) {
		uint32_t pid = 5000200u + k;

		records_comm(&f->rs, pid, pid, "busy", true, 200 + 10 * k);
		for (uint32_t n = 0; n < 20; n++)
			records_sample(&f->rs, pid, pid, 0, 201 + 10 * k, chain, 3);
	}
}

static void
test_fold_compacted(void **state)
{
	struct fixture *f = fixture_capped();
	const uint64_t chain[] = { 0x401010, 0x402020, 0x403030 };
	const uint32_t brief = 5000100u;

	(void)state;
	records_comm(&f->rs, brief, brief, "brief", true, 100);
	records_sample(&f->rs, brief, brief, 0, 110, chain, 3);
	records_exit(&f->rs, brief, brief, 120);
	/* Busier processes fill the tree past its cap: the brief one's single sample is folded. */
	feed_busy(f, chain);
	assert_true(stacktree_folds(f->p->stacks) > 0);
	assert_true(has_process_frame(f->p, brief));
	ingest_flush(f->in);
	assert_null(tasks_find(f->p->tasks, (pid_t)brief));
	assert_false(has_process_frame(f->p, brief));
	assert_int_equal(stacktree_samples(f->p->stacks), 801);
	fixture_free(f);
}

/*
 * A child that execs (a shell's child becoming "date") and a thread that renames itself: the
 * frames they had before are given up at the next fold when no node uses them (the tree's
 * compaction folded theirs into "[other]"), not kept for good; a live process's frames stay.
 */
static void
test_fold_exec(void **state)
{
	struct fixture *f = fixture_capped();
	const uint64_t chain[] = { 0x401010, 0x402020, 0x403030 };
	const uint32_t child = 5000100u, live = 5000150u;

	(void)state;
	records_comm(&f->rs, child, child, "sh", true, 100);
	records_sample(&f->rs, child, child, 0, 110, chain, 3);
	records_comm(&f->rs, child, child, "date", true, 120);
	records_sample(&f->rs, child, child, 0, 130, chain, 3);
	records_exit(&f->rs, child, child, 140);
	/* A live process whose thread renames itself: its old frames go, its new ones stay. */
	records_comm(&f->rs, live, live, "pool", true, 150);
	records_sample(&f->rs, live, live, 0, 160, chain, 3);
	records_comm(&f->rs, live, live, "pool-job", false, 170);
	/* Busier processes fill the tree past its cap: those samples are folded. */
	feed_busy(f, chain);
	assert_true(stacktree_folds(f->p->stacks) > 0);
	assert_true(has_process_frame(f->p, child));
	assert_true(has_process_frame(f->p, live));
	ingest_flush(f->in);
	assert_null(tasks_find(f->p->tasks, (pid_t)child));
	/* Neither "sh" nor "date": no frame of the child's pid is left. */
	assert_false(has_process_frame(f->p, child));
	/* The renamed thread's process, not sampled since, gave its frames up too. */
	assert_false(has_process_frame(f->p, live));
	/* Sampled again, it gets them back under its new name. */
	records_sample(&f->rs, live, live, 0, 700, chain, 3);
	assert_true(has_process_frame(f->p, live));
	assert_int_equal(stacktree_samples(f->p->stacks), 804);
	fixture_free(f);
}

/*
 * Feed n pairs of chains to f: a cold leaf (one of this binary's addresses, new each time) and a
 * hot one (test_tree's), under the same two callers. Cold first, so each compaction of the
 * address table moves the hot entries down.
 */
static void
feed_cold_hot(struct fixture *f, size_t n)
{
	const uintptr_t hot = (uintptr_t)test_tree + 1, c1 = (uintptr_t)child_of + 1,
			c2 = (uintptr_t)proc_of + 1;
	const struct procmaps_map *m;
	struct procmaps pm;
	uint64_t t = 100;

	procmaps_init(&pm);
	assert_int_equal(procmaps_read(&pm, "/proc/self/maps", true), 0);
	m = procmaps_find(&pm, (uint64_t)hot);
	assert_non_null(m);
	records_comm(&f->rs, PID_A, PID_A, "app", true, t++);
	records_mmap2(&f->rs, PID_A, m->start, m->end - m->start, m->pgoff, PROT_READ | PROT_EXEC,
		      m->path, t++);
	for (size_t i = 0; i < n; i++) {
		uint64_t cold[] = { m->start + 16 + 2 * i, c1, c2 }, chain[] = { hot, c1, c2 };

		if (cold[0] == hot)
			cold[0]++;
		records_sample(&f->rs, PID_A, PID_A, 0, t++, cold, 3);
		records_sample(&f->rs, PID_A, PID_A, 0, t++, chain, 3);
	}
	procmaps_fini(&pm);
}

/* The most self and the most call-site samples any one address of p's table holds. */
static void
addrs_most(const struct profile *p, uint64_t *self, uint64_t *calls)
{
	*self = *calls = 0;
	for (size_t i = 0; i < addrtab_count(p->addrs); i++) {
		const struct addrtab_entry *e = addrtab_get(p->addrs, i);

		*self = e->count > *self ? e->count : *self;
		*calls = e->calls > *calls ? e->calls : *calls;
	}
}

/*
 * The address table at its cap: compacted before a chain is resolved (the colder half given
 * back), and the chain cache forgets what it cached before, so a chain it replays counts at the
 * entries' new indexes: the hot leaf and call site keep every sample, as in a table with room
 * for all, while two thousand cold leaves come and go.
 */
static void
test_addrs_compacted(void **state)
{
	struct fixture *f = fixture_new(), *all = fixture_new();
	const size_t n = 2000;
	uint64_t self, calls, self_all, calls_all;

	(void)state;
	addrtab_free(f->p->addrs);
	f->p->addrs = addrtab_new(1024 + 64);
	feed_cold_hot(f, n);
	feed_cold_hot(all, n);
	assert_true(addrtab_epoch(f->p->addrs) >= 2);
	assert_int_equal(addrtab_epoch(all->p->addrs), 0);
	assert_true(addrtab_count(f->p->addrs) <= 1024 + 64);
	addrs_most(f->p, &self, &calls);
	addrs_most(all->p, &self_all, &calls_all);
	assert_int_equal(self, n);
	assert_int_equal(self_all, n);
	assert_int_equal(calls, calls_all);
	assert_true(calls > n);
	assert_int_equal(stacktree_samples(f->p->stacks), 2 * n);
	fixture_free(all);
	fixture_free(f);
}

/*
 * The chain cache grows with the chains that come: a few stay in its first slots, tens of
 * thousands of distinct ones (all named: functions of this binary, mapped from its file)
 * double it, never past its cap; the same chains again land on the same nodes.
 */
static void
test_chain_cache_grows(void **state)
{
	struct fixture *f = fixture_new();
	void *const fns[] = { (void *)fixture_new,    (void *)fixture_free, (void *)child_of,
			      (void *)proc_of,	      (void *)node_at,	    (void *)expect_counts,
			      (void *)feed_processes, (void *)test_tree };
	const size_t nf = sizeof(fns) / sizeof(fns[0]), n = 30000;
	const struct procmaps_map *m;
	struct procmaps pm;
	size_t nodes = 0, small = 0, small_bytes = 0;
	uint64_t t = 100;

	(void)state;
	procmaps_init(&pm);
	assert_int_equal(procmaps_read(&pm, "/proc/self/maps", true), 0);
	m = procmaps_find(&pm, (uint64_t)(uintptr_t)fns[0]);
	assert_non_null(m);
	records_comm(&f->rs, PID_A, PID_A, "app", true, t++);
	records_mmap2(&f->rs, PID_A, m->start, m->end - m->start, m->pgoff, PROT_READ | PROT_EXEC,
		      m->path, t++);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < n; i++) {
			/* Leaf, caller, caller's caller: 1-16 bytes into one of the
			 * functions. */
			uint64_t ips[3];

			for (size_t k = 0, v = i; k < 3; k++, v /= nf * 16)
				ips[k] = (uint64_t)(uintptr_t)fns[v % nf] + 1 + (v / nf) % 16;
			records_sample(&f->rs, PID_A, PID_A, 0, t++, ips, 3);
			if (round == 0 && i == 99) {
				small = ingest_chain_slots(f->in);
				small_bytes = ingest_memory(f->in);
			}
		}
		if (round == 0)
			nodes = stacktree_nnodes(f->p->stacks);
	}
	print_message("# chain cache: %zu slots after 100 chains, %zu after %zu\n", small,
		      ingest_chain_slots(f->in), n);
	assert_true(small < ingest_chain_slots(f->in));
	assert_true(ingest_chain_slots(f->in) <= 32768);
	/* The memory report counts the cache: its bytes grow by at least 16 a slot (two hashes). */
	assert_true(ingest_memory(f->in) >= small_bytes + (ingest_chain_slots(f->in) - small) * 16);
	assert_int_equal(stacktree_samples(f->p->stacks), 2 * n);
	assert_int_equal(stacktree_nnodes(f->p->stacks), nodes);
	procmaps_fini(&pm);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_call_sites),
		cmocka_unit_test(test_tasks),
		cmocka_unit_test(test_lost_and_bad),
		cmocka_unit_test(test_sched_system),
		cmocka_unit_test(test_sched_targets),
		cmocka_unit_test(test_sched_targets_sideband),
		cmocka_unit_test(test_sched_targets_exec),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_fold_compacted),
		cmocka_unit_test(test_fold_exec),
		cmocka_unit_test(test_chain_cache_grows),
		cmocka_unit_test(test_addrs_compacted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
