// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 'ringside diff': two snapshots loaded, diffed and written out. Each input is read whole before
 * anything is written, so a bad second file names itself and leaves no output behind. With
 * --range-a/--range-b a side is a time range of its recording (read as export --range reads it,
 * app/range.h), and the diff is range against range (view/diff_range).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>

#include "ringside/app/compare.h"
#include "ringside/app/range.h"
#include "ringside/export/diff_export.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/model/stacktree_range.h"
#include "ringside/util/clock.h"
#include "ringside/view/diff_range.h"

/*
 * Load path into *p and, with a range, put the range's tree in place of its stacks (side gets
 * what it is). The counters stay whole: diff_range_new takes them over the range, cutting the
 * intervals at its ends, which range_apply's cut series (whole intervals) would not allow.
 */
static int
compare_side(const char *path, const char *range, const char *opt, struct profile **p,
	     struct diff_range_side *side, struct errbuf *err)
{
	char why[sizeof(err->msg)];
	struct stacktree *t;
	/* Without a range only what a diff shows is read (snapshot_parse_diff): seconds less. */
	int rc = range ? snapshot_load(path, p, err) : snapshot_load_diff(path, p, err);

	*side = (struct diff_range_side){ .p = *p };
	if (rc < 0 || !range)
		return rc;
	if (!(*p)->stacks || !stacktree_timeline((*p)->stacks))
		return errbuf_fail(err, -EINVAL,
				   "%s has no time index (stacks.timeline): %s needs a snapshot "
				   "written by a newer ringside; record it again",
				   path, opt);
	rc = range_resolve(range, range_span(*p), &side->from_ns, &side->to_ns, err);
	if (rc < 0) {
		snprintf(why, sizeof(why), "%s", err->msg);
		errbuf_reword(err, "%s (%s): %s", opt, path, why);
		return rc;
	}
	side->ranged = true;
	t = stacktree_range_tree((*p)->stacks, side->from_ns, side->to_ns, NULL);
	stacktree_free((*p)->stacks);
	(*p)->stacks = t;
	(*p)->sampling.samples = stacktree_samples(t);
	return 0;
}

/* This process's CPU time in ns (the phases' own, whatever else loads the machine). */
static uint64_t
compare_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The start of a phase: wall and CPU time. */
struct compare_clock {
	uint64_t wall, cpu;
};

static struct compare_clock
compare_start(void)
{
	return (struct compare_clock){ clock_now_ns(), compare_cpu_ns() };
}

/* RINGSIDE_DEBUG_DIFF set: a phase's wall and CPU time on stderr (tests/bench/diff.sh reads it). */
static void
compare_timing(const char *phase, struct compare_clock since)
{
	if (getenv("RINGSIDE_DEBUG_DIFF"))
		fprintf(stderr, "diff: %s %.1f ms, cpu %.1f ms\n", phase,
			(double)(clock_now_ns() - since.wall) / 1e6,
			(double)(compare_cpu_ns() - since.cpu) / 1e6);
}

int
compare_load(const char *a, const char *b, const char *range_a, const char *range_b, unsigned flags,
	     struct diff **out, struct errbuf *err)
{
	struct profile *pa = NULL, *pb = NULL;
	struct diff_range_side sa, sb;
	struct compare_clock t = compare_start();
	int rc;

	rc = compare_side(a, range_a, "--range-a", &pa, &sa, err);
	compare_timing("load A", t);
	if (rc == 0) {
		t = compare_start();
		rc = compare_side(b, range_b, "--range-b", &pb, &sb, err);
		compare_timing("load B", t);
	}
	if (rc == 0) {
		t = compare_start();
		*out = range_a || range_b ? diff_range_new(&sa, &sb, flags)
					  : diff_new(pa, pb, flags);
		compare_timing("diff", t);
	}
	t = compare_start();
	profile_free(pa);
	profile_free(pb);
	compare_timing("free", t);
	return rc;
}

const char *
compare_name(const char *path, const char *range, char *buf, size_t len)
{
	if (!range)
		return path;
	snprintf(buf, len, "%s@%s", path, range);
	return buf;
}

int
compare_main(const char *a, const char *b, const char *range_a, const char *range_b,
	     const char *out, unsigned flags)
{
	char na[4096], nb[4096];
	struct diff_export_names names = { compare_name(a, range_a, na, sizeof(na)),
					   compare_name(b, range_b, nb, sizeof(nb)) };
	struct diff *d = NULL;
	struct errbuf err;
	struct compare_clock t;
	int rc;

	errbuf_clear(&err);
	rc = compare_load(a, b, range_a, range_b, flags, &d, &err);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return 2; /* as 'view' and 'export': an unreadable snapshot is the user's to fix */
	}
	if (d->mismatch)
		fprintf(stderr, "ringside: note: %s\n", d->mismatch);
	t = compare_start();
	rc = diff_export_save(d, &names, out, &err);
	compare_timing("write", t);
	diff_free(d);
	if (rc < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return err.class == ERRBUF_INPUT ? 2 : 1;
	}
	return 0;
}
