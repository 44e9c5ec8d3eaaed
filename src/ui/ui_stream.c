// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `ringside view -`: the stream read while it arrives. The loop watches the stream's descriptor
 * beside the terminal; each readable wake-up takes the bytes (stream_live), and once a commit line
 * is in and the rebuild spacing has passed, the profile of the committed intervals replaces the
 * one shown (views keep their zoom and search: those are frame paths, and a rebuild of a longer
 * prefix of the same stream gives the same frame ids). The status line's source field says how
 * the stream stands: live with N intervals, ended, cut short, or refused at a corrupt line.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/export/stream_live.h"
#include "ringside/ui/ui_stream.h"
#include "ringside/util/clock.h"
#include "ringside/util/xalloc.h"

struct ui_stream {
	struct stream_live *live;
	int fd; /* the stream: stdin's descriptor moved */
	struct loop *loop;
	struct ui *ui;
	struct profile *profile; /* the one shown */
	struct stream_stats st;
	bool done;    /* the end, a cut or a corrupt line: no more reading */
	bool corrupt; /* exit 2 */
	char source[256];
};

/* Move the stream off stdin and put the terminal there for the keys. */
static int
ui_stream_fds(struct ui_stream *s, struct errbuf *err)
{
	int tty;

	if (isatty(STDIN_FILENO))
		return errbuf_fail_as(err, ERRBUF_INPUT, -EINVAL,
				      "stdin is a terminal: '-' reads a stream piped in, e.g. ssh "
				      "HOST ringside record --stream -o - | ringside view -");
	tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
	if (tty < 0)
		return errbuf_fail_as(
			err, ERRBUF_INPUT, -EINVAL,
			"view - needs a terminal for its keys (/dev/tty: %s); to keep "
			"the stream, use export - -o FILE",
			strerror(errno));
	s->fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
	if (s->fd < 0 || dup2(tty, STDIN_FILENO) < 0) {
		close(tty);
		return errbuf_fail(err, -EIO, "cannot take the stream from stdin: %s",
				   strerror(errno));
	}
	close(tty);
	fcntl(s->fd, F_SETFL, fcntl(s->fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

static void ui_stream_ended(struct ui_stream *s);

/* The status line's source field, from what has arrived so far. */
static void
ui_stream_describe(struct ui_stream *s, const char *how)
{
	snprintf(s->source, sizeof(s->source), "stdin: %s, %zu interval%s", how, s->st.intervals,
		 s->st.intervals == 1 ? "" : "s");
	if (s->ui)
		s->ui->source = s->source;
}

int
ui_stream_open(struct ui_stream **sp, struct profile **p, struct errbuf *err)
{
	struct ui_stream *s = xcalloc(1, sizeof(*s));
	struct pollfd pfd;
	int rc;

	*sp = s;
	s->fd = -1;
	s->live = stream_live_new("-");
	rc = ui_stream_fds(s, err);
	/* Until the header is in, wait: the screen needs the events and the target to start. */
	while (rc == 0 && !stream_live_started(s->live) && !stream_live_eof(s->live)) {
		pfd = (struct pollfd){ .fd = s->fd, .events = POLLIN };
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			rc = errbuf_fail(err, -EIO, "cannot wait for the stream: %s",
					 strerror(errno));
		else
			rc = stream_live_read(s->live, s->fd, err);
	}
	if (rc == 0)
		rc = stream_live_build(s->live, &s->profile, &s->st, err);
	if (rc < 0)
		return rc;
	*p = s->profile;
	ui_stream_describe(s, stream_live_eof(s->live) ? "ended" : "live");
	return 0;
}

/* The stream's descriptor: take what came; at its end, stop watching it. */
static void
ui_stream_input(void *ctx, int fd, short revents)
{
	struct ui_stream *s = ctx;
	struct errbuf err;

	(void)revents;
	errbuf_clear(&err);
	if (stream_live_read(s->live, fd, &err) < 0) {
		s->done = s->corrupt = true;
		ui_message(s->ui, true, "%s; the screen shows the intervals before it", err.msg);
		ui_stream_describe(s, "refused");
	}
	if (s->done || stream_live_eof(s->live))
		loop_remove(s->loop, fd);
}

void
ui_stream_attach(struct ui_stream *s, struct loop *l, struct ui *ui)
{
	s->loop = l;
	s->ui = ui;
	ui->source = s->source;
	/* Ctrl-C reaches the whole pipeline: it stops the sender, the screen stays (q quits). */
	signal(SIGINT, SIG_IGN);
	if (!stream_live_eof(s->live))
		loop_add(l, s->fd, POLLIN, ui_stream_input, s);
	else if (stream_live_due(s->live) == UINT64_MAX)
		ui_stream_ended(s);
}

int
ui_stream_timeout(const struct ui_stream *s, int timeout)
{
	uint64_t due = s->done ? UINT64_MAX : stream_live_due(s->live), now = clock_now_ns();
	int ms;

	if (due == UINT64_MAX)
		return timeout;
	ms = due <= now ? 0 : (int)((due - now) / 1000000u) + 1;
	return timeout < 0 || ms < timeout ? ms : timeout;
}

/* The stream has ended: say how, once. */
static void
ui_stream_ended(struct ui_stream *s)
{
	s->done = true;
	if (s->st.ended) {
		ui_message(s->ui, false, "the stream ended (%s); s saves what it holds",
			   s->profile->meta.end_reason ? s->profile->meta.end_reason : "end");
		ui_stream_describe(s, "ended");
		return;
	}
	ui_message(s->ui, true,
		   "the stream on stdin ended without its end line (its sender was stopped or the "
		   "connection dropped): this is what arrived; s saves it");
	ui_stream_describe(s, "cut short");
}

void
ui_stream_refresh(struct ui_stream *s)
{
	struct stream_stats st;
	struct profile *p = NULL;
	struct errbuf err;

	if (s->done || stream_live_due(s->live) > clock_now_ns())
		return;
	errbuf_clear(&err);
	if (stream_live_build(s->live, &p, &st, &err) < 0) {
		s->done = s->corrupt = true;
		ui_message(s->ui, true, "%s; the screen shows the intervals before it", err.msg);
		ui_stream_describe(s, "refused");
		loop_remove(s->loop, s->fd);
		return;
	}
	profile_free(s->profile);
	s->profile = p;
	s->st = st;
	s->ui->profile = p;
	s->ui->shown_ns = p->meta.duration_ns;
	s->ui->dirty = true;
	ui_stream_describe(s, "live");
	if (stream_live_eof(s->live) && stream_live_due(s->live) == UINT64_MAX)
		ui_stream_ended(s);
}

int
ui_stream_status(const struct ui_stream *s)
{
	return s && s->corrupt ? 2 : 0;
}

void
ui_stream_free(struct ui_stream *s)
{
	if (!s)
		return;
	if (s->fd >= 0)
		close(s->fd);
	if (s->loop)
		signal(SIGINT, SIG_DFL);
	stream_live_free(s->live);
	profile_free(s->profile);
	free(s);
}
