// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz target: the raw payload of scheduler tracepoint samples (perf/schedtp), decoded with the
 * recipes built from this kernel's format files. The first byte picks the tracepoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/perf/schedtp.h"
#include "fuzz.h"

FUZZ_TARGET(schedtp);

static struct schedtp *fuzz_schedtp_tp;
static size_t fuzz_schedtp_sink;

int
FUZZ_INIT(schedtp)(int *argc, char ***argv)
{
	struct errbuf err = { 0 };

	(void)argc;
	(void)argv;
	if (schedtp_new(&fuzz_schedtp_tp, NULL, &err) != 0)
		fprintf(stderr,
			"fuzz_schedtp: no scheduler tracepoint formats here (%s): nothing to "
			"fuzz\n",
			err.msg);
	return 0;
}

int
FUZZ_ONE(schedtp)(const uint8_t *data, size_t size)
{
	struct sched_event ev;
	unsigned char *raw;

	if (!fuzz_schedtp_tp || size < 1)
		return 0;
	/* An exact-size heap copy: a read past the payload is a reported overflow. */
	raw = malloc(size - 1 ? size - 1 : 1);
	memcpy(raw, data + 1, size - 1);
	if (schedtp_decode(fuzz_schedtp_tp, (enum sched_event_type)(data[0] % 8), raw, size - 1,
			   &ev) == 0)
		fuzz_schedtp_sink += strlen(ev.prev_comm) + strlen(ev.next_comm) + strlen(ev.comm) +
				     strlen(ev.parent_comm) + strlen(ev.child_comm) +
				     strlen(ev.filename) + (size_t)ev.prev_pid;
	free(raw);
	return 0;
}
