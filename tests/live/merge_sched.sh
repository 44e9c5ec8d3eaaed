#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ringside merge keeps each input's scheduler timeline (ringside-snapshot(5), "Merged
# snapshots"): two 1 s system-wide recordings beside two pinned spinner threads (spin), given
# the hosts "alpha" and "beta" (meta.host set with jq, as two machines would have written it),
# merged into one snapshot whose one "sched" object holds both hosts' CPUs and tasks:
#   - per host, its CPU rows (cpus[].host) are the input's CPUs in order with the input's cpu
#     numbers, busy_ns and known_ns, and the input's runs: as many, as long, at the same distances,
#     of the same tasks (tid and comm), the first one moved by the input's start's distance from
#     the merged start (within 1 us: jq's numbers are doubles);
#   - its tasks (tasks[].host) are the input's, in order (tid, comm, runtime, switches, wake-ups,
#     latency count); a spinner thread (one TID, one comm) is a task per host; short names
#     are unique over the merge; the map has a row per CPU whose cells only name that host's tasks;
#   - switches and events are the inputs' sums; JSON -> JSON again is byte-identical, and each
#     input as recorded (one host) converts to itself byte for byte;
#   - view --view scheduler labels every CPU row HOST cpuN and its task table lists spin@alpha
#     and spin@beta;
#   - the HTML page (headless Chromium through WebDriver) labels its map rows HOST cpuN for every
#     CPU of both hosts and draws cells on each row whose map cells name a task (on both hosts);
#     its host selector (#sched-host) shows alpha's rows only, then beta's, then all again, the
#     cells of the rows shown drawn on screen and no others; its task table has spin on alpha and
#     on beta.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
PIN=0,1
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || PIN=0

# --- two system-wide recordings beside two pinned spinners, as two hosts (launched recordings
# see only their target's switch-outs, so their maps are mostly "other tasks")
"$WORKLOADS/spin" 30 --threads 2 --pin $PIN >/dev/null 2>&1 &
spid=$!
track $spid
i=0
while [ "$(ls /proc/$spid/task 2>/dev/null | wc -l)" -lt 3 ] && [ $i -lt 500 ]; do
	sleep 0.02
	i=$((i + 1))
done
for i in 1 2; do
	timeout 60 "$R" record --duration 1 -o "$T/r$i.json" 2>"$T/r$i.err"
	ok $? "record --duration 1 -o r$i.json (system-wide) exits 0"
done
kill -TERM $spid 2>/dev/null
wait_pid $spid 10
"$JQ" '.meta.host = "alpha"' "$T/r1.json" >"$T/a.json"
"$JQ" '.meta.host = "beta"' "$T/r2.json" >"$T/b.json"
timeout 60 "$R" merge "$T/a.json" "$T/b.json" -o "$T/all.json" 2>"$T/merge.err"
ok $? "merge a.json b.json -o all.json exits 0 $(head -c 200 "$T/merge.err")"

NA=$("$JQ" '.sched.cpus | length' "$T/a.json")
NB=$("$JQ" '.sched.cpus | length' "$T/b.json")
diag "alpha: $NA CPUs, $(jqv "$T/a.json" .sched.switches) switches;" \
	"beta: $NB CPUs, $(jqv "$T/b.json" .sched.switches) switches"
check "both inputs have a scheduler timeline with switches" "$JQ" -e -n \
	--slurpfile a "$T/a.json" --slurpfile b "$T/b.json" \
	'[$a[0], $b[0]] | all(.sched.switches > 0 and (.sched.cpus | length) > 0)'

# same HOST INPUT: the merged rows and tasks of HOST are INPUT's.
same() {
	"$JQ" -e -n --slurpfile m "$T/all.json" --slurpfile i "$2" --arg h "$1" '
	$m[0] as $m | $i[0] as $i |
	([$m.sched.tasks | to_entries[] | select(.value.host == $h)]) as $mt |
	($mt[0].key) as $base |
	[$m.sched.cpus[] | select(.host == $h)] as $mc |
	def task($t): {tid: $t.tid, comm: $t.comm, runtime_ns: $t.runtime_ns,
		v: $t.switches_voluntary, i: $t.switches_involuntary, w: $t.wakeups,
		l: $t.latency_ns.count};
	def runs_same($x; $y): ($x | length) == ($y | length) and
		([range($x | length) as $j | $x[$j] as $r | $y[$j] as $s |
		  ($r[1] - $r[0]) == ($s[1] - $s[0]) and
		  ($r[0] - $x[0][0]) == ($s[0] - $y[0][0]) and
		  (if $s[2] < 0 then $r[2] == $s[2]
		   else $r[2] == $s[2] + $base and
			$m.sched.tasks[$r[2]].tid == $i.sched.tasks[$s[2]].tid and
			$m.sched.tasks[$r[2]].comm == $i.sched.tasks[$s[2]].comm end)] | all);
	($mt | length) == ($i.sched.tasks | length) and
	([$mt[] | task(.value)] == [$i.sched.tasks[] | task(.)]) and
	([$mt[].key] == [range($base; $base + ($mt | length))]) and
	($mc | length) == ($i.sched.cpus | length) and
	([range($mc | length) as $k | $mc[$k] as $x | $i.sched.cpus[$k] as $y |
	  $x.cpu == $y.cpu and $x.busy_ns == $y.busy_ns and $x.known_ns == $y.known_ns and
	  runs_same($x.runs; $y.runs)] | all)'
}
check "alpha's CPU rows and tasks are a.json's (busy_ns, known_ns, runs, task stats)" \
	same alpha "$T/a.json"
check "beta's CPU rows and tasks are b.json's (busy_ns, known_ns, runs, task stats)" \
	same beta "$T/b.json"
check "the merge has alpha's $NA CPU rows then beta's $NB" "$JQ" -e --argjson a "$NA" \
	--argjson b "$NB" '[.sched.cpus[].host] == [range($a) | "alpha"] + [range($b) | "beta"]' \
	"$T/all.json"
# shift HOST INPUT: ns between the merged first run of HOST's first CPU with runs and INPUT's,
# less the distance between the input's start and the merged start.
shift_off() {
	"$JQ" -n --slurpfile m "$T/all.json" --slurpfile i "$2" --arg h "$1" '
	$m[0] as $m | $i[0] as $i |
	([$i.sched.cpus | to_entries[] | select(.value.runs | length > 0)][0].key) as $k |
	[$m.sched.cpus[] | select(.host == $h)][$k].runs[0][0] - $i.sched.cpus[$k].runs[0][0] -
	($i.meta.start_unix_ns - $m.meta.start_unix_ns) | fabs'
}
check "alpha's runs start at its own start on the merged time axis (off by $(shift_off alpha \
	"$T/a.json") ns)" "$JQ" -e -n --argjson d "$(shift_off alpha "$T/a.json")" '$d < 1000'
check "beta's runs start at its own start on the merged time axis (off by $(shift_off beta \
	"$T/b.json") ns)" "$JQ" -e -n --argjson d "$(shift_off beta "$T/b.json")" '$d < 1000'
check "the spinner's threads are a task per host: alpha's and beta's" "$JQ" -e '
	[.sched.tasks[] | select(.comm == "spin") | .host] as $h |
	($h | length) >= 4 and ($h | map(select(. == "alpha")) | length) ==
	($h | map(select(. == "beta")) | length)' "$T/all.json"
check "short names are unique over both hosts" "$JQ" -e \
	'[.sched.tasks[] | select(.short != "") | .short] | length == (unique | length)' \
	"$T/all.json"
check "the map has a row per CPU, each naming only its host's tasks" "$JQ" -e '.sched as $s |
	($s.map.cells | length) == ($s.cpus | length) and
	([range($s.cpus | length) as $c | $s.map.cells[$c][] | select(.[0] >= 0) |
	  $s.tasks[.[0]].host == $s.cpus[$c].host] | all)' "$T/all.json"
check "switches and events are the inputs' sums" "$JQ" -e -n --slurpfile m "$T/all.json" \
	--slurpfile a "$T/a.json" --slurpfile b "$T/b.json" '
	$m[0].sched.switches == $a[0].sched.switches + $b[0].sched.switches and
	$m[0].sched.events == $a[0].sched.events + $b[0].sched.events'
check "JSON -> JSON again is byte-identical" sh -c \
	'"$1" export "$2" -o "$3" 2>/dev/null && cmp -s "$2" "$3"' sh "$R" "$T/all.json" \
	"$T/again.json"
check "a single-host input (as recorded) converts to itself byte for byte" sh -c \
	'"$1" export "$2" -o "$3" 2>/dev/null && cmp -s "$2" "$3"' sh "$R" "$T/r1.json" \
	"$T/r1again.json"

# --- view: the scheduler view names every host's CPUs and keeps their tasks apart
"$JQ" -r '.sched.cpus[] | "\(.host) cpu\(.cpu) "' "$T/all.json" >"$T/labels.txt"
if command -v tmux >/dev/null; then
	screen_start 120 40 "$R" view --view scheduler "$T/all.json"
	screen_wait 'beta cpu0' 10
	screen_save "$T/sched.txt"
	check "view: the scheduler map labels every CPU row HOST cpuN ($(tr '\n' ',' <"$T/labels.txt"))" \
		sh -c 'while IFS= read -r l; do grep -q "^$l" "$1" || exit 1; done <"$2"' sh \
		"$T/sched.txt" "$T/labels.txt" || diag "$(cat "$T/sched.txt")"
	check "view: the task table lists spin@alpha and spin@beta" sh -c \
		'grep -q "spin@alpha" "$1" && grep -q "spin@beta" "$1"' sh "$T/sched.txt" ||
		diag "$(cat "$T/sched.txt")"
	screen_keys q
	screen_exit_is 0 "view of the merged snapshot quits with 0"
else
	for _v in "CPU rows" "task table" "quit"; do
		skip "view: $_v" "needs tmux"
	done
fi

# --- the HTML page
"$R" merge "$T/a.json" "$T/b.json" -o "$T/all.html" 2>/dev/null
ok $? "merge -o all.html exits 0"
if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] && [ -n "$CHROMEDRIVER" ] &&
	[ -x "$CHROMEDRIVER" ] && [ -n "$PYTHON3" ]; then
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 90 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver.py" "$T/all.html" "$T" --hosts >"$T/wd.json" \
		2>"$T/wd.err"
	diag "page: map rows $("$JQ" -c '.page.sched_rows' "$T/wd.json" 2>/dev/null)"
	check "page: the map's rows are labelled HOST cpuN, every CPU of both hosts" \
		"$JQ" -e -n --slurpfile m "$T/all.json" --slurpfile w "$T/wd.json" '
		[$w[0].page.sched_rows[] | [.label, .host]] ==
		[$m[0].sched.cpus[] | ["\(.host) cpu\(.cpu)", .host]]'
	check "page: each row whose map cells name a task is drawn with cells, on both hosts" \
		"$JQ" -e -n --slurpfile m "$T/all.json" --slurpfile w "$T/wd.json" '
		[$m[0].sched.map.cells[] | any(.[0] >= 0)] as $want |
		[$w[0].page.sched_rows[] | .drawn > 0] == $want and
		([$w[0].page.sched_rows[] | select(.drawn > 0) | .host] | unique) == ["alpha", "beta"]'
	check "page: the map's host selector shows alpha's rows, beta's, then all, drawn on screen" \
		"$JQ" -e -n --slurpfile m "$T/all.json" --slurpfile w "$T/wd.json" '
		$m[0].sched as $s |
		[range($s.cpus | length) | $s.map.cells[.] | any(.[0] >= 0)] as $want |
		def shows($h): [range($s.cpus | length) | $h == "" or $s.cpus[.].host == $h];
		[$w[0].sched_hosts[] | .option as $h | shows($h) as $on |
		 .selected == $h and ([.rows[].shown] == $on) and
		 ([.rows[] | .drawn > 0] == [range($on | length) | $on[.] and $want[.]])] ==
		[true, true, true] and
		([$w[0].sched_hosts[].option] == ["alpha", "beta", ""])'
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$T/chromium" --no-first-run --disable-background-networking \
		--virtual-time-budget=10000 --dump-dom "file://$T/all.html" >"$T/all.dom" \
		2>"$T/chromium.err"
	check "page: the task table has spin on alpha and on beta" sh -c '
		grep -Eq "data-host=\"alpha\"><td class=\"name\">spin</td><td class=\"name\">alpha<" "$1" &&
		grep -Eq "data-host=\"beta\"><td class=\"name\">spin</td><td class=\"name\">beta<" "$1"' \
		sh "$T/all.dom"
else
	for _v in "row labels" "rows drawn" "host selector" "task table"; do
		skip "page: $_v" "chromium, chromedriver or python3 is not installed"
	done
fi

done_testing
