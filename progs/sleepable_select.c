// SPDX-License-Identifier: GPL-2.0
/*
 * Which reader a file dynptr gets: the verifier binds bpf_dynptr_from_file()
 * to its sleepable or page-cache-only implementation per call site. Each
 * program reads SEL_LEN bytes at read_off of a file whose pages user space
 * evicted, from a different place. Rules: SEMANTICS.md R-SELECT-*.
 */
#include "common.h"

#define SEL_LEN 64

__u64 read_off;
__u32 runs;
int create_ret;
int read_ret;
__u8 buf[SEL_LEN];

static __always_inline void record(struct file *file, bool lock_create,
				   bool lock_read)
{
	struct bpf_dynptr ptr;

	runs++;
	if (lock_create)
		bpf_rcu_read_lock();
	create_ret = bpf_dynptr_from_file(file, 0, &ptr);
	if (lock_create && !lock_read)
		bpf_rcu_read_unlock();
	if (lock_read && !lock_create)
		bpf_rcu_read_lock();
	read_ret = dynptr_read(buf, SEL_LEN, &ptr, read_off, 0);
	if (lock_read)
		bpf_rcu_read_unlock();
	bpf_dynptr_file_discard(&ptr);
}

SEC("lsm/file_ioctl")
int BPF_PROG(nonsleepable, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	if (is_trigger(cmd))
		record(file, false, false);
	return 0;
}

SEC("lsm.s/file_ioctl")
int BPF_PROG(sleepable, struct file *file, unsigned int cmd, unsigned long arg)
{
	if (is_trigger(cmd))
		record(file, false, false);
	return 0;
}

/* Created and read inside an RCU read-side section of a sleepable program. */
SEC("lsm.s/file_ioctl")
int BPF_PROG(sleepable_all_in_rcu, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	if (is_trigger(cmd))
		record(file, true, true);
	return 0;
}

/* Created inside the section, read after it. */
SEC("lsm.s/file_ioctl")
int BPF_PROG(sleepable_made_in_rcu, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	if (is_trigger(cmd))
		record(file, true, false);
	return 0;
}

/* Created outside the section, read inside it: must not sleep there. */
SEC("lsm.s/file_ioctl")
int BPF_PROG(sleepable_read_in_rcu, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	if (is_trigger(cmd))
		record(file, false, true);
	return 0;
}

char _license[] SEC("license") = "GPL";
