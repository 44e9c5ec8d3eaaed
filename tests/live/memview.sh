#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The memory view (--mem) on the memsweep workload, which writes every page of a 256 MiB buffer in
# address order, then every page of a 64 MiB buffer in a random order, and prints both buffers'
# addresses and page counts. From the snapshot's buckets (man ringside-snapshot.5, "mem"): the
# sweep's address grows with time (Spearman rank correlation of row against column, each cell
# weighted by its samples, >= 0.9) and the random phase does not (|rho| <= 0.2); the hottest
# mapping is the sweep buffer and its faults equal its page count (+-2%), the random buffer's too;
# every sample is binned somewhere (the mappings' counts, "unknown" included, add up to the
# total). Without PEBS or IBS, --mem says it falls back to page faults. The screen (view and
# live) shows the memory tab with the heat map and the table, and zooms; the HTML page draws the
# heat map and the table with the snapshot's numbers in headless Chromium; JSON -> JSON and
# JSON -> HTML -> JSON are byte-identical.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
MS=$WORKLOADS/memsweep
[ -n "$PYTHON3" ] || skip_all "needs python3 for the rank correlation"

"$R" record --mem -q -o "$T/m.json" -- "$MS" >"$T/out.txt" 2>"$T/err.txt"
ok $? "record --mem of memsweep exits 0"
SWEEP=$(awk '$1 == "sweep" { print $2 }' "$T/out.txt")
SWEEP_N=$(awk '$1 == "sweep" { print $3 }' "$T/out.txt")
RAND=$(awk '$1 == "random" { print $2 }' "$T/out.txt")
RAND_N=$(awk '$1 == "random" { print $3 }' "$T/out.txt")
diag "sweep $SWEEP ($SWEEP_N pages), random $RAND ($RAND_N pages)"

# The source: PEBS or IBS where the machine has them, else page faults, and it says which.
if [ -e /sys/bus/event_source/devices/cpu/events/mem-loads ] ||
	[ -e /sys/bus/event_source/devices/ibs_op/type ]; then
	skip "--mem falls back to page faults" "this machine lists PEBS or IBS"
else
	check "--mem says it falls back to page faults" \
		grep -q -- "--mem: no PEBS or IBS.*falling back to page-faults" "$T/err.txt"
	check "the snapshot names the source page-faults" \
		test "$(jqv "$T/m.json" .mem.source)" = page-faults
fi

"$PYTHON3" - "$T/m.json" "$SWEEP" "$SWEEP_N" "$RAND" "$RAND_N" >"$T/py.txt" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
mem = d["mem"]
sweep, sweep_n, rnd, rnd_n = int(sys.argv[2], 16), int(sys.argv[3]), int(sys.argv[4], 16), int(sys.argv[5])

def spearman(cells):
    # rank correlation of row and column over the samples (ties share their mean rank)
    def ranks(k):
        w = {}
        for c in cells:
            w[c[k]] = w.get(c[k], 0) + c[2]
        r, pos = {}, 0
        for v in sorted(w):
            r[v] = pos + (w[v] + 1) / 2
            pos += w[v]
        return r
    rr, rc = ranks(0), ranks(1)
    W = sum(c[2] for c in cells)
    mr = sum(rr[c[0]] * c[2] for c in cells) / W
    mc = sum(rc[c[1]] * c[2] for c in cells) / W
    cov = sum((rr[c[0]] - mr) * (rc[c[1]] - mc) * c[2] for c in cells)
    vr = sum((rr[c[0]] - mr) ** 2 * c[2] for c in cells)
    vc = sum((rc[c[1]] - mc) ** 2 * c[2] for c in cells)
    return cov / (vr * vc) ** 0.5

def find(addr):
    return [i for i, m in enumerate(mem["maps"]) if int(m["start"], 16) == addr and m["samples"]]

s, r = find(sweep), find(rnd)
print("maps", len(s), len(r))
grids = {g["map"]: g for g in mem["buckets"]["maps"]}
hot = mem["hot_maps"][0]
print("hot", hot["map"] in s, hot["samples"])
print("sweep_samples", sum(mem["maps"][i]["samples"] for i in s))
print("rand_samples", sum(mem["maps"][i]["samples"] for i in r))
print("rho_sweep", spearman(grids[s[0]]["cells"]) if s and s[0] in grids else -9)
print("rho_rand", spearman(grids[r[0]]["cells"]) if r and r[0] in grids else 9)
print("binned", sum(m["samples"] for m in mem["maps"]), mem["total"], d["stacks"]["samples"])
PY
ok $? "the snapshot's mem object reads in python"
sed 's/^/# /' "$T/py.txt"
val() { awk -v k="$1" '$1 == k { print $2 }' "$T/py.txt"; }
check "each buffer is one mapping" test "$(awk '$1 == "maps" { print $2 $3 }' "$T/py.txt")" = 11
check "the hottest mapping is the sweep buffer" test "$(val hot)" = True
check "the sweep buffer's faults equal its $SWEEP_N pages (+-2%)" approx "$(val sweep_samples)" "$SWEEP_N" 2
check "the random buffer's faults equal its $RAND_N pages (+-2%)" approx "$(val rand_samples)" "$RAND_N" 2
check "the sweep's address grows with time (rho $(val rho_sweep) >= 0.9)" in_range "$(val rho_sweep)" 0.9 1
check "the random phase is a scatter (|rho| = $(val rho_rand) <= 0.2)" in_range "$(val rho_rand)" -0.2 0.2
check "every sample is binned (mappings, unknown included, add up to the total and the samples)" \
	test "$(awk '$1 == "binned" { print ($2 == $3 && $3 == $4 && $2 > 0) }' "$T/py.txt")" = 1

"$R" export "$T/m.json" -o "$T/m2.json" && "$R" export "$T/m2.json" -o "$T/m3.json"
check "JSON -> JSON keeps the mem object byte for byte" cmp "$T/m2.json" "$T/m3.json"
"$JQ" -c .mem.buckets "$T/m.json" >"$T/b1.json"
"$JQ" -c .mem.buckets "$T/m2.json" >"$T/b2.json"
check "the re-export keeps the buckets" cmp "$T/b1.json" "$T/b2.json"

"$R" record --mem --no-samples -o "$T/x.json" -- true 2>"$T/bad.txt"
check "--mem with --no-samples is bad input (exit 2)" test $? -eq 2
check "... and says to drop one" grep -q "drop one of them" "$T/bad.txt"

# The screen: ringside view, then live.
if command -v tmux >/dev/null; then
	HOT=$(jqv "$T/m.json" '.mem.hot_maps[0].samples')
	screen_start 120 40 "$R" view "$T/m.json"
	screen_wait "Overview" 10
	screen_keys m
	check "view: m opens the memory view" screen_wait "Memory: page-faults, [0-9]+ samples \| all mappings" 5
	check "view: the table's first row is the sweep buffer with its $HOT samples" \
		screen_wait "^ +$HOT +[0-9.]+% +$HOT +anon +main" 3
	screen_keys Enter
	check "view: Enter zooms into a mapping (its address range in the header)" \
		screen_wait "Memory: .* \| (anon|memsweep|heap|stack|libc|ld|unknown|\[vdso\]).* 0x[0-9a-f]+-0x[0-9a-f]+ \|" 3
	screen_keys Escape
	check "view: Esc zooms back out" screen_wait "\| all mappings" 3
	screen_keys q
	screen_exit_is 0
	screen_start 120 40 "$R" --mem -- "$MS"
	check "live: the status line says which source --mem chose" \
		screen_wait "--mem: .*(page-faults|PEBS|IBS)" 15
	screen_keys 5
	check "live: 5 opens the memory view with samples" \
		screen_wait "Memory: page-faults, [1-9][0-9]* samples" 15
	check "live: the sweep buffer tops the table" screen_wait "^ +[0-9]+ +[0-9.]+% +[0-9]+ +anon +main" 15
	screen_keys q
	screen_exit_is 0
	screen_start 120 40 "$R" view "$TESTDATA/screen-calltree.json"
	screen_wait "Overview" 10
	check "an old snapshot has no memory tab" sh -c '! tmux -S "$1" capture-pane -p | head -1 | grep -q Memory' sh "$T/tmux.sock"
	screen_keys m
	check "... and m says to record with --mem" screen_wait "no memory view: record with --mem" 3
	screen_keys q
	screen_exit_is 0
else
	skip "the memory view on the screen" "needs tmux"
fi

# The page: the heat map and the table in headless Chromium.
if [ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ]; then
	"$R" export "$T/m.json" -o "$T/m.html"
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
		--user-data-dir="$T/chromium" --no-first-run --disable-background-networking \
		--virtual-time-budget=10000 --dump-dom "file://$T/m.html" >"$T/dom.html" 2>"$T/chromium.err"
	NB=$(jqv "$T/m.json" '.mem.buckets.maps | length')
	check "html: the heat map has a block per mapping with buckets ($NB)" \
		grep -q "id=\"mem-map\" data-maps=\"$NB\"" "$T/dom.html"
	check "html: the hottest mapping's block has its cells" \
		sh -c 'grep -o "<svg[^>]*class=\"memblock\"[^>]*data-map=\"$1\".*" "$2" | head -1 | grep -q "<rect"' \
		sh "$(jqv "$T/m.json" '.mem.hot_maps[0].map')" "$T/dom.html"
	check "html: the mappings table's first row is the hottest, with its samples" \
		sh -c 'grep -o "id=\"mem-maps\".*" "$1" | grep -o "<tr data-map=\"[0-9]*\" data-samples=\"[0-9]*\"" | head -1 | grep -q "data-samples=\"$2\""' \
		sh "$T/dom.html" "$(jqv "$T/m.json" '.mem.hot_maps[0].samples')"
	check "html: the source note names page-faults" grep -q "samples from $(jqv "$T/m.json" .mem.source)" "$T/dom.html"
	"$R" export "$T/m.html" -o "$T/mh.json"
	check "html: the page's snapshot reads back as the JSON's (mem object included)" \
		cmp "$T/m2.json" "$T/mh.json"
else
	skip "the memory view in the page" "chromium is not installed (./install-deps.sh)"
fi

done_testing "$T"
