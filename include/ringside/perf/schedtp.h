/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The scheduler tracepoints (sched_switch, sched_wakeup, sched_wakeup_new, sched_migrate_task,
 * sched_process_exec, sched_process_fork, sched_process_exit): their ids, for
 * perf_event_attr.config, and the decoding of their PERF_SAMPLE_RAW payloads into struct
 * sched_event. Only those seven format files are parsed (with libtraceevent), once, and every
 * field the decoder needs is located then, so that decoding a record is a handful of bounded
 * memcpy's: no allocation and no libtraceevent call per record. Field layouts differ between
 * kernels (prev_state a long or an int, comms char[16] or __data_loc char[], fields added and
 * reordered); each field is read at the size and signedness its format gives.
 */
#ifndef RINGSIDE_PERF_SCHEDTP_H
#define RINGSIDE_PERF_SCHEDTP_H

#include <stddef.h>
#include <stdint.h>

#include "ringside/model/schedmap.h"
#include "ringside/util/errbuf.h"

#define SCHEDTP_NR_TYPES 7 /* SCHED_SWITCH .. SCHED_EXIT */

struct schedtp;

/*
 * Read the seven sched format files and ids under tracefs_dir (NULL: sys_tracefs_dir(), which
 * mounts tracefs when root and it is missing). On success *out is the caller's (schedtp_free).
 * Returns 0 or a negative errno with err set:
 *   -ENOENT  no tracefs ("tracefs is not available; mount it ..."), a tracepoint missing (the
 *            message names it, e.g. "sched:sched_wakeup_new"), or a field the decoder needs
 *            missing from a format (named, with the tracepoint);
 *   -EINVAL  a format file libtraceevent cannot parse, or a field of an unusable type or size;
 *   -EACCES and other -errno: a format or id file that cannot be read (the path is named).
 * The prio and target_cpu fields are optional: a kernel without them decodes them as 0.
 */
int schedtp_new(struct schedtp **out, const char *tracefs_dir, struct errbuf *err);

/* The tracepoint id of type (perf_event_attr.config for PERF_TYPE_TRACEPOINT); 0 for a bad type. */
uint64_t schedtp_id(const struct schedtp *tp, enum sched_event_type type);

/* "sched:sched_switch", "sched:sched_wakeup", ... for type; NULL for a bad type. Static. */
const char *schedtp_name(enum sched_event_type type);

/*
 * Decode the raw payload (PERF_SAMPLE_RAW's data, size bytes, any alignment) of a type record
 * into *out. out->type is set, the fields of that type are filled as struct sched_event
 * documents them and every other field is zeroed, time and cpu included (they come from the
 * sample: the caller sets them). Strings are NUL-terminated and truncated to their buffer, even
 * when the kernel's char[16] has no NUL. Numbers are sign- or zero-extended as the format says.
 * Returns 0, or -EINVAL (out zeroed but for type) when type is bad, raw is shorter than the
 * format's fixed part, or a __data_loc/__rel_loc string lies outside raw. Nothing outside
 * raw[0, size) is ever read. Allocates nothing.
 */
int schedtp_decode(const struct schedtp *tp, enum sched_event_type type, const void *raw,
		   size_t size, struct sched_event *out);

/* Free tp (NULL is fine). */
void schedtp_free(struct schedtp *tp);

#endif
