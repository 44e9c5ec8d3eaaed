// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * perf JIT maps. Runtimes only ever append to /tmp/perf-PID.map, so a refresh reads just the
 * bytes added since the last one when the file is the same inode and has grown; a file that was
 * replaced or shrank is read again from the start. Names live in one growing buffer. Only a
 * regular file is read, and only its first JITMAP_MAX_BYTES: a path pointing at a device or a FIFO
 * cannot make the reader grow without bound or wait. The file once opened stays open: a runtime
 * that removes its map at exit (before its last samples are resolved, on a busy machine) leaves
 * it readable through that descriptor.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/sym/jitmap.h"
#include "ringside/util/sorted.h"
#include "ringside/util/xalloc.h"

struct jitmap_ent {
	uint64_t start, size;
	uint32_t name; /* offset into names */
	uint32_t seq;  /* line number over the map's life: the later line wins a tie */
};

struct jitmap {
	char *path;
	int fd; /* the file last read, kept open; -1: none yet */
	struct jitmap_ent *ents;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	uint64_t parsed; /* file offset just past the last complete line parsed */
	uint32_t seq;
	unsigned generation;
	bool stat_valid;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct jitmap *
jitmap_new(const char *path)
{
	struct jitmap *jm = xcalloc(1, sizeof(*jm));

	jm->path = xstrdup(path);
	jm->fd = -1;
	return jm;
}

void
jitmap_free(struct jitmap *jm)
{
	if (!jm)
		return;
	if (jm->fd >= 0)
		close(jm->fd);
	free(jm->path);
	free(jm->ents);
	free(jm->names);
	free(jm);
}

static void
jitmap_clear(struct jitmap *jm)
{
	jm->n = 0;
	jm->names_len = 0;
	jm->parsed = 0;
}

/* A hex number with an optional 0x prefix; advances *p. */
static bool
jitmap_hex(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; s < end; s++, digits++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (*s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (*s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (digits >= 16)
			return false;
		v = v << 4 | d;
	}
	if (digits == 0)
		return false;
	*p = s;
	*out = v;
	return true;
}

/* Parse one line [s, end) (no newline); malformed lines are skipped. */
static void
jitmap_parse_line(struct jitmap *jm, const char *s, const char *end)
{
	uint64_t start, size;
	size_t len;

	while (end > s && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (!jitmap_hex(&s, end, &start) || s == end || *s != ' ')
		return;
	s++;
	if (!jitmap_hex(&s, end, &size) || s == end || *s != ' ')
		return;
	while (s < end && *s == ' ')
		s++;
	if (s == end || size == 0)
		return;
	len = (size_t)(end - s);
	if (jm->names_len + len + 1 > UINT32_MAX)
		return;
	if (jm->names_len + len + 1 > jm->names_cap) {
		jm->names_cap = (jm->names_len + len + 1) * 2;
		jm->names = xrealloc(jm->names, jm->names_cap);
	}
	if (jm->n == jm->cap) {
		jm->cap = jm->cap ? jm->cap * 2 : 64;
		jm->ents = xreallocarray(jm->ents, jm->cap, sizeof(*jm->ents));
	}
	memcpy(jm->names + jm->names_len, s, len);
	jm->names[jm->names_len + len] = '\0';
	jm->ents[jm->n].start = start;
	jm->ents[jm->n].size = size;
	jm->ents[jm->n].name = (uint32_t)jm->names_len;
	jm->ents[jm->n].seq = jm->seq++;
	jm->n++;
	jm->names_len += len + 1;
}

static int
jitmap_cmp(const void *a, const void *b)
{
	const struct jitmap_ent *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Read from jm->parsed to the end of the file and parse what is there. */
static int
jitmap_read_from(struct jitmap *jm, int fd)
{
	size_t cap = 65536, n = 0;
	char *buf = xmalloc(cap);
	const char *p, *end;
	int rc = 0;

	for (;;) {
		size_t room;
		ssize_t r;

		if (jm->parsed + n >= JITMAP_MAX_BYTES) {
			rc = -EFBIG;
			break;
		}
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		room = cap - n;
		if (room > JITMAP_MAX_BYTES - (jm->parsed + n))
			room = (size_t)(JITMAP_MAX_BYTES - (jm->parsed + n));
		r = pread(fd, buf + n, room, (off_t)(jm->parsed + n));
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
	p = buf;
	end = buf + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		/*
		 * An unterminated last line may be half written: parse it now, but read it again
		 * next time (the complete line then wins, being later).
		 */
		jitmap_parse_line(jm, p, nl ? nl : end);
		if (!nl)
			break;
		jm->parsed += (uint64_t)(nl + 1 - p);
		p = nl + 1;
	}
	if (jm->n > 1)
		qsort(jm->ents, jm->n, sizeof(*jm->ents), jitmap_cmp);
out:
	free(buf);
	return rc;
}

/*
 * The descriptor to read: the file now at the path when it is a new one (kept open from then on),
 * the one held when the path names the same file or nothing any more; -errno when neither.
 */
static int
jitmap_open(struct jitmap *jm)
{
	struct stat st, held;
	int fd;

	/* Non-blocking: a FIFO planted at the path must not stall the reader; it is not read. */
	fd = open(jm->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return jm->fd >= 0 && errno == ENOENT ? jm->fd : -errno;
	if (fstat(fd, &st) < 0) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -ESPIPE;
	}
	if (jm->fd >= 0 && fstat(jm->fd, &held) == 0 && held.st_dev == st.st_dev &&
	    held.st_ino == st.st_ino) {
		close(fd);
		return jm->fd;
	}
	if (jm->fd >= 0)
		close(jm->fd);
	jm->fd = fd;
	return fd;
}

int
jitmap_refresh(struct jitmap *jm)
{
	struct stat st;
	int fd, rc;

	fd = jitmap_open(jm);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (jm->stat_valid && st.st_dev == jm->dev && st.st_ino == jm->ino &&
	    st.st_size == jm->size && st.st_mtim.tv_sec == jm->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == jm->mtime.tv_nsec)
		return 0;
	if (!jm->stat_valid || st.st_dev != jm->dev || st.st_ino != jm->ino ||
	    (uint64_t)st.st_size < jm->parsed)
		jitmap_clear(jm);
	rc = jitmap_read_from(jm, fd);
	/* Over the limit, what was read is kept and not read again until the file changes. */
	if (rc < 0 && rc != -EFBIG)
		return rc;
	jm->stat_valid = true;
	jm->dev = st.st_dev;
	jm->ino = st.st_ino;
	jm->size = st.st_size;
	jm->mtime = st.st_mtim;
	jm->generation++;
	return rc == 0 ? 1 : rc;
}

bool
jitmap_find(const struct jitmap *jm, uint64_t addr, struct jitmap_sym *out)
{
	size_t lo = sorted_upper(jm->ents, jm->n, sizeof(*jm->ents),
				 offsetof(struct jitmap_ent, start), addr);
	const struct jitmap_ent *e;

	if (lo == 0)
		return false;
	e = &jm->ents[lo - 1];
	if (addr - e->start >= e->size)
		return false;
	out->start = e->start;
	out->size = e->size;
	out->name = jm->names + e->name;
	return true;
}

size_t
jitmap_count(const struct jitmap *jm)
{
	return jm->n;
}

unsigned
jitmap_generation(const struct jitmap *jm)
{
	return jm->generation;
}

const char *
jitmap_path(const struct jitmap *jm)
{
	return jm->path;
}

size_t
jitmap_memory(const struct jitmap *jm)
{
	return sizeof(*jm) + jm->cap * sizeof(*jm->ents) + jm->names_cap;
}
