// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: snapshot JSON (export/snapshot's reader), the format `ringside view` and
 * `ringside export` accept from anyone. A snapshot that parses is written out again and the
 * result must parse too (the reader accepts nothing the writer cannot represent); it is also
 * exported as folded stacks and as an HTML page, as `ringside export` would, and cut to its second
 * half as `ringside export --range` would, which must parse again too. The diff's reader
 * (snapshot_parse_diff) reads every input too: it must accept what the full reader accepts, with
 * the same stack tree and tasks.
 */
#include <stdio.h>
#include <stdlib.h>

#include "ringside/app/range.h"
#include "ringside/export/folded.h"
#include "ringside/export/html.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "fuzz.h"

FUZZ_TARGET(snapshot);

int
FUZZ_INIT(snapshot)(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Cut p to its second half (app/range) and check that the snapshot written of it parses. */
static void
fuzz_snapshot_range(struct profile *p)
{
	struct profile *again = NULL;
	struct errbuf err = { 0 };
	char text[64], *out = NULL;
	size_t outlen = 0;
	FILE *fp;

	snprintf(text, sizeof(text), "%.6f-", (double)range_span(p) / 2e9);
	if (range_apply(p, text, "fuzz", &err) != 0)
		return;
	fp = open_memstream(&out, &outlen);
	if (!fp)
		return;
	if (snapshot_write(p, fp, &err) == 0) {
		fclose(fp);
		if (snapshot_parse(out, outlen, &again, &err) != 0) {
			fprintf(stderr, "fuzz_snapshot: a range written out does not parse: %s\n",
				err.msg);
			abort();
		}
	} else {
		fclose(fp);
	}
	free(out);
	profile_free(again);
}

/* The diff's reader against the full one's p (NULL: the full reader refused the input). */
static void
fuzz_snapshot_diff(const struct profile *p, const struct profile *d, const char *msg)
{
	if (!p)
		return;
	if (!d) {
		fprintf(stderr, "fuzz_snapshot: the diff reader refuses a snapshot: %s\n", msg);
		abort();
	}
	if ((p->stacks != NULL) != (d->stacks != NULL) ||
	    (p->sched != NULL) != (d->sched != NULL) ||
	    (p->stacks && (stacktree_nnodes(p->stacks) != stacktree_nnodes(d->stacks) ||
			   stacktree_samples(p->stacks) != stacktree_samples(d->stacks))) ||
	    (p->sched && schedmap_ntasks(p->sched) != schedmap_ntasks(d->sched)) ||
	    p->ntracks != d->ntracks) {
		fprintf(stderr, "fuzz_snapshot: the diff reader reads a snapshot differently\n");
		abort();
	}
}

int
FUZZ_ONE(snapshot)(const uint8_t *data, size_t size)
{
	struct profile *p = NULL, *again = NULL, *d = NULL;
	struct errbuf err = { 0 }, derr = { 0 };
	char *out = NULL;
	size_t outlen = 0;
	FILE *fp;

	snapshot_parse_diff((const char *)data, size, &d, &derr);
	snapshot_parse((const char *)data, size, &p, &err);
	fuzz_snapshot_diff(p, d, derr.msg);
	profile_free(d);
	if (!p)
		return 0;
	fp = open_memstream(&out, &outlen);
	if (fp && snapshot_write(p, fp, &err) == 0) {
		fclose(fp);
		if (snapshot_parse(out, outlen, &again, &err) != 0) {
			fprintf(stderr,
				"fuzz_snapshot: a parsed snapshot written back does not parse: "
				"%s\n",
				err.msg);
			abort();
		}
	} else if (fp) {
		fclose(fp);
	}
	free(out);
	out = NULL;
	fp = open_memstream(&out, &outlen);
	if (fp) {
		(void)folded_write(p, fp, &err);
		(void)html_write(p, fp, &err);
		fclose(fp);
	}
	free(out);
	fuzz_snapshot_range(p);
	profile_free(again);
	profile_free(p);
	return 0;
}
