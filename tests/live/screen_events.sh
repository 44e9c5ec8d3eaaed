#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The event browser (e) in the live screen, driven through tmux at 80x24: the search narrows the
# list as it is typed and takes q as text; Enter adds page-faults to the running session, the
# overview shows its rate, d removes it again; the snapshot written on quit holds its track with
# the counts of the span it was counted, while minor-faults, counted from the start, lost no
# interval around the changes. An event the machine lacks is added as n/a. ASCII mode draws the
# list, and a snapshot's list is read-only.

. "$TESTLIB"
require_root
command -v tmux >/dev/null || skip_all "tmux is not installed (apt-get install tmux)"
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS
# pagetouch touches PAGES fresh pages every 10 ms: a steady PAGES * 100 faults per second.
PAGES=100
RATE=$((PAGES * 100))

screen_start 80 24 "$R" -e cpu-clock,minor-faults -I 250 -o "$T/x.json" -- \
	"$W/pagetouch" $PAGES --every 10 --for 120
check "the overview comes up counting cpu-clock and minor-faults" \
	screen_wait 'minor-faults +[0-9.]+K/s' 15

screen_keys e
check "e opens the event browser, which names what is counted now" \
	screen_wait 'Counted now: cpu-clock minor-faults' 10
check "the full list shows generic events with kind, here and description" \
	screen_wait 'context-switches +software +yes +Context switches' 5
screen_save "$T/full.txt"

screen_keys / p a g e - f a u l t s
check "typing page-faults narrows the list as it is typed" screen_wait 'Search: page-faults +[0-9]+ of' 5
screen_save "$T/search.txt"
check "the match is listed first with its description" \
	sh -c "sed -n 5p '$T/search.txt' | grep -Eq '^ +page-faults +software +yes +Page faults'"
check "events that do not match are gone from the list" \
	sh -c "! grep -Eq 'context-switches|cpu-clock +software' '$T/search.txt'"

screen_keys Enter
check "Enter adds page-faults to the running session (status line says so)" \
	screen_wait 'added page-faults' 5
check "the browser marks it counted now" screen_wait '^ \* page-faults +software' 5
check "the counted-now line names it" screen_wait 'Counted now: cpu-clock minor-faults page-faults' 5

screen_keys 1
check "back on the overview, the page-faults row shows a rate" \
	screen_wait 'page-faults +[0-9.]+K/s' 5
sleep 2
screen_save "$T/overview.txt"
pf_rate=$(sed -n 's/^ page-faults *\([0-9.]*\)K\/s.*/\1/p' "$T/overview.txt")
diag "page-faults rate on the overview: ${pf_rate}K/s (the workload makes $RATE/s)"
check "the page-faults rate is > 0 and near the workload's $RATE/s" \
	awk -v r="${pf_rate:-0}" -v want=$RATE 'BEGIN { exit !(r * 1000 > want * 0.7 && r * 1000 < want * 1.3) }'

screen_keys e
check "e returns to the browser with the search kept" screen_wait 'Search: page-faults ' 5
screen_keys d
check "d removes page-faults (status line says so)" screen_wait 'removed page-faults' 5
check "it is no longer counted now" screen_gone 'Counted now: .*page-faults' 5

screen_keys / q
check "the search prompt takes q as text" screen_wait 'Search: page-faultsq +0 of' 5
check "q in the prompt did not quit" test ! -s "$T/screen.rc"
screen_keys BSpace Escape
check "Backspace and Esc leave the prompt with the filter" \
	screen_wait 'Search: page-faults +[0-9]+ of .*/ edits' 5

# An event the machine lacks: added all the same, shown as n/a.
screen_keys Escape / c y c l e s Escape
screen_wait 'Search: cycles' 5
screen_save "$T/cycles.txt"
if grep -Eq '^ +cycles +hardware +no ' "$T/cycles.txt"; then
	screen_keys a
	check "adding cycles on a machine without it says so" \
		screen_wait 'cycles: not supported on this machine' 5
	screen_keys 1
	check "the overview shows cycles as n/a with the reason" \
		screen_wait 'cycles +n/a +not supported' 5
else
	skip "adding an unsupported event" "this machine counts cycles"
	skip "the overview shows cycles as n/a" "this machine counts cycles"
	screen_keys 1
fi
check "after the removal the page-faults row shows no current rate" \
	screen_wait 'page-faults +- ' 5

screen_keys q
screen_exit_is 0 "q quits" 15
check "the snapshot was written on quit" grep -q "wrote $T/x.json" "$T/screen.err"

J=$T/x.json
check "page-faults has added_ns and a later removed_ns; cpu-clock has neither" \
	"$JQ" -e '(.events[] | select(.name == "page-faults") | .added_ns > 0 and .removed_ns > .added_ns)
		and (.events[] | select(.name == "cpu-clock") | has("added_ns") or has("removed_ns") | not)' "$J"
check "every event has the same interval times, strictly increasing" \
	"$JQ" -e '[.events[] | select(.supported) | .series[0].t] | .[0] as $t
		| length >= 3 and (map(. == $t) | all)
		and ([range(1; $t | length) as $i | $t[$i] > $t[$i - 1]] | all)' "$J"
check "the intervals are split where the event was added and removed" \
	"$JQ" -e '(.events[] | select(.name == "page-faults")) as $p | $p.series[0].t
		| index([$p.added_ns]) != null and index([$p.removed_ns]) != null' "$J"
check "page-faults: nothing counted outside [added_ns, removed_ns], counted inside" \
	"$JQ" -e '.events[] | select(.name == "page-faults") | .added_ns as $a | .removed_ns as $r
		| .series[0] | ([range(0; .t | length) as $i | select(.t[$i] <= $a or .t[$i] > $r)
		    | .count[$i] == 0 and .enabled[$i] == 0] | all)
		  and ([range(0; .t | length) as $i | select(.t[$i] > $a and .t[$i] <= $r)
		    | .enabled[$i]] | add > 0)' "$J"

# The faults page-faults counted, against minor-faults (counted throughout) over the same intervals.
pf=$("$JQ" '.events[] | select(.name == "page-faults") | .series[0].count | add' "$J")
mf_span=$("$JQ" '(.events[] | select(.name == "page-faults")) as $p
	| .events[] | select(.name == "minor-faults") | .series[0] as $s
	| [range(0; $s.t | length) as $i | select($s.t[$i] > $p.added_ns and $s.t[$i] <= $p.removed_ns)
	   | $s.count[$i]] | add' "$J")
span_ns=$("$JQ" '.events[] | select(.name == "page-faults") | .removed_ns - .added_ns' "$J")
want=$(awk -v s="$span_ns" -v r=$RATE 'BEGIN { printf "%d", s / 1e9 * r }')
diag "page-faults counted $pf over $span_ns ns; minor-faults counted $mf_span in those intervals; $want expected"
check "page-faults $pf equals minor-faults $mf_span over its intervals (within 2% + one burst)" \
	awk -v a="$pf" -v b="$mf_span" -v p=$PAGES 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= b * 0.02 + p) }'
check "page-faults $pf within 15% of $RATE/s over the $span_ns ns it was counted ($want)" \
	approx "$pf" "$want" 15

# No interval lost for the event counted throughout: minor-faults' rate over the intervals around
# each change (the split halves together) matches the workload's, and nothing is missing overall.
mf=$("$JQ" -r '.events[] | select(.name == "minor-faults") | .series[0]
	| "\(.count[1:] | add) \(.t[-1] - .t[0])"' "$J")
want=$(awk -v s="${mf#* }" -v r=$RATE 'BEGIN { printf "%d", s / 1e9 * r }')
check "minor-faults after its first interval: ${mf% *} in ${mf#* } ns, within 10% of $want" \
	approx "${mf% *}" "$want" 10
for key in added_ns removed_ns; do
	pair=$("$JQ" -r --arg k $key '(.events[] | select(.name == "page-faults")[$k]) as $c
		| .events[] | select(.name == "minor-faults") | .series[0] as $s
		| ($s.t | index([$c])) as $i
		| "\($s.count[$i] + $s.count[$i + 1]) \($s.t[$i + 1] - $s.t[$i - 1])"' "$J")
	n=${pair% *}
	ns=${pair#* }
	want=$(awk -v s="$ns" -v r=$RATE 'BEGIN { printf "%d", s / 1e9 * r }')
	check "minor-faults around $key: $n in $ns ns, within 15% of $want (nothing lost at the change)" \
		approx "$n" "$want" 15
done

# --- ASCII at 80x24: the list draws with ASCII only.
SCREEN_LANG=C screen_start 80 24 "$R" --ascii -e cpu-clock -- "$W/pagetouch" 10 --every 100 --for 60
screen_wait 'cpu-clock' 15
screen_keys e / f a u l t s
check "--ascii: the browser lists matches" screen_wait 'Search: faults ' 10
screen_save "$T/ascii.txt"
check "--ascii: nothing but ASCII on the screen" sh -c "! LC_ALL=C grep -q '[^ -~]' '$T/ascii.txt'"
check "--ascii: cut descriptions end in ~" grep -Eq '~$' "$T/ascii.txt"
screen_keys Escape q
screen_exit_is 0 "--ascii: quits" 15

# --- A snapshot's list is read-only.
screen_start 80 24 "$R" view "$J"
screen_wait 'SNAPSHOT' 10
screen_keys e
check "view: the browser names the recorded events" screen_wait 'Recorded: cpu-clock minor-faults' 10
screen_keys / t a s k - c l o c k Enter
check "view: adding says the snapshot is read-only" \
	screen_wait 'task-clock: a snapshot is read-only' 5
screen_keys q
screen_exit_is 0 "view: quits" 15

# --- More events than fit at 80x24 (9 rows there): Up/Down scroll the event rows.
EV12=task-clock,cpu-clock,context-switches,cpu-migrations,page-faults,minor-faults
EV12=$EV12,major-faults,alignment-faults,emulation-faults,dummy,sched:sched_switch
EV12=$EV12,sched:sched_wakeup
screen_start 80 24 "$R" -e "$EV12" -- "$W/pagetouch" 10 --every 100 --for 60
screen_wait 'events 1-[0-9]+ of 12; Up/Down' 15
ok $? "12 events at 80x24: the overview says which rows it shows"
shown=$(screen_text | sed -n 's/.*events 1-\([0-9]*\) of 12.*/\1/p')
screen_save "$T/ev12a.txt"
check "12 events at 80x24: the first event shows, the last does not" \
	sh -c "grep -q '^ *task-clock ' '$T/ev12a.txt' && ! grep -q 'sched:sched_wakeup ' '$T/ev12a.txt'"
n=$((12 - ${shown:-12}))
i=0
while [ $i -lt $((n + 2)) ]; do
	screen_keys Down
	i=$((i + 1))
done
screen_wait "events $((n + 1))-12 of 12" 5
ok $? "12 events: Down scrolls to the last rows, and no further ($((n + 2)) presses)"
screen_save "$T/ev12b.txt"
check "12 events after Down: the last event shows, the first does not" \
	sh -c "grep -q 'sched:sched_wakeup ' '$T/ev12b.txt' && ! grep -q '^ *task-clock ' '$T/ev12b.txt'"
screen_keys Up
screen_wait "events $n-11 of 12" 5
ok $? "12 events: Up scrolls back one row"
screen_keys q
screen_exit_is 0 "12 events: quits" 15

done_testing
