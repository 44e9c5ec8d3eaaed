#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Histograms and crossplots (issue 15), on a recording of tests/workloads/evmix 2 (page faults,
# context switches and a spin in turn) counted every 20 ms, launched:
#   - the page in headless Chromium (webdriver_histo.py): every counted event has a histogram
#     whose bucket counts, bars, intervals, scale (power-of-two or linear) and p50/p95/p99/max are
#     what tests/live/histo.jq (view/histo.h's rules in jq) computes from the snapshot, and the
#     marks sit in the buckets of those percentiles; the crossplot of page-faults against
#     context-switches has one point per interval both counted, each point's time and rates as
#     jq computes them, and the ratio (total Y over total X) jq's; a rectangle dragged over the
#     crossplot selects points and the page's time range becomes their time span;
#   - the screen (tmux, ringside view): H in the overview shows the first event's histogram, Right
#     the next ones, each row's count the jq oracle's, the header's interval count too;
#   - wake-up latency, on a system-wide recording beside evmix (per-process tracing sees no
#     wake-ups): every task's latency_ns.hist gives, by nearest rank, the p50, p95 and p99 of the
#     task table (latency_ns) and its count; the page's every-task histogram is jq's over all the
#     tasks' latencies, and the evmix thread's (chosen in the selector) has jq's counts and the
#     table's percentiles and maximum; L in the scheduler view shows jq's every-task counts, Right
#     the first task's histogram with the table's p50, p95, p99 and max; on that recording (task-clock
#     and context-switches counted per CPU) "a point per CPU" gives jq's points for every CPU.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
HJQ="$TOP_SRCDIR/tests/live"
EVS=task-clock,page-faults,context-switches

"$R" record -I 20 -e $EVS -o "$T/h.json" -- "$WORKLOADS/evmix" 2 >"$T/rec.out" 2>"$T/rec.err"
ok $? "record -I 20 -e $EVS -- evmix 2 ($(tail -n 1 "$T/rec.err"))"
"$JQ" -L "$HJQ" 'include "histo"; [.events[] | {event: .name} + (rates | histo)]' "$T/h.json" \
	>"$T/oracle.json"
ok $? "the jq oracle ran"
diag "oracle: $("$JQ" -c '[.[] | [.event, .n, .log, .counts]]' "$T/oracle.json")"
check "the oracle has 3 events of more than 40 intervals" \
	"$JQ" -e 'length == 3 and all(.[]; .n > 40)' "$T/oracle.json"

# ---- the page ----------------------------------------------------------------------------------

if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ] || [ -z "$CHROMEDRIVER" ] || [ ! -x "$CHROMEDRIVER" ] ||
	[ -z "$PYTHON3" ]; then
	skip "the page's histograms and crossplot" "chromium, chromium-driver or python3 is not installed"
else
	"$R" export "$T/h.json" -o "$T/h.html" 2>"$T/exp.err"
	ok $? "export to HTML"
	W=$T/wd.json
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver_histo.py" "$T/h.html" \
		--cross page-faults,context-switches --drag 0.02,0.02,0.98,0.98 >"$W" 2>"$T/wd.err"
	ok $? "webdriver_histo.py ran ($(head -c 300 "$T/wd.err"))"
	check "the page drew without errors" "$JQ" -e '.ready == "1" and .initial.errors == [] and
		.webdriver_error == null' "$W"
	diag "page: $("$JQ" -c '[.initial.histograms[] | [.event, .n, .log, .counts]]' "$W")"
	check "a histogram per counted event, in order" "$JQ" -e --slurpfile o "$T/oracle.json" \
		'[.initial.histograms[].event] == [$o[0][].event]' "$W"
	check "each histogram's bucket counts, scale and intervals are the oracle's" \
		"$JQ" -e --slurpfile o "$T/oracle.json" '[.initial.histograms[] | {event, n, log, counts}] ==
			[$o[0][] | {event, n, log, counts}]' "$W"
	check "each histogram's bars carry the same counts" \
		"$JQ" -e 'all(.initial.histograms[]; .bars == .counts)' "$W"
	check "each histogram's p50, p95, p99 and max are the oracle's (nearest rank)" \
		"$JQ" -e --slurpfile o "$T/oracle.json" '[.initial.histograms[] | [.p50, .p95, .p99, .max]] ==
			[$o[0][] | [.p50, .p95, .p99, .max]]' "$W"
	check "the marks sit in the buckets holding p50, p95, p99 and max" \
		"$JQ" -e 'all(.initial.histograms[]; . as $h | [.marks[] | .[1]] as $b |
			($b | length) == 4 and all($b[]; $h.counts[.] > 0))' "$W"
	check "the crossplot chose page-faults against context-switches" \
		"$JQ" -e '.chosen == [true, true] and .cross.x == "page-faults" and
			.cross.y == "context-switches" and .cross.ratio_line' "$W"
	"$JQ" -L "$HJQ" 'include "histo";
		(.events[] | select(.name == "page-faults")) as $x |
		(.events[] | select(.name == "context-switches")) as $y |
		($x | rates) as $rx | ($y | rates) as $ry | $x.series[0].t as $t |
		{points: [range(0; $t | length) | select($rx[.] != null and $ry[.] != null) |
			[(if . > 0 then $t[. - 1] else 0 end), $t[.], $rx[.], $ry[.]]],
		 ratio: (([range(0; $t | length) | select($rx[.] != null and $ry[.] != null) |
			$y.series[0].count[.]] | add) / ([range(0; $t | length) |
			select($rx[.] != null and $ry[.] != null) | $x.series[0].count[.]] | add))}' \
		"$T/h.json" >"$T/cross.json"
	diag "crossplot: $("$JQ" '.cross.points | length' "$W") points, ratio $("$JQ" .cross.ratio "$W");" \
		"jq: $("$JQ" '.points | length' "$T/cross.json") points, ratio $("$JQ" .ratio "$T/cross.json")"
	check "the crossplot's points (interval times, both rates) are jq's, one per interval" \
		"$JQ" -e --slurpfile c "$T/cross.json" '.cross.points == $c[0].points and
			(.cross.points | length) > 40' "$W"
	check "the ratio line's slope is total context-switches over total page-faults (jq's)" \
		"$JQ" -e --slurpfile c "$T/cross.json" '(.cross.ratio - $c[0].ratio) | fabs < 1e-9 * $c[0].ratio' "$W"
	check "a rectangle over the whole plot selects every point and their time span as the range" \
		"$JQ" -e --slurpfile c "$T/cross.json" '.dragged.cross.selected == ($c[0].points | length) and
			.dragged.cross.from_ns == ([$c[0].points[][0]] | min) and
			.dragged.cross.to_ns == ([$c[0].points[][1]] | max) and
			.dragged.bar.from_ns == .dragged.cross.from_ns and
			.dragged.bar.to_ns == .dragged.cross.to_ns' "$W"
fi

# ---- the screen --------------------------------------------------------------------------------

# screen_counts: the counts column of the histogram pane's bucket rows, as a JSON array.
screen_counts() {
	screen_text | awk 'go && / \.\. / { print substr($0, 29, 9) + 0 }
		/from \.\. to +(intervals|latencies)/ { go = 1 }' |
		"$JQ" -s -c .
}

if ! command -v tmux >/dev/null; then
	skip "the histogram pane" "tmux is not installed"
else
	screen_start 120 40 "$R" view "$T/h.json"
	screen_wait 'Overview' 10
	ok $? "view shows the overview"
	screen_keys H
	i=0
	for ev in task-clock page-faults context-switches; do
		screen_wait "Histogram of $ev per interval" 5
		ok $? "H (then Right) shows $ev's histogram"
		want=$("$JQ" -c --argjson i $i '.[$i].counts' "$T/oracle.json")
		n=$("$JQ" --argjson i $i '.[$i].n' "$T/oracle.json")
		got=$(screen_counts)
		diag "$ev: screen $got, jq $want"
		check "$ev: the pane's bucket counts are jq's" test "$got" = "$want"
		screen_text | grep -q "Histogram of $ev per interval: $n intervals"
		ok $? "$ev: the header says $n intervals"
		screen_keys Right
		i=$((i + 1))
	done
	screen_keys Escape
	screen_gone 'Histogram of' 5
	ok $? "Escape closes the pane"
	screen_keys q
	screen_exit_is 0 "q quits"
fi

# ---- wake-up latency -----------------------------------------------------------------------------

start_bg "$T/ev.log" "$WORKLOADS/evmix" 4
EVPID=$BG_PID
timeout 30 "$R" record -I 100 -e task-clock,context-switches --duration 2 -o "$T/sys.json" \
	>"$T/sys.out" 2>"$T/sys.err"
ok $? "record -e task-clock,context-switches --duration 2 (system-wide) beside evmix" \
	"($(tail -n 1 "$T/sys.err"))"
wait_pid $EVPID 10
check "tasks with latencies, each with its hist" "$JQ" -e '[.sched.tasks[] | select(.latency_ns.count > 0)] |
	length > 0 and all(.[]; .latency_ns.hist | length > 0)' "$T/sys.json"
diag "tasks whose hist does not give their table's figures: $("$JQ" -c -L "$HJQ" 'include "histo";
	[.sched.tasks[] | select(.latency_ns.count > 0) | .latency_ns as $l | ($l.hist | whisto) as $h |
	select([$h.p50, $h.p95, $h.p99, $h.n] != [$l.p50, $l.p95, $l.p99, $l.count]) |
	{comm, tid, folded, exited, latency_ns}] | .[:3]' "$T/sys.json")"
check "every task's hist gives its table's p50, p95, p99 and count (nearest rank)" \
	"$JQ" -e -L "$HJQ" 'include "histo"; [.sched.tasks[] | select(.latency_ns.count > 0) |
		.latency_ns as $l | ($l.hist | whisto) as $h |
		$h.p50 == $l.p50 and $h.p95 == $l.p95 and $h.p99 == $l.p99 and $h.n == $l.count] |
		length > 0 and all' "$T/sys.json"
"$JQ" -L "$HJQ" 'include "histo"; ([.sched.tasks[] | .latency_ns.hist // empty | .[]] | whisto) +
	{max: ([.sched.tasks[].latency_ns.max] | max)}' "$T/sys.json" >"$T/lat_all.json"
LT=$("$JQ" --argjson p "$EVPID" '[.sched.tasks[] | select(.tid == $p and .latency_ns.count > 0)][0].tid //
	[.sched.tasks[] | select(.tid > 0 and .latency_ns.count > 0)][0].tid' "$T/sys.json")
"$JQ" -L "$HJQ" --argjson t "$LT" 'include "histo"; [.sched.tasks[] | select(.tid == $t)][0].latency_ns |
	(.hist | whisto) + {table: [.p50, .p95, .p99, .max]}' "$T/sys.json" >"$T/lat_one.json"
diag "every task: $("$JQ" -c '[.n, .counts, .p50, .p95, .p99]' "$T/lat_all.json"); task $LT: $("$JQ" -c \
	'[.n, .counts, .table]' "$T/lat_one.json")"

if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ] || [ -z "$CHROMEDRIVER" ] || [ ! -x "$CHROMEDRIVER" ] ||
	[ -z "$PYTHON3" ]; then
	skip "the page's latency histograms" "chromium, chromium-driver or python3 is not installed"
else
	"$R" export "$T/sys.json" -o "$T/sys.html" 2>"$T/exp2.err"
	ok $? "export the system-wide recording to HTML"
	W=$T/wd2.json
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver_histo.py" "$T/sys.html" --lat-task "$LT" \
		--cross task-clock,context-switches --percpu >"$W" 2>"$T/wd2.err"
	ok $? "webdriver_histo.py ran ($(head -c 300 "$T/wd2.err"))"
	check "the page drew without errors" "$JQ" -e '.ready == "1" and .initial.errors == [] and
		.webdriver_error == null' "$W"
	check "the every-task latency histogram is jq's (counts, scale, p50, p95, p99, max)" \
		"$JQ" -e --slurpfile o "$T/lat_all.json" '.initial.latency | .tid == "all" and
			[.n, .log, .counts, .p50, .p95, .p99, .max] ==
			($o[0] | [.n, .log, .counts, .p50, .p95, .p99, .max])' "$W"
	check "task $LT's latency histogram: jq's counts, the table's p50, p95, p99 and max" \
		"$JQ" -e --slurpfile o "$T/lat_one.json" --arg t "$LT" '.lat_chosen and .lat_task.tid == $t and
			.lat_task.counts == $o[0].counts and
			[.lat_task.p50, .lat_task.p95, .lat_task.p99, .lat_task.max] == $o[0].table' "$W"
	"$JQ" -L "$HJQ" 'include "histo";
		(.events[] | select(.name == "task-clock")) as $x |
		(.events[] | select(.name == "context-switches")) as $y |
		[$x.series[].cpu | select(. >= 0) as $c | select([$y.series[].cpu] | index($c)) |
		 ({series: [$x.series[] | select(.cpu == $c)]} | rates) as $rx |
		 ({series: [$y.series[] | select(.cpu == $c)]} | rates) as $ry |
		 ($x.series[] | select(.cpu == $c) | .t) as $t |
		 range(0; $t | length) | select($rx[.] != null and $ry[.] != null) |
		 [(if . > 0 then $t[. - 1] else 0 end), $t[.], $rx[.], $ry[.], $c]]' "$T/sys.json" >"$T/percpu.json"
	diag "per CPU: page $("$JQ" '.percpu.points | length' "$W") points, jq $("$JQ" length "$T/percpu.json")"
	check "system-wide: the crossplot offers a point per CPU, and its points are jq's per CPU" \
		"$JQ" -e --slurpfile c "$T/percpu.json" '.cross.percpu_offered and .percpu_clicked and
			.percpu.points == $c[0] and ($c[0] | length) > (.cross.points | length)' "$W"
	check "the marks sit in buckets that hold latencies" \
		"$JQ" -e '[.initial.latency, .lat_task][] | . as $h | all(.marks[]; $h.counts[.[1]] > 0)' "$W"
fi

# ns_fmt NS: a latency as the histogram pane writes it (%.3g us below 1 ms, %.3g ms from it).
ns_fmt() {
	awk -v v="$1" 'BEGIN { if (v >= 1e6) printf "%.3g ms", v / 1e6; else printf "%.3g us", v / 1e3 }'
}

if ! command -v tmux >/dev/null; then
	skip "the latency pane" "tmux is not installed"
else
	screen_start 120 40 "$R" view "$T/sys.json"
	screen_wait 'Overview' 10
	screen_keys 3
	screen_wait 'Scheduler' 5
	screen_keys L
	screen_wait 'Histogram of wake-up latency of every task' 5
	ok $? "L in the scheduler view shows every task's latency histogram"
	got=$(screen_counts)
	want=$("$JQ" -c .counts "$T/lat_all.json")
	diag "every task: screen $got, jq $want"
	check "its bucket counts are jq's" test "$got" = "$want"
	screen_keys Right
	F=$("$JQ" '[.sched.tasks[] | select(.latency_ns.count > 0)][0] | .latency_ns' "$T/sys.json")
	line="p50 $(ns_fmt "$(echo "$F" | "$JQ" .p50)")   p95 $(ns_fmt "$(echo "$F" | "$JQ" .p95)")"
	line="$line   p99 $(ns_fmt "$(echo "$F" | "$JQ" .p99)")   max $(ns_fmt "$(echo "$F" | "$JQ" .max)")"
	screen_wait "Histogram of wake-up latency of .* \\(" 5
	ok $? "Right shows the first task's histogram"
	diag "table: $line; screen: $(screen_text | grep -m1 '^ p50')"
	check "its p50, p95, p99 and max are the task table's" sh -c 'grep -qF "$1"' - "$line" <<EOF2
$(screen_text)
EOF2
	want=$(echo "$F" | "$JQ" -c -L "$HJQ" 'include "histo"; .hist | whisto | .counts')
	got=$(screen_counts)
	check "its bucket counts are jq's ($got)" test "$got" = "$want"
	screen_keys Escape
	screen_gone 'Histogram of' 5
	ok $? "Escape closes the pane"
	screen_keys q
	screen_exit_is 0 "q quits"
fi

done_testing
