// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Annotation of one function. The function's range comes from the ELF symbol table (the symbol
 * covering its first sampled address), its bytes from the executable section that holds it,
 * decoded by Capstone; each instruction gets its samples (sampled addresses inside it) and its
 * line-table row. Source files are read whole, once per annotation, from the first place of the
 * search order (prefix map, the path itself, each --source-path directory) that has them.
 * Capstone is loaded (dlopen) by the first disassembly, not at start: linking it costs every run
 * 3 MB of resident memory for its relocated tables, and most runs never annotate.
 */
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/sym/annotate.h"
#include "ringside/sym/elfmod.h"
#include "ringside/sym/linetab.h"
#include "ringside/util/infile.h"
#include "ringside/util/xalloc.h"

struct annotate_cache_ent {
	char *path; /* NULL: free */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	struct elfmod *m;
	uint64_t used; /* the cache's tick when last used */
};

struct annotate_cache {
	struct annotate_cache_ent ents[ANNOTATE_CACHE_MAX];
	uint64_t tick, opened, reused;
};

/* The largest source file read. */
#define ANNOTATE_MAX_SOURCE (16u << 20)

/* One source file's lines as read (lines[i] is line i + 1), or none when not found. */
struct annotate_src {
	char *buf;
	char **lines;
	size_t nlines;
	uint32_t lo, hi;  /* the lines the function's instructions use */
	uint64_t *counts; /* per line lo..hi */
	uint64_t *calls;  /* per line lo..hi */
};

/* Keep s (taken over) with the annotation; returns it. */
static const char *
annotate_keep(struct annotate *a, char *s)
{
	if (a->nstrs == a->strs_cap) {
		a->strs_cap = a->strs_cap ? a->strs_cap * 2 : 64;
		a->strs = xreallocarray(a->strs, a->strs_cap, sizeof(*a->strs));
	}
	a->strs[a->nstrs++] = s;
	return s;
}

static void
annotate_note(struct annotate *a, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = xstrdup("(out of memory)");
	va_end(ap);
	a->notes = xreallocarray(a->notes, a->nnotes + 1, sizeof(*a->notes));
	a->notes[a->nnotes++] = s;
}

static void
annotate_push(struct annotate_row **rows, size_t *n, const struct annotate_row *r)
{
	/* Grown by powers of two: n is the size after the push. */
	if ((*n & (*n - 1)) == 0 || *n == 0)
		*rows = xreallocarray(*rows, *n ? *n * 2 : 1, sizeof(**rows));
	(*rows)[(*n)++] = *r;
}

/* The index of source file path (under dir when relative), added when new. */
static uint32_t
annotate_file(struct annotate *a, const char *path, const char *dir)
{
	char *full =
		path[0] != '/' && dir && dir[0] ? xasprintf("%s/%s", dir, path) : xstrdup(path);

	for (size_t i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i], full) == 0) {
			free(full);
			return (uint32_t)i;
		}
	a->files = xreallocarray(a->files, a->nfiles + 1, sizeof(*a->files));
	a->files[a->nfiles] = full;
	return (uint32_t)a->nfiles++;
}

/* Rows without code (JIT, kernel, unreadable file): each sampled address alone. */
static void
annotate_bare(struct annotate *a, const struct addrtab_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct annotate_row r = { .kind = ANNOTATE_ASM,
					  .file = UINT32_MAX,
					  .addr = e[i].addr,
					  .count = e[i].count,
					  .calls = e[i].calls };

		r.text = annotate_keep(a, xasprintf("0x%" PRIx64, e[i].addr));
		annotate_push(&a->insns, &a->ninsns, &r);
		annotate_push(&a->mixed, &a->nmixed, &r);
	}
}

/* The Capstone functions used here, from libcapstone.so.4 once loaded. */
static struct {
	void *lib;
	bool tried;
	char error[160];
	__typeof__(cs_open) *open;
	__typeof__(cs_disasm) *disasm;
	__typeof__(cs_free) *free;
	__typeof__(cs_close) *close;
} annotate_cs;

/* Set annotate_cs.f from Capstone's cs_f, counting those missing in miss. */
#define ANNOTATE_CS_SYM(f, miss)                                                                   \
	do {                                                                                       \
		*(void **)&annotate_cs.f = dlsym(annotate_cs.lib, "cs_" #f);                       \
		(miss) += annotate_cs.f == NULL;                                                   \
	} while (0)

/* Load Capstone the first time; false with annotate_cs.error set when it is not there. */
static bool
annotate_cs_load(void)
{
	int miss = 0;

	if (annotate_cs.tried)
		return annotate_cs.lib != NULL;
	annotate_cs.tried = true;
	annotate_cs.lib = dlopen("libcapstone.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!annotate_cs.lib) {
		const char *why = dlerror();

		snprintf(annotate_cs.error, sizeof(annotate_cs.error),
			 "libcapstone.so.4 did not load (%s); install libcapstone4",
			 why ? why : "not found");
		return false;
	}
	ANNOTATE_CS_SYM(open, miss);
	ANNOTATE_CS_SYM(disasm, miss);
	ANNOTATE_CS_SYM(free, miss);
	ANNOTATE_CS_SYM(close, miss);
	if (miss) {
		snprintf(annotate_cs.error, sizeof(annotate_cs.error),
			 "libcapstone.so.4 lacks %d of its functions; install libcapstone4", miss);
		dlclose(annotate_cs.lib);
		annotate_cs.lib = NULL;
		return false;
	}
	return true;
}

/* Capstone's architecture for an ELF machine; false when not supported. */
static bool
annotate_arch(unsigned machine, cs_arch *arch, cs_mode *mode)
{
	switch (machine) {
	case EM_X86_64:
		*arch = CS_ARCH_X86;
		*mode = CS_MODE_64;
		return true;
	case EM_AARCH64:
		*arch = CS_ARCH_ARM64;
		*mode = CS_MODE_ARM;
		return true;
	default:
		return false;
	}
}

/*
 * The line table of the function's range, read alone from the file that holds the module's
 * .debug_line (its debug file, else itself), or NULL: libdw is asked instead (it inflates every
 * debug section of the file the first time, then answers every function of it at once). Alone
 * for a single annotation; with a cache (several annotations, often of one file), through libdw.
 */
static struct linetab *
annotate_linetab(const struct annotate *a, struct elfmod *m, const struct annotate_opts *o)
{
	const char *debug = elfmod_debug_file(m);
	struct linetab *lt = NULL;

	if ((o && o->cache) || getenv("RINGSIDE_ANNOTATE_LIBDW"))
		return NULL;
	if (linetab_open(debug ? debug : a->module, a->start, a->start + a->size, &lt) < 0)
		return NULL;
	return lt;
}

/* The file:line of addr, from lt when there is one. */
static bool
annotate_srcline(struct elfmod *m, const struct linetab *lt, uint64_t addr, const char **file,
		 const char **dir, uint32_t *line)
{
	if (lt)
		return linetab_lookup(lt, addr, file, dir, line);
	return elfmod_srcline(m, addr, file, dir, line);
}

/* Disassemble [start, start+size) of m into a->insns with counts from e; false on failure. */
static bool
annotate_disasm(struct annotate *a, struct elfmod *m, const struct addrtab_entry *e, size_t n,
		const struct annotate_opts *o)
{
	struct linetab *lt;
	const uint8_t *bytes;
	size_t len = elfmod_code(m, a->start, a->size, &bytes), k = 0, count;
	cs_insn *insn = NULL;
	cs_arch arch;
	cs_mode mode;
	csh cs;

	if (len == 0) {
		annotate_note(a, "no code bytes at 0x%" PRIx64 " in %s", a->start, a->module);
		return false;
	}
	if (!annotate_arch(elfmod_machine(m), &arch, &mode)) {
		annotate_note(a, "cannot disassemble %s: ELF machine %u is not x86-64 or AArch64",
			      a->module, elfmod_machine(m));
		return false;
	}
	if (!annotate_cs_load()) {
		annotate_note(a, "cannot disassemble: %s", annotate_cs.error);
		return false;
	}
	if (annotate_cs.open(arch, mode, &cs) != CS_ERR_OK) {
		annotate_note(a, "cannot disassemble: Capstone failed to start");
		return false;
	}
	count = annotate_cs.disasm(cs, bytes, len, a->start, 0, &insn);
	lt = annotate_linetab(a, m, o);
	for (size_t i = 0; i < count; i++) {
		struct annotate_row r = { .kind = ANNOTATE_ASM,
					  .file = UINT32_MAX,
					  .addr = insn[i].address };
		const char *file, *dir;

		while (k < n && e[k].addr < insn[i].address)
			k++;
		while (k < n && e[k].addr < insn[i].address + insn[i].size) {
			r.calls += e[k].calls;
			r.count += e[k++].count;
		}
		if (annotate_srcline(m, lt, insn[i].address, &file, &dir, &r.line))
			r.file = annotate_file(a, file, dir);
		r.text = annotate_keep(a, xasprintf("%s%s%s", insn[i].mnemonic,
						    insn[i].op_str[0] ? " " : "", insn[i].op_str));
		annotate_push(&a->insns, &a->ninsns, &r);
	}
	linetab_free(lt);
	annotate_cs.free(insn, count);
	annotate_cs.close(&cs);
	if (count == 0)
		annotate_note(a, "Capstone decoded no instruction at 0x%" PRIx64, a->start);
	return count > 0;
}

/* The function's range: its symbol's, or the span of its sampled addresses. */
static void
annotate_range(struct annotate *a, struct elfmod *m, const struct addrtab_entry *e, size_t n)
{
	const struct elfmod_sym *sym = elfmod_symbol(m, e[0].addr);
	uint64_t end = e[n - 1].addr + 16;

	a->start = sym ? sym->addr : e[0].addr;
	a->size = sym && sym->size ? sym->size : end - a->start;
	if (a->size > ANNOTATE_MAX_BYTES) {
		annotate_note(a, "only the first %u KiB of the function are shown",
			      ANNOTATE_MAX_BYTES >> 10);
		a->size = ANNOTATE_MAX_BYTES;
	}
}

/* Try path; true (and the text in s) when it is a readable regular file. */
static bool
annotate_try(struct annotate_src *s, const char *path, char **tried, size_t *ntried)
{
	size_t len;

	for (size_t i = 0; i < *ntried; i++)
		if (strcmp(tried[i], path) == 0)
			return false;
	tried[(*ntried)++] = xstrdup(path);
	return infile_read(path, ANNOTATE_MAX_SOURCE, &s->buf, &len, NULL, NULL) == 0;
}

/* Find and read file through the prefix map, the path, and the search directories. */
static bool
annotate_find(struct annotate *a, const struct annotate_opts *o, const char *file,
	      struct annotate_src *s)
{
	char *tried[64], *list, *p;
	size_t ntried = 0, size = 0;
	const char *base = strrchr(file, '/');
	bool found = false;

	base = base ? base + 1 : file;
	for (size_t i = 0; o && i < o->nprefix_map && !found && ntried < 60; i++) {
		const char *eq = strchr(o->prefix_map[i], '=');
		size_t ol = eq ? (size_t)(eq - o->prefix_map[i]) : 0;

		if (!eq || strncmp(file, o->prefix_map[i], ol) != 0)
			continue;
		p = xasprintf("%s%s", eq + 1, file + ol);
		found = annotate_try(s, p, tried, &ntried);
		free(p);
	}
	if (!found)
		found = annotate_try(s, file, tried, &ntried);
	for (size_t i = 0; o && i < o->nsource_dirs && !found && ntried < 60; i++) {
		if (file[0] != '/') {
			p = xasprintf("%s/%s", o->source_dirs[i], file);
			found = annotate_try(s, p, tried, &ntried);
			free(p);
		}
		p = xasprintf("%s/%s", o->source_dirs[i], base);
		if (!found)
			found = annotate_try(s, p, tried, &ntried);
		free(p);
	}
	for (size_t i = 0; i < ntried; i++)
		size += strlen(tried[i]) + 2;
	list = xcalloc(1, size + 1);
	for (size_t i = 0; i < ntried; i++) {
		if (i)
			strcat(list, ", ");
		strcat(list, tried[i]);
		free(tried[i]);
	}
	if (!found)
		annotate_note(a, "source not found: %s (tried %s)", file, list);
	free(list);
	return found;
}

/* Split s->buf into lines in place. */
static void
annotate_split(struct annotate_src *s)
{
	size_t cap = 0;

	for (char *p = s->buf; *p;) {
		char *nl = strchr(p, '\n');

		if (s->nlines == cap) {
			cap = cap ? cap * 2 : 256;
			s->lines = xreallocarray(s->lines, cap, sizeof(*s->lines));
		}
		s->lines[s->nlines++] = p;
		if (!nl)
			break;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		p = nl + 1;
	}
}

/* The text of line (1-based) of s, or NULL. */
static const char *
annotate_text(const struct annotate_src *s, uint32_t line)
{
	return line >= 1 && line <= s->nlines ? s->lines[line - 1] : NULL;
}

/* The samples of each file's lines, from the instructions. */
static void
annotate_line_counts(struct annotate *a, struct annotate_src *srcs)
{
	for (size_t i = 0; i < a->ninsns; i++) {
		const struct annotate_row *r = &a->insns[i];
		struct annotate_src *s;

		if (r->file == UINT32_MAX || r->line == 0)
			continue;
		s = &srcs[r->file];
		if (s->lo == 0 || r->line < s->lo)
			s->lo = r->line;
		if (r->line > s->hi)
			s->hi = r->line;
	}
	for (size_t f = 0; f < a->nfiles; f++)
		if (srcs[f].lo) {
			srcs[f].counts = xcalloc(srcs[f].hi - srcs[f].lo + 1, sizeof(uint64_t));
			srcs[f].calls = xcalloc(srcs[f].hi - srcs[f].lo + 1, sizeof(uint64_t));
		}
	for (size_t i = 0; i < a->ninsns; i++) {
		const struct annotate_row *r = &a->insns[i];

		if (r->file != UINT32_MAX && r->line) {
			srcs[r->file].counts[r->line - srcs[r->file].lo] += r->count;
			srcs[r->file].calls[r->line - srcs[r->file].lo] += r->calls;
		}
	}
}

/* True when some instruction belongs to line of file f. */
static bool
annotate_has_insn(const struct annotate *a, uint32_t f, uint32_t line)
{
	for (size_t i = 0; i < a->ninsns; i++)
		if (a->insns[i].file == f && a->insns[i].line == line)
			return true;
	return false;
}

/* The source-only rows (each file's span) and the mixed rows. */
static void
annotate_rows(struct annotate *a, const struct annotate_opts *o)
{
	struct annotate_src *srcs = xcalloc(a->nfiles + 1, sizeof(*srcs));
	uint32_t pf = UINT32_MAX, pl = 0;

	annotate_line_counts(a, srcs);
	for (uint32_t f = 0; f < a->nfiles; f++) {
		struct annotate_src *s = &srcs[f];
		bool whole;

		if (!s->lo)
			continue;
		if (annotate_find(a, o, a->files[f], s))
			annotate_split(s);
		whole = s->nlines && s->hi - s->lo < ANNOTATE_MAX_SPAN;
		for (uint32_t l = s->lo; l <= s->hi; l++) {
			struct annotate_row r = { .kind = ANNOTATE_SOURCE,
						  .file = f,
						  .line = l,
						  .count = s->counts[l - s->lo],
						  .calls = s->calls[l - s->lo],
						  .text = annotate_text(s, l) };

			if (whole || annotate_has_insn(a, f, l))
				annotate_push(&a->source, &a->nsource, &r);
		}
	}
	for (size_t i = 0; i < a->ninsns; i++) {
		const struct annotate_row *r = &a->insns[i];

		if (r->file != UINT32_MAX && r->line && (r->file != pf || r->line != pl)) {
			const struct annotate_src *s = &srcs[r->file];
			struct annotate_row src = { .kind = ANNOTATE_SOURCE,
						    .file = r->file,
						    .line = r->line,
						    .count = s->counts[r->line - s->lo],
						    .calls = s->calls[r->line - s->lo],
						    .text = annotate_text(s, r->line) };

			annotate_push(&a->mixed, &a->nmixed, &src);
		}
		pf = r->file;
		pl = r->line;
		annotate_push(&a->mixed, &a->nmixed, r);
	}
	/* The rows point into the source texts: they live as long as the annotation. */
	for (size_t f = 0; f < a->nfiles; f++) {
		if (srcs[f].buf)
			annotate_keep(a, srcs[f].buf);
		if (srcs[f].lines)
			annotate_keep(a, (char *)srcs[f].lines);
		free(srcs[f].counts);
		free(srcs[f].calls);
	}
	free(srcs);
}

struct annotate_cache *
annotate_cache_new(void)
{
	return xcalloc(1, sizeof(struct annotate_cache));
}

void
annotate_cache_free(struct annotate_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < ANNOTATE_CACHE_MAX; i++) {
		free(c->ents[i].path);
		elfmod_free(c->ents[i].m);
	}
	free(c);
}

void
annotate_cache_stats(const struct annotate_cache *c, uint64_t *opened, uint64_t *reused)
{
	*opened = c ? c->opened : 0;
	*reused = c ? c->reused : 0;
}

/* The cached module of path as fd (st) shows it, or NULL. */
static struct elfmod *
annotate_cache_find(struct annotate_cache *c, const char *path, const struct stat *st)
{
	for (size_t i = 0; i < ANNOTATE_CACHE_MAX; i++) {
		struct annotate_cache_ent *e = &c->ents[i];

		if (e->path && strcmp(e->path, path) == 0 && e->dev == st->st_dev &&
		    e->ino == st->st_ino && e->size == st->st_size &&
		    e->mtime.tv_sec == st->st_mtim.tv_sec &&
		    e->mtime.tv_nsec == st->st_mtim.tv_nsec) {
			e->used = ++c->tick;
			c->reused++;
			return e->m;
		}
	}
	return NULL;
}

/* Keep m (taken over) as path's module, closing the least recently used one when full. */
static void
annotate_cache_put(struct annotate_cache *c, const char *path, const struct stat *st,
		   struct elfmod *m)
{
	struct annotate_cache_ent *e = &c->ents[0];

	for (size_t i = 1; i < ANNOTATE_CACHE_MAX && e->path; i++)
		if (!c->ents[i].path || c->ents[i].used < e->used)
			e = &c->ents[i];
	free(e->path);
	elfmod_free(e->m);
	*e = (struct annotate_cache_ent){ .path = xstrdup(path),
					  .dev = st->st_dev,
					  .ino = st->st_ino,
					  .size = st->st_size,
					  .mtime = st->st_mtim,
					  .m = m,
					  .used = ++c->tick };
	c->opened++;
}

/*
 * The module of a->module, from the cache when it has it (the file unchanged): NULL, with a note,
 * when it cannot be read. *owned says whether the caller frees it.
 */
static struct elfmod *
annotate_open(struct annotate *a, struct annotate_cache *c, bool *owned)
{
	struct elfmod *m = NULL;
	int fd = open(a->module, O_RDONLY | O_CLOEXEC), rc;
	struct stat st;

	*owned = !c;
	if (fd >= 0 && c && fstat(fd, &st) == 0 && (m = annotate_cache_find(c, a->module, &st))) {
		close(fd);
		return m;
	}
	if (fd < 0) {
		annotate_note(a, "cannot read %s: %s (no disassembly or source)", a->module,
			      strerror(errno));
		return NULL;
	}
	if (c && fstat(fd, &st) != 0)
		*owned = true;
	rc = elfmod_open(a->module, fd, &m);
	if (rc < 0) {
		annotate_note(a, "cannot read %s: %s (no disassembly or source)", a->module,
			      rc == -ENOEXEC ? "not an ELF file" : strerror(-rc));
		return NULL;
	}
	if (!*owned)
		annotate_cache_put(c, a->module, &st, m);
	return m;
}

/* The ELF part: open module, find the range, disassemble, attribute lines. */
static void
annotate_elf(struct annotate *a, const struct addrtab_entry *e, size_t n,
	     const struct annotate_opts *o)
{
	bool owned;
	struct elfmod *m = annotate_open(a, o ? o->cache : NULL, &owned);

	if (!m) {
		annotate_bare(a, e, n);
		return;
	}
	annotate_range(a, m, e, n);
	if (annotate_disasm(a, m, e, n, o)) {
		if (a->nfiles == 0)
			annotate_note(a, "no line table for %s: assembly only", a->module);
		annotate_rows(a, o);
	} else {
		annotate_bare(a, e, n);
	}
	if (owned)
		elfmod_free(m);
}

struct annotate *
annotate_build(const char *function, const char *module, enum frame_kind kind,
	       const struct addrtab_entry *e, size_t n, const struct annotate_opts *opts)
{
	struct annotate *a = xcalloc(1, sizeof(*a));

	a->function = xstrdup(function ? function : "");
	a->module = xstrdup(module ? module : "");
	for (size_t i = 0; i < n; i++) {
		a->total += e[i].count;
		a->calls += e[i].calls;
	}
	if (n == 0)
		annotate_note(a, "no samples in this function");
	else if (kind == FRAME_JIT)
		annotate_note(a, "no code for JIT frames");
	else if (kind == FRAME_KERNEL)
		annotate_note(a, "no code for kernel frames (no vmlinux is read)");
	else if (!module || module[0] != '/')
		annotate_note(a, "no code: %s is not a file",
			      a->module[0] ? a->module : "the module");
	else {
		annotate_elf(a, e, n, opts);
		return a;
	}
	annotate_bare(a, e, n);
	return a;
}

/* The samples of each line row: all the instructions of its file:line. */
static void
annotate_recount_lines(struct annotate *a, struct annotate_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (rows[i].kind != ANNOTATE_SOURCE)
			continue;
		rows[i].count = rows[i].calls = 0;
		for (size_t k = 0; k < a->ninsns; k++)
			if (a->insns[k].file == rows[i].file && a->insns[k].line == rows[i].line) {
				rows[i].count += a->insns[k].count;
				rows[i].calls += a->insns[k].calls;
			}
	}
}

void
annotate_recount(struct annotate *a, const struct addrtab_entry *e, size_t n)
{
	size_t k = 0, m = 0;

	a->total = a->calls = 0;
	for (size_t i = 0; i < n; i++) {
		a->total += e[i].count;
		a->calls += e[i].calls;
	}
	for (size_t i = 0; i < a->ninsns; i++) {
		struct annotate_row *r = &a->insns[i];
		uint64_t end = i + 1 < a->ninsns ? a->insns[i + 1].addr : r->addr + 1;

		r->count = r->calls = 0;
		while (k < n && e[k].addr < r->addr)
			k++;
		while (k < n && e[k].addr < end) {
			r->calls += e[k].calls;
			r->count += e[k++].count;
		}
	}
	for (size_t i = 0; i < a->nmixed; i++)
		if (a->mixed[i].kind == ANNOTATE_ASM && m < a->ninsns) {
			a->mixed[i].count = a->insns[m].count;
			a->mixed[i].calls = a->insns[m++].calls;
		}
	annotate_recount_lines(a, a->source, a->nsource);
	annotate_recount_lines(a, a->mixed, a->nmixed);
}

void
annotate_free(struct annotate *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nstrs; i++)
		free(a->strs[i]);
	for (size_t i = 0; i < a->nfiles; i++)
		free(a->files[i]);
	for (size_t i = 0; i < a->nnotes; i++)
		free(a->notes[i]);
	free(a->strs);
	free(a->files);
	free(a->notes);
	free(a->source);
	free(a->insns);
	free(a->mixed);
	free(a->function);
	free(a->module);
	free(a);
}

size_t
annotate_hottest(const struct annotate_row *rows, size_t n, enum annotate_kind kind)
{
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < n; i++)
		if (rows[i].kind == kind && (rows[i].count || rows[i].calls) &&
		    (best == SIZE_MAX || rows[i].count > rows[best].count ||
		     (rows[i].count == rows[best].count && rows[i].calls > rows[best].calls)))
			best = i;
	return best;
}

/* Print text with control characters as '?': it came from files on disk. */
static void
annotate_put(FILE *fp, const char *s)
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 && *s != '\t' ? '?' : *s, fp);
}

void
annotate_print(const struct annotate *a, FILE *fp)
{
	fputs("Function: ", fp);
	annotate_put(fp, a->function);
	fputs("  Module: ", fp);
	annotate_put(fp, a->module);
	fprintf(fp, "  Samples: %" PRIu64 "  With callees: %" PRIu64 "\n", a->total,
		a->total + a->calls);
	for (size_t i = 0; i < a->nnotes; i++) {
		fputs("note: ", fp);
		annotate_put(fp, a->notes[i]);
		fputc('\n', fp);
	}
	fputs("   Self +Callee\n", fp);
	for (size_t i = 0; i < a->nmixed; i++) {
		const struct annotate_row *r = &a->mixed[i];

		/* Self, then with callees: both or neither, so the columns stay columns. */
		if (r->count || r->calls)
			fprintf(fp, "%7.2f %7.2f ", annotate_pct(r->count, a->total),
				annotate_pct(r->count + r->calls, a->total + a->calls));
		else
			fputs("                ", fp);
		if (r->kind == ANNOTATE_SOURCE) {
			fprintf(fp, ":%-6" PRIu32 " ", r->line);
			if (r->text)
				annotate_put(fp, r->text);
			else
				annotate_put(fp, a->files[r->file]);
		} else {
			fprintf(fp, "  %8" PRIx64 ":  ", r->addr);
			annotate_put(fp, r->text);
		}
		fputc('\n', fp);
	}
}

double
annotate_pct(uint64_t count, uint64_t total)
{
	return total ? 100.0 * (double)count / (double)total : 0;
}
