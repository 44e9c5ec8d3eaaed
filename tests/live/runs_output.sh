#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# A launched command's output (man ringside.1, "THE COMMAND'S OUTPUT"): the relay keeps stdout
# and stderr apart and keeps them with the run:
#   - record -- a command writing known lines to stdout and stderr (markup, an escape sequence and
#     a last line without its newline among them), its output to files: ringside's stdout holds
#     exactly the command's stdout, its stderr the command's stderr lines and no stdout line; the
#     command saw pipes (isatty false, as documented), also when ringside's stdout is a terminal
#     (in tmux); with --no-save it has the terminal; the kept file's o records are its stdout and
#     its e records its stderr, in the kept format; runs show prints stdout as it is and stderr
#     marked "[stderr] ", the unterminated line whole; the snapshot's command_output holds them;
#   - record --stream -o - -- CMD: nothing of the command's in the stream, both its streams on
#     stderr;
#   - the live screen in tmux: O opens the output pane with the lines, stderr marked, escape
#     sequences shown as text (the title not changed), scrolls (200 numbered lines: End, PgUp,
#     Home) and closes on O; view @last shows the kept output the same way;
#   - the HTML page (headless Chromium, tests/live/output_page.py): an Output section with the
#     lines, stderr's classed, markup as text; a snapshot without command_output opens and has
#     none; a bad command_output is refused in one line (exit 2);
#   - a recording of one interval (sleep 0.86 at -I 1000): every counter chart and the user's
#     ratio chart show a mark the browser paints (hit test at its middle finds it), with the
#     value on the axis.

. "$TESTLIB"
require_root
command -v tmux >/dev/null || skip_all "needs tmux"
[ -n "$JQ" ] && [ -x "$JQ" ] || skip_all "needs jq"
make_tmpdir

R=$RINGSIDE
export XDG_DATA_HOME="$T/data"
LIB=$XDG_DATA_HOME/ringside

# The command: stdout and stderr lines in turn, then what it saw of its descriptors.
cat >"$T/cmd.sh" <<'EOF'
echo out-1
echo err-1 >&2
echo 'out-2 <b>bold</b>'
printf 'err-2 \033]0;pwned\007 \033[31mred\n' >&2
if [ -t 1 ]; then echo stdout-is-a-tty; else echo stdout-is-a-pipe; fi
if [ -t 2 ]; then echo stderr-is-a-tty >&2; else echo stderr-is-a-pipe >&2; fi
printf 'out-last-no-newline'
EOF
printf 'out-1\nout-2 <b>bold</b>\nstdout-is-a-pipe\nout-last-no-newline' >"$T/want.out"
printf 'err-1\nerr-2 \033]0;pwned\007 \033[31mred\nstderr-is-a-pipe\n' >"$T/want.err"

# --- record: apart on ringside's stdout and stderr, kept apart with the run
timeout 30 "$R" record -q -e task-clock --no-samples --no-sched -- sh "$T/cmd.sh" \
	>"$T/rec.out" 2>"$T/rec.err"
ok $? "record -- cmd.sh exits 0"
check "ringside's stdout is exactly the command's stdout" cmp "$T/rec.out" "$T/want.out"
grep -v '^ringside: ' "$T/rec.err" >"$T/rec.cmderr"
check "ringside's stderr holds exactly the command's stderr lines" cmp "$T/rec.cmderr" "$T/want.err"
check "no stdout line went to stderr" sh -c '! grep -q out- "$1"' sh "$T/rec.err"
check "the command saw a pipe on stdout and stderr (isatty false)" \
	sh -c 'grep -qx stdout-is-a-pipe "$1" && grep -qx stderr-is-a-pipe "$2"' sh "$T/rec.out" \
	"$T/rec.err"
KEPT=$LIB/runs/1.out
check "the kept output starts with its header line" sh -c 'head -n 1 "$1" | grep -q "^# ringside"' \
	sh "$KEPT"
# unkept STREAM: the command's bytes on one stream, rebuilt from the kept records.
unkept() {
	awk -v s="$1" 'NR > 1 && substr($0, 1, 1) == s { printf "%s\n", substr($0, 3) }
		NR > 1 && substr($0, 1, 1) == toupper(s) { printf "%s", substr($0, 3) }' "$KEPT"
}
unkept o >"$T/kept.out"
unkept e >"$T/kept.err"
check "the kept stdout records are what the command wrote to stdout" cmp "$T/kept.out" \
	"$T/want.out"
check "the kept stderr records are what it wrote to stderr" cmp "$T/kept.err" "$T/want.err"
check "the line without a newline is kept as an O record" grep -qx 'O out-last-no-newline' "$KEPT"

"$R" runs show 1 >"$T/show" 2>&1
check "runs show: a stdout line as it is" grep -qx 'out-2 <b>bold</b>' "$T/show"
check "runs show: a stderr line marked [stderr]" grep -qx '\[stderr\] err-1' "$T/show"
check "runs show: the escape sequences as text" grep -qx '\[stderr\] err-2 ?\]0;pwned? ?\[31mred' \
	"$T/show"
check "runs show: the unterminated line whole" grep -qx 'out-last-no-newline' "$T/show"
check "runs show prints no escape character" sh -c '! grep -q "$(printf "\033")" "$1"' sh "$T/show"
"$JQ" -r '.command_output.records' "$LIB/runs/1.json" >"$T/snap.rec"
check "the snapshot's command_output has the records" \
	sh -c 'grep -qx "e err-1" "$1" && grep -qx "O out-last-no-newline" "$1"' sh "$T/snap.rec"
check "the snapshot's command_output dropped nothing" \
	test "$("$JQ" '.command_output.dropped' "$LIB/runs/1.json")" = 0

# --- --stream: the stream is stdout's alone; the command's two streams on stderr
timeout 30 "$R" record --stream -o - -e task-clock --no-samples --no-sched -- sh "$T/cmd.sh" \
	>"$T/stream.out" 2>"$T/stream.err"
ok $? "record --stream -o - -- cmd.sh exits 0"
check "nothing of the command's in the stream" sh -c \
	'gzip -dc "$1" | grep -q "^end " && ! gzip -dc "$1" | grep -q "out-\|err-"' sh "$T/stream.out"
check "its stdout and stderr lines on ringside's stderr" \
	sh -c 'grep -qx out-1 "$1" && grep -qx err-1 "$1"' sh "$T/stream.err"

# --- in a terminal: record still gives the command pipes; --no-save gives it the terminal
screen_start 120 30 sh -c "'$R' record -q -e task-clock --no-samples --no-sched -- sh '$T/cmd.sh'; \
	echo; '$R' record -q -e task-clock --no-samples --no-sched --no-save -o '$T/nosave.json' -- \
	sh -c 'if [ -t 1 ]; then echo nosave-tty; else echo nosave-pipe; fi'"
screen_wait 'nosave-' 30
screen_save "$T/tty.txt"
screen_exit_is 0 "record twice in a terminal exits 0"
check "in a terminal, the command's stdout is still a pipe (kept with the run)" \
	grep -qx 'stdout-is-a-pipe' "$T/tty.txt"
check "with --no-save the command has the terminal" grep -qx 'nosave-tty' "$T/tty.txt"
grep -qx 'nosave-tty' "$T/tty.txt" || diag "$(tr '\n' '|' <"$T/tty.txt")"
check "its stderr lines went to ringside's stderr" grep -qx 'err-1' "$T/screen.err"

# --- the live screen's output pane (the pause keeps cmd.sh's lines, stderr's among them, ahead of
# the 200 numbered ones: the relay reads the two pipes in turn, so their order is only as close as
# that allows, and all 200 could otherwise come first)
screen_start 120 40 "$R" -I 250 -e task-clock --no-samples --no-sched -o "$T/live.json" -- \
	sh -c "sh '$T/cmd.sh'; sleep 0.5; echo; i=1; while [ \$i -le 200 ]; do echo num-\$i; \
		i=\$((i+1)); done; sleep 30"
screen_wait 'task-clock' 15
screen_keys O
if screen_wait 'num-200' 10; then ok 0 "O opens the output pane, at its end"; else
	screen_save "$T/pane0.txt"
	ok 1 "O opens the output pane, at its end"
	diag "$(cat "$T/pane0.txt")"
fi
screen_save "$T/pane.txt"
check "the pane names itself and the stderr lines" grep -q 'Command output: 207 lines, 3 on stderr' \
	"$T/pane.txt"
check "the pane does not show the first lines at its end" sh -c '! grep -q "num-1\$" "$1"' sh \
	"$T/pane.txt"
screen_keys Home
screen_wait 'out-1' 5
screen_save "$T/home.txt"
check "Home: the first lines" grep -qx 'out-1' "$T/home.txt"
check "Home: a stderr line marked" grep -qx 'stderr| err-1' "$T/home.txt"
check "Home: escape sequences shown as text" grep -qx 'stderr| err-2 ?\]0;pwned? ?\[31mred' \
	"$T/home.txt"
check "Home: the tag-like text as it is" grep -qx 'out-2 <b>bold</b>' "$T/home.txt"
check "the command's escape did not retitle the pane" \
	sh -c '! tmux -S "$1" display-message -p "#{pane_title}" | grep -q pwned' sh "$T/tmux.sock"
screen_keys End
screen_wait 'num-200' 5
screen_keys PPage
screen_wait 'num-1[0-9][0-9]$' 5
screen_save "$T/pgup.txt"
check "PgUp: earlier lines, not the last" \
	sh -c 'grep -q "^num-1[0-9][0-9]\$" "$1" && ! grep -qx num-200 "$1"' sh "$T/pgup.txt"
screen_keys O
screen_wait 'rate history' 5
screen_save "$T/closed.txt"
check "O again closes the pane" sh -c '! grep -q "Command output" "$1"' sh "$T/closed.txt"
screen_keys q
screen_exit_is 0 "the live screen exits 0 on q"
check "q with -o registered the live run" grep -q '^ringside: saved as run' "$T/screen.err"
"$JQ" -r '.command_output.records' "$T/live.json" >"$T/live.rec"
check "the live -o snapshot holds the command's output" \
	sh -c 'grep -qx "e err-1" "$1" && grep -qx "o num-200" "$1"' sh "$T/live.rec"

screen_start 120 40 "$R" view @last
screen_wait 'SNAPSHOT' 10
screen_keys O
screen_wait 'Command output' 5
screen_keys Home
screen_wait 'out-1' 5
screen_save "$T/view.txt"
check "view @last, O: the kept output, stderr marked" \
	sh -c 'grep -qx out-1 "$1" && grep -qx "stderr| err-1" "$1"' sh "$T/view.txt"
grep -qx out-1 "$T/view.txt" || diag "$(tr '\n' '|' <"$T/view.txt")"
screen_keys q
screen_exit_is 0 "view exits 0 on q"
screen_stop

# --- the HTML page
"$R" export @1 -o "$T/page.html" 2>"$T/exp.err"
ok $? "export @1 -o page.html exits 0"
"$R" export "$TESTDATA/snapshot-good.json" -o "$T/old.json" 2>"$T/old.err"
ok $? "a snapshot without command_output still opens"
check "and gets none" sh -c '! grep -q command_output "$1"' sh "$T/old.json"
"$JQ" -c '.command_output = 7' "$LIB/runs/1.json" >"$T/bad.json"
"$R" export "$T/bad.json" -o "$T/bad.folded" 2>"$T/bad.err"
ok $(($? != 2)) "a snapshot with a bad command_output: exit 2"
check "in one line naming command_output" \
	sh -c 'test "$(grep -c . "$1")" -eq 1 && grep -q command_output "$1"' sh "$T/bad.err"

timeout 60 "$R" record -q -e task-clock,page-faults,context-switches \
	--ratio pfcs=page-faults/context-switches --no-samples -o "$T/short.html" -- sleep 0.86 \
	2>"$T/short.err"
ok $? "record -o short.html -- sleep 0.86 (one interval) exits 0"

if [ -z "$CHROMEDRIVER" ] || [ ! -x "$CHROMEDRIVER" ] || [ -z "$PYTHON3" ] ||
	[ -z "$CHROMIUM" ] || [ ! -x "$CHROMIUM" ]; then
	skip "the page in a browser" "needs chromium, chromium-driver and python3"
else
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/output_page.py" "$T/page.html" >"$T/page.probe" 2>&1
	check "the page drew" test "$("$JQ" -r .ready "$T/page.probe")" = 1
	check "the page links an Output section" test "$("$JQ" .nav_output "$T/page.probe")" = true
	check "its lines are the command's, stderr's classed" test "$("$JQ" -c \
		'[.output[] | select(.[0] == "err-line") | .[1]] | .[0:1]' "$T/page.probe")" = \
		'["err-1\n"]'
	check "a stdout line with its markup as text" test "$("$JQ" -r \
		'[.output[] | select(.[0] == "out-line") | .[1]][1]' "$T/page.probe")" = \
		'out-2 <b>bold</b>'
	check "no element came out of the output" test "$("$JQ" .output_markup "$T/page.probe")" = 0
	check "the unterminated line is in the page" "$JQ" -e \
		'[.output[][1]] | index("out-last-no-newline\n") != null' "$T/page.probe"

	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/output_page.py" "$T/short.html" >"$T/short.probe" 2>&1
	check "short: one interval in each counter chart" "$JQ" -e \
		'[.charts[] | select(.event) | .polyline_points] | length >= 3 and all(. == 1)' \
		"$T/short.probe"
	check "short: every counter chart has a painted mark (hit at its middle)" "$JQ" -e \
		'[.charts[] | select(.event)] | all([.marks[] | select(.hit and .width > 0)] | length > 0)' \
		"$T/short.probe"
	check "short: the user's ratio chart has a painted mark" "$JQ" -e \
		'[.charts[] | select(.ratio == "pfcs")] | length == 1 and
		 all([.marks[] | select(.hit)] | length > 0)' "$T/short.probe"
	check "short: the marks are stroked" "$JQ" -e \
		'[.charts[].marks[] | .stroke != "none" and .visibility == "visible"] | all' \
		"$T/short.probe"
	check "short: the axis gives the interval's value" "$JQ" -e \
		'[.charts[] | select(.event) | .axis | test("one interval: [0-9]")] | all' "$T/short.probe"
	[ "$("$JQ" -r .ready "$T/short.probe")" = 1 ] || diag "$(cat "$T/short.probe")"
fi

done_testing
