#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `ringside record -- COMMAND`: launch the workloads, whose counts are known, and check the
# snapshot's numbers and meta; a command that cannot run; the command's exit code; sudo's user;
# arguments full of shell syntax, passed literally (never through a shell).

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS
EV=page-faults,context-switches,task-clock
N=20000

# Series are well formed: four arrays of equal length, t strictly increasing, running <= enabled.
well_formed() {
	"$JQ" -e '[.events[].series[] |
		(.t | length) as $n
		| ($n > 0) and (.count | length) == $n and (.enabled | length) == $n
		  and (.running | length) == $n
		  and ([range(1; $n) as $i | .t[$i] > .t[$i - 1]] | all)
		  and ([range(0; $n) as $i | .running[$i] <= .enabled[$i]] | all)]
		| length > 0 and all' "$1" >/dev/null
}

# --- pagetouch: N page faults from the touching, plus the program's own start-up faults (~50)
timeout 30 "$R" record -e $EV -I 100 -o "$T/pt.json" -- "$W/pagetouch" $N 2>"$T/pt.err"
ok $? "record -- pagetouch $N exits 0"
check "stderr says 'ringside: recording' once counters are live" grep -q '^ringside: recording ' "$T/pt.err"
check "stderr ends with 'ringside: wrote FILE (N intervals, S.SS s)'" \
	grep -Eq "^ringside: wrote .*pt\.json \([0-9]+ intervals?, [0-9]+\.[0-9]{2} s\)" "$T/pt.err"
pf=$(ev_total "$T/pt.json" page-faults)
check "pagetouch: page-faults $pf within [N, N+5%] of N=$N (start-up faults add a few dozen)" \
	in_range "$pf" $N $((N + N / 20))
check "pagetouch: every series well formed (equal lengths, t increasing, running <= enabled)" \
	well_formed "$T/pt.json"
check "snapshot file mode is 0600" test "$(stat -c %a "$T/pt.json")" = 600
check "per-process target: one series per event, cpu -1" \
	"$JQ" -e '[.events[] | (.series | length) == 1 and .series[0].cpu == -1] | length == 3 and all' "$T/pt.json"

# --- pingpong: each of the two threads blocks once per round trip -> about 2N switches
timeout 30 "$R" record -q -e $EV -I 100 -o "$T/pp.json" -- "$W/pingpong" $N 2>"$T/pp.err"
ok $? "record -- pingpong $N exits 0"
check "-q: no summary table (no stderr lines but 'ringside: ...' ones)" \
	test "$(grep -cv '^ringside: ' "$T/pp.err")" -eq 0
cs=$(ev_total "$T/pp.json" context-switches)
check "pingpong: context-switches $cs within 15% of 2N=$((2 * N))" approx "$cs" $((2 * N)) 15

# --- spin 2: two seconds of wall time. Its task-clock must be the CPU time the spinner measured
# itself, however busy the machine; two seconds of it only when the spinner had a CPU to itself.
s0=$(steal_ns)
timeout 30 "$R" record -q -e $EV -I 100 -o "$T/sp.json" -- "$W/spin" 2 --report "$T/sp.rep" \
	2>"$T/sp.err"
ok $? "record -- spin 2 exits 0"
stolen=$(stolen_since "$s0")
spin_report "$T/sp.rep"
tc=$(ev_total "$T/sp.json" task-clock)
check "spin 2: task-clock $tc ns within 3% of the spinner's own CPU time $SPIN_CPU ns (+$stolen ns steal allowed above)" \
	near_cpu "$tc" "$SPIN_CPU" 3 "$stolen"
check_alone "spin 2: task-clock $tc ns within 10% of its 2 s wall time (a CPU to itself)" \
	approx "$tc" 2000000000 10
check "meta.target.kind is \"command\"" test "$(jqv "$T/sp.json" .meta.target.kind)" = command
check "meta.target.exit is 0" test "$(jqv "$T/sp.json" .meta.target.exit)" = 0
check "meta.end_reason is \"command exited\"" \
	test "$(jqv "$T/sp.json" .meta.end_reason)" = "command exited"
check "meta.target.command is the argv" \
	test "$(jqv "$T/sp.json" '.meta.target.command | join(" ")')" = "$W/spin 2 --report $T/sp.rep"
check "meta.target.pids holds the launched child" \
	"$JQ" -e '.meta.target.pids | length == 1 and .[0] > 1' "$T/sp.json"
check "meta.interval_ns is 100 ms" test "$(jqv "$T/sp.json" .meta.interval_ns)" = 100000000
check "meta.format, version, ringside_version" \
	"$JQ" -e '.format == "ringside-snapshot" and .version == 1 and .meta.ringside_version == "0.1.0"' \
	"$T/sp.json"
check "spin 2 at -I 100: 17..25 intervals, t strictly increasing" \
	"$JQ" -e '[.events[] | select(.name == "task-clock") | .series[0].t]
		| .[0] as $t | ($t | length) >= 17 and ($t | length) <= 25
		  and ([range(1; $t | length) as $i | $t[$i] > $t[$i - 1]] | all)' "$T/sp.json"
check "spin 2: duration_ns within 10% of 2 s" approx "$(jqv "$T/sp.json" .meta.duration_ns)" 2000000000 10
check "spin 2: last t <= duration_ns" \
	"$JQ" -e '.meta.duration_ns as $d | [.events[].series[].t[-1] <= $d] | length > 0 and all' "$T/sp.json"

# --- a command that does not exist
timeout 30 "$R" record -o "$T/nx.json" -- "$T/no-such-command" 2>"$T/nx.err"
rc=$?
check "a command that does not exist: non-zero exit (got $rc)" test $rc -ne 0 -a $rc -ne 124
check "... one error line 'ringside: ...' naming the command" \
	sh -c 'test "$(grep -cv "^ringside: recording " "$1")" -eq 1 &&
		grep -v "^ringside: recording " "$1" | grep -q "^ringside: .*no-such-command"' sh "$T/nx.err"
diag "$(cat "$T/nx.err")"

# --- the command's exit code is recorded
timeout 30 "$R" record -q -e task-clock -o "$T/x3.json" -- sh -c 'exit 3' 2>"$T/x3.err"
ok $? "record -- sh -c 'exit 3': ringside itself exits 0"
check "meta.target.exit is 3" test "$(jqv "$T/x3.json" .meta.target.exit)" = 3
timeout 30 "$R" record -q -e task-clock -o "$T/xk.json" -- sh -c 'kill -TERM $$' 2>"$T/xk.err"
ok $? "record -- sh -c 'kill -TERM \$\$': ringside itself exits 0"
check "a command killed by SIGTERM: meta.target.exit is 143 (128+15)" \
	test "$(jqv "$T/xk.json" .meta.target.exit)" = 143

# --- under sudo the command runs as the invoking user
mkdir "$T/pub" && chmod 1777 "$T/pub" && chmod 755 "$T"
SUDO_UID=65534 SUDO_GID=65534 SUDO_USER=nobody timeout 30 "$R" record -q -e task-clock \
	-o "$T/sudo.json" -- sh -c 'id -u; id -g; id -G' >"$T/pub/ids" 2>"$T/sudo.err"
ok $? "record under SUDO_UID=65534 exits 0"
check "the command ran as uid 65534, gid 65534, groups without root's: $(paste -sd' ' "$T/pub/ids")" \
	test "$(paste -sd' ' "$T/pub/ids")" = "65534 65534 65534"
SUDO_UID=65534 SUDO_GID=65534 SUDO_USER=nobody timeout 30 "$R" record -q -e task-clock \
	-o "$T/sudo2.json" -- sh -c 'id -u > "$1"' sh "$T/pub/uid" 2>"$T/sudo2.err"
ok $? "record under SUDO_UID=65534, the command writing a file, exits 0"
check "a file the command writes is the user's (uid 65534)" \
	test "$(cat "$T/pub/uid" 2>/dev/null)" = 65534 -a "$(stat -c %u "$T/pub/uid" 2>/dev/null)" = 65534

# --- never through a shell: arguments full of shell syntax reach the command literally, and
# nothing in them runs (no substitution, no ; && | or backquotes, no globbing, no variables)
mkdir "$T/meta"
meta1="\$(touch $T/meta/subst);touch $T/meta/semi"
meta2="\`touch $T/meta/backq\` && touch $T/meta/and | touch $T/meta/pipe"
(cd "$T/meta" && timeout 30 "$R" record -q -e task-clock -o "$T/meta.json" -- \
	/bin/echo "$meta1" "$meta2" '*' '$HOME' '>out') >"$T/meta.out" 2>"$T/meta.err"
ok $? "record -- /bin/echo ARGS-WITH-SHELL-SYNTAX exits 0"
check "echo printed its arguments verbatim" \
	test "$(cat "$T/meta.out")" = "$meta1 $meta2 * \$HOME >out"
check "nothing in them ran: no file created (found: $(ls -A "$T/meta" | paste -sd' '))" \
	test -z "$(ls -A "$T/meta")"
check "meta.target.command holds the same argv" \
	"$JQ" -e --arg a "$meta1" --arg b "$meta2" \
	'.meta.target.command == ["/bin/echo", $a, $b, "*", "$HOME", ">out"]' "$T/meta.json"

done_testing
