// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for the snapshot's stacks.events (export/snapshot_events.c, model/profile_events.c):
 * a profile with further sampled events is written and read back byte for byte, each tree with
 * its name, rate and samples over the one frame table; a snapshot without the key reads as one
 * event; a group's weights and leader round-trip; a malformed stacks.events is refused naming where
 * (not an array, a nameless or duplicate event, a root total that is not its samples, a frame out
 * of the table).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

static char *
load_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* p written as a snapshot, in a malloc'd string. */
static char *
write_text(const struct profile *p, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	struct errbuf err;

	errbuf_clear(&err);
	assert_non_null(f);
	assert_int_equal(snapshot_write(p, f, &err), 0);
	fclose(f);
	return buf;
}

/* The fixture with two further events: page-faults at two of its frames, a tracepoint at one. */
static struct profile *
fixture(void)
{
	char path[4096];
	struct profile *p = NULL;
	struct errbuf err;
	struct profile_event *e;
	uint32_t a[2], b[1];

	snprintf(path, sizeof(path), "%s/screen-calltree.json", getenv("TESTDATA"));
	errbuf_clear(&err);
	if (snapshot_load(path, &p, &err) != 0)
		fail_msg("%s: %s", path, err.msg);
	assert_non_null(p->stacks);
	assert_true(frametab_nframes(p->frames) > 3);
	a[0] = 2;
	a[1] = 3;
	b[0] = 2;
	e = profile_add_event(p, "page-faults", 0, 1, 0, 0);
	stacktree_insert(e->stacks, a, 2, 5, 0);
	stacktree_insert(e->stacks, b, 1, 2, 0);
	e = profile_add_event(p, "syscalls:sys_enter_nanosleep", 0, 1, 0, 0);
	stacktree_insert(e->stacks, b, 1, 9, 0);
	return p;
}

static void
test_round_trip(void **state)
{
	struct profile *p = fixture(), *q = NULL;
	size_t len, len2;
	char *text = write_text(p, &len), *again;
	struct errbuf err;
	json_t *root;

	(void)state;
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	assert_int_equal(
		json_array_size(json_object_get(json_object_get(root, "stacks"), "events")), 2);
	json_decref(root);
	errbuf_clear(&err);
	if (snapshot_parse(text, len, &q, &err) != 0)
		fail_msg("read back: %s", err.msg);
	assert_int_equal(profile_nsampled(q), 3);
	assert_string_equal(profile_event_name(q, 1), "page-faults");
	assert_int_equal(q->events[0].period, 1);
	assert_int_equal(q->events[0].freq, 0);
	assert_int_equal(stacktree_samples(profile_event_tree(q, 1)), 7);
	assert_int_equal(stacktree_samples(profile_event_tree(q, 2)), 9);
	assert_int_equal(profile_event_find(q, "syscalls:sys_enter_nanosleep"), 2);
	assert_int_equal(profile_event_find(q, "cycles"), SIZE_MAX);
	assert_true(profile_event_tree(q, 3) == NULL);
	assert_string_equal(profile_event_name(q, 3), "");
	assert_int_equal(stacktree_samples(q->stacks), stacktree_samples(p->stacks));
	again = write_text(q, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, text, len);
	free(again);
	free(text);
	profile_free(p);
	profile_free(q);
}

/*
 * A group (leader sampling): the first event's tree and a member's weigh counts; "weight" and
 * "leader" are written, read back and written again byte for byte; the first tree's root is then
 * not its sample count; an unknown weight is refused.
 */
static void
test_group_round_trip(void **state)
{
	struct profile *p = fixture(), *q = NULL;
	size_t len, len2;
	char *text, *again, *w;
	struct errbuf err;
	uint32_t b[1] = { 2 };

	(void)state;
	p->sampling.counts = true;
	stacktree_insert(p->stacks, b, 1, 1000000, 0); /* nanoseconds, not samples */
	p->events[0].counts = true;
	p->events[0].leader = strdup(p->sampling.event);
	text = write_text(p, &len);
	assert_non_null(strstr(text, "\"weight\":\"count\",\"leader\":"));
	errbuf_clear(&err);
	if (snapshot_parse(text, len, &q, &err) != 0)
		fail_msg("read back: %s", err.msg);
	assert_true(q->sampling.counts);
	assert_true(profile_event_counts(q, 0));
	assert_true(profile_event_counts(q, 1));
	assert_false(profile_event_counts(q, 2));
	assert_string_equal(q->events[0].leader, p->sampling.event);
	assert_null(q->events[1].leader);
	assert_int_equal(stacktree_samples(q->stacks), stacktree_samples(p->stacks));
	again = write_text(q, &len2);
	assert_int_equal(len2, len);
	assert_memory_equal(again, text, len);
	free(again);
	profile_free(q);
	q = NULL;
	w = strstr(text, "\"weight\":\"count\",\"leader\":");
	memcpy(w + 10, "couny", 5);
	errbuf_clear(&err);
	assert_int_not_equal(snapshot_parse(text, len, &q, &err), 0);
	assert_non_null(strstr(err.msg, "stacks.events[0].weight"));
	profile_free(q);
	free(text);
	profile_free(p);
}

/* The fixture without further events writes no stacks.events, byte for byte as read. */
static void
test_one_event(void **state)
{
	char path[4096];
	struct profile *p = NULL;
	struct errbuf err;
	size_t len, flen;
	char *text, *file;
	json_t *root;

	(void)state;
	snprintf(path, sizeof(path), "%s/screen-calltree.json", getenv("TESTDATA"));
	errbuf_clear(&err);
	assert_int_equal(snapshot_load(path, &p, &err), 0);
	assert_int_equal(profile_nsampled(p), 1);
	assert_int_equal(p->nevents, 0);
	text = write_text(p, &len);
	root = json_loads(text, 0, NULL);
	assert_non_null(root);
	assert_null(json_object_get(json_object_get(root, "stacks"), "events"));
	json_decref(root);
	file = load_text(path, &flen);
	/* The fixture is the writer's output (goldens stay byte for byte). */
	assert_int_equal(len, flen);
	assert_memory_equal(text, file, len);
	free(file);
	free(text);
	profile_free(p);
}

/* The fixture's text with stacks.events replaced by the JSON value bad; parse must fail with want.
 */
static void
expect_bad(const char *bad, const char *want)
{
	struct profile *p = fixture(), *q = NULL;
	size_t len;
	char *text = write_text(p, &len), *out;
	json_t *root = json_loads(text, 0, NULL), *v = json_loads(bad, JSON_DECODE_ANY, NULL);
	struct errbuf err;
	int rc;

	assert_non_null(root);
	assert_non_null(v);
	json_object_set_new(json_object_get(root, "stacks"), "events", v);
	out = json_dumps(root, JSON_COMPACT);
	errbuf_clear(&err);
	rc = snapshot_parse(out, strlen(out), &q, &err);
	if (rc != -EINVAL || !strstr(err.msg, want))
		fail_msg("%s: rc %d, message \"%s\", wanted \"%s\"", bad, rc, err.msg, want);
	assert_int_equal(err.class, ERRBUF_INPUT);
	profile_free(q);
	free(out);
	json_decref(root);
	free(text);
	profile_free(p);
}

static void
test_bad(void **state)
{
	(void)state;
	expect_bad("{}", "stacks.events: expected an array");
	expect_bad("[{\"freq\":0,\"period\":1,\"samples\":0,\"nodes\":[[-1,0,0,0]]}]",
		   "stacks.events[0]: expected an object with a non-empty \"event\"");
	expect_bad(
		"[{\"event\":\"\",\"freq\":0,\"period\":1,\"samples\":0,\"nodes\":[[-1,0,0,0]]}]",
		"stacks.events[0]: expected an object");
	expect_bad(
		"[{\"event\":\"x\",\"freq\":-1,\"period\":1,\"samples\":0,\"nodes\":[[-1,0,0,0]]}]",
		"stacks.events[0]: expected an object");
	expect_bad(
		"[{\"event\":\"x\",\"freq\":0,\"period\":1,\"samples\":3,\"nodes\":[[-1,0,0,0]]}]",
		"stacks.events[0].nodes[0]: the root's total differs");
	expect_bad("[{\"event\":\"x\",\"freq\":0,\"period\":1,\"samples\":1,"
		   "\"nodes\":[[-1,0,0,1],[0,99999,1,1]]}]",
		   "stacks.events[0].nodes[1]: expected [parent, frame, self, total]");
	expect_bad(
		"[{\"event\":\"x\",\"freq\":0,\"period\":1,\"samples\":0,\"nodes\":[[-1,0,0,0]]},"
		"{\"event\":\"x\",\"freq\":0,\"period\":1,\"samples\":0,\"nodes\":[[-1,0,0,0]]}]",
		"stacks.events[1]: event 'x' has a tree already");
	expect_bad("[{\"event\":\"x\",\"freq\":0,\"period\":1,\"samples\":0}]",
		   "stacks.events[0].nodes: missing");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_group_round_trip),
		cmocka_unit_test(test_one_event),
		cmocka_unit_test(test_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
