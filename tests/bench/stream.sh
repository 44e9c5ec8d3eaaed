#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Watching a host from afar: what crosses the link per second, the stream (record --stream -o -,
# 1 s intervals, system-wide at 999 Hz with call stacks) next to the live screen's own terminal
# bytes (what ssh would carry for a remote `ringside` in a 120x40 terminal, tests/bench/ptyrun.py),
# while two spinners and the call-tree workload keep the CPUs busy; and what `view -` itself
# writes to its terminal and spends on rebuilds (its CPU per second, read from /proc).
#   - stream bytes/s: the steady state, from the third commit line to the last (the header and the
#     first intervals' new frames left out), and over the whole run, by line kind; with the
#     scheduler timeline (summary buckets: b lines), with --no-sched, and for one process (-p);
#     system-wide, every new process brings new frames and nodes (f, n lines), many of them
#     unsymbolized addresses (module+offset frames): a machine that starts many processes (a
#     build) streams far more than a steady one;
#                                     target: below the live screen's terminal bytes/s
#     the stream is sent gzip-compressed (version 4, a sync flush per interval): its bytes as sent
#     (steady: from the third interval's flush to the last, as for the text) and its text form's,
#     by line kind;
#   - the live screen's and view -'s terminal bytes/s at a 1 s refresh (steady state, ptyrun.py).
#   - record --stream holds back paths and tasks under 0.1 % (in [other]) and sends everything in
#     its last interval: the steady figures leave that last interval out and it is printed alone;
#     --stream-detail (everything as it comes) is measured next to it, and ringside's own CPU
#     seconds per second (user + system, /usr/bin/time) for each.
# STREAM_SECONDS (default 20) sets each run's length; STREAM_CHURN=1 adds a loop of short-lived
# commands (ls, sh | grep, date, 20 a second), as a build would. Figures are printed, never judged.

R=${RINGSIDE:?}
W=${WORKLOADS:?}
HERE=$(cd "$(dirname "$0")" && pwd)
SECS=${STREAM_SECONDS:-20}
PY=${PYTHON3:-python3}
T=$(mktemp -d "${TMPDIR:-/tmp}/ringside-bench.XXXXXX") || exit 1
trap 'kill $bg 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 1

"$W/spin" 100000 --threads 2 >/dev/null 2>&1 &
bg=$!
"$W/calltree" 100000 >/dev/null 2>&1 &
ct=$!
bg="$bg $ct"
if [ "${STREAM_CHURN:-0}" = 1 ]; then
	(while :; do
		ls /usr/bin >/dev/null
		sh -c 'echo hi | grep -c h' >/dev/null
		date >/dev/null
		sleep 0.05
	done) &
	bg="$bg $!"
	echo "  with a loop of short-lived commands (STREAM_CHURN=1)"
fi
TIME=
[ -x /usr/bin/time ] && TIME="/usr/bin/time -o $T/cpu -f %U+%S"

echo "stream bench: ${SECS} s, 1 s intervals, system-wide -F 999 -g fp, CPUs busy"

# stream LABEL ARGS...: one recording's stream; prints its figures, sets $stream (steady bytes/s
# as sent: the compressed form, the default) and $text (the same of its text form).
stream_run() {
	_label=$1
	shift
	rm -f "$T/cpu"
	$TIME "$R" record -q --stream -o - -I 1000 -F 999 -g fp --duration "$SECS" "$@" \
		>"$T/s.gz" 2>"$T/s.err"
	[ -s "$T/cpu" ] && awk -v secs="$SECS" -v label="$_label" 'END {
		split($0, c, "+"); printf "  ringside record CPU %s: %.3f s/s\n", label, (c[1] + c[2]) / secs }' "$T/cpu"
	# The text form (--stream-text writes the same lines), and where each flush ends in the
	# compressed bytes: a sync flush ends in 00 00 ff ff, the first after the header, then one
	# per interval.
	gzip -dc "$T/s.gz" >"$T/s.stream" 2>/dev/null
	LC_ALL=C grep -obUaP '\x00\x00\xff\xff' "$T/s.gz" | cut -d: -f1 >"$T/s.flush"
	awk -v secs="$SECS" -v label="$_label" -v zbytes="$(wc -c <"$T/s.gz")" '
		FNR == NR { nz++; z[nz] = $1 + 4; next }
		{ bytes += length($0) + 1; k = $1; kb[n + 1 SUBSEP k] += length($0) + 1; kinds[k] = 1 }
		/^i / { n++; at[n] = bytes; split($0, f, " "); t[n] = f[3] }
		END {
			if (n < 5 || nz < n + 1) { print "  " label ": too few intervals (" n ")"; exit }
			# Steady: intervals 4 to n-1 (the last, sent without holding back, apart).
			secs_steady = (t[n - 1] - t[3]) / 1e9
			steady = (at[n - 1] - at[3]) / secs_steady
			zsteady = (z[n] - z[4]) / secs_steady
			printf "  stream %s: %d intervals\n", label, n
			printf "    as sent (gzip, version 4): %d bytes, %.0f bytes/s over the run, %.0f bytes/s steady (intervals 4-%d); the last interval %d bytes\n",
				zbytes, zbytes / secs, zsteady, n - 1, z[n + 1] - z[n]
			printf "    its text (--stream-text):  %d bytes, %.0f bytes/s over the run, %.0f bytes/s steady; %.1fx the compressed\n",
				bytes, bytes / secs, steady, steady / (zsteady > 0 ? zsteady : 1)
			printf "    text by line kind (bytes/s steady):"
			for (k in kinds) {
				sum = 0
				for (i = 4; i < n; i++)
					sum += kb[i SUBSEP k]
				if (length(k) <= 3 && sum / secs_steady >= 1)
					printf " %s %.0f", k, sum / secs_steady
			}
			printf "\n"
			printf "stream_steady_bytes_per_s=%.0f\n", zsteady > "/dev/stderr"
			printf "text_steady_bytes_per_s=%.0f\n", steady > "/dev/stderr"
		}' "$T/s.flush" "$T/s.stream" 2>"$T/steady"
	stream=$(sed -n 's/^stream_steady_bytes_per_s=//p' "$T/steady")
	text=$(sed -n 's/^text_steady_bytes_per_s=//p' "$T/steady")
}

# The stream: with the scheduler timeline (every run of every CPU: r lines) and without.
stream_run "(stacks, counters, scheduler timeline)"
with_sched=$stream with_sched_text=$text
stream_run "--stream-detail (every path and task as it comes)" --stream-detail
detail=$stream detail_text=$text
stream_run "--no-sched (stacks, counters)" --no-sched
no_sched=$stream no_sched_text=$text
stream_run "-p calltree (one process: stacks, counters, its timeline)" -p "$ct"
one=$stream one_text=$text

# The live screen in a terminal, as ssh would carry it.
live=$("$PY" "$HERE/ptyrun.py" "$SECS" 120 40 Overview "$R" -F 999 -g fp 2>/dev/null | tail -n 1)
echo "  live screen (ringside -F 999 -g fp, 120x40): $live"

# view - of a local stream: its terminal bytes, and its own CPU (rebuilds included).
cat >"$T/viewer.sh" <<EOF
#!/bin/sh
"$R" record -q --stream -o - -I 1000 -F 999 -g fp --duration $((SECS + 10)) 2>/dev/null |
	"$R" view - &
v=\$!
trap 'kill \$v 2>/dev/null' TERM
wait
EOF
view=$("$PY" "$HERE/ptyrun.py" "$SECS" 120 40 Overview sh "$T/viewer.sh" 2>/dev/null | tail -n 1)
echo "  view - of the stream (120x40): $view"

lb=$(echo "$live" | sed -n 's/.*bytes_per_s=\([0-9.]*\).*/\1/p')
for pair in "system-wide, with the timeline:$with_sched:$with_sched_text" \
	"system-wide, --stream-detail:$detail:$detail_text" "--no-sched:$no_sched:$no_sched_text" \
	"-p calltree:$one:$one_text"; do
	k=${pair%%:*}
	v=${pair#*:}
	tx=${v#*:}
	v=${v%%:*}
	[ -n "$v" ] && [ -n "$lb" ] || continue
	awk -v s="$v" -v tx="$tx" -v l="$lb" -v k="$k" 'BEGIN {
		printf "stream bytes/s (%s) / live screen terminal bytes/s: %.0f / %.0f = %.2fx (target < 1; text form %.2fx)\n", k, s, l, s / l, tx / l
	}'
done
