// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for sym/elfmod's memory: once the C library's DWARF is loaded, the pages of its
 * debug file that libelf mapped (or of its inflated copy, an unlinked temporary: see
 * sym/debugcopy) are no longer resident in this process (elfmod gives the file's pages back), and
 * naming every libc function with
 * its inline chain gives the same frames again after many such releases (pages come back from
 * the file on next touch); ending its DWARF session (elfmod_drop_dwarf) frees libdw's state, and
 * the session opened again on the next lookup gives the same frames byte for byte. The first
 * lookup, which reads the header of every unit, holds little of the file resident at once: the
 * peak resident set rises by less than a quarter of the file beyond what the lookup keeps. Skipped without the C library's debug file (libc6-dbg).
 *
 * Where code without a symbol starts (elfmod_code_start): in a copy of this test stripped of
 * every symbol (objcopy --strip-all), each function the unstripped file names is found to start
 * where its symbol says, from an address in its middle, and the padding after a function has no
 * start (no FDE's range covers it).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ringside/sym/elfmod.h"
#include "smaps.h"

static int
libc_path_cb(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (strstr(info->dlpi_name, "/libc.so"))
		snprintf(data, 4096, "%s", info->dlpi_name);
	return 0;
}

/*
 * The C library as a module, its DWARF loaded when dwarf, or NULL (skip) without a debug file.
 */
static struct elfmod *
open_libc_module(bool dwarf)
{
	char path[4096] = "";
	struct elfmod *m = NULL;
	int fd;

	dl_iterate_phdr(libc_path_cb, path);
	fd = path[0] ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0)
		return NULL;
	assert_int_equal(elfmod_open(path, fd, &m), 0);
	if (!elfmod_debug_file(m) || (dwarf && !elfmod_has_dwarf(m))) {
		print_message("# no debug file for %s (libc6-dbg)\n", path);
		elfmod_free(m);
		return NULL;
	}
	return m;
}

static struct elfmod *
open_libc(void)
{
	return open_libc_module(true);
}

/* A field of /proc/self/status in KiB ("VmHWM:"), 0 when absent. */
static size_t
status_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	size_t kib = 0, n = strlen(field);

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0)
			kib = strtoull(line + n, NULL, 10);
	fclose(f);
	return kib;
}

/*
 * The first DWARF lookup reads every unit's header (libc's debug file has thousands, over megabytes
 * of .debug_info) but does not hold them resident at once: the peak resident set rises by less
 * than a quarter of the file beyond what stays, and after it only a small part of the file is
 * resident.
 */
static void
test_first_lookup_peak(void **state)
{
	struct elfmod *m = open_libc_module(false);
	struct elfmod_frame fr[16];
	const struct elfmod_sym *sym;
	size_t before, rise, after, kib;
	struct stat st;
	FILE *f;

	(void)state;
	if (!m)
		skip();
	assert_int_equal(stat(elfmod_debug_file(m), &st), 0);
	sym = &elfmod_symbols(m)[elfmod_nsyms(m) / 2];
	assert_false(elfmod_dwarf_open(m));
	/* Writing 5 to clear_refs sets the peak (VmHWM) to the resident set now. */
	f = fopen("/proc/self/clear_refs", "we");
	if (!f || fputs("5", f) < 0 || fclose(f) != 0) {
		print_message("# /proc/self/clear_refs cannot be written here\n");
		elfmod_free(m);
		skip();
	}
	before = status_kib("VmRSS:");
	assert_true(elfmod_frames(m, sym->addr, fr, 16) > 0);
	rise = status_kib("VmHWM:") - before;
	after = status_kib("VmRSS:") - before;
	kib = smaps_rss_kib(elfmod_debug_file(m), true);
	print_message("# first lookup in %s (%lld KiB): peak +%zu KiB, resident +%zu KiB after "
		      "(%zu KiB of the file)\n",
		      elfmod_debug_file(m), (long long)st.st_size / 1024, rise, after, kib);
	assert_true(elfmod_dwarf_open(m));
	/*
	 * What stays (libdw's units, counted by whichever allocator this is) is not the point; what
	 * was resident only during the lookup is: under a quarter of the file. (The kernel updates
	 * VmHWM lazily: it can read a little under VmRSS.)
	 */
	assert_true((rise > after ? rise - after : 0) * 1024 < (size_t)st.st_size / 4);
	assert_true(kib * 1024 < (size_t)st.st_size / 4);
	elfmod_free(m);
}

static void
test_debug_pages_released(void **state)
{
	struct elfmod *m = open_libc();
	struct stat st;
	size_t kib;

	(void)state;
	if (!m)
		skip();
	assert_int_equal(stat(elfmod_debug_file(m), &st), 0);
	kib = smaps_rss_kib(elfmod_debug_file(m), true);
	print_message("# %s: %zu KiB resident of %lld KiB\n", elfmod_debug_file(m), kib,
		      (long long)st.st_size / 1024);
	/* Read whole to inflate its sections, then given back: a small part stays at most. */
	assert_true(kib * 1024 < (size_t)st.st_size / 4);
	elfmod_free(m);
}

/* "name file:line inlined" of every frame at the middle of every function, one line each. */
static char *
frames_text(struct elfmod *m, size_t *nframes)
{
	const struct elfmod_sym *syms = elfmod_symbols(m);
	struct elfmod_frame fr[16];
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*nframes = 0;
	for (size_t i = 0; i < elfmod_nsyms(m); i++) {
		size_t n = elfmod_frames(m, syms[i].addr + syms[i].size / 2, fr, 16);

		for (size_t k = 0; k < n; k++)
			fprintf(f, "%s %s:%u %d\n", fr[k].name, fr[k].file ? fr[k].file : "-",
				fr[k].line, fr[k].inlined);
		*nframes += n;
	}
	fclose(f);
	return buf;
}

static void
test_frames_after_release(void **state)
{
	struct elfmod *m = open_libc();
	size_t n1, n2, inlined = 0;
	char *first, *second;

	(void)state;
	if (!m)
		skip();
	first = frames_text(m, &n1);
	second = frames_text(m, &n2);
	for (const char *p = first; (p = strstr(p, " 1\n")); p++)
		inlined++;
	/* Thousands of frames, hundreds of them inlined, with their declaration files. */
	assert_true(n1 > 3000);
	assert_true(inlined > 100);
	assert_non_null(strstr(first, ".c:"));
	assert_int_equal(n1, n2);
	assert_string_equal(first, second);
	free(first);
	free(second);
	elfmod_free(m);
}

/* Bytes malloc hands out now. */
static size_t
malloc_used(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

static void
test_frames_after_drop(void **state)
{
	struct elfmod *m = open_libc();
	const struct elfmod_sym *sym;
	const char *file, *dir;
	struct timespec t0, t1;
	size_t n1, n2, before, after;
	uint32_t line;
	char *first, *second;

	(void)state;
	if (!m)
		skip();
	first = frames_text(m, &n1);
	assert_true(elfmod_dwarf_open(m));
	assert_int_equal(elfmod_dwarf_opens(m), 1);
	before = malloc_used();
	elfmod_drop_dwarf(m);
	after = malloc_used();
	print_message("# dropping libc's DWARF session gave back %zu KiB of malloc\n",
		      before > after ? (before - after) / 1024 : 0);
	/* libdw's units, abbreviations and ranges, and the function index over them, are freed. */
	assert_false(elfmod_dwarf_open(m));
	if (before > 0)
		assert_true(after + 512 * 1024 < before);
	else
		print_message("# this malloc does not count (a sanitizer's or valgrind's)\n");
	/* The symbol table stays: its names are still read without DWARF. */
	sym = elfmod_symbol(m, elfmod_symbols(m)[elfmod_nsyms(m) / 2].addr);
	assert_non_null(sym);
	assert_true(sym->name[0] != '\0');
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_true(elfmod_srcline(m, sym->addr, &file, &dir, &line));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_message("# reopening it for one line lookup: %.2f ms\n",
		      (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
			      (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_true(elfmod_dwarf_open(m));
	assert_int_equal(elfmod_dwarf_opens(m), 2);
	/* Reopened lazily, the same frames byte for byte. */
	elfmod_drop_dwarf(m);
	second = frames_text(m, &n2);
	assert_int_equal(elfmod_dwarf_opens(m), 3);
	assert_int_equal(n1, n2);
	assert_string_equal(first, second);
	free(first);
	free(second);
	elfmod_free(m);
}

/* Each sized function of this binary, asked in the middle in a stripped copy, starts at its symbol.
 */
static void
test_code_start_stripped(void **state)
{
	char stripped[] = "/tmp/ringside-test-elfmod.XXXXXX", cmd[256];
	struct elfmod *full = NULL, *bare = NULL;
	const struct elfmod_sym *syms;
	size_t n, asked = 0, found = 0, gaps = 0, uncovered = 0;
	uint64_t start;
	int fd;

	(void)state;
	fd = mkstemp(stripped);
	assert_true(fd >= 0);
	close(fd);
	snprintf(cmd, sizeof(cmd), "objcopy --strip-all /proc/%d/exe %s", (int)getpid(), stripped);
	if (system(cmd) != 0) {
		unlink(stripped);
		skip();
	}
	fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_int_equal(elfmod_open("/proc/self/exe", fd, &full), 0);
	fd = open(stripped, O_RDONLY | O_CLOEXEC);
	assert_int_equal(elfmod_open(stripped, fd, &bare), 0);
	unlink(stripped);
	syms = elfmod_symbols(full);
	n = elfmod_nsyms(full);
	assert_true(n > 10);
	for (size_t i = 0; i < n; i++) {
		uint64_t mid = syms[i].addr + syms[i].size / 2;

		if (syms[i].size < 8)
			continue;
		asked++;
		/* Stripped: no symbol for it any more, yet its start is known. */
		assert_null(elfmod_symbol(bare, mid));
		if (elfmod_code_start(bare, mid, &start) && start == syms[i].addr)
			found++;
		else
			print_message("# %s at 0x%llx: %s 0x%llx\n", syms[i].name,
				      (unsigned long long)syms[i].addr,
				      elfmod_code_start(bare, mid, &start) ? "starts at"
									   : "no start",
				      (unsigned long long)start);
	}
	print_message("# %zu of %zu functions start at their symbol in the stripped copy\n", found,
		      asked);
	assert_true(asked >= 10 && found == asked);
	assert_true(elfmod_code_start(bare, (uint64_t)0, &start) == false);
	/* The padding after a function, up to the next, is in no FDE's range: no start. */
	for (size_t i = 0; i + 1 < n; i++) {
		uint64_t end = syms[i].addr + syms[i].size;

		if (syms[i].size < 8 || syms[i + 1].addr <= end ||
		    !elfmod_code_start(bare, end - 1, &start) || start != syms[i].addr)
			continue;
		gaps++;
		if (elfmod_code_start(bare, end, &start))
			print_message("# past %s's end 0x%llx: starts at 0x%llx\n", syms[i].name,
				      (unsigned long long)end, (unsigned long long)start);
		else
			uncovered++;
	}
	print_message("# %zu of %zu ends of functions before padding have no start\n", uncovered,
		      gaps);
	assert_true(gaps > 0 && uncovered == gaps);
	elfmod_free(full);
	elfmod_free(bare);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_lookup_peak),
		cmocka_unit_test(test_debug_pages_released),
		cmocka_unit_test(test_frames_after_release),
		cmocka_unit_test(test_frames_after_drop),
		cmocka_unit_test(test_code_start_stripped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
