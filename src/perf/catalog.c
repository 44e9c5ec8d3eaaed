// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The events this machine offers, with descriptions: perf's generic events, the present PMUs'
 * events from libpfm4 (confirmed with perf_event_open, since libpfm4 trusts CPUID where the kernel
 * may expose no PMU at all), and tracepoints from tracefs.
 */
#include <ctype.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "ringside/perf/catalog.h"
#include "ringside/perf/evspec.h"
#include "ringside/perf/pmu.h"
#include "ringside/perf/sys.h"
#include "ringside/util/xalloc.h"

static void
catalog_add(struct catalog *cat, char *name, char *desc, const char *group, bool supported)
{
	if (cat->n == cat->cap) {
		cat->cap = cat->cap ? cat->cap * 2 : 256;
		cat->v = xreallocarray(cat->v, cat->cap, sizeof(*cat->v));
	}
	cat->v[cat->n++] = (struct catalog_entry){ name, desc, group, supported };
}

/* True when the kernel opens attr for this process (user space only, so any paranoia level works).
 */
static bool
catalog_opens(const struct perf_event_attr *spec_attr)
{
	struct perf_event_attr attr = *spec_attr;
	int fd;

	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	fd = sys_perf_open(&attr, 0, -1, -1);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static void
catalog_generic(struct catalog *cat, unsigned flags)
{
	char name[64];
	unsigned long long config;

	for (const struct evspec_generic *g = evspec_generic_table(); g->name; g++) {
		struct perf_event_attr attr = {
			.type = g->kind == EVSPEC_HARDWARE ? PERF_TYPE_HARDWARE
							   : PERF_TYPE_SOFTWARE,
			.config = g->config,
		};
		bool ok = g->kind == EVSPEC_SOFTWARE || catalog_opens(&attr);

		if (!ok && (flags & CATALOG_CONFIRM))
			continue;
		catalog_add(cat, xstrdup(g->name), xstrdup(g->desc), evspec_kind_name(g->kind), ok);
	}
	for (size_t i = 0; evspec_cache_name(i, name, sizeof(name), &config); i++) {
		struct perf_event_attr attr = { .type = PERF_TYPE_HW_CACHE, .config = config };
		bool ok = catalog_opens(&attr);

		if (!ok && (flags & CATALOG_CONFIRM))
			continue;
		catalog_add(cat, xstrdup(name), xasprintf("Cache event: %s", name), "cache", ok);
	}
}

struct catalog_pmu_ctx {
	struct catalog *cat;
	unsigned flags;
	bool event_ok; /* the last event seen opened; its umasks inherit the answer */
};

static void
catalog_pmu_event(void *ctx, const char *pmu, const char *event, const char *umask,
		  const char *desc)
{
	struct catalog_pmu_ctx *c = ctx;
	char *name =
		umask ? xasprintf("%s::%s:%s", pmu, event, umask) : xasprintf("%s::%s", pmu, event);
	struct evspec spec;

	if (!umask) {
		c->event_ok = evspec_parse(&spec, name, NULL) == 0 && catalog_opens(&spec.attr);
		if (spec.name)
			evspec_fini(&spec);
	}
	if (!c->event_ok && (c->flags & CATALOG_CONFIRM)) {
		free(name);
		return;
	}
	catalog_add(c->cat, name, xstrdup(desc), pmu, c->event_ok);
}

static void
catalog_pfm(struct catalog *cat, unsigned flags)
{
	struct catalog_pmu_ctx ctx = { cat, flags, false };

	pmu_foreach_event(catalog_pmu_event, &ctx);
}

/* A tracepoint's description: its fields from the format file, or just "tracepoint". */
static char *
catalog_trace_desc(const char *dir, const char *sys, const char *ev, unsigned flags)
{
	char *path, line[512], *desc;
	FILE *f;

	if (!(flags & CATALOG_TRACE_FIELDS))
		return xasprintf("Tracepoint %s:%s", sys, ev);
	path = xasprintf("%s/events/%s/%s/format", dir, sys, ev);
	f = fopen(path, "re");
	free(path);
	desc = xstrdup("Tracepoint; fields:");
	if (!f)
		return desc;
	while (fgets(line, sizeof(line), f)) {
		char *field = strstr(line, "field:"), *semi, *name, *next;

		if (!field || strstr(line, "common_"))
			continue;
		semi = strchr(field, ';');
		if (!semi)
			continue;
		*semi = '\0';
		name = semi;
		while (name > field && (isalnum((unsigned char)name[-1]) || name[-1] == '_' ||
					name[-1] == '[' || name[-1] == ']'))
			name--;
		if (strchr(name, '['))
			*strchr(name, '[') = '\0';
		next = xasprintf("%s %s", desc, name);
		free(desc);
		desc = next;
	}
	fclose(f);
	return desc;
}

static int
catalog_name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Names of the directories in path, sorted; returns the count. */
static size_t
catalog_subdirs(const char *path, char ***out)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		*out = xreallocarray(*out, n + 1, sizeof(char *));
		(*out)[n++] = xstrdup(e->d_name);
	}
	closedir(d);
	qsort(*out, n, sizeof(char *), catalog_name_cmp);
	return n;
}

static void
catalog_tracepoints(struct catalog *cat, unsigned flags)
{
	const char *dir = sys_tracefs_dir();
	char *path, **systems, **events;
	size_t ns, ne;

	if (!dir)
		return;
	path = xasprintf("%s/events", dir);
	ns = catalog_subdirs(path, &systems);
	free(path);
	for (size_t i = 0; i < ns; i++) {
		path = xasprintf("%s/events/%s", dir, systems[i]);
		ne = catalog_subdirs(path, &events);
		free(path);
		for (size_t j = 0; j < ne; j++) {
			catalog_add(cat, xasprintf("%s:%s", systems[i], events[j]),
				    catalog_trace_desc(dir, systems[i], events[j], flags),
				    "tracepoint", true);
			free(events[j]);
		}
		free(events);
		free(systems[i]);
	}
	free(systems);
}

void
catalog_build(struct catalog *cat, unsigned flags)
{
	memset(cat, 0, sizeof(*cat));
	catalog_generic(cat, flags);
	catalog_pfm(cat, flags);
	if (!(flags & CATALOG_NO_TRACEPOINTS))
		catalog_tracepoints(cat, flags);
}

static bool
catalog_match_one(const char *text, const char *pattern, bool glob)
{
	if (glob)
		return fnmatch(pattern, text, FNM_CASEFOLD) == 0;
	return strcasestr(text, pattern) != NULL;
}

bool
catalog_entry_matches(const struct catalog_entry *e, const char *pattern)
{
	bool glob = strpbrk(pattern, "*?[") != NULL;

	return catalog_match_one(e->name, pattern, glob) ||
	       catalog_match_one(e->desc, pattern, glob);
}

/* How well e matches pattern: 0 (name equal) to 3 (description only), 4 for no match. */
static int
catalog_rank(const struct catalog_entry *e, const char *pattern)
{
	bool glob = strpbrk(pattern, "*?[") != NULL;

	if (!glob && strcasecmp(e->name, pattern) == 0)
		return 0;
	if (!glob && strncasecmp(e->name, pattern, strlen(pattern)) == 0)
		return 1;
	if (catalog_match_one(e->name, pattern, glob))
		return 2;
	return catalog_match_one(e->desc, pattern, glob) ? 3 : 4;
}

size_t
catalog_filter(const struct catalog *cat, const char *pattern, size_t *idx)
{
	size_t n = 0;

	if (!pattern || !*pattern) {
		for (size_t i = 0; i < cat->n; i++)
			idx[n++] = i;
		return n;
	}
	/* One pass per rank keeps the catalog's order within a rank, without sorting. */
	for (int rank = 0; rank < 4; rank++)
		for (size_t i = 0; i < cat->n; i++)
			if (catalog_rank(&cat->v[i], pattern) == rank)
				idx[n++] = i;
	return n;
}

void
catalog_fini(struct catalog *cat)
{
	for (size_t i = 0; i < cat->n; i++) {
		free(cat->v[i].name);
		free(cat->v[i].desc);
	}
	free(cat->v);
	memset(cat, 0, sizeof(*cat));
}
