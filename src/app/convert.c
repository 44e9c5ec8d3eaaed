// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 'ringside export': load a snapshot (.json, or the one inside a page ringside wrote) and write it
 * again in the format its output name asks for. The command line has been checked by then; what
 * can still fail is reading the input and writing the output, each said in one line.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "ringside/app/convert.h"
#include "ringside/app/journal.h"
#include "ringside/app/range.h"
#include "ringside/export/export.h"
#include "ringside/export/folded.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/* Folded stacks of p's off-CPU or wall-clock time into out. */
static int
convert_time(const struct profile *p, const char *in, const char *out, enum timetree_mode mode,
	     struct errbuf *err)
{
	struct stacktree *t;
	int rc;

	if (!p->offcpu)
		return errbuf_fail(err, -EINVAL,
				   "%s has no off-CPU time: record with -p or -- COMMAND (or "
				   "--off-cpu system-wide) to get it",
				   in);
	t = timetree_build(p, mode);
	rc = folded_save_tree(p, t, out, err);
	stacktree_free(t);
	return rc;
}

/* Folded stacks of p's sampled event named event into out. */
static int
convert_event(const struct profile *p, const char *in, const char *out, const char *event,
	      struct errbuf *err)
{
	size_t k = profile_event_find(p, event);
	char list[512];
	size_t len = 0;

	if (k != SIZE_MAX)
		return folded_save_tree(p, profile_event_tree(p, k), out, err);
	list[0] = 0;
	for (size_t i = 0; i < profile_nsampled(p) && len < sizeof(list); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", i ? ", " : "",
					profile_event_name(p, i));
	if (!profile_nsampled(p))
		return errbuf_fail(err, -EINVAL,
				   "%s has no samples: record without --no-samples to get stacks",
				   in);
	return errbuf_fail(err, -EINVAL, "%s sampled no event '%s'; its sampled events: %s", in,
			   event, list);
}

int
convert_main(const char *in, const char *out, enum timetree_mode mode, const char *event,
	     const char *range)
{
	struct profile *p = NULL;
	struct errbuf err;
	bool cut;
	int rc;

	errbuf_clear(&err);
	rc = journal_load_any(in, &p, &err);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return 2;
	}
	cut = rc == 1;
	if (range && range_apply(p, range, in, &err) < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		profile_free(p);
		return 2;
	}
	if (event)
		rc = convert_event(p, in, out, event, &err);
	else if (mode != TIMETREE_ON)
		rc = convert_time(p, in, out, mode, &err);
	else
		rc = export_write_path(p, out, &err);
	profile_free(p);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return rc == -EINVAL ? 2 : 1;
	}
	/* A stream cut short: what arrived is written, and the failure shows in the status. */
	return cut ? 1 : 0;
}
