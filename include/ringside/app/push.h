/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sending a recording to a Grafana Pyroscope server when it ends (record and the live screen,
 * --push URL): the stack tree as pprof (export/pprof.h) in a multipart form field "profile",
 * POSTed with libcurl to URL/ingest?name=APP{labels}&from=&until=&format=pprof, Pyroscope's HTTP
 * ingest API. APP is the launched command's name (else "ringside"); the labels are host, comm (the
 * command's name) and the user's --push-label k=v; --push-tenant sets the X-Scope-OrgID header.
 * A failed attempt (no connection, a timeout, an HTTP 5xx or 429) is retried twice, after 1 s and
 * 2 s; the local output is written before any of it, so nothing recorded depends on the server.
 * A pusher sends a recording in parts while it runs (--push-every): each part the samples since
 * the last, over its own from/until, POSTed by a thread of its own so that neither the screen nor
 * the recording waits on the server; at most 16 parts wait, the oldest dropped
 * beyond that.
 */
#ifndef RINGSIDE_APP_PUSH_H
#define RINGSIDE_APP_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"

struct push_opts {
	const char *url; /* --push: the server's base URL, http:// or https://; NULL: no push */
	char **labels;	 /* --push-label k=v, repeatable */
	size_t nlabels;
	const char *tenant; /* --push-tenant: X-Scope-OrgID, NULL for none */
	double timeout_s;   /* --push-timeout: per attempt, 0 for the default (10 s) */
	double every_s;	    /* --push-every: a part every so many seconds, 0: only at the end */
};

/*
 * Check o before anything is recorded: the URL's scheme, each label's form (a name of letters,
 * digits and '_', not starting with a digit, '=', a value without ',', '{', '}', '=' or quotes).
 * Returns 0, or -EINVAL with err.
 */
int push_check(const struct push_opts *o, struct errbuf *err);
/* The name parameter for p: "APP{host=H,comm=C,k=v,...}" (the caller's, to free). */
char *push_name(const struct profile *p, const struct push_opts *o);
struct pusher;
/*
 * Start pushing parts to o->url (o is borrowed for the pusher's life), the first part starting
 * at start_unix_ns. NULL when o has no URL, or with err when libcurl did not load or no thread
 * could start.
 */
struct pusher *pusher_new(const struct push_opts *o, int64_t start_unix_ns, struct errbuf *err);
/*
 * Queue the part of p since the last one, ending at until_unix_ns, and checkpoint p's stack tree
 * (stacktree_checkpoint). Never waits on the server. 0, or an error when it cannot be encoded.
 */
int pusher_send(struct pusher *ps, struct profile *p, int64_t until_unix_ns, struct errbuf *err);
/* A failure since the last call, into buf (one line): true once per new failure. */
bool pusher_news(struct pusher *ps, char *buf, size_t n);
/*
 * Send what is queued (each with its retries), stop and free the pusher. Returns 0, or -EIO with
 * err saying how many parts failed and the last cause.
 */
int pusher_finish(struct pusher *ps, struct errbuf *err);

#endif
