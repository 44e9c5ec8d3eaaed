#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive a ratio flamegraph of a ringside HTML page in headless Chromium (through chromedriver,
with tests/live/webdriver.py's session) and print what it saw as one JSON object, for
tests/live/ratioflame.sh to check with jq.

  webdriver_ratio.py PAGE NAME [--hover FUNCTION]...

It loads PAGE, waits for it to draw, chooses the option "ratio NAME = ..." of the sampled-event
selector as a user does (a click on the selector, a click on the option), and reports the
options, the legend (its text, scale and swatches' colours) and every frame of the flame graph:
its name, A's and B's samples, A/B and its background colour. Each --hover moves the pointer onto
the first frame named FUNCTION and reports the tooltip's text. Environment: CHROMIUM and
CHROMEDRIVER (paths).
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('webdriver', os.path.join(HERE, 'webdriver.py'))
wdmod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(wdmod)

STATE = '''
    const q = s => [...document.querySelectorAll(s)];
    const lg = document.getElementById('ratio-legend');
    const box = document.getElementById('flame-graph');
    const num = v => (v === undefined || v === '' ? null : Number(v));
    return {
        errors: q('.err').map(e => e.textContent),
        options: q('#sample-event option').map(o => [o.value, o.textContent]),
        event: box ? box.dataset.event : null,
        legend: lg ? { text: lg.textContent, lo: Number(lg.dataset.lo), hi: Number(lg.dataset.hi),
                       min: Number(lg.dataset.min),
                       swatches: q('#ratio-legend .ratio-level').map(s => [s.textContent.trim(),
                           getComputedStyle(s).backgroundColor]) } : null,
        frames: q('#flame-graph .fr').map(d => ({ name: d.textContent, total: Number(d.dataset.total),
            a: num(d.dataset.a), b: num(d.dataset.b), ratio: num(d.dataset.ratio),
            colour: getComputedStyle(d).backgroundColor })),
    };'''


def choose(wd, name):
    sel = wd.js('return document.getElementById("sample-event")')
    if not sel:
        return 'no #sample-event selector'
    opt = wd.js('return [...document.querySelectorAll("#sample-event option")].find('
                'o => o.textContent.startsWith("ratio " + arguments[0] + " = ")) || null', name)
    if not opt:
        return 'no option for ratio ' + name
    wd.s('POST', '/element/%s/click' % sel[wdmod.ELEMENT])
    wd.s('POST', '/element/%s/click' % opt[wdmod.ELEMENT])
    return None


def hover(wd, name):
    el = wd.js('return [...document.querySelectorAll("#flame-graph .fr")].find('
               'd => d.textContent === arguments[0]) || null', name)
    if not el:
        return None
    wd.js('arguments[0].scrollIntoView({ block: "center" })', el)
    wdmod.pointer(wd, [{'type': 'pointerMove', 'origin': el, 'x': 0, 'y': 0},
                       {'type': 'pause', 'duration': 50}])
    return wd.js('const t = document.getElementById("tip");'
                 'return t && t.style.display !== "none" ? t.textContent : null')


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    page, name = os.path.abspath(args[0]), args[1]
    hovers = [args[i + 1] for i, a in enumerate(args[:-1]) if a == '--hover']

    def body(wd, out):
        out['initial'] = wd.js(STATE)
        out['choose_error'] = choose(wd, name)
        out['ratio'] = wd.js(STATE)
        out['hover'] = {h: hover(wd, h) for h in hovers}

    wdmod.drive(page, body)


if __name__ == '__main__':
    main()
