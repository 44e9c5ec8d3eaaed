// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Where code without a symbol starts. A stripped file (a compiler's cc1, say) keeps .eh_frame for
 * the unwinder, and the linker's .eh_frame_hdr (PT_GNU_EH_FRAME) lists the start of each of its
 * FDEs, sorted: one FDE per function, as compilers emit them. libdw says whether an FDE covers an
 * address (dwarf_cfi_addrframe), but not where that FDE starts: the row range it gives is the
 * CFI row's, which ends at the next push or pop. FDEs do not overlap, so the covering one starts
 * at the greatest table entry not above the address. Only the usual table is read (udata4 count,
 * datarel sdata4 pairs, as GNU ld, gold, lld and mold write it); any other is no table.
 */
#include <dwarf.h>
#include <stdlib.h>
#include <string.h>

#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>

#include "elfmod_priv.h"

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
		m->eh_table = p + at;
		m->eh_n = count;
		m->eh_base = ph.p_vaddr;
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

bool
elfmod_code_start(struct elfmod *m, uint64_t vaddr, uint64_t *start)
{
	Dwarf_Addr cbias;
	Dwarf_CFI *cfi;
	Dwarf_Frame *frame;
	size_t lo = 0, hi;

	if (m->eh_state == 0)
		elfmod_eh_load(m);
	if (m->eh_state < 0)
		return false;
	/* CFI addresses plus cbias are module addresses, which are ELF addresses plus m->bias. */
	cfi = dwfl_module_eh_cfi(m->mod, &cbias);
	if (!cfi || dwarf_cfi_addrframe(cfi, vaddr + m->bias - cbias, &frame) != 0)
		return false;
	free(frame);
	for (hi = m->eh_n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;

		if (elfmod_eh_start(m, mid) <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return false;
	*start = elfmod_eh_start(m, lo - 1);
	return true;
}
