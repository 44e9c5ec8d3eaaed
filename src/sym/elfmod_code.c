// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where code without a symbol starts. A stripped file (a compiler's cc1, say) keeps .eh_frame for
 * the unwinder, and the linker's .eh_frame_hdr (PT_GNU_EH_FRAME) lists the start of each of its
 * FDEs and where the FDE is, sorted: one FDE per function, as compilers emit them. FDEs do not
 * overlap, so the only one that may cover an address is the greatest table entry not above it;
 * it covers the address when the address lies within its range (its pc_begin and pc_range, in
 * the encoding its CIE's augmentation gives). Only the usual table is read (udata4 count, datarel
 * sdata4 pairs, as GNU ld, gold, lld and mold write it), and pointers of a fixed size, absolute
 * or pc-relative; anything else is no table.
 *
 * Both are read with pread from the module's second descriptor, into the stack: nothing is
 * allocated per lookup and none of the file is mapped. A read through libelf's mapping of the file
 * would fault in the page cache's folio around each page it reads (64 KiB or more here: each
 * binary search over cc1's 353 KiB table and the FDE it found left several of them resident until
 * the next release). The table is searched in two steps: an index of the first start of every
 * ELFMOD_EH_BLOCK entries (kept, 4 bytes per block: 356 bytes for cc1's 45,201 FDEs), then the
 * one block (4 KiB) it names. The mapping is read instead only when the module has no second
 * descriptor. (libdw's
 * dwarf_cfi_addrframe answered whether an FDE covers an address before, but its CFI keeps every
 * FDE and CIE it parses: 11 MB for the 12 s a clang-format, whose libLLVM has 94,994 FDEs,
 * was sampled.)
 */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "elfmod_priv.h"
#include "ringside/util/byterd.h"
#include "ringside/util/xalloc.h"

/* Table entries (8 bytes each) per block of the index: one 4 KiB read per lookup. */
#define ELFMOD_EH_BLOCK 512u
/* Bytes read of an FDE (its length, CIE pointer, start and range: 24 at most) and of a CIE. */
#define ELFMOD_FDE_READ 32u
#define ELFMOD_CIE_READ 256u

/*
 * Copy n bytes at file offset off into buf: with pread from the module's second descriptor, or
 * from mapped (the same bytes in libelf's mapping of the file) when it has none.
 */
static bool
elfmod_eh_copy(const struct elfmod *m, void *buf, uint64_t off, size_t n, const uint8_t *mapped)
{
	if (m->fd_copy >= 0)
		return pread(m->fd_copy, buf, n, (off_t)off) == (ssize_t)n;
	if (!mapped)
		return false;
	memcpy(buf, mapped, n);
	return true;
}

/* Bytes of a pointer in encoding enc (its low four bits), 0 when not one of fixed size. */
static size_t
elfmod_eh_size(uint8_t enc, bool elf64)
{
	switch (enc & 0x0f) {
	case DW_EH_PE_absptr:
		return elf64 ? 8 : 4;
	case DW_EH_PE_udata2:
	case DW_EH_PE_sdata2:
		return 2;
	case DW_EH_PE_udata4:
	case DW_EH_PE_sdata4:
		return 4;
	case DW_EH_PE_udata8:
	case DW_EH_PE_sdata8:
		return 8;
	default:
		return 0;
	}
}

/* Find .eh_frame: its file offset and size, and its bytes in the mapping when read from there. */
static void
elfmod_eh_frame_find(struct elfmod *m, Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (elf_getshdrstrndx(elf, &shstrndx) < 0)
		return;
	while ((scn = elf_nextscn(elf, scn)) != NULL) {
		const char *name;
		Elf_Data *d;
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (!name || strcmp(name, ".eh_frame") != 0)
			continue;
		m->eh_frame_off = sh.sh_offset;
		m->eh_frame_addr = sh.sh_addr;
		if (m->fd_copy >= 0) {
			m->eh_frame_n = sh.sh_size;
			return;
		}
		d = elf_rawdata(scn, NULL);
		if (d && d->d_buf && d->d_size == sh.sh_size) {
			m->eh_frame = d->d_buf;
			m->eh_frame_n = d->d_size;
		}
		return;
	}
}

/* Read the module's .eh_frame_hdr table once (its header and index), or mark it absent. */
static void
elfmod_eh_load(struct elfmod *m)
{
	static const uint16_t one = 1;
	bool little = *(const uint8_t *)&one == 1;
	Dwarf_Addr bias;
	Elf *elf = m->mod ? dwfl_module_getelf(m->mod, &bias) : NULL;
	const uint8_t *p = NULL;
	uint8_t hdr[4];
	GElf_Ehdr eh;
	size_t phnum = 0, at, ptr, nblocks;
	uint32_t count;

	m->eh_state = -1;
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &phnum) < 0 ||
	    eh.e_ident[EI_DATA] != (little ? ELFDATA2LSB : ELFDATA2MSB))
		return;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_GNU_EH_FRAME)
			continue;
		if (m->fd_copy < 0) {
			Elf_Data *d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz,
							   ELF_T_BYTE);

			if (!d || d->d_size != ph.p_filesz)
				return;
			p = d->d_buf;
		}
		if (ph.p_filesz < 4 || !elfmod_eh_copy(m, hdr, ph.p_offset, 4, p))
			return;
		ptr = elfmod_eh_size(hdr[1], eh.e_ident[EI_CLASS] == ELFCLASS64);
		if (hdr[0] != 1 || ptr == 0 || hdr[2] != DW_EH_PE_udata4 ||
		    hdr[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4))
			return;
		at = 4 + ptr;
		if (ph.p_filesz < at + 4 ||
		    !elfmod_eh_copy(m, &count, ph.p_offset + at, sizeof(count), p ? p + at : NULL))
			return;
		at += 4;
		if ((ph.p_filesz - at) / 8 < count || count == 0)
			return;
		elfmod_eh_frame_find(m, elf);
		if (!m->eh_frame_n || (m->fd_copy < 0 && !m->eh_frame))
			return;
		m->eh_table = p ? p + at : NULL;
		m->eh_table_off = ph.p_offset + at;
		m->eh_n = count;
		m->eh_base = ph.p_vaddr;
		m->elf64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
		nblocks = (count + ELFMOD_EH_BLOCK - 1) / ELFMOD_EH_BLOCK;
		m->eh_index = xreallocarray(NULL, nblocks, sizeof(*m->eh_index));
		for (size_t b = 0; b < nblocks; b++) {
			size_t e = b * ELFMOD_EH_BLOCK * 8;

			if (!elfmod_eh_copy(m, &m->eh_index[b], m->eh_table_off + e,
					    sizeof(*m->eh_index), p ? m->eh_table + e : NULL)) {
				free(m->eh_index);
				m->eh_index = NULL;
				return;
			}
		}
		m->eh_state = 1;
		return;
	}
}

/*
 * The encoding of a CIE's FDE pointers (its 'R' augmentation); 0xff when it cannot be read. cie
 * holds avail bytes of it, and left bytes lie from it to the end of .eh_frame.
 */
static uint8_t
elfmod_cie_encoding(const uint8_t *cie, size_t avail, size_t left, bool elf64)
{
	const uint8_t *end, *p;
	const char *aug;
	struct byterd r;
	uint32_t len;
	uint8_t version;
	size_t alen;

	if (avail < 9)
		return 0xff;
	memcpy(&len, cie, sizeof(len));
	/* id, version and at least the augmentation string's NUL; 64-bit lengths are not read */
	if (len < 6 || len == 0xffffffffu || len > left - 4)
		return 0xff;
	end = cie + (4 + (size_t)len < avail ? 4 + (size_t)len : avail);
	version = cie[8];
	aug = (const char *)cie + 9;
	alen = strnlen(aug, (size_t)(end - (const uint8_t *)aug));
	p = (const uint8_t *)aug + alen + 1;
	if (p > end)
		return 0xff;
	if (aug[0] != 'z')
		return alen == 0 ? DW_EH_PE_absptr : 0xff;
	r = byterd_at(p, (size_t)(end - p));
	byterd_uleb(&r); /* code alignment */
	byterd_sleb(&r); /* data alignment */
	if (version == 1)
		byterd_un(&r, 1); /* the return address register, one byte */
	else
		byterd_uleb(&r);
	byterd_uleb(&r); /* the augmentation data's length */
	if (r.bad)
		return 0xff;
	p = r.p;
	for (const char *a = aug + 1; p < end && *a; a++) {
		size_t size;

		switch (*a) {
		case 'R':
			return *p;
		case 'L':
			p++;
			break;
		case 'P':
			size = elfmod_eh_size(*p, elf64);
			if (size == 0 || (*p & 0x70) == DW_EH_PE_aligned)
				return 0xff;
			p += 1 + size;
			break;
		case 'S':
		case 'B':
			break;
		default:
			return 0xff;
		}
	}
	return p <= end ? DW_EH_PE_absptr : 0xff;
}

/* The encoding of the FDE pointers of the CIE at offset at of .eh_frame (the last one kept). */
static uint8_t
elfmod_cie_at(struct elfmod *m, size_t at)
{
	uint8_t buf[ELFMOD_CIE_READ];
	size_t left = m->eh_frame_n - at, n = left < sizeof(buf) ? left : sizeof(buf);

	if (m->eh_cie == at + 1)
		return m->eh_cie_enc;
	if (!elfmod_eh_copy(m, buf, m->eh_frame_off + at, n, m->eh_frame ? m->eh_frame + at : NULL))
		return 0xff;
	m->eh_cie = at + 1;
	m->eh_cie_enc = elfmod_cie_encoding(buf, n, left, m->elf64);
	return m->eh_cie_enc;
}

/* A pointer of fixed size in encoding enc at p (its low four bits), unsigned or sign-extended. */
static uint64_t
elfmod_eh_read(const uint8_t *p, uint8_t enc, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, p, size); /* the host's byte order was checked against the file's */
	if (size < 8 && (enc & 0x08) && (v >> (size * 8 - 1)) & 1)
		v |= ~0ull << (size * 8);
	return v;
}

/* Whether the FDE at ELF address fde covers vaddr (false when it cannot be read). */
static bool
elfmod_fde_covers(struct elfmod *m, uint64_t fde, uint64_t vaddr)
{
	uint8_t buf[ELFMOD_FDE_READ];
	uint64_t begin, range;
	size_t at, left, n, size;
	uint32_t len, id;
	uint8_t enc;

	if (m->eh_frame_n < 8 || fde < m->eh_frame_addr ||
	    fde - m->eh_frame_addr > m->eh_frame_n - 8)
		return false;
	at = (size_t)(fde - m->eh_frame_addr);
	left = m->eh_frame_n - at;
	n = left < sizeof(buf) ? left : sizeof(buf);
	if (!elfmod_eh_copy(m, buf, m->eh_frame_off + at, n, m->eh_frame ? m->eh_frame + at : NULL))
		return false;
	memcpy(&len, buf, sizeof(len));
	memcpy(&id, buf + 4, sizeof(id));
	/* id is the distance back from its own field to the CIE; 0 would make this a CIE */
	if (len == 0xffffffffu || len > left - 4 || id == 0 || id > at + 4)
		return false;
	enc = elfmod_cie_at(m, at + 4 - id);
	size = enc == 0xff ? 0 : elfmod_eh_size(enc, m->elf64);
	/* 8 + 2 * size is at most 24, within what was read once within the FDE */
	if (size == 0 || 8 + 2 * size > len + 4 ||
	    ((enc & 0x70) != DW_EH_PE_absptr && (enc & 0x70) != DW_EH_PE_pcrel))
		return false;
	begin = elfmod_eh_read(buf + 8, enc, size);
	if ((enc & 0x70) == DW_EH_PE_pcrel)
		begin += fde + 8;
	range = elfmod_eh_read(buf + 8 + size, enc & 0x07, size);
	return begin <= vaddr && vaddr - begin < range;
}

/* A table start (relative to eh_base) in ELF addresses. */
static uint64_t
elfmod_eh_addr(const struct elfmod *m, int32_t rel)
{
	return m->eh_base + (uint64_t)(int64_t)rel;
}

bool
elfmod_code_start(struct elfmod *m, uint64_t vaddr, uint64_t *start)
{
	uint8_t blk[ELFMOD_EH_BLOCK * 8];
	size_t lo = 0, hi, first, n;
	int32_t rel[2];

	if (m->eh_state == 0)
		elfmod_eh_load(m);
	if (m->eh_state < 0)
		return false;
	/* The block: the last whose first start is not above vaddr. */
	for (hi = (m->eh_n + ELFMOD_EH_BLOCK - 1) / ELFMOD_EH_BLOCK; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (elfmod_eh_addr(m, m->eh_index[mid]) <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	first = (lo - 1) * ELFMOD_EH_BLOCK;
	n = m->eh_n - first < ELFMOD_EH_BLOCK ? m->eh_n - first : ELFMOD_EH_BLOCK;
	if (!elfmod_eh_copy(m, blk, m->eh_table_off + first * 8, n * 8,
			    m->eh_table ? m->eh_table + first * 8 : NULL))
		return false;
	/* Within it: the last entry whose start is not above vaddr (its first one is not). */
	for (lo = 1, hi = n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		memcpy(rel, blk + mid * 8, sizeof(rel[0]));
		if (elfmod_eh_addr(m, rel[0]) <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	memcpy(rel, blk + (lo - 1) * 8, sizeof(rel));
	if (!elfmod_fde_covers(m, elfmod_eh_addr(m, rel[1]), vaddr))
		return false;
	*start = elfmod_eh_addr(m, rel[0]);
	return true;
}
