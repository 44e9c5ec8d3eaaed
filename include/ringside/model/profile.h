/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The profile: everything one recording produced, the single source of truth that the live screen,
 * `ringside view` and every export render. It owns the metadata, the counter tracks and the
 * ratios the user defined.
 */
#ifndef RINGSIDE_MODEL_PROFILE_H
#define RINGSIDE_MODEL_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "ringside/model/addrtab.h"
#include "ringside/model/counters.h"
#include "ringside/model/frametab.h"
#include "ringside/model/kvmexits.h"
#include "ringside/model/memacc.h"
#include "ringside/model/ratio.h"
#include "ringside/model/schedmap.h"
#include "ringside/model/stacktree.h"
#include "ringside/model/taskctr.h"
#include "ringside/model/tasks.h"

/* One input of a merged snapshot (ringside merge): the host it was recorded on, and when. */
struct profile_host {
	char *label;  /* the host, or host#N when several inputs share it: names its tree frame */
	char *host;   /* the input's meta.host */
	char *kernel; /* the input's meta.kernel */
	char *source; /* the file or run it came from */
	int64_t start_unix_ns;
	uint64_t duration_ns;
	uint64_t samples; /* its stack tree's total */
	int ncpus;
};

struct profile_meta {
	char *ringside_version;
	char *host;
	char *kernel;	   /* uname -r */
	char *arch;	   /* uname -m */
	int ncpus;	   /* online CPUs of the machine */
	char *target_kind; /* "system", "pids", "command" */
	char *target_desc; /* human description */
	int *target_cpus;  /* system: CPUs counted */
	size_t ntarget_cpus;
	int *target_pids; /* pids: processes; command: the child */
	size_t ntarget_pids;
	char **command; /* command: its argv */
	size_t ncommand;
	int command_exit; /* command: exit code, 128+signal, or -1 when still running / unknown */
	char **cmdline;	  /* ringside's own argv */
	size_t ncmdline;
	int64_t start_unix_ns; /* wall-clock start */
	uint64_t duration_ns;
	uint64_t interval_ns;
	char *end_reason; /* "duration", "signal", "command exited", "processes exited" */
	/* A merged snapshot's inputs (meta.hosts), in the order given; none otherwise. */
	struct profile_host *hosts;
	size_t nhosts;
};

/* How samples were taken and what was lost: every output shows a loss. */
struct profile_sampling {
	char *event;   /* the sampling event's name */
	uint64_t freq; /* Hz, or 0 when period is used */
	uint64_t period;
	char *callgraph;      /* "fp", "none" */
	uint64_t samples;     /* inserted into the tree */
	uint64_t lost;	      /* LOST and LOST_SAMPLES records' counts */
	uint64_t throttled;   /* THROTTLE records */
	uint64_t bad_records; /* records rejected by the decoder */
	/*
	 * The event leads a group (--sample-event '{A,B}'): its tree weighs its counts read with
	 * each sample (the change since the previous one), not samples.
	 */
	bool counts;
};

/*
 * A further sampled event (--sample-event's second and later): its own tree over the shared
 * frame table, in samples. The first event stays profile.sampling and profile.stacks.
 */
struct profile_event {
	char *event;	 /* its name as given */
	uint64_t freq;	 /* Hz, or 0 when period is used */
	uint64_t period; /* events per sample when freq is 0 */
	struct stacktree *stacks;
	/*
	 * In a group: its tree weighs counts read with the leader's samples, not samples; leader
	 * names the group's leader for a member (never sampled itself), NULL otherwise.
	 */
	bool counts;
	char *leader;
};

struct profile {
	struct profile_meta meta;
	struct counter_track *tracks;
	size_t ntracks;
	/* Sampling: all NULL when the recording took no samples. */
	struct profile_sampling sampling;
	struct frametab *frames;
	struct stacktree *stacks;
	struct tasks *tasks;
	struct addrtab *addrs; /* leaf instructions per function; NULL in old snapshots */
	uint32_t frame_root, frame_other; /* the "all" and "[other]" frames */
	/*
	 * The time tree (model/offcpu.h): per thread, nanoseconds on CPU ("[on-CPU]") and off CPU
	 * by reason and call stack. NULL when not recorded. Shares frames with stacks.
	 */
	struct stacktree *offcpu;
	bool offcpu_user; /* its stacks are user frames only (not --off-cpu-kernel) */
	/* The scheduler timeline: NULL when not recorded. */
	struct schedmap *sched;
	uint64_t sched_origin;	 /* the monotonic time that snapshot times count from */
	uint64_t sched_switches; /* sched_switch records: context switches, idle's included */
	char *sched_json;	 /* a snapshot's "sched" object as read, re-emitted as is */
	/*
	 * A merged snapshot's scheduler rows (app/merge_sched.c): per CPU of sched, the index in
	 * meta.hosts of its host and its CPU number there; per task, its host. NULL otherwise.
	 */
	uint32_t *sched_cpu_host, *sched_cpu_num, *sched_task_host;
	uint64_t sched_events; /* added to the map's own event count in "events" (a merge's) */
	/* The user's ratios (--ratio), not the built-in ones: snapshots keep them. */
	struct ratio_def *ratios;
	size_t nratios;
	/* Memory accesses (--mem): NULL when not recorded. */
	struct memacc *mem;
	/* A launched command's output, its last records in app/command_log.h's kept format ("o
	 * TEXT" stdout, "e TEXT" stderr, a line each; valid UTF-8), NULL when none was kept. */
	char *command_output;
	uint64_t command_output_dropped; /* the records left out before them */
	/* KVM exits (--kvm): NULL when not recorded. */
	struct kvmexits *kvm;
	/* Per-task counters (model/taskctr.h): NULL when not recorded. */
	struct taskctr *taskctr;
	/* The further sampled events (model/profile_events.c): none with one sampled event. */
	struct profile_event *events;
	size_t nevents;
};

/*
 * CPU cpu's row label of the scheduler map: "cpuN", or "HOST cpuN" in a merged profile (N the
 * CPU's number on its host).
 */
void profile_sched_cpu_label(const struct profile *p, unsigned cpu, char *buf, size_t len);
/* The label of the host task ran on in a merged profile, NULL otherwise. */
const char *profile_sched_task_host(const struct profile *p, uint32_t task);
/* An empty profile (command_exit = -1). */
struct profile *profile_new(void);
/* Append a zeroed track and return it (borrowed; valid until the next add). */
struct counter_track *profile_add_track(struct profile *p);
/*
 * The one counter-track lookup: the index of the track named name, else of the one whose
 * canonical name is canonical (NULL: by name only), or SIZE_MAX.
 */
size_t profile_track_index(const struct profile *p, const char *name, const char *canonical);
/* The track named name (by name only), or NULL. */
struct counter_track *profile_find_track(struct profile *p, const char *name);
/* The user's ratio named name, or NULL. */
struct ratio_def *profile_find_ratio(struct profile *p, const char *name);
/*
 * Add a copy of r to the user's ratios, or replace the one of the same name. Returns 0, or 1
 * when it replaced one.
 */
int profile_set_ratio(struct profile *p, const struct ratio_def *r);
/*
 * Create the frame table, stack tree (max_nodes, window_ns as stacktree_new) and task table, with
 * the root and "[other]" frames interned. No-op when they exist.
 */
void profile_enable_stacks(struct profile *p, size_t max_nodes, uint64_t window_ns);
/* Create the time tree (p->offcpu) once the stacks exist (profile_enable_stacks). */
void profile_enable_offcpu(struct profile *p, size_t max_nodes);
/*
 * Add a further sampled event named event with its own tree (max_nodes, window_ns as
 * stacktree_new) once the stacks exist (profile_enable_stacks); returns it (borrowed).
 */
struct profile_event *profile_add_event(struct profile *p, const char *event, uint64_t freq,
					uint64_t period, size_t max_nodes, uint64_t window_ns);
/* How many sampled events have a tree: 0 without stacks, else 1 + nevents. */
size_t profile_nsampled(const struct profile *p);
/* The tree of sampled event k (0: p->stacks, k: p->events[k - 1]), or NULL. */
struct stacktree *profile_event_tree(const struct profile *p, size_t k);
/* The name of sampled event k (0: p->sampling.event), or "". */
const char *profile_event_name(const struct profile *p, size_t k);
/* Whether sampled event k's tree weighs counts (an event of a group), not samples. */
bool profile_event_counts(const struct profile *p, size_t k);
/* The index of the sampled event named name (as profile_event_name), or SIZE_MAX. */
size_t profile_event_find(const struct profile *p, const char *name);
/* Release the further sampled events (profile_free does). */
void profile_events_free(struct profile *p);
/* Free p and everything it owns; NULL is fine. */
void profile_free(struct profile *p);

#endif
