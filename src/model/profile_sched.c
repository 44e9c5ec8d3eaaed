// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host of a scheduler row or task in a merged profile (ringside merge keeps every input's
 * CPUs and tasks in one timeline, man/ringside-snapshot.5): the labels the views draw.
 */
#include <stdio.h>

#include "ringside/model/profile.h"

void
profile_sched_cpu_label(const struct profile *p, unsigned cpu, char *buf, size_t len)
{
	uint32_t h = p->sched_cpu_host ? p->sched_cpu_host[cpu] : UINT32_MAX;

	if (h < p->meta.nhosts)
		snprintf(buf, len, "%s cpu%u", p->meta.hosts[h].label, p->sched_cpu_num[cpu]);
	else
		snprintf(buf, len, "cpu%u", cpu);
}

const char *
profile_sched_task_host(const struct profile *p, uint32_t task)
{
	uint32_t h;

	if (!p->sched_task_host || !p->sched || task >= schedmap_ntasks(p->sched))
		return NULL;
	h = p->sched_task_host[task];
	return h < p->meta.nhosts ? p->meta.hosts[h].label : NULL;
}
