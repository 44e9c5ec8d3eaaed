/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Decoding perf records: SAMPLE (for the sample_type ringside asks for), MMAP2, COMM, FORK, EXIT,
 * LOST, LOST_SAMPLES, THROTTLE, UNTHROTTLE. Every length is checked against the record's size, so
 * a hostile or truncated record is rejected without reading outside it. The decoded structures
 * point into the record: they are valid only while it is.
 */
#ifndef RINGSIDE_PERF_DECODE_H
#define RINGSIDE_PERF_DECODE_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The sample_type bits the decoder understands (others are rejected by decode_sample_type_ok). */
#define DECODE_SAMPLE_TYPES                                                                        \
	(PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME |            \
	 PERF_SAMPLE_ID | PERF_SAMPLE_STREAM_ID | PERF_SAMPLE_CPU | PERF_SAMPLE_PERIOD |           \
	 PERF_SAMPLE_CALLCHAIN | PERF_SAMPLE_RAW | PERF_SAMPLE_REGS_USER |                         \
	 PERF_SAMPLE_STACK_USER | PERF_SAMPLE_ADDR | PERF_SAMPLE_WEIGHT | PERF_SAMPLE_DATA_SRC |   \
	 PERF_SAMPLE_READ)

struct decode_sample {
	uint64_t id;
	uint64_t ip;
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu;
	uint64_t period;
	uint64_t nr; /* callchain entries (context markers included) */
	const uint64_t *ips;
	uint32_t raw_size;
	const void *raw;
	uint64_t regs_abi;    /* REGS_USER: 0 = none */
	const uint64_t *regs; /* as many as bits in sample_regs_user */
	uint64_t stack_size;  /* STACK_USER: bytes copied */
	const void *stack;
	uint64_t stack_dyn_size; /* bytes of it that are valid */
	uint64_t addr;		 /* ADDR: the data address (a fault's, a load's or a store's) */
	uint64_t weight;	 /* WEIGHT: the access's cost (cycles of latency), 0 without */
	uint64_t data_src;	 /* DATA_SRC: union perf_mem_data_src, 0 without */
	/*
	 * READ: the counter values read with the sample, read_nr entries of read_stride u64 each
	 * starting at read (the value first, then its id and lost count as read_format asks); a
	 * PERF_FORMAT_GROUP read has the leader's entry first, then its members' in group order.
	 */
	uint64_t read_nr;
	const uint64_t *read;
	uint32_t read_stride;
	uint64_t time_enabled, time_running; /* as read_format asks, 0 without */
};

/* The sample_id trailer that non-sample records carry with sample_id_all. */
struct decode_id {
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu;
	uint64_t id;
};

struct decode_mmap2 {
	uint32_t pid, tid;
	uint64_t addr, len, pgoff;
	uint32_t prot, flags;
	const char *filename; /* NUL-terminated within the record */
};

struct decode_comm {
	uint32_t pid, tid;
	const char *comm; /* NUL-terminated within the record */
	bool exec;	  /* PERF_RECORD_MISC_COMM_EXEC */
};

struct decode_task { /* FORK and EXIT */
	uint32_t pid, ppid, tid, ptid;
	uint64_t time;
};

struct decode_lost { /* LOST and LOST_SAMPLES */
	uint64_t id;
	uint64_t lost;
};

struct decode_throttle { /* THROTTLE and UNTHROTTLE */
	uint64_t time, id, stream_id;
};

/* How an event's records are laid out: the attr fields decoding depends on. */
struct decode_layout {
	uint64_t sample_type;
	uint64_t regs_user_mask; /* sample_regs_user */
	bool sample_id_all;
	uint64_t read_format; /* with PERF_SAMPLE_READ */
};

/*
 * The time stamp of any record (a sample's TIME, or the sample_id trailer's), without decoding the
 * rest. Returns false when the record carries none or is too short for it.
 */
bool decode_time(const struct decode_layout *l, const struct perf_event_header *h, uint64_t *time);
/* True when every bit of sample_type is one the decoder understands. */
bool decode_sample_type_ok(uint64_t sample_type);
/* Decode a SAMPLE record. Returns 0 or -EINVAL for a malformed record. */
int decode_sample(const struct decode_layout *l, const struct perf_event_header *h,
		  struct decode_sample *out);
/* Decode the other record types; each returns 0 or -EINVAL. id may be NULL. */
int decode_mmap2(const struct decode_layout *l, const struct perf_event_header *h,
		 struct decode_mmap2 *out, struct decode_id *id);
int decode_comm(const struct decode_layout *l, const struct perf_event_header *h,
		struct decode_comm *out, struct decode_id *id);
int decode_task(const struct decode_layout *l, const struct perf_event_header *h,
		struct decode_task *out, struct decode_id *id);
int decode_lost(const struct decode_layout *l, const struct perf_event_header *h,
		struct decode_lost *out, struct decode_id *id);
/* A SWITCH record (no body: who and when come from its sample_id trailer). out_switch: true for a
 * switch out, false for a switch in. */
int decode_switch(const struct decode_layout *l, const struct perf_event_header *h,
		  struct decode_id *id, bool *out_switch);
int decode_throttle(const struct decode_layout *l, const struct perf_event_header *h,
		    struct decode_throttle *out);

#endif
