#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The cost of --mem (page-fault addresses) on the page-fault workload, next to perf's equivalent
# in the same run, and the snapshot's bytes per sample. Prints figures, never passes or fails.
# Needs RINGSIDE, WORKLOADS and PERF (as `make bench` sets them); run as root.
#
# Workload: memsweep (256 MiB swept, 64 MiB touched at random: 81920 page faults), which prints
# the seconds its touching took. BENCH_MEM_RUNS rounds (default 3), interleaved:
#   - bare:     memsweep alone
#   - ringside: ringside record --mem -q -o X.json -- memsweep  (every fault, fp call stacks,
#               plus the default counters and scheduler timeline)
#   - perf:     perf record -e page-faults -c 1 -d -g -o X.data -- memsweep  (every fault, its
#               data address, fp call stacks)
# Per tool (medians): the workload's slowdown (its touching time under the tool over the bare
# one), CPU seconds (user + system of the tool and the workload it reaped, from bash's `times`), the
# samples, and the output's bytes per sample: the whole snapshot, its "mem" object alone, and
# perf.data. Target: ringside's slowdown <= perf's.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${PERF:=perf}" "${JQ:=jq}" "${BENCH_MEM_RUNS:=3}"
MS=$WORKLOADS/memsweep
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
exec 9>>"${TMPDIR:-/tmp}/ringside-live-cpu.lock"
flock -w 300 9 || echo "(no CPU lock after 300 s; running anyway, figures may suffer)"

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
secs() { echo "$1" | awk -F'[ms]' '{ printf "%.3f", $1 * 60 + $2 }'; }

# run TAG CMD...: CMD under its own bash; sets ELAPSED (the workload's) and CPU (the command's).
run() {
	local tag=$1
	shift
	bash -c '"$@" >"$0.out" 2>"$0.err"; times >"$0.times"' "$T/$tag" "$@"
	ELAPSED=$(awk '$1 == "elapsed" { print $2 }' "$T/$tag.out")
	CPU=$(awk 'NR == 2 { print $1 " " $2 }' "$T/$tag.times" | {
		read -r u s
		awk -v u="$(secs "$u")" -v s="$(secs "$s")" 'BEGIN { printf "%.3f", u + s }'
	})
}

have_perf=1
"$PERF" record -e page-faults -c 1 -d -o "$T/probe.data" -- true >/dev/null 2>&1 || have_perf=0
bare=() rs=() rs_cpu=() pf=() pf_cpu=()
for ((i = 1; i <= BENCH_MEM_RUNS; i++)); do
	run bare "$MS"
	bare+=("$ELAPSED")
	run rs "$RINGSIDE" record --mem -q -o "$T/m.json" -- "$MS"
	rs+=("$ELAPSED") rs_cpu+=("$CPU")
	rs_samples=$("$JQ" .mem.total "$T/m.json")
	rs_bytes=$(stat -c %s "$T/m.json")
	rs_mem_bytes=$("$JQ" -c .mem "$T/m.json" | wc -c)
	line="round $i: bare ${bare[-1]} s, ringside ${rs[-1]} s (cpu $CPU s, $rs_samples samples, $rs_bytes bytes)"
	if [ "$have_perf" = 1 ]; then
		run perf "$PERF" record -e page-faults -c 1 -d -g -o "$T/p.data" -- "$MS"
		pf+=("$ELAPSED") pf_cpu+=("$CPU")
		pf_bytes=$(stat -c %s "$T/p.data")
		pf_samples=$(grep -o '([0-9]* samples)' "$T/perf.err" | tr -dc 0-9)
		line="$line, perf ${pf[-1]} s (cpu $CPU s, ${pf_samples:-?} samples, $pf_bytes bytes)"
	fi
	echo "$line"
done

B=$(median "${bare[@]}")
echo
echo "memsweep touching time, median of $BENCH_MEM_RUNS: bare $B s"
printf '%-10s %10s %10s %10s %12s\n' tool "time s" slowdown "cpu s*" "bytes/sample"
printf '%-10s %10s %10s %10s %12s\n' ringside "$(median "${rs[@]}")" \
	"$(ratio "$(median "${rs[@]}")" "$B")" "$(median "${rs_cpu[@]}")" \
	"$(ratio "$rs_bytes" "$rs_samples")"
echo "           (the mem object alone: $(ratio "$rs_mem_bytes" "$rs_samples") bytes/sample; the log keeps $("$JQ" '.mem.log.t_us | length' "$T/m.json") entries)"
echo "           (* cpu: the tool's and the workload's together; bare memsweep's is in each)"
if [ "$have_perf" = 1 ]; then
	printf '%-10s %10s %10s %10s %12s\n' perf "$(median "${pf[@]}")" \
		"$(ratio "$(median "${pf[@]}")" "$B")" "$(median "${pf_cpu[@]}")" \
		"$(ratio "$pf_bytes" "${pf_samples:-0}")"
	echo "target: ringside's slowdown <= perf's"
else
	echo "perf record -e page-faults -d does not run here: no comparison"
fi
