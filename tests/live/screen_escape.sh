#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Names from the profiled system reach the terminal escaped: `ringside view` of a snapshot whose
# function names and comm hold terminal escape sequences (an OSC that sets the window title, an SGR
# colour, reverse video) and a C1 control (CSI, U+009B) shows each control character as '?', so
# none of them acts: the pane's title stays what it was, and tmux's capture with attributes (-e)
# shows no attribute change inside the names. tests/data/screen-escape.json is
# tests/data/screen-calltree.json with, through jq -c:
#   .stacks.strings: "hot_mix" -> "hot\u001b]0;pwned\u0007_mix", "b_leaf" -> "b\u001b[31m_leaf\u009b",
#     "calltree" -> "ct\u001b]2;pwn\u0007\u001b[7m"; .sched.tasks[].comm: the same for "calltree".

. "$TESTLIB"
command -v tmux >/dev/null || skip_all "needs tmux"
make_tmpdir

R=$RINGSIDE
SNAP=$TESTDATA/screen-escape.json
HOT='hot?]0;pwned?_mix'
LEAF='b?[31m_leaf?'
COMM='ct?]2;pwn??[7m'

# ringside reads the names with their control characters (its own export of the snapshot keeps
# them), so the '?'s below are the screen's escaping, not names lost or mangled on the way in.
expect_status 0 "export of the snapshot to JSON" "$R" export "$SNAP" -o "$T/read-back.json"
check "ringside reads the names with ESC, BEL and a C1 control (its export keeps them)" "$JQ" -e '
	(.stacks.strings | index("hot\u001b]0;pwned\u0007_mix") and index("b\u001b[31m_leaf\u009b")
	 and index("ct\u001b]2;pwn\u0007\u001b[7m")) and
	([.sched.tasks[].comm] | index("ct\u001b]2;pwn\u0007\u001b[7m"))' "$T/read-back.json"

# The pane's title is set through the same kind of sequence first, so this tmux is shown to obey it.
screen_start 120 40 sh -c 'printf "\033]2;%s\007" before-ringside; exec "$@"' sh \
	"$R" view "$SNAP"
screen_wait 'SNAPSHOT' 10 || diag "the view did not open: $(screen_text)"

# shown VIEW ERE TEXT...: VIEW is drawn (ERE on screen), and each TEXT appears as is in the pane's
# text and, with no attribute change inside it, in its capture with attributes.
shown() {
	_view=$1 _ere=$2
	shift 2
	screen_wait "$_ere" 10 || diag "$_view: not drawn: $(screen_text)"
	screen_steady 10 || diag "$_view: the screen did not hold still"
	screen_text >"$T/$_view.txt"
	tmux -S "$_screen_sock" capture-pane -p -e >"$T/$_view.ansi"
	for _s in "$@"; do
		check "$_view: '$_s' shown with '?' for each control character" \
			grep -qF -- "$_s" "$T/$_view.txt"
		check "$_view: '$_s' drawn in one attribute (capture -e)" \
			grep -qF -- "$_s" "$T/$_view.ansi"
	done
	check "$_view: the status line is still the last row" \
		sh -c 'tail -n 1 "$1" | grep -q "screen-escape\.json │ 00:02 │"' sh "$T/$_view.txt"
	check "$_view: the pane's title is still the one set before ($(screen_flag pane_title))" \
		test "$(screen_flag pane_title)" = before-ringside
}

shown overview 'hottest functions' "$HOT" "$LEAF"
screen_keys 2
shown flame 'samples, cumulative' "$COMM (13070)" "$LEAF"
screen_keys 3
shown scheduler 'ct-worker:13076' "$COMM:13070" "$COMM    13070"
screen_keys q
screen_exit_is 0 "q quits with 0"

done_testing
