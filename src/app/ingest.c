// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Records into the profile. Side-band records keep tasks and memory maps current; a sample's
 * callchain becomes a path process -> thread -> outermost frame -> ... -> leaf in the stack tree.
 * The per-thread process and thread frames are cached, so a sample costs only the resolver's
 * cache lookups and the tree's insertion. The scheduler's records go on in ingest_sched.c,
 * exited tasks' folding in ingest_fold.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ringside/app/ingest.h"
#include "ringside/model/offcpu.h"
#include "ringside/sym/unwind.h"
#include "ringside/util/clock.h"
#include "ringside/util/idmap.h"
#include "ringside/util/xalloc.h"
#include "ingest_impl.h"
#include "ingest_kvm.h"
#include "ingest_group.h"
#include "ingest_mem.h"

/* The memory-access ingest, when the profile records memory accesses. */
static struct ingest_mem *
ingest_mem(struct ingest *in)
{
	if (!in->mem && in->p->mem)
		in->mem = ingest_mem_new(in->p);
	return in->mem;
}

struct ingest *
ingest_new(struct profile *p, struct symres *sym)
{
	struct ingest *in = xcalloc(1, sizeof(*in));

	in->p = p;
	in->sym = sym;
	idmap_init(&in->by_tid);
	in->chain_mask = INGEST_CHAIN_MIN - 1;
	in->chains = xcalloc(INGEST_CHAIN_MIN, sizeof(*in->chains));
	in->sites = ingest_sites_new();
	return in;
}

void
ingest_free(struct ingest *in)
{
	if (!in)
		return;
	unwind_free(in->unwind);
	ingest_mem_free(in->mem);
	ingest_group_free(in->group);
	ingest_sites_free(in->sites);
	free(in->threads);
	idmap_fini(&in->by_tid);
	free(in->chains);
	free(in->cpu_seen);
	free(in->exited);
	free(in->gone);
	free(in->fold_tids);
	free(in->fold_pids);
	free(in->fold_frames);
	free(in->retired);
	free(in);
}

/* Forget a thread's cached frames (renamed, or gone); the last thread fills its place. */
void
ingest_forget(struct ingest *in, pid_t tid)
{
	uint32_t i = idmap_del(&in->by_tid, tid);

	if (i == IDMAP_NONE)
		return;
	if (i != --in->nthreads) {
		in->threads[i] = in->threads[in->nthreads];
		idmap_put(&in->by_tid, in->threads[i].tid, i);
	}
}

/* The code of process pid may have changed: no cached callchain of its threads applies now. */
static void
ingest_code_changed(struct ingest *in, pid_t pid)
{
	for (size_t i = 0; i < in->nthreads; i++)
		if (in->threads[i].pid == pid)
			in->threads[i].gen = ++in->next_gen;
}

/*
 * A folded multiply: the 128-bit product's halves xored. Each output bit depends on every input
 * bit of both operands (wyhash's "mum"); one multiply takes in two words.
 */
static inline uint64_t
ingest_mum(uint64_t u, uint64_t v)
{
#if defined(__x86_64__)
	/* One mul gives both halves (GCC 12 spills a 128-bit variable to the stack here). */
	uint64_t lo, hi;

	__asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(u), "rm"(v) : "cc");
	return lo ^ hi;
#elif defined(__SIZEOF_INT128__)
	unsigned __int128 r = (unsigned __int128)u * v;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
	uint64_t hi = (u >> 32) * (v >> 32), lo = (u & 0xffffffffu) * (v & 0xffffffffu),
		 m1 = (u >> 32) * (v & 0xffffffffu), m2 = (u & 0xffffffffu) * (v >> 32),
		 mid = (lo >> 32) + (m1 & 0xffffffffu) + (m2 & 0xffffffffu);

	return ((mid << 32) | (lo & 0xffffffffu)) ^ (hi + (m1 >> 32) + (m2 >> 32) + (mid >> 32));
#endif
}

/* Odd 64-bit constants that are not canonical x86-64 addresses, so no address cancels one. */
#define INGEST_K0 0xa0761d6478bd642full
#define INGEST_K1 0xe7037ed1a0b428dbull
#define INGEST_K2 0x8ebc6af09c88c6e3ull

/* Fold the words ip[0..nr) into the state a, adding each state to *sum. */
static uint64_t
ingest_chain_fold(uint64_t a, const uint64_t *ip, uint64_t nr, uint64_t *sum)
{
	uint64_t b = *sum, i;

	for (i = 0; i + 2 <= nr; i += 2) {
		a = ingest_mum(a ^ ip[i] ^ INGEST_K0, ip[i + 1] ^ INGEST_K1);
		b += a;
	}
	if (i < nr) {
		a = ingest_mum(a ^ ip[i] ^ INGEST_K0, INGEST_K2);
		b += a;
	}
	*sum = b;
	return a;
}

/*
 * The chain cache slot for this sample, with the key (h1, h2): h1 folds the words in pairs through
 * one multiply each, h2 the sum of every state h1 went through, together 128 bits that do not
 * collide in practice (two chains must reach the same state by the same sum of states on the way).
 * A pair's multiply takes the running hash and one word in one operand and the other word xored
 * with a constant no address equals in the other, so that operand is never zero (which would
 * forget the chain so far) for a real chain; the first is zero only by a 2^-64 chance.
 */
static struct ingest_chain *
ingest_chain_slot(struct ingest *in, const struct ingest_thread *t, const struct decode_sample *s,
		  uint16_t misc, uint64_t *h1, uint64_t *h2)
{
	uint64_t a, b;

	a = ingest_mum(((uint64_t)(uint32_t)t->tid << 32 | t->gen) ^ INGEST_K0,
		       (stacktree_folds(in->p->stacks) +
			(in->p->addrs ? addrtab_epoch(in->p->addrs) << 40 : 0)) ^
			       INGEST_K1);
	a = ingest_mum(a ^ ((uint64_t)misc << 32 | (uint32_t)s->nr) ^ INGEST_K0, s->ip ^ INGEST_K1);
	b = a ^ INGEST_K2;
	a = ingest_chain_fold(a, s->ips, s->nr, &b);
	*h1 = a ^ (a >> 29);
	*h2 = ingest_mum(b ^ INGEST_K2, s->nr ^ INGEST_K1) | 1; /* 0 marks an empty slot */
	return &in->chains[*h1 & in->chain_mask];
}

/* Store chain c in its slot, doubling the cache first when stores evict too often. */
static void
ingest_chain_store(struct ingest *in, struct ingest_chain *slot, const struct ingest_chain *c)
{
	struct ingest_chain *old = in->chains;
	size_t n = (size_t)in->chain_mask + 1;

	if (slot->h2 && ++in->chain_evicted >= n / 2 && n < INGEST_CHAIN_SLOTS) {
		in->chains = xcalloc(2 * n, sizeof(*in->chains));
		in->chain_mask = (uint32_t)(2 * n - 1);
		in->chain_evicted = 0;
		for (size_t i = 0; i < n; i++)
			if (old[i].h2)
				in->chains[old[i].h1 & in->chain_mask] = old[i];
		free(old);
		slot = &in->chains[c->h1 & in->chain_mask];
	}
	*slot = *c;
}

/* The comm of a task we have no COMM record for (it started before us): from /proc. */
static void
ingest_proc_comm(pid_t pid, pid_t tid, char comm[16])
{
	char path[64];
	FILE *f;

	if (tid == 0) {
		snprintf(comm, 16, "swapper");
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (f && fgets(comm, 16, f)) {
		comm[strcspn(comm, "\n")] = '\0';
	} else {
		snprintf(comm, 16, "[%d]", (int)tid);
	}
	if (f)
		fclose(f);
}

static const struct ingest_thread *
ingest_thread(struct ingest *in, pid_t pid, pid_t tid)
{
	struct task *task, *leader;
	struct ingest_thread *t;
	uint32_t i;

	/* Samples come in runs of one thread: the previous one first. */
	if (in->last < in->nthreads && in->threads[in->last].tid == tid &&
	    in->threads[in->last].pid == pid)
		return &in->threads[in->last];
	i = idmap_get(&in->by_tid, tid);
	if (i != IDMAP_NONE && in->threads[i].pid == pid) {
		in->last = i;
		return &in->threads[i];
	}
	if (i != IDMAP_NONE) {
		ingest_retire(in, tid);
		ingest_forget(in, tid);
	}
	if (in->nthreads == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 1024;
		in->threads = xreallocarray(in->threads, in->cap, sizeof(*in->threads));
	}
	task = tasks_get(in->p->tasks, pid, tid);
	if (!task->comm[0])
		ingest_proc_comm(pid, tid, task->comm);
	leader = tasks_get(in->p->tasks, pid, pid);
	if (!leader->comm[0])
		ingest_proc_comm(pid, pid, leader->comm);
	in->last = in->nthreads;
	idmap_put(&in->by_tid, tid, (uint32_t)in->nthreads);
	t = &in->threads[in->nthreads++];
	t->gen = ++in->next_gen;
	t->last_cpu = -1;
	t->tid = tid;
	t->pid = pid;
	/*
	 * Interned with the thread's first sample (ingest_thread_frames): a thread seen only
	 * switching in gets none, as folding gives up only the frames that nodes had.
	 */
	t->process_frame = t->thread_frame = UINT32_MAX;
	return t;
}

/* The process and thread frames of t, interned on its first sample. */
static void
ingest_thread_frames(struct ingest *in, struct ingest_thread *t)
{
	const struct task *task = tasks_find(in->p->tasks, t->tid),
			  *leader = tasks_find(in->p->tasks, t->pid);

	t->process_frame = frametab_intern(in->p->frames, leader ? leader->comm : "", NULL, NULL,
					   (uint32_t)t->pid, FRAME_PROCESS, false);
	t->thread_frame = frametab_intern(in->p->frames, task ? task->comm : "", NULL, NULL,
					  (uint32_t)t->tid, FRAME_THREAD, false);
}

/* Resolve the callchain (leaf first) into in->leaf_first; returns the number of frames. */
static size_t
ingest_callchain(struct ingest *in, const struct decode_sample *s, bool kernel_ip)
{
	uint32_t frames[SYMRES_MAX_INLINE];
	size_t n = 0, k;
	bool kernel = kernel_ip, first_in_context = true, unwound = false;

	if (s->nr == 0) {
		k = kernel ? symres_kernel(in->sym, s->ip, frames, SYMRES_MAX_INLINE)
			   : symres_user(in->sym, (pid_t)s->pid, s->ip, frames, SYMRES_MAX_INLINE);
		memcpy(in->leaf_first, frames, k * sizeof(uint32_t));
		in->leaf_fn = frames[k - 1];
		return k;
	}
	for (uint64_t i = 0; i < s->nr; i++) {
		uint64_t ip = s->ips[i];

		if (ip == INGEST_CONTEXT_TRUNCATED) {
			if (!in->truncated_frame)
				in->truncated_frame =
					frametab_intern(in->p->frames, "[truncated stack]", NULL,
							NULL, 0, FRAME_TRUNCATED, false);
			if (n + 1 > INGEST_MAX_PATH - 2)
				break;
			in->leaf_first[n++] = in->truncated_frame;
			continue;
		}
		if (ip >= PERF_CONTEXT_MAX) {
			/* A context marker: what follows is kernel, user, hypervisor or guest code.
			 */
			kernel = ip == PERF_CONTEXT_KERNEL || ip == PERF_CONTEXT_GUEST_KERNEL;
			unwound = ip == INGEST_CONTEXT_UNWOUND;
			first_in_context = true;
			continue;
		}
		/* After the first address of a context, entries are return addresses: look up the
		 * call (the unwinder did that already). */
		if (!first_in_context && !unwound && ip > 0)
			ip--;
		first_in_context = false;
		k = kernel ? symres_kernel(in->sym, ip, frames, SYMRES_MAX_INLINE)
			   : symres_user(in->sym, (pid_t)s->pid, ip, frames, SYMRES_MAX_INLINE);
		if (n + k > INGEST_MAX_PATH - 2)
			break;
		if (n == 0)
			in->leaf_fn = frames[k - 1];
		ingest_sites_frame(in->sites, n, frames[k - 1], ip, kernel);
		memcpy(in->leaf_first + n, frames, k * sizeof(uint32_t));
		n += k;
	}
	return n;
}

/*
 * A dwarf sample: the kernel's callchain (it has no user part) followed by the user stack
 * unwound from the copied registers and stack, rebuilt in in->chain and put in s's place. The
 * stack copy is not kept: only the PCs found in it.
 */
static void
ingest_unwind(struct ingest *in, struct decode_sample *s, const struct decode_layout *l)
{
	struct unwind_sample us = { .pid = (pid_t)s->pid,
				    .tid = (pid_t)s->tid,
				    .regs_abi = s->regs_abi,
				    .regs_mask = l->regs_user_mask,
				    .regs = s->regs,
				    .stack = s->stack,
				    .stack_size = s->stack_dyn_size };
	size_t n = 0, k;
	bool truncated;

	for (uint64_t i = 0; i < s->nr && n < PERF_MAX_STACK_DEPTH; i++) {
		if (s->ips[i] == PERF_CONTEXT_USER)
			break;
		in->chain[n++] = s->ips[i];
	}
	if (s->regs_abi == PERF_SAMPLE_REGS_ABI_NONE) {
		/* A kernel thread: the kernel's chain is the whole stack. */
		if (n == 0)
			return;
		s->ips = in->chain;
		s->nr = n;
		return;
	}
	if (!in->unwind)
		in->unwind = unwind_new(in->sym);
	in->chain[n++] = INGEST_CONTEXT_UNWOUND;
	k = unwind_user(in->unwind, &us, in->chain + n, INGEST_MAX_UNWOUND, &truncated);
	if (k == 0) {
		/* Nothing to unwind with (a 32-bit process): the sampled address alone. */
		in->chain[n - 1] = PERF_CONTEXT_USER;
		in->chain[n++] = s->ip;
	}
	n += k;
	if (truncated)
		in->chain[n++] = INGEST_CONTEXT_TRUNCATED;
	s->ips = in->chain;
	s->nr = n;
}

/*
 * Count the sample's instruction under its function (in->leaf_fn, set by ingest_callchain): at its
 * ELF address when a file maps it, else as the process saw it. Returns its addrtab entry
 * (ADDRTAB_NONE when the table is full), or INGEST_NO_ADDR when the sample names no function.
 */
static uint32_t
ingest_leaf_addr(struct ingest *in, const struct decode_sample *s, bool kernel_ip)
{
	uint64_t addr = s->ip;

	if (in->leaf_fn == UINT32_MAX || !in->p->addrs)
		return INGEST_NO_ADDR;
	if (!kernel_ip && !symres_user_where(in->sym, (pid_t)s->pid, s->ip, &addr))
		addr = s->ip;
	return addrtab_add(in->p->addrs, in->leaf_fn, addr, 1);
}

/*
 * The path of s into in->path: process, thread, then its callchain root first. *known is cleared
 * when a frame is unresolved. Returns the path's length.
 */
static size_t
ingest_path(struct ingest *in, const struct ingest_thread *t, const struct decode_sample *s,
	    bool kernel_ip, bool *known)
{
	size_t n = ingest_callchain(in, s, kernel_ip), len = 0;

	in->path[len++] = t->process_frame;
	in->path[len++] = t->thread_frame;
	/* Leaf first in, root first out; each address's inline chain is already innermost first. */
	while (n > 0) {
		uint32_t f = in->leaf_first[--n];

		*known &= frametab_get(in->p->frames, f)->kind != FRAME_UNKNOWN;
		in->path[len++] = f;
	}
	return len;
}

struct ingest_thread *
ingest_thread_get(struct ingest *in, pid_t pid, pid_t tid)
{
	return (struct ingest_thread *)ingest_thread(in, pid, tid);
}

void
ingest_thread_named(struct ingest *in, struct ingest_thread *t)
{
	if (t->process_frame == UINT32_MAX)
		ingest_thread_frames(in, t);
}

size_t
ingest_path_of(struct ingest *in, const struct ingest_thread *t, const struct decode_sample *s,
	       bool *known)
{
	return ingest_path(in, t, s, true, known);
}

/*
 * A group leader's sample (ev->nmembers): the weight of each of its group's events, the counts'
 * changes since the leader's previous sample, into delta. False for a bad record.
 */
static bool
ingest_group_read(struct ingest *in, const struct sampler_event *ev, const struct decode_sample *s,
		  uint64_t *delta)
{
	if (!in->group)
		in->group = ingest_group_new();
	if (ingest_group_deltas(in->group, ev, s, delta))
		return true;
	in->p->sampling.bad_records++;
	return false;
}

/* The members' weights at the leader's node leaf of tree (nothing outside a group). */
static void
ingest_group_add(struct ingest *in, const struct sampler_event *ev, const struct stacktree *tree,
		 uint32_t leaf, const uint64_t *delta, uint64_t time)
{
	if (ev->nmembers && leaf != STACKTREE_NONE)
		ingest_group_members(in->p, ev, tree, leaf, delta, time, in->path, INGEST_MAX_PATH);
}

/*
 * Before a chain is resolved: when the address table has no room left for one more chain's
 * entries, its colder half is given back (addrtab_compact). Its epoch is in the chain cache's key,
 * so no cached chain bumps an index from before.
 */
static void
ingest_addrs_room(struct ingest *in)
{
	if (in->p->addrs && addrtab_room(in->p->addrs) < INGEST_ADDRS_ROOM)
		addrtab_compact(in->p->addrs, addrtab_count(in->p->addrs) / 2);
}

static void
ingest_sample(struct ingest *in, const struct sampler_event *ev, const struct perf_event_header *h)
{
	const struct ingest_thread *t;
	struct ingest_chain *slot;
	struct decode_sample s;
	bool kernel_ip, known = true;
	size_t len;
	uint64_t h1, h2, w = 1, delta[SAMPSPEC_MAX] = { 0 };
	uint32_t leaf, addr;
	struct ingest_sites_ref sites;

	if (decode_sample(&ev->layout, h, &s) < 0) {
		in->p->sampling.bad_records++;
		return;
	}
	if (ev->nmembers && !ingest_group_read(in, ev, &s, delta))
		return;
	if (ev->nmembers)
		/* In a group every tree weighs counts, the leader's too (a 0 would add no node). */
		w = delta[0] ? delta[0] : 1;
	t = ingest_thread(in, (pid_t)s.pid, (pid_t)s.tid);
	if (t->process_frame == UINT32_MAX)
		ingest_thread_frames(in, (struct ingest_thread *)t);
	/* Unwind first: the chain cache is keyed on the PCs found, never on the stack's bytes. */
	if (ev->layout.sample_type & PERF_SAMPLE_STACK_USER)
		ingest_unwind(in, &s, &ev->layout);
	if (ev->index && profile_event_tree(in->p, ev->index)) {
		struct stacktree *tree = profile_event_tree(in->p, ev->index);

		/* A further sampled event: its own tree, without the first event's caches. */
		kernel_ip = (h->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL;
		in->leaf_fn = UINT32_MAX;
		len = ingest_path(in, t, &s, kernel_ip, &known);
		leaf = stacktree_insert(tree, in->path, len, w, s.time);
		ingest_group_add(in, ev, tree, leaf, delta, s.time);
		return;
	}
	slot = ingest_chain_slot(in, t, &s, h->misc & PERF_RECORD_MISC_CPUMODE_MASK, &h1, &h2);
	in->p->sampling.samples++;
	in->chain_lookups++;
	if (slot->h1 == h1 && slot->h2 == h2 && ingest_sites_valid(in->sites, slot->sites) &&
	    stacktree_insert_leaf(in->p->stacks, slot->leaf, w, s.time) != STACKTREE_NONE) {
		in->chain_hits++;
		if ((ev->layout.sample_type & PERF_SAMPLE_ADDR) && ingest_mem(in))
			ingest_mem_sample(in->mem, &s, slot->leaf);
		if (in->p->addrs && slot->addr != INGEST_NO_ADDR)
			addrtab_bump(in->p->addrs, slot->addr, 1);
		ingest_sites_bump(in->sites, in->p->addrs, slot->sites);
		ingest_group_add(in, ev, in->p->stacks, slot->leaf, delta, s.time);
		return;
	}
	kernel_ip = (h->misc & PERF_RECORD_MISC_CPUMODE_MASK) == PERF_RECORD_MISC_KERNEL;
	in->leaf_fn = UINT32_MAX;
	ingest_addrs_room(in);
	ingest_sites_begin(in->sites);
	len = ingest_path(in, t, &s, kernel_ip, &known);
	addr = ingest_leaf_addr(in, &s, kernel_ip);
	sites = ingest_sites_commit(in->sites, in->p->addrs, in->sym, (pid_t)s.pid);
	leaf = stacktree_insert(in->p->stacks, in->path, len, w, s.time);
	/* The key must be taken again: the insert may have compacted the tree. */
	slot = ingest_chain_slot(in, t, &s, h->misc & PERF_RECORD_MISC_CPUMODE_MASK, &h1, &h2);
	if (known)
		ingest_chain_store(in, slot, &(struct ingest_chain){ h1, h2, leaf, addr, sites });
	if ((ev->layout.sample_type & PERF_SAMPLE_ADDR) && ingest_mem(in))
		ingest_mem_sample(in->mem, &s, leaf);
	ingest_group_add(in, ev, in->p->stacks, leaf, delta, s.time);
}

void
ingest_set_kvm(struct ingest *in, const struct kvmtp *tp, size_t base)
{
	in->kvm = tp;
	in->kvm_base = base;
}

/* An MMAP2 record: executable code mapped, so the process's cached chains no longer apply. */
static int
ingest_mmap(struct ingest *in, const struct sampler_event *ev, const struct perf_event_header *h)
{
	struct decode_mmap2 mm;
	int rc = decode_mmap2(&ev->layout, h, &mm, NULL);

	if (rc == 0 && ingest_mem(in))
		ingest_mem_mmap(in->mem, &mm);
	if (rc == 0 && (mm.prot & PROT_EXEC)) {
		symres_mmap(in->sym, (pid_t)mm.pid, mm.addr, mm.len, mm.pgoff, mm.filename, true);
		ingest_code_changed(in, (pid_t)mm.pid);
	}
	return rc;
}

/* A COMM record: a thread renamed, or a process that exec'd (its maps and unwinder start over). */
static int
ingest_comm(struct ingest *in, const struct sampler_event *ev, const struct perf_event_header *h)
{
	struct decode_comm comm;
	struct decode_id id = { 0 };
	int rc = decode_comm(&ev->layout, h, &comm, &id);

	if (rc < 0)
		return rc;
	if (comm.exec)
		ingest_exec(in, &comm, &id);
	tasks_comm(in->p->tasks, (pid_t)comm.pid, (pid_t)comm.tid, comm.comm, comm.exec);
	ingest_retire(in, (pid_t)comm.tid);
	ingest_forget(in, (pid_t)comm.tid);
	if (comm.exec) {
		/* The leader's new name renames the process frame of every thread. */
		for (size_t i = 0; i < in->nthreads; i++)
			if (in->threads[i].pid == (pid_t)comm.pid)
				in->threads[i].pid = -1;
		symres_exec(in->sym, (pid_t)comm.pid);
		if (in->unwind)
			unwind_exit(in->unwind, (pid_t)comm.pid);
		ingest_code_changed(in, (pid_t)comm.pid);
	}
	return 0;
}

/* A FORK record: a new task; a new process starts with its parent's maps. */
static int
ingest_fork(struct ingest *in, const struct sampler_event *ev, const struct perf_event_header *h)
{
	struct decode_task task;
	struct decode_id id;
	int rc = decode_task(&ev->layout, h, &task, &id);

	if (rc < 0)
		return rc;
	tasks_fork(in->p->tasks, (pid_t)task.ppid, (pid_t)task.ptid, (pid_t)task.pid,
		   (pid_t)task.tid);
	ingest_sideband(in, PERF_RECORD_FORK, &task, &id);
	if (in->off)
		offcpu_in(in->off, (int32_t)task.tid, task.time);
	if (task.pid != task.ppid)
		symres_fork(in->sym, (pid_t)task.ppid, (pid_t)task.pid);
	return 0;
}

/*
 * An EXIT record: the task waits to be folded (see INGEST_FOLD_AGE_NS); a process's maps go at
 * the next ingest_flush, as samples of it may still be in other CPUs' rings.
 */
static int
ingest_exit(struct ingest *in, const struct sampler_event *ev, const struct perf_event_header *h)
{
	struct decode_task task;
	struct decode_id id;
	int rc = decode_task(&ev->layout, h, &task, &id);

	if (rc < 0)
		return rc;
	ingest_sideband(in, PERF_RECORD_EXIT, &task, &id);
	tasks_exit(in->p->tasks, (pid_t)task.pid, (pid_t)task.tid);
	if (in->p->stacks)
		ingest_gone_add(in, (pid_t)task.pid, (pid_t)task.tid, task.time);
	ingest_forget(in, (pid_t)task.tid);
	if (task.pid == task.tid) {
		if (in->nexited == in->exited_cap) {
			in->exited_cap = in->exited_cap ? in->exited_cap * 2 : 16;
			in->exited = xreallocarray(in->exited, in->exited_cap, sizeof(pid_t));
		}
		in->exited[in->nexited++] = (pid_t)task.pid;
	}
	return 0;
}

void
ingest_record(void *ctx, const struct sampler_event *ev, const struct perf_event_header *h)
{
	struct ingest *in = ctx;
	struct decode_lost lost;
	struct decode_throttle thr;
	int rc = 0;

	if (!ev) {
		in->p->sampling.bad_records++;
		return;
	}
	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		if (ev->kind == SAMPLER_EVENT_SAMPLE)
			ingest_sample(in, ev, h);
		else
			ingest_tracepoint(in, ev, h);
		return;
	case PERF_RECORD_MMAP2:
		rc = ingest_mmap(in, ev, h);
		break;
	case PERF_RECORD_COMM:
		rc = ingest_comm(in, ev, h);
		break;
	case PERF_RECORD_FORK:
		rc = ingest_fork(in, ev, h);
		break;
	case PERF_RECORD_EXIT:
		rc = ingest_exit(in, ev, h);
		break;
	case PERF_RECORD_LOST:
	case PERF_RECORD_LOST_SAMPLES:
		rc = decode_lost(&ev->layout, h, &lost, NULL);
		if (rc == 0)
			in->p->sampling.lost += lost.lost;
		break;
	case PERF_RECORD_THROTTLE:
		rc = decode_throttle(&ev->layout, h, &thr);
		if (rc == 0)
			in->p->sampling.throttled++;
		break;
	case PERF_RECORD_SWITCH:
		ingest_switch_in(in, ev, h);
		break;
	case PERF_RECORD_UNTHROTTLE:
		rc = decode_throttle(&ev->layout, h, &thr);
		break;
	default:
		break; /* record types we do not use */
	}
	if (rc < 0)
		in->p->sampling.bad_records++;
}

void
ingest_flush(struct ingest *in)
{
	for (size_t i = 0; i < in->nexited; i++) {
		symres_exit(in->sym, in->exited[i]);
		if (in->unwind)
			unwind_exit(in->unwind, in->exited[i]);
	}
	in->nexited = 0;
	if (in->ngone && in->p->stacks)
		ingest_fold(in, clock_now_ns());
}

bool
ingest_unwind_stats(const struct ingest *in, struct unwind_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!in->unwind)
		return false;
	unwind_stats(in->unwind, out);
	return true;
}
