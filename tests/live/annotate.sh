#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Annotation end to end on tests/workloads/hotline, whose hot_function has its hot loop on one
# line (HOT-LINE), a cold branch on another (COLD-LINE) and an inlined helper (INLINE-LINE):
# ringside and perf record the same run (both attached to one hotline process), then
# `ringside annotate` puts >= 80% of the function's samples on the hot line, shows its text and
# the loop's instructions, counts the inlined helper's samples at the helper's line (not at the
# line that calls it) and names the same hottest instruction as `perf annotate --stdio`.
# A copy built in a directory that is then renamed: "source not found" names the path tried,
# --source-prefix and --source-path find it. A copy without DWARF shows assembly only; a binary
# removed after recording says it cannot be read; bad input exits 2.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
HL=$WORKLOADS/hotline
SRC=$TOP_SRCDIR/tests/workloads/hotline.c
line_of() {
	grep -n "$1" "$SRC" | grep -v '^[0-9]*: \*' | cut -d: -f1
}
HOT=$(line_of 'HOT-LINE \*/')
COLD=$(line_of 'COLD-LINE \*/')
INL=$(line_of 'INLINE-LINE \*/')
CALL=$(line_of 'CALL-LINE \*/')
diag "hot line $HOT, cold line $COLD, inlined helper's line $INL, its call $CALL"

# --- one run, both profilers
"$HL" 4 &
HP=$!
track "$HP"
sleep 0.3
have_perf=0
if command -v "$PERF" >/dev/null 2>&1; then
	"$PERF" record -q -F 999 -o "$T/perf.data" -p "$HP" -- sleep 2.5 >/dev/null 2>"$T/perf.err" &
	PP=$!
	have_perf=1
fi
timeout 30 "$R" record -q --no-sched -F 999 -p "$HP" --duration 2.5 -o "$T/rs.json" 2>"$T/rs.err"
ok $? "ringside record -p HOTLINE --duration 2.5 exits 0"
[ "$have_perf" = 1 ] && wait "$PP"
wait_pid "$HP" 30

check "the snapshot keeps hot_function's sampled addresses" \
	sh -c 'jq -e "[.stacks.addresses.entries[] | select(.[2] > 0)] | length > 1" "$1" >/dev/null' \
	sh "$T/rs.json"
"$R" annotate "$T/rs.json" hot_function >"$T/ann.txt" 2>"$T/ann.err"
status_is 0 $? "ringside annotate FILE hot_function"
# The mixed rows: "PCT :LINE TEXT" for a line, "PCT ADDR: INSN" for an instruction.
hot_pct=$(awk -v l=":$HOT" '$2 == l && $1 ~ /^[0-9.]+$/ { print $1; exit }' "$T/ann.txt")
diag "hot line's share: ${hot_pct:-none}%"
check "the hot line holds >= 80% of hot_function's samples (${hot_pct:-none}%)" \
	awk -v p="${hot_pct:-0}" 'BEGIN { exit !(p >= 80) }'
check "the hot line's text is shown" grep -q "acc = acc \* 6364136223846793005ull + i; /\* HOT-LINE" "$T/ann.txt"
# The loop's instructions sit under the hot line: its multiply and its backward branch.
awk -v l=":$HOT" '/^ *[0-9.]* *:[0-9]+ / { in_hot = ($0 ~ l " ") ; next } in_hot { print }' \
	"$T/ann.txt" >"$T/hot.asm"
check "the hot line's disassembly has the loop (imul, add, cmp, jne)" \
	sh -c 'grep -q "imul" "$1" && grep -q "cmp" "$1" && grep -q "jne" "$1"' sh "$T/hot.asm"
check "the cold line is shown, with its call to time()" \
	sh -c 'grep -q "COLD-LINE" "$1" && grep -q "call" "$1"' sh "$T/ann.txt"
inl_pct=$(awk -v l=":$INL" '$2 == l && $1 ~ /^[0-9.]+$/ { print $1; exit }' "$T/ann.txt")
check "the inlined helper's samples are at its own line $INL (${inl_pct:-none}%)" \
	test -n "$inl_pct"
check "no samples at the line that calls the helper ($CALL)" \
	sh -c '! awk -v l=":$2" "\$2 == l && \$1 ~ /^[0-9.]+\$/" "$1" | grep -q .' sh "$T/ann.txt" "$CALL"
# The hottest instruction: the asm row with the largest share.
rs_top=$(awk '$2 ~ /^[0-9a-f]+:$/ && $1 ~ /^[0-9.]+$/ { if ($1 > m) { m = $1; a = $2 } }
	END { sub(/:$/, "", a); print a }' "$T/ann.txt")
diag "ringside's hottest instruction: $rs_top"
if [ "$have_perf" = 1 ]; then
	"$PERF" annotate --stdio -i "$T/perf.data" hot_function >"$T/perf.ann" 2>"$T/perf.ann.err"
	perf_top=$(awk -F: '$1 ~ /^ *[0-9.]+ *$/ && $2 ~ /^ *[0-9a-f]+ *$/ { p = $1 + 0;
		if (p > m) { m = p; a = $2 } } END { gsub(/ /, "", a); print a }' "$T/perf.ann")
	diag "perf annotate's hottest instruction: $perf_top"
	check "the same hottest instruction as perf annotate --stdio ($rs_top, perf $perf_top)" \
		test -n "$rs_top" -a "$rs_top" = "$perf_top"
else
	skip "hottest instruction against perf annotate" "perf ('$PERF') is not installed"
fi

# --- moved sources, no line table, no binary
mkdir "$T/src"
cp "$SRC" "$T/src/hotline.c"
(cd "$T/src" && gcc -O2 -g -fno-omit-frame-pointer -o ../hl hotline.c) 2>"$T/gcc.err"
ok $? "gcc builds a copy of hotline in $T/src"
objcopy --strip-debug "$T/hl" "$T/hl-nodebug"
cp "$T/hl" "$T/hl-gone"
for b in hl hl-nodebug hl-gone; do
	timeout 30 "$R" record -q --no-sched -o "$T/$b.json" -- "$T/$b" 1 2>"$T/$b.err"
	ok $? "ringside record -- $b 1 exits 0"
done
mv "$T/src" "$T/moved"
rm "$T/hl-gone"
"$R" annotate "$T/hl.json" hot_function >"$T/moved.txt" 2>&1
status_is 0 $? "annotate with the source tree renamed"
check "without a prefix map: 'source not found' names the path tried" \
	grep -q "^note: source not found: $T/src/hotline.c (tried $T/src/hotline.c)" "$T/moved.txt"
check "and the disassembly is still there" grep -q "imul" "$T/moved.txt"
"$R" annotate --source-prefix "$T/src=$T/moved" "$T/hl.json" hot_function >"$T/prefix.txt" 2>&1
status_is 0 $? "annotate --source-prefix OLD=NEW"
check "--source-prefix finds the moved source" grep -q "HOT-LINE" "$T/prefix.txt"
check "and says nothing is missing" sh -c '! grep -q "source not found" "$1"' sh "$T/prefix.txt"
"$R" annotate --source-path "$T/moved" "$T/hl.json" hot_function >"$T/spath.txt" 2>&1
check "--source-path DIR finds it by name" grep -q "HOT-LINE" "$T/spath.txt"
"$R" annotate "$T/hl-nodebug.json" hot_function >"$T/nodebug.txt" 2>&1
status_is 0 $? "annotate a binary without DWARF"
check "no line table: assembly only, said in a note" \
	sh -c 'grep -q "^note: no line table for .*hl-nodebug: assembly only" "$1" &&
		grep -q "imul" "$1" && ! grep -q "HOT-LINE" "$1"' sh "$T/nodebug.txt"
"$R" annotate "$T/hl-gone.json" hot_function >"$T/gone.txt" 2>&1
status_is 0 $? "annotate a function whose binary is gone"
check "it says the binary cannot be read" \
	grep -q "^note: cannot read $T/hl-gone: No such file or directory" "$T/gone.txt"

# --- bad input
expect_status 2 "an unknown function exits 2" "$R" annotate "$T/rs.json" no_such_function
"$R" annotate "$T/rs.json" no_such_function 2>"$T/unk.err"
check "the message names the hottest functions" grep -q "the hottest are: hot_function" "$T/unk.err"
expect_status 2 "a missing snapshot exits 2" "$R" annotate "$T/none.json" hot_function
expect_status 2 "a bad --source-prefix exits 2" "$R" annotate --source-prefix nope "$T/rs.json" hot_function
expect_status 2 "one argument exits 2" "$R" annotate "$T/rs.json"

done_testing
