// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for app/loop, the one poll loop, with pipes and eventfds as fake sources: only ready
 * sources are dispatched, in the order they were added; a handler may remove any source (its own
 * too) or add one; a wait with nothing ready times out; signals come through the signalfd.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ringside/app/loop.h"
#include "ringside/util/clock.h"

/* What the handlers saw. */
struct seen {
	struct loop *l;
	int order[16]; /* the fds, in call order */
	int n;
	int remove_fd; /* a handler removes this fd (-1: none) */
	int add_fd;    /* a handler adds this fd (-1: none) */
	int signals[8];
	int nsignals;
};

static void
on_ready(void *ctx, int fd, short revents)
{
	struct seen *s = ctx;

	assert_true(revents != 0);
	s->order[s->n++] = fd;
	if (s->remove_fd >= 0) {
		assert_int_equal(loop_remove(s->l, s->remove_fd), 0);
		s->remove_fd = -1;
	}
	if (s->add_fd >= 0) {
		assert_int_equal(loop_add(s->l, s->add_fd, POLLIN, on_ready, s), 0);
		s->add_fd = -1;
	}
}

static void
on_signal(void *ctx, int signo)
{
	struct seen *s = ctx;

	s->signals[s->nsignals++] = signo;
}

static int
ready_fd(void)
{
	int fd = eventfd(1, EFD_CLOEXEC | EFD_NONBLOCK);

	assert_true(fd >= 0);
	return fd;
}

static int
idle_fd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	assert_true(fd >= 0);
	return fd;
}

static void
seen_init(struct seen *s, struct loop *l)
{
	*s = (struct seen){ .l = l, .remove_fd = -1, .add_fd = -1 };
}

static void
test_ready_only_in_order(void **state)
{
	struct loop *l = loop_new();
	int a = ready_fd(), b = idle_fd(), c = ready_fd(), p[2];
	struct seen s;

	(void)state;
	assert_int_equal(pipe(p), 0);
	seen_init(&s, l);
	assert_int_equal(loop_add(l, a, POLLIN, on_ready, &s), 0);
	assert_int_equal(loop_add(l, b, POLLIN, on_ready, &s), 0);
	assert_int_equal(loop_add(l, p[0], POLLIN, on_ready, &s), 0);
	assert_int_equal(loop_add(l, c, POLLIN, on_ready, &s), 0);
	assert_int_equal(loop_run_once(l, 0), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.order[0], a);
	assert_int_equal(s.order[1], c);
	/* The pipe gets data: it joins, in its place. */
	assert_int_equal(write(p[1], "x", 1), 1);
	s.n = 0;
	assert_int_equal(loop_run_once(l, 0), 3);
	assert_int_equal(s.order[0], a);
	assert_int_equal(s.order[1], p[0]);
	assert_int_equal(s.order[2], c);
	/* The writer closes: the read end reports a hang-up, still dispatched. */
	close(p[1]);
	assert_int_equal(loop_remove(l, a), 0);
	assert_int_equal(loop_remove(l, c), 0);
	s.n = 0;
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_int_equal(s.order[0], p[0]);
	loop_free(l);
	close(a);
	close(b);
	close(c);
	close(p[0]);
}

static void
test_remove_during_dispatch(void **state)
{
	struct loop *l = loop_new();
	int a = ready_fd(), b = ready_fd(), c = ready_fd();
	struct seen s;

	(void)state;
	seen_init(&s, l);
	loop_add(l, a, POLLIN, on_ready, &s);
	loop_add(l, b, POLLIN, on_ready, &s);
	loop_add(l, c, POLLIN, on_ready, &s);
	/* a's handler removes b, ready too: b is not called. */
	s.remove_fd = b;
	assert_int_equal(loop_run_once(l, 0), 2);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.order[0], a);
	assert_int_equal(s.order[1], c);
	assert_false(loop_watches(l, b));
	assert_int_equal(loop_remove(l, b), -ENOENT);
	/* a's handler removes a itself: c still comes, and a never again. */
	s.n = 0;
	s.remove_fd = a;
	assert_int_equal(loop_run_once(l, 0), 2);
	assert_int_equal(s.order[0], a);
	assert_int_equal(s.order[1], c);
	s.n = 0;
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_int_equal(s.order[0], c);
	assert_true(loop_watches(l, c));
	loop_free(l);
	close(a);
	close(b);
	close(c);
}

static void
test_add_during_dispatch(void **state)
{
	struct loop *l = loop_new();
	int a = ready_fd(), b = ready_fd();
	struct seen s;

	(void)state;
	seen_init(&s, l);
	loop_add(l, a, POLLIN, on_ready, &s);
	/* Added by a's handler: watched from the next wait on, not called in this one. */
	s.add_fd = b;
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_int_equal(s.n, 1);
	assert_true(loop_watches(l, b));
	s.n = 0;
	assert_int_equal(loop_run_once(l, 0), 2);
	assert_int_equal(s.order[0], a);
	assert_int_equal(s.order[1], b);
	assert_int_equal(loop_add(l, -1, POLLIN, on_ready, &s), -EINVAL);
	loop_free(l);
	close(a);
	close(b);
}

static void
test_timeout(void **state)
{
	struct loop *l = loop_new();
	int a = idle_fd();
	struct seen s;
	uint64_t t0;

	(void)state;
	seen_init(&s, l);
	loop_add(l, a, POLLIN, on_ready, &s);
	t0 = clock_now_ns();
	assert_int_equal(loop_run_once(l, 30), 0);
	assert_true(clock_now_ns() - t0 >= 25000000u);
	assert_int_equal(s.n, 0);
	/* An empty loop waits too. */
	assert_int_equal(loop_remove(l, a), 0);
	assert_int_equal(loop_run_once(l, 1), 0);
	loop_free(l);
	close(a);
}

static void
test_signals(void **state)
{
	struct loop *l = loop_new();
	int a = ready_fd();
	struct seen s;
	sigset_t before, during, after;

	(void)state;
	seen_init(&s, l);
	sigprocmask(SIG_SETMASK, NULL, &before);
	assert_false(sigismember(&before, SIGWINCH));
	assert_int_equal(loop_add_signals(l, LOOP_SIG_WINCH | LOOP_SIG_CHLD, on_signal, &s), 0);
	assert_int_equal(loop_add_signals(l, 0, on_signal, &s), -EBUSY);
	sigprocmask(SIG_SETMASK, NULL, &during);
	assert_true(sigismember(&during, SIGWINCH));
	assert_true(sigismember(&during, SIGCHLD));
	assert_true(sigismember(&during, SIGINT));
	assert_true(sigismember(&during, SIGTERM));
	assert_true(sigismember(&during, SIGHUP));
	loop_add(l, a, POLLIN, on_ready, &s);
	/* Nothing pending: only the ready fd. */
	assert_int_equal(loop_run_once(l, 0), 1);
	assert_int_equal(s.nsignals, 0);
	/* Blocked signals wait in the signalfd, which comes first (added first). */
	raise(SIGWINCH);
	raise(SIGCHLD);
	s.n = 0;
	assert_int_equal(loop_run_once(l, 1000), 2);
	assert_int_equal(s.nsignals, 2);
	assert_true((s.signals[0] == SIGWINCH && s.signals[1] == SIGCHLD) ||
		    (s.signals[0] == SIGCHLD && s.signals[1] == SIGWINCH));
	assert_int_equal(s.n, 1);
	/* A stop signal is read, not delivered (it would end this test). */
	raise(SIGTERM);
	assert_int_equal(loop_run_once(l, 1000), 2);
	assert_int_equal(s.nsignals, 3);
	assert_int_equal(s.signals[2], SIGTERM);
	loop_free(l);
	sigprocmask(SIG_SETMASK, NULL, &after);
	assert_false(sigismember(&after, SIGWINCH));
	assert_false(sigismember(&after, SIGTERM));
	close(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_only_in_order),
		cmocka_unit_test(test_remove_during_dispatch),
		cmocka_unit_test(test_add_during_dispatch),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_signals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
