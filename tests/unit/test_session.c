// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests for stepping a session: this process as the target, one software counter, no
 * samples and no timeline, and a pipe as the caller's descriptor. The pipe's data and hang-up,
 * the interval ticks, the end when the duration passes (after which the timer is not watched),
 * and a stop signal read through the session's signalfd. Skipped where perf events cannot be
 * opened at all.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/app/session.h"
#include "unit.h"

/* Why start_session() returned NULL, for the skip. */
static char no_session[sizeof(((struct errbuf *)0)->msg) + 32];

/* A started session on this process, or NULL (the reason in no_session; the test skips). */
static struct session *
start_session(struct record_opts *o, char *pid, size_t len)
{
	struct session *s = NULL;
	struct errbuf err = { 0 };

	snprintf(pid, len, "%d", (int)getpid());
	*o = (struct record_opts){
		.events = "task-clock",
		.interval_ms = 20,
		.duration_s = 0.2,
		.pids = pid,
		.no_samples = true,
		.no_sched = true,
		.command_output_fd = -1,
	};
	assert_int_equal(session_new(&s, o, SESSION_LIVE, &err), 0);
	if (session_start(s, false, &err) < 0) {
		snprintf(no_session, sizeof(no_session), "no perf events here: %s", err.msg);
		session_free(s);
		return NULL;
	}
	return s;
}

static void
test_step_input_ticks_end(void **state)
{
	struct record_opts o;
	char pid[32];
	struct session *s = start_session(&o, pid, sizeof(pid));
	struct session_step st;
	int p[2], ticks = 0, steps = 0;

	(void)state;
	if (!s) {
		unit_skip("%s", no_session);
		return;
	}
	assert_int_equal(pipe(p), 0);
	assert_int_equal(session_end_reason(s), SESSION_END_NONE);
	/* Nothing on the pipe yet. */
	assert_int_equal(session_step(s, p[0], 0, &st), 0);
	assert_false(st.input);
	/* The caller's descriptor has data. */
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(session_step(s, p[0], 0, &st), 0);
	assert_true(st.input);
	assert_false(st.input_gone);
	/* Ticks every 20 ms until the duration (0.2 s) ends the session, in one step. */
	for (;;) {
		assert_int_equal(session_step(s, -1, 1000, &st), 0);
		ticks += st.tick;
		assert_true(++steps < 100);
		if (st.ended)
			break;
		assert_int_equal(session_end_reason(s), SESSION_END_NONE);
	}
	assert_true(ticks >= 1);
	assert_int_equal(session_end_reason(s), SESSION_END_DURATION);
	assert_string_equal(session_end_name(session_end_reason(s)), "duration");
	/* Ended: the timer is not watched, the input still is; its hang-up shows. */
	assert_int_equal(session_step(s, p[0], 50, &st), 0);
	assert_false(st.tick);
	assert_false(st.ended);
	assert_true(st.input);
	close(p[1]);
	assert_int_equal(session_step(s, p[0], 0, &st), 0);
	assert_true(st.input_gone);
	/* A stop signal comes through the signalfd: reported, the end reason kept. */
	raise(SIGTERM);
	assert_int_equal(session_step(s, -1, 1000, &st), 0);
	assert_true(st.stopped);
	assert_int_equal(session_end_reason(s), SESSION_END_DURATION);
	session_stop(s);
	assert_string_equal(session_profile(s)->meta.end_reason, "duration");
	assert_true(session_profile(s)->ntracks == 1);
	close(p[0]);
	session_free(s);
}

static void
test_stop_signal_ends(void **state)
{
	struct record_opts o;
	char pid[32];
	struct session *s = start_session(&o, pid, sizeof(pid));
	struct session_step st;

	(void)state;
	if (!s) {
		unit_skip("%s", no_session);
		return;
	}
	raise(SIGINT);
	assert_int_equal(session_step(s, -1, 1000, &st), 0);
	assert_true(st.stopped);
	assert_true(st.ended);
	assert_int_equal(session_end_reason(s), SESSION_END_SIGNAL);
	session_stop(s);
	assert_string_equal(session_profile(s)->meta.end_reason, "signal");
	session_free(s);
}

static void
test_end_names(void **state)
{
	(void)state;
	assert_string_equal(session_end_name(SESSION_END_NONE), "running");
	assert_string_equal(session_end_name(SESSION_END_DURATION), "duration");
	assert_string_equal(session_end_name(SESSION_END_SIGNAL), "signal");
	assert_string_equal(session_end_name(SESSION_END_COMMAND), "command exited");
	assert_string_equal(session_end_name(SESSION_END_PROCESSES), "processes exited");
	assert_string_equal(session_end_name(SESSION_END_COUNTERS), "counters failed");
}

/* The session's own (src/app/session_impl.h): malloc's free pages back, at most every 2 s. */
void session_memory_trim(uint64_t now_ns);

/* Resident KiB of this process (/proc/self/statm). */
static size_t
rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "re");
	size_t pages = 0, rss = 0;

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%zu %zu", &pages, &rss), 2);
	fclose(f);
	return rss * (size_t)(sysconf(_SC_PAGESIZE) / 1024);
}

/*
 * Blocks freed under a live one stay resident in malloc's heap; the trim after a drain gives
 * their pages back, and not again within 2 s.
 */
static void
test_memory_trim(void **state)
{
	enum { N = 160, SIZE = 64 * 1024 };
	char *blocks[N];
	size_t before, within, after;
	bool live;

	(void)state;
	session_memory_trim(3000000000ull);
	for (size_t i = 0; i < N; i++) {
		blocks[i] = malloc(SIZE);
		assert_non_null(blocks[i]);
		memset(blocks[i], 1, SIZE);
	}
	for (size_t i = 0; i < N - 1; i++)
		free(blocks[i]);
	before = rss_kib();
	session_memory_trim(4000000000ull); /* within 2 s of the last: nothing */
	within = rss_kib();
	session_memory_trim(5000000000ull);
	after = rss_kib();
	/* the live block is intact */
	live = blocks[N - 1][0] == 1 && blocks[N - 1][SIZE - 1] == 1;
	free(blocks[N - 1]);
	print_message("# resident: %zu KiB with %d KiB freed under a live block, %zu KiB after\n",
		      before, N * SIZE / 1024, after);
	assert_true(live);
#if defined(__SANITIZE_ADDRESS__)
	/* A sanitizer's allocator is not glibc's: malloc_trim has no heap of its to give back. */
	(void)within;
#else
	assert_true(within + 1024 > before);
	assert_true(after + N * SIZE / 1024 / 2 < before);
#endif
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_end_names),
		cmocka_unit_test(test_step_input_ticks_end),
		cmocka_unit_test(test_stop_signal_ends),
		cmocka_unit_test(test_memory_trim),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
