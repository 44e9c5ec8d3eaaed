# SPDX-License-Identifier: GPL-2.0-or-later
# The oracle of tests/live/histo.sh: view/histo.h's rules written again in jq, from the snapshot.
#   rates: an event's rate per second per interval (null when no series ran in it)
#   histo: {n, log, counts, p50, p95, p99, max} of a list of numbers (nulls skipped)

def rates:
  .series as $ss | $ss[0].t as $t
  | [range(0; $t | length) as $i
     | ([$ss[] | select($i < (.t | length) and .running[$i] > 0)
         | if .running[$i] >= .enabled[$i] then .count[$i]
           else .count[$i] * (.enabled[$i] / .running[$i]) end]) as $v
     | ($t[$i] - (if $i > 0 then $t[$i - 1] else 0 end)) as $dt
     | if ($v | length) > 0 and $dt > 0 then ($v | add) / ($dt / 1e9) else null end];

def log2floor:
  . as $v | (log2 | floor) as $k0
  | [$k0 - 1, $k0, $k0 + 1] | map(select(pow(2; .) <= $v and pow(2; . + 1) > $v)) | .[0];

def pctl($s; $p): $s[([([1, (($p * ($s | length) + 99) / 100 | floor)] | max), ($s | length)] | min) - 1];

def histo:
  [.[] | select(. != null)] | sort as $s | ($s | length) as $n
  | if $n == 0 then {n: 0, log: false, counts: []} else
    ([$s[] | select(. == 0)] | length) as $z
    | ($z < $n and $s[$z] > 0 and $s[$n - 1] >= 16 * $s[$z]) as $log
    | (if $log then
         ($s[$z] | log2floor) as $k0 | ($s[$n - 1] | log2floor) as $k1
         | ((if $z > 0 then 1 else 0 end) + $k1 - $k0 + 1) as $nb
         | [$s[] | if . == 0 then 0 else (if $z > 0 then 1 else 0 end) + (log2floor - $k0) end]
         | reduce .[] as $b ([range(0; $nb) | 0]; .[$b] += 1)
       else
         (if $s[$n - 1] > $s[0] then 16 else 1 end) as $nb | ($s[$n - 1] - $s[0]) as $span
         | [$s[] | if $nb == 1 then 0 else ([15, ((. - $s[0]) / $span * 16 | floor)] | min) end]
         | reduce .[] as $b ([range(0; $nb) | 0]; .[$b] += 1)
       end) as $counts
    | {n: $n, log: $log, counts: $counts, p50: pctl($s; 50), p95: pctl($s; 95),
       p99: pctl($s; 99), max: $s[$n - 1]}
    end;

# whisto: the histogram of [value, count] pairs (each value counted count times)
def whisto: [.[] | .[0] as $v | range(0; .[1]) | $v] | histo;
