// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The flamegraph's view-model. An update resolves the filter, zoom and selection paths against the
 * tree, lays out the zoomed node's subtree breadth first (each row comes out in column order, so
 * the cells need no sorting), and walks the base's whole subtree once for the search's share. Only
 * nodes at least a column wide are visited for the layout, so its cost follows the screen, not the
 * tree; the search walk is linear in the base's subtree, with a per-frame cache of the name test.
 * Every cell records its parent's cell: selection and zoom take their paths from the layout alone,
 * so they stay right even when the tree was compacted between an update and a key.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "ringside/view/flame.h"

/* A frame path from the root (the root's frame not included). */
struct flame_path {
	uint32_t *f;
	size_t n, cap;
};

/* A child being ordered for the layout. */
struct flame_kid {
	const char *name;
	uint32_t line, frame, node;
	uint64_t count;
};

enum { FLAME_MATCH_UNKNOWN, FLAME_MATCH_YES, FLAME_MATCH_NO };

struct flame {
	/* The frozen copy of the tree, laid out instead of the given tree while frozen, with its
	 * window counts when the tree had a window (NULL: the window is the whole recording). */
	struct stacktree_node *copy;
	struct stacktree_win *wcopy;
	size_t ncopy;
	bool frozen;
	/* The tree of the update under way (NULL while frozen). */
	const struct stacktree *tree;
	const struct frametab *ft;

	bool window;
	char *query;
	uint8_t *match; /* per frame id: enum FLAME_MATCH_* */
	size_t match_cap;
	struct flame_filter filter; /* n = 0: none */
	struct flame_path zoom, sel;
	struct flame_path *history; /* zooms to go back to */
	size_t nhistory, history_cap;

	struct flame_cell *cells;
	size_t ncells, cells_cap;
	size_t *row_first; /* nrows + 1 entries */
	unsigned nrows;
	size_t rows_cap;
	uint64_t base_total, match_total;
	size_t match_nodes;
	struct flame_path best; /* the last update's heaviest match's path (flame_zoom_match) */
	bool has_best;
	unsigned zoom_depth;
	long selected;

	struct flame_kid *kids;
	size_t kids_cap;
	uint32_t *stack;
	size_t stack_cap;
};

static void
flame_path_set(struct flame_path *p, const uint32_t *f, size_t n)
{
	if (n > p->cap) {
		p->cap = n + 16;
		p->f = xreallocarray(p->f, p->cap, sizeof(*p->f));
	}
	if (n)
		memcpy(p->f, f, n * sizeof(*f));
	p->n = n;
}

static void
flame_path_fini(struct flame_path *p)
{
	free(p->f);
	memset(p, 0, sizeof(*p));
}

struct flame *
flame_new(void)
{
	struct flame *fl = xcalloc(1, sizeof(*fl));

	fl->selected = -1;
	return fl;
}

void
flame_free(struct flame *fl)
{
	if (!fl)
		return;
	free(fl->copy);
	free(fl->wcopy);
	free(fl->query);
	free(fl->match);
	flame_path_fini(&fl->zoom);
	flame_path_fini(&fl->sel);
	flame_path_fini(&fl->best);
	for (size_t i = 0; i < fl->history_cap; i++)
		flame_path_fini(&fl->history[i]);
	free(fl->history);
	free(fl->cells);
	free(fl->row_first);
	free(fl->kids);
	free(fl->stack);
	free(fl);
}

void
flame_freeze(struct flame *fl, const struct stacktree *t)
{
	size_t n = t ? stacktree_nnodes(t) : 0;

	free(fl->copy);
	free(fl->wcopy);
	fl->copy = n ? xreallocarray(NULL, n, sizeof(*fl->copy)) : NULL;
	fl->wcopy = n && stacktree_windowed(t) ? xreallocarray(NULL, n, sizeof(*fl->wcopy)) : NULL;
	for (size_t id = 0; id < n; id++) {
		fl->copy[id] = *stacktree_node(t, (uint32_t)id);
		if (fl->wcopy)
			fl->wcopy[id] = stacktree_win(t, (uint32_t)id);
	}
	fl->ncopy = n;
	fl->frozen = true;
}

void
flame_thaw(struct flame *fl)
{
	free(fl->copy);
	free(fl->wcopy);
	fl->copy = NULL;
	fl->wcopy = NULL;
	fl->ncopy = 0;
	fl->frozen = false;
}

bool
flame_frozen(const struct flame *fl)
{
	return fl->frozen;
}

void
flame_set_window(struct flame *fl, bool window)
{
	fl->window = window;
}

bool
flame_window(const struct flame *fl)
{
	return fl->window;
}

void
flame_set_search(struct flame *fl, const char *query)
{
	free(fl->query);
	fl->query = query && *query ? xstrdup(query) : NULL;
	fl->has_best = false;
	if (fl->match)
		memset(fl->match, FLAME_MATCH_UNKNOWN, fl->match_cap);
}

const char *
flame_search(const struct flame *fl)
{
	return fl->query;
}

static void
flame_clear_zoom(struct flame *fl)
{
	fl->zoom.n = 0;
	fl->nhistory = 0;
}

void
flame_set_filter(struct flame *fl, const struct flame_filter *f)
{
	memset(&fl->filter, 0, sizeof(fl->filter));
	if (f && f->n > 0 && f->n <= 2)
		fl->filter = *f;
	flame_clear_zoom(fl);
	flame_path_set(&fl->sel, fl->filter.path, fl->filter.n);
}

const struct flame_filter *
flame_filter(const struct flame *fl)
{
	return fl->filter.n ? &fl->filter : NULL;
}

/* The node id of the tree laid out, or NULL past its end (or with no tree). */
static const struct stacktree_node *
flame_node(const struct flame *fl, const struct stacktree *t, uint32_t id)
{
	if (fl->frozen)
		return id < fl->ncopy ? &fl->copy[id] : NULL;
	return t ? stacktree_node(t, id) : NULL;
}

/* Node id's (n, from flame_node) counts as laid out: cumulative, or within the window. */
static struct stacktree_win
flame_counts(const struct flame *fl, const struct stacktree *t, uint32_t id,
	     const struct stacktree_node *n)
{
	if (!fl->window || (fl->frozen && !fl->wcopy))
		return (struct stacktree_win){ n->self, n->total };
	return fl->frozen ? fl->wcopy[id] : stacktree_win(t, id);
}

static uint64_t
flame_count(const struct flame *fl, const struct stacktree *t, uint32_t id,
	    const struct stacktree_node *n)
{
	return fl->window ? flame_counts(fl, t, id, n).total : n->total;
}

/* The child of parent for frame, or STACKTREE_NONE. */
static uint32_t
flame_child(const struct flame *fl, const struct stacktree *t, uint32_t parent, uint32_t frame)
{
	const struct stacktree_node *p;

	if (!fl->frozen)
		return t ? stacktree_child(t, parent, frame) : STACKTREE_NONE;
	p = flame_node(fl, t, parent);
	for (uint32_t c = p ? p->first_child : STACKTREE_NONE; c != STACKTREE_NONE;
	     c = fl->copy[c].next_sibling)
		if (fl->copy[c].frame == frame)
			return c;
	return STACKTREE_NONE;
}

static int
flame_by_count(const void *a, const void *b)
{
	const struct flame_filter *x = a, *y = b;

	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return x->path[x->n - 1] < y->path[y->n - 1] ? -1 : x->path[x->n - 1] > y->path[y->n - 1];
}

/* The children of node with samples, as filters below prefix (n frames), most samples first. */
static size_t
flame_filters_of(const struct flame *fl, const struct stacktree *t, uint32_t node,
		 const uint32_t *prefix, size_t n, struct flame_filter **out, size_t *cap)
{
	const struct stacktree_node *p = flame_node(fl, t, node);
	size_t k = 0;

	for (uint32_t c = p ? p->first_child : STACKTREE_NONE; c != STACKTREE_NONE;
	     c = flame_node(fl, t, c)->next_sibling) {
		const struct stacktree_node *cn = flame_node(fl, t, c);
		struct flame_filter *f;

		if (!flame_count(fl, t, c, cn))
			continue;
		if (k == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*out = xreallocarray(*out, *cap, sizeof(**out));
		}
		f = &(*out)[k++];
		memset(f, 0, sizeof(*f));
		for (size_t i = 0; i < n; i++)
			f->path[i] = prefix[i];
		f->path[n] = cn->frame;
		f->n = n + 1;
		f->total = flame_count(fl, t, c, cn);
	}
	if (k > 1)
		qsort(*out, k, sizeof(**out), flame_by_count);
	return k;
}

size_t
flame_filters(const struct flame *fl, const struct stacktree *t, struct flame_filter *out,
	      size_t max)
{
	struct flame_filter *procs = NULL, *threads = NULL;
	size_t pcap = 0, tcap = 0, np, k = 0;

	if (!flame_node(fl, t, STACKTREE_ROOT))
		return 0;
	np = flame_filters_of(fl, t, STACKTREE_ROOT, NULL, 0, &procs, &pcap);
	for (size_t i = 0; i < np && k < max; i++) {
		uint32_t pnode = flame_child(fl, t, STACKTREE_ROOT, procs[i].path[0]);
		size_t nt;

		out[k++] = procs[i];
		nt = flame_filters_of(fl, t, pnode, procs[i].path, 1, &threads, &tcap);
		for (size_t j = 0; nt > 1 && j < nt && k < max; j++)
			out[k++] = threads[j];
	}
	free(procs);
	free(threads);
	return k;
}

/* Does the frame's name hold the query, ignoring ASCII case? Cached per frame. */
static bool
flame_matches(struct flame *fl, uint32_t frame)
{
	const struct frame *f;
	const char *name, *q = fl->query;
	bool yes = false;

	if (!q)
		return false;
	if (frame >= fl->match_cap) {
		size_t cap =
			frametab_nframes(fl->ft) > frame ? frametab_nframes(fl->ft) : frame + 1;

		cap += cap / 2 + 64;
		fl->match = xreallocarray(fl->match, cap, 1);
		memset(fl->match + fl->match_cap, FLAME_MATCH_UNKNOWN, cap - fl->match_cap);
		fl->match_cap = cap;
	}
	if (fl->match[frame] != FLAME_MATCH_UNKNOWN)
		return fl->match[frame] == FLAME_MATCH_YES;
	f = frametab_get(fl->ft, frame);
	if (f && f->kind != FRAME_ROOT) {
		size_t qn = strlen(q);

		name = frametab_str(fl->ft, f->name);
		for (const char *s = name; !yes && strlen(s) >= qn; s++)
			yes = strncasecmp(s, q, qn) == 0;
	}
	fl->match[frame] = yes ? FLAME_MATCH_YES : FLAME_MATCH_NO;
	return yes;
}

static void
flame_push(struct flame *fl, size_t *n, uint32_t v)
{
	if (*n == fl->stack_cap) {
		fl->stack_cap = fl->stack_cap ? fl->stack_cap * 2 : 256;
		fl->stack = xreallocarray(fl->stack, fl->stack_cap, sizeof(*fl->stack));
	}
	fl->stack[(*n)++] = v;
}

/* Note node id's path (frames, root's child first) as the heaviest match's. */
static void
flame_note_best(struct flame *fl, const struct stacktree *t, uint32_t id)
{
	size_t depth = 0;

	for (uint32_t i = id; flame_node(fl, t, i)->parent != STACKTREE_NONE;
	     i = flame_node(fl, t, i)->parent)
		depth++;
	if (depth > fl->best.cap) {
		fl->best.cap = depth + 16;
		fl->best.f = xreallocarray(fl->best.f, fl->best.cap, sizeof(*fl->best.f));
	}
	fl->best.n = depth;
	for (uint32_t i = id, k = (uint32_t)depth; k > 0; i = flame_node(fl, t, i)->parent)
		fl->best.f[--k] = flame_node(fl, t, i)->frame;
	fl->has_best = true;
}

/*
 * The search's share: every node with samples under base is tested; a match adds its samples
 * unless an ancestor matched (the top bit of a stack entry says "inside a match"). The match with
 * the most samples is noted for flame_zoom_match.
 */
static void
flame_search_walk(struct flame *fl, const struct stacktree *t, uint32_t base)
{
	const uint32_t inside = 1u << 31;
	uint32_t best = STACKTREE_NONE;
	uint64_t most = 0;
	size_t n = 0;

	fl->match_total = 0;
	fl->match_nodes = 0;
	fl->has_best = false;
	if (!fl->query)
		return;
	flame_push(fl, &n, base);
	while (n) {
		uint32_t e = fl->stack[--n], id = e & ~inside;
		const struct stacktree_node *node = flame_node(fl, t, id);
		bool in = e & inside;
		uint64_t count = node ? flame_count(fl, t, id, node) : 0;

		if (!count)
			continue;
		if (flame_matches(fl, node->frame)) {
			fl->match_nodes++;
			if (!in)
				fl->match_total += count;
			if (count > most) {
				most = count;
				best = id;
			}
			in = true;
		}
		for (uint32_t c = node->first_child; c != STACKTREE_NONE;
		     c = flame_node(fl, t, c)->next_sibling)
			flame_push(fl, &n, c | (in ? inside : 0));
	}
	if (best != STACKTREE_NONE)
		flame_note_best(fl, t, best);
}

static struct flame_cell *
flame_add_cell(struct flame *fl)
{
	if (fl->ncells == fl->cells_cap) {
		fl->cells_cap = fl->cells_cap ? fl->cells_cap * 2 : 256;
		fl->cells = xreallocarray(fl->cells, fl->cells_cap, sizeof(*fl->cells));
	}
	memset(&fl->cells[fl->ncells], 0, sizeof(*fl->cells));
	return &fl->cells[fl->ncells++];
}

static int
flame_by_name(const void *a, const void *b)
{
	const struct flame_kid *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->frame < y->frame ? -1 : x->frame > y->frame;
}

/* The children of node with samples, ordered by name, into fl->kids; returns how many. */
static size_t
flame_kids(struct flame *fl, const struct stacktree *t, uint32_t node)
{
	const struct stacktree_node *p = flame_node(fl, t, node);
	size_t k = 0;

	for (uint32_t c = p->first_child; c != STACKTREE_NONE;
	     c = flame_node(fl, t, c)->next_sibling) {
		const struct stacktree_node *cn = flame_node(fl, t, c);
		const struct frame *f = frametab_get(fl->ft, cn->frame);
		uint64_t count = flame_count(fl, t, c, cn);

		if (!count)
			continue;
		if (k == fl->kids_cap) {
			fl->kids_cap = fl->kids_cap ? fl->kids_cap * 2 : 64;
			fl->kids = xreallocarray(fl->kids, fl->kids_cap, sizeof(*fl->kids));
		}
		fl->kids[k++] = (struct flame_kid){
			.name = f ? frametab_str(fl->ft, f->name) : "",
			.line = f ? f->line : 0,
			.frame = cn->frame,
			.node = c,
			.count = count,
		};
	}
	if (k > 1)
		qsort(fl->kids, k, sizeof(*fl->kids), flame_by_name);
	return k;
}

/* The column of sample offset o when total samples span width columns. */
static int
flame_col(uint64_t o, uint64_t total, int width)
{
	double x = (double)o * width / (double)total;

	return x >= width ? width : (int)x;
}

/* The zoomed node's subtree, breadth first from its cell (the last one added). */
static void
flame_layout(struct flame *fl, const struct stacktree *t, int width)
{
	uint64_t ztotal = fl->cells[fl->ncells - 1].total;

	for (size_t q = fl->ncells - 1; q < fl->ncells; q++) {
		uint32_t node = fl->cells[q].node;
		uint64_t off = fl->cells[q].offset;
		unsigned depth = fl->cells[q].depth + 1;
		size_t k = flame_kids(fl, t, node);

		for (size_t i = 0; i < k; i++) {
			const struct flame_kid *kid = &fl->kids[i];
			int x0 = flame_col(off, ztotal, width),
			    x1 = flame_col(off + kid->count, ztotal, width);

			/* A frame narrower than a column is left out, as flamegraph.pl does. */
			if (x1 > x0 && (double)kid->count * width >= (double)ztotal) {
				struct flame_cell *c = flame_add_cell(fl);
				const struct stacktree_node *kn = flame_node(fl, t, kid->node);

				c->node = kid->node;
				c->frame = kid->frame;
				c->depth = depth;
				c->x = x0;
				c->width = x1 - x0;
				c->total = kid->count;
				c->self = flame_counts(fl, t, kid->node, kn).self;
				c->offset = off;
				c->parent = (long)q;
			}
			off += kid->count;
		}
	}
}

/* Index the rows: cells come ordered by depth. */
static void
flame_index_rows(struct flame *fl)
{
	fl->nrows = fl->ncells ? fl->cells[fl->ncells - 1].depth + 1 : 0;
	if (fl->nrows + 1 > fl->rows_cap) {
		fl->rows_cap = fl->nrows + 64;
		fl->row_first = xreallocarray(fl->row_first, fl->rows_cap, sizeof(*fl->row_first));
	}
	for (unsigned d = 0, i = 0; d <= fl->nrows; d++) {
		while (i < fl->ncells && fl->cells[i].depth < d)
			i++;
		fl->row_first[d] = i;
	}
}

/* The cell of node in row depth, or -1. */
static long
flame_find(const struct flame *fl, unsigned depth, uint32_t node)
{
	size_t first, n = flame_row(fl, depth, &first);

	for (size_t i = first; i < first + n; i++)
		if (fl->cells[i].node == node)
			return (long)i;
	return -1;
}

/* The selected cell: the deepest node of the selection's path that has a cell. */
static long
flame_resolve_selection(const struct flame *fl, const struct stacktree *t)
{
	long best = fl->ncells ? 0 : -1;
	uint32_t node = STACKTREE_ROOT;

	for (size_t i = 0; best >= 0 && i < fl->sel.n; i++) {
		long c;

		node = flame_child(fl, t, node, fl->sel.f[i]);
		if (node == STACKTREE_NONE)
			break;
		c = flame_find(fl, (unsigned)i + 1, node);
		if (c < 0)
			break;
		best = c;
	}
	return best;
}

void
flame_update(struct flame *fl, const struct stacktree *t, const struct frametab *ft, int width)
{
	const struct stacktree_node *root;
	uint32_t base = STACKTREE_ROOT, zoom, *chain;
	size_t nchain = 0;
	struct flame_cell *c;

	fl->ft = ft;
	fl->ncells = 0;
	fl->base_total = fl->match_total = 0;
	fl->match_nodes = 0;
	fl->has_best = false;
	fl->zoom_depth = 0;
	fl->selected = -1;
	root = flame_node(fl, t, STACKTREE_ROOT);
	if (!root || !ft || width <= 0)
		goto out;
	for (size_t i = 0; i < fl->filter.n && base != STACKTREE_NONE; i++)
		base = flame_child(fl, t, base, fl->filter.path[i]);
	if (base == STACKTREE_NONE || !flame_count(fl, t, base, flame_node(fl, t, base)))
		goto out;
	fl->base_total = flame_count(fl, t, base, flame_node(fl, t, base));
	flame_search_walk(fl, t, base);

	/* The zoom: the deepest node of its path with samples, if the path extends the filter's. */
	zoom = base;
	fl->zoom_depth = (unsigned)fl->filter.n;
	if (fl->zoom.n > fl->filter.n &&
	    memcmp(fl->zoom.f, fl->filter.path, fl->filter.n * sizeof(uint32_t)) == 0) {
		for (size_t i = fl->filter.n; i < fl->zoom.n; i++) {
			uint32_t z = flame_child(fl, t, zoom, fl->zoom.f[i]);

			if (z == STACKTREE_NONE || !flame_count(fl, t, z, flame_node(fl, t, z)))
				break;
			zoom = z;
			fl->zoom_depth = (unsigned)i + 1;
		}
	}

	/* The zoomed node and its ancestors, full width. */
	chain = xreallocarray(NULL, fl->zoom_depth + 1, sizeof(*chain));
	for (uint32_t id = zoom; id != STACKTREE_NONE; id = flame_node(fl, t, id)->parent)
		chain[nchain++] = id;
	for (size_t i = nchain; i-- > 0;) {
		const struct stacktree_node *n = flame_node(fl, t, chain[i]);
		struct stacktree_win k = flame_counts(fl, t, chain[i], n);

		c = flame_add_cell(fl);
		c->node = chain[i];
		c->frame = n->frame;
		c->depth = (unsigned)(nchain - 1 - i);
		c->x = 0;
		c->width = width;
		c->total = k.total;
		c->self = k.self;
		c->parent = (long)fl->ncells - 2;
		c->flags = i ? FLAME_ANCESTOR : FLAME_ZOOM;
	}
	free(chain);
	flame_layout(fl, t, width);
	for (size_t i = 0; i < fl->ncells; i++)
		if (flame_matches(fl, fl->cells[i].frame))
			fl->cells[i].flags |= FLAME_MATCH;
out:
	flame_index_rows(fl);
	fl->selected = flame_resolve_selection(fl, t);
}

const struct flame_cell *
flame_cells(const struct flame *fl, size_t *n)
{
	*n = fl->ncells;
	return fl->cells;
}

size_t
flame_cell_path(const struct flame *fl, long i, uint32_t *out, size_t max)
{
	const struct flame_cell *c = fl->cells;
	size_t n = 0;

	if (i < 0 || (size_t)i >= fl->ncells)
		return 0;
	/* Count the frames kept, then fill them in from the cell's end: no reversal needed. */
	for (long j = i; j >= 0 && c[j].depth > 0 && n < max; j = c[j].parent)
		n++;
	for (size_t k = n; k > 0; i = c[i].parent)
		out[--k] = c[i].frame;
	return n;
}

unsigned
flame_rows(const struct flame *fl)
{
	return fl->nrows;
}

size_t
flame_row(const struct flame *fl, unsigned depth, size_t *first)
{
	if (depth >= fl->nrows) {
		*first = fl->ncells;
		return 0;
	}
	*first = fl->row_first[depth];
	return fl->row_first[depth + 1] - fl->row_first[depth];
}

uint64_t
flame_base_total(const struct flame *fl)
{
	return fl->base_total;
}

uint64_t
flame_match_total(const struct flame *fl)
{
	return fl->match_total;
}

size_t
flame_match_nodes(const struct flame *fl)
{
	return fl->match_nodes;
}

unsigned
flame_zoom_depth(const struct flame *fl)
{
	return fl->zoom_depth;
}

/* The frame path of cell i, from the layout's parent links. */
static void
flame_path_of_cell(struct flame *fl, size_t i, struct flame_path *p)
{
	unsigned depth = fl->cells[i].depth;

	flame_path_set(p, NULL, 0);
	if (depth > p->cap) {
		p->cap = depth + 16;
		p->f = xreallocarray(p->f, p->cap, sizeof(*p->f));
	}
	p->n = flame_cell_path(fl, (long)i, p->f, depth);
}

/* Zoom to the frame path f[0..n) (pushing the zoom left), and select it. */
static void
flame_zoom_path(struct flame *fl, const uint32_t *f, size_t n)
{
	size_t zn = n < fl->filter.n ? 0 : n;

	if (zn != fl->zoom.n || (zn && memcmp(f, fl->zoom.f, zn * 4) != 0)) {
		if (fl->nhistory == fl->history_cap) {
			size_t cap = fl->history_cap ? fl->history_cap * 2 : 8;

			fl->history = xreallocarray(fl->history, cap, sizeof(*fl->history));
			memset(fl->history + fl->history_cap, 0,
			       (cap - fl->history_cap) * sizeof(*fl->history));
			fl->history_cap = cap;
		}
		flame_path_set(&fl->history[fl->nhistory++], fl->zoom.f, fl->zoom.n);
		flame_path_set(&fl->zoom, f, zn);
	}
	flame_path_set(&fl->sel, f, n);
}

bool
flame_zoom_in(struct flame *fl, size_t i)
{
	struct flame_path next = { 0 };

	if (i >= fl->ncells)
		return false;
	flame_path_of_cell(fl, i, &next);
	flame_zoom_path(fl, next.f, next.n);
	flame_path_fini(&next);
	return true;
}

bool
flame_zoom_match(struct flame *fl)
{
	if (!fl->query || !fl->has_best)
		return false;
	flame_zoom_path(fl, fl->best.f, fl->best.n);
	return true;
}

bool
flame_zoom_out(struct flame *fl)
{
	if (fl->nhistory) {
		struct flame_path *h = &fl->history[--fl->nhistory];

		flame_path_set(&fl->zoom, h->f, h->n);
		return true;
	}
	if (fl->zoom.n) {
		fl->zoom.n = 0;
		return true;
	}
	return false;
}

void
flame_reset(struct flame *fl)
{
	flame_clear_zoom(fl);
	memset(&fl->filter, 0, sizeof(fl->filter));
	flame_set_search(fl, NULL);
	fl->sel.n = 0;
}

void
flame_select(struct flame *fl, size_t i)
{
	if (i >= fl->ncells)
		return;
	flame_path_of_cell(fl, i, &fl->sel);
	fl->selected = (long)i;
}

long
flame_selected(const struct flame *fl)
{
	return fl->selected;
}

long
flame_move(const struct flame *fl, size_t i, enum flame_dir dir)
{
	const struct flame_cell *c;
	size_t first, n;

	if (i >= fl->ncells)
		return -1;
	c = &fl->cells[i];
	switch (dir) {
	case FLAME_PARENT:
		return c->parent >= 0 ? c->parent : (long)i;
	case FLAME_CHILD:
		n = flame_row(fl, c->depth + 1, &first);
		for (size_t k = first; k < first + n; k++)
			if (fl->cells[k].parent == (long)i)
				return (long)k;
		return (long)i;
	case FLAME_LEFT:
		return i > 0 && fl->cells[i - 1].depth == c->depth ? (long)i - 1 : (long)i;
	case FLAME_RIGHT:
		return i + 1 < fl->ncells && fl->cells[i + 1].depth == c->depth ? (long)i + 1
										: (long)i;
	}
	return (long)i;
}

long
flame_next_match(const struct flame *fl, size_t i, bool backward)
{
	size_t n = fl->ncells;

	if (!n)
		return -1;
	if (i >= n)
		i = backward ? 0 : n - 1;
	for (size_t k = 1; k <= n; k++) {
		size_t j = backward ? (i + n - k) % n : (i + k) % n;

		if (fl->cells[j].flags & FLAME_MATCH)
			return (long)j;
	}
	return -1;
}

long
flame_cell_at(const struct flame *fl, unsigned depth, int x)
{
	size_t first, n = flame_row(fl, depth, &first);

	for (size_t i = first; i < first + n; i++)
		if (x >= fl->cells[i].x && x < fl->cells[i].x + fl->cells[i].width)
			return (long)i;
	return -1;
}
