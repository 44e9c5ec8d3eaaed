#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# JIT maps: tests/workloads/jitmap runs machine code from an anonymous mapping and names it in its
# own /tmp/perf-PID.map, as Python 3.12 -X perf and Node --perf-basic-prof do; one name,
# jit_late_loop, is appended to the map only at half time, so the map must be reread when it
# grows. `ringside record -g fp` must name all of them (folded output is plain text: the hostile
# name "<img src=x onerror=alert(1)>" appears verbatim), with the JIT code's caller jitmap_run
# above it, and mark them as JIT frames in the snapshot.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
JM=$WORKLOADS/jitmap
IMG='<img src=x onerror=alert(1)>'

"$JM" 0 >/dev/null 2>&1
[ $? -eq 3 ] && skip_all "jitmap's fake JIT code is x86-64 machine code"

timeout 60 "$R" record -F 999 -g fp -o "$T/jit.json" -- "$JM" 2 2>"$T/jit.err"
ok $? "record -g fp -o X.json -- jitmap 2 exits 0"
timeout 30 "$R" export "$T/jit.json" -o "$T/jit.folded" 2>"$T/export.err"
ok $? "export X.json -o X.folded exits 0"
folded_comm "$T/jit.folded" jitmap >"$T/jm"
diag "jitmap: $(folded_sum "$T/jm" '') samples; by function: $(folded_self "$T/jm" | head -n 5 |
	tr '\n' ',')"

check "jit_hot_loop is named, called from jitmap_run" \
	grep -q ';main;jitmap_run;jit_hot_loop [0-9]*$' "$T/jm"
check "the hostile name appears verbatim: $IMG" grep -qF ";$IMG " "$T/jm"
check "jit_cold_loop is named" grep -q ';jit_cold_loop [0-9]*$' "$T/jm"
check "jit_late_loop, added to the map at half time, is named (the map was reread)" \
	grep -q ';jit_late_loop [0-9]*$' "$T/jm"
hot=$(folded_sum "$T/jm" ';jit_hot_loop$')
cold=$(folded_sum "$T/jm" ';jit_cold_loop$')
check "jit_hot_loop has more samples than jit_cold_loop ($hot > $cold; 7 steps to 1)" \
	test "$hot" -gt "$cold"
check "no sample left in unnamed JIT code (an anon+0xOFF leaf)" \
	sh -c '! grep -Eq "anon[^;]*\+0x[0-9a-f]+ [0-9]+$" "$1"' sh "$T/jm"
check "snapshot: the four JIT names are FRAME_JIT frames" \
	"$JQ" -e --arg img "$IMG" '.stacks as $s | [$s.frames[] | select(.[4] == "jit")
		| $s.strings[.[0]]] | unique as $j
		| ["jit_hot_loop", "jit_cold_loop", "jit_late_loop", $img] - $j == []' "$T/jit.json"
# The PID is the one ringside's snapshot names (a number, not "" that would make the test vacuous):
# ringside read that map while jitmap ran, and it is gone now.
jpid=$(jqv "$T/jit.json" '.meta.target.pids[0] // empty')
check "the snapshot names jitmap's PID ($jpid), and its /tmp/perf-PID.map is gone after its exit" \
	sh -c 'case $1 in "" | *[!0-9]*) exit 1 ;; esac; test "$1" -gt 0 && test ! -e "/tmp/perf-$1.map"' \
	sh "$jpid"

done_testing
