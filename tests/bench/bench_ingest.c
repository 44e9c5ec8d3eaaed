// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_ingest: the throughput of ingest (decode + symbolize + insert into the stack tree) on a
 * stream of real records. It launches COMMAND under a sampler (-g fp, HZ per CPU, the default
 * sampling event), copies every record out of the rings into memory until the command exits, then
 * replays the copy through ingest_record into a fresh profile and resolver:
 *
 *   pass 1 (cold): every record in order (side-band and samples); the resolver starts empty, so
 *                  this pays for loading symbol tables, DWARF and kallsyms on first use;
 *   passes 2..N (warm): the SAMPLE records again, into the same profile (the side-band records
 *                  were applied once; replaying an exec would reset the process's maps). This is
 *                  the steady state of a long recording: known addresses, known paths.
 *
 * ingest_flush is called only after the last pass, so the command's EXIT record does not drop its
 * maps while its samples are still replayed. Prints the stream's composition, the stack depths, the
 * samples per second of each pass (one thread, so per core), the resolver's cache statistics, and
 * a last line "RESULT cold=... warm=... samples=... depth_mean=..." for scripts.
 *
 * With -g dwarf[,SIZE] the samples carry user registers and stack copies, and every pass unwinds
 * each one again (the unwinder keeps no per-sample result): the replay then measures unwinding
 * too, and prints the unwinder's own time per sample.
 *
 * --save FILE writes the capture to FILE; --load FILE replays a saved capture instead of running
 * a command (the same input for every binary: callgrind's instruction counts then compare two
 * builds exactly; the symbol files and /proc the replay reads are this machine's). --snapshot OUT
 * writes the replayed profile's snapshot JSON (the same capture must give the same bytes).
 *
 *   bench_ingest [--freq HZ] [--passes N] [-g fp|dwarf[,SIZE]] [--save FILE] [--snapshot OUT]
 *                -- COMMAND [ARGS...]
 *   bench_ingest [--passes N] [--snapshot OUT] --load FILE
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ringside/app/ingest.h"
#include "ringside/export/snapshot.h"
#include "ringside/model/profile.h"
#include "ringside/model/stacktree.h"
#include "ringside/perf/decode.h"
#include "ringside/perf/evspec.h"
#include "ringside/perf/sampler.h"
#include "ringside/perf/target.h"
#include "ringside/sym/symres.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"

#define BENCH_INGEST_MAX_EVENTS 16

/* The captured stream: records packed one after another, each 8-byte aligned. */
struct bench_ingest_capture {
	unsigned char *buf;
	size_t len, cap;
	size_t *offs; /* where each record starts */
	uint8_t *evs; /* its event, an index into events (UINT8_MAX: none) */
	size_t n, ncap;
	struct sampler_event events[BENCH_INGEST_MAX_EVENTS];
	const struct sampler_event *keys[BENCH_INGEST_MAX_EVENTS]; /* the sampler's pointers */
	size_t nevents;
	uint64_t by_type[PERF_RECORD_MAX];
};

static void
bench_ingest_usage(void)
{
	fprintf(stderr, "usage: bench_ingest [--freq HZ] [--passes N] [-g fp|dwarf[,SIZE]] "
			"[--save FILE] [--snapshot OUT] -- COMMAND [ARGS...]\n"
			"       bench_ingest [--passes N] [--snapshot OUT] --load FILE\n");
	exit(2);
}

static double
bench_ingest_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The sampler_record_fn of the capture: copy the record and remember its event. */
static void
bench_ingest_copy(void *ctx, const struct sampler_event *ev, const struct perf_event_header *rec)
{
	struct bench_ingest_capture *c = ctx;
	size_t size = (rec->size + 7u) & ~(size_t)7, k = UINT8_MAX;

	if (ev) {
		for (k = 0; k < c->nevents && c->keys[k] != ev; k++)
			;
		if (k == c->nevents && k < BENCH_INGEST_MAX_EVENTS) {
			c->keys[k] = ev;
			c->events[k] = *ev;
			c->events[k].name = xstrdup(ev->name);
			c->nevents++;
		}
		if (k == BENCH_INGEST_MAX_EVENTS)
			k = UINT8_MAX;
	}
	if (c->len + size > c->cap) {
		c->cap = c->cap ? c->cap * 2 : 1u << 24;
		c->buf = xrealloc(c->buf, c->cap);
	}
	if (c->n == c->ncap) {
		c->ncap = c->ncap ? c->ncap * 2 : 1u << 16;
		c->offs = xreallocarray(c->offs, c->ncap, sizeof(*c->offs));
		c->evs = xreallocarray(c->evs, c->ncap, sizeof(*c->evs));
	}
	memcpy(c->buf + c->len, rec, rec->size);
	c->offs[c->n] = c->len;
	c->evs[c->n] = (uint8_t)k;
	c->n++;
	c->len += size;
	if (rec->type < PERF_RECORD_MAX)
		c->by_type[rec->type]++;
}

static const struct perf_event_header *
bench_ingest_rec(const struct bench_ingest_capture *c, size_t i)
{
	return (const struct perf_event_header *)(c->buf + c->offs[i]);
}

static const struct sampler_event *
bench_ingest_ev(const struct bench_ingest_capture *c, size_t i)
{
	return c->evs[i] == UINT8_MAX ? NULL : &c->events[c->evs[i]];
}

/* Launch argv under a sampler and capture its records until it exits. */
static enum callgraph_mode bench_ingest_mode = CALLGRAPH_FP;
static uint32_t bench_ingest_stack;

static int
bench_ingest_record(char **argv, uint64_t freq, struct bench_ingest_capture *c, char **event,
		    double *secs)
{
	struct errbuf err = { 0 };
	struct target t = { 0 };
	struct evspec spec = { 0 };
	struct sampler *s = NULL;
	struct pollfd *pfd = NULL;
	double t0;
	int rc;

	evspec_sampling_default(&spec);
	target_init_command(&t, argv);
	rc = target_launch(&t, &err);
	if (rc < 0)
		goto out;
	{
		struct sampler_opts o = { .event = &spec,
					  .freq = freq,
					  .callgraph = bench_ingest_mode,
					  .stack_size = bench_ingest_stack };

		rc = sampler_open(&s, &o, &t, &err);
	}
	if (rc < 0) {
		target_stop_child(&t);
		goto out;
	}
	*event = xstrdup(spec.name);
	pfd = xcalloc(sampler_nfds(s), sizeof(*pfd));
	for (size_t i = 0; i < sampler_nfds(s); i++)
		pfd[i] = (struct pollfd){ .fd = sampler_fd(s, i), .events = POLLIN };
	t0 = bench_ingest_now(CLOCK_MONOTONIC);
	rc = target_start(&t, &err);
	if (rc < 0)
		goto out;
	while (!target_reap(&t)) {
		poll(pfd, sampler_nfds(s), 50);
		sampler_consume(s, bench_ingest_copy, c);
	}
	sampler_consume(s, bench_ingest_copy, c);
	*secs = bench_ingest_now(CLOCK_MONOTONIC) - t0;
	if (sampler_bad_records(s))
		fprintf(stderr, "bench_ingest: %" PRIu64 " bad records in the rings\n",
			sampler_bad_records(s));
out:
	if (rc < 0)
		fprintf(stderr, "bench_ingest: %s\n", err.msg[0] ? err.msg : strerror(-rc));
	free(pfd);
	sampler_free(s);
	target_fini(&t);
	evspec_fini(&spec);
	return rc;
}

/*
 * The capture file: "RSBENCH1", then u64 fields: freq, seconds (as a double's bits), nevents, and
 * per event kind, index, user_chain, nmembers, member, per_thread, sample_type, regs_user_mask,
 * sample_id_all, read_format, the name's length; then the sampling event's name's length, nrecs,
 * the stream's length; then the names, each record's event byte, the stream. Host byte order: a
 * capture is replayed on the machine that made it.
 */
#define BENCH_INGEST_MAGIC "RSBENCH1"

static void
bench_ingest_put(FILE *f, uint64_t v)
{
	fwrite(&v, sizeof(v), 1, f);
}

static int
bench_ingest_save(const char *path, const struct bench_ingest_capture *c, uint64_t freq,
		  double secs, const char *event)
{
	FILE *f = fopen(path, "wb");
	uint64_t bits;

	if (!f) {
		fprintf(stderr, "bench_ingest: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	memcpy(&bits, &secs, sizeof(bits));
	fwrite(BENCH_INGEST_MAGIC, 8, 1, f);
	bench_ingest_put(f, freq);
	bench_ingest_put(f, bits);
	bench_ingest_put(f, c->nevents);
	for (size_t k = 0; k < c->nevents; k++) {
		const struct sampler_event *e = &c->events[k];
		uint64_t v[] = { (uint64_t)e->kind,
				 e->index,
				 e->user_chain,
				 e->nmembers,
				 e->member,
				 e->per_thread,
				 e->layout.sample_type,
				 e->layout.regs_user_mask,
				 e->layout.sample_id_all,
				 e->layout.read_format,
				 strlen(e->name) };

		for (size_t j = 0; j < sizeof(v) / sizeof(v[0]); j++)
			bench_ingest_put(f, v[j]);
	}
	bench_ingest_put(f, strlen(event));
	bench_ingest_put(f, c->n);
	bench_ingest_put(f, c->len);
	for (size_t k = 0; k < c->nevents; k++)
		fputs(c->events[k].name, f);
	fputs(event, f);
	fwrite(c->evs, 1, c->n, f);
	fwrite(c->buf, 1, c->len, f);
	if (fclose(f) != 0) {
		fprintf(stderr, "bench_ingest: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static bool
bench_ingest_get(FILE *f, uint64_t *v)
{
	return fread(v, sizeof(*v), 1, f) == 1;
}

static char *
bench_ingest_getstr(FILE *f, uint64_t len)
{
	char *s = xcalloc(len + 1, 1);

	if (len && fread(s, 1, len, f) != len)
		s[0] = '\0';
	return s;
}

/* Read a capture saved by bench_ingest_save; offsets and counts by type are rebuilt. */
static int
bench_ingest_load(const char *path, struct bench_ingest_capture *c, uint64_t *freq, double *secs,
		  char **event)
{
	FILE *f = fopen(path, "rb");
	char magic[8];
	uint64_t bits, nev, v[11], elen, n, len;
	uint64_t nlen[BENCH_INGEST_MAX_EVENTS];
	bool ok;

	if (!f) {
		fprintf(stderr, "bench_ingest: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	ok = fread(magic, 8, 1, f) == 1 && memcmp(magic, BENCH_INGEST_MAGIC, 8) == 0 &&
	     bench_ingest_get(f, freq) && bench_ingest_get(f, &bits) && bench_ingest_get(f, &nev) &&
	     nev <= BENCH_INGEST_MAX_EVENTS;
	for (size_t k = 0; ok && k < nev; k++) {
		struct sampler_event *e = &c->events[k];

		for (size_t j = 0; ok && j < 11; j++)
			ok = bench_ingest_get(f, &v[j]);
		*e = (struct sampler_event){ .kind = (enum sampler_event_kind)v[0],
					     .index = v[1],
					     .user_chain = v[2],
					     .nmembers = v[3],
					     .member = v[4],
					     .per_thread = v[5],
					     .layout = { .sample_type = v[6],
							 .regs_user_mask = v[7],
							 .sample_id_all = v[8],
							 .read_format = v[9] } };
		nlen[k] = v[10];
		if (v[6] & PERF_SAMPLE_STACK_USER)
			bench_ingest_mode = CALLGRAPH_DWARF;
	}
	ok = ok && bench_ingest_get(f, &elen) && bench_ingest_get(f, &n) &&
	     bench_ingest_get(f, &len) && len % 8 == 0;
	if (!ok) {
		fprintf(stderr,
			"bench_ingest: %s is not a capture (bench_ingest --save writes one)\n",
			path);
		fclose(f);
		return -1;
	}
	memcpy(secs, &bits, sizeof(bits));
	c->nevents = nev;
	for (size_t k = 0; k < nev; k++)
		c->events[k].name = bench_ingest_getstr(f, nlen[k]);
	*event = bench_ingest_getstr(f, elen);
	c->n = c->ncap = n;
	c->len = c->cap = len;
	c->evs = xcalloc(n + 1, 1);
	c->offs = xcalloc(n + 1, sizeof(*c->offs));
	c->buf = xmalloc(len + 8);
	ok = fread(c->evs, 1, n, f) == n && fread(c->buf, 1, len, f) == len;
	for (size_t i = 0, off = 0; ok && i < n; i++) {
		const struct perf_event_header *h = (const void *)(c->buf + off);

		ok = off + sizeof(*h) <= len && h->size >= sizeof(*h) && off + h->size <= len &&
		     (c->evs[i] == UINT8_MAX || c->evs[i] < nev);
		if (!ok)
			break;
		c->offs[i] = off;
		if (h->type < PERF_RECORD_MAX)
			c->by_type[h->type]++;
		off += (h->size + 7u) & ~(size_t)7;
	}
	fclose(f);
	if (!ok)
		fprintf(stderr, "bench_ingest: %s is truncated or corrupt\n", path);
	return ok ? 0 : -1;
}

static int
bench_ingest_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Frames per sample (context markers excluded): min, median, mean, p90, max; user and kernel. */
static double
bench_ingest_depths(const struct bench_ingest_capture *c)
{
	uint32_t *d = xcalloc(c->n + 1, sizeof(*d));
	uint64_t user = 0, kernel = 0, sum = 0;
	size_t n = 0;
	double mean;

	for (size_t i = 0; i < c->n; i++) {
		const struct perf_event_header *h = bench_ingest_rec(c, i);
		const struct sampler_event *ev = bench_ingest_ev(c, i);
		struct decode_sample smp;
		int in_user = 0;
		uint32_t k = 0;

		if (h->type != PERF_RECORD_SAMPLE || !ev || decode_sample(&ev->layout, h, &smp) < 0)
			continue;
		for (uint64_t j = 0; j < smp.nr; j++) {
			if (smp.ips[j] >= (uint64_t)PERF_CONTEXT_MAX) {
				in_user = smp.ips[j] == (uint64_t)PERF_CONTEXT_USER;
				continue;
			}
			k++;
			if (in_user)
				user++;
			else
				kernel++;
		}
		d[n++] = k;
		sum += k;
	}
	if (n == 0) {
		printf("stack depth: no samples decoded\n");
		free(d);
		return 0;
	}
	qsort(d, n, sizeof(*d), bench_ingest_cmp_u32);
	mean = (double)sum / (double)n;
	printf("stack depth (frames per sample): min %u, median %u, mean %.1f, p90 %u, max %u; "
	       "per sample %.1f user + %.1f kernel\n",
	       d[0], d[n / 2], mean, d[n * 9 / 10], d[n - 1], (double)user / (double)n,
	       (double)kernel / (double)n);
	free(d);
	return mean;
}

static int
bench_ingest_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Replay the capture npasses times into a fresh profile; prints each pass. */
static void
bench_ingest_replay(const struct bench_ingest_capture *c, int npasses, double *cold, double *warm,
		    double *unwind_us, const char *snapshot, const char *event, uint64_t freq)
{
	struct unwind_stats us;
	struct profile *p = profile_new();
	struct symres *sym;
	struct ingest *in;
	struct symres_stats st;
	double *rates = xcalloc((size_t)npasses, sizeof(*rates));
	uint64_t nsamples = c->by_type[PERF_RECORD_SAMPLE];

	profile_enable_stacks(p, 0, 10ull * 1000000000u);
	/* What the snapshot's "stacks" needs (and says): the event, its rate, the call graph. */
	p->sampling.event = xstrdup(event);
	p->sampling.freq = freq;
	p->sampling.callgraph = xstrdup(bench_ingest_mode == CALLGRAPH_DWARF ? "dwarf" : "fp");
	sym = symres_new(p->frames);
	in = ingest_new(p, sym);
	for (int pass = 0; pass < npasses; pass++) {
		double w0 = bench_ingest_now(CLOCK_MONOTONIC), c0, w, cpu;

		c0 = bench_ingest_now(CLOCK_THREAD_CPUTIME_ID);
		for (size_t i = 0; i < c->n; i++) {
			const struct perf_event_header *h = bench_ingest_rec(c, i);

			if (pass > 0 && h->type != PERF_RECORD_SAMPLE)
				continue;
			ingest_record(in, bench_ingest_ev(c, i), h);
		}
		cpu = bench_ingest_now(CLOCK_THREAD_CPUTIME_ID) - c0;
		w = bench_ingest_now(CLOCK_MONOTONIC) - w0;
		rates[pass] = cpu > 0 ? (double)nsamples / cpu : 0;
		printf("pass %d (%s): %" PRIu64
		       " samples in %.4f s CPU (%.4f s wall): %.0f samples/s, "
		       "%.0f ns per sample\n",
		       pass + 1, pass == 0 ? "cold" : "warm", nsamples, cpu, w, rates[pass],
		       nsamples ? cpu * 1e9 / (double)nsamples : 0);
	}
	if (ingest_unwind_stats(in, &us))
		printf("unwinder: %" PRIu64 " unwinds (%d passes), %.2f us each, %.1f user frames "
		       "each, %" PRIu64 " truncated, %" PRIu64 " without frames\n",
		       us.samples, npasses,
		       us.samples ? (double)us.ns / 1e3 / (double)us.samples : 0,
		       us.samples ? (double)us.frames / (double)us.samples : 0, us.truncated,
		       us.failed);
	*unwind_us = us.samples ? (double)us.ns / 1e3 / (double)us.samples : 0;
	ingest_flush(in);
	*cold = rates[0];
	*warm = 0;
	if (npasses > 1) {
		qsort(rates + 1, (size_t)npasses - 1, sizeof(*rates), bench_ingest_cmp_double);
		*warm = rates[1 + (npasses - 1) / 2];
	}
	symres_stats(sym, &st);
	printf("profile: %" PRIu64 " samples inserted (%d passes), %" PRIu64 " lost, %" PRIu64
	       " throttled, %" PRIu64 " bad; tree %zu nodes (%zu KiB), %zu frames, %zu strings\n",
	       p->sampling.samples, npasses, p->sampling.lost, p->sampling.throttled,
	       p->sampling.bad_records, stacktree_nnodes(p->stacks),
	       stacktree_memory(p->stacks) / 1024, frametab_nframes(p->frames),
	       frametab_nstrings(p->frames));
	printf("resolver: %" PRIu64 " lookups, %" PRIu64 " cache hits (%.2f%%), %" PRIu64
	       " unresolved, %zu modules, %zu processes, %zu KiB\n",
	       st.lookups, st.cache_hits,
	       st.lookups ? 100.0 * (double)st.cache_hits / (double)st.lookups : 0.0, st.unresolved,
	       st.modules, st.processes, st.memory / 1024);
	if (snapshot) {
		struct errbuf err = { 0 };

		if (snapshot_save(p, snapshot, &err) < 0)
			fprintf(stderr, "bench_ingest: %s\n", err.msg);
	}
	ingest_free(in);
	symres_free(sym);
	profile_free(p);
	free(rates);
}

int
main(int argc, char **argv)
{
	struct bench_ingest_capture c = { 0 };
	unsigned long long freq = 10000, passes = 5;
	char *event = NULL, *end;
	const char *save = NULL, *load = NULL, *snapshot = NULL;
	double secs = 0, cold, warm, depth, unwind_us;
	uint64_t freq64;
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--freq") == 0 && i + 1 < argc) {
			freq = strtoull(argv[++i], &end, 10);
			if (*end || freq == 0)
				bench_ingest_usage();
		} else if (strcmp(argv[i], "-g") == 0 && i + 1 < argc) {
			if (!callgraph_parse(argv[++i], &bench_ingest_mode, &bench_ingest_stack))
				bench_ingest_usage();
		} else if (strcmp(argv[i], "--save") == 0 && i + 1 < argc) {
			save = argv[++i];
		} else if (strcmp(argv[i], "--load") == 0 && i + 1 < argc) {
			load = argv[++i];
		} else if (strcmp(argv[i], "--snapshot") == 0 && i + 1 < argc) {
			snapshot = argv[++i];
		} else if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc) {
			passes = strtoull(argv[++i], &end, 10);
			if (*end || passes < 2 || passes > 1000)
				bench_ingest_usage();
		} else {
			bench_ingest_usage();
		}
	}
	if (load) {
		if (i < argc || save)
			bench_ingest_usage();
		if (bench_ingest_load(load, &c, &freq64, &secs, &event) < 0)
			return 1;
		freq = freq64;
	} else {
		if (i + 1 >= argc)
			bench_ingest_usage();
		if (bench_ingest_record(argv + i + 1, freq, &c, &event, &secs) < 0)
			return 1;
		if (save && bench_ingest_save(save, &c, freq, secs, event) < 0)
			return 1;
	}
	printf("captured %zu records (%.1f MiB) in %.2f s at %llu Hz, event %s: %" PRIu64
	       " samples, %" PRIu64 " mmap2, %" PRIu64 " comm, %" PRIu64 " fork, %" PRIu64
	       " exit, %" PRIu64 " lost, %" PRIu64 " lost-samples, %" PRIu64 " throttle\n",
	       c.n, (double)c.len / (1 << 20), secs, freq, event, c.by_type[PERF_RECORD_SAMPLE],
	       c.by_type[PERF_RECORD_MMAP2], c.by_type[PERF_RECORD_COMM],
	       c.by_type[PERF_RECORD_FORK], c.by_type[PERF_RECORD_EXIT],
	       c.by_type[PERF_RECORD_LOST], c.by_type[PERF_RECORD_LOST_SAMPLES],
	       c.by_type[PERF_RECORD_THROTTLE]);
	depth = bench_ingest_depths(&c);
	bench_ingest_replay(&c, (int)passes, &cold, &warm, &unwind_us, snapshot, event, freq);
	printf("RESULT cold=%.0f warm=%.0f samples=%" PRIu64 " depth_mean=%.1f unwind_us=%.2f\n",
	       cold, warm, c.by_type[PERF_RECORD_SAMPLE], depth, unwind_us);
	for (size_t k = 0; k < c.nevents; k++)
		free((char *)c.events[k].name);
	free(c.buf);
	free(c.offs);
	free(c.evs);
	free(event);
	return 0;
}
