#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live baseline: `b` keeps the live profile as it is, `d` in the Flame view shows what changed
# since. The screen launches a shell that runs tests/workloads/split 90/5/5 for 4 s (a_fn 90%),
# marks the switch with a file, then split 5/5/90 (c_fn 90%). `b` is pressed as soon as the mark
# appears, so the baseline holds the first phase and what comes after it is the second: c_fn grew
# and a_fn shrank each by at least 60 points of share (about 85 expected). Were the "since" side
# the whole profile instead (the baseline's samples counted twice), c_fn's share after would be
# about 40% and its change under 40 points, so the bound tells the two apart. Checked too: `d`
# with no baseline says how to take one; `d` again goes back to the flamegraph; `b` in `view`
# says how to compare snapshots; q quits with status 0.

. "$TESTLIB"
require_root
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
make_tmpdir
cpu_lock

R=$RINGSIDE
S=$WORKLOADS/split

# change FUNCTION: the change column of FUNCTION's row in the functions-by-change table, and its
# mark (+ or -), as "MARK CHANGE" (the row: mark, name, A%, B%, change, then the counters
# table beside it); empty when the row is not on the screen.
change() {
	screen_text | awk -v f="$1" '$2 == f && ($1 == "+" || $1 == "-") { print $1, $5; exit }'
}

screen_start 120 40 "$R" -I 500 -g fp -- sh -c \
	"$S 90/5/5 4; : >'$T/phase2'; exec $S 5/5/90 60"
screen_wait 'Flame' 20 || diag "the live screen did not come up"
screen_keys 2
screen_wait 'a_fn' 20 || diag "a_fn never showed in the flamegraph"
screen_keys d
check "d before any baseline says how to take one" screen_wait 'no baseline yet: b keeps' 5
i=0
while [ ! -e "$T/phase2" ] && [ $i -lt 150 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "the workload reached its second phase" test -e "$T/phase2"
screen_keys b
check "b: the baseline is taken, and the message says where to see it" \
	screen_wait 'baseline: the profile at [0-9.]+ s \([0-9]+ samples\); d in the Flame view' 5
sleep 3
screen_keys d
check "d: the change since the baseline replaces the flamegraph" \
	screen_wait 'Since the baseline +A baseline \(0-[0-9.]+ s\)' 10
# One more refresh, so the table holds what came since.
sleep 1.5
screen_text >"$T/diff.txt"
diag "functions by change: $(grep -E '^[+-] [abc]_fn ' "$T/diff.txt" | cut -c1-60 | tr -s ' ' |
	paste -s -d ';')"
c=$(change c_fn)
a=$(change a_fn)
check "c_fn grew: marked + and up by >= 60 points ($c)" \
	awk -v s="$c" 'BEGIN { split(s, x, " "); exit !(x[1] == "+" && x[2] + 0 >= 60) }'
check "a_fn shrank: marked - and down by >= 60 points ($a)" \
	awk -v s="$a" 'BEGIN { split(s, x, " "); exit !(x[1] == "-" && x[2] + 0 <= -60) }'
screen_keys d
check "d again: back to the flamegraph" screen_gone 'Since the baseline' 5
screen_keys q
screen_exit_is 0 "live: q quits" 20

# --- view: b has nothing live to keep
"$R" record -F 999 -g fp -o "$T/s.json" -- "$S" 50/25/25 1 2>"$T/rec.err"
ok $? "record -- split 50/25/25 1 exits 0"
screen_start 120 40 "$R" view "$T/s.json"
screen_wait 'Flame' 10 || diag "view did not come up"
screen_keys b
check "view: b says how to compare snapshots" screen_wait 'ringside diff A B' 5
screen_keys q
screen_exit_is 0 "view: q quits" 10
screen_stop

done_testing
