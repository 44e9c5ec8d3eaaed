// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libpfm4, kept behind plain fields: its own perf_event.h clashes with the kernel's. It is loaded
 * (dlopen) the first time a name needs it, not at start: linking it costs every run 2 MB of
 * resident memory for its relocated event tables, and most runs (software events, tracepoints,
 * a machine without a PMU) never ask it anything.
 */
#include <dlfcn.h>
#include <errno.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/perf/pmu.h"
#include "ringside/util/xalloc.h"

static int pmu_state; /* 0 not tried, 1 ready, -1 failed */
static char pmu_error[160];

/* The libpfm4 functions used here, from libpfm.so.4 once loaded. */
static struct {
	void *lib;
	__typeof__(pfm_initialize) *initialize;
	__typeof__(pfm_strerror) *strerror;
	__typeof__(pfm_get_os_event_encoding) *get_os_event_encoding;
	__typeof__(pfm_get_event_info) *get_event_info;
	__typeof__(pfm_get_pmu_info) *get_pmu_info;
	__typeof__(pfm_get_event_next) *get_event_next;
	__typeof__(pfm_get_event_attr_info) *get_event_attr_info;
} pmu_pfm;

/* Set pmu_pfm.f from libpfm4's pfm_f, counting those missing in miss. */
#define PMU_PFM_SYM(f, miss)                                                                       \
	do {                                                                                       \
		*(void **)&pmu_pfm.f = dlsym(pmu_pfm.lib, "pfm_" #f);                              \
		(miss) += pmu_pfm.f == NULL;                                                       \
	} while (0)

/* Load libpfm4; false with pmu_error set when it is not there (or not whole). */
static bool
pmu_load(void)
{
	int miss = 0;

	pmu_pfm.lib = dlopen("libpfm.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!pmu_pfm.lib) {
		snprintf(pmu_error, sizeof(pmu_error),
			 "libpfm.so.4 did not load (%s); install libpfm4", dlerror());
		return false;
	}
	PMU_PFM_SYM(initialize, miss);
	PMU_PFM_SYM(strerror, miss);
	PMU_PFM_SYM(get_os_event_encoding, miss);
	PMU_PFM_SYM(get_event_info, miss);
	PMU_PFM_SYM(get_pmu_info, miss);
	PMU_PFM_SYM(get_event_next, miss);
	PMU_PFM_SYM(get_event_attr_info, miss);
	if (miss) {
		snprintf(pmu_error, sizeof(pmu_error), "libpfm.so.4 lacks %d of its functions",
			 miss);
		return false;
	}
	return true;
}

int
pmu_init(struct errbuf *err)
{
	int r;

	if (pmu_state == 0 && !pmu_load())
		pmu_state = -1;
	if (pmu_state == 0) {
		r = pmu_pfm.initialize();
		pmu_state = r == PFM_SUCCESS ? 1 : -1;
		if (r != PFM_SUCCESS)
			snprintf(pmu_error, sizeof(pmu_error), "%s", pmu_pfm.strerror(r));
	}
	if (pmu_state < 0)
		return errbuf_fail(err, -EIO, "libpfm4 failed to initialise: %s", pmu_error);
	return 0;
}

int
pmu_encode(const char *text, struct pmu_encoding *enc, struct errbuf *err)
{
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	pfm_event_info_t einfo;
	pfm_pmu_info_t pinfo;
	char *fstr = NULL;
	int r;

	memset(enc, 0, sizeof(*enc));
	if (pmu_init(NULL) < 0)
		return 0;
	memset(&attr, 0, sizeof(attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = &attr;
	arg.fstr = &fstr;
	arg.size = sizeof(arg);
	r = pmu_pfm.get_os_event_encoding(text, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (r == PFM_ERR_NOTFOUND)
		return 0;
	if (r != PFM_SUCCESS) {
		free(fstr);
		return errbuf_fail(
			err, -EINVAL,
			"event '%s': %s (libpfm4); see 'ringside list --all' for its umasks", text,
			pmu_pfm.strerror(r));
	}
	memset(&einfo, 0, sizeof(einfo));
	einfo.size = sizeof(einfo);
	memset(&pinfo, 0, sizeof(pinfo));
	pinfo.size = sizeof(pinfo);
	pmu_pfm.get_event_info(arg.idx, PFM_OS_NONE, &einfo);
	pmu_pfm.get_pmu_info(einfo.pmu, &pinfo);
	enc->type = attr.type;
	enc->config = attr.config;
	enc->config1 = attr.config1;
	enc->config2 = attr.config2;
	enc->exclude_user = attr.exclude_user;
	enc->exclude_kernel = attr.exclude_kernel;
	enc->exclude_hv = attr.exclude_hv;
	enc->precise_ip = attr.precise_ip;
	enc->canonical = xstrdup(fstr ? fstr : text);
	enc->pmu = xstrdup(pinfo.name ? pinfo.name : "cpu");
	free(fstr);
	return 1;
}

void
pmu_encoding_fini(struct pmu_encoding *enc)
{
	free(enc->canonical);
	free(enc->pmu);
	memset(enc, 0, sizeof(*enc));
}

void
pmu_foreach_event(pmu_event_fn fn, void *ctx)
{
	pfm_pmu_info_t pinfo;
	int pmu;

	if (pmu_init(NULL) < 0)
		return;
	pfm_for_all_pmus (pmu) {
		memset(&pinfo, 0, sizeof(pinfo));
		pinfo.size = sizeof(pinfo);
		if (pmu_pfm.get_pmu_info(pmu, &pinfo) != PFM_SUCCESS || !pinfo.is_present ||
		    pinfo.type == PFM_PMU_TYPE_OS_GENERIC)
			continue;
		for (int i = pinfo.first_event; i != -1; i = pmu_pfm.get_event_next(i)) {
			pfm_event_info_t einfo;

			memset(&einfo, 0, sizeof(einfo));
			einfo.size = sizeof(einfo);
			if (pmu_pfm.get_event_info(i, PFM_OS_NONE, &einfo) != PFM_SUCCESS)
				continue;
			fn(ctx, pinfo.name, einfo.name, NULL, einfo.desc ? einfo.desc : "");
			for (int a = 0; a < einfo.nattrs; a++) {
				pfm_event_attr_info_t ainfo;

				memset(&ainfo, 0, sizeof(ainfo));
				ainfo.size = sizeof(ainfo);
				if (pmu_pfm.get_event_attr_info(i, a, PFM_OS_NONE, &ainfo) ==
					    PFM_SUCCESS &&
				    ainfo.type == PFM_ATTR_UMASK)
					fn(ctx, pinfo.name, einfo.name, ainfo.name,
					   ainfo.desc ? ainfo.desc : "");
			}
		}
	}
}
