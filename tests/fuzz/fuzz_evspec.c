// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: event specifications (perf/evspec), the -e argument: generic names, modifiers, raw
 * codes, libpfm4 names and tracepoints, one name or a comma-separated list.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ringside/perf/evspec.h"
#include "fuzz.h"

FUZZ_TARGET(evspec);

int
FUZZ_INIT(evspec)(int *argc, char ***argv)
{
	struct errbuf err = { 0 };

	(void)argc;
	(void)argv;
	if (evspec_pfm_init(&err) != 0)
		fprintf(stderr,
			"fuzz_evspec: libpfm4 unavailable (%s): PMU names are not reached\n",
			err.msg);
	return 0;
}

int
FUZZ_ONE(evspec)(const uint8_t *data, size_t size)
{
	struct evspec_list list = { 0 };
	struct errbuf err = { 0 };
	struct evspec spec, copy;
	char *text;

	/* Unknown names are answered with suggestions from every known event: keep inputs short. */
	if (size > 256)
		return 0;
	text = fuzz_cstr(data, size);
	if (evspec_parse(&spec, text, &err) == 0) {
		evspec_copy(&copy, &spec);
		(void)evspec_needs_pmu(&copy);
		evspec_fini(&copy);
		evspec_fini(&spec);
	}
	errbuf_clear(&err);
	(void)evspec_list_parse(&list, text, &err);
	evspec_list_fini(&list);
	free(text);
	return 0;
}
