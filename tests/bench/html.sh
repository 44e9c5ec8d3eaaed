#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The HTML page of a system-wide profile: its size and how fast headless Chromium draws it. Prints
# figures, never passes or fails. Needs RINGSIDE, WORKLOADS, CHROMIUM (and CHROMEDRIVER, PYTHON3
# and TOP_SRCDIR for the WebDriver timing), as `make bench` sets them; run as root.
#
# `ringside record -a --duration S -o X.html` (default 999 Hz, call graphs, the scheduler
# timeline; S = BENCH_HTML_S, default 60) while one calltree workload per CPU runs for the first
# half, so the profile has stacks and switches to show. Then: the page's size (target < 2 MB), the
# snapshot JSON's size and its biggest parts (what a large page is made of), and the time from
# navigation to "drawn" in Chromium (body data-ready-ms, target < 1000 ms), median of
# BENCH_HTML_RUNS (default 3) loads. The last line gives both figures against their targets.
set -u

: "${RINGSIDE:?set RINGSIDE to the ringside binary}" "${WORKLOADS:?set WORKLOADS}"
: "${CHROMIUM:=chromium}" "${JQ:=jq}" "${PYTHON3:=python3}" "${CHROMEDRIVER:=chromedriver}"
: "${TOP_SRCDIR:=$(dirname "$0")/../..}"
: "${BENCH_HTML_S:=60}" "${BENCH_HTML_RUNS:=3}"

T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench-html.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT

ncpu=$(nproc)
half=$((BENCH_HTML_S / 2))
[ "$half" -ge 1 ] || half=1
echo "html: ringside record -a --duration $BENCH_HTML_S -o X.html; calltree x $ncpu for ${half} s"
"$RINGSIDE" record -a --duration "$BENCH_HTML_S" -q -o "$T/sys.html" 2>"$T/rec.err" &
rpid=$!
sleep 1
i=0
while [ "$i" -lt "$ncpu" ]; do
	"$WORKLOADS/calltree" "$half" >/dev/null 2>&1 &
	i=$((i + 1))
done
wait "$rpid" || {
	echo "html: record failed: $(cat "$T/rec.err")"
	exit 0
}
wait
"$RINGSIDE" export "$T/sys.html" -o "$T/sys.json" 2>/dev/null
size=$(wc -c <"$T/sys.html")
jsize=$(wc -c <"$T/sys.json")
enc=plain
grep -q 'data-encoding="gzip-base64"' "$T/sys.html" && enc=gzip-base64
printf 'html: page %d bytes (%.2f MB, target < 2 MB), snapshot JSON %d bytes, embedded %s\n' \
	"$size" "$(echo "$size" | awk '{ print $1 / 1e6 }')" "$jsize" "$enc"
printf 'html: %s samples, %s tasks, %s switches, %s stack nodes\n' \
	"$("$JQ" -r '.stacks.samples' "$T/sys.json")" "$("$JQ" -r '.sched.tasks | length' "$T/sys.json")" \
	"$("$JQ" -r '.sched.switches' "$T/sys.json")" "$("$JQ" -r '.stacks.nodes | length' "$T/sys.json")"
printf 'html: JSON by part (bytes):'
for part in .events .stacks.strings .stacks.frames .stacks.nodes .sched.tasks \
	'[.sched.cpus[].runs]' '[.sched.cpus[].summaries]' .sched.map; do
	printf ' %s %s' "$part" "$("$JQ" -c "$part" "$T/sys.json" | wc -c)"
done
echo

# Chromium: --dump-dom wall time (process start to DOM written), then WebDriver's in-page times.
start=$(date +%s%N)
timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --user-data-dir="$T/chr" \
	--virtual-time-budget=10000 --dump-dom "file://$T/sys.html" >"$T/dom" 2>/dev/null
end=$(date +%s%N)
printf 'html: chromium --dump-dom: %d ms wall including browser start-up; drawn: %s\n' \
	$(((end - start) / 1000000)) "$(grep -o 'data-ready="[^"]*"' "$T/dom" | head -n 1)"
ready=''
if command -v "$CHROMEDRIVER" >/dev/null 2>&1 && command -v "$PYTHON3" >/dev/null 2>&1; then
	r=0
	: >"$T/times"
	while [ "$r" -lt "$BENCH_HTML_RUNS" ]; do
		CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 120 "$PYTHON3" \
			"$TOP_SRCDIR/tests/live/webdriver.py" "$T/sys.html" "$T" >"$T/wd.json" 2>/dev/null
		"$JQ" -r '"\(.page.ready_ms) \(.page.draw_ms) \(.page.flame_frames) \(.page.sched_rects)"' \
			"$T/wd.json" >>"$T/times"
		r=$((r + 1))
	done
	set -- $(sort -n "$T/times" | awk -v n="$BENCH_HTML_RUNS" 'NR == int((n + 1) / 2)')
	case "${1:-null}" in
	null) echo "html: chromium: the page did not report drawing (WebDriver failed)" ;;
	*)
		ready=$1
		printf 'html: chromium: drawn %.0f ms after navigation (median of %d; target < 1000 ms), ' \
			"$1" "$BENCH_HTML_RUNS"
		printf 'of which drawing %.0f ms; %d flame graph frames, %d map cells drawn\n' \
			"$2" "$3" "$4"
		;;
	esac
else
	echo "html: chromedriver or python3 missing: no in-page timing"
fi

# VALUE against TARGET (a bound it must stay under): "met", "NOT met", or "not measured".
verdict() {
	awk -v v="$1" -v t="$2" 'BEGIN {
		if (v !~ /^[0-9.]+$/) print "not measured"; else print (v + 0 < t + 0 ? "met" : "NOT met") }'
}
printf 'html: SUMMARY: page %.2f MB (target < 2 MB: %s), drawn in %s ms (target < 1000 ms: %s)\n' \
	"$(echo "$size" | awk '{ print $1 / 1e6 }')" "$(verdict "$size" 2000000)" "${ready:-?}" \
	"$(verdict "$ready" 1000)"
