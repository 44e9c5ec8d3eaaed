/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ingest's private state, shared by its files: ingest.c (records into the profile) and
 * ingest_fold.c (exited tasks folded by name).
 */
#ifndef RINGSIDE_APP_INGEST_IMPL_H
#define RINGSIDE_APP_INGEST_IMPL_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringside/app/ingest.h"
#include "ringside/util/idmap.h"
#include "ingest_sites.h"

/* Enough for 127 callchain entries each expanding to an inline chain, plus process and thread. */
#define INGEST_MAX_PATH (2 + 127 * 4)
/* User frames taken from one unwound stack (perf_event_max_stack's default, as for -g fp). */
#define INGEST_MAX_UNWOUND 127
/*
 * A dwarf sample's callchain is rebuilt as the kernel's part, then this marker and the unwound
 * user PCs (already call sites, not return addresses), then INGEST_CONTEXT_TRUNCATED when the
 * stack copy ended the walk. Both sit among perf's context markers (>= PERF_CONTEXT_MAX), at
 * values perf does not use.
 */
#define INGEST_CONTEXT_UNWOUND	 ((uint64_t)-3000)
#define INGEST_CONTEXT_TRUNCATED ((uint64_t)-3001)

struct ingest_thread {
	pid_t tid;
	pid_t pid;
	uint32_t gen; /* bumped when the process's code may have changed (mmap, exec, fork) */
	int last_cpu; /* per-process scheduler timeline: where it was last switched in, -1 */
	uint32_t process_frame, thread_frame;
};

/*
 * A callchain seen before maps straight to its leaf node, skipping every symbol lookup and the
 * walk down the tree. The key is a 128-bit hash of the thread, its code generation, the tree's
 * fold count (compaction renumbers nodes), the CPU mode and every address; a chain with an
 * unresolved frame is never cached, so names that appear later (a JIT map growing) are found.
 * At most 2^15 slots (1 MiB; it was 2^16, which a 30-minute system-wide soak's stream of new
 * processes, each with chains of its own, filled): a miss costs a few microseconds, and a live
 * recording takes a few thousand samples a second.
 */
#define INGEST_CHAIN_SLOTS (1u << 15)
/*
 * The cache starts at this many slots (128 KiB) and doubles, up to INGEST_CHAIN_SLOTS (1 MiB),
 * each time the chains stored over another's since the last growth reach half its slots: a quiet
 * machine's chains fit a small one, a busy one's grow it as they come.
 */
#define INGEST_CHAIN_MIN (1u << 12)

/*
 * The room in the address table a chain needs (its leaf and a call site per frame, at most
 * INGEST_SITES_DEPTH): with less, the table is compacted before the chain is resolved, so no index
 * taken for one sample changes before it is cached.
 */
#define INGEST_ADDRS_ROOM 1024u

/* A chain slot's addr when its leaf names no function: nothing to count. */
#define INGEST_NO_ADDR (UINT32_MAX - 1)

struct ingest_chain {
	uint64_t h1, h2;
	uint32_t leaf;
	uint32_t addr;		       /* the leaf instruction's entry in the profile's addrtab */
	struct ingest_sites_ref sites; /* and its callers' call sites */
};

/*
 * Exited tasks fold: once a task has been gone longer than the flamegraph's window (10 s; nothing
 * of it is left in the window's counts), its thread node, and its process node when it led one,
 * are relabelled as "[exited]" (module) with no pid: one node per name, where a build's thousand
 * compilers become one "cc1". Their frames stay interned, their tasks leave the task table. Done
 * in batches (a relabel walks the whole tree): when INGEST_FOLD_BATCH tasks are due, or the oldest
 * has waited INGEST_FOLD_WAIT_NS.
 */
#define INGEST_FOLD_AGE_NS  (12ull * 1000000000u)
#define INGEST_FOLD_WAIT_NS (60ull * 1000000000u)
#define INGEST_FOLD_BATCH   32u

struct ingest_gone {
	pid_t pid, tid;
	uint64_t time; /* of its EXIT record */
	/* its cached frames then (UINT32_MAX: none), given back at the fold if no node uses them */
	uint32_t process_frame, thread_frame;
};

struct ingest {
	struct profile *p;
	struct symres *sym;
	const struct schedtp *tp; /* NULL: no scheduler timeline */
	struct offcpu *off;	  /* NULL: no off-CPU time */
	bool sched_targets_only;
	uint64_t sched_origin;
	uint64_t sched_end; /* records after it are past the recording's end; 0: none yet */
	uint64_t *cpu_seen; /* bitmap: CPUs whose first switch was seen */
	size_t cpu_seen_words;
	struct ingest_chain *chains;	    /* chain_mask + 1 slots, direct-mapped */
	uint32_t chain_mask, chain_evicted; /* stores over another chain since the last growth */
	uint64_t chain_lookups, chain_hits; /* samples that looked in the cache, found there */
	uint32_t next_gen;
	struct ingest_thread *threads; /* the threads seen, in no order */
	size_t nthreads, cap;
	struct idmap by_tid; /* tid -> index in threads */
	size_t last;	     /* index of the previous sample's thread (may be stale) */
	pid_t *exited;	     /* processes to drop from the resolver at the next flush */
	size_t nexited, exited_cap;
	struct ingest_gone *gone; /* exited tasks not folded yet, in exit order */
	size_t ngone, gone_cap;
	pid_t *fold_tids, *fold_pids; /* the batch being folded, sorted */
	size_t nfold_tids, nfold_pids;
	uint32_t *fold_frames; /* the pid and tid frames that batch relabelled */
	size_t nfold_frames, fold_frames_cap;
	uint32_t *retired; /* frames threads gave up at a rename or exec (ingest_retire) */
	size_t nretired, retired_cap;
	uint32_t s_exited; /* "[exited]" */
	uint32_t leaf_first[INGEST_MAX_PATH];
	uint32_t path[INGEST_MAX_PATH];
	struct unwind *unwind;	  /* created with the first dwarf sample */
	uint32_t truncated_frame; /* "[truncated stack]", 0 until needed */
	uint32_t leaf_fn;	  /* the sample's leaf function, UINT32_MAX while unknown */
	uint64_t chain[PERF_MAX_STACK_DEPTH + INGEST_MAX_UNWOUND + 3];
	struct ingest_mem *mem; /* --mem: created with the first record while p->mem exists */
	/* --kvm: the KVM tracepoints' decoder (NULL: not recorded), kvm_exit's tracepoint index */
	const struct kvmtp *kvm;
	size_t kvm_base;
	struct ingest_sites *sites;
	struct ingest_group *group; /* group reads: created with the first leader sample */
};

/* The thread table's entry of tid in process pid, made when new (ingest.c). */
struct ingest_thread *ingest_thread_get(struct ingest *in, pid_t pid, pid_t tid);
/* Intern t's process and thread frames when they are not yet (ingest.c). */
void ingest_thread_named(struct ingest *in, struct ingest_thread *t);
/* The path of s (user and kernel frames) into in->path; its length (ingest.c). */
size_t ingest_path_of(struct ingest *in, const struct ingest_thread *t,
		      const struct decode_sample *s, bool *known);
/* Whether a scheduler record of time t falls after the recording's end (ingest_sched.c). */
bool ingest_past_end(const struct ingest *in, uint64_t t);
/* A sched or KVM tracepoint's record (ingest_sched.c). */
void ingest_tracepoint(struct ingest *in, const struct sampler_event *ev,
		       const struct perf_event_header *h);
/* A switch record: per process, a target's switch-in (ingest_sched.c). */
void ingest_switch_in(struct ingest *in, const struct sampler_event *ev,
		      const struct perf_event_header *h);
/* Per process, a FORK or EXIT record as scheduler events (ingest_sched.c). */
void ingest_sideband(struct ingest *in, uint16_t type, const struct decode_task *task,
		     const struct decode_id *id);
/* Per process, an exec known from a COMM record (ingest_sched.c). */
void ingest_exec(struct ingest *in, const struct decode_comm *comm, const struct decode_id *id);
/* Drop thread tid from the thread table (it exited, or its name changed). */
void ingest_forget(struct ingest *in, pid_t tid);
/* Task tid of pid exited at time: it waits to be folded (ingest_fold.c). */
void ingest_gone_add(struct ingest *in, pid_t pid, pid_t tid, uint64_t time);
/* Fold the exited tasks that are due at now_ns (ingest_fold.c). */
void ingest_fold(struct ingest *in, uint64_t now_ns);
/*
 * Thread tid's entry is about to be forgotten while its task goes on (a rename, an exec, its tid
 * taken by another process): its process and thread frames are kept to be given back at the next
 * fold if nothing uses them then (an exec'd "bash" child's frames otherwise stayed for good).
 */
void ingest_retire(struct ingest *in, pid_t tid);

#endif
