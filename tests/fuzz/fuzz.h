/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One fuzz target per parser of outside input. Each tests/fuzz/fuzz_X.c is built two ways: with
 * clang and libFuzzer (configure --enable-fuzzing; make fuzz) its entry points are libFuzzer's,
 * and in every build it is also compiled into tests/unit/test_fuzzreplay with -DFUZZ_REPLAY,
 * where they are named fuzz_X_one / fuzz_X_init so that all targets live in one binary that
 * replays the seed corpora and the inputs that once crashed (tests/data/fuzz*) under make check.
 */
#ifndef RINGSIDE_TESTS_FUZZ_H
#define RINGSIDE_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#ifdef FUZZ_REPLAY
#define FUZZ_ONE(name)	fuzz_##name##_one
#define FUZZ_INIT(name) fuzz_##name##_init
#else
#define FUZZ_ONE(name)	LLVMFuzzerTestOneInput
#define FUZZ_INIT(name) LLVMFuzzerInitialize
#endif

/* Declares the two entry points of target name (define them right after). */
#define FUZZ_TARGET(name)                                                                          \
	int FUZZ_ONE(name)(const uint8_t *data, size_t size);                                      \
	int FUZZ_INIT(name)(int *argc, char ***argv)

/* A NUL-terminated copy of data (the caller frees it). */
char *fuzz_cstr(const uint8_t *data, size_t size);

#endif
