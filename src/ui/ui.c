// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The live screen and `ringside view`: the loop that steps the session and handles keys, the
 * status line, the help screen and view switching. The terminal's setup and restoration live in
 * ui/term, the tab bar in ui/topbar, and each view in its own file behind struct view_ops.
 */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <langinfo.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ringside/app/journal.h"
#include "ringside/app/loop.h"
#include "ringside/app/runs.h"
#include "ringside/app/session.h"
#include "ringside/export/export.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/schedmap.h"
#include "ringside/ui/baseline.h"
#include "ringside/ui/annotate_view.h"
#include "ringside/ui/histo_view.h"
#include "ringside/ui/output_view.h"
#include "ringside/ui/draw.h"
#include "ringside/ui/range.h"
#include "ringside/ui/term.h"
#include "ringside/ui/status.h"
#include "ringside/ui/topbar.h"
#include "ringside/ui/ui.h"
#include "ringside/ui/ui_stream.h"
#include "ringside/ui/view.h"
#include "ringside/util/clock.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

/* The smallest screen the views are laid out for. */
enum { UI_MIN_COLS = 80, UI_MIN_ROWS = 24 };

static const struct view_ops *const ui_views[UI_NVIEWS] = {
	[UI_VIEW_OVERVIEW] = &overview_view_ops, [UI_VIEW_FLAME] = &flame_view_ops,
	[UI_VIEW_SCHED] = &sched_view_ops,	 [UI_VIEW_EVENTS] = &events_view_ops,
	[UI_VIEW_MEM] = &mem_view_ops,		 [UI_VIEW_TASKS] = &tasks_view_ops,
	[UI_VIEW_KVM] = &kvm_view_ops,
};

uint64_t
ui_now(void)
{
	return clock_now_ns();
}

void
ui_message(struct ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ui->message, sizeof(ui->message), fmt, ap);
	va_end(ap);
	ui->message_error = error;
	ui->message_until = ui_now() + 5000000000ull;
	ui->dirty = true;
}

/* Show a message once the one showing and those waiting before it have had their time. */
static void
ui_message_queue(struct ui *ui, bool error, const char *msg)
{
	if (!ui->message[0] || ui_now() >= ui->message_until) {
		ui_message(ui, error, "%s", msg);
		return;
	}
	if (ui->nqueued == UI_QUEUED)
		return;
	snprintf(ui->queued[ui->nqueued], sizeof(ui->queued[0]), "%s", msg);
	ui->queued_error[ui->nqueued++] = error;
}

/* Queue the session's notes not yet shown: at start-up, then as they come (a CPU going offline). */
static void
ui_session_notes(struct ui *ui)
{
	for (const char *const *n = session_notes_since(ui->session, &ui->notes_shown); *n; n++)
		ui_message_queue(ui, false, *n);
}

/* The message expired: the next one waiting, if any, takes the status line. */
static void
ui_message_next(struct ui *ui)
{
	ui->message[0] = '\0';
	if (!ui->nqueued)
		return;
	ui_message(ui, ui->queued_error[0], "%s", ui->queued[0]);
	ui->nqueued--;
	memmove(ui->queued[0], ui->queued[1], (size_t)ui->nqueued * sizeof(ui->queued[0]));
	memmove(ui->queued_error, ui->queued_error + 1,
		(size_t)ui->nqueued * sizeof(ui->queued_error[0]));
}

/* Glyphs for the terminal: Unicode only in a UTF-8 locale and without --ascii. */
static void
ui_pick_glyphs(struct ui *ui, bool ascii)
{
	static const char *const blocks[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char *const ramp[] = { "_", ".", "-", "~", "=", "+", "*", "#" };
	const char *cs = nl_langinfo(CODESET);
	bool utf8 = !ascii && cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	struct ui_glyphs *g = &ui->glyphs;

	g->unicode = utf8;
	g->nspark = 8;
	for (int i = 0; i < 8; i++)
		g->spark[i] = utf8 ? blocks[i] : ramp[i];
	g->hline = utf8 ? "─" : "-";
	g->vline = utf8 ? "│" : "|";
	g->bar_full = utf8 ? "█" : "#";
	g->ellipsis = utf8 ? "…" : "~";
}

/* Start curses on the terminal; -ENOTTY/-EINVAL with err when there is no usable one. */
static int
ui_start_curses(struct ui *ui, struct errbuf *err)
{
	int r = term_start(err);

	if (r < 0)
		return r;
	draw_init_colors(ui);
	getmaxyx(stdscr, ui->rows, ui->cols);
	return 0;
}

/* The terminal's size changed: tell curses, then redraw everything. */
static void
ui_resize(struct ui *ui)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resizeterm(ws.ws_row, ws.ws_col);
	getmaxyx(stdscr, ui->rows, ui->cols);
	clearok(stdscr, TRUE);
	ui->dirty = true;
}

/* The global keys, shown first on the help screen. */
static const char ui_global_keys[] =
	"F1 h      this help (any key closes it)\n"
	"q F10     quit (writes -o FILE when given)\n"
	"Tab 1-7   switch views (Shift-Tab: back; 5 --mem, 6 T, 7 K)\n"
	"e         the event browser\n"
	"space     freeze the display (collection goes on)\n"
	"s         save a snapshot now\n"
	"b         keep the profile now (or the range) as the baseline (Flame: d)\n"
	"O         the launched command's output (stdout, stderr)\n"
	"Ctrl-L    redraw the screen\n";

static void
ui_draw_help(struct ui *ui, int top, int rows)
{
	const struct view_ops *v = ui_views[ui->view];
	const char *blocks[6] = { ui_global_keys,     range_keys,	v->keys,
				  annotate_view_keys, output_view_keys, histo_view_keys };
	const char *titles[6] = { "Everywhere", "Time ranges", v->name,
				  "Annotate",	"Output",      "Histogram" };
	int y = top + 1;

	for (int b = 0; b < 6 && y < top + rows; b++) {
		const char *s = blocks[b];

		if (!s || !*s)
			continue;
		draw_text(ui, y++, 2, ui->cols - 4, draw_attr(ui, THEME_HEADER), titles[b]);
		while (*s && y < top + rows) {
			const char *nl = strchr(s, '\n');
			size_t n = nl ? (size_t)(nl - s) : strlen(s);
			char line[256];

			snprintf(line, sizeof(line), "%.*s", (int)n, s);
			draw_text(ui, y++, 4, ui->cols - 6, draw_attr(ui, THEME_NORMAL), line);
			s += n + (nl ? 1 : 0);
		}
		y++;
	}
	if (y < top + rows)
		draw_text(ui, y, 2, ui->cols - 4, draw_attr(ui, THEME_DIM),
			  "Strings from the profiled system show control characters as '?'.");
}

/* The banner when the target ended: the screen holds still until q. */
static void
ui_draw_banner(struct ui *ui)
{
	char msg[256];
	int w, x;

	if (!ui->ended || !ui->session)
		return;
	snprintf(msg, sizeof(msg), "  %s: the display is frozen; q quits  ",
		 ui->ended_why ? ui->ended_why : "ended");
	w = draw_width(ui, msg);
	if (w > ui->cols - 2)
		w = ui->cols - 2;
	x = (ui->cols - w) / 2;
	draw_text(ui, ui->rows - 2, x, w, draw_attr(ui, THEME_WARN) | A_REVERSE, msg);
}

static void
ui_draw(struct ui *ui)
{
	ui->dirty = false;
	erase();
	if (ui->cols < UI_MIN_COLS || ui->rows < UI_MIN_ROWS) {
		char msg[128];

		snprintf(msg, sizeof(msg),
			 "ringside needs %dx%d or more (now %dx%d): enlarge the "
			 "window, q quits",
			 UI_MIN_COLS, UI_MIN_ROWS, ui->cols, ui->rows);
		draw_text(ui, 0, 0, ui->cols, A_BOLD, msg);
		refresh();
		return;
	}
	topbar_draw(ui, ui_views);
	if (ui->help)
		ui_draw_help(ui, 1, ui->rows - 2);
	else if (ui->output)
		output_view_draw(ui, 1, ui->rows - 2, ui->cols);
	else if (ui->histo)
		histo_view_draw(ui, 1, ui->rows - 2, ui->cols);
	else if (ui->annotate)
		annotate_view_draw(ui, 1, ui->rows - 2, ui->cols);
	else
		ui_views[ui->view]->draw(ui, ui->state[ui->view], 1, ui->rows - 2, ui->cols);
	ui_draw_banner(ui);
	if (ui->message[0] && ui_now() >= ui->message_until)
		ui_message_next(ui);
	status_draw(ui);
	refresh();
}

/* A name for `s`: beside the -o file, else in the working directory (or $TMPDIR). */
static char *
ui_save_path(struct ui *ui)
{
	const char *out = ui->session ? session_output(ui->session) : NULL;
	/* The -o file's kind when it is a snapshot, else a page: it opens anywhere and views back.
	 */
	const char *ext = out && export_format_of(out) == EXPORT_JSON ? "json" : "html";
	char stamp[64], *dir = NULL, *path;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (out && strchr(out, '/'))
		dir = xstrndup(out, (size_t)(strrchr(out, '/') - out));
	else if (access(".", W_OK) == 0)
		dir = xstrdup(".");
	else
		dir = xstrdup(outfile_tmpdir());
	path = xasprintf("%s/ringside-%s.%s", dir, stamp, ext);
	for (int i = 2; access(path, F_OK) == 0 && i < 100; i++) {
		free(path);
		path = xasprintf("%s/ringside-%s-%d.%s", dir, stamp, i, ext);
	}
	free(dir);
	return path;
}

void
ui_save_now(struct ui *ui)
{
	char *path = ui_save_path(ui);
	struct errbuf err;
	int64_t id;
	int r;

	errbuf_clear(&err);
	if (ui->session)
		r = session_save(ui->session, path, &err);
	else
		r = export_write_path(ui->profile, path, &err);
	if (r < 0)
		ui_message(ui, true, "not saved: %s", err.msg);
	else if (ui->session && !ui->no_save &&
		 runs_add(ui->profile, NULL, ui->command_output, &id, &err) == 0)
		ui_message(ui, false, "saved %s, and as run %" PRId64, path, id);
	else if (ui->session && !ui->no_save)
		ui_message(ui, true, "saved %s; not in the library: %s", path, err.msg);
	else
		ui_message(ui, false, "saved %s", path);
	free(path);
}

static void
ui_set_view(struct ui *ui, int v)
{
	ui->view = (enum ui_view_id)((v + UI_NVIEWS) % UI_NVIEWS);
	ui->help = false;
	ui->dirty = true;
}

/* A view with nothing to show in this profile (view_ops.hidden) has no tab. */
static bool
ui_view_hidden(const struct ui *ui, int v)
{
	return ui_views[v]->hidden && ui_views[v]->hidden(ui);
}

/* Tab and Shift-Tab: the next shown view in direction dir (+1 or -1). */
static void
ui_step_view(struct ui *ui, int dir)
{
	int v = (int)ui->view;

	do
		v = (v + dir + UI_NVIEWS) % UI_NVIEWS;
	while (ui_view_hidden(ui, v) && v != (int)ui->view);
	ui_set_view(ui, v);
}

/* Intervals recorded so far (the longest track's). */
static size_t
ui_npoints(const struct ui *ui)
{
	size_t n = 0;

	for (size_t i = 0; i < ui->profile->ntracks; i++)
		if (rates_npoints(&ui->profile->tracks[i]) > n)
			n = rates_npoints(&ui->profile->tracks[i]);
	return n;
}

/*
 * Hold the display at what the data covers now: the counter intervals so far, and the elapsed time
 * but no later than the scheduler timeline's latest event (its runs after that are still on their
 * way: a later time would draw them, filled in, on the next redraw of a frozen screen).
 */
static void
ui_hold(struct ui *ui)
{
	const struct profile *p = ui->profile;

	ui->shown_ns = session_elapsed_ns(ui->session);
	if (p->sched) {
		uint64_t t = schedmap_now(p->sched);

		if (t > p->sched_origin && t - p->sched_origin < ui->shown_ns)
			ui->shown_ns = t - p->sched_origin;
	}
	ui->shown_points = ui_npoints(ui);
}

static void
ui_toggle_freeze(struct ui *ui)
{
	if (ui->ended || !ui->session)
		return;
	ui->frozen = !ui->frozen;
	ui_hold(ui);
	ui_message(ui, false,
		   ui->frozen ? "display frozen (collection goes on); space resumes"
			      : "display live again");
}

/* Clicks on the top bar switch views; the rest go to the view. */
static void
ui_mouse(struct ui *ui)
{
	const struct view_ops *v = ui_views[ui->view];
	MEVENT ev;

	if (getmouse(&ev) != OK)
		return;
	if (ev.y == 0 && (ev.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED))) {
		int hit = topbar_hit(ui, ui_views, ev.x);

		if (hit >= 0)
			ui_set_view(ui, hit);
		return;
	}
	if (!ui->help && v->mouse && v->mouse(ui, ui->state[ui->view], ev.y, ev.x, ev.bstate))
		ui->dirty = true;
}

/* One key: the help screen eats it, a typing view gets it, else global keys, else the view. */
static void
ui_key(struct ui *ui, int key)
{
	const struct view_ops *v = ui_views[ui->view];
	void *st = ui->state[ui->view];

	if (key == KEY_MOUSE) {
		ui_mouse(ui);
		return;
	}
	if (key == KEY_RESIZE)
		return;
	if (ui->help) {
		ui->help = false;
		ui->dirty = true;
		if (key != 'q' && key != KEY_F(10))
			return;
	}
	if (ui->output && output_view_key(ui, key)) {
		ui->dirty = true;
		return;
	}
	if (ui->histo && !ui->output && histo_view_key(ui, key)) {
		ui->dirty = true;
		return;
	}
	if (ui->annotate && annotate_view_key(ui, key)) {
		ui->dirty = true;
		return;
	}
	if (v->typing && v->typing(st)) {
		if (v->key(ui, st, key))
			ui->dirty = true;
		return;
	}
	switch (key) {
	case 'q':
	case KEY_F(10):
		ui->quit = true;
		return;
	case 'h':
	case KEY_F(1):
	case '?':
		ui->help = true;
		ui->dirty = true;
		return;
	case '\t':
		ui_step_view(ui, 1);
		return;
	case KEY_BTAB:
		ui_step_view(ui, -1);
		return;
	case '5':
	case 'm':
		if (ui_view_hidden(ui, UI_VIEW_MEM))
			ui_message(ui, false, "no memory view: record with --mem");
		else
			ui_set_view(ui, UI_VIEW_MEM);
		return;
	case '7':
	case 'K':
		if (ui_view_hidden(ui, UI_VIEW_KVM))
			ui_message(ui, false, "no KVM view: record with --kvm");
		else
			ui_set_view(ui, UI_VIEW_KVM);
		return;
	case '1':
	case '2':
	case '3':
	case '4':
		ui_set_view(ui, key - '1');
		return;
	case '6':
	case 'T':
		if (ui_view_hidden(ui, UI_VIEW_TASKS))
			ui_message(ui, false,
				   "no per-task counters: record without --task-counters 0");
		else
			ui_set_view(ui, UI_VIEW_TASKS);
		return;
	case 'e':
		if (ui->view != UI_VIEW_EVENTS) {
			ui_set_view(ui, UI_VIEW_EVENTS);
			return;
		}
		break;
	case ' ':
		ui_toggle_freeze(ui);
		return;
	case 's':
		ui_save_now(ui);
		return;
	case 'b':
		baseline_take(ui);
		return;
	case 'O':
		output_view_toggle(ui);
		ui->dirty = true;
		return;
	case 12: /* Ctrl-L */
		clearok(stdscr, TRUE);
		ui->dirty = true;
		return;
	default:
		break;
	}
	/* The tasks view sorts with < and >: the range's cursor keys are its there. */
	if (!(ui->view == UI_VIEW_TASKS && (key == '<' || key == '>')) && range_key(ui, key)) {
		ui->dirty = true;
		return;
	}
	if (v->key && v->key(ui, st, key))
		ui->dirty = true;
}

static void
ui_input(struct ui *ui)
{
	int key;

	while ((key = getch()) != ERR)
		ui_key(ui, key);
}

/* ringside's own CPU use since the last call, in CPUs. */
static void
ui_update_self_cpu(struct ui *ui)
{
	static uint64_t last_wall, last_cpu;
	struct rusage ru;
	uint64_t wall = ui_now(), cpu;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return;
	cpu = (uint64_t)ru.ru_utime.tv_sec * 1000000000u + (uint64_t)ru.ru_utime.tv_usec * 1000u +
	      (uint64_t)ru.ru_stime.tv_sec * 1000000000u + (uint64_t)ru.ru_stime.tv_usec * 1000u;
	if (last_wall && wall > last_wall)
		ui->self_cpu = (double)(cpu - last_cpu) / (double)(wall - last_wall);
	last_wall = wall;
	last_cpu = cpu;
}

/* How long to wait: until the status message expires, else until something happens. */
static int
ui_timeout(const struct ui *ui)
{
	uint64_t now = ui_now();

	if (ui->message[0] && ui->message_until > now)
		return (int)((ui->message_until - now) / 1000000u) + 1;
	return -1;
}

static void
ui_on_end(struct ui *ui)
{
	enum session_end why = session_end_reason(ui->session);

	session_stop(ui->session);
	ui_session_notes(ui); /* what the end says (no samples) */
	ui->ended = true;
	ui->frozen = true;
	ui_hold(ui);
	switch (why) {
	case SESSION_END_COMMAND:
		if (ui->profile->meta.command_exit >= 128)
			ui->ended_why = "the command was killed";
		else if (ui->profile->meta.command_exit == 0)
			ui->ended_why = "the command exited";
		else
			ui->ended_why = "the command failed";
		break;
	case SESSION_END_PROCESSES:
		ui->ended_why = "the processes exited";
		break;
	case SESSION_END_DURATION:
		ui->ended_why = "the duration passed";
		break;
	case SESSION_END_NONE:
		ui->ended_why = NULL;
		break;
	default:
		ui->ended_why = session_end_name(why);
		break;
	}
	ui->dirty = true;
}

/* The live loop: step the session, react, draw when something changed. */
static void
ui_loop_live(struct ui *ui)
{
	struct session_step st;

	while (!ui->quit) {
		if (session_step(ui->session, STDIN_FILENO, ui_timeout(ui), &st) < 0 && !ui->ended)
			ui_message(ui, true, "reading counters failed; the display is frozen");
		if (st.winch)
			ui_resize(ui);
		if (st.input)
			ui_input(ui);
		/* The terminal is gone (its emulator closed without a SIGHUP reaching us): poll
		 * would return at once forever, so end as q does, writing -o. */
		if (st.stopped || st.input_gone)
			ui->quit = true;
		if (st.ended || (session_end_reason(ui->session) && !ui->ended && !ui->quit))
			ui_on_end(ui);
		if (st.tick) {
			ui_session_notes(ui);
			ui_update_self_cpu(ui);
			if (!ui->frozen)
				ui->dirty = true;
		}
		if (ui->message[0] && ui_now() >= ui->message_until)
			ui->dirty = true;
		if (ui->dirty && !ui->quit)
			ui_draw(ui);
	}
}

/* The snapshot loop's signals: a resize redraws, the others quit. */
static void
ui_view_signal(void *ctx, int signo)
{
	struct ui *ui = ctx;

	if (signo == SIGWINCH)
		ui_resize(ui);
	else
		ui->quit = true;
}

/* The snapshot loop's terminal: keys, or gone (quit). */
static void
ui_view_stdin(void *ctx, int fd, short revents)
{
	struct ui *ui = ctx;

	(void)fd;
	if (revents & (POLLHUP | POLLERR))
		ui->quit = true;
	if (revents & POLLIN)
		ui_input(ui);
}

/* The snapshot loop: keys, resizes and stop signals, and a live stream's lines (view -). */
static void
ui_loop_view(struct ui *ui, struct ui_stream *stream)
{
	struct loop *l = loop_new();

	/* Without a signalfd the stop signals stay blocked, and q still quits. */
	loop_add_signals(l, LOOP_SIG_WINCH, ui_view_signal, ui);
	loop_add(l, STDIN_FILENO, POLLIN, ui_view_stdin, ui);
	if (stream)
		ui_stream_attach(stream, l, ui); /* a stream already over says so at once */
	if (ui->dirty)
		ui_draw(ui);
	while (!ui->quit) {
		if (loop_run_once(l, stream ? ui_stream_timeout(stream, ui_timeout(ui))
					    : ui_timeout(ui)) < 0)
			break;
		if (stream)
			ui_stream_refresh(stream);
		if (ui->message[0] && ui_now() >= ui->message_until)
			ui->dirty = true;
		if (ui->dirty && !ui->quit)
			ui_draw(ui);
	}
	loop_free(l);
}

/* Theme, glyphs and view states, before curses starts. Returns 0, or -ENOENT (no such theme),
 * -ESPIPE / -EFBIG (a theme path that is no regular file, or too large) or -EINVAL (no such view)
 * with err. */
static int
ui_init(struct ui *ui, const struct ui_opts *o, struct errbuf *err)
{
	struct errbuf terr;

	errbuf_clear(&terr);
	if (theme_load(&ui->theme, o->theme, RINGSIDE_DATADIR, &terr) < 0) {
		/* A plain name that names no theme is bad input; a bad theme file is not. */
		if (o->theme && !strchr(o->theme, '/') && terr.code == -ENOENT)
			return errbuf_fail(err, -ENOENT, "%s", terr.msg);
		/* Nor is a theme that is no regular file or far too large to be one. */
		if (terr.code == -ESPIPE || terr.code == -EFBIG)
			return errbuf_fail_as(err, terr.class, terr.code, "%s", terr.msg);
		/* A bad theme file: say where, and go on with the default. */
		snprintf(ui->message, sizeof(ui->message), "%s; using the default theme", terr.msg);
		ui->message_error = true;
		ui->message_until = ui_now() + 8000000000ull;
	}
	ui_pick_glyphs(ui, o->ascii);
	ui->braille = o->braille;
	ui->annotate_opts = o->annotate;
	if (o->view) {
		bool found = false;

		for (int v = 0; v < UI_NVIEWS; v++) {
			if (strcasecmp(o->view, ui_views[v]->name) == 0 ||
			    (strlen(o->view) >= 3 &&
			     strncasecmp(o->view, ui_views[v]->name, strlen(o->view)) == 0)) {
				ui->view = (enum ui_view_id)v;
				found = true;
			}
		}
		if (!found)
			return errbuf_fail(err, -EINVAL,
					   "unknown view '%s'; choose overview, flame, "
					   "scheduler, events, memory, tasks or kvm",
					   o->view);
	}
	return 0;
}

/* The ratio panel's rows: the built-in ratios, then the profile's (the user's). */
static void
ui_init_ratios(struct ui *ui)
{
	size_t nb = ratio_builtin_count();

	ui->ratios = xcalloc(nb + ui->profile->nratios + 1, sizeof(*ui->ratios));
	for (size_t i = 0; i < nb; i++)
		ratio_builtin_get(i, &ui->ratios[ui->nratios++]);
	for (size_t i = 0; i < ui->profile->nratios; i++)
		ratio_copy(&ui->ratios[ui->nratios++], &ui->profile->ratios[i]);
}

/*
 * View's --ratio options join the snapshot's ratios (one of the same name is replaced): shown,
 * and kept when the view saves. Returns 0 or -EINVAL + err.
 */
static int
ui_view_ratios(struct profile *p, const struct ui_opts *o, struct errbuf *err)
{
	for (size_t i = 0; i < o->rec.nratios; i++) {
		struct ratio_def r;
		int rc = ratio_parse(&r, o->rec.ratios[i], err);

		if (rc < 0)
			return rc;
		profile_set_ratio(p, &r);
		ratio_fini(&r);
	}
	return 0;
}

static void
ui_init_views(struct ui *ui)
{
	for (int v = 0; v < UI_NVIEWS; v++)
		ui->state[v] = ui_views[v]->init ? ui_views[v]->init(ui) : NULL;
}

static void
ui_fini(struct ui *ui)
{
	annotate_view_fini(ui);
	output_view_close(ui);
	histo_view_close(ui);
	for (int v = 0; v < UI_NVIEWS; v++)
		if (ui_views[v]->fini)
			ui_views[v]->fini(ui->state[v]);
	baseline_free(ui->baseline);
	ui->baseline = NULL;
	for (size_t i = 0; i < ui->nratios; i++)
		ratio_fini(&ui->ratios[i]);
	free(ui->ratios);
	timetree_fini(&ui->tt);
	timerange_fini(&ui->range);
	theme_fini(&ui->theme);
}

/* Before a view needs the terminal, a theme without colours on a terminal without any. */
static void
ui_fallback_mono(struct ui *ui, const struct ui_opts *o)
{
	struct errbuf ignored;

	if (has_colors() || o->theme)
		return;
	errbuf_clear(&ignored);
	theme_fini(&ui->theme);
	theme_load(&ui->theme, "mono", RINGSIDE_DATADIR, &ignored);
	draw_init_colors(ui);
}

int
ui_live_main(const struct ui_opts *o)
{
	struct ui ui = { 0 };
	struct errbuf err;
	int r, code = 0;

	errbuf_clear(&err);
	r = ui_init(&ui, o, &err);
	if (r < 0) {
		code = 2;
		goto out;
	}
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		errbuf_fail_as(&err, ERRBUF_INPUT, -ENOTTY,
			       "the live screen needs a terminal; use 'ringside record -o "
			       "FILE.json' in scripts");
		code = 2;
		goto out;
	}
	r = session_new(&ui.session, &o->rec, SESSION_LIVE, &err);
	if (r == 0)
		r = session_start(ui.session, false, &err);
	if (r < 0) {
		/* The failure recorded decides: bad input 2, else 1. */
		code = errbuf_isset(&err) ? errbuf_exit_status(&err) : 1;
		goto out;
	}
	ui.profile = session_profile(ui.session);
	ui.no_save = o->rec.no_save;
	ui.command_output = o->rec.command_output;
	ui_init_ratios(&ui);
	r = ui_start_curses(&ui, &err);
	if (r < 0) {
		code = 2;
		goto out;
	}
	ui_fallback_mono(&ui, o);
	ui_init_views(&ui);
	/* In turn, after a bad theme's error: each note has its time on the status line. */
	ui_session_notes(&ui);
	/* Symbols load after the first frame: the screen comes up at once, saying so. */
	ui.loading = true;
	ui_draw(&ui);
	session_preload(ui.session);
	ui_session_notes(&ui); /* the per-task counters' first look may have one */
	ui.loading = false;
	ui_draw(&ui);
	ui_loop_live(&ui);
	term_restore();
	session_stop(ui.session);
	session_close_events(ui.session);
	if (session_output(ui.session)) {
		r = session_write_output(ui.session, &err);
		if (r < 0)
			code = 1;
		else
			fprintf(stderr, "ringside: wrote %s\n", session_output(ui.session));
		/* Kept in the library of runs too, unless --no-save; a failure is said, exit 1. */
		if (r == 0 && !o->rec.no_save &&
		    runs_register(ui.profile, NULL, o->rec.command_output) != 0)
			code = 1;
	}
out:
	term_restore();
	if (errbuf_isset(&err) && code != 0)
		fprintf(stderr, "ringside: %s\n", err.msg);
	ui_fini(&ui);
	session_free(ui.session);
	return code;
}

int
ui_view_main(const char *path, const struct ui_opts *o)
{
	struct ui ui = { 0 };
	struct ui_stream *stream = NULL;
	struct profile *p = NULL, *own = NULL;
	struct errbuf err;
	int r, code = 0;

	errbuf_clear(&err);
	r = ui_init(&ui, o, &err);
	if (r < 0) {
		code = 2;
		goto out;
	}
	/* '-': a stream shown as it arrives (the stream owns each profile), else a file. */
	if (strcmp(path, "-") == 0)
		r = ui_stream_open(&stream, &p, &err);
	else if ((r = journal_load_any(path, &own, &err)) >= 0)
		p = own;
	if (r >= 0)
		r = ui_view_ratios(p, o, &err);
	if (r < 0) {
		code = 2;
		goto out;
	}
	ui.profile = p;
	ui_init_ratios(&ui);
	ui.source = path;
	ui.ended = ui.frozen = true;
	ui.shown_ns = p->meta.duration_ns;
	r = ui_start_curses(&ui, &err);
	if (r < 0) {
		code = 2;
		goto out;
	}
	ui_fallback_mono(&ui, o);
	ui_init_views(&ui);
	ui_draw(&ui);
	ui_loop_view(&ui, stream);
	code = ui_stream_status(stream);
	/* view - -o FILE: what arrived, written as the screen quits. */
	if (o->rec.output && export_write_path(ui.profile, o->rec.output, &err) < 0)
		code = 1;
out:
	term_restore();
	if (errbuf_isset(&err) && code != 0)
		fprintf(stderr, "ringside: %s\n", err.msg);
	ui_fini(&ui);
	ui_stream_free(stream);
	profile_free(own);
	return code;
}
