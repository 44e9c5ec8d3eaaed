// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Choosing where --mem's data addresses come from. The PMU's own memory sampling is read from
 * sysfs (the event's encoding, the PMU's type) and confirmed by opening it on this process, since
 * a VM may list a PMU its hypervisor does not give; page faults are the fallback that always opens.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/perf/memsrc.h"
#include "ringside/perf/sys.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"

const char *
memsrc_name(enum memsrc_kind kind)
{
	static const char *const names[] = { "pebs-loads", "ibs-op", "page-faults" };

	return (unsigned)kind < 3 ? names[kind] : "?";
}

/* The first line of SYSFS/REL, at most len - 1 bytes; false when it cannot be read. */
static bool
memsrc_read(const char *sysfs, const char *rel, char *buf, size_t len)
{
	char path[512];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/bus/event_source/devices/%s", sysfs, rel);
	f = fopen(path, "re");
	if (!f)
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

/* The value of KEY= in an event encoding such as "event=0xcd,umask=0x1,ldlat=3", or 0. */
static uint64_t
memsrc_term(const char *enc, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = enc; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			return strtoull(p + n + 1, NULL, 0);
	return 0;
}

static void
memsrc_set(struct memsrc *m, enum memsrc_kind kind, const char *name, const char *pmu,
	   const struct perf_event_attr *attr, uint64_t period)
{
	m->kind = kind;
	m->spec.name = xstrdup(name);
	m->spec.canonical = xstrdup(name);
	m->spec.pmu = xstrdup(pmu);
	m->spec.kind = EVSPEC_PMU;
	m->spec.attr = *attr;
	m->period = period;
	m->latency = true;
}

/* Whether attr opens on this process (a listed PMU a hypervisor does not give fails here). */
static bool
memsrc_opens(const struct perf_event_attr *attr, bool probe)
{
	struct perf_event_attr a = *attr;
	int fd;

	if (!probe)
		return true;
	a.disabled = 1;
	a.sample_period = 1000000;
	a.exclude_kernel = 1;
	fd = sys_perf_open(&a, 0, -1, -1);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* PEBS load sampling: cpu/mem-loads,ldlat=N/ with precise_ip 2. */
static bool
memsrc_try_pebs(struct memsrc *m, const char *sysfs, bool probe)
{
	struct perf_event_attr a;
	char enc[128], type[32];

	if (!memsrc_read(sysfs, "cpu/events/mem-loads", enc, sizeof(enc)) ||
	    !memsrc_read(sysfs, "cpu/type", type, sizeof(type)))
		return false;
	memset(&a, 0, sizeof(a));
	a.type = (uint32_t)strtoul(type, NULL, 10);
	a.config = memsrc_term(enc, "event") | memsrc_term(enc, "umask") << 8;
	a.config1 = MEMSRC_PEBS_LDLAT;
	a.precise_ip = 2;
	if (!memsrc_opens(&a, probe))
		return false;
	memsrc_set(m, MEMSRC_PEBS, "cpu/mem-loads,ldlat=30/P", "cpu", &a, MEMSRC_PEBS_PERIOD);
	snprintf(m->why, sizeof(m->why),
		 "--mem: sampling loads with Intel PEBS (cpu/mem-loads, latency >= %d cycles, one "
		 "in %d), with their data source and latency",
		 MEMSRC_PEBS_LDLAT, MEMSRC_PEBS_PERIOD);
	return true;
}

/* AMD IBS op sampling: the ibs_op PMU, every MEMSRC_IBS_PERIOD ops. */
static bool
memsrc_try_ibs(struct memsrc *m, const char *sysfs, bool probe)
{
	struct perf_event_attr a;
	char type[32];

	if (!memsrc_read(sysfs, "ibs_op/type", type, sizeof(type)))
		return false;
	memset(&a, 0, sizeof(a));
	a.type = (uint32_t)strtoul(type, NULL, 10);
	if (!memsrc_opens(&a, probe))
		return false;
	memsrc_set(m, MEMSRC_IBS, "ibs_op//", "ibs_op", &a, MEMSRC_IBS_PERIOD);
	snprintf(m->why, sizeof(m->why),
		 "--mem: sampling memory operations with AMD IBS (ibs_op, one in %d ops), with "
		 "their data source and latency",
		 MEMSRC_IBS_PERIOD);
	return true;
}

void
memsrc_choose(struct memsrc *out, const char *sysfs, bool probe)
{
	struct errbuf err;

	memset(out, 0, sizeof(*out));
	if (memsrc_try_pebs(out, sysfs, probe) || memsrc_try_ibs(out, sysfs, probe))
		return;
	errbuf_clear(&err);
	if (evspec_parse(&out->spec, "page-faults", &err) < 0)
		memset(&out->spec, 0, sizeof(out->spec));
	out->kind = MEMSRC_PAGEFAULTS;
	out->period = 1;
	snprintf(out->why, sizeof(out->why),
		 "--mem: no PEBS or IBS memory sampling on this machine (no working cpu/mem-loads "
		 "or ibs_op PMU): falling back to page-faults, the address of every page fault "
		 "(first touches, not every access; no data source or latency)");
}

void
memsrc_fini(struct memsrc *m)
{
	if (m && m->spec.name)
		evspec_fini(&m->spec);
}
