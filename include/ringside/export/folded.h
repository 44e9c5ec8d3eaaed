/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Folded stacks: one line per distinct call path, "comm;outer;...;leaf COUNT", the format
 * FlameGraph, inferno and speedscope read. Threads and processes with the same comm are merged,
 * as stackcollapse-perf does; frame names have ';' and newlines replaced so the format holds. A
 * recording that lost samples ends with the line "[lost samples] N", so the loss shows in any
 * flame graph drawn from the file.
 */
#ifndef RINGSIDE_EXPORT_FOLDED_H
#define RINGSIDE_EXPORT_FOLDED_H

#include <stdio.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/* A frame's name made safe for the format (no ';' or line breaks): a new string to free. */
char *folded_frame_name(const struct frametab *ft, const struct frame *f);
/* Write p's stack tree as folded stacks. Returns 0, or -EINVAL when p has no stacks, -EIO. */
int folded_write(const struct profile *p, FILE *fp, struct errbuf *err);
/* Write to path atomically. */
int folded_save(const struct profile *p, const char *path, struct errbuf *err);

/*
 * folded_write of tree t of p (the stacks, or a time tree from view/timetree.h, whose counts are
 * nanoseconds), sharing p's frames; the lost-samples line only for p->stacks.
 */
int folded_write_tree(const struct profile *p, const struct stacktree *t, FILE *fp,
		      struct errbuf *err);
/* folded_save of tree t of p (see folded_write_tree). */
int folded_save_tree(const struct profile *p, const struct stacktree *t, const char *path,
		     struct errbuf *err);

#endif
