/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ringside --help's text (usage.c), printed by every command's -h.
 */
#ifndef RINGSIDE_USAGE_H
#define RINGSIDE_USAGE_H

/* The usage summary: commands, options, keys. */
extern const char usage_text[];

#endif
