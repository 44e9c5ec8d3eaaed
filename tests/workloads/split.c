// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * split: a workload that divides its CPU time between three functions by a parameter, for the
 * diff tests (two runs with different splits move work from one function to another).
 *
 *   split A/B/C [SECONDS]
 *
 * One thread runs rounds until SECONDS (default 2) of wall time have passed; each round spends
 * A*m, B*m and C*m steps (A, B, C percentages summing to 100) in a_fn, b_fn and c_fn, all called
 * from main. The multiplier m is drawn from 1 to 8 afresh each round: a round of fixed length
 * (~2.5 ms here) beats against a sampling period near a divisor of it (999 Hz is 1.001 ms), and
 * the samples then land in the same part of the round for seconds, a share off by 5 to 8 points
 * on one machine and not another. Rounds of varying length spread the samples over the round.
 * Every step is the same dependency chain (one multiply, one add per iteration), so the shares of
 * the process's samples in a_fn, b_fn and c_fn are A%, B% and C% (less the little time main spends
 * checking the clock). Built -O2 -fno-omit-frame-pointer with each function noipa and given a
 * frame, so a frame-pointer unwinder sees main under each of them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define SPLIT_STEP	   (1UL << 14) /* iterations per step */
#define SPLIT_NOIPA	   __attribute__((noipa))
#define SPLIT_KEEP_FRAME() __asm__ volatile("" : : "r"(__builtin_frame_address(0)))

static volatile uint64_t sink;

static uint64_t SPLIT_NOIPA
a_fn(uint64_t x, unsigned steps)
{
	SPLIT_KEEP_FRAME();
	for (uint64_t i = 0; i < steps * SPLIT_STEP; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

static uint64_t SPLIT_NOIPA
b_fn(uint64_t x, unsigned steps)
{
	SPLIT_KEEP_FRAME();
	for (uint64_t i = 0; i < steps * SPLIT_STEP; i++)
		x = x * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL;
	return x;
}

static uint64_t SPLIT_NOIPA
c_fn(uint64_t x, unsigned steps)
{
	SPLIT_KEEP_FRAME();
	for (uint64_t i = 0; i < steps * SPLIT_STEP; i++)
		x = x * 2862933555777941757ULL + 3037000493ULL;
	return x;
}

static double
split_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	unsigned a, b, c;
	double seconds = 2, end;
	uint64_t x = 1, rng = 0x9e3779b97f4a7c15ULL;
	unsigned m;

	if (argc < 2 || argc > 3 || sscanf(argv[1], "%u/%u/%u", &a, &b, &c) != 3 ||
	    a + b + c != 100 || (argc == 3 && (seconds = atof(argv[2])) <= 0)) {
		fprintf(stderr, "usage: split A/B/C [SECONDS]   (A+B+C = 100)\n");
		return 2;
	}
	end = split_now() + seconds;
	while (split_now() < end) {
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		m = 1 + (unsigned)(rng >> 61);
		x = a_fn(x, a * m);
		x = b_fn(x, b * m);
		x = c_fn(x, c * m);
		__asm__ volatile("" : "+r"(x));
	}
	sink = x;
	return 0;
}
