#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# pprof output read by pprof itself (`go tool pprof` from Debian's golang-go). The known call tree
# (tests/workloads/calltree.c) is recorded with -g fp to a snapshot, exported to FILE.pb.gz and to
# folded stacks, and recorded to FILE.pb.gz directly. Both files are sound gzip; go tool pprof
# -top gives the same top five functions, in the same order, as the folded export's self counts,
# each share within 3 points, and the same total; -traces, folded again by comm, gives exactly the
# folded export's stacks and counts; -raw shows the sample types, the period, the pid/tid/comm
# labels (the pid is the workload's) and the mappings with their flags. In the file recorded
# directly, each thread's top functions (-tagfocus/-tagignore on the thread label) are the call
# tree's, in its order. The live screen writes
# FILE.pb.gz on quit. An unwritable path and a recording without samples are one-line errors.
# pprof runs on local files only: HOME and PPROF_TMPDIR point into the test's directory,
# -symbolize=none keeps it from looking for binaries or a symbol server.

. "$TESTLIB"
require_root
: "${GO:=$(command -v go)}"
[ -n "$GO" ] && [ -x "$GO" ] ||
	skip_all "go is not installed (./install-deps.sh installs golang-go, whose go tool pprof reads the files)"
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree
export HOME="$T" PPROF_TMPDIR="$T" GOCACHE="$T/gocache"

pprof() {
	timeout 120 "$GO" tool pprof -symbolize=none "$@"
}

# "NAME FLAT%" for the functions of `pprof -top`, most first.
pprof_top() {
	pprof -sample_index=samples -nodefraction=0 -nodecount=1000 -top "$@" 2>"$T/top.err" |
		awk '$2 ~ /%$/ && $1 ~ /^[0-9]+$/ { n = $6; for (i = 7; i <= NF; i++) n = n " " $i
			sub(/%$/, "", $2); print n "\t" $2 }'
}

# `pprof -traces` folded again: "comm;outer;...;leaf COUNT", equal paths summed, sorted.
pprof_folded() {
	pprof -sample_index=samples -traces "$1" 2>"$T/traces.err" | awk '
		function flush() { if (n) { s = comm; for (i = n; i >= 1; i--) s = s ";" f[i]
			sum[s] += v } n = 0; comm = "" }
		/^-----------\+/ { flush(); next }
		$1 == "comm:" { comm = $2; next }
		n == 0 && $1 ~ /^[a-z_]+:$/ { next }
		n == 0 && $1 ~ /^[0-9]+$/ { v = $1; sub(/^ *[0-9]+ +/, ""); f[++n] = $0; next }
		n > 0 { sub(/^ +/, ""); f[++n] = $0 }
		END { flush(); for (k in sum) print k, sum[k] }' | LC_ALL=C sort
}

# Record the workload to a snapshot, then export it to pprof and folded stacks.
"$R" record -F 999 -g fp -o "$T/x.json" -- "$CT" 3 2>"$T/rec.err"
ok $? "record the call tree to a snapshot"
pid=$("$JQ" '.meta.target.pids[0]' "$T/x.json")
check "export to .pb.gz" "$R" export "$T/x.json" -o "$T/x.pb.gz"
check "export to .folded" "$R" export "$T/x.json" -o "$T/x.folded"
check "the exported file is sound gzip (gzip -t)" gzip -t "$T/x.pb.gz"

# Top functions by self samples: pprof's against the folded export's, without its lost line.
grep -v '^\[lost samples\] ' "$T/x.folded" >"$T/x.stacks"
total=$(awk '{ s += $NF } END { print s + 0 }' "$T/x.stacks")
folded_self "$T/x.stacks" | head -n 5 >"$T/fold.top"
pprof_top "$T/x.pb.gz" >"$T/pprof.top"
head -n 5 "$T/pprof.top" | cut -f1 >"$T/pprof.top5"
awk '{ $1 = ""; sub(/^ /, ""); print }' "$T/fold.top" >"$T/fold.top5"
diag "folded: $(tr '\n' ' ' <"$T/fold.top5"); pprof: $(tr '\n' ' ' <"$T/pprof.top5")"
check "pprof -top: the folded export's top five functions, in order" \
	cmp "$T/fold.top5" "$T/pprof.top5"
check "the top five include the call tree's own functions" \
	grep -qx 'w_spin' "$T/pprof.top5"
bad=0
while read -r count name; do
	mine=$(pct "$count" "$total")
	theirs=$(awk -F '\t' -v n="$name" '$1 == n { print $2 }' "$T/pprof.top")
	diag "$name: folded $mine%, pprof $theirs%"
	awk -v a="$mine" -v b="$theirs" 'BEGIN { d = a - b; exit !(b != "" && d <= 3 && d >= -3) }' ||
		bad=$((bad + 1))
done <"$T/fold.top"
ok "$bad" "each top function's share in pprof is within 3 points of the folded export's"
ptotal=$(pprof -sample_index=samples -top "$T/x.pb.gz" 2>/dev/null |
	sed -n 's/.*Total samples = \([0-9]*\).*/\1/p')
diag "samples: folded $total, pprof $ptotal"
ok "$([ "$ptotal" = "$total" ]; echo $?)" "pprof's total samples equal the folded export's"

# Every call path: pprof's traces folded by comm are the folded export itself.
pprof_folded "$T/x.pb.gz" >"$T/pprof.folded"
LC_ALL=C sort "$T/x.stacks" >"$T/x.sorted"
check "pprof -traces, folded by comm, equals the folded export line for line" \
	cmp "$T/x.sorted" "$T/pprof.folded"
check "a trace holds the path main -> a -> b -> b_leaf" \
	grep -q ';main;a;b;b_leaf [0-9]*$' "$T/pprof.folded"

# Sample types, period, labels and mappings as pprof reads them.
pprof -raw "$T/x.pb.gz" >"$T/raw" 2>"$T/raw.err"
ok $? "pprof -raw reads the file"
check "-raw: sample types samples/count and cpu/nanoseconds" \
	grep -q '^samples/count cpu/nanoseconds' "$T/raw"
check "-raw: period type cpu nanoseconds, period 1/999 s" \
	sh -c "grep -q '^PeriodType: cpu nanoseconds' '$T/raw' && grep -q '^Period: 1001001$' '$T/raw'"
check "-raw: the workload's pid and comm as labels" \
	sh -c "grep -q 'pid:\[$pid\]' '$T/raw' && grep -q 'comm:\[calltree\]' '$T/raw'"
check "-raw: the worker thread's tid and name as labels" \
	sh -c "grep -q 'tid:\[[0-9]*\]' '$T/raw' && grep -q 'thread:\[ct-worker\]' '$T/raw'"
check "-raw: the workload, libhot.so and the kernel as mappings with functions" \
	sh -c "grep -Eq '/calltree +\[FN\]\[FL\]' '$T/raw' && grep -Eq '/libhot.so +\[FN\]\[FL\]' '$T/raw' &&
		grep -Eq ' \[kernel\] +\[FN\]' '$T/raw'"
check "-raw: the duration and a comment naming ringside" \
	sh -c "grep -q '^Duration: 3\.' '$T/raw' && grep -q '^Comment: ringside ' '$T/raw'"

# Recorded to pprof directly.
"$R" record -F 999 -g fp -o "$T/y.pb.gz" -- "$CT" 2 2>"$T/y.err"
ok $? "record straight to .pb.gz"
check "the recorded file is sound gzip" gzip -t "$T/y.pb.gz"
n=$(sed -n 's/^ringside: \([0-9]*\) samples.*/\1/p' "$T/y.err")
ny=$(pprof -sample_index=samples -top "$T/y.pb.gz" 2>/dev/null |
	sed -n 's/.*Total samples = \([0-9]*\).*/\1/p')
diag "recorded $n samples, pprof reads $ny"
ok "$([ -n "$n" ] && [ "$n" = "$ny" ]; echo $?)" "pprof reads every sample the recording reported"
# By thread (pprof's thread label), as the order within each is set by iteration counts: how
# much CPU each thread got moves whole threads' shares. A CI run's loaded machine gave calltree
# 1431 samples in its 2 s instead of ~4000, and c (the main thread's) fell out of the overall top
# five behind the worker's kernel time.
pprof_top -tagignore=thread=ct-worker "$T/y.pb.gz" >"$T/y.main"
pprof_top -tagfocus=thread=ct-worker "$T/y.pb.gz" >"$T/y.worker"
diag "recorded, main thread: $(head -n 6 "$T/y.main" | tr '\t\n' ' ;')"
diag "recorded, worker: $(head -n 3 "$T/y.worker" | tr '\t\n' ' ;')"
check "its main thread's top four are the call tree's b, b_leaf, hot_mix and c, in order" \
	sh -c "head -n 4 '$T/y.main' | cut -f1 | tr '\n' ' ' | grep -qx 'b b_leaf hot_mix c '"
check "its worker's top function is w_spin" sh -c "head -n 1 '$T/y.worker' | cut -f1 | grep -qx w_spin"

# The live screen writes FILE.pb.gz when the user quits.
screen_start 120 40 "$R" -I 250 -o "$T/live.pb.gz" -- "$CT" 30
screen_wait 'w_spin|calltree' 20 || diag "the screen did not show the workload: $(screen_text)"
sleep 1
screen_keys q
rc=$(screen_exit 15)
ok "$([ "$rc" = 0 ]; echo $?)" "the live screen quits (status $rc)"
check "... leaving a sound gzip at -o FILE.pb.gz" gzip -t "$T/live.pb.gz"
check "... that pprof reads, with the workload's samples" \
	sh -c "timeout 120 '$GO' tool pprof -symbolize=none -top '$T/live.pb.gz' 2>/dev/null | grep -q w_spin"
screen_stop

# Errors: an unwritable path, and stacks asked of a recording without samples.
"$R" export "$T/x.json" -o "$T/no/such/dir/x.pb.gz" 2>"$T/e1.err"
rc=$?
diag "export: $(cat "$T/e1.err")"
ok "$([ "$rc" -ne 0 ] && [ "$(wc -l <"$T/e1.err")" -eq 1 ] && grep -q 'x.pb.gz' "$T/e1.err"; echo $?)" \
	"export to an unwritable path: one line naming the file, non-zero exit"
"$R" record -o "$T/no/such/dir/y.pb.gz" -- "$CT" 1 2>"$T/e2.err"
rc=$?
diag "record: $(cat "$T/e2.err")"
ok "$([ "$rc" -ne 0 ] && [ "$(wc -l <"$T/e2.err")" -eq 1 ] && grep -q 'y.pb.gz' "$T/e2.err"; echo $?)" \
	"record to an unwritable path: one line naming the file, non-zero exit"
"$R" record --no-samples -o "$T/z.pb.gz" -- "$CT" 1 2>"$T/e3.err"
rc=$?
ok "$([ "$rc" -eq 2 ] && grep -q 'drop --no-samples' "$T/e3.err"; echo $?)" \
	"--no-samples with .pb.gz: a usage error (exit $rc)"
check "... and no file left behind" sh -c "! ls '$T'/z.pb.gz '$T'/.ringside.* 2>/dev/null | grep -q ."

done_testing
