/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hand-made perf records for the ingest tests (test_ingest, test_replay): each record is laid out
 * as the kernel writes it for the sample_type the sampler asks for (perf/sampler.c), built in a
 * buffer and handed straight to ingest_record. Side-band records carry the sample_id trailer
 * (pid/tid, time, cpu, identifier). Tracepoint samples carry a raw payload laid out by the seven
 * sched format files records_tracefs writes (char[16] comms, as on current kernels), which a
 * schedtp reads back. Pids are above PID_MAX_LIMIT (4194304), so no /proc/PID and no
 * /tmp/perf-PID.map exists for them: every address resolves the same on every machine.
 */
#ifndef RINGSIDE_TESTS_RECORDS_H
#define RINGSIDE_TESTS_RECORDS_H

#include <linux/perf_event.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/app/ingest.h"
#include "ringside/perf/sampler.h"
#include "ringside/perf/schedtp.h"
#include "ringside/util/xalloc.h"

#define RECORDS_ST_SAMPLE                                                                          \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |            \
	 PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD | PERF_SAMPLE_CALLCHAIN)
#define RECORDS_ST_TRACEPOINT                                                                      \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU |           \
	 PERF_SAMPLE_RAW)

/* The identifier every record carries (not checked by ingest: the event is passed along). */
#define RECORDS_ID 77u

/* A feeder: the events, the record being built, where records go. */
struct records {
	struct ingest *in;
	struct sampler_event sample;
	struct sampler_event tp[SCHEDTP_NR_TYPES];
	union {
		struct perf_event_header h;
		uint64_t buf[1024];
	} r;
	size_t len;	 /* bytes of the record so far */
	uint32_t cpu;	 /* the CPU in side-band trailers */
	uint64_t period; /* of samples */
	bool hold;	 /* build records without handing them to ingest */
};

static inline void
records_init(struct records *rs, struct ingest *in)
{
	memset(rs, 0, sizeof(*rs));
	rs->in = in;
	rs->period = 1000;
	rs->sample = (struct sampler_event){
		.kind = SAMPLER_EVENT_SAMPLE,
		.name = "cycles",
		.layout = { .sample_type = RECORDS_ST_SAMPLE, .sample_id_all = true },
	};
	for (size_t i = 0; i < SCHEDTP_NR_TYPES; i++)
		rs->tp[i] = (struct sampler_event){
			.kind = SAMPLER_EVENT_TRACEPOINT,
			.index = i,
			.name = schedtp_name((enum sched_event_type)i),
			.layout = { .sample_type = RECORDS_ST_TRACEPOINT, .sample_id_all = true },
		};
}

static inline void
records_start(struct records *rs, uint32_t type, uint16_t misc)
{
	memset(&rs->r, 0, sizeof(rs->r));
	rs->r.h.type = type;
	rs->r.h.misc = misc;
	rs->len = sizeof(rs->r.h);
}

static inline void
records_put(struct records *rs, const void *p, size_t n)
{
	memcpy((unsigned char *)rs->r.buf + rs->len, p, n);
	rs->len += n;
}

static inline void
records_u64(struct records *rs, uint64_t v)
{
	records_put(rs, &v, 8);
}

static inline void
records_u32x2(struct records *rs, uint32_t a, uint32_t b)
{
	records_put(rs, &a, 4);
	records_put(rs, &b, 4);
}

/* A NUL-terminated string padded with NULs to a multiple of 8 bytes. */
static inline void
records_str(struct records *rs, const char *s)
{
	size_t n = strlen(s) + 1;

	records_put(rs, s, n);
	rs->len = (rs->len + 7) & ~(size_t)7;
}

/* The sample_id trailer of a side-band record. */
static inline void
records_trailer(struct records *rs, uint32_t pid, uint32_t tid, uint64_t time)
{
	records_u32x2(rs, pid, tid);
	records_u64(rs, time);
	records_u32x2(rs, rs->cpu, 0);
	records_u64(rs, RECORDS_ID);
}

/* Finish the record and hand it to ingest as written by ev (unless rs->hold). */
static inline void
records_send(struct records *rs, const struct sampler_event *ev)
{
	rs->len = (rs->len + 7) & ~(size_t)7;
	rs->r.h.size = (uint16_t)rs->len;
	if (!rs->hold)
		ingest_record(rs->in, ev, &rs->r.h);
}

static inline void
records_comm(struct records *rs, uint32_t pid, uint32_t tid, const char *comm, bool exec,
	     uint64_t time)
{
	records_start(rs, PERF_RECORD_COMM, exec ? PERF_RECORD_MISC_COMM_EXEC : 0);
	records_u32x2(rs, pid, tid);
	records_str(rs, comm);
	records_trailer(rs, pid, tid, time);
	records_send(rs, &rs->sample);
}

/* FORK (child pid/tid from parent ppid/ptid) or EXIT (type says). */
static inline void
records_task(struct records *rs, uint32_t type, uint32_t pid, uint32_t ppid, uint32_t tid,
	     uint32_t ptid, uint64_t time)
{
	records_start(rs, type, 0);
	records_u32x2(rs, pid, ppid);
	records_u32x2(rs, tid, ptid);
	records_u64(rs, time);
	records_trailer(rs, pid, tid, time);
	records_send(rs, &rs->sample);
}

static inline void
records_fork(struct records *rs, uint32_t ppid, uint32_t ptid, uint32_t pid, uint32_t tid,
	     uint64_t time)
{
	records_task(rs, PERF_RECORD_FORK, pid, ppid, tid, ptid, time);
}

static inline void
records_exit(struct records *rs, uint32_t pid, uint32_t tid, uint64_t time)
{
	records_task(rs, PERF_RECORD_EXIT, pid, pid, tid, tid, time);
}

static inline void
records_mmap2(struct records *rs, uint32_t pid, uint64_t addr, uint64_t len, uint64_t pgoff,
	      uint32_t prot, const char *path, uint64_t time)
{
	records_start(rs, PERF_RECORD_MMAP2, PERF_RECORD_MISC_USER);
	records_u32x2(rs, pid, pid);
	records_u64(rs, addr);
	records_u64(rs, len);
	records_u64(rs, pgoff);
	records_u32x2(rs, 8, 1); /* maj, min */
	records_u64(rs, 4242);	 /* ino */
	records_u64(rs, 0);	 /* ino_generation */
	records_u32x2(rs, prot, 2 /* MAP_PRIVATE */);
	records_str(rs, path);
	records_trailer(rs, pid, pid, time);
	records_send(rs, &rs->sample);
}

/*
 * A user-mode sample of pid/tid on cpu: the callchain is PERF_CONTEXT_USER then ips (leaf
 * first: the sampled address, then return addresses); the sampled IP is ips[0].
 */
static inline void
records_sample(struct records *rs, uint32_t pid, uint32_t tid, uint32_t cpu, uint64_t time,
	       const uint64_t *ips, size_t n)
{
	records_start(rs, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_USER);
	records_u64(rs, RECORDS_ID);
	records_u64(rs, n ? ips[0] : 0);
	records_u32x2(rs, pid, tid);
	records_u64(rs, time);
	records_u32x2(rs, cpu, 0);
	records_u64(rs, rs->period);
	records_u64(rs, n + 1);
	records_u64(rs, (uint64_t)PERF_CONTEXT_USER);
	for (size_t i = 0; i < n; i++)
		records_u64(rs, ips[i]);
	records_send(rs, &rs->sample);
}

static inline void
records_lost(struct records *rs, uint64_t lost, uint64_t time)
{
	records_start(rs, PERF_RECORD_LOST, 0);
	records_u64(rs, RECORDS_ID);
	records_u64(rs, lost);
	records_trailer(rs, 0, 0, time);
	records_send(rs, &rs->sample);
}

static inline void
records_lost_samples(struct records *rs, uint64_t lost, uint64_t time)
{
	records_start(rs, PERF_RECORD_LOST_SAMPLES, 0);
	records_u64(rs, lost);
	records_trailer(rs, 0, 0, time);
	records_send(rs, &rs->sample);
}

/* THROTTLE or UNTHROTTLE (type says). */
static inline void
records_throttle(struct records *rs, uint32_t type, uint64_t time)
{
	records_start(rs, type, 0);
	records_u64(rs, time);
	records_u64(rs, RECORDS_ID);
	records_u64(rs, RECORDS_ID);
	records_trailer(rs, 0, 0, time);
	records_send(rs, &rs->sample);
}

/* A PERF_RECORD_SWITCH of pid/tid on cpu (out: a switch out). */
static inline void
records_switch(struct records *rs, uint32_t pid, uint32_t tid, uint32_t cpu, uint64_t time,
	       bool out)
{
	uint32_t save = rs->cpu;

	records_start(rs, PERF_RECORD_SWITCH, out ? PERF_RECORD_MISC_SWITCH_OUT : 0);
	rs->cpu = cpu;
	records_trailer(rs, pid, tid, time);
	rs->cpu = save;
	records_send(rs, &rs->tp[SCHED_SWITCH]);
}

/* A tracepoint sample of type with the raw payload raw (size bytes), written by pid/tid. */
static inline void
records_tp(struct records *rs, enum sched_event_type type, uint32_t pid, uint32_t tid, uint32_t cpu,
	   uint64_t time, const void *raw, uint32_t size)
{
	records_start(rs, PERF_RECORD_SAMPLE, PERF_RECORD_MISC_KERNEL);
	records_u64(rs, RECORDS_ID);
	records_u32x2(rs, pid, tid);
	records_u64(rs, time);
	records_u32x2(rs, cpu, 0);
	records_put(rs, &size, 4);
	records_put(rs, raw, size);
	records_send(rs, &rs->tp[type]);
}

/* ---- raw payloads of the formats below ----------------------------------------------------- */

static inline void
records_raw_int(unsigned char *raw, size_t off, int64_t v, size_t size)
{
	memcpy(raw + off, &v, size); /* little-endian: the low bytes first */
}

static inline void
records_raw_comm(unsigned char *raw, size_t off, const char *comm)
{
	strncpy((char *)raw + off, comm, 16);
}

/* sched_switch: prev_comm@8 prev_pid@24 prev_prio@28 prev_state@32(8) next_comm@40 next_pid@56
 * next_prio@60; 64 bytes. */
static inline void
records_sched_switch(struct records *rs, uint32_t cpu, uint64_t time, uint32_t prev_pid,
		     uint32_t prev_tid, const char *prev_comm, int64_t prev_state,
		     uint32_t next_tid, const char *next_comm)
{
	unsigned char raw[64] = { 0 };

	records_raw_int(raw, 0, 301, 2);
	records_raw_int(raw, 4, prev_tid, 4);
	records_raw_comm(raw, 8, prev_comm);
	records_raw_int(raw, 24, prev_tid, 4);
	records_raw_int(raw, 28, 120, 4);
	records_raw_int(raw, 32, prev_state, 8);
	records_raw_comm(raw, 40, next_comm);
	records_raw_int(raw, 56, next_tid, 4);
	records_raw_int(raw, 60, 120, 4);
	records_tp(rs, SCHED_SWITCH, prev_pid, prev_tid, cpu, time, raw, sizeof(raw));
}

/* sched_wakeup(_new): comm@8 pid@24 prio@28 target_cpu@32; 36 bytes. Written by the waker. */
static inline void
records_sched_wakeup(struct records *rs, bool new_task, uint32_t cpu, uint64_t time,
		     uint32_t waker_pid, uint32_t waker_tid, uint32_t tid, const char *comm,
		     int target_cpu)
{
	unsigned char raw[36] = { 0 };

	records_raw_int(raw, 0, new_task ? 303 : 302, 2);
	records_raw_int(raw, 4, waker_tid, 4);
	records_raw_comm(raw, 8, comm);
	records_raw_int(raw, 24, tid, 4);
	records_raw_int(raw, 28, 120, 4);
	records_raw_int(raw, 32, target_cpu, 4);
	records_tp(rs, new_task ? SCHED_WAKEUP_NEW : SCHED_WAKEUP, waker_pid, waker_tid, cpu, time,
		   raw, sizeof(raw));
}

/* sched_migrate_task: comm@8 pid@24 prio@28 orig_cpu@32 dest_cpu@36; 40 bytes. */
static inline void
records_sched_migrate(struct records *rs, uint32_t cpu, uint64_t time, uint32_t tid,
		      const char *comm, int orig_cpu, int dest_cpu)
{
	unsigned char raw[40] = { 0 };

	records_raw_int(raw, 0, 304, 2);
	records_raw_comm(raw, 8, comm);
	records_raw_int(raw, 24, tid, 4);
	records_raw_int(raw, 28, 120, 4);
	records_raw_int(raw, 32, orig_cpu, 4);
	records_raw_int(raw, 36, dest_cpu, 4);
	/* Written by the migration thread of the CPU. */
	records_tp(rs, SCHED_MIGRATE, 4194305, 4194305, cpu, time, raw, sizeof(raw));
}

/* sched_process_exec: filename (__data_loc)@8 pid@12 old_pid@16; the name follows at 20. */
static inline void
records_sched_exec(struct records *rs, uint32_t cpu, uint64_t time, uint32_t pid,
		   const char *filename)
{
	unsigned char raw[128] = { 0 };
	size_t n = strlen(filename) + 1;

	records_raw_int(raw, 0, 305, 2);
	records_raw_int(raw, 8, (int64_t)(n << 16 | 20), 4);
	records_raw_int(raw, 12, pid, 4);
	records_raw_int(raw, 16, pid, 4);
	memcpy(raw + 20, filename, n);
	records_tp(rs, SCHED_EXEC, pid, pid, cpu, time, raw, (uint32_t)(20 + n));
}

/* sched_process_fork: parent_comm@8 parent_pid@24 child_comm@28 child_pid@44; 48 bytes. */
static inline void
records_sched_fork(struct records *rs, uint32_t cpu, uint64_t time, uint32_t parent_pid,
		   uint32_t parent_tid, const char *comm, uint32_t child_tid)
{
	unsigned char raw[48] = { 0 };

	records_raw_int(raw, 0, 306, 2);
	records_raw_comm(raw, 8, comm);
	records_raw_int(raw, 24, parent_tid, 4);
	records_raw_comm(raw, 28, comm);
	records_raw_int(raw, 44, child_tid, 4);
	records_tp(rs, SCHED_FORK, parent_pid, parent_tid, cpu, time, raw, sizeof(raw));
}

/* sched_process_exit: comm@8 pid@24 prio@28; 32 bytes. */
static inline void
records_sched_exit(struct records *rs, uint32_t cpu, uint64_t time, uint32_t pid, uint32_t tid,
		   const char *comm)
{
	unsigned char raw[32] = { 0 };

	records_raw_int(raw, 0, 307, 2);
	records_raw_comm(raw, 8, comm);
	records_raw_int(raw, 24, tid, 4);
	records_raw_int(raw, 28, 120, 4);
	records_tp(rs, SCHED_EXIT, pid, tid, cpu, time, raw, sizeof(raw));
}

/* ---- a tracefs with the seven sched formats ------------------------------------------------- */

#define RECORDS_COMMON                                                                             \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"                     \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"                     \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"             \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

#define RECORDS_COMM(name, off)                                                                    \
	"\tfield:char " name "[16];\toffset:" #off ";\tsize:16;\tsigned:0;\n"
#define RECORDS_INT(type, name, off, size)                                                         \
	"\tfield:" type " " name ";\toffset:" #off ";\tsize:" #size ";\tsigned:1;\n"

static const char *const records_tp_dirs[SCHEDTP_NR_TYPES] = {
	"sched_switch",	      "sched_wakeup",	    "sched_wakeup_new",	  "sched_migrate_task",
	"sched_process_exec", "sched_process_fork", "sched_process_exit",
};

/* clang-format off */
static const char *const records_tp_fields[SCHEDTP_NR_TYPES] = {
	RECORDS_COMM("prev_comm", 8)
	RECORDS_INT("pid_t", "prev_pid", 24, 4)
	RECORDS_INT("int", "prev_prio", 28, 4)
	RECORDS_INT("long", "prev_state", 32, 8)
	RECORDS_COMM("next_comm", 40)
	RECORDS_INT("pid_t", "next_pid", 56, 4)
	RECORDS_INT("int", "next_prio", 60, 4),

	RECORDS_COMM("comm", 8)
	RECORDS_INT("pid_t", "pid", 24, 4)
	RECORDS_INT("int", "prio", 28, 4)
	RECORDS_INT("int", "target_cpu", 32, 4),

	RECORDS_COMM("comm", 8)
	RECORDS_INT("pid_t", "pid", 24, 4)
	RECORDS_INT("int", "prio", 28, 4)
	RECORDS_INT("int", "target_cpu", 32, 4),

	RECORDS_COMM("comm", 8)
	RECORDS_INT("pid_t", "pid", 24, 4)
	RECORDS_INT("int", "prio", 28, 4)
	RECORDS_INT("int", "orig_cpu", 32, 4)
	RECORDS_INT("int", "dest_cpu", 36, 4),

	"\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
	RECORDS_INT("pid_t", "pid", 12, 4)
	RECORDS_INT("pid_t", "old_pid", 16, 4),

	RECORDS_COMM("parent_comm", 8)
	RECORDS_INT("pid_t", "parent_pid", 24, 4)
	RECORDS_COMM("child_comm", 28)
	RECORDS_INT("pid_t", "child_pid", 44, 4),

	RECORDS_COMM("comm", 8)
	RECORDS_INT("pid_t", "pid", 24, 4)
	RECORDS_INT("int", "prio", 28, 4),
};
/* clang-format on */

static inline void
records_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "records: cannot write %s\n", path);
		exit(99);
	}
}

/*
 * Write the seven formats (ids 301..307) under a new temporary directory; returns it (the
 * caller's: records_tracefs_remove).
 */
static inline char *
records_tracefs(void)
{
	char *root = xstrdup("/tmp/ringside-records.XXXXXX"), *p;

	if (!mkdtemp(root)) {
		perror("mkdtemp");
		exit(99);
	}
	p = xasprintf("%s/events", root);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/events/sched", root);
	mkdir(p, 0755);
	free(p);
	for (int t = 0; t < SCHEDTP_NR_TYPES; t++) {
		char *text = xasprintf("name: %s\nID: %d\nformat:\n" RECORDS_COMMON
				       "%s\nprint fmt: \"x=%%d\", REC->common_pid\n",
				       records_tp_dirs[t], 301 + t, records_tp_fields[t]);

		p = xasprintf("%s/events/sched/%s", root, records_tp_dirs[t]);
		mkdir(p, 0755);
		free(p);
		p = xasprintf("%s/events/sched/%s/format", root, records_tp_dirs[t]);
		records_write_file(p, text);
		free(p);
		free(text);
		p = xasprintf("%s/events/sched/%s/id", root, records_tp_dirs[t]);
		text = xasprintf("%d\n", 301 + t);
		records_write_file(p, text);
		free(p);
		free(text);
	}
	return root;
}

static inline void
records_tracefs_remove(char *root)
{
	for (int t = 0; t < SCHEDTP_NR_TYPES; t++) {
		char *p = xasprintf("%s/events/sched/%s/format", root, records_tp_dirs[t]);

		unlink(p);
		free(p);
		p = xasprintf("%s/events/sched/%s/id", root, records_tp_dirs[t]);
		unlink(p);
		free(p);
		p = xasprintf("%s/events/sched/%s", root, records_tp_dirs[t]);
		rmdir(p);
		free(p);
	}
	{
		char *p = xasprintf("%s/events/sched", root);

		rmdir(p);
		free(p);
		p = xasprintf("%s/events", root);
		rmdir(p);
		free(p);
	}
	rmdir(root);
	free(root);
}

#endif
