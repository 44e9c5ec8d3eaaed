// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the stream format (export/stream's reader), what `ringside recover`, `view` and
 * `export` read from a journal left by a killed recording and what `view -` is to read from a
 * remote host, version 2's scheduler timeline (S, T, r, o) and events added live (e, E) included
 * (seeds: sched.journal, sched-cut.journal). A stream that reads is written out as a snapshot and
 * as folded stacks, as recover and export would.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ringside/export/folded.h"
#include "ringside/export/snapshot.h"
#include "ringside/export/stream.h"
#include "ringside/model/profile.h"
#include "fuzz.h"

FUZZ_TARGET(stream);

int
FUZZ_INIT(stream)(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int
FUZZ_ONE(stream)(const uint8_t *data, size_t size)
{
	struct profile *p = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	char *out = NULL;
	size_t outlen = 0;
	FILE *in, *fp;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	if (stream_read(in, "fuzz", &p, &st, &err) == 0) {
		fp = open_memstream(&out, &outlen);
		if (fp) {
			(void)snapshot_write(p, fp, &err);
			(void)folded_write(p, fp, &err);
			fclose(fp);
		}
		free(out);
	}
	fclose(in);
	profile_free(p);
	return 0;
}
