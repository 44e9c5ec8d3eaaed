#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `ringside diff` of two system-wide snapshots next to `perf diff` of the equivalent perf.data
# files, recorded in the same run. Prints figures, never passes or fails. Needs RINGSIDE,
# WORKLOADS, TOP_SRCDIR (for ptyrun.py) and perf; run as root.
#
# Two runs of BENCH_DIFF_S seconds (default 60): in each, `ringside record -a` and `perf record -a
# -g -F 999` record side by side while one split workload per CPU runs (60/30/10 in A, 30/30/40
# in B). Then, median of BENCH_DIFF_RUNS (default 3): the time to the diff screen's first frame
# (ptyrun.py, marker "By change"), the time of `ringside diff -o X.json` and `-o X.folded`, and
# `perf diff`'s time to its first byte of output and to its end. Then ringside's time by phase
# (RINGSIDE_DEBUG_DIFF: loading A and B, the diff, the output; wall and CPU, from the median
# -o X.json run), and the ratios of ringside's first frame and of its -o X.json to perf diff's
# time (target <= 0.2), all from this run.
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${TOP_SRCDIR:=$(dirname "$0")/../..}" "${PERF:=perf}" "${PYTHON3:=python3}"
: "${BENCH_DIFF_S:=60}" "${BENCH_DIFF_RUNS:=3}"

command -v "$PERF" >/dev/null 2>&1 || { echo "diff: perf is not installed; nothing to compare"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench-diff.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
ncpu=$(nproc)

# run NAME SPLIT: record NAME.json and NAME.data side by side under the split load.
run() {
	"$RINGSIDE" record -a --duration "$BENCH_DIFF_S" -q -o "$T/$1.json" 2>"$T/$1.rerr" &
	rp=$!
	"$PERF" record -a -g -F 999 -o "$T/$1.data" -- sleep "$BENCH_DIFF_S" \
		>/dev/null 2>"$T/$1.perr" &
	pp=$!
	i=0
	while [ "$i" -lt "$ncpu" ]; do
		"$WORKLOADS/split" "$2" "$BENCH_DIFF_S" &
		i=$((i + 1))
	done
	wait
	[ -s "$T/$1.json" ] || { echo "diff: ringside record failed: $(cat "$T/$1.rerr")"; exit 1; }
	[ -s "$T/$1.data" ] || { echo "diff: perf record failed: $(cat "$T/$1.perr")"; exit 1; }
}

# ms CMD...: the wall time of CMD in ms.
ms() {
	s=$(date +%s%N)
	"$@" >/dev/null 2>&1
	echo $((($(date +%s%N) - s) / 1000000))
}

# first_byte_ms CMD...: ms until CMD writes its first byte to a pipe.
first_byte_ms() {
	s=$(date +%s%N)
	"$@" 2>/dev/null | head -c 1 >/dev/null
	echo $((($(date +%s%N) - s) / 1000000))
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "diff: two runs of ${BENCH_DIFF_S} s, ringside record -a and perf record -a -g -F 999 side by side, split x $ncpu"
run a 60/30/10
run b 30/30/40
echo "diff: snapshots $(stat -c %s "$T/a.json") and $(stat -c %s "$T/b.json") bytes," \
	"$(jq .stacks.samples "$T/a.json") and $(jq .stacks.samples "$T/b.json") samples;" \
	"perf.data $(stat -c %s "$T/a.data") and $(stat -c %s "$T/b.data") bytes"

"$PERF" diff "$T/a.data" "$T/b.data" >/dev/null 2>"$T/pd.err" ||
	{ echo "diff: perf diff failed: $(head -c 300 "$T/pd.err")"; exit 1; }
: >"$T/frame" && : >"$T/json" && : >"$T/jsonrun" && : >"$T/folded" && : >"$T/pfirst" && : >"$T/pall"
r=0
while [ "$r" -lt "$BENCH_DIFF_RUNS" ]; do
	"$PYTHON3" "$TOP_SRCDIR/tests/bench/ptyrun.py" 4 120 40 "By change" \
		"$RINGSIDE" diff "$T/a.json" "$T/b.json" |
		sed -n 's/.*first_frame_ms=\([0-9.]*\).*/\1/p' >>"$T/frame"
	s=$(date +%s%N)
	RINGSIDE_DEBUG_DIFF=1 "$RINGSIDE" diff "$T/a.json" "$T/b.json" -o "$T/d.json" 2>"$T/phases.$r"
	j=$((($(date +%s%N) - s) / 1000000))
	echo "$j" >>"$T/json"
	echo "$j $r" >>"$T/jsonrun"
	ms "$RINGSIDE" diff "$T/a.json" "$T/b.json" -o "$T/d.folded" >>"$T/folded"
	first_byte_ms "$PERF" diff "$T/a.data" "$T/b.data" >>"$T/pfirst"
	ms "$PERF" diff "$T/a.data" "$T/b.data" >>"$T/pall"
	r=$((r + 1))
done
frame=$(median <"$T/frame") json=$(median <"$T/json") folded=$(median <"$T/folded")
pfirst=$(median <"$T/pfirst") pall=$(median <"$T/pall")
echo "diff: ringside diff screen, first frame: ${frame} ms (median of $BENCH_DIFF_RUNS)"
echo "diff: ringside diff -o X.json: ${json} ms; -o X.folded: ${folded} ms"
echo "diff: perf diff: first byte ${pfirst} ms, done ${pall} ms"
mid=$(sort -n "$T/jsonrun" | awk '{ v[NR] = $2 } END { print v[int((NR + 1) / 2)] }')
echo "diff: ringside's phases (-o X.json, the median run): $(sed 's/^diff: //' "$T/phases.$mid" |
	paste -sd ';' - | sed 's/;/; /g')"
awk -v f="$frame" -v j="$json" -v p="$pall" 'BEGIN {
	printf "diff: ringside %d ms (first frame), perf diff %d ms: ratio %.3f (target <= 0.2)\n",
		f, p, (p > 0 ? f / p : 0)
	printf "diff: ringside -o X.json %d ms, perf diff %d ms: ratio %.3f\n", j, p, (p > 0 ? j / p : 0) }'
