// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for sym/linetab, the line table read without libdw: for every function of this test
 * binary (built with -g) and of the C library's debug file (when installed), at every byte of
 * the function, the same file, compilation directory and line as libdw's (elfmod_srcline); a
 * range keeps only the sequences that overlap it; a file without .debug_line says so. A
 * declaration's file read from its unit's line header alone (linetab_file_name) is libdw's
 * dwarf_decl_file for every DIE that names one, in both files.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dwarf.h>
#include <elfutils/libdw.h>

#include "ringside/sym/elfmod.h"
#include "ringside/sym/linetab.h"

static bool
same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* Compare linetab with libdw over every byte of the first max sized functions of path. */
static size_t
compare_file(const char *path, size_t max)
{
	struct elfmod *m = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	const struct elfmod_sym *syms;
	const char *debug;
	size_t checked = 0, nfn = 0;

	assert_true(fd >= 0);
	assert_int_equal(elfmod_open(path, fd, &m), 0);
	syms = elfmod_symbols(m);
	debug = elfmod_debug_file(m);
	for (size_t i = 0; i < elfmod_nsyms(m) && nfn < max; i++) {
		uint64_t lo = syms[i].addr, hi = lo + syms[i].size;
		struct linetab *t = NULL;

		/*
		 * A sanitizer's generated constructors and destructors (_sub_I_*, _sub_D_*): the
		 * line program has rows for them (readelf's decoded lines and linetab agree), but
		 * libdw's dwfl_module_getsrc finds none there. Seen once clock.c, whose ASan
		 * constructor follows xalloc.c's, was linked into this test.
		 */
		if (syms[i].size == 0 || syms[i].size > 65536 ||
		    strncmp(syms[i].name, "_sub_", 5) == 0)
			continue;
		nfn++;
		assert_int_equal(linetab_open(debug ? debug : path, lo, hi, &t), 0);
		for (uint64_t a = lo; a < hi; a++) {
			const char *f1 = NULL, *d1 = NULL, *f2 = NULL, *d2 = NULL;
			uint32_t l1 = 0, l2 = 0;
			bool ok1 = elfmod_srcline(m, a, &f1, &d1, &l1);
			bool ok2 = linetab_lookup(t, a, &f2, &d2, &l2);

			if (ok1 != ok2 ||
			    (ok1 && (!same_str(f1, f2) || !same_str(d1, d2) || l1 != l2)))
				fail_msg("%s 0x%llx (%s): libdw %d %s %s:%u, linetab %d %s %s:%u",
					 path, (unsigned long long)a, syms[i].name, ok1,
					 d1 ? d1 : "-", f1 ? f1 : "-", l1, ok2, d2 ? d2 : "-",
					 f2 ? f2 : "-", l2);
			checked += ok1;
		}
		linetab_free(t);
	}
	elfmod_free(m);
	return checked;
}

static void
test_self(void **state)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	(void)state;
	assert_true(n > 0);
	path[n] = '\0';
	/* This binary and the library it links: thousands of addresses with a line. */
	assert_true(compare_file(path, 100000) > 1000);
}

static int
libc_path_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (strstr(info->dlpi_name, "/libc.so"))
		snprintf(data, 4096, "%s", info->dlpi_name);
	return 0;
}

static void
test_libc(void **state)
{
	char path[4096] = "";
	struct elfmod *m = NULL;
	int fd;
	bool has_debug;

	(void)state;
	dl_iterate_phdr(libc_path_cb, path);
	if (!path[0])
		skip();
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(elfmod_open(path, fd, &m), 0);
	has_debug = elfmod_debug_file(m) != NULL && elfmod_has_dwarf(m);
	elfmod_free(m);
	if (!has_debug) {
		print_message("# skip libc: no debug file installed (libc6-dbg)\n");
		skip();
	}
	/* 400 functions: every byte compared, in a few seconds. */
	assert_true(compare_file(path, 400) > 10000);
}

/* Compare linetab_file_name with dwarf_decl_file for the DIEs below parent; returns the count. */
static size_t
compare_decl_dies(Dwarf *dbg, Dwarf_Die *parent, uint64_t unit, int depth)
{
	Dwarf_Die child;
	size_t n = 0;

	if (depth > 16 || dwarf_child(parent, &child) != 0)
		return 0;
	do {
		Dwarf_Attribute attr;
		Dwarf_Word idx;
		char buf[4096];

		if (dwarf_attr(&child, DW_AT_decl_file, &attr) &&
		    dwarf_formudata(&attr, &idx) == 0) {
			const char *want = dwarf_decl_file(&child);
			bool ok = linetab_file_name(dwarf_getelf(dbg), unit, idx, buf, sizeof(buf));

			if (!ok || !want || strcmp(want, buf) != 0)
				fail_msg("DIE 0x%llx file %llu: libdw %s, linetab %s",
					 (unsigned long long)dwarf_dieoffset(&child),
					 (unsigned long long)idx, want ? want : "-",
					 ok ? buf : "(refused)");
			n++;
		}
		n += compare_decl_dies(dbg, &child, unit, depth + 1);
	} while (dwarf_siblingof(&child, &child) == 0);
	return n;
}

/* Compare declaration files over every unit of path's DWARF; returns the DIEs compared. */
static size_t
compare_decl_files(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Dwarf *dbg;
	Dwarf_Off off = 0, next;
	size_t hsize, n = 0;

	assert_true(fd >= 0);
	dbg = dwarf_begin(fd, DWARF_C_READ);
	assert_non_null(dbg);
	while (dwarf_nextcu(dbg, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		Dwarf_Attribute attr;
		Dwarf_Word unit;

		if (dwarf_offdie(dbg, off + hsize, &cu) &&
		    dwarf_formudata(dwarf_attr(&cu, DW_AT_stmt_list, &attr), &unit) == 0)
			n += compare_decl_dies(dbg, &cu, unit, 0);
		off = next;
	}
	dwarf_end(dbg);
	close(fd);
	return n;
}

static void
test_decl_files(void **state)
{
	char path[4096], libc[4096] = "";
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	struct elfmod *m = NULL;
	int fd;

	(void)state;
	assert_true(n > 0);
	path[n] = '\0';
	/* This binary's own units and the library's it links: hundreds of declarations. */
	assert_true(compare_decl_files(path) > 500);
	dl_iterate_phdr(libc_path_cb, libc);
	fd = libc[0] ? open(libc, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return;
	assert_int_equal(elfmod_open(libc, fd, &m), 0);
	if (elfmod_debug_file(m))
		assert_true(compare_decl_files(elfmod_debug_file(m)) > 10000);
	else
		print_message(
			"# libc: no debug file installed (libc6-dbg), its units not compared\n");
	elfmod_free(m);
}

static void
test_range_and_missing(void **state)
{
	struct linetab *t = NULL;
	const char *f, *d;
	uint32_t l;
	uint64_t here = (uint64_t)(uintptr_t)&test_range_and_missing;
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	(void)state;
	assert_true(n > 0);
	path[n] = '\0';
	/* An empty range keeps nothing. */
	assert_int_equal(linetab_open(path, 0, 0, &t), 0);
	assert_false(linetab_lookup(t, here, &f, &d, &l));
	linetab_free(t);
	assert_int_equal(linetab_open("/nonexistent/ringside-test", 0, 1, &t), -ENOENT);
	assert_null(t);
	/* A file that is not ELF, and an ELF file without a line table. */
	assert_int_equal(linetab_open("/proc/self/status", 0, 1, &t), -EPROTO);
	if (access("/bin/true", R_OK) == 0) {
		int rc = linetab_open("/bin/true", 0, ~0ull, &t);

		assert_true(rc == -ENOENT || rc == 0);
		linetab_free(t);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_libc),
		cmocka_unit_test(test_range_and_missing),
		cmocka_unit_test(test_decl_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
