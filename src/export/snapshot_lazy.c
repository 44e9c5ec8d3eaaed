// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading a snapshot for 'ringside diff' (snapshot_parse_diff): only what a diff shows. A whole
 * snapshot through jansson's tree takes seconds for a minute of system-wide recording (the
 * scheduler's exact runs and the stack tree are millions of values); a diff needs the stack tree,
 * the counters and the tasks' summaries. So the file is scanned once (snapshot_scan.h, syntax
 * checked throughout), the small parts (format, version, meta, events, ratios) go through the
 * full reader (snapshot_parse) as a document of their own, and the stack tree and the tasks are
 * read in place with the full reader's checks. What a diff never reads (the scheduler's runs and
 * summaries, stacks.timeline, addresses, offcpu and events, mem, kvm, task_counters, output) is
 * skipped with its syntax checked but not its content.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/snapshot.h"
#include "ringside/util/xalloc.h"
#include "snapshot_internal.h"
#include "snapshot_scan.h"

struct lazy_span {
	const char *b, *e; /* the value's text; b NULL when the key is missing */
};

/* The top-level keys read, in the order the reduced document gives them to snapshot_parse. */
static const char *const lazy_top_keys[] = { "format", "version", "meta", "events",
					     "ratios", "stacks",  "sched" };
enum { LAZY_STACKS = 5, LAZY_SCHED = 6, LAZY_NTOP = 7 };

static const char *const lazy_stack_keys[] = { "event",	  "callgraph", "freq",	    "period",
					       "samples", "lost",      "throttled", "bad_records",
					       "strings", "frames",    "nodes" };
enum { LAZY_NSTR = 2, LAZY_STRINGS = 8, LAZY_FRAMES = 9, LAZY_NODES = 10, LAZY_NSTACK = 11 };

static const char *const lazy_sched_keys[] = { "tasks", "cpus", "map", "summary_bucket_ns" };
enum { LAZY_CPUS = 1, LAZY_NSCHED = 4 };

/* Where everything read is, found in one pass over the text. */
struct lazy_doc {
	struct lazy_span top[LAZY_NTOP], stacks[LAZY_NSTACK], sched[LAZY_NSCHED];
	size_t ncpus; /* the elements of sched.cpus */
};

static int
lazy_bad(struct errbuf *err, const char *path, const char *what)
{
	return errbuf_fail(err, -EINVAL, "%s: %s", path, what);
}

/* The problem what of element i of the array at base. */
static int
lazy_bad_at(struct errbuf *err, const char *base, size_t i, const char *what)
{
	return errbuf_fail(err, -EINVAL, "%s[%zu]: %s", base, i, what);
}

/* A syntax error of the scan as jansson words one. */
static int
lazy_syntax(const struct jscan *s, struct errbuf *err)
{
	int line, col;

	jscan_where(s, s->at, &line, &col);
	return errbuf_fail(err, -EINVAL, "not valid JSON at line %d, column %d: %s", line, col,
			   s->why);
}

/* A scanner over span sp of top's buffer (positions stay the buffer's). */
static void
lazy_sub(struct jscan *s, const struct jscan *top, const struct lazy_span *sp)
{
	*s = (struct jscan){ .start = top->start, .p = sp->b, .end = sp->e };
}

/* Consume the value of key k at s (the default: jscan_skip); false on bad syntax. */
typedef bool lazy_value_fn(struct jscan *s, size_t k, void *ctx);

/*
 * The object at s's position: the value of each key of keys (n of them) into spans, consumed by
 * value (NULL: skipped). A key of keys given twice is refused as jansson refuses it; with seen,
 * any key. Returns 0, 1 when the value is not an object (nothing consumed past white space), -1 on
 * bad syntax.
 */
static int
lazy_object(struct jscan *s, const char *const *keys, size_t n, struct lazy_span *spans,
	    char ***seen, size_t *nseen, lazy_value_fn *value, void *ctx)
{
	bool first = true;
	int m;

	if (jscan_peek(s) != '{')
		return 1;
	s->p++;
	while ((m = jscan_more(s, '}', &first)) == 1) {
		size_t k;

		if (!jscan_key(s))
			return -1;
		for (size_t i = 0; seen && i < *nseen; i++)
			if (strcmp((*seen)[i], s->str) == 0)
				return jscan_fail(s, "duplicate object key"), -1;
		if (seen) {
			*seen = xreallocarray(*seen, *nseen + 1, sizeof(**seen));
			(*seen)[(*nseen)++] = xstrdup(s->str);
		}
		for (k = 0; k < n && strcmp(keys[k], s->str) != 0; k++)
			;
		if (k < n && spans[k].b)
			return jscan_fail(s, "duplicate object key"), -1;
		jscan_peek(s);
		if (k < n)
			spans[k].b = s->p;
		if (!(k < n && value ? value(s, k, ctx) : jscan_skip(s)))
			return -1;
		if (k < n)
			spans[k].e = s->p;
	}
	return m < 0 ? -1 : 0;
}

static void
lazy_free_seen(char **seen, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(seen[i]);
	free(seen);
}

/* The small top-level parts as a document of their own, read by the full reader. */
static int
lazy_head(const struct lazy_span *top, struct profile **out, struct errbuf *err)
{
	size_t len = 2, at = 1;
	char *doc;
	int r;

	for (int k = 0; k < LAZY_STACKS; k++)
		if (top[k].b)
			len += strlen(lazy_top_keys[k]) + 4 + (size_t)(top[k].e - top[k].b);
	doc = xmalloc(len + 1);
	doc[0] = '{';
	for (int k = 0; k < LAZY_STACKS; k++) {
		if (!top[k].b)
			continue;
		at += (size_t)sprintf(doc + at, "%s\"%s\":", at > 1 ? "," : "", lazy_top_keys[k]);
		memcpy(doc + at, top[k].b, (size_t)(top[k].e - top[k].b));
		at += (size_t)(top[k].e - top[k].b);
	}
	doc[at++] = '}';
	r = snapshot_parse(doc, at, out, err);
	free(doc);
	return r;
}

/* stacks.KEY, a string (kept in *out) or a non-negative integer (*u). */
static int
lazy_scalar(const struct jscan *top, const struct lazy_span *sp, int k, char **out, uint64_t *u,
	    struct errbuf *err)
{
	char path[64];
	struct jscan s;
	int64_t v;

	snprintf(path, sizeof(path), "stacks.%s", lazy_stack_keys[k]);
	if (!sp->b)
		return lazy_bad(err, path, "missing");
	lazy_sub(&s, top, sp);
	if (out) {
		if (!jscan_str(&s)) {
			jscan_fini(&s);
			return lazy_bad(err, path, "expected a string");
		}
		*out = xstrdup(s.str);
		jscan_fini(&s);
		return 0;
	}
	if (!jscan_int(&s, &v))
		return lazy_bad(err, path, "expected an integer");
	if (v < 0)
		return lazy_bad(err, path, "expected a non-negative integer");
	*u = (uint64_t)v;
	return 0;
}

/* An array's elements at s: 1 before each, 0 after the last, -1 when sp is not an array. */
static int
lazy_next(struct jscan *s, bool *first)
{
	if (*first && !jscan_lit(s, '['))
		return -1;
	return jscan_more(s, ']', first);
}

static int
lazy_strings(const struct jscan *top, const struct lazy_span *sp, struct profile *p,
	     struct errbuf *err)
{
	struct jscan s;
	bool first = true;
	size_t i = 0;
	int m, rc = 0;

	if (!sp->b)
		return lazy_bad(err, "stacks.strings", "missing");
	lazy_sub(&s, top, sp);
	if (jscan_peek(&s) != '[')
		return lazy_bad(err, "stacks.strings", "expected an array");
	while (rc == 0 && (m = lazy_next(&s, &first)) == 1) {
		if (!jscan_str(&s))
			rc = lazy_bad_at(err, "stacks.strings", i, "expected a string");
		else if ((i == 0) != (s.str_len == 0) || frametab_string(p->frames, s.str) != i)
			rc = lazy_bad_at(err, "stacks.strings", i,
					 "strings must be unique, and only the first one empty");
		i++;
	}
	jscan_fini(&s);
	if (rc == 0 && i == 0)
		rc = lazy_bad(err, "stacks.strings", "must start with the empty string");
	return rc;
}

/* One frame tuple at s into *f; false when it is not [name, module, file, line, kind, inlined]. */
static bool
lazy_frame(struct jscan *s, uint64_t nstr, struct frame *f)
{
	int64_t v[4], inl;
	enum frame_kind kind;

	if (!jscan_lit(s, '['))
		return false;
	for (int k = 0; k < 4; k++)
		if ((k && !jscan_lit(s, ',')) || !jscan_int(s, &v[k]) || v[k] < 0 ||
		    (k < 3 && (uint64_t)v[k] >= nstr) || (k == 3 && v[k] > UINT32_MAX))
			return false;
	if (!jscan_lit(s, ',') || !jscan_str(s) || !frame_kind_parse(s->str, &kind) ||
	    !jscan_lit(s, ',') || !jscan_int(s, &inl) || inl < 0 || inl > 1 || !jscan_lit(s, ']'))
		return false;
	*f = (struct frame){ .name = (uint32_t)v[0],
			     .module = (uint32_t)v[1],
			     .file = (uint32_t)v[2],
			     .line = (uint32_t)v[3],
			     .kind = (uint8_t)kind,
			     .inlined = inl != 0 };
	return true;
}

static int
lazy_frames(const struct jscan *top, const struct lazy_span *sp, struct profile *p,
	    struct errbuf *err)
{
	uint64_t nstr = frametab_nstrings(p->frames);
	struct jscan s;
	bool first = true;
	size_t i = 0;
	int m, rc = 0;

	if (!sp->b)
		return lazy_bad(err, "stacks.frames", "missing");
	lazy_sub(&s, top, sp);
	if (jscan_peek(&s) != '[')
		return lazy_bad(err, "stacks.frames", "expected an array");
	while (rc == 0 && (m = lazy_next(&s, &first)) == 1) {
		struct frame f;

		if (!lazy_frame(&s, nstr, &f))
			rc = lazy_bad_at(err, "stacks.frames", i,
					 "expected [name, module, file, line, kind, inlined] with "
					 "string ids in range and a known kind");
		else if (frametab_intern_ids(p->frames, &f) != i)
			rc = lazy_bad_at(err, "stacks.frames", i, "a frame given twice");
		else if (f.kind == FRAME_OTHER)
			p->frame_other = (uint32_t)i;
		i++;
	}
	jscan_fini(&s);
	if (rc == 0 && !frametab_nframes(p->frames))
		rc = lazy_bad(err, "stacks.frames", "must hold at least the root frame");
	return rc;
}

/* One node tuple [parent, frame, self, total] at s, frame below nframes and self <= total. */
static bool
lazy_node(struct jscan *s, uint64_t nframes, int64_t v[4])
{
	if (!jscan_lit(s, '['))
		return false;
	for (int k = 0; k < 4; k++)
		if ((k && !jscan_lit(s, ',')) || !jscan_int(s, &v[k]) || (k && v[k] < 0))
			return false;
	return jscan_lit(s, ']') && (uint64_t)v[1] < nframes && v[2] <= v[3];
}

/* The root tuple's checks and the tree it starts. */
static int
lazy_root(struct profile *p, const int64_t v[4], size_t n, struct errbuf *err)
{
	if (v[0] != -1 || frametab_get(p->frames, (uint32_t)v[1])->kind != FRAME_ROOT)
		return lazy_bad_at(err, "stacks.nodes", 0,
				   "the first node must be the root (parent -1)");
	if ((uint64_t)v[3] != p->sampling.samples)
		return lazy_bad_at(err, "stacks.nodes", 0,
				   "the root's total differs from the samples count");
	p->frame_root = (uint32_t)v[1];
	p->stacks = stacktree_new(p->frame_root, p->frame_other,
				  n + 1 > STACKTREE_DEFAULT_MAX_NODES ? n + 1 : 0, 0);
	stacktree_set_root(p->stacks, (uint64_t)v[2], (uint64_t)v[3]);
	return 0;
}

/* stacks.nodes into p->stacks, checked as snapshot_read_nodes checks them. */
static int
lazy_nodes(const struct jscan *top, const struct lazy_span *sp, struct profile *p,
	   struct errbuf *err)
{
	uint64_t nframes = frametab_nframes(p->frames), *child_sum;
	size_t n = 0, i = 0;
	uint32_t *id;
	struct jscan s;
	bool first = true;
	int m, rc = 0;

	if (!sp->b)
		return lazy_bad(err, "stacks.nodes", "missing");
	/* At most one tuple per '[' after the array's own: the arrays' size without a count. */
	for (const char *c = sp->b; (c = memchr(c, '[', (size_t)(sp->e - c))); c++)
		n++;
	lazy_sub(&s, top, sp);
	if (jscan_peek(&s) != '[')
		return lazy_bad(err, "stacks.nodes", "expected an array");
	id = xcalloc(n, sizeof(*id));
	child_sum = xcalloc(n, sizeof(*child_sum));
	while (rc == 0 && (m = lazy_next(&s, &first)) == 1) {
		int64_t v[4];

		if (!lazy_node(&s, nframes, v))
			rc = lazy_bad_at(err, "stacks.nodes", i,
					 "expected [parent, frame, self, total] with a known frame "
					 "and self <= total");
		else if (i == 0)
			rc = lazy_root(p, v, n, err);
		else if (v[0] < 0 || (size_t)v[0] >= i)
			rc = lazy_bad_at(err, "stacks.nodes", i,
					 "a node's parent must come before it");
		else if ((id[i] = stacktree_add_node(p->stacks, id[v[0]], (uint32_t)v[1],
						     (uint64_t)v[2], (uint64_t)v[3])) ==
			 STACKTREE_NONE)
			rc = lazy_bad_at(err, "stacks.nodes", i,
					 "two children of one node with the same frame");
		else
			child_sum[v[0]] += (uint64_t)v[3];
		id[i] = i ? id[i] : STACKTREE_ROOT;
		i++;
	}
	if (rc == 0 && i == 0)
		rc = lazy_bad(err, "stacks.nodes", "must hold at least the root");
	for (size_t k = 0; rc == 0 && k < i; k++) {
		const struct stacktree_node *node = stacktree_node(p->stacks, id[k]);

		if (node->self + child_sum[k] != node->total)
			rc = lazy_bad_at(err, "stacks.nodes", k,
					 "total is not self plus the children's totals");
	}
	free(id);
	free(child_sum);
	return rc;
}

static int
lazy_stacks(const struct jscan *top, const struct lazy_doc *doc, struct profile *p,
	    struct errbuf *err)
{
	const struct lazy_span *sp = doc->stacks;
	struct profile_sampling *sm = &p->sampling;
	uint64_t *u[] = { NULL,		NULL,	   &sm->freq,	   &sm->period,
			  &sm->samples, &sm->lost, &sm->throttled, &sm->bad_records };

	if (*doc->top[LAZY_STACKS].b != '{')
		return lazy_bad(err, "stacks", "expected an object");
	for (int k = 0; k < LAZY_STRINGS; k++)
		if (lazy_scalar(top, &sp[k], k,
				k == 0	 ? &sm->event
				: k == 1 ? &sm->callgraph
					 : NULL,
				u[k], err))
			return -EINVAL;
	p->frames = frametab_new();
	p->tasks = tasks_new();
	if (lazy_strings(top, &sp[LAZY_STRINGS], p, err) ||
	    lazy_frames(top, &sp[LAZY_FRAMES], p, err) || lazy_nodes(top, &sp[LAZY_NODES], p, err))
		return -EINVAL;
	return 0;
}

/* The value at s skipped; true with *v when it is an integer that fits int64_t. */
static bool
lazy_number(struct jscan *s, int64_t *v)
{
	const char *at = (jscan_peek(s), s->p), *d;
	uint64_t x = 0, lim;

	if (!jscan_skip(s))
		return false;
	d = at + (*at == '-');
	lim = *at == '-' ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (s->p == d)
		return false;
	for (const char *c = d; c < s->p; c++) {
		if (*c < '0' || *c > '9' || x > (lim - (uint64_t)(*c - '0')) / 10)
			return false; /* a fraction, an exponent, not a number or too big */
		x = x * 10 + (uint64_t)(*c - '0');
	}
	*v = *at == '-' ? (int64_t)(0 - x) : (int64_t)x;
	return true;
}

/* A count of a task: its integer value, 0 when it is not a positive integer. */
static uint64_t
lazy_count(struct jscan *s)
{
	int64_t v;

	return lazy_number(s, &v) && v > 0 ? (uint64_t)v : 0;
}

/* sched.tasks[i].latency_ns: the figures of st (the histogram is not a diff's). */
static bool
lazy_latency(struct jscan *s, struct schedmap_task_stats *st)
{
	uint64_t *dst[] = { &st->lat_count, &st->lat_p50_ns, &st->lat_p95_ns, &st->lat_p99_ns,
			    &st->lat_max_ns };
	static const char *const keys[] = { "count", "p50", "p95", "p99", "max" };
	bool first = true;
	int m;

	if (jscan_peek(s) != '{')
		return jscan_skip(s);
	s->p++;
	while ((m = jscan_more(s, '}', &first)) == 1) {
		size_t k;

		if (!jscan_key(s))
			return false;
		for (k = 0; k < 5 && strcmp(keys[k], s->str) != 0; k++)
			;
		if (k < 5)
			*dst[k] = lazy_count(s);
		else if (!jscan_skip(s))
			return false;
	}
	return m == 0;
}

/* A task's string field into buf (n bytes, cut short); false when it is not a string. */
static bool
lazy_task_str(struct jscan *s, char *buf, size_t n)
{
	if (jscan_peek(s) != '"')
		return jscan_skip(s) && false;
	if (!jscan_str(s))
		return false;
	snprintf(buf, n, "%s", s->str);
	return true;
}

/* One element of sched.tasks into st; 0, 1 when it is not a task object, -1 on bad syntax. */
static int
lazy_task(struct jscan *s, struct schedmap_task_stats *st)
{
	static const char *const keys[] = { "tid",
					    "pid",
					    "comm",
					    "short",
					    "target",
					    "exited",
					    "execs",
					    "runtime_ns",
					    "switches_voluntary",
					    "switches_involuntary",
					    "migrations",
					    "wakeups",
					    "folded",
					    "latency_ns" };
	uint64_t *counts[] = { &st->runtime_ns,
			       &st->switches_voluntary,
			       &st->switches_involuntary,
			       &st->migrations,
			       &st->wakeups,
			       &st->folded };
	bool first = true, tid = false, comm = false, b;
	int64_t v;
	int m;

	memset(st, 0, sizeof(*st));
	if (jscan_peek(s) != '{')
		return jscan_skip(s) ? 1 : -1;
	s->p++;
	while ((m = jscan_more(s, '}', &first)) == 1) {
		size_t k;
		char c;

		if (!jscan_key(s))
			return -1;
		for (k = 0; k < 14 && strcmp(keys[k], s->str) != 0; k++)
			;
		c = jscan_peek(s);
		if (k == 0 || k == 1) {
			v = 0;
			b = lazy_number(s, &v);
			*(k == 0 ? &st->tid : &st->pid) = (int32_t)v;
			tid |= k == 0 && b && v >= 0;
		} else if (k == 2 || k == 3) {
			bool ok = k == 2 ? lazy_task_str(s, st->comm, sizeof(st->comm))
					 : lazy_task_str(s, st->short_name, sizeof(st->short_name));

			comm |= k == 2 && ok;
		} else if ((k == 4 || k == 5) && (c == 't' || c == 'f')) {
			if (!jscan_bool(s, &b))
				return -1;
			*(k == 4 ? &st->target : &st->exited) = b;
		} else if (k == 6) {
			st->execs = (uint32_t)lazy_count(s);
		} else if (k >= 7 && k <= 12) {
			*counts[k - 7] = lazy_count(s);
		} else if (k == 13) {
			if (!lazy_latency(s, st))
				return -1;
		} else if (!jscan_skip(s)) {
			return -1;
		}
		if (s->why)
			return -1;
	}
	return m < 0 ? -1 : tid && comm ? 0 : 1;
}

/* sched.tasks at s into m (NULL: checked only). */
static int
lazy_tasks(struct jscan *s, struct schedmap *m, struct errbuf *err)
{
	struct schedmap_task_stats st;
	bool first = true;
	size_t i = 0;
	int r, more;

	while ((more = lazy_next(s, &first)) == 1) {
		r = lazy_task(s, &st);
		if (r < 0)
			return lazy_syntax(s, err);
		if (r > 0)
			return lazy_bad_at(err, "sched.tasks", i, "expected a task object");
		i++;
		if (m)
			schedmap_load_task(m, &st);
	}
	return more < 0 ? lazy_syntax(s, err) : 0;
}

/* "sched": the tasks' summaries into a schedmap with one CPU per element of sched.cpus. */
static int
lazy_sched(const struct jscan *top, const struct lazy_doc *doc, struct profile *p,
	   struct errbuf *err)
{
	static const char *const names[] = { "sched.tasks", "sched.cpus", "sched.map" };
	const struct lazy_span *sp = doc->sched;
	struct jscan s;
	int64_t W = 0;
	int r;

	if (*doc->top[LAZY_SCHED].b != '{')
		return lazy_bad(err, "sched", "expected an object");
	for (int k = 0; k < 3; k++) {
		if (!sp[k].b)
			return lazy_bad(err, names[k], "missing");
		if (*sp[k].b != (k == 2 ? '{' : '['))
			return lazy_bad(err, names[k],
					k == 2 ? "expected an object" : "expected an array");
	}
	if (sp[3].b) {
		lazy_sub(&s, top, &sp[3]);
		if (!lazy_number(&s, &W) || W <= 0 || (uint64_t)W > SCHEDMAP_MAX_BUCKET_NS)
			W = 0;
	}
	if (doc->ncpus && doc->ncpus <= 65536)
		p->sched = schedmap_new((unsigned)doc->ncpus, UINT64_MAX / 4,
					W ? (uint64_t)W : SCHEDMAP_DEFAULT_BUCKET_NS);
	lazy_sub(&s, top, &sp[0]);
	r = lazy_tasks(&s, p->sched, err);
	jscan_fini(&s);
	if (r < 0)
		return r;
	if (p->sched) {
		p->sched_origin = W ? (uint64_t)W : SCHEDMAP_DEFAULT_BUCKET_NS;
		schedmap_load_finish(p->sched, p->sched_origin + p->meta.duration_ns);
	}
	return 0;
}

/* sched's values: sched.cpus counted as it is skipped. */
static bool
lazy_sched_value(struct jscan *s, size_t k, void *ctx)
{
	struct lazy_doc *doc = ctx;
	bool first = true;
	int m;

	if (k != LAZY_CPUS || jscan_peek(s) != '[')
		return jscan_skip(s);
	s->p++;
	while ((m = jscan_more(s, ']', &first)) == 1 && jscan_skip(s))
		doc->ncpus++;
	return m == 0;
}

/* The top level's values: stacks and sched are looked into in the same pass. */
static bool
lazy_top_value(struct jscan *s, size_t k, void *ctx)
{
	struct lazy_doc *doc = ctx;

	if (k == LAZY_STACKS && jscan_peek(s) == '{')
		return lazy_object(s, lazy_stack_keys, LAZY_NSTACK, doc->stacks, NULL, NULL, NULL,
				   NULL) == 0;
	if (k == LAZY_SCHED && jscan_peek(s) == '{')
		return lazy_object(s, lazy_sched_keys, LAZY_NSCHED, doc->sched, NULL, NULL,
				   lazy_sched_value, doc) == 0;
	return jscan_skip(s);
}

/* The top-level object's spans; 0, or -EINVAL with err. */
static int
lazy_top(struct jscan *s, struct lazy_doc *doc, struct errbuf *err)
{
	char **seen = NULL;
	size_t nseen = 0;
	int r = lazy_object(s, lazy_top_keys, LAZY_NTOP, doc->top, &seen, &nseen, lazy_top_value,
			    doc);

	lazy_free_seen(seen, nseen);
	if (r == 0 && (jscan_peek(s), s->p < s->end))
		r = (jscan_fail(s, "end of file expected"), -1);
	if (r == 1 && !(jscan_peek(s), s->p < s->end))
		return errbuf_fail(err, -EINVAL, "not valid JSON: empty input");
	if (r == 1 && jscan_skip(s) && !(jscan_peek(s), s->p < s->end))
		return lazy_bad(err, "top level", "expected a JSON object");
	if (r == 1 && !s->why)
		jscan_fail(s, "end of file expected");
	return r != 0 ? lazy_syntax(s, err) : 0;
}

int
snapshot_parse_diff(const char *buf, size_t len, struct profile **out, struct errbuf *err)
{
	struct lazy_doc doc = { 0 };
	struct jscan s;
	int r;

	*out = NULL;
	jscan_init(&s, buf, len);
	r = lazy_top(&s, &doc, err);
	jscan_fini(&s);
	if (r < 0 || (r = lazy_head(doc.top, out, err)) < 0)
		return r;
	if ((doc.top[LAZY_STACKS].b && lazy_stacks(&s, &doc, *out, err) < 0) ||
	    (doc.top[LAZY_SCHED].b && lazy_sched(&s, &doc, *out, err) < 0)) {
		profile_free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}
