#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# What make distcheck's distcleancheck asks, without its own run of the whole suite: after make
# distclean, a build directory of its own (not the source tree) holds no file. Run it on a build
# directory whose make check has run (CI's sanitizer build), so that what the tests leave there
# (such as html.sh's screenshots) is caught.
# Usage: tools/distclean-check.sh BUILDDIR; prints each file left, exits 1 if any, 2 on misuse.
dir=${1:?usage: tools/distclean-check.sh BUILDDIR}
cd "$dir" || exit 2
if [ -f configure.ac ] || [ ! -f config.status ]; then
	echo "distclean-check: $dir is not a configured build directory apart from the sources" >&2
	exit 2
fi
make distclean >/dev/null || { echo "distclean-check: make distclean failed in $dir" >&2; exit 1; }
left=$(find . -type f -print)
if [ -n "$left" ]; then
	echo "distclean-check: make distclean left files in $dir (add them to CLEANFILES):"
	printf '%s\n' "$left"
	exit 1
fi
echo "distclean-check: nothing left in $dir"
