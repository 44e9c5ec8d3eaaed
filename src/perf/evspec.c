// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Event specifications: the names people type, turned into perf_event_attr encodings. Generic
 * names and their modifiers are perf's; PMU-specific names go through libpfm4; tracepoints are
 * looked up in tracefs (libpfm4 only searches debugfs for them).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/perf/evspec.h"
#include "ringside/perf/pmu.h"
#include "ringside/perf/sys.h"
#include "ringside/util/strdist.h"
#include "ringside/util/xalloc.h"

#define HW(n, c, d)                                                                                \
	{                                                                                          \
		n, d, EVSPEC_HARDWARE, PERF_COUNT_HW_##c                                           \
	}
#define SW(n, c, d)                                                                                \
	{                                                                                          \
		n, d, EVSPEC_SOFTWARE, PERF_COUNT_SW_##c                                           \
	}

static const struct evspec_generic evspec_generics[] = {
	HW("cycles", CPU_CYCLES, "CPU cycles (core clock ticks while not halted)"),
	HW("cpu-cycles", CPU_CYCLES, "CPU cycles (alias of cycles)"),
	HW("instructions", INSTRUCTIONS, "Instructions retired"),
	HW("cache-references", CACHE_REFERENCES, "Cache accesses (usually last-level cache)"),
	HW("cache-misses", CACHE_MISSES, "Cache misses (usually last-level cache)"),
	HW("branches", BRANCH_INSTRUCTIONS, "Branch instructions retired"),
	HW("branch-instructions", BRANCH_INSTRUCTIONS,
	   "Branch instructions retired (alias of branches)"),
	HW("branch-misses", BRANCH_MISSES, "Mispredicted branch instructions"),
	HW("bus-cycles", BUS_CYCLES, "Bus cycles"),
	HW("ref-cycles", REF_CPU_CYCLES, "Reference cycles, not scaled by frequency changes"),
	HW("stalled-cycles-frontend", STALLED_CYCLES_FRONTEND,
	   "Cycles the front end issued nothing"),
	HW("idle-cycles-frontend", STALLED_CYCLES_FRONTEND, "Alias of stalled-cycles-frontend"),
	HW("stalled-cycles-backend", STALLED_CYCLES_BACKEND, "Cycles the back end retired nothing"),
	HW("idle-cycles-backend", STALLED_CYCLES_BACKEND, "Alias of stalled-cycles-backend"),
	SW("cpu-clock", CPU_CLOCK, "CPU time from a high-resolution timer, in ns"),
	SW("task-clock", TASK_CLOCK, "CPU time of the task (or CPU) in ns"),
	SW("context-switches", CONTEXT_SWITCHES, "Context switches"),
	SW("cs", CONTEXT_SWITCHES, "Context switches (alias of context-switches)"),
	SW("cpu-migrations", CPU_MIGRATIONS, "Tasks moved from one CPU to another"),
	SW("migrations", CPU_MIGRATIONS, "Alias of cpu-migrations"),
	SW("page-faults", PAGE_FAULTS, "Page faults (minor and major)"),
	SW("faults", PAGE_FAULTS, "Alias of page-faults"),
	SW("minor-faults", PAGE_FAULTS_MIN, "Page faults served without I/O"),
	SW("major-faults", PAGE_FAULTS_MAJ, "Page faults that needed I/O"),
	SW("alignment-faults", ALIGNMENT_FAULTS, "Unaligned accesses fixed up by the kernel"),
	SW("emulation-faults", EMULATION_FAULTS, "Instructions emulated by the kernel"),
	SW("dummy", DUMMY, "Counts nothing; carries side-band records"),
	{ 0 },
};

static const struct {
	const char *name;
	unsigned id;
} evspec_caches[] = {
	{ "L1-dcache", PERF_COUNT_HW_CACHE_L1D }, { "L1-icache", PERF_COUNT_HW_CACHE_L1I },
	{ "LLC", PERF_COUNT_HW_CACHE_LL },	  { "dTLB", PERF_COUNT_HW_CACHE_DTLB },
	{ "iTLB", PERF_COUNT_HW_CACHE_ITLB },	  { "branch", PERF_COUNT_HW_CACHE_BPU },
	{ "node", PERF_COUNT_HW_CACHE_NODE },
};

static const struct {
	const char *one, *many;
	unsigned id;
} evspec_cache_ops[] = {
	{ "load", "loads", PERF_COUNT_HW_CACHE_OP_READ },
	{ "store", "stores", PERF_COUNT_HW_CACHE_OP_WRITE },
	{ "prefetch", "prefetches", PERF_COUNT_HW_CACHE_OP_PREFETCH },
};

#define EVSPEC_NCACHES (sizeof(evspec_caches) / sizeof(evspec_caches[0]))
#define EVSPEC_NOPS    (sizeof(evspec_cache_ops) / sizeof(evspec_cache_ops[0]))

const struct evspec_generic *
evspec_generic_table(void)
{
	return evspec_generics;
}

size_t
evspec_cache_count(void)
{
	return EVSPEC_NCACHES * EVSPEC_NOPS * 2;
}

bool
evspec_cache_name(size_t i, char *buf, size_t len, unsigned long long *config)
{
	size_t cache, op, miss;

	if (i >= evspec_cache_count())
		return false;
	miss = i % 2;
	op = (i / 2) % EVSPEC_NOPS;
	cache = i / 2 / EVSPEC_NOPS;
	if (miss)
		snprintf(buf, len, "%s-%s-misses", evspec_caches[cache].name,
			 evspec_cache_ops[op].one);
	else
		snprintf(buf, len, "%s-%s", evspec_caches[cache].name, evspec_cache_ops[op].many);
	*config = evspec_caches[cache].id | evspec_cache_ops[op].id << 8 |
		  (unsigned long long)(miss ? PERF_COUNT_HW_CACHE_RESULT_MISS
					    : PERF_COUNT_HW_CACHE_RESULT_ACCESS)
			  << 16;
	return true;
}

const char *
evspec_kind_name(enum evspec_kind kind)
{
	switch (kind) {
	case EVSPEC_HARDWARE:
		return "hardware";
	case EVSPEC_HW_CACHE:
		return "cache";
	case EVSPEC_SOFTWARE:
		return "software";
	case EVSPEC_PMU:
		return "pmu";
	case EVSPEC_RAW:
		return "raw";
	case EVSPEC_TRACEPOINT:
		return "tracepoint";
	}
	return "unknown";
}

bool
evspec_needs_pmu(const struct evspec *spec)
{
	return spec->kind == EVSPEC_HARDWARE || spec->kind == EVSPEC_HW_CACHE ||
	       spec->kind == EVSPEC_PMU || spec->kind == EVSPEC_RAW;
}

int
evspec_pfm_init(struct errbuf *err)
{
	return pmu_init(err);
}

/* Apply perf's modifier letters; returns false on a letter we do not know. */
static bool
evspec_apply_modifiers(struct perf_event_attr *attr, const char *mods)
{
	bool u = false, k = false, h = false;

	for (const char *m = mods; *m; m++) {
		switch (*m) {
		case 'u':
			u = true;
			break;
		case 'k':
			k = true;
			break;
		case 'h':
			h = true;
			break;
		case 'p':
			if (attr->precise_ip < 3)
				attr->precise_ip++;
			break;
		default:
			return false;
		}
	}
	if (u || k || h) {
		attr->exclude_user = !u;
		attr->exclude_kernel = !k;
		attr->exclude_hv = !h;
	}
	return true;
}

static bool
evspec_is_modifier_string(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("ukhp", *s))
			return false;
	return true;
}

static void
evspec_fill(struct evspec *spec, const char *text, const char *canonical, const char *pmu,
	    enum evspec_kind kind, uint32_t type, unsigned long long config)
{
	memset(spec, 0, sizeof(*spec));
	spec->name = xstrdup(text);
	spec->canonical = xstrdup(canonical);
	spec->pmu = xstrdup(pmu);
	spec->kind = kind;
	spec->attr.type = type;
	spec->attr.config = config;
}

/* Generic, cache and raw names: base is the name without modifiers. Returns 1 when matched. */
static int
evspec_parse_builtin(struct evspec *spec, const char *text, const char *base, const char *mods)
{
	char name[64], *canon;
	unsigned long long config;
	const char *primary = NULL;
	enum evspec_kind kind;
	uint32_t type;

	for (const struct evspec_generic *g = evspec_generics; g->name; g++) {
		if (strcasecmp(g->name, base) != 0)
			continue;
		/* Aliases share a config with the entry named first in the table. */
		for (const struct evspec_generic *p = evspec_generics; p <= g; p++)
			if (p->kind == g->kind && p->config == g->config) {
				primary = p->name;
				break;
			}
		kind = g->kind;
		config = g->config;
		type = kind == EVSPEC_HARDWARE ? PERF_TYPE_HARDWARE : PERF_TYPE_SOFTWARE;
		goto found;
	}
	for (size_t i = 0; evspec_cache_name(i, name, sizeof(name), &config); i++) {
		if (strcasecmp(name, base) == 0) {
			primary = name;
			kind = EVSPEC_HW_CACHE;
			type = PERF_TYPE_HW_CACHE;
			goto found;
		}
	}
	if ((base[0] == 'r' || base[0] == 'R') && base[1] &&
	    strspn(base + 1, "0123456789abcdefABCDEF") == strlen(base + 1) &&
	    strlen(base + 1) <= 16) {
		config = strtoull(base + 1, NULL, 16);
		snprintf(name, sizeof(name), "r%llx", config);
		primary = name;
		kind = EVSPEC_RAW;
		type = PERF_TYPE_RAW;
		goto found;
	}
	return 0;
found:
	canon = mods ? xasprintf("%s:%s", primary, mods) : xstrdup(primary);
	evspec_fill(spec, text, canon, kind == EVSPEC_SOFTWARE ? "software" : "cpu", kind, type,
		    config);
	free(canon);
	if (mods)
		evspec_apply_modifiers(&spec->attr, mods);
	return 1;
}

/* A tracepoint sys:name from tracefs. Returns 1 when found, 0 when not, -errno on a read error. */
static int
evspec_parse_tracepoint(struct evspec *spec, const char *text)
{
	const char *colon = strchr(text, ':'), *dir;
	char *path;
	unsigned long long id;
	FILE *f;
	int n;

	if (!colon || colon == text || !colon[1] || strchr(colon + 1, ':') || strchr(text, '/'))
		return 0;
	dir = sys_tracefs_dir();
	if (!dir)
		return 0;
	path = xasprintf("%s/events/%.*s/%s/id", dir, (int)(colon - text), text, colon + 1);
	f = fopen(path, "re");
	free(path);
	if (!f)
		return 0;
	n = fscanf(f, "%llu", &id);
	fclose(f);
	if (n != 1)
		return 0;
	evspec_fill(spec, text, text, "tracepoint", EVSPEC_TRACEPOINT, PERF_TYPE_TRACEPOINT, id);
	return 1;
}

/* A libpfm4 name. Returns 1 when encoded, 0 when libpfm4 does not know it, -EINVAL with err. */
static int
evspec_parse_pfm(struct evspec *spec, const char *text, struct errbuf *err)
{
	struct pmu_encoding enc;
	int r = pmu_encode(text, &enc, err);

	if (r <= 0)
		return r;
	evspec_fill(spec, text, enc.canonical, enc.pmu, EVSPEC_PMU, enc.type, enc.config);
	spec->attr.config1 = enc.config1;
	spec->attr.config2 = enc.config2;
	spec->attr.exclude_user = enc.exclude_user;
	spec->attr.exclude_kernel = enc.exclude_kernel;
	spec->attr.exclude_hv = enc.exclude_hv;
	spec->attr.precise_ip = enc.precise_ip;
	pmu_encoding_fini(&enc);
	return 1;
}

static void
evspec_suggest_tracepoints(struct strdist_best *best, char ***owned, size_t *nowned)
{
	const char *dir = sys_tracefs_dir();
	char *path;
	DIR *top, *sub;
	struct dirent *s, *e;

	if (!dir)
		return;
	path = xasprintf("%s/events", dir);
	top = opendir(path);
	free(path);
	if (!top)
		return;
	while ((s = readdir(top))) {
		if (s->d_name[0] == '.' || s->d_type != DT_DIR)
			continue;
		path = xasprintf("%s/events/%s", dir, s->d_name);
		sub = opendir(path);
		free(path);
		if (!sub)
			continue;
		while ((e = readdir(sub))) {
			char *name;

			if (e->d_name[0] == '.' || e->d_type != DT_DIR)
				continue;
			name = xasprintf("%s:%s", s->d_name, e->d_name);
			*owned = xreallocarray(*owned, *nowned + 1, sizeof(char *));
			(*owned)[(*nowned)++] = name;
			strdist_best_offer(best, name);
		}
		closedir(sub);
	}
	closedir(top);
}

struct evspec_suggest {
	struct strdist_best *best;
	char ***owned;
	size_t *nowned;
};

static void
evspec_suggest_pfm_one(void *ctx, const char *pmu, const char *event, const char *umask,
		       const char *desc)
{
	struct evspec_suggest *sg = ctx;

	(void)pmu;
	(void)desc;
	if (umask)
		return;
	*sg->owned = xreallocarray(*sg->owned, *sg->nowned + 1, sizeof(char *));
	(*sg->owned)[(*sg->nowned)++] = xstrdup(event);
	strdist_best_offer(sg->best, (*sg->owned)[*sg->nowned - 1]);
}

static void
evspec_suggest_pfm(struct strdist_best *best, char ***owned, size_t *nowned)
{
	struct evspec_suggest sg = { best, owned, nowned };

	pmu_foreach_event(evspec_suggest_pfm_one, &sg);
}

/* The "unknown event" message with the closest names we know. */
static int
evspec_unknown(const char *text, const char *base, struct errbuf *err)
{
	struct strdist_best best;
	char name[64], **owned = NULL, *close;
	unsigned long long config;
	size_t nowned = 0;

	strdist_best_init(&best, base);
	for (const struct evspec_generic *g = evspec_generics; g->name; g++)
		strdist_best_offer(&best, g->name);
	for (size_t i = 0; evspec_cache_name(i, name, sizeof(name), &config); i++) {
		owned = xreallocarray(owned, nowned + 1, sizeof(char *));
		owned[nowned++] = xstrdup(name);
		strdist_best_offer(&best, owned[nowned - 1]);
	}
	evspec_suggest_pfm(&best, &owned, &nowned);
	if (strchr(base, ':'))
		evspec_suggest_tracepoints(&best, &owned, &nowned);
	close = strdist_best_format(&best);
	if (*close)
		errbuf_fail(err, -ENOENT,
			    "unknown event '%s'; did you mean %s? (see 'ringside list')", text,
			    close);
	else
		errbuf_fail(
			err, -ENOENT,
			"unknown event '%s'; see 'ringside list' for the events this machine has",
			text);
	free(close);
	for (size_t i = 0; i < nowned; i++)
		free(owned[i]);
	free(owned);
	return -ENOENT;
}

int
evspec_parse(struct evspec *spec, const char *text, struct errbuf *err)
{
	char *base = NULL;
	const char *mods = NULL, *colon;
	size_t len = strlen(text);
	int r;

	memset(spec, 0, sizeof(*spec));
	if (len == 0)
		return errbuf_fail(err, -EINVAL,
				   "empty event name in the event list; separate events with "
				   "one comma");
	if (len > 512)
		return errbuf_fail(err, -EINVAL, "event name too long (%zu characters)", len);
	for (const char *p = text; *p; p++)
		if (!isgraph((unsigned char)*p) || *p == ',')
			return errbuf_fail(err, -EINVAL,
					   "event '%s' contains a space or control character",
					   text);
	if (text[len - 1] == ':')
		return errbuf_fail(err, -EINVAL,
				   "event '%s' ends with ':'; add modifiers (u, k, h, p) or remove "
				   "the colon",
				   text);

	colon = strrchr(text, ':');
	if (colon && colon > text && colon[-1] != ':' && evspec_is_modifier_string(colon + 1)) {
		base = xstrndup(text, colon - text);
		mods = colon + 1;
	} else {
		base = xstrdup(text);
	}
	if (evspec_parse_builtin(spec, text, base, mods)) {
		r = 0;
		goto out;
	}
	if (colon && strchr(text, ':') == colon) {
		/* One colon: a tracepoint sys:name, or a known name with letters that are not
		 * modifiers. */
		char *head = xstrndup(text, colon - text);
		struct evspec probe;
		int known;

		if (evspec_parse_tracepoint(spec, text)) {
			free(head);
			r = 0;
			goto out;
		}
		known = !mods && evspec_parse_builtin(&probe, head, head, NULL);
		if (known)
			evspec_fini(&probe);
		free(head);
		if (known) {
			errbuf_fail(
				err, -EINVAL,
				"event '%s': unknown modifier '%s'; modifiers are u, k, h and p",
				text, colon + 1);
			r = -EINVAL;
			goto out;
		}
	}
	r = evspec_parse_pfm(spec, text, err);
	if (r == 1) {
		r = 0;
		goto out;
	}
	if (r < 0)
		goto out;
	r = evspec_unknown(text, base, err);
out:
	free(base);
	return r;
}

void
evspec_copy(struct evspec *dst, const struct evspec *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->canonical = xstrdup(src->canonical);
	dst->pmu = xstrdup(src->pmu);
}

void
evspec_fini(struct evspec *spec)
{
	free(spec->name);
	free(spec->canonical);
	free(spec->pmu);
	memset(spec, 0, sizeof(*spec));
}

int
evspec_list_parse(struct evspec_list *list, const char *text, struct errbuf *err)
{
	const char *p = text;

	for (;;) {
		const char *end = strchr(p, ',');
		char *one = end ? xstrndup(p, end - p) : xstrdup(p);
		struct evspec spec;
		int r;

		r = evspec_parse(&spec, one, err);
		free(one);
		if (r < 0)
			return r;
		for (size_t i = 0; i < list->n; i++) {
			if (strcmp(list->v[i].name, spec.name) == 0) {
				errbuf_fail(err, -EINVAL,
					    "event '%s' is given twice; name each event once",
					    spec.name);
				evspec_fini(&spec);
				return -EINVAL;
			}
		}
		list->v = xreallocarray(list->v, list->n + 1, sizeof(*list->v));
		list->v[list->n++] = spec;
		if (!end)
			return 0;
		p = end + 1;
	}
}

bool
evspec_have_pmu(void)
{
	static int have = -1;
	struct perf_event_attr attr = {
		.type = PERF_TYPE_HARDWARE,
		.config = PERF_COUNT_HW_CPU_CYCLES,
		.disabled = 1,
		.exclude_kernel = 1,
		.exclude_hv = 1,
	};
	int fd;

	if (have < 0) {
		fd = sys_perf_open(&attr, 0, -1, -1);
		have = fd >= 0;
		if (fd >= 0)
			close(fd);
	}
	return have;
}

void
evspec_list_defaults(struct evspec_list *list)
{
	if (evspec_have_pmu())
		evspec_list_parse(
			list,
			"cycles,instructions,cache-references,cache-misses,branches,branch-misses",
			NULL);
	else
		evspec_list_parse(list, "task-clock,context-switches,cpu-migrations,page-faults",
				  NULL);
}

void
evspec_sampling_default(struct evspec *spec)
{
	evspec_parse(spec, evspec_have_pmu() ? "cycles" : "cpu-clock", NULL);
}

void
evspec_list_fini(struct evspec_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		evspec_fini(&list->v[i]);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}
