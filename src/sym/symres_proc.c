// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The resolver's processes: each one's memory maps (from /proc/PID/maps, then kept by MMAP2,
 * FORK, COMM exec and EXIT records), its executable's path, its JIT map and its address cache,
 * found by pid through util/idmap; and the side-band events that change them.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/util/clock.h"
#include "ringside/util/sorted.h"
#include "ringside/util/xalloc.h"
#include "symres_priv.h"

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

struct symres_proc *
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

void
symres_proc_free(struct symres_proc *p)
{
	procmaps_fini(&p->maps);
	free(p->exe);
	jitmap_free(p->jit);
	symres_cache_fini(&p->cache);
	free(p);
}

/* Read /proc/PID/exe into p->exe (" (deleted)" stripped). */
void
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

/*
 * Read /proc/PID/maps into fresh; false when the process is gone. A process that has exited and
 * not yet been reaped (a zombie: a launched command its parent has not waited for yet) still has
 * a maps file, an empty one. That is gone too: its maps, kept by MMAP2 records, must stay, or the
 * samples still in the rings would lose their names (a short command's own binary did, on the
 * race between the first drain and the reaping).
 */
static bool
symres_proc_read_fresh(struct symres_proc *p, struct procmaps *fresh)
{
	char path[64];

	p->scanned = clock_coarse_ns();
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)p->pid);
	procmaps_init(fresh);
	if (procmaps_read(fresh, path, true) < 0)
		return false;
	if (fresh->n == 0 && p->maps.n > 0) {
		procmaps_fini(fresh);
		return false;
	}
	return true;
}

/* (Re)read the process's maps from /proc; false when the process is gone. */
static bool
symres_proc_read_maps(struct symres *r, struct symres_proc *p)
{
	struct procmaps fresh;

	if (!symres_proc_read_fresh(p, &fresh))
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
bool
symres_proc_rescan(struct symres *r, struct symres_proc *p)
{
	uint64_t now = clock_coarse_ns();
	struct procmaps fresh;

	if (p->scanned && now - p->scanned < SYMRES_RESCAN_NS)
		return false;
	if (!symres_proc_read_fresh(p, &fresh))
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

struct symres_proc *
symres_proc_first_seen(struct symres *r, pid_t pid)
{
	struct symres_proc *p = symres_proc_add(r, pid);

	/* A process already gone stays known and empty (see symres_proc_rescan). */
	symres_proc_read_maps(r, p);
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

/* ---- side-band events ---------------------------------------------------------------- */

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
