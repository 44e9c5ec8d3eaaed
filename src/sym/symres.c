// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The resolver: per process, the memory maps and an address -> frames cache (open addressing
 * over a flat entry array, frame ids in one pool, so a hit is a hash probe and a copy); ELF
 * modules shared by all processes, keyed by the file's identity; JIT maps per process; kallsyms
 * with a cache of its own for the kernel.
 *
 * An address that resolved to nothing may resolve later: the process's JIT map may grow, or an
 * MMAP2 record may arrive after a sample from another CPU's ring (or be lost). Such entries are
 * marked for retry and carry the process's generation (bumped by every mmap, every JIT map reload
 * and every /proc/PID/maps reread that found a change); a hit on one re-resolves it when the
 * generation moved, and rereads the JIT map at most every SYMRES_JIT_RECHECK_NS and, for an
 * address in no mapping, /proc/PID/maps at most every SYMRES_RESCAN_NS.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ringside/sym/demangle.h"
#include "ringside/sym/elfmod.h"
#include "ringside/sym/jitmap.h"
#include "ringside/sym/kallsyms.h"
#include "ringside/sym/procmaps.h"
#include "ringside/sym/symres.h"
#include "ringside/util/clock.h"
#include "ringside/util/idmap.h"
#include "ringside/util/sorted.h"
#include "ringside/util/xalloc.h"

/* A process's cache starts over past this many addresses (frames already interned stay). */
#define SYMRES_CACHE_MAX (1u << 20)
/* How often an unresolved address may trigger a reread of the JIT map. */
#define SYMRES_JIT_RECHECK_NS 100000000ull
/* How often an address in no known mapping may trigger a reread of /proc/PID/maps. */
#define SYMRES_RESCAN_NS 200000000ull
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
	uint32_t refs;	    /* mappings of tracked processes that point at it (aux), plus pins */
	uint32_t next_free; /* in a free slot: the next free slot's index + 1, 0 for none */
	bool reaping;	    /* on the reap list */
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
	 * Module slots. A module goes when the last mapping that points at it does (at the next
	 * side-band event: see symres_reap); its slot is reused, so indexes held in mappings stay
	 * valid for as long as any mapping holds them.
	 */
	struct symres_module *mods;
	size_t nmods, mods_cap; /* slots in use or free */
	size_t nloaded;		/* modules in them */
	uint32_t free_mod;	/* the first free slot's index + 1, 0 for none */
	uint32_t *reap;		/* modules whose last reference went since the last reap */
	size_t nreap, reap_cap;
	uint32_t vdso; /* module index + 1 of our own vDSO, 0 untried, UINT32_MAX failed */
	struct kallsyms *ks;
	bool ks_tried;
	bool ks_restricted;
	uint32_t kernel_unknown; /* the "[kernel]" FRAME_UNKNOWN frame */
	struct symres_cache kcache;
	struct symres_stats stats;
	/* string ids used over and over */
	uint32_t s_unknown, s_kernel, s_jit, s_anon;
};

/* ---- the address cache ----------------------------------------------------------------- */

static void
symres_cache_alloc(struct symres_cache *c, size_t cap)
{
	unsigned bits = 0;

	while (((size_t)1 << bits) < cap)
		bits++;
	c->cap = (size_t)1 << bits;
	c->shift = 64 - bits;
	c->ents = xcalloc(c->cap, sizeof(*c->ents));
	c->n = 0;
}

static void
symres_cache_fini(struct symres_cache *c)
{
	free(c->ents);
	free(c->pool);
	memset(c, 0, sizeof(*c));
}

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

static void
symres_cache_grow(struct symres_cache *c)
{
	struct symres_ent *old = c->ents;
	size_t oldcap = c->cap;

	symres_cache_alloc(c, oldcap ? oldcap * 2 : 256);
	for (size_t i = 0; i < oldcap; i++) {
		size_t j, mask = c->cap - 1;

		if (old[i].count == 0)
			continue;
		for (j = symres_cache_slot(c, old[i].addr); c->ents[j].count; j = (j + 1) & mask)
			;
		c->ents[j] = old[i];
		c->n++;
	}
	free(old);
}

/* Store frames for addr (a new entry, or over a retried one); returns the entry. */
static struct symres_ent *
symres_cache_put(struct symres_cache *c, uint64_t addr, const uint32_t *frames, size_t n,
		 uint8_t flags, uint16_t gen)
{
	struct symres_ent *e = symres_cache_find(c, addr);

	if (!e) {
		size_t j, mask;

		if (c->n >= SYMRES_CACHE_MAX) {
			/* Start over rather than grow without bound. */
			memset(c->ents, 0, c->cap * sizeof(*c->ents));
			c->n = 0;
			c->npool = 0;
		}
		if ((c->n + 1) * 2 > c->cap)
			symres_cache_grow(c);
		mask = c->cap - 1;
		for (j = symres_cache_slot(c, addr); c->ents[j].count; j = (j + 1) & mask)
			;
		e = &c->ents[j];
		c->n++;
	}
	e->addr = addr;
	e->count = (uint8_t)n;
	e->flags = flags;
	e->gen = gen;
	/* Most addresses are one frame: it lives in the entry, a hit touches one cache line. */
	if (n == 1) {
		e->off = frames[0];
		return e;
	}
	if (c->npool + n > c->pool_cap) {
		c->pool_cap = c->pool_cap ? c->pool_cap * 2 : 1024;
		while (c->npool + n > c->pool_cap)
			c->pool_cap *= 2;
		c->pool = xreallocarray(c->pool, c->pool_cap, sizeof(*c->pool));
	}
	memcpy(c->pool + c->npool, frames, n * sizeof(*frames));
	e->off = (uint32_t)c->npool;
	c->npool += n;
	return e;
}

static void
symres_cache_clear(struct symres_cache *c)
{
	if (c->ents)
		memset(c->ents, 0, c->cap * sizeof(*c->ents));
	c->n = 0;
	c->npool = 0;
}

/* Make the entries for [start, end) resolve again on their next hit (whose gen is not gen). */
static void
symres_cache_invalidate(struct symres_cache *c, uint64_t start, uint64_t end, uint16_t gen)
{
	if (c->n == 0)
		return;
	for (size_t i = 0; i < c->cap; i++) {
		struct symres_ent *e = &c->ents[i];

		if (e->count && e->addr >= start && e->addr < end) {
			e->flags |= SYMRES_ENT_RETRY;
			e->gen = gen;
		}
	}
}

static size_t
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

static size_t
symres_cache_memory(const struct symres_cache *c)
{
	return c->cap * sizeof(*c->ents) + c->pool_cap * sizeof(*c->pool);
}

/* ---- module references ----------------------------------------------------------------- */

/*
 * A module is held by every mapping whose aux names it, in any process still tracked. References
 * that go leave the module on the reap list; symres_reap frees those still unreferenced then, so
 * a reference dropped and taken again within one operation (a mapping split in two, maps read
 * again) costs nothing.
 */
static void
symres_module_ref(struct symres *r, uint32_t aux)
{
	if (aux && aux != SYMRES_NO_MODULE)
		r->mods[aux - 1].refs++;
}

static void
symres_module_unref(struct symres *r, uint32_t aux)
{
	struct symres_module *mod;

	if (!aux || aux == SYMRES_NO_MODULE)
		return;
	mod = &r->mods[aux - 1];
	if (--mod->refs > 0 || mod->reaping)
		return;
	if (r->nreap == r->reap_cap) {
		r->reap_cap = r->reap_cap ? r->reap_cap * 2 : 16;
		r->reap = xreallocarray(r->reap, r->reap_cap, sizeof(*r->reap));
	}
	r->reap[r->nreap++] = aux - 1;
	mod->reaping = true;
}

static void
symres_maps_ref(struct symres *r, const struct procmaps *pm)
{
	for (size_t i = 0; i < pm->n; i++)
		symres_module_ref(r, pm->maps[i].aux);
}

static void
symres_maps_unref(struct symres *r, const struct procmaps *pm)
{
	for (size_t i = 0; i < pm->n; i++)
		symres_module_unref(r, pm->maps[i].aux);
}

/* Free module idx (its ELF state, file descriptor and names) and make its slot free. */
static void
symres_module_evict(struct symres *r, uint32_t idx)
{
	struct symres_module *mod = &r->mods[idx];

	elfmod_free(mod->elf);
	free(mod->name_ids);
	memset(mod, 0, sizeof(*mod));
	mod->next_free = r->free_mod;
	r->free_mod = idx + 1;
	r->nloaded--;
	r->stats.modules_freed++;
}

/* Free the modules no mapping points at any more. */
static void
symres_reap(struct symres *r)
{
	for (size_t i = 0; i < r->nreap; i++) {
		struct symres_module *mod = &r->mods[r->reap[i]];

		mod->reaping = false;
		if (mod->elf && mod->refs == 0)
			symres_module_evict(r, r->reap[i]);
	}
	r->nreap = 0;
}

/*
 * fresh replaces old as a process's maps: a mapping that is still there (same range, offset
 * and file) keeps the module it pointed at, so rereading the maps does not reload modules.
 */
static void
symres_maps_adopt(struct symres *r, struct procmaps *fresh, const struct procmaps *old)
{
	size_t i = 0, j = 0;

	while (i < fresh->n && j < old->n) {
		struct procmaps_map *x = &fresh->maps[i];
		const struct procmaps_map *y = &old->maps[j];

		if (y->start < x->start) {
			j++;
			continue;
		}
		if (x->start < y->start) {
			i++;
			continue;
		}
		/* An MMAP2 record gives no inode: the range and the path must do. */
		if (x->end == y->end && x->pgoff == y->pgoff && y->aux != SYMRES_NO_MODULE &&
		    (!y->inode || (y->inode == x->inode && y->dev == x->dev)) &&
		    strcmp(x->path, y->path) == 0) {
			x->aux = y->aux;
			symres_module_ref(r, x->aux);
		}
		i++;
		j++;
	}
}

/* Make fresh the maps of p, dropping the old ones and the references they held. */
static void
symres_proc_set_maps(struct symres *r, struct symres_proc *p, struct procmaps *fresh)
{
	symres_maps_adopt(r, fresh, &p->maps);
	symres_maps_unref(r, &p->maps);
	procmaps_fini(&p->maps);
	p->maps = *fresh;
	procmaps_init(fresh);
}

/* ---- processes ------------------------------------------------------------------------- */

static struct symres_proc *
symres_proc_find(const struct symres *r, pid_t pid)
{
	uint32_t i = idmap_get(&r->by_pid, pid);

	return i == IDMAP_NONE ? NULL : r->procs[i];
}

/* A new, empty process entry (no maps read). */
static struct symres_proc *
symres_proc_add(struct symres *r, pid_t pid)
{
	struct symres_proc *p = xcalloc(1, sizeof(*p));

	if (r->nprocs == r->procs_cap) {
		r->procs_cap = r->procs_cap ? r->procs_cap * 2 : 64;
		r->procs = xreallocarray(r->procs, r->procs_cap, sizeof(*r->procs));
	}
	p->pid = pid;
	procmaps_init(&p->maps);
	idmap_put(&r->by_pid, pid, (uint32_t)r->nprocs);
	r->procs[r->nprocs++] = p;
	return p;
}

static void
symres_proc_free(struct symres_proc *p)
{
	procmaps_fini(&p->maps);
	free(p->exe);
	jitmap_free(p->jit);
	symres_cache_fini(&p->cache);
	free(p);
}

/* Read /proc/PID/exe into p->exe (" (deleted)" stripped). */
static void
symres_proc_read_exe(struct symres_proc *p)
{
	char link[64], buf[PATH_MAX];
	ssize_t n;

	p->exe_tried = true;
	snprintf(link, sizeof(link), "/proc/%d/exe", (int)p->pid);
	n = readlink(link, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
		buf[n - 10] = '\0';
	free(p->exe);
	p->exe = xstrdup(buf);
}

/* (Re)read the process's maps from /proc; false when the process is gone. */
static bool
symres_proc_read_maps(struct symres *r, struct symres_proc *p)
{
	struct procmaps fresh;
	char path[64];

	p->scanned = clock_coarse_ns();
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)p->pid);
	procmaps_init(&fresh);
	if (procmaps_read(&fresh, path, true) < 0)
		return false;
	symres_proc_set_maps(r, p, &fresh);
	symres_proc_read_exe(p);
	symres_cache_clear(&p->cache);
	p->gen++;
	return true;
}

/* True when a and b list the same mappings. */
static bool
symres_maps_equal(const struct procmaps *a, const struct procmaps *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct procmaps_map *x = &a->maps[i], *y = &b->maps[i];

		if (x->start != y->start || x->end != y->end || x->pgoff != y->pgoff ||
		    x->flags != y->flags || strcmp(x->path, y->path) != 0)
			return false;
	}
	return true;
}

/*
 * An address in no known mapping: MMAP2 records may have been lost, or be still in another
 * CPU's ring. Read /proc/PID/maps again (at most every SYMRES_RESCAN_NS; the cache stays, as
 * what it holds was right). True when the maps changed.
 */
static bool
symres_proc_rescan(struct symres *r, struct symres_proc *p)
{
	uint64_t now = clock_coarse_ns();
	struct procmaps fresh;
	char path[64];

	if (p->scanned && now - p->scanned < SYMRES_RESCAN_NS)
		return false;
	p->scanned = now;
	procmaps_init(&fresh);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)p->pid);
	if (procmaps_read(&fresh, path, true) < 0)
		return false;
	if (symres_maps_equal(&fresh, &p->maps)) {
		procmaps_fini(&fresh);
		return false;
	}
	symres_proc_set_maps(r, p, &fresh);
	if (!p->exe)
		symres_proc_read_exe(p);
	p->gen++;
	return true;
}

/* The process, created from /proc/PID/maps when first seen (it may predate ringside). */
static struct symres_proc *
symres_proc_get(struct symres *r, pid_t pid)
{
	struct symres_proc *p;

	if (r->last && r->last->pid == pid)
		return r->last;
	p = symres_proc_find(r, pid);
	if (!p) {
		p = symres_proc_add(r, pid);
		/* A process already gone stays known and empty (see symres_proc_rescan). */
		symres_proc_read_maps(r, p);
	}
	r->last = p;
	return p;
}

static void
symres_proc_remove(struct symres *r, pid_t pid)
{
	uint32_t i = idmap_del(&r->by_pid, pid);
	struct symres_proc *p;

	if (i == IDMAP_NONE)
		return;
	p = r->procs[i];
	/* The last process fills the hole. */
	if (i != --r->nprocs) {
		r->procs[i] = r->procs[r->nprocs];
		idmap_put(&r->by_pid, r->procs[i]->pid, i);
	}
	if (r->last == p)
		r->last = NULL;
	symres_maps_unref(r, &p->maps);
	symres_proc_free(p);
}

/* ---- lifecycle and side-band events ------------------------------------------------------ */

struct symres *
symres_new(struct frametab *ft)
{
	struct symres *r = xcalloc(1, sizeof(*r));

	r->ft = ft;
	idmap_init(&r->by_pid);
	r->s_unknown = frametab_string(ft, "[unknown]");
	r->s_kernel = frametab_string(ft, "[kernel]");
	r->s_jit = frametab_string(ft, "[jit]");
	r->s_anon = frametab_string(ft, "[anon]");
	return r;
}

void
symres_free(struct symres *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nprocs; i++)
		symres_proc_free(r->procs[i]);
	free(r->procs);
	idmap_fini(&r->by_pid);
	for (size_t i = 0; i < r->nmods; i++) {
		elfmod_free(r->mods[i].elf);
		free(r->mods[i].name_ids);
	}
	free(r->mods);
	free(r->reap);
	kallsyms_free(r->ks);
	symres_cache_fini(&r->kcache);
	free(r);
}

void
symres_proc_scan(struct symres *r, pid_t pid)
{
	struct symres_proc *p = symres_proc_find(r, pid);
	char path[64];

	if (!p) {
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
		if (access(path, R_OK) != 0)
			return;
		p = symres_proc_add(r, pid);
	}
	symres_proc_read_maps(r, p);
	symres_reap(r);
}

/* The first mapping of pm that ends above addr (pm->n when none). */
static size_t
symres_maps_upper(const struct procmaps *pm, uint64_t addr)
{
	return sorted_upper(pm->maps, pm->n, sizeof(*pm->maps), offsetof(struct procmaps_map, end),
			    addr);
}

/*
 * procmaps_add, keeping module references right: the mappings [start, end) covers let go of
 * their modules, and the pieces of them left on either side hold them again.
 */
static void
symres_maps_replace(struct symres *r, struct procmaps *pm, uint64_t start, uint64_t end,
		    uint64_t pgoff, uint32_t flags, const char *path)
{
	size_t i = symres_maps_upper(pm, start), j;
	uint64_t lo = start, hi = end;

	for (j = i; j < pm->n && pm->maps[j].start < end; j++) {
		const struct procmaps_map *m = &pm->maps[j];

		symres_module_unref(r, m->aux);
		lo = m->start < lo ? m->start : lo;
		hi = m->end > hi ? m->end : hi;
	}
	procmaps_add(pm, start, end, pgoff, 0, 0, flags, path);
	for (j = symres_maps_upper(pm, lo); j < pm->n && pm->maps[j].start < hi; j++)
		symres_module_ref(r, pm->maps[j].aux);
}

void
symres_mmap(struct symres *r, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
	    const char *path, bool exec)
{
	struct symres_proc *p = symres_proc_get(r, pid);
	static const char deleted[] = " (deleted)";
	uint32_t flags = PROCMAPS_READ | (exec ? PROCMAPS_EXEC : 0);
	size_t plen = path ? strlen(path) : 0, dl = sizeof(deleted) - 1;
	char *copy = NULL;

	if (len == 0 || start + len < start)
		return;
	if (plen > dl && strcmp(path + plen - dl, deleted) == 0) {
		copy = xstrndup(path, plen - dl);
		path = copy;
		flags |= PROCMAPS_DELETED;
	}
	if (p->exe_next && path && path[0] == '/' && exec) {
		free(p->exe);
		p->exe = xstrdup(path);
		p->exe_next = false;
		p->exe_tried = true;
	}
	/* Code that replaced other code (dlclose, then dlopen) must not keep the old names. */
	if (procmaps_overlaps(&p->maps, start, start + len))
		symres_cache_invalidate(&p->cache, start, start + len, p->gen);
	symres_maps_replace(r, &p->maps, start, start + len, pgoff, flags, path);
	p->gen++;
	free(copy);
	symres_reap(r);
}

void
symres_fork(struct symres *r, pid_t parent_pid, pid_t child_pid)
{
	struct symres_proc *parent, *child;

	if (parent_pid == child_pid)
		return;
	parent = symres_proc_get(r, parent_pid);
	child = symres_proc_find(r, child_pid);
	if (!child)
		child = symres_proc_add(r, child_pid);
	/* The child's mappings are the parent's: they hold the same modules. */
	symres_maps_ref(r, &parent->maps);
	symres_maps_unref(r, &child->maps);
	procmaps_copy(&child->maps, &parent->maps);
	free(child->exe);
	child->exe = xstrdup(parent->exe);
	child->exe_tried = parent->exe_tried;
	child->exe_next = parent->exe_next;
	symres_cache_clear(&child->cache);
	child->gen++;
	symres_reap(r);
}

void
symres_exec(struct symres *r, pid_t pid)
{
	struct symres_proc *p = symres_proc_find(r, pid);

	if (!p)
		p = symres_proc_add(r, pid);
	symres_maps_unref(r, &p->maps);
	procmaps_fini(&p->maps);
	free(p->exe);
	p->exe = NULL;
	p->exe_tried = false;
	p->exe_next = true;
	p->scanned = 0;
	symres_cache_clear(&p->cache);
	p->gen++;
	symres_reap(r);
}

void
symres_exit(struct symres *r, pid_t pid)
{
	symres_proc_remove(r, pid);
	symres_reap(r);
}

/* ---- modules --------------------------------------------------------------------------- */

static const char *
symres_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* Open the file a mapping shows, from the process's point of view where possible. */
static int
symres_open_mapped(pid_t pid, const struct procmaps_map *m)
{
	char path[PATH_MAX];
	int fd;

	/* A deleted (or replaced) file is still reachable through the mapping itself. */
	if (m->flags & PROCMAPS_DELETED) {
		snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid,
			 m->start, m->end);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	/* Another mount namespace (a container) sees its own files. */
	if ((size_t)snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, m->path) <
	    sizeof(path)) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return open(m->path, O_RDONLY | O_CLOEXEC);
}

/* A new module in a free slot (or a new one); returns its index + 1. It holds no reference yet. */
static uint32_t
symres_module_add(struct symres *r, struct elfmod *elf, const struct stat *st,
		  const struct procmaps_map *m)
{
	struct symres_module *mod;
	uint32_t idx;

	if (r->free_mod) {
		idx = r->free_mod - 1;
		r->free_mod = r->mods[idx].next_free;
	} else {
		if (r->nmods == r->mods_cap) {
			r->mods_cap = r->mods_cap ? r->mods_cap * 2 : 32;
			r->mods = xreallocarray(r->mods, r->mods_cap, sizeof(*r->mods));
		}
		idx = (uint32_t)r->nmods++;
	}
	r->nloaded++;
	mod = &r->mods[idx];
	memset(mod, 0, sizeof(*mod));
	mod->elf = elf;
	if (st) {
		mod->dev = st->st_dev;
		mod->ino = st->st_ino;
		mod->size = st->st_size;
		mod->mtime = st->st_mtim;
	}
	if (m) {
		mod->map_dev = m->dev;
		mod->map_ino = m->inode;
	}
	mod->module_id = frametab_string(r->ft, elfmod_name(elf));
	return idx + 1;
}

/* Point mapping m at module idx, which it holds from now on. */
static struct symres_module *
symres_module_link(struct symres *r, struct procmaps_map *m, uint32_t idx)
{
	m->aux = idx + 1;
	symres_module_ref(r, m->aux);
	return &r->mods[idx];
}

/* The module behind a file mapping (loaded on first use); NULL when it is not usable ELF. */
static struct symres_module *
symres_module_for(struct symres *r, struct symres_proc *p, struct procmaps_map *m)
{
	struct elfmod *elf;
	struct stat st;
	int fd;

	if (m->aux == SYMRES_NO_MODULE)
		return NULL;
	if (m->aux)
		return &r->mods[m->aux - 1];
	/* Known by the identity /proc/PID/maps showed: no need to open the file again. */
	if (m->inode) {
		for (size_t i = 0; i < r->nmods; i++) {
			if (r->mods[i].elf && r->mods[i].map_ino == m->inode &&
			    r->mods[i].map_dev == m->dev)
				return symres_module_link(r, m, (uint32_t)i);
		}
	}
	m->aux = SYMRES_NO_MODULE;
	fd = symres_open_mapped(p->pid, m);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return NULL;
	}
	for (size_t i = 0; i < r->nmods; i++) {
		struct symres_module *mod = &r->mods[i];

		if (mod->elf && mod->ino == st.st_ino && mod->dev == st.st_dev &&
		    mod->size == st.st_size && mod->mtime.tv_sec == st.st_mtim.tv_sec &&
		    mod->mtime.tv_nsec == st.st_mtim.tv_nsec) {
			close(fd);
			if (!mod->map_ino && m->inode) {
				mod->map_dev = m->dev;
				mod->map_ino = m->inode;
			}
			return symres_module_link(r, m, (uint32_t)i);
		}
	}
	if (elfmod_open(m->path, fd, &elf) < 0)
		return NULL;
	return symres_module_link(r, m, symres_module_add(r, elf, &st, m) - 1);
}

/* Our own vDSO as a module: every 64-bit process of this kernel maps the same image. */
static struct symres_module *
symres_vdso(struct symres *r)
{
	unsigned long base = getauxval(AT_SYSINFO_EHDR);
	struct procmaps self;
	struct elfmod *elf;
	int fd = -1;

	if (r->vdso == UINT32_MAX)
		return NULL;
	if (r->vdso)
		return &r->mods[r->vdso - 1];
	r->vdso = UINT32_MAX;
	if (!base)
		return NULL;
	procmaps_init(&self);
	if (procmaps_read(&self, "/proc/self/maps", false) < 0)
		goto out;
	for (size_t i = 0; i < self.n; i++) {
		const struct procmaps_map *m = &self.maps[i];
		size_t len = (size_t)(m->end - m->start);

		if (m->start != base || strcmp(m->path, "[vdso]") != 0)
			continue;
		fd = memfd_create("ringside-vdso", MFD_CLOEXEC);
		if (fd < 0 || write(fd, (const void *)base, len) != (ssize_t)len)
			break;
		/* No mapping points at it (they say "[vdso]"): it is pinned for good. */
		if (elfmod_open("[vdso]", fd, &elf) == 0) {
			r->vdso = symres_module_add(r, elf, NULL, NULL);
			r->mods[r->vdso - 1].refs = 1;
		}
		fd = -1;
		break;
	}
out:
	if (fd >= 0)
		close(fd);
	procmaps_fini(&self);
	return r->vdso == UINT32_MAX ? NULL : &r->mods[r->vdso - 1];
}

/* ---- user-space resolution ------------------------------------------------------------- */

/*
 * Reread the process's JIT map unless that was done less than interval ns ago; bumps the
 * generation when it changed.
 */
static void
symres_jit_refresh(struct symres_proc *p, uint64_t interval)
{
	uint64_t now = clock_coarse_ns();
	char path[64];

	if (!p->jit) {
		snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)p->pid);
		p->jit = jitmap_new(path);
		interval = 0;
	}
	if (interval && now - p->jit_checked < interval)
		return;
	p->jit_checked = now;
	jitmap_refresh(p->jit);
	if (jitmap_generation(p->jit) != p->jit_gen) {
		p->jit_gen = jitmap_generation(p->jit);
		p->gen++;
	}
}

/*
 * A frame named by the JIT map, or false. Runtimes write a symbol before running its code, so
 * an address seen for the first time that what was read does not name is worth a look at the
 * file now (one fstat when it did not change); a retried one was just refreshed.
 */
static bool
symres_jit_frame(struct symres *r, struct symres_proc *p, uint64_t addr, bool retry,
		 uint32_t *frame)
{
	struct jitmap_sym sym;
	char *dm;

	if (!p->jit || !jitmap_find(p->jit, addr, &sym)) {
		symres_jit_refresh(p, retry ? SYMRES_JIT_RECHECK_NS : 0);
		if (!jitmap_find(p->jit, addr, &sym))
			return false;
	}
	dm = demangle_name(sym.name, 0);
	*frame = frametab_intern(r->ft, dm ? dm : sym.name, "[jit]", NULL, 0, FRAME_JIT, false);
	free(dm);
	return true;
}

/* "libfoo.so+0x1234" (the offset in the file) for an address a module does not name. */
static uint32_t
symres_unknown_in_file(struct symres *r, const struct procmaps_map *m, uint64_t addr)
{
	char name[PATH_MAX + 32];

	snprintf(name, sizeof(name), "%s+0x%" PRIx64, symres_basename(m->path),
		 addr - m->start + m->pgoff);
	return frametab_intern(r->ft, name, m->path, NULL, 0, FRAME_UNKNOWN, false);
}

/* The frame id of symbol sym of module mod, as kind. */
static uint32_t
symres_symbol_frame(struct symres *r, struct symres_module *mod, const struct elfmod_sym *sym,
		    enum frame_kind kind, uint32_t file, uint32_t line)
{
	size_t idx = (size_t)(sym - elfmod_symbols(mod->elf));
	struct frame f;

	if (!mod->name_ids)
		mod->name_ids = xcalloc(elfmod_nsyms(mod->elf), sizeof(*mod->name_ids));
	if (!mod->name_ids[idx]) {
		char *dm = demangle_name(sym->name, 0);

		mod->name_ids[idx] = frametab_string(r->ft, dm ? dm : sym->name);
		free(dm);
	}
	f.name = mod->name_ids[idx];
	f.module = mod->module_id;
	f.file = file;
	f.line = line;
	f.kind = (uint8_t)kind;
	f.inlined = false;
	return frametab_intern_ids(r->ft, &f);
}

/* Main executable or library, for a mapping of module mod in process p. */
static enum frame_kind
symres_kind(struct symres_proc *p, const struct procmaps_map *m, struct symres_module *mod)
{
	if (!p->exe && !p->exe_tried && !p->exe_next)
		symres_proc_read_exe(p);
	if (p->exe)
		return strcmp(p->exe, m->path) == 0 ? FRAME_USER : FRAME_LIBRARY;
	if (mod && elfmod_is_executable(mod->elf) && !strstr(symres_basename(m->path), ".so"))
		return FRAME_USER;
	return FRAME_LIBRARY;
}

/* Frames for an address in an ELF module; 0 when the module does not name it. */
static size_t
symres_module_frames(struct symres *r, struct symres_module *mod, enum frame_kind kind,
		     uint64_t off, uint32_t *frames)
{
	struct elfmod_frame dw[SYMRES_MAX_INLINE];
	const struct elfmod_sym *sym;
	uint64_t vaddr;
	size_t n, out = 0;

	if (!elfmod_offset_to_vaddr(mod->elf, off, &vaddr))
		return 0;
	sym = elfmod_symbol(mod->elf, vaddr);
	n = elfmod_frames(mod->elf, vaddr, dw, SYMRES_MAX_INLINE);
	for (size_t i = 0; i < n; i++) {
		char *dm;

		/* The containing function goes by its symbol, like functions without DWARF. */
		if (!dw[i].inlined && sym) {
			uint32_t file = dw[i].file ? frametab_string(r->ft, dw[i].file) : 0;

			frames[out++] = symres_symbol_frame(r, mod, sym, kind, file, dw[i].line);
			return out;
		}
		dm = demangle_name(dw[i].name, 0);
		frames[out++] = frametab_intern(r->ft, dm ? dm : dw[i].name, elfmod_name(mod->elf),
						dw[i].file, dw[i].line, kind, dw[i].inlined);
		free(dm);
		if (!dw[i].inlined)
			return out;
	}
	/* No DWARF, or a chain without its concrete function: the symbol table has the last word.
	 */
	if (sym && out < SYMRES_MAX_INLINE)
		frames[out++] = symres_symbol_frame(r, mod, sym, kind, 0, 0);
	return out;
}

/* Resolve addr in p from scratch into frames (retry: again); sets *flags (SYMRES_ENT_*). */
static size_t
symres_user_resolve(struct symres *r, struct symres_proc *p, uint64_t addr, bool retry,
		    uint32_t *frames, uint8_t *flags)
{
	struct procmaps_map *m = procmaps_find(&p->maps, addr);
	struct symres_module *mod = NULL;
	size_t n;

	*flags = 0;
	if (!m && symres_proc_rescan(r, p))
		m = procmaps_find(&p->maps, addr);
	if (m && procmaps_is_file(m)) {
		mod = symres_module_for(r, p, m);
		if (mod) {
			n = symres_module_frames(r, mod, symres_kind(p, m, mod),
						 addr - m->start + m->pgoff, frames);
			if (n > 0)
				return n;
			*flags = SYMRES_ENT_UNKNOWN;
			frames[0] = symres_unknown_in_file(r, m, addr);
			return 1;
		}
		/* Not ELF (a memfd a JIT writes through, say): the JIT map may know it. */
	} else if (m && strcmp(m->path, "[vdso]") == 0) {
		mod = symres_vdso(r);
		if (mod) {
			n = symres_module_frames(r, mod, FRAME_LIBRARY, addr - m->start, frames);
			if (n > 0)
				return n;
		}
		*flags = SYMRES_ENT_UNKNOWN;
		frames[0] = symres_unknown_in_file(r, m, addr);
		return 1;
	}
	/* Anonymous memory, a non-ELF file, or no mapping at all (yet): JIT code, or unknown. */
	if (symres_jit_frame(r, p, addr, retry, &frames[0]))
		return 1;
	*flags = SYMRES_ENT_UNKNOWN | SYMRES_ENT_RETRY;
	if (m && procmaps_is_file(m))
		frames[0] = symres_unknown_in_file(r, m, addr);
	else if (m)
		frames[0] = frametab_intern(r->ft, "[unknown]", m->path[0] ? m->path : "[anon]",
					    NULL, 0, FRAME_UNKNOWN, false);
	else
		frames[0] =
			frametab_intern(r->ft, "[unknown]", NULL, NULL, 0, FRAME_UNKNOWN, false);
	if (!m)
		*flags |= SYMRES_ENT_NOMAP;
	return 1;
}

size_t
symres_user(struct symres *r, pid_t pid, uint64_t addr, uint32_t *frames, size_t max)
{
	struct symres_proc *p = symres_proc_get(r, pid);
	uint32_t tmp[SYMRES_MAX_INLINE];
	struct symres_ent *e;
	bool retry = false;
	uint8_t flags;
	size_t n;

	r->stats.lookups++;
	e = symres_cache_find(&p->cache, addr);
	if (e && e->flags & SYMRES_ENT_RETRY) {
		/* Unresolved so far: worth another try once the maps or the JIT map changed. */
		if (e->gen == p->gen) {
			symres_jit_refresh(p, SYMRES_JIT_RECHECK_NS);
			if (e->flags & SYMRES_ENT_NOMAP)
				symres_proc_rescan(r, p);
		}
		if (e->gen != p->gen) {
			e = NULL;
			retry = true;
		}
	}
	if (e) {
		r->stats.cache_hits++;
		r->stats.unresolved += e->flags & SYMRES_ENT_UNKNOWN;
		return symres_cache_copyout(&p->cache, e, frames, max);
	}
	n = symres_user_resolve(r, p, addr, retry, tmp, &flags);
	e = symres_cache_put(&p->cache, addr, tmp, n, flags, p->gen);
	r->stats.unresolved += flags & SYMRES_ENT_UNKNOWN;
	return symres_cache_copyout(&p->cache, e, frames, max);
}

/* ---- kernel ---------------------------------------------------------------------------- */

static void
symres_kernel_load(struct symres *r)
{
	r->ks_tried = true;
	r->kernel_unknown =
		frametab_intern(r->ft, "[kernel]", "[kernel]", NULL, 0, FRAME_UNKNOWN, false);
	if (kallsyms_load(NULL, &r->ks) < 0)
		return;
	if (kallsyms_restricted(r->ks)) {
		r->ks_restricted = true;
		kallsyms_free(r->ks);
		r->ks = NULL;
	}
}

size_t
symres_kernel(struct symres *r, uint64_t addr, uint32_t *frames, size_t max)
{
	struct kallsyms_sym sym;
	struct symres_ent *e;
	uint32_t id;
	uint8_t flags = 0;

	(void)max;
	r->stats.lookups++;
	if (!r->ks_tried)
		symres_kernel_load(r);
	if (!r->ks) {
		r->stats.unresolved++;
		frames[0] = r->kernel_unknown;
		return 1;
	}
	e = symres_cache_find(&r->kcache, addr);
	if (e) {
		r->stats.cache_hits++;
		r->stats.unresolved += e->flags & SYMRES_ENT_UNKNOWN;
		frames[0] = e->off;
		return 1;
	}
	if (kallsyms_find(r->ks, addr, &sym)) {
		/* Rust code in the kernel keeps its mangled names in kallsyms. */
		char *dm = demangle_name(sym.name, 0);

		id = frametab_intern(r->ft, dm ? dm : sym.name, sym.module, NULL, 0, FRAME_KERNEL,
				     false);
		free(dm);
	} else {
		id = frametab_intern(r->ft, "[unknown]", "[kernel]", NULL, 0, FRAME_UNKNOWN, false);
		flags = SYMRES_ENT_UNKNOWN;
		r->stats.unresolved++;
	}
	symres_cache_put(&r->kcache, addr, &id, 1, flags, 0);
	frames[0] = id;
	return 1;
}

void
symres_preload(struct symres *r)
{
	uint64_t addr = (uint64_t)(uintptr_t)&qsort;
	uint32_t frames[SYMRES_MAX_INLINE];
	pid_t self = getpid();
	struct procmaps_map *m;

	if (!r->ks_tried)
		symres_kernel_load(r);
	/*
	 * Modules are shared by file identity, so resolving an address of our own libc loads the
	 * libc every process maps: its symbols, and its DWARF (decompressed once) for inline
	 * chains. It is pinned, so that it stays while no process in view maps it.
	 */
	symres_user(r, self, addr, frames, SYMRES_MAX_INLINE);
	m = procmaps_find(&symres_proc_get(r, self)->maps, addr);
	if (m)
		symres_module_ref(r, m->aux);
	symres_exit(r, self);
}

uint32_t
symres_maps_gen(struct symres *r, pid_t pid)
{
	struct symres_proc *p = symres_proc_get(r, pid);

	/* The low bits move with every change; the pid keeps a recycled pid from matching. */
	return (uint32_t)p->gen ^ (uint32_t)pid << 16;
}

size_t
symres_code_each(struct symres *r, pid_t pid, symres_code_fn fn, void *ctx)
{
	struct symres_proc *p = symres_proc_get(r, pid);
	size_t n = 0;

	for (size_t i = 0; i < p->maps.n; i++) {
		const struct procmaps_map *m = &p->maps.maps[i];
		struct symres_code code;
		int fd;

		/* Files known not to be ELF (a JIT's memfd) are left out; the rest are tried. */
		if (!procmaps_is_file(m) || !(m->flags & PROCMAPS_EXEC) ||
		    m->aux == SYMRES_NO_MODULE || m->pgoff > m->start)
			continue;
		fd = symres_open_mapped(pid, m);
		if (fd < 0)
			continue;
		code = (struct symres_code){ .path = m->path,
					     .start = m->start,
					     .end = m->end,
					     .base = m->start - m->pgoff };
		fn(ctx, &code, fd);
		n++;
	}
	return n;
}

bool
symres_kernel_restricted(const struct symres *r)
{
	return r->ks_restricted;
}

void
symres_stats(const struct symres *r, struct symres_stats *out)
{
	size_t mem = sizeof(*r) + r->procs_cap * sizeof(*r->procs) +
		     r->by_pid.cap * (sizeof(*r->by_pid.keys) + sizeof(*r->by_pid.vals)) +
		     r->mods_cap * sizeof(*r->mods) + symres_cache_memory(&r->kcache);

	*out = r->stats;
	out->modules = r->nloaded;
	out->processes = r->nprocs;
	mem += r->reap_cap * sizeof(*r->reap);
	for (size_t i = 0; i < r->nmods; i++) {
		if (!r->mods[i].elf)
			continue;
		mem += elfmod_memory(r->mods[i].elf);
		if (r->mods[i].name_ids)
			mem += elfmod_nsyms(r->mods[i].elf) * sizeof(uint32_t);
	}
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct symres_proc *p = r->procs[i];

		mem += sizeof(*p) + procmaps_memory(&p->maps) + symres_cache_memory(&p->cache);
		if (p->jit)
			mem += jitmap_memory(p->jit);
	}
	if (r->ks)
		mem += kallsyms_memory(r->ks);
	out->memory = mem;
}
