// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One way to write a profile to a file: the extension picks JSON, HTML, folded stacks or pprof, and
 * the file appears whole or not at all (util/outfile.h).
 */
#include <errno.h>
#include <string.h>

#include "ringside/export/export.h"
#include "ringside/export/folded.h"
#include "ringside/export/html.h"
#include "ringside/export/pprof.h"
#include "ringside/export/snapshot.h"
#include "ringside/util/outfile.h"

static bool
export_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && strcmp(s + n - m, suffix) == 0;
}

enum export_format
export_format_of(const char *path)
{
	if (export_has_suffix(path, ".json"))
		return EXPORT_JSON;
	if (export_has_suffix(path, ".html"))
		return EXPORT_HTML;
	if (export_has_suffix(path, ".folded"))
		return EXPORT_FOLDED;
	if (export_has_suffix(path, ".pb.gz"))
		return EXPORT_PPROF;
	return EXPORT_UNKNOWN;
}

bool
export_format_known(const char *path)
{
	return export_format_of(path) != EXPORT_UNKNOWN;
}

int
export_write(const struct profile *p, enum export_format f, FILE *fp, struct errbuf *err)
{
	switch (f) {
	case EXPORT_JSON:
		return snapshot_write(p, fp, err);
	case EXPORT_HTML:
		return html_write(p, fp, err);
	case EXPORT_FOLDED:
		return folded_write(p, fp, err);
	case EXPORT_PPROF:
		return pprof_write(p, fp, err);
	default:
		return errbuf_fail(err, -EINVAL,
				   "unknown output format; name the file " EXPORT_EXTENSIONS);
	}
}

int
export_write_as(const struct profile *p, enum export_format f, FILE *fp, const char *path,
		struct errbuf *err)
{
	struct errbuf inner;
	int r, cause;

	errbuf_clear(&inner);
	r = export_write(p, f, fp, &inner);
	/* A failed write leaves its cause in errno (the writers keep it across their message). */
	cause = errno ? errno : EIO;
	if (r == 0)
		return 0;
	/* What cannot be written at all (no stacks, not valid JSON) is an invalid argument. */
	if (r == -EINVAL)
		cause = EINVAL;
	/* Folded stacks report a failed write as their code. */
	else if (f == EXPORT_FOLDED)
		cause = -r;
	return errbuf_fail(err, r, "cannot write '%s': %s", path, strerror(cause));
}

int
export_write_path(const struct profile *p, const char *path, struct errbuf *err)
{
	enum export_format f = export_format_of(path);
	struct outfile of;
	int r;

	if (f == EXPORT_UNKNOWN)
		return errbuf_fail(err, -EINVAL, "output '%s' must end in " EXPORT_EXTENSIONS,
				   path);
	r = outfile_open(&of, path, err);
	if (r < 0)
		return r;
	r = export_write(p, f, of.fp, err);
	if (r < 0) {
		outfile_abort(&of);
		return r;
	}
	return outfile_commit(&of, err);
}
