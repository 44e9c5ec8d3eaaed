#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The journal and `ringside recover` (man ringside.1, "ringside recover"; ringside-stream(5)):
#   - record -I 250 -p PID of a steady pagetouch, killed with SIGKILL once its journal holds N
#     intervals: recover gives a snapshot of at least N - 1 intervals whose page-fault rate is
#     within 15 % of a clean recording of the same process over the same time, and whose stack tree
#     holds pagetouch's touch;
#   - the real journal cut at every byte offset of its last 4 KiB: recover never crashes (exit 0,
#     or 2 while the header is cut), and recovers no fewer intervals as the offset grows;
#   - a clean end leaves no journal; record again on the output of the killed one says a journal
#     was found and how to recover it, and leaves it as it was;
#   - SIGTERM, SIGINT and SIGHUP leave the snapshot, no journal and no temporary;
#   - recover of garbage, an empty file, a missing file, /dev/zero: one line, exit 2;
#   - the live screen with -o says so on its status line, and leaves that journal alone;
#   - view of a journal opens on the screen; export of one to .json and .folded works.

. "$TESTLIB"
require_root
make_tmpdir
# The CPU lock: beside sched.sh's pinned spinners (make -j2 check), the rates this compares
# between two recordings of a CPU-paced workload drifted apart (13 % once).
cpu_lock

R=$RINGSIDE
PT=$WORKLOADS/pagetouch
N=8

# intervals FILE: the commit lines in a journal.
intervals() {
	grep -c '^i ' "$1" 2>/dev/null || echo 0
}

# wait_intervals FILE N TIMEOUT_S: until the journal FILE holds N commit lines.
wait_intervals() {
	_wi=0
	while [ "$(intervals "$1")" -lt "$2" ]; do
		_wi=$((_wi + 1))
		[ "$_wi" -gt $(($3 * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# rate FILE EVENT: the event's count per second over the snapshot's intervals.
rate() {
	"$JQ" -r --arg n "$2" '[.events[] | select(.name == $n) | .series[]] as $s |
		([$s[].count[]] | add) / ($s[0].t[-1] / 1e9)' "$1" 2>/dev/null
}

# A steady workload: 100 fresh pages every 5 ms, ~20K page faults a second (until the end).
start_bg "$T/pt.err" "$PT" 100 --every 5 --for 600
PTPID=$BG_PID
sleep 0.3

# --- SIGKILL after N intervals, beside a clean recording of the same process
D=$T/k9
mkdir -p "$D" "$T/clean"
start_bg "$T/a.err" "$R" record -q -I 250 -e page-faults --no-sched -p "$PTPID" -o "$D/x.json"
A=$BG_PID
start_bg "$T/b.err" "$R" record -q -I 250 -e page-faults --no-sched -p "$PTPID" \
	--duration 4 -o "$T/clean/c.json"
B=$BG_PID
J=$D/.x.json.journal
wait_intervals "$J" $N 30 || diag "the journal has $(intervals "$J") intervals after 30 s"
kill -KILL "$A"
wait_pid "$A" 10
rc=$?
check "SIGKILL: ringside dies of it (exit $rc)" test "$rc" -eq 137
have=$(intervals "$J")
check "SIGKILL: the journal stays, with $have >= $N intervals" test "$have" -ge $N
check "SIGKILL: no snapshot was written" test ! -e "$D/x.json"
cp "$J" "$T/journal.copy"
wait_pid "$B" 30
rc=$?
check "the clean recording: exit 0 ($rc)" test "$rc" -eq 0
check "the clean end leaves no journal" \
	test -z "$(find "$T/clean" -name '*.journal')" -a -s "$T/clean/c.json"

# --- record again on the killed one's output: it says so and leaves that journal alone
"$R" record -q -I 250 -e page-faults --no-sched -p "$PTPID" --duration 0.6 \
	-o "$D/x.json" 2>"$T/again.err"
rc=$?
check "record again on x.json: exit 0 ($rc)" test "$rc" -eq 0
check "... says a journal of an unclean end was found, and how to recover it" \
	grep -q "^ringside: found the journal of a recording that ended uncleanly: ringside recover $J " \
	"$T/again.err"
diag "$(grep journal "$T/again.err")"
check "... leaves that journal as it was" cmp -s "$J" "$T/journal.copy"
check "... and removes its own (.x.json.2.journal)" test ! -e "$D/.x.json.2.journal"
rm -f "$D/x.json"

# --- recover
"$R" recover "$J" 2>"$T/recover.err"
rc=$?
diag "$(cat "$T/recover.err")"
check "recover: exit 0 ($rc)" test "$rc" -eq 0
check "recover: writes the output named by the journal, x.json" \
	"$JQ" -e '.format == "ringside-snapshot"' "$D/x.json"
got=$(jqv "$D/x.json" '.events[0].series[0].t | length')
check "recover: $got intervals >= N - 1 = $((N - 1))" test "${got:-0}" -ge $((N - 1))
check "recover: says what it recovered and what the tail lost" sh -c \
	'grep -q "^ringside: recovered $2 intervals, [0-9]* samples, [0-9.]* s from" "$1" &&
	 grep -q "^ringside: lost at the tail: " "$1"' sh "$T/recover.err" "$got"
check "recover: removes the journal once written" test ! -e "$J"
ra=$(rate "$D/x.json" page-faults)
rb=$(rate "$T/clean/c.json" page-faults)
# The two cover different spans of pagetouch (the first ~2.5 s, and 4 s): a neighbour that takes a
# CPU moves its pace between them (13 % here beside sched.sh's pinned spinners). A recovery that got
# the intervals or their times wrong is off by far more.
check "recover: page faults $ra/s, within 15 % of the clean recording's $rb/s" approx "$ra" "$rb" 15
"$R" export "$D/x.json" -o "$T/rec.folded" 2>"$T/rec.fold.err"
check "recover: the stack tree holds pagetouch's touch" grep -q ';touch' "$T/rec.folded"
check "recover: its samples add up to the stacks' count" sh -c \
	'test "$("$1" -r .stacks.samples "$2")" -gt 0' sh "$JQ" "$D/x.json"

# --- SIGTERM, SIGINT, SIGHUP: the snapshot, no journal, no temporary
for sig in TERM INT HUP; do
	S=$T/sig$sig
	mkdir "$S"
	start_bg "$T/sig.err" "$R" record -q -I 250 -e page-faults --no-sched -p "$PTPID" \
		-o "$S/s.json"
	P=$BG_PID
	wait_intervals "$S/.s.json.journal" 2 30 || diag "SIG$sig: no journal after 30 s"
	if [ $sig = TERM ]; then
		"$R" recover -o "$T/peek.json" "$S/.s.json.journal" 2>"$T/peek.err"
		rc=$?
		check "recover of a running recording's journal: exit 0 ($rc), the journal kept" \
			sh -c 'test "$1" -eq 0 && test -f "$2" && grep -q "kept the journal" "$3"' \
			sh "$rc" "$S/.s.json.journal" "$T/peek.err"
	fi
	kill -"$sig" "$P"
	wait_pid "$P" 20
	rc=$?
	check "SIG$sig: exit 0 ($rc), the snapshot written" \
		sh -c 'test "$1" -eq 0 && "$2" -e ".format == \"ringside-snapshot\"" "$3" >/dev/null' \
		sh "$rc" "$JQ" "$S/s.json"
	check "SIG$sig: nothing else left ($(ls -A "$S" | grep -v '^s.json$' | tr '\n' ' '))" \
		test "$(ls -A "$S")" = s.json
done

# --- the journal cut at every byte offset of its last 4 KiB
size=$(wc -c <"$T/journal.copy")
from=$((size > 4096 ? size - 4096 : 0))
last=-1 worst=ok crashed=0 bad=0 off=$from
while [ "$off" -le "$size" ]; do
	head -c "$off" "$T/journal.copy" >"$T/cut.journal"
	"$R" recover --keep -o "$T/cut.json" "$T/cut.journal" 2>"$T/cut.err"
	rc=$?
	if [ $rc -ge 128 ] || { [ $rc -ne 0 ] && [ $rc -ne 2 ]; }; then
		crashed=$((crashed + 1))
		worst="offset $off: exit $rc: $(head -n 2 "$T/cut.err")"
	elif [ $rc -eq 0 ]; then
		n=$(sed -n 's/^ringside: recovered \([0-9]*\) interval.*/\1/p' "$T/cut.err")
		if [ -z "$n" ] || [ "$n" -lt "$last" ]; then
			bad=$((bad + 1))
			worst="offset $off: $n intervals after $last"
		fi
		last=${n:-$last}
	fi
	off=$((off + 1))
done
check "cut at each of $((size - from + 1)) offsets: none crashed ($crashed; $worst)" \
	test $crashed -eq 0
check "cut: intervals never decrease as the offset grows, ending at $last ($bad; $worst)" \
	test $bad -eq 0 -a "$last" -eq "$(intervals "$T/journal.copy")"

# --- view and export of a journal
cp "$T/journal.copy" "$T/v.journal"
"$R" export "$T/v.journal" -o "$T/v.json" 2>"$T/vx.err"
rc=$?
check "export journal -o .json: exit 0 ($rc), a snapshot of $(intervals "$T/v.journal") intervals" \
	"$JQ" -e --argjson n "$(intervals "$T/v.journal")" \
	'.format == "ringside-snapshot" and (.events[0].series[0].t | length) == $n' "$T/v.json"
"$R" export "$T/v.journal" -o "$T/v.folded" 2>"$T/vf.err"
check "export journal -o .folded: pagetouch's touch is in it" grep -q ';touch' "$T/v.folded"
screen_start 120 40 "$R" view "$T/v.journal"
screen_wait 'page-faults' 10
check "view of a journal: the screen shows its event" screen_wait 'page-faults' 1
screen_keys q
check "view of a journal: q quits with 0" test "$(screen_exit 10)" = 0
screen_stop

# --- the live screen with -o says so too, on its status line
L=$T/live
mkdir "$L"
cp "$T/journal.copy" "$L/.l.json.journal"
screen_start 160 40 "$R" -I 250 -e task-clock --no-samples --no-sched -o "$L/l.json" -- \
	"$PT" 100 --every 50 --for 30
check "live screen: the status line names the journal and how to recover it" \
	screen_wait "found the journal of a recording that ended uncleanly: ringside recover" 15
sleep 1
screen_keys q
check "live screen: q quits with 0" test "$(screen_exit 10)" = 0
screen_stop
check "live screen: writes l.json, leaves the old journal as it was, removes its own" sh -c \
	'test -s "$1/l.json" && cmp -s "$1/.l.json.journal" "$2" && test ! -e "$1/.l.json.2.journal"' \
	sh "$L" "$T/journal.copy"

# --- bad journals: one line, exit 2
printf 'hello\nworld\n' >"$T/garbage.journal"
: >"$T/empty.journal"
head -n 3 "$T/journal.copy" >"$T/corrupt.journal"
echo 'n 999 0 1' >>"$T/corrupt.journal"
for f in "$T/garbage.journal" "$T/empty.journal" "$T/missing.journal" /dev/zero \
	"$T/corrupt.journal"; do
	timeout 10 "$R" recover "$f" 2>"$T/bad.err"
	rc=$?
	check "recover $(basename "$f"): exit 2 ($rc), one line: $(cat "$T/bad.err")" \
		test $rc -eq 2 -a "$(wc -l <"$T/bad.err")" -eq 1
done
check "recover of a corrupt line names it (line 4)" grep -q 'line 4' "$T/bad.err"

kill "$PTPID" 2>/dev/null
wait_pid "$PTPID" 10
done_testing
