#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Time ranges outside the terminal (issue 23): `ringside export --range` and the HTML page's brush,
# on a recording of tests/workloads/phases 2 2 2 (2 s in phase_a, 2 s in phase_b, then both in two
# threads), launched, so its clock starts with the recording's.
#   - export --range 0.3-1.7: >= 90% of the workload's samples under phase_a, none under phase_b;
#     2.3-3.7 the reverse; 1-3 splits them in proportion to time (50% each, +-5 points).
#   - The range snapshots are what the time index in the whole snapshot says: a Python oracle
#     sums each node's self samples over stacks.timeline's entries in the range and compares every
#     call path's self count with the range's JSON, for four ranges (absolute, open, relative).
#     A range snapshot is itself rangeable (0- gives it back byte for byte) and round-trips
#     through HTML.
#   - Bad ranges (outside, reversed, empty, unreadable), a snapshot without a time index (a
#     tests/data fixture) and --range with --off-cpu: one line naming the span, exit 2, no output.
#   - The page in headless Chromium (WebDriver pointer actions): a drag across the samples chart
#     over the first phase shows phase_a only in the flame graph, with the range's sample count
#     the oracle's; a drag on a counter chart and on the scheduler map over the second phase shows
#     phase_b only; the flame chart draws phase_a left of phase_b; hovering phase_b shows its
#     samples against time, zero through the first phase, and phase_a's row in the top functions
#     shows its samples zero through the second; Clear range gives the whole tree back;
#     the page of a snapshot without a time index says so. (No Firefox driver is installed here.)

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
PH=$WORKLOADS/phases
[ -n "$PYTHON3" ] || skip_all "python3 is needed for the range oracle"

"$R" record -F 999 -g fp -o "$T/ph.json" -- "$PH" 2 2 2 >"$T/rec.out" 2>"$T/rec.err"
ok $? "record phases 2 2 2 ($(tail -n 1 "$T/rec.err"))"
check "the snapshot has a time index" "$JQ" -e '.stacks.timeline.entries | length > 100' "$T/ph.json"

# share RANGE: the workload's samples, phase_a's and phase_b's in export --range RANGE's folded.
share() {
	rm -f "$T/r.folded"
	"$R" export --range "$1" "$T/ph.json" -o "$T/r.folded" 2>"$T/r.err" || return 1
	folded_comm "$T/r.folded" phases >"$T/r.w"
	echo "$(folded_sum "$T/r.w" '.') $(folded_sum "$T/r.w" ';phase_a(;|$)') $(folded_sum "$T/r.w" ';phase_b(;|$)')"
}

set -- $(share 0.3-1.7)
diag "0.3-1.7: $1 samples of the workload, phase_a $2, phase_b $3"
check "0.3-1.7: >= 90% phase_a ($(pct "$2" "$1")%)" in_range "$(pct "$2" "$1")" 90 100
check "0.3-1.7: no phase_b ($3)" test "$3" = 0
check "0.3-1.7: about 1.4 s of samples at 999 Hz ($1)" in_range "$1" 1000 1500
set -- $(share 2.3-3.7)
diag "2.3-3.7: $1 samples of the workload, phase_a $2, phase_b $3"
check "2.3-3.7: >= 90% phase_b ($(pct "$3" "$1")%)" in_range "$(pct "$3" "$1")" 90 100
check "2.3-3.7: no phase_a ($2)" test "$2" = 0
set -- $(share 1-3)
diag "1-3: $1 samples of the workload, phase_a $2, phase_b $3"
check "1-3: phase_a half the time, within 5 points ($(pct "$2" "$1")%)" in_range "$(pct "$2" "$1")" 45 55
check "1-3: phase_b half the time, within 5 points ($(pct "$3" "$1")%)" in_range "$(pct "$3" "$1")" 45 55

# The oracle: call path -> self samples in [FROM, TO) from the whole snapshot's time index, against
# the range snapshot's nodes; prints "same N" or what differs.
cat >"$T/oracle.py" <<'EOF'
import json, sys
whole, part, a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), float(sys.argv[3]), float(sys.argv[4])

def paths(st, self):
    key, out = [], {}
    for i, n in enumerate(st['nodes']):
        f = st['frames'][n[1]]
        k = (st['strings'][f[0]], st['strings'][f[1]], f[3], f[4])
        key.append((key[n[0]] if i else ()) + (k,))
        if self[i]:
            out[key[i]] = out.get(key[i], 0) + self[i]
    return out

st = whole['stacks']
tl = st['timeline']
self, t = [0] * len(st['nodes']), 0
for dt, node, w in tl['entries']:
    t += dt
    if a <= t * tl['quantum_ns'] < b:
        self[node] += w
want = paths(st, self)
got = paths(part['stacks'], [n[2] for n in part['stacks']['nodes']])
if want == got and part['stacks']['samples'] == sum(self):
    print('same', sum(self))
else:
    diff = [(k[-1][0], want.get(k), got.get(k)) for k in set(want) | set(got) if want.get(k) != got.get(k)]
    print('differ', sum(self), part['stacks']['samples'], diff[:5])
EOF
SPAN=$("$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); st=d["stacks"]["timeline"]
print(max(d["meta"]["duration_ns"], sum(e[0] for e in st["entries"]) * st["quantum_ns"] + st["quantum_ns"]))' "$T/ph.json")
diag "the recording spans $SPAN ns"
for spec in "0.3-1.7 300000000 1700000000" "1-3 1000000000 3000000000" \
	"4.5- 4500000000 $SPAN" "-1.5s $((SPAN - 1500000000)) $SPAN" "2--3 2000000000 $((SPAN - 3000000000))"; do
	set -- $spec
	"$R" export --range "$1" "$T/ph.json" -o "$T/o.json" 2>"$T/o.err"
	rc=$?
	res=$("$PYTHON3" "$T/oracle.py" "$T/ph.json" "$T/o.json" "$2" "$3" 2>&1)
	check "export --range $1 is the time index's [$2, $3) ns, path by path: $res" \
		sh -c "[ $rc = 0 ] && [ \"\${1%% *}\" = same ]" sh "$res"
done
"$R" export --range 1-3 "$T/ph.json" -o "$T/r13.json" &&
	"$R" export --range 0- "$T/r13.json" -o "$T/r13b.json"
check "a range snapshot is rangeable again: 0- gives it back byte for byte" cmp "$T/r13.json" "$T/r13b.json"
"$R" export "$T/r13.json" -o "$T/r13.html" && "$R" export "$T/r13.html" -o "$T/r13c.json"
check "a range snapshot round-trips through HTML" cmp "$T/r13.json" "$T/r13c.json"
n1=$("$JQ" '[.events[0].series[0].t[]] | length' "$T/ph.json")
n2=$("$JQ" '[.events[0].series[0].t[]] | length' "$T/r13.json")
check "the counters keep the intervals overlapping 1-3 s ($n2 of $n1)" in_range "$n2" 2 3

# bad RANGE [IN]: exit 2, one line on stderr naming the span (or the missing index), no output.
bad() {
	rm -f "$T/bad.json"
	"$R" export --range "$1" "${2:-$T/ph.json}" -o "$T/bad.json" >"$T/bad.out" 2>"$T/bad.err"
	rc=$?
	diag "--range '$1': exit $rc: $(cat "$T/bad.err")"
	[ $rc = 2 ] && [ "$(wc -l <"$T/bad.err")" = 1 ] && [ ! -s "$T/bad.out" ] && [ ! -e "$T/bad.json" ] &&
		grep -q "$3" "$T/bad.err"
}
for r in 9-12 3-2 2-2 abc 1-x -- 1..2-3 -1-2; do
	check "--range '$r': one line naming the span 0-6.0 s, exit 2, nothing written" bad "$r" "" 'spans 0-6\.0'
done
check "a snapshot without a time index (tests/data/screen-calltree.json): exit 2, says so" \
	bad 1-2 "$TOP_SRCDIR/tests/data/screen-calltree.json" 'no time index'
"$R" export --range 1-2 --off-cpu "$T/ph.json" -o "$T/bad.folded" 2>"$T/bad.err"
rc=$?
check "--range with --off-cpu: exit 2 ($(head -n 1 "$T/bad.err"))" test $rc = 2

# ---- the page --------------------------------------------------------------------------------

if [ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ] || [ -z "$CHROMEDRIVER" ] || [ ! -x "$CHROMEDRIVER" ]; then
	skip "the page's brush" "chromium or chromium-driver is not installed (./install-deps.sh)"
	done_testing
fi
"$R" export "$T/ph.json" -o "$T/ph.html"
X1=$("$JQ" '[.events[] | select(.supported and (.series | length) > 0)][0].series[0].t[-1]' "$T/ph.json")
EV=$("$JQ" -r '[.events[] | select(.supported and (.series | length) > 0)][0].name' "$T/ph.json")
SB=$("$PYTHON3" -c 'import json,sys,math; d=json.load(open(sys.argv[1])); span=int(sys.argv[2])
bk=max(50e6, span/400); bk=math.ceil(bk/10e6)*10e6; print(int(math.ceil(span/bk)*bk))' "$T/ph.json" "$SPAN")
# The scheduler map's width in ns; f A B: A as a fraction of B.
MAPNS=$("$JQ" '.sched.map.bucket_ns * (.sched.map.cells[0] | length)' "$T/ph.json")
f() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", a / b }'; }
CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
	"$TOP_SRCDIR/tests/live/webdriver_range.py" "$T/ph.html" \
	--brush "#samples-chart svg@$(f 0.3e9 "$SB"),$(f 1.7e9 "$SB")" \
	--brush "#counters .chart[data-event=\"$EV\"] svg@$(f 2.3e9 "$X1"),$(f 3.7e9 "$X1")" \
	--brush "#sched-map@$(f 2.3e9 "$MAPNS"),$(f 3.7e9 "$MAPNS")" \
	--hover phase_b --hover-function phase_a >"$T/wd.json" 2>"$T/wd.err"
ok $? "webdriver_range.py ran ($(head -c 300 "$T/wd.err"))"
W=$T/wd.json
check "the page drew, no WebDriver error, no view failed" \
	"$JQ" -e '.ready == "1" and .webdriver_error == null and .initial.errors == []' "$W"
check "the range bar says the whole recording, Clear disabled" \
	"$JQ" -e '.initial.bar.from_ns == null and .initial.bar.clear_disabled' "$W"
check "the samples chart has buckets of 50 ms (finer than the 1 s counters)" \
	"$JQ" -e '.initial.samples_chart.bucket_ns == 50000000 and .initial.samples_chart.points > 100' "$W"
# flame_sum NAME PATH [FILE]: NAME's flame graph total in the state at PATH of FILE (default $W).
flame_sum() {
	"$JQ" -r --arg n "$1" "$2"' | [.flame[] | select(.[0] == $n) | .[1]] | add // 0' "${3:-$W}"
}
fa=$(flame_sum phase_a '.brushes[0]') fb=$(flame_sum phase_b '.brushes[0]')
from=$(jqv "$W" '.brushes[0].bar.from_ns') to=$(jqv "$W" '.brushes[0].bar.to_ns')
n=$(jqv "$W" '.brushes[0].bar.samples')
diag "samples-chart brush: [$from, $to) ns, $n samples, phase_a $fa, phase_b $fb"
check "brush on the samples chart: a range about 0.3-1.7 s" \
	sh -c "[ $(awk -v a="$from" 'BEGIN { print (a > 2.5e8 && a < 3.5e8) }') = 1 ] &&
		[ $(awk -v b="$to" 'BEGIN { print (b > 1.65e9 && b < 1.75e9) }') = 1 ]"
check "brush: the flame graph shows phase_a only ($fa, phase_b $fb)" sh -c "[ $fa -gt 900 ] && [ $fb = 0 ]"
"$R" export --range "$(awk -v a="$from" -v b="$to" 'BEGIN { printf "%.9f-%.9f", a / 1e9, b / 1e9 }')" \
	"$T/ph.json" -o "$T/b0.json"
res=$("$PYTHON3" "$T/oracle.py" "$T/ph.json" "$T/b0.json" "$from" "$to")
check "brush: the page's $n samples are the time index's and export --range's for that range ($res)" \
	sh -c "[ \"$res\" = \"same $n\" ] && [ $(jqv "$W" '.brushes[0].flame_samples') = $n ]"
for i in 1 2; do
	fa=$(flame_sum phase_a ".brushes[$i]") fb=$(flame_sum phase_b ".brushes[$i]")
	check "brush on $(jqv "$W" ".brushes[$i].selector"): phase_b only ($fb, phase_a $fa)" \
		sh -c "[ $fb -gt 900 ] && [ $fa = 0 ]"
done
check "the tasks in the range: one thread in the first phase" "$JQ" -e '.brushes[0].tasks_range | length == 1' "$W"
check "the tasks in the whole recording: the worker too" "$JQ" -e '.initial.tasks_range | length >= 2' "$W"
ax=$("$JQ" '[.initial.flamechart.frames[] | select(.[0] == "phase_a") | .[1]] | min' "$W")
bx=$("$JQ" '[.initial.flamechart.frames[] | select(.[0] == "phase_b") | .[1]] | min' "$W")
wd=$(jqv "$W" '.initial.flamechart.width')
diag "flame chart of the busiest thread: phase_a from x=$ax, phase_b from x=$bx of $wd px"
check "the flame chart draws phase_a before phase_b (x $ax < $bx, phase_b at about a third)" \
	sh -c "awk -v a='$ax' -v b='$bx' -v w='$wd' 'BEGIN { exit !(a < b && b > 0.25 * w && b < 0.42 * w) }'"
check "the flame chart merges adjacent samples: phase_a in the whole recording is few frames" \
	"$JQ" -e '[.initial.flamechart.frames[] | select(.[0] == "phase_a")] | length <= 10' "$W"
check "the flame chart follows the range (brush 0: its from_ns is the range's)" \
	"$JQ" -e '.brushes[0].flamechart.from_ns == .brushes[0].bar.from_ns' "$W"
zeros=$("$JQ" '.hover.counts as $c | [$c[0:(($c | length) * 0.3 | floor)][]] | add' "$W")
later=$("$JQ" '.hover.counts as $c | [$c[(($c | length) * 0.4 | floor):][]] | add' "$W")
check "hovering phase_b: its samples against time are zero in the first phase ($zeros), then not ($later)" \
	sh -c "[ '$zeros' = 0 ] && [ '$later' -gt 1000 ]"
# phase_a runs in [0, 2) s and, in the worker, [4, 6) s: none of its samples in [2.2, 3.8) s.
mid=$("$JQ" '.hover_function.counts as $c | ($c | length) as $n |
	[$c[($n * 2.2 / 6 | ceil):($n * 3.8 / 6 | floor)][]] | add' "$W")
out=$("$JQ" '.hover_function.counts as $c | ($c | length) as $n |
	[$c[0:($n / 3 | floor)][], $c[($n * 2 / 3 | ceil):][]] | add' "$W")
check "phase_a's row in the top functions: no samples in the second phase ($mid), many in the others ($out)" \
	sh -c "[ '$mid' = 0 ] && [ '$out' -gt 2000 ]"
check "Clear range: the whole tree again" \
	"$JQ" -e '.cleared.bar.from_ns == null and .cleared.flame_samples == .initial.flame_samples' "$W"

# A short command (0.86 s, one 1 s counter interval): the samples chart still has a time axis.
"$R" record -F 999 -g fp -o "$T/short.json" -- "$PH" 0.43 0.43 0 2>"$T/short.err"
"$R" export "$T/short.json" -o "$T/short.html"
CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
	"$TOP_SRCDIR/tests/live/webdriver_range.py" "$T/short.html" \
	--brush "#samples-chart svg@0.05,0.45" >"$T/short.wd" 2>"$T/short.wd.err"
S=$T/short.wd
diag "0.86 s recording: $("$JQ" '.events[0].series[0].t | length' "$T/short.json") counter interval(s), \
samples chart $("$JQ" -c '.initial.samples_chart' "$S")"
check "a 0.86 s command: its samples chart has >= 15 points of 50 ms (its counters have 1 interval)" \
	"$JQ" -e '.ready == "1" and .initial.errors == [] and .initial.samples_chart.points >= 15' "$S"
fa=$(flame_sum phase_a '.brushes[0]' "$S") fb=$(flame_sum phase_b '.brushes[0]' "$S")
check "a 0.86 s command: a drag over its first 0.4 s shows phase_a only ($fa, phase_b $fb)" \
	sh -c "[ $fa -gt 50 ] && [ $fb = 0 ]"

"$R" export "$TOP_SRCDIR/tests/data/screen-calltree.json" -o "$T/old.html"
CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
	"$TOP_SRCDIR/tests/live/webdriver_range.py" "$T/old.html" >"$T/old.json" 2>"$T/old.err"
check "a page without a time index draws, with no range bar and a note saying why" \
	"$JQ" -e '.ready == "1" and .initial.bar == null and (.initial.none_note | test("no time index")) and
		.initial.errors == []' "$T/old.json"

done_testing
