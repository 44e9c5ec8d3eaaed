/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Counter rates and ratios for display, with no curses: a track's value per interval summed over
 * its CPUs or threads and scaled for multiplexing (count * enabled / running, interval by
 * interval), turned into a rate per second; ratios of two tracks per interval (IPC, CPI, miss
 * rates and the user's NAME=A/B); number formatting with units; sparkline levels.
 */
#ifndef RINGSIDE_VIEW_RATES_H
#define RINGSIDE_VIEW_RATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/counters.h"
#include "ringside/model/ratio.h"

struct profile;

/* One interval of a track, all series summed. */
struct rates_point {
	uint64_t t;   /* interval end, ns since the start */
	uint64_t dt;  /* interval length, ns */
	double value; /* scaled count */
	double share; /* running / enabled (1 when not multiplexed; 0 when never running) */
	bool counted; /* the event ran at some point of the interval */
};

/* Intervals a track has (its first series' length; 0 when unsupported). */
size_t rates_npoints(const struct counter_track *t);
/* Interval i of track t into out; false when i is out of range. */
bool rates_point(const struct counter_track *t, size_t i, struct rates_point *out);
/* The value per second of interval i (NAN when not counted). */
double rates_rate(const struct counter_track *t, size_t i);
/* True when the track counts time in ns (task-clock, cpu-clock): shown as CPUs, not per second. */
bool rates_is_time(const struct counter_track *t);

/* The track that name refers to, by name then canonical name (profile_track_index), or NULL. */
struct counter_track *rates_find_track(const struct profile *p, const char *name);
/*
 * The ratio's value back intervals before the latest one both inputs have (0: the latest), or
 * over the whole recording when back is SIZE_MAX. False (with why, when given, a short
 * reason: "cycles not counted here") when an input is missing or unsupported or the denominator
 * is zero.
 */
bool ratio_value(const struct profile *p, const struct ratio_def *r, size_t back, double *out,
		 const char **why);
/* Intervals the ratio can show (the smaller of its inputs'). */
size_t ratio_npoints(const struct profile *p, const struct ratio_def *r);

/*
 * Format v with an SI suffix into buf: "987", "12.3K", "4.56M", "1.23G" (3 significant digits).
 */
const char *rates_si(double v, char *buf, size_t len);
/*
 * The sparkline level (0..levels-1) of v between lo and hi; level 0 for v <= lo and for NAN;
 * a flat series (hi <= lo) gives the middle level unless it is zero.
 */
int rates_level(double v, double lo, double hi, int levels);

#endif
