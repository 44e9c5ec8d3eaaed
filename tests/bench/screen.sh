#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live screen's cost, next to htop, btop and perf top in the same run, each in a 120x40
# pseudo-terminal (tests/bench/ptyrun.py) watching the whole system while two spinners and a
# call-tree workload keep the CPUs busy:
#   - bytes written to the terminal per second: ringside's overview at a 1 s refresh, htop at 1 s
#     (-d 10), btop at 1 s (update_ms = 1000 in a throw-away config), perf top -F 999 -g (its own
#     refresh);                                                        target: below htop's
#   - own CPU per wall second: ringside at 999 Hz with call stacks vs perf top -F 999 -g;
#                                                                       target: <= 0.5x perf top's
#   - time to the first frame: ringside, perf top, htop, btop;    target: <= btop's (~100 ms)
#   - peak RSS over each program's whole life (ru_maxrss);               target: <= 16 MB
#     and, headless, ringside record's: counting only (--no-samples --no-sched) and sampling
#     system-wide (-F 999 -g fp), RECORD_SECONDS (default 5) each, beside the tools' above
# ringside runs with RINGSIDE_DEBUG_MEMORY=FILE, so that it appends its memory breakdown at exit
# (rings, mapped ELF/DWARF files and of them the inflated copies of compressed debug files,
# kallsyms, symbol tables, tree, scheduler map, jansson, the resident set by kind) to FILE, with
# the 8 mapped files that hold the most resident KiB (file_kib lines): the bench prints the last
# run's. other_malloc_kib is libdw's unit and address-range state (~2-3 MB once libc's units are
# read, given back when a module's DWARF goes 10 s without a lookup: the dwarf_sessions line
# counts them), ingest's chain cache (128 KiB, doubling with the chains to 1 MiB at most; its call sites 1 MiB more), counters
# and curses; compressed debug files (Debian's
# libc6-dbg) are read through an inflated copy on disk, not inflated into memory (sym/debugcopy).
# Bytes and CPU are the steady state: from 2 s after the first frame (one-time start-up work, such
# as loading symbols, is left out for all three alike). SCREEN_SECONDS (default 20) sets each
# run's measured length; RUNS (default 3) the interleaved rounds. RINGSIDE_BASE=OLD_BINARY runs
# that build beside ringside at the same moment in each round (its figures as "base"), so that
# an old and a new build compare under the same load; SCREEN_PEERS=no leaves htop, btop and
# perf top out (old against new only).
# Figures are printed, never judged: a slow machine does not fail the bench.

R=${RINGSIDE:?}
W=${WORKLOADS:?}
PERF=${PERF:-perf}
HERE=$(cd "$(dirname "$0")" && pwd)
SECS=${SCREEN_SECONDS:-20}
RUNS=${RUNS:-3}
PY=${PYTHON3:-python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
trap 'kill $bg 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 1
mkdir -p "$T/btop/.config/btop" && echo 'update_ms = 1000' >"$T/btop/.config/btop/btop.conf"

"$W/spin" 100000 --threads 2 >/dev/null 2>&1 &
bg=$!
"$W/calltree" 100000 >/dev/null 2>&1 &
bg="$bg $!"

run() { # NAME MARKER CMD...
	name=$1 marker=$2
	shift 2
	out=$("$PY" "$HERE/ptyrun.py" "$SECS" 120 40 "$marker" "$@" 2>/dev/null | tail -n 1)
	echo "$name $out" >>"$T/results"
	echo "  $name: $out"
}

echo "screen bench: ${SECS} s per run, ${RUNS} rounds, 120x40, system-wide, CPUs busy"
i=0
while [ $i -lt "$RUNS" ]; do
	i=$((i + 1))
	echo "round $i"
	rm -f "$T/ringside.mem" "$T/base.mem"
	basepid=
	if [ -n "${RINGSIDE_BASE:-}" ]; then
		RINGSIDE_DEBUG_MEMORY="$T/base.mem" run base Overview "$RINGSIDE_BASE" -F 999 -g fp &
		basepid=$!
	fi
	RINGSIDE_DEBUG_MEMORY="$T/ringside.mem" run ringside Overview "$R" -F 999 -g fp
	[ -n "$basepid" ] && wait "$basepid"
	[ "${SCREEN_PEERS:-yes}" = no ] && continue
	command -v htop >/dev/null && run htop 'Load average' htop -d 10
	command -v btop >/dev/null && HOME="$T/btop" run btop Available btop
	command -v "$PERF" >/dev/null && run perf-top Samples "$PERF" top -F 999 -g
done

# Headless: ringside record's peak RSS, counting only and sampling: its own VmHWM at the end, from
# the memory breakdown (ru_maxrss would start from the RSS of the shell or Python that forks it).
RSECS=${RECORD_SECONDS:-5}
XDG_DATA_HOME="$T/data" RINGSIDE_DEBUG_MEMORY="$T/count.mem" "$R" record --no-samples --no-sched \
	-a --duration "$RSECS" -o "$T/count.json" >/dev/null 2>&1
XDG_DATA_HOME="$T/data" RINGSIDE_DEBUG_MEMORY="$T/record.mem" "$R" record -F 999 -g fp -a \
	--duration "$RSECS" -o "$T/sample.json" >/dev/null 2>&1
rec_count=$(awk '$2 == "peak_rss_kib" { print $3 }' "$T/count.mem" 2>/dev/null)
rec_sample=$(awk '$2 == "peak_rss_kib" { print $3 }' "$T/record.mem" 2>/dev/null)

# Medians per tool.
awk -v rec_count="${rec_count:-0}" -v rec_sample="${rec_sample:-0}" -v rsecs="$RSECS" '
function med(a, n,    i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{
	tool = $1
	for (k = 2; k <= NF; k++) {
		split($k, kv, "=")
		n[tool, kv[1]]++
		v[tool, kv[1], n[tool, kv[1]]] = kv[2]
	}
	tools[tool] = 1
}
END {
	printf "%-10s %14s %12s %14s %14s\n", "median", "first frame ms", "bytes/s", "CPU s per s", "peak RSS KiB"
	for (t in tools) {
		for (k in n) ;
		split("first_frame_ms bytes_per_s cpu_per_s peak_rss_kib", keys, " ")
		for (q = 1; q <= 4; q++) {
			m = n[t, keys[q]]
			delete a
			for (i = 1; i <= m; i++) a[i] = v[t, keys[q], i]
			r[t, q] = med(a, m)
		}
		printf "%-10s %14.0f %12.0f %14.4f %14.0f\n", t, r[t, 1], r[t, 2], r[t, 3], r[t, 4]
	}
	if (("ringside", 2) in r && ("htop", 2) in r && r["htop", 2] > 0)
		printf "ringside bytes/s / htop: %.2fx (target < 1)\n", r["ringside", 2] / r["htop", 2]
	if (("ringside", 3) in r && ("perf-top", 3) in r && r["perf-top", 3] > 0)
		printf "ringside CPU / perf top: %.2fx (target <= 0.5)\n", r["ringside", 3] / r["perf-top", 3]
	if (("ringside", 1) in r && ("btop", 1) in r)
		printf "ringside first frame: %.0f ms, btop %.0f ms (target <= btop)\n", r["ringside", 1], r["btop", 1]
	if (("ringside", 4) in r)
		printf "ringside peak RSS: %.1f MB (target <= 16)\n", r["ringside", 4] / 1024
	if (("ringside", 4) in r && ("base", 4) in r)
		printf "side by side: peak RSS %.1f MB, RINGSIDE_BASE %.1f MB; CPU s per s %.4f, base %.4f\n", \
			r["ringside", 4] / 1024, r["base", 4] / 1024, r["ringside", 3], r["base", 3]
	printf "peak RSS MB:"
	if (("ringside", 4) in r)
		printf " ringside screen %.1f,", r["ringside", 4] / 1024
	printf " record counting only %.1f, record -F 999 -g fp %.1f (%d s, system-wide)", \
		rec_count / 1024, rec_sample / 1024, rsecs
	for (t in tools)
		if (t != "ringside" && (t, 4) in r)
			printf ", %s %.1f", t, r[t, 4] / 1024
	printf "\n"
}' "$T/results"
if [ -s "$T/ringside.mem" ]; then
	echo "ringside memory at exit (last run):"
	sed 's/^/  /' "$T/ringside.mem"
fi
if [ -s "$T/base.mem" ]; then
	echo "RINGSIDE_BASE memory at exit (last run):"
	grep -v '^memory file_kib' "$T/base.mem" | sed 's/^/  /'
fi
if [ -s "$T/record.mem" ]; then
	echo "ringside record -F 999 -g fp memory at exit:"
	sed 's/^/  /' "$T/record.mem"
fi
