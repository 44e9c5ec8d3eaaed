// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for model/addrtab, the per-address sample counts: adding and bumping, the bound
 * (samples past it counted as dropped), its compaction (the hottest kept), a function's addresses
 * in order, the functions by samples; call sites (a second count, functions with only those last);
 * their snapshot key (stacks.addresses: a round trip byte for byte, with call sites, a kernel
 * address above INT64_MAX, a malformed entry refused, a snapshot without the key read without
 * counts); and the annotation's notes where there is no code to show.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/snapshot.h"
#include "ringside/model/addrtab.h"
#include "ringside/model/profile.h"
#include "ringside/sym/annotate.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"

static void
test_add_bump(void **state)
{
	struct addrtab *t = addrtab_new(0);
	uint32_t a, b;

	(void)state;
	a = addrtab_add(t, 7, 0x1000, 1);
	b = addrtab_add(t, 7, 0x1004, 2);
	assert_int_not_equal(a, b);
	assert_int_equal(addrtab_add(t, 7, 0x1000, 3), a);
	/* The same address under another function is another entry. */
	assert_int_not_equal(addrtab_add(t, 8, 0x1000, 1), a);
	addrtab_bump(t, a, 5);
	assert_int_equal(addrtab_count(t), 3);
	assert_int_equal(addrtab_get(t, a)->count, 9);
	assert_int_equal(addrtab_get(t, b)->count, 2);
	assert_int_equal(addrtab_dropped(t), 0);
	addrtab_free(t);
}

static void
test_bound(void **state)
{
	struct addrtab *t = addrtab_new(100);

	(void)state;
	for (uint64_t i = 0; i < 100; i++)
		assert_int_not_equal(addrtab_add(t, 1, 0x400000 + 4 * i, 1), ADDRTAB_NONE);
	assert_int_equal(addrtab_add(t, 1, 0x500000, 3), ADDRTAB_NONE);
	addrtab_bump(t, ADDRTAB_NONE, 2);
	/* A known address still counts when the table is full. */
	assert_int_not_equal(addrtab_add(t, 1, 0x400000, 1), ADDRTAB_NONE);
	assert_int_equal(addrtab_count(t), 100);
	assert_int_equal(addrtab_dropped(t), 5);
	assert_int_equal(addrtab_get(t, 0)->count, 2);
	addrtab_free(t);
}

static void
test_growth(void **state)
{
	struct addrtab *t = addrtab_new(0);

	(void)state;
	/* Far past the first hash size, in an order that collides in the low bits. */
	for (uint64_t i = 0; i < 50000; i++)
		assert_int_equal(addrtab_add(t, (uint32_t)(i % 3), i << 12, 1), i);
	for (uint64_t i = 0; i < 50000; i++)
		assert_int_equal(addrtab_add(t, (uint32_t)(i % 3), i << 12, 1), i);
	for (uint64_t i = 0; i < 50000; i++)
		assert_int_equal(addrtab_get(t, i)->count, 2);
	addrtab_free(t);
}

/*
 * Compaction: the hottest entries stay (self and call-site samples together; at the cut the
 * newer), in their order, findable again at their new indexes; the rest's samples go to dropped,
 * the epoch goes up and new addresses fit again.
 */
static void
test_compact(void **state)
{
	struct addrtab *t = addrtab_new(8);
	struct addrtab_entry *e;
	uint64_t total = 0;
	size_t n;

	(void)state;
	assert_int_equal(addrtab_epoch(t), 0);
	assert_int_equal(addrtab_compact(t, 4), 0); /* nothing to give back */
	for (uint64_t i = 0; i < 8; i++)
		addrtab_add(t, (uint32_t)(i % 2), 0x1000 + 4 * i, 1);
	addrtab_add(t, 0, 0x1000, 9);	    /* entry 0: 10 */
	addrtab_add_calls(t, 1, 0x1014, 6); /* entry 5: 1 + 6 */
	addrtab_add(t, 0, 0x1008, 1);	    /* entry 2: 2 */
	assert_int_equal(addrtab_room(t), 0);
	assert_int_equal(addrtab_add(t, 3, 0x3000, 1), ADDRTAB_NONE);
	assert_int_equal(addrtab_dropped(t), 1);
	/* Keep 4: 10, 7, 2 and, of the five entries at 1, the newest (entry 7). */
	assert_int_equal(addrtab_compact(t, 4), 4);
	assert_int_equal(addrtab_epoch(t), 1);
	assert_int_equal(addrtab_count(t), 4);
	assert_int_equal(addrtab_room(t), 4);
	assert_int_equal(addrtab_dropped(t), 1 + 4);
	assert_true(addrtab_get(t, 0)->addr == 0x1000 && addrtab_get(t, 0)->count == 10);
	assert_true(addrtab_get(t, 1)->addr == 0x1008 && addrtab_get(t, 1)->count == 2);
	assert_true(addrtab_get(t, 2)->addr == 0x1014 && addrtab_get(t, 2)->calls == 6);
	assert_true(addrtab_get(t, 3)->addr == 0x101c && addrtab_get(t, 3)->count == 1);
	/* The hash follows: known pairs find their new index, a given-back one is new again. */
	assert_int_equal(addrtab_add(t, 1, 0x1014, 1), 2);
	assert_int_equal(addrtab_add(t, 0, 0x1000, 0), 0);
	assert_int_equal(addrtab_add(t, 1, 0x1004, 1), 4);
	assert_int_equal(addrtab_add(t, 3, 0x3000, 1), 5);
	assert_int_equal(addrtab_function(t, 0, &e, &n), 12);
	assert_int_equal(n, 2);
	free(e);
	for (size_t i = 0; i < addrtab_count(t); i++)
		total += addrtab_get(t, i)->count + addrtab_get(t, i)->calls;
	/* Nothing lost: what is held and what was dropped are every sample added. */
	assert_int_equal(total + addrtab_dropped(t), 8 + 9 + 6 + 1 + 1 + 1 + 1 + 1);
	/* Keep 0 gives back everything. */
	assert_int_equal(addrtab_compact(t, 0), 6);
	assert_int_equal(addrtab_count(t), 0);
	assert_int_equal(addrtab_add(t, 0, 0x1000, 1), 0);
	addrtab_free(t);
}

struct ref_ent {
	uint64_t w, addr;
	size_t i;
};

/* Heaviest first; at equal weight the newer (higher index) first. */
static int
ref_cmp(const void *a, const void *b)
{
	const struct ref_ent *x = a, *y = b;

	if (x->w != y->w)
		return x->w > y->w ? -1 : 1;
	return x->i > y->i ? -1 : x->i < y->i;
}

static int
ref_by_index(const void *a, const void *b)
{
	const struct ref_ent *x = a, *y = b;

	return (x->i > y->i) - (x->i < y->i);
}

/*
 * Compaction keeps what a sort of the weights would: random tables (weights 0 to 40 and a few
 * huge ones, so ties are many) against a sorted copy, keeping none, then more by 7 or 23 each
 * time up to nearly all (keep == N would be a compaction that drops nothing).
 */
static void
test_compact_matches_sort(void **state)
{
	enum { N = 300 };
	static struct ref_ent ref[N];
	uint64_t seed = 12345;

	(void)state;
	for (int round = 0; round < 40; round++) {
		for (size_t keep = 0; keep <= N; keep += round % 2 ? 7 : 23) {
			struct addrtab *t = addrtab_new(N);
			uint64_t dropped = 0;

			for (size_t i = 0; i < N; i++) {
				uint64_t w;

				seed = seed * 6364136223846793005ull + 1442695040888963407ull;
				w = (seed >> 33) % 41;
				if ((seed >> 20) % 50 == 0)
					w = (seed >> 8) | (1ull << 40);
				ref[i] = (struct ref_ent){ w, 0x1000 + 16 * i, i };
				if (i % 3 == 0) {
					addrtab_add(t, 7, ref[i].addr, w);
				} else {
					addrtab_add(t, 7, ref[i].addr, w / 2);
					addrtab_add_calls(t, 7, ref[i].addr, w - w / 2);
				}
			}
			qsort(ref, N, sizeof(ref[0]), ref_cmp);
			for (size_t i = keep; i < N; i++)
				dropped += ref[i].w;
			qsort(ref, keep, sizeof(ref[0]), ref_by_index);
			assert_int_equal(addrtab_compact(t, keep), N - keep);
			assert_int_equal(addrtab_count(t), keep);
			assert_int_equal(addrtab_dropped(t), dropped);
			for (size_t i = 0; i < keep; i++) {
				const struct addrtab_entry *e = addrtab_get(t, i);

				assert_int_equal(e->addr, ref[i].addr);
				assert_int_equal(e->count + e->calls, ref[i].w);
			}
			addrtab_free(t);
		}
	}
}

/* Many rounds of compaction under a stream of mostly new addresses: the table stays bounded. */
static void
test_compact_stream(void **state)
{
	struct addrtab *t = addrtab_new(1024);
	size_t mem = 0;

	(void)state;
	for (uint64_t i = 0; i < 100000; i++) {
		if (addrtab_room(t) < 8)
			addrtab_compact(t, addrtab_count(t) / 2);
		/* A hot address every eighth sample, the rest seen once. */
		assert_int_not_equal(addrtab_add(t, 1, i % 8 ? 0x100000 + i : 0x42, 1),
				     ADDRTAB_NONE);
		if (i == 5000)
			mem = addrtab_memory(t);
	}
	assert_true(addrtab_memory(t) <= mem);
	assert_true(addrtab_epoch(t) > 100);
	/* The hot address kept every one of its samples. */
	assert_int_equal(addrtab_get(t, addrtab_add(t, 1, 0x42, 0))->count, 100000 / 8);
	addrtab_free(t);
}

static void
test_functions(void **state)
{
	struct addrtab *t = addrtab_new(0);
	struct addrtab_entry *e;
	struct addrtab_func *f;
	size_t n;

	(void)state;
	addrtab_add(t, 3, 0x30, 5);
	addrtab_add(t, 2, 0x28, 1);
	addrtab_add(t, 3, 0x10, 7);
	addrtab_add(t, 2, 0x20, 2);
	addrtab_add(t, 9, 0x90, 1);
	assert_int_equal(addrtab_function(t, 3, &e, &n), 12);
	assert_int_equal(n, 2);
	assert_true(e[0].addr == 0x10 && e[0].count == 7);
	assert_true(e[1].addr == 0x30 && e[1].count == 5);
	free(e);
	assert_int_equal(addrtab_function(t, 4, &e, &n), 0);
	assert_null(e);
	assert_int_equal(addrtab_functions(t, &f), 3);
	assert_true(f[0].frame == 3 && f[0].samples == 12 && f[0].naddrs == 2);
	assert_true(f[1].frame == 2 && f[1].samples == 3);
	assert_true(f[2].frame == 9 && f[2].samples == 1);
	free(f);
	addrtab_free(t);
}

/*
 * The function list against sums made one frame at a time, for random tables of many frames with
 * ties in samples and calls: same functions, same totals, same order.
 */
static void
test_functions_match_sums(void **state)
{
	enum { N = 2000, FRAMES = 97 };
	uint64_t seed = 777;

	(void)state;
	for (int round = 0; round < 20; round++) {
		struct addrtab *t = addrtab_new(N);
		uint64_t samples[FRAMES] = { 0 }, calls[FRAMES] = { 0 };
		size_t naddrs[FRAMES] = { 0 }, nf, k = 0;
		struct addrtab_func *f;

		for (size_t i = 0; i < N; i++) {
			uint32_t frame;
			uint64_t w;

			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			frame = (uint32_t)((seed >> 33) % FRAMES);
			w = (seed >> 20) % 4;
			if (i % 2)
				addrtab_add(t, frame, 0x1000 + 16 * i, w);
			else
				addrtab_add_calls(t, frame, 0x1000 + 16 * i, w);
			samples[frame] += i % 2 ? w : 0;
			calls[frame] += i % 2 ? 0 : w;
			naddrs[frame]++;
		}
		nf = addrtab_functions(t, &f);
		for (uint32_t fr = 0; fr < FRAMES; fr++)
			k += naddrs[fr] > 0;
		assert_int_equal(nf, k);
		for (size_t i = 0; i < nf; i++) {
			assert_int_equal(f[i].samples, samples[f[i].frame]);
			assert_int_equal(f[i].calls, calls[f[i].frame]);
			assert_int_equal(f[i].naddrs, naddrs[f[i].frame]);
			if (i > 0)
				assert_true(f[i - 1].samples > f[i].samples ||
					    (f[i - 1].samples == f[i].samples &&
					     (f[i - 1].calls > f[i].calls ||
					      (f[i - 1].calls == f[i].calls &&
					       f[i - 1].frame < f[i].frame))));
		}
		free(f);
		addrtab_free(t);
	}
}

/* Call sites: a second count on the same entries, in the function order after self samples. */
static void
test_calls(void **state)
{
	struct addrtab *t = addrtab_new(3);
	struct addrtab_entry *e;
	struct addrtab_func *f;
	uint32_t a;
	size_t n;

	(void)state;
	a = addrtab_add(t, 1, 0x10, 2);
	assert_int_equal(addrtab_add_calls(t, 1, 0x10, 3), a);
	addrtab_bump_calls(t, a, 1);
	addrtab_add_calls(t, 5, 0x50, 9); /* a caller only */
	addrtab_add(t, 6, 0x60, 1);
	assert_int_equal(addrtab_get(t, a)->count, 2);
	assert_int_equal(addrtab_get(t, a)->calls, 4);
	/* Full: a new call site is dropped, a known one still counts. */
	assert_int_equal(addrtab_add_calls(t, 7, 0x70, 2), ADDRTAB_NONE);
	addrtab_bump_calls(t, ADDRTAB_NONE, 1);
	assert_int_equal(addrtab_dropped(t), 3);
	assert_int_equal(addrtab_function(t, 5, &e, &n), 0);
	assert_true(n == 1 && e[0].count == 0 && e[0].calls == 9);
	free(e);
	assert_int_equal(addrtab_functions(t, &f), 3);
	assert_true(f[0].frame == 1 && f[0].samples == 2 && f[0].calls == 4);
	assert_true(f[1].frame == 6 && f[1].samples == 1 && f[1].calls == 0);
	assert_true(f[2].frame == 5 && f[2].samples == 0 && f[2].calls == 9);
	free(f);
	addrtab_free(t);
}

static char *
write_to_memory(const struct profile *p, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct errbuf err;

	assert_non_null(fp);
	errbuf_clear(&err);
	assert_int_equal(snapshot_write(p, fp, &err), 0);
	assert_int_equal(fclose(fp), 0);
	return buf;
}

static struct profile *
make_profile(uint32_t *fn, uint32_t *kfn)
{
	struct profile *p = profile_new();
	uint32_t proc, thr;

	p->meta.ncpus = 2;
	p->meta.end_reason = xstrdup("duration");
	profile_enable_stacks(p, 0, 0);
	p->sampling.event = xstrdup("cpu-clock");
	p->sampling.callgraph = xstrdup("fp");
	proc = frametab_intern(p->frames, "w", NULL, NULL, 1, FRAME_PROCESS, false);
	thr = frametab_intern(p->frames, "w", NULL, NULL, 1, FRAME_THREAD, false);
	*fn = frametab_intern(p->frames, "hot", "/bin/w", "w.c", 3, FRAME_USER, false);
	*kfn = frametab_intern(p->frames, "do_idle", "[kernel]", NULL, 0, FRAME_KERNEL, false);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr, *fn }, 3, 10, 0);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr, *fn, *kfn }, 4, 2, 0);
	p->sampling.samples = 12;
	return p;
}

static void
test_snapshot_round_trip(void **state)
{
	uint32_t fn, kfn;
	struct profile *p = make_profile(&fn, &kfn), *q = NULL;
	struct addrtab_entry *e;
	struct errbuf err;
	size_t len, len2, n;
	char *buf, *buf2, *want;

	(void)state;
	addrtab_add(p->addrs, fn, 0x1234, 7);
	addrtab_add(p->addrs, fn, 0x1200, 3);
	addrtab_add(p->addrs, kfn, 0xffffffff81000010ull, 2);
	addrtab_add_calls(p->addrs, fn, 0x1240, 5);
	addrtab_add_calls(p->addrs, fn, 0x1234, 1);
	addrtab_add_dropped(p->addrs, 4);
	buf = write_to_memory(p, &len);
	want = xasprintf("\"addresses\":{\"max_functions\":256,\"dropped\":4,\"entries\":"
			 "[[%u,\"0x1200\",3],[%u,\"0x1234\",7],[%u,\"0xffffffff81000010\",2]],"
			 "\"calls\":[[%u,\"0x1234\",1],[%u,\"0x1240\",5]]}",
			 fn, fn, kfn, fn, fn);
	if (!strstr(buf, want))
		fail_msg("%s not in %s", want, buf);
	free(want);
	errbuf_clear(&err);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	assert_non_null(q->addrs);
	assert_int_equal(addrtab_dropped(q->addrs), 4);
	assert_int_equal(addrtab_function(q->addrs, kfn, &e, &n), 2);
	assert_true(n == 1 && e[0].addr == 0xffffffff81000010ull);
	free(e);
	assert_int_equal(addrtab_function(q->addrs, fn, &e, &n), 10);
	assert_true(n == 3 && e[1].calls == 1 && e[2].count == 0 && e[2].calls == 5);
	free(e);
	buf2 = write_to_memory(q, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
	free(buf);
	free(buf2);
	profile_free(p);
	profile_free(q);
}

static void
test_snapshot_bad_and_old(void **state)
{
	uint32_t fn, kfn;
	struct profile *p = make_profile(&fn, &kfn), *q = NULL;
	static const char *const bad[] = { "[4,\"1200\",3]",  "[99,\"0x12\",1]", "[4,\"0xzz\",1]",
					   "[4,\"0x12\",-1]", "[4,18,1]",	 "[4,\"0x12\",1,2]",
					   "[4,\"0x12\"]" };
	static const char *const bad_calls[] = { "5", "[[4,\"0x12\",-1]]", "[[99,\"0x12\",1]]",
						 "[[4,\"0x12\"]]" };
	struct errbuf err;
	size_t len;
	char *buf, *at;

	(void)state;
	/* Without counts the key is not written, and reading gives no table. */
	buf = write_to_memory(p, &len);
	assert_null(strstr(buf, "addresses"));
	errbuf_clear(&err);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	assert_null(q->addrs);
	profile_free(q);
	free(buf);
	addrtab_add(p->addrs, fn, 0x1200, 3);
	buf = write_to_memory(p, &len);
	assert_int_equal(fn, 4);
	at = strstr(buf, "[4,\"0x1200\",3]");
	assert_non_null(at);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *s = xasprintf("%.*s%s%s", (int)(at - buf), buf, bad[i],
				    at + strlen("[4,\"0x1200\",3]"));

		errbuf_clear(&err);
		q = NULL;
		assert_int_equal(snapshot_parse(s, strlen(s), &q, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "stacks.addresses.entries[0]"));
		assert_null(q);
		free(s);
	}
	/* The call sites' key: an array of the same tuples. */
	at = strstr(buf, "]]}");
	assert_non_null(at);
	for (size_t i = 0; i < sizeof(bad_calls) / sizeof(bad_calls[0]); i++) {
		char *s = xasprintf("%.*s]],\"calls\":%s}%s", (int)(at - buf), buf, bad_calls[i],
				    at + 3);

		errbuf_clear(&err);
		q = NULL;
		assert_int_equal(snapshot_parse(s, strlen(s), &q, &err), -EINVAL);
		assert_non_null(strstr(err.msg, "stacks.addresses"));
		assert_null(q);
		free(s);
	}
	free(buf);
	profile_free(p);
}

static void
test_annotate_notes(void **state)
{
	struct addrtab_entry e[2] = { { 1, 0x10, 3, 0 }, { 1, 0x20, 1, 0 } };
	struct annotate *a;

	(void)state;
	a = annotate_build("jitted", "[jit]", FRAME_JIT, e, 2, NULL);
	assert_int_equal(a->total, 4);
	assert_int_equal(a->nnotes, 1);
	assert_string_equal(a->notes[0], "no code for JIT frames");
	assert_int_equal(a->ninsns, 2);
	assert_int_equal(annotate_hottest(a->insns, a->ninsns, ANNOTATE_ASM), 0);
	annotate_free(a);
	/* Call sites: counted beside self; with no self sample, the hottest is by call sites. */
	e[0].count = e[1].count = 0;
	e[0].calls = 2;
	e[1].calls = 6;
	a = annotate_build("jitted", "[jit]", FRAME_JIT, e, 2, NULL);
	assert_true(a->total == 0 && a->calls == 8);
	assert_true(a->insns[1].calls == 6 && a->insns[1].count == 0);
	assert_int_equal(annotate_hottest(a->insns, a->ninsns, ANNOTATE_ASM), 1);
	e[1].calls = 0;
	annotate_recount(a, e, 2);
	assert_true(a->calls == 2 && a->insns[1].calls == 0);
	assert_int_equal(annotate_hottest(a->insns, a->ninsns, ANNOTATE_ASM), 0);
	annotate_free(a);
	e[0] = (struct addrtab_entry){ 1, 0x10, 3, 0 };
	e[1] = (struct addrtab_entry){ 1, 0x20, 1, 0 };
	a = annotate_build("f", "/nonexistent/ringside-test", FRAME_USER, e, 2, NULL);
	assert_int_equal(a->nnotes, 1);
	assert_non_null(
		strstr(a->notes[0], "cannot read /nonexistent/ringside-test: No such file"));
	assert_int_equal(a->ninsns, 2);
	annotate_free(a);
}

/* The cache: a second annotation of the same file reuses it, with the same rows. */
static void
test_annotate_cache(void **state)
{
	struct addrtab_entry e = { 1, 0, 1, 0 };
	struct annotate_opts o = { 0 };
	struct annotate *a, *b;
	uint64_t opened, reused;

	(void)state;
	e.addr = (uint64_t)(uintptr_t)&test_annotate_cache; /* a non-PIE test: the ELF address */
	o.cache = annotate_cache_new();
	a = annotate_build("test_annotate_cache", "/proc/self/exe", FRAME_USER, &e, 1, &o);
	b = annotate_build("test_annotate_cache", "/proc/self/exe", FRAME_USER, &e, 1, &o);
	annotate_cache_stats(o.cache, &opened, &reused);
	assert_int_equal(opened, 1);
	assert_int_equal(reused, 1);
	assert_int_equal(a->ninsns, b->ninsns);
	assert_int_equal(a->nnotes, b->nnotes);
	for (size_t i = 0; i < a->ninsns; i++) {
		assert_int_equal(a->insns[i].addr, b->insns[i].addr);
		assert_string_equal(a->insns[i].text, b->insns[i].text);
	}
	annotate_free(a);
	annotate_free(b);
	annotate_cache_free(o.cache);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_bump),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_compact_stream),
		cmocka_unit_test(test_compact_matches_sort),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_functions_match_sums),
		cmocka_unit_test(test_calls),
		cmocka_unit_test(test_snapshot_round_trip),
		cmocka_unit_test(test_snapshot_bad_and_old),
		cmocka_unit_test(test_annotate_notes),
		cmocka_unit_test(test_annotate_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
