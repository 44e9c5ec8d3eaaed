// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for sym/unwind and the -g dwarf option's parsing: perf's x86-64 register order
 * mapped to DWARF numbering; "dwarf,SIZE" sizes; and a real unwind of this very process: the
 * registers and a copy of the stack are captured three calls deep, as perf_event would capture
 * them, then unwound through libdw and named through the resolver (capture, middle, outer, the
 * test); a copy too short for the second frame ends the walk with the truncated flag.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <linux/perf_event.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ringside/model/frametab.h"
#include "ringside/perf/sampler.h"
#include "ringside/sym/procmaps.h"
#include "ringside/sym/symres.h"
#include "ringside/sym/unwind.h"

#define TEST_UNWIND_COPY 65528 /* perf's largest copy */

static void
test_regs_mapping(void **state)
{
	uint64_t mask = sampler_regs_user_mask(), regs[64], dwarf[UNWIND_NREGS];
	/* DWARF number of each sampled perf register, in bit order: AX BX CX DX SI DI BP SP IP,
	 * then R8..R15. */
	static const int want[17] = { 0, 3, 2, 1, 4, 5, 6, 7, 16, 8, 9, 10, 11, 12, 13, 14, 15 };

	(void)state;
#if defined(__x86_64__)
	assert_int_equal(__builtin_popcountll(mask), 17);
	for (int i = 0; i < 17; i++)
		regs[i] = 0x1000 + (uint64_t)i;
	assert_true(unwind_regs_to_dwarf(mask, regs, dwarf));
	for (int i = 0; i < 17; i++)
		assert_int_equal(dwarf[want[i]], 0x1000 + (uint64_t)i);
	/* FLAGS (bit 9) in the mask takes a slot in regs but no DWARF register. */
	for (int i = 0; i < 18; i++)
		regs[i] = 0x2000 + (uint64_t)i;
	assert_true(unwind_regs_to_dwarf(mask | 1ull << 9, regs, dwarf));
	assert_int_equal(dwarf[16], 0x2008); /* IP, the ninth */
	assert_int_equal(dwarf[8], 0x200a);  /* R8, after FLAGS */
	/* Without IP or SP there is nothing to start from. */
	assert_false(unwind_regs_to_dwarf(mask & ~(1ull << 8), regs, dwarf));
	assert_false(unwind_regs_to_dwarf(mask & ~(1ull << 7), regs, dwarf));
#else
	(void)regs;
	(void)want;
	assert_int_equal(mask, 0);
	assert_false(unwind_regs_to_dwarf(mask, NULL, dwarf));
#endif
}

static void
test_callgraph_parse(void **state)
{
	enum callgraph_mode m;
	uint32_t size = 1;

	(void)state;
	assert_true(callgraph_parse("dwarf", &m, &size));
	assert_int_equal(m, CALLGRAPH_DWARF);
	assert_int_equal(size, 8192);
	assert_true(callgraph_parse("dwarf,100", &m, &size));
	assert_int_equal(size, 104); /* rounded up to a multiple of 8 */
	assert_true(callgraph_parse("dwarf,1", &m, &size));
	assert_int_equal(size, 8);
	assert_true(callgraph_parse("dwarf,65528", &m, &size));
	assert_int_equal(size, 65528);
	assert_false(callgraph_parse("dwarf,65529", &m, &size));
	assert_false(callgraph_parse("dwarf,0", &m, &size));
	assert_false(callgraph_parse("dwarf,", &m, &size));
	assert_false(callgraph_parse("dwarf,-8", &m, &size));
	assert_false(callgraph_parse("dwarf,8k", &m, &size));
	assert_false(callgraph_parse("dwarf8192", &m, &size));
	assert_true(callgraph_parse("fp", &m, &size));
	assert_int_equal(m, CALLGRAPH_FP);
	assert_int_equal(size, 0);
	assert_true(callgraph_parse("none", &m, NULL));
	assert_int_equal(m, CALLGRAPH_NONE);
	assert_false(callgraph_parse("lbr", &m, &size));
	assert_string_equal(callgraph_name(CALLGRAPH_DWARF), "dwarf");
	assert_string_equal(callgraph_name(CALLGRAPH_FP), "fp");
	assert_string_equal(callgraph_name(CALLGRAPH_NONE), "none");
}

#if defined(__x86_64__)
/* What perf_event would have recorded: the user registers (perf order) and the stack above SP. */
static uint64_t snap_regs[17];
static unsigned char snap_stack[TEST_UNWIND_COPY];
static size_t snap_len;	  /* bytes copied: up to the top of the stack, as the kernel copies */
static uint64_t snap_top; /* the end of the stack mapping */
volatile uint64_t unwind_test_sink;

/* A plain byte copy the sanitizer does not check: the stack holds its redzones. */
__attribute__((no_sanitize_address, noinline)) static void
unwind_test_copy(unsigned char *dst, const volatile unsigned char *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i];
}

__attribute__((noinline, noclone)) static void
unwind_test_capture(void)
{
	volatile uint64_t pad[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }; /* a frame larger than 16 bytes */

	__asm__ volatile("movq %%rax, 0(%0)\n\t"
			 "movq %%rbx, 8(%0)\n\t"
			 "movq %%rcx, 16(%0)\n\t"
			 "movq %%rdx, 24(%0)\n\t"
			 "movq %%rsi, 32(%0)\n\t"
			 "movq %%rdi, 40(%0)\n\t"
			 "movq %%rbp, 48(%0)\n\t"
			 "movq %%rsp, 56(%0)\n\t"
			 "leaq 0(%%rip), %%rax\n\t"
			 "movq %%rax, 64(%0)\n\t"
			 "movq %%r8, 72(%0)\n\t"
			 "movq %%r9, 80(%0)\n\t"
			 "movq %%r10, 88(%0)\n\t"
			 "movq %%r11, 96(%0)\n\t"
			 "movq %%r12, 104(%0)\n\t"
			 "movq %%r13, 112(%0)\n\t"
			 "movq %%r14, 120(%0)\n\t"
			 "movq %%r15, 128(%0)\n\t"
			 :
			 : "r"(snap_regs)
			 : "rax", "memory");
	snap_len = snap_top - snap_regs[7] < sizeof(snap_stack) ? (size_t)(snap_top - snap_regs[7])
								: sizeof(snap_stack);
	unwind_test_copy(snap_stack, (const volatile unsigned char *)(uintptr_t)snap_regs[7],
			 snap_len);
	unwind_test_sink += pad[3];
}

__attribute__((noinline, noclone)) static void
unwind_test_middle(void)
{
	unwind_test_capture();
	__asm__ volatile("" ::: "memory"); /* no tail call */
}

__attribute__((noinline, noclone)) static void
unwind_test_outer(void)
{
	unwind_test_middle();
	__asm__ volatile("" ::: "memory");
}

/* The name of the function at pc in this process. */
static const char *
unwind_test_name(struct symres *r, struct frametab *ft, uint64_t pc)
{
	uint32_t frames[SYMRES_MAX_INLINE];
	size_t n = symres_user(r, getpid(), pc, frames, SYMRES_MAX_INLINE);

	return frametab_str(ft, frametab_get(ft, frames[n - 1])->name);
}
#endif

static void
test_unwind_self(void **state)
{
#if defined(__x86_64__)
	struct frametab *ft = frametab_new();
	struct symres *r = symres_new(ft);
	struct unwind *u = unwind_new(r);
	struct unwind_stats st;
	struct unwind_sample s;
	uint64_t pcs[64];
	bool truncated;
	size_t n;

	(void)state;
	/* Copy no further than the stack mapping goes (a sanitizer build's frames are large). */
	{
		struct procmaps pm;
		uint64_t here = (uint64_t)(uintptr_t)&pm;
		const struct procmaps_map *m;

		procmaps_init(&pm);
		assert_int_equal(procmaps_read(&pm, "/proc/self/maps", false), 0);
		m = procmaps_find(&pm, here);
		assert_non_null(m);
		snap_top = m->end;
		procmaps_fini(&pm);
	}
	unwind_test_outer();
	s = (struct unwind_sample){ .pid = getpid(),
				    .tid = (pid_t)syscall(SYS_gettid),
				    .regs_abi = PERF_SAMPLE_REGS_ABI_64,
				    .regs_mask = sampler_regs_user_mask(),
				    .regs = snap_regs,
				    .stack = snap_stack,
				    .stack_size = snap_len };
	n = unwind_user(u, &s, pcs, 64, &truncated);
	print_message("# unwound %zu frames:", n);
	for (size_t i = 0; i < n && i < 6; i++)
		print_message(" %s", unwind_test_name(r, ft, pcs[i]));
	print_message("\n");
	assert_true(n >= 4);
	/* The whole stack was copied (or 64 KiB of it): complete, unless deeper than that. */
	assert_true(!truncated || snap_len == sizeof(snap_stack));
	assert_int_equal(pcs[0], snap_regs[8]);
	assert_string_equal(unwind_test_name(r, ft, pcs[0]), "unwind_test_capture");
	assert_string_equal(unwind_test_name(r, ft, pcs[1]), "unwind_test_middle");
	assert_string_equal(unwind_test_name(r, ft, pcs[2]), "unwind_test_outer");
	assert_string_equal(unwind_test_name(r, ft, pcs[3]), "test_unwind_self");

	/* Twice: the process's Dwfl is reused and gives the same answer. */
	assert_int_equal(unwind_user(u, &s, pcs, 64, &truncated), n);
	assert_string_equal(unwind_test_name(r, ft, pcs[2]), "unwind_test_outer");

	/*
	 * The maps change (a launched process reports its mappings one by one): every module is
	 * reported again, and each must stay, once and again (libdw drops a module reported twice
	 * from a second descriptor, so every other report used to lose all of them).
	 */
	for (int k = 0; k < 2; k++) {
		symres_proc_scan(r, getpid());
		assert_int_equal(unwind_user(u, &s, pcs, 64, &truncated), n);
		assert_string_equal(unwind_test_name(r, ft, pcs[3]), "test_unwind_self");
	}

	/* Room for 2 PCs: cut, and said so. */
	assert_int_equal(unwind_user(u, &s, pcs, 2, &truncated), 2);
	assert_true(truncated);

	/* A copy that ends inside the capture's frame: its caller's return address is beyond it. */
	s.stack_size = 16;
	n = unwind_user(u, &s, pcs, 64, &truncated);
	assert_int_equal(n, 1);
	assert_true(truncated);
	assert_string_equal(unwind_test_name(r, ft, pcs[0]), "unwind_test_capture");

	/* No user registers (a kernel thread), or a 32-bit process: nothing to unwind. */
	s.regs_abi = PERF_SAMPLE_REGS_ABI_NONE;
	assert_int_equal(unwind_user(u, &s, pcs, 64, &truncated), 0);
	s.regs_abi = PERF_SAMPLE_REGS_ABI_32;
	assert_int_equal(unwind_user(u, &s, pcs, 64, &truncated), 0);

	unwind_stats(u, &st);
	assert_int_equal(st.samples, 6);
	assert_int_equal(st.truncated, 2);
	assert_int_equal(st.processes, 1);
	print_message("# %.1f us per unwind (not asserted)\n",
		      (double)st.ns / 1e3 / (double)st.samples);
	unwind_exit(u, getpid());
	unwind_stats(u, &st);
	assert_int_equal(st.processes, 0);
	unwind_free(u);
	symres_free(r);
	frametab_free(ft);
#else
	(void)state;
#endif
}

/*
 * Many processes come and go: each exit drops exactly its own entry, whichever entry fills its
 * place, and an exit of a process never seen (or already gone) changes nothing.
 */
static void
test_unwind_many_exit(void **state)
{
#if defined(__x86_64__)
	struct frametab *ft = frametab_new();
	struct symres *r = symres_new(ft);
	struct unwind *u = unwind_new(r);
	uint64_t regs[17] = { 0 }, pcs[4];
	struct unwind_stats st;
	struct unwind_sample s = { .regs_abi = PERF_SAMPLE_REGS_ABI_64,
				   .regs_mask = sampler_regs_user_mask(),
				   .regs = regs };
	const pid_t base = 0x3fff0000; /* no such processes: they have no code, only their IP */
	bool truncated;

	(void)state;
	regs[8] = 0x1000;
	for (pid_t i = 0; i < 150; i++) {
		s.pid = s.tid = base + i;
		assert_int_equal(unwind_user(u, &s, pcs, 4, &truncated), 1);
		assert_int_equal(pcs[0], 0x1000);
	}
	unwind_stats(u, &st);
	assert_int_equal(st.processes, 150);
	/* Every third, from the front: the last ones fill the holes. */
	for (pid_t i = 0; i < 150; i += 3)
		unwind_exit(u, base + i);
	unwind_exit(u, base + 3);
	unwind_exit(u, base + 1000);
	unwind_stats(u, &st);
	assert_int_equal(st.processes, 100);
	/* A process seen again after its exit starts over; the others are still there. */
	for (pid_t i = 0; i < 150; i++) {
		s.pid = s.tid = base + i;
		unwind_user(u, &s, pcs, 4, &truncated);
	}
	unwind_stats(u, &st);
	assert_int_equal(st.processes, 150);
	for (pid_t i = 149; i >= 0; i--)
		unwind_exit(u, base + i);
	unwind_stats(u, &st);
	assert_int_equal(st.processes, 0);
	unwind_free(u);
	symres_free(r);
	frametab_free(ft);
#else
	(void)state;
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regs_mapping),
		cmocka_unit_test(test_callgraph_parse),
		cmocka_unit_test(test_unwind_self),
		cmocka_unit_test(test_unwind_many_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
