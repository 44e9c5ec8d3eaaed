#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# DWARF unwinding (-g dwarf): its cost per sample, the report side's throughput next to perf's, and
# the recording overhead next to perf record's, on the known call tree built without frame
# pointers (calltree-nofp). Prints figures, never passes or fails. Needs RINGSIDE, WORKLOADS,
# BENCH (the build's tests/bench, for bench_ingest) and PERF, as `make bench` sets them; run as
# root.
#
# 1. Report side: bench_ingest -g dwarf records `calltree-nofp 3 --depth 8` at 999 Hz (user
#    registers and 8 KiB of stack per sample), keeps every record in memory and replays them
#    through ingest: unwind (libdw) + symbolize + insert, pass 1 cold, passes 2-5 warm; the
#    unwinder's own time per sample. Next to it, `perf record -F 999 --call-graph dwarf` of the
#    same workload and the time of `perf report --stdio --no-children` on it (perf unwinds there).
#    Target: >= 20x perf report's samples/s.
# 2. Overhead: a fixed amount of work (`calltree-nofp 0 --iterations N`, ~2 s) bare, under
#    `ringside record -F 999 -g dwarf` and under `perf record -F 999 --call-graph dwarf`, 5 runs
#    each, interleaved; medians of the workload's own time. Target: ringside no slower than perf.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${BENCH:?set BENCH to tests/bench in the build directory}" "${PERF:=perf}"
CT=$WORKLOADS/calltree-nofp
RUNS=5
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
# The live tests' CPU lock (tests/live/tap.sh cpu_lock): no timing test runs beside the figures.
exec 9>>"${TMPDIR:-/tmp}/ringside-live-cpu.lock"
flock -w 300 9 || echo "(no CPU lock after 300 s; running anyway, figures may suffer)"

now() { echo "${EPOCHREALTIME/,/.}"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
kps() { awk -v r="$1" 'BEGIN { printf "%.1f k", r / 1e3 }'; }

echo "ringside dwarf unwinding benchmark: $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo

# ---- 1. report side
echo "== report side: unwind + symbolize + insert, replaying captured -g dwarf records (one thread)"
"$BENCH/bench_ingest" -g dwarf --freq 999 --passes 5 -- "$CT" 3 --depth 8 >"$T/ingest.out" 2>&1
sed 's/^/  /' "$T/ingest.out"
res=$(grep '^RESULT ' "$T/ingest.out")
cold=$(echo "$res" | sed -n 's/.*cold=\([0-9.]*\).*/\1/p')
warm=$(echo "$res" | sed -n 's/.*warm=\([0-9.]*\).*/\1/p')
uus=$(echo "$res" | sed -n 's/.*unwind_us=\([0-9.]*\).*/\1/p')

"$PERF" record -F 999 --call-graph dwarf -o "$T/perf.data" -- "$CT" 3 --depth 8 >/dev/null \
	2>"$T/perf.err"
psamples=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$T/perf.err" | tail -n 1)
TIMEFORMAT='%R %U %S'
{ time "$PERF" report --stdio --no-children -i "$T/perf.data" >"$T/report.txt" 2>&1; } \
	2>"$T/report.time"
read -r rwall ruser rsys <"$T/report.time"
pcpu=$(awk -v u="$ruser" -v s="$rsys" 'BEGIN { print u + s }')
prate=$(awk -v n="${psamples:-0}" -v w="$rwall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')
prate_cpu=$(awk -v n="${psamples:-0}" -v c="$pcpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')
echo "  perf record -F 999 --call-graph dwarf: ${psamples:-?} samples," \
	"$(du -k "$T/perf.data" | cut -f1) KiB; perf report --stdio --no-children:" \
	"${rwall} s wall, ${pcpu} s CPU: $prate samples/s wall, $prate_cpu samples/s CPU"
echo
# bench_ingest's rates are per CPU second of its thread: the fair peer is perf report's rate per
# CPU second (its wall rate is shown too; perf report is single-threaded, so they are close).
printf '  %-36s %14s %16s %16s\n' "" "samples/s" "vs perf rep. CPU" "vs perf rep. wall"
printf '  %-36s %14s %15sx %15sx\n' "ringside ingest -g dwarf, warm (med.)" "$(kps "${warm:-0}")" \
	"$(ratio "${warm:-0}" "$prate_cpu")" "$(ratio "${warm:-0}" "$prate")"
printf '  %-36s %14s %15sx %15sx\n' "ringside ingest -g dwarf, cold" "$(kps "${cold:-0}")" \
	"$(ratio "${cold:-0}" "$prate_cpu")" "$(ratio "${cold:-0}" "$prate")"
printf '  %-36s %14s %15sx %15sx\n' "perf report (CPU, whole run)" "$(kps "$prate_cpu")" "1.000" \
	"$(ratio "$prate_cpu" "$prate")"
echo "  unwinding alone: ${uus:-?} us per sample (libdw dwfl_getthread_frames, Dwfl kept per process)"
echo "  target: >= 20x perf report"
echo

# ---- 2. overhead
echo "== overhead: calltree-nofp fixed work, bare / ringside record -g dwarf / perf record --call-graph dwarf"
own() { sed -n 's/^calltree: [0-9]* rounds in \([0-9.]*\) s$/\1/p' "$1" | tail -n 1; }
run() {
	local log=$1 t0 t1
	shift
	t0=$(now)
	"$@" >/dev/null 2>"$log"
	t1=$(now)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", b - a }'
}
cal=()
for ((i = 0; i < 2; i++)); do
	run "$T/cal.err" "$CT" 0 --iterations 400 --print-time >/dev/null
	cal+=("$(own "$T/cal.err")")
done
N=$(awk -v t="$(printf '%s\n' "${cal[@]}" | sort -g | head -n 1)" \
	'BEGIN { printf "%d", 400 * 2.0 / (t > 0 ? t : 0.5) }')
echo "  workload: calltree-nofp 0 --iterations $N (~2 s on 2 threads), $RUNS runs each, interleaved"
bw=() rw=() pw=() bo=() ro=() po=()
for ((i = 1; i <= RUNS; i++)); do
	bw+=("$(run "$T/b.err" "$CT" 0 --iterations "$N" --print-time)")
	bo+=("$(own "$T/b.err")")
	rw+=("$(run "$T/r.err" "$RINGSIDE" record -F 999 -g dwarf -o "$T/o.folded" -- \
		"$CT" 0 --iterations "$N" --print-time)")
	ro+=("$(own "$T/r.err")")
	pw+=("$(run "$T/p.err" "$PERF" record -q -F 999 --call-graph dwarf -o "$T/o.data" -- \
		"$CT" 0 --iterations "$N" --print-time)")
	po+=("$(own "$T/p.err")")
	printf '  run %d: workload bare %s s, ringside %s s, perf %s s (wall %s / %s / %s s)\n' "$i" \
		"${bo[-1]}" "${ro[-1]}" "${po[-1]}" "${bw[-1]}" "${rw[-1]}" "${pw[-1]}"
done
[ -s "$T/o.folded" ] || echo "  (warning: ringside wrote no folded file; its runs may have failed)"
grep -h '^ringside: [0-9]* samples' "$T/r.err" | sed 's/^/  last ringside run: /'
mbo=$(median "${bo[@]}") mro=$(median "${ro[@]}") mpo=$(median "${po[@]}")
mbw=$(median "${bw[@]}") mrw=$(median "${rw[@]}") mpw=$(median "${pw[@]}")
echo
printf '  %-30s %14s %9s %14s %9s\n' "median" "workload time" "vs bare" "command wall" "vs bare"
printf '  %-30s %12s s %8sx %12s s %8sx\n' "bare" "$mbo" "1.000" "$mbw" "1.000"
printf '  %-30s %12s s %8sx %12s s %8sx\n' "ringside record -g dwarf" "$mro" \
	"$(ratio "$mro" "$mbo")" "$mrw" "$(ratio "$mrw" "$mbw")"
printf '  %-30s %12s s %8sx %12s s %8sx\n' "perf record --call-graph dwarf" "$mpo" \
	"$(ratio "$mpo" "$mbo")" "$mpw" "$(ratio "$mpw" "$mbw")"
printf '  %-30s %23sx %23sx\n' "ringside / perf record" "$(ratio "$mro" "$mpo")" \
	"$(ratio "$mrw" "$mpw")"
echo "  target: ringside / perf record <= 1.0 (the workload's own time)"
