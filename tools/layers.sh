#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The include direction of the source tree: each folder of src/ (and its headers in
# include/ringside/) includes only folders below it, in this order from the floor up:
#
#   util < model < perf, sym < view < export < app < ui < main.c
#
# perf and sym stand side by side and include neither the other. Only src/ui/ includes curses.
# Usage: tools/layers.sh [TOP_SRCDIR]; prints one line per upward include, exits 1 if any.
top=${1:-.}
cd "$top" || exit 2

rank() {
	case $1 in
	util) echo 0 ;;
	model) echo 1 ;;
	perf | sym) echo 2 ;;
	view) echo 3 ;;
	export) echo 4 ;;
	app) echo 5 ;;
	ui) echo 6 ;;
	main) echo 7 ;;
	*) echo -1 ;;
	esac
}

# The folder a file belongs to: src/AREA/..., include/ringside/AREA/..., src/main.c (and its
# main.h, main_files.c: the commands on files, and usage.c, usage.h: the --help text).
area_of() {
	case $1 in
	src/main.c | src/main.h | src/main_files.c | src/usage.c | src/usage.h) echo main ;;
	src/*/*) f=${1#src/} && echo "${f%%/*}" ;;
	include/ringside/*/*) f=${1#include/ringside/} && echo "${f%%/*}" ;;
	*) echo "" ;;
	esac
}

bad=0
files=$(find src include/ringside -name '*.[ch]' ! -name assets.c | LC_ALL=C sort)
[ -n "$files" ] || { echo "layers.sh: no sources under $top/src" >&2; exit 2; }
for f in $files; do
	a=$(area_of "$f")
	ra=$(rank "$a")
	if [ "$ra" -lt 0 ]; then
		echo "$f: folder '$a' has no place in the layer order (tools/layers.sh)"
		bad=1
		continue
	fi
	# #include "ringside/AREA/x.h" lines, with their line numbers.
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"ringside/' "$f" |
		sed 's/^\([0-9]*\):.*"ringside\/\([a-z_]*\)\/.*/\1 \2/' >"${TMPDIR:-/tmp}/layers.$$"
	while read -r line b; do
		[ "$b" = "$a" ] && continue
		rb=$(rank "$b")
		if [ "$rb" -lt 0 ] || [ "$rb" -ge "$ra" ]; then
			echo "$f:$line: $a includes $b, which is not below it"
			bad=1
		fi
	done <"${TMPDIR:-/tmp}/layers.$$"
	rm -f "${TMPDIR:-/tmp}/layers.$$"
	if [ "$a" != ui ] && grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*<n\?cursesw\?\(/[a-z]*\)\?\.h>' "$f" >/dev/null; then
		echo "$f: includes curses outside src/ui/"
		bad=1
	fi
done
exit $bad
