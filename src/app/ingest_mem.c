// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Data addresses into the memory-access model. MMAP2 records (with mmap_data) name the mappings
 * a process makes while recorded; what it had before, and the brk heap that no record reports,
 * come from /proc/PID/maps, read when an address falls outside every known mapping.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/stacktree.h"
#include "ringside/sym/procmaps.h"
#include "ringside/util/xalloc.h"
#include "ingest_mem.h"

/*
 * A process's maps are read again after a miss at most this often (sample time), and all
 * processes' together at most INGEST_MEM_READS_PER_S times a second (system-wide, every process
 * that ran before the recording misses at first).
 */
#define INGEST_MEM_REREAD_NS   200000000ull
#define INGEST_MEM_PIDS	       64u
#define INGEST_MEM_READS_PER_S 32u

struct ingest_mem_pid {
	uint32_t pid;
	uint64_t read_at; /* sample time of the last read */
};

/* A process's brk heap start (/proc/PID/stat's start_brk), to name its heap. */
struct ingest_mem_brk {
	uint32_t pid;
	uint64_t start_brk; /* 0: unknown */
};

struct ingest_mem {
	struct profile *p;
	struct ingest_mem_pid pids[INGEST_MEM_PIDS]; /* direct-mapped by pid */
	struct ingest_mem_brk brks[INGEST_MEM_PIDS];
	uint64_t window; /* the second of sample time the reads are counted in */
	unsigned nreads; /* reads in it */
};

struct ingest_mem *
ingest_mem_new(struct profile *p)
{
	struct ingest_mem *im = xcalloc(1, sizeof(*im));

	im->p = p;
	return im;
}

void
ingest_mem_free(struct ingest_mem *im)
{
	free(im);
}

/* Field 47 of /proc/PID/stat (start_brk), or 0; the comm in field 2 may hold spaces. */
static uint64_t
ingest_mem_read_brk(uint32_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* After ") " come fields 3 onwards: start_brk is the 45th of them. */
	for (int field = 3; p && field <= 47; field++) {
		p = strchr(p + 1, ' ');
		if (p && field == 47)
			v = strtoull(p + 1, NULL, 10);
	}
	return v;
}

void
ingest_mem_mmap(struct ingest_mem *im, const struct decode_mmap2 *mm)
{
	struct ingest_mem_brk *b = &im->brks[mm->pid % INGEST_MEM_PIDS];
	const char *name = mm->filename;

	/* The kernel names a brk heap's mapping "//anon" while it is still small: go by start_brk.
	 */
	if (memacc_kind_of(name) == MEMACC_KIND_ANON) {
		if (b->pid != mm->pid || !b->start_brk) {
			b->pid = mm->pid;
			b->start_brk = ingest_mem_read_brk(mm->pid);
		}
		if (b->start_brk && mm->addr == b->start_brk)
			name = "[heap]";
	}
	memacc_map(im->p->mem, mm->pid, mm->addr, mm->addr + mm->len, name);
}

/* Add the mappings of /proc/PID/maps that no live mapping covers yet. */
static void
ingest_mem_read_proc(struct ingest_mem *im, uint32_t pid)
{
	struct procmaps pm;
	char path[64];

	procmaps_init(&pm);
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	if (procmaps_read(&pm, path, false) == 0)
		for (size_t i = 0; i < pm.n; i++) {
			const struct procmaps_map *x = &pm.maps[i];

			if (!memacc_overlaps(im->p->mem, pid, x->start, x->end))
				memacc_map(im->p->mem, pid, x->start, x->end, x->path);
		}
	procmaps_fini(&pm);
}

/* The innermost frame of the path ending at leaf that is not the kernel's: the user code. */
static uint32_t
ingest_mem_frame(const struct profile *p, uint32_t leaf)
{
	for (uint32_t n = leaf; n != STACKTREE_NONE && n != STACKTREE_ROOT;) {
		const struct stacktree_node *node = stacktree_node(p->stacks, n);
		const struct frame *f = frametab_get(p->frames, node->frame);

		if (f->kind == FRAME_PROCESS || f->kind == FRAME_THREAD)
			break;
		if (f->kind != FRAME_KERNEL)
			return node->frame;
		n = node->parent;
	}
	return MEMACC_NOFRAME;
}

void
ingest_mem_sample(struct ingest_mem *im, const struct decode_sample *s, uint32_t leaf)
{
	struct memacc *m = im->p->mem;
	struct ingest_mem_pid *slot = &im->pids[s->pid % INGEST_MEM_PIDS];

	if (s->time / 1000000000u != im->window) {
		im->window = s->time / 1000000000u;
		im->nreads = 0;
	}
	if (memacc_lookup(m, s->pid, s->addr) == MEMACC_UNKNOWN &&
	    im->nreads < INGEST_MEM_READS_PER_S &&
	    (slot->pid != s->pid || s->time >= slot->read_at + INGEST_MEM_REREAD_NS)) {
		im->nreads++;
		slot->pid = s->pid;
		slot->read_at = s->time;
		ingest_mem_read_proc(im, s->pid);
	}
	memacc_add(m, s->pid, s->time, s->addr,
		   leaf == STACKTREE_NONE ? MEMACC_NOFRAME : ingest_mem_frame(im->p, leaf),
		   s->weight, s->data_src);
}
