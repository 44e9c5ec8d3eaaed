#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `ringside record` when something is wrong: unknown events, PIDs and CPUs, an unwritable output,
# unsupported hardware events, no permission, a target that exits early, and SIGKILL mid-run.
# Each error must be one line starting "ringside: " and come with the documented exit code.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS

# expect_error NAME CODE GREP-PATTERN DESC ARGS...: ringside ARGS exits CODE with exactly one
# stderr line, which starts "ringside: " and matches the pattern; no "recording" line before it.
expect_error() {
	name=$1 code=$2 pat=$3 desc=$4
	shift 4
	timeout 30 "$R" "$@" 2>"$T/$name.err" >/dev/null
	rc=$?
	check "$desc: exit $code (got $rc)" test $rc -eq "$code"
	check "$desc: one line, 'ringside: ...$pat...', not recording" sh -c '
		test "$(wc -l < "$1")" -eq 1 && grep -q "^ringside: " "$1" &&
		grep -q -- "$2" "$1" && ! grep -q "^ringside: recording" "$1"' sh "$T/$name.err" "$pat"
	diag "$(cat "$T/$name.err")"
}

# --- unknown events, with a suggestion
expect_error ev1 2 "'cyclez'.*cycles" "unknown event cyclez suggests cycles" \
	record -e cyclez -o "$T/ev1.json" -- true
expect_error ev2 2 "sched_swich.*sched:sched_switch" "unknown sched:sched_swich suggests sched:sched_switch" \
	record -e sched:sched_swich -o "$T/ev2.json" -- true
check "no snapshot after an unknown event" test ! -e "$T/ev1.json" -a ! -e "$T/ev2.json"

# --- a PID that does not exist: one just reaped (the PID space wraps at pid_max, far away)
true &
gone=$!
wait $gone
expect_error pid 2 "$gone" "no process with PID $gone" record -o "$T/pid.json" -p $gone
expect_error pid2 2 "2147483647" "PID 2147483647 (beyond pid_max)" record -o "$T/pid2.json" -p 2147483647

# --- a CPU that does not exist
expect_error cpu 2 "CPU 99" "-C 99" record -o "$T/cpu.json" -C 99

# --- unwritable output: refused before recording, nothing left behind
expect_error out1 2 "/nonexistent/dir/x.json" "output in a missing directory" \
	record -e task-clock -o /nonexistent/dir/x.json -- true
: >"$T/afile"
expect_error out2 2 "afile/x.json" "output under a regular file" \
	record -e task-clock -o "$T/afile/x.json" -- true
expect_error out3 2 "/proc/x.json" "output in /proc" record -e task-clock -o /proc/x.json -- true
check "nothing created at the refused paths" test ! -e /proc/x.json -a ! -e /nonexistent
expect_error ext 2 "x.txt" "output without .json" record -e task-clock -o "$T/x.txt" -- true
check "nothing created for the .txt output" test ! -e "$T/x.txt"

# --- a PID that exits during the recording: data is kept, exit 0, ringside ends early. The spinner
# is parked on a FIFO until ringside records, so that all of its CPU time is counted.
mkfifo "$T/exit.fifo"
s0=$(steal_ns)
"$W/spin" 0.6 --wait-fifo "$T/exit.fifo" --report "$T/exit.rep" &
wpid=$!
track $wpid
start_bg "$T/exit.log" "$R" record -q -e task-clock -I 100 --duration 10 -o "$T/exit.json" -p $wpid
rpid=$BG_PID
wait_for_line "$T/exit.log" '^ringside: recording ' 10 || diag "PID exiting: no 'recording' line"
release_fifo "$T/exit.fifo"
wait_pid $wpid 10
wait_pid $rpid 15
ok $? "a PID exiting during the recording (--duration 10): exit 0"
# ringside's own account of how long it recorded, not the wall clock of a possibly loaded machine.
check "... ringside ended when it exited, not at the duration (recorded $(jqv "$T/exit.json" .meta.duration_ns) ns)" \
	"$JQ" -e '.meta.duration_ns > 0 and .meta.duration_ns < 9e9' "$T/exit.json"
check "... end_reason \"processes exited\"" test "$(jqv "$T/exit.json" .meta.end_reason)" = "processes exited"
stolen=$(stolen_since "$s0")
spin_report "$T/exit.rep"
tc=$(ev_total "$T/exit.json" task-clock)
# 5%: in a busy sanitizer pass the count came 10 ms (3.3%) short of the spinner's CPU time once:
# the process's CPU clock also holds its start-up before the FIFO and its exiting threads' last
# slice, which the counter may not see (a 300 ms spinner makes one tick a large share).
check "... the data is written: task-clock $tc ns within 5% of the spinner's own CPU time $SPIN_CPU ns (+$stolen ns steal allowed above)" \
	near_cpu "$tc" "$SPIN_CPU" 5 "$stolen"
check_alone "... task-clock $tc ns within 10% of the spinner's 0.6 s wall time (a CPU to itself)" \
	approx "$tc" 600000000 10

# --- hardware events: this VM has no PMU
if "$PERF" stat -x, -e cycles true 2>&1 | grep -q 'not supported\|not counted'; then
	s0=$(steal_ns)
	timeout 30 "$R" record -q -e cycles,task-clock -I 100 -o "$T/hw.json" -- "$W/spin" 0.3 \
		--report "$T/hw.rep" 2>"$T/hw.err"
	ok $? "cycles with task-clock on a PMU-less machine: exit 0"
	stolen=$(stolen_since "$s0")
	spin_report "$T/hw.rep"
	check "cycles: supported false, a reason, no series" \
		"$JQ" -e '.events[] | select(.name == "cycles") | .supported == false
			and (.reason | type == "string" and length > 0) and .series == []' "$T/hw.json"
	diag "cycles reason: $(jqv "$T/hw.json" '.events[] | select(.name == "cycles") | .reason')"
	tc=$(ev_total "$T/hw.json" task-clock)
	check "task-clock has data beside it ($tc ns within 3% of the spinner's own CPU time $SPIN_CPU ns, +$stolen ns steal allowed above)" \
		near_cpu "$tc" "$SPIN_CPU" 3 "$stolen"
	check_alone "task-clock $tc ns within 15% of the spinner's 0.3 s wall time (a CPU to itself)" \
		approx "$tc" 300000000 15
	check "task-clock supported true, reason null" \
		"$JQ" -e '.events[] | select(.name == "task-clock") | .supported and .reason == null' \
		"$T/hw.json"
	expect_error hw1 1 "cycles" "only cycles: nothing can be opened" \
		record -e cycles -o "$T/hw1.json" -- true
else
	for _ in 1 2 3 4 5 6 7; do skip "unsupported hardware event" "cycles opens here (a PMU)"; done
fi

# --- no permission: system-wide as nobody
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid)
mkdir "$T/pub" && chmod 1777 "$T/pub" && chmod 755 "$T"
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups"
if [ "$paranoid" -le 0 ]; then
	skip "system-wide as nobody is refused" "kernel.perf_event_paranoid = $paranoid allows it"
	skip "... message names perf_event_paranoid" "kernel.perf_event_paranoid = $paranoid"
elif ! $NOBODY test -x "$R"; then
	skip "system-wide as nobody is refused" "nobody cannot execute $R (build dir not world-readable)"
	skip "... message names perf_event_paranoid" "nobody cannot execute $R"
else
	timeout 30 $NOBODY "$R" record -e task-clock --duration 0.5 -o "$T/pub/np.json" 2>"$T/np.err"
	rc=$?
	check "system-wide as nobody (paranoid $paranoid): exit 1 (got $rc)" test $rc -eq 1
	check "... one 'ringside: ' line naming perf_event_paranoid" sh -c '
		test "$(wc -l < "$1")" -eq 1 && grep -q "^ringside: .*perf_event_paranoid" "$1"' \
		sh "$T/np.err"
	diag "$(cat "$T/np.err")"
fi

# --- SIGKILL mid-run: no partial file at the destination
start_bg "$T/kill.log" "$R" record -q -e cpu-clock -I 100 -o "$T/kill.json"
rpid=$BG_PID
check "SIGKILL: ringside started recording first (its 'recording' line)" \
	wait_for_line "$T/kill.log" '^ringside: recording ' 10
sleep 0.3 # a few intervals recorded
check "SIGKILL: ringside still ran, SIGKILL sent ($rpid)" kill -KILL $rpid
wait_pid $rpid 10
status_is KILL $? "SIGKILL: ringside died of it"
check "SIGKILL mid-run leaves nothing at the destination" test ! -e "$T/kill.json"

done_testing
