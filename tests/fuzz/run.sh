#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Run each fuzz target for SECONDS over its seeds (tests/data/fuzz/NAME, read only) and a scratch
# corpus in the build tree (fuzz/corpus/NAME, where libFuzzer adds what it finds). Prints one TAP
# line per target; a crash, leak or sanitizer report fails it and leaves the input in
# fuzz/crashes/ (make it a regression test: copy it to tests/data/fuzz-regress/NAME/).
# Usage: run.sh SECONDS BUILDDIR SRCDIR NAME...
set -u
secs=$1 build=$2 src=$3
shift 3
echo "1..$#"
i=0 failed=0
for name in "$@"; do
	i=$((i + 1))
	corpus=$build/fuzz/corpus/$name
	crashes=$build/fuzz/crashes
	log=$build/fuzz/$name.log
	mkdir -p "$corpus" "$crashes"
	set -- "$src/tests/data/fuzz/$name"
	[ -d "$src/tests/data/fuzz-regress/$name" ] && set -- "$@" "$src/tests/data/fuzz-regress/$name"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1} \
		"$build/tests/fuzz/fuzz_$name" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2560 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/$name-" \
		"$corpus" "$@" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(sed -n 's/^#[0-9]*.*cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "ok $i - fuzz_$name: ${runs:-?} runs in ${secs} s, coverage ${cov:-?} edges"
	else
		failed=$((failed + 1))
		echo "not ok $i - fuzz_$name exited $rc (log: $log)"
		grep -E 'ERROR|SUMMARY|Test unit written|^fuzz_' "$log" | head -n 8 | sed 's/^/# /'
	fi
done
[ $failed -eq 0 ]
