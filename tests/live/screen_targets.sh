#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live screen on the targets other than a launched command, through tmux at 120x40, beside
# pagetouch touching 256 new pages every 50 ms (~5.1K page faults a second):
#   - `ringside` with no target, beside a second, heavier pagetouch (1024 pages every 20 ms,
#     ~51K faults a second, so that its share of the machine's samples stands out from whatever
#     else runs): the status line says system-wide and names the CPUs, the page-faults rate is at
#     least the heavy workload's, and its function `touch` comes up among the hottest functions by
#     total (t); q quits with 0;
#   - `ringside -p PID` of the running pagetouch: the status line names the PID, the rate is the
#     workload's (other processes' faults are not counted), `touch` is among the hottest
#     functions, and q quits with 0 leaving the process running (attaching never ends it);
#   - `ringside -p PID` of a PID that does not exist: one line naming it, exit 2;
#   - `ringside -F 100 -- true`, over before the first sample: the status line says there are no
#     samples and how long the command ran against one sampling period; q quits with 0.

. "$TESTLIB"
require_root
command -v tmux >/dev/null || skip_all "needs tmux"
make_tmpdir
cpu_lock

R=$RINGSIDE
PT=$WORKLOADS/pagetouch
NCPU=$(getconf _NPROCESSORS_ONLN)

# pf_rate: the page-faults row's rate in faults per second, the median of five readings 0.5 s
# apart (one slow interval on a loaded machine does not decide).
pf_rate() {
	for _ in 1 2 3 4 5; do
		screen_text | awk '$1 == "page-faults" {
			v = $2; sub(/\/s$/, "", v); m = 1
			if (v ~ /K$/) { m = 1e3; sub(/K$/, "", v) } else if (v ~ /M$/) { m = 1e6; sub(/M$/, "", v) }
			print v * m; exit }'
		sleep 0.5
	done | sort -n | sed -n 3p
}

"$PT" 256 --every 50 --for 60 >/dev/null 2>&1 &
wpid=$!
track $wpid

# --- system-wide
"$PT" 1024 --every 20 --for 60 >/dev/null 2>&1 &
hpid=$!
track $hpid
screen_start 120 40 "$R" -I 250 -e page-faults
check "system-wide: the status line says so and names the CPUs" \
	screen_wait "system-wide, CPUs 0(-$((NCPU - 1)))? " 10
check "system-wide: the page-faults row has a rate" screen_wait '^ page-faults +[0-9.]+K/s' 10
rate=$(pf_rate)
check "system-wide: page-faults $rate/s is at least the heavy workload's ~51K/s" \
	in_range "${rate:-0}" 35000 10000000
# pagetouch's time is in the kernel's page faults under touch: by self, touch ties with dozens of
# kernel functions at 0.0-0.1% (it made the 28 rows or not by chance); by total it holds them all.
# The light workload alone (~1% of one CPU) lost that race to CI's own load now and then.
screen_keys t
check "system-wide: ordered by total (t)" screen_wait 'hottest functions \(by total' 10
check "system-wide: the workload's touch is among the hottest functions" \
	screen_wait '% +touch +pagetouch' 10
screen_save "$T/system.txt"
screen_keys q
screen_exit_is 0 "system-wide: q quits with exit 0" 15
kill $hpid 2>/dev/null
wait $hpid 2>/dev/null

# --- attached to the running pagetouch
screen_start 120 40 "$R" -I 250 -e page-faults -p "$wpid"
check "-p: the status line names the PID" screen_wait "$wpid" 10
check "-p: the page-faults row has a rate" screen_wait '^ page-faults +[0-9.]+K/s' 10
rate=$(pf_rate)
check "-p: page-faults shows the workload's ~5.1K/s alone: $rate" in_range "${rate:-0}" 3500 6500
check "-p: touch is among the hottest functions" screen_wait '% +touch +pagetouch' 10
screen_save "$T/attach.txt"
screen_keys q
screen_exit_is 0 "-p: q quits with exit 0" 15
check "-p: the attached process still runs after ringside quit" kill -0 "$wpid"
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null

# --- a PID that does not exist: an error line before any screen
gone=999999
while kill -0 "$gone" 2>/dev/null; do gone=$((gone - 1)); done
screen_start 120 40 "$R" -p "$gone"
screen_exit_is 2 "-p of a missing PID: exit 2" 15
diag "-p $gone: $(cat "$T/screen.err")"
check "-p of a missing PID: one line naming the PID" \
	sh -c "[ \$(wc -l <'$T/screen.err') = 1 ] && grep -q '$gone' '$T/screen.err'"


# --- a command over before the first sample: the status line says why there are no samples
screen_start 120 40 "$R" -F 100 -- true
check "-- true: the status line says no samples, and how long it ran against one period" \
	screen_wait '^ no samples: the command \(true\) ran for [0-9]+\.[0-9] ms, shorter than one sampling period at 100 Hz' 10
check "-- true: the screen says the command exited" screen_wait 'the command exited' 10
screen_save "$T/true.txt"
screen_keys q
screen_exit_is 0 "-- true: q quits with exit 0" 15

done_testing
