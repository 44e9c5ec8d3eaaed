#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The scheduler timeline: the snapshot's "sched" object (ringside-snapshot(5)) against workloads
# whose scheduling is known.
#   - Two spinners pinned to CPU 0 and CPU 1 (spin --pin 0,1), recorded system-wide for 3 s: each
#     is the main task of its CPU in >= 90% (75 in the sanitizer build) of the map's buckets
#     with data (>= half of them must; see below for the unknown ones), the two are different
#     threads,
#     each ran >= 75% of the time its CPU's timeline is known (runtime_ns; known_ns >= 90% of the
#     recording, 75% in a sanitizer build, less what the kernel itself left unknown: perf records
#     the same switches, and a task switched in whose switch-out never comes (the VM agent's
#     threads, here) leaves its CPU unknown until the next switch, for perf as for ringside) and
#     was never migrated, each CPU was busy >= 90% of its known time. The spinners
#     run in a session (so an autogroup) of their own at nice -10, so that other work on the
#     machine takes some CPU time from them, never a bucket's majority.
#   - pingpong N launched (its two threads pinned to one CPU): the threads' switches (voluntary +
#     involuntary) within 5% of 2N. How they split depends on the kernel: on 6.18 the writer is
#     usually preempted by the reader it wakes (an involuntary switch, and no wake-up when the
#     reply comes) and the reader blocks (voluntary), so about N each and about N wake-ups; a
#     thread that blocks every round gives 2N voluntary and 2N wake-ups. Hence: voluntary and
#     wake-ups each between 0.95 N and 2.1 N, and wake-ups within 5% of the voluntary switches
#     (every sleep takes one wake-up); latency p50 <= p95 <= p99 <= max, max > 0.
#   - migrator N (one thread moved between the CPUs N times with sched_setaffinity): N..N+3
#     migrations (see MIG_HI), system-wide and launched (per-task events do not see
#     sched_migrate_task, which fires in the migration thread: the model must count a target's
#     moves some other way).
#   - execer: a task that exits (rs-exiter: exited, no exec) and a task that execs (renamed
#     rs-preexec, then exec: its comm is the new one, execs >= 1, exited), system-wide and
#     launched (then both target:true); each one's runtime_ns against the CPU time execer got for
#     it from wait4 (launched within 10%, system-wide 75%..110%: see check_execer). execer prints
#     the TIDs, the new comm and the CPU times. With --thread-exec (launched) a second thread
#     execs: its own TID's task has exited.
#   - -p and --: the target's tasks are marked target:true and only they; every other task is
#     target:false and the map shows no other task (they are grouped as "other").
#   - Against the same run's context-switches counter (-e context-switches): the switches of
#     launched pingpong's tasks within 1%; system-wide with the pinned spinners, sched.switches
#     within 2% + 20 (the counters and the tracepoints are not enabled at the same instant). Only
#     while the CPUs are kept busy: on the 2-CPU test VM (6.18.44-fc), CPU 1 never reports a
#     sched_switch out of its idle task (`perf stat -a -A -e context-switches,sched:sched_switch`
#     counts 31 and 14 there in a quiet second, 69 and 65 on CPU 0), so on an idling CPU the
#     tracepoints see fewer switches than the counter, for perf as for ringside; and even busy,
#     a switch goes missing now and then (perf record -a -e sched:sched_switch beside the pinned
#     spinners: a handful of switches whose prev is not the task the last one switched in).
#   - --no-sched: no "sched" key at all.
# Every snapshot's sched object is also checked for shape (ringside-snapshot(5)): runs [start,
# end, task] with start <= end, ordered and not overlapping per CPU; task references an index or
# -1 (idle), -2 (no data), -3 (other tasks, grouped); busy_ns <= known_ns; summaries of five;
# unique short names; latency percentiles ordered; the map has one row of cells per CPU, [task,
# share, busy] in per mille, a task's share within the busy share.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS
NCPU=$(getconf _NPROCESSORS_ONLN)
N=$(workload_n 20000)
MOVES=200
# At most: the N moves, the first pin (when the thread started on the other CPU), and the two
# moves the kernel may make before that pin (fork and exec balancing): pinned to one CPU at a time
# afterwards, the thread cannot be moved by anything else. perf stat counts 200-201 for 200 here.
MIG_HI=$((MOVES + 3))

# sched_shape FILE: the sched object is well formed (see above).
sched_shape() {
	"$JQ" -e '.sched as $s | ($s.tasks | length) as $nt
		| ($s.tasks | type == "array") and ($s.cpus | type == "array") and ($s.cpus | length > 0)
		and ([$s.tasks[] | (.tid | type == "number") and (.pid | type == "number")
			and (.comm | type == "string") and (.short | type == "string")
			and (.target | type == "boolean") and (.exited | type == "boolean")
			and ([.runtime_ns, .switches_voluntary, .switches_involuntary, .migrations,
				.wakeups, .execs] | map(type == "number" and . >= 0) | all)
			and (.latency_ns | .p50 <= .p95 and .p95 <= .p99 and .p99 <= .max)]
			| length > 0 and all)
		and ([$s.tasks[].short | select(. != "")] | length == (unique | length))
		and ([$s.cpus[] | .runs as $r | (.cpu | type == "number") and (.busy_ns >= 0)
			and .busy_ns <= .known_ns
			and ([$r[] | length == 3 and .[0] <= .[1] and .[2] >= -3 and .[2] < $nt] | all)
			and ([range(1; $r | length) as $i | $r[$i][0] >= $r[$i - 1][1]] | all)
			and ([.summaries[] | length == 5] | all)] | length > 0 and all)
		and ($s.map.bucket_ns > 0) and ($s.map.cells | length == ($s.cpus | length))
		and ([$s.map.cells[][] | length == 3 and .[0] >= -3 and .[0] < $nt
			and .[1] >= 0 and .[1] <= 1000 and .[2] >= 0 and .[2] <= 1000
			and (.[0] == -1 or .[0] == -2 or .[1] <= .[2] + 1)] | all)' "$1" >/dev/null
}

# tasks_of FILE PID: the sched tasks of process PID, compact JSON array.
tasks_of() {
	"$JQ" -c --argjson p "$2" '[.sched.tasks[] | select(.pid == $p)]' "$1" 2>/dev/null
}

# task_field FILE TID FIELD: FIELD of the sched task TID (the last one, if the TID was reused).
task_field() {
	"$JQ" -r --argjson t "$2" "[.sched.tasks[] | select(.tid == \$t)] | last | .$3" "$1" 2>/dev/null
}

# silent_gaps PERF_SCRIPT_TXT PID: [ns on CPU 0, ns on CPU 1, switches]: per CPU, the time between a switch
# in of a task and the next switch on that CPU whose prev is some other task: the kernel reported
# no switch-out there, so what ran is unknown to perf as to ringside. Only the part within the
# lifetime of PID (ringside: its first and last switch) counts; switches: how many went unreported.
# Also, per CPU, the time from PID's start to the CPU's first switch after it: a switch timeline
# begins at a CPU's first switch (what ran there before is unknown, not idle), and a pinned
# nice -10 spinner can hold its CPU without one for long (a CI run: CPU 0 had data in 28 of 31 buckets).
silent_gaps() {
	awk -v pid="$2" '
	function num(k,   i, v) {
		for (i = 1; i <= NF; i++)
			if (index($i, k "=") == 1) { v = substr($i, length(k) + 2); return v + 0 }
		return -1
	}
	{
		cpu = substr($1, 2, length($1) - 2) + 0
		t = substr($2, 1, length($2) - 1) * 1e9
		n++; tt[n] = t; cc[n] = cpu; pp[n] = num("prev_pid"); nn[n] = num("next_pid")
		if (pp[n] == pid || nn[n] == pid) { if (!t0) t0 = t; t1 = t }
	}
	END {
		for (i = 1; i <= n; i++) {
			c = cc[i]
			isfirst = t0 && tt[i] >= t0 && !(c in first)
			if (isfirst) {
				first[c] = tt[i]
				u[c] += (tt[i] < t1 ? tt[i] : t1) - t0
			}
			if ((c in last) && pp[i] != last[c]) {
				a = since[c] > t0 ? since[c] : t0
				b = tt[i] < t1 ? tt[i] : t1
				# (the first switch after t0: its span is counted above)
				if (b > a && !isfirst) u[c] += b - a
				if (tt[i] >= t0 && tt[i] <= t1) miss++
			}
			last[c] = nn[i]; since[c] = tt[i]
		}
		printf "[%d, %d, %d]\n", u[0], u[1], miss
	}' "$1"
}

# --- two pinned spinners own their CPUs
if [ "$NCPU" -ge 2 ]; then
	# A session of its own, so an autogroup of its own (sched_autogroup_enabled): nice only
	# weighs against the tasks of the same autogroup, the autogroup's nice against the others.
	setsid nice -n -10 "$W/spin" 8 --threads 2 --pin 0,1 &
	spid=$!
	track $spid
	# Once it runs spin (setsid has made the new autogroup then), the autogroup's nice.
	i=0
	while [ "$(cat /proc/$spid/comm 2>/dev/null)" != spin ] && [ $i -lt 100 ]; do
		sleep 0.02
		i=$((i + 1))
	done
	[ -w /proc/$spid/autogroup ] && echo -10 >/proc/$spid/autogroup 2>/dev/null
	# Both spinner threads started (main + 2 tasks), generous deadline.
	i=0
	while [ "$(ls /proc/$spid/task 2>/dev/null | wc -l)" -lt 3 ] && [ $i -lt 500 ]; do
		sleep 0.02
		i=$((i + 1))
	done
	# perf records the same switches beside ringside: the oracle for what the kernel left out
	# (see silent_gaps).
	have_perf=0
	if command -v "$PERF" >/dev/null 2>&1; then
		"$PERF" record -q -a -e sched:sched_switch -o "$T/sw.data" >/dev/null 2>"$T/sw.err" &
		perf_pid=$!
		track $perf_pid
		have_perf=1
		sleep 0.3
	fi
	timeout 30 "$R" record -e context-switches --duration 3 -o "$T/pin.json" 2>"$T/pin.err" &
	tpid=$!
	# ringside itself (timeout's child), whose switches bound the window perf's data is read in
	i=0
	rpid=
	while [ -z "$rpid" ] && [ $i -lt 100 ]; do
		rpid=$(pgrep -P $tpid | head -n 1)
		[ -n "$rpid" ] || sleep 0.02
		i=$((i + 1))
	done
	wait $tpid
	ok $? "record -e context-switches --duration 3 (system-wide) beside two pinned spinners exits 0"
	if [ $have_perf = 1 ]; then
		kill -INT $perf_pid 2>/dev/null
		wait $perf_pid
		"$PERF" script -i "$T/sw.data" -F cpu,time,trace >"$T/sw.txt" 2>/dev/null
	fi
	kill -TERM $spid 2>/dev/null
	wait_pid $spid 10
	check "pinned: the sched object is well formed" sched_shape "$T/pin.json"
	# Per map row: [cpu, buckets with data (the others are unknown, -2: see above), the spinner
	# thread owning most buckets, its buckets].
	own=$("$JQ" -c --argjson p $spid '.sched as $s
		| [$s.tasks | to_entries[] | select(.value.pid == $p and .value.tid != $p)] as $sp
		| [range($s.cpus | length) as $i | [$s.map.cells[$i][] | select(.[0] != -2)] as $c
			| ([$sp[] | .key as $k | [.value.tid, ([$c[] | select(.[0] == $k)] | length)]]
			   | max_by(.[1]) // [0, 0])
			| [$s.cpus[$i].cpu, ($c | length), .[0], .[1]]]' "$T/pin.json" 2>/dev/null)
	nb=$("$JQ" '.sched.map.cells[0] | length' "$T/pin.json" 2>/dev/null)
	diag "pinned: [cpu, buckets with data, main spinner tid, its buckets] per CPU: $own;" \
		"$nb buckets in all"
	diag "pinned: bucket_ns $(jqv "$T/pin.json" .sched.map.bucket_ns); spinners:" \
		"$("$JQ" -c --argjson p $spid '[.sched.tasks[] | select(.pid == $p and .tid != $p)
			| {tid, short, runtime_ns, migrations}]' "$T/pin.json" 2>/dev/null)"
	# In the sanitizer build ringside itself takes much of a CPU (a CI run: the spinner on CPU 1
	# ran 2.43 s of 3 and owned 26 of 31 buckets), so there the floor is 75%.
	omin=90
	[ "${RINGSIDE_SANITIZED:-0}" = 1 ] && omin=75
	for c in 0 1; do
		check "pinned: CPU $c: one spinner is the main task in >= $omin% of the buckets with data" \
			"$JQ" -e -n --argjson o "${own:-null}" --argjson c $c --argjson nb "${nb:-0}" \
			--argjson m $omin '
				[$o[] | select(.[0] == $c)] | length == 1 and .[0][1] >= 10
				and .[0][1] >= 0.5 * $nb and .[0][2] > 0 and .[0][3] >= $m / 100 * .[0][1]'
	done
	check "pinned: CPU 0 and CPU 1 are owned by two different spinner threads" \
		"$JQ" -e -n --argjson o "${own:-null}" '[$o[] | select(.[0] <= 1) | .[2]]
			| length == 2 and .[0] != .[1] and all(. > 0)'
	dur=$(jqv "$T/pin.json" .meta.duration_ns)
	diag "pinned: CPUs [cpu, busy_ns, known_ns] of $dur ns: $("$JQ" -c '[.sched.cpus[]
		| [.cpu, .busy_ns, .known_ns]]' "$T/pin.json" 2>/dev/null)"
	# Shares of the known time: the kernel may drop a sched_switch now and then (see above),
	# after which a CPU's timeline is unknown until the next switch; with a pinned spinner at
	# nice -10 that next switch can be far off. Measured 97-100% known in a plain build; in the
	# sanitizer build (RINGSIDE_SANITIZED=1, ringside several times slower per record) CI
	# measured 80% on CPU 0 once, so there the floor is 75%.
	kmin=0.9
	[ "${RINGSIDE_SANITIZED:-0}" = 1 ] && kmin=0.75
	diag "pinned: sched.lost $(jqv "$T/pin.json" '.sched.lost // 0')"
	# What the kernel did not report is unknown to any tool: per CPU, the time perf saw between a
	# task switching in and a switch whose prev is another task (a switch-out never reported,
	# e.g. of the VM agent's threads here), within ringside's lifetime. That time is forgiven.
	silent='[0, 0, 0]'
	if [ $have_perf = 1 ] && [ -s "$T/sw.txt" ]; then
		silent=$(silent_gaps "$T/sw.txt" "${rpid:-0}")
		diag "pinned: [ns left unknown on CPU 0, on CPU 1 (switch-outs not reported, and before the CPU's first switch), switch-outs not reported] (perf): $silent"
	else
		diag "pinned: no perf to measure what the kernel left unknown; none forgiven"
	fi
	# CI prints only the failing line: it carries the figures ([cpu, known, busy] in ms).
	kb=$("$JQ" -c '[.sched.cpus[] | select(.cpu <= 1) | [.cpu, (.known_ns / 1e6 | round),
		(.busy_ns / 1e6 | round)]]' "$T/pin.json" 2>/dev/null)
	check "pinned: CPUs 0 and 1 have data for >= $kmin of the recording less what the kernel left unknown, busy >= 90% of it ($kb of $((${dur:-0} / 1000000)) ms, unknown $silent)" \
		"$JQ" -e --argjson d "${dur:-0}" --argjson k $kmin --argjson u "$silent" '
			[.sched.cpus[] | select(.cpu <= 1)]
			| length == 2 and all(.known_ns >= $k * $d - $u[.cpu] and .known_ns <= $d + 1e6
				and .busy_ns >= 0.9 * .known_ns)' "$T/pin.json"
	check "pinned: each spinner ran >= 75% of the lesser known time of CPUs 0 and 1, never migrated" \
		"$JQ" -e --argjson p $spid '.sched as $s
			| ([$s.cpus[] | select(.cpu <= 1) | .known_ns] | min) as $k
			| [$s.tasks[] | select(.pid == $p and .tid != $p)] | length == 2
			and all(.migrations == 0 and .runtime_ns >= 0.75 * $k)' "$T/pin.json"
	sw=$(jqv "$T/pin.json" .sched.switches)
	cs=$(ev_total "$T/pin.json" context-switches)
	# the counter counts the switch-outs the tracepoint never reports (silent_gaps)
	miss=$("$JQ" -n --argjson u "$silent" '$u[2]')
	check "pinned: sched.switches $sw within 2% + 20 (less $miss unreported) of the same run's context-switches $cs" \
		in_range "$sw" "$(awk -v c="$cs" -v m="$miss" 'BEGIN { print c * 0.98 - 20 - m }')" \
		"$(awk -v c="$cs" 'BEGIN { print c * 1.02 + 20 }')"
else
	skip "pinned spinners" "one CPU online"
fi

# --- pingpong launched
# pp_lost: the records the kernel could not deliver to the run's rings (its LOST count).
pp_lost() {
	"$JQ" '[.sched.lost // 0, .stacks.lost // 0] | max' "$T/pp.json" 2>/dev/null || echo 0
}
timeout 60 "$R" record -e context-switches -o "$T/pp.json" -- "$W/pingpong" $N 2>"$T/pp.err"
rc=$?
# 2N switches in a fraction of a second fill the rings in ~0.1 s: when other work on the machine
# (tests beside this one) keeps ringside off the CPU that long, records are lost and counted.
# The comparisons below need a run without losses, so such a run is made again, once.
if [ $rc -eq 0 ] && [ "$(pp_lost)" != 0 ]; then
	diag "pingpong: $(pp_lost) records lost under outside load; recording again"
	timeout 60 "$R" record -e context-switches -o "$T/pp.json" -- "$W/pingpong" $N 2>"$T/pp.err"
	rc=$?
fi
diag "pingpong: $(pp_lost) records lost"
ok $rc "record -e context-switches -- pingpong $N exits 0"
check "pingpong: the sched object is well formed" sched_shape "$T/pp.json"
ppid=$(jqv "$T/pp.json" '.meta.target.pids[0]')
pp=$(tasks_of "$T/pp.json" "${ppid:-0}")
diag "pingpong tasks: $pp"
pp_sum() { "$JQ" -n --argjson t "${pp:-[]}" "[\$t[] | $1] | add // 0"; }
vol=$(pp_sum .switches_voluntary)
inv=$(pp_sum .switches_involuntary)
wak=$(pp_sum .wakeups)
check "pingpong: 2 tasks, both target:true" \
	"$JQ" -e -n --argjson t "${pp:-[]}" '$t | length == 2 and all(.target == true)'
check "pingpong: switches $vol + $inv within 5% of 2N = $((2 * N))" \
	approx $((vol + inv)) $((2 * N)) 5
cs=$(ev_total "$T/pp.json" context-switches)
check "pingpong: switches $((vol + inv)) within 1% of the same run's context-switches count $cs" \
	approx $((vol + inv)) "$cs" 1
check "pingpong: voluntary switches $vol in [0.95 N, 2.1 N]" \
	in_range "$vol" $((N * 95 / 100)) $((N * 21 / 10))
check "pingpong: wake-ups $wak in [0.95 N, 2.1 N]" \
	in_range "$wak" $((N * 95 / 100)) $((N * 21 / 10))
check "pingpong: wake-ups $wak within 5% of the voluntary switches $vol (one per sleep)" \
	approx "$wak" "$vol" 5
check "pingpong: latency percentiles present, p50 <= p95 <= p99 <= max, max > 0" \
	"$JQ" -e -n --argjson t "${pp:-[]}" '$t | length == 2 and all(.latency_ns
		| (.p50 | type == "number") and .p50 <= .p95 and .p95 <= .p99 and .p99 <= .max
		  and .max > 0)'
check "pingpong: runtime_ns > 0 for both threads" \
	"$JQ" -e -n --argjson t "${pp:-[]}" '$t | length == 2 and all(.runtime_ns > 0)'

# --- -- : the target's tasks marked, the others not, the map names no other task
# only_target FILE PID: the tasks of PID are target:true and no other task is; every task the
# map shows is a target task (the others are grouped as -3, "other").
only_target() {
	"$JQ" -e --argjson p "$2" '.sched as $s
		| ([$s.tasks[] | select(.pid == $p)] | length > 0 and all(.target == true))
		and ([$s.tasks[] | select(.pid != $p) | .target == false] | all)
		and ([$s.map.cells[][] | .[0] | . < 0 or $s.tasks[.].target] | all)' "$1" >/dev/null
}
check "--: pingpong's tasks target:true, the others target:false, no other task named in the map" \
	only_target "$T/pp.json" "${ppid:-0}"

# --- -p: attach to pingpong parked on a FIFO (its second thread starts after the attach)
mkfifo "$T/pp.fifo"
"$W/pingpong" $N --wait-fifo "$T/pp.fifo" &
wpid=$!
track $wpid
start_bg "$T/att.log" "$R" record -o "$T/att.json" -p $wpid
rpid=$BG_PID
wait_for_line "$T/att.log" '^ringside: recording ' 10 ||
	diag "-p: no 'ringside: recording' line within 10 s: $(cat "$T/att.log")"
release_fifo "$T/pp.fifo"
wait_pid $wpid 30
wait_pid "$rpid" 30
ok $? "record -p PID (pingpong $N): ends by itself, exit 0"
check "-p: the sched object is well formed" sched_shape "$T/att.json"
att=$(tasks_of "$T/att.json" $wpid)
check "-p: pingpong's 2 tasks, switches within 5% of 2N" \
	"$JQ" -e -n --argjson t "${att:-[]}" --argjson n $N '$t | length == 2
		and (([.[] | .switches_voluntary + .switches_involuntary] | add) - 2 * $n
		     | (if . < 0 then -. else . end) <= 0.05 * 2 * $n)'
check "-p: pingpong's tasks target:true, the others target:false, no other task named in the map" \
	only_target "$T/att.json" $wpid

# --- migrations and exec/exit, system-wide: migrator and execer run during one recording
if [ "$NCPU" -ge 2 ]; then
	start_bg "$T/sys.log" "$R" record --duration 2.5 -o "$T/sys.json"
	rpid=$BG_PID
	wait_for_line "$T/sys.log" '^ringside: recording ' 10 ||
		diag "system: no 'ringside: recording' line within 10 s: $(cat "$T/sys.log")"
	"$W/migrator" $MOVES >"$T/mig.out" 2>&1 &
	mpid=$!
	track $mpid
	"$W/execer" >"$T/exe.out" 2>&1
	erc=$?
	wait_pid $mpid 30
	mrc=$?
	wait_pid "$rpid" 30
	ok $? "record --duration 2.5 beside migrator $MOVES and execer exits 0"
	check "system: migrator and execer exit 0 ($mrc, $erc)" test $mrc -eq 0 -a $erc -eq 0
	check "system: the sched object is well formed" sched_shape "$T/sys.json"
	mtid=$(sed -n 's/^migrator: tid \([0-9]*\),.*/\1/p' "$T/mig.out")
	mig=$(task_field "$T/sys.json" "${mtid:-0}" migrations)
	diag "migrator: $(cat "$T/mig.out"); sched: $(task_field "$T/sys.json" "${mtid:-0}" comm)" \
		"$mig migrations"
	check "system: migrator's thread has $MOVES..$MIG_HI migrations ($mig)" \
		in_range "$mig" $MOVES $MIG_HI
	check "system: migrator's thread: comm migrator, exited (it ended during the recording)" \
		"$JQ" -e --argjson t "${mtid:-0}" '[.sched.tasks[] | select(.tid == $t)] | length == 1
			and .[0].comm == "migrator" and .[0].exited == true' "$T/sys.json"
else
	skip "system-wide migrations and exec/exit" "one CPU online"
fi

# check_execer NAME FILE OUT [target]: the exiter and the exec'd task of execer's output OUT in
# FILE, and their run time against the CPU time execer got from wait4 for each. With "target"
# (launched): both marked target:true (children of a launched command are the target's tasks) and
# the run time within 10% (+ 2 ms): the sampling event's switch records give every switch in and
# out of a target task, and its exit ends the last run (`perf record -e dummy --switch-events` of
# execer: 100.1 ms for the exiter's 100.3 ms). System-wide: between 75% and 110% (+ 2 ms), because
# a sched_switch the kernel does not report (see above) leaves a slice of a task's run unknown
# (seen: 87% for a task started on an idle CPU 1).
check_execer() {
	line=$(grep '^execer: exiter ' "$3")
	xt=$(echo "$line" | sed -n 's/^execer: exiter \([0-9]*\) .*/\1/p')
	xns=$(echo "$line" | sed -n 's/^execer: exiter .* cpu_ns \([0-9]*\);.*/\1/p')
	et=$(echo "$line" | sed -n 's/.*; execed \([0-9]*\) .*/\1/p')
	newcomm=$(echo "$line" | sed -n 's/.*; execed [0-9]* \(.*\) cpu_ns [0-9]*$/\1/p')
	ens=$(echo "$line" | sed -n 's/.*; execed .* cpu_ns \([0-9]*\)$/\1/p')
	tgt=${4:+and .[0].target == true}
	lo=0.75
	[ -n "$4" ] && lo=0.9
	diag "$1: $(cat "$3")"
	diag "$1: exiter $("$JQ" -c --argjson t "${xt:-0}" '.sched.tasks[] | select(.tid == $t)' "$2")"
	diag "$1: execed $("$JQ" -c --argjson t "${et:-0}" '.sched.tasks[] | select(.tid == $t)' "$2")"
	check "$1: the exiting task ($xt): comm rs-exiter, exited, no exec${4:+, target}" \
		"$JQ" -e --argjson t "${xt:-0}" "[.sched.tasks[] | select(.tid == \$t)] | length == 1
			and .[0].comm == \"rs-exiter\" and .[0].exited == true and .[0].execs == 0
			$tgt" "$2"
	check "$1: the exec'd task ($et): its new comm '$newcomm', execs >= 1, exited${4:+, target}" \
		"$JQ" -e --argjson t "${et:-0}" --arg c "$newcomm" "[.sched.tasks[]
			| select(.tid == \$t)] | length == 1 and .[0].comm == \$c and \$c != \"rs-preexec\"
			and .[0].execs >= 1 and .[0].exited == true $tgt" "$2"
	for w in "exiter $xt ${xns:-0}" "execed $et ${ens:-0}"; do
		set -- "$1" "$2" $w
		rt=$(task_field "$2" "${4:-0}" runtime_ns)
		check "$1: the $3's runtime_ns $rt within [$lo, 1.1] (+- 2 ms) of its CPU time $5 ns" \
			in_range "$rt" "$(awk -v c="$5" -v l="$lo" 'BEGIN { print c * l - 2e6 }')" \
			"$(awk -v c="$5" 'BEGIN { print c * 1.1 + 2e6 }')"
	done
}
[ "$NCPU" -ge 2 ] && check_execer system "$T/sys.json" "$T/exe.out"

# --- launched: migrator and execer as the command
if [ "$NCPU" -ge 2 ]; then
	timeout 60 "$R" record -o "$T/mig.json" -- "$W/migrator" $MOVES >"$T/mig2.out" 2>"$T/mig2.err"
	ok $? "record -- migrator $MOVES exits 0"
	mtid=$(sed -n 's/^migrator: tid \([0-9]*\),.*/\1/p' "$T/mig2.out")
	mig=$(task_field "$T/mig.json" "${mtid:-0}" migrations)
	check "launched: migrator's thread has $MOVES..$MIG_HI migrations ($mig)" \
		in_range "$mig" $MOVES $MIG_HI
else
	skip "launched migrator" "one CPU online"
fi
timeout 60 "$R" record -o "$T/exe.json" -- "$W/execer" >"$T/exe2.out" 2>"$T/exe2.err"
ok $? "record -- execer exits 0"
check_execer launched "$T/exe.json" "$T/exe2.out" target
# a second thread execs (launched: the exec is known from the COMM record, which names the
# process, not the thread): the calling thread's TID is gone, so its task has exited; the exec'd
# image runs under the process's TID, counted as an exec there
timeout 60 "$R" record -o "$T/thx.json" -- "$W/execer" --thread-exec >"$T/thx.out" 2>"$T/thx.err"
ok $? "record -- execer --thread-exec exits 0"
tht=$(sed -n 's/.*; thread \([0-9]*\)$/\1/p' "$T/thx.out")
thp=$(sed -n 's/.*; execed \([0-9]*\) .*/\1/p' "$T/thx.out")
diag "thread-exec: $(cat "$T/thx.out"); thread $("$JQ" -c --argjson t "${tht:-0}" \
	'.sched.tasks[] | select(.tid == $t)' "$T/thx.json")"
check "launched, a thread execs: its TID's task ($tht, rs-thexec) exited, the process ($thp) exec'd" \
	"$JQ" -e --argjson t "${tht:-0}" --argjson p "${thp:-0}" '
		([.sched.tasks[] | select(.tid == $t)] | length == 1 and .[0].comm == "rs-thexec"
		 and .[0].exited == true and .[0].target == true) and
		([.sched.tasks[] | select(.tid == $p and .execs >= 1)] | length == 1)' "$T/thx.json"

# --- --no-sched
timeout 60 "$R" record --no-sched -o "$T/nos.json" -- "$W/pingpong" 1000 2>"$T/nos.err"
ok $? "record --no-sched -- pingpong 1000 exits 0"
check "--no-sched: the snapshot has no \"sched\" key" \
	"$JQ" -e 'has("sched") | not' "$T/nos.json"
check "--no-sched: the snapshot is otherwise whole (meta, events)" \
	"$JQ" -e 'has("meta") and (.events | length > 0)' "$T/nos.json"
check "default: the launched pingpong snapshot has a \"sched\" key" \
	"$JQ" -e 'has("sched")' "$T/pp.json"

done_testing
