// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The KVM exit tracepoints. kvmtp_new parses kvm_exit's and kvm_entry's format files with
 * libtraceevent and keeps where each wanted field sits (offset, size); libtraceevent is then
 * released. The reason names are read from kvm_exit's print fmt: each __print_symbolic(...) there
 * is a table of { value, "name" } pairs, the first argument saying which field it names and with
 * which mask (VMX's "exit_reason & 0xffff"); x86 chooses between two tables on "isa == 1".
 */
#include <ctype.h>
#include <errno.h>
#include <event-parse.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ringside/perf/kvmtp.h"
#include "ringside/perf/sys.h"
#include "ringside/util/xalloc.h"

#define KVMTP_MAX_TABLES 2
#define KVMTP_MAX_NAMES	 256

struct kvmtp_field {
	bool present;
	uint16_t offset, size;
};

struct kvmtp_name {
	uint32_t value;
	char name[40];
};

/* One __print_symbolic table of the print fmt. */
struct kvmtp_table {
	uint32_t mask;
	struct kvmtp_name *names;
	size_t n;
};

struct kvmtp {
	uint64_t id[KVMTP_NR_TYPES];
	struct kvmtp_field reason, isa, exit_vcpu, entry_vcpu;
	struct kvmtp_table tables[KVMTP_MAX_TABLES];
	size_t ntables;
	bool isa_switch; /* tables[0] is for isa 1, tables[1] for the others */
};

static const char *const kvmtp_names[KVMTP_NR_TYPES] = { "kvm:kvm_exit", "kvm:kvm_entry" };

const char *
kvmtp_name(enum kvmtp_type type)
{
	return (unsigned)type < KVMTP_NR_TYPES ? kvmtp_names[type] : NULL;
}

uint64_t
kvmtp_id(const struct kvmtp *tp, enum kvmtp_type type)
{
	return (unsigned)type < KVMTP_NR_TYPES ? tp->id[type] : 0;
}

const char *
kvmtp_isa_name(uint32_t isa)
{
	return isa == 1 ? "vmx" : isa == 2 ? "svm" : "";
}

/* Read a whole file (tracefs reports size 0). Returns the text (the caller's) or NULL, errno set.
 */
static char *
kvmtp_read_file(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 8192, n = 0;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (cap - n < 2)
			buf = xrealloc(buf, cap *= 2);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int e = errno;

			if (r == 0)
				break;
			close(fd);
			free(buf);
			errno = e;
			return NULL;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	return buf;
}

/* A numeric field of te named name (optional unless required), into *out. 0 or -EINVAL. */
static int
kvmtp_field(struct tep_event *te, const char *name, bool required, struct kvmtp_field *out,
	    struct errbuf *err)
{
	struct tep_format_field *f = tep_find_field(te, name);

	if (!f)
		return required ? errbuf_fail(err, -EINVAL,
					      "tracepoint kvm:%s has no field \"%s\": this "
					      "kernel's format is not one ringside knows",
					      te->name, name)
				: 0;
	if (f->offset < 0 || f->offset > 0xffff ||
	    (f->size != 1 && f->size != 2 && f->size != 4 && f->size != 8) ||
	    (f->flags & (TEP_FIELD_IS_ARRAY | TEP_FIELD_IS_DYNAMIC)))
		return errbuf_fail(err, -EINVAL, "tracepoint kvm:%s: field %s is not an integer",
				   te->name, name);
	*out = (struct kvmtp_field){ true, (uint16_t)f->offset, (uint16_t)f->size };
	return 0;
}

/* The value of a term list like "0x040 + 13" or "-1"; false when it is none. */
static bool
kvmtp_eval(const char *s, const char *end, uint32_t *out)
{
	uint64_t sum = 0;
	bool any = false;

	while (s < end) {
		char *e;
		long long v;

		while (s < end && (isspace((unsigned char)*s) || *s == '+'))
			s++;
		if (s >= end)
			break;
		errno = 0;
		v = strtoll(s, &e, 0);
		if (e == s || e > end || errno)
			return false;
		sum += (uint64_t)v;
		any = true;
		s = e;
	}
	*out = (uint32_t)sum;
	return any;
}

/* Parse the { value, "name" } pairs of one __print_symbolic( starting at p into t. */
static void
kvmtp_parse_table(const char *p, struct kvmtp_table *t)
{
	const char *comma = strchr(p, ','), *mask = strstr(p, "& 0x");
	size_t cap = 0;

	t->mask = UINT32_MAX;
	if (mask && comma && mask < comma)
		t->mask = (uint32_t)strtoul(mask + 2, NULL, 16);
	p = comma;
	while (p && t->n < KVMTP_MAX_NAMES) {
		const char *open, *sep, *q1, *q2;
		struct kvmtp_name *nm;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p != '{')
			break; /* the closing parenthesis */
		open = p + 1;
		sep = strchr(open, ',');
		q1 = sep ? strchr(sep, '"') : NULL;
		q2 = q1 ? strchr(q1 + 1, '"') : NULL;
		if (!q2)
			break;
		if (t->n == cap)
			t->names =
				xrealloc(t->names, (cap = cap ? 2 * cap : 64) * sizeof(*t->names));
		nm = &t->names[t->n];
		if (kvmtp_eval(open, sep, &nm->value)) {
			snprintf(nm->name, sizeof(nm->name), "%.*s", (int)(q2 - q1 - 1), q1 + 1);
			t->n++;
		}
		p = strchr(q2, '}');
		if (p)
			p++;
	}
}

/* The reason tables of kvm_exit's print fmt. */
static void
kvmtp_parse_names(struct kvmtp *tp, const char *fmt)
{
	const char *pf = strstr(fmt, "print fmt:"), *p;

	if (!pf)
		return;
	for (p = pf; tp->ntables < KVMTP_MAX_TABLES && (p = strstr(p, "__print_symbolic(")); p++) {
		const char *arg = p + strlen("__print_symbolic(");
		const char *comma = strchr(arg, ',');

		/* Only tables of the exit reason: arm64's other tables name other fields. */
		if (!comma || !memmem(arg, (size_t)(comma - arg), "exit_reason", 11))
			continue;
		kvmtp_parse_table(arg, &tp->tables[tp->ntables++]);
	}
	tp->isa_switch = tp->ntables == 2 && strstr(pf, "isa == 1") != NULL;
}

/* Parse one format's text as tracepoint type. Returns 0 or -EINVAL with err. */
static int
kvmtp_parse(struct kvmtp *tp, struct tep_handle *tep, enum kvmtp_type type, const char *text,
	    struct errbuf *err)
{
	const char *event = kvmtp_names[type] + 4;
	struct tep_event *te = NULL;
	int r;

	if (tep_parse_format(tep, &te, text, strlen(text), "kvm") != 0 || !te || !te->name ||
	    strcmp(te->name, event) != 0)
		return errbuf_fail(err, -EINVAL, "cannot parse the format of %s",
				   kvmtp_names[type]);
	tp->id[type] = te->id > 0 ? (uint64_t)te->id : 0;
	if (type == KVMTP_EXIT) {
		r = kvmtp_field(te, "exit_reason", true, &tp->reason, err);
		if (r == 0)
			r = kvmtp_field(te, "isa", false, &tp->isa, err);
		if (r == 0)
			r = kvmtp_field(te, "vcpu_id", false, &tp->exit_vcpu, err);
		if (r == 0)
			kvmtp_parse_names(tp, text);
		return r;
	}
	return kvmtp_field(te, "vcpu_id", false, &tp->entry_vcpu, err);
}

int
kvmtp_new_from_text(struct kvmtp **out, const char *exit_fmt, const char *entry_fmt,
		    struct errbuf *err)
{
	struct tep_handle *tep = tep_alloc();
	struct kvmtp *tp = xcalloc(1, sizeof(*tp));
	int r;

	*out = NULL;
	if (!tep) {
		kvmtp_free(tp);
		return errbuf_fail(err, -ENOMEM, "libtraceevent could not allocate its parser");
	}
	r = kvmtp_parse(tp, tep, KVMTP_EXIT, exit_fmt, err);
	if (r == 0)
		r = kvmtp_parse(tp, tep, KVMTP_ENTRY, entry_fmt, err);
	tep_free(tep);
	if (r < 0) {
		kvmtp_free(tp);
		return r;
	}
	*out = tp;
	return 0;
}

int
kvmtp_new(struct kvmtp **out, const char *tracefs_dir, struct errbuf *err)
{
	char *path[KVMTP_NR_TYPES] = { NULL, NULL }, *text[KVMTP_NR_TYPES] = { NULL, NULL };
	int r = 0;

	*out = NULL;
	if (!tracefs_dir)
		tracefs_dir = sys_tracefs_dir();
	if (!tracefs_dir)
		return errbuf_fail(err, -ENOENT,
				   "tracefs is not available; mount it (as root) with: "
				   "mount -t tracefs nodev /sys/kernel/tracing");
	for (int t = 0; t < KVMTP_NR_TYPES && r == 0; t++) {
		path[t] = xasprintf("%s/events/kvm/%s/format", tracefs_dir, kvmtp_names[t] + 4);
		text[t] = kvmtp_read_file(path[t]);
		if (!text[t]) {
			r = -errno;
			if (r == -ENOENT)
				errbuf_fail(err, r,
					    "tracepoint %s is missing (no %s): load the kvm module "
					    "(modprobe kvm_intel or kvm_amd)",
					    kvmtp_names[t], path[t]);
			else
				errbuf_fail(err, r, "cannot read %s (%s): %s%s", kvmtp_names[t],
					    path[t], strerror(-r),
					    r == -EACCES ? "; run as root" : "");
		}
	}
	if (r == 0)
		r = kvmtp_new_from_text(out, text[0], text[1], err);
	for (int t = 0; t < KVMTP_NR_TYPES; t++) {
		free(path[t]);
		free(text[t]);
	}
	return r;
}

/* The table naming isa's reasons (an empty one, masking nothing, when the format has none). */
static const struct kvmtp_table *
kvmtp_table(const struct kvmtp *tp, uint32_t isa)
{
	static const struct kvmtp_table none = { UINT32_MAX, NULL, 0 };

	if (tp->ntables == 0)
		return &none;
	return &tp->tables[tp->isa_switch && isa != 1 ? 1 : 0];
}

/* The unsigned number of field f in raw, or false when it lies outside size bytes. */
static bool
kvmtp_read(const struct kvmtp_field *f, const unsigned char *raw, size_t size, uint32_t *out)
{
	uint64_t v = 0;

	if ((size_t)f->offset + f->size > size)
		return false;
	switch (f->size) {
	case 1:
		v = raw[f->offset];
		break;
	case 2: {
		uint16_t x;

		memcpy(&x, raw + f->offset, 2);
		v = x;
		break;
	}
	case 4: {
		uint32_t x;

		memcpy(&x, raw + f->offset, 4);
		v = x;
		break;
	}
	default:
		memcpy(&v, raw + f->offset, 8);
	}
	*out = (uint32_t)v;
	return true;
}

int
kvmtp_decode(const struct kvmtp *tp, enum kvmtp_type type, const void *raw, size_t size,
	     struct kvmtp_event *out)
{
	const struct kvmtp_field *vcpu = type == KVMTP_EXIT ? &tp->exit_vcpu : &tp->entry_vcpu;
	bool ok = true;

	memset(out, 0, sizeof(*out));
	out->type = type;
	out->vcpu = UINT32_MAX;
	if ((unsigned)type >= KVMTP_NR_TYPES || !raw)
		return -EINVAL;
	if (type == KVMTP_EXIT) {
		ok = kvmtp_read(&tp->reason, raw, size, &out->reason);
		if (ok && tp->isa.present)
			ok = kvmtp_read(&tp->isa, raw, size, &out->isa);
	}
	if (ok && vcpu->present)
		ok = kvmtp_read(vcpu, raw, size, &out->vcpu);
	if (ok && type == KVMTP_EXIT)
		out->code = out->reason & kvmtp_table(tp, out->isa)->mask;
	if (!ok) {
		memset(out, 0, sizeof(*out));
		out->type = type;
		return -EINVAL;
	}
	return 0;
}

const char *
kvmtp_reason_name(const struct kvmtp *tp, uint32_t isa, uint32_t reason)
{
	const struct kvmtp_table *t = kvmtp_table(tp, isa);

	reason &= t->mask;
	for (size_t i = 0; i < t->n; i++)
		if (t->names[i].value == reason)
			return t->names[i].name;
	return NULL;
}

void
kvmtp_free(struct kvmtp *tp)
{
	if (!tp)
		return;
	for (size_t i = 0; i < tp->ntables; i++)
		free(tp->tables[i].names);
	free(tp);
}
