/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory-access part of the ingest (--mem), private to src/app: data mappings from MMAP2
 * records, and each sample's data address binned into the profile's memacc.
 */
#ifndef RINGSIDE_APP_INGEST_MEM_H
#define RINGSIDE_APP_INGEST_MEM_H

#include <stdint.h>

#include "ringside/model/profile.h"
#include "ringside/perf/decode.h"

struct ingest_mem;

/* State for the profile's memacc (which must exist). */
struct ingest_mem *ingest_mem_new(struct profile *p);
/* Free it; NULL is fine. */
void ingest_mem_free(struct ingest_mem *im);
/* A mapping (any, data or code) from an MMAP2 record. */
void ingest_mem_mmap(struct ingest_mem *im, const struct decode_mmap2 *mm);
/*
 * A sample carrying a data address, inserted in the stack tree at node leaf (STACKTREE_NONE when
 * it was not). An address no mapping holds makes the process's /proc/PID/maps be read (at most
 * once per INGEST_MEM_REREAD_NS of sample time per process) before it is binned as unknown.
 */
void ingest_mem_sample(struct ingest_mem *im, const struct decode_sample *s, uint32_t leaf);

#endif
