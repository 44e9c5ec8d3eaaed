// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DWARF 5 line programs read straight from .debug_line (DWARF 5, section 6.2): each unit's header
 * (its directory and file tables), then its program run through the line state machine, whose
 * rows are kept by sequence when the sequence overlaps the range asked for. A lookup finds the
 * sequence holding the address and, in it, the last row at or below it. The section is read
 * through libelf, which inflates a compressed section on request: only this one and the string
 * sections its names point into.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/sym/linetab.h"
#include "ringside/util/byterd.h"
#include "ringside/util/xalloc.h"

/* DWARF constants used here (dwarf.h names them too; kept local to read the table alone). */
enum {
	LT_FORM_block = 0x09,
	LT_FORM_data1 = 0x0b,
	LT_FORM_data2 = 0x05,
	LT_FORM_data4 = 0x06,
	LT_FORM_data8 = 0x07,
	LT_FORM_data16 = 0x1e,
	LT_FORM_line_strp = 0x1f,
	LT_FORM_string = 0x08,
	LT_FORM_strp = 0x0e,
	LT_FORM_udata = 0x0f,
	LT_LNCT_path = 1,
	LT_LNCT_directory_index = 2,
};

struct linetab_row {
	uint64_t addr;
	uint32_t file; /* index into names */
	uint32_t line;
};

struct linetab_seq {
	uint64_t lo, hi; /* [lo, hi): its first row's address to its end_sequence's */
	size_t first, n; /* its rows */
	uint32_t unit;
};

struct linetab {
	char **names; /* file names as libdw composes them */
	size_t nnames;
	char **comp_dirs; /* per unit kept from */
	size_t nunits;
	struct linetab_row *rows;
	size_t nrows, rows_cap;
	struct linetab_seq *seqs;
	size_t nseqs;
};

/* The sections read. */
struct linetab_secs {
	Elf_Data *line, *line_str, *str;
};

/* The NUL-terminated string at off of d, or NULL. */
static const char *
linetab_str_at(const Elf_Data *d, uint64_t off)
{
	if (!d || off >= d->d_size || !memchr((const char *)d->d_buf + off, 0, d->d_size - off))
		return NULL;
	return (const char *)d->d_buf + off;
}

/*
 * One attribute of form into *s (a string) or *v (a number); false for a form not read here.
 */
static bool
linetab_form(struct byterd *r, uint64_t form, bool off64, const struct linetab_secs *secs,
	     const char **s, uint64_t *v)
{
	*s = NULL;
	*v = 0;
	switch (form) {
	case LT_FORM_string:
		*s = (const char *)r->p;
		while (r->p < r->end && *r->p)
			r->p++;
		if (r->p == r->end)
			return false;
		r->p++;
		return true;
	case LT_FORM_line_strp:
		*s = linetab_str_at(secs->line_str, byterd_un(r, off64 ? 8 : 4));
		return *s != NULL;
	case LT_FORM_strp:
		*s = linetab_str_at(secs->str, byterd_un(r, off64 ? 8 : 4));
		return *s != NULL;
	case LT_FORM_udata:
		*v = byterd_uleb(r);
		return true;
	case LT_FORM_data1:
		*v = byterd_un(r, 1);
		return true;
	case LT_FORM_data2:
		*v = byterd_un(r, 2);
		return true;
	case LT_FORM_data4:
		*v = byterd_un(r, 4);
		return true;
	case LT_FORM_data8:
		*v = byterd_un(r, 8);
		return true;
	case LT_FORM_data16:
		byterd_un(r, 8);
		byterd_un(r, 8);
		return true;
	case LT_FORM_block:
		*v = byterd_uleb(r);
		if (byterd_left(r) < *v)
			return false;
		r->p += *v;
		return true;
	default:
		return false;
	}
}

/*
 * An entry table (directories or files): for each entry its path and directory index. Returns
 * the count, or -1 on a form not read here.
 */
static long
linetab_entries(struct byterd *r, bool off64, const struct linetab_secs *secs, const char ***paths,
		uint64_t **dirs)
{
	uint8_t nfmt = (uint8_t)byterd_un(r, 1);
	uint64_t fmt[2 * 16], count;

	if (nfmt > 16)
		return -1;
	for (size_t i = 0; i < 2u * nfmt; i++)
		fmt[i] = byterd_uleb(r);
	count = byterd_uleb(r);
	if (r->bad || count > byterd_left(r))
		return -1;
	*paths = xcalloc(count + 1, sizeof(**paths));
	*dirs = xcalloc(count + 1, sizeof(**dirs));
	for (uint64_t e = 0; e < count; e++)
		for (size_t i = 0; i < nfmt; i++) {
			const char *s;
			uint64_t v;

			if (!linetab_form(r, fmt[2 * i + 1], off64, secs, &s, &v) || r->bad)
				return -1;
			if (fmt[2 * i] == LT_LNCT_path)
				(*paths)[e] = s;
			else if (fmt[2 * i] == LT_LNCT_directory_index)
				(*dirs)[e] = v;
		}
	return (long)count;
}

/* A unit's header. */
struct linetab_hdr {
	bool off64;
	uint8_t addr_size, min_len, default_stmt, line_range, opcode_base;
	int8_t line_base;
	const uint8_t *std_lens;
	const char **dirs, **files;
	uint64_t *dir_dirs, *file_dirs;
	long ndirs, nfiles;
};

static void
linetab_hdr_fini(struct linetab_hdr *h)
{
	free(h->dirs);
	free(h->files);
	free(h->dir_dirs);
	free(h->file_dirs);
}

/* Read the header after the unit's length; false for one not read here (not DWARF 5). */
static bool
linetab_header(struct byterd *r, const struct linetab_secs *secs, struct linetab_hdr *h)
{
	uint64_t hlen;
	const uint8_t *prog;

	if (byterd_un(r, 2) != 5)
		return false;
	h->addr_size = (uint8_t)byterd_un(r, 1);
	if (byterd_un(r, 1) != 0 || (h->addr_size != 4 && h->addr_size != 8))
		return false;
	hlen = byterd_un(r, h->off64 ? 8 : 4);
	if (r->bad || hlen > byterd_left(r))
		return false;
	prog = r->p + hlen;
	h->min_len = (uint8_t)byterd_un(r, 1);
	if (byterd_un(r, 1) != 1) /* maximum_operations_per_instruction: no VLIW */
		return false;
	h->default_stmt = (uint8_t)byterd_un(r, 1);
	h->line_base = (int8_t)byterd_un(r, 1);
	h->line_range = (uint8_t)byterd_un(r, 1);
	h->opcode_base = (uint8_t)byterd_un(r, 1);
	if (r->bad || h->line_range == 0 || h->opcode_base == 0 ||
	    byterd_left(r) < (size_t)h->opcode_base - 1)
		return false;
	h->std_lens = r->p;
	r->p += h->opcode_base - 1;
	h->ndirs = linetab_entries(r, h->off64, secs, &h->dirs, &h->dir_dirs);
	if (h->ndirs < 1)
		return false;
	h->nfiles = linetab_entries(r, h->off64, secs, &h->files, &h->file_dirs);
	if (h->nfiles < 0 || r->bad || r->p > prog)
		return false;
	r->p = prog;
	return true;
}

static void
linetab_push_row(struct linetab *t, uint64_t addr, uint64_t file, uint64_t line)
{
	if (t->nrows == t->rows_cap) {
		t->rows_cap = t->rows_cap ? t->rows_cap * 2 : 1024;
		t->rows = xreallocarray(t->rows, t->rows_cap, sizeof(*t->rows));
	}
	t->rows[t->nrows++] =
		(struct linetab_row){ addr, file > UINT32_MAX ? UINT32_MAX : (uint32_t)file,
				      line > UINT32_MAX ? 0 : (uint32_t)line };
}

/* The end of a sequence at addr: kept when it overlaps [lo, hi), its rows dropped otherwise. */
static void
linetab_end_seq(struct linetab *t, size_t first, uint64_t addr, uint64_t lo, uint64_t hi)
{
	if (t->nrows > first && t->rows[first].addr < hi && addr > lo &&
	    t->rows[first].addr < addr) {
		t->seqs = xreallocarray(t->seqs, t->nseqs + 1, sizeof(*t->seqs));
		t->seqs[t->nseqs++] = (struct linetab_seq){ t->rows[first].addr, addr, first,
							    t->nrows - first, (uint32_t)t->nunits };
	} else {
		t->nrows = first;
	}
}

/* An extended opcode; false on a malformed one. */
static bool
linetab_extended(struct byterd *r, const struct linetab_hdr *h, uint64_t *addr, bool *end)
{
	uint64_t len = byterd_uleb(r);
	const uint8_t *next = r->p + len;
	uint8_t op;

	if (r->bad || len == 0 || len > byterd_left(r))
		return false;
	op = (uint8_t)byterd_un(r, 1);
	if (op == 1)
		*end = true;
	else if (op == 2)
		*addr = byterd_un(r, h->addr_size);
	r->p = next; /* set_discriminator and others: skipped */
	return true;
}

/* Run a unit's program (r over it), keeping rows of sequences that overlap [lo, hi). */
static bool
linetab_run(struct linetab *t, struct byterd *r, const struct linetab_hdr *h, uint64_t lo,
	    uint64_t hi)
{
	uint64_t addr = 0, file = 1, line = 1;
	size_t first = t->nrows;

	while (r->p < r->end && !r->bad) {
		uint8_t op = (uint8_t)byterd_un(r, 1);
		bool end = false;

		if (op >= h->opcode_base) {
			unsigned adj = op - h->opcode_base;

			addr += (uint64_t)h->min_len * (adj / h->line_range);
			line += (uint64_t)((int64_t)h->line_base + (int64_t)(adj % h->line_range));
			linetab_push_row(t, addr, file, line);
			continue;
		}
		switch (op) {
		case 0:
			if (!linetab_extended(r, h, &addr, &end))
				return false;
			break;
		case 1: /* copy */
			linetab_push_row(t, addr, file, line);
			break;
		case 2: /* advance_pc */
			addr += (uint64_t)h->min_len * byterd_uleb(r);
			break;
		case 3: /* advance_line */
			line += (uint64_t)byterd_sleb(r);
			break;
		case 4: /* set_file */
			file = byterd_uleb(r);
			break;
		case 8: /* const_add_pc */
			addr += (uint64_t)h->min_len * ((255u - h->opcode_base) / h->line_range);
			break;
		case 9: /* fixed_advance_pc */
			addr += byterd_un(r, 2);
			break;
		default: /* set_column, negate_stmt, ...: their operands skipped */
			for (uint8_t i = 0; i < h->std_lens[op - 1]; i++)
				byterd_uleb(r);
			break;
		}
		if (end) {
			linetab_end_seq(t, first, addr, lo, hi);
			first = t->nrows;
			addr = 0;
			file = line = 1;
		}
	}
	t->nrows = first; /* a sequence without its end: dropped */
	return !r->bad;
}

/* The names of a unit some of whose sequences were kept (rows from first on): libdw's. */
static void
linetab_names(struct linetab *t, const struct linetab_hdr *h, size_t first)
{
	size_t base = t->nnames;

	t->names = xreallocarray(t->names, t->nnames + (size_t)h->nfiles + 1, sizeof(*t->names));
	for (long i = 0; i < h->nfiles; i++) {
		const char *f = h->files[i] ? h->files[i] : "";
		uint64_t d = h->file_dirs[i];

		if (f[0] != '/' && d < (uint64_t)h->ndirs && h->dirs[d])
			t->names[t->nnames++] = xasprintf("%s/%s", h->dirs[d], f);
		else
			t->names[t->nnames++] = xstrdup(f);
	}
	for (size_t i = first; i < t->nrows; i++)
		t->rows[i].file = t->rows[i].file < (uint64_t)h->nfiles
					  ? (uint32_t)(base + t->rows[i].file)
					  : UINT32_MAX;
	t->comp_dirs = xreallocarray(t->comp_dirs, t->nunits + 1, sizeof(*t->comp_dirs));
	t->comp_dirs[t->nunits++] = h->dirs[0] ? xstrdup(h->dirs[0]) : NULL;
}

/* One unit at r (its length first); false for one not read here. */
static bool
linetab_unit(struct linetab *t, struct byterd *r, const struct linetab_secs *secs, uint64_t lo,
	     uint64_t hi)
{
	struct linetab_hdr h = { 0 };
	uint64_t len = byterd_un(r, 4);
	struct byterd u;
	size_t first = t->nrows, nseqs = t->nseqs;
	bool ok;

	if (len == 0xffffffffu) {
		h.off64 = true;
		len = byterd_un(r, 8);
	}
	if (r->bad || len > byterd_left(r))
		return false;
	u = byterd_at(r->p, len);
	r->p += len;
	ok = linetab_header(&u, secs, &h) && linetab_run(t, &u, &h, lo, hi);
	if (ok && t->nseqs > nseqs)
		linetab_names(t, &h, first);
	linetab_hdr_fini(&h);
	return ok;
}

/* The data of section name, inflated when compressed; NULL when absent or unreadable. */
static Elf_Data *
linetab_section(Elf *elf, size_t shstrndx, const char *name, bool *bad)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *n;

		if (!gelf_getshdr(scn, &sh) || !(n = elf_strptr(elf, shstrndx, sh.sh_name)) ||
		    strcmp(n, name) != 0)
			continue;
		if (sh.sh_type == SHT_NOBITS)
			return NULL;
		if ((sh.sh_flags & SHF_COMPRESSED) && elf_compress(scn, 0, 0) < 0) {
			*bad = true;
			return NULL;
		}
		return elf_getdata(scn, NULL);
	}
	return NULL;
}

static int
linetab_seq_cmp(const void *a, const void *b)
{
	const struct linetab_seq *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

/* Read the units of elf's .debug_line into t. */
static int
linetab_read(struct linetab *t, Elf *elf, uint64_t lo, uint64_t hi)
{
	struct linetab_secs secs;
	struct byterd r;
	size_t shstrndx;
	bool bad = false;

	if (elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0)
		return -EPROTO;
	secs.line = linetab_section(elf, shstrndx, ".debug_line", &bad);
	secs.line_str = linetab_section(elf, shstrndx, ".debug_line_str", &bad);
	secs.str = linetab_section(elf, shstrndx, ".debug_str", &bad);
	if (bad || (elf_getident(elf, NULL) && elf_getident(elf, NULL)[EI_DATA] != ELFDATA2LSB))
		return -EPROTO;
	if (!secs.line || !secs.line->d_buf)
		return -ENOENT;
	r = byterd_at(secs.line->d_buf, secs.line->d_size);
	while (r.p < r.end)
		if (!linetab_unit(t, &r, &secs, lo, hi))
			return -EPROTO;
	if (t->nseqs)
		qsort(t->seqs, t->nseqs, sizeof(*t->seqs), linetab_seq_cmp);
	return 0;
}

int
linetab_open(const char *path, uint64_t lo, uint64_t hi, struct linetab **out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	struct linetab *t;
	Elf *elf;

	*out = NULL;
	if (fd < 0)
		return -errno;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf) {
		close(fd);
		return -EPROTO;
	}
	t = xcalloc(1, sizeof(*t));
	rc = linetab_read(t, elf, lo, hi);
	elf_end(elf);
	close(fd);
	if (rc < 0) {
		linetab_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

bool
linetab_lookup(const struct linetab *t, uint64_t addr, const char **file, const char **dir,
	       uint32_t *line)
{
	for (size_t s = 0; s < t->nseqs && t->seqs[s].lo <= addr; s++) {
		const struct linetab_seq *q = &t->seqs[s];
		const struct linetab_row *r = t->rows + q->first;
		size_t a = 0, b = q->n;

		if (addr >= q->hi)
			continue;
		/* The first row past addr; the one before it is the last at or below. */
		while (a < b) {
			size_t m = a + (b - a) / 2;

			if (r[m].addr <= addr)
				a = m + 1;
			else
				b = m;
		}
		if (a == 0 || r[a - 1].file == UINT32_MAX)
			return false;
		*file = t->names[r[a - 1].file];
		*dir = t->comp_dirs[q->unit];
		*line = r[a - 1].line;
		return true;
	}
	return false;
}

bool
linetab_file_name(Elf *elf, uint64_t unit, uint64_t idx, char *buf, size_t size)
{
	struct linetab_hdr h = { 0 };
	struct linetab_secs secs;
	struct byterd r;
	size_t shstrndx;
	bool bad = false, ok = false;
	uint64_t len;

	if (elf_kind(elf) != ELF_K_ELF || elf_getshdrstrndx(elf, &shstrndx) != 0 ||
	    !elf_getident(elf, NULL) || elf_getident(elf, NULL)[EI_DATA] != ELFDATA2LSB)
		return false;
	secs.line = linetab_section(elf, shstrndx, ".debug_line", &bad);
	secs.line_str = linetab_section(elf, shstrndx, ".debug_line_str", &bad);
	secs.str = linetab_section(elf, shstrndx, ".debug_str", &bad);
	if (bad || !secs.line || !secs.line->d_buf || unit >= secs.line->d_size)
		return false;
	r = byterd_at((const uint8_t *)secs.line->d_buf + unit, secs.line->d_size - unit);
	len = byterd_un(&r, 4);
	if (len == 0xffffffffu) {
		h.off64 = true;
		len = byterd_un(&r, 8);
	}
	if (r.bad || len > byterd_left(&r))
		return false;
	r.end = r.p + len;
	if (linetab_header(&r, &secs, &h) && idx < (uint64_t)h.nfiles) {
		const char *f = h.files[idx] ? h.files[idx] : "";
		uint64_t d = h.file_dirs[idx];
		int n;

		/* As linetab_names composes it (libdw's name). */
		if (f[0] != '/' && d < (uint64_t)h.ndirs && h.dirs[d])
			n = snprintf(buf, size, "%s/%s", h.dirs[d], f);
		else
			n = snprintf(buf, size, "%s", f);
		ok = n >= 0 && (size_t)n < size;
	}
	linetab_hdr_fini(&h);
	return ok;
}

void
linetab_free(struct linetab *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->nnames; i++)
		free(t->names[i]);
	for (size_t i = 0; i < t->nunits; i++)
		free(t->comp_dirs[i]);
	free(t->names);
	free(t->comp_dirs);
	free(t->rows);
	free(t->seqs);
	free(t);
}
