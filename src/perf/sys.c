// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The perf_event_open system call, the sysctl that decides who may use it, and tracefs.
 */
#include <errno.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ringside/perf/sys.h"
#include "ringside/util/xalloc.h"

int
sys_perf_open(struct perf_event_attr *attr, pid_t pid, int cpu, int group_fd)
{
	long fd;

	attr->size = sizeof(*attr);
	fd = syscall(SYS_perf_event_open, attr, pid, cpu, group_fd, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

int
sys_perf_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v = 2;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 2;
		fclose(f);
	}
	return v;
}

char *
sys_perf_permission_hint(bool system_wide, bool with_kernel)
{
	int paranoid = sys_perf_paranoid();
	int need = system_wide ? 0 : with_kernel ? 1 : 2;

	if (geteuid() == 0)
		return xasprintf("permission denied even as root (kernel.perf_event_paranoid = "
				 "%d); a security module or container may forbid perf events",
				 paranoid);
	return xasprintf("permission denied opening events %s (kernel.perf_event_paranoid = %d); "
			 "run as root, or allow it with: sysctl kernel.perf_event_paranoid=%d",
			 system_wide   ? "system-wide"
			 : with_kernel ? "with kernel counting"
				       : "for this process",
			 paranoid, need);
}

static char *sys_tracefs_override;
static char *sys_tracefs_found;

void
sys_tracefs_set_dir(const char *dir)
{
	free(sys_tracefs_override);
	sys_tracefs_override = xstrdup(dir);
}

static char *
sys_tracefs_find_mounted(void)
{
	FILE *f = setmntent("/proc/mounts", "re");
	struct mntent *m;
	char *found = NULL;

	if (!f)
		return NULL;
	while ((m = getmntent(f))) {
		if (strcmp(m->mnt_type, "tracefs") == 0) {
			found = xstrdup(m->mnt_dir);
			break;
		}
		/* debugfs carries tracefs under tracing/ on older systems. */
		if (!found && strcmp(m->mnt_type, "debugfs") == 0) {
			char *p = xasprintf("%s/tracing/events", m->mnt_dir);

			if (access(p, R_OK) == 0)
				found = xasprintf("%s/tracing", m->mnt_dir);
			free(p);
		}
	}
	endmntent(f);
	return found;
}

const char *
sys_tracefs_dir(void)
{
	if (sys_tracefs_override)
		return sys_tracefs_override;
	if (sys_tracefs_found)
		return sys_tracefs_found;
	sys_tracefs_found = sys_tracefs_find_mounted();
	if (!sys_tracefs_found && geteuid() == 0 &&
	    mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0)
		sys_tracefs_found = xstrdup("/sys/kernel/tracing");
	return sys_tracefs_found;
}

unsigned long
sys_fd_limit(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_NOFILE, &rl) == 0 ? (unsigned long)rl.rlim_cur : 0;
}
