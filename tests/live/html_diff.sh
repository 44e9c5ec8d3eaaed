#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The diff page (`ringside diff A B -o D.html`) in headless Chromium, as tests/live/html.sh drives
# it (--dump-dom after the page has drawn). A and B are recordings of tests/workloads/split, 60/30/10
# and 30/30/40, so c_fn grew by ~30 points and a_fn shrank by as much:
#   - the flame graph's c_fn frame is red and a_fn's blue, each of exactly the strength its change
#     over the largest change gives (the colour rule of man ringside(1)), b_fn's weaker than both;
#   - the details line of c_fn (selected through the page's own click handler by #select=c_fn)
#     gives A's and B's samples and shares, the change and the change in per cent as the diff JSON
#     has them; without #select the frame that changed most is selected;
#   - the legend runs from blue to red; the functions table has c_fn grown, the counters table
#     task-clock; the browser logs no Content-Security-Policy violation (the colours are set
#     through the CSSOM, which the policy allows, not through style attributes).

. "$TESTLIB"
require_root
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] ||
	skip_all "chromium is not installed (./install-deps.sh installs chromium and chromium-driver)"
make_tmpdir
cpu_lock

R=$RINGSIDE
S=$WORKLOADS/split

dump_dom() {
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$T/chromium-$2" --no-first-run --disable-background-networking \
		--enable-logging=stderr --v=0 \
		--virtual-time-budget=10000 --dump-dom "$1" 2>"$T/chromium-$2.err"
}

"$R" record -q -o "$T/a.json" -- "$S" 60/30/10 3 2>"$T/a.err"
"$R" record -q -o "$T/b.json" -- "$S" 30/30/40 3 2>"$T/b.err"
[ -s "$T/a.json" ] && [ -s "$T/b.json" ] || skip_all "the recordings failed: $(cat "$T/a.err")"
"$R" diff "$T/a.json" "$T/b.json" -o "$T/d.html"
ok $? "diff -o d.html exits 0"
"$R" diff "$T/a.json" "$T/b.json" -o "$T/d.json" 2>"$T/dj.err"
status_is 0 $? "diff -o d.json exits 0" || diag "$(head -n 5 "$T/dj.err")"
D=$T/d.json
check "d.json is a diff JSON" "$JQ" -e '.tree and .a.samples > 0' "$D" ||
	diag "d.json: $(ls -l "$D" 2>&1) $(head -c 200 "$D" 2>&1)"

dump_dom "file://$T/d.html#select=c_fn" sel >"$T/dom.html"
check "the page drew (data-ready=1)" grep -q 'data-ready="1"' "$T/dom.html"

# The largest |change| of any node, and a frame's change, from the diff JSON.
max=$(jqv "$D" '[.tree | .. | objects | select(has("delta")) | .delta | fabs] | max')
# node NAME FIELD: FIELD of NAME's node k in d.json (the first unless k says otherwise).
node() {
	jqv "$D" "[.tree | .. | objects | select(.name? == \"$1\")][${k:-0}] | .$2"
}
# fill NAME: the r g b of the frame's rect on the page.
fill() {
	grep -o "<rect[^>]*data-name=\"$1\"[^>]*>" "$T/dom.html" | head -1 |
		sed -n 's/.*fill="rgb(\([0-9]*\), \([0-9]*\), \([0-9]*\))".*/\1 \2 \3/p'
}
# want DELTA: the r g b the colour rule gives a change.
want() {
	awk -v d="$1" -v m="$max" 'BEGIN {
		a = d < 0 ? -d : d
		if (a < 0.5) { print "221 221 221"; exit }
		t = a / m; if (t > 1) t = 1
		lo = int(225 - 195 * t + 0.5)
		if (d > 0) print 255, lo, lo; else print lo, lo, 255
	}'
}
# rect_delta NAME: the data-delta of the same rect fill reads. A name can have more than one node
# (a stray sample under another parent): the page's first rect need not be jq's first node, so
# the rect's own change is checked against the colour rule and looked up among NAME's nodes.
rect_delta() {
	grep -o "<rect[^>]*data-name=\"$1\"[^>]*>" "$T/dom.html" | head -1 |
		sed -n 's/.*data-delta="\([^"]*\)".*/\1/p'
}
for fn in c_fn a_fn b_fn; do
	rd=$(rect_delta $fn)
	got=$(fill $fn) exp=$(want "$rd")
	check "$fn's frame has the colour of its change $rd ($got, expected $exp)" \
		test -n "$rd" -a -n "$got" -a "$got" = "$exp"
	check "$fn's frame's change $rd is one of its nodes' in d.json" "$JQ" -e --arg n "$fn" \
		--argjson d "${rd:-null}" '[.tree | .. | objects | select(.name? == $n) | .delta] |
		any(. == $d or ((. - $d) | fabs) < 1e-6 * ((. | fabs) + 1))' "$D"
done
set -- $(fill c_fn)
check "c_fn is red (r 255, g = b < 200: $*)" test "${1:-0}" = 255 -a "${2:-255}" = "${3:-0}" -a "${2:-255}" -lt 200
set -- $(fill a_fn)
check "a_fn is blue (b 255, r = g < 200: $*)" test "${3:-0}" = 255 -a "${1:-255}" = "${2:-0}" -a "${1:-255}" -lt 200
cg=$(fill c_fn | cut -d' ' -f2) bg=$(fill b_fn | cut -d' ' -f2)
check "b_fn's colour is paler than c_fn's (green $bg > $cg)" test "${bg:-0}" -gt "${cg:-255}"

det=$(grep -o '<div id="details"[^>]*>[^<]*</div>' "$T/dom.html")
diag "details: $det"
# c_fn can have more than one node (a stray sample under another parent): the page shows the
# first of its rects, which need not be jq's first node, so the node taken is the one whose A and
# B samples the line shows (the first when none does: then the checks below fail and say so).
k=0
nc=$(jqv "$D" '[.tree | .. | objects | select(.name? == "c_fn")] | length')
i=0
while [ "$i" -lt "${nc:-0}" ]; do
	na=$(jqv "$D" "[.tree | .. | objects | select(.name? == \"c_fn\")][$i] | .a_total")
	nb=$(jqv "$D" "[.tree | .. | objects | select(.name? == \"c_fn\")][$i] | .b_total")
	if echo "$det" | grep -qF -- "A: $na (" && echo "$det" | grep -qF -- "B: $nb ("; then
		k=$i
		break
	fi
	i=$((i + 1))
done
at=$(node c_fn a_total) bt=$(node c_fn b_total)
pa=$(jqv "$D" "100 * $at / .a.samples * 10 | round / 10")
pb=$(jqv "$D" "100 * $bt / .b.samples * 10 | round / 10")
dl=$(printf '%+.1f' "$(node c_fn delta)")
rel=$(awk -v a="$at" -v b="$bt" -v sa="$(jqv "$D" .a.samples)" -v sb="$(jqv "$D" .b.samples)" \
	'BEGIN { pa = 100 * a / sa; pb = 100 * b / sb; printf "%+.0f%%", 100 * (pb - pa) / pa }')
check "the details line is c_fn's" sh -c "echo '$det' | grep -q 'data-name=\"c_fn\"'"
for part in "A: $at (" "B: $bt (" "delta: $dl pts" "delta %: $rel"; do
	check "the details line has '$part'" sh -c 'echo "$1" | grep -qF -- "$2"' sh "$det" "$part"
done
check "the details line's shares are the JSON's ($pa%, $pb%)" \
	sh -c 'echo "$1" | grep -qF "($2%)" && echo "$1" | grep -qF "($3%)"' sh "$det" \
	"$(printf %.1f "$pa")" "$(printf %.1f "$pb")"

dump_dom "file://$T/d.html" first >"$T/dom0.html"
top=$(jqv "$D" '[.tree | .. | objects | select(has("delta") and .b_total > 0 and
	.kind != "root" and .kind != "process" and .kind != "thread")] |
	max_by(.delta | fabs) | .name')
check "without #select the frame that changed most ($top) is selected" \
	grep -q "<div id=\"details\" data-name=\"$top\"" "$T/dom0.html"

sw=$(grep -o '<span class="sw"[^>]*>' "$T/dom.html")
check "the legend has 7 swatches" test "$(echo "$sw" | grep -c .)" = 7
check "the legend runs from blue to red" sh -c \
	'echo "$1" | head -1 | grep -q "rgb(30, 30, 255)" && echo "$1" | tail -1 | grep -q "rgb(255, 30, 30)"' \
	sh "$sw"
check "the functions table has c_fn grown" \
	grep -Eq '<tr data-name="c_fn">.*<td class="grew">\+[0-9.]+</td></tr>' "$T/dom.html"
check "the counters table has task-clock" grep -q '<tr data-name="task-clock">' "$T/dom.html"
check "no Content-Security-Policy violation logged" \
	sh -c "! grep -qi 'Content Security Policy' '$T/chromium-sel.err' '$T/chromium-first.err'"

done_testing
