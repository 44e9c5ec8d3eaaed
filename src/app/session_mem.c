// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --mem in a session: the sampling event becomes the best source of data addresses the machine
 * has (app's side of perf/memsrc), sampled by period with PERF_SAMPLE_ADDR, and the profile gets
 * its memory-access model. An explicit --sample-event is taken as the source instead.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "ringside/perf/memsrc.h"
#include "session_impl.h"

int
session_mem_prepare(struct session *s, struct errbuf *err)
{
	const struct record_opts *o = s->opts;
	struct memsrc ms;

	if (!o->mem)
		return 0;
	if (o->no_samples)
		return errbuf_fail(
			err, -EINVAL,
			"--mem samples data addresses and --no-samples takes no samples; "
			"drop one of them");
	s->mem.on = true;
	if (o->sample_event) {
		s->mem.period = o->period ? o->period : 1;
		s->mem.latency = false;
		snprintf(s->mem.source, sizeof(s->mem.source), "%s", s->sample_spec.name);
		session_note(s,
			     "--mem: sampling the data addresses of %s (--sample-event), every "
			     "%lu events",
			     s->sample_spec.name, (unsigned long)s->mem.period);
		return 0;
	}
	memsrc_choose(&ms, "/sys", true);
	evspec_fini(&s->sample_spec);
	evspec_copy(&s->sample_spec, &ms.spec);
	s->mem.period = o->period ? o->period : ms.period;
	s->mem.latency = ms.latency;
	snprintf(s->mem.source, sizeof(s->mem.source), "%s", memsrc_name(ms.kind));
	session_note(s, "%s", ms.why);
	memsrc_fini(&ms);
	return 0;
}

void
session_mem_init(struct session *s)
{
	if (!s->mem.on)
		return;
	s->profile->mem = memacc_new(s->mem.source);
	s->profile->sampling.freq = 0;
	s->profile->sampling.period = s->mem.period;
}
