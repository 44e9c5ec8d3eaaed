#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Soak: ringside records the whole machine at 999 Hz with call stacks for SOAK_SECONDS (default
# 1800) beside a busy workload (spin on every CPU) and a stream of short-lived processes, as a
# build runs its compilers: each run is a fresh copy of a small program (a new file, inode and
# pid every time, deleted after it exits) under one of SOAK_NAMES names (default 16) in turn. It
# prints ringside's RSS over time; after warm-up it should stay flat: exited tasks fold by name,
# modules no process maps are unloaded (kept 10 s idle first). SOAK_NAMES=0 gives every run a name of its own: then the
# stack tree grows until its node cap (64K nodes, under 4.5 MiB) and stays there. make bench runs 60 s.
# At the end it prints ringside's memory breakdown (RINGSIDE_DEBUG_MEMORY, src/app/session_memory.c),
# the counts of every part each SOAK_STEP s (RINGSIDE_DEBUG_MEMORY_EVERY: tree nodes, frames,
# strings, tasks, scheduler map, modules...) and each one's growth per minute after warm-up, so a
# part that grows shows by name. On a machine others share, SOAK_SPIN=0 leaves the spinners out
# (their load changes nothing the soak is after: the short-lived binaries are what comes and goes).
# Beside them a compiler runs, as in a build: the C files of tests/workloads compiled one after
# another with cc -O2 -c, over and over (SOAK_CC=0: none). Debian's cc1 is stripped, so its code
# shows as "cc1+0xOFF" frames: one per function (its unwind table's start), never one per address.
# Usage: RINGSIDE=... WORKLOADS=... [SOAK_SECONDS=N] [SOAK_STEP=N] [SOAK_NAMES=N] [SOAK_SPIN=N]
#        [SOAK_CC=0|1] sh tests/bench/soak.sh
set -u
R=${RINGSIDE:?} W=${WORKLOADS:?}
secs=${SOAK_SECONDS:-1800}
step=${SOAK_STEP:-$((secs / 20 > 5 ? secs / 20 : 5))}
ncpu=$(nproc)
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-soak.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# SOAK_SPIN spinner threads (default one per CPU; 0 for none, on a shared machine).
spin=${SOAK_SPIN:-$ncpu}
if [ "$spin" -gt 0 ]; then
	"$W/spin" $((secs + 30)) --threads "$spin" >/dev/null 2>&1 &
	pids="$pids $!"
fi
names=${SOAK_NAMES:-16}
# Short-lived binaries: a new copy (new inode) every time, its name cycling through $names.
(
	i=0
	while :; do
		i=$((i + 1))
		n=$i
		[ "$names" -gt 0 ] && n=$((i % names))
		cp "$W/pagetouch" "$T/prog$n" && "$T/prog$n" 20000 >/dev/null 2>&1
		rm -f "$T/prog$n"
	done
) &
pids="$pids $!"
# The compiler: a build's cc1 processes, each short-lived, from one stripped binary.
src=$(cd "$(dirname "$0")/../workloads" 2>/dev/null && pwd)
cc=${SOAK_CC:-1}
if [ "$cc" = 1 ] && [ -n "$src" ] && command -v "${CC:-cc}" >/dev/null; then
	(
		while :; do
			for f in "$src"/*.c; do
				"${CC:-cc}" -O2 -c -o "$T/cc.o" "$f" >/dev/null 2>&1
			done
		done
	) &
	pids="$pids $!"
else
	cc=0
fi

# A parent that waits for ringside alone, so its peak RSS (writing the snapshot at the end too) is
# its children's ru_maxrss.
"${PYTHON3:-python3}" -c '
import resource, subprocess, sys
p = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=open(sys.argv[1] + ".err", "w"))
open(sys.argv[1] + ".pid", "w").write(str(p.pid))
rc = p.wait()
open(sys.argv[1] + ".peak", "w").write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(rc)' "$T/soak" env RINGSIDE_DEBUG_MEMORY=1 RINGSIDE_DEBUG_MEMORY_EVERY="$step" "$R" record -a -F 999 -g fp -I 1000 --duration "$secs" -o "$T/soak.json" &
wpid=$!
pids="$pids $wpid"
warm=${SOAK_WARMUP:-$((secs / 10))}
echo "soak: ringside record -a -F 999 -g fp for $secs s beside spin x$spin, short-lived binaries (SOAK_NAMES=$names) and a compiler (SOAK_CC=$cc); warm-up $warm s"
for _ in $(seq 50); do
	[ -s "$T/soak.pid" ] && break
	sleep 0.1
done
rpid=$(cat "$T/soak.pid" 2>/dev/null)
pids="$pids $rpid"
printf '%8s %10s %10s\n' "time_s" "rss_kib" "cpu_s"
t=0 t_start=$(date +%s)
first= last=
while [ -n "$rpid" ] && kill -0 "$rpid" 2>/dev/null; do
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$rpid/status" 2>/dev/null)
	cpu=$(awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$rpid/stat" 2>/dev/null)
	# From --duration on, ringside writes the snapshot and frees: not the steady state.
	if [ -n "$rss" ] && [ -n "$cpu" ] && [ "$t" -lt "$secs" ]; then
		printf '%8d %10s %10s\n' "$t" "$rss" "$cpu"
		[ -z "$first" ] && [ "$t" -ge "$warm" ] && first=$rss ft=$t
		last=$rss lt=$t
	fi
	sleep "$step"
	t=$(($(date +%s) - t_start)) # the time that passed (a sample takes a moment too)
done
wait "$wpid"
echo "soak: ringside exited $?; RSS at $ft s (after warm-up) ${first:-?} KiB, at $lt s ${last:-?} KiB," \
	"peak (writing the snapshot included) $(cat "$T/soak.peak" 2>/dev/null || echo ?) KiB"
if [ -n "$first" ] && [ -n "$last" ] && [ "$lt" -gt "$ft" ]; then
	echo "soak: after warm-up: $((last - first)) KiB in $((lt - ft)) s," \
		"$(((last - first) * 60 / (lt - ft))) KiB/min"
fi
grep -E 'samples|lost|wrote|^memory ' "$T/soak.err" | sed 's/^/soak: /'
# The breakdown every SOAK_STEP s (RINGSIDE_DEBUG_MEMORY_EVERY): each part's count at the first
# line after warm-up, at the last, and its growth per minute in between.
grep '^memory_at ' "$T/soak.err" | sed 's/^/soak: /'
grep '^memory_at ' "$T/soak.err" | awk -v warm="$warm" '
	$2 >= warm && !n0 { n0 = NF; t0 = $2; for (i = 3; i < NF; i += 2) a[$i] = $(i + 1) }
	{ t1 = $2; for (i = 3; i < NF; i += 2) b[$i] = $(i + 1); line = $0 }
	END {
		if (!n0 || t1 <= t0) exit
		printf "soak: growth after warm-up (%d s to %d s), per minute:\n", t0, t1
		split(line, f, " ")
		for (i = 3; i < length(f); i += 2)
			printf "soak:   %-16s %10s -> %10s  %+10.1f/min\n", f[i], a[f[i]], b[f[i]],
				(b[f[i]] - a[f[i]]) * 60 / (t1 - t0)
	}'
echo "soak: the time index (memory timeline_kib above) is bounded: at most 131072 entries of 12 bytes" \
	"(1.5 MiB), older history coarsened when full (ringside-snapshot(5), stacks.timeline)"
echo "soak: the address table (memory addrtab_kib above, for annotate and hot lines) is bounded: at most" \
	"65536 pairs (2.5 MiB), its colder half given back when full (addrs_epoch counts those compactions)"
