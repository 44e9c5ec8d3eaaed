#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Call stacks of a stripped binary: tests/workloads/split copied with objcopy --strip-all (no
# symbol for its own functions), recorded splitting 60/30/10 between a_fn, b_fn and c_fn.
# An address no symbol names is shown as "module+0xOFF" with OFF the file offset of the start of
# the code it lies in, which the file's unwind table (.eh_frame_hdr) bounds, one per function:
#   - every split-bare+0xOFF frame is the start of one of split's functions (from the unstripped
#     file's symbols), not one frame per sampled address;
#   - the leaves are a_fn's, b_fn's and c_fn's starts, with 60/30/10 of their samples (within 5
#     points), and main's start is the frame above them;
#   - the snapshot holds one frame for a_fn's start, and one tree node for it under main's.

. "$TESTLIB"
require_root
make_tmpdir
cpu_lock

R=$RINGSIDE
S=$WORKLOADS/split B=$T/split-bare
command -v objcopy >/dev/null && command -v nm >/dev/null || skip_all "no objcopy or nm (binutils)"
objcopy --strip-all "$S" "$B"
check "the stripped copy names none of split's functions" \
	sh -c '! nm "$1" 2>/dev/null | grep -q " [tT] a_fn$"' sh "$B"

# off NAME: the file offset of split's function NAME, through its PT_LOAD segments.
off() {
	_v=$((0x$(nm --defined-only "$S" | awk -v n="$1" '$3 == n { print $1 }')))
	readelf -lW "$S" | awk '$1 == "LOAD" { print $2, $3, $5 }' | while read -r _o _a _s; do
		if [ "$_v" -ge $((_a)) ] && [ "$_v" -lt $((_a + _s)) ]; then
			printf '0x%x\n' $((_v - _a + _o))
			break
		fi
	done
}
fa=$(off a_fn) fb=$(off b_fn) fc=$(off c_fn) fm=$(off main)
diag "split's functions at: a_fn $fa, b_fn $fb, c_fn $fc, main $fm"
starts=$(nm --defined-only "$S" | awk '$2 ~ /^[tT]$/ { print $3 }' | while read -r f; do off "$f"; done |
	sort -u | tr '\n' ' ')

"$R" record -q -o "$T/s.json" -- "$B" 60/30/10 3 2>"$T/rec.err"
ok $? "ringside record -- split-bare 60/30/10 3 exits 0 ($(tail -c 200 "$T/rec.err" | tr "\n" " "))"
"$R" export "$T/s.json" -o "$T/s.folded"
folded_comm "$T/s.folded" split-bare >"$T/s.ct"
all=$(folded_sum "$T/s.ct" '')
check "at least 1000 samples of split-bare ($all)" in_range "$all" 1000 1e12
seen=$(grep -o 'split-bare+0x[0-9a-f]*' "$T/s.ct" | sed 's/.*+//' | sort -u | tr '\n' ' ')
diag "split-bare+0x frames: $seen; function starts: $starts"
bad=
for o in $seen; do
	case " $starts " in *" $o "*) ;; *) bad="$bad $o" ;; esac
done
check "every split-bare+0xOFF frame is a function's start (not: ${bad:-none})" \
	test -n "$seen" -a -z "$bad"
na=$(folded_sum "$T/s.ct" ";split-bare\\+$fm;split-bare\\+$fa\$")
nb=$(folded_sum "$T/s.ct" ";split-bare\\+$fm;split-bare\\+$fb\$")
nc=$(folded_sum "$T/s.ct" ";split-bare\\+$fm;split-bare\\+$fc\$")
n3=$((na + nb + nc))
diag "leaves under main's start: a_fn $na, b_fn $nb, c_fn $nc of $all"
check "the three functions' leaves under main's hold >= 95% of the samples ($n3 of $all)" \
	in_range "$(pct "$n3" "$all")" 95 100
check "a_fn's start has 60 +- 5% of them ($(pct "$na" "$n3")%)" in_range "$(pct "$na" "$n3")" 55 65
check "b_fn's start has 30 +- 5% of them ($(pct "$nb" "$n3")%)" in_range "$(pct "$nb" "$n3")" 25 35
check "c_fn's start has 10 +- 5% of them ($(pct "$nc" "$n3")%)" in_range "$(pct "$nc" "$n3")" 5 15
# the snapshot's tree (nodes [parent, frame, self, total], frames [name, ...] as string ids):
# a_fn's start is one frame, and one node under main's start. (A sample in a_fn's first
# instruction, before it pushes its frame pointer, skips main: such a node sits elsewhere.)
fr=$("$JQ" -r --arg n "split-bare+$fa" '.stacks as $s
	| [$s.frames | to_entries[] | select($s.strings[.value[0]] == $n) | .key] | length' "$T/s.json")
nd=$("$JQ" -r --arg n "split-bare+$fa" --arg m "split-bare+$fm" '.stacks as $s
	| [$s.nodes[] | select($s.strings[$s.frames[.[1]][0]] == $n and .[0] >= 0
		and $s.strings[$s.frames[$s.nodes[.[0]][1]][0]] == $m)] | length' "$T/s.json")
check "the snapshot has one frame ($fr) for a_fn's start, and one node under main's ($nd)" \
	test "$fr" = 1 -a "$nd" = 1
done_testing
