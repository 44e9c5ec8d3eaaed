/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel symbols from /proc/kallsyms: the text symbols (types t, T, w, W and the like), sorted by
 * address, each covering [address, next symbol's address), with the kernel module it belongs to.
 * Under kptr_restrict every address reads as zero: the table is then "restricted" and empty,
 * so callers can say so once instead of showing garbage. The names live in a read-only mapping
 * of an unlinked temporary file on disk when one can be made and they pass 64 KiB (else in the
 * heap): only the pages lookups read are resident, until kallsyms_trim.
 */
#ifndef RINGSIDE_SYM_KALLSYMS_H
#define RINGSIDE_SYM_KALLSYMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kallsyms;

struct kallsyms_sym {
	uint64_t addr;
	const char *name;   /* borrowed from the table */
	const char *module; /* "[kernel]" or the module in brackets: "[ext4]" (borrowed) */
};

/*
 * Load a file in /proc/kallsyms format (path NULL: /proc/kallsyms) into *out, the caller's.
 * Returns 0, or -errno when the file cannot be read (-EINVAL when it holds no symbol line).
 */
int kallsyms_load(const char *path, struct kallsyms **out);
/* Free the table; NULL is fine. */
void kallsyms_free(struct kallsyms *ks);
/* True when every address in the file was zero (kptr_restrict): no symbol is usable. */
bool kallsyms_restricted(const struct kallsyms *ks);
/* Number of text symbols kept (aliases at one address count once). */
size_t kallsyms_count(const struct kallsyms *ks);
/* The text symbol covering addr into *out; false when none does (before the first, in data). */
bool kallsyms_find(const struct kallsyms *ks, uint64_t addr, struct kallsyms_sym *out);
/* Bytes held, for memory accounting: in the heap and mapped (kallsyms_mapped of them). */
size_t kallsyms_memory(const struct kallsyms *ks);
/* Bytes of names mapped from the temporary file (the rest is heap); 0 when they are in the heap. */
size_t kallsyms_mapped(const struct kallsyms *ks);
/* The mapped names' bytes resident in this process now into *out (0 when none mapped); 0 or -errno.
 */
int kallsyms_resident(const struct kallsyms *ks, size_t *out);
/* Give the mapped names' pages back (re-read from the file on the next lookup); names stay valid.
 */
void kallsyms_trim(struct kallsyms *ks);

#endif
