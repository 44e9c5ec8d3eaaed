// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * calltree: a workload with a known call tree, for the stack tests and benchmarks.
 *
 *   calltree SECONDS [--iterations N] [--depth D] [--print-time] [--wait-fifo PATH]
 *
 * Two threads stay busy for SECONDS of wall time (or, with --iterations N, each does exactly N
 * rounds of work, whatever the time, for benchmarks that time a fixed amount of work):
 *
 *   main thread:  main -> a -> b                 b's own loop           16 steps of 32
 *                                -> b_leaf                              8 steps of 32
 *                           -> c                 c's own loop            3 steps of 32
 *                                -> c_inl        (always inlined in c)
 *                                   -> hot_mix   (in libhot.so)          5 steps of 32
 *   worker thread ("ct-worker"):
 *                 worker -> w_spin                                       ~96% of the thread
 *                        -> sys_heavy            write(2) to /dev/null   ~4% of the thread, most
 *                                                of it in the kernel, so kernel frames sit above
 *                                                sys_heavy in its samples
 *
 * Every loop is the same single dependency chain (one multiply, one add per step), so a step costs
 * the same CPU time in each function and the shares are set by iteration counts, not by wall time:
 * under main -> a, the path main -> a -> b has 24/32 = 75% of the CPU time and main -> a -> c has
 * 8/32 = 25%. c_inl does no work of its own: it exists only inside c, where DWARF names it, as the
 * frame between c and hot_mix (main;a;c;c_inl;hot_mix), so a profiler without inline frames (perf
 * 6.1 here) and one with them agree on every function's self samples. With both threads on their
 * own CPU (about half the process's samples each), the functions by self samples are:
 *
 *   w_spin ~48%, b ~25%, b_leaf ~12.5%, hot_mix ~7.8%, c ~4.7%, then sys_heavy and the kernel
 *   functions of its system calls, ~2% together, none above ~1%
 *
 * clearly apart, so the top five are the same in every profiler (`perf record -F 999 -g` on the
 * 2-CPU test VM, calltree 3: w_spin 47.7%, b 25.1%, b_leaf 12.6%, hot_mix 7.8%, c 4.7%,
 * do_syscall_64 0.6%; main;a;b 75.2% of main;a). The one share set by measurement is sys_heavy's:
 * the worker times a batch of system calls against a round of w_spin when it starts and makes as
 * many calls per round as fill ~4% of its time.
 *
 * Built -O2 -fno-omit-frame-pointer, with every function of the tree noipa (never inlined, cloned
 * or merged with an identical one, so each keeps its name) and never ending in a tail call. GCC
 * gives a leaf function no frame even with -fno-omit-frame-pointer, and a frame-pointer unwinder
 * then skips the leaf's caller; each leaf here names its frame address (CALLTREE_KEEP_FRAME) so it
 * gets a frame. sys_heavy makes its system call with an inline syscall instruction rather than
 * through libc's wrapper, which is such a frameless leaf too.
 *
 * The same source builds calltree-nofp (with libhot-nofp.so) for the DWARF unwinding tests: -O2
 * -fomit-frame-pointer and -DCALLTREE_NO_FRAMES (no forced leaf frames), the way distributions
 * build, so that no function has a frame-pointer frame and only call frame information finds the
 * callers.
 *
 * --depth D (for the ingest benchmark, which wants deep stacks) puts D nested calls of descend
 * between main and a, and between worker and w_round (which then calls w_spin and sys_heavy):
 * stacks D frames deeper, the same shares. --print-time prints the wall time of the work
 * ("calltree: N rounds in S.SSS s") on stderr at the end. With --wait-fifo, the process first
 * blocks until a line can be read from PATH; the worker thread starts after that.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "libhot.h"
#include "workload.h"

/*
 * Force a frame on a function that calls nothing: an empty asm taking the frame address adds no
 * instruction but the push %rbp; mov %rsp,%rbp. A macro, not a static inline function, because
 * an inlined function would show up in the DWARF inline chains as a frame of its own.
 */
#ifdef CALLTREE_NO_FRAMES
#define CALLTREE_KEEP_FRAME() ((void)0)
#else
#define CALLTREE_KEEP_FRAME() __asm__ volatile("" : : "r"(__builtin_frame_address(0)))
#endif

#define CALLTREE_STEP  (1UL << 15)	      /* iterations per step of a round */
#define CALLTREE_NOIPA __attribute__((noipa)) /* noinline, noclone, no identical-code folding */
#define SYS_SHARE      0.04		      /* sys_heavy's share of the worker's time */

static double seconds;
static unsigned long long rounds; /* 0: run for seconds */
static unsigned depth;		  /* descend frames above a and w_round */
static struct timespec deadline;
static volatile uint64_t sink;
static volatile int stop;
static int devnull = -1;
static unsigned long sys_calls = 64; /* system calls per worker round, set by worker_calibrate */

static void
usage(void)
{
	fprintf(stderr, "usage: calltree SECONDS [--iterations N] [--depth D] [--print-time] "
			"[--wait-fifo PATH]\n");
	exit(2);
}

static void
die(const char *what, int err)
{
	fprintf(stderr, "calltree: %s: %s\n", what, strerror(err));
	exit(1);
}

static int CALLTREE_NOIPA
past_deadline(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

static uint64_t CALLTREE_NOIPA
b_leaf(uint64_t x)
{
	CALLTREE_KEEP_FRAME();
	for (uint64_t i = 0; i < 8 * CALLTREE_STEP; i++)
		x = x * 0xd1342543de82ef95ULL + 0x2545f4914f6cdd1dULL;
	return x;
}

static uint64_t CALLTREE_NOIPA
b(uint64_t x)
{
	for (uint64_t i = 0; i < 16 * CALLTREE_STEP; i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	x = b_leaf(x);
	/* Keep b's frame live after the call: no tail call into b_leaf. */
	__asm__ volatile("" : "+r"(x));
	return x;
}

/* The always-inlined function: it exists only inside c's code, named by DWARF alone. */
static inline __attribute__((always_inline)) uint64_t
c_inl(uint64_t x)
{
	x = hot_mix(x ^ 0x5bd1e995ULL, 5 * CALLTREE_STEP);
	return x + 1;
}

static uint64_t CALLTREE_NOIPA
c(uint64_t x)
{
	for (uint64_t i = 0; i < 3 * CALLTREE_STEP; i++)
		x = x * 0xda942042e4dd58b5ULL + 0x14057b7ef767814fULL;
	x = c_inl(x);
	__asm__ volatile("" : "+r"(x));
	return x;
}

static uint64_t CALLTREE_NOIPA
a(uint64_t x)
{
	x = b(x);
	x = c(x);
	__asm__ volatile("" : "+r"(x));
	return x;
}

static uint64_t CALLTREE_NOIPA
w_spin(uint64_t x, uint64_t n)
{
	CALLTREE_KEEP_FRAME();
	for (uint64_t i = 0; i < n; i++)
		x = x * 0xf1357aea2e62a9c5ULL + 0x9e3779b97f4a7c15ULL;
	return x;
}

/* n one-byte writes to /dev/null, each a system call made right here (no libc wrapper frame). */
static void CALLTREE_NOIPA
sys_heavy(unsigned long n)
{
	static const char byte = 'x';

	CALLTREE_KEEP_FRAME();
	for (unsigned long i = 0; i < n; i++) {
#if defined(__x86_64__)
		long ret;

		__asm__ volatile("syscall"
				 : "=a"(ret)
				 : "0"((long)SYS_write), "D"((long)devnull), "S"(&byte), "d"(1L)
				 : "rcx", "r11", "memory");
		(void)ret;
#else
		syscall(SYS_write, devnull, &byte, 1);
#endif
	}
}

/* One worker round, when --depth puts descend frames above it. */
static uint64_t CALLTREE_NOIPA
w_round(uint64_t x)
{
	x = w_spin(x, 32 * CALLTREE_STEP);
	sys_heavy(sys_calls);
	__asm__ volatile("" : "+r"(x));
	return x;
}

/* d nested frames of descend, then fn. */
static uint64_t CALLTREE_NOIPA
descend(uint64_t x, unsigned d, uint64_t (*fn)(uint64_t))
{
	x = d > 1 ? descend(x, d - 1, fn) : fn(x);
	__asm__ volatile("" : "+r"(x));
	return x;
}

static double
thread_cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * Set sys_calls so that sys_heavy fills SYS_SHARE of a worker round: time one round of w_spin and
 * a batch of system calls (the best of three, as preemption only ever adds time).
 */
static uint64_t CALLTREE_NOIPA
worker_calibrate(uint64_t x)
{
	const unsigned long batch = 512;
	double spin = 1e9, call = 1e9, t0, want;

	for (int i = 0; i < 3; i++) {
		t0 = thread_cpu_s();
		x = w_spin(x, 32 * CALLTREE_STEP);
		if (thread_cpu_s() - t0 < spin)
			spin = thread_cpu_s() - t0;
		t0 = thread_cpu_s();
		sys_heavy(batch);
		if (thread_cpu_s() - t0 < call)
			call = thread_cpu_s() - t0;
	}
	call /= (double)batch;
	want = spin * SYS_SHARE / (1.0 - SYS_SHARE);
	if (call > 0) {
		double n = want / call;

		sys_calls = n < 1 ? 1 : n > 100000 ? 100000 : (unsigned long)n;
	}
	return x;
}

static void *CALLTREE_NOIPA
worker(void *arg)
{
	uint64_t x = (uint64_t)(uintptr_t)arg;

	pthread_setname_np(pthread_self(), "ct-worker");
	x = worker_calibrate(x);
	for (unsigned long long r = 0; rounds ? r < rounds : !stop; r++) {
		if (depth) {
			x = descend(x, depth, w_round);
			continue;
		}
		x = w_spin(x, 32 * CALLTREE_STEP);
		sys_heavy(sys_calls);
	}
	sink = x;
	return NULL;
}

static unsigned long long
parse_ull(const char *s)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		usage();
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	const char *fifo = NULL;
	int have_seconds = 0, print_time = 0, rc;
	unsigned long long done = 0;
	struct timespec t0, t1;
	pthread_t tid;
	uint64_t x = 1;
	char *end;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--wait-fifo") == 0 && i + 1 < argc) {
			fifo = argv[++i];
		} else if (strcmp(arg, "--iterations") == 0 && i + 1 < argc) {
			rounds = parse_ull(argv[++i]);
			if (rounds == 0)
				usage();
		} else if (strcmp(arg, "--depth") == 0 && i + 1 < argc) {
			unsigned long long d = parse_ull(argv[++i]);

			if (d > 1000)
				usage();
			depth = (unsigned)d;
		} else if (strcmp(arg, "--print-time") == 0) {
			print_time = 1;
		} else if (!have_seconds && ((arg[0] >= '0' && arg[0] <= '9') || arg[0] == '.')) {
			errno = 0;
			seconds = strtod(arg, &end);
			if (errno || *end || seconds < 0)
				usage();
			have_seconds = 1;
		} else {
			usage();
		}
	}
	if (!have_seconds)
		usage();
	devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (devnull < 0)
		die("/dev/null", errno);
	if (fifo)
		workload_wait_fifo("calltree", fifo);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	deadline = t0;
	deadline.tv_sec += (time_t)seconds;
	deadline.tv_nsec += (long)((seconds - (double)(time_t)seconds) * 1e9);
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	rc = pthread_create(&tid, NULL, worker, (void *)(uintptr_t)2);
	if (rc != 0)
		die("pthread_create", rc);
	for (; rounds ? done < rounds : !past_deadline(); done++)
		x = depth ? descend(x, depth, a) : a(x);
	stop = 1;
	pthread_join(tid, NULL);
	sink = x;
	if (print_time) {
		clock_gettime(CLOCK_MONOTONIC, &t1);
		fprintf(stderr, "calltree: %llu rounds in %.3f s\n", done,
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9);
	}
	return 0;
}
