// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Monotonic time in nanoseconds, precise or coarse.
 */
#include <time.h>

#include "ringside/util/clock.h"

static uint64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
clock_now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t
clock_coarse_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}
