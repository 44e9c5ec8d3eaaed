/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * perf JIT maps: /tmp/perf-PID.map, written by JIT compilers (Python 3.12 -X perf, Node
 * --perf-basic-prof, JVM agents) as "START SIZE name" lines (hex START and SIZE; the name runs to
 * the end of the line and may contain spaces). Loaded sorted for binary search and reread when
 * the file has grown or changed, since runtimes append as they compile.
 */
#ifndef RINGSIDE_SYM_JITMAP_H
#define RINGSIDE_SYM_JITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jitmap;

/*
 * The most of a map file read: runtimes that log every compiled function for hours write tens of
 * MB (about 60 bytes a symbol); 1 GiB is millions of symbols beyond that, and bounds a path that
 * is not what it seems.
 */
#define JITMAP_MAX_BYTES (1ull << 30)

struct jitmap_sym {
	uint64_t start, size; /* covers [start, start + size) */
	const char *name;     /* borrowed: valid until the next jitmap_refresh or jitmap_free */
};

/* A map for the file at path (copied; the file need not exist yet). Nothing is read here. */
struct jitmap *jitmap_new(const char *path);
/* Free the map; NULL is fine. */
void jitmap_free(struct jitmap *jm);
/*
 * Reread the file when its size, mtime or inode changed since the last read (one stat when it
 * did not). Returns 1 when the symbols were reloaded, 0 when unchanged, -errno when the file
 * cannot be read (a missing file leaves the map empty; a file removed after it was read stays
 * readable, held open until jitmap_free), -ESPIPE (nothing read) when it is not a
 * regular file, -EFBIG when it is larger than JITMAP_MAX_BYTES (the symbols of its first
 * JITMAP_MAX_BYTES are kept, the rest is not read).
 */
int jitmap_refresh(struct jitmap *jm);
/* The symbol covering addr into *out; false when none does. Later lines win overlaps. */
bool jitmap_find(const struct jitmap *jm, uint64_t addr, struct jitmap_sym *out);
/* Number of symbols loaded. */
size_t jitmap_count(const struct jitmap *jm);
/* How many times the file was (re)loaded: a change means lookups may now find more. */
unsigned jitmap_generation(const struct jitmap *jm);
/* The file's path (borrowed). */
const char *jitmap_path(const struct jitmap *jm);
/* Bytes held, for memory accounting. */
size_t jitmap_memory(const struct jitmap *jm);

#endif
