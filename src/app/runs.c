// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * 'ringside runs': the table of runs, one run in full with its command's output, removing, titling,
 * tagging, pruning and rerunning them; the registration of a recording that has written its
 * snapshot; and the @ID, @last, @last~N and @TAG references resolved to a snapshot's path. Every
 * string that came from a run (its target, title, output) is shown with control characters made
 * harmless.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ringside/app/command_log.h"
#include "ringside/app/runs.h"
#include "ringside/app/runs_db.h"
#include "ringside/export/snapshot.h"
#include "ringside/util/outfile.h"
#include "ringside/util/xalloc.h"

extern char **environ;

/* Open the library, saying why not on stderr. */
static struct runs_db *
runs_open(void)
{
	char *dir = runs_db_default_dir();
	struct runs_db *db = NULL;
	struct errbuf err;

	errbuf_clear(&err);
	if (runs_db_open(&db, dir, &err) < 0)
		fprintf(stderr, "ringside: %s\n", err.msg);
	free(dir);
	return db;
}

/* Print s with control characters (C0, DEL, C1 in UTF-8) as '?'; keep_nl keeps newlines, tabs. */
static void
runs_put_safe(FILE *fp, const char *s, size_t len, bool keep_nl)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (keep_nl && (c == '\n' || c == '\t'))
			fputc(c, fp);
		else if (c < 0x20 || c == 0x7f)
			fputc('?', fp);
		else if (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] >= 0x80 &&
			 (unsigned char)s[i + 1] <= 0x9f) {
			fputc('?', fp);
			i++;
		} else
			fputc(c, fp);
	}
}

static void
runs_puts_safe(FILE *fp, const char *s)
{
	if (s)
		runs_put_safe(fp, s, strlen(s), false);
}

/* A run argument: "12", "@12", "@last", "last~1", "@TAG" into *id. Returns 0 or exit status. */
static int
runs_arg_id(struct runs_db *db, const char *arg, int64_t *id)
{
	struct runs_ref ref;
	struct errbuf err;
	int r;

	errbuf_clear(&err);
	r = runs_ref_parse(arg[0] == '@' ? arg + 1 : arg, &ref, &err);
	if (r == 0)
		r = runs_db_resolve(db, &ref, id, &err);
	if (r == 0)
		return 0;
	fprintf(stderr, "ringside: %s\n", err.msg);
	return errbuf_exit_status(&err);
}

int
runs_resolve_arg(const char *arg, char **path, struct errbuf *err)
{
	struct runs_db *db = NULL;
	struct runs_record rec = { 0 };
	struct runs_ref ref;
	char *dir;
	int64_t id;
	int r;

	*path = NULL;
	if (arg[0] != '@') {
		*path = xstrdup(arg);
		return 0;
	}
	r = runs_ref_parse(arg + 1, &ref, err);
	if (r < 0)
		return r;
	dir = runs_db_default_dir();
	r = runs_db_open(&db, dir, err);
	free(dir);
	if (r == 0)
		r = runs_db_resolve(db, &ref, &id, err);
	if (r == 0)
		r = runs_db_get(db, id, &rec, err);
	if (r == 0 && !rec.snapshot)
		r = errbuf_fail(err, -ENOENT, "run %" PRId64 " has no snapshot", id);
	if (r == 0)
		*path = runs_db_path(db, rec.snapshot);
	runs_record_fini(&rec);
	runs_db_close(db);
	return r;
}

char *
runs_unregistered_path(struct errbuf *err)
{
	char *dir = runs_db_default_dir(), *path = NULL, stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	/* The database (and SQLite) waits for the registration, which says what is wrong. */
	if (runs_db_make_dir(dir, err) < 0) {
		free(dir);
		return NULL;
	}
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	path = xasprintf("%s/runs/unregistered-%s-%ld.json", dir, stamp, (long)getpid());
	free(dir);
	return path;
}

/* Join n numbers with commas (NULL when none). */
static char *
runs_join_ints(const int *v, size_t n)
{
	char *s = NULL, *t;

	for (size_t i = 0; i < n; i++) {
		t = s ? xasprintf("%s,%d", s, v[i]) : xasprintf("%d", v[i]);
		free(s);
		s = t;
	}
	return s;
}

/* The row of profile p; the strings it allocates are freed by runs_fill_fini. */
static void
runs_fill(struct runs_record *r, const struct profile *p)
{
	const struct profile_meta *m = &p->meta;
	char *events = NULL, *t;
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	r->start_ns = m->start_unix_ns;
	r->host = m->host;
	r->kernel = m->kernel;
	r->duration_ns = (int64_t)m->duration_ns;
	r->interval_ns = (int64_t)m->interval_ns;
	r->argv = m->cmdline;
	r->nargv = m->ncmdline;
	r->cwd = getcwd(NULL, 0);
	r->target_kind = m->target_kind;
	r->target_desc = m->target_desc;
	r->command = m->command;
	r->ncommand = m->ncommand;
	while (environ && environ[n])
		n++;
	r->env = environ;
	r->nenv = n;
	r->pids = runs_join_ints(m->target_pids, m->ntarget_pids);
	r->cpus = runs_join_ints(m->target_cpus, m->ntarget_cpus);
	for (size_t i = 0; i < p->ntracks; i++) {
		t = events ? xasprintf("%s,%s", events, p->tracks[i].name)
			   : xstrdup(p->tracks[i].name);
		free(events);
		events = t;
	}
	r->events = events;
	r->sample_event = p->sampling.event;
	r->callgraph = p->sampling.callgraph;
	r->freq = (int64_t)p->sampling.freq;
	r->period = (int64_t)p->sampling.period;
	r->samples = (int64_t)p->sampling.samples;
	r->lost = (int64_t)p->sampling.lost;
	r->end_reason = m->end_reason;
	r->exit_status = m->command_exit;
}

static void
runs_fill_fini(struct runs_record *r)
{
	free(r->cwd);
	free(r->pids);
	free(r->cpus);
	free(r->events);
}

/* Write p as a snapshot to a new file in dir/runs; returns its path (caller's) or NULL, err. */
static char *
runs_write_pending(const struct runs_db *db, const struct profile *p, struct errbuf *err)
{
	char *dir = runs_db_path(db, "runs"), *path = NULL;
	struct outfile of = { 0 };

	if (outfile_open_unique(&of, dir, ".pending-", ".json", err) == 0) {
		path = xstrdup(of.path);
		if (snapshot_write(p, of.fp, err) < 0 || outfile_commit(&of, err) < 0) {
			free(path);
			path = NULL;
		}
	}
	outfile_abort(&of);
	free(dir);
	return path;
}

/* Copy the command's output file into dir/runs under a new name (NULL when there is none). */
static char *
runs_copy_log(const struct runs_db *db, const char *log, struct errbuf *err)
{
	char *dir = runs_db_path(db, "runs"), *path = NULL, buf[65536];
	struct outfile of = { 0 };
	FILE *in = log ? fopen(log, "rbe") : NULL;
	size_t n;

	if (in && outfile_open_unique(&of, dir, ".pending-", ".out", err) == 0) {
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, of.fp);
		path = xstrdup(of.path);
		if (ferror(in) || outfile_commit(&of, err) < 0) {
			free(path);
			path = NULL;
		}
		outfile_abort(&of);
	}
	if (in)
		fclose(in);
	free(dir);
	return path;
}

int
runs_add(const struct profile *p, const char *written_json, const char *command_log, int64_t *id,
	 struct errbuf *err)
{
	struct runs_db *db = NULL;
	struct runs_record rec;
	char *dir = runs_db_default_dir(), *snap = NULL, *out = NULL;
	struct errbuf ignored;
	int r;

	*id = 0;
	runs_fill(&rec, p);
	r = runs_db_open(&db, dir, err);
	if (r == 0) {
		snap = written_json ? xstrdup(written_json) : runs_write_pending(db, p, err);
		r = snap ? 0 : -EIO;
	}
	if (r == 0) {
		/* The output is a bonus: the run is kept without it. */
		errbuf_clear(&ignored);
		out = runs_copy_log(db, command_log, &ignored);
		r = runs_db_add(db, &rec, snap, out, id, err);
	}
	if (r < 0 && snap && !written_json)
		unlink(snap);
	if (r < 0 && out)
		unlink(out);
	runs_fill_fini(&rec);
	runs_db_close(db);
	free(dir);
	free(snap);
	free(out);
	return r;
}

int
runs_register(const struct profile *p, const char *written_json, const char *command_log)
{
	struct errbuf err;
	int64_t id;

	errbuf_clear(&err);
	if (runs_add(p, written_json, command_log, &id, &err) == 0) {
		fprintf(stderr, "ringside: saved as run %" PRId64 " (ringside view @%" PRId64 ")\n",
			id, id);
		return 0;
	}
	if (written_json)
		fprintf(stderr,
			"ringside: the run was not saved in the library: %s; the snapshot is in "
			"%s\n",
			err.msg, written_json);
	else
		fprintf(stderr, "ringside: the run was not saved in the library: %s\n", err.msg);
	return 1;
}

/* Bytes as "812", "12.3K", "4.5M". */
static void
runs_human_size(char *buf, size_t len, int64_t n)
{
	if (n < 1024)
		snprintf(buf, len, "%" PRId64, n);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.1fK", (double)n / 1024);
	else
		snprintf(buf, len, "%.1fM", (double)n / (1024 * 1024));
}

static void
runs_when(char *buf, size_t len, int64_t unix_ns)
{
	time_t t = (time_t)(unix_ns / 1000000000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

/* A target for the table: a launched command without the directory of its program. */
static const char *
runs_short_target(const char *desc, char *buf, size_t len)
{
	const char *prog, *space, *slash = NULL;

	if (!desc || strncmp(desc, "command: ", 9) != 0)
		return desc ? desc : "";
	prog = desc + 9;
	space = strchr(prog, ' ');
	for (const char *c = prog; *c && c != space; c++)
		if (*c == '/')
			slash = c;
	if (!slash)
		return desc;
	snprintf(buf, len, "command: %s", slash + 1);
	return buf;
}

static int
runs_list_row(const struct runs_record *r, void *arg)
{
	char when[32], size[32], target[34], shorter[128];
	const char *desc = runs_short_target(r->target_desc, shorter, sizeof(shorter));

	(void)arg;
	runs_when(when, sizeof(when), r->start_ns);
	runs_human_size(size, sizeof(size), r->size);
	snprintf(target, sizeof(target), "%.30s%s", desc, strlen(desc) > 30 ? "..." : "");
	printf("%6" PRId64 "  %s  ", r->id, when);
	runs_puts_safe(stdout, target);
	printf("%*s %8.2fs %9" PRId64 " %7s  ", (int)(33 - strlen(target)), "",
	       (double)r->duration_ns / 1e9, r->samples, size);
	runs_puts_safe(stdout, r->title);
	if (r->tags) {
		fputs(r->title ? " [" : "[", stdout);
		runs_puts_safe(stdout, r->tags);
		fputc(']', stdout);
	}
	fputc('\n', stdout);
	return 0;
}

static int
runs_list(struct runs_db *db)
{
	struct errbuf err;

	errbuf_clear(&err);
	printf("%6s  %-19s  %-33s %9s %9s %7s  %s\n", "ID", "WHEN", "TARGET", "DURATION", "SAMPLES",
	       "SIZE", "TITLE");
	if (runs_db_list(db, runs_list_row, NULL, &err) < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return 1;
	}
	return 0;
}

/* "label: a b c" with each string of v shown safely. */
static void
runs_show_strv(const char *label, char *const *v, size_t n)
{
	printf("%-13s", label);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', stdout);
		runs_puts_safe(stdout, v[i]);
	}
	fputc('\n', stdout);
}

static void
runs_show_field(const char *label, const char *value)
{
	if (!value)
		return;
	printf("%-13s ", label);
	runs_puts_safe(stdout, value);
	fputc('\n', stdout);
}

/* The command's output, shown safely: stdout's lines as they are, stderr's marked "[stderr] ". */
static void
runs_show_output(struct runs_db *db, const char *rel)
{
	char *path = runs_db_path(db, rel), *text;
	struct command_log_line line;
	const char *pos;
	size_t dropped;
	char mid = 0; /* the stream of a piece not ended yet */

	printf("output (%s):\n", path);
	text = command_log_load(path, COMMAND_LOG_MAX, &dropped);
	if (!text && access(path, R_OK) != 0)
		printf("  (cannot read it: %s)\n", strerror(errno));
	pos = text ? text : "";
	while (command_log_next(&pos, &line)) {
		/* A piece without its newline goes on with its stream's next one. */
		if (mid && line.stream != mid)
			fputc('\n', stdout);
		if (mid != line.stream && line.stream == 'e')
			fputs("[stderr] ", stdout);
		runs_put_safe(stdout, line.text, line.len, false);
		if (line.newline)
			fputc('\n', stdout);
		mid = line.newline ? 0 : line.stream;
	}
	if (mid)
		fputc('\n', stdout);
	free(text);
	free(path);
}

static int
runs_show(struct runs_db *db, int64_t id)
{
	struct runs_record r;
	struct errbuf err;
	char when[32], *snap;

	errbuf_clear(&err);
	if (runs_db_get(db, id, &r, &err) < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return errbuf_exit_status(&err);
	}
	runs_when(when, sizeof(when), r.start_ns);
	printf("%-13s %" PRId64 "\n%-13s %s\n", "run", r.id, "started", when);
	runs_show_field("title", r.title);
	runs_show_field("tags", r.tags);
	runs_show_field("host", r.host);
	runs_show_field("kernel", r.kernel);
	printf("%-13s %.3f s (intervals of %.0f ms)\n", "duration", (double)r.duration_ns / 1e9,
	       (double)r.interval_ns / 1e6);
	runs_show_strv("command line:", r.argv, r.nargv);
	runs_show_field("directory", r.cwd);
	runs_show_field("target", r.target_desc);
	if (r.ncommand)
		runs_show_strv("command:", r.command, r.ncommand);
	runs_show_field("pids", r.pids);
	runs_show_field("cpus", r.cpus);
	runs_show_field("events", r.events);
	if (r.sample_event)
		printf("%-13s %s, %s%" PRId64 "%s, call graph %s; %" PRId64 " samples, %" PRId64
		       " lost\n",
		       "sampling", r.sample_event, r.period ? "every " : "",
		       r.period ? r.period : r.freq, r.period ? " events" : " Hz",
		       r.callgraph ? r.callgraph : "none", r.samples, r.lost);
	runs_show_field("ended", r.end_reason);
	if (r.exit_status >= 0)
		printf("%-13s %" PRId64 "\n", "exit status", r.exit_status);
	snap = r.snapshot ? runs_db_path(db, r.snapshot) : NULL;
	printf("%-13s %s (%" PRId64 " bytes, %s)\n", "snapshot", snap ? snap : "(none)", r.size,
	       r.hash ? r.hash : "no hash");
	free(snap);
	printf("environment:  %zu variables\n", r.nenv);
	for (size_t i = 0; i < r.nenv; i++) {
		fputs("  ", stdout);
		runs_puts_safe(stdout, r.env[i]);
		fputc('\n', stdout);
	}
	if (r.output)
		runs_show_output(db, r.output);
	runs_record_fini(&r);
	return 0;
}

/* ringside's argv without -o FILE (a rerun is a new run: it goes to the library only). */
static char **
runs_rerun_argv(const struct runs_record *r)
{
	char **v = xcalloc(r->nargv + 1, sizeof(*v));
	size_t n = 0, i = 0;

	for (; i < r->nargv; i++) {
		const char *a = r->argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (i > 0 && (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0)) {
			i++;
			continue;
		}
		if (i > 0 && (strncmp(a, "--output=", 9) == 0 ||
			      (strncmp(a, "-o", 2) == 0 && a[2] && a[1] != '-')))
			continue;
		v[n++] = r->argv[i];
	}
	for (; i < r->nargv; i++)
		v[n++] = r->argv[i];
	return v;
}

/* Start run id's command line again, in its directory and environment: this process becomes it. */
static int
runs_rerun(struct runs_db *db, int64_t id)
{
	struct runs_record r;
	struct errbuf err;
	char **argv, **env;

	errbuf_clear(&err);
	if (runs_db_get(db, id, &r, &err) < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return errbuf_exit_status(&err);
	}
	if (!r.nargv || (r.cwd && chdir(r.cwd) < 0)) {
		fprintf(stderr, "ringside: cannot rerun run %" PRId64 ": %s\n", id,
			r.nargv ? "its directory is gone" : "it has no command line");
		runs_record_fini(&r);
		return 1;
	}
	argv = runs_rerun_argv(&r);
	env = xcalloc(r.nenv + 1, sizeof(*env));
	memcpy(env, r.env, r.nenv * sizeof(*env));
	fprintf(stderr, "ringside: rerunning run %" PRId64 " in %s:", id, r.cwd ? r.cwd : ".");
	for (char **a = argv; *a; a++) {
		fputc(' ', stderr);
		runs_puts_safe(stderr, *a);
	}
	fputc('\n', stderr);
	execve("/proc/self/exe", argv, env);
	fprintf(stderr, "ringside: cannot start ringside again: %s\n", strerror(errno));
	free(argv);
	free(env);
	runs_record_fini(&r);
	return 1;
}

/* --older-than: "30d", "12h", "90m", "45s", "2w", a bare number of days; into *ns. */
static int
runs_parse_age(const char *s, int64_t *ns)
{
	char *end;
	double v;
	double unit = 86400;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !(v >= 0) || v > 1e6)
		return -EINVAL;
	if (*end && end[1])
		return -EINVAL;
	switch (*end) {
	case 's':
		unit = 1;
		break;
	case 'm':
		unit = 60;
		break;
	case 'h':
		unit = 3600;
		break;
	case 'd':
	case '\0':
		break;
	case 'w':
		unit = 7 * 86400;
		break;
	default:
		return -EINVAL;
	}
	*ns = (int64_t)(v * unit * 1e9);
	return 0;
}

static int
runs_prune(struct runs_db *db, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "keep", required_argument, NULL, 'k' },
		{ "older-than", required_argument, NULL, 'a' },
		{ 0 },
	};
	bool keep_set = false;
	int64_t age = -1;
	struct timespec now;
	unsigned long keep = 0;
	struct errbuf err;
	size_t removed;
	char *end;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'k') {
			errno = 0;
			keep = strtoul(optarg, &end, 10);
			if (!*optarg || *end || errno || *optarg == '-')
				goto usage;
			keep_set = true;
		} else if (c == 'a') {
			if (runs_parse_age(optarg, &age) < 0)
				goto usage;
		} else {
			goto usage;
		}
	}
	if ((!keep_set && age < 0) || optind < argc)
		goto usage;
	clock_gettime(CLOCK_REALTIME, &now);
	errbuf_clear(&err);
	if (runs_db_prune(db, keep_set, keep,
			  age < 0 ? 0 : (int64_t)now.tv_sec * 1000000000 + now.tv_nsec - age,
			  &removed, &err) < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return 1;
	}
	fprintf(stderr, "ringside: removed %zu run%s\n", removed, removed == 1 ? "" : "s");
	return 0;
usage:
	fputs("ringside: runs prune takes --keep N (the newest N stay) and/or --older-than AGE "
	      "(30d, 12h, 90m, 45s). Try 'ringside --help'\n",
	      stderr);
	return 2;
}

/* rm ID..., title ID TEXT, tag ID TAG: one change each. */
static int
runs_change(struct runs_db *db, const char *cmd, int argc, char **argv)
{
	struct errbuf err;
	int64_t id;
	int r = 0, rc;

	errbuf_clear(&err);
	for (int i = 1; i < argc && r == 0; i++) {
		rc = runs_arg_id(db, argv[i], &id);
		if (rc)
			return rc;
		if (strcmp(cmd, "rm") == 0)
			r = runs_db_remove(db, id, &err);
		else if (strcmp(cmd, "title") == 0)
			r = runs_db_set_title(db, id, argv[++i], &err);
		else
			r = runs_db_add_tag(db, id, argv[++i], &err);
	}
	if (r < 0) {
		fprintf(stderr, "ringside: %s\n", err.msg);
		return errbuf_exit_status(&err);
	}
	return 0;
}

/* The subcommand's arguments are right in number, else a usage error (exit 2). */
static bool
runs_usage_ok(const char *cmd, int argc)
{
	if (strcmp(cmd, "rm") == 0)
		return argc >= 2;
	if (strcmp(cmd, "title") == 0 || strcmp(cmd, "tag") == 0)
		return argc == 3;
	if (strcmp(cmd, "list") == 0)
		return argc == 1;
	return argc == 2;
}

int
runs_main(int argc, char **argv)
{
	static const char *const cmds[] = {
		"list", "show", "rm", "title", "tag", "rerun", "prune"
	};
	const char *cmd = argc >= 2 ? argv[1] : "list";
	struct runs_db *db;
	bool known = false;
	int64_t id;
	int r;

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		known |= strcmp(cmd, cmds[i]) == 0;
	if (!known || (strcmp(cmd, "prune") != 0 && !runs_usage_ok(cmd, argc > 1 ? argc - 1 : 1))) {
		fprintf(stderr,
			"ringside: runs takes list, show ID, rm ID..., title ID TEXT, tag ID TAG, "
			"rerun ID or prune --keep N|--older-than AGE%s%s%s. Try 'ringside "
			"--help'\n",
			known ? "" : "; not '", known ? "" : cmd, known ? "" : "'");
		return 2;
	}
	db = runs_open();
	if (!db)
		return 1;
	if (strcmp(cmd, "list") == 0)
		r = runs_list(db);
	else if (strcmp(cmd, "prune") == 0)
		r = runs_prune(db, argc - 1, argv + 1);
	else if (strcmp(cmd, "show") == 0 || strcmp(cmd, "rerun") == 0) {
		r = runs_arg_id(db, argv[2], &id);
		if (r == 0)
			r = strcmp(cmd, "show") == 0 ? runs_show(db, id) : runs_rerun(db, id);
	} else
		r = runs_change(db, cmd, argc - 1, argv + 1);
	runs_db_close(db);
	return r;
}
