/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An inflated copy of a separate debug file whose DWARF sections are compressed (Debian's -dbg
 * and dbgsym packages compress them with zlib), written to an unlinked temporary file on a
 * disk-backed file system. libdw 0.188 inflates every compressed debug section of a file into
 * malloc'd memory the first time it reads any (10 MB for the C library's), where the copy's
 * sections are read through a file mapping instead: pages of the page cache, reclaimable, that
 * the resolver gives back (MADV_DONTNEED) between bursts of lookups. The copy is the same ELF
 * file byte for byte in every section, only laid out anew with the compressed ones inflated, so
 * libdw's answers are the same. Nothing is copied when the file has no zlib-compressed section,
 * is not a native 64-bit ELF file, or when no disk-backed temporary directory has room (a tmpfs
 * copy would hold the same memory, only elsewhere): the caller keeps the original.
 */
#ifndef RINGSIDE_SYM_DEBUGCOPY_H
#define RINGSIDE_SYM_DEBUGCOPY_H

#include <stdint.h>

/*
 * An fd open on the inflated copy of the ELF file open on fd (the caller's to close; fd stays
 * open and is not moved), or a negative errno: -ENODATA when the file has nothing to inflate,
 * -ENOTSUP when it is not read here, -ENOSPC when no disk-backed directory has room.
 */
int debugcopy_open(int fd);
/*
 * An unlinked temporary file (O_RDWR, close-on-exec, the caller's to close) on a disk-backed file
 * system with room for need bytes: TMPDIR, /var/tmp or /tmp, the first that is neither tmpfs nor
 * ramfs; -ENOSPC when none is. Kallsyms keeps its names in one too (kallsyms.c).
 */
int debugcopy_tmpfile(uint64_t need);

#endif
