// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The resolver's ELF modules: shared by every process that maps the same file (known by the
 * identity /proc/PID/maps shows, else by fstat), loaded on first use, held by the mappings that
 * point at them and freed at the side-band event that drops the last of those; the vDSO, read
 * from our own memory, stays for good.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/util/clock.h"
#include "ringside/util/xalloc.h"
#include "symres_priv.h"

/* ---- module references ----------------------------------------------------------------- */

/*
 * A module is held by every mapping whose aux names it, in any process still tracked. References
 * that go leave the module on the reap list; symres_reap frees those still unreferenced then, so
 * a reference dropped and taken again within one operation (a mapping split in two, maps read
 * again) costs nothing, and keeps a while those whose files are still there, so a program run
 * again soon (a build's compiler) finds its modules loaded.
 */
void
symres_module_ref(struct symres *r, uint32_t aux)
{
	/* Referenced again: no longer idle (the reap list drops it). */
	if (aux && aux != SYMRES_NO_MODULE && r->mods[aux - 1].refs++ == 0)
		r->mods[aux - 1].idle_since = 0;
}

void
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

void
symres_maps_ref(struct symres *r, const struct procmaps *pm)
{
	for (size_t i = 0; i < pm->n; i++)
		symres_module_ref(r, pm->maps[i].aux);
}

void
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

	r->dwarf_opens_gone += elfmod_dwarf_opens(mod->elf);
	elfmod_free(mod->elf);
	free(mod->name_ids);
	symres_cache_fini(&mod->cache);
	memset(mod, 0, sizeof(*mod));
	mod->next_free = r->free_mod;
	r->free_mod = idx + 1;
	r->nloaded--;
	r->stats.modules_freed++;
}

/* Whether st (a stat of some file) is the file mod loaded: identity, size and time of change. */
static bool
symres_module_is(const struct symres_module *mod, const struct stat *st)
{
	return st->st_ino == mod->ino && st->st_dev == mod->dev && st->st_size == mod->size &&
	       st->st_mtim.tv_sec == mod->mtime.tv_sec && st->st_mtim.tv_nsec == mod->mtime.tv_nsec;
}

/*
 * True while the file of mod is still the one it loaded: the same identity, size and time of
 * change at its path. A file deleted (its space is given back only when the module goes),
 * replaced, or reachable only in another mount namespace is not.
 */
static bool
symres_module_file_same(const struct symres_module *mod)
{
	struct stat st;

	return stat(elfmod_name(mod->elf), &st) == 0 && symres_module_is(mod, &st);
}

/* What mod holds: its ELF state and its address cache. */
static size_t
symres_module_bytes(const struct symres_module *mod)
{
	return elfmod_memory(mod->elf) + symres_cache_memory(&mod->cache);
}

/*
 * Drop the reap list's modules that are referenced again, free the unreferenced ones that may not
 * stay idle (too small, their file changed, or idle_ns is 0; with recheck, the files of those idle
 * already are looked at again) or have been idle idle_ns, then the longest idle while more than
 * SYMRES_IDLE_MAX modules or SYMRES_IDLE_BYTES stay. The list keeps (roughly) the order in which
 * modules became idle.
 */
static void
symres_reap_modules(struct symres *r, bool recheck)
{
	uint64_t now = clock_coarse_ns();
	size_t k = 0, bytes = 0;

	for (size_t i = 0; i < r->nreap; i++) {
		struct symres_module *mod = &r->mods[r->reap[i]];

		if (!mod->elf || mod->refs > 0) {
			mod->reaping = false;
			mod->idle_since = 0;
			continue;
		}
		if (!mod->idle_since)
			mod->idle_since =
				r->idle_ns &&
						(elfmod_nsyms(mod->elf) >= r->idle_min_syms ||
						 elfmod_debug_copied(mod->elf)) &&
						symres_module_file_same(mod)
					? now
					: UINT64_MAX;
		else if (recheck && mod->idle_since != UINT64_MAX && !symres_module_file_same(mod))
			mod->idle_since = UINT64_MAX;
		if (mod->idle_since == UINT64_MAX || now - mod->idle_since >= r->idle_ns) {
			symres_module_evict(r, r->reap[i]);
			continue;
		}
		bytes += symres_module_bytes(mod);
		r->reap[k++] = r->reap[i];
	}
	r->nreap = k;
	for (k = 0; k < r->nreap && (r->nreap - k > SYMRES_IDLE_MAX || bytes > SYMRES_IDLE_BYTES);
	     k++) {
		struct symres_module *mod = &r->mods[r->reap[k]];

		bytes -= symres_module_bytes(mod);
		symres_module_evict(r, r->reap[k]);
	}
	if (k > 0)
		memmove(r->reap, r->reap + k, (r->nreap - k) * sizeof(*r->reap));
	r->nreap -= k;
}

void
symres_reap(struct symres *r)
{
	symres_reap_modules(r, false);
}

void
symres_reap_idle(struct symres *r)
{
	symres_reap_modules(r, true);
}

/*
 * fresh replaces old as a process's maps: a mapping that is still there (same range, offset
 * and file) keeps the module it pointed at, so rereading the maps does not reload modules.
 */
/* ---- modules --------------------------------------------------------------------------- */

const char *
symres_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s && s[1] ? s + 1 : path;
}

/* Open the file a mapping shows, from the process's point of view where possible. */
int
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
struct symres_module *
symres_module_for(struct symres *r, struct symres_proc *p, struct procmaps_map *m)
{
	struct elfmod *elf;
	struct stat st;
	int fd;

	if (m->aux == SYMRES_NO_MODULE)
		return NULL;
	if (m->aux)
		return &r->mods[m->aux - 1];
	/*
	 * Known by the identity /proc/PID/maps showed: no need to open the file again. Not an idle
	 * module: its file may have been written over in place since (fstat's time tells, below).
	 */
	if (m->inode) {
		for (size_t i = 0; i < r->nmods; i++) {
			if (r->mods[i].elf && r->mods[i].refs > 0 &&
			    r->mods[i].map_ino == m->inode && r->mods[i].map_dev == m->dev)
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

		if (mod->elf && symres_module_is(mod, &st)) {
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
struct symres_module *
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
