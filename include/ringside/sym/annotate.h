/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Annotation of one function: its instructions disassembled with Capstone (x86-64 and AArch64)
 * from the ELF file's own bytes, each with its samples, and its source lines through libdw's line
 * table (inlined code goes by the inlined function's own lines), the text read from disk with a
 * search path and prefix map for moved trees. What cannot be shown (a source file not found, no
 * line table, an unreadable file, JIT or kernel code) becomes a note, never an error.
 *
 * Three row lists: source lines only, instructions only, and both interleaved (each run of
 * instructions under the line they belong to).
 */
#ifndef RINGSIDE_SYM_ANNOTATE_H
#define RINGSIDE_SYM_ANNOTATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ringside/model/addrtab.h"
#include "ringside/model/frametab.h"

/* The most code bytes disassembled for one function. */
#define ANNOTATE_MAX_BYTES (256u << 10)
/* A file's source lines are shown whole between its first and last line when they span at most
 * this many; past it, only the lines that have instructions. */
#define ANNOTATE_MAX_SPAN 2000u

/* The most files an annotate_cache keeps open. */
#define ANNOTATE_CACHE_MAX 4u

/*
 * Files opened for annotations, kept for the next ones: the symbol table, the code and the DWARF
 * libdw loaded (for a distribution's libc, most of the time is libdw inflating its compressed
 * debug sections, all of them, when it first reads any). A file is the same while its device,
 * inode, size and modification time are; at most ANNOTATE_CACHE_MAX files, the least recently
 * used closed first.
 */
struct annotate_cache;

/* Where source files are looked for, and the cache of opened files. */
struct annotate_opts {
	const char *const *source_dirs; /* --source-path DIR, tried in order */
	size_t nsource_dirs;
	const char *const *prefix_map; /* --source-prefix OLD=NEW strings */
	size_t nprefix_map;
	struct annotate_cache *cache; /* NULL: each annotation opens its file afresh */
};

/* An empty cache (the caller's, annotate_cache_free). */
struct annotate_cache *annotate_cache_new(void);
/* Close its files and free it; NULL is fine. */
void annotate_cache_free(struct annotate_cache *c);
/* Files opened (misses) and reused (hits) through c so far. */
void annotate_cache_stats(const struct annotate_cache *c, uint64_t *opened, uint64_t *reused);

enum annotate_kind {
	ANNOTATE_SOURCE, /* a source line: file, line, text (NULL when the file was not found) */
	ANNOTATE_ASM,	 /* an instruction: addr, text, and the file:line it belongs to */
	ANNOTATE_NOTE,	 /* a note: text */
};

struct annotate_row {
	uint8_t kind;	  /* enum annotate_kind */
	uint32_t file;	  /* index into files, UINT32_MAX when unknown */
	uint32_t line;	  /* 0 when unknown */
	uint64_t addr;	  /* instructions */
	uint64_t count;	  /* samples: of the instruction, or of all the line's instructions */
	uint64_t calls;	  /* samples at it as a call site (count + calls: with callees) */
	const char *text; /* borrowed from the annotation */
};

struct annotate {
	char *function, *module;
	uint64_t start, size; /* the function's ELF address range */
	uint64_t total;	      /* samples over all its addresses (self) */
	uint64_t calls;	      /* samples at its call sites (total + calls: with callees) */
	char **files;	      /* source files as the line table names them */
	size_t nfiles;
	char **notes; /* what could not be shown, and why */
	size_t nnotes;
	struct annotate_row *source, *insns, *mixed;
	size_t nsource, ninsns, nmixed;
	/* private */
	char **strs;
	size_t nstrs, strs_cap;
};

/*
 * Annotate function (a name for the title) of module (a path read now), a frame of kind, with the
 * sampled addresses e[0..n) sorted by address (addrtab_function's order). Always returns an
 * annotation (the caller's, annotate_free), with notes for what it could not show.
 */
struct annotate *annotate_build(const char *function, const char *module, enum frame_kind kind,
				const struct addrtab_entry *e, size_t n,
				const struct annotate_opts *opts);
/*
 * Count the samples again from e[0..n) (sorted by address: the same function's addresses, grown
 * since the build), keeping the code and the lines: the live screen's refresh.
 */
void annotate_recount(struct annotate *a, const struct addrtab_entry *e, size_t n);
/* Free an annotation; NULL is fine. */
void annotate_free(struct annotate *a);
/* The index of the row with the most self samples (ties, or none: the most at call sites) in
 * rows[0..n) of kind, or SIZE_MAX when none has any. */
size_t annotate_hottest(const struct annotate_row *rows, size_t n, enum annotate_kind kind);
/*
 * Print the annotation as text (the mixed rows, like perf annotate --stdio): a header, the notes,
 * then each row with its share of the function's self samples and of its samples with callees.
 */
void annotate_print(const struct annotate *a, FILE *fp);
/* The percentage count is of total (0 when total is 0). */
double annotate_pct(uint64_t count, uint64_t total);

#endif
