// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scheduler's records into the profile: the sched tracepoints (system-wide every switch,
 * per process the target's own), per process the switch-in, FORK, EXIT and COMM records that
 * stand in for the tracepoints not opened, and the off-CPU time they give. Split from ingest.c,
 * which dispatches the records here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/ingest.h"
#include "ringside/model/offcpu.h"
#include "ringside/util/xalloc.h"
#include "ingest_impl.h"
#include "ingest_kvm.h"

void
ingest_set_sched(struct ingest *in, const struct schedtp *tp, bool targets_only, uint64_t origin_ns)
{
	in->tp = tp;
	in->sched_targets_only = targets_only;
	in->sched_origin = origin_ns;
	in->cpu_seen_words = (schedmap_ncpus(in->p->sched) + 63) / 64;
	free(in->cpu_seen);
	in->cpu_seen = xcalloc(in->cpu_seen_words + 1, sizeof(uint64_t));
}

void
ingest_set_offcpu(struct ingest *in, struct offcpu *off)
{
	in->off = off;
}

void
ingest_set_end(struct ingest *in, uint64_t end_ns)
{
	in->sched_end = end_ns;
}

/* Whether a scheduler record of time t falls after the recording's end (see ingest_set_end). */
bool
ingest_past_end(const struct ingest *in, uint64_t t)
{
	return in->sched_end && t > in->sched_end;
}

/*
 * System-wide, a CPU's first switch tells what ran there since the recording started: the task
 * switching out. Give it that time, rather than leaving the start of the timeline unknown.
 */
static void
ingest_sched_backfill(struct ingest *in, const struct sched_event *se)
{
	struct sched_event first;
	unsigned cpu = (unsigned)se->cpu;

	if (in->sched_targets_only || cpu >= in->cpu_seen_words * 64 ||
	    (in->cpu_seen[cpu / 64] & (1ull << (cpu % 64))))
		return;
	in->cpu_seen[cpu / 64] |= 1ull << (cpu % 64);
	if (se->time <= in->sched_origin)
		return;
	memset(&first, 0, sizeof(first));
	first.type = SCHED_SWITCH;
	first.time = in->sched_origin;
	first.cpu = se->cpu;
	first.prev_pid = -1;
	first.next_pid = se->prev_pid;
	memcpy(first.next_comm, se->prev_comm, sizeof(first.next_comm));
	first.next_prio = se->prev_prio;
	schedmap_event(in->p->sched, &first);
}

/* A switch-in record of a target's task (per-process mode): it starts running now. */
void
ingest_switch_in(struct ingest *in, const struct sampler_event *ev,
		 const struct perf_event_header *h)
{
	struct ingest_thread *t;
	struct decode_id id;
	struct sched_event se;
	bool out;

	if (!in->tp || !in->p->sched || !in->sched_targets_only)
		return;
	if (decode_switch(&ev->layout, h, &id, &out) < 0) {
		in->p->sampling.bad_records++;
		return;
	}
	if (out)
		return; /* sched_switch already says so, with the state */
	if (ingest_past_end(in, id.time))
		return;
	memset(&se, 0, sizeof(se));
	se.type = SCHED_SWITCH;
	se.time = id.time;
	se.cpu = (int)id.cpu;
	se.prev_pid = -1;
	se.next_pid = (int32_t)id.tid;
	schedmap_mark_target(in->p->sched, (int32_t)id.tid);
	schedmap_set_pid(in->p->sched, (int32_t)id.tid, (int32_t)id.pid);
	t = ingest_thread_get(in, (pid_t)id.pid, (pid_t)id.tid);
	if (t->last_cpu >= 0 && t->last_cpu != (int)id.cpu) {
		struct sched_event mig = { .type = SCHED_MIGRATE,
					   .time = id.time,
					   .cpu = (int)id.cpu,
					   .pid = (int32_t)id.tid,
					   .orig_cpu = t->last_cpu,
					   .dest_cpu = (int)id.cpu };

		schedmap_event(in->p->sched, &mig);
	}
	t->last_cpu = (int)id.cpu;
	schedmap_event(in->p->sched, &se);
	if (in->off)
		offcpu_in(in->off, (int32_t)id.tid, id.time);
}

/* A task of process pid exits: its off-CPU wait, if any, ends. */
static void
ingest_offcpu_exit(struct ingest *in, pid_t pid, const struct sched_event *se)
{
	struct ingest_thread *t = ingest_thread_get(in, pid, (pid_t)se->pid);

	ingest_thread_named(in, t);
	offcpu_exit(in->off, se->pid, se->time, t->process_frame, t->thread_frame);
}

/*
 * Off-CPU time from a scheduler record: the task switching out leaves its stack (the tracepoint's
 * callchain) pending, the one switching in (system-wide; per process, its switch record) ends its
 * wait, an exiting task ends its last run.
 */
static void
ingest_offcpu(struct ingest *in, const struct decode_sample *s, const struct sched_event *se)
{
	struct ingest_thread *t;
	bool known = true;
	size_t len;

	if (se->type == SCHED_EXIT && se->pid > 0) {
		ingest_offcpu_exit(in, (pid_t)s->pid, se);
		return;
	}
	if (se->type != SCHED_SWITCH)
		return;
	if (se->prev_pid > 0 && (pid_t)s->tid == se->prev_pid) {
		t = ingest_thread_get(in, (pid_t)s->pid, (pid_t)s->tid);
		ingest_thread_named(in, t);
		len = ingest_path_of(in, t, s, &known);
		offcpu_out(in->off, se->prev_pid, se->time, se->prev_state, in->path, len);
	}
	if (!in->sched_targets_only && se->next_pid > 0)
		offcpu_in(in->off, se->next_pid, se->time);
}

/* A tracepoint's record: handed to the scheduler timeline, when one is kept. */
void
ingest_tracepoint(struct ingest *in, const struct sampler_event *ev,
		  const struct perf_event_header *h)
{
	struct decode_sample s;
	struct sched_event se;

	if (in->kvm && ev->index >= in->kvm_base && ev->index < in->kvm_base + KVMTP_NR_TYPES) {
		if (decode_sample(&ev->layout, h, &s) < 0 ||
		    (!ingest_past_end(in, s.time) &&
		     ingest_kvm_record(in->p, in->kvm, ev->index - in->kvm_base, &s) < 0))
			in->p->sampling.bad_records++;
		return;
	}
	if (!in->tp || !in->p->sched || ev->index >= SCHEDTP_NR_TYPES)
		return;
	if (decode_sample(&ev->layout, h, &s) < 0 ||
	    schedtp_decode(in->tp, (enum sched_event_type)ev->index, s.raw, s.raw_size, &se) < 0) {
		in->p->sampling.bad_records++;
		return;
	}
	se.time = s.time;
	se.cpu = (int)s.cpu;
	if (ingest_past_end(in, se.time))
		return;
	if (se.type == SCHED_SWITCH)
		in->p->sched_switches++;
	/*
	 * Per process, a migration is done by the migration thread, whose tracepoint is not the
	 * target's: migrations are seen instead as a switch-in on another CPU (ingest_switch_in).
	 * Forks, new tasks' wake-ups and exits come from FORK and EXIT records (ingest_sideband),
	 * execs from COMM records (ingest_exec).
	 */
	if (in->sched_targets_only &&
	    (se.type == SCHED_MIGRATE || se.type == SCHED_FORK || se.type == SCHED_WAKEUP_NEW ||
	     se.type == SCHED_EXIT || se.type == SCHED_EXEC))
		return;
	if (in->sched_targets_only) {
		schedmap_mark_target(in->p->sched, (int32_t)s.tid);
		if (se.type == SCHED_SWITCH) {
			struct ingest_thread *t = ingest_thread_get(in, (pid_t)s.pid, (pid_t)s.tid);

			/* Where the target ran: the first migration is a switch-in elsewhere. */
			t->last_cpu = se.cpu;
			/*
			 * Only the target's own events are seen: what runs after it is not known
			 * to stop, so it is "other"; a target switched in says so by its record.
			 */
			se.next_pid = -1;
		}
	}
	schedmap_set_pid(in->p->sched, (int32_t)s.tid, (int32_t)s.pid);
	if (in->off)
		ingest_offcpu(in, &s, &se);
	if (se.type == SCHED_SWITCH)
		ingest_sched_backfill(in, &se);
	schedmap_event(in->p->sched, &se);
}

/*
 * Per process, a FORK or EXIT record of a target's task as the scheduler events the tracepoints
 * would have given (they are not opened: each event a task carries costs at every switch).
 */
void
ingest_sideband(struct ingest *in, uint16_t type, const struct decode_task *task,
		const struct decode_id *id)
{
	const struct task *child = tasks_find(in->p->tasks, (pid_t)task->tid);
	const struct task *parent = tasks_find(in->p->tasks, (pid_t)task->ptid);
	struct sched_event se = { .time = task->time, .cpu = (int)id->cpu };

	if (!in->tp || !in->p->sched || !in->sched_targets_only || ingest_past_end(in, se.time))
		return;
	schedmap_set_pid(in->p->sched, (int32_t)task->tid, (int32_t)task->pid);
	if (type == PERF_RECORD_FORK) {
		se.type = SCHED_FORK;
		se.parent_pid = (int32_t)task->ptid;
		se.child_pid = (int32_t)task->tid;
		if (parent)
			memcpy(se.parent_comm, parent->comm, sizeof(se.parent_comm));
		if (child)
			memcpy(se.child_comm, child->comm, sizeof(se.child_comm));
		schedmap_mark_target(in->p->sched, (int32_t)task->ptid);
		schedmap_event(in->p->sched, &se);
		/* wake_up_new_task follows at once: the new task waits to run from here. */
		se = (struct sched_event){ .type = SCHED_WAKEUP_NEW,
					   .time = task->time,
					   .cpu = (int)id->cpu,
					   .pid = (int32_t)task->tid,
					   .target_cpu = (int)id->cpu };
		if (child)
			memcpy(se.comm, child->comm, sizeof(se.comm));
		schedmap_event(in->p->sched, &se);
		return;
	}
	se.type = SCHED_EXIT;
	se.pid = (int32_t)task->tid;
	if (child)
		memcpy(se.comm, child->comm, sizeof(se.comm));
	schedmap_mark_target(in->p->sched, se.pid);
	if (in->off)
		ingest_offcpu_exit(in, (pid_t)task->pid, &se);
	schedmap_event(in->p->sched, &se);
	/*
	 * An exiting task's own events are torn down before its last switch, so a target's final
	 * switch-out never arrives: its run ends here, and what follows is unknown.
	 */
	se = (struct sched_event){ .type = SCHED_SWITCH,
				   .time = task->time,
				   .cpu = (int)id->cpu,
				   .prev_pid = (int32_t)task->tid,
				   .prev_state = 0x20 /* zombie */,
				   .next_pid = -1 };
	if (child)
		memcpy(se.prev_comm, child->comm, sizeof(se.prev_comm));
	schedmap_event(in->p->sched, &se);
}

/*
 * Per process, a target's exec from its COMM record, as sched_process_exec would say it (that
 * tracepoint is not opened: each event a task carries costs at every switch); the new name is
 * the program's base name, as the tracepoint's filename gives it. The record names the process
 * after the exec, not the thread that called it: the scheduler map takes the one running there.
 */
void
ingest_exec(struct ingest *in, const struct decode_comm *comm, const struct decode_id *id)
{
	struct sched_event se = {
		.type = SCHED_EXEC, .time = id->time, .cpu = (int)id->cpu, .pid = (int32_t)comm->tid
	};

	if (!in->tp || !in->p->sched || !in->sched_targets_only || ingest_past_end(in, se.time))
		return;
	snprintf(se.filename, sizeof(se.filename), "%s", comm->comm);
	schedmap_set_pid(in->p->sched, se.pid, (int32_t)comm->pid);
	schedmap_mark_target(in->p->sched, se.pid);
	schedmap_event(in->p->sched, &se);
}
