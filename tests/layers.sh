#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The source tree's include direction holds (tools/layers.sh): util < model < perf, sym < view <
# export < app < ui < main.c, curses only in src/ui/. Then, on a copy of the tree, one upward
# include and one curses include outside ui/ each make the check fail, so it can fail.

. "$TESTLIB"
make_tmpdir

LAYERS=$TOP_SRCDIR/tools/layers.sh

sh "$LAYERS" "$TOP_SRCDIR" >"$T/out" 2>&1
rc=$?
check "tools/layers.sh passes on the tree (exit $rc)" test $rc -eq 0
[ -s "$T/out" ] && diag "$(head -n 20 "$T/out")"

nfiles=$(find "$TOP_SRCDIR/src" "$TOP_SRCDIR/include/ringside" -name '*.[ch]' | wc -l)
check "the check reads the sources ($nfiles files)" test "$nfiles" -gt 50

copy() {
	rm -rf "$T/tree" && mkdir "$T/tree" &&
		cp -R "$TOP_SRCDIR/src" "$TOP_SRCDIR/include" "$T/tree/"
}

# An upward include in model/ (the pure data) of app/ (the roof).
copy
sed -i '/^#include "ringside\/model\/tasks.h"/a #include "ringside/app/session.h"' \
	"$T/tree/src/model/tasks.c"
sh "$LAYERS" "$T/tree" >"$T/out" 2>&1
rc=$?
check "model/tasks.c including app/session.h fails the check (exit $rc)" test $rc -eq 1
check "... and the line names the file and both folders" \
	grep -q '^src/model/tasks.c:[0-9]*: model includes app' "$T/out"

# A header one tier up: perf/ including view/.
copy
sed -i '/^#include "ringside\/util\/errbuf.h"/a #include "ringside/view/rates.h"' \
	"$T/tree/include/ringside/perf/evspec.h"
sh "$LAYERS" "$T/tree" >"$T/out" 2>&1
check "include/ringside/perf/evspec.h including view/rates.h fails the check" \
	grep -q '^include/ringside/perf/evspec.h:[0-9]*: perf includes view' "$T/out"

# Siblings: sym/ including perf/.
copy
sed -i '/^#include "ringside\/sym\/kallsyms.h"/a #include "ringside/perf/sys.h"' \
	"$T/tree/src/sym/kallsyms.c"
sh "$LAYERS" "$T/tree" >"$T/out" 2>&1
check "sym/kallsyms.c including perf/sys.h (a sibling) fails the check" \
	grep -q '^src/sym/kallsyms.c:[0-9]*: sym includes perf' "$T/out"

# Curses outside ui/.
copy
sed -i '/^#include "ringside\/view\/hot.h"/a #include <curses.h>' "$T/tree/src/view/hot.c"
sh "$LAYERS" "$T/tree" >"$T/out" 2>&1
check "view/hot.c including curses.h fails the check" \
	grep -q '^src/view/hot.c: includes curses outside src/ui/' "$T/out"

done_testing
