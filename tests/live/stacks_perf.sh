#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# ringside and perf agree on the known call tree: `perf record -F 999 -g` + `perf script`, with
# the stacks collapsed here into self samples per function, gives the same top five functions in
# the same order as `ringside record -F 999 -g fp -o X.folded` (self samples = leaf frame counts
# of the folded lines). calltree.c sets the shares far apart so the order is stable:
#   w_spin ~48%, b ~25%, b_leaf ~12.5%, hot_mix ~7.8%, c ~4.7%, everything else ~1% or less.
# Its one inlined function, c_inl, does no work of its own (it holds the call to hot_mix), so
# perf 6.1, which shows no inline frames here, and ringside, which does, count the same selfs.
# Then whole caller paths (below): each path's share of its thread within 5 points of perf's.
# Each profiler must have sampled calltree at its rate: calltree runs under a shell that prints
# its children's CPU time (`times`), and each profiler's calltree samples must be >= 90% of
# 999 Hz x that CPU time (measured here: 1002 and 1003 samples per CPU second, perf and ringside,
# on a busy machine; the kernel delivers the rate per CPU second whatever the load). Shares of
# paths measured here: at most 2 points apart (main;a;c 8.7% and 10.2%).

. "$TESTLIB"
require_root
command -v "$PERF" >/dev/null 2>&1 || skip_all "perf ('$PERF') is not installed"
make_tmpdir
cpu_lock

R=$RINGSIDE
CT=$WORKLOADS/calltree

# --- perf
# TIMED FILE CMD...: run CMD, then write the CPU time (user + system, in seconds) it took to FILE.
# (times in a pipeline would run in a subshell, which has no children.)
TIMED='f=$1; shift; "$@"; rc=$?; times >"$f"; exit $rc'
timeout 60 "$PERF" record -q -F 999 -g -o "$T/perf.data" -- sh -c "$TIMED" sh "$T/perf.cpu" \
	"$CT" 3 >"$T/perf.out" 2>"$T/perf.err"
ok $? "perf record -F 999 -g -- calltree 3 exits 0"
"$PERF" script -i "$T/perf.data" -F comm,pid,ip,sym >"$T/perf.script" 2>"$T/script.err"
ok $? "perf script exits 0"
# A sample is a header line "COMM PID", then one "  IP SYMBOL" line per frame, leaf first, then a
# blank line. The calltree process's threads are named calltree and ct-worker.
awk '
	/^[^ \t]/ { comm = $1; leaf = 1; next }
	/^[ \t]+[0-9a-f]+ / {
		if (leaf && (comm == "calltree" || comm == "ct-worker")) {
			sub(/^[ \t]+[0-9a-f]+ /, ""); self[$0]++
		}
		leaf = 0; next
	}
	END { for (k in self) print self[k], k }' "$T/perf.script" | sort -k1,1nr -k2 >"$T/perf.self"

# --- ringside
timeout 60 "$R" record -F 999 -g fp -o "$T/rs.folded" -- sh -c "$TIMED" sh "$T/rs.cpu" "$CT" 3 \
	2>"$T/rs.err"
ok $? "ringside record -F 999 -g fp -o X.folded -- calltree 3 exits 0"
folded_comm "$T/rs.folded" calltree >"$T/rs.ct"
folded_self "$T/rs.ct" >"$T/rs.self"

# top FILE: the top five "COUNT NAME" lines' names, one per line.
top() {
	head -n 5 "$1" | sed 's/^[0-9]* //'
}

ptotal=$(awk '{ s += $1 } END { print s + 0 }' "$T/perf.self")
rtotal=$(awk '{ s += $1 } END { print s + 0 }' "$T/rs.self")
diag "self samples, perf ($ptotal in all) | ringside ($rtotal in all):"
paste -d'|' "$T/perf.self" "$T/rs.self" | head -n 8 | while IFS='|' read -r p r; do
	diag "  $(pct "${p%% *}" "$ptotal")% ${p#* }  |  $(pct "${r%% *}" "$rtotal")% ${r#* }"
done
top "$T/perf.self" >"$T/perf.top"
top "$T/rs.self" >"$T/rs.top"
# cpu_s FILE: the children's seconds in `times` output (its second line, "0m5.910000s 0m0.040000s":
# user, system), added up.
cpu_s() {
	sed -n '2 { s/m/ /g; s/s//g; p }' "$1" 2>/dev/null | awk '{ print $1 * 60 + $2 + $3 * 60 + $4 }'
}
pcpu=$(cpu_s "$T/perf.cpu")
rcpu=$(cpu_s "$T/rs.cpu")
diag "calltree's CPU time: ${pcpu:-?} s under perf, ${rcpu:-?} s under ringside; samples per" \
	"CPU second: perf $(awk -v n="$ptotal" -v c="$pcpu" 'BEGIN { if (c > 0) printf "%.0f", n / c }')," \
	"ringside $(awk -v n="$rtotal" -v c="$rcpu" 'BEGIN { if (c > 0) printf "%.0f", n / c }')"
check "calltree ran >= 1 CPU second under each ($pcpu s, $rcpu s)" \
	awk -v a="${pcpu:-0}" -v b="${rcpu:-0}" 'BEGIN { exit !(a >= 1 && b >= 1) }'
check "perf has >= 90% of 999 Hz x calltree's CPU time in samples ($ptotal)" \
	awk -v n="$ptotal" -v c="${pcpu:-0}" 'BEGIN { exit !(c > 0 && n >= 0.9 * 999 * c) }'
check "ringside has >= 90% of 999 Hz x calltree's CPU time in samples ($rtotal)" \
	awk -v n="$rtotal" -v c="${rcpu:-0}" 'BEGIN { exit !(c > 0 && n >= 0.9 * 999 * c) }'
rtop=$(paste -s -d' ' "$T/rs.top")
ptop=$(paste -s -d' ' "$T/perf.top")
check "the same top five functions in the same order (ringside: $rtop; perf: $ptop)" \
	cmp "$T/perf.top" "$T/rs.top"
check "the top five are calltree's w_spin b b_leaf hot_mix c" \
	test "$rtop" = "w_spin b b_leaf hot_mix c"

# --- caller paths: each stack projected onto calltree's own functions, outermost first (main;a;b
# or worker;sys_heavy), with ";[other]" when the sample's leaf is not one of them (the kernel's or
# libc's code under sys_heavy). c_inl is dropped from ringside's paths: perf 6.1 shows no inline
# frames. A path's share is taken of its thread's samples (the paths with the same outermost
# function, main or worker): how the threads of one run share the CPUs depends on the machine's
# load at the time, which differs between the two runs (a busy run here: w_spin 42.1% of perf's
# samples, 51.8% of ringside's), while each thread's own split is set by calltree's iteration
# counts (main;a;b 50%, main;a;b;b_leaf 25% ... of main). The two profilers' shares of each path
# must agree within 5 points.
PATH_FNS='main a b b_leaf c hot_mix worker w_spin sys_heavy worker_calibrate w_round descend'
# project: "FRAME;FRAME;... COUNT" lines (outermost first) on stdin -> "COUNT PATH" summed by path.
project() {
	awk -v fns="$PATH_FNS" 'BEGIN { n = split(fns, f, " "); for (i = 1; i <= n; i++) u[f[i]] = 1 }
	{
		c = $NF; p = $0; sub(/ [0-9]+$/, "", p); k = split(p, fr, ";"); out = ""; last = ""
		for (i = 1; i <= k; i++) if (fr[i] in u) { out = out (out == "" ? "" : ";") fr[i]; last = i }
		if (out == "") out = "[other]"
		else if (last != k) out = out ";[other]"
		s[out] += c
	} END { for (q in s) print s[q], q }' | sort -k1,1nr -k2
}
# share FILE PATH: PATH's count in "COUNT PATH" FILE as a percentage of its thread's (the paths
# with the same first frame).
share() {
	awk -v q="$2" '{ r = $2; sub(/;.*/, "", r); t[r] += $1; if ($2 == q) c = $1 }
		END { r = q; sub(/;.*/, "", r); if (t[r] > 0) printf "%.1f\n", 100 * c / t[r] }' "$1"
}
# perf script: a header line, then frames leaf first: fold them outermost first.
awk '
	function flush() { if (keep && nf) { p = fr[nf]; for (i = nf - 1; i >= 1; i--) p = p ";" fr[i]; print p, 1 } nf = 0 }
	/^[^ \t]/ { flush(); keep = ($1 == "calltree" || $1 == "ct-worker"); next }
	/^[ \t]+[0-9a-f]+ / { sub(/^[ \t]+[0-9a-f]+ /, ""); fr[++nf] = $0; next }
	END { flush() }' "$T/perf.script" | project >"$T/perf.paths"
sed 's/;c_inl;/;/' "$T/rs.ct" | project >"$T/rs.paths"
ppaths=$(awk '{ s += $1 } END { print s + 0 }' "$T/perf.paths")
rpaths=$(awk '{ s += $1 } END { print s + 0 }' "$T/rs.paths")
diag "caller paths, perf ($ppaths) | ringside ($rpaths):"
paste -d'|' "$T/perf.paths" "$T/rs.paths" | head -n 10 | while IFS='|' read -r p r; do
	diag "  $(pct "${p%% *}" "$ppaths")% ${p#* }  |  $(pct "${r%% *}" "$rpaths")% ${r#* }"
done
# Every path with at least 1% of perf's samples, and every one of ringside's with at least 1%.
sel=$(awk -v t="$ppaths" '$1 >= t / 100 { print $2 }' "$T/perf.paths"
	awk -v t="$rpaths" '$1 >= t / 100 { print $2 }' "$T/rs.paths")
sel=$(echo "$sel" | sort -u)
check "at least the five known paths of 1% or more in perf's samples" \
	test "$(awk -v t="$ppaths" '$1 >= t / 100' "$T/perf.paths" | wc -l)" -ge 5
for path in $sel; do
	ps=$(share "$T/perf.paths" "$path")
	rs=$(share "$T/rs.paths" "$path")
	check "path $path: ringside's share of its thread ${rs:-0}% within 5 points of perf's ${ps:-0}%" \
		in_range "${rs:-0}" "$(awk -v p="${ps:-0}" 'BEGIN { print p - 5 }')" \
		"$(awk -v p="${ps:-0}" 'BEGIN { print p + 5 }')"
done

done_testing
