#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The cost of off-CPU stacks on a switch-heavy workload: `pingpong N` (two threads pinned to one
# CPU passing a byte N round trips: ~2N context switches) launched under each tool, its wall time
# next to its time alone, in the same run:
#   - alone
#   - ringside record --no-off-cpu -o X.json   (counters, samples, the scheduler timeline)
#   - ringside record -o X.json                (the same plus off-CPU stacks: the default for a
#                                              command; sched_switch records carry the user
#                                              part of the call chain)
#   - ringside record --off-cpu-kernel         (off-CPU stacks with their kernel frames too)
#   - perf record -e sched:sched_switch -g     (perf 6.1 here has no --off-cpu: no BPF skeleton;
#                                              where it has, perf record --off-cpu is run too)
#   - perf record with what ringside records   (the switch tracepoint with call chains, switch
#                                              records, the other sched tracepoints without, and
#                                              cpu-clock at 999 Hz: the same data, perf's cost)
# The figure that matters is each slowdown (wall time / alone); ringside's off-CPU stacks should
# cost no more than perf's switch records with call graphs. Also printed: pingpong's own CPU
# seconds (user + system: the tools' kernel work is charged to it, and it varies less than wall
# time on a shared machine) and their excess over the bare run in microseconds per switch, the
# tool's CPU seconds (from `times` of its bash), the off-CPU stacks' own cost (ringside with them
# less ringside without), the switch-outs ringside recorded, perf's samples and size.
# BENCH_OFFCPU_N round trips (default 100000), BENCH_OFFCPU_RUNS rounds (default 3), medians;
# pingpong runs on CPU BENCH_OFFCPU_CPU (default the last).
# For processes ringside opens only the switch and wake-up tracepoints (every event a thread
# carries is scheduled out and in at each of its switches; an exec comes from the COMM record);
# perf_same opens all seven, as ringside system-wide does.
# BENCH_OFFCPU_PARTS=1 adds ringside with parts switched off, to see what each costs:
# --no-samples (the timeline alone), --no-sched (counters and samples), --no-samples --no-sched
# (the counters alone), and a table of each part's cost per switch (counters, samples, the
# timeline, the off-CPU stacks; each the difference of two recordings) next to perf's.
# RINGSIDE_BASE=BINARY adds that ringside's default recording to every round (a before/after
# comparison on one machine, interleaved), and its total beside the parts.
# BENCH_OFFCPU_TAGS="alone rs_off ..." runs those only (alone is always run). On a machine others
# load, rounds differ by more than the figures compared: the paired lines at the end give the
# median over rounds of each round's difference, and its spread (lowest and highest).
# Tried and dropped (2026-12): stacks taken by BPF and summed in the kernel, as perf --off-cpu does.
# A tp_btf/sched_switch program (a per-thread switch-out slot, bpf_get_stackid kernel and user into
# a STACK_TRACE map, waits summed in a hash keyed by tid, stacks, state) measured here by this
# method, medians of 7 interleaved, pingpong's CPU us per switch, three runs on a loaded 2-CPU VM:
# the program with no stacks 0.9-1.2; with both stacks 4.43, 3.08, 4.26 against perf's sched_switch
# -g 6.51, 4.57, 4.25 (cheaper, or level); but wrapping ringside --no-off-cpu (so also on its own
# few switches) in place of the callchains it cost 3.72, 2.97, 3.38 where the callchains cost 3.78,
# 1.99, 2.85 (ringside in all 11.42, 6.26, 11.08 with it; 11.48, 5.28, 10.55 as it is). The cost is
# the stack walk, which bpf_get_stackid does as the callchain does; BPF saves only the callchain's
# ring write, less than its own trampoline and maps cost. A task-storage slot instead of the hash
# saved ~0.3; a BPF ring-buffer record per switch-in (to stand in for the switch records) cost ~1.6
# in one run. In one 5-round run the walks split as user stack ~1.0, kernel stack ~1.0 (no stacks
# 1.05, user 2.09, both 3.04): a user-only program would cost about what the callchains do.
# User-only off-CPU stacks (the default since 2026-12; --off-cpu-kernel for the kernel frames), by
# this method with BENCH_OFFCPU_N=30000 BENCH_OFFCPU_TAGS="rs_off rs_kern perf_sw", paired medians,
# pingpong's CPU us per switch, three runs on a loaded 2-CPU VM (21, 31, 25 rounds): user-only
# less --off-cpu-kernel -1.05 (spread -9.4 to 3.9), -1.32 (-7.1 to 3.4), -1.15 (-7.1 to 1.1);
# --off-cpu-kernel less the ringside before it 0.02 (the same recording); user-only less perf
# sched_switch -g 0.42 (-2.9 to 6.3; wall slowdown medians 1.91 against perf's 1.99), 2.98 in the
# busier run (-1.1 to 8.4), 0.50 (-1.9 to 5.9; wall 1.17 of perf's). Closer, not yet level: the
# rest is the switch records and the wake-ups (see ringside(1), OFF-CPU TIME).
# Prints figures, never passes or fails. Needs RINGSIDE, WORKLOADS, PERF; run as root.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${PERF:=perf}" "${JQ:=jq}"
: "${BENCH_OFFCPU_N:=100000}" "${BENCH_OFFCPU_RUNS:=3}" "${BENCH_OFFCPU_CPU:=$(($(getconf _NPROCESSORS_ONLN) - 1))}"
# pingpong pins its threads to the first CPU it may use: taskset chooses which.
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
PP=(bash -c "t0=\$EPOCHREALTIME; taskset -c $BENCH_OFFCPU_CPU $WORKLOADS/pingpong \"\$1\";
	echo \$t0 \$EPOCHREALTIME >$T/span; times >$T/pptimes" sh)
exec 9>>"${TMPDIR:-/tmp}/ringside-live-cpu.lock"
flock -w 300 9 || echo "(no CPU lock after 300 s; running anyway, figures may suffer)"

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }
secs() { echo "$1" | awk -F'[ms]' '{ printf "%.3f", $1 * 60 + $2 }'; }

# run TAG CMD...: CMD launches $PP (a bash that times pingpong itself, so the tools' start-up is
# not counted); sets WALL (pingpong's own seconds), PPCPU (pingpong's user + system s) and CPU
# (the tool's user + system s with pingpong's: subtract the bare run's to compare).
run() {
	local tag=$1
	shift
	rm -f "$T/span" "$T/pptimes"
	X="$T/$tag.times" bash -c '"$@" >/dev/null 2>"$X.err"; times >"$X"' sh "$@"
	WALL=$(awk '{ printf "%.3f", $2 - $1 }' "$T/span" 2>/dev/null)
	PPCPU=$(awk 'NR == 2 { print $1, $2 }' "$T/pptimes" 2>/dev/null | while read -r u s; do
		awk -v u="$(secs "$u")" -v s="$(secs "$s")" 'BEGIN { printf "%.3f", u + s }'
	done)
	CPU=$(awk 'NR == 2 { print $1, $2 }' "$T/$tag.times" | while read -r u s; do
		awk -v u="$(secs "$u")" -v s="$(secs "$s")" 'BEGIN { printf "%.3f", u + s }'
	done)
}

PERF_OFFCPU=
# perf 6.1 without BPF takes --off-cpu and says "option `off-cpu' is being ignored".
"$PERF" record --off-cpu -o "$T/probe.data" -- true >/dev/null 2>"$T/probe.err" &&
	! grep -q ignored "$T/probe.err" && PERF_OFFCPU=1
# perf with ringside's data: -c 1 for the tracepoints, cpu-clock at 999 Hz, call chains on the
# switch tracepoint (and the samples) only.
NOCG=/call-graph=no/
PERF_SAME=("$PERF" record -q -c 1 -g --switch-events -e cpu-clock/freq=999/ -e sched:sched_switch
	-e "sched:sched_wakeup$NOCG" -e "sched:sched_wakeup_new$NOCG"
	-e "sched:sched_migrate_task$NOCG" -e "sched:sched_process_exec$NOCG"
	-e "sched:sched_process_fork$NOCG" -e "sched:sched_process_exit$NOCG" -o "$T/perfsame.data" --)
TAGS="alone rs_nooff rs_off rs_kern perf_sw perf_same"
[ -n "$PERF_OFFCPU" ] && TAGS="$TAGS perf_off"
[ "${BENCH_OFFCPU_PARTS:-0}" = 1 ] && TAGS="$TAGS rs_nosamp rs_nosched rs_count"
[ -n "${RINGSIDE_BASE:-}" ] && TAGS="$TAGS rs_base"
[ -n "${BENCH_OFFCPU_TAGS:-}" ] && TAGS="alone ${BENCH_OFFCPU_TAGS//alone/}"
declare -A W C P PR PW
for ((r = 0; r < BENCH_OFFCPU_RUNS; r++)); do
	for tag in $TAGS; do
		case $tag in
		alone) run "$tag" "${PP[@]}" "$BENCH_OFFCPU_N" ;;
		rs_nooff) run "$tag" "$RINGSIDE" record -q --no-save --no-off-cpu -o "$T/nooff.json" -- \
			"${PP[@]}" "$BENCH_OFFCPU_N" ;;
		rs_off) run "$tag" "$RINGSIDE" record -q --no-save -o "$T/off.json" -- "${PP[@]}" \
			"$BENCH_OFFCPU_N" ;;
		rs_kern) run "$tag" "$RINGSIDE" record -q --no-save --off-cpu-kernel -o "$T/kern.json" -- \
			"${PP[@]}" "$BENCH_OFFCPU_N" ;;
		perf_sw) run "$tag" "$PERF" record -q -e sched:sched_switch -g -o "$T/perf.data" -- \
			"${PP[@]}" "$BENCH_OFFCPU_N" ;;
		perf_same) run "$tag" "${PERF_SAME[@]}" "${PP[@]}" "$BENCH_OFFCPU_N" ;;
		perf_off) run "$tag" "$PERF" record -q --off-cpu -o "$T/perfoff.data" -- \
			"${PP[@]}" "$BENCH_OFFCPU_N" ;;
		rs_nosamp) run "$tag" "$RINGSIDE" record -q --no-save --no-samples -o "$T/part.json" -- \
			"${PP[@]}" "$BENCH_OFFCPU_N" ;;
		rs_nosched) run "$tag" "$RINGSIDE" record -q --no-save --no-sched -o "$T/part.json" -- \
			"${PP[@]}" "$BENCH_OFFCPU_N" ;;
		rs_count) run "$tag" "$RINGSIDE" record -q --no-save --no-samples --no-sched \
			-o "$T/part.json" -- "${PP[@]}" "$BENCH_OFFCPU_N" ;;
		rs_base) run "$tag" "$RINGSIDE_BASE" record -q --no-save -o "$T/base.json" -- "${PP[@]}" \
			"$BENCH_OFFCPU_N" ;;
		esac
		if [ -z "$WALL" ]; then
			echo "round $r $tag failed: $(tail -n 2 "$T/$tag.times.err" | tr '\n' ' ')"
			continue
		fi
		W[$tag]="${W[$tag]:-} $WALL"
		C[$tag]="${C[$tag]:-} $CPU"
		P[$tag]="${P[$tag]:-} ${PPCPU:-0}"
		PR[$r,$tag]=${PPCPU:-0}
		PW[$r,$tag]=$WALL
		printf 'round %d %-9s wall %7.3f s  pingpong cpu %7.3f s  cpu %7.3f s\n' "$r" "$tag" \
			"$WALL" "${PPCPU:-0}" "$CPU"
	done
done

A=$(median ${W[alone]})
AC=$(median ${C[alone]})
AP=$(median ${P[alone]})
echo
echo "pingpong $BENCH_OFFCPU_N (~$((2 * BENCH_OFFCPU_N)) switches), medians of $BENCH_OFFCPU_RUNS:"
printf '%-38s %7s %9s %8s %12s %10s\n' tool wall_s slowdown pp_cpu_s us/switch tool_cpu_s
for tag in $TAGS; do
	w=$(median ${W[$tag]})
	c=$(median ${C[$tag]})
	p=$(median ${P[$tag]})
	case $tag in
	alone) name="pingpong alone" ;;
	rs_nooff) name="ringside record --no-off-cpu" ;;
	rs_off) name="ringside record (off-CPU, user stacks)" ;;
	rs_kern) name="ringside record --off-cpu-kernel" ;;
	perf_sw) name="perf record -e sched:sched_switch -g" ;;
	perf_off) name="perf record --off-cpu" ;;
	perf_same) name="perf record, ringside's data" ;;
	rs_nosamp) name="ringside record --no-samples" ;;
	rs_nosched) name="ringside record --no-sched" ;;
	rs_count) name="ringside --no-samples --no-sched" ;;
	rs_base) name="RINGSIDE_BASE record (off-CPU)" ;;
	esac
	printf '%-38s %7.3f %9s %8.3f %12s %10s\n' "$name" "$w" "$(ratio "$w" "$A")" "$p" \
		"$(awk -v p="$p" -v a="$AP" -v n="$BENCH_OFFCPU_N" 'BEGIN { printf "%.2f", (p - a) * 1e6 / (2 * n) }')" \
		"$(awk -v c="$c" -v a="$AC" 'BEGIN { printf "%.3f", c - a }')"
done
[[ " $TAGS " == *" rs_nooff "* ]] &&
	awk -v on="$(median ${P[rs_off]})" -v off="$(median ${P[rs_nooff]})" \
		-v pf="$(median ${P[perf_sw]:-$AP})" -v a="$AP" -v n="$BENCH_OFFCPU_N" 'BEGIN {
		printf "off-CPU stacks alone: ringside %.2f us per switch (with less without them), perf %.2f\n",
			(on - off) * 1e6 / (2 * n), (pf - a) * 1e6 / (2 * n) }'
# paired A B: the median over rounds of A's pingpong CPU less B's in the same round, per switch in
# us, with the lowest and highest, and of A's wall time over B's (rounds where either failed are
# left out).
paired() {
	local d=() q=() r
	for ((r = 0; r < BENCH_OFFCPU_RUNS; r++)); do
		[ -n "${PR[$r,$1]:-}" ] && [ -n "${PR[$r,$2]:-}" ] || continue
		d+=("$(awk -v a="${PR[$r,$1]}" -v b="${PR[$r,$2]}" -v n="$BENCH_OFFCPU_N" \
			'BEGIN { printf "%.3f", (a - b) * 1e6 / (2 * n) }')")
		q+=("$(ratio "${PW[$r,$1]}" "${PW[$r,$2]}")")
	done
	[ ${#d[@]} -gt 0 ] || return 0
	printf '  %-8s less %-8s %6.2f us/switch (%d rounds, %s to %s); wall %s of it (%s to %s)\n' \
		"$1" "$2" "$(median "${d[@]}")" ${#d[@]} "$(printf '%s\n' "${d[@]}" | sort -g | head -n 1)" \
		"$(printf '%s\n' "${d[@]}" | sort -g | tail -n 1)" "$(median "${q[@]}")" \
		"$(printf '%s\n' "${q[@]}" | sort -g | head -n 1)" \
		"$(printf '%s\n' "${q[@]}" | sort -g | tail -n 1)"
}
echo "paired by round (medians of each round's CPU difference and wall ratio, lowest to highest):"
for pair in "rs_off alone" "perf_sw alone" "rs_off perf_sw" "rs_kern perf_sw" "rs_off rs_kern" \
	"rs_off rs_base" "rs_kern rs_base"; do
	set -- $pair
	[[ " $TAGS " == *" $1 "* && " $TAGS " == *" $2 "* ]] && paired "$1" "$2"
done
[ -n "$PERF_OFFCPU" ] || echo "(this perf has no --off-cpu: no BPF skeleton; compared with sched_switch -g)"
# us per switch of pingpong's CPU time between two tags' medians (tag "alone" is the bare run).
per_switch() {
	awk -v a="$(median ${P[$1]})" -v b="$(median ${P[$2]})" -v n="$BENCH_OFFCPU_N" \
		'BEGIN { printf "%.2f", (a - b) * 1e6 / (2 * n) }'
}
if [ "${BENCH_OFFCPU_PARTS:-0}" = 1 ]; then
	echo
	echo "per switch, pingpong's CPU us (medians; each part the difference of two recordings):"
	printf '  %-50s %6s\n' "counters (--no-samples --no-sched)" "$(per_switch rs_count alone)" \
		"cpu-clock samples (--no-sched less that)" "$(per_switch rs_nosched rs_count)" \
		"scheduler timeline (--no-off-cpu less --no-sched)" "$(per_switch rs_nooff rs_nosched)" \
		"off-CPU stacks (default less --no-off-cpu)" "$(per_switch rs_off rs_nooff)" \
		"ringside in all (default)" "$(per_switch rs_off alone)"
	[ -n "${RINGSIDE_BASE:-}" ] &&
		printf '  %-50s %6s\n' "RINGSIDE_BASE in all (before)" "$(per_switch rs_base alone)"
	printf '  %-50s %6s\n' "perf record -e sched:sched_switch -g" "$(per_switch perf_sw alone)"
fi
echo
[ -f "$T/off.json" ] && echo "ringside's last snapshot: $("$JQ" -r '"\(.sched.switches // 0) switches, \(.stacks.lost) lost, off-CPU time \(([.stacks.offcpu[] | select(.[0] == 0) | .[3]] | add // 0) / 1e9) s"' "$T/off.json")"
[ -f "$T/perf.data" ] && echo "perf's last perf.data: $(du -k "$T/perf.data" | cut -f1) KiB; samples: $("$PERF" report -i "$T/perf.data" --stdio 2>/dev/null | sed -n 's/^# Samples: \([^ ]*\).*/\1/p' | head -n 1)"
