#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ringside and perf agree on the known call tree: `perf record -F 999 -g` + `perf script`, with
# the stacks collapsed here into self samples per function, gives the same top five functions in
# the same order as `ringside record -F 999 -g fp -o X.folded` (self samples = leaf frame counts
# of the folded lines). calltree.c sets the shares far apart so the order is stable:
#   w_spin ~48%, b ~25%, b_leaf ~12.5%, hot_mix ~7.8%, c ~4.7%, everything else ~1% or less.
# Its one inlined function, c_inl, does no work of its own (it holds the call to hot_mix), so
# perf 6.1, which shows no inline frames here, and ringside, which does, count the same selfs.
# Each of the five shares must also agree between the two profilers, within 2 points plus a tenth
# of perf's share (w_spin +- 6.8, c +- 2.5).

. "$TESTLIB"
require_root
command -v "$PERF" >/dev/null 2>&1 || skip_all "perf ('$PERF') is not installed"
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree

# --- perf
timeout 60 "$PERF" record -q -F 999 -g -o "$T/perf.data" -- "$CT" 3 >"$T/perf.out" 2>"$T/perf.err"
ok $? "perf record -F 999 -g -- calltree 3 exits 0"
"$PERF" script -i "$T/perf.data" -F comm,pid,ip,sym >"$T/perf.script" 2>"$T/script.err"
ok $? "perf script exits 0"
# A sample is a header line "COMM PID", then one "  IP SYMBOL" line per frame, leaf first, then a
# blank line. The calltree process's threads are named calltree and ct-worker.
awk '
	/^[^ \t]/ { comm = $1; leaf = 1; next }
	/^[ \t]+[0-9a-f]+ / {
		if (leaf && (comm == "calltree" || comm == "ct-worker")) {
			sub(/^[ \t]+[0-9a-f]+ /, ""); self[$0]++
		}
		leaf = 0; next
	}
	END { for (k in self) print self[k], k }' "$T/perf.script" | sort -k1,1nr -k2 >"$T/perf.self"

# --- ringside
timeout 60 "$R" record -F 999 -g fp -o "$T/rs.folded" -- "$CT" 3 2>"$T/rs.err"
ok $? "ringside record -F 999 -g fp -o X.folded -- calltree 3 exits 0"
folded_comm "$T/rs.folded" calltree >"$T/rs.ct"
folded_self "$T/rs.ct" >"$T/rs.self"

# top FILE: the top five "COUNT NAME" lines' names, one per line.
top() {
	head -n 5 "$1" | sed 's/^[0-9]* //'
}

ptotal=$(awk '{ s += $1 } END { print s + 0 }' "$T/perf.self")
rtotal=$(awk '{ s += $1 } END { print s + 0 }' "$T/rs.self")
diag "self samples, perf ($ptotal in all) | ringside ($rtotal in all):"
paste -d'|' "$T/perf.self" "$T/rs.self" | head -n 8 | while IFS='|' read -r p r; do
	diag "  $(pct "${p%% *}" "$ptotal")% ${p#* }  |  $(pct "${r%% *}" "$rtotal")% ${r#* }"
done
top "$T/perf.self" >"$T/perf.top"
top "$T/rs.self" >"$T/rs.top"
check "perf has at least 2000 calltree samples ($ptotal)" test "$ptotal" -ge 2000
check "ringside has at least 2000 calltree samples ($rtotal)" test "$rtotal" -ge 2000
rtop=$(paste -s -d' ' "$T/rs.top")
ptop=$(paste -s -d' ' "$T/perf.top")
check "the same top five functions in the same order (ringside: $rtop; perf: $ptop)" \
	cmp "$T/perf.top" "$T/rs.top"
check "the top five are calltree's w_spin b b_leaf hot_mix c" \
	test "$rtop" = "w_spin b b_leaf hot_mix c"
for f in $ptop; do
	ps=$(pct "$(awk -v f="$f" '$2 == f { print $1 }' "$T/perf.self")" "$ptotal")
	rs=$(pct "$(awk -v f="$f" '$2 == f { print $1 }' "$T/rs.self")" "$rtotal")
	tol=$(awk -v p="$ps" 'BEGIN { print 2 + p / 10 }')
	check "$f: ringside's share $rs% within $tol points of perf's $ps%" \
		in_range "$rs" "$(awk -v p="$ps" -v t="$tol" 'BEGIN { print p - t }')" \
		"$(awk -v p="$ps" -v t="$tol" 'BEGIN { print p + t }')"
done

done_testing
