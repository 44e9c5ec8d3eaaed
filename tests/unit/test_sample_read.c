// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for leader sampling with group reads (--sample-event '{LEADER,MEMBER,...}'), offline:
 * the group syntax and every refusal (unbalanced braces, an empty group, a member with its own
 * rate, too many members); the perf_event_attr of a hardware group under a forced PMU model
 * (LIBPFM_FORCE_PMU=skl in a forked child: libpfm4 reads it once), the leader with
 * PERF_SAMPLE_READ and GROUP|ID, the members counting without sampling; a group read decoded from
 * a hand-made record (and one that lies about its count refused); and such records through the
 * real ingest, each event's tree weighted by its count's change since the leader's previous
 * sample of the same thread, at the leader's call stack.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "ringside/perf/sampspec.h"
#include "ringside/perf/target.h"
#include "ringside/util/errbuf.h"
#include "records.h"
#include "unit.h"

static void
parse_ok(struct sampspec_list *l, const char *text)
{
	struct errbuf err;
	int rc;

	errbuf_clear(&err);
	memset(l, 0, sizeof(*l));
	rc = sampspec_list_parse(l, text, &err);
	if (rc != 0)
		fail_msg("sampspec_list_parse(\"%s\") = %d: %s", text, rc, err.msg);
}

static void
parse_bad(const char *text, const char *want)
{
	struct sampspec_list l = { 0 };
	struct errbuf err;
	int rc;

	errbuf_clear(&err);
	rc = sampspec_list_parse(&l, text, &err);
	sampspec_list_fini(&l);
	if (rc != -EINVAL || !strstr(err.msg, want))
		fail_msg("\"%s\": got %d \"%s\", expected -EINVAL with \"%s\"", text, rc, err.msg,
			 want);
	assert_null(strchr(err.msg, '\n'));
}

static void
test_syntax(void **state)
{
	struct sampspec_list l;

	(void)state;
	parse_ok(&l, "{cpu-clock/period=10000/,page-faults}");
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[0].leader, 0);
	assert_int_equal(l.v[0].nmembers, 1);
	assert_int_equal(l.v[0].period, 10000);
	assert_int_equal(l.v[1].leader, 0);
	assert_int_equal(l.v[1].period, 0);
	assert_false(sampspec_member(&l.v[0], 0));
	assert_true(sampspec_member(&l.v[1], 1));
	sampspec_list_fini(&l);

	/* perf's :S, an event before the group and one after it. */
	parse_ok(&l, "context-switches,{cpu-clock,page-faults,cpu-migrations}:S,minor-faults");
	assert_int_equal(l.n, 5);
	assert_int_equal(l.v[0].leader, SAMPSPEC_NO_GROUP);
	assert_int_equal(l.v[1].leader, 1);
	assert_int_equal(l.v[1].nmembers, 2);
	assert_int_equal(l.v[2].leader, 1);
	assert_int_equal(l.v[3].leader, 1);
	assert_string_equal(l.v[3].spec.name, "cpu-migrations");
	assert_int_equal(l.v[4].leader, SAMPSPEC_NO_GROUP);
	assert_false(sampspec_member(&l.v[4], 4));
	sampspec_list_fini(&l);

	/* A group of one: a leader without members samples as any event. */
	parse_ok(&l, "{page-faults/period=1/}");
	assert_int_equal(l.n, 1);
	assert_int_equal(l.v[0].nmembers, 0);
	sampspec_list_fini(&l);
}

static void
test_errors(void **state)
{
	(void)state;
	parse_bad("{cpu-clock,page-faults", "unbalanced braces");
	parse_bad("cpu-clock,page-faults}", "unbalanced braces");
	parse_bad("cpu-clock{page-faults}", "unbalanced braces");
	parse_bad("{cpu-clock,{page-faults}}", "groups do not nest");
	parse_bad("{cpu-clock,page-faults}:X", "unbalanced braces");
	parse_bad("{}", "an empty group");
	parse_bad("cpu-clock,{}:S", "an empty group");
	parse_bad("{cpu-clock,page-faults/period=1/}",
		  "member 'page-faults/period=1/' has its own rate");
	parse_bad("{cpu-clock,page-faults/freq=99/}", "has its own rate");
	parse_bad("{cpu-clock,page-faults,context-switches,cpu-migrations,minor-faults,"
		  "major-faults,alignment-faults,emulation-faults}",
		  "too many members; a group takes at most 6 beside its leader");
	parse_bad("{cpu-clock,page-faults,cpu-clock}", "'cpu-clock' is given twice");
	parse_bad("{cpu-clock,,page-faults}", "has an empty event");
}

/*
 * Under a forced Skylake model (child's code): a hardware group's attributes, leader sampling
 * every 100003 cycles and reading instructions and INST_RETIRED.ANY_P with each sample.
 */
static int
pfm_child(void)
{
	struct sampspec_list l = { 0 };
	struct sampler_opts o = { 0 };
	struct target t = { .kind = TARGET_SYSTEM };
	struct perf_event_attr a[3];
	struct errbuf err;
	const uint64_t group = PERF_FORMAT_GROUP | PERF_FORMAT_ID;

	errbuf_clear(&err);
	if (setenv("LIBPFM_FORCE_PMU", "skl", 1) != 0 ||
	    sampspec_list_parse(&l, "{cycles/period=100003/,instructions,INST_RETIRED.ANY_P}:S",
				&err) != 0)
		return 1;
	o.event = &l.v[0].spec;
	o.extra = l.v + 1;
	o.nextra = l.n - 1;
	o.event_members = l.v[0].nmembers;
	o.period = l.v[0].period;
	o.callgraph = CALLGRAPH_FP;
	for (size_t k = 0; k < 3; k++)
		sampler_event_attr(&o, &t, k, &a[k]);
	if (a[0].type != PERF_TYPE_HARDWARE || a[0].config != PERF_COUNT_HW_CPU_CYCLES ||
	    a[0].sample_period != 100003 || a[0].freq || !(a[0].sample_type & PERF_SAMPLE_READ) ||
	    !(a[0].sample_type & PERF_SAMPLE_CALLCHAIN) || a[0].read_format != group ||
	    !a[0].disabled || a[0].inherit)
		return 2;
	if (a[1].type != PERF_TYPE_HARDWARE || a[1].config != PERF_COUNT_HW_INSTRUCTIONS ||
	    a[1].sample_period || a[1].freq || (a[1].sample_type & PERF_SAMPLE_READ) ||
	    (a[1].sample_type & PERF_SAMPLE_CALLCHAIN) || a[1].read_format != group ||
	    a[1].disabled || a[1].mmap || a[1].comm)
		return 3;
	if (a[2].type != PERF_TYPE_RAW || a[2].config != 0xc0 || a[2].sample_period ||
	    a[2].read_format != group)
		return 4;
	/* A process target: inherited, the leader's and the members' alike. */
	t.kind = TARGET_PIDS;
	sampler_event_attr(&o, &t, 0, &a[0]);
	sampler_event_attr(&o, &t, 1, &a[1]);
	if (!a[0].inherit || !a[1].inherit || !(a[0].sample_type & PERF_SAMPLE_TID))
		return 5;
	sampspec_list_fini(&l);
	return 0;
}

static void
test_pfm_group_attr(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(pfm_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

#define ST_READ (RECORDS_ST_SAMPLE | PERF_SAMPLE_READ)
#define RF	(PERF_FORMAT_GROUP | PERF_FORMAT_ID)

/* A leader's sample with a group read of n (value, id) pairs, nr written as given. */
static void
group_sample(struct records *rs, const struct sampler_event *ev, uint32_t tid, uint64_t time,
	     const uint64_t *ips, size_t n, const uint64_t *values, size_t nvalues, uint64_t nr)
{
	records_start(rs, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	records_u64(rs, RECORDS_ID);
	records_u64(rs, ips[0]);
	records_u32x2(rs, 5000001u, tid);
	records_u64(rs, time);
	records_u32x2(rs, 0, 0);
	records_u64(rs, rs->period);
	records_u64(rs, nr);
	for (size_t j = 0; j < nvalues; j++) {
		records_u64(rs, values[j]);
		records_u64(rs, 900 + j);
	}
	records_u64(rs, n + 1);
	records_u64(rs, (uint64_t)PERF_CONTEXT_USER);
	for (size_t i = 0; i < n; i++)
		records_u64(rs, ips[i]);
	records_send(rs, ev);
}

static void
test_decode_group(void **state)
{
	struct records rs;
	struct decode_sample s;
	const struct decode_layout l = { .sample_type = ST_READ,
					 .sample_id_all = true,
					 .read_format = RF };
	const uint64_t ips[] = { 0x401010, 0x402020 }, v[] = { 5000, 17 };

	(void)state;
	records_init(&rs, NULL);
	rs.hold = true;
	group_sample(&rs, &rs.sample, 7, 123, ips, 2, v, 2, 2);
	assert_int_equal(decode_sample(&l, &rs.r.h, &s), 0);
	assert_int_equal(s.read_nr, 2);
	assert_int_equal(s.read_stride, 2);
	assert_int_equal(s.read[0], 5000);
	assert_int_equal(s.read[1], 900);
	assert_int_equal(s.read[2], 17);
	assert_int_equal(s.read[3], 901);
	/* The callchain after the read is where it should be. */
	assert_int_equal(s.nr, 3);
	assert_int_equal(s.ips[2], 0x402020);
	assert_int_equal(s.tid, 7);
	assert_int_equal(s.time, 123);
	/* A count larger than the record holds is refused, not followed. */
	group_sample(&rs, &rs.sample, 7, 123, ips, 2, v, 2, 1000);
	assert_int_equal(decode_sample(&l, &rs.r.h, &s), -EINVAL);
	group_sample(&rs, &rs.sample, 7, 123, ips, 2, v, 2, 0);
	assert_int_equal(decode_sample(&l, &rs.r.h, &s), -EINVAL);
}

/* The node of tree t along frames named names (process and thread frames first), or NONE. */
static uint32_t
node_named(const struct profile *p, const struct stacktree *t, const char *const *names, size_t n)
{
	uint32_t id = STACKTREE_ROOT;

	for (size_t i = 0; i < n && id != STACKTREE_NONE; i++) {
		uint32_t c = stacktree_node(t, id)->first_child;

		for (; c != STACKTREE_NONE; c = stacktree_node(t, c)->next_sibling) {
			const struct frame *fr =
				frametab_get(p->frames, stacktree_node(t, c)->frame);

			if (strcmp(frametab_str(p->frames, fr->name), names[i]) == 0)
				break;
		}
		id = c;
	}
	return id;
}

static uint64_t
total_at(const struct profile *p, const struct stacktree *t, const char *const *names, size_t n)
{
	uint32_t id = node_named(p, t, names, n);

	return id == STACKTREE_NONE ? 0 : stacktree_node(t, id)->total;
}

static void
test_ingest_group(void **state)
{
	struct profile *p = profile_new();
	struct symres *sym;
	struct ingest *in;
	struct records rs;
	struct sampler_event leader;
	const uint64_t c1[] = { 0x401010, 0x402020 }, c2[] = { 0x404040, 0x402020 };
	const char *n1[] = { "app", "app", "app+0x201f", "app+0x1010" };
	const char *n2[] = { "app", "app", "app+0x201f", "app+0x4040" };
	const char *w1[] = { "app", "worker", "app+0x201f", "app+0x1010" };
	struct stacktree *member;

	(void)state;
	profile_enable_stacks(p, 0, 10ull * 1000000000u);
	p->sampling.counts = true;
	member = profile_add_event(p, "page-faults", 0, 0, 0, 10ull * 1000000000u)->stacks;
	sym = symres_new(p->frames);
	in = ingest_new(p, sym);
	records_init(&rs, in);
	leader = rs.sample;
	leader.nmembers = 1;
	leader.per_thread = true;
	leader.layout = (struct decode_layout){ .sample_type = ST_READ,
						.sample_id_all = true,
						.read_format = RF };
	records_comm(&rs, 5000001u, 5000001u, "app", true, 100);
	records_comm(&rs, 5000001u, 5000002u, "worker", false, 101);
	records_mmap2(&rs, 5000001u, 0x400000, 0x10000, 0, PROT_READ | PROT_EXEC,
		      "/nonexistent-ringside-test/bin/app", 110);
	/* Main thread: counts since enable, then changes; a member change of 0 adds nothing. */
	group_sample(&rs, &leader, 5000001u, 200, c1, 2, (const uint64_t[]){ 1000, 5 }, 2, 2);
	group_sample(&rs, &leader, 5000001u, 210, c2, 2, (const uint64_t[]){ 2000, 5 }, 2, 2);
	group_sample(&rs, &leader, 5000001u, 220, c1, 2, (const uint64_t[]){ 3500, 12 }, 2, 2);
	/* Another thread of the same leader descriptor: its own counts, from zero. */
	group_sample(&rs, &leader, 5000002u, 230, c1, 2, (const uint64_t[]){ 400, 3 }, 2, 2);
	/* A read of the wrong size: a bad record, nothing added. */
	group_sample(&rs, &leader, 5000001u, 240, c1, 2, (const uint64_t[]){ 9000, 90, 9 }, 3, 3);
	assert_int_equal(p->sampling.bad_records, 1);
	assert_int_equal(p->sampling.samples, 4);
	/* The leader's tree weighs its own count's changes. */
	assert_int_equal(stacktree_samples(p->stacks), 1000 + 1000 + 1500 + 400);
	assert_int_equal(total_at(p, p->stacks, n1, 4), 2500);
	assert_int_equal(total_at(p, p->stacks, n2, 4), 1000);
	assert_int_equal(total_at(p, p->stacks, w1, 4), 400);
	/* The member's: 5 + 7 at c1 of the main thread, 3 at the worker's, none at c2. */
	assert_int_equal(stacktree_samples(member), 15);
	assert_int_equal(total_at(p, member, n1, 4), 12);
	assert_int_equal(node_named(p, member, n2, 4), STACKTREE_NONE);
	assert_int_equal(total_at(p, member, w1, 4), 3);
	ingest_free(in);
	symres_free(sym);
	profile_free(p);
}

int
main(void)
{
	/* The forced model first: libpfm4 initialises once, and a child inherits that. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfm_group_attr), cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_errors),	       cmocka_unit_test(test_decode_group),
		cmocka_unit_test(test_ingest_group),
	};

	unsetenv("LIBPFM_FORCE_PMU");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
