// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Demangling through libiberty. Only cplus_demangle_v3 and rust_demangle are called: they
 * allocate with plain malloc, whereas cplus_demangle would pull in libiberty's own xmalloc,
 * whose name collides with ours.
 */
#include <stddef.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "ringside/sym/demangle.h"

bool
demangle_is_mangled(const char *name)
{
	return name && name[0] == '_' && (name[1] == 'Z' || name[1] == 'R');
}

char *
demangle_name(const char *name, unsigned flags)
{
	int opts = DMGL_ANSI;

	if (!demangle_is_mangled(name))
		return NULL;
	if (flags & DEMANGLE_PARAMS)
		opts |= DMGL_PARAMS;
	/*
	 * Legacy Rust names are valid Itanium names too ("core::ptr::drop::h0123..."), so Rust
	 * gets the first try: it accepts only names that end in a Rust hash or use the v0 form.
	 */
	if (name[1] == 'R' || strncmp(name, "_ZN", 3) == 0) {
		char *s = rust_demangle(name, opts);

		if (s || name[1] == 'R')
			return s;
	}
	return cplus_demangle_v3(name, opts);
}
