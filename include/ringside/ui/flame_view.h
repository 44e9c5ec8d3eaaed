/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the Flamegraph view shares with the flame chart drawn inside it (ui/flamechart_view): a
 * frame's colour slot and its label.
 */
#ifndef RINGSIDE_UI_FLAME_VIEW_H
#define RINGSIDE_UI_FLAME_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "ringside/model/frametab.h"
#include "ringside/view/theme.h"

/* The theme slot of a frame of kind. */
enum theme_slot flame_view_slot(enum frame_kind kind);
/* A frame's label: its name, with the pid or tid of a process or thread ("exited" when folded). */
void flame_view_label(const struct frametab *ft, uint32_t frame, char *buf, size_t len);

#endif
