/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `ringside view -` live: the stream on stdin (export/stream_live) shown while it arrives. The
 * stream's descriptor is moved off stdin and the terminal (/dev/tty) put in its place for the
 * keys; each rebuilt profile replaces the one shown; the end, a cut and a corrupt line are said on
 * the status line while the screen stays up with what arrived (s saves it).
 */
#ifndef RINGSIDE_UI_UI_STREAM_H
#define RINGSIDE_UI_UI_STREAM_H

#include <stdbool.h>

#include "ringside/app/loop.h"
#include "ringside/model/profile.h"
#include "ringside/ui/view.h"
#include "ringside/util/errbuf.h"

struct ui_stream;

/*
 * Take stdin (a pipe or a file, not a terminal) as the stream, give stdin the terminal, and wait
 * for the header line: *s (the caller's) and its first profile (*p, owned by *s). Returns 0, or
 * -EINVAL / -EIO with err (a terminal on stdin, no terminal for keys, an empty or corrupt start).
 */
int ui_stream_open(struct ui_stream **s, struct profile **p, struct errbuf *err);
/* Watch the stream in l for ui (whose profile is the stream's): ui->profile follows it. */
void ui_stream_attach(struct ui_stream *s, struct loop *l, struct ui *ui);
/* The poll timeout (ms) that wakes the loop for a rebuild that is due, at most timeout. */
int ui_stream_timeout(const struct ui_stream *s, int timeout);
/* Rebuild when due and show the new profile. Call after each loop wait. */
void ui_stream_refresh(struct ui_stream *s);
/* The exit code the stream calls for: 2 after a corrupt line, else 0. */
int ui_stream_status(const struct ui_stream *s);
/* Free s and the profile it holds; NULL is fine. */
void ui_stream_free(struct ui_stream *s);

#endif
