/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Files the user names, read whole into memory with a bound: only a regular file is read (a FIFO
 * or a device given where a file is expected is refused before a byte is read, so /dev/zero or a
 * pipe fed forever cannot grow memory without end), and never more than a stated size. The size
 * is checked with fstat on the opened descriptor, not on the path, and at most max + 1 bytes are
 * read, so a file that grows while it is read, or whose size lies, is still bounded. Callers word
 * the messages, since they know what the file was meant to be and what to do instead.
 */
#ifndef RINGSIDE_UTIL_INFILE_H
#define RINGSIDE_UTIL_INFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Read the regular file at path, of at most max bytes, into *buf (the caller's, NUL-terminated,
 * *len bytes). Returns 0; -errno when it cannot be opened or read (-EISDIR for a directory);
 * -ESPIPE when it is not a regular file (*mode says what it is); -EFBIG when it holds more than
 * max bytes (*size gets its size, or max + 1 when it grew while read). mode and size may be NULL.
 */
int infile_read(const char *path, size_t max, char **buf, size_t *len, mode_t *mode,
		uint64_t *size);
/* What a file of this mode is, with its article: "a FIFO", "a character device", ... */
const char *infile_kind(mode_t mode);
/* A size for people: "512 bytes", "1.0 MiB", "5.0 GiB", into buf. Returns buf. */
const char *infile_size_str(uint64_t bytes, char *buf, size_t bufsz);

#endif
