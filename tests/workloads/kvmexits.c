// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kvmexits: a virtual machine with a known number of exits of known reasons, driven through the
 * KVM ioctl API directly. It creates a VM with one page of guest memory and one vCPU in real
 * mode, whose code writes a byte to I/O port 0x10 N times (N exits to user space with
 * KVM_EXIT_IO, each an IO_INSTRUCTION / "io" exit in kvm:kvm_exit), then stores to an address no
 * memory slot covers (one KVM_EXIT_MMIO), then halts (KVM_EXIT_HLT), and exits 0.
 *
 *   kvmexits N [--wait-fifo PATH]
 *
 * It prints "io N mmio 1 hlt 1" with the counts it saw. When KVM cannot run a vCPU here (no
 * /dev/kvm, no permission, no nested virtualisation) it says why on stderr and exits 77.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "workload.h"

#define KVMEXITS_PORT 0x10
#define KVMEXITS_MEM  0x1000

static void
skip(const char *what)
{
	fprintf(stderr, "kvmexits: %s: %s\n", what, strerror(errno));
	exit(77);
}

/*
 * Real-mode code at 0x1000 (cs 0, ip 0x1000):
 *   mov cx, N ; again: mov al, 'x' ; out 0x10, al ; loop again ;
 *   mov word [0x8000], 0x1234 (no memory slot: MMIO) ; hlt
 */
static size_t
kvmexits_code(uint8_t *p, unsigned n)
{
	const uint8_t tail[] = {
		0xb0, 'x',				     /* mov al, 'x' */
		0xe6, KVMEXITS_PORT,			     /* out 0x10, al */
		0xe2, 0xfa,				     /* loop -6 */
		0xc7, 0x06,	     0x00, 0x80, 0x34, 0x12, /* mov word [0x8000], 0x1234 */
		0xf4,					     /* hlt */
	};

	p[0] = 0xb9; /* mov cx, imm16 */
	p[1] = (uint8_t)(n & 0xff);
	p[2] = (uint8_t)(n >> 8);
	memcpy(p + 3, tail, sizeof(tail));
	return 3 + sizeof(tail);
}

int
main(int argc, char **argv)
{
	struct kvm_userspace_memory_region region = { 0 };
	struct kvm_sregs sregs;
	struct kvm_regs regs = { 0 };
	struct kvm_run *run;
	unsigned long io = 0, mmio = 0, hlt = 0;
	long n;
	int kvm, vm, vcpu, size;
	uint8_t *mem;

	if (argc != 2 && !(argc == 4 && strcmp(argv[2], "--wait-fifo") == 0)) {
		fprintf(stderr, "usage: kvmexits N [--wait-fifo PATH]\n");
		return 2;
	}
	n = strtol(argv[1], NULL, 10);
	if (n < 1 || n > 65535) {
		fprintf(stderr, "kvmexits: N must be 1..65535\n");
		return 2;
	}
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		skip("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		skip("KVM_CREATE_VM");
	mem = mmap(NULL, KVMEXITS_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		skip("mmap");
	kvmexits_code(mem, (unsigned)n);
	region.guest_phys_addr = 0x1000;
	region.memory_size = KVMEXITS_MEM;
	region.userspace_addr = (uint64_t)(uintptr_t)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		skip("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		skip("KVM_CREATE_VCPU");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		skip("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		skip("mmap vcpu");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0)
		skip("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0)
		skip("KVM_SET_SREGS");
	regs.rip = 0x1000;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0)
		skip("KVM_SET_REGS");
	if (argc == 4)
		workload_wait_fifo("kvmexits", argv[3]);
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			skip("KVM_RUN");
		}
		if (run->exit_reason == KVM_EXIT_IO && run->io.port == KVMEXITS_PORT)
			io++;
		else if (run->exit_reason == KVM_EXIT_MMIO)
			mmio++;
		else if (run->exit_reason == KVM_EXIT_HLT) {
			hlt++;
			break;
		} else {
			fprintf(stderr, "kvmexits: unexpected exit %u after %lu io\n",
				run->exit_reason, io);
			return 1;
		}
	}
	printf("io %lu mmio %lu hlt %lu\n", io, mmio, hlt);
	munmap(run, (size_t)size);
	munmap(mem, KVMEXITS_MEM);
	close(vcpu);
	close(vm);
	close(kvm);
	return io == (unsigned long)n && mmio == 1 && hlt == 1 ? 0 : 1;
}
