// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Snapshot files: saving one atomically, loading one from a .json file or from the page that
 * ringside export --html wrote, and the task references both the writer and the reader use. The
 * JSON itself is written in snapshot_write.c and read in snapshot_read.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/html.h"
#include "ringside/export/snapshot.h"
#include "ringside/util/infile.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"
#include "snapshot_internal.h"

/* A task index for the file: tasks by index, -1 idle, -2 unknown, -3 other. */
json_int_t
snapshot_task_ref(uint32_t task)
{
	switch (task) {
	case SCHEDMAP_TASK_IDLE:
		return -1;
	case SCHEDMAP_TASK_UNKNOWN:
		return -2;
	case SCHEDMAP_TASK_OTHER:
		return -3;
	default:
		return (json_int_t)task;
	}
}

/* A task reference of the file as a schedmap task: -1 idle, -2 no data, -3 other. */
uint32_t
snapshot_task_of_ref(json_int_t ref)
{
	switch (ref) {
	case -1:
		return SCHEDMAP_TASK_IDLE;
	case -2:
		return SCHEDMAP_TASK_UNKNOWN;
	case -3:
		return SCHEDMAP_TASK_OTHER;
	default:
		return (uint32_t)ref;
	}
}

int
snapshot_save(const struct profile *p, const char *path, struct errbuf *err)
{
	struct outfile of;
	int r;

	r = outfile_open(&of, path, err);
	if (r < 0)
		return r;
	r = snapshot_write(p, of.fp, err);
	if (r < 0) {
		outfile_abort(&of);
		return r;
	}
	return outfile_commit(&of, err);
}

/* The one-line refusal of a file that is not a regular file or is over max bytes. */
static int
snapshot_refuse(const char *path, int r, mode_t mode, uint64_t size, size_t max, struct errbuf *err)
{
	char lim[32], got[32];

	infile_size_str(max, lim, sizeof(lim));
	if (r == -ESPIPE)
		return errbuf_fail_as(
			err, ERRBUF_INPUT, r,
			"snapshot '%s' is %s, not a regular file; snapshots are read "
			"from regular files of at most %s: give a .json or .html file "
			"that ringside record or export wrote",
			path, infile_kind(mode), lim);
	return errbuf_fail_as(err, ERRBUF_INPUT, r,
			      "snapshot '%s' is %s, over the %s a snapshot can be (more than a "
			      "24-hour recording writes): give a .json or .html file that ringside "
			      "record or export wrote",
			      path, infile_size_str(size, got, sizeof(got)), lim);
}

typedef int snapshot_parse_fn(const char *buf, size_t len, struct profile **out,
			      struct errbuf *err);

static int snapshot_load_with(const char *path, size_t max, snapshot_parse_fn *parse,
			      struct profile **out, struct errbuf *err);

int
snapshot_load(const char *path, struct profile **out, struct errbuf *err)
{
	return snapshot_load_with(path, SNAPSHOT_MAX_BYTES, snapshot_parse, out, err);
}

int
snapshot_load_max(const char *path, size_t max, struct profile **out, struct errbuf *err)
{
	return snapshot_load_with(path, max, snapshot_parse, out, err);
}

int
snapshot_load_diff(const char *path, struct profile **out, struct errbuf *err)
{
	return snapshot_load_with(path, SNAPSHOT_MAX_BYTES, snapshot_parse_diff, out, err);
}

static int
snapshot_load_with(const char *path, size_t max, snapshot_parse_fn *parse, struct profile **out,
		   struct errbuf *err)
{
	struct errbuf inner;
	char *buf = NULL;
	size_t len = 0;
	uint64_t size = 0;
	mode_t mode = 0;
	int r;

	*out = NULL;
	r = infile_read(path, max, &buf, &len, &mode, &size);
	if (r == -ESPIPE || r == -EFBIG)
		return snapshot_refuse(path, r, mode, size, max, err);
	if (r < 0 && mode == 0)
		return errbuf_fail(err, r, "cannot open snapshot '%s': %s", path, strerror(-r));
	if (r < 0)
		return errbuf_fail(err, r, "cannot read snapshot '%s': %s", path, strerror(-r));
	if (len == 0) {
		free(buf);
		return errbuf_fail(err, -EINVAL, "snapshot '%s' is empty", path);
	}
	errbuf_clear(&inner);
	if (html_detect(buf, len)) {
		char *json;
		size_t jlen;

		r = html_extract_max(buf, len, max, &json, &jlen, &inner);
		free(buf);
		if (r == -EFBIG)
			return errbuf_fail_as(err, ERRBUF_INPUT, r, "'%s': %s", path, inner.msg);
		if (r < 0)
			return errbuf_fail(err, r,
					   "'%s' holds no ringside snapshot; %s. Open a page that "
					   "ringside record or export wrote, or a .json snapshot",
					   path, inner.msg);
		buf = json;
		len = jlen;
	}
	r = parse(buf, len, out, &inner);
	free(buf);
	if (r < 0)
		errbuf_fail(err, r, "snapshot '%s' is damaged: %s", path, inner.msg);
	return r;
}
