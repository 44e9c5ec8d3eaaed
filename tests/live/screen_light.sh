#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What keeps the live screen light on the terminal, driven in tmux (system-wide, --ascii so that a
# column is a byte), with everything ringside writes captured by tmux's pipe-pane:
#   - the first frame comes before the symbols are loaded and its status line says "loading
#     symbols"; once they are, the status line names the target and its figures instead;
#   - the overview's sparklines sweep: the first intervals fill the history column from its left
#     end (a snapshot's view right-aligns them: tests/live/screen_golden.sh), the rest of the
#     column stays blank until the sweep reaches it.

. "$TESTLIB"
require_root
command -v tmux >/dev/null || skip_all "needs tmux"
make_tmpdir
cpu_lock

R=$RINGSIDE
cd "$T" || exit 1

# The pane waits a moment, so that pipe-pane is on before ringside writes anything.
screen_start 120 40 sh -c "sleep 1; exec '$R' --ascii -F 99 -g fp"
tmux -S "$_screen_sock" pipe-pane -o "cat >>'$T/raw'"
screen_wait 'samples' 20 || diag "no status line figures: $(screen_text | tail -n 1)"
screen_wait '\| 00:0[3-9] \|' 20 || diag "the clock did not reach 00:03: $(screen_text | tail -n 1)"
screen_save "$T/live.txt"

check "the first frame's status line said 'loading symbols'" grep -q 'loading symbols' "$T/raw"
check "then the status line names the target instead" \
	sh -c "tail -n 1 '$T/live.txt' | grep -q 'system-wide' && ! grep -q 'loading symbols' '$T/live.txt'"

# field LINE_RE: the history column of the counter row matching LINE_RE (from the header's
# "history" to the "min" column), with its blanks kept.
field() {
	awk -v re="$1" '
		/^ event +rate history/ { h = index($0, "history"); w = index($0, "     min") - h }
		h && $0 ~ re { printf "%-*s|\n", w, substr($0, h, w); exit }' "$T/live.txt"
}
f=$(field '^ task-clock ')
diag "task-clock history after 3+ intervals: '$f'"
check "the sweep starts at the left end of the history column" \
	sh -c "printf '%s\n' '$f' | grep -Eq '^[^ ]'"
check "and the column's right end is still blank" \
	sh -c "printf '%s\n' '$f' | grep -Eq ' {8}[|]$'"

screen_keys q
screen_exit_is 0 "q quits with 0"
done_testing
