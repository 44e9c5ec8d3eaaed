#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Ratio flamegraphs on tests/workloads/evmix (a fault site fault_here, a spin spin_here):
#   - `record --sample-event cpu-clock,page-faults/period=1/ --ratio pf=page-faults/cpu-clock`;
#     the oracle is jq on the snapshot (stacks.nodes is cpu-clock, stacks.events[0] page-faults,
#     frames matched by path from the root): pf per frame is A's samples over B's under the same
#     path; fault_here's is evmix's own fault count over its cpu-clock samples (within 2%), and
#     at least 100 times spin_here's (whose upper bound, no fault seen, is 1 / its samples);
#   - the screen: `view --view flame`, E past the last event shows the ratio flamegraph (status
#     line, legend with the scale's ends and the grey threshold), the details line of fault_here
#     and spin_here gives page-faults, cpu-clock and pf as jq computes them; E again: cpu-clock;
#     `view --ratio` adds the ratio to a snapshot without it (a ratio of an event not sampled
#     gives no ratio flamegraph); 100 columns wide, where fault_here may be narrower than a
#     column, the scale is still the whole tree's and / zooms into fault_here; live, the same
#     legend and fault_here's values;
#   - the page: the selector's "ratio pf = page-faults/cpu-clock" colours each frame by pf (the
#     highest level for fault_here, the lowest for spin_here), grey and no value under 10 samples,
#     the legend's ends are jq's, the tooltip gives A, B and pf (headless Chromium).

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
EM=$WORKLOADS/evmix
OJQ=$TOP_SRCDIR/tests/live # oracle.jq: the jq oracles these tests share
LIST=cpu-clock,page-faults/period=1/

timeout 60 "$R" record -g fp --sample-event "$LIST" --ratio pf=page-faults/cpu-clock \
	-o "$T/rs.json" -- "$EM" 4 >"$T/em.out" 2>"$T/rs.err"
ok $? "record --sample-event $LIST --ratio pf=page-faults/cpu-clock -- evmix 4 exits 0"
check "the snapshot keeps the ratio and both trees" "$JQ" -e \
	'.ratios == [{"name": "pf", "numerator": "page-faults", "denominator": "cpu-clock",
	"percent": false}] and .stacks.event == "cpu-clock" and .stacks.events[0].event ==
	"page-faults"' "$T/rs.json"

# Every cpu-clock node with its path's page-faults samples: [name, a, b].
"$JQ" -c -L "$OJQ" 'include "oracle"; ratio_nodes' "$T/rs.json" >"$T/oracle.json"
# node NAME: "a b" of NAME's cpu-clock node with the most samples.
node() {
	"$JQ" -r -L "$OJQ" --arg n "$1" 'include "oracle"; node_ab($n)' "$T/oracle.json"
}
set -- $(node fault_here)
FA=$1 FB=$2
set -- $(node spin_here)
SA=$1 SB=$2
faults=$("$JQ" -Rrs -L "$OJQ" 'include "oracle"; evmix_faults' "$T/em.out")
diag "fault_here: $FA page-faults / $FB cpu-clock; spin_here: $SA / $SB; evmix: $faults faults"
check "fault_here has at least 10 cpu-clock samples (a ratio), spin_here too" \
	test "${FB:-0}" -ge 10 -a "${SB:-0}" -ge 10
check "fault_here's pf is evmix's faults over its cpu-clock samples within 2%" awk \
	-v a="$FA" -v b="$FB" -v n="${faults:-0}" 'BEGIN { exit !(b > 0 && n > 0 &&
	a / b >= 0.98 * n / b && a / b <= 1.02 * n / b) }'
check "fault_here's pf is >= 100x spin_here's (its bound: one fault in its samples)" awk \
	-v fa="$FA" -v fb="$FB" -v sa="$SA" -v sb="$SB" 'BEGIN { s = (sa > 0 ? sa : 1) / sb
	exit !(fa / fb >= 100 * s) }'
g3() { awk -v v="$1" 'BEGIN { printf "%.3g", v }'; }
FV=$(g3 "$(awk -v a="$FA" -v b="$FB" 'BEGIN { print a / b }')")
SV=$(g3 "$(awk -v a="$SA" -v b="$SB" 'BEGIN { print a / b }')")
LO=$("$JQ" '[.[] | select(.[2] >= 10 and .[1] > 0) | .[1] / .[2]] | min' "$T/oracle.json")
HI=$("$JQ" '[.[] | select(.[2] >= 10) | .[1] / .[2]] | max' "$T/oracle.json")
diag "pf: fault_here $FV, spin_here $SV; the scale $LO to $HI"

# --- the screen
if command -v tmux >/dev/null 2>&1; then
	screen_start 140 40 "$R" view --view flame "$T/rs.json"
	screen_wait 'cpu-clock: ' 10
	ok $? "view: the flamegraph names cpu-clock"
	screen_keys E
	screen_wait '^ *page-faults: ' 5
	ok $? "E: page-faults"
	screen_keys E
	screen_wait 'ratio flamegraph pf = page-faults/cpu-clock: widths cpu-clock samples' 5
	ok $? "E past the last event: the ratio flamegraph, said on the status line"
	screen_wait "pf = page-faults/cpu-clock per frame, log scale: +$(g3 "$LO") .* to $(g3 "$HI") +│ grey: < 10 cpu-clock samples" 5
	ok $? "the legend: pf's scale from $(g3 "$LO") to $(g3 "$HI") (jq), grey under 10 samples"
	screen_save "$T/ratio.screen"
	screen_keys / f a u l t _ h e r e Enter
	screen_wait "^ fault_here .*│ page-faults $FA  cpu-clock $FB  pf $FV " 5
	ok $? "fault_here's details: page-faults $FA, cpu-clock $FB, pf $FV (jq)"
	screen_keys / s p i n _ h e r e Enter
	screen_wait "^ spin_here .*│ page-faults $SA  cpu-clock $SB  pf $SV " 5
	ok $? "spin_here's details: page-faults $SA, cpu-clock $SB, pf $SV (jq)"
	screen_keys E
	screen_wait 'sampled event 1 of 2: cpu-clock' 5
	ok $? "E after the last ratio: cpu-clock again"
	check "  and no legend" sh -c "! tmux -S '$_screen_sock' capture-pane -p | grep -q 'log scale'"
	screen_keys h
	screen_wait 'ratio flamegraph \(--ratio NAME=A/B' 5
	ok $? "the help names the ratio flamegraphs"
	screen_keys Escape q
	screen_exit_is 0 "view quits with q"

	# A snapshot without the ratio: view --ratio adds it; a ratio of an event not sampled has none.
	"$JQ" 'del(.ratios)' "$T/rs.json" >"$T/nor.json"
	screen_start 140 40 "$R" view --ratio pf=page-faults/cpu-clock \
		--ratio pc=page-faults/cycles --view flame "$T/nor.json"
	screen_wait 'cpu-clock: ' 10
	screen_keys E E
	screen_wait "pf = page-faults/cpu-clock per frame, log scale: +$(g3 "$LO") .* to $(g3 "$HI") " 5
	ok $? "view --ratio on a snapshot without it: the same ratio flamegraph"
	screen_keys E
	screen_wait 'sampled event 1 of 2: cpu-clock' 5
	ok $? "  and pc=page-faults/cycles (cycles not sampled) has none: E goes back to cpu-clock"
	screen_keys q
	screen_exit_is 0 "view quits with q"

	# 100 columns: the flame row is 99 wide, and fault_here (FB of TOT samples) narrower than a
	# column is not drawn. The scale is still the whole tree's, and the search zooms into it.
	TOT=$("$JQ" '.stacks.nodes[0][3]' "$T/rs.json")
	screen_start 100 30 "$R" view --view flame "$T/rs.json"
	screen_wait 'cpu-clock: ' 10
	screen_keys E E
	screen_wait "pf = page-faults/cpu-clock per frame, log scale: +$(g3 "$LO") .* to $(g3 "$HI") " 5
	ok $? "100 columns: the same scale, frames too narrow to draw included"
	screen_keys / f a u l t _ h e r e Enter
	if [ $((FB * 99)) -lt "$TOT" ]; then
		screen_wait "'fault_here' is narrower than a column: zoomed into it" 5
		ok $? "  fault_here ($FB of $TOT samples) is narrower than a column: / zooms into it"
	else
		screen_wait "/fault_here: " 5
		check "  fault_here ($FB of $TOT samples) is drawn: / selects it, no zoom" sh -c \
			"! tmux -S '$_screen_sock' capture-pane -p | grep -q 'narrower than a column'"
	fi
	# At 100 columns the details line may end before pf's value (a drawn frame's line is the
	# longer, with its self and total): the counts are checked here, the value at 140 above.
	screen_wait "^ fault_here .*│ page-faults $FA  cpu-clock $FB( |…)" 5
	ok $? "  and gives its details: page-faults $FA, cpu-clock $FB (jq)"
	screen_keys q
	screen_exit_is 0 "view quits with q"

	screen_start 140 40 "$R" --view flame --sample-event "$LIST" \
		--ratio pf=page-faults/cpu-clock -- "$EM" 30
	screen_wait 'cpu-clock: ' 15
	ok $? "live: the flamegraph names cpu-clock"
	sleep 3
	screen_keys E E
	screen_wait 'pf = page-faults/cpu-clock per frame, log scale:' 5
	ok $? "live E E: the ratio flamegraph's legend"
	screen_keys / f a u l t _ h e r e Enter
	screen_wait '^ fault_here .*│ page-faults [0-9]+  cpu-clock [0-9]+  pf ' 10
	ok $? "live: fault_here's page-faults, cpu-clock and pf"
	screen_keys q
	screen_exit_is 0 "live quits with q"
else
	skip "the screen" "tmux is not installed"
fi

# --- the page
if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] && [ -n "$CHROMEDRIVER" ] &&
	[ -x "$CHROMEDRIVER" ] && [ -n "$PYTHON3" ]; then
	"$R" export "$T/rs.json" -o "$T/rs.html" 2>&1
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 90 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver_ratio.py" "$T/rs.html" pf \
		--hover fault_here --hover spin_here >"$T/wd.json" 2>"$T/wd.err"
	ok $? "webdriver_ratio.py runs"
	D=$T/wd.json
	check "page: drawn, the option chosen, no error" "$JQ" -e '.ready == "1" and
		.webdriver_error == null and .choose_error == null and .ratio.errors == []' "$D"
	check "page: the selector offers the events, then ratio pf" "$JQ" -e '.initial.options ==
		[["0", "cpu-clock"], ["1", "page-faults"], ["r0", "ratio pf = page-faults/cpu-clock"]]
		and .initial.legend == null' "$D"
	check "page: the flame graph's widths are cpu-clock's" "$JQ" -e '.ratio.event == "cpu-clock"' "$D"
	check "page: the legend's ends are jq's ($LO, $HI), grey under 10 cpu-clock samples" \
		"$JQ" -e --argjson lo "$LO" --argjson hi "$HI" '.ratio.legend |
		((.lo - $lo) | fabs) < 1e-9 and ((.hi - $hi) | fabs) < 1e-9 and .min == 10 and
		(.text | contains("pf = page-faults/cpu-clock per frame, log scale:")) and
		(.text | contains("grey: < 10 cpu-clock samples"))' "$D"
	check "page: fault_here $FA / $FB and spin_here $SA / $SB, as jq has them" "$JQ" -e \
		--argjson fa "$FA" --argjson fb "$FB" --argjson sa "$SA" --argjson sb "$SB" '
		[.ratio.frames[] | select(.name == "fault_here")] | max_by(.b) | .a == $fa and
		.b == $fb' "$D"
	check "page: spin_here's too" "$JQ" -e --argjson sa "$SA" --argjson sb "$SB" '
		[.ratio.frames[] | select(.name == "spin_here")] | max_by(.b) | .a == $sa and
		.b == $sb' "$D"
	check "page: fault_here is the top colour, spin_here the bottom one" "$JQ" -e '
		.ratio.legend.swatches as $w | ([.ratio.frames[] | select(.name == "fault_here")] |
		max_by(.b) | .colour == $w[4][1]) and ([.ratio.frames[] | select(.name == "spin_here")] |
		max_by(.b) | .colour == $w[0][1])' "$D"
	check "page: every frame's value is A/B, none under 10 samples (grey)" "$JQ" -e '
		.ratio.frames | length > 5 and all(.[]; if .b < 10 then .ratio == null and
		.colour == "rgb(208, 208, 208)" else ((.ratio - .a / .b) | fabs) < 1e-9 end)' "$D"
	check "page: the tooltips give A, B and pf" "$JQ" -e --arg fv "$FV" --arg sv "$SV" \
		--arg fa "$FA" --arg fb "$FB" '(.hover.fault_here | contains("page-faults " + $fa +
		", cpu-clock " + $fb + ": pf " + $fv)) and (.hover.spin_here | endswith(": pf " + $sv))' "$D"
else
	skip "the page" "chromium and chromedriver are not installed"
fi

done_testing
