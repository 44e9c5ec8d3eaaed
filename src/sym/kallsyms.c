// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Kernel symbols from /proc/kallsyms. The file (5 MB, 120k+ lines) is read in 64 KiB chunks and
 * parsed as it comes: the names worth keeping go to one string arena, each name that ends the one
 * before it (foo after __pfx_foo, its padding) shares its bytes, and each module's names follow
 * its own name there, so an entry is 8 bytes: the low 32 bits of its address (the high ones are
 * kept once per run of entries that share them) and its name's offset, which also gives its
 * module. Data symbols are kept only as nameless fences that end the text symbol before them.
 * A function's padding symbol ("__pfx_foo", up to 120 bytes right before foo; half of the text
 * symbols of a kernel built with function padding) has no entry: foo's says how long it is.
 * The names (1.5 MB; a few hundred are ever looked up) are not kept in the heap: as they are
 * parsed they stream, 64 KiB at a time, to an unlinked temporary file on disk (debugcopy_tmpfile:
 * never tmpfs), mapped read-only once read: only the pages lookups read are resident, and
 * kallsyms_trim gives those back to the page cache. With no such file, or names that fit in
 * 64 KiB (a test's table: no file for so little), they stay in the heap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ringside/sym/debugcopy.h"
#include "ringside/sym/kallsyms.h"
#include "ringside/util/outfile.h"
#include "ringside/util/sorted.h"
#include "ringside/util/xalloc.h"

#define KALLSYMS_FENCE	UINT32_MAX
#define KALLSYMS_KERNEL UINT32_MAX /* a group's module: the kernel itself */
#define KALLSYMS_CHUNK	65536
/* Names stream to the file when this many are in the heap; the room asked for the file. */
#define KALLSYMS_FLUSH	   65536
#define KALLSYMS_FILE_NEED (8u << 20)
/*
 * An entry's name field: the name's offset in the low bits; in the top ones, when not zero, the
 * size in 8-byte units of the "__pfx_NAME" padding symbol right before it, folded into it (half
 * of a kernel built with function padding's symbols are those).
 */
#define KALLSYMS_OFF_BITS 28
#define KALLSYMS_OFF_MASK ((1u << KALLSYMS_OFF_BITS) - 1)
#define KALLSYMS_PFX	  "__pfx_"
#define KALLSYMS_PFX_LEN  6

/* One symbol once loaded: its address is (its segment's hi << 32 | lo). */
struct kallsyms_ent {
	uint32_t lo;
	uint32_t name; /* offset into names; KALLSYMS_FENCE for a data symbol */
};

/* Entries [start, next segment's start) whose addresses share their high 32 bits, hi. */
struct kallsyms_seg {
	uint32_t hi;
	uint32_t start;
};

/* Names from offset first on (to the next group's) belong to module (offset of "[name]"). */
struct kallsyms_group {
	uint32_t first;
	uint32_t module; /* KALLSYMS_KERNEL for the kernel's own */
};

/* One symbol while loading, before the sort. */
struct kallsyms_wide {
	uint64_t addr;
	uint32_t name;
	uint8_t rank; /* preference among aliases at one address: higher wins */
	bool pfx;     /* the name starts "__pfx_" (told without reading the mapped names again) */
	uint16_t len; /* the name's length (a line is shorter than a read: < 64 KiB) */
};

struct kallsyms {
	struct kallsyms_ent *ents;
	size_t n;
	size_t ntext; /* text symbols, not fences (a folded padding symbol counts) */
	struct kallsyms_seg *segs;
	size_t nsegs;
	char *names; /* NUL-terminated names, packed */
	size_t names_len;
	bool mapped; /* names is a read-only mapping of a temporary file, not malloc's */
	struct kallsyms_group *groups;
	size_t ngroups;
	bool restricted;
};

static const char kallsyms_kernel[] = "[kernel]";

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
	const struct kallsyms_wide *x = a, *y = b;
	const char *names = arg;
	int c;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	/* Text before fences, then the better alias first. */
	if ((x->name == KALLSYMS_FENCE) != (y->name == KALLSYMS_FENCE))
		return x->name == KALLSYMS_FENCE ? 1 : -1;
	if (x->name == KALLSYMS_FENCE)
		return 0;
	if (x->rank != y->rank)
		return x->rank > y->rank ? -1 : 1;
	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	if ((c = strcmp(names + x->name, names + y->name)) != 0)
		return c;
	/*
	 * One name at one address twice: the first read wins, as in a stable sort. Its bytes come
	 * no later in the arena (a later group's names follow, a shared suffix is the same bytes).
	 */
	return (x->name > y->name) - (x->name < y->name);
}

static const char *kallsyms_module(const struct kallsyms *ks, uint32_t name);

/* One line of /proc/kallsyms, split in place: "ADDR TYPE NAME[\t[MODULE]]". */
struct kallsyms_line {
	uint64_t addr;
	char type;
	char *name, *name_end;
	char *mod, *mod_end; /* NULL, NULL for the kernel's own symbols */
};

/* The table being loaded. */
struct kallsyms_build {
	struct kallsyms_wide *w;
	size_t n, cap;
	size_t wcap;	      /* room in ks->names */
	int fd;		      /* the file names stream to (see kallsyms_flush); -1: none yet */
	bool heap_only;	      /* no such file (none made, or a write failed): the heap keeps them */
	size_t flushed;	      /* names [0, flushed) are in the file; ks->names holds the rest */
	char *mod;	      /* the current group's module name; NULL: the kernel */
	size_t gcap;	      /* room in ks->groups */
	size_t prev, prevlen; /* the last name packed in the current group; prevlen 0: none */
	size_t nlines;
	bool any_nonzero;
	bool too_big; /* the arena would pass 32-bit offsets */
	bool lost;    /* names written to the file could not be read back */
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
 * Stop streaming: the names the file holds come back into the heap, before the rest (they were
 * written, so they read back from the page cache); when they cannot, the load fails (lost).
 */
static void
kallsyms_unstream(struct kallsyms *ks, struct kallsyms_build *b)
{
	size_t tail = ks->names_len - b->flushed, done = 0;
	char *all = xmalloc(ks->names_len + 1);

	while (done < b->flushed) {
		ssize_t r = pread(b->fd, all + done, b->flushed - done, (off_t)done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			b->lost = true;
			break;
		}
		done += (size_t)r;
	}
	if (tail)
		memcpy(all + b->flushed, ks->names, tail);
	free(ks->names);
	ks->names = all;
	b->wcap = ks->names_len + 1;
	b->flushed = 0;
	close(b->fd);
	b->fd = -1;
	b->heap_only = true;
}

/* Names [flushed, upto) go to the file; the rest moves to the front of the heap's buffer. */
static void
kallsyms_flush(struct kallsyms *ks, struct kallsyms_build *b, size_t upto)
{
	size_t n = upto - b->flushed;

	if (fd_write_all(b->fd, ks->names, n) < 0) {
		kallsyms_unstream(ks, b);
		return;
	}
	memmove(ks->names, ks->names + n, ks->names_len - upto);
	b->flushed = upto;
}

/* Append len bytes of s and a NUL to the arena; its offset, or KALLSYMS_FENCE when full. */
static uint32_t
kallsyms_put(struct kallsyms *ks, struct kallsyms_build *b, const char *s, size_t len)
{
	size_t at = ks->names_len, rel;

	if (len >= UINT32_MAX - 1 - at) {
		b->too_big = true;
		return KALLSYMS_FENCE;
	}
	/* The file is made at the first flush: a table with few names stays in the heap. */
	if (!b->heap_only && at - b->flushed >= KALLSYMS_FLUSH) {
		if (b->fd < 0 && (b->fd = debugcopy_tmpfile(KALLSYMS_FILE_NEED)) < 0)
			b->heap_only = true;
		else
			kallsyms_flush(ks, b, b->prevlen ? b->prev : at);
	}
	rel = at - b->flushed;
	while (b->wcap - rel < len + 1) {
		b->wcap = b->wcap ? b->wcap * 2 : 1 << 16;
		ks->names = xrealloc(ks->names, b->wcap);
	}
	memcpy(ks->names + rel, s, len);
	ks->names[rel + len] = '\0';
	ks->names_len += len + 1;
	return (uint32_t)at;
}

/* Make [mod, mod_end) (NULL: the kernel) the current group's module, starting a group. */
static void
kallsyms_group(struct kallsyms *ks, struct kallsyms_build *b, const char *mod, const char *mod_end)
{
	struct kallsyms_group *g = &ks->groups[ks->ngroups - 1];
	size_t ml = mod ? (size_t)(mod_end - mod) : 0;
	uint32_t at = KALLSYMS_KERNEL;
	bool empty = g->first == ks->names_len; /* reused rather than left empty */

	if (!mod && g->module == KALLSYMS_KERNEL)
		return;
	if (mod && b->mod && strlen(b->mod) == ml && !memcmp(b->mod, mod, ml))
		return;
	if (mod && (at = kallsyms_put(ks, b, mod, ml)) == KALLSYMS_FENCE)
		return;
	free(b->mod);
	b->mod = mod ? xstrndup(mod, ml) : NULL;
	b->prevlen = 0;
	if (!empty) {
		if (ks->ngroups == b->gcap) {
			b->gcap *= 2;
			ks->groups = xreallocarray(ks->groups, b->gcap, sizeof(*ks->groups));
		}
		g = &ks->groups[ks->ngroups++];
	}
	g->first = (uint32_t)ks->names_len;
	g->module = at;
}

/* The offset of name [s, s+len) in the arena: the end of the name before when it ends so. */
static uint32_t
kallsyms_name(struct kallsyms *ks, struct kallsyms_build *b, const char *s, size_t len)
{
	uint32_t at;

	if (b->prevlen > len &&
	    !memcmp(ks->names + (b->prev - b->flushed) + b->prevlen - len, s, len))
		return (uint32_t)(b->prev + b->prevlen - len);
	at = kallsyms_put(ks, b, s, len);
	if (at != KALLSYMS_FENCE) {
		b->prev = at;
		b->prevlen = len;
	}
	return at;
}

/* Append the symbol of line l: a fence for data, else its name (in its module's group). */
static void
kallsyms_add(struct kallsyms *ks, struct kallsyms_build *b, const struct kallsyms_line *l)
{
	struct kallsyms_wide *e;
	uint32_t name = KALLSYMS_FENCE;

	if (kallsyms_is_text(l->type)) {
		kallsyms_group(ks, b, l->mod, l->mod_end);
		name = kallsyms_name(ks, b, l->name, (size_t)(l->name_end - l->name));
		if (name == KALLSYMS_FENCE)
			return;
	}
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 4096;
		b->w = xreallocarray(b->w, b->cap, sizeof(*b->w));
	}
	e = &b->w[b->n++];
	memset(e, 0, sizeof(*e));
	e->addr = l->addr;
	e->name = name;
	if (name != KALLSYMS_FENCE) {
		*l->name_end = '\0';
		e->rank = kallsyms_rank(l->type, l->name);
		e->len = (uint16_t)(l->name_end - l->name);
		e->pfx = l->name_end - l->name > KALLSYMS_PFX_LEN &&
			 !memcmp(l->name, KALLSYMS_PFX, KALLSYMS_PFX_LEN);
	}
}

/* Parse the complete line [line, nl) into ks. */
static void
kallsyms_line(struct kallsyms *ks, struct kallsyms_build *b, char *line, char *nl)
{
	struct kallsyms_line l;

	if (!kallsyms_split(line, nl, &l))
		return;
	b->nlines++;
	if (l.addr != 0)
		b->any_nonzero = true;
	kallsyms_add(ks, b, &l);
}

/*
 * Read fd to its end, parsing each line as it comes; a line longer than a chunk is skipped.
 * 0 or -errno.
 */
static int
kallsyms_read(int fd, struct kallsyms *ks, struct kallsyms_build *b)
{
	char *buf = xmalloc(KALLSYMS_CHUNK + 1);
	size_t have = 0;
	bool skip = false;
	int rc = 0;

	for (;;) {
		ssize_t r = read(fd, buf + have, KALLSYMS_CHUNK - have);
		char *p = buf, *end, *nl;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = -errno;
			break;
		}
		end = buf + have + r;
		*end = '\0';
		while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
			if (!skip)
				kallsyms_line(ks, b, p, nl);
			skip = false;
			p = nl + 1;
		}
		if (r == 0) {
			if (!skip && p < end)
				kallsyms_line(ks, b, p, end);
			break;
		}
		have = (size_t)(end - p);
		if (have == KALLSYMS_CHUNK) {
			skip = true;
			have = 0;
		} else {
			memmove(buf, p, have);
		}
	}
	free(buf);
	return rc;
}

/* Keep one entry per address, only the first of consecutive fences, none before the first name. */
static void
kallsyms_dedup(struct kallsyms_build *b)
{
	size_t w = 0;

	for (size_t i = 0; i < b->n; i++) {
		const struct kallsyms_wide *e = &b->w[i];

		if (w == 0 && e->name == KALLSYMS_FENCE)
			continue;
		if (w > 0 && b->w[w - 1].addr == e->addr)
			continue;
		if (w > 0 && e->name == KALLSYMS_FENCE && b->w[w - 1].name == KALLSYMS_FENCE)
			continue;
		b->w[w++] = *e;
	}
	b->n = w;
}

/*
 * Whether wide entry a is the padding symbol of the text symbol b after it: named "__pfx_" and
 * b's name (its bytes just before b's, as kallsyms_name shares them), in the same module, a
 * multiple of 8 bytes up to 120 before it, with the same high address bits; its size in 8-byte
 * units then, else 0.
 */
static uint8_t
kallsyms_pfx_units(const struct kallsyms *ks, const struct kallsyms_wide *a,
		   const struct kallsyms_wide *b)
{
	uint64_t d = b->addr - a->addr;

	if (a->name == KALLSYMS_FENCE || b->name == KALLSYMS_FENCE ||
	    b->name >= KALLSYMS_OFF_MASK || a->name + KALLSYMS_PFX_LEN != b->name || !a->pfx ||
	    d == 0 || d % 8 || d / 8 > (UINT32_MAX >> KALLSYMS_OFF_BITS) ||
	    a->addr >> 32 != b->addr >> 32 ||
	    kallsyms_module(ks, a->name) != kallsyms_module(ks, b->name))
		return 0;
	return (uint8_t)(d / 8);
}

/* Fold each padding symbol into the text symbol it pads (its rank, no longer needed, says so). */
static void
kallsyms_fold(struct kallsyms *ks, struct kallsyms_build *b)
{
	size_t w = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct kallsyms_wide e = b->w[i];
		uint8_t units = i + 1 < b->n ? kallsyms_pfx_units(ks, &e, &b->w[i + 1]) : 0;

		if (units) {
			e = b->w[++i];
			e.rank = units;
			ks->ntext++;
		} else {
			e.rank = 0;
		}
		b->w[w++] = e;
	}
	b->n = w;
}

/* Turn the sorted wide entries into ks's 8-byte ones and their segments, in place. */
static void
kallsyms_compact(struct kallsyms *ks, struct kallsyms_build *b)
{
	char *base = (char *)b->w;
	size_t scap = 0;

	for (size_t i = 0; i < b->n; i++) {
		struct kallsyms_wide w;
		struct kallsyms_ent e;
		uint32_t hi;

		memcpy(&w, base + i * sizeof(w), sizeof(w));
		hi = (uint32_t)(w.addr >> 32);
		if (ks->nsegs == 0 || ks->segs[ks->nsegs - 1].hi != hi) {
			if (ks->nsegs == scap) {
				scap = scap ? scap * 2 : 1;
				ks->segs = xreallocarray(ks->segs, scap, sizeof(*ks->segs));
			}
			ks->segs[ks->nsegs++] = (struct kallsyms_seg){ hi, (uint32_t)i };
		}
		e.lo = (uint32_t)w.addr;
		e.name = w.rank ? w.name | (uint32_t)w.rank << KALLSYMS_OFF_BITS : w.name;
		memcpy(base + i * sizeof(e), &e, sizeof(e));
		ks->ntext += w.name != KALLSYMS_FENCE;
	}
	b->w = NULL;
	ks->n = b->n;
	ks->ents = ks->n ? xreallocarray(base, ks->n, sizeof(*ks->ents)) : NULL;
	if (!ks->n)
		free(base);
	if (ks->nsegs)
		ks->segs = xreallocarray(ks->segs, ks->nsegs, sizeof(*ks->segs));
}

/* Sort, deduplicate and compact what was read; shrink the arena and groups to fit. */
static void
kallsyms_finish(struct kallsyms *ks, struct kallsyms_build *b)
{
	if (b->nlines > 0 && !b->any_nonzero) {
		ks->restricted = true;
		b->n = 0;
		ks->names_len = 0;
		ks->ngroups = 1;
		ks->groups[0] = (struct kallsyms_group){ 0, KALLSYMS_KERNEL };
	}
	if (ks->mapped && ks->restricted) {
		munmap(ks->names, ks->names_len);
		ks->names = NULL;
		ks->mapped = false;
	}
	if (!ks->mapped)
		ks->names = xrealloc(ks->names, ks->names_len ? ks->names_len : 1);
	ks->groups = xreallocarray(ks->groups, ks->ngroups, sizeof(*ks->groups));
	if (b->n)
		sorted_sort(b->w, b->n, sizeof(*b->w), kallsyms_cmp, ks->names);
	kallsyms_dedup(b);
	kallsyms_fold(ks, b);
	kallsyms_compact(ks, b);
}

/*
 * The streamed names, all written to the file, mapped read-only in place of the heap's; on any
 * failure they come back into the heap. Names hold no pointer: the same offsets, the same answers.
 */
static void
kallsyms_map(struct kallsyms *ks, struct kallsyms_build *b)
{
	void *map = MAP_FAILED;

	if (b->fd < 0)
		return;
	if (ks->names_len > 0 && fd_write_all(b->fd, ks->names, ks->names_len - b->flushed) == 0)
		map = mmap(NULL, ks->names_len, PROT_READ, MAP_SHARED, b->fd, 0);
	if (map == MAP_FAILED) {
		kallsyms_unstream(ks, b);
		return;
	}
	/*
	 * Lookups read a name here and there: no read-ahead when a page comes from disk. And the
	 * file leaves the page cache once on disk: a page there is mapped with its neighbours (the
	 * kernel's fault-around, 64 KiB) at a lookup's first touch, so 100 lookups made 1.6 MB of
	 * it resident, where pages read from disk one by one made 0.35 MB (a disk read each).
	 */
	madvise(map, ks->names_len, MADV_RANDOM);
	if (fdatasync(b->fd) == 0)
		posix_fadvise(b->fd, 0, 0, POSIX_FADV_DONTNEED);
	close(b->fd);
	b->fd = -1;
	free(ks->names);
	ks->names = map;
	ks->mapped = true;
}

int
kallsyms_load(const char *path, struct kallsyms **out)
{
	struct kallsyms_build b = { .gcap = 8, .fd = -1 };
	struct kallsyms *ks;
	int fd, rc;

	*out = NULL;
	fd = open(path ? path : "/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ks = xcalloc(1, sizeof(*ks));
	ks->groups = xreallocarray(NULL, b.gcap, sizeof(*ks->groups));
	ks->groups[0] = (struct kallsyms_group){ 0, KALLSYMS_KERNEL };
	ks->ngroups = 1;
	rc = kallsyms_read(fd, ks, &b);
	close(fd);
	if (rc == 0)
		kallsyms_map(ks, &b);
	/* Offsets are 32-bit; no kallsyms comes near 4 GiB. */
	if (rc == 0 && b.too_big)
		rc = -EFBIG;
	if (rc == 0 && b.lost)
		rc = -EIO;
	if (rc == 0)
		kallsyms_finish(ks, &b);
	if (b.fd >= 0)
		close(b.fd);
	free(b.w);
	free(b.mod);
	/* The sort and the padding's fold read names all over: their pages go back. */
	kallsyms_trim(ks);
	if (rc == 0 && ks->ntext == 0 && !ks->restricted)
		rc = -EINVAL;
	if (rc < 0) {
		kallsyms_free(ks);
		return rc;
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
	free(ks->segs);
	if (ks->mapped)
		munmap(ks->names, ks->names_len);
	else
		free(ks->names);
	free(ks->groups);
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

/* The number of entries whose address is <= addr; *hi the high bits of the last of them. */
static size_t
kallsyms_upper(const struct kallsyms *ks, uint64_t addr, uint32_t *hi)
{
	uint32_t ahi = (uint32_t)(addr >> 32), alo = (uint32_t)addr;
	size_t s = 0, top = ks->nsegs, lo, end;

	while (s < top) {
		size_t m = s + (top - s) / 2;

		if (ks->segs[m].hi <= ahi)
			s = m + 1;
		else
			top = m;
	}
	if (s == 0)
		return 0;
	lo = ks->segs[s - 1].start;
	end = s < ks->nsegs ? ks->segs[s].start : ks->n;
	*hi = ks->segs[s - 1].hi;
	if (ks->segs[s - 1].hi < ahi)
		return end;
	while (lo < end) {
		size_t m = lo + (end - lo) / 2;

		if (ks->ents[m].lo <= alo)
			lo = m + 1;
		else
			end = m;
	}
	/* None in this segment: the last of the one before. */
	if (lo == ks->segs[s - 1].start && s >= 2)
		*hi = ks->segs[s - 2].hi;
	return lo;
}

/* The module holding the name at offset name. */
static const char *
kallsyms_module(const struct kallsyms *ks, uint32_t name)
{
	size_t lo = 0, top = ks->ngroups;

	while (lo < top) {
		size_t m = lo + (top - lo) / 2;

		if (ks->groups[m].first <= name)
			lo = m + 1;
		else
			top = m;
	}
	if (lo == 0 || ks->groups[lo - 1].module == KALLSYMS_KERNEL)
		return kallsyms_kernel;
	return ks->names + ks->groups[lo - 1].module;
}

/* The high address bits of entry i. */
static uint32_t
kallsyms_hi(const struct kallsyms *ks, size_t i)
{
	size_t lo = 0, top = ks->nsegs;

	while (lo < top) {
		size_t m = lo + (top - lo) / 2;

		if (ks->segs[m].start <= i)
			lo = m + 1;
		else
			top = m;
	}
	return lo ? ks->segs[lo - 1].hi : 0;
}

/* addr in the padding folded into entry i (see KALLSYMS_OFF_BITS): its symbol into *out. */
static bool
kallsyms_find_pfx(const struct kallsyms *ks, size_t i, uint64_t addr, struct kallsyms_sym *out)
{
	const struct kallsyms_ent *e = &ks->ents[i];
	uint32_t units = e->name == KALLSYMS_FENCE ? 0 : e->name >> KALLSYMS_OFF_BITS;
	uint32_t off = e->name & KALLSYMS_OFF_MASK;
	uint64_t start, at;

	if (!units)
		return false;
	at = (uint64_t)kallsyms_hi(ks, i) << 32 | e->lo;
	start = at - units * 8u;
	if (addr < start || addr >= at)
		return false;
	out->addr = start;
	out->name = ks->names + off - KALLSYMS_PFX_LEN;
	out->module = kallsyms_module(ks, off - KALLSYMS_PFX_LEN);
	return true;
}

bool
kallsyms_find(const struct kallsyms *ks, uint64_t addr, struct kallsyms_sym *out)
{
	uint32_t hi = 0, off;
	size_t i = kallsyms_upper(ks, addr, &hi);
	const struct kallsyms_ent *e;

	if (i < ks->n && kallsyms_find_pfx(ks, i, addr, out))
		return true;
	if (i == 0)
		return false;
	e = &ks->ents[i - 1];
	if (e->name == KALLSYMS_FENCE)
		return false;
	off = e->name & KALLSYMS_OFF_MASK;
	out->addr = (uint64_t)hi << 32 | e->lo;
	out->name = ks->names + off;
	out->module = kallsyms_module(ks, off);
	return true;
}

size_t
kallsyms_memory(const struct kallsyms *ks)
{
	return sizeof(*ks) + ks->n * sizeof(*ks->ents) + ks->nsegs * sizeof(*ks->segs) +
	       ks->names_len + ks->ngroups * sizeof(*ks->groups);
}

size_t
kallsyms_mapped(const struct kallsyms *ks)
{
	return ks->mapped ? ks->names_len : 0;
}

/*
 * Resident bytes of the mapping: pages present in this process's page table, from
 * /proc/self/pagemap (bit 63 of each page's 8-byte entry; readable without privileges). 0 or
 * -errno.
 */
int
kallsyms_resident(const struct kallsyms *ks, size_t *out)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t ent[512];
	size_t first, pages;
	int fd, rc = 0;

	*out = 0;
	if (!ks->mapped || psz <= 0)
		return 0;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	first = (uintptr_t)ks->names / (size_t)psz;
	pages = (ks->names_len + (size_t)psz - 1) / (size_t)psz;
	for (size_t at = 0; at < pages && rc == 0;) {
		size_t n = pages - at < 512 ? pages - at : 512;
		ssize_t r = pread(fd, ent, n * sizeof(*ent), (off_t)((first + at) * sizeof(*ent)));

		if (r <= 0 || (size_t)r % sizeof(*ent)) {
			rc = r < 0 ? -errno : -EIO;
			break;
		}
		n = (size_t)r / sizeof(*ent);
		for (size_t i = 0; i < n; i++)
			*out += (ent[i] >> 63) ? (size_t)psz : 0;
		at += n;
	}
	close(fd);
	return rc;
}

void
kallsyms_trim(struct kallsyms *ks)
{
	if (ks && ks->mapped)
		madvise(ks->names, ks->names_len, MADV_DONTNEED);
}
