#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ringside merge: two recordings of the call-tree workload, given the hosts "alpha" and "beta"
# (meta.host set with jq, as two machines would have written it), merged into one snapshot:
#   - meta.hosts lists both inputs (label, host, source, samples); the tree has one "host" frame
#     per input under the root whose total is that input's root total, and whose folded stacks
#     (alpha;... lines) sum to the input's own folded stacks; stacks.samples is the sum;
#   - every event of each input is kept as EVENT@HOST with the input's counts;
#   - one host given twice (MPI ranks on one machine) is labelled host#N, N its position;
#   - @last~1 @last (the library of runs) merge the same way;
#   - a missing, a corrupt and an already merged input: exit 2, the file named, nothing written;
#   - pprof (.pb.gz): the host is a sample label, host=alpha holds alpha's samples (go tool pprof);
#   - JSON -> JSON again is byte-identical; view shows [host alpha] and [host beta] in the
#     flame graph (f filters it to one host) and the per-host counters in the overview;
#   - the HTML page (headless Chromium, --dump-dom) has a Hosts table with each input's samples,
#     a host selector over the flame graph and a host frame per input with its total; choosing a
#     host in the selector (WebDriver) zooms the flame graph to it, all hosts back to the root.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree
export XDG_DATA_HOME="$T/data"

# --- two recordings, as two hosts
timeout 60 "$R" record -F 999 -g fp -o "$T/r1.json" -- "$CT" 1 2>"$T/r1.err"
ok $? "record -o r1.json -- calltree 1 exits 0"
timeout 60 "$R" record -F 999 -g fp -o "$T/r2.json" -- "$CT" 1 2>"$T/r2.err"
ok $? "record -o r2.json -- calltree 1 exits 0"
"$JQ" '.meta.host = "alpha"' "$T/r1.json" >"$T/a.json"
"$JQ" '.meta.host = "beta"' "$T/r2.json" >"$T/b.json"

timeout 60 "$R" merge "$T/a.json" "$T/b.json" -o "$T/all.json" 2>"$T/merge.err"
ok $? "merge a.json b.json -o all.json exits 0 $(head -c 200 "$T/merge.err")"

# samples FILE: the input's stack total.
samples() {
	"$JQ" -r '.stacks.samples' "$1"
}
# host_total FILE LABEL: the total of the node whose frame is the host frame LABEL.
host_total() {
	"$JQ" -r --arg h "$2" '.stacks as $s |
		[$s.nodes[] | select($s.frames[.[1]][4] == "host" and
			$s.strings[$s.frames[.[1]][0]] == $h and .[0] == 0) | .[3]] |
		if length == 1 then .[0] else "none" end' "$1"
}
SA=$(samples "$T/a.json")
SB=$(samples "$T/b.json")
diag "alpha $SA samples, beta $SB samples"
check "both inputs have samples" test "$SA" -gt 0 -a "$SB" -gt 0
check "meta.hosts lists alpha and beta with their sources and samples" \
	"$JQ" -e --arg a "$T/a.json" --arg b "$T/b.json" --argjson sa "$SA" --argjson sb "$SB" \
	'[.meta.hosts[] | [.label, .host, .source, .samples]] ==
	 [["alpha", "alpha", $a, $sa], ["beta", "beta", $b, $sb]]' "$T/all.json"
check "meta.host names both hosts, meta.cpus is the sum" "$JQ" -e --slurpfile a "$T/a.json" \
	--slurpfile b "$T/b.json" \
	'.meta.host == "alpha,beta" and .meta.cpus == $a[0].meta.cpus + $b[0].meta.cpus' \
	"$T/all.json"
check "stacks.samples is the sum of the inputs' ($SA + $SB)" \
	test "$(samples "$T/all.json")" -eq $((SA + SB))
check "the host frame alpha under the root totals alpha's samples ($SA)" \
	test "$(host_total "$T/all.json" alpha)" = "$SA"
check "the host frame beta under the root totals beta's samples ($SB)" \
	test "$(host_total "$T/all.json" beta)" = "$SB"
check "the merged root has exactly the two host frames as children" "$JQ" -e '.stacks as $s |
	[$s.nodes[] | select(.[0] == 0) | $s.frames[.[1]][4]] == ["host", "host"]' "$T/all.json"

# Folded stacks: alpha's lines of the merge are the input's own, prefixed.
"$R" export "$T/a.json" -o "$T/a.folded" 2>/dev/null
"$R" export "$T/b.json" -o "$T/b.folded" 2>/dev/null
"$R" merge "$T/a.json" "$T/b.json" -o "$T/all.folded" 2>/dev/null
ok $? "merge -o all.folded exits 0"
check "folded: the alpha;... lines are alpha's own stacks" sh -c \
	'sed -n "s/^alpha;//p" "$1" | sort >"$1.a" && sort "$2" | cmp -s - "$1.a"' sh \
	"$T/all.folded" "$T/a.folded"
check "folded: the beta;... lines are beta's own stacks" sh -c \
	'sed -n "s/^beta;//p" "$1" | sort >"$1.b" && sort "$2" | cmp -s - "$1.b"' sh \
	"$T/all.folded" "$T/b.folded"

# Counters per host: EVENT@HOST with the input's counts.
check "every event of each input is EVENT@HOST with the input's counts" "$JQ" -e -n \
	--slurpfile m "$T/all.json" --slurpfile a "$T/a.json" --slurpfile b "$T/b.json" '
	def counts($e): [$e.series[].count[]];
	def same($in; $h): [$in.events[] | . as $e |
		($m[0].events[] | select(.name == $e.name + "@" + $h)) as $x |
		counts($x) == counts($e)] | length == ($in.events | length) and length > 0;
	same($a[0]; "alpha") and same($b[0]; "beta") and
	($m[0].events | length) == ($a[0].events | length) + ($b[0].events | length)'

check "JSON -> JSON again is byte-identical" sh -c \
	'"$1" export "$2" -o "$3" 2>/dev/null && cmp -s "$2" "$3"' sh "$R" "$T/all.json" \
	"$T/again.json"

# --- one host twice (ranks), and runs from the library
"$R" merge "$T/a.json" "$T/b.json" "$T/a.json" -o "$T/dup.json" 2>/dev/null
ok $? "merge a b a exits 0"
check "a host given twice is labelled host#N by position: alpha#1, beta, alpha#3" \
	"$JQ" -e '[.meta.hosts[].label] == ["alpha#1", "beta", "alpha#3"] and
	 .meta.host == "alpha#1,beta,alpha#3"' "$T/dup.json"
check "... and alpha#3's host frame totals alpha's samples" \
	test "$(host_total "$T/dup.json" 'alpha#3')" = "$SA"
"$R" merge @last~1 @last -o "$T/runs.json" 2>"$T/runs.err"
ok $? "merge @last~1 @last exits 0 $(head -c 200 "$T/runs.err")"
check "... its sources are the references and its samples the two recordings'" \
	"$JQ" -e --argjson n $((SA + SB)) '[.meta.hosts[].source] == ["@last~1", "@last"] and
	 .stacks.samples == $n' "$T/runs.json"

# --- bad inputs: the file named, exit 2, nothing written
"$R" merge "$T/a.json" "$T/missing.json" -o "$T/bad1.json" 2>"$T/bad1.err"
check "a missing input: exit 2" test $? -eq 2
check "... the message names it, in one line" sh -c \
	'grep -q "missing.json" "$1" && test "$(wc -l <"$1")" -eq 1' sh "$T/bad1.err"
check "... nothing is written" test ! -e "$T/bad1.json"
head -c 3000 "$T/b.json" >"$T/cut.json"
"$R" merge "$T/a.json" "$T/cut.json" -o "$T/bad2.json" 2>"$T/bad2.err"
check "a corrupt input: exit 2" test $? -eq 2
check "... the message names it" grep -q "cut.json" "$T/bad2.err"
check "... nothing is written" test ! -e "$T/bad2.json"
"$R" merge "$T/all.json" "$T/a.json" -o "$T/bad3.json" 2>"$T/bad3.err"
check "an already merged input: exit 2, named, nothing written" sh -c \
	'test $0 -eq 2 && grep -q "all.json is already a merged" "$1" && test ! -e "$2"' $? \
	"$T/bad3.err" "$T/bad3.json"
"$R" merge "$T/a.json" -o "$T/one.json" 2>/dev/null
check "one input is a usage error (exit 2)" test $? -eq 2
"$R" merge "$T/a.json" "$T/b.json" -o "$T/x.txt" 2>/dev/null
check "an unknown output extension is a usage error (exit 2)" test $? -eq 2

# --- view: the host level and the per-host counters
if command -v tmux >/dev/null; then
	screen_start 120 40 "$R" view --view flame "$T/all.json"
	screen_wait 'host alpha' 10
	screen_save "$T/flame.txt"
	check "view: the flame graph shows [host alpha] and [host beta]" sh -c \
		'grep -q "\[host alpha\]" "$1" && grep -q "\[host beta\]" "$1"' sh "$T/flame.txt"
	# f filters the flame graph to one host (the biggest first), as it does to a process.
	big=alpha
	[ "$SB" -gt "$SA" ] && big=beta
	screen_keys f
	check "view: f filters the flame graph to the host $big" \
		screen_wait "flamegraph: host \[host $big\]" 10
	screen_save "$T/filter.txt"
	check "... the header names the host filter" grep -q "host: \[host $big\]" "$T/filter.txt"
	screen_keys r
	screen_keys 1
	screen_wait '@beta' 10
	screen_save "$T/overview.txt"
	check "view: the overview lists each host's counters (task-clock@alpha, task-clock@beta)" \
		sh -c 'grep -q "task-clock@alpha" "$1" && grep -q "task-clock@beta" "$1"' sh \
		"$T/overview.txt"
	screen_keys q
	screen_exit_is 0 "view of the merged snapshot quits with 0"
else
	for _v in "flame graph hosts" "host filter" "host filter header" "overview counters" \
		"quit"; do
		skip "view: $_v" "needs tmux"
	done
fi

# --- pprof: the host is a label (go tool pprof from golang-go, when installed)
: "${GO:=$(command -v go)}"
"$R" merge "$T/a.json" "$T/b.json" -o "$T/all.pb.gz" 2>/dev/null
ok $? "merge -o all.pb.gz exits 0"
# pprof_host LABEL: the samples go tool pprof counts under the label host=LABEL.
pprof_host() {
	HOME=$T timeout 120 "$GO" tool pprof -symbolize=none -sample_index=samples \
		-tagfocus="host=$1" -nodefraction=0 -nodecount=1000000 -top "$T/all.pb.gz" \
		2>/dev/null | sed -n 's/^Showing nodes accounting for \([0-9]*\),.*/\1/p'
}
if [ -n "$GO" ] && [ -x "$GO" ]; then
	check "pprof: host=alpha holds alpha's $SA samples, host=beta beta's $SB" sh -c \
		'test "$1" = "$2" && test "$3" = "$4"' sh "$(pprof_host alpha)" "$SA" \
		"$(pprof_host beta)" "$SB"
else
	skip "pprof: the host label" "go is not installed (./install-deps.sh installs golang-go)"
fi

# --- the HTML page
"$R" merge "$T/a.json" "$T/b.json" -o "$T/all.html" 2>/dev/null
ok $? "merge -o all.html exits 0"
check "HTML -> JSON gives the merged JSON" sh -c \
	'"$1" export "$2" -o "$3" 2>/dev/null && cmp -s "$3" "$4"' sh "$R" "$T/all.html" \
	"$T/html.json" "$T/all.json"
if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ]; then
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$T/chromium" --no-first-run --disable-background-networking \
		--virtual-time-budget=10000 --dump-dom "file://$T/all.html" >"$T/all.dom" \
		2>"$T/chromium.err"
	check "page: the Hosts table has alpha with $SA samples and beta with $SB" sh -c \
		'grep -q "id=\"hosts-table\"" "$1" &&
		 grep -q "data-host=\"alpha\" data-samples=\"$2\"" "$1" &&
		 grep -q "data-host=\"beta\" data-samples=\"$3\"" "$1"' sh "$T/all.dom" "$SA" "$SB"
	check "page: the host selector offers all hosts, alpha and beta" sh -c \
		'grep -q "id=\"flame-host\"" "$1" && grep -q ">host alpha</option>" "$1" &&
		 grep -q ">host beta</option>" "$1"' sh "$T/all.dom"
	check "page: the flame graph has a host frame per input with its total" sh -c \
		'grep -Eq "class=\"fr k-host[^\"]*\"[^>]*data-total=\"$2\"[^>]*>\[host alpha\]" "$1" &&
		 grep -Eq "class=\"fr k-host[^\"]*\"[^>]*data-total=\"$3\"[^>]*>\[host beta\]" "$1"' \
		sh "$T/all.dom" "$SA" "$SB"
	if [ -n "$CHROMEDRIVER" ] && [ -x "$CHROMEDRIVER" ] && [ -n "$PYTHON3" ]; then
		CHROMIUM=$CHROMIUM CHROMEDRIVER=$CHROMEDRIVER timeout 90 "$PYTHON3" \
			"$TOP_SRCDIR/tests/live/webdriver.py" "$T/all.html" "$T" --hosts >"$T/wd.json" \
			2>"$T/wd.err"
		check "page: the selector's alpha, beta, all hosts zoom to $SA, $SB, $((SA + SB))" \
			"$JQ" -e --argjson a "$SA" \
			--argjson b "$SB" '([.hosts[] | [.name, .total, .selected == .option]] | sort) ==
			([["[host alpha]", $a, true], ["[host beta]", $b, true],
			 ["all", $a + $b, true]] | sort) and .hosts[-1].name == "all"' "$T/wd.json"
	else
		skip "page: the host selector zooms" "chromedriver or python3 is not installed"
	fi
else
	skip "page: the host selector zooms" "chromium is not installed"
	for _v in "Hosts table" "host selector" "host frames"; do
		skip "page: $_v" "chromium is not installed (./install-deps.sh installs it)"
	done
fi

done_testing
