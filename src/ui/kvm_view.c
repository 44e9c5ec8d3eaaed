// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The KVM view (--kvm): perfwhiz's exit analysis. On top, the exit reasons by count with their
 * share, time in exit (kvm_exit to the thread's next kvm_entry) and the mean; in the middle, a
 * heat map of exits over time, one row per reason (a cell's glyph grows with its exits); below,
 * the vCPU threads with their exits of the selected reason and of all. Up and Down choose the
 * reason.
 */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ringside/ui/draw.h"
#include "ringside/ui/view.h"
#include "ringside/util/xalloc.h"

enum { KVM_VIEW_LABEL_W = 24 };

struct kvm_view {
	size_t sel; /* the selected row (rank by count) */
};

static void *
kvm_view_init(struct ui *ui)
{
	(void)ui;
	return xcalloc(1, sizeof(struct kvm_view));
}

static void
kvm_view_fini(void *state)
{
	free(state);
}

/* "1.234 ms" for ns into buf. */
static const char *
kvm_view_time(uint64_t ns, char *buf, size_t n)
{
	if (ns >= 1000000000ull)
		snprintf(buf, n, "%.3f s", (double)ns / 1e9);
	else if (ns >= 1000000)
		snprintf(buf, n, "%.3f ms", (double)ns / 1e6);
	else
		snprintf(buf, n, "%.3f us", (double)ns / 1e3);
	return buf;
}

/* The reasons table from row y; returns the next free row. */
static int
kvm_view_reasons(struct ui *ui, struct kvm_view *kv, const int *order, int y, int rows, int cols)
{
	const struct kvmexits *k = ui->profile->kvm;
	char t1[32], t2[32];

	draw_textf(ui, y++, 0, cols, draw_attr(ui, THEME_HEADER), "%-*s %10s %7s %14s %12s",
		   KVM_VIEW_LABEL_W - 1, "Exit reason", "Exits", "Share", "Time in exit", "Mean");
	for (size_t i = 0; i < k->nreasons && rows-- > 0; i++) {
		uint64_t ns, n = kvmexits_reason_total(k, order[i], &ns);

		draw_textf(ui, y++, 0, cols,
			   draw_attr(ui, i == kv->sel ? THEME_SELECT : THEME_NORMAL),
			   "%-*.*s %10" PRIu64 " %6.1f%% %14s %12s", KVM_VIEW_LABEL_W - 1,
			   KVM_VIEW_LABEL_W - 1, k->reasons[order[i]].name, n,
			   k->exits ? 100.0 * (double)n / (double)k->exits : 0.0,
			   kvm_view_time(ns, t1, sizeof(t1)),
			   kvm_view_time(n ? ns / n : 0, t2, sizeof(t2)));
	}
	return y;
}

/* The heat map: one row per reason (as rows allow), a column per bucket. */
static int
kvm_view_heat(struct ui *ui, struct kvm_view *kv, const int *order, int y, int rows, int cols)
{
	const struct kvmexits *k = ui->profile->kvm;
	uint32_t max = 0;

	for (size_t b = 0; b < k->nbuckets; b++)
		for (size_t r = 0; r < k->nreasons; r++)
			if (k->heat[b][r] > max)
				max = k->heat[b][r];
	draw_textf(ui, y++, 0, cols, draw_attr(ui, THEME_HEADER),
		   "Exits over time (a column is %.2f s from the first exit, %zu columns)",
		   (double)k->bucket_ns / 1e9, k->nbuckets);
	for (size_t i = 0; i < k->nreasons && rows-- > 0; i++, y++) {
		int ri = order[i];

		draw_textf(ui, y, 0, KVM_VIEW_LABEL_W,
			   draw_attr(ui, i == kv->sel ? THEME_SELECT : THEME_NORMAL), "%-*.*s",
			   KVM_VIEW_LABEL_W - 1, KVM_VIEW_LABEL_W - 1, k->reasons[ri].name);
		for (size_t b = 0; b < k->nbuckets && KVM_VIEW_LABEL_W + (int)b < cols; b++) {
			uint32_t c = k->heat[b][ri];
			int lv = 0;

			if (c && max)
				lv = 1 +
				     (int)(log1p(c) / log1p(max) * (ui->glyphs.nspark - 2) + 0.5);
			draw_text(ui, y, KVM_VIEW_LABEL_W + (int)b, 1, draw_attr(ui, THEME_SPARK),
				  c ? ui->glyphs.spark[lv] : " ");
		}
	}
	return y;
}

/* The vCPU threads, most exits first, with the selected reason's exits. */
static void
kvm_view_tasks(struct ui *ui, const int *order, size_t sel, int y, int rows, int cols)
{
	const struct kvmexits *k = ui->profile->kvm;
	int ri = k->nreasons ? order[sel] : -1;
	size_t *idx = xcalloc(k->ntasks + 1, sizeof(*idx));

	for (size_t i = 0; i < k->ntasks; i++) {
		size_t j = i;

		while (j > 0 && k->tasks[idx[j - 1]].exits < k->tasks[i].exits) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
	}
	draw_textf(ui, y++, 0, cols, draw_attr(ui, THEME_HEADER), "%8s %8s %5s %10s %10s  %s",
		   "PID", "TID", "vCPU", "Exits", "Selected", ri >= 0 ? k->reasons[ri].name : "");
	for (size_t i = 0; i < k->ntasks && rows-- > 1; i++) {
		const struct kvmexits_task *t = &k->tasks[idx[i]];
		char vcpu[16] = "-", tm[32];

		if (t->vcpu != UINT32_MAX)
			snprintf(vcpu, sizeof(vcpu), "%u", t->vcpu);
		draw_textf(ui, y++, 0, cols, draw_attr(ui, THEME_NORMAL),
			   "%8d %8d %5s %10" PRIu64 " %10" PRIu64 "  %s in exit", (int)t->pid,
			   (int)t->tid, vcpu, t->exits, ri >= 0 ? t->count[ri] : 0,
			   kvm_view_time(ri >= 0 ? t->ns[ri] : 0, tm, sizeof(tm)));
	}
	free(idx);
}

static void
kvm_view_draw(struct ui *ui, void *state, int top, int rows, int cols)
{
	struct kvm_view *kv = state;
	const struct kvmexits *k = ui->profile->kvm;
	int order[KVMEXITS_MAX_REASONS], y = top, part;

	if (!k) {
		draw_text(ui, top + 1, 1, cols - 1, draw_attr(ui, THEME_NORMAL),
			  "No KVM exits recorded: record with --kvm (kvm_exit and kvm_entry "
			  "tracepoints).");
		return;
	}
	kvmexits_order(k, order);
	if (kv->sel >= k->nreasons)
		kv->sel = k->nreasons ? k->nreasons - 1 : 0;
	draw_textf(ui, y++, 0, cols, draw_attr(ui, THEME_NORMAL),
		   "KVM exits%s%s%s: %" PRIu64 " exits, %zu reasons, %zu vCPU threads%s",
		   k->isa[0] ? " (" : "", k->isa, k->isa[0] ? ")" : "", k->exits, k->nreasons,
		   k->ntasks, k->exits ? "" : "  (no kvm_exit record yet)");
	if (k->dropped || k->unmatched)
		draw_textf(ui, y++, 0, cols, draw_attr(ui, THEME_WARN),
			   "%" PRIu64 " exits past the bounds (256 threads, 64 reasons), %" PRIu64
			   " entries without their exit",
			   k->dropped, k->unmatched);
	part = (top + rows - y - 4) / 3;
	if (part < 2)
		part = 2;
	y = kvm_view_reasons(ui, kv, order, y, part, cols) + 1;
	y = kvm_view_heat(ui, kv, order, y, part, cols) + 1;
	if (y < top + rows)
		kvm_view_tasks(ui, order, kv->sel, y, top + rows - y, cols);
}

static bool
kvm_view_key(struct ui *ui, void *state, int key)
{
	struct kvm_view *kv = state;
	size_t n = ui->profile->kvm ? ui->profile->kvm->nreasons : 0;

	switch (key) {
	case KEY_UP:
	case 'k':
		if (kv->sel > 0)
			kv->sel--;
		return true;
	case KEY_DOWN:
	case 'j':
		if (kv->sel + 1 < n)
			kv->sel++;
		return true;
	default:
		return false;
	}
}

/* The KVM tab shows only for a profile that recorded KVM exits. */
static bool
kvm_view_hidden(const struct ui *ui)
{
	return ui->profile->kvm == NULL;
}

const struct view_ops kvm_view_ops = {
	.name = "KVM",
	.keys = "Up Down   choose an exit reason (j k): the threads show its exits\n"
		"K 6       this view (recorded with --kvm)\n",
	.init = kvm_view_init,
	.fini = kvm_view_fini,
	.draw = kvm_view_draw,
	.key = kvm_view_key,
	.hidden = kvm_view_hidden,
};
