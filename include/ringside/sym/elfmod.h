/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One ELF module (an executable or a shared library) opened once through libdw: its function
 * symbols in a sorted array (libdw's own address lookup costs 100-240 us per call on big symbol
 * tables; a binary search costs well under one), file offset to ELF address conversion from the
 * PT_LOAD segments, and inline chains with declaration file:line from DWARF. Separate debuginfo
 * (/usr/lib/debug/.build-id, .gnu_debuglink, MiniDebugInfo) is found by libdw's standard callbacks.
 *
 * Addresses here are the ELF file's own virtual addresses (what nm shows), not process addresses.
 */
#ifndef RINGSIDE_SYM_ELFMOD_H
#define RINGSIDE_SYM_ELFMOD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct elfmod;

struct elfmod_sym {
	uint64_t addr;	  /* ELF virtual address of the function's start */
	uint64_t size;	  /* 0 when the symbol table gave none: it then runs to the next symbol */
	const char *name; /* raw (possibly mangled) name, borrowed from the module */
};

/* One frame of an inline chain (strings borrowed from the module; file NULL when unknown). */
struct elfmod_frame {
	const char *name; /* raw (possibly mangled) name: the linkage name when DWARF has one */
	const char *file; /* declaration file of the function */
	uint32_t line;	  /* declaration line, 0 when unknown */
	bool inlined;	  /* inlined into the next frame of the chain */
};

/*
 * Open the ELF file on fd (taken over: closed here on failure, by elfmod_free otherwise) under
 * the display name name (copied; normally the path the process mapped) into *out, the caller's.
 * The symbol table is read and sorted now; DWARF is loaded on first use. Returns 0, -ENOEXEC
 * when the file is not ELF, or -errno.
 */
int elfmod_open(const char *name, int fd, struct elfmod **out);
/* Close the module; NULL is fine. Strings borrowed from it die with it. */
void elfmod_free(struct elfmod *m);
/* The display name (borrowed). */
const char *elfmod_name(const struct elfmod *m);
/* Number of function symbols in the sorted array. */
size_t elfmod_nsyms(const struct elfmod *m);
/* Whether its debug file was read through an inflated copy (compressed sections: see debugcopy.h).
 */
bool elfmod_debug_copied(const struct elfmod *m);
/* The sorted symbol array (borrowed, elfmod_nsyms entries): a symbol's index is sym - this. */
const struct elfmod_sym *elfmod_symbols(const struct elfmod *m);
/* True for an executable (ET_EXEC, or ET_DYN with a program interpreter: a PIE). */
bool elfmod_is_executable(const struct elfmod *m);

/* The ELF address of file offset off through the PT_LOAD segments; false when none maps it. */
bool elfmod_offset_to_vaddr(const struct elfmod *m, uint64_t off, uint64_t *vaddr);
/* The function symbol covering vaddr (borrowed), or NULL. Never calls into libdw. */
const struct elfmod_sym *elfmod_symbol(const struct elfmod *m, uint64_t vaddr);
/*
 * The start of the code vaddr lies in when no symbol names it: the first address of the range
 * the module's unwind table (.eh_frame, kept in stripped files) gives for it, one per function
 * as compilers emit them. False when the table has no entry for vaddr. Calls into libdw.
 */
bool elfmod_code_start(struct elfmod *m, uint64_t vaddr, uint64_t *start);
/*
 * The DWARF view of vaddr into out (up to max entries, innermost first): each inlined function
 * (inlined = true) and then the concrete function that contains them all (inlined = false), with
 * declaration file:line. Returns the number of frames, 0 when no DWARF describes vaddr (no
 * debuginfo installed, or code without DWARF). Calls into libdw: cache what it returns.
 */
size_t elfmod_frames(struct elfmod *m, uint64_t vaddr, struct elfmod_frame *out, size_t max);
/* True when DWARF is available for the module (loads it on first call, and after a drop). */
bool elfmod_has_dwarf(struct elfmod *m);
/*
 * End the module's DWARF session (libdw's unit, abbreviation and address-range state, and the
 * function index built over it): the next DWARF lookup opens it again, with the same answers.
 */
void elfmod_drop_dwarf(struct elfmod *m);
/* True while the module's DWARF session is open. */
bool elfmod_dwarf_open(const struct elfmod *m);
/* clock_coarse_ns of the module's last DWARF lookup, 0 before the first. */
uint64_t elfmod_dwarf_used(const struct elfmod *m);
/* How many DWARF sessions the module opened (1 + reopens after drops; 0 before the first). */
unsigned elfmod_dwarf_opens(const struct elfmod *m);
/* The ELF machine (EM_X86_64, EM_AARCH64, ...). */
unsigned elfmod_machine(const struct elfmod *m);
/*
 * The line table's file:line for vaddr (for inlined code, the inlined function's own line), and
 * the compilation directory a relative file is under (NULL when unknown); false when no line
 * table covers it. The strings are borrowed from the module.
 */
bool elfmod_srcline(struct elfmod *m, uint64_t vaddr, const char **file, const char **dir,
		    uint32_t *line);
/*
 * The code bytes at vaddr from the file's executable sections, up to len of them: sets *bytes
 * (borrowed from the module) and returns how many, 0 when no section holds vaddr.
 */
size_t elfmod_code(struct elfmod *m, uint64_t vaddr, size_t len, const uint8_t **bytes);
/*
 * The path of the separate debug file libdw found for the module (through the build ID or
 * .gnu_debuglink, when it read the symbol table), or NULL when there is none. Borrowed.
 */
const char *elfmod_debug_file(const struct elfmod *m);
/*
 * Give back the pages of the module's files (and its debug file) that lookups read since the last
 * call (DWARF, or the symbol names of a module without it): they stay in the page cache, out of
 * the resident set. Nothing when there were none.
 */
void elfmod_trim(struct elfmod *m);
/* Bytes held by ringside's own arrays (libdw's memory is not counted). */
size_t elfmod_memory(const struct elfmod *m);

#endif
