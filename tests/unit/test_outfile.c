// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for util/outfile: output that appears whole or not at all, mode 0600, through a
 * temporary file in the destination's directory that is renamed into place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/util/errbuf.h"
#include "ringside/util/outfile.h"

/* A fresh empty directory per test; removed (with its files) afterwards. */
static int
setup_dir(void **state)
{
	char *dir = strdup("/tmp/ringside-test-outfile-XXXXXX");
	if (!dir || !mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int
teardown_dir(void **state)
{
	char *dir = *state;
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char p[4096];
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			if (unlink(p) != 0)
				rmdir(p);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
	return 0;
}

/* Number of entries in dir (without . and ..); the single name goes to only when there is one. */
static size_t
count_entries(const char *dir, char *only, size_t len)
{
	size_t n = 0;
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (only)
			snprintf(only, len, "%s", de->d_name);
		n++;
	}
	closedir(d);
	return n;
}

/* The whole content of path (the caller's), or NULL. */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	char *buf = calloc(1, 65536);
	assert_non_null(buf);
	size_t n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
write_file(const char *path, const char *content)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(content, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void
test_commit_creates_file(void **state)
{
	const char *dir = *state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/out.json", dir);
	struct outfile of = { 0 };
	struct errbuf err;
	mode_t old = umask(0);

	errbuf_clear(&err);
	assert_int_equal(outfile_open(&of, path, &err), 0);
	assert_non_null(of.fp);
	assert_non_null(of.tmp);
	/* the temporary sits beside the destination, so the rename cannot cross file systems */
	char *tmpcopy = strdup(of.tmp);
	assert_string_equal(dirname(tmpcopy), dir);
	free(tmpcopy);
	assert_string_not_equal(of.tmp, path);
	/* nothing appears under the destination name before the commit */
	struct stat st;
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(errno, ENOENT);

	assert_true(fprintf(of.fp, "{\"hello\": %d}\n", 42) > 0);
	int rc = outfile_commit(&of, &err);
	if (rc != 0)
		print_message("# outfile_commit: %s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_null(of.tmp);
	outfile_abort(&of); /* releases what is left; must not remove the committed file */
	umask(old);

	char *content = slurp(path);
	assert_non_null(content);
	assert_string_equal(content, "{\"hello\": 42}\n");
	free(content);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);
	char only[256];
	assert_int_equal(count_entries(dir, only, sizeof(only)), 1);
	assert_string_equal(only, "out.json");
}

static void
test_abort_leaves_nothing(void **state)
{
	const char *dir = *state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/gone.json", dir);
	struct outfile of = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	assert_int_equal(outfile_open(&of, path, &err), 0);
	assert_int_equal(count_entries(dir, NULL, 0), 1); /* the temporary exists */
	assert_true(fputs("partial data", of.fp) >= 0);
	outfile_abort(&of);
	assert_int_equal(count_entries(dir, NULL, 0), 0);
	assert_int_equal(access(path, F_OK), -1);

	/* aborting a zeroed outfile is harmless */
	struct outfile zero = { 0 };
	outfile_abort(&zero);
}

static void
test_open_missing_dir(void **state)
{
	const char *dir = *state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/no/such/dir/out.json", dir);
	struct outfile of = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	assert_int_equal(outfile_open(&of, path, &err), -ENOENT);
	assert_true(errbuf_isset(&err));
	if (!strstr(err.msg, path))
		fail_msg("message does not name the path: %s", err.msg);
	assert_null(of.fp);
	assert_int_equal(count_entries(dir, NULL, 0), 0);
}

static void
test_commit_replaces_existing(void **state)
{
	const char *dir = *state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/out.json", dir);
	struct outfile of = { 0 };
	struct errbuf err;

	write_file(path, "old content\n");
	chmod(path, 0644);
	/* a reader holding the old file keeps seeing it whole: the new one is renamed over it */
	int oldfd = open(path, O_RDONLY);
	assert_true(oldfd >= 0);

	errbuf_clear(&err);
	assert_int_equal(outfile_open(&of, path, &err), 0);
	assert_true(fputs("new content\n", of.fp) >= 0);
	char *content = slurp(path);
	assert_string_equal(content, "old content\n"); /* untouched until the commit */
	free(content);
	assert_int_equal(outfile_commit(&of, &err), 0);
	outfile_abort(&of);

	content = slurp(path);
	assert_string_equal(content, "new content\n");
	free(content);
	char buf[64] = { 0 };
	assert_int_equal(pread(oldfd, buf, sizeof(buf) - 1, 0), (ssize_t)strlen("old content\n"));
	assert_string_equal(buf, "old content\n");
	close(oldfd);

	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(dir, NULL, 0), 1);
}

static void
test_symlink_destination_not_followed(void **state)
{
	const char *dir = *state;
	char path[4096], victim[4096];
	snprintf(path, sizeof(path), "%s/out.json", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	struct outfile of = { 0 };
	struct errbuf err;

	write_file(victim, "precious\n");
	assert_int_equal(symlink(victim, path), 0);

	errbuf_clear(&err);
	assert_int_equal(outfile_open(&of, path, &err), 0);
	assert_true(fputs("snapshot\n", of.fp) >= 0);
	assert_int_equal(outfile_commit(&of, &err), 0);
	outfile_abort(&of);

	/* the link itself was replaced; the file it pointed to is intact */
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	char *content = slurp(victim);
	assert_string_equal(content, "precious\n");
	free(content);
	content = slurp(path);
	assert_string_equal(content, "snapshot\n");
	free(content);
	assert_int_equal(count_entries(dir, NULL, 0), 2);
}

static void
test_destination_is_directory(void **state)
{
	const char *dir = *state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/out.json", dir);
	struct outfile of = { 0 };
	struct errbuf err;

	assert_int_equal(mkdir(path, 0755), 0);
	errbuf_clear(&err);
	int rc = outfile_open(&of, path, &err);
	if (rc == 0) {
		assert_true(fputs("data\n", of.fp) >= 0);
		rc = outfile_commit(&of, &err);
		outfile_abort(&of);
	}
	assert_true(rc < 0);
	assert_true(errbuf_isset(&err));
	if (!strstr(err.msg, "out.json"))
		fail_msg("message does not name the path: %s", err.msg);

	/* the directory is still there, and no temporary was left behind */
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	char only[256];
	assert_int_equal(count_entries(dir, only, sizeof(only)), 1);
	assert_string_equal(only, "out.json");
}

/* A unique name: PREFIX, six random characters, SUFFIX; each call a new file, mode 0600. */
static void
test_create_unique(void **state)
{
	const char *dir = *state;
	char *a = NULL, *b = NULL, *base;
	struct stat st;
	int fa, fb;

	umask(022);
	fa = outfile_create_unique(dir, "cmd-", ".log", O_APPEND, &a);
	fb = outfile_create_unique(dir, "cmd-", ".log", O_APPEND, &b);
	assert_true(fa >= 0 && fb >= 0);
	assert_string_not_equal(a, b);
	base = strrchr(a, '/');
	assert_non_null(base);
	assert_int_equal(strlen(base), strlen("/cmd-XXXXXX.log"));
	assert_int_equal(strncmp(base, "/cmd-", 5), 0);
	assert_string_equal(base + 11, ".log");
	assert_int_equal(fstat(fa, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(fcntl(fa, F_GETFD) & FD_CLOEXEC);
	assert_true(fcntl(fa, F_GETFL) & O_APPEND);
	assert_int_equal(count_entries(dir, NULL, 0), 2);
	close(fa);
	close(fb);
	free(a);
	free(b);
	assert_int_equal(outfile_create_unique("/nonexistent-ringside-dir", "x-", ".log", 0, &a),
			 -ENOENT);
}

/* outfile_open_unique writes the chosen file in place: committed, it holds the data. */
static void
test_open_unique(void **state)
{
	const char *dir = *state;
	struct outfile of = { 0 }, gone = { 0 };
	struct errbuf err;
	char *name, *content;
	struct stat st;

	errbuf_clear(&err);
	assert_int_equal(outfile_open_unique(&of, dir, "rescue-", ".json", &err), 0);
	name = strdup(of.path);
	assert_non_null(strstr(name, "/rescue-"));
	assert_true(fputs("{}\n", of.fp) >= 0);
	assert_int_equal(outfile_commit(&of, &err), 0);
	outfile_abort(&of);
	content = slurp(name);
	assert_string_equal(content, "{}\n");
	free(content);
	assert_int_equal(stat(name, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(dir, NULL, 0), 1);
	free(name);

	/* aborted: nothing left */
	assert_int_equal(outfile_open_unique(&gone, dir, "rescue-", ".json", &err), 0);
	outfile_abort(&gone);
	assert_int_equal(count_entries(dir, NULL, 0), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_creates_file, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_open_missing_dir, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_commit_replaces_existing, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_symlink_destination_not_followed, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_destination_is_directory, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_create_unique, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_open_unique, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
