// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for app/runs_db: the reference parser, and the database in a temporary directory:
 * registration renames the files into runs/ID.*, a row reads back whole (argv and environment with
 * their spaces), references resolve, tags and titles, removal takes the files, prune keeps the
 * newest, a garbage file is refused with how to recover, a newer schema is refused; the library's
 * directory made without opening the database.
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
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/app/runs_db.h"
#include "ringside/util/xalloc.h"

static void
test_ref_parse(void **state)
{
	struct runs_ref ref;
	struct errbuf err;

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(runs_ref_parse("12", &ref, &err), 0);
	assert_int_equal(ref.kind, RUNS_REF_ID);
	assert_int_equal(ref.n, 12);
	assert_int_equal(runs_ref_parse("last", &ref, &err), 0);
	assert_int_equal(ref.kind, RUNS_REF_LAST);
	assert_int_equal(ref.n, 0);
	assert_int_equal(runs_ref_parse("last~3", &ref, &err), 0);
	assert_int_equal(ref.kind, RUNS_REF_LAST);
	assert_int_equal(ref.n, 3);
	assert_int_equal(runs_ref_parse("lastly", &ref, &err), 0);
	assert_int_equal(ref.kind, RUNS_REF_TAG);
	assert_string_equal(ref.tag, "lastly");
	assert_int_equal(runs_ref_parse("base-1.2", &ref, &err), 0);
	assert_int_equal(ref.kind, RUNS_REF_TAG);
	assert_false(errbuf_isset(&err));
	const char *bad[] = { "",      "0",	 "12x",
			      "last~", "last~x", "last~-1",
			      "a/b",   "ab",	 "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errbuf_clear(&err);
		assert_int_equal(runs_ref_parse(bad[i], &ref, &err), -EINVAL);
		assert_int_equal(errbuf_exit_status(&err), 2);
	}
}

static char *
tmpdir_new(void)
{
	char tmpl[] = "/tmp/test_runs_db.XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void
rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* A file of text in dir/runs, for runs_db_add to adopt. */
static char *
pending(const char *dir, const char *name, const char *text)
{
	char *p = xasprintf("%s/runs/%s", dir, name);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static int64_t
add_run(struct runs_db *db, const char *dir, const char *desc, int64_t start)
{
	char *argv[] = { (char *)"ringside", (char *)"record", (char *)"--",
			 (char *)"sh",	     (char *)"-c",     (char *)"echo a  b" };
	char *env[] = { (char *)"FOO=with spaces", (char *)"EMPTY=" };
	struct runs_record r = { .start_ns = start,
				 .target_desc = (char *)desc,
				 .argv = argv,
				 .nargv = 6,
				 .env = env,
				 .nenv = 2,
				 .samples = 42,
				 .exit_status = -1 };
	struct errbuf err;
	char *snap = pending(dir, ".pending-x.json", "{\"meta\":{}}\n");
	char *out = pending(dir, ".pending-x.out", "hello\n");
	int64_t id = 0;

	errbuf_clear(&err);
	assert_int_equal(runs_db_add(db, &r, snap, out, &id, &err), 0);
	assert_true(id > 0);
	assert_int_equal(access(snap, F_OK), -1);
	free(snap);
	free(out);
	return id;
}

static void
test_add_get_resolve(void **state)
{
	char *dir = tmpdir_new(), *p;
	struct runs_db *db = NULL;
	struct runs_record r;
	struct runs_ref ref;
	struct errbuf err;
	int64_t id1, id2, id;

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(runs_db_open(&db, dir, &err), 0);
	id1 = add_run(db, dir, "one", 1000);
	id2 = add_run(db, dir, "two", 2000);
	assert_int_equal(id2, id1 + 1);
	assert_int_equal(runs_db_get(db, id1, &r, &err), 0);
	assert_string_equal(r.target_desc, "one");
	assert_int_equal(r.nargv, 6);
	assert_string_equal(r.argv[5], "echo a  b");
	assert_int_equal(r.nenv, 2);
	assert_string_equal(r.env[0], "FOO=with spaces");
	assert_string_equal(r.env[1], "EMPTY=");
	assert_int_equal(r.size, 12);
	assert_string_equal(r.snapshot, "runs/1.json");
	assert_string_equal(r.output, "runs/1.out");
	assert_non_null(strstr(r.hash, "fnv1a64:"));
	runs_record_fini(&r);
	p = runs_db_path(db, "runs/1.json");
	assert_int_equal(access(p, R_OK), 0);
	free(p);

	runs_ref_parse("last", &ref, &err);
	assert_int_equal(runs_db_resolve(db, &ref, &id, &err), 0);
	assert_int_equal(id, id2);
	runs_ref_parse("last~1", &ref, &err);
	assert_int_equal(runs_db_resolve(db, &ref, &id, &err), 0);
	assert_int_equal(id, id1);
	runs_ref_parse("last~2", &ref, &err);
	assert_int_equal(runs_db_resolve(db, &ref, &id, &err), -ENOENT);
	errbuf_clear(&err);
	runs_ref_parse("base", &ref, &err);
	assert_int_equal(runs_db_resolve(db, &ref, &id, &err), -ENOENT);
	errbuf_clear(&err);
	assert_int_equal(runs_db_add_tag(db, id1, "base", &err), 0);
	assert_int_equal(runs_db_add_tag(db, id1, "base", &err), 0);
	assert_int_equal(runs_db_add_tag(db, 99, "base", &err), -ENOENT);
	errbuf_clear(&err);
	assert_int_equal(runs_db_resolve(db, &ref, &id, &err), 0);
	assert_int_equal(id, id1);
	assert_int_equal(runs_db_set_title(db, id2, "second", &err), 0);
	assert_int_equal(runs_db_get(db, id2, &r, &err), 0);
	assert_string_equal(r.title, "second");
	runs_record_fini(&r);
	assert_int_equal(runs_db_get(db, id1, &r, &err), 0);
	assert_string_equal(r.tags, "base");
	runs_record_fini(&r);

	assert_int_equal(runs_db_remove(db, id1, &err), 0);
	p = runs_db_path(db, "runs/1.json");
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	assert_int_equal(runs_db_get(db, id1, &r, &err), -ENOENT);
	runs_db_close(db);
	rm_rf(dir);
	free(dir);
}

static int
count_row(const struct runs_record *r, void *arg)
{
	int64_t *last = arg;

	/* newest first */
	assert_true(last[0] == 0 || r->id < last[0]);
	last[0] = r->id;
	last[1]++;
	return 0;
}

static void
test_prune_and_list(void **state)
{
	char *dir = tmpdir_new();
	struct runs_db *db = NULL;
	struct errbuf err;
	int64_t seen[2] = { 0, 0 };
	size_t removed;

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(runs_db_open(&db, dir, &err), 0);
	for (int i = 0; i < 5; i++)
		add_run(db, dir, "x", 1000 + i);
	assert_int_equal(runs_db_prune(db, false, 0, 1002, &removed, &err), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(runs_db_prune(db, true, 1, 0, &removed, &err), 0);
	assert_int_equal(removed, 2);
	assert_int_equal(runs_db_list(db, count_row, seen, &err), 0);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[0], 5);
	runs_db_close(db);
	/* Reopened: the schema is there already. */
	assert_int_equal(runs_db_open(&db, dir, &err), 0);
	runs_db_close(db);
	rm_rf(dir);
	free(dir);
}

static void
test_damaged_and_newer(void **state)
{
	char *dir = tmpdir_new(), *path = xasprintf("%s/runs.db", dir), *cmd;
	struct runs_db *db = NULL;
	struct errbuf err;
	FILE *f;

	(void)state;
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 512; i++)
		fputs("garbage!", f);
	fclose(f);
	errbuf_clear(&err);
	assert_int_equal(runs_db_open(&db, dir, &err), -EIO);
	assert_null(db);
	assert_non_null(strstr(err.msg, "move it aside"));
	assert_int_equal(errbuf_exit_status(&err), 1);
	unlink(path);
	errbuf_clear(&err);
	assert_int_equal(runs_db_open(&db, dir, &err), 0);
	runs_db_close(db);
	cmd = xasprintf("sqlite3 '%s' 'PRAGMA user_version = 99'", path);
	if (system(cmd) == 0) {
		errbuf_clear(&err);
		assert_int_equal(runs_db_open(&db, dir, &err), -EPROTO);
		assert_non_null(strstr(err.msg, "newer"));
	}
	free(cmd);
	free(path);
	rm_rf(dir);
	free(dir);
}

/* The library's directory for record without -o: made 0700, no database opened; a file in the way.
 */
static void
test_make_dir(void **state)
{
	char *dir = tmpdir_new(), *lib = xasprintf("%s/lib/ringside", dir);
	char *runs = xasprintf("%s/runs", lib), *db = xasprintf("%s/runs.db", lib);
	char *blocked = xasprintf("%s/file/ringside", dir), *file = xasprintf("%s/file", dir);
	struct errbuf err;
	struct stat st;
	FILE *f;

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(runs_db_make_dir(lib, &err), 0);
	assert_int_equal(stat(runs, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(db, &st), -1);
	/* Made already: fine again. */
	assert_int_equal(runs_db_make_dir(lib, &err), 0);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(runs_db_make_dir(blocked, &err), -ENOTDIR);
	assert_non_null(strstr(err.msg, "XDG_DATA_HOME"));
	assert_int_equal(errbuf_exit_status(&err), 1);
	rm_rf(dir);
	free(dir);
	free(lib);
	free(runs);
	free(db);
	free(blocked);
	free(file);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_parse),      cmocka_unit_test(test_add_get_resolve),
		cmocka_unit_test(test_prune_and_list), cmocka_unit_test(test_damaged_and_newer),
		cmocka_unit_test(test_make_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
