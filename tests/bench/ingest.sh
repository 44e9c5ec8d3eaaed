#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Ingest speed (decode + symbolize + insert into the stack tree), before and after a change, next
# to `perf report` on the same workload. Prints figures, never passes or fails. Needs WORKLOADS,
# BENCH (the build's tests/bench, for bench_ingest) and PERF, as `make bench` sets them; run as
# root. BASE_BENCH=/path/to/bench_ingest (built from the commit to compare with; it must know
# --load) adds a "before" column and checks that both write the same snapshot bytes.
# INGEST_ROUNDS (default 5) sets the interleaved wall-clock rounds.
#
# 1. One capture: bench_ingest --save records `calltree 3 --depth 24` (stacks of ~28 frames) at
#    10 kHz with -g fp; `perf record -F 10000 -g` records the same workload for perf report.
# 2. Instructions (callgrind, repeatable on a loaded machine): each binary replays the capture
#    with 2 and with 7 passes; the difference over 5 x samples is the instructions per warm
#    sample (a sample whose callchain was seen before: the steady state of a long recording).
# 3. Same output: each binary writes the replayed profile's snapshot; cmp says whether the bytes
#    are equal. (Exited tasks fold by the clock once their EXIT is 60 s old, so this waits until
#    the capture is older than that: both replays then fold alike.)
# 4. Wall clock: INGEST_ROUNDS rounds, interleaved, of each binary replaying the capture (warm
#    rate: the median of passes 2-5, per CPU second of its thread) and of
#    `perf report --stdio --no-children` on perf.data (samples per wall and per CPU second);
#    medians, and ringside's warm rate over perf report's. Target: >= 20x perf report.
#
# Measured here (2 CPUs shared with five other users), the ingest branch against its parent with
# BASE_BENCH, two runs: 1205 -> 732 and (with the window log's merge inlined) 1195 -> 698
# instructions per warm sample (~15k samples, 28 frames deep), snapshots identical; warm 6.10 ->
# 11.65 and 6.05 -> 12.96 M samples/s (medians of 5 and 7 interleaved rounds); perf report 0.14
# M/s per CPU second in the first run (45x -> 86x wall, 42x -> 81x CPU), 0.12 M/s per CPU second
# in the second, under heavier load (53x -> 113x perf report's CPU rate; its wall rate, 0.04 M/s,
# was mostly waiting). Where the instructions went before: the chain cache's key (386 per sample:
# a multiply-rotate and a rotate-xor per word), the walk from the leaf to the root adding totals
# (324; now once per dirty leaf when the tree is read), decode (152), the call sites' counts (100:
# one call per site), the window log (53).
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${WORKLOADS:?set WORKLOADS}" "${BENCH:?set BENCH to tests/bench in the build directory}"
: "${PERF:=perf}" "${INGEST_ROUNDS:=5}" "${BASE_BENCH:=}"
CT=$WORKLOADS/calltree
NEW=$BENCH/bench_ingest
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
# The live tests' CPU lock (tests/live/tap.sh cpu_lock): no timing test runs beside the figures.
exec 9>>"${TMPDIR:-/tmp}/ringside-live-cpu.lock"
flock -w 300 9 || echo "(no CPU lock after 300 s; running anyway, figures may suffer)"

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
mps() { awk -v r="$1" 'BEGIN { printf "%.2f M", r / 1e6 }'; }
field() { sed -n "s/.*$1=\\([0-9.]*\\).*/\\1/p"; }

bins=(new)
declare -A bin=([new]=$NEW)
[ -n "$BASE_BENCH" ] && bins=(before new) && bin[before]=$BASE_BENCH

echo "ringside ingest benchmark: $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo

# ---- 1. the capture
"$NEW" --freq 10000 --passes 2 --save "$T/cap" -- "$CT" 3 --depth 24 >"$T/cap.out" 2>&1 || {
	sed 's/^/  /' "$T/cap.out"
	echo "  bench_ingest could not record; nothing to measure"
	exit 0
}
captured=$SECONDS
head -n 2 "$T/cap.out" | sed 's/^/  /'
samples=$(grep '^RESULT ' "$T/cap.out" | field samples)
"$PERF" record -F 10000 -g -o "$T/perf.data" -- "$CT" 3 --depth 24 >/dev/null 2>"$T/perf.err"
psamples=$(sed -n 's/.*(\([0-9]*\) samples).*/\1/p' "$T/perf.err" | tail -n 1)
echo "  perf record -F 10000 -g of the same workload: ${psamples:-?} samples"
echo

# ---- 2. instructions per warm sample
declare -A ipws
if command -v valgrind >/dev/null 2>&1; then
	echo "== instructions per warm sample (callgrind; passes 7 minus passes 2, over 5 x $samples)"
	for b in "${bins[@]}"; do
		for p in 2 7; do
			valgrind --tool=callgrind --callgrind-out-file="$T/cg.$b.$p" \
				"${bin[$b]}" --load "$T/cap" --passes "$p" >/dev/null 2>"$T/cg.$b.$p.err"
		done
		i2=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$T/cg.$b.2.err")
		i7=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$T/cg.$b.7.err")
		ipws[$b]=$(awk -v a="${i2:-0}" -v b="${i7:-0}" -v n="$samples" \
			'BEGIN { printf "%.0f", (n > 0 ? (b - a) / (5 * n) : 0) }')
		printf '  %-8s %6s instructions per warm sample\n' "$b" "${ipws[$b]}"
	done
	echo
else
	echo "== (no valgrind: no instruction counts)"
	echo
fi

# ---- 3. same output
if [ -n "$BASE_BENCH" ]; then
	wait_s=$((captured + 65 - SECONDS))
	[ "$wait_s" -gt 0 ] && sleep "$wait_s"
	for b in "${bins[@]}"; do
		"${bin[$b]}" --load "$T/cap" --passes 5 --snapshot "$T/snap.$b.json" >/dev/null 2>&1
	done
	if cmp -s "$T/snap.before.json" "$T/snap.new.json"; then
		echo "== snapshots of the same capture: identical ($(wc -c <"$T/snap.new.json") bytes)"
	else
		echo "== snapshots of the same capture: DIFFER"
	fi
	echo
fi

# ---- 4. wall clock, interleaved
echo "== wall clock: $INGEST_ROUNDS rounds, interleaved"
declare -A rates
prw=() prc=()
TIMEFORMAT='%R %U %S'
for ((r = 1; r <= INGEST_ROUNDS; r++)); do
	line="  round $r:"
	for b in "${bins[@]}"; do
		w=$("${bin[$b]}" --load "$T/cap" --passes 5 2>/dev/null | grep '^RESULT ' | field warm)
		rates[$b]="${rates[$b]:-} ${w:-0}"
		line="$line $b $(mps "${w:-0}")/s,"
	done
	{ time "$PERF" report --stdio --no-children -i "$T/perf.data" >/dev/null 2>&1; } 2>"$T/rt"
	read -r rwall ruser rsys <"$T/rt"
	prw+=("$(awk -v n="${psamples:-0}" -v w="$rwall" 'BEGIN { printf "%.0f", (w > 0 ? n / w : 0) }')")
	prc+=("$(awk -v n="${psamples:-0}" -v u="$ruser" -v s="$rsys" \
		'BEGIN { printf "%.0f", (u + s > 0 ? n / (u + s) : 0) }')")
	echo "$line perf report $(mps "${prw[-1]}")/s wall, $(mps "${prc[-1]}")/s CPU"
done
mprw=$(median "${prw[@]}") mprc=$(median "${prc[@]}")
echo
printf '  %-30s %10s %12s %16s %16s\n' "median" "instr/smp" "samples/s" "vs perf rep wall" \
	"vs perf rep CPU"
for b in "${bins[@]}"; do
	# shellcheck disable=SC2086
	m=$(median ${rates[$b]})
	printf '  %-30s %10s %12s %15sx %15sx\n' "ringside ingest warm ($b)" "${ipws[$b]:--}" \
		"$(mps "$m")" "$(ratio "$m" "$mprw")" "$(ratio "$m" "$mprc")"
done
printf '  %-30s %10s %12s %15sx %15sx\n' "perf report (wall)" "-" "$(mps "$mprw")" "1.0" \
	"$(ratio "$mprw" "$mprc")"
echo "  target: ringside warm >= 20x perf report (moonshot 5 M samples/s)"
