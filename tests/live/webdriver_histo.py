#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive the histograms and the crossplot of a ringside HTML page in headless Chromium (through
chromedriver, with tests/live/webdriver.py's session) and print what it saw as one JSON object,
for tests/live/histo.sh to check with jq.

  webdriver_histo.py PAGE [--cross X,Y] [--percpu] [--drag FX0,FY0,FX1,FY1] [--lat-task TID]

It loads PAGE, waits for it to draw and reports every histogram (event, intervals, bucket counts,
p50, p95, p99, max) and the crossplot (its events, ratio and points: [t0, t1, x, y]). --cross
chooses the crossplot's X and Y events by name and reports it again; --percpu then ticks "a point
per CPU" and reports it as percpu (points [t0, t1, x, y, cpu]); --drag then drags a
rectangle over the crossplot from fractions (FX0, FY0) to (FX1, FY1) of its box and reports the
points selected, their time span and the page's range bar. The wake-up latency histogram (every
task's) is reported too; --lat-task chooses task TID's in its selector and reports it. Environment: CHROMIUM and
CHROMEDRIVER (paths).
"""
import importlib.util
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('webdriver', os.path.join(HERE, 'webdriver.py'))
wdmod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wdmod)

STATE = '''
    const q = s => [...document.querySelectorAll(s)];
    const num = v => (v === undefined || v === 'undefined' ? null : Number(v));
    const c = document.getElementById('cross-chart');
    const bar = document.getElementById('range-bar');
    return {
        errors: q('.err').map(e => e.textContent),
        histograms: q('#histograms .chart.histo').map(h => ({ event: h.dataset.event,
            n: Number(h.dataset.n), log: h.dataset.log === '1',
            counts: h.dataset.counts ? h.dataset.counts.split(',').map(Number) : [],
            bars: [...h.querySelectorAll('rect.hb')].map(r => Number(r.dataset.count)),
            marks: [...h.querySelectorAll('line.hmark')].map(l => [l.dataset.mark, Number(l.dataset.bucket)]),
            p50: num(h.dataset.p50), p95: num(h.dataset.p95), p99: num(h.dataset.p99),
            max: num(h.dataset.max) })),
        cross: c ? { x: c.dataset.x, y: c.dataset.y, ratio: Number(c.dataset.ratio),
            ratio_line: !!document.getElementById('cross-ratio'),
            selected: num(c.dataset.selected), from_ns: num(c.dataset.fromNs), to_ns: num(c.dataset.toNs),
            percpu_offered: document.getElementById('cross-percpu').parentNode.style.display !== 'none',
            points: q('#cross-svg circle.xp').map(p => [Number(p.dataset.t0), Number(p.dataset.t1),
                Number(p.dataset.x), Number(p.dataset.y)].concat(p.dataset.cpu === undefined ? [] :
                [Number(p.dataset.cpu)])) } : null,
        latency: (() => { const l = document.getElementById('lat-chart');
            return l ? { tid: l.dataset.tid, n: Number(l.dataset.n), log: l.dataset.log === '1',
                counts: l.dataset.counts ? l.dataset.counts.split(',').map(Number) : [],
                p50: num(l.dataset.p50), p95: num(l.dataset.p95), p99: num(l.dataset.p99),
                max: num(l.dataset.max),
                marks: [...l.querySelectorAll('line.hmark')].map(m => [m.dataset.mark, Number(m.dataset.bucket)]) }
                : null; })(),
        bar: bar ? { from_ns: bar.dataset.fromNs ? Number(bar.dataset.fromNs) : null,
                     to_ns: bar.dataset.toNs ? Number(bar.dataset.toNs) : null,
                     text: bar.textContent } : null,
    };'''


def drag(wd, fx0, fy0, fx1, fy1):
    r = wd.js('const e = document.getElementById("cross-svg"); e.scrollIntoView({ block: "center" });'
              'const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height];')
    x0, y0 = int(r[0] + fx0 * r[2]), int(r[1] + fy0 * r[3])
    x1, y1 = int(r[0] + fx1 * r[2]), int(r[1] + fy1 * r[3])
    steps = [{'type': 'pointerMove', 'origin': 'viewport', 'x': x0, 'y': y0},
             {'type': 'pointerDown', 'button': 0}]
    for k in range(1, 6):
        steps.append({'type': 'pointerMove', 'origin': 'viewport', 'duration': 20,
                      'x': int(x0 + (x1 - x0) * k / 5), 'y': int(y0 + (y1 - y0) * k / 5)})
    steps.append({'type': 'pointerUp', 'button': 0})
    wdmod.pointer(wd, steps)
    time.sleep(0.1)


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    page = os.path.abspath(args[0])
    cross = args[args.index('--cross') + 1] if '--cross' in args else None
    dr = args[args.index('--drag') + 1] if '--drag' in args else None
    lat = args[args.index('--lat-task') + 1] if '--lat-task' in args else None

    def body(wd, out):
        out['initial'] = wd.js(STATE)
        if cross:
            x, y = cross.split(',', 1)
            out['chosen'] = wd.js(
                'const pick = (id, name) => { const s = document.getElementById(id);'
                ' const o = [...s.options].find(o => o.textContent === name);'
                ' if (!o) return false; s.value = o.value;'
                ' s.dispatchEvent(new Event("change")); return true; };'
                'return [pick("cross-x", arguments[0]), pick("cross-y", arguments[1])];', x, y)
            out['cross'] = wd.js(STATE)['cross']
        if '--percpu' in args:
            out['percpu_clicked'] = wd.js(
                'const c = document.getElementById("cross-percpu"); if (!c) return false;'
                'c.click(); return c.checked;')
            out['percpu'] = wd.js(STATE)['cross']
        if dr:
            drag(wd, *(float(v) for v in dr.split(',')))
            out['dragged'] = wd.js(STATE)
        if lat:
            out['lat_chosen'] = wd.js(
                'const s = document.getElementById("lat-task"); if (!s) return false;'
                'const o = [...s.options].find(o => o.dataset.tid === arguments[0]);'
                'if (!o) return false; s.value = o.value; s.dispatchEvent(new Event("change"));'
                'return true;', lat)
            out['lat_task'] = wd.js(STATE)['latency']

    wdmod.drive(page, body)


if __name__ == '__main__':
    main()
