// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * execer: a task that exits and a task that execs, with known names, for the scheduler timeline's
 * task tracking:
 *
 *   execer [--spin-ms MS] [--wait-fifo PATH] [--thread-exec]
 *
 * The process forks two children, one after the other:
 *   - the exiter renames itself "rs-exiter" (prctl PR_SET_NAME), busy-loops MS milliseconds
 *     (default 100) and exits 0;
 *   - the exec'er renames itself "rs-preexec", busy-loops MS ms, then execs this same program
 *     (the file /proc/self/exe names) with the hidden argument "--execed MS": after the exec its
 *     comm is the program file's name ("execer"), it busy-loops MS ms more under that name and
 *     exits 0.
 * The parent waits for each child before forking the next, then prints on stdout
 *
 *   execer: exiter TID rs-exiter cpu_ns NS; execed TID NEWCOMM cpu_ns NS
 *
 * where NEWCOMM is the comm the exec'd image read from /proc/self/comm (so a test needs not guess
 * the kernel's rule for it) and NS each child's CPU time (user + system, from wait4(2): what a
 * scheduler trace should find as its run time, however busy the machine), and exits 0 (1 if a
 * child failed). With --wait-fifo, the process first blocks until a line can be read from PATH.
 * With --thread-exec, the exec'er's exec is called by a second thread ("rs-thexec", which spins
 * MS ms first) while the first one sleeps: the exec'd image runs under the first thread's TID and
 * the calling thread's TID is no more. The line then ends with "; thread TID" (that thread's).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "workload.h"

static volatile uint64_t sink;

static void
usage(void)
{
	fprintf(stderr, "usage: execer [--spin-ms MS] [--wait-fifo PATH] [--thread-exec]\n");
	exit(2);
}

static void
die(const char *what)
{
	fprintf(stderr, "execer: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long
parse_positive(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		usage();
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0)
		usage();
	return v;
}

static long long
now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Busy-loop for ms milliseconds of wall time (the vDSO clock: no system calls). */
static void
spin_ms(long ms)
{
	long long end = now_ns() + ms * 1000000LL;
	uint64_t x = (uint64_t)end;

	do {
		for (int i = 0; i < 4096; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		sink = x;
	} while (now_ns() < end);
}

/* Wait for child pid, setting *cpu_ns to its CPU time; 0 when it exited 0. */
static int
reap(pid_t pid, long long *cpu_ns)
{
	struct rusage ru;
	int status;

	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	*cpu_ns = ((long long)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000LL +
		  ((long long)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000LL;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

struct exec_args {
	const char *self, *ms_arg;
	long ms;
	int tid_fd; /* the thread's TID is written there before its exec */
};

/* The thread that execs: names itself, spins, says its TID, then execs (ending the process's
 * other thread). */
static void *
exec_thread(void *arg)
{
	const struct exec_args *a = arg;
	char line[32];
	int len;

	prctl(PR_SET_NAME, "rs-thexec", 0, 0, 0);
	spin_ms(a->ms);
	len = snprintf(line, sizeof(line), "%ld\n", (long)syscall(SYS_gettid));
	if (write(a->tid_fd, line, (size_t)len) != len)
		die("reporting the thread");
	execl(a->self, "execer", "--execed", a->ms_arg, (char *)NULL);
	die(a->self);
	return NULL;
}

int
main(int argc, char **argv)
{
	const char *fifo = NULL;
	char self[PATH_MAX], ms_arg[32], comm[32] = "";
	int pfd[2], tfd[2], bad = 0;
	bool thread_exec = false;
	long thread_tid = 0;
	long ms = 100;
	long long exiter_ns, execed_ns;
	pid_t exiter, execed;
	ssize_t n;

	if (argc == 3 && strcmp(argv[1], "--execed") == 0) {
		/* The exec'd image: tell the parent the new comm (fd 3 is the pipe), then work. */
		int fd = open("/proc/self/comm", O_RDONLY);

		n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
		if (n <= 0 || write(3, comm, (size_t)n) != n)
			die("reporting the comm");
		close(3);
		spin_ms(parse_positive(argv[2]));
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--wait-fifo") == 0 && i + 1 < argc)
			fifo = argv[++i];
		else if (strcmp(argv[i], "--spin-ms") == 0 && i + 1 < argc)
			ms = parse_positive(argv[++i]);
		else if (strcmp(argv[i], "--thread-exec") == 0)
			thread_exec = true;
		else
			usage();
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die("/proc/self/exe");
	self[n] = '\0';
	snprintf(ms_arg, sizeof(ms_arg), "%ld", ms);
	if (fifo)
		workload_wait_fifo("execer", fifo);

	fflush(stdout);
	exiter = fork();
	if (exiter < 0)
		die("fork");
	if (exiter == 0) {
		prctl(PR_SET_NAME, "rs-exiter", 0, 0, 0);
		spin_ms(ms);
		_exit(0);
	}
	bad |= reap(exiter, &exiter_ns);

	if (pipe(pfd) != 0 || pipe(tfd) != 0)
		die("pipe");
	execed = fork();
	if (execed < 0)
		die("fork");
	if (execed == 0) {
		close(pfd[0]);
		if (dup2(pfd[1], 3) != 3)
			die("dup2");
		prctl(PR_SET_NAME, "rs-preexec", 0, 0, 0);
		close(tfd[0]);
		if (thread_exec) {
			struct exec_args a = { self, ms_arg, ms, tfd[1] };
			pthread_t th;

			if ((errno = pthread_create(&th, NULL, exec_thread, &a)) != 0)
				die("pthread_create");
			for (;;)
				pause(); /* until the thread's exec ends this thread */
		}
		spin_ms(ms);
		execl(self, "execer", "--execed", ms_arg, (char *)NULL);
		die(self);
	}
	close(pfd[1]);
	close(tfd[1]);
	if (thread_exec) {
		char line[32];

		n = read(tfd[0], line, sizeof(line) - 1);
		line[n > 0 ? n : 0] = '\0';
		thread_tid = strtol(line, NULL, 10);
	}
	close(tfd[0]);
	n = read(pfd[0], comm, sizeof(comm) - 1);
	comm[n > 0 ? n : 0] = '\0';
	comm[strcspn(comm, "\n")] = '\0';
	close(pfd[0]);
	bad |= reap(execed, &execed_ns);

	printf("execer: exiter %ld rs-exiter cpu_ns %lld; execed %ld %s cpu_ns %lld", (long)exiter,
	       exiter_ns, (long)execed, comm[0] ? comm : "?", execed_ns);
	if (thread_exec)
		printf("; thread %ld", thread_tid);
	printf("\n");
	return bad;
}
