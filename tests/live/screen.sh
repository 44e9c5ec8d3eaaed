#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live screen's frame and overview, driven in tmux:
#   - ringside -e page-faults,cpu-clock -- pagetouch (a steady 5000 page faults/s) at 120x40: the
#     top bar names the four views, the page-faults row shows a rate near 5.0K/s, the status line
#     names the command and its figures; h opens the help and any key closes it;
#   - space freezes the display (FROZEN; a capture and one 2 s later after Ctrl-L redrew the
#     screen show the same view and numbers) and space again brings it back to life (the view's
#     numbers change);
#   - resizing to 80x24 and 200x60 lays the overview out again for the size (tabs on the first row,
#     the status line on the last with F1 help at the right edge, the counter, ratio and hottest-
#     functions headers with their rows under them, none blank); 60x20
#     gives the one-line "too small" message and growing again brings the screen back;
#   - s saves a snapshot now and says its name (a .json beside a -o FILE.json, else a page,
#     .html, in the working directory), which export reads back;
#   - when the command exits the screen stays with a banner until q; q writes -o, exits 0, leaves
#     the alternate screen, shows the cursor, turns mouse and keypad modes off and restores the
#     terminal modes;
#   - TERM=vt100 LANG=C: ASCII only (no byte >= 0x80);
#   - SIGTERM, SIGHUP and SIGINT to a live session, steady or still starting up, write -o and restore
#     the terminal; SIGSEGV and SIGABRT restore it (mouse reporting and keypad modes off too)
#     before ringside dies of them;
#   - a hangup on the terminal without a SIGHUP (script's pty closed under a setsid session) ends
#     the session as q does: exit 0, -o written;
#   - --ratio pfcs=page-faults/context-switches gets a row whose value is the page-faults rate over
#     the context-switches rate on the same (frozen) screen; another --ratio run shows a value and
#     its -o snapshot keeps the ratio;
#   - a bad theme file names the line at fault on the status line, for its time even when a session
#     note (too few file descriptors for the scheduler timeline) comes too, and the note follows;
#     the screen still opens with the default.

. "$TESTLIB"
require_root
command -v tmux >/dev/null || skip_all "needs tmux"
make_tmpdir
cpu_lock

R=$RINGSIDE
PT=$WORKLOADS/pagetouch
cd "$T" || exit 1

# width LINE: the display width of LINE (capture-pane drops trailing blanks).
width() {
	printf '%s\n' "$1" | LC_ALL=C.UTF-8 wc -L
}

# layout_ok W H: the overview of the -e page-faults,cpu-clock session below is laid out for a W x H
# pane: H rows, the view tabs on the first and the status line on the last, its "F1 help" at the
# right edge (W - 10); the counter header reaching the right edge, the two counter rows under it,
# the ratio header with the four built-in ratios under it, a CPU row, and the hottest-functions
# header with function rows under it down to the status line or for ten rows at least, none blank.
layout_ok() {
	# A message (such as space's) holds the status line for 5 s: wait for the figures.
	screen_wait ' samples .* F1 help$' 6
	screen_save "$T/layout"
	_ly=$(awk -v w="$1" -v h="$2" -v cpus="$(nproc)" '
		function fail(m) { print m; exit 1 }
		{ l[NR] = $0 }
		/^ event +rate history/ && !ev { ev = NR }
		/^ ratio +value history/ && !ra { ra = NR }
		/hottest functions/ && !ho { ho = NR }
		/ cpu0 / { cpu = 1 }
		END {
			if (NR != h) fail("rows: " NR)
			if (l[1] !~ /^ ringside +1 Overview +2 Flame +3 Scheduler +4 Events/)
				fail("first row: " l[1])
			if (l[h] !~ /^ command: .* samples .* F1 help$/) fail("last row: " l[h])
			if (ev != 2) fail("counter header on row " ev)
			if (l[3] !~ /^ page-faults +[0-9.]+K\/s / || l[4] !~ /^ cpu-clock +[0-9.]+ CPU /)
				fail("counter rows: " l[3] " / " l[4])
			if (!ra) fail("no ratio header")
			if (l[ra + 1] !~ /^ IPC / || l[ra + 2] !~ /^ CPI / ||
			    l[ra + 3] !~ /^ cache-miss % / || l[ra + 4] !~ /^ branch-miss % /)
				fail("ratio rows under row " ra)
			if (!cpu) fail("no CPU busy row")
			# Under 100 columns the CPU rows come first: more than 8 leave no room at 80x24.
			if (!ho && w < 100 && cpus > 8) { print "no room for functions"; exit }
			if (!ho) fail("no hottest-functions header")
			last = ho + 10 < h - 1 ? ho + 10 : h - 1
			if (last <= ho) fail("no room for functions under row " ho)
			for (i = ho + 1; i <= last; i++)
				if (l[i] !~ /^ +[0-9.]+% +[0-9.]+% [^ ]/)
					fail("function row " i ": \"" l[i] "\"")
			print ev " " ho
		}' "$T/layout") || {
		diag "$1x$2 layout: $_ly"
		return 1
	}
	_sw=$(width "$(tail -n 1 "$T/layout")") _ew=$(width "$(sed -n 2p "$T/layout")")
	diag "$1x$2: status line $_sw columns wide, counter header $_ew"
	[ "$_sw" -eq $(($1 - 3)) ] && [ "$_ew" -eq "$1" ]
}

# restored: after the command ended, the pane left the alternate screen, the cursor shows, mouse
# reporting and the keypad's application modes (keypad and cursor keys) are off and the terminal
# modes are those it started with.
# tmux applies what the program wrote last a moment after it ended: asked for up to 5 s.
restored() {
	_rd=$(($(date +%s) + 5))
	while :; do
		_alt=$(screen_flag alternate_on) _cur=$(screen_flag cursor_flag)
		_mouse=$(screen_flag mouse_any_flag) _kp=$(screen_flag keypad_flag)
		_kc=$(screen_flag keypad_cursor_flag)
		screen_stty_same && _modes=same || _modes=changed
		[ "$_alt$_cur$_mouse$_kp$_kc$_modes" = 01000same ] && break
		[ "$(date +%s)" -le "$_rd" ] || break
		sleep 0.2
	done
	diag "after: alternate screen $_alt, cursor shown $_cur, mouse $_mouse, keypad $_kp," \
		"cursor keys $_kc, terminal modes $_modes"
	[ "$_alt$_cur$_mouse$_kp$_kc$_modes" = 01000same ]
}

# running: the pane is in the modes the live screen sets (so restored has something to undo).
running() {
	[ "$(screen_flag alternate_on)$(screen_flag mouse_any_flag)$(screen_flag keypad_flag)" = 111 ]
}

# status_wait ERE TIMEOUT_S: wait until the status line (the last row) matches ERE.
status_wait() {
	_sd=$(($(date +%s) + $2))
	while :; do
		screen_text | tail -n 1 | grep -Eq -- "$1" && return 0
		[ "$(date +%s)" -lt "$_sd" ] || return 1
		sleep 0.2
	done
}

# view_numbers FILE: the numbers in the view of screen capture FILE, one a line (the rows between the
# top bar and the status line, also left in FILE.view).
view_numbers() {
	sed '1d;$d' "$1" >"$1.view"
	grep -oE '[0-9]+(\.[0-9]+)?' "$1.view"
}

# row_rate EVENT [FILE]: the EVENT row's rate per second, on the screen now or in capture FILE.
row_rate() {
	{ if [ -n "$2" ]; then cat "$2"; else screen_text; fi; } | awk -v ev="$1" '$1 == ev {
		v = $2; if (v !~ /\/s$/) exit
		sub(/\/s$/, "", v); m = 1
		if (v ~ /K$/) { m = 1e3; sub(/K$/, "", v) } else if (v ~ /M$/) { m = 1e6; sub(/M$/, "", v) }
		print v * m; exit }'
}

# pf_rate: the median of five readings of the page-faults row's rate in faults per second, 0.5 s
# apart (one slow interval on a loaded machine does not decide).
pf_rate() {
	for _ in 1 2 3 4 5; do
		row_rate page-faults
		sleep 0.5
	done | sort -n | sed -n 3p
}

# layout_wait W H: wait up to 10 s for the overview to be laid out for W x H (a resize is drawn
# in the next frame); layout_ok's verdict after that.
layout_wait() {
	_lw=$(($(date +%s) + 10))
	until layout_ok "$1" "$2" >/dev/null 2>&1; do
		[ "$(date +%s)" -le "$_lw" ] || break
		sleep 0.3
	done
	layout_ok "$1" "$2"
}

# view_steady TIMEOUT_S: wait until the view (the rows between the top bar and the status line,
# which goes on counting samples) is the same in two captures 0.5 s apart.
view_steady() {
	_vd=$(($(date +%s) + $1))
	screen_text | sed '1d;$d' >"$T/steady0"
	while [ "$(date +%s)" -le "$_vd" ]; do
		sleep 0.5
		screen_text | sed '1d;$d' >"$T/steady1"
		[ -s "$T/steady1" ] && cmp -s "$T/steady0" "$T/steady1" && return 0
		mv "$T/steady1" "$T/steady0"
	done
	return 1
}

# numbers_change FILE TIMEOUT_S: wait until the view's numbers differ from those in FILE.
numbers_change() {
	_nd=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le "$_nd" ]; do
		screen_save "$T/now"
		view_numbers "$T/now" >"$T/now.num"
		cmp -s "$1" "$T/now.num" || return 0
		sleep 0.3
	done
	return 1
}

# The command runs 30 s: the freeze, size and save checks below must see it running even on a
# loaded machine (a parallel make check once took more than 14 s to reach 200x60).
screen_start 120 40 "$R" -I 250 -e page-faults,cpu-clock -o "$T/live.json" -- \
	"$PT" 256 --every 50 --for 30
check "the screen opens with the four views on the top bar" \
	screen_wait '1 Overview +2 Flame +3 Scheduler +4 Events' 10
check "the page-faults row has a rate" screen_wait '^ page-faults +[0-9.]+K/s' 10
rate=$(pf_rate)
check "page-faults shows ~5.1K/s (256 pages every 50 ms): $rate" in_range "${rate:-0}" 3500 6500
check "the status line names the command by its program name and the samples" \
	screen_wait "command: pagetouch .* samples .* lost" 12
screen_keys h
check "h opens the help" screen_wait 'Everywhere' 5
screen_keys x
check "a key closes the help" screen_gone 'Everywhere' 5

# Freeze: the display holds still while collection goes on, even when it is drawn again (Ctrl-L
# redraws the whole screen from the model: a frozen view must draw what it held, not live data).
screen_keys Space
check "space freezes (FROZEN on the top bar)" screen_wait 'FROZEN' 5
check "frozen: the view holds still" view_steady 10
screen_save "$T/frozen1"
sleep 1.5 # time passes: collection goes on behind the frozen view
screen_keys C-l
view_steady 10 || diag "the view did not settle after Ctrl-L"
screen_save "$T/frozen2"
view_numbers "$T/frozen1" >"$T/frozen1.num"
view_numbers "$T/frozen2" >"$T/frozen2.num"
diag "numbers in the frozen view: $(wc -l <"$T/frozen1.num")"
check "the frozen view shows numbers (rates, min, max, shares, percentages)" \
	test "$(wc -l <"$T/frozen1.num")" -ge 20
check "frozen, redrawn 2 s later (Ctrl-L): the view's numbers are the same" \
	cmp -s "$T/frozen1.num" "$T/frozen2.num"
check "frozen, redrawn 2 s later (Ctrl-L): the view is the same" \
	cmp -s "$T/frozen1.view" "$T/frozen2.view"
screen_keys Space
check "space again: live (FROZEN gone)" screen_gone 'FROZEN' 5
check "live again, the view's numbers change" numbers_change "$T/frozen2.num" 10

# Sizes.
screen_resize 80 24
check "80x24: the overview is laid out for 80x24" layout_wait 80 24
check "80x24: the top bar is there" screen_wait '1 Overview' 3
check "80x24: the counter rows are there" screen_wait '^ page-faults ' 3
screen_resize 200 60
check "200x60: the overview is laid out for 200x60" layout_wait 200 60
check "200x60: the rows are there" screen_wait '^ page-faults .*K/s' 3
screen_resize 60 20
check "60x20: a one-line message asks for a larger terminal" screen_wait '80x24' 3
screen_resize 120 40
check "120x40 again: the overview is back" screen_wait '1 Overview' 3

# s saves a snapshot now: with -o live.json, a .json beside it.
screen_keys s
check "s says the name of what it saved" screen_wait "saved $T/ringside-[0-9-]+\\.json" 5
saved=$(screen_text | grep -oE '/[^ ]*ringside-[0-9-]+\.json' | head -n 1)
check "the saved file is a snapshot export can read ($saved)" \
	"$R" export "${saved:-/nonexistent}" -o "$T/saved-back.json"

# The command ends: a banner, the screen stays until q.
check "when the command exits a banner says so" screen_wait "the command exited" 40
check "the screen stays after the command ended" screen_wait 'ENDED' 10
screen_keys q
screen_exit_is 0 "q exits 0"
check "q: the terminal is restored (main screen, cursor, modes)" restored
check "-o was written on quit" "$R" export "$T/live.json" -o "$T/live-back.folded"

# ASCII only on a vt100 in the C locale.
SCREEN_TERM=vt100 SCREEN_LANG=C screen_start 80 24 "$R" -I 250 -- "$PT" 256 --every 50 --for 30
check "vt100, LANG=C: the screen opens" screen_wait '1 Overview' 10
check "vt100, LANG=C: the status line is drawn" \
	screen_wait ' samples ' 10
screen_save "$T/ascii"
check "vt100, LANG=C: every byte on screen is ASCII" \
	test "$(LC_ALL=C grep -c '[^ -~]' "$T/ascii")" = 0
screen_keys q
screen_exit_is 0 "vt100, LANG=C: q exits 0"

# Signals.
for sig in TERM HUP INT; do
	rm -f "$T/sig.json"
	screen_start 100 30 "$R" -I 250 -o "$T/sig.json" -- "$PT" 256 --every 50 --for 60
	screen_wait ' samples ' 10 || diag "SIG$sig: no status line: $(screen_text | tail -n 1)"
	screen_kill "$sig" "SIG$sig"
	# man ringside: the live screen ends on SIGINT, SIGTERM or SIGHUP, writing -o: a success.
	screen_exit_is 0 "SIG$sig: ringside ends with exit 0"
	check "SIG$sig: the terminal is restored" restored
	check "SIG$sig: -o was written" "$R" export "$T/sig.json" -o "$T/sig-back.json"
done
# At start-up, before the session exists: strace holds ringside's first ioctl (isatty's TCGETS,
# before it opens anything) for 2 s and the signal arrives then. ringside still comes up, ends at
# once, writes -o and leaves the terminal as it found it. LeakSanitizer cannot run under ptrace.
if command -v strace >/dev/null 2>&1; then
	for sig in TERM HUP INT; do
		rm -f "$T/early.json"
		screen_start 100 30 env ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
			strace -o "$T/early.strace" -e trace=ioctl \
			-e inject=ioctl:delay_enter=2000000:when=1 \
			"$R" -I 250 -o "$T/early.json" -- "$PT" 256 --every 50 --for 60
		rs=
		for _ in $(seq 100); do
			rs=$(pgrep -P "$(screen_child)" -x ringside | head -n 1)
			[ -n "$rs" ] && break
			sleep 0.05
		done
		sleep 0.5 # well inside the 2 s that strace holds the ioctl
		if [ -n "$rs" ]; then
			check "SIG$sig at start-up: sent to ringside ($rs) inside its held first ioctl" \
				kill -"$sig" "$rs"
		else
			ok 1 "SIG$sig at start-up: no ringside process found under strace"
		fi
		screen_exit_is 0 "SIG$sig at start-up: ringside ends, exit 0" 15
		check "SIG$sig at start-up: the terminal is restored" restored
		check "SIG$sig at start-up: -o was written" \
			"$R" export "$T/early.json" -o "$T/early-back.json"
	done
else
	skip "signals at start-up" "strace is not installed"
fi
for sig in SEGV:139 ABRT:134; do
	screen_start 100 30 "$R" -I 250 -- "$PT" 256 --every 50 --for 60
	screen_wait ' samples ' 10 || diag "SIG${sig%:*}: no status line: $(screen_text | tail -n 1)"
	check "SIG${sig%:*}: before, the alternate screen, mouse and keypad modes are on" running
	screen_kill "${sig%:*}" "SIG${sig%:*}"
	screen_exit_is "${sig#*:}" "SIG${sig%:*}: ringside dies of the signal"
	check "SIG${sig%:*}: the terminal is restored before it dies" restored
done

# The terminal goes away without a SIGHUP reaching ringside: script(1) gives it a pty, setsid a
# session of its own without a controlling terminal, so killing script closes the pty's master and
# only stdin's hangup tells. It must end as q does, not spin on a stdin that polls at once forever.
if command -v script >/dev/null && command -v setsid >/dev/null; then
	cat >"$T/hup.sh" <<HUP_EOF
export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 COLUMNS=100 LINES=30
echo \$\$ >"$T/hup.shpid"
"$R" -I 250 -o "$T/hup.json" -- "$PT" 256 --every 50 --for 60 2>"$T/hup.err"
echo \$? >"$T/hup.rc"
HUP_EOF
	script -qfc "setsid -w sh '$T/hup.sh'" /dev/null </dev/null >"$T/hup.out" 2>&1 &
	hup_script=$!
	track "$hup_script"
	check "no SIGHUP: the screen is drawn on script's pty" wait_for_line "$T/hup.out" Overview 10
	wait_for_line "$T/hup.out" samples 10 || diag "no SIGHUP: no status line on the pty"
	hup_pid=$(pgrep -P "$(cat "$T/hup.shpid" 2>/dev/null || echo 0)" | head -n 1)
	check "no SIGHUP: ringside runs under script ($hup_pid)" test -n "$hup_pid"
	track "$hup_pid" # killed on exit should it spin
	kill -KILL "$hup_script"
	wait_pid "$hup_script" 5 >/dev/null
	check "no SIGHUP: a hangup on stdin ends ringside" wait_for_line "$T/hup.rc" . 10
	[ -s "$T/hup.rc" ] && untrack "$hup_pid"
	check "no SIGHUP: it exits 0 ($(cat "$T/hup.rc" 2>/dev/null))" \
		test "$(cat "$T/hup.rc" 2>/dev/null)" = 0
	check "no SIGHUP: -o was written" "$R" export "$T/hup.json" -o "$T/hup-back.json"
else
	skip "a hangup on stdin ends ringside" "needs script and setsid (util-linux)"
fi

# --ratio: a ratio of two events gets a row with a value, the quotient of their rates (both from
# the same latest interval; the display is frozen so that the capture holds one frame).
screen_start 120 40 "$R" -I 250 --ratio pfcs=page-faults/context-switches -- \
	"$PT" 256 --every 50 --for 60
check "--ratio: the screen opens" screen_wait '1 Overview' 10
check "--ratio: the ratio row has a value" screen_wait '^ pfcs +[0-9]+\.[0-9]{3} ' 10
screen_keys Space
screen_wait 'FROZEN' 5
view_steady 10 || diag "--ratio: the frozen view did not settle"
screen_save "$T/ratio"
pf=$(row_rate page-faults "$T/ratio")
cs=$(row_rate context-switches "$T/ratio")
ratio=$(awk '$1 == "pfcs" { print $2; exit }' "$T/ratio")
want=$(awk -v a="${pf:-0}" -v b="${cs:-0}" 'BEGIN { if (b > 0) printf "%.3f\n", a / b }')
check "--ratio: pfcs $ratio = page-faults $pf/s over context-switches $cs/s ($want)" \
	approx "${ratio:-x}" "${want:-0}" 3
# pagetouch sleeps between batches of 256 faults: one switch per batch, more when preempted (fewer
# only when a late batch catches up without sleeping).
check "--ratio: pfcs is in the order of 256 faults per switch ($ratio)" \
	in_range "${ratio:-0}" 5 600

# s without -o saves a page (.html) in the working directory and names it; export reads it back.
rm -f "$T"/ringside-*.html
screen_keys s
check "s without -o: says it saved a page" screen_wait 'saved \./ringside-[0-9-]+\.html' 5
saved=$(screen_text | grep -oE 'ringside-[0-9-]+\.html' | head -n 1)
check "s without -o: the page is in the working directory ($saved)" test -s "$T/${saved:-none}"
check "s without -o: the file is an HTML page" grep -qi '<html' "$T/${saved:-none}"
check "s without -o: ringside export reads the page back" \
	"$R" export "$T/${saved:-none}" -o "$T/saved-html-back.json"
check "s without -o: the page holds the page-faults counted so far" \
	test "$(ev_total "$T/saved-html-back.json" page-faults)" -gt 0
screen_keys q
screen_exit_is 0 "--ratio, after s: q exits 0"

# A bad theme file, with a session note competing for the status line: a file-descriptor limit too
# low for the scheduler timeline (ringside record, under the same limit, says whether this machine
# gives that note). The theme's error shows first and for its time, the note after it. The limit
# is 26: with four sched tracepoints fewer per process, the live screen's timeline fits in 32
# descriptors on 2 CPUs (record, with its journal, still did not); at 20 the samples do not open.
printf 'normal = white\nkernel = notacolour\n' >"$T/bad.theme"
note=$(sh -c 'ulimit -n 26 && exec "$@"' sh "$R" record -q -o "$T/fdlimit.json" -- "$PT" 1 2>&1 |
	grep -o 'no scheduler timeline' | head -n 1)
screen_start 100 30 sh -c 'ulimit -n 26 && exec "$@"' sh "$R" --theme "$T/bad.theme" -I 250 -- \
	"$PT" 256 --every 50 --for 60
check "a bad theme: the screen still opens" screen_wait '1 Overview' 10
check "a bad theme: the status line names the file's line 2" status_wait 'bad\.theme:2' 2
sleep 3
check "a bad theme: its message is still there 3 s later" status_wait 'bad\.theme:2' 0
if [ -n "$note" ]; then
	check "a bad theme: the session's note follows once the theme's message expired" \
		status_wait "$note" 10
else
	skip "a bad theme: the session's note follows" "no note from ringside record under ulimit -n 26"
fi
screen_keys q
screen_exit_is 0 "a bad theme: q exits 0"

# --ratio live: its row in the ratio panel has a value (page faults per context switch), and -o
# keeps the ratio, with cs counted although -e left it out.
screen_start 120 40 "$R" -I 250 --ratio pfcs=page-faults/cs -e page-faults -o "$T/ratio.json" \
	-- "$PT" 256 --every 50 --for 60
check "--ratio: the ratio panel shows pfcs with a value" \
	screen_wait '^ pfcs +[0-9]+\.[0-9]{3} ' 10
screen_keys q
screen_exit_is 0 "--ratio: q quits with 0"
check "--ratio: -o keeps the ratio, its events as counted" "$JQ" -e '.ratios == [{"name": "pfcs",
	"numerator": "page-faults", "denominator": "cs", "percent": false}] and
	([.events[].name] == ["page-faults", "cs"])' "$T/ratio.json"

done_testing
