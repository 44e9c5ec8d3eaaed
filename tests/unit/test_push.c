// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The push's request pieces that need no server: the name parameter (the command's base name,
 * host, comm, the user's labels in order; unsafe characters made '_'; "ringside" without a
 * command) and the option checks (URL scheme, label form, timeout range). A push to a port
 * nothing listens on fails with a message naming the URL; tests/live/push.sh covers the rest
 * against a real receiver.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ringside/app/push.h"
#include "ringside/model/profile.h"
#include "ringside/util/errbuf.h"
#include "ringside/util/xalloc.h"

static void
test_name(void **state)
{
	struct profile *p = profile_new();
	char *labels[] = { (char *)"env=test", (char *)"team=perf" };
	struct push_opts o = { .url = "http://x", .labels = labels, .nlabels = 2 };
	char *name;

	(void)state;
	p->meta.host = xstrdup("node7");
	name = push_name(p, &o);
	assert_string_equal(name, "ringside{host=node7,env=test,team=perf}");
	free(name);
	p->meta.command = xcalloc(2, sizeof(char *));
	p->meta.command[0] = xstrdup("/usr/bin/my app{x}");
	p->meta.ncommand = 1;
	o.nlabels = 0;
	name = push_name(p, &o);
	assert_string_equal(name, "my_app_x_{host=node7,comm=my_app_x_}");
	free(name);
	profile_free(p);
}

static void
check_fails(const struct push_opts *o, const char *msg)
{
	struct errbuf err;

	errbuf_clear(&err);
	assert_int_equal(push_check(o, &err), -EINVAL);
	assert_int_equal(err.class, ERRBUF_INPUT);
	if (!strstr(err.msg, msg))
		fail_msg("'%s' lacks '%s'", err.msg, msg);
}

static void
test_check(void **state)
{
	char *good[] = { (char *)"a_1=x.y-z", (char *)"B=1" };
	char *bad[][1] = { { (char *)"a b=1" }, { (char *)"1a=x" }, { (char *)"a=" },
			   { (char *)"a=x,y" }, { (char *)"a=x}" }, { (char *)"noequals" } };
	struct push_opts o = { 0 };
	struct errbuf err;

	(void)state;
	errbuf_clear(&err);
	assert_int_equal(push_check(&o, &err), 0); /* no push */
	o.url = "https://pyroscope:4040";
	o.labels = good;
	o.nlabels = 2;
	assert_int_equal(push_check(&o, &err), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		o.labels = bad[i];
		o.nlabels = 1;
		check_fails(&o, "is not NAME=VALUE");
	}
	o.nlabels = 0;
	o.url = "pyroscope:4040";
	check_fails(&o, "http:// or https://");
	o.url = "http://x";
	o.timeout_s = 4000;
	check_fails(&o, "--push-timeout");
}

/* A profile of one path, app > app > main, with n samples. */
static struct profile *
one_path(uint64_t n)
{
	struct profile *p = profile_new();
	uint32_t path[3];

	profile_enable_stacks(p, 0, 0);
	path[0] = frametab_intern(p->frames, "app", NULL, NULL, 5, FRAME_PROCESS, false);
	path[1] = frametab_intern(p->frames, "app", NULL, NULL, 5, FRAME_THREAD, false);
	path[2] = frametab_intern(p->frames, "main", "/bin/app", NULL, 0, FRAME_USER, false);
	stacktree_insert(p->stacks, path, 3, n, 0);
	return p;
}

/* One push (the whole recording at the end) to a server that is not there: a runtime error. */
static void
test_unreachable(void **state)
{
	struct profile *p = one_path(1);
	struct push_opts o = { .url = "http://127.0.0.1:1", .timeout_s = 1 };
	struct errbuf err;
	struct pusher *ps;

	(void)state;
	errbuf_clear(&err);
	ps = pusher_new(&o, 0, &err);
	assert_non_null(ps);
	assert_int_equal(pusher_send(ps, p, 1000000000, &err), 0);
	assert_int_equal(pusher_finish(ps, &err), -EIO);
	assert_int_equal(err.class, ERRBUF_RUNTIME);
	assert_non_null(strstr(err.msg, "push to http://127.0.0.1:1 failed after 3 attempts"));
	profile_free(p);
}

/* Parts: each since the last, pushed from a thread; an unreachable server fails every one, said
 * once per failure, then in sum by pusher_finish. */
static void
test_pusher_unreachable(void **state)
{
	struct profile *p = one_path(5);
	struct push_opts o = { .url = "http://127.0.0.1:1", .timeout_s = 1, .every_s = 1 };
	struct errbuf err;
	struct pusher *ps;
	char why[1024];

	(void)state;
	errbuf_clear(&err);
	ps = pusher_new(&o, 1000000000, &err);
	assert_non_null(ps);
	errbuf_clear(&err);
	assert_int_equal(pusher_send(ps, p, 2000000000, &err), 0);
	/* the part was taken: nothing is left since the checkpoint */
	for (uint32_t id = 0; id < stacktree_nnodes(p->stacks); id++)
		assert_int_equal(stacktree_self_since(p->stacks, id), 0);
	/* two more on main, the leaf (the root, app, app, main: node 3) */
	assert_int_equal(stacktree_insert_leaf(p->stacks, 3, 2, 0), 3);
	assert_int_equal(stacktree_self_since(p->stacks, 3), 2);
	assert_int_equal(pusher_send(ps, p, 3000000000, &err), 0);
	assert_int_equal(pusher_finish(ps, &err), -EIO);
	assert_int_equal(err.class, ERRBUF_RUNTIME);
	assert_non_null(strstr(err.msg, "2 of 2 pushes failed"));
	assert_non_null(strstr(err.msg, "push to http://127.0.0.1:1 failed after 3 attempts"));
	/* no URL, no pusher; the calls take NULL */
	o.url = NULL;
	assert_null(pusher_new(&o, 0, &err));
	assert_false(pusher_news(NULL, why, sizeof(why)));
	assert_int_equal(pusher_finish(NULL, &err), 0);
	profile_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_unreachable),
		cmocka_unit_test(test_pusher_unreachable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
