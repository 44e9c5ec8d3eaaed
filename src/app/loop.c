// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The one poll loop. Sources live in an array kept in the order they were added, with the pollfd
 * array beside it; a source removed while handlers run is marked and swept once they are done, so
 * a handler may remove any source (its own too) or add one without upsetting the dispatch.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "ringside/app/loop.h"
#include "ringside/util/xalloc.h"

struct loop_source {
	loop_fn fn;
	void *ctx;
	bool removed;
};

struct loop {
	struct pollfd *pfd;
	struct loop_source *src;
	size_t n, cap;
	bool dispatching, swept; /* swept: a source was removed during the dispatch */
	int sig_fd;
	bool masked;
	sigset_t old_mask;
	loop_signal_fn sig_fn;
	void *sig_ctx;
};

struct loop *
loop_new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));

	l->sig_fd = -1;
	return l;
}

int
loop_add(struct loop *l, int fd, short events, loop_fn fn, void *ctx)
{
	if (fd < 0)
		return -EINVAL;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->pfd = xreallocarray(l->pfd, l->cap, sizeof(*l->pfd));
		l->src = xreallocarray(l->src, l->cap, sizeof(*l->src));
	}
	l->pfd[l->n] = (struct pollfd){ .fd = fd, .events = events };
	l->src[l->n] = (struct loop_source){ .fn = fn, .ctx = ctx };
	l->n++;
	return 0;
}

/* Drop the sources marked removed, keeping the others in order. */
static void
loop_sweep(struct loop *l)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (l->src[i].removed)
			continue;
		l->pfd[k] = l->pfd[i];
		l->src[k] = l->src[i];
		k++;
	}
	l->n = k;
	l->swept = false;
}

int
loop_remove(struct loop *l, int fd)
{
	for (size_t i = 0; i < l->n; i++) {
		if (l->src[i].removed || l->pfd[i].fd != fd)
			continue;
		l->src[i].removed = true;
		/* Not polled again, even if the sweep waits for the dispatch to finish. */
		l->pfd[i].fd = -1;
		if (l->dispatching)
			l->swept = true;
		else
			loop_sweep(l);
		return 0;
	}
	return -ENOENT;
}

bool
loop_watches(const struct loop *l, int fd)
{
	for (size_t i = 0; i < l->n; i++)
		if (!l->src[i].removed && l->pfd[i].fd == fd)
			return true;
	return false;
}

/* The signalfd is readable: every signal pending, in turn. */
static void
loop_on_signals(void *ctx, int fd, short revents)
{
	struct loop *l = ctx;
	struct signalfd_siginfo si;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		l->sig_fn(l->sig_ctx, (int)si.ssi_signo);
}

int
loop_add_signals(struct loop *l, unsigned flags, loop_signal_fn fn, void *ctx)
{
	sigset_t set;

	if (l->masked)
		return -EBUSY;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (flags & LOOP_SIG_CHLD)
		sigaddset(&set, SIGCHLD);
	if (flags & LOOP_SIG_WINCH)
		sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, &l->old_mask);
	l->masked = true;
	l->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (l->sig_fd < 0)
		return -errno;
	l->sig_fn = fn;
	l->sig_ctx = ctx;
	return loop_add(l, l->sig_fd, POLLIN, loop_on_signals, l);
}

int
loop_run_once(struct loop *l, int timeout_ms)
{
	size_t n = l->n;
	int called = 0;

	if (poll(l->pfd, n, timeout_ms) < 0)
		return errno == EINTR ? 0 : -errno;
	l->dispatching = true;
	/* Sources added by a handler sit past n: their turn comes with the next wait. */
	for (size_t i = 0; i < n; i++) {
		short revents = l->pfd[i].revents;

		if (!revents || l->src[i].removed)
			continue;
		l->pfd[i].revents = 0;
		l->src[i].fn(l->src[i].ctx, l->pfd[i].fd, revents);
		called++;
	}
	l->dispatching = false;
	if (l->swept)
		loop_sweep(l);
	return called;
}

void
loop_free(struct loop *l)
{
	if (!l)
		return;
	if (l->sig_fd >= 0)
		close(l->sig_fd);
	if (l->masked)
		sigprocmask(SIG_SETMASK, &l->old_mask, NULL);
	free(l->pfd);
	free(l->src);
	free(l);
}
