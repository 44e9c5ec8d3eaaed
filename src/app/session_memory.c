// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where the session's memory goes, for the benchmarks: with RINGSIDE_DEBUG_MEMORY set (a file to
 * append to, or "1" / "-" for stderr), the session prints one line per part at its end: the
 * resident set by kind of mapping (/proc/self/smaps: the perf rings, mapped ELF/DWARF files, code,
 * heap), the bytes malloc holds, and what each part says it holds (stack tree, frame table,
 * scheduler map, kallsyms, symbol tables and caches, jansson at its peak). A debugging aid only:
 * not in the user documentation. And the malloc settings the session makes (see
 * SESSION_MMAP_THRESHOLD, SESSION_TRIM_NS).
 */
#include <ctype.h>
#include <stdbool.h>
#include <malloc.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ringside/app/ingest.h"
#include "ringside/model/addrtab.h"
#include "ringside/model/frametab.h"
#include "ringside/model/schedmap.h"
#include "ringside/model/stacktree.h"
#include "ringside/model/taskctr.h"
#include "ringside/model/tasks.h"
#include "ringside/model/timeline.h"
#include "ringside/sym/symres.h"
#include "ringside/perf/taskcount.h"
#include "ringside/util/xalloc.h"
#include "session_impl.h"

/*
 * jansson's bytes: what malloc gave it (a string it returns that the caller frees with free() is
 * counted until the end, which errs high).
 */
static size_t session_memory_json_now, session_memory_json_peak;

static void *
session_memory_json_alloc(size_t size)
{
	void *p = malloc(size);

	if (!p)
		return NULL;
	session_memory_json_now += malloc_usable_size(p);
	if (session_memory_json_now > session_memory_json_peak)
		session_memory_json_peak = session_memory_json_now;
	return p;
}

static void
session_memory_json_free(void *p)
{
	size_t n = malloc_usable_size(p);

	session_memory_json_now -= n < session_memory_json_now ? n : session_memory_json_now;
	free(p);
}

/*
 * Blocks from this size up are mapped on their own. glibc raises its threshold to the size of
 * each mapped block freed (up to 32 MiB), after which the growing arrays (the stack tree's nodes,
 * the scheduler map's runs, the caches) come from the heap: there a realloc that cannot grow in
 * place copies, the old block and the new resident side by side, and freed blocks stay in the
 * heap. Fixed, a growing array is remapped (mremap) and a freed one given back at once (0.7 MB
 * off the live screen's peak, two screens side by side for 20 s; more when the scheduler map's
 * runs grow past a few MB under a compile's switches).
 */
#define SESSION_MMAP_THRESHOLD (256 * 1024)

void
session_memory_init(void)
{
	mallopt(M_MMAP_THRESHOLD, SESSION_MMAP_THRESHOLD);
	if (getenv("RINGSIDE_DEBUG_MEMORY"))
		json_set_alloc_funcs(session_memory_json_alloc, session_memory_json_free);
}

/*
 * free() gives back only the top of malloc's heap (and blocks mapped on their own): a freed
 * block below a live one stays resident. malloc_trim(0) gives back the whole free pages inside
 * the heap too; after a drain, at most this often (a pass over malloc's free lists): 1.5-2 MB
 * off the live screen's peak and end side by side, no CPU to see.
 */
#define SESSION_TRIM_NS (2ull * 1000000000u)

void
session_memory_trim(uint64_t now_ns)
{
	static uint64_t last;

	if (now_ns - last < SESSION_TRIM_NS)
		return;
	last = now_ns;
	malloc_trim(0);
}

/* One mapped file's resident KiB, over all its mappings. */
struct session_memory_file {
	char *path;
	size_t kib;
};

/* Resident KiB by kind of mapping, from /proc/self/smaps. */
struct session_memory_maps {
	size_t rings, rings_size, files, code, heap, total;
	size_t copies; /* of files: inflated copies of debug files (sym/debugcopy), dir/#inode */
	char **code_files; /* files mapped executable: the program and its libraries */
	size_t ncode;
	struct session_memory_file *files_by_name; /* the files' KiB by path */
	size_t nfiles;
};

/* The next mapping's perms and name, or a field's KiB ("Rss"): 1, 2 for a field, 0 at the end. */
static int
session_memory_line(FILE *f, char *perms, char *name, char *field, size_t *kib)
{
	char line[4096];

	if (!fgets(line, sizeof(line), f))
		return 0;
	if (isupper((unsigned char)line[0])) {
		*kib = 0;
		field[0] = '\0';
		sscanf(line, "%31[^:]: %zu", field, kib);
		return 2;
	}
	perms[0] = name[0] = '\0';
	sscanf(line, "%*x-%*x %7s %*s %*s %*s %4095s", perms, name);
	return 1;
}

static bool
session_memory_is_code(const struct session_memory_maps *m, const char *name)
{
	for (size_t i = 0; i < m->ncode; i++)
		if (!strcmp(m->code_files[i], name))
			return true;
	return false;
}

/* A mapping of a file neither code nor ring: an ELF or DWARF file libdw maps, a locale file. */
static void
session_memory_add_file(struct session_memory_maps *m, const char *name, size_t kib)
{
	size_t i;

	m->files += kib;
	for (i = 0; i < m->nfiles && strcmp(m->files_by_name[i].path, name); i++)
		;
	if (i == m->nfiles) {
		m->files_by_name =
			xreallocarray(m->files_by_name, m->nfiles + 1, sizeof(*m->files_by_name));
		m->files_by_name[m->nfiles++] = (struct session_memory_file){ xstrdup(name), 0 };
	}
	m->files_by_name[i].kib += kib;
}

static int
session_memory_file_cmp(const void *a, const void *b)
{
	const struct session_memory_file *x = a, *y = b;

	return (x->kib < y->kib) - (x->kib > y->kib);
}

/* The files that hold the most of ELF/DWARF files' KiB, largest first; frees the list. */
static void
session_memory_files(FILE *f, struct session_memory_maps *m)
{
	if (m->nfiles)
		qsort(m->files_by_name, m->nfiles, sizeof(*m->files_by_name),
		      session_memory_file_cmp);
	for (size_t i = 0; i < m->nfiles; i++) {
		if (i < 8 && m->files_by_name[i].kib > 0)
			fprintf(f, "memory file_kib %zu %s\n", m->files_by_name[i].kib,
				m->files_by_name[i].path);
		free(m->files_by_name[i].path);
	}
	free(m->files_by_name);
}

/* Add one mapping's resident KiB to its kind. */
static void
session_memory_add(struct session_memory_maps *m, const char *name, size_t kib)
{
	m->total += kib;
	if (strstr(name, "[perf_event]"))
		m->rings += kib;
	else if (name[0] == '/' && session_memory_is_code(m, name))
		m->code += kib;
	else if (name[0] == '/') {
		session_memory_add_file(m, name, kib);
		if (strstr(name, "/#"))
			m->copies += kib;
	} else
		m->heap += kib;
}

static void
session_memory_smaps(struct session_memory_maps *m)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	char name[4096] = "", perms[8] = "", field[32];
	size_t kib;
	int r;

	if (!f)
		return;
	/* First the files mapped executable, then each mapping by kind. */
	while ((r = session_memory_line(f, perms, name, field, &kib)) != 0)
		if (r == 1 && strchr(perms, 'x') && name[0] == '/' &&
		    !session_memory_is_code(m, name)) {
			m->code_files = xreallocarray(m->code_files, m->ncode + 1, sizeof(char *));
			m->code_files[m->ncode++] = xstrdup(name);
		}
	rewind(f);
	while ((r = session_memory_line(f, perms, name, field, &kib)) != 0) {
		if (r == 2 && !strcmp(field, "Size") && strstr(name, "[perf_event]"))
			m->rings_size += kib;
		if (r == 2 && !strcmp(field, "Rss"))
			session_memory_add(m, name, kib);
	}
	fclose(f);
	for (size_t i = 0; i < m->ncode; i++)
		free(m->code_files[i]);
	free(m->code_files);
}

static FILE *
session_memory_out(const char *where)
{
	if (!strcmp(where, "1") || !strcmp(where, "-"))
		return stderr;
	return fopen(where, "ae");
}

/* The stack tree's time index (counted in stacktree_kib): its size, entries and bytes a sample. */
static void
session_memory_timeline(FILE *f, const struct profile *p)
{
	const struct timeline *tl = p && p->stacks ? stacktree_timeline(p->stacks) : NULL;
	size_t n = 0, bytes;
	uint64_t samples;

	if (!tl)
		return;
	timeline_entries(tl, &n);
	bytes = timeline_memory(tl);
	samples = timeline_samples(tl);
	fprintf(f,
		"memory timeline_kib %zu (of stacktree_kib; %zu entries of at most %u, %" PRIu64
		" samples, %.2f bytes a sample, %u coarsenings)\n",
		bytes / 1024, n, TIMELINE_DEFAULT_MAX, samples,
		samples ? (double)bytes / (double)samples : 0.0, timeline_coarsenings(tl));
}

/* The resident set by kind and its peak so far, KiB, from /proc/self/status (0 when unknown). */
struct session_memory_status {
	size_t hwm, anon, file, shmem;
};

static void
session_memory_status(struct session_memory_status *st)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %zu", &st->hwm) != 1 &&
		    sscanf(line, "RssAnon: %zu", &st->anon) != 1 &&
		    sscanf(line, "RssFile: %zu", &st->file) != 1)
			sscanf(line, "RssShmem: %zu", &st->shmem);
	fclose(f);
}

void
session_memory_report(const struct session *s)
{
	const char *where = getenv("RINGSIDE_DEBUG_MEMORY");
	struct session_memory_maps m = { 0 };
	struct mallinfo2 mi = mallinfo2();
	struct symres_stats st = { 0 };
	struct session_memory_status ps = { 0 };
	const struct profile *p = s->profile;
	size_t ks = 0, ks_map = 0, ks_res = 0, tree, ft, sched, addrs,
	       used = mi.uordblks + mi.hblkhd, known, ing = ingest_memory(s->ingest), spill_peak;
	uint64_t spilled;
	FILE *f;

	if (!where || !(f = session_memory_out(where)))
		return;
	session_memory_smaps(&m);
	if (s->sym) {
		symres_stats(s->sym, &st);
		ks = symres_kernel_memory(s->sym);
		ks_map = symres_kernel_mapped(s->sym, &ks_res);
	}
	/* kallsyms' temporary file shows as dir/#inode too: not a debug copy. */
	m.copies -= ks_res / 1024 < m.copies ? ks_res / 1024 : m.copies;
	tree = p && p->stacks ? stacktree_memory(p->stacks) : 0;
	ft = p && p->frames ? frametab_memory(p->frames) : 0;
	sched = p && p->sched ? schedmap_memory(p->sched) : 0;
	addrs = p && p->addrs ? addrtab_memory(p->addrs) : 0;
	known = tree + ft + sched + addrs + st.memory + ing + journal_memory(s->journal, NULL);
	session_memory_status(&ps);
	fprintf(f,
		"memory rss_kib %zu (rings %zu of %zu mapped, ELF/DWARF files %zu of which "
		"inflated "
		"debug copies %zu, code %zu, heap and anonymous %zu)\n",
		m.total, m.rings, m.rings_size, m.files, m.copies, m.code, m.heap);
	session_memory_files(f, &m);
	fprintf(f, "memory peak_rss_kib %zu (VmHWM: the most resident at once, up to here)\n",
		ps.hwm);
	spilled = s->spilled;
	spill_peak = s->spill_peak;
	if (s->sampler)
		sampler_spill_stats(s->sampler, &spilled, &spill_peak);
	fprintf(f,
		"memory spill_peak_kib %zu (the rings' spills at their largest, given back once "
		"read; %" PRIu64 " KiB spilled in all, by drains that fell behind)\n",
		spill_peak / 1024, spilled / 1024);
	fprintf(f, "memory status_kib anon %zu, file %zu, shmem %zu (RssAnon, RssFile, RssShmem)\n",
		ps.anon, ps.file, ps.shmem);
	fprintf(f, "memory malloc_kib %zu (in use), %zu (free, kept by malloc)\n", used / 1024,
		mi.fordblks / 1024);
	fprintf(f, "memory stacktree_kib %zu\n", tree / 1024);
	session_memory_timeline(f, p);
	fprintf(f, "memory frametab_kib %zu\n", ft / 1024);
	fprintf(f, "memory schedmap_kib %zu\n", sched / 1024);
	if (s->journal_bytes)
		fprintf(f,
			"memory stream_kib %zu (the journal's writer at its last interval: the "
			"stream ids of the nodes, frames and tasks it wrote; tasks %zu)\n",
			s->journal_bytes / 1024, s->journal_sched_bytes / 1024);
	if (p && p->addrs)
		fprintf(f,
			"memory addrtab_kib %zu (%zu addresses of at most %u; %" PRIu64
			" compactions, %" PRIu64 " samples dropped)\n",
			addrs / 1024, addrtab_count(p->addrs), ADDRTAB_DEFAULT_MAX,
			addrtab_epoch(p->addrs), addrtab_dropped(p->addrs));
	fprintf(f,
		"memory ingest_kib %zu (the chain cache, %zu slots; the call sites' arena; the "
		"thread table)\n",
		ing / 1024, ingest_chain_slots(s->ingest));
	fprintf(f,
		"memory kallsyms_kib %zu (heap %zu; names mapped from a temporary file %zu, of "
		"which resident %zu, among the files above)\n",
		(ks + ks_res) / 1024, ks / 1024, ks_map / 1024, ks_res / 1024);
	fprintf(f,
		"memory symbols_kib %zu (ELF symbol tables, maps and caches; %zu modules, %zu of "
		"them idle; the address caches %zu of it, %zu addresses)\n",
		(st.memory - ks) / 1024, st.modules, st.modules_idle, st.cache_memory / 1024,
		st.cache_entries);
	fprintf(f,
		"memory dwarf_sessions %zu open, %" PRIu64 " opened, %" PRIu64
		" ended idle (libdw state of modules with DWARF lookups in the last 10 s)\n",
		st.dwarf_open, st.dwarf_opens, st.dwarf_drops);
	fprintf(f, "memory jansson_peak_kib %zu\n", session_memory_json_peak / 1024);
	fprintf(f,
		"memory other_malloc_kib %zu (libdw's units and address ranges, the journal's "
		"writer, counters, curses, libc)\n",
		known < used ? (used - known) / 1024 : 0);
	if (f != stderr)
		fclose(f);
}

/* The resident set now (/proc/self/statm), KiB; 0 when unknown. */
static size_t
session_memory_rss(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	size_t pages = 0, rss = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%zu %zu", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * 4;
}

/* The scheduler map's tasks, runs and summaries over every CPU. */
static void
session_memory_sched(FILE *f, const struct schedmap *m)
{
	size_t runs = 0, sums = 0;

	if (!m)
		return;
	for (unsigned c = 0; c < schedmap_ncpus(m); c++) {
		runs += schedmap_nruns(m, c);
		sums += schedmap_nsummaries(m, c);
	}
	fprintf(f, " sched_kib %zu sched_tasks %zu sched_runs %zu sched_summaries %zu",
		schedmap_memory(m) / 1024, schedmap_ntasks(m), runs, sums);
}

/* One line of what each growing part holds (sizes and counts). */
static void
session_memory_line_now(FILE *f, const struct session *s, double at)
{
	const struct profile *p = s->profile;
	struct mallinfo2 mi = mallinfo2();
	struct symres_stats st = { 0 };
	struct session_memory_status ps = { 0 };
	size_t threads = 0, gone = 0, tl = 0;
	uint64_t lookups, hits;

	if (s->sym)
		symres_stats(s->sym, &st);
	ingest_counts(s->ingest, &threads, &gone);
	if (p->stacks && stacktree_timeline(p->stacks))
		timeline_entries(stacktree_timeline(p->stacks), &tl);
	session_memory_status(&ps);
	fprintf(f,
		"memory_at %.0f rss_kib %zu hwm_kib %zu anon_kib %zu file_kib %zu malloc_kib %zu "
		"malloc_free_kib %zu",
		at, session_memory_rss(), ps.hwm, ps.anon, ps.file,
		(mi.uordblks + mi.hblkhd) / 1024, mi.fordblks / 1024);
	if (p->stacks)
		fprintf(f, " tree_kib %zu tree_nodes %zu timeline %zu",
			stacktree_memory(p->stacks) / 1024, stacktree_nnodes(p->stacks), tl);
	if (p->offcpu)
		fprintf(f, " offcpu_nodes %zu", stacktree_nnodes(p->offcpu));
	if (p->frames)
		fprintf(f, " frametab_kib %zu frames %zu strings %zu",
			frametab_memory(p->frames) / 1024, frametab_nframes(p->frames),
			frametab_nstrings(p->frames));
	if (p->addrs)
		fprintf(f, " addrs %zu addrs_kib %zu addrs_epoch %" PRIu64, addrtab_count(p->addrs),
			addrtab_memory(p->addrs) / 1024, addrtab_epoch(p->addrs));
	ingest_chain_stats(s->ingest, &lookups, &hits);
	fprintf(f,
		" tasks %zu ingest_threads %zu to_fold %zu chain_slots %zu chain_lookups %" PRIu64
		" chain_hits %" PRIu64 " ingest_kib %zu",
		p->tasks ? tasks_count(p->tasks) : 0, threads, gone, ingest_chain_slots(s->ingest),
		lookups, hits, ingest_memory(s->ingest) / 1024);
	if (p->taskctr)
		fprintf(f, " taskctr_rows %zu", taskctr_count(p->taskctr));
	if (s->tasks.tc)
		fprintf(f, " counted_threads %zu counted_fds %zu", taskcount_nthreads(s->tasks.tc),
			taskcount_nfds(s->tasks.tc));
	session_memory_sched(f, p->sched);
	if (s->journal)
		fprintf(f, " stream_kib %zu", journal_memory(s->journal, NULL) / 1024);
	fprintf(f,
		" modules %zu modules_idle %zu processes %zu modules_freed %" PRIu64
		" symbols_kib %zu symcache_kib %zu symcache_addrs %zu dwarf_open %zu"
		" dwarf_opens %" PRIu64 "\n",
		st.modules, st.modules_idle, st.processes, st.modules_freed, st.memory / 1024,
		st.cache_memory / 1024, st.cache_entries, st.dwarf_open, st.dwarf_opens);
}

void
session_memory_tick(struct session *s)
{
	static const char *every_s;
	static double every = -1, next;
	double at = (double)(s->last_ns - s->start_ns) / 1e9;
	const char *where;
	FILE *f;

	if (every < 0) {
		every_s = getenv("RINGSIDE_DEBUG_MEMORY_EVERY");
		every = every_s ? strtod(every_s, NULL) : 0;
		next = every;
	}
	where = getenv("RINGSIDE_DEBUG_MEMORY");
	if (every <= 0 || at < next || !where || !s->profile || !(f = session_memory_out(where)))
		return;
	next = at + every;
	session_memory_line_now(f, s, at);
	if (f != stderr)
		fclose(f);
	else
		fflush(f);
}
