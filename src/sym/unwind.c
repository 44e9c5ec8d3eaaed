// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The DWARF unwinder. A Dwfl costs ~340 us to set up, an unwind through one that is set up
 * 10-17 us, so each process keeps its Dwfl for its lifetime: modules are reported from the
 * resolver's maps (whose generation says when to report them again) and the state is attached
 * once. The callbacks find the sample being unwound through the unwinder, which holds it only for
 * the duration of unwind_user.
 *
 * A stack copy is a window [SP, SP + size) of the real stack. An unwind step that reads above the
 * window could only guess: the walk stops there and says so (truncated), rather than take a
 * caller from a register that happened to point somewhere readable.
 */
#include <errno.h>
#include <gelf.h>
#include <elfutils/libdwfl.h>
#include <linux/perf_event.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <asm/perf_regs.h>
#endif

#include "ringside/sym/unwind.h"
#include "ringside/util/clock.h"
#include "ringside/util/idmap.h"
#include "ringside/util/xalloc.h"

/* Reads this far above the copied stack count as stack (a truncated copy); others just fail. */
#define UNWIND_STACK_REACH (64ull << 20)

/* A module reported to a process's Dwfl: the mapping it came from and the range libdw gave it. */
struct unwind_mod {
	char *path;
	uint64_t base;
	Dwarf_Addr low, high;
};

struct unwind_proc {
	pid_t pid;
	Dwfl *dwfl;
	uint32_t gen;	 /* symres_maps_gen when the modules were last reported */
	bool attached;	 /* dwfl_attach_state done */
	size_t nmodules; /* reported at the last report */
	/* The modules of the last report (mods) and of the one in progress (next). */
	struct unwind_mod *mods, *next_mods;
	size_t nmods, nnext, next_cap;
};

struct unwind {
	struct symres *sym;
	struct unwind_proc **procs; /* the processes, in no order */
	size_t cap, nprocs;
	struct idmap by_pid; /* pid -> index in procs */
	Elf *arch; /* a bare x86-64 ELF header: the architecture every Dwfl is attached with */
	unsigned char arch_image[sizeof(Elf64_Ehdr)];
	/* The sample being unwound (valid during unwind_user only). */
	const unsigned char *stack;
	uint64_t sp, stack_size;
	pid_t tid;
	uint64_t dwarf[UNWIND_NREGS];
	uint64_t *pcs;
	size_t npcs, max;
	bool beyond;	       /* a read above the copied stack failed */
	bool cut;	       /* the walk stopped early: beyond the copy, or out of room */
	const char *last_path; /* the previous module reported (skip a file mapped twice) */
	struct unwind_stats stats;
};

/* ---- register mapping ------------------------------------------------------------------ */

bool
unwind_regs_to_dwarf(uint64_t regs_mask, const uint64_t *regs, uint64_t *dwarf)
{
#if defined(__x86_64__)
	/* perf's order (enum perf_event_x86_regs) -> DWARF's (the x86-64 psABI's numbering). */
	static const signed char to_dwarf[PERF_REG_X86_64_MAX] = {
		[PERF_REG_X86_AX] = 0,	 [PERF_REG_X86_DX] = 1,	  [PERF_REG_X86_CX] = 2,
		[PERF_REG_X86_BX] = 3,	 [PERF_REG_X86_SI] = 4,	  [PERF_REG_X86_DI] = 5,
		[PERF_REG_X86_BP] = 6,	 [PERF_REG_X86_SP] = 7,	  [PERF_REG_X86_R8] = 8,
		[PERF_REG_X86_R9] = 9,	 [PERF_REG_X86_R10] = 10, [PERF_REG_X86_R11] = 11,
		[PERF_REG_X86_R12] = 12, [PERF_REG_X86_R13] = 13, [PERF_REG_X86_R14] = 14,
		[PERF_REG_X86_R15] = 15, [PERF_REG_X86_IP] = 16,  [PERF_REG_X86_FLAGS] = -1,
		[PERF_REG_X86_CS] = -1,	 [PERF_REG_X86_SS] = -1,  [PERF_REG_X86_DS] = -1,
		[PERF_REG_X86_ES] = -1,	 [PERF_REG_X86_FS] = -1,  [PERF_REG_X86_GS] = -1,
	};
	const uint64_t need = 1ull << PERF_REG_X86_IP | 1ull << PERF_REG_X86_SP;
	size_t k = 0;

	memset(dwarf, 0, UNWIND_NREGS * sizeof(*dwarf));
	if ((regs_mask & need) != need)
		return false;
	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(regs_mask & (1ull << bit)))
			continue;
		if (bit < PERF_REG_X86_64_MAX && to_dwarf[bit] >= 0)
			dwarf[to_dwarf[bit]] = regs[k];
		k++;
	}
	return true;
#else
	(void)regs_mask;
	(void)regs;
	memset(dwarf, 0, UNWIND_NREGS * sizeof(*dwarf));
	return false;
#endif
}

/* ---- libdw callbacks ------------------------------------------------------------------- */

static pid_t
unwind_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	(void)dwfl;
	(void)arg;
	(void)thread_argp;
	return 0; /* only dwfl_getthread_frames is used, through unwind_get_thread */
}

static bool
unwind_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct unwind *u = arg;

	(void)dwfl;
	*thread_argp = u;
	return tid == u->tid;
}

/* Read-only file contents of the module at addr (code, constants): what the file holds is what is
 * mapped. */
static bool
unwind_read_module(Dwfl *dwfl, uint64_t addr, Dwarf_Word *out)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, addr);
	Dwarf_Addr bias;
	size_t phnum, size;
	const char *raw;
	Elf *elf;

	if (!mod || !(elf = dwfl_module_getelf(mod, &bias)) || elf_getphdrnum(elf, &phnum) != 0)
		return false;
	raw = elf_rawfile(elf, &size);
	if (!raw)
		return false;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		uint64_t vaddr = addr - bias, off;

		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || (ph.p_flags & PF_W))
			continue;
		if (vaddr < ph.p_vaddr || vaddr - ph.p_vaddr + sizeof(*out) > ph.p_filesz)
			continue;
		off = ph.p_offset + (vaddr - ph.p_vaddr);
		if (off + sizeof(*out) > size)
			return false;
		memcpy(out, raw + off, sizeof(*out));
		return true;
	}
	return false;
}

static bool
unwind_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct unwind *u = arg;

	if (addr >= u->sp && addr - u->sp <= u->stack_size &&
	    u->stack_size - (addr - u->sp) >= sizeof(*result)) {
		memcpy(result, u->stack + (addr - u->sp), sizeof(*result));
		return true;
	}
	if (addr >= u->sp && addr - u->sp < u->stack_size + UNWIND_STACK_REACH) {
		u->beyond = true;
		return false;
	}
	return unwind_read_module(dwfl, addr, result);
}

static bool
unwind_set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	struct unwind *u = arg;

	if (!dwfl_thread_state_registers(thread, 0, UNWIND_NREGS, u->dwarf))
		return false;
	dwfl_thread_state_register_pc(thread, u->dwarf[16]);
	return true;
}

static const Dwfl_Thread_Callbacks unwind_thread_callbacks = {
	.next_thread = unwind_next_thread,
	.get_thread = unwind_get_thread,
	.memory_read = unwind_memory_read,
	.set_initial_registers = unwind_set_initial_registers,
};

/* No separate debug files: .eh_frame has what unwinding needs, at no search or load cost. */
static int
unwind_find_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		      const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
		      char **debuginfo_file_name)
{
	(void)mod;
	(void)userdata;
	(void)modname;
	(void)base;
	(void)file_name;
	(void)debuglink_file;
	(void)debuglink_crc;
	(void)debuginfo_file_name;
	return -1;
}

static const Dwfl_Callbacks unwind_dwfl_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = unwind_find_debuginfo,
};

/* ---- processes ------------------------------------------------------------------------- */

static struct unwind_proc *
unwind_proc_get(struct unwind *u, pid_t pid)
{
	uint32_t i = idmap_get(&u->by_pid, pid);
	struct unwind_proc *p;

	if (i != IDMAP_NONE)
		return u->procs[i];
	if (u->nprocs == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		u->procs = xreallocarray(u->procs, u->cap, sizeof(*u->procs));
	}
	p = xcalloc(1, sizeof(*p));
	p->pid = pid;
	idmap_put(&u->by_pid, pid, (uint32_t)u->nprocs);
	u->procs[u->nprocs++] = p;
	return p;
}

static void
unwind_mods_free(struct unwind_mod *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

static void
unwind_proc_free(struct unwind_proc *p)
{
	if (p->dwfl)
		dwfl_end(p->dwfl);
	unwind_mods_free(p->mods, p->nmods);
	unwind_mods_free(p->next_mods, p->nnext);
	free(p);
}

/* The module of the last report that came from the same file at the same base, or NULL. */
static const struct unwind_mod *
unwind_mod_find(const struct unwind_proc *p, const char *path, uint64_t base)
{
	for (size_t i = 0; i < p->nmods; i++)
		if (p->mods[i].base == base && strcmp(p->mods[i].path, path) == 0)
			return &p->mods[i];
	return NULL;
}

static void
unwind_mod_keep(struct unwind_proc *p, const char *path, uint64_t base, Dwarf_Addr low,
		Dwarf_Addr high)
{
	if (p->nnext == p->next_cap) {
		p->next_cap = p->next_cap ? 2 * p->next_cap : 8;
		p->next_mods = xreallocarray(p->next_mods, p->next_cap, sizeof(*p->next_mods));
	}
	p->next_mods[p->nnext++] = (struct unwind_mod){
		.path = xstrdup(path), .base = base, .low = low, .high = high
	};
}

/* A symres_code_fn: report one mapped ELF file to the process's Dwfl. */
static void
unwind_report_one(void *ctx, const struct symres_code *code, int fd)
{
	struct unwind_proc *p = ctx;
	const char *base = strrchr(code->path, '/');
	const char *name = base ? base + 1 : code->path;
	const struct unwind_mod *old = unwind_mod_find(p, code->path, code->base);
	Dwfl_Module *m;
	Dwarf_Addr low, high;

	/*
	 * A module of the last report is reported again by name and range, which keeps it with
	 * its ELF and CFI: reporting its file again would hand libdw a second descriptor, which
	 * it takes for an overlap and drops the module at dwfl_report_end.
	 */
	if (old) {
		close(fd);
		if (dwfl_report_module(p->dwfl, name, old->low, old->high)) {
			unwind_mod_keep(p, old->path, old->base, old->low, old->high);
			p->nmodules++;
		}
		return;
	}
	/*
	 * The mapping of file offset 0 is where the first PT_LOAD segment goes: libdw takes the
	 * load bias from there (and ignores it for a fixed-address executable). On success the
	 * module owns fd; on failure (not ELF) it is still ours.
	 */
	m = dwfl_report_elf(p->dwfl, name, code->path, fd, code->base, false);
	if (!m) {
		close(fd);
		return;
	}
	dwfl_module_info(m, NULL, &low, &high, NULL, NULL, NULL, NULL);
	unwind_mod_keep(p, code->path, code->base, low, high);
	p->nmodules++;
}

/* Bring the process's Dwfl in line with its maps; false when it cannot unwind (yet). */
static bool
unwind_proc_sync(struct unwind *u, struct unwind_proc *p)
{
	uint32_t gen = symres_maps_gen(u->sym, p->pid);

	if (p->dwfl && p->gen == gen)
		return p->attached;
	if (!p->dwfl) {
		p->dwfl = dwfl_begin(&unwind_dwfl_callbacks);
		if (!p->dwfl)
			return false;
	}
	p->gen = gen;
	p->nmodules = 0;
	/* Modules not reported again (unmapped, or replaced by an exec) are dropped. */
	dwfl_report_begin(p->dwfl);
	symres_code_each(u->sym, p->pid, unwind_report_one, p);
	dwfl_report_end(p->dwfl, NULL, NULL);
	unwind_mods_free(p->mods, p->nmods);
	p->mods = p->next_mods;
	p->nmods = p->nnext;
	p->next_mods = NULL;
	p->nnext = p->next_cap = 0;
	if (!p->attached && p->nmodules > 0)
		p->attached =
			dwfl_attach_state(p->dwfl, u->arch, p->pid, &unwind_thread_callbacks, u);
	return p->attached;
}

/* ---- unwinding ------------------------------------------------------------------------- */

static int
unwind_frame(Dwfl_Frame *state, void *arg)
{
	struct unwind *u = arg;
	Dwarf_Addr pc;
	bool activation;

	/* This frame came from a step that wanted stack above the copy: it cannot be trusted. */
	if (u->beyond) {
		u->cut = true;
		return DWARF_CB_ABORT;
	}
	if (!dwfl_frame_pc(state, &pc, &activation))
		return DWARF_CB_ABORT;
	/* A return address points after the call: step back into it. */
	if (!activation && pc > 0)
		pc--;
	if (u->npcs == u->max) {
		u->cut = true;
		return DWARF_CB_ABORT;
	}
	u->pcs[u->npcs++] = pc;
	return DWARF_CB_OK;
}

size_t
unwind_user(struct unwind *u, const struct unwind_sample *s, uint64_t *pcs, size_t max,
	    bool *truncated)
{
	struct unwind_proc *p;
	uint64_t t0;

	*truncated = false;
	if (max == 0 || s->regs_abi != PERF_SAMPLE_REGS_ABI_64 || !s->regs ||
	    !unwind_regs_to_dwarf(s->regs_mask, s->regs, u->dwarf)) {
		u->stats.failed++;
		return 0;
	}
	t0 = clock_now_ns();
	u->stack = s->stack;
	u->stack_size = s->stack ? s->stack_size : 0;
	u->sp = u->dwarf[7];
	u->tid = s->tid;
	u->pcs = pcs;
	u->npcs = 0;
	u->max = max;
	u->beyond = false;
	u->cut = false;
	p = unwind_proc_get(u, s->pid);
	if (unwind_proc_sync(u, p))
		dwfl_getthread_frames(p->dwfl, s->tid, unwind_frame, u);
	if (u->npcs == 0) {
		/* Not even the first frame (no module, no attach): the IP alone is still right. */
		pcs[u->npcs++] = u->dwarf[16];
		u->stats.failed++;
	}
	/* The walk ended on a read above the copy: the frames found stand, the rest are missing. */
	if (u->beyond)
		u->cut = true;
	*truncated = u->cut;
	u->stats.samples++;
	u->stats.frames += u->npcs;
	u->stats.truncated += u->cut;
	u->stack = NULL;
	u->pcs = NULL;
	u->stats.ns += clock_now_ns() - t0;
	return u->npcs;
}

/* ---- lifecycle ------------------------------------------------------------------------- */

struct unwind *
unwind_new(struct symres *sym)
{
	struct unwind *u = xcalloc(1, sizeof(*u));
	Elf64_Ehdr *eh = (Elf64_Ehdr *)u->arch_image;

	u->sym = sym;
	idmap_init(&u->by_pid);
	/* dwfl_attach_state takes the architecture from an ELF header: this machine's. */
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_ehsize = sizeof(*eh);
	elf_version(EV_CURRENT);
	u->arch = elf_memory((char *)u->arch_image, sizeof(u->arch_image));
	return u;
}

void
unwind_free(struct unwind *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nprocs; i++)
		unwind_proc_free(u->procs[i]);
	free(u->procs);
	idmap_fini(&u->by_pid);
	if (u->arch)
		elf_end(u->arch);
	free(u);
}

void
unwind_exit(struct unwind *u, pid_t pid)
{
	uint32_t i = idmap_del(&u->by_pid, pid);
	struct unwind_proc *p;

	if (i == IDMAP_NONE)
		return;
	p = u->procs[i];
	/* The last process fills the hole. */
	if (i != --u->nprocs) {
		u->procs[i] = u->procs[u->nprocs];
		idmap_put(&u->by_pid, u->procs[i]->pid, i);
	}
	unwind_proc_free(p);
}

void
unwind_stats(const struct unwind *u, struct unwind_stats *out)
{
	*out = u->stats;
	out->processes = u->nprocs;
}
