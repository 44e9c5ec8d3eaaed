# SPDX-License-Identifier: GPL-2.0-or-later
# The jq oracles of the sampled-event tests on tests/workloads/evmix (ratioflame.sh, ratiofn.sh,
# sample_read.sh, events.sh), written once from the snapshot and evmix's own output; a test reads
# them with  "$JQ" -L "$TOP_SRCDIR/tests/live" 'include "oracle"; ...'.
#   ratio_nodes      every node of stacks.nodes (B, the widths) with its path's samples in
#                    stacks.events[0] (A): [name, a, b]
#   node_ab($n)      of ratio_nodes: "a b" of the node named $n with the most samples of B
#   ratio_functions  per function (name and module) of A and B: self = its nodes' samples, total =
#                    those of its nodes without an ancestor of the same function; r_self and
#                    r_total = A/B of each, null under 10 samples of B
#   counted($n)      the counted total of event $n (its series' counts added up)
#   evmix_faults     of evmix's output (jq -Rrs): the faults it says it made in fault_here

# Each node's path as a string key ("" for the root): the parent's key, then the frame id.
def keyed($n):
  reduce range(1; $n | length) as $i ([""]; . + [.[$n[$i][0]] + "," + ($n[$i][1] | tostring)]);

def ratio_nodes:
  .stacks as $s | $s.nodes as $bn | $s.events[0].nodes as $an | keyed($bn) as $bk
  | keyed($an) as $ak
  | ([range(0; $an | length) | {key: $ak[.], value: $an[.][3]}] | from_entries) as $am
  | [range(1; $bn | length) | [$s.strings[$s.frames[$bn[.][1]][0]], ($am[$bk[.]] // 0), $bn[.][3]]];

def node_ab($n): [.[] | select(.[0] == $n)] | max_by(.[2]) | "\(.[1]) \(.[2])";

# A node's function: [name, module], or null for the root, hosts, processes, threads and states.
def fkey($s; $n):
  $s.frames[$n[1]] as $f
  | if ($f[4] | IN("root", "host", "process", "thread", "state")) then null
    else [$s.strings[$f[0]], $s.strings[$f[1]]] end;

# {function (as JSON): {s: self, t: total}} over the nodes of one tree.
def fn_counts($s; $nodes):
  [range(0; $nodes | length) | fkey($s; $nodes[.])] as $k
  | reduce range(1; $nodes | length) as $i ({};
      if $k[$i] == null then . else
        ($k[$i] | tojson) as $j
        | any($nodes[$i][0] | recurse(if . > 0 then $nodes[.][0] else empty end);
              $k[.] == $k[$i]) as $rec
        | .[$j].s += $nodes[$i][2]
        | if $rec then . else .[$j].t += $nodes[$i][3] end
      end);

def ratio_functions:
  .stacks as $s | fn_counts($s; $s.events[0].nodes) as $a | fn_counts($s; $s.nodes) as $b
  | [(($a | keys) + ($b | keys) | unique)[] as $j | ($j | fromjson) as $k
     | {name: $k[0], module: $k[1], a_self: ($a[$j].s // 0), a_total: ($a[$j].t // 0),
        b_self: ($b[$j].s // 0), b_total: ($b[$j].t // 0)}
     | select(.a_total > 0 or .b_total > 0)
     | .r_self = (if .b_self < 10 then null else .a_self / .b_self end)
     | .r_total = (if .b_total < 10 then null else .a_total / .b_total end)];

def counted($n): [.events[] | select(.name == $n) | .series[].count | add] | add;

def evmix_faults: first(scan("faults=([0-9]+)")[0]) // empty;
