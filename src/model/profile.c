// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The profile: one recording's metadata and data, owned in one place.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/profile.h"
#include "ringside/util/xalloc.h"

struct profile *
profile_new(void)
{
	struct profile *p = xcalloc(1, sizeof(*p));

	p->meta.command_exit = -1;
	return p;
}

struct counter_track *
profile_add_track(struct profile *p)
{
	struct counter_track *t;

	p->tracks = xreallocarray(p->tracks, p->ntracks + 1, sizeof(*p->tracks));
	t = &p->tracks[p->ntracks++];
	memset(t, 0, sizeof(*t));
	return t;
}

size_t
profile_track_index(const struct profile *p, const char *name, const char *canonical)
{
	for (size_t i = 0; i < p->ntracks; i++)
		if (p->tracks[i].name && strcmp(p->tracks[i].name, name) == 0)
			return i;
	for (size_t i = 0; i < p->ntracks && canonical; i++)
		if (p->tracks[i].canonical && strcmp(p->tracks[i].canonical, canonical) == 0)
			return i;
	return SIZE_MAX;
}

struct counter_track *
profile_find_track(struct profile *p, const char *name)
{
	size_t i = profile_track_index(p, name, NULL);

	return i == SIZE_MAX ? NULL : &p->tracks[i];
}

struct ratio_def *
profile_find_ratio(struct profile *p, const char *name)
{
	for (size_t i = 0; i < p->nratios; i++)
		if (strcmp(p->ratios[i].name, name) == 0)
			return &p->ratios[i];
	return NULL;
}

int
profile_set_ratio(struct profile *p, const struct ratio_def *r)
{
	struct ratio_def *old = profile_find_ratio(p, r->name);

	if (old) {
		ratio_fini(old);
		ratio_copy(old, r);
		old->builtin = false;
		return 1;
	}
	p->ratios = xreallocarray(p->ratios, p->nratios + 1, sizeof(*p->ratios));
	ratio_copy(&p->ratios[p->nratios], r);
	p->ratios[p->nratios++].builtin = false;
	return 0;
}

void
profile_enable_stacks(struct profile *p, size_t max_nodes, uint64_t window_ns)
{
	if (p->stacks)
		return;
	p->frames = frametab_new();
	p->frame_root = frametab_intern(p->frames, "all", NULL, NULL, 0, FRAME_ROOT, false);
	p->frame_other = frametab_intern(p->frames, "[other]", NULL, NULL, 0, FRAME_OTHER, false);
	p->stacks = stacktree_new(p->frame_root, p->frame_other, max_nodes, window_ns);
	p->tasks = tasks_new();
	p->addrs = addrtab_new(0);
}

void
profile_enable_offcpu(struct profile *p, size_t max_nodes)
{
	if (!p->offcpu && p->frames)
		p->offcpu = stacktree_new(p->frame_root, p->frame_other, max_nodes, 0);
}

static void
profile_free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
profile_free(struct profile *p)
{
	struct profile_meta *m;

	if (!p)
		return;
	m = &p->meta;
	free(m->ringside_version);
	free(m->host);
	free(m->kernel);
	free(m->arch);
	free(m->target_kind);
	free(m->target_desc);
	free(m->target_cpus);
	free(m->target_pids);
	profile_free_strv(m->command, m->ncommand);
	profile_free_strv(m->cmdline, m->ncmdline);
	free(m->end_reason);
	for (size_t i = 0; i < m->nhosts; i++) {
		free(m->hosts[i].label);
		free(m->hosts[i].host);
		free(m->hosts[i].kernel);
		free(m->hosts[i].source);
	}
	free(m->hosts);
	for (size_t i = 0; i < p->ntracks; i++)
		counter_track_fini(&p->tracks[i]);
	free(p->tracks);
	free(p->sampling.event);
	free(p->sampling.callgraph);
	stacktree_free(p->stacks);
	stacktree_free(p->offcpu);
	profile_events_free(p);
	schedmap_free(p->sched);
	free(p->sched_json);
	free(p->sched_cpu_host);
	free(p->sched_cpu_num);
	free(p->sched_task_host);
	free(p->command_output);
	for (size_t i = 0; i < p->nratios; i++)
		ratio_fini(&p->ratios[i]);
	free(p->ratios);
	memacc_free(p->mem);
	kvmexits_free(p->kvm);
	taskctr_free(p->taskctr);
	tasks_free(p->tasks);
	addrtab_free(p->addrs);
	frametab_free(p->frames);
	free(p);
}
