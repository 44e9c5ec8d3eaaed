#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The annotate view through tmux, on tests/workloads/hotline (its hot_function has the hot loop on
# the line marked HOT-LINE, a cold branch on COLD-LINE):
#   - `ringside view --view flame` of a recorded snapshot: searching hot_function and pressing a
#     opens its annotation: the title names it, the hot line shows its text with >= 80% and the
#     loop's instructions under it; m goes to source only (the cold line shows, no instruction),
#     then assembly only (instructions, no source text); / finds the cold line's text, Tab goes
#     to the next hottest line (the inlined helper's, in sight of the hot one); Esc returns to the
#     flamegraph; q quits with status 0;
#   - the overview's a annotates the hottest function (hot_function);
#   - live (`ringside --view flame -- hotline`), the annotation's sample count grows while open.

. "$TESTLIB"
require_root
command -v tmux >/dev/null 2>&1 || skip_all "tmux is not installed"
make_tmpdir
cpu_lock

R=$RINGSIDE
HL=$WORKLOADS/hotline

timeout 30 "$R" record -q --no-sched -o "$T/h.json" -- "$HL" 2 2>"$T/rec.err"
ok $? "ringside record -- hotline 2 exits 0"

# hot_pct: the self share shown on the hot line's row (at 120 columns, behind the self and
# with-callees columns, the line's end is cut after "HOT-LI").
hot_pct() {
	screen_text | awk '/HOT-LI/ && $1 ~ /%$/ { sub(/%/, "", $1); print $1; exit }'
}

screen_start 120 40 "$R" view --view flame "$T/h.json"
screen_wait 'hot_function' 10
ok $? "the flamegraph shows hot_function"
screen_keys / h o t _ f u n c t i o n Enter
screen_wait '/hot_function: [0-9.]+%' 5
screen_keys a
screen_wait 'annotate hot_function .*hotline +[0-9]+ samples +\(source and assembly\)' 5
ok $? "a opens the annotation of hot_function (source and assembly)"
screen_save "$T/mixed.txt"
p=$(hot_pct)
diag "hot line on screen: ${p:-none}%"
check "the hot line shows its text with >= 80% of the function (${p:-none}%)" \
	awk -v p="${p:-0}" 'BEGIN { exit !(p >= 80) }'
check "the loop's instructions show under it (imul, jne)" \
	sh -c 'grep -q "imul" "$1" && grep -q "jne" "$1"' sh "$T/mixed.txt"
screen_keys m
screen_wait '\(source\)' 5
ok $? "m: source only"
screen_save "$T/source.txt"
check "source only: the cold line shows, no instruction" \
	sh -c 'grep -q "COLD-LINE" "$1" && ! grep -q "imul" "$1"' sh "$T/source.txt"
screen_keys m
screen_wait '\(assembly\)' 5
ok $? "m again: assembly only"
screen_save "$T/asm.txt"
check "assembly only: instructions, no source text" \
	sh -c 'grep -q "imul" "$1" && ! grep -q "HOT-LI" "$1"' sh "$T/asm.txt"
screen_keys m
screen_wait '\(source and assembly\)' 5
screen_keys / t i m e Enter
sleep 0.5
screen_save "$T/search.txt"
check "/ time: the cold line, which calls time(), is in sight" grep -q "COLD-LINE" "$T/search.txt"
screen_keys Tab
sleep 0.5
screen_save "$T/tab.txt"
check "Tab: back in sight of the hot line" grep -q "HOT-LI" "$T/tab.txt"
screen_keys Escape
sleep 1
screen_save "$T/back.txt"
check "Esc goes back to the flamegraph" \
	sh -c '! grep -q "annotate hot_function" "$1" && grep -q "hot_function" "$1"' sh "$T/back.txt"
screen_keys q
screen_exit_is 0 "q quits the view"

screen_start 120 40 "$R" view "$T/h.json"
screen_wait 'hottest functions' 10
screen_keys a
screen_wait 'annotate hot_function' 5
ok $? "the overview's a annotates the hottest function"
screen_keys Escape q
screen_exit_is 0 "q quits"

# Live: the count in the title grows while the annotation is open.
screen_start 120 40 "$R" --no-sched --view flame -- "$HL" 8
screen_wait 'hot_function' 15
screen_keys / h o t _ f u n c t i o n Enter
sleep 0.5
screen_keys a
screen_wait 'annotate hot_function' 5
ok $? "live: a opens the annotation"
n1=$(screen_text | sed -n 's/.*hotline  *\([0-9]*\) samples.*/\1/p' | head -n 1)
sleep 2.5
n2=$(screen_text | sed -n 's/.*hotline  *\([0-9]*\) samples.*/\1/p' | head -n 1)
diag "live samples: $n1 then $n2"
check "live: the annotation's samples grow ($n1 -> $n2)" test "${n2:-0}" -gt "${n1:-0}"
screen_keys Escape q
screen_exit_is 0 "live: q quits" 20

done_testing
