/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A DWARF 5 line table read for one address range, without libdw: only the file's .debug_line
 * (and .debug_line_str, .debug_str for names) is read and, when compressed, inflated, where
 * libdw 0.188 inflates every debug section of the file the first time it reads any (for a
 * distribution's libc, ~37 ms of ~50 to annotate one of its functions). The answers are libdw's
 * (dwfl_module_getsrc, dwfl_lineinfo, dwfl_line_comp_dir): the last row at the greatest address
 * at or below the one asked within its sequence, the file named as libdw composes it (the
 * directory prepended to a relative name), the compilation directory (directory 0).
 * Anything else (DWARF before version 5, forms it does not know) is refused, for libdw to do.
 */
#ifndef RINGSIDE_SYM_LINETAB_H
#define RINGSIDE_SYM_LINETAB_H

#include <stdbool.h>
#include <stdint.h>

struct linetab;
struct Elf;

/*
 * Read the line programs of the ELF file at path, keeping the sequences that overlap
 * [lo, hi) (ELF addresses), into *out (the caller's, linetab_free). Returns 0; -ENOENT when the
 * file has no .debug_line; -EPROTO for a line table it does not read (the caller asks libdw);
 * -errno when the file cannot be read.
 */
int linetab_open(const char *path, uint64_t lo, uint64_t hi, struct linetab **out);
/*
 * The file:line of addr and the compilation directory (strings borrowed from t); false when no
 * kept sequence covers addr.
 */
bool linetab_lookup(const struct linetab *t, uint64_t addr, const char **file, const char **dir,
		    uint32_t *line);
/*
 * The name of file idx of the DWARF 5 line unit at offset unit of elf's .debug_line, composed as
 * libdw's dwarf_decl_file gives it, into buf; false when it is not read here or does not fit
 * (the caller asks libdw). Only the unit's header is read: no line program is run.
 */
bool linetab_file_name(struct Elf *elf, uint64_t unit, uint64_t idx, char *buf, size_t size);
/* Free it; NULL is fine. */
void linetab_free(struct linetab *t);

#endif
