// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The push to Pyroscope: encode once into memory, then up to three blocking POSTs with libcurl
 * (each bounded by the timeout), after the local output is safe. The request is built from the
 * profile's own metadata, so a push names the same times, host and command as the file. libcurl
 * is loaded (dlopen) when a push is made, not at start: with the ~30 libraries it needs, it would
 * cost every run ~10 ms before the first frame and ~6 MB of resident memory.
 */
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ringside/app/push.h"
#include "ringside/export/pprof.h"
#include "ringside/util/xalloc.h"

enum { PUSH_ATTEMPTS = 3, PUSHER_QUEUE_MAX = 16 };

/* The libcurl functions a push calls, from libcurl.so.4 once loaded. */
static struct {
	void *lib;
	CURLcode (*global_init)(long flags);
	void (*global_cleanup)(void);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *curl);
	CURLcode (*easy_setopt)(CURL *curl, CURLoption option, ...);
	CURLcode (*easy_perform)(CURL *curl);
	CURLcode (*easy_getinfo)(CURL *curl, CURLINFO info, ...);
	const char *(*easy_strerror)(CURLcode code);
	char *(*easy_escape)(CURL *curl, const char *s, int len);
	void (*free)(void *p);
	curl_mime *(*mime_init)(CURL *curl);
	curl_mimepart *(*mime_addpart)(curl_mime *mime);
	CURLcode (*mime_name)(curl_mimepart *part, const char *name);
	CURLcode (*mime_filename)(curl_mimepart *part, const char *name);
	CURLcode (*mime_type)(curl_mimepart *part, const char *type);
	CURLcode (*mime_data)(curl_mimepart *part, const char *data, size_t len);
	void (*mime_free)(curl_mime *mime);
	struct curl_slist *(*slist_append)(struct curl_slist *l, const char *s);
	void (*slist_free_all)(struct curl_slist *l);
} push_curl;

/* Set push_curl.f from libcurl's curl_f (as dlsym(3) shows), counting those missing in miss. */
#define PUSH_CURL_SYM(f, miss)                                                                     \
	do {                                                                                       \
		*(void **)&push_curl.f = dlsym(push_curl.lib, "curl_" #f);                         \
		(miss) += push_curl.f == NULL;                                                     \
	} while (0)

/* Load libcurl the first time; 0 or -EIO with err. */
static int
push_curl_load(struct errbuf *err)
{
	int miss = 0;

	if (push_curl.lib)
		return 0;
	push_curl.lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
	if (!push_curl.lib)
		return errbuf_fail(err, -EIO,
				   "cannot push: libcurl did not load (%s); install libcurl4",
				   dlerror());
	PUSH_CURL_SYM(global_init, miss);
	PUSH_CURL_SYM(global_cleanup, miss);
	PUSH_CURL_SYM(easy_init, miss);
	PUSH_CURL_SYM(easy_cleanup, miss);
	PUSH_CURL_SYM(easy_setopt, miss);
	PUSH_CURL_SYM(easy_perform, miss);
	PUSH_CURL_SYM(easy_getinfo, miss);
	PUSH_CURL_SYM(easy_strerror, miss);
	PUSH_CURL_SYM(easy_escape, miss);
	PUSH_CURL_SYM(free, miss);
	PUSH_CURL_SYM(mime_init, miss);
	PUSH_CURL_SYM(mime_addpart, miss);
	PUSH_CURL_SYM(mime_name, miss);
	PUSH_CURL_SYM(mime_filename, miss);
	PUSH_CURL_SYM(mime_type, miss);
	PUSH_CURL_SYM(mime_data, miss);
	PUSH_CURL_SYM(mime_free, miss);
	PUSH_CURL_SYM(slist_append, miss);
	PUSH_CURL_SYM(slist_free_all, miss);
	if (miss) {
		dlclose(push_curl.lib);
		push_curl.lib = NULL;
		return errbuf_fail(
			err, -EIO,
			"cannot push: this libcurl lacks %d of the functions a push needs "
			"(libcurl 7.56 or later); install libcurl4",
			miss);
	}
	return 0;
}

static bool
push_label_ok(const char *l)
{
	const char *eq = strchr(l, '=');

	if (!eq || eq == l || (*l >= '0' && *l <= '9'))
		return false;
	for (const char *c = l; c < eq; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_'))
			return false;
	return eq[1] && !strpbrk(eq + 1, ",{}=\"'") && !strpbrk(eq + 1, "\n\r");
}

int
push_check(const struct push_opts *o, struct errbuf *err)
{
	if (!o->url)
		return 0;
	if (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0)
		return errbuf_fail(err, -EINVAL,
				   "--push wants the server's http:// or https:// address (such as "
				   "http://pyroscope:4040), not '%s'",
				   o->url);
	for (size_t i = 0; i < o->nlabels; i++)
		if (!push_label_ok(o->labels[i]))
			return errbuf_fail(
				err, -EINVAL,
				"--push-label '%s' is not NAME=VALUE (a name of letters, "
				"digits and _, a value without , { } = or quotes)",
				o->labels[i]);
	if (o->timeout_s < 0 || o->timeout_s > 3600)
		return errbuf_fail(err, -EINVAL, "--push-timeout wants 0.1 to 3600 seconds");
	return 0;
}

/* The launched command's name (its argv[0] without the directory), or NULL. */
static const char *
push_command(const struct profile *p)
{
	const char *slash;

	if (!p->meta.ncommand || !p->meta.command[0] || !*p->meta.command[0])
		return NULL;
	slash = strrchr(p->meta.command[0], '/');
	return slash ? slash + 1 : p->meta.command[0];
}

/* A copy of s with what a name or label value may not hold replaced by '_'. */
static char *
push_safe(const char *s)
{
	char *copy = xstrdup(s);

	for (char *c = copy; *c; c++)
		if (strchr(",{}=\"' \n\r", *c))
			*c = '_';
	return copy;
}

char *
push_name(const struct profile *p, const struct push_opts *o)
{
	const char *cmd = push_command(p);
	char *app = push_safe(cmd ? cmd : "ringside");
	char *host = push_safe(p->meta.host && *p->meta.host ? p->meta.host : "unknown");
	char *name = cmd ? xasprintf("%s{host=%s,comm=%s", app, host, app)
			 : xasprintf("%s{host=%s", app, host);

	for (size_t i = 0; i < o->nlabels; i++) {
		char *with = xasprintf("%s,%s", name, o->labels[i]);

		free(name);
		name = with;
	}
	free(app);
	free(host);
	app = xasprintf("%s}", name);
	free(name);
	return app;
}

static size_t
push_discard(char *data, size_t size, size_t n, void *ctx)
{
	(void)data;
	(void)ctx;
	return size * n;
}

/* One request: the name, the span in Unix ns, the sampling rate and the gzipped pprof body. */
struct push_req {
	char *name;
	int64_t from_ns, until_ns;
	uint64_t freq;
	char *body;
	size_t len;
	struct push_req *next; /* in a pusher's queue */
};

static void
push_req_free(struct push_req *rq)
{
	free(rq->name);
	free(rq->body);
	free(rq);
}

/* The ingest URL for rq: base/ingest?name=...&from=...&until=...&format=pprof... */
static char *
push_url(CURL *curl, const struct push_opts *o, const struct push_req *rq)
{
	char *esc, *url;
	size_t n = strlen(o->url);
	int64_t from = rq->from_ns / 1000000000, until = rq->until_ns / 1000000000;

	esc = push_curl.easy_escape(curl, rq->name, 0);
	while (n > 0 && o->url[n - 1] == '/')
		n--;
	url = xasprintf("%.*s/ingest?name=%s&from=%" PRId64 "&until=%" PRId64
			"&format=pprof&sampleRate=%" PRIu64 "&spyName=ringside",
			(int)n, o->url, esc ? esc : "ringside", from,
			until > from ? until : from + 1, rq->freq ? rq->freq : 100);
	push_curl.free(esc);
	return url;
}

/* One POST. Returns the HTTP status, or 0 with why filled when no answer came. */
static long
push_once(CURL *curl, const char *url, curl_mime *form, struct curl_slist *headers,
	  const struct push_opts *o, char why[CURL_ERROR_SIZE])
{
	long status = 0;
	double t = o->timeout_s > 0 ? o->timeout_s : 10;
	CURLcode rc;

	why[0] = '\0';
	push_curl.easy_setopt(curl, CURLOPT_URL, url);
	push_curl.easy_setopt(curl, CURLOPT_MIMEPOST, form);
	push_curl.easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	push_curl.easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)(t * 1000));
	push_curl.easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(t < 5 ? t * 1000 : 5000));
	push_curl.easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	push_curl.easy_setopt(curl, CURLOPT_USERAGENT, "ringside/" PACKAGE_VERSION);
	push_curl.easy_setopt(curl, CURLOPT_WRITEFUNCTION, push_discard);
	push_curl.easy_setopt(curl, CURLOPT_ERRORBUFFER, why);
	rc = push_curl.easy_perform(curl);
	if (rc != CURLE_OK) {
		if (!why[0])
			snprintf(why, CURL_ERROR_SIZE, "%s", push_curl.easy_strerror(rc));
		return 0;
	}
	push_curl.easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

/* Post rq with retries (after 1 s, then 2 s); 0 or -EIO with err. */
static int
push_post(const struct push_opts *o, const struct push_req *rq, struct errbuf *err)
{
	CURL *curl = push_curl.easy_init();
	struct curl_slist *headers = NULL;
	curl_mime *form;
	curl_mimepart *part;
	char why[CURL_ERROR_SIZE], *url, *tenant = NULL;
	long status = 0;
	int attempt, rc = -EIO;

	if (!curl)
		return errbuf_fail(err, -EIO, "cannot push: libcurl did not start");
	url = push_url(curl, o, rq);
	form = push_curl.mime_init(curl);
	part = push_curl.mime_addpart(form);
	push_curl.mime_name(part, "profile");
	push_curl.mime_filename(part, "profile.pb.gz");
	push_curl.mime_type(part, "application/octet-stream");
	push_curl.mime_data(part, rq->body, rq->len);
	if (o->tenant) {
		tenant = xasprintf("X-Scope-OrgID: %s", o->tenant);
		headers = push_curl.slist_append(headers, tenant);
	}
	for (attempt = 1; attempt <= PUSH_ATTEMPTS; attempt++) {
		status = push_once(curl, url, form, headers, o, why);
		if (status >= 200 && status < 300) {
			rc = 0;
			break;
		}
		/* A request the server refuses (4xx but 429) fails the same way again. */
		if (status >= 400 && status < 500 && status != 429)
			break;
		if (attempt < PUSH_ATTEMPTS)
			nanosleep(&(struct timespec){ .tv_sec = attempt }, NULL);
	}
	if (rc < 0 && status)
		errbuf_fail(err, rc, "push to %s failed after %d attempt%s: HTTP %ld", o->url,
			    attempt > PUSH_ATTEMPTS ? PUSH_ATTEMPTS : attempt,
			    attempt == 1 ? "" : "s", status);
	else if (rc < 0)
		errbuf_fail(err, rc, "push to %s failed after %d attempts: %s", o->url,
			    PUSH_ATTEMPTS, why);
	push_curl.slist_free_all(headers);
	free(tenant);
	push_curl.mime_free(form);
	free(url);
	push_curl.easy_cleanup(curl);
	return rc;
}

/*
 * The request for p's samples since the tree's last checkpoint, over [from_ns, until_ns); NULL
 * with err when they cannot be encoded.
 */
static struct push_req *
push_req_new(const struct profile *p, const struct push_opts *o, int64_t from_ns, int64_t until_ns,
	     struct errbuf *err)
{
	struct push_req *rq = xcalloc(1, sizeof(*rq));
	struct pprof_part pp = { from_ns, until_ns - from_ns };
	FILE *mem = open_memstream(&rq->body, &rq->len);
	int rc;

	if (!mem) {
		errbuf_fail(err, -errno, "cannot push: %s", strerror(errno));
		free(rq);
		return NULL;
	}
	rc = pprof_write_part(p, &pp, mem, err);
	if (fclose(mem) != 0 && rc == 0)
		rc = errbuf_fail(err, -EIO, "cannot push: the profile did not fit in memory");
	if (rc < 0) {
		push_req_free(rq);
		return NULL;
	}
	rq->name = push_name(p, o);
	rq->from_ns = from_ns;
	rq->until_ns = until_ns;
	rq->freq = p->sampling.freq;
	return rq;
}

/* ---- pushing in parts, from a thread of its own ---------------------------------------- */

struct pusher {
	const struct push_opts *o;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct push_req *head, *tail; /* waiting, oldest first */
	size_t queued;
	bool stop;
	/* what went wrong, under lock: the last failure's message, and counts */
	char why[sizeof(((struct errbuf *)0)->msg)];
	unsigned sent, failed, dropped;
	bool news;	      /* a failure not yet told (pusher_news) */
	int64_t pushed_until; /* where the next part starts (Unix ns) */
};

static void *
pusher_main(void *arg)
{
	struct pusher *ps = arg;

	pthread_mutex_lock(&ps->lock);
	for (;;) {
		struct push_req *rq;
		struct errbuf err;
		int rc;

		while (!ps->head && !ps->stop)
			pthread_cond_wait(&ps->wake, &ps->lock);
		rq = ps->head;
		if (!rq)
			break;
		ps->head = rq->next;
		if (!ps->head)
			ps->tail = NULL;
		ps->queued--;
		pthread_mutex_unlock(&ps->lock);
		errbuf_clear(&err);
		rc = push_post(ps->o, rq, &err);
		push_req_free(rq);
		pthread_mutex_lock(&ps->lock);
		if (rc < 0) {
			ps->failed++;
			ps->news = true;
			snprintf(ps->why, sizeof(ps->why), "%s", err.msg);
		} else {
			ps->sent++;
		}
	}
	pthread_mutex_unlock(&ps->lock);
	return NULL;
}

struct pusher *
pusher_new(const struct push_opts *o, int64_t start_unix_ns, struct errbuf *err)
{
	struct pusher *ps;

	if (!o->url || push_curl_load(err) < 0)
		return NULL;
	ps = xcalloc(1, sizeof(*ps));
	ps->o = o;
	ps->pushed_until = start_unix_ns;
	pthread_mutex_init(&ps->lock, NULL);
	pthread_cond_init(&ps->wake, NULL);
	push_curl.global_init(CURL_GLOBAL_DEFAULT);
	if (pthread_create(&ps->thread, NULL, pusher_main, ps) != 0) {
		errbuf_fail(err, -EAGAIN, "cannot push: no thread to push from (%s)",
			    strerror(errno));
		push_curl.global_cleanup();
		pthread_cond_destroy(&ps->wake);
		pthread_mutex_destroy(&ps->lock);
		free(ps);
		return NULL;
	}
	return ps;
}

int
pusher_send(struct pusher *ps, struct profile *p, int64_t until_unix_ns, struct errbuf *err)
{
	struct push_req *rq, *old = NULL;

	if (!ps || !p->stacks)
		return 0;
	rq = push_req_new(p, ps->o, ps->pushed_until, until_unix_ns, err);
	if (!rq)
		return err->code;
	stacktree_checkpoint(p->stacks);
	ps->pushed_until = until_unix_ns;
	pthread_mutex_lock(&ps->lock);
	if (ps->queued == PUSHER_QUEUE_MAX) {
		/* The server is far behind: the oldest part goes, said once per failure. */
		old = ps->head;
		ps->head = old->next;
		ps->queued--;
		ps->dropped++;
		ps->news = true;
		snprintf(ps->why, sizeof(ps->why),
			 "the push to %s falls behind: %u parts of the recording dropped",
			 ps->o->url, ps->dropped);
	}
	if (ps->tail && ps->head)
		ps->tail->next = rq;
	else
		ps->head = rq;
	ps->tail = rq;
	ps->queued++;
	pthread_cond_signal(&ps->wake);
	pthread_mutex_unlock(&ps->lock);
	if (old)
		push_req_free(old);
	return 0;
}

bool
pusher_news(struct pusher *ps, char *buf, size_t n)
{
	bool news;

	if (!ps)
		return false;
	pthread_mutex_lock(&ps->lock);
	news = ps->news;
	if (news)
		snprintf(buf, n, "%s; pushing goes on, the local recording is not affected",
			 ps->why);
	ps->news = false;
	pthread_mutex_unlock(&ps->lock);
	return news;
}

int
pusher_finish(struct pusher *ps, struct errbuf *err)
{
	int rc = 0;

	if (!ps)
		return 0;
	pthread_mutex_lock(&ps->lock);
	ps->stop = true;
	pthread_cond_signal(&ps->wake);
	pthread_mutex_unlock(&ps->lock);
	pthread_join(ps->thread, NULL);
	if (ps->failed || ps->dropped) {
		if (ps->failed + ps->dropped == 1)
			rc = errbuf_fail(err, -EIO, "%s", ps->why);
		else
			rc = errbuf_fail(err, -EIO,
					 "%u of %u pushes failed or were dropped; the last: %s",
					 ps->failed + ps->dropped,
					 ps->failed + ps->dropped + ps->sent, ps->why);
	}
	push_curl.global_cleanup();
	pthread_cond_destroy(&ps->wake);
	pthread_mutex_destroy(&ps->lock);
	free(ps);
	return rc;
}
