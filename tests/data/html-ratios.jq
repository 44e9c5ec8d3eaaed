# SPDX-License-Identifier: GPL-2.0-or-later
#
# Makes tests/data/html-ratios.json, the fixture of tests/live/html.sh for multiplexed counters,
# from tests/data/screen-calltree.json (its stacks and scheduler map, runs dropped):
#   jq -f tests/data/html-ratios.jq tests/data/screen-calltree.json >x.json &&
#       ringside export x.json -o tests/data/html-ratios.json
# A system-wide recording of the six generic hardware events on CPUs 0 and 1, each at a fixed
# rate per CPU ([base, step per interval] events per second), counted for a fraction of each
# interval ($f, shifted per event and CPU, times $g per event, so that no two events share one),
# as when the kernel multiplexes them; cache-misses never runs on CPU 1 in interval 5. The raw
# count is what the event saw while running, so the estimate count * enabled / running brings
# back the rate over the whole interval. task-clock is kept, and LLC-load-misses is unsupported.
. as $src
| ($src.events[0].series[0]) as $tc
| [["cycles", [2.0e9, 5e7], [4e8, 1e7]],
   ["instructions", [3.1e9, 8e7], [2.4e8, 0]],
   ["cache-references", [4e7, 1e6], [6e6, 0]],
   ["cache-misses", [5e6, 2e5], [1.5e6, 0]],
   ["branches", [6e8, 0], [5e7, 1e6]],
   ["branch-misses", [9e6, 1e5], [2e6, 0]]] as $hw
| [1, 0.5, 0.75, 0.62, 1, 0.81, 0.4, 0.9] as $f
| [0.55, 1, 0.9, 0.6, 1, 0.7] as $g
| .meta.host = "pmu-box"
| .meta.target = {kind: "system", description: "system-wide, CPUs 0-1", cpus: [0, 1], pids: [],
                  command: [], exit: null}
| .meta.command_line = ["ringside", "record", "-a", "-I", "250", "--duration", "2", "-o", "mux.json"]
| .meta.end_reason = "duration"
| .stacks.event = "cycles"
| .stacks.lost = 7
| .sched.cpus |= map(.runs = [] | .summaries = [])
| .events = ([$hw | to_entries[] | .key as $e | .value as [$name, $r0, $r1] | {
      name: $name, canonical: $name, pmu: "cpu", kind: "hardware",
      encoding: {type: 0, config: ("0x" + ($e | tostring)), config1: "0x0", config2: "0x0",
                 exclude_user: false, exclude_kernel: false, exclude_hv: false},
      supported: true, reason: null,
      series: [[$r0, $r1] | to_entries[] | .key as $cpu | .value as [$base, $step] |
        [range(0; $tc.t | length) | . as $i | $tc.enabled[$i] as $en |
         (if $name == "cache-misses" and $cpu == 1 and $i == 5 then 0
          else ($en * $f[($e * 3 + $cpu * 5 + $i) % 8] * $g[$e] | floor) end) as $run |
         {en: $en, run: $run, count: (($base + $step * $i) * $run / 1e9 | floor)}] as $iv |
        {cpu: $cpu, t: $tc.t, count: [$iv[].count], enabled: [$iv[].en], running: [$iv[].run]}]
    }] + [.events[0], {
      name: "LLC-load-misses", canonical: "LLC-load-misses", pmu: "cpu", kind: "cache",
      encoding: {type: 3, config: "0x10002", config1: "0x0", config2: "0x0",
                 exclude_user: false, exclude_kernel: false, exclude_hv: false},
      supported: false, reason: "not supported by this CPU or kernel (No such file or directory)",
      series: []}])
