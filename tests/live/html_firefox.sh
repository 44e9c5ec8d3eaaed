#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The HTML page in a second engine: Debian's headless Firefox ESR (installed by install-deps.sh),
# driven over WebDriver BiDi by tests/live/firefox.py (no geckodriver). Pages: a recording of the
# call-tree workload written as HTML by record itself, a short command (0.86 s, the page's samples
# chart for short recordings), the two merged into one snapshot (the host selector), and the
# fixtures with multiplexed counters and a call tree (tests/data). Each page must draw in Firefox
# with no error in the console or on the page; its flame graph has frames, as many as headless
# Chromium draws for the same page (tests/live/webdriver.py, when chromium is installed), with
# the same header and counter charts' titles; the functions table's first row is the function
# with the most self samples, as jq computes it from the snapshot; a recording's page has the
# time-range bar, brushable charts and the flame chart. A page with a damaged snapshot is seen
# undrawn, the page saying it cannot read it; markup added to a page is stopped by its
# Content-Security-Policy.

. "$TESTLIB"
require_root
# Its subject is the page in a second engine, the same in both of CI's passes: it runs in the
# -Werror pass only (the sanitizer build writes the same pages in html.sh and ranges_export.sh).
[ "${RINGSIDE_SANITIZED:-0}" = 1 ] &&
	skip_all "sanitizer build: the page in Firefox is checked by the -Werror pass"
[ -n "$FIREFOX" ] && [ -x "$FIREFOX" ] ||
	skip_all "firefox-esr is not installed (./install-deps.sh installs it)"
[ -n "$PYTHON3" ] || skip_all "python3 is not installed (./install-deps.sh installs it)"
make_tmpdir

R=$RINGSIDE
CT=$WORKLOADS/calltree
PH=$WORKLOADS/phases

firefox() {
	FIREFOX=$FIREFOX timeout 120 "$PYTHON3" "$TOP_SRCDIR/tests/live/firefox.py" "$@"
}

chromium() {
	[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] && [ -n "$CHROMEDRIVER" ] &&
		[ -x "$CHROMEDRIVER" ] || return 77
	CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
		"$TOP_SRCDIR/tests/live/webdriver.py" "$@"
}

# The function with the most self samples (ties: any of them), as the page's functions table
# counts them: frames keyed by name and module, the root, host, process, thread and state frames
# left out; printed as [[name, module], ...] with the top self count.
TOPFN='.stacks as $st | [$st.nodes[] | $st.frames[.[1]] as $f |
	select(["root", "host", "process", "thread", "state"] | index($f[4]) | not) |
	{ name: (($st.strings[$f[0]] // "") | if . == "" then "[unknown]" else . end),
	  module: ($st.strings[$f[1]] // ""), self: .[2] }] |
	group_by([.name, .module]) | map({ name: .[0].name, module: .[0].module,
	self: (map(.self) | add) }) | (map(.self) | max) as $m |
	{ self: $m, names: map(select(.self == $m) | [.name, .module]) }'

# page LABEL HTML JSON [recording]: open HTML in Firefox (and Chromium) and check it against the
# snapshot JSON; "recording" adds the time-range checks.
page() {
	_l=$1 _h=$2 _j=$3
	F=$T/$_l.ff
	firefox "$_h" >"$F" 2>"$F.err"
	ok $? "$_l: firefox.py opens the page in Firefox ESR over BiDi"
	[ -s "$F.err" ] && diag "$_l: firefox.py: $(head -c 300 "$F.err")"
	diag "$_l: $("$JQ" -c '{version, wall_ms, ready, frames: .page.flame_frames,
		first: .page.functions_first.name, logs: .log_entries, bidi_error}' "$F" 2>&1)"
	check "$_l: Firefox drew the page (body data-ready 1)" "$JQ" -e '.ready == "1"' "$F"
	check "$_l: no JavaScript error in Firefox's console, none on the page" \
		"$JQ" -e '.js_errors == [] and .page.errors == []' "$F"
	check "$_l: the flame graph has frames in Firefox" "$JQ" -e '.page.flame_frames > 0' "$F"
	check "$_l: the functions table's first row is the top self function jq finds in the snapshot" \
		"$JQ" -n -e --slurpfile s "$_j" --slurpfile f "$F" "\$s[0] | $TOPFN | . as \$top |
		\$f[0].page.functions_first as \$r | \$r.self == \$top.self and
		(\$top.names | index([[\$r.name, \$r.module]]) != null)"
	if [ "${4:-}" = recording ]; then
		check "$_l: the time-range bar, brushable charts and the flame chart are there" \
			"$JQ" -e '.page.range_bar and .page.brushable > 0 and .page.flame_chart and
			.page.flame_chart_frames > 0' "$F"
	fi
	W=$T/$_l.wd
	chromium "$_h" "$T" >"$W" 2>"$W.err"
	_st=$?
	if [ "$_st" -eq 77 ]; then
		skip "$_l: the same frames, header and counter titles as Chromium" "chromium is not installed"
		return
	fi
	ok $_st "$_l: webdriver.py opens the page in Chromium"
	check "$_l: Firefox and Chromium draw as many flame graph frames ($("$JQ" -c \
		'.page.flame_frames' "$W" 2>/dev/null) in Chromium)" "$JQ" -n -e --slurpfile f "$F" \
		--slurpfile w "$W" '$f[0].page.flame_frames == $w[0].page.flame_frames'
	check "$_l: Firefox and Chromium show the same header and counter charts' titles" \
		"$JQ" -n -e --slurpfile f "$F" --slurpfile w "$W" '$f[0].page as $f | $w[0].page as $w |
		($f.header | keys) as $k | ([$k[] | $f.header[.] == $w.header[.]] | all) and
		($f.counter_charts | map([.event, .heading])) ==
		($w.counter_charts | map([.event, .heading]))'
}

timeout 60 "$R" record -F 999 -g fp -o "$T/ct.html" -- "$CT" 2 2>"$T/ct.err"
ok $? "record -o X.html -- calltree 2 exits 0"
"$R" export "$T/ct.html" -o "$T/ct.json" 2>>"$T/ct.err"
ok $? "export X.html -o X.json reads the page back"
page calltree "$T/ct.html" "$T/ct.json" recording

# What the checks above would see of a broken page: its snapshot made unreadable (a "{" before
# the JSON), and markup added from outside, which the Content-Security-Policy must stop in
# Firefox too: an inline script (it would retitle the page) and an image from the network.
sed 's#<script type="application/json" id="ringside-data">#&{#' "$T/ct.html" >"$T/bad.html"
firefox "$T/bad.html" >"$T/bad.ff" 2>"$T/bad.ff.err"
check "a damaged snapshot: the page says it cannot read it, and is not drawn" \
	"$JQ" -e '.ready == "error" and .page.flame_frames == 0 and
	(.page.errors | any(test("cannot read the snapshot")))' "$T/bad.ff"
sed 's#</body>#<script>document.title = "injected"</script><img src="http://127.0.0.1:9/leak.png"></body>#' \
	"$T/ct.html" >"$T/inject.html"
firefox "$T/inject.html" >"$T/inject.ff" 2>"$T/inject.ff.err"
check "the policy holds in Firefox: an added inline script does not run, its image is not loaded" \
	"$JQ" -n -e --slurpfile i "$T/inject.ff" --slurpfile f "$T/calltree.ff" '$i[0] as $i |
	$i.ready == "1" and $i.page.title == $f[0].page.title and
	([$i.js_errors[].text | select(test("Content-Security-Policy"))] |
		any(test("script")) and any(test("127\\.0\\.0\\.1:9/leak\\.png")))'

timeout 60 "$R" record -F 999 -g fp -o "$T/short.json" -- "$PH" 0.43 0.43 0 2>"$T/short.err" &&
	"$R" export "$T/short.json" -o "$T/short.html" 2>>"$T/short.err"
ok $? "record a 0.86 s command (phases 0.43 0.43 0) and export it to HTML"
page short "$T/short.html" "$T/short.json" recording
check "short: the samples chart for a short recording is there in Firefox" \
	"$JQ" -e '.page.samples_chart' "$T/short.ff"

"$R" merge "$T/ct.json" "$T/short.json" -o "$T/merged.json" 2>"$T/merged.err" &&
	"$R" export "$T/merged.json" -o "$T/merged.html" 2>>"$T/merged.err"
ok $? "merge the two recordings and export the merged snapshot to HTML"
page merged "$T/merged.html" "$T/merged.json"

for f in html-ratios screen-calltree; do
	"$R" export "$TESTDATA/$f.json" -o "$T/$f.html" 2>"$T/$f.err"
	ok $? "export tests/data/$f.json to HTML"
	page "$f" "$T/$f.html" "$TESTDATA/$f.json"
done

done_testing
