/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'ringside annotate FILE FUNCTION': the annotated source and disassembly of one function of a
 * snapshot, printed as text (like perf annotate --stdio), and the one lookup from a profile's
 * frame to its annotation that the screen uses too.
 */
#ifndef RINGSIDE_APP_ANNOTATE_CMD_H
#define RINGSIDE_APP_ANNOTATE_CMD_H

#include <stdint.h>

#include "ringside/model/profile.h"
#include "ringside/sym/annotate.h"

/*
 * The frame whose sampled addresses annotate frame: itself, or for a frame without addresses (an
 * inlined function) the frame of the same name and module with the most samples; UINT32_MAX when
 * none has any.
 */
uint32_t annotate_cmd_target(const struct profile *p, uint32_t frame);
/* The annotation of frame in p (the caller's; never NULL: notes say what is missing). */
struct annotate *annotate_cmd_frame(const struct profile *p, uint32_t frame,
				    const struct annotate_opts *opts);
/*
 * Print the annotation of the function named function in snapshot file; failures are said on
 * stderr. Returns the exit code (0, 2 for an unreadable snapshot or an unknown function).
 */
int annotate_cmd_main(const char *file, const char *function, const struct annotate_opts *opts);

#endif
