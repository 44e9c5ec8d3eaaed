// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the snapshot embedded in an HTML page (export/html's html_extract: element search,
 * unescaping, base64 and gzip), then the JSON it yields through the snapshot reader.
 */
#include <stdlib.h>

#include "ringside/export/html.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "fuzz.h"

FUZZ_TARGET(html);

int
FUZZ_INIT(html)(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
FUZZ_ONE(html)(const uint8_t *data, size_t size)
{
	struct errbuf err = { 0 };
	struct profile *p = NULL;
	char *json = NULL;
	size_t jlen = 0;

	(void)html_detect((const char *)data, size);
	if (html_extract((const char *)data, size, &json, &jlen, &err) != 0)
		return 0;
	if (snapshot_parse(json, jlen, &p, &err) == 0)
		profile_free(p);
	free(json);
	return 0;
}
