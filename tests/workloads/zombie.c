// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * zombie: leave a zombie for SECONDS. The process forks a child that exits at once, waits until
 * it has exited without reaping it (waitid with WNOWAIT), prints the child's PID on a line of its
 * own and sleeps; the child stays a zombie until the parent exits.
 *
 *   zombie SECONDS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 0;
	struct timespec ts;
	siginfo_t info;
	pid_t child;

	if (argc != 2 || seconds <= 0) {
		fprintf(stderr, "usage: zombie SECONDS\n");
		return 2;
	}
	child = fork();
	if (child < 0) {
		perror("zombie: fork");
		return 1;
	}
	if (child == 0)
		_exit(0);
	if (waitid(P_PID, (id_t)child, &info, WEXITED | WNOWAIT) < 0) {
		perror("zombie: waitid");
		return 1;
	}
	printf("%d\n", (int)child);
	fflush(stdout);
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0)
		;
	return 0;
}
