#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# `ringside diff A B` on two recordings of tests/workloads/split, which divides its CPU time
# between a_fn, b_fn and c_fn by a parameter: A runs 60/30/10, B 30/30/40.
#   - the diff JSON: c_fn grew by 30 points of share (within 5), b_fn moved less than 3, a_fn
#     shrank by 30 (within 5); the tree's c_fn node says the same as the function list; each run's
#     samples, every counter's totals and change, and split's scheduler figures equal what jq
#     computes from the snapshots;
#   - the folded diff: every line is "stack countA countB", each column sums to its run's samples
#     and the stacks with their counts are exactly each run's own folded export;
#   - A as a ringside page (.html) gives the same diff as A's JSON;
#   - a snapshot against itself: no change anywhere (tree, functions, counters, tasks);
#   - the terminal diff through tmux: c_fn marked grown (+), a_fn shrunk (-), the counters table,
#     a switches to changes in samples (c_fn's is B - A), q quits with 0;
#   - bad input: different sampling events say so in one line and still diff the shares; a
#     snapshot without stacks still diffs counters (and a folded diff of two such is refused);
#     a missing or damaged file is named, exit 2, nothing written.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
S=$WORKLOADS/split
A=$T/a.json
B=$T/b.json

"$R" record -q -o "$A" -- "$S" 60/30/10 3 2>"$T/a.err" || diag "record A: $(cat "$T/a.err")"
"$R" record -q -o "$B" -- "$S" 30/30/40 3 2>"$T/b.err" || diag "record B: $(cat "$T/b.err")"
[ -s "$A" ] && [ -s "$B" ] || skip_all "the recordings failed: $(cat "$T/a.err" "$T/b.err")"

# ---- JSON ---------------------------------------------------------------------------------------
"$R" diff "$A" "$B" -o "$T/d.json" 2>"$T/d.err"
ok $? "diff -o d.json exits 0"
check "diff -o d.json says nothing (same event, same units)" test ! -s "$T/d.err"
# A flat tree (jq 1.6 refuses nestings over 256 levels, which deep stacks made): the root first,
# every other node's parent before it.
check "the diff JSON's tree is flat, in pre-order" "$JQ" -e '.tree | length > 3 and .[0].parent == -1
	and ([to_entries[1:][] | .value.parent >= 0 and .value.parent < .key] | all)' "$T/d.json"
fdelta() {
	jqv "$T/d.json" ".functions[] | select(.name == \"$1\") | .total_delta"
}
c=$(fdelta c_fn) b=$(fdelta b_fn) a=$(fdelta a_fn)
diag "share changes: a_fn $a, b_fn $b, c_fn $c (expected -30, 0, +30)"
check "c_fn grew by 30 points within 5 (got $c)" in_range "$c" 25 35
check "b_fn moved within 3 points (got $b)" in_range "$b" -3 3
check "a_fn shrank by 30 points within 5 (got $a)" in_range "$a" -35 -25
tc=$(jqv "$T/d.json" '[.tree | .. | objects | select(.name? == "c_fn") | .delta] | add')
check "the tree's c_fn node carries the same change as the function list ($tc vs $c)" \
	awk -v x="$tc" -v y="$c" 'BEGIN { d = x - y; exit !(d < 1e-6 && d > -1e-6) }'
for side in a b; do
	f=$T/$side.json
	want=$(jqv "$f" '[.stacks.nodes[] | select(.parent == null) | .total] | add // empty')
	[ -n "$want" ] || want=$(jqv "$f" '.stacks.samples')
	got=$(jqv "$T/d.json" ".$side.samples")
	check "the diff's $side samples ($got) are the snapshot's ($want)" test "$got" = "$want"
done
# Every counter: A's and B's totals (count * enabled / running summed) and the change.
for ev in $(jqv "$A" '.events[] | select(.supported) | .name'); do
	ea=$(ev_scaled "$A" "$ev") eb=$(ev_scaled "$B" "$ev")
	da=$(jqv "$T/d.json" ".counters[] | select(.name == \"$ev\") | .a | round")
	db=$(jqv "$T/d.json" ".counters[] | select(.name == \"$ev\") | .b | round")
	dd=$(jqv "$T/d.json" ".counters[] | select(.name == \"$ev\") | .delta | round")
	check "$ev: A $da = $ea, B $db = $eb, change $dd = $((eb - ea))" \
		test "$da" = "$ea" -a "$db" = "$eb" -a "$dd" = "$((eb - ea))"
done

# The scheduler: split's run time, switches and migrations, summed over its tasks in each snapshot.
for side in a b; do
	f=$T/$side.json
	w=$(jqv "$f" '[.sched.tasks[] | select(.comm == "split")] |
		"\(map(.runtime_ns) | add) \(map(.switches_voluntary + .switches_involuntary) | add) \(map(.migrations) | add)"')
	g=$(jqv "$T/d.json" ".sched[] | select(.comm == \"split\") |
		\"\\(.${side}_runtime_ns) \\(.${side}_switches) \\(.${side}_migrations)\"")
	check "split's $side run time, switches, migrations ($g) are the snapshot's ($w)" \
		test -n "$w" -a "$g" = "$w"
done

# ---- folded -------------------------------------------------------------------------------------
"$R" diff "$A" "$B" -o "$T/d.folded" 2>"$T/f.err"
ok $? "diff -o d.folded exits 0"
"$R" export "$A" -o "$T/a.folded" && "$R" export "$B" -o "$T/b.folded"
check "every line is 'stack countA countB'" \
	awk '!/^[^ ].* [0-9]+ [0-9]+$/ { print "bad: " $0; bad = 1 } END { exit bad }' "$T/d.folded"
sa=$(awk '{ s += $(NF - 1) } END { print s + 0 }' "$T/d.folded")
sb=$(awk '{ s += $NF } END { print s + 0 }' "$T/d.folded")
fa=$(awk '{ s += $NF } END { print s + 0 }' "$T/a.folded")
fb=$(awk '{ s += $NF } END { print s + 0 }' "$T/b.folded")
check "the A column sums to A's folded samples ($sa = $fa)" test "$sa" = "$fa"
check "the B column sums to B's folded samples ($sb = $fb)" test "$sb" = "$fb"
check "A's samples in the diff ($(jqv "$T/d.json" .a.samples)) are its folded sum less lost" \
	test "$(jqv "$T/d.json" '.a.samples + .a.lost')" = "$fa"
awk '$(NF - 1) > 0 { c = $(NF - 1); NF -= 2; print $0 " " c }' "$T/d.folded" | sort >"$T/da.f"
awk '$NF > 0 { c = $NF; NF -= 2; print $0 " " c }' "$T/d.folded" | sort >"$T/db.f"
sort "$T/a.folded" >"$T/a.sorted"
sort "$T/b.folded" >"$T/b.sorted"
check "the A column is A's own folded export, stack for stack" cmp "$T/da.f" "$T/a.sorted"
check "the B column is B's own folded export, stack for stack" cmp "$T/db.f" "$T/b.sorted"
check "c_fn's stack is in the folded diff" grep -q ';main;c_fn [0-9]* [0-9]*$' "$T/d.folded"

# ---- a page as input ---------------------------------------------------------------------------
"$R" export "$A" -o "$T/a.html" && "$R" diff "$T/a.html" "$B" -o "$T/dh.json"
ok $? "diff of a ringside page (.html) against a .json exits 0"
check "the page's diff is the JSON's (all but the file name)" \
	test "$(jqv "$T/dh.json" 'del(.a.file) | tostring')" = "$(jqv "$T/d.json" 'del(.a.file) | tostring')"

# ---- against itself -----------------------------------------------------------------------------
"$R" diff "$A" "$A" -o "$T/self.json" && "$R" diff "$A" "$A" -o "$T/self.folded"
ok $? "diff A A exits 0"
n=$(jqv "$T/self.json" '[.tree | .. | objects | select(has("delta")) | select(.delta != 0 or
	.a_total != .b_total or .a_self != .b_self)] | length')
check "A against A: no tree node changed ($n did)" test "$n" = 0
n=$(jqv "$T/self.json" '[.functions[] | select(.total_delta != 0 or .self_delta != 0)] | length')
check "A against A: no function changed ($n did)" test "$n" = 0
n=$(jqv "$T/self.json" '[.counters[] | select(.delta != 0 or .only_in != null)] | length')
check "A against A: no counter changed ($n did)" test "$n" = 0
n=$(jqv "$T/self.json" '[.sched[] | select(.a_runtime_ns != .b_runtime_ns or
	.a_switches != .b_switches or .only_in != null)] | length')
check "A against A: no task changed ($n did)" test "$n" = 0
check "A against A: only_in_a is empty" test "$(jqv "$T/self.json" '.only_in_a | length')" = 0
check "A against A: both folded columns equal on every line" awk '$(NF-1) != $NF { exit 1 }' \
	"$T/self.folded"

# ---- the terminal -------------------------------------------------------------------------------
if command -v tmux >/dev/null 2>&1; then
	screen_start 120 40 "$R" diff "$A" "$B"
	screen_wait 'By change' 10
	ok $? "the terminal diff draws"
	screen_save "$T/screen.txt"
	check "c_fn is marked grown (+c_fn in the flame graph)" grep -q '+c_fn' "$T/screen.txt"
	check "a_fn is marked shrunk (-a_fn in the flame graph)" grep -q -- '-a_fn' "$T/screen.txt"
	check "the list of changes has c_fn with a positive change" \
		grep -Eq '^\+ c_fn +[0-9.]+ +[0-9.]+ +\+[0-9.]+' "$T/screen.txt"
	check "the counters table shows task-clock" grep -q 'task-clock' "$T/screen.txt"
	check "the details line gives A, B and delta" grep -Eq ' A [0-9]+ .* B [0-9]+ .*delta [-+]' \
		"$T/screen.txt"
	screen_keys o
	screen_wait 'Only in A' 5
	ok $? "o lists the frames only A ran"
	screen_save "$T/screen_gone.txt"
	first=$(jqv "$T/d.json" '.only_in_a[0].stack // "" | split(";") | last // ""')
	if [ -n "$first" ]; then
		# A fixed string: a name like "[unknown]" would be a bracket expression to grep.
		check "the first of them is the JSON's first only_in_a ($first)" \
			awk -v p="- $first " 'index($0, p) == 1 { f = 1 } END { exit !f }' \
			"$T/screen_gone.txt"
	else
		check "none only in A: the screen says so" grep -q 'B ran every path A ran' \
			"$T/screen_gone.txt"
	fi
	screen_keys o
	screen_keys a
	screen_wait 'absolute \(a\)' 5
	ok $? "a switches to absolute changes"
	screen_save "$T/screen_abs.txt"
	want=$(jqv "$T/d.json" '.functions[] | select(.name == "c_fn") | .b_total - .a_total')
	got=$(awk '$1 == "+" && $2 == "c_fn" { print $5; exit }' "$T/screen_abs.txt")
	check "absolute: c_fn's change is B - A samples ($got, want +$want)" \
		test "$got" = "+$want.0"
	screen_keys q
	rc=$(screen_exit 10)
	check "q quits with 0 (got $rc)" test "$rc" = 0
	screen_stop
	SCREEN_TERM=vt100 SCREEN_LANG=C screen_start 100 30 "$R" diff "$A" "$B"
	screen_wait 'By change' 10
	screen_save "$T/screen_vt.txt"
	check "without colour (vt100) the marks still show (+c_fn)" grep -q '+c_fn' "$T/screen_vt.txt"
	screen_keys q
	screen_exit 10 >/dev/null
	screen_stop
else
	skip "the terminal diff" "tmux is not installed"
fi

# ---- bad input ----------------------------------------------------------------------------------
"$R" record -q --sample-event task-clock -o "$T/tc.json" -- "$S" 30/30/40 2 2>"$T/tc.err" ||
	diag "record task-clock: $(cat "$T/tc.err")"
"$R" diff "$A" "$T/tc.json" -o "$T/ev.json" 2>"$T/ev.err"
ok $? "different sampling events: still exits 0"
check "different sampling events: one line saying so ($(cat "$T/ev.err"))" \
	sh -c "test \$(wc -l <'$T/ev.err') = 1 && grep -q 'sampled cpu-clock and B sampled task-clock' '$T/ev.err'"
check "different sampling events: the JSON says so and still holds shares" \
	test "$(jqv "$T/ev.json" '.mismatch != null and .units == "share" and
		(.functions[] | select(.name == "c_fn") | .total_delta > 20)')" = true

"$R" record -q --no-samples -o "$T/ns.json" -- "$S" 30/30/40 2 2>"$T/ns.err" ||
	diag "record --no-samples: $(cat "$T/ns.err")"
"$R" diff "$A" "$T/ns.json" -o "$T/ns-d.json" 2>"$T/nsd.err"
ok $? "a snapshot without stacks: the diff exits 0"
check "a snapshot without stacks: counters diffed (task-clock in both)" \
	test "$(jqv "$T/ns-d.json" '.b.stacks == false and
		(.counters[] | select(.name == "task-clock") | .a > 0 and .b > 0 and .delta != null)')" = true
if command -v tmux >/dev/null 2>&1; then
	screen_start 120 40 "$R" diff "$A" "$T/ns.json"
	screen_wait 'B has no call stacks' 10
	ok $? "a snapshot without stacks: the terminal diff says B has no call stacks"
	screen_save "$T/screen_ns.txt"
	check "... and still shows the counters (task-clock)" grep -q task-clock "$T/screen_ns.txt"
	screen_keys q
	screen_exit 10 >/dev/null
	screen_stop
fi
"$R" diff "$T/ns.json" "$T/ns.json" -o "$T/ns.folded" 2>"$T/nsf.err"
rc=$?
check "two snapshots without stacks: a folded diff is refused with exit 2 (got $rc)" test "$rc" = 2
check "... saying why ($(cat "$T/nsf.err"))" grep -q 'call stacks' "$T/nsf.err"
check "... and leaving no file" test ! -e "$T/ns.folded"

"$R" diff "$A" "$T/missing.json" -o "$T/m.json" 2>"$T/m.err"
rc=$?
check "a missing B: exit 2 (got $rc)" test "$rc" = 2
check "a missing B: the message names it ($(cat "$T/m.err"))" grep -q 'missing.json' "$T/m.err"
check "a missing B: no output" test ! -e "$T/m.json"
printf 'not a snapshot\n' >"$T/junk.json"
"$R" diff "$T/junk.json" "$B" -o "$T/j.json" 2>"$T/j.err"
rc=$?
check "a damaged A: exit 2 (got $rc)" test "$rc" = 2
check "a damaged A: the message names it ($(cat "$T/j.err"))" grep -q 'junk.json' "$T/j.err"
"$R" diff "$A" "$B" </dev/null >"$T/nt.out" 2>"$T/nt.err"
rc=$?
check "no terminal and no -o: exit 2 (got $rc), saying to use -o ($(cat "$T/nt.err"))" \
	sh -c "test $rc = 2 && grep -q 'needs a terminal.*-o' '$T/nt.err'"
"$R" diff "$A" "$B" -o "$T/x.txt" 2>"$T/x.err"
check "an output that is not .folded/.json/.html: exit 2" test $? = 2

done_testing
