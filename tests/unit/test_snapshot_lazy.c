// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the diff's snapshot reader (export/snapshot_lazy.c over export/snapshot_scan.c):
 * on the snapshots in tests/data with stacks and a scheduler timeline it reads the same frames,
 * stack tree, counters and task summaries as the full reader (snapshot_parse); it refuses every
 * bad fixture the full reader refuses, naming the same place; it refuses bad JSON anywhere, also
 * in the parts it skips (a truncated or garbled scheduler timeline), and a damaged stack tree or
 * task naming where; and it reads JSON's escapes, surrogate pairs and numbers as jansson does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"

static char *
load_text(const char *name, size_t *len)
{
	const char *dir = getenv("TESTDATA");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	if (!dir)
		fail_msg("TESTDATA is not set (run through make check)");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
same_tasks(const struct schedmap *a, const struct schedmap *b)
{
	assert_true((a != NULL) == (b != NULL));
	if (!a)
		return;
	assert_int_equal(schedmap_ntasks(a), schedmap_ntasks(b));
	for (uint32_t i = 0; i < schedmap_ntasks(a); i++) {
		struct schedmap_task_stats x, y;

		assert_int_equal(schedmap_task_stats(a, i, &x), schedmap_task_stats(b, i, &y));
		assert_int_equal(x.tid, y.tid);
		assert_int_equal(x.pid, y.pid);
		assert_string_equal(x.comm, y.comm);
		assert_string_equal(x.short_name, y.short_name);
		assert_int_equal(x.folded, y.folded);
		assert_int_equal(x.runtime_ns, y.runtime_ns);
		assert_int_equal(x.switches_voluntary, y.switches_voluntary);
		assert_int_equal(x.switches_involuntary, y.switches_involuntary);
		assert_int_equal(x.migrations, y.migrations);
		assert_int_equal(x.lat_p99_ns, y.lat_p99_ns);
		assert_int_equal(x.target, y.target);
	}
}

/* The two readers of name agree on everything a diff reads. */
static void
same_as_full(const char *name)
{
	struct profile *p = NULL, *d = NULL;
	struct errbuf err;
	size_t len;
	char *buf = load_text(name, &len);

	errbuf_clear(&err);
	if (snapshot_parse(buf, len, &p, &err) != 0)
		fail_msg("%s: snapshot_parse: %s", name, err.msg);
	if (snapshot_parse_diff(buf, len, &d, &err) != 0)
		fail_msg("%s: snapshot_parse_diff: %s", name, err.msg);
	assert_non_null(p->stacks);
	assert_non_null(d->stacks);
	assert_int_equal(frametab_nframes(p->frames), frametab_nframes(d->frames));
	for (uint32_t i = 0; i < frametab_nframes(p->frames); i++) {
		const struct frame *x = frametab_get(p->frames, i), *y = frametab_get(d->frames, i);

		assert_string_equal(frametab_str(p->frames, x->name),
				    frametab_str(d->frames, y->name));
		assert_string_equal(frametab_str(p->frames, x->module),
				    frametab_str(d->frames, y->module));
		assert_int_equal(x->kind, y->kind);
		assert_int_equal(x->line, y->line);
	}
	assert_int_equal(stacktree_nnodes(p->stacks), stacktree_nnodes(d->stacks));
	for (uint32_t i = 0; i < stacktree_nnodes(p->stacks); i++) {
		const struct stacktree_node *x = stacktree_node(p->stacks, i),
					    *y = stacktree_node(d->stacks, i);

		assert_int_equal(x->frame, y->frame);
		assert_int_equal(x->self, y->self);
		assert_int_equal(x->total, y->total);
	}
	assert_int_equal(p->sampling.samples, d->sampling.samples);
	assert_string_equal(p->sampling.event, d->sampling.event);
	assert_int_equal(p->sampling.freq, d->sampling.freq);
	assert_int_equal(p->frame_root, d->frame_root);
	assert_int_equal(p->frame_other, d->frame_other);
	assert_int_equal(p->ntracks, d->ntracks);
	assert_int_equal(p->nratios, d->nratios);
	assert_int_equal(p->meta.duration_ns, d->meta.duration_ns);
	same_tasks(p->sched, d->sched);
	/* what a diff does not read is left out */
	assert_null(d->sched_json);
	assert_null(stacktree_timeline(d->stacks));
	profile_free(p);
	profile_free(d);
	free(buf);
}

static void
test_same_as_full(void **state)
{
	(void)state;
	same_as_full("screen-calltree.json");
	same_as_full("screen-escape.json");
	same_as_full("replay-golden.json");
	same_as_full("html-ratios.json");
}

/* text is refused by both readers, the diff's message holding want. */
static void
refused(const char *text, size_t len, const char *want)
{
	struct profile *p = NULL;
	struct errbuf err;

	errbuf_clear(&err);
	assert_int_not_equal(snapshot_parse_diff(text, len, &p, &err), 0);
	assert_null(p);
	if (!strstr(err.msg, want))
		fail_msg("message lacks '%s': %s", want, err.msg);
	errbuf_clear(&err);
	assert_int_not_equal(snapshot_parse(text, len, &p, &err), 0);
	assert_null(p);
}

static void
test_bad_fixtures(void **state)
{
	static const struct {
		const char *file, *want;
	} cases[] = {
		{ "bad-truncated.json", "line" },
		{ "bad-notjson.txt", "line" },
		{ "bad-trailing.json", "line" },
		{ "bad-format.json", "format" },
		{ "bad-version.json", "version" },
		{ "bad-lengths.json", "events[0].series[0]" },
		{ "bad-negative.json", "events[0].series[0].count[1]" },
		{ "bad-dupname.json", "events[2].name" },
		{ "bad-type.json", "meta.cpus" },
		{ "bad-config.json", "events[2].encoding.config" },
		{ "bad-events.json", "events" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *buf = load_text(cases[i].file, &len);

		refused(buf, len, cases[i].want);
		free(buf);
	}
	refused("", 0, "not valid JSON");
	refused("[1]", 3, "expected a JSON object");
}

/* screen-calltree.json with the first from replaced by to, refused naming want. */
static void
edited(const char *from, const char *to, const char *want)
{
	size_t len, nf = strlen(from), nt = strlen(to);
	char *buf = load_text("screen-calltree.json", &len), *at = strstr(buf, from), *ed;

	if (!at)
		fail_msg("'%s' is not in screen-calltree.json", from);
	ed = xmalloc(len - nf + nt + 1);
	memcpy(ed, buf, (size_t)(at - buf));
	memcpy(ed + (at - buf), to, nt);
	memcpy(ed + (at - buf) + nt, at + nf, len - (size_t)(at - buf) - nf + 1);
	refused(ed, len - nf + nt, want);
	free(ed);
	free(buf);
}

static void
test_damage_refused(void **state)
{
	(void)state;
	/* JSON errors in what the diff skips: the scheduler's runs and the time index */
	edited("\"runs\":[[", "\"runs\":[[,", "not valid JSON");
	edited("\"runs\":[[", "\"runs\":[[01,", "not valid JSON");
	edited("\"map\":{", "\"map\":{1:", "not valid JSON");
	edited("\"cpus\":[{\"cpu\":0,", "\"cpus\":[{\"a\":\"\\x\"},{\"cpu\":0,", "not valid JSON");
	edited("\"cpus\":[{\"cpu\":0,", "\"cpus\":[\"\\ud800\",{\"cpu\":0,", "not valid JSON");
	edited("\"cpus\":[{\"cpu\":0,", "\"cpus\":[[1,]],{\"cpu\":0,", "not valid JSON");
	/* what it reads, checked as the full reader checks it */
	edited("\"nodes\":[[-1,", "\"nodes\":[[0,", "stacks.nodes[0]");
	edited("\"strings\":[\"\",", "\"strings\":[\"\",\"\",", "stacks.strings[1]");
	edited("\"samples\":", "\"samples\":1,\"x\":", "stacks.nodes[0]");
	edited("\"freq\":", "\"freq\":-", "stacks.freq");
	edited("\"tid\":", "\"tid\":\"1\",\"x\":", "sched.tasks[0]");
	edited("\"map\":", "\"map\":[],\"x\":", "sched.map");
	edited("\"stacks\":{", "\"stacks\":{\"nodes\":[],", "duplicate");
}

static void
test_json_text(void **state)
{
	static const char head[] =
		"{\"format\":\"ringside-snapshot\",\"version\":1,\"events\":[],\"skipped\":";
	static const char *const good[] = {
		"[]",
		"{}",
		"[[],{},[[]]]",
		"-0",
		"1.5e-3",
		"1E+9",
		"true",
		"null",
		"\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\xc3\xa9\"",
		" [ 1 , 2 ] ",
	};
	static const char *const bad[] = {
		"[1 2]",
		"{\"a\" 1}",
		"{\"a\":1,}",
		"01",
		"1.",
		"-",
		".5",
		"1e",
		"tru",
		"\"\\u0000\"",
		"\"\\udc00\"",
		"\"\xc0\xaf\"",
		"\"\xed\xa0\x80\"",
		"\"a\tb\"",
		"[",
	};
	struct profile *p = NULL;
	struct errbuf err;
	char doc[512];

	(void)state;
	/* no meta: both readers stop at meta.*, after the whole text was scanned */
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int n = snprintf(doc, sizeof(doc), "%s%s}", head, good[i]);

		errbuf_clear(&err);
		assert_int_not_equal(snapshot_parse_diff(doc, (size_t)n, &p, &err), 0);
		if (!strstr(err.msg, "meta"))
			fail_msg("%s: %s", good[i], err.msg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int n = snprintf(doc, sizeof(doc), "%s%s}", head, bad[i]);

		refused(doc, (size_t)n, "not valid JSON");
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_full),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_damage_refused),
		cmocka_unit_test(test_json_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
