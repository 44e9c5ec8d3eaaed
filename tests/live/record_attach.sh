#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `ringside record -p PID`: attach to workloads parked on a FIFO, release them once ringside says
# it is recording, and check that ringside ends by itself when they exit, with the known counts.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS
EV=page-faults,context-switches,task-clock
N=20000

# attach NAME WORKLOAD ARGS...: run the workload parked on a FIFO, record it with -p, release it,
# reap it, then wait for ringside to finish by itself. Sets rc (ringside's exit status) and wpid.
attach() {
	name=$1
	shift
	mkfifo "$T/$name.fifo"
	"$@" --wait-fifo "$T/$name.fifo" &
	wpid=$!
	track $wpid
	start_bg "$T/$name.log" "$R" record -e $EV -I 100 -o "$T/$name.json" -p $wpid
	rpid=$BG_PID
	if ! wait_for_line "$T/$name.log" '^ringside: recording ' 10; then
		diag "$name: no 'ringside: recording' line within 10 s: $(cat "$T/$name.log")"
	fi
	release_fifo "$T/$name.fifo"
	wait_pid $wpid 30
	wait_pid $rpid 30
	rc=$?
}

# --- pagetouch: the fault count after the release (start-up faults happen before attaching)
attach pt "$W/pagetouch" $N
ok $rc "attach to pagetouch: ringside ends by itself when it exits, exit 0"
pf=$(ev_total "$T/pt.json" page-faults)
check "pagetouch: page-faults $pf within 5% of N=$N" approx "$pf" $N 5
check "meta.target.kind is \"pids\" with the PID" \
	"$JQ" -e --argjson p $wpid '.meta.target.kind == "pids" and .meta.target.pids == [$p]
		and .meta.target.exit == null and .meta.target.command == []' "$T/pt.json"
check "meta.end_reason is \"processes exited\"" \
	test "$(jqv "$T/pt.json" .meta.end_reason)" = "processes exited"
check "the 'recording' line names the PID" grep -q "^ringside: recording .*$wpid" "$T/pt.log"

# --- pingpong creates its second thread only after the FIFO release, that is after ringside
# attached: without the threads started later, only about N switches would be counted.
attach pp "$W/pingpong" $N
ok $rc "attach to pingpong: exit 0"
cs=$(ev_total "$T/pp.json" context-switches)
check "pingpong: context-switches $cs within 15% of 2N=$((2 * N)) (a thread started after attaching is counted)" \
	approx "$cs" $((2 * N)) 15

# --- spin 2: the spinning thread starts after attaching. Its task-clock must be the CPU time the
# spinner measured itself, however busy the machine; two seconds of it only with a CPU to itself.
s0=$(steal_ns)
attach sp "$W/spin" 2 --report "$T/sp.rep"
ok $rc "attach to spin 2: exit 0"
stolen=$(stolen_since "$s0")
spin_report "$T/sp.rep"
tc=$(ev_total "$T/sp.json" task-clock)
check "spin 2 (its spinning thread started after attaching): task-clock $tc ns within 3% of the spinner's own CPU time $SPIN_CPU ns (+$stolen ns steal allowed above)" \
	near_cpu "$tc" "$SPIN_CPU" 3 "$stolen"
check_alone "spin 2: task-clock $tc ns within 10% of its 2 s wall time (a CPU to itself)" \
	approx "$tc" 2000000000 10
check "spin 2: t strictly increasing" \
	"$JQ" -e '[.events[].series[].t | . as $t | range(1; length) | $t[.] > $t[. - 1]] | all' \
	"$T/sp.json"

# --- two PIDs: two pagetouch processes, N faults each
mkfifo "$T/a.fifo" "$T/b.fifo"
"$W/pagetouch" $N --wait-fifo "$T/a.fifo" &
pa=$!
track $pa
"$W/pagetouch" $N --wait-fifo "$T/b.fifo" &
pb=$!
track $pb
start_bg "$T/two.log" "$R" record -e $EV -I 100 -o "$T/two.json" -p "$pa,$pb"
rpid=$BG_PID
wait_for_line "$T/two.log" '^ringside: recording ' 10 || diag "two PIDs: no 'recording' line"
release_fifo "$T/a.fifo"
wait_pid $pa 30
release_fifo "$T/b.fifo"
wait_pid $pb 30
wait_pid $rpid 30
ok $? "-p PID,PID: ringside ends when both exited, exit 0"
pf=$(ev_total "$T/two.json" page-faults)
check "-p PID,PID: page-faults $pf within 5% of 2N=$((2 * N))" approx "$pf" $((2 * N)) 5
check "-p PID,PID: meta.target.pids holds both" \
	"$JQ" -e --argjson a $pa --argjson b $pb '(.meta.target.pids | sort) == ([$a, $b] | sort)' \
	"$T/two.json"
check "-p PID,PID: end_reason \"processes exited\"" \
	test "$(jqv "$T/two.json" .meta.end_reason)" = "processes exited"

done_testing
