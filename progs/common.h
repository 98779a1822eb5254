/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by every BPF program of the suite.
 *
 * The kfunc prototypes are written here, not taken from vmlinux.h: a
 * vmlinux.h made from a 6.18 BTF by a newer bpftool carries u32 versions of
 * bpf_dynptr_adjust()/bpf_dynptr_size() that conflict with 6.19's u64 ones.
 */
#ifndef __PROGS_COMMON_H
#define __PROGS_COMMON_H

#define BPF_NO_KFUNC_PROTOTYPES
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "shared_defs.h"

#define EINVAL	22
#define EFAULT	14
#define E2BIG	7

extern int bpf_dynptr_from_file(struct file *file, __u32 flags,
				struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_file_discard(struct bpf_dynptr *dynptr) __ksym;

/*
 * libbpf 1.1's bpf_helper_defs.h declares the offset and length of these
 * helpers as __u32, which truncates file offsets of 4 GiB and more before the
 * call. The kernel takes u64 since file dynptrs exist: call them as such.
 */
static long (* const dynptr_read)(void *dst, __u64 len,
				  const struct bpf_dynptr *src, __u64 offset,
				  __u64 flags) = (void *)BPF_FUNC_dynptr_read;

/*
 * A program acts only on the trigger of the test process that loaded it, so
 * that other processes' ioctls (and other tests' files) never disturb it.
 */
int target_tgid;

static __always_inline bool is_trigger(unsigned int cmd)
{
	return cmd == TRIGGER_IOCTL &&
	       (bpf_get_current_pid_tgid() >> 32) == (__u32)target_tgid;
}

#endif /* __PROGS_COMMON_H */
