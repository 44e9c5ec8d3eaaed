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
 *
 * This file holds the lifecycle, user-space and kernel resolution and the queries; processes and
 * side-band events are in symres_proc.c, modules in symres_module.c, the cache in symres_cache.c.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ringside/sym/demangle.h"
#include "ringside/util/clock.h"
#include "ringside/util/xalloc.h"
#include "symres_priv.h"

/*
 * Module lookups (cache misses) between two releases of the file pages they read: each reads a
 * few pages of its module's DWARF, and a drain's burst touches many modules, so without this the
 * pages of all of them are resident at once until the drain's symres_trim (4-8 MB a drain on a
 * busy machine, the live screen's peak). The release costs a pagemap scan of each touched
 * module's image.
 */
#define SYMRES_TRIM_EVERY 16
/*
 * And sooner, once the lookups since the last release took this many page faults: the kernel
 * maps up to 64 KiB of a file around each page a read faults in (fault-around; MADV_RANDOM does
 * not stop it), so a lookup's binary searches (symbols, unwind table, DWARF ranges) leave 64 KiB
 * or more resident per page they read. A soak's drains (the most at each 1 s tick) held 2.0-2.3
 * MB of them until their end: a compiler's unwind table and symbols, the inflated debug copies.
 */
#define SYMRES_TRIM_FAULTS 8

static void symres_release(struct symres *r);

/* The page faults this thread has taken, minor and major (0 when getrusage fails). */
static uint64_t
symres_faults(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) == 0 ? (uint64_t)(ru.ru_minflt + ru.ru_majflt) : 0;
}

/*
 * A module whose DWARF went this long without a lookup has its DWARF session ended (libdw's
 * per-unit and address-range state: 3-5 MB for the C library once its units are read); the next
 * lookup opens it again. Addresses already resolved stay in the processes' caches.
 */
#define SYMRES_DWARF_IDLE_NS 10000000000ull

/* ---- lifecycle ------------------------------------------------------------------------- */

struct symres *
symres_new(struct frametab *ft)
{
	struct symres *r = xcalloc(1, sizeof(*r));

	r->ft = ft;
	r->idle_ns = SYMRES_IDLE_NS;
	r->idle_min_syms = SYMRES_IDLE_MIN_SYMS;
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
		symres_cache_fini(&r->mods[i].cache);
	}
	free(r->mods);
	free(r->reap);
	kallsyms_free(r->ks);
	symres_cache_fini(&r->kcache);
	free(r);
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

/*
 * "libfoo.so+0x1234" (an offset in the file) for an address module mod (NULL: not read) does not
 * name: the offset of the code's start where the module's unwind table bounds it, so that the
 * samples of one function in a stripped file are one frame, not one per address (in a 30-minute
 * soak beside a compiler: 14,686 frames in all, against 54,708 named per address); else of the
 * address itself.
 */
static uint32_t
symres_unknown_in_file(struct symres *r, const struct procmaps_map *m, struct symres_module *mod,
		       uint64_t addr)
{
	char name[PATH_MAX + 32];
	uint64_t off = addr - m->start + m->pgoff, vaddr, start;

	if (mod && elfmod_offset_to_vaddr(mod->elf, off, &vaddr) &&
	    elfmod_code_start(mod->elf, vaddr, &start) && vaddr - start <= off)
		off -= vaddr - start;
	snprintf(name, sizeof(name), "%s+0x%" PRIx64, symres_basename(m->path), off);
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

/* Frames for ELF address vaddr of module mod, read from its symbols and DWARF; 0: none. */
static size_t
symres_module_read(struct symres *r, struct symres_module *mod, enum frame_kind kind,
		   uint64_t vaddr, uint32_t *frames)
{
	struct elfmod_frame dw[SYMRES_MAX_INLINE];
	const struct elfmod_sym *sym;
	size_t n, out = 0;

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

/*
 * Frames for file offset off of module mod (0 when the module does not name it): from the
 * module's cache when any process asked for the address before, else read and kept there.
 */
static size_t
symres_module_frames(struct symres *r, struct symres_module *mod, enum frame_kind kind,
		     uint64_t off, uint32_t *frames)
{
	struct symres_ent *e;
	uint64_t vaddr, key;
	size_t n;

	if (!elfmod_offset_to_vaddr(mod->elf, off, &vaddr))
		return 0;
	key = vaddr << 1 | (kind == FRAME_USER);
	e = symres_cache_find(&mod->cache, key);
	if (e) {
		r->stats.module_hits++;
		return symres_cache_copyout(&mod->cache, e, frames, SYMRES_MAX_INLINE);
	}
	n = symres_module_read(r, mod, kind, vaddr, frames);
	r->misses++;
	if (n == 0)
		return 0;
	if (mod->cache.n >= SYMRES_MODCACHE_MAX)
		symres_cache_clear(&mod->cache);
	symres_cache_put(&mod->cache, key, frames, n, 0, 0);
	return n;
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
			frames[0] = symres_unknown_in_file(r, m, mod, addr);
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
		frames[0] = symres_unknown_in_file(r, m, mod, addr);
		return 1;
	}
	/* Anonymous memory, a non-ELF file, or no mapping at all (yet): JIT code, or unknown. */
	if (symres_jit_frame(r, p, addr, retry, &frames[0]))
		return 1;
	*flags = SYMRES_ENT_UNKNOWN | SYMRES_ENT_RETRY;
	if (m && procmaps_is_file(m))
		frames[0] = symres_unknown_in_file(r, m, NULL, addr);
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
	uint64_t faults;
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
	faults = symres_faults();
	n = symres_user_resolve(r, p, addr, retry, tmp, &flags);
	r->faults += symres_faults() - faults;
	if (r->misses >= SYMRES_TRIM_EVERY || r->faults >= SYMRES_TRIM_FAULTS)
		symres_release(r);
	if (p->cache.n >= SYMRES_PROCCACHE_MAX)
		symres_cache_clear(&p->cache);
	e = symres_cache_put(&p->cache, addr, tmp, n, flags, p->gen);
	r->stats.unresolved += flags & SYMRES_ENT_UNKNOWN;
	return symres_cache_copyout(&p->cache, e, frames, max);
}

bool
symres_user_where(struct symres *r, pid_t pid, uint64_t addr, uint64_t *vaddr)
{
	struct symres_proc *p = symres_proc_get(r, pid);
	struct procmaps_map *m = procmaps_find(&p->maps, addr);
	struct symres_module *mod;

	if (!m || !procmaps_is_file(m))
		return false;
	mod = symres_module_for(r, p, m);
	return mod && elfmod_offset_to_vaddr(mod->elf, addr - m->start + m->pgoff, vaddr);
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
	r->ks_touched = true;
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

/* Give back the file pages lookups read since the last release (kallsyms' and the modules'). */
static void
symres_release(struct symres *r)
{
	r->misses = 0;
	r->faults = 0;
	if (r->ks_touched)
		kallsyms_trim(r->ks);
	r->ks_touched = false;
	for (size_t i = 0; i < r->nmods; i++) {
		if (r->mods[i].elf)
			elfmod_trim(r->mods[i].elf);
	}
}

void
symres_trim(struct symres *r)
{
	uint64_t now = clock_coarse_ns();

	/*
	 * Idle modules go after their time even when no process comes or goes, and when their
	 * files are deleted (their space given back) or changed.
	 */
	if (r->nreap > 0)
		symres_reap_idle(r);
	symres_release(r);
	for (size_t i = 0; i < r->nmods; i++) {
		struct elfmod *elf = r->mods[i].elf;

		if (!elf)
			continue;
		if (elfmod_dwarf_open(elf) &&
		    now - elfmod_dwarf_used(elf) >= SYMRES_DWARF_IDLE_NS) {
			elfmod_drop_dwarf(elf);
			r->stats.dwarf_drops++;
		}
	}
}

void
symres_set_idle(struct symres *r, uint64_t ns, size_t min_syms)
{
	r->idle_ns = ns;
	r->idle_min_syms = min_syms;
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
	out->cache_memory = symres_cache_memory(&r->kcache);
	out->cache_entries = r->kcache.n;
	out->modules = r->nloaded;
	out->modules_idle = 0;
	for (size_t i = 0; i < r->nreap; i++)
		out->modules_idle += r->mods[r->reap[i]].elf && r->mods[r->reap[i]].refs == 0;
	out->processes = r->nprocs;
	mem += r->reap_cap * sizeof(*r->reap);
	out->dwarf_opens += r->dwarf_opens_gone;
	for (size_t i = 0; i < r->nmods; i++) {
		if (!r->mods[i].elf)
			continue;
		out->dwarf_open += elfmod_dwarf_open(r->mods[i].elf);
		out->dwarf_opens += elfmod_dwarf_opens(r->mods[i].elf);
		mem += elfmod_memory(r->mods[i].elf) + symres_cache_memory(&r->mods[i].cache);
		out->cache_memory += symres_cache_memory(&r->mods[i].cache);
		out->cache_entries += r->mods[i].cache.n;
		if (r->mods[i].name_ids)
			mem += elfmod_nsyms(r->mods[i].elf) * sizeof(uint32_t);
	}
	for (size_t i = 0; i < r->nprocs; i++) {
		const struct symres_proc *p = r->procs[i];

		mem += sizeof(*p) + procmaps_memory(&p->maps) + symres_cache_memory(&p->cache);
		out->cache_memory += symres_cache_memory(&p->cache);
		out->cache_entries += p->cache.n;
		if (p->jit)
			mem += jitmap_memory(p->jit);
	}
	out->memory = mem + symres_kernel_memory(r);
}

size_t
symres_kernel_memory(const struct symres *r)
{
	return r->ks ? kallsyms_memory(r->ks) - kallsyms_mapped(r->ks) : 0;
}

size_t
symres_kernel_mapped(const struct symres *r, size_t *resident)
{
	*resident = 0;
	if (!r->ks || !kallsyms_mapped(r->ks))
		return 0;
	if (kallsyms_resident(r->ks, resident) < 0)
		*resident = 0;
	return kallsyms_mapped(r->ks);
}
