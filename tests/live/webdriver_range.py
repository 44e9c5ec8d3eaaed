#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive the time-range features of a ringside HTML page in headless Chromium (through
chromedriver, with tests/live/webdriver.py's session) and print what it saw as one JSON object,
for tests/live/ranges_export.sh to check with jq.

  webdriver_range.py PAGE [--brush SELECTOR@F0,F1]... [--hover NAME] [--hover-function NAME]

It loads PAGE, waits for it to draw, reports the range bar, the samples chart and the flame
chart (each frame's name and left edge); then, for each --brush, drags the mouse (WebDriver
pointer actions) across the element SELECTOR from fraction F0 to F1 of its width and reports the
range chosen, the flame graph's frames (name, total) and the flame chart then. --hover NAME moves
the pointer onto the flame graph's first frame named NAME and reports the sparkline, after it
clicks Clear range; --hover-function NAME then does the same on NAME's row of the top
functions. Environment: CHROMIUM and CHROMEDRIVER (paths).
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
    const bar = document.getElementById('range-bar');
    const q = s => [...document.querySelectorAll(s)];
    const fc = document.getElementById('flamechart-graph');
    const spark = document.getElementById('flame-spark');
    return {
        bar: bar ? { from_ns: bar.dataset.fromNs ? Number(bar.dataset.fromNs) : null,
                     to_ns: bar.dataset.toNs ? Number(bar.dataset.toNs) : null,
                     samples: Number(bar.dataset.samples), text: bar.textContent,
                     build_ms: Number(bar.dataset.buildMs), draw_ms: Number(bar.dataset.drawMs),
                     clear_disabled: document.getElementById('range-clear').disabled } : null,
        none_note: (document.getElementById('range-none') || {}).textContent || null,
        errors: q('.err').map(e => e.textContent),
        samples_chart: document.getElementById('samples-chart') ? {
            buckets: Number(document.getElementById('samples-chart').dataset.buckets),
            bucket_ns: Number(document.getElementById('samples-chart').dataset.bucketNs),
            points: document.querySelector('#samples-chart polyline').points.length } : null,
        flame_samples: Number((document.getElementById('flame-graph') || { dataset: {} }).dataset.samples),
        flame: q('#flame-graph .fr').map(d => [d.textContent, Number(d.dataset.total)]),
        functions: q('#functions-table tbody tr').slice(0, 20).map(r => [r.dataset.name, Number(r.dataset.self)]),
        tasks_range: q('#tasks-range-table tbody tr').map(r => [Number(r.dataset.tid), Number(r.dataset.samples)]),
        flamechart: fc ? { from_ns: Number(fc.dataset.fromNs), to_ns: Number(fc.dataset.toNs),
            width: fc.getBoundingClientRect().width,
            frames: q('#flamechart-graph .fr').map(d => [d.dataset.name,
                d.getBoundingClientRect().left - fc.getBoundingClientRect().left,
                d.getBoundingClientRect().width, Number(d.dataset.t0), Number(d.dataset.t1)]) } : null,
        spark: spark && spark.dataset.counts ? { title: spark.dataset.title,
            counts: spark.dataset.counts.split(',').map(Number) } : null,
    };'''


def brush(wd, sel, f0, f1):
    el = wd.js('const e = document.querySelector(arguments[0]);'
               'if (e) e.scrollIntoView({ block: "center" }); return e;', sel)
    if not el:
        return {'error': 'no element ' + sel}
    r = wd.js('const r = arguments[0].getBoundingClientRect();'
              'return [r.left, r.top, r.width, r.height];', el)
    y = int(r[1] + r[3] / 2)
    x0, x1 = int(r[0] + f0 * r[2]), int(r[0] + f1 * r[2])
    steps = [{'type': 'pointerMove', 'origin': 'viewport', 'x': x0, 'y': y},
             {'type': 'pointerDown', 'button': 0}]
    for k in range(1, 6):
        steps.append({'type': 'pointerMove', 'origin': 'viewport', 'duration': 20,
                      'x': int(x0 + (x1 - x0) * k / 5), 'y': y})
    steps.append({'type': 'pointerUp', 'button': 0})
    wdmod.pointer(wd, steps)
    time.sleep(0.1)
    out = wd.js(STATE)
    out['selector'], out['f0'], out['f1'] = sel, f0, f1
    return out


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    page = os.path.abspath(args[0])
    brushes = [args[i + 1] for i, a in enumerate(args[:-1]) if a == '--brush']
    hover = args[args.index('--hover') + 1] if '--hover' in args else None
    hover_fn = args[args.index('--hover-function') + 1] if '--hover-function' in args else None

    def body(wd, out):
        out['initial'] = wd.js(STATE)
        out['brushes'] = []
        for b in brushes:
            sel, fr = b.rsplit('@', 1)
            f0, f1 = (float(v) for v in fr.split(','))
            out['brushes'].append(brush(wd, sel, f0, f1))
        clear = wd.js('return document.getElementById("range-clear")')
        if clear and not wd.js('return arguments[0].disabled', clear):
            wd.s('POST', '/element/%s/click' % clear[wdmod.ELEMENT])
        out['cleared'] = wd.js(STATE)
        if hover:
            el = wd.js('return [...document.querySelectorAll("#flame-graph .fr")].find('
                       'd => d.textContent === arguments[0]) || null', hover)
            if el:
                wd.js('arguments[0].scrollIntoView({ block: "center" })', el)
                wdmod.pointer(wd, [{'type': 'pointerMove', 'origin': el, 'x': 0, 'y': 0},
                             {'type': 'pause', 'duration': 50}])
            out['hover'] = wd.js(STATE)['spark']
        if hover_fn:
            row = wd.js('return [...document.querySelectorAll("#functions-table tbody tr")].find('
                        'r => r.dataset.name === arguments[0]) || null', hover_fn)
            if row:
                wd.js('arguments[0].scrollIntoView({ block: "center" })', row)
                wdmod.pointer(wd, [{'type': 'pointerMove', 'origin': row, 'x': 0, 'y': 0},
                             {'type': 'pause', 'duration': 50}])
            out['hover_function'] = wd.js(
                'const s = document.getElementById("functions-spark");'
                'return s && s.dataset.counts ? { title: s.dataset.title,'
                ' counts: s.dataset.counts.split(",").map(Number) } : null')

    wdmod.drive(page, body)


if __name__ == '__main__':
    main()
