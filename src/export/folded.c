// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Folded stacks from the stack tree. The tree's process and thread levels collapse into the
 * process's comm, as stackcollapse-perf writes them, and equal paths from different processes or
 * threads with the same comm are merged; lines come out sorted. Lost samples, when there were any,
 * end the file as one more line, "[lost samples] N".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/folded.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

struct folded_line {
	char *path;
	uint64_t count;
};

struct folded_ctx {
	const struct profile *p;
	char **prefix; /* prefix[depth]: the folded path down to a node of that depth */
	size_t nprefix;
	struct folded_line *lines;
	size_t n, cap;
};

char *
folded_frame_name(const struct frametab *ft, const struct frame *f)
{
	char *s = xstrdup(frametab_str(ft, f->name));

	if (!*s) {
		free(s);
		s = xstrdup("[unknown]");
	}
	for (char *c = s; *c; c++)
		if (*c == ';')
			*c = ':';
		else if (*c == '\n' || *c == '\r')
			*c = ' ';
	return s;
}

static bool
folded_visit(void *vctx, const struct stacktree *t, uint32_t id, unsigned depth)
{
	struct folded_ctx *c = vctx;
	const struct stacktree_node *node = stacktree_node(t, id);
	const struct frame *f = frametab_get(c->p->frames, node->frame);
	const char *parent;
	char *name;

	if (depth >= c->nprefix) {
		size_t old = c->nprefix;

		c->nprefix = (depth + 1) * 2;
		c->prefix = xreallocarray(c->prefix, c->nprefix, sizeof(char *));
		memset(c->prefix + old, 0, (c->nprefix - old) * sizeof(char *));
	}
	free(c->prefix[depth]);
	parent = depth > 0 ? c->prefix[depth - 1] : "";
	if (f->kind == FRAME_ROOT) {
		c->prefix[depth] = xstrdup("");
	} else if (f->kind == FRAME_THREAD) {
		c->prefix[depth] = xstrdup(parent); /* threads merge into their process */
	} else {
		name = folded_frame_name(c->p->frames, f);
		c->prefix[depth] = *parent ? xasprintf("%s;%s", parent, name) : xstrdup(name);
		free(name);
	}
	if (node->self && f->kind != FRAME_ROOT) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 1024;
			c->lines = xreallocarray(c->lines, c->cap, sizeof(*c->lines));
		}
		c->lines[c->n++] = (struct folded_line){ xstrdup(c->prefix[depth]), node->self };
	}
	return true;
}

static int
folded_cmp(const void *a, const void *b)
{
	return strcmp(((const struct folded_line *)a)->path, ((const struct folded_line *)b)->path);
}

int
folded_write(const struct profile *p, FILE *fp, struct errbuf *err)
{
	return folded_write_tree(p, p->stacks, fp, err);
}

int
folded_write_tree(const struct profile *p, const struct stacktree *t, FILE *fp, struct errbuf *err)
{
	struct folded_ctx c = { .p = p };
	int rc = 0;

	if (!t || !p->frames)
		return errbuf_fail(
			err, -EINVAL,
			"this recording has no samples; record without --no-samples to get stacks");
	stacktree_walk(t, folded_visit, &c);
	if (c.n > 1)
		qsort(c.lines, c.n, sizeof(*c.lines), folded_cmp);
	for (size_t i = 0; i < c.n; i++) {
		/* Equal paths (threads, or processes sharing a comm) are adjacent once sorted. */
		uint64_t count = c.lines[i].count;

		while (i + 1 < c.n && strcmp(c.lines[i].path, c.lines[i + 1].path) == 0)
			count += c.lines[++i].count;
		if (*c.lines[i].path && fprintf(fp, "%s %" PRIu64 "\n", c.lines[i].path, count) < 0)
			rc = -EIO;
	}
	for (size_t i = 0; i < c.n; i++)
		free(c.lines[i].path);
	free(c.lines);
	for (size_t i = 0; i < c.nprefix; i++)
		free(c.prefix[i]);
	free(c.prefix);
	/*
	 * The format has no room for metadata (a comment line would be read as a stack), so a loss
	 * shows as a tower of its own in any flame graph drawn from the file.
	 */
	if (t == p->stacks && p->sampling.lost &&
	    fprintf(fp, "[lost samples] %" PRIu64 "\n", p->sampling.lost) < 0)
		rc = -EIO;
	if (rc < 0)
		errbuf_fail(err, rc, "cannot write folded stacks: %s", strerror(-rc));
	return rc;
}

int
folded_save(const struct profile *p, const char *path, struct errbuf *err)
{
	return folded_save_tree(p, p->stacks, path, err);
}

int
folded_save_tree(const struct profile *p, const struct stacktree *t, const char *path,
		 struct errbuf *err)
{
	struct outfile of;
	int rc;

	rc = outfile_open(&of, path, err);
	if (rc < 0)
		return rc;
	rc = folded_write_tree(p, t, of.fp, err);
	if (rc < 0) {
		outfile_abort(&of);
		return rc;
	}
	return outfile_commit(&of, err);
}
