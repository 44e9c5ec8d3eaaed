/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library of runs: an SQLite database (DIR/runs.db, WAL, a busy timeout, the schema version in
 * user_version and migrated on open) with one row per run and its files beside it (DIR/runs/ID.json
 * the snapshot, DIR/runs/ID.out the launched command's output). Every statement is prepared with
 * bound parameters; one registration is one transaction, so that processes registering at once
 * lose nothing. References name a run: "ID", "last", "last~N" (the Nth before the newest) or a tag.
 */
#ifndef RINGSIDE_APP_RUNS_DB_H
#define RINGSIDE_APP_RUNS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/util/errbuf.h"

struct runs_db;

/* One run. Strings are the owner's (runs_record_fini) except in runs_db_list's callback. */
struct runs_record {
	int64_t id;
	int64_t start_ns; /* wall clock, Unix ns */
	char *host, *kernel;
	int64_t duration_ns, interval_ns;
	char **argv; /* ringside's own command line */
	size_t nargv;
	char *cwd;
	char *target_kind, *target_desc;
	char **command; /* the launched command's argv */
	size_t ncommand;
	char **env; /* the environment ringside ran with (the command's), "K=V" each */
	size_t nenv;
	char *pids, *cpus, *events;
	char *sample_event, *callgraph;
	int64_t freq, period, samples, lost;
	char *end_reason;
	int64_t exit_status; /* the command's, or -1 */
	char *snapshot;	     /* relative to the database's directory, "runs/ID.json" */
	int64_t size;
	char *hash;   /* "fnv1a64:HEX" of the snapshot's bytes */
	char *output; /* "runs/ID.out" or NULL */
	char *title;
	char *tags; /* comma-separated, for display (read only) */
};

enum runs_ref_kind { RUNS_REF_ID, RUNS_REF_LAST, RUNS_REF_TAG };

/* A parsed reference (what follows the '@'). */
struct runs_ref {
	enum runs_ref_kind kind;
	int64_t n;	 /* RUNS_REF_ID: the id; RUNS_REF_LAST: how many before the newest */
	const char *tag; /* RUNS_REF_TAG: borrowed from the text parsed */
};

typedef int (*runs_db_row_fn)(const struct runs_record *r, void *arg);

/* The library's directory: $XDG_DATA_HOME/ringside, else $HOME/.local/share/ringside (caller's). */
char *runs_db_default_dir(void);
/*
 * Parse a reference without its '@': digits an id, "last" or "last~N", anything else a tag (not
 * empty, no '/' or control characters). Returns 0, or -EINVAL with err.
 */
int runs_ref_parse(const char *text, struct runs_ref *ref, struct errbuf *err);
/*
 * Make dir and dir/runs when missing and check that dir/runs can be written, without opening the
 * database (nor loading SQLite). Returns 0, or -errno with err.
 */
int runs_db_make_dir(const char *dir, struct errbuf *err);
/*
 * Open (creating dir, dir/runs and the database when missing) and migrate the schema. Returns 0
 * and *out, or -errno with err saying what is wrong and how to recover (a corrupt file).
 */
int runs_db_open(struct runs_db **out, const char *dir, struct errbuf *err);
/* Close; NULL is fine. */
void runs_db_close(struct runs_db *db);
/* The database's directory (borrowed). */
const char *runs_db_dir(const struct runs_db *db);
/* A file of the library named relative to its directory, as a path (caller's). */
char *runs_db_path(const struct runs_db *db, const char *rel);
/*
 * Register run r in one transaction: the row is inserted, snapshot_tmp (a file in dir/runs) is
 * renamed to runs/ID.json and output_tmp (may be NULL) to runs/ID.out, its size and hash recorded.
 * On failure nothing is renamed. Returns 0 and *id, or -errno with err.
 */
int runs_db_add(struct runs_db *db, const struct runs_record *r, const char *snapshot_tmp,
		const char *output_tmp, int64_t *id, struct errbuf *err);
/* Run id whole into *out (runs_record_fini it). Returns 0, -ENOENT or -errno with err. */
int runs_db_get(struct runs_db *db, int64_t id, struct runs_record *out, struct errbuf *err);
/*
 * Call fn for each run, newest first, with id, start_ns, target_desc, duration_ns, samples, size,
 * title and tags set (borrowed for the call). fn returning non-zero stops. Returns 0 or -errno.
 */
int runs_db_list(struct runs_db *db, runs_db_row_fn fn, void *arg, struct errbuf *err);
/* Remove run id's row, then its files. Returns 0, -ENOENT or -errno with err. */
int runs_db_remove(struct runs_db *db, int64_t id, struct errbuf *err);
/* Set run id's title (NULL or "" clears it). Returns 0, -ENOENT or -errno with err. */
int runs_db_set_title(struct runs_db *db, int64_t id, const char *title, struct errbuf *err);
/* Tag run id (a tag already there is fine). Returns 0, -ENOENT or -errno with err. */
int runs_db_add_tag(struct runs_db *db, int64_t id, const char *tag, struct errbuf *err);
/* The run a reference names into *id. Returns 0, -ENOENT with err, or -errno. */
int runs_db_resolve(struct runs_db *db, const struct runs_ref *ref, int64_t *id,
		    struct errbuf *err);
/*
 * Remove the runs beyond the newest keep (when keep_set), and those started before before_ns (when
 * not 0). *removed counts them. Returns 0 or -errno with err.
 */
int runs_db_prune(struct runs_db *db, bool keep_set, size_t keep, int64_t before_ns,
		  size_t *removed, struct errbuf *err);
/* Free the strings of r and zero it. */
void runs_record_fini(struct runs_record *r);

#endif
