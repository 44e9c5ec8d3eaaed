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
# (they are written to the source tree's tests/data/screens/; GOLDEN_UPDATE takes 1 only, and a run
# that rewrote them fails, saying so, so it is never mistaken for a green one). Then the user's ratios of
# tests/data/snapshot-ratios.json in the overview's ratio panel, with values computed from its counts;
# and an aggregate of exited tasks in the scheduler view.

. "$TESTLIB"
case ${GOLDEN_UPDATE:-} in
'' | 1) ;;
*)
	echo "Bail out! GOLDEN_UPDATE='$GOLDEN_UPDATE': set it to 1 to rewrite the captures, or unset it"
	exit 1
	;;
esac
command -v tmux >/dev/null || skip_all "needs tmux"
make_tmpdir
cpu_lock

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
	# A snapshot's view is drawn once and holds still: wait for the stored capture (or, when
	# rewriting it, for two captures alike) rather than for a fixed time.
	if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
		screen_steady 10 || diag "$1: the screen did not hold still"
	else
		screen_same "$GOLD/$1.txt" 10
	fi
	screen_save "$T/$1.txt"
	screen_keys q
	if [ "${GOLDEN_UPDATE:-}" = 1 ]; then
		cp "$T/$1.txt" "$GOLD/$1.txt"
		ok 1 "$1: GOLDEN_UPDATE=1 rewrote $GOLD/$1.txt (nothing compared: rerun without GOLDEN_UPDATE)"
	else
		if ! cmp -s "$T/$1.txt" "$GOLD/$1.txt"; then
			diag "$1 differs from the stored capture:"
			diff -u "$GOLD/$1.txt" "$T/$1.txt" | sed 's/^/#   /'
		fi
		check "$1: the screen equals tests/data/screens/$1.txt" \
			cmp -s "$T/$1.txt" "$GOLD/$1.txt"
	fi
	screen_exit_is 0 "$1: q quits with 0"
}

golden overview-120x40 120 40 overview
golden flame-120x40 120 40 flame
golden scheduler-120x40 120 40 scheduler
SCREEN_TERM=vt100 SCREEN_LANG=C golden overview-80x24-ascii 80 24 overview
check "vt100, LANG=C: the screen ringside drew has text and no byte >= 0x80" \
	sh -c 'grep -q "SNAPSHOT" "$1" && test "$(LC_ALL=C grep -c "[^ -~]" "$1")" = 0' sh \
	"$T/overview-80x24-ascii.txt"

# The user's ratios a snapshot keeps, in the overview's ratio panel: tests/data/snapshot-ratios.json
# counts page faults and context switches in three intervals and names pfcs (faults per switch)
# and cs % (switches per fault, a percentage). Each row shows the last interval's value, then the
# lowest and the highest, computed here from the counts; view's --ratio replaces a ratio of the
# same name.
RS=$TESTDATA/snapshot-ratios.json
per=$("$JQ" -r '[.events[0].series[0].count, .events[1].series[0].count] | transpose |
	map(.[0] / .[1]) | "\(.[-1]) \(min) \(max)"' "$RS")
pfcs=$(echo "$per" | awk '{ printf "%.3f .* %.3f +%.3f", $1, $2, $3 }')
cs=$(echo "$per" | awk '{ printf "%.2f%% .* %.2f%% +%.2f%%", 100 / $1, 100 / $3, 100 / $2 }')
screen_start 120 40 "$R" view "$RS"
if screen_wait 'SNAPSHOT' 10; then
	screen_wait '^ cs % +[0-9]' 10 && screen_steady 10 || diag "ratios: the view did not settle"
	screen_save "$T/ratios.txt"
	check "ratios: the pfcs row reads $pfcs (value, min, max)" \
		grep -Eq "^ pfcs +$pfcs *\$" "$T/ratios.txt"
	check "ratios: the cs % row reads $cs" grep -Eq "^ cs % +$cs *\$" "$T/ratios.txt"
	check "ratios: after the built-in ones, in the file's order" test "$(grep -Eo \
		'^ (IPC|CPI|cache-miss %|branch-miss %|pfcs|cs %) ' "$T/ratios.txt" | tr -d ' ' |
		tr '\n' ,)" = "IPC,CPI,cache-miss%,branch-miss%,pfcs,cs%,"
	screen_keys q
	screen_exit_is 0 "ratios: q quits with 0"
else
	check "ratios: the view opens" false
fi
last=$(echo "$per" | awk '{ printf "%.3f", 1 / $1 }')
screen_start 120 40 "$R" view --ratio pfcs=context-switches/page-faults "$RS"
if screen_wait 'SNAPSHOT' 10; then
	screen_wait '^ pfcs +[0-9]' 10 && screen_steady 10 || diag "ratios: the view did not settle"
	screen_save "$T/ratios2.txt"
	check "ratios: view --ratio pfcs=context-switches/page-faults replaces the file's pfcs ($last)" \
		sh -c 'grep -Eq "^ pfcs +$1 " "$2" && [ "$(grep -c "^ pfcs " "$2")" = 1 ]' _ "$last" \
		"$T/ratios2.txt"
	screen_keys q
	screen_exit_is 0 "ratios: view --ratio: q quits with 0"
else
	check "ratios: view --ratio opens" false
fi

# An aggregate of folded exited tasks (a long recording's; here the fixture's ct-worker made one
# with jq): the legend and the task table name it "comm (N exited)", not by its TID 0.
"$JQ" '.sched.tasks[2] |= (.folded = 37 | .tid = 0 | .pid = 0)' "$TESTDATA/$SNAP" >"$T/agg.json"
screen_start 120 40 "$R" view --view scheduler "$T/agg.json"
if screen_wait 'SNAPSHOT' 10; then
	screen_wait 'ct-worker \(37 exited\) +[0-9]' 10 && screen_steady 10 ||
		diag "aggregate: the view did not settle"
	screen_save "$T/agg.txt"
	check "aggregate: the legend names it 'B ct-worker (37 exited)'" \
		grep -Eq "   B ct-worker \(37 exited\)( |\$)" "$T/agg.txt"
	check "aggregate: its table row has its name, no TID, and its CPU time" \
		grep -Eq "^ B +ct-worker \(37 exited\) +988 ms +277 " "$T/agg.txt"
	screen_keys q
	screen_exit_is 0 "aggregate: q quits with 0"
else
	check "aggregate: the view opens" false
fi

done_testing
