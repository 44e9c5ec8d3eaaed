#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The manual pages lint clean with mandoc, and every long option that `ringside --help` prints is
# documented in ringside.1, so the page keeps up with the program.

. "$TESTLIB"
make_tmpdir

[ -n "$MANDOC" ] || skip_all "mandoc not found (apt-get install mandoc)"

for page in ringside.1 ringside-snapshot.5 ringside-stream.5; do
	"$MANDOC" -T lint -W warning "$MANDIR/$page" >"$T/lint.out" 2>&1
	rc=$?
	check "mandoc -T lint -W warning $page: exit 0 (got $rc) and no output" \
		test $rc -eq 0 -a ! -s "$T/lint.out"
	[ -s "$T/lint.out" ] && diag "$(head -n 5 "$T/lint.out")"
done

# The rendered page, with overstrike and hyphenation at line ends out of the way.
"$MANDOC" -T ascii -O width=250 "$MANDIR/ringside.1" 2>/dev/null | sed 's/.\x08//g' >"$T/page.txt"
"$RINGSIDE" --help >"$T/help.txt" 2>&1
status_is 0 $? "ringside --help exits 0"
grep -o -- '--[a-z][a-z0-9-]*' "$T/help.txt" | sort -u >"$T/opts.txt"
check "--help prints some long options ($(paste -sd' ' "$T/opts.txt"))" test -s "$T/opts.txt"
while read -r opt; do
	check "ringside.1 documents $opt" grep -q -- "$opt\\([^a-z0-9-]\\|\$\\)" "$T/page.txt"
done <"$T/opts.txt"
check "ringside.1 mentions the record and list subcommands" \
	sh -c 'grep -qw record "$1" && grep -qw list "$1"' sh "$T/page.txt"
check "ringside-snapshot.5 names the format string \"ringside-snapshot\"" \
	sh -c '"$1" -T ascii "$2" | sed "s/.\x08//g" | grep -q ringside-snapshot' sh \
	"$MANDOC" "$MANDIR/ringside-snapshot.5"

done_testing
