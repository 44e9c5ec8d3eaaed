#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `ringside list [--all] [PATTERN]`: the events this machine opens, with groups and descriptions;
# patterns as substrings and globs; PMU events that do not open here only with --all.

. "$TESTLIB"
make_tmpdir

R=$RINGSIDE

# A listing line: "  NAME  [GROUP]  description"; has_event FILE NAME checks NAME has one with a
# group and a non-empty description.
has_event() {
	awk -v n="$2" '$1 == n && $2 ~ /^\[.+\]$/ && NF >= 3 { found = 1 } END { exit !found }' "$1"
}
no_event() {
	! awk -v n="$2" '$1 == n { found = 1 } END { exit !found }' "$1"
}

timeout 30 "$R" list >"$T/all.out" 2>"$T/all.err"
ok $? "list exits 0"
for ev in page-faults task-clock context-switches cpu-clock sched:sched_switch; do
	check "list shows $ev with a [group] and a description" has_event "$T/all.out" $ev
done
check "page-faults is in the [software] group" \
	awk '$1 == "page-faults" && $2 == "[software]" { f = 1 } END { exit !f }' "$T/all.out"
check "sched:sched_switch is in the [tracepoint] group" \
	awk '$1 == "sched:sched_switch" && $2 == "[tracepoint]" { f = 1 } END { exit !f }' "$T/all.out"

timeout 30 "$R" list sched_switch >"$T/ss.out" 2>"$T/ss.err"
ok $? "list sched_switch exits 0"
check "list sched_switch shows sched:sched_switch" has_event "$T/ss.out" sched:sched_switch
check "list sched_switch does not show page-faults" no_event "$T/ss.out" page-faults

timeout 30 "$R" list SCHED_SWITCH >"$T/ssu.out" 2>&1
status_is 0 $? "list SCHED_SWITCH exits 0"
check "patterns are case-insensitive (SCHED_SWITCH)" has_event "$T/ssu.out" sched:sched_switch

timeout 30 "$R" list 'page-*' >"$T/glob.out" 2>"$T/glob.err"
ok $? "list 'page-*' exits 0"
check "glob 'page-*' shows page-faults" has_event "$T/glob.out" page-faults
check "glob 'page-*' does not show task-clock or sched:sched_switch" \
	sh -c '! grep -q "task-clock\|sched:sched_switch" "$1"' sh "$T/glob.out"

timeout 30 "$R" list no-such-event-xyzzy >"$T/none.out" 2>"$T/none.err"
rc=$?
check "a pattern matching nothing: exit 1 (got $rc)" test $rc -eq 1
check "... with a 'ringside: ' message on stderr, nothing on stdout" \
	sh -c 'grep -q "^ringside: " "$1" && ! grep -q . "$2"' sh "$T/none.err" "$T/none.out"

# libpfm4's tables for another CPU, forced: its events never open on this PMU-less VM
LIBPFM_FORCE_PMU=skl timeout 30 "$R" list --all INST_RETIRED >"$T/skl.out" 2>"$T/skl.err"
ok $? "LIBPFM_FORCE_PMU=skl list --all INST_RETIRED exits 0"
check "--all shows an skl INST_RETIRED event marked '(not supported here)'" \
	grep -q 'INST_RETIRED.*(not supported here)' "$T/skl.out"
check "... and every INST_RETIRED line is marked so" \
	sh -c '! grep INST_RETIRED "$1" | grep -vq "(not supported here)"' sh "$T/skl.out"
LIBPFM_FORCE_PMU=skl timeout 30 "$R" list INST_RETIRED >"$T/skl2.out" 2>"$T/skl2.err"
rc=$?
check "without --all no INST_RETIRED event is listed (no PMU here), exit 1 (got $rc)" \
	sh -c '! grep -q INST_RETIRED "$1" && test "$2" -eq 1' sh "$T/skl2.out" $rc

# cycles is listed only if it really opens here
if "$PERF" stat -x, -e cycles true 2>&1 | grep -q 'not supported\|not counted'; then
	check "cycles does not open here, so list does not offer it" no_event "$T/all.out" cycles
	check "... nor instructions" no_event "$T/all.out" instructions
else
	check "cycles opens here, so list offers it" has_event "$T/all.out" cycles
	skip "instructions" "a PMU is present"
fi

# tracefs is mounted by ringside when it is missing (a fresh boot has none at /sys/kernel/tracing)
tfs=/sys/kernel/tracing
if ! grep -q " $tfs tracefs " /proc/mounts; then
	skip "tracefs is mounted again by ringside" "tracefs is not mounted at $tfs here"
elif ! umount "$tfs" 2>"$T/umount.err"; then
	skip "tracefs is mounted again by ringside" "cannot unmount $tfs: $(cat "$T/umount.err")"
else
	timeout 30 "$R" list sched:sched_switch >"$T/tfs.out" 2>"$T/tfs.err"
	rc=$?
	check "with tracefs unmounted, list still finds sched:sched_switch (exit $rc)" \
		has_event "$T/tfs.out" sched:sched_switch
	check "... and tracefs is mounted again at $tfs" grep -q " $tfs tracefs " /proc/mounts
	grep -q " $tfs tracefs " /proc/mounts || mount -t tracefs nodev "$tfs"
fi

done_testing
