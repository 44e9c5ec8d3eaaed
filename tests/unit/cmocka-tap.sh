#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The LOG_COMPILER of the unit tests: runs one cmocka test program (CMOCKA_MESSAGE_OUTPUT=TAP)
# and turns its skips into TAP skips that automake counts as SKIP. cmocka 1.1 prints a skipped
# test as "not ok N # SKIP name" (a failure to automake's tap-driver) and has no reason to give;
# the tests skip through unit_skip() (tests/unit/unit.h), which first prints "# SKIP: reason".
# That line becomes "ok N - name # SKIP reason"; a skip with no reason line before it becomes a
# failure saying so. Every other line passes unchanged, and the test's exit status is kept.
# Usage: cmocka-tap.sh TEST-PROGRAM [ARG...]
exec 3>&1
rc=$({ {
	"$@"
	echo $? >&4
} | awk '
	/^# SKIP: / { reason = substr($0, 9); print; next }
	/^not ok [0-9]+ # SKIP / {
		n = $3
		name = $0
		sub(/^not ok [0-9]+ # SKIP /, "", name)
		if (reason != "")
			print "ok " n " - " name " # SKIP " reason
		else
			print "not ok " n " - " name " (skipped without a reason: use unit_skip)"
		reason = ""
		next
	}
	/^(not )?ok / { reason = "" }
	{ print; fflush() }
' >&3; } 4>&1)
exit "$rc"
