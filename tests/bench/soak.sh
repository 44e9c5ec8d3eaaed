#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Soak: ringside records the whole machine at 999 Hz with call stacks for SOAK_SECONDS (default
# 1800) beside a busy workload (spin on every CPU) and a stream of short-lived processes, as a
# build runs its compilers: each run is a fresh copy of a small program (a new file, inode and
# pid every time, deleted after it exits) under one of SOAK_NAMES names (default 16) in turn. It
# prints ringside's RSS over time; after warm-up it should stay flat: exited tasks fold by name,
# modules no process maps are unloaded. SOAK_NAMES=0 gives every run a name of its own: then the
# stack tree grows until its node cap (512K nodes, ~35 MiB) and stays there. make bench runs 60 s.
# Usage: RINGSIDE=... WORKLOADS=... [SOAK_SECONDS=N] [SOAK_STEP=N] [SOAK_NAMES=N]
#        sh tests/bench/soak.sh
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

"$W/spin" $((secs + 30)) --threads "$ncpu" >/dev/null 2>&1 &
pids="$pids $!"
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

"$R" record -a -F 999 -g fp -I 1000 --duration "$secs" -o "$T/soak.json" >/dev/null \
	2>"$T/soak.err" &
rpid=$!
echo "soak: ringside record -a -F 999 -g fp for $secs s beside spin x$ncpu and short-lived binaries (SOAK_NAMES=$names)"
printf '%8s %10s %10s\n' "time_s" "rss_kib" "cpu_s"
t=0
first=
while kill -0 "$rpid" 2>/dev/null; do
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$rpid/status" 2>/dev/null)
	cpu=$(awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$rpid/stat" 2>/dev/null)
	[ -n "$rss" ] && printf '%8d %10s %10s\n' "$t" "$rss" "$cpu"
	[ -z "$first" ] && [ "$t" -ge "$step" ] && first=$rss
	last=$rss
	sleep "$step"
	t=$((t + step))
done
wait "$rpid"
echo "soak: ringside exited $?; RSS after warm-up ${first:-?} KiB, at the end ${last:-?} KiB"
grep -E 'samples|lost|wrote' "$T/soak.err" | sed 's/^/soak: /'
