// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The snapshot's "stacks.addresses" object: the sampled instructions of the hottest functions
 * (SNAPSHOT_ADDR_FUNCS at most, by self samples, then by samples at call sites), as
 * [frame, "0xADDR", count] tuples, [frame, "0xADDR", count, calls] where the address was a call
 * site in calls samples, sorted by frame and address, so a snapshot read back is written again
 * byte for byte (and one without call sites as before). Addresses are hex strings because kernel
 * addresses do not fit JSON's signed 64-bit integers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "snapshot_internal.h"

static int
snapshot_addrs_cmp(const void *a, const void *b)
{
	const struct addrtab_entry *x = a, *y = b;

	if (x->frame != y->frame)
		return x->frame < y->frame ? -1 : 1;
	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* True when frame is among the first n of the sorted function list. */
static bool
snapshot_addrs_chosen(const struct addrtab_func *f, size_t n, uint32_t frame)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].frame == frame)
			return true;
	return false;
}

void
snapshot_addrs_write(const struct profile *p, FILE *fp)
{
	struct addrtab_func *funcs;
	struct addrtab_entry *e;
	size_t nf, n = 0, total;

	if (!p->addrs || addrtab_count(p->addrs) == 0)
		return;
	nf = addrtab_functions(p->addrs, &funcs);
	if (nf > SNAPSHOT_ADDR_FUNCS)
		nf = SNAPSHOT_ADDR_FUNCS;
	total = addrtab_count(p->addrs);
	e = xcalloc(total, sizeof(*e));
	for (size_t i = 0; i < total; i++) {
		const struct addrtab_entry *x = addrtab_get(p->addrs, i);

		/* A frame the tree gave up (never a function's) has nothing to annotate. */
		if (x->frame < frametab_nframes(p->frames) &&
		    snapshot_addrs_chosen(funcs, nf, x->frame))
			e[n++] = *x;
	}
	qsort(e, n, sizeof(*e), snapshot_addrs_cmp);
	fprintf(fp, ",\"addresses\":{\"max_functions\":%d,\"dropped\":%" PRIu64 ",\"entries\":[",
		SNAPSHOT_ADDR_FUNCS, addrtab_dropped(p->addrs));
	for (size_t i = 0; i < n; i++) {
		fprintf(fp, "%s[%" PRIu32 ",\"0x%" PRIx64 "\",%" PRIu64, i ? "," : "", e[i].frame,
			e[i].addr, e[i].count);
		if (e[i].calls)
			fprintf(fp, ",%" PRIu64, e[i].calls);
		fputc(']', fp);
	}
	fputs("]}", fp);
	free(e);
	free(funcs);
}

/* The tuple v as an entry; false when it is not [frame < nframes, "0xHEX", count(, calls)]. */
static bool
snapshot_addrs_tuple(json_t *v, size_t nframes, struct addrtab_entry *out)
{
	json_t *f = json_array_get(v, 0), *a = json_array_get(v, 1), *c = json_array_get(v, 2),
	       *k = json_array_get(v, 3);
	const char *s;
	char *end;

	if (json_array_size(v) == 4 && (!json_is_integer(k) || json_integer_value(k) < 0))
		return false;
	if (!json_is_array(v) || json_array_size(v) < 3 || json_array_size(v) > 4 ||
	    !json_is_integer(f) || json_integer_value(f) < 0 ||
	    (size_t)json_integer_value(f) >= nframes || !json_is_string(a) || !json_is_integer(c) ||
	    json_integer_value(c) < 0)
		return false;
	s = json_string_value(a);
	if (strncmp(s, "0x", 2) != 0 || !s[2])
		return false;
	errno = 0;
	out->addr = strtoull(s + 2, &end, 16);
	if (errno || *end)
		return false;
	out->frame = (uint32_t)json_integer_value(f);
	out->count = (uint64_t)json_integer_value(c);
	out->calls = k ? (uint64_t)json_integer_value(k) : 0;
	return true;
}

int
snapshot_addrs_read(json_t *stacks, struct profile *p, struct errbuf *err)
{
	json_t *obj = json_object_get(stacks, "addresses"), *a, *d, *v;
	size_t i;

	if (!obj)
		return 0;
	a = json_object_get(obj, "entries");
	d = json_object_get(obj, "dropped");
	if (!json_is_object(obj) || !json_is_array(a) || !json_is_integer(d) ||
	    json_integer_value(d) < 0)
		return errbuf_fail(
			err, -EINVAL,
			"stacks.addresses: expected {\"dropped\": N, \"entries\": [...]}");
	p->addrs = addrtab_new(json_array_size(a) > ADDRTAB_DEFAULT_MAX ? json_array_size(a) : 0);
	addrtab_add_dropped(p->addrs, (uint64_t)json_integer_value(d));
	json_array_foreach (a, i, v) {
		struct addrtab_entry e;

		if (!snapshot_addrs_tuple(v, frametab_nframes(p->frames), &e))
			return errbuf_fail(err, -EINVAL,
					   "stacks.addresses.entries[%zu]: expected [frame, "
					   "\"0xADDRESS\", count(, calls)] with a known frame",
					   i);
		addrtab_add_calls(p->addrs, e.frame, e.addr, e.calls);
		addrtab_add(p->addrs, e.frame, e.addr, e.count);
	}
	return 0;
}
