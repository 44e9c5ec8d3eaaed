// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The library of runs in SQLite, through its C API: prepared statements with bound parameters
 * only, WAL so that readers never wait for a writer, a busy timeout so that writers queue rather
 * than fail, one IMMEDIATE transaction per change, and the schema version in user_version with the
 * migrations from it applied on open. The files of a run are renamed into place inside its
 * registration's transaction and put back when the commit fails. SQLite is loaded (dlopen) by the
 * first open, not at start: linked, it cost every live screen ~240 KiB of resident memory for a
 * database it touches only when a snapshot is saved.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ringside/app/runs_db.h"
#include "ringside/util/xalloc.h"

enum { RUNS_DB_BUSY_MS = 10000 };

struct runs_db {
	sqlite3 *sql;
	char *dir, *path;
};

/* The SQLite functions the library calls (sqlite3_ each), resolved by runs_sql_load. */
/* clang-format off */
#define RUNS_SQL_FNS(X)                                                                            \
	X(open_v2) X(close) X(busy_timeout) X(errmsg) X(errstr) X(exec) X(prepare_v2) X(step)      \
	X(finalize) X(changes) X(last_insert_rowid) X(bind_parameter_count) X(bind_blob64)         \
	X(bind_int) X(bind_int64) X(bind_null) X(bind_text) X(column_blob) X(column_bytes)         \
	X(column_int) X(column_int64) X(column_text)
/* clang-format on */

/* Each function as a pointer typed from <sqlite3.h>'s prototype, so that every call is checked. */
#define RUNS_SQL_FIELD(f) __typeof__(sqlite3_##f) *f;
static struct {
	void *lib;
	RUNS_SQL_FNS(RUNS_SQL_FIELD)
} runs_sql;

/* Set runs_sql.f from sqlite3_f (as dlsym(3) shows); the first one missing goes in miss. */
#define RUNS_SQL_SYM(f)                                                                            \
	*(void **)&runs_sql.f = dlsym(runs_sql.lib, "sqlite3_" #f);                                \
	if (!runs_sql.f && !miss)                                                                  \
		miss = "sqlite3_" #f;

/* Load libsqlite3.so.0 the first time (never unloaded); 0, or -EIO with what to install. */
static int
runs_sql_load(struct errbuf *err)
{
	static bool loaded;
	const char *miss = NULL;

	if (loaded)
		return 0;
	if (!runs_sql.lib)
		runs_sql.lib = dlopen("libsqlite3.so.0", RTLD_NOW | RTLD_LOCAL);
	if (!runs_sql.lib)
		return errbuf_fail_as(err, ERRBUF_RUNTIME, -EIO,
				      "the runs library needs SQLite, which did not load (%s); "
				      "install libsqlite3-0",
				      dlerror());
	RUNS_SQL_FNS(RUNS_SQL_SYM)
	if (miss)
		return errbuf_fail_as(err, ERRBUF_RUNTIME, -EIO,
				      "the runs library needs SQLite 3.22 or later, and this "
				      "libsqlite3.so.0 has no %s; install libsqlite3-0",
				      miss);
	loaded = true;
	return 0;
}

/* Each entry takes the schema from the version before it to its index + 1 (user_version). */
static const char *const runs_db_migrations[] = {
	/* The large columns in a table of their own: listing the runs reads none of them. */
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, start_ns INTEGER, duration_ns INTEGER,"
	" samples INTEGER, size INTEGER, title TEXT, target_desc TEXT, host TEXT, kernel TEXT,"
	" interval_ns INTEGER, cwd TEXT, target_kind TEXT, pids TEXT, cpus TEXT, events TEXT,"
	" sample_event TEXT, callgraph TEXT, freq INTEGER, period INTEGER, lost INTEGER,"
	" end_reason TEXT, exit_status INTEGER, snapshot TEXT, hash TEXT, output TEXT);"
	"CREATE TABLE run_args (run INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,"
	" argv BLOB, command BLOB, env BLOB);"
	"CREATE TABLE tags (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL, PRIMARY KEY (run, tag));"
	"CREATE INDEX tags_by_tag ON tags(tag, run);"
	"PRAGMA user_version = 1;",
};

#define RUNS_DB_VERSION ((int)(sizeof(runs_db_migrations) / sizeof(runs_db_migrations[0])))

/* The columns runs_db_get reads, in runs_db_row's order. */
#define RUNS_DB_COLUMNS                                                                            \
	"runs.id, start_ns, host, kernel, duration_ns, interval_ns, argv, cwd, target_kind,"       \
	" target_desc, command, env, pids, cpus, events, sample_event, callgraph, freq, period,"   \
	" samples, lost, end_reason, exit_status, snapshot, size, hash, output, title,"            \
	" (SELECT group_concat(tag, ',') FROM tags WHERE run = runs.id)"

char *
runs_db_default_dir(void)
{
	const char *x = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (x && x[0] == '/')
		return xasprintf("%s/ringside", x);
	return xasprintf("%s/.local/share/ringside", home && *home ? home : ".");
}

int
runs_ref_parse(const char *text, struct runs_ref *ref, struct errbuf *err)
{
	char *end;

	memset(ref, 0, sizeof(*ref));
	if (*text >= '0' && *text <= '9') {
		errno = 0;
		ref->kind = RUNS_REF_ID;
		ref->n = strtoll(text, &end, 10);
		if (*end || errno || ref->n <= 0)
			return errbuf_fail(err, -EINVAL,
					   "'@%s' is no run: a run is @ID (a positive number), "
					   "@last, @last~N or @TAG",
					   text);
		return 0;
	}
	if (strncmp(text, "last", 4) == 0 && (text[4] == '\0' || text[4] == '~')) {
		ref->kind = RUNS_REF_LAST;
		if (text[4] == '\0')
			return 0;
		errno = 0;
		ref->n = strtoll(text + 5, &end, 10);
		if (text[5] < '0' || text[5] > '9' || *end || errno || ref->n > INT_MAX)
			return errbuf_fail(err, -EINVAL,
					   "'@%s': after @last~ comes how many runs before the "
					   "last, e.g. @last~1",
					   text);
		return 0;
	}
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '/' || *c == ',')
			return errbuf_fail(err, -EINVAL,
					   "a tag has no '/', ',' or control characters");
	if (!*text)
		return errbuf_fail(err, -EINVAL, "'@' needs a run: @ID, @last, @last~N or @TAG");
	ref->kind = RUNS_REF_TAG;
	ref->tag = text;
	return 0;
}

/* Record what SQLite said about rc while doing what, with the way out when the file is at fault. */
static int
runs_db_fail(struct runs_db *db, int rc, const char *what, struct errbuf *err)
{
	const char *msg = db && db->sql ? runs_sql.errmsg(db->sql) : runs_sql.errstr(rc);
	const char *path = db ? db->path : "runs.db";

	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return errbuf_fail_as(err, ERRBUF_RUNTIME, -EIO,
				      "the runs database %s is damaged (%s, %s); move it aside "
				      "(mv %s %s.bad) and ringside starts a new one",
				      path, msg, what, path, path);
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return errbuf_fail_as(err, ERRBUF_RUNTIME, -EBUSY,
				      "the runs database %s stayed locked by another process for "
				      "%d s (%s); try again",
				      path, RUNS_DB_BUSY_MS / 1000, what);
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		return errbuf_fail_as(err, ERRBUF_RUNTIME, -EROFS,
				      "cannot write the runs database %s (%s, %s); make its "
				      "directory writable or set XDG_DATA_HOME",
				      path, msg, what);
	case SQLITE_FULL:
		return errbuf_fail_as(err, ERRBUF_RUNTIME, -ENOSPC,
				      "the runs database %s: the disk is full (%s); free space or "
				      "prune runs",
				      path, what);
	default:
		return errbuf_fail_as(err, ERRBUF_RUNTIME, -EIO, "the runs database %s: %s (%s)",
				      path, msg, what);
	}
}

/* Run static SQL (no parameters). */
static int
runs_db_exec(struct runs_db *db, const char *sql, const char *what, struct errbuf *err)
{
	int rc = runs_sql.exec(db->sql, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : runs_db_fail(db, rc, what, err);
}

static int
runs_db_prepare(struct runs_db *db, const char *sql, sqlite3_stmt **st, struct errbuf *err)
{
	int rc = runs_sql.prepare_v2(db->sql, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : runs_db_fail(db, rc, "preparing a statement", err);
}

/* mkdir -p path, new directories 0700. Returns 0 or -errno. */
static int
runs_db_mkdirs(const char *path)
{
	char *p = xstrdup(path);
	int r = 0;

	for (char *c = p + 1; r == 0; c++) {
		if (*c != '/' && *c != '\0')
			continue;
		char save = *c;

		*c = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			r = -errno;
		*c = save;
		if (!save)
			break;
	}
	free(p);
	return r;
}

/* The schema version on disk into *version. */
static int
runs_db_version(struct runs_db *db, int *version, struct errbuf *err)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	*version = 0;
	r = runs_db_prepare(db, "PRAGMA user_version", &st, err);
	if (r == 0) {
		rc = runs_sql.step(st);
		if (rc == SQLITE_ROW)
			*version = runs_sql.column_int(st, 0);
		else
			r = runs_db_fail(db, rc, "reading the schema version", err);
	}
	runs_sql.finalize(st);
	return r;
}

/* The migrations from the version on disk up to ours, in one transaction (none when current). */
static int
runs_db_migrate(struct runs_db *db, struct errbuf *err)
{
	int r, version;

	r = runs_db_version(db, &version, err);
	if (r < 0 || version == RUNS_DB_VERSION)
		return r;
	r = runs_db_exec(db, "BEGIN IMMEDIATE", "starting the schema migration", err);
	if (r < 0)
		return r;
	/* Another process may have migrated it meanwhile. */
	r = runs_db_version(db, &version, err);
	if (r == 0 && version > RUNS_DB_VERSION)
		r = errbuf_fail_as(err, ERRBUF_RUNTIME, -EPROTO,
				   "the runs database %s is of schema %d, newer than this "
				   "ringside's %d; use the newer ringside",
				   db->path, version, RUNS_DB_VERSION);
	for (int v = version; r == 0 && v < RUNS_DB_VERSION; v++)
		r = runs_db_exec(db, runs_db_migrations[v], "migrating the schema", err);
	if (r == 0)
		return runs_db_exec(db, "COMMIT", "committing the schema", err);
	runs_sql.exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* dir/runs made when missing (and, with writable, writable); 0 or -errno with err. */
static int
runs_db_make_runs(const char *dir, bool writable, struct errbuf *err)
{
	char *runs = xasprintf("%s/runs", dir);
	int r = runs_db_mkdirs(runs);

	if (r == 0 && writable && access(runs, W_OK) < 0)
		r = -errno;
	free(runs);
	if (r < 0)
		return errbuf_fail_as(
			err, ERRBUF_RUNTIME, r,
			"cannot create the runs library %s/runs: %s; make it writable "
			"or set XDG_DATA_HOME",
			dir, strerror(-r));
	return 0;
}

int
runs_db_make_dir(const char *dir, struct errbuf *err)
{
	return runs_db_make_runs(dir, true, err);
}

int
runs_db_open(struct runs_db **out, const char *dir, struct errbuf *err)
{
	struct runs_db *db = xcalloc(1, sizeof(*db));
	int r, rc, fd;

	*out = NULL;
	db->dir = xstrdup(dir);
	db->path = xasprintf("%s/runs.db", dir);
	r = runs_db_make_runs(dir, false, err);
	if (r == 0)
		r = runs_sql_load(err);
	if (r < 0)
		goto fail;
	/* Created here first, so that it (and SQLite's -wal and -shm after it) is 0600. */
	fd = open(db->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0)
		close(fd);
	rc = runs_sql.open_v2(db->path, &db->sql, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		r = runs_db_fail(db, rc, "opening it", err);
		goto fail;
	}
	runs_sql.busy_timeout(db->sql, RUNS_DB_BUSY_MS);
	r = runs_db_exec(db, "PRAGMA journal_mode = WAL", "turning on WAL", err);
	if (r == 0)
		r = runs_db_exec(db, "PRAGMA foreign_keys = ON", "turning on foreign keys", err);
	if (r == 0)
		r = runs_db_migrate(db, err);
	if (r < 0)
		goto fail;
	*out = db;
	return 0;
fail:
	runs_db_close(db);
	return r;
}

void
runs_db_close(struct runs_db *db)
{
	if (!db)
		return;
	if (db->sql)
		runs_sql.close(db->sql);
	free(db->dir);
	free(db->path);
	free(db);
}

const char *
runs_db_dir(const struct runs_db *db)
{
	return db->dir;
}

char *
runs_db_path(const struct runs_db *db, const char *rel)
{
	return xasprintf("%s/%s", db->dir, rel);
}

/* Strings one after the other, each with its NUL, as one blob (NULL when there are none). */
static int
runs_db_bind_strv(sqlite3_stmt *st, int i, char *const *v, size_t n)
{
	size_t len = 0, at = 0;
	char *blob;

	if (!n)
		return runs_sql.bind_null(st, i);
	for (size_t k = 0; k < n; k++)
		len += strlen(v[k]) + 1;
	blob = xmalloc(len);
	for (size_t k = 0; k < n; k++) {
		size_t l = strlen(v[k]) + 1;

		memcpy(blob + at, v[k], l);
		at += l;
	}
	return runs_sql.bind_blob64(st, i, blob, len, free);
}

/* The strings of a blob bound by runs_db_bind_strv. */
static char **
runs_db_column_strv(sqlite3_stmt *st, int i, size_t *n)
{
	const char *b = runs_sql.column_blob(st, i);
	int len = runs_sql.column_bytes(st, i);
	char **v = NULL;

	*n = 0;
	for (int at = 0; b && at < len;) {
		const char *nul = memchr(b + at, '\0', (size_t)(len - at));
		size_t l = nul ? (size_t)(nul - (b + at)) : (size_t)(len - at);

		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = xstrndup(b + at, l);
		at += (int)l + 1;
	}
	return v;
}

static int
runs_db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? runs_sql.bind_text(st, i, s, -1, SQLITE_TRANSIENT) : runs_sql.bind_null(st, i);
}

static char *
runs_db_column_text(sqlite3_stmt *st, int i)
{
	const unsigned char *t = runs_sql.column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

/* The size and FNV-1a 64 hash of a file (it tells copies and changes apart; it is no seal). */
static int
runs_db_hash_file(const char *path, int64_t *size, char **hash)
{
	uint64_t h = 0xcbf29ce484222325ull;
	unsigned char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*size = 0;
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ull;
		*size += n;
	}
	n = n < 0 ? -errno : 0;
	close(fd);
	*hash = xasprintf("fnv1a64:%016" PRIx64, h);
	return (int)n;
}

/* Bind every column of r but the files' and the large ones to INSERT's parameters 1..20. */
static int
runs_db_bind_record(sqlite3_stmt *st, const struct runs_record *r)
{
	int rc = 0;

	rc |= runs_sql.bind_int64(st, 1, r->start_ns);
	rc |= runs_db_bind_text(st, 2, r->host);
	rc |= runs_db_bind_text(st, 3, r->kernel);
	rc |= runs_sql.bind_int64(st, 4, r->duration_ns);
	rc |= runs_sql.bind_int64(st, 5, r->interval_ns);
	rc |= runs_db_bind_text(st, 6, r->cwd);
	rc |= runs_db_bind_text(st, 7, r->target_kind);
	rc |= runs_db_bind_text(st, 8, r->target_desc);
	rc |= runs_db_bind_text(st, 9, r->pids);
	rc |= runs_db_bind_text(st, 10, r->cpus);
	rc |= runs_db_bind_text(st, 11, r->events);
	rc |= runs_db_bind_text(st, 12, r->sample_event);
	rc |= runs_db_bind_text(st, 13, r->callgraph);
	rc |= runs_sql.bind_int64(st, 14, r->freq);
	rc |= runs_sql.bind_int64(st, 15, r->period);
	rc |= runs_sql.bind_int64(st, 16, r->samples);
	rc |= runs_sql.bind_int64(st, 17, r->lost);
	rc |= runs_db_bind_text(st, 18, r->end_reason);
	rc |= runs_sql.bind_int64(st, 19, r->exit_status);
	rc |= runs_db_bind_text(st, 20, r->title);
	return rc;
}

/* Run an INSERT prepared from sql with bind's parameters. */
static int
runs_db_insert_one(struct runs_db *db, const char *sql, const struct runs_record *rec, int64_t id,
		   struct errbuf *err)
{
	sqlite3_stmt *st;
	int r, rc;

	r = runs_db_prepare(db, sql, &st, err);
	if (r < 0)
		return r;
	if (id) {
		rc = runs_sql.bind_int64(st, 1, id);
		rc |= runs_db_bind_strv(st, 2, rec->argv, rec->nargv);
		rc |= runs_db_bind_strv(st, 3, rec->command, rec->ncommand);
		rc |= runs_db_bind_strv(st, 4, rec->env, rec->nenv);
	} else {
		rc = runs_db_bind_record(st, rec);
	}
	if (rc == SQLITE_OK)
		rc = runs_sql.step(st);
	runs_sql.finalize(st);
	return rc == SQLITE_DONE ? 0 : runs_db_fail(db, rc, "adding the run", err);
}

/* Insert rec's rows; *id is its id. */
static int
runs_db_insert(struct runs_db *db, const struct runs_record *rec, int64_t *id, struct errbuf *err)
{
	static const char sql[] =
		"INSERT INTO runs (start_ns, host, kernel, duration_ns, interval_ns, cwd,"
		" target_kind, target_desc, pids, cpus, events, sample_event, callgraph, freq,"
		" period, samples, lost, end_reason, exit_status, title)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19, ?20)";
	int r;

	r = runs_db_insert_one(db, sql, rec, 0, err);
	if (r < 0)
		return r;
	*id = runs_sql.last_insert_rowid(db->sql);
	return runs_db_insert_one(db,
				  "INSERT INTO run_args (run, argv, command, env)"
				  " VALUES (?1, ?2, ?3, ?4)",
				  rec, *id, err);
}

/* Name run id's files in its row. */
static int
runs_db_set_files(struct runs_db *db, int64_t id, const char *snap, int64_t size, const char *hash,
		  const char *output, struct errbuf *err)
{
	sqlite3_stmt *st;
	int r, rc;

	r = runs_db_prepare(db,
			    "UPDATE runs SET snapshot = ?1, size = ?2, hash = ?3, output = ?4"
			    " WHERE id = ?5",
			    &st, err);
	if (r < 0)
		return r;
	rc = runs_db_bind_text(st, 1, snap);
	rc |= runs_sql.bind_int64(st, 2, size);
	rc |= runs_db_bind_text(st, 3, hash);
	rc |= runs_db_bind_text(st, 4, output);
	rc |= runs_sql.bind_int64(st, 5, id);
	if (rc == SQLITE_OK)
		rc = runs_sql.step(st);
	runs_sql.finalize(st);
	return rc == SQLITE_DONE ? 0 : runs_db_fail(db, rc, "naming the run's files", err);
}

/* Rename from into the library as rel; returns 0 or -errno with err. */
static int
runs_db_adopt(struct runs_db *db, const char *from, const char *rel, struct errbuf *err)
{
	char *to = runs_db_path(db, rel);
	int r = rename(from, to) == 0 ? 0 : -errno;

	if (r < 0)
		errbuf_fail_as(err, ERRBUF_RUNTIME, r, "cannot move %s to %s: %s", from, to,
			       strerror(-r));
	free(to);
	return r;
}

/* Put a file runs_db_adopt moved back where it was. */
static void
runs_db_unadopt(struct runs_db *db, const char *rel, const char *from)
{
	char *to = runs_db_path(db, rel);

	if (rename(to, from) < 0)
		unlink(to);
	free(to);
}

int
runs_db_add(struct runs_db *db, const struct runs_record *r, const char *snapshot_tmp,
	    const char *output_tmp, int64_t *id, struct errbuf *err)
{
	char *hash = NULL, *snap = NULL, *out = NULL;
	bool snap_moved = false, out_moved = false;
	int64_t size;
	int rc;

	rc = runs_db_hash_file(snapshot_tmp, &size, &hash);
	if (rc < 0) {
		free(hash);
		return errbuf_fail_as(err, ERRBUF_RUNTIME, rc, "cannot read %s: %s", snapshot_tmp,
				      strerror(-rc));
	}
	rc = runs_db_exec(db, "BEGIN IMMEDIATE", "starting the registration", err);
	if (rc < 0)
		goto out;
	rc = runs_db_insert(db, r, id, err);
	if (rc == 0) {
		snap = xasprintf("runs/%" PRId64 ".json", *id);
		rc = runs_db_adopt(db, snapshot_tmp, snap, err);
		snap_moved = rc == 0;
	}
	if (rc == 0 && output_tmp) {
		out = xasprintf("runs/%" PRId64 ".out", *id);
		rc = runs_db_adopt(db, output_tmp, out, err);
		out_moved = rc == 0;
	}
	if (rc == 0)
		rc = runs_db_set_files(db, *id, snap, size, hash, out, err);
	if (rc == 0)
		rc = runs_db_exec(db, "COMMIT", "committing the registration", err);
	if (rc < 0) {
		runs_sql.exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
		if (snap_moved)
			runs_db_unadopt(db, snap, snapshot_tmp);
		if (out_moved)
			runs_db_unadopt(db, out, output_tmp);
	}
out:
	free(hash);
	free(snap);
	free(out);
	return rc;
}

/* Fill r from a row of RUNS_DB_COLUMNS. */
static void
runs_db_row(sqlite3_stmt *st, struct runs_record *r)
{
	r->id = runs_sql.column_int64(st, 0);
	r->start_ns = runs_sql.column_int64(st, 1);
	r->host = runs_db_column_text(st, 2);
	r->kernel = runs_db_column_text(st, 3);
	r->duration_ns = runs_sql.column_int64(st, 4);
	r->interval_ns = runs_sql.column_int64(st, 5);
	r->argv = runs_db_column_strv(st, 6, &r->nargv);
	r->cwd = runs_db_column_text(st, 7);
	r->target_kind = runs_db_column_text(st, 8);
	r->target_desc = runs_db_column_text(st, 9);
	r->command = runs_db_column_strv(st, 10, &r->ncommand);
	r->env = runs_db_column_strv(st, 11, &r->nenv);
	r->pids = runs_db_column_text(st, 12);
	r->cpus = runs_db_column_text(st, 13);
	r->events = runs_db_column_text(st, 14);
	r->sample_event = runs_db_column_text(st, 15);
	r->callgraph = runs_db_column_text(st, 16);
	r->freq = runs_sql.column_int64(st, 17);
	r->period = runs_sql.column_int64(st, 18);
	r->samples = runs_sql.column_int64(st, 19);
	r->lost = runs_sql.column_int64(st, 20);
	r->end_reason = runs_db_column_text(st, 21);
	r->exit_status = runs_sql.column_int64(st, 22);
	r->snapshot = runs_db_column_text(st, 23);
	r->size = runs_sql.column_int64(st, 24);
	r->hash = runs_db_column_text(st, 25);
	r->output = runs_db_column_text(st, 26);
	r->title = runs_db_column_text(st, 27);
	r->tags = runs_db_column_text(st, 28);
}

static int
runs_db_no_run(int64_t id, struct errbuf *err)
{
	return errbuf_fail(err, -ENOENT, "there is no run %" PRId64 "; 'ringside runs' lists them",
			   id);
}

int
runs_db_get(struct runs_db *db, int64_t id, struct runs_record *out, struct errbuf *err)
{
	sqlite3_stmt *st;
	int r, rc;

	memset(out, 0, sizeof(*out));
	r = runs_db_prepare(db,
			    "SELECT " RUNS_DB_COLUMNS
			    " FROM runs LEFT JOIN run_args ON run_args.run = runs.id"
			    " WHERE runs.id = ?1",
			    &st, err);
	if (r < 0)
		return r;
	runs_sql.bind_int64(st, 1, id);
	rc = runs_sql.step(st);
	if (rc == SQLITE_ROW)
		runs_db_row(st, out);
	runs_sql.finalize(st);
	if (rc == SQLITE_DONE)
		return runs_db_no_run(id, err);
	return rc == SQLITE_ROW ? 0 : runs_db_fail(db, rc, "reading a run", err);
}

int
runs_db_list(struct runs_db *db, runs_db_row_fn fn, void *arg, struct errbuf *err)
{
	sqlite3_stmt *st;
	int r, rc;

	r = runs_db_prepare(db,
			    "SELECT id, start_ns, target_desc, duration_ns, samples, size, title,"
			    " (SELECT group_concat(tag, ',') FROM tags WHERE run = runs.id)"
			    " FROM runs ORDER BY id DESC",
			    &st, err);
	if (r < 0)
		return r;
	while ((rc = runs_sql.step(st)) == SQLITE_ROW) {
		struct runs_record rec = {
			.id = runs_sql.column_int64(st, 0),
			.start_ns = runs_sql.column_int64(st, 1),
			.target_desc = (char *)runs_sql.column_text(st, 2),
			.duration_ns = runs_sql.column_int64(st, 3),
			.samples = runs_sql.column_int64(st, 4),
			.size = runs_sql.column_int64(st, 5),
			.title = (char *)runs_sql.column_text(st, 6),
			.tags = (char *)runs_sql.column_text(st, 7),
		};

		if (fn(&rec, arg))
			break;
	}
	runs_sql.finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : runs_db_fail(db, rc, "listing", err);
}

/* Run a one-parameter statement on run id; -ENOENT when it changed no row. */
static int
runs_db_change(struct runs_db *db, const char *sql, int64_t id, const char *text, const char *what,
	       struct errbuf *err)
{
	sqlite3_stmt *st;
	int r, rc;

	r = runs_db_prepare(db, sql, &st, err);
	if (r < 0)
		return r;
	rc = runs_sql.bind_int64(st, 1, id);
	if (rc == SQLITE_OK && runs_sql.bind_parameter_count(st) >= 2)
		rc = runs_db_bind_text(st, 2, text);
	if (rc == SQLITE_OK)
		rc = runs_sql.step(st);
	runs_sql.finalize(st);
	if (rc != SQLITE_DONE)
		return runs_db_fail(db, rc, what, err);
	return runs_sql.changes(db->sql) ? 0 : runs_db_no_run(id, err);
}

/* Unlink a library file named relative to the directory (NULL: none). */
static void
runs_db_unlink(struct runs_db *db, const char *rel)
{
	char *p;

	if (!rel)
		return;
	p = runs_db_path(db, rel);
	if (unlink(p) < 0 && errno != ENOENT)
		fprintf(stderr, "ringside: cannot remove %s: %s\n", p, strerror(errno));
	free(p);
}

int
runs_db_remove(struct runs_db *db, int64_t id, struct errbuf *err)
{
	struct runs_record rec;
	int r;

	r = runs_db_get(db, id, &rec, err);
	if (r < 0)
		return r;
	r = runs_db_change(db, "DELETE FROM runs WHERE id = ?1", id, NULL, "removing a run", err);
	if (r == 0) {
		runs_db_unlink(db, rec.snapshot);
		runs_db_unlink(db, rec.output);
	}
	runs_record_fini(&rec);
	return r;
}

int
runs_db_set_title(struct runs_db *db, int64_t id, const char *title, struct errbuf *err)
{
	return runs_db_change(db, "UPDATE runs SET title = ?2 WHERE id = ?1", id,
			      title && *title ? title : NULL, "setting the title", err);
}

int
runs_db_add_tag(struct runs_db *db, int64_t id, const char *tag, struct errbuf *err)
{
	struct runs_record rec;
	struct errbuf again;
	int r;

	r = runs_db_get(db, id, &rec, err);
	runs_record_fini(&rec);
	if (r < 0)
		return r;
	/* A tag there already changes no row: that is fine too. */
	errbuf_clear(&again);
	r = runs_db_change(db, "INSERT OR IGNORE INTO tags (run, tag) VALUES (?1, ?2)", id, tag,
			   "tagging", &again);
	if (r < 0 && r != -ENOENT)
		return errbuf_fail_as(err, again.class, r, "%s", again.msg);
	return 0;
}

int
runs_db_resolve(struct runs_db *db, const struct runs_ref *ref, int64_t *id, struct errbuf *err)
{
	static const char *const sql[] = {
		[RUNS_REF_ID] = "SELECT id FROM runs WHERE id = ?1",
		[RUNS_REF_LAST] = "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?1",
		[RUNS_REF_TAG] = "SELECT run FROM tags WHERE tag = ?2 ORDER BY run DESC LIMIT 1",
	};
	sqlite3_stmt *st;
	int r, rc;

	r = runs_db_prepare(db, sql[ref->kind], &st, err);
	if (r < 0)
		return r;
	if (ref->kind == RUNS_REF_TAG)
		rc = runs_db_bind_text(st, 2, ref->tag);
	else
		rc = runs_sql.bind_int64(st, 1, ref->n);
	if (rc == SQLITE_OK)
		rc = runs_sql.step(st);
	if (rc == SQLITE_ROW)
		*id = runs_sql.column_int64(st, 0);
	runs_sql.finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	if (rc != SQLITE_DONE)
		return runs_db_fail(db, rc, "finding a run", err);
	if (ref->kind == RUNS_REF_TAG)
		return errbuf_fail(err, -ENOENT,
				   "no run is tagged '%s'; 'ringside runs' lists them", ref->tag);
	if (ref->kind == RUNS_REF_LAST)
		return errbuf_fail(err, -ENOENT,
				   "there are not %" PRId64 " runs in the library; 'ringside runs' "
				   "lists them",
				   ref->n + 1);
	return runs_db_no_run(ref->n, err);
}

int
runs_db_prune(struct runs_db *db, bool keep_set, size_t keep, int64_t before_ns, size_t *removed,
	      struct errbuf *err)
{
	sqlite3_stmt *st;
	int64_t *ids = NULL;
	size_t n = 0;
	int r, rc;

	*removed = 0;
	r = runs_db_prepare(db,
			    "SELECT id FROM runs WHERE (?1 AND id NOT IN (SELECT id FROM runs"
			    " ORDER BY id DESC LIMIT ?2)) OR (?3 > 0 AND start_ns < ?3)",
			    &st, err);
	if (r < 0)
		return r;
	runs_sql.bind_int(st, 1, keep_set);
	runs_sql.bind_int64(st, 2, (int64_t)(keep > INT64_MAX ? INT64_MAX : keep));
	runs_sql.bind_int64(st, 3, before_ns);
	while ((rc = runs_sql.step(st)) == SQLITE_ROW) {
		ids = xreallocarray(ids, n + 1, sizeof(*ids));
		ids[n++] = runs_sql.column_int64(st, 0);
	}
	runs_sql.finalize(st);
	if (rc != SQLITE_DONE)
		r = runs_db_fail(db, rc, "choosing runs to prune", err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct errbuf one;

		errbuf_clear(&one);
		r = runs_db_remove(db, ids[i], &one);
		if (r == -ENOENT) /* another process removed it first */
			r = 0;
		else if (r == 0)
			(*removed)++;
		else
			errbuf_fail_as(err, one.class, r, "%s", one.msg);
	}
	free(ids);
	return r;
}

static void
runs_db_free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
runs_record_fini(struct runs_record *r)
{
	char **s[] = { &r->host,	 &r->kernel,	&r->cwd,	&r->target_kind,
		       &r->target_desc,	 &r->pids,	&r->cpus,	&r->events,
		       &r->sample_event, &r->callgraph, &r->end_reason, &r->snapshot,
		       &r->hash,	 &r->output,	&r->title,	&r->tags };

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
		free(*s[i]);
	runs_db_free_strv(r->argv, r->nargv);
	runs_db_free_strv(r->command, r->ncommand);
	runs_db_free_strv(r->env, r->nenv);
	memset(r, 0, sizeof(*r));
}
