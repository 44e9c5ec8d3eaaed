#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Faults during a recording: the disk fills while the snapshot is written (a 64 KiB tmpfs), the
# descriptor limit is below what events x CPUs need, the rings overflow while ringside is stopped,
# the target exits mid-run, a CPU goes offline (system-wide; a launched command started while it
# was offline; each said as it happens, on stderr or the live screen's status line); and the
# output's safety: mode 0600, a symlink at the destination is replaced, never followed; the live
# screen's log of a launched command's output is a new file of a random name, never a planted one.
# Each gives a clear message, keeps what was recorded and leaves no partial file behind.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS

# --- the disk fills while writing: one-line error, rescue copy elsewhere, nothing left in the dir.
# The rescue copy is a new file of a random name: a symlink planted at the name ringside once used
# (ringside-rescue-PID.json; sh's exec keeps the PID) is neither followed nor replaced.
mkdir "$T/full" "$T/resc"
echo precious >"$T/resc-victim"
if mount -t tmpfs -o size=64k ringside-faults "$T/full" 2>"$T/mount.err"; then
	# Leave 4 KiB free whatever the machine is doing: any snapshot with samples is larger.
	head -c 61440 /dev/zero >"$T/full/filler" 2>/dev/null
	umask 022
	TMPDIR=$T/resc timeout 30 sh -c 'ln -s "$1" "$TMPDIR/ringside-rescue-$$.json"; shift; exec "$@"' \
		sh "$T/resc-victim" "$R" record -a --duration 2 -o "$T/full/out.json" \
		>/dev/null 2>"$T/full.err"
	rc=$?
	check "full disk: exit 1 (got $rc)" test $rc -eq 1
	check "full disk: one error line naming the file, the cause and the rescue copy" \
		grep -q "^ringside: cannot write '$T/full/out.json': No space left on device;.*saved to $T/resc/ringside-rescue-[A-Za-z0-9]\{6\}\.json instead" "$T/full.err"
	diag "$(grep -v '^ringside: recording' "$T/full.err")"
	check "full disk: no partial or temporary file left in the full directory" \
		test "$(ls -A "$T/full")" = filler
	rescue=$(sed -n 's/.*saved to \(.*\) instead$/\1/p' "$T/full.err")
	check "full disk: the rescue copy is a complete snapshot with samples, mode 0600" \
		sh -c '[ -f "$1" ] && [ ! -L "$1" ] && [ "$(stat -c %a "$1")" = 600 ] &&
		[ "$("$2" -r ".stacks.samples > 0" "$1")" = true ]' sh "$rescue" "$JQ"
	check "full disk: the symlink planted at the old rescue name is still there, its target untouched" \
		sh -c 'test "$(readlink "$1")" = "$2" && test "$(cat "$2")" = precious' \
		sh "$(find "$T/resc" -type l -name 'ringside-rescue-*.json')" "$T/resc-victim"
	umount "$T/full"
else
	skip "full disk" "cannot mount a tmpfs here: $(cat "$T/mount.err")"
fi

# --- too few descriptors for events x CPUs: record with what opens, and say so
(ulimit -n 30 && exec timeout 30 "$R" record -a --duration 1 -o "$T/fd.json") >/dev/null \
	2>"$T/fd.err"
rc=$?
diag "$(grep -v '^ringside: recording\|^ \|^$' "$T/fd.err")"
check "ulimit -n 30: exit 0 with what opened (got $rc)" test $rc -eq 0
check "ulimit -n 30: says what was left out, naming the limit and ulimit -n" \
	grep -q '^ringside: .*(ulimit -n is 30).*raise the limit with ulimit -n' "$T/fd.err"
check "ulimit -n 30: the snapshot has counters and samples" \
	sh -c '[ "$("$2" -r "(.events | length) > 0 and .stacks.samples > 0" "$1")" = true ]' \
	sh "$T/fd.json" "$JQ"
(ulimit -n 12 && exec timeout 30 "$R" record -a --duration 1 -o "$T/fd2.json") >/dev/null \
	2>"$T/fd2.err"
rc=$?
diag "$(cat "$T/fd2.err")"
check "ulimit -n 12: exit 1 (got $rc), one line naming the limit and the fix" sh -c '
	test "$1" -eq 1 && test "$(wc -l < "$2")" -eq 1 &&
	grep -q "^ringside: out of file descriptors (ulimit -n is 12).*ulimit -n" "$2"' sh $rc "$T/fd2.err"
check "ulimit -n 12: no file and no temporary left" \
	sh -c 'test -z "$(ls -A "$1" | grep "fd2\.json")"' sh "$T"

# --- the rings overflow: ringside is stopped (SIGSTOP) for 2 s while two busy threads are sampled
# at 20 kHz with call stacks, so the kernel fills its 512 KiB rings (no scheduler timeline: its
# rings would be larger) and counts what it drops. LOST is counted, reported with the same number
# as the snapshot's, and the snapshot is still complete.
start_bg "$T/hi.err" "$R" record -a -F 20000 -g fp --no-sched -o "$T/hi.json" -- \
	"$W/spin" 4 --threads 2
hpid=$BG_PID
wait_for_line "$T/hi.err" '^ringside: recording ' 10 || diag "overflow: no 'recording' line"
sleep 0.5
kill -STOP $hpid
sleep 2
kill -CONT $hpid
wait_pid $hpid 60
rc=$?
check "stopped for 2 s at -F 20000: the run completes (exit $rc)" test $rc -eq 0
samples=$(jqv "$T/hi.json" .stacks.samples)
lost=$(jqv "$T/hi.json" .stacks.lost)
diag "overflow: $samples samples, $lost lost, $(jqv "$T/hi.json" .stacks.throttled) throttled"
check "stopped for 2 s: the snapshot counts lost records ($lost)" test "${lost:-0}" -gt 0
check "... the summary's counts are the snapshot's ($samples samples, $lost lost)" \
	grep -q "^ringside: $samples samples, $lost lost$" "$T/hi.err"
check "... and a warning names the same loss" \
	grep -q "^ringside: warning: $lost records lost, " "$T/hi.err"
check "... the snapshot is complete: it reads back, its samples and counters are there" sh -c '
	"$1" export "$2" -o "$3" && "$4" -e "
		.meta.end_reason == \"command exited\" and .stacks.samples > 0 and
		(.stacks.nodes | length) > 1 and
		([.events[].series[].count | length] | min) > 0" "$2" >/dev/null' \
	sh "$R" "$T/hi.json" "$T/hi-again.json" "$JQ"

# --- the target exits mid-run (-p): ends at once with its data (errors.sh checks the counts)
# Long enough to outlast ringside's start (~0.5 s here, more on a loaded machine).
"$W/spin" 2 &
wpid=$!
track $wpid
start_bg "$T/gone.err" "$R" record -q -I 100 --duration 20 -o "$T/gone.json" -p $wpid
rpid=$BG_PID
wait_pid $rpid 15
rc=$?
check "-p PID that exits mid-run: exit 0 before the duration (got $rc)" test $rc -eq 0
check "... end_reason \"processes exited\" and its samples kept" sh -c '
	[ "$("$2" -r ".meta.end_reason == \"processes exited\" and .stacks.samples > 100" "$1")" = true ]' \
	sh "$T/gone.json" "$JQ"

# --- a CPU goes offline during a system-wide recording: it goes on and says so
online=/sys/devices/system/cpu/cpu1/online
if [ -w "$online" ] && [ "$(cat "$online")" = 1 ]; then
	trap 'echo 1 > '"$online"' 2>/dev/null; _tap_cleanup' EXIT
	start_bg "$T/off.err" timeout 30 "$R" record -a -I 100 --duration 3 -o "$T/off.json"
	opid=$BG_PID
	wait_for_line "$T/off.err" '^ringside: recording ' 10
	sleep 0.8
	if echo 0 >"$online" 2>"$T/offline.err"; then
		sleep 1
		echo 1 >"$online"
		wait_pid $opid 30
		rc=$?
		check "CPU 1 offline for 1 s: the recording completes (exit $rc)" test $rc -eq 0
		check "... and says CPU 1 went offline, and came back" sh -c '
			grep -q "^ringside: CPU 1 went offline at .*the other CPUs still are" "$1" &&
			grep -q "^ringside: CPU 1 is back online" "$1"' sh "$T/off.err"
		check "... the snapshot has the samples of the whole run" \
			sh -c '[ "$("$2" -r ".stacks.samples > 2000" "$1")" = true ]' sh "$T/off.json" "$JQ"
		# A launched command started while CPU 1 is offline has no sampling event there: when
		# CPU 1 comes back, ringside says its samples there are missing, and goes on.
		echo 0 >"$online"
		start_bg "$T/late.err" timeout 30 "$R" record -I 100 --duration 3 -o "$T/late.json" -- \
			"$W/spin" 3 --threads 2
		lpid=$BG_PID
		wait_for_line "$T/late.err" '^ringside: recording ' 10
		echo 1 >"$online"
		wait_pid $lpid 30
		rc=$?
		check "command started with CPU 1 offline: the recording completes (exit $rc)" \
			test $rc -eq 0
		check "... and says CPU 1 came online after the start, with no samples on it" \
			grep -q "^ringside: CPU 1 came online at .*no samples are taken on it" "$T/late.err"
		check "... the snapshot has its samples on CPU 0" \
			sh -c '[ "$("$2" -r ".stacks.samples > 500" "$1")" = true ]' sh "$T/late.json" "$JQ"
		# The live screen says so on its status line as it happens, not only at start-up.
		if command -v tmux >/dev/null; then
			screen_start 100 30 "$R" -a -I 250 -e task-clock
			trap 'echo 1 > '"$online"' 2>/dev/null; _screen_cleanup' EXIT
			screen_wait '1 Overview' 10
			echo 0 >"$online"
			check "live, CPU 1 offline: the status line says so" \
				screen_wait 'CPU 1 went offline at' 10
			echo 1 >"$online"
			check "live, CPU 1 back: the status line says so once the other expired" \
				screen_wait 'CPU 1 is back online at' 15
			screen_keys q
			check "live: q quits with 0 after the CPU came back" test "$(screen_exit 10)" = 0
		else
			skip "live CPU offline" "needs tmux"
		fi
	else
		wait_pid $opid 30
		skip "CPU offline" "the kernel refuses to take CPU 1 offline: $(cat "$T/offline.err")"
	fi
	echo 1 >"$online" 2>/dev/null
else
	skip "CPU offline" "$online is not writable here (CPU 1 cannot go offline)"
fi

# --- a CPU that goes offline between reading the online CPUs and opening the events on it: the
# sampling event's open fails with ENODEV (strace injects it on the first one) and ringside reads the
# online CPUs again, rather than giving up. LeakSanitizer cannot run under ptrace.
if command -v strace >/dev/null 2>&1; then
	nl=ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	env "$nl" strace -o "$T/nd0.strace" -e trace=perf_event_open "$R" record -q -e task-clock \
		--no-sched -o "$T/nd0.json" -- "$W/spin" 1 2>/dev/null
	status_is 0 $? "record under strace (to count the opens) exits 0"
	n=$(grep -n 'PERF_COUNT_SW_CPU_CLOCK' "$T/nd0.strace" | head -n 1 | cut -d: -f1)
	env "$nl" strace -o "$T/nd.strace" -e trace=perf_event_open \
		-e inject=perf_event_open:error=ENODEV:when="${n:-1}" "$R" record -q -e task-clock \
		--no-sched -o "$T/nd.json" -- "$W/spin" 1 2>"$T/nd.err"
	rc=$?
	check "ENODEV on the sampling event's first open (call ${n:-none}): injected" \
		grep -q 'ENODEV.*(INJECTED)' "$T/nd.strace"
	check "... ringside reads the CPUs again and records (exit $rc)" test "$rc" -eq 0
	check "... the snapshot has the samples" \
		sh -c '[ "$("$2" -r ".stacks.samples > 500" "$1")" = true ]' sh "$T/nd.json" "$JQ"
else
	skip "ENODEV at start" "strace is not installed"
fi

# --- the output: mode 0600 unless --file-mode; a symlink at the destination is replaced, its target untouched;
# the temporary is created with O_EXCL (never through a planted symlink)
echo precious >"$T/victim"
ln -s "$T/victim" "$T/link.json"
umask 022
"$R" record -q -e task-clock -o "$T/link.json" -- true 2>"$T/link.err"
status_is 0 $? "record -o over a symlink exits 0"
check "output mode is 0600 (umask 022)" test "$(stat -c %a "$T/link.json")" = 600
check "a symlink at the destination is replaced by the file" test ! -L "$T/link.json" -a -f "$T/link.json"
check "... and the file it pointed to is untouched" test "$(cat "$T/victim")" = precious
# --file-mode: the bits asked for, exactly (not masked by the umask), for record and export
umask 077
"$R" record -q -e task-clock --file-mode 644 -o "$T/shared.json" -- true 2>"$T/shared.err"
status_is 0 $? "record --file-mode 644 exits 0"
check "record --file-mode 644 (umask 077): the snapshot is 0644" \
	test "$(stat -c %a "$T/shared.json" 2>/dev/null)" = 644
"$R" export --file-mode 0640 "$T/shared.json" -o "$T/shared.html" 2>>"$T/shared.err"
status_is 0 $? "export --file-mode 0640 exits 0"
check "export --file-mode 0640: the page is 0640" \
	test "$(stat -c %a "$T/shared.html" 2>/dev/null)" = 640
"$R" export "$T/shared.json" -o "$T/private.folded" 2>>"$T/shared.err"
status_is 0 $? "export without --file-mode exits 0"
check "export without --file-mode: 0600" test "$(stat -c %a "$T/private.folded" 2>/dev/null)" = 600
umask 022
if command -v strace >/dev/null 2>&1; then
	# LeakSanitizer cannot run under ptrace: without detect_leaks=0 a sanitizer build exits 1.
	env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=openat -o "$T/strace.out" "$R" record -q -e task-clock -o "$T/s.json" \
		-- true 2>"$T/strace.err"
	status_is 0 $? "record under strace exits 0" || diag "$(tail -n 3 "$T/strace.err")"
	check "the temporary is opened O_CREAT|O_EXCL, mode 0600" \
		grep -q "\.s\.json\.[A-Za-z0-9]\{6\}\", O_RDWR|O_CREAT|O_EXCL.*0600" "$T/strace.out"
else
	skip "temporary opened with O_EXCL" "strace is not installed"
fi

# --- the live screen's log of a launched command's output: a new file of a random name, created
# with O_EXCL and mode 0600 by ringside itself; a symlink planted at the name ringside once used
# (ringside-command-PID.log: sh's exec keeps the PID) stays as it is, and its target untouched
mkdir "$T/logdir"
echo precious >"$T/victim2"
cat >"$T/plant.sh" <<'PLANT_EOF'
#!/bin/sh
ln -s "$VICTIM" "$TMPDIR/ringside-command-$$.log"
exec "$@"
PLANT_EOF
strace=
command -v strace >/dev/null 2>&1 && strace="strace -f -e trace=openat -o $T/strace-log.out"
# LeakSanitizer cannot run under ptrace: a sanitizer build would end with its fatal error.
[ -n "$strace" ] && strace="env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 $strace"
umask 022
screen_start 120 40 $strace env TMPDIR="$T/logdir" VICTIM="$T/victim2" sh "$T/plant.sh" \
	"$R" -e task-clock -- /bin/echo "hello from the command"
screen_wait 'the command exited' 20 || diag "live log: no end banner: $(screen_text | tail -n 3)"
screen_keys q
screen_exit_is 0 "live -- echo: exit 0"
logs=$(find "$T/logdir" -type f -name 'ringside-command-*.log')
diag "live log: $(ls -l "$T/logdir" | tail -n +2 | tr '\n' ' ')"
check "live -- echo: one new log file, named ringside-command-XXXXXX.log" \
	sh -c '[ "$(echo "$1" | wc -l)" -eq 1 ] && echo "$1" | grep -q "/ringside-command-[A-Za-z0-9]\{6\}\.log$"' \
	sh "$logs"
check "... holding the command's output (a stdout record)" grep -qx "o hello from the command" "$logs"
check "... mode 0600 (umask 022)" test "$(stat -c %a "$logs")" = 600
check "... and named on stderr once the screen closed" \
	grep -qF "ringside: the command's output is in $logs" "$T/screen.err"
# Guarded by what ringside wrote beside the planted link: had it not run, or run elsewhere, its
# own log would not be there.
check "the symlink planted at the old name is still there, its target untouched, ringside's log beside it" sh -c '
	test "$(readlink "$1")" = "$2" && test "$(cat "$2")" = precious &&
	test "$(dirname "$1")" = "$(dirname "$3")" && grep -qx "o hello from the command" "$3"' \
	sh "$(find "$T/logdir" -type l -name 'ringside-command-*.log')" "$T/victim2" "$logs"
if [ -n "$strace" ]; then
	check "the log is opened O_CREAT|O_EXCL, mode 0600, and by ringside only" sh -c '
		grep -q "ringside-command-[A-Za-z0-9]\{6\}\.log\", O_RDWR|O_CREAT|O_EXCL.*0600" "$1" &&
		test "$(grep -c "ringside-command-" "$1")" -eq 1' sh "$T/strace-log.out"
else
	skip "the log opened with O_EXCL" "strace is not installed"
fi

# --- under sudo, the log is the invoking user's (the command runs as them and they read it)
mkdir "$T/sudolog"
screen_start 120 40 env TMPDIR="$T/sudolog" SUDO_UID=65534 SUDO_GID=65534 SUDO_USER=nobody \
	"$R" -e task-clock -- /usr/bin/id -u
screen_wait 'the command exited' 20 || diag "sudo log: no end banner: $(screen_text | tail -n 3)"
screen_keys q
rc=$(screen_exit 10)
log=$(find "$T/sudolog" -type f -name 'ringside-command-*.log')
check "live under SUDO_UID=65534: exit 0 (got $rc), the log owned by 65534:65534, mode 0600" \
	sh -c 'test "$1" = 0 && test "$(stat -c %u:%g:%a "$2")" = 65534:65534:600' sh "$rc" "$log"
check "... holding the output of id -u run as that user" grep -qx "o 65534" "$log"

done_testing
