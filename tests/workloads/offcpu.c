// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * offcpu: a workload with known off-CPU time. Three threads run for SECONDS (default 2):
 *   sleeper  works ~1 ms, then sleeps 9 ms in nanosleep() under wait_here(), over and over;
 *   reader   blocks in read() on a pipe under read_here(); main writes a byte every 20 ms;
 *   spinner  spins and never blocks.
 * Each thread measures itself with CLOCK_MONOTONIC and prints, when it ends, one line
 *   NAME tid=TID life_ns=N blocked_ns=N
 * (blocked_ns: the time spent inside nanosleep or read, from call to return), so a test compares
 * a profiler's off-CPU time under wait_here and read_here, and each thread's on+off time, with
 * what the thread saw itself.
 *
 *   offcpu [SECONDS] [--rival]
 *
 * With --rival, a fourth thread ("rival") spins too, and it and the spinner are both pinned to the
 * last CPU: the scheduler then has to preempt the spinner for about half its life (R), however
 * quiet the machine, so a test can look for its preempted time instead of hoping for some.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double seconds = 2.0;
static int pipefd[2];
static volatile int stop;
static volatile uint64_t sink;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
report(const char *name, uint64_t start, uint64_t blocked)
{
	printf("%s tid=%ld life_ns=%llu blocked_ns=%llu\n", name, (long)syscall(SYS_gettid),
	       (unsigned long long)(now_ns() - start), (unsigned long long)blocked);
	fflush(stdout);
}

static void
burn(uint64_t ns)
{
	uint64_t end = now_ns() + ns;

	while (now_ns() < end)
		sink++;
}

/*
 * The system call made right here, not through libc: libc has no frame pointers, so a frame-pointer
 * stack taken in its nanosleep or read would skip the function that called it.
 */
static long
raw_syscall3(long nr, long a, long b, long c)
{
#if defined(__x86_64__)
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	if (ret < 0) {
		errno = (int)-ret;
		return -1;
	}
	return ret;
#else
	return syscall(nr, a, b, c);
#endif
}

__attribute__((noinline)) static uint64_t
wait_here(void)
{
	struct timespec ts = { 0, 9000000 };
	uint64_t t0 = now_ns();

	while (raw_syscall3(SYS_nanosleep, (long)&ts, (long)&ts, 0) < 0 && errno == EINTR)
		;
	__asm__ volatile("" ::: "memory");
	return now_ns() - t0;
}

__attribute__((noinline)) static uint64_t
read_here(char *c, ssize_t *n)
{
	uint64_t t0 = now_ns();

	while ((*n = raw_syscall3(SYS_read, pipefd[0], (long)c, 1)) < 0 && errno == EINTR)
		;
	__asm__ volatile("" ::: "memory");
	return now_ns() - t0;
}

static void *
sleeper(void *arg)
{
	uint64_t start = now_ns(), end = start + (uint64_t)(seconds * 1e9), blocked = 0;

	(void)arg;
	pthread_setname_np(pthread_self(), "sleeper");
	while (now_ns() < end) {
		burn(1000000);
		blocked += wait_here();
	}
	report("sleeper", start, blocked);
	return NULL;
}

static void *
reader(void *arg)
{
	uint64_t start = now_ns(), blocked = 0;
	ssize_t n;
	char c;

	(void)arg;
	pthread_setname_np(pthread_self(), "reader");
	for (;;) {
		blocked += read_here(&c, &n);
		if (n != 1 || c == 'q')
			break;
	}
	report("reader", start, blocked);
	return NULL;
}

/* Pin the calling thread to the machine's last CPU. */
static void
pin_last_cpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(n > 1 ? (int)n - 1 : 0, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *
rival(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "rival");
	pin_last_cpu();
	while (!stop)
		sink++;
	return NULL;
}

static void *
spinner(void *arg)
{
	uint64_t start = now_ns();

	pthread_setname_np(pthread_self(), "spinner");
	if (arg)
		pin_last_cpu();
	while (!stop)
		sink++;
	report("spinner", start, 0);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t t[4];
	uint64_t end;
	int rivals = argc > 2 && strcmp(argv[2], "--rival") == 0;

	if (argc > 3 || (argc > 1 && (seconds = atof(argv[1])) <= 0) || (argc > 2 && !rivals)) {
		fprintf(stderr, "usage: offcpu [SECONDS] [--rival]\n");
		return 2;
	}
	if (pipe(pipefd) < 0) {
		fprintf(stderr, "offcpu: pipe: %s\n", strerror(errno));
		return 1;
	}
	end = now_ns() + (uint64_t)(seconds * 1e9);
	pthread_create(&t[0], NULL, sleeper, NULL);
	pthread_create(&t[1], NULL, reader, NULL);
	pthread_create(&t[2], NULL, spinner, rivals ? &rivals : NULL);
	if (rivals)
		pthread_create(&t[3], NULL, rival, NULL);
	while (now_ns() < end) {
		struct timespec ts = { 0, 20000000 };

		nanosleep(&ts, NULL);
		if (write(pipefd[1], "x", 1) != 1)
			break;
	}
	if (write(pipefd[1], "q", 1) != 1)
		return 1;
	stop = 1;
	for (int i = 0; i < 3 + rivals; i++)
		pthread_join(t[i], NULL);
	return 0;
}
