// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for app/merge (merge_profiles) and the snapshot's meta.hosts: two small profiles of
 * known trees and counters merge into one with a host frame per input whose total is that input's,
 * the inputs' tracks renamed EVENT@LABEL with their times moved onto the earliest start, a host
 * given twice labelled host#N, and a merged snapshot refused as an input; meta.hosts survives a
 * write and read back, and a malformed entry is refused naming it. Scheduler timelines: every
 * input's CPUs and tasks in one, each with its host, times moved by the input's start, short
 * names unique; they survive a write and read back, an unknown host is refused, and a single
 * host's timeline is written as before (no host keys).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/merge.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/util/xalloc.h"
#include "unit.h"

/* A profile of host with samples main;a (na) and main;b (nb), and one task-clock track. */
static struct profile *
make_profile(const char *host, int64_t start, uint64_t na, uint64_t nb)
{
	struct profile *p = profile_new();
	struct counter_track *t;
	uint32_t path[4];

	p->meta.host = xstrdup(host);
	p->meta.kernel = xstrdup("6.18");
	p->meta.arch = xstrdup("x86_64");
	p->meta.ncpus = 2;
	p->meta.target_kind = xstrdup("system");
	p->meta.start_unix_ns = start;
	p->meta.duration_ns = 2000000000u;
	p->meta.interval_ns = 1000000000u;
	p->meta.end_reason = xstrdup("duration");
	profile_enable_stacks(p, 0, 0);
	p->sampling.event = xstrdup("cpu-clock");
	p->sampling.callgraph = xstrdup("fp");
	p->sampling.freq = 999;
	path[0] = frametab_intern(p->frames, "app", NULL, NULL, 42, FRAME_PROCESS, false);
	path[1] = frametab_intern(p->frames, "app", NULL, NULL, 42, FRAME_THREAD, false);
	path[2] = frametab_intern(p->frames, "main", "/bin/app", NULL, 0, FRAME_USER, false);
	path[3] = frametab_intern(p->frames, "a", "/bin/app", NULL, 0, FRAME_USER, false);
	stacktree_insert(p->stacks, path, 4, na, 0);
	path[3] = frametab_intern(p->frames, "b", "/bin/app", NULL, 0, FRAME_USER, false);
	stacktree_insert(p->stacks, path, 4, nb, 0);
	p->sampling.samples = na + nb;
	t = profile_add_track(p);
	t->name = xstrdup("task-clock");
	t->canonical = xstrdup("perf::task-clock");
	t->supported = true;
	counter_series_append(counter_track_series(t, 0), 1000000000u, 7, 1, 1);
	return p;
}

/* The child of the root whose frame is the host frame label, or STACKTREE_NONE. */
static uint32_t
host_node(const struct profile *p, const char *label)
{
	for (uint32_t c = stacktree_node(p->stacks, STACKTREE_ROOT)->first_child;
	     c != STACKTREE_NONE; c = stacktree_node(p->stacks, c)->next_sibling) {
		const struct frame *f =
			frametab_get(p->frames, stacktree_node(p->stacks, c)->frame);

		if (f->kind == FRAME_HOST && strcmp(frametab_str(p->frames, f->name), label) == 0)
			return c;
	}
	return STACKTREE_NONE;
}

static void
test_two_hosts(void **state)
{
	struct profile *in[2] = { make_profile("alpha", 5000000000, 3, 4),
				  make_profile("beta", 6000000000, 10, 1) };
	const char *src[2] = { "a.json", "b.json" };
	struct profile *m = NULL;
	struct errbuf err = { 0 };
	uint32_t ha, hb;

	(void)state;
	assert_int_equal(merge_profiles(in, src, 2, &m, &err), 0);
	assert_string_equal(m->meta.host, "alpha,beta");
	assert_int_equal(m->meta.nhosts, 2);
	assert_string_equal(m->meta.hosts[1].label, "beta");
	assert_string_equal(m->meta.hosts[1].source, "b.json");
	assert_int_equal(m->meta.hosts[0].samples, 7);
	assert_int_equal(m->meta.hosts[1].samples, 11);
	assert_int_equal(m->meta.ncpus, 4);
	assert_int_equal(m->meta.start_unix_ns, 5000000000);
	assert_int_equal(m->meta.duration_ns, 3000000000u); /* 5 s .. 8 s */
	assert_int_equal(stacktree_samples(m->stacks), 18);
	assert_int_equal(m->sampling.samples, 18);
	ha = host_node(m, "alpha");
	hb = host_node(m, "beta");
	assert_int_not_equal(ha, STACKTREE_NONE);
	assert_int_not_equal(hb, STACKTREE_NONE);
	assert_int_equal(stacktree_node(m->stacks, ha)->total, 7);
	assert_int_equal(stacktree_node(m->stacks, hb)->total, 11);
	assert_int_equal(m->ntracks, 2);
	assert_string_equal(m->tracks[0].name, "task-clock@alpha");
	assert_string_equal(m->tracks[1].canonical, "perf::task-clock@beta");
	assert_int_equal(m->tracks[0].series[0].t[0], 1000000000u);
	assert_int_equal(m->tracks[1].series[0].t[0], 2000000000u); /* beta started 1 s later */
	profile_free(m);
	profile_free(in[0]);
	profile_free(in[1]);
}

static void
test_same_host_twice_and_merged_input(void **state)
{
	struct profile *in[3] = { make_profile("alpha", 1, 1, 1), make_profile("beta", 1, 1, 1),
				  make_profile("alpha", 1, 2, 2) };
	const char *src[3] = { "r0.json", "r1.json", "r2.json" };
	struct profile *m = NULL, *again = NULL, *pair[2];
	struct errbuf err = { 0 };

	(void)state;
	assert_int_equal(merge_profiles(in, src, 3, &m, &err), 0);
	assert_string_equal(m->meta.hosts[0].label, "alpha#1");
	assert_string_equal(m->meta.hosts[1].label, "beta");
	assert_string_equal(m->meta.hosts[2].label, "alpha#3");
	assert_int_equal(stacktree_node(m->stacks, host_node(m, "alpha#3"))->total, 4);
	pair[0] = m;
	pair[1] = in[1];
	assert_int_equal(merge_profiles(pair, src, 2, &again, &err), -EINVAL);
	assert_null(again);
	assert_non_null(strstr(err.msg, "r0.json is already a merged snapshot"));
	profile_free(m);
	for (int i = 0; i < 3; i++)
		profile_free(in[i]);
}

static void
test_hosts_round_trip(void **state)
{
	struct profile *in[2] = { make_profile("alpha", 5, 3, 4), make_profile("beta", 6, 1, 1) };
	const char *src[2] = { "a.json", "@last" };
	struct profile *m = NULL, *back = NULL;
	struct errbuf err = { 0 };
	char *buf = NULL, *bad;
	size_t len = 0;
	FILE *fp;

	(void)state;
	assert_int_equal(merge_profiles(in, src, 2, &m, &err), 0);
	fp = open_memstream(&buf, &len);
	assert_int_equal(snapshot_write(m, fp, &err), 0);
	fclose(fp);
	assert_int_equal(snapshot_parse(buf, len, &back, &err), 0);
	assert_int_equal(back->meta.nhosts, 2);
	assert_string_equal(back->meta.hosts[1].source, "@last");
	assert_int_equal(back->meta.hosts[0].samples, 7);
	assert_int_equal(back->meta.hosts[1].start_unix_ns, 6);
	assert_int_equal(stacktree_node(back->stacks, host_node(back, "beta"))->total, 2);
	profile_free(back);
	back = NULL;
	/* A malformed entry: its samples missing. */
	bad = strstr(buf, "\"samples\":7");
	assert_non_null(bad);
	memcpy(bad, "\"samplez\"", 9);
	assert_int_equal(snapshot_parse(buf, len, &back, &err), -EINVAL);
	assert_null(back);
	assert_non_null(strstr(err.msg, "meta.hosts[0]"));
	free(buf);
	profile_free(m);
	profile_free(in[0]);
	profile_free(in[1]);
}

/* A two-CPU timeline for p: task "spin" (tid 10) runs on CPU 0 for 1 s, CPU 1 is idle from 0.5 s.
 */
static void
add_sched(struct profile *p, uint64_t origin)
{
	struct schedmap_task_stats st = { .tid = 10, .pid = 10, .comm = "spin", .short_name = "A" };
	uint32_t t;

	p->sched = schedmap_new(2, UINT64_MAX / 4, 100000000u);
	p->sched_origin = origin;
	st.runtime_ns = 1000000000u;
	t = schedmap_load_task(p->sched, &st);
	assert_int_equal(schedmap_load_run(p->sched, 0, origin, origin + 1000000000u, t), 0);
	assert_int_equal(schedmap_load_run(p->sched, 1, origin + 500000000u, origin + 2000000000u,
					   SCHEDMAP_TASK_IDLE),
			 0);
	schedmap_load_finish(p->sched, origin + p->meta.duration_ns);
}

/* The merged profile written and read back (buf and *len kept for the caller). */
static struct profile *
write_read(const struct profile *p, char **buf, size_t *len)
{
	struct profile *back = NULL;
	struct errbuf err = { 0 };
	FILE *fp = open_memstream(buf, len);

	assert_int_equal(snapshot_write(p, fp, &err), 0);
	fclose(fp);
	assert_int_equal(snapshot_parse(*buf, *len, &back, &err), 0);
	return back;
}

static void
test_sched(void **state)
{
	struct profile *in[2] = { make_profile("alpha", 5, 3, 4),
				  make_profile("beta", 5 + 1000000000, 1, 1) };
	const char *src[2] = { "a.json", "b.json" };
	struct profile *m = NULL, *back;
	struct schedmap_task_stats a, b;
	struct errbuf err = { 0 };
	struct schedmap_run run;
	char label[64], *buf = NULL, *one = NULL, *bad;
	size_t len = 0, one_len = 0;

	(void)state;
	add_sched(in[0], 1000);
	add_sched(in[1], 777);
	assert_int_equal(merge_profiles(in, src, 2, &m, &err), 0);
	assert_non_null(m->sched);
	assert_int_equal(schedmap_ncpus(m->sched), 4);
	assert_int_equal(schedmap_ntasks(m->sched), 2);
	assert_int_equal(m->sched_cpu_host[1], 0);
	assert_int_equal(m->sched_cpu_host[2], 1);
	assert_int_equal(m->sched_cpu_num[2], 0);
	assert_int_equal(m->sched_cpu_num[3], 1);
	assert_string_equal(profile_sched_task_host(m, 1), "beta");
	assert_int_equal(schedmap_task_stats(m->sched, 0, &a), 0);
	assert_int_equal(schedmap_task_stats(m->sched, 1, &b), 0);
	assert_string_equal(b.comm, "spin");
	assert_int_equal(b.tid, a.tid);
	assert_string_not_equal(a.short_name, b.short_name);
	/* beta's CPU 0 (row 2) starts 1 s after the merged start: its input started 1 s later */
	assert_int_equal(schedmap_run_at(m->sched, 2, 0, &run), 0);
	assert_int_equal(run.start - m->sched_origin, 1000000000u);
	assert_int_equal(run.task, 1);
	assert_int_equal(schedmap_run_at(m->sched, 0, 0, &run), 0);
	assert_int_equal(run.start - m->sched_origin, 0);

	back = write_read(m, &buf, &len);
	assert_non_null(back->sched_cpu_host);
	profile_sched_cpu_label(back, 3, label, sizeof(label));
	assert_string_equal(label, "beta cpu1");
	assert_string_equal(profile_sched_task_host(back, 0), "alpha");
	/* busy over the host's own 2 s: beta's CPU 0 ran 1 s of it */
	assert_non_null(strstr(buf, "{\"cpu\":0,\"host\":\"beta\",\"busy_ns\":1000000000,"));
	profile_free(back);
	back = NULL;
	bad = strstr(buf, "\"cpu\":1,\"host\":\"beta\"");
	assert_non_null(bad);
	memcpy(bad + 16, "beth", 4);
	assert_int_equal(snapshot_parse(buf, len, &back, &err), -EINVAL);
	assert_null(back);
	assert_non_null(strstr(err.msg, "sched.cpus[3].host"));

	/* one host: no host keys, and its labels are cpuN */
	back = write_read(in[0], &one, &one_len);
	assert_null(back->sched_cpu_host);
	assert_non_null(strstr(one, "{\"cpu\":1,\"busy_ns\":"));
	profile_sched_cpu_label(back, 1, label, sizeof(label));
	assert_string_equal(label, "cpu1");
	assert_null(profile_sched_task_host(back, 0));
	profile_free(back);
	free(one);
	free(buf);
	profile_free(m);
	profile_free(in[0]);
	profile_free(in[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_hosts),
		cmocka_unit_test(test_same_host_twice_and_merged_input),
		cmocka_unit_test(test_hosts_round_trip),
		cmocka_unit_test(test_sched),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
