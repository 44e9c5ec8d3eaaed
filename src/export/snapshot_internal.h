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
/* Write ",\"addresses\":{...}" into the stacks object, when the profile has addresses. */
void snapshot_addrs_write(const struct profile *p, FILE *fp);
/* Read stacks.addresses (optional) into p->addrs; 0, or -EINVAL with err set. */
int snapshot_addrs_read(json_t *stacks, struct profile *p, struct errbuf *err);
/* meta.hosts, a merged snapshot's inputs (snapshot_hosts.c), as a new array. */
json_t *snapshot_hosts_write(const struct profile_meta *m);
/* Read meta's optional "hosts" into m; 0, or -EINVAL with err naming the entry. */
int snapshot_hosts_read(json_t *meta, struct profile_meta *m, struct errbuf *err);

#endif
