// SPDX-License-Identifier: GPL-2.0-or-later
// ringside's diff page: reads the diff JSON (man/ringside-snapshot.5, DIFF JSON) from the
// ringside-data element and draws the diff flamegraph (B's tree, each frame coloured by the change
// of its share: red grew, blue shrank, stronger for a bigger change), the details of the selected
// frame, the frames only A ran, the functions by change, the counters and the scheduler tasks.
// Every string from the profiled system goes on the page as text, never as markup.
'use strict';
(function () {
	const SVGNS = 'http://www.w3.org/2000/svg';
	const main = document.getElementById('ringside');
	const d = JSON.parse(document.getElementById('ringside-data').textContent);
	const share = d.units === 'share';
	const unit = share ? ' pts' : ' samples';
	const ROW = 17, WIDTH = 1200;

	function el(tag, attrs, ...kids) {
		const e = document.createElement(tag);
		for (const k in attrs || {})
			if (attrs[k] !== undefined && attrs[k] !== null)
				e.setAttribute(k, String(attrs[k]));
		for (const c of kids)
			if (c !== undefined && c !== null)
				e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
		return e;
	}
	function sv(tag, attrs) {
		const e = document.createElementNS(SVGNS, tag);
		for (const k in attrs)
			e.setAttribute(k, String(attrs[k]));
		return e;
	}
	function pctA(n) { return d.a.samples ? 100 * n / d.a.samples : 0; }
	function pctB(n) { return d.b.samples ? 100 * n / d.b.samples : 0; }
	function fmt(v, digits) {
		if (v === null || v === undefined || !isFinite(v))
			return 'n/a';
		const a = Math.abs(v);
		for (const [q, u] of [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']])
			if (a >= q)
				return (v / q).toFixed(2) + ' ' + u;
		return Number.isInteger(v) ? String(v) : v.toFixed(digits === undefined ? 2 : digits);
	}
	function signed(v, digits) {
		return (v > 0 ? '+' : '') + v.toFixed(digits);
	}

	// The colour of a change: gray under half a point, else red (grew) or blue (shrank) whose
	// strength is the change over the largest change of any frame.
	// The tree comes as a flat list in pre-order, each node naming its parent's index.
	const root = d.tree[0];
	d.tree.forEach((n) => { n.children = []; });
	d.tree.forEach((n) => { if (n.parent >= 0) d.tree[n.parent].children.push(n); });
	let maxDelta = 0;
	(function scan(n) {
		maxDelta = Math.max(maxDelta, Math.abs(n.delta));
		n.children.forEach(scan);
	})(root);
	function colour(delta) {
		if (Math.abs(delta) < 0.5 || maxDelta <= 0)
			return 'rgb(221, 221, 221)';
		const t = Math.min(1, Math.abs(delta) / maxDelta);
		const lo = Math.round(225 - 195 * t);
		return delta > 0 ? `rgb(255, ${lo}, ${lo})` : `rgb(${lo}, ${lo}, 255)`;
	}

	function header() {
		main.appendChild(el('h1', null, 'ringside diff'));
		main.appendChild(el('div', { id: 'runs' },
			el('div', null, 'A (baseline): ' + d.a.file + ' \u2014 ' + d.a.samples + ' samples' +
				(d.a.lost ? ', ' + d.a.lost + ' lost' : '') + (d.a.stacks ? '' : ', no stacks')),
			el('div', null, 'B: ' + d.b.file + ' \u2014 ' + d.b.samples + ' samples' +
				(d.b.lost ? ', ' + d.b.lost + ' lost' : '') + (d.b.stacks ? '' : ', no stacks')),
			el('div', { class: 'muted' }, share
				? 'Changes are in points of share: each run\u2019s samples are its 100%.'
				: 'Changes are in samples (absolute counts).')));
		if (d.mismatch)
			main.appendChild(el('div', { class: 'mismatch', id: 'mismatch' }, d.mismatch));
	}

	function legend() {
		const box = el('div', { class: 'legend', id: 'legend' }, el('span', null, 'shrank'));
		// Colours set through the CSSOM: the policy allows no inline style attribute.
		for (const f of [-1, -0.66, -0.33, 0, 0.33, 0.66, 1]) {
			const sw = el('span', { class: 'sw', 'data-change': f });
			sw.style.background = colour(f * Math.max(maxDelta, 1));
			box.appendChild(sw);
		}
		box.appendChild(el('span', null, 'grew  (width: B\u2019s samples; colour: change of share; ' +
			'click a frame for its details)'));
		main.appendChild(box);
	}

	function details(n) {
		const line = document.getElementById('details');
		const a = pctA(n.a_total), b = pctB(n.b_total);
		const rel = n.a_total ? signed(100 * (b - a) / a, 0) + '%' : 'new';
		line.dataset.name = n.name;
		line.dataset.delta = String(n.delta);
		line.textContent = n.name + (n.module ? ' (' + n.module + ')' : '') + ' \u2014 A: ' +
			n.a_total + ' (' + a.toFixed(1) + '%)  B: ' + n.b_total + ' (' + b.toFixed(1) +
			'%)  delta: ' + signed(n.delta, 1) + unit + '  delta %: ' + rel;
	}

	// Icicle layout, the root on top: widths by B's samples, frames B never ran left out.
	function flame() {
		main.appendChild(el('h2', null, 'Diff flame graph'));
		if (!d.a.stacks && !d.b.stacks) {
			main.appendChild(el('p', { class: 'muted' }, 'Neither snapshot has call stacks.'));
			return;
		}
		const cells = [];
		let depth = 0;
		(function lay(n, x, w, dep) {
			cells.push({ n, x, w, dep });
			depth = Math.max(depth, dep + 1);
			let cx = x;
			const kids = n.children.filter((c) => c.b_total > 0)
				.sort((p, q) => (p.name < q.name ? -1 : p.name > q.name ? 1 : 0));
			for (const c of kids) {
				const cw = n.b_total ? w * c.b_total / n.b_total : 0;
				if (cw >= 0.5)
					lay(c, cx, cw, dep + 1);
				cx += cw;
			}
		})(root, 0, WIDTH, 0);
		const svg = sv('svg', { id: 'flame', width: WIDTH, height: depth * ROW });
		let selected = null;
		for (const c of cells) {
			const g = sv('g', {});
			const r = sv('rect', { x: c.x.toFixed(2), y: c.dep * ROW,
				width: Math.max(c.w - 1, 0.5).toFixed(2), height: ROW - 1,
				fill: colour(c.n.delta), 'data-name': c.n.name, 'data-delta': c.n.delta });
			const title = sv('title', {});
			title.textContent = c.n.name + ': ' + signed(c.n.delta, 1) + unit;
			r.appendChild(title);
			g.appendChild(r);
			if (c.w > 40) {
				const t = sv('text', { x: (c.x + 3).toFixed(2), y: c.dep * ROW + 12 });
				const chars = Math.floor((c.w - 6) / 6.6);
				t.textContent = c.n.name.length > chars ? c.n.name.slice(0, chars - 1) + '\u2026'
					: c.n.name;
				g.appendChild(t);
			}
			r.addEventListener('click', () => {
				if (selected)
					selected.classList.remove('sel');
				selected = r;
				r.classList.add('sel');
				details(c.n);
			});
			c.rect = r;
			svg.appendChild(g);
		}
		main.appendChild(svg);
		main.appendChild(el('div', { id: 'details' }));
		// The first selection: the frame named in the address (#select=NAME), else the code frame
		// that changed most.
		const want = decodeURIComponent((location.hash.match(/select=([^&]*)/) || [])[1] || '');
		const code = (n) => n.kind !== 'root' && n.kind !== 'process' && n.kind !== 'thread';
		let first = null;
		for (const c of cells) {
			if (want) {
				if (!first && c.n.name === want)
					first = c;
			} else if (code(c.n) && (!first || Math.abs(c.n.delta) > Math.abs(first.n.delta))) {
				first = c;
			}
		}
		if (first)
			first.rect.dispatchEvent(new MouseEvent('click'));
	}

	function table(id, heads, rows, sortable) {
		const t = el('table', { id });
		const hr = el('tr');
		heads.forEach((h, i) => {
			const th = el('th', { class: i === 0 ? 'name' : null }, h);
			if (sortable && sortable[i])
				th.addEventListener('click', () => sortable[i](t));
			hr.appendChild(th);
		});
		t.appendChild(hr);
		for (const r of rows) {
			const tr = el('tr', r.attrs);
			r.cells.forEach((c, i) => tr.appendChild(el('td', {
				class: i === 0 ? 'name' : (c.cls || null) }, c.text === undefined ? c : c.text)));
			t.appendChild(tr);
		}
		return t;
	}
	function cls(v) { return Math.abs(v) < 0.05 ? null : v > 0 ? 'grew' : 'shrank'; }

	function gone() {
		if (!d.only_in_a.length)
			return;
		main.appendChild(el('h2', null, 'Only in A (B no longer ran these)'));
		main.appendChild(table('only-a', ['stack', 'A samples', 'change'],
			d.only_in_a.map((g) => ({ cells: [g.stack, g.a_total,
				{ text: signed(g.delta, 1), cls: 'shrank' }] }))));
	}

	function funcs() {
		main.appendChild(el('h2', null, 'Hottest functions by change'));
		const rows = (key) => d.functions.slice().sort((p, q) =>
			Math.abs(q[key]) - Math.abs(p[key])).slice(0, 200).map((f) => ({
			attrs: { 'data-name': f.name },
			cells: [f.name, f.module, pctA(f.a_self).toFixed(1), pctB(f.b_self).toFixed(1),
				{ text: signed(f.self_delta, 1), cls: cls(f.self_delta) },
				pctA(f.a_total).toFixed(1), pctB(f.b_total).toFixed(1),
				{ text: signed(f.total_delta, 1), cls: cls(f.total_delta) }] }));
		const heads = ['function', 'module', 'A self %', 'B self %', '\u0394 self', 'A total %',
			'B total %', '\u0394 total'];
		const resort = (key) => (t) => t.replaceWith(table('functions', heads, rows(key), sorts));
		const sorts = [null, null, null, null, resort('self_delta'), null, null,
			resort('total_delta')];
		main.appendChild(table('functions', heads, rows('total_delta'), sorts));
	}

	function counters() {
		main.appendChild(el('h2', null, 'Counters and ratios'));
		main.appendChild(table('counters', ['event', 'A', 'B', 'A /s', 'B /s', 'change',
			'change %', 'counted A/B', 'note'], d.counters.map((c) => ({
			attrs: { 'data-name': c.name },
			cells: [c.name, fmt(c.a), fmt(c.b), c.ratio ? '' : fmt(c.a_rate),
				c.ratio ? '' : fmt(c.b_rate),
				{ text: c.delta === null ? 'n/a' : fmt(c.delta), cls: cls(c.delta || 0) },
				c.delta_pct === null ? 'n/a' : signed(c.delta_pct, 1) + '%',
				(c.a_share === null ? '-' : (100 * c.a_share).toFixed(0) + '%') + ' / ' +
				(c.b_share === null ? '-' : (100 * c.b_share).toFixed(0) + '%'),
				c.only_in ? 'only in ' + c.only_in.toUpperCase() : ''] }))));
	}

	function sched() {
		if (!d.sched.length)
			return;
		const ms = (ns) => (ns / 1e6).toFixed(1);
		main.appendChild(el('h2', null, 'Scheduler, per task'));
		main.appendChild(table('sched', ['task', 'CPU ms A', 'CPU ms B', 'change', 'switches A',
			'switches B', 'migrations A', 'migrations B', 'wake-up p99 A', 'wake-up p99 B',
			'note'], d.sched.slice(0, 100).map((t) => ({
			cells: [t.comm, ms(t.a_runtime_ns), ms(t.b_runtime_ns),
				signed((t.b_runtime_ns - t.a_runtime_ns) / 1e6, 1), t.a_switches, t.b_switches,
				t.a_migrations, t.b_migrations, (t.a_wakeup_p99_ns / 1e3).toFixed(0) + ' \u00b5s',
				(t.b_wakeup_p99_ns / 1e3).toFixed(0) + ' \u00b5s',
				t.only_in ? 'only in ' + t.only_in.toUpperCase() : ''] }))));
	}

	try {
		header();
		legend();
		flame();
		gone();
		funcs();
		counters();
		sched();
		document.body.dataset.ready = '1';
	} catch (e) {
		main.appendChild(el('pre', null, 'cannot draw the diff: ' + e));
		document.body.dataset.ready = 'error';
	}
})();
