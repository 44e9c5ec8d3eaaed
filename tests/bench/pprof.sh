#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pprof output: size and write time for a system-wide recording. Prints figures, never passes or
# fails. Needs RINGSIDE and WORKLOADS (as `make bench` sets them), PERF and GO optional; run as
# root.
#
# `ringside record -a -F 999 -g fp` for BENCH_PPROF_S seconds (default 30) while calltree keeps
# both CPUs busy and the rest of the system runs as it does, to a snapshot; then, 5 runs each,
# medians: `export` of that snapshot to .json (reading it and writing it again: the baseline),
# to .folded and to .pb.gz, so the pprof writer's own cost is its time minus the read; the sizes
# of each. Next to it, the same recording by `perf record -a -F 999 -g` and `perf data convert
# --to-json` of it (perf.data and its JSON, plain and gzipped), and `go tool pprof -proto`
# re-encoding our file with pprof's own writer.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${PERF:=perf}" "${GO:=$(command -v go)}" "${BENCH_PPROF_S:=30}"
CT=$WORKLOADS/calltree
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
exec 9>>"${TMPDIR:-/tmp}/ringside-live-cpu.lock"
flock -w 300 9 || echo "(no CPU lock after 300 s; running anyway, figures may suffer)"

now() { echo "${EPOCHREALTIME/,/.}"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
size() { stat -c %s "$1"; }
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }
ms() { awk -v s="$1" 'BEGIN { printf "%.1f ms", s * 1000 }'; }

# timed OUT CMD...: the median wall time of 5 runs of CMD, in seconds, into the variable OUT.
timed() {
	local out=$1 t0 t1 runs=()
	shift
	for _ in 1 2 3 4 5; do
		t0=$(now)
		"$@" >/dev/null 2>&1 || { echo "failed: $*"; return 1; }
		t1=$(now)
		runs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
	done
	printf -v "$out" '%s' "$(median "${runs[@]}")"
}

echo "== pprof: a ${BENCH_PPROF_S} s system-wide recording (-a -F 999 -g fp), calltree on every CPU"
"$CT" "$((BENCH_PPROF_S + 2))" >/dev/null 2>&1 &
load1=$!
"$CT" "$((BENCH_PPROF_S + 2))" >/dev/null 2>&1 &
load2=$!
"$RINGSIDE" record -a -F 999 -g fp --duration "$BENCH_PPROF_S" -o "$T/sys.json" 2>"$T/rec.err"
wait "$load1" "$load2"
grep -E 'samples|wrote' "$T/rec.err" | sed 's/^/  /'
[ -s "$T/sys.json" ] || { echo "  no recording"; exit 0; }

timed t_json "$RINGSIDE" export "$T/sys.json" -o "$T/again.json" || exit 0
timed t_folded "$RINGSIDE" export "$T/sys.json" -o "$T/sys.folded" || exit 0
timed t_pprof "$RINGSIDE" export "$T/sys.json" -o "$T/sys.pb.gz" || exit 0
gzip -c "$T/sys.json" >"$T/sys.json.gz"
printf '  %-34s %12s %12s\n' "output" "size" "export time"
printf '  %-34s %12s %12s\n' "snapshot .json (read + write)" "$(kib "$(size "$T/again.json")")" "$(ms "$t_json")"
printf '  %-34s %12s %12s\n' "snapshot .json, gzip -c" "$(kib "$(size "$T/sys.json.gz")")" "-"
printf '  %-34s %12s %12s\n' ".folded" "$(kib "$(size "$T/sys.folded")")" "$(ms "$t_folded")"
printf '  %-34s %12s %12s\n' ".pb.gz (pprof)" "$(kib "$(size "$T/sys.pb.gz")")" "$(ms "$t_pprof")"
awk -v p="$t_pprof" -v j="$t_json" 'BEGIN { printf "  pprof write vs. json write (same read): %+.1f ms\n", (p - j) * 1000 }'
echo "  stacks: $(wc -l <"$T/sys.folded") distinct paths in the folded export"

if [ -n "$GO" ] && [ -x "$GO" ]; then
	export HOME="$T" PPROF_TMPDIR="$T"
	timed t_go "$GO" tool pprof -symbolize=none -proto -output "$T/go.pb.gz" "$T/sys.pb.gz" || true
	[ -s "$T/go.pb.gz" ] &&
		printf '  %-34s %12s %12s\n' "go tool pprof -proto (re-encode)" "$(kib "$(size "$T/go.pb.gz")")" "$(ms "$t_go")"
else
	echo "  (go not installed: no go tool pprof figures)"
fi

if command -v "$PERF" >/dev/null 2>&1; then
	echo "== perf record -a -F 999 -g, ${BENCH_PPROF_S} s, the same load"
	"$CT" "$((BENCH_PPROF_S + 2))" >/dev/null 2>&1 &
	load1=$!
	"$CT" "$((BENCH_PPROF_S + 2))" >/dev/null 2>&1 &
	load2=$!
	"$PERF" record -q -a -F 999 -g -o "$T/perf.data" -- sleep "$BENCH_PPROF_S" 2>/dev/null
	wait "$load1" "$load2"
	t0=$(now)
	"$PERF" data convert -i "$T/perf.data" --to-json "$T/perf.json" >/dev/null 2>&1
	t1=$(now)
	if [ -s "$T/perf.json" ]; then
		gzip -c "$T/perf.json" >"$T/perf.json.gz"
		printf '  %-34s %12s %12s\n' "perf.data" "$(kib "$(size "$T/perf.data")")" "-"
		printf '  %-34s %12s %12s\n' "perf data convert --to-json" "$(kib "$(size "$T/perf.json")")" \
			"$(ms "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")"
		printf '  %-34s %12s %12s\n' "... gzip -c" "$(kib "$(size "$T/perf.json.gz")")" "-"
	else
		echo "  perf data convert --to-json failed"
	fi
else
	echo "  (perf not installed: no perf figures)"
fi
