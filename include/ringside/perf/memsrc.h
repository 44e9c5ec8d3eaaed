/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The source of data addresses for --mem: the best the machine has. Intel PEBS load sampling
 * (cpu/mem-loads/ with a latency threshold) or AMD IBS op sampling where the PMU exposes them and
 * an event really opens; otherwise the software page-fault event, which works in any VM and gives
 * the faulting address of every minor and major fault.
 */
#ifndef RINGSIDE_PERF_MEMSRC_H
#define RINGSIDE_PERF_MEMSRC_H

#include <stdbool.h>
#include <stdint.h>

#include "ringside/perf/evspec.h"

enum memsrc_kind {
	MEMSRC_PEBS,	   /* Intel mem-loads with PERF_SAMPLE_WEIGHT and DATA_SRC */
	MEMSRC_IBS,	   /* AMD IBS op, with WEIGHT and DATA_SRC */
	MEMSRC_PAGEFAULTS, /* software page-faults: the address only */
};

/* The latency threshold (cycles) PEBS load sampling is given, as perf mem's default. */
#define MEMSRC_PEBS_LDLAT 30
/* Sampling periods: loads per PEBS sample, ops per IBS sample; every page fault. */
#define MEMSRC_PEBS_PERIOD 2000
#define MEMSRC_IBS_PERIOD  100000

struct memsrc {
	enum memsrc_kind kind;
	struct evspec spec; /* the sampling event (release with memsrc_fini) */
	uint64_t period;    /* events per sample */
	bool latency;	    /* WEIGHT and DATA_SRC are sampled */
	char why[320];	    /* one line for the user: the source chosen and why */
};

/* "pebs-loads", "ibs-op", "page-faults". */
const char *memsrc_name(enum memsrc_kind kind);
/*
 * Choose the source: PEBS when SYSFS/bus/event_source/devices/cpu/events/mem-loads exists, IBS
 * when .../devices/ibs_op/type does, each only when probe is false or the event opens here;
 * otherwise page faults. sysfs is "/sys" but for tests. Never fails.
 */
void memsrc_choose(struct memsrc *out, const char *sysfs, bool probe);
/* Release what m owns. */
void memsrc_fini(struct memsrc *m);

#endif
