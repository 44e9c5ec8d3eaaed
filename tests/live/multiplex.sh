#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Multiplexed counters scaled right, on a machine without a PMU. Every event ringside can open
# here is a software event (or a tracepoint, also of the software context), and a group made only
# of those always goes on the CPU (kernel/events/core.c, group_can_go_on), so in the two ways
# ringside opens counters, per thread on any CPU (pid P, cpu -1) and per CPU (pid -1, cpu N),
# time_running always equals time_enabled: no option of ringside's drives its counting into the
# multiplexed case. A per-thread counter opened for one CPU (pid P, cpu 0) is: the kernel keeps
# it enabled while P runs anywhere, running only while P runs on CPU 0 (such an event is not even
# visited when P is scheduled in elsewhere), just as a hardware counter waiting for a free slot.
# So ringside runs here with tests/workloads/onecpu.so preloaded, which opens its counting events
# for CPU 0 instead of cpu -1 (nothing else changes: ringside reads, stores and scales what the
# kernel gives), around migrator, which spends alternate 10 ms slices on CPU 0 and CPU 1.
#   - really multiplexed: every event's running time is 20%..80% of its enabled time;
#   - task-clock's raw count equals its running time (1%): what the kernel counted is kept as is;
#   - the scaled task-clock (count x enabled / running per interval) matches migrator's run time
#     from the same run's scheduler timeline (switch records, another path), within 3% (measured
#     here: 0.3%, 0.6%, 0.9% on a busy machine), where the raw count is under 80% of it (~50%);
#   - context-switches counted only on CPU 0 still sees each of the N/2 moves off CPU 0;
#   - the summary ringside prints shows, per event, the scaled value (within 0.1% of jq's own
#     count x enabled / running from the snapshot) and the share counted (within 0.1 point);
#   - without the shim, the same run is not multiplexed: no "counted" share, raw == scaled.

. "$TESTLIB"
require_root
[ "$(getconf _NPROCESSORS_ONLN)" -ge 2 ] || skip_all "one CPU online: nothing to multiplex between"
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS
MOVES=100
EV=task-clock,context-switches

# A sanitizer runtime insists on coming first among the preloaded libraries; the shim is harmless.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

# sums FILE EVENT: "COUNT ENABLED RUNNING" of EVENT summed over its series and intervals.
sums() {
	"$JQ" -r --arg n "$2" '[.events[] | select(.name == $n) | .series[]] as $s
		| "\([$s[].count[]] | add // 0) \([$s[].enabled[]] | add // 0)
		   \([$s[].running[]] | add // 0)"' "$1" 2>/dev/null
}

# summary ERRFILE EVENT: "VALUE SHARE" from ringside's summary line for EVENT ("1006.70 msec
# task-clock ... (50.4% counted)" or "1,160 context-switches ..."); SHARE 100 when none is shown.
summary() {
	awk -v n="$2" '$0 ~ "^ +[0-9.,]+ (msec )? *" n " " {
		v = $1; gsub(/,/, "", v); s = 100
		if (match($0, /\([0-9.]+% counted\)/)) s = substr($0, RSTART + 1, RLENGTH - 11) + 0
		print v, s; exit
	}' "$1"
}

rm -f "$T/onecpu.log"
LD_PRELOAD=$W/onecpu.so ONECPU_CPU=0 ONECPU_LOG=$T/onecpu.log timeout 60 "$R" record -e $EV \
	-I 100 -o "$T/mx.json" -- "$W/migrator" $MOVES --spin-ms 10 >"$T/mx.out" 2>"$T/mx.err"
ok $? "record -e $EV -- migrator $MOVES --spin-ms 10 (counters on CPU 0 only) exits 0"
diag "$(cat "$T/mx.out")"
grep -E 'task-clock|context-switches' "$T/mx.err" | while IFS= read -r l; do diag "$l"; done
check "the shim opened ringside's counters for CPU 0 ($(wc -l <"$T/onecpu.log" 2>/dev/null) opens)" \
	test -s "$T/onecpu.log"
check "migrator made its $MOVES moves" grep -q "^migrator: tid [0-9]*, $MOVES moves, $MOVES seen" \
	"$T/mx.out"

set -- $(sums "$T/mx.json" task-clock)
tc=${1:-0} tce=${2:-0} tcr=${3:-0}
set -- $(sums "$T/mx.json" context-switches)
cs=${1:-0} cse=${2:-0} csr=${3:-0}
diag "task-clock count $tc enabled $tce running $tcr; context-switches count $cs enabled $cse running $csr"
check "task-clock multiplexed: running $tcr is 20%..80% of enabled $tce" \
	awk -v r="$tcr" -v e="$tce" 'BEGIN { exit !(e > 0 && r >= 0.2 * e && r <= 0.8 * e) }'
check "context-switches multiplexed: running $csr is 20%..80% of enabled $cse" \
	awk -v r="$csr" -v e="$cse" 'BEGIN { exit !(e > 0 && r >= 0.2 * e && r <= 0.8 * e) }'
check "task-clock's raw count $tc equals its running time $tcr (1%)" approx "$tc" "$tcr" 1

mtid=$(sed -n 's/^migrator: tid \([0-9]*\),.*/\1/p' "$T/mx.out")
rt=$("$JQ" -r --argjson t "${mtid:-0}" '[.sched.tasks[] | select(.tid == $t) | .runtime_ns]
	| add // 0' "$T/mx.json" 2>/dev/null)
tcs=$(ev_scaled "$T/mx.json" task-clock)
check "migrator ran for more than 0.1 s on the scheduler timeline ($rt ns)" \
	test "${rt:-0}" -gt 100000000
check "scaled task-clock $tcs ns within 3% of migrator's run time $rt ns (sched timeline)" \
	approx "$tcs" "${rt:-0}" 3
check "... while the raw count $tc is under 80% of it (the scaling did the work)" \
	awk -v c="$tc" -v r="${rt:-0}" 'BEGIN { exit !(r > 0 && c < 0.8 * r) }'
check "context-switches on CPU 0 only: $cs >= the $((MOVES / 2 - 1)) moves off CPU 0" \
	test "$cs" -ge $((MOVES / 2 - 1))

# ringside's own summary against jq's scaling of the snapshot's raw numbers.
set -- $(summary "$T/mx.err" task-clock)
sv=${1:-} ss=${2:-}
check "summary: task-clock $sv msec within 0.1% of the snapshot's scaled $tcs ns" \
	approx "$(awk -v v="$sv" 'BEGIN { print v * 1e6 }')" "$tcs" 0.1
check "summary: task-clock $ss% counted, the snapshot's running / enabled" \
	approx "$ss" "$(pct "$tcr" "$tce")" 0.3
css=$(ev_scaled "$T/mx.json" context-switches)
set -- $(summary "$T/mx.err" context-switches)
check "summary: context-switches $1 within 1 of the snapshot's scaled $css (raw $cs)" \
	in_range "${1:-}" $((css - 1)) $((css + 1))
check "summary: context-switches $2% counted, the snapshot's running / enabled" \
	approx "${2:-}" "$(pct "$csr" "$cse")" 0.3

# --- the control: the same run without the shim is not multiplexed
timeout 60 "$R" record -e $EV -I 100 -o "$T/pl.json" -- "$W/migrator" $MOVES --spin-ms 10 \
	>"$T/pl.out" 2>"$T/pl.err"
ok $? "without the shim: record -- migrator $MOVES exits 0"
set -- $(sums "$T/pl.json" task-clock)
check "without the shim: task-clock running $3 == enabled $2 > 0" \
	test "${3:-0}" -eq "${2:-1}" -a "${2:-0}" -gt 0
check "without the shim: no share counted in the summary" sh -c '! grep -q "counted)" "$1"' sh \
	"$T/pl.err"
check "without the shim: scaled task-clock equals the raw count" \
	test "$(ev_scaled "$T/pl.json" task-clock)" = "$(ev_total "$T/pl.json" task-clock)"

done_testing
