// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 'ringside annotate': a snapshot's function annotated on standard output. A function is named as
 * the flamegraph names it; when several frames carry the name (the same function in two modules,
 * say), the one with the most sampled instructions is shown.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/annotate_cmd.h"
#include "ringside/app/journal.h"
#include "ringside/util/errbuf.h"

/* Samples at addresses of frame (self and at call sites), 0 when none. */
static uint64_t
annotate_cmd_samples(const struct addrtab_func *f, size_t n, uint32_t frame)
{
	for (size_t i = 0; i < n; i++)
		if (f[i].frame == frame)
			return f[i].samples + f[i].calls;
	return 0;
}

uint32_t
annotate_cmd_target(const struct profile *p, uint32_t frame)
{
	const struct frame *want;
	struct addrtab_func *f;
	uint32_t best = UINT32_MAX;
	size_t n;

	if (!p->addrs || !p->frames || frame >= frametab_nframes(p->frames))
		return UINT32_MAX;
	n = addrtab_functions(p->addrs, &f);
	want = frametab_get(p->frames, frame);
	if (annotate_cmd_samples(f, n, frame)) {
		free(f);
		return frame;
	}
	/* Sorted by samples: the first of the same name and module is the hottest. */
	for (size_t i = 0; i < n && best == UINT32_MAX; i++) {
		const struct frame *g = frametab_get(p->frames, f[i].frame);

		if (g->name == want->name && g->module == want->module)
			best = f[i].frame;
	}
	free(f);
	return best;
}

struct annotate *
annotate_cmd_frame(const struct profile *p, uint32_t frame, const struct annotate_opts *opts)
{
	uint32_t target = annotate_cmd_target(p, frame);
	const struct frame *f;
	struct addrtab_entry *e = NULL;
	struct annotate *a;
	size_t n = 0;

	if (target == UINT32_MAX) {
		f = frame < frametab_nframes(p->frames) ? frametab_get(p->frames, frame) : NULL;
		a = annotate_build(f ? frametab_str(p->frames, f->name) : "?",
				   f ? frametab_str(p->frames, f->module) : "", FRAME_USER, NULL, 0,
				   opts);
		return a;
	}
	f = frametab_get(p->frames, target);
	addrtab_function(p->addrs, target, &e, &n);
	a = annotate_build(frametab_str(p->frames, f->name), frametab_str(p->frames, f->module),
			   (enum frame_kind)f->kind, e, n, opts);
	free(e);
	return a;
}

/* The frame named function with the most sampled addresses, or UINT32_MAX. */
static uint32_t
annotate_cmd_find(const struct profile *p, const char *function)
{
	struct addrtab_func *f;
	uint32_t best = UINT32_MAX;
	size_t n;

	if (!p->addrs)
		return UINT32_MAX;
	n = addrtab_functions(p->addrs, &f);
	for (size_t i = 0; i < n && best == UINT32_MAX; i++)
		if (strcmp(frametab_str(p->frames, frametab_get(p->frames, f[i].frame)->name),
			   function) == 0)
			best = f[i].frame;
	free(f);
	return best;
}

/* Say that function is unknown, naming the hottest functions there are. */
static void
annotate_cmd_unknown(const struct profile *p, const char *file, const char *function)
{
	struct addrtab_func *f = NULL;
	size_t n = p->addrs ? addrtab_functions(p->addrs, &f) : 0;

	if (n == 0) {
		fprintf(stderr,
			"ringside: %s has no sampled addresses (recorded without samples, or by a "
			"ringside before 'annotate'); record it again to annotate\n",
			file);
		return;
	}
	fprintf(stderr, "ringside: no function '%s' with samples in %s; the hottest are:", function,
		file);
	for (size_t i = 0; i < n && i < 5; i++)
		fprintf(stderr, "%s %s", i ? "," : "",
			frametab_str(p->frames, frametab_get(p->frames, f[i].frame)->name));
	fputc('\n', stderr);
	free(f);
}

int
annotate_cmd_main(const char *file, const char *function, const struct annotate_opts *opts)
{
	struct profile *p = NULL;
	struct annotate *a;
	struct errbuf err;
	uint32_t frame;

	errbuf_clear(&err);
	if (journal_load_any(file, &p, &err) < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return 2;
	}
	frame = annotate_cmd_find(p, function);
	if (frame == UINT32_MAX) {
		annotate_cmd_unknown(p, file, function);
		profile_free(p);
		return 2;
	}
	a = annotate_cmd_frame(p, frame, opts);
	annotate_print(a, stdout);
	annotate_free(a);
	profile_free(p);
	return fflush(stdout) == 0 ? 0 : 1;
}
