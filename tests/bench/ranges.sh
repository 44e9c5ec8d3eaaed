#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Time ranges (issue 23): the cost of building the tree of one range of a long system-wide
# recording, next to perf, and the size of the time index. Prints figures, never passes or fails.
#
# ringside record -a -F 999 -g fp and perf record -a -F 999 -g run side by side for
# BENCH_RANGES_S seconds (default 60) while tests/workloads/calltree keeps two CPUs busy (and
# spin any others). Then, on the 10 s range [S/3, S/3 + 10) (5 runs each, the median):
#   - ringside export --range A-B IN.json -o OUT.folded: the whole command (load the snapshot,
#     build the range's tree, write it), beside the same export without --range, and the
#     in-process build alone (RINGSIDE_DEBUG_RANGE=1 prints it: sort the index, one pass over its
#     entries, one over the nodes). Target: the build <= 50 ms.
#   - perf report --time START,END --stdio on the equivalent perf.data (the same seconds of the
#     same run, START from its first sample).
#   - The time index: its entries, its bytes in the snapshot (stacks.timeline as written) and in
#     memory (RINGSIDE_DEBUG_MEMORY's timeline_kib at the end of the recording), per sample.
# Usage (root): make bench runs it; alone:
#   RINGSIDE=./ringside WORKLOADS=tests/workloads PERF=perf JQ=jq [BENCH_RANGES_S=20] \
#       sh tests/bench/ranges.sh
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${PERF:=perf}" "${JQ:=jq}" "${BENCH_RANGES_S:=60}"
S=$BENCH_RANGES_S
RUNS=5
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
exec 9>>"${TMPDIR:-/tmp}/ringside-live-cpu.lock"
flock -w 300 9 || echo "(no CPU lock after 300 s; running anyway, figures may suffer)"

now() { echo "${EPOCHREALTIME/,/.}"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 1000 }'; }
# timed NAME CMD...: run CMD RUNS times, print the median wall time in ms.
timed() {
	local name=$1 t0 t1 all=()
	shift
	for _ in $(seq "$RUNS"); do
		t0=$(now)
		"$@" >/dev/null 2>>"$T/$name.err"
		t1=$(now)
		all+=("$(ms "$t0" "$t1")")
	done
	median "${all[@]}"
}

echo "ringside ranges benchmark: $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ), ${S} s recordings"
A=$((S / 3)) B=$((S / 3 + 10))
[ "$B" -le "$S" ] || { A=0; B=$S; }

"$WORKLOADS/calltree" $((S + 15)) >/dev/null 2>&1 &
pids="$pids $!"
if [ "$(nproc)" -gt 2 ]; then
	"$WORKLOADS/spin" $((S + 15)) --threads $(($(nproc) - 2)) >/dev/null 2>&1 &
	pids="$pids $!"
fi
sleep 1
have_perf=0
if command -v "$PERF" >/dev/null 2>&1; then
	"$PERF" record -a -F 999 -g -o "$T/perf.data" -- sleep "$S" >/dev/null 2>"$T/perf.err" &
	pp=$!
	have_perf=1
fi
RINGSIDE_DEBUG_MEMORY="$T/mem.txt" "$RINGSIDE" record -a -F 999 -g fp --duration "$S" \
	-o "$T/rec.json" >/dev/null 2>"$T/rec.err"
echo "record: exit $?, $(grep -E 'wrote' "$T/rec.err" | head -n 1)"
[ "$have_perf" = 1 ] && wait "$pp"

samples=$("$JQ" '.stacks.samples' "$T/rec.json")
entries=$("$JQ" '.stacks.timeline.entries | length' "$T/rec.json")
tlbytes=$("$JQ" -c '.stacks.timeline' "$T/rec.json" | wc -c)
echo
echo "== the time index of $samples samples: $entries entries"
awk -v b="$tlbytes" -v s="$samples" -v e="$entries" 'BEGIN {
	printf "  in the snapshot: %d bytes of JSON, %.2f bytes a sample, %.2f an entry\n", b, b / s, b / e }'
grep '^memory timeline_kib' "$T/mem.txt" | sed 's/^/  in memory: /'
echo "  bound: at most 131072 entries of 12 bytes (1.5 MiB); older history coarsened when full"

echo
echo "== the 10 s range $A-$B s: $RUNS runs each, median wall time"
RINGSIDE_DEBUG_RANGE=1 "$RINGSIDE" export --range "$A-$B" "$T/rec.json" -o "$T/r.folded" 2>"$T/dbg.err"
build=()
for _ in $(seq "$RUNS"); do
	RINGSIDE_DEBUG_RANGE=1 "$RINGSIDE" export --range "$A-$B" "$T/rec.json" -o "$T/r.folded" 2>>"$T/build.err"
done
while read -r v; do build+=("$v"); done < <(sed -n 's/.*built in \([0-9.]*\) ms.*/\1/p' "$T/build.err")
echo "  ringside, building the range's tree in process: $(median "${build[@]}") ms (target <= 50 ms)"
sed 's/^/    /' "$T/dbg.err"
t=$(timed rf "$RINGSIDE" export --range "$A-$B" "$T/rec.json" -o "$T/r.folded")
echo "  ringside export --range $A-$B IN.json -o OUT.folded: $t ms"
t=$(timed wf "$RINGSIDE" export "$T/rec.json" -o "$T/w.folded")
echo "  ringside export IN.json -o OUT.folded (whole, no range): $t ms"
t=$(timed rj "$RINGSIDE" export --range "$A-$B" "$T/rec.json" -o "$T/r.json")
echo "  ringside export --range $A-$B IN.json -o OUT.json: $t ms"
echo "  samples in the range: $(awk '{ s += $NF } END { print s }' "$T/r.folded") of $samples"
if [ "$have_perf" = 1 ] && [ -s "$T/perf.data" ]; then
	first=$("$PERF" script -i "$T/perf.data" -F time 2>/dev/null | head -n 1 | tr -d ' :')
	pa=$(awk -v f="$first" -v a="$A" 'BEGIN { printf "%.6f", f + a }')
	pb=$(awk -v f="$first" -v b="$B" 'BEGIN { printf "%.6f", f + b }')
	echo "  perf report --time $pa,$pb --stdio (the same seconds of perf.data, $(du -k "$T/perf.data" | cut -f1) KiB):" \
		"$(timed pr "$PERF" report -i "$T/perf.data" --time "$pa,$pb" --stdio --no-children) ms"
	echo "  perf report --stdio (whole): $(timed pw "$PERF" report -i "$T/perf.data" --stdio --no-children) ms"
else
	echo "  perf: not installed or no perf.data ($(head -c 200 "$T/perf.err" 2>/dev/null))"
fi
