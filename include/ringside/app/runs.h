/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The library of runs as the user meets it: 'ringside runs' and its subcommands, the registration
 * of a recording once its snapshot is written, and the @ID, @last, @last~N and @TAG references
 * that view, export and diff take where a snapshot file goes (app/runs_db.h keeps the data).
 */
#ifndef RINGSIDE_APP_RUNS_H
#define RINGSIDE_APP_RUNS_H

#include <stdint.h>

#include "ringside/app/record.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

/* 'ringside runs ...' (argv[0] is "runs"); returns the exit status. */
int runs_main(int argc, char **argv);
/*
 * Where 'record' without -o writes its snapshot: a new name in the library's runs/ directory
 * (created), which registration renames to runs/ID.json. Returns it (the caller's), or NULL with
 * err when the directory cannot be made or written; the database is not opened here.
 */
char *runs_unregistered_path(struct errbuf *err);
/*
 * Register a recording, saying nothing (the live screen's s key): as runs_register, with the new
 * run's id in *id. Returns 0, or -errno with err.
 */
int runs_add(const struct profile *p, const char *written_json, const char *command_log,
	     int64_t *id, struct errbuf *err);
/*
 * Register a finished recording (its snapshot written): the row, and its snapshot in the library
 * (written_json renamed there when it is a snapshot already in runs/, else p written anew), with a
 * copy of the command's output file command_log (may be NULL). Says on stderr what became of it,
 * in one line. Returns 0, or 1 (the exit status) when the run could not be registered.
 */
int runs_register(const struct profile *p, const char *written_json, const char *command_log);
/*
 * The file a snapshot argument names: "@REF" resolved through the library, anything else as it
 * is. Returns 0 and *path (the caller's), or -errno with err.
 */
int runs_resolve_arg(const char *arg, char **path, struct errbuf *err);

#endif
