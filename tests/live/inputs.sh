#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Bounded inputs: every file the user names (a snapshot for export and view, .json or .html, and a
# theme) is refused when it is not a regular file or is over its stated size, with one line on
# stderr naming the file and the limit, exit 2, at once and in little memory. Before, /dev/zero
# was read without end (15 GB after 60 s) and a FIFO fed with zeros the same. The deadline (10 s)
# and the memory bound (50 MB of maximum RSS, measured by /usr/bin/time) are correctness bounds of
# a refusal that reads nothing, not speed targets.

. "$TESTLIB"
make_tmpdir

R=$RINGSIDE
command -v /usr/bin/time >/dev/null 2>&1 || skip_all "needs /usr/bin/time (Debian package time)"

# refused NAME PATTERN DESC ARGS...: ringside ARGS exits 2 within 10 s with exactly one stderr line
# "ringside: ...PATTERN...", under 50 MB of maximum RSS, and leaves no output behind.
refused() {
	name=$1 pat=$2 desc=$3
	shift 3
	timeout 10 /usr/bin/time -f %M -o "$T/$name.rss" "$R" "$@" 2>"$T/$name.err" >/dev/null \
		</dev/null
	rc=$?
	check "$desc: exit 2 (got $rc)" test $rc -eq 2
	check "$desc: one line, 'ringside: ...$pat...'" sh -c '
		test "$(wc -l < "$1")" -eq 1 && grep -q "^ringside: " "$1" && grep -q -- "$2" "$1"' \
		sh "$T/$name.err" "$pat"
	rss=$(tail -n 1 "$T/$name.rss" 2>/dev/null)
	check "$desc: max RSS ${rss:-?} KiB, under 50 MB" test "${rss:-0}" -gt 0 -a "${rss:-0}" -lt 51200
	check "$desc: no output written" test ! -e "$T/a.json" -a ! -e "$T/a.html"
	diag "$(cat "$T/$name.err")"
}

LIMIT='at most 2.0 GiB'
refused zero "'/dev/zero' is a character device, not a regular file.*$LIMIT" \
	"export /dev/zero" export /dev/zero -o "$T/a.json"
refused urandom "'/dev/urandom' is a character device, not a regular file.*$LIMIT" \
	"export /dev/urandom" export /dev/urandom -o "$T/a.json"

# A FIFO with a writer pouring zeros into it: view refuses it before curses starts.
mkfifo "$T/fifo.json"
cat /dev/zero >"$T/fifo.json" 2>/dev/null &
writer=$!
track $writer
refused fifo "'$T/fifo.json' is a FIFO (a pipe), not a regular file.*$LIMIT" \
	"view of a FIFO fed with zeros" view "$T/fifo.json"
refused fifox "'$T/fifo.json' is a FIFO (a pipe), not a regular file.*$LIMIT" \
	"export of a FIFO fed with zeros" export "$T/fifo.json" -o "$T/a.html"
kill $writer 2>/dev/null
wait $writer 2>/dev/null
untrack $writer

# A 5 GB sparse file, as .json and as .html: refused by its size, before a byte is read.
if truncate -s 5G "$T/big.json" && truncate -s 5G "$T/big.html"; then
	refused bigjson "'$T/big.json' is 5.0 GiB, over the 2.0 GiB a snapshot can be" \
		"export of a 5 GB .json" export "$T/big.json" -o "$T/a.json"
	refused bightml "'$T/big.html' is 5.0 GiB, over the 2.0 GiB a snapshot can be" \
		"export of a 5 GB .html" export "$T/big.html" -o "$T/a.json"
	refused bigview "'$T/big.html' is 5.0 GiB, over the 2.0 GiB a snapshot can be" \
		"view of a 5 GB .html" view "$T/big.html"
else
	skip "5 GB sparse files" "truncate -s 5G failed in $T"
fi
rm -f "$T/big.json" "$T/big.html"

# Themes: a FIFO fed with zeros and a file over 1 MiB stop view with bad input (a theme with a bad
# line still only gets a note on the status line).
mkfifo "$T/fifo.theme"
cat /dev/zero >"$T/fifo.theme" 2>/dev/null &
writer=$!
track $writer
refused tfifo "theme $T/fifo.theme is a FIFO (a pipe), not a regular file.*at most 1.0 MiB" \
	"--theme of a FIFO fed with zeros" view --theme "$T/fifo.theme" "$TESTDATA/snapshot-good.json"
kill $writer 2>/dev/null
wait $writer 2>/dev/null
untrack $writer
head -c 2000000 /dev/zero | tr '\0' '#' >"$T/big.theme"
refused tbig "theme $T/big.theme is 1.9 MiB, over the 1.0 MiB a theme can be" \
	"--theme of a 1.9 MiB file" view --theme "$T/big.theme" "$TESTDATA/snapshot-good.json"

# Not vacuous: the same snapshot, copied, still converts (within the limit it loads).
cp "$TESTDATA/snapshot-good.json" "$T/good.json"
"$R" export "$T/good.json" -o "$T/good.html" 2>"$T/good.err"
rc=$?
check "a snapshot within the limit still exports (exit $rc)" test $rc -eq 0 -a -s "$T/good.html"
"$R" export "$T/good.html" -o "$T/back.json" 2>>"$T/good.err"
rc=$?
check "and its page reads back (exit $rc)" test $rc -eq 0 -a -s "$T/back.json"

done_testing
