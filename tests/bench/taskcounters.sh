#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The cost of per-task counters: ringside's own CPU time (user + system, from /usr/bin/time) while
# it counts 100 live threads (`spin S --threads 100`), next to the same recording without them
# (--task-counters 0), and next to tiptop (the per-task counter table ringside's follows) watching
# the same process in batch mode, in the same run (the spinners niced to 19):
#   - ringside record -p PID --task-counters 0   (counters, samples, scheduler timeline)
#   - ringside record -p PID                     (the same plus a counting group per thread)
#   - ringside record -a --task-counters 100     (system-wide, the 100 busiest threads)
#   - tiptop -b -p PID                           (where it runs: it needs a PMU, its start-up
#                                                check opens cycles; without one it exits at once
#                                                and the line says so)
# Each for BENCH_TASKS_S seconds (default 10) at the default 1 s interval. Printed: CPU seconds
# per second of recording, and how many threads each table holds. Prints figures, never passes or fails. Needs
# RINGSIDE and WORKLOADS; run as root.
[ -n "$BASH_VERSION" ] || exec bash "$0" "$@"
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${BENCH_TASKS_S:=10}" "${JQ:=jq}"
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
SP=
trap '[ -n "$SP" ] && kill "$SP" 2>/dev/null; rm -rf "$T"' EXIT
exec 9>>"${TMPDIR:-/tmp}/ringside-live-cpu.lock"
flock -w 300 9 || echo "(no CPU lock after 300 s; running anyway, figures may suffer)"

# Niced: 100 spinners would otherwise leave the tools a hundredth of a CPU each to start with.
nice -n 19 "$WORKLOADS/spin" $((4 * BENCH_TASKS_S + 60)) --threads 100 &
SP=$!
sleep 1
echo "spin: PID $SP, $(ls /proc/$SP/task | wc -l) threads; ${BENCH_TASKS_S} s per tool"

# cost TAG CMD...: run CMD under /usr/bin/time; prints its CPU seconds per second recorded ($D: the
# wall time also holds the start-up, which 100 spinners on a small machine make long).
cost() {
	_tag=$1
	shift
	/usr/bin/time -f '%U %S %e' -o "$T/time" "$@" >"$T/out" 2>"$T/err"
	_rc=$?
	read -r u s e <"$T/time" 2>/dev/null || { u=0 s=0 e=0; }
	awk -v t="$_tag" -v u="$u" -v s="$s" -v e="$e" -v rc="$_rc" -v d="$D" 'BEGIN {
		printf "%-36s %6.3f CPU s per s recorded  (user %.2f s, system %.2f s, wall %.1f s, exit %d)\n",
			t, (u + s) / d, u, s, e, rc }'
}

D=$BENCH_TASKS_S
cost "ringside -p, --task-counters 0" "$RINGSIDE" record --no-save -q --duration "$D" \
	--task-counters 0 -p "$SP" -o "$T/a.json"
cost "ringside -p, every thread" "$RINGSIDE" record --no-save -q --duration "$D" \
	-p "$SP" -o "$T/b.json"
echo "  threads in the table: $("$JQ" '.task_counters.tasks | length' "$T/b.json" 2>/dev/null)"
cost "ringside -a, --task-counters 100" "$RINGSIDE" record --no-save -q --duration "$D" \
	--task-counters 100 -a -o "$T/c.json"
echo "  tasks in the table: $("$JQ" '.task_counters.tasks | length' "$T/c.json" 2>/dev/null)," \
	"counted at the end: $("$JQ" '[.task_counters.tasks[] | select(.state == "live")] | length' \
		"$T/c.json" 2>/dev/null)"
if command -v tiptop >/dev/null 2>&1; then
	cost "tiptop -b -p PID" timeout $((D + 5)) tiptop -b -d 1 -n "$D" -p "$SP"
	if [ "$(wc -l <"$T/out")" -lt 2 ]; then
		echo "  tiptop printed nothing: $(head -n 1 "$T/err")" \
			"(its start-up check opens cycles; this machine has no PMU)"
	fi
else
	echo "tiptop: not installed (./install-deps.sh installs it)"
fi
