#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The scheduler timeline's cost on a switch-heavy workload: how many sched tracepoint records
# ringside ingests per second, and its own CPU time next to `perf sched record`'s on the same
# workload in the same run. Prints figures, never passes or fails. Needs RINGSIDE, WORKLOADS and
# PERF (as `make bench` sets them); run as root.
#
# Workload: one `pingpong N` per online CPU (each pins its two threads to its CPU with taskset:
# ~2N context switches and N..2N wake-ups each), N = BENCH_SCHED_N (default 200000). Each tool
# records system-wide, started before the workload and stopped with SIGINT when it is done:
#   - ringside record -o X.json             (the default: counters, stack samples, sched)
#   - ringside record --no-samples -o X.json (counters and sched)
#   - perf sched record                      (perf record -a -R -c 1 of the sched tracepoints,
#                                            writes perf.data, then its build-id pass)
# BENCH_SCHED_RUNS rounds (default 3) of the bare workload and the three, interleaved; medians.
# A tool's CPU time is user + system of the tool alone: each runs under its own bash, whose
# `times` after the wait is that one child's rusage. The records per tool: ringside's
# sched.events (the sched records it ingested), or where a snapshot lacks it an estimate from the
# snapshot (one per run boundary, wake-up, migration, exec, exit); perf's from its "(N samples)"
# line. Rates: records per second of the workload's wall time (how fast they came) and per CPU
# second of the tool (what it could ingest). Lost records (ringside: sched.lost, else
# stacks.lost, the rings being shared; perf's "lost N chunks") and the output's size are shown
# per round, and the lost counts of every round again at the end. Target: ringside's
# CPU <= 0.5x perf sched record's.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${PERF:=perf}" "${JQ:=jq}"
: "${BENCH_SCHED_N:=200000}" "${BENCH_SCHED_RUNS:=3}"
PP=$WORKLOADS/pingpong
NCPU=$(getconf _NPROCESSORS_ONLN)
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
# The live tests' CPU lock (tests/live/tap.sh cpu_lock): no timing test runs beside the figures.
exec 9>>"${TMPDIR:-/tmp}/ringside-live-cpu.lock"
flock -w 300 9 || echo "(no CPU lock after 300 s; running anyway, figures may suffer)"

now() { echo "${EPOCHREALTIME/,/.}"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }
# Seconds from a `times` field such as 1m2.345s.
secs() { echo "$1" | awk -F'[ms]' '{ printf "%.3f", $1 * 60 + $2 }'; }

# workload: one pingpong per CPU, pinned there; prints its wall seconds.
workload() {
	local t0 t1 pids=() c
	t0=$(now)
	for ((c = 0; c < NCPU; c++)); do
		taskset -c "$c" "$PP" "$BENCH_SCHED_N" >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'
}

# measure TAG READY CMD...: start CMD under its own bash (SIGINT at its default action), wait
# until READY (a grep pattern for its stderr, or "" for a fixed 1 s), run the workload, stop CMD
# with SIGINT and wait for it. Sets W_S (workload wall s), USR, SYS (CMD's CPU seconds) and RC;
# CMD's stderr is in $T/TAG.err.
measure() {
	local tag=$1 ready=$2 wpid pid i u s
	shift 2
	rm -f "$T/$tag.pid" "$T/$tag.times"
	E="$T/$tag.err" P="$T/$tag.pid" X="$T/$tag.times" bash -c '
		env --default-signal=INT "$@" 2>"$E" &
		echo $! >"$P"
		wait $!
		rc=$?
		times >"$X"
		exit $rc' sh "$@" &
	wpid=$!
	for ((i = 0; i < 200; i++)); do
		[ -s "$T/$tag.pid" ] && break
		sleep 0.01
	done
	pid=$(cat "$T/$tag.pid")
	if [ -n "$ready" ]; then
		for ((i = 0; i < 200; i++)); do
			grep -q -- "$ready" "$T/$tag.err" 2>/dev/null && break
			sleep 0.05
		done
	else
		sleep 1
	fi
	W_S=$(workload)
	kill -INT "$pid" 2>/dev/null
	wait "$wpid"
	RC=$?
	# times: the shell's own line, then its children's "USER SYS".
	read -r u s < <(sed -n 2p "$T/$tag.times")
	USR=$(secs "${u:-0m0s}") SYS=$(secs "${s:-0m0s}")
}

# rs_records FILE: "RECORDS LOST" of a ringside snapshot: sched.events (the sched records it
# ingested) when it has them, else an estimate (marked ~: one per run boundary, wake-up,
# migration, exec, exit); LOST is sched.lost, else stacks.lost (the rings are shared), else "?".
rs_records() {
	"$JQ" -r '.sched as $s | (.sched.lost // .stacks.lost // "?") as $l
		| if $s == null then "0 no-sched"
		elif ($s.events | type) == "number" then "\($s.events) \($l)"
		else "~\(([$s.cpus[].runs | length] | add // 0) + ([$s.tasks[] | .wakeups
			+ .migrations + .execs + (if .exited then 1 else 0 end)] | add // 0)) \($l)" end' \
		"$1" 2>/dev/null || echo "0 unreadable"
}
# mib FILE: its size in MiB.
mib() {
	awk -v b="$(stat -c %s "$1" 2>/dev/null || echo 0)" 'BEGIN { printf "%.1f", b / 1048576 }'
}

echo "ringside sched benchmark: $(uname -r), $NCPU CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "workload: $NCPU x pingpong $BENCH_SCHED_N (one per CPU, its threads pinned there);" \
	"$BENCH_SCHED_RUNS rounds"
echo

declare -A wall usr sys rec lost size
tools=(bare rs rn perf)
declare -A label=([bare]="bare workload" [rs]="ringside record" \
	[rn]="ringside record --no-samples" [perf]="perf sched record")
for ((r = 1; r <= BENCH_SCHED_RUNS; r++)); do
	wall[bare]+=" $(workload)"

	measure rs '^ringside: recording ' "$RINGSIDE" record -q -o "$T/rs.json"
	[ "$RC" -eq 0 ] || echo "  (ringside record exited $RC: $(tail -n 1 "$T/rs.err"))"
	wall[rs]+=" $W_S" usr[rs]+=" $USR" sys[rs]+=" $SYS"
	read -r n l < <(rs_records "$T/rs.json")
	rec[rs]+=" $n" lost[rs]+=" $l" size[rs]=$(mib "$T/rs.json")

	measure rn '^ringside: recording ' "$RINGSIDE" record -q --no-samples -o "$T/rn.json"
	[ "$RC" -eq 0 ] || echo "  (ringside record --no-samples exited $RC: $(tail -n 1 "$T/rn.err"))"
	wall[rn]+=" $W_S" usr[rn]+=" $USR" sys[rn]+=" $SYS"
	read -r n l < <(rs_records "$T/rn.json")
	rec[rn]+=" $n" lost[rn]+=" $l" size[rn]=$(mib "$T/rn.json")

	measure perf '' "$PERF" sched record -o "$T/perf.data"
	wall[perf]+=" $W_S" usr[perf]+=" $USR" sys[perf]+=" $SYS"
	n=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$T/perf.err" | tail -n 1)
	l=$(sed -n 's/.*lost \([0-9]*\) chunks.*/\1/p; s/.*LOST \([0-9]*\) events.*/\1/p' \
		"$T/perf.err" | tail -n 1)
	rec[perf]+=" ${n:-0}" lost[perf]+=" ${l:-0}" size[perf]=$(mib "$T/perf.data")
	rm -f "$T/perf.data" "$T/rs.json" "$T/rn.json"

	printf '  round %d: workload s: bare %s, ringside %s, --no-samples %s, perf %s;' "$r" \
		"${wall[bare]##* }" "${wall[rs]##* }" "${wall[rn]##* }" "${wall[perf]##* }"
	printf ' CPU s (user+sys): ringside %s+%s, --no-samples %s+%s, perf %s+%s\n' \
		"${usr[rs]##* }" "${sys[rs]##* }" "${usr[rn]##* }" "${sys[rn]##* }" \
		"${usr[perf]##* }" "${sys[perf]##* }"
	printf '           records (lost), output MiB: ringside %s (%s) %s, --no-samples %s (%s) %s,' \
		"${rec[rs]##* }" "${lost[rs]##* }" "${size[rs]}" "${rec[rn]##* }" "${lost[rn]##* }" \
		"${size[rn]}"
	printf ' perf %s (%s) %s\n' "${rec[perf]##* }" "${lost[perf]##* }" "${size[perf]}"
done
echo

# Medians; CPU = user + system per round, then the median.
declare -A mw mu ms mc mr
for t in "${tools[@]}"; do
	mw[$t]=$(median ${wall[$t]})
	[ "$t" = bare ] && continue
	mu[$t]=$(median ${usr[$t]})
	ms[$t]=$(median ${sys[$t]})
	u=(${usr[$t]}) s=(${sys[$t]}) c=()
	for ((i = 0; i < ${#u[@]}; i++)); do
		c+=("$(awk -v a="${u[$i]}" -v b="${s[$i]}" 'BEGIN { printf "%.3f", a + b }')")
	done
	mc[$t]=$(median "${c[@]}")
	mr[$t]=$(median $(echo ${rec[$t]} | tr -d '~'))
done
printf '  %-30s %10s %9s %9s %10s %9s %12s %13s %14s\n' "median of $BENCH_SCHED_RUNS" \
	"workload s" "CPU usr" "CPU sys" "CPU total" "vs perf" "records" "records/s" "records/CPU-s"
printf '  %-30s %10s\n' "${label[bare]}" "${mw[bare]}"
for t in rs rn perf; do
	est=
	case "${rec[$t]}" in *"~"*) est="~" ;; esac
	printf '  %-30s %10s %9s %9s %10s %8sx %12s %13s %14s\n' "${label[$t]}" "${mw[$t]}" \
		"${mu[$t]}" "${ms[$t]}" "${mc[$t]}" "$(ratio "${mc[$t]}" "${mc[perf]}")" \
		"$est${mr[$t]}" "$(rate "${mr[$t]}" "${mw[$t]}")" "$(rate "${mr[$t]}" "${mc[$t]}")"
done
echo "  records/s: records over the workload's wall time; records/CPU-s: over the tool's own CPU"
echo "  time. ~: estimated from the snapshot (it has no sched.events). perf records more event"
echo "  types (sched_stat_runtime, sched_waking) than ringside reads. Lost: ? when not reported."
echo "  lost per round: ringside${lost[rs]}; --no-samples${lost[rn]};" \
	"perf sched record${lost[perf]} (chunks: its LOST records, each a run of records dropped)"
echo "  target: ringside's CPU <= 0.5x perf sched record's:" \
	"default $(ratio "${mc[rs]}" "${mc[perf]}")x, --no-samples $(ratio "${mc[rn]}" "${mc[perf]}")x"
