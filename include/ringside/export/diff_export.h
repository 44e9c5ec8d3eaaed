/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing a diff (view/diff.h) out: the two-column folded format FlameGraph's difffolded.pl
 * produces ("stack countA countB", which flamegraph.pl and inferno read), the diff JSON
 * (ringside-snapshot(5), "DIFF JSON"), and the self-contained diff page. The output's extension
 * picks the format.
 */
#ifndef RINGSIDE_EXPORT_DIFF_EXPORT_H
#define RINGSIDE_EXPORT_DIFF_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "ringside/util/errbuf.h"
#include "ringside/view/diff.h"

/* The names of the two inputs, written into the JSON and the page. */
struct diff_export_names {
	const char *a, *b;
};

/* True when path ends in .folded, .json or .html. */
bool diff_export_known(const char *path);
/* Write d as folded diff lines; -EINVAL when neither run has stacks, -EIO. */
int diff_export_folded(const struct diff *d, FILE *fp, struct errbuf *err);
/* Write d as diff JSON. Returns 0 or -EIO. */
int diff_export_json(const struct diff *d, const struct diff_export_names *names, FILE *fp,
		     struct errbuf *err);
/* Write d as the self-contained diff page (html_write_diff). Returns 0 or -EIO. */
int diff_export_html(const struct diff *d, const struct diff_export_names *names, FILE *fp,
		     struct errbuf *err);
/* Write d to path in the format its extension names, atomically. Returns 0 or -errno with err. */
int diff_export_save(const struct diff *d, const struct diff_export_names *names, const char *path,
		     struct errbuf *err);

#endif
