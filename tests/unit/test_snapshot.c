// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for export/snapshot: a profile written as snapshot format 1 reads back identical,
 * the JSON has the shape man/ringside-snapshot.5 defines, a hand-written file loads, and every
 * malformed file in tests/data is rejected whole with a message that says where the problem is.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/export/snapshot.h"
#include "ringside/model/counters.h"
#include "ringside/model/profile.h"
#include "ringside/model/stacktree_range.h"
#include "ringside/model/timeline.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"
#include "ringside/view/rates.h"
#include "unit.h"

/* ---- building profiles ---------------------------------------------------------------------- */

static char **
strv(size_t n, const char *const *src)
{
	char **v = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(src[i]);
	return v;
}

static void
set_common_meta(struct profile *p)
{
	static const char *const cmdline[] = { "ringside", "record", "-o",
					       "a \"quoted\" \\ arg\twith tab",
					       "\xc3\xa9t\xc3\xa9" };
	p->meta.ringside_version = xstrdup("0.1.0");
	p->meta.host = xstrdup("test-host");
	p->meta.kernel = xstrdup("6.1.0-27-amd64");
	p->meta.arch = xstrdup("x86_64");
	p->meta.ncpus = 2;
	p->meta.cmdline = strv(5, cmdline);
	p->meta.ncmdline = 5;
	p->meta.start_unix_ns = 1795414559123000000LL;
	p->meta.duration_ns = 2500000000ULL;
	p->meta.interval_ns = 1000000000ULL;
}

static struct counter_track *
add_track(struct profile *p, const char *name, const char *pmu, const char *kind, uint32_t type,
	  uint64_t config)
{
	struct counter_track *t = profile_add_track(p);
	t->name = xstrdup(name);
	t->canonical = xstrdup(name);
	t->pmu = xstrdup(pmu);
	t->kind = xstrdup(kind);
	t->type = type;
	t->config = config;
	t->supported = true;
	return t;
}

/* System-wide on CPUs 0-1: page-faults on both CPUs, cycles:u unsupported, a raw event. */
static struct profile *
make_system_profile(void)
{
	struct profile *p = profile_new();
	set_common_meta(p);
	p->meta.target_kind = xstrdup("system");
	p->meta.target_desc = xstrdup("system-wide, CPUs 0-1");
	p->meta.target_cpus = xcalloc(2, sizeof(int));
	p->meta.target_cpus[0] = 0;
	p->meta.target_cpus[1] = 1;
	p->meta.ntarget_cpus = 2;
	p->meta.end_reason = xstrdup("duration");

	struct counter_track *t = add_track(p, "page-faults", "software", "software", 1, 2);
	struct counter_series *s = counter_track_series(t, 0);
	counter_series_append(s, 1000000000, 1234, 1000000000, 1000000000);
	counter_series_append(s, 2000000000, 1200, 1000000000, 1000000000);
	counter_series_append(s, 2500000000, 17, 500000000, 500000000);
	s = counter_track_series(t, 1);
	counter_series_append(s, 1000000000, 99, 1000000000, 500000000);
	counter_series_append(s, 2000000000, 0, 1000000000, 250000000);
	counter_series_append(s, 2500000000, 3, 500000000, 0);

	t = add_track(p, "cycles:u", "cpu", "hardware", 0, 0);
	t->exclude_kernel = true;
	t->exclude_hv = true;
	t->supported = false;
	t->reason = xstrdup("not supported by this CPU or kernel (No such file or directory)");

	t = add_track(p, "r1a8", "cpu", "raw", 4, 0x1a8);
	t->config1 = 0xffffffffffffffffULL;
	t->config2 = 0x8000000000000001ULL;
	s = counter_track_series(t, 0);
	/* 2^53 + 1: a reader that goes through double would lose the last bit */
	counter_series_append(s, 1000000000, 9007199254740993ULL, 1000000000, 1000000000);
	counter_series_append(s, 2000000000, 1, 1000000000, 1000000000);
	return p;
}

/* A launched command that exited with status 3; one all-threads series. */
static struct profile *
make_command_profile(void)
{
	static const char *const argv[] = { "ls", "-l", "/tmp dir" };
	struct profile *p = profile_new();
	set_common_meta(p);
	p->meta.target_kind = xstrdup("command");
	p->meta.target_desc = xstrdup("command: ls -l '/tmp dir'");
	p->meta.target_pids = xcalloc(1, sizeof(int));
	p->meta.target_pids[0] = 4242;
	p->meta.ntarget_pids = 1;
	p->meta.command = strv(3, argv);
	p->meta.ncommand = 3;
	p->meta.command_exit = 3;
	p->meta.end_reason = xstrdup("command exited");

	struct counter_track *t = add_track(p, "instructions:u", "cpu", "hardware", 0, 1);
	t->exclude_kernel = true;
	t->exclude_hv = true;
	struct counter_series *s = counter_track_series(t, -1);
	counter_series_append(s, 1000000000, 5000000000ULL, 1000000000, 600000000);
	counter_series_append(s, 1100000000, 7, 100000000, 100000000);

	t = add_track(p, "sched:sched_switch", "tracepoint", "tracepoint", 2, 372);
	s = counter_track_series(t, -1);
	counter_series_append(s, 1000000000, 10, 1000000000, 1000000000);
	counter_series_append(s, 1100000000, 0, 100000000, 100000000);
	return p;
}

/* ---- comparing ------------------------------------------------------------------------------ */

static void
assert_str_eq_or_null(const char *a, const char *b, const char *what)
{
	if (!a && !b)
		return;
	if (!a || !b || strcmp(a, b) != 0)
		fail_msg("%s: '%s' != '%s'", what, a ? a : "(null)", b ? b : "(null)");
}

static void
assert_profiles_equal(const struct profile *a, const struct profile *b)
{
	const struct profile_meta *ma = &a->meta, *mb = &b->meta;

	assert_str_eq_or_null(ma->ringside_version, mb->ringside_version, "ringside_version");
	assert_str_eq_or_null(ma->host, mb->host, "host");
	assert_str_eq_or_null(ma->kernel, mb->kernel, "kernel");
	assert_str_eq_or_null(ma->arch, mb->arch, "arch");
	assert_int_equal(ma->ncpus, mb->ncpus);
	assert_str_eq_or_null(ma->target_kind, mb->target_kind, "target.kind");
	assert_str_eq_or_null(ma->target_desc, mb->target_desc, "target.description");
	assert_int_equal(ma->ntarget_cpus, mb->ntarget_cpus);
	for (size_t i = 0; i < ma->ntarget_cpus; i++)
		assert_int_equal(ma->target_cpus[i], mb->target_cpus[i]);
	assert_int_equal(ma->ntarget_pids, mb->ntarget_pids);
	for (size_t i = 0; i < ma->ntarget_pids; i++)
		assert_int_equal(ma->target_pids[i], mb->target_pids[i]);
	assert_int_equal(ma->ncommand, mb->ncommand);
	for (size_t i = 0; i < ma->ncommand; i++)
		assert_str_eq_or_null(ma->command[i], mb->command[i], "target.command[]");
	assert_int_equal(ma->command_exit, mb->command_exit);
	assert_int_equal(ma->ncmdline, mb->ncmdline);
	for (size_t i = 0; i < ma->ncmdline; i++)
		assert_str_eq_or_null(ma->cmdline[i], mb->cmdline[i], "command_line[]");
	assert_int_equal(ma->start_unix_ns, mb->start_unix_ns);
	assert_int_equal(ma->duration_ns, mb->duration_ns);
	assert_int_equal(ma->interval_ns, mb->interval_ns);
	assert_str_eq_or_null(ma->end_reason, mb->end_reason, "end_reason");

	assert_int_equal(a->nratios, b->nratios);
	for (size_t i = 0; i < a->nratios; i++) {
		const struct ratio_def *ra = &a->ratios[i], *rb = &b->ratios[i];
		assert_str_eq_or_null(ra->name, rb->name, "ratio name");
		assert_str_eq_or_null(ra->num, rb->num, "ratio numerator");
		assert_str_eq_or_null(ra->den, rb->den, "ratio denominator");
		assert_int_equal(ra->percent, rb->percent);
		assert_true(ra->scale == rb->scale);
	}

	assert_int_equal(a->ntracks, b->ntracks);
	for (size_t i = 0; i < a->ntracks; i++) {
		const struct counter_track *ta = &a->tracks[i], *tb = &b->tracks[i];
		assert_str_eq_or_null(ta->name, tb->name, "name");
		assert_str_eq_or_null(ta->canonical, tb->canonical, "canonical");
		assert_str_eq_or_null(ta->pmu, tb->pmu, "pmu");
		assert_str_eq_or_null(ta->kind, tb->kind, "kind");
		assert_int_equal(ta->type, tb->type);
		assert_int_equal(ta->config, tb->config);
		assert_int_equal(ta->config1, tb->config1);
		assert_int_equal(ta->config2, tb->config2);
		assert_int_equal(ta->exclude_user, tb->exclude_user);
		assert_int_equal(ta->exclude_kernel, tb->exclude_kernel);
		assert_int_equal(ta->exclude_hv, tb->exclude_hv);
		assert_int_equal(ta->supported, tb->supported);
		assert_str_eq_or_null(ta->reason, tb->reason, "reason");
		assert_int_equal(ta->added_ns, tb->added_ns);
		assert_int_equal(ta->removed_ns, tb->removed_ns);
		assert_int_equal(ta->nseries, tb->nseries);
		for (size_t j = 0; j < ta->nseries; j++) {
			const struct counter_series *sa = &ta->series[j], *sb = &tb->series[j];
			assert_int_equal(sa->cpu, sb->cpu);
			assert_int_equal(sa->n, sb->n);
			for (size_t k = 0; k < sa->n; k++) {
				assert_int_equal(sa->t[k], sb->t[k]);
				assert_int_equal(sa->count[k], sb->count[k]);
				assert_int_equal(sa->enabled[k], sb->enabled[k]);
				assert_int_equal(sa->running[k], sb->running[k]);
			}
		}
	}
}

/* Write p into memory; *len gets the size. The buffer is the caller's. */
static char *
write_to_memory(const struct profile *p, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct errbuf err;

	assert_non_null(fp);
	errbuf_clear(&err);
	int rc = snapshot_write(p, fp, &err);
	if (rc != 0)
		fail_msg("snapshot_write: %d %s", rc, err.msg);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(buf);
	assert_true(*len > 0);
	return buf;
}

/* q, written again, gives exactly the len bytes of buf (which this frees). */
static void
assert_writes_same(const struct profile *q, char *buf, size_t len)
{
	size_t len2 = 0;
	char *buf2 = write_to_memory(q, &len2);

	assert_int_equal(len2, len);
	assert_memory_equal(buf2, buf, len);
	free(buf2);
	free(buf);
}

static void
round_trip(struct profile *p)
{
	size_t len = 0;
	char *buf = write_to_memory(p, &len);
	struct profile *q = NULL;
	struct errbuf err;

	errbuf_clear(&err);
	int rc = snapshot_parse(buf, len, &q, &err);
	if (rc != 0)
		fail_msg("snapshot_parse of our own output: %d %s\n%s", rc, err.msg, buf);
	assert_non_null(q);
	assert_profiles_equal(p, q);

	/* and writing the parsed profile again gives the same bytes */
	assert_writes_same(q, buf, len);
	profile_free(q);
}

static void
test_round_trip_system(void **state)
{
	(void)state;
	struct profile *p = make_system_profile();
	round_trip(p);
	profile_free(p);
}

static void
test_round_trip_command(void **state)
{
	(void)state;
	struct profile *p = make_command_profile();
	round_trip(p);
	/* killed by SIGKILL */
	p->meta.command_exit = 137;
	free(p->meta.end_reason);
	p->meta.end_reason = xstrdup("signal");
	round_trip(p);
	profile_free(p);
}

/* ---- the JSON itself, checked against the format's definition -------------------------------- */

static json_t *
get(json_t *obj, const char *key, json_type type)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		fail_msg("key '%s' missing", key);
	if (json_typeof(v) != type)
		fail_msg("key '%s' has JSON type %d, expected %d", key, json_typeof(v), type);
	return v;
}

static void
test_written_json_shape(void **state)
{
	(void)state;
	struct profile *p = make_system_profile();
	size_t len = 0;
	char *buf = write_to_memory(p, &len);
	json_error_t jerr;
	json_t *root = json_loadb(buf, len, 0, &jerr);
	if (!root)
		fail_msg("not JSON: %s (line %d)", jerr.text, jerr.line);

	assert_string_equal(json_string_value(get(root, "format", JSON_STRING)),
			    "ringside-snapshot");
	assert_int_equal(json_integer_value(get(root, "version", JSON_INTEGER)), 1);
	json_t *meta = get(root, "meta", JSON_OBJECT);
	assert_string_equal(json_string_value(get(meta, "ringside_version", JSON_STRING)), "0.1.0");
	assert_string_equal(json_string_value(get(meta, "host", JSON_STRING)), "test-host");
	assert_string_equal(json_string_value(get(meta, "kernel", JSON_STRING)), "6.1.0-27-amd64");
	assert_string_equal(json_string_value(get(meta, "arch", JSON_STRING)), "x86_64");
	assert_int_equal(json_integer_value(get(meta, "cpus", JSON_INTEGER)), 2);
	json_t *target = get(meta, "target", JSON_OBJECT);
	assert_string_equal(json_string_value(get(target, "kind", JSON_STRING)), "system");
	assert_string_equal(json_string_value(get(target, "description", JSON_STRING)),
			    "system-wide, CPUs 0-1");
	json_t *cpus = get(target, "cpus", JSON_ARRAY);
	assert_int_equal(json_array_size(cpus), 2);
	assert_int_equal(json_integer_value(json_array_get(cpus, 1)), 1);
	assert_int_equal(json_array_size(get(target, "pids", JSON_ARRAY)), 0);
	assert_int_equal(json_array_size(get(target, "command", JSON_ARRAY)), 0);
	get(target, "exit", JSON_NULL);
	json_t *cl = get(meta, "command_line", JSON_ARRAY);
	assert_int_equal(json_array_size(cl), 5);
	assert_string_equal(json_string_value(json_array_get(cl, 3)),
			    "a \"quoted\" \\ arg\twith tab");
	assert_string_equal(json_string_value(get(meta, "start", JSON_STRING)),
			    "2026-11-23T06:15:59.123Z");
	assert_int_equal(json_integer_value(get(meta, "start_unix_ns", JSON_INTEGER)),
			 1795414559123000000LL);
	assert_int_equal(json_integer_value(get(meta, "duration_ns", JSON_INTEGER)), 2500000000LL);
	assert_int_equal(json_integer_value(get(meta, "interval_ns", JSON_INTEGER)), 1000000000LL);
	assert_string_equal(json_string_value(get(meta, "end_reason", JSON_STRING)), "duration");

	json_t *events = get(root, "events", JSON_ARRAY);
	assert_int_equal(json_array_size(events), 3);

	json_t *ev = json_array_get(events, 0);
	assert_string_equal(json_string_value(get(ev, "name", JSON_STRING)), "page-faults");
	assert_string_equal(json_string_value(get(ev, "canonical", JSON_STRING)), "page-faults");
	assert_string_equal(json_string_value(get(ev, "pmu", JSON_STRING)), "software");
	assert_string_equal(json_string_value(get(ev, "kind", JSON_STRING)), "software");
	json_t *enc = get(ev, "encoding", JSON_OBJECT);
	assert_int_equal(json_integer_value(get(enc, "type", JSON_INTEGER)), 1);
	assert_string_equal(json_string_value(get(enc, "config", JSON_STRING)), "0x2");
	assert_string_equal(json_string_value(get(enc, "config1", JSON_STRING)), "0x0");
	assert_string_equal(json_string_value(get(enc, "config2", JSON_STRING)), "0x0");
	get(enc, "exclude_user", JSON_FALSE);
	get(enc, "exclude_kernel", JSON_FALSE);
	get(enc, "exclude_hv", JSON_FALSE);
	get(ev, "supported", JSON_TRUE);
	get(ev, "reason", JSON_NULL);
	json_t *series = get(ev, "series", JSON_ARRAY);
	assert_int_equal(json_array_size(series), 2);
	json_t *s1 = json_array_get(series, 1);
	assert_int_equal(json_integer_value(get(s1, "cpu", JSON_INTEGER)), 1);
	static const char *arrays[] = { "t", "count", "enabled", "running" };
	static const long long want1[4][3] = {
		{ 1000000000, 2000000000, 2500000000 },
		{ 99, 0, 3 },
		{ 1000000000, 1000000000, 500000000 },
		{ 500000000, 250000000, 0 },
	};
	for (size_t a = 0; a < 4; a++) {
		json_t *arr = get(s1, arrays[a], JSON_ARRAY);
		assert_int_equal(json_array_size(arr), 3);
		for (size_t k = 0; k < 3; k++) {
			json_t *v = json_array_get(arr, k);
			assert_true(json_is_integer(v));
			assert_int_equal(json_integer_value(v), want1[a][k]);
		}
	}

	ev = json_array_get(events, 1);
	assert_string_equal(json_string_value(get(ev, "name", JSON_STRING)), "cycles:u");
	assert_string_equal(json_string_value(get(ev, "kind", JSON_STRING)), "hardware");
	enc = get(ev, "encoding", JSON_OBJECT);
	get(enc, "exclude_kernel", JSON_TRUE);
	get(enc, "exclude_hv", JSON_TRUE);
	get(ev, "supported", JSON_FALSE);
	assert_string_equal(json_string_value(get(ev, "reason", JSON_STRING)),
			    "not supported by this CPU or kernel (No such file or directory)");
	assert_int_equal(json_array_size(get(ev, "series", JSON_ARRAY)), 0);

	ev = json_array_get(events, 2);
	enc = get(ev, "encoding", JSON_OBJECT);
	assert_int_equal(json_integer_value(get(enc, "type", JSON_INTEGER)), 4);
	assert_string_equal(json_string_value(get(enc, "config", JSON_STRING)), "0x1a8");
	assert_string_equal(json_string_value(get(enc, "config1", JSON_STRING)),
			    "0xffffffffffffffff");
	assert_string_equal(json_string_value(get(enc, "config2", JSON_STRING)),
			    "0x8000000000000001");
	json_t *cnt = get(json_array_get(get(ev, "series", JSON_ARRAY), 0), "count", JSON_ARRAY);
	assert_int_equal(json_integer_value(json_array_get(cnt, 0)), 9007199254740993LL);

	json_decref(root);
	free(buf);
	profile_free(p);

	/* a command target: pids, argv and the exit code */
	p = make_command_profile();
	buf = write_to_memory(p, &len);
	root = json_loadb(buf, len, 0, &jerr);
	assert_non_null(root);
	target = get(get(root, "meta", JSON_OBJECT), "target", JSON_OBJECT);
	assert_string_equal(json_string_value(get(target, "kind", JSON_STRING)), "command");
	assert_int_equal(json_array_size(get(target, "cpus", JSON_ARRAY)), 0);
	json_t *pids = get(target, "pids", JSON_ARRAY);
	assert_int_equal(json_array_size(pids), 1);
	assert_int_equal(json_integer_value(json_array_get(pids, 0)), 4242);
	json_t *cmd = get(target, "command", JSON_ARRAY);
	assert_int_equal(json_array_size(cmd), 3);
	assert_string_equal(json_string_value(json_array_get(cmd, 2)), "/tmp dir");
	assert_int_equal(json_integer_value(get(target, "exit", JSON_INTEGER)), 3);
	ev = json_array_get(get(root, "events", JSON_ARRAY), 0);
	json_t *s0 = json_array_get(get(ev, "series", JSON_ARRAY), 0);
	assert_int_equal(json_integer_value(get(s0, "cpu", JSON_INTEGER)), -1);
	json_decref(root);
	free(buf);
	profile_free(p);
}

/* ---- files ---------------------------------------------------------------------------------- */

static void
test_save_and_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/ringside-test-snapshot-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/snap.json", dir);

	struct profile *p = make_system_profile();
	struct errbuf err;
	errbuf_clear(&err);
	int rc = snapshot_save(p, path, &err);
	if (rc != 0)
		fail_msg("snapshot_save: %d %s", rc, err.msg);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	struct profile *q = NULL;
	rc = snapshot_load(path, &q, &err);
	if (rc != 0)
		fail_msg("snapshot_load: %d %s", rc, err.msg);
	assert_profiles_equal(p, q);
	profile_free(q);
	unlink(path);

	/* a directory that does not exist: an error naming the path */
	char bad[300];
	snprintf(bad, sizeof(bad), "%s/missing/snap.json", dir);
	errbuf_clear(&err);
	rc = snapshot_save(p, bad, &err);
	assert_int_equal(rc, -ENOENT);
	if (!strstr(err.msg, bad))
		fail_msg("message does not name %s: %s", bad, err.msg);
	profile_free(p);
	assert_int_equal(rmdir(dir), 0); /* nothing left behind */
}

static void
test_write_failure(void **state)
{
	(void)state;
	FILE *fp = fopen("/dev/full", "w");
	if (!fp) {
		unit_skip("no /dev/full to write to");
	}
	/* enough data that it cannot all sit in the stream's buffer */
	struct profile *p = make_system_profile();
	struct counter_series *s = counter_track_series(&p->tracks[0], 0);
	for (uint64_t i = 1; i <= 20000; i++)
		counter_series_append(s, 2500000000ULL + i * 1000, i, 1000, 1000);
	struct errbuf err;
	errbuf_clear(&err);
	int rc = snapshot_write(p, fp, &err);
	fclose(fp);
	assert_int_equal(rc, -EIO);
	assert_true(errbuf_isset(&err));
	profile_free(p);
}

static const char *
testdata(void)
{
	const char *d = getenv("TESTDATA");
	if (!d)
		fail_msg("TESTDATA is not set (run through make check)");
	return d;
}

static void
test_load_good_fixture(void **state)
{
	(void)state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/snapshot-good.json", testdata());
	struct profile *p = NULL;
	struct errbuf err;

	errbuf_clear(&err);
	int rc = snapshot_load(path, &p, &err);
	if (rc != 0)
		fail_msg("snapshot_load(%s): %d %s", path, rc, err.msg);
	assert_non_null(p);
	assert_string_equal(p->meta.ringside_version, "0.1.0");
	assert_string_equal(p->meta.host, "testhost");
	assert_string_equal(p->meta.kernel, "6.1.0-test-amd64");
	assert_string_equal(p->meta.arch, "x86_64");
	assert_int_equal(p->meta.ncpus, 2);
	assert_string_equal(p->meta.target_kind, "system");
	assert_string_equal(p->meta.target_desc, "system-wide, CPUs 0-1");
	assert_int_equal(p->meta.ntarget_cpus, 2);
	assert_int_equal(p->meta.target_cpus[0], 0);
	assert_int_equal(p->meta.target_cpus[1], 1);
	assert_int_equal(p->meta.ntarget_pids, 0);
	assert_int_equal(p->meta.ncommand, 0);
	assert_int_equal(p->meta.command_exit, -1);
	assert_int_equal(p->meta.ncmdline, 6);
	assert_string_equal(p->meta.cmdline[5], "good.json");
	assert_int_equal(p->meta.start_unix_ns, 1795414559123000000LL);
	assert_int_equal(p->meta.duration_ns, 2500000000ULL);
	assert_int_equal(p->meta.interval_ns, 1000000000ULL);
	assert_string_equal(p->meta.end_reason, "duration");

	assert_int_equal(p->nratios, 0);
	assert_int_equal(p->ntracks, 3);
	struct counter_track *t = profile_find_track(p, "page-faults");
	assert_ptr_equal(t, &p->tracks[0]);
	assert_string_equal(t->pmu, "software");
	assert_string_equal(t->kind, "software");
	assert_int_equal(t->type, 1);
	assert_int_equal(t->config, 2);
	assert_true(t->supported);
	assert_null(t->reason);
	assert_int_equal(t->nseries, 2);
	assert_int_equal(t->series[1].cpu, 1);
	assert_int_equal(t->series[1].n, 3);
	assert_int_equal(t->series[1].count[0], 99);
	assert_int_equal(t->series[1].running[1], 250000000);
	assert_int_equal(t->series[0].t[2], 2500000000ULL);

	t = profile_find_track(p, "cycles:u");
	assert_non_null(t);
	assert_false(t->supported);
	assert_string_equal(t->reason,
			    "not supported by this CPU or kernel (No such file or directory)");
	assert_true(t->exclude_kernel);
	assert_true(t->exclude_hv);
	assert_false(t->exclude_user);
	assert_int_equal(t->nseries, 0);

	t = profile_find_track(p, "r1a8");
	assert_non_null(t);
	assert_int_equal(t->type, 4);
	assert_int_equal(t->config, 0x1a8);
	assert_int_equal(t->config1, 0xffffffffffffffffULL);
	assert_int_equal(t->series[0].count[0], 9007199254740993ULL);
	profile_free(p);
}

/* Load path and expect a rejection whose message contains every fragment and the file's name. */
static bool
check_rejected(const char *path, const char *const *fragments, int want_rc)
{
	struct profile *p = NULL;
	struct errbuf err;
	bool ok = true;
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;

	errbuf_clear(&err);
	int rc = snapshot_load(path, &p, &err);
	if (rc >= 0 || (want_rc && rc != want_rc)) {
		print_message("# %s: snapshot_load returned %d\n", base, rc);
		ok = false;
	}
	if (p) {
		print_message("# %s: *out was set on failure\n", base);
		profile_free(p);
		ok = false;
	}
	if (!strstr(err.msg, base)) {
		print_message("# %s: message does not name the file: %s\n", base, err.msg);
		ok = false;
	}
	for (const char *const *f = fragments; *f; f++) {
		if (!strstr(err.msg, *f)) {
			print_message("# %s: message lacks '%s': %s\n", base, *f, err.msg);
			ok = false;
		}
	}
	return ok;
}

static void
test_rejects_bad_fixtures(void **state)
{
	(void)state;
	static const struct {
		const char *file;
		const char *fragments[3];
	} cases[] = {
		{ "bad-truncated.json", { "line" } },
		{ "bad-notjson.txt", { "line" } },
		{ "bad-trailing.json", { "line" } },
		{ "bad-format.json", { "format" } },
		{ "bad-version.json", { "version" } },
		{ "bad-version0.json", { "version" } },
		{ "bad-versionstr.json", { "version" } },
		{ "bad-lengths.json", { "events[0].series[0]" } },
		{ "bad-negative.json", { "events[0].series[0].count[1]" } },
		{ "bad-float.json", { "events[0].series[1].enabled[0]" } },
		{ "bad-running.json", { "events[0].series[0].running[1]" } },
		{ "bad-time.json", { "events[0].series[0].t[1]" } },
		{ "bad-dupname.json", { "events[2].name" } },
		{ "bad-type.json", { "meta.cpus" } },
		{ "bad-missing.json", { "events[1]", "encoding" } },
		{ "bad-config.json", { "events[2].encoding.config" } },
		{ "bad-events.json", { "events" } },
	};
	size_t failed = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", testdata(), cases[i].file);
		assert_int_equal(access(path, R_OK), 0);
		if (!check_rejected(path, cases[i].fragments, 0))
			failed++;
	}
	if (failed)
		fail_msg("%zu of %zu bad fixtures were not rejected as expected", failed,
			 sizeof(cases) / sizeof(cases[0]));
}

static void
test_rejects_empty_and_missing(void **state)
{
	(void)state;
	char path[] = "/tmp/ringside-test-empty-XXXXXX.json";
	int fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	close(fd);
	static const char *const none[] = { NULL };
	bool ok = check_rejected(path, none, 0);
	unlink(path);
	assert_true(ok);

	assert_true(check_rejected("/nonexistent/ringside/snap.json", none, -ENOENT));
	assert_true(check_rejected("/tmp", none, 0)); /* a directory */
}

/* The bounded reader: a file over the limit, a FIFO and a device are refused whole, as bad input.
 */
static void
test_rejects_unbounded(void **state)
{
	(void)state;
	char *good = xasprintf("%s/snapshot-good.json", testdata()), dir[] = "/tmp/rs-fifo-XXXXXX";
	struct profile *p = NULL;
	struct errbuf err;
	char *fifo;

	/* Within the limit (the file's own size) it loads; one byte less and it is refused. */
	struct stat st;
	assert_int_equal(stat(good, &st), 0);
	errbuf_clear(&err);
	assert_int_equal(snapshot_load_max(good, (size_t)st.st_size, &p, &err), 0);
	profile_free(p);
	p = NULL;
	errbuf_clear(&err);
	assert_int_equal(snapshot_load_max(good, (size_t)st.st_size - 1, &p, &err), -EFBIG);
	assert_null(p);
	assert_int_equal(err.class, ERRBUF_INPUT);
	assert_non_null(strstr(err.msg, good));
	assert_non_null(strstr(err.msg, "2.5 KiB"));
	assert_non_null(strstr(err.msg, "over the"));

	/* A character device: refused before a byte is read. */
	errbuf_clear(&err);
	assert_int_equal(snapshot_load("/dev/zero", &p, &err), -ESPIPE);
	assert_int_equal(err.class, ERRBUF_INPUT);
	assert_non_null(strstr(err.msg, "'/dev/zero' is a character device, not a regular file"));
	assert_non_null(strstr(err.msg, "2.0 GiB"));

	/* A FIFO nobody writes to: refused at once, not waited on. */
	assert_non_null(mkdtemp(dir));
	fifo = xasprintf("%s/f.json", dir);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	errbuf_clear(&err);
	assert_int_equal(snapshot_load(fifo, &p, &err), -ESPIPE);
	assert_non_null(strstr(err.msg, "is a FIFO"));
	assert_null(p);
	unlink(fifo);
	rmdir(dir);
	free(fifo);
	free(good);
}

static void
test_parse_from_memory(void **state)
{
	(void)state;
	struct profile *p = make_system_profile();
	size_t len = 0;
	char *buf = write_to_memory(p, &len);
	struct profile *q = NULL;
	struct errbuf err;

	/* no terminating NUL is needed: len says where the data ends */
	char *exact = xmalloc(len);
	memcpy(exact, buf, len);
	errbuf_clear(&err);
	assert_int_equal(snapshot_parse(exact, len, &q, &err), 0);
	assert_profiles_equal(p, q);
	profile_free(q);
	q = NULL;

	/* and nothing past len is read */
	errbuf_clear(&err);
	assert_int_equal(snapshot_parse(buf, len / 2, &q, &err), -EINVAL);
	assert_null(q);
	assert_non_null(strstr(err.msg, "line"));

	/* trailing garbage in memory */
	char *trail = xmalloc(len + 8);
	memcpy(trail, buf, len);
	memcpy(trail + len, "\n[1]", 4);
	errbuf_clear(&err);
	assert_int_equal(snapshot_parse(trail, len + 4, &q, &err), -EINVAL);
	assert_null(q);

	/* a JSON value that is not an object */
	errbuf_clear(&err);
	assert_int_equal(snapshot_parse("[1,2,3]", 7, &q, &err), -EINVAL);
	assert_null(q);
	assert_true(errbuf_isset(&err));
	errbuf_clear(&err);
	assert_int_equal(snapshot_parse("{}", 2, &q, &err), -EINVAL);
	assert_null(q);
	assert_non_null(strstr(err.msg, "format"));

	free(trail);
	free(exact);
	free(buf);
	profile_free(p);
}

/* ---- events added and removed during a live session ------------------------------------------ */

static void
test_added_removed_events(void **state)
{
	(void)state;
	struct profile *p = make_command_profile();
	struct counter_track *late = add_track(p, "minor-faults", "software", "software", 1, 6);
	struct counter_series *s = counter_track_series(late, -1);
	static const uint64_t tv[] = { 250000000, 500000000, 1000000000, 1100000000 };
	const struct counter_series ref = { .t = (uint64_t *)tv, .n = 4 };
	size_t len = 0;
	char *buf;
	json_t *root, *ev;
	json_error_t jerr;
	struct profile *q = NULL;
	struct errbuf err;

	/* Counted over the middle intervals only: uncounted ones before and after. */
	for (size_t i = 0; i < ref.n; i++) {
		bool on = i > 0 && i + 1 < ref.n;
		counter_series_append(s, ref.t[i], on ? 100 * i : 0, on ? 5 : 0, on ? 5 : 0);
	}
	late->added_ns = ref.t[0];
	late->removed_ns = ref.t[ref.n - 2];
	round_trip(p);

	/* The keys appear for that event only; the others look as they always did. */
	buf = write_to_memory(p, &len);
	root = json_loadb(buf, len, 0, &jerr);
	assert_non_null(root);
	ev = json_array_get(json_object_get(root, "events"), p->ntracks - 1);
	assert_int_equal(json_integer_value(json_object_get(ev, "added_ns")), (json_int_t)ref.t[0]);
	assert_int_equal(json_integer_value(json_object_get(ev, "removed_ns")),
			 (json_int_t)ref.t[ref.n - 2]);
	ev = json_array_get(json_object_get(root, "events"), 0);
	assert_null(json_object_get(ev, "added_ns"));
	assert_null(json_object_get(ev, "removed_ns"));

	/* removed_ns not after added_ns is rejected, naming the key. */
	ev = json_array_get(json_object_get(root, "events"), p->ntracks - 1);
	json_object_set_new(ev, "removed_ns", json_integer((json_int_t)ref.t[0]));
	free(buf);
	buf = json_dumps(root, JSON_COMPACT);
	errbuf_clear(&err);
	assert_int_equal(snapshot_parse(buf, strlen(buf), &q, &err), -EINVAL);
	assert_null(q);
	assert_non_null(strstr(err.msg, "removed_ns"));
	/* A negative time too. */
	json_object_set_new(ev, "removed_ns", json_integer(-5));
	free(buf);
	buf = json_dumps(root, JSON_COMPACT);
	errbuf_clear(&err);
	assert_int_equal(snapshot_parse(buf, strlen(buf), &q, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "removed_ns"));

	/* Without the keys (an older file) the event reads as counted throughout. */
	json_object_del(ev, "removed_ns");
	json_object_del(ev, "added_ns");
	free(buf);
	buf = json_dumps(root, JSON_COMPACT);
	errbuf_clear(&err);
	assert_int_equal(snapshot_parse(buf, strlen(buf), &q, &err), 0);
	assert_int_equal(q->tracks[q->ntracks - 1].added_ns, 0);
	assert_int_equal(q->tracks[q->ntracks - 1].removed_ns, 0);
	profile_free(q);
	free(buf);
	json_decref(root);
	profile_free(p);
}

/* ---- stacks -----------------------------------------------------------------------------------
 */

/* The command profile with a sampled stack tree: two processes, a thread, inline and kernel frames.
 */
static struct profile *
make_stacks_profile(void)
{
	struct profile *p = make_command_profile();
	uint32_t proc, thr, thr2, main_, a, b, inl, k;

	profile_enable_stacks(p, 0, 0);
	p->sampling.event = xstrdup("cpu-clock");
	p->sampling.freq = 999;
	p->sampling.callgraph = xstrdup("fp");
	p->sampling.lost = 3;
	p->sampling.throttled = 1;
	proc = frametab_intern(p->frames, "ls", NULL, NULL, 4242, FRAME_PROCESS, false);
	thr = frametab_intern(p->frames, "ls", NULL, NULL, 4242, FRAME_THREAD, false);
	thr2 = frametab_intern(p->frames, "worker", NULL, NULL, 4243, FRAME_THREAD, false);
	main_ = frametab_intern(p->frames, "main", "/usr/bin/ls", "ls.c", 10, FRAME_USER, false);
	a = frametab_intern(p->frames, "std::vector<int>::push_back", "/lib/libstdc++.so.6", NULL,
			    0, FRAME_LIBRARY, false);
	inl = frametab_intern(p->frames, "helper", "/usr/bin/ls", "ls.c", 42, FRAME_USER, true);
	b = frametab_intern(p->frames, "<img src=x onerror=alert(1)>", "[jit]", NULL, 0, FRAME_JIT,
			    false);
	k = frametab_intern(p->frames, "do_syscall_64", "[kernel]", NULL, 0, FRAME_KERNEL, false);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr, main_, a }, 4, 5, 0);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr, main_, inl, k }, 5, 2, 0);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr2, b }, 3, 7, 0);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr, main_ }, 3, 1, 0);
	p->sampling.samples = 15;
	return p;
}

/* Walk both trees by frame names along the same paths: equal shape, counts and frames. */
static void
assert_same_node(const struct profile *p, uint32_t pn, const struct profile *q, uint32_t qn)
{
	const struct stacktree_node *x = stacktree_node(p->stacks, pn);
	const struct stacktree_node *y = stacktree_node(q->stacks, qn);
	const struct frame *fx = frametab_get(p->frames, x->frame);
	const struct frame *fy = frametab_get(q->frames, y->frame);
	size_t nx = 0, ny = 0;

	assert_int_equal(x->self, y->self);
	assert_int_equal(x->total, y->total);
	assert_string_equal(frametab_str(p->frames, fx->name), frametab_str(q->frames, fy->name));
	assert_string_equal(frametab_str(p->frames, fx->module),
			    frametab_str(q->frames, fy->module));
	assert_string_equal(frametab_str(p->frames, fx->file), frametab_str(q->frames, fy->file));
	assert_int_equal(fx->line, fy->line);
	assert_int_equal(fx->kind, fy->kind);
	assert_int_equal(fx->inlined, fy->inlined);
	for (uint32_t c = x->first_child; c != STACKTREE_NONE;
	     c = stacktree_node(p->stacks, c)->next_sibling) {
		const struct frame *fc =
			frametab_get(p->frames, stacktree_node(p->stacks, c)->frame);
		uint32_t match = STACKTREE_NONE;

		nx++;
		for (uint32_t d = y->first_child; d != STACKTREE_NONE;
		     d = stacktree_node(q->stacks, d)->next_sibling) {
			const struct frame *fd =
				frametab_get(q->frames, stacktree_node(q->stacks, d)->frame);

			if (strcmp(frametab_str(p->frames, fc->name),
				   frametab_str(q->frames, fd->name)) == 0 &&
			    fc->kind == fd->kind && fc->line == fd->line)
				match = d;
		}
		if (match == STACKTREE_NONE)
			fail_msg("child '%s' missing after the round trip",
				 frametab_str(p->frames, fc->name));
		assert_same_node(p, c, q, match);
	}
	for (uint32_t d = y->first_child; d != STACKTREE_NONE;
	     d = stacktree_node(q->stacks, d)->next_sibling)
		ny++;
	assert_int_equal(nx, ny);
}

static void
test_stacks_round_trip(void **state)
{
	struct profile *p = make_stacks_profile(), *q = NULL;
	size_t len = 0;
	char *buf = write_to_memory(p, &len);
	struct errbuf err;

	(void)state;
	errbuf_clear(&err);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	assert_non_null(q->stacks);
	assert_int_equal(q->sampling.samples, 15);
	assert_int_equal(q->sampling.lost, 3);
	assert_int_equal(q->sampling.throttled, 1);
	assert_int_equal(q->sampling.freq, 999);
	assert_string_equal(q->sampling.event, "cpu-clock");
	assert_string_equal(q->sampling.callgraph, "fp");
	assert_int_equal(stacktree_nnodes(q->stacks), stacktree_nnodes(p->stacks));
	assert_same_node(p, STACKTREE_ROOT, q, STACKTREE_ROOT);
	free(buf);
	profile_free(q);
	/* The byte-for-byte part: write, read, write again. */
	round_trip(p);
	profile_free(p);
}

/*
 * Apply one edit to p written as JSON (to its member key, or the whole document when key is NULL);
 * the reader must refuse the result with a message naming fragment (the JSON path). Frees p.
 */
static void
expect_edit_rejected(struct profile *p, const char *key, const char *what, void (*edit)(json_t *),
		     const char *fragment)
{
	struct profile *q = NULL;
	size_t len = 0;
	char *buf = write_to_memory(p, &len), *bad;
	json_t *root = json_loadb(buf, len, 0, NULL);
	struct errbuf err;

	assert_non_null(root);
	edit(key ? json_object_get(root, key) : root);
	bad = json_dumps(root, JSON_COMPACT);
	errbuf_clear(&err);
	if (snapshot_parse(bad, strlen(bad), &q, &err) == 0)
		fail_msg("%s: accepted", what);
	assert_null(q);
	if (!strstr(err.msg, fragment))
		fail_msg("%s: message '%s' lacks '%s'", what, err.msg, fragment);
	free(bad);
	free(buf);
	json_decref(root);
	profile_free(p);
}

/* Apply one edit to the "stacks" object of a good snapshot; the reader must refuse the result. */
static void
expect_stacks_rejected(const char *what, void (*edit)(json_t *stacks), const char *fragment)
{
	expect_edit_rejected(make_stacks_profile(), "stacks", what, edit, fragment);
}

static void
edit_node_parent_after(json_t *s)
{
	json_array_set_new(json_array_get(json_object_get(s, "nodes"), 1), 0, json_integer(5));
}

static void
edit_node_total(json_t *s)
{
	json_t *n = json_array_get(json_object_get(s, "nodes"), 2);

	json_array_set_new(n, 3, json_integer(json_integer_value(json_array_get(n, 3)) + 1));
}

static void
edit_samples(json_t *s)
{
	json_object_set_new(s, "samples", json_integer(14));
}

static void
edit_frame_kind(json_t *s)
{
	json_array_set_new(json_array_get(json_object_get(s, "frames"), 3), 4,
			   json_string("martian"));
}

static void
edit_frame_string(json_t *s)
{
	json_array_set_new(json_array_get(json_object_get(s, "frames"), 3), 0,
			   json_integer(100000));
}

static void
edit_dup_string(json_t *s)
{
	json_t *a = json_object_get(s, "strings");

	json_array_append_new(a, json_string(json_string_value(json_array_get(a, 1))));
}

static void
edit_root_parent(json_t *s)
{
	json_array_set_new(json_array_get(json_object_get(s, "nodes"), 0), 0, json_integer(0));
}

static void
edit_self_above_total(json_t *s)
{
	json_t *n = json_array_get(json_object_get(s, "nodes"), 3);

	json_array_set_new(n, 2, json_integer(json_integer_value(json_array_get(n, 3)) + 1));
}

static void
edit_nodes_type(json_t *s)
{
	json_object_set_new(s, "nodes", json_string("many"));
}

static void
test_stacks_rejected(void **state)
{
	(void)state;
	expect_stacks_rejected("parent after child", edit_node_parent_after, "stacks.nodes[1]");
	expect_stacks_rejected("inconsistent total", edit_node_total, "stacks.nodes");
	expect_stacks_rejected("samples != root total", edit_samples, "stacks.nodes[0]");
	expect_stacks_rejected("unknown kind", edit_frame_kind, "stacks.frames[3]");
	expect_stacks_rejected("string id out of range", edit_frame_string, "stacks.frames[3]");
	expect_stacks_rejected("duplicate string", edit_dup_string, "stacks.strings");
	expect_stacks_rejected("root with a parent", edit_root_parent, "stacks.nodes[0]");
	expect_stacks_rejected("self above total", edit_self_above_total, "stacks.nodes[3]");
	expect_stacks_rejected("nodes not an array", edit_nodes_type, "stacks.nodes");
}

/* ---- the time index ------------------------------------------------------------------------ */

/* The stacks profile's samples again, with a time index: 5 at 0.1 s, 2 at 1.5 s, 7 and 1 at 3 s. */
static struct profile *
make_timeline_profile(void)
{
	struct profile *p = make_command_profile();
	uint32_t proc, thr, main_, a, k;

	profile_enable_stacks(p, 0, 0);
	stacktree_set_timeline(p->stacks, timeline_new(1000000000ull, 0));
	p->sampling.event = xstrdup("cpu-clock");
	p->sampling.callgraph = xstrdup("fp");
	proc = frametab_intern(p->frames, "ls", NULL, NULL, 4242, FRAME_PROCESS, false);
	thr = frametab_intern(p->frames, "ls", NULL, NULL, 4242, FRAME_THREAD, false);
	main_ = frametab_intern(p->frames, "main", "/usr/bin/ls", "ls.c", 10, FRAME_USER, false);
	a = frametab_intern(p->frames, "phase_a", "/usr/bin/ls", NULL, 0, FRAME_USER, false);
	k = frametab_intern(p->frames, "do_syscall_64", "[kernel]", NULL, 0, FRAME_KERNEL, false);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr, main_, a }, 4, 5, 1100000000ull);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr, main_, k }, 4, 2, 2500000000ull);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr, main_, a }, 4, 7, 4000000000ull);
	stacktree_insert(p->stacks, (uint32_t[]){ proc, thr, main_ }, 3, 1, 4000000000ull);
	p->sampling.samples = 15;
	return p;
}

static void
test_timeline_round_trip(void **state)
{
	struct profile *p = make_timeline_profile(), *q = NULL;
	size_t len = 0;
	char *buf = write_to_memory(p, &len);
	struct stacktree *r;
	struct errbuf err;

	(void)state;
	assert_non_null(strstr(buf, "\"timeline\":{\"quantum_ns\":100000,"));
	errbuf_clear(&err);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	assert_non_null(stacktree_timeline(q->stacks));
	assert_int_equal(stacktree_range_samples(q->stacks, 0, 1000000000ull), 5);
	assert_int_equal(stacktree_range_samples(q->stacks, 1000000000ull, 2000000000ull), 2);
	assert_int_equal(stacktree_range_samples(q->stacks, 2000000000ull, UINT64_MAX), 8);
	r = stacktree_range_tree(q->stacks, 2000000000ull, UINT64_MAX, NULL);
	assert_int_equal(stacktree_node(r, STACKTREE_ROOT)->total, 8);
	stacktree_free(r);
	free(buf);
	profile_free(q);
	round_trip(p);
	profile_free(p);
}

static void
edit_timeline_weight(json_t *s)
{
	json_t *e = json_array_get(json_object_get(json_object_get(s, "timeline"), "entries"), 0);

	json_array_set_new(e, 2, json_integer(json_integer_value(json_array_get(e, 2)) + 1));
}

static void
edit_timeline_node(json_t *s)
{
	json_t *e = json_array_get(json_object_get(json_object_get(s, "timeline"), "entries"), 1);

	json_array_set_new(e, 1, json_integer(99));
}

static void
edit_timeline_dt(json_t *s)
{
	json_t *e = json_array_get(json_object_get(json_object_get(s, "timeline"), "entries"), 1);

	json_array_set_new(e, 0, json_integer(-3));
}

static void
edit_timeline_quantum(json_t *s)
{
	json_object_set_new(json_object_get(s, "timeline"), "quantum_ns", json_integer(1000));
}

static void
edit_timeline_entries(json_t *s)
{
	json_object_set_new(json_object_get(s, "timeline"), "entries", json_object());
}

static void
test_timeline_rejected(void **state)
{
	(void)state;
	expect_edit_rejected(make_timeline_profile(), "stacks", "weight off by one",
			     edit_timeline_weight, "does not match the tree");
	expect_edit_rejected(make_timeline_profile(), "stacks", "unknown node", edit_timeline_node,
			     "stacks.timeline.entries[1]");
	expect_edit_rejected(make_timeline_profile(), "stacks", "negative dt", edit_timeline_dt,
			     "stacks.timeline.entries[1]");
	expect_edit_rejected(make_timeline_profile(), "stacks", "other quantum",
			     edit_timeline_quantum, "stacks.timeline.quantum_ns");
	expect_edit_rejected(make_timeline_profile(), "stacks", "entries not an array",
			     edit_timeline_entries, "stacks.timeline");
}

/* ---- the user's ratios ---------------------------------------------------------------------- */

/* Set the ratio text ("NAME=A/B") in p's ratios; returns profile_set_ratio's 0 (added) or 1. */
static int
add_ratio(struct profile *p, const char *text)
{
	struct ratio_def r;
	struct errbuf err;
	int rc;

	errbuf_clear(&err);
	if (ratio_parse(&r, text, &err) != 0)
		fail_msg("ratio_parse(%s): %s", text, err.msg);
	rc = profile_set_ratio(p, &r);
	ratio_fini(&r);
	return rc;
}

/* The system profile with two ratios: one of two counted events, a percentage of an unsupported
 * one. */
static struct profile *
make_ratios_profile(void)
{
	struct profile *p = make_system_profile();

	assert_int_equal(add_ratio(p, "faults_per_raw=page-faults/r1a8"), 0);
	assert_int_equal(add_ratio(p, "cyc%=cycles:u/page-faults"), 0);
	return p;
}

static void
test_ratios_round_trip(void **state)
{
	(void)state;
	struct profile *p = make_ratios_profile(), *q = NULL;
	size_t len = 0;
	char *buf = write_to_memory(p, &len);
	json_t *root = json_loadb(buf, len, 0, NULL), *want;
	struct errbuf err;
	const char *key;
	json_t *v;
	int i = 0;

	assert_non_null(root);
	want = json_pack("[{s:s, s:s, s:s, s:b}, {s:s, s:s, s:s, s:b}]", "name", "faults_per_raw",
			 "numerator", "page-faults", "denominator", "r1a8", "percent", 0, "name",
			 "cyc", "numerator", "cycles:u", "denominator", "page-faults", "percent",
			 1);
	if (!json_equal(json_object_get(root, "ratios"), want)) {
		char *got = json_dumps(json_object_get(root, "ratios"), 0);
		fail_msg("ratios written as %s", got ? got : "(none)");
	}
	/* after "events", before "stacks" and "sched": the order man/ringside-snapshot.5 lists */
	json_object_foreach (root, key, v) {
		static const char *const order[] = { "format", "version", "meta", "events",
						     "ratios" };
		assert_true(i < 5);
		assert_string_equal(key, order[i++]);
	}
	json_decref(want);
	json_decref(root);

	errbuf_clear(&err);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	assert_int_equal(q->nratios, 2);
	assert_string_equal(q->ratios[1].name, "cyc");
	assert_true(q->ratios[1].percent);
	assert_true(q->ratios[1].scale == 100);
	assert_false(q->ratios[0].percent);
	assert_true(q->ratios[0].scale == 1);
	assert_false(q->ratios[0].builtin);
	profile_free(q);
	free(buf);
	round_trip(p);
	profile_free(p);

	/* Without ratios the key is absent: files stay as they were before it existed. */
	p = make_system_profile();
	buf = write_to_memory(p, &len);
	root = json_loadb(buf, len, 0, NULL);
	assert_null(json_object_get(root, "ratios"));
	json_decref(root);
	free(buf);
	profile_free(p);
}

/* The writer names a ratio's events as the file does, and leaves out a ratio it cannot name. */
static void
test_ratios_written_by_track_name(void **state)
{
	(void)state;
	struct profile *p = make_system_profile(), *q = NULL;
	size_t len = 0;
	char *buf;
	struct errbuf err;

	free(p->tracks[2].canonical);
	p->tracks[2].canonical = xstrdup("raw:0x1a8");
	assert_int_equal(add_ratio(p, "by_canonical=raw:0x1a8/page-faults"), 0);
	assert_int_equal(add_ratio(p, "absent=page-faults/instructions"), 0);
	assert_int_equal(add_ratio(p, "kept=r1a8/r1a8"), 0);
	/* a ratio of the same name replaces the first, in its place */
	assert_int_equal(add_ratio(p, "kept%=page-faults/page-faults"), 1);
	assert_int_equal(p->nratios, 3);
	assert_string_equal(p->ratios[2].num, "page-faults");
	assert_true(p->ratios[2].percent);
	buf = write_to_memory(p, &len);
	errbuf_clear(&err);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	assert_int_equal(q->nratios, 2);
	assert_string_equal(q->ratios[0].name, "by_canonical");
	assert_string_equal(q->ratios[0].num, "r1a8");
	assert_string_equal(q->ratios[0].den, "page-faults");
	assert_string_equal(q->ratios[1].name, "kept");
	assert_string_equal(q->ratios[1].den, "page-faults");
	assert_true(q->ratios[1].percent);
	assert_null(profile_find_ratio(q, "absent"));
	free(buf);
	profile_free(q);
	profile_free(p);
}

/* tests/data/snapshot-ratios.json: its ratios load and compute from its events. */
static void
test_ratios_fixture(void **state)
{
	(void)state;
	char path[4096];
	struct profile *p = NULL;
	struct errbuf err;
	double v = 0;

	snprintf(path, sizeof(path), "%s/snapshot-ratios.json", testdata());
	errbuf_clear(&err);
	if (snapshot_load(path, &p, &err) != 0)
		fail_msg("snapshot_load(%s): %s", path, err.msg);
	assert_int_equal(p->nratios, 2);
	assert_string_equal(p->ratios[0].name, "pfcs");
	assert_string_equal(p->ratios[0].num, "page-faults");
	assert_string_equal(p->ratios[0].den, "context-switches");
	/* page faults 100 + 300 + 500 over context switches 10 + 20 + 40 */
	assert_true(ratio_value(p, &p->ratios[0], SIZE_MAX, &v, NULL));
	assert_float_equal(v, 900.0 / 70.0, 1e-9);
	assert_true(ratio_value(p, &p->ratios[0], 0, &v, NULL));
	assert_float_equal(v, 500.0 / 40.0, 1e-9);
	assert_string_equal(p->ratios[1].name, "cs");
	assert_true(p->ratios[1].percent);
	assert_true(ratio_value(p, &p->ratios[1], 1, &v, NULL));
	assert_float_equal(v, 100.0 * 20.0 / 300.0, 1e-9);
	profile_free(p);
}

/* Apply one edit to a snapshot with ratios; the reader must refuse it, naming the JSON path. */
static void
expect_ratios_rejected(const char *what, void (*edit)(json_t *root), const char *fragment)
{
	expect_edit_rejected(make_ratios_profile(), NULL, what, edit, fragment);
}

static json_t *
ratio_at(json_t *root, size_t i)
{
	return json_array_get(json_object_get(root, "ratios"), i);
}

static void
edit_ratios_object(json_t *root)
{
	json_object_set_new(root, "ratios", json_object());
}

static void
edit_ratio_string(json_t *root)
{
	json_array_set_new(json_object_get(root, "ratios"), 1, json_string("ipc=a/b"));
}

static void
edit_ratio_empty_name(json_t *root)
{
	json_object_set_new(ratio_at(root, 1), "name", json_string(""));
}

static void
edit_ratio_dup_name(json_t *root)
{
	json_object_set_new(ratio_at(root, 1), "name", json_string("faults_per_raw"));
}

static void
edit_ratio_name_type(json_t *root)
{
	json_object_set_new(ratio_at(root, 0), "name", json_integer(3));
}

static void
edit_ratio_unknown_event(json_t *root)
{
	json_object_set_new(ratio_at(root, 0), "numerator", json_string("instructions"));
}

static void
edit_ratio_no_denominator(json_t *root)
{
	json_object_del(ratio_at(root, 1), "denominator");
}

static void
edit_ratio_percent_type(json_t *root)
{
	json_object_set_new(ratio_at(root, 1), "percent", json_string("yes"));
}

static void
test_ratios_rejected(void **state)
{
	(void)state;
	expect_ratios_rejected("ratios not an array", edit_ratios_object,
			       "ratios: expected an array");
	expect_ratios_rejected("a ratio not an object", edit_ratio_string,
			       "ratios[1]: expected an object");
	expect_ratios_rejected("empty name", edit_ratio_empty_name,
			       "ratios[1].name: ratio name '' is empty or given twice");
	expect_ratios_rejected(
		"name given twice", edit_ratio_dup_name,
		"ratios[1].name: ratio name 'faults_per_raw' is empty or given twice");
	expect_ratios_rejected("name not a string", edit_ratio_name_type,
			       "ratios[0].name: expected a string");
	expect_ratios_rejected("an event not in the file", edit_ratio_unknown_event,
			       "ratios[0].numerator: no event named 'instructions' in events");
	expect_ratios_rejected("no denominator", edit_ratio_no_denominator,
			       "ratios[1].denominator: missing");
	expect_ratios_rejected("percent not a boolean", edit_ratio_percent_type,
			       "ratios[1].percent: expected a boolean");
}

/* ---- the scheduler timeline: written, read back, rebuilt ---------------------------------------
 */

#define SCHED_MS 1000000ull

/* A small deterministic generator, so that the timeline is the same on every run. */
static uint32_t
sched_rand(uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(*seed >> 33);
}

/* One event with every name given: prev, next, the task's, the parent's and the child's. */
static void
sched_feed_comms(struct schedmap *m, enum sched_event_type type, int cpu, uint64_t t, int32_t a,
		 int32_t b, int64_t state, const char *const names[5])
{
	struct sched_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.time = t;
	e.cpu = cpu;
	e.prev_state = state;
	e.prev_pid = a;
	e.next_pid = b;
	e.pid = a;
	e.parent_pid = a;
	e.child_pid = b;
	snprintf(e.prev_comm, sizeof(e.prev_comm), "%s", names[0]);
	snprintf(e.next_comm, sizeof(e.next_comm), "%s", names[1]);
	snprintf(e.comm, sizeof(e.comm), "%s", names[2]);
	snprintf(e.parent_comm, sizeof(e.parent_comm), "%s", names[3]);
	snprintf(e.child_comm, sizeof(e.child_comm), "%s", names[4]);
	schedmap_event(m, &e);
}

/* One event of tasks named after their tids: "w100". */
static void
sched_feed(struct schedmap *m, enum sched_event_type type, int cpu, uint64_t t, int32_t a,
	   int32_t b, int64_t state)
{
	char wa[16], wb[16];

	snprintf(wa, sizeof(wa), "w%d", (int)a);
	snprintf(wb, sizeof(wb), "w%d", (int)b);
	sched_feed_comms(m, type, cpu, t, a, b, state,
			 (const char *const[5]){ wa, wb, wa, wa, wb });
}

/*
 * A recording's timeline as ingest builds it: two CPUs switching among idle, target tasks (100 and
 * its children), other tasks and unidentified ones (-1), from before the recording's start (so
 * written times are clamped to 0) for 1.5 s, with wake-ups, migrations, switches the model cannot
 * match (unknown time) and a TID that exits and is reused. Summary buckets of 20 ms and 300 ms of
 * exact runs: most of the recording is summaries, the rest exact runs.
 */
static struct schedmap *
sched_make(uint64_t origin, uint64_t duration)
{
	static const int32_t pool[] = { 0, 100, 101, 202, 300, 301, 302, -1, 0 };
	struct schedmap *m = schedmap_new(2, 300 * SCHED_MS, 20 * SCHED_MS);
	uint64_t seed = 42, next[2], end = origin + duration;
	int32_t cur[2] = { 0, 0 };
	bool exited = false, reborn = false;

	schedmap_mark_target(m, 100);
	sched_feed(m, SCHED_FORK, 0, origin - 60 * SCHED_MS, 100, 101, 0);
	sched_feed(m, SCHED_FORK, 0, origin - 60 * SCHED_MS, 100, 202, 0);
	next[0] = origin - 50 * SCHED_MS;
	next[1] = origin - 20 * SCHED_MS;
	for (;;) {
		int c = next[0] <= next[1] ? 0 : 1;
		uint64_t t = next[c];
		int32_t n, prev = cur[c];

		if (t >= end)
			break;
		do
			n = pool[sched_rand(&seed) % (sizeof(pool) / sizeof(pool[0]))];
		while ((n > 0 && n == cur[c ^ 1]) || (n == 202 && exited && !reborn));
		if (sched_rand(&seed) % 40 == 0)
			prev = 999; /* a lost switch: the model cannot match it */
		if (n > 0 && sched_rand(&seed) % 2)
			sched_feed(m, SCHED_WAKEUP, c, t - 1 - sched_rand(&seed) % 200000, n, 0, 0);
		if (n > 0 && sched_rand(&seed) % 10 == 0)
			sched_feed(m, SCHED_MIGRATE, c, t, n, 0, 0);
		sched_feed(m, SCHED_SWITCH, c, t, prev, n, sched_rand(&seed) % 3 ? 0x1 : 0);
		cur[c] = n;
		if (!exited && t > origin + 700 * SCHED_MS && cur[0] != 202 && cur[1] != 202) {
			sched_feed(m, SCHED_EXIT, c, t, 202, 0, 0);
			exited = true;
		} else if (exited && !reborn && t > origin + 900 * SCHED_MS) {
			sched_feed(m, SCHED_FORK, c, t, 100, 202, 0);
			reborn = true;
		}
		next[c] = t + 100000 + sched_rand(&seed) % (15 * SCHED_MS);
	}
	schedmap_advance(m, end);
	return m;
}

static void
sched_assert_tasks_equal(const struct schedmap *a, const struct schedmap *b)
{
	struct schedmap_legend_entry la, lb;

	assert_int_equal(schedmap_ntasks(a), schedmap_ntasks(b));
	for (uint32_t i = 0; i < schedmap_ntasks(a); i++) {
		struct schedmap_task_stats sa, sb;

		assert_int_equal(schedmap_task_stats(a, i, &sa), 0);
		assert_int_equal(schedmap_task_stats(b, i, &sb), 0);
		assert_int_equal(sa.tid, sb.tid);
		assert_int_equal(sa.pid, sb.pid);
		assert_int_equal(sa.folded, sb.folded);
		assert_string_equal(sa.comm, sb.comm);
		assert_string_equal(sa.short_name, sb.short_name);
		assert_string_equal(schedmap_short_name(a, i), schedmap_short_name(b, i));
		assert_int_equal(sa.target, sb.target);
		assert_int_equal(sa.exited, sb.exited);
		assert_int_equal(sa.execs, sb.execs);
		assert_int_equal(sa.runtime_ns, sb.runtime_ns);
		assert_int_equal(sa.switches_voluntary, sb.switches_voluntary);
		assert_int_equal(sa.switches_involuntary, sb.switches_involuntary);
		assert_int_equal(sa.migrations, sb.migrations);
		assert_int_equal(sa.wakeups, sb.wakeups);
		assert_int_equal(sa.lat_count, sb.lat_count);
		assert_int_equal(sa.lat_p50_ns, sb.lat_p50_ns);
		assert_int_equal(sa.lat_p95_ns, sb.lat_p95_ns);
		assert_int_equal(sa.lat_p99_ns, sb.lat_p99_ns);
		assert_int_equal(sa.lat_max_ns, sb.lat_max_ns);
	}
	assert_int_equal(schedmap_find(a, 202), schedmap_find(b, 202));
	assert_int_equal(schedmap_legend_count(a), schedmap_legend_count(b));
	for (size_t i = 0; schedmap_legend_at(a, i, &la) == 0; i++) {
		assert_int_equal(schedmap_legend_at(b, i, &lb), 0);
		assert_int_equal(la.task, lb.task);
		assert_int_equal(la.tid, lb.tid);
		assert_string_equal(la.short_name, lb.short_name);
		assert_string_equal(la.comm, lb.comm);
	}
}

/* The map of [t0, t0 + span) of a and of [u0, u0 + span) of b are the same cells. */
static void
sched_assert_query_equal(const struct schedmap *a, uint64_t t0, const struct schedmap *b,
			 uint64_t u0, uint64_t span, uint64_t bucket, unsigned flags)
{
	size_t nb = schedmap_query_nbuckets(t0, t0 + span, bucket), n = nb * schedmap_ncpus(a);
	struct schedmap_cell *ca = xcalloc(n, sizeof(*ca)), *cb = xcalloc(n, sizeof(*cb));

	assert_int_equal(schedmap_query(a, t0, t0 + span, bucket, flags, ca), (int)nb);
	assert_int_equal(schedmap_query(b, u0, u0 + span, bucket, flags, cb), (int)nb);
	for (size_t i = 0; i < n; i++)
		if (ca[i].task != cb[i].task || ca[i].share != cb[i].share ||
		    ca[i].busy != cb[i].busy)
			fail_msg("bucket %zu ns, flags %u, cell %zu (cpu %zu, bucket %zu): [%u %u "
				 "%u] "
				 "!= [%u %u %u]",
				 (size_t)bucket, flags, i, i / nb, i % nb, ca[i].task, ca[i].share,
				 ca[i].busy, cb[i].task, cb[i].share, cb[i].busy);
	free(ca);
	free(cb);
}

static void
test_sched_round_trip(void **state)
{
	static const uint64_t buckets[] = { 7 * SCHED_MS,   20 * SCHED_MS,  33 * SCHED_MS,
					    100 * SCHED_MS, 250 * SCHED_MS, 1500 * SCHED_MS };
	uint64_t origin = 10037 * SCHED_MS + 123, duration = 1500 * SCHED_MS, exact = 0;
	struct profile *p = make_command_profile(), *q = NULL;
	struct schedmap_counts sc;
	struct errbuf err;
	size_t len = 0;
	char *buf;
	(void)state;

	p->meta.duration_ns = duration;
	p->sched = sched_make(origin, duration);
	p->sched_origin = origin;
	p->sched_switches = 1234;
	/* the timeline really has summaries, exact runs, unknown time and a reused TID */
	schedmap_get_counts(p->sched, &sc);
	assert_true(sc.folded_buckets > 40);
	assert_true(sc.mismatches > 5);
	assert_true(schedmap_ntasks(p->sched) >= 8);
	assert_int_not_equal(schedmap_find(p->sched, 202), 2);
	for (unsigned c = 0; c < 2; c++) {
		struct schedmap_run r;

		assert_true(schedmap_nsummaries(p->sched, c) > 40);
		assert_int_equal(schedmap_run_at(p->sched, c, 0, &r), 0);
		exact = r.start > exact ? r.start : exact;
	}
	assert_true(exact > origin + 1000 * SCHED_MS);

	buf = write_to_memory(p, &len);
	errbuf_clear(&err);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	assert_non_null(q->sched);
	assert_int_equal(schedmap_ncpus(q->sched), 2);
	assert_int_equal(schedmap_bucket_ns(q->sched), 20 * SCHED_MS);
	sched_assert_tasks_equal(p->sched, q->sched);

	/* the map over the recording at every scale, and pieces of it */
	for (size_t i = 0; i < sizeof(buckets) / sizeof(buckets[0]); i++) {
		sched_assert_query_equal(p->sched, origin, q->sched, q->sched_origin, duration,
					 buckets[i], 0);
		sched_assert_query_equal(p->sched, origin + 3 * SCHED_MS, q->sched,
					 q->sched_origin + 3 * SCHED_MS, 777 * SCHED_MS, buckets[i],
					 0);
		/* grouped "other": summaries keep no target-only figures, so exact runs only */
		sched_assert_query_equal(p->sched, exact, q->sched,
					 q->sched_origin + (exact - origin),
					 origin + duration - exact, buckets[i], SCHEDMAP_OTHER);
	}
	for (unsigned c = 0; c < 2; c++) {
		uint64_t ba, ka, bb, kb;

		assert_int_equal(schedmap_busy_ns(p->sched, c, origin, origin + duration, &ba, &ka),
				 0);
		assert_int_equal(schedmap_busy_ns(q->sched, c, q->sched_origin,
						  q->sched_origin + duration, &bb, &kb),
				 0);
		assert_int_equal(ba, bb);
		assert_int_equal(ka, kb);
		assert_true(ka > duration / 2);
	}
	/* the file's own map, written from the original, is what the rebuilt one draws */
	{
		json_t *root = json_loadb(buf, len, 0, NULL), *map;
		json_t *cells = json_object_get(
			map = json_object_get(json_object_get(root, "sched"), "map"), "cells");
		uint64_t bucket = (uint64_t)json_integer_value(json_object_get(map, "bucket_ns"));
		size_t nb = schedmap_query_nbuckets(0, duration, bucket);
		struct schedmap_cell *cc = xcalloc(2 * nb, sizeof(*cc));

		assert_int_equal(schedmap_query(q->sched, q->sched_origin,
						q->sched_origin + duration, bucket, SCHEDMAP_OTHER,
						cc),
				 (int)nb);
		for (size_t c = 0; c < 2; c++) {
			for (size_t b = 0; b < nb; b++) {
				json_t *cell = json_array_get(json_array_get(cells, c), b);
				json_int_t ref = json_integer_value(json_array_get(cell, 0));
				uint32_t task = ref == -1   ? SCHEDMAP_TASK_IDLE
						: ref == -2 ? SCHEDMAP_TASK_UNKNOWN
						: ref == -3 ? SCHEDMAP_TASK_OTHER
							    : (uint32_t)ref;

				/* (summaries approximate "other": the busy share is exact) */
				assert_int_equal(json_integer_value(json_array_get(cell, 2)),
						 cc[c * nb + b].busy);
				if (q->sched_origin + (b + 1) * bucket <=
				    q->sched_origin + (exact - origin))
					continue;
				assert_int_equal(task, cc[c * nb + b].task);
			}
		}
		free(cc);
		json_decref(root);
	}
	/* and the rebuilt profile writes the same bytes */
	assert_writes_same(q, buf, len);
	profile_free(q);
	profile_free(p);
}

/* One event of a short-lived task named comm: fork (a: parent), switch in and out, exit. */
static void
sched_feed_named(struct schedmap *m, enum sched_event_type type, int cpu, uint64_t t, int32_t a,
		 int32_t b, int64_t state, const char *comm)
{
	char wa[16];

	snprintf(wa, sizeof(wa), "w%d", (int)a);
	sched_feed_comms(m, type, cpu, t, a, b, state,
			 (const char *const[5]){ a ? comm : "swapper", b ? comm : "swapper", comm,
						 wa, comm });
}

/*
 * Aggregates of exited tasks (a long recording's, in miniature: 300 ms of exact runs) are written
 * with "folded", read back as aggregates, and draw the same map.
 */
static void
test_sched_folded_round_trip(void **state)
{
	static const char *const comms[] = { "cc1", "as" };
	uint64_t origin = 5000 * SCHED_MS, duration = 3000 * SCHED_MS;
	struct profile *p = make_system_profile(), *q = NULL;
	struct schedmap_counts sc;
	struct errbuf err;
	size_t len = 0, naggs = 0;
	char *buf;
	json_t *root, *tasks, *v;
	size_t i;
	(void)state;

	p->meta.duration_ns = duration;
	p->sched = schedmap_new(2, 300 * SCHED_MS, 20 * SCHED_MS);
	p->sched_origin = origin;
	schedmap_set_fold_min(p->sched, 16);
	schedmap_mark_target(p->sched, 100);
	for (uint64_t k = 0; k < 1500; k++) {
		uint64_t t = origin + k * 2 * SCHED_MS;
		int32_t tid = 1000 + (int32_t)k, parent = k % 3 ? 100 : 300;
		const char *comm = comms[k % 2];
		int cpu = (int)(k % 2);

		sched_feed_named(p->sched, SCHED_FORK, cpu, t, parent, tid, 0, comm);
		sched_feed_named(p->sched, SCHED_WAKEUP_NEW, cpu, t + 5000, tid, 0, 0, comm);
		sched_feed_named(p->sched, SCHED_SWITCH, cpu, t + 9000 + (k % 7) * 1000, 0, tid, 0,
				 comm);
		sched_feed_named(p->sched, SCHED_EXIT, cpu, t + 3 * SCHED_MS, tid, 0, 0, comm);
		sched_feed_named(p->sched, SCHED_SWITCH, cpu, t + 3 * SCHED_MS + 1000, tid, 0, 0x10,
				 comm);
		if (k % 5 == 4)
			schedmap_advance(p->sched, t + 4 * SCHED_MS);
	}
	schedmap_advance(p->sched, origin + duration);
	schedmap_get_counts(p->sched, &sc);
	p->sched_switches = sc.switches;
	assert_true(sc.folded_tasks > 1000);
	assert_true(schedmap_ntasks(p->sched) < 500);

	buf = write_to_memory(p, &len);
	root = json_loadb(buf, len, 0, NULL);
	assert_non_null(root);
	tasks = json_object_get(json_object_get(root, "sched"), "tasks");
	json_array_foreach (tasks, i, v) {
		json_t *folded = json_object_get(v, "folded");

		if (!folded)
			continue;
		naggs++;
		assert_true(json_integer_value(folded) > 0);
		assert_int_equal(json_integer_value(json_object_get(v, "tid")), 0);
		assert_true(json_is_true(json_object_get(v, "exited")));
	}
	/* cc1 and as, forked by the target and by another task */
	assert_int_equal(naggs, 4);
	json_decref(root);

	errbuf_clear(&err);
	if (snapshot_parse(buf, len, &q, &err) != 0)
		fail_msg("snapshot_parse: %s", err.msg);
	assert_non_null(q->sched);
	sched_assert_tasks_equal(p->sched, q->sched);
	sched_assert_query_equal(p->sched, origin, q->sched, q->sched_origin, duration,
				 100 * SCHED_MS, 0);
	sched_assert_query_equal(p->sched, origin, q->sched, q->sched_origin, duration,
				 20 * SCHED_MS, 0);
	assert_writes_same(q, buf, len);
	profile_free(q);
	profile_free(p);
}

/* A timeline without CPUs or with bad summaries: none, or refused. */
static void
test_sched_rejected(void **state)
{
	static const char head[] =
		"{\"format\":\"ringside-snapshot\",\"version\":1,\"meta\":{\"ringside_version\":"
		"\"0.1.0\",\"host\":\"h\",\"kernel\":\"k\",\"arch\":\"x\",\"cpus\":1,\"target\":{"
		"\"kind\":\"system\",\"description\":\"d\",\"cpus\":[],\"pids\":[],\"command\":[],"
		"\"exit\":null},\"command_line\":[],\"start\":\"s\",\"start_unix_ns\":0,"
		"\"duration_ns\":1000,\"interval_ns\":1000,\"end_reason\":\"duration\"},"
		"\"events\":[],\"sched\":";
	static const struct {
		const char *sched, *where;
	} bad[] = {
		{ "{\"tasks\":[],\"cpus\":[{\"cpu\":0,\"runs\":[]}],\"map\":{}}",
		  "sched.cpus[0].summaries" },
		{ "{\"tasks\":[],\"cpus\":[{\"cpu\":0,\"runs\":[],\"summaries\":[[0,-1,0,0]]}],"
		  "\"map\":{}}",
		  "sched.cpus[0].summaries[0]" },
		{ "{\"tasks\":[],\"cpus\":[{\"cpu\":0,\"runs\":[],\"summaries\":[[0,0,0,0,0]]}],"
		  "\"map\":{}}",
		  "sched.cpus[0].summaries[0]" },
		{ "{\"tasks\":[],\"cpus\":[{\"cpu\":0,\"runs\":[],\"summaries\":[[0,-1,-5,0,0]]}],"
		  "\"map\":{}}",
		  "sched.cpus[0].summaries[0]" },
	};
	struct profile *p = NULL;
	struct errbuf err;
	char *doc;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		doc = xasprintf("%s%s}", head, bad[i].sched);
		errbuf_clear(&err);
		assert_int_equal(snapshot_parse(doc, strlen(doc), &p, &err), -EINVAL);
		assert_null(p);
		if (!strstr(err.msg, bad[i].where))
			fail_msg("case %zu: '%s' does not name %s", i, err.msg, bad[i].where);
		free(doc);
	}
	doc = xasprintf("%s%s}", head, "{\"tasks\":[],\"cpus\":[],\"map\":{}}");
	errbuf_clear(&err);
	assert_int_equal(snapshot_parse(doc, strlen(doc), &p, &err), 0);
	assert_null(p->sched);
	assert_non_null(p->sched_json);
	profile_free(p);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_system),
		cmocka_unit_test(test_round_trip_command),
		cmocka_unit_test(test_written_json_shape),
		cmocka_unit_test(test_save_and_load),
		cmocka_unit_test(test_write_failure),
		cmocka_unit_test(test_load_good_fixture),
		cmocka_unit_test(test_rejects_bad_fixtures),
		cmocka_unit_test(test_rejects_empty_and_missing),
		cmocka_unit_test(test_rejects_unbounded),
		cmocka_unit_test(test_parse_from_memory),
		cmocka_unit_test(test_added_removed_events),
		cmocka_unit_test(test_stacks_round_trip),
		cmocka_unit_test(test_stacks_rejected),
		cmocka_unit_test(test_timeline_round_trip),
		cmocka_unit_test(test_timeline_rejected),
		cmocka_unit_test(test_ratios_round_trip),
		cmocka_unit_test(test_ratios_written_by_track_name),
		cmocka_unit_test(test_ratios_fixture),
		cmocka_unit_test(test_ratios_rejected),
		cmocka_unit_test(test_sched_round_trip),
		cmocka_unit_test(test_sched_folded_round_trip),
		cmocka_unit_test(test_sched_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
