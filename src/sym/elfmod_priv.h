/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * elfmod's insides, shared by its files: elfmod.c (symbols, DWARF lookups, sessions),
 * elfmod_debug.c (finding a module's separate debug file for libdwfl) and elfmod_code.c (where
 * code without a symbol starts). Not a contract for anything outside src/sym/elfmod*.c.
 */
#ifndef RINGSIDE_SYM_ELFMOD_PRIV_H
#define RINGSIDE_SYM_ELFMOD_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>

#include "ringside/sym/elfmod.h"

struct elfmod_load {
	uint64_t off, filesz, memsz, vaddr;
};

/* A function definition's code range [lo, hi) in DWARF addresses, and its DIE. */
struct elfmod_fn {
	uint64_t lo, hi;
	Dwarf_Die die;
};

/* The function definitions of one compilation unit, sorted by address. */
struct elfmod_cu {
	Dwarf_Off off;
	struct elfmod_fn *fns;
	size_t n;
};

/* The deepest inline nesting followed (deeper levels are skipped, the outer ones kept). */
#define ELFMOD_MAX_DEPTH 64

/* What a libdwfl session's module userdata points at: its elfmod, and whether it looked yet. */
struct elfmod_sess {
	struct elfmod *m;
	bool looked;
};

struct elfmod {
	char *name;
	Dwfl *dwfl; /* the symbol table and code: for the module's life */
	Dwfl_Module *mod;
	Dwfl *ddwfl; /* DWARF: opened on first use, ended by elfmod_drop_dwarf */
	Dwfl_Module *dmod;
	bool dloaded;	   /* dmod's DWARF was asked for */
	int fd_copy;	   /* a dup of the file, for DWARF and the unwind table; -1 none */
	int debug_fd;	   /* the debug file found (a dup), -1 none found, -2 not looked yet */
	char *debug_path;  /* its name, when debug_fd >= 0 */
	bool debug_copied; /* debug_fd is an inflated copy (debugcopy.h), costly to make again */
	Elf *symelf; /* the ELF the symbol table was read from (the debug file, when stripped) */
	struct elfmod_sess sess_main, sess_dwarf;
	uint64_t dwarf_used;  /* clock_coarse_ns of the last DWARF lookup */
	unsigned dwarf_opens; /* DWARF sessions opened */
	uint64_t bias;	      /* module address = ELF vaddr + bias */
	struct elfmod_sym *syms;
	size_t nsyms;
	struct elfmod_load *loads;
	size_t nloads;
	bool executable;
	uint16_t machine;      /* e_machine */
	int dwarf;	       /* 0 not tried yet, 1 present, -1 absent */
	struct elfmod_cu *cus; /* indexed so far, sorted by offset */
	size_t ncus, cus_cap, nfns;
	unsigned lookups; /* lookups since the file's and debug file's pages were last released */
	char *names;	  /* declaration files composed for the frames of the last elfmod_frames */
	size_t names_len, names_cap;
	/*
	 * .eh_frame_hdr's table (elfmod_code.c): 0 not read yet, 1 read, -1 none usable. Read
	 * with pread from fd_copy (at the file offsets), so lookups map none of the file; from
	 * the mapping (eh_table, eh_frame) only when the module has no second descriptor.
	 */
	int eh_state;
	const uint8_t *eh_table; /* eh_n pairs of int32 (start, FDE), from eh_base, sorted */
	size_t eh_n;
	uint64_t eh_base, eh_table_off;
	int32_t *eh_index;	 /* the first start of each ELFMOD_EH_BLOCK entries of the table */
	const uint8_t *eh_frame; /* .eh_frame's bytes (in the file's mapping), eh_frame_n of them */
	size_t eh_frame_n;
	uint64_t eh_frame_addr, eh_frame_off; /* and its ELF address and file offset */
	size_t eh_cie;	    /* the last CIE read (offset in .eh_frame + 1; 0 none) */
	uint8_t eh_cie_enc; /* and its FDEs' pointer encoding */
	bool elf64;
};

/* libdwfl's callbacks for every session: local debug files only (elfmod_debug.c). */
extern const Dwfl_Callbacks elfmod_callbacks;

#endif
