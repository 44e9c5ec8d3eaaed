// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for perf/kvmtp and model/kvmexits: this kernel's real kvm_exit and kvm_entry format
 * files (tests/data/kvm, copied from /sys/kernel/tracing/events/kvm) are parsed, raw records are
 * built at the offsets those files give (read here from their text, not through libtraceevent), and
 * the decoded reasons, their names from the print fmt and the per-thread counts and times in exit
 * must equal the table the records were built from, decoded alone and through the ingest as the
 * session feeds it. Short records are rejected; the kvm object survives a snapshot round trip.
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

#include <linux/perf_event.h>

#include "ringside/app/ingest.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/kvmexits.h"
#include "ringside/model/profile.h"
#include "ringside/perf/kvmtp.h"
#include "ringside/perf/sampler.h"
#include "ringside/sym/symres.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"

static char *
read_fixture(const char *name)
{
	const char *d = getenv("TESTDATA");
	char *path = xasprintf("%s/kvm/%s", d ? d : "tests/data", name), *buf;
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp)
		fail_msg("cannot open %s", path);
	buf = xcalloc(1, 65536);
	n = fread(buf, 1, 65535, fp);
	fclose(fp);
	free(path);
	assert_true(n > 0);
	return buf;
}

/* The offset of field name in a format's text, as the format says (-1: none). */
static int
fmt_offset(const char *fmt, const char *name)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), " %s;", name);
	p = strstr(fmt, want);
	if (!p)
		return -1;
	p = strstr(p, "offset:");
	return p ? atoi(p + 7) : -1;
}

struct fixture {
	char *exit_fmt, *entry_fmt;
	struct kvmtp *tp;
	int off_reason, off_isa, off_exit_vcpu, off_entry_vcpu;
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct errbuf err;

	errbuf_clear(&err);
	f->exit_fmt = read_fixture("kvm_exit.format");
	f->entry_fmt = read_fixture("kvm_entry.format");
	if (kvmtp_new_from_text(&f->tp, f->exit_fmt, f->entry_fmt, &err) < 0)
		fail_msg("kvmtp_new_from_text: %s", err.msg);
	f->off_reason = fmt_offset(f->exit_fmt, "exit_reason");
	f->off_isa = fmt_offset(f->exit_fmt, "isa");
	f->off_exit_vcpu = fmt_offset(f->exit_fmt, "vcpu_id");
	f->off_entry_vcpu = fmt_offset(f->entry_fmt, "vcpu_id");
	assert_true(f->off_reason > 0 && f->off_isa > 0 && f->off_exit_vcpu > 0);
	assert_true(f->off_entry_vcpu > 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	kvmtp_free(f->tp);
	free(f->exit_fmt);
	free(f->entry_fmt);
	free(f);
	return 0;
}

/* A kvm_exit record of the fixture's layout (72 bytes, the format's fixed part). */
static void
build_exit(const struct fixture *f, unsigned char *raw, uint32_t reason, uint32_t isa,
	   uint32_t vcpu)
{
	memset(raw, 0xa5, 72);
	memcpy(raw + f->off_reason, &reason, 4);
	memcpy(raw + f->off_isa, &isa, 4);
	memcpy(raw + f->off_exit_vcpu, &vcpu, 4);
}

/* The script: per thread, its reasons in order (VMX codes), each exit lasting 1000 * (i + 1) ns. */
static const struct {
	int32_t tid;
	uint32_t vcpu, reason;
	unsigned n;
} script[] = {
	{ 501, 0, 30, 7 },	   /* IO_INSTRUCTION */
	{ 502, 1, 48, 3 },	   /* EPT_VIOLATION */
	{ 501, 0, 12, 1 },	   /* HLT */
	{ 502, 1, 30, 2 },	   /* IO_INSTRUCTION */
	{ 502, 1, 0x8000001e, 1 }, /* IO_INSTRUCTION with FAILED_VMENTRY set */
	{ 501, 0, 777, 1 },	   /* a reason the kernel does not name */
};

static void
test_decode_fixture(void **state)
{
	struct fixture *f = *state;
	unsigned char raw[72], eraw[40];
	struct kvmtp_event ev;
	struct kvmexits *k = kvmexits_new("vmx");
	uint64_t t = 1000000;

	for (size_t s = 0; s < sizeof(script) / sizeof(script[0]); s++)
		for (unsigned i = 0; i < script[s].n; i++) {
			const char *name;
			uint32_t v = script[s].vcpu;

			build_exit(f, raw, script[s].reason, 1, v);
			assert_int_equal(kvmtp_decode(f->tp, KVMTP_EXIT, raw, sizeof(raw), &ev), 0);
			assert_int_equal(ev.reason, script[s].reason);
			assert_int_equal(ev.isa, 1);
			assert_int_equal(ev.code, script[s].reason & 0xffff);
			assert_int_equal(ev.vcpu, v);
			name = kvmtp_reason_name(f->tp, ev.isa, ev.reason);
			kvmexits_exit(k, 500, script[s].tid, ev.vcpu,
				      kvmexits_reason(k, ev.code, name), t);
			memset(eraw, 0, sizeof(eraw));
			memcpy(eraw + f->off_entry_vcpu, &v, 4);
			assert_int_equal(kvmtp_decode(f->tp, KVMTP_ENTRY, eraw, sizeof(eraw), &ev),
					 0);
			assert_int_equal(ev.vcpu, v);
			kvmexits_entry(k, 500, script[s].tid, ev.vcpu, t + 1000 * (i + 1));
			t += 1000000;
		}
	/* The expected table. */
	assert_int_equal(k->ntasks, 2);
	assert_int_equal(k->nreasons, 4);
	assert_string_equal(k->reasons[0].name, "IO_INSTRUCTION");
	assert_string_equal(k->reasons[1].name, "EPT_VIOLATION");
	assert_string_equal(k->reasons[2].name, "HLT");
	assert_string_equal(k->reasons[3].name, "reason 777");
	assert_int_equal(k->tasks[0].tid, 501);
	assert_int_equal(k->tasks[0].vcpu, 0);
	assert_int_equal(k->tasks[0].count[0], 7);
	assert_int_equal(k->tasks[0].ns[0], 1000 * (1 + 2 + 3 + 4 + 5 + 6 + 7));
	assert_int_equal(k->tasks[0].count[2], 1);
	assert_int_equal(k->tasks[0].count[3], 1);
	assert_int_equal(k->tasks[0].count[1], 0);
	assert_int_equal(k->tasks[1].tid, 502);
	assert_int_equal(k->tasks[1].vcpu, 1);
	assert_int_equal(k->tasks[1].count[1], 3);
	assert_int_equal(k->tasks[1].ns[1], 1000 * (1 + 2 + 3));
	assert_int_equal(k->tasks[1].count[0], 3);
	assert_int_equal(k->tasks[1].ns[0], 1000 * (1 + 2) + 1000);
	assert_int_equal(k->exits, 15);
	assert_int_equal(kvmexits_reason_total(k, 0, NULL), 10);
	assert_int_equal(k->unmatched, 0);
	/* Heat map: one exit per ms, all in the first 0.1 s column. */
	assert_int_equal(k->nbuckets, 1);
	assert_int_equal(k->heat[0][0], 10);
	kvmexits_free(k);
}

static void
test_names(void **state)
{
	struct fixture *f = *state;

	assert_string_equal(kvmtp_reason_name(f->tp, 1, 30), "IO_INSTRUCTION");
	assert_string_equal(kvmtp_reason_name(f->tp, 1, 0x80000021), "INVALID_STATE");
	assert_string_equal(kvmtp_reason_name(f->tp, 1, 85), "MSR_WRITE_IMM");
	assert_string_equal(kvmtp_reason_name(f->tp, 2, 0x7b), "io");
	assert_string_equal(kvmtp_reason_name(f->tp, 2, 0x040 + 14), "PF excp");
	assert_string_equal(kvmtp_reason_name(f->tp, 2, 0x400), "npf");
	assert_string_equal(kvmtp_reason_name(f->tp, 2, 0x80000010), "vmgexit_page_state_change");
	assert_string_equal(kvmtp_reason_name(f->tp, 2, 0xffffffff), "invalid_guest_state");
	assert_null(kvmtp_reason_name(f->tp, 1, 777));
	assert_int_equal(kvmtp_id(f->tp, KVMTP_EXIT), 103);
	assert_int_equal(kvmtp_id(f->tp, KVMTP_ENTRY), 115);
	assert_string_equal(kvmtp_isa_name(1), "vmx");
	assert_string_equal(kvmtp_isa_name(2), "svm");
}

static void
test_short_records(void **state)
{
	struct fixture *f = *state;
	unsigned char raw[72];
	struct kvmtp_event ev;

	build_exit(f, raw, 30, 1, 3);
	assert_int_equal(kvmtp_decode(f->tp, KVMTP_EXIT, raw, (size_t)f->off_exit_vcpu + 3, &ev),
			 -EINVAL);
	assert_int_equal(ev.reason, 0);
	assert_int_equal(kvmtp_decode(f->tp, KVMTP_ENTRY, raw, 4, &ev), -EINVAL);
	assert_int_equal(kvmtp_decode(f->tp, (enum kvmtp_type)7, raw, sizeof(raw), &ev), -EINVAL);
}

static void
test_missing_tracefs(void **state)
{
	struct kvmtp *tp = NULL;
	struct errbuf err;

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(kvmtp_new(&tp, "/nonexistent-tracefs", &err), -ENOENT);
	assert_null(tp);
	assert_non_null(strstr(err.msg, "kvm:kvm_exit is missing"));
	assert_null(strchr(err.msg, '\n'));
}

/* The heat map widens (merges columns) once exits pass KVMEXITS_BUCKETS columns. */
static void
test_heat_widen(void **state)
{
	struct kvmexits *k = kvmexits_new(NULL);
	int ri = kvmexits_reason(k, 12, "HLT");
	uint64_t sum = 0;

	(void)state;
	for (unsigned i = 0; i < 300; i++)
		kvmexits_exit(k, 1, 2, 0, ri, 1000 + (uint64_t)i * KVMEXITS_BUCKET_NS);
	assert_true(k->bucket_ns == 4 * KVMEXITS_BUCKET_NS);
	for (size_t b = 0; b < KVMEXITS_BUCKETS; b++)
		sum += k->heat[b][ri];
	assert_int_equal(sum, 300);
	assert_int_equal(k->heat[0][ri], 4);
	kvmexits_free(k);
}

/* Where the session puts the KVM tracepoints: after the seven sched ones. */
#define KVM_BASE 7

/* A tracepoint sample as the sampler lays it out (IDENTIFIER TID TIME CPU RAW) into ingest. */
static void
send_tp(struct ingest *in, const struct sampler_event *ev, uint32_t pid, uint32_t tid,
	uint64_t time, const void *raw, uint32_t size)
{
	union {
		struct perf_event_header h;
		uint64_t u[64];
	} r;
	unsigned char *p = (unsigned char *)r.u + sizeof(r.h);
	uint64_t id = 77, cpu = 1;

	memset(&r, 0, sizeof(r));
	memcpy(p, &id, 8);
	memcpy(p + 8, &pid, 4);
	memcpy(p + 12, &tid, 4);
	memcpy(p + 16, &time, 8);
	memcpy(p + 24, &cpu, 8);
	memcpy(p + 32, &size, 4);
	memcpy(p + 36, raw, size);
	r.h.type = PERF_RECORD_SAMPLE;
	r.h.misc = PERF_RECORD_MISC_KERNEL;
	r.h.size = (uint16_t)((sizeof(r.h) + 36 + size + 7) & ~7u);
	ingest_record(in, ev, &r.h);
}

/*
 * Records built from the fixture's formats through the ingest, as the session feeds it: kvm_exit
 * and kvm_entry at their tracepoint indexes; counts per thread, time in exit, the isa and the
 * names come out as the table; a record too short for its format is a bad record.
 */
static void
test_ingest_records(void **state)
{
	struct fixture *f = *state;
	struct profile *p = profile_new();
	struct symres *sym;
	struct ingest *in;
	struct sampler_event ev[2];
	unsigned char raw[72], eraw[40] = { 0 };
	uint64_t t = 5000000;
	const struct kvmexits *k;

	profile_enable_stacks(p, 0, 0);
	sym = symres_new(p->frames);
	in = ingest_new(p, sym);
	p->kvm = kvmexits_new(NULL);
	ingest_set_kvm(in, f->tp, KVM_BASE);
	for (int i = 0; i < 2; i++)
		ev[i] = (struct sampler_event){
			.kind = SAMPLER_EVENT_TRACEPOINT,
			.index = KVM_BASE + (size_t)i,
			.name = kvmtp_name((enum kvmtp_type)i),
			.layout = { .sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID |
						   PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |
						   PERF_SAMPLE_RAW,
				    .sample_id_all = true },
		};
	for (unsigned i = 0; i < 40; i++) {
		uint32_t tid = 4194400 + i % 2, v = i % 2, reason = i % 4 == 3 ? 12 : 30;

		build_exit(f, raw, reason, 1, v);
		send_tp(in, &ev[0], 4194400, tid, t, raw, sizeof(raw));
		memcpy(eraw + f->off_entry_vcpu, &v, 4);
		send_tp(in, &ev[1], 4194400, tid, t + 3000, eraw, sizeof(eraw));
		t += 1000000;
	}
	send_tp(in, &ev[0], 4194400, 4194400, t, raw, 20); /* short: no exit_reason's end */
	k = p->kvm;
	assert_string_equal(k->isa, "vmx");
	assert_int_equal(k->exits, 40);
	assert_int_equal(p->sampling.bad_records, 1);
	assert_int_equal(k->nreasons, 2);
	assert_string_equal(k->reasons[0].name, "IO_INSTRUCTION");
	assert_string_equal(k->reasons[1].name, "HLT");
	assert_int_equal(k->ntasks, 2);
	/* Thread 4194400 (vCPU 0) has the even exits: i % 4 == 0 IO, i % 4 == 2 IO too. */
	assert_int_equal(k->tasks[0].tid, 4194400);
	assert_int_equal(k->tasks[0].vcpu, 0);
	assert_int_equal(k->tasks[0].count[0], 20);
	assert_int_equal(k->tasks[0].count[1], 0);
	assert_int_equal(k->tasks[0].ns[0], 20 * 3000);
	/* Thread 4194401 (vCPU 1): i % 4 == 1 IO (10), i % 4 == 3 HLT (10). */
	assert_int_equal(k->tasks[1].vcpu, 1);
	assert_int_equal(k->tasks[1].count[0], 10);
	assert_int_equal(k->tasks[1].count[1], 10);
	assert_int_equal(k->tasks[1].ns[1], 10 * 3000);
	assert_int_equal(k->unmatched, 0);
	ingest_free(in);
	symres_free(sym);
	profile_free(p);
}

/* A profile with only what a snapshot needs, and kvm. */
static struct profile *
kvm_profile(void)
{
	struct profile *p = profile_new();
	struct kvmexits *k = kvmexits_new("vmx");
	int io = kvmexits_reason(k, 30, "IO_INSTRUCTION"), hlt = kvmexits_reason(k, 12, "HLT");

	p->meta.ringside_version = xstrdup("0.1.0");
	p->meta.host = xstrdup("test-host");
	p->meta.kernel = xstrdup("6.18.0");
	p->meta.arch = xstrdup("x86_64");
	p->meta.ncpus = 2;
	p->meta.target_kind = xstrdup("command");
	p->meta.target_desc = xstrdup("command: kvmexits");
	p->meta.end_reason = xstrdup("command exited");
	p->meta.duration_ns = 3000000;
	p->meta.interval_ns = 1000000;
	for (unsigned i = 0; i < 50; i++) {
		kvmexits_exit(k, 70, 71, 0, io, 1000 + i * 10000000ull);
		kvmexits_entry(k, 70, 71, 0, 1000 + i * 10000000ull + 2000);
	}
	kvmexits_exit(k, 70, 72, UINT32_MAX, hlt, 400000000);
	kvmexits_entry(k, 70, 72, UINT32_MAX, 400500000);
	kvmexits_entry(k, 70, 72, UINT32_MAX, 400600000); /* no exit before it */
	p->kvm = k;
	return p;
}

static void
test_snapshot_round_trip(void **state)
{
	struct profile *p = kvm_profile(), *q = NULL;
	const struct kvmexits *a = p->kvm, *b;
	struct errbuf err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(snapshot_write(p, f, &err), 0);
	fclose(f);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	b = q->kvm;
	assert_non_null(b);
	assert_string_equal(b->isa, "vmx");
	assert_int_equal(b->exits, 51);
	assert_int_equal(b->unmatched, 1);
	assert_int_equal(b->nreasons, 2);
	assert_string_equal(b->reasons[1].name, "HLT");
	assert_int_equal(b->ntasks, 2);
	assert_int_equal(b->tasks[0].count[0], 50);
	assert_int_equal(b->tasks[0].ns[0], 50 * 2000);
	assert_int_equal(b->tasks[0].vcpu, 0);
	assert_int_equal(b->tasks[1].vcpu, UINT32_MAX);
	assert_int_equal(b->tasks[1].ns[1], 500000);
	assert_int_equal(b->bucket_ns, a->bucket_ns);
	assert_int_equal(b->nbuckets, a->nbuckets);
	assert_memory_equal(b->heat, a->heat, sizeof(a->heat));
	profile_free(q);
	q = NULL;
	/* A task whose counts do not match the reasons is refused, naming the key. */
	{
		char *c = strstr(buf, "\"count\":[50,");

		assert_non_null(c);
		memcpy(c + 9, "-1", 2);
		errbuf_clear(&err);
		assert_int_not_equal(snapshot_parse(buf, len, &q, &err), 0);
		assert_null(q);
		assert_non_null(strstr(err.msg, "kvm.tasks"));
	}
	free(buf);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decode_fixture, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ingest_records, setup, teardown),
		cmocka_unit_test(test_missing_tracefs),
		cmocka_unit_test(test_heat_widen),
		cmocka_unit_test(test_snapshot_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
