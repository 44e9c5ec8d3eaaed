// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the libpfm4 path of perf/evspec, offline: libpfm4's LIBPFM_FORCE_PMU activates
 * one PMU model whatever the CPU is, but it is read once, when libpfm4 initialises. So every case
 * runs in a forked child that sets the variable before its first evspec call (evspec initialises
 * libpfm4 lazily) and reports the result through a pipe; the parent process never touches evspec.
 *
 * The expected encodings are the vendors' documented event codes, config = umask << 8 | event:
 *   Intel SDM (Skylake): INST_RETIRED.ANY_P          event C0H umask 00H -> 0xc0
 *                        BR_MISP_RETIRED.ALL_BRANCHES event C5H umask 00H -> 0xc5
 *                        MEM_LOAD_RETIRED.L3_MISS     event D1H umask 20H -> 0x20d1
 *   Intel (Ice Lake): INST_RETIRED.ANY is fixed counter 0, which perf encodes as the pseudo event
 *                     00H umask 01H -> 0x100
 *   AMD PPR (Zen 2): Retired Instructions PMCx0C0 -> 0xc0, Cycles not in Halt PMCx076 -> 0x76,
 *                    Retired Branch Instructions Mispredicted PMCx0C3 -> 0xc3
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
#include <sys/wait.h>
#include <unistd.h>

#include "ringside/perf/evspec.h"
#include "ringside/util/errbuf.h"

/* What a child reports about one evspec_parse. */
struct pfm_result {
	int rc;
	uint32_t type;
	uint64_t config;
	int exclude_user, exclude_kernel, exclude_hv;
	int kind;
	char canonical[512];
	char pmu[128];
	char name[128];
	char err[1024];
};

static void
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n <= 0)
			_exit(3);
		p += n;
		len -= (size_t)n;
	}
}

/* Parse text in a child where libpfm4 sees only the PMU pmu. */
static void
run_case(const char *pmu, const char *text, struct pfm_result *r)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct pfm_result res;
		struct evspec spec;
		struct errbuf err;

		close(fds[0]);
		memset(&res, 0, sizeof(res));
		memset(&spec, 0, sizeof(spec));
		if (setenv("LIBPFM_FORCE_PMU", pmu, 1) != 0)
			_exit(2);
		errbuf_clear(&err);
		res.rc = evspec_parse(&spec, text, &err);
		snprintf(res.err, sizeof(res.err), "%s", err.msg);
		if (res.rc == 0) {
			res.type = spec.attr.type;
			res.config = spec.attr.config;
			res.exclude_user = spec.attr.exclude_user;
			res.exclude_kernel = spec.attr.exclude_kernel;
			res.exclude_hv = spec.attr.exclude_hv;
			res.kind = spec.kind;
			snprintf(res.canonical, sizeof(res.canonical), "%s",
				 spec.canonical ? spec.canonical : "(null)");
			snprintf(res.pmu, sizeof(res.pmu), "%s", spec.pmu ? spec.pmu : "(null)");
			snprintf(res.name, sizeof(res.name), "%s", spec.name ? spec.name : "(null)");
			evspec_fini(&spec);
		}
		write_all(fds[1], &res, sizeof(res));
		close(fds[1]);
		_exit(0);
	}
	close(fds[1]);
	size_t got = 0;
	while (got < sizeof(*r)) {
		ssize_t n = read(fds[0], (char *)r + got, sizeof(*r) - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fds[0]);
	int status = 0;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child parsing \"%s\" with LIBPFM_FORCE_PMU=%s died (status %#x)", text, pmu,
			 status);
	assert_int_equal(got, sizeof(*r));
}

/* Expect text to encode as a raw PMU event with config under the forced PMU. */
static void
check_pmu_event(const char *pmu, const char *text, uint64_t config, struct pfm_result *out)
{
	struct pfm_result r;

	run_case(pmu, text, &r);
	if (r.rc != 0)
		fail_msg("LIBPFM_FORCE_PMU=%s: evspec_parse(\"%s\") = %d: %s", pmu, text, r.rc, r.err);
	if (r.type != PERF_TYPE_RAW || r.config != config)
		fail_msg("LIBPFM_FORCE_PMU=%s %s: type %u config %#llx, expected type %u config %#llx",
			 pmu, text, r.type, (unsigned long long)r.config, PERF_TYPE_RAW,
			 (unsigned long long)config);
	assert_int_equal(r.kind, EVSPEC_PMU);
	assert_string_equal(r.pmu, pmu);
	assert_string_equal(r.name, text);
	char prefix[160];
	snprintf(prefix, sizeof(prefix), "%s::", pmu);
	if (strncmp(r.canonical, prefix, strlen(prefix)) != 0)
		fail_msg("%s: canonical name '%s' does not start with %s", text, r.canonical, prefix);
	if (out)
		*out = r;
}

static void
test_skl_events(void **state)
{
	(void)state;
	struct pfm_result r;

	check_pmu_event("skl", "INST_RETIRED:ANY_P", 0xc0, &r);
	assert_non_null(strstr(r.canonical, "INST_RETIRED"));
	assert_non_null(strstr(r.canonical, "ANY_P"));
	/* no modifier: user and kernel both counted */
	assert_int_equal(r.exclude_user, 0);
	assert_int_equal(r.exclude_kernel, 0);

	check_pmu_event("skl", "BR_MISP_RETIRED:ALL_BRANCHES", 0xc5, NULL);
	check_pmu_event("skl", "MEM_LOAD_RETIRED:L3_MISS", 0x20d1, NULL);
	check_pmu_event("skl", "skl::INST_RETIRED:ANY_P", 0xc0, NULL);
}

static void
test_skl_rejects_icl_name(void **state)
{
	(void)state;
	struct pfm_result r;

	/* INST_RETIRED.ANY has no encoding on Skylake (libpfm4 4.13) */
	run_case("skl", "INST_RETIRED.ANY", &r);
	if (r.rc >= 0)
		fail_msg("INST_RETIRED.ANY encoded on skl as type %u config %#llx", r.type,
			 (unsigned long long)r.config);
	assert_true(r.err[0] != '\0');
	assert_non_null(strstr(r.err, "INST_RETIRED.ANY"));

	/* an event no PMU has */
	run_case("skl", "INST_RETIRED:NO_SUCH_UMASK", &r);
	assert_true(r.rc < 0);
	assert_true(r.err[0] != '\0');
	run_case("skl", "NO_SUCH_EVENT_AT_ALL", &r);
	assert_int_equal(r.rc, -ENOENT);
	assert_non_null(strstr(r.err, "NO_SUCH_EVENT_AT_ALL"));
}

static void
test_icl_events(void **state)
{
	(void)state;
	struct pfm_result r;

	check_pmu_event("icl", "INST_RETIRED.ANY", 0x100, &r);
	assert_int_equal(r.exclude_user, 0);
	assert_int_equal(r.exclude_kernel, 0);

	check_pmu_event("icl", "INST_RETIRED:ANY:u", 0x100, &r);
	assert_int_equal(r.exclude_kernel, 1);
	assert_int_equal(r.exclude_user, 0);

	check_pmu_event("icl", "INST_RETIRED:ANY:k", 0x100, &r);
	assert_int_equal(r.exclude_kernel, 0);
	assert_int_equal(r.exclude_user, 1);
}

static void
test_zen2_events(void **state)
{
	(void)state;
	check_pmu_event("amd64_fam17h_zen2", "RETIRED_INSTRUCTIONS", 0xc0, NULL);
	check_pmu_event("amd64_fam17h_zen2", "CYCLES_NOT_IN_HALT", 0x76, NULL);
	check_pmu_event("amd64_fam17h_zen2", "RETIRED_BRANCH_INSTRUCTIONS_MISPREDICTED", 0xc3, NULL);
}

static void
test_generic_names_without_libpfm(void **state)
{
	(void)state;
	static const char *pmus[] = { "skl", "amd64_fam17h_zen2" };
	for (size_t i = 0; i < sizeof(pmus) / sizeof(pmus[0]); i++) {
		struct pfm_result r;

		run_case(pmus[i], "cycles", &r);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.type, PERF_TYPE_HARDWARE);
		assert_int_equal(r.config, PERF_COUNT_HW_CPU_CYCLES);
		assert_int_equal(r.kind, EVSPEC_HARDWARE);
		assert_string_equal(r.pmu, "cpu");

		run_case(pmus[i], "page-faults:u", &r);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.type, PERF_TYPE_SOFTWARE);
		assert_int_equal(r.config, PERF_COUNT_SW_PAGE_FAULTS);
		assert_int_equal(r.exclude_kernel, 1);
		assert_string_equal(r.pmu, "software");

		run_case(pmus[i], "r1a8", &r);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.type, PERF_TYPE_RAW);
		assert_int_equal(r.config, 0x1a8);
		assert_int_equal(r.kind, EVSPEC_RAW);

		run_case(pmus[i], "LLC-load-misses", &r);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.type, PERF_TYPE_HW_CACHE);
		assert_int_equal(r.config, PERF_COUNT_HW_CACHE_LL | (PERF_COUNT_HW_CACHE_OP_READ << 8) |
						   (PERF_COUNT_HW_CACHE_RESULT_MISS << 16));
	}
}

int
main(void)
{
	/* the parent must not have initialised libpfm4 before the children fork */
	unsetenv("LIBPFM_FORCE_PMU");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_skl_events),
		cmocka_unit_test(test_skl_rejects_icl_name),
		cmocka_unit_test(test_icl_events),
		cmocka_unit_test(test_zen2_events),
		cmocka_unit_test(test_generic_names_without_libpfm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
