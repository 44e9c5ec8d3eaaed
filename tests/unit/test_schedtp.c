// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The sched tracepoint decoder. Real sched_switch records from this kernel (CPU 0, system-wide)
 * must name this test's own task as it switches out and in; synthetic records built from the
 * real format files' offsets (found independently through libtraceevent) and from hand-written
 * formats with other layouts (__data_loc and __rel_loc strings, 1-, 2-, 4- and 8-byte numbers,
 * signed and not, optional fields missing) must decode to exact values; every truncation of a
 * valid record and every string location outside it must be rejected; a missing tracefs,
 * tracepoint or field must be named in the error.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <event-parse.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ringside/model/schedmap.h"
#include "ringside/perf/decode.h"
#include "ringside/perf/ring.h"
#include "ringside/perf/schedtp.h"
#include "ringside/perf/sys.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"
#include "unit.h"

static const char *const event_dirs[SCHEDTP_NR_TYPES] = {
	"sched_switch",	      "sched_wakeup",	    "sched_wakeup_new",	  "sched_migrate_task",
	"sched_process_exec", "sched_process_fork", "sched_process_exit",
};

/* ---- files ------------------------------------------------------------------------------- */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static char *
read_text(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf = xcalloc(1, 1 << 16);
	size_t n;

	if (!f) {
		free(buf);
		return NULL;
	}
	n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static char *
make_root(void)
{
	char *root = xstrdup("/tmp/test_schedtp.XXXXXX");

	assert_non_null(mkdtemp(root));
	return root;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void
rm_root(char *root)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

/* Put one tracepoint's format (and id, unless NULL) under root/events/sched/event/. */
static void
tree_add(const char *root, const char *event, const char *format, const char *id)
{
	char *p;

	p = xasprintf("%s/events", root);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/events/sched", root);
	mkdir(p, 0755);
	free(p);
	p = xasprintf("%s/events/sched/%s", root, event);
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	p = xasprintf("%s/events/sched/%s/format", root, event);
	write_file(p, format);
	free(p);
	if (id) {
		p = xasprintf("%s/events/sched/%s/id", root, event);
		write_file(p, id);
		free(p);
	}
}

/* Why real_tracefs() returned NULL, for the skip. */
static char no_real_tracefs[256];

/* The real tracefs with the seven sched formats readable, or NULL (why: no_real_tracefs). */
static const char *
real_tracefs(void)
{
	const char *dir = sys_tracefs_dir();
	char *p;
	int ok;

	if (!dir) {
		snprintf(no_real_tracefs, sizeof(no_real_tracefs),
			 "tracefs is not available here (mount it on /sys/kernel/tracing)");
		return NULL;
	}
	p = xasprintf("%s/events/sched/sched_switch/format", dir);
	ok = access(p, R_OK) == 0;
	free(p);
	if (!ok)
		snprintf(no_real_tracefs, sizeof(no_real_tracefs),
			 "%s has no readable sched formats", dir);
	return ok ? dir : NULL;
}

/* ---- hand-written formats ------------------------------------------------------------------ */

#define COMMON                                                                                     \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"                     \
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"                     \
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"             \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

static char *
format_text(const char *name, int id, const char *fields, const char *print)
{
	return xasprintf("name: %s\nID: %d\nformat:\n" COMMON "%s\nprint fmt: %s\n", name, id,
			 fields, print);
}

/*
 * Layout A of sched_switch: prev_comm a __data_loc string, prev_state a 4-byte long (as on a
 * 32-bit kernel), a 2-byte prio, a 1-byte unsigned prio, an 8-byte pid, a field ringside does not
 * read at the end. Fixed part 56 bytes.
 */
static const char switch_a[] =
	"\tfield:__data_loc char[] prev_comm;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t prev_pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:long prev_state;\toffset:16;\tsize:4;\tsigned:1;\n"
	"\tfield:short prev_prio;\toffset:20;\tsize:2;\tsigned:1;\n"
	"\tfield:unsigned char next_prio;\toffset:22;\tsize:1;\tsigned:0;\n"
	"\tfield:long next_pid;\toffset:24;\tsize:8;\tsigned:1;\n"
	"\tfield:char next_comm[16];\toffset:32;\tsize:16;\tsigned:0;\n"
	"\tfield:u64 extra;\toffset:48;\tsize:8;\tsigned:0;\n";
static const char switch_a_print[] =
	"\"prev_comm=%s prev_state=%s next_comm=%s\", __get_str(prev_comm), "
	"__print_flags(REC->prev_state, \"|\", { 0x01, \"S\" }, { 0x02, \"D\" }), REC->next_comm";

/* Layout B: the familiar char[16] comms, prev_state an unsigned int. Fixed part 48 bytes. */
static const char switch_b[] = "\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
			       "\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
			       "\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"
			       "\tfield:unsigned int prev_state;\toffset:32;\tsize:4;\tsigned:0;\n"
			       "\tfield:char next_comm[16];\toffset:36;\tsize:16;\tsigned:0;\n"
			       "\tfield:pid_t next_pid;\toffset:52;\tsize:4;\tsigned:1;\n"
			       "\tfield:int next_prio;\toffset:56;\tsize:4;\tsigned:1;\n";
static const char switch_b_print[] = "\"prev_comm=%s prev_state=%s\", REC->prev_comm, "
				     "__print_flags(REC->prev_state, \"|\", { 0x01, \"S\" })";

/* An old kernel's sched_wakeup, with "success". Fixed part 40 bytes. */
static const char wakeup_old[] = "\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
				 "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
				 "\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
				 "\tfield:int success;\toffset:32;\tsize:4;\tsigned:1;\n"
				 "\tfield:int target_cpu;\toffset:36;\tsize:4;\tsigned:1;\n";

/* sched_wakeup_new without the optional target_cpu and prio. Fixed part 32 bytes. */
static const char wakeup_new_min[] = "\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
				     "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
				     "\tfield:int success;\toffset:28;\tsize:4;\tsigned:1;\n";

/* An older sched_migrate_task with a char[16] comm. Fixed part 40 bytes. */
static const char migrate_old[] = "\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
				  "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
				  "\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
				  "\tfield:int orig_cpu;\toffset:32;\tsize:4;\tsigned:1;\n"
				  "\tfield:int dest_cpu;\toffset:36;\tsize:4;\tsigned:1;\n";

/* sched_process_exec with a __rel_loc filename (offset from the end of the field). Fixed 20. */
static const char exec_rel[] = "\tfield:__rel_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
			       "\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
			       "\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n";

/* An older sched_process_fork with char[16] comms. Fixed part 48 bytes. */
static const char fork_old[] = "\tfield:char parent_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
			       "\tfield:pid_t parent_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
			       "\tfield:char child_comm[16];\toffset:28;\tsize:16;\tsigned:0;\n"
			       "\tfield:pid_t child_pid;\toffset:44;\tsize:4;\tsigned:1;\n";

/* sched_process_exit without group_dead. Fixed part 32 bytes. */
static const char exit_old[] = "\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
			       "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
			       "\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n";

static const char *const hand_fields[SCHEDTP_NR_TYPES] = {
	switch_a, wakeup_old, wakeup_new_min, migrate_old, exec_rel, fork_old, exit_old,
};

/* Write the hand-written set (ids 901..907) under root, leaving out type skip (-1: none). */
static void
tree_hand(const char *root, int skip, const char *switch_fields, const char *switch_print)
{
	for (int t = 0; t < SCHEDTP_NR_TYPES; t++) {
		char *text, id[16];

		if (t == skip)
			continue;
		text = format_text(event_dirs[t], 901 + t, t == 0 ? switch_fields : hand_fields[t],
				   t == 0 ? switch_print : "\"pid=%d\", REC->pid");
		snprintf(id, sizeof(id), "%d\n", 901 + t);
		tree_add(root, event_dirs[t], text, id);
		free(text);
	}
}

/* Copy the real formats and ids from tracefs under root, leaving out type skip (-1: none). */
static void
tree_copy_real(const char *root, const char *real, int skip, bool with_ids)
{
	for (int t = 0; t < SCHEDTP_NR_TYPES; t++) {
		char *p, *fmt, *id = NULL;

		if (t == skip)
			continue;
		p = xasprintf("%s/events/sched/%s/format", real, event_dirs[t]);
		fmt = read_text(p);
		free(p);
		assert_non_null(fmt);
		if (with_ids) {
			p = xasprintf("%s/events/sched/%s/id", real, event_dirs[t]);
			id = read_text(p);
			free(p);
			assert_non_null(id);
		}
		tree_add(root, event_dirs[t], fmt, id);
		free(fmt);
		free(id);
	}
}

/* ---- byte builders and comparison ---------------------------------------------------------- */

static void
put(unsigned char *buf, size_t off, int64_t v, unsigned size)
{
	uint8_t v8 = (uint8_t)v;
	uint16_t v16 = (uint16_t)v;
	uint32_t v32 = (uint32_t)v;

	switch (size) {
	case 1:
		memcpy(buf + off, &v8, 1);
		break;
	case 2:
		memcpy(buf + off, &v16, 2);
		break;
	case 4:
		memcpy(buf + off, &v32, 4);
		break;
	default:
		memcpy(buf + off, &v, 8);
	}
}

/* A data location: the string's offset and length (NUL included) in one u32. */
static void
put_loc(unsigned char *buf, size_t off, size_t str_off, size_t len)
{
	put(buf, off, (int64_t)((uint32_t)len << 16 | (uint32_t)str_off), 4);
}

static void
expect_str(const char *what, const char *got, const char *want, size_t cap)
{
	char zeroed[256] = "";

	assert_true(cap <= sizeof(zeroed));
	assert_non_null(memchr(got, '\0', cap));
	if (strcmp(got, want) != 0)
		fail_msg("%s: got \"%s\", want \"%s\"", what, got, want);
	/* Nothing after the NUL either: the buffer is the string, then zeros. */
	strncpy(zeroed, want, cap - 1);
	assert_memory_equal(got, zeroed, cap);
}

static void
expect_event(const struct sched_event *got, const struct sched_event *want)
{
	assert_int_equal(got->type, want->type);
	assert_int_equal(got->time, want->time);
	assert_int_equal(got->cpu, want->cpu);
	assert_int_equal(got->prev_pid, want->prev_pid);
	assert_int_equal(got->next_pid, want->next_pid);
	expect_str("prev_comm", got->prev_comm, want->prev_comm, sizeof(got->prev_comm));
	expect_str("next_comm", got->next_comm, want->next_comm, sizeof(got->next_comm));
	if (got->prev_state != want->prev_state)
		fail_msg("prev_state: got %lld, want %lld", (long long)got->prev_state,
			 (long long)want->prev_state);
	assert_int_equal(got->prev_prio, want->prev_prio);
	assert_int_equal(got->next_prio, want->next_prio);
	assert_int_equal(got->pid, want->pid);
	expect_str("comm", got->comm, want->comm, sizeof(got->comm));
	assert_int_equal(got->prio, want->prio);
	assert_int_equal(got->target_cpu, want->target_cpu);
	assert_int_equal(got->orig_cpu, want->orig_cpu);
	assert_int_equal(got->dest_cpu, want->dest_cpu);
	assert_int_equal(got->parent_pid, want->parent_pid);
	assert_int_equal(got->child_pid, want->child_pid);
	expect_str("parent_comm", got->parent_comm, want->parent_comm, sizeof(got->parent_comm));
	expect_str("child_comm", got->child_comm, want->child_comm, sizeof(got->child_comm));
	assert_int_equal(got->old_pid, want->old_pid);
	expect_str("filename", got->filename, want->filename, sizeof(got->filename));
}

/* Decode raw from an exact-size heap copy (so ASan sees any read past it). */
static int
decode_copy(const struct schedtp *tp, enum sched_event_type t, const void *raw, size_t n,
	    struct sched_event *out)
{
	void *copy = xmalloc(n ? n : 1);
	int r;

	memcpy(copy, raw, n);
	r = schedtp_decode(tp, t, copy, n, out);
	free(copy);
	return r;
}

/* Every truncation of a valid record is rejected, and leaves out zeroed but for the type. */
static void
expect_truncations_fail(const struct schedtp *tp, enum sched_event_type t, const unsigned char *raw,
			size_t n)
{
	struct sched_event ev, zero;

	for (size_t k = 0; k < n; k++) {
		memset(&ev, 0x5a, sizeof(ev));
		if (decode_copy(tp, t, raw, k, &ev) != -EINVAL)
			fail_msg("%s: a record cut to %zu of %zu bytes was accepted",
				 schedtp_name(t), k, n);
		memset(&zero, 0, sizeof(zero));
		zero.type = t;
		expect_event(&ev, &zero);
	}
	assert_int_equal(decode_copy(tp, t, raw, n, &ev), 0);
}

/* ---- (1) a real sched_switch record ------------------------------------------------------- */

struct real_ctx {
	const struct schedtp *tp;
	struct decode_layout layout;
	pid_t self;
	int cpu;
	char comm[17];
	size_t samples, self_prev, self_next, self_blocked;
};

static void
real_record(void *arg, const struct perf_event_header *h)
{
	struct real_ctx *c = arg;
	struct decode_sample s;
	struct sched_event ev;

	if (h->type != PERF_RECORD_SAMPLE)
		return;
	assert_int_equal(decode_sample(&c->layout, h, &s), 0);
	assert_int_equal(schedtp_decode(c->tp, SCHED_SWITCH, s.raw, s.raw_size, &ev), 0);
	if (c->samples++ == 0)
		print_message(
			"# a real sched_switch on CPU %u: %s[%d] prio %d state %lld -> %s[%d] "
			"prio %d (%u raw bytes)\n",
			s.cpu, ev.prev_comm, ev.prev_pid, ev.prev_prio, (long long)ev.prev_state,
			ev.next_comm, ev.next_pid, ev.next_prio, s.raw_size);
	assert_int_equal(s.cpu, (uint32_t)c->cpu);
	/* sched_switch fires in the task being switched out: the sample's TID is prev_pid. */
	assert_int_equal(ev.prev_pid, (int32_t)s.tid);
	assert_true(ev.next_pid >= 0 && ev.next_pid != ev.prev_pid);
	assert_true(ev.prev_comm[0] != '\0' && ev.next_comm[0] != '\0');
	assert_true(ev.prev_prio >= -1 && ev.prev_prio < 140);
	assert_true(ev.next_prio >= -1 && ev.next_prio < 140);
	if (ev.prev_pid == c->self) {
		assert_string_equal(ev.prev_comm, c->comm);
		c->self_prev++;
		if (ev.prev_state != 0)
			c->self_blocked++;
	}
	if (ev.next_pid == c->self) {
		assert_string_equal(ev.next_comm, c->comm);
		c->self_next++;
	}
	if (ev.next_pid == 0)
		assert_true(strncmp(ev.next_comm, "swapper", 7) == 0);
}

static void
test_real_switch(void **state)
{
	const char *real = real_tracefs();
	struct perf_event_attr attr;
	struct real_ctx c = { 0 };
	struct schedtp *tp = NULL;
	struct errbuf err = { 0 };
	cpu_set_t old, one;
	struct ring r = { 0 };
	int fd;

	(void)state;
	if (!real)
		unit_skip("%s", no_real_tracefs);
	if (schedtp_new(&tp, NULL, &err) != 0)
		fail_msg("schedtp_new on this machine's tracefs: %s", err.msg);
	for (int t = 0; t < SCHEDTP_NR_TYPES; t++) {
		char *p = xasprintf("%s/events/sched/%s/id", real, event_dirs[t]),
		     *id = read_text(p);

		assert_non_null(id);
		assert_int_equal(schedtp_id(tp, (enum sched_event_type)t), strtoull(id, NULL, 10));
		free(p);
		free(id);
	}

	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.config = schedtp_id(tp, SCHED_SWITCH);
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	/* CPU 0, or the first CPU this test may run on when that is not 0. */
	assert_int_equal(sched_getaffinity(0, sizeof(old), &old), 0);
	while (c.cpu < CPU_SETSIZE - 1 && !CPU_ISSET(c.cpu, &old))
		c.cpu++;
	fd = sys_perf_open(&attr, -1, c.cpu, -1);
	if (fd < 0)
		fail_msg("perf_event_open(sched:sched_switch, CPU %d, system-wide): %s", c.cpu,
			 strerror(-fd));
	assert_int_equal(ring_open(&r, fd, 16), 0);

	c.tp = tp;
	c.layout.sample_type = attr.sample_type;
	c.self = gettid();
	assert_int_equal(prctl(PR_GET_NAME, c.comm), 0);
	CPU_ZERO(&one);
	CPU_SET(c.cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	for (int i = 0; i < 20 && (c.self_prev < 3 || c.self_next < 3 || !c.self_blocked); i++) {
		usleep(200);
		sched_yield();
		usleep(200);
		ring_consume(&r, real_record, &c);
	}
	sched_setaffinity(0, sizeof(old), &old);
	ring_close(&r);
	close(fd);
	print_message("# %zu real sched_switch records: this task switched out %zu times (%zu "
		      "blocked), in %zu times\n",
		      c.samples, c.self_prev, c.self_blocked, c.self_next);
	assert_true(c.self_prev >= 1);
	assert_true(c.self_next >= 1);
	/* usleep blocks: prev_state S (non-zero), a voluntary switch. */
	assert_true(c.self_blocked >= 1);
	schedtp_free(tp);
}

/* ---- (2) all seven types from real formats, offsets found through libtraceevent ------------- */

struct val {
	const char *name;
	int64_t num;
	const char *str;
};

/*
 * Build a record for e from vals: numbers at each field's offset and size, strings into char
 * arrays (all 16 bytes used when the string is that long: no NUL) or after the fixed part behind
 * a __data_loc. Returns the record's length.
 */
static size_t
build_tep(struct tep_event *e, const struct val *vals, unsigned char *buf, size_t cap)
{
	size_t fixed = 0, end;
	struct tep_format_field *f;

	memset(buf, 0, cap);
	for (f = e->format.common_fields; f; f = f->next)
		fixed = (size_t)f->offset + (size_t)f->size > fixed ? (size_t)(f->offset + f->size)
								    : fixed;
	for (f = e->format.fields; f; f = f->next)
		fixed = (size_t)f->offset + (size_t)f->size > fixed ? (size_t)(f->offset + f->size)
								    : fixed;
	put(buf, 0, e->id, 2);
	end = fixed;
	for (const struct val *v = vals; v->name; v++) {
		f = tep_find_field(e, v->name);
		if (!f)
			continue; /* a field this kernel does not have */
		if (v->str && (f->flags & TEP_FIELD_IS_DYNAMIC)) {
			size_t len = strlen(v->str) + 1;
			size_t where = end;

			assert_true(end + len <= cap);
			memcpy(buf + where, v->str, len);
			end += len;
			if (f->flags & TEP_FIELD_IS_RELATIVE)
				where -= (size_t)(f->offset + f->size);
			put_loc(buf, (size_t)f->offset, where, len);
		} else if (v->str) {
			size_t len = strlen(v->str);

			memcpy(buf + f->offset, v->str,
			       len < (size_t)f->size ? len : (size_t)f->size);
		} else {
			put(buf, (size_t)f->offset, v->num, (unsigned)f->size);
		}
	}
	return end;
}

static const char long_path[] =
	"/usr/lib/a-rather-long-directory-name-to-exceed-the-buffer/"
	"0123456789012345678901234567890123456789012345678901234567890123456789/"
	"0123456789012345678901234567890123456789012345678901234567890123456789/"
	"0123456789012345678901234567890123456789012345678901234567890123456789/bin/exe";

/* The values for type t, and the event schedtp must produce from them on e. */
static const struct val *
vals_for(enum sched_event_type t, struct tep_event *e, struct sched_event *want)
{
	static const struct val sw[] = {
		{ "prev_comm", 0, "0123456789abcdef" }, /* 16 bytes: no NUL in a char[16] */
		{ "prev_pid", 0x12345678, NULL },
		{ "prev_prio", 120, NULL },
		{ "prev_state", 0x7f0000000001LL, NULL },
		{ "next_comm", 0, "swapper/1" },
		{ "next_pid", 0, NULL },
		{ "next_prio", -1, NULL },
		{ NULL, 0, NULL },
	};
	static const struct val wk[] = {
		{ "comm", 0, "kworker/u8:3" }, { "pid", 77, NULL },    { "prio", 100, NULL },
		{ "target_cpu", 1, NULL },     { "success", 1, NULL }, { NULL, 0, NULL },
	};
	static const struct val mg[] = {
		{ "comm", 0, "a-comm-longer-than-sixteen" },
		{ "pid", 1234567, NULL },
		{ "prio", 139, NULL },
		{ "orig_cpu", 0, NULL },
		{ "dest_cpu", 1, NULL },
		{ NULL, 0, NULL },
	};
	static const struct val ex[] = {
		{ "filename", 0, long_path },
		{ "pid", 4000, NULL },
		{ "old_pid", 4001, NULL },
		{ NULL, 0, NULL },
	};
	static const struct val fk[] = {
		{ "parent_comm", 0, "bash" },
		{ "parent_pid", 300, NULL },
		{ "child_comm", 0, "bash-child-name-x" },
		{ "child_pid", 301, NULL },
		{ NULL, 0, NULL },
	};
	static const struct val xt[] = {
		{ "comm", 0, "exiting" },  { "pid", 2147483647, NULL }, { "prio", 0, NULL },
		{ "group_dead", 1, NULL }, { NULL, 0, NULL },
	};
	struct tep_format_field *f;

	memset(want, 0, sizeof(*want));
	want->type = t;
	switch (t) {
	case SCHED_SWITCH:
		strcpy(want->prev_comm, "0123456789abcde");
		want->prev_pid = 0x12345678;
		want->prev_prio = 120;
		f = tep_find_field(e, "prev_state");
		want->prev_state = f && f->size == 8 ? 0x7f0000000001LL : 1;
		strcpy(want->next_comm, "swapper/1");
		want->next_prio = -1;
		return sw;
	case SCHED_WAKEUP:
	case SCHED_WAKEUP_NEW:
		strcpy(want->comm, "kworker/u8:3");
		want->pid = 77;
		want->prio = tep_find_field(e, "prio") ? 100 : 0;
		want->target_cpu = tep_find_field(e, "target_cpu") ? 1 : 0;
		return wk;
	case SCHED_MIGRATE:
		strcpy(want->comm, "a-comm-longer-t");
		want->pid = 1234567;
		want->prio = 139;
		want->dest_cpu = 1;
		return mg;
	case SCHED_EXEC:
		memcpy(want->filename, long_path, sizeof(want->filename) - 1);
		want->pid = 4000;
		want->old_pid = 4001;
		return ex;
	case SCHED_FORK:
		strcpy(want->parent_comm, "bash");
		want->parent_pid = 300;
		strcpy(want->child_comm, "bash-child-name");
		want->child_pid = 301;
		return fk;
	default:
		strcpy(want->comm, "exiting");
		want->pid = 2147483647;
		return xt;
	}
}

/* Decode synthetic records of all seven types against the formats under dir. */
static void
check_all_types(const char *dir)
{
	struct tep_handle *tep = tep_alloc();
	struct schedtp *tp = NULL;
	struct errbuf err = { 0 };
	unsigned char buf[1024];

	assert_non_null(tep);
	if (schedtp_new(&tp, dir, &err) != 0)
		fail_msg("schedtp_new(%s): %s", dir, err.msg);
	for (int t = 0; t < SCHEDTP_NR_TYPES; t++) {
		char *p = xasprintf("%s/events/sched/%s/format", dir, event_dirs[t]);
		char *text = read_text(p);
		struct tep_event *e = NULL;
		struct sched_event want, got;
		const struct val *vals;
		size_t n;

		assert_non_null(text);
		assert_int_equal(tep_parse_format(tep, &e, text, strlen(text), "sched"), 0);
		assert_non_null(e);
		assert_int_equal(schedtp_id(tp, (enum sched_event_type)t), (uint64_t)e->id);
		vals = vals_for((enum sched_event_type)t, e, &want);
		n = build_tep(e, vals, buf, sizeof(buf));
		memset(&got, 0x5a, sizeof(got));
		assert_int_equal(decode_copy(tp, (enum sched_event_type)t, buf, n, &got), 0);
		expect_event(&got, &want);
		/* (3) every truncation of it fails */
		expect_truncations_fail(tp, (enum sched_event_type)t, buf, n);
		free(text);
		free(p);
	}
	schedtp_free(tp);
	tep_free(tep);
}

static void
test_real_formats_all_types(void **state)
{
	const char *real = real_tracefs();
	char *root;

	(void)state;
	if (!real)
		unit_skip("%s", no_real_tracefs);
	check_all_types(real);

	/* The same formats copied elsewhere; then without id files (the format's ID: is used). */
	root = make_root();
	tree_copy_real(root, real, -1, true);
	check_all_types(root);
	rm_root(root);
	root = make_root();
	tree_copy_real(root, real, -1, false);
	check_all_types(root);
	rm_root(root);
}

/* ---- (2) hand-written layouts, records built from the offsets written above ----------------- */

static struct schedtp *
new_hand(const char *switch_fields, const char *switch_print, char **rootp)
{
	struct schedtp *tp = NULL;
	struct errbuf err = { 0 };

	*rootp = make_root();
	tree_hand(*rootp, -1, switch_fields, switch_print);
	if (schedtp_new(&tp, *rootp, &err) != 0)
		fail_msg("schedtp_new(%s): %s", *rootp, err.msg);
	for (int t = 0; t < SCHEDTP_NR_TYPES; t++)
		assert_int_equal(schedtp_id(tp, (enum sched_event_type)t), (uint64_t)(901 + t));
	return tp;
}

static void
test_hand_layouts(void **state)
{
	unsigned char b[512];
	struct sched_event got, want;
	struct schedtp *tp;
	char *root;

	(void)state;
	tp = new_hand(switch_a, switch_a_print, &root);

	/* switch, layout A */
	memset(b, 0, sizeof(b));
	put_loc(b, 8, 56, 8);
	memcpy(b + 56, "dl-comm", 8);
	put(b, 12, 4242, 4);
	put(b, 16, -1, 4); /* a 4-byte signed prev_state: -1 sign-extends */
	put(b, 20, -5, 2);
	put(b, 22, 200, 1);
	put(b, 24, 0x12345, 8);
	memcpy(b + 32, "ABCDEFGHIJKLMNOP", 16);
	put(b, 48, -1, 8);
	memset(&want, 0, sizeof(want));
	want.type = SCHED_SWITCH;
	strcpy(want.prev_comm, "dl-comm");
	want.prev_pid = 4242;
	want.prev_state = -1;
	want.prev_prio = -5;
	want.next_prio = 200;
	want.next_pid = 0x12345;
	strcpy(want.next_comm, "ABCDEFGHIJKLMNO");
	assert_int_equal(decode_copy(tp, SCHED_SWITCH, b, 64, &got), 0);
	expect_event(&got, &want);
	expect_truncations_fail(tp, SCHED_SWITCH, b, 64);
	/* an 8-byte pid of -1 reads as -1; a string without NUL in its data_loc is cut there */
	put(b, 24, -1, 8);
	want.next_pid = -1;
	put_loc(b, 8, 56, 3);
	strcpy(want.prev_comm, "dl-");
	memset(want.prev_comm + 3, 0, sizeof(want.prev_comm) - 3);
	assert_int_equal(decode_copy(tp, SCHED_SWITCH, b, 59, &got), 0);
	expect_event(&got, &want);
	/* a data_loc string that runs past the record, or starts past it: rejected */
	put_loc(b, 8, 56, 9);
	assert_int_equal(decode_copy(tp, SCHED_SWITCH, b, 64, &got), -EINVAL);
	put_loc(b, 8, 65, 0);
	assert_int_equal(decode_copy(tp, SCHED_SWITCH, b, 64, &got), -EINVAL);
	put_loc(b, 8, 0xffff, 0xffff);
	assert_int_equal(decode_copy(tp, SCHED_SWITCH, b, 64, &got), -EINVAL);
	put_loc(b, 8, 56, 8); /* nor after a NUL inside a data_loc string */
	memcpy(b + 56, "dl\0zzzzz", 8);
	strcpy(want.prev_comm, "dl");
	assert_int_equal(decode_copy(tp, SCHED_SWITCH, b, 64, &got), 0);
	expect_event(&got, &want);
	put_loc(b, 8, 64, 0); /* empty, right at the end: fine */
	memset(want.prev_comm, 0, sizeof(want.prev_comm));
	assert_int_equal(decode_copy(tp, SCHED_SWITCH, b, 64, &got), 0);
	expect_event(&got, &want);

	/* wakeup (old, with success) */
	memset(b, 0, sizeof(b));
	memcpy(b + 8, "kworker/0:1", 11);
	put(b, 24, 55, 4);
	put(b, 28, 98, 4);
	put(b, 32, 1, 4);
	put(b, 36, 3, 4);
	memset(&want, 0, sizeof(want));
	want.type = SCHED_WAKEUP;
	strcpy(want.comm, "kworker/0:1");
	want.pid = 55;
	want.prio = 98;
	want.target_cpu = 3;
	assert_int_equal(decode_copy(tp, SCHED_WAKEUP, b, 40, &got), 0);
	expect_event(&got, &want);
	expect_truncations_fail(tp, SCHED_WAKEUP, b, 40);

	/* wakeup_new without prio and target_cpu: they read as 0 */
	want.type = SCHED_WAKEUP_NEW;
	want.prio = 0;
	want.target_cpu = 0;
	assert_int_equal(decode_copy(tp, SCHED_WAKEUP_NEW, b, 32, &got), 0);
	expect_event(&got, &want);
	expect_truncations_fail(tp, SCHED_WAKEUP_NEW, b, 32);

	/* migrate (char[16] comm) */
	memset(b, 0, sizeof(b));
	memcpy(b + 8, "migrant", 7);
	put(b, 24, 1000, 4);
	put(b, 28, 120, 4);
	put(b, 32, 1, 4);
	put(b, 36, 0, 4);
	memset(&want, 0, sizeof(want));
	want.type = SCHED_MIGRATE;
	strcpy(want.comm, "migrant");
	want.pid = 1000;
	want.prio = 120;
	want.orig_cpu = 1;
	assert_int_equal(decode_copy(tp, SCHED_MIGRATE, b, 40, &got), 0);
	expect_event(&got, &want);
	expect_truncations_fail(tp, SCHED_MIGRATE, b, 40);

	/* exec (__rel_loc filename: offset 8 counted from the field's end at 12, so 20) */
	memset(b, 0, sizeof(b));
	put_loc(b, 8, 8, 13);
	memcpy(b + 20, "/usr/bin/env", 13);
	put(b, 12, 5000, 4);
	put(b, 16, 4999, 4);
	memset(&want, 0, sizeof(want));
	want.type = SCHED_EXEC;
	strcpy(want.filename, "/usr/bin/env");
	want.pid = 5000;
	want.old_pid = 4999;
	assert_int_equal(decode_copy(tp, SCHED_EXEC, b, 33, &got), 0);
	expect_event(&got, &want);
	expect_truncations_fail(tp, SCHED_EXEC, b, 33);
	put_loc(b, 8, 14, 0); /* 12 + 14 = 26 > 25 */
	assert_int_equal(decode_copy(tp, SCHED_EXEC, b, 25, &got), -EINVAL);

	/* fork (char[16] comms, one full) */
	memset(b, 0, sizeof(b));
	memcpy(b + 8, "parent", 6);
	put(b, 24, 10, 4);
	memcpy(b + 28, "child-with-16-ch", 16);
	put(b, 44, 11, 4);
	memset(&want, 0, sizeof(want));
	want.type = SCHED_FORK;
	strcpy(want.parent_comm, "parent");
	want.parent_pid = 10;
	strcpy(want.child_comm, "child-with-16-c");
	want.child_pid = 11;
	assert_int_equal(decode_copy(tp, SCHED_FORK, b, 48, &got), 0);
	expect_event(&got, &want);
	expect_truncations_fail(tp, SCHED_FORK, b, 48);

	/* exit */
	memset(b, 0, sizeof(b));
	memcpy(b + 8, "bye\0garbage", 11); /* what follows a NUL is not part of the comm */
	put(b, 24, 77, 4);
	put(b, 28, 139, 4);
	memset(&want, 0, sizeof(want));
	want.type = SCHED_EXIT;
	strcpy(want.comm, "bye");
	want.pid = 77;
	want.prio = 139;
	assert_int_equal(decode_copy(tp, SCHED_EXIT, b, 32, &got), 0);
	expect_event(&got, &want);
	expect_truncations_fail(tp, SCHED_EXIT, b, 32);

	/* a bad type */
	assert_int_equal(decode_copy(tp, (enum sched_event_type)SCHEDTP_NR_TYPES, b, 32, &got),
			 -EINVAL);
	assert_int_equal(schedtp_id(tp, (enum sched_event_type) - 1), 0);
	schedtp_free(tp);
	rm_root(root);

	/* layout B: an unsigned 4-byte prev_state zero-extends */
	tp = new_hand(switch_b, switch_b_print, &root);
	memset(b, 0, sizeof(b));
	memcpy(b + 8, "prev", 4);
	put(b, 24, 1, 4);
	put(b, 28, 120, 4);
	put(b, 32, 0xffffffffLL, 4);
	memcpy(b + 36, "next", 4);
	put(b, 52, 2, 4);
	put(b, 56, 100, 4);
	memset(&want, 0, sizeof(want));
	want.type = SCHED_SWITCH;
	strcpy(want.prev_comm, "prev");
	want.prev_pid = 1;
	want.prev_prio = 120;
	want.prev_state = 0xffffffffLL;
	strcpy(want.next_comm, "next");
	want.next_pid = 2;
	want.next_prio = 100;
	assert_int_equal(decode_copy(tp, SCHED_SWITCH, b, 60, &got), 0);
	expect_event(&got, &want);
	expect_truncations_fail(tp, SCHED_SWITCH, b, 60);
	schedtp_free(tp);
	rm_root(root);
}

/* ---- (4) errors --------------------------------------------------------------------------- */

static void
expect_new_fails(const char *dir, int want, const char *a, const char *b)
{
	struct schedtp *tp = (struct schedtp *)&tp;
	struct errbuf err = { 0 };
	int r = schedtp_new(&tp, dir, &err);

	if (r != want)
		fail_msg("schedtp_new(%s) = %d (%s), want %d", dir, r, err.msg, want);
	assert_null(tp);
	if ((a && !strstr(err.msg, a)) || (b && !strstr(err.msg, b)))
		fail_msg("message \"%s\" should name \"%s\" and \"%s\"", err.msg, a, b ? b : "");
}

static void
test_errors(void **state)
{
	char *root, *p;

	(void)state;
	expect_new_fails("/nonexistent/tracefs", -ENOENT, "tracefs is not available", "mount");
	root = make_root();
	expect_new_fails(root, -ENOENT, "tracefs is not available", root);
	rm_root(root);

	/* each tracepoint missing in turn */
	for (int t = 0; t < SCHEDTP_NR_TYPES; t++) {
		root = make_root();
		tree_hand(root, t, switch_a, switch_a_print);
		expect_new_fails(root, -ENOENT, schedtp_name((enum sched_event_type)t), "missing");
		rm_root(root);
	}

	/* a required field missing: named, with its tracepoint */
	root = make_root();
	tree_hand(root, -1,
		  "\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
		  "\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
		  "\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
		  "\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n",
		  "\"x\"");
	expect_new_fails(root, -ENOENT, "sched:sched_switch", "\"next_pid\"");
	rm_root(root);

	/* a comm that is a number, a pid that is an array: unusable types */
	root = make_root();
	tree_hand(root, -1,
		  "\tfield:long prev_comm;\toffset:8;\tsize:8;\tsigned:1;\n"
		  "\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
		  "\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
		  "\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
		  "\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n",
		  "\"x\"");
	expect_new_fails(root, -EINVAL, "sched:sched_switch", "prev_comm");
	rm_root(root);
	root = make_root();
	tree_hand(root, -1,
		  "\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
		  "\tfield:char prev_pid[3];\toffset:24;\tsize:3;\tsigned:0;\n"
		  "\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
		  "\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
		  "\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n",
		  "\"x\"");
	expect_new_fails(root, -EINVAL, "sched:sched_switch", "prev_pid");
	rm_root(root);

	/* garbage for a format; a format naming another event; an id file without a number */
	root = make_root();
	tree_hand(root, 2, switch_a, switch_a_print);
	tree_add(root, "sched_wakeup_new", "this is not a format file\n", "903\n");
	expect_new_fails(root, -EINVAL, "sched:sched_wakeup_new", "sched_wakeup_new/format");
	rm_root(root);
	root = make_root();
	tree_hand(root, 2, switch_a, switch_a_print);
	p = format_text("sched_wakeup", 903, wakeup_old, "\"x\"");
	tree_add(root, "sched_wakeup_new", p, "903\n");
	free(p);
	expect_new_fails(root, -EINVAL, "sched:sched_wakeup_new", "\"sched_wakeup\"");
	rm_root(root);
	root = make_root();
	tree_hand(root, 2, switch_a, switch_a_print);
	p = format_text("sched_wakeup_new", 903, wakeup_old, "\"x\"");
	tree_add(root, "sched_wakeup_new", p, "nine hundred\n");
	free(p);
	expect_new_fails(root, -EINVAL, "sched:sched_wakeup_new", "id");
	rm_root(root);

	/* names */
	assert_string_equal(schedtp_name(SCHED_SWITCH), "sched:sched_switch");
	assert_string_equal(schedtp_name(SCHED_WAKEUP), "sched:sched_wakeup");
	assert_string_equal(schedtp_name(SCHED_WAKEUP_NEW), "sched:sched_wakeup_new");
	assert_string_equal(schedtp_name(SCHED_MIGRATE), "sched:sched_migrate_task");
	assert_string_equal(schedtp_name(SCHED_EXEC), "sched:sched_process_exec");
	assert_string_equal(schedtp_name(SCHED_FORK), "sched:sched_process_fork");
	assert_string_equal(schedtp_name(SCHED_EXIT), "sched:sched_process_exit");
	assert_null(schedtp_name((enum sched_event_type)SCHEDTP_NR_TYPES));
	schedtp_free(NULL);
}

/* ---- speed -------------------------------------------------------------------------------- */

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void
test_decode_speed(void **state)
{
	const char *real = real_tracefs();
	struct tep_handle *tep = tep_alloc();
	struct schedtp *tp = NULL;
	struct errbuf err = { 0 };
	struct tep_event *e = NULL;
	struct sched_event want, got;
	unsigned char buf[256];
	char *root = NULL, *p, *text;
	const char *dir = real;
	const int iters = 2000000;
	int64_t sum = 0;
	double t0, ns;
	size_t n;

	(void)state;
	if (!dir) {
		root = make_root();
		tree_hand(root, -1, switch_b, switch_b_print);
		dir = root;
	}
	if (schedtp_new(&tp, dir, &err) != 0)
		fail_msg("schedtp_new(%s): %s", dir, err.msg);
	p = xasprintf("%s/events/sched/sched_switch/format", dir);
	text = read_text(p);
	assert_non_null(text);
	assert_int_equal(tep_parse_format(tep, &e, text, strlen(text), "sched"), 0);
	n = build_tep(e, vals_for(SCHED_SWITCH, e, &want), buf, sizeof(buf));
	t0 = now_ns();
	for (int i = 0; i < iters; i++) {
		buf[24] = (unsigned char)i; /* keep the compiler from hoisting anything */
		if (schedtp_decode(tp, SCHED_SWITCH, buf, n, &got) != 0)
			fail();
		sum += got.prev_pid + got.next_comm[0];
	}
	ns = (now_ns() - t0) / iters;
	print_message("# decode: %.1f ns/event (sched_switch, %zu-byte record, checksum %lld)\n",
		      ns, n, (long long)sum);
	free(text);
	free(p);
	schedtp_free(tp);
	tep_free(tep);
	if (root)
		rm_root(root);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_switch),  cmocka_unit_test(test_real_formats_all_types),
		cmocka_unit_test(test_hand_layouts), cmocka_unit_test(test_errors),
		cmocka_unit_test(test_decode_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
