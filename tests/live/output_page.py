#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Load a ringside HTML page in headless Chromium (chromedriver, through webdriver.py's session)
and print, as one JSON object, what tests/live/runs_output.sh checks: the Command output section's
lines (class and text) and whether any markup came out of them; and, for every counter and ratio
chart, its axis text and its lone-interval marks (line.point, line.dot) with their on-screen size,
stroke and whether the browser's hit test at the mark's middle finds the mark itself (it is
painted there, not hidden or zero-sized).

  output_page.py PAGE
"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from webdriver import Session, WebDriverError, free_port  # noqa: E402

PROBE = '''
const pre = document.querySelector('#command-output');
const charts = [...document.querySelectorAll('#counters .chart, #ratios .chart')].filter(
    c => c.querySelector('svg'));
return {
    ready: document.body.dataset.ready || null,
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
    page = os.path.abspath(sys.argv[1])
    chromium = os.environ.get('CHROMIUM') or 'chromium'
    driver = os.environ.get('CHROMEDRIVER') or 'chromedriver'
    port = free_port()
    profile = tempfile.mkdtemp(prefix='ringside-chromium.')
    log = open(os.path.join(profile, 'chromedriver.log'), 'w')
    proc = subprocess.Popen([driver, '--port=%d' % port], stdout=log, stderr=log)
    wd = Session('http://127.0.0.1:%d' % port)
    out = {}
    try:
        for _ in range(100):
            try:
                if wd.call('GET', '/status', timeout=2).get('ready'):
                    break
            except (OSError, WebDriverError):
                pass
            time.sleep(0.1)
        caps = {'capabilities': {'alwaysMatch': {
            'browserName': 'chrome',
            'goog:chromeOptions': {
                'binary': chromium,
                'args': ['--headless=new', '--no-sandbox', '--disable-gpu',
                         '--disable-dev-shm-usage', '--user-data-dir=' + profile,
                         '--window-size=1400,1000', '--hide-scrollbars', '--no-first-run',
                         '--disable-background-networking', '--disable-extensions'],
            }}}}
        wd.sid = wd.call('POST', '/session', caps, timeout=60)['sessionId']
        wd.s('POST', '/url', {'url': 'file://' + page}, timeout=60)
        for _ in range(300):
            if wd.js('return document.body && document.body.dataset.ready || null'):
                break
            time.sleep(0.05)
        out = wd.js(PROBE)
    except (OSError, WebDriverError) as e:
        out = {'error': str(e)}
    finally:
        try:
            if wd.sid:
                wd.call('DELETE', '/session/' + wd.sid, timeout=30)
        except (OSError, WebDriverError):
            pass
        proc.terminate()
        proc.wait(timeout=10)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
