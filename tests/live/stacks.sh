#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Call stacks of the known call tree (tests/workloads/calltree.c), profiled launched, attached and
# system-wide with `ringside record -F 999 -g fp`. In every mode the calltree lines of the folded
# output must show:
#   - samples: at least a quarter of the nominal 999 Hz x 2 busy threads (a parallel `make check`
#     may take CPUs from the workload, never the shares below);
#   - main;a;b with 75% and main;a;c with 25% of the samples under main;a (+- 5 points: the split
#     is set by iteration counts, ~3000 samples under main;a give a standard error under 1 point);
#   - the always-inlined c_inl as a frame of its own between c and hot_mix (DWARF inline chains on
#     a return address);
#   - hot_mix, the function in libhot.so, named;
#   - the worker thread's path worker;w_spin;
#   - kernel frames after sys_heavy (its write(2) calls), on the leaf side;
#   - at most 1% of the samples with a frame left as "[unknown]" or "calltree+0xOFF" (a stray
#     sample in a PLT stub, say; a process whose maps were missed has them in every sample).
# Then: the JSON snapshot's "stacks" object (counts, tree shape, thread names, frames: inline flag,
# library and kernel kinds, b's declaration line), `ringside export` to folded and back, -g none
# (one frame per stack), and a process that exits during a system-wide recording keeping its
# names.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree
SRC=${TOP_SRCDIR:+$TOP_SRCDIR/tests/workloads/calltree.c}

# check_tree NAME FILE MIN: the known call tree's checks on the calltree lines of folded FILE,
# which must hold at least MIN samples.
check_tree() {
	folded_comm "$2" calltree >"$T/$1.ct"
	all=$(folded_sum "$T/$1.ct" '')
	under_a=$(folded_sum "$T/$1.ct" ';main;a(;|$)')
	nb=$(folded_sum "$T/$1.ct" ';main;a;b(;|$)')
	nc=$(folded_sum "$T/$1.ct" ';main;a;c(;|$)')
	diag "$1: $all calltree samples; under main;a $under_a: b $nb, c $nc"
	check "$1: at least $3 calltree samples ($all)" in_range "$all" "$3" 1e12
	check "$1: main;a;b has 75 +- 5% of main;a ($(pct "$nb" "$under_a")%)" \
		in_range "$(pct "$nb" "$under_a")" 70 80
	check "$1: main;a;c has 25 +- 5% of main;a ($(pct "$nc" "$under_a")%)" \
		in_range "$(pct "$nc" "$under_a")" 20 30
	check "$1: the inlined function is a frame: main;a;c;c_inl;hot_mix" \
		grep -q ';main;a;c;c_inl;hot_mix [0-9]*$' "$T/$1.ct"
	check "$1: hot_mix (libhot.so) is named" grep -q ';hot_mix [0-9]*$' "$T/$1.ct"
	check "$1: the worker thread's path worker;w_spin" grep -q ';worker;w_spin [0-9]*$' "$T/$1.ct"
	ks=$(folded_sum "$T/$1.ct" ';sys_heavy;.')
	check "$1: kernel frames after sys_heavy ($ks samples)" test "$ks" -gt 0
	unk=$(folded_sum "$T/$1.ct" '\[unknown\]|(calltree|libhot\.so)\+0x')
	check "$1: <= 1% of the samples have an unnamed frame ([unknown], module+0x...): $unk" \
		test $((unk * 100)) -le "$all"
}

# --- launched, folded output
timeout 60 "$R" record -F 999 -g fp -o "$T/launch.folded" -- "$CT" 3 2>"$T/launch.err"
ok $? "record -F 999 -g fp -o X.folded -- calltree 3 exits 0"
check_tree launch "$T/launch.folded" 1500
check "launched: stderr says 'ringside: N samples, N lost'" \
	grep -Eq '^ringside: [0-9]+ samples, [0-9]+ lost' "$T/launch.err"
check "launched: the folded file has only 'path COUNT' lines" \
	sh -c '! grep -Evq "^[^;]+(;[^;]+)+ [1-9][0-9]*$" "$1"' sh "$T/launch.folded"

# --- attached to a calltree parked on a FIFO (its worker thread starts after the attach)
mkfifo "$T/ct.fifo"
"$CT" 3 --wait-fifo "$T/ct.fifo" &
wpid=$!
track $wpid
start_bg "$T/attach.log" "$R" record -F 999 -g fp -o "$T/attach.folded" -p $wpid
rpid=$BG_PID
wait_for_line "$T/attach.log" '^ringside: recording ' 10 ||
	diag "attach: no 'ringside: recording' line within 10 s: $(cat "$T/attach.log")"
release_fifo "$T/ct.fifo"
wait_pid $wpid 30
wait_pid $rpid 30
ok $? "record -p PID: ends by itself when calltree exits, exit 0"
check_tree attach "$T/attach.folded" 1500

# --- system-wide, calltree already running (its maps come from /proc at start)
"$CT" 4 &
wpid=$!
track $wpid
sleep 0.3
timeout 60 "$R" record -F 999 -g fp --duration 3 -o "$T/system.folded" 2>"$T/system.err"
ok $? "record -a --duration 3 exits 0"
wait_pid $wpid 30
check_tree system "$T/system.folded" 1500

# --- JSON snapshot: the stacks object, export to folded and back
timeout 60 "$R" record -F 999 -g fp -o "$T/snap.json" -- "$CT" 2 2>"$T/snap.err"
ok $? "record -o X.json -- calltree 2 exits 0"
S=$T/snap.json
check "snapshot: stacks has event, freq 999, callgraph fp, numeric counts" \
	"$JQ" -e '.stacks | (.event | type == "string") and .freq == 999 and .callgraph == "fp"
		and ([.samples, .lost, .throttled, .bad_records] | map(type == "number") | all)' "$S"
samples=$(jqv "$S" .stacks.samples)
lost=$(jqv "$S" .stacks.lost)
diag "snapshot: $samples samples, $lost lost, $(jqv "$S" .stacks.throttled) throttled"
check "snapshot: the root's total equals samples ($samples), and the selfs add up to it" \
	"$JQ" -e '.stacks | .nodes[0][0] == -1 and .nodes[0][3] == .samples
		and ([.nodes[][2]] | add) == .samples' "$S"
check "snapshot: nodes in pre-order (each parent before its child), totals >= selfs" \
	"$JQ" -e '.stacks.nodes | [range(1; length) as $i | .[$i][0] >= 0 and .[$i][0] < $i]
		+ [.[] | .[3] >= .[2]] | all' "$S"
check "snapshot: each node's total is its self plus its children's totals" \
	"$JQ" -e '.stacks.nodes | . as $n
		| reduce range(1; length) as $i ([range(length)] | map(0); .[$n[$i][0]] += $n[$i][3])
		| [range(length) as $i | $n[$i][3] == $n[$i][2] + .[$i]] | all' "$S"
check "snapshot: stderr's 'N samples, N lost' matches the file ($samples, $lost)" \
	grep -q "^ringside: $samples samples, $lost lost" "$T/snap.err"
if [ "${lost:-0}" -gt 0 ] 2>/dev/null; then
	check "snapshot: a loss is warned about on stderr" grep -qi 'warn.*lost\|lost.*warn' "$T/snap.err"
fi
cpid=$(jqv "$S" '.meta.target.pids[0]')
check "snapshot: one process node 'calltree' (line = its PID $cpid) under the root" \
	"$JQ" -e --argjson pid "$cpid" '.stacks as $s | [$s.nodes[] | select(.[0] == 0)
		| $s.frames[.[1]] | select(.[4] == "process" and $s.strings[.[0]] == "calltree"
		and .[3] == $pid)] | length == 1' "$S"
# The thread nodes under the process: [name, tid, total] each.
threads=$("$JQ" -c --argjson pid "$cpid" '.stacks as $s
	| ($s.nodes | to_entries | map(select(.value[0] == 0
		and $s.frames[.value[1]][4] == "process" and $s.frames[.value[1]][3] == $pid))
		| .[0].key) as $p
	| [$s.nodes[] | select(.[0] == $p) | . as $n | $s.frames[$n[1]] | select(.[4] == "thread")
		| [$s.strings[.[0]], .[3], $n[3]]]' "$S")
diag "snapshot: thread nodes [name, tid, samples]: $threads"
check "snapshot: the thread nodes are named calltree (tid = PID) and ct-worker" \
	"$JQ" -e -n --argjson t "${threads:-null}" --argjson pid "$cpid" '($t | map(.[0]) | unique)
		== ["calltree", "ct-worker"] and ($t | map(select(.[1] == $pid) | .[0]) == ["calltree"])'
# The worker renames itself first thing, so (nearly) all its samples carry the new name, wherever
# they were taken relative to the COMM record that announced the rename.
check "snapshot: >= 98% of the worker thread's samples are under its name ct-worker" \
	"$JQ" -e -n --argjson t "${threads:-null}" --argjson pid "$cpid" '[$t[] | select(.[1] != $pid)]
		| ([.[] | select(.[0] == "ct-worker") | .[2]] | add) >= 0.98 * ([.[] | .[2]] | add)'
check "snapshot: c_inl is an inlined user frame, b and c are not inlined" \
	"$JQ" -e '.stacks as $s | [$s.frames[] | select(($s.strings[.[0]]) as $n
		| $n == "c_inl" or $n == "b" or $n == "c") | [$s.strings[.[0]], .[4], .[5]]] | sort
		== [["b", "user", 0], ["c", "user", 0], ["c_inl", "user", 1]]' "$S"
check "snapshot: hot_mix is a library frame of libhot.so" \
	"$JQ" -e '.stacks as $s | [$s.frames[] | select($s.strings[.[0]] == "hot_mix")
		| .[4] == "library" and ($s.strings[.[1]] | endswith("libhot.so"))] | . != [] and all' "$S"
check "snapshot: kernel frames present" \
	"$JQ" -e '[.stacks.frames[] | select(.[4] == "kernel")] | length > 0' "$S"
check "snapshot: every child of a sys_heavy node is a kernel frame (and there are some)" \
	"$JQ" -e '.stacks as $s | [$s.nodes | to_entries[]
		| select($s.strings[$s.frames[.value[1]][0]] == "sys_heavy") | .key] as $sh
		| [$s.nodes[] | select(.[0] as $p | $sh | index($p)) | $s.frames[.[1]][4]]
		| length > 0 and all(. == "kernel")' "$S"
if [ -n "$SRC" ] && [ -r "$SRC" ]; then
	bline=$(grep -n '^b(uint64_t x)$' "$SRC" | cut -d: -f1)
	check "snapshot: b's frame is declared in calltree.c line $bline" \
		"$JQ" -e --argjson l "${bline:-0}" '.stacks as $s | [$s.frames[]
			| select($s.strings[.[0]] == "b" and .[4] == "user")
			| ($s.strings[.[2]] | endswith("calltree.c")) and .[3] == $l] | . != [] and all' "$S"
else
	skip "snapshot: b's declaration site" "TOP_SRCDIR not set"
fi

timeout 30 "$R" export "$S" -o "$T/snap.folded" 2>"$T/export.err"
ok $? "export X.json -o Y.folded exits 0"
check_tree export "$T/snap.folded" 1000
check "export: the folded counts add up to the snapshot's samples ($samples)" \
	test "$(folded_sum "$T/snap.folded" '')" = "$samples"
timeout 30 "$R" export "$S" -o "$T/again.json" 2>"$T/export2.err" &&
	timeout 30 "$R" export "$T/again.json" -o "$T/again.folded" 2>>"$T/export2.err"
ok $? "export X.json -o Z.json, then Z.json -o Z.folded, exit 0"
check "export: the folded stacks survive a JSON round trip unchanged" \
	cmp "$T/snap.folded" "$T/again.folded"

# --- -g none: the sampled IP only
timeout 60 "$R" record -F 999 -g none -o "$T/none.json" -- "$CT" 1 2>"$T/none.err"
ok $? "record -g none -- calltree 1 exits 0"
"$R" export "$T/none.json" -o "$T/none.folded" 2>>"$T/none.err"
folded_comm "$T/none.folded" calltree >"$T/none.ct"
check "-g none: calltree has samples ($(folded_sum "$T/none.ct" ''))" \
	test "$(folded_sum "$T/none.ct" '')" -gt 300
# One sampled address is one function, plus the functions inlined at it (a sample in ld.so's
# init_cpu_features lands in the inlined dl_init_cacheinfo): at most one frame on any path below
# the thread that is not marked inlined.
check "-g none: every stack is one frame after the comm, and the frames inlined at it" \
	"$JQ" -e '.stacks as $s | $s.nodes as $n
		| def code(i): $s.frames[$n[i][1]][4] | IN("root", "process", "thread") | not;
		  def own(i): if i < 0 then 0
			else (if code(i) and $s.frames[$n[i][1]][5] == 0 then 1 else 0 end)
				+ own($n[i][0]) end;
		[range($n | length) | select(code(.)) | own(.)] | length > 0 and max == 1' \
	"$T/none.json"
check "-g none: the leaves b, w_spin and hot_mix are named" \
	sh -c 'grep -q "^calltree;b [0-9]*$" "$1" && grep -q "^calltree;w_spin [0-9]*$" "$1" &&
		grep -q "^calltree;hot_mix [0-9]*$" "$1"' sh "$T/none.ct"

# --- a process that exits during a system-wide recording keeps its names
start_bg "$T/exit.log" "$R" record -F 999 -g fp --duration 3 -o "$T/exit.folded"
rpid=$BG_PID
wait_for_line "$T/exit.log" '^ringside: recording ' 10 ||
	diag "exit: no 'ringside: recording' line within 10 s: $(cat "$T/exit.log")"
"$CT" 1.5
wait_pid $rpid 30
ok $? "record -a --duration 3 while calltree 1.5 runs and exits: exit 0"
check_tree exited "$T/exit.folded" 700

# --- exited tasks fold by name: a shell runs 40 short spin processes (two threads each, 80 tasks),
# then counts to 50000 itself (so that it has samples of its own: forking alone got it none in
# some runs) and sleeps. 12 s after their exits, in batches of 32 or more, their nodes merge into
# one "spin" process frame of module "[exited]" without a pid; the shell, alive, keeps its pid.
timeout 60 "$R" record -F 999 -g fp -o "$T/fold.json" -- sh -c \
	'i=0; while [ $i -lt 40 ]; do "$1" 0.03 >/dev/null; i=$((i + 1)); done
	while [ $i -lt 50000 ]; do i=$((i + 1)); done; sleep 14' \
	sh "$WORKLOADS/spin" 2>"$T/fold.err"
ok $? "record -- sh running 40 short spin processes, then sleeping 14 s: exit 0"
F=$T/fold.json
# [pid-or-"exited", total] of every process node named spin
"$JQ" -c '.stacks as $s | [$s.nodes[] | select(.[0] == 0) | $s.frames[.[1]] as $f
	| select($s.strings[$f[0]] == "spin")
	| [if $s.strings[$f[1]] == "[exited]" then "exited" else $f[3] end, .[3]]]' "$F" \
	>"$T/fold.procs"
diag "fold: spin process nodes [pid, samples]: $(cat "$T/fold.procs")"
check "fold: one spin process node is the exited ones', with no pid" \
	"$JQ" -e '.stacks as $s | [$s.nodes[] | select(.[0] == 0) | $s.frames[.[1]]
		| select($s.strings[.[0]] == "spin" and $s.strings[.[1]] == "[exited]")
		| .[3]] == [0]' "$F"
check "fold: at least 16 processes folded: at most 24 spin process nodes keep a pid" \
	"$JQ" -e '[.[] | select(.[0] != "exited")] | length <= 24' "$T/fold.procs"
check "fold: the folded node holds their samples (>= 100)" \
	"$JQ" -e '[.[] | select(.[0] == "exited") | .[1]] | .[0] >= 100' "$T/fold.procs"
check "fold: under the folded process only folded threads, named spin" \
	"$JQ" -e '.stacks as $s | [$s.nodes | to_entries[] | select(.value[0] == 0
		and $s.strings[$s.frames[.value[1]][1]] == "[exited]") | .key] as $x
		| [$s.nodes[] | select(.[0] as $p | $x | index($p)) | $s.frames[.[1]]
		| [$s.strings[.[0]], $s.strings[.[1]], .[3], .[4]]] | unique
		| . != [] and all(.[1] == "[exited]" and .[2] == 0 and .[3] == "thread")' "$F"
shpid=$("$JQ" -r '.meta.target.pids[0] // empty' "$F")
check "fold: the shell, alive at the fold, keeps its pid ($shpid)" \
	"$JQ" -e --argjson p "${shpid:-0}" '.stacks as $s | [$s.nodes[] | select(.[0] == 0)
		| $s.frames[.[1]] | select(.[3] == $p)] | length == 1' "$F"
# Given up: a frame of no strings, kind "unknown", line its own id (until a new task takes it).
check "fold: the folded tasks' pid and tid frames were given up (at least 16 left so)" \
	"$JQ" -e '[.stacks.frames | to_entries[] | select(.value == [0, 0, 0, .key, "unknown", 0])]
		| length >= 16' "$F"
# (A node of either tree: the time tree, stacks.offcpu, holds tasks that switched but were not
# sampled.)
check "fold: every pid and tid frame left has a node (no frame of a task without samples)" \
	"$JQ" -e '.stacks as $s | [$s.nodes[], ($s.offcpu // [])[] | .[1]] as $used
		| [$s.frames | to_entries[] | select((.value[4] == "process" or .value[4] == "thread")
			and $s.strings[.value[1]] != "[exited]") | .key | select(. as $k | $used
			| index($k) | not)] == []' "$F"
"$R" export "$F" -o "$T/fold.folded" 2>>"$T/fold.err"
check "fold: the folded stacks still hold every sample" \
	test "$(folded_sum "$T/fold.folded" '')" = "$("$JQ" '.stacks.samples' "$F")"
check "fold: spin's samples come out under spin in the folded stacks" \
	test "$(folded_sum "$T/fold.folded" '^spin;')" -ge 100

done_testing
