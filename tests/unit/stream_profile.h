/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile the stream and journal tests write: a system-wide recording's meta, cpu-clock
 * samples with fp call stacks (a stack tree without a window), nothing recorded yet. Include after
 * ringside/model/profile.h and ringside/util/xalloc.h.
 */
#ifndef RINGSIDE_TESTS_STREAM_PROFILE_H
#define RINGSIDE_TESTS_STREAM_PROFILE_H

static inline struct profile *
stream_profile_new(void)
{
	struct profile *p = profile_new();

	p->meta.ringside_version = xstrdup("0.1.0");
	p->meta.host = xstrdup("test-host");
	p->meta.kernel = xstrdup("6.1.0");
	p->meta.arch = xstrdup("x86_64");
	p->meta.ncpus = 2;
	p->meta.cmdline = xcalloc(1, sizeof(char *));
	p->meta.cmdline[0] = xstrdup("ringside");
	p->meta.ncmdline = 1;
	p->meta.target_kind = xstrdup("system");
	p->meta.target_desc = xstrdup("system-wide");
	p->meta.interval_ns = 250000000;
	profile_enable_stacks(p, 0, 0);
	p->sampling.event = xstrdup("cpu-clock");
	p->sampling.callgraph = xstrdup("fp");
	p->sampling.freq = 999;
	return p;
}

#endif
