#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive a ringside HTML page in headless Chromium through chromedriver (W3C WebDriver over HTTP,
Python's standard library only) and print what it saw as one JSON object, for tests/live/html.sh
and tests/bench/html.sh to check with jq.

  webdriver.py PAGE OUTDIR [--click NAME] [--search RE] [--xss TEXT] [--screenshots]
               [--hover SELECTOR@FX,FY]... [--annotate FUNCTION] [--time-modes] [--sample-events]
               [--hosts] [--search-narrow RE]

It loads PAGE (a file), waits for the page to say it has drawn (body data-ready), and reports:
the draw time, the header, the events table, the counter and ratio charts' titles, every request
the browser made (from Chromium's performance log), resource timing entries, CSP violations,
whether an alert opened and every call of alert(), confirm() or prompt() (replaced, before the
page's own script runs, by functions that record their calls), whether markup from the data was
created; then clicks the flame graph frame NAME and reports the zoom, types RE into the search
box, hovers a frame, sorts the top-functions table, and tries a fetch() of its own that the
Content-Security-Policy must block. With --time-modes it picks off-CPU, wall-clock and on-CPU in
the time selector and reports each mode's flame graph frames and top functions (--sample-events:
each event of the sampled-event selector, the first last); with --hosts
it picks each host of a merged snapshot's host selector, then all hosts, and reports the zoom
(and likewise the scheduler map's host selector, and the rows it shows). Each --hover moves the pointer to the point at fractions FX
and FY of the width and height of the element SELECTOR and reports the tooltip shown. With
--screenshots it writes OUTDIR/html-VIEW.png for every view. Environment: CHROMIUM and
CHROMEDRIVER (paths). --annotate clicks FUNCTION's row in the top functions (before the sort)
and reports the annotation that opens: its highlighted row's text and share, and its
instructions. The click on frame NAME reports the annotation it opened too (click_annotate), or
the page's reason for showing none. --search-narrow RE searches for RE (whose matches should all
be too narrow to draw), presses Enter in the search box and reports the focus (the node it zoomed
to), the matches drawn before and after, then clears the search and the zoom.
"""
import base64
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT = 'element-6066-11e4-a52e-4f735466cecf'
# Runs in every document before its own scripts: dialogs are recorded instead of opened.
DIALOG_HOOK = '''(() => {
    const calls = [];
    Object.defineProperty(window, '__ringsideDialogs', { value: calls });
    for (const f of ['alert', 'confirm', 'prompt'])
        window[f] = function (m) { calls.push(f + '(' + String(m) + ')'); return null; };
})();'''
VIEWS = ['summary', 'counters', 'ratios', 'flame', 'functions', 'sched', 'tasks']


class WebDriverError(Exception):
    def __init__(self, error, message):
        super().__init__('%s: %s' % (error, message))
        self.error = error


class Session:
    def __init__(self, base):
        self.base = base
        self.sid = None

    def call(self, method, path, body=None, timeout=30):
        url = self.base + path
        if body is None and method == 'POST':
            body = {}
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={'Content-Type': 'application/json'})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read().decode())['value']
        except urllib.error.HTTPError as e:
            v = json.loads(e.read().decode() or '{}').get('value', {})
            raise WebDriverError(v.get('error', str(e.code)), v.get('message', '')[:300])

    def s(self, method, path, body=None, timeout=30):
        return self.call(method, '/session/%s%s' % (self.sid, path), body, timeout)

    def js(self, script, *args):
        return self.s('POST', '/execute/sync', {'script': script, 'args': list(args)})

    def js_async(self, script, *args):
        return self.s('POST', '/execute/async', {'script': script, 'args': list(args)})


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def pointer(wd, actions):
    """Perform W3C pointer ACTIONS with the mouse, then release every input."""
    wd.s('POST', '/actions', {'actions': [{'type': 'pointer', 'id': 'mouse',
                                          'parameters': {'pointerType': 'mouse'},
                                          'actions': actions}]})
    wd.s('DELETE', '/actions')


def drive(page, body, caps=None, setup=None, indent=None):
    """Start chromedriver and a headless Chromium session, open the file PAGE and wait for it to
    say it has drawn (out['ready'], out['wall_ms']), call BODY(wd, out), then end the session
    and the driver and print OUT as JSON (INDENT as json.dumps takes it). CAPS adds capabilities; SETUP(wd) runs
    before the page is opened. An exception is reported as out['webdriver_error'], for the
    test to fail on."""
    profile = tempfile.mkdtemp(prefix='ringside-chromium.')
    port = free_port()
    log = open(os.path.join(profile, 'chromedriver.log'), 'w')
    proc = subprocess.Popen([os.environ.get('CHROMEDRIVER') or 'chromedriver',
                             '--port=%d' % port], stdout=log, stderr=log)
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
        always = {'browserName': 'chrome', 'goog:chromeOptions': {
            'binary': os.environ.get('CHROMIUM') or 'chromium',
            'args': ['--headless=new', '--no-sandbox', '--disable-gpu',
                     '--disable-dev-shm-usage', '--user-data-dir=' + profile,
                     '--window-size=1400,1000', '--hide-scrollbars', '--no-first-run',
                     '--disable-background-networking', '--disable-component-update',
                     '--disable-sync', '--disable-default-apps', '--disable-extensions']}}
        always.update(caps or {})
        sess = wd.call('POST', '/session', {'capabilities': {'alwaysMatch': always}}, timeout=60)
        wd.sid = sess['sessionId']
        if setup:
            setup(wd)
        t0 = time.monotonic()
        wd.s('POST', '/url', {'url': 'file://' + os.path.abspath(page)}, timeout=60)
        for _ in range(300):
            out['ready'] = wd.js('return document.body && document.body.dataset.ready || null')
            if out['ready']:
                break
            time.sleep(0.05)
        out['wall_ms'] = round((time.monotonic() - t0) * 1000, 1)
        body(wd, out)
    except Exception as e:  # reported, for the test to fail on
        out['webdriver_error'] = str(e)
        if isinstance(e, WebDriverError):
            out['unexpected_alert'] = e.error == 'unexpected alert open'
    finally:
        try:
            if wd.sid:
                wd.call('DELETE', '/session/' + wd.sid, timeout=30)
        except (OSError, WebDriverError):
            pass
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        subprocess.call(['rm', '-rf', profile])
    print(json.dumps(out, indent=indent))


def host_select(wd):
    """Choose each host of a merged snapshot's host selector (#flame-host) by a click, then all
    hosts again, and report the zoomed frame's name and total and the selector's value each time;
    None without a selector."""
    if not wd.js('return document.getElementById("flame-host")'):
        return None
    seen = []
    values = wd.js('return [...document.querySelectorAll("#flame-host option")].map(o => o.value)')
    for value in values[1:] + values[:1]:
        sel = wd.js('return document.getElementById("flame-host")')
        wd.s('POST', '/element/%s/click' % sel[ELEMENT])
        opt = wd.js('return document.querySelector(\'#flame-host option[value="\' + arguments[0] + '
                    '\'"]\')', value)
        wd.s('POST', '/element/%s/click' % opt[ELEMENT])
        # A click on an option of a closed drop-down is sometimes lost by headless Chromium
        # under load: then choose it as the keyboard would (value and change event).
        if wd.js('return document.getElementById("flame-host").value') != value:
            wd.js('const s = document.getElementById("flame-host"); s.value = arguments[0]; '
                  's.dispatchEvent(new Event("change", { bubbles: true }));', value)
        seen.append(wd.js('''
            const box = document.getElementById('flame-graph');
            const d = box.querySelector('.fr[data-node="' + box.dataset.focus + '"]:not(.anc)');
            return { option: arguments[0], selected: document.getElementById('flame-host').value,
                     focus: box.dataset.focus, name: d ? d.textContent : null,
                     total: d ? Number(d.dataset.total) : null };''', value))
    return seen


def sched_host_select(wd):
    """Choose each host of a merged snapshot's scheduler-map host selector (#sched-host), then all
    hosts again, and report the map rows shown (label and cells drawn on screen) each time; None
    without a selector."""
    if not wd.js('return document.getElementById("sched-host")'):
        return None
    seen = []
    values = wd.js('return [...document.querySelectorAll("#sched-host option")].map(o => o.value)')
    for value in values[1:] + values[:1]:
        wd.js('document.getElementById("sched").scrollIntoView()')
        sel = wd.js('return document.getElementById("sched-host")')
        wd.s('POST', '/element/%s/click' % sel[ELEMENT])
        opt = wd.js('return document.querySelector(\'#sched-host option[value="\' + arguments[0] + '
                    '\'"]\')', value)
        wd.s('POST', '/element/%s/click' % opt[ELEMENT])
        if wd.js('return document.getElementById("sched-host").value') != value:
            wd.js('const s = document.getElementById("sched-host"); s.value = arguments[0]; '
                  's.dispatchEvent(new Event("change", { bubbles: true }));', value)
        seen.append(wd.js('''
            const svg = document.getElementById('sched-map'), box = svg.getBoundingClientRect();
            const rows = [...document.querySelectorAll('.schedmap .cpus div')];
            return { option: arguments[0], selected: document.getElementById('sched-host').value,
                     rows: rows.map((d, i) => ({ label: d.textContent,
                         shown: d.getBoundingClientRect().height > 0,
                         drawn: [...svg.querySelectorAll('rect')].filter(r =>
                             Number(r.getAttribute('y')) === i * 10 && Number(r.dataset.task) >= 0)
                             .map(r => r.getBoundingClientRect()).filter(b => b.width > 0 &&
                             b.height > 0 && b.top >= box.top - 0.5 && b.bottom <= box.bottom + 0.5)
                             .length })) };''', value))
    return seen


def time_modes(wd):
    """Choose each option of the on/off/wall-clock selector as a user does (a click on it) and
    report the flame graph's and the top functions' contents then; None without a selector."""
    if not wd.js('return document.getElementById("time-mode")'):
        return None
    seen = {}
    for mode in ['off', 'wall', 'on']:
        sel = wd.js('return document.getElementById("time-mode")')
        wd.s('POST', '/element/%s/click' % sel[ELEMENT])
        opt = wd.js('return document.querySelector(\'#time-mode option[value="\' + arguments[0] + '
                    '\'"]\')', mode)
        wd.s('POST', '/element/%s/click' % opt[ELEMENT])
        seen[mode] = wd.js('''
            const box = document.getElementById('flame-graph');
            const fr = [...box.querySelectorAll('.fr')];
            const sel = document.getElementById('time-mode');
            return { mode: box.dataset.mode, selected: sel.value,
                     label: sel.options[sel.selectedIndex].textContent,
                     total: Number(box.dataset.samples),
                     frames: fr.map(d => ({ name: d.textContent, total: Number(d.dataset.total),
                                            depth: Math.round(parseFloat(d.style.top) / 17),
                                            off: d.classList.contains('off') })),
                     functions: [...document.querySelectorAll('#functions tbody tr')].slice(0, 10)
                         .map(r => ({ name: r.cells[0].textContent, self: Number(r.dataset.self),
                                      total: Number(r.dataset.total) })),
                     note: (document.getElementById('functions-mode') || {}).textContent || null };''')
    return seen


def sample_events(wd):
    """Choose each option of the sampled-event selector as a user does and report the flame
    graph's and the top functions' contents then; None without a selector."""
    if not wd.js('return document.getElementById("sample-event")'):
        return None
    seen = []
    n = wd.js('return document.querySelectorAll("#sample-event option").length')
    for i in list(range(1, n)) + [0]:
        sel = wd.js('return document.getElementById("sample-event")')
        wd.s('POST', '/element/%s/click' % sel[ELEMENT])
        opt = wd.js('return document.querySelector(\'#sample-event option[value="\' + arguments[0] + '
                    '\'"]\')', str(i))
        wd.s('POST', '/element/%s/click' % opt[ELEMENT])
        seen.append(wd.js('''
            const box = document.getElementById('flame-graph');
            const fr = [...box.querySelectorAll('.fr')];
            const sel = document.getElementById('sample-event');
            return { index: Number(sel.value), option: sel.options[sel.selectedIndex].textContent,
                     event: box.dataset.event, total: Number(box.dataset.samples),
                     frames: fr.map(d => ({ name: d.textContent, total: Number(d.dataset.total) })),
                     functions: [...document.querySelectorAll('#functions tbody tr')].slice(0, 10)
                         .map(r => ({ name: r.cells[0].textContent, self: Number(r.dataset.self),
                                      total: Number(r.dataset.total) })),
                     note: (document.getElementById('functions-event') || {}).textContent || null };'''))
    return seen


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    page, outdir = os.path.abspath(args[0]), args[1]
    opts = {'--click': None, '--search': None, '--xss': None, '--annotate': None,
            '--search-narrow': None}
    shots = '--screenshots' in args
    for k in opts:
        if k in args:
            opts[k] = args[args.index(k) + 1]
    hovers = [args[i + 1] for i, a in enumerate(args[:-1]) if a == '--hover' and args[i + 1]]
    url = 'file://' + page

    def body(wd, out):
        out['page'] = wd.js('''
            const b = document.body.dataset, q = s => document.querySelector(s);
            const attr = (s, a) => (q(s) ? q(s).getAttribute(a) : null);
            const text = s => (q(s) ? q(s).textContent : null);
            const muted = c => (c.querySelector('h3 .muted') ?
                c.querySelector('h3 .muted').textContent : null);
            const nav = performance.getEntriesByType('navigation')[0];
            return {
                ready_ms: Number(b.readyMs), draw_ms: Number(b.drawMs),
                dom_content_loaded_ms: nav ? nav.domContentLoadedEventEnd : null,
                title: document.title,
                views: [...document.querySelectorAll('main > section')].map(s => s.id),
                errors: [...document.querySelectorAll('.err')].map(e => e.textContent),
                samples_text: q('#meta-samples') ? q('#meta-samples').textContent : null,
                flame_samples: attr('#flame-graph', 'data-samples'),
                flame_frames: document.querySelectorAll('#flame-graph .fr').length,
                header: { host: text('#meta-host'), kernel: text('#meta-kernel'),
                          cpus: text('#meta-cpus'), target: text('#meta-target'),
                          duration: text('#meta-duration'), samples: text('#meta-samples'),
                          lost: text('#meta-lost') },
                events_table: [...document.querySelectorAll('#events-table tbody tr')].map(
                    r => ({ event: r.dataset.event, total: Number(r.dataset.total),
                            cells: [...r.cells].map(c => c.textContent) })),
                counter_charts: [...document.querySelectorAll('#counters .chart')].map(
                    c => ({ event: c.dataset.event, total: Number(c.dataset.total),
                            points: c.querySelector('polyline').points.length,
                            heading: muted(c) })),
                ratios: [...document.querySelectorAll('#ratios .chart')].map(
                    c => ({ name: c.dataset.ratio, value: c.dataset.value, heading: muted(c) })),
                sched_cpus: Number(attr('#sched-map', 'data-cpus')),
                sched_buckets: Number(attr('#sched-map', 'data-buckets')),
                sched_rects: document.querySelectorAll('#sched-map rect').length,
                // per CPU row: its label, host, and the cells drawn with a task, on screen
                sched_rows: [...document.querySelectorAll('.schedmap .cpus div')].map((d, i) => ({
                    label: d.textContent, host: d.dataset.host === undefined ? null : d.dataset.host,
                    drawn: [...document.querySelectorAll('#sched-map rect')].filter(r =>
                        Number(r.getAttribute('y')) === i * 10 && Number(r.dataset.task) >= 0 &&
                        r.getBoundingClientRect().width > 0 &&
                        r.getBoundingClientRect().height > 0).length })),
                legend: document.querySelectorAll('#sched-legend [data-task]').length,
                function_rows: document.querySelectorAll('#functions tbody tr').length,
                task_rows: document.querySelectorAll('#tasks tbody tr').length,
                taskctr_note: text('#taskctr-note'),
                taskctr_rows: [...document.querySelectorAll('#taskctr-table tbody tr')].map(
                    r => ({ tid: Number(r.dataset.tid), state: r.dataset.state,
                            cpu_ns: Number(r.dataset.cpuNs), faults: Number(r.dataset.faults),
                            spark: r.querySelectorAll('.taskspark rect').length,
                            cells: [...r.cells].map(c => c.textContent) })),
                img_elements: document.querySelectorAll('img').length,
                script_elements: document.querySelectorAll('script').length,
                resources: performance.getEntriesByType('resource').map(e => e.name),
                dialogs: window.__ringsideDialogs ? window.__ringsideDialogs.slice() : null,
            };''')
        try:
            out['alert'] = wd.s('GET', '/alert/text')
        except WebDriverError as e:
            out['alert'] = None if e.error == 'no such alert' else str(e)
        # The hook itself must work for an empty list of dialogs to mean anything.
        out['dialog_hook_works'] = wd.js(
            'const n = (window.__ringsideDialogs || []).length; window.alert("probe"); '
            'return (window.__ringsideDialogs || []).length === n + 1')
        if opts['--xss']:
            out['xss_frames_as_text'] = wd.js(
                'return [...document.querySelectorAll(".fr")].filter('
                'd => d.textContent === arguments[0]).length', opts['--xss'])
            out['xss_rows_as_text'] = wd.js(
                'return [...document.querySelectorAll("#functions td")].filter('
                'd => d.textContent === arguments[0]).length', opts['--xss'])
        if opts['--annotate']:
            # Click the function's row in the top functions; report the annotation shown.
            row = wd.js('return [...document.querySelectorAll("#functions-table tbody tr")].find('
                        'r => r.dataset.name === arguments[0]) || null', opts['--annotate'])
            if row:
                wd.s('POST', '/element/%s/click' % row[ELEMENT])
            out['annotate'] = wd.js('''
                const s = document.getElementById('annotate');
                const hot = s ? s.querySelector('tr.hot') : null;
                return { row_found: arguments[0], function: s ? s.dataset.function : null,
                         hot_text: hot ? hot.lastChild.textContent : null,
                         hot_share: hot ? hot.firstChild.textContent : null,
                         hot_count: document.querySelectorAll('#annotate tr.hot').length,
                         rows: s ? s.querySelectorAll('tr').length : 0,
                         asm: s ? [...s.querySelectorAll('tr.asm td.code')].map(
                             d => d.textContent).join('\\n') : '' };''', row is not None)
        if opts['--click']:
            el = wd.js('return [...document.querySelectorAll("#flame-graph .fr")].find('
                       'd => d.textContent === arguments[0]) || null', opts['--click'])
            if el:
                before = wd.js('return arguments[0].getBoundingClientRect().width', el)
                node = wd.js('return arguments[0].dataset.node', el)
                wd.s('POST', '/actions', {'actions': [{
                    'type': 'pointer', 'id': 'mouse', 'parameters': {'pointerType': 'mouse'},
                    'actions': [{'type': 'pointerMove', 'origin': el, 'x': 0, 'y': 0},
                                {'type': 'pause', 'duration': 50}]}]})
                out['hover_tip'] = wd.js('return document.getElementById("tip").textContent')
                wd.s('POST', '/element/%s/click' % el[ELEMENT])
                out['click'] = wd.js('''
                    const box = document.getElementById('flame-graph');
                    const d = box.querySelector('.fr[data-node="' + arguments[0] + '"]');
                    return { focus: box.dataset.focus, node: arguments[0],
                             width_before: arguments[1],
                             width_after: d ? d.getBoundingClientRect().width : null,
                             box_width: box.getBoundingClientRect().width,
                             total: d ? Number(d.dataset.total) : null,
                             status: document.getElementById('flame-status').textContent };''',
                                     node, before)
                # A click on a function's frame also opens its annotation (or says why none).
                out['click_annotate'] = wd.js('''
                    const s = document.getElementById('annotate');
                    const hot = s ? s.querySelector('tr.hot') : null;
                    const none = document.getElementById('annotate-none');
                    return { function: s ? s.dataset.function : null,
                             hot_text: hot ? hot.lastChild.textContent : null,
                             hot_incl: hot ? hot.children[1].textContent : null,
                             rows: s ? s.querySelectorAll('tr').length : 0,
                             none: none ? none.textContent : null };''')
                if shots:
                    png = wd.s('GET', '/element/%s/screenshot' % wd.js(
                        'return document.getElementById("flame")')[ELEMENT])
                    path = os.path.join(outdir, 'html-flame-zoomed.png')
                    with open(path, 'wb') as f:
                        f.write(base64.b64decode(png))
                    out.setdefault('screenshots', []).append(path)
                wd.s('POST', '/element/%s/click' % wd.js(
                    'return document.getElementById("flame-reset")')[ELEMENT])
                out['after_reset_focus'] = wd.js(
                    'return document.getElementById("flame-graph").dataset.focus')
            else:
                out['click'] = None
        if opts['--search']:
            box = wd.js('return document.getElementById("flame-search")')
            wd.s('POST', '/element/%s/value' % box[ELEMENT], {'text': opts['--search']})
            out['search'] = wd.js('''
                const m = document.getElementById('flame-match');
                return { samples: m.dataset.samples === undefined ? null : Number(m.dataset.samples),
                         text: m.textContent,
                         highlighted: document.querySelectorAll('#flame-graph .fr.match').length };''')
        if opts['--search-narrow']:
            # A search whose matches are all too narrow to draw, then Enter in the box.
            wd.js('const b = document.getElementById("flame-search"); b.value = arguments[0]; '
                  'b.dispatchEvent(new Event("input"))', opts['--search-narrow'])
            before = wd.js('return document.querySelectorAll("#flame-graph .fr.match").length')
            box = wd.js('return document.getElementById("flame-search")')
            wd.s('POST', '/element/%s/value' % box[ELEMENT], {'text': '\ue007'})
            out['search_narrow'] = wd.js('''
                const g = document.getElementById('flame-graph');
                return { drawn_before: arguments[0], focus: Number(g.dataset.focus),
                         highlighted: g.querySelectorAll('.fr.match').length,
                         status: document.getElementById('flame-status').textContent };''',
                                         before)
            wd.js('const b = document.getElementById("flame-search"); b.value = ""; '
                  'b.dispatchEvent(new Event("input")); '
                  'document.getElementById("flame-reset").click()')
        if '--time-modes' in args:
            out['time_modes'] = time_modes(wd)
        if '--sample-events' in args:
            out['sample_events'] = sample_events(wd)
        if '--hosts' in args:
            out['hosts'] = host_select(wd)
            out['sched_hosts'] = sched_host_select(wd)
        th = wd.js('return document.querySelector("#functions th[data-key=total]")')
        if th:
            wd.s('POST', '/element/%s/click' % th[ELEMENT])
            out['sorted'] = wd.js('''
                const t = document.querySelector('#functions table');
                const v = [...t.querySelectorAll('tbody tr')].map(r => Number(r.dataset.total));
                return { key: t.dataset.sortKey,
                         descending: v.every((x, i) => i === 0 || v[i - 1] >= x) };''')
        if shots:
            wd.js('document.getElementById("tip").style.display = "none"; '
                  'document.getElementById("flame-search").value = ""; '
                  'document.getElementById("flame-search").dispatchEvent(new Event("input"))')
            for v in VIEWS:
                el = wd.js('return document.getElementById(arguments[0])', v)
                if not el:
                    continue
                png = wd.s('GET', '/element/%s/screenshot' % el[ELEMENT])
                path = os.path.join(outdir, 'html-%s.png' % v)
                with open(path, 'wb') as f:
                    f.write(base64.b64decode(png))
                out.setdefault('screenshots', []).append(path)
        for h in hovers:
            sel, _, at = h.rpartition('@')
            fx, fy = (float(v) for v in at.split(','))
            el = wd.js('const e = document.querySelector(arguments[0]); '
                       'if (e) e.scrollIntoView({ block: "center" }); return e', sel)
            if not el:
                out.setdefault('hovers', []).append({'target': h, 'tip': None})
                continue
            r = wd.js('const r = arguments[0].getBoundingClientRect(); '
                      'return [r.left, r.top, r.width, r.height]', el)
            # A point on the element, not on its right or bottom edge (which belongs to the next).
            x = min(max(round(r[0] + fx * r[2]), math.ceil(r[0])), math.ceil(r[0] + r[2]) - 1)
            y = min(max(round(r[1] + fy * r[3]), math.ceil(r[1])), math.ceil(r[1] + r[3]) - 1)
            wd.s('POST', '/actions', {'actions': [{
                'type': 'pointer', 'id': 'mouse', 'parameters': {'pointerType': 'mouse'},
                'actions': [{'type': 'pointerMove', 'origin': 'viewport', 'x': x, 'y': y},
                            {'type': 'pause', 'duration': 50}]}]})
            out.setdefault('hovers', []).append({
                'target': h, 'x': x, 'y': y,
                'tip': wd.js('const t = document.getElementById("tip"); '
                             'return t.style.display === "block" ? t.textContent : null')})
        wd.s('DELETE', '/actions')
        wd.js('window.scrollTo(0, 0)')
        # A request of our own: the policy must stop it before it leaves.
        out['fetch'] = wd.js_async('''
            const done = arguments[arguments.length - 1], seen = [];
            document.addEventListener('securitypolicyviolation',
                e => seen.push(e.violatedDirective + ' ' + e.blockedURI));
            fetch('http://127.0.0.1:9/ringside-leak').then(
                () => done({ result: 'loaded', violations: seen }),
                e => setTimeout(() => done({ result: 'blocked: ' + e, violations: seen }), 100));''')
        try:
            entries = wd.s('POST', '/se/log', {'type': 'performance'})
        except WebDriverError:
            entries = wd.s('POST', '/log', {'type': 'performance'})
        reqs = []
        for e in entries:
            m = json.loads(e['message'])['message']
            # Requests made for our page (Chromium's own start page makes some before it).
            if m.get('method') == 'Network.requestWillBeSent' and \
                    m['params'].get('documentURL') == url:
                reqs.append(m['params']['request']['url'])
        out['requests'] = [u for u in reqs if u != url]
        out['page_requested'] = url in reqs

    drive(page, body, indent=1, caps={
        'unhandledPromptBehavior': 'ignore',
        'goog:loggingPrefs': {'performance': 'ALL', 'browser': 'ALL'}},
        setup=lambda wd: wd.s('POST', '/goog/cdp/execute', {
            'cmd': 'Page.addScriptToEvaluateOnNewDocument', 'params': {'source': DIALOG_HOOK}}))


if __name__ == '__main__':
    main()
