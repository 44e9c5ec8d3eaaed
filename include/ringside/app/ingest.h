/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ingest: the records from the rings into the profile. Side-band records keep the task table and
 * the symbol resolver's memory maps current; each sample's callchain is resolved (kernel and user
 * frames, inline chains expanded, return addresses adjusted) and inserted into the stack tree
 * under its process and thread; lost and throttled samples are counted. A dwarf sample's user
 * stack is unwound from its copied registers and stack first (sym/unwind.h), below the kernel's
 * part of its callchain. Nothing here allocates per sample once the tables have grown (libdw's
 * unwinder allocates its frames).
 */
#ifndef RINGSIDE_APP_INGEST_H
#define RINGSIDE_APP_INGEST_H

#include <stdint.h>

#include "ringside/model/profile.h"
#include "ringside/perf/sampler.h"
#include "ringside/perf/schedtp.h"
#include "ringside/sym/symres.h"
#include "ringside/sym/unwind.h"

struct ingest;

/* Feed p's stacks (created by profile_enable_stacks) resolving through sym; both borrowed. */
struct ingest *ingest_new(struct profile *p, struct symres *sym);
/*
 * Also feed p->sched from tracepoint records: sampler tracepoint i is sched_event_type i, decoded
 * by tp (borrowed). With targets_only (processes and commands), every task that writes a record is
 * a target (the events are attached to the target's tasks), so the others group as "other", and
 * switch-in records (PERF_RECORD_SWITCH) show the targets being switched in; forks, new tasks'
 * wake-ups and exits come from FORK and EXIT records, and those tracepoints' hits (and
 * migrations', which a target's own event rarely sees) are ignored: the caller need not open them.
 * System-wide, the time from origin_ns to a CPU's first switch is given to the task that switched
 * out.
 */
void ingest_set_sched(struct ingest *in, const struct schedtp *tp, bool targets_only,
		      uint64_t origin_ns);
/*
 * The recording ends at end_ns (the last counter read): scheduler records stamped after it are
 * dropped, so the timeline and its switch count cover the same time as the counters.
 */
void ingest_set_end(struct ingest *in, uint64_t end_ns);
/*
 * Also feed off (borrowed; its tree is p->offcpu) from the scheduler records: switch-outs with
 * their callchains, switch-ins, forks and exits. Needs ingest_set_sched.
 */
/*
 * Also feed p->kvm from the KVM tracepoints: sampler tracepoints base and base + 1 are kvm_exit
 * and kvm_entry, decoded by tp (borrowed).
 */
struct kvmtp;
void ingest_set_kvm(struct ingest *in, const struct kvmtp *tp, size_t base);
struct offcpu;
void ingest_set_offcpu(struct ingest *in, struct offcpu *off);
void ingest_free(struct ingest *in);
/* Handle one record (a sampler_record_fn: ctx is the ingest). */
void ingest_record(void *ctx, const struct sampler_event *ev, const struct perf_event_header *rec);
/*
 * Call after each round that drained every ring: processes that exited during the round are
 * dropped from the resolver only now, since other CPUs' rings may still hold their samples.
 */
void ingest_flush(struct ingest *in);
/* The DWARF unwinder's counters into out; false (and zeros) when no dwarf sample came yet. */
bool ingest_unwind_stats(const struct ingest *in, struct unwind_stats *out);
/* The threads the ingest knows and the exited tasks waiting to fold, for the memory report. */
void ingest_counts(const struct ingest *in, size_t *threads, size_t *gone);
/* The chain cache's slots now (it grows with the chains that come), for the memory report. */
size_t ingest_chain_slots(const struct ingest *in);
/* The first sampled event's samples that looked in the chain cache, and those found there. */
void ingest_chain_stats(const struct ingest *in, uint64_t *lookups, uint64_t *hits);
/*
 * Bytes the ingest holds, for the memory report: the chain cache, the call sites' arena, the
 * thread table and the exited tasks waiting to fold (not the unwinder's, nor the parts it fills).
 */
size_t ingest_memory(const struct ingest *in);

#endif
