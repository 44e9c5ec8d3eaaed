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
 * Both are read in place from the file's mapping: nothing is allocated per lookup. (libdw's
 * dwarf_cfi_addrframe answered whether an FDE covers an address before, but its CFI keeps every
 * FDE and CIE it parses: 11 MB for the 12 s a clang-format, whose libLLVM has 94,994 FDEs,
 * was sampled.)
 */
#include <dwarf.h>
#include <string.h>

#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "elfmod_priv.h"
#include "ringside/util/byterd.h"

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

/* Find .eh_frame's bytes in place (the file is mapped), or leave them NULL. */
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
		d = elf_rawdata(scn, NULL);
		if (d && d->d_buf && d->d_size == sh.sh_size) {
			m->eh_frame = d->d_buf;
			m->eh_frame_n = d->d_size;
			m->eh_frame_addr = sh.sh_addr;
		}
		return;
	}
}

/* Read the module's .eh_frame_hdr table once, or mark it absent. */
static void
elfmod_eh_load(struct elfmod *m)
{
	static const uint16_t one = 1;
	bool little = *(const uint8_t *)&one == 1;
	Dwarf_Addr bias;
	Elf *elf = m->mod ? dwfl_module_getelf(m->mod, &bias) : NULL;
	GElf_Ehdr eh;
	size_t phnum = 0, at, ptr;
	const uint8_t *p;
	Elf_Data *d;
	uint32_t count;

	m->eh_state = -1;
	if (!elf || !gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &phnum) < 0 ||
	    eh.e_ident[EI_DATA] != (little ? ELFDATA2LSB : ELFDATA2MSB))
		return;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_GNU_EH_FRAME)
			continue;
		d = elf_getdata_rawchunk(elf, (int64_t)ph.p_offset, ph.p_filesz, ELF_T_BYTE);
		if (!d || d->d_size < 4)
			return;
		p = d->d_buf;
		ptr = elfmod_eh_size(p[1], eh.e_ident[EI_CLASS] == ELFCLASS64);
		if (p[0] != 1 || ptr == 0 || p[2] != DW_EH_PE_udata4 ||
		    p[3] != (DW_EH_PE_datarel | DW_EH_PE_sdata4))
			return;
		at = 4 + ptr;
		if (d->d_size < at + 4)
			return;
		memcpy(&count, p + at, sizeof(count));
		at += 4;
		if ((d->d_size - at) / 8 < count)
			return;
		elfmod_eh_frame_find(m, elf);
		if (!m->eh_frame)
			return;
		m->eh_table = p + at;
		m->eh_n = count;
		m->eh_base = ph.p_vaddr;
		m->elf64 = eh.e_ident[EI_CLASS] == ELFCLASS64;
		m->eh_state = 1;
		return;
	}
}

/* The start of table entry i, in ELF addresses. */
static uint64_t
elfmod_eh_start(const struct elfmod *m, size_t i)
{
	int32_t rel;

	memcpy(&rel, m->eh_table + i * 8, sizeof(rel));
	return m->eh_base + (uint64_t)(int64_t)rel;
}

/* The encoding of a CIE's FDE pointers (its 'R' augmentation); 0xff when it cannot be read. */
static uint8_t
elfmod_cie_encoding(const struct elfmod *m, const uint8_t *cie)
{
	const uint8_t *end = m->eh_frame + m->eh_frame_n, *p;
	const char *aug;
	struct byterd r;
	uint32_t len;
	uint8_t version;
	size_t alen;

	if ((size_t)(end - cie) < 9)
		return 0xff;
	memcpy(&len, cie, sizeof(len));
	/* id, version and at least the augmentation string's NUL; 64-bit lengths are not read */
	if (len < 6 || len == 0xffffffffu || len > (size_t)(end - cie) - 4)
		return 0xff;
	end = cie + 4 + len;
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
			size = elfmod_eh_size(*p, m->elf64);
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
elfmod_fde_covers(const struct elfmod *m, uint64_t fde, uint64_t vaddr)
{
	const uint8_t *p, *end = m->eh_frame + m->eh_frame_n;
	uint64_t begin, range;
	uint32_t len, id;
	size_t size;
	uint8_t enc;

	if (m->eh_frame_n < 8 || fde < m->eh_frame_addr ||
	    fde - m->eh_frame_addr > m->eh_frame_n - 8)
		return false;
	p = m->eh_frame + (fde - m->eh_frame_addr);
	memcpy(&len, p, sizeof(len));
	memcpy(&id, p + 4, sizeof(id));
	/* id is the distance back from its own field to the CIE; 0 would make this a CIE */
	if (len == 0xffffffffu || len > (size_t)(end - p) - 4 || id == 0 ||
	    id > (size_t)(p + 4 - m->eh_frame))
		return false;
	enc = elfmod_cie_encoding(m, p + 4 - id);
	size = enc == 0xff ? 0 : elfmod_eh_size(enc, m->elf64);
	if (size == 0 || 8 + 2 * size > len + 4 ||
	    ((enc & 0x70) != DW_EH_PE_absptr && (enc & 0x70) != DW_EH_PE_pcrel))
		return false;
	begin = elfmod_eh_read(p + 8, enc, size);
	if ((enc & 0x70) == DW_EH_PE_pcrel)
		begin += fde + 8;
	range = elfmod_eh_read(p + 8 + size, enc & 0x07, size);
	return begin <= vaddr && vaddr - begin < range;
}

bool
elfmod_code_start(struct elfmod *m, uint64_t vaddr, uint64_t *start)
{
	size_t lo = 0, hi;
	int32_t rel;

	if (m->eh_state == 0)
		elfmod_eh_load(m);
	if (m->eh_state < 0)
		return false;
	for (hi = m->eh_n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (elfmod_eh_start(m, mid) <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	memcpy(&rel, m->eh_table + (lo - 1) * 8 + 4, sizeof(rel));
	if (!elfmod_fde_covers(m, m->eh_base + (uint64_t)(int64_t)rel, vaddr))
		return false;
	*start = elfmod_eh_start(m, lo - 1);
	return true;
}
