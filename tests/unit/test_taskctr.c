// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for model/taskctr and the snapshot's task_counters object: rates and CPU shares of
 * an interval, totals over several, the history window, exited tasks kept with their averages,
 * the table's bound (tasks no longer counted make room, counted ones do not), sorting, and a
 * round trip through the snapshot (and a damaged object refused with its path).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/model/taskctr.h"
#include "ringside/util/errbuf.h"

/* An interval of a task: cpu_ns of task-clock, n of each other software event. */
static struct taskctr_row *
feed(struct taskctr *tc, int32_t tid, uint64_t cpu_ns, uint64_t n, uint64_t span, uint64_t at,
     enum taskctr_state st)
{
	uint64_t d[TASKCTR_NEV] = { 0 };

	d[TASKCTR_TASK_CLOCK] = cpu_ns;
	d[TASKCTR_CSWITCH] = n;
	d[TASKCTR_MIGRATIONS] = n / 10;
	d[TASKCTR_FAULTS] = 2 * n;
	return taskctr_update(tc, tid, 100, "worker", d, span, at, st);
}

static void
test_rates_and_totals(void **state)
{
	(void)state;
	struct taskctr *tc = taskctr_new();
	const struct taskctr_row *r;

	/* Opened: a row, no interval yet. */
	r = feed(tc, 7, 0, 0, 0, 1000, TASKCTR_LIVE);
	assert_non_null(r);
	assert_int_equal(r->first_ns, 1000);
	assert_int_equal(r->nhist, 0);
	assert_true(taskctr_cpu(r) == 0.0);
	/* Half a CPU over 2 s, 400 switches: 200/s. */
	feed(tc, 7, 1000000000, 400, 2000000000, 2000001000, TASKCTR_LIVE);
	r = feed(tc, 7, 250000000, 100, 1000000000, 3000001000, TASKCTR_LIVE);
	assert_int_equal(taskctr_count(tc), 1);
	assert_ptr_equal(taskctr_find(tc, 7), r);
	assert_int_equal(r->total[TASKCTR_TASK_CLOCK], 1250000000);
	assert_int_equal(r->total[TASKCTR_CSWITCH], 500);
	assert_int_equal(r->total[TASKCTR_FAULTS], 1000);
	assert_int_equal(r->counted_ns, 3000000000);
	assert_float_equal(taskctr_cpu(r), 0.25, 1e-9);
	assert_float_equal(taskctr_cpu_total(r), 1.25 / 3.0, 1e-9);
	assert_float_equal(taskctr_rate(r, TASKCTR_CSWITCH), 100.0, 1e-9);
	assert_float_equal(taskctr_rate(r, TASKCTR_FAULTS), 200.0, 1e-9);
	assert_int_equal(r->nhist, 2);
	assert_float_equal(r->hist[0], 0.5, 1e-6);
	assert_float_equal(r->hist[1], 0.25, 1e-6);
	assert_string_equal(r->comm, "worker");
	/* No PMU counts: no IPC, no miss share. */
	assert_true(taskctr_ipc(r) < 0);
	assert_true(taskctr_miss(r) < 0);
	/* Exited in a tenth of an interval: its figures are its averages from then on. */
	r = feed(tc, 7, 100000000, 0, 100000000, 3100001000, TASKCTR_EXITED);
	assert_int_equal(r->state, TASKCTR_EXITED);
	assert_float_equal(taskctr_cpu(r), 1.35 / 3.1, 1e-9);
	assert_float_equal(taskctr_rate(r, TASKCTR_CSWITCH), 500 / 3.1, 1e-9);
	assert_float_equal(r->hist[2], 1.0, 1e-6);
	taskctr_free(tc);
	taskctr_free(NULL);
}

static void
test_history_window(void **state)
{
	(void)state;
	struct taskctr *tc = taskctr_new();
	const struct taskctr_row *r = NULL;

	for (int i = 0; i < TASKCTR_HIST + 5; i++)
		r = feed(tc, 1, (uint64_t)i * 10000000, 0, 1000000000, (uint64_t)i, TASKCTR_LIVE);
	assert_int_equal(r->nhist, TASKCTR_HIST);
	/* The oldest five went: the window starts at interval 5. */
	assert_float_equal(r->hist[0], 0.05, 1e-6);
	assert_float_equal(r->hist[TASKCTR_HIST - 1], (TASKCTR_HIST + 4) / 100.0, 1e-6);
	taskctr_free(tc);
}

static void
test_bound(void **state)
{
	(void)state;
	struct taskctr *tc = taskctr_new();

	for (int32_t t = 1; t <= TASKCTR_MAX_ROWS; t++)
		assert_non_null(feed(tc, t, 1, 1, 1000, (uint64_t)t, TASKCTR_LIVE));
	/* Full of counted tasks: a new one is not kept. */
	assert_null(feed(tc, 5000, 1, 1, 1000, 5000, TASKCTR_LIVE));
	assert_int_equal(taskctr_count(tc), TASKCTR_MAX_ROWS);
	/* Two exit; the one read longest ago makes room first. */
	feed(tc, 10, 1, 1, 1000, 6000, TASKCTR_EXITED);
	feed(tc, 20, 1, 1, 1000, 6001, TASKCTR_EXITED);
	assert_non_null(feed(tc, 5000, 1, 1, 1000, 7000, TASKCTR_LIVE));
	assert_null(taskctr_find(tc, 10));
	assert_non_null(taskctr_find(tc, 20));
	assert_int_equal(taskctr_evicted(tc), 1);
	assert_int_equal(taskctr_count(tc), TASKCTR_MAX_ROWS);
	/* Every row is still found by its tid after the move. */
	for (size_t i = 0; i < taskctr_count(tc); i++)
		assert_ptr_equal(taskctr_find(tc, taskctr_at(tc, i)->tid), taskctr_at(tc, i));
	taskctr_free(tc);
}

static void
test_order(void **state)
{
	(void)state;
	struct taskctr *tc = taskctr_new();
	size_t idx[4];

	feed(tc, 30, 900000000, 10, 1000000000, 1, TASKCTR_LIVE);
	feed(tc, 10, 100000000, 500, 1000000000, 1, TASKCTR_LIVE);
	feed(tc, 20, 500000000, 50, 1000000000, 1, TASKCTR_LIVE);
	/* Busiest of all, but exited: after the counted ones. */
	feed(tc, 40, 1000000000, 900, 1000000000, 1, TASKCTR_EXITED);
	taskctr_order(tc, TASKCTR_SORT_CPU, idx);
	assert_int_equal(taskctr_at(tc, idx[0])->tid, 30);
	assert_int_equal(taskctr_at(tc, idx[1])->tid, 20);
	assert_int_equal(taskctr_at(tc, idx[2])->tid, 10);
	assert_int_equal(taskctr_at(tc, idx[3])->tid, 40);
	taskctr_order(tc, TASKCTR_SORT_CSWITCH, idx);
	assert_int_equal(taskctr_at(tc, idx[0])->tid, 10);
	assert_int_equal(taskctr_at(tc, idx[2])->tid, 30);
	taskctr_order(tc, TASKCTR_SORT_TID, idx);
	assert_int_equal(taskctr_at(tc, idx[0])->tid, 10);
	assert_int_equal(taskctr_at(tc, idx[2])->tid, 30);
	assert_string_equal(taskctr_sort_name(TASKCTR_SORT_FAULTS), "FLT/s");
	assert_int_equal(taskctr_event_find("page-faults"), TASKCTR_FAULTS);
	assert_int_equal(taskctr_event_find("nope"), TASKCTR_NEV);
	assert_int_equal(taskctr_state_find("exited"), TASKCTR_EXITED);
	assert_int_equal(taskctr_state_find("gone"), -1);
	taskctr_free(tc);
}

/* p as a snapshot in *buf (the caller's), *len bytes. */
static void
write_snapshot(const struct profile *p, char **buf, size_t *len)
{
	struct errbuf err;
	FILE *fp = open_memstream(buf, len);

	errbuf_clear(&err);
	assert_non_null(fp);
	assert_int_equal(snapshot_write(p, fp, &err), 0);
	fclose(fp);
}

static void
test_snapshot_round_trip(void **state)
{
	(void)state;
	struct profile *p = NULL, *q = NULL;
	const struct taskctr_row *a, *b;
	struct errbuf err;
	char *buf = NULL, *buf2 = NULL, *bad;
	size_t len = 0, len2 = 0;
	char *at, path[4096];
	const char *d = getenv("TESTDATA");

	errbuf_clear(&err);
	/* A snapshot without per-task counters (as older ones are), given some. */
	snprintf(path, sizeof(path), "%s/snapshot-good.json", d && *d ? d : "tests/data");
	assert_int_equal(snapshot_load(path, &p, &err), 0);
	assert_null(p->taskctr);
	p->taskctr = taskctr_new();
	taskctr_set_supported(p->taskctr, TASKCTR_CYCLES, false);
	feed(p->taskctr, 11, 600000000, 30, 1000000000, 1000000000, TASKCTR_LIVE);
	feed(p->taskctr, 11, 700000000, 40, 1000000000, 2000000000, TASKCTR_LIVE);
	feed(p->taskctr, 12, 5, 1, 1000000000, 1000000000, TASKCTR_EXITED);
	write_snapshot(p, &buf, &len);
	assert_non_null(strstr(buf, "\"task_counters\":{\"events\":[\"task-clock\""));
	assert_int_equal(snapshot_parse(buf, len, &q, &err), 0);
	assert_non_null(q->taskctr);
	assert_int_equal(taskctr_count(q->taskctr), 2);
	assert_false(taskctr_supported(q->taskctr, TASKCTR_CYCLES));
	assert_true(taskctr_supported(q->taskctr, TASKCTR_FAULTS));
	a = taskctr_find(p->taskctr, 11);
	b = taskctr_find(q->taskctr, 11);
	assert_memory_equal(a->total, b->total, sizeof(a->total));
	assert_memory_equal(a->last, b->last, sizeof(a->last));
	assert_int_equal(a->counted_ns, b->counted_ns);
	assert_int_equal(b->nhist, 2);
	assert_float_equal(b->hist[1], 0.7, 1e-3);
	assert_int_equal(taskctr_find(q->taskctr, 12)->state, TASKCTR_EXITED);
	/* Written again, it is the same. */
	write_snapshot(q, &buf2, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(buf, buf2, len);
	profile_free(q);
	q = NULL;
	/* A damaged state is refused, naming where. */
	at = strstr(buf, "\"exited\"");
	assert_non_null(at);
	bad = strdup(buf);
	memcpy(bad + (at - buf), "\"exitex\"", 8);
	assert_int_equal(snapshot_parse(bad, len, &q, &err), -EINVAL);
	assert_null(q);
	assert_non_null(strstr(err.msg, "task_counters.tasks[1]"));
	free(bad);
	free(buf);
	free(buf2);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_and_totals),
		cmocka_unit_test(test_history_window),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_snapshot_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
