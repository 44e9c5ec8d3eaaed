// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The --sample-event list: split at the commas outside a /.../ term block, each item an event
 * name (evspec) with at most one term, period=N or freq=HZ, between slashes after it, as perf's
 * own event terms are written; a {...} group (commas inside it do not split the list) gives its
 * leader and members, in order.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/perf/sampspec.h"
#include "ringside/util/xalloc.h"

/* A decimal number from 1 to 10^12, the whole of text. */
static bool
sampspec_number(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!text[0] || text[0] < '0' || text[0] > '9')
		return false;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || *end || v == 0 || v > 1000000000000ull)
		return false;
	*out = v;
	return true;
}

/* The term block "period=N" (without its slashes) of item into s. */
static int
sampspec_term(struct sampspec *s, const char *item, const char *term, struct errbuf *err)
{
	const char *eq = strchr(term, '=');
	size_t klen = eq ? (size_t)(eq - term) : strlen(term);
	uint64_t v;

	if (!eq || (!(klen == 6 && strncmp(term, "period", 6) == 0) &&
		    !(klen == 4 && strncmp(term, "freq", 4) == 0)))
		return errbuf_fail(err, -EINVAL,
				   "--sample-event '%s': unknown term '%s'; write one of "
				   "/period=N/ or /freq=HZ/ after the event",
				   item, term);
	if (!sampspec_number(eq + 1, &v))
		return errbuf_fail(err, -EINVAL,
				   "--sample-event '%s': '%s' needs a whole number from 1 to "
				   "10^12",
				   item, term);
	if (klen == 6)
		s->period = v;
	else
		s->freq = v;
	return 0;
}

/* One item "name" or "name/term/" into s. */
static int
sampspec_item(struct sampspec *s, const char *item, struct errbuf *err)
{
	const char *slash = strchr(item, '/');
	char *name, *term;
	size_t len = strlen(item);
	int r;

	memset(s, 0, sizeof(*s));
	if (!slash)
		return evspec_parse(&s->spec, item, err);
	if (slash == item)
		return errbuf_fail(err, -EINVAL,
				   "--sample-event '%s': the event name is missing before '/'",
				   item);
	if (len < 2 || item[len - 1] != '/' || item + len - 1 == slash)
		return errbuf_fail(err, -EINVAL,
				   "--sample-event '%s': a term is written between two slashes, "
				   "e.g. page-faults/period=1/",
				   item);
	term = xstrndup(slash + 1, (size_t)(item + len - 1 - (slash + 1)));
	if (strchr(term, '/') || strchr(term, ',') || !term[0]) {
		r = errbuf_fail(err, -EINVAL,
				"--sample-event '%s': give one term, period=N or freq=HZ, between "
				"the slashes",
				item);
		free(term);
		return r;
	}
	r = sampspec_term(s, item, term, err);
	free(term);
	if (r < 0)
		return r;
	name = xstrndup(item, (size_t)(slash - item));
	r = evspec_parse(&s->spec, name, err);
	free(name);
	return r;
}

/*
 * The end of the item starting at p: the first comma outside slashes (and, with braces, outside a
 * {...} group), or the string's end.
 */
static const char *
sampspec_item_end(const char *p, bool braces)
{
	bool in_term = false;
	int depth = 0;

	for (; *p; p++) {
		if (*p == '/')
			in_term = !in_term;
		else if (in_term)
			continue;
		else if (braces && *p == '{')
			depth++;
		else if (braces && *p == '}')
			depth--;
		else if (*p == ',' && depth <= 0)
			break;
	}
	return p;
}

/* One event item into list: refused when empty, one too many, or given twice. */
static int
sampspec_one(struct sampspec_list *list, const char *item, const char *text, struct errbuf *err)
{
	struct sampspec s;
	int r;

	if (!item[0])
		return errbuf_fail(err, -EINVAL,
				   "--sample-event '%s' has an empty event; separate events "
				   "with one comma",
				   text);
	if (list->n == SAMPSPEC_MAX)
		return errbuf_fail(err, -EINVAL,
				   "--sample-event '%s': too many sampling events; the rings "
				   "take at most %d at once",
				   text, SAMPSPEC_MAX);
	r = sampspec_item(&s, item, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < list->n; i++)
		if (strcmp(list->v[i].spec.canonical, s.spec.canonical) == 0) {
			errbuf_fail(err, -EINVAL,
				    "--sample-event: event '%s' is given twice (as '%s'); "
				    "sample each event once",
				    s.spec.name, list->v[i].spec.name);
			evspec_fini(&s.spec);
			return -EINVAL;
		}
	s.leader = SAMPSPEC_NO_GROUP;
	s.nmembers = 0;
	list->v = xreallocarray(list->v, list->n + 1, sizeof(*list->v));
	list->v[list->n++] = s;
	return 0;
}

/* The events between a group's braces (inner), the leader first, into list. */
static int
sampspec_group_items(struct sampspec_list *list, const char *item, const char *inner,
		     const char *text, struct errbuf *err)
{
	size_t first = list->n;

	for (const char *p = inner;;) {
		const char *end = sampspec_item_end(p, false);
		char *one = xstrndup(p, (size_t)(end - p));
		int r = sampspec_one(list, one, text, err);
		struct sampspec *s = r == 0 ? &list->v[list->n - 1] : NULL;

		if (s && list->n - 1 > first && (s->freq || s->period))
			r = errbuf_fail(err, -EINVAL,
					"--sample-event '%s': member '%s' has its own rate; only "
					"the group's leader (the first event) samples: give the "
					"leader period=N or freq=HZ",
					item, one);
		else if (s && list->n - 1 - first > SAMPSPEC_GROUP_MAX)
			r = errbuf_fail(err, -EINVAL,
					"--sample-event '%s': too many members; a group takes at "
					"most %d beside its leader",
					item, SAMPSPEC_GROUP_MAX);
		free(one);
		if (r < 0)
			return r;
		if (!*end)
			break;
		p = end + 1;
	}
	for (size_t i = first; i < list->n; i++)
		list->v[i].leader = first;
	list->v[first].nmembers = list->n - 1 - first;
	return 0;
}

/* A group item, "{LEADER,MEMBER,...}" or the same with perf's ":S" after the brace. */
static int
sampspec_group(struct sampspec_list *list, const char *item, const char *text, struct errbuf *err)
{
	const char *close = strrchr(item, '}');
	char *inner;
	int r;

	if (item[0] != '{' || !close || (close[1] && strcmp(close + 1, ":S") != 0))
		return errbuf_fail(err, -EINVAL,
				   "--sample-event '%s': unbalanced braces; write a group as "
				   "{LEADER,MEMBER,...}",
				   item);
	inner = xstrndup(item + 1, (size_t)(close - item - 1));
	if (strchr(inner, '{') || strchr(inner, '}'))
		r = errbuf_fail(err, -EINVAL,
				"--sample-event '%s': unbalanced braces; groups do not nest, "
				"write each as {LEADER,MEMBER,...}",
				item);
	else if (!inner[0])
		r = errbuf_fail(err, -EINVAL,
				"--sample-event '%s': an empty group; put the leader and its "
				"members between the braces",
				item);
	else
		r = sampspec_group_items(list, item, inner, text, err);
	free(inner);
	return r;
}

int
sampspec_list_parse(struct sampspec_list *list, const char *text, struct errbuf *err)
{
	for (const char *p = text;;) {
		const char *end = sampspec_item_end(p, true);
		char *item = xstrndup(p, (size_t)(end - p));
		int r;

		if (item[0] == '{' || strchr(item, '}'))
			r = sampspec_group(list, item, text, err);
		else if (strchr(item, '{'))
			r = errbuf_fail(err, -EINVAL,
					"--sample-event '%s': unbalanced braces; write a group as "
					"{LEADER,MEMBER,...}",
					item);
		else
			r = sampspec_one(list, item, text, err);
		free(item);
		if (r < 0)
			return r;
		if (!*end)
			return 0;
		p = end + 1;
	}
}

bool
sampspec_member(const struct sampspec *s, size_t index)
{
	return s->leader != SAMPSPEC_NO_GROUP && s->leader != index;
}

void
sampspec_rate(const struct sampspec *s, uint64_t freq, uint64_t period, uint64_t *out_freq,
	      uint64_t *out_period)
{
	if (s->freq || s->period) {
		*out_freq = s->freq;
		*out_period = s->period;
	} else if (s->spec.kind == EVSPEC_TRACEPOINT) {
		*out_freq = 0;
		*out_period = 1;
	} else {
		*out_freq = period ? 0 : freq;
		*out_period = period;
	}
}

void
sampspec_list_fini(struct sampspec_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		evspec_fini(&list->v[i].spec);
	free(list->v);
	list->v = NULL;
	list->n = 0;
}
