#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Watching a host from afar: what crosses the link per second, the stream (record --stream -o -,
# 1 s intervals, system-wide at 999 Hz with call stacks) next to the live screen's own terminal
# bytes (what ssh would carry for a remote `ringside` in a 120x40 terminal, tests/bench/ptyrun.py),
# while two spinners and the call-tree workload keep the CPUs busy; and what `view -` itself
# writes to its terminal and spends on rebuilds (its CPU per second, read from /proc).
#   - the default stream and the live screen run at the same time, on the same host activity
#     (system-wide, every process another user starts brings new frames, nodes and tasks), and
#     with STREAM_BEFORE=/path/to/an/older/ringside that one's default stream too, so before and
#     after are measured side by side;
#   - stream bytes/s as sent (gzip, a sync flush per interval): the steady state, from the third
#     interval's flush to the one before the last (the header and the first intervals' new frames
#     left out), and over the whole run (header, first intervals and the last one included: the
#     run's bytes over its seconds), from the third interval to the end (the last interval in:
#     counted as ptyrun.py counts the screen, its start left out), the last interval alone; its
#     text form's, by line kind;
#                                     target: below the live screen's terminal bytes/s
#   - with --stream-detail (every path and task as it comes, 100 ms buckets, an exact last
#     interval), with --no-sched, and for one process (-p), one after the other;
#   - record --stream holds back paths and tasks under 0.5 % (in [other]), to the end, and sends a
#     summary bucket per CPU and interval; ringside's own CPU seconds per second (user + system,
#     /usr/bin/time) for each;
#   - the live screen's terminal bytes/s is its steady state (ptyrun.py: from 2 s after its first
#     frame), so the stream's whole-run figure, its start and end included, is the harder test;
#   - view -'s terminal bytes/s at a 1 s refresh (steady state, ptyrun.py).
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
[ -x /usr/bin/time ] && TIME=/usr/bin/time

echo "stream bench: ${SECS} s, 1 s intervals, system-wide -F 999 -g fp, CPUs busy"

# stream_rec NAME BIN ARGS...: a recording's stream into $T/NAME.gz, in the background ($!).
stream_rec() {
	_name=$1
	_bin=$2
	shift 2
	rm -f "$T/$_name.cpu"
	if [ -n "$TIME" ]; then
		$TIME -o "$T/$_name.cpu" -f %U+%S "$_bin" record -q --stream -o - -I 1000 -F 999 \
			-g fp --duration "$SECS" "$@" >"$T/$_name.gz" 2>"$T/$_name.err" &
	else
		"$_bin" record -q --stream -o - -I 1000 -F 999 -g fp --duration "$SECS" "$@" \
			>"$T/$_name.gz" 2>"$T/$_name.err" &
	fi
}

# stream_figures NAME LABEL: the figures of $T/NAME.gz; sets $stream (steady bytes/s as sent),
# $text (the same of its text form) and $whole (bytes/s as sent over the whole run).
stream_figures() {
	_name=$1
	_label=$2
	[ -s "$T/$_name.cpu" ] && awk -v secs="$SECS" -v label="$_label" 'END {
		split($0, c, "+"); printf "  ringside record CPU %s: %.3f s/s\n", label, (c[1] + c[2]) / secs }' "$T/$_name.cpu"
	# The text form (--stream-text writes the same lines), and where each flush ends in the
	# compressed bytes: a sync flush ends in 00 00 ff ff, the first after the header, then one
	# per interval.
	gzip -dc "$T/$_name.gz" >"$T/s.stream" 2>/dev/null
	LC_ALL=C grep -obUaP '\x00\x00\xff\xff' "$T/$_name.gz" | cut -d: -f1 >"$T/s.flush"
	awk -v secs="$SECS" -v label="$_label" -v zbytes="$(wc -c <"$T/$_name.gz")" '
		FNR == NR { nz++; z[nz] = $1 + 4; next }
		{ bytes += length($0) + 1; k = $1; kb[n + 1 SUBSEP k] += length($0) + 1; kinds[k] = 1 }
		/^i / { n++; at[n] = bytes; split($0, f, " "); t[n] = f[3] }
		END {
			if (n < 5 || nz < n + 1) { print "  " label ": too few intervals (" n ")"; exit }
			# Steady: intervals 4 to n-1 (the last, which settles what was sent, apart).
			secs_steady = (t[n - 1] - t[3]) / 1e9
			steady = (at[n - 1] - at[3]) / secs_steady
			zsteady = (z[n] - z[4]) / secs_steady
			printf "  stream %s: %d intervals\n", label, n
			printf "    as sent (gzip, version 4): %d bytes, %.0f bytes/s over the whole run, %.0f bytes/s steady (intervals 4-%d); the header and first 3 intervals %d bytes, the last interval and end %d bytes\n",
				zbytes, zbytes / secs, zsteady, n - 1, z[4], zbytes - z[n]
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
			# As ptyrun.py counts the screen (its start left out), with the end of the stream in.
			zafter = (zbytes - z[4]) / ((t[n] - t[3]) / 1e9)
			printf "    from the third interval to the end (its last interval in): %.0f bytes/s\n", zafter
			printf "%.0f %.0f %.0f %.0f\n", zsteady, steady, zbytes / secs, zafter > "/dev/stderr"
		}' "$T/s.flush" "$T/s.stream" 2>"$T/steady"
	read -r stream text whole after <"$T/steady" || stream= text= whole= after=
}

# The default stream, the live screen in a terminal (as ssh would carry it) and, when given, an
# older ringside's default stream, all at once.
stream_rec default "$R"
pids=$!
if [ -n "${STREAM_BEFORE:-}" ]; then
	stream_rec before "$STREAM_BEFORE"
	pids="$pids $!"
fi
live=$("$PY" "$HERE/ptyrun.py" "$SECS" 120 40 Overview "$R" -F 999 -g fp 2>/dev/null | tail -n 1)
wait $pids
echo "  live screen (ringside -F 999 -g fp, 120x40), at the same time: $live"
stream_figures default "(stacks, counters, scheduler timeline)"
res="system-wide, with the timeline:$stream:$text:$whole:$after"
if [ -n "${STREAM_BEFORE:-}" ]; then
	stream_figures before "(before: $STREAM_BEFORE, at the same time)"
	res="$res
system-wide, before (STREAM_BEFORE):$stream:$text:$whole:$after"
fi

# The others, one after the other.
stream_rec detail "$R" --stream-detail
wait $!
stream_figures detail "--stream-detail (every path and task as it comes)"
res="$res
system-wide, --stream-detail:$stream:$text:$whole:$after"
stream_rec nosched "$R" --no-sched
wait $!
stream_figures nosched "--no-sched (stacks, counters)"
res="$res
--no-sched:$stream:$text:$whole:$after"
stream_rec one "$R" -p "$ct"
wait $!
stream_figures one "-p calltree (one process: stacks, counters, its timeline)"
res="$res
-p calltree:$stream:$text:$whole:$after"

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
echo "$res" | while IFS=: read -r k s tx wh af; do
	[ -n "$s" ] && [ -n "$lb" ] || continue
	awk -v s="$s" -v tx="$tx" -v wh="$wh" -v af="$af" -v l="$lb" -v k="$k" 'BEGIN {
		printf "stream bytes/s (%s) / the live screen'"'"'s terminal bytes/s (steady, same run):\n    steady %.0f / %.0f = %.2fx; from the third interval to the end %.0f / %.0f = %.2fx; over the whole run %.0f / %.0f = %.2fx (target < 1; text form steady %.2fx)\n", k, s, l, s / l, af, l, af / l, wh, l, wh / l, tx / l
	}'
done
