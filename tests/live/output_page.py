#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Load a ringside HTML page in headless Chromium (tests/live/webdriver.py's drive(): its
chromedriver, session and wait for the page to draw) and print, as one JSON object, what
tests/live/runs_output.sh checks: the Command output section's lines (class and text) and
whether any markup came out of them; and, for every counter and ratio chart, its axis text and
its lone-interval marks (line.point, line.dot) with their on-screen size, stroke and whether the
browser's hit test at the mark's middle finds the mark itself (it is painted there, not hidden or
zero-sized). A failure shows as webdriver_error.

  output_page.py PAGE
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import drive  # noqa: E402

PROBE = '''
const pre = document.querySelector('#command-output');
const charts = [...document.querySelectorAll('#counters .chart, #ratios .chart')].filter(
    c => c.querySelector('svg'));
return {
    nav_output: !!document.querySelector('nav a[href="#output"]'),
    output: pre ? [...pre.children].map(s => [s.className, s.textContent]) : null,
    output_markup: pre ? pre.querySelectorAll('b, img, script').length : null,
    charts: charts.map(c => {
        c.scrollIntoView({ block: 'center' });
        const svg = c.querySelector('svg');
        return {
            event: c.dataset.event || null, ratio: c.dataset.ratio || null,
            axis: c.querySelector('.axis') ? c.querySelector('.axis').textContent : null,
            polyline_points: svg.querySelector('polyline') ?
                svg.querySelector('polyline').points.length : 0,
            marks: [...svg.querySelectorAll('line.point, line.dot')].map(l => {
                const r = l.getBoundingClientRect(), st = getComputedStyle(l);
                const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                return { cls: l.getAttribute('class'), width: r.width, height: r.height,
                         stroke: st.stroke, stroke_width: st.strokeWidth,
                         display: st.display, visibility: st.visibility, hit: hit === l };
            }),
        };
    }),
};
'''


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)

    def body(wd, out):
        out.update(wd.js(PROBE))

    drive(sys.argv[1], body)


if __name__ == '__main__':
    main()
