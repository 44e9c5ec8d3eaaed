/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'ringside recover': the snapshot of a recording that ended uncleanly, rebuilt from its journal.
 */
#ifndef RINGSIDE_APP_RECOVER_H
#define RINGSIDE_APP_RECOVER_H

#include <stdbool.h>

/*
 * Rebuild the profile in the journal at path (every whole interval) and write it to out, or to the
 * output the journal was kept for when out is NULL; say on stderr what was recovered and what was
 * lost at the tail. The journal is removed once the snapshot is written, unless keep. Returns the
 * exit code: 0, 1 (writing failed), 2 (not a journal: missing, empty, corrupt).
 */
int recover_main(const char *path, const char *out, bool keep);

#endif
