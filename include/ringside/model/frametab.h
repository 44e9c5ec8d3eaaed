/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interned strings and frames. Every name, module and source file is stored once and referred to
 * by a 32-bit id; a frame (a function in a module, with its kind and declaration site) likewise.
 * Ids are dense, start at 0 and never change, so they index arrays and go into snapshots as is;
 * only a frame released (frametab_release) may later name another frame.
 * Interning hashes; lookups by id are array reads. Pure data, no I/O.
 */
#ifndef RINGSIDE_MODEL_FRAMETAB_H
#define RINGSIDE_MODEL_FRAMETAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum frame_kind {
	FRAME_ROOT,	 /* the tree's root ("all") */
	FRAME_PROCESS,	 /* a process: name = comm, line = pid */
	FRAME_THREAD,	 /* a thread: name = comm, line = tid */
	FRAME_KERNEL,	 /* kernel code (module = "[kernel]" or a kernel module's name) */
	FRAME_USER,	 /* the main executable */
	FRAME_LIBRARY,	 /* a shared library */
	FRAME_JIT,	 /* code named by a perf JIT map (/tmp/perf-PID.map) */
	FRAME_UNKNOWN,	 /* an address nothing names: "module+0xOFF" or "[unknown]" */
	FRAME_OTHER,	 /* "[other]": rare paths folded together when the tree reaches its cap */
	FRAME_TRUNCATED, /* a marked end of a stack cut short (by the unwinder or max depth) */
	FRAME_STATE,	 /* under a thread in the time tree: "[on-CPU]" or why it was off CPU */
	FRAME_HOST, /* a merged snapshot's host, above its processes: name = label, line = input */
	FRAME_KIND_COUNT
};

/* The kind as a word for files and screens: "root", "process", "kernel", ... */
const char *frame_kind_name(enum frame_kind kind);
/* The kind for a word from frame_kind_name; returns false when unknown. */
bool frame_kind_parse(const char *word, enum frame_kind *kind);

struct frame {
	uint32_t name;	 /* string id: function name (demangled), or comm for process/thread */
	uint32_t module; /* string id: module path or name ("" when none) */
	uint32_t file;	 /* string id: source file of the declaration ("" when unknown) */
	uint32_t line;	 /* declaration line (0 when unknown); pid/tid for process/thread */
	uint8_t kind;	 /* enum frame_kind */
	bool inlined;	 /* this frame was inlined into its caller */
};

struct frametab;

/* An empty table; string id 0 is always "" . */
struct frametab *frametab_new(void);
/* Free the table; NULL is fine. */
void frametab_free(struct frametab *ft);

/* Intern a string (copied); returns its id. */
uint32_t frametab_string(struct frametab *ft, const char *s);
/* The string of an id (borrowed, valid as long as the table). */
const char *frametab_str(const struct frametab *ft, uint32_t id);
/* Number of strings. */
size_t frametab_nstrings(const struct frametab *ft);

/* Intern a frame whose strings are already ids; returns its id. Equal fields give equal ids. */
uint32_t frametab_intern_ids(struct frametab *ft, const struct frame *f);
/* Intern a frame from strings (any may be NULL for ""). */
uint32_t frametab_intern(struct frametab *ft, const char *name, const char *module,
			 const char *file, uint32_t line, enum frame_kind kind, bool inlined);
/*
 * Give up frame id (a pid's process or thread frame once nothing refers to it): interning its
 * fields again makes a new frame, and a later new frame may take the id. Until then the id reads
 * as a frame with no strings, line = its id and kind FRAME_KIND_COUNT (frame_kind_name: "unknown"),
 * which no interned frame equals.
 */
void frametab_release(struct frametab *ft, uint32_t id);
/* The frame of an id (borrowed; valid until the next intern). */
const struct frame *frametab_get(const struct frametab *ft, uint32_t id);
/* Number of frames. */
size_t frametab_nframes(const struct frametab *ft);
/* Bytes used, for memory accounting. */
size_t frametab_memory(const struct frametab *ft);

#endif
