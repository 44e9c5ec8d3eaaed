// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for perf/evspec: generic, cache, raw and tracepoint specs to perf_event_attr,
 * modifiers, "did you mean" for unknown names, lists and the default events. libpfm4 events are
 * tested offline with forced PMUs in test_pfm.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ringside/perf/evspec.h"
#include "ringside/perf/sys.h"
#include "ringside/util/errbuf.h"
#include "unit.h"

/* Parse text, expecting success; the spec is the caller's to evspec_fini. */
static void
parse_ok(struct evspec *spec, const char *text)
{
	struct errbuf err;

	errbuf_clear(&err);
	memset(spec, 0, sizeof(*spec));
	int rc = evspec_parse(spec, text, &err);
	if (rc != 0)
		fail_msg("evspec_parse(\"%s\") = %d: %s", text, rc, err.msg);
	assert_non_null(spec->name);
	assert_string_equal(spec->name, text);
	assert_non_null(spec->canonical);
	assert_non_null(spec->pmu);
}

/* Parse text and check type, config, kind and pmu. */
static void
check_event(const char *text, uint32_t type, uint64_t config, enum evspec_kind kind, const char *pmu)
{
	struct evspec spec;

	parse_ok(&spec, text);
	if (spec.attr.type != type || spec.attr.config != config)
		fail_msg("%s: type %u config %#llx, expected type %u config %#llx", text,
			 spec.attr.type, (unsigned long long)spec.attr.config, type,
			 (unsigned long long)config);
	assert_int_equal(spec.kind, kind);
	assert_string_equal(spec.pmu, pmu);
	evspec_fini(&spec);
}

/* Parse text expecting failure; returns the code and leaves the message in err. */
static int
parse_fails(const char *text, struct errbuf *err)
{
	struct evspec spec;

	errbuf_clear(err);
	memset(&spec, 0, sizeof(spec));
	int rc = evspec_parse(&spec, text, err);
	if (rc >= 0)
		fail_msg("evspec_parse(\"%s\") succeeded (type %u config %#llx); expected an error",
			 text, spec.attr.type, (unsigned long long)spec.attr.config);
	if (!errbuf_isset(err) || !err->msg[0])
		fail_msg("evspec_parse(\"%s\") failed with %d but left no message", text, rc);
	return rc;
}

static void
test_generic_hardware(void **state)
{
	(void)state;
	check_event("cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, EVSPEC_HARDWARE, "cpu");
	check_event("instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
		    EVSPEC_HARDWARE, "cpu");
	check_event("cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES,
		    EVSPEC_HARDWARE, "cpu");
	check_event("cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES,
		    EVSPEC_HARDWARE, "cpu");
	check_event("branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS,
		    EVSPEC_HARDWARE, "cpu");
	check_event("branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES,
		    EVSPEC_HARDWARE, "cpu");
	check_event("bus-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BUS_CYCLES, EVSPEC_HARDWARE,
		    "cpu");
	check_event("stalled-cycles-frontend", PERF_TYPE_HARDWARE,
		    PERF_COUNT_HW_STALLED_CYCLES_FRONTEND, EVSPEC_HARDWARE, "cpu");
	check_event("stalled-cycles-backend", PERF_TYPE_HARDWARE,
		    PERF_COUNT_HW_STALLED_CYCLES_BACKEND, EVSPEC_HARDWARE, "cpu");
	check_event("ref-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_REF_CPU_CYCLES,
		    EVSPEC_HARDWARE, "cpu");
}

static void
test_generic_software(void **state)
{
	(void)state;
	check_event("page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, EVSPEC_SOFTWARE,
		    "software");
	check_event("faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, EVSPEC_SOFTWARE,
		    "software");
	check_event("context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES,
		    EVSPEC_SOFTWARE, "software");
	check_event("cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, EVSPEC_SOFTWARE,
		    "software");
	check_event("cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS,
		    EVSPEC_SOFTWARE, "software");
	check_event("migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS,
		    EVSPEC_SOFTWARE, "software");
	check_event("task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, EVSPEC_SOFTWARE,
		    "software");
	check_event("cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, EVSPEC_SOFTWARE,
		    "software");
	check_event("minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN,
		    EVSPEC_SOFTWARE, "software");
	check_event("major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ,
		    EVSPEC_SOFTWARE, "software");
	check_event("alignment-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_ALIGNMENT_FAULTS,
		    EVSPEC_SOFTWARE, "software");
	check_event("emulation-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_EMULATION_FAULTS,
		    EVSPEC_SOFTWARE, "software");
}

/* Parse text and check the three exclude bits. */
static void
check_excludes(const char *text, int user, int kernel, int hv)
{
	struct evspec spec;

	parse_ok(&spec, text);
	if (spec.attr.exclude_user != user || spec.attr.exclude_kernel != kernel ||
	    spec.attr.exclude_hv != hv)
		fail_msg("%s: exclude_user=%u exclude_kernel=%u exclude_hv=%u, expected %d %d %d",
			 text, spec.attr.exclude_user, spec.attr.exclude_kernel, spec.attr.exclude_hv,
			 user, kernel, hv);
	evspec_fini(&spec);
}

static void
test_modifiers(void **state)
{
	(void)state;
	check_excludes("cycles", 0, 0, 0);
	check_excludes("cycles:u", 0, 1, 1);
	check_excludes("cycles:k", 1, 0, 1);
	check_excludes("cycles:h", 1, 1, 0);
	check_excludes("cycles:uk", 0, 0, 1);
	check_excludes("cycles:ku", 0, 0, 1);
	check_excludes("cycles:ukh", 0, 0, 0);
	check_excludes("page-faults:u", 0, 1, 1);

	/* the modifier does not change the event itself */
	check_event("cycles:u", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, EVSPEC_HARDWARE,
		    "cpu");
	check_event("instructions:k", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS,
		    EVSPEC_HARDWARE, "cpu");

	/* :p parses (precision is the kernel's business when the event opens) */
	struct evspec spec;
	parse_ok(&spec, "cycles:p");
	assert_int_equal(spec.attr.type, PERF_TYPE_HARDWARE);
	evspec_fini(&spec);
	parse_ok(&spec, "cycles:up");
	assert_int_equal(spec.attr.exclude_kernel, 1);
	evspec_fini(&spec);
}

static uint64_t
cache_config(unsigned cache, unsigned op, unsigned result)
{
	return cache | (op << 8) | (result << 16);
}

static void
test_cache_names(void **state)
{
	(void)state;
	check_event("L1-dcache-load-misses", PERF_TYPE_HW_CACHE,
		    cache_config(PERF_COUNT_HW_CACHE_L1D, PERF_COUNT_HW_CACHE_OP_READ,
				 PERF_COUNT_HW_CACHE_RESULT_MISS),
		    EVSPEC_HW_CACHE, "cpu");
	check_event("L1-dcache-loads", PERF_TYPE_HW_CACHE,
		    cache_config(PERF_COUNT_HW_CACHE_L1D, PERF_COUNT_HW_CACHE_OP_READ,
				 PERF_COUNT_HW_CACHE_RESULT_ACCESS),
		    EVSPEC_HW_CACHE, "cpu");
	check_event("LLC-loads", PERF_TYPE_HW_CACHE,
		    cache_config(PERF_COUNT_HW_CACHE_LL, PERF_COUNT_HW_CACHE_OP_READ,
				 PERF_COUNT_HW_CACHE_RESULT_ACCESS),
		    EVSPEC_HW_CACHE, "cpu");
	check_event("LLC-load-misses", PERF_TYPE_HW_CACHE,
		    cache_config(PERF_COUNT_HW_CACHE_LL, PERF_COUNT_HW_CACHE_OP_READ,
				 PERF_COUNT_HW_CACHE_RESULT_MISS),
		    EVSPEC_HW_CACHE, "cpu");
	check_event("dTLB-store-misses", PERF_TYPE_HW_CACHE,
		    cache_config(PERF_COUNT_HW_CACHE_DTLB, PERF_COUNT_HW_CACHE_OP_WRITE,
				 PERF_COUNT_HW_CACHE_RESULT_MISS),
		    EVSPEC_HW_CACHE, "cpu");
	check_event("iTLB-load-misses", PERF_TYPE_HW_CACHE,
		    cache_config(PERF_COUNT_HW_CACHE_ITLB, PERF_COUNT_HW_CACHE_OP_READ,
				 PERF_COUNT_HW_CACHE_RESULT_MISS),
		    EVSPEC_HW_CACHE, "cpu");
	check_event("branch-load-misses", PERF_TYPE_HW_CACHE,
		    cache_config(PERF_COUNT_HW_CACHE_BPU, PERF_COUNT_HW_CACHE_OP_READ,
				 PERF_COUNT_HW_CACHE_RESULT_MISS),
		    EVSPEC_HW_CACHE, "cpu");
	check_excludes("LLC-loads:u", 0, 1, 1);
}

/* Every name the tables offer parses back to the same encoding. */
static void
test_tables_agree_with_parser(void **state)
{
	(void)state;
	const struct evspec_generic *g = evspec_generic_table();
	assert_non_null(g);
	size_t n = 0;
	bool cycles = false, cs = false;
	for (; g->name; g++, n++) {
		assert_non_null(g->desc);
		assert_true(strlen(g->desc) > 0);
		struct evspec spec;
		parse_ok(&spec, g->name);
		assert_int_equal(spec.kind, g->kind);
		if (spec.attr.config != g->config)
			fail_msg("%s: parsed config %#llx, table says %#llx", g->name,
				 (unsigned long long)spec.attr.config, g->config);
		evspec_fini(&spec);
		cycles |= strcmp(g->name, "cycles") == 0;
		cs |= strcmp(g->name, "cs") == 0;
	}
	assert_true(n >= 20);
	assert_true(cycles);
	assert_true(cs);

	size_t nc = evspec_cache_count();
	assert_true(nc > 10);
	bool llc = false;
	for (size_t i = 0; i < nc; i++) {
		char buf[128];
		unsigned long long config = ~0ULL;
		assert_true(evspec_cache_name(i, buf, sizeof(buf), &config));
		struct evspec spec;
		parse_ok(&spec, buf);
		assert_int_equal(spec.attr.type, PERF_TYPE_HW_CACHE);
		assert_int_equal(spec.kind, EVSPEC_HW_CACHE);
		if (spec.attr.config != config)
			fail_msg("%s: parsed config %#llx, table says %#llx", buf,
				 (unsigned long long)spec.attr.config, config);
		evspec_fini(&spec);
		llc |= strcmp(buf, "LLC-load-misses") == 0;
	}
	assert_true(llc);
	char buf[128];
	unsigned long long config;
	assert_false(evspec_cache_name(nc, buf, sizeof(buf), &config));
}

static void
test_raw(void **state)
{
	(void)state;
	check_event("r1a8", PERF_TYPE_RAW, 0x1a8, EVSPEC_RAW, "cpu");
	check_event("r00c0", PERF_TYPE_RAW, 0xc0, EVSPEC_RAW, "cpu");
	check_event("rC0", PERF_TYPE_RAW, 0xc0, EVSPEC_RAW, "cpu");
	check_event("r00c0:u", PERF_TYPE_RAW, 0xc0, EVSPEC_RAW, "cpu");
	check_excludes("r00c0:u", 0, 1, 1);
	check_event("r530110", PERF_TYPE_RAW, 0x530110, EVSPEC_RAW, "cpu");
}

static void
test_kind_names_and_pmu_needs(void **state)
{
	(void)state;
	assert_string_equal(evspec_kind_name(EVSPEC_HARDWARE), "hardware");
	assert_string_equal(evspec_kind_name(EVSPEC_HW_CACHE), "cache");
	assert_string_equal(evspec_kind_name(EVSPEC_SOFTWARE), "software");
	assert_string_equal(evspec_kind_name(EVSPEC_PMU), "pmu");
	assert_string_equal(evspec_kind_name(EVSPEC_RAW), "raw");
	assert_string_equal(evspec_kind_name(EVSPEC_TRACEPOINT), "tracepoint");

	static const struct {
		const char *name;
		bool needs;
	} cases[] = {
		{ "cycles", true }, { "LLC-loads", true },  { "r1a8", true },
		{ "page-faults", false }, { "task-clock", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct evspec spec;
		parse_ok(&spec, cases[i].name);
		if (evspec_needs_pmu(&spec) != cases[i].needs)
			fail_msg("evspec_needs_pmu(%s) = %d", cases[i].name, !cases[i].needs);
		evspec_fini(&spec);
	}
}

static void
test_copy_is_deep(void **state)
{
	(void)state;
	struct evspec a, b;

	parse_ok(&a, "instructions:u");
	memset(&b, 0, sizeof(b));
	evspec_copy(&b, &a);
	assert_ptr_not_equal(a.name, b.name);
	assert_ptr_not_equal(a.canonical, b.canonical);
	assert_ptr_not_equal(a.pmu, b.pmu);
	evspec_fini(&a);
	assert_string_equal(b.name, "instructions:u");
	assert_string_equal(b.pmu, "cpu");
	assert_int_equal(b.kind, EVSPEC_HARDWARE);
	assert_int_equal(b.attr.type, PERF_TYPE_HARDWARE);
	assert_int_equal(b.attr.config, PERF_COUNT_HW_INSTRUCTIONS);
	assert_int_equal(b.attr.exclude_kernel, 1);
	evspec_fini(&b);
}

/* Read the tracepoint id of sys/name from tracefs, or -1 when there is no tracefs. */
static long long
tracepoint_id(const char *sys, const char *name)
{
	const char *dirs[] = { sys_tracefs_dir(), "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (!dirs[i])
			continue;
		char path[512];
		snprintf(path, sizeof(path), "%s/events/%s/%s/id", dirs[i], sys, name);
		FILE *fp = fopen(path, "r");
		if (!fp)
			continue;
		long long id = -1;
		if (fscanf(fp, "%lld", &id) != 1)
			id = -1;
		fclose(fp);
		if (id >= 0)
			return id;
	}
	return -1;
}

static void
test_tracepoint(void **state)
{
	(void)state;
	long long id = tracepoint_id("sched", "sched_switch");
	if (id < 0) {
		unit_skip("no tracefs on this machine (mount it on /sys/kernel/tracing)");
	}
	check_event("sched:sched_switch", PERF_TYPE_TRACEPOINT, (uint64_t)id, EVSPEC_TRACEPOINT,
		    "tracepoint");
	long long id2 = tracepoint_id("sched", "sched_process_exec");
	if (id2 >= 0)
		check_event("sched:sched_process_exec", PERF_TYPE_TRACEPOINT, (uint64_t)id2,
			    EVSPEC_TRACEPOINT, "tracepoint");

	struct evspec spec;
	parse_ok(&spec, "sched:sched_switch");
	assert_false(evspec_needs_pmu(&spec));
	evspec_fini(&spec);

	struct errbuf err;
	int rc = parse_fails("sched:sched_swich", &err);
	assert_int_equal(rc, -ENOENT);
	if (!strstr(err.msg, "sched:sched_swich") || !strstr(err.msg, "sched:sched_switch"))
		fail_msg("message should name the event and suggest sched:sched_switch: %s", err.msg);

	/* a subsystem that does not exist */
	rc = parse_fails("nosuchsys:nosuchevent", &err);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(err.msg, "nosuchsys:nosuchevent"));
}

static void
test_unknown_names(void **state)
{
	(void)state;
	struct errbuf err;

	int rc = parse_fails("cyclez", &err);
	assert_int_equal(rc, -ENOENT);
	if (!strstr(err.msg, "cyclez") || !strstr(err.msg, "cycles"))
		fail_msg("message should name 'cyclez' and suggest cycles: %s", err.msg);

	rc = parse_fails("page-fualts", &err);
	assert_int_equal(rc, -ENOENT);
	if (!strstr(err.msg, "page-fualts") || !strstr(err.msg, "page-faults"))
		fail_msg("message should suggest page-faults: %s", err.msg);

	rc = parse_fails("cyclez:u", &err);
	assert_int_equal(rc, -ENOENT);
	assert_non_null(strstr(err.msg, "cyclez"));
}

static void
test_malformed(void **state)
{
	(void)state;
	static const char *bad[] = {
		"", "cycles:", "cycles:x", "r", "rxyz", "r12345678901234567890", "a::", ":u",
		"cycles,instructions",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct errbuf err;
		int rc = parse_fails(bad[i], &err);
		assert_true(rc == -EINVAL || rc == -ENOENT);
	}
}

static void
test_list_parse(void **state)
{
	(void)state;
	struct evspec_list list = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	int rc = evspec_list_parse(&list, "cycles,instructions:u,page-faults", &err);
	if (rc != 0)
		fail_msg("evspec_list_parse: %s", err.msg);
	assert_int_equal(list.n, 3);
	assert_string_equal(list.v[0].name, "cycles");
	assert_string_equal(list.v[1].name, "instructions:u");
	assert_int_equal(list.v[1].attr.exclude_kernel, 1);
	assert_string_equal(list.v[2].name, "page-faults");
	assert_int_equal(list.v[2].attr.type, PERF_TYPE_SOFTWARE);

	/* a second call appends */
	assert_int_equal(evspec_list_parse(&list, "cs", &err), 0);
	assert_int_equal(list.n, 4);
	assert_string_equal(list.v[3].name, "cs");
	evspec_list_fini(&list);

	/* the same event under different modifiers is two events */
	memset(&list, 0, sizeof(list));
	assert_int_equal(evspec_list_parse(&list, "cycles,cycles:u", &err), 0);
	assert_int_equal(list.n, 2);
	evspec_list_fini(&list);
}

static void
test_list_errors(void **state)
{
	(void)state;
	static const struct {
		const char *text;
		const char *names; /* what the message must mention */
	} bad[] = {
		{ "cycles,page-faults,cycles", "cycles" },
		{ "cycles,,page-faults", NULL },
		{ "cycles,", NULL },
		{ ",cycles", NULL },
		{ "", NULL },
		{ "page-faults,cyclez", "cyclez" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct evspec_list list = { 0 };
		struct errbuf err;
		errbuf_clear(&err);
		int rc = evspec_list_parse(&list, bad[i].text, &err);
		if (rc >= 0)
			fail_msg("evspec_list_parse(\"%s\") succeeded with %zu events", bad[i].text,
				 list.n);
		if (!errbuf_isset(&err))
			fail_msg("evspec_list_parse(\"%s\") left no message", bad[i].text);
		if (bad[i].names && !strstr(err.msg, bad[i].names))
			fail_msg("evspec_list_parse(\"%s\"): message does not name %s: %s",
				 bad[i].text, bad[i].names, err.msg);
		evspec_list_fini(&list);
	}
}

/* Whether a hardware cycles counter opens for this process here (decides the defaults). */
static bool
cycles_opens(void)
{
	struct perf_event_attr attr;
	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_CPU_CYCLES;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	int fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void
test_list_defaults(void **state)
{
	(void)state;
	static const char *hw[] = { "cycles", "instructions", "cache-references",
				    "cache-misses", "branches", "branch-misses" };
	static const char *sw[] = { "task-clock", "context-switches", "cpu-migrations",
				    "page-faults" };
	bool pmu = cycles_opens();
	const char **want = pmu ? hw : sw;
	size_t n = pmu ? 6 : 4;
	print_message("# a hardware PMU %s here\n", pmu ? "opens" : "does not open");

	struct evspec_list list = { 0 };
	evspec_list_defaults(&list);
	if (list.n != n)
		fail_msg("%zu default events, expected %zu (%s first)", list.n, n, want[0]);
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(list.v[i].name, want[i]);
		assert_int_equal(list.v[i].kind, pmu ? EVSPEC_HARDWARE : EVSPEC_SOFTWARE);
	}
	assert_int_equal(list.v[0].attr.config,
			 pmu ? PERF_COUNT_HW_CPU_CYCLES : PERF_COUNT_SW_TASK_CLOCK);
	evspec_list_fini(&list);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic_hardware),
		cmocka_unit_test(test_generic_software),
		cmocka_unit_test(test_modifiers),
		cmocka_unit_test(test_cache_names),
		cmocka_unit_test(test_tables_agree_with_parser),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_kind_names_and_pmu_needs),
		cmocka_unit_test(test_copy_is_deep),
		cmocka_unit_test(test_tracepoint),
		cmocka_unit_test(test_unknown_names),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_list_parse),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_list_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
