// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * meta.hosts, the inputs of a merged snapshot (ringside merge, man/ringside-snapshot.5): per input
 * its label (the name of its FRAME_HOST frame), host, kernel, source, CPUs, start, duration and
 * samples. Only merged snapshots have the key; its reader rejects a malformed entry naming it.
 * Their scheduler CPUs and tasks name their host by that label.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "snapshot_internal.h"
#include "ringside/util/xalloc.h"

json_t *
snapshot_hosts_write(const struct profile_meta *m)
{
	json_t *a = json_array();

	for (size_t i = 0; i < m->nhosts; i++) {
		const struct profile_host *h = &m->hosts[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:i, s:I, s:I, s:I}",
						   "label", h->label ? h->label : "", "host",
						   h->host ? h->host : "", "kernel",
						   h->kernel ? h->kernel : "", "source",
						   h->source ? h->source : "", "cpus", h->ncpus,
						   "start_unix_ns", (json_int_t)h->start_unix_ns,
						   "duration_ns", (json_int_t)h->duration_ns,
						   "samples", (json_int_t)h->samples));
	}
	return a;
}

/* One entry's string key into *out (a copy); false when it is missing or not a string. */
static bool
snapshot_hosts_str(json_t *v, const char *key, char **out)
{
	json_t *s = json_object_get(v, key);

	if (!json_is_string(s))
		return false;
	*out = xstrdup(json_string_value(s));
	return true;
}

/* One entry's integer key into *out, at least 0; false when it is missing or negative. */
static bool
snapshot_hosts_int(json_t *v, const char *key, json_int_t *out)
{
	json_t *n = json_object_get(v, key);

	if (!json_is_integer(n) || json_integer_value(n) < 0)
		return false;
	*out = json_integer_value(n);
	return true;
}

/* Entry i of meta.hosts into h; false when a key is missing or of the wrong type. */
static bool
snapshot_hosts_entry(json_t *v, struct profile_host *h)
{
	json_int_t cpus, start, duration, samples;

	if (!json_is_object(v) || !snapshot_hosts_str(v, "label", &h->label) ||
	    !snapshot_hosts_str(v, "host", &h->host) ||
	    !snapshot_hosts_str(v, "kernel", &h->kernel) ||
	    !snapshot_hosts_str(v, "source", &h->source) || !snapshot_hosts_int(v, "cpus", &cpus) ||
	    cpus > 65536 || !snapshot_hosts_int(v, "start_unix_ns", &start) ||
	    !snapshot_hosts_int(v, "duration_ns", &duration) ||
	    !snapshot_hosts_int(v, "samples", &samples))
		return false;
	h->ncpus = (int)cpus;
	h->start_unix_ns = start;
	h->duration_ns = (uint64_t)duration;
	h->samples = (uint64_t)samples;
	return true;
}

int
snapshot_hosts_read(json_t *meta, struct profile_meta *m, struct errbuf *err)
{
	json_t *a = json_object_get(meta, "hosts"), *v;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return errbuf_fail(err, -EINVAL, "meta.hosts: expected an array of inputs");
	m->hosts = xcalloc(json_array_size(a) + 1, sizeof(*m->hosts));
	json_array_foreach (a, i, v) {
		m->nhosts = i + 1;
		if (!snapshot_hosts_entry(v, &m->hosts[i]))
			return errbuf_fail(
				err, -EINVAL,
				"meta.hosts[%zu]: expected {label, host, kernel, source, "
				"cpus, start_unix_ns, duration_ns, samples}",
				i);
	}
	return 0;
}

/* The index in m->hosts of the host labelled by v's "host"; nhosts when v has none, -1 when bad. */
static long
snapshot_hosts_find(const struct profile_meta *m, json_t *v)
{
	json_t *h = json_object_get(v, "host");

	if (!h)
		return (long)m->nhosts;
	for (size_t i = 0; json_is_string(h) && i < m->nhosts; i++)
		if (strcmp(m->hosts[i].label, json_string_value(h)) == 0)
			return (long)i;
	return -1;
}

int
snapshot_hosts_sched(json_t *tasks, json_t *cpus, struct profile *p, struct errbuf *err)
{
	size_t ncpus = json_array_size(cpus), i;
	const char *what = "sched.cpus";
	json_t *v;
	long h;

	if (!p->sched || !p->meta.nhosts)
		return 0;
	p->sched_cpu_host = xcalloc(ncpus, sizeof(*p->sched_cpu_host));
	p->sched_cpu_num = xcalloc(ncpus, sizeof(*p->sched_cpu_num));
	p->sched_task_host = xcalloc(json_array_size(tasks) + 1, sizeof(*p->sched_task_host));
	json_array_foreach (cpus, i, v) {
		json_int_t cpu = json_integer_value(json_object_get(v, "cpu"));

		if ((h = snapshot_hosts_find(&p->meta, v)) < 0)
			goto bad;
		p->sched_cpu_host[i] = (uint32_t)h;
		p->sched_cpu_num[i] = cpu >= 0 && cpu < 65536 ? (uint32_t)cpu : (uint32_t)i;
	}
	what = "sched.tasks";
	json_array_foreach (tasks, i, v) {
		if ((h = snapshot_hosts_find(&p->meta, v)) < 0)
			goto bad;
		p->sched_task_host[i] = (uint32_t)h;
	}
	return 0;
bad:
	return errbuf_fail(err, -EINVAL, "%s[%zu].host: expected a label of meta.hosts", what, i);
}
