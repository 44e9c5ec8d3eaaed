/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Ratio definitions, data only: a name, two event names and a scale. The built-in ones (IPC, CPI,
 * cache-miss %, branch-miss %) and the user's --ratio NAME=A/B, which the profile keeps and
 * snapshots store. view/rates computes their values from the counter tracks.
 */
#ifndef RINGSIDE_MODEL_RATIO_H
#define RINGSIDE_MODEL_RATIO_H

#include <stdbool.h>
#include <stddef.h>

#include "ringside/util/errbuf.h"

/* A ratio of two events' counts: scale * num / den. */
struct ratio_def {
	char *name;
	char *num, *den; /* event names as tracks know them (name or canonical) */
	double scale;	 /* 1, or 100 for a percentage */
	bool percent;
	bool builtin;
};

/* Parse "NAME=A/B" (a trailing % on NAME makes it a percentage). Returns 0 or -EINVAL + err. */
int ratio_parse(struct ratio_def *r, const char *text, struct errbuf *err);
/* The number of built-in ratios: IPC, CPI, cache-miss %, branch-miss %. */
size_t ratio_builtin_count(void);
/* Built-in ratio i into out (out owns its strings: ratio_fini). */
void ratio_builtin_get(size_t i, struct ratio_def *out);
/* Copy src into dst (dst owns its strings). */
void ratio_copy(struct ratio_def *dst, const struct ratio_def *src);
void ratio_fini(struct ratio_def *r);

#endif
