#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Time ranges on the screen, on tests/workloads/phases (2 s in phase_a, 2 s in phase_b, then
# both in two threads), live (phases 2 2 6) and in `view` of the snapshot the live screen wrote.
# The oracle is a snapshot's own time index (stacks.timeline, read with python3): t_b, when the
# first phase_b sample was taken, and phase_a's share of [1 s, 3 s) by its counts. Live, while
# the last phase runs, phase_b's sparkline in the flamegraph's details line is at its lowest
# level (no samples) in every cell that ends before 2 s and above it after, and the range
# [0, 1 s) holds >= 90 % phase_a while the recording grows. Then, on the screen
# held when the command exited (s saves what it shows: the oracle) and again in view:
#   - [0, 1 s) chosen with [ > ] on the overview: the status line names it, the hottest functions
#     list phase_a and not phase_b, the flamegraph's search finds phase_a in >= 90 % of the range's
#     samples and phase_b in none, the task table lists the main thread and not the worker (it
#     had not started) and says it shows the range, task-clock reads one CPU or less;
#   - [3 s, 4 s): the reverse (phase_b >= 90 %, no phase_a, still no worker);
#   - [1 s, 3 s), across the switch: phase_a's share within 5 points (12 in the sanitizer build)
#     of its share of the time, (t_b - 1 s) / 2 s, and within 2 points of its share of the
#     index's counts;
#   - R clears; in view, phase_b's sparkline is empty before t_b and not after;
#   - the flame chart (c): phase_a's cell starts left of phase_b's, and phase_b's starts within 3
#     columns of where t_b falls; a click selects it, Enter makes its time the range (from t_b,
#     within a tenth of a second) and the chart zooms to it.
# An old snapshot (tests/data/screen-calltree.json, no time index) opens in view and says that
# ranges and the flame chart need a newer snapshot.

. "$TESTLIB"
require_root
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
command -v python3 >/dev/null 2>&1 || skip_all "python3 is not installed (the oracle)"
make_tmpdir
cpu_lock

R=$RINGSIDE
PH=$WORKLOADS/phases
W=150 # wide enough for the details line's sparkline and its span

text() {
	screen_text | sed 's/│/|/g; s/…/~/g'
}

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

# set_range A B: the range [A s, B s) through the keys, on the overview.
set_range() {
	screen_keys 1 R
	cursor_to "$1"
	screen_keys -l '['
	cursor_to "$2"
	screen_keys -l ']'
	screen_wait "range $1\\.00-$2\\.00 s" 5
}

# share NAME: the flamegraph search's share of NAME in what the flamegraph shows (the range).
share() {
	screen_keys 2 /
	screen_keys -l "$1"
	screen_keys Enter
	screen_wait "/$1: [0-9.]+%" 5 >/dev/null
	text | sed -n 's/.*\/'"$1"': \([0-9.]*\)%.*/\1/p' | head -n 1
}

# hot NAME: NAME is in the overview's hottest functions.
hot() {
	screen_keys 1
	sleep 0.3
	text | grep -Eq "%  *[0-9.]+% $1 "
}

# task NAME: NAME has a row in the scheduler view's task table.
task() {
	screen_keys 3
	sleep 0.3
	text | awk -v n="$1" 'seen && $2 == n { f = 1 } / task +tid +pid / { seen = 1 } END { exit !f }'
}

# give_up WHY: a failure that leaves nothing to check.
give_up() {
	ok 1 "$1"
	done_testing
	exit 0
}

ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 >= b + 0) }'; }
near() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { x = a - b; exit !(a != "" && x <= d && -x <= d) }'; }

# The oracle: "T_B DURATION SHARE_A(1-3 s)" from the snapshot's time index.
oracle() {
	python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["stacks"]
names = [s["strings"][f[0]] for f in s["frames"]]
under = []  # per node: the phase frames on its path
for parent, frame, _self, _total in s["nodes"]:
    here = set(under[parent]) if parent >= 0 else set()
    if names[frame] in ("phase_a", "phase_b"):
        here.add(names[frame])
    under.append(here)
q, t, first_b, inr, ina = s["timeline"]["quantum_ns"], 0, None, 0, 0
for dt, node, w in s["timeline"]["entries"]:
    t += dt
    ns = t * q
    if "phase_b" in under[node] and first_b is None:
        first_b = ns
    if 1e9 <= ns < 3e9:
        inr += w
        ina += w if "phase_a" in under[node] else 0
print("%.4f %.4f %.2f" % (first_b / 1e9, d["meta"]["duration_ns"] / 1e9, 100.0 * ina / max(inr, 1)))
PY
}

# spark_ok T_B: phase_b's "when:" sparkline in the details line (24 cells over the span it
# names, 0 to END) is at the lowest level wherever a cell ends before T_B, and above it in
# phase_b's own time.
spark_ok() {
	_line=$(screen_text | tail -n 2 | head -n 1)
	diag "details: $_line"
	python3 - "$1" "$_line" <<'PY'
import re, sys
tb, line = float(sys.argv[1]), sys.argv[2]
m = re.search(r"when: (\S{24}) 0\.00-([0-9.]+) s", line)
if not m:
    sys.exit("no sparkline of 24 cells and its span in the details line")
cells, end = m.group(1), float(m.group(2))
w = end / 24
bad = [i for i in range(24) if (i + 1) * w <= tb - 0.05 and cells[i] != "▁"]
bad += [i for i in range(24) if i * w >= tb + 0.05 and (i + 1) * w <= end - 0.3 and cells[i] == "▁"]
sys.exit("cells %s wrong in %s" % (bad, cells) if bad else 0)
PY
}

# col NAME: the first screen column where NAME is a frame's label in the chart's rows.
col() {
	text | sed -n '4,$p' | awk -v n="$1" '{ i = index($0, n); if (i && (m == "" || i < m)) m = i }
		END { print m - 1 }'
}

# click X Y: a button-1 press and release at (X, Y), as an xterm reports them (X10 encoding).
click() {
	_cx=$(printf '%03o' $((33 + $1)))
	_cy=$(printf '%03o' $((33 + $2)))
	screen_keys -l "$(printf "\\033[M \\$_cx\\$_cy")"
	screen_keys -l "$(printf "\\033[M#\\$_cx\\$_cy")"
}

# checks WHERE T_B DURATION SHARE_A: everything above on the screen that shows phases.
checks() {
	w=$1
	tb=$2
	dur=$3
	sa=$4
	screen_keys R
	check "$w: [ > ] sets the range 0-1 s and the status line names it" set_range 0 1
	check "$w, 0-1 s: phase_a is among the hottest functions" hot phase_a
	check "$w, 0-1 s: phase_b is not" eval '! hot phase_b'
	a=$(share phase_a)
	b=$(share phase_b)
	diag "$w, 0-1 s: phase_a $a%, phase_b $b%"
	check "$w, 0-1 s: phase_a holds >= 90% of the range's samples ($a)" ge "$a" 90
	check "$w, 0-1 s: phase_b holds none ($b)" near "$b" 0 0
	check "$w, 0-1 s: the task table lists the main thread" task phases
	check "$w, 0-1 s: and not the worker, which had not started" eval '! task ph-worker'
	check "$w, 0-1 s: the task table says it shows the range" \
		screen_wait 'tasks by cpu time in 0\.00-1\.00 s' 3
	screen_keys 1
	tc=$(text | awk '$1 == "task-clock" { print $2; exit }')
	check "$w, 0-1 s: task-clock over the range is one CPU or less ($tc CPU)" \
		awk -v v="$tc" 'BEGIN { exit !(v > 0.3 && v <= 1.2) }'

	check "$w: the range 3-4 s" set_range 3 4
	a=$(share phase_a)
	b=$(share phase_b)
	diag "$w, 3-4 s: phase_a $a%, phase_b $b%"
	check "$w, 3-4 s: phase_b holds >= 90% of the range's samples ($b)" ge "$b" 90
	check "$w, 3-4 s: phase_a holds none ($a)" near "$a" 0 0
	check "$w, 3-4 s: phase_a is not among the hottest functions" eval '! hot phase_a'
	check "$w, 3-4 s: the worker has no task row yet" eval '! task ph-worker'

	check "$w: the range 1-3 s" set_range 1 3
	a=$(share phase_a)
	b=$(share phase_b)
	want=$(awk -v t="$tb" 'BEGIN { printf "%.1f", (t - 1) / 2 * 100 }')
	diag "$w, 1-3 s: phase_a $a%, phase_b $b%; time says $want%, the index's counts $sa%"
	# The share of the time holds when the workload has the CPU evenly; the sanitizer build's
	# ringside takes much of a CPU while it starts (phase_a ran 44 % of its samples where its
	# time said 51.8 % in CI), so there it is ±12. The index's counts, next, are exact.
	tol=5
	[ "${RINGSIDE_SANITIZED:-0}" = 1 ] && tol=12
	check "$w, 1-3 s: phase_a's share is its share of the time ±$tol ($a vs $want)" \
		near "$a" "$want" "$tol"
	check "$w, 1-3 s: and of the index's counts ±2 ($a vs $sa)" near "$a" "$sa" 2
	check "$w, 1-3 s: phase_a and phase_b add up to the range ($a + $b)" \
		near "$(awk -v a="$a" -v b="$b" 'BEGIN { print a + b }')" 100 3

	screen_keys 1 R
	check "$w: R clears the range" screen_wait 'no range: every view shows the whole' 5
	if [ "$w" = view ]; then
		share phase_b >/dev/null
		check "$w: phase_b's details line has its samples against time" \
			screen_wait 'when: .* 0\.00-[0-9.]+ s' 5
		check "$w: phase_b's sparkline is empty before t_b and not after" spark_ok "$tb"
	fi

	screen_keys 2 c
	check "$w: c shows the flame chart" screen_wait 'flame chart \(x is time\): every thread' 5
	sleep 0.5
	screen_save "$T/chart-$w.txt"
	ca=$(col phase_a)
	cb=$(col phase_b)
	wantb=$(awk -v t="$tb" -v d="$dur" -v w="$W" 'BEGIN { printf "%d", 1 + (w - 2) * t / d }')
	diag "$w: chart: phase_a at column $ca, phase_b at $cb (t_b says $wantb)"
	check "$w: the chart shows phase_a left of phase_b" awk -v a="$ca" -v b="$cb" \
		'BEGIN { exit !(a >= 0 && b > a) }'
	check "$w: phase_b starts where t_b falls, ±3 columns" near "$cb" "$wantb" 3
	yb=$(text | grep -n 'phase_b' | head -n 1 | cut -d: -f1)
	click $((cb + 2)) $((yb - 1))
	check "$w: a click selects phase_b in the chart" screen_wait '^ phase_b  . [0-9.]+-' 5
	screen_keys Enter
	check "$w: Enter makes phase_b's time the range" \
		screen_wait "range [0-9.]+-[0-9.]+ s: phase_b's time" 5
	from=$(text | sed -n "s/.*range \([0-9.]*\)-[0-9.]* s: phase_b's time.*/\1/p" | head -n 1)
	check "$w: it starts at t_b within 0.1 s ($from vs $tb)" near "$from" "$tb" 0.1
	check "$w: the chart zooms to it" screen_wait "flame chart .* $from-" 5
	screen_keys c R
}

# --- live: phases 2 2 2, the screen held when the command exited; s saves what it shows
screen_start $W 40 "$R" -F 999 -g fp --no-save -o "$T/live.json" -- "$PH" 2 2 6
screen_keys 2
check "live: the flamegraph shows the worker thread (the last phase began)" \
	screen_wait 'ph-worker' 20
sleep 1
share phase_b >/dev/null
check "live: phase_b's sparkline in the details line, while it runs" \
	screen_wait 'when: .* 0\.00-[0-9.]+ s' 5
# The phase_b start as the snapshot will give it is not known yet: the workload's own clock
# says 2 s after it started, which is later than the recording's start by its launch.
check "live: phase_b's sparkline is empty in the first 2 s and not after" spark_ok 2
check "live, while it runs: the range 0-1 s" set_range 0 1
a=$(share phase_a)
check "live, while it runs: phase_a holds >= 90% of 0-1 s ($a)" ge "$a" 90
screen_keys R
check "live: the command runs to its end" screen_wait 'the command exited' 30
screen_keys s
check "live: s saves a snapshot of what the screen holds" screen_wait 'saved [^ ]*\.json' 10
snap=$(ls "$T"/ringside-*.json 2>/dev/null | head -n 1)
[ -s "$snap" ] || give_up "s wrote no snapshot"
set -- $(oracle "$snap")
diag "oracle (live): phase_b from $1 s of $2 s; phase_a holds $3% of 1-3 s"
check "the oracle found phase_b's start between 1.5 and 3 s ($1)" \
	awk -v t="$1" 'BEGIN { exit !(t >= 1.5 && t <= 3) }'
checks live "$1" "$2" "$3"
screen_keys q
screen_exit_is 0 "live: q exits 0 and writes -o"

# --- view of the snapshot the live screen wrote
test -s "$T/live.json" || give_up "no snapshot written"
set -- $(oracle "$T/live.json")
diag "oracle (view): phase_b from $1 s of $2 s; phase_a holds $3% of 1-3 s"
screen_start $W 40 "$R" view "$T/live.json"
cur=0
screen_wait 'Overview' 10
checks view "$1" "$2" "$3"
# Two clicks on the scheduler map: its first cell, then the last before 1 s.
screen_keys 3
screen_wait 'ms/cell' 5
bucket=$(text | sed -n 's/.* \([0-9]*\) ms\/cell.*/\1/p' | head -n 1)
row=$(text | grep -n '^cpu0 ' | head -n 1 | cut -d: -f1)
cw=$(text | sed -n "${row}p" | awk '{ s = substr($0, 6); i = match(s, /[^ ] *[^ ]/); if (i) {
	t = substr(s, i + 1); print match(t, /[^ ]/) } }')
diag "scheduler map: $bucket ms a cell, $cw columns a cell, cpu0 on line $row"
if [ -n "$bucket" ] && [ -n "$cw" ] && [ "$bucket" -gt 0 ] && [ "$bucket" -le 500 ]; then
	click 5 $((row - 1))
	click $((5 + (1000 / bucket - 1) * cw)) $((row - 1))
	check "view: two clicks on the scheduler map choose 0-1 s" \
		screen_wait 'range 0\.00-1\.00 s' 5
	check "view: the task table shows it, without the worker" \
		screen_wait 'tasks by cpu time in 0\.00-1\.00 s' 5
	check "view: the worker has no row in 0-1 s" eval '! task ph-worker'
else
	ok 1 "view: the scheduler map's cells are readable (bucket '$bucket', width '$cw')"
fi
screen_keys q
screen_exit_is 0 "view: q exits 0"

# --- an old snapshot: no time index
screen_start $W 40 "$R" view "$TESTDATA/screen-calltree.json"
screen_wait 'Overview' 10
screen_keys -l '['
check "old snapshot: [ says ranges need a snapshot with a time index" \
	screen_wait 'no time ranges: this snapshot has no time index' 5
check "old snapshot: no range is shown" eval '! text | grep -q "range [0-9]"'
screen_keys 2 c
check "old snapshot: the flame chart says the same" \
	screen_wait 'no flame chart: this snapshot has no time index' 5
screen_keys c
check "old snapshot: c again: the flamegraph still draws" screen_wait 'b_leaf' 5
screen_keys q
screen_exit_is 0 "old snapshot: q exits 0"

done_testing
