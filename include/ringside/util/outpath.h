/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The -o FILE of record and the live screen, with %-expansions for runs on many machines or ranks
 * at once: %h the host name, %p ringside's pid, %r the MPI or Slurm rank (from
 * OMPI_COMM_WORLD_RANK, PMIX_RANK, PMI_RANK or SLURM_PROCID, the first set), %% a '%'. A %r with
 * none of them set is an error rather than a guess, so that ranks never write over each other.
 */
#ifndef RINGSIDE_UTIL_OUTPATH_H
#define RINGSIDE_UTIL_OUTPATH_H

#include "ringside/util/errbuf.h"

/* What the expansions stand for. */
struct outpath_vars {
	const char *host;     /* %h ('/' becomes '_') */
	long pid;	      /* %p */
	const char *rank;     /* %r, NULL when no launcher set one */
	const char *rank_var; /* the variable rank came from, for messages */
};

/* The values for this process: gethostname, getpid, the rank variables in the environment. */
void outpath_vars_here(struct outpath_vars *v, char *hostbuf, unsigned long hostlen);
/*
 * Expand tmpl's %h, %p, %r and %% with v into *out (the caller's, to free). Returns 0, or -EINVAL
 * with err for an unknown or unfinished % sequence, a %r without a rank, or a rank that is not a
 * number.
 */
int outpath_expand_with(const char *tmpl, const struct outpath_vars *v, char **out,
			struct errbuf *err);
/* As outpath_expand_with, with this process's values (outpath_vars_here). */
int outpath_expand(const char *tmpl, char **out, struct errbuf *err);

#endif
