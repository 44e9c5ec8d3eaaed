// SPDX-License-Identifier: GPL-2.0-or-later
// ringside's HTML page, time ranges: a drag (brush) on a counter chart, the samples chart or the
// scheduler map chooses a range; the flame graph and the top functions then show the tree of that
// range, built here from the snapshot's time index (stacks.timeline: [dt, node, weight] entries,
// man ringside-snapshot.5) by summing each node's self samples over the entries inside and
// adding totals up to the parents. Also: the samples chart (samples per bucket, finer than the
// counters' intervals), the flame chart (a thread's stacks against time, adjacent samples that
// share frames merged), the tasks' samples in the range, and a hovered frame's or function's
// samples against time. This script runs before ringside.js and hands it a step (window.ringsideExt)
// that ringside.js calls with the snapshot and its helpers once the views are drawn.
'use strict';
(function () {
	const ext = window.ringsideExt = window.ringsideExt || { steps: [] };
	ext.steps.push(rangeStart);

	function rangeStart(snap, api) {
		const { el, sv, showTip, hideTip, fmtNs, pct } = api;
		const st = snap.stacks;
		if (!st || !st.nodes || !st.nodes.length)
			return;
		if (!st.timeline || !Array.isArray(st.timeline.entries)) {
			const f = document.getElementById('flame');
			if (f)
				f.insertBefore(el('p', { class: 'note', id: 'range-none' }, 'This snapshot has no time index ' +
					'(stacks.timeline): time ranges, the flame chart and samples against time need one written ' +
					'by a newer ringside.'), f.children[1] || null);
			return;
		}
		const tl = st.timeline, Q = tl.quantum_ns || 100000;
		const nodes = st.nodes, N = nodes.length, strs = st.strings, frames = st.frames;
		const E = tl.entries.length;
		const et = new Float64Array(E), el_ = new Int32Array(E), ew = new Float64Array(E);
		let q = 0;
		for (let i = 0; i < E; i++) {
			const e = tl.entries[i];
			q += e[0];
			et[i] = q * Q;
			el_[i] = e[1];
			ew[i] = e[2];
		}
		const span = Math.max(snap.meta.duration_ns || 0, E ? et[E - 1] + Q : 0) || 1;
		const depth = new Int32Array(N), thread = new Int32Array(N).fill(-1);
		for (let i = 1; i < N; i++) {
			const p = nodes[i][0];
			depth[i] = depth[p] + 1;
			thread[i] = frames[nodes[i][1]][4] === 'thread' ? i : thread[p];
		}
		const name = i => {
			const f = frames[nodes[i][1]];
			if (f[4] === 'process')
				return strs[f[0]] + ' [' + f[3] + ']';
			if (f[4] === 'thread')
				return strs[f[0]] + ' (' + f[3] + ')';
			return strs[f[0]] || '[unknown]';
		};
		let range = null; // [from_ns, to_ns) or null
		let back = null; // range node -> stacks.nodes index
		let inRange = 0; // samples in the range
		const brushes = [];
		const redraws = [];

		// ---- the tree of a range -------------------------------------------------------

		function rangeTree(a, b) {
			const self = new Float64Array(N), total = new Float64Array(N);
			for (let i = 0; i < E; i++)
				if (et[i] >= a && et[i] < b && el_[i] < N)
					self[el_[i]] += ew[i];
			total.set(self);
			for (let i = N - 1; i > 0; i--)
				total[nodes[i][0]] += total[i];
			const map = new Int32Array(N).fill(-1), out = [], bk = [];
			for (let i = 0; i < N; i++) {
				if (i && (!total[i] || map[nodes[i][0]] < 0))
					continue;
				map[i] = out.length;
				bk.push(i);
				out.push([i ? map[nodes[i][0]] : -1, nodes[i][1], self[i], total[i]]);
			}
			return { nodes: out, back: bk };
		}

		function setRange(a, b) {
			const tStart = performance.now();
			if (a !== null) {
				a = Math.max(0, Math.min(a, span));
				b = Math.max(0, Math.min(b, span));
				if (b - a < Q)
					return;
				range = [a, b];
				const t0 = performance.now();
				const r = rangeTree(a, b);
				bar.dataset.buildMs = (performance.now() - t0).toFixed(2);
				back = r.back;
				inRange = r.nodes[0][3];
				api.setRange(r.nodes);
			} else {
				range = null;
				back = null;
				api.setRange(null);
			}
			updateBar();
			for (const br of brushes)
				br.shade();
			for (const f of redraws)
				f();
			bar.dataset.drawMs = (performance.now() - tStart).toFixed(1);
		}

		// ---- the range bar -------------------------------------------------------------

		const label = el('span', { id: 'range-label' });
		const clear = el('button', { type: 'button', id: 'range-clear' }, 'Clear range');
		const bar = el('div', { id: 'range-bar' }, el('b', null, 'Time range: '), label, clear);
		clear.addEventListener('click', () => setRange(null));
		const nav = document.querySelector('#ringside > nav');
		if (nav)
			nav.after(bar);
		else
			document.getElementById('ringside').prepend(bar);

		function updateBar() {
			if (!range) {
				label.textContent = 'the whole recording (0 s \u2013 ' + fmtNs(span) + '). Drag across a counter ' +
					'chart, the samples chart or the scheduler map to show one range in the flame graph, ' +
					'functions, flame chart and tasks.';
				clear.disabled = true;
				bar.classList.remove('set');
				delete bar.dataset.fromNs;
				delete bar.dataset.toNs;
				bar.dataset.samples = st.samples;
				return;
			}
			const n = inRange;
			label.textContent = fmtNs(range[0]) + ' \u2013 ' + fmtNs(range[1]) + ' (' + fmtNs(range[1] - range[0]) +
				', ' + n + ' samples' + (api.timeMode() === 'on' ? '' : '; the range applies to on-CPU samples only') +
				')';
			clear.disabled = false;
			bar.classList.add('set');
			bar.dataset.fromNs = Math.round(range[0]);
			bar.dataset.toNs = Math.round(range[1]);
			bar.dataset.samples = n;
		}

		// ---- brushes -------------------------------------------------------------------

		// A drag on svg (whose viewBox width is vbW and whose x spans [0, t1] ns) chooses a range.
		function brush(svg, t1) {
			const vb = svg.getAttribute('viewBox').split(/\s+/).map(Number);
			const vbW = vb[2], vbH = vb[3];
			const sel = sv('rect', { class: 'brush-sel', x: 0, y: 0, width: 0, height: vbH });
			sel.style.display = 'none';
			svg.appendChild(sel);
			svg.classList.add('brushable');
			svg.dataset.t1Ns = Math.round(t1);
			const frac = ev => {
				const r = svg.getBoundingClientRect();
				return Math.max(0, Math.min(1, (ev.clientX - r.left) / r.width));
			};
			const show = (f0, f1) => {
				sel.setAttribute('x', (Math.min(f0, f1) * vbW).toFixed(3));
				sel.setAttribute('width', (Math.abs(f1 - f0) * vbW).toFixed(3));
				sel.style.display = '';
			};
			const br = {
				shade() {
					if (!range)
						return (sel.style.display = 'none');
					show(Math.min(1, range[0] / t1), Math.min(1, range[1] / t1));
				},
			};
			brushes.push(br);
			svg.addEventListener('mousedown', ev => {
				if (ev.button !== 0)
					return;
				ev.preventDefault();
				const f0 = frac(ev), x0 = ev.clientX;
				let f1 = f0;
				const move = e => {
					f1 = frac(e);
					show(f0, f1);
				};
				const up = e => {
					window.removeEventListener('mousemove', move);
					window.removeEventListener('mouseup', up);
					f1 = frac(e);
					if (Math.abs(e.clientX - x0) < 3)
						return br.shade();
					setRange(Math.min(f0, f1) * t1, Math.max(f0, f1) * t1);
				};
				window.addEventListener('mousemove', move);
				window.addEventListener('mouseup', up);
			});
			return br;
		}

		// ---- samples against time ------------------------------------------------------

		// Samples per bucket over [a, a + n * bk) of the leaves for which inside[leaf] is set.
		function series(inside, a, bk, n) {
			const c = new Float64Array(n);
			for (let i = 0; i < E; i++) {
				if (et[i] < a || (inside && !inside[el_[i]]))
					continue;
				const k = Math.floor((et[i] - a) / bk);
				if (k < n)
					c[k] += ew[i];
			}
			return c;
		}

		// Its own section after the counters: samples per bucket, finer than their intervals.
		function samplesChart() {
			const sec = el('section', { id: 'samples' }, el('h2', null, 'Samples over time'));
			const after = document.getElementById('counters');
			if (after)
				after.after(sec);
			else
				document.getElementById('ringside').appendChild(sec);
			let bk = Math.max(50e6, span / 400);
			bk = Math.ceil(bk / 10e6) * 10e6;
			const n = Math.max(1, Math.ceil(span / bk));
			const c = series(null, 0, bk, n);
			const pts = Array.from(c, (v, i) => ({ x: (i + 1) * bk, y: v / bk * 1e9 }));
			const box = api.lineChart(pts, { id: 'samples-chart', 'data-bucket-ns': bk, 'data-buckets': n },
				i => 'samples of ' + st.event + '\n' + fmtNs(i * bk) + ' to ' + fmtNs((i + 1) * bk) + ': ' + c[i] +
					' (' + api.fmtNum(pts[i].y) + '/s)');
			box.insertBefore(el('h3', null, st.event + ' samples per second ', el('span', { class: 'muted' },
				'in buckets of ' + fmtNs(bk) + ' from the time index, finer than the counters\u2019 ' +
				fmtNs(snap.meta.interval_ns) + ' intervals; drag here, on a counter chart or on the scheduler ' +
				'map to choose a range')), box.firstChild);
			sec.appendChild(box);
			const nav = document.querySelector('#ringside > nav a[href="#counters"]');
			if (nav)
				nav.after(el('a', { href: '#samples' }, 'Samples'));
		}

		// A small sparkline of counts into holder, with its title; the counts in data-counts.
		function spark(holder, title, counts, a, b) {
			holder.textContent = '';
			let max = 0;
			for (const v of counts)
				max = Math.max(max, v);
			const W = counts.length, H = 20;
			const svg = sv('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none', class: 'spark' });
			counts.forEach((v, i) => {
				if (v > 0)
					svg.appendChild(sv('rect', { x: i, y: H - v / max * H, width: 1, height: v / max * H }));
			});
			holder.append(el('span', { class: 'muted' }, title + ', ' + fmtNs(a) + ' \u2013 ' + fmtNs(b) + ': '), svg);
			holder.dataset.counts = Array.from(counts).join(',');
			holder.dataset.title = title;
		}

		function domain() {
			return range ? range : [0, span];
		}

		// The samples of the leaves under the nodes that match (a stacks.nodes predicate).
		function sparkFor(holder, title, match) {
			const inside = new Uint8Array(N);
			for (let i = 0; i < N; i++)
				inside[i] = match(i) || (i > 0 && inside[nodes[i][0]]) ? 1 : 0;
			const [a, b] = domain(), n = 80;
			spark(holder, title, series(inside, a, (b - a) / n, n), a, b);
		}

		function sparks() {
			const fl = document.getElementById('flame'), fu = document.getElementById('functions');
			const fs = el('div', { class: 'sparkline', id: 'flame-spark' });
			const us = el('div', { class: 'sparkline', id: 'functions-spark' });
			if (fl) {
				fl.insertBefore(fs, fl.children[1] || null);
				fl.addEventListener('mouseover', ev => {
					const d = ev.target.closest('#flame-graph .fr');
					if (!d || api.timeMode() !== 'on')
						return;
					const i = Number(d.dataset.node), o = back ? back[i] : i;
					if (o >= 0 && o < N)
						sparkFor(fs, name(o) + ' (this frame)', k => k === o);
				});
			}
			if (fu) {
				fu.insertBefore(us, fu.children[1] || null);
				const pick = ev => {
					const tr = ev.target.closest('#functions-table tbody tr');
					if (!tr || api.timeMode() !== 'on')
						return;
					const nm = tr.dataset.name, mod = tr.dataset.module;
					sparkFor(us, nm + ' (every call path)', k => {
						const f = frames[nodes[k][1]];
						return (strs[f[0]] || '[unknown]') === nm && (strs[f[1]] || '') === mod;
					});
				};
				fu.addEventListener('mouseover', pick);
				fu.addEventListener('click', pick);
			}
		}

		// ---- flame chart ---------------------------------------------------------------

		function flameChart() {
			const sec = el('section', { id: 'flamechart' }, el('h2', null, 'Flame chart'));
			const after = document.getElementById('functions') || document.getElementById('flame');
			after.after(sec);
			const nav = document.querySelector('#ringside > nav a[href="#functions"]');
			if (nav)
				nav.after(el('a', { href: '#flamechart' }, 'Flame chart'));
			const thr = new Map();
			for (let i = 0; i < E; i++) {
				const t = thread[el_[i]];
				if (t >= 0)
					thr.set(t, (thr.get(t) || 0) + ew[i]);
			}
			const order = Array.from(thr.entries()).sort((x, y) => y[1] - x[1]);
			if (!order.length) {
				sec.appendChild(el('p', { class: 'note' }, 'No thread was sampled.'));
				return;
			}
			const pick = el('select', { id: 'flamechart-thread' });
			for (const [t, n] of order.slice(0, 200)) {
				const p = nodes[t][0];
				pick.appendChild(el('option', { value: t }, name(t) + ' in ' + name(p) + ', ' + n + ' samples'));
			}
			const box = el('div', { class: 'flame', id: 'flamechart-graph' });
			const axis = el('div', { class: 'axis muted' });
			sec.append(el('div', { class: 'toolbar' }, el('span', null, 'Thread '), pick), box, axis,
				el('p', { class: 'note' }, 'x is time: each column is the stack sampled most in it, and ' +
					'neighbours that share frames merge. Click a frame to choose its time span as the range.'));
			pick.addEventListener('change', draw);
			box.addEventListener('mousemove', ev => {
				const d = ev.target.closest('.fr');
				if (!d)
					return hideTip();
				showTip(ev, d.dataset.name + '\n' + fmtNs(Number(d.dataset.t0)) + ' \u2013 ' + fmtNs(Number(d.dataset.t1)) +
					' (' + fmtNs(Number(d.dataset.t1) - Number(d.dataset.t0)) + ')');
			});
			box.addEventListener('mouseleave', hideTip);
			box.addEventListener('click', ev => {
				const d = ev.target.closest('.fr');
				if (d)
					setRange(Number(d.dataset.t0), Number(d.dataset.t1));
			});
			redraws.push(draw);
			draw();

			function draw() {
				const t = Number(pick.value), [a, b] = domain();
				const C = Math.max(1, Math.min(600, Math.ceil((b - a) / Q)));
				const cw = (b - a) / C;
				const cols = new Array(C);
				for (let i = 0; i < E; i++) {
					if (et[i] < a || et[i] >= b || thread[el_[i]] !== t)
						continue;
					const c = Math.min(C - 1, Math.floor((et[i] - a) / cw));
					const m = cols[c] || (cols[c] = new Map());
					m.set(el_[i], (m.get(el_[i]) || 0) + ew[i]);
				}
				// Each column's path from the thread's first frame down to its leaf.
				const paths = new Array(C);
				let maxD = 0;
				for (let c = 0; c < C; c++) {
					if (!cols[c])
						continue;
					let best = -1, bw = -1;
					for (const [leaf, w] of cols[c])
						if (w > bw || (w === bw && leaf < best)) {
							best = leaf;
							bw = w;
						}
					const p = [];
					for (let k = best; k >= 0 && k !== t; k = nodes[k][0])
						p.push(k);
					p.reverse();
					paths[c] = p;
					maxD = Math.max(maxD, p.length);
				}
				maxD = Math.min(maxD, 80);
				const ROW = 17, frag = document.createDocumentFragment();
				let shown = 0;
				for (let d = 0; d < maxD; d++) {
					for (let c = 0; c < C;) {
						const k = paths[c] && paths[c][d];
						if (k === undefined) {
							c++;
							continue;
						}
						let e = c + 1;
						while (e < C && paths[e] && paths[e][d] === k)
							e++;
						const f = frames[nodes[k][1]];
						const t0 = a + c * cw, t1 = a + e * cw;
						const div = el('div', { class: 'fr fc k-' + f[4], 'data-node': k, 'data-name': name(k),
							'data-t0': Math.round(t0), 'data-t1': Math.round(t1) }, name(k));
						div.style.left = (100 * c / C).toFixed(4) + '%';
						div.style.width = (100 * (e - c) / C).toFixed(4) + '%';
						div.style.top = d * ROW + 'px';
						frag.appendChild(div);
						shown++;
						c = e;
					}
				}
				box.textContent = '';
				box.appendChild(frag);
				box.style.height = Math.max(1, maxD) * ROW + 'px';
				box.dataset.thread = t;
				box.dataset.shown = shown;
				box.dataset.fromNs = Math.round(a);
				box.dataset.toNs = Math.round(b);
				axis.textContent = fmtNs(a) + ' \u2013 ' + fmtNs(b) + ', ' + fmtNs(cw) + ' per column';
			}
		}

		// ---- tasks in the range --------------------------------------------------------

		function tasksInRange() {
			let sec = document.getElementById('tasks');
			const holder = el('div', { id: 'tasks-range' });
			if (sec)
				sec.insertBefore(holder, sec.children[1] || null);
			else
				return;
			redraws.push(draw);
			draw();

			function draw() {
				holder.textContent = '';
				const [a, b] = domain();
				const by = new Map();
				let all = 0;
				for (let i = 0; i < E; i++) {
					if (et[i] < a || et[i] >= b)
						continue;
					all += ew[i];
					const t = thread[el_[i]];
					if (t >= 0)
						by.set(t, (by.get(t) || 0) + ew[i]);
				}
				const rows = Array.from(by.entries()).sort((x, y) => y[1] - x[1]).slice(0, 50);
				holder.appendChild(el('h3', null, 'Sampled threads, ' + (range ? fmtNs(a) + ' \u2013 ' + fmtNs(b) :
					'the whole recording') + ' ', el('span', { class: 'muted' },
					'(the table below it covers the whole recording)')));
				const tb = el('tbody');
				for (const [t, n] of rows) {
					const f = frames[nodes[t][1]];
					tb.appendChild(el('tr', { 'data-tid': f[3], 'data-samples': n },
						el('td', { class: 'name' }, strs[f[0]]), el('td', { class: 'num' }, f[3]),
						el('td', { class: 'name' }, name(nodes[t][0])),
						el('td', { class: 'num' }, n), el('td', { class: 'num' }, pct(n, all))));
				}
				holder.appendChild(el('table', { id: 'tasks-range-table' }, el('thead', null, el('tr', null,
					el('th', null, 'Thread'), el('th', { class: 'num' }, 'TID'), el('th', null, 'Process'),
					el('th', { class: 'num' }, 'Samples'), el('th', { class: 'num' }, 'Share'))), tb));
			}
		}

		// ---- start -----------------------------------------------------------------------

		ext.setRange = setRange; // for histo.js's crossplot selection

		samplesChart();
		for (const box of document.querySelectorAll('#counters .chart, #ratios .chart, #samples .chart')) {
			const svg = box.querySelector('svg');
			if (svg && api.chartSpan(box) > 0)
				brush(svg, api.chartSpan(box));
		}
		const sm = document.getElementById('sched-map');
		if (sm)
			brush(sm, Number(sm.dataset.buckets) * Number(sm.dataset.bucketNs));
		sparks();
		flameChart();
		tasksInRange();
		updateBar();
		api.onTimeMode(updateBar);
	}
})();
