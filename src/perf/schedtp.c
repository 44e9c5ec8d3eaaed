// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scheduler tracepoints. schedtp_new parses the seven format files with libtraceevent and
 * turns every field the decoder needs into a small recipe (where it sits in the record, how many
 * bytes, signed or not, fixed array or __data_loc/__rel_loc string, and where it goes in struct
 * sched_event); libtraceevent is then released. schedtp_decode just follows the recipes, each
 * read bounded by the record's size.
 */
#include <errno.h>
#include <event-parse.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/perf/schedtp.h"
#include "ringside/perf/sys.h"
#include "ringside/util/xalloc.h"

#define SCHEDTP_MAX_FIELDS 8

/* How a field is read. */
enum schedtp_how {
	SCHEDTP_SIGNED,	  /* a signed integer of size 1, 2, 4 or 8 */
	SCHEDTP_UNSIGNED, /* an unsigned one */
	SCHEDTP_ARRAY,	  /* a char[size] string, maybe without a NUL */
	SCHEDTP_DATA_LOC, /* a u32: offset of the string from the record start | length << 16 */
	SCHEDTP_REL_LOC,  /* the same, the offset counted from the end of the field */
};

struct schedtp_field {
	uint32_t offset;   /* in the record */
	uint16_t size;	   /* bytes at offset: the number, the array, or 4 for a location */
	uint8_t how;	   /* enum schedtp_how */
	uint16_t dst;	   /* offsetof in struct sched_event */
	uint16_t dst_size; /* 4 or 8 for numbers; the buffer's size for strings */
};

struct schedtp_event {
	uint64_t id;
	uint32_t fixed_size; /* the end of the format's last fixed field: shorter records are bad */
	unsigned nfields;
	struct schedtp_field fields[SCHEDTP_MAX_FIELDS];
};

struct schedtp {
	struct schedtp_event ev[SCHEDTP_NR_TYPES];
};

enum schedtp_kind {
	SCHEDTP_INT,	      /* an integer field the kernel always has */
	SCHEDTP_OPTIONAL_INT, /* an integer field some kernels lack: 0 then */
	SCHEDTP_STR,	      /* a string field */
};

/* What the decoder wants from a format: a field and where its value goes. */
struct schedtp_want {
	const char *name;
	uint16_t dst, dst_size;
	enum schedtp_kind kind;
};

/* The offset and size of struct sched_event's member m. */
#define SCHEDTP_DST(m) offsetof(struct sched_event, m), sizeof(((struct sched_event *)0)->m)

static const struct schedtp_want schedtp_switch_wants[] = {
	{ "prev_comm", SCHEDTP_DST(prev_comm), SCHEDTP_STR },
	{ "prev_pid", SCHEDTP_DST(prev_pid), SCHEDTP_INT },
	{ "prev_prio", SCHEDTP_DST(prev_prio), SCHEDTP_OPTIONAL_INT },
	{ "prev_state", SCHEDTP_DST(prev_state), SCHEDTP_INT },
	{ "next_comm", SCHEDTP_DST(next_comm), SCHEDTP_STR },
	{ "next_pid", SCHEDTP_DST(next_pid), SCHEDTP_INT },
	{ "next_prio", SCHEDTP_DST(next_prio), SCHEDTP_OPTIONAL_INT },
	{ NULL, 0, 0, SCHEDTP_INT },
};

static const struct schedtp_want schedtp_wakeup_wants[] = {
	{ "comm", SCHEDTP_DST(comm), SCHEDTP_STR },
	{ "pid", SCHEDTP_DST(pid), SCHEDTP_INT },
	{ "prio", SCHEDTP_DST(prio), SCHEDTP_OPTIONAL_INT },
	{ "target_cpu", SCHEDTP_DST(target_cpu), SCHEDTP_OPTIONAL_INT },
	{ NULL, 0, 0, SCHEDTP_INT },
};

static const struct schedtp_want schedtp_migrate_wants[] = {
	{ "comm", SCHEDTP_DST(comm), SCHEDTP_STR },
	{ "pid", SCHEDTP_DST(pid), SCHEDTP_INT },
	{ "prio", SCHEDTP_DST(prio), SCHEDTP_OPTIONAL_INT },
	{ "orig_cpu", SCHEDTP_DST(orig_cpu), SCHEDTP_INT },
	{ "dest_cpu", SCHEDTP_DST(dest_cpu), SCHEDTP_INT },
	{ NULL, 0, 0, SCHEDTP_INT },
};

static const struct schedtp_want schedtp_exec_wants[] = {
	{ "filename", SCHEDTP_DST(filename), SCHEDTP_STR },
	{ "pid", SCHEDTP_DST(pid), SCHEDTP_INT },
	{ "old_pid", SCHEDTP_DST(old_pid), SCHEDTP_INT },
	{ NULL, 0, 0, SCHEDTP_INT },
};

static const struct schedtp_want schedtp_fork_wants[] = {
	{ "parent_comm", SCHEDTP_DST(parent_comm), SCHEDTP_STR },
	{ "parent_pid", SCHEDTP_DST(parent_pid), SCHEDTP_INT },
	{ "child_comm", SCHEDTP_DST(child_comm), SCHEDTP_STR },
	{ "child_pid", SCHEDTP_DST(child_pid), SCHEDTP_INT },
	{ NULL, 0, 0, SCHEDTP_INT },
};

static const struct schedtp_want schedtp_exit_wants[] = {
	{ "comm", SCHEDTP_DST(comm), SCHEDTP_STR },
	{ "pid", SCHEDTP_DST(pid), SCHEDTP_INT },
	{ "prio", SCHEDTP_DST(prio), SCHEDTP_OPTIONAL_INT },
	{ NULL, 0, 0, SCHEDTP_INT },
};

static const struct {
	const char *name; /* "sched:" + the tracefs directory name */
	const struct schedtp_want *wants;
} schedtp_types[SCHEDTP_NR_TYPES] = {
	[SCHED_SWITCH] = { "sched:sched_switch", schedtp_switch_wants },
	[SCHED_WAKEUP] = { "sched:sched_wakeup", schedtp_wakeup_wants },
	[SCHED_WAKEUP_NEW] = { "sched:sched_wakeup_new", schedtp_wakeup_wants },
	[SCHED_MIGRATE] = { "sched:sched_migrate_task", schedtp_migrate_wants },
	[SCHED_EXEC] = { "sched:sched_process_exec", schedtp_exec_wants },
	[SCHED_FORK] = { "sched:sched_process_fork", schedtp_fork_wants },
	[SCHED_EXIT] = { "sched:sched_process_exit", schedtp_exit_wants },
};

static inline bool
schedtp_type_ok(enum sched_event_type type)
{
	return (unsigned)type < SCHEDTP_NR_TYPES;
}

const char *
schedtp_name(enum sched_event_type type)
{
	return schedtp_type_ok(type) ? schedtp_types[type].name : NULL;
}

uint64_t
schedtp_id(const struct schedtp *tp, enum sched_event_type type)
{
	return schedtp_type_ok(type) ? tp->ev[type].id : 0;
}

/* Read a whole file (tracefs files report size 0, so read until EOF). Returns 0 or -errno. */
static int
schedtp_read_file(const char *path, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0)
		return -errno;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (cap - n < 2)
			buf = xrealloc(buf, cap *= 2);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = -errno;

			close(fd);
			free(buf);
			return e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

/* The end of the furthest fixed field in a list (strings behind __data_loc come after it). */
static uint32_t
schedtp_fields_end(const struct tep_format_field *f, uint32_t end)
{
	for (; f; f = f->next)
		if (f->offset >= 0 && f->size >= 0 && (uint32_t)f->offset + (uint32_t)f->size > end)
			end = (uint32_t)f->offset + (uint32_t)f->size;
	return end;
}

/* Turn a format field into a recipe for want. Returns 0 or -EINVAL with err set. */
static int
schedtp_field_recipe(const char *tpname, const struct tep_format_field *f,
		     const struct schedtp_want *w, struct schedtp_field *out, struct errbuf *err)
{
	unsigned long flags = f->flags;

	if (f->offset < 0 || f->size <= 0 || f->offset > 0xffff || f->size > 0xffff)
		return errbuf_fail(err, -EINVAL,
				   "%s: field %s has an impossible offset %d or size %d", tpname,
				   w->name, f->offset, f->size);
	out->offset = (uint32_t)f->offset;
	out->size = (uint16_t)f->size;
	out->dst = w->dst;
	out->dst_size = w->dst_size;
	if (w->kind == SCHEDTP_STR) {
		if (flags & TEP_FIELD_IS_DYNAMIC) {
			if (f->size != 4)
				return errbuf_fail(err, -EINVAL,
						   "%s: string field %s is a location of %d bytes, "
						   "not 4",
						   tpname, w->name, f->size);
			out->how = (flags & TEP_FIELD_IS_RELATIVE) ? SCHEDTP_REL_LOC
								   : SCHEDTP_DATA_LOC;
			return 0;
		}
		if ((flags & TEP_FIELD_IS_ARRAY) && !(flags & TEP_FIELD_IS_POINTER) &&
		    (f->elementsize == 1 || f->elementsize == 0)) {
			out->how = SCHEDTP_ARRAY;
			return 0;
		}
		return errbuf_fail(err, -EINVAL, "%s: field %s is \"%s\" (%d bytes), not a string",
				   tpname, w->name, f->type ? f->type : "?", f->size);
	}
	if ((flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)) ||
	    (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8))
		return errbuf_fail(err, -EINVAL,
				   "%s: field %s is \"%s\" (%d bytes), not an integer", tpname,
				   w->name, f->type ? f->type : "?", f->size);
	out->how = (flags & TEP_FIELD_IS_SIGNED) ? SCHEDTP_SIGNED : SCHEDTP_UNSIGNED;
	return 0;
}

/*
 * The id of tracepoint type into ev: from its id file, or else format_id (the format's own "ID:"
 * line, which says the same). Returns 0 or -errno with err set.
 */
static int
schedtp_load_id(const char *dir, enum sched_event_type type, int format_id,
		struct schedtp_event *ev, struct errbuf *err)
{
	const char *tpname = schedtp_types[type].name, *event = strchr(tpname, ':') + 1;
	char *path, *buf = NULL, *end;
	size_t len;
	int r;

	path = xasprintf("%s/events/sched/%s/id", dir, event);
	r = schedtp_read_file(path, &buf, &len);
	if (r == 0) {
		errno = 0;
		ev->id = strtoull(buf, &end, 10);
		if (errno || end == buf || (*end && *end != '\n'))
			r = errbuf_fail(err, -EINVAL, "%s (tracepoint %s) holds no id", path,
					tpname);
	} else if (format_id > 0) {
		ev->id = (uint64_t)format_id;
		r = 0;
	} else {
		errbuf_fail(err, r, "cannot read %s (tracepoint %s): %s", path, tpname,
			    strerror(-r));
	}
	free(path);
	free(buf);
	return r;
}

/* Parse one tracepoint's format (and id) into ev. Returns 0 or -errno with err set. */
static int
schedtp_load(struct tep_handle *tep, const char *dir, enum sched_event_type type,
	     struct schedtp_event *ev, struct errbuf *err)
{
	const char *tpname = schedtp_types[type].name, *event = strchr(tpname, ':') + 1;
	const struct schedtp_want *w;
	struct tep_event *te = NULL;
	char *path, *buf = NULL;
	enum tep_errno terr;
	size_t len;
	int r;

	path = xasprintf("%s/events/sched/%s/format", dir, event);
	r = schedtp_read_file(path, &buf, &len);
	if (r == -ENOENT) {
		errbuf_fail(err, r,
			    "tracepoint %s is missing (no %s): this kernel does not provide it; "
			    "ringside needs all seven sched tracepoints for the scheduler timeline "
			    "(turn it off with --no-sched)",
			    tpname, path);
		goto out;
	}
	if (r < 0) {
		errbuf_fail(err, r, "cannot read %s (tracepoint %s): %s%s", path, tpname,
			    strerror(-r), r == -EACCES ? "; run as root" : "");
		goto out;
	}
	terr = tep_parse_format(tep, &te, buf, len, "sched");
	if (terr != 0 || !te || !te->name || strcmp(te->name, event) != 0) {
		char msg[256] = "";

		if (terr != 0)
			tep_strerror(tep, terr, msg, sizeof(msg));
		else
			snprintf(msg, sizeof(msg), "it describes \"%s\", not %s",
				 te && te->name ? te->name : "nothing", event);
		r = errbuf_fail(err, -EINVAL, "cannot parse %s (tracepoint %s): %s", path, tpname,
				msg);
		goto out;
	}

	ev->fixed_size = schedtp_fields_end(te->format.common_fields, 0);
	ev->fixed_size = schedtp_fields_end(te->format.fields, ev->fixed_size);
	ev->nfields = 0;
	for (w = schedtp_types[type].wants; w->name; w++) {
		struct tep_format_field *f = tep_find_field(te, w->name);

		if (!f) {
			if (w->kind == SCHEDTP_OPTIONAL_INT)
				continue;
			r = errbuf_fail(
				err, -ENOENT,
				"tracepoint %s has no field \"%s\" (%s): this kernel's format is "
				"not one ringside knows",
				tpname, w->name, path);
			goto out;
		}
		r = schedtp_field_recipe(tpname, f, w, &ev->fields[ev->nfields], err);
		if (r < 0)
			goto out;
		ev->nfields++;
	}
	r = schedtp_load_id(dir, type, te->id, ev, err);
out:
	free(path);
	free(buf);
	return r;
}

int
schedtp_new(struct schedtp **out, const char *tracefs_dir, struct errbuf *err)
{
	struct tep_handle *tep = NULL;
	struct schedtp *tp;
	char *events;
	int r = 0;

	*out = NULL;
	if (!tracefs_dir)
		tracefs_dir = sys_tracefs_dir();
	if (!tracefs_dir) {
		return errbuf_fail(err, -ENOENT,
				   "tracefs is not available; mount it (as root) with: "
				   "mount -t tracefs nodev /sys/kernel/tracing");
	}
	events = xasprintf("%s/events", tracefs_dir);
	if (access(events, F_OK) != 0) {
		r = -errno;
		if (r == -ENOENT)
			errbuf_fail(err, r,
				    "tracefs is not available at %s (no events/ there); mount it "
				    "(as root) with: mount -t tracefs nodev %s",
				    tracefs_dir, tracefs_dir);
		else
			errbuf_fail(err, r, "cannot access %s: %s%s", events, strerror(-r),
				    r == -EACCES ? "; run as root" : "");
		free(events);
		return r;
	}
	free(events);

	tp = xcalloc(1, sizeof(*tp));
	tep = tep_alloc();
	if (!tep) {
		r = -ENOMEM;
		errbuf_fail(err, r, "libtraceevent could not allocate its parser");
		goto fail;
	}
	for (int t = 0; t < SCHEDTP_NR_TYPES; t++) {
		r = schedtp_load(tep, tracefs_dir, (enum sched_event_type)t, &tp->ev[t], err);
		if (r < 0)
			goto fail;
	}
	tep_free(tep);
	*out = tp;
	return 0;
fail:
	tep_free(tep);
	free(tp);
	return r;
}

void
schedtp_free(struct schedtp *tp)
{
	free(tp);
}

/* Copy a string of at most n bytes (stopping at a NUL) into a zeroed buffer of cap bytes. */
static inline void
schedtp_copy_str(char *dst, size_t cap, const unsigned char *src, size_t n)
{
	const void *nul = memchr(src, '\0', n);

	if (nul)
		n = (size_t)((const unsigned char *)nul - src);
	if (n > cap - 1)
		n = cap - 1;
	memcpy(dst, src, n);
}

static inline int64_t
schedtp_read_int(const unsigned char *p, unsigned size, bool is_signed)
{
	switch (size) {
	case 1: {
		uint8_t v = *p;

		return is_signed ? (int64_t)(int8_t)v : (int64_t)v;
	}
	case 2: {
		uint16_t v;

		memcpy(&v, p, 2);
		return is_signed ? (int64_t)(int16_t)v : (int64_t)v;
	}
	case 4: {
		uint32_t v;

		memcpy(&v, p, 4);
		return is_signed ? (int64_t)(int32_t)v : (int64_t)v;
	}
	default: {
		int64_t v;

		memcpy(&v, p, 8);
		return v;
	}
	}
}

int
schedtp_decode(const struct schedtp *tp, enum sched_event_type type, const void *raw, size_t size,
	       struct sched_event *out)
{
	const unsigned char *rec = raw;
	unsigned char *dst = (unsigned char *)out;
	const struct schedtp_event *ev;

	memset(out, 0, sizeof(*out));
	out->type = type;
	if (!schedtp_type_ok(type))
		return -EINVAL;
	ev = &tp->ev[type];
	if (size < ev->fixed_size)
		return -EINVAL;
	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct schedtp_field *f = &ev->fields[i];
		const unsigned char *p = rec + f->offset;
		uint32_t loc, off, len;
		int64_t v;

		switch (f->how) {
		case SCHEDTP_SIGNED:
		case SCHEDTP_UNSIGNED:
			v = schedtp_read_int(p, f->size, f->how == SCHEDTP_SIGNED);
			if (f->dst_size == 8) {
				memcpy(dst + f->dst, &v, 8);
			} else {
				int32_t v32 = (int32_t)v;

				memcpy(dst + f->dst, &v32, 4);
			}
			break;
		case SCHEDTP_ARRAY:
			schedtp_copy_str((char *)dst + f->dst, f->dst_size, p, f->size);
			break;
		default: /* SCHEDTP_DATA_LOC, SCHEDTP_REL_LOC */
			memcpy(&loc, p, 4);
			off = loc & 0xffff;
			len = loc >> 16;
			if (f->how == SCHEDTP_REL_LOC)
				off += f->offset + 4;
			if (off > size || len > size - off) {
				memset(out, 0, sizeof(*out));
				out->type = type;
				return -EINVAL;
			}
			schedtp_copy_str((char *)dst + f->dst, f->dst_size, rec + off, len);
			break;
		}
	}
	return 0;
}
