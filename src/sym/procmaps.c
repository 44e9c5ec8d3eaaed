// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Memory maps of one process, sorted and non-overlapping like the kernel's own: /proc/PID/maps
 * gives the state at start, MMAP2 records the changes (perf reports no munmap, so a new mapping
 * simply replaces whatever range it covers).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "ringside/sym/procmaps.h"
#include "ringside/util/sorted.h"
#include "ringside/util/xalloc.h"

static const char procmaps_deleted[] = " (deleted)";

void
procmaps_init(struct procmaps *pm)
{
	pm->maps = NULL;
	pm->n = 0;
	pm->cap = 0;
}

void
procmaps_fini(struct procmaps *pm)
{
	for (size_t i = 0; i < pm->n; i++)
		free(pm->maps[i].path);
	free(pm->maps);
	procmaps_init(pm);
}

/* A hex number followed by the character sep; advances *p past sep. */
static bool
procmaps_hex(const char **p, char sep, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	for (;; s++, digits++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (digits >= 16)
			return false;
		v = v << 4 | d;
	}
	if (digits == 0 || *s != sep)
		return false;
	*p = s + 1;
	*out = v;
	return true;
}

int
procmaps_parse_line(const char *line, struct procmaps_map *out)
{
	uint64_t start, end, pgoff, major, minor, inode = 0;
	const char *p = line, *path, *path_end;
	uint32_t flags = 0;
	int digits = 0;

	if (!procmaps_hex(&p, '-', &start) || !procmaps_hex(&p, ' ', &end) || end < start)
		return -EINVAL;
	if (strlen(p) < 5 || p[4] != ' ')
		return -EINVAL;
	flags |= p[0] == 'r' ? PROCMAPS_READ : 0;
	flags |= p[1] == 'w' ? PROCMAPS_WRITE : 0;
	flags |= p[2] == 'x' ? PROCMAPS_EXEC : 0;
	flags |= p[3] == 's' ? PROCMAPS_SHARED : 0;
	p += 5;
	if (!procmaps_hex(&p, ' ', &pgoff) || !procmaps_hex(&p, ':', &major) ||
	    !procmaps_hex(&p, ' ', &minor))
		return -EINVAL;
	while (*p >= '0' && *p <= '9' && digits < 20) {
		inode = inode * 10 + (uint64_t)(*p++ - '0');
		digits++;
	}
	if (digits == 0 || (*p != ' ' && *p != '\n' && *p != '\0'))
		return -EINVAL;
	while (*p == ' ' || *p == '\t')
		p++;
	path = p;
	path_end = path + strcspn(path, "\n");
	size_t dl = sizeof(procmaps_deleted) - 1;

	if ((size_t)(path_end - path) > dl && memcmp(path_end - dl, procmaps_deleted, dl) == 0) {
		path_end -= dl;
		flags |= PROCMAPS_DELETED;
	}
	out->start = start;
	out->end = end;
	out->pgoff = pgoff;
	out->inode = inode;
	out->dev = (uint32_t)makedev((unsigned)major, (unsigned)minor);
	out->flags = flags;
	out->aux = 0;
	out->path = xstrndup(path, (size_t)(path_end - path));
	return 0;
}

static int
procmaps_cmp(const void *a, const void *b)
{
	const struct procmaps_map *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

int
procmaps_read(struct procmaps *pm, const char *path, bool exec_only)
{
	struct procmaps fresh;
	size_t len = 0;
	char *line = NULL;
	bool sorted = true;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	procmaps_init(&fresh);
	while (getline(&line, &len, f) > 0) {
		struct procmaps_map m;

		if (procmaps_parse_line(line, &m) < 0)
			continue;
		if ((exec_only && !(m.flags & PROCMAPS_EXEC)) || m.end == m.start) {
			free(m.path);
			continue;
		}
		if (fresh.n == fresh.cap) {
			fresh.cap = fresh.cap ? fresh.cap * 2 : 32;
			fresh.maps = xreallocarray(fresh.maps, fresh.cap, sizeof(*fresh.maps));
		}
		if (fresh.n > 0 && fresh.maps[fresh.n - 1].end > m.start)
			sorted = false;
		fresh.maps[fresh.n++] = m;
	}
	free(line);
	fclose(f);
	procmaps_fini(pm);
	if (sorted) {
		*pm = fresh;
		return 0;
	}
	/* The kernel's file is sorted; anything else goes through add to stay non-overlapping. */
	qsort(fresh.maps, fresh.n, sizeof(*fresh.maps), procmaps_cmp);
	for (size_t i = 0; i < fresh.n; i++) {
		struct procmaps_map *m = &fresh.maps[i];

		procmaps_add(pm, m->start, m->end, m->pgoff, m->dev, m->inode, m->flags, m->path);
	}
	procmaps_fini(&fresh);
	return 0;
}

/* The first mapping whose end is above addr (n when none). */
static size_t
procmaps_upper(const struct procmaps *pm, uint64_t addr)
{
	return sorted_upper(pm->maps, pm->n, sizeof(*pm->maps), offsetof(struct procmaps_map, end),
			    addr);
}

struct procmaps_map *
procmaps_add(struct procmaps *pm, uint64_t start, uint64_t end, uint64_t pgoff, uint32_t dev,
	     uint64_t inode, uint32_t flags, const char *path)
{
	struct procmaps_map left = { 0 }, right = { 0 }, *slot;
	bool has_left = false, has_right = false;
	size_t i, j, need;

	if (end <= start)
		return NULL;
	if (path && strcmp(path, "//anon") == 0)
		path = "";
	i = procmaps_upper(pm, start);
	j = i;
	while (j < pm->n && pm->maps[j].start < end)
		j++;
	if (i < j && pm->maps[i].start < start) {
		left = pm->maps[i];
		left.end = start;
		left.path = xstrdup(left.path);
		has_left = true;
	}
	if (i < j && pm->maps[j - 1].end > end) {
		right = pm->maps[j - 1];
		right.pgoff += end - right.start;
		right.start = end;
		right.path = xstrdup(right.path);
		has_right = true;
	}
	for (size_t k = i; k < j; k++)
		free(pm->maps[k].path);
	need = pm->n - (j - i) + has_left + has_right + 1;
	if (need > pm->cap) {
		pm->cap = need < 16 ? 16 : need * 2;
		pm->maps = xreallocarray(pm->maps, pm->cap, sizeof(*pm->maps));
	}
	memmove(&pm->maps[i + has_left + 1 + has_right], &pm->maps[j],
		(pm->n - j) * sizeof(*pm->maps));
	if (has_left)
		pm->maps[i] = left;
	slot = &pm->maps[i + has_left];
	slot->start = start;
	slot->end = end;
	slot->pgoff = pgoff;
	slot->dev = dev;
	slot->inode = inode;
	slot->flags = flags;
	slot->aux = 0;
	slot->path = xstrdup(path ? path : "");
	if (has_right)
		pm->maps[i + has_left + 1] = right;
	pm->n = need;
	return slot;
}

void
procmaps_copy(struct procmaps *dst, const struct procmaps *src)
{
	procmaps_fini(dst);
	if (src->n == 0)
		return;
	dst->maps = xreallocarray(NULL, src->n, sizeof(*dst->maps));
	dst->cap = dst->n = src->n;
	for (size_t i = 0; i < src->n; i++) {
		dst->maps[i] = src->maps[i];
		dst->maps[i].path = xstrdup(src->maps[i].path);
	}
}

bool
procmaps_overlaps(const struct procmaps *pm, uint64_t start, uint64_t end)
{
	size_t i = procmaps_upper(pm, start);

	return start < end && i < pm->n && pm->maps[i].start < end;
}

struct procmaps_map *
procmaps_find(const struct procmaps *pm, uint64_t addr)
{
	size_t i = procmaps_upper(pm, addr);

	if (i < pm->n && pm->maps[i].start <= addr)
		return &pm->maps[i];
	return NULL;
}

bool
procmaps_is_file(const struct procmaps_map *m)
{
	return m->path[0] == '/';
}

size_t
procmaps_memory(const struct procmaps *pm)
{
	size_t bytes = pm->cap * sizeof(*pm->maps);

	for (size_t i = 0; i < pm->n; i++)
		bytes += strlen(pm->maps[i].path) + 1;
	return bytes;
}
