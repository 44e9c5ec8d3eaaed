#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# How much a counting `ringside record` slows a CPU-bound workload, next to `perf stat` doing the
# same (same events, same interval), and how much CPU ringside itself uses. Prints figures, never
# passes or fails. Needs RINGSIDE, WORKLOADS and PERF (as `make bench` sets them); run as root.
#
# 1. Wall time of a fixed amount of work (`spin 0 --iterations N`, N calibrated to ~2 s), 7 runs
#    each bare, under ringside record and under perf stat, interleaved; medians (and minimums,
#    the least noisy estimate for fixed work on a VM) and ratios.
# 2. The tools' own CPU time (user + system) attached with -p to a 3 s spinner: the spinner is
#    not their child, so their rusage is theirs alone.
# 3. The fixed cost of launching `true` under each (start-up and tear-down), which is most of the
#    difference in 1 for a 2 s workload.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${PERF:=perf}"
SPIN=$WORKLOADS/spin
EV=task-clock,context-switches,page-faults
RUNS=7
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

now() { echo "${EPOCHREALTIME/,/.}"; }

# Wall seconds of one run of "$@" (its output discarded).
wall() {
	local t0 t1
	t0=$(now)
	"$@" >/dev/null 2>&1
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
minimum() { printf '%s\n' "$@" | sort -g | head -n 1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", (b > 0 ? a / b : 0) }'; }
per_s() { awk -v c="$1" -v d="$2" 'BEGIN { printf "%.2f", (d > 0 ? c * 1000 / d : 0) }'; }

# Calibrate: 2e8 iterations, scaled to ~2 s.
t=$(wall "$SPIN" 0 --iterations 200000000)
N=$(awk -v t="$t" 'BEGIN { printf "%d", 200000000 * 2.0 / (t > 0 ? t : 0.2) }')

echo "ringside overhead benchmark: $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "workload: spin 0 --iterations $N (fixed work, ~2 s), $RUNS runs of each, interleaved"
echo "ringside: $RINGSIDE record -q -I 100 -e $EV -o FILE.json -- spin ..."
echo "perf:     $PERF stat -I 100 -e $EV -o /dev/null -- spin ..."
echo

bare=() rs=() pf=()
for ((i = 1; i <= RUNS; i++)); do
	bare+=("$(wall "$SPIN" 0 --iterations "$N")")
	rs+=("$(wall "$RINGSIDE" record -q -I 100 -e "$EV" -o "$T/x.json" -- "$SPIN" 0 --iterations "$N")")
	pf+=("$(wall "$PERF" stat -I 100 -e "$EV" -o /dev/null -- "$SPIN" 0 --iterations "$N")")
	printf '  run %d: bare %s s, ringside %s s, perf stat %s s\n' "$i" "${bare[-1]}" "${rs[-1]}" "${pf[-1]}"
done
mb=$(median "${bare[@]}") mr=$(median "${rs[@]}") mp=$(median "${pf[@]}")
nb=$(minimum "${bare[@]}") nr=$(minimum "${rs[@]}") np=$(minimum "${pf[@]}")
[ -s "$T/x.json" ] || echo "  (warning: ringside wrote no snapshot; its runs may have failed)"

# CPU time of a tool attached to a 3 s spinner: user+system seconds from `times` in a subshell.
tool_cpu() {
	"$SPIN" 3 &
	local spid=$! t0 t1 cpu
	t0=$(now)
	cpu=$( ("$@" -p "$spid" >/dev/null 2>&1; times) | tail -n 1 |
		awk '{ split($1, u, "m"); split($2, s, "m"); printf "%.4f", u[1] * 60 + u[2] + s[1] * 60 + s[2] }')
	t1=$(now)
	wait "$spid" 2>/dev/null
	awk -v c="$cpu" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f %.2f\n", c, b - a }'
}
read -r rcpu rdur < <(tool_cpu "$RINGSIDE" record -q -I 100 -e "$EV" -o "$T/p.json")
read -r pcpu pdur < <(tool_cpu "$PERF" stat -I 100 -e "$EV" -o /dev/null)

# The fixed cost of a launch: start-up (event tables, opening) and tear-down (writing the file).
sb=() sr=() sp=()
for ((i = 1; i <= 9; i++)); do
	sb+=("$(wall /bin/true)")
	sr+=("$(wall "$RINGSIDE" record -q -I 100 -e "$EV" -o "$T/t.json" -- /bin/true)")
	sp+=("$(wall "$PERF" stat -I 100 -e "$EV" -o /dev/null -- /bin/true)")
done
tb=$(median "${sb[@]}") tr=$(median "${sr[@]}") tp=$(median "${sp[@]}")

echo
printf '%-28s %12s %10s %12s %10s\n' "" "median wall" "vs bare" "min wall" "vs bare"
printf '%-28s %10s s %9sx %10s s %9sx\n' "bare" "$mb" "1.0000" "$nb" "1.0000"
printf '%-28s %10s s %9sx %10s s %9sx\n' "ringside record -I 100" "$mr" "$(ratio "$mr" "$mb")" \
	"$nr" "$(ratio "$nr" "$nb")"
printf '%-28s %10s s %9sx %10s s %9sx\n' "perf stat -I 100" "$mp" "$(ratio "$mp" "$mb")" \
	"$np" "$(ratio "$np" "$nb")"
printf '%-28s %23sx %22sx\n' "ringside / perf stat" "$(ratio "$mr" "$mp")" "$(ratio "$nr" "$np")"
echo
printf '%-28s %12s %14s\n' "own CPU, attached (-p)" "CPU s" "ms CPU per s"
printf '%-28s %12s %14s   (over %s s)\n' "ringside record -I 100" "$rcpu" "$(per_s "$rcpu" "$rdur")" "$rdur"
printf '%-28s %12s %14s   (over %s s)\n' "perf stat -I 100" "$pcpu" "$(per_s "$pcpu" "$pdur")" "$pdur"
printf '%-28s %27sx\n' "ringside / perf stat" "$(ratio "$rcpu" "$pcpu")"
echo
printf '%-28s %12s\n' "start-up + tear-down" "median wall"
printf '%-28s %10s s\n' "true" "$tb"
printf '%-28s %10s s\n' "ringside record -- true" "$tr"
printf '%-28s %10s s\n' "perf stat -- true" "$tp"
echo
echo "target: ringside <= 1.01x bare, and no worse than perf stat (wall and own CPU)"
