/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Event specifications: from what the user typed to a perf_event_attr. Understands perf's generic
 * names (cycles, page-faults, L1-dcache-load-misses ...), PMU events through libpfm4
 * (INST_RETIRED.ANY, pmu::EVENT:umask), raw codes (rNNNN), the modifiers :u :k :h :p, and
 * tracepoints (sys:name, resolved from tracefs). Parsing never opens an event: whether the CPU has
 * it is decided when counters are opened.
 */
#ifndef RINGSIDE_PERF_EVSPEC_H
#define RINGSIDE_PERF_EVSPEC_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>

#include "ringside/util/errbuf.h"

enum evspec_kind {
	EVSPEC_HARDWARE,   /* perf generic hardware event */
	EVSPEC_HW_CACHE,   /* perf generic cache event */
	EVSPEC_SOFTWARE,   /* perf software event */
	EVSPEC_PMU,	   /* PMU-specific event encoded by libpfm4 */
	EVSPEC_RAW,	   /* rNNNN */
	EVSPEC_TRACEPOINT, /* sys:name */
};

struct evspec {
	char *name;	 /* as the user wrote it, e.g. "cycles:u" */
	char *canonical; /* the fully qualified form, e.g. libpfm4's
			    "skl::INST_RETIRED:ANY_P:u=1:k=0" */
	char *pmu;	 /* "cpu", "software", "tracepoint", or libpfm4's PMU name */
	enum evspec_kind kind;
	struct perf_event_attr attr; /* type, config*, exclude_*, precise_ip; nothing else */
};

/* Initialise libpfm4 once (idempotent). Returns 0 or -EIO with the reason in err. */
int evspec_pfm_init(struct errbuf *err);

/*
 * Parse one event. Returns 0 and fills spec (release with evspec_fini), or -ENOENT for an unknown
 * name (err says so and names the closest known events), -EINVAL for a malformed one.
 */
int evspec_parse(struct evspec *spec, const char *text, struct errbuf *err);
/* Copy src into dst (deep). */
void evspec_copy(struct evspec *dst, const struct evspec *src);
/* Release what spec owns. */
void evspec_fini(struct evspec *spec);
/* A short name for the kind: "hardware", "cache", "software", "pmu", "raw", "tracepoint". */
const char *evspec_kind_name(enum evspec_kind kind);
/* True for events a CPU's PMU counts (hardware, cache, pmu, raw), which may be absent here. */
bool evspec_needs_pmu(const struct evspec *spec);

struct evspec_list {
	struct evspec *v;
	size_t n;
};

/*
 * Parse a comma-separated list ("cycles,instructions:u,sched:sched_switch"), appending to list.
 * A name given twice is an error. Returns 0 or the first failure (err names the event).
 */
int evspec_list_parse(struct evspec_list *list, const char *text, struct errbuf *err);
/* True when a hardware cycles event opens here (a PMU the kernel exposes); probed once. */
bool evspec_have_pmu(void);
/* The default sampling event: cycles with a PMU, else cpu-clock. */
void evspec_sampling_default(struct evspec *spec);
/* The default events: hardware ones when the CPU has a PMU that opens, else software ones. */
void evspec_list_defaults(struct evspec_list *list);
/* Release every spec and the array (list may be zeroed). */
void evspec_list_fini(struct evspec_list *list);

/* Generic event names perf knows, with a description each; NULL-terminated tables. */
struct evspec_generic {
	const char *name;
	const char *desc;
	enum evspec_kind kind;
	unsigned long long config;
};
/* Every generic hardware and software name, aliases included, ending with a zeroed entry. */
const struct evspec_generic *evspec_generic_table(void);
/* Number of generic cache event names (LLC-load-misses ...); their names come from
 * evspec_cache_name. */
size_t evspec_cache_count(void);
/* The i-th cache event name and its config; returns false past the end. */
bool evspec_cache_name(size_t i, char *buf, size_t len, unsigned long long *config);

#endif
