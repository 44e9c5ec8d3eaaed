// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libhot: the known call tree's one function that lives in a shared library of its own, so that a
 * profile must name a frame from a module other than the executable (libhot.so, found through the
 * executable's $ORIGIN rpath).
 */
#ifndef RINGSIDE_TESTS_LIBHOT_H
#define RINGSIDE_TESTS_LIBHOT_H

#include <stdint.h>

/*
 * Step the linear congruential generator x n times and return the result: one multiply and one add
 * on a single dependency chain per step, the same cost per step as every loop in calltree, so that
 * shares of CPU time follow iteration counts.
 */
uint64_t hot_mix(uint64_t x, uint64_t n);

#endif
