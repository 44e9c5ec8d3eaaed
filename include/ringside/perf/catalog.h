/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The catalog of events this machine offers: perf's generic events, the events of every PMU
 * libpfm4 knows to be present, and tracepoints from tracefs, each with a description. With
 * CATALOG_CONFIRM, events a CPU's PMU counts are kept only when perf_event_open accepts them
 * (libpfm4 reports a PMU from CPUID even where the kernel exposes none); otherwise they are kept
 * and marked.
 */
#ifndef RINGSIDE_PERF_CATALOG_H
#define RINGSIDE_PERF_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

enum catalog_flags {
	CATALOG_CONFIRM = 1 << 0, /* try to open each PMU event; drop those that do not open */
	CATALOG_NO_TRACEPOINTS = 1 << 1,
	CATALOG_TRACE_FIELDS = 1 << 2, /* describe tracepoints by their format's fields (slower) */
};

struct catalog_entry {
	char *name;
	char *desc;
	const char *group; /* "hardware", "cache", "software", "tracepoint" or a PMU name */
	bool supported;	   /* opened here (always true for software and tracepoints) */
};

struct catalog {
	struct catalog_entry *v;
	size_t n, cap;
};

/* Build the catalog (flags from enum catalog_flags). */
void catalog_build(struct catalog *cat, unsigned flags);
/* Case-insensitive match of pattern (a substring, or a glob with * ? [) against name or desc. */
bool catalog_entry_matches(const struct catalog_entry *e, const char *pattern);
/*
 * The entries matching pattern, best first: the name equal to it, names starting with it, names
 * holding it, then entries that match by description only (catalog order within each); an empty or
 * NULL pattern gives every entry. Fills idx (room for cat->n) and returns the count.
 */
size_t catalog_filter(const struct catalog *cat, const char *pattern, size_t *idx);
/* Release the catalog (cat may be zeroed). */
void catalog_fini(struct catalog *cat);

#endif
