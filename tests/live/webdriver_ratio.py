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
import json
import os
import subprocess
import sys
import tempfile
import time

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
    wd.s('POST', '/actions', {'actions': [{'type': 'pointer', 'id': 'mouse',
                                          'parameters': {'pointerType': 'mouse'},
                                          'actions': [{'type': 'pointerMove', 'origin': el,
                                                       'x': 0, 'y': 0},
                                                      {'type': 'pause', 'duration': 50}]}]})
    wd.s('DELETE', '/actions')
    return wd.js('const t = document.getElementById("tip");'
                 'return t && t.style.display !== "none" ? t.textContent : null')


def start(wd, profile):
    for _ in range(100):
        try:
            if wd.call('GET', '/status', timeout=2).get('ready'):
                break
        except (OSError, wdmod.WebDriverError):
            pass
        time.sleep(0.1)
    caps = {'capabilities': {'alwaysMatch': {
        'browserName': 'chrome',
        'goog:chromeOptions': {
            'binary': os.environ.get('CHROMIUM') or 'chromium',
            'args': ['--headless=new', '--no-sandbox', '--disable-gpu',
                     '--disable-dev-shm-usage', '--user-data-dir=' + profile,
                     '--window-size=1400,1000', '--hide-scrollbars', '--no-first-run',
                     '--disable-background-networking', '--disable-component-update',
                     '--disable-sync', '--disable-default-apps', '--disable-extensions'],
        }}}}
    wd.sid = wd.call('POST', '/session', caps, timeout=60)['sessionId']


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    page, name = os.path.abspath(args[0]), args[1]
    hovers = [args[i + 1] for i, a in enumerate(args[:-1]) if a == '--hover']
    port = wdmod.free_port()
    profile = tempfile.mkdtemp(prefix='ringside-chromium.')
    log = open(os.path.join(profile, 'chromedriver.log'), 'w')
    proc = subprocess.Popen([os.environ.get('CHROMEDRIVER') or 'chromedriver',
                             '--port=%d' % port], stdout=log, stderr=log)
    wd = wdmod.Session('http://127.0.0.1:%d' % port)
    out = {}
    try:
        start(wd, profile)
        wd.s('POST', '/url', {'url': 'file://' + page}, timeout=60)
        for _ in range(300):
            out['ready'] = wd.js('return document.body && document.body.dataset.ready || null')
            if out['ready']:
                break
            time.sleep(0.05)
        out['initial'] = wd.js(STATE)
        out['choose_error'] = choose(wd, name)
        out['ratio'] = wd.js(STATE)
        out['hover'] = {h: hover(wd, h) for h in hovers}
    except Exception as e:  # reported, for the test to fail on
        out['webdriver_error'] = str(e)
    finally:
        try:
            if wd.sid:
                wd.call('DELETE', '/session/' + wd.sid, timeout=30)
        except Exception:
            pass
        proc.terminate()
        proc.wait()
    json.dump(out, sys.stdout)
    print()


if __name__ == '__main__':
    main()
