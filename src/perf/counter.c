// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Counting groups. Each CPU (system-wide) or thread (processes, commands) gets one group holding
 * every event, read with one system call that returns each member's count with the time the group
 * was enabled and running. An event the PMU lacks is marked unsupported and skipped; an event a
 * full group cannot take is retried as the leader of a group of its own, so a large event set
 * still counts, multiplexed, rather than not at all.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "ringside/perf/counter.h"
#include "ringside/perf/sys.h"
#include "ringside/util/xalloc.h"

struct counter_member {
	size_t ev; /* COUNTER_DEAD: a removed event's leader kept open for its group */
	uint64_t id;
	int fd;
};

#define COUNTER_DEAD SIZE_MAX

struct counter_group {
	size_t slot;
	size_t n;
	struct counter_member *m;
};

struct counter_set {
	struct evspec_list events;
	enum counter_status *status;
	char **reason;
	bool *removed;
	size_t nslots;
	int *slot_cpu;
	struct counter_group *groups;
	size_t ngroups;
	uint64_t *buf;
	size_t buflen; /* in uint64_t */
	size_t nfds;
	bool user_only; /* kernel counting was refused; every event excludes the kernel */
};

/* Where one set of groups is opened: a CPU (pid -1) or a thread (cpu -1). */
struct counter_unit {
	pid_t pid;
	int cpu;
	size_t slot;
	bool inherit;
	bool enable_on_exec;
	bool optional; /* a thread that may have exited since we listed it */
	bool enable;   /* enable each group once opened (an event added while counting) */
};

#define COUNTER_READ_FORMAT                                                                        \
	(PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING |     \
	 PERF_FORMAT_ID)

static bool
counter_errno_unsupported(int e, const struct evspec *spec, bool as_leader)
{
	if (e == ENOENT || e == EOPNOTSUPP || e == ENOSYS)
		return true;
	/* A PMU rejects a config it does not have with EINVAL when the event stands alone. */
	return as_leader && e == EINVAL && evspec_needs_pmu(spec);
}

static void
counter_unit_where(const struct counter_unit *u, char *buf, size_t len)
{
	if (u->cpu >= 0)
		snprintf(buf, len, "on CPU %d", u->cpu);
	else
		snprintf(buf, len, "for PID %d", (int)u->pid);
}

static struct counter_group *
counter_group_new(struct counter_set *cs, size_t slot)
{
	struct counter_group *g;

	cs->groups = xreallocarray(cs->groups, cs->ngroups + 1, sizeof(*cs->groups));
	g = &cs->groups[cs->ngroups++];
	memset(g, 0, sizeof(*g));
	g->slot = slot;
	return g;
}

static void
counter_group_add(struct counter_set *cs, struct counter_group *g, size_t ev, int fd)
{
	uint64_t id = 0;

	ioctl(fd, PERF_EVENT_IOC_ID, &id);
	g->m = xreallocarray(g->m, g->n + 1, sizeof(*g->m));
	g->m[g->n++] = (struct counter_member){ .ev = ev, .id = id, .fd = fd };
	cs->nfds++;
	if (3 + 2 * g->n > cs->buflen) {
		cs->buflen = 3 + 2 * g->n;
		cs->buf = xreallocarray(cs->buf, cs->buflen, sizeof(uint64_t));
	}
}

/* Close the groups from index first on (a unit whose thread went away). */
static void
counter_drop_groups(struct counter_set *cs, size_t first)
{
	for (size_t i = first; i < cs->ngroups; i++) {
		for (size_t j = 0; j < cs->groups[i].n; j++) {
			close(cs->groups[i].m[j].fd);
			cs->nfds--;
		}
		free(cs->groups[i].m);
	}
	cs->ngroups = first;
}

static int
counter_open_one(struct counter_set *cs, const struct counter_unit *u, size_t ev, int leader_fd,
		 bool system_wide, struct errbuf *err)
{
	const struct evspec *spec = &cs->events.v[ev];
	struct perf_event_attr attr = spec->attr;
	char where[64];
	int fd;

	attr.read_format = COUNTER_READ_FORMAT;
	attr.inherit = u->inherit;
	attr.disabled = leader_fd < 0;
	attr.enable_on_exec = leader_fd < 0 && u->enable_on_exec;
	fd = sys_perf_open(&attr, u->pid, u->cpu, leader_fd);
	if (fd >= 0 || leader_fd >= 0)
		return fd;
	if (counter_errno_unsupported(-fd, spec, true))
		return fd;
	counter_unit_where(u, where, sizeof(where));
	switch (-fd) {
	case EACCES:
	case EPERM: {
		char *hint = sys_perf_permission_hint(system_wide, !attr.exclude_kernel);

		errbuf_fail(err, fd, "%s", hint);
		free(hint);
		break;
	}
	case ESRCH:
		if (!u->optional)
			errbuf_fail(err, fd, "no process with PID %d (it exited); check it with ps",
				    (int)u->pid);
		break;
	case EMFILE:
	case ENFILE:
		errbuf_fail(err, fd,
			    "out of file descriptors (ulimit -n is %lu) after %zu counters (%zu "
			    "events, %zu CPUs or threads); raise the limit with ulimit -n or count "
			    "fewer events",
			    sys_fd_limit(), cs->nfds, cs->events.n, cs->nslots);
		break;
	case ENODEV:
		if (u->cpu >= 0) {
			errbuf_fail(err, fd, "CPU %d is offline; choose online CPUs with -C",
				    u->cpu);
			break;
		}
		/* fall through */
	default:
		errbuf_fail(err, fd, "cannot open event '%s' %s: %s", spec->name, where,
			    strerror(-fd));
		break;
	}
	return fd;
}

/* Open every event of one unit; returns 0, or -errno on a fatal error (-ESRCH: optional unit gone).
 */
static int
counter_open_unit(struct counter_set *cs, const struct counter_unit *u, size_t first_ev,
		  bool system_wide, struct errbuf *err)
{
	struct counter_group *g = NULL;
	size_t first_group = cs->ngroups;

	for (size_t ev = first_ev; ev < cs->events.n; ev++) {
		int fd;

		if (cs->status[ev] == COUNTER_UNSUPPORTED)
			continue;
		fd = g ? counter_open_one(cs, u, ev, g->m[0].fd, system_wide, err) : -EAGAIN;
		if (fd < 0) {
			/* No group yet, or the group could not take it: lead a group of its own. */
			fd = counter_open_one(cs, u, ev, -1, system_wide, err);
			if (fd >= 0) {
				g = counter_group_new(cs, u->slot);
			} else if (counter_errno_unsupported(-fd, &cs->events.v[ev], true)) {
				cs->status[ev] = COUNTER_UNSUPPORTED;
				cs->reason[ev] = xasprintf(
					"not supported on this machine: %s",
					-fd == ENOENT ? "the kernel has no such event here (ENOENT)"
						      : strerror(-fd));
				continue;
			} else {
				if (-fd == ESRCH && u->optional) {
					counter_drop_groups(cs, first_group);
					return -ESRCH;
				}
				return fd;
			}
		}
		counter_group_add(cs, g, ev, fd);
	}
	if (u->enable)
		for (size_t i = first_group; i < cs->ngroups; i++)
			ioctl(cs->groups[i].m[0].fd, PERF_EVENT_IOC_ENABLE, 0);
	return 0;
}

static int
counter_set_open_units(struct counter_set *cs, const struct target *t, struct errbuf *err)
{
	struct counter_unit u = { 0 };
	int r = 0;

	switch (t->kind) {
	case TARGET_SYSTEM:
		for (size_t i = 0; i < t->cpus.n && r == 0; i++) {
			u = (struct counter_unit){ .pid = -1, .cpu = t->cpus.cpus[i], .slot = i };
			r = counter_open_unit(cs, &u, 0, true, err);
		}
		return r;
	case TARGET_COMMAND:
		u = (struct counter_unit){
			.pid = t->pids[0], .cpu = -1, .inherit = true, .enable_on_exec = true
		};
		return counter_open_unit(cs, &u, 0, false, err);
	case TARGET_PIDS:
		for (size_t i = 0; i < t->npids && r == 0; i++) {
			pid_t *tids = NULL;
			int n = target_threads(t->pids[i], &tids);

			if (n <= 0)
				return errbuf_fail(err, -ESRCH,
						   "no process with PID %d (it exited); check it "
						   "with ps",
						   (int)t->pids[i]);
			for (int j = 0; j < n && r == 0; j++) {
				u = (struct counter_unit){ .pid = tids[j],
							   .cpu = -1,
							   .inherit = true,
							   .optional = tids[j] != t->pids[i] };
				r = counter_open_unit(cs, &u, 0, false, err);
				if (r == -ESRCH && u.optional)
					r = 0;
			}
			free(tids);
		}
		return r;
	}
	return -EINVAL;
}

/* Close everything opened and forget every verdict, for a second attempt excluding the kernel. */
static void
counter_set_restart(struct counter_set *cs)
{
	counter_drop_groups(cs, 0);
	for (size_t i = 0; i < cs->events.n; i++) {
		free(cs->reason[i]);
		cs->reason[i] = NULL;
		cs->status[i] = COUNTER_OK;
		cs->events.v[i].attr.exclude_kernel = 1;
		cs->events.v[i].attr.exclude_hv = 1;
	}
}

int
counter_set_open(struct counter_set **out, const struct evspec_list *events, const struct target *t,
		 struct errbuf *err)
{
	struct counter_set *cs = xcalloc(1, sizeof(*cs));
	size_t ok = 0;
	int r;

	cs->events.v = xcalloc(events->n, sizeof(struct evspec));
	for (size_t i = 0; i < events->n; i++)
		evspec_copy(&cs->events.v[i], &events->v[i]);
	cs->events.n = events->n;
	cs->status = xcalloc(events->n, sizeof(*cs->status));
	cs->reason = xcalloc(events->n, sizeof(*cs->reason));
	cs->removed = xcalloc(events->n, sizeof(*cs->removed));
	cs->nslots = t->kind == TARGET_SYSTEM ? t->cpus.n : 1;
	cs->slot_cpu = xcalloc(cs->nslots, sizeof(int));
	for (size_t i = 0; i < cs->nslots; i++)
		cs->slot_cpu[i] = t->kind == TARGET_SYSTEM ? t->cpus.cpus[i] : -1;

	r = counter_set_open_units(cs, t, err);
	if ((r == -EACCES || r == -EPERM) && t->kind != TARGET_SYSTEM) {
		/* perf_event_paranoid 2 still lets a user count its own processes in user space. */
		counter_set_restart(cs);
		cs->user_only = true;
		errbuf_clear(err);
		r = counter_set_open_units(cs, t, err);
	}
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < cs->events.n; i++)
		ok += cs->status[i] == COUNTER_OK;
	if (ok == 0) {
		char *why = xstrdup("");

		for (size_t i = 0; i < cs->events.n; i++) {
			char *next = xasprintf("%s%s%s: %s", why, i ? "; " : "",
					       cs->events.v[i].name, cs->reason[i]);

			free(why);
			why = next;
		}
		errbuf_fail(err, -ENOENT,
			    "none of the events could be opened (%s); choose others with -e (see "
			    "'ringside list')",
			    why);
		free(why);
		r = -ENOENT;
		goto fail;
	}
	*out = cs;
	return 0;
fail:
	counter_set_free(cs);
	return r;
}

/* The parent of every process in /proc, as pairs (pid, ppid); returns the count. */
static size_t
counter_proc_parents(pid_t (**out)[2])
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char path[300], buf[512], *paren;
		int ppid;
		FILE *f;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		/* "pid (comm) state ppid ...": comm may hold spaces and parentheses. */
		if (fgets(buf, sizeof(buf), f) && (paren = strrchr(buf, ')')) &&
		    sscanf(paren + 1, " %*c %d", &ppid) == 1) {
			*out = xreallocarray(*out, n + 1, sizeof(**out));
			(*out)[n][0] = (pid_t)atoi(e->d_name);
			(*out)[n][1] = (pid_t)ppid;
			n++;
		}
		fclose(f);
	}
	closedir(d);
	return n;
}

/* roots and every process descended from them, as they are now; returns the count. */
static size_t
counter_family(const pid_t *roots, size_t nroots, pid_t **out)
{
	pid_t(*pp)[2];
	size_t npp = counter_proc_parents(&pp), n = nroots;
	pid_t *v = xcalloc(nroots + npp + 1, sizeof(pid_t));

	memcpy(v, roots, nroots * sizeof(pid_t));
	/* Breadth first: each process found is searched for children in turn. */
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < npp; k++) {
			bool seen = false;

			if (pp[k][1] != v[i])
				continue;
			for (size_t j = 0; j < n && !seen; j++)
				seen = v[j] == pp[k][0];
			if (!seen)
				v[n++] = pp[k][0];
		}
	free(pp);
	*out = v;
	return n;
}

/*
 * Open event ev on the target as it is now. A late event cannot rely on inheritance from a start
 * it missed: it is opened on every thread of the target's processes and of their descendants
 * (each inherited by what that thread starts later), every unit optional, and enabled at once.
 */
static int
counter_open_late(struct counter_set *cs, size_t ev, const struct target *t, struct errbuf *err)
{
	struct counter_unit u;
	pid_t *procs = NULL;
	size_t nprocs;
	int r = 0;

	if (t->kind == TARGET_SYSTEM) {
		for (size_t i = 0; i < t->cpus.n && r == 0; i++) {
			u = (struct counter_unit){
				.pid = -1, .cpu = t->cpus.cpus[i], .slot = i, .enable = true
			};
			r = counter_open_unit(cs, &u, ev, true, err);
		}
		return r;
	}
	nprocs = counter_family(t->pids, t->npids, &procs);
	for (size_t i = 0; i < nprocs && r == 0; i++) {
		pid_t *tids = NULL;
		int n = target_threads(procs[i], &tids);

		for (int j = 0; j < n && r == 0; j++) {
			u = (struct counter_unit){ .pid = tids[j],
						   .cpu = -1,
						   .inherit = true,
						   .optional = true,
						   .enable = true };
			r = counter_open_unit(cs, &u, ev, false, err);
			if (r == -ESRCH)
				r = 0;
			if (cs->status[ev] == COUNTER_UNSUPPORTED)
				break;
		}
		free(tids);
		if (cs->status[ev] == COUNTER_UNSUPPORTED)
			break;
	}
	free(procs);
	return r;
}

int
counter_set_add(struct counter_set *cs, const struct evspec *spec, const struct target *t,
		struct errbuf *err)
{
	size_t ev = cs->events.n, first_group = cs->ngroups;
	int r;

	cs->events.v = xreallocarray(cs->events.v, ev + 1, sizeof(*cs->events.v));
	cs->status = xreallocarray(cs->status, ev + 1, sizeof(*cs->status));
	cs->reason = xreallocarray(cs->reason, ev + 1, sizeof(*cs->reason));
	cs->removed = xreallocarray(cs->removed, ev + 1, sizeof(*cs->removed));
	evspec_copy(&cs->events.v[ev], spec);
	if (cs->user_only) {
		cs->events.v[ev].attr.exclude_kernel = 1;
		cs->events.v[ev].attr.exclude_hv = 1;
	}
	cs->status[ev] = COUNTER_OK;
	cs->reason[ev] = NULL;
	cs->removed[ev] = false;
	cs->events.n = ev + 1;
	r = counter_open_late(cs, ev, t, err);
	if (r == 0 && cs->status[ev] == COUNTER_OK && cs->ngroups == first_group) {
		errbuf_fail(err, -ESRCH, "no thread of the target is left to count '%s' on",
			    spec->name);
		r = -ESRCH;
	}
	if (r < 0) {
		counter_drop_groups(cs, first_group);
		free(cs->reason[ev]);
		evspec_fini(&cs->events.v[ev]);
		cs->events.n = ev;
		return r;
	}
	if (cs->status[ev] == COUNTER_UNSUPPORTED)
		counter_drop_groups(cs, first_group);
	return (int)ev;
}

/* Take member j out of group g (closing its descriptor); the group's order is kept. */
static void
counter_group_remove(struct counter_set *cs, struct counter_group *g, size_t j)
{
	close(g->m[j].fd);
	cs->nfds--;
	memmove(&g->m[j], &g->m[j + 1], (g->n - j - 1) * sizeof(*g->m));
	g->n--;
}

int
counter_set_remove(struct counter_set *cs, size_t ev)
{
	size_t kept = 0;

	if (ev >= cs->events.n || cs->removed[ev])
		return -ENOENT;
	cs->removed[ev] = true;
	for (size_t i = 0; i < cs->ngroups; i++) {
		struct counter_group *g = &cs->groups[i];

		for (size_t j = g->n; j-- > 0;) {
			if (g->m[j].ev != ev)
				continue;
			if (j == 0 && g->n > 1)
				/* Closing a leader would break its group apart: it stays, unread.
				 */
				g->m[j].ev = COUNTER_DEAD;
			else
				counter_group_remove(cs, g, j);
		}
		/* A group left with only dead leaders counts nothing anyone wants. */
		while (g->n && g->m[g->n - 1].ev == COUNTER_DEAD)
			counter_group_remove(cs, g, g->n - 1);
		if (g->n == 0) {
			free(g->m);
			continue;
		}
		cs->groups[kept++] = *g;
	}
	cs->ngroups = kept;
	return 0;
}

bool
counter_set_removed(const struct counter_set *cs, size_t ev)
{
	return cs->removed[ev];
}

void
counter_set_enable(struct counter_set *cs)
{
	for (size_t i = 0; i < cs->ngroups; i++)
		ioctl(cs->groups[i].m[0].fd, PERF_EVENT_IOC_ENABLE, 0);
}

size_t
counter_set_nslots(const struct counter_set *cs)
{
	return cs->nslots;
}

int
counter_set_slot_cpu(const struct counter_set *cs, size_t slot)
{
	return cs->slot_cpu[slot];
}

size_t
counter_set_nevents(const struct counter_set *cs)
{
	return cs->events.n;
}

enum counter_status
counter_set_status(const struct counter_set *cs, size_t ev)
{
	return cs->status[ev];
}

const char *
counter_set_reason(const struct counter_set *cs, size_t ev)
{
	return cs->reason[ev];
}

const struct evspec *
counter_set_spec(const struct counter_set *cs, size_t ev)
{
	return &cs->events.v[ev];
}

bool
counter_set_user_only(const struct counter_set *cs)
{
	return cs->user_only;
}

size_t
counter_set_nfds(const struct counter_set *cs)
{
	return cs->nfds;
}

int
counter_set_read(struct counter_set *cs, struct counter_value *out)
{
	memset(out, 0, cs->events.n * cs->nslots * sizeof(*out));
	for (size_t i = 0; i < cs->ngroups; i++) {
		struct counter_group *g = &cs->groups[i];
		size_t want = (3 + 2 * g->n) * sizeof(uint64_t);
		ssize_t n;

		do {
			n = read(g->m[0].fd, cs->buf, want);
		} while (n < 0 && errno == EINTR);
		if (n == 0)
			continue; /* a group in error state counts nothing */
		if (n < 0)
			return -errno;
		if ((size_t)n < 3 * sizeof(uint64_t))
			return -EIO;
		for (uint64_t k = 0; k < cs->buf[0] && (5 + 2 * k) * sizeof(uint64_t) <= (size_t)n;
		     k++) {
			uint64_t value = cs->buf[3 + 2 * k], id = cs->buf[4 + 2 * k];

			for (size_t j = 0; j < g->n; j++) {
				struct counter_value *v;

				if (g->m[j].id != id)
					continue;
				if (g->m[j].ev == COUNTER_DEAD)
					break;
				v = &out[g->m[j].ev * cs->nslots + g->slot];
				v->count += value;
				v->enabled += cs->buf[1];
				v->running += cs->buf[2];
				break;
			}
		}
	}
	return 0;
}

void
counter_set_free(struct counter_set *cs)
{
	if (!cs)
		return;
	counter_drop_groups(cs, 0);
	free(cs->groups);
	for (size_t i = 0; i < cs->events.n; i++)
		free(cs->reason[i]);
	free(cs->reason);
	free(cs->status);
	free(cs->removed);
	evspec_list_fini(&cs->events);
	free(cs->slot_cpu);
	free(cs->buf);
	free(cs);
}

bool
counter_scale(uint64_t count, uint64_t enabled, uint64_t running, double *scaled)
{
	if (running == 0) {
		*scaled = 0;
		return false;
	}
	if (running >= enabled)
		*scaled = (double)count;
	else
		*scaled = (double)count * ((double)enabled / (double)running);
	return true;
}
