# SPDX-License-Identifier: GPL-2.0-or-later
#
# A small TAP library for the live tests (POSIX sh; sourced, never run). The plan is printed at the
# end by done_testing; a failure is a "not ok" line, which automake's tap-driver reports.
#
#   ok STATUS DESC          ok when STATUS is 0
#   check DESC CMD...       runs CMD (its stdout goes to stderr), ok when it succeeds
#   skip DESC REASON        a skipped test
#   diag MSG                "# MSG"
#   done_testing            prints "1..N" and exits 0
#   skip_all REASON         "1..0 # SKIP REASON" and exits 0
#   expect_status WANT DESC CMD...   runs CMD, ok when its exit status is WANT: a number, or a
#                           signal name (TERM, SEGV, ...) for "killed by it" (128 + its number)
#   status_is WANT GOT DESC ok when the status GOT (a number, or "timeout") is WANT
# Helpers: require_root; make_tmpdir (sets T, removed on exit); cpu_lock; track PID (killed on
# exit if still running) and untrack PID; start_bg LOG CMD... (sets BG_PID); wait_pid PID
# TIMEOUT_S; wait_for_line FILE PATTERN TIMEOUT_S; release_fifo FIFO; approx VALUE EXPECTED
# TOL_PERCENT; in_range VALUE LO HI; jqv FILE FILTER; ev_total FILE EVENT; ev_scaled FILE EVENT.
# Spinners (`spin --report FILE`): steal_ns; stolen_since STEAL_NS; spin_report FILE (sets
# SPIN_CPU, SPIN_WALL, SPIN_SHARE); near_cpu VALUE CPU_NS TOL_PERCENT STOLEN_NS; check_alone DESC
# CMD...
# Folded stacks ("comm;outer;...;leaf COUNT" lines): folded_comm FILE COMM; folded_sum FILE ERE;
# folded_self FILE; pct PART WHOLE.

: "${RINGSIDE:=ringside}" "${JQ:=jq}" "${PERF:=perf}"
: "${MANDOC=$(command -v mandoc)}"
# The live tests run as root; a sudo environment would make launched commands drop to that user.
unset SUDO_UID SUDO_GID SUDO_USER

_tap_n=0
_tap_pids=
T=

ok() {
	_tap_n=$((_tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $_tap_n - $2"
	else
		echo "not ok $_tap_n - $2"
	fi
}

check() {
	_tap_desc=$1
	shift
	"$@" >&2
	ok $? "$_tap_desc"
}

skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

diag() {
	echo "# $*"
}

done_testing() {
	_screen_unchecked
	echo "1..$_tap_n"
	exit 0
}

# status_code WANT: WANT as an exit status: a number as is, a signal name (TERM, SIGTERM) as
# 128 + its number, the status sh gives a child killed by it.
status_code() {
	case $1 in
	'' | *[!0-9]*)
		# dash's kill -l takes numbers only: look the name up among them.
		_tap_sn=1
		while [ "$_tap_sn" -le 64 ]; do
			[ "$(kill -l "$_tap_sn" 2>/dev/null)" = "${1#SIG}" ] && break
			_tap_sn=$((_tap_sn + 1))
		done
		[ "$_tap_sn" -le 64 ] || return 1
		echo $((128 + _tap_sn))
		;;
	*) echo "$1" ;;
	esac
}

# status_is WANT GOT DESC: ok when GOT (an exit status, or "timeout") is WANT (see status_code).
status_is() {
	_tap_want=$(status_code "$1") || _tap_want="bad WANT '$1'"
	test "$2" = "$_tap_want"
	ok $? "$3 (exit status $2, want $_tap_want)"
}

# expect_status WANT DESC CMD...: run CMD (its stdout to stderr); ok when it exits with WANT.
expect_status() {
	_tap_want=$1 _tap_desc=$2
	shift 2
	"$@" >&2
	status_is "$_tap_want" $? "$_tap_desc"
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (perf events system-wide, setpriv)"
}

_tap_cleanup() {
	for _p in $_tap_pids; do
		kill -KILL "$_p" 2>/dev/null
	done
	[ -n "$T" ] && rm -rf "$T"
}

make_tmpdir() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-live.XXXXXX") || exit 1
	trap _tap_cleanup EXIT
	trap 'exit 1' INT TERM HUP
}

# Tests that time CPU-bound workloads or load every CPU take this lock first, so that `make -j
# check` (or another build dir's suite) does not run them side by side on a small machine and
# starve the workloads they measure. Children inherit fd 9; the lock goes with the last of them.
cpu_lock() {
	exec 9>>"${TMPDIR:-/tmp}/ringside-live-cpu.lock"
	flock -w 120 9 || diag "no CPU lock after 120 s; running anyway, timings may suffer"
}

track() {
	_tap_pids="$_tap_pids $1"
}

# Forget PID once it has been reaped, so cleanup never signals a recycled PID.
untrack() {
	_tap_keep=
	for _p in $_tap_pids; do
		[ "$_p" = "$1" ] || _tap_keep="$_tap_keep $_p"
	done
	_tap_pids=$_tap_keep
}

# Start CMD in the background with stderr to LOG; SIGINT and SIGQUIT keep their default action (a
# background job in a script would otherwise ignore them). Sets BG_PID and tracks it.
start_bg() {
	_tap_log=$1
	shift
	env --default-signal=INT,QUIT "$@" 2>"$_tap_log" &
	BG_PID=$!
	track "$BG_PID"
}

# Wait up to TIMEOUT_S for PID (a child of this shell) to exit; its exit status, or 124 after
# killing it when it did not exit in time.
wait_pid() {
	_tap_i=0
	while kill -0 "$1" 2>/dev/null; do
		if ! ps -o stat= -p "$1" 2>/dev/null | grep -qv Z; then
			break
		fi
		_tap_i=$((_tap_i + 1))
		if [ "$_tap_i" -gt $(($2 * 20)) ]; then
			kill -KILL "$1" 2>/dev/null
			wait "$1" 2>/dev/null
			untrack "$1"
			return 124
		fi
		sleep 0.05
	done
	wait "$1"
	_tap_rc=$?
	untrack "$1"
	return $_tap_rc
}

# Poll FILE until a line matches the grep pattern PATTERN; fails after TIMEOUT_S seconds.
wait_for_line() {
	_tap_i=0
	until grep -q -- "$2" "$1" 2>/dev/null; do
		_tap_i=$((_tap_i + 1))
		[ "$_tap_i" -gt $(($3 * 20)) ] && return 1
		sleep 0.05
	done
	return 0
}

# Write a line to FIFO (releasing a workload waiting in --wait-fifo), giving up after 5 s.
release_fifo() {
	timeout 5 sh -c 'echo go > "$1"' sh "$1"
}

# VALUE within TOL_PERCENT of EXPECTED (numbers may be floats)?
approx() {
	awk -v v="$1" -v e="$2" -v t="$3" 'BEGIN {
		if (v == "" || v !~ /^-?[0-9.eE+]+$/) exit 1
		d = v - e; if (d < 0) d = -d
		exit !(d <= (e < 0 ? -e : e) * t / 100)
	}'
}

# LO <= VALUE <= HI?
in_range() {
	awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN {
		if (v == "" || v !~ /^-?[0-9.eE+]+$/) exit 1
		exit !(v + 0 >= lo + 0 && v + 0 <= hi + 0)
	}'
}

jqv() {
	"$JQ" -r "$2" "$1" 2>/dev/null
}

# The raw total of event EVENT in snapshot FILE: the sum of every series' counts.
ev_total() {
	"$JQ" -r --arg n "$2" \
		'[.events[] | select(.name == $n) | .series[].count[]] | add // 0' "$1" 2>/dev/null
}

# The estimated total of event EVENT in snapshot FILE, rounded to an integer: count * enabled /
# running summed over every interval and series, intervals with running 0 left out (the scaling of
# man ringside-snapshot.5, "Values"; it equals ev_total when the event was never multiplexed).
ev_scaled() {
	"$JQ" -r --arg n "$2" '[.events[] | select(.name == $n) | .series[] | . as $s |
		range(0; $s.t | length) | select($s.running[.] > 0) |
		$s.count[.] * $s.enabled[.] / $s.running[.]] | add // 0 | round' "$1" 2>/dev/null
}

# The machine's steal time so far in ns: time the hypervisor gave this VM's CPUs to someone else
# (/proc/stat counts it in clock ticks, summed over the CPUs); 0 where it is not counted.
steal_ns() {
	awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%.0f\n", ($9 + 0) * 1e9 / hz; exit }' \
		/proc/stat
}

# The steal time since steal_ns printed STEAL_NS, plus one clock tick (the counter's resolution):
# an upper bound of what was stolen meanwhile.
stolen_since() {
	echo $(($(steal_ns) - $1 + 1000000000 / $(getconf CLK_TCK)))
}

# Read the "CPU_NS WALL_NS" line that `spin --report FILE` wrote: sets SPIN_CPU (the spinner's own
# CPU time), SPIN_WALL (its wall time spinning) and SPIN_SHARE (CPU / wall in whole percent: how
# much of a CPU a one-thread spinner got). All empty when FILE does not hold such a line.
spin_report() {
	SPIN_CPU=''
	SPIN_WALL=''
	SPIN_SHARE=''
	read -r SPIN_CPU SPIN_WALL _tap_rest 2>/dev/null <"$1"
	case "$SPIN_CPU,$SPIN_WALL" in
	*[!0-9,]* | ,* | *, | *,0) SPIN_CPU='' SPIN_WALL='' ;;
	*) SPIN_SHARE=$((SPIN_CPU * 100 / SPIN_WALL)) ;;
	esac
}

# VALUE (a task-clock) within TOL_PERCENT of CPU_NS, a process's own CPU time, where the upper
# bound also allows STOLEN_NS: task-clock counts the time a hypervisor steals from a running task,
# which the kernel takes out of the task's own CPU clock (CONFIG_PARAVIRT_TIME_ACCOUNTING).
near_cpu() {
	[ -n "$2" ] || return 1
	awk -v v="$1" -v c="$2" -v t="$3" -v s="$4" 'BEGIN {
		if (v == "" || v !~ /^-?[0-9.eE+]+$/) exit 1
		exit !(v >= c * (1 - t / 100) && v <= c * (1 + t / 100) + s)
	}'
}

# check DESC CMD, as is when the spinner last read by spin_report had a CPU to itself
# (SPIN_SHARE >= 95): a task-clock equals wall time only then.
# When it had less (a busy machine), a wall-time claim does not hold, and the check is replaced,
# not skipped: for CMD `approx VALUE WALL_NS TOL`, VALUE must lie between the spinner's own CPU
# time and its wall time, each widened by TOL percent (true whatever the load: a one-thread spinner
# counts at most its wall time, and at least the CPU time it got); the description says so.
check_alone() {
	if [ -z "$SPIN_SHARE" ] || [ "$SPIN_SHARE" -ge 95 ]; then
		check "$@"
	elif [ "$2" = approx ] && [ $# -eq 5 ]; then
		check "$1 [busy: the spinner got $SPIN_SHARE% of a CPU, so between its CPU time $SPIN_CPU ns and wall time $SPIN_WALL ns ±$5%]" \
			awk -v v="$3" -v c="$SPIN_CPU" -v w="$SPIN_WALL" -v t="$5" 'BEGIN {
				if (v == "" || v !~ /^-?[0-9.eE+]+$/) exit 1
				exit !(v >= c * (1 - t / 100) && v <= w * (1 + t / 100))
			}'
	else
		_tap_desc="$1 [the spinner got $SPIN_SHARE% of a CPU]"
		shift
		check "$_tap_desc" "$@"
	fi
}

# The lines of folded-stacks FILE whose comm (first field) is COMM.
folded_comm() {
	awk -v c="$2" 'index($0, c ";") == 1' "$1"
}

# The sum of the counts of the lines of folded-stacks FILE whose path (the line without its count)
# matches the extended regular expression ERE (passed through the environment, so that awk does
# not process backslashes in it).
folded_sum() {
	_tap_re=$2 awk '{
		p = $0; c = $NF; sub(/ [0-9]+$/, "", p)
		if (p ~ ENVIRON["_tap_re"]) s += c
	} END { print s + 0 }' "$1"
}

# Self samples per function of folded-stacks FILE: the counts summed by leaf frame, as
# "COUNT NAME" lines, most first (names may hold spaces).
folded_self() {
	awk '{
		p = $0; c = $NF; sub(/ [0-9]+$/, "", p)
		n = split(p, f, ";"); self[f[n]] += c
	} END { for (k in self) print self[k], k }' "$1" | sort -k1,1nr -k2
}

# PART as a percentage of WHOLE, one decimal ("" when WHOLE is 0, which every check rejects).
pct() {
	awk -v p="$1" -v w="$2" 'BEGIN { if (w > 0) printf "%.1f\n", 100 * p / w }'
}

# workload_n N: N, or a fifth of it in a sanitizer build (RINGSIDE_SANITIZED=1, set by .ci/run),
# where ringside runs several times slower: switch-heavy bursts sized for the real build would
# overflow its rings and measure the sanitizer's speed instead of ringside's behaviour.
workload_n() {
	if [ "${RINGSIDE_SANITIZED:-0}" = 1 ]; then
		echo $(($1 / 5))
	else
		echo "$1"
	fi
}

# ---- The screen, driven through tmux -------------------------------------------------------------
# Each test gets its own tmux server (socket in $T), killed on exit.
#   screen_start W H CMD...   run CMD in a W x H tmux pane (TERM=tmux-256color, LANG=C.UTF-8 unless
#                             the caller exported SCREEN_TERM / SCREEN_LANG); the pane stays after
#                             CMD exits, and CMD's exit code lands in $T/screen.rc
#   screen_text               the pane's text now (capture-pane -p)
#   screen_keys KEYS...       tmux send-keys (names such as Enter, Escape, Tab, F1, C-c work)
#   screen_wait ERE TIMEOUT_S wait until the pane matches ERE (grep -E); 1 on timeout
#   screen_gone ERE TIMEOUT_S wait until the pane no longer matches ERE
#   screen_resize W H         resize the window (the program gets SIGWINCH)
#   screen_pid                the PID of the pane's process (the shell wrapping CMD)
#   screen_exit TIMEOUT_S     wait for CMD to end; prints its exit code (the caller must check it:
#                             prefer screen_exit_is)
#   screen_exit_is WANT DESC [TIMEOUT_S]  wait for CMD to end (10 s), ok when its exit status is
#                             WANT (a number or a signal name, see status_code); sets SCREEN_RC.
#                             A screen whose end nobody waited for is a "not ok" at the next
#                             screen_start or done_testing.
#   screen_kill SIG DESC      send SIG to CMD itself: a "not ok" when there is no such process
#   screen_steady TIMEOUT_S   wait until two captures 0.5 s apart are the same; 1 on timeout
#   screen_same FILE TIMEOUT_S wait until the pane's text equals FILE; 1 on timeout
#   screen_save FILE          save the pane's text (for diag output and golden files)
#   screen_flag NAME          a tmux pane format variable: alternate_on, cursor_flag, ...
#   screen_child              the PID of CMD itself (the shell's child)
#   screen_stty_same          the terminal modes after CMD ended equal those before it
#   screen_stop               end the tmux server, waiting until it is gone (screen_start does)
_screen_sock=
_screen_cleanup() {
	[ -n "$_screen_sock" ] && tmux -S "$_screen_sock" kill-server 2>/dev/null
	_tap_cleanup
}

# screen_stop: end the tmux server and wait until it is gone. kill-server returns while the server
# is still exiting; a new-session in that window joins the dying server and fails ("server exited
# unexpectedly", about one time in five here).
screen_stop() {
	_ss=${_screen_sock:-$T/tmux.sock}
	_sp=$(tmux -S "$_ss" display-message -p '#{pid}' 2>/dev/null)
	tmux -S "$_ss" kill-server 2>/dev/null
	[ -n "$_sp" ] || return 0
	_sd=$(($(date +%s) + 10))
	while kill -0 "$_sp" 2>/dev/null; do
		[ "$(date +%s)" -le "$_sd" ] ||
			{ diag "tmux server $_sp still runs 10 s after kill-server"; return 1; }
		sleep 0.05
	done
}

# A "not ok" when the last screen's command was started and nobody waited for its exit status.
_screen_unchecked() {
	[ -n "$T" ] && [ -e "$T/screen.unchecked" ] || return 0
	ok 1 "the exit status of '$(head -n 1 "$T/screen.unchecked")' on the screen was checked"
	rm -f "$T/screen.unchecked"
}

screen_start() {
	_sw=$1 _sh=$2
	shift 2
	[ -n "$T" ] || make_tmpdir
	trap _screen_cleanup EXIT
	_screen_sock=$T/tmux.sock
	_screen_unchecked
	screen_stop
	rm -f "$T/screen.rc" "$T/screen.stty0" "$T/screen.stty1"
	echo "$*" >"$T/screen.unchecked"
	printf '%s\n' "$@" >"$T/screen.argv"
	cat >"$T/screen.sh" <<SCREEN_EOF
#!/bin/sh
export TERM=${SCREEN_TERM:-tmux-256color} LANG=${SCREEN_LANG:-C.UTF-8} LC_ALL=${SCREEN_LANG:-C.UTF-8}
n=0
set --
while IFS= read -r a; do set -- "\$@" "\$a"; done <"$T/screen.argv"
stty -g >"$T/screen.stty0" 2>/dev/null
"\$@" 2>"$T/screen.err"
rc=\$?
stty -g >"$T/screen.stty1" 2>/dev/null
echo \$rc >"$T/screen.rc"
# The pane stays alive, so its terminal state after CMD can still be asked (a dead pane's is reset).
exec sleep 600
SCREEN_EOF
	tmux -S "$_screen_sock" -f /dev/null new-session -d -x "$_sw" -y "$_sh" sh "$T/screen.sh" \
		2>"$T/screen.tmux" || diag "tmux new-session failed: $(cat "$T/screen.tmux")"
	tmux -S "$_screen_sock" set-option -g remain-on-exit on >/dev/null
	tmux -S "$_screen_sock" set-option -g status off >/dev/null
}

screen_text() {
	tmux -S "$_screen_sock" capture-pane -p
}

screen_keys() {
	tmux -S "$_screen_sock" send-keys "$@"
}

screen_wait() {
	_sd=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le "$_sd" ]; do
		screen_text | grep -Eq -- "$1" && return 0
		sleep 0.2
	done
	return 1
}

screen_gone() {
	_sd=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le "$_sd" ]; do
		screen_text | grep -Eq -- "$1" || return 0
		sleep 0.2
	done
	return 1
}

screen_resize() {
	tmux -S "$_screen_sock" resize-window -x "$1" -y "$2"
}

screen_pid() {
	tmux -S "$_screen_sock" display-message -p '#{pane_pid}'
}

screen_exit() {
	rm -f "$T/screen.unchecked"
	_sd=$(($(date +%s) + $1))
	while [ "$(date +%s)" -le "$_sd" ]; do
		if [ -s "$T/screen.rc" ]; then
			cat "$T/screen.rc"
			return 0
		fi
		sleep 0.2
	done
	echo timeout
	return 1
}

screen_exit_is() {
	SCREEN_RC=$(screen_exit "${3:-10}")
	status_is "$1" "$SCREEN_RC" "$2"
}

screen_kill() {
	_sk=$(screen_child)
	if [ -z "$_sk" ]; then
		ok 1 "$2: SIG$1 sent (no process found on the screen)"
		return 1
	fi
	kill -"$1" "$_sk"
	ok $? "$2: SIG$1 sent to $_sk"
}

screen_steady() {
	_sd=$(($(date +%s) + $1))
	screen_text >"$T/screen.steady0"
	while [ "$(date +%s)" -le "$_sd" ]; do
		sleep 0.5
		screen_text >"$T/screen.steady1"
		[ -s "$T/screen.steady1" ] && cmp -s "$T/screen.steady0" "$T/screen.steady1" && return 0
		mv "$T/screen.steady1" "$T/screen.steady0"
	done
	return 1
}

screen_same() {
	_sd=$(($(date +%s) + $2))
	while [ "$(date +%s)" -le "$_sd" ]; do
		screen_text | cmp -s - "$1" && return 0
		sleep 0.2
	done
	return 1
}

screen_save() {
	screen_text >"$1"
}

screen_flag() {
	tmux -S "$_screen_sock" display-message -p "#{$1}"
}

screen_child() {
	pgrep -P "$(screen_pid)" | head -n 1
}

screen_stty_same() {
	[ -s "$T/screen.stty0" ] && cmp -s "$T/screen.stty0" "$T/screen.stty1"
}
