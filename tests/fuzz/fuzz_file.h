/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For parsers that read a file by path (kallsyms, JIT maps): the input is put in a memfd, named
 * through /proc/self/fd, so the real loading code runs on it.
 */
#ifndef RINGSIDE_TESTS_FUZZ_FILE_H
#define RINGSIDE_TESTS_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>

/* Replace the content of a memfd (created on first use) with data; returns its path, or NULL. */
const char *fuzz_file_put(int *fd, char *path, size_t pathlen, const uint8_t *data, size_t size);

#endif
