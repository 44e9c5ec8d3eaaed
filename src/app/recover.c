// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 'ringside recover': read a journal (app/journal), rebuild the profile from its whole intervals
 * and write it with the usual writers, so a recovered snapshot has the shape of any other. What
 * was recovered and what the tail lost are said on stderr, one line each.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ringside/app/journal.h"
#include "ringside/app/recover.h"
#include "ringside/export/export.h"
#include "ringside/util/errbuf.h"

/* The line on what the tail lost. */
static void
recover_say_tail(const struct stream_stats *st)
{
	if (st->ended)
		fputs("ringside: nothing lost: the journal ended cleanly\n", stderr);
	else if (!st->lost_bytes)
		fputs("ringside: lost at the tail: nothing (the journal ends at a whole interval; "
		      "the "
		      "recording's last partial interval was not yet journaled)\n",
		      stderr);
	else
		fprintf(stderr,
			"ringside: lost at the tail: the interval under way (%zu whole line%s, %zu "
			"byte%s in all, after %.2f s)\n",
			st->lost_lines, st->lost_lines == 1 ? "" : "s", st->lost_bytes,
			st->lost_bytes == 1 ? "" : "s", (double)st->duration_ns / 1e9);
}

int
recover_main(const char *path, const char *out, bool keep)
{
	struct profile *p = NULL;
	struct stream_stats st;
	struct errbuf err;
	char *dest = NULL;
	int rc;

	errbuf_clear(&err);
	if (journal_load(path, &p, &st, &err) < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return 2;
	}
	dest = out ? NULL : journal_output_of(path);
	if (!out && !dest) {
		fprintf(stderr,
			"ringside: '%s' is not named .NAME.journal, so its output is unknown; give "
			"-o OUT\n",
			path);
		profile_free(p);
		return 2;
	}
	if (!out && !export_format_known(dest)) {
		fprintf(stderr,
			"ringside: the journal's output '%s' has no known extension; give -o "
			"OUT (ending in " EXPORT_EXTENSIONS ")\n",
			dest);
		free(dest);
		profile_free(p);
		return 2;
	}
	rc = export_write_path(p, out ? out : dest, &err);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		free(dest);
		profile_free(p);
		return rc == -EINVAL ? 2 : 1;
	}
	fprintf(stderr,
		"ringside: recovered %zu interval%s, %" PRIu64 " samples, %.2f s from %s into %s\n",
		st.intervals, st.intervals == 1 ? "" : "s", p->sampling.samples,
		(double)st.duration_ns / 1e9, path, out ? out : dest);
	recover_say_tail(&st);
	if (!keep && journal_in_use(path))
		fprintf(stderr,
			"ringside: kept the journal %s: a running ringside still writes it (this "
			"snapshot holds what it had so far)\n",
			path);
	else if (!keep && unlink(path) == 0)
		fprintf(stderr, "ringside: removed the journal %s (--keep keeps it)\n", path);
	free(dest);
	profile_free(p);
	return 0;
}
