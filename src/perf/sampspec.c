// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The --sample-event list: split at the commas outside a /.../ term block, each item an event
 * name (evspec) with at most one term, period=N or freq=HZ, between slashes after it, as perf's
 * own event terms are written.
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

/* The end of the item starting at p: the first comma outside slashes, or the string's end. */
static const char *
sampspec_item_end(const char *p)
{
	bool in_term = false;

	for (; *p; p++) {
		if (*p == '/')
			in_term = !in_term;
		else if (*p == ',' && !in_term)
			break;
	}
	return p;
}

int
sampspec_list_parse(struct sampspec_list *list, const char *text, struct errbuf *err)
{
	const char *p = text;
	struct sampspec s;

	for (;;) {
		const char *end = sampspec_item_end(p);
		char *item = xstrndup(p, (size_t)(end - p));
		int r = 0;

		if (!item[0])
			r = errbuf_fail(err, -EINVAL,
					"--sample-event '%s' has an empty event; separate events "
					"with one comma",
					text);
		else if (list->n == SAMPSPEC_MAX)
			r = errbuf_fail(err, -EINVAL,
					"--sample-event '%s': too many sampling events; the rings "
					"take at most %d at once",
					text, SAMPSPEC_MAX);
		else
			r = sampspec_item(&s, item, err);
		free(item);
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
		list->v = xreallocarray(list->v, list->n + 1, sizeof(*list->v));
		list->v[list->n++] = s;
		if (!*end)
			return 0;
		p = end + 1;
	}
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
