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
# Call sites on tests/workloads/calltree: a caller's call of a callee holds the callee's samples
# with callees (against perf script's callchains, +-5 points); in the page, a click on a flame
# frame opens its function's annotation, or says the page has none for it.

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
# The mixed rows: "SELF INCL :LINE TEXT" for a line, "SELF INCL ADDR: INSN" for an instruction
# (the shares of the function's samples, self and with callees; both blank when none).
hot_pct=$(awk -v l=":$HOT" '$3 == l && $1 ~ /^[0-9.]+$/ { print $1; exit }' "$T/ann.txt")
diag "hot line's share: ${hot_pct:-none}%"
check "the hot line holds >= 80% of hot_function's samples (${hot_pct:-none}%)" \
	awk -v p="${hot_pct:-0}" 'BEGIN { exit !(p >= 80) }'
check "the hot line's text is shown" grep -q "acc = acc \* 6364136223846793005ull + i; /\* HOT-LINE" "$T/ann.txt"
# The loop's instructions sit under the hot line: its multiply and its backward branch.
awk -v l=":$HOT" '/^ *[0-9.]* *[0-9.]* *:[0-9]+ / { in_hot = ($0 ~ l " ") ; next } in_hot { print }' \
	"$T/ann.txt" >"$T/hot.asm"
check "the hot line's disassembly has the loop (imul, add, cmp, jne)" \
	sh -c 'grep -q "imul" "$1" && grep -q "cmp" "$1" && grep -q "jne" "$1"' sh "$T/hot.asm"
check "the cold line is shown, with its call to time()" \
	sh -c 'grep -q "COLD-LINE" "$1" && grep -q "call" "$1"' sh "$T/ann.txt"
inl_pct=$(awk -v l=":$INL" '$3 == l && $1 ~ /^[0-9.]+$/ { print $1; exit }' "$T/ann.txt")
check "the inlined helper's samples are at its own line $INL (${inl_pct:-none}%)" \
	test -n "$inl_pct"
check "no samples at the line that calls the helper ($CALL)" \
	sh -c '! awk -v l=":$2" "\$3 == l && \$1 ~ /^[0-9.]+\$/ && \$1 > 0" "$1" | grep -q .' sh "$T/ann.txt" "$CALL"
# The hottest instruction: the asm row with the largest share.
rs_top=$(awk '$3 ~ /^[0-9a-f]+:$/ && $1 ~ /^[0-9.]+$/ { if ($1 > m) { m = $1; a = $3 } }
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

# --- call sites: calltree (main -> a -> b 75%, a -> c 25%; c -> c_inl -> hot_mix 5/8 of c).
# a has no samples of its own: its call of b holds the samples under b with callees, its call of
# c those under c, against the shares perf's callchains give on the same run (+-5 points).
CT=$WORKLOADS/calltree
CTSRC=$TOP_SRCDIR/tests/workloads/calltree.c
"$CT" 4 &
CP=$!
track "$CP"
sleep 0.3
if [ "$have_perf" = 1 ]; then
	"$PERF" record -q -g -F 999 -o "$T/ct.data" -p "$CP" -- sleep 2.5 >/dev/null 2>"$T/ct.perr" &
	PP=$!
fi
timeout 30 "$R" record -q --no-sched -F 999 -p "$CP" --duration 2.5 -o "$T/ct.json" 2>"$T/ct.err"
ok $? "ringside record -p CALLTREE --duration 2.5 exits 0"
[ "$have_perf" = 1 ] && wait "$PP"
wait_pid "$CP" 30
check "the snapshot keeps call sites: stacks.addresses.calls, [frame, address, calls] tuples" \
	sh -c 'jq -e "[.stacks.addresses.calls[] | select(length == 3 and .[2] > 0)] | length > 0" \
		"$1" >/dev/null' sh "$T/ct.json"
"$R" annotate "$T/ct.json" a >"$T/a.txt" 2>"$T/a.err"
status_is 0 $? "ringside annotate FILE a (a function with no self samples)"
# incl TEXT: the with-callees share of the line row whose source contains TEXT.
incl() {
	awk -v t="$2" '$3 ~ /^:[0-9]+$/ && $1 ~ /^[0-9.]+$/ && index($0, t) { print $2; exit }' "$1"
}
a_b=$(incl "$T/a.txt" "x = b(x);")
a_c=$(incl "$T/a.txt" "x = c(x);")
diag "ringside: a's call of b ${a_b:-none}%, of c ${a_c:-none}% with callees"
# a itself runs for a few instructions around its calls: a sample or two of its own at most.
check "the header counts a's samples with callees, far more than its own" \
	sh -c 'sed -n "s/.*Samples: \([0-9]*\)  With callees: \([0-9]*\)$/\1 \2/p" "$1" |
		awk "{ exit !(\$2 > 100 * (\$1 + 1)) }"' sh "$T/a.txt"
check "a's call of b holds its samples with callees (self: a's own, next to none)" \
	sh -c 'awk "\$3 ~ /^:/ && index(\$0, \"x = b(x);\") && \$2 > 50" "$1" | grep -q .' \
	sh "$T/a.txt"
check "and the call instruction under it has them too" \
	sh -c 'grep -A3 "x = b(x);" "$1" | grep -Eq "^ *[0-9.]+ +([5-9][0-9]|100)[.][0-9]+ +[0-9a-f]+:  call"' \
	sh "$T/a.txt"
"$R" annotate "$T/ct.json" c >"$T/c.txt" 2>&1
c_hm=$(incl "$T/c.txt" "hot_mix(x")
diag "ringside: c's (inlined c_inl's) call of hot_mix ${c_hm:-none}% with callees"
check "c's call of hot_mix, on c_inl's line, has ~5/8 of c with callees (${c_hm:-none}%)" \
	awk -v p="${c_hm:-0}" 'BEGIN { exit !(p > 50 && p < 75) }'
if [ "$have_perf" = 1 ]; then
	# perf's share: of the samples with a on the stack, those whose frame called from a is F.
	"$PERF" script -F ip,sym -i "$T/ct.data" 2>/dev/null | awk -v fn=a '
		NF == 0 { if (seen) { tot++; n[callee]++ } seen = 0; last = ""; next }
		{ if (!seen && $2 == fn) { seen = 1; callee = last } last = $2 }
		END { for (k in n) printf "%s %.2f\n", k, 100 * n[k] / tot }' >"$T/ct.perf"
	p_b=$(awk '$1 == "b" { print $2 }' "$T/ct.perf")
	p_c=$(awk '$1 == "c" { print $2 }' "$T/ct.perf")
	diag "perf script's callchains: a calls b in ${p_b:-none}%, c in ${p_c:-none}%"
	check "a's call of b: ${a_b:-none}% with callees, perf ${p_b:-none}% (+-5)" \
		awk -v r="${a_b:--100}" -v p="${p_b:-100}" 'BEGIN { d = r - p; exit !(d <= 5 && d >= -5) }'
	check "a's call of c: ${a_c:-none}% with callees, perf ${p_c:-none}% (+-5)" \
		awk -v r="${a_c:--100}" -v p="${p_c:-100}" 'BEGIN { d = r - p; exit !(d <= 5 && d >= -5) }'
else
	skip "call sites against perf's callchains" "perf ('$PERF') is not installed"
	skip "call sites against perf's callchains (c)" "perf ('$PERF') is not installed"
fi

# The page: a click on b's flame frame opens b's annotation (its call of b_leaf holds its
# samples with callees); a click on a frame of a function the page has no annotation for says so.
if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] && [ -n "$CHROMEDRIVER" ] && [ -x "$CHROMEDRIVER" ] &&
	[ -n "$PYTHON3" ]; then
	"$R" export "$T/ct.json" -o "$T/ct.html" 2>"$T/ct.html.err"
	ok $? "ringside export calltree's snapshot to a page"
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 90 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver.py" "$T/ct.html" "$T" --click b >"$T/wd-b.json" 2>"$T/wd-b.err"
	ok $? "webdriver.py --click b ran ($(head -c 300 "$T/wd-b.err"))"
	diag "click b: $(jq -c .click_annotate "$T/wd-b.json" 2>/dev/null)"
	check "clicking b's flame frame opens b's annotation, its hot row b's own loop" \
		jq -e '.click_annotate.function == "b" and .click_annotate.none == null and
			(.click_annotate.hot_text | contains("x = x * 6364136223846793005ULL"))' "$T/wd-b.json"
	# The widest function frame (not inlined) of the page without an annotation: the page has
	# the 16 first by self samples, then samples at call sites (stacks.addresses' order).
	none=$(jq -r '.stacks as $s
		| ([$s.addresses.entries[] | {f: .[0], n: .[2], c: 0}] +
			[($s.addresses.calls // [])[] | {f: .[0], n: 0, c: .[2]}] | group_by(.f)
			| map({f: .[0].f, n: (map(.n) | add), c: (map(.c) | add)})
			| sort_by(-.n, -.c, .f) | .[:16] | map(.f)) as $ann
		| [$s.nodes[] | select(($s.frames[.[1]][4] | test("^(user|library)$")) and
			$s.frames[.[1]][5] == 0) | {f: .[1], t: .[3]}]
		| map(select(.f as $f | $ann | index($f) | not)) | sort_by(-.t) | .[0].f
		| $s.strings[$s.frames[.][0]]' "$T/ct.json")
	diag "a function frame without an annotation: ${none:-none}"
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 90 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver.py" "$T/ct.html" "$T" --click "${none:-main}" \
		>"$T/wd-n.json" 2>"$T/wd-n.err"
	ok $? "webdriver.py --click ${none:-main} ran ($(head -c 300 "$T/wd-n.err"))"
	diag "click ${none:-main}: $(jq -c .click_annotate "$T/wd-n.json" 2>/dev/null)"
	if [ -n "$none" ]; then
		check "clicking it says the page has no annotation for it (not in the 16 hottest)" \
			jq -e --arg f "$none" '.click_annotate.function == $f and .click_annotate.rows == 0 and
				(.click_annotate.none | test("^no annotation for this function \\(not in the 16 hottest"))' \
			"$T/wd-n.json"
	else
		# Every function frame is among the 16 the page annotates (a recording whose library
		# frames went unnamed has few): then main's click opens main's annotation.
		check "every function frame has an annotation: clicking main opens it" \
			jq -e '.click_annotate.function == "main" and .click_annotate.rows > 0 and
				.click_annotate.none == null' "$T/wd-n.json"
	fi
else
	skip "the flame frame's click in a WebDriver session" "chromium, chromedriver or python3 missing"
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
rc=$?
# Seen twice in CI's -Werror pass (exit 2), never here in 60 runs: the test then says, in the
# failing line itself (CI shows those), what annotate and the recording said, and which hot
# frames the snapshot holds; then it records hl once more, so that one bad recording is named
# without hiding a fault that recurs.
why=
if [ $rc != 0 ]; then
	why=" [first try: $(head -n 2 "$T/moved.txt" | tr '\n' '|' | cut -c1-160); record said: $(
		tr '\n' '|' <"$T/hl.err" | tail -c 200); hot frames: $("$JQ" -c \
		'[.stacks as $s | $s.frames[] | $s.strings[.[0]]] | map(select(test("hot")))' \
		"$T/hl.json" 2>&1 | head -c 120)]"
	why=$(printf '%s' "$why" | tr '#' '_') # a '#' would end TAP's description
	diag "annotate hl.json failed:$why"
	mv "$T/moved" "$T/src"
	timeout 30 "$R" record -q --no-sched -o "$T/hl.json" -- "$T/hl" 1 2>"$T/hl.err"
	mv "$T/src" "$T/moved"
	"$R" annotate "$T/hl.json" hot_function >"$T/moved.txt" 2>&1
	rc=$?
fi
status_is 0 $rc "annotate with the source tree renamed$why"
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
