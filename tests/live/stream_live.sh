#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# view - live (ringside-stream(5) read while it arrives), in tmux:
#   - record --stream -o - -p PID (calltree 60, started by the test) through a slow pipe (256-byte chunks, 5 ms apart: a
#     narrow link; no sshd is installed here, so not over ssh localhost) into view --view flame -:
#     the flame graph shows calltree's w_spin while the sender still runs, and the status line's
#     interval count grows between two looks, still while it runs;
#   - the sender killed with SIGKILL mid-stream: the viewer stays up, its status line says the
#     stream ended without its end line, the source field says "cut short"; s saves what arrived
#     (a page whose snapshot holds w_spin and the intervals shown); q quits with 0 and -o FILE
#     holds the same;
#   - a corrupt line after two whole intervals, the sender still connected: the screen says the
#     line's number, keeps the intervals before it, and q quits with 2;
#   - a stream whose sender ends cleanly: the status line says it ended, with its reason.

. "$TESTLIB"
require_root
command -v tmux >/dev/null || skip_all "needs tmux"
[ -n "$PYTHON3" ] || PYTHON3=$(command -v python3)
[ -n "$PYTHON3" ] || skip_all "needs python3 (the slow pipe)"
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree

# The slow pipe: stdin to stdout in 256-byte chunks, 5 ms apart (lines arrive cut in pieces).
cat >"$T/slowpipe.py" <<'EOF'
import os, sys, time
while True:
    b = os.read(0, 256)
    if not b:
        break
    os.write(1, b)
    time.sleep(0.005)
EOF

# intervals_shown: the interval count on the status line ("stdin: live, N intervals").
intervals_shown() {
	screen_text | sed -n 's/.*stdin: [a-z ]*, \([0-9][0-9]*\) interval.*/\1/p' | tail -n 1
}

# --- live, through the slow pipe; then the sender killed. The workload is the test's own (-p), so
# that killing its recorder leaves nothing behind that the test did not start.
start_bg "$T/ct.err" "$CT" 60
CTPID=$BG_PID
cat >"$T/live.sh" <<EOF
#!/bin/sh
sh -c 'echo \$\$ >"$T/sender.pid"; exec "$R" record -q --stream -o - -F 999 -g fp -p $CTPID' \
	2>"$T/sender.err" | "$PYTHON3" "$T/slowpipe.py" | "$R" view --view flame -o "$T/out.json" -
EOF
cd "$T" || exit 1
screen_start 120 40 sh "$T/live.sh"
screen_wait 'w_spin' 30
seen=$?
SENDER=$(cat "$T/sender.pid" 2>/dev/null)
alive=1
[ -n "$SENDER" ] && kill -0 "$SENDER" 2>/dev/null && alive=0
screen_save "$T/live1.txt"
check "view -: calltree's w_spin is on the screen" test "$seen" -eq 0
check "... while the sender still runs (pid $SENDER)" test "$alive" -eq 0
n1=$(intervals_shown)
sleep 3
n2=$(intervals_shown)
alive=1
kill -0 "$SENDER" 2>/dev/null && alive=0
check "the status line's intervals grow while the sender runs ($n1 -> $n2)" \
	sh -c 'test "${1:-0}" -ge 1 && test "${2:-0}" -gt "${1:-0}" && test "$3" -eq 0' sh \
	"$n1" "$n2" "$alive"
kill -KILL "$SENDER"
check "the sender killed: the status line says the stream ended without its end line" \
	screen_wait 'ended without its end line' 15
check "... the viewer stays up (its process runs)" sh -c \
	'test -n "$1" && kill -0 "$1"' sh "$(screen_child)"
check "... the source field says cut short" screen_wait 'stdin: cut short' 15
shown=$(intervals_shown)
screen_keys s
screen_wait 'saved ' 10
saved=$(screen_text | sed -n 's/.*saved \([^ ]*\.html\).*/\1/p' | head -n 1)
check "s saves what arrived ($saved)" test -n "$saved" -a -f "$T/${saved#./}"
"$R" export "$T/${saved#./}" -o "$T/saved.json" 2>/dev/null
check "... the saved page's snapshot has calltree's w_spin and the $shown intervals shown" \
	"$JQ" -e --argjson n "${shown:-0}" '(.stacks.strings | index("w_spin")) != null and
	 (.events[0].series[0].t | length) == $n and $n > 0' "$T/saved.json"
screen_keys q
check "q quits with 0" test "$(screen_exit 10)" = 0
check "... and -o wrote what arrived: w_spin and the $shown intervals shown" \
	"$JQ" -e --argjson n "${shown:-0}" '(.stacks.strings | index("w_spin")) != null and
	 (.events[0].series[0].t | length) == $n and $n > 0' "$T/out.json"
screen_stop
kill "$CTPID" 2>/dev/null
wait_pid "$CTPID" 10 >/dev/null

# --- a corrupt line after whole intervals, the sender still connected
"$R" record -q --stream --stream-text -o - -I 250 -F 999 -g fp -- "$CT" 1 >"$T/s.stream" 2>/dev/null
ok $? "record --stream --stream-text -o - -- calltree 1 >FILE exits 0"
K=$(grep -n '^i ' "$T/s.stream" | sed -n 2p | cut -d: -f1)
diag "the second commit line is line $K"
head -n "$K" "$T/s.stream" >"$T/bad.stream"
echo 'c 0 -1 1 2' >>"$T/bad.stream"
# (view - itself is the screen's command, its status the one checked; the sender holds the fifo)
mkfifo "$T/bad.fifo"
screen_start 120 40 sh -c '{ cat "$1"; sleep 20; } >"$3" & exec "$2" view - <"$3"' sh \
	"$T/bad.stream" "$R" "$T/bad.fifo"
check "a corrupt line: the screen names line $((K + 1))" \
	screen_wait "line $((K + 1)) is corrupt" 15
# The source field is in the status line, which the error message holds 5 s from its draw.
check "... and keeps the 2 intervals before it" screen_wait 'stdin: refused, 2 intervals' 15
screen_keys q
check "... q quits with 2" test "$(screen_exit 10)" = 2
screen_stop

# --- a clean end
# (one line: the screen's command is passed a line per argument)
V='"$1" record -q --stream -o - -F 999 -g fp -- "$2" 1 2>/dev/null | "$1" view -'
screen_start 120 40 sh -c "$V" sh "$R" "$CT"
check "a clean end: the status line says the stream ended (command exited)" \
	screen_wait 'stream ended \(command exited\)|stdin: ended' 20
screen_keys q
check "... q quits with 0" test "$(screen_exit 10)" = 0
screen_stop

done_testing
