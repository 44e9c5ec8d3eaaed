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
#     the stream is sent gzip-compressed (version 3, a sync flush per interval): its bytes as sent
#     (steady: from the third interval's flush to the last, as for the text) and its text form's,
#     by line kind;
#   - the live screen's and view -'s terminal bytes/s at a 1 s refresh (steady state, ptyrun.py).
# STREAM_SECONDS (default 20) sets each run's length. Figures are printed, never judged.

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

echo "stream bench: ${SECS} s, 1 s intervals, system-wide -F 999 -g fp, CPUs busy"

# stream LABEL ARGS...: one recording's stream; prints its figures, sets $stream (steady bytes/s
# as sent: the compressed form, the default) and $text (the same of its text form).
stream_run() {
	_label=$1
	shift
	"$R" record -q --stream -o - -I 1000 -F 999 -g fp --duration "$SECS" "$@" >"$T/s.gz" \
		2>"$T/s.err"
	# The text form (--stream-text writes the same lines), and where each flush ends in the
	# compressed bytes: a sync flush ends in 00 00 ff ff, the first after the header, then one
	# per interval.
	gzip -dc "$T/s.gz" >"$T/s.stream" 2>/dev/null
	LC_ALL=C grep -obUaP '\x00\x00\xff\xff' "$T/s.gz" | cut -d: -f1 >"$T/s.flush"
	awk -v secs="$SECS" -v label="$_label" -v zbytes="$(wc -c <"$T/s.gz")" '
		FNR == NR { nz++; z[nz] = $1 + 4; next }
		{ bytes += length($0) + 1; k = $1; kb[k] += length($0) + 1 }
		/^i / { n++; at[n] = bytes; split($0, f, " "); t[n] = f[3] }
		END {
			if (n < 4 || nz < n + 1) { print "  " label ": too few intervals (" n ")"; exit }
			secs_steady = (t[n] - t[3]) / 1e9
			steady = (at[n] - at[3]) / secs_steady
			zsteady = (z[n + 1] - z[4]) / secs_steady
			printf "  stream %s: %d intervals\n", label, n
			printf "    as sent (gzip, version 3): %d bytes, %.0f bytes/s over the run, %.0f bytes/s steady (intervals 4-%d)\n",
				zbytes, zbytes / secs, zsteady, n
			printf "    its text (--stream-text):  %d bytes, %.0f bytes/s over the run, %.0f bytes/s steady; %.1fx the compressed\n",
				bytes, bytes / secs, steady, steady / (zsteady > 0 ? zsteady : 1)
			printf "    text by line kind (bytes/s over the run):"
			for (k in kb)
				if (length(k) <= 3 && kb[k] / secs >= 1)
					printf " %s %.0f", k, kb[k] / secs
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
for pair in "with the timeline:$with_sched:$with_sched_text" "--no-sched:$no_sched:$no_sched_text" \
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
