// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The diff written out. The folded form names paths as the folded export does (the process's
 * command name first, threads merged into it, ';' and line breaks in names replaced), so each
 * column is exactly that run's own folded export; equal paths are merged and lines sorted. The
 * JSON carries the whole diff: both runs' totals, the tree with A's and B's counts, the frames
 * only A has, the functions by change, the counters and the scheduler tasks.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/diff_export.h"
#include "ringside/export/folded.h"
#include "ringside/export/html.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

struct diff_export_line {
	char *path;
	uint64_t a, b;
};

struct diff_export_fold {
	char **prefix;
	size_t nprefix;
	struct diff_export_line *lines;
	size_t n, cap;
};

static void
diff_export_fold_visit(void *ctx, const struct diff *d, uint32_t id, unsigned depth)
{
	struct diff_export_fold *c = ctx;
	const struct diff_node *n = &d->nodes[id];
	const struct frame *f = frametab_get(d->frames, n->frame);
	const char *parent;

	if (depth >= c->nprefix) {
		size_t old = c->nprefix;

		c->nprefix = (depth + 1) * 2;
		c->prefix = xreallocarray(c->prefix, c->nprefix, sizeof(char *));
		memset(c->prefix + old, 0, (c->nprefix - old) * sizeof(char *));
	}
	free(c->prefix[depth]);
	parent = depth ? c->prefix[depth - 1] : "";
	if (f->kind == FRAME_ROOT) {
		c->prefix[depth] = xstrdup("");
	} else if (f->kind == FRAME_THREAD) {
		c->prefix[depth] = xstrdup(parent);
	} else {
		char *name = folded_frame_name(d->frames, f);

		c->prefix[depth] = *parent ? xasprintf("%s;%s", parent, name) : xstrdup(name);
		free(name);
	}
	if ((n->a_self || n->b_self) && *c->prefix[depth]) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 1024;
			c->lines = xreallocarray(c->lines, c->cap, sizeof(*c->lines));
		}
		c->lines[c->n++] = (struct diff_export_line){ xstrdup(c->prefix[depth]), n->a_self,
							      n->b_self };
	}
}

static int
diff_export_line_cmp(const void *x, const void *y)
{
	return strcmp(((const struct diff_export_line *)x)->path,
		      ((const struct diff_export_line *)y)->path);
}

int
diff_export_folded(const struct diff *d, FILE *fp, struct errbuf *err)
{
	struct diff_export_fold c = { 0 };
	int rc = 0;

	if (!d->a_stacks && !d->b_stacks)
		return errbuf_fail(err, -EINVAL,
				   "neither snapshot has call stacks, so there is no folded diff; "
				   "write the diff as .json or .html for the counters");
	diff_walk(d, diff_export_fold_visit, &c);
	if (c.n > 1)
		qsort(c.lines, c.n, sizeof(*c.lines), diff_export_line_cmp);
	for (size_t i = 0; i < c.n; i++) {
		uint64_t a = c.lines[i].a, b = c.lines[i].b;

		while (i + 1 < c.n && strcmp(c.lines[i].path, c.lines[i + 1].path) == 0) {
			a += c.lines[++i].a;
			b += c.lines[i].b;
		}
		if (fprintf(fp, "%s %" PRIu64 " %" PRIu64 "\n", c.lines[i].path, a, b) < 0)
			rc = -EIO;
	}
	if ((d->a_lost || d->b_lost) &&
	    fprintf(fp, "[lost samples] %" PRIu64 " %" PRIu64 "\n", d->a_lost, d->b_lost) < 0)
		rc = -EIO;
	for (size_t i = 0; i < c.n; i++)
		free(c.lines[i].path);
	free(c.lines);
	for (size_t i = 0; i < c.nprefix; i++)
		free(c.prefix[i]);
	free(c.prefix);
	if (rc < 0)
		errbuf_fail(err, rc, "cannot write the folded diff: %s", strerror(-rc));
	return rc;
}

static json_t *
diff_export_frame(const struct diff *d, uint32_t frame)
{
	const struct frame *f = frametab_get(d->frames, frame);

	return json_pack("{s:s, s:s, s:s}", "name", frametab_str(d->frames, f->name), "module",
			 frametab_str(d->frames, f->module), "kind", frame_kind_name(f->kind));
}

/* s is UTF-8 as jansson takes it (no overlong forms, no surrogates, nothing past U+10FFFF). */
static bool
diff_export_utf8(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n;
		uint32_t cp;

		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p < 0xc2 || *p > 0xf4)
			return false;
		n = *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		cp = *p & (0xff >> (n + 1));
		for (size_t i = 1; i < n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		p += n;
	}
	return true;
}

/* A string as jansson writes it with JSON_ENSURE_ASCII; false for text that is not UTF-8. */
static bool
diff_export_str(FILE *fp, const char *str)
{
	const unsigned char *p = (const unsigned char *)str;

	if (!diff_export_utf8(str))
		return false;
	putc('"', fp);
	while (*p) {
		const unsigned char *run = p;
		uint32_t cp;
		size_t n = 1;

		while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			fwrite(run, 1, (size_t)(p - run), fp);
		if (!*p)
			break;
		cp = *p;

		if (cp >= 0x80) {
			n = cp < 0xe0 ? 2 : cp < 0xf0 ? 3 : 4;
			cp &= 0xff >> (n + 1);
			for (size_t i = 1; i < n; i++)
				cp = cp << 6 | (p[i] & 0x3f);
		}
		p += n;
		if (cp == '"' || cp == '\\')
			fprintf(fp, "\\%c", (int)cp);
		else if (cp == '\b' || cp == '\f' || cp == '\n' || cp == '\r' || cp == '\t')
			fprintf(fp, "\\%c",
				cp == '\b'   ? 'b'
				: cp == '\f' ? 'f'
				: cp == '\n' ? 'n'
				: cp == '\r' ? 'r'
					     : 't');
		else if (cp < 0x20 || (cp > 0x7f && cp < 0x10000))
			fprintf(fp, "\\u%04X", (unsigned)cp);
		else if (cp >= 0x10000)
			fprintf(fp, "\\u%04X\\u%04X", (unsigned)(0xd800 + ((cp - 0x10000) >> 10)),
				(unsigned)(0xdc00 + ((cp - 0x10000) & 0x3ff)));
		else
			putc((int)cp, fp);
	}
	putc('"', fp);
	return true;
}

/* A real as jansson writes it: %.17g, ".0" when it would read as an integer, a bare exponent. */
static void
diff_export_real(FILE *fp, double v)
{
	char b[64], *e, *from;
	int n = snprintf(b, sizeof(b) - 3, "%.17g", v);

	if (n < 0 || (size_t)n >= sizeof(b) - 3)
		return;
	if (!strchr(b, '.') && !strchr(b, 'e'))
		memcpy(b + n, ".0", 3);
	e = strchr(b, 'e');
	if (e) {
		e++;
		from = e + 1;
		if (*e == '-')
			e++;
		while (*from == '0')
			from++;
		memmove(e, from, strlen(from) + 1);
	}
	fputs(b, fp);
}

/*
 * Node id and its subtree in pre-order, each node naming its parent's index (-1 for the root):
 * a flat list, so no reader meets a nesting as deep as the deepest stack (jq 1.6 stops at 256
 * levels, which a nested tree of 127-frame stacks passes). Written as it goes, as jansson would
 * write the objects (a tree of a minute's system-wide samples is too big to build as values
 * first); *count is the number written so far, a node whose names are not UTF-8 left out.
 */
static void
diff_export_node(const struct diff *d, uint32_t id, long long parent, FILE *fp, long long *count)
{
	const struct diff_node *n = &d->nodes[id];
	const struct frame *f = frametab_get(d->frames, n->frame);
	const char *name = frametab_str(d->frames, f->name),
		   *mod = frametab_str(d->frames, f->module);
	long long me = *count;
	double delta = diff_node_delta(d, n);

	if (diff_export_utf8(name) && diff_export_utf8(mod)) {
		fputs(*count ? ",{\"name\":" : "{\"name\":", fp);
		diff_export_str(fp, name);
		fputs(",\"module\":", fp);
		diff_export_str(fp, mod);
		fprintf(fp,
			",\"kind\":\"%s\",\"parent\":%lld,\"a_self\":%lld,\"a_total\":%lld,"
			"\"b_self\":%lld,\"b_total\":%lld",
			frame_kind_name(f->kind), parent, (long long)n->a_self,
			(long long)n->a_total, (long long)n->b_self, (long long)n->b_total);
		if (isfinite(delta)) {
			fputs(",\"delta\":", fp);
			diff_export_real(fp, delta);
		}
		putc('}', fp);
		(*count)++;
	}
	for (uint32_t c = n->first_child; c != DIFF_NONE; c = d->nodes[c].next_sibling)
		diff_export_node(d, c, me, fp, count);
}

/* The path of names from the root's child down to id, joined by ';' (one allocation). */
static char *
diff_export_path(const struct diff *d, uint32_t id)
{
	size_t len = 0, at; /* each name and the ';' after it, the last one's being the '\0' */
	uint32_t i;
	char *s;

	for (i = id; i != DIFF_NONE && i != 0; i = d->nodes[i].parent)
		len += strlen(frametab_str(d->frames,
					   frametab_get(d->frames, d->nodes[i].frame)->name)) +
		       1;
	len += !len;
	s = xmalloc(len);
	at = len - 1;
	s[at] = '\0';
	for (i = id; i != DIFF_NONE && i != 0; i = d->nodes[i].parent) {
		const char *name =
			frametab_str(d->frames, frametab_get(d->frames, d->nodes[i].frame)->name);
		size_t k = strlen(name);

		if (at < len - 1)
			s[--at] = ';';
		at -= k;
		memcpy(s + at, name, k);
	}
	return s;
}

/* The tops of subtrees that only A has: what B no longer runs. */
static json_t *
diff_export_gone(const struct diff *d)
{
	json_t *arr = json_array();

	for (size_t i = 1; i < d->nnodes; i++) {
		const struct diff_node *n = &d->nodes[i];
		char *path;

		if (n->b_total || !n->a_total || d->nodes[n->parent].b_total == 0)
			continue;
		path = diff_export_path(d, (uint32_t)i);
		json_array_append_new(arr, json_pack("{s:s, s:I, s:f}", "stack", path, "a_total",
						     (json_int_t)n->a_total, "delta",
						     diff_node_delta(d, n)));
		free(path);
	}
	return arr;
}

static json_t *
diff_export_funcs(const struct diff *d)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < d->nfuncs; i++) {
		const struct diff_func *f = &d->funcs[i];
		json_t *o = diff_export_frame(d, f->frame);

		json_object_set_new(o, "a_self", json_integer((json_int_t)f->a_self));
		json_object_set_new(o, "b_self", json_integer((json_int_t)f->b_self));
		json_object_set_new(o, "a_total", json_integer((json_int_t)f->a_total));
		json_object_set_new(o, "b_total", json_integer((json_int_t)f->b_total));
		json_object_set_new(o, "self_delta", json_real(f->self_delta));
		json_object_set_new(o, "total_delta", json_real(f->total_delta));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
diff_export_counters(const struct diff *d)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < d->ncounters; i++) {
		const struct diff_counter *c = &d->counters[i];
		json_t *o = json_pack("{s:s, s:b}", "name", c->name, "ratio", c->is_ratio);

		json_object_set_new(o, "a", c->have_a ? json_real(c->a_value) : json_null());
		json_object_set_new(o, "b", c->have_b ? json_real(c->b_value) : json_null());
		json_object_set_new(o, "a_rate", c->have_a ? json_real(c->a_rate) : json_null());
		json_object_set_new(o, "b_rate", c->have_b ? json_real(c->b_rate) : json_null());
		json_object_set_new(o, "a_share", c->have_a ? json_real(c->a_share) : json_null());
		json_object_set_new(o, "b_share", c->have_b ? json_real(c->b_share) : json_null());
		json_object_set_new(o, "delta",
				    c->have_a && c->have_b ? json_real(c->b_value - c->a_value)
							   : json_null());
		json_object_set_new(
			o, "delta_pct",
			c->have_a && c->have_b && c->a_value != 0
				? json_real(100 * (c->b_value - c->a_value) / c->a_value)
				: json_null());
		json_object_set_new(o, "only_in",
				    c->have_a && c->have_b ? json_null()
							   : json_string(c->have_a ? "a" : "b"));
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
diff_export_tasks(const struct diff *d)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < d->ntasks; i++) {
		const struct diff_task *t = &d->tasks[i];
		json_t *o = json_pack("{s:s}", "comm", t->comm);

		json_object_set_new(o, "only_in",
				    t->have_a && t->have_b ? json_null()
							   : json_string(t->have_a ? "a" : "b"));
		json_object_set_new(o, "a_runtime_ns", json_integer((json_int_t)t->a_runtime_ns));
		json_object_set_new(o, "b_runtime_ns", json_integer((json_int_t)t->b_runtime_ns));
		json_object_set_new(o, "a_switches", json_integer((json_int_t)t->a_switches));
		json_object_set_new(o, "b_switches", json_integer((json_int_t)t->b_switches));
		json_object_set_new(o, "a_migrations", json_integer((json_int_t)t->a_migrations));
		json_object_set_new(o, "b_migrations", json_integer((json_int_t)t->b_migrations));
		json_object_set_new(o, "a_wakeup_p99_ns", json_integer((json_int_t)t->a_p99_ns));
		json_object_set_new(o, "b_wakeup_p99_ns", json_integer((json_int_t)t->b_p99_ns));
		json_array_append_new(arr, o);
	}
	return arr;
}

/* The whole diff as one JSON value (the caller's). */
static json_t *
diff_export_doc(const struct diff *d, const struct diff_export_names *names)
{
	json_t *o = json_object();

	json_object_set_new(o, "format", json_string("ringside-diff"));
	json_object_set_new(o, "version", json_integer(1));
	json_object_set_new(o, "a",
			    json_pack("{s:s, s:I, s:I, s:b}", "file", names->a, "samples",
				      (json_int_t)d->a_samples, "lost", (json_int_t)d->a_lost,
				      "stacks", d->a_stacks));
	json_object_set_new(o, "b",
			    json_pack("{s:s, s:I, s:I, s:b}", "file", names->b, "samples",
				      (json_int_t)d->b_samples, "lost", (json_int_t)d->b_lost,
				      "stacks", d->b_stacks));
	json_object_set_new(o, "units",
			    json_string(d->flags & DIFF_ABSOLUTE ? "samples" : "share"));
	json_object_set_new(o, "merge_threads", json_boolean(d->flags & DIFF_MERGE_THREADS));
	json_object_set_new(o, "mismatch", d->mismatch ? json_string(d->mismatch) : json_null());
	json_object_set_new(o, "tree", json_array()); /* written by diff_export_write */
	json_object_set_new(o, "only_in_a", diff_export_gone(d));
	json_object_set_new(o, "functions", diff_export_funcs(d));
	json_object_set_new(o, "counters", diff_export_counters(d));
	json_object_set_new(o, "sched", diff_export_tasks(d));
	return o;
}

/*
 * The diff JSON to fp: the document through jansson with the tree written in place of its empty
 * array. Its key is the first "tree":[] of the text: in every string jansson writes, a quote is
 * escaped, so none holds that text.
 */
static int
diff_export_write(const struct diff *d, const struct diff_export_names *names, FILE *fp)
{
	static const char key[] = "\"tree\":[";
	json_t *doc = diff_export_doc(d, names);
	char *text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII), *at;
	long long count = 0;

	json_decref(doc);
	if (!text)
		return -ENOMEM;
	at = strstr(text, "\"tree\":[]");
	fwrite(text, 1, at ? (size_t)(at - text) + sizeof(key) - 1 : strlen(text), fp);
	if (at) {
		diff_export_node(d, 0, -1, fp, &count);
		fputs(at + sizeof(key) - 1, fp);
	}
	free(text);
	return ferror(fp) ? -EIO : 0;
}

int
diff_export_json(const struct diff *d, const struct diff_export_names *names, FILE *fp,
		 struct errbuf *err)
{
	int r = diff_export_write(d, names, fp);

	if (r < 0 || fputc('\n', fp) == EOF)
		return errbuf_fail(err, -EIO, "cannot write the diff JSON: %s", strerror(EIO));
	return 0;
}

int
diff_export_html(const struct diff *d, const struct diff_export_names *names, FILE *fp,
		 struct errbuf *err)
{
	char *json = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&json, &len);
	int rc = mem ? diff_export_write(d, names, mem) : -ENOMEM;

	if (mem && fclose(mem) != 0 && rc == 0)
		rc = -ENOMEM;
	if (rc < 0 || !json) {
		free(json);
		return errbuf_fail(err, -ENOMEM, "cannot build the diff page: out of memory");
	}
	rc = html_write_diff(json, len, fp, err);
	free(json);
	return rc;
}

static bool
diff_export_ends(const char *path, const char *ext)
{
	size_t n = strlen(path), m = strlen(ext);

	return n > m && strcmp(path + n - m, ext) == 0;
}

bool
diff_export_known(const char *path)
{
	return diff_export_ends(path, ".folded") || diff_export_ends(path, ".json") ||
	       diff_export_ends(path, ".html");
}

int
diff_export_save(const struct diff *d, const struct diff_export_names *names, const char *path,
		 struct errbuf *err)
{
	struct outfile of;
	int rc;

	rc = outfile_open(&of, path, err);
	if (rc < 0)
		return rc;
	if (diff_export_ends(path, ".folded"))
		rc = diff_export_folded(d, of.fp, err);
	else if (diff_export_ends(path, ".html"))
		rc = diff_export_html(d, names, of.fp, err);
	else
		rc = diff_export_json(d, names, of.fp, err);
	if (rc < 0) {
		outfile_abort(&of);
		return rc;
	}
	return outfile_commit(&of, err);
}
