#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Scheduler view on the screen (tmux), against two spinner threads pinned to CPU 0 and CPU 1
# (spin --threads 2 --pin 0,1; which thread is on which CPU is read from /proc, or from the
# snapshot's own runs):
#   - live (ringside --view scheduler -- spin ...) at 120x40: the legend names each pinned thread
#     ("B spin:TID"), CPU 0's map row is mostly the short name of the thread pinned to CPU 0 and
#     CPU 1's of the other; the task table lists both threads with their switches; + and - halve
#     and double the time per cell in the header; Left scrolls back (HISTORY, the window ends
#     before the latest time and stays there as time goes on), End returns to the latest time;
#     at 80x24 the map, legend and table are still there;
#   - ringside view of a snapshot recorded with ringside record -- spin ...: the same, with the
#     names the snapshot gives (the thread that ran most on each CPU in its runs);
#   - TERM=vt100 LANG=C: the screen is pure ASCII;
#   - 64 CPUs (the snapshot's CPUs repeated with jq) at 80x24: the rows that fit, "cpus 0-N of 64",
#     Down scrolls them;
#   - a snapshot recorded with --no-sched: a one-line message, and q quits with 0.

. "$TESTLIB"
require_root
command -v tmux >/dev/null || skip_all "needs tmux"
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip_all "needs two CPUs for the pinned spinners"

# legend_name TID: the short name the legend on screen gives to the spin thread TID.
legend_name() {
	screen_text | grep -oE "(^| )[A-Za-z][0-9]* spin:$1( |\$)" | head -1 | awk '{ print $1 }'
}

# row_major CPU: the name in most cells of CPU's map row (the words after "cpuN").
row_major() {
	screen_text | awk -v c="cpu$1" '$1 == c {
		for (i = 2; i <= NF; i++) n[$i]++
	} END { for (k in n) if (n[k] > best) { best = n[k]; w = k }; print w }'
}

# row_share CPU NAME: the percentage of CPU's map cells named NAME.
row_share() {
	screen_text | awk -v c="cpu$1" -v w="$2" '$1 == c {
		for (i = 2; i <= NF; i++) { t++; if ($i == w) n++ }
	} END { print t ? int(100 * n / t) : 0 }'
}

# table_switches TID: the switches column of TID's row in the task table (0 if absent).
table_switches() {
	screen_text | awk -v t="$1" '$2 == "spin" && $3 == t { s = $7 } END { print s + 0 }'
}

# header_field N [FILE]: the header's window start (1), end (2), latest time (3) in seconds, or
# the time per cell in ns (4), from FILE (a saved screen) or the screen now. Fields compared with
# each other must come from one saved screen: the screen redraws between two captures.
header_field() {
	{ if [ -n "${2:-}" ]; then cat "$2"; else screen_text; fi; } | awk -v f="$1" 'function sec(s, p) {
		sub(/s$/, "", s)
		if (index(s, ":")) { split(s, p, ":"); return p[1] * 60 + p[2] }
		return s + 0
	}
	function ns(v, u) {
		return v * (u == "min" ? 6e10 : u == "s" ? 1e9 : u == "ms" ? 1e6 : u == "ns" ? 1 : 1e3)
	}
	/Scheduler map/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "of") { split($(i - 1), w, "-"); a = sec(w[1]); b = sec(w[2]); c = sec($(i + 1)) }
			if ($i ~ /\/cell$/) { u = $i; sub(/\/cell$/, "", u); d = ns($(i - 1), u) }
		}
		print (f == 1 ? a : f == 2 ? b : f == 3 ? c : d)
		exit
	}'
}

# check_map WHAT TID0 TID1 NAME0 NAME1: the legend names TID0 NAME0 and TID1 NAME1 (two
# different names), and rows cpu0 and cpu1 are mostly NAME0 and NAME1.
check_map() {
	l0=$(legend_name "$2")
	l1=$(legend_name "$3")
	diag "$1: legend $2 -> '$l0', $3 -> '$l1'; expected '$4', '$5'; rows: cpu0 '$(row_major 0)'" \
		"($(row_share 0 "$4")%), cpu1 '$(row_major 1)' ($(row_share 1 "$5")%)"
	check "$1: the legend names the two pinned threads, differently" \
		test -n "$l0" -a -n "$l1" -a "$l0" != "$l1" -a "$l0" = "$4" -a "$l1" = "$5"
	check "$1: CPU 0's row is mostly '$4' (the thread pinned to CPU 0)" \
		test "$(row_major 0)" = "$4" -a "$(row_share 0 "$4")" -ge 60
	check "$1: CPU 1's row is mostly '$5' (the thread pinned to CPU 1)" \
		test "$(row_major 1)" = "$5" -a "$(row_share 1 "$5")" -ge 60
}

# field_change N OLD: wait up to 10 s until the header's field N is no longer OLD; prints it.
field_change() {
	_fd=$(($(date +%s) + 10))
	while _fv=$(header_field "$1") && [ "$_fv" = "$2" ] && [ "$(date +%s)" -le "$_fd" ]; do
		sleep 0.2
	done
	echo "$_fv"
}

# capture_until FILE CMD...: save the screen to FILE until CMD (which reads FILE) succeeds, for up
# to 10 s; CMD's verdict on the last capture.
capture_until() {
	_cf=$1 _cd=$(($(date +%s) + 10))
	shift
	while screen_save "$_cf" && ! "$@" && [ "$(date +%s)" -le "$_cd" ]; do
		sleep 0.3
	done
	"$@"
}

# --- live
# The pane is a session of its own, so an autogroup of its own, here at nice -10: other work on
# the machine (other test suites) takes some CPU time from the spinners, never a cell's majority.
BOOST='echo -10 >/proc/self/autogroup 2>/dev/null; exec "$@"'
screen_start 120 40 sh -c "$BOOST" sh "$R" --view scheduler -- "$W/spin" 60 --threads 2 --pin 0,1
screen_wait 'spin:[0-9]+ .*spin:[0-9]+' 20
rs=$(pgrep -P "$(screen_pid)" -x ringside | head -1)
sp=
[ -n "$rs" ] && sp=$(pgrep -P "$rs" -x spin | head -1)
[ -n "$sp" ] && track "$sp"
tid0= tid1=
for t in /proc/${sp:-0}/task/*; do
	case "$(awk '/^Cpus_allowed_list/ { print $2 }' "$t/status" 2>/dev/null)" in
	0) tid0=${t##*/} ;;
	1) tid1=${t##*/} ;;
	esac
done
diag "live: ringside $rs, spin $sp, pinned threads: CPU 0 $tid0, CPU 1 $tid1"
check "live: found the spin threads pinned to CPU 0 and CPU 1" test -n "$tid0" -a -n "$tid1"
# A few seconds of map.
screen_wait ' of ([4-9]|[1-9][0-9])\.' 15
screen_save "$T/live.txt"
n0=$(legend_name "$tid0")
n1=$(legend_name "$tid1")
check_map live "$tid0" "$tid1" "$n0" "$n1"
check "live: the task table lists both threads with switches" \
	test "$(table_switches "$tid0")" -gt 0 -a "$(table_switches "$tid1")" -gt 0
c0=$(header_field 4)
screen_keys +
c1=$(field_change 4 "$c0")
screen_keys - -
c2=$(field_change 4 "$c1")
diag "live: ns per cell $c0, after + $c1, after - - $c2"
check "live: + halves the time per cell in the header, - doubles it" \
	awk -v a="$c0" -v b="$c1" -v c="$c2" 'BEGIN { exit !(a > 0 && b == a / 2 && c == a * 2) }'
# A window shorter than the recording, then back in time.
screen_keys + + + +
# The four halvings drawn (2 ms per cell from 32 ms), then time enough for a window to scroll back.
field_change 4 "$c2" >/dev/null
sleep 1.2
screen_keys Left
screen_wait HISTORY 5
screen_save "$T/history1.txt"
e1=$(header_field 2 "$T/history1.txt")
l1=$(header_field 3 "$T/history1.txt")
sleep 1.5
screen_save "$T/history.txt"
e2=$(header_field 2 "$T/history.txt")
l2=$(header_field 3 "$T/history.txt")
diag "live: after Left the window ends at $e1 of $l1 s; 1.5 s later at $e2 of $l2 s"
check "live: Left shows HISTORY, a window ending before the latest time" \
	awk -v e="$e1" -v l="$l1" 'BEGIN { exit !(e > 0 && e < l - 0.1) }'
check "live: the history window stays put while time goes on" \
	awk -v a="$e1" -v b="$e2" -v l="$l1" -v m="$l2" 'BEGIN { exit !(a == b && m > l) }'
check "live: the map still shows the pinned threads in history" \
	test "$(row_major 0)" = "$n0" -a "$(row_major 1)" = "$n1"
screen_keys End
screen_gone HISTORY 5
screen_save "$T/end.txt"
check "live: End returns to the latest time" \
	awk -v e="$(header_field 2 "$T/end.txt")" -v l="$(header_field 3 "$T/end.txt")" \
	'BEGIN { exit !(e > 0 && e >= l - 0.2) }'
screen_resize 80 24
capture_until "$T/live80.txt" sh -c "grep -q '^cpu1 ' '$T/live80.txt' &&
	grep -q 'spin:$tid0' '$T/live80.txt' && grep -q 'cpu time' '$T/live80.txt'"
check "live: at 80x24 the map rows, the legend and the table are there" \
	grep -q "^cpu1 " "$T/live80.txt"
check "live: ... legend and table at 80x24" \
	sh -c "grep -q 'spin:$tid0' '$T/live80.txt' && grep -q 'cpu time' '$T/live80.txt'"
screen_keys q
screen_exit_is 0 "live: q quits with 0"
[ -n "$sp" ] && kill "$sp" 2>/dev/null
screen_stop

# --- a snapshot
# (in a session, so an autogroup, of its own at nice -10: see above)
timeout 60 setsid -w sh -c "$BOOST" sh "$R" record -o "$T/x.json" -- "$W/spin" 3 --threads 2 --pin 0,1 2>"$T/rec.err"
ok $? "record -o x.json -- spin 3 --threads 2 --pin 0,1 exits 0"
# The thread that ran most on cpu (in the snapshot's runs): "TID SHORT".
top_of() {
	"$JQ" -r --argjson c "$1" '.sched as $s | [$s.cpus[$c].runs[] | select(.[2] >= 0)]
		| group_by(.[2]) | map({t: .[0][2], ns: (map(.[1] - .[0]) | add)}) | max_by(.ns)
		| "\($s.tasks[.t].tid) \($s.tasks[.t].short)"' "$T/x.json"
}
set -- $(top_of 0) $(top_of 1)
diag "snapshot: most on CPU 0: $1 ($2), on CPU 1: $3 ($4)"
screen_start 120 40 "$R" view --view scheduler "$T/x.json"
screen_wait 'spin:[0-9]+' 10
screen_save "$T/view.txt"
check_map view "$1" "$3" "$2" "$4"
check "view: the task table lists both threads with switches" \
	test "$(table_switches "$1")" -gt 0 -a "$(table_switches "$3")" -gt 0
screen_keys q
screen_exit_is 0 "view: q quits with 0"
screen_stop

# --- ASCII
SCREEN_TERM=vt100 SCREEN_LANG=C screen_start 80 24 "$R" view --view scheduler "$T/x.json"
screen_wait 'spin:[0-9]+' 10
screen_save "$T/ascii.txt"
check "ascii: the map is there" grep -q "^cpu0 $2 " "$T/ascii.txt"
check "ascii: every character on the screen is ASCII" \
	sh -c "! LC_ALL=C grep -q '[^ -~]' '$T/ascii.txt'"
screen_keys q
screen_exit_is 0 "ascii: q quits with 0"
screen_stop

# --- many CPUs: the snapshot's two repeated 32 times
"$JQ" -c '.sched.cpus = [range(64) as $i | .sched.cpus[$i % 2] | .cpu = $i]
	| .sched.map.cells = [range(64) as $i | .sched.map.cells[$i % 2]]' "$T/x.json" >"$T/cpus64.json"
screen_start 80 24 "$R" view --view scheduler "$T/cpus64.json"
screen_wait 'spin:[0-9]+' 10
screen_save "$T/cpus64.txt"
check "64 CPUs at 80x24: a line says which rows show" grep -qE 'cpus 0-[0-9]+ of 64 shown' "$T/cpus64.txt"
check "64 CPUs: rows from cpu0, the legend and the table fit" \
	sh -c "grep -q '^cpu0 ' '$T/cpus64.txt' && grep -q 'spin:$1' '$T/cpus64.txt' &&
		grep -q 'cpu time' '$T/cpus64.txt'"
screen_keys Down Down
screen_wait 'cpus 2-[0-9]+ of 64' 10 || diag "64 CPUs: Down did not scroll"
check "64 CPUs: Down scrolls the rows (cpu2 first)" \
	sh -c "screen_text() { tmux -S '$T/tmux.sock' capture-pane -p; }
		screen_text | grep -qE 'cpus 2-[0-9]+ of 64' && ! screen_text | grep -q '^cpu0 '"
screen_keys q
screen_exit_is 0 "64 CPUs: q quits with 0"
screen_stop

# --- no timeline
timeout 60 "$R" record --no-sched -o "$T/nos.json" -- "$W/spin" 1 2>"$T/nos.err"
ok $? "record --no-sched -o nos.json -- spin 1 exits 0"
screen_start 80 24 "$R" view --view scheduler "$T/nos.json"
screen_wait 'no scheduler timeline' 10
screen_save "$T/nos.txt"
check "--no-sched: the view says so in one line" \
	test "$(grep -c 'scheduler timeline' "$T/nos.txt")" -eq 1
screen_keys q
screen_exit_is 0 "--no-sched: q quits with 0"
screen_stop

for f in live history live80 view ascii cpus64 nos; do
	[ -f "$T/$f.txt" ] && diag "screen $f:" && sed 's/^/#   /' "$T/$f.txt"
done
done_testing
