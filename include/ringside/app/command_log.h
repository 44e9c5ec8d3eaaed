/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file that takes a launched command's output while the live screen owns the terminal.
 */
#ifndef RINGSIDE_APP_COMMAND_LOG_H
#define RINGSIDE_APP_COMMAND_LOG_H

/*
 * Create a new file of a unique name in $TMPDIR (never a planted one), the sudo user's when
 * ringside runs under sudo, so that they can read their command's output. Returns its descriptor,
 * open for appending, with its name in *path (the caller's to free), or -errno after saying why on
 * stderr (*path is then NULL).
 */
int command_log_open(char **path);
/* Name the file on stderr once the screen is closed, or remove it if it is empty; fd stays open. */
void command_log_done(int fd, const char *path);

#endif
