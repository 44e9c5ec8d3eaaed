/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DWARF unwinding of user stacks copied by perf_event (-g dwarf: PERF_SAMPLE_REGS_USER and
 * PERF_SAMPLE_STACK_USER). One libdw Dwfl per process, its modules reported from the resolver's
 * memory maps (again whenever they change) and attached once with callbacks that serve memory
 * from the sample being unwound: the copied stack, and the mapped ELF files for anything else.
 * dwfl_getthread_frames then walks the call frame information (.eh_frame, or .debug_frame) of
 * each frame. Nothing of a sample is kept after it was unwound.
 */
#ifndef RINGSIDE_SYM_UNWIND_H
#define RINGSIDE_SYM_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringside/sym/symres.h"

/* DWARF register numbers an x86-64 unwind starts from: rax..r15 (0-15) and the return address. */
#define UNWIND_NREGS 17

/* One sample's user state, as decoded (all borrowed for the call). */
struct unwind_sample {
	pid_t pid, tid;
	uint64_t regs_abi;    /* PERF_SAMPLE_REGS_ABI_*; 0: no user registers (a kernel thread) */
	uint64_t regs_mask;   /* sample_regs_user: which registers regs holds, in bit order */
	const uint64_t *regs; /* popcount(regs_mask) values */
	const void *stack;    /* the copy of the stack from the user SP upwards */
	uint64_t stack_size;  /* bytes valid in it (the record's dyn_size) */
};

struct unwind_stats {
	uint64_t samples;   /* unwind_user calls that walked a stack */
	uint64_t frames;    /* user frames they found */
	uint64_t truncated; /* walks that ran past the end of the copied stack */
	uint64_t failed;    /* samples without usable registers or code (no frame found) */
	uint64_t ns;	    /* time spent in them (CLOCK_MONOTONIC) */
	size_t processes;   /* processes with a Dwfl now */
};

struct unwind;

/* An unwinder over the maps and modules of sym (borrowed; must outlive the unwinder). */
struct unwind *unwind_new(struct symres *sym);
/* Free every process's Dwfl; NULL is fine. */
void unwind_free(struct unwind *u);

/*
 * Map the sampled perf registers (regs_mask: bits of enum perf_event_x86_regs) into DWARF
 * numbering, dwarf[0..UNWIND_NREGS). Returns false when the architecture is not x86-64 or one of
 * the registers an unwind needs (IP, SP) is missing; registers not sampled read as 0.
 */
bool unwind_regs_to_dwarf(uint64_t regs_mask, const uint64_t *regs, uint64_t *dwarf);

/*
 * Unwind one sample's user stack into pcs (at most max, leaf first): the sampled IP, then each
 * caller's call site (the return address minus one, so it resolves to the calling line).
 * *truncated is set when the walk stopped because it needed stack beyond the copy, so the frames
 * found are right but the outer ones are missing. Returns the number of PCs (0 when nothing could
 * be unwound: no registers, or a 32-bit process).
 */
size_t unwind_user(struct unwind *u, const struct unwind_sample *s, uint64_t *pcs, size_t max,
		   bool *truncated);
/* The process exited (or exec'd): drop its Dwfl. */
void unwind_exit(struct unwind *u, pid_t pid);
/* Counters for benchmarks and the debug summary. */
void unwind_stats(const struct unwind *u, struct unwind_stats *out);

#endif
