#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The library of runs (man ringside.1, RUNS): record registers every run in
# $XDG_DATA_HOME/ringside/runs.db with its snapshot in runs/ID.json:
#   - three runs (-C 0 with -o, a spin without -o, a command launched with FOO in its environment):
#     `runs` lists all three newest first with their targets; `runs show` gives each one's
#     settings (CPUs, frequency, events, command, environment) and the launched one's output;
#   - `runs rerun` of the launched one, from another directory without FOO: the command prints the
#     same FOO and argv, the new run's stored output says so, its command line has no -o;
#   - view @last on the screen, export @1 -o x.folded (the same as exporting the -o file),
#     diff @1 @2 and diff @last~1 @last, export @TAG after `runs tag`, `runs title` in the table;
#   - `runs rm` takes the row and the files; @ of a removed run, a bad reference: one line, exit 2;
#   - --no-save adds no row; prune --keep 1 leaves one run;
#   - the live screen: s registers the run and says so, q with -o registers it again; the command's
#     output, escape sequences and all, is kept and shown as text;
#   - 8 concurrent record --duration 1: 8 rows, 8 files, every one exit 0;
#   - a truncated database, a garbage one and a read-only library: record says so in one line,
#     exits 1 and the snapshot is still written; `runs` on the damaged one says how to recover.
#   - SQLite is loaded on first use: ringside does not link libsqlite3 (readelf), a `record --
#     cmd` (with -o and without) has it in none of its mappings while cmd runs and still
#     registers the run; without -o a read-only library is refused before recording; with a
#     libsqlite3.so.0 that does not load, or lacks a function, record says to install libsqlite3-0
#     in one line, exits 1 and writes the snapshot, and `runs` says so too.

. "$TESTLIB"
require_root
make_tmpdir

R=$RINGSIDE
export XDG_DATA_HOME="$T/data"
LIB=$XDG_DATA_HOME/ringside

# rows: the number of runs `ringside runs` lists (its header aside).
rows() {
	"$R" runs 2>/dev/null | tail -n +2 | grep -c .
}

# one_line FILE PATTERN: besides record's usual lines (recording, wrote, samples, scheduler),
# FILE holds one line, and it matches PATTERN.
one_line() {
	grep -Ev '^ringside: (recording |wrote |recorded |[0-9]+ samples|scheduler: )' "$1" >"$1.rest"
	[ "$(grep -c . "$1.rest")" -eq 1 ] && grep -q -- "$2" "$1.rest"
}

# --- three runs
timeout 30 "$R" record -q -e task-clock -C 0 --duration 0.5 -o "$T/a.json" 2>"$T/a.err"
ok $? "run 1: record -C 0 -o a.json exits 0"
check "run 1: stderr says it was saved as run 1" grep -q '^ringside: saved as run 1 ' "$T/a.err"
timeout 30 "$R" record -q -F 499 -- "$WORKLOADS/spin" 0.5 2>"$T/b.err"
ok $? "run 2: record without -o -- spin exits 0"
FOO=launched-env timeout 30 "$R" record -q -e task-clock -- \
	sh -c 'echo "FOO=$FOO args=$*"' sh one 'two words' >"$T/c.out" 2>"$T/c.err"
ok $? "run 3: FOO=launched-env record -- sh -c ... exits 0"
check "run 3: the command's output still reaches stdout" \
	grep -qx 'FOO=launched-env args=one two words' "$T/c.out"

"$R" runs >"$T/list" 2>"$T/list.err"
ok $? "runs exits 0"
check "runs lists three runs" test "$(tail -n +2 "$T/list" | grep -c .)" -eq 3
check "runs lists them newest first" \
	sh -c 'test "$(tail -n +2 "$1" | awk "{print \$1}" | tr "\n" " ")" = "3 2 1 "' sh "$T/list"
check "run 2's target is the spin command, without its directory" \
	sh -c 'grep "^ *2 " "$1" | grep -q "command: spin 0.5 "' sh "$T/list"
check "run 1's target is CPU 0" sh -c 'grep "^ *1 " "$1" | grep -q "CPUs* 0"' sh "$T/list"

"$R" runs show 1 >"$T/s1" 2>&1
check "runs show 1: cpus 0" grep -qx 'cpus *0' "$T/s1"
check "runs show 1: events task-clock" grep -qx 'events *task-clock' "$T/s1"
check "runs show 1: its snapshot is runs/1.json" grep -q "^snapshot *$LIB/runs/1.json " "$T/s1"
"$R" runs show @2 >"$T/s2" 2>&1
check "runs show @2: the spin command" grep -q "^command: *$WORKLOADS/spin 0.5\$" "$T/s2"
check "runs show @2: cpu-clock at 499 Hz" grep -q '^sampling *cpu-clock, 499 Hz' "$T/s2"
"$R" runs show @last >"$T/s3" 2>&1
check "runs show @last: the command and its arguments" \
	grep -qx 'command: *sh -c echo "FOO=$FOO args=$\*" sh one two words' "$T/s3"
check "runs show @last: FOO in its environment" grep -qx '  FOO=launched-env' "$T/s3"
check "runs show @last: the command's output" grep -qx 'FOO=launched-env args=one two words' \
	"$T/s3"
check "runs show @last: exit status 0" grep -qx 'exit status *0' "$T/s3"
check "the snapshots are runs/1.json .. 3.json" test -s "$LIB/runs/1.json" -a -s \
	"$LIB/runs/2.json" -a -s "$LIB/runs/3.json"
check "runs/1.json is mode 0600" test "$(stat -c %a "$LIB/runs/1.json")" = 600
check "runs/1.json is the snapshot written to a.json" cmp "$T/a.json" "$LIB/runs/1.json"
check "no file is left but the runs' (no pending, no unregistered)" \
	test "$(ls -A "$LIB/runs" | grep -cv '^[0-9]*\.\(json\|out\)$')" -eq 0

printf 'b\na\n' | XDG_DATA_HOME="$T/stdin" timeout 30 "$R" record -q -e task-clock --no-samples \
	--no-sched -- sort >"$T/sort.out" 2>/dev/null
check "a command whose output is kept still reads ringside's stdin" \
	test "$(tr '\n' ' ' <"$T/sort.out")" = "a b "
XDG_DATA_HOME="$T/stdin" "$R" runs show @last >"$T/sort.show" 2>&1
check "and its output is kept" sh -c 'tail -n 2 "$1" | tr "\n" " " | grep -qx "a b "' sh \
	"$T/sort.show"

# --- rerun the launched one from elsewhere, without FOO
mkdir "$T/elsewhere"
(cd "$T/elsewhere" && env -u FOO timeout 30 "$R" runs rerun 3 >"$T/r.out" 2>"$T/r.err")
ok $? "runs rerun 3 exits 0"
check "the rerun printed the same FOO and argv" \
	grep -qx 'FOO=launched-env args=one two words' "$T/r.out"
check "the rerun is run 4" grep -q '^ringside: saved as run 4 ' "$T/r.err"
"$R" runs show 4 >"$T/s4" 2>&1
check "run 4's stored output has FOO and argv" grep -qx 'FOO=launched-env args=one two words' \
	"$T/s4"
check "run 4 ran in run 3's directory" \
	sh -c 'test "$(grep "^directory" "$1")" = "$(grep "^directory" "$2")"' sh "$T/s3" "$T/s4"
"$R" runs rerun 1 >/dev/null 2>"$T/r1.err"
ok $? "runs rerun 1 (recorded with -o a.json) exits 0"
"$R" runs show @last >"$T/s5" 2>&1
check "its rerun went to the library only (no -o on its command line)" \
	sh -c '! grep "^command line:" "$1" | grep -q -- " -o "' sh "$T/s5"
check "its rerun counted CPU 0 again" grep -qx 'cpus *0' "$T/s5"

# --- references where a snapshot goes
screen_start 120 40 "$R" view @last
if screen_wait 'task-clock' 10; then ok 0 "view @last shows the run on the screen"; else
	screen_save "$T/v.txt"
	ok 1 "view @last shows the run on the screen"
fi
screen_keys q
screen_exit_is 0 "view @last exits 0 on q"
"$R" export @1 -o "$T/x.folded" 2>"$T/x.err"
ok $? "export @1 -o x.folded exits 0"
"$R" export "$T/a.json" -o "$T/y.folded" 2>/dev/null
check "export @1 gives the folded stacks of a.json" cmp "$T/x.folded" "$T/y.folded"
check "x.folded has stacks" test -s "$T/x.folded"
"$R" diff @1 @2 -o "$T/d.folded" 2>"$T/d.err"
ok $? "diff @1 @2 -o d.folded exits 0"
check "the diff holds spin's stacks" grep -q '^spin' "$T/d.folded"
"$R" diff @last~1 @last -o "$T/d2.folded" 2>/dev/null
ok $? "diff @last~1 @last exits 0"
check "runs title 2 TEXT" "$R" runs title 2 'spin baseline'
check "runs tag 2 base" "$R" runs tag @2 base
check "runs tag 2 base again is fine" "$R" runs tag 2 base
check "the table shows the title and the tag" sh -c '"$1" runs | grep "^ *2 " | grep -q "spin baseline \[base\]"' \
	sh "$R"
"$R" export @base -o "$T/base.json" 2>/dev/null
ok $? "export @base -o base.json exits 0"
check "@base is run 2 (the spin)" sh -c '"$1" -r ".meta.target.command[0]" "$2" | grep -q spin' sh "$JQ" \
	"$T/base.json"

# --- rm, bad references
check "runs rm 1" "$R" runs rm 1
check "run 1's snapshot is gone with its row" test ! -e "$LIB/runs/1.json"
expect_status 2 "view @1 after rm: exit 2" "$R" view @1
"$R" export @1 -o "$T/z.json" 2>"$T/rm.err"
check "export @1 after rm: one line naming run 1" one_line "$T/rm.err" 'no run 1'
expect_status 2 "export @last~99: exit 2" "$R" export @last~99 -o "$T/z.json"
expect_status 2 "export @nosuchtag: exit 2" "$R" export @nosuchtag -o "$T/z.json"
expect_status 2 "export @last~x: exit 2" "$R" export @last~x -o "$T/z.json"
expect_status 2 "runs frobnicate: exit 2" "$R" runs frobnicate
expect_status 2 "runs show 999: exit 2" "$R" runs show 999
n=$(rows)
timeout 30 "$R" record -q --no-save -e task-clock --duration 0.2 -o "$T/ns.json" 2>/dev/null
check "--no-save adds no run" test "$(rows)" -eq "$n"
expect_status 2 "record --no-save without -o: exit 2" "$R" record --no-save --duration 0.2
expect_status 2 "runs prune without --keep or --older-than: exit 2" "$R" runs prune
check "runs prune --keep 1" "$R" runs prune --keep 1
check "one run is left" test "$(rows)" -eq 1
check "one snapshot is left" test "$(ls "$LIB/runs" | grep -c 'json$')" -eq 1

# --- the live screen: s registers, and so does q with -o; the command's output is kept
export XDG_DATA_HOME="$T/live"
screen_start 160 40 "$R" -I 250 -e task-clock --no-samples --no-sched -o "$T/live.json" -- \
	sh -c 'printf "live-line-1\n\033[2J\033]0;pwned\007live-line-2\n"; sleep 30'
screen_wait 'task-clock' 15
screen_keys s
if screen_wait 'as run 1' 10; then ok 0 "s on the live screen says it saved run 1"; else
	screen_save "$T/s.txt"
	ok 1 "s on the live screen says it saved run 1"
	diag "$(cat "$T/s.txt")"
fi
screen_keys q
screen_exit_is 0 "the live screen with -o exits 0 on q"
check "q with -o registered run 2" grep -q '^ringside: saved as run 2 ' "$T/screen.err"
check "the library holds both" test "$(rows)" -eq 2
"$R" runs show 2 >"$T/live.show" 2>&1
check "run 2's output has the command's lines" grep -q '^live-line-1$' "$T/live.show"
check "with its escape sequences shown as text" \
	grep -q '^?\[2J?\]0;pwned?live-line-2$' "$T/live.show"
check "runs show prints no escape character" sh -c '! grep -q "$(printf "\033")" "$1"' sh \
	"$T/live.show"
screen_stop

# --- 8 at once
export XDG_DATA_HOME="$T/conc"
LIB=$XDG_DATA_HOME/ringside
pids=
for i in 1 2 3 4 5 6 7 8; do
	timeout 60 "$R" record -q -e task-clock --no-sched -C 0 --duration 1 -o "$T/c$i.json" \
		2>"$T/c$i.err" &
	pids="$pids $!"
done
fails=0
for p in $pids; do
	wait "$p" || fails=$((fails + 1))
done
ok $fails "8 concurrent records exit 0"
[ $fails -eq 0 ] || diag "$(cat "$T"/c?.err)"
check "8 rows" test "$(rows)" -eq 8
check "8 snapshots in runs/" test "$(ls "$LIB/runs" | grep -c '^[0-9]*\.json$')" -eq 8
check "each said 'saved as run'" test "$(cat "$T"/c?.err | grep -c '^ringside: saved as run ')" -eq 8

# --- a damaged database, a read-only library
cp "$LIB/runs.db" "$T/good.db"
truncate -s 5000 "$LIB/runs.db"
timeout 30 "$R" record -q -e task-clock -C 0 --duration 0.2 -o "$T/k1.json" 2>"$T/k1.err"
status_is 1 $? "record with a truncated runs.db: exit 1"
check "the snapshot is still written" "$JQ" -e .meta "$T/k1.json"
check "one line says the database is damaged and how to recover" one_line "$T/k1.err" \
	'damaged.*move it aside'
"$R" runs >/dev/null 2>"$T/k1r.err"
status_is 1 $? "runs on a truncated runs.db: exit 1"
check "runs says how to recover in one line" one_line "$T/k1r.err" 'mv .*runs.db .*bad'
head -c 8192 /dev/urandom >"$LIB/runs.db"
timeout 30 "$R" record -q -e task-clock -C 0 --duration 0.2 2>"$T/k2.err"
status_is 1 $? "record without -o and a garbage runs.db: exit 1"
check "one line names the snapshot it wrote" one_line "$T/k2.err" 'snapshot is in .*unregistered'
f=$(sed -n 's/.*the snapshot is in \(.*\.json\)$/\1/p' "$T/k2.err")
check "and that snapshot is there" "$JQ" -e .meta "${f:-/nonexistent}"
"$R" view @1 2>"$T/k2v.err" </dev/null
status_is 1 $? "view @1 with a garbage runs.db: exit 1"

mkdir "$T/ro"
if mount -t tmpfs tmpfs "$T/ro" 2>/dev/null; then
	export XDG_DATA_HOME="$T/ro"
	timeout 30 "$R" record -q -e task-clock -C 0 --duration 0.2 -o "$T/ro1.json" 2>/dev/null
	mount -o remount,ro "$T/ro"
	timeout 30 "$R" record -q -e task-clock -C 0 --duration 0.2 -o "$T/ro2.json" 2>"$T/ro.err"
	status_is 1 $? "record with a read-only library: exit 1"
	check "the snapshot is still written" "$JQ" -e .meta "$T/ro2.json"
	check "one line says the library cannot be written" one_line "$T/ro.err" \
		'not saved in the library'
	timeout 30 "$R" record -q -e task-clock -C 0 --duration 0.2 2>"$T/ro3.err"
	status_is 1 $? "record without -o and a read-only library: exit 1"
	check "one line, before recording, says the library cannot be written" one_line \
		"$T/ro3.err" 'cannot create the runs library .*Read-only.*give -o'
	check "and nothing was recorded" sh -c '! grep -q "^ringside: recording" "$1"' sh "$T/ro3.err"
	umount "$T/ro"
else
	skip "record with a read-only library" "cannot mount a tmpfs here"
fi

# --- SQLite loaded on first use
export XDG_DATA_HOME="$T/lazy"
check "ringside does not link libsqlite3 (no NEEDED entry)" \
	sh -c '! readelf -d "$1" | grep -q "NEEDED.*libsqlite3"' sh "$R"
timeout 30 "$R" record -q -e task-clock --duration 0.3 -o "$T/lz.json" -- \
	sh -c 'echo "sqlite maps: $(grep -c libsqlite3 /proc/$PPID/maps) of $(cat /proc/$PPID/comm)"' \
	>"$T/lz.out" 2>"$T/lz.err"
ok $? "record -o -- a command reading ringside's maps exits 0"
check "while recording, no libsqlite3 is mapped in ringside" grep -qx 'sqlite maps: 0 of ringside' \
	"$T/lz.out"
check "and the run is still saved in the library" grep -q '^ringside: saved as run 1 ' "$T/lz.err"
timeout 30 "$R" record -q -e task-clock --duration 0.3 -- \
	sh -c 'echo "sqlite maps: $(grep -c libsqlite3 /proc/$PPID/maps) of $(cat /proc/$PPID/comm)"' \
	>"$T/lz2.out" 2>"$T/lz2.err"
ok $? "record without -o -- the same command exits 0"
check "no libsqlite3 is mapped either (the library's directory is made without it)" \
	grep -qx 'sqlite maps: 0 of ringside' "$T/lz2.out"
check "and the run is saved as run 2" grep -q '^ringside: saved as run 2 ' "$T/lz2.err"
check "runs lists both" test "$(rows)" -eq 2
mkdir "$T/nolib"
: >"$T/nolib/libsqlite3.so.0"
# broken NAME DESC PATTERN: record with $T/nolib's libsqlite3.so.0 exits 1, still writes its
# snapshot, and says PATTERN in one line.
broken() {
	LD_LIBRARY_PATH="$T/nolib" timeout 30 "$R" record -q -e task-clock -C 0 --duration 0.2 \
		-o "$T/$1.json" 2>"$T/$1.err"
	status_is 1 $? "record with a libsqlite3.so.0 $2: exit 1"
	check "the snapshot is still written" "$JQ" -e .meta "$T/$1.json"
	check "one line says what failed and what to install" one_line "$T/$1.err" "$3"
}
broken nl "that does not load" 'SQLite, which did not load .*install libsqlite3-0'
LD_LIBRARY_PATH="$T/nolib" "$R" runs >/dev/null 2>"$T/nlr.err"
status_is 1 $? "runs with a libsqlite3.so.0 that does not load: exit 1"
check "runs says what to install in one line" one_line "$T/nlr.err" 'install libsqlite3-0'
libz=$(ldd "$R" | awk '$1 == "libz.so.1" { print $3 }')
ln -sf "${libz:-/nonexistent}" "$T/nolib/libsqlite3.so.0"
broken nf "(libz) lacking SQLite's functions" 'has no sqlite3_open_v2; install libsqlite3-0'
check "the library still holds its two runs" test "$(rows)" -eq 2

done_testing
