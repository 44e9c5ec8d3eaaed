// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * jitmap: a fake JIT. It copies a tiny machine-code loop into an anonymous executable mapping at
 * a few places, names them in /tmp/perf-PID.map (the perf JIT map format that Python 3.12 -X perf,
 * Node --perf-basic-prof and JVM agents write: "START SIZE name" lines, hex, no 0x) and spends
 * SECONDS of wall time calling them:
 *
 *   jitmap SECONDS [--wait-fifo PATH] [--keep-map]
 *
 *   jit_hot_loop                     7 steps of 10 in the first half
 *   <img src=x onerror=alert(1)>     2 of 10 (a hostile name, for the HTML escaping tests)
 *   jit_cold_loop                    1 of 10
 *   jit_late_loop                    from half time on, appended to the map only then (so a
 *                                    profiler must reread a map that grows); as many steps as
 *                                    jit_hot_loop from then on
 *
 * The JIT code keeps a frame (push %rbp; mov %rsp,%rbp), so frame-pointer stacks read
 * main -> jitmap_run -> jit_hot_loop. The mapping is written while RW, then made RX with
 * mprotect (never writable and executable at once; the kernel reports it in an MMAP2 record when
 * it becomes executable). The map file is removed at exit, on SIGTERM/SIGINT too, unless
 * --keep-map. With --wait-fifo, the process first blocks until a line can be read from PATH (the
 * code and the map already exist then). x86-64 only: elsewhere it says so and exits 3.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

#define JIT_SLOT  64	      /* bytes between functions */
#define JIT_STEPS (1UL << 18) /* loop iterations per step */

/*
 * uint64_t f(uint64_t x, uint64_t n), n > 0:
 *	push %rbp; mov %rsp,%rbp; mov %rdi,%rax
 *   1:	imul $0x4c957f2d,%rax,%rax; add $1,%rax; sub $1,%rsi; jne 1b
 *	pop %rbp; ret
 */
static const unsigned char jitmap_code[] = {
	0x55, 0x48, 0x89, 0xe5, 0x48, 0x89, 0xf8, 0x48, 0x69, 0xc0, 0x2d, 0x7f, 0x95,
	0x4c, 0x48, 0x83, 0xc0, 0x01, 0x48, 0x83, 0xee, 0x01, 0x75, 0xef, 0x5d, 0xc3,
};

typedef uint64_t (*jitmap_fn)(uint64_t x, uint64_t n);

struct jitmap_func {
	const char *name;
	unsigned steps; /* per round */
	jitmap_fn fn;
};

static struct jitmap_func funcs[] = {
	{ "jit_hot_loop", 7, NULL },
	{ "<img src=x onerror=alert(1)>", 2, NULL },
	{ "jit_cold_loop", 1, NULL },
	{ "jit_late_loop", 7, NULL }, /* named and called from half time on */
};
#define JITMAP_NFUNCS 4
#define JITMAP_LATE   3

static char map_path[64];
static volatile sig_atomic_t stop;
static volatile uint64_t sink;

static void
usage(void)
{
	fprintf(stderr, "usage: jitmap SECONDS [--wait-fifo PATH] [--keep-map]\n");
	exit(2);
}

static void
die(const char *what, int err)
{
	fprintf(stderr, "jitmap: %s: %s\n", what, strerror(err));
	if (map_path[0])
		unlink(map_path);
	exit(1);
}

static void
jitmap_on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Append the lines for funcs[first, last) to the map file (created when first is 0). */
static void
jitmap_write_map(unsigned char *code, size_t first, size_t last)
{
	FILE *f = fopen(map_path, first == 0 ? "w" : "a");

	if (!f)
		die(map_path, errno);
	for (size_t i = first; i < last; i++)
		fprintf(f, "%lx %zx %s\n", (unsigned long)(uintptr_t)(code + i * JIT_SLOT),
			sizeof(jitmap_code), funcs[i].name);
	if (fclose(f) != 0)
		die(map_path, errno);
}

static double
jitmap_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One round: every live function for its steps. */
static __attribute__((noinline)) uint64_t
jitmap_run(uint64_t x, size_t nlive)
{
	for (size_t i = 0; i < nlive; i++)
		for (unsigned s = 0; s < funcs[i].steps; s++)
			x = funcs[i].fn(x, JIT_STEPS);
	__asm__ volatile("" : "+r"(x));
	return x;
}

int
main(int argc, char **argv)
{
	const char *fifo = NULL;
	int have_seconds = 0, keep_map = 0;
	double seconds = 0, t0;
	struct sigaction sa;
	unsigned char *code;
	size_t len, nlive = JITMAP_LATE;
	uint64_t x = 1;
	char *end;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--wait-fifo") == 0 && i + 1 < argc) {
			fifo = argv[++i];
		} else if (strcmp(a, "--keep-map") == 0) {
			keep_map = 1;
		} else if (!have_seconds && ((a[0] >= '0' && a[0] <= '9') || a[0] == '.')) {
			errno = 0;
			seconds = strtod(a, &end);
			if (errno || *end || seconds < 0)
				usage();
			have_seconds = 1;
		} else {
			usage();
		}
	}
	if (!have_seconds)
		usage();
#if !defined(__x86_64__)
	fprintf(stderr, "jitmap: the fake JIT code is x86-64 machine code; not on this machine\n");
	return 3;
#endif
	len = (size_t)sysconf(_SC_PAGESIZE);
	code = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		die("mmap", errno);
	memset(code, 0xcc, len); /* int3 between the functions */
	for (size_t i = 0; i < JITMAP_NFUNCS; i++) {
		memcpy(code + i * JIT_SLOT, jitmap_code, sizeof(jitmap_code));
		funcs[i].fn = (jitmap_fn)(uintptr_t)(code + i * JIT_SLOT);
	}
	if (mprotect(code, len, PROT_READ | PROT_EXEC) != 0)
		die("mprotect", errno);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = jitmap_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	snprintf(map_path, sizeof(map_path), "/tmp/perf-%d.map", (int)getpid());
	jitmap_write_map(code, 0, JITMAP_LATE);
	if (fifo)
		workload_wait_fifo("jitmap", fifo);

	t0 = jitmap_now();
	while (!stop) {
		double t = jitmap_now() - t0;

		if (t >= seconds)
			break;
		if (nlive == JITMAP_LATE && t >= seconds / 2) {
			jitmap_write_map(code, JITMAP_LATE, JITMAP_NFUNCS);
			nlive = JITMAP_NFUNCS;
		}
		x = jitmap_run(x, nlive);
	}
	sink = x;
	if (!keep_map)
		unlink(map_path);
	munmap(code, len);
	return 0;
}
