// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The snapshot's "stacks.addresses" object: the sampled instructions of the hottest functions
 * (SNAPSHOT_ADDR_FUNCS at most, by self samples, then by samples at call sites), as
 * [frame, "0xADDR", count] tuples in "entries" and, for the addresses that were call sites,
 * [frame, "0xADDR", calls] tuples in "calls" (a key older readers ignore, absent when empty),
 * each sorted by frame and address, so a snapshot read back is written again byte for byte.
 * Addresses are hex strings because kernel addresses do not fit JSON's signed 64-bit integers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "snapshot_internal.h"

/* Entry indexes by frame, then address (qsort_r's context: the table). */
static int
snapshot_addrs_cmp(const void *a, const void *b, void *ctx)
{
	const struct addrtab_entry *x = addrtab_get(ctx, *(const uint32_t *)a),
				   *y = addrtab_get(ctx, *(const uint32_t *)b);

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

/*
 * The tuples of the entries idx[0..n) of t: [frame, "0xADDR", count] of those with samples (or no
 * call site: as written before call sites were counted), or with calls, [frame, "0xADDR", calls]
 * of the call sites.
 */
static void
snapshot_addrs_list(FILE *fp, const struct addrtab *t, const uint32_t *idx, size_t n, bool calls)
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		const struct addrtab_entry *e = addrtab_get(t, idx[i]);
		uint64_t v = calls ? e->calls : e->count;

		if (calls ? v == 0 : v == 0 && e->calls)
			continue;
		fprintf(fp, "%s[%" PRIu32 ",\"0x%" PRIx64 "\",%" PRIu64 "]", first ? "" : ",",
			e->frame, e->addr, v);
		first = false;
	}
}

/*
 * The chosen entries are kept as indexes into the table (4 bytes each, and as much for the
 * sort's buffer), not copies (32 bytes, and as much again for the sort's): the write's own peak.
 */
void
snapshot_addrs_write(const struct profile *p, FILE *fp)
{
	struct addrtab_func *funcs;
	uint32_t *idx;
	size_t nf, n = 0, total;
	bool calls = false;

	if (!p->addrs || addrtab_count(p->addrs) == 0)
		return;
	nf = addrtab_functions(p->addrs, &funcs);
	if (nf > SNAPSHOT_ADDR_FUNCS)
		nf = SNAPSHOT_ADDR_FUNCS;
	total = addrtab_count(p->addrs);
	idx = xreallocarray(NULL, total, sizeof(*idx));
	for (size_t i = 0; i < total; i++) {
		const struct addrtab_entry *x = addrtab_get(p->addrs, i);

		/* A frame the tree gave up (never a function's) has nothing to annotate. */
		if (x->frame < frametab_nframes(p->frames) &&
		    snapshot_addrs_chosen(funcs, nf, x->frame)) {
			idx[n++] = (uint32_t)i;
			calls = calls || x->calls;
		}
	}
	free(funcs);
	qsort_r(idx, n, sizeof(*idx), snapshot_addrs_cmp, p->addrs);
	fprintf(fp, ",\"addresses\":{\"max_functions\":%d,\"dropped\":%" PRIu64 ",\"entries\":[",
		SNAPSHOT_ADDR_FUNCS, addrtab_dropped(p->addrs));
	snapshot_addrs_list(fp, p->addrs, idx, n, false);
	fputc(']', fp);
	/* Call sites: a key of their own, so that older readers read the rest as before. */
	if (calls) {
		fputs(",\"calls\":[", fp);
		snapshot_addrs_list(fp, p->addrs, idx, n, true);
		fputc(']', fp);
	}
	fputc('}', fp);
	free(idx);
}

/* The tuple v as an entry; false when it is not [frame < nframes, "0xHEX", count]. */
static bool
snapshot_addrs_tuple(json_t *v, size_t nframes, struct addrtab_entry *out)
{
	json_t *f = json_array_get(v, 0), *a = json_array_get(v, 1), *c = json_array_get(v, 2);
	const char *s;
	char *end;

	if (!json_is_array(v) || json_array_size(v) != 3 || !json_is_integer(f) ||
	    json_integer_value(f) < 0 || (size_t)json_integer_value(f) >= nframes ||
	    !json_is_string(a) || !json_is_integer(c) || json_integer_value(c) < 0)
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
	return true;
}

/* Read the tuples of array a (key name) into p->addrs: self samples, or calls. */
static int
snapshot_addrs_read_list(json_t *a, const char *name, bool calls, struct profile *p,
			 struct errbuf *err)
{
	json_t *v;
	size_t i;

	json_array_foreach (a, i, v) {
		struct addrtab_entry e;

		if (!snapshot_addrs_tuple(v, frametab_nframes(p->frames), &e))
			return errbuf_fail(err, -EINVAL,
					   "stacks.addresses.%s[%zu]: expected [frame, "
					   "\"0xADDRESS\", %s] with a known frame",
					   name, i, calls ? "calls" : "count");
		if (calls)
			addrtab_add_calls(p->addrs, e.frame, e.addr, e.count);
		else
			addrtab_add(p->addrs, e.frame, e.addr, e.count);
	}
	return 0;
}

int
snapshot_addrs_read(json_t *stacks, struct profile *p, struct errbuf *err)
{
	json_t *obj = json_object_get(stacks, "addresses"), *a, *d, *c;
	size_t n;

	if (!obj)
		return 0;
	a = json_object_get(obj, "entries");
	d = json_object_get(obj, "dropped");
	c = json_object_get(obj, "calls");
	if (!json_is_object(obj) || !json_is_array(a) || !json_is_integer(d) ||
	    json_integer_value(d) < 0 || (c && !json_is_array(c)))
		return errbuf_fail(
			err, -EINVAL,
			"stacks.addresses: expected {\"dropped\": N, \"entries\": [...]} "
			"and optionally \"calls\": [...]");
	n = json_array_size(a) + (c ? json_array_size(c) : 0);
	p->addrs = addrtab_new(n > ADDRTAB_DEFAULT_MAX ? n : 0);
	addrtab_add_dropped(p->addrs, (uint64_t)json_integer_value(d));
	if (snapshot_addrs_read_list(a, "entries", false, p, err) < 0)
		return -EINVAL;
	return c ? snapshot_addrs_read_list(c, "calls", true, p, err) : 0;
}
