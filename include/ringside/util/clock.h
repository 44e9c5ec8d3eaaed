/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one clock: CLOCK_MONOTONIC in nanoseconds, the clock the sampled records carry
 * (perf/sampler sets use_clockid to it), so times read here and times in records compare.
 */
#ifndef RINGSIDE_UTIL_CLOCK_H
#define RINGSIDE_UTIL_CLOCK_H

#include <stdint.h>

/* Now on CLOCK_MONOTONIC, in ns. */
uint64_t clock_now_ns(void);
/* Now on CLOCK_MONOTONIC_COARSE (a tick's precision, no system call's cost), in ns. */
uint64_t clock_coarse_ns(void);

#endif
