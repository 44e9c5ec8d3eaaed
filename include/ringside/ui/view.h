/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every view of the screen shares: the ui state (the profile being shown, the session when
 * live, the theme, the glyphs, freeze and end state) and the view contract. A view draws into
 * stdscr rows [top, top + rows) and full width, handles the keys it knows, and keeps its own state
 * behind an opaque pointer. Views never print to stderr: messages go through ui_message.
 */
#ifndef RINGSIDE_UI_VIEW_H
#define RINGSIDE_UI_VIEW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/profile.h"
#include "ringside/sym/annotate.h"
#include "ringside/view/rates.h"
#include "ringside/view/theme.h"
#include "ringside/view/timerange.h"
#include "ringside/view/timetree.h"

struct session;

enum ui_view_id {
	UI_VIEW_OVERVIEW,
	UI_VIEW_FLAME,
	UI_VIEW_SCHED,
	UI_VIEW_EVENTS,
	UI_VIEW_MEM,
	UI_VIEW_TASKS,
	UI_VIEW_KVM,
	UI_NVIEWS
};

/* Start-up messages that wait for the one showing (a bad theme, session notes). */
enum { UI_QUEUED = 4 };

/* Glyphs chosen once for the terminal: Unicode in a UTF-8 locale, ASCII otherwise or --ascii. */
struct ui_glyphs {
	bool unicode;
	const char *spark[9]; /* levels 0..nspark-1, lowest first */
	int nspark;
	const char *hline, *vline; /* separators */
	const char *bar_full;	   /* a full bar cell */
	const char *ellipsis;	   /* a cut name */
};

/*
 * Frozen, the last "when" sparkline (ui/range.c's range_spark, for the flamegraph's and the flame
 * chart's details lines) as first drawn, with what it was drawn for: samples taken before the
 * freeze still arrive after it, and would move it under a frozen screen.
 */
struct ui_spark_held {
	bool ok;
	uint32_t frames[256];
	size_t n, event, len;
	int cells;
	uint64_t range, shown_ns;
	char text[512];
};

struct ui {
	struct session *session;    /* NULL for `ringside view` */
	bool no_save;		    /* --no-save: s does not register the run */
	const char *command_output; /* the launched command's output file, or NULL */
	struct profile *profile;    /* the session's or the snapshot's (borrowed) */
	const char *source;	    /* view: the snapshot's path */
	struct theme theme;
	struct ui_glyphs glyphs;
	bool braille;
	struct ratio_def *ratios; /* built-ins then the profile's (--ratio, a snapshot's) */
	size_t nratios;
	enum ui_view_id view;
	bool help;	       /* the help screen is up */
	bool frozen;	       /* space: the display holds still, collection goes on */
	bool ended;	       /* the target ended (or a snapshot): frozen for good */
	const char *ended_why; /* for the banner */
	bool quit;
	bool dirty;   /* something changed: draw */
	bool loading; /* live: the symbols load after the first frame; the status line says so */
	bool can_color;
	int ncolors;
	uint64_t shown_ns;   /* frozen: the profile time shown (what the data covered then) */
	size_t shown_points; /* counter intervals shown (frozen: those at freeze time) */
	double self_cpu;     /* ringside's own CPU use, 0..ncpus */
	char message[1100];  /* a transient message on the status line */
	bool message_error;
	uint64_t message_until;	      /* monotonic ns */
	char queued[UI_QUEUED][1100]; /* shown in turn once the message expires, oldest first */
	bool queued_error[UI_QUEUED];
	int nqueued;
	size_t notes_shown; /* the session's notes queued so far (session_notes_since) */
	void *state[UI_NVIEWS];
	int rows, cols;
	struct baseline *baseline; /* b: the live profile as it was (ui/baseline.h), or NULL */
	void *annotate;		   /* the open annotation (ui/annotate_view), or NULL */
	void *output;		   /* O: the open command output pane (ui/output_view), or NULL */
	void *histo;		   /* H: the open histogram pane (ui/histo_view), or NULL */
	struct annotate_opts annotate_opts; /* where its source files are looked for */
	struct timetree tt;	/* key o: on-CPU, off-CPU or wall-clock (ui/timemode.h); zero: on */
	struct timerange range; /* [ ] < > R: the time range every view shows (ui/range.h) */
	/* E past the last event: 1 + the index in p->ratios of the ratio flamegraph shown, 0: none
	 * (ui/ratioflame_view.h). */
	size_t ratio;
	struct ui_spark_held spark; /* frozen: the last "when" sparkline (ui/range.c) */
};

struct view_ops {
	const char *name; /* the tab's name: "Overview" */
	const char *keys; /* help text for its keys, lines separated by '\n' */
	void *(*init)(struct ui *ui);
	void (*fini)(void *state);
	/* Draw into rows [top, top + rows) of stdscr, cols wide. */
	void (*draw)(struct ui *ui, void *state, int top, int rows, int cols);
	/* Handle a key; true when it was the view's (the screen is redrawn). */
	bool (*key)(struct ui *ui, void *state, int key);
	/* Handle a mouse event at screen coordinates; true when used. NULL: none. */
	bool (*mouse)(struct ui *ui, void *state, int y, int x, mmask_t bstate);
	/* True while the view takes every printable key (a search prompt): no global keys. */
	bool (*typing)(void *state);
	/* True when the view has nothing to show in this profile: no tab, Tab skips it. NULL:
	 * never. */
	bool (*hidden)(const struct ui *ui);
};

extern const struct view_ops overview_view_ops;
extern const struct view_ops flame_view_ops;
extern const struct view_ops sched_view_ops;
extern const struct view_ops events_view_ops;
extern const struct view_ops mem_view_ops;
extern const struct view_ops tasks_view_ops;
extern const struct view_ops kvm_view_ops;

/* Show msg on the status line for a few seconds (error: in the error colour). */
void ui_message(struct ui *ui, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Monotonic ns now. */
uint64_t ui_now(void);
/* Save a snapshot now (the `s` key): to the -o path's directory or the working directory. */
void ui_save_now(struct ui *ui);

#endif
