/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The one poll loop: each source (a ring, the timer, the signals, the terminal, a pidfd, later a
 * socket or an inotify descriptor) registers its descriptor with a handler, and one call waits
 * and dispatches. Handlers run in the order their sources were added, so that a source added
 * first (the signals) is seen before one added later (the interval timer) within one wake-up.
 * The stop signals come through a signalfd set up here once for every caller.
 */
#ifndef RINGSIDE_APP_LOOP_H
#define RINGSIDE_APP_LOOP_H

#include <stdbool.h>

struct loop;

/* A ready descriptor: revents as poll(2) reported them (never 0). */
typedef void (*loop_fn)(void *ctx, int fd, short revents);
/* One signal read from the loop's signalfd. */
typedef void (*loop_signal_fn)(void *ctx, int signo);

enum loop_signals {
	LOOP_SIG_CHLD = 1u << 0,  /* SIGCHLD too: a launched command ended */
	LOOP_SIG_WINCH = 1u << 1, /* SIGWINCH too: the terminal changed size */
};

/* An empty loop. */
struct loop *loop_new(void);
/*
 * Watch fd for events (POLLIN, ...) and call fn(ctx, fd, revents) when poll reports any. May be
 * called from a handler: the new source is watched from the next wait on. Returns 0, or -EINVAL
 * for a negative fd.
 */
int loop_add(struct loop *l, int fd, short events, loop_fn fn, void *ctx);
/*
 * Stop watching fd (the descriptor stays open: its owner closes it). Safe from a handler, its own
 * source's included: a source removed during a dispatch is not called afterwards. Returns 0, or
 * -ENOENT when fd is not watched.
 */
int loop_remove(struct loop *l, int fd);
/* True while fd is watched. */
bool loop_watches(const struct loop *l, int fd);
/*
 * Block SIGINT, SIGTERM and SIGHUP, plus those flags name (enum loop_signals), and deliver them
 * through a signalfd watched by this loop: fn(ctx, signo) for each one read. The previous mask
 * comes back with loop_free. Once per loop. Returns 0 or -errno (the signals stay blocked).
 */
int loop_add_signals(struct loop *l, unsigned flags, loop_signal_fn fn, void *ctx);
/*
 * Wait up to timeout_ms (-1: forever) and call the handlers of the sources that are ready.
 * Returns the number of handlers called (0 on a timeout or an interrupted wait), or -errno when
 * poll fails.
 */
int loop_run_once(struct loop *l, int timeout_ms);
/* Close the signalfd, restore the signal mask and free l (not the sources' fds); NULL is fine. */
void loop_free(struct loop *l);

#endif
