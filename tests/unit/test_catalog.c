// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for perf/catalog's search: catalog_filter ranks the event browser's matches (name
 * equal, name prefix, name substring, description only), globs and case folding; and the real
 * catalog holds the generic software events with descriptions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ringside/perf/catalog.h"
#include "ringside/util/xalloc.h"

static void
add(struct catalog *cat, const char *name, const char *desc, const char *group)
{
	cat->v = xreallocarray(cat->v, cat->n + 1, sizeof(*cat->v));
	cat->v[cat->n++] = (struct catalog_entry){ xstrdup(name), xstrdup(desc), group, true };
	cat->cap = cat->n;
}

static struct catalog
sample_catalog(void)
{
	struct catalog cat = { 0 };

	add(&cat, "major-faults", "Major page faults (needing I/O)", "software");
	add(&cat, "minor-faults", "Minor page faults", "software");
	add(&cat, "page-faults", "Page faults (minor and major)", "software");
	add(&cat, "exceptions:page_fault_user", "Tracepoint exceptions:page_fault_user",
	    "tracepoint");
	add(&cat, "page-faults-extra", "Not a real event", "software");
	add(&cat, "cycles", "CPU cycles", "hardware");
	return cat;
}

/* The names of the first n filtered entries, space separated. */
static char *
names(const struct catalog *cat, const size_t *idx, size_t n)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < n; i++) {
		char *next = xasprintf("%s%s%s", s, i ? " " : "", cat->v[idx[i]].name);

		free(s);
		s = next;
	}
	return s;
}

static void
expect(const struct catalog *cat, const char *pattern, const char *want)
{
	size_t *idx = xcalloc(cat->n + 1, sizeof(size_t));
	size_t n = catalog_filter(cat, pattern, idx);
	char *got = names(cat, idx, n);

	if (strcmp(got, want) != 0)
		fail_msg("filter '%s': got '%s', want '%s'", pattern ? pattern : "(null)", got,
			 want);
	free(got);
	free(idx);
}

static void
test_filter_ranks(void **state)
{
	(void)state;
	struct catalog cat = sample_catalog();

	/* Equal name first, then prefix, then description-only matches, catalog order within. */
	expect(&cat, "page-faults", "page-faults page-faults-extra");
	expect(&cat, "PAGE",
	       "page-faults page-faults-extra exceptions:page_fault_user major-faults "
	       "minor-faults");
	expect(&cat, "faults", "major-faults minor-faults page-faults page-faults-extra");
	expect(&cat, "cycles", "cycles");
	expect(&cat, "no such thing", "");
	catalog_fini(&cat);
}

static void
test_filter_empty_and_glob(void **state)
{
	(void)state;
	struct catalog cat = sample_catalog();

	expect(&cat, "",
	       "major-faults minor-faults page-faults exceptions:page_fault_user "
	       "page-faults-extra cycles");
	expect(&cat, NULL,
	       "major-faults minor-faults page-faults exceptions:page_fault_user "
	       "page-faults-extra cycles");
	/* A glob matches whole names (or whole descriptions). */
	expect(&cat, "m*-faults", "major-faults minor-faults");
	expect(&cat, "exceptions:*", "exceptions:page_fault_user");
	expect(&cat, "*I/O*", "major-faults");
	catalog_fini(&cat);
}

static void
test_real_catalog(void **state)
{
	(void)state;
	struct catalog cat;
	size_t *idx, n;

	catalog_build(&cat, CATALOG_NO_TRACEPOINTS);
	idx = xcalloc(cat.n + 1, sizeof(size_t));
	n = catalog_filter(&cat, "page-faults", idx);
	assert_true(n >= 1);
	assert_string_equal(cat.v[idx[0]].name, "page-faults");
	assert_true(cat.v[idx[0]].supported);
	assert_true(strlen(cat.v[idx[0]].desc) > 5);
	assert_string_equal(cat.v[idx[0]].group, "software");
	free(idx);
	catalog_fini(&cat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_ranks),
		cmocka_unit_test(test_filter_empty_and_glob),
		cmocka_unit_test(test_real_catalog),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
