#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The time to annotate the C library's hottest function, `ringside annotate` next to
# `perf annotate --stdio` of the same symbol, both recorded from the same run. Prints figures,
# never passes or fails. Needs RINGSIDE, WORKLOADS and perf; run as root.
#
# libcsort (qsort(3): most samples in libc's merge sort) runs BENCH_ANNOTATE_S seconds (default
# 4) while `ringside record -p` and `perf record -p` both sample it. The hottest libc function is
# the one of the snapshot's stacks.addresses with the most samples in libc. Then each tool
# annotates it: the first run (cold: libdw, the debug information and Capstone start from
# nothing, the files perhaps not in the page cache) and the median of BENCH_ANNOTATE_RUNS more
# (warm, default 5). ringside runs twice: as it is, and with RINGSIDE_ANNOTATE_LIBDW=1 (the source
# lines through libdw, which inflates all of libc's compressed debug sections; the line table read
# alone inflates only .debug_line and its strings). The last line gives ringside's times over
# perf's (target <= 0.2).
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${PERF:=perf}" "${BENCH_ANNOTATE_S:=4}" "${BENCH_ANNOTATE_RUNS:=5}"

command -v "$PERF" >/dev/null 2>&1 || { echo "annotate: perf is not installed; nothing to compare"; exit 0; }
command -v jq >/dev/null 2>&1 || { echo "annotate: jq is not installed"; exit 0; }
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench-annotate.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

"$WORKLOADS/libcsort" $((BENCH_ANNOTATE_S + 2)) &
wp=$!
sleep 0.5
"$PERF" record -q -F 999 -o "$T/perf.data" -p "$wp" -- sleep "$BENCH_ANNOTATE_S" \
	>/dev/null 2>"$T/perf.err" &
pp=$!
"$RINGSIDE" record -q --no-sched -F 999 -p "$wp" --duration "$BENCH_ANNOTATE_S" \
	-o "$T/rs.json" 2>"$T/rs.err"
wait "$pp"
wait "$wp"
[ -s "$T/rs.json" ] || { echo "annotate: ringside record failed: $(cat "$T/rs.err")"; exit 1; }

fn=$(jq -r '.stacks as $s | [$s.addresses.entries[] | {f: .[0], n: .[2]}] | group_by(.f)
	| map({f: .[0].f, n: (map(.n) | add)}) | sort_by(-.n)
	| map(select($s.strings[$s.frames[.f][1]] | test("libc[.]so"))) | .[0].f
	| $s.strings[$s.frames[.][0]]' "$T/rs.json")
[ -n "$fn" ] && [ "$fn" != null ] || { echo "annotate: no libc function was sampled"; exit 1; }
echo "annotate: libc's hottest function: $fn"

# secs CMD...: the wall time of CMD in seconds (its output to $T/out).
secs() {
	s=$(date +%s%N)
	"$@" >"$T/out" 2>&1
	e=$(date +%s%N)
	echo "$(((e - s) / 1000)) 1000000" | awk '{ printf "%.4f\n", $1 / $2 }'
}

# bench NAME CMD...: prints "NAME cold S warm S (median of N)" and sets COLD and WARM.
bench() {
	name=$1
	shift
	COLD=$(secs "$@")
	lines=$(wc -l <"$T/out")
	i=0
	: >"$T/warm"
	while [ "$i" -lt "$BENCH_ANNOTATE_RUNS" ]; do
		secs "$@" >>"$T/warm"
		i=$((i + 1))
	done
	WARM=$(sort -n "$T/warm" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	printf '%-26s cold %8.4f s   warm %8.4f s (median of %d)   %d lines of output\n' \
		"$name" "$COLD" "$WARM" "$BENCH_ANNOTATE_RUNS" "$lines"
}

bench "ringside annotate" "$RINGSIDE" annotate "$T/rs.json" "$fn"
rc=$COLD rw=$WARM
cp "$T/out" "$T/rs.out"
# The same with the line table through libdw (as before the table was read alone): the same output.
RINGSIDE_ANNOTATE_LIBDW=1 bench "ringside annotate (libdw)" "$RINGSIDE" annotate "$T/rs.json" "$fn"
cmp -s "$T/out" "$T/rs.out" || echo "annotate: the libdw path printed something else than the line table read alone"
mv "$T/rs.out" "$T/out"
grep -q "imul\|mov\|cmp" "$T/out" || echo "annotate: ringside printed no instruction: $(head -n 3 "$T/out")"
bench "perf annotate --stdio" "$PERF" annotate --stdio -i "$T/perf.data" "$fn"
pc=$COLD pw=$WARM
awk -v rc="$rc" -v rw="$rw" -v pc="$pc" -v pw="$pw" 'BEGIN {
	printf "ringside / perf: cold %.2fx, warm %.2fx (target <= 0.2)\n",
		(pc > 0 ? rc / pc : 0), (pw > 0 ? rw / pw : 0) }'
