// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for sym/kallsyms: a kallsyms file written at run time (text and data symbols,
 * aliases, modules, malformed lines, unsorted module lines), lookups at and between symbols,
 * names shared with the name before, addresses in several 4 GiB runs, lines across reads, the
 * restricted all-zero form, and the real /proc/kallsyms with its load time, size and lookup cost.
 * The names in a read-only mapping of an unlinked temporary file: readable after their pages are
 * given back, the same answers as names kept in the heap when no file can be written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ringside/sym/debugcopy.h"
#include "ringside/sym/kallsyms.h"
#include "unit.h"

static char tmpdir[] = "/tmp/ringside-test-kallsyms-XXXXXX";

/* Write text to a file in the temp dir; returns its path (static buffer). */
static const char *
write_fixture(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static const char fixture[] = "ffffffff81000000 T _text\n"
			      "ffffffff81000000 T _stext\n"
			      "ffffffff81000000 T startup_64\n"
			      "ffffffff81000100 t secondary_startup\n"
			      "ffffffff81000200 W weak_alias\n"
			      "ffffffff81000200 T strong_name\n"
			      "ffffffff81000300 T do_syscall_64\n"
			      "ffffffff81000400 t __do_sys_read\n"
			      "ffffffff81000400 t ksys_read\n"
			      "ffffffff81000500 T schedule\n"
			      "ffffffff81000600 D some_data\n"
			      "ffffffff81000700 b some_bss\n"
			      "garbage line without fields\n"
			      "\n"
			      "zzzz T not_hex\n"
			      "ffffffff81000800 T\n"
			      "ffffffff81000900 T after_data\n"
			      "ffffffffc0002000 t ext4_fill_super\t[ext4]\n"
			      "ffffffffc0002100 T ext4_iget\t[ext4]\n"
			      "ffffffffc0002200 d ext4_data\t[ext4]\n"
			      "ffffffffc0001000 t xfs_read\t[xfs]\n"
			      "ffffffffc0001100 t xfs_write\t[xfs]\n"
			      "ffffffffc0003000 t bpf_prog_6deef7357e7b4530_foo\t[bpf]\n";

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Look addr up and expect name in module (NULL name: no symbol). */
static void
check_find(const struct kallsyms *ks, uint64_t addr, const char *name, const char *module)
{
	struct kallsyms_sym sym;
	bool found = kallsyms_find(ks, addr, &sym);

	if (!name) {
		if (found)
			print_message("# %#" PRIx64 " found %s, expected nothing\n", addr,
				      sym.name);
		assert_false(found);
		return;
	}
	if (!found || strcmp(sym.name, name) != 0)
		print_message("# %#" PRIx64 ": got %s, want %s\n", addr, found ? sym.name : "-",
			      name);
	assert_true(found);
	assert_string_equal(sym.name, name);
	assert_string_equal(sym.module, module);
}

static void
test_parse(void **state)
{
	struct kallsyms *ks = NULL;

	(void)state;
	assert_int_equal(kallsyms_load(write_fixture("kallsyms", fixture), &ks), 0);
	assert_non_null(ks);
	assert_false(kallsyms_restricted(ks));
	/*
	 * text symbols, one per address: startup_64, secondary_startup, strong_name,
	 * do_syscall_64, ksys_read, schedule, after_data, 2 ext4, 2 xfs, 1 bpf
	 */
	assert_int_equal(kallsyms_count(ks), 12);
	assert_true(kallsyms_memory(ks) > 0);
	kallsyms_free(ks);
	kallsyms_free(NULL);
}

static void
test_lookup(void **state)
{
	struct kallsyms *ks = NULL;

	(void)state;
	assert_int_equal(kallsyms_load(write_fixture("kallsyms", fixture), &ks), 0);
	check_find(ks, 0x1000, NULL, NULL);
	check_find(ks, 0xffffffff80ffffffull, NULL, NULL);
	/* aliases: a global name with fewer underscores beats _text/_stext; strong beats weak */
	check_find(ks, 0xffffffff81000000ull, "startup_64", "[kernel]");
	check_find(ks, 0xffffffff810000ffull, "startup_64", "[kernel]");
	check_find(ks, 0xffffffff81000100ull, "secondary_startup", "[kernel]");
	check_find(ks, 0xffffffff81000234ull, "strong_name", "[kernel]");
	check_find(ks, 0xffffffff81000345ull, "do_syscall_64", "[kernel]");
	check_find(ks, 0xffffffff81000401ull, "ksys_read", "[kernel]");
	check_find(ks, 0xffffffff810005ffull, "schedule", "[kernel]");
	/* data ends the text symbol before it */
	check_find(ks, 0xffffffff81000600ull, NULL, NULL);
	check_find(ks, 0xffffffff81000750ull, NULL, NULL);
	check_find(ks, 0xffffffff81000900ull, "after_data", "[kernel]");
	/* modules, listed out of address order in the file */
	check_find(ks, 0xffffffffc0001050ull, "xfs_read", "[xfs]");
	check_find(ks, 0xffffffffc0001100ull, "xfs_write", "[xfs]");
	check_find(ks, 0xffffffffc0002010ull, "ext4_fill_super", "[ext4]");
	check_find(ks, 0xffffffffc00020ffull, "ext4_fill_super", "[ext4]");
	check_find(ks, 0xffffffffc0002150ull, "ext4_iget", "[ext4]");
	check_find(ks, 0xffffffffc0002200ull, NULL, NULL);
	check_find(ks, 0xffffffffc0003004ull, "bpf_prog_6deef7357e7b4530_foo", "[bpf]");
	kallsyms_free(ks);
}

/* A name that ends the one before it shares its bytes; never across a module's boundary. */
static void
test_shared_names(void **state)
{
	struct kallsyms *ks = NULL;

	(void)state;
	assert_int_equal(kallsyms_load(write_fixture("pfx", "ffffffff81000000 t __pfx_foo\n"
							    "ffffffff81000010 T foo\n"
							    "ffffffff81000020 T oo\n"
							    "ffffffffc0000000 t __pfx_bar\n"
							    "ffffffffc0000010 t bar\t[m1]\n"
							    "ffffffffc0000020 t __pfx_baz\t[m1]\n"
							    "ffffffffc0000030 t baz\t[m2]\n"
							    "ffffffffc0000040 t qbaz\t[m2]\n"
							    "ffffffffc0000050 t baz\t[m2]\n"),
				       &ks),
			 0);
	check_find(ks, 0xffffffff81000001ull, "__pfx_foo", "[kernel]");
	check_find(ks, 0xffffffff81000011ull, "foo", "[kernel]");
	check_find(ks, 0xffffffff81000021ull, "oo", "[kernel]");
	{
		struct kallsyms_sym pfx, foo;

		assert_true(kallsyms_find(ks, 0xffffffff81000000ull, &pfx));
		assert_true(kallsyms_find(ks, 0xffffffff81000010ull, &foo));
		assert_ptr_equal(foo.name, pfx.name + 6); /* "foo" is the end of "__pfx_foo" */
	}
	check_find(ks, 0xffffffffc0000001ull, "__pfx_bar", "[kernel]");
	check_find(ks, 0xffffffffc0000011ull, "bar", "[m1]");
	check_find(ks, 0xffffffffc0000021ull, "__pfx_baz", "[m1]");
	check_find(ks, 0xffffffffc0000031ull, "baz", "[m2]");
	check_find(ks, 0xffffffffc0000041ull, "qbaz", "[m2]");
	check_find(ks, 0xffffffffc0000051ull, "baz", "[m2]");
	print_message("# 9 names in %zu bytes\n", kallsyms_memory(ks));
	kallsyms_free(ks);
}

/*
 * Padding symbols are folded into the function they pad: the same answers in and around them,
 * and no entry of their own (only their 6 name bytes, "__pfx_", cost anything); padding that is
 * not a multiple of 8 bytes, over 120 bytes, or in another module keeps its own entry.
 */
static void
test_padding_folded(void **state)
{
	static const char body[] = "ffffffff81000010 T foo\n"
				   "ffffffff81000030 T bar\n"
				   "ffffffff81000040 D data\n"
				   "ffffffff81000050 t baz\n"
				   "ffffffff81000060 t odd\n"
				   "ffffffff81000200 t far\n";
	struct kallsyms *ks = NULL, *plain = NULL;
	size_t with, without;

	(void)state;
	assert_int_equal(kallsyms_load(write_fixture("folded", "ffffffff81000000 t __pfx_foo\n"
							       "ffffffff81000010 T foo\n"
							       "ffffffff81000020 t __pfx_bar\n"
							       "ffffffff81000030 T bar\n"
							       "ffffffff81000040 D data\n"
							       "ffffffff81000048 t __pfx_baz\n"
							       "ffffffff81000050 t baz\n"
							       "ffffffff81000054 t __pfx_odd\n"
							       "ffffffff81000060 t odd\n"
							       "ffffffff81000100 t __pfx_far\n"
							       "ffffffff81000200 t far\n"),
				       &ks),
			 0);
	assert_int_equal(kallsyms_count(ks), 10);
	check_find(ks, 0xfffffffe81000000ull, NULL, NULL);
	check_find(ks, 0xffffffff81000000ull, "__pfx_foo", "[kernel]");
	check_find(ks, 0xffffffff8100000full, "__pfx_foo", "[kernel]");
	check_find(ks, 0xffffffff81000010ull, "foo", "[kernel]");
	check_find(ks, 0xffffffff8100001full, "foo", "[kernel]");
	check_find(ks, 0xffffffff81000020ull, "__pfx_bar", "[kernel]");
	check_find(ks, 0xffffffff81000030ull, "bar", "[kernel]");
	check_find(ks, 0xffffffff81000044ull, NULL, NULL); /* data, before baz's padding */
	check_find(ks, 0xffffffff81000048ull, "__pfx_baz", "[kernel]");
	check_find(ks, 0xffffffff81000053ull, "baz", "[kernel]");
	check_find(ks, 0xffffffff81000054ull, "__pfx_odd", "[kernel]");
	check_find(ks, 0xffffffff81000060ull, "odd", "[kernel]");
	check_find(ks, 0xffffffff81000100ull, "__pfx_far", "[kernel]");
	check_find(ks, 0xffffffff81000200ull, "far", "[kernel]");
	{
		struct kallsyms_sym sym;

		assert_true(kallsyms_find(ks, 0xffffffff81000005ull, &sym));
		assert_int_equal(sym.addr, 0xffffffff81000000ull);
		assert_true(kallsyms_find(ks, 0xffffffff8100004full, &sym));
		assert_int_equal(sym.addr, 0xffffffff81000048ull);
	}
	assert_int_equal(kallsyms_load(write_fixture("plain", body), &plain), 0);
	with = kallsyms_memory(ks);
	without = kallsyms_memory(plain);
	print_message("# %zu bytes with 5 padding symbols, %zu without\n", with, without);
	/* Three folded: 6 name bytes each; the two kept: an 8-byte entry and 6 bytes each. */
	assert_int_equal(with - without, 3 * 6 + 2 * (8 + 6));
	kallsyms_free(ks);
	kallsyms_free(plain);
}

/* Addresses whose high 32 bits differ: lookups across and between those runs. */
static void
test_segments(void **state)
{
	struct kallsyms *ks = NULL;
	struct kallsyms_sym sym;

	(void)state;
	assert_int_equal(kallsyms_load(write_fixture("segs", "0000000100000000 T one\n"
							     "00000000fffffff0 T low\n"
							     "0000000300000010 T three\n"
							     "0000000300000020 D three_data\n"
							     "0000000000001000 T first\n"),
				       &ks),
			 0);
	check_find(ks, 0xfff, NULL, NULL);
	check_find(ks, 0x1000, "first", "[kernel]");
	check_find(ks, 0xffffffefull, "first", "[kernel]");
	check_find(ks, 0xfffffff0ull, "low", "[kernel]");
	check_find(ks, 0xffffffffull, "low", "[kernel]");
	check_find(ks, 0x100000000ull, "one", "[kernel]");
	check_find(ks, 0x2ffffffffull, "one", "[kernel]");
	check_find(ks, 0x300000000ull, "one", "[kernel]");
	check_find(ks, 0x300000010ull, "three", "[kernel]");
	assert_true(kallsyms_find(ks, 0x30000001full, &sym));
	assert_int_equal(sym.addr, 0x300000010ull);
	assert_true(kallsyms_find(ks, 0x1ffffffffull, &sym));
	assert_int_equal(sym.addr, 0x100000000ull);
	check_find(ks, 0x300000020ull, NULL, NULL);
	check_find(ks, UINT64_MAX, NULL, NULL);
	kallsyms_free(ks);
}

/* Lines across the 64 KiB reads come whole; a line longer than a read is skipped, alone. */
static void
test_chunks(void **state)
{
	size_t n = 6000, len = 0, cap = n * 48 + 80000;
	struct kallsyms *ks = NULL;
	char *text = malloc(cap), name[32];

	(void)state;
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "ffffffff80000000 T ");
	memset(text + len, 'x', 70000);
	len += 70000;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "\n%016" PRIx64 " T sym_%zu",
					(uint64_t)(0xffffffff81000000ull + i * 16), i);
	assert_int_equal(kallsyms_load(write_fixture("chunks", text), &ks), 0);
	assert_int_equal(kallsyms_count(ks), n);
	check_find(ks, 0xffffffff80000010ull, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "sym_%zu", i);
		check_find(ks, 0xffffffff81000000ull + i * 16 + 15, name, "[kernel]");
	}
	kallsyms_free(ks);
	free(text);
}

static void
test_restricted(void **state)
{
	struct kallsyms *ks = NULL;
	struct kallsyms_sym sym;

	(void)state;
	assert_int_equal(
		kallsyms_load(write_fixture("restricted", "0000000000000000 T _text\n"
							  "0000000000000000 T startup_64\n"
							  "0000000000000000 t ext4_iget\t[ext4]\n"
							  "0000000000000000 D some_data\n"),
			      &ks),
		0);
	assert_true(kallsyms_restricted(ks));
	assert_int_equal(kallsyms_count(ks), 0);
	assert_false(kallsyms_find(ks, 0, &sym));
	assert_false(kallsyms_find(ks, 0xffffffff81000000ull, &sym));
	kallsyms_free(ks);
}

static void
test_errors(void **state)
{
	struct kallsyms *ks = (struct kallsyms *)&ks;
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	assert_int_equal(kallsyms_load(path, &ks), -ENOENT);
	assert_null(ks);
	assert_int_equal(kallsyms_load(write_fixture("empty", ""), &ks), -EINVAL);
	assert_null(ks);
	assert_int_equal(kallsyms_load(write_fixture("junk", "hello\nworld\n"), &ks), -EINVAL);
	assert_null(ks);
	/* data only: nothing to name code with */
	assert_int_equal(kallsyms_load(write_fixture("data", "ffffffff81000600 D x\n"), &ks),
			 -EINVAL);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
test_proc_kallsyms(void **state)
{
	struct kallsyms *ks = NULL;
	uint64_t addr = 0;
	char line[512], name[256] = "";
	double t0, t1;
	FILE *f;
	int rc;

	(void)state;
	t0 = now_ms();
	rc = kallsyms_load(NULL, &ks);
	t1 = now_ms();
	if (rc == -ENOENT || rc == -EACCES) {
		unit_skip("/proc/kallsyms unreadable (%s)", strerror(-rc));
	}
	assert_int_equal(rc, 0);
	print_message("# /proc/kallsyms: %zu text symbols in %.1f ms, %zu KiB%s\n",
		      kallsyms_count(ks), t1 - t0, kallsyms_memory(ks) / 1024,
		      kallsyms_restricted(ks) ? " (restricted)" : "");
	if (kallsyms_restricted(ks)) {
		kallsyms_free(ks);
		return;
	}
	assert_true(kallsyms_count(ks) > 1000);
	/* a function the file lists must come back at its own address */
	f = fopen("/proc/kallsyms", "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char type;

		if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) == 3 &&
		    strcmp(name, "schedule") == 0 && (type == 'T' || type == 't'))
			break;
		name[0] = '\0';
	}
	fclose(f);
	if (strcmp(name, "schedule") == 0) {
		struct kallsyms_sym sym;
		size_t hits = 0;

		t0 = now_ms();
		for (uint64_t i = 0; i < 1000000; i++)
			hits += kallsyms_find(ks, addr - (64ull << 20) + i * 197, &sym);
		t1 = now_ms();
		print_message("# 1M lookups over 192 MiB of text: %.1f ns each, %zu found\n",
			      (t1 - t0) * 1e6 / 1e6, hits);

		assert_true(kallsyms_find(ks, addr + 1, &sym));
		assert_int_equal(sym.addr, addr);
		assert_string_equal(sym.module, "[kernel]");
		print_message("# schedule at %#" PRIx64 " resolves to %s\n", addr, sym.name);
	}
	kallsyms_free(ks);
}

/* Many symbols over several pages of names, in the kernel and three modules. */
#define MAPPED_N 20000

static const char *
mapped_fixture(void)
{
	size_t cap = MAPPED_N * 80, len = 0;
	char *text = malloc(cap);
	const char *path;

	assert_non_null(text);
	for (size_t i = 0; i < MAPPED_N; i++) {
		static const char *const mods[] = { "", "\t[ext4]", "\t[xfs]", "\t[kvm]" };

		len += (size_t)snprintf(text + len, cap - len,
					"%016" PRIx64 " %c function_number_%05zu%s\n",
					(uint64_t)(0xffffffff81000000ull + i * 64),
					i % 7 ? 't' : 'D', i, mods[i / 5000]);
	}
	path = write_fixture("mapped", text);
	free(text);
	return path;
}

/* The line of /proc/self/maps whose range holds p, into line; false when none does. */
static bool
maps_line_of(const void *p, char *line, size_t size)
{
	FILE *f = fopen("/proc/self/maps", "re");
	bool found = false;

	assert_non_null(f);
	while (!found && fgets(line, (int)size, f)) {
		unsigned long lo, hi;

		found = sscanf(line, "%lx-%lx", &lo, &hi) == 2 && (uintptr_t)p >= lo &&
			(uintptr_t)p < hi;
	}
	fclose(f);
	return found;
}

/* Every address of the mapped fixture resolves the same in a and b (names compared as text). */
static void
check_same(const struct kallsyms *a, const struct kallsyms *b)
{
	for (uint64_t addr = 0xffffffff80fffff0ull; addr < 0xffffffff81000000ull + MAPPED_N * 64;
	     addr += 29) {
		struct kallsyms_sym x, y;
		bool fx = kallsyms_find(a, addr, &x), fy = kallsyms_find(b, addr, &y);

		assert_int_equal(fx, fy);
		if (!fx)
			continue;
		assert_int_equal(x.addr, y.addr);
		assert_string_equal(x.name, y.name);
		assert_string_equal(x.module, y.module);
	}
	assert_int_equal(kallsyms_count(a), kallsyms_count(b));
	assert_int_equal(kallsyms_memory(a), kallsyms_memory(b));
}

/*
 * Names written to a file no larger than limit bytes (RLIMIT_FSIZE; the write that passes it fails
 * with EFBIG, its signal ignored): the table keeps them in the heap, those written before read
 * back, and loads and answers all the same.
 */
static struct kallsyms *
load_unmappable(const char *path, rlim_t limit)
{
	struct rlimit old, small;
	struct kallsyms *ks = NULL;
	void (*was)(int) = signal(SIGXFSZ, SIG_IGN);

	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = limit;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(kallsyms_load(path, &ks), 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	return ks;
}

/*
 * The names are in a read-only mapping of an unlinked file (never in the heap) when a disk-backed
 * temporary directory exists; a name found before kallsyms_trim reads the same after it, its page
 * given back (not resident) in between; the heap fallback answers every lookup the same.
 */
static void
test_mapped(void **state)
{
	struct kallsyms *ks = NULL, *heap;
	struct kallsyms_sym sym, mod;
	char line[4096], *path;
	size_t res = 0;
	int probe = debugcopy_tmpfile(1);

	(void)state;
	if (probe < 0)
		unit_skip("no disk-backed temporary directory (TMPDIR, /var/tmp, /tmp all tmpfs)");
	close(probe);
	path = strdup(mapped_fixture()); /* write_fixture's buffer is written again below */
	assert_non_null(path);
	assert_int_equal(kallsyms_load(path, &ks), 0);
	assert_true(kallsyms_mapped(ks) > 3 * 4096);
	assert_true(kallsyms_memory(ks) > kallsyms_mapped(ks));
	assert_true(kallsyms_find(ks, 0xffffffff81000000ull + 12345 * 64 + 3, &sym));
	assert_string_equal(sym.name, "function_number_12345");
	assert_true(maps_line_of(sym.name, line, sizeof(line)));
	print_message("# names: %zu bytes mapped: %s", kallsyms_mapped(ks), line);
	assert_non_null(strstr(line, "/#"));
	assert_non_null(strstr(line, "(deleted)"));
	assert_non_null(strstr(line, " r--s "));
	assert_true(kallsyms_find(ks, 0xffffffff81000000ull + 17001 * 64, &mod));
	assert_string_equal(mod.module, "[kvm]");
	assert_int_equal(kallsyms_resident(ks, &res), 0);
	print_message("# %zu bytes resident after two lookups\n", res);
	assert_true(res >= 4096 && res < kallsyms_mapped(ks));
	kallsyms_trim(ks);
	assert_int_equal(kallsyms_resident(ks, &res), 0);
	assert_int_equal(res, 0);
	/* The pointers from before the trim: their pages come back from the file. */
	assert_string_equal(sym.name, "function_number_12345");
	assert_string_equal(mod.name, "function_number_17001");
	assert_string_equal(mod.module, "[kvm]");
	assert_int_equal(kallsyms_resident(ks, &res), 0);
	assert_true(res >= 4096);
	/* A few names (under 64 KiB) stay in the heap: no file for so little. */
	assert_int_equal(kallsyms_load(write_fixture("few", fixture), &heap), 0);
	assert_int_equal(kallsyms_mapped(heap), 0);
	kallsyms_free(heap);
	heap = load_unmappable(path, 4096);
	assert_int_equal(kallsyms_mapped(heap), 0);
	assert_int_equal(kallsyms_resident(heap, &res), 0);
	assert_int_equal(res, 0);
	kallsyms_trim(heap); /* nothing mapped: nothing to do */
	assert_true(kallsyms_find(heap, 0xffffffff81000000ull + 12345 * 64, &sym));
	assert_false(maps_line_of(sym.name, line, sizeof(line)) && strstr(line, "/#"));
	check_same(ks, heap);
	kallsyms_free(heap);
	/* Failing after some names went to the file (150 KB), and at the last write. */
	heap = load_unmappable(path, 150000);
	assert_int_equal(kallsyms_mapped(heap), 0);
	check_same(ks, heap);
	kallsyms_free(heap);
	heap = load_unmappable(path, kallsyms_mapped(ks) - 100);
	assert_int_equal(kallsyms_mapped(heap), 0);
	check_same(ks, heap);
	kallsyms_free(heap);
	kallsyms_free(ks);
	free(path);
}

/* TMPDIR naming a regular file: the helper goes on to /var/tmp or /tmp, or keeps the heap. */
static void
test_mapped_tmpdir_file(void **state)
{
	const char *path = mapped_fixture();
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	struct kallsyms *ks = NULL, *heap;
	struct kallsyms_sym sym;
	char line[4096];

	(void)state;
	heap = load_unmappable(path, 4096);
	setenv("TMPDIR", path, 1);
	assert_int_equal(kallsyms_load(path, &ks), 0);
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
	assert_true(kallsyms_find(ks, 0xffffffff81000000ull + 43 * 64, &sym));
	print_message("# TMPDIR a file: %zu bytes mapped\n", kallsyms_mapped(ks));
	if (kallsyms_mapped(ks)) {
		assert_true(maps_line_of(sym.name, line, sizeof(line)));
		assert_null(strstr(line, path));
	}
	check_same(ks, heap);
	kallsyms_free(heap);
	kallsyms_free(ks);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_shared_names),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_restricted),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_proc_kallsyms),
		cmocka_unit_test(test_padding_folded),
		cmocka_unit_test(test_mapped),
		cmocka_unit_test(test_mapped_tmpdir_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
