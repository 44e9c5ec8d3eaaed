// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Memory accesses binned by mapping. Mappings keep their index for life (samples refer to it);
 * a sorted index of the live ones, by (pid, start), answers which mapping holds an address. The
 * sample log halves itself when full, so it always covers the whole recording at a coarser rate.
 */
#include "config.h"

#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/memacc.h"
#include "ringside/util/xalloc.h"

struct memacc {
	char *source;
	struct memacc_map *maps;
	size_t nmaps, maps_cap;
	uint32_t *live; /* indexes of live mappings, sorted by (pid, start) */
	size_t nlive;
	struct memacc_sample *log;
	size_t nlog, log_cap;
	uint64_t stride, total, maps_dropped;
};

struct memacc *
memacc_new(const char *source)
{
	struct memacc *m = xcalloc(1, sizeof(*m));

	m->source = xstrdup(source ? source : "page-faults");
	m->stride = 1;
	m->maps_cap = 16;
	m->maps = xcalloc(m->maps_cap, sizeof(*m->maps));
	m->live = xcalloc(MEMACC_MAX_MAPS, sizeof(*m->live));
	m->maps[0] = (struct memacc_map){ .start = UINT64_MAX, .label = xstrdup("unknown") };
	m->nmaps = 1;
	return m;
}

void
memacc_free(struct memacc *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nmaps; i++)
		free(m->maps[i].label);
	free(m->maps);
	free(m->live);
	free(m->log);
	free(m->source);
	free(m);
}

const char *
memacc_source(const struct memacc *m)
{
	return m->source;
}

enum memacc_kind
memacc_kind_of(const char *path)
{
	if (!path || !*path || strcmp(path, "//anon") == 0 || strncmp(path, "/dev/zero", 9) == 0 ||
	    strncmp(path, "/anon_hugepage", 14) == 0)
		return MEMACC_KIND_ANON;
	if (strcmp(path, "[heap]") == 0)
		return MEMACC_KIND_HEAP;
	if (strncmp(path, "[stack", 6) == 0)
		return MEMACC_KIND_STACK;
	if (strcmp(path, "[vdso]") == 0)
		return MEMACC_KIND_VDSO;
	if (path[0] == '[' || strncmp(path, "//", 2) == 0)
		return MEMACC_KIND_SPECIAL;
	return MEMACC_KIND_FILE;
}

const char *
memacc_kind_name(enum memacc_kind kind)
{
	static const char *const names[] = { "unknown", "heap", "stack",  "anon",
					     "file",	"vdso", "special" };

	return (unsigned)kind < MEMACC_KIND_COUNT ? names[kind] : "unknown";
}

enum memacc_level
memacc_level_of(uint64_t data_src)
{
	uint64_t lvl = (data_src >> PERF_MEM_LVL_SHIFT) & 0x3fff;
	uint64_t num = (data_src >> PERF_MEM_LVLNUM_SHIFT) & 0xf;

	if (data_src == 0)
		return MEMACC_LVL_NA;
	switch (num) {
	case PERF_MEM_LVLNUM_L1:
		return MEMACC_LVL_L1;
	case PERF_MEM_LVLNUM_L2:
		return MEMACC_LVL_L2;
	case PERF_MEM_LVLNUM_L3:
		return MEMACC_LVL_L3;
	case PERF_MEM_LVLNUM_RAM:
		return MEMACC_LVL_RAM;
	default:
		break;
	}
	if (lvl & (PERF_MEM_LVL_L1 | PERF_MEM_LVL_LFB))
		return MEMACC_LVL_L1;
	if (lvl & PERF_MEM_LVL_L2)
		return MEMACC_LVL_L2;
	if (lvl & PERF_MEM_LVL_L3)
		return MEMACC_LVL_L3;
	if (lvl & (PERF_MEM_LVL_LOC_RAM | PERF_MEM_LVL_REM_RAM1 | PERF_MEM_LVL_REM_RAM2))
		return MEMACC_LVL_RAM;
	return (lvl & PERF_MEM_LVL_NA) || lvl == 0 ? MEMACC_LVL_NA : MEMACC_LVL_OTHER;
}

const char *
memacc_level_name(enum memacc_level level)
{
	static const char *const names[] = { "n/a", "L1", "L2", "L3", "RAM", "other" };

	return (unsigned)level < MEMACC_LVL_COUNT ? names[level] : "n/a";
}

/* The label a path gives: the kind's name for heap, stack and anon, else the path itself. */
static char *
memacc_label(const char *path, enum memacc_kind kind)
{
	if (kind == MEMACC_KIND_HEAP || kind == MEMACC_KIND_STACK || kind == MEMACC_KIND_ANON)
		return xstrdup(memacc_kind_name(kind));
	return xstrdup(path);
}

/* The first position in the live index whose (pid, start) is greater than (pid, addr). */
static size_t
memacc_upper(const struct memacc *m, uint32_t pid, uint64_t addr)
{
	size_t lo = 0, hi = m->nlive;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct memacc_map *x = &m->maps[m->live[mid]];

		if (x->pid < pid || (x->pid == pid && x->start <= addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t
memacc_lookup(const struct memacc *m, uint32_t pid, uint64_t addr)
{
	size_t i = memacc_upper(m, pid, addr);
	const struct memacc_map *x;

	if (i == 0)
		return MEMACC_UNKNOWN;
	x = &m->maps[m->live[i - 1]];
	return x->pid == pid && addr < x->end ? m->live[i - 1] : MEMACC_UNKNOWN;
}

bool
memacc_overlaps(const struct memacc *m, uint32_t pid, uint64_t start, uint64_t end)
{
	size_t i;
	const struct memacc_map *x;

	if (end <= start)
		return false;
	/* Live mappings never overlap: only the last one starting below end can reach start. */
	i = memacc_upper(m, pid, end - 1);
	if (i == 0)
		return false;
	x = &m->maps[m->live[i - 1]];
	return x->pid == pid && x->end > start;
}

/* Drop live mappings of pid overlapping [start, end) from the index; true if one equals it. */
static bool
memacc_kill_overlaps(struct memacc *m, uint32_t pid, uint64_t start, uint64_t end,
		     const char *label, uint32_t *same)
{
	size_t out = 0;
	bool found = false;

	for (size_t i = 0; i < m->nlive; i++) {
		struct memacc_map *x = &m->maps[m->live[i]];

		if (x->pid == pid && x->start == start && x->end == end &&
		    strcmp(x->label, label) == 0) {
			found = true;
			*same = m->live[i];
		} else if (x->pid == pid && x->start < end && start < x->end) {
			x->dead = true;
			continue;
		}
		m->live[out++] = m->live[i];
	}
	m->nlive = out;
	return found;
}

uint32_t
memacc_map(struct memacc *m, uint32_t pid, uint64_t start, uint64_t end, const char *path)
{
	enum memacc_kind kind = memacc_kind_of(path);
	char *label;
	uint32_t same = MEMACC_UNKNOWN, idx;
	size_t pos;

	if (end <= start)
		return MEMACC_UNKNOWN;
	label = memacc_label(path, kind);
	if (memacc_kill_overlaps(m, pid, start, end, label, &same)) {
		free(label);
		return same;
	}
	if (m->nmaps >= MEMACC_MAX_MAPS) {
		free(label);
		m->maps_dropped++;
		return MEMACC_UNKNOWN;
	}
	if (m->nmaps == m->maps_cap) {
		m->maps_cap *= 2;
		m->maps = xreallocarray(m->maps, m->maps_cap, sizeof(*m->maps));
	}
	idx = (uint32_t)m->nmaps++;
	m->maps[idx] = (struct memacc_map){
		.pid = pid, .start = start, .end = end, .label = label, .kind = kind
	};
	pos = memacc_upper(m, pid, start);
	memmove(&m->live[pos + 1], &m->live[pos], (m->nlive - pos) * sizeof(*m->live));
	m->live[pos] = idx;
	m->nlive++;
	return idx;
}

uint32_t
memacc_restore_map(struct memacc *m, uint32_t index, const struct memacc_map *x)
{
	struct memacc_map *y;
	size_t pos;

	if (index == MEMACC_UNKNOWN) {
		y = &m->maps[0];
		free(y->label);
		*y = *x;
		y->label = xstrdup("unknown");
		y->kind = MEMACC_KIND_UNKNOWN;
		y->pid = 0;
		if (y->end == 0)
			y->start = UINT64_MAX;
		return MEMACC_UNKNOWN;
	}
	if (m->nmaps >= MEMACC_MAX_MAPS || x->end <= x->start)
		return MEMACC_UNKNOWN;
	if (m->nmaps == m->maps_cap) {
		m->maps_cap *= 2;
		m->maps = xreallocarray(m->maps, m->maps_cap, sizeof(*m->maps));
	}
	y = &m->maps[m->nmaps];
	*y = *x;
	y->label = xstrdup(x->label);
	if (!y->dead && memacc_lookup(m, y->pid, y->start) == MEMACC_UNKNOWN) {
		pos = memacc_upper(m, y->pid, y->start);
		memmove(&m->live[pos + 1], &m->live[pos], (m->nlive - pos) * sizeof(*m->live));
		m->live[pos] = (uint32_t)m->nmaps;
		m->nlive++;
	}
	return (uint32_t)m->nmaps++;
}

/* Keep every second logged sample: the log now stands for twice as many. */
static void
memacc_halve(struct memacc *m)
{
	size_t out = 0;

	for (size_t i = 0; i < m->nlog; i += 2)
		m->log[out++] = m->log[i];
	m->nlog = out;
	m->stride *= 2;
}

void
memacc_add_logged(struct memacc *m, const struct memacc_sample *s)
{
	if (m->nlog == MEMACC_LOG_MAX)
		memacc_halve(m);
	if (m->nlog == m->log_cap) {
		m->log_cap = m->log_cap ? m->log_cap * 2 : 4096;
		if (m->log_cap > MEMACC_LOG_MAX)
			m->log_cap = MEMACC_LOG_MAX;
		m->log = xreallocarray(m->log, m->log_cap, sizeof(*m->log));
	}
	m->log[m->nlog++] = *s;
}

void
memacc_set_counts(struct memacc *m, uint64_t stride, uint64_t total, uint64_t maps_dropped)
{
	m->stride = stride ? stride : 1;
	m->total = total;
	m->maps_dropped = maps_dropped;
}

uint32_t
memacc_add(struct memacc *m, uint32_t pid, uint64_t time, uint64_t addr, uint32_t frame,
	   uint64_t weight, uint64_t data_src)
{
	uint32_t i = memacc_lookup(m, pid, addr);
	struct memacc_map *x = &m->maps[i];

	if (i == MEMACC_UNKNOWN) {
		x->start = addr < x->start ? addr : x->start;
		x->end = addr >= x->end ? addr + 1 : x->end;
	}
	x->samples++;
	x->weight += weight;
	x->levels[memacc_level_of(data_src)]++;
	/* Logged to the microsecond, as the snapshot keeps it: a file read back bins the same. */
	if (m->total++ % m->stride == 0)
		memacc_add_logged(m, &(struct memacc_sample){ time - time % 1000, addr, i, frame });
	return i;
}

size_t
memacc_nmaps(const struct memacc *m)
{
	return m->nmaps;
}

const struct memacc_map *
memacc_get(const struct memacc *m, uint32_t i)
{
	return &m->maps[i];
}

struct memacc_map *
memacc_get_mut(struct memacc *m, uint32_t i)
{
	return &m->maps[i];
}

const struct memacc_sample *
memacc_log(const struct memacc *m, size_t *n)
{
	*n = m->nlog;
	return m->log;
}

uint64_t
memacc_stride(const struct memacc *m)
{
	return m->stride;
}

uint64_t
memacc_total(const struct memacc *m)
{
	return m->total;
}

uint64_t
memacc_maps_dropped(const struct memacc *m)
{
	return m->maps_dropped;
}

size_t
memacc_memory(const struct memacc *m)
{
	return sizeof(*m) + m->maps_cap * sizeof(*m->maps) + MEMACC_MAX_MAPS * sizeof(uint32_t) +
	       m->log_cap * sizeof(*m->log);
}
