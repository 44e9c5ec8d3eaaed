// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel symbols from /proc/kallsyms. The file (5 MB, 120k+ lines) is read whole into one buffer
 * and parsed in place: the names worth keeping are compacted to the front of that same buffer,
 * which then shrinks, so loading makes no allocation per line. Data symbols are kept only as
 * nameless fences that end the text symbol before them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/sym/kallsyms.h"
#include "ringside/util/sorted.h"
#include "ringside/util/xalloc.h"

#define KALLSYMS_FENCE UINT32_MAX

struct kallsyms_ent {
	uint64_t addr;
	uint32_t name;	 /* offset into names; KALLSYMS_FENCE for a data symbol */
	uint16_t module; /* index into modules; 0 is the kernel itself */
	uint8_t rank;	 /* preference among aliases at one address: higher wins */
	uint8_t pad;
};

struct kallsyms {
	struct kallsyms_ent *ents;
	size_t n;
	size_t ntext; /* entries that are text symbols, not fences */
	char *names;  /* NUL-terminated names, packed */
	size_t names_len;
	uint32_t *modules; /* offsets into names; modules[0] unused ("[kernel]") */
	size_t nmodules;
	bool restricted;
};

static const char kallsyms_kernel[] = "[kernel]";

/* Read the whole file: /proc files report size 0, so grow until read returns 0. */
static int
kallsyms_read_all(const char *path, char **out, size_t *len)
{
	size_t cap = 1 << 20, n = 0;
	char *buf;
	int fd, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (cap - n < 65536) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
out:
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*out = buf;
	*len = n;
	return 0;
}

static int
kallsyms_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool
kallsyms_is_text(char type)
{
	return type == 't' || type == 'T' || type == 'w' || type == 'W';
}

/*
 * Which alias to show when several names share an address, in perf's order of preference:
 * a strong symbol before a weak one, global before local, fewer leading underscores; the
 * longer name breaks the remaining ties (in kallsyms_cmp).
 */
static uint8_t
kallsyms_rank(char type, const char *name)
{
	unsigned under = 0;
	uint8_t rank = 0;

	if (type != 'w' && type != 'W')
		rank |= 0x40;
	if (type == 'T' || type == 'W')
		rank |= 0x20;
	while (name[under] == '_' && under < 7)
		under++;
	rank |= (uint8_t)(7 - under);
	return rank;
}

static int
kallsyms_cmp(const void *a, const void *b, void *arg)
{
	const struct kallsyms_ent *x = a, *y = b;
	const char *names = arg;
	size_t lx, ly;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Text before fences, then the better alias first. */
	if ((x->name == KALLSYMS_FENCE) != (y->name == KALLSYMS_FENCE))
		return x->name == KALLSYMS_FENCE ? 1 : -1;
	if (x->name == KALLSYMS_FENCE)
		return 0;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	lx = strlen(names + x->name);
	ly = strlen(names + y->name);
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return strcmp(names + x->name, names + y->name);
}

/* Keep one entry per address, and only the first of consecutive fences. */
static void
kallsyms_dedup(struct kallsyms *ks)
{
	size_t w = 0;

	for (size_t i = 0; i < ks->n; i++) {
		const struct kallsyms_ent *e = &ks->ents[i];

		if (w > 0 && ks->ents[w - 1].addr == e->addr)
			continue;
		if (w > 0 && e->name == KALLSYMS_FENCE && ks->ents[w - 1].name == KALLSYMS_FENCE)
			continue;
		ks->ents[w++] = *e;
	}
	ks->n = w;
}

/* One line of /proc/kallsyms, split in place: "ADDR TYPE NAME[\t[MODULE]]". */
struct kallsyms_line {
	uint64_t addr;
	char type;
	char *name, *name_end;
	char *mod, *mod_end; /* NULL, NULL for the kernel's own symbols */
};

/* Where the kept names are packed, at the front of the buffer being parsed. */
struct kallsyms_pack {
	char *buf;
	size_t w;		/* bytes packed */
	const char *cur_module; /* last module packed, NULL before the first */
	size_t cap, mcap;	/* room in ks->ents and ks->modules */
};

/* Split line [line, nl) into l; false when it is not a symbol line. */
static bool
kallsyms_split(char *line, char *nl, struct kallsyms_line *l)
{
	int digits = 0, v;

	l->addr = 0;
	while ((v = kallsyms_hexval(*line)) >= 0 && digits < 17) {
		l->addr = l->addr << 4 | (uint64_t)v;
		line++;
		digits++;
	}
	if (digits == 0 || digits > 16 || *line != ' ' || line + 3 >= nl || line[2] != ' ')
		return false;
	l->type = line[1];
	l->name = line + 3;
	l->name_end = l->name;
	while (l->name_end < nl && *l->name_end != '\t' && *l->name_end != ' ')
		l->name_end++;
	if (l->name_end == l->name)
		return false;
	l->mod = l->mod_end = NULL;
	if (l->name_end < nl) {
		l->mod = l->name_end + 1;
		while (l->mod < nl && (*l->mod == '\t' || *l->mod == ' '))
			l->mod++;
		l->mod_end = nl;
		while (l->mod_end > l->mod && (l->mod_end[-1] == ' ' || l->mod_end[-1] == '\r'))
			l->mod_end--;
		if (l->mod_end == l->mod)
			l->mod = NULL;
	}
	return true;
}

/*
 * The index of module [mod, mod_end), packed when it differs from the last one (lines come
 * grouped by module); 0 (the kernel) once UINT16_MAX modules are known.
 */
static uint16_t
kallsyms_pack_module(struct kallsyms *ks, struct kallsyms_pack *pk, const char *mod,
		     const char *mod_end)
{
	size_t ml = (size_t)(mod_end - mod);

	if (!pk->cur_module || strlen(pk->cur_module) != ml || memcmp(pk->cur_module, mod, ml)) {
		if (ks->nmodules == UINT16_MAX)
			return 0;
		if (ks->nmodules == pk->mcap) {
			pk->mcap *= 2;
			ks->modules = xreallocarray(ks->modules, pk->mcap, sizeof(*ks->modules));
		}
		memmove(pk->buf + pk->w, mod, ml);
		pk->buf[pk->w + ml] = '\0';
		pk->cur_module = pk->buf + pk->w;
		ks->modules[ks->nmodules++] = (uint32_t)pk->w;
		pk->w += ml + 1;
	}
	return (uint16_t)(ks->nmodules - 1);
}

/* Append the symbol of line l: a fence for data, else its name (and module) packed. */
static void
kallsyms_add(struct kallsyms *ks, struct kallsyms_pack *pk, const struct kallsyms_line *l)
{
	size_t namelen = (size_t)(l->name_end - l->name);
	struct kallsyms_ent *e;

	if (ks->n == pk->cap) {
		pk->cap *= 2;
		ks->ents = xreallocarray(ks->ents, pk->cap, sizeof(*ks->ents));
	}
	e = &ks->ents[ks->n++];
	e->addr = l->addr;
	e->module = 0;
	e->pad = 0;
	if (!kallsyms_is_text(l->type)) {
		e->name = KALLSYMS_FENCE;
		e->rank = 0;
		return;
	}
	/*
	 * Pack the name, then the module name that follows it on the line: the packed area stays
	 * behind what is still to be read.
	 */
	*l->name_end = '\0';
	e->rank = kallsyms_rank(l->type, l->name);
	memmove(pk->buf + pk->w, l->name, namelen + 1);
	e->name = (uint32_t)pk->w;
	pk->w += namelen + 1;
	if (l->mod)
		e->module = kallsyms_pack_module(ks, pk, l->mod, l->mod_end);
}

/* Parse buf (len bytes, NUL-terminated) in place into ks, packing kept names to its front. */
static void
kallsyms_parse(struct kallsyms *ks, char *buf, size_t len)
{
	struct kallsyms_pack pk = { .buf = buf, .cap = len / 40 + 16, .mcap = 8 };
	char *p = buf, *end = buf + len;
	bool any_nonzero = false;
	size_t nlines = 0;

	ks->ents = xreallocarray(NULL, pk.cap, sizeof(*ks->ents));
	ks->modules = xreallocarray(NULL, pk.mcap, sizeof(*ks->modules));
	ks->nmodules = 1;
	ks->modules[0] = 0;
	while (p < end) {
		char *line = p, *nl = memchr(p, '\n', (size_t)(end - p));
		struct kallsyms_line l;

		if (!nl)
			nl = end;
		p = nl + 1;
		if (!kallsyms_split(line, nl, &l))
			continue;
		nlines++;
		if (l.addr != 0)
			any_nonzero = true;
		kallsyms_add(ks, &pk, &l);
	}
	ks->names = buf;
	ks->names_len = pk.w;
	if (nlines > 0 && !any_nonzero) {
		ks->restricted = true;
		ks->n = 0;
		ks->names_len = 0;
		ks->nmodules = 1;
	}
}

int
kallsyms_load(const char *path, struct kallsyms **out)
{
	struct kallsyms *ks;
	size_t len = 0;
	char *buf = NULL;
	int rc;

	*out = NULL;
	rc = kallsyms_read_all(path ? path : "/proc/kallsyms", &buf, &len);
	if (rc < 0)
		return rc;
	/* Offsets are 32-bit; no kallsyms comes near 4 GiB. */
	if (len >= UINT32_MAX) {
		free(buf);
		return -EFBIG;
	}
	ks = xcalloc(1, sizeof(*ks));
	kallsyms_parse(ks, buf, len);
	ks->names = xrealloc(ks->names, ks->names_len ? ks->names_len : 1);
	qsort_r(ks->ents, ks->n, sizeof(*ks->ents), kallsyms_cmp, ks->names);
	kallsyms_dedup(ks);
	/* Fences before the first text symbol end nothing. */
	size_t first = 0;

	while (first < ks->n && ks->ents[first].name == KALLSYMS_FENCE)
		first++;
	if (first > 0) {
		memmove(ks->ents, ks->ents + first, (ks->n - first) * sizeof(*ks->ents));
		ks->n -= first;
	}
	for (size_t i = 0; i < ks->n; i++)
		ks->ntext += ks->ents[i].name != KALLSYMS_FENCE;
	if (ks->ntext == 0 && !ks->restricted) {
		kallsyms_free(ks);
		return -EINVAL;
	}
	if (ks->n > 0) {
		ks->ents = xreallocarray(ks->ents, ks->n, sizeof(*ks->ents));
	} else {
		free(ks->ents);
		ks->ents = NULL;
	}
	*out = ks;
	return 0;
}

void
kallsyms_free(struct kallsyms *ks)
{
	if (!ks)
		return;
	free(ks->ents);
	free(ks->names);
	free(ks->modules);
	free(ks);
}

bool
kallsyms_restricted(const struct kallsyms *ks)
{
	return ks->restricted;
}

size_t
kallsyms_count(const struct kallsyms *ks)
{
	return ks->ntext;
}

bool
kallsyms_find(const struct kallsyms *ks, uint64_t addr, struct kallsyms_sym *out)
{
	/* The last entry whose address is <= addr. */
	size_t lo = sorted_upper(ks->ents, ks->n, sizeof(*ks->ents),
				 offsetof(struct kallsyms_ent, addr), addr);
	const struct kallsyms_ent *e;

	if (lo == 0)
		return false;
	e = &ks->ents[lo - 1];
	if (e->name == KALLSYMS_FENCE)
		return false;
	out->addr = e->addr;
	out->name = ks->names + e->name;
	out->module = e->module ? ks->names + ks->modules[e->module] : kallsyms_kernel;
	return true;
}

size_t
kallsyms_memory(const struct kallsyms *ks)
{
	return sizeof(*ks) + ks->n * sizeof(*ks->ents) + ks->names_len +
	       ks->nmodules * sizeof(*ks->modules);
}
