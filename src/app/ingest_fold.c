// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Exited tasks folded by name (see INGEST_FOLD_AGE_NS in ingest_impl.h): a batch of tasks gone
 * long enough is relabelled in every tree as one "[exited]" process or thread per name, the
 * frames nothing uses any more are given back (with those threads gave up at a rename or exec),
 * and the tasks leave the thread table.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/profile.h"
#include "ringside/util/xalloc.h"
#include "ingest_impl.h"

static int
ingest_cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static bool
ingest_has(const pid_t *set, size_t n, pid_t v)
{
	return n && bsearch(&v, set, n, sizeof(v), ingest_cmp_pid);
}

/* Frame id becomes a candidate for release at the end of the fold. */
static void
ingest_fold_push(struct ingest *in, uint32_t id)
{
	if (in->nfold_frames == in->fold_frames_cap) {
		in->fold_frames_cap = in->fold_frames_cap ? in->fold_frames_cap * 2 : 64;
		in->fold_frames =
			xreallocarray(in->fold_frames, in->fold_frames_cap, sizeof(uint32_t));
	}
	in->fold_frames[in->nfold_frames++] = id;
}

/* The relabelling of a fold: the batch's threads and processes become their "[exited]" nodes. */
static uint32_t
ingest_fold_frame(void *ctx, const struct stacktree_node *node, uint32_t parent_frame)
{
	struct ingest *in = ctx;
	struct frame f = *frametab_get(in->p->frames, node->frame);
	/* A process of the batch; a thread of a folded process, or one that left a live one. */
	bool fold = f.module != in->s_exited &&
		    ((f.kind == FRAME_PROCESS &&
		      ingest_has(in->fold_pids, in->nfold_pids, (pid_t)f.line)) ||
		     (f.kind == FRAME_THREAD &&
		      (frametab_get(in->p->frames, parent_frame)->module == in->s_exited ||
		       ingest_has(in->fold_tids, in->nfold_tids, (pid_t)f.line))));

	if (!fold)
		return node->frame;
	ingest_fold_push(in, node->frame);
	f.module = in->s_exited;
	f.line = 0;
	return frametab_intern_ids(in->p->frames, &f);
}

static int
ingest_cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* Mark in used frame id if it is one of the n sorted frames f. */
static void
ingest_mark_frame(uint32_t id, const uint32_t *f, size_t n, bool *used)
{
	uint32_t *hit = id == UINT32_MAX ? NULL : bsearch(&id, f, n, sizeof(*f), ingest_cmp_u32);

	if (hit)
		used[hit - f] = true;
}

/*
 * Mark in used those of the n sorted frames f that live threads' entries or exited tasks not
 * folded yet (from gone[skip] on) still hold: their next samples or fold take them again.
 */
static void
ingest_mark_held(const struct ingest *in, size_t skip, const uint32_t *f, size_t n, bool *used)
{
	for (size_t i = 0; i < in->nthreads; i++) {
		ingest_mark_frame(in->threads[i].process_frame, f, n, used);
		ingest_mark_frame(in->threads[i].thread_frame, f, n, used);
	}
	for (size_t i = skip; i < in->ngone; i++) {
		ingest_mark_frame(in->gone[i].process_frame, f, n, used);
		ingest_mark_frame(in->gone[i].thread_frame, f, n, used);
	}
}

/* Sort the n ids of a in place and keep each once; returns how many are left. */
static size_t
ingest_sort_unique(uint32_t *a, size_t n)
{
	size_t k = 0;

	qsort(a, n, sizeof(*a), ingest_cmp_u32);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || a[i] != a[k - 1])
			a[k++] = a[i];
	return k;
}

/* Mark in used those of the n sorted frames f that t's process and thread nodes use. */
static void
ingest_mark_used(const struct stacktree *t, const uint32_t *f, size_t n, bool *used)
{
	/* Process and thread nodes are the root's children and grandchildren. */
	for (uint32_t p = stacktree_node(t, STACKTREE_ROOT)->first_child; p != STACKTREE_NONE;
	     p = stacktree_node(t, p)->next_sibling) {
		uint32_t *hit =
			bsearch(&stacktree_node(t, p)->frame, f, n, sizeof(*f), ingest_cmp_u32);

		if (hit)
			used[hit - f] = true;
		for (uint32_t c = stacktree_node(t, p)->first_child; c != STACKTREE_NONE;
		     c = stacktree_node(t, c)->next_sibling) {
			hit = bsearch(&stacktree_node(t, c)->frame, f, n, sizeof(*f),
				      ingest_cmp_u32);
			if (hit)
				used[hit - f] = true;
		}
	}
}

/*
 * The relabelled pid and tid frames that no node, live thread or exited task still to fold
 * (from gone[skip] on) uses now are released (their ids are taken again by new tasks' frames),
 * so the frame table does not grow with every task that ever ran.
 */
static void
ingest_release_frames(struct ingest *in, size_t skip)
{
	const struct stacktree *trees[2] = { in->p->stacks, in->p->offcpu };
	uint32_t *f = in->fold_frames;
	size_t n;
	bool *used;

	n = ingest_sort_unique(f, in->nfold_frames);
	used = xcalloc(n + 1, sizeof(*used));
	for (size_t k = 0; k < 2 && trees[k]; k++)
		ingest_mark_used(trees[k], f, n, used);
	for (size_t k = 1; k < profile_nsampled(in->p); k++)
		ingest_mark_used(profile_event_tree(in->p, k), f, n, used);
	ingest_mark_held(in, skip, f, n, used);
	for (size_t i = 0; i < n; i++)
		if (!used[i])
			frametab_release(in->p->frames, f[i]);
	free(used);
	in->nfold_frames = 0;
}

void
ingest_retire(struct ingest *in, pid_t tid)
{
	uint32_t k = idmap_get(&in->by_tid, tid);
	const struct ingest_thread *t;

	if (k == IDMAP_NONE || in->threads[k].process_frame == UINT32_MAX)
		return;
	t = &in->threads[k];
	if (in->nretired + 2 > in->retired_cap && in->nretired >= 64) {
		/* A thread renamed over and over gives up the same frames: keep each once. */
		in->nretired = ingest_sort_unique(in->retired, in->nretired);
	}
	if (in->nretired + 2 > in->retired_cap) {
		in->retired_cap = in->retired_cap ? in->retired_cap * 2 : 64;
		in->retired = xreallocarray(in->retired, in->retired_cap, sizeof(uint32_t));
	}
	in->retired[in->nretired++] = t->process_frame;
	in->retired[in->nretired++] = t->thread_frame;
}

void
ingest_gone_add(struct ingest *in, pid_t pid, pid_t tid, uint64_t time)
{
	uint32_t k = idmap_get(&in->by_tid, tid);
	struct ingest_gone g = { pid, tid, time, UINT32_MAX, UINT32_MAX };

	if (k != IDMAP_NONE && in->threads[k].pid == pid) {
		g.process_frame = in->threads[k].process_frame;
		g.thread_frame = in->threads[k].thread_frame;
	}
	if (in->ngone == in->gone_cap) {
		in->gone_cap = in->gone_cap ? in->gone_cap * 2 : 64;
		in->gone = xreallocarray(in->gone, in->gone_cap, sizeof(*in->gone));
	}
	in->gone[in->ngone++] = g;
}

/*
 * The frames the batch's threads had when they exited, whether or not a node still carries them:
 * a task whose nodes the tree's compaction folded into "[other]" is not relabelled, yet its
 * frames are unused.
 */
static void
ingest_fold_gone_frames(struct ingest *in, size_t due)
{
	for (size_t i = 0; i < due; i++) {
		const struct ingest_gone *g = &in->gone[i];

		if (g->thread_frame != UINT32_MAX &&
		    ingest_has(in->fold_tids, in->nfold_tids, g->tid))
			ingest_fold_push(in, g->thread_frame);
		if (g->process_frame != UINT32_MAX &&
		    ingest_has(in->fold_pids, in->nfold_pids, g->pid))
			ingest_fold_push(in, g->process_frame);
	}
}

/* Fold the exited tasks that are due (see INGEST_FOLD_AGE_NS), now_ns being the clock's time. */
void
ingest_fold(struct ingest *in, uint64_t now_ns)
{
	size_t due = 0;

	while (due < in->ngone && in->gone[due].time + INGEST_FOLD_AGE_NS <= now_ns)
		due++;
	if (!due || (due < INGEST_FOLD_BATCH && in->gone[0].time + INGEST_FOLD_WAIT_NS > now_ns))
		return;
	in->fold_tids = xreallocarray(in->fold_tids, due, sizeof(pid_t));
	in->fold_pids = xreallocarray(in->fold_pids, due, sizeof(pid_t));
	in->nfold_tids = in->nfold_pids = 0;
	for (size_t i = 0; i < due; i++) {
		const struct ingest_gone *g = &in->gone[i];
		const struct task *t = tasks_find(in->p->tasks, g->tid);

		/* A tid a live task took since stays (and its process, if it leads). */
		if (t && !t->exited)
			continue;
		in->fold_tids[in->nfold_tids++] = g->tid;
		if (g->tid == g->pid)
			in->fold_pids[in->nfold_pids++] = g->pid;
	}
	qsort(in->fold_tids, in->nfold_tids, sizeof(pid_t), ingest_cmp_pid);
	qsort(in->fold_pids, in->nfold_pids, sizeof(pid_t), ingest_cmp_pid);
	/* A process whose leader exited while other threads go on is not an exited process. */
	for (size_t i = 0; i < tasks_count(in->p->tasks) && in->nfold_pids; i++) {
		const struct task *t = tasks_at(in->p->tasks, i);
		pid_t *hit;

		if (t->exited || !(hit = bsearch(&t->pid, in->fold_pids, in->nfold_pids,
						 sizeof(pid_t), ingest_cmp_pid)))
			continue;
		memmove(hit, hit + 1,
			(size_t)(in->fold_pids + --in->nfold_pids - hit) * sizeof(pid_t));
	}
	if (in->nfold_tids) {
		if (!in->s_exited)
			in->s_exited = frametab_string(in->p->frames, "[exited]");
		in->nfold_frames = 0;
		for (size_t k = 0; k < profile_nsampled(in->p); k++)
			stacktree_relabel(profile_event_tree(in->p, k), ingest_fold_frame, in);
		if (in->p->offcpu)
			stacktree_relabel(in->p->offcpu, ingest_fold_frame, in);
		ingest_fold_gone_frames(in, due);
		for (size_t i = 0; i < in->nretired; i++)
			ingest_fold_push(in, in->retired[i]);
		in->nretired = 0;
		/* A thread seen again after its exit cached frames that may now be released. */
		for (size_t i = 0; i < in->nfold_tids; i++)
			ingest_forget(in, in->fold_tids[i]);
		ingest_release_frames(in, due);
		tasks_forget(in->p->tasks, in->fold_tids, in->nfold_tids);
	}
	in->ngone -= due;
	memmove(in->gone, in->gone + due, in->ngone * sizeof(*in->gone));
}

void
ingest_counts(const struct ingest *in, size_t *threads, size_t *gone)
{
	*threads = in ? in->nthreads : 0;
	*gone = in ? in->ngone : 0;
}

size_t
ingest_chain_slots(const struct ingest *in)
{
	return in ? (size_t)in->chain_mask + 1 : 0;
}

void
ingest_chain_stats(const struct ingest *in, uint64_t *lookups, uint64_t *hits)
{
	*lookups = in ? in->chain_lookups : 0;
	*hits = in ? in->chain_hits : 0;
}

size_t
ingest_memory(const struct ingest *in)
{
	if (!in)
		return 0;
	return sizeof(*in) + ((size_t)in->chain_mask + 1) * sizeof(*in->chains) +
	       ingest_sites_memory(in->sites) + in->cap * sizeof(*in->threads) +
	       in->by_tid.cap * (sizeof(*in->by_tid.keys) + sizeof(*in->by_tid.vals)) +
	       in->gone_cap * sizeof(*in->gone) + in->exited_cap * sizeof(*in->exited) +
	       in->retired_cap * sizeof(*in->retired) +
	       in->fold_frames_cap * sizeof(*in->fold_frames);
}
