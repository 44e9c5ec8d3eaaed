#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# DWARF unwinding (-g dwarf): the known call tree (tests/workloads/calltree.c) built as
# distributions build, -O2 -fomit-frame-pointer (calltree-nofp + libhot-nofp.so), profiled
# launched, attached and system-wide with `ringside record -F 999 -g dwarf`. Against the
# frame-pointer build profiled with -g fp in the same run (each profile holding >= 90% of the
# samples 999 Hz gives in the CPU time the workload got, see floor):
#   - every path is complete: >= 97% of the calltree-nofp samples go through main;a or worker,
#     and each leaf has its callers (main;a;b;b_leaf, main;a;c;c_inl;hot_mix, worker;w_spin);
#   - the shares main;a;b, main;a;c and main;a;b;b_leaf are within 5 points of the fp build's;
#   - kernel frames still sit after sys_heavy, "[truncated stack]" in <= 0.2%, <= 1% unnamed frames;
#   - -g fp on the same nofp binary loses the callers (fewer than half of its samples keep main
#     or worker; the difference is shown as diag).
# Then: libc without frame pointers (qsort's merge sort calling back cmp_u64, tests/workloads/
# libcsort.c) appears with its callers main;sort_round; a deep recursion (--depth 100) recorded
# with -g dwarf,512 ends in a "[truncated stack]" frame of kind "truncated" followed by the
# right frames, and is complete with the default 8 KiB copy (no stack through descend truncated);
# the snapshot says callgraph "dwarf";
# bad -g dwarf,SIZE values are refused.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree
NF=$WORKLOADS/calltree-nofp

# shares FILE: "B C LEAF" percentages (main;a;b and main;a;c of main;a, b_leaf of main;a;b).
shares() {
	_a=$(folded_sum "$1" ';main;a(;|$)')
	_b=$(folded_sum "$1" ';main;a;b(;|$)')
	_c=$(folded_sum "$1" ';main;a;c(;|$)')
	_l=$(folded_sum "$1" ';main;a;b;b_leaf(;|$)')
	echo "$(pct "$_b" "$_a") $(pct "$_c" "$_a") $(pct "$_l" "$_b")"
}

# complete FILE: the percentage of the samples whose path goes through main;a or worker.
complete() {
	pct "$(folded_sum "$1" ';main;a(;|$)|;worker(;|$)')" "$(folded_sum "$1" '')"
}

# within A B: |A - B| <= 5
within() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= 5) }'
}

# --- the reference: the frame-pointer build with -g fp
timeout 60 "$R" record -F 999 -g fp -o "$T/ref.folded" -- "$CT" 3 2>"$T/ref.err"
ok $? "reference: record -g fp -- calltree 3 exits 0"
folded_comm "$T/ref.folded" calltree >"$T/ref.ct"
set -- $(shares "$T/ref.ct")
ref_b=$1 ref_c=$2 ref_l=$3
diag "reference (fp build, -g fp): b $ref_b%, c $ref_c% of main;a; b_leaf $ref_l% of main;a;b"

# proc_cpu PID: the CPU time of process PID so far, in clock ticks (utime + stime of its stat).
proc_cpu() {
	awk '{ i = index($0, ") "); split(substr($0, i + 2), f, " "); print f[12] + f[13] }' \
		"/proc/$1/stat" 2>/dev/null
}

# watch_cpu PID FILE: until PID has exited (or 60 s), write its last CPU time in ticks to FILE;
# read at most ~50 ms before it ends, so it is short by at most that (a floor from it is lenient).
watch_cpu() {
	_i=0
	while [ $_i -lt 1200 ]; do
		_c=$(proc_cpu "$1")
		[ -n "$_c" ] || break
		echo "$_c" >"$2"
		sleep 0.05
		_i=$((_i + 1))
	done
}

# floor TICKS: 90% of the samples 999 Hz gives in TICKS of CPU time (rounded down). Measured
# here beside other work, samples per CPU second the workload got: launched 1004, attached 1019,
# system-wide 1009 (the kernel delivers the rate per CPU second, however busy the machine; the
# old floor, 1500 samples for 3 s of two threads, failed here under load with 1491).
floor() {
	awk -v t="${1:-0}" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%d\n", 0.9 * 999 * t / hz }'
}

# check_dwarf NAME FILE MIN: the dwarf checks on the calltree-nofp lines of folded FILE.
check_dwarf() {
	folded_comm "$2" calltree-nofp >"$T/$1.ct"
	all=$(folded_sum "$T/$1.ct" '')
	set -- "$1" "$2" "$3" $(shares "$T/$1.ct")
	diag "$1: $all samples; b $4%, c $5% of main;a; b_leaf $6% of main;a;b; complete $(complete "$T/$1.ct")%"
	check "$1: at least $3 calltree-nofp samples ($all), 90% of 999 Hz x its CPU time" \
		in_range "$all" "$(($3 > 500 ? $3 : 500))" 1e12
	check "$1: >= 97% of the paths are complete, through main;a or worker ($(complete "$T/$1.ct")%)" \
		in_range "$(complete "$T/$1.ct")" 97 100
	check "$1: main;a;b share $4% within 5 points of the fp build's $ref_b%" within "$4" "$ref_b"
	check "$1: main;a;c share $5% within 5 points of the fp build's $ref_c%" within "$5" "$ref_c"
	check "$1: b_leaf's share of main;a;b $6% within 5 points of the fp build's $ref_l%" \
		within "$6" "$ref_l"
	for leaf in 'main;a;b;b_leaf' 'main;a;c;c_inl;hot_mix' 'worker;w_spin'; do
		name=${leaf##*;}
		n=$(folded_sum "$T/$1.ct" ";$name\$")
		w=$(folded_sum "$T/$1.ct" ";$leaf\$")
		check "$1: the leaf $name has its callers $leaf in >= 98% of its samples ($w of $n)" \
			test $((w * 100)) -ge $((n * 98)) -a "$n" -gt 0
	done
	ks=$(folded_sum "$T/$1.ct" ';sys_heavy;.')
	check "$1: kernel frames after sys_heavy ($ks samples)" test "$ks" -gt 0
	tr=$(folded_sum "$T/$1.ct" '\[truncated stack\]')
	# At most 0.2%: a rare sample ends truncated (1 in 3037 was seen once under load), where the
	# kernel copied less than 8 KiB (a stack near its mapping's top) or the walk went astray.
	check "$1: [truncated stack] in at most 0.2% of the samples with the default 8 KiB copy ($tr of $all)" \
		test $((tr * 500)) -le "$all"
	unk=$(folded_sum "$T/$1.ct" '\[unknown\]|(calltree-nofp|libhot-nofp\.so)\+0x')
	check "$1: <= 1% of the samples have an unnamed frame: $unk" test $((unk * 100)) -le "$all"
}

# --- launched
# TIMED FILE CMD...: run CMD, then write the CPU time of the shell's children (`times`) to FILE.
TIMED='f=$1; shift; "$@"; rc=$?; times >"$f"; exit $rc'
timeout 60 "$R" record -F 999 -g dwarf -o "$T/launch.folded" -- sh -c "$TIMED" sh "$T/launch.cpu" \
	"$NF" 3 2>"$T/launch.err"
ok $? "record -F 999 -g dwarf -- calltree-nofp 3 exits 0"
# "0m5.910000s 0m0.040000s" (children's user, system) -> ticks
lticks=$(sed -n '2 { s/m/ /g; s/s//g; p }' "$T/launch.cpu" 2>/dev/null | awk -v hz="$(getconf CLK_TCK)" \
	'{ printf "%d\n", ($1 * 60 + $2 + $3 * 60 + $4) * hz }')
diag "launch: calltree-nofp got ${lticks:-?} ticks of CPU time"
check_dwarf launch "$T/launch.folded" "$(floor "$lticks")"

# --- -g fp on the same binary loses the callers
timeout 60 "$R" record -F 999 -g fp -o "$T/fp.folded" -- "$NF" 2 2>"$T/fp.err"
ok $? "record -g fp -- calltree-nofp 2 exits 0"
folded_comm "$T/fp.folded" calltree-nofp >"$T/fp.ct"
fpc=$(complete "$T/fp.ct")
diag "-g fp on calltree-nofp: $fpc% of the paths complete, against $(complete "$T/launch.ct")% with -g dwarf"
diag "-g fp on calltree-nofp, its top stacks: $(awk '{ print $NF, $0 }' "$T/fp.ct" | sort -nr |
	head -n 4 | cut -d' ' -f2- | tr '\n' ' ')"
check "-g fp on calltree-nofp keeps the callers of fewer than half of the samples ($fpc%)" \
	in_range "${fpc:-100}" 0 50

# --- attached to a calltree-nofp parked on a FIFO
mkfifo "$T/ct.fifo"
"$NF" 3 --wait-fifo "$T/ct.fifo" &
wpid=$!
track $wpid
start_bg "$T/attach.log" "$R" record -F 999 -g dwarf -o "$T/attach.folded" -p $wpid
rpid=$BG_PID
wait_for_line "$T/attach.log" '^ringside: recording ' 10 ||
	diag "attach: no 'ringside: recording' line within 10 s: $(cat "$T/attach.log")"
release_fifo "$T/ct.fifo"
watch_cpu $wpid "$T/attach.cpu"
wait_pid $wpid 30
wait_pid $rpid 30
ok $? "record -g dwarf -p PID: ends by itself when calltree-nofp exits, exit 0"
diag "attach: calltree-nofp got $(cat "$T/attach.cpu") ticks of CPU time"
check_dwarf attach "$T/attach.folded" "$(floor "$(cat "$T/attach.cpu")")"

# --- system-wide, calltree-nofp already running (its maps come from /proc at start)
"$NF" 4 &
wpid=$!
track $wpid
# Its maps are read from /proc at start: wait until it runs calltree-nofp (exec done, libhot mapped).
i=0
until grep -q libhot-nofp "/proc/$wpid/maps" 2>/dev/null || [ $i -ge 500 ]; do
	sleep 0.02
	i=$((i + 1))
done
start_bg "$T/system.err" "$R" record -F 999 -g dwarf --duration 3 -o "$T/system.folded"
rpid=$BG_PID
wait_for_line "$T/system.err" '^ringside: recording ' 30 || diag "system: no 'recording' line"
c0=$(proc_cpu $wpid)
# ringside stops sampling at 3 s, then writes; calltree-nofp's CPU time is read at the stop.
wait_for_line "$T/system.err" '^ringside: [0-9]* samples' 30 || diag "system: no summary line"
c1=$(proc_cpu $wpid)
wait_pid $rpid 60
ok $? "record -a -g dwarf --duration 3 exits 0"
wait_pid $wpid 30
diag "system: calltree-nofp got $((${c1:-0} - ${c0:-0})) ticks of CPU time while recorded"
# A sanitizer build's unwinder is several times slower: system-wide it keeps fewer samples.
check_dwarf system "$T/system.folded" "$(workload_n "$(floor $((${c1:-0} - ${c0:-0})))")"
diag "system: $(grep -E '^ringside: [0-9]+ samples' "$T/system.err")"
# The rings hold the stack copies while the unwinder keeps up: system-wide, nearly nothing is
# lost. Measured here beside other helpers' work: 0 lost of 5988 and of 5984 samples (the limit
# was 25% before; 71% were lost before the module fix). 2% leaves a loaded machine room to starve
# the reader for a moment; a sanitizer build unwinds several times slower, so it is let off.
sys_n=$(sed -n 's/^ringside: \([0-9]*\) samples, \([0-9]*\) lost.*/\1/p' "$T/system.err")
sys_l=$(sed -n 's/^ringside: \([0-9]*\) samples, \([0-9]*\) lost.*/\2/p' "$T/system.err")
if [ "${RINGSIDE_SANITIZED:-0}" = 1 ]; then
	skip "system: lost samples" "sanitizer build"
else
	check "system: at most 2% of the samples lost (${sys_l:-?} of ${sys_n:-?} + lost)" \
		awk -v n="${sys_n:-0}" -v l="${sys_l:-1}" 'BEGIN { exit !(n > 0 && l <= 0.02 * (n + l)) }'
fi

# --- libc without frame pointers, with its callers
timeout 60 "$R" record -F 999 -g dwarf -o "$T/libc.json" -- "$WORKLOADS/libcsort" 2 2>"$T/libc.err"
ok $? "record -g dwarf -o X.json -- libcsort 2 exits 0"
timeout 30 "$R" export "$T/libc.json" -o "$T/libc.folded" 2>>"$T/libc.err"
ok $? "export libc.json -o X.folded exits 0"
folded_comm "$T/libc.folded" libcsort >"$T/libc.ls"
n=$(folded_sum "$T/libc.ls" ';cmp_u64$')
w=$(folded_sum "$T/libc.ls" ';main;sort_round;[^;]+(;[^;]+)*;cmp_u64$')
check "libc: cmp_u64, called back from qsort, has main;sort_round;<libc frames> in >= 95% of its samples ($w of $n)" \
	test $((w * 100)) -ge $((n * 95)) -a "$n" -gt 100
# (In a sanitizer build the workload's qsort goes through libasan's interceptor first.)
# The user frames right below sort_round (kernel frames there are an interrupt or a fault in
# sort_round's own loop), weighed by samples: a rare odd unwind does not decide it.
lib_share=$("$JQ" -r '.stacks as $s | [$s.nodes | to_entries[]
		| select($s.strings[$s.frames[.value[1]][0]] == "sort_round") | .key] as $sr
		| [$s.nodes[] | select(.[0] as $p | $sr | index($p))
		| select($s.frames[.[1]][4] != "kernel")
		| [($s.frames[.[1]] | .[4] == "library" and ($s.strings[.[1]]
			| endswith("libc.so.6") or test("/libasan\\.so"))), .[3]]] as $c
		| "\([$c[] | select(.[0]) | .[1]] | add // 0) \([$c[] | .[1]] | add // 0)"' \
	"$T/libc.json" 2>/dev/null)
check "libc: >= 95% of the user samples below sort_round go through libc.so.6 library frames ($lib_share)" \
	awk -v l="${lib_share% *}" -v a="${lib_share#* }" 'BEGIN { exit !(a > 100 && l >= 0.95 * a) }'
ls=$(folded_sum "$T/libc.ls" ';main;sort_round(;|$)')
all=$(folded_sum "$T/libc.ls" '')
check "libc: >= 95% of libcsort's samples are under main;sort_round ($ls of $all)" \
	test $((ls * 100)) -ge $((all * 95)) -a "$all" -gt 0
check "snapshot: stacks.callgraph is \"dwarf\"" "$JQ" -e '.stacks.callgraph == "dwarf"' "$T/libc.json"
timeout 60 "$R" record -F 999 -g fp -o "$T/libcfp.folded" -- "$WORKLOADS/libcsort" 1 2>/dev/null
ok $? "record -g fp -- libcsort 1 exits 0"
folded_comm "$T/libcfp.folded" libcsort >"$T/libcfp.ls"
diag "libc: with -g fp, $(folded_sum "$T/libcfp.ls" ';main;sort_round(;|$)') of $(folded_sum "$T/libcfp.ls" '') samples are under main;sort_round ($ls of $all with -g dwarf)"

# --- a stack deeper than the copy: truncated, marked, never a wrong caller
timeout 60 "$R" record -F 999 -g dwarf,512 -o "$T/deep.json" -- "$NF" 2 --depth 100 2>"$T/deep.err"
ok $? "record -g dwarf,512 -- calltree-nofp 2 --depth 100 exits 0"
timeout 30 "$R" export "$T/deep.json" -o "$T/deep.folded" 2>>"$T/deep.err"
ok $? "export deep.json -o X.folded exits 0"
folded_comm "$T/deep.folded" calltree-nofp >"$T/deep.ct"
all=$(folded_sum "$T/deep.ct" '')
tr=$(folded_sum "$T/deep.ct" '^calltree-nofp;\[truncated stack\];descend;')
check "deep, 512 bytes: >= 95% of the samples start [truncated stack];descend ($tr of $all)" \
	test $((tr * 100)) -ge $((all * 95)) -a "$all" -gt 500
bad=$(folded_sum "$T/deep.ct" '\[truncated stack\];descend;.*;(main|worker|_start|clone3|start_thread)(;|$)')
check "deep, 512 bytes: no truncated stack claims an outer caller it could not see ($bad)" \
	test "$bad" -eq 0
check "deep, 512 bytes: the marker is a frame of kind \"truncated\"" \
	"$JQ" -e '.stacks as $s | [$s.frames[] | select($s.strings[.[0]] == "[truncated stack]")
		| .[4]] == ["truncated"]' "$T/deep.json"
timeout 60 "$R" record -F 999 -g dwarf -o "$T/deep8k.folded" -- "$NF" 2 --depth 100 2>/dev/null
ok $? "record -g dwarf -- calltree-nofp 2 --depth 100 exits 0"
folded_comm "$T/deep8k.folded" calltree-nofp >"$T/deep8k.ct"
dall=$(folded_sum "$T/deep8k.ct" '')
d100=$(printf ';descend%.0s' $(seq 100)) # mawk has no {n} intervals
dfull=$(folded_sum "$T/deep8k.ct" ";(main|worker)$d100;(a|w_round)(;|\$)")
check "deep, 8 KiB: >= 97% of the paths complete, main or worker then 100 descend frames ($dfull of $dall)" \
	test $((dfull * 100)) -ge $((dall * 97)) -a "$dall" -gt 500
# A sample in the first moments of the process (execve, ld.so) can come with no stack copied at
# all (dyn_size 0): it is marked truncated, rightly, about one run in three here. No deep stack is.
tdeep=$(folded_sum "$T/deep8k.ct" '\[truncated stack\];(.*;)?descend(;|$)')
tall=$(folded_sum "$T/deep8k.ct" '\[truncated stack\]')
check "deep, 8 KiB: no stack through descend is truncated ($tdeep)" test "$tdeep" -eq 0
check "deep, 8 KiB: at most 0.2% of the samples truncated at all ($tall of $dall)" \
	test $((tall * 500)) -le "$dall"

# --- bad sizes
for g in dwarf,0 dwarf,65536 dwarf,x dwarf, dwarf,8k; do
	"$R" record -g "$g" -o "$T/bad.folded" -- true 2>"$T/bad.err"
	rc=$?
	check "-g $g is refused with exit 2 and a message naming -g dwarf,SIZE (exit $rc)" \
		sh -c '[ "$1" = 2 ] && grep -q "dwarf,SIZE" "$2"' sh "$rc" "$T/bad.err"
done

done_testing
