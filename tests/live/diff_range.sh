#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Range against range, on a recording of tests/workloads/phases 2 2 1 (2 s in phase_a, 2 s in
# phase_b, then both in two threads). The oracle is the snapshot's own time index
# (stacks.timeline, read with python3): each range's samples, and phase_a's and phase_b's share
# of them (a sample counts for a function when the function is on its path).
#   - ringside diff X.json X.json --range-a 0.2-1.8 --range-b 2.2-3.8 -o d.json: each side's
#     samples are the oracle's count of its range exactly; phase_b's change of total share is the
#     oracle's within 5 points (about +99), phase_a's likewise (about -99); the names carry the
#     ranges; no per-task figures; the folded diff's columns add up to the two ranges' samples;
#     a range outside the recording is refused (exit 2, naming --range-b) and writes nothing;
#     the diff screen of the same names both ranges and shows phase_b's change as the JSON.
#   - view X.json: [0 s, 2 s) chosen and b keeps it as the baseline, then [2 s, 4 s) chosen and
#     d in the Flame view shows "Against the baseline range" with both ranges named; the
#     functions by change give phase_b + and phase_a -, each within 5 points of the oracle's
#     change between the two ranges; R (no range) compares the whole recording against the
#     baseline range; b in view without a range still says how to compare snapshots.
#   - live (phases 2 2 30): the same two ranges once the recording is past 4 s, checked against
#     the oracle on the snapshot q writes (-o), whose first 4 s are what the screen held.

. "$TESTLIB"
require_root
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (the oracle)"
command -v jq >/dev/null 2>&1 || skip_all "jq is not installed"
make_tmpdir
cpu_lock

R=$RINGSIDE
PH=$WORKLOADS/phases
W=150

near() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { x = a - b; exit !(a != "" && x <= d && -x <= d) }'; }

# oracle FILE A0 A1 B0 B1: "NA NB DELTA_A DELTA_B": the samples in [A0, A1) and [B0, B1) (s),
# and the change of phase_a's and phase_b's share (points) from the first range to the second.
oracle() {
	python3 - "$@" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a0, a1, b0, b1 = (float(x) * 1e9 for x in sys.argv[2:6])
s = d["stacks"]
names = [s["strings"][f[0]] for f in s["frames"]]
under = []
for parent, frame, _self, _total in s["nodes"]:
    here = set(under[parent]) if parent >= 0 else set()
    if names[frame] in ("phase_a", "phase_b"):
        here.add(names[frame])
    under.append(here)
q, t = s["timeline"]["quantum_ns"], 0
n = {"A": 0, "B": 0}
f = {(r, p): 0 for r in "AB" for p in ("phase_a", "phase_b")}
for dt, node, w in s["timeline"]["entries"]:
    t += dt
    ns = t * q
    for r, lo, hi in (("A", a0, a1), ("B", b0, b1)):
        if lo <= ns < hi:
            n[r] += w
            for p in under[node]:
                f[(r, p)] += w
sh = lambda r, p: 100.0 * f[(r, p)] / max(n[r], 1)
print("%d %d %.2f %.2f" % (n["A"], n["B"], sh("B", "phase_a") - sh("A", "phase_a"),
                           sh("B", "phase_b") - sh("A", "phase_b")))
PY
}

# --- the command line
"$R" record -F 999 -g fp -o "$T/ph.json" -- "$PH" 2 2 1 >"$T/rec.out" 2>"$T/rec.err"
ok $? "record phases 2 2 1 ($(tail -n 1 "$T/rec.err"))"
set -- $(oracle "$T/ph.json" 0.2 1.8 2.2 3.8)
diag "oracle: $1 samples in 0.2-1.8 s, $2 in 2.2-3.8 s; phase_a $3, phase_b $4 points"
"$R" diff "$T/ph.json" "$T/ph.json" --range-a 0.2-1.8 --range-b 2.2-3.8 -o "$T/d.json" \
	2>"$T/diff.err"
ok $? "diff --range-a 0.2-1.8 --range-b 2.2-3.8 -o d.json exits 0"
na=$(jq '.a.samples' "$T/d.json")
nb=$(jq '.b.samples' "$T/d.json")
check "A's samples are the oracle's count in 0.2-1.8 s ($na vs $1)" test "$na" = "$1"
check "B's samples are the oracle's count in 2.2-3.8 s ($nb vs $2)" test "$nb" = "$2"
da=$(jq '.functions[] | select(.name == "phase_a") | .total_delta' "$T/d.json")
db=$(jq '.functions[] | select(.name == "phase_b") | .total_delta' "$T/d.json")
check "phase_b grew by the oracle's change ±5 ($db vs $4)" near "$db" "$4" 5
check "phase_a shrank by the oracle's change ±5 ($da vs $3)" near "$da" "$3" 5
check "and by a lot: phase_b >= +80, phase_a <= -80" \
	awk -v a="$da" -v b="$db" 'BEGIN { exit !(b >= 80 && a <= -80) }'
check "the sides are named with their ranges" \
	test "$(jq -r '.a.file + " " + .b.file' "$T/d.json")" = \
	"$T/ph.json@0.2-1.8 $T/ph.json@2.2-3.8"
check "no per-task figures (the scheduler's are the whole recording's)" \
	test "$(jq '.sched | length' "$T/d.json")" = 0
tc=$(jq '.counters[] | select(.name == "task-clock") | .a_rate / 1e9' "$T/d.json")
check "task-clock over range A is about one CPU or less ($tc)" \
	awk -v v="$tc" 'BEGIN { exit !(v > 0.3 && v <= 1.2) }'
"$R" diff "$T/ph.json" "$T/ph.json" --range-a 0.2-1.8 --range-b 2.2-3.8 -o "$T/d.folded"
ok $? "the same diff -o d.folded exits 0"
check "the folded diff's A column adds up to range A's samples" \
	test "$(awk '{ s += $(NF - 1) } END { print s }' "$T/d.folded")" = "$1"
check "and its B column to range B's" \
	test "$(awk '{ s += $NF } END { print s }' "$T/d.folded")" = "$2"
"$R" diff "$T/ph.json" "$T/ph.json" --range-a 0.2-1.8 --range-b 2.2-3.8 -o "$T/d.html"
ok $? "the same diff -o d.html exits 0"
check "the page names both ranges" sh -c "grep -q 'ph.json@0.2-1.8' '$T/d.html' &&
	grep -q 'ph.json@2.2-3.8' '$T/d.html'"
"$R" diff "$T/ph.json" "$T/ph.json" --range-b 9-10 -o "$T/bad.json" 2>"$T/bad.err"
check "a range outside the recording exits 2" test $? -eq 2
check "and says which ($(cat "$T/bad.err"))" grep -q -- '--range-b .*outside the recording' \
	"$T/bad.err"
check "and writes nothing" test ! -e "$T/bad.json"
"$R" diff "$T/ph.json" "$T/ph.json" --range-a 0-2 -o "$T/w.json"
ok $? "a range against the whole recording exits 0"
check "the whole side is the snapshot's samples" \
	test "$(jq '.b.samples' "$T/w.json")" = "$(jq '[.stacks.nodes[][2]] | add' "$T/ph.json")"

# --- the diff screen of two ranges
screen_start $W 40 "$R" diff "$T/ph.json" "$T/ph.json" --range-a 0.2-1.8 --range-b 2.2-3.8
screen_wait 'By change' 10 || diag "the diff screen did not come up"
check "diff screen: both sides named with their ranges" \
	screen_wait 'ph\.json@0\.2-1\.8 .*ph\.json@2\.2-3\.8' 5
d=$(screen_text | awk '$2 == "phase_b" && $1 == "+" { print $5; exit }')
check "diff screen: phase_b + by the JSON's change ±0.1 ($d vs $db)" near "$d" "$db" 0.1
screen_keys q
screen_exit_is 0 "diff screen: q quits" 10

# --- the screen
# The cursor's position in whole seconds; ranges are set from the overview (a step of 1 s).
cur=0
cursor_to() {
	while [ "$cur" -lt "$1" ]; do
		screen_keys -l '>'
		cur=$((cur + 1))
	done
	while [ "$cur" -gt "$1" ]; do
		screen_keys -l '<'
		cur=$((cur - 1))
	done
}
set_range() {
	screen_keys 1 R
	cursor_to "$1"
	screen_keys -l '['
	cursor_to "$2"
	screen_keys -l ']'
	screen_wait "range $1\\.00-$2\\.00 s" 5
}
# change FUNCTION: "MARK CHANGE" from FUNCTION's row in the functions by change.
change() {
	screen_text | awk -v f="$1" '$2 == f && ($1 == "+" || $1 == "-") { print $1, $5; exit }'
}

# screen_checks WHERE SNAPSHOT: baseline 0-2 s, compare 2-4 s, then the whole recording. The
# changes are checked against the snapshot's oracle; with "-" (live: the snapshot comes at q),
# only their marks here, their size after.
screen_checks() {
	w=$1
	if [ "$2" = - ]; then
		set -- - - -99 99 # the marks only: any change passes
		tol=1000
	else
		set -- $(oracle "$2" 0 2 2 4)
		tol=5
		diag "$w: oracle: phase_a $3, phase_b $4 points from 0-2 s to 2-4 s"
	fi
	check "$w: the range 0-2 s" set_range 0 2
	screen_keys b
	check "$w: b keeps the range as the baseline" \
		screen_wait 'baseline: range 0\.00-2\.00 s \([0-9]+ samples\)' 5
	check "$w: the range 2-4 s" set_range 2 4
	screen_keys 2 d
	check "$w: d compares it against the baseline range" \
		screen_wait 'Against the baseline range.*baseline range 0\.00-2\.00 s' 10
	check "$w: the compared side is the range 2-4 s" screen_wait 'range 2\.00-4\.00 s' 5
	sleep 0.5
	screen_save "$T/screen-$w.txt"
	b=$(change phase_b)
	a=$(change phase_a)
	diag "$w: phase_b '$b', phase_a '$a'"
	check "$w: phase_b grew: + and the oracle's change ±$tol ($b vs $4)" \
		awk -v s="$b" -v o="$4" -v t="$tol" 'BEGIN { split(s, x, " "); d = x[2] - o;
			exit !(x[1] == "+" && d <= t && -d <= t) }'
	check "$w: phase_a shrank: - and the oracle's change ±$tol ($a vs $3)" \
		awk -v s="$a" -v o="$3" -v t="$tol" 'BEGIN { split(s, x, " "); d = x[2] - o;
			exit !(x[1] == "-" && d <= t && -d <= t) }'
	screen_keys 1 R 2
	check "$w: with no range, the whole recording against the baseline range" \
		screen_wait 'the whole recording' 10
	screen_keys d
	check "$w: d again: back to the flamegraph" screen_gone 'Against the baseline' 5
}

screen_start $W 40 "$R" view "$T/ph.json"
screen_wait 'Overview' 10 || diag "view did not come up"
screen_keys 2 d
check "view: d with no baseline says how to keep a range" \
	screen_wait 'choose a time range \(\[ \]\), b keeps it' 5
screen_keys b
check "view: b with no range says how to compare snapshots" screen_wait 'ringside diff A B' 5
screen_checks view "$T/ph.json"
screen_keys q
screen_exit_is 0 "view: q quits" 10

screen_start $W 40 "$R" -F 999 -g fp --no-save -o "$T/live.json" -- "$PH" 2 2 30
screen_wait 'Overview' 20 || diag "the live screen did not come up"
screen_keys 2
check "live: the last phase began (the worker shows)" screen_wait 'ph-worker' 20
sleep 0.5
cur=0
# The oracle needs the snapshot, written at q: the ranges are past, so it holds what they held.
screen_checks live -
screen_keys q
screen_exit_is 0 "live: q quits" 20
test -s "$T/live.json" || diag "no live snapshot"
set -- $(oracle "$T/live.json" 0 2 2 4)
diag "live: oracle after the fact: phase_a $3, phase_b $4 points"
b=$(awk '$2 == "phase_b" && ($1 == "+" || $1 == "-") { print $5; exit }' "$T/screen-live.txt")
a=$(awk '$2 == "phase_a" && ($1 == "+" || $1 == "-") { print $5; exit }' "$T/screen-live.txt")
check "live: phase_b's change on the screen is the snapshot oracle's ±5 ($b vs $4)" near "$b" "$4" 5
check "live: phase_a's likewise ($a vs $3)" near "$a" "$3" 5
screen_stop

done_testing
