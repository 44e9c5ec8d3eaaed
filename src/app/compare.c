// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 'ringside diff': two snapshots loaded, diffed and written out. Each input is read whole before
 * anything is written, so a bad second file names itself and leaves no output behind. The two
 * files are read side by side (B in a second thread, A's tree poured into the diff meanwhile),
 * each with the diff's own reader (snapshot_parse_diff), unless a side is a range. With
 * --range-a/--range-b a side is a time range of its recording (read as export --range reads it,
 * app/range.h), and the diff is range against range (view/diff_range).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
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

/* One side's load, run in a thread of its own for B. */
struct compare_job {
	const char *path, *range, *opt;
	struct profile *p;
	struct diff_range_side side;
	struct errbuf err;
	int rc;
	double wall_ms, cpu_ms; /* the load's wall time and its thread's CPU time */
};

static void *
compare_job_run(void *arg)
{
	struct compare_job *j = arg;
	uint64_t wall = clock_now_ns();
	struct timespec c0, c1;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	errbuf_clear(&j->err);
	j->rc = compare_side(j->path, j->range, j->opt, &j->p, &j->side, &j->err);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	j->wall_ms = (double)(clock_now_ns() - wall) / 1e6;
	j->cpu_ms = (double)(c1.tv_sec - c0.tv_sec) * 1e3 + (double)(c1.tv_nsec - c0.tv_nsec) / 1e6;
	return NULL;
}

/* RINGSIDE_DEBUG_DIFF set: each side's load, wall and CPU time. */
static void
compare_timing_loads(const struct compare_job *ja, const struct compare_job *jb, bool threaded)
{
	if (getenv("RINGSIDE_DEBUG_DIFF"))
		fprintf(stderr,
			"diff: load A %.1f ms, cpu %.1f ms; load B %.1f ms, cpu %.1f ms%s\n",
			ja->wall_ms, ja->cpu_ms, jb->wall_ms, jb->cpu_ms,
			threaded ? " (side by side)" : "");
}

/*
 * Load both sides. Without ranges (the diff's own reader, nothing shared between the two) B is
 * read in a second thread while A is read here and A's tree poured into *da (diff_new_a). A's
 * problem is the one reported.
 */
static int
compare_load_both(struct compare_job *ja, struct compare_job *jb, unsigned flags, struct diff **da,
		  struct errbuf *err)
{
	struct compare_clock t = compare_start();
	pthread_t th;
	bool threaded =
		!ja->range && !jb->range && pthread_create(&th, NULL, compare_job_run, jb) == 0;

	compare_job_run(ja);
	if (threaded && ja->rc == 0)
		*da = diff_new_a(ja->p, flags);
	compare_timing("load A and A's tree", t);
	if (threaded)
		pthread_join(th, NULL);
	else if (ja->rc == 0)
		compare_job_run(jb);
	compare_timing_loads(ja, jb, threaded);
	compare_timing("load", t);
	if (ja->rc < 0 || jb->rc < 0) {
		*err = ja->rc < 0 ? ja->err : jb->err;
		return ja->rc < 0 ? ja->rc : jb->rc;
	}
	return 0;
}

int
compare_load(const char *a, const char *b, const char *range_a, const char *range_b, unsigned flags,
	     struct diff **out, struct errbuf *err)
{
	struct compare_job ja = { .path = a, .range = range_a, .opt = "--range-a" };
	struct compare_job jb = { .path = b, .range = range_b, .opt = "--range-b" };
	struct diff *da = NULL;
	struct compare_clock t;
	int rc = compare_load_both(&ja, &jb, flags, &da, err);

	if (rc == 0) {
		t = compare_start();
		if (range_a || range_b)
			*out = diff_range_new(&ja.side, &jb.side, flags);
		else
			*out = da ? diff_finish(da, ja.p, jb.p) : diff_new(ja.p, jb.p, flags);
		da = NULL;
		compare_timing("diff", t);
	}
	t = compare_start();
	diff_free(da);
	profile_free(ja.p);
	profile_free(jb.p);
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
