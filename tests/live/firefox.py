#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Open a ringside HTML page in Debian's headless Firefox ESR, the second engine, and print what
it saw as one JSON object, for tests/live/html_firefox.sh to check with jq.

  firefox.py PAGE

Firefox (128 and later) serves WebDriver BiDi itself on --remote-debugging-port, so no geckodriver
is needed: this script starts firefox-esr --headless with a fresh profile, talks BiDi over a
WebSocket of its own (Python's standard library: the RFC 6455 handshake and framing, client frames
masked), loads PAGE as a file:// URL, waits for the page to say it has drawn (body data-ready, as
webdriver.py does for Chromium), and reports: the draw status, the console's error entries and
uncaught exceptions (log.entryAdded of level error), the page's own error notes (.err), and DOM
facts: the flame graph's frames, the header, the counter charts' titles, the first row of the
functions table, whether the time-range bar, a brushable chart and the flame chart exist. Every
step has a time limit; Firefox is killed at the end and its profile removed. Environment: FIREFOX
(the path of firefox-esr).
"""
import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
# Quiet a fresh profile: no first-run pages, no updates, no remote settings or telemetry.
PREFS = {
    'browser.shell.checkDefaultBrowser': False,
    'browser.startup.homepage_override.mstone': 'ignore',
    'browser.startup.page': 0,
    'app.update.disabledForTesting': True,
    'datareporting.policy.dataSubmissionEnabled': False,
    'toolkit.telemetry.reportingpolicy.firstRun': False,
    'services.settings.server': 'http://127.0.0.1:9/remote-settings',
    'network.captive-portal-service.enabled': False,
    'network.connectivity-service.enabled': False,
    'extensions.update.enabled': False,
}
# The page's facts, as a JSON string (a string comes back from BiDi as is).
FACTS = '''JSON.stringify((() => {
    const q = s => document.querySelector(s), text = s => (q(s) ? q(s).textContent : null);
    const row = q('#functions tbody tr');
    return {
        ready: document.body ? document.body.dataset.ready || null : null,
        title: document.title,
        errors: [...document.querySelectorAll('.err')].map(e => e.textContent),
        flame_frames: document.querySelectorAll('#flame-graph .fr').length,
        flame_samples: q('#flame-graph') ? Number(q('#flame-graph').dataset.samples) : null,
        header: { host: text('#meta-host'), kernel: text('#meta-kernel'), cpus: text('#meta-cpus'),
                  target: text('#meta-target'), duration: text('#meta-duration'),
                  samples: text('#meta-samples') },
        counter_charts: [...document.querySelectorAll('#counters .chart')].map(c => ({
            event: c.dataset.event,
            heading: c.querySelector('h3 .muted') ? c.querySelector('h3 .muted').textContent : null,
            title: c.querySelector('h3') ? c.querySelector('h3').textContent : null })),
        functions_first: row ? { name: row.dataset.name, module: row.dataset.module,
                                 self: Number(row.dataset.self), total: Number(row.dataset.total) }
                             : null,
        functions_rows: document.querySelectorAll('#functions tbody tr').length,
        range_bar: !!q('#range-bar'),
        brushable: document.querySelectorAll('svg.brushable').length,
        samples_chart: !!q('#samples-chart'),
        flame_chart: !!q('#flamechart'),
        flame_chart_frames: document.querySelectorAll('#flamechart-graph .fr').length,
    };
})())'''


class BidiError(Exception):
    pass


class WebSocket:
    """A minimal RFC 6455 client: text frames out (masked), text frames in, ping answered."""

    def __init__(self, host, port, path, deadline):
        self.deadline = deadline
        self.sock = socket.create_connection((host, port), timeout=self.left())
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(('GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n'
                           'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
                           'Sec-WebSocket-Version: 13\r\n\r\n' % (path, host, port, key)).encode())
        head = b''
        while b'\r\n\r\n' not in head:
            head += self.recv_some()
        head, self.buf = head.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        if not lines[0].startswith('HTTP/1.1 101'):
            raise BidiError('WebSocket handshake refused: ' + lines[0])
        fields = {k.strip().lower(): v.strip()
                  for k, _, v in (line.partition(':') for line in lines[1:])}
        want = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if fields.get('sec-websocket-accept') != want:
            raise BidiError('WebSocket handshake: wrong Sec-WebSocket-Accept')

    def left(self):
        t = self.deadline - time.monotonic()
        if t <= 0:
            raise BidiError('timed out')
        return t

    def recv_some(self):
        self.sock.settimeout(self.left())
        try:
            b = self.sock.recv(65536)
        except socket.timeout:
            raise BidiError('timed out')
        if not b:
            raise BidiError('the browser closed the connection')
        return b

    def need(self, n):
        while len(self.buf) < n:
            self.buf += self.recv_some()
        b, self.buf = self.buf[:n], self.buf[n:]
        return b

    def send_frame(self, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack('>H', n)
        else:
            head += bytes([0x80 | 127]) + struct.pack('>Q', n)
        mask = os.urandom(4)
        body = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        self.sock.settimeout(self.left())
        self.sock.sendall(head + mask + body)

    def send(self, text):
        self.send_frame(0x1, text.encode())

    def recv(self):
        """The next whole text message (fragments joined)."""
        parts = []
        while True:
            b0, b1 = self.need(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack('>H', self.need(2))[0]
            elif n == 127:
                n = struct.unpack('>Q', self.need(8))[0]
            mask = self.need(4) if b1 & 0x80 else None
            data = self.need(n)
            if mask:
                data = bytes(c ^ mask[i % 4] for i, c in enumerate(data))
            if opcode == 0x8:
                raise BidiError('the browser closed the WebSocket')
            if opcode == 0x9:
                self.send_frame(0xA, data)
                continue
            if opcode in (0x0, 0x1, 0x2):
                parts.append(data)
                if b0 & 0x80:
                    return b''.join(parts).decode()

    def close(self):
        try:
            self.send_frame(0x8, struct.pack('>H', 1000))
        except (OSError, BidiError):
            pass
        self.sock.close()


class Bidi:
    """WebDriver BiDi commands over a WebSocket; events are kept in self.events."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    def cmd(self, method, params, timeout=30):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({'id': mid, 'method': method, 'params': params}))
        until = min(self.ws.deadline, time.monotonic() + timeout)
        while True:
            if time.monotonic() > until:
                raise BidiError('%s: timed out' % method)
            m = json.loads(self.ws.recv())
            if m.get('type') == 'event':
                self.events.append(m)
            elif m.get('id') == mid:
                if m.get('type') == 'error':
                    raise BidiError('%s: %s: %s' % (method, m.get('error'),
                                                    str(m.get('message'))[:300]))
                return m.get('result', {})

    def eval(self, context, expression):
        r = self.cmd('script.evaluate', {'expression': expression, 'target': {'context': context},
                                         'awaitPromise': False, 'resultOwnership': 'none'})
        if r.get('type') == 'exception':
            raise BidiError('script: ' + str(r['exceptionDetails'].get('text'))[:300])
        v = r['result']
        return v.get('value') if v.get('type') in ('string', 'number', 'boolean') else None


def start(firefox, profile, deadline):
    """Start Firefox; return the process and the BiDi WebSocket's port, read from its stderr."""
    with open(os.path.join(profile, 'user.js'), 'w') as f:
        for k, v in PREFS.items():
            f.write('user_pref(%s, %s);\n' % (json.dumps(k), json.dumps(v)))
    err = open(os.path.join(profile, 'firefox.err'), 'w+')
    env = dict(os.environ, MOZ_CRASHREPORTER_DISABLE='1', HOME=profile)
    proc = subprocess.Popen([firefox, '--headless', '--no-remote', '--profile', profile,
                             '--remote-debugging-port', '0', 'about:blank'],
                            stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env,
                            start_new_session=True)
    while time.monotonic() < deadline and proc.poll() is None:
        err.seek(0)
        m = re.search(r'WebDriver BiDi listening on ws://127\.0\.0\.1:(\d+)', err.read())
        if m:
            return proc, int(m.group(1))
        time.sleep(0.1)
    err.seek(0)
    raise BidiError('Firefox did not offer WebDriver BiDi: ' + err.read()[-300:].strip())


def stop(proc):
    """End Firefox and its child processes (its own process group)."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, 15)
        proc.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait(10)
    except ProcessLookupError:
        pass


def visit(bidi, page, out, deadline):
    bidi.cmd('session.new', {'capabilities': {}})
    bidi.cmd('session.subscribe', {'events': ['log.entryAdded']})
    ctx = bidi.cmd('browsingContext.getTree', {})['contexts'][0]['context']
    t0 = time.monotonic()
    bidi.cmd('browsingContext.navigate', {'context': ctx, 'url': 'file://' + page,
                                          'wait': 'complete'}, timeout=60)
    ready = None
    while time.monotonic() < deadline - 5:
        ready = bidi.eval(ctx, 'document.body && document.body.dataset.ready || null')
        if ready:
            break
        time.sleep(0.05)
    out['wall_ms'] = round((time.monotonic() - t0) * 1000, 1)
    out['ready'] = ready
    out['page'] = json.loads(bidi.eval(ctx, FACTS))
    # Let late console entries arrive: a command's round trip after the facts.
    bidi.eval(ctx, '0')
    bidi.cmd('session.end', {})


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    page = os.path.abspath(sys.argv[1])
    firefox = os.environ.get('FIREFOX') or 'firefox-esr'
    deadline = time.monotonic() + 90
    # Firefox runs in a session of its own: on SIGTERM (timeout(1)) still end it, in finally.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit('firefox.py: terminated'))
    profile = tempfile.mkdtemp(prefix='ringside-firefox.')
    out = {'engine': 'firefox'}
    proc = ws = None
    try:
        proc, port = start(firefox, profile, time.monotonic() + 40)
        ws = WebSocket('127.0.0.1', port, '/session', deadline)
        bidi = Bidi(ws)
        try:
            out['version'] = subprocess.run([firefox, '--version'], capture_output=True,
                                            text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            out['version'] = None
        visit(bidi, page, out, deadline)
        logs = [e['params'] for e in bidi.events if e.get('method') == 'log.entryAdded']
        out['log_entries'] = len(logs)
        out['js_errors'] = [{'type': e.get('type'), 'text': e.get('text'),
                             'source': (e.get('stackTrace') or {}).get('callFrames', [{}])[0]
                             .get('url') if e.get('stackTrace') else None}
                            for e in logs if e.get('level') == 'error']
    except (OSError, BidiError, ValueError, KeyError, IndexError) as e:
        out['bidi_error'] = '%s: %s' % (type(e).__name__, e)
    finally:
        if ws:
            ws.close()
        stop(proc)
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(out, indent=1))
    return 1 if 'bidi_error' in out else 0


if __name__ == '__main__':
    sys.exit(main())
