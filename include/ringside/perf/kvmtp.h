/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The KVM exit tracepoints (kvm:kvm_exit, kvm:kvm_entry): their ids, for perf_event_attr.config,
 * the decoding of their PERF_SAMPLE_RAW payloads, and the names of exit reasons. The two format
 * files are parsed once with libtraceevent (the fields' offsets and sizes); the reason names come
 * from the kvm_exit format's own print fmt (its __print_symbolic tables: on x86, VMX's when isa is
 * 1, SVM's otherwise), so they are this kernel's names. Decoding a record allocates nothing.
 */
#ifndef RINGSIDE_PERF_KVMTP_H
#define RINGSIDE_PERF_KVMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ringside/util/errbuf.h"

enum kvmtp_type {
	KVMTP_EXIT,  /* kvm:kvm_exit: the vCPU left the guest */
	KVMTP_ENTRY, /* kvm:kvm_entry: it goes back in */
	KVMTP_NR_TYPES,
};

/* One decoded record. */
struct kvmtp_event {
	enum kvmtp_type type;
	uint32_t reason; /* kvm_exit's exit_reason (0 for an entry) */
	uint32_t code;	 /* reason under the print fmt's mask (VMX: flag bits cleared) */
	uint32_t isa;	 /* kvm_exit's isa: 1 VMX, 2 SVM; 0 when the format has none */
	uint32_t vcpu;	 /* vcpu_id, or UINT32_MAX when the format has none */
};

struct kvmtp;

/*
 * Read kvm_exit's and kvm_entry's format and id under tracefs_dir (NULL: sys_tracefs_dir()).
 * On success *out is the caller's (kvmtp_free). Returns 0 or a negative errno with err set to
 * one line: -ENOENT no tracefs or no kvm tracepoints ("load the kvm module"), -EINVAL a format
 * that cannot be parsed or lacks exit_reason, -EACCES and others: a file that cannot be read.
 */
int kvmtp_new(struct kvmtp **out, const char *tracefs_dir, struct errbuf *err);

/*
 * As kvmtp_new, from the two format files' text (a test's fixtures); ids come from their "ID:"
 * lines.
 */
int kvmtp_new_from_text(struct kvmtp **out, const char *exit_fmt, const char *entry_fmt,
			struct errbuf *err);

/* The tracepoint id of type; 0 for a bad type. */
uint64_t kvmtp_id(const struct kvmtp *tp, enum kvmtp_type type);

/* "kvm:kvm_exit" or "kvm:kvm_entry"; NULL for a bad type. Static. */
const char *kvmtp_name(enum kvmtp_type type);

/*
 * Decode raw (PERF_SAMPLE_RAW's data, size bytes) of a type record into *out. Returns 0, or
 * -EINVAL (out zeroed but for type) when type is bad or raw is shorter than the fields read.
 */
int kvmtp_decode(const struct kvmtp *tp, enum kvmtp_type type, const void *raw, size_t size,
		 struct kvmtp_event *out);

/*
 * The name of exit reason under isa as this kernel's print fmt gives it ("IO_INSTRUCTION",
 * "io", "FAILED_VMENTRY" bits masked off), or NULL when the format names no such reason.
 * Borrowed from tp.
 */
const char *kvmtp_reason_name(const struct kvmtp *tp, uint32_t isa, uint32_t reason);

/* "vmx" for isa 1, "svm" for 2, "" otherwise. Static. */
const char *kvmtp_isa_name(uint32_t isa);

/* Free tp (NULL is fine). */
void kvmtp_free(struct kvmtp *tp);

#endif
