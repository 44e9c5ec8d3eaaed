/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * 'ringside list': print the event catalog on stdout, grouped, one event a line.
 */
#ifndef RINGSIDE_APP_LISTING_H
#define RINGSIDE_APP_LISTING_H

#include <stdbool.h>

/*
 * List the events whose name or description pattern matches (every event for NULL); with all,
 * also the PMU events that do not open here. Returns the process exit code: 0, or 1 after saying
 * on stderr that nothing matched.
 */
int listing_main(const char *pattern, bool all);

#endif
