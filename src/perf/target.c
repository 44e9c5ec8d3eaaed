// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Targets: the whole system, running processes, or a command launched by ringside. A launched
 * command is forked first and waits on a pipe, so its events can be opened with enable_on_exec
 * before it runs; exec errors come back through a close-on-exec pipe.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ringside/perf/target.h"
#include "ringside/util/xalloc.h"

static void
target_zero(struct target *t, enum target_kind kind)
{
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->go_fd = -1;
	t->err_fd = -1;
	t->output_fd = -1;
	t->error_fd = -1;
}

int
target_init_system(struct target *t, const char *cpus_text, struct errbuf *err)
{
	struct cpulist online = { 0 };
	char *have;
	int r;

	target_zero(t, TARGET_SYSTEM);
	r = cpulist_online(&online);
	if (r < 0)
		return errbuf_fail(err, r, "cannot read the online CPUs: %s", strerror(-r));
	if (!cpus_text) {
		t->cpus = online;
		return 0;
	}
	r = cpulist_parse(&t->cpus, cpus_text, err);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < t->cpus.n; i++) {
		if (!cpulist_contains(&online, t->cpus.cpus[i])) {
			have = cpulist_format(&online);
			errbuf_fail(err, -ENODEV,
				    "CPU %d does not exist or is offline; this machine has CPUs %s",
				    t->cpus.cpus[i], have);
			free(have);
			r = -ENODEV;
			goto out;
		}
	}
out:
	cpulist_fini(&online);
	if (r < 0)
		cpulist_fini(&t->cpus);
	return r;
}

static bool
target_pid_exists(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	return access(path, F_OK) == 0;
}

#define TARGET_PF_KTHREAD 0x00200000ul /* the kernel's PF_KTHREAD, in /proc/PID/stat's flags */

/* Parse the stat file at path into *p (all but zombie). Returns 0, -ESRCH or -errno. */
static int
target_stat_read(const char *path, struct target_proc *p)
{
	char buf[1024], *lp, *rp;
	unsigned long flags = 0;
	int ppid = 0;
	size_t n;
	FILE *f;

	memset(p, 0, sizeof(*p));
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? -ESRCH : -errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name may hold spaces and parentheses: it ends at the last ')'. */
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp ||
	    sscanf(rp + 1, " %c %d %*d %*d %*d %*d %lu", &p->state, &ppid, &flags) != 3)
		return n ? -EIO : -ESRCH;
	n = (size_t)(rp - lp - 1);
	if (n >= sizeof(p->comm))
		n = sizeof(p->comm) - 1;
	memcpy(p->comm, lp + 1, n);
	p->comm[n] = '\0';
	p->ppid = (pid_t)ppid;
	p->kthread = (flags & TARGET_PF_KTHREAD) != 0;
	return 0;
}

static bool
target_state_dead(char state)
{
	return state == 'Z' || state == 'X';
}

int
target_proc_read(pid_t pid, struct target_proc *p)
{
	struct target_proc thread;
	char path[96];
	pid_t *tids = NULL;
	int r, n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = target_stat_read(path, p);
	if (r < 0 || !target_state_dead(p->state))
		return r;
	/* A leader that exited alone (pthread_exit) is a zombie while its threads run on. */
	n = target_threads(pid, &tids);
	p->zombie = true;
	for (int i = 0; i < n && p->zombie; i++) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tids[i]);
		if (target_stat_read(path, &thread) == 0 && !target_state_dead(thread.state))
			p->zombie = false;
	}
	free(tids);
	return 0;
}

/*
 * Leave the zombies out of t's PIDs, saying so in t->note; when nothing is left, fail with that
 * line. Returns 0 or -ESRCH with err.
 */
static int
target_leave_zombies(struct target *t, struct errbuf *err)
{
	struct target_proc p;
	char *why = NULL, *next, *rest;
	size_t kept = 0, nzombies = 0;
	pid_t *zombies = xcalloc(t->npids, sizeof(*zombies));

	for (size_t i = 0; i < t->npids; i++) {
		bool again = false;

		if (target_proc_read(t->pids[i], &p) < 0 || !p.zombie) {
			t->pids[kept++] = t->pids[i];
			continue;
		}
		for (size_t k = 0; k < nzombies && !again; k++)
			again = zombies[k] == t->pids[i];
		if (again)
			continue;
		zombies[nzombies] = t->pids[i];
		next = xasprintf("%s%sPID %d is a zombie (exited, not yet reaped by its parent PID "
				 "%d)",
				 why ? why : "", why ? "; " : "", (int)t->pids[i], (int)p.ppid);
		nzombies++;
		free(why);
		why = next;
	}
	free(zombies);
	if (!why)
		return 0;
	if (!kept) {
		errbuf_fail(err, -ESRCH,
			    "%s: nothing to record; record a running process (ps shows them)", why);
		free(why);
		target_fini(t);
		return -ESRCH;
	}
	t->npids = kept;
	rest = target_describe(t);
	t->note = xasprintf("%s: nothing to record of %s; recording %s only", why,
			    nzombies == 1 ? "it" : "them", rest);
	free(rest);
	free(why);
	return 0;
}

int
target_init_pids(struct target *t, const char *pids_text, struct errbuf *err)
{
	const char *p = pids_text;

	target_zero(t, TARGET_PIDS);
	for (;;) {
		char *end;
		long v;

		errno = 0;
		v = strtol(p, &end, 10);
		if (!isdigit((unsigned char)*p) || errno || v <= 0 || v > 0x7fffffff ||
		    (*end && *end != ',') || (*end == ',' && !end[1])) {
			errbuf_fail(err, -EINVAL,
				    "PID list '%s' is malformed; write it like 123 or 123,456",
				    pids_text);
			goto fail;
		}
		if (!target_pid_exists((pid_t)v)) {
			errbuf_fail(err, -ESRCH, "no process with PID %ld; check it with ps", v);
			target_fini(t);
			return -ESRCH;
		}
		t->pids = xreallocarray(t->pids, t->npids + 1, sizeof(pid_t));
		t->pids[t->npids++] = (pid_t)v;
		if (!*end)
			return target_leave_zombies(t, err);
		p = end + 1;
	}
fail:
	target_fini(t);
	return -EINVAL;
}

void
target_init_command(struct target *t, char **argv)
{
	target_zero(t, TARGET_COMMAND);
	t->argv = argv;
}

bool
target_sudo_ids(uid_t *uid, gid_t *gid)
{
	const char *uid_s = getenv("SUDO_UID"), *gid_s = getenv("SUDO_GID");

	if (geteuid() != 0 || !uid_s || !gid_s)
		return false;
	*uid = (uid_t)strtoul(uid_s, NULL, 10);
	*gid = (gid_t)strtoul(gid_s, NULL, 10);
	return *uid != 0;
}

/* Under sudo, drop to the invoking user; returns 0 or -errno. Runs in the child. */
static int
target_drop_to_sudo_user(void)
{
	const char *user = getenv("SUDO_USER");
	uid_t uid;
	gid_t gid;

	if (!target_sudo_ids(&uid, &gid))
		return 0;
	if (user && *user) {
		if (initgroups(user, gid) != 0 && setgroups(0, NULL) != 0)
			return -errno;
	} else if (setgroups(0, NULL) != 0) {
		return -errno;
	}
	if (setgid(gid) != 0 || setuid(uid) != 0)
		return -errno;
	return 0;
}

static _Noreturn void
target_child(struct target *t, int go_rd, int err_wr)
{
	sigset_t none;
	char c = 0;
	int e;

	/* The parent blocks signals for its signalfd; the command must not inherit that. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	while (read(go_rd, &c, 1) < 0 && errno == EINTR)
		;
	if (c != 'g')
		_exit(127); /* the parent gave up before starting us */
	if (t->output_fd >= 0) {
		/* The file was created by the parent, O_EXCL (never through a planted symlink). */
		int in = t->output_keeps_stdin ? 0 : open("/dev/null", O_RDONLY | O_CLOEXEC);
		int out = t->output_fd;

		if (in < 0 || (in != 0 && dup2(in, 0) < 0) || dup2(out, 1) < 0 ||
		    dup2(t->error_fd >= 0 ? t->error_fd : out, 2) < 0) {
			e = errno;
			if (write(err_wr, &e, sizeof(e)) < 0)
				_exit(127);
			_exit(127);
		}
	}
	e = -target_drop_to_sudo_user();
	if (e == 0) {
		execvp(t->argv[0], t->argv);
		e = errno;
	} else {
		e |= 1 << 16; /* mark: failed to change user */
	}
	if (write(err_wr, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

int
target_launch(struct target *t, struct errbuf *err)
{
	int go[2], ex[2], r;
	pid_t pid;

	if (pipe2(go, O_CLOEXEC) < 0) {
		r = -errno;
		return errbuf_fail(err, r, "cannot create a pipe: %s", strerror(-r));
	}
	if (pipe2(ex, O_CLOEXEC) < 0) {
		r = -errno;
		close(go[0]);
		close(go[1]);
		return errbuf_fail(err, r, "cannot create a pipe: %s", strerror(-r));
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(go[0]);
		close(go[1]);
		close(ex[0]);
		close(ex[1]);
		return errbuf_fail(err, r, "cannot start '%s': %s", t->argv[0], strerror(-r));
	}
	if (pid == 0) {
		close(go[1]);
		close(ex[0]);
		target_child(t, go[0], ex[1]);
	}
	close(go[0]);
	close(ex[1]);
	t->go_fd = go[1];
	t->err_fd = ex[0];
	t->pids = xmalloc(sizeof(pid_t));
	t->pids[0] = pid;
	t->npids = 1;
	t->child_running = true;
	return 0;
}

int
target_start(struct target *t, struct errbuf *err)
{
	ssize_t n;
	int e = 0;

	n = write(t->go_fd, "g", 1);
	close(t->go_fd);
	t->go_fd = -1;
	if (n != 1) {
		target_stop_child(t);
		return errbuf_fail(err, -ECHILD, "cannot start '%s': the child is gone",
				   t->argv[0]);
	}
	/* The exec-error pipe closes on a successful exec; otherwise the child sends its errno. */
	do {
		n = read(t->err_fd, &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(t->err_fd);
	t->err_fd = -1;
	if (n == (ssize_t)sizeof(e)) {
		waitpid(t->pids[0], &t->child_status, 0);
		t->child_running = false;
		if (e & (1 << 16))
			return errbuf_fail(err, -(e & 0xffff),
					   "cannot run '%s' as the sudo user (SUDO_UID=%s): %s",
					   t->argv[0], getenv("SUDO_UID"), strerror(e & 0xffff));
		if (e == ENOENT)
			return errbuf_fail(err, -ENOENT,
					   "cannot run '%s': command not found; check the name and "
					   "PATH",
					   t->argv[0]);
		return errbuf_fail(err, -e, "cannot run '%s': %s", t->argv[0], strerror(e));
	}
	return 0;
}

bool
target_reap(struct target *t)
{
	int status;

	if (t->kind != TARGET_COMMAND || !t->child_running)
		return true;
	if (waitpid(t->pids[0], &status, WNOHANG) == t->pids[0]) {
		t->child_status = status;
		t->child_running = false;
	}
	return !t->child_running;
}

void
target_stop_child(struct target *t)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };

	if (t->kind != TARGET_COMMAND || !t->child_running)
		return;
	if (t->go_fd >= 0) {
		close(t->go_fd); /* a child still waiting to start exits on EOF */
		t->go_fd = -1;
	}
	kill(t->pids[0], SIGTERM);
	/* Give it up to two seconds to exit cleanly, then insist. */
	for (int i = 0; i < 200 && !target_reap(t); i++)
		nanosleep(&pause, NULL);
	if (t->child_running) {
		kill(t->pids[0], SIGKILL);
		waitpid(t->pids[0], &t->child_status, 0);
		t->child_running = false;
	}
}

static int
target_pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

int
target_threads(pid_t pid, pid_t **tids)
{
	char path[64];
	struct dirent *d;
	size_t n = 0;
	pid_t *v = NULL;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? -ESRCH : -errno;
	while ((d = readdir(dir))) {
		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = (pid_t)atoi(d->d_name);
	}
	closedir(dir);
	qsort(v, n, sizeof(*v), target_pid_cmp);
	*tids = v;
	return (int)n;
}

const char *
target_kind_name(enum target_kind kind)
{
	switch (kind) {
	case TARGET_SYSTEM:
		return "system";
	case TARGET_PIDS:
		return "pids";
	case TARGET_COMMAND:
		return "command";
	}
	return "unknown";
}

char *
target_describe(const struct target *t)
{
	char *s, *next;

	switch (t->kind) {
	case TARGET_SYSTEM:
		next = cpulist_format(&t->cpus);
		s = xasprintf("system-wide, CPU%s %s", t->cpus.n == 1 ? "" : "s", next);
		free(next);
		return s;
	case TARGET_PIDS:
		s = xstrdup(t->npids == 1 ? "PID" : "PIDs");
		for (size_t i = 0; i < t->npids; i++) {
			next = xasprintf("%s%s%d", s, i ? "," : " ", (int)t->pids[i]);
			free(s);
			s = next;
		}
		return s;
	case TARGET_COMMAND:
		s = xstrdup("command:");
		for (char **a = t->argv; a && *a; a++) {
			next = xasprintf("%s %s", s, *a);
			free(s);
			s = next;
		}
		return s;
	}
	return xstrdup("unknown target");
}

void
target_fini(struct target *t)
{
	cpulist_fini(&t->cpus);
	free(t->pids);
	t->pids = NULL;
	t->npids = 0;
	free(t->note);
	t->note = NULL;
	if (t->go_fd >= 0)
		close(t->go_fd);
	if (t->err_fd >= 0)
		close(t->err_fd);
	t->go_fd = t->err_fd = -1;
}
