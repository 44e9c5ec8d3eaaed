#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The cost of sampling three software events at once: how much `ringside record --sample-event
# cpu-clock,page-faults,context-switches -g fp` slows the calltree workload (a fixed amount of
# work: calltree --iterations N, N calibrated to ~2 s), next to `perf record -e
# cpu-clock,page-faults,context-switches -g` in the same run, both at -F 999 (ringside's default
# rate; perf's own default, 4000 Hz, is printed too). 5 runs of each, interleaved; medians and
# minimums, and the samples each took. Prints figures, never passes or fails. Needs RINGSIDE,
# WORKLOADS and PERF (as `make bench` sets them); run as root.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${PERF:=perf}"
CT=$WORKLOADS/calltree
EV=cpu-clock,page-faults,context-switches
RUNS=5
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

t=$(wall "$CT" 0 --iterations 400)
N=$(awk -v t="$t" 'BEGIN { n = int(400 * 2.0 / (t > 0.01 ? t : 0.01)); print (n > 1 ? n : 1) }')

echo "ringside events benchmark: $(uname -r), $(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "workload: calltree 0 --iterations $N (fixed work, ~2 s), $RUNS runs of each, interleaved"
echo "ringside: $RINGSIDE record -q -F 999 -g fp --sample-event $EV -o FILE.json -- calltree ..."
echo "perf:     $PERF record -q -F 999 -g -e $EV -o FILE -- calltree ...  (and at its default rate)"
echo

bare=() rs=() pf=() pd=()
for ((i = 1; i <= RUNS; i++)); do
	bare+=("$(wall "$CT" 0 --iterations "$N")")
	rs+=("$(wall "$RINGSIDE" record -q -F 999 -g fp --sample-event "$EV" -o "$T/rs.json" -- \
		"$CT" 0 --iterations "$N")")
	pf+=("$(wall "$PERF" record -q -F 999 -g -e "$EV" -o "$T/perf.data" -- "$CT" 0 --iterations "$N")")
	pd+=("$(wall "$PERF" record -q -g -e "$EV" -o "$T/perfd.data" -- "$CT" 0 --iterations "$N")")
	printf '  run %d: bare %s s, ringside %s s, perf -F 999 %s s, perf default %s s\n' "$i" \
		"${bare[-1]}" "${rs[-1]}" "${pf[-1]}" "${pd[-1]}"
done
mb=$(median "${bare[@]}") mr=$(median "${rs[@]}") mp=$(median "${pf[@]}") md=$(median "${pd[@]}")
nb=$(minimum "${bare[@]}") nr=$(minimum "${rs[@]}") np=$(minimum "${pf[@]}") nd=$(minimum "${pd[@]}")

# Samples per event of the last run of each.
rs_n=$(jq -r '[.stacks.event + " " + (.stacks.samples | tostring)] +
	[.stacks.events[] | .event + " " + (.samples | tostring)] | join(", ")' "$T/rs.json" 2>/dev/null)
perf_n() {
	"$PERF" script -i "$1" -F event 2>/dev/null | sed 's/:.*//; s/ //g' | sort | uniq -c |
		awk '{ printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1 }'
}

echo
printf '%-34s %12s %10s %12s %10s\n' "" "median wall" "vs bare" "min wall" "vs bare"
printf '%-34s %10s s %9sx %10s s %9sx\n' "bare" "$mb" "1.0000" "$nb" "1.0000"
printf '%-34s %10s s %9sx %10s s %9sx\n' "ringside --sample-event (3) -F 999" "$mr" \
	"$(ratio "$mr" "$mb")" "$nr" "$(ratio "$nr" "$nb")"
printf '%-34s %10s s %9sx %10s s %9sx\n' "perf record -e (3) -F 999" "$mp" "$(ratio "$mp" "$mb")" \
	"$np" "$(ratio "$np" "$nb")"
printf '%-34s %10s s %9sx %10s s %9sx\n' "perf record -e (3), default rate" "$md" \
	"$(ratio "$md" "$mb")" "$nd" "$(ratio "$nd" "$nb")"
printf '%-34s %23sx %22sx\n' "ringside / perf (-F 999)" "$(ratio "$mr" "$mp")" "$(ratio "$nr" "$np")"
echo
echo "samples of the last run: ringside: ${rs_n:-?}"
echo "                         perf -F 999: $(perf_n "$T/perf.data")"
echo "                         perf default: $(perf_n "$T/perfd.data")"
echo
echo "target: ringside's slowdown <= perf's at the same rate"
