// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for sym/procmaps: parsing /proc/PID/maps lines (deleted files, [vdso], anonymous
 * mappings, paths with spaces, malformed lines), reading a maps file, MMAP2-style additions that
 * trim, split and replace what they overlap, fork copies, and lookups.
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
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ringside/sym/procmaps.h"

static void
test_parse_lines(void **state)
{
	struct procmaps_map m;

	(void)state;
	assert_int_equal(procmaps_parse_line("55d4a2e00000-55d4a2e02000 r-xp 00002000 fd:01 1835023"
					     "                    /usr/bin/cat\n",
					     &m),
			 0);
	assert_int_equal(m.start, 0x55d4a2e00000ull);
	assert_int_equal(m.end, 0x55d4a2e02000ull);
	assert_int_equal(m.pgoff, 0x2000);
	assert_int_equal(m.dev, makedev(0xfd, 0x01));
	assert_int_equal(m.inode, 1835023);
	assert_int_equal(m.flags, PROCMAPS_READ | PROCMAPS_EXEC);
	assert_string_equal(m.path, "/usr/bin/cat");
	assert_true(procmaps_is_file(&m));
	free(m.path);

	/* a deleted file, and a path with spaces */
	assert_int_equal(procmaps_parse_line("7f0000000000-7f0000001000 r-xs 00000000 08:02 42 "
					     "/tmp/my lib (v2).so (deleted)",
					     &m),
			 0);
	assert_string_equal(m.path, "/tmp/my lib (v2).so");
	assert_int_equal(m.flags,
			 PROCMAPS_READ | PROCMAPS_EXEC | PROCMAPS_SHARED | PROCMAPS_DELETED);
	free(m.path);

	/* anonymous: no path at all, with and without trailing blanks */
	assert_int_equal(procmaps_parse_line("7f1000000000-7f1000021000 rw-p 00000000 00:00 0", &m),
			 0);
	assert_string_equal(m.path, "");
	assert_false(procmaps_is_file(&m));
	assert_int_equal(m.flags, PROCMAPS_READ | PROCMAPS_WRITE);
	free(m.path);
	assert_int_equal(procmaps_parse_line("7f1000000000-7f1000021000 rwxp 00000000 00:00 0"
					     "          \n",
					     &m),
			 0);
	assert_string_equal(m.path, "");
	free(m.path);

	/* special mappings */
	assert_int_equal(procmaps_parse_line("7ffd3c5f8000-7ffd3c5fa000 r-xp 00000000 00:00 0"
					     "                  [vdso]\n",
					     &m),
			 0);
	assert_string_equal(m.path, "[vdso]");
	assert_false(procmaps_is_file(&m));
	free(m.path);
	assert_int_equal(procmaps_parse_line("ffffffffff600000-ffffffffff601000 --xp 00000000 "
					     "00:00 0                  [vsyscall]",
					     &m),
			 0);
	assert_int_equal(m.end, 0xffffffffff601000ull);
	assert_string_equal(m.path, "[vsyscall]");
	free(m.path);
	assert_int_equal(procmaps_parse_line("7f2000000000-7f2000001000 rw-p 00000000 00:00 0 "
					     "[anon:v8 code]",
					     &m),
			 0);
	assert_string_equal(m.path, "[anon:v8 code]");
	free(m.path);
}

static void
test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"hello world",
		"7f00-7e00 r-xp 00000000 00:00 0 /bin/x",	/* end before start */
		"7f00 r-xp 00000000 00:00 0 /bin/x",		/* no end */
		"7f00-7f10 r-x 00000000 00:00 0 /bin/x",	/* short perms */
		"7f00-7f10 r-xp zz 00:00 0 /bin/x",		/* bad offset */
		"7f00-7f10 r-xp 00000000 0000 0 /bin/x",	/* bad device */
		"7f00-7f10 r-xp 00000000 00:00 x /bin/x",	/* bad inode */
		"7f00-7f10 r-xp 00000000 00:00",		/* no inode */
		"11112222333344445-7f10 r-xp 0 00:00 0 /bin/x", /* 17 digits */
	};
	struct procmaps_map m;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = procmaps_parse_line(bad[i], &m);

		if (rc != -EINVAL)
			print_message("# '%s' parsed (rc %d)\n", bad[i], rc);
		assert_int_equal(rc, -EINVAL);
	}
}

static void
test_read_file(void **state)
{
	char path[] = "/tmp/ringside-test-procmaps-XXXXXX";
	struct procmaps pm;
	int fd;
	FILE *f;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("00400000-00401000 r--p 00000000 fd:01 100 /opt/app/bin/app\n"
	      "00401000-00402000 r-xp 00001000 fd:01 100 /opt/app/bin/app\n"
	      "this line is garbage\n"
	      "01000000-01021000 rw-p 00000000 00:00 0 [heap]\n"
	      "7f0000000000-7f0000010000 r-xp 00000000 00:00 0\n"
	      "7f0000100000-7f0000200000 r-xp 00010000 fd:01 200 /lib/libc.so.6 (deleted)\n"
	      "7ffd3c5f8000-7ffd3c5fa000 r-xp 00000000 00:00 0 [vdso]",
	      f);
	fclose(f);

	procmaps_init(&pm);
	assert_int_equal(procmaps_read(&pm, path, false), 0);
	assert_int_equal(pm.n, 6);
	/* exec_only keeps executable mappings only; the content is replaced */
	assert_int_equal(procmaps_read(&pm, path, true), 0);
	assert_int_equal(pm.n, 4);
	assert_string_equal(pm.maps[0].path, "/opt/app/bin/app");
	assert_int_equal(pm.maps[0].pgoff, 0x1000);
	assert_string_equal(pm.maps[1].path, "");
	assert_string_equal(pm.maps[2].path, "/lib/libc.so.6");
	assert_true(pm.maps[2].flags & PROCMAPS_DELETED);
	assert_string_equal(pm.maps[3].path, "[vdso]");
	assert_ptr_equal(procmaps_find(&pm, 0x401234), &pm.maps[0]);
	assert_null(procmaps_find(&pm, 0x400fff));
	assert_null(procmaps_find(&pm, 0x402000));
	assert_ptr_equal(procmaps_find(&pm, 0x7f00001fffffull), &pm.maps[2]);
	assert_true(procmaps_memory(&pm) > 0);
	procmaps_fini(&pm);
	assert_int_equal(pm.n, 0);
	unlink(path);

	assert_int_equal(procmaps_read(&pm, "/nonexistent/maps", true), -ENOENT);

	/* our own maps: the code of this very function is in an executable mapping */
	assert_int_equal(procmaps_read(&pm, "/proc/self/maps", true), 0);
	const struct procmaps_map *self = procmaps_find(&pm, (uint64_t)(uintptr_t)&test_read_file);
	assert_non_null(self);
	assert_true(self->flags & PROCMAPS_EXEC);
	assert_true(procmaps_is_file(self));
	procmaps_fini(&pm);
}

/* Check pm holds exactly the n ranges in want (start, end, pgoff, path). */
struct want {
	uint64_t start, end, pgoff;
	const char *path;
};

static void
check_maps(const struct procmaps *pm, const struct want *want, size_t n)
{
	if (pm->n != n) {
		for (size_t i = 0; i < pm->n; i++)
			print_message("# %zu: %lx-%lx %lx %s\n", i,
				      (unsigned long)pm->maps[i].start,
				      (unsigned long)pm->maps[i].end,
				      (unsigned long)pm->maps[i].pgoff, pm->maps[i].path);
	}
	assert_int_equal(pm->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(pm->maps[i].start, want[i].start);
		assert_int_equal(pm->maps[i].end, want[i].end);
		assert_int_equal(pm->maps[i].pgoff, want[i].pgoff);
		assert_string_equal(pm->maps[i].path, want[i].path);
	}
}

static void
test_add_overlaps(void **state)
{
	struct procmaps pm;
	struct procmaps_map *m;

	(void)state;
	procmaps_init(&pm);
	/* out of order additions end up sorted */
	procmaps_add(&pm, 0x5000, 0x6000, 0, 0, 0, PROCMAPS_EXEC, "/b");
	procmaps_add(&pm, 0x1000, 0x4000, 0x10000, 0, 0, PROCMAPS_EXEC, "/a");
	m = procmaps_add(&pm, 0x8000, 0x9000, 0, 0, 0, PROCMAPS_EXEC, "//anon");
	assert_non_null(m);
	assert_string_equal(m->path, "");
	assert_null(procmaps_add(&pm, 0x9000, 0x9000, 0, 0, 0, 0, "/empty"));
	check_maps(&pm,
		   (const struct want[]){ { 0x1000, 0x4000, 0x10000, "/a" },
					  { 0x5000, 0x6000, 0, "/b" },
					  { 0x8000, 0x9000, 0, "" } },
		   3);
	pm.maps[0].aux = 7;

	/* in the middle of /a: split in two, the right part's offset moves along */
	procmaps_add(&pm, 0x2000, 0x3000, 0, 0, 0, PROCMAPS_EXEC, "/c");
	check_maps(&pm,
		   (const struct want[]){ { 0x1000, 0x2000, 0x10000, "/a" },
					  { 0x2000, 0x3000, 0, "/c" },
					  { 0x3000, 0x4000, 0x12000, "/a" },
					  { 0x5000, 0x6000, 0, "/b" },
					  { 0x8000, 0x9000, 0, "" } },
		   5);
	assert_int_equal(pm.maps[0].aux, 7);
	assert_int_equal(pm.maps[1].aux, 0);
	assert_int_equal(pm.maps[2].aux, 7);

	/* across the end of one and the start of another, swallowing /b whole */
	procmaps_add(&pm, 0x3800, 0x8800, 0x40000, 0, 0, PROCMAPS_EXEC, "/d");
	check_maps(&pm,
		   (const struct want[]){ { 0x1000, 0x2000, 0x10000, "/a" },
					  { 0x2000, 0x3000, 0, "/c" },
					  { 0x3000, 0x3800, 0x12000, "/a" },
					  { 0x3800, 0x8800, 0x40000, "/d" },
					  { 0x8800, 0x9000, 0x800, "" } },
		   5);

	/* exactly over an existing one: replaced */
	procmaps_add(&pm, 0x2000, 0x3000, 0, 0, 0, PROCMAPS_EXEC, "/e");
	assert_int_equal(pm.n, 5);
	assert_string_equal(procmaps_find(&pm, 0x2fff)->path, "/e");

	/* over everything */
	procmaps_add(&pm, 0, 0x100000, 0, 0, 0, PROCMAPS_EXEC, "/all");
	check_maps(&pm, (const struct want[]){ { 0, 0x100000, 0, "/all" } }, 1);
	assert_true(procmaps_overlaps(&pm, 0xfff00, 0x200000));
	assert_false(procmaps_overlaps(&pm, 0x100000, 0x200000));
	assert_false(procmaps_overlaps(&pm, 0x5000, 0x5000));
	procmaps_fini(&pm);
}

static void
test_copy_on_fork(void **state)
{
	struct procmaps parent, child;

	(void)state;
	procmaps_init(&parent);
	procmaps_init(&child);
	procmaps_add(&parent, 0x1000, 0x2000, 0, 0, 0, PROCMAPS_EXEC, "/bin/parent");
	procmaps_add(&parent, 0x3000, 0x4000, 0, 0, 0, PROCMAPS_EXEC, "/lib/libc.so.6");
	parent.maps[1].aux = 3;
	procmaps_add(&child, 0x9000, 0xa000, 0, 0, 0, PROCMAPS_EXEC, "/stale");
	procmaps_copy(&child, &parent);
	check_maps(&child,
		   (const struct want[]){ { 0x1000, 0x2000, 0, "/bin/parent" },
					  { 0x3000, 0x4000, 0, "/lib/libc.so.6" } },
		   2);
	assert_int_equal(child.maps[1].aux, 3);
	/* independent afterwards: the child's exec does not touch the parent */
	assert_ptr_not_equal(child.maps[0].path, parent.maps[0].path);
	procmaps_add(&child, 0x1000, 0x2000, 0, 0, 0, PROCMAPS_EXEC, "/bin/other");
	assert_string_equal(procmaps_find(&parent, 0x1000)->path, "/bin/parent");
	assert_string_equal(procmaps_find(&child, 0x1000)->path, "/bin/other");
	procmaps_fini(&parent);
	/* copying nothing empties */
	procmaps_copy(&child, &parent);
	assert_int_equal(child.n, 0);
	assert_null(procmaps_find(&child, 0x1000));
	procmaps_fini(&child);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_lines),  cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_read_file),    cmocka_unit_test(test_add_overlaps),
		cmocka_unit_test(test_copy_on_fork),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
