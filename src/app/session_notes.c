// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What a session tells the user of targets that give little or nothing: the zombies left out of
 * a PID list, a kernel thread (counted and sampled in the kernel only, while it runs), and at the
 * end a recording that took no sample at all (a command that ran for less than one sampling
 * period). Each is one line through session_note: stderr for record, the status line live.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/perf/sys.h"
#include "ringside/util/xalloc.h"
#include "session_impl.h"

/*
 * A kernel thread has no user space: its counts, samples (kernel call stacks) and switches are
 * the kernel's, taken while it runs; asleep, it gives none. Counting user space only leaves its
 * time alone (task-clock ignores the privilege level).
 */
static void
session_note_kthread(struct session *s, pid_t pid, const struct target_proc *p)
{
	bool sampled = s->sampler && !s->opts->no_samples, sched = s->sched.tp != NULL;

	if (counter_set_user_only(s->counters)) {
		session_note(s,
			     "PID %d (%s) is a kernel thread and kernel.perf_event_paranoid = %d "
			     "allows user space only: only its time (task-clock) is counted, no "
			     "other event, no samples; run as root to record it",
			     (int)pid, p->comm, sys_perf_paranoid());
		return;
	}
	session_note(s,
		     "PID %d (%s) is a kernel thread: it is counted%s%s%s while it runs; asleep, "
		     "it gives 0 counts%s; -a records the whole system",
		     (int)pid, p->comm, sampled ? (sched ? ", sampled" : " and sampled") : "",
		     sampled ? " (kernel call stacks only: it has no user space)" : "",
		     sched ? " and on the scheduler timeline" : "",
		     sampled ? " and no samples" : "");
}

void
session_note_targets(struct session *s)
{
	struct target_proc p;

	if (s->target.kind != TARGET_PIDS)
		return;
	if (s->target.note)
		session_note(s, "%s", s->target.note);
	for (size_t i = 0; i < s->target.npids; i++)
		if (target_proc_read(s->target.pids[i], &p) == 0 && p.kthread)
			session_note_kthread(s, s->target.pids[i], &p);
}

/* The target's CPU time in ns from a counted task-clock track; false when none was counted. */
static bool
session_task_clock(const struct session *s, uint64_t *ns)
{
	const struct profile *pr = s->profile;
	bool found = false;

	*ns = 0;
	for (size_t i = 0; i < pr->ntracks; i++) {
		const struct counter_track *tr = &pr->tracks[i];

		if (!tr->supported || strcmp(tr->canonical, "task-clock") != 0)
			continue;
		for (size_t k = 0; k < tr->nseries; k++) {
			uint64_t count = 0;

			counter_series_totals(&tr->series[k], &count, NULL, NULL);
			*ns += count;
		}
		found = true;
		break;
	}
	return found;
}

/* Who was recorded, for the no-samples line: "the command (true)", "PID 2", "CPUs 0-1". */
static char *
session_target_who(const struct session *s)
{
	char *cpus, *who;

	switch (s->target.kind) {
	case TARGET_COMMAND:
		return xasprintf("the command (%s)", s->target.argv[0]);
	case TARGET_SYSTEM:
		cpus = cpulist_format(&s->target.cpus);
		who = xasprintf("CPU%s %s", s->target.cpus.n == 1 ? "" : "s", cpus);
		free(cpus);
		return who;
	case TARGET_PIDS:
		break;
	}
	return target_describe(&s->target);
}

void
session_note_no_samples(struct session *s)
{
	const struct profile_sampling *sm = &s->profile->sampling;
	uint64_t ns = 0, freq = sm->freq;
	double period_ms = freq ? 1000.0 / (double)freq : 0;
	bool known = session_task_clock(s, &ns);
	char *who;

	if (!s->sampler || !sm->event || sm->samples || sm->lost)
		return;
	who = session_target_who(s);
	/* A command's life is known without task-clock: it ran from its start to the end. */
	if (!known && s->target.kind == TARGET_COMMAND && !s->target.child_running) {
		ns = s->last_ns - s->start_ns;
		known = true;
	}
	if (!freq)
		session_note(s,
			     "no samples: fewer than %" PRIu64 " %s events happened (-c %" PRIu64
			     "); lower -c to sample %s; the counts are complete",
			     sm->period, sm->event, sm->period, who);
	else if (known && !ns)
		session_note(s, "no samples: %s did not run on a CPU in %.1f s (task-clock 0)", who,
			     (double)(s->last_ns - s->start_ns) / 1e9);
	else if (known && (double)ns / 1e6 < period_ms)
		session_note(s,
			     "no samples: %s ran for %.1f ms, shorter than one sampling period at "
			     "%" PRIu64
			     " Hz (%.1f ms); raise -F to sample it; the counts are complete",
			     who, (double)ns / 1e6, freq, period_ms);
	else if (known)
		session_note(
			s,
			"no samples: %s ran for %.1f ms but was not on a CPU when a sample was "
			"due at %" PRIu64 " Hz; raise -F to sample it; the counts are complete",
			who, (double)ns / 1e6, freq);
	else
		session_note(s,
			     "no samples in %.1f s at %" PRIu64
			     " Hz: %s hardly ran on a CPU, or not "
			     "at all (the counts say how much); raise -F to sample it",
			     (double)(s->last_ns - s->start_ns) / 1e9, freq, who);
	free(who);
}
