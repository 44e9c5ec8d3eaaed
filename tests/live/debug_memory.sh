#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# RINGSIDE_DEBUG_MEMORY (for the benchmarks, not in the user documentation): a system-wide record
# with call stacks and the variable naming a file appends where its memory went to that file at
# its end: the resident set by kind of mapping, malloc's bytes, and one line per part, the stack
# tree, its time index, the scheduler map, the address table (its count and cap) and kallsyms
# holding something after a second of a busy machine; "1" prints the same lines on standard
# error; without the variable nothing of it is printed. RINGSIDE_DEBUG_MEMORY_EVERY=SECONDS adds a
# line of counts that far apart while it records (tree nodes, frames, tasks, scheduler map,
# modules, the journal's writer), as tests/bench/soak.sh reads them; the breakdown at the end then
# has the journal's writer as it was at its last interval.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
cd "$T" || exit 1
"$WORKLOADS/spin" 3 >/dev/null 2>&1 &
spin=$!

RINGSIDE_DEBUG_MEMORY="$T/mem.txt" "$R" record -a -F 499 -g fp --duration 1 -o a.json 2>a.err
status_is 0 $? "record with RINGSIDE_DEBUG_MEMORY=FILE"
diag "$(cat "$T/mem.txt" 2>/dev/null)"
for part in rss peak_rss malloc stacktree timeline frametab schedmap addrtab ingest kallsyms symbols \
	jansson_peak other_malloc; do
	check "the file has a '$part' line" grep -Eq "^memory ${part}_kib [0-9]+" "$T/mem.txt"
done
for part in rss peak_rss stacktree timeline schedmap addrtab ingest kallsyms; do
	check "'$part' holds something" grep -Eq "^memory ${part}_kib [1-9]" "$T/mem.txt"
done
check "kallsyms' line says how much is in the heap and how much is mapped (resident)" \
	grep -Eq '^memory kallsyms_kib [0-9]+ \(heap [1-9][0-9]*; names mapped from a temporary file [0-9]+, of which resident [0-9]+' \
	"$T/mem.txt"
# The names go to an unlinked file in TMPDIR, /var/tmp or /tmp, the first not tmpfs (sym/debugcopy).
disk=
for d in "${TMPDIR:-}" /var/tmp /tmp; do
	case "$d" in /*) ;; *) continue ;; esac
	fs=$(stat -f -c %T "$d" 2>/dev/null) || continue
	[ "$fs" != tmpfs ] && [ "$fs" != ramfs ] && disk=$d && break
done
if [ -n "$disk" ]; then
	check "kallsyms' names are mapped from a file in $disk" \
		grep -Eq '^memory kallsyms_kib .*temporary file [1-9]' "$T/mem.txt"
else
	check "no disk-backed temporary directory: kallsyms' names stay in the heap" \
		grep -Eq '^memory kallsyms_kib .*temporary file 0,' "$T/mem.txt"
fi
check "the symbols' line gives its address caches' part and their addresses" \
	grep -Eq '^memory symbols_kib [0-9]+ \(.*; the address caches [0-9]+ of it, [1-9][0-9]* addresses\)' \
	"$T/mem.txt"
check "the address table's line gives its addresses and its cap" \
	grep -Eq '^memory addrtab_kib [0-9]+ \([1-9][0-9]* addresses of at most [1-9]' "$T/mem.txt"
check "the resident set is at least the heap's part of it" \
	awk '/^memory rss_kib/ { t = $3; h = $NF + 0 } END { exit !(t > 0 && t >= h) }' "$T/mem.txt"
check "the peak resident set (VmHWM) is at least the resident set at the end" \
	awk '/^memory rss_kib/ { r = $3 } /^memory peak_rss_kib/ { p = $3 } END { exit !(r > 0 && p >= r) }' "$T/mem.txt"
check "nothing of it on standard error" sh -c "! grep -q '^memory' '$T/a.err'"

RINGSIDE_DEBUG_MEMORY=1 "$R" record -a -F 499 --duration 0.5 -o b.json 2>b.err
status_is 0 $? "record with RINGSIDE_DEBUG_MEMORY=1"
check "=1 prints the lines on standard error" grep -Eq '^memory kallsyms_kib [1-9]' "$T/b.err"

RINGSIDE_DEBUG_MEMORY="$T/every.txt" RINGSIDE_DEBUG_MEMORY_EVERY=1 "$R" record -a -F 499 -g fp \
	-I 500 --duration 3 -o e.json 2>e.err
status_is 0 $? "record with RINGSIDE_DEBUG_MEMORY_EVERY=1"
diag "$(grep '^memory_at' "$T/every.txt" 2>/dev/null)"
check "EVERY=1 gives a line a second or so (at least two in 3 s)" \
	awk '/^memory_at / { n++ } END { exit !(n >= 2 && n <= 4) }' "$T/every.txt"
check "the lines' times grow, a second or more apart" \
	awk '/^memory_at / { if (n++ && $2 - t < 0.9) bad = 1; t = $2 } END { exit !(n >= 2 && !bad) }' \
	"$T/every.txt"
# A sanitizer's allocator is not glibc's: mallinfo2 says 0 there, so malloc_kib need only be
# counted (RINGSIDE_SANITIZED=1 in CI's sanitizer pass).
for part in rss_kib malloc_kib tree_nodes frames strings tasks sched_runs sched_tasks modules \
	stream_kib symcache_addrs chain_lookups; do
	min=0
	[ "$part" = malloc_kib ] && [ "${RINGSIDE_SANITIZED:-0}" = 1 ] && min=-1
	check "each line counts '$part', the busy machine's above $min" \
		awk -v k="$part" -v min=$min '/^memory_at / { n++; for (i = 3; i < NF; i += 2) if ($i == k && $(i + 1) > min) ok++ }
			END { exit !(n >= 2 && ok == n) }' "$T/every.txt"
done
check "the breakdown at the end follows them" grep -Eq '^memory stacktree_kib [1-9]' "$T/every.txt"
check "and the rings' spill (what a drain that fell behind moved out, counted after the rings close)" \
	grep -Eq '^memory spill_peak_kib [0-9]+ \(.*; [0-9]+ KiB spilled in all' "$T/every.txt"
check "and has the journal's writer (its tasks too)" \
	grep -Eq "^memory stream_kib [1-9][0-9]* \(the journal's writer .*; tasks [0-9]+\)" "$T/every.txt"
check "without EVERY, no such lines" sh -c "! grep -q '^memory_at' '$T/mem.txt' '$T/b.err'"

env -u RINGSIDE_DEBUG_MEMORY "$R" record -a -F 499 --duration 0.5 -o c.json 2>c.err
status_is 0 $? "record without RINGSIDE_DEBUG_MEMORY"
check "without it, no memory lines" sh -c "! grep -q '^memory' '$T/c.err'"
wait "$spin"
done_testing
