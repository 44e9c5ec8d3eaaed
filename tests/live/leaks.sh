#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# LeakSanitizer over a full record -> export -> view cycle: record (.json), export to .html and
# .folded, export the page back to .json, `ringside view` the .json and the .html in tmux; merge
# (and a merge refused), record --stream and `view -` of a stream.
# Meaningful only in the sanitizer build (the binary carries the ASan runtime); elsewhere it skips
# saying so.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
W=$WORKLOADS

if ! nm "$R" 2>/dev/null | grep -q '__asan_init' && ! nm -D "$R" 2>/dev/null | grep -q '__asan_init'; then
	skip_all "not a sanitizer build (configure --enable-sanitizers): no LeakSanitizer to ask"
fi
export ASAN_OPTIONS=detect_leaks=1:exitcode=23
export LSAN_OPTIONS=exitcode=23

# leakfree NAME DESC ARGS...: ringside ARGS exits 0 and LeakSanitizer reports nothing.
leakfree() {
	name=$1 desc=$2
	shift 2
	timeout 120 "$R" "$@" >/dev/null 2>"$T/$name.err"
	rc=$?
	check "$desc: exit 0 (got $rc)" test $rc -eq 0
	check "$desc: no LeakSanitizer report" sh -c '! grep -q "LeakSanitizer\|ERROR: AddressSanitizer" "$1"' sh "$T/$name.err"
	grep -A12 'LeakSanitizer' "$T/$name.err" | head -n 20 | sed 's/^/# /'
}

leakfree rec "record -g fp with the timeline, launched" \
	record -I 200 -o "$T/a.json" -- "$W/calltree" 0.5
leakfree recsys "record -a -g dwarf" record -a -g dwarf --duration 0.5 -o "$T/s.json"
leakfree html "export .json -> .html" export "$T/a.json" -o "$T/a.html"
leakfree folded "export .json -> .folded" export "$T/a.json" -o "$T/a.folded"
leakfree back "export .html -> .json" export "$T/a.html" -o "$T/b.json"
check "the page exported back is the snapshot recorded" \
	sh -c '"$JQ" -S . "$1" >"$1.s" && "$JQ" -S . "$2" >"$2.s" && cmp -s "$1.s" "$2.s"' \
	sh "$T/a.json" "$T/b.json"
leakfree merge "merge two snapshots (.json and .html) -> .html" \
	merge "$T/a.json" "$T/s.json" -o "$T/m.html"
"$R" merge "$T/a.json" "$T/missing.json" -o "$T/m2.json" >/dev/null 2>"$T/merge-bad.err"
check "merge with a missing input: exit 2, no LeakSanitizer report" sh -c \
	'test "$2" -eq 2 && ! grep -q "LeakSanitizer\|ERROR: AddressSanitizer" "$1"' sh \
	"$T/merge-bad.err" $?
leakfree stream "record --stream -o - (to a file)" \
	record --stream -o - -I 200 -- "$W/calltree" 0.5
timeout 120 "$R" record -q --stream -o - -I 200 -- "$W/calltree" 0.5 >"$T/a.stream" 2>/dev/null

# leakview NAME FILE: `ringside view FILE` in tmux goes through its views (flamegraph zoomed in and
# out, scheduler, events, help), quits with q, exits 0, and LeakSanitizer reports nothing.
leakview() {
	name=$1
	screen_start 120 40 env ASAN_OPTIONS="$ASAN_OPTIONS" LSAN_OPTIONS="$LSAN_OPTIONS" \
		"$R" view "$2"
	screen_wait 'SNAPSHOT' 60 || diag "view $2: no screen after 60 s: $(screen_text | head -n 5)"
	# Each key's view drawn before the next (the sanitizer build is slow): wait for what it shows.
	for k in '2 samples, cumulative' 'Enter ' 'Escape ' '3 ' '4 ' 'h Everywhere' 'Escape ' \
		'1 hottest functions'; do
		screen_keys "${k%% *}"
		[ -n "${k#* }" ] && { screen_wait "${k#* }" 60 || diag "view $2: ${k%% *}: no '${k#* }'"; }
		sleep 0.3
	done
	screen_keys q
	screen_exit_is 0 "view $(basename "$2"): q quits with 0" 60
	cp "$T/screen.err" "$T/$name.err" 2>/dev/null
	check "view $(basename "$2"): no LeakSanitizer or AddressSanitizer report" \
		sh -c '! grep -q "LeakSanitizer\|ERROR: AddressSanitizer" "$1"' sh "$T/$name.err"
	grep -A12 'Sanitizer' "$T/$name.err" | head -n 20 | sed 's/^/# /'
}

if command -v tmux >/dev/null; then
	leakview viewjson "$T/a.json"
	leakview viewhtml "$T/a.html"
	leakview viewmerged "$T/m.html"
	# view - of a stream (rebuilt as it is read), through its views the same way.
	screen_start 120 40 sh -c 'ASAN_OPTIONS="$1" LSAN_OPTIONS="$2" "$3" view - <"$4"' sh \
		"$ASAN_OPTIONS" "$LSAN_OPTIONS" "$R" "$T/a.stream"
	screen_wait 'stdin: ended' 60 || diag "view -: no 'stdin: ended' after 60 s"
	for k in 2 Enter Escape 3 4 1; do
		screen_keys "$k"
		sleep 0.5
	done
	screen_keys q
	screen_exit_is 0 "view - of a stream: q quits with 0" 60
	check "view - of a stream: no LeakSanitizer or AddressSanitizer report" \
		sh -c '! grep -q "LeakSanitizer\|ERROR: AddressSanitizer" "$1"' sh "$T/screen.err"
else
	skip "view .json and .html" "tmux is not installed"
fi

done_testing
