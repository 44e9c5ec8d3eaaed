// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The snapshot's "stacks.events" array: the trees of the sampled events after the first (which
 * stays "stacks.nodes", as in every snapshot before it), one object per event with its name, rate,
 * sample count and nodes, whose frames index the one "stacks.frames" table. Absent when one event
 * was sampled, so such snapshots stay byte for byte what they were.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/util/xalloc.h"
#include "snapshot_internal.h"

/*
 * A group's event (leader sampling): "weight": "count", and a member's "leader"; nothing for an
 * event in no group, so that those entries stay what they were.
 */
static void
snapshot_events_group(const struct profile_event *e, FILE *fp)
{
	json_t *name;
	char *text;

	if (!e->counts)
		return;
	fputs(",\"weight\":\"count\"", fp);
	if (!e->leader)
		return;
	name = json_string(e->leader);
	text = name ? json_dumps(name, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;
	fprintf(fp, ",\"leader\":%s", text ? text : "\"\"");
	free(text);
	json_decref(name);
}

void
snapshot_events_write(const struct profile *p, FILE *fp)
{
	if (!p->nevents)
		return;
	fputs(",\"events\":[", fp);
	for (size_t i = 0; i < p->nevents; i++) {
		const struct profile_event *e = &p->events[i];
		json_t *name = json_string(e->event);
		char *text = name ? json_dumps(name, JSON_ENCODE_ANY | JSON_ENSURE_ASCII) : NULL;

		fprintf(fp,
			"%s{\"event\":%s,\"freq\":%llu,\"period\":%llu,\"samples\":%llu,\"nodes\":",
			i ? "," : "", text ? text : "\"\"", (unsigned long long)e->freq,
			(unsigned long long)e->period,
			(unsigned long long)stacktree_samples(e->stacks));
		snapshot_stream_nodes(e->stacks, fp, NULL);
		snapshot_events_group(e, fp);
		fputc('}', fp);
		free(text);
		json_decref(name);
	}
	fputc(']', fp);
}

/* A non-negative integer member key of o into *out; false when absent or not one. */
static bool
snapshot_events_u64(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

int
snapshot_events_weight(json_t *o, const char *where, bool *counts, char **leader,
		       struct errbuf *err)
{
	json_t *w = json_object_get(o, "weight"), *l = json_object_get(o, "leader");

	if (w && (!json_is_string(w) || (strcmp(json_string_value(w), "count") != 0 &&
					 strcmp(json_string_value(w), "sample") != 0)))
		return errbuf_fail(err, -EINVAL, "%s.weight: expected \"count\" or \"sample\"",
				   where);
	*counts = w && strcmp(json_string_value(w), "count") == 0;
	if (!l || !leader)
		return 0;
	if (!json_is_string(l) || !json_string_value(l)[0])
		return errbuf_fail(err, -EINVAL, "%s.leader: expected an event name", where);
	*leader = xstrdup(json_string_value(l));
	return 0;
}

/* Event i of the array into p (its tree built from its nodes). */
static int
snapshot_events_one(json_t *o, size_t i, struct profile *p, struct errbuf *err)
{
	char where[48];
	json_t *name = json_object_get(o, "event");
	uint64_t freq, period, samples;
	struct profile_event *e;
	struct stacktree *t = NULL;

	snprintf(where, sizeof(where), "stacks.events[%zu]", i);
	if (!json_is_object(o) || !json_is_string(name) || !json_string_value(name)[0] ||
	    !snapshot_events_u64(o, "freq", &freq) || !snapshot_events_u64(o, "period", &period) ||
	    !snapshot_events_u64(o, "samples", &samples))
		return errbuf_fail(err, -EINVAL,
				   "%s: expected an object with a non-empty \"event\" name and "
				   "\"freq\", \"period\" and \"samples\" integers",
				   where);
	if (profile_event_find(p, json_string_value(name)) != SIZE_MAX)
		return errbuf_fail(err, -EINVAL, "%s: event '%s' has a tree already", where,
				   json_string_value(name));
	if (snapshot_read_nodes(o, where, p, "nodes", &t, true, samples, NULL, err) < 0) {
		stacktree_free(t);
		return -EINVAL;
	}
	e = profile_add_event(p, json_string_value(name), freq, period, 0, 0);
	stacktree_free(e->stacks);
	e->stacks = t;
	return snapshot_events_weight(o, where, &e->counts, &e->leader, err);
}

int
snapshot_events_read(json_t *stacks, struct profile *p, struct errbuf *err)
{
	json_t *a = json_object_get(stacks, "events"), *v;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return errbuf_fail(err, -EINVAL, "stacks.events: expected an array");
	json_array_foreach (a, i, v)
		if (snapshot_events_one(v, i, p, err) < 0)
			return -EINVAL;
	return 0;
}
