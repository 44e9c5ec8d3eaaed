/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pprof output: the stack tree as a gzipped profile.proto (google/pprof), the format go tool
 * pprof, Pyroscope and Parca read. Each call path with samples of its own is one sample whose
 * values are its sample count and the CPU time they stand for (count x the sampling period in
 * nanoseconds), labelled with its process and thread (pid, tid, comm, thread). Every frame is one
 * function and one location (with its source file and declaration line when known, no address:
 * the snapshot keeps none); every module is one mapping (no address range or build-id either).
 */
#ifndef RINGSIDE_EXPORT_PPROF_H
#define RINGSIDE_EXPORT_PPROF_H

#include <stdint.h>
#include <stdio.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/*
 * Write p's stack tree to fp as gzipped pprof. Returns 0, or -EINVAL with err when p has no
 * stacks, -EIO when the encoder or a write failed (errno keeps a failed write's cause).
 */
int pprof_write(const struct profile *p, FILE *fp, struct errbuf *err);

/* A part of a recording: the samples since the stack tree's last checkpoint, over a time span. */
struct pprof_part {
	int64_t time_nanos;	/* the part's start, Unix time */
	int64_t duration_nanos; /* its length */
};
/* pprof_write of only the part (stacktree_checkpoint, stacktree_self_since); NULL: all of p. */
int pprof_write_part(const struct profile *p, const struct pprof_part *part, FILE *fp,
		     struct errbuf *err);

#endif
