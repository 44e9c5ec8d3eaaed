// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hotline: a workload for annotation, with one function whose samples sit on known lines.
 *
 *   hotline SECONDS
 *
 * hot_function runs a hot loop that is one source line (marked HOT-LINE below: a multiply-add
 * dependency chain, 4096 steps per call), a cold branch taken once in 4096 calls (COLD-LINE), and
 * an always-inlined helper, mix_inline, whose loop (INLINE-LINE, 128 steps per call) the line
 * table attributes to the helper's own line, not to the line in hot_function that calls it. The
 * hot line carries ~90% of hot_function's samples. Tests find the line numbers by the markers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

static inline __attribute__((always_inline)) uint64_t
mix_inline(uint64_t x)
{
	for (unsigned k = 0; k < 128; k++) x = (x ^ (x >> 7)) * 0x9e3779b97f4a7c15ull; /* INLINE-LINE */
	return x;
}

static __attribute__((noinline)) uint64_t
hot_function(uint64_t seed, unsigned round)
{
	uint64_t acc = seed;

	for (unsigned i = 0; i < 4096; i++) acc = acc * 6364136223846793005ull + i; /* HOT-LINE */
	if (round % 4096 == 4095)
		acc ^= (uint64_t)time(NULL) << 17; /* COLD-LINE */
	acc = mix_inline(acc); /* CALL-LINE */
	return acc;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	double seconds, end;
	uint64_t acc = 1;

	if (argc != 2 || (seconds = strtod(argv[1], NULL)) <= 0) {
		fprintf(stderr, "usage: hotline SECONDS\n");
		return 2;
	}
	end = now() + seconds;
	for (unsigned round = 0;; round++) {
		acc = hot_function(acc, round);
		if ((round & 255) == 0 && now() >= end)
			break;
	}
	sink = acc;
	return 0;
}
