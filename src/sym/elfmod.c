// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One ELF module through libdw. Each module gets its own Dwfl session reported "offline" at base
 * 0, so module addresses are the file's virtual addresses (plus a bias libdw reports, zero for
 * executables and libraries alike). The symbol table is copied once into a sorted array of
 * functions; DWARF is only touched for inline chains and declaration sites, on a caller's cache
 * miss. dwarf_getscopes walks a whole compilation unit per address (~55 us in libc); instead each
 * unit's function definitions are indexed once, and an address walks down only its function.
 * DWARF is read through a second session of its own, which elfmod_drop_dwarf ends (libdw's unit
 * and range state with it) and the next lookup opens again; the symbol table's stays, since its
 * names are borrowed from the file libdwfl mapped.
 */
#include <dwarf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <limits.h>
#include <stdio.h>
#include <gelf.h>

#include "ringside/sym/elfmod.h"
#include "ringside/sym/linetab.h"
#include "ringside/util/clock.h"
#include "ringside/util/sorted.h"
#include "ringside/util/xalloc.h"
#include "elfmod_priv.h"

/* Sort key for symbols: by address, the preferred alias first (see elfmod_better). */
struct elfmod_raw {
	struct elfmod_sym sym;
	uint8_t rank;
	uint32_t index; /* in the symbol table: the first of equals wins */
};

/*
 * perf's preference among aliases at one address: a sized symbol, then a strong one, then a
 * global one, then fewer leading underscores; the longer name breaks remaining ties.
 */
static uint8_t
elfmod_rank(const GElf_Sym *s, const char *name)
{
	unsigned under = 0;
	uint8_t rank = 0;

	if (s->st_size)
		rank |= 0x80;
	if (GELF_ST_BIND(s->st_info) != STB_WEAK)
		rank |= 0x40;
	if (GELF_ST_BIND(s->st_info) == STB_GLOBAL)
		rank |= 0x20;
	while (name[under] == '_' && under < 7)
		under++;
	rank |= (uint8_t)(7 - under);
	return rank;
}

static int
elfmod_raw_cmp(const void *a, const void *b, void *arg)
{
	const struct elfmod_raw *x = a, *y = b;
	size_t lx, ly;
	int c;

	(void)arg;

	if (x->sym.addr != y->sym.addr)
		return x->sym.addr < y->sym.addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	lx = strlen(x->sym.name);
	ly = strlen(y->sym.name);
	if (lx != ly)
		return lx > ly ? -1 : 1;
	if ((c = strcmp(x->sym.name, y->sym.name)) != 0)
		return c;
	return (x->index > y->index) - (x->index < y->index);
}

/*
 * Symbol i of the module's table when it is a defined function (name, info and its address into
 * *raw), or NULL.
 */
static const char *
elfmod_function(struct elfmod *m, int i, struct elfmod_raw *raw)
{
	GElf_Sym sym;
	GElf_Addr addr;
	GElf_Word shndx;
	Elf *elf = NULL;
	const char *name = dwfl_module_getsym_info(m->mod, i, &sym, &addr, &shndx, &elf, NULL);
	int type;

	if (!name || !*name || sym.st_shndx == SHN_UNDEF)
		return NULL;
	type = GELF_ST_TYPE(sym.st_info);
	if (type != STT_FUNC && type != STT_GNU_IFUNC)
		return NULL;
	m->symelf = elf;
	raw->sym.addr = addr - m->bias;
	raw->sym.size = sym.st_size;
	raw->sym.name = name;
	raw->rank = elfmod_rank(&sym, name);
	raw->index = (uint32_t)i;
	return name;
}

/*
 * Copy the function symbols into a sorted array, one per address. They are counted first,
 * sorted in place (no merge copy) and the sorted entries packed down in place, so that loading a
 * large table (a compiler's, LLVM's) holds one array of its functions at a time, not a doubling
 * one or a copy beside the result.
 */
static void
elfmod_load_symbols(struct elfmod *m)
{
	struct elfmod_raw *raw, one;
	size_t n = 0, k = 0;
	int total = dwfl_module_getsymtab(m->mod);

	for (int i = 1; i < total; i++)
		n += elfmod_function(m, i, &one) != NULL;
	if (n == 0)
		return;
	raw = xreallocarray(NULL, n, sizeof(*raw));
	n = 0;
	for (int i = 1; i < total; i++)
		n += elfmod_function(m, i, &raw[n]) != NULL;
	sorted_sort(raw, n, sizeof(*raw), elfmod_raw_cmp, NULL);
	/*
	 * Packed down through bytes: symbol k (smaller) ends before raw[i + 1] begins (k <= i),
	 * and raw[i] is read before symbol k is written over its start.
	 */
	for (size_t i = 0; i < n; i++) {
		struct elfmod_sym sym, prev;
		unsigned char *bytes = (unsigned char *)raw;

		memcpy(&sym, bytes + i * sizeof(*raw) + offsetof(struct elfmod_raw, sym),
		       sizeof(sym));
		if (k > 0) {
			memcpy(&prev, bytes + (k - 1) * sizeof(sym), sizeof(prev));
			if (prev.addr == sym.addr)
				continue;
		}
		memcpy(bytes + k * sizeof(sym), &sym, sizeof(sym));
		k++;
	}
	m->nsyms = k;
	m->syms = xreallocarray(raw, k, sizeof(*m->syms));
}

/* Remember the PT_LOAD segments and whether the file is an executable. */
static void
elfmod_load_segments(struct elfmod *m, Elf *elf)
{
	GElf_Ehdr ehdr;
	size_t phnum = 0;
	bool interp = false;

	if (!gelf_getehdr(elf, &ehdr) || elf_getphdrnum(elf, &phnum) < 0)
		return;
	m->loads = xcalloc(phnum ? phnum : 1, sizeof(*m->loads));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph))
			continue;
		if (ph.p_type == PT_INTERP)
			interp = true;
		if (ph.p_type != PT_LOAD)
			continue;
		m->loads[m->nloads].off = ph.p_offset;
		m->loads[m->nloads].filesz = ph.p_filesz;
		m->loads[m->nloads].memsz = ph.p_memsz;
		m->loads[m->nloads].vaddr = ph.p_vaddr;
		m->nloads++;
	}
	m->executable = ehdr.e_type == ET_EXEC || (ehdr.e_type == ET_DYN && interp);
	m->machine = ehdr.e_machine;
}

/* Point a session's module userdata at sess (what elfmod_find_debuginfo reads). */
static void
elfmod_set_session(Dwfl_Module *mod, struct elfmod_sess *sess)
{
	void **ud = NULL;

	dwfl_module_info(mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
	if (ud)
		*ud = sess;
}

/* How many DWARF lookups between two releases of the debug file's pages. */
#define ELFMOD_RELEASE_EVERY 256

/*
 * Give back the resident pages of elf's file image that the file still holds (libelf maps it
 * whole; libdw reads sections there): they stay in the page cache and come back on next touch,
 * but do not count in the profiler's resident set. Only pages /proc/self/pagemap shows as the
 * file's own or absent are dropped: a page libelf wrote to (a private copy: section headers it
 * updated) or one of an image read into memory instead of mapped is kept.
 */
static void
elfmod_release(Elf *elf)
{
	size_t size = 0, pg = (size_t)sysconf(_SC_PAGESIZE);
	char *image = elf ? elf_rawfile(elf, &size) : NULL;
	uintptr_t lo, hi, run = 0;
	uint64_t ent[512];
	int fd;

	if (!image || size < 16 * pg)
		return;
	lo = ((uintptr_t)image + pg - 1) & ~(uintptr_t)(pg - 1);
	hi = ((uintptr_t)image + size) & ~(uintptr_t)(pg - 1);
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (uintptr_t a = lo; a < hi;) {
		size_t want = (hi - a) / pg < 512 ? (hi - a) / pg : 512;
		ssize_t got = pread(fd, ent, want * sizeof(*ent), (off_t)(a / pg * sizeof(*ent)));

		if (got <= 0)
			break;
		for (size_t i = 0; i < (size_t)got / sizeof(*ent); i++, a += pg) {
			bool present = ent[i] >> 63 & 1, swapped = ent[i] >> 62 & 1;
			bool file = ent[i] >> 61 & 1;

			if ((present && file) || (!present && !swapped)) {
				if (!run)
					run = a;
				continue;
			}
			if (run)
				madvise((void *)run, a - run, MADV_DONTNEED);
			run = 0;
		}
	}
	if (run)
		madvise((void *)run, hi - run, MADV_DONTNEED);
	close(fd);
}

/*
 * Release the pages of the module's file and of its debug file (see elfmod_release), as the
 * symbol table's session and the DWARF session (when open) map them.
 */
static void
elfmod_release_files(struct elfmod *m)
{
	GElf_Addr bias;
	Dwarf_Addr dbias;
	Elf *elf = dwfl_module_getelf(m->mod, &bias);
	Elf *eelf = m->dmod ? dwfl_module_getelf(m->dmod, &bias) : NULL;
	Dwarf *dbg = m->dloaded && m->dwarf > 0 ? dwfl_module_getdwarf(m->dmod, &dbias) : NULL;
	Elf *delf = dbg ? dwarf_getelf(dbg) : NULL;

	elfmod_release(elf);
	if (m->symelf && m->symelf != elf)
		elfmod_release(m->symelf);
	if (eelf)
		elfmod_release(eelf);
	if (delf && delf != eelf)
		elfmod_release(delf);
	m->lookups = 0;
}

void
elfmod_trim(struct elfmod *m)
{
	if (m->lookups > 0)
		elfmod_release_files(m);
}

int
elfmod_open(const char *name, int fd, struct elfmod **out)
{
	struct elfmod *m;
	GElf_Addr bias = 0;
	char magic[4];
	Elf *elf;
	int rc;

	*out = NULL;
	/* Say "not ELF" without bothering libdw, which would only report a generic failure. */
	if (pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, ELFMAG, SELFMAG) != 0) {
		close(fd);
		return -ENOEXEC;
	}
	m = xcalloc(1, sizeof(*m));
	m->name = xstrdup(name);
	m->debug_fd = -2;
	m->fd_copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	m->sess_main.m = m->sess_dwarf.m = m;
	m->dwfl = dwfl_begin(&elfmod_callbacks);
	if (!m->dwfl) {
		close(fd);
		rc = -ENOMEM;
		goto fail;
	}
	dwfl_report_begin(m->dwfl);
	m->mod = dwfl_report_elf(m->dwfl, m->name, m->name, fd, 0, true);
	if (!m->mod) {
		close(fd);
		rc = -ENOEXEC;
		goto fail;
	}
	elfmod_set_session(m->mod, &m->sess_main);
	if (dwfl_report_end(m->dwfl, NULL, NULL) != 0) {
		rc = -ENOEXEC;
		goto fail;
	}
	elf = dwfl_module_getelf(m->mod, &bias);
	if (!elf) {
		rc = -ENOEXEC;
		goto fail;
	}
	m->bias = bias;
	elfmod_load_segments(m, elf);
	elfmod_load_symbols(m);
	elfmod_release_files(m);
	*out = m;
	return 0;
fail:
	elfmod_free(m);
	return rc;
}

void
elfmod_free(struct elfmod *m)
{
	if (!m)
		return;
	elfmod_drop_dwarf(m);
	if (m->dwfl)
		dwfl_end(m->dwfl);
	if (m->fd_copy >= 0)
		close(m->fd_copy);
	if (m->debug_fd >= 0)
		close(m->debug_fd);
	free(m->debug_path);
	free(m->eh_index);
	free(m->names);
	free(m->syms);
	free(m->loads);
	free(m->name);
	free(m);
}

const char *
elfmod_name(const struct elfmod *m)
{
	return m->name;
}

size_t
elfmod_nsyms(const struct elfmod *m)
{
	return m->nsyms;
}

bool
elfmod_debug_copied(const struct elfmod *m)
{
	return m->debug_copied;
}

const struct elfmod_sym *
elfmod_symbols(const struct elfmod *m)
{
	return m->syms;
}

bool
elfmod_is_executable(const struct elfmod *m)
{
	return m->executable;
}

bool
elfmod_offset_to_vaddr(const struct elfmod *m, uint64_t off, uint64_t *vaddr)
{
	for (size_t i = 0; i < m->nloads; i++) {
		const struct elfmod_load *l = &m->loads[i];

		if (off >= l->off && off - l->off < l->filesz) {
			*vaddr = l->vaddr + (off - l->off);
			return true;
		}
	}
	return false;
}

const struct elfmod_sym *
elfmod_symbol(const struct elfmod *m, uint64_t vaddr)
{
	size_t lo = sorted_upper(m->syms, m->nsyms, sizeof(*m->syms),
				 offsetof(struct elfmod_sym, addr), vaddr);
	const struct elfmod_sym *s;

	if (lo == 0)
		return NULL;
	s = &m->syms[lo - 1];
	if (s->size && vaddr - s->addr >= s->size)
		return NULL;
	/* An unsized last symbol has no known end: do not let it swallow the rest of the file. */
	if (!s->size && lo == m->nsyms && vaddr - s->addr >= 1u << 20)
		return NULL;
	return s;
}

/*
 * A DWARF session of its own on the module's file (the debug file found once is shared), so
 * that elfmod_drop_dwarf can end it while the symbol table's names stay; NULL when it cannot be.
 */
static Dwfl_Module *
elfmod_dwarf_module(struct elfmod *m)
{
	int fd;

	if (m->dmod)
		return m->dmod;
	if (m->fd_copy < 0 || (fd = fcntl(m->fd_copy, F_DUPFD_CLOEXEC, 3)) < 0)
		return NULL;
	m->ddwfl = dwfl_begin(&elfmod_callbacks);
	if (!m->ddwfl) {
		close(fd);
		return NULL;
	}
	dwfl_report_begin(m->ddwfl);
	m->dmod = dwfl_report_elf(m->ddwfl, m->name, m->name, fd, 0, true);
	if (!m->dmod)
		close(fd);
	m->sess_dwarf.looked = false;
	if (!m->dmod || dwfl_report_end(m->ddwfl, NULL, NULL) != 0) {
		dwfl_end(m->ddwfl);
		m->ddwfl = NULL;
		m->dmod = NULL;
		return NULL;
	}
	elfmod_set_session(m->dmod, &m->sess_dwarf);
	m->dwarf_opens++;
	return m->dmod;
}

/*
 * Read every unit's header into the new DWARF session, giving back the file's pages every
 * ELFMOD_INTERN_STEP bytes of .debug_info. libdw's first address lookup (its .debug_aranges, then
 * the unit found there) reads the headers of all units up to the one it wants, in one call:
 * libc's debug file has 4,126 units over 5.7 MB, so that call alone made 5 MB of the file
 * resident at once and lifted the profiler's peak by as much, each time the session opened
 * again. Read here in steps, the same units are known at the same cost, and what the lookup then
 * reads is only the section it asks for and the unit it finds.
 */
#define ELFMOD_INTERN_STEP (512u << 10)

static void
elfmod_intern_units(struct elfmod *m, Dwarf *dbg)
{
	Dwarf_Off off = 0, next, released = 0;
	size_t hsize;
	Dwarf_Die die;

	while (dwarf_nextcu(dbg, off, &next, &hsize, NULL, NULL, NULL) == 0 &&
	       dwarf_offdie(dbg, off + hsize, &die)) {
		if (next - released >= ELFMOD_INTERN_STEP) {
			elfmod_release_files(m);
			released = next;
		}
		off = next;
	}
}

bool
elfmod_has_dwarf(struct elfmod *m)
{
	Dwarf_Addr bias;

	if (m->dwarf < 0)
		return false;
	m->dwarf_used = clock_coarse_ns();
	if (!m->dloaded) {
		Dwfl_Module *dmod = elfmod_dwarf_module(m);
		Dwarf *dbg = dmod ? dwfl_module_getdwarf(dmod, &bias) : NULL;

		m->dloaded = dmod != NULL;
		m->dwarf = dbg ? 1 : -1;
		if (dbg)
			elfmod_intern_units(m, dbg);
		/* Compressed sections were inflated into memory: their file pages are done with. */
		elfmod_release_files(m);
		/*
		 * None to read: the session would only hold a second copy of the file's headers.
		 * The file's second descriptor stays: the unwind table is read through it.
		 */
		if (m->dwarf < 0)
			elfmod_drop_dwarf(m);
	}
	return m->dwarf > 0;
}

void
elfmod_drop_dwarf(struct elfmod *m)
{
	for (size_t i = 0; i < m->ncus; i++)
		free(m->cus[i].fns);
	free(m->cus);
	m->cus = NULL;
	m->ncus = m->cus_cap = 0;
	m->nfns = 0;
	if (m->ddwfl)
		dwfl_end(m->ddwfl);
	m->ddwfl = NULL;
	m->dmod = NULL;
	m->dloaded = false;
}

bool
elfmod_dwarf_open(const struct elfmod *m)
{
	return m->ddwfl != NULL;
}

uint64_t
elfmod_dwarf_used(const struct elfmod *m)
{
	return m->dwarf_used;
}

unsigned
elfmod_dwarf_opens(const struct elfmod *m)
{
	return m->dwarf_opens;
}

/*
 * The declaration file of die appended to m->names (its offset there), read from the header of its
 * unit's line table alone; SIZE_MAX when that is not read here. dwarf_decl_file would run the
 * unit's whole line program and keep every row (for libc, ~13 MB once its functions are named).
 */
static size_t
elfmod_decl_file(struct elfmod *m, Dwarf_Die *die)
{
	Dwarf_Attribute attr, stmt;
	Dwarf_Word idx, unit;
	Dwarf_Die cudie;
	Dwarf *dbg;
	char buf[4096];
	size_t len, off;

	if (!dwarf_attr_integrate(die, DW_AT_decl_file, &attr) ||
	    dwarf_formudata(&attr, &idx) != 0 ||
	    !dwarf_cu_die(attr.cu, &cudie, NULL, NULL, NULL, NULL, NULL, NULL) ||
	    dwarf_formudata(dwarf_attr(&cudie, DW_AT_stmt_list, &stmt), &unit) != 0 ||
	    !(dbg = dwarf_cu_getdwarf(attr.cu)) ||
	    !linetab_file_name(dwarf_getelf(dbg), unit, idx, buf, sizeof(buf)))
		return SIZE_MAX;
	len = strlen(buf) + 1;
	if (m->names_cap - m->names_len < len) {
		m->names_cap = m->names_cap * 2 > m->names_len + len ? m->names_cap * 2
								     : m->names_len + len + 256;
		m->names = xrealloc(m->names, m->names_cap);
	}
	off = m->names_len;
	memcpy(m->names + off, buf, len);
	m->names_len += len;
	return off;
}

/*
 * The frame for a subprogram or inlined_subroutine DIE; *file_off is the offset of its
 * declaration file in m->names (f->file is set once all frames are made), or SIZE_MAX.
 */
static void
elfmod_die_frame(struct elfmod *m, Dwarf_Die *die, struct elfmod_frame *f, size_t *file_off)
{
	Dwarf_Attribute attr;
	int line = 0;

	f->name = NULL;
	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr))
		f->name = dwarf_formstring(&attr);
	if (!f->name)
		f->name = dwarf_diename(die);
	if (!f->name)
		f->name = "";
	*file_off = elfmod_decl_file(m, die);
	f->file = *file_off == SIZE_MAX ? dwarf_decl_file(die) : NULL;
	f->line = dwarf_decl_line(die, &line) == 0 && line > 0 ? (uint32_t)line : 0;
	f->inlined = dwarf_tag(die) == DW_TAG_inlined_subroutine;
}

/* Tags whose DIEs only group others: function definitions may sit inside them (C++). */
static bool
elfmod_is_container(int tag)
{
	return tag == DW_TAG_namespace || tag == DW_TAG_class_type ||
	       tag == DW_TAG_structure_type || tag == DW_TAG_union_type || tag == DW_TAG_module;
}

static void
elfmod_cu_add_fn(struct elfmod_cu *cu, Dwarf_Die *die, uint64_t lo, uint64_t hi, size_t *cap)
{
	if (hi <= lo)
		return;
	if (cu->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		cu->fns = xreallocarray(cu->fns, *cap, sizeof(*cu->fns));
	}
	cu->fns[cu->n].lo = lo;
	cu->fns[cu->n].hi = hi;
	cu->fns[cu->n].die = *die;
	cu->n++;
}

/* Collect the code ranges of the function definitions among parent's children. */
static void
elfmod_cu_scan(struct elfmod_cu *cu, Dwarf_Die *parent, size_t *cap, int depth)
{
	Dwarf_Die child;

	if (depth > 8 || dwarf_child(parent, &child) != 0)
		return;
	do {
		int tag = dwarf_tag(&child);

		if (tag == DW_TAG_subprogram) {
			Dwarf_Addr base, lo, hi;
			ptrdiff_t off = 0;

			while ((off = dwarf_ranges(&child, off, &base, &lo, &hi)) > 0)
				elfmod_cu_add_fn(cu, &child, lo, hi, cap);
		} else if (elfmod_is_container(tag)) {
			elfmod_cu_scan(cu, &child, cap, depth + 1);
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

static int
elfmod_fn_cmp(const void *a, const void *b)
{
	const struct elfmod_fn *x = a, *y = b;
	Dwarf_Die dx, dy;
	Dwarf_Off ox, oy;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	/* Two definitions of one range (aliases): the lookup takes the last, so the first DIE. */
	dx = x->die;
	dy = y->die;
	ox = dwarf_dieoffset(&dx);
	oy = dwarf_dieoffset(&dy);
	return (ox < oy) - (ox > oy);
}

/*
 * The function index of the CU cudie, built on first use: one pass over the CU's top level
 * (what a single dwarf_getscopes costs), after which every address in the CU finds its
 * function by binary search instead of another pass.
 */
static struct elfmod_cu *
elfmod_cu_get(struct elfmod *m, Dwarf_Die *cudie)
{
	Dwarf_Off off = dwarf_dieoffset(cudie);
	size_t lo = 0, hi = m->ncus, cap = 0;
	struct elfmod_cu *cu;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->cus[mid].off < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->ncus && m->cus[lo].off == off)
		return &m->cus[lo];
	if (m->ncus == m->cus_cap) {
		m->cus_cap = m->cus_cap ? m->cus_cap * 2 : 16;
		m->cus = xreallocarray(m->cus, m->cus_cap, sizeof(*m->cus));
	}
	memmove(&m->cus[lo + 1], &m->cus[lo], (m->ncus - lo) * sizeof(*m->cus));
	m->ncus++;
	cu = &m->cus[lo];
	memset(cu, 0, sizeof(*cu));
	cu->off = off;
	elfmod_cu_scan(cu, cudie, &cap, 0);
	/* The scan read the whole unit (a large one is megabytes): its pages are released next. */
	m->lookups = ELFMOD_RELEASE_EVERY;
	if (cu->n > 1)
		qsort(cu->fns, cu->n, sizeof(*cu->fns), elfmod_fn_cmp);
	m->nfns += cu->n;
	return cu;
}

/* The function definition of cu covering pc, or NULL. */
static struct elfmod_fn *
elfmod_cu_fn(struct elfmod_cu *cu, uint64_t pc)
{
	size_t lo =
		sorted_upper(cu->fns, cu->n, sizeof(*cu->fns), offsetof(struct elfmod_fn, lo), pc);

	/* Ranges of distinct functions do not overlap; look back a little in case they do. */
	for (size_t i = lo; i > 0 && lo - i < 4; i--)
		if (pc < cu->fns[i - 1].hi)
			return &cu->fns[i - 1];
	return NULL;
}

/* Tags that hold code below a function: where an inline chain continues. */
static bool
elfmod_is_code_scope(int tag)
{
	return tag == DW_TAG_inlined_subroutine || tag == DW_TAG_lexical_block ||
	       tag == DW_TAG_try_block || tag == DW_TAG_catch_block;
}

size_t
elfmod_frames(struct elfmod *m, uint64_t vaddr, struct elfmod_frame *out, size_t max)
{
	Dwarf_Die chain[ELFMOD_MAX_DEPTH], scope, child, *cudie;
	Dwarf_Addr bias = 0, pc;
	struct elfmod_fn *fn;
	size_t depth = 0, n = 0, file_off[ELFMOD_MAX_DEPTH + 1];

	if (max == 0)
		return 0;
	/*
	 * Without DWARF the caller names the frame from the symbol table, whose names are read in
	 * the mapped file: those pages are the next elfmod_trim's to give back (a compiler's
	 * string table left 1.3 MB resident for good).
	 */
	if (!elfmod_has_dwarf(m)) {
		m->lookups++;
		return 0;
	}
	cudie = dwfl_module_addrdie(m->dmod, vaddr + m->bias, &bias);
	if (!cudie)
		return 0;
	pc = vaddr + m->bias - bias;
	fn = elfmod_cu_fn(elfmod_cu_get(m, cudie), pc);
	/* Pages read by this lookup are released now (the frames' names stay readable). */
	if (++m->lookups >= ELFMOD_RELEASE_EVERY)
		elfmod_release_files(m);
	if (!fn)
		return 0;
	/* Down from the function through the scopes that contain pc, noting inlined calls. */
	scope = fn->die;
	while (dwarf_child(&scope, &child) == 0) {
		bool found = false;

		do {
			int tag = dwarf_tag(&child);

			if (elfmod_is_code_scope(tag) && dwarf_haspc(&child, pc) > 0) {
				if (tag == DW_TAG_inlined_subroutine && depth < ELFMOD_MAX_DEPTH)
					chain[depth++] = child;
				scope = child;
				found = true;
				break;
			}
		} while (dwarf_siblingof(&child, &child) == 0);
		if (!found)
			break;
	}
	/* Innermost first; a chain too deep for out keeps the concrete function last. */
	m->names_len = 0;
	while (depth > 0 && n + 1 < max) {
		elfmod_die_frame(m, &chain[--depth], &out[n], &file_off[n]);
		n++;
	}
	elfmod_die_frame(m, &fn->die, &out[n], &file_off[n]);
	n++;
	/* m->names may have moved while it grew: point at it now. */
	for (size_t i = 0; i < n; i++)
		if (file_off[i] != SIZE_MAX)
			out[i].file = m->names + file_off[i];
	return n;
}

size_t
elfmod_memory(const struct elfmod *m)
{
	return sizeof(*m) + m->nsyms * sizeof(*m->syms) + m->nloads * sizeof(*m->loads) +
	       m->cus_cap * sizeof(*m->cus) + m->nfns * sizeof(struct elfmod_fn) + m->names_cap +
	       strlen(m->name) + 1;
}

unsigned
elfmod_machine(const struct elfmod *m)
{
	return m->machine;
}

bool
elfmod_srcline(struct elfmod *m, uint64_t vaddr, const char **file, const char **dir,
	       uint32_t *line)
{
	Dwfl_Line *l;
	int ln = 0;

	if (!elfmod_has_dwarf(m))
		return false;
	l = dwfl_module_getsrc(m->dmod, vaddr + m->bias);
	if (!l)
		return false;
	*file = dwfl_lineinfo(l, NULL, &ln, NULL, NULL, NULL);
	*dir = dwfl_line_comp_dir(l);
	*line = ln > 0 ? (uint32_t)ln : 0;
	return *file != NULL;
}

size_t
elfmod_code(struct elfmod *m, uint64_t vaddr, size_t len, const uint8_t **bytes)
{
	GElf_Addr bias = 0;
	Elf *elf = dwfl_module_getelf(m->mod, &bias);
	Elf_Scn *scn = NULL;

	*bytes = NULL;
	while (elf && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    !(sh.sh_flags & SHF_EXECINSTR) || vaddr < sh.sh_addr ||
		    vaddr - sh.sh_addr >= sh.sh_size)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || vaddr - sh.sh_addr >= d->d_size)
			return 0;
		*bytes = (const uint8_t *)d->d_buf + (vaddr - sh.sh_addr);
		return d->d_size - (vaddr - sh.sh_addr) < len ? d->d_size - (vaddr - sh.sh_addr)
							      : len;
	}
	return 0;
}

const char *
elfmod_debug_file(const struct elfmod *m)
{
	const char *main_file = NULL, *debug_file = NULL;

	/* Found by either session: the DWARF one may be ended now. */
	if (m->debug_fd >= 0 && m->debug_path[0])
		return m->debug_path;
	dwfl_module_info(m->dmod ? m->dmod : m->mod, NULL, NULL, NULL, NULL, NULL, &main_file,
			 &debug_file);
	if (debug_file && main_file && strcmp(debug_file, main_file) == 0)
		return NULL;
	return debug_file;
}
