// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The terminal under curses: started in the modes the screen needs (keys unbuffered, keypad,
 * mouse clicks and wheel) and given back on every way out, the normal ones through term_restore
 * and the fatal signals through a handler that only writes the saved restore sequence and
 * termios, async-signal-safe, before dying of the same signal.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

#include "ringside/ui/term.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

/* What a fatal signal handler needs to give the terminal back: async-signal-safe data only. */
static struct termios term_saved_termios;
static bool term_have_termios;
static volatile sig_atomic_t term_curses_active;
static char term_restore_seq[256];
static size_t term_restore_len;

void
term_restore(void)
{
	if (!term_curses_active)
		return;
	term_curses_active = 0;
	endwin();
	/* Some terminals (tmux) bring back the cursor mode saved with the alternate screen on
	 * leaving it, so show the cursor again once back on the main screen. */
	{
		char *cnorm = tigetstr("cnorm");

		if (cnorm && cnorm != (char *)-1) {
			putp(cnorm);
			fflush(stdout);
		}
	}
}

/* A fatal signal: only async-signal-safe calls, then die of the same signal. */
static void
term_fatal_signal(int sig)
{
	if (term_curses_active) {
		if (term_restore_len &&
		    write(STDOUT_FILENO, term_restore_seq, term_restore_len) < 0) {
			/* Nothing more can be done from here. */
		}
		if (term_have_termios)
			tcsetattr(STDIN_FILENO, TCSADRAIN, &term_saved_termios);
	}
	outfile_remove_pending();
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Mouse reporting off, every xterm mode curses may have turned on for the mousemask below
 * (normal, button-event and any-event tracking, SGR coordinates): terminfo has no string for it.
 */
static const char term_mouse_off[] = "\033[?1000l\033[?1002l\033[?1003l\033[?1006l";

/* Append n bytes to the fatal-signal restore sequence (dropped when they do not fit). */
static void
term_restore_append(const char *s, size_t n)
{
	if (term_restore_len + n < sizeof(term_restore_seq)) {
		memcpy(term_restore_seq + term_restore_len, s, n);
		term_restore_len += n;
	}
}

/* Append a terminfo string capability to the fatal-signal restore sequence. */
static void
term_restore_add(const char *cap)
{
	char *s = tigetstr(cap);

	if (!s || s == (char *)-1)
		return;
	term_restore_append(s, strlen(s));
}

/* Whether curses reports the mouse on this terminal the xterm way (it has a mouse key). */
static bool
term_has_mouse(void)
{
	char *kmous = tigetstr("kmous");

	return kmous && kmous != (char *)-1 && *kmous;
}

static void
term_install_fatal_handlers(void)
{
	static const int sigs[] = { SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGQUIT };
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_fatal_signal;
	sa.sa_flags = SA_RESETHAND | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
}

int
term_start(struct errbuf *err)
{
	SCREEN *scr;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return errbuf_fail_as(err, ERRBUF_INPUT, -ENOTTY,
				      "the live screen needs a terminal; use 'ringside record -o "
				      "FILE.json' in scripts");
	if (tcgetattr(STDIN_FILENO, &term_saved_termios) == 0)
		term_have_termios = true;
	scr = newterm(NULL, stdout, stdin);
	if (!scr)
		return errbuf_fail(err, -EINVAL,
				   "cannot use terminal type '%s'; set TERM (e.g. TERM=xterm)",
				   getenv("TERM") ? getenv("TERM") : "");
	set_term(scr);
	term_curses_active = 1;
	xalloc_set_cleanup(term_restore);
	term_restore_len = 0;
	term_restore_add("sgr0");
	term_restore_add("rmcup");
	/* After rmcup, as endwin would leave them whatever the terminal restores with the main
	 * screen: the cursor shown (see term_restore), the keypad transmit and mouse
	 * reporting off. */
	term_restore_add("cnorm");
	term_restore_add("rmkx");
	if (term_has_mouse())
		term_restore_append(term_mouse_off, sizeof(term_mouse_off) - 1);
	term_install_fatal_handlers();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	/* Released too: a drag on a time axis chooses a range (ui/range). */
	mousemask(BUTTON1_CLICKED | BUTTON1_DOUBLE_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED |
			  BUTTON4_PRESSED | BUTTON5_PRESSED,
		  NULL);
	mouseinterval(0);
	return 0;
}
