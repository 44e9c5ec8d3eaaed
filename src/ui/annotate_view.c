// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The annotate view. It holds one annotation (sym/annotate, built through app/annotate_cmd so
 * that the screen and `ringside annotate` show the same thing) and draws one of its row lists:
 * source and instructions mixed, source only or instructions only. The hottest row of the list's
 * kind is highlighted; Tab walks the rows from the hottest down; / searches the rows' text.
 */
#include <curses.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/annotate_cmd.h"
#include "ringside/ui/annotate_view.h"
#include "ringside/ui/draw.h"
#include "ringside/util/xalloc.h"

#define ANNOTATE_VIEW_QUERY_MAX 63
/* How often the live screen counts the samples again. */
#define ANNOTATE_VIEW_REFRESH_NS 1000000000ull

enum annotate_view_mode { AV_MIXED, AV_SOURCE, AV_ASM, AV_NMODES };

static const char *const annotate_view_mode_names[AV_NMODES] = { "source and assembly", "source",
								 "assembly" };

struct annotate_view {
	uint32_t frame;
	struct annotate *a;
	enum annotate_view_mode mode;
	size_t cursor, top;
	size_t rank; /* Tab: the rank of the row shown last, by samples */
	bool typing;
	char query[ANNOTATE_VIEW_QUERY_MAX + 1];
	uint64_t counted; /* ui_now of the last count */
	int rows_shown;
};

const char annotate_view_keys[] =
	"a         (flame, overview) annotate the selected function (overview: the hottest)\n"
	"          in it: m source+asm / source / asm, Tab next hottest line, / search,\n"
	"          n next match, Up Down PgUp PgDn Home End move, Esc or q back\n";

static struct annotate_row *
annotate_view_rows(const struct annotate_view *av, size_t *n)
{
	switch (av->mode) {
	case AV_SOURCE:
		*n = av->a->nsource;
		return av->a->source;
	case AV_ASM:
		*n = av->a->ninsns;
		return av->a->insns;
	default:
		*n = av->a->nmixed;
		return av->a->mixed;
	}
}

/* The kind whose rows carry the shares that matter: lines, unless only instructions show. */
static enum annotate_kind
annotate_view_kind(const struct annotate_view *av)
{
	return av->mode == AV_ASM || av->a->nsource == 0 ? ANNOTATE_ASM : ANNOTATE_SOURCE;
}

void
annotate_view_open(struct ui *ui, uint32_t frame)
{
	const struct profile *p = ui->profile;
	struct annotate_view *av;
	size_t n, hot;
	struct annotate_row *rows;

	if (!p->frames || frame >= frametab_nframes(p->frames) ||
	    frametab_get(p->frames, frame)->kind < FRAME_KERNEL ||
	    frametab_get(p->frames, frame)->kind >= FRAME_OTHER) {
		ui_message(ui, false, "annotate: select a function");
		return;
	}
	if (!p->addrs) {
		ui_message(ui, false,
			   "annotate: this snapshot keeps no sampled addresses "
			   "(recorded before annotate existed)");
		return;
	}
	annotate_view_close(ui);
	/* Kept until the screen ends: another function of the same file opens at once. */
	if (!ui->annotate_opts.cache)
		ui->annotate_opts.cache = annotate_cache_new();
	av = xcalloc(1, sizeof(*av));
	av->frame = frame;
	av->a = annotate_cmd_frame(p, frame, &ui->annotate_opts);
	av->counted = ui_now();
	rows = annotate_view_rows(av, &n);
	hot = annotate_hottest(rows, n, annotate_view_kind(av));
	av->cursor = hot == SIZE_MAX ? 0 : hot;
	av->top = av->cursor > 5 ? av->cursor - 5 : 0;
	ui->annotate = av;
	ui->dirty = true;
}

void
annotate_view_fini(struct ui *ui)
{
	annotate_view_close(ui);
	annotate_cache_free(ui->annotate_opts.cache);
	ui->annotate_opts.cache = NULL;
}

void
annotate_view_close(struct ui *ui)
{
	struct annotate_view *av = ui->annotate;

	if (!av)
		return;
	annotate_free(av->a);
	free(av);
	ui->annotate = NULL;
	ui->dirty = true;
}

/* Live: the counts again from the profile, once a second, unless frozen. */
static void
annotate_view_refresh(struct ui *ui, struct annotate_view *av)
{
	struct addrtab_entry *e;
	uint32_t target;
	size_t n;

	if (!ui->session || ui->frozen || !ui->profile->addrs ||
	    ui_now() - av->counted < ANNOTATE_VIEW_REFRESH_NS)
		return;
	av->counted = ui_now();
	target = annotate_cmd_target(ui->profile, av->frame);
	if (target == UINT32_MAX)
		return;
	addrtab_function(ui->profile->addrs, target, &e, &n);
	annotate_recount(av->a, e, n);
	free(e);
}

/* s with tabs expanded to 8 columns, into buf. */
static const char *
annotate_view_expand(const char *s, char *buf, size_t size)
{
	size_t k = 0;

	for (; s && *s && k + 9 < size; s++) {
		if (*s != '\t') {
			buf[k++] = *s;
			continue;
		}
		do
			buf[k++] = ' ';
		while (k % 8 != 0);
	}
	buf[k] = '\0';
	return buf;
}

static void
annotate_view_row(struct ui *ui, const struct annotate_view *av, const struct annotate_row *r,
		  int y, int cols, attr_t attr)
{
	const struct annotate *a = av->a;
	char text[1024], head[64];

	/* Self, then with callees (the call sites' samples added). */
	if (r->count || r->calls)
		snprintf(head, sizeof(head), "%6.2f%% %6.2f%% ", annotate_pct(r->count, a->total),
			 annotate_pct(r->count + r->calls, a->total + a->calls));
	else
		snprintf(head, sizeof(head), "%16s", "");
	draw_fill(y, 0, cols, attr);
	draw_text(ui, y, 1, 17, attr, head);
	if (r->kind == ANNOTATE_SOURCE) {
		const char *t = r->text ? r->text : a->files[r->file];

		draw_textf(ui, y, 18, cols - 19, attr | A_BOLD, "%5" PRIu32 "  %s", r->line,
			   annotate_view_expand(t, text, sizeof(text)));
	} else {
		draw_textf(ui, y, 18, cols - 19, attr, "%*s%8" PRIx64 ":  %s",
			   av->mode == AV_MIXED ? 7 : 0, "", r->addr,
			   annotate_view_expand(r->text, text, sizeof(text)));
	}
}

/* The title, the notes and the key line; returns the rows used. */
static int
annotate_view_head(struct ui *ui, const struct annotate_view *av, int y, int cols)
{
	const struct annotate *a = av->a;
	int used = 0;

	draw_textf(ui, y, 1, cols - 2, draw_attr(ui, THEME_HEADER) | A_BOLD,
		   "annotate %s  %s  %" PRIu64 " samples  (%s)  +callees %" PRIu64, a->function,
		   a->module, a->total, annotate_view_mode_names[av->mode], a->total + a->calls);
	used++;
	for (size_t i = 0; i < a->nnotes && i < 3; i++)
		draw_text(ui, y + used++, 1, cols - 2, draw_attr(ui, THEME_WARN), a->notes[i]);
	if (av->typing)
		draw_textf(ui, y + used, 1, cols - 2, draw_attr(ui, THEME_NORMAL) | A_BOLD,
			   "search: %s_   (Enter: find, Esc: cancel)", av->query);
	else
		draw_text(ui, y + used, 1, cols - 2, draw_attr(ui, THEME_DIM),
			  "self, +callees   m mode  Tab next hottest  / search  n next match  Esc "
			  "back");
	return used + 1;
}

void
annotate_view_draw(struct ui *ui, int top, int rows, int cols)
{
	struct annotate_view *av = ui->annotate;
	struct annotate_row *r;
	size_t n, hot;
	int head, body;

	annotate_view_refresh(ui, av);
	r = annotate_view_rows(av, &n);
	hot = annotate_hottest(r, n, annotate_view_kind(av));
	head = annotate_view_head(ui, av, top, cols);
	body = rows - head;
	av->rows_shown = body > 0 ? body : 1;
	if (av->cursor >= n)
		av->cursor = n ? n - 1 : 0;
	if (av->cursor < av->top)
		av->top = av->cursor;
	if (body > 0 && av->cursor >= av->top + (size_t)body)
		av->top = av->cursor - (size_t)body + 1;
	if (n == 0)
		draw_text(ui, top + head, 1, cols - 2, draw_attr(ui, THEME_DIM), "nothing to show");
	for (int i = 0; i < body && av->top + (size_t)i < n; i++) {
		size_t k = av->top + (size_t)i;
		attr_t attr = draw_attr(ui, r[k].count || r[k].calls ? THEME_NORMAL : THEME_DIM);

		if (k == hot)
			attr = draw_attr(ui, THEME_MATCH) | A_BOLD;
		if (k == av->cursor)
			attr = draw_attr(ui, THEME_SELECT);
		annotate_view_row(ui, av, &r[k], top + head + i, cols, attr);
	}
}

/* The row of rank av->rank among the rows of the main kind by samples (most first). */
static void
annotate_view_next_hot(struct ui *ui, struct annotate_view *av)
{
	size_t n, nhot = 0, *order;
	struct annotate_row *r = annotate_view_rows(av, &n);
	enum annotate_kind kind = annotate_view_kind(av);

	order = xcalloc(n + 1, sizeof(*order));
	for (size_t i = 0; i < n; i++)
		if (r[i].kind == kind && r[i].count)
			order[nhot++] = i;
	if (nhot == 0) {
		ui_message(ui, false, "annotate: no line has samples");
		free(order);
		return;
	}
	/* Insertion sort: stable, so equal shares keep their order in the function. */
	for (size_t i = 1; i < nhot; i++)
		for (size_t j = i; j > 0 && r[order[j]].count > r[order[j - 1]].count; j--) {
			size_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	av->rank = (av->rank + 1) % nhot;
	av->cursor = order[av->rank];
	free(order);
}

/* Move to the next row (after the cursor, wrapping) whose text has the query. */
static void
annotate_view_find(struct ui *ui, struct annotate_view *av)
{
	size_t n;
	struct annotate_row *r = annotate_view_rows(av, &n);

	if (!av->query[0]) {
		ui_message(ui, false, "no search: / searches the lines and instructions");
		return;
	}
	for (size_t i = 1; i <= n; i++) {
		size_t k = (av->cursor + i) % n;

		if (r[k].text && strcasestr(r[k].text, av->query)) {
			av->cursor = k;
			return;
		}
	}
	ui_message(ui, false, "annotate: nothing matches '%s'", av->query);
}

static bool
annotate_view_prompt(struct ui *ui, struct annotate_view *av, int key)
{
	size_t len = strlen(av->query);

	switch (key) {
	case 27:
		av->typing = false;
		av->query[0] = '\0';
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		av->typing = false;
		annotate_view_find(ui, av);
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (len)
			av->query[len - 1] = '\0';
		break;
	default:
		if (key >= 0x20 && key <= 0x7e && len < ANNOTATE_VIEW_QUERY_MAX) {
			av->query[len] = (char)key;
			av->query[len + 1] = '\0';
		}
	}
	return true;
}

/* Up, Down, pages, ends: true when key was one. */
static bool
annotate_view_move(struct annotate_view *av, int key)
{
	size_t n, page = av->rows_shown > 1 ? (size_t)av->rows_shown - 1 : 1;

	annotate_view_rows(av, &n);
	switch (key) {
	case KEY_UP:
		av->cursor -= av->cursor > 0;
		return true;
	case KEY_DOWN:
		av->cursor += av->cursor + 1 < n;
		return true;
	case KEY_PPAGE:
		av->cursor = av->cursor > page ? av->cursor - page : 0;
		return true;
	case KEY_NPAGE:
		av->cursor = av->cursor + page < n ? av->cursor + page : (n ? n - 1 : 0);
		return true;
	case KEY_HOME:
		av->cursor = 0;
		return true;
	case KEY_END:
		av->cursor = n ? n - 1 : 0;
		return true;
	default:
		return false;
	}
}

bool
annotate_view_key(struct ui *ui, int key)
{
	struct annotate_view *av = ui->annotate;
	size_t n, hot;
	struct annotate_row *r;

	if (av->typing)
		return annotate_view_prompt(ui, av, key);
	if (annotate_view_move(av, key))
		return true;
	switch (key) {
	case 27:
	case 'q':
	case KEY_BACKSPACE:
	case 127:
	case 8:
		annotate_view_close(ui);
		return true;
	case 'm':
		av->mode = (av->mode + 1) % AV_NMODES;
		r = annotate_view_rows(av, &n);
		hot = annotate_hottest(r, n, annotate_view_kind(av));
		av->cursor = hot == SIZE_MAX ? 0 : hot;
		av->rank = 0;
		return true;
	case '\t':
		annotate_view_next_hot(ui, av);
		return true;
	case '/':
		av->typing = true;
		av->query[0] = '\0';
		return true;
	case 'n':
		annotate_view_find(ui, av);
		return true;
	case ' ':
	case 's':
	case 'h':
	case '?':
	case KEY_F(1):
	case KEY_F(10):
	case 12:
		return false; /* the screen's: freeze, save, help, quit, redraw */
	default:
		return true; /* the views' keys wait until the annotation closes */
	}
}
