#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The library of runs (man ringside.1, "ringside runs"): what registration adds to a recording,
# and how long `ringside runs` takes over 10,000 runs.
#   - registration: `record -q -e task-clock --no-samples --no-sched -C 0 --duration 0.1 -o F`
#     with and without --no-save, interleaved, RUNS_ROUNDS rounds (default 10): the median wall
#     time of each and their difference, on an empty library and again on one of 10,000 runs;
#   - the library filled to RUNS_ROWS rows (default 10,000) by copying a real row with sqlite3,
#     a tenth of them tagged: `ringside runs >/dev/null` (median and best of 7, and the lines it
#     prints), `ringside runs show @last~5000` and `export @TAG` resolution.
# Prints figures, no pass/fail (the issue's target for the list is 50 ms).
# Times are wall clock, and for `runs` also its CPU time (perf stat's task-clock), which a loaded
# machine disturbs less.
# Usage: RINGSIDE=... [PERF=perf] [SQLITE3=sqlite3] [RUNS_ROUNDS=N] [RUNS_ROWS=N] sh tests/bench/runs.sh
set -u
R=${RINGSIDE:?}
PERF=${PERF:-perf}
SQ=${SQLITE3:-sqlite3}
rounds=${RUNS_ROUNDS:-10}
rows=${RUNS_ROWS:-10000}
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-runs-bench.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP
export XDG_DATA_HOME="$T/data"
DB=$XDG_DATA_HOME/ringside/runs.db
command -v "$SQ" >/dev/null || { echo "runs bench: needs $SQ (apt-get install sqlite3)"; exit 1; }

now_ns() {
	date +%s%N
}

# median: the middle of the numbers on stdin (one a line).
median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# time_ms CMD...: the wall time of CMD in milliseconds (its output discarded).
time_ms() {
	_t0=$(now_ns)
	"$@" >/dev/null 2>&1
	_t1=$(now_ns)
	echo $(((_t1 - _t0) / 1000)) | awk '{ printf "%.2f\n", $1 / 1000 }'
}

# cpu_ms CMD...: the CPU time (task-clock) of CMD in milliseconds, by perf stat; wall time
# suffers when others load the machine, CPU time much less.
cpu_ms() {
	"$PERF" stat -x, -e task-clock -o "$T/stat" -- "$@" >/dev/null 2>&1
	awk -F, '/task-clock/ { printf "%.2f\n", $1 }' "$T/stat"
}

rec() {
	"$R" record -q -e task-clock --no-samples --no-sched -C 0 --duration 0.1 -o "$T/x.json" "$@"
}

# registration LABEL: median record time with and without --no-save.
registration() {
	: >"$T/with"
	: >"$T/without"
	i=0
	while [ $i -lt "$rounds" ]; do
		time_ms rec >>"$T/with"
		time_ms rec --no-save >>"$T/without"
		i=$((i + 1))
	done
	w=$(median <"$T/with")
	wo=$(median <"$T/without")
	printf '%-34s record %8.2f ms, with --no-save %8.2f ms: registration %6.2f ms\n' \
		"$1" "$w" "$wo" "$(echo "$w $wo" | awk '{ print $1 - $2 }')"
}

echo "runs bench: $rounds rounds, $rows rows; $(nproc) CPUs, $("$SQ" --version | cut -d' ' -f1)"
registration "registration, empty library:"

# Fill to $rows by copying the newest real row.
have=$("$SQ" "$DB" 'SELECT count(*) FROM runs')
cols='start_ns, host, kernel, duration_ns, interval_ns, cwd, target_kind, target_desc, pids,
 cpus, events, sample_event, callgraph, freq, period, samples, lost, end_reason, exit_status,
 snapshot, size, hash, output, title'
t0=$(now_ns)
"$SQ" -cmd '.timeout 10000' "$DB" "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < $rows - $have)
INSERT INTO runs ($cols) SELECT $(echo "$cols" | sed 's/start_ns/start_ns + n/') FROM runs, c
 WHERE runs.id = (SELECT max(id) FROM runs);
INSERT INTO run_args (run, argv, command, env) SELECT runs.id, a.argv, a.command, a.env
 FROM runs, run_args AS a WHERE a.run = 1 AND runs.id NOT IN (SELECT run FROM run_args);
INSERT INTO tags (run, tag) SELECT id, 'tag' || (id % 1000) FROM runs WHERE id % 10 = 0;" ||
	exit 1
t1=$(now_ns)
printf 'filled to %s rows with sqlite3 in %.0f ms\n' "$("$SQ" "$DB" 'SELECT count(*) FROM runs')" \
	"$(echo $(((t1 - t0) / 1000000)))"

: >"$T/list"
for i in 1 2 3 4 5 6 7; do
	time_ms "$R" runs >>"$T/list"
done
printf 'ringside runs over %s rows: median %.2f ms, best %.2f ms (%s lines)\n' "$rows" \
	"$(median <"$T/list")" "$(sort -n "$T/list" | head -n 1)" "$("$R" runs | wc -l)"
: >"$T/cpu"
for i in 1 2 3 4 5 6 7; do
	cpu_ms "$R" runs >>"$T/cpu"
done
printf 'ringside runs over %s rows, CPU time: median %.2f ms, best %.2f ms\n' "$rows" \
	"$(median <"$T/cpu")" "$(sort -n "$T/cpu" | head -n 1)"
printf 'ringside --version (start-up alone), CPU time: %.2f ms\n' "$(cpu_ms "$R" --version)"
printf 'ringside runs show @last~5000: %.2f ms\n' "$(time_ms "$R" runs show @last~5000)"
printf 'ringside export @tag990 -o y.json (a tag among 1,000): %.2f ms\n' \
	"$(time_ms "$R" export @tag990 -o "$T/y.json")"
registration "registration, $rows runs:"
printf 'library: runs.db %s bytes\n' "$(stat -c %s "$DB")"
