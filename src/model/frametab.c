// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Interned strings and frames. Strings live in an arena of large blocks (one allocation per block,
 * not per string) and are found through an open-addressing hash of FNV-1a values; frames live in an
 * array and are found through a second open-addressing hash over all their fields. Both indexes
 * hold ids only, at most 70% full, and no hash is kept per entry: a probe compares the entry
 * itself, and growing an index hashes every entry again (rare: each growth doubles it). Arrays
 * grow by half. A frame with a name of its own ("cc1+0x95c2a0": a stripped binary's code) costs
 * 58 to 76 bytes in all, 64 at 134,727 frames; with a hash cached per entry, indexes at most half
 * full and arrays doubling, it was 81 to 114, and 114 there.
 */
#include <stdlib.h>
#include <string.h>

#include "ringside/model/frametab.h"
#include "ringside/util/xalloc.h"

#define FRAMETAB_EMPTY	     UINT32_MAX
#define FRAMETAB_BLOCK_BYTES (64u * 1024u)

static const char *const frametab_kind_names[FRAME_KIND_COUNT] = {
	[FRAME_ROOT] = "root",	   [FRAME_PROCESS] = "process",
	[FRAME_THREAD] = "thread", [FRAME_KERNEL] = "kernel",
	[FRAME_USER] = "user",	   [FRAME_LIBRARY] = "library",
	[FRAME_JIT] = "jit",	   [FRAME_UNKNOWN] = "unknown",
	[FRAME_OTHER] = "other",   [FRAME_TRUNCATED] = "truncated",
	[FRAME_STATE] = "state",   [FRAME_HOST] = "host",
};

/* One arena block; strings are packed into it back to back. */
struct frametab_block {
	struct frametab_block *next;
	size_t size;
	size_t used;
	char data[];
};

struct frametab {
	/* strings: id → text */
	const char **strs;
	size_t nstrs, str_cap;
	uint32_t *str_index; /* open addressing: string ids, FRAMETAB_EMPTY when free */
	size_t str_index_cap;
	struct frametab_block *blocks;
	size_t block_bytes;

	/* frames: id → frame */
	struct frame *frames;
	size_t nframes, frame_cap;
	uint32_t *frame_index;
	size_t frame_index_cap;
	uint32_t *free_frames; /* released ids, to be taken again */
	size_t nfree, free_cap;
};

/* The kind a released frame reads with internally (outside: frame_kind_name says "unknown"). */
#define FRAMETAB_RELEASED FRAME_KIND_COUNT

const char *
frame_kind_name(enum frame_kind kind)
{
	if ((unsigned)kind >= FRAME_KIND_COUNT)
		return "unknown";
	return frametab_kind_names[kind];
}

bool
frame_kind_parse(const char *word, enum frame_kind *kind)
{
	if (!word)
		return false;
	for (unsigned i = 0; i < FRAME_KIND_COUNT; i++) {
		if (strcmp(word, frametab_kind_names[i]) == 0) {
			*kind = (enum frame_kind)i;
			return true;
		}
	}
	return false;
}

static uint32_t
frametab_hash_str(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static uint32_t
frametab_mix(uint32_t h, uint32_t v)
{
	/* FNV-1a over the four bytes of v, then a final avalanche in frametab_hash_frame. */
	for (int i = 0; i < 4; i++) {
		h ^= v & 0xff;
		h *= 16777619u;
		v >>= 8;
	}
	return h;
}

static uint32_t
frametab_hash_frame(const struct frame *f)
{
	uint32_t h = 2166136261u;

	h = frametab_mix(h, f->name);
	h = frametab_mix(h, f->module);
	h = frametab_mix(h, f->file);
	h = frametab_mix(h, f->line);
	h = frametab_mix(h, (uint32_t)f->kind | (f->inlined ? 0x100u : 0));
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	return h;
}

static bool
frametab_frame_equal(const struct frame *a, const struct frame *b)
{
	return a->name == b->name && a->module == b->module && a->file == b->file &&
	       a->line == b->line && a->kind == b->kind && a->inlined == b->inlined;
}

/* An index's entries may fill 7 tenths of it. */
static bool
frametab_full(size_t n, size_t cap)
{
	return n * 10 > cap * 7;
}

/* A new index of cap slots (a power of two), all free. */
static uint32_t *
frametab_index_new(size_t cap)
{
	uint32_t *index = xmalloc(cap * sizeof(*index));

	memset(index, 0xff, cap * sizeof(*index));
	return index;
}

/* Put id, of hash h, in the first free slot of its run. */
static void
frametab_index_put(uint32_t *index, size_t cap, uint32_t h, uint32_t id)
{
	size_t slot = h & (cap - 1);

	while (index[slot] != FRAMETAB_EMPTY)
		slot = (slot + 1) & (cap - 1);
	index[slot] = id;
}

/* Grow a capacity by half (256 first). */
static size_t
frametab_grow(size_t cap)
{
	return cap ? cap + cap / 2 : 256;
}

static char *
frametab_store(struct frametab *ft, const char *s, size_t len)
{
	struct frametab_block *b = ft->blocks;
	char *p;

	if (!b || b->size - b->used < len + 1) {
		size_t size = len + 1 > FRAMETAB_BLOCK_BYTES ? len + 1 : FRAMETAB_BLOCK_BYTES;

		b = xmalloc(sizeof(*b) + size);
		b->size = size;
		b->used = 0;
		/* A big string gets its own block behind the current one so the current keeps
		 * filling. */
		if (ft->blocks && size > FRAMETAB_BLOCK_BYTES) {
			b->next = ft->blocks->next;
			ft->blocks->next = b;
		} else {
			b->next = ft->blocks;
			ft->blocks = b;
		}
		ft->block_bytes += sizeof(*b) + size;
	}
	p = b->data + b->used;
	memcpy(p, s, len);
	p[len] = '\0';
	b->used += len + 1;
	return p;
}

struct frametab *
frametab_new(void)
{
	struct frametab *ft = xcalloc(1, sizeof(*ft));

	ft->str_index_cap = 1024;
	ft->str_index = xmalloc(ft->str_index_cap * sizeof(uint32_t));
	memset(ft->str_index, 0xff, ft->str_index_cap * sizeof(uint32_t));
	ft->frame_index_cap = 1024;
	ft->frame_index = xmalloc(ft->frame_index_cap * sizeof(uint32_t));
	memset(ft->frame_index, 0xff, ft->frame_index_cap * sizeof(uint32_t));
	frametab_string(ft, "");
	return ft;
}

void
frametab_free(struct frametab *ft)
{
	if (!ft)
		return;
	for (struct frametab_block *b = ft->blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(ft->strs);
	free(ft->str_index);
	free(ft->frames);
	free(ft->frame_index);
	free(ft->free_frames);
	free(ft);
}

uint32_t
frametab_string(struct frametab *ft, const char *s)
{
	size_t len, slot, mask = ft->str_index_cap - 1;
	uint32_t h, id;

	if (!s)
		s = "";
	len = strlen(s);
	h = frametab_hash_str(s, len);
	for (slot = h & mask; ft->str_index[slot] != FRAMETAB_EMPTY; slot = (slot + 1) & mask) {
		id = ft->str_index[slot];
		if (strcmp(ft->strs[id], s) == 0)
			return id;
	}

	if (ft->nstrs == ft->str_cap) {
		ft->str_cap = frametab_grow(ft->str_cap);
		ft->strs = xreallocarray(ft->strs, ft->str_cap, sizeof(*ft->strs));
	}
	id = (uint32_t)ft->nstrs++;
	ft->strs[id] = frametab_store(ft, s, len);
	ft->str_index[slot] = id;

	if (frametab_full(ft->nstrs, ft->str_index_cap)) {
		ft->str_index_cap *= 2;
		free(ft->str_index);
		ft->str_index = frametab_index_new(ft->str_index_cap);
		for (size_t i = 0; i < ft->nstrs; i++)
			frametab_index_put(ft->str_index, ft->str_index_cap,
					   frametab_hash_str(ft->strs[i], strlen(ft->strs[i])),
					   (uint32_t)i);
	}
	return id;
}

const char *
frametab_str(const struct frametab *ft, uint32_t id)
{
	if (id >= ft->nstrs)
		return "";
	return ft->strs[id];
}

size_t
frametab_nstrings(const struct frametab *ft)
{
	return ft->nstrs;
}

uint32_t
frametab_intern_ids(struct frametab *ft, const struct frame *f)
{
	size_t slot, mask = ft->frame_index_cap - 1;
	uint32_t h = frametab_hash_frame(f), id;

	for (slot = h & mask; ft->frame_index[slot] != FRAMETAB_EMPTY; slot = (slot + 1) & mask) {
		id = ft->frame_index[slot];
		if (frametab_frame_equal(&ft->frames[id], f))
			return id;
	}

	if (ft->nfree) {
		id = ft->free_frames[--ft->nfree];
		goto store;
	}
	if (ft->nframes == ft->frame_cap) {
		ft->frame_cap = frametab_grow(ft->frame_cap);
		ft->frames = xreallocarray(ft->frames, ft->frame_cap, sizeof(*ft->frames));
	}
	id = (uint32_t)ft->nframes++;
store:
	/* Copy field by field so padding never matters to anyone comparing frames. */
	memset(&ft->frames[id], 0, sizeof(ft->frames[id]));
	ft->frames[id].name = f->name;
	ft->frames[id].module = f->module;
	ft->frames[id].file = f->file;
	ft->frames[id].line = f->line;
	ft->frames[id].kind = f->kind;
	ft->frames[id].inlined = f->inlined;
	ft->frame_index[slot] = id;

	/* Released ids count as entries: they are taken again before any new one. */
	if (frametab_full(ft->nframes, ft->frame_index_cap)) {
		ft->frame_index_cap *= 2;
		free(ft->frame_index);
		ft->frame_index = frametab_index_new(ft->frame_index_cap);
		for (size_t i = 0; i < ft->nframes; i++)
			if (ft->frames[i].kind != FRAMETAB_RELEASED)
				frametab_index_put(ft->frame_index, ft->frame_index_cap,
						   frametab_hash_frame(&ft->frames[i]),
						   (uint32_t)i);
	}
	return id;
}

void
frametab_release(struct frametab *ft, uint32_t id)
{
	size_t mask = ft->frame_index_cap - 1, i, j;

	if (id >= ft->nframes || ft->frames[id].kind == FRAMETAB_RELEASED)
		return;
	for (i = frametab_hash_frame(&ft->frames[id]) & mask; ft->frame_index[i] != id;
	     i = (i + 1) & mask)
		;
	/* Backward shift: move up each later entry of the run that may live in the hole. */
	for (j = (i + 1) & mask; ft->frame_index[j] != FRAMETAB_EMPTY; j = (j + 1) & mask) {
		size_t home = frametab_hash_frame(&ft->frames[ft->frame_index[j]]) & mask;

		/* The entry at j stays when its home lies cyclically in (i, j]. */
		if (i <= j ? (home > i && home <= j) : (home > i || home <= j))
			continue;
		ft->frame_index[i] = ft->frame_index[j];
		i = j;
	}
	ft->frame_index[i] = FRAMETAB_EMPTY;
	memset(&ft->frames[id], 0, sizeof(ft->frames[id]));
	ft->frames[id].line = id;
	ft->frames[id].kind = FRAMETAB_RELEASED;
	if (ft->nfree == ft->free_cap) {
		ft->free_cap = ft->free_cap ? ft->free_cap * 2 : 64;
		ft->free_frames = xreallocarray(ft->free_frames, ft->free_cap, sizeof(uint32_t));
	}
	ft->free_frames[ft->nfree++] = id;
}

uint32_t
frametab_intern(struct frametab *ft, const char *name, const char *module, const char *file,
		uint32_t line, enum frame_kind kind, bool inlined)
{
	struct frame f = {
		.name = frametab_string(ft, name),
		.module = frametab_string(ft, module),
		.file = frametab_string(ft, file),
		.line = line,
		.kind = (uint8_t)kind,
		.inlined = inlined,
	};

	return frametab_intern_ids(ft, &f);
}

const struct frame *
frametab_get(const struct frametab *ft, uint32_t id)
{
	if (id >= ft->nframes)
		return NULL;
	return &ft->frames[id];
}

size_t
frametab_nframes(const struct frametab *ft)
{
	return ft->nframes;
}

size_t
frametab_memory(const struct frametab *ft)
{
	return sizeof(*ft) + ft->str_cap * sizeof(*ft->strs) +
	       ft->str_index_cap * sizeof(uint32_t) + ft->block_bytes +
	       ft->frame_cap * sizeof(*ft->frames) + ft->frame_index_cap * sizeof(uint32_t) +
	       ft->free_cap * sizeof(uint32_t);
}
