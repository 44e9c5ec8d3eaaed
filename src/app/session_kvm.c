// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * --kvm in a session: the kvm:kvm_exit and kvm:kvm_entry tracepoints recorded beside the
 * scheduler's into the same rings, for the target (or system-wide), and the profile's KVM exit
 * model. Also on without --kvm when the target is a virtual machine: a process named qemu* or one
 * holding /dev/kvm open. Tracepoints that are missing or cannot be opened are said in one line;
 * the rest of the recording goes on.
 */
#include "config.h"

#include <dirent.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ringside/app/ingest.h"
#include "ringside/perf/kvmtp.h"
#include "session_impl.h"

/* Whether process pid looks like a virtual machine: named qemu*, or holding /dev/kvm open. */
static bool
session_kvm_is_vm(pid_t pid)
{
	char path[64], link[PATH_MAX], comm[32] = "";
	struct dirent *de;
	bool vm = false;
	FILE *fp;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fp = fopen(path, "re");
	if (fp) {
		if (!fgets(comm, sizeof(comm), fp))
			comm[0] = '\0';
		fclose(fp);
	}
	if (strncmp(comm, "qemu", 4) == 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	while (d && !vm && (de = readdir(d))) {
		char fd[384];
		ssize_t n;

		if (de->d_name[0] == '.')
			continue;
		snprintf(fd, sizeof(fd), "%s/%s", path, de->d_name);
		n = readlink(fd, link, sizeof(link) - 1);
		if (n > 0) {
			link[n] = '\0';
			vm = strcmp(link, "/dev/kvm") == 0;
		}
	}
	if (d)
		closedir(d);
	return vm;
}

/* Whether the target is a virtual machine (without --kvm). */
static bool
session_kvm_target_is_vm(const struct session *s)
{
	const struct target *t = &s->target;

	if (t->kind == TARGET_COMMAND && t->argv && t->argv[0]) {
		const char *base = strrchr(t->argv[0], '/');

		return strncmp(base ? base + 1 : t->argv[0], "qemu", 4) == 0;
	}
	if (t->kind == TARGET_PIDS)
		for (size_t i = 0; i < t->npids; i++)
			if (session_kvm_is_vm(t->pids[i]))
				return true;
	return false;
}

void
session_kvm_prepare(struct session *s)
{
	struct errbuf why;
	bool asked = s->opts->kvm;

	if (!asked && !session_kvm_target_is_vm(s))
		return;
	errbuf_clear(&why);
	if (kvmtp_new(&s->kvm.tp, NULL, &why) < 0) {
		session_note(s, "no KVM exits: %s", why.msg);
		return;
	}
	if (!asked)
		session_note(s, "the target is a virtual machine: recording its KVM exits (--kvm)");
}

size_t
session_kvm_tracepoints(struct session *s, const struct sampler_tracepoint *sched, size_t nsched)
{
	size_t n = 0;

	for (size_t i = 0; i < nsched; i++)
		s->kvm.tps[n++] = sched[i];
	s->kvm.base = n;
	if (!s->kvm.tp)
		return n;
	for (int t = 0; t < KVMTP_NR_TYPES; t++)
		s->kvm.tps[n++] =
			(struct sampler_tracepoint){ kvmtp_name((enum kvmtp_type)t),
						     kvmtp_id(s->kvm.tp, (enum kvmtp_type)t), false,
						     false };
	return n;
}

void
session_kvm_drop(struct session *s, const char *why)
{
	if (!s->kvm.tp)
		return;
	session_note(s, "no KVM exits: %s; run as root to record them", why);
	kvmtp_free(s->kvm.tp);
	s->kvm.tp = NULL;
}

void
session_kvm_init(struct session *s)
{
	if (!s->kvm.tp || !s->ingest)
		return;
	s->profile->kvm = kvmexits_new(NULL);
	ingest_set_kvm(s->ingest, s->kvm.tp, s->kvm.base);
}

void
session_kvm_report(const struct kvmexits *k)
{
	int order[KVMEXITS_MAX_REASONS];

	fprintf(stderr, "ringside: kvm: %" PRIu64 " exits, %zu reasons, %zu vCPU threads", k->exits,
		k->nreasons, k->ntasks);
	kvmexits_order(k, order);
	for (size_t i = 0; i < k->nreasons && i < 3; i++)
		fprintf(stderr, "%s %s %" PRIu64, i ? "," : ":", k->reasons[order[i]].name,
			kvmexits_reason_total(k, order[i], NULL));
	fputc('\n', stderr);
}
