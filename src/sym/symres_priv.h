/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The resolver's insides, shared by its files: symres.c (lifecycle, user-space and kernel
 * resolution, queries), symres_proc.c (processes, their maps and side-band events),
 * symres_module.c (ELF modules and the references mappings hold on them) and symres_cache.c
 * (the address -> frames cache). Not a contract for anything outside src/sym/symres*.c.
 */
#ifndef RINGSIDE_SYM_SYMRES_PRIV_H
#define RINGSIDE_SYM_SYMRES_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "ringside/sym/elfmod.h"
#include "ringside/sym/jitmap.h"
#include "ringside/sym/kallsyms.h"
#include "ringside/sym/procmaps.h"
#include "ringside/sym/symres.h"
#include "ringside/util/idmap.h"

/*
 * The kernel's address cache starts over past this many addresses (frames already interned stay):
 * at most 2^16 slots of 16 bytes, 1 MiB, and its pool. It was 2^20 (32 MiB a cache); a
 * system-wide recording's caches held 24,000 addresses after 3 minutes and kept growing. A chain
 * seen before skips the caches (the ingest's chain cache), so starting over costs only addresses
 * that come again in new chains. The others have lower bounds of their own.
 */
#define SYMRES_CACHE_MAX (1u << 15)
/* A module's cache (its addresses in every process) starts over past this many. */
#define SYMRES_MODCACHE_MAX (1u << 13)
/*
 * A process's cache starts over past this many (256 KiB). A miss there costs a search of the
 * process's maps and a probe of the module's cache, which holds what is dear to find again (the
 * symbol search, the DWARF lookup); at 2^15 a 30-minute system-wide soak's caches held 4.3 MB.
 */
#define SYMRES_PROCCACHE_MAX (1u << 13)
/* How often an unresolved address may trigger a reread of the JIT map. */
#define SYMRES_JIT_RECHECK_NS 100000000ull
/* How often an address in no known mapping may trigger a reread of /proc/PID/maps. */
#define SYMRES_RESCAN_NS 200000000ull
/*
 * A module no mapping points at any more stays loaded this long (a compiler run over and over in a
 * build maps the same cc1 each time: its 27,000 symbols took 35-70 ms to read and sort and 2.9 MB
 * at their peak, each time), while its file is still the one loaded; only one with at least
 * SYMRES_IDLE_MIN_SYMS functions or whose debug file had to be inflated (every cc1 of a build
 * maps libm, and each load of it wrote its 0.9 MB debug file out again as a 2.4 MB copy: 33 times
 * in 80 s of a soak, against 1 when kept; a smaller one without that is quick to read again:
 * keeping it would only hold its file open), at most SYMRES_IDLE_MAX modules and
 * SYMRES_IDLE_BYTES of them, the longest idle going first.
 */
#define SYMRES_IDLE_NS	     10000000000ull
#define SYMRES_IDLE_MIN_SYMS 1024
#define SYMRES_IDLE_MAX	     16
#define SYMRES_IDLE_BYTES    (2u << 20)
/* mapping.aux values: 0 not looked at yet, else a module index + 1, or this for "no module". */
#define SYMRES_NO_MODULE UINT32_MAX

enum {
	SYMRES_ENT_UNKNOWN = 0x1, /* the result is a FRAME_UNKNOWN frame */
	SYMRES_ENT_RETRY = 0x2,	  /* may resolve later (JIT map growth, a late mmap) */
	SYMRES_ENT_NOMAP = 0x4,	  /* in no known mapping: /proc/PID/maps may know more later */
};

struct symres_ent {
	uint64_t addr;
	uint32_t off;  /* the frame id when count is 1, else the first frame's index in the pool */
	uint8_t count; /* frames; 0 marks an empty slot */
	uint8_t flags;
	uint16_t gen; /* the process's generation when a RETRY entry was resolved */
};

struct symres_cache {
	struct symres_ent *ents;
	size_t cap, n;	/* cap is a power of two */
	unsigned shift; /* 64 - log2(cap), for Fibonacci hashing */
	uint32_t *pool;
	size_t npool, pool_cap;
};

struct symres_module {
	struct elfmod *elf; /* NULL in a free slot */
	dev_t dev;	    /* the file's identity, from fstat */
	ino_t ino;
	off_t size;
	struct timespec mtime;
	uint32_t map_dev; /* the identity a maps line showed (0 when unknown) */
	uint64_t map_ino;
	uint32_t module_id; /* frametab string: the path */
	uint32_t *name_ids; /* per symbol: frametab string of the demangled name, 0 until needed */
	/*
	 * ELF address << 1 | (kind is FRAME_USER) -> the frames the module gave it, shared by all
	 * the processes that map it, so that a process new to an address its module already named
	 * (the C library's, in every process) does not read DWARF again.
	 */
	struct symres_cache cache;
	uint32_t refs;	     /* mappings of tracked processes that point at it (aux), plus pins */
	uint32_t next_free;  /* in a free slot: the next free slot's index + 1, 0 for none */
	bool reaping;	     /* on the reap list */
	uint64_t idle_since; /* clock_coarse_ns when the reap list found it unreferenced, else 0 */
};

struct symres_proc {
	pid_t pid;
	struct procmaps maps;
	char *exe;	/* the main executable's path, NULL while unknown */
	bool exe_tried; /* /proc/PID/exe was read for it */
	bool exe_next;	/* after an exec: the next file mapping is the executable */
	struct jitmap *jit;
	uint64_t scanned;     /* clock_coarse_ns of the last /proc/PID/maps read, 0 never */
	uint64_t jit_checked; /* clock_coarse_ns of the last JIT map refresh */
	unsigned jit_gen;     /* jitmap_generation when last seen */
	uint16_t gen;
	struct symres_cache cache;
};

struct symres {
	struct frametab *ft;
	struct symres_proc **procs; /* the tracked processes, in no order */
	size_t procs_cap, nprocs;
	struct idmap by_pid;	  /* pid -> index in procs */
	struct symres_proc *last; /* the process of the previous lookup */
	/*
	 * Module slots. A module goes after the last mapping that points at it does (at a later
	 * side-band event or trim: see symres_reap); its slot is reused, so indexes held in
	 * mappings stay valid for as long as any mapping holds them.
	 */
	struct symres_module *mods;
	size_t nmods, mods_cap; /* slots in use or free */
	size_t nloaded;		/* modules in them */
	uint32_t free_mod;	/* the first free slot's index + 1, 0 for none */
	/* modules whose last reference went: freed by symres_reap, or kept idle a while */
	uint32_t *reap;
	size_t nreap, reap_cap;
	/*
	 * How long an unreferenced module stays (SYMRES_IDLE_NS; 0: not at all), and how many
	 * functions it must have for that (SYMRES_IDLE_MIN_SYMS).
	 */
	uint64_t idle_ns;
	size_t idle_min_syms;
	uint32_t vdso;	      /* module index + 1 of our own vDSO, 0 untried, UINT32_MAX failed */
	struct kallsyms *ks;
	bool ks_tried;
	bool ks_restricted;
	bool ks_touched; /* kallsyms looked up since the last symres_trim (its pages to give back)
			  */
	uint32_t kernel_unknown; /* the "[kernel]" FRAME_UNKNOWN frame */
	struct symres_cache kcache;
	struct symres_stats stats;
	unsigned misses; /* module lookups since the last release of file pages (SYMRES_TRIM_EVERY) */
	uint64_t faults; /* the page faults the lookups since then took (SYMRES_TRIM_FAULTS) */
	uint64_t dwarf_opens_gone; /* DWARF sessions opened by modules since freed */
	/* string ids used over and over */
	uint32_t s_unknown, s_kernel, s_jit, s_anon;
};

/* ---- the address cache (symres_cache.c) ---------------------------------------------- */

/* Free c's memory; c is empty. */
void symres_cache_fini(struct symres_cache *c);
/* Store frames for addr (a new entry, or over a retried one); returns the entry. */
struct symres_ent *symres_cache_put(struct symres_cache *c, uint64_t addr, const uint32_t *frames,
				    size_t n, uint8_t flags, uint16_t gen);
/* Drop every entry, keeping the memory. */
void symres_cache_clear(struct symres_cache *c);
/* Make the entries for [start, end) resolve again on their next hit (whose gen is not gen). */
void symres_cache_invalidate(struct symres_cache *c, uint64_t start, uint64_t end, uint16_t gen);
/* Bytes c holds. */
size_t symres_cache_memory(const struct symres_cache *c);

/* Inline: a cache hit is the resolver's hot path. */
static inline size_t
symres_cache_slot(const struct symres_cache *c, uint64_t addr)
{
	return (size_t)((addr * 0x9e3779b97f4a7c15ull) >> c->shift);
}

static inline struct symres_ent *
symres_cache_find(const struct symres_cache *c, uint64_t addr)
{
	size_t mask = c->cap - 1, i;

	if (!c->ents)
		return NULL;
	for (i = symres_cache_slot(c, addr);; i = (i + 1) & mask) {
		struct symres_ent *e = &c->ents[i];

		if (e->count == 0)
			return NULL;
		if (e->addr == addr)
			return e;
	}
}

static inline size_t
symres_cache_copyout(const struct symres_cache *c, const struct symres_ent *e, uint32_t *frames,
		     size_t max)
{
	size_t n = e->count < max ? e->count : max;

	if (n == 0)
		return 0;
	if (e->count == 1) {
		frames[0] = e->off;
		return 1;
	}
	memcpy(frames, c->pool + e->off, n * sizeof(*frames));
	return n;
}

/* ---- modules and their references (symres_module.c) ---------------------------------- */

/* Take a reference on the module a mapping's aux names (none for 0 or SYMRES_NO_MODULE). */
void symres_module_ref(struct symres *r, uint32_t aux);
/* Drop one; a module left unreferenced goes to the reap list. */
void symres_module_unref(struct symres *r, uint32_t aux);
/* Take a reference for each mapping of pm. */
void symres_maps_ref(struct symres *r, const struct procmaps *pm);
/* Drop the reference of each mapping of pm. */
void symres_maps_unref(struct symres *r, const struct procmaps *pm);
/*
 * Free the modules no mapping points at any more, but for those kept idle a while (see
 * SYMRES_IDLE_NS) while their files are still the ones loaded.
 */
void symres_reap(struct symres *r);
/* symres_reap, and idle modules whose files were deleted or changed since go too. */
void symres_reap_idle(struct symres *r);
/* The last component of path (path itself when it ends in '/'). */
const char *symres_basename(const char *path);
/* Open the file a mapping of pid shows, from the process's point of view where possible. */
int symres_open_mapped(pid_t pid, const struct procmaps_map *m);
/* The module behind a file mapping of p (loaded on first use); NULL when it is not usable ELF. */
struct symres_module *symres_module_for(struct symres *r, struct symres_proc *p,
					struct procmaps_map *m);
/* Our own vDSO as a module (pinned); NULL when it cannot be read. */
struct symres_module *symres_vdso(struct symres *r);

/* ---- processes (symres_proc.c) --------------------------------------------------------- */

/* The process pid, or NULL when it is not tracked. */
struct symres_proc *symres_proc_find(const struct symres *r, pid_t pid);
/* Free p and what it holds (its module references are the caller's to drop). */
void symres_proc_free(struct symres_proc *p);
/* Read /proc/PID/exe into p->exe (" (deleted)" stripped). */
void symres_proc_read_exe(struct symres_proc *p);
/* Reread /proc/PID/maps, at most every SYMRES_RESCAN_NS; true when the maps changed. */
bool symres_proc_rescan(struct symres *r, struct symres_proc *p);
/* A process not tracked yet, created from /proc/PID/maps, and remembered as the last one. */
struct symres_proc *symres_proc_first_seen(struct symres *r, pid_t pid);

/*
 * The process, created from /proc/PID/maps when first seen (it may predate ringside). Inline:
 * every lookup starts here, and samples come in runs of one process.
 */
static inline struct symres_proc *
symres_proc_get(struct symres *r, pid_t pid)
{
	uint32_t i;

	if (r->last && r->last->pid == pid)
		return r->last;
	i = idmap_get(&r->by_pid, pid);
	if (i == IDMAP_NONE)
		return symres_proc_first_seen(r, pid);
	r->last = r->procs[i];
	return r->last;
}

#endif
