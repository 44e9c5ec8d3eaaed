#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Several sampled events at once, one tree each, on tests/workloads/evmix (a fault site, a switch
# site and a spin in three functions):
#   - `record --sample-event cpu-clock,page-faults/period=1/,context-switches/period=1/` on
#     evmix, then `perf record -e` the same three events `-g` on another run of it (nested, perf
#     under ringside, ringside's software events saw none of evmix's faults and switches on this
#     6.18 kernel, only its CPU time): in ringside's page-faults tree >= 90% of evmix's samples are under fault_here, in
#     the context-switches tree >= 80% under switch_here, in the cpu-clock tree >= 70% under
#     spin_here (a loaded machine preempts the spin: those switches are the rest); each share is
#     within 5 points of perf script's; fault_here's page-fault samples are the faults evmix says
#     it caused (within 2%);
#   - the snapshot keeps the first event as stacks.nodes and the others in stacks.events (JSON ->
#     JSON byte for byte), a single-event snapshot has no stacks.events; export --event writes
#     each tree, an event not sampled is refused naming those that were;
#   - a tracepoint in the list (syscalls:sys_enter_nanosleep, every hit) samples under switch_here
#     once per nanosleep evmix made; listed first, it is sampled at every hit too;
#   - bad input: an empty item, an unknown term, too many events exit 2 naming the fault; an event
#     that cannot sample here (cycles without a PMU) is named with its reason, the rest recorded;
#   - the screen: `view --view flame` shows cpu-clock's tree; E switches to page-faults (header,
#     status line with its sample count, fault_here on screen), then context-switches, then back;
#     the overview's hottest functions follow; live, E shows page-faults under fault_here too;
#   - the page: the event selector shows each event's tree and functions (headless Chromium).

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
EM=$WORKLOADS/evmix
OJQ=$TOP_SRCDIR/tests/live # oracle.jq: the jq oracles these tests share
LIST=cpu-clock,page-faults/period=1/,context-switches/period=1/

# share FOLDED SITE: the percentage of evmix's samples in FOLDED whose stack holds SITE.
share() {
	folded_comm "$1" evmix >"$T/share.in"
	pct "$(folded_sum "$T/share.in" ";$2(;|$)")" "$(folded_sum "$T/share.in" '.')"
}

# perf_share EVENT SITE: the percentage of perf's evmix samples of EVENT whose stack holds SITE.
perf_share() {
	awk -v ev="$1" -v site="$2" '
		/^[^ \t]/ { if (on) { n++; if (hit) h++ } on = ($1 == "evmix" && $2 == ev ":"); hit = 0; next }
		on && /^[ \t]+[0-9a-f]+ / { if ($2 == site) hit = 1 }
		END { if (on) { n++; if (hit) h++ } if (n) printf "%.1f\n", 100 * h / n }' "$T/perf.script"
}

# --- ringside, then perf, on the same workload
timeout 60 "$R" record -g fp --sample-event "$LIST" -o "$T/rs.json" -- "$EM" 3 \
	>"$T/em.out" 2>"$T/rs.err"
ok $? "ringside record --sample-event $LIST -- evmix 3 exits 0"
HAVE_PERF=0
if command -v "$PERF" >/dev/null 2>&1; then
	timeout 60 "$PERF" record -q -g -o "$T/perf.data" \
		-e 'cpu-clock/freq=999/,page-faults/period=1/,context-switches/period=1/' \
		-- "$EM" 3 >"$T/perf.out" 2>"$T/perf.err"
	ok $? "perf record -e cpu-clock/freq=999/,page-faults/period=1/,... -g -- evmix 3 exits 0"
	"$PERF" script -i "$T/perf.data" -F comm,event,ip,sym >"$T/perf.script" 2>"$T/script.err"
	ok $? "perf script exits 0"
	HAVE_PERF=1
fi
check "the snapshot keeps cpu-clock first and page-faults, context-switches in stacks.events" \
	"$JQ" -e '.stacks.event == "cpu-clock" and .stacks.samples > 0 and
	([.stacks.events[] | [.event, .period, .freq]] ==
	 [["page-faults", 1, 0], ["context-switches", 1, 0]]) and
	all(.stacks.events[]; .samples == .nodes[0][3] and .samples > 0)' "$T/rs.json"
"$R" export "$T/rs.json" -o "$T/again.json" 2>"$T/again.err"
check "JSON -> JSON keeps every tree byte for byte" cmp "$T/rs.json" "$T/again.json"

for ev in cpu-clock page-faults context-switches; do
	"$R" export --event "$ev" "$T/rs.json" -o "$T/$ev.folded" 2>"$T/export.err"
	ok $? "export --event $ev -o X.folded exits 0"
done
"$R" export "$T/rs.json" -o "$T/plain.folded" 2>&1
check "export without --event writes the first event's tree" cmp "$T/cpu-clock.folded" \
	"$T/plain.folded"
check "the page-faults tree differs from the cpu-clock one" \
	sh -c "! cmp -s '$T/cpu-clock.folded' '$T/page-faults.folded'"

pf=$(share "$T/page-faults.folded" fault_here)
cs=$(share "$T/context-switches.folded" switch_here)
cc=$(share "$T/cpu-clock.folded" spin_here)
diag "ringside: page-faults under fault_here $pf%, context-switches under switch_here $cs%," \
	"cpu-clock under spin_here $cc%"
check "page-faults: >= 90% of evmix's samples under fault_here ($pf%)" in_range "$pf" 90 100
check "context-switches: >= 80% under switch_here ($cs%)" in_range "$cs" 80 100
# The floor is evmix's own (most of its CPU time spins); the check against perf's share of the same
# run, below, is the close one. A busy machine moves both: one CI run had perf at 81.9 % and
# ringside at 79.0 %, so the floor is 70. The sanitizer build's evmix and ringside are slower
# outside spin_here (CI saw 72.8 %): >= 60 there.
ccmin=70
[ "${RINGSIDE_SANITIZED:-0}" = 1 ] && ccmin=60
check "cpu-clock: >= $ccmin% under spin_here ($cc%)" in_range "$cc" "$ccmin" 100

faults=$("$JQ" -Rrs -L "$OJQ" 'include "oracle"; evmix_faults' "$T/em.out")
pf_n=$(folded_sum "$T/page-faults.folded" ';fault_here(;|$)')
diag "evmix made $faults faults in fault_here; ringside sampled $pf_n there (period 1)"
check "fault_here's page-fault samples are evmix's own count within 2% ($pf_n, $faults)" \
	in_range "$pf_n" "$(awk -v n="${faults:-0}" 'BEGIN { print n * 0.98 }')" \
	"$(awk -v n="${faults:-0}" 'BEGIN { print n * 1.02 + 1 }')"

if [ "$HAVE_PERF" = 1 ]; then
	ppf=$(perf_share page-faults/period=1/ fault_here)
	pcs=$(perf_share context-switches/period=1/ switch_here)
	pcc=$(perf_share cpu-clock/freq=999/ spin_here)
	diag "perf: page-faults under fault_here $ppf%, context-switches under switch_here $pcs%," \
		"cpu-clock under spin_here $pcc%"
	check "page-faults share within 5 points of perf's ($pf%, $ppf%)" \
		in_range "$(awk -v a="$pf" -v b="$ppf" 'BEGIN { print a - b }')" -5 5
	check "context-switches share within 5 points of perf's ($cs%, $pcs%)" \
		in_range "$(awk -v a="$cs" -v b="$pcs" 'BEGIN { print a - b }')" -5 5
	check "cpu-clock share within 5 points of perf's ($cc%, $pcc%)" \
		in_range "$(awk -v a="$cc" -v b="$pcc" 'BEGIN { print a - b }')" -5 5
else
	skip "shares within 5 points of perf's" "perf ('$PERF') is not installed"
fi

"$R" export --event cycles "$T/rs.json" -o "$T/x.folded" 2>"$T/noev.err"
status_is 2 $? "export --event of an event not sampled"
check "it names the events sampled" grep -q \
	"sampled no event 'cycles'; its sampled events: cpu-clock, page-faults, context-switches" \
	"$T/noev.err"
"$R" export --event page-faults "$T/rs.json" -o "$T/x.json" 2>"$T/evjson.err"
status_is 2 $? "export --event to .json"
check "it says --event wants .folded" grep -q "write OUT.folded" "$T/evjson.err"

# --- one event: no stacks.events
timeout 30 "$R" record --sample-event cpu-clock -o "$T/one.json" -- "$EM" 0.5 >/dev/null \
	2>"$T/one.err"
ok $? "record --sample-event cpu-clock exits 0"
check "a single sampled event writes no stacks.events" "$JQ" -e \
	'.stacks.event == "cpu-clock" and (.stacks | has("events") | not)' "$T/one.json"

# --- a tracepoint, every hit
if [ -e /sys/kernel/tracing/events/syscalls/sys_enter_nanosleep/id ] ||
	[ -e /sys/kernel/debug/tracing/events/syscalls/sys_enter_nanosleep/id ]; then
	timeout 30 "$R" record --sample-event cpu-clock,syscalls:sys_enter_nanosleep \
		-o "$T/tp.json" -- "$EM" 1 >"$T/tp.out" 2>"$T/tp.err"
	ok $? "record --sample-event cpu-clock,syscalls:sys_enter_nanosleep exits 0"
	"$R" export --event syscalls:sys_enter_nanosleep "$T/tp.json" -o "$T/tp.folded" 2>&1
	sw=$(sed -n 's/.*switches=\([0-9]*\).*/\1/p' "$T/tp.out")
	tp_n=$(folded_sum "$T/tp.folded" ';switch_here(;|$)')
	diag "evmix slept $sw times; the tracepoint's samples under switch_here: $tp_n"
	check "the tracepoint's period is 1" "$JQ" -e '.stacks.events[0].period == 1' "$T/tp.json"
	check "one sample under switch_here per nanosleep ($tp_n, $sw)" test "${tp_n:-0}" = "${sw:-x}"
	timeout 30 "$R" record --sample-event syscalls:sys_enter_nanosleep,cpu-clock \
		-o "$T/tp1.json" -- "$EM" 0.5 >"$T/tp1.out" 2>"$T/tp1.err"
	ok $? "record with the tracepoint first exits 0"
	sw=$(sed -n 's/.*switches=\([0-9]*\).*/\1/p' "$T/tp1.out")
	check "a tracepoint first is sampled at every hit too ($sw nanosleeps)" "$JQ" -e \
		--argjson n "${sw:-0}" '.stacks.period == 1 and .stacks.freq == 0 and
		.stacks.samples >= $n and .stacks.events[0].freq == 999' "$T/tp1.json"
else
	skip "a tracepoint in the list" "no syscalls:sys_enter_nanosleep in tracefs"
fi

# --- bad input
for bad in 'cpu-clock,,page-faults|has an empty event' \
	'cpu-clock,page-faults/foo=1/|unknown term' \
	'cpu-clock,page-faults/period=0/|needs a whole number' \
	'cpu-clock,page-faults,faults|is given twice' \
	'cpu-clock,page-faults,context-switches,cpu-migrations,minor-faults,major-faults,alignment-faults,emulation-faults,task-clock|too many sampling events'; do
	"$R" record --sample-event "${bad%%|*}" -o "$T/bad.json" -- true 2>"$T/bad.err"
	status_is 2 $? "--sample-event '${bad%%|*}' is refused"
	check "  and says '${bad#*|}'" grep -q -- "${bad#*|}" "$T/bad.err"
done
check "no comma is called a space or control character" \
	sh -c "! grep -q 'space or control' '$T/bad.err'"
if ! "$R" record --sample-event cycles -o "$T/cy.json" -- true 2>/dev/null; then
	timeout 30 "$R" record --sample-event cpu-clock,cycles,page-faults/period=1/ \
		-o "$T/nopmu.json" -- "$EM" 0.5 >/dev/null 2>"$T/nopmu.err"
	ok $? "a list with cycles on a machine without a PMU still records"
	check "cycles is named with its reason" grep -q \
		"'cycles' cannot sample here: not supported" "$T/nopmu.err"
	check "the rest were sampled (page-faults in stacks.events)" "$JQ" -e \
		'[.stacks.events[].event] == ["page-faults"] and .stacks.events[0].samples > 0' \
		"$T/nopmu.json"
else
	skip "an event that cannot sample" "cycles samples on this machine"
fi

# --- the screen
if command -v tmux >/dev/null 2>&1; then
	N_PF=$("$JQ" -r '.stacks.events[0].samples' "$T/rs.json")
	screen_start 140 40 "$R" view --view flame "$T/rs.json"
	screen_wait 'cpu-clock: ' 10
	ok $? "view: the flamegraph names cpu-clock"
	screen_keys E
	screen_wait '^ *page-faults: ' 5
	ok $? "E: the header names page-faults"
	screen_wait 'fault_here' 5
	ok $? "E: fault_here is on the screen"
	# The count as the status line writes it (view/rates: three digits, K above 999).
	N_SI=$(awk -v n="$N_PF" 'BEGIN { if (n < 999.5) printf "%.0f", n
		else if (n < 9995) printf "%.2fK", n / 1000
		else if (n < 99950) printf "%.1fK", n / 1000; else printf "%.0fK", n / 1000 }')
	screen_text | grep -qF "sampled event 2 of 3: page-faults, $N_SI samples"
	ok $? "E says which event it shows, with its $N_PF samples ($N_SI)"
	# The message holds the status line for 5 s from when it was drawn, then the next draw
	# shows the figures: 10 s, as a slow (sanitizer) build's draw can come late (CI missed at 5).
	screen_keys r
	screen_wait "│ page-faults $N_SI samples │" 10
	ok $? "then the status line names page-faults with its samples"
	screen_save "$T/pf.screen"
	screen_keys E
	screen_wait '^ *context-switches: ' 5
	ok $? "E again: context-switches"
	screen_wait 'switch_here' 5
	ok $? "  with switch_here on the screen"
	screen_keys E
	screen_wait '^ *cpu-clock: ' 5
	ok $? "E again: back to cpu-clock"
	screen_keys E 1
	screen_wait 'hottest functions \(page-faults' 5
	ok $? "the overview's hottest functions follow (page-faults)"
	screen_text | grep -A2 'hottest functions (page-faults' | grep -q fault_here
	ok $? "  with fault_here at the top"
	screen_keys h
	screen_wait 'E +hottest functions of the next sampled event' 5
	ok $? "the overview's help lists E"
	screen_keys Escape q
	screen_exit_is 0 "view quits with q"

	screen_start 140 40 "$R" --view flame --sample-event "$LIST" -- "$EM" 30
	screen_wait 'cpu-clock: ' 15
	ok $? "live: the flamegraph names cpu-clock"
	sleep 2
	screen_keys E
	screen_wait '^ *page-faults: ' 5
	ok $? "live E: page-faults"
	screen_wait 'fault_here' 10
	ok $? "live E: fault_here is on the screen"
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
		"$TOP_SRCDIR/tests/live/webdriver.py" "$T/rs.html" "$T" --sample-events \
		>"$T/wd.json" 2>"$T/wd.err"
	ok $? "webdriver.py --sample-events runs"
	D=$T/wd.json
	check "page: the selector offers the three events; each shows its tree's total" \
		"$JQ" -e --slurpfile s "$T/rs.json" '.sample_events | length == 3 and
		(map(.option) == ["page-faults", "context-switches", "cpu-clock"]) and
		(map(.event) == map(.option)) and
		.[0].total == $s[0].stacks.events[0].samples and
		.[1].total == $s[0].stacks.events[1].samples and
		.[2].total == $s[0].stacks.samples' "$D"
	check "page: page-faults' top function is fault_here, its note names the event" \
		"$JQ" -e '.sample_events[0] | .functions[0].name == "fault_here" and
		(.note | startswith("samples of page-faults"))' "$D"
	check "page: switch_here holds >= 80% of the context-switches graph" "$JQ" -e \
		'.sample_events[1] | ([.frames[] | select(.name == "switch_here") | .total] | add) >=
		 0.8 * .total' "$D"
	check "page: back on cpu-clock, spin_here is its top function" "$JQ" -e \
		'.sample_events[2].functions[0].name == "spin_here"' "$D"
	check "page: the header gives every event's samples and rate" "$JQ" -e \
		--slurpfile s "$T/rs.json" '.page.header.samples | contains(
		($s[0].stacks.events[0].samples | tostring) + " of page-faults every 1") and
		contains(($s[0].stacks.events[1].samples | tostring) + " of context-switches every 1")' "$D"
else
	skip "the page" "chromium and chromedriver are not installed"
fi

done_testing
