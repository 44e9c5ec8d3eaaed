/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the snapshot writer, reader and file functions share and nobody else uses: how a schedmap
 * task is written in the file's task references (an index into the tasks array, or -1 idle,
 * -2 no data, -3 other), and the per-address counts' writer and reader (snapshot_addrs.c).
 */
#ifndef RINGSIDE_EXPORT_SNAPSHOT_INTERNAL_H
#define RINGSIDE_EXPORT_SNAPSHOT_INTERNAL_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "ringside/model/profile.h"
#include "ringside/model/stacktree.h"
#include "ringside/util/errbuf.h"

/* The most functions whose sampled addresses a snapshot keeps (the hottest by samples). */
#define SNAPSHOT_ADDR_FUNCS 256

/* The file's reference for a schedmap task (SCHEDMAP_TASK_IDLE and the like included). */
json_int_t snapshot_task_ref(uint32_t task);
/* The schedmap task a file's reference names; the inverse of snapshot_task_ref. */
uint32_t snapshot_task_of_ref(json_int_t ref);

/* The "mem" object: the heat map's rows and columns per busy mapping, how many mappings get
 * buckets, how many hot pages are listed. */
#define SNAPSHOT_MEM_ROWS  64
#define SNAPSHOT_MEM_COLS  64
#define SNAPSHOT_MEM_GRIDS 16
#define SNAPSHOT_MEM_PAGES 32

/* Write p->mem as the value of "mem" (snapshot_mem.c). Returns 0, or -1 when it cannot be built. */
int snapshot_mem_write(const struct profile *p, FILE *fp);
/* Read root's "mem" into p->mem when there is one (after the stacks and the timeline); 0 or
 * -EINVAL with err naming the problem. */
int snapshot_mem_read(json_t *root, struct profile *p, struct errbuf *err);
/* Write p->kvm as the value of "kvm" (snapshot_kvm.c). Returns 0, or -1 when it cannot be built. */
int snapshot_kvm_write(const struct profile *p, FILE *fp);
/* Read root's "kvm" into p->kvm when there is one; 0 or -EINVAL with err naming the problem. */
int snapshot_kvm_read(json_t *root, struct profile *p, struct errbuf *err);
/* Write ",\"addresses\":{...}" into the stacks object, when the profile has addresses. */
void snapshot_addrs_write(const struct profile *p, FILE *fp);
/* Read stacks.addresses (optional) into p->addrs; 0, or -EINVAL with err set. */
int snapshot_addrs_read(json_t *stacks, struct profile *p, struct errbuf *err);
/*
 * Write ",\"timeline\":{...}" into the stacks object when t has a time index; index gives each
 * tree node's position in stacks.nodes (snapshot_timeline.c).
 */
void snapshot_timeline_write(const struct stacktree *t, const uint32_t *index, FILE *fp);
/*
 * Read stacks.timeline (optional) into t's time index; ids gives the tree id of each of the n
 * tuples of stacks.nodes. Every node's entries must add up to its self count. 0, or -EINVAL.
 */
int snapshot_timeline_read(json_t *stacks, struct stacktree *t, const uint32_t *ids, size_t n,
			   struct errbuf *err);
/* Add "command_output" to root when p has the command's output (snapshot_output.c). */
void snapshot_output_write(const struct profile *p, json_t *root);
/* Read root's optional "command_output" into p; 0, or -EINVAL with err set. */
int snapshot_output_read(json_t *root, struct profile *p, struct errbuf *err);
/* The "task_counters" object of p->taskctr (snapshot_tasks.c); NULL when it cannot be built. */
json_t *snapshot_tasks_json(const struct profile *p);
/* Read root's "task_counters" into p->taskctr when there is one; 0 or -EINVAL with err. */
int snapshot_tasks_read(json_t *root, struct profile *p, struct errbuf *err);

/*
 * Stream t's nodes as the array of [parent, frame, self, total] tuples (snapshot_write.c); with
 * index_out, *index_out gets each tree node's position in it (the caller frees it).
 */
void snapshot_stream_nodes(const struct stacktree *t, FILE *fp, uint32_t **index_out);
/*
 * Read obj's array key (base names obj in errors) into a new tree *out; with check_root, the
 * root's total must be samples; with ids_out, *ids_out gets the tree's id of each tuple (the
 * caller frees it) (snapshot_read.c). Returns 0, or -EINVAL with err set.
 */
int snapshot_read_nodes(json_t *obj, const char *base, struct profile *p, const char *key,
			struct stacktree **out, bool check_root, uint64_t samples,
			uint32_t **ids_out, struct errbuf *err);
/* Write stacks.events, the further sampled events' trees, when p has any (snapshot_events.c). */
void snapshot_events_write(const struct profile *p, FILE *fp);
/*
 * The optional "weight" ("count": a group's event, its tree in counts; "sample", the default) and
 * "leader" (a group member's leader; read only when leader is not NULL) of object o at where.
 */
int snapshot_events_weight(json_t *o, const char *where, bool *counts, char **leader,
			   struct errbuf *err);
/* Read stacks.events (optional) into p->events; 0, or -EINVAL with err set. */
int snapshot_events_read(json_t *stacks, struct profile *p, struct errbuf *err);
/* meta.hosts, a merged snapshot's inputs (snapshot_hosts.c), as a new array. */
json_t *snapshot_hosts_write(const struct profile_meta *m);
/* Read meta's optional "hosts" into m; 0, or -EINVAL with err naming the entry. */
int snapshot_hosts_read(json_t *meta, struct profile_meta *m, struct errbuf *err);
/*
 * A merged snapshot's sched.cpus[].host and sched.tasks[].host (labels of meta.hosts) into p's
 * sched_cpu_host, sched_cpu_num and sched_task_host (p->sched built); 0 when it has none.
 */
int snapshot_hosts_sched(json_t *tasks, json_t *cpus, struct profile *p, struct errbuf *err);

#endif
