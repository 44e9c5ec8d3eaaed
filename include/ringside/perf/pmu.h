/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The libpfm4 adapter: PMU-specific event names encoded for perf_event_open, and the events of
 * the PMUs libpfm4 reports present. libpfm4 ships its own copy of <linux/perf_event.h> that cannot
 * be included beside the kernel's, so this module is the only one that includes libpfm4, and it
 * speaks in plain fields.
 */
#ifndef RINGSIDE_PERF_PMU_H
#define RINGSIDE_PERF_PMU_H

#include <stdbool.h>
#include <stdint.h>

#include "ringside/util/errbuf.h"

struct pmu_encoding {
	uint32_t type;
	uint64_t config, config1, config2;
	bool exclude_user, exclude_kernel, exclude_hv;
	unsigned precise_ip;
	char *canonical; /* libpfm4's fully qualified name; the caller's */
	char *pmu;	 /* the PMU's name; the caller's */
};

/* Initialise libpfm4 once (idempotent; LIBPFM_FORCE_PMU is read here). Returns 0 or -EIO with err.
 */
int pmu_init(struct errbuf *err);

/*
 * Encode text (e.g. "INST_RETIRED.ANY", "skl::INST_RETIRED:ANY_P:u") for perf_event_open, user and
 * kernel counted unless modifiers say otherwise. Returns 1 and fills enc, 0 when libpfm4 knows no
 * such event, or -EINVAL when it knows the event but not its attributes (err says why).
 */
int pmu_encode(const char *text, struct pmu_encoding *enc, struct errbuf *err);

/* Release what enc owns. */
void pmu_encoding_fini(struct pmu_encoding *enc);

/* Called for each event (umask NULL) and each of its umasks; strings are borrowed for the call. */
typedef void (*pmu_event_fn)(void *ctx, const char *pmu, const char *event, const char *umask,
			     const char *desc);

/* Visit the events of every PMU libpfm4 reports present, except its generic "perf" PMUs. */
void pmu_foreach_event(pmu_event_fn fn, void *ctx);

#endif
