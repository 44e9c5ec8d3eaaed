/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Demangling of C++ (Itanium ABI, "_Z...") and Rust (legacy "_ZN...17h<hash>E" and v0 "_R...")
 * symbol names through libiberty, so frames show the names programmers wrote.
 */
#ifndef RINGSIDE_SYM_DEMANGLE_H
#define RINGSIDE_SYM_DEMANGLE_H

#include <stdbool.h>

/* Append parameter types (and const qualifiers of methods) to C++ names, as perf -v does. */
#define DEMANGLE_PARAMS 0x1u

/*
 * The demangled form of name, or NULL when name is not mangled (or not a form libiberty knows).
 * Without DEMANGLE_PARAMS the result is the qualified name only ("std::vector<int>::push_back"),
 * as perf shows by default; Rust legacy names lose their hash suffix. The result is the caller's
 * (free()).
 */
char *demangle_name(const char *name, unsigned flags);
/* True when name looks mangled (a cheap prefix test; demangle_name may still return NULL). */
bool demangle_is_mangled(const char *name);

#endif
