/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the unit tests share beyond cmocka: unit_skip(), a skip with a reason. cmocka 1.1's skip()
 * takes no reason and prints "not ok N # SKIP name"; tests/unit/cmocka-tap.sh (the tests'
 * LOG_COMPILER) reads the "# SKIP: reason" line printed here and reports the test to automake as
 * "ok N - name # SKIP reason", so a skip shows in the .log and .trs as SKIP, never as PASS.
 * Include after <cmocka.h>.
 */
#ifndef RINGSIDE_TESTS_UNIT_H
#define RINGSIDE_TESTS_UNIT_H

/* Skip the running test, saying why (printf-style, one line); does not return. */
#define unit_skip(...)                                                                             \
	do {                                                                                       \
		print_message("# SKIP: " __VA_ARGS__);                                             \
		print_message("\n");                                                               \
		skip();                                                                            \
	} while (0)

#endif
