// SPDX-License-Identifier: GPL-2.0-or-later
// ringside's HTML page: reads the snapshot (man/ringside-snapshot.5) from the ringside-data
// element and draws it with DOM APIs. Every string from the profiled system goes on the page as
// text (textContent, attribute values), never as markup. No framework, no network.
'use strict';
(function () {
	const SVGNS = 'http://www.w3.org/2000/svg';
	const main = document.getElementById('ringside');
	const dataEl = document.getElementById('ringside-data');
	let tip = null;
	// Extensions (range.js, which runs first) add steps run once the views are drawn; the tree
	// of the time range they choose replaces stacks.nodes in the on-CPU views.
	const ext = window.ringsideExt || { steps: [] };
	let rangeNodes = null;
	const timeModeHooks = [];
	const chartSpans = new WeakMap(); // a line chart's box -> the time (ns) at its right edge

	// ---- small helpers ---------------------------------------------------------------------

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
		for (const k in attrs || {})
			e.setAttribute(k, String(attrs[k]));
		return e;
	}

	function fmtNum(v) {
		if (v === null || v === undefined || !isFinite(v))
			return 'n/a';
		const a = Math.abs(v);
		const units = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
		for (const [d, u] of units)
			if (a >= d)
				return (v / d).toFixed(a / d >= 100 ? 0 : a / d >= 10 ? 1 : 2) + ' ' + u;
		return a >= 100 || Number.isInteger(v) ? v.toFixed(0) : v.toPrecision(3);
	}

	function fmtNs(ns) {
		if (ns === null || ns === undefined || !isFinite(ns))
			return 'n/a';
		if (ns >= 1e9)
			return (ns / 1e9).toFixed(ns >= 1e11 ? 0 : 2) + ' s';
		if (ns >= 1e6)
			return (ns / 1e6).toFixed(ns >= 1e8 ? 0 : 1) + ' ms';
		if (ns >= 1e3)
			return (ns / 1e3).toFixed(ns >= 1e5 ? 0 : 1) + ' \u00b5s';
		return ns.toFixed(0) + ' ns';
	}

	function pct(part, whole) {
		return whole > 0 ? (100 * part / whole).toFixed(part / whole >= 0.1 ? 1 : 2) + '%' : 'n/a';
	}

	function showTip(ev, text) {
		tip.textContent = text;
		tip.style.display = 'block';
		const w = tip.offsetWidth, h = tip.offsetHeight;
		let x = ev.clientX + 14, y = ev.clientY + 14;
		if (x + w > window.innerWidth - 4)
			x = Math.max(4, ev.clientX - w - 14);
		if (y + h > window.innerHeight - 4)
			y = Math.max(4, ev.clientY - h - 14);
		tip.style.left = x + 'px';
		tip.style.top = y + 'px';
	}

	function hideTip() {
		tip.style.display = 'none';
	}

	function section(id, title) {
		const s = el('section', { id: id }, el('h2', null, title));
		main.appendChild(s);
		return s;
	}

	// A table sorted by clicking its headers. cols: {key, label, num, fmt}; rows: objects. Text
	// columns sort A to Z first, numbers largest first, as a click on a header does.
	function sortTable(cols, rows, sortKey, limit, rowAttrs) {
		const table = el('table');
		const thead = el('thead'), tbody = el('tbody');
		const tr = el('tr');
		let key = sortKey, asc = !cols.find(c => c.key === sortKey).num;
		const ths = cols.map(c => {
			const th = el('th', { 'data-key': c.key, class: c.num ? 'num' : null }, c.label);
			th.addEventListener('click', () => {
				asc = key === c.key ? !asc : !c.num;
				key = c.key;
				fill();
			});
			tr.appendChild(th);
			return th;
		});
		thead.appendChild(tr);
		table.append(thead, tbody);
		function fill() {
			const col = cols.find(c => c.key === key);
			const sorted = rows.slice().sort((a, b) => {
				const x = a[key], y = b[key];
				const r = col.num ? x - y : String(x).localeCompare(String(y));
				return asc ? r : -r;
			});
			tbody.textContent = '';
			for (const r of sorted.slice(0, limit)) {
				const row = el('tr', rowAttrs ? rowAttrs(r) : null);
				for (const c of cols)
					row.appendChild(el('td', { class: c.num ? 'num' : c.cls || null },
						c.fmt ? c.fmt(r[c.key], r) : r[c.key]));
				tbody.appendChild(row);
			}
			ths.forEach((th, i) => {
				th.classList.toggle('sorted', cols[i].key === key);
				th.classList.toggle('asc', cols[i].key === key && asc);
			});
			table.dataset.sortKey = key;
			table.dataset.sortAsc = asc ? '1' : '0';
		}
		fill();
		if (rows.length > limit)
			return el('div', null, table,
				el('p', { class: 'note' }, 'the first ' + limit + ' of ' + rows.length + ' rows'));
		return table;
	}

	// ---- counters --------------------------------------------------------------------------

	// Per interval, summed over the track's series: scaled count, enabled, running, end time.
	function trackIntervals(t) {
		const out = [];
		for (const s of t.series) {
			for (let i = 0; i < s.t.length; i++) {
				if (!out[i])
					out[i] = { t: s.t[i], value: 0, enabled: 0, running: 0 };
				const o = out[i];
				o.enabled += s.enabled[i];
				o.running += s.running[i];
				if (s.running[i] > 0)
					o.value += s.count[i] * s.enabled[i] / s.running[i];
			}
		}
		return out;
	}

	function trackTotals(t) {
		let value = 0, enabled = 0, running = 0;
		for (const s of t.series)
			for (let i = 0; i < s.t.length; i++) {
				enabled += s.enabled[i];
				running += s.running[i];
				if (s.running[i] > 0)
					value += s.count[i] * s.enabled[i] / s.running[i];
			}
		return { value, share: enabled > 0 ? running / enabled : null };
	}

	function findTrack(snap, name) {
		return snap.events.find(e => e.name === name || e.canonical === name);
	}

	// A line chart of points {x (ns), y}, with a cursor and a tooltip from describe(i).
	function lineChart(points, attrs, describe, extra) {
		const W = 1000, H = 100;
		const box = el('div', Object.assign({ class: 'chart' }, attrs));
		const svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none' });
		const x1 = points.length ? points[points.length - 1].x : 1;
		chartSpans.set(box, x1);
		let ymax = 0;
		for (const p of points)
			if (isFinite(p.y) && p.y > ymax)
				ymax = p.y;
		if (ymax <= 0)
			ymax = 1;
		const X = x => (x1 > 0 ? x / x1 : 0) * W;
		const Y = y => H - 4 - (isFinite(y) ? y / ymax : 0) * (H - 8);
		svg.appendChild(sv('polyline', {
			points: points.map(p => X(p.x).toFixed(1) + ',' + Y(p.y).toFixed(1)).join(' '),
		}));
		if (extra)
			svg.appendChild(sv('polyline', {
				class: 'share',
				points: points.map((p, i) => X(p.x).toFixed(1) + ',' +
					(H - 4 - extra[i] * (H - 8)).toFixed(1)).join(' '),
			}));
		// A point with no drawable neighbour (one interval, or a ratio between two n/a) draws no
		// line: a bar over its interval and a dot at its end show it.
		const alone = i => isFinite(points[i].y) &&
			!(i > 0 && isFinite(points[i - 1].y)) &&
			!(i + 1 < points.length && isFinite(points[i + 1].y));
		for (let i = 0; i < points.length; i++) {
			if (!alone(i))
				continue;
			const xe = X(points[i].x), xb = Math.min(i > 0 ? X(points[i - 1].x) : 0, xe - 8);
			const y = Y(points[i].y).toFixed(1);
			svg.appendChild(sv('line', { class: 'point', x1: Math.max(xb, 0), x2: xe, y1: y, y2: y,
				'data-value': points[i].y }));
			svg.appendChild(sv('line', { class: 'dot', x1: Math.min(xe, W - 3), x2: Math.min(xe, W - 3),
				y1: y, y2: y }));
		}
		const cursor = sv('line', { class: 'cursor', x1: 0, x2: 0, y1: 0, y2: H });
		cursor.style.display = 'none';
		svg.appendChild(cursor);
		svg.addEventListener('mousemove', ev => {
			if (!points.length)
				return;
			const r = svg.getBoundingClientRect();
			const fx = (ev.clientX - r.left) / r.width * x1;
			let best = 0;
			for (let i = 1; i < points.length; i++)
				if (Math.abs(points[i].x - fx) < Math.abs(points[best].x - fx))
					best = i;
			cursor.setAttribute('x1', X(points[best].x));
			cursor.setAttribute('x2', X(points[best].x));
			cursor.style.display = '';
			showTip(ev, describe(best));
		});
		svg.addEventListener('mouseleave', () => {
			cursor.style.display = 'none';
			hideTip();
		});
		box.appendChild(svg);
		const only = points.length === 1 && isFinite(points[0].y);
		box.appendChild(el('div', { class: 'axis' }, el('span', null, '0 s'),
			el('span', null, (only ? 'one interval: ' : 'max ') + fmtNum(only ? points[0].y : ymax)),
			el('span', null, fmtNs(x1))));
		return box;
	}

	function drawCounters(snap) {
		const s = section('counters', 'Counters');
		const grid = el('div', { class: 'charts' });
		let n = 0;
		for (const t of snap.events) {
			if (!t.supported || !t.series.length)
				continue;
			const iv = trackIntervals(t), tot = trackTotals(t);
			let prev = 0;
			const pts = iv.map(o => {
				const dt = o.t - prev;
				prev = o.t;
				return { x: o.t, y: dt > 0 ? o.value / dt * 1e9 : 0 };
			});
			const share = iv.map(o => (o.enabled > 0 ? o.running / o.enabled : 0));
			const box = lineChart(pts, { 'data-event': t.name, 'data-total': Math.round(tot.value) },
				i => t.name + '\nat ' + fmtNs(iv[i].t) + ': ' + fmtNum(pts[i].y) + '/s' +
					'\nin the interval: ' + fmtNum(iv[i].value) +
					'\ncounted ' + pct(iv[i].running, iv[i].enabled) + ' of the time',
				share);
			box.insertBefore(el('h3', null, t.name + ' ',
				el('span', { class: 'muted' }, 'total ' + fmtNum(tot.value) + ', per second summed over ' +
					(t.series.length > 1 ? t.series.length + ' CPUs' : 'the target') +
					'; counted ' + (tot.share === null ? 'n/a' : (100 * tot.share).toFixed(1) + '%') +
					' of the time (dashed)')), box.firstChild);
			grid.appendChild(box);
			n++;
		}
		s.appendChild(n ? grid : el('p', { class: 'note' }, 'No event was counted.'));
	}

	// ---- ratios ----------------------------------------------------------------------------

	const BUILTIN_RATIOS = [
		{ name: 'IPC', num: 'instructions', den: 'cycles', scale: 1 },
		{ name: 'CPI', num: 'cycles', den: 'instructions', scale: 1 },
		{ name: 'cache-miss %', num: 'cache-misses', den: 'cache-references', scale: 100 },
		{ name: 'branch-miss %', num: 'branch-misses', den: 'branches', scale: 100 },
	];

	function drawRatios(snap) {
		const s = section('ratios', 'Ratios');
		const grid = el('div', { class: 'charts' });
		// The user's ratios (--ratio) as the snapshot keeps them: name, numerator, denominator, percent.
		const user = (Array.isArray(snap.ratios) ? snap.ratios : [])
			.filter(r => r && typeof r.name === 'string' && typeof r.numerator === 'string' &&
				typeof r.denominator === 'string')
			.map(r => ({ name: r.name + (r.percent === true ? ' %' : ''), num: r.numerator,
				den: r.denominator, scale: r.percent === true ? 100 : 1 }));
		for (const r of BUILTIN_RATIOS.concat(user)) {
			const scale = r.scale;
			const num = findTrack(snap, r.num), den = findTrack(snap, r.den);
			let why = null;
			for (const [name, t] of [[r.num, num], [r.den, den]]) {
				if (why)
					break;
				if (!t)
					why = 'no ' + name + ' event in this recording';
				else if (!t.supported || !t.series.length)
					why = name + ' is not supported here';
			}
			const title = r.name + ' = ' + r.num + ' / ' + r.den + (scale !== 1 ? ' \u00d7 ' + scale : '');
			if (why) {
				grid.appendChild(el('div', { class: 'chart', 'data-ratio': r.name, 'data-value': 'n/a' },
					el('h3', null, title + ' ', el('span', { class: 'muted' }, 'n/a: ' + why))));
				continue;
			}
			const a = trackIntervals(num), b = trackIntervals(den);
			const ta = trackTotals(num).value, tb = trackTotals(den).value;
			const total = tb > 0 ? ta / tb * scale : NaN;
			const n = Math.min(a.length, b.length);
			const pts = [];
			for (let i = 0; i < n; i++)
				pts.push({ x: a[i].t, y: b[i].value > 0 ? a[i].value / b[i].value * scale : NaN });
			const box = lineChart(pts, { 'data-ratio': r.name, 'data-value': isFinite(total) ? total.toPrecision(6) : 'n/a' },
				i => r.name + ' at ' + fmtNs(pts[i].x) + ': ' + (isFinite(pts[i].y) ? pts[i].y.toPrecision(4) : 'n/a'));
			box.insertBefore(el('h3', null, title + ' ',
				el('span', { class: 'muted' }, 'overall ' + (isFinite(total) ? total.toPrecision(4) : 'n/a'))),
			box.firstChild);
			grid.appendChild(box);
		}
		s.appendChild(grid);
	}

	// ---- flame graph -----------------------------------------------------------------------

	// ---- time modes: on-CPU samples, off-CPU time, wall-clock ---------------------------------

	// The tree of a mode as node tuples [parent, frame, self, total] in pre-order: 'on' is
	// stacks.nodes; 'off' is stacks.offcpu without its "[on-CPU]" nodes; 'wall' is stacks.offcpu
	// with each thread's "[on-CPU]" node given the thread's sampled stacks, scaled to its time.
	function timeTree(st, mode) {
		if (mode === 'on' && sampledEvent > 0 && st.events && st.events[sampledEvent - 1])
			return st.events[sampledEvent - 1].nodes;
		if (mode === 'on' || !st.offcpu)
			return rangeNodes || st.nodes;
		const src = st.offcpu, out = [], depth = new Int32Array(src.length), map = new Int32Array(src.length);
		const isOn = i => depth[i] === 3 && st.strings[st.frames[src[i][1]][0]] === '[on-CPU]' &&
			st.frames[src[i][1]][4] === 'state';
		const sn = st.nodes, sdepth = new Int32Array(sn.length);
		for (let i = 1; i < sn.length; i++)
			sdepth[i] = sdepth[sn[i][0]] + 1;
		const threadOf = (pf, tf) => {
			for (let i = 1; i < sn.length; i++)
				if (sdepth[i] === 2 && sn[i][1] === tf && sn[sn[i][0]][1] === pf)
					return i;
			return -1;
		};
		let skipBelow = -1;
		for (let i = 0; i < src.length; i++) {
			const n = src[i];
			if (i > 0)
				depth[i] = depth[n[0]] + 1;
			if (skipBelow >= 0 && depth[i] > skipBelow)
				continue;
			skipBelow = -1;
			if (i > 0 && isOn(i)) {
				skipBelow = depth[i];
				if (mode === 'off')
					continue;
				const at = out.length;
				out.push([map[n[0]], n[1], 0, 0]);
				const thr = map[n[0]], pf = out[out[thr][0]][1], tf = out[thr][1];
				const t = threadOf(pf, tf);
				let added = 0;
				if (t >= 0 && sn[t][3] > 0) {
					const scale = n[3] / sn[t][3], smap = new Map([[t, at]]);
					for (let k = t + 1; k < sn.length && sdepth[k] > 2; k++) {
						const w = Math.floor(sn[k][2] * scale);
						smap.set(k, out.length);
						out.push([smap.get(sn[k][0]), sn[k][1], w, 0]);
						added += w;
					}
				}
				out[at][2] = Math.max(0, n[3] - added);
				continue;
			}
			map[i] = out.length;
			out.push([i ? map[n[0]] : -1, n[1], n[2], 0]);
		}
		for (let i = out.length - 1; i >= 0; i--) {
			out[i][3] += out[i][2];
			if (i > 0)
				out[out[i][0]][3] += out[i][3];
		}
		return out;
	}

	const timeModes = [['on', 'on-CPU'], ['off', 'off-CPU'], ['wall', 'wall-clock']];
	// Off-CPU stacks of user frames only (recorded without --off-cpu-kernel) say so.
	const userStacks = st => (st.offcpu_stacks === 'user' ? ' (user stacks)' : '');
	let timeMode = 'on';
	const timeRedraw = [];

	// The on/off/wall-clock selector (when the snapshot has off-CPU time) into toolbar.
	function timeSelector(st, toolbar) {
		if (!st.offcpu)
			return;
		const sel = el('select', { id: 'time-mode', title: 'on-CPU samples, off-CPU time, or both per thread' });
		for (const [v, label] of timeModes) {
			const o = el('option', { value: v }, label + (v === 'on' ? '' : userStacks(st)));
			if (v === timeMode)
				o.selected = true;
			sel.appendChild(o);
		}
		sel.addEventListener('change', () => {
			timeMode = sel.value;
			for (const f of timeRedraw.concat(timeModeHooks))
				f();
		});
		toolbar.insertBefore(sel, toolbar.firstChild);
	}

	// ---- sampled events: the first is stacks.nodes, the others stacks.events[k - 1] ----------
	let sampledEvent = 0;

	// The sampled event shown (on-CPU): its name, samples and rate.
	function shownEvent(st) {
		const e = sampledEvent > 0 && st.events && st.events[sampledEvent - 1];
		return e || st;
	}

	// The event selector (when several events were sampled) into toolbar; choosing one shows
	// its on-CPU tree in the flame graph and the functions table.
	function eventSelector(st, toolbar) {
		if (!st.events || !st.events.length)
			return;
		const sel = el('select', { id: 'sample-event', title: 'the sampled event the flame graph and functions show' });
		const names = [st.event].concat(st.events.map(e => e.event));
		// A group's events weigh counts read with the leader's samples (--sample-event '{A,B}').
		const notes = [st.weight === 'count' ? ' (group leader, counted)' : '']
			.concat(st.events.map(e => e.leader ? ' (counted with ' + e.leader + ')' :
				e.weight === 'count' ? ' (group leader, counted)' : ''));
		names.forEach((n, i) => {
			const o = el('option', { value: String(i) }, n + notes[i]);
			if (i === sampledEvent && timeMode === 'on' && ratioShown < 0)
				o.selected = true;
			sel.appendChild(o);
		});
		ratioFlames(st).forEach((r, k) => {
			const o = el('option', { value: 'r' + k }, 'ratio ' + r.name + ' = ' + r.num + '/' + r.den);
			if (k === ratioShown && timeMode === 'on')
				o.selected = true;
			sel.appendChild(o);
		});
		sel.addEventListener('change', () => {
			ratioShown = sel.value[0] === 'r' ? Number(sel.value.slice(1)) : -1;
			sampledEvent = ratioShown >= 0 ? ratioFlames(st)[ratioShown].b : Number(sel.value);
			timeMode = 'on';
			for (const f of timeRedraw)
				f();
		});
		toolbar.insertBefore(sel, toolbar.firstChild);
	}

	// ---- ratio flamegraphs: a --ratio NAME=A/B whose A and B were both sampled ---------------
	// Widths are B's samples, colour A/B per frame (A's samples under the same call path, matched
	// frame by frame from the root), a log scale from the smallest ratio to the largest; frames
	// with fewer than RATIO_MIN samples of B are grey (the terminal's flame view does the same).
	const RATIO_MIN = 10, RATIO_COLOURS = ['#ffffaf', '#ffd75f', '#ffaf00', '#ff8700', '#ff0000'];
	let userRatios = [], ratioShown = -1;

	function ratioFlames(st) {
		const names = [st.event].concat((st.events || []).map(e => e.event));
		return userRatios.filter(r => r && typeof r.name === 'string')
			.map(r => ({ name: r.name, num: r.numerator, den: r.denominator,
				a: names.indexOf(r.numerator), b: names.indexOf(r.denominator) }))
			.filter(r => r.a >= 0 && r.b >= 0 && r.a !== r.b);
	}

	// Every node's path key ("frame,frame,...") to its total, for a tree in snapshot form.
	function ratioPaths(nodes) {
		const key = [''], total = new Map([['', nodes[0][3]]]);
		for (let i = 1; i < nodes.length; i++) {
			key.push(key[nodes[i][0]] + ',' + nodes[i][1]);
			total.set(key[i], nodes[i][3]);
		}
		return total;
	}

	// %.3g as the terminal writes it.
	function ratioFmt(v) {
		const e = v > 0 ? Math.floor(Math.log10(v)) : 0;
		if (e < -4 || e >= 3)
			return v.toExponential(2).replace(/\.?0+e/, 'e').replace(/e([+-])(\d)$/, 'e$10$2');
		return String(Number(v.toPrecision(3)));
	}

	// The shown ratio's view of a laid-out tree: per node A, B, A/B (-1: too few) and the scale.
	function ratioOf(st, nodes) {
		const r = ratioFlames(st)[ratioShown];
		if (!r || timeMode !== 'on')
			return null;
		const tree = k => (k === 0 ? st.nodes : st.events[k - 1].nodes);
		const A = ratioPaths(tree(r.a)), B = ratioPaths(tree(r.b)), key = [''];
		const out = { r, a: [], b: [], v: [], lo: 0, hi: 0 };
		for (let i = 0; i < nodes.length; i++) {
			if (i > 0)
				key.push(key[nodes[i][0]] + ',' + nodes[i][1]);
			const a = A.get(key[i]) || 0, b = B.get(key[i]) || 0, v = b < RATIO_MIN ? -1 : a / b;
			out.a.push(a);
			out.b.push(b);
			out.v.push(v);
			if (v > 0 && (!out.lo || v < out.lo))
				out.lo = v;
			if (v > out.hi)
				out.hi = v;
		}
		return out;
	}

	function ratioLevel(ro, v) {
		if (v <= 0 || ro.hi <= ro.lo)
			return v > 0 ? RATIO_COLOURS.length - 1 : 0;
		const k = Math.floor(Math.log(v / ro.lo) / Math.log(ro.hi / ro.lo) * RATIO_COLOURS.length);
		return Math.max(0, Math.min(RATIO_COLOURS.length - 1, k));
	}

	function ratioLegend(ro) {
		const n = RATIO_COLOURS.length, lg = el('div', { class: 'legend', id: 'ratio-legend',
			'data-lo': ro.lo, 'data-hi': ro.hi, 'data-min': RATIO_MIN },
		el('span', {}, ro.r.name + ' = ' + ro.r.num + '/' + ro.r.den + ' per frame, log scale:'));
		RATIO_COLOURS.forEach((c, k) => {
			const from = ro.hi > ro.lo ? ro.lo * Math.pow(ro.hi / ro.lo, k / n) : ro.lo;
			const sw = el('span', { class: 'ratio-level', 'data-level': k }, ' ' + ratioFmt(from) + ' ');
			sw.style.background = c;
			lg.appendChild(sw);
		});
		lg.appendChild(el('span', {}, 'to ' + ratioFmt(ro.hi)));
		const few = el('span', { class: 'ratio-level ratio-few' }, 'grey: < ' + RATIO_MIN + ' ' + ro.r.den + ' samples');
		few.style.background = '#d0d0d0';
		lg.appendChild(few);
		return lg;
	}

	// A count as the mode has it: samples, or nanoseconds of time.
	function amount(v) {
		return timeMode === 'on' ? v + ' samples' : fmtNs(v);
	}

	function drawFlame(snap) {
		const s = section('flame', 'Flame graph');
		const st = snap.stacks;
		userRatios = Array.isArray(snap.ratios) ? snap.ratios : [];
		if (!st || !st.nodes || !st.nodes.length) {
			s.appendChild(el('p', { class: 'note' }, 'No call stacks were sampled.'));
			return null;
		}
		const body = el('div', { id: 'flame-body' });
		s.appendChild(body);
		const redraw = () => {
			body.textContent = '';
			flameInto(body, st, timeTree(st, timeMode));
		};
		timeRedraw.push(redraw);
		redraw();
		return null;
	}

	function flameInto(s, st, nodes) {
		const strs = st.strings, frames = st.frames, N = nodes.length;
		const kids = new Array(N);
		const depth = new Int32Array(N);
		// Frames off CPU (under an "[off-CPU ...]" state frame) are marked, beside those on it.
		const off = new Uint8Array(N);
		for (let i = 1; i < N; i++) {
			const p = nodes[i][0], f = frames[nodes[i][1]];
			(kids[p] || (kids[p] = [])).push(i);
			depth[i] = depth[p] + 1;
			off[i] = off[p] || (f[4] === 'state' && strs[f[0]].startsWith('[off-CPU') ? 1 : 0);
		}
		for (const k of kids)
			if (k)
				k.sort((x, y) => nodes[y][3] - nodes[x][3]);
		const name = i => {
			const f = frames[nodes[i][1]];
			const kind = f[4];
			if ((kind === 'process' || kind === 'thread') && strs[f[1]])
				return strs[f[0]] + ' [exited]';
			if (kind === 'process')
				return strs[f[0]] + ' [' + f[3] + ']';
			if (kind === 'host')
				return '[host ' + strs[f[0]] + ']';
			if (kind === 'thread')
				return strs[f[0]] + ' (' + f[3] + ')';
			return strs[f[0]] || '[unknown]';
		};
		const rootTotal = nodes[0][3];
		let focus = 0;
		let query = null;
		const status = el('span', { class: 'muted', id: 'flame-status' });
		const matchEl = el('span', { id: 'flame-match' });
		const search = el('input', { type: 'search', id: 'flame-search', placeholder: 'search functions (regular expression)' });
		const reset = el('button', { type: 'button', id: 'flame-reset' }, 'Reset zoom');
		const toolbar = el('div', { class: 'toolbar' }, reset, search, matchEl, status);
		timeSelector(st, toolbar);
		eventSelector(st, toolbar);
		// A merged snapshot (ringside merge): a host selector zooms to one host's subtree.
		const hostNodes = (kids[0] || []).filter(c => frames[nodes[c][1]][4] === 'host');
		const hostSel = el('select', { id: 'flame-host' }, el('option', { value: '0' }, 'all hosts'));
		for (const c of hostNodes)
			hostSel.appendChild(el('option', { value: String(c) }, 'host ' + strs[frames[nodes[c][1]][0]]));
		if (hostNodes.length)
			toolbar.insertBefore(hostSel, reset);
		s.appendChild(toolbar);
		const ro = ratioOf(st, nodes);
		if (ro)
			s.appendChild(ratioLegend(ro));
		const box = el('div', { class: 'flame', id: 'flame-graph', 'data-samples': rootTotal, 'data-mode': timeMode,
			'data-event': timeMode === 'on' ? shownEvent(st).event : '' });
		s.appendChild(box);
		s.appendChild(el('p', { class: 'note' }, (timeMode === 'on' ? '' : timeModes.find(m => m[0] === timeMode)[1] +
			' time' + userStacks(st) + ', ' + fmtNs(rootTotal) + ' in all (under each thread: [on-CPU] and why it was off: S sleeping, ' +
			'D uninterruptible, R preempted), beside ') +
			shownEvent(st).samples + ' samples of ' + shownEvent(st).event +
			(shownEvent(st).freq ? ' at ' + shownEvent(st).freq + ' Hz' : ' every ' + shownEvent(st).period + ' events') +
			', call graph ' + st.callgraph + '; ' + st.lost + ' lost. Click a frame to zoom (its function\'s ' +
			'annotation opens below the top functions), click an ancestor or Reset to zoom out.'));

		function matches(i) {
			return query !== null && query.test(strs[frames[nodes[i][1]][0]]);
		}

		function render() {
			box.textContent = '';
			const ft = nodes[focus][3] || 1;
			const minFrac = 0.0008;
			const ROW = 17;
			let maxDepth = 0, shown = 0;
			const frag = document.createDocumentFragment();
			function add(i, left, width, anc) {
				const n = nodes[i], f = frames[n[1]];
				const d = el('div', {
					class: 'fr k-' + f[4] + (anc ? ' anc' : '') + (matches(i) ? ' match' : '') + (off[i] ? ' off' : ''),
					'data-node': i, 'data-total': n[3], 'data-self': n[2],
				}, name(i));
				if (ro) { // a ratio flamegraph: colour by A/B, grey with too few samples of B
					d.dataset.a = ro.a[i];
					d.dataset.b = ro.b[i];
					d.dataset.ratio = ro.v[i] < 0 ? '' : ro.v[i];
					d.style.background = ro.v[i] < 0 ? '#d0d0d0' : RATIO_COLOURS[ratioLevel(ro, ro.v[i])];
				}
				d.style.left = (100 * left).toFixed(4) + '%';
				d.style.width = (100 * width).toFixed(4) + '%';
				d.style.top = depth[i] * ROW + 'px';
				frag.appendChild(d);
				if (depth[i] > maxDepth)
					maxDepth = depth[i];
				shown++;
			}
			for (let a = nodes[focus][0]; a >= 0; a = nodes[a][0])
				add(a, 0, 1, true);
			const stack = [[focus, 0]];
			while (stack.length) {
				const [i, left] = stack.pop();
				const w = nodes[i][3] / ft;
				add(i, left, w, false);
				let x = left;
				for (const c of kids[i] || []) {
					const cw = nodes[c][3] / ft;
					if (cw >= minFrac)
						stack.push([c, x]);
					x += cw;
				}
			}
			box.appendChild(frag);
			box.style.height = (maxDepth + 1) * ROW + 'px';
			box.dataset.focus = focus;
			box.dataset.shown = shown;
			hostSel.value = hostNodes.includes(focus) ? String(focus) : '0';
			status.textContent = focus ? 'zoomed to ' + name(focus) + ' (' + pct(nodes[focus][3], rootTotal) + ')' : '';
		}

		function updateMatch() {
			if (query === null) {
				matchEl.textContent = '';
				delete matchEl.dataset.samples;
				return;
			}
			// Matched samples: nodes that match with no matching ancestor, so none counts twice.
			let sum = 0;
			const stack = [[0, false]];
			while (stack.length) {
				const [i, under] = stack.pop();
				const m = !under && matches(i);
				if (m)
					sum += nodes[i][3];
				for (const c of kids[i] || [])
					stack.push([c, under || m]);
			}
			matchEl.dataset.samples = sum;
			matchEl.textContent = 'matched ' + amount(sum) + ', ' + pct(sum, rootTotal);
		}

		box.addEventListener('click', ev => {
			const d = ev.target.closest('.fr');
			if (!d)
				return;
			focus = Number(d.dataset.node);
			render();
			// Its function's annotation opens below the top functions; the page stays put.
			if (annotateFrame(frames[nodes[focus][1]], strs))
				status.appendChild(el('a', { href: '#annotate', id: 'flame-annotate-link' },
					' \u2014 annotation below'));
		});
		box.addEventListener('mousemove', ev => {
			const d = ev.target.closest('.fr');
			if (!d)
				return hideTip();
			const i = Number(d.dataset.node), n = nodes[i], f = frames[n[1]];
			let text = name(i);
			if (f[4] !== 'process' && f[4] !== 'thread' && f[4] !== 'root' && f[4] !== 'host') {
				if (strs[f[1]])
					text += '\nin ' + strs[f[1]];
				if (strs[f[2]])
					text += '\n' + strs[f[2]] + (f[3] ? ':' + f[3] : '');
			}
			text += '\ntotal ' + amount(n[3]) + ' (' + pct(n[3], rootTotal) + ')' +
				'\nself ' + amount(n[2]) + ' (' + pct(n[2], rootTotal) + ')' +
				'\n' + f[4] + ' frame' + (f[5] ? ', inlined' : '') +
				(timeMode === 'on' ? '' : off[i] ? ', off CPU' : ', on CPU');
			if (ro)
				text += '\n' + ro.r.num + ' ' + ro.a[i] + ', ' + ro.r.den + ' ' + ro.b[i] + ': ' + ro.r.name + ' ' +
					(ro.v[i] < 0 ? 'n/a (< ' + RATIO_MIN + ')' : ratioFmt(ro.v[i]));
			showTip(ev, text);
		});
		box.addEventListener('mouseleave', hideTip);
		reset.addEventListener('click', () => {
			focus = 0;
			render();
		});
		hostSel.addEventListener('change', () => {
			focus = Number(hostSel.value);
			render();
		});
		search.addEventListener('input', () => {
			const q = search.value;
			if (!q) {
				query = null;
			} else {
				try {
					query = new RegExp(q);
				} catch (e) {
					query = new RegExp(q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
				}
			}
			updateMatch();
			render();
		});
		// Enter when no match is drawn (all too narrow): zoom to the match with the most samples.
		search.addEventListener('keydown', ev => {
			if (ev.key !== 'Enter' || query === null || box.querySelector('.fr.match'))
				return;
			let best = -1;
			for (let i = 1; i < nodes.length; i++)
				if (matches(i) && (best < 0 || nodes[i][3] > nodes[best][3]))
					best = i;
			if (best > 0) {
				focus = best;
				render();
			}
		});
		render();
	}

	// ---- top functions ---------------------------------------------------------------------

	function drawFunctions(snap) {
		const s = section('functions', 'Top functions');
		const st = snap.stacks;
		if (!st || !st.nodes || !st.nodes.length) {
			s.appendChild(el('p', { class: 'note' }, 'No call stacks were sampled.'));
			return;
		}
		const body = el('div', { id: 'functions-body' });
		s.appendChild(body);
		const redraw = () => {
			body.textContent = '';
			functionsInto(body, st, timeTree(st, timeMode));
		};
		timeRedraw.push(redraw);
		redraw();
	}

	// Per function (name and module) of a tree in snapshot form: its self samples and its total,
	// counted once per path however often it recurs on it.
	function functionCounts(st, nodes) {
		const strs = st.strings, frames = st.frames;
		const byKey = new Map();
		const onPath = new Map();
		const path = [];
		const skip = k => k === 'root' || k === 'host' || k === 'process' || k === 'thread' || k === 'state';
		// Pre-order with parents first: keep the path to the current node.
		for (let i = 0; i < nodes.length; i++) {
			const n = nodes[i];
			while (path.length && path[path.length - 1].i !== n[0]) {
				const top = path.pop();
				if (top.key !== null)
					onPath.set(top.key, onPath.get(top.key) - 1);
			}
			const f = frames[n[1]];
			let key = null;
			if (!skip(f[4])) {
				key = f[0] + '/' + f[1];
				let r = byKey.get(key);
				if (!r) {
					r = { name: strs[f[0]] || '[unknown]', module: strs[f[1]] || '', kind: f[4], self: 0, total: 0 };
					byKey.set(key, r);
				}
				r.self += n[2];
				if (!onPath.get(key))
					r.total += n[3];
				onPath.set(key, (onPath.get(key) || 0) + 1);
			}
			path.push({ i, key });
		}
		return byKey;
	}

	// The functions of the ratio flamegraph shown: A's and B's samples, self and total, and A/B
	// of each as its frames have it (none, -1, under RATIO_MIN samples of B); grey rows have
	// fewer than RATIO_MIN samples of B in total.
	function ratioFunctionsInto(s, st, r) {
		const tree = k => (k === 0 ? st.nodes : st.events[k - 1].nodes);
		const A = functionCounts(st, tree(r.a)), B = functionCounts(st, tree(r.b));
		const rows = [];
		for (const key of new Set([...A.keys(), ...B.keys()])) {
			const a = A.get(key) || { self: 0, total: 0 }, b = B.get(key) || { self: 0, total: 0 };
			const base = B.get(key) || a;
			if (!a.total && !b.total)
				continue;
			rows.push({ name: base.name, module: base.module, as: a.self, at: a.total, bs: b.self,
				bt: b.total, rs: b.self < RATIO_MIN ? -1 : a.self / b.self,
				rt: b.total < RATIO_MIN ? -1 : a.total / b.total });
		}
		const rf = v => (v < 0 ? '-' : ratioFmt(v));
		s.appendChild(el('p', { class: 'note', id: 'functions-ratio' }, 'ratio ' + r.name + ' = ' +
			r.num + '/' + r.den + ': A is ' + r.num + ', B ' + r.den + ' samples per function, ' +
			r.name + ' = A/B of self and of total, as the flame graph\'s frames have it; grey rows ' +
			'(no ratio): fewer than ' + RATIO_MIN + ' ' + r.den + ' samples (the event selector above ' +
			'the flame graph chooses)'));
		s.appendChild(sortTable([
			{ key: 'name', label: 'Function', cls: 'name' },
			{ key: 'module', label: 'Module', cls: 'name' },
			{ key: 'as', label: 'A self', num: true },
			{ key: 'at', label: 'A total', num: true },
			{ key: 'bs', label: 'B self', num: true },
			{ key: 'bt', label: 'B total', num: true },
			{ key: 'rs', label: r.name + ' self', num: true, fmt: rf },
			{ key: 'rt', label: r.name + ' total', num: true, fmt: rf },
		], rows, 'rt', 200, x => ({
			'data-name': x.name, 'data-module': x.module, 'data-a-self': x.as, 'data-a-total': x.at,
			'data-b-self': x.bs, 'data-b-total': x.bt, 'data-ratio-self': x.rs < 0 ? '' : x.rs,
			'data-ratio-total': x.rt < 0 ? '' : x.rt, class: x.bt < RATIO_MIN ? 'ratio-few' : null,
		})));
		s.lastChild.id = 'ratio-functions-table';
	}

	function functionsInto(s, st, nodes) {
		const r = timeMode === 'on' ? ratioFlames(st)[ratioShown] : null;
		if (r)
			return ratioFunctionsInto(s, st, r);
		const byKey = functionCounts(st, nodes);
		const all = nodes[0][3];
		const rows = Array.from(byKey.values());
		for (const r of rows) {
			r.selfPct = all ? 100 * r.self / all : 0;
			r.totalPct = all ? 100 * r.total / all : 0;
		}
		const p2 = v => v.toFixed(2) + '%';
		const cnt = timeMode === 'on' ? undefined : fmtNs;
		if (st.events && st.events.length && timeMode === 'on')
			s.appendChild(el('p', { class: 'note', id: 'functions-event' }, 'samples of ' +
				shownEvent(st).event + ' (the event selector above the flame graph chooses)'));
		if (st.offcpu)
			s.appendChild(el('p', { class: 'note', id: 'functions-mode' }, timeModes.find(m => m[0] === timeMode)[1] +
				(timeMode === 'on' ? ' samples' : ' time') + ' (the selector above the flame graph chooses)'));
		s.appendChild(sortTable([
			{ key: 'name', label: 'Function', cls: 'name' },
			{ key: 'module', label: 'Module', cls: 'name' },
			{ key: 'kind', label: 'Kind' },
			{ key: 'self', label: 'Self', num: true, fmt: cnt },
			{ key: 'selfPct', label: 'Self %', num: true, fmt: p2 },
			{ key: 'total', label: 'Total', num: true, fmt: cnt },
			{ key: 'totalPct', label: 'Total %', num: true, fmt: p2 },
		], rows, 'self', 200, r => ({
			'data-self': r.self, 'data-total': r.total, 'data-name': r.name, 'data-module': r.module,
			class: annotations.has(r.name + '\u0000' + r.module) ? 'annotatable' : null,
		})));
		s.lastChild.id = 'functions-table';
		s.lastChild.addEventListener('click', ev => {
			const tr = ev.target.closest('tbody tr');
			const a = tr && annotations.get(tr.dataset.name + '\u0000' + tr.dataset.module);
			if (a)
				showAnnotation(a);
		});
		if (annotations.size)
			s.appendChild(el('p', { class: 'note' }, 'Click a function marked \u25b8 to see its ' +
				'hot lines and instructions (the ' + annotations.size + ' hottest are in this page).'));
		const want = decodeURIComponent((location.hash.match(/^#annotate=(.*)$/) || [])[1] || '');
		for (const a of annotations.values())
			if (want && a.name === want) {
				showAnnotation(a);
				break;
			}
	}

	// ---- annotation ------------------------------------------------------------------------

	// The page's annotations (the ringside-annotate element), by function name and module.
	const annotations = new Map();
	let annotateMax = 0;
	(function () {
		const e = document.getElementById('ringside-annotate');
		if (!e)
			return;
		try {
			const j = JSON.parse(e.textContent);
			annotateMax = j.max_functions || 0;
			for (const a of j.functions || [])
				annotations.set(a.name + '\u0000' + a.module, a);
		} catch (err) {
			main.appendChild(el('p', { class: 'err' }, 'ringside: cannot read the annotations: ' + err));
		}
	})();

	// The annotate section, emptied, under the functions table.
	function annotateSection() {
		let s = document.getElementById('annotate');
		if (!s) {
			s = el('section', { id: 'annotate' });
			document.getElementById('functions').after(s);
		}
		s.textContent = '';
		return s;
	}

	// A flame frame clicked: its function's annotation, or why the page has none (not scrolled
	// to: the flame graph stays in view). False for frames that are not functions.
	function annotateFrame(f, strs) {
		if (!['user', 'library', 'kernel', 'jit'].includes(f[4]))
			return false;
		const name = strs[f[0]] || '[unknown]', a = annotations.get(name + '\u0000' + (strs[f[1]] || ''));
		if (a && !f[5]) {
			showAnnotation(a, false);
			return true;
		}
		const s = annotateSection();
		s.appendChild(el('h2', null, 'Annotate: ' + name));
		s.appendChild(el('p', { class: 'note annotate-none', id: 'annotate-none' }, f[5] ?
			'no annotation for this function: it is inlined (its code is annotated in the function it is inlined in)' :
			annotations.size ? 'no annotation for this function (not in the ' + (annotateMax || annotations.size) +
			' hottest, the ones this page carries)' : 'no annotation for this function (this page carries none)'));
		s.dataset.function = name;
		return true;
	}

	// One function's source lines and instructions ([kind, line, addr, count, text, calls] rows:
	// self samples and samples at it as a call site), the hottest line (or instruction, without
	// source) highlighted and scrolled to.
	function showAnnotation(a, scroll = true) {
		const s = annotateSection();
		s.appendChild(el('h2', null, 'Annotate: ' + a.name));
		const calls = a.calls || 0, withCallees = a.total + calls;
		s.appendChild(el('p', { class: 'note' }, a.module + ' \u2014 ' + fmtNum(a.total) + ' samples, ' +
			fmtNum(withCallees) + ' with callees (columns: self %, with callees %)'));
		for (const n of a.notes)
			s.appendChild(el('p', { class: 'note annotate-note' }, n));
		const kind = a.rows.some(r => r[0] === 's') ? 's' : 'i';
		let hot = -1;
		const key = r => r[3] * 1e12 + (r[5] || 0);
		a.rows.forEach((r, i) => {
			if (r[0] === kind && key(r) > 0 && (hot < 0 || key(r) > key(a.rows[hot])))
				hot = i;
		});
		const tbody = el('tbody');
		a.rows.forEach((r, i) => {
			const c = r[5] || 0, any = r[3] || c;
			const share = any && a.total ? (100 * r[3] / a.total).toFixed(2) + '%' : '';
			const incl = any && withCallees ? (100 * (r[3] + c) / withCallees).toFixed(2) + '%' : '';
			const cls = (r[0] === 's' ? 'src' : 'asm') + (i === hot ? ' hot' : '') + (any ? '' : ' cold');
			tbody.appendChild(el('tr', { class: cls, 'data-count': r[3], 'data-calls': c },
				el('td', { class: 'num' }, share),
				el('td', { class: 'num incl' }, incl),
				el('td', { class: 'num' }, r[0] === 's' ? String(r[1]) : r[2]),
				el('td', { class: 'code' }, r[4])));
		});
		s.appendChild(el('table', { id: 'annotate-table' }, tbody));
		s.dataset.function = a.name;
		const h = tbody.querySelector('tr.hot');
		if (scroll && h && h.scrollIntoView)
			h.scrollIntoView({ block: 'center' });
	}

	// ---- scheduler -------------------------------------------------------------------------

	function taskColour(ref) {
		if (ref === -1)
			return '#ececec';
		if (ref === -2)
			return '#ffffff';
		if (ref === -3)
			return '#8d969e';
		return 'hsl(' + ((ref * 137.508) % 360).toFixed(1) + ',62%,' + (48 + (ref % 3) * 8) + '%)';
	}

	// An aggregate of exited tasks (format 1's optional "folded") has no TID: its count instead.
	function taskName(t) {
		return t.folded > 0 ? t.comm + ' (' + t.folded + ' exited)' : t.comm;
	}

	function taskLabel(snap, ref) {
		if (ref === -1)
			return 'idle';
		if (ref === -2)
			return 'no data';
		if (ref === -3)
			return 'other tasks';
		const t = snap.sched.tasks[ref];
		if (!t)
			return 'task ' + ref;
		return (t.folded > 0 ? taskName(t) : t.comm + ' (' + t.tid + ')') + (t.host ? '@' + t.host : '');
	}

	// A CPU row's label: "CPU N", or "HOST cpuN" in a merged snapshot (ringside merge).
	function cpuLabel(sc, c) {
		const x = sc.cpus && sc.cpus[c];
		if (!x)
			return 'CPU ' + c;
		return x.host !== undefined ? x.host + ' cpu' + x.cpu : 'CPU ' + x.cpu;
	}

	function drawSched(snap) {
		const s = section('sched', 'Scheduler map');
		const sc = snap.sched;
		if (!sc || !sc.map || !sc.map.cells || !sc.map.cells.length) {
			s.appendChild(el('p', { class: 'note' }, 'No scheduler timeline was recorded.'));
			return;
		}
		const cells = sc.map.cells, ncpu = cells.length, nb = cells[0].length;
		const bucket = sc.map.bucket_ns;
		const ROW = 10;
		const svg = sv('svg', { viewBox: '0 0 ' + nb + ' ' + ncpu * ROW, preserveAspectRatio: 'none',
			id: 'sched-map', 'data-cpus': ncpu, 'data-buckets': nb, 'data-bucket-ns': bucket });
		svg.style.height = Math.max(40, Math.min(22 * ncpu, 600)) + 'px';
		const wins = new Map();
		for (let c = 0; c < ncpu; c++) {
			const row = cells[c];
			for (let b = 0; b < row.length;) {
				const task = row[b][0];
				let e = b + 1;
				while (e < row.length && row[e][0] === task)
					e++;
				const r = sv('rect', { x: b, y: c * ROW, width: e - b, height: ROW, fill: taskColour(task),
					'data-task': task });
				if (task >= 0) {
					let share = 0;
					for (let k = b; k < e; k++)
						share += row[k][1];
					r.setAttribute('fill-opacity', (0.45 + 0.55 * share / (1000 * (e - b))).toFixed(2));
				}
				svg.appendChild(r);
				wins.set(task, (wins.get(task) || 0) + (e - b));
				b = e;
			}
		}
		// The rows shown: all, or one host's (a merged snapshot's host selector; they are contiguous).
		let first = 0, shown = ncpu;
		svg.addEventListener('mousemove', ev => {
			const r = svg.getBoundingClientRect();
			const b = Math.min(nb - 1, Math.max(0, Math.floor((ev.clientX - r.left) / r.width * nb)));
			const c = first + Math.min(shown - 1, Math.max(0, Math.floor((ev.clientY - r.top) / r.height * shown)));
			const cell = cells[c][b];
			showTip(ev, cpuLabel(sc, c) + ', ' + fmtNs(b * bucket) + ' to ' + fmtNs((b + 1) * bucket) +
				'\nran most: ' + taskLabel(snap, cell[0]) + ' (' + (cell[1] / 10).toFixed(1) + '%)' +
				'\nCPU busy ' + (cell[2] / 10).toFixed(1) + '%');
		});
		svg.addEventListener('mouseleave', hideTip);
		const labels = el('div', { class: 'cpus' });
		for (let c = 0; c < ncpu; c++) {
			const x = sc.cpus && sc.cpus[c];
			labels.appendChild(el('div', x && x.host !== undefined ?
				{ 'data-host': x.host, 'data-cpu': x.cpu, 'data-busy-ns': x.busy_ns } : null, cpuLabel(sc, c)));
		}
		const hosts = [...new Set((sc.cpus || []).map(x => x.host).filter(h => h !== undefined))];
		if (hosts.length) {
			const hs = el('select', { id: 'sched-host' }, el('option', { value: '' }, 'all hosts'));
			for (const h of hosts)
				hs.appendChild(el('option', { value: h }, 'host ' + h));
			hs.addEventListener('change', () => {
				const rows = [...Array(ncpu).keys()].filter(c => !hs.value || sc.cpus[c].host === hs.value);
				first = rows[0];
				shown = rows.length;
				svg.setAttribute('viewBox', '0 ' + first * ROW + ' ' + nb + ' ' + shown * ROW);
				svg.style.height = Math.max(40, Math.min(22 * shown, 600)) + 'px';
				svg.dataset.host = hs.value;
				svg.dataset.shown = shown;
				Array.from(labels.children).forEach((d, c) => { d.style.display = rows.includes(c) ? '' : 'none'; });
			});
			s.appendChild(el('div', { class: 'toolbar' }, 'Show the CPUs of ', hs));
		}
		s.appendChild(el('div', { class: 'schedmap' }, labels, svg));
		s.appendChild(el('div', { class: 'axis muted' }, '0 s \u2013 ' + fmtNs(nb * bucket) + ', ' +
			fmtNs(bucket) + ' per column; each cell is the task that ran most in it (paler: a smaller share)'));
		const legend = el('div', { class: 'legend', id: 'sched-legend' });
		const order = Array.from(wins.entries()).sort((a, b) => b[1] - a[1]);
		for (const [task, n] of order.slice(0, 16)) {
			const sw = el('span', { class: 'sw' });
			sw.style.background = taskColour(task);
			legend.appendChild(el('span', { 'data-task': task, 'data-cells': n }, sw, taskLabel(snap, task)));
		}
		if (order.length > 16)
			legend.appendChild(el('span', { class: 'muted' }, '\u2026 and ' + (order.length - 16) + ' more'));
		s.appendChild(legend);
		const busy = (sc.cpus || []).map((c, i) => cpuLabel(sc, i) + ' busy ' + pct(c.busy_ns, c.known_ns));
		s.appendChild(el('p', { class: 'note' }, sc.switches + ' context switches, ' + sc.tasks.length +
			' tasks, ' + sc.lost + ' records lost. ' + busy.join(', ')));
	}

	function drawTasks(snap) {
		const s = section('tasks', 'Tasks (scheduler)');
		const sc = snap.sched;
		if (!sc || !sc.tasks || !sc.tasks.length) {
			s.appendChild(el('p', { class: 'note' }, 'No scheduler timeline was recorded.'));
			return;
		}
		const rows = sc.tasks.map(t => ({
			comm: taskName(t), host: t.host, tid: t.tid, pid: t.pid, folded: t.folded > 0 ? t.folded : null,
			runtime: t.runtime_ns,
			vol: t.switches_voluntary, invol: t.switches_involuntary, migr: t.migrations,
			wakeups: t.wakeups, lat_n: t.latency_ns.count, p50: t.latency_ns.p50,
			p95: t.latency_ns.p95, p99: t.latency_ns.p99, max: t.latency_ns.max,
		}));
		const ns = (v, r) => (r.lat_n ? fmtNs(v) : '\u2013');
		const id = (v, r) => (r.folded ? '\u2013' : v);
		// a merged snapshot's tasks are per host: one comm on two hosts is two rows
		const hosts = sc.tasks.some(t => t.host !== undefined);
		s.appendChild(sortTable([
			{ key: 'comm', label: 'Task', cls: 'name' },
			...(hosts ? [{ key: 'host', label: 'Host', cls: 'name' }] : []),
			{ key: 'tid', label: 'TID', num: true, fmt: id },
			{ key: 'pid', label: 'PID', num: true, fmt: id },
			{ key: 'runtime', label: 'Run time', num: true, fmt: v => fmtNs(v) },
			{ key: 'vol', label: 'Blocked', num: true },
			{ key: 'invol', label: 'Preempted', num: true },
			{ key: 'migr', label: 'Migrations', num: true },
			{ key: 'wakeups', label: 'Wake-ups', num: true },
			{ key: 'p50', label: 'Latency p50', num: true, fmt: ns },
			{ key: 'p95', label: 'p95', num: true, fmt: ns },
			{ key: 'p99', label: 'p99', num: true, fmt: ns },
			{ key: 'max', label: 'max', num: true, fmt: ns },
		], rows, 'runtime', 200, r => ({ 'data-tid': r.tid, 'data-folded': r.folded, 'data-host': r.host })));
		s.lastChild.id = 'tasks-table';
	}

	// ---- per-task counters -------------------------------------------------------------------

	// A task's CPU history (per-mille of one CPU per interval) as a small SVG sparkline.
	function taskSpark(hist) {
		const n = hist.length, svg = sv('svg', { viewBox: '0 0 ' + Math.max(n, 1) + ' 10',
			preserveAspectRatio: 'none', class: 'taskspark', 'data-points': n });
		hist.forEach((v, i) => {
			const h = Math.max(0.3, Math.min(10, v / 100));
			svg.appendChild(sv('rect', { x: i + 0.1, y: 10 - h, width: 0.8, height: h, fill: '#1c7ed6' }));
		});
		return svg;
	}

	function drawTaskCounters(snap) {
		const tc = snap.task_counters;
		if (!tc)
			return;
		const s = section('taskctr', 'Per-task counters');
		const ix = name => tc.events.indexOf(name);
		const has = name => ix(name) >= 0 && tc.supported[ix(name)];
		const val = (t, name) => (ix(name) >= 0 ? t.total[ix(name)] : 0);
		const per = (t, name) => (t.counted_ns > 0 ? val(t, name) * 1e9 / t.counted_ns : 0);
		const rows = tc.tasks.map(t => ({
			comm: t.comm, tid: t.tid, pid: t.pid, state: t.state,
			cpu: t.counted_ns > 0 ? 100 * val(t, 'task-clock') / t.counted_ns : 0,
			cpu_ns: val(t, 'task-clock'), counted: t.counted_ns,
			csw: per(t, 'context-switches'), mig: per(t, 'cpu-migrations'),
			faults: val(t, 'page-faults'),
			ipc: has('cycles') && val(t, 'cycles') > 0 ? val(t, 'instructions') / val(t, 'cycles') : -1,
			miss: has('cache-references') && val(t, 'cache-references') > 0 ?
				100 * val(t, 'cache-misses') / val(t, 'cache-references') : -1,
			hist: t.cpu_hist || [],
		}));
		const live = rows.filter(r => r.state === 'live').length;
		s.appendChild(el('p', { class: 'note', id: 'taskctr-note' }, rows.length + ' tasks (' + live +
			' counted at the end, ' + rows.filter(r => r.state === 'exited').length + ' exited), each with ' +
			'its own counts; rates are averages over the time each was counted.' +
			(has('cycles') ? '' : ' No hardware counters here: IPC and cache misses are n/a.')));
		const na = v => (v < 0 ? 'n/a' : v.toFixed(2));
		s.appendChild(sortTable([
			{ key: 'comm', label: 'Task', cls: 'name' },
			{ key: 'tid', label: 'TID', num: true },
			{ key: 'pid', label: 'PID', num: true },
			{ key: 'state', label: 'State' },
			{ key: 'cpu', label: 'CPU %', num: true, fmt: v => v.toFixed(1) },
			{ key: 'cpu_ns', label: 'CPU time', num: true, fmt: v => fmtNs(v) },
			{ key: 'counted', label: 'Counted for', num: true, fmt: v => fmtNs(v) },
			{ key: 'csw', label: 'Switches/s', num: true, fmt: v => v.toFixed(1) },
			{ key: 'mig', label: 'Migrations/s', num: true, fmt: v => v.toFixed(1) },
			{ key: 'faults', label: 'Page faults', num: true },
			{ key: 'ipc', label: 'IPC', num: true, fmt: na },
			{ key: 'miss', label: 'Miss %', num: true, fmt: na },
			{ key: 'hist', label: 'CPU history', fmt: v => taskSpark(v) },
		], rows, 'cpu_ns', 500, r => ({ 'data-tid': r.tid, 'data-state': r.state, 'data-cpu-ns': r.cpu_ns,
			'data-faults': r.faults })));
		s.lastChild.id = 'taskctr-table';
	}

	// ---- memory accesses (--mem) -----------------------------------------------------------

	function memFunc(snap, f) {
		const st = snap.stacks;
		if (f < 0 || !st || !st.frames[f])
			return '?';
		return st.strings[st.frames[f][0]];
	}

	function memShort(label) {
		const i = label.lastIndexOf('/');
		return i >= 0 && i + 1 < label.length ? label.slice(i + 1) : label;
	}

	// One mapping's buckets as a block of the heat map: rows are address ranges, low addresses on top.
	function memBlock(snap, g, cols, max) {
		const m = snap.mem.maps[g.map];
		const svg = sv('svg', { viewBox: '0 0 ' + cols + ' ' + g.rows, preserveAspectRatio: 'none',
			class: 'memblock', 'data-map': g.map, 'data-label': m.label, 'data-rows': g.rows });
		svg.style.height = Math.max(16, Math.min(4 * g.rows, 200)) + 'px';
		for (const [r, c, n] of g.cells) {
			const rect = sv('rect', { x: c, y: r, width: 1, height: 1, fill: '#d9480f' });
			rect.setAttribute('fill-opacity', (0.15 + 0.85 * Math.log1p(n) / Math.log1p(max)).toFixed(2));
			svg.appendChild(rect);
		}
		const lo = BigInt(g.lo), hi = BigInt(g.hi), span = hi - lo, b = snap.mem.buckets;
		svg.addEventListener('mousemove', ev => {
			const box = svg.getBoundingClientRect();
			const c = Math.min(cols - 1, Math.floor((ev.clientX - box.left) / box.width * cols));
			const r = Math.min(g.rows - 1, Math.floor((ev.clientY - box.top) / box.height * g.rows));
			const a = lo + span * BigInt(r) / BigInt(g.rows);
			const cell = g.cells.find(x => x[0] === r && x[1] === c);
			const dt = (b.t1_ns - b.t0_ns) / cols;
			showTip(ev, m.label + '\n0x' + a.toString(16) + ', ' + fmtNs(b.t0_ns + c * dt) + ' to ' +
				fmtNs(b.t0_ns + (c + 1) * dt) + '\n' + (cell ? cell[2] : 0) + ' samples');
		});
		svg.addEventListener('mouseleave', hideTip);
		return el('div', { class: 'memrow' }, el('div', { class: 'memlabel' }, memShort(m.label),
			el('br'), el('span', { class: 'muted' }, g.lo + '\u2013' + g.hi)), svg);
	}

	function drawMem(snap) {
		const mem = snap.mem;
		if (!mem)
			return;
		const s = section('mem', 'Memory accesses');
		s.appendChild(el('p', { class: 'note', id: 'mem-source' }, mem.total + ' samples from ' + mem.source +
			(mem.stride > 1 ? ' (the log keeps one in ' + mem.stride + ')' : '') +
			(mem.maps_dropped ? ', ' + mem.maps_dropped + ' mappings not tracked (counted as unknown)' : '') +
			'. Addresses (rows, per mapping) against time (' + mem.buckets.cols + ' columns, ' +
			fmtNs(mem.buckets.t0_ns) + ' to ' + fmtNs(mem.buckets.t1_ns) + ').'));
		let max = 1;
		for (const g of mem.buckets.maps)
			for (const c of g.cells)
				max = Math.max(max, c[2]);
		const heat = el('div', { class: 'memmap', id: 'mem-map', 'data-maps': mem.buckets.maps.length });
		for (const g of mem.buckets.maps)
			heat.appendChild(memBlock(snap, g, mem.buckets.cols, max));
		s.appendChild(heat);
		const total = mem.hot_maps.reduce((a, h) => a + h.samples, 0);
		const lv = ['n/a', 'L1', 'L2', 'L3', 'RAM', 'other'];
		const rows = mem.hot_maps.map(h => {
			const m = mem.maps[h.map];
			const levels = m.levels.map((n, i) => (i && n ? lv[i] + ' ' + n : null)).filter(x => x);
			return {
				label: m.label, kind: m.kind, range: m.start + '\u2013' + m.end, pid: m.pid, samples: h.samples,
				share: total ? 100 * h.samples / total : 0, pages: h.pages, map: h.map,
				funcs: h.funcs.map(f => memFunc(snap, f[0]) + ' (' + f[1] + ')').join(', ') +
					(levels.length ? '; ' + levels.join(', ') + ', mean weight ' + (m.weight / m.samples).toFixed(0) : ''),
			};
		});
		s.appendChild(el('h3', null, 'Hottest mappings'));
		s.appendChild(sortTable([
			{ key: 'label', label: 'Mapping', cls: 'name' },
			{ key: 'kind', label: 'Kind' },
			{ key: 'range', label: 'Addresses' },
			{ key: 'samples', label: 'Samples', num: true },
			{ key: 'share', label: 'Share', num: true, fmt: v => v.toFixed(1) + '%' },
			{ key: 'pages', label: 'Pages', num: true },
			{ key: 'funcs', label: 'Functions (samples)', cls: 'name' },
		], rows, 'samples', 200, r => ({ 'data-map': r.map, 'data-samples': r.samples, 'data-label': r.label })));
		s.lastChild.id = 'mem-maps';
		const pages = mem.hot_pages.map(p => ({ page: p[1], label: mem.maps[p[0]].label, samples: p[2],
			func: memFunc(snap, p[3]) }));
		s.appendChild(el('h3', null, 'Hottest pages'));
		s.appendChild(sortTable([
			{ key: 'page', label: 'Page' },
			{ key: 'label', label: 'Mapping', cls: 'name' },
			{ key: 'samples', label: 'Samples', num: true },
			{ key: 'func', label: 'Function', cls: 'name' },
		], pages, 'samples', 100));
		s.lastChild.id = 'mem-pages';
	}

	// ---- KVM exits (--kvm) ------------------------------------------------------------------

	function drawKvm(snap) {
		const k = snap.kvm;
		if (!k)
			return;
		const s = section('kvm', 'KVM exits');
		s.appendChild(el('p', { class: 'note', id: 'kvm-summary' }, k.exits + ' exits' +
			(k.isa ? ' (' + k.isa + ')' : '') + ', ' + k.reasons.length + ' reasons, ' + k.tasks.length +
			' vCPU threads' + (k.dropped ? ', ' + k.dropped + ' past the bounds' : '') +
			(k.unmatched ? ', ' + k.unmatched + ' entries without their exit' : '') +
			'. Time in exit runs from a kvm_exit to the thread\u2019s next kvm_entry.'));
		const rows = k.reasons.map((r, i) => {
			let n = 0, ns = 0;
			for (const t of k.tasks) {
				n += t.count[i];
				ns += t.ns[i];
			}
			return { name: r.name, code: r.code, exits: n, share: k.exits ? 100 * n / k.exits : 0, ns: ns,
				mean: n ? ns / n : 0 };
		});
		s.appendChild(sortTable([
			{ key: 'name', label: 'Exit reason', cls: 'name' },
			{ key: 'code', label: 'Code', num: true },
			{ key: 'exits', label: 'Exits', num: true },
			{ key: 'share', label: 'Share', num: true, fmt: v => v.toFixed(1) + '%' },
			{ key: 'ns', label: 'Time in exit', num: true, fmt: fmtNs },
			{ key: 'mean', label: 'Mean', num: true, fmt: fmtNs },
		], rows, 'exits', 64, r => ({ 'data-reason': r.name, 'data-exits': r.exits })));
		s.lastChild.id = 'kvm-reasons';
		const cols = Math.max(1, k.heat.length), nr = Math.max(1, k.reasons.length);
		let max = 1;
		for (const col of k.heat)
			for (const n of col)
				max = Math.max(max, n);
		s.appendChild(el('h3', null, 'Exits over time (a column is ' + fmtNs(k.bucket_ns) + ')'));
		const svg = sv('svg', { viewBox: '0 0 ' + cols + ' ' + nr, preserveAspectRatio: 'none',
			class: 'kvmheat', id: 'kvm-heat', 'data-cols': k.heat.length });
		svg.style.height = Math.max(24, Math.min(16 * nr, 400)) + 'px';
		k.heat.forEach((col, c) => col.forEach((n, r) => {
			if (!n)
				return;
			const rect = sv('rect', { x: c, y: r, width: 1, height: 1, fill: '#5f3dc4' });
			rect.setAttribute('fill-opacity', (0.15 + 0.85 * Math.log1p(n) / Math.log1p(max)).toFixed(2));
			svg.appendChild(rect);
		}));
		svg.addEventListener('mousemove', ev => {
			const box = svg.getBoundingClientRect();
			const c = Math.min(cols - 1, Math.floor((ev.clientX - box.left) / box.width * cols));
			const r = Math.min(nr - 1, Math.floor((ev.clientY - box.top) / box.height * nr));
			const n = k.heat[c] ? k.heat[c][r] : 0;
			showTip(ev, (k.reasons[r] ? k.reasons[r].name : '') + '\n' + fmtNs(c * k.bucket_ns) + ' to ' +
				fmtNs((c + 1) * k.bucket_ns) + ' after the first exit\n' + (n || 0) + ' exits');
		});
		svg.addEventListener('mouseleave', hideTip);
		const labels = el('div', { class: 'kvmlabels' });
		for (const r of k.reasons)
			labels.appendChild(el('div', null, r.name));
		labels.style.height = svg.style.height;
		s.appendChild(el('div', { class: 'kvmrow' }, labels, svg));
		const threads = k.tasks.map(t => {
			const top = t.count.map((n, i) => [n, i]).filter(x => x[0]).sort((a, b) => b[0] - a[0]).slice(0, 3);
			return { pid: t.pid, tid: t.tid, vcpu: t.vcpu === null ? -1 : t.vcpu,
				exits: t.count.reduce((a, b) => a + b, 0), ns: t.ns.reduce((a, b) => a + b, 0),
				top: top.map(x => k.reasons[x[1]].name + ' ' + x[0]).join(', ') };
		});
		s.appendChild(el('h3', null, 'vCPU threads'));
		s.appendChild(sortTable([
			{ key: 'pid', label: 'PID', num: true },
			{ key: 'tid', label: 'TID', num: true },
			{ key: 'vcpu', label: 'vCPU', num: true, fmt: v => (v < 0 ? '?' : String(v)) },
			{ key: 'exits', label: 'Exits', num: true },
			{ key: 'ns', label: 'Time in exit', num: true, fmt: fmtNs },
			{ key: 'top', label: 'Top reasons', cls: 'name' },
		], threads, 'exits', 256, r => ({ 'data-tid': r.tid, 'data-exits': r.exits })));
		s.lastChild.id = 'kvm-threads';
	}

	// ---- header ----------------------------------------------------------------------------

	function drawHeader(snap) {
		const m = snap.meta, st = snap.stacks, t = m.target;
		const nav = el('nav', null, el('b', null, 'ringside'));
		for (const [id, label] of [['summary', 'Summary'], ['counters', 'Counters'], ['ratios', 'Ratios'],
			['flame', 'Flame graph'], ['functions', 'Functions'], ['sched', 'Scheduler'], ['tasks', 'Tasks']])
			nav.appendChild(el('a', { href: '#' + id }, label));
		if (snap.task_counters)
			nav.appendChild(el('a', { href: '#taskctr' }, 'Task counters'));
		if (snap.mem)
			nav.appendChild(el('a', { href: '#mem' }, 'Memory'));
		if (snap.command_output)
			nav.appendChild(el('a', { href: '#output' }, 'Output'));
		if (snap.kvm)
			nav.appendChild(el('a', { href: '#kvm' }, 'KVM'));
		main.appendChild(nav);
		const s = section('summary', 'Recording');
		const dl = el('dl', { class: 'meta' });
		const item = (k, v, id) => dl.append(el('dt', null, k), el('dd', id ? { id: id } : null, v));
		item('Host', m.host, 'meta-host');
		item('Kernel', m.kernel + ' (' + m.arch + ')', 'meta-kernel');
		item('CPUs', String(m.cpus), 'meta-cpus');
		item('Target', t.description + (t.pids.length ? ', PID ' + t.pids.join(', ') : ''), 'meta-target');
		if (t.command.length)
			item('Command', t.command.join(' ') + (t.exit !== null ? ' (exit ' + t.exit + ')' : ''), 'meta-command');
		item('Recorded with', m.command_line.join(' '), 'meta-cmdline');
		item('Started', m.start);
		item('Duration', fmtNs(m.duration_ns) + ', ended by ' + m.end_reason, 'meta-duration');
		if (st) {
			item('Samples', String(st.samples) + ' of ' + st.event +
				(st.freq ? ' at ' + st.freq + ' Hz' : ' every ' + st.period) + ', call graph ' + st.callgraph +
				(st.events || []).map(e => '; ' + e.samples + ' of ' + e.event + (e.leader ?
					' counted with each ' + e.leader + ' sample' :
					(e.freq ? ' at ' + e.freq + ' Hz' : ' every ' + e.period))).join(''), 'meta-samples');
			item('Lost samples', String(st.lost) + (st.throttled ? ', throttled ' + st.throttled + ' times' : ''), 'meta-lost');
		} else {
			item('Samples', 'none taken', 'meta-samples');
		}
		if (snap.sched)
			item('Scheduler', snap.sched.switches + ' switches, ' + snap.sched.tasks.length + ' tasks, ' +
				snap.sched.lost + ' records lost', 'meta-sched');
		item('ringside', m.ringside_version);
		s.appendChild(dl);
		if (m.hosts) {
			// A merged snapshot's inputs; their counters are the events named EVENT@HOST.
			s.appendChild(el('h3', null, 'Hosts'));
			s.appendChild(sortTable([
				{ key: 'label', label: 'Host', cls: 'name' },
				{ key: 'kernel', label: 'Kernel' },
				{ key: 'cpus', label: 'CPUs', num: true },
				{ key: 'start', label: 'Started' },
				{ key: 'duration', label: 'Duration', num: true, fmt: fmtNs },
				{ key: 'samples', label: 'Samples', num: true },
				{ key: 'source', label: 'From', cls: 'name' },
			], m.hosts.map(h => ({
				label: h.label, kernel: h.kernel, cpus: h.cpus, duration: h.duration_ns,
				start: new Date(h.start_unix_ns / 1e6).toISOString(), samples: h.samples, source: h.source,
			})), 'label', 1000, r => ({ 'data-host': r.label, 'data-samples': r.samples })));
			s.lastChild.id = 'hosts-table';
		}
		const rows = snap.events.map(e => {
			const tot = e.supported ? trackTotals(e) : null;
			return {
				name: e.name, kind: e.kind + ' (' + e.pmu + ')',
				supported: e.supported ? 'yes' : 'no: ' + (e.reason || 'not supported'),
				total: tot ? tot.value : -1, share: tot && tot.share !== null ? 100 * tot.share : -1,
			};
		});
		s.appendChild(el('h3', null, 'Events'));
		s.appendChild(sortTable([
			{ key: 'name', label: 'Event', cls: 'name' },
			{ key: 'kind', label: 'Kind' },
			{ key: 'supported', label: 'Supported', cls: 'name' },
			{ key: 'total', label: 'Total', num: true, fmt: v => (v < 0 ? 'n/a' : fmtNum(v)) },
			{ key: 'share', label: 'Counted', num: true, fmt: v => (v < 0 ? 'n/a' : v.toFixed(1) + '%') },
		], rows, 'name', 1000, r => ({ 'data-event': r.name, 'data-total': Math.round(r.total) })));
		s.lastChild.id = 'events-table';
		document.title = 'ringside: ' + (t.command.length ? t.command.join(' ') : t.description) + ' on ' + m.host;
	}

	// ---- the command's output -------------------------------------------------------------

	// The launched command's last stdout and stderr lines (snapshot "command_output": records
	// "o TEXT" / "e TEXT", "O"/"E" a piece without its newline), as text, stderr marked.
	function drawOutput(snap) {
		const co = snap.command_output;
		if (!co || typeof co.records !== 'string')
			return;
		const s = section('output', 'Command output');
		const lines = [];
		let open = null;
		for (const rec of co.records.split('\n')) {
			if (rec.length < 2 || 'oeOE'.indexOf(rec[0]) < 0 || rec[1] !== ' ')
				continue;
			const stream = rec[0].toLowerCase(), text = rec.slice(2);
			if (open && open.stream === stream)
				open.text += text;
			else
				lines.push(open = { stream, text });
			if (rec[0] === 'o' || rec[0] === 'e')
				open = null;
		}
		const MAX = 2000, shown = lines.slice(-MAX);
		const left = (co.dropped || 0) + (lines.length - shown.length);
		const nerr = lines.filter(l => l.stream === 'e').length;
		s.appendChild(el('p', { class: 'note' }, lines.length + ' lines, ' + nerr + ' of them on stderr (marked)' +
			(left ? '; the ' + left + ' before them are not kept in the page' : '') + '.'));
		const pre = el('pre', { id: 'command-output', 'data-lines': lines.length, 'data-stderr': nerr });
		for (const l of shown)
			pre.appendChild(el('span', { class: l.stream === 'e' ? 'err-line' : 'out-line' }, l.text + '\n'));
		s.appendChild(pre);
	}

	// ---- start -----------------------------------------------------------------------------

	function load() {
		const text = dataEl ? dataEl.textContent : '';
		if (dataEl && dataEl.dataset.encoding === 'gzip-base64') {
			const bin = atob(text.trim());
			const bytes = new Uint8Array(bin.length);
			for (let i = 0; i < bin.length; i++)
				bytes[i] = bin.charCodeAt(i);
			const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
			return new Response(stream).text().then(JSON.parse);
		}
		// Parsed inside the promise: a damaged snapshot is the same rejection as a bad gzip one.
		return Promise.resolve(text).then(JSON.parse);
	}

	function render(snap) {
		const t0 = performance.now();
		tip = el('div', { id: 'tip' });
		document.body.appendChild(tip);
		const steps = [drawHeader, drawCounters, drawRatios, drawFlame, drawFunctions, drawSched, drawTasks, drawTaskCounters,
			drawMem, drawOutput, drawKvm];
		for (const step of steps) {
			try {
				step(snap);
			} catch (e) {
				main.appendChild(el('p', { class: 'err' }, 'ringside: this view failed: ' + e));
			}
		}
		const api = { el, sv, showTip, hideTip, fmtNs, fmtNum, pct, lineChart, timeMode: () => timeMode,
			chartSpan: box => chartSpans.get(box),
			onTimeMode: f => timeModeHooks.push(f),
			setRange: nodes => {
				rangeNodes = nodes;
				for (const f of timeRedraw)
					f();
			} };
		for (const step of ext.steps) {
			try {
				step(snap, api);
			} catch (e) {
				main.appendChild(el('p', { class: 'err' }, 'ringside: this view failed: ' + e));
			}
		}
		document.body.dataset.drawMs = (performance.now() - t0).toFixed(1);
		document.body.dataset.readyMs = performance.now().toFixed(1);
		document.body.dataset.ready = '1';
	}

	load().then(render, e => {
		main.appendChild(el('p', { class: 'err' }, 'ringside: cannot read the snapshot in this page: ' + e));
		document.body.dataset.ready = 'error';
	});
})();
