// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for util/strdist: the edit distance and the "did you mean" list built from it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/strdist.h"

static void
test_levenshtein_values(void **state)
{
	(void)state;
	assert_int_equal(strdist_levenshtein("kitten", "sitting"), 3);
	assert_int_equal(strdist_levenshtein("sitting", "kitten"), 3);
	assert_int_equal(strdist_levenshtein("flaw", "lawn"), 2);
	assert_int_equal(strdist_levenshtein("", ""), 0);
	assert_int_equal(strdist_levenshtein("", "abc"), 3);
	assert_int_equal(strdist_levenshtein("abc", ""), 3);
	assert_int_equal(strdist_levenshtein("cycles", "cycles"), 0);
	assert_int_equal(strdist_levenshtein("cyclez", "cycles"), 1);
	assert_int_equal(strdist_levenshtein("cycles", "cyclesx"), 1);
	assert_int_equal(strdist_levenshtein("sched:sched_swich", "sched:sched_switch"), 1);
	assert_int_equal(strdist_levenshtein("abcdef", "badcfe"), 4);
	/* a long pair, to catch fixed-size buffers */
	char a[301], b[301];
	memset(a, 'a', 300);
	a[300] = '\0';
	memset(b, 'a', 300);
	b[300] = '\0';
	b[150] = 'b';
	assert_int_equal(strdist_levenshtein(a, b), 1);
	b[299] = '\0';
	assert_int_equal(strdist_levenshtein(a, b), 2);
}

static void
test_levenshtein_ignores_case(void **state)
{
	(void)state;
	assert_int_equal(strdist_levenshtein("KITTEN", "kitten"), 0);
	assert_int_equal(strdist_levenshtein("Kitten", "SITTING"), 3);
	assert_int_equal(strdist_levenshtein("INST_RETIRED.ANY", "inst_retired.any"), 0);
}

static void
test_best_picks_closest(void **state)
{
	(void)state;
	struct strdist_best best;

	strdist_best_init(&best, "cyclez");
	strdist_best_offer(&best, "cache-misses");
	strdist_best_offer(&best, "cycles");
	strdist_best_offer(&best, "instructions");
	assert_int_equal(best.n, 1);
	assert_string_equal(best.names[0], "cycles");
	assert_int_equal(best.dist[0], 1);
	char *s = strdist_best_format(&best);
	assert_non_null(s);
	assert_string_equal(s, "cycles");
	free(s);
}

static void
test_best_keeps_three_closest(void **state)
{
	(void)state;
	struct strdist_best best;
	const char *q = "stalled-cycles-frontend";

	strdist_best_init(&best, q);
	/* distances 4, 2, 1, 3, 0 offered out of order */
	strdist_best_offer(&best, "stalled-cycles-fronWXYZ");
	strdist_best_offer(&best, "stalled-cycles-fronteYZ");
	strdist_best_offer(&best, "stalled-cycles-frontenZ");
	strdist_best_offer(&best, "stalled-cycles-frontXYZ");
	strdist_best_offer(&best, "Stalled-Cycles-Frontend");
	assert_int_equal(best.n, 3);

	bool seen0 = false, seen1 = false, seen2 = false;
	for (size_t i = 0; i < best.n; i++) {
		assert_int_equal(best.dist[i], strdist_levenshtein(q, best.names[i]));
		if (strcmp(best.names[i], "Stalled-Cycles-Frontend") == 0)
			seen0 = true;
		else if (strcmp(best.names[i], "stalled-cycles-frontenZ") == 0)
			seen1 = true;
		else if (strcmp(best.names[i], "stalled-cycles-fronteYZ") == 0)
			seen2 = true;
		else
			fail_msg("kept '%s', which is not among the three closest", best.names[i]);
	}
	assert_true(seen0 && seen1 && seen2);

	/* closest first, as the user reads it */
	char *s = strdist_best_format(&best);
	assert_string_equal(s,
			    "Stalled-Cycles-Frontend, stalled-cycles-frontenZ or stalled-cycles-fronteYZ");
	free(s);
}

static void
test_best_rejects_far_names(void **state)
{
	(void)state;
	struct strdist_best best;

	strdist_best_init(&best, "cyclez");
	strdist_best_offer(&best, "zzzzzzzzzzzzzzzz");
	strdist_best_offer(&best, "alignment-faults");
	strdist_best_offer(&best, "sched:sched_switch");
	assert_int_equal(best.n, 0);
	char *s = strdist_best_format(&best);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);

	/* nothing offered at all */
	strdist_best_init(&best, "anything");
	s = strdist_best_format(&best);
	assert_string_equal(s, "");
	free(s);
}

static void
test_format_joins(void **state)
{
	(void)state;
	struct strdist_best best;

	strdist_best_init(&best, "cache-referencez");
	strdist_best_offer(&best, "cache-referencexy");
	strdist_best_offer(&best, "cache-references");
	assert_int_equal(best.n, 2);
	char *s = strdist_best_format(&best);
	assert_string_equal(s, "cache-references or cache-referencexy");
	free(s);

	/* three at the same distance: "a, b or c" in some order */
	strdist_best_init(&best, "page-faultz");
	strdist_best_offer(&best, "page-faulta");
	strdist_best_offer(&best, "page-faultb");
	strdist_best_offer(&best, "page-faultc");
	assert_int_equal(best.n, 3);
	s = strdist_best_format(&best);
	assert_int_equal(strlen(s), strlen("page-faulta, page-faultb or page-faultc"));
	const char *comma = strstr(s, ", ");
	const char *or = strstr(s, " or ");
	assert_non_null(comma);
	assert_non_null(or);
	assert_true(comma < or);
	assert_null(strstr(comma + 2, ", "));
	assert_non_null(strstr(s, "page-faulta"));
	assert_non_null(strstr(s, "page-faultb"));
	assert_non_null(strstr(s, "page-faultc"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levenshtein_values),
		cmocka_unit_test(test_levenshtein_ignores_case),
		cmocka_unit_test(test_best_picks_closest),
		cmocka_unit_test(test_best_keeps_three_closest),
		cmocka_unit_test(test_best_rejects_far_names),
		cmocka_unit_test(test_format_joins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
