#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The hottest functions of a ratio flamegraph on tests/workloads/evmix (a fault site fault_here,
# a spin spin_here), recorded with --sample-event cpu-clock,page-faults/period=1/ --ratio
# PF=page-faults/cpu-clock. The oracle is jq on the snapshot (tests/live/oracle.jq's
# ratio_functions): per function (name and module) of stacks.events[0] (page-faults, A) and
# stacks.nodes (cpu-clock, B), self = its nodes' samples, total = those of its nodes without an
# ancestor of the same function; PF = A/B of each, none under 10 samples of B.
#   - fault_here's A total is evmix's own fault count (within 2%), its PF total >= 100x spin_here's
#     (whose bound, no fault seen, is 1 over its samples);
#   - the screen (`view`): the overview's hottest functions follow E to page-faults (fault_here on
#     top by self, its share as jq has it), then to the ratio: the table's title, columns and the
#     grey threshold, every row's A and B counts and PF as jq has them ("-" under 10 samples of B),
#     fault_here on top by PF total; t sorts by A self, A total, B self in turn (the top row holds
#     jq's largest; by A self, a row under 10 samples of B is drawn in other attributes than
#     fault_here's); live, the same table with fault_here's PF, held while frozen (the same rows
#     after redraws 2 s apart) and moving on once unfrozen;
#   - the page: choosing "ratio PF = ..." in the selector turns the functions table into the
#     ratio table; its rows equal jq's, grey exactly under 10 samples of B, and a click on each
#     numeric header sorts by that column (headless Chromium).

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
EM=$WORKLOADS/evmix
OJQ=$TOP_SRCDIR/tests/live # oracle.jq: the jq oracles these tests share
LIST=cpu-clock,page-faults/period=1/

timeout 60 "$R" record -g fp --sample-event "$LIST" --ratio PF=page-faults/cpu-clock \
	-o "$T/rs.json" -- "$EM" 6 >"$T/em.out" 2>"$T/rs.err"
ok $? "record --sample-event $LIST --ratio PF=page-faults/cpu-clock -- evmix 6 exits 0"
check "the snapshot keeps the ratio and both trees" "$JQ" -e '.ratios[0].name == "PF" and
	.stacks.event == "cpu-clock" and .stacks.events[0].event == "page-faults"' "$T/rs.json"

"$JQ" -c -L "$OJQ" 'include "oracle"; ratio_functions' "$T/rs.json" >"$T/fn.json"
ok $? "jq's table of the snapshot"
# fn NAME: "a_self a_total b_self b_total" of evmix's function NAME.
fn() {
	"$JQ" -r --arg n "$1" '[.[] | select(.name == $n and (.module | endswith("/evmix")))][0] |
		"\(.a_self) \(.a_total) \(.b_self) \(.b_total)"' "$T/fn.json"
}
set -- $(fn fault_here)
FAS=$1 FAT=$2 FBS=$3 FBT=$4
set -- $(fn spin_here)
SAS=$1 SAT=$2 SBS=$3 SBT=$4
faults=$("$JQ" -Rrs -L "$OJQ" 'include "oracle"; evmix_faults' "$T/em.out")
diag "fault_here A $FAS/$FAT B $FBS/$FBT; spin_here A $SAS/$SAT B $SBS/$SBT; evmix: $faults faults"
check "fault_here and spin_here have at least 10 cpu-clock samples in total (a PF)" \
	test "${FBT:-0}" -ge 10 -a "${SBT:-0}" -ge 10
check "fault_here's page-faults are evmix's faults within 2%" awk -v a="${FAT:-0}" \
	-v n="${faults:-0}" 'BEGIN { exit !(n > 0 && a >= 0.98 * n && a <= 1.02 * n) }'
check "fault_here's PF total is >= 100x spin_here's (its bound: one fault in its samples)" awk \
	-v fa="$FAT" -v fb="$FBT" -v sa="$SAT" -v sb="$SBT" 'BEGIN { s = (sa > 0 ? sa : 1) / sb
	exit !(fa / fb >= 100 * s) }'
g3() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 10) print "-"; else printf "%.3g", a / b }'; }
FRS=$(g3 "$FAS" "$FBS") FRT=$(g3 "$FAT" "$FBT") SRS=$(g3 "$SAS" "$SBS") SRT=$(g3 "$SAT" "$SBT")
diag "PF self/total: fault_here $FRS/$FRT, spin_here $SRS/$SRT"
re() { printf '%s' "$1" | sed 's/[.+]/\\&/g'; }

# The ratio table's rows on the screen: "a_self a_total b_self b_total r_self r_total name".
rows() {
	screen_text | sed -n '/ function (grey: < 10 cpu-clock samples)/,$p' | sed 1d |
		awk '$1 ~ /^[0-9]+$/ && $4 ~ /^[0-9]+$/ && $7 != "" {
			print $1, $2, $3, $4, $5, $6, $7 }'
}

# --- the screen
if command -v tmux >/dev/null 2>&1; then
	screen_start 160 50 "$R" view "$T/rs.json"
	screen_wait 'hottest functions \(cpu-clock, (on-CPU, )?by self' 10
	ok $? "view: the hottest functions of cpu-clock"
	screen_keys E
	screen_wait 'hottest functions \(page-faults, (on-CPU, )?by self' 5
	ok $? "E: the hottest functions of page-faults"
	PCT=$("$JQ" -r '.stacks.events[0].nodes[0][3]' "$T/rs.json" |
		awk -v a="$FAS" '{ printf "%.1f", 100 * a / $1 }')
	screen_wait "^ +$(re "$PCT")% +[0-9.]+% fault_here evmix" 5
	ok $? "  fault_here on top by self with $PCT% of page-faults (jq)"
	screen_keys E
	screen_wait 'hottest functions, PF = A/B = page-faults/cpu-clock, by A/B total, all' 5
	ok $? "E again: the ratio PF's hottest functions, by A/B total"
	screen_wait 'A self +A total +B self +B total +PF self +PF tot function \(grey: < 10 cpu-clock samples\)' 5
	ok $? "  its columns and the grey threshold"
	screen_wait "^ +$FAS +$FAT +$FBS +$FBT +$(re "$FRS") +$(re "$FRT") fault_here evmix" 5
	ok $? "  fault_here: A $FAS $FAT, B $FBS $FBT, PF $FRS $FRT (jq)"
	screen_wait "^ +$SAS +$SAT +$SBS +$SBT +$(re "$SRS") +$(re "$SRT") spin_here evmix" 5
	ok $? "  spin_here: A $SAS $SAT, B $SBS $SBT, PF $SRS $SRT (jq)"
	screen_save "$T/ratio.screen"
	rows >"$T/rows.txt"
	diag "$(wc -l <"$T/rows.txt") rows on the screen"
	check "  fault_here is the top row by PF total" sh -c "head -1 '$T/rows.txt' | grep -q ' fault_here\$'"
	bad=0
	while read -r xas xat xbs xbt xrs xrt xn; do
		"$JQ" -e --arg n "$xn" --argjson sa "$xas" --argjson ta "$xat" --argjson sb "$xbs" \
			--argjson tb "$xbt" --arg rs "$xrs" --arg rt "$xrt" 'any(.[]; .name == $n and
			.a_self == $sa and .a_total == $ta and .b_self == $sb and .b_total == $tb and
			((.r_self == null) == ($rs == "-")) and ((.r_total == null) == ($rt == "-")))' \
			"$T/fn.json" >/dev/null || { diag "not jq's: $xas $xat $xbs $xbt $xrs $xrt $xn"; bad=1; }
		awk -v a="$xat" -v b="$xbt" -v r="$xrt" 'BEGIN { if (b < 10) exit r != "-"
			exit sprintf("%.3g", a / b) != r }' || { diag "PF total not A/B: $xn $xrt"; bad=1; }
	done <"$T/rows.txt"
	check "  every row's counts are jq's, PF total A/B to 3 digits, '-' under 10 cpu-clock samples" \
		test "$bad" = 0 -a "$(wc -l <"$T/rows.txt")" -ge 10
	for k in 1:A_self:a_self 2:A_total:a_total 3:B_self:b_self; do
		col=${k%%:*} rest=${k#*:} label=$(echo "${rest%%:*}" | tr _ ' ') key=${rest#*:}
		screen_keys t
		screen_wait "hottest functions, PF = A/B = page-faults/cpu-clock, by $label, all" 5
		ok $? "t: by $label"
		max=$("$JQ" "map(.$key) | max" "$T/fn.json")
		sleep 0.3
		top=$(rows | head -1 | cut -d' ' -f"$col")
		check "  the top row's $label is jq's largest, $max (it shows $top)" test "$top" = "$max"
		[ "$col" = 1 ] || continue
		# By A self, rows under 10 cpu-clock samples show: their attributes differ from a
		# row with a ratio's (the escape sequences before the first count).
		tmux -S "$_screen_sock" capture-pane -e -p >"$T/attr.txt"
		esc=$(printf '\033')
		sgr() {
			grep -E "$1" "$T/attr.txt" | head -1 |
				sed 's/ \{1,\}[0-9].*//' | od -An -c | tr -d ' \n'
		}
		grey=$(sgr "^(($esc\\[[0-9;]*m)| )*[0-9]+ +[0-9]+ +[0-9]+ +[0-9] +- +- ")
		plain=$(sgr "^(($esc\\[[0-9;]*m)| )*[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[-0-9.e+]+ +[0-9.e+]+ fault_here")
		diag "attributes: grey row '$grey', fault_here '$plain'"
		check "  a row under 10 cpu-clock samples is drawn unlike fault_here's (grey)" \
			test -n "$grey" -a -n "$plain" -a "$grey" != "$plain"
	done
	screen_keys Escape q
	screen_exit_is 0 "view quits with q"

	screen_start 160 50 "$R" --sample-event "$LIST" --ratio PF=page-faults/cpu-clock -- "$EM" 30
	screen_wait 'hottest functions \(cpu-clock, ' 15
	ok $? "live: the hottest functions of cpu-clock"
	sleep 3
	screen_keys E E
	screen_wait 'hottest functions, PF = A/B = page-faults/cpu-clock, by A/B total' 5
	ok $? "live E E: the ratio PF's hottest functions"
	screen_wait '^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[-0-9.e+]+ +[0-9.e+]+ fault_here evmix' 10
	ok $? "live: fault_here's A, B and PF total"
	# Frozen, the table holds what it showed: six t (every column, back to PF total) redraw it
	# 2 s later with the same rows (counts and function; the panes to the right left out);
	# unfrozen, the counts move on.
	rows_of() {
		screen_text | grep -E '^ +[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ +[-0-9.e+]+ +[-0-9.e+]+ [^ ]' |
			awk '{ print $1, $2, $3, $4, $5, $6, $7 }'
	}
	screen_keys Space
	screen_wait 'FROZEN' 5
	rows_of >"$T/frozen1.txt"
	sleep 2
	screen_keys t t t t t t
	screen_wait 'by A/B total' 5
	sleep 0.5
	rows_of >"$T/frozen2.txt"
	diag "frozen: $(wc -l <"$T/frozen1.txt") rows, then $(wc -l <"$T/frozen2.txt")"
	cmp -s "$T/frozen1.txt" "$T/frozen2.txt" ||
		diag "$(diff "$T/frozen1.txt" "$T/frozen2.txt" | head -n 12)"
	check "live frozen: the ratio table's rows are the same after six redraws 2 s apart" \
		test -s "$T/frozen1.txt" -a -z "$(diff "$T/frozen1.txt" "$T/frozen2.txt")"
	screen_keys Space
	sleep 2.5
	rows_of >"$T/thawed.txt"
	check "live unfrozen: the ratio table's counts move on" \
		sh -c '! cmp -s "$1" "$2"' sh "$T/frozen1.txt" "$T/thawed.txt"
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
		"$TOP_SRCDIR/tests/live/webdriver_ratiofn.py" "$T/rs.html" PF >"$T/wd.json" 2>"$T/wd.err"
	ok $? "webdriver_ratiofn.py runs"
	D=$T/wd.json
	check "page: drawn, the ratio chosen, no error" "$JQ" -e '.ready == "1" and
		.webdriver_error == null and .choose_error == null and .ratio.errors == []' "$D"
	check "page: before, the plain functions table; after, the ratio table" "$JQ" -e \
		'.initial.plain and .initial.note == null and (.ratio.plain | not) and
		(.ratio.note | contains("A is page-faults, B cpu-clock samples per function")) and
		(.ratio.note | contains("fewer than 10 cpu-clock samples"))' "$D"
	check "page: its columns, sorted by PF total" "$JQ" -e '.ratio.heads == [["name",
		"Function"], ["module", "Module"], ["as", "A self"], ["at", "A total"], ["bs",
		"B self"], ["bt", "B total"], ["rs", "PF self"], ["rt", "PF total"]] and
		.ratio.key == "rt"' "$D"
	diag "page: $("$JQ" '.ratio.rows | length' "$D" 2>/dev/null) rows; jq: $("$JQ" length "$T/fn.json" 2>/dev/null) functions"
	# The table shows at most 200 rows (a busy machine's interrupts can bring evmix's stacks more
	# kernel functions than that): then each of the 200 is one of jq's.
	check "page: every row is jq's (A, B, PF self and total), and all of jq's are there (or 200)" \
		"$JQ" -e --slurpfile o "$T/fn.json" '($o[0] | sort_by(.name, .module)) as $want |
		([$D[0].ratio.rows[] | {name, "module": .module, a_self, a_total, b_self, b_total,
		r_self, r_total}] | sort_by(.name, .module)) as $got |
		if ($want | length) <= 200 then $want == $got
		else ($got | length) == 200 and all($got[]; IN($want[])) end' \
		--slurpfile D "$D" -n
	check "page: fault_here's row reads $FAS $FAT $FBS $FBT $FRS $FRT, the top one" "$JQ" -e \
		--arg t "$FAS $FAT $FBS $FBT $FRS $FRT" '.ratio.rows[0].name == "fault_here" and
		(.ratio.rows[0].text[2:] | join(" ")) == $t' "$D"
	check "page: grey rows exactly under 10 cpu-clock samples, without a PF" "$JQ" -e '
		[.ratio.rows[] | select(.grey)] | length > 0 and all(.[]; .b_total < 10 and
		.r_total == null and .text[7] == "-" and .colour == "rgb(153, 153, 153)")' "$D"
	check "page: the other rows are not grey" "$JQ" -e '[.ratio.rows[] | select(.grey | not)] |
		length > 0 and all(.[]; .b_total >= 10 and .r_total != null and
		.colour != "rgb(153, 153, 153)")' "$D"
	for k in as at bs bt rs rt; do
		check "page: a click on $k sorts by it, largest first" "$JQ" -e --arg k "$k" '
			.sorted[$k] | .key == $k and .asc == "0" and (.values | length > 10) and
			(.values as $v | all(range(1; $v | length); $v[. - 1] >= $v[.]))' "$D"
	done
else
	skip "the page" "chromium and chromedriver are not installed"
fi

done_testing
