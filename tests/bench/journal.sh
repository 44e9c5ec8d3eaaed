#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The journal's cost (man ringside.1, "ringside recover"): on the soak workload (spin on every CPU
# doing fixed work, beside a stream of short-lived binaries, as tests/bench/soak.sh), the
# workload's time and the recorder's own CPU time under
#   ringside record -a -F 999 -g fp -I 1000 with its journal (the default),
#   the same with RINGSIDE_JOURNAL=0 (no journal),
#   the same with -I 250 (four journal intervals, four fsyncs a second),
#   perf record -a -F 999 -g, which writes perf.data as it goes,
# interleaved, JOURNAL_RUNS rounds (default 3); and the bytes each writes per second (the journal
# just before the end, perf.data). Prints figures, no pass/fail.
# Usage: RINGSIDE=... WORKLOADS=... [PERF=perf] [JOURNAL_RUNS=N] [JOURNAL_ITER=N] sh tests/bench/journal.sh
set -u
R=${RINGSIDE:?} W=${WORKLOADS:?}
PERF=${PERF:-perf}
runs=${JOURNAL_RUNS:-3}
iter=${JOURNAL_ITER:-2000000000}
ncpu=$(nproc)
hz=$(getconf CLK_TCK)
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-journal-bench.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# Short-lived binaries: a new copy (new inode) every time, 16 names in turn.
(
	i=0
	while :; do
		i=$((i + 1))
		cp "$W/pagetouch" "$T/prog$((i % 16))" && "$T/prog$((i % 16))" 20000 >/dev/null 2>&1
		rm -f "$T/prog$((i % 16))"
	done
) &
pids="$pids $!"

# cpu_s PID: the process's user + system time so far, in seconds.
cpu_s() {
	awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null
}

# one NAME CMD...: start the recorder CMD (unless NAME is bare), run the fixed work, then stop
# the recorder with SIGINT; prints "WORK_WALL_S REC_CPU_S BYTES_PER_S".
one() {
	name=$1
	shift
	rpid= bytes=0
	rm -f "$T/out.json" "$T/.out.json.journal" "$T/perf.data"
	if [ "$name" != bare ]; then
		env --default-signal=INT "$@" >/dev/null 2>"$T/$name.err" &
		rpid=$!
		sleep 1.5
	fi
	t0=$(date +%s.%N)
	"$W/spin" 0 --threads "$ncpu" --iterations "$iter" --report "$T/rep" >/dev/null 2>&1
	t1=$(date +%s.%N)
	work=$(awk '{ printf "%.3f", $2 / 1e9 }' "$T/rep")
	cpu=0
	if [ -n "$rpid" ]; then
		cpu=$(cpu_s "$rpid")
		case $name in
		perf) bytes=$(stat -c %s "$T/perf.data" 2>/dev/null || echo 0) ;;
		bare | nojournal) bytes=0 ;;
		*) bytes=$(stat -c %s "$T/.out.json.journal" 2>/dev/null || echo 0) ;;
		esac
		el=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { print b - a + 1.5 }')
		kill -INT "$rpid"
		wait "$rpid"
		bytes=$(awk -v b="$bytes" -v e="$el" 'BEGIN { printf "%.0f", b / e }')
	fi
	: "$t1"
	echo "$work $cpu $bytes"
}

echo "journal bench: spin x$ncpu --iterations $iter beside short-lived binaries, $runs rounds, interleaved"
printf '  %-4s %-34s %12s %14s %14s\n' run config "work wall s" "recorder CPU s" "bytes/s"
REC="record -a -F 999 -g fp -q -o $T/out.json"
for i in $(seq "$runs"); do
	for cfg in bare journal nojournal journal250 perf; do
		case $cfg in
		bare) set -- true ;;
		journal) set -- "$R" $REC -I 1000 ;;
		nojournal) set -- env RINGSIDE_JOURNAL=0 "$R" $REC -I 1000 ;;
		journal250) set -- "$R" $REC -I 250 ;;
		perf) set -- "$PERF" record -q -a -F 999 -g -o "$T/perf.data" ;;
		esac
		r=$(one "$cfg" "$@")
		echo "$cfg $r" >>"$T/results"
		set -- $r
		printf '  %-4s %-34s %12s %14s %14s\n' "$i" "$cfg" "$1" "$2" "$3"
	done
done
echo
echo "  medians:"
for cfg in bare journal nojournal journal250 perf; do
	for col in 2 3 4; do
		awk -v c="$cfg" -v k="$col" '$1 == c { print $k }' "$T/results" | sort -g |
			awk '{ v[NR] = $1 } END { printf "%s ", (NR ? v[int((NR + 1) / 2)] : "?") }'
	done >"$T/med"
	read -r w c b <"$T/med"
	bw=$(awk -v c=bare '$1 == c { print $2 }' "$T/results" | sort -g |
		awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }')
	printf '  %-40s work %8s s (%sx bare)  recorder CPU %6s s  %10s bytes/s\n' \
		"$cfg" "$w" "$(awk -v a="$w" -v b="$bw" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')" \
		"$c" "$b"
done
