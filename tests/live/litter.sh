#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Temporary outputs never litter (man ringside.1, FILES: dir/.ringside.NAME.XXXXXX):
#   - record -o X.json killed with SIGKILL leaves its one temporary; the next record -o X.json
#     removes it and writes X.json, while the temporary of another ringside still recording to
#     X.json (its lock held) stays, and so do the user's files of similar names (.X.json.backup,
#     .X.json.abc123 of the old temporaries' shape, .ringside.X.json.notours, a symlink of the
#     temporaries' shape), unchanged;
#   - SIGTERM, SIGHUP and SIGINT end record with exit 0, the output written and no temporary left;
#   - an error exit leaves nothing;
#   - the live screen with -o: SIGSEGV leaves no temporary (it dies of the signal; its journal
#     stays, for ringside recover), SIGKILL leaves
#     one that the next record to the same output removes.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
PT=$WORKLOADS/pagetouch
# Cheap recordings: one software counter system-wide, no samples, no scheduler timeline.
REC="record -a -I 250 -e task-clock --no-samples --no-sched"

# tmps DIR: the names of ringside's temporaries in DIR (regular files), one a line.
tmps() {
	find "$1" -maxdepth 1 -type f -name '.ringside.*' | sed 's|.*/||' |
		grep -E '^\.ringside\..*\.[A-Za-z0-9]{6}$'
}

# wait_file FILE: FILE exists within 10 s.
wait_file() {
	_wf=0
	while [ ! -e "$1" ] && [ $_wf -lt 50 ]; do
		sleep 0.2
		_wf=$((_wf + 1))
	done
	test -e "$1"
}

# snapshot_ok FILE: FILE is a snapshot with at least one interval.
snapshot_ok() {
	"$JQ" -e '.format == "ringside-snapshot" and (.events[0].series[0].t | length) >= 1' "$1" >/dev/null
}

# start_rec NAME OUT: record to OUT in the background (stderr to $T/NAME.err) until it says it is
# recording; sets BG_PID.
start_rec() {
	# shellcheck disable=SC2086
	start_bg "$T/$1.err" "$R" $REC -o "$2"
	wait_for_line "$T/$1.err" "^ringside: recording" 15 ||
		diag "$1: not recording after 15 s: $(cat "$T/$1.err")"
}

# --- SIGKILL, then the next run, with a live writer and decoys beside
D=$T/k9
mkdir "$D"
echo backup >"$D/.x.json.backup"
echo abc >"$D/.x.json.abc123"
echo mine >"$D/.ringside.x.json.notours"
ln -s .x.json.backup "$D/.ringside.x.json.Sym123"
start_rec k9 "$D/x.json"
k9=$BG_PID
k9_tmp=$(tmps "$D")
check "SIGKILL: a recording has its one temporary ($k9_tmp)" test "$(tmps "$D" | wc -l)" -eq 1
# A second ringside recording to the same output, still alive when the next run starts.
start_rec live "$D/x.json"
live=$BG_PID
live_tmp=$(tmps "$D" | grep -vxF "$k9_tmp")
check "SIGKILL: a second writer has its own temporary ($live_tmp)" \
	test "$(tmps "$D" | wc -l)" -eq 2 -a -n "$live_tmp"
sleep 1.5 # a few intervals recorded
check "SIGKILL: sent to the first writer, still running" kill -KILL "$k9"
wait_pid "$k9" 10
rc=$?
check "SIGKILL: ringside dies of it (exit $rc)" test "$rc" -eq 137
check "SIGKILL: its temporary is left, no output" \
	test -f "$D/$k9_tmp" -a ! -e "$D/x.json"
# shellcheck disable=SC2086
timeout 30 "$R" $REC -q --duration 1 -o "$D/x.json" 2>"$T/next.err"
rc=$?
check "the next record -o x.json: exit 0 ($rc)" test "$rc" -eq 0
check "... writes x.json" snapshot_ok "$D/x.json"
check "... removes the dead writer's temporary" test ! -e "$D/$k9_tmp"
check "... keeps the live writer's temporary" test -f "$D/$live_tmp"
check "... keeps only that temporary" test "$(tmps "$D")" = "$live_tmp"
check "... keeps the user's files, unchanged" sh -c '
	test "$(cat "$1/.x.json.backup")" = backup && test "$(cat "$1/.x.json.abc123")" = abc &&
	test "$(cat "$1/.ringside.x.json.notours")" = mine &&
	test "$(readlink "$1/.ringside.x.json.Sym123")" = .x.json.backup' sh "$D"
rm -f "$D/x.json"
kill -TERM "$live"
wait_pid "$live" 20
rc=$?
check "the live writer, stopped by SIGTERM: exit 0 ($rc)" test "$rc" -eq 0
check "... writes x.json" snapshot_ok "$D/x.json"
check "... leaves no temporary" test -z "$(tmps "$D")"
check "... and the directory holds x.json, the user's four files and the killed one's journal" \
	test "$(ls -A "$D" | wc -l)" -eq 6 -a -f "$D/.x.json.journal"
diag "left in $D: $(ls -A "$D" | tr '\n' ' ')"

# --- the stop signals: the output written as ever, no temporary
for sig in TERM HUP INT; do
	D=$T/sig$sig
	mkdir "$D"
	start_rec "sig$sig" "$D/s.json"
	sleep 1.5 # a few intervals recorded
	check "SIG$sig: sent to the recording ringside" kill -"$sig" "$BG_PID"
	wait_pid "$BG_PID" 20
	rc=$?
	check "SIG$sig: exit 0 ($rc)" test "$rc" -eq 0
	check "SIG$sig: the output is written" snapshot_ok "$D/s.json"
	check "SIG$sig: nothing else is left" test "$(ls -A "$D")" = s.json
done

# --- an error exit: a PID that does not exist
D=$T/err
mkdir "$D"
true &
gone=$!
wait $gone
timeout 30 "$R" record -p "$gone" -o "$D/e.json" 2>"$T/err.err"
rc=$?
check "an error (PID $gone gone): exit 2 ($rc)" test "$rc" -eq 2
check "an error: nothing is left" test -z "$(ls -A "$D")"

# --- the live screen with -o
if command -v tmux >/dev/null; then
	D=$T/screen
	mkdir "$D"
	screen_start 100 30 "$R" -I 250 -e task-clock -o "$D/l.json" -- "$PT" 256 --every 50 --for 60
	screen_wait ' samples ' 10 || diag "live screen: no status line: $(screen_text | tail -n 1)"
	check "live screen: a temporary while it runs" test "$(tmps "$D" | wc -l)" -eq 1
	check "live screen: the journal is there after the first interval" wait_file "$D/.l.json.journal"
	screen_kill SEGV "live screen"
	screen_exit_is SEGV "live screen, SIGSEGV: ringside dies of it"
	# A crash leaves the journal (ringside recover), nothing else.
	check "live screen, SIGSEGV: no temporary is left, only the journal" \
		test "$(ls -A "$D")" = .l.json.journal
	rm -f "$D/.l.json.journal"
	screen_start 100 30 "$R" -I 250 -e task-clock -o "$D/l.json" -- "$PT" 256 --every 50 --for 60
	screen_wait ' samples ' 10 || diag "live screen: no status line: $(screen_text | tail -n 1)"
	check "live screen: the journal is there again" wait_file "$D/.l.json.journal"
	screen_kill KILL "live screen"
	screen_exit_is KILL "live screen, SIGKILL: ringside dies of it"
	check "live screen, SIGKILL: its temporary is left" test "$(tmps "$D" | wc -l)" -eq 1
	screen_stop
	# shellcheck disable=SC2086
	timeout 30 "$R" $REC -q --duration 1 -o "$D/l.json" 2>"$T/screen-next.err"
	rc=$?
	check "live screen, SIGKILL: the next record -o: exit 0 ($rc)" test "$rc" -eq 0
	check "... writes the output and leaves nothing else but the killed one's journal" \
		sh -c 'test "$(ls -A "$1" | tr "\n" " ")" = ".l.json.journal l.json "' sh "$D"
	check "... the output is a snapshot" snapshot_ok "$D/l.json"
else
	skip "the live screen" "needs tmux"
fi

done_testing
