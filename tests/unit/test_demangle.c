// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for sym/demangle: C++ (Itanium ABI) names including templates, lambdas and clones,
 * Rust legacy and v0 names (samples from the Rust symbol-mangling documentation and libiberty's
 * own test suite), and NULL for names that are not mangled.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ringside/sym/demangle.h"

/* Demangle name with flags and expect want (NULL: not mangled). */
static void
check(const char *name, unsigned flags, const char *want)
{
	char *got = demangle_name(name, flags);

	if (!want) {
		if (got)
			print_message("# %s demangled to '%s', expected NULL\n", name, got);
		assert_null(got);
		return;
	}
	if (!got || strcmp(got, want) != 0)
		print_message("# %s: got '%s', want '%s'\n", name, got ? got : "(null)", want);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_cplusplus(void **state)
{
	(void)state;
	/* Itanium C++ ABI examples */
	check("_Z1fv", 0, "f");
	check("_Z1fv", DEMANGLE_PARAMS, "f()");
	check("_ZN3foo3barEv", 0, "foo::bar");
	check("_ZN3foo3barEv", DEMANGLE_PARAMS, "foo::bar()");
	check("_ZSt4cout", 0, "std::cout");
	check("_ZL3foov", DEMANGLE_PARAMS, "foo()");
}

static void
test_cplusplus_templates(void **state)
{
	(void)state;
	check("_ZNSt6vectorIiSaIiEE9push_backERKi", 0,
	      "std::vector<int, std::allocator<int> >::push_back");
	check("_ZNSt6vectorIiSaIiEE9push_backERKi", DEMANGLE_PARAMS,
	      "std::vector<int, std::allocator<int> >::push_back(int const&)");
	check("_Z1fIiEvT_", 0, "f<int>");
	check("_Z1fIiEvT_", DEMANGLE_PARAMS, "void f<int>(int)");
	check("_ZN1N1fIiEEvT_", 0, "N::f<int>");
	check("_ZNKSt8functionIFvvEEclEv", 0, "std::function<void ()>::operator()");
	check("_ZNKSt8functionIFvvEEclEv", DEMANGLE_PARAMS,
	      "std::function<void ()>::operator()() const");
	check("_ZZ4mainENKUlvE_clEv", 0, "main::{lambda()#1}::operator()");
	/* GCC's clones (hot/cold splitting) keep their suffix when parameters are shown */
	check("_Z3foov.cold", DEMANGLE_PARAMS, "foo() [clone .cold]");
}

static void
test_rust_legacy(void **state)
{
	(void)state;
	/* legacy names end in a hash, which is dropped (libiberty's rust-demangle tests) */
	check("_ZN4main4main17he714a2e23ed7db23E", 0, "main::main");
	check("_ZN4core3str9from_utf817hdcea28871313776dE", 0, "core::str::from_utf8");
	check("_ZN71_$LT$Test$u20$$u2b$$u20$$u27$static$u20$as$u20$foo..Bar$LT$Test$GT$$GT$"
	      "3bar17h930b740aa94f1d3aE",
	      0, "<Test + 'static as foo::Bar<Test>>::bar");
	check("_ZN39_$LT$collections..vec..Vec$LT$T$GT$$GT$4push17hd4b6b23c1b88141aE", 0,
	      "<collections::vec::Vec<T>>::push");
	/* not a valid hash: an ordinary Itanium name, hash kept */
	check("_ZN4main4main18h1e714a2e23ed7db23E", 0, "main::main::h1e714a2e23ed7db23");
}

static void
test_rust_v0(void **state)
{
	(void)state;
	/* examples from the Rust v0 symbol format documentation */
	check("_RNvCs15kBYyAo9fc_7mycrate7example", 0, "mycrate::example");
	check("_RNvMsr_NtCs3ssYzQotkvD_3std4pathNtB5_7PathBuf3newCs15kBYyAo9fc_7mycrate", 0,
	      "<std::path::PathBuf>::new");
	check("_RINvNtC3std3mem8align_ofjE", 0, "std::mem::align_of::<usize>");
	/* and from libiberty's own tests */
	check("_RNCNCNgCs6DXkGYLi8lr_2cc5spawn00B5_", 0, "cc::spawn::{closure#0}::{closure#0}");
	check("_RNvMC0INtC8arrayvec8ArrayVechKj7b_E3new", 0, "<arrayvec::ArrayVec<u8, 123>>::new");
}

static void
test_not_mangled(void **state)
{
	(void)state;
	check("main", 0, NULL);
	check("foo_bar", DEMANGLE_PARAMS, NULL);
	check("", 0, NULL);
	check("_", 0, NULL);
	check("_start", 0, NULL);
	check("__libc_start_main", 0, NULL);
	/* look mangled, are not */
	check("_Zfoo", 0, NULL);
	check("_Rfoo", 0, NULL);
	check("_ZN3foo", 0, NULL);
	assert_null(demangle_name(NULL, 0));
	assert_true(demangle_is_mangled("_ZN3foo3barEv"));
	assert_true(demangle_is_mangled("_RNvC1a1b"));
	assert_false(demangle_is_mangled("main"));
	assert_false(demangle_is_mangled(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cplusplus),   cmocka_unit_test(test_cplusplus_templates),
		cmocka_unit_test(test_rust_legacy), cmocka_unit_test(test_rust_v0),
		cmocka_unit_test(test_not_mangled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
