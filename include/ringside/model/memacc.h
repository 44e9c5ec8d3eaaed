/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Memory accesses (--mem): samples that carry a data address (page faults, or PEBS/IBS loads),
 * each binned to the mapping it fell in. The mappings are the target's data and code mappings as
 * MMAP2 records and /proc/PID/maps gave them, labelled heap, stack, anon, a file's name, [vdso];
 * an address outside every mapping goes to the one "unknown" mapping (index 0), never dropped.
 *
 * Bounded: at most MEMACC_MAX_MAPS mappings (past that, a new mapping's addresses count as
 * unknown) and a log of at most MEMACC_LOG_MAX samples (time, address, mapping, function): when
 * it fills, every second entry is dropped and from then on only one sample in `stride` is logged,
 * so the log always spans the whole recording. Per-mapping totals (samples, latency, data
 * source levels) count every sample, whatever the log kept.
 */
#ifndef RINGSIDE_MODEL_MEMACC_H
#define RINGSIDE_MODEL_MEMACC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEMACC_MAX_MAPS 4096u
#define MEMACC_LOG_MAX	(1u << 19) /* 12 MiB of 24-byte entries */
#define MEMACC_UNKNOWN	0u	   /* the mapping index of addresses outside every mapping */
#define MEMACC_NOFRAME	UINT32_MAX

enum memacc_kind {
	MEMACC_KIND_UNKNOWN,
	MEMACC_KIND_HEAP,
	MEMACC_KIND_STACK,
	MEMACC_KIND_ANON,
	MEMACC_KIND_FILE,
	MEMACC_KIND_VDSO,
	MEMACC_KIND_SPECIAL, /* other bracketed kernel mappings: [vvar], [vsyscall] */
	MEMACC_KIND_COUNT
};

/* Where a sampled access was served (PERF_SAMPLE_DATA_SRC's level), coarsely. */
enum memacc_level {
	MEMACC_LVL_NA, /* not reported (page faults) */
	MEMACC_LVL_L1,
	MEMACC_LVL_L2,
	MEMACC_LVL_L3,
	MEMACC_LVL_RAM, /* local or remote DRAM */
	MEMACC_LVL_OTHER,
	MEMACC_LVL_COUNT
};

struct memacc_map {
	uint32_t pid;	     /* 0 for "unknown" */
	uint64_t start, end; /* [start, end); unknown: the span of its addresses */
	char *label;	     /* "heap", "stack", "anon", "/path/file", "[vdso]", "unknown" */
	enum memacc_kind kind;
	bool dead;	  /* replaced by a later mapping over its range; its samples stay */
	uint64_t samples; /* every sample in it */
	uint64_t weight;  /* the sum of the samples' weights (latency), 0 without */
	uint64_t levels[MEMACC_LVL_COUNT];
};

struct memacc_sample {
	uint64_t time; /* monotonic ns */
	uint64_t addr;
	uint32_t map;	/* index into the mappings */
	uint32_t frame; /* the innermost user function (a frametab id), or MEMACC_NOFRAME */
};

struct memacc;

/* An empty set with only the "unknown" mapping; source names where addresses come from. */
struct memacc *memacc_new(const char *source);
/* Free everything; NULL is fine. */
void memacc_free(struct memacc *m);
/* "page-faults", "pebs-loads", "ibs-op" (borrowed). */
const char *memacc_source(const struct memacc *m);
/* The kind a mapping's path gives ("" and "//anon": anon, "[heap]", "[stack]", "[vdso]", ...). */
enum memacc_kind memacc_kind_of(const char *path);
/* "unknown", "heap", "stack", "anon", "file", "vdso", "special". */
const char *memacc_kind_name(enum memacc_kind kind);
/* The level a union perf_mem_data_src value names. */
enum memacc_level memacc_level_of(uint64_t data_src);
/* "n/a", "L1", "L2", "L3", "RAM", "other". */
const char *memacc_level_name(enum memacc_level level);

/*
 * A mapping [start, end) of process pid from path: earlier live mappings of pid it overlaps are
 * marked dead (their samples stay). A mapping equal to a live one is not added again. Returns its
 * index, or MEMACC_UNKNOWN when the table is full.
 */
uint32_t memacc_map(struct memacc *m, uint32_t pid, uint64_t start, uint64_t end, const char *path);
/* Whether a live mapping of pid overlaps [start, end). */
bool memacc_overlaps(const struct memacc *m, uint32_t pid, uint64_t start, uint64_t end);
/* The live mapping of pid holding addr, or MEMACC_UNKNOWN. */
uint32_t memacc_lookup(const struct memacc *m, uint32_t pid, uint64_t addr);
/*
 * Record one access at time (monotonic ns) to addr by pid; frame as in memacc_sample; weight
 * and data_src 0 when not sampled. Returns the mapping it was binned to.
 */
uint32_t memacc_add(struct memacc *m, uint32_t pid, uint64_t time, uint64_t addr, uint32_t frame,
		    uint64_t weight, uint64_t data_src);
/*
 * Append a mapping as read from a snapshot (label copied; counts and kind as given; index 0
 * restores the unknown mapping's). A live one joins the lookup index. Returns its index, or
 * MEMACC_UNKNOWN when the table is full.
 */
uint32_t memacc_restore_map(struct memacc *m, uint32_t index, const struct memacc_map *x);
/* Append a logged sample as read from a snapshot (map checked by the caller). */
void memacc_add_logged(struct memacc *m, const struct memacc_sample *s);
/* Restore the log's stride and the counts of samples and untracked mappings (snapshot reader). */
void memacc_set_counts(struct memacc *m, uint64_t stride, uint64_t total, uint64_t maps_dropped);

size_t memacc_nmaps(const struct memacc *m);
/* Mapping i (borrowed; valid until the next memacc_map). */
const struct memacc_map *memacc_get(const struct memacc *m, uint32_t i);
/* Mutable mapping i, for the snapshot reader to restore counts. */
struct memacc_map *memacc_get_mut(struct memacc *m, uint32_t i);
/* The log, in arrival order (time order within a CPU's ring). */
const struct memacc_sample *memacc_log(const struct memacc *m, size_t *n);
/* One logged sample stands for this many (1 until the log first filled). */
uint64_t memacc_stride(const struct memacc *m);
/* Every sample ever added (the log may keep fewer). */
uint64_t memacc_total(const struct memacc *m);
/* Mappings not tracked because the table was full (their samples went to unknown). */
uint64_t memacc_maps_dropped(const struct memacc *m);
/* Bytes used, for memory accounting. */
size_t memacc_memory(const struct memacc *m);

#endif
