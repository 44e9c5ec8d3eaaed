#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The HTML page in a real browser: Debian's headless Chromium (installed by install-deps.sh with
# chromium-driver). A recording of the call-tree workload is exported to HTML; --dump-dom shows
# the views drawn with the snapshot's numbers; a WebDriver session (tests/live/webdriver.py, the
# Python standard library talking to chromedriver) clicks a flame graph frame and sees it zoom,
# searches, sorts, hovers, and checks that no request leaves the page (a fetch of its own is
# blocked by the Content-Security-Policy). The header, the events table, the counter and ratio
# charts, and the tooltips over a counter chart, the IPC chart and the scheduler map must show
# what jq computes from the snapshot, for the recording and for fixtures with multiplexed
# hardware counters and unsupported events. A JIT-named symbol
# "<img src=x onerror=alert(1)>" renders as text and runs nothing (alert() is hooked before the
# page runs, to see). JSON -> HTML -> JSON is byte-identical, plain and compressed, and
# `ringside view` draws the page's overview, flame graph and scheduler screens as the JSON's. An
# aggregate of exited tasks is named "comm (N exited)", with no TID.
# Screenshots of every view are written to tests/live/html-*.png in the build directory.

. "$TESTLIB"
require_root
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] ||
	skip_all "chromium is not installed (./install-deps.sh installs chromium and chromium-driver)"
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree
JM=$WORKLOADS/jitmap
IMG='<img src=x onerror=alert(1)>'
SHOTS=$PWD/tests/live
mkdir -p "$SHOTS"

# The DOM after the page has drawn (virtual time lets the async paths finish first).
dump_dom() {
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$T/chromium-$2" --no-first-run --disable-background-networking \
		--virtual-time-budget=10000 --dump-dom "file://$1" 2>"$T/chromium-$2.err"
}

webdriver() {
	[ -n "$CHROMEDRIVER" ] && [ -x "$CHROMEDRIVER" ] && [ -n "$PYTHON3" ] || return 77
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 90 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver.py" "$@"
}

# jq definitions for the checks: an event's estimate and counted share, in all and in interval
# $i summed over its series (man ringside-snapshot.5, "Values": count * enabled / running,
# intervals with running 0 left out), the ratios the page draws, quantities read back from the
# page's text ("2.58 G", "754 ms"), a tooltip from the WebDriver report, per mille as the page
# shows it in percent.
JQDEFS='
def track($n): first(.events[] | select(.name == $n or .canonical == $n)) // null;
def usable: . != null and .supported and (.series | length) > 0;
def total: [.series[] | . as $s | range(0; $s.t | length) | select($s.running[.] > 0) |
	$s.count[.] * $s.enabled[.] / $s.running[.]] | add // 0;
def share: ([.series[].enabled[]] | add // 0) as $e |
	if $e > 0 then 100 * ([.series[].running[]] | add) / $e else null end;
def interval($i): { t: .series[0].t[$i],
	value: ([.series[] | select(.running[$i] > 0) | .count[$i] * .enabled[$i] / .running[$i]] |
		add // 0),
	enabled: ([.series[].enabled[$i]] | add), running: ([.series[].running[$i]] | add) };
def ratios: [["IPC", "instructions", "cycles", 1], ["CPI", "cycles", "instructions", 1],
	["cache-miss %", "cache-misses", "cache-references", 100],
	["branch-miss %", "branch-misses", "branches", 100]];
def qty: capture("^(?<v>-?[0-9.]+(e[-+]?[0-9]+)?)(?: (?<u>[kMGT]|s|ms|\u00b5s|ns))?") |
	(.v | tonumber) * ({"": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, s: 1e9, ms: 1e6,
		"\u00b5s": 1e3, ns: 1}[.u // ""]);
def near($v; $want; $pct): ($v - $want | fabs) <= ($want | fabs) * $pct / 100;
def tip($hovers; $target): [$hovers[]? | select(.target == $target) | .tip][0] // "";
def permille: "\(. / 10 | floor).\(. % 10)";
'

# hovered TARGET...: the WebDriver report $W holds a non-empty tooltip for each --hover TARGET (an
# empty TARGET, a plan that found nothing to point at, fails).
hovered() {
	for _h in "$@"; do
		[ -z "$_h" ] && continue # nothing to point at (see hover_plan)
		"$JQ" -e --arg t "$_h" "$JQDEFS"' tip(.hovers; $t) | length > 0' "$W" >/dev/null ||
			return 1
	done
}

# wcheck DESC FILTER: FILTER holds, with $s the snapshot $S and $w the WebDriver report $W.
wcheck() {
	check "$1" "$JQ" -n -e --slurpfile s "$S" --slurpfile w "$W" \
		"$JQDEFS \$s[0] as \$s | \$w[0] as \$w | $2"
}

# hover_plan: where to point in the page of snapshot $S: the chart of HOVER_EV (the first counted
# event) at its interval HOVER_K, the one nearest the middle of those far enough from their
# neighbours to be told apart (a last interval may be a few ms); the IPC chart there too when
# cycles and instructions were counted; the scheduler map at the cell of CPU row HOVER_C and
# bucket HOVER_B nearest the middle where a task (not idle) ran most. Sets (and exports, for
# wcheck's $ENV) the --hover arguments HOVER_COUNTER, HOVER_RATIO and HOVER_SCHED ("" when there
# is nothing to point at).
hover_plan() {
	HOVER_COUNTER='' HOVER_RATIO='' HOVER_SCHED=''
	HOVER_EV=$(jqv "$S" "$JQDEFS"' [.events[] | select(usable)][0].name // empty')
	if [ -n "$HOVER_EV" ]; then
		set -- $("$JQ" -r --arg ev "$HOVER_EV" "$JQDEFS"' track($ev).series[0].t as $t |
			($t | length) as $n | [range(0; $n) | { k: ., gap: ([$t[.] - if . > 0 then
			$t[. - 1] else 0 end, if . < $n - 1 then $t[. + 1] - $t[.] else 1e30 end] |
			min) }] | (map(.gap) | max) as $g | map(select(.gap >= $g / 2)) |
			min_by(.k - ($n - 1) / 2 | fabs).k | "\(.) \($t[.] / $t[-1])"' "$S")
		HOVER_K=$1
		HOVER_COUNTER=".chart[data-event=\"$HOVER_EV\"]>svg@$2,0.5"
		if [ "$(jqv "$S" "$JQDEFS"' track("instructions") | usable')" = true ] &&
			[ "$(jqv "$S" "$JQDEFS"' track("cycles") | usable')" = true ]; then
			HOVER_RATIO=".chart[data-ratio=\"IPC\"]>svg@$2,0.5"
		fi
	fi
	set -- $(jqv "$S" '(.sched.map.cells // []) as $m | ($m[0] | length) as $nb | [$m |
		to_entries[] | .key as $c | .value | to_entries[] | select(.value[0] >= 0) |
		{ c: $c, b: .key, d: (.key + 0.5 - $nb / 2 | fabs) }] | min_by(.d) // empty |
		"\(.c) \(.b) \((.b + 0.5) / $nb) \((.c + 0.5) / ($m | length))"')
	HOVER_C=${1:-} HOVER_B=${2:-}
	[ -z "$HOVER_C" ] || HOVER_SCHED="#sched-map@$3,$4"
	export HOVER_EV HOVER_K HOVER_C HOVER_B HOVER_COUNTER HOVER_RATIO HOVER_SCHED
}

# page_checks LABEL: what the WebDriver report $W of the page of snapshot $S must show, all of it
# derived from the snapshot: the header, the events table, every counter and ratio chart, and the
# tooltips at the places hover_plan chose.
page_checks() {
	wcheck "$1: the header shows the host, kernel, CPU count and target of the snapshot's meta" '
		$w.page.header as $h | $s.meta as $m | $h.host == $m.host and
		$h.kernel == "\($m.kernel) (\($m.arch))" and $h.cpus == ($m.cpus | tostring) and
		$h.target == $m.target.description + if ($m.target.pids | length) > 0 then
			", PID " + ($m.target.pids | map(tostring) | join(", ")) else "" end'
	wcheck "$1: the header shows the duration and why recording ended" '
		$w.page.header.duration as $d | near($d | qty; $s.meta.duration_ns; 1) and
		($d | endswith(", ended by " + $s.meta.end_reason))'
	wcheck "$1: the header shows the samples, their event and the lost samples" '
		$w.page.header as $h | $s.stacks as $st | if $st == null then
		$h.samples == "none taken" and $h.lost == null else
		($h.samples | startswith("\($st.samples) of \($st.event) ")) and $h.lost ==
		"\($st.lost)" + if $st.throttled > 0 then ", throttled \($st.throttled) times"
		else "" end end'
	wcheck "$1: the events table has each event, supported or not and why, scaled total, counted %" '
		($w.page.events_table | length) == ($s.events | length) and
		([$s.events[] | . as $e | [$w.page.events_table[] | select(.event == $e.name)][0] as $r |
		$r != null and $r.cells[2] == if $e.supported then "yes" else
			"no: " + ($e.reason // "not supported") end and
		if $e.supported then $r.total == ($e | total | round) and ($e | share) as $p |
			if $p == null then $r.cells[4] == "n/a" else
			(($r.cells[4] | rtrimstr("%") | tonumber) - $p | fabs) <= 0.051 end
		else $r.total == -1 and $r.cells[3] == "n/a" end] | all)'
	wcheck "$1: the events table is sorted by name, A to Z" '
		[$w.page.events_table[].event | ascii_downcase] as $n | $n == ($n | sort)'
	wcheck "$1: a chart of each counted event with its scaled total and counted % in its title" '
		[$s.events[] | select(usable)] as $ev |
		($w.page.counter_charts | map(.event)) == ($ev | map(.name)) and
		([$ev[] | . as $e | [$w.page.counter_charts[] | select(.event == $e.name)][0] as $c |
		$c.total == ($e | total | round) and ($c.heading | capture("^total (?<t>[^,]+), " +
		".*; counted (?<p>[0-9.]+)% of the time")) as $m | near($m.t | qty; $e | total; 0.6)
		and (($m.p | tonumber) - ($e | share) | fabs) <= 0.051] | all)'
	wcheck "$1: each ratio is the ratio of the scaled totals, or n/a saying which event is missing" '
		[ratios[] as [$name, $a, $b, $k] | ($s | track($a)) as $ta | ($s | track($b)) as $tb |
		[$w.page.ratios[] | select(.name == $name)][0] as $r | $r != null and
		if ($ta | usable) and ($tb | usable) and ($tb | total) > 0 then
			(($ta | total) / ($tb | total) * $k) as $x | near($r.value | tonumber; $x; 0.001)
			and near($r.heading | ltrimstr("overall ") | tonumber; $x; 0.06)
		else $r.value == "n/a" and $r.heading == "n/a: " + first([[$a, $ta], [$b, $tb]][] |
			.[0] as $n | .[1] | if . == null then "no \($n) event in this recording"
			elif usable | not then "\($n) is not supported here" else empty end)
		end] | all'
	if [ -n "$HOVER_COUNTER" ]; then
		wcheck "$1: $HOVER_EV's tooltip at interval $HOVER_K: rate /s, value, counted %" '
			($s | track($ENV.HOVER_EV)) as $e | ($ENV.HOVER_K | tonumber) as $k |
			($e | interval($k)) as $iv | (if $k > 0 then $e.series[0].t[$k - 1] else 0 end) as $t0 |
			(tip($w.hovers; $ENV.HOVER_COUNTER) | split("\n")) as $l | $l[0] == $e.name and
			($l[1] | capture("^at (?<at>.+): (?<r>.+)/s$")) as $m |
			near($m.at | qty; $iv.t; 1) and near($m.r | qty; $iv.value / ($iv.t - $t0) * 1e9; 0.6)
			and near($l[2] | ltrimstr("in the interval: ") | qty; $iv.value; 0.6) and
			(($l[3] | capture("^counted (?<p>[0-9.]+)% of the time$").p | tonumber) -
			100 * $iv.running / $iv.enabled | fabs) <= 0.051'
	fi
	if [ -n "$HOVER_RATIO" ]; then
		wcheck "$1: IPC's tooltip at interval $HOVER_K: the interval's IPC" '
			($ENV.HOVER_K | tonumber) as $k | ($s | track("instructions") | interval($k)) as $a |
			($s | track("cycles") | interval($k)) as $b |
			(tip($w.hovers; $ENV.HOVER_RATIO) | capture("^IPC at (?<at>.+): (?<v>[^:]+)$")) as $m |
			near($m.at | qty; $a.t; 1) and near($m.v | tonumber; $a.value / $b.value; 0.06)'
	fi
	if [ -n "$HOVER_SCHED" ]; then
		wcheck "$1: the map's tooltip at row $HOVER_C, bucket $HOVER_B: CPU, task that ran most" '
			$s.sched as $sc | ($ENV.HOVER_C | tonumber) as $c | ($ENV.HOVER_B | tonumber) as $b |
			$sc.map.cells[$c][$b] as [$task, $share, $busy] |
			(tip($w.hovers; $ENV.HOVER_SCHED) | split("\n")) as $l |
			($l[0] | capture("^CPU (?<cpu>[0-9]+), (?<a>.+) to (?<b>.+)$")) as $m |
			($m.cpu | tonumber) == ($sc.cpus[$c].cpu // $c) and
			near($m.a | qty; $b * $sc.map.bucket_ns; 1) and
			near($m.b | qty; ($b + 1) * $sc.map.bucket_ns; 1) and
			$l[1] == "ran most: \($sc.tasks[$task] | "\(.comm) (\(.tid))") (\($share | permille)%)"
			and $l[2] == "CPU busy \($busy | permille)%"'
	fi
}

# --- a known call tree, recorded as JSON, exported to HTML and back
timeout 60 "$R" record -F 999 -g fp -o "$T/ct.json" -- "$CT" 2 2>"$T/ct.err"
ok $? "record -g fp -o X.json -- calltree 2 exits 0"
timeout 30 "$R" export "$T/ct.json" -o "$T/ct.html" 2>"$T/export.err"
ok $? "export X.json -o X.html exits 0"
timeout 30 "$R" export "$T/ct.html" -o "$T/back.json" 2>"$T/back.err"
ok $? "export X.html -o Y.json exits 0 (the page is read back)"
check "round trip: JSON -> HTML -> JSON is byte-identical" cmp "$T/ct.json" "$T/back.json"
check "the page has a Content-Security-Policy with default-src 'none' and script hashes" \
	grep -Eq "default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]*'( 'sha256-[A-Za-z0-9+/=]*')*; style-src 'sha256-" \
	"$T/ct.html"
# Every http(s) URL in the page, and those that are allowed: namespace names, never fetched.
urls() {
	grep -Eio 'https?://[^]["'"'"' <>(){}\\]*' "$1"
}
check "the page loads nothing: no src= or href= attribute, no URL but the SVG namespace" \
	sh -c '! grep -Eq "(src|href)=\"?(https?:)?//" "$1"' sh "$T/ct.html"
check "... every http(s) URL in it is a namespace name: $(urls "$T/ct.html" | sort -u | tr '\n' ' ')" \
	test -z "$(urls "$T/ct.html" | grep -Ev '^http://www\.w3\.org/(2000/svg|1999/xhtml)$')"
expect_status 0 "export X.html -o Y.folded exits 0" timeout 30 "$R" export "$T/ct.html" -o "$T/ct.folded" 2>/dev/null
check "export X.html -o Y.folded works too" grep -q ';main;a;c;c_inl;hot_mix [0-9]*$' \
	"$T/ct.folded"

# --- `ringside view` of the page draws what it draws for the JSON it came from
# view_screen FILE VIEW OUT: VIEW of `ringside view FILE` (in $T) at 120x40, saved to OUT.
view_screen() {
	screen_start 120 40 sh -c "cd '$T' && exec '$R' view --view $2 $1"
	screen_wait 'SNAPSHOT' 10 && screen_steady 10 || diag "view $1, $2: not drawn, or not still"
	screen_save "$3"
	screen_keys q
	screen_exit_is 0 "view $1 --view $2: q quits with 0"
}
if command -v tmux >/dev/null; then
	for v in overview flame scheduler; do
		view_screen ct.json $v "$T/view-json-$v.txt"
		view_screen ct.html $v "$T/view-html-$v.txt"
		sed 's/ct\.html/ct.json/' "$T/view-html-$v.txt" >"$T/view-html-$v.same"
		if ! cmp -s "$T/view-json-$v.txt" "$T/view-html-$v.same"; then
			diag "view ct.html, $v, differs from view ct.json:"
			diff -u "$T/view-json-$v.txt" "$T/view-html-$v.same" | sed 's/^/#   /'
		fi
		check "view X.html: the $v screen is view X.json's (but for the file name)" \
			sh -c 'grep -q "SNAPSHOT" "$1" && grep -q "calltree" "$1" && cmp -s "$1" "$2"' \
			sh "$T/view-json-$v.txt" "$T/view-html-$v.same"
	done
else
	skip "ringside view X.html in tmux" "tmux is not installed"
fi

samples=$(jqv "$T/ct.json" '.stacks.samples')
sev=$(jqv "$T/ct.json" '.stacks.event')
hot=$(jqv "$T/ct.json" '.stacks as $s | [$s.nodes[] | select($s.strings[$s.frames[.[1]][0]] ==
	"hot_mix") | .[3]] | max')
hot_sum=$(jqv "$T/ct.json" '.stacks as $s | [$s.nodes[] | select($s.strings[$s.frames[.[1]][0]]
	== "hot_mix") | .[3]] | add')
diag "calltree: $samples samples, hot_mix $hot in its biggest node, $hot_sum in all"

dump_dom "$T/ct.html" ct >"$T/ct.dom"
check "dump-dom: the page drew (body data-ready=1, no view failed)" \
	sh -c 'grep -q "data-ready=\"1\"" "$1" && ! grep -q "class=\"err\"" "$1"' sh "$T/ct.dom"
for v in summary counters ratios flame functions sched tasks; do
	check "dump-dom: view '$v' exists" grep -q "<section id=\"$v\"" "$T/ct.dom"
done
check "dump-dom: the flame graph holds the snapshot's $samples samples" \
	grep -q "id=\"flame-graph\" data-samples=\"$samples\"" "$T/ct.dom"
check "dump-dom: the frame hot_mix is drawn with its total $hot" \
	grep -Eq "data-total=\"$hot\"[^>]*>hot_mix<" "$T/ct.dom"
check "dump-dom: the header says $samples samples of $sev" \
	grep -Fq "id=\"meta-samples\">$samples of $sev " "$T/ct.dom"
for ev in $(jqv "$T/ct.json" "$JQDEFS"' .events[] | select(usable) | .name'); do
	n=$(ev_scaled "$T/ct.json" "$ev")
	check "dump-dom: a chart of $ev with its total $n (scaled for multiplexing)" \
		grep -q "class=\"chart\" data-event=\"$ev\" data-total=\"$n\"" "$T/ct.dom"
done
ncpu=$(jqv "$T/ct.json" '.sched.map.cells | length')
nb=$(jqv "$T/ct.json" '.sched.map.cells[0] | length')
check "dump-dom: the scheduler map has $ncpu CPU rows of $nb buckets" \
	grep -q "id=\"sched-map\" data-cpus=\"$ncpu\" data-buckets=\"$nb\"" "$T/ct.dom"
# The legend names every task that ran most in some cell, as the snapshot has them: calltree's
# (on a machine busy with other work "other" may run most everywhere: then there is none).
legend=$(jqv "$T/ct.json" '.sched as $s | [$s.map.cells[][] | .[0] | select(. >= 0)] | unique |
	map($s.tasks[.].comm) | unique | join(" ")')
check "dump-dom: the scheduler map has cells and a legend naming its busiest tasks (${legend:-none})" \
	sh -c 'grep -q "<rect" "$1" && for c in $2; do
		grep -Eq "data-task=\"[0-9]+\"[^>]*><span class=\"sw\"[^>]*></span>$c" "$1" || exit 1
	done' sh "$T/ct.dom" "$legend"
check "dump-dom: the task table lists calltree's tasks" \
	grep -Eq "<tr data-tid=\"[0-9]+\"><td class=\"name\">calltree<" "$T/ct.dom"
# An aggregate of folded exited tasks (the fixture's ct-worker made one with jq) has no TID: the
# table and the map's legend name it "comm (N exited)". Likewise the flamegraph's process folded
# by name (module "[exited]", no pid) reads "calltree [exited]".
"$JQ" '.sched.tasks[2] |= (.folded = 37 | .tid = 0 | .pid = 0)
	| .stacks.strings += ["[exited]"] | (.stacks.strings | length - 1) as $x
	| .stacks.frames |= map(if .[4] == "process" then .[1] = $x | .[3] = 0 else . end)' \
	"$TESTDATA/screen-calltree.json" >"$T/agg.json"
expect_status 0 "export agg.json -o agg.html exits 0" timeout 30 "$R" export "$T/agg.json" -o "$T/agg.html" 2>/dev/null
dump_dom "$T/agg.html" agg >"$T/agg.dom"
check "dump-dom: an aggregate's table row reads 'ct-worker (37 exited)' with no TID or PID" \
	grep -Eq '<tr data-tid="0" data-folded="37"><td class="name">ct-worker \(37 exited\)</td>(<td class="num">[^<0-9]+</td>){2}<td class="num">988 ms<' \
	"$T/agg.dom"
check "dump-dom: the map's legend names the aggregate 'ct-worker (37 exited)'" \
	grep -Eq 'data-task="2"[^>]*><span class="sw"[^>]*></span>ct-worker \(37 exited\)' "$T/agg.dom"
check "dump-dom: the flamegraph's folded process reads 'calltree [exited]', no pid" \
	sh -c 'grep -Eq ">calltree \[exited\]<" "$1" && ! grep -Eq ">calltree \[[0-9]+\]<" "$1"' \
	sh "$T/agg.dom"
ipc=$(sed -n 's/.*data-ratio="IPC" data-value="\([^"]*\)".*/\1/p' "$T/ct.dom")
ipc_want=$(jqv "$T/ct.json" "$JQDEFS"' track("instructions") as $a | track("cycles") as $b |
	if ($a | usable) and ($b | usable) and ($b | total) > 0 then ($a | total) / ($b | total)
	else "n/a" end')
if [ "$ipc_want" = n/a ]; then
	check "dump-dom: IPC says n/a, as cycles or instructions was not counted" test "$ipc" = n/a
else
	check "dump-dom: IPC is $ipc, instructions / cycles scaled = $ipc_want" \
		approx "$ipc" "$ipc_want" 0.001
fi

# --- clicking, searching, sorting, hovering, requests, in a WebDriver session
S=$T/ct.json
hover_plan
# A function every node of which is under the page's 0.08% (too narrow to draw), and its node
# with the most samples (the first of them): Enter in the search box zooms to it.
set -- $(jqv "$S" '.stacks as $s | $s.nodes[0][3] as $all | [range(1; $s.nodes | length) as $i
	| {i: $i, n: $s.strings[$s.frames[$s.nodes[$i][1]][0]], t: $s.nodes[$i][3]}] | group_by(.n)
	| map(select((.[0].n | test("^[A-Za-z_][A-Za-z0-9_]*$")) and all(.[]; .t < 0.0008 * $all)
	and any(.[]; .t > 0)) | sort_by(-.t, .i)[0]) | sort_by(-.t, .n) | first // empty
	| "\(.n) \(.i)"')
NARROW=${1:-} NARROW_NODE=${2:-}
webdriver "$T/ct.html" "$SHOTS" --click hot_mix --search '^hot_mix$' --screenshots \
	${NARROW:+--search-narrow "^$NARROW\$"} \
	--hover "$HOVER_COUNTER" --hover "$HOVER_RATIO" --hover "$HOVER_SCHED" >"$T/wd.json" \
	2>"$T/wd.err"
rc=$?
if [ $rc -eq 77 ]; then
	skip "WebDriver checks" "chromedriver or python3 missing (install chromium-driver)"
else
	ok $rc "webdriver.py ran ($(head -c 300 "$T/wd.err"))"
	W=$T/wd.json
	diag "page ready after $(jqv "$W" '.page.ready_ms') ms (draw $(jqv "$W" '.page.draw_ms') ms)"
	check "webdriver: no WebDriver error" test "$(jqv "$W" '.webdriver_error')" = null
	check "webdriver: the page drew" test "$(jqv "$W" '.ready')" = 1
	check "webdriver: clicking hot_mix zooms to it (the flame graph's focus is its node)" \
		"$JQ" -e '.click.node != null and .click.focus == .click.node' "$W"
	wb=$(jqv "$W" '.click.width_before') wa=$(jqv "$W" '.click.width_after')
	check "webdriver: the zoomed frame is full width ($wb -> $wa of $(jqv "$W" '.click.box_width') px)" \
		"$JQ" -e '.click.width_after >= 0.97 * .click.box_width and
			.click.width_before < 0.5 * .click.box_width' "$W"
	check "webdriver: Reset zooms back out" test "$(jqv "$W" '.after_reset_focus')" = 0
	check "webdriver: hovering shows total and self % and file:line" \
		"$JQ" -e '.hover_tip | test("total [0-9]+ samples \\([0-9.]+%\\)") and
			test("self [0-9]+ samples") and test("libhot\\.c:[0-9]+")' "$W"
	check "webdriver: searching ^hot_mix$ highlights it and sums $hot_sum samples" \
		"$JQ" -e --argjson n "$hot_sum" '.search.samples == $n and .search.highlighted >= 1' "$W"
	if [ -n "$NARROW" ]; then
		check "webdriver: ^$NARROW\$ is too narrow to draw; Enter zooms to its heaviest node ($NARROW_NODE)" \
			"$JQ" -e --argjson n "$NARROW_NODE" '.search_narrow.drawn_before == 0 and
			.search_narrow.focus == $n and .search_narrow.highlighted >= 1' "$W"
	else
		skip "webdriver: Enter on a search too narrow to draw" "every function of ct.json is drawn"
	fi
	check "webdriver: clicking the Total header sorts the functions by total" \
		"$JQ" -e '.sorted.key == "total" and .sorted.descending' "$W"
	check "webdriver: no request left the page (performance log and resource timing)" \
		"$JQ" -e '.requests == [] and .page.resources == [] and .page_requested' "$W"
	check "webdriver: a fetch() injected into the page is blocked by the CSP (connect-src)" \
		"$JQ" -e '(.fetch.result | startswith("blocked")) and
			(.fetch.violations | any(startswith("connect-src")))' "$W"
	n=0
	for f in $(jqv "$W" '.screenshots[]?'); do
		[ -s "$f" ] && n=$((n + 1)) && diag "screenshot: $f"
	done
	check "webdriver: a screenshot of each of the 7 views and the zoomed flame graph ($n)" \
		test "$n" -eq 8
	page_checks "calltree page"
	check "webdriver: the counter chart, the scheduler map were hovered (a tooltip each)" \
		hovered "$HOVER_COUNTER" "$HOVER_SCHED"
fi

# --- multiplexed hardware counters: tests/data/html-ratios.json (made by html-ratios.jq: the six
# generic hardware events counted on two CPUs, running < enabled in most intervals and 0 in one,
# and an unsupported event), and tests/data/snapshot-good.json (an unsupported event, a raw one)
S=$TESTDATA/html-ratios.json
timeout 30 "$R" export "$S" -o "$T/mux.html" 2>"$T/mux.err"
ok $? "export html-ratios.json -o X.html exits 0"
# What ringside read and put in the page, read back by ringside: still multiplexed, so the page's
# scaled figures (page_checks) differ from the raw counts.
expect_status 0 "export of the multiplexed page -o X.json exits 0" \
	timeout 30 "$R" export "$T/mux.html" -o "$T/mux-back.json"
check "the page's snapshot is multiplexed: running < enabled in some intervals, 0 in one" \
	"$JQ" -e '([.events[].series[] | . as $s | range(0; $s.t | length) |
		$s.running[.] < $s.enabled[.]] | any) and ([.events[].series[].running[]] | any(. == 0))' \
	"$T/mux-back.json"
check "... so its scaled totals are not the raw ones: $(ev_scaled "$T/mux-back.json" cycles) cycles, raw $(ev_total "$T/mux-back.json" cycles)" \
	test "$(ev_scaled "$T/mux-back.json" cycles)" -gt "$(ev_total "$T/mux-back.json" cycles)"
hover_plan
webdriver "$T/mux.html" "$T" --hover "$HOVER_COUNTER" --hover "$HOVER_RATIO" \
	--hover "$HOVER_SCHED" >"$T/mux.wd" 2>"$T/mux.wd.err"
rc=$?
if [ $rc -eq 77 ]; then
	skip "WebDriver checks of the multiplexed page" "chromedriver or python3 missing"
else
	W=$T/mux.wd
	check "webdriver: the multiplexed page drew, no view failed ($(head -c 300 "$T/mux.wd.err"))" \
		"$JQ" -e '.ready == "1" and .page.errors == [] and .webdriver_error == null' "$W"
	for r in IPC CPI 'cache-miss %' 'branch-miss %'; do
		diag "$r: $("$JQ" -r --arg r "$r" '.page.ratios[] | select(.name == $r) | .value' "$W")"
	done
	page_checks "multiplexed page"
	check "webdriver: the IPC chart was hovered too (a tooltip)" hovered "$HOVER_RATIO"
fi
S=$TESTDATA/snapshot-good.json
timeout 30 "$R" export "$S" -o "$T/good.html" 2>"$T/good.err"
ok $? "export snapshot-good.json -o X.html exits 0"
hover_plan
webdriver "$T/good.html" "$T" --hover "$HOVER_COUNTER" >"$T/good.wd" 2>"$T/good.wd.err"
rc=$?
if [ $rc -eq 77 ]; then
	skip "WebDriver checks of snapshot-good.json's page" "chromedriver or python3 missing"
else
	W=$T/good.wd
	check "webdriver: snapshot-good.json's page drew, no view failed (no stacks, no scheduler)" \
		"$JQ" -e '.ready == "1" and .page.errors == [] and .webdriver_error == null' "$W"
	page_checks "snapshot-good.json page"
	check "webdriver: cycles:u is listed as not supported, with the reason" \
		"$JQ" -e '.page.events_table[] | select(.event == "cycles:u") | .cells[2] |
			startswith("no: not supported by this CPU or kernel")' "$W"
fi

# --- compressed embedding (the form large snapshots take)
RINGSIDE_HTML_GZIP=1 timeout 30 "$R" export "$T/ct.json" -o "$T/ctz.html" 2>/dev/null
ok $? "export with RINGSIDE_HTML_GZIP=1 exits 0"
check "the compressed page holds gzip-base64 data" grep -q 'data-encoding="gzip-base64"' \
	"$T/ctz.html"
expect_status 0 "export of the compressed page -o X.json exits 0" timeout 30 "$R" export "$T/ctz.html" -o "$T/backz.json" 2>/dev/null
check "round trip through the compressed page is byte-identical" cmp "$T/ct.json" "$T/backz.json"
dump_dom "$T/ctz.html" ctz >"$T/ctz.dom"
check "dump-dom: the compressed page draws the same flame graph ($samples samples, hot_mix $hot)" \
	sh -c 'grep -q "id=\"flame-graph\" data-samples=\"$2\"" "$1" &&
		grep -Eq "data-total=\"$3\"[^>]*>hot_mix<" "$1"' sh "$T/ctz.dom" "$samples" "$hot"

# --- record straight to HTML
timeout 60 "$R" record -F 999 -g fp -o "$T/direct.html" -- "$CT" 1 2>"$T/direct.err"
ok $? "record -o X.html -- calltree 1 exits 0"
expect_status 0 "export of the recorded page -o X.json exits 0" timeout 30 "$R" export "$T/direct.html" -o "$T/direct.json" 2>/dev/null
check "the recorded page reads back as a snapshot with stacks" \
	"$JQ" -e '.format == "ringside-snapshot" and .stacks.samples > 0' "$T/direct.json"

# --- a hostile symbol from a JIT map
"$JM" 0 >/dev/null 2>&1
if [ $? -eq 3 ]; then
	skip "the hostile JIT symbol" "jitmap's fake JIT code is x86-64 machine code"
else
	timeout 60 "$R" record -F 999 -g fp -o "$T/jit.html" -- "$JM" 2 2>"$T/jit.err"
	ok $? "record -o X.html -- jitmap 2 exits 0"
	expect_status 0 "export of the JIT page -o X.json exits 0" timeout 30 "$R" export "$T/jit.html" -o "$T/jit.json" 2>/dev/null
	check "the snapshot has the JIT frame $IMG" "$JQ" -e --arg img "$IMG" \
		'.stacks as $s | [$s.frames[] | $s.strings[.[0]]] | index($img) != null' "$T/jit.json"
	check "the page's bytes never hold '<img' (the JSON writes \\u003c)" \
		sh -c '! grep -q "<img" "$1"' sh "$T/jit.html"
	dump_dom "$T/jit.html" jit >"$T/jit.dom"
	check "dump-dom: the symbol is text (&lt;img ...&gt;), no <img> element" \
		sh -c 'grep -q ">&lt;img src=x onerror=alert(1)&gt;<" "$1" && ! grep -q "<img" "$1"' \
		sh "$T/jit.dom"
	webdriver "$T/jit.html" "$T" --xss "$IMG" --click "$IMG" >"$T/jit.wd" 2>"$T/jit.wd.err"
	rc=$?
	if [ $rc -eq 77 ]; then
		skip "WebDriver XSS checks" "chromedriver or python3 missing"
	else
		W=$T/jit.wd
		check "webdriver: no alert opened, no 'unexpected alert open'" \
			"$JQ" -e '.alert == null and (.unexpected_alert // false) == false and
				.webdriver_error == null' "$W"
		check "webdriver: alert(), confirm(), prompt() (hooked before the page ran) never called" \
			"$JQ" -e '.page.dialogs == [] and .dialog_hook_works' "$W"
		check "webdriver: the symbol is shown as text in the flame graph and the table" \
			"$JQ" -e '.xss_frames_as_text >= 1 and .xss_rows_as_text >= 1' "$W"
		# The page's own scripts (ringside.js, range.js, histo.js) and its snapshot, and the
		# annotations' JSON when it has them.
		na=$(grep -c 'id="ringside-annotate"' "$T/jit.html")
		check "webdriver: no <img> element was created, $((4 + na)) scripts only" \
			"$JQ" -e --argjson na "$na" \
			'.page.img_elements == 0 and .page.script_elements == 4 + $na' "$W"
		check "webdriver: clicking the hostile frame zooms to it like any other" \
			"$JQ" -e '.click.node != null and .click.focus == .click.node' "$W"
		check "webdriver: no request left the page (and the log saw the page's own load)" \
			"$JQ" -e '.requests == [] and .page_requested' "$W"
	fi
fi

# --- input that is not a ringside page; outputs by extension
printf '<!DOCTYPE html>\n<html><body><script>var x;</script></body></html>\n' >"$T/foreign.html"
"$R" export "$T/foreign.html" -o "$T/f.json" 2>"$T/foreign.err"
ok $(($? != 2)) "export of a foreign HTML file exits 2"
check "... saying it holds no ringside snapshot: $(cat "$T/foreign.err")" \
	grep -q "^ringside: '$T/foreign.html' holds no ringside snapshot; " "$T/foreign.err"
"$R" export "$T/ct.json" -o "$T/x.txt" 2>"$T/ext.err"
ok $(($? != 2)) "export -o X.txt exits 2"
check "... naming .json, .html, .folded or .pb.gz" grep -q "\.json, \.html, \.folded or \.pb\.gz" "$T/ext.err"
"$R" record --duration 1 -o "$T/x.htm" 2>"$T/rext.err"
ok $(($? != 2)) "record -o X.htm exits 2"
check "... naming .html" grep -q "\.html (a page to open in a browser)" "$T/rext.err"

# --- the user's ratio: kept by record --ratio, drawn by the page with the snapshot's value
PT=$WORKLOADS/pagetouch
timeout 60 "$R" record -I 200 --ratio pfcs=page-faults/context-switches \
	-e page-faults,context-switches -o "$T/ratio.json" -- "$PT" 500 --every 100 --for 1 \
	2>"$T/ratio.err"
ok $? "record --ratio pfcs=page-faults/context-switches -o X.json -- pagetouch exits 0"
check "the snapshot keeps the ratio: ratios is [{pfcs, page-faults, context-switches}]" \
	"$JQ" -e '.ratios == [{"name": "pfcs", "numerator": "page-faults",
		"denominator": "context-switches", "percent": false}]' "$T/ratio.json"
# Each event's total scaled for multiplexing (man/ringside-snapshot.5), and their ratio.
want=$("$JQ" -r '[.events[] | {(.name): ([.series[] | range(0; .t | length) as $i |
	.running[$i] as $r | select($r > 0) | .count[$i] * .enabled[$i] / $r] | add)}] | add |
	.["page-faults"] / .["context-switches"]' "$T/ratio.json")
diag "pfcs: $(ev_total "$T/ratio.json" page-faults) page faults over" \
	"$(ev_total "$T/ratio.json" context-switches) context switches = $want"
check "record's summary has the line pfcs $(printf %.3f "$want")" grep -Eq \
	"^ +$(printf %.3f "$want")  pfcs +page-faults / context-switches\$" "$T/ratio.err"
timeout 30 "$R" export "$T/ratio.json" -o "$T/ratio.html" 2>/dev/null
ok $? "export X.json -o X.html exits 0"
expect_status 0 "export of the ratio page -o X.json exits 0" timeout 30 "$R" export "$T/ratio.html" -o "$T/ratio-back.json" 2>/dev/null
check "round trip with ratios: JSON -> HTML -> JSON is byte-identical" \
	cmp "$T/ratio.json" "$T/ratio-back.json"
dump_dom "$T/ratio.html" ratio >"$T/ratio.dom"
got=$(grep -o 'data-ratio="pfcs" data-value="[^"]*"' "$T/ratio.dom" | sed 's/.*data-value="//; s/"$//')
check "dump-dom: the ratio chart pfcs shows $got, the snapshot's $want (6 digits)" \
	approx "$got" "$want" 0.001
check "dump-dom: ... with its line and title pfcs = page-faults / context-switches" \
	grep -Eq 'data-ratio="pfcs" data-value="[^"]*"><h3>pfcs = page-faults / context-switches .*<polyline' \
	"$T/ratio.dom"

done_testing
