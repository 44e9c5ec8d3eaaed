// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A fixed recording replayed through ingest and written as a snapshot must match
 * tests/data/replay-golden.json byte for byte: the guard that refactoring ingest, the schedmap,
 * the resolver or the snapshot writer changes no output. The records (tests/unit/records.h) tell
 * of a server with three threads (one woken, migrated), a make whose two cc1 children fork, exec,
 * run and exit (folding into one "[exited]" cc1), a shell that execs python3 and starts a thread
 * that is renamed and exits, lost, throttled and unclaimed records, and sched_switch, wakeup,
 * wakeup_new, migrate, fork, exec and exit tracepoints on four CPUs, with a switch after the
 * recording's end. At each round's end, as session_drain does, the schedmap advances (at times
 * taken from the records): with exact runs kept for 200 ms and summaries of 50 ms, the older runs
 * fold into summary buckets and the two exited cc1 into one aggregate task. Metadata, counter
 * tracks and a ratio are set by hand. The snapshot read back must write the same bytes again.
 *
 * Code is mapped from files that do not exist and pids are above PID_MAX_LIMIT, so the frames
 * ("cc1+0x1004f") are the same on every machine. Exited tasks fold at a flush when the monotonic
 * clock is past a minute (the batch's longest wait), so the test skips on a machine up for less
 * than two minutes. To regenerate the golden file (only for an intended change of output), run
 * with RINGSIDE_REPLAY_OUT=FILE and copy FILE over it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ringside/app/ingest.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/sym/symres.h"
#include "records.h"
#include "unit.h"

#define ORIGIN	    5000000000ull /* monotonic ns of the recording's start */
#define TICK	    100000ull	  /* 0.1 ms: times below count these */
#define AT(x)	    (ORIGIN + (uint64_t)(x)*TICK)
#define DURATION_NS 500000000ull

#define SRV	 5100000u /* "server" and its threads srv-io, srv-work */
#define SRV_IO	 5100001u
#define SRV_WORK 5100002u
#define MAKE	 5200000u /* "make", forking the two cc1 */
#define CC1_A	 5200100u
#define CC1_B	 5200200u
#define SH	 5300000u /* "bash", exec'ing python3 */
#define SH_THR	 5300001u

#define BIN(name) "/nonexistent-ringside-replay/bin/" name
#define LIBC	  "/nonexistent-ringside-replay/lib/libc.so.6"
#define EXE(x)	  (0x400000ull + (x))
#define LIB(x)	  (0x7f0000000000ull + (x))
#define JIT(x)	  (0x7e0000000000ull + (x))

/* The processes already running: names, code, and each CPU's first switch. */
static void
replay_start(struct records *rs)
{
	const uint32_t prot = PROT_READ | PROT_EXEC;

	records_comm(rs, SRV, SRV, "server", false, AT(1));
	records_comm(rs, SRV, SRV_IO, "srv-io", false, AT(2));
	records_comm(rs, SRV, SRV_WORK, "srv-work", false, AT(3));
	records_mmap2(rs, SRV, EXE(0), 0x20000, 0, prot, BIN("server"), AT(4));
	records_mmap2(rs, SRV, LIB(0), 0x100000, 0x28000, prot, LIBC, AT(5));
	records_mmap2(rs, SRV, JIT(0), 0x10000, 0, prot, "[anon:jit]", AT(6));
	records_comm(rs, MAKE, MAKE, "make", false, AT(7));
	records_mmap2(rs, MAKE, EXE(0), 0x30000, 0, prot, BIN("make"), AT(8));
	records_comm(rs, SH, SH, "bash", false, AT(9));
	records_mmap2(rs, SH, EXE(0), 0x40000, 0, prot, BIN("bash"), AT(10));
	records_sched_switch(rs, 0, AT(100), 0, 0, "swapper/0", 0, SRV, "server");
	records_sched_switch(rs, 1, AT(100), 0, 0, "swapper/1", 0, SRV_IO, "srv-io");
	records_sched_switch(rs, 2, AT(110), 0, 0, "swapper/2", 0, MAKE, "make");
	records_sched_switch(rs, 3, AT(120), 0, 0, "swapper/3", 0, SH, "bash");
}

/* The server's main thread and srv-io: call chains sharing their outer frames. */
static void
replay_server(struct records *rs)
{
	const uint64_t ca[] = { LIB(0x1234), EXE(0x2100), EXE(0x1100), EXE(0x1000) };
	const uint64_t cb[] = { EXE(0x3300), EXE(0x2100), EXE(0x1100), EXE(0x1000) };
	const uint64_t cc[] = { EXE(0x1180), EXE(0x1000) };
	const uint64_t cj[] = { JIT(0x40), EXE(0x5500), EXE(0x1000) };

	for (int i = 0; i < 3; i++)
		records_sample(rs, SRV, SRV, 0, AT(200 + i * 10), ca, 4);
	records_sample(rs, SRV, SRV, 0, AT(240), cb, 4);
	records_sample(rs, SRV, SRV, 0, AT(250), cb, 4);
	records_sample(rs, SRV, SRV, 0, AT(260), cc, 2);
	records_sample(rs, SRV, SRV_IO, 1, AT(270), ca, 4);
	records_sample(rs, SRV, SRV_IO, 1, AT(280), ca, 4);
	records_sample(rs, SRV, SRV_IO, 1, AT(290), cj, 3);
}

/* make forks child on CPU 2; it runs on CPU 3 as cc1 (nk of the chains in k), and exits. */
static void
replay_cc1(struct records *rs, struct profile *p, struct ingest *in, uint32_t child, uint64_t t0,
	   const size_t *nk)
{
	const uint64_t k[4][3] = {
		{ EXE(0x10010), EXE(0x20020), EXE(0x30030) },
		{ EXE(0x10050), EXE(0x20020), EXE(0x30030) },
		{ EXE(0x40000), EXE(0x30030) },
		{ EXE(0x50000), EXE(0x30030) },
	};
	const size_t len[4] = { 3, 3, 2, 2 };
	uint64_t t = t0 + 300 * TICK;

	records_fork(rs, MAKE, MAKE, child, child, t0);
	records_sched_fork(rs, 2, t0, MAKE, MAKE, "make", child);
	records_sched_wakeup(rs, true, 2, t0 + TICK, MAKE, MAKE, child, "make", 3);
	records_sched_switch(rs, 3, t0 + 100 * TICK, SH, SH, "bash", 1, child, "make");
	records_comm(rs, child, child, "cc1", true, t0 + 200 * TICK);
	records_sched_exec(rs, 3, t0 + 200 * TICK, child, "/usr/lib/gcc/x86_64-linux-gnu/12/cc1");
	records_mmap2(rs, child, EXE(0), 0x80000, 0, PROT_READ | PROT_EXEC, BIN("cc1"),
		      t0 + 201 * TICK);
	for (size_t c = 0; c < 4; c++)
		for (size_t i = 0; i < nk[c]; i++, t += 10 * TICK)
			records_sample(rs, child, child, 3, t, k[c], len[c]);
	records_sched_exit(rs, 3, t, child, child, "cc1");
	records_exit(rs, child, child, t);
	records_sched_switch(rs, 3, t + TICK, child, child, "cc1", 0x10 /* X */, SH, "bash");
	/* The round ends (as session_drain): the exited cc1 folds, old runs fold to summaries. */
	ingest_flush(in);
	schedmap_advance(p->sched, t + 2 * TICK);
}

/* srv-work woken onto CPU 2, preempted, migrated to CPU 1. */
static void
replay_worker(struct records *rs)
{
	const uint64_t ca[] = { LIB(0x1234), EXE(0x2100), EXE(0x1100), EXE(0x1000) };
	const uint64_t cb[] = { EXE(0x3300), EXE(0x2100), EXE(0x1100), EXE(0x1000) };
	const uint64_t cc[] = { EXE(0x1180), EXE(0x1000) };

	records_sched_wakeup(rs, false, 0, AT(3000), SRV, SRV, SRV_WORK, "srv-work", 2);
	records_sched_switch(rs, 2, AT(3050), MAKE, MAKE, "make", 1, SRV_WORK, "srv-work");
	records_sample(rs, SRV, SRV_WORK, 2, AT(3100), cb, 4);
	records_sample(rs, SRV, SRV_WORK, 2, AT(3200), cb, 4);
	records_sample(rs, SRV, SRV_WORK, 2, AT(3300), cc, 2);
	records_sched_switch(rs, 2, AT(3490), SRV, SRV_WORK, "srv-work", 0, 0, "swapper/2");
	records_sched_migrate(rs, 2, AT(3495), SRV_WORK, "srv-work", 2, 1);
	records_sched_switch(rs, 1, AT(3500), SRV, SRV_IO, "srv-io", 0, SRV_WORK, "srv-work");
	records_sample(rs, SRV, SRV_WORK, 1, AT(3600), ca, 4);
	records_sched_wakeup(rs, false, 1, AT(3700), SRV, SRV_WORK, SRV_IO, "srv-io", 1);
	records_sched_switch(rs, 1, AT(3800), SRV, SRV_WORK, "srv-work", 1, SRV_IO, "srv-io");
}

/* bash execs python3, whose thread is sampled, renamed, sampled again and exits. */
static void
replay_python(struct records *rs)
{
	const uint64_t b[] = { EXE(0x1100), EXE(0x2000) };
	const uint64_t py[] = { EXE(0x3000), EXE(0x2000), EXE(0x1000) };
	const uint64_t py2[] = { EXE(0x3800), EXE(0x2000), EXE(0x1000) };
	const uint64_t nowhere[] = { 0x10 };

	records_sample(rs, SH, SH, 3, AT(4100), b, 2);
	records_comm(rs, SH, SH, "python3", true, AT(4200));
	records_sched_exec(rs, 3, AT(4200), SH, "/usr/bin/python3");
	records_mmap2(rs, SH, EXE(0), 0x50000, 0x1000, PROT_READ | PROT_EXEC, BIN("python3.11"),
		      AT(4210));
	records_sample(rs, SH, SH, 3, AT(4250), py, 3);
	records_sample(rs, SH, SH, 3, AT(4260), py, 3);
	records_fork(rs, SH, SH, SH, SH_THR, AT(4300));
	records_sched_wakeup(rs, true, 3, AT(4301), SH, SH, SH_THR, "python3", 0);
	records_sched_switch(rs, 0, AT(4310), SRV, SRV, "server", 0, SH_THR, "python3");
	records_sample(rs, SH, SH_THR, 0, AT(4400), py, 3);
	records_comm(rs, SH, SH_THR, "py-worker", false, AT(4500));
	records_sample(rs, SH, SH_THR, 0, AT(4600), py2, 3);
	records_sample(rs, SH, SH_THR, 0, AT(4610), nowhere, 1);
	records_sched_exit(rs, 0, AT(4700), SH, SH_THR, "py-worker");
	records_exit(rs, SH, SH_THR, AT(4700));
	records_sched_switch(rs, 0, AT(4701), SH, SH_THR, "py-worker", 0x10, SRV, "server");
}

/* Losses, throttling, a record no event claims, and a switch after the end. */
static void
replay_end(struct records *rs, struct profile *p, struct ingest *in)
{
	const uint64_t nowhere[] = { 0x10 };

	records_lost(rs, 7, AT(4800));
	records_lost_samples(rs, 2, AT(4810));
	records_throttle(rs, PERF_RECORD_THROTTLE, AT(4820));
	records_throttle(rs, PERF_RECORD_UNTHROTTLE, AT(4830));
	rs->hold = true;
	records_comm(rs, SRV, SRV, "server", false, AT(4840));
	ingest_record(in, NULL, &rs->r.h);
	rs->hold = false;
	records_sample(rs, SRV, SRV, 0, AT(4900), nowhere, 1);
	ingest_set_end(in, ORIGIN + DURATION_NS);
	records_sched_switch(rs, 2, ORIGIN + DURATION_NS + 1, 0, 0, "swapper/2", 0, MAKE, "make");
	ingest_flush(in);
	schedmap_advance(p->sched, ORIGIN + DURATION_NS);
}

static char **
strv(size_t n, ...)
{
	char **v = xcalloc(n, sizeof(*v));
	va_list ap;

	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(va_arg(ap, const char *));
	va_end(ap);
	return v;
}

/* The metadata, counter tracks and ratio a recording of 0.5 s on 4 CPUs would have. */
static void
replay_meta(struct profile *p)
{
	struct profile_meta *m = &p->meta;
	struct counter_track *t;
	struct ratio_def r;
	struct errbuf err = { 0 };

	m->ringside_version = xstrdup("0.0-replay");
	m->host = xstrdup("replay-host");
	m->kernel = xstrdup("6.1.0-replay");
	m->arch = xstrdup("x86_64");
	m->ncpus = 4;
	m->target_kind = xstrdup("system");
	m->target_desc = xstrdup("system-wide");
	m->target_cpus = xcalloc(4, sizeof(int));
	for (int i = 0; i < 4; i++)
		m->target_cpus[i] = i;
	m->ntarget_cpus = 4;
	m->cmdline = strv(5, "ringside", "record", "-a", "-g", "fp");
	m->ncmdline = 5;
	m->start_unix_ns = 1767225600123456789ll;
	m->duration_ns = DURATION_NS;
	m->interval_ns = 250000000;
	m->end_reason = xstrdup("duration");
	p->sampling.event = xstrdup("cycles");
	p->sampling.freq = 999;
	p->sampling.callgraph = xstrdup("fp");
	t = profile_add_track(p);
	t->name = xstrdup("task-clock");
	t->canonical = xstrdup("software/task-clock/");
	t->pmu = xstrdup("software");
	t->kind = xstrdup("software");
	t->type = 1;
	t->config = 1;
	t->supported = true;
	for (int cpu = 0; cpu < 2; cpu++) {
		counter_series_append(counter_track_series(t, cpu), 250000000, 150000000 + cpu,
				      250000000, 250000000);
		counter_series_append(counter_track_series(t, cpu), 500000000, 90000000, 250000000,
				      125000000);
	}
	t = profile_add_track(p);
	t->name = xstrdup("cycles");
	t->canonical = xstrdup("cpu/cycles/");
	t->pmu = xstrdup("cpu");
	t->kind = xstrdup("hardware");
	t->reason = xstrdup("not supported in this virtual machine");
	assert_int_equal(ratio_parse(&r, "ms%=task-clock/cycles", &err), 0);
	profile_set_ratio(p, &r);
	ratio_fini(&r);
}

/* The profile of the replay, written; the caller frees *buf. */
static struct profile *
replay(char **buf, size_t *len, char **root)
{
	struct profile *p = profile_new();
	struct errbuf err = { 0 };
	struct schedtp *tp = NULL;
	struct records rs;
	struct symres *sym;
	struct ingest *in;
	const size_t nk_a[4] = { 3, 2, 1, 0 }, nk_b[4] = { 1, 0, 2, 1 };
	FILE *fp;

	*root = records_tracefs();
	if (schedtp_new(&tp, *root, &err) != 0)
		fail_msg("schedtp_new: %s", err.msg);
	replay_meta(p);
	profile_enable_stacks(p, 0, 10ull * 1000000000u);
	/*
	 * Exact runs for the last 200 ms, summaries of 50 ms before, exited tasks folding into
	 * aggregates as soon as one can: a short replay has all of it.
	 */
	p->sched = schedmap_new(4, 200 * 1000000ull, 50 * 1000000ull);
	schedmap_set_fold_min(p->sched, 1);
	p->sched_origin = ORIGIN;
	sym = symres_new(p->frames);
	in = ingest_new(p, sym);
	ingest_set_sched(in, tp, false, ORIGIN);
	records_init(&rs, in);
	replay_start(&rs);
	replay_server(&rs);
	replay_cc1(&rs, p, in, CC1_A, AT(1000), nk_a);
	replay_cc1(&rs, p, in, CC1_B, AT(2000), nk_b);
	replay_worker(&rs);
	replay_python(&rs);
	replay_end(&rs, p, in);
	ingest_free(in);
	symres_free(sym);
	schedtp_free(tp);
	fp = open_memstream(buf, len);
	assert_non_null(fp);
	assert_int_equal(snapshot_write(p, fp, &err), 0);
	assert_int_equal(fclose(fp), 0);
	return p;
}

static char *
read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n;

	if (!f)
		fail_msg("cannot read %s", path);
	*len = 0;
	do {
		cap = cap ? cap * 2 : 1 << 16;
		buf = xrealloc(buf, cap);
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (*len == cap);
	fclose(f);
	return buf;
}

/* Equal bytes, or a failure showing where they part. */
static void
expect_same(const char *what, const char *got, size_t glen, const char *want, size_t wlen)
{
	size_t i = 0, from;

	while (i < glen && i < wlen && got[i] == want[i])
		i++;
	if (i == glen && i == wlen)
		return;
	from = i > 60 ? i - 60 : 0;
	print_message("# %s: %zu bytes, expected %zu; first difference at byte %zu\n", what, glen,
		      wlen, i);
	print_message("# got:      %.120s\n", got + (from < glen ? from : glen));
	print_message("# expected: %.120s\n", want + (from < wlen ? from : wlen));
	fail_msg("%s differs from the golden file", what);
}

static void
test_replay_golden(void **state)
{
	const char *data = getenv("TESTDATA"), *out = getenv("RINGSIDE_REPLAY_OUT");
	struct profile *p, *back = NULL;
	struct errbuf err = { 0 };
	struct timespec ts;
	char *buf = NULL, *buf2 = NULL, *golden, *path, *root;
	size_t len = 0, len2 = 0, glen;
	FILE *fp;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec < 120) {
		unit_skip("up for %lds: exited tasks would not fold yet (needs 120 s)",
			  (long)ts.tv_sec);
	}
	if (!data)
		fail_msg("TESTDATA is not set (run through make check)");
	p = replay(&buf, &len, &root);
	records_tracefs_remove(root);
	if (out) {
		fp = fopen(out, "we");
		assert_non_null(fp);
		assert_int_equal(fwrite(buf, 1, len, fp), len);
		assert_int_equal(fclose(fp), 0);
	}
	path = xasprintf("%s/replay-golden.json", data);
	golden = read_all(path, &glen);
	expect_same("the replay's snapshot", buf, len, golden, glen);
	/* Read back, the same profile: written again, the same bytes. */
	if (snapshot_parse(buf, len, &back, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	assert_string_equal(back->meta.host, "replay-host");
	assert_int_equal(back->meta.start_unix_ns, p->meta.start_unix_ns);
	assert_int_equal(back->ntracks, 2);
	assert_int_equal(back->nratios, 1);
	assert_int_equal(back->sampling.samples, p->sampling.samples);
	assert_int_equal(back->sampling.lost, 9);
	assert_int_equal(back->sampling.throttled, 1);
	assert_int_equal(back->sampling.bad_records, 1);
	assert_int_equal(frametab_nframes(back->frames), frametab_nframes(p->frames));
	assert_int_equal(stacktree_nnodes(back->stacks), stacktree_nnodes(p->stacks));
	assert_int_equal(stacktree_samples(back->stacks), stacktree_samples(p->stacks));
	fp = open_memstream(&buf2, &len2);
	assert_non_null(fp);
	assert_int_equal(snapshot_write(back, fp, &err), 0);
	assert_int_equal(fclose(fp), 0);
	expect_same("the snapshot read back and written again", buf2, len2, golden, glen);
	profile_free(back);
	profile_free(p);
	free(golden);
	free(path);
	free(buf);
	free(buf2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_golden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
