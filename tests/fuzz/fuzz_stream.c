// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the stream format (export/stream's reader), what `ringside recover`, `view` and
 * `export` read from a journal left by a killed recording and what `view -` is to read from a
 * remote host, version 2's scheduler timeline (S, T, r, o) and events added live (e, E) included
 * (seeds: sched.journal, sched-cut.journal), and version 3's summary buckets (b) and compressed
 * form, which both readers inflate (seeds: buckets.stream, buckets.stream.gz). A stream that reads
 * is written out as a snapshot and as folded stacks, as recover and export would. The same bytes
 * then go through `view -`'s live reader (export/stream_live) over a pipe in chunks whose size the
 * first byte picks, rebuilt whenever a rebuild is due: at the end it must agree with the whole read
 * (same result, same intervals and samples), whatever the chunks cut.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ringside/export/folded.h"
#include "ringside/export/snapshot.h"
#include "ringside/export/stream.h"
#include "ringside/export/stream_live.h"
#include "ringside/model/profile.h"
#include "fuzz.h"

FUZZ_TARGET(stream);

int
FUZZ_INIT(stream)(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* Rebuild l when due (at most 64 times a run); the last result in *rc, *st. */
static void
fuzz_stream_build(struct stream_live *l, int *rc, struct stream_stats *st, int *builds)
{
	struct profile *p = NULL;
	struct errbuf err = { 0 };

	if (stream_live_due(l) == UINT64_MAX || (*builds >= 64 && !stream_live_eof(l)))
		return;
	(*builds)++;
	*rc = stream_live_build(l, &p, st, &err);
	profile_free(p);
}

/* data through the live reader in chunks; aborts when its end disagrees with stream_read's. */
static void
fuzz_stream_live(const uint8_t *data, size_t size, int want_rc, const struct stream_stats *want)
{
	struct stream_live *l = stream_live_new("fuzz");
	struct stream_stats st = { 0 };
	struct errbuf err = { 0 };
	size_t chunk = (size_t)data[0] % 509 + 1, off = 0;
	int fds[2], rc = 1, builds = 0, rrc = 0;
	bool done;

	if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) < 0) {
		stream_live_free(l);
		return;
	}
	while (off < size && rrc == 0) {
		size_t n = size - off < chunk ? size - off : chunk;
		ssize_t w = write(fds[1], data + off, n);

		off += w > 0 ? (size_t)w : 0;
		rrc = stream_live_read(l, fds[0], &err);
		if (rrc == 0)
			fuzz_stream_build(l, &rc, &st, &builds);
	}
	close(fds[1]);
	while (rrc == 0 && !stream_live_eof(l))
		rrc = stream_live_read(l, fds[0], &err);
	if (rrc == 0)
		fuzz_stream_build(l, &rc, &st, &builds);
	close(fds[0]);
	done = stream_live_due(l) == UINT64_MAX;
	stream_live_free(l);
	/* A line too long is refused by either; otherwise the end must match the whole read. */
	if (rrc == 0 && done &&
	    (rc != want_rc ||
	     (rc == 0 && (st.intervals != want->intervals || st.samples != want->samples))))
		abort();
}

int
FUZZ_ONE(stream)(const uint8_t *data, size_t size)
{
	struct profile *p = NULL;
	struct stream_stats st;
	struct errbuf err = { 0 };
	char *out = NULL;
	size_t outlen = 0;
	FILE *in, *fp;
	int rc;

	if (size == 0)
		return 0;
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	rc = stream_read(in, "fuzz", &p, &st, &err);
	if (rc == 0) {
		fp = open_memstream(&out, &outlen);
		if (fp) {
			(void)snapshot_write(p, fp, &err);
			(void)folded_write(p, fp, &err);
			fclose(fp);
		}
		free(out);
	}
	fclose(in);
	profile_free(p);
	fuzz_stream_live(data, size, rc, &st);
	return 0;
}
