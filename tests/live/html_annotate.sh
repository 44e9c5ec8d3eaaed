#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The page's annotations, in headless Chromium: a copy of tests/workloads/hotline whose hot line
# also carries "<script>alert(1)</script>" in its comment (a C function name cannot hold one:
# the source line is the hostile string from the profiled system) is recorded as a page. The page embeds the hottest functions' annotations (a
# ringside-annotate element, with every '<' as \u003c); opened with #annotate=hot_function (the
# same path a click on the function's row takes), it shows the annotation: the hot line is the
# highlighted row with >= 80% of the function, its text with the <script> tag as text (no script
# element made of it), the loop's instructions under it; a WebDriver session clicks the
# function's row and sees the same. Without DWARF the page says
# "assembly only". `ringside view` still reads the page.

. "$TESTLIB"
require_root
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] ||
	skip_all "chromium not found (apt-get install chromium)"
make_tmpdir
cpu_lock

R=$RINGSIDE

dump_dom() {
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$T/chromium-$2" --no-first-run --disable-background-networking \
		--virtual-time-budget=10000 --dump-dom "file://$1" 2>"$T/chromium-$2.err"
}

mkdir "$T/src"
sed 's|/\* HOT-LINE \*/|/* HOT-LINE <script>alert(1)</script> */|' \
	"$TOP_SRCDIR/tests/workloads/hotline.c" >"$T/src/hotline.c"
(cd "$T/src" && gcc -O2 -g -fno-omit-frame-pointer -o ../hl hotline.c) 2>"$T/gcc.err"
ok $? "gcc builds hotline with a hostile comment on its hot line"
objcopy --strip-debug "$T/hl" "$T/hl-nodebug"
timeout 30 "$R" record -q --no-sched -o "$T/hl.html" -- "$T/hl" 2 2>"$T/rec.err"
ok $? "ringside record -o X.html -- hotline 2"
check "the page embeds the annotations, every '<' escaped" \
	sh -c 'grep -q "id=\"ringside-annotate\"" "$1" &&
		! grep -q "alert(1)</script>" "$1" && grep -q "u003cscript>alert(1)" "$1"' sh "$T/hl.html"

dump_dom "$T/hl.html#annotate=hot_function" hl >"$T/hl.dom"
check "the page drew" grep -q 'data-ready="1"' "$T/hl.dom"
check "the annotation of hot_function is open" grep -q 'id="annotate" data-function="hot_function"' "$T/hl.dom"
hot=$(grep -o '<tr class="src hot"[^>]*><td class="num">[0-9.]*%</td><td class="num incl">[0-9.]*%</td><td class="num">[0-9]*</td><td class="code">[^<]*' "$T/hl.dom")
diag "hot row: $hot"
pct=$(echo "$hot" | sed -n 's/.*<td class="num">\([0-9.]*\)%.*/\1/p')
check "the highlighted row is the hot line, >= 80% of the function (${pct:-none}%)" \
	sh -c 'echo "$1" | grep -q "HOT-LINE" && awk -v p="${2:-0}" "BEGIN { exit !(p >= 80) }"' \
	sh "$hot" "$pct"
check "its <script> stays text" sh -c 'echo "$1" | grep -q "HOT-LINE &lt;script&gt;alert(1)&lt;/script&gt;"' sh "$hot"
check "no script element came of it" sh -c '! grep -q "<script>alert" "$1"' sh "$T/hl.dom"
check "the loop's instructions are in the annotation" \
	sh -c 'grep -o "id=\"annotate-table\".*" "$1" | grep -q "imul"' sh "$T/hl.dom"
check "the functions with annotations are marked in the table" \
	grep -q 'class="annotatable"[^>]*data-name="hot_function"\|data-name="hot_function"[^>]*class="annotatable"' "$T/hl.dom"

# The same through a click, in a WebDriver session (tests/live/webdriver.py).
if [ -n "$CHROMEDRIVER" ] && [ -x "$CHROMEDRIVER" ] && [ -n "$PYTHON3" ]; then
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 90 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver.py" "$T/hl.html" "$T" --annotate hot_function \
		>"$T/wd.json" 2>"$T/wd.err"
	ok $? "webdriver.py --annotate hot_function ran ($(head -c 300 "$T/wd.err"))"
	diag "click: $(jq -c '.annotate | del(.asm)' "$T/wd.json" 2>/dev/null)"
	check "webdriver: clicking hot_function's row opens its annotation, one hot row" \
		jq -e '.annotate.row_found and .annotate.function == "hot_function" and
			.annotate.hot_count == 1' "$T/wd.json"
	check "webdriver: the hot row is the hot line, >= 80%, its <script> as text" \
		jq -e '(.annotate.hot_text | contains("HOT-LINE <script>alert(1)</script>")) and
			(.annotate.hot_share | rtrimstr("%") | tonumber) >= 80' "$T/wd.json"
	check "webdriver: the loop's instructions are shown" \
		jq -e '.annotate.asm | contains("imul") and contains("jne")' "$T/wd.json"
	check "webdriver: no alert(), confirm() or prompt() was called" \
		jq -e '.page.dialogs == [] and .alert == null' "$T/wd.json"
else
	skip "the click in a WebDriver session" "chromedriver or python3 missing"
fi

timeout 30 "$R" record -q --no-sched -o "$T/nd.html" -- "$T/hl-nodebug" 1 2>"$T/nd.err"
ok $? "ringside record -o X.html -- a copy without DWARF"
dump_dom "$T/nd.html#annotate=hot_function" nd >"$T/nd.dom"
check "without DWARF the page says assembly only, and shows it" \
	sh -c 'grep -q "no line table for .*hl-nodebug: assembly only" "$1" && grep -q "imul" "$1"' \
	sh "$T/nd.dom"
expect_status 0 "ringside annotate reads the page" "$R" annotate "$T/hl.html" hot_function

done_testing
