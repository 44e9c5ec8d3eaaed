// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for util/errbuf: the first failure wins, errbuf_fail returns the code it is given and
 * records the class that code implies (or the one errbuf_fail_as names), rewording keeps the code
 * and class, errno survives the formatting, and the exit status follows the class.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <wchar.h>

#include "ringside/util/errbuf.h"

static void
test_clear_is_empty(void **state)
{
	struct errbuf e;

	(void)state;
	memset(&e, 0x5a, sizeof(e));
	errbuf_clear(&e);
	assert_string_equal(e.msg, "");
	assert_int_equal(e.code, 0);
	assert_int_equal(e.class, ERRBUF_NONE);
	assert_false(errbuf_isset(&e));
	assert_int_equal(errbuf_exit_status(&e), 0);
}

static void
test_fail_returns_code(void **state)
{
	static const int codes[] = { -EINVAL, -ENOENT, -EIO, -ENOMEM, -EPERM, -ECHILD };
	struct errbuf e;

	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		errbuf_clear(&e);
		assert_int_equal(errbuf_fail(&e, codes[i], "failure %zu", i), codes[i]);
		assert_int_equal(e.code, codes[i]);
		assert_true(errbuf_isset(&e));
	}
	errbuf_clear(&e);
	assert_int_equal(errbuf_fail(&e, -EIO, "cannot write '%s': %s", "out.json", "disk full"),
			 -EIO);
	assert_string_equal(e.msg, "cannot write 'out.json': disk full");
}

static void
test_first_failure_wins(void **state)
{
	struct errbuf e;

	(void)state;
	errbuf_clear(&e);
	assert_int_equal(errbuf_fail(&e, -ENOENT, "the deepest cause"), -ENOENT);
	/* A later failure still returns its own code, but does not replace what is recorded. */
	assert_int_equal(errbuf_fail(&e, -EIO, "a later failure"), -EIO);
	assert_int_equal(errbuf_fail_as(&e, ERRBUF_RUNTIME, -EPERM, "and another"), -EPERM);
	assert_string_equal(e.msg, "the deepest cause");
	assert_int_equal(e.code, -ENOENT);
	assert_int_equal(e.class, ERRBUF_INPUT);
	/* Once cleared, the next failure is recorded. */
	errbuf_clear(&e);
	errbuf_fail(&e, -EIO, "after clearing");
	assert_string_equal(e.msg, "after clearing");
	assert_int_equal(e.code, -EIO);
}

static void
test_class_from_code(void **state)
{
	static const int input[] = {
		EINVAL, ENOENT, ESRCH, ENODEV, EISDIR, ENOTDIR, EROFS, EACCES
	};
	static const int runtime[] = { EIO,    ENOMEM, EPERM, EMFILE, ENFILE,
				       ENOSPC, ECHILD, EFBIG, EAGAIN, ERANGE };
	struct errbuf e;

	(void)state;
	for (size_t i = 0; i < sizeof(input) / sizeof(input[0]); i++) {
		assert_int_equal(errbuf_class_of(-input[i]), ERRBUF_INPUT);
		errbuf_clear(&e);
		errbuf_fail(&e, -input[i], "bad input %d", input[i]);
		assert_int_equal(e.class, ERRBUF_INPUT);
		assert_int_equal(e.code, -input[i]);
		assert_int_equal(errbuf_exit_status(&e), 2);
	}
	for (size_t i = 0; i < sizeof(runtime) / sizeof(runtime[0]); i++) {
		assert_int_equal(errbuf_class_of(-runtime[i]), ERRBUF_RUNTIME);
		errbuf_clear(&e);
		errbuf_fail(&e, -runtime[i], "runtime failure %d", runtime[i]);
		assert_int_equal(e.class, ERRBUF_RUNTIME);
		assert_int_equal(e.code, -runtime[i]);
		assert_int_equal(errbuf_exit_status(&e), 1);
	}
}

static void
test_fail_as(void **state)
{
	struct errbuf e;

	(void)state;
	/* -EIO is a runtime failure by default; the caller knows it was the user's file. */
	errbuf_clear(&e);
	assert_int_equal(errbuf_fail_as(&e, ERRBUF_INPUT, -EIO, "'%s' is cut short", "x.json"),
			 -EIO);
	assert_string_equal(e.msg, "'x.json' is cut short");
	assert_int_equal(e.code, -EIO);
	assert_int_equal(e.class, ERRBUF_INPUT);
	assert_int_equal(errbuf_exit_status(&e), 2);
	/* And the other way round. */
	errbuf_clear(&e);
	assert_int_equal(errbuf_fail_as(&e, ERRBUF_RUNTIME, -ENOENT, "vanished"), -ENOENT);
	assert_int_equal(e.code, -ENOENT);
	assert_int_equal(e.class, ERRBUF_RUNTIME);
	assert_int_equal(errbuf_exit_status(&e), 1);
}

static void
test_reword_keeps_code_and_class(void **state)
{
	struct errbuf e;

	(void)state;
	errbuf_clear(&e);
	errbuf_fail(&e, -ENOENT, "inner: no such file");
	errbuf_reword(&e, "outer (%s)", "inner: no such file");
	assert_string_equal(e.msg, "outer (inner: no such file)");
	assert_int_equal(e.code, -ENOENT);
	assert_int_equal(e.class, ERRBUF_INPUT);

	errbuf_clear(&e);
	errbuf_fail_as(&e, ERRBUF_INPUT, -EIO, "inner");
	errbuf_reword(&e, "outer");
	assert_string_equal(e.msg, "outer");
	assert_int_equal(e.code, -EIO);
	assert_int_equal(e.class, ERRBUF_INPUT);

	/* The message itself as an argument: a prefix added to it. */
	errbuf_clear(&e);
	errbuf_fail(&e, -EINVAL, "bad number");
	errbuf_reword(&e, "'%s' line 1: %s", "f.json", e.msg);
	assert_string_equal(e.msg, "'f.json' line 1: bad number");
	errbuf_reword(&e, "%s; more", e.msg);
	assert_string_equal(e.msg, "'f.json' line 1: bad number; more");

	/* With nothing recorded, rewording records a runtime failure (-EIO). */
	errbuf_clear(&e);
	errbuf_reword(&e, "only a message");
	assert_string_equal(e.msg, "only a message");
	assert_int_equal(e.code, -EIO);
	assert_int_equal(e.class, ERRBUF_RUNTIME);
	assert_int_equal(errbuf_exit_status(&e), 1);
}

static void
test_errno_preserved(void **state)
{
	/* In the C locale this wide character cannot be converted: printf sets errno to EILSEQ. */
	static const wchar_t wide[] = { 0x100, 0 };
	struct errbuf e;

	(void)state;
	errbuf_clear(&e);
	errno = ENOSPC;
	errbuf_fail(&e, -EIO, "cannot write: %m");
	assert_int_equal(errno, ENOSPC);
	assert_string_equal(e.msg, "cannot write: No space left on device");

	errbuf_clear(&e);
	errno = EMFILE;
	errbuf_fail(&e, -EMFILE, "cannot open: %s", strerror(errno));
	assert_int_equal(errno, EMFILE);
	assert_string_equal(e.msg, "cannot open: Too many open files");

	/* Formatting that changes errno itself: errbuf_fail and errbuf_reword put it back. */
	errbuf_clear(&e);
	errno = EPIPE;
	errbuf_fail(&e, -EIO, "wide %ls", wide);
	assert_int_equal(errno, EPIPE);
	errno = EPIPE;
	errbuf_reword(&e, "wide %ls", wide);
	assert_int_equal(errno, EPIPE);
	errbuf_clear(&e);
	errno = EPIPE;
	errbuf_fail_as(&e, ERRBUF_INPUT, -EIO, "wide %ls", wide);
	assert_int_equal(errno, EPIPE);

	/* Also when the failure is ignored (one is recorded already) or there is no buffer. */
	errno = ENOSPC;
	errbuf_fail(&e, -EIO, "ignored %m");
	assert_int_equal(errno, ENOSPC);
	errbuf_fail(NULL, -EIO, "nowhere %m");
	assert_int_equal(errno, ENOSPC);
}

static void
test_exit_status(void **state)
{
	struct errbuf e;

	(void)state;
	errbuf_clear(&e);
	assert_int_equal(errbuf_exit_status(&e), 0);
	errbuf_fail(&e, -EINVAL, "bad option");
	assert_int_equal(errbuf_exit_status(&e), 2);
	errbuf_clear(&e);
	errbuf_fail(&e, -EIO, "disk failed");
	assert_int_equal(errbuf_exit_status(&e), 1);
	errbuf_clear(&e);
	assert_int_equal(errbuf_exit_status(&e), 0);
}

/* A caller re-classes what a callee recorded: permission refused while opening is runtime. */
static void
test_recode(void **state)
{
	struct errbuf e;

	(void)state;
	errbuf_clear(&e);
	/* Nothing recorded: nothing to re-class, the code still comes back. */
	assert_int_equal(errbuf_recode(&e, ERRBUF_RUNTIME, -EIO), -EIO);
	assert_false(errbuf_isset(&e));
	assert_int_equal(e.class, ERRBUF_NONE);
	errbuf_fail(&e, -EACCES, "cannot open cycles: permission denied");
	assert_int_equal(errbuf_exit_status(&e), 2);
	assert_int_equal(errbuf_recode(&e, ERRBUF_RUNTIME, -EIO), -EIO);
	assert_int_equal(e.code, -EIO);
	assert_int_equal(e.class, ERRBUF_RUNTIME);
	assert_int_equal(errbuf_exit_status(&e), 1);
	assert_string_equal(e.msg, "cannot open cycles: permission denied");
	assert_int_equal(errbuf_recode(&e, ERRBUF_INPUT, -EINVAL), -EINVAL);
	assert_int_equal(errbuf_exit_status(&e), 2);
	assert_int_equal(errbuf_recode(NULL, ERRBUF_INPUT, -ESRCH), -ESRCH);
}

static void
test_null_tolerated(void **state)
{
	(void)state;
	errbuf_clear(NULL);
	assert_int_equal(errbuf_fail(NULL, -ENOENT, "no %s", "file"), -ENOENT);
	assert_int_equal(errbuf_fail_as(NULL, ERRBUF_RUNTIME, -EIO, "x"), -EIO);
	errbuf_reword(NULL, "reworded %d", 1);
	assert_false(errbuf_isset(NULL));
	assert_int_equal(errbuf_exit_status(NULL), 0);
}

static void
test_long_message_cut(void **state)
{
	char big[2048];
	struct errbuf e;

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	errbuf_clear(&e);
	assert_int_equal(errbuf_fail(&e, -EINVAL, "%s", big), -EINVAL);
	assert_int_equal(strlen(e.msg), sizeof(e.msg) - 1);
	assert_int_equal(e.code, -EINVAL);
	assert_int_equal(e.class, ERRBUF_INPUT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clear_is_empty),
		cmocka_unit_test(test_fail_returns_code),
		cmocka_unit_test(test_first_failure_wins),
		cmocka_unit_test(test_class_from_code),
		cmocka_unit_test(test_fail_as),
		cmocka_unit_test(test_reword_keeps_code_and_class),
		cmocka_unit_test(test_errno_preserved),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_recode),
		cmocka_unit_test(test_null_tolerated),
		cmocka_unit_test(test_long_message_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
