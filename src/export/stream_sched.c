// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scheduler timeline in the stream (man/ringside-stream.5, version 2): per interval, an S line
 * (the map's shape, its time and counts), a T line for each task new or changed since the last
 * interval (its whole statistics), an r line for each run closed since then and an o line for
 * each CPU's run in progress. The reader keeps every run and the latest statistics of every task
 * and rebuilds a schedmap as the snapshot reader does, so a recovered journal draws and writes
 * the scheduler map the recording had at its last whole interval.
 *
 * Tasks have stream ids of their own (from 1), since schedmap renumbers its tasks when it folds
 * exited ones into aggregates: the writer follows the renumbering (the survivors keep their
 * order) and never streams an aggregate, so a stream keeps each task that ran as itself.
 */
#include "config.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/export/snapshot.h"
#include "ringside/util/xalloc.h"

#include "stream_internal.h"

/*
 * A map task's stream id and what its last T line said: the figures the hold and the renumbering
 * read, exactly, and a 64-bit hash of the rest (stream_sched_sum), which tells a change as well
 * as the figures would but for a collision (about one in 2^64 per look). Kept by map task index,
 * so a task folded away costs nothing: 40 bytes per task of the map, not 144 per task ever
 * written.
 */
struct stream_sched_task {
	uint64_t runtime_ns;
	uint64_t sum;	    /* stream_sched_sum of the figures */
	uint32_t id;	    /* its stream id, 0 when none */
	int32_t tid, pid;   /* as written */
	char short_name[8]; /* as written (not NUL-terminated when 8 long) */
	unsigned at : 31;   /* the interval of its last T line; 0: not written yet */
	unsigned exited : 1;
};

/* With a hold: a task's changes wait at most this many intervals (unless it ran hold_ns more). */
#define STREAM_SCHED_STALE 10u

/* A CPU's summary bucket being filled (b lines): its index from the start and what it holds. */
struct stream_sched_acc {
	uint64_t index, busy, known;
	struct stream_sched_share {
		uint32_t task; /* a schedmap task index or SCHEDMAP_TASK_OTHER */
		uint64_t ns;
	} * t;
	size_t nt, cap;
	bool on;
};

struct stream_sched_writer {
	unsigned ncpus;
	bool buckets;		      /* summary buckets (b lines) instead of runs (r, o) */
	uint64_t bucket_ns;	      /* with buckets: their width */
	struct stream_sched_acc *acc; /* with buckets: per CPU, the bucket being filled */
	uint64_t *closed; /* per CPU: where the last closed run written ends (from the start) */
	struct stream_sched_task *tasks; /* per schedmap task index: its stream id and figures */
	size_t nids;
	uint32_t ntasks; /* stream ids handed out */
	uint64_t folded; /* the map's folded tasks when last seen: renumbered when it moves */
	const struct schedmap *m; /* while writing: the map */
	uint64_t interval;	  /* intervals written */
	uint64_t hold_ns; /* while writing: a task not yet written waits under this run time */
	bool final;	  /* while writing: the last interval, no change of a task written waits */
};

void
stream_sched_writer_free(struct stream_sched_writer *sw)
{
	if (!sw)
		return;
	free(sw->tasks);
	free(sw->closed);
	for (unsigned c = 0; sw->acc && c < sw->ncpus; c++)
		free(sw->acc[c].t);
	free(sw->acc);
	free(sw);
}

size_t
stream_sched_writer_memory(const struct stream_sched_writer *sw)
{
	size_t b;

	if (!sw)
		return 0;
	b = sizeof(*sw) + (sw->ncpus + 1) * sizeof(*sw->closed) + sw->nids * sizeof(*sw->tasks);
	for (unsigned c = 0; sw->acc && c < sw->ncpus; c++)
		b += sizeof(*sw->acc) + sw->acc[c].cap * sizeof(*sw->acc[c].t);
	return b;
}

static struct stream_sched_writer *
stream_sched_writer_new(unsigned ncpus, bool buckets, uint64_t bucket_ns)
{
	struct stream_sched_writer *sw = xcalloc(1, sizeof(*sw));

	sw->ncpus = ncpus;
	sw->closed = xcalloc(ncpus + 1, sizeof(*sw->closed));
	sw->buckets = buckets;
	sw->bucket_ns = bucket_ns ? bucket_ns : 1;
	if (buckets)
		sw->acc = xcalloc(ncpus, sizeof(*sw->acc));
	return sw;
}

/* True when t was written for the task st (the same thread, named alike). */
static bool
stream_sched_same(const struct stream_sched_task *t, const struct schedmap_task_stats *st)
{
	return t->tid == st->tid && t->pid == st->pid &&
	       (!t->short_name[0] || strncmp(t->short_name, st->short_name, 8) == 0);
}

/* A map task the writer has seen in an interval: written (an id), or held back (tid, pid). */
static bool
stream_sched_known(const struct stream_sched_task *t)
{
	return t->id || t->tid || t->pid;
}

/*
 * A bucket's share held across intervals names a map task by index; one that a fold took away is
 * named by its stream id instead, marked by this bit (map indexes never reach it; the
 * SCHEDMAP_TASK_* values above it are told apart first).
 */
#define STREAM_SCHED_BY_ID (1u << 31)

static bool
stream_sched_by_id(uint32_t task)
{
	return task < SCHEDMAP_TASK_OTHER && (task & STREAM_SCHED_BY_ID);
}

/*
 * The buckets being filled name map tasks by index: after a renumbering (to[old] the new index,
 * UINT32_MAX for a task folded away), each share names its task's new index; a task folded away
 * is named by its stream id when it has one (old[k].id), else counts as other ('+'). Shares that
 * come to name one task become one.
 */
static void
stream_sched_renumber_acc(struct stream_sched_writer *sw, const uint32_t *to,
			  const struct stream_sched_task *old, size_t nold)
{
	for (unsigned c = 0; sw->acc && c < sw->ncpus; c++) {
		struct stream_sched_acc *a = &sw->acc[c];
		size_t w = 0;

		for (size_t i = 0; i < a->nt; i++) {
			uint32_t t = a->t[i].task;
			size_t k;

			if (t < nold && to[t] != UINT32_MAX)
				t = to[t];
			else if (t < nold)
				t = old[t].id ? old[t].id | STREAM_SCHED_BY_ID
					      : SCHEDMAP_TASK_OTHER;
			for (k = 0; k < w && a->t[k].task != t; k++)
				;
			if (k < w) {
				a->t[k].ns += a->t[i].ns;
				continue;
			}
			a->t[w] = a->t[i];
			a->t[w++].task = t;
		}
		a->nt = w;
	}
}

/*
 * After a fold renumbered the map's tasks: the survivors kept their order, so each is the next
 * task known before that matches it (written or held back). Tasks folded away keep their stream ids
 * (a bucket being filled may still name them) but nothing else.
 */
static void
stream_sched_renumber(struct stream_sched_writer *sw, const struct schedmap *m)
{
	size_t n = schedmap_ntasks(m), k = 0;
	struct stream_sched_task *tasks = xcalloc(n + 1, sizeof(*tasks));
	uint32_t *to = xreallocarray(NULL, sw->nids + 1, sizeof(*to));

	for (size_t i = 0; i < sw->nids; i++)
		to[i] = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		struct schedmap_task_stats st;

		if (schedmap_task_stats(m, (uint32_t)i, &st) < 0 || st.folded)
			continue;
		while (k < sw->nids && (!stream_sched_known(&sw->tasks[k]) ||
					!stream_sched_same(&sw->tasks[k], &st)))
			k++;
		if (k < sw->nids) {
			to[k] = (uint32_t)i;
			tasks[i] = sw->tasks[k++];
		}
	}
	stream_sched_renumber_acc(sw, to, sw->tasks, sw->nids);
	free(to);
	free(sw->tasks);
	sw->tasks = tasks;
	sw->nids = n;
}

static uint64_t
stream_sched_mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

/* A hash of the T line's figures that stream_sched_task does not keep exactly. */
static uint64_t
stream_sched_sum(const struct schedmap_task_stats *st)
{
	const uint64_t v[] = {
		st->target,	st->execs,	st->switches_voluntary, st->switches_involuntary,
		st->migrations, st->wakeups,	st->lat_count,		st->lat_p50_ns,
		st->lat_p95_ns, st->lat_p99_ns, st->lat_max_ns
	};
	unsigned char comm[sizeof(st->comm)] = { 0 };
	uint64_t h = 0;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		h = stream_sched_mix(h, v[i]);
	/* The name up to its NUL, as strncmp compares it. */
	for (size_t i = 0; i < sizeof(comm) && st->comm[i]; i++)
		comm[i] = (unsigned char)st->comm[i];
	for (size_t i = 0; i < sizeof(comm); i += 8) {
		uint64_t w = 0;

		for (size_t b = 0; b < 8; b++)
			w |= (uint64_t)comm[i + b] << (8 * b);
		h = stream_sched_mix(h, w);
	}
	return h;
}

/* True when st differs from t's last T line in a figure the T line holds. */
static bool
stream_sched_changed(const struct stream_sched_task *t, const struct schedmap_task_stats *st)
{
	return t->tid != st->tid || t->pid != st->pid || t->exited != st->exited ||
	       t->runtime_ns != st->runtime_ns ||
	       strncmp(t->short_name, st->short_name, sizeof(t->short_name)) ||
	       t->sum != stream_sched_sum(st);
}

/* Note st as t's last T line, written in interval at. */
static void
stream_sched_keep(struct stream_sched_task *t, const struct schedmap_task_stats *st, uint64_t at)
{
	t->runtime_ns = st->runtime_ns;
	t->sum = stream_sched_sum(st);
	t->tid = st->tid;
	t->pid = st->pid;
	memcpy(t->short_name, st->short_name, sizeof(t->short_name));
	t->exited = st->exited;
	/* 2^31 intervals are decades of seconds. */
	t->at = at < (1u << 31) - 1 ? (unsigned)at : (1u << 31) - 1;
}

static void
stream_sched_put_stats(FILE *fp, uint32_t id, const struct schedmap_task_stats *st)
{
	char comm[sizeof(st->comm)], name[sizeof(st->short_name)];

	snprintf(comm, sizeof(comm), "%s", st->comm);
	snprintf(name, sizeof(name), "%s", st->short_name);
	fprintf(fp,
		"T %" PRIu32 " %" PRId32 " %" PRId32 " %d %d %" PRIu32 " %" PRIu64 " %" PRIu64
		" %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
		" %" PRIu64 " ",
		id, st->tid, st->pid, st->target ? 1 : 0, st->exited ? 1 : 0, st->execs,
		st->runtime_ns, st->switches_voluntary, st->switches_involuntary, st->migrations,
		st->wakeups, st->lat_count, st->lat_p50_ns, st->lat_p95_ns, st->lat_p99_ns,
		st->lat_max_ns);
	stream_put_field(fp, comm);
	fputc(' ', fp);
	stream_put_field(fp, name);
	fputc('\n', fp);
}

/* Give map task i the next stream id, its T line not written yet. */
static struct stream_sched_task *
stream_sched_new_id(struct stream_sched_writer *sw, size_t i)
{
	sw->tasks[i] = (struct stream_sched_task){ .id = ++sw->ntasks };
	return &sw->tasks[i];
}

/*
 * A T line for each task new or changed since the last interval; a task not written yet waits
 * while its run time is under hold_ns (unless a run or bucket names it: stream_sched_need).
 */
static void
stream_sched_tasks(struct stream_sched_writer *sw, FILE *fp, const struct schedmap *m)
{
	size_t n = schedmap_ntasks(m);

	if (n > sw->nids) {
		sw->tasks = xreallocarray(sw->tasks, n, sizeof(*sw->tasks));
		memset(sw->tasks + sw->nids, 0, (n - sw->nids) * sizeof(*sw->tasks));
		sw->nids = n;
	}
	for (size_t i = 0; i < n; i++) {
		struct schedmap_task_stats st;
		struct stream_sched_task *t = &sw->tasks[i];

		memset(&st, 0, sizeof(st));
		if (schedmap_task_stats(m, (uint32_t)i, &st) < 0 || st.folded)
			continue;
		if (!t->id) {
			/* Not written yet, but known, so a renumbering finds it (a bucket names
			 * it). */
			t->tid = st.tid;
			t->pid = st.pid;
		}
		if (!t->id && st.runtime_ns < sw->hold_ns)
			continue;
		if (!t->id)
			stream_sched_new_id(sw, i);
		if (t->at && !stream_sched_changed(t, &st))
			continue;
		/* Held: small changes of a task written wait, a few intervals at most. */
		if (t->at && sw->hold_ns && !sw->final && st.exited == t->exited &&
		    st.runtime_ns < t->runtime_ns + sw->hold_ns &&
		    sw->interval < (uint64_t)t->at + STREAM_SCHED_STALE)
			continue;
		stream_sched_keep(t, &st, sw->interval);
		stream_sched_put_stats(fp, t->id, &st);
	}
}

/* Before a line naming map task task: its T line, when it was held back so far. */
static void
stream_sched_need(struct stream_sched_writer *sw, FILE *fp, uint32_t task)
{
	struct schedmap_task_stats st;
	struct stream_sched_task *t;

	memset(&st, 0, sizeof(st));
	if (task >= sw->nids || sw->tasks[task].id || schedmap_task_stats(sw->m, task, &st) < 0 ||
	    st.folded)
		return;
	t = stream_sched_new_id(sw, task);
	stream_sched_keep(t, &st, sw->interval);
	stream_sched_put_stats(fp, t->id, &st);
}

/* A run's task as the stream names it: its id, '.' idle, '+' other, '?' unknown. */
static void
stream_sched_put_task(struct stream_sched_writer *sw, FILE *fp, uint32_t task)
{
	if (task == SCHEDMAP_TASK_IDLE)
		fputc('.', fp);
	else if (task == SCHEDMAP_TASK_OTHER)
		fputc('+', fp);
	else if (stream_sched_by_id(task))
		fprintf(fp, "%" PRIu32, task & ~STREAM_SCHED_BY_ID);
	else if (task < sw->nids && sw->tasks[task].id)
		fprintf(fp, "%" PRIu32, sw->tasks[task].id);
	else
		fputc('?', fp);
}

static uint64_t
stream_sched_rel(uint64_t t, uint64_t origin)
{
	return t > origin ? t - origin : 0;
}

/* The b line of cpu's bucket a: its busiest task (non-idle), that task's, busy and known ns. */
static void
stream_sched_put_bucket(struct stream_sched_writer *sw, FILE *fp, unsigned cpu,
			const struct stream_sched_acc *a)
{
	const struct stream_sched_share *top = NULL;

	for (size_t i = 0; i < a->nt; i++)
		if (!top || a->t[i].ns > top->ns)
			top = &a->t[i];
	if (top)
		stream_sched_need(sw, fp, top->task);
	fprintf(fp, "b %u %" PRIu64 " ", cpu, a->index);
	stream_sched_put_task(sw, fp, top ? top->task : SCHEDMAP_TASK_IDLE);
	fprintf(fp, " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", top ? top->ns : 0, a->busy, a->known);
}

/* The run [start, end) of task into a's buckets; each bucket it leaves behind is written. */
static void
stream_sched_acc_add(struct stream_sched_writer *sw, FILE *fp, unsigned cpu,
		     struct stream_sched_acc *a, uint64_t start, uint64_t end, uint32_t task)
{
	while (start < end) {
		uint64_t idx = start / sw->bucket_ns;
		uint64_t stop = (idx + 1) * sw->bucket_ns < end ? (idx + 1) * sw->bucket_ns : end;
		size_t i = 0;

		if (!a->on) {
			a->on = true;
			a->index = idx;
		}
		for (; a->index < idx; a->index++) {
			stream_sched_put_bucket(sw, fp, cpu, a);
			a->busy = a->known = 0;
			a->nt = 0;
		}
		a->known += task == SCHEDMAP_TASK_UNKNOWN ? 0 : stop - start;
		if (task != SCHEDMAP_TASK_UNKNOWN && task != SCHEDMAP_TASK_IDLE) {
			a->busy += stop - start;
			while (i < a->nt && a->t[i].task != task)
				i++;
			if (i == a->nt) {
				if (a->nt == a->cap) {
					a->cap = a->cap ? 2 * a->cap : 16;
					a->t = xreallocarray(a->t, a->cap, sizeof(*a->t));
				}
				a->t[a->nt++] = (struct stream_sched_share){ task, 0 };
			}
			a->t[i].ns += stop - start;
		}
		start = stop;
	}
}

/*
 * With buckets, the run in progress [start, end) of task: the buckets it reaches written as they
 * are now (the last one partly filled), without keeping it (it is added when it closes).
 */
static void
stream_sched_acc_open(struct stream_sched_writer *sw, FILE *fp, unsigned cpu, uint64_t start,
		      uint64_t end, uint32_t task)
{
	struct stream_sched_acc a = sw->acc[cpu];

	a.t = a.nt ? memcpy(xmalloc(a.nt * sizeof(*a.t)), a.t, a.nt * sizeof(*a.t)) : NULL;
	a.cap = a.nt;
	stream_sched_acc_add(sw, fp, cpu, &a, start, end, task);
	if (a.on)
		stream_sched_put_bucket(sw, fp, cpu, &a);
	free(a.t);
}

/*
 * The runs of cpu closed since the last interval (r lines), then its run in progress (o); with
 * buckets, the b lines of the buckets they filled and the run in progress reaches.
 */
static void
stream_sched_runs(struct stream_sched_writer *sw, FILE *fp, const struct profile *p, unsigned cpu)
{
	const struct schedmap *m = p->sched;
	size_t n = schedmap_nruns(m, cpu), lo = 0, hi = n;
	struct schedmap_run run;

	/* The first run that ends after what was written (runs are contiguous, in time order). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (schedmap_run_at(m, cpu, mid, &run) == 0 &&
		    stream_sched_rel(run.end, p->sched_origin) <= sw->closed[cpu])
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < n && schedmap_run_at(m, cpu, i, &run) == 0; i++) {
		uint64_t start = stream_sched_rel(run.start, p->sched_origin);
		uint64_t end = stream_sched_rel(run.end, p->sched_origin);

		/* Runs follow each other: time not covered (the start, a gap) is unknown. */
		if (start > sw->closed[cpu]) {
			if (sw->buckets)
				stream_sched_acc_add(sw, fp, cpu, &sw->acc[cpu], sw->closed[cpu],
						     start, SCHEDMAP_TASK_UNKNOWN);
			else
				fprintf(fp, "r %u %" PRIu64 " ?\n", cpu, start - sw->closed[cpu]);
			sw->closed[cpu] = start;
		}
		if (start < sw->closed[cpu])
			start = sw->closed[cpu];
		if (end < start)
			end = start;
		if (sw->buckets) {
			if (run.open) {
				stream_sched_acc_open(sw, fp, cpu, start, end, run.task);
				break;
			}
			stream_sched_acc_add(sw, fp, cpu, &sw->acc[cpu], start, end, run.task);
			sw->closed[cpu] = end;
			continue;
		}
		stream_sched_need(sw, fp, run.task);
		if (run.open) {
			fprintf(fp, "o %u %" PRIu64 " ", cpu, start);
		} else {
			fprintf(fp, "r %u %" PRIu64 " ", cpu, end - start);
		}
		stream_sched_put_task(sw, fp, run.task);
		fputc('\n', fp);
		if (run.open)
			break;
		sw->closed[cpu] = end;
	}
}

void
stream_sched_write(struct stream_sched_writer **swp, FILE *fp, const struct profile *p,
		   const struct stream_sched_opts *o)
{
	const struct schedmap *m = p->sched;
	struct stream_sched_writer *sw;
	struct schedmap_counts sc;

	if (!m)
		return;
	if (!*swp) {
		/* The buckets as wide as asked, never finer than the map's nor over the cap. */
		uint64_t b =
			o->bucket_ns > schedmap_bucket_ns(m) ? o->bucket_ns : schedmap_bucket_ns(m);

		*swp = stream_sched_writer_new(schedmap_ncpus(m), o->buckets,
					       b < SCHEDMAP_MAX_BUCKET_NS ? b
									  : SCHEDMAP_MAX_BUCKET_NS);
	}
	sw = *swp;
	schedmap_get_counts(m, &sc);
	fprintf(fp, "S %u %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", sw->ncpus,
		sw->buckets ? sw->bucket_ns : schedmap_bucket_ns(m),
		stream_sched_rel(schedmap_now(m), p->sched_origin), p->sched_switches, sc.events);
	if (sc.folded_tasks != sw->folded) {
		stream_sched_renumber(sw, m);
		sw->folded = sc.folded_tasks;
	}
	sw->m = m;
	sw->interval++;
	sw->final = o->final;
	sw->hold_ns = (uint64_t)((double)o->hold_permille / 1000.0 * (double)sw->ncpus *
				 (double)stream_sched_rel(schedmap_now(m), p->sched_origin));
	stream_sched_tasks(sw, fp, m);
	for (unsigned c = 0; c < sw->ncpus; c++)
		stream_sched_runs(sw, fp, p, c);
}

/* ---- reading ---- */

struct stream_sched_run {
	uint64_t start, end;
	uint32_t task; /* a stream task id, or a SCHEDMAP_TASK_* */
};

/* A summary bucket of a b line. */
struct stream_sched_bucket {
	uint32_t task; /* a stream task id, IDLE or OTHER */
	uint64_t task_ns, busy, known;
};

struct stream_sched_cpu {
	struct stream_sched_run *runs;
	size_t nruns;
	char form;			     /* 'r' runs, 'b' buckets, 0 none yet (never both) */
	struct stream_sched_bucket *buckets; /* from index first on */
	size_t nbuckets, bcap;
	uint64_t first;	 /* the first bucket's index */
	uint64_t p_next; /* the next index a b line may give at most (pending lines too) */
	uint64_t closed; /* where its last closed run ends (0 before any) */
	struct stream_sched_run open; /* its run in progress at the last commit */
	bool has_open;
};

/* A line held until the commit: a task's statistics (id), or a run of a CPU. */
struct stream_sched_pending {
	char kind; /* 'T', 'r', 'o', 'b' */
	unsigned cpu;
	uint32_t id;	/* T: the task's id; b: unused */
	uint64_t index; /* b: the bucket's index */
	struct stream_sched_bucket bucket;
	struct stream_sched_run run;
	struct schedmap_task_stats st;
};

struct stream_sched_reader {
	unsigned ncpus;
	uint64_t bucket_ns;
	uint64_t now, switches, events; /* the last commit's */
	uint64_t p_now, p_switches, p_events;
	bool p_shape;			   /* an S line is pending */
	bool committed;			   /* an interval with the timeline was */
	struct schedmap_task_stats *tasks; /* by stream id - 1 */
	size_t ntasks, p_new;		   /* committed; pending new ids */
	struct stream_sched_cpu *cpus;
	uint64_t *p_closed; /* per CPU, with the pending runs */
	struct stream_sched_pending *pend;
	size_t npend;
};

void
stream_sched_reader_free(struct stream_sched_reader *sr)
{
	if (!sr)
		return;
	for (unsigned c = 0; c < sr->ncpus; c++) {
		free(sr->cpus[c].runs);
		free(sr->cpus[c].buckets);
	}
	free(sr->cpus);
	free(sr->p_closed);
	free(sr->tasks);
	free(sr->pend);
	free(sr);
}

bool
stream_sched_idle(const struct stream_sched_reader *sr)
{
	return !sr || (!sr->npend && !sr->p_shape);
}

/* S NCPUS BUCKET_NS NOW SWITCHES EVENTS: the first one makes the reader, the rest must agree. */
static int
stream_sched_shape(struct stream_sched_reader **srp, char **f, size_t n)
{
	uint64_t v[5];
	struct stream_sched_reader *sr = *srp;

	if (n != 6)
		return -1;
	for (size_t k = 0; k < 5; k++)
		if (!stream_u64(f[1 + k], &v[k]))
			return -1;
	if (v[0] == 0 || v[0] > 65536 || v[1] == 0 || v[1] > SCHEDMAP_MAX_BUCKET_NS)
		return -1;
	if (sr && (sr->p_shape || v[0] != sr->ncpus || v[1] != sr->bucket_ns || v[2] < sr->now))
		return -1;
	if (!sr) {
		sr = *srp = xcalloc(1, sizeof(*sr));
		sr->ncpus = (unsigned)v[0];
		sr->bucket_ns = v[1];
		sr->cpus = xcalloc(sr->ncpus, sizeof(*sr->cpus));
		sr->p_closed = xcalloc(sr->ncpus, sizeof(*sr->p_closed));
	}
	sr->p_shape = true;
	sr->p_now = v[2];
	sr->p_switches = v[3];
	sr->p_events = v[4];
	return 0;
}

static struct stream_sched_pending *
stream_sched_push(struct stream_sched_reader *sr, char kind)
{
	struct stream_sched_pending *q;

	if (sr->npend % 256 == 0)
		sr->pend = xreallocarray(sr->pend, sr->npend + 256, sizeof(*sr->pend));
	q = &sr->pend[sr->npend++];
	memset(q, 0, sizeof(*q));
	q->kind = kind;
	return q;
}

/* T ID TID PID TARGET EXITED EXECS RUNTIME VOL INVOL MIGR WAKEUPS LAT P50 P95 P99 MAX COMM SHORT */
static int
stream_sched_task_line(struct stream_sched_reader *sr, char **f, size_t n)
{
	struct stream_sched_pending *q;
	uint64_t id, v[13];
	int64_t tid, pid;

	if (n != 19 || !stream_u64(f[1], &id) || id == 0 || id > sr->ntasks + sr->p_new + 1 ||
	    !stream_i64(f[2], &tid) || tid < INT32_MIN || tid > INT32_MAX ||
	    !stream_i64(f[3], &pid) || pid < INT32_MIN || pid > INT32_MAX)
		return -1;
	for (size_t k = 0; k < 13; k++)
		if (!stream_u64(f[4 + k], &v[k]))
			return -1;
	if (v[0] > 1 || v[1] > 1 || v[2] > UINT32_MAX || !stream_unescape(f[17]) ||
	    strlen(f[17]) > 15 || !stream_unescape(f[18]) || strlen(f[18]) > 7)
		return -1;
	if (id == sr->ntasks + sr->p_new + 1)
		sr->p_new++;
	q = stream_sched_push(sr, 'T');
	q->id = (uint32_t)id;
	q->st.tid = (int32_t)tid;
	q->st.pid = (int32_t)pid;
	q->st.target = v[0];
	q->st.exited = v[1];
	q->st.execs = (uint32_t)v[2];
	q->st.runtime_ns = v[3];
	q->st.switches_voluntary = v[4];
	q->st.switches_involuntary = v[5];
	q->st.migrations = v[6];
	q->st.wakeups = v[7];
	q->st.lat_count = v[8];
	q->st.lat_p50_ns = v[9];
	q->st.lat_p95_ns = v[10];
	q->st.lat_p99_ns = v[11];
	q->st.lat_max_ns = v[12];
	memcpy(q->st.comm, f[17], strlen(f[17]) + 1);
	memcpy(q->st.short_name, f[18], strlen(f[18]) + 1);
	return 0;
}

/* A run's task: an id defined by now (committed or pending), '.', '+' or '?'. */
static bool
stream_sched_task_ref(const struct stream_sched_reader *sr, const char *s, uint32_t *task)
{
	uint64_t id;

	if (strcmp(s, ".") == 0)
		*task = SCHEDMAP_TASK_IDLE;
	else if (strcmp(s, "+") == 0)
		*task = SCHEDMAP_TASK_OTHER;
	else if (strcmp(s, "?") == 0)
		*task = SCHEDMAP_TASK_UNKNOWN;
	else if (stream_u64(s, &id) && id >= 1 && id <= sr->ntasks + sr->p_new)
		*task = (uint32_t)id;
	else
		return false;
	return true;
}

/*
 * r CPU LENGTH TASK (a closed run, from where the CPU's last one ended) or o CPU START TASK (the
 * run in progress, from START on).
 */
static int
stream_sched_run_line(struct stream_sched_reader *sr, char **f, size_t n, char kind)
{
	struct stream_sched_run run = { 0 };
	struct stream_sched_pending *q;
	uint64_t cpu, v;

	if (n != 4 || !stream_u64(f[1], &cpu) || cpu >= sr->ncpus || !stream_u64(f[2], &v) ||
	    !stream_sched_task_ref(sr, f[3], &run.task) || sr->cpus[cpu].form == 'b')
		return -1;
	sr->cpus[cpu].form = 'r';
	run.start = kind == 'r' ? sr->p_closed[cpu] : v;
	run.end = kind == 'r' ? run.start + v : v;
	if (run.start < sr->p_closed[cpu] || run.end < run.start || run.end > UINT64_MAX / 4)
		return -1;
	if (kind == 'r')
		sr->p_closed[cpu] = run.end;
	q = stream_sched_push(sr, kind);
	q->cpu = (unsigned)cpu;
	q->run = run;
	return 0;
}

/*
 * b CPU INDEX TASK TASK_NS BUSY KNOWN: a summary bucket, replacing the one of that index and all
 * after it; INDEX at most one past the last given, never before the first.
 */
static int
stream_sched_bucket_line(struct stream_sched_reader *sr, char **f, size_t n)
{
	struct stream_sched_pending *q;
	struct stream_sched_cpu *c;
	uint64_t cpu, idx, v[3];

	if (n != 7 || !stream_u64(f[1], &cpu) || cpu >= sr->ncpus || !stream_u64(f[2], &idx) ||
	    idx > (UINT64_MAX / 4) / sr->bucket_ns - 1)
		return -1;
	c = &sr->cpus[cpu];
	for (size_t k = 0; k < 3; k++)
		if (!stream_u64(f[4 + k], &v[k]))
			return -1;
	q = stream_sched_push(sr, 'b');
	if (!stream_sched_task_ref(sr, f[3], &q->bucket.task) ||
	    q->bucket.task == SCHEDMAP_TASK_UNKNOWN || v[0] > v[1] || v[1] > v[2] ||
	    v[2] > sr->bucket_ns || c->form == 'r' ||
	    (c->form == 'b' && (idx < c->first || idx > c->p_next))) {
		sr->npend--;
		return -1;
	}
	if (c->form != 'b')
		c->first = idx;
	c->form = 'b';
	c->p_next = idx + 1;
	q->cpu = (unsigned)cpu;
	q->index = idx;
	q->bucket.task_ns = v[0];
	q->bucket.busy = v[1];
	q->bucket.known = v[2];
	return 0;
}

int
stream_sched_line(struct stream_sched_reader **srp, char **f, size_t n)
{
	if (f[0][0] == 'S')
		return stream_sched_shape(srp, f, n);
	/* Tasks and runs come after the interval's S line. */
	if (!*srp || !(*srp)->p_shape)
		return -1;
	if (f[0][0] == 'T')
		return stream_sched_task_line(*srp, f, n);
	if (f[0][0] == 'b')
		return stream_sched_bucket_line(*srp, f, n);
	return stream_sched_run_line(*srp, f, n, f[0][0]);
}

static void
stream_sched_add_run(struct stream_sched_cpu *c, const struct stream_sched_run *run)
{
	struct stream_sched_run *last = c->nruns ? &c->runs[c->nruns - 1] : NULL;

	/* Unknown time before the first run is no run (the map starts at the first one). */
	if (!last && run->task == SCHEDMAP_TASK_UNKNOWN)
		return;
	/* A run written again after a merge is one run. */
	if (last && last->task == run->task && last->end == run->start) {
		last->end = run->end;
		return;
	}
	if (c->nruns % 1024 == 0)
		c->runs = xreallocarray(c->runs, c->nruns + 1024, sizeof(*c->runs));
	c->runs[c->nruns++] = *run;
}

int
stream_sched_commit(struct stream_sched_reader *sr)
{
	if (!sr)
		return 0;
	if (!sr->p_shape)
		return sr->npend ? -1 : 0;
	if (sr->p_new) {
		sr->tasks = xreallocarray(sr->tasks, sr->ntasks + sr->p_new, sizeof(*sr->tasks));
		sr->ntasks += sr->p_new;
	}
	for (unsigned c = 0; c < sr->ncpus; c++)
		sr->cpus[c].has_open = false;
	for (size_t k = 0; k < sr->npend; k++) {
		struct stream_sched_pending *q = &sr->pend[k];
		struct stream_sched_cpu *c = &sr->cpus[q->cpu];

		if (q->kind == 'T') {
			sr->tasks[q->id - 1] = q->st;
		} else if (q->kind == 'b') {
			size_t i = (size_t)(q->index - c->first);

			if (i >= c->bcap) {
				c->bcap = i + 1024;
				c->buckets =
					xreallocarray(c->buckets, c->bcap, sizeof(*c->buckets));
			}
			c->buckets[i] = q->bucket;
			c->nbuckets = i + 1;
		} else if (q->kind == 'r') {
			stream_sched_add_run(c, &q->run);
			c->closed = q->run.end;
		} else {
			c->open = q->run;
			c->has_open = true;
		}
	}
	for (unsigned c = 0; c < sr->ncpus; c++)
		sr->p_closed[c] = sr->cpus[c].closed;
	sr->now = sr->p_now;
	sr->switches = sr->p_switches;
	sr->events = sr->p_events;
	sr->npend = sr->p_new = 0;
	sr->p_shape = false;
	sr->committed = true;
	return 0;
}

/* The schedmap task of a run's: a stream id's loaded index (ids load in order), or as is. */
static uint32_t
stream_sched_index(uint32_t task)
{
	return task == SCHEDMAP_TASK_IDLE || task == SCHEDMAP_TASK_OTHER ||
			       task == SCHEDMAP_TASK_UNKNOWN
		       ? task
		       : task - 1;
}

/*
 * The snapshot's "sched" object written from the map, with the recording's event count (a loaded
 * map counts none): what a snapshot of the recording would hold, kept as the snapshot reader
 * keeps one.
 */
static void
stream_sched_json(const struct stream_sched_reader *sr, struct profile *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	struct errbuf err = { 0 };
	json_t *root = NULL, *sched;

	/* Without memory for it, the map's own figures are written (no event count). */
	if (!mem)
		return;
	if (snapshot_write(p, mem, &err) < 0)
		len = 0;
	fclose(mem);
	if (len)
		root = json_loadb(buf, len, 0, NULL);
	sched = root ? json_object_get(root, "sched") : NULL;
	if (sched) {
		size_t i;
		json_t *cpu;

		json_object_set_new(sched, "events", json_integer((json_int_t)sr->events));
		/* A loaded map ends each CPU in an unknown run after the last; the recording's not.
		 */
		json_array_foreach (json_object_get(sched, "cpus"), i, cpu) {
			json_t *runs = json_object_get(cpu, "runs");
			json_t *last = json_array_get(runs, json_array_size(runs) - 1);

			if (last && json_integer_value(json_array_get(last, 2)) == -2 &&
			    json_integer_value(json_array_get(last, 0)) >= (json_int_t)sr->now)
				json_array_remove(runs, json_array_size(runs) - 1);
		}
		p->sched_json = json_dumps(sched, JSON_COMPACT | JSON_ENSURE_ASCII);
	}
	json_decref(root);
	free(buf);
}

void
stream_sched_build(struct stream_sched_reader *sr, struct profile *p)
{
	uint64_t origin, end;
	struct schedmap *m;

	if (!sr || !sr->committed)
		return;
	/* Times count from the start; the map's from origin, as the snapshot reader's do. */
	origin = sr->bucket_ns;
	m = schedmap_new(sr->ncpus, UINT64_MAX / 4, sr->bucket_ns);
	for (size_t i = 0; i < sr->ntasks; i++)
		schedmap_load_task(m, &sr->tasks[i]);
	for (unsigned c = 0; c < sr->ncpus; c++) {
		const struct stream_sched_cpu *cpu = &sr->cpus[c];

		for (size_t i = 0; i < cpu->nbuckets; i++) {
			const struct stream_sched_bucket *b = &cpu->buckets[i];
			struct schedmap_bucket sb = {
				.start = origin + (cpu->first + i) * sr->bucket_ns,
				.task = stream_sched_index(b->task),
				.task_ns = (uint32_t)b->task_ns,
				.busy_ns = (uint32_t)b->busy,
				.known_ns = (uint32_t)b->known,
			};

			schedmap_load_summary(m, c, &sb);
		}
		/* A CPU of summaries only starts where they end (an empty run), so it is drawn. */
		if (cpu->nbuckets) {
			uint64_t t = origin + (cpu->first + cpu->nbuckets) * sr->bucket_ns;

			schedmap_load_run(m, c, t, t, SCHEDMAP_TASK_UNKNOWN);
		}
		for (size_t i = 0; i < cpu->nruns; i++)
			schedmap_load_run(m, c, origin + cpu->runs[i].start,
					  origin + cpu->runs[i].end,
					  stream_sched_index(cpu->runs[i].task));
		if (cpu->has_open && sr->now > cpu->open.start)
			schedmap_load_run(m, c, origin + cpu->open.start, origin + sr->now,
					  stream_sched_index(cpu->open.task));
	}
	end = sr->now > p->meta.duration_ns ? sr->now : p->meta.duration_ns;
	schedmap_load_finish(m, origin + end);
	schedmap_free(p->sched);
	free(p->sched_json);
	p->sched_json = NULL;
	p->sched = m;
	p->sched_origin = origin;
	p->sched_switches = sr->switches;
	stream_sched_json(sr, p);
}
