/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the snapshot writer, reader and file functions share and nobody else uses: how a schedmap
 * task is written in the file's task references (an index into the tasks array, or -1 idle,
 * -2 no data, -3 other).
 */
#ifndef RINGSIDE_EXPORT_SNAPSHOT_INTERNAL_H
#define RINGSIDE_EXPORT_SNAPSHOT_INTERNAL_H

#include <jansson.h>
#include <stdint.h>

/* The file's reference for a schedmap task (SCHEDMAP_TASK_IDLE and the like included). */
json_int_t snapshot_task_ref(uint32_t task);
/* The schedmap task a file's reference names; the inverse of snapshot_task_ref. */
uint32_t snapshot_task_of_ref(json_int_t ref);

#endif
