#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Off-CPU time (the snapshot's stacks.offcpu, ringside-snapshot(5)) against tests/workloads/offcpu,
# whose threads measure themselves: "sleeper" sleeps 9 ms in nanosleep under wait_here after each
# 1 ms of work, "reader" blocks in read on a pipe under read_here, "spinner" never blocks; each
# prints its lifetime and the time it spent inside those calls (blocked_ns). With --rival, a
# "rival" thread spins pinned to the spinner's CPU, so the spinner is preempted about half its life.
#   - Launched (off-CPU is on by default): the off-CPU time under wait_here within 10% of the
#     sleeper's blocked time, under read_here within 10% of the reader's; the spinner has no
#     sleeping (S) or uninterruptible (D) time to speak of (< 2% of its life: it is only preempted,
#     R, and beside its rival for at least a fifth of its life); every thread's wall-clock (on-CPU
#     plus off-CPU) within 5% of its lifetime; the states are the three reasons and "[on-CPU]"
#     only. Where perf is installed, `perf sched timehist` of a second run gives the sleeper's
#     wait time too (diag only: another run).
#   - ringside export --off-cpu / --wall-clock: folded stacks in ns that say the same; with a
#     .json output or a snapshot without off-CPU time: exit 2 and a message; a snapshot written
#     before off-CPU time existed (tests/data) still opens and exports.
#   - -p: attached, off-CPU is on by default too; --no-off-cpu: no stacks.offcpu; system-wide: off
#     by default, on with --off-cpu (and the workload's wait_here is there).
#   - The screen (tmux): in `view` and live, key o cycles the flame graph and the hottest
#     functions through on-CPU, off-CPU and wall-clock, each saying which it shows.
#   - The page (headless Chromium, when installed): the time selector's three modes draw the
#     snapshot's trees: off-CPU's total is the JSON's, wall-clock's thread frames match the
#     threads' lifetimes, off-CPU frames are marked off, the top functions follow the mode (on
#     CPU: the spinner or its rival, which share one CPU).

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS/offcpu
SECS=3

# folded_sum as an integer (counts in ns pass 2^31: awk's print would write 2.7e+09).
fsum() {
	_re=$2 awk '{
		p = $0; c = $NF; sub(/ [0-9]+$/, "", p)
		if (p ~ ENVIRON["_re"]) s += c
	} END { printf "%.0f\n", s }' "$1"
}

# The workload's self-report: FIELD of thread NAME.
wl() {
	sed -n "s/^$2 .*$3=\\([0-9]*\\).*/\\1/p" "$1" | head -n 1
}

# jq: the time tree's nodes with their depth, thread name and state name.
TT='.stacks as $s | $s.offcpu as $n |
	def name($i): $s.strings[$s.frames[$n[$i][1]][0]];
	def kind($i): $s.frames[$n[$i][1]][4];
	[foreach range(0; $n | length) as $i ({d: {}};
		.d[$i | tostring] = (if $i == 0 then 0 else .d[$n[$i][0] | tostring] + 1 end);
		{i: $i, depth: .d[$i | tostring], parent: $n[$i][0], name: name($i), kind: kind($i),
		 self: $n[$i][2], total: $n[$i][3]})] as $all |
	def up($x; $k): if $x.depth <= $k then $x else up($all[$x.parent]; $k) end;
	[$all[] | . + {thread: (if .depth >= 2 then up(.; 2).name else null end),
		state: (if .depth >= 3 then up(.; 3).name else null end)}]'

# The total of thread NAME's time tree in snapshot FILE (depth 2: on and off CPU).
thread_total() {
	"$JQ" -r --arg t "$2" "$TT"' | [.[] | select(.depth == 2 and .name == $t) | .total] | add // 0' "$1"
}

# Thread NAME's time in states matching ERE (depth 3 nodes).
state_total() {
	"$JQ" -r --arg t "$2" --arg re "$3" "$TT"' | [.[] | select(.depth == 3 and .thread == $t and
		(.name | test($re))) | .total] | add // 0' "$1"
}

# ---- launched ------------------------------------------------------------------------------------
expect_status 0 "record -- offcpu $SECS" sh -c \
	'"$1" record -q -o "$2/launch.json" -- "$3" "$4" --rival >"$2/launch.out" 2>"$2/launch.err"' \
	sh "$R" "$T" "$W" "$SECS"
F=$T/launch.json
check "the snapshot has stacks.offcpu" "$JQ" -e '.stacks.offcpu | length > 3' "$F"
check "states under the threads are [on-CPU] and the three reasons only" "$JQ" -e "$TT"' |
	[.[] | select(.depth == 3) | .name] | unique - ["[on-CPU]", "[off-CPU S sleeping]",
	"[off-CPU D uninterruptible]", "[off-CPU R preempted]"] | length == 0' "$F"

"$R" export "$F" --off-cpu -o "$T/off.folded"
ok $? "export --off-cpu -o off.folded"
"$R" export "$F" --wall-clock -o "$T/wall.folded"
ok $? "export --wall-clock -o wall.folded"

SLEPT=$(wl "$T/launch.out" sleeper blocked_ns)
READ=$(wl "$T/launch.out" reader blocked_ns)
WAIT=$(fsum "$T/off.folded" ';wait_here;')
RD=$(fsum "$T/off.folded" ';read_here;')
diag "sleeper: blocked $SLEPT ns by its own clock, off-CPU under wait_here $WAIT ns"
diag "reader: blocked $READ ns by its own clock, off-CPU under read_here $RD ns"
check "wait_here's off-CPU time within 10% of the sleeper's nanosleep time" approx "$WAIT" "$SLEPT" 10
check "read_here's off-CPU time within 10% of the reader's blocked time" approx "$RD" "$READ" 10
check "wait_here waits sleeping (S)" test "$(fsum "$T/off.folded" \
	'^offcpu;\[off-CPU S sleeping\];.*;wait_here;')" -ge $((WAIT * 9 / 10))
check "off-CPU folded has no [on-CPU] line" sh -c '! grep -q "\[on-CPU\]" "$1"' sh "$T/off.folded"
check "the folded total is the off-CPU tree's" test "$(fsum "$T/off.folded" .)" -eq \
	"$("$JQ" -r "$TT"' | [.[] | select(.depth == 3 and .name != "[on-CPU]") | .total] | add' "$F")"

LIFE=$(wl "$T/launch.out" spinner life_ns)
SD=$(state_total "$F" spinner 'S sleeping|D uninterruptible')
PRE=$(state_total "$F" spinner 'R preempted')
diag "spinner: life $LIFE ns; sleeping or uninterruptible $SD ns, preempted $PRE ns"
check "the spinner has ~no sleeping or uninterruptible time (< 2% of its life)" \
	test "$SD" -lt $((LIFE / 50))
check "the spinner, pinned beside a spinning rival, is preempted for >= 1/5 of its life" \
	test "$PRE" -ge $((LIFE / 5))
# Off-CPU stacks are user frames only by default (the kernel's part is one of the two stack walks
# per switch-out and says little beyond the state); --off-cpu-kernel brings them back for the
# threads that blocked (why they waited), not for preempted switch-outs.
kframes() {
	"$JQ" -r --arg t "$2" --arg re "$3" "$TT"' | [.[] | select(.depth > 3 and .thread == $t and
		(.state | test($re)) and .kind == "kernel")] | length' "$1"
}
check "by default no off-CPU stack has a kernel frame ($(kframes "$F" . .))" \
	test "$(kframes "$F" . .)" -eq 0
check "... and the snapshot says its off-CPU stacks are user stacks" \
	"$JQ" -e '.stacks.offcpu_stacks == "user"' "$F"
check "... while wait_here's sleeping stacks are there" test "$(fsum "$T/off.folded" \
	'^offcpu;\[off-CPU S sleeping\];start_thread;sleeper;wait_here;')" -gt 0
expect_status 0 "record --off-cpu-kernel -- offcpu 2 --rival" sh -c \
	'"$1" record -q --no-save --off-cpu-kernel -o "$2/kern.json" -- "$3" 2 --rival \
	>"$2/kern.out" 2>"$2/kern.err"' sh "$R" "$T" "$W"
K=$T/kern.json
check "--off-cpu-kernel: the snapshot says all frames" \
	"$JQ" -e '.stacks.offcpu_stacks == "all"' "$K"
check "--off-cpu-kernel: the spinner's preempted stacks have no kernel frames" \
	test "$(kframes "$K" spinner 'R preempted')" -eq 0
check "--off-cpu-kernel: the sleeper's sleeping stacks have kernel frames" \
	test "$(kframes "$K" sleeper 'S sleeping')" -gt 0
"$R" export "$K" --off-cpu -o "$T/kern.folded"
KW=$(fsum "$T/kern.folded" ';wait_here;.*;__schedule$')
KS=$(wl "$T/kern.out" sleeper blocked_ns)
diag "--off-cpu-kernel: wait_here down to __schedule $KW ns, the sleeper's own $KS ns"
check "--off-cpu-kernel: wait_here's time, down to __schedule, within 10% of the sleeper's" \
	approx "$KW" "$KS" 10
check "the spinner's off-CPU time is under its own code or preemption only" \
	test "$(state_total "$F" spinner '^\[off-CPU')" -eq $((SD + PRE))

for th in sleeper reader spinner; do
	L=$(wl "$T/launch.out" "$th" life_ns)
	S=$(thread_total "$F" "$th")
	diag "$th: lifetime $L ns, wall-clock (on + off CPU) $S ns"
	check "$th: wall-clock per thread within 5% of its lifetime" approx "$S" "$L" 5
done
# Sampled threads absent from the time tree (never switched while recorded: the launched child
# before its exec, say) count in wall-clock as their samples times the period, each node floored.
UNSW=$("$JQ" -r '.stacks as $s |
	def threads($n): [range(0; $n | length) as $i | select($n[$i][0] >= 0 and
		$n[$n[$i][0]][0] == 0) | {k: "\($n[$n[$i][0]][1]) \($n[$i][1])", t: $n[$i][3]}];
	(threads($s.offcpu) | map(.k)) as $off |
	[threads($s.nodes)[] | select(.k as $k | $off | index($k) | not) | .t] | add // 0' "$F")
FREQ=$("$JQ" -r .stacks.freq "$F")
WDIFF=$(( $(fsum "$T/wall.folded" .) - $("$JQ" -r '.stacks.offcpu[0][3]' "$F") ))
diag "wall-clock beyond the time tree: $WDIFF ns, for $UNSW samples of threads it does not have"
check "wall-clock folded sums to the time tree (plus the period per unswitched sample)" \
	test "$WDIFF" -le $((UNSW * 1000000000 / FREQ)) -a "$WDIFF" -ge $((UNSW * (1000000000 / FREQ - 1)))
check "wall-clock folded holds the spinner's sampled frames under [on-CPU]" \
	test "$(fsum "$T/wall.folded" '^offcpu;\[on-CPU\];start_thread;spinner')" -gt 0

if command -v "$PERF" >/dev/null 2>&1 &&
	"$PERF" sched record -o "$T/perf.data" -- "$W" 2 >"$T/perf.out" 2>"$T/perf.err"; then
	"$PERF" sched timehist -i "$T/perf.data" 2>/dev/null >"$T/timehist.txt"
	# Off CPU in timehist's terms: wait time (switched out to woken) + sch delay (to running).
	PW=$(awk '$3 ~ /^sleeper\[/ { w += $4 + $5 } END { printf "%.0f", w * 1e6 }' \
		"$T/timehist.txt")
	diag "perf sched timehist, another 2 s run: the sleeper off CPU ${PW} ns (wait time +" \
		"sch delay), its own report $(wl "$T/perf.out" sleeper blocked_ns) ns in nanosleep"
else
	diag "perf sched record not available: no comparison with perf sched timehist"
fi

# ---- bad input and old snapshots ---------------------------------------------------------------
expect_status 2 "record --off-cpu --no-sched is refused" "$R" record -q --off-cpu --no-sched \
	-o "$T/bad.json" -- true
expect_status 2 "record --off-cpu-kernel --no-off-cpu is refused" "$R" record -q --no-save \
	--off-cpu-kernel --no-off-cpu -o "$T/bad.json" -- true
expect_status 2 "record --off-cpu-kernel --no-samples is refused" "$R" record -q --no-save \
	--off-cpu-kernel --no-samples -o "$T/bad.json" -- true
expect_status 2 "export --off-cpu to .json is refused" "$R" export "$F" --off-cpu -o "$T/x.json"
OLD=$TOP_SRCDIR/tests/data/screen-calltree.json
expect_status 2 "export --off-cpu of a snapshot without off-CPU time" \
	"$R" export "$OLD" --off-cpu -o "$T/old.folded"
"$R" export "$OLD" --off-cpu -o "$T/old.folded" 2>"$T/old.err"
check "the message names the snapshot and the fix" grep -q "has no off-CPU time: record with -p" \
	"$T/old.err"
expect_status 0 "an older snapshot still exports to folded" "$R" export "$OLD" -o "$T/old2.folded"
"$JQ" -c '.stacks.offcpu_stacks = "kernel"' "$F" >"$T/badkind.json"
expect_status 2 "a snapshot whose offcpu_stacks is neither user nor all is refused" \
	"$R" export "$T/badkind.json" -o "$T/badkind.folded"
"$JQ" -c 'del(.stacks.offcpu_stacks)' "$F" >"$T/nokind.json"
"$R" export "$T/nokind.json" -o "$T/nokind2.json"
check "a snapshot from before offcpu_stacks opens, read as all frames" "$JQ" -e \
	'.stacks.offcpu_stacks == "all" and (.stacks.offcpu | length > 3)' "$T/nokind2.json"
"$R" export "$F" -o "$T/again.json" && "$R" export "$T/again.json" -o "$T/again2.json"
check "a snapshot with off-CPU time reads back and writes byte for byte" cmp "$T/again.json" \
	"$T/again2.json"
check "... keeping stacks.offcpu as recorded" sh -c \
	'[ "$("$1" -c .stacks.offcpu "$2")" = "$("$1" -c .stacks.offcpu "$3")" ]' sh "$JQ" "$F" \
	"$T/again.json"

# ---- -p, --no-off-cpu, system-wide ---------------------------------------------------------------
"$W" 4 >"$T/attach.out" &
WP=$!
track $WP
sleep 0.3
expect_status 0 "record -p (attached) for 2 s" "$R" record -q -p "$WP" --duration 2 \
	-o "$T/attach.json"
wait_pid $WP 10
check "-p: off-CPU time by default, wait_here in it" test "$("$JQ" -r "$TT"' |
	[.[] | select(.name == "wait_here") | .total] | add // 0' "$T/attach.json")" -gt 1000000000
expect_status 0 "record --no-off-cpu -- offcpu 1" sh -c \
	'"$1" record -q --no-off-cpu -o "$2/nooff.json" -- "$3" 1 >/dev/null' sh "$R" "$T" "$W"
check "--no-off-cpu: no stacks.offcpu" "$JQ" -e '.stacks.offcpu == null' "$T/nooff.json"
"$W" 8 >/dev/null &
WP=$!
track $WP
expect_status 0 "record system-wide for 1 s" "$R" record -q --duration 1 -o "$T/sys.json"
check "system-wide: no off-CPU time by default" "$JQ" -e '.stacks.offcpu == null' "$T/sys.json"
expect_status 0 "record --off-cpu system-wide for 1 s" "$R" record -q --off-cpu --duration 1 \
	-o "$T/sysoff.json"
kill $WP
wait_pid $WP 10
SYSW=$("$JQ" -r "$TT"' | [.[] | select(.name == "wait_here") | .total] | add // 0' "$T/sysoff.json")
diag "system-wide --off-cpu: wait_here $SYSW ns off CPU; $("$JQ" -r .stacks.lost "$T/sysoff.json") records lost"
check "system-wide --off-cpu: the workload's wait_here is there" test "$SYSW" -gt 100000000
check "system-wide --off-cpu: user stacks too, no kernel frame" "$JQ" -e "$TT"' as $t |
	.stacks.offcpu_stacks == "user" and ([$t[] | select(.depth > 3 and .kind == "kernel")] |
	length == 0)' "$T/sysoff.json"

# ---- the screen ----------------------------------------------------------------------------------
if command -v tmux >/dev/null 2>&1; then
	screen_start 120 40 "$R" view --view flame "$F"
	screen_wait 'on-CPU: ' 10
	ok $? "view: the flame graph says it shows on-CPU samples"
	screen_keys o
	screen_wait 'off-CPU \(user stacks\): [0-9.]+ s' 5
	ok $? "view: o switches the flame graph to off-CPU time, saying it has user stacks"
	check "... with wait_here, read_here and the state frames" sh -c \
		'tmux -S "$1" capture-pane -p | grep -q wait_here &&
		 tmux -S "$1" capture-pane -p | grep -q read_here &&
		 tmux -S "$1" capture-pane -p | grep -q "off-CPU S sleeping"' sh "$T/tmux.sock"
	screen_keys / w a i t _ h e r e Enter
	screen_wait 'wait_here .* total [0-9.]+% \([0-9.]+ s\) .* off CPU \(S sleeping\)' 5
	ok $? "view: the selected wait_here says its time and that it is off CPU, sleeping"
	screen_keys o
	screen_wait 'wall-clock \(user stacks\): [0-9.]+ s' 5
	ok $? "view: o again shows wall-clock"
	# The matches of "spinner": its thread, then its function off CPU (preempted) and on it.
	screen_keys / s p i n n e r Enter
	on=1 off=1
	for i in 1 2 3 4; do
		screen_wait '^ spinner ' 3
		screen_text | grep -q '^ spinner .* on CPU' && on=0
		screen_text | grep -q '^ spinner .* off CPU (R preempted)' && off=0
		screen_keys n
		sleep 0.3
	done
	ok $on "view: wall-clock marks the spinner function on CPU where it ran"
	ok $off "... and off CPU (R preempted) where its rival preempted it ($PRE ns)"
	# With the rival, five threads share 120 columns: a narrow [on-CPU] frame shows a cut label.
	screen_wait '\[on-(CPU\]|C)' 5
	ok $? "... with the threads' [on-CPU] frames beside the off-CPU ones"
	screen_keys 1
	screen_wait 'hottest functions \(wall-clock' 5
	ok $? "view: the hottest functions follow the mode"
	screen_keys o
	screen_wait 'hottest functions \(on-CPU' 5
	ok $? "view: o in the overview goes back to on-CPU"
	screen_keys q
	screen_exit_is 0 "view quits with 0"

	screen_start 120 40 "$R" view --view flame "$OLD"
	screen_wait ' samples, cumulative' 10
	ok $? "view of an older snapshot: its flame graph header is as it was (no mode named)"
	screen_keys o
	screen_wait 'no off-CPU time in this recording' 5
	ok $? "view of an older snapshot: o says there is no off-CPU time"
	screen_keys q
	screen_exit_is 0 "view quits with 0"

	screen_start 120 40 "$R" --view flame -- "$W" 6
	screen_wait 'on-CPU: ' 10
	ok $? "live: the flame graph is up"
	sleep 2
	screen_keys o
	screen_wait 'off-CPU \(user stacks\): [0-9.]+ s' 5
	ok $? "live: o switches to off-CPU time"
	screen_wait 'wait_here' 8
	ok $? "live: wait_here shows off CPU"
	screen_keys q
	screen_exit_is 0 "live quits with 0" 15
else
	skip "the screen checks" "tmux is not installed"
fi

# ---- the page ------------------------------------------------------------------------------------
if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] && [ -n "$CHROMEDRIVER" ] &&
	[ -x "$CHROMEDRIVER" ] && [ -n "$PYTHON3" ]; then
	"$R" export "$F" -o "$T/launch.html"
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver.py" "$T/launch.html" "$T" --time-modes >"$T/wd.json"
	D=$T/wd.json
	check "page: drawn without errors" "$JQ" -e '.ready == "1" and (.page.errors | length == 0)' "$D"
	check "page: the selector chose each mode" "$JQ" -e '.time_modes | .off.mode == "off" and
		.wall.mode == "wall" and .on.mode == "on"' "$D"
	OFFT=$("$JQ" -r "$TT"' | [.[] | select(.depth == 3 and .name != "[on-CPU]") | .total] | add' "$F")
	check "page: off-CPU's total is the snapshot's off-CPU time" "$JQ" -e --argjson t "$OFFT" \
		'.time_modes.off.total == $t' "$D"
	check "page: on-CPU's total is the samples" "$JQ" -e --slurpfile s "$F" \
		'.time_modes.on.total == $s[0].stacks.nodes[0][3]' "$D"
	check "page: off-CPU shows wait_here and read_here, every frame under a thread marked off" \
		"$JQ" -e '.time_modes.off.frames | (map(.name) | index("wait_here") != null) and
		(map(.name) | index("read_here") != null) and all(.[]; .depth < 3 or .off)' "$D"
	check "page: wall-clock marks on and off frames both" "$JQ" -e '.time_modes.wall.frames |
		any(.[]; .off) and any(.[]; .depth >= 3 and (.off | not))' "$D"
	for th in sleeper reader spinner; do
		L=$(wl "$T/launch.out" "$th" life_ns)
		check "page: wall-clock $th frame within 5% of its lifetime" "$JQ" -e --arg t "$th" \
			--argjson l "$L" '[.time_modes.wall.frames[] | select(.depth == 2 and
			(.name | startswith($t + " (")))][0].total as $v | ($v - $l | fabs) <= $l * 0.05' "$D"
	done
	# Off CPU, the function with the most self time in the snapshot's tree (user stacks: the
	# system call wrapper wait_here and read_here call, not the kernel's __schedule).
	TOPOFF=$("$JQ" -r "$TT"' | [.[] | select(.depth > 3)] | group_by(.name) |
		map({name: .[0].name, self: (map(.self) | add)}) | max_by(.self).name' "$F")
	check "page: the off-CPU selector says user stacks" "$JQ" -e \
		'.time_modes.off.label == "off-CPU (user stacks)" and .time_modes.on.label == "on-CPU"' "$D"
	check "page: the top functions follow the mode ($TOPOFF off CPU)" "$JQ" -e --arg top "$TOPOFF" \
		'.time_modes.off.functions[0].name == $top and ($top != "__schedule") and (.time_modes.on.functions[0].name | . == "spinner" or . == "rival") and
		(.time_modes.off.note | startswith("off-CPU"))' "$D"
else
	skip "the page checks" "chromium or chromedriver is not installed"
fi

done_testing
