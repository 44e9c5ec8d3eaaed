#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Drive the functions table of a ratio flamegraph in a ringside HTML page in headless Chromium
(tests/live/webdriver.py's session, webdriver_ratio.py's selector choice) and print what it saw as one JSON
object, for tests/live/ratiofn.sh to check with jq.

  webdriver_ratiofn.py PAGE NAME

It loads PAGE, reports the functions section before (the plain table of the first event), chooses
"ratio NAME = ..." in the sampled-event selector as a user does, and reports the ratio table: its
note, headers, sort key and every row (name, module, A self/total, B self/total, the two ratios
and their text, whether the row is grey). Then it clicks each numeric header once and reports the
sort key and the column's values in the order shown. Environment: CHROMIUM and CHROMEDRIVER.
"""
import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, name + '.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


wdmod = load('webdriver')
ratio = load('webdriver_ratio')

STATE = '''
    const q = s => [...document.querySelectorAll(s)];
    const t = document.querySelector('#ratio-functions-table table') ||
        document.getElementById('ratio-functions-table');
    const num = v => (v === undefined || v === '' ? null : Number(v));
    const note = document.getElementById('functions-ratio');
    return {
        errors: q('.err').map(e => e.textContent),
        plain: !!document.getElementById('functions-table'),
        note: note ? note.textContent : null,
        heads: t ? [...t.querySelectorAll('thead th')].map(h => [h.dataset.key, h.textContent]) : [],
        key: t ? t.dataset.sortKey : null,
        rows: t ? [...t.querySelectorAll('tbody tr')].map(r => ({
            name: r.dataset.name, module: r.dataset.module,
            a_self: num(r.dataset.aSelf), a_total: num(r.dataset.aTotal),
            b_self: num(r.dataset.bSelf), b_total: num(r.dataset.bTotal),
            r_self: num(r.dataset.ratioSelf), r_total: num(r.dataset.ratioTotal),
            text: [...r.children].map(c => c.textContent),
            grey: r.classList.contains('ratio-few'),
            colour: getComputedStyle(r.children[0]).color })) : [],
    };'''

COLUMN = '''
    const t = document.querySelector('#ratio-functions-table table') ||
        document.getElementById('ratio-functions-table');
    const k = arguments[0], attr = {as: 'aSelf', at: 'aTotal', bs: 'bSelf', bt: 'bTotal',
        rs: 'ratioSelf', rt: 'ratioTotal'}[k];
    return { key: t.dataset.sortKey, asc: t.dataset.sortAsc,
        values: [...t.querySelectorAll('tbody tr')].map(r => r.dataset[attr] === '' ? -1 :
            Number(r.dataset[attr])) };'''


def click_head(wd, key):
    th = wd.js('const t = document.querySelector("#ratio-functions-table table") || '
               'document.getElementById("ratio-functions-table");'
               'return t.querySelector("thead th[data-key=\\"" + arguments[0] + "\\"]")', key)
    wd.s('POST', '/element/%s/click' % th[wdmod.ELEMENT])
    return wd.js(COLUMN, key)


def main():
    args = sys.argv[1:]
    if len(args) != 2:
        sys.exit(__doc__)
    page, name = os.path.abspath(args[0]), args[1]

    def body(wd, out):
        out['initial'] = wd.js(STATE)
        out['choose_error'] = ratio.choose(wd, name)
        out['ratio'] = wd.js(STATE)
        out['sorted'] = {k: click_head(wd, k) for k in ('as', 'at', 'bs', 'bt', 'rs', 'rt')}

    wdmod.drive(page, body)


if __name__ == '__main__':
    main()
