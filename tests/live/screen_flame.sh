#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Flamegraph view, driven through tmux on the known call tree (tests/workloads/calltree.c:
# main;a;b has 75% of main;a, main;a;c 25%, b_leaf under b, the worker thread's worker;w_spin).
#   - `ringside view --view flame` of a snapshot recorded from calltree: the frames show, b's bar
#     is wider than c's in the ratio of their samples in the snapshot's folded export, the search
#     for b_leaf shows the share the folded stacks give, the details line names the frame's file,
#     Enter on b zooms (b spans the width, c and the worker thread are gone), Esc and Backspace
#     zoom out, i flips the root row from the bottom to the top, f filters to the worker thread,
#     the mouse selects and zooms, and the screen still draws at 80x24;
#   - the same with TERM=vt100 LANG=C: not one byte >= 0x80 on the screen;
#   - live (`ringside --view flame -- calltree`): the frames show, w switches the header between
#     cumulative and the last 10 s, the b_leaf share is within 8 points of the folded export of
#     the same run's -o snapshot, and while frozen the view keeps its numbers through redraws and
#     the flame chart (c) its details line's 'when' sparkline;
#   - live with -g dwarf on calltree-nofp: main, a, b, c and worker show (the unwinder found the
#     callers) and the run's hot_mix, in a library without frame pointers, has its callers;
#   - with --no-samples the view says so in a line.
# Frames are cells ending with a separator ('|', or the Unicode bar, read as '|' here), so widths
# are measured from the screen's text.

. "$TESTLIB"
require_root
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree

# The screen's text with the Unicode separator and ellipsis as ASCII, so awk counts columns.
text() {
	screen_text | sed 's/│/|/g; s/…/~/g'
}

# cell_w NAME: the width of the first cell labelled NAME on the screen (label, padding and its
# separator), or nothing.
cell_w() {
	text | awk -v n="$1" '{
		for (i = 1; i + length(n) <= length($0) + 1; i++) {
			if (substr($0, i, length(n)) != n) continue
			p = i == 1 ? "|" : substr($0, i - 1, 1)
			q = substr($0, i + length(n), 1)
			if ((p != "|" && p != " ") || (q != " " && q != "|")) continue
			j = index(substr($0, i), "|")
			if (j) { print j; exit }
		}
	}'
}

# cell_at NAME: "X Y" (0-based) of the first cell labelled NAME.
cell_at() {
	text | awk -v n="$1" '{
		for (i = 1; i + length(n) <= length($0) + 1; i++) {
			if (substr($0, i, length(n)) != n) continue
			p = i == 1 ? "|" : substr($0, i - 1, 1)
			q = substr($0, i + length(n), 1)
			if ((p == "|" || p == " ") && (q == " " || q == "|")) {
				print i - 1, NR - 1; exit
			}
		}
	}'
}

has_cell() {
	[ -n "$(cell_w "$1")" ]
}

has_cells() {
	for _c in "$@"; do
		has_cell "$_c" || return 1
	done
}

# details ERE: the details line (above the status line) matches ERE.
details() {
	text | tail -n 2 | head -n 1 | grep -Eq -- "$1"
}

# header ERE: the view's header line matches ERE.
header() {
	text | sed -n 2p | grep -Eq -- "$1"
}

zoomed_b() {
	! has_cell c && ! has_cell worker && ! has_cell w_spin && has_cell b_leaf
}

worker_only() {
	has_cells worker w_spin && ! has_cell main && ! has_cell b
}

# line_of ERE: the first screen line (1-based) matching ERE.
line_of() {
	text | grep -nE -- "$1" | head -n 1 | cut -d: -f1
}

# plus A B: A + B (floats).
plus() {
	awk -v a="$1" -v b="$2" 'BEGIN { print a + b }'
}

# The share the header shows for the search ("/QUERY: 12.3%").
shown_share() {
	text | sed -n 's/.*\/'"$1"': \([0-9.]*\)%.*/\1/p' | head -n 1
}

# click X Y: a button-1 press and release at (X, Y), as an xterm reports them (X10 encoding).
click() {
	_cx=$(printf '%03o' $((33 + $1)))
	_cy=$(printf '%03o' $((33 + $2)))
	screen_keys -l "$(printf "\\033[M \\$_cx\\$_cy")"
	screen_keys -l "$(printf "\\033[M#\\$_cx\\$_cy")"
}

# The frame rows, header and details of the screen (no top bar, no status line).
body() {
	text | sed '1d;$d'
}

# --- a snapshot of calltree
timeout 60 "$R" record -F 999 -g fp -o "$T/ct.json" -- "$CT" 2 2>"$T/rec.err"
ok $? "record -o X.json -- calltree 2 exits 0"
timeout 30 "$R" export "$T/ct.json" -o "$T/ct.folded" 2>>"$T/rec.err"
ok $? "export X.json -o X.folded exits 0"
all=$(folded_sum "$T/ct.folded" '')
nb=$(folded_sum "$T/ct.folded" ';main;a;b(;|$)')
nc=$(folded_sum "$T/ct.folded" ';main;a;c(;|$)')
nbl=$(folded_sum "$T/ct.folded" ';b_leaf(;|$)')
diag "snapshot: $all samples; b $nb, c $nc, b_leaf $nbl"

screen_start 120 40 "$R" view --view flame "$T/ct.json"
screen_wait 'b_leaf' 10
ok $? "view --view flame: the flamegraph comes up"
screen_save "$T/view.txt"
for f in all main a b c b_leaf worker w_spin; do
	check "view: frame '$f' is on the screen" has_cell "$f"
done
wb=$(cell_w b)
wc=$(cell_w c)
pw=$(pct "$wb" $((wb + wc)))
pf=$(pct "$nb" $((nb + nc)))
diag "view: b is $wb columns wide, c $wc: b has $pw% of b+c on screen, $pf% in the folded stacks"
check "view: b's bar ($wb) is wider than c's ($wc)" test "${wb:-0}" -gt "${wc:-0}"
check "view: b's share of b+c on screen ($pw%) is the folded stacks' ($pf%) +- 5" \
	in_range "$pw" "$(plus "$pf" -5)" "$(plus "$pf" 5)"
check "view: the root row is at the bottom (flame)" \
	test "$(line_of '^all +\|$')" -gt "$(line_of '(^|[| ])main +\|')"
check "view: the details line shows the root selected" details '^ all .*total 100\.0%'

# Search: the header shows the share the folded stacks give.
screen_keys / b _ l e a f Enter
screen_wait '/b_leaf: [0-9.]+%' 5
share=$(shown_share b_leaf)
want=$(pct "$nbl" "$all")
check "search: b_leaf's share on screen ($share%) is the folded stacks' ($want%)" \
	in_range "$share" "$(plus "$want" -0.15)" "$(plus "$want" 0.15)"
check "search: the first match is selected; its details name calltree.c:LINE" \
	details '^ b_leaf .*self [0-9.]+% \([0-9]+\).*total .*user.*calltree\.c:[0-9]+'

# Zoom into b (b_leaf's caller): b spans the width, what is outside b is gone.
screen_keys Down
screen_wait '^ b  ' 5
screen_keys Enter
screen_wait 'zoom: b' 5
ok $? "zoom: Enter on b says 'zoom: b'"
screen_save "$T/zoom.txt"
check "zoom: b spans the full 120 columns" \
	sh -c 'sed "s/│/|/g" "$1" | grep -Eq "^b {118}\|$"' sh "$T/zoom.txt"
check "zoom: c, worker and w_spin are gone, b_leaf stays" zoomed_b
screen_keys Escape
screen_gone 'zoom: b' 5
ok $? "zoom: Esc zooms out"
check "zoom out: c and worker are back" has_cells c worker
screen_keys Enter
screen_wait 'zoom: b' 5
screen_keys BSpace
screen_gone 'zoom: b' 5
ok $? "zoom: Backspace zooms out"

# The icicle: the root row moves to the top.
screen_keys i
sleep 0.5
check "icicle: i puts the root row above main" \
	test "$(line_of '^all +\|$')" -lt "$(line_of '(^|[| ])main +\|')"
screen_keys i
sleep 0.5
check "icicle: i again puts it back at the bottom" \
	test "$(line_of '^all +\|$')" -gt "$(line_of '(^|[| ])main +\|')"

screen_keys w
screen_wait 'snapshot has no window' 5
ok $? "window: w in a snapshot says it has no window"

# The filter cycles through the processes and threads; to the worker thread: no main.
for _ in 1 2 3 4; do
	screen_keys f
	sleep 0.4
	header 'thread: ct-worker' && break
done
screen_save "$T/filter.txt"
check "filter: f reaches the thread ct-worker" sh -c 'sed -n 2p "$1" | grep -q "thread: ct-worker"' \
	sh "$T/filter.txt"
check "filter: the worker's frames stay, main's are gone" worker_only
screen_keys r
sleep 0.5
check "reset: r clears the filter" has_cells main worker

# The mouse: a click selects c, a click on the selected frame zooms into it.
set -- $(cell_at c)
if [ $# -eq 2 ]; then
	click "$1" "$2"
	screen_wait '^ c  ' 5
	ok $? "mouse: a click on c selects it (details line)"
	click "$1" "$2"
	screen_wait 'zoom: c' 5
	ok $? "mouse: a click on the selected c zooms into it"
	screen_keys Escape
else
	ok 1 "mouse: c's cell found on the screen"
fi

# 80x24: still drawn.
screen_resize 80 24
sleep 1
screen_save "$T/small.txt"
check "80x24: the frames and the details line are drawn" has_cells all main worker
check "80x24: the details line is drawn" details 'total [0-9.]+%'
screen_keys q
screen_exit_is 0 "view: q quits" 10

# --- ASCII: vt100 in the C locale
screen_stop
SCREEN_TERM=vt100 SCREEN_LANG=C screen_start 120 40 "$R" view --view flame "$T/ct.json"
screen_wait 'b_leaf' 10
ok $? "vt100, LANG=C: the flamegraph comes up"
screen_keys / b _ l e a f Enter
screen_wait '/b_leaf: ' 5
screen_save "$T/ascii.txt"
check "vt100, LANG=C: no byte >= 0x80 on the screen" \
	test "$(LC_ALL=C tr -d '\000-\177' <"$T/ascii.txt" | wc -c)" -eq 0
check "vt100, LANG=C: frames end with '|' separators" grep -Eq '^main +\|' "$T/ascii.txt"
screen_keys q
screen_exit_is 0 "vt100, LANG=C: q quits"
screen_stop

# --- exited processes folded by name (module "[exited]", no pid: see ringside-snapshot(5)): the
# same snapshot with its process frame made so, as a long recording writes it
"$JQ" '.stacks.strings += ["[exited]"] | (.stacks.strings | length - 1) as $x
	| .stacks.frames |= map(if .[4] == "process" then .[1] = $x | .[3] = 0 else . end)' \
	"$T/ct.json" >"$T/exited.json"
screen_start 120 40 "$R" view --view flame "$T/exited.json"
screen_wait 'b_leaf' 10
ok $? "view of an exited process folded by name: the flamegraph comes up"
check "exited: the process is 'calltree (exited)', without a pid" has_cell 'calltree (exited)'
screen_keys q
screen_exit_is 0 "exited: q quits"
screen_stop

# --- live
screen_start 120 40 "$R" --view flame -F 999 -g fp -o "$T/live.json" -- "$CT" 30
screen_wait 'w_spin' 20
ok $? "live: the flamegraph comes up"
sleep 2
for f in main a b c worker; do
	check "live: frame '$f' is on the screen" has_cell "$f"
done
wb=$(cell_w b)
wc=$(cell_w c)
check "live: b's bar ($wb) is wider than c's ($wc)" test "${wb:-0}" -gt "${wc:-0}"
check "live: the header says cumulative" header cumulative
screen_keys w
screen_wait 'samples, last 10 s' 5
ok $? "live: w switches the header to the last 10 s"
screen_keys w
screen_wait 'samples, cumulative' 5
ok $? "live: w again switches back to cumulative"
screen_keys / b _ l e a f Enter
screen_wait '/b_leaf: [0-9.]+%' 5
live_share=$(shown_share b_leaf)

# Frozen: redraws (two flips) lay out the copy taken at freeze time, numbers unchanged.
screen_keys Space
screen_wait 'FROZEN' 5
body >"$T/frozen1.txt"
sleep 2
screen_keys i i
sleep 0.5
body >"$T/frozen2.txt"
check "frozen: two redraws 2 s apart show the same numbers and bars" \
	cmp "$T/frozen1.txt" "$T/frozen2.txt" ||
	diag "$(diff "$T/frozen1.txt" "$T/frozen2.txt" | head -n 12)"
screen_keys Space
sleep 2.5
body >"$T/thawed.txt"
check "unfrozen: the numbers move on again" sh -c '! cmp -s "$1" "$2"' sh "$T/frozen1.txt" \
	"$T/thawed.txt"
# The flame chart (c) frozen: its details line keeps the selected frame's 'when' sparkline as
# first drawn, through the flamegraph's held copy (ui/range.c).
screen_keys c
screen_wait 'flame chart \(x is time\)' 5
ok $? "live: c shows the flame chart"
screen_wait ' when: ' 5
ok $? "live: the chart's details line has the selected frame's 'when' sparkline"
screen_keys Space
screen_wait 'FROZEN' 5
when1=$(text | tail -n 2 | head -n 1 | sed -n 's/.* when: //p')
sleep 2
screen_keys c c
sleep 0.5
when2=$(text | tail -n 2 | head -n 1 | sed -n 's/.* when: //p')
check "frozen chart: two redraws 2 s apart keep the 'when' sparkline ('$when1', then '$when2')" \
	test -n "$when1" -a "$when1" = "$when2"
screen_keys Space
screen_keys q
screen_exit_is 0 "live: q quits" 20
timeout 30 "$R" export "$T/live.json" -o "$T/live.folded" 2>"$T/live-export.err"
ok $? "live: the -o snapshot exports to folded stacks"
want=$(pct "$(folded_sum "$T/live.folded" ';b_leaf(;|$)')" "$(folded_sum "$T/live.folded" '')")
check "live: b_leaf's share on screen ($live_share%) is within 8 points of the run's ($want%)" \
	in_range "$live_share" "$(plus "$want" -8)" "$(plus "$want" 8)"
screen_stop

# --- live with -g dwarf, on the call tree built without frame pointers: the callers come from
# the unwinder (with -g fp this binary shows its leaves straight under the thread).
NOFP=$WORKLOADS/calltree-nofp
screen_start 120 40 "$R" --view flame -F 999 -g dwarf -o "$T/dwarf.json" -- "$NOFP" 30
screen_wait 'w_spin' 20
ok $? "dwarf live: the flamegraph comes up"
sleep 2
for f in main a b c worker; do
	check "dwarf live: frame '$f' is on the screen" has_cell "$f"
done
screen_keys q
screen_exit_is 0 "dwarf live: q quits" 20
timeout 30 "$R" export "$T/dwarf.json" -o "$T/dwarf.folded" 2>"$T/dwarf-export.err"
hm=$(folded_sum "$T/dwarf.folded" ';hot_mix$')
hmc=$(folded_sum "$T/dwarf.folded" ';main;a;c;c_inl;hot_mix$')
check "dwarf live: hot_mix (a library without frame pointers) has its callers in >= 95% of its samples ($hmc of $hm)" \
	awk -v a="$hmc" -v n="$hm" 'BEGIN { exit !(n >= 20 && a >= 0.95 * n) }'
screen_stop

# --- no samples
screen_start 120 40 "$R" --no-samples --view flame -- "$CT" 1
screen_wait 'no samples' 10
ok $? "--no-samples: the view says there are no samples"
screen_wait 'q quits' 10
screen_keys q
screen_exit_is 0 "--no-samples: q quits" 10

done_testing
