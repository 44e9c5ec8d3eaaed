// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Record decoding. A cursor walks each record with every read bounded by the record's own size,
 * so a record that lies about a length (a callchain count, a raw size, a stack size) is rejected
 * rather than followed out of bounds.
 */
#include <errno.h>
#include <string.h>

#include "ringside/perf/decode.h"

struct decode_cursor {
	const unsigned char *p, *end;
};

static void
decode_cursor_init(struct decode_cursor *c, const struct perf_event_header *h)
{
	c->p = (const unsigned char *)(h + 1);
	c->end = (const unsigned char *)h + h->size;
}

static inline bool
decode_take(struct decode_cursor *c, size_t n, const void **out)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	*out = c->p;
	c->p += n;
	return true;
}

static inline bool
decode_u64(struct decode_cursor *c, uint64_t *v)
{
	const void *p;

	if (!decode_take(c, 8, &p))
		return false;
	memcpy(v, p, 8);
	return true;
}

static inline bool
decode_u32x2(struct decode_cursor *c, uint32_t *a, uint32_t *b)
{
	const void *p;

	if (!decode_take(c, 8, &p))
		return false;
	memcpy(a, p, 4);
	memcpy(b, (const unsigned char *)p + 4, 4);
	return true;
}

/* Arrays of u64 whose count comes from the record: bounded by what is left of it. */
static inline bool
decode_u64s(struct decode_cursor *c, uint64_t n, const uint64_t **out)
{
	const void *p;

	if (n > (uint64_t)(c->end - c->p) / 8)
		return false;
	if (!decode_take(c, (size_t)n * 8, &p))
		return false;
	*out = p;
	return true;
}

bool
decode_sample_type_ok(uint64_t sample_type)
{
	return (sample_type & ~(uint64_t)DECODE_SAMPLE_TYPES) == 0;
}

/*
 * The READ part of a sample (read_format's layout): one entry, or with PERF_FORMAT_GROUP a count
 * and that many entries, each bounded by the record.
 */
static bool
decode_read(const struct decode_layout *l, struct decode_cursor *c, struct decode_sample *out)
{
	uint64_t rf = l->read_format;
	bool group = rf & PERF_FORMAT_GROUP;
	const uint64_t *p;

	out->read_stride = 1 + !!(rf & PERF_FORMAT_ID) + !!(rf & PERF_FORMAT_LOST);
	out->read_nr = 1;
	if (group && (!decode_u64(c, &out->read_nr) || out->read_nr == 0))
		return false;
	if (!group && !decode_u64s(c, 1, &out->read))
		return false;
	if ((rf & PERF_FORMAT_TOTAL_TIME_ENABLED) && !decode_u64(c, &out->time_enabled))
		return false;
	if ((rf & PERF_FORMAT_TOTAL_TIME_RUNNING) && !decode_u64(c, &out->time_running))
		return false;
	if (!group) {
		/* A lone value: its id and lost count follow the times, apart from it. */
		bool ok = decode_u64s(c, out->read_stride - 1, &p);

		out->read_stride = 1;
		return ok;
	}
	if (out->read_nr > (uint64_t)(c->end - c->p) / 8 / out->read_stride)
		return false;
	return decode_u64s(c, out->read_nr * out->read_stride, &out->read);
}

int
decode_sample(const struct decode_layout *l, const struct perf_event_header *h,
	      struct decode_sample *out)
{
	uint64_t st = l->sample_type, dummy;
	struct decode_cursor c;
	const void *p;

	memset(out, 0, sizeof(*out));
	if (h->type != PERF_RECORD_SAMPLE || h->size < sizeof(*h) || !decode_sample_type_ok(st))
		return -EINVAL;
	decode_cursor_init(&c, h);
	if ((st & PERF_SAMPLE_IDENTIFIER) && !decode_u64(&c, &out->id))
		return -EINVAL;
	if ((st & PERF_SAMPLE_IP) && !decode_u64(&c, &out->ip))
		return -EINVAL;
	if ((st & PERF_SAMPLE_TID) && !decode_u32x2(&c, &out->pid, &out->tid))
		return -EINVAL;
	if ((st & PERF_SAMPLE_TIME) && !decode_u64(&c, &out->time))
		return -EINVAL;
	if ((st & PERF_SAMPLE_ADDR) && !decode_u64(&c, &out->addr))
		return -EINVAL;
	if ((st & PERF_SAMPLE_ID) && !decode_u64(&c, &out->id))
		return -EINVAL;
	if ((st & PERF_SAMPLE_STREAM_ID) && !decode_u64(&c, &dummy))
		return -EINVAL;
	if (st & PERF_SAMPLE_CPU) {
		uint32_t res;

		if (!decode_u32x2(&c, &out->cpu, &res))
			return -EINVAL;
	}
	if ((st & PERF_SAMPLE_PERIOD) && !decode_u64(&c, &out->period))
		return -EINVAL;
	if ((st & PERF_SAMPLE_READ) && !decode_read(l, &c, out))
		return -EINVAL;
	if (st & PERF_SAMPLE_CALLCHAIN) {
		if (!decode_u64(&c, &out->nr) || !decode_u64s(&c, out->nr, &out->ips))
			return -EINVAL;
	}
	if (st & PERF_SAMPLE_RAW) {
		const void *sz;

		if (!decode_take(&c, 4, &sz))
			return -EINVAL;
		memcpy(&out->raw_size, sz, 4);
		if (!decode_take(&c, out->raw_size, &out->raw))
			return -EINVAL;
		/* The u32 size plus the data is padded to a multiple of 8. */
		while (((uintptr_t)(c.p - (const unsigned char *)h)) & 7)
			if (!decode_take(&c, 1, &p))
				return -EINVAL;
	}
	if (st & PERF_SAMPLE_REGS_USER) {
		if (!decode_u64(&c, &out->regs_abi))
			return -EINVAL;
		if (out->regs_abi &&
		    !decode_u64s(&c, (uint64_t)__builtin_popcountll(l->regs_user_mask), &out->regs))
			return -EINVAL;
	}
	if (st & PERF_SAMPLE_STACK_USER) {
		if (!decode_u64(&c, &out->stack_size))
			return -EINVAL;
		if (out->stack_size) {
			if (out->stack_size > (uint64_t)(c.end - c.p) ||
			    !decode_take(&c, (size_t)out->stack_size, &out->stack) ||
			    !decode_u64(&c, &out->stack_dyn_size) ||
			    out->stack_dyn_size > out->stack_size)
				return -EINVAL;
		}
	}
	/* The kernel writes WEIGHT after the user stack, then DATA_SRC. */
	if ((st & PERF_SAMPLE_WEIGHT) && !decode_u64(&c, &out->weight))
		return -EINVAL;
	if ((st & PERF_SAMPLE_DATA_SRC) && !decode_u64(&c, &out->data_src))
		return -EINVAL;
	return 0;
}

/* The size of the sample_id trailer a non-sample record carries. */
static size_t
decode_id_size(const struct decode_layout *l)
{
	uint64_t st = l->sample_type;

	if (!l->sample_id_all)
		return 0;
	return 8 * (!!(st & PERF_SAMPLE_TID) + !!(st & PERF_SAMPLE_TIME) + !!(st & PERF_SAMPLE_ID) +
		    !!(st & PERF_SAMPLE_STREAM_ID) + !!(st & PERF_SAMPLE_CPU) +
		    !!(st & PERF_SAMPLE_IDENTIFIER));
}

bool
decode_time(const struct decode_layout *l, const struct perf_event_header *h, uint64_t *time)
{
	uint64_t st = l->sample_type;
	size_t off;

	if (!(st & PERF_SAMPLE_TIME) || h->size < sizeof(*h))
		return false;
	if (h->type == PERF_RECORD_SAMPLE) {
		/* TIME follows IDENTIFIER, IP and TID, each 8 bytes when present. */
		off = sizeof(*h) + 8 * (!!(st & PERF_SAMPLE_IDENTIFIER) + !!(st & PERF_SAMPLE_IP) +
					!!(st & PERF_SAMPLE_TID));
	} else {
		size_t trailer = decode_id_size(l);

		if (!trailer || h->size < sizeof(*h) + trailer)
			return false;
		off = h->size - trailer + 8 * !!(st & PERF_SAMPLE_TID);
	}
	if (off + 8 > h->size)
		return false;
	memcpy(time, (const unsigned char *)h + off, 8);
	return true;
}

/* Read the trailer, and shrink the cursor's end to exclude it. */
static bool
decode_trailer(const struct decode_layout *l, struct decode_cursor *c, struct decode_id *id)
{
	size_t n = decode_id_size(l);
	uint64_t st = l->sample_type, dummy;
	struct decode_cursor t;
	uint32_t res;

	if ((size_t)(c->end - c->p) < n)
		return false;
	c->end -= n;
	if (!id)
		return true;
	memset(id, 0, sizeof(*id));
	t.p = c->end;
	t.end = c->end + n;
	if ((st & PERF_SAMPLE_TID) && !decode_u32x2(&t, &id->pid, &id->tid))
		return false;
	if ((st & PERF_SAMPLE_TIME) && !decode_u64(&t, &id->time))
		return false;
	if ((st & PERF_SAMPLE_ID) && !decode_u64(&t, &id->id))
		return false;
	if ((st & PERF_SAMPLE_STREAM_ID) && !decode_u64(&t, &dummy))
		return false;
	if ((st & PERF_SAMPLE_CPU) && !decode_u32x2(&t, &id->cpu, &res))
		return false;
	if ((st & PERF_SAMPLE_IDENTIFIER) && !decode_u64(&t, &id->id))
		return false;
	return true;
}

/* A string that must end with a NUL before the cursor's end; consumes the rest. */
static bool
decode_string(struct decode_cursor *c, const char **out)
{
	size_t left = (size_t)(c->end - c->p);

	if (left == 0 || !memchr(c->p, '\0', left))
		return false;
	*out = (const char *)c->p;
	c->p = c->end;
	return true;
}

int
decode_mmap2(const struct decode_layout *l, const struct perf_event_header *h,
	     struct decode_mmap2 *out, struct decode_id *id)
{
	struct decode_cursor c;
	const void *skip;

	memset(out, 0, sizeof(*out));
	if (h->type != PERF_RECORD_MMAP2 || h->size < sizeof(*h))
		return -EINVAL;
	decode_cursor_init(&c, h);
	if (!decode_trailer(l, &c, id) || !decode_u32x2(&c, &out->pid, &out->tid) ||
	    !decode_u64(&c, &out->addr) || !decode_u64(&c, &out->len) ||
	    !decode_u64(&c, &out->pgoff) || !decode_take(&c, 24, &skip) /* maj min ino gen */ ||
	    !decode_u32x2(&c, &out->prot, &out->flags) || !decode_string(&c, &out->filename))
		return -EINVAL;
	return 0;
}

int
decode_comm(const struct decode_layout *l, const struct perf_event_header *h,
	    struct decode_comm *out, struct decode_id *id)
{
	struct decode_cursor c;

	memset(out, 0, sizeof(*out));
	if (h->type != PERF_RECORD_COMM || h->size < sizeof(*h))
		return -EINVAL;
	decode_cursor_init(&c, h);
	if (!decode_trailer(l, &c, id) || !decode_u32x2(&c, &out->pid, &out->tid) ||
	    !decode_string(&c, &out->comm))
		return -EINVAL;
	out->exec = (h->misc & PERF_RECORD_MISC_COMM_EXEC) != 0;
	return 0;
}

int
decode_task(const struct decode_layout *l, const struct perf_event_header *h,
	    struct decode_task *out, struct decode_id *id)
{
	struct decode_cursor c;

	memset(out, 0, sizeof(*out));
	if ((h->type != PERF_RECORD_FORK && h->type != PERF_RECORD_EXIT) || h->size < sizeof(*h))
		return -EINVAL;
	decode_cursor_init(&c, h);
	if (!decode_trailer(l, &c, id) || !decode_u32x2(&c, &out->pid, &out->ppid) ||
	    !decode_u32x2(&c, &out->tid, &out->ptid) || !decode_u64(&c, &out->time))
		return -EINVAL;
	return 0;
}

int
decode_lost(const struct decode_layout *l, const struct perf_event_header *h,
	    struct decode_lost *out, struct decode_id *id)
{
	struct decode_cursor c;
	struct decode_id local;

	memset(out, 0, sizeof(*out));
	if (h->size < sizeof(*h))
		return -EINVAL;
	decode_cursor_init(&c, h);
	if (h->type == PERF_RECORD_LOST) {
		if (!decode_trailer(l, &c, id) || !decode_u64(&c, &out->id) ||
		    !decode_u64(&c, &out->lost))
			return -EINVAL;
		return 0;
	}
	if (h->type == PERF_RECORD_LOST_SAMPLES) {
		if (!decode_trailer(l, &c, id ? id : &local) || !decode_u64(&c, &out->lost))
			return -EINVAL;
		out->id = (id ? id : &local)->id;
		return 0;
	}
	return -EINVAL;
}

int
decode_switch(const struct decode_layout *l, const struct perf_event_header *h,
	      struct decode_id *id, bool *out_switch)
{
	struct decode_cursor c;

	if (h->type != PERF_RECORD_SWITCH || h->size < sizeof(*h) || !l->sample_id_all)
		return -EINVAL;
	decode_cursor_init(&c, h);
	if (!decode_trailer(l, &c, id))
		return -EINVAL;
	*out_switch = (h->misc & PERF_RECORD_MISC_SWITCH_OUT) != 0;
	return 0;
}

int
decode_throttle(const struct decode_layout *l, const struct perf_event_header *h,
		struct decode_throttle *out)
{
	struct decode_cursor c;

	memset(out, 0, sizeof(*out));
	if ((h->type != PERF_RECORD_THROTTLE && h->type != PERF_RECORD_UNTHROTTLE) ||
	    h->size < sizeof(*h))
		return -EINVAL;
	decode_cursor_init(&c, h);
	if (!decode_trailer(l, &c, NULL) || !decode_u64(&c, &out->time) ||
	    !decode_u64(&c, &out->id) || !decode_u64(&c, &out->stream_id))
		return -EINVAL;
	return 0;
}
