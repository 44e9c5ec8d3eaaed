#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ringside's own priority (--nice, ringside(1)): as root it raises itself to nice -5 by default, so
# that it drains its rings on an overloaded machine (tests/live/sched_perf.sh's lost records);
# a launched command keeps the caller's priority (the command reports its own nice value from
# /proc/self/stat); --nice N sets ringside's to N either way; --nice out of -20..19 and --nice in
# view are refused with exit 2. The live screen takes --nice too (seen in /proc while it runs).

. "$TESTLIB"
require_root
make_tmpdir

R=$RINGSIDE

# nice_of PID: field 19 of /proc/PID/stat (the comm, field 2, has no spaces here).
nice_of() {
	cut -d' ' -f19 "/proc/$1/stat" 2>/dev/null
}

# A command that waits for ringside to start counting, then reports its nice value.
CMD='sleep 0.5; cut -d" " -f19 /proc/self/stat >"$1/child.nice"; sleep 1.5'

start_bg "$T/rec.err" "$R" record -q --no-save --duration 3 -o "$T/a.json" -- sh -c "$CMD" sh "$T"
rpid=$BG_PID
sleep 1
got=$(nice_of $rpid)
wait_pid $rpid 30
ok $? "record -- COMMAND exits 0"
check "record runs at nice -5 by default as root (saw '$got')" test "$got" = -5
check "the launched command keeps the caller's nice 0 (saw '$(cat "$T/child.nice")')" \
	test "$(cat "$T/child.nice")" = 0

start_bg "$T/rec2.err" "$R" record -q --no-save --nice 6 --duration 2 -o "$T/b.json"
rpid=$BG_PID
sleep 1
got=$(nice_of $rpid)
wait_pid $rpid 30
ok $? "record --nice 6 exits 0"
check "--nice 6 lowers ringside to 6 (saw '$got')" test "$got" = 6

"$R" record --no-save --nice 30 -o "$T/c.json" -- true 2>"$T/nice30.err"
status_is 2 $? "--nice 30 is refused"
check "... in one line that gives the range" sh -c \
	'[ "$(wc -l <"$1")" -eq 1 ] && grep -q "from -20 to 19" "$1"' sh "$T/nice30.err"
expect_status 2 "--nice abc is refused" "$R" record --no-save --nice abc -o "$T/c.json" -- true
"$R" record -q --no-save --duration 1 -o "$T/v.json" >/dev/null 2>&1
expect_status 2 "view --nice is refused" "$R" view --nice 3 "$T/v.json"

if command -v tmux >/dev/null 2>&1; then
	screen_start 100 30 "$R" --nice -7 -- sleep 30
	screen_wait 'sleep' 10
	ok $? "the live screen starts with --nice -7"
	lpid=$(pgrep -P "$(screen_pid)" | head -n 1)
	got=$(nice_of "$lpid")
	check "the live screen runs at nice -7 (saw '$got')" test "$got" = -7
	screen_keys q
	screen_exit_is 0 "the live screen quits with q"
else
	skip "the live screen's priority" "tmux is not installed"
fi

done_testing
