// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for perf/sampspec, the --sample-event list: items and their /period=N/ and
 * /freq=HZ/ terms, commas inside a term block, every refusal naming its real fault (an empty
 * item, an unknown term, a bad number, a name given twice, too many events), the default rates
 * (tracepoints every hit), and a PMU event by libpfm4 name in a list under a forced PMU model
 * (LIBPFM_FORCE_PMU=skl, in a forked child: libpfm4 reads it once).
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
#include <sys/wait.h>
#include <unistd.h>

#include "ringside/perf/sampspec.h"
#include "ringside/util/errbuf.h"
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

/* Expect text refused with code and a message holding want. */
static void
parse_bad(const char *text, int code, const char *want)
{
	struct sampspec_list l = { 0 };
	struct errbuf err;
	int rc;

	errbuf_clear(&err);
	rc = sampspec_list_parse(&l, text, &err);
	sampspec_list_fini(&l);
	if (rc != code)
		fail_msg("\"%s\": %d, expected %d (%s)", text, rc, code, err.msg);
	if (!strstr(err.msg, want))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err.msg, want);
	assert_int_equal(err.class, ERRBUF_INPUT);
}

static void
test_list(void **state)
{
	struct sampspec_list l;

	(void)state;
	parse_ok(&l, "cpu-clock,page-faults/period=1/,context-switches/freq=99/,cpu-migrations");
	assert_int_equal(l.n, 4);
	assert_string_equal(l.v[0].spec.name, "cpu-clock");
	assert_int_equal(l.v[0].freq, 0);
	assert_int_equal(l.v[0].period, 0);
	assert_string_equal(l.v[1].spec.name, "page-faults");
	assert_int_equal(l.v[1].spec.attr.type, PERF_TYPE_SOFTWARE);
	assert_int_equal(l.v[1].spec.attr.config, PERF_COUNT_SW_PAGE_FAULTS);
	assert_int_equal(l.v[1].period, 1);
	assert_int_equal(l.v[1].freq, 0);
	assert_int_equal(l.v[2].spec.attr.config, PERF_COUNT_SW_CONTEXT_SWITCHES);
	assert_int_equal(l.v[2].freq, 99);
	assert_int_equal(l.v[3].spec.attr.config, PERF_COUNT_SW_CPU_MIGRATIONS);
	sampspec_list_fini(&l);
	assert_int_equal(l.n, 0);
	parse_ok(&l, "page-faults:u/period=1000/");
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0].spec.name, "page-faults:u");
	assert_int_equal(l.v[0].spec.attr.exclude_kernel, 1);
	assert_int_equal(l.v[0].period, 1000);
	sampspec_list_fini(&l);
}

static void
test_rates(void **state)
{
	struct sampspec_list l;
	uint64_t f, p;

	(void)state;
	parse_ok(&l, "cpu-clock,page-faults/period=7/,minor-faults/freq=50/");
	sampspec_rate(&l.v[0], 999, 0, &f, &p);
	assert_int_equal(f, 999);
	assert_int_equal(p, 0);
	sampspec_rate(&l.v[0], 999, 4000, &f, &p); /* -c wins over -F */
	assert_int_equal(f, 0);
	assert_int_equal(p, 4000);
	sampspec_rate(&l.v[1], 999, 0, &f, &p);
	assert_int_equal(f, 0);
	assert_int_equal(p, 7);
	sampspec_rate(&l.v[2], 999, 4000, &f, &p);
	assert_int_equal(f, 50);
	assert_int_equal(p, 0);
	sampspec_list_fini(&l);
}

/* A tracepoint (when tracefs has it) defaults to every hit, as perf record does. */
static void
test_tracepoint(void **state)
{
	struct sampspec_list l = { 0 };
	struct errbuf err;
	uint64_t f, p;

	(void)state;
	errbuf_clear(&err);
	if (sampspec_list_parse(&l, "cpu-clock,syscalls:sys_enter_nanosleep", &err) != 0) {
		sampspec_list_fini(&l);
		unit_skip("no syscalls:sys_enter_nanosleep here (%s)", err.msg);
	}
	assert_int_equal(l.n, 2);
	assert_int_equal(l.v[1].spec.kind, EVSPEC_TRACEPOINT);
	sampspec_rate(&l.v[1], 999, 0, &f, &p);
	assert_int_equal(f, 0);
	assert_int_equal(p, 1);
	sampspec_list_fini(&l);
}

static void
test_errors(void **state)
{
	(void)state;
	parse_bad("cpu-clock,,page-faults", -EINVAL, "has an empty event");
	parse_bad(",cpu-clock", -EINVAL, "has an empty event");
	parse_bad("cpu-clock,", -EINVAL, "has an empty event");
	parse_bad("page-faults/foo=1/", -EINVAL, "unknown term 'foo=1'");
	parse_bad("page-faults/period/", -EINVAL, "unknown term 'period'");
	parse_bad("page-faults/period=0/", -EINVAL, "'period=0' needs a whole number");
	parse_bad("page-faults/period=1x/", -EINVAL, "'period=1x' needs a whole number");
	parse_bad("page-faults/freq=-5/", -EINVAL, "'freq=-5' needs a whole number");
	parse_bad("page-faults/period=1", -EINVAL, "between two slashes");
	parse_bad("page-faults//", -EINVAL, "give one term");
	parse_bad("/period=1/", -EINVAL, "the event name is missing");
	parse_bad("page-faults/period=1,freq=2/", -EINVAL, "give one term");
	parse_bad("cpu-clock,page-faults,cpu-clock", -EINVAL, "'cpu-clock' is given twice");
	parse_bad("page-faults,faults", -EINVAL, "'faults' is given twice (as 'page-faults')");
	parse_bad("cpu-clock,no-such-event", -ENOENT, "unknown event 'no-such-event'");
	parse_bad("cpu-clock,page faults", -EINVAL, "space or control character");
	parse_bad("cpu-clock,page-faults,context-switches,cpu-migrations,minor-faults,"
		  "major-faults,alignment-faults,emulation-faults,task-clock",
		  -EINVAL, "too many sampling events; the rings take at most 8");
}

/* Under a forced Skylake model: a PMU event by libpfm4 name in a list, encoded (child's code). */
static int
pfm_child(void)
{
	struct sampspec_list l = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	if (setenv("LIBPFM_FORCE_PMU", "skl", 1) != 0 ||
	    sampspec_list_parse(&l, "cpu-clock,INST_RETIRED.ANY_P/period=2000003/", &err) != 0)
		return 1;
	if (l.n != 2 || l.v[1].spec.kind != EVSPEC_PMU || l.v[1].spec.attr.config != 0xc0 ||
	    l.v[1].period != 2000003)
		return 2;
	sampspec_list_fini(&l);
	return 0;
}

static void
test_pfm_forced(void **state)
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

int
main(void)
{
	/* The forced model first: libpfm4 initialises once, and a child inherits that. */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfm_forced), cmocka_unit_test(test_list),
		cmocka_unit_test(test_rates),	   cmocka_unit_test(test_tracepoint),
		cmocka_unit_test(test_errors),
	};

	unsetenv("LIBPFM_FORCE_PMU");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
