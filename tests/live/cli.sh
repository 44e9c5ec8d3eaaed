#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The command line: help, version, unknown options and subcommands, the missing live screen, and
# record's required and checked arguments (exit 2 with one "ringside: " line, no recording).

. "$TESTLIB"
make_tmpdir

R=$RINGSIDE

for opt in --help -h; do
	"$R" $opt >"$T/help.out" 2>"$T/help.err"
	ok $? "$opt exits 0"
	check "$opt prints usage on stdout naming record and list" \
		sh -c 'grep -q "record" "$1" && grep -q "list" "$1" && test ! -s "$2"' sh \
		"$T/help.out" "$T/help.err"
done

for opt in --version -V; do
	out=$("$R" $opt 2>&1)
	ok $? "$opt exits 0"
	check "$opt prints exactly 'ringside 0.1.0' (got '$out')" test "$out" = "ringside 0.1.0"
done

# usage_error NAME DESC PATTERN ARGS...: exit 2 and one "ringside: " line matching PATTERN.
usage_error() {
	name=$1 desc=$2 pat=$3
	shift 3
	timeout 10 "$R" "$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
	check "$desc: exit 2 (got $rc)" test $rc -eq 2
	check "$desc: a 'ringside: ' error matching '$pat', nothing on stdout, not recording" sh -c '
		grep -q "^ringside: " "$1" && grep -q -- "$2" "$1" && test ! -s "$3" &&
		! grep -q "^ringside: recording" "$1"' sh "$T/$name.err" "$pat" "$T/$name.out"
	diag "$(head -n 2 "$T/$name.err")"
}

usage_error opt "unknown option --frobnicate" "Try 'ringside --help'" --frobnicate
usage_error ropt "unknown record option" "Try 'ringside --help'" record --frobnicate -o "$T/x.json"
usage_error sub "unknown subcommand" "Try 'ringside --help'" frobnicate
usage_error none "no subcommand without a terminal" "live screen needs a terminal" 
usage_error noo "record --no-save without -o" "-o" record --no-save -e task-clock -- true
usage_error ext "record -o x.txt" "json" record -e task-clock -o "$T/x.txt" -- true
usage_error dur0 "--duration 0" "duration" record -e task-clock --duration 0 -o "$T/x.json"
usage_error durn "--duration -1" "duration" record -e task-clock --duration -1 -o "$T/x.json"
usage_error dura "--duration abc" "duration" record -e task-clock --duration abc -o "$T/x.json"
usage_error iv "-I abc" "interval" record -e task-clock -I abc -o "$T/x.json"
usage_error ivmax "-I 3600001" "interval" record -e task-clock -I 3600001 -o "$T/x.json"
usage_error fmode "record --file-mode 999" "octal permission bits" \
	record -e task-clock --file-mode 999 -o "$T/x.json" -- true
usage_error fmodex "export --file-mode rw" "octal permission bits" \
	export --file-mode rw "$TESTDATA/snapshot-ratios.json" -o "$T/x.json"
usage_error rform "record --ratio without A/B" "must read NAME=EVENT/EVENT" \
	record -e task-clock --ratio pf=page-faults -o "$T/x.json" -- true
usage_error rtwice "record --ratio with a name twice" "ratio name 'pf' is given twice" \
	record -e task-clock --ratio pf=page-faults/cs --ratio pf%=cs/page-faults -o "$T/x.json" -- true
usage_error revent "record --ratio of an unknown event" "unknown event 'nosuch'" \
	record -e task-clock --ratio pf=nosuch/cs -o "$T/x.json" -- true
usage_error vratio "view --ratio without A/B" "must read NAME=EVENT/EVENT" \
	view --ratio pf "$TESTDATA/snapshot-ratios.json"
usage_error vdelay "view -d (a snapshot has no counters to read)" "option '-d' is not for view" \
	view -d 2 "$TESTDATA/snapshot-ratios.json"
usage_error rdelay "record -d (-I paces record)" "option '-d' is not for record" \
	record -d 2 -e task-clock -o "$T/x.json" -- true
check "no snapshot left by any refused command line" test ! -e "$T/x.json"
check "'needs a terminal' message is exactly the documented one" grep -qx \
	"ringside: the live screen needs a terminal; use 'ringside record -o FILE.json' in scripts" \
	"$T/none.err"

# Each command's --help is the one usage text, on stdout, exit 0.
"$R" --help >"$T/help.ref"
status_is 0 $? "--help (the reference for the subcommands') exits 0"
for sub in record view export list; do
	"$R" $sub --help >"$T/subhelp.out" 2>"$T/subhelp.err"
	ok $? "$sub --help exits 0"
	check "$sub --help prints the usage text, nothing on stderr" \
		sh -c 'cmp -s "$1" "$2" && test ! -s "$3"' sh "$T/help.ref" "$T/subhelp.out" \
		"$T/subhelp.err"
done

usage_error rval "record -I without a value" "option '-I' needs a value" record -I
usage_error rfreq "record -F 0" "frequency -F" record -F 0 -o "$T/x.json"
usage_error rtheme "record --theme (a screen option)" "option '--theme' is not for record" \
	record --theme dark -o "$T/x.json"
usage_error vevents "view -e (not a screen option)" "option '-e' is not for view" \
	view -e task-clock "$TESTDATA/snapshot-ratios.json"
usage_error vtwo "view with two files" "view takes one snapshot file" view a.json b.json
usage_error vfmode "view --file-mode 999" "octal permission bits" \
	view --file-mode 999 "$TESTDATA/snapshot-ratios.json"
usage_error xnoout "export without -o" "export takes one snapshot" \
	export "$TESTDATA/snapshot-ratios.json"
usage_error xext "export -o x.txt" "must end in .json, .html, .folded or .pb.gz" \
	export "$TESTDATA/snapshot-ratios.json" -o "$T/x.txt"
usage_error xopt "unknown export option" "unknown option '--bogus' for export" \
	export --bogus "$TESTDATA/snapshot-ratios.json" -o "$T/x.json"
usage_error xmissing "export of a missing snapshot" "cannot open snapshot" \
	export "$T/missing.json" -o "$T/x.json"
usage_error lopt "unknown list option" "unknown option '--bogus' for list" list --bogus
usage_error ltwo "list with two patterns" "list takes one pattern" list a b
check "no output left by the refused export and view command lines" \
	sh -c 'test ! -e "$1" && test ! -e "$2"' sh "$T/x.json" "$T/x.txt"

"$R" export "$TESTDATA/snapshot-ratios.json" -o "$T/again.json" >"$T/xok.out" 2>"$T/xok.err"
ok $? "export of a snapshot to .json exits 0"
check "export to .json writes a snapshot and says nothing" \
	sh -c 'test -s "$1" && test ! -s "$2" && test ! -s "$3"' sh "$T/again.json" "$T/xok.out" \
	"$T/xok.err"

"$R" list zzzz-no-such-event-zzzz >"$T/lnone.out" 2>"$T/lnone.err"
rc=$?
check "list of a pattern nothing matches: exit 1 (got $rc)" test $rc -eq 1
check "list of a pattern nothing matches: the documented message, nothing on stdout" sh -c '
	grep -qx "ringside: no event matches '"'zzzz-no-such-event-zzzz'"'; try a shorter pattern or '"'ringside list'"'" "$1" &&
	test ! -s "$2"' sh "$T/lnone.err" "$T/lnone.out"

done_testing
