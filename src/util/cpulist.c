// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * CPU lists in the kernel's "0-3,8" notation.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/util/cpulist.h"
#include "ringside/util/xalloc.h"

/* Larger than any CPU number Linux supports (CONFIG_NR_CPUS tops out at 8192). */
#define CPULIST_MAX 65536

static int
cpulist_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int
cpulist_number(const char **p, int *out)
{
	const char *s = *p;
	long v = 0;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s - '0');
		if (v >= CPULIST_MAX)
			return -ERANGE;
		s++;
	}
	*p = s;
	*out = (int)v;
	return 0;
}

int
cpulist_parse(struct cpulist *list, const char *text, struct errbuf *err)
{
	const char *p = text;
	size_t cap = 0, n = 0, i, j;
	int *cpus = NULL;

	while (*p && *p != '\n') {
		int lo, hi, r;

		r = cpulist_number(&p, &lo);
		if (r == 0 && *p == '-') {
			p++;
			r = cpulist_number(&p, &hi);
		} else {
			hi = lo;
		}
		if (r == -ERANGE) {
			errbuf_fail(err, -EINVAL, "CPU list '%s': CPU number too large", text);
			goto fail;
		}
		if (r < 0 || hi < lo || (*p && *p != ',' && *p != '\n') || (*p == ',' && !p[1])) {
			errbuf_fail(err, -EINVAL, "CPU list '%s' is malformed; write it like 0-3,8",
				    text);
			goto fail;
		}
		if (*p == ',')
			p++;
		for (int c = lo; c <= hi; c++) {
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				cpus = xreallocarray(cpus, cap, sizeof(*cpus));
			}
			cpus[n++] = c;
		}
	}
	if (n == 0) {
		errbuf_fail(err, -EINVAL, "CPU list '%s' is empty; write it like 0-3,8", text);
		goto fail;
	}
	qsort(cpus, n, sizeof(*cpus), cpulist_cmp);
	for (i = 1, j = 1; i < n; i++)
		if (cpus[i] != cpus[j - 1])
			cpus[j++] = cpus[i];
	cpulist_fini(list);
	list->cpus = cpus;
	list->n = j;
	return 0;
fail:
	free(cpus);
	return -EINVAL;
}

int
cpulist_read_file(struct cpulist *list, const char *path)
{
	char buf[4096];
	FILE *f = fopen(path, "re");
	int r;

	if (!f)
		return -errno;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	r = cpulist_parse(list, buf, NULL);
	return r;
}

int
cpulist_online(struct cpulist *list)
{
	long n;

	if (cpulist_read_file(list, "/sys/devices/system/cpu/online") == 0)
		return 0;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return -EIO;
	cpulist_fini(list);
	list->cpus = xcalloc(n, sizeof(int));
	for (long i = 0; i < n; i++)
		list->cpus[i] = (int)i;
	list->n = n;
	return 0;
}

int
cpulist_contains(const struct cpulist *list, int cpu)
{
	/* An empty list may have no array: bsearch wants one even for no elements. */
	return list->n && bsearch(&cpu, list->cpus, list->n, sizeof(int), cpulist_cmp) != NULL;
}

void
cpulist_add(struct cpulist *list, int cpu)
{
	size_t k = list->n;

	if (cpulist_contains(list, cpu))
		return;
	list->cpus = xreallocarray(list->cpus, list->n + 1, sizeof(int));
	for (; k > 0 && list->cpus[k - 1] > cpu; k--)
		list->cpus[k] = list->cpus[k - 1];
	list->cpus[k] = cpu;
	list->n++;
}

char *
cpulist_format(const struct cpulist *list)
{
	char *out = xstrdup("");

	for (size_t i = 0; i < list->n;) {
		size_t j = i;
		char *next;

		while (j + 1 < list->n && list->cpus[j + 1] == list->cpus[j] + 1)
			j++;
		if (j > i)
			next = xasprintf("%s%s%d-%d", out, *out ? "," : "", list->cpus[i],
					 list->cpus[j]);
		else
			next = xasprintf("%s%s%d", out, *out ? "," : "", list->cpus[i]);
		free(out);
		out = next;
		i = j + 1;
	}
	return out;
}

void
cpulist_fini(struct cpulist *list)
{
	free(list->cpus);
	list->cpus = NULL;
	list->n = 0;
}
