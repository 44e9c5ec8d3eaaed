// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for model/memacc, view/memgrid and perf/memsrc: binning addresses by mapping (an
 * address outside every mapping goes to "unknown", never dropped; a replaced mapping keeps its
 * samples), labels by kind, data-source levels, the log's halving past its cap, the heat map's
 * rows split at mapping boundaries with a diagonal for a sweep, decoding ADDR, WEIGHT and DATA_SRC,
 * the hot tables, the source chosen from a fake sysfs (PEBS, IBS, the page-fault fallback), and the
 * snapshot's mem object read back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/export/snapshot.h"
#include "ringside/model/memacc.h"
#include "ringside/perf/decode.h"
#include "ringside/perf/memsrc.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/memgrid.h"

static void
test_binning(void **state)
{
	struct memacc *m = memacc_new("page-faults");
	uint32_t heap, anon, anon2;

	(void)state;
	heap = memacc_map(m, 7, 0x1000, 0x5000, "[heap]");
	anon = memacc_map(m, 7, 0x10000, 0x20000, "//anon");
	assert_int_equal(memacc_map(m, 7, 0x1000, 0x5000, "[heap]"), heap); /* not added twice */
	assert_string_equal(memacc_get(m, heap)->label, "heap");
	assert_string_equal(memacc_get(m, anon)->label, "anon");
	assert_int_equal(memacc_kind_of("/usr/lib/libc.so.6"), MEMACC_KIND_FILE);
	assert_int_equal(memacc_kind_of("[vdso]"), MEMACC_KIND_VDSO);
	assert_int_equal(memacc_kind_of("[stack]"), MEMACC_KIND_STACK);
	assert_int_equal(memacc_add(m, 7, 100, 0x1234, 5, 0, 0), heap);
	assert_int_equal(memacc_add(m, 7, 200, 0x1ffff, 5, 0, 0), anon);
	/* Outside every mapping, or another process's: unknown, counted, spanned. */
	assert_int_equal(memacc_add(m, 7, 300, 0x9000, 5, 0, 0), MEMACC_UNKNOWN);
	assert_int_equal(memacc_add(m, 8, 400, 0x1234, 5, 0, 0), MEMACC_UNKNOWN);
	assert_int_equal(memacc_get(m, MEMACC_UNKNOWN)->samples, 2);
	assert_int_equal(memacc_get(m, MEMACC_UNKNOWN)->start, 0x1234);
	assert_int_equal(memacc_get(m, MEMACC_UNKNOWN)->end, 0x9001);
	assert_int_equal(memacc_total(m), 4);
	/* A new mapping over part of the old one replaces it; the old keeps its sample. */
	anon2 = memacc_map(m, 7, 0x18000, 0x30000, "//anon");
	assert_true(memacc_get(m, anon)->dead);
	assert_int_equal(memacc_get(m, anon)->samples, 1);
	assert_int_equal(memacc_lookup(m, 7, 0x1ffff), anon2);
	assert_int_equal(memacc_lookup(m, 7, 0x10000), MEMACC_UNKNOWN);
	assert_true(memacc_overlaps(m, 7, 0x4000, 0x6000));
	assert_false(memacc_overlaps(m, 7, 0x5000, 0x18000));
	memacc_free(m);
}

static void
test_levels_and_halving(void **state)
{
	struct memacc *m = memacc_new("pebs-loads");
	uint64_t l1 = ((uint64_t)PERF_MEM_LVL_HIT | PERF_MEM_LVL_L1) << PERF_MEM_LVL_SHIFT;
	uint64_t ram = (uint64_t)PERF_MEM_LVLNUM_RAM << PERF_MEM_LVLNUM_SHIFT;
	size_t n;

	(void)state;
	assert_int_equal(memacc_level_of(0), MEMACC_LVL_NA);
	assert_int_equal(memacc_level_of(l1), MEMACC_LVL_L1);
	assert_int_equal(memacc_level_of(ram), MEMACC_LVL_RAM);
	memacc_map(m, 1, 0, 1ull << 40, "//anon");
	for (uint64_t i = 0; i < MEMACC_LOG_MAX + 10; i++)
		memacc_add(m, 1, i * 1000, i * 4096, MEMACC_NOFRAME, 40, i & 1 ? l1 : ram);
	memacc_log(m, &n);
	assert_int_equal(memacc_stride(m), 2);
	assert_true(n <= MEMACC_LOG_MAX && n >= MEMACC_LOG_MAX / 2);
	assert_int_equal(memacc_get(m, 1)->samples, MEMACC_LOG_MAX + 10);
	assert_int_equal(memacc_get(m, 1)->levels[MEMACC_LVL_L1], (MEMACC_LOG_MAX + 10) / 2);
	assert_int_equal(memacc_get(m, 1)->weight, 40ull * (MEMACC_LOG_MAX + 10));
	memacc_free(m);
}

/* A sweep over mapping a, then a scatter over b: the grid shows both, rows split between them. */
static struct memacc *
test_sweep_model(void)
{
	struct memacc *m = memacc_new("page-faults");

	memacc_map(m, 1, 0x100000, 0x100000 + 256 * 4096, "//anon");
	memacc_map(m, 1, 0x800000, 0x800000 + 64 * 4096, "/data/file");
	for (uint64_t i = 0; i < 256; i++)
		memacc_add(m, 1, 1000000 + i * 1000, 0x100000 + i * 4096, 3, 0, 0);
	for (uint64_t i = 0; i < 64; i++)
		memacc_add(m, 1, 2000000 + i * 1000, 0x800000 + (i * 37 % 64) * 4096, 4, 0, 0);
	memacc_add(m, 1, 2100000, 0x800000, 5, 0, 0); /* page 0 of b twice: the hottest page */
	return m;
}

static void
test_grid(void **state)
{
	struct memacc *m = test_sweep_model();
	struct memgrid g = { 0 };
	struct memgrid_zoom all = { .map = MEMGRID_ALL }, one = { .map = 1 };
	uint64_t sum = 0;
	size_t prev_row = 0;

	(void)state;
	memgrid_build(&g, m, &all, 20, 10);
	assert_int_equal(g.ncols, 10);
	assert_int_equal(g.rows[0].map, 1); /* address order */
	assert_true(g.rows[0].first);
	assert_int_equal(g.rows[g.nrows - 1].map, 2);
	for (size_t i = 0; i < g.nrows * g.ncols; i++)
		sum += g.cells[i];
	assert_int_equal(sum, 321);
	/* One mapping: 16 rows of 16 pages; the sweep's row grows with its column. */
	memgrid_build(&g, m, &one, 16, 16);
	assert_int_equal(g.nrows, 16);
	assert_int_equal(g.rows[1].lo - g.rows[0].lo, 16 * 4096);
	for (size_t c = 0; c < g.ncols; c++)
		for (size_t r = 0; r < g.nrows; r++)
			if (g.cells[r * g.ncols + c]) {
				assert_true(r >= prev_row);
				prev_row = r;
			}
	assert_true(prev_row >= 14);
	memgrid_fini(&g);
	memacc_free(m);
}

static void
test_stats(void **state)
{
	struct memacc *m = test_sweep_model();
	struct memgrid_stats st;

	(void)state;
	memgrid_stats(&st, m, 0, 0, 4);
	assert_int_equal(st.nmaps, 2);
	assert_int_equal(st.maps[0].map, 1);
	assert_int_equal(st.maps[0].samples, 256);
	assert_int_equal(st.maps[0].pages, 256);
	assert_int_equal(st.maps[0].funcs[0], 3);
	assert_int_equal(st.maps[1].samples, 65);
	assert_int_equal(st.maps[1].pages, 64);
	assert_int_equal(st.maps[1].funcs[0], 4);
	assert_int_equal(st.maps[1].funcs[1], 5);
	assert_int_equal(st.npages, 4);
	assert_int_equal(st.pages[0].page, 0x800000);
	assert_int_equal(st.pages[0].samples, 2);
	memgrid_stats_fini(&st);
	memacc_free(m);
}

static void
test_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_source(void **state)
{
	char root[] = "/tmp/ringside-memsrc-XXXXXX", path[256];
	struct memsrc ms;

	(void)state;
	assert_non_null(mkdtemp(root));
	memsrc_choose(&ms, root, false);
	assert_int_equal(ms.kind, MEMSRC_PAGEFAULTS);
	assert_int_equal(ms.period, 1);
	assert_non_null(strstr(ms.why, "falling back to page-faults"));
	memsrc_fini(&ms);
	snprintf(path, sizeof(path), "%s/bus", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/event_source", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/event_source/devices", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/event_source/devices/ibs_op", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/event_source/devices/ibs_op/type", root);
	test_write_file(path, "11\n");
	memsrc_choose(&ms, root, false);
	assert_int_equal(ms.kind, MEMSRC_IBS);
	assert_int_equal(ms.spec.attr.type, 11);
	assert_true(ms.latency);
	memsrc_fini(&ms);
	snprintf(path, sizeof(path), "%s/bus/event_source/devices/cpu", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/event_source/devices/cpu/events", root);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/bus/event_source/devices/cpu/type", root);
	test_write_file(path, "4\n");
	snprintf(path, sizeof(path), "%s/bus/event_source/devices/cpu/events/mem-loads", root);
	test_write_file(path, "event=0xcd,umask=0x1,ldlat=3\n");
	memsrc_choose(&ms, root, false);
	assert_int_equal(ms.kind, MEMSRC_PEBS);
	assert_int_equal(ms.spec.attr.type, 4);
	assert_int_equal(ms.spec.attr.config, 0x1cd);
	assert_int_equal(ms.spec.attr.config1, MEMSRC_PEBS_LDLAT);
	assert_int_equal(ms.spec.attr.precise_ip, 2);
	memsrc_fini(&ms);
	/* Probing on this machine: whatever it lists, an event that does not open is not chosen. */
	memsrc_choose(&ms, root, true);
	assert_non_null(ms.spec.name);
	memsrc_fini(&ms);
	snprintf(path, sizeof(path), "rm -rf '%s'", root);
	assert_int_equal(system(path), 0);
}

/* The mem object written by the snapshot writer reads back into the same model. */
static void
test_snapshot_round_trip(void **state)
{
	struct profile *p = profile_new(), *q = NULL;
	struct errbuf err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	size_t n1, n2;
	const struct memacc_sample *a, *b;

	(void)state;
	errbuf_clear(&err);
	p->meta.ringside_version = xstrdup("0.1.0");
	p->meta.host = xstrdup("test-host");
	p->meta.kernel = xstrdup("6.1.0");
	p->meta.arch = xstrdup("x86_64");
	p->meta.ncpus = 2;
	p->meta.target_kind = xstrdup("command");
	p->meta.target_desc = xstrdup("command: memsweep");
	p->meta.end_reason = xstrdup("command exited");
	p->meta.duration_ns = 3000000;
	p->meta.interval_ns = 1000000;
	/* The log's functions are frames of the stack tree: ids 3 to 5 exist. */
	profile_enable_stacks(p, 0, 0);
	p->sampling.event = xstrdup("page-faults");
	p->sampling.callgraph = xstrdup("fp");
	for (uint32_t i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%u", i);
		frametab_intern(p->frames, name, "memsweep", NULL, 0, FRAME_USER, false);
	}
	p->mem = test_sweep_model();
	assert_int_equal(snapshot_write(p, f, &err), 0);
	fclose(f);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		assert_string_equal(err.msg, "");
	assert_non_null(q->mem);
	assert_string_equal(memacc_source(q->mem), "page-faults");
	assert_int_equal(memacc_total(q->mem), 321);
	assert_int_equal(memacc_nmaps(q->mem), 3);
	assert_string_equal(memacc_get(q->mem, 2)->label, "/data/file");
	assert_string_equal(frametab_str(q->frames, frametab_get(q->frames, 3)->name), "f1");
	assert_int_equal(memacc_get(q->mem, 2)->kind, MEMACC_KIND_FILE);
	a = memacc_log(p->mem, &n1);
	b = memacc_log(q->mem, &n2);
	assert_int_equal(n1, n2);
	for (size_t i = 0; i < n1; i++) {
		assert_int_equal(a[i].time, b[i].time);
		assert_int_equal(a[i].addr, b[i].addr);
		assert_int_equal(a[i].map, b[i].map);
		assert_int_equal(a[i].frame, b[i].frame);
	}
	profile_free(q);
	q = NULL;
	/* A log entry naming a mapping that does not exist is refused, naming where. */
	{
		char *log = strstr(buf, "\"log\":"), *map = log ? strstr(log, "\"map\":[") : NULL;

		assert_non_null(map);
		map[7] = '9';
		errbuf_clear(&err);
		assert_int_not_equal(snapshot_parse(buf, len, &q, &err), 0);
		assert_null(q);
		assert_non_null(strstr(err.msg, "mem.log[0]"));
	}
	free(buf);
	profile_free(p);
}

/* A sample with ADDR, WEIGHT and DATA_SRC decodes each in the kernel's order; a short one fails. */
static void
test_decode_addr(void **state)
{
	struct decode_layout l = { .sample_type = PERF_SAMPLE_IDENTIFIER | PERF_SAMPLE_IP |
						  PERF_SAMPLE_TID | PERF_SAMPLE_TIME |
						  PERF_SAMPLE_ADDR | PERF_SAMPLE_CPU |
						  PERF_SAMPLE_PERIOD | PERF_SAMPLE_WEIGHT |
						  PERF_SAMPLE_DATA_SRC };
	uint64_t rec[11];
	struct perf_event_header *h = (struct perf_event_header *)rec;
	struct decode_sample s;
	uint64_t src = (uint64_t)PERF_MEM_LVLNUM_L2 << PERF_MEM_LVLNUM_SHIFT;

	(void)state;
	h->type = PERF_RECORD_SAMPLE;
	h->misc = PERF_RECORD_MISC_USER;
	h->size = sizeof(rec);
	rec[1] = 42;		    /* identifier */
	rec[2] = 0x401000;	    /* ip */
	rec[3] = 7ull | 8ull << 32; /* pid, tid */
	rec[4] = 123456789;	    /* time */
	rec[5] = 0x7f0000001234;    /* addr */
	rec[6] = 1;		    /* cpu, res */
	rec[7] = 1;		    /* period */
	rec[8] = 87;		    /* weight */
	rec[9] = src;		    /* data_src */
	rec[10] = 0;		    /* padding the record may carry */
	h->size = 10 * sizeof(uint64_t);
	assert_int_equal(decode_sample(&l, h, &s), 0);
	assert_int_equal(s.addr, 0x7f0000001234);
	assert_int_equal(s.time, 123456789);
	assert_int_equal(s.cpu, 1);
	assert_int_equal(s.period, 1);
	assert_int_equal(s.weight, 87);
	assert_int_equal(s.data_src, src);
	assert_int_equal(memacc_level_of(s.data_src), MEMACC_LVL_L2);
	h->size = 9 * sizeof(uint64_t);
	assert_int_equal(decode_sample(&l, h, &s), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binning),	    cmocka_unit_test(test_levels_and_halving),
		cmocka_unit_test(test_grid),	    cmocka_unit_test(test_stats),
		cmocka_unit_test(test_source),	    cmocka_unit_test(test_snapshot_round_trip),
		cmocka_unit_test(test_decode_addr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
