/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Symbol resolution: instruction addresses to frames. User space through libdw (ELF symbol
 * tables, separate debuginfo where installed, inline chains and declaration file:line from DWARF),
 * per-process memory maps from /proc/PID/maps and MMAP2 records, perf JIT maps
 * (/tmp/perf-PID.map, reread when they grow), C++ and Rust names demangled, the kernel through
 * /proc/kallsyms (modules named; restricted all-zero addresses reported, never shown as garbage).
 *
 * Frames are interned into the frametab given at creation. Each module's symbols are loaded once
 * into a sorted array and binary-searched; each process keeps an address -> frames cache, so a hot
 * address reaches libdw once. Names are resolved when a sample arrives, so a process that exits
 * later keeps its names.
 *
 * A module stays loaded while a mapping of some process the resolver tracks points at it. When
 * the last one goes (the process exits or execs, or other code is mapped over it) the module stays
 * idle for up to 10 s while its file is unchanged at its path, so the same program run again (a
 * build's compiler, once a file) finds it loaded: one with 1,024 functions or more, at most 16
 * idle modules and 2 MiB of them. Then,
 * or as soon as its file is deleted or changed (a side-band call or symres_trim sees it), the
 * module is freed, and with it its symbols, libdw state and open file, so a deleted file's space is
 * given back; a process that maps the file later loads it again. The vDSO and the C library of
 * symres_preload stay for good.
 */
#ifndef RINGSIDE_SYM_SYMRES_H
#define RINGSIDE_SYM_SYMRES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ringside/model/frametab.h"

/* The most frames one address can resolve to (an inline chain, innermost first). */
#define SYMRES_MAX_INLINE 16

struct symres;

struct symres_stats {
	uint64_t lookups; /* symres_user + symres_kernel calls */
	uint64_t cache_hits;
	uint64_t module_hits;	/* misses of a process's cache that its module's cache answered */
	uint64_t unresolved;	/* lookups that produced a FRAME_UNKNOWN frame */
	uint64_t modules_freed; /* modules freed because no process mapped them any more */
	size_t modules;		/* ELF modules loaded now */
	size_t modules_idle;	/* of them, those no mapping points at (kept a while) */
	size_t processes;	/* processes with maps */
	size_t memory;		/* bytes held by caches and symbol arrays (approximate) */
	size_t cache_memory;  /* of memory, the address caches' (processes', modules', kernel's) */
	size_t cache_entries; /* addresses in those caches */
	size_t dwarf_open;    /* modules whose DWARF session is open now */
	uint64_t dwarf_opens; /* DWARF sessions opened (first opens and reopens after drops) */
	uint64_t dwarf_drops; /* DWARF sessions ended after SYMRES_DWARF_IDLE_NS without use */
};

/* A resolver interning into ft (borrowed; must outlive the resolver). */
struct symres *symres_new(struct frametab *ft);
/* Free everything; NULL is fine. */
void symres_free(struct symres *r);

/* Read /proc/PID/maps now (at start, for processes that already run). Missing process: no-op. */
void symres_proc_scan(struct symres *r, pid_t pid);
/*
 * An MMAP2 record: pid mapped path at [start, start+len) from file offset pgoff (a module only the
 * mappings it replaces held is freed).
 */
void symres_mmap(struct symres *r, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
		 const char *path, bool exec);
/* A FORK record that created a new process: the child starts with a copy of the parent's maps. */
void symres_fork(struct symres *r, pid_t parent_pid, pid_t child_pid);
/*
 * An exec (COMM record with PERF_RECORD_MISC_COMM_EXEC): the process's maps start over, and
 * modules no other process maps are freed.
 */
void symres_exec(struct symres *r, pid_t pid);
/*
 * The process exited: drop its maps and cache, and free the modules no other process maps
 * (frames already interned stay).
 */
void symres_exit(struct symres *r, pid_t pid);

/*
 * Resolve a user-space address of process pid into up to max frame ids (max >= 1), innermost
 * first (an inlined callee before the function it was inlined into). Always at least one frame:
 * an address nothing names becomes "module+0xOFFSET" or "[unknown]" (FRAME_UNKNOWN). The caller
 * passes return addresses minus one, so that a call at a function's end resolves to the caller.
 */
size_t symres_user(struct symres *r, pid_t pid, uint64_t addr, uint32_t *frames, size_t max);
/*
 * The ELF address (what objdump shows) of user-space address addr of process pid, through the
 * file mapping it falls in: false when no ELF file maps it (anonymous or JIT code, the vDSO).
 */
bool symres_user_where(struct symres *r, pid_t pid, uint64_t addr, uint64_t *vaddr);
/* Resolve a kernel address (the same contract; kallsyms loaded on first use). */
size_t symres_kernel(struct symres *r, uint64_t addr, uint32_t *frames, size_t max);
/*
 * Do the expensive first loads now rather than while the workload runs: kallsyms, and the C
 * library's symbols and debug information (every process maps it). Optional; costs ~0.1 s.
 */
void symres_preload(struct symres *r);
/* True when /proc/kallsyms showed only zero addresses (kptr_restrict): kernel frames are unknown.
 */
bool symres_kernel_restricted(const struct symres *r);
/* One ELF file mapped executable in a process, for the unwinder. */
struct symres_code {
	const char *path;    /* as the process mapped it (borrowed for the callback's duration) */
	uint64_t start, end; /* the executable mapping [start, end) */
	uint64_t base;	     /* where file offset 0 is mapped: the first PT_LOAD's address */
};

/* Called for each mapped ELF file with a fresh fd open on it (the callee's to close). */
typedef void (*symres_code_fn)(void *ctx, const struct symres_code *code, int fd);
/*
 * A number that changes whenever the memory maps of process pid may have (reading them now when
 * the process is new), so a caller can tell when to call symres_code_each again.
 */
uint32_t symres_maps_gen(struct symres *r, pid_t pid);
/*
 * Call fn for each file mapped executable in process pid (anonymous memory, the vDSO and files
 * already found not to be ELF are left out); returns how many calls were made. Symbol tables are
 * not loaded for it.
 */
size_t symres_code_each(struct symres *r, pid_t pid, symres_code_fn fn, void *ctx);
/*
 * After a burst of lookups (a drain): give back the file pages the modules' DWARF lookups read
 * (elfmod_trim) and the kernel's lookups read in kallsyms' mapped names (kallsyms_trim), so that
 * they do not pile up in the resident set between bursts; free the modules idle long enough.
 */
void symres_trim(struct symres *r);
/*
 * How long a module no mapping points at stays loaded (10 s unless set; 0: freed at once, at the
 * side-band call that dropped its last mapping), and how many function symbols it must have for
 * that (1,024 unless set; fewer are quick to read again).
 */
void symres_set_idle(struct symres *r, uint64_t ns, size_t min_syms);
/* Counters for the status line and benchmarks. */
void symres_stats(const struct symres *r, struct symres_stats *out);
/* Heap bytes held by the kernel's symbols (kallsyms), 0 before they are loaded. */
size_t symres_kernel_memory(const struct symres *r);
/*
 * Bytes of the kernel's symbol names mapped from a temporary file (kallsyms_mapped), 0 when they
 * are in the heap or not loaded; *resident how many of them are resident now.
 */
size_t symres_kernel_mapped(const struct symres *r, size_t *resident);

#endif
