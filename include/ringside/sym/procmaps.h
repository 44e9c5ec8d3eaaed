/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A process's memory mappings: read from /proc/PID/maps when a process is first seen, then kept
 * current from MMAP2 records (a new mapping replaces whatever it overlaps), copied on fork. Kept
 * sorted by address for binary search. Pure data apart from procmaps_read.
 */
#ifndef RINGSIDE_SYM_PROCMAPS_H
#define RINGSIDE_SYM_PROCMAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum procmaps_flag {
	PROCMAPS_READ = 0x1,
	PROCMAPS_WRITE = 0x2,
	PROCMAPS_EXEC = 0x4,
	PROCMAPS_SHARED = 0x8,
	PROCMAPS_DELETED = 0x10, /* the file was deleted (" (deleted)" stripped from path) */
};

struct procmaps_map {
	uint64_t start, end; /* [start, end) */
	uint64_t pgoff;	     /* file offset of start */
	uint64_t inode;
	uint32_t dev;	/* makedev(major, minor) as the maps line shows it; 0 when unknown */
	uint32_t flags; /* enum procmaps_flag */
	uint32_t aux;	/* the caller's: zero in a new mapping, kept when copied or split */
	char *path;	/* owned: "" anonymous, "[vdso]", "[heap]", "/usr/lib/libc.so.6" */
};

struct procmaps {
	struct procmaps_map *maps; /* sorted by start, never overlapping */
	size_t n, cap;
};

/* An empty set (or zero the struct). */
void procmaps_init(struct procmaps *pm);
/* Free the mappings; the set is empty afterwards. */
void procmaps_fini(struct procmaps *pm);

/*
 * Parse one /proc/PID/maps line ("start-end perms offset major:minor inode   path") into *out;
 * out->path is allocated (the caller frees it). Paths may contain spaces; a trailing
 * " (deleted)" is stripped and flagged. Returns 0 or -EINVAL.
 */
int procmaps_parse_line(const char *line, struct procmaps_map *out);
/*
 * Replace pm's content with the mappings in a maps file (e.g. "/proc/1234/maps"); with
 * exec_only only executable mappings are kept. Malformed lines are skipped. Returns 0 or -errno.
 */
int procmaps_read(struct procmaps *pm, const char *path, bool exec_only);
/*
 * Add a mapping of [start, end) (path copied; "//anon" means anonymous), trimming or splitting
 * the mappings it overlaps, as the kernel does on mmap. Empty ranges are ignored. Returns the
 * new mapping (valid until the next change).
 */
struct procmaps_map *procmaps_add(struct procmaps *pm, uint64_t start, uint64_t end, uint64_t pgoff,
				  uint32_t dev, uint64_t inode, uint32_t flags, const char *path);
/* Make dst (initialised; its content is dropped) a copy of src, for a forked child. */
void procmaps_copy(struct procmaps *dst, const struct procmaps *src);
/* True when some mapping overlaps [start, end). */
bool procmaps_overlaps(const struct procmaps *pm, uint64_t start, uint64_t end);
/* The mapping containing addr, or NULL (borrowed, valid until the next change). */
struct procmaps_map *procmaps_find(const struct procmaps *pm, uint64_t addr);
/* True for mappings of a file by path (starting with '/'), false for "", [heap], [vdso]... */
bool procmaps_is_file(const struct procmaps_map *m);
/* Bytes held, for memory accounting. */
size_t procmaps_memory(const struct procmaps *pm);

#endif
