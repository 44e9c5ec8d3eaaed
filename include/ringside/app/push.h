/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sending a recording to a Grafana Pyroscope server when it ends (record and the live screen,
 * --push URL): the stack tree as pprof (export/pprof.h) in a multipart form field "profile",
 * POSTed with libcurl to URL/ingest?name=APP{labels}&from=&until=&format=pprof, Pyroscope's HTTP
 * ingest API. APP is the launched command's name (else "ringside"); the labels are host, comm (the
 * command's name) and the user's --push-label k=v; --push-tenant sets the X-Scope-OrgID header.
 * A failed attempt (no connection, a timeout, an HTTP 5xx or 429) is retried twice, after 1 s and
 * 2 s; the local output is written before any of it, so nothing recorded depends on the server.
 */
#ifndef RINGSIDE_APP_PUSH_H
#define RINGSIDE_APP_PUSH_H

#include <stddef.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

struct push_opts {
	const char *url; /* --push: the server's base URL, http:// or https://; NULL: no push */
	char **labels;	 /* --push-label k=v, repeatable */
	size_t nlabels;
	const char *tenant; /* --push-tenant: X-Scope-OrgID, NULL for none */
	double timeout_s;   /* --push-timeout: per attempt, 0 for the default (10 s) */
};

/*
 * Check o before anything is recorded: the URL's scheme, each label's form (a name of letters,
 * digits and '_', not starting with a digit, '=', a value without ',', '{', '}', '=' or quotes).
 * Returns 0, or -EINVAL with err.
 */
int push_check(const struct push_opts *o, struct errbuf *err);
/* The name parameter for p: "APP{host=H,comm=C,k=v,...}" (the caller's, to free). */
char *push_name(const struct profile *p, const struct push_opts *o);
/*
 * Push p to o->url, retrying as the header says. Returns 0, or -EIO (the server answered with an
 * error or never answered) / -EINVAL (p has no stacks) with err naming the URL and the cause.
 */
int push_profile(const struct profile *p, const struct push_opts *o, struct errbuf *err);

#endif
