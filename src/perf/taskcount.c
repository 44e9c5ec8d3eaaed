// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Per-task counting groups. Each look at /proc lists the candidate threads (processes: with
 * their name and state; system-wide: with their run time, the busiest then named); the counted
 * threads are read (one read of their group), those that have
 * gone or are no longer wanted are reported a last time and closed, and the new candidates are
 * opened. A hardware event that fails to open once (no PMU) is not tried again; a kernel that
 * refuses kernel-mode counting gets user-only counting; a descriptor limit stops the opening
 * (the threads already counted go on) and leaves one note.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/perf/sys.h"
#include "ringside/perf/taskcount.h"
#include "ringside/util/idmap.h"
#include "ringside/util/xalloc.h"

/* A thread as /proc shows it now. */
struct taskcount_seen {
	pid_t tid, pid;
	char comm[16];
	bool dead;	/* zombie or dead */
	bool want;	/* to be counted */
	uint64_t ticks; /* processes: utime + stime in clock ticks; system-wide: run time in ns */
	uint64_t busy;	/* system-wide: run time since the last look */
};

/* A counted thread. */
struct taskcount_thread {
	pid_t tid, pid;
	char comm[16];
	int fd[TASKCOUNT_NEV]; /* the group, leader first */
	int ev[TASKCOUNT_NEV]; /* the event of each member */
	int nfd;
	uint64_t last[TASKCOUNT_NEV];
	uint64_t last_ns;
};

/* Descriptors left free when the limit is reached. */
#define TASKCOUNT_SPARE_FDS 16

struct taskcount {
	pid_t *pids;
	size_t npids, top_n;
	bool on_exec, user_only;
	bool unsupported[TASKCOUNT_NEV];
	struct taskcount_thread *th;
	size_t nth, cap;
	struct idmap open; /* tid -> th */
	struct taskcount_seen *seen;
	size_t nseen, seen_cap;
	struct idmap seen_map; /* tid -> seen, this look */
	struct idmap prev;     /* system-wide: tid -> its run time at the last look in prev_ns */
	uint64_t *prev_ns;
	size_t nprev;
	const struct taskcount_run *runs; /* system-wide: the next look's candidates, or NULL */
	size_t nruns;
	bool from_runs; /* the last look's candidates were the caller's runs */
	size_t nfds;
	bool short_of_fds, noted;
	char note[320];
};

static const struct {
	uint32_t type;
	uint64_t config;
} taskcount_events[TASKCOUNT_NEV] = {
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
};

struct taskcount *
taskcount_new(const pid_t *pids, size_t npids, size_t top_n, bool on_exec)
{
	struct taskcount *tc = xcalloc(1, sizeof(*tc));

	if (npids) {
		tc->pids = xcalloc(npids, sizeof(*pids));
		memcpy(tc->pids, pids, npids * sizeof(*pids));
	}
	tc->npids = npids;
	tc->top_n = top_n;
	tc->on_exec = on_exec;
	idmap_init(&tc->open);
	idmap_init(&tc->seen_map);
	idmap_init(&tc->prev);
	return tc;
}

/* Parse /proc/.../stat: "TID (COMM) S ... utime stime" (fields 14 and 15). */
static int
taskcount_stat(const char *path, struct taskcount_seen *s)
{
	char buf[512], *lp, *rp, *p;
	unsigned long long ut = 0, st = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	lp = strchr(buf, '(');
	rp = strrchr(buf, ')');
	if (!lp || !rp || rp < lp || rp[1] != ' ')
		return -EIO;
	n = rp - lp - 1;
	if (n > (ssize_t)sizeof(s->comm) - 1)
		n = sizeof(s->comm) - 1;
	memset(s->comm, 0, sizeof(s->comm));
	memcpy(s->comm, lp + 1, (size_t)n);
	s->dead = rp[2] == 'Z' || rp[2] == 'X' || rp[2] == 'x';
	p = rp + 2;
	/* Fields 3 (state) .. 13 go by, then utime and stime. */
	for (int field = 3; field < 14 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (!p || sscanf(p, "%llu %llu", &ut, &st) != 2)
		return -EIO;
	s->ticks = ut + st;
	return 0;
}

/* The process of thread tid (Tgid in /proc/TID/status), or tid itself when it cannot be read:
 * /proc/TID/task/TID names the thread either way. */
static pid_t
taskcount_tgid(pid_t tid)
{
	char path[64], buf[1024], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return tid;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return tid;
	buf[n] = '\0';
	p = strstr(buf, "\nTgid:");
	return p ? (pid_t)atoi(p + 6) : tid;
}

/* The run time in ns from /proc/.../schedstat (exact, where stat's ticks are sampled). */
static int
taskcount_schedstat(const char *path, uint64_t *ns)
{
	char buf[128];
	unsigned long long v;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	if (sscanf(buf, "%llu", &v) != 1)
		return -EIO;
	*ns = v;
	return 0;
}

/* Add s to this look. */
static void
taskcount_seen_add(struct taskcount *tc, const struct taskcount_seen *s)
{
	if (tc->nseen == tc->seen_cap) {
		tc->seen_cap = tc->seen_cap ? 2 * tc->seen_cap : 256;
		tc->seen = xreallocarray(tc->seen, tc->seen_cap, sizeof(*tc->seen));
	}
	idmap_put(&tc->seen_map, s->tid, (uint32_t)tc->nseen);
	tc->seen[tc->nseen++] = *s;
}

/*
 * Add the threads of process pid to this look: for processes with their name and state from
 * stat; system-wide with their run time only (the busiest get their stat read afterwards).
 */
static void
taskcount_scan_pid(struct taskcount *tc, pid_t pid, bool light)
{
	char path[96];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		struct taskcount_seen s = { 0 };
		pid_t tid;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		tid = (pid_t)atoi(d->d_name);
		snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid, (int)tid,
			 tc->npids ? "stat" : "schedstat");
		if (idmap_get(&tc->seen_map, tid) != IDMAP_NONE)
			continue;
		/* A light look lists the threads counted already without reading them. */
		if (!(light && idmap_get(&tc->open, tid) != IDMAP_NONE) &&
		    (tc->npids ? taskcount_stat(path, &s) : taskcount_schedstat(path, &s.ticks)) <
			    0)
			continue;
		s.tid = tid;
		s.pid = pid;
		s.want = !s.dead;
		taskcount_seen_add(tc, &s);
	}
	closedir(dir);
}

static int
taskcount_busier(const void *a, const void *b)
{
	const struct taskcount_seen *x = a, *y = b;

	if (x->busy != y->busy)
		return x->busy > y->busy ? -1 : 1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

/* System-wide: the run time of each thread since the last look, and the look kept for the next. */
static void
taskcount_busy(struct taskcount *tc)
{
	struct idmap next;
	uint64_t *next_ns = xcalloc(tc->nseen + 1, sizeof(*next_ns));

	idmap_init(&next);
	for (size_t i = 0; i < tc->nseen; i++) {
		struct taskcount_seen *s = &tc->seen[i];
		uint32_t was = idmap_get(&tc->prev, s->tid);
		uint64_t before = was == IDMAP_NONE ? 0 : tc->prev_ns[was];

		/* A thread new since the last look (or a recycled tid): all its time is recent. An
		 * exited one (as the caller's timeline says) is not a candidate. */
		s->busy = s->ticks >= before ? s->ticks - before : s->ticks;
		if (s->dead)
			s->busy = 0;
		next_ns[i] = s->ticks;
		idmap_put(&next, s->tid, (uint32_t)i);
	}
	idmap_fini(&tc->prev);
	free(tc->prev_ns);
	tc->prev = next;
	tc->prev_ns = next_ns;
	tc->nprev = tc->nseen;
}

/* System-wide: the top_n threads with run time since the last look are wanted. */
static void
taskcount_pick_busiest(struct taskcount *tc)
{
	char path[96];

	taskcount_busy(tc);
	if (tc->nseen)
		qsort(tc->seen, tc->nseen, sizeof(*tc->seen), taskcount_busier);
	idmap_clear(&tc->seen_map);
	for (size_t i = 0; i < tc->nseen; i++) {
		struct taskcount_seen *s = &tc->seen[i];

		s->want = s->busy > 0 && i < tc->top_n;
		if (s->want && s->pid <= 0)
			s->pid = taskcount_tgid(s->tid);
		if (s->want) {
			/* Their name and state: a zombie is not wanted, one gone is not either. */
			snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)s->pid,
				 (int)s->tid);
			if (taskcount_stat(path, s) < 0)
				s->dead = true; /* gone since it was listed */
			s->want = !s->dead;
		}
		idmap_put(&tc->seen_map, s->tid, (uint32_t)i);
	}
}

/* System-wide from the caller's run times: every thread that has run is a candidate (once). */
static void
taskcount_scan_runs(struct taskcount *tc)
{
	for (size_t i = 0; i < tc->nruns; i++) {
		const struct taskcount_run *r = &tc->runs[i];
		struct taskcount_seen s = { 0 };

		if (r->tid <= 0 || !r->run_ns || idmap_get(&tc->seen_map, r->tid) != IDMAP_NONE)
			continue;
		s.tid = r->tid;
		s.pid = r->pid > 0 ? r->pid : 0; /* not known: read for the busiest only */
		s.ticks = r->run_ns;
		s.dead = r->exited;
		s.want = !s.dead;
		taskcount_seen_add(tc, &s);
	}
	tc->runs = NULL;
	tc->nruns = 0;
}

/*
 * Look at /proc: the candidates now, with what is wanted marked. A light look (processes only)
 * reads no stat of a thread counted already: it is there, named as before.
 */
static void
taskcount_scan(struct taskcount *tc, bool light)
{
	tc->nseen = 0;
	idmap_clear(&tc->seen_map);
	if (tc->npids) {
		for (size_t i = 0; i < tc->npids; i++)
			taskcount_scan_pid(tc, tc->pids[i], light);
		return;
	}
	tc->from_runs = tc->runs != NULL;
	if (tc->runs) {
		taskcount_scan_runs(tc);
	} else {
		DIR *dir = opendir("/proc");
		struct dirent *d;

		if (!dir)
			return;
		while ((d = readdir(dir)))
			if (isdigit((unsigned char)d->d_name[0]))
				taskcount_scan_pid(tc, (pid_t)atoi(d->d_name), false);
		closedir(dir);
	}
	taskcount_pick_busiest(tc);
}

void
taskcount_set_runs(struct taskcount *tc, const struct taskcount_run *runs, size_t n)
{
	tc->runs = runs;
	tc->nruns = n;
}

static void
taskcount_close_fds(struct taskcount *tc, struct taskcount_thread *t)
{
	for (int i = t->nfd - 1; i >= 0; i--)
		close(t->fd[i]);
	tc->nfds -= (size_t)t->nfd;
	t->nfd = 0;
}

/* The descriptor limit stopped the opening: a note for the user, once. */
static void
taskcount_short(struct taskcount *tc)
{
	if (tc->short_of_fds)
		return;
	tc->short_of_fds = true;
	snprintf(tc->note, sizeof(tc->note),
		 "per-task counters: out of file descriptors (ulimit -n is %lu): %zu threads "
		 "counted (%zu descriptors), the others not; raise the limit with ulimit -n",
		 sys_fd_limit(), tc->nth, tc->nfds);
}

static void taskcount_remove(struct taskcount *tc, size_t i);

/*
 * Descriptors ran out: close threads opened since first (none reported yet) until
 * TASKCOUNT_SPARE_FDS are free again, for what the session opens later (a saved snapshot).
 */
static void
taskcount_spare(struct taskcount *tc, size_t first)
{
	size_t freed = 0;

	while (tc->nth > first && freed < TASKCOUNT_SPARE_FDS) {
		freed += (size_t)tc->th[tc->nth - 1].nfd;
		taskcount_remove(tc, tc->nth - 1);
	}
}

/* Open event ev on t (the leader when t has none yet). Returns the fd or -errno. */
static int
taskcount_open_event(struct taskcount *tc, struct taskcount_thread *t, int ev, bool on_exec)
{
	struct perf_event_attr attr;
	bool leader = t->nfd == 0;
	int fd;

	for (;;) {
		memset(&attr, 0, sizeof(attr));
		attr.type = taskcount_events[ev].type;
		attr.config = taskcount_events[ev].config;
		attr.read_format = PERF_FORMAT_GROUP;
		attr.disabled = leader && on_exec;
		attr.enable_on_exec = leader && on_exec;
		attr.exclude_kernel = tc->user_only;
		attr.exclude_hv = tc->user_only;
		fd = sys_perf_open(&attr, t->tid, -1, leader ? -1 : t->fd[0]);
		if ((fd == -EACCES || fd == -EPERM) && !tc->user_only) {
			tc->user_only = true;
			continue;
		}
		return fd;
	}
}

/* Open a group on thread t. Returns 0, -EMFILE (descriptors ran out) or another -errno. */
static int
taskcount_open_thread(struct taskcount *tc, struct taskcount_thread *t, bool on_exec)
{
	for (int ev = 0; ev < TASKCOUNT_NEV; ev++) {
		int fd;

		if (tc->unsupported[ev])
			continue;
		fd = taskcount_open_event(tc, t, ev, on_exec);
		if (fd == -EMFILE || fd == -ENFILE) {
			taskcount_close_fds(tc, t);
			return -EMFILE;
		}
		if (fd < 0 && taskcount_events[ev].type == PERF_TYPE_HARDWARE &&
		    (fd == -ENOENT || fd == -EOPNOTSUPP || fd == -EINVAL || fd == -ENODEV)) {
			tc->unsupported[ev] = true;
			continue;
		}
		if (fd < 0 && t->nfd == 0)
			return fd;
		if (fd < 0)
			continue;
		t->fd[t->nfd] = fd;
		t->ev[t->nfd++] = ev;
		tc->nfds++;
	}
	return t->nfd ? 0 : -ENOENT;
}

/* Open the wanted threads that have no group yet. */
static void
taskcount_open_new(struct taskcount *tc, uint64_t now_ns)
{
	bool on_exec = tc->on_exec;
	size_t first = tc->nth;

	tc->on_exec = false;
	for (size_t i = 0; i < tc->nseen; i++) {
		const struct taskcount_seen *s = &tc->seen[i];
		struct taskcount_thread *t;
		int r;

		if (!s->want || idmap_get(&tc->open, s->tid) != IDMAP_NONE)
			continue;
		if (tc->nth == tc->cap) {
			tc->cap = tc->cap ? 2 * tc->cap : 64;
			tc->th = xreallocarray(tc->th, tc->cap, sizeof(*tc->th));
		}
		t = &tc->th[tc->nth];
		memset(t, 0, sizeof(*t));
		t->tid = s->tid;
		t->pid = s->pid;
		memcpy(t->comm, s->comm, sizeof(t->comm));
		t->last_ns = now_ns;
		r = taskcount_open_thread(tc, t, on_exec);
		if (r == -EMFILE) {
			taskcount_spare(tc, first);
			taskcount_short(tc);
			return;
		}
		if (r < 0)
			continue;
		idmap_put(&tc->open, t->tid, (uint32_t)tc->nth++);
	}
}

/* Read t's group and report it; its counts move on to now. */
static void
taskcount_report(struct taskcount_thread *t, uint64_t now_ns, bool exited, bool dropped,
		 taskcount_fn fn, void *ctx)
{
	uint64_t buf[1 + TASKCOUNT_NEV], delta[TASKCOUNT_NEV] = { 0 };
	ssize_t n = t->nfd ? read(t->fd[0], buf, (size_t)(1 + t->nfd) * sizeof(uint64_t)) : -1;
	struct taskcount_row row = { 0 };

	if (n >= (ssize_t)sizeof(uint64_t)) {
		uint64_t nr = buf[0];

		for (uint64_t i = 0;
		     i < nr && i < (uint64_t)t->nfd && (ssize_t)((i + 2) * sizeof(uint64_t)) <= n;
		     i++) {
			int ev = t->ev[i];

			delta[ev] = buf[1 + i] >= t->last[ev] ? buf[1 + i] - t->last[ev] : 0;
			t->last[ev] = buf[1 + i];
		}
	}
	row.tid = t->tid;
	row.pid = t->pid;
	row.comm = t->comm;
	row.delta = delta;
	row.span_ns = now_ns > t->last_ns ? now_ns - t->last_ns : 0;
	row.at_ns = now_ns;
	row.exited = exited;
	row.dropped = dropped;
	t->last_ns = now_ns;
	if (fn)
		fn(ctx, &row);
}

/* Close counted thread i (the last moves into its place). */
static void
taskcount_remove(struct taskcount *tc, size_t i)
{
	idmap_del(&tc->open, tc->th[i].tid);
	taskcount_close_fds(tc, &tc->th[i]);
	if (i != tc->nth - 1) {
		tc->th[i] = tc->th[tc->nth - 1];
		idmap_put(&tc->open, tc->th[i].tid, (uint32_t)i);
	}
	tc->nth--;
}

/* A counted thread missing from the look: gone, unless the caller's runs left it out (a thread
 * the timeline has not seen run) while /proc still has it. */
static bool
taskcount_alive(const struct taskcount *tc, const struct taskcount_thread *t)
{
	char path[64];

	if (!tc->from_runs)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)t->pid, (int)t->tid);
	return access(path, F_OK) == 0;
}

void
taskcount_tick(struct taskcount *tc, uint64_t now_ns, taskcount_fn fn, void *ctx)
{
	size_t i = 0;

	taskcount_scan(tc, false);
	while (i < tc->nth) {
		struct taskcount_thread *t = &tc->th[i];
		uint32_t k = idmap_get(&tc->seen_map, t->tid);
		bool gone = k == IDMAP_NONE ? !taskcount_alive(tc, t) : tc->seen[k].dead;
		bool dropped = !gone && (k == IDMAP_NONE || !tc->seen[k].want);

		/* System-wide, a thread out of the busiest has no name read: it keeps its own. */
		if (!gone && k != IDMAP_NONE && tc->seen[k].comm[0])
			memcpy(t->comm, tc->seen[k].comm, sizeof(t->comm));
		taskcount_report(t, now_ns, gone, dropped, fn, ctx);
		if (gone || dropped)
			taskcount_remove(tc, i);
		else
			i++;
	}
	i = tc->nth;
	taskcount_open_new(tc, now_ns);
	/* The new ones are in the table at once, with no interval yet. */
	for (; i < tc->nth; i++)
		taskcount_report(&tc->th[i], now_ns, false, false, fn, ctx);
}

void
taskcount_discover(struct taskcount *tc, uint64_t now_ns, taskcount_fn fn, void *ctx)
{
	size_t i = 0;

	taskcount_scan(tc, true);
	/* Gone threads are read now, so their last interval ends near their exit. */
	while (tc->npids && i < tc->nth) {
		struct taskcount_thread *t = &tc->th[i];
		uint32_t k = idmap_get(&tc->seen_map, t->tid);

		if (k != IDMAP_NONE && !tc->seen[k].dead) {
			/* Names change on exec: the last one seen is kept for a thread that goes
			 * (a light look reads no name). */
			if (tc->seen[k].comm[0])
				memcpy(t->comm, tc->seen[k].comm, sizeof(t->comm));
			i++;
			continue;
		}
		taskcount_report(t, now_ns, true, false, fn, ctx);
		taskcount_remove(tc, i);
	}
	i = tc->nth;
	taskcount_open_new(tc, now_ns);
	for (; i < tc->nth; i++)
		taskcount_report(&tc->th[i], now_ns, false, false, fn, ctx);
}

void
taskcount_close_all(struct taskcount *tc, uint64_t now_ns, taskcount_fn fn, void *ctx)
{
	taskcount_scan(tc, false);
	while (tc->nth) {
		struct taskcount_thread *t = &tc->th[tc->nth - 1];
		uint32_t k = idmap_get(&tc->seen_map, t->tid);

		taskcount_report(t, now_ns, k == IDMAP_NONE || tc->seen[k].dead, false, fn, ctx);
		taskcount_remove(tc, tc->nth - 1);
	}
}

bool
taskcount_supported(const struct taskcount *tc, size_t ev)
{
	return ev < TASKCOUNT_NEV && !tc->unsupported[ev];
}

size_t
taskcount_nthreads(const struct taskcount *tc)
{
	return tc->nth;
}

size_t
taskcount_nfds(const struct taskcount *tc)
{
	return tc->nfds;
}

const char *
taskcount_note(struct taskcount *tc)
{
	if (!tc->short_of_fds || tc->noted)
		return NULL;
	tc->noted = true;
	return tc->note;
}

void
taskcount_free(struct taskcount *tc)
{
	if (!tc)
		return;
	while (tc->nth)
		taskcount_remove(tc, tc->nth - 1);
	free(tc->th);
	free(tc->seen);
	free(tc->pids);
	idmap_fini(&tc->open);
	idmap_fini(&tc->seen_map);
	idmap_fini(&tc->prev);
	free(tc->prev_ns);
	free(tc);
}
