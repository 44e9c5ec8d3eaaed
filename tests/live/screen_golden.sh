#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Golden screens: `ringside view` of a fixture snapshot (tests/data/screen-calltree.json, the call
# tree workload recorded for 2 s) drawn in tmux and compared, character for character, with the
# captures stored in tests/data/screens/: the overview, the flamegraph and the scheduler map at
# 120x40 in UTF-8, and the overview at 80x24 on a vt100 in the C locale (ASCII only). A snapshot
# holds still, so any difference is a change of the drawing: look at the diff in the output, and
# when the change is meant, regenerate the captures with
#   GOLDEN_UPDATE=1 make check TESTS=tests/live/screen_golden.sh
# (they are written to the source tree's tests/data/screens/).

. "$TESTLIB"
command -v tmux >/dev/null || skip_all "needs tmux"
make_tmpdir

R=$RINGSIDE
SNAP=screen-calltree.json
GOLD=$TESTDATA/screens

# golden NAME W H VIEW: draw VIEW of the fixture at W x H and compare with $GOLD/NAME.txt.
golden() {
	screen_start "$2" "$3" sh -c "cd '$TESTDATA' && exec '$R' view --view $4 $SNAP"
	if ! screen_wait 'SNAPSHOT' 10; then
		check "$1: the view opens" false
		return
	fi
	sleep 0.5
	screen_save "$T/$1.txt"
	screen_keys q
	rc=$(screen_exit 10)
	if [ -n "$GOLDEN_UPDATE" ]; then
		cp "$T/$1.txt" "$GOLD/$1.txt"
		diag "wrote $GOLD/$1.txt"
	fi
	if ! cmp -s "$T/$1.txt" "$GOLD/$1.txt"; then
		diag "$1 differs from the stored capture:"
		diff -u "$GOLD/$1.txt" "$T/$1.txt" | sed 's/^/#   /'
	fi
	check "$1: the screen equals tests/data/screens/$1.txt" cmp -s "$T/$1.txt" "$GOLD/$1.txt"
	check "$1: q quits with 0 ($rc)" test "$rc" = 0
}

golden overview-120x40 120 40 overview
golden flame-120x40 120 40 flame
golden scheduler-120x40 120 40 scheduler
SCREEN_TERM=vt100 SCREEN_LANG=C golden overview-80x24-ascii 80 24 overview
check "the ASCII capture has no byte >= 0x80" \
	test "$(LC_ALL=C grep -c '[^ -~]' "$GOLD/overview-80x24-ascii.txt")" = 0

done_testing
