/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * KVM exits (--kvm): per vCPU thread and exit reason, how many exits and how long the thread was
 * out of the guest (the time from each kvm_exit to that thread's next kvm_entry), and a heat map
 * of exits over time (time buckets x reasons). Bounded: at most KVMEXITS_MAX_TASKS threads and
 * KVMEXITS_MAX_REASONS reasons (more are counted as dropped), KVMEXITS_BUCKETS columns whose
 * width doubles (neighbours merged) when the recording outgrows them. No I/O.
 */
#ifndef RINGSIDE_MODEL_KVMEXITS_H
#define RINGSIDE_MODEL_KVMEXITS_H

#include <stddef.h>
#include <stdint.h>

#define KVMEXITS_MAX_TASKS   256
#define KVMEXITS_MAX_REASONS 64
#define KVMEXITS_BUCKETS     120
#define KVMEXITS_BUCKET_NS   100000000ull /* the first width: 0.1 s */

struct kvmexits_reason {
	uint32_t code; /* the raw exit_reason */
	char name[40]; /* this kernel's name for it, or "reason N" */
};

struct kvmexits_task {
	int32_t pid, tid;
	uint32_t vcpu; /* UINT32_MAX: not known */
	uint64_t count[KVMEXITS_MAX_REASONS];
	uint64_t ns[KVMEXITS_MAX_REASONS];
	uint64_t exits; /* all reasons */
	/* An exit waiting for its entry. */
	uint64_t open_time;
	int open_reason; /* -1: none */
};

struct kvmexits {
	char isa[8]; /* "vmx", "svm" or "" */
	struct kvmexits_reason reasons[KVMEXITS_MAX_REASONS];
	size_t nreasons;
	struct kvmexits_task *tasks;
	size_t ntasks;
	size_t last;	    /* the task of the previous record: a vCPU exits and enters in turn */
	uint64_t origin;    /* time of the first exit (ns, the sample clock); 0: none yet */
	uint64_t bucket_ns; /* width of one heat map column */
	size_t nbuckets;    /* columns in use */
	uint32_t heat[KVMEXITS_BUCKETS][KVMEXITS_MAX_REASONS];
	uint64_t exits;	    /* every exit counted */
	uint64_t dropped;   /* exits of threads or reasons past the bounds */
	uint64_t unmatched; /* entries with no exit before them (the recording's first) */
};

/* A new, empty model (kvmexits_free). isa may be NULL. */
struct kvmexits *kvmexits_new(const char *isa);

/* Free k (NULL is fine). */
void kvmexits_free(struct kvmexits *k);

/*
 * The index of reason code, named name (NULL: "reason N"), added when new; -1 when the table is
 * full.
 */
int kvmexits_reason(struct kvmexits *k, uint32_t code, const char *name);

/* Thread tid of pid (added when new; vcpu updates it unless UINT32_MAX); NULL when full. */
struct kvmexits_task *kvmexits_task(struct kvmexits *k, int32_t pid, int32_t tid, uint32_t vcpu);

/* A kvm_exit of reason index ri (kvmexits_reason) by tid at time (ns). */
void kvmexits_exit(struct kvmexits *k, int32_t pid, int32_t tid, uint32_t vcpu, int ri,
		   uint64_t time);

/* A kvm_entry of tid at time: ends its open exit. */
void kvmexits_entry(struct kvmexits *k, int32_t pid, int32_t tid, uint32_t vcpu, uint64_t time);

/* Add count exits of reason ri in column b of the heat map (reading a snapshot). */
void kvmexits_heat_add(struct kvmexits *k, size_t b, int ri, uint32_t count);

/* The exits of reason ri over all tasks, and their time in exit (ns) into *ns (may be NULL). */
uint64_t kvmexits_reason_total(const struct kvmexits *k, int ri, uint64_t *ns);

/* Reason indexes by total count, most first, into order (k->nreasons entries). */
void kvmexits_order(const struct kvmexits *k, int *order);

#endif
