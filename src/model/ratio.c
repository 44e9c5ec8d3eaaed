// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Ratio definitions: the built-in ones (IPC, CPI, miss rates) and the user's NAME=A/B, as the
 * profile keeps and snapshots store them. Their values are computed in view/rates.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/model/ratio.h"
#include "ringside/util/xalloc.h"

static const struct {
	const char *name, *num, *den;
	bool percent;
} ratio_builtin_defs[] = {
	{ "IPC", "instructions", "cycles", false },
	{ "CPI", "cycles", "instructions", false },
	{ "cache-miss", "cache-misses", "cache-references", true },
	{ "branch-miss", "branch-misses", "branches", true },
};

size_t
ratio_builtin_count(void)
{
	return sizeof(ratio_builtin_defs) / sizeof(ratio_builtin_defs[0]);
}

void
ratio_builtin_get(size_t i, struct ratio_def *out)
{
	memset(out, 0, sizeof(*out));
	if (i >= ratio_builtin_count())
		return;
	out->name = xstrdup(ratio_builtin_defs[i].name);
	out->num = xstrdup(ratio_builtin_defs[i].num);
	out->den = xstrdup(ratio_builtin_defs[i].den);
	out->percent = ratio_builtin_defs[i].percent;
	out->scale = out->percent ? 100 : 1;
	out->builtin = true;
}

int
ratio_parse(struct ratio_def *r, const char *text, struct errbuf *err)
{
	const char *eq = strchr(text, '='), *slash;
	size_t nlen;

	memset(r, 0, sizeof(*r));
	if (!eq || eq == text)
		return errbuf_fail(
			err, -EINVAL,
			"ratio '%s' must read NAME=EVENT/EVENT, e.g. ipc=instructions/cycles",
			text);
	slash = strchr(eq + 1, '/');
	if (!slash || slash == eq + 1 || !slash[1] || strchr(slash + 1, '/'))
		return errbuf_fail(
			err, -EINVAL,
			"ratio '%s' must read NAME=EVENT/EVENT, e.g. ipc=instructions/cycles",
			text);
	nlen = (size_t)(eq - text);
	r->percent = text[nlen - 1] == '%';
	if (r->percent)
		nlen--;
	if (nlen == 0)
		return errbuf_fail(err, -EINVAL, "ratio '%s' needs a name before '='", text);
	r->name = xstrndup(text, nlen);
	r->num = xstrndup(eq + 1, (size_t)(slash - eq - 1));
	r->den = xstrdup(slash + 1);
	r->scale = r->percent ? 100 : 1;
	return 0;
}

void
ratio_copy(struct ratio_def *dst, const struct ratio_def *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->num = xstrdup(src->num);
	dst->den = xstrdup(src->den);
}

void
ratio_fini(struct ratio_def *r)
{
	free(r->name);
	free(r->num);
	free(r->den);
	memset(r, 0, sizeof(*r));
}
