// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 'ringside diff': two snapshots loaded, diffed and written out. Each input is read whole before
 * anything is written, so a bad second file names itself and leaves no output behind.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "ringside/app/compare.h"
#include "ringside/export/diff_export.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"

int
compare_load(const char *a, const char *b, unsigned flags, struct diff **out, struct errbuf *err)
{
	struct profile *pa = NULL, *pb = NULL;
	int rc;

	rc = snapshot_load(a, &pa, err);
	if (rc < 0)
		return rc;
	rc = snapshot_load(b, &pb, err);
	if (rc < 0) {
		profile_free(pa);
		return rc;
	}
	*out = diff_new(pa, pb, flags);
	profile_free(pa);
	profile_free(pb);
	return 0;
}

int
compare_main(const char *a, const char *b, const char *out, unsigned flags)
{
	struct diff_export_names names = { a, b };
	struct diff *d = NULL;
	struct errbuf err;
	int rc;

	errbuf_clear(&err);
	rc = compare_load(a, b, flags, &d, &err);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return 2; /* as 'view' and 'export': an unreadable snapshot is the user's to fix */
	}
	if (d->mismatch)
		fprintf(stderr, "ringside: note: %s\n", d->mismatch);
	rc = diff_export_save(d, &names, out, &err);
	diff_free(d);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return err.class == ERRBUF_INPUT ? 2 : 1;
	}
	return 0;
}
