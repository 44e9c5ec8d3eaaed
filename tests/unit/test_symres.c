// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for sym/symres against this very process: a static function of the test binary
 * (FRAME_USER), a libc function (FRAME_LIBRARY), an address in no mapping (FRAME_UNKNOWN, and
 * "module+0xOFF" inside a module where no symbol is), an inline chain compiled here, a JIT map
 * for an anonymous executable mapping (and its growth), the kernel through kallsyms, cache hits
 * returning the same ids, fork/exec/exit, modules freed when no process maps them any more (and
 * their files closed; the fixture's resolver frees them at once), kept idle a while and found
 * again by a program run anew (never when its file changed, never past their time), the
 * statistics, and an address cache's bound. Lookup costs are printed as
 * TAP diagnostics, never asserted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ringside/model/frametab.h"
#include "ringside/perf/target.h"
#include "ringside/sym/debugcopy.h"
#include "ringside/sym/elfmod.h"
#include "ringside/sym/procmaps.h"
#include "ringside/sym/symres.h"
#include "smaps.h"
#include "unit.h"

/* ---- code with known names ---- */

volatile int symres_test_sink;
static uintptr_t captured_pc;

__attribute__((noinline, noclone)) static int
known_static_function(int x)
{
	for (int i = 0; i < x; i++)
		symres_test_sink += i;
	return symres_test_sink;
}

__attribute__((noinline, noclone)) static void
capture_return_address(void)
{
	captured_pc = (uintptr_t)__builtin_return_address(0);
	__asm__ volatile("" ::: "memory");
}

static inline __attribute__((always_inline)) int
inlined_helper(int x)
{
	capture_return_address();
	return x * 3 + symres_test_sink;
}

__attribute__((noinline, noclone)) static int
inline_host(int x)
{
	return inlined_helper(x) + 1;
}

/* ---- helpers ---- */

static pid_t self;
/* The JIT map test_jit_map writes, removed by teardown even when an assertion fails. */
static char jit_map_path[64];
/* The copy of this binary the module tests map, removed by teardown likewise. */
static char copy_path[64];

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

struct fixture {
	struct frametab *ft;
	struct symres *r;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->ft = frametab_new();
	f->r = symres_new(f->ft);
	/* Modules freed when their last mapping goes, as the module tests count them. */
	symres_set_idle(f->r, 0, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	symres_free(f->r);
	frametab_free(f->ft);
	free(f);
	if (jit_map_path[0])
		unlink(jit_map_path);
	if (copy_path[0])
		unlink(copy_path);
	return 0;
}

static const char *
str(const struct fixture *f, uint32_t id)
{
	return frametab_str(f->ft, id);
}

/* Print a resolved chain as a TAP diagnostic. */
static void
show(const struct fixture *f, const char *what, const uint32_t *frames, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct frame *fr = frametab_get(f->ft, frames[i]);

		print_message("# %s[%zu]: %s (%s) %s:%u %s%s\n", what, i, str(f, fr->name),
			      str(f, fr->module), str(f, fr->file), fr->line,
			      frame_kind_name((enum frame_kind)fr->kind),
			      fr->inlined ? " inlined" : "");
	}
}

/* True when this test binary carries DWARF (built with -g). */
static bool
self_has_dwarf(void)
{
	struct elfmod *m;
	bool yes;
	int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);

	if (fd < 0 || elfmod_open("self", fd, &m) < 0)
		return false;
	yes = elfmod_has_dwarf(m);
	elfmod_free(m);
	return yes;
}

/* ---- tests ---- */

static void
test_static_function(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	const struct frame *fr;
	char exe[4096];
	ssize_t n;
	size_t got;

	known_static_function(3);
	got = symres_user(f->r, self, (uint64_t)(uintptr_t)&known_static_function + 1, frames,
			  SYMRES_MAX_INLINE);
	show(f, "static", frames, got);
	assert_true(got >= 1);
	fr = frametab_get(f->ft, frames[got - 1]);
	assert_string_equal(str(f, fr->name), "known_static_function");
	assert_int_equal(fr->kind, FRAME_USER);
	assert_false(fr->inlined);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	assert_string_equal(str(f, fr->module), exe);
	if (self_has_dwarf()) {
		assert_non_null(strstr(str(f, fr->file), "test_symres.c"));
		assert_true(fr->line > 0);
	}
}

static void
test_libc_function(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	const struct frame *fr;
	void *libc, *fn;
	size_t got;

	/* libc's own qsort, not a sanitizer's interceptor of the same name */
	libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(libc);
	fn = dlsym(libc, "qsort");
	assert_non_null(fn);
	got = symres_user(f->r, self, (uint64_t)(uintptr_t)fn + 4, frames, SYMRES_MAX_INLINE);
	show(f, "libc", frames, got);
	fr = frametab_get(f->ft, frames[got - 1]);
	assert_string_equal(str(f, fr->name), "qsort");
	assert_int_equal(fr->kind, FRAME_LIBRARY);
	assert_non_null(strstr(str(f, fr->module), "libc"));
	dlclose(libc);
}

static void
test_unknown(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	struct symres_stats st0, st1;
	const struct frame *fr;
	size_t got;

	symres_stats(f->r, &st0);
	/* no mapping has page zero */
	got = symres_user(f->r, self, 0x10, frames, SYMRES_MAX_INLINE);
	assert_int_equal(got, 1);
	fr = frametab_get(f->ft, frames[0]);
	assert_string_equal(str(f, fr->name), "[unknown]");
	assert_int_equal(fr->kind, FRAME_UNKNOWN);
	/* a process that does not exist: unknown as well, never nothing */
	got = symres_user(f->r, 0x3ffffff0, 0x401000, frames, 1);
	assert_int_equal(got, 1);
	assert_int_equal(frametab_get(f->ft, frames[0])->kind, FRAME_UNKNOWN);
	symres_stats(f->r, &st1);
	assert_int_equal(st1.unresolved, st0.unresolved + 2);
	symres_exit(f->r, 0x3ffffff0);
}

static void
test_unknown_in_module(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	struct procmaps pm;
	const struct frame *fr;
	uint64_t addr = 0;
	size_t got;
	char want[64];

	/*
	 * The first page of the executable's first mapping holds the ELF header: no function
	 * is there, so it must come back as "name+0xOFF" with the offset in the file.
	 */
	procmaps_init(&pm);
	assert_int_equal(procmaps_read(&pm, "/proc/self/maps", false), 0);
	const struct procmaps_map *m =
		procmaps_find(&pm, (uint64_t)(uintptr_t)&known_static_function);
	assert_non_null(m);
	for (size_t i = 0; i < pm.n; i++) {
		if (strcmp(pm.maps[i].path, m->path) == 0 && pm.maps[i].pgoff == 0) {
			addr = pm.maps[i].start + 0x10;
			break;
		}
	}
	procmaps_fini(&pm);
	if (!addr) {
		unit_skip("no mapping of the executable at offset 0");
	}
	/* non-executable mappings are not kept from /proc; add it as an MMAP2 record would */
	symres_mmap(f->r, self, addr - 0x10, 0x1000, 0, "/proc/self/exe", true);
	got = symres_user(f->r, self, addr, frames, SYMRES_MAX_INLINE);
	show(f, "header", frames, got);
	assert_int_equal(got, 1);
	fr = frametab_get(f->ft, frames[0]);
	assert_int_equal(fr->kind, FRAME_UNKNOWN);
	snprintf(want, sizeof(want), "exe+0x10");
	assert_string_equal(str(f, fr->name), want);
	/* put the real mappings back */
	symres_proc_scan(f->r, self);
}

static void
test_inline_chain(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	const struct frame *inner, *outer;
	size_t got;

	inline_host(2);
	assert_true(captured_pc != 0);
	/* the return address minus one lies in the call, inside the inlined helper */
	got = symres_user(f->r, self, captured_pc - 1, frames, SYMRES_MAX_INLINE);
	show(f, "inline", frames, got);
	if (!self_has_dwarf()) {
		/* the symbol is checked; the inline chain cannot be */
		assert_string_equal(str(f, frametab_get(f->ft, frames[got - 1])->name),
				    "inline_host");
		unit_skip("the test binary has no DWARF (built without -g): inline chains "
			  "not checked");
	}
	assert_int_equal(got, 2);
	inner = frametab_get(f->ft, frames[0]);
	outer = frametab_get(f->ft, frames[1]);
	assert_string_equal(str(f, inner->name), "inlined_helper");
	assert_true(inner->inlined);
	assert_int_equal(inner->kind, FRAME_USER);
	assert_non_null(strstr(str(f, inner->file), "test_symres.c"));
	assert_true(inner->line > 0);
	assert_string_equal(str(f, outer->name), "inline_host");
	assert_false(outer->inlined);
	assert_int_equal(outer->kind, FRAME_USER);
	assert_true(outer->line > inner->line);
	/* max 1: the innermost frame only */
	assert_int_equal(symres_user(f->r, self, captured_pc - 1, frames, 1), 1);
	assert_ptr_equal(frametab_get(f->ft, frames[0]), inner);
}

static void
test_jit_map(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	const char *path = jit_map_path;
	const struct frame *fr;
	uint64_t base;
	void *code;
	size_t got;
	FILE *map;

	code = mmap(NULL, 0x4000, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(code != MAP_FAILED);
	base = (uint64_t)(uintptr_t)code;
	symres_mmap(f->r, self, base, 0x4000, 0, "//anon", true);
	snprintf(jit_map_path, sizeof(jit_map_path), "/tmp/perf-%d.map", (int)self);
	map = fopen(path, "w");
	assert_non_null(map);
	fprintf(map, "%" PRIx64 " 100 py::hot_loop:/srv/app.py\n", base);
	fprintf(map, "%" PRIx64 " 80 LazyCompile:*render /srv/app.js:3:1\n", base + 0x1000);
	fclose(map);

	got = symres_user(f->r, self, base + 0x10, frames, SYMRES_MAX_INLINE);
	assert_int_equal(got, 1);
	fr = frametab_get(f->ft, frames[0]);
	assert_string_equal(str(f, fr->name), "py::hot_loop:/srv/app.py");
	assert_int_equal(fr->kind, FRAME_JIT);
	got = symres_user(f->r, self, base + 0x107f, frames, SYMRES_MAX_INLINE);
	assert_string_equal(str(f, frametab_get(f->ft, frames[0])->name),
			    "LazyCompile:*render /srv/app.js:3:1");

	/* not in the map yet: unknown, for now */
	got = symres_user(f->r, self, base + 0x2010, frames, SYMRES_MAX_INLINE);
	fr = frametab_get(f->ft, frames[0]);
	assert_int_equal(fr->kind, FRAME_UNKNOWN);
	assert_string_equal(str(f, fr->name), "[unknown]");

	/* the runtime compiles more; the map grows and the address gets its name */
	map = fopen(path, "a");
	assert_non_null(map);
	fprintf(map, "%" PRIx64 " 40 jit_compiled_later\n", base + 0x2000);
	fclose(map);
	usleep(150 * 1000);
	got = symres_user(f->r, self, base + 0x2010, frames, SYMRES_MAX_INLINE);
	fr = frametab_get(f->ft, frames[0]);
	assert_string_equal(str(f, fr->name), "jit_compiled_later");
	assert_int_equal(fr->kind, FRAME_JIT);

	unlink(path);
	munmap(code, 0x4000);
}

static void
test_vdso(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	struct procmaps pm;
	const struct procmaps_map *vdso = NULL;
	size_t named = 0, gettime = 0;

	procmaps_init(&pm);
	assert_int_equal(procmaps_read(&pm, "/proc/self/maps", true), 0);
	for (size_t i = 0; i < pm.n; i++)
		if (strcmp(pm.maps[i].path, "[vdso]") == 0)
			vdso = &pm.maps[i];
	if (!vdso) {
		procmaps_fini(&pm);
		unit_skip("no [vdso] mapping here");
	}
	/* the kernel's vDSO functions are named from our own copy of the image */
	for (uint64_t a = vdso->start; a < vdso->end; a += 16) {
		const struct frame *fr;

		symres_user(f->r, self, a, frames, SYMRES_MAX_INLINE);
		fr = frametab_get(f->ft, frames[0]);
		if (fr->kind != FRAME_LIBRARY)
			continue;
		assert_string_equal(str(f, fr->module), "[vdso]");
		named++;
		gettime += strstr(str(f, fr->name), "clock_gettime") != NULL;
	}
	print_message("# [vdso]: %zu of %zu addresses named\n", named,
		      (size_t)((vdso->end - vdso->start) / 16));
	assert_true(named > 0);
	assert_true(gettime > 0);
	procmaps_fini(&pm);
}

static void
test_cache_hits(void **state)
{
	struct fixture *f = *state;
	uint32_t a[SYMRES_MAX_INLINE], b[SYMRES_MAX_INLINE];
	struct symres_stats st0, st1;
	uint64_t addr = (uint64_t)(uintptr_t)&known_static_function + 2;
	size_t na, nb;

	na = symres_user(f->r, self, addr, a, SYMRES_MAX_INLINE);
	symres_stats(f->r, &st0);
	nb = symres_user(f->r, self, addr, b, SYMRES_MAX_INLINE);
	symres_stats(f->r, &st1);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof(*a));
	assert_int_equal(st1.lookups, st0.lookups + 1);
	assert_int_equal(st1.cache_hits, st0.cache_hits + 1);
	/* two addresses in one function: different entries, the same frame */
	nb = symres_user(f->r, self, addr + 1, b, SYMRES_MAX_INLINE);
	assert_int_equal(a[na - 1], b[nb - 1]);
}

/*
 * The kernel's names are mapped from a temporary file (when a disk-backed directory exists): the
 * pages the lookups read are resident until symres_trim gives them back; a lookup after it reads
 * its page again.
 */
static void
check_kernel_trim(struct fixture *f, uint64_t schedule)
{
	size_t res = 0, mapped = symres_kernel_mapped(f->r, &res);
	int probe = debugcopy_tmpfile(1);
	uint32_t frame;

	print_message("# kallsyms: %zu KiB heap, %zu KiB mapped, %zu KiB resident\n",
		      symres_kernel_memory(f->r) / 1024, mapped / 1024, res / 1024);
	if (probe < 0) {
		assert_int_equal(mapped, 0);
		return;
	}
	close(probe);
	assert_true(mapped > 0 && res > 0 && res < mapped);
	symres_trim(f->r);
	assert_int_equal(symres_kernel_mapped(f->r, &res), mapped);
	assert_int_equal(res, 0);
	/* The symbol before schedule: a new lookup, not the cache's. */
	assert_int_equal(symres_kernel(f->r, schedule - 1, &frame, 1), 1);
	assert_int_equal(frametab_get(f->ft, frame)->kind, FRAME_KERNEL);
	assert_string_not_equal(str(f, frametab_get(f->ft, frame)->name), "schedule");
	symres_kernel_mapped(f->r, &res);
	assert_true(res > 0);
}

static void
test_kernel(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE], again;
	uint64_t addr = 0;
	const struct frame *fr;
	char line[512], name[256];
	FILE *ks;

	ks = fopen("/proc/kallsyms", "r");
	if (ks) {
		while (fgets(line, sizeof(line), ks)) {
			char type;

			if (sscanf(line, "%" SCNx64 " %c %255s", &addr, &type, name) == 3 &&
			    strcmp(name, "schedule") == 0)
				break;
			addr = 0;
		}
		fclose(ks);
	}
	assert_int_equal(symres_kernel(f->r, addr + 1, frames, SYMRES_MAX_INLINE), 1);
	fr = frametab_get(f->ft, frames[0]);
	if (symres_kernel_restricted(f->r) || addr == 0) {
		/* kernel frames are unknown then: checked, but not the names */
		assert_int_equal(fr->kind, FRAME_UNKNOWN);
		assert_string_equal(str(f, fr->name), "[kernel]");
		unit_skip("/proc/kallsyms restricted or unreadable: kernel names not checked");
	}
	assert_int_equal(fr->kind, FRAME_KERNEL);
	assert_string_equal(str(f, fr->name), "schedule");
	assert_string_equal(str(f, fr->module), "[kernel]");
	assert_int_equal(symres_kernel(f->r, addr + 1, &again, 1), 1);
	assert_int_equal(again, frames[0]);
	/* below every kernel symbol */
	symres_kernel(f->r, 0x1000, frames, 1);
	assert_int_equal(frametab_get(f->ft, frames[0])->kind, FRAME_UNKNOWN);
	check_kernel_trim(f, addr);
}

static void
test_fork_exec_exit(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	const pid_t child = 0x3ffffff1;
	uint64_t addr = (uint64_t)(uintptr_t)&known_static_function + 1;
	struct symres_stats st0, st1;
	const struct frame *fr;
	size_t got;

	symres_stats(f->r, &st0);
	symres_fork(f->r, self, child);
	symres_stats(f->r, &st1);
	assert_int_equal(st1.processes, st0.processes + 1);
	/* the child (no /proc entry) resolves through the copied maps */
	got = symres_user(f->r, child, addr, frames, SYMRES_MAX_INLINE);
	fr = frametab_get(f->ft, frames[got - 1]);
	assert_string_equal(str(f, fr->name), "known_static_function");
	assert_int_equal(fr->kind, FRAME_USER);
	/* exec: the old maps are gone until new mmaps arrive */
	symres_exec(f->r, child);
	got = symres_user(f->r, child, addr, frames, SYMRES_MAX_INLINE);
	assert_int_equal(frametab_get(f->ft, frames[0])->kind, FRAME_UNKNOWN);
	/* the exit drops the process; its frames stay */
	symres_exit(f->r, child);
	symres_stats(f->r, &st1);
	assert_int_equal(st1.processes, st0.processes);
	assert_string_equal(str(f, fr->name), "known_static_function");
	symres_exit(f->r, child);
	/* our own exec record with no MMAP2 after it: /proc/PID/maps is read again */
	symres_exec(f->r, self);
	got = symres_user(f->r, self, addr, frames, SYMRES_MAX_INLINE);
	fr = frametab_get(f->ft, frames[got - 1]);
	assert_string_equal(str(f, fr->name), "known_static_function");
	assert_int_equal(fr->kind, FRAME_USER);
	/* scanning a process that does not exist is a no-op */
	symres_proc_scan(f->r, child);
	symres_stats(f->r, &st1);
	assert_int_equal(st1.processes, st0.processes);
}

static void
test_mmap_replaces(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	uint64_t addr = (uint64_t)(uintptr_t)&known_static_function + 1;
	uint64_t page = addr & ~(uint64_t)0xfff;
	const struct frame *fr;
	char want[64];
	size_t got;

	got = symres_user(f->r, self, addr, frames, SYMRES_MAX_INLINE);
	assert_string_equal(str(f, frametab_get(f->ft, frames[got - 1])->name),
			    "known_static_function");
	/* other code mapped over it (dlclose, then dlopen): the cached names must go */
	symres_mmap(f->r, self, page, 0x1000, 0x5000, "/nonexistent/libgone.so", true);
	got = symres_user(f->r, self, addr, frames, SYMRES_MAX_INLINE);
	assert_int_equal(got, 1);
	fr = frametab_get(f->ft, frames[0]);
	assert_int_equal(fr->kind, FRAME_UNKNOWN);
	snprintf(want, sizeof(want), "libgone.so+0x%" PRIx64, addr - page + 0x5000);
	assert_string_equal(str(f, fr->name), want);
	assert_string_equal(str(f, fr->module), "/nonexistent/libgone.so");
	symres_proc_scan(f->r, self);
	got = symres_user(f->r, self, addr, frames, SYMRES_MAX_INLINE);
	assert_string_equal(str(f, frametab_get(f->ft, frames[got - 1])->name),
			    "known_static_function");
}

/* ---- modules freed when no process maps them ---- */

/* Fake processes (no /proc entry): all they have is what symres_mmap and symres_fork give them. */
#define PROC_A 0x3ffffff2
#define PROC_B 0x3ffffff3
#define PROC_C 0x3ffffff4

/* The executable mapping of this binary that holds known_static_function. */
struct code_map {
	uint64_t start, end, pgoff;
};

static void
find_code_map(struct code_map *out)
{
	struct procmaps pm;
	const struct procmaps_map *m;

	procmaps_init(&pm);
	assert_int_equal(procmaps_read(&pm, "/proc/self/maps", true), 0);
	m = procmaps_find(&pm, (uint64_t)(uintptr_t)&known_static_function);
	assert_non_null(m);
	out->start = m->start;
	out->end = m->end;
	out->pgoff = m->pgoff;
	procmaps_fini(&pm);
}

/* A fresh copy of this binary (a new file, a new inode), like a build run once and deleted. */
static void
copy_self(void)
{
	char buf[65536];
	ssize_t n;
	int in, out;

	if (copy_path[0])
		unlink(copy_path);
	snprintf(copy_path, sizeof(copy_path), "/tmp/ringside-symres-XXXXXX");
	out = mkstemp(copy_path);
	assert_true(out >= 0);
	in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	assert_true(in >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	assert_int_equal(n, 0);
	close(in);
	close(out);
}

/* Open file descriptors of this process. */
static size_t
count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	size_t n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Map the copy into pid where this binary's code is, as an MMAP2 record would. */
static void
map_copy(struct fixture *f, pid_t pid, const struct code_map *cm)
{
	symres_mmap(f->r, pid, cm->start, cm->end - cm->start, cm->pgoff, copy_path, true);
}

/* Resolve known_static_function in pid; returns its frame id, checking the name and module. */
static uint32_t
resolve_known(struct fixture *f, pid_t pid)
{
	uint32_t frames[SYMRES_MAX_INLINE];
	const struct frame *fr;
	size_t got;

	got = symres_user(f->r, pid, (uint64_t)(uintptr_t)&known_static_function + 1, frames,
			  SYMRES_MAX_INLINE);
	assert_true(got >= 1);
	fr = frametab_get(f->ft, frames[got - 1]);
	assert_string_equal(str(f, fr->name), "known_static_function");
	assert_string_equal(str(f, fr->module), copy_path);
	return frames[got - 1];
}

/*
 * Two processes mapping one file: the second's first lookup of an address the first resolved is
 * answered by the module's cache (no symbol or DWARF read), with the same frames.
 */
static void
test_module_cache_shared(void **state)
{
	struct fixture *f = *state;
	uint32_t a[SYMRES_MAX_INLINE], b[SYMRES_MAX_INLINE];
	uint64_t addr = (uint64_t)(uintptr_t)&inline_host + 1;
	struct symres_stats st0, st;
	struct code_map cm;
	size_t na, nb;

	find_code_map(&cm);
	copy_self();
	map_copy(f, PROC_A, &cm);
	map_copy(f, PROC_B, &cm);
	symres_stats(f->r, &st0);
	assert_int_equal(resolve_known(f, PROC_A), resolve_known(f, PROC_B));
	na = symres_user(f->r, PROC_A, addr, a, SYMRES_MAX_INLINE);
	nb = symres_user(f->r, PROC_B, addr, b, SYMRES_MAX_INLINE);
	symres_stats(f->r, &st);
	assert_int_equal(st.module_hits, st0.module_hits + 2);
	assert_int_equal(st.cache_hits, st0.cache_hits);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof(*a));
	/* A's own cache answers A again; the module's is not asked. */
	assert_int_equal(symres_user(f->r, PROC_A, addr, b, SYMRES_MAX_INLINE), na);
	symres_stats(f->r, &st);
	assert_int_equal(st.module_hits, st0.module_hits + 2);
	assert_int_equal(st.cache_hits, st0.cache_hits + 1);
	symres_exit(f->r, PROC_A);
	symres_exit(f->r, PROC_B);
}

static void
test_module_freed_on_exit(void **state)
{
	struct fixture *f = *state;
	struct symres_stats st0, st, loaded;
	struct code_map cm;
	uint32_t id_a, id_b;
	size_t fds0;

	find_code_map(&cm);
	copy_self();
	symres_stats(f->r, &st0);
	fds0 = count_fds();

	/* A maps the copy and resolves in it: the module is loaded, its file open */
	map_copy(f, PROC_A, &cm);
	id_a = resolve_known(f, PROC_A);
	symres_stats(f->r, &loaded);
	assert_int_equal(loaded.modules, st0.modules + 1);
	assert_true(loaded.memory > st0.memory);
	/* A exits: nothing maps the module, it is freed and its file closed */
	symres_exit(f->r, PROC_A);
	symres_stats(f->r, &st);
	print_message("# memory: %zu B before the module, %zu B with it, %zu B after the exit\n",
		      st0.memory, loaded.memory, st.memory);
	assert_int_equal(st.modules, st0.modules);
	assert_int_equal(st.modules_freed, st0.modules_freed + 1);
	assert_true(st.memory < loaded.memory);
	assert_int_equal(count_fds(), fds0);

	/* B maps the same file later: the module is loaded again, the frame is the same */
	map_copy(f, PROC_B, &cm);
	id_b = resolve_known(f, PROC_B);
	assert_int_equal(id_b, id_a);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules + 1);
	/* the file is deleted, as a build's is: only the module's descriptor keeps it now */
	unlink(copy_path);
	/* an exec drops B's maps: the module goes, and the deleted file with it */
	symres_exec(f->r, PROC_B);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules);
	assert_int_equal(st.modules_freed, st0.modules_freed + 2);
	symres_exit(f->r, PROC_B);
	assert_int_equal(count_fds(), fds0);
	/* the interned frame outlives its module */
	assert_string_equal(str(f, frametab_get(f->ft, id_a)->name), "known_static_function");
}

/*
 * Kept idle: a module no process maps any more stays while its file is unchanged, and a process
 * mapping that file again finds it (its address cache answers: nothing is read again). A file
 * changed since is loaded anew; one deleted goes at once (at the exit, or at the next trim for a
 * module idle already), and the rest go after their time; one with fewer functions than asked is
 * not kept at all.
 */
static void
test_module_kept_idle(void **state)
{
	struct fixture *f = *state;
	struct symres_stats st0, st, prev;
	struct timespec past[2] = { { 1, 0 }, { 1, 0 } };
	struct code_map cm;
	uint32_t id_a;
	size_t fds0, fds_loaded;

	find_code_map(&cm);
	copy_self();
	symres_set_idle(f->r, 60ull * 1000000000u, 0);
	symres_stats(f->r, &st0);
	fds0 = count_fds();
	map_copy(f, PROC_A, &cm);
	id_a = resolve_known(f, PROC_A);
	fds_loaded = count_fds();
	/* A exits: the module stays, its file open */
	symres_exit(f->r, PROC_A);
	symres_trim(f->r);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules + 1);
	assert_int_equal(st.modules_freed, st0.modules_freed);
	assert_int_equal(count_fds(), fds_loaded);
	/* B runs the same file: the idle module answers from its cache */
	prev = st;
	map_copy(f, PROC_B, &cm);
	assert_int_equal(resolve_known(f, PROC_B), id_a);
	symres_stats(f->r, &st);
	assert_int_equal(st.module_hits, prev.module_hits + 1);
	assert_int_equal(st.modules, st0.modules + 1);
	symres_exit(f->r, PROC_B);
	/* the file is written over in place (its time changes): C loads it anew */
	assert_int_equal(utimensat(AT_FDCWD, copy_path, past, 0), 0);
	prev = st;
	map_copy(f, PROC_C, &cm);
	assert_int_equal(resolve_known(f, PROC_C), id_a);
	symres_stats(f->r, &st);
	assert_int_equal(st.module_hits, prev.module_hits);
	assert_int_equal(st.modules, st0.modules + 2);
	/* the file is deleted: C's module goes at its exit, the idle one at the next trim */
	unlink(copy_path);
	symres_exit(f->r, PROC_C);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules + 1);
	assert_int_equal(st.modules_idle, st0.modules_idle + 1);
	assert_int_equal(st.modules_freed, st0.modules_freed + 1);
	symres_trim(f->r);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules);
	assert_int_equal(st.modules_freed, st0.modules_freed + 2);
	assert_int_equal(count_fds(), fds0);
	/* a file left in place: past its time (50 ms here), a trim frees the module */
	copy_self();
	symres_set_idle(f->r, 50000000u, 0);
	map_copy(f, PROC_A, &cm);
	resolve_known(f, PROC_A);
	symres_exit(f->r, PROC_A);
	symres_trim(f->r);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules_idle, st0.modules_idle + 1);
	usleep(120000);
	symres_trim(f->r);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules);
	assert_int_equal(st.modules_idle, st0.modules_idle);
	assert_int_equal(st.modules_freed, st0.modules_freed + 3);
	assert_int_equal(count_fds(), fds0);
	/* a module with fewer functions than asked is not kept: it goes at the exit */
	symres_set_idle(f->r, 60ull * 1000000000u, SIZE_MAX);
	map_copy(f, PROC_A, &cm);
	resolve_known(f, PROC_A);
	symres_exit(f->r, PROC_A);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules);
	assert_int_equal(st.modules_freed, st0.modules_freed + 4);
	assert_int_equal(count_fds(), fds0);
	/* the tests after this one share the resolver */
	symres_set_idle(f->r, 0, 0);
}

static void
test_module_shared_by_fork(void **state)
{
	struct fixture *f = *state;
	struct symres_stats st0, st;
	struct code_map cm;
	uint32_t id;
	size_t fds0;

	find_code_map(&cm);
	copy_self();
	symres_stats(f->r, &st0);
	fds0 = count_fds();

	map_copy(f, PROC_A, &cm);
	id = resolve_known(f, PROC_A);
	/* B is a fork of A: the module is held by both */
	symres_fork(f->r, PROC_A, PROC_B);
	symres_exit(f->r, PROC_A);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules + 1);
	assert_int_equal(st.modules_freed, st0.modules_freed);
	/* B resolves through the module still loaded: nothing is loaded again */
	assert_int_equal(resolve_known(f, PROC_B), id);
	symres_fork(f->r, PROC_B, PROC_C);
	symres_exit(f->r, PROC_B);
	assert_int_equal(resolve_known(f, PROC_C), id);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules + 1);
	assert_int_equal(st.modules_freed, st0.modules_freed);
	/* code mapped over C's only mapping of it: the last reference goes */
	symres_mmap(f->r, PROC_C, cm.start, cm.end - cm.start, 0, "/nonexistent/libother.so", true);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules);
	assert_int_equal(st.modules_freed, st0.modules_freed + 1);
	assert_int_equal(count_fds(), fds0);
	symres_exit(f->r, PROC_C);
	symres_stats(f->r, &st);
	assert_int_equal(st.processes, st0.processes);
}

static void
test_module_split_and_rescan(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	struct symres_stats st0, st;
	struct code_map cm;
	uint64_t page;

	find_code_map(&cm);
	copy_self();
	map_copy(f, PROC_A, &cm);
	resolve_known(f, PROC_A);
	symres_stats(f->r, &st0);
	/* another file mapped over one page inside: both pieces left still hold the module */
	page = ((uint64_t)(uintptr_t)&known_static_function & ~(uint64_t)0xfff) + 0x1000;
	if (page + 0x1000 < cm.end) {
		symres_mmap(f->r, PROC_A, page, 0x1000, 0, "/nonexistent/libpatch.so", true);
		symres_stats(f->r, &st);
		assert_int_equal(st.modules, st0.modules);
		resolve_known(f, PROC_A);
	}
	symres_exit(f->r, PROC_A);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules - 1);

	/* rereading a live process's maps keeps the modules its mappings held */
	symres_user(f->r, self, (uint64_t)(uintptr_t)&known_static_function + 1, frames,
		    SYMRES_MAX_INLINE);
	symres_stats(f->r, &st0);
	symres_proc_scan(f->r, self);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules, st0.modules);
	assert_int_equal(st.modules_freed, st0.modules_freed);
}

static void
test_preload_pinned(void **state)
{
	struct fixture *f = *state;
	struct symres *r = symres_new(f->ft);
	struct symres_stats st;

	/* the C library loaded ahead of time stays, though the process that loaded it is gone */
	symres_preload(r);
	symres_stats(r, &st);
	assert_true(st.modules >= 1);
	assert_int_equal(st.modules_freed, 0);
	assert_int_equal(st.processes, 0);
	symres_free(r);
}

/*
 * An address cache starts over past its bound: three times as many distinct kernel addresses as
 * it may hold leave it at 2^15 addresses and 1 MiB at most, and an address asked again after the
 * start-over gets the same frame.
 */
static void
test_cache_bounded(void **state)
{
	struct fixture *f = *state;
	struct symres *r = symres_new(f->ft);
	struct symres_stats st;
	const size_t n = 3u << 15;
	uint64_t lo = 0, hi = 0, a, step;
	uint32_t first, again;
	char line[512], name[256], type;
	FILE *ks = fopen("/proc/kallsyms", "r");

	while (ks && fgets(line, sizeof(line), ks)) {
		if (sscanf(line, "%" SCNx64 " %c %255s", &a, &type, name) != 3)
			continue;
		if (strcmp(name, "_stext") == 0)
			lo = a;
		else if (strcmp(name, "_etext") == 0)
			hi = a;
	}
	if (ks)
		fclose(ks);
	assert_int_equal(symres_kernel(r, lo + 1, &first, 1), 1);
	if (symres_kernel_restricted(r) || lo == 0 || hi < lo + n) {
		symres_free(r);
		unit_skip("no kernel text range in /proc/kallsyms: the cache's bound not checked");
	}
	step = (hi - lo) / n;
	for (size_t i = 1; i < n; i++)
		symres_kernel(r, lo + 1 + i * step, &again, 1);
	symres_stats(r, &st);
	print_message("# %zu kernel addresses: the cache holds %zu of them in %zu KiB\n", n,
		      st.cache_entries, st.cache_memory / 1024);
	assert_true(st.cache_entries > 0);
	assert_true(st.cache_entries <= 1u << 15);
	assert_true(st.cache_memory <= 1u << 20);
	assert_int_equal(symres_kernel(r, lo + 1, &again, 1), 1);
	assert_int_equal(again, first);
	symres_free(r);
}

/*
 * A process's address cache starts over past its bound, lower than the kernel's: three times as
 * many distinct addresses through libc's code as it may hold leave the resolver's caches (this
 * process's and libc's module cache behind it, nothing of the kernel's) at 2 x 8,192 addresses
 * and 2 x 256 KiB of slots at most (with 2^15 for the process, as before, they held 32,768), and
 * an address asked again after the start-over gets the same frames.
 */
static void
test_proc_cache_bounded(void **state)
{
	struct fixture *f = *state;
	uint32_t first[SYMRES_MAX_INLINE], again[SYMRES_MAX_INLINE];
	const struct procmaps_map *libc = NULL;
	const size_t n = 3u << 13;
	struct symres_stats st;
	struct procmaps pm;
	struct symres *r;
	size_t nfirst, nagain;
	uint64_t step;

	(void)state;
	procmaps_init(&pm);
	assert_int_equal(procmaps_read(&pm, "/proc/self/maps", true), 0);
	for (size_t i = 0; i < pm.n; i++)
		if (strstr(pm.maps[i].path, "/libc.so") || strstr(pm.maps[i].path, "/libc-"))
			libc = &pm.maps[i]; /* the code: procmaps_read keeps executable maps only */
	assert_non_null(libc);
	assert_true(libc->end - libc->start >= n);
	step = (libc->end - libc->start) / n;
	r = symres_new(f->ft);
	nfirst = symres_user(r, self, libc->start + 1, first, SYMRES_MAX_INLINE);
	assert_true(nfirst >= 1);
	for (size_t i = 1; i < n; i++)
		symres_user(r, self, libc->start + 1 + i * step, again, SYMRES_MAX_INLINE);
	symres_stats(r, &st);
	print_message("# %zu libc addresses: the caches hold %zu of them in %zu KiB\n", n,
		      st.cache_entries, st.cache_memory / 1024);
	assert_true(st.cache_entries > 0);
	assert_true(st.cache_entries <= 2u << 13);
	assert_true(st.cache_memory <= 2u * (256u << 10) + (256u << 10)); /* and the pools */
	nagain = symres_user(r, self, libc->start + 1, again, SYMRES_MAX_INLINE);
	assert_int_equal(nagain, nfirst);
	assert_memory_equal(again, first, nfirst * sizeof(*first));
	symres_free(r);
	procmaps_fini(&pm);
}

static void
test_stats_and_costs(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	struct symres_stats st;
	uint64_t addrs[4];
	struct procmaps pm;
	const struct procmaps_map *libc = NULL;
	double t0, t1;
	size_t iters = 2000000, cold = 0;

	/* warm: a few hot addresses over and over */
	addrs[0] = (uint64_t)(uintptr_t)&known_static_function + 1;
	addrs[1] = (uint64_t)(uintptr_t)&inline_host + 1;
	addrs[2] = captured_pc - 1;
	addrs[3] = (uint64_t)(uintptr_t)&known_static_function + 3;
	for (size_t i = 0; i < 4; i++)
		symres_user(f->r, self, addrs[i], frames, SYMRES_MAX_INLINE);
	t0 = now_ns();
	for (size_t i = 0; i < iters; i++)
		symres_user(f->r, self, addrs[i & 3], frames, SYMRES_MAX_INLINE);
	t1 = now_ns();
	print_message("# warm cache hit: %.1f ns per lookup\n", (t1 - t0) / (double)iters);

	/* cold: distinct addresses through libc's code (DWARF from libc6-dbg when installed) */
	procmaps_init(&pm);
	assert_int_equal(procmaps_read(&pm, "/proc/self/maps", true), 0);
	for (size_t i = 0; i < pm.n; i++)
		if (strstr(pm.maps[i].path, "/libc.so") || strstr(pm.maps[i].path, "/libc-"))
			libc = &pm.maps[i];
	if (libc) {
		struct symres *r2 = symres_new(f->ft);
		uint64_t step = (libc->end - libc->start) / 2000;

		t0 = now_ns();
		symres_user(r2, self, libc->start + 1, frames, SYMRES_MAX_INLINE);
		t1 = now_ns();
		print_message("# first lookup in libc (maps scan, module and symbols loaded): "
			      "%.2f ms\n",
			      (t1 - t0) / 1e6);
		t0 = now_ns();
		for (uint64_t a = libc->start + step; a < libc->end; a += step, cold++)
			symres_user(r2, self, a, frames, SYMRES_MAX_INLINE);
		t1 = now_ns();
		print_message("# cold lookup in libc: %.1f us per address (%zu addresses)\n",
			      (t1 - t0) / 1e3 / (double)cold, cold);
		t0 = now_ns();
		for (uint64_t a = libc->start + step; a < libc->end; a += step)
			symres_user(r2, self, a + 1, frames, SYMRES_MAX_INLINE);
		t1 = now_ns();
		print_message("# cold lookup next to a resolved one (DWARF unit indexed): %.1f us "
			      "per address\n",
			      (t1 - t0) / 1e3 / (double)cold);
		t0 = now_ns();
		for (uint64_t a = libc->start + step; a < libc->end; a += step)
			symres_user(r2, self, a, frames, SYMRES_MAX_INLINE);
		t1 = now_ns();
		print_message("# the same addresses again (hits): %.1f ns per lookup\n",
			      (t1 - t0) / (double)cold);
		symres_free(r2);
	}
	procmaps_fini(&pm);

	symres_stats(f->r, &st);
	print_message("# stats: %" PRIu64 " lookups, %" PRIu64 " hits, %" PRIu64
		      " unresolved, %zu modules, %zu processes, %zu KiB\n",
		      st.lookups, st.cache_hits, st.unresolved, st.modules, st.processes,
		      st.memory / 1024);
	assert_true(st.lookups >= iters);
	assert_true(st.cache_hits >= iters);
	assert_true(st.cache_hits < st.lookups);
	assert_true(st.unresolved >= 1);
	assert_true(st.modules >= 2); /* this binary and libc */
	assert_true(st.processes >= 1);
	assert_true(st.memory > 0);
}

/*
 * Hundreds of processes, each with a mapping of its own, most exiting in between: a lookup
 * always reaches its own process's maps, whichever process took an exited one's place.
 */
static void
test_many_processes_exit(void **state)
{
	struct fixture *f = *state;
	const pid_t base = 0x3ffe0000; /* fake processes, as PROC_A */
	const uint64_t addr = 0x10000000;
	struct symres_stats st0, st;
	uint32_t frames[SYMRES_MAX_INLINE];
	char path[64], want[64];

	symres_stats(f->r, &st0);
	for (pid_t i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/nonexistent/lib%d.so", (int)i);
		symres_mmap(f->r, base + i, addr, 0x1000, 0, path, true);
	}
	symres_stats(f->r, &st);
	assert_int_equal(st.processes, st0.processes + 300);
	for (pid_t i = 0; i < 300; i += 3)
		symres_exit(f->r, base + i);
	symres_exit(f->r, base + 3);
	symres_exit(f->r, base + 5000);
	symres_stats(f->r, &st);
	assert_int_equal(st.processes, st0.processes + 200);
	for (pid_t i = 299; i >= 0; i--) {
		const struct frame *fr;

		if (i % 3 == 0)
			continue;
		assert_int_equal(
			symres_user(f->r, base + i, addr + 0x10, frames, SYMRES_MAX_INLINE), 1);
		fr = frametab_get(f->ft, frames[0]);
		snprintf(want, sizeof(want), "lib%d.so+0x10", (int)i);
		assert_string_equal(str(f, fr->name), want);
	}
	/* An exited process seen again knows nothing of its old maps. */
	assert_int_equal(symres_user(f->r, base + 3, addr + 0x10, frames, SYMRES_MAX_INLINE), 1);
	assert_string_equal(str(f, frametab_get(f->ft, frames[0])->name), "[unknown]");
	for (pid_t i = 0; i < 300; i++)
		symres_exit(f->r, base + i);
	symres_stats(f->r, &st);
	assert_int_equal(st.processes, st0.processes);
}

/*
 * A module without DWARF (this binary, its debug sections stripped): its frames are named from
 * the symbol table, whose names are read in the mapped file; symres_trim gives those pages back.
 */
static void
test_names_pages_given_back(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	char cmd[256];
	struct code_map cm;
	size_t before, after;

	find_code_map(&cm);
	copy_self();
	snprintf(cmd, sizeof(cmd), "objcopy --strip-debug %s 2>/dev/null", copy_path);
	if (system(cmd) != 0)
		skip(); /* no binutils here */
	map_copy(f, PROC_A, &cm);
	/*
	 * The module's load reads its whole symbol table: enough page faults that the lookup gives
	 * the pages back itself (SYMRES_TRIM_FAULTS). A second lookup, another function's name,
	 * reads a page or two and leaves them to symres_trim.
	 */
	resolve_known(f, PROC_A);
	symres_trim(f->r);
	assert_true(symres_user(f->r, PROC_A, (uint64_t)(uintptr_t)&find_code_map + 1, frames,
				SYMRES_MAX_INLINE) >= 1);
	assert_string_equal(str(f, frametab_get(f->ft, frames[0])->name), "find_code_map");
	before = smaps_rss_kib(copy_path, false);
	symres_trim(f->r);
	after = smaps_rss_kib(copy_path, false);
	print_message("# %s: %zu KiB resident after a lookup, %zu KiB after symres_trim\n",
		      copy_path, before, after);
	/*
	 * Nothing but the image's partial last page (never given back) stays: the names' pages go
	 * at the trim (or earlier, should the lookup have faulted enough itself, as under ASan).
	 */
	assert_true(after <= 8);
	/* The frame is named the same from the file's pages read again. */
	symres_exec(f->r, PROC_A);
	map_copy(f, PROC_A, &cm);
	resolve_known(f, PROC_A);
	symres_exit(f->r, PROC_A);
	unlink(copy_path);
}

/*
 * A burst of lookups in libc (64 new addresses, no symres_trim between them, as in one drain):
 * the debug file's pages they read are given back during the burst, not only at its end (where
 * the pages of every module a drain touched would be resident at once).
 */
static void
test_burst_gives_pages_back(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	size_t kib, prev = 0, most = 0, drops = 0;
	void *libc, *fn;

	libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(libc);
	fn = dlsym(libc, "qsort");
	assert_non_null(fn);
	for (unsigned k = 1; k <= 64; k++) {
		size_t got = symres_user(f->r, self, (uint64_t)(uintptr_t)fn + 2 + 16 * k, frames,
					 SYMRES_MAX_INLINE);

		assert_true(got >= 1);
		kib = smaps_rss_kib(NULL, true);
		drops += kib < prev;
		most = kib > most ? kib : most;
		prev = kib;
	}
	dlclose(libc);
	print_message("# debug copies: at most %zu KiB resident in the burst, %zu releases\n", most,
		      drops);
	if (most == 0)
		skip(); /* libc has no inflated debug copy here (no libc6-dbg, or no room) */
	/* Every 16 module lookups at most (SYMRES_TRIM_EVERY): 4 times in 64; a new unit's scan
	 * alone gives back once. */
	assert_true(drops >= 3);
}

/* The compiler's cc1 (large, stripped: named from its unwind table), or "" when not found. */
static void
find_cc1(char *path, size_t size)
{
	FILE *p = popen("${CC:-cc} -print-prog-name=cc1 2>/dev/null", "r");
	size_t n;

	path[0] = '\0';
	if (!p)
		return;
	if (!fgets(path, (int)size, p))
		path[0] = '\0';
	pclose(p);
	n = strlen(path);
	if (n && path[n - 1] == '\n')
		path[--n] = '\0';
	if (path[0] != '/' || access(path, R_OK) != 0)
		path[0] = '\0';
}

/* The file offset, address and size of path's executable segment; false when none. */
static bool
exec_segment(const char *path, uint64_t min, uint64_t *off, uint64_t *vaddr, uint64_t *size)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	bool found = false;

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == (ssize_t)sizeof(eh) &&
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64) {
		for (unsigned i = 0; i < eh.e_phnum && !found; i++) {
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + i * sizeof(ph))) !=
			    (ssize_t)sizeof(ph))
				break;
			if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X) && ph.p_filesz > min) {
				*off = ph.p_offset;
				*vaddr = ph.p_vaddr;
				*size = ph.p_filesz;
				found = true;
			}
		}
	}
	close(fd);
	return found;
}

/*
 * Fewer lookups than SYMRES_TRIM_EVERY (16), spread over a large module without DWARF (cc1, whose
 * functions are named from its dynamic symbols or, where none names them, from its unwind table
 * as "cc1+0xOFF"). A search of the unwind table maps none of the file: it reads with pread, so a
 * lookup named from it leaves the module's resident pages as they were (each read through the
 * mapping faulted in 64 KiB or more around it: 1,092 KiB for 12 such lookups once, 452 KiB with
 * the releases their faults brought). A lookup named from a symbol reads its name in the mapping;
 * once such reads took 8 page faults, the pages go back before the burst's end.
 */
static void
test_faults_give_pages_back(void **state)
{
	enum { N = 12 };
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	uint64_t off = 0, vaddr = 0, size = 0, base = 0x500000000000ull;
	size_t kib, prev, most = 0, drops = 0, grows = 0, unnamed = 0;
	char cc1[PATH_MAX];

	find_cc1(cc1, sizeof(cc1));
	if (!cc1[0] || !exec_segment(cc1, 1u << 20, &off, &vaddr, &size))
		skip(); /* no compiler here */
	symres_mmap(f->r, PROC_A, base + vaddr, size, off, cc1, true);
	/* The module's load reads its symbols: given back by a trim before the burst. */
	assert_int_equal(symres_user(f->r, PROC_A, base + vaddr + 1, frames, SYMRES_MAX_INLINE), 1);
	symres_trim(f->r);
	prev = smaps_rss_kib(cc1, false);
	for (unsigned k = 0; k < N; k++) {
		uint64_t at = base + vaddr + size / (N + 1) * (k + 1) + 17 * k;
		const char *name;

		assert_int_equal(symres_user(f->r, PROC_A, at, frames, SYMRES_MAX_INLINE), 1);
		name = frametab_str(f->ft, frametab_get(f->ft, frames[0])->name);
		kib = smaps_rss_kib(cc1, false);
		if (strstr(name, "+0x")) {
			/* From the unwind table: nothing of the file mapped. */
			assert_true(kib <= prev);
			unnamed++;
		}
		drops += kib < prev;
		grows += kib > prev;
		most = kib > most ? kib : most;
		prev = kib;
	}
	print_message(
		"# %d lookups across %s (%zu named from its unwind table): at most %zu KiB of "
		"it resident in the burst, %zu rises, %zu releases, %zu KiB at its end\n",
		N, cc1, unnamed, most, grows, drops, prev);
	symres_exit(f->r, PROC_A);
	/* Spread over its code, some fall where no symbol is. */
	assert_true(unnamed >= 2);
	/* Each rise is one fault at least: 8 of them bring a release. */
	assert_true(grows < 8 || drops >= 1);
}

/*
 * A module whose debug file has compressed sections (inflated to a copy on disk to be read) is
 * kept idle whatever its number of functions (here the bound is more than any file has): each
 * load would write the copy again (libm, which every cc1 of a build maps, did so 33 times in 80 s
 * of a soak). Where its debug file is not compressed (or absent), the module goes at its exit.
 */
static void
test_inflated_kept_idle(void **state)
{
	static const char ld[] = "/lib64/ld-linux-x86-64.so.2";
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	uint64_t off = 0, vaddr = 0, size = 0, base = 0x600000000000ull;
	struct symres_stats st0, st;
	struct elfmod *m = NULL;
	bool copied;
	int fd;

	fd = open(ld, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || elfmod_open(ld, fd, &m) < 0 || !exec_segment(ld, 4096, &off, &vaddr, &size)) {
		elfmod_free(m);
		unit_skip("no dynamic loader at %s", ld);
	}
	copied = elfmod_debug_copied(m);
	elfmod_free(m);
	print_message("# %s: debug file %s\n", ld, copied ? "inflated" : "not inflated");
	symres_set_idle(f->r, 60ull * 1000000000u, SIZE_MAX);
	symres_stats(f->r, &st0);
	symres_mmap(f->r, PROC_A, base + vaddr, size, off, ld, true);
	assert_true(symres_user(f->r, PROC_A, base + vaddr + 64, frames, SYMRES_MAX_INLINE) >= 1);
	symres_exit(f->r, PROC_A);
	symres_trim(f->r);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules_idle, st0.modules_idle + (copied ? 1 : 0));
	symres_set_idle(f->r, 0, 0);
	symres_trim(f->r);
	symres_stats(f->r, &st);
	assert_int_equal(st.modules_idle, st0.modules_idle);
	if (!copied)
		unit_skip("no compressed debug file for %s here (libc6-dbg)", ld);
}

/* The state letter of /proc/PID/stat (Z for a zombie), or 0 when it cannot be read. */
static char
proc_state(pid_t pid)
{
	struct target_proc p;

	return target_proc_read(pid, &p) == 0 ? p.state : 0;
}

/*
 * A launched command that has exited but that its parent has not waited for yet is a zombie: its
 * /proc/PID/maps is there and empty. An address in no mapping rereads the maps; that read must
 * leave the maps its MMAP2 records gave, or every sample still in the rings loses its names (a
 * short command's own binary did, in about half the runs, when the first drain came between its
 * exit and its reaping).
 */
static void
test_zombie_keeps_maps(void **state)
{
	struct fixture *f = *state;
	uint32_t frames[SYMRES_MAX_INLINE];
	struct code_map cm;
	pid_t child;
	int status;

	find_code_map(&cm);
	copy_self();
	child = fork();
	assert_true(child >= 0);
	if (child == 0)
		_exit(0);
	for (int i = 0; i < 2000 && proc_state(child) != 'Z'; i++)
		usleep(1000);
	assert_int_equal(proc_state(child), 'Z');
	symres_exec(f->r, child);
	map_copy(f, child, &cm);
	/* An address in no mapping: the maps are read again, from the zombie's empty file. */
	assert_int_equal(symres_user(f->r, child, 0x1000, frames, SYMRES_MAX_INLINE), 1);
	resolve_known(f, child);
	symres_exit(f->r, child);
	assert_int_equal(waitpid(child, &status, 0), child);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_static_function),
		cmocka_unit_test(test_libc_function),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_unknown_in_module),
		cmocka_unit_test(test_inline_chain),
		cmocka_unit_test(test_jit_map),
		cmocka_unit_test(test_vdso),
		cmocka_unit_test(test_cache_hits),
		cmocka_unit_test(test_kernel),
		cmocka_unit_test(test_fork_exec_exit),
		cmocka_unit_test(test_mmap_replaces),
		cmocka_unit_test(test_module_freed_on_exit),
		cmocka_unit_test(test_module_kept_idle),
		cmocka_unit_test(test_inflated_kept_idle),
		cmocka_unit_test(test_module_shared_by_fork),
		cmocka_unit_test(test_module_cache_shared),
		cmocka_unit_test(test_module_split_and_rescan),
		cmocka_unit_test(test_zombie_keeps_maps),
		cmocka_unit_test(test_preload_pinned),
		cmocka_unit_test(test_stats_and_costs),
		cmocka_unit_test(test_cache_bounded),
		cmocka_unit_test(test_proc_cache_bounded),
		cmocka_unit_test(test_many_processes_exit),
		cmocka_unit_test(test_burst_gives_pages_back),
		cmocka_unit_test(test_faults_give_pages_back),
		cmocka_unit_test(test_names_pages_given_back),
	};

	self = getpid();
	return cmocka_run_group_tests(tests, setup, teardown);
}
