/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What is profiled: the whole system (all or some CPUs), running processes (every thread, and the
 * threads they start later through inherited events), or a command that ringside launches. A
 * launched command waits on a pipe until its events are open, then execs (never through a shell),
 * as the invoking user when ringside runs under sudo.
 */
#ifndef RINGSIDE_PERF_TARGET_H
#define RINGSIDE_PERF_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ringside/util/cpulist.h"
#include "ringside/util/errbuf.h"

enum target_kind {
	TARGET_SYSTEM,	/* every CPU in cpus */
	TARGET_PIDS,	/* the processes in pids */
	TARGET_COMMAND, /* argv, launched by target_launch */
};

struct target {
	enum target_kind kind;
	struct cpulist cpus; /* TARGET_SYSTEM: the CPUs counted */
	pid_t *pids; /* TARGET_PIDS: the processes; TARGET_COMMAND: the child, once launched */
	size_t npids;
	char **argv; /* TARGET_COMMAND: borrowed, NULL-terminated */
	int go_fd;   /* TARGET_COMMAND: write end of the start pipe, -1 after start */
	int err_fd;  /* TARGET_COMMAND: read end of the exec-error pipe */
	bool child_running;
	int child_status; /* wait status once reaped */
	int output_fd;	  /* TARGET_COMMAND: stdout and stderr go to this file (borrowed), stdin
			     from /dev/null (the live screen owns the terminal); -1: inherited */
	bool output_keeps_stdin; /* with output_fd: stdin is inherited (record's captured output) */
	int error_fd; /* with output_fd: stderr goes here instead (borrowed); -1: with stdout */
	char *note;   /* TARGET_PIDS: the PIDs left out and why (zombies), for the user; or NULL */
};

/* What /proc/PID/stat says of a process. */
struct target_proc {
	char comm[64]; /* its name, as ps shows it */
	char state;    /* 'R', 'S', 'D', 'Z' (zombie), ... */
	pid_t ppid;
	bool kthread; /* PF_KTHREAD: a kernel thread, with no user space */
	bool zombie;  /* every thread has exited; only its exit status waits for the parent */
};

/* A system-wide target on every online CPU, or on the CPUs in cpus_text ("0-3,8"). */
int target_init_system(struct target *t, const char *cpus_text, struct errbuf *err);
/*
 * A target of processes "PID[,PID...]"; each must exist. Zombies are left out, and t->note says
 * so; when every PID is a zombie there is nothing to record. Returns 0, -EINVAL or -ESRCH with err.
 */
int target_init_pids(struct target *t, const char *pids_text, struct errbuf *err);
/* A command target; argv is borrowed and must outlive t. */
void target_init_command(struct target *t, char **argv);

/*
 * Fork the command stopped before exec (it waits on the start pipe), so that events can be opened
 * on it with enable_on_exec. Returns 0 or -errno with err.
 */
int target_launch(struct target *t, struct errbuf *err);
/*
 * Let the launched command exec. Returns 0, or -errno when exec failed (err says why; the child
 * has been reaped).
 */
int target_start(struct target *t, struct errbuf *err);
/* Reap the child if it exited (non-blocking); returns true when it is gone. */
bool target_reap(struct target *t);
/* Ask a still-running launched command to stop (SIGTERM), then reap it. */
void target_stop_child(struct target *t);

/*
 * When ringside runs as root under sudo (SUDO_UID and SUDO_GID set, SUDO_UID not 0), the invoking
 * user's IDs, whom a launched command runs as: true and *uid, *gid set; false otherwise.
 */
bool target_sudo_ids(uid_t *uid, gid_t *gid);

/* Read what /proc says of process pid into *p. Returns 0, -ESRCH (no such process) or -errno. */
int target_proc_read(pid_t pid, struct target_proc *p);
/* The thread IDs of process pid from /proc/PID/task; returns the count, or -errno. *tids is the
 * caller's. */
int target_threads(pid_t pid, pid_t **tids);
/* A one-line description ("system-wide, CPUs 0-1", "PID 123", "command: ls -l"); the caller's. */
char *target_describe(const struct target *t);
/* The kind as a word: "system", "pids", "command". */
const char *target_kind_name(enum target_kind kind);
/* Release what t owns; a still-running child is left alone. */
void target_fini(struct target *t);

#endif
