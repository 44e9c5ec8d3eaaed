// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libhot.so: hot_mix, the hot function of the known call tree (tests/workloads/calltree.c calls it
 * from c()). Built -O2 with frame pointers; hot_mix makes no calls, and GCC gives such a leaf no
 * frame even with -fno-omit-frame-pointer, which would make a frame-pointer unwinder skip its
 * caller c(). Naming the frame address forces the usual push %rbp; mov %rsp,%rbp. Built again as
 * libhot-nofp.so with -fomit-frame-pointer -DCALLTREE_NO_FRAMES: no frame at all.
 */
#include <stdint.h>

#include "libhot.h"

__attribute__((noipa)) uint64_t
hot_mix(uint64_t x, uint64_t n)
{
#ifndef CALLTREE_NO_FRAMES
	/* An empty asm that takes the frame address: the frame must exist, no instruction added. */
	__asm__ volatile("" : : "r"(__builtin_frame_address(0)));
#endif
	for (uint64_t i = 0; i < n; i++)
		x = x * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL;
	return x;
}
