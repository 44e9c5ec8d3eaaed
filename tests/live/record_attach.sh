#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `ringside record -p PID`: attach to workloads parked on a FIFO, release them once ringside says
# it is recording, and check that ringside ends by itself when they exit, with the known counts.
# Targets that give little say so in one line: a kernel thread (-p 2, and the busiest kernel
# thread, whose samples hold kernel frames only), a zombie (exit 2, or left out of a list with a
# live PID), and a command over before the first sample (`-- true`: exit 0, 0 samples written).

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
check "spin 2: it was sampled ($(jqv "$T/sp.json" .stacks.samples) samples) and no 'no samples' line" \
	sh -c "[ \$($JQ .stacks.samples '$T/sp.json') -gt 0 ] && ! grep -q 'no samples' '$T/sp.log'"
check "spin 2: t strictly increasing (>= 10 intervals in all)" \
	"$JQ" -e '[.events[].series[].t | . as $t | range(1; length) | $t[.] > $t[. - 1]]
		| length >= 10 and all' \
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


# user_free JSON: every sampled node's frame is the root, a process, a thread or the kernel's.
user_free() {
	"$JQ" -e '.stacks as $s | any($s.nodes[]; .[3] > 0)
		and all($s.nodes[] | select(.[3] > 0) | $s.frames[.[1]];
		(.[4] | IN("root", "process", "thread", "kernel")) or $s.strings[.[1]] == "[kernel]")' "$1"
}

# --- a kernel thread: kthreadd (PID 2) sleeps unless kernel threads are being made
KT_LINE='is a kernel thread: it is counted(,| and) sampled \(kernel call stacks only: it has no user space\)( and on the scheduler timeline)? while it runs; asleep, it gives 0 counts and no samples; -a records the whole system$'
if [ "$(cat /proc/2/comm 2>/dev/null)" = kthreadd ]; then
	"$R" record -I 100 --duration 1 -q -o "$T/k2.json" -p 2 2>"$T/k2.log"
	rc=$?
	diag "-p 2: $(cat "$T/k2.log")"
	ok $rc "-p 2 (kthreadd): exit 0"
	check "-p 2: one line says it is a kernel thread and what is recorded of it" \
		grep -Eq "^ringside: PID 2 \(kthreadd\) $KT_LINE" "$T/k2.log"
	check "-p 2: that line comes before the 'recording' line" \
		sh -c "grep -n '' '$T/k2.log' | grep -E 'kernel thread|ringside: recording' |
			head -n 1 | grep -q 'kernel thread'"
	check "-p 2: the snapshot counts its events (every track supported)" \
		"$JQ" -e '(.events | length) > 0 and all(.events[]; .supported) and
			.meta.target.pids == [2]' "$T/k2.json"
	samples=$(jqv "$T/k2.json" .stacks.samples)
	if [ "$samples" = 0 ]; then
		check "-p 2: 0 samples, and the 'no samples' line says it did not run or ran too little" \
			grep -Eq '^ringside: no samples: PID 2 (did not run|ran for)' "$T/k2.log"
	else
		check "-p 2: $samples samples, every frame sampled is the kernel's" user_free "$T/k2.json"
	fi
else
	skip "-p 2" "PID 2 is not kthreadd here (a PID namespace?)"
fi

# --- the busiest kernel thread: sampled with kernel frames only
kt=$(for d in /proc/[0-9]*; do
	awk '{ i = index($0, ") "); split(substr($0, i + 2), f, " ");
		if (int(f[7] / 2097152) % 2 == 1 && f[2] == 2) print f[12] + f[13], $1 }' "$d/stat" 2>/dev/null
done | sort -rn | awk 'NR == 1 { print $2 }')
if [ -n "$kt" ]; then
	"$R" record -I 100 --duration 2 -q -o "$T/kt.json" -p "$kt" 2>"$T/kt.log"
	rc=$?
	ok $rc "-p $kt ($(cat /proc/$kt/comm 2>/dev/null), the busiest kernel thread): exit 0"
	check "-p $kt: the kernel-thread line names it" \
		grep -Eq "^ringside: PID $kt \(.*\) $KT_LINE" "$T/kt.log"
	samples=$(jqv "$T/kt.json" .stacks.samples)
	if [ "${samples:-0}" -gt 0 ]; then
		check "-p $kt: $samples samples, every frame sampled is the kernel's" user_free "$T/kt.json"
	else
		skip "-p $kt: kernel frames only" "it was not sampled in 2 s"
	fi
else
	skip "the busiest kernel thread" "no kernel thread found in /proc"
fi

# --- a zombie: a child that exited, not reaped by its sleeping parent
"$W/zombie" 30 >"$T/zombie.pid" &
zp=$!
track $zp
wait_for_line "$T/zombie.pid" '^[0-9]' 10 || diag "zombie: no child PID within 10 s"
z=$(cat "$T/zombie.pid")
check "zombie: ps shows $z as a zombie" sh -c "ps -o stat= -p '$z' | grep -q Z"
"$R" record -I 100 --duration 1 -o "$T/z.json" -p "$z" 2>"$T/z.log"
rc=$?
check "-p ZOMBIE: exit 2 (got $rc)" test "$rc" = 2
check "-p ZOMBIE: one line, that it is a zombie of its parent, nothing to record" \
	sh -c "[ \$(wc -l <'$T/z.log') = 1 ] && grep -qx 'ringside: PID $z is a zombie (exited, not yet reaped by its parent PID $zp): nothing to record; record a running process (ps shows them)' '$T/z.log'"
check "-p ZOMBIE: no snapshot written, no temporary left" \
	sh -c "[ ! -e '$T/z.json' ] && ! ls -a '$T' | grep -q '^\.z\.json'"
"$R" record -I 100 --duration 1 -q -o "$T/zl.json" -p "$z,$zp" 2>"$T/zl.log"
rc=$?
ok $rc "-p ZOMBIE,LIVE: exit 0"
check "-p ZOMBIE,LIVE: one line leaves the zombie out and records the live PID" \
	grep -qx "ringside: PID $z is a zombie (exited, not yet reaped by its parent PID $zp): nothing to record of it; recording PID $zp only" "$T/zl.log"
check "-p ZOMBIE,LIVE: the snapshot's target is the live PID alone" \
	"$JQ" -e --argjson p $zp '.meta.target.pids == [$p] and .meta.end_reason == "duration"' \
	"$T/zl.json"
kill $zp 2>/dev/null
wait_pid $zp 10

# --- a command over before the first sample (one period at 100 Hz is 10 ms)
"$R" record -F 100 -o "$T/true.json" -- true 2>"$T/true.log"
rc=$?
diag "-- true: $(cat "$T/true.log")"
ok $rc "record -- true: exit 0"
check "-- true: one line says no samples, how long it ran against one sampling period" \
	grep -Eq '^ringside: no samples: the command \(true\) ran for [0-9]+\.[0-9] ms, shorter than one sampling period at 100 Hz \(10\.0 ms\); raise -F to sample it; the counts are complete$' "$T/true.log"
check "-- true: the snapshot is written, with 0 samples and its counters" \
	"$JQ" -e '.stacks.samples == 0 and .stacks.event != null and (.events | length) > 0 and
		.meta.end_reason == "command exited" and .meta.target.exit == 0' "$T/true.json"
"$R" record -F 100 --no-samples -o "$T/true2.json" -- true 2>"$T/true2.log"
rc=$?
ok $rc "record --no-samples -- true: exit 0"
check "--no-samples -- true: no 'no samples' line (nothing was to be sampled)" \
	sh -c "! grep -q 'no samples' '$T/true2.log'"

done_testing
