#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# %-expansions in -o (util/outpath.h) as record and the live screen use them: two "ranks" started
# at once the way a launcher starts them (SLURM_PROCID, OMPI_COMM_WORLD_RANK in the environment)
# write one file each, named with the host, the rank and ringside's own pid (the pid a shell
# printed before exec'ing ringside); the summary names the expanded file; %% is a '%'; %r with no
# rank variable and an unknown %x are one-line usage errors (exit 2) that leave no file; the live
# screen writes the expanded name on quit.

. "$TESTLIB"
require_root
make_tmpdir

R=$RINGSIDE
SP=$WORKLOADS/spin
host=$(hostname)
unset OMPI_COMM_WORLD_RANK PMIX_RANK PMI_RANK SLURM_PROCID

# Two ranks at once, as srun and mpirun start them.
SLURM_PROCID=0 sh -c 'echo $$ >"$1/pid0"; exec "$2" record --no-sched -F 99 -o "$1/run-%h-%r-%p.json" \
	-- "$3" 1 --threads 1' sh "$T" "$R" "$SP" 2>"$T/r0.err" &
p0=$!
OMPI_COMM_WORLD_RANK=1 sh -c 'echo $$ >"$1/pid1"; exec "$2" record --no-sched -F 99 -o "$1/run-%h-%r-%p.json" \
	-- "$3" 1 --threads 1' sh "$T" "$R" "$SP" 2>"$T/r1.err" &
p1=$!
wait "$p0"
rc0=$?
wait "$p1"
rc1=$?
ok "$([ "$rc0" = 0 ] && [ "$rc1" = 0 ]; echo $?)" "two ranks record at once (status $rc0, $rc1)"
for k in 0 1; do
	f="$T/run-$host-$k-$(cat "$T/pid$k").json"
	check "rank $k wrote $(basename "$f")" "$JQ" -e '.meta.host' "$f"
	check "... and its summary names that file" grep -qF "wrote $f " "$T/r$k.err"
done
n=$(ls "$T"/run-*.json | wc -l)
ok "$([ "$n" = 2 ]; echo $?)" "exactly two files, one per rank ($n)"

"$R" record --no-sched -F 99 -o "$T/100%%-%h.json" -- "$SP" 0.3 --threads 1 2>"$T/pct.err"
check "%% is a '%' and %h the host" test -s "$T/100%-$host.json"

"$R" record -o "$T/run-%r.json" -- "$SP" 0.3 --threads 1 2>"$T/norank.err"
rc=$?
diag "$(cat "$T/norank.err")"
ok "$([ "$rc" = 2 ] && [ "$(wc -l <"$T/norank.err")" = 1 ] && grep -q 'SLURM_PROCID' "$T/norank.err"; echo $?)" \
	"%r without a launcher's rank: one-line usage error naming the variables (exit $rc)"
"$R" record -o "$T/run-%x.json" -- "$SP" 0.3 --threads 1 2>"$T/bad.err"
rc=$?
ok "$([ "$rc" = 2 ] && grep -q 'unknown %x' "$T/bad.err"; echo $?)" "an unknown %x: usage error (exit $rc)"
check "... neither leaves a file" sh -c "! ls '$T'/run-%r.json '$T'/run-%x.json '$T'/run-.json 2>/dev/null | grep -q ."

# The live screen expands too, and writes the expanded name on quit.
screen_start 100 30 env PMI_RANK=7 "$R" -I 250 -o "$T/live-%r-%h.json" -- "$SP" 30 --threads 1
screen_wait 'spin' 20 || diag "the screen did not show the workload"
screen_keys q
rc=$(screen_exit 15)
ok "$([ "$rc" = 0 ]; echo $?)" "the live screen quits (status $rc)"
check "... writing live-7-$host.json" "$JQ" -e '.meta.host' "$T/live-7-$host.json"
screen_stop

done_testing
