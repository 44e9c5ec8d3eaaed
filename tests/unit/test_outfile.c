// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for util/outfile: output that appears whole or not at all, mode 0600, through a
 * temporary file in the destination's directory that is renamed into place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* Whether dir/name exists (without following a symlink). */
static bool
exists(const char *dir, const char *name)
{
	char p[4096];
	struct stat st;
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return lstat(p, &st) == 0;
}

static void
make_file(const char *dir, const char *name)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	write_file(p, "x");
}

static void
test_tmp_name(void **state)
{
	const char *dir = *state;
	char path[4096];
	snprintf(path, sizeof(path), "%s/k9.json", dir);
	struct outfile of = { 0 };
	struct errbuf err;

	errbuf_clear(&err);
	assert_int_equal(outfile_open(&of, path, &err), 0);
	const char *base = strrchr(of.tmp, '/') + 1;
	/* .ringside.NAME.XXXXXX: six letters or digits from mkostemp */
	assert_int_equal(strlen(base), strlen(".ringside.k9.json.XXXXXX"));
	assert_int_equal(strncmp(base, ".ringside.k9.json.", 18), 0);
	for (const char *c = base + 18; *c; c++)
		assert_true((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9'));
	/* locked while open: another open file description cannot take the lock */
	int fd = open(of.tmp, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(fd);
	assert_int_equal(outfile_commit(&of, &err), 0);
	assert_int_equal(count_entries(dir, NULL, 0), 1);
}

/* A dead owner's temporary goes at the next open of the same output; nothing else does. */
static void
test_open_sweeps_stale(void **state)
{
	const char *dir = *state;
	static const char *const keep[] = {
		".k9.json.backup",	       /* the user's, of the old temporary's shape */
		".k9.json.abc123",	       /* the same */
		".ringside.k9.json.backup1",   /* seven characters after the name */
		".ringside.k9.json.ab-123",    /* not mkostemp's characters */
		".ringside.k9.json",	       /* nothing after the name */
		".ringside.other.json.abc123", /* another output's */
		".ringside.k9.jsonx.abc123",   /* another output's */
		"ringside.k9.json.abc123",     /* not hidden */
	};
	char path[4096], p[4096];
	snprintf(path, sizeof(path), "%s/k9.json", dir);
	struct outfile of = { 0 };
	struct errbuf err;

	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		make_file(dir, keep[i]);
	make_file(dir, ".ringside.k9.json.Dead01");
	make_file(dir, ".ringside.k9.json.Dead02");
	/* a symlink and a directory of the temporaries' shape are not ours either */
	snprintf(p, sizeof(p), "%s/.ringside.k9.json.Link01", dir);
	assert_int_equal(symlink(".k9.json.backup", p), 0);
	snprintf(p, sizeof(p), "%s/.ringside.k9.json.Dir001", dir);
	assert_int_equal(mkdir(p, 0700), 0);

	errbuf_clear(&err);
	assert_int_equal(outfile_open(&of, path, &err), 0);
	assert_false(exists(dir, ".ringside.k9.json.Dead01"));
	assert_false(exists(dir, ".ringside.k9.json.Dead02"));
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		assert_true(exists(dir, keep[i]));
	assert_true(exists(dir, ".ringside.k9.json.Link01"));
	assert_true(exists(dir, ".ringside.k9.json.Dir001"));
	assert_true(fputs("new", of.fp) >= 0);
	assert_int_equal(outfile_commit(&of, &err), 0);
	char *content = slurp(path);
	assert_non_null(content);
	assert_string_equal(content, "new");
	free(content);
	/* the kept ones, the symlink, the directory and the output */
	assert_int_equal(count_entries(dir, NULL, 0), sizeof(keep) / sizeof(keep[0]) + 3);
}

/* A temporary whose lock is held (its writer lives) stays; a second writer gets its own. */
static void
test_sweep_keeps_locked(void **state)
{
	const char *dir = *state;
	char path[4096], p[4096];
	snprintf(path, sizeof(path), "%s/out.json", dir);
	snprintf(p, sizeof(p), "%s/.ringside.out.json.Live01", dir);
	struct outfile a = { 0 }, b = { 0 };
	struct errbuf err;

	write_file(p, "");
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	outfile_sweep(path);
	assert_true(exists(dir, ".ringside.out.json.Live01"));

	errbuf_clear(&err);
	assert_int_equal(outfile_open(&a, path, &err), 0);
	assert_int_equal(outfile_open(&b, path, &err), 0);
	assert_true(exists(dir, ".ringside.out.json.Live01"));
	assert_int_equal(count_entries(dir, NULL, 0), 3);
	assert_int_equal(outfile_commit(&a, &err), 0);
	outfile_abort(&b);
	assert_int_equal(count_entries(dir, NULL, 0), 2);

	close(fd); /* its owner is gone */
	outfile_sweep(path);
	assert_false(exists(dir, ".ringside.out.json.Live01"));
	assert_int_equal(count_entries(dir, NULL, 0), 1);
}

enum child_end { CHILD_EXIT, CHILD_SIGTERM, CHILD_SIGHUP, CHILD_SIGSEGV, CHILD_WAIT };

/* A child that opens dir/out.json and ends as told; returns its wait status. */
static int
run_child(const char *dir, enum child_end how)
{
	char path[4096];
	int ready[2], st;
	snprintf(path, sizeof(path), "%s/out.json", dir);
	assert_int_equal(pipe(ready), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct outfile of = { 0 };
		struct errbuf err;
		/* the test runner's own handlers are not the defaults the outfile takes over */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		errbuf_clear(&err);
		if (outfile_open(&of, path, &err) != 0)
			_exit(3);
		fputs("partial", of.fp);
		fflush(of.fp);
		switch (how) {
		case CHILD_EXIT:
			exit(1); /* as xalloc does when memory runs out */
		case CHILD_SIGTERM:
			raise(SIGTERM);
			break;
		case CHILD_SIGHUP:
			raise(SIGHUP);
			break;
		case CHILD_SIGSEGV:
			raise(SIGSEGV);
			break;
		case CHILD_WAIT:
			if (write(ready[1], "r", 1) != 1)
				_exit(4);
			pause();
			break;
		}
		_exit(5);
	}
	close(ready[1]);
	if (how == CHILD_WAIT) {
		char c;
		assert_int_equal(read(ready[0], &c, 1), 1);
		assert_int_equal(count_entries(dir, NULL, 0), 1); /* the temporary */
		kill(pid, SIGKILL);
	}
	close(ready[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static void
test_exit_and_signals_remove_tmp(void **state)
{
	const char *dir = *state;
	int st = run_child(dir, CHILD_EXIT);

	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 1);
	assert_int_equal(count_entries(dir, NULL, 0), 0);
	st = run_child(dir, CHILD_SIGTERM);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGTERM);
	assert_int_equal(count_entries(dir, NULL, 0), 0);
	st = run_child(dir, CHILD_SIGHUP);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGHUP);
	assert_int_equal(count_entries(dir, NULL, 0), 0);
	st = run_child(dir, CHILD_SIGSEGV);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGSEGV);
	assert_int_equal(count_entries(dir, NULL, 0), 0);
}

/* kill -9 leaves the temporary; the next open of the same output removes it. */
static void
test_sigkill_tmp_swept(void **state)
{
	const char *dir = *state;
	char path[4096], only[256];
	struct outfile of = { 0 };
	struct errbuf err;
	int st = run_child(dir, CHILD_WAIT);

	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
	assert_int_equal(count_entries(dir, only, sizeof(only)), 1);
	assert_int_equal(strncmp(only, ".ringside.out.json.", 19), 0);
	snprintf(path, sizeof(path), "%s/out.json", dir);
	errbuf_clear(&err);
	assert_int_equal(outfile_open(&of, path, &err), 0);
	assert_int_equal(outfile_commit(&of, &err), 0);
	assert_int_equal(count_entries(dir, only, sizeof(only)), 1);
	assert_string_equal(only, "out.json");
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
		cmocka_unit_test_setup_teardown(test_tmp_name, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_open_sweeps_stale, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_sweep_keeps_locked, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_exit_and_signals_remove_tmp, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_sigkill_tmp_swept, setup_dir, teardown_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
