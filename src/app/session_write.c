// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a session leaves: the output through the temporary file opened before anything ran (or a
 * rescue copy in $TMPDIR when it cannot be written), a save on demand, and the perf-stat-like
 * summary on stderr.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/command_log.h"
#include "ringside/app/push.h"
#include "ringside/export/snapshot.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/rates.h"
#include "session_impl.h"

static void
session_format_count(char *buf, size_t len, double v)
{
	char digits[64], *out = buf;
	int n = snprintf(digits, sizeof(digits), "%.0f", v);

	for (int i = 0; i < n && (size_t)(out - buf) + 2 < len; i++) {
		*out++ = digits[i];
		if ((n - i - 1) % 3 == 0 && i != n - 1)
			*out++ = ',';
	}
	*out = '\0';
}

/* A perf-stat-like table on stderr. */
static void
session_summary(const struct session *s)
{
	const struct profile *p = s->profile;
	double secs = (double)p->meta.duration_ns / 1e9;

	fprintf(stderr, "\n Counters for %s, %.2f s:\n\n", p->meta.target_desc, secs);
	for (size_t i = 0; i < p->ntracks; i++) {
		const struct counter_track *t = &p->tracks[i];
		double value, share;
		char num[64], extra[96] = "";

		if (!t->supported || !counter_track_total(t, &value, &share)) {
			fprintf(stderr, "  %22s  %-24s %s\n", "n/a", t->name,
				t->reason ? t->reason : "not counted (never scheduled)");
			continue;
		}
		if (strcmp(t->canonical, "task-clock") == 0 ||
		    strcmp(t->canonical, "cpu-clock") == 0) {
			snprintf(num, sizeof(num), "%.2f msec", value / 1e6);
			if (secs > 0)
				snprintf(extra, sizeof(extra), "%.3f CPUs", value / 1e9 / secs);
		} else {
			session_format_count(num, sizeof(num), value);
			if (secs > 0)
				snprintf(extra, sizeof(extra), "%.1f /s", value / secs);
		}
		if (share < 0.9995)
			snprintf(extra + strlen(extra), sizeof(extra) - strlen(extra),
				 "  (%.1f%% counted)", share * 100);
		fprintf(stderr, "  %22s  %-24s %s\n", num, t->name, extra);
	}
	/* The user's ratios over the whole recording, under the events they divide. */
	for (size_t i = 0; i < p->nratios; i++) {
		const struct ratio_def *r = &p->ratios[i];
		const char *why = NULL;
		char num[64], name[96];
		double v;

		snprintf(name, sizeof(name), "%s%s", r->name, r->percent ? " %" : "");
		if (!ratio_value(p, r, SIZE_MAX, &v, &why)) {
			fprintf(stderr, "  %22s  %-24s %s / %s: %s\n", "n/a", name, r->num, r->den,
				why ? why : "no value");
			continue;
		}
		snprintf(num, sizeof(num), r->percent ? "%.2f%%" : "%.3f", v);
		fprintf(stderr, "  %22s  %-24s %s / %s\n", num, name, r->num, r->den);
	}
	fputc('\n', stderr);
}

/* Samples taken and records lost; a loss is always reported, quiet or not. */
static void
session_sampling_summary(const struct profile *p)
{
	const struct profile_sampling *sm = &p->sampling;

	if (sm->event && p->nevents) {
		/* Several sampled events: each one's samples, the losses of the rings they share.
		 */
		fprintf(stderr, "ringside: %" PRIu64 " %s samples", sm->samples, sm->event);
		for (size_t i = 0; i < p->nevents; i++)
			/* A group's event weighs counts (read with its leader's samples). */
			fprintf(stderr, ", %" PRIu64 " %s %s",
				stacktree_samples(p->events[i].stacks), p->events[i].event,
				p->events[i].counts ? "counted" : "samples");
		fprintf(stderr, ", %" PRIu64 " lost\n", sm->lost);
	} else if (sm->event) {
		fprintf(stderr, "ringside: %" PRIu64 " samples, %" PRIu64 " lost\n", sm->samples,
			sm->lost);
	}
	if (sm->lost || sm->throttled || sm->bad_records)
		fprintf(stderr,
			"ringside: warning: %" PRIu64 " records lost, %" PRIu64
			" throttling events, %" PRIu64
			" bad records; lower -F or enlarge the rings\n",
			sm->lost, sm->throttled, sm->bad_records);
}

/*
 * Save p where the output could not go: a new file of a unique name in $TMPDIR
 * (ringside-rescue-XXXXXX.json, O_EXCL, so never a planted file or symlink). Returns its name (the
 * caller's), or NULL when that failed too.
 */
static char *
session_rescue(const struct profile *p)
{
	const char *dir = outfile_tmpdir();
	struct outfile of;
	struct errbuf ignored;
	char *name;

	errbuf_clear(&ignored);
	if (outfile_open_unique(&of, dir, "ringside-rescue-", ".json", &ignored) < 0)
		return NULL;
	name = xstrdup(of.path);
	if (snapshot_write(p, of.fp, &ignored) < 0 || outfile_commit(&of, &ignored) < 0) {
		outfile_abort(&of);
		free(name);
		return NULL;
	}
	return name;
}

/* Where the monotonic time t falls in Unix time (the recording's start is known in both). */
static int64_t
session_unix_ns(const struct session *s, uint64_t t)
{
	return s->profile->meta.start_unix_ns + (int64_t)(t - s->start_ns);
}

void
session_push_tick(struct session *s)
{
	double every = s->opts->push.every_s;
	struct errbuf err;
	char why[sizeof(err.msg)];

	/* Half an interval early rather than a whole one late: ticks jitter around their time. */
	if (!s->pusher || every <= 0 ||
	    s->last_ns - s->push_last_ns + s->interval_ns / 2 < (uint64_t)(every * 1e9))
		return;
	errbuf_clear(&err);
	if (pusher_send(s->pusher, s->profile, session_unix_ns(s, s->last_ns), &err) < 0)
		session_note(s, "%s", err.msg);
	s->push_last_ns = s->last_ns;
	if (pusher_news(s->pusher, why, sizeof(why)))
		session_note(s, "%s", why);
}

/* The last part, then wait for every part to go (each with its retries). */
static int
session_push_end(struct session *s, struct errbuf *err)
{
	struct pusher *ps = s->pusher;
	int r;

	if (!ps)
		return 0;
	s->pusher = NULL;
	r = pusher_send(ps, s->profile, session_unix_ns(s, s->last_ns), err);
	if (r < 0) {
		struct errbuf ignored;

		errbuf_clear(&ignored);
		pusher_finish(ps, &ignored);
		return r;
	}
	return pusher_finish(ps, err);
}

/* A launched command's output, as the relay has kept it so far, into the profile to write. */
static void
session_take_command_output(struct session *s)
{
	const struct record_opts *o = s->opts;
	size_t dropped;

	if (!o->command_output || (o->command_tee <= 0 && o->command_error_fd <= 0))
		return;
	free(s->profile->command_output);
	s->profile->command_output =
		command_log_load(o->command_output, COMMAND_LOG_SNAPSHOT, &dropped);
	s->profile->command_output_dropped = dropped;
}

int
session_write_output(struct session *s, struct errbuf *err)
{
	char *rescue, *why;
	int r;

	if (!s->out.tmp)
		return 0;
	/* The journal's writer state is not needed now: freed before the snapshot's peak. */
	journal_rest(s->journal);
	session_take_command_output(s);
	/* Both failures name the file: export_write_as says "cannot write 'FILE': CAUSE". */
	r = export_write_as(s->profile, s->format, s->out.fp, s->output, err);
	if (r == 0)
		r = outfile_commit(&s->out, err);
	else
		outfile_abort(&s->out);
	if (r == 0) {
		/* Written: the journal has served (not written: it keeps the data for recover). */
		journal_close(s->journal, true);
		s->journal = NULL;
		/* The local file is safe now; a failed push only says so. */
		r = session_push_end(s, err);
		if (r < 0) {
			why = xstrdup(err->msg);
			errbuf_reword(err, "%s; the recording is in %s", why, s->output);
			free(why);
		}
		return r;
	}
	rescue = session_rescue(s->profile);
	if (rescue) {
		/* Everything is in the rescue copy: the journal has served too. */
		journal_close(s->journal, true);
		s->journal = NULL;
		why = xstrdup(err->msg);
		errbuf_reword(err, "%s; the recording was saved to %s instead", why, rescue);
		free(why);
		free(rescue);
	}
	return r;
}

void
session_journal_check(struct session *s)
{
	char *first = NULL;
	size_t n;

	if (!s->out.tmp)
		return;
	n = journal_find(s->output, &first);
	if (n)
		session_note(s,
			     "found the journal of a recording that ended uncleanly%s: "
			     "ringside recover %s (it is left as it is)",
			     n > 1 ? " (and more beside it)" : "", first);
	free(first);
}

void
session_journal_append(struct session *s)
{
	struct errbuf err;

	if (!s->out.tmp || s->journal_off)
		return;
	/* RINGSIDE_JOURNAL=0: no journal (benchmarks; a filesystem where fsync is dear). */
	if (!s->journal && getenv("RINGSIDE_JOURNAL") &&
	    strcmp(getenv("RINGSIDE_JOURNAL"), "0") == 0) {
		s->journal_off = true;
		return;
	}
	errbuf_clear(&err);
	if (!s->journal && journal_open(&s->journal, s->output, &err) < 0) {
		s->journal_off = true;
		session_note(s, "%s; recording goes on without a journal", err.msg);
		return;
	}
	if (journal_append(s->journal, s->profile, s->last_ns - s->start_ns, &err) < 0) {
		s->journal_off = true;
		session_note(s, "%s; recording goes on, the journal stops here", err.msg);
	}
	s->journal_bytes = journal_memory(s->journal, &s->journal_sched_bytes);
}

int
session_copy_profile(struct session *s, struct profile **out, struct errbuf *err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	int r;

	if (!mem)
		return errbuf_fail(err, -errno, "cannot copy the profile: %s", strerror(errno));
	if (!s->stopped)
		session_fill_end(s, SESSION_END_NONE);
	r = snapshot_write(s->profile, mem, err);
	if (fclose(mem) != 0 && r == 0)
		r = errbuf_fail(err, -ENOMEM, "cannot copy the profile: out of memory");
	if (r == 0)
		r = snapshot_parse(buf, len, out, err);
	free(buf);
	return r;
}

void
session_update_meta(struct session *s)
{
	if (!s->stopped)
		s->profile->meta.duration_ns = s->last_ns - s->start_ns;
}

int
session_save(struct session *s, const char *path, struct errbuf *err)
{
	struct outfile of = { 0 };
	enum export_format f = export_format_of(path);
	int r;

	if (f == EXPORT_UNKNOWN)
		return errbuf_fail(err, -EINVAL, "'%s' must end in " EXPORT_EXTENSIONS, path);
	if ((f == EXPORT_FOLDED || f == EXPORT_PPROF) && !s->profile->stacks)
		return errbuf_fail(err, -EINVAL,
				   "no stacks were sampled; save a .json snapshot instead");
	if (!s->stopped)
		session_fill_end(s, SESSION_END_NONE);
	session_take_command_output(s);
	r = outfile_open(&of, path, err);
	if (r < 0)
		return r;
	r = export_write(s->profile, f, of.fp, err);
	if (r == 0)
		r = outfile_commit(&of, err);
	outfile_abort(&of);
	return r;
}

void
session_report(const struct session *s)
{
	if (!s->opts->quiet)
		session_summary(s);
	if (s->sampler)
		session_sampling_summary(s->profile);
	if (s->profile->sched) {
		fprintf(stderr, "ringside: scheduler: %" PRIu64 " switches, %zu tasks\n",
			s->profile->sched_switches, schedmap_ntasks(s->profile->sched));
	}
	if (s->profile->kvm)
		session_kvm_report(s->profile->kvm);
}
