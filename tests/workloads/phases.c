// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * phases: a workload whose profile changes over time, for the time range tests.
 *
 *   phases [A [B [C]]]
 *
 * For A seconds (default 2) the main thread spins in phase_a, then for B seconds (default 2) in
 * phase_b, then for C seconds (default 2) a second thread ("ph-worker") spins in phase_a while
 * the main thread spins in phase_b. Each function is its own frame under main (or the worker's
 * start), so the tree of a range of the first phase holds only phase_a, of the second only
 * phase_b, and a range across both splits them in proportion to the time it spends in each. On
 * stderr, each phase's start is printed in seconds since the program started ("phases: b at
 * 2.000 s"), for tests that align the workload's clock with a recording's.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define PHASES_NOIPA	    __attribute__((noipa))
#define PHASES_KEEP_FRAME() __asm__ volatile("" : : "r"(__builtin_frame_address(0)))

static double phases_t0;

static double
phases_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t PHASES_NOIPA
phase_a(double until)
{
	uint64_t x = 1;

	PHASES_KEEP_FRAME();
	while (phases_now() < until)
		for (int i = 0; i < 4096; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	return x;
}

static uint64_t PHASES_NOIPA
phase_b(double until)
{
	uint64_t x = 2;

	PHASES_KEEP_FRAME();
	while (phases_now() < until)
		for (int i = 0; i < 4096; i++)
			x = x * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL;
	return x;
}

static void *
phases_worker(void *arg)
{
	volatile uint64_t x = phase_a(*(double *)arg);

	(void)x;
	return NULL;
}

int
main(int argc, char **argv)
{
	double a = argc > 1 ? atof(argv[1]) : 2, b = argc > 2 ? atof(argv[2]) : 2,
	       c = argc > 3 ? atof(argv[3]) : 2, end;
	volatile uint64_t x;
	pthread_t th;

	if (argc > 4 || a < 0 || b < 0 || c < 0) {
		fprintf(stderr, "usage: phases [A [B [C]]]   (seconds of each phase)\n");
		return 2;
	}
	phases_t0 = phases_now();
	fprintf(stderr, "phases: a at %.3f s\n", 0.0);
	x = phase_a(phases_t0 + a);
	fprintf(stderr, "phases: b at %.3f s\n", phases_now() - phases_t0);
	x = phase_b(phases_t0 + a + b);
	fprintf(stderr, "phases: both at %.3f s\n", phases_now() - phases_t0);
	end = phases_t0 + a + b + c;
	if (c > 0) {
		if (pthread_create(&th, NULL, phases_worker, &end) != 0)
			return 1;
		pthread_setname_np(th, "ph-worker");
		x = phase_b(end);
		pthread_join(th, NULL);
	}
	fprintf(stderr, "phases: end at %.3f s\n", phases_now() - phases_t0);
	(void)x;
	return 0;
}
