// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * evmix: one thread with three known sites, each the source of one kind of event, for tests that
 * sample several events at once. For SECONDS (default 2) it repeats:
 *   fault_here   maps 64 fresh anonymous pages (transparent huge pages off) and writes a byte to
 *                each: 64 minor page faults, all under fault_here;
 *   switch_here  sleeps 50 us in nanosleep, 50 times: 50 voluntary context switches under it
 *                (a raw system call, x86-64 only: the switch's user address is in switch_here);
 *   spin_here    spins for 16 ms: nearly all the CPU time, no fault, no switch of its own (a
 *                preemption by another task is the only one it may see).
 * At the end it prints "evmix faults=N switches=N" with the counts it caused.
 *
 *   evmix [SECONDS]
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define EVMIX_PAGES    64
#define EVMIX_SLEEPS   50
#define EVMIX_SPIN_NS  16000000ull
#define EVMIX_SLEEP_NS 50000

static volatile unsigned long sink;

static unsigned long long
now_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

__attribute__((noinline)) static unsigned
fault_here(size_t page)
{
	size_t len = EVMIX_PAGES * page;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("evmix: mmap");
		exit(1);
	}
	madvise(p, len, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < EVMIX_PAGES; i++)
		p[i * page] = (char)i;
	munmap(p, len);
	__asm__ volatile("" ::: "memory");
	return EVMIX_PAGES;
}

/*
 * nanosleep as a raw system call from this function, so that its user-space address is here:
 * glibc's wrapper has no frame pointer, and a frame-pointer walk from inside it skips its caller.
 */
static inline long
raw_nanosleep(const struct timespec *ts)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"((long)SYS_nanosleep), "D"(ts), "S"(0L)
			 : "rcx", "r11", "memory");
	return ret;
}

__attribute__((noinline)) static unsigned
switch_here(void)
{
	struct timespec ts = { 0, EVMIX_SLEEP_NS };

	for (int i = 0; i < EVMIX_SLEEPS; i++)
		raw_nanosleep(&ts);
	__asm__ volatile("" ::: "memory");
	return EVMIX_SLEEPS;
}

/* Spin for EVMIX_SPIN_NS of wall time, looking at the (vDSO) clock rarely. */
__attribute__((noinline)) static void
spin_here(void)
{
	unsigned long long end = now_ns(CLOCK_MONOTONIC) + EVMIX_SPIN_NS;
	unsigned long x = sink;

	while (now_ns(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 200000; i++)
			x = x * 2862933555777941757ul + 3037000493ul;
	sink = x;
	__asm__ volatile("" ::: "memory");
}

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	unsigned long long end, faults = 0, switches = 0;

	if (seconds <= 0 || seconds > 3600) {
		fprintf(stderr, "usage: evmix [SECONDS]\n");
		return 2;
	}
	end = now_ns(CLOCK_MONOTONIC) + (unsigned long long)(seconds * 1e9);
	while (now_ns(CLOCK_MONOTONIC) < end) {
		faults += fault_here(page);
		switches += switch_here();
		spin_here();
	}
	printf("evmix faults=%llu switches=%llu\n", faults, switches);
	return 0;
}
