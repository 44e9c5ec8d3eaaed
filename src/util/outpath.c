// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * %-expansions in output names, so that `mpirun -np 4 ringside record -o run-%h-%r.json` gives
 * each rank a file of its own. Expansion builds the name in a growing buffer; the first bad
 * sequence stops it with a message naming the sequence, the template and the fix.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/util/outpath.h"
#include "ringside/util/xalloc.h"

/* The launchers' rank variables, the most specific first (Open MPI also sets PMIX_RANK). */
static const char *const outpath_rank_vars[] = {
	"OMPI_COMM_WORLD_RANK",
	"PMIX_RANK",
	"PMI_RANK",
	"SLURM_PROCID",
};

void
outpath_vars_here(struct outpath_vars *v, char *hostbuf, unsigned long hostlen)
{
	memset(v, 0, sizeof(*v));
	if (hostlen && gethostname(hostbuf, hostlen) == 0) {
		hostbuf[hostlen - 1] = '\0';
		v->host = hostbuf;
	} else {
		v->host = "localhost";
	}
	v->pid = (long)getpid();
	for (size_t i = 0; i < sizeof(outpath_rank_vars) / sizeof(outpath_rank_vars[0]); i++) {
		const char *r = getenv(outpath_rank_vars[i]);

		if (r && *r) {
			v->rank = r;
			v->rank_var = outpath_rank_vars[i];
			break;
		}
	}
}

static void
outpath_append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static bool
outpath_is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The text a % sequence stands for into tmp (or a borrowed string); NULL with err when bad. */
static const char *
outpath_one(char c, const char *tmpl, const struct outpath_vars *v, char *tmp, size_t tmplen,
	    struct errbuf *err)
{
	switch (c) {
	case '%':
		return "%";
	case 'h':
		return v->host;
	case 'p':
		snprintf(tmp, tmplen, "%ld", v->pid);
		return tmp;
	case 'r':
		if (!v->rank) {
			errbuf_fail(err, -EINVAL,
				    "'%s' names a rank (%%r) but none of OMPI_COMM_WORLD_RANK, "
				    "PMIX_RANK, PMI_RANK or SLURM_PROCID is set; run under mpirun "
				    "or srun, or leave %%r out",
				    tmpl);
			return NULL;
		}
		if (!outpath_is_number(v->rank)) {
			errbuf_fail(err, -EINVAL,
				    "%s='%s' is not a rank number; cannot expand %%r in '%s'",
				    v->rank_var ? v->rank_var : "the rank", v->rank, tmpl);
			return NULL;
		}
		return v->rank;
	case '\0':
		errbuf_fail(err, -EINVAL,
			    "'%s' ends in a lone %%; write %%%% for a '%%' (or %%h, %%p, %%r)",
			    tmpl);
		return NULL;
	default:
		errbuf_fail(
			err, -EINVAL,
			"'%s' has an unknown %%%c; use %%h (host), %%p (pid), %%r (rank) or %%%% "
			"(a '%%')",
			tmpl, c);
		return NULL;
	}
}

int
outpath_expand_with(const char *tmpl, const struct outpath_vars *v, char **out, struct errbuf *err)
{
	size_t len = 0, cap = strlen(tmpl) + 64;
	char *buf = xmalloc(cap), tmp[32];

	buf[0] = '\0';
	*out = NULL;
	for (const char *s = tmpl; *s; s++) {
		const char *piece, *pct = strchr(s, '%');

		if (!pct) {
			outpath_append(&buf, &len, &cap, s, strlen(s));
			break;
		}
		outpath_append(&buf, &len, &cap, s, (size_t)(pct - s));
		piece = outpath_one(pct[1], tmpl, v, tmp, sizeof(tmp), err);
		if (!piece) {
			free(buf);
			return -EINVAL;
		}
		for (const char *q = piece; *q; q++)
			outpath_append(&buf, &len, &cap, *q == '/' && pct[1] == 'h' ? "_" : q, 1);
		s = pct + 1;
	}
	*out = buf;
	return 0;
}

int
outpath_expand(const char *tmpl, char **out, struct errbuf *err)
{
	struct outpath_vars v;
	char host[256];

	outpath_vars_here(&v, host, sizeof(host));
	return outpath_expand_with(tmpl, &v, out, err);
}
