// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The annotations a page carries: the hottest functions' source lines and instructions (sym/
 * annotate, read from the files on this machine when the page is written), as the JSON of the
 * page's "ringside-annotate" element. Bounded: HTML_ANNOTATE_FUNCS functions, each at most
 * HTML_ANNOTATE_ROWS rows of source and assembly. A row is [kind, line, hex address, self samples,
 * text, samples at it as a call site].
 */
#include <jansson.h>
#include <stdlib.h>

#include "ringside/export/html.h"
#include "ringside/model/addrtab.h"
#include "ringside/sym/annotate.h"
#include "ringside/util/xalloc.h"

static json_t *
html_annotate_one(const struct profile *p, const struct addrtab_func *fn,
		  const struct annotate_opts *opts)
{
	const struct frame *f = frametab_get(p->frames, fn->frame);
	struct addrtab_entry *e = NULL;
	struct annotate *a;
	json_t *o, *rows = json_array(), *notes = json_array();
	size_t n;

	addrtab_function(p->addrs, fn->frame, &e, &n);
	a = annotate_build(frametab_str(p->frames, f->name), frametab_str(p->frames, f->module),
			   (enum frame_kind)f->kind, e, n, opts);
	free(e);
	for (size_t i = 0; i < a->nnotes; i++)
		json_array_append_new(notes, json_string(a->notes[i]));
	if (a->nmixed > HTML_ANNOTATE_ROWS)
		json_array_append_new(notes, json_sprintf("only the first %u rows are shown",
							  HTML_ANNOTATE_ROWS));
	for (size_t i = 0; i < a->nmixed && i < HTML_ANNOTATE_ROWS; i++) {
		const struct annotate_row *r = &a->mixed[i];
		const char *text = r->text ? r->text : r->file < a->nfiles ? a->files[r->file] : "";
		json_t *row = json_array(), *t = json_string(text);

		json_array_append_new(row, json_string(r->kind == ANNOTATE_SOURCE ? "s" : "i"));
		json_array_append_new(row, json_integer((json_int_t)r->line));
		json_array_append_new(row, json_sprintf("%llx", (unsigned long long)r->addr));
		json_array_append_new(row, json_integer((json_int_t)r->count));
		/* Invalid UTF-8 in a source file makes no JSON string: shown as '?'. */
		json_array_append_new(row, t ? t : json_string("?"));
		json_array_append_new(row, json_integer((json_int_t)r->calls));
		json_array_append_new(rows, row);
	}
	o = json_pack("{s:s, s:s, s:I, s:I, s:o, s:o}", "name", a->function, "module", a->module,
		      "total", (json_int_t)a->total, "calls", (json_int_t)a->calls, "notes", notes,
		      "rows", rows);
	annotate_free(a);
	return o;
}

char *
html_annotate_json(const struct profile *p)
{
	struct addrtab_func *fns;
	struct annotate_opts opts = { 0 };
	json_t *list, *root;
	size_t n;
	char *s;

	if (!p->addrs || !p->frames || addrtab_count(p->addrs) == 0)
		return NULL;
	n = addrtab_functions(p->addrs, &fns);
	list = json_array();
	/* The hottest functions are often in one or two files: each is opened once. */
	opts.cache = annotate_cache_new();
	for (size_t i = 0; i < n && i < HTML_ANNOTATE_FUNCS; i++) {
		json_t *o = html_annotate_one(p, &fns[i], &opts);

		if (o)
			json_array_append_new(list, o);
	}
	annotate_cache_free(opts.cache);
	free(fns);
	root = json_pack("{s:i, s:o}", "max_functions", HTML_ANNOTATE_FUNCS, "functions", list);
	s = root ? json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(root);
	return s;
}
