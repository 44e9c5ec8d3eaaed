// SPDX-License-Identifier: GPL-2.0-or-later
// ringside's HTML page, histograms and crossplots: the distribution of each counted event's
// per-interval rate (the bucket rules of view/histo.h, shared with the screen's H pane: power-of-
// two buckets where the largest value is at least 16 times the smallest positive one, a zero
// bucket first, else 16 equal buckets; nearest-rank p50, p95, p99 and the maximum marked), and a
// crossplot of any event against any other, one point per interval both counted (or per CPU and
// interval, for events counted per CPU, when "a point per CPU" is ticked), with the line
// of their overall ratio (total Y over total X of the intervals plotted, through the origin).
// A rectangle dragged over the points selects the time they span, through range.js. Runs after
// range.js and before ringside.js, as one of window.ringsideExt's steps.
'use strict';
(function () {
	const ext = window.ringsideExt = window.ringsideExt || { steps: [] };
	ext.steps.push(histoStart);

	// Interval i of track t: its rate per second (NaN when no series ran in it), as rates_rate;
	// cpu given: that CPU's series only.
	function rates(t, cpu) {
		const ss = cpu === undefined ? t.series : t.series.filter(x => x.cpu === cpu);
		const s0 = ss[0], out = [];
		for (let i = 0; s0 && i < s0.t.length; i++) {
			let value = 0, counted = false;
			for (const s of ss) {
				if (i >= s.t.length || s.running[i] === 0)
					continue;
				counted = true;
				value += s.running[i] >= s.enabled[i] ? s.count[i] : s.count[i] * (s.enabled[i] / s.running[i]);
			}
			const dt = s0.t[i] - (i ? s0.t[i - 1] : 0);
			out.push({ t0: i ? s0.t[i - 1] : 0, t1: s0.t[i], value,
				rate: counted && dt > 0 ? value / (dt / 1e9) : NaN });
		}
		return out;
	}

	function log2floor(v) {
		let k = Math.floor(Math.log2(v));
		while (Math.pow(2, k) > v)
			k--;
		while (Math.pow(2, k + 1) <= v)
			k++;
		return k;
	}

	// The nearest-rank percentile p of the sorted pairs [value, count] holding n values.
	function percentile(s, n, p) {
		const rank = Math.max(1, Math.floor((p * n + 99) / 100));
		let cum = 0;
		for (const [v, w] of s) {
			cum += w;
			if (cum >= rank)
				return v;
		}
		return s[s.length - 1][0];
	}

	// view/histo.c's histo_build_weighted: buckets [lo, hi), counts, percentiles; values[i]
	// counted weights[i] times (weights omitted: once each).
	function histo(values, weights) {
		const pairs = values.map((v, i) => [v, weights ? weights[i] : 1]).filter(p => !isNaN(p[0]) && p[1] > 0)
			.sort((a, b) => a[0] - b[0]);
		const s = pairs.map(p => p[0]), m = s.length;
		const n = pairs.reduce((a, p) => a + p[1], 0);
		const h = { n, log: false, lo: [], hi: [], count: [] };
		if (!m)
			return h;
		h.min = s[0];
		h.max = s[m - 1];
		h.p50 = percentile(pairs, n, 50);
		h.p95 = percentile(pairs, n, 95);
		h.p99 = percentile(pairs, n, 99);
		let zeros = 0;
		while (zeros < m && s[zeros] === 0)
			zeros++;
		h.log = zeros < m && s[zeros] > 0 && s[m - 1] >= 16 * s[zeros];
		if (h.log) {
			const k0 = log2floor(s[zeros]), k1 = log2floor(s[m - 1]);
			if (zeros) {
				h.lo.push(0);
				h.hi.push(0);
			}
			for (let k = k0; k <= k1; k++) {
				h.lo.push(Math.pow(2, k));
				h.hi.push(Math.pow(2, k + 1));
			}
			h.bucket = v => (v === 0 ? 0 : (zeros ? 1 : 0) + log2floor(v) - k0);
		} else {
			const nb = s[m - 1] > s[0] ? 16 : 1, span = s[m - 1] - s[0];
			for (let i = 0; i < nb; i++) {
				h.lo.push(s[0] + span * i / 16);
				h.hi.push(nb === 1 ? s[0] : s[0] + span * (i + 1) / 16);
			}
			h.bucket = v => (nb === 1 ? 0 : Math.min(15, Math.floor((v - s[0]) / span * 16)));
		}
		h.count = h.lo.map(() => 0);
		for (const [v, w] of pairs)
			h.count[h.bucket(v)] += w;
		return h;
	}

	function histoStart(snap, api) {
		const { el, sv, showTip, hideTip, fmtNs, fmtNum } = api;
		const tracks = (snap.events || []).filter(t => t.supported && t.series.length && t.series[0].t.length);
		const latTasks = snap.sched && Array.isArray(snap.sched.tasks) ?
			snap.sched.tasks.filter(t => t.latency_ns && t.latency_ns.count > 0 && Array.isArray(t.latency_ns.hist)) : [];
		if (!tracks.length && !latTasks.length)
			return;
		const main = document.getElementById('ringside');
		const nav = document.querySelector('#ringside > nav');
		const after = document.getElementById('ratios') || document.getElementById('counters');
		const hs = el('section', { id: 'histograms' }, el('h2', null, 'Histograms'),
			el('p', { class: 'muted' }, 'Each event\u2019s rate per interval: power-of-two buckets where the largest ' +
				'is 16 times the smallest non-zero rate or more (zeros in their own bucket), 16 equal buckets ' +
				'otherwise; p50, p95, p99 and the maximum marked (nearest rank).'));
		const cs = el('section', { id: 'crossplot' }, el('h2', null, 'Crossplot'));
		if (after) {
			after.after(hs);
			hs.after(cs);
		} else {
			main.appendChild(hs);
			main.appendChild(cs);
		}
		if (nav) {
			nav.appendChild(el('a', { href: '#histograms' }, 'Histograms'));
			nav.appendChild(el('a', { href: '#crossplot' }, 'Crossplot'));
		}
		const grid = el('div', { class: 'charts' });
		for (const t of tracks)
			grid.appendChild(histoChart(t.name, histo(rates(t).map(r => r.rate)), v => fmtNum(v) + '/s',
				['interval', 'intervals'], { 'data-event': t.name }));
		hs.appendChild(grid);
		if (latTasks.length)
			latency(hs, latTasks);
		if (tracks.length)
			crossplot(cs, tracks);
		else
			cs.remove();

		// A histogram chart; max (when given) is the exact maximum to show and mark.
		function histoChart(name, h, fmt, what, attrs, max) {
			const W = 1000, H = 120, nb = h.count.length, maxc = Math.max(1, ...h.count);
			if (max === undefined)
				max = h.max;
			const box = el('div', Object.assign({ class: 'chart histo', 'data-n': h.n,
				'data-log': h.log ? 1 : 0, 'data-counts': h.count.join(','),
				'data-p50': h.p50, 'data-p95': h.p95, 'data-p99': h.p99, 'data-max': max }, attrs));
			box.appendChild(el('h3', null, name + ' ', el('span', { class: 'muted' }, h.n + ' ' + what[1] + ', ' +
				(h.log ? 'power-of-two' : 'linear') + ' buckets; p50 ' + fmt(h.p50) + ', p95 ' + fmt(h.p95) +
				', p99 ' + fmt(h.p99) + ', max ' + fmt(max))));
			const svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none' });
			const bw = nb ? W / nb : W;
			for (let i = 0; i < nb; i++) {
				const bh = h.count[i] / maxc * (H - 20);
				const r = sv('rect', { class: 'hb', x: (i * bw + 1).toFixed(1), y: (H - bh).toFixed(1),
					width: Math.max(1, bw - 2).toFixed(1), height: bh.toFixed(1), fill: '#5b8fd9',
					'data-count': h.count[i] });
				const label = (h.log && h.hi[i] === 0 ? '0' : fmt(h.lo[i]) + ' \u2013 ' + fmt(h.hi[i])) +
					': ' + h.count[i] + ' ' + what[h.count[i] === 1 ? 0 : 1];
				r.addEventListener('mousemove', ev => showTip(ev, name + '\n' + label));
				r.addEventListener('mouseleave', hideTip);
				svg.appendChild(r);
			}
			const marks = [['p50', h.p50, '#2a9d3a'], ['p95', h.p95, '#d98a00'], ['p99', h.p99, '#d9480f'],
				['max', max, '#a01010']];
			const taken = {};
			for (const [m, v, c] of marks) {
				if (!nb)
					break;
				// an exact maximum above the last bucket's values marks the last bucket
				const b = v > h.max ? nb - 1 : h.bucket(v), x = (b + 0.5) * bw;
				const row = taken[b] = (taken[b] || 0) + 1;
				svg.appendChild(sv('line', { class: 'hmark', x1: x, x2: x, y1: 0, y2: H, stroke: c,
					'stroke-width': 2, 'stroke-dasharray': '4 3', 'data-mark': m, 'data-bucket': b }));
				const tx = sv('text', { x: x + 3, y: 11 * row, fill: c, 'font-size': 11 });
				tx.textContent = m;
				svg.appendChild(tx);
			}
			box.appendChild(svg);
			box.appendChild(el('div', { class: 'axis' },
				el('span', null, nb ? (h.log && h.hi[0] === 0 ? '0' : fmt(h.lo[0])) : ''),
				el('span', null, 'most in a bucket: ' + maxc),
				el('span', null, nb ? fmt(h.hi[nb - 1]) : '')));
			return box;
		}

		// Wake-up latency: every task's (latency_ns.hist summed), or one task's, chosen in a selector;
		// the percentiles come from the same latencies as the task table's.
		function latency(sec, tasks) {
			const sel = el('select', { id: 'lat-task' }, el('option', { value: -1 }, 'every task'));
			tasks.forEach((t, i) => sel.appendChild(el('option', { value: i, 'data-tid': t.tid },
				t.comm + ' (' + (t.folded ? t.folded + ' exited' : t.tid) + ')' + (t.host ? '@' + t.host : ''))));
			const holder = el('div', { class: 'charts', id: 'lat-holder' });
			sec.appendChild(el('h3', null, 'Wake-up latency of ', sel));
			sec.appendChild(el('p', { class: 'muted' }, 'From the scheduler timeline: each task’s latencies ' +
				'as its histogram kept them (to 1/32 of a power of two), so the percentiles are the task ' +
				'table’s; the maximum is the exact one.'));
			sec.appendChild(holder);
			const draw = () => {
				const k = Number(sel.value), chosen = k < 0 ? tasks : [tasks[k]];
				const v = [], w = [];
				let max = 0;
				for (const t of chosen) {
					max = Math.max(max, t.latency_ns.max);
					for (const p of t.latency_ns.hist)
						if (Array.isArray(p) && isFinite(p[0]) && p[1] > 0) {
							v.push(Number(p[0]));
							w.push(Number(p[1]));
						}
				}
				holder.textContent = '';
				holder.appendChild(histoChart(k < 0 ? 'every task' : sel.selectedOptions[0].textContent,
					histo(v, w), fmtNs, ['latency', 'latencies'], { id: 'lat-chart', 'data-tid': k < 0 ? 'all' : tasks[k].tid }, max));
			};
			sel.addEventListener('change', draw);
			draw();
		}

		function crossplot(sec, tracks) {
			const pick = (id, k) => {
				const s = el('select', { id });
				tracks.forEach((t, i) => s.appendChild(el('option', { value: i }, t.name)));
				s.value = String(Math.min(k, tracks.length - 1));
				return s;
			};
			const sx = pick('cross-x', 0), sy = pick('cross-y', 1);
			const pc = el('input', { type: 'checkbox', id: 'cross-percpu' });
			const pcl = el('label', null, pc, ' a point per CPU');
			const note = el('span', { class: 'muted', id: 'cross-note' });
			sec.appendChild(el('p', null, 'X ', sx, ' Y ', sy, ' ', pcl, ' ', note));
			const holder = el('div', { class: 'chart', id: 'cross-chart' });
			sec.appendChild(holder);
			sx.addEventListener('change', draw);
			sy.addEventListener('change', draw);
			pc.addEventListener('change', draw);
			draw();

			// The CPUs both tracks counted one by one (system-wide recordings), else none.
			function cpusOf(tx, ty) {
				const cy = new Set(ty.series.map(x => x.cpu));
				return tx.series.length > 1 ? tx.series.map(x => x.cpu).filter(c => c >= 0 && cy.has(c)) : [];
			}

			function draw() {
				const tx = tracks[Number(sx.value)], ty = tracks[Number(sy.value)], pts = [];
				const cpus = cpusOf(tx, ty);
				pcl.style.display = cpus.length > 1 ? '' : 'none';
				let vx = 0, vy = 0;
				for (const cpu of pc.checked && cpus.length > 1 ? cpus : [undefined]) {
					const rx = rates(tx, cpu), ry = rates(ty, cpu);
					for (let i = 0; i < Math.min(rx.length, ry.length); i++)
						if (!isNaN(rx[i].rate) && !isNaN(ry[i].rate)) {
							pts.push({ i, cpu, t0: rx[i].t0, t1: rx[i].t1, x: rx[i].rate, y: ry[i].rate });
							vx += rx[i].value;
							vy += ry[i].value;
						}
				}
				const ratio = vx > 0 ? vy / vx : NaN;
				const W = 600, H = 400, P = 30;
				let xmax = 0, ymax = 0;
				for (const p of pts) {
					xmax = Math.max(xmax, p.x);
					ymax = Math.max(ymax, p.y);
				}
				xmax = xmax || 1;
				ymax = ymax || 1;
				const X = x => P + x / xmax * (W - 2 * P), Y = y => H - P - y / ymax * (H - 2 * P);
				holder.textContent = '';
				holder.dataset.x = tx.name;
				holder.dataset.y = ty.name;
				holder.dataset.points = pts.length;
				holder.dataset.ratio = ratio;
				delete holder.dataset.selected;
				note.textContent = pts.length + (pc.checked && cpus.length > 1 ? ' CPU intervals' : ' intervals') +
					'; the line is the overall ratio ' + ty.name + '/' + tx.name + ' = ' + fmtNum(ratio) + ' (total Y over total X of these intervals). Drag a ' +
					'rectangle to select those intervals\u2019 time range.';
				const svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, id: 'cross-svg' });
				svg.appendChild(sv('line', { x1: P, y1: H - P, x2: W - P, y2: H - P, stroke: '#888' }));
				svg.appendChild(sv('line', { x1: P, y1: P, x2: P, y2: H - P, stroke: '#888' }));
				if (isFinite(ratio)) {
					// y = ratio * x from the origin to the box's edge.
					const xe = Math.min(xmax, ymax / ratio || xmax);
					svg.appendChild(sv('line', { id: 'cross-ratio', x1: X(0), y1: Y(0), x2: X(xe),
						y2: Y(ratio * xe), stroke: '#d9480f', 'stroke-width': 1.5 }));
				}
				const dots = pts.map(p => {
					const c = sv('circle', { class: 'xp', cx: X(p.x).toFixed(1), cy: Y(p.y).toFixed(1), r: 3.5,
						fill: '#5b8fd9', 'fill-opacity': 0.7, 'data-t0': p.t0, 'data-t1': p.t1,
						'data-x': p.x, 'data-y': p.y });
					if (p.cpu !== undefined)
						c.dataset.cpu = p.cpu;
					c.addEventListener('mousemove', ev => showTip(ev, fmtNs(p.t0) + ' \u2013 ' + fmtNs(p.t1) +
						(p.cpu === undefined ? '' : ', CPU ' + p.cpu) +
						'\n' + tx.name + ': ' + fmtNum(p.x) + '/s\n' + ty.name + ': ' + fmtNum(p.y) + '/s'));
					c.addEventListener('mouseleave', hideTip);
					svg.appendChild(c);
					return c;
				});
				for (const [text, x, y, a] of [[tx.name + ' /s, max ' + fmtNum(xmax), W - P, H - 8, 'end'],
					[ty.name + ' /s, max ' + fmtNum(ymax), P + 4, P - 8, 'start']]) {
					const t = sv('text', { x, y, 'font-size': 12, fill: '#888', 'text-anchor': a });
					t.textContent = text;
					svg.appendChild(t);
				}
				select(svg, pts, dots, X, Y);
				holder.appendChild(svg);
			}

			// A rectangle drag: the points inside are selected, and their time span becomes the range.
			function select(svg, pts, dots, X, Y) {
				const rect = sv('rect', { fill: '#5b8fd9', 'fill-opacity': 0.15, stroke: '#5b8fd9' });
				rect.style.display = 'none';
				svg.appendChild(rect);
				const at = ev => {
					const r = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal;
					return [(ev.clientX - r.left) / r.width * vb.width, (ev.clientY - r.top) / r.height * vb.height];
				};
				svg.addEventListener('mousedown', ev => {
					if (ev.button !== 0)
						return;
					ev.preventDefault();
					const [x0, y0] = at(ev);
					let x1 = x0, y1 = y0;
					const show = () => {
						rect.setAttribute('x', Math.min(x0, x1));
						rect.setAttribute('y', Math.min(y0, y1));
						rect.setAttribute('width', Math.abs(x1 - x0));
						rect.setAttribute('height', Math.abs(y1 - y0));
						rect.style.display = '';
					};
					const move = e => {
						[x1, y1] = at(e);
						show();
					};
					const up = e => {
						window.removeEventListener('mousemove', move);
						window.removeEventListener('mouseup', up);
						[x1, y1] = at(e);
						rect.style.display = 'none';
						const inside = [];
						pts.forEach((p, k) => {
							const px = X(p.x), py = Y(p.y);
							const on = px >= Math.min(x0, x1) && px <= Math.max(x0, x1) &&
								py >= Math.min(y0, y1) && py <= Math.max(y0, y1);
							dots[k].setAttribute('fill', on ? '#d9480f' : '#5b8fd9');
							if (on)
								inside.push(p);
						});
						holder.dataset.selected = inside.length;
						if (!inside.length)
							return;
						const a = Math.min(...inside.map(p => p.t0)), b = Math.max(...inside.map(p => p.t1));
						holder.dataset.fromNs = a;
						holder.dataset.toNs = b;
						if (ext.setRange)
							ext.setRange(a, b);
					};
					window.addEventListener('mousemove', move);
					window.addEventListener('mouseup', up);
				});
			}
		}
	}
})();
