// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * %-expansions in output names: %h, %p, %r and %% with given values, several in one name, a host
 * name's '/' made safe; errors for an unknown or lone %, a %r without a rank and a rank that is not
 * a number; and this process's own values from the environment, in the launchers' order.
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
#include <unistd.h>

#include "ringside/util/errbuf.h"
#include "ringside/util/outpath.h"

static const struct outpath_vars vars = { "node7", 4242, "3", "PMI_RANK" };

static void
expect(const char *tmpl, const struct outpath_vars *v, const char *want)
{
	struct errbuf err;
	char *out = NULL;

	errbuf_clear(&err);
	assert_int_equal(outpath_expand_with(tmpl, v, &out, &err), 0);
	assert_string_equal(out, want);
	free(out);
}

static void
expect_error(const char *tmpl, const struct outpath_vars *v, const char *msg)
{
	struct errbuf err;
	char *out = (char *)"untouched";

	errbuf_clear(&err);
	assert_int_equal(outpath_expand_with(tmpl, v, &out, &err), -EINVAL);
	assert_null(out);
	assert_int_equal(err.class, ERRBUF_INPUT);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' lacks '%s'", err.msg, msg);
}

static void
test_expand(void **state)
{
	struct outpath_vars slash = vars;

	(void)state;
	expect("run.json", &vars, "run.json");
	expect("", &vars, "");
	expect("run-%h-%r.json", &vars, "run-node7-3.json");
	expect("/tmp/%p/%h.%p.pb.gz", &vars, "/tmp/4242/node7.4242.pb.gz");
	expect("100%%-%r.html", &vars, "100%-3.html");
	expect("%%h%%", &vars, "%h%");
	expect("%h%h%r%p", &vars, "node7node734242");
	slash.host = "a/b";
	expect("dir/%h.json", &slash, "dir/a_b.json");
}

static void
test_errors(void **state)
{
	struct outpath_vars norank = vars, badrank = vars;

	(void)state;
	expect_error("run-%x.json", &vars, "unknown %x");
	expect_error("run.json%", &vars, "lone %");
	norank.rank = NULL;
	expect_error("run-%r.json", &norank, "SLURM_PROCID");
	expect("run-%h.json", &norank, "run-node7.json"); /* no rank needed without %r */
	badrank.rank = "1a";
	expect_error("run-%r.json", &badrank, "PMI_RANK='1a'");
}

static void
test_here(void **state)
{
	struct outpath_vars v;
	char host[256], want[64];
	char *out;
	struct errbuf err;

	(void)state;
	unsetenv("OMPI_COMM_WORLD_RANK");
	unsetenv("PMIX_RANK");
	unsetenv("PMI_RANK");
	unsetenv("SLURM_PROCID");
	outpath_vars_here(&v, host, sizeof(host));
	assert_null(v.rank);
	assert_int_equal(v.pid, (long)getpid());
	assert_int_equal(gethostname(want, sizeof(want)), 0);
	assert_string_equal(v.host, want);
	setenv("SLURM_PROCID", "5", 1);
	setenv("PMI_RANK", "2", 1);
	outpath_vars_here(&v, host, sizeof(host));
	assert_string_equal(v.rank, "2"); /* PMI_RANK before SLURM_PROCID */
	setenv("OMPI_COMM_WORLD_RANK", "1", 1);
	errbuf_clear(&err);
	assert_int_equal(outpath_expand("r%r-%p", &out, &err), 0);
	snprintf(want, sizeof(want), "r1-%ld", (long)getpid());
	assert_string_equal(out, want);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_here),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
