// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_dynptr_clone() of a file dynptr: the clone's size and read-only flag,
 * reads through both, and whether adjusting one moves the other (phase A
 * adjusts the clone, phase B the parent, each on a fresh pair). Rules:
 * SEMANTICS.md R-CLONE-*.
 */
#include "common.h"

#define CLONE_READ 16

__u64 adj_start, adj_end; /* the adjust applied in both phases */
__u64 read_off; /* both dynptrs read CLONE_READ bytes here */
__u32 runs;

int clone_ret;
__u64 parent_size, clone_size;
int parent_rdonly, clone_rdonly;
int parent_read_ret, clone_read_ret;
__u8 parent_bytes[CLONE_READ], clone_bytes[CLONE_READ];

/* Index 0: after adjusting the clone; 1: after adjusting the parent. */
int adjust_ret[2];
__u64 parent_size_after[2], clone_size_after[2];
int parent_read_after[2], clone_read_after[2];
__u8 parent_bytes_after[2][CLONE_READ], clone_bytes_after[2][CLONE_READ];

static __always_inline void phase(struct file *file, int which)
{
	struct bpf_dynptr parent, clone;

	if (bpf_dynptr_from_file(file, 0, &parent))
		goto out;
	if (bpf_dynptr_clone(&parent, &clone))
		goto out;
	adjust_ret[which] =
		bpf_dynptr_adjust(which ? &parent : &clone, adj_start, adj_end);
	parent_size_after[which] = bpf_dynptr_size(&parent);
	clone_size_after[which] = bpf_dynptr_size(&clone);
	parent_read_after[which] = dynptr_read(
		parent_bytes_after[which], CLONE_READ, &parent, read_off, 0);
	clone_read_after[which] = dynptr_read(clone_bytes_after[which],
					      CLONE_READ, &clone, read_off, 0);
out:
	/* Releases the clone too: they share one reference. */
	bpf_dynptr_file_discard(&parent);
}

static __always_inline void run(struct file *file)
{
	struct bpf_dynptr parent, clone;

	runs++;
	if (bpf_dynptr_from_file(file, 0, &parent))
		goto out;
	clone_ret = bpf_dynptr_clone(&parent, &clone);
	if (clone_ret)
		goto out;
	parent_size = bpf_dynptr_size(&parent);
	clone_size = bpf_dynptr_size(&clone);
	parent_rdonly = bool_ret(bpf_dynptr_is_rdonly(&parent));
	clone_rdonly = bool_ret(bpf_dynptr_is_rdonly(&clone));
	parent_read_ret =
		dynptr_read(parent_bytes, CLONE_READ, &parent, read_off, 0);
	clone_read_ret =
		dynptr_read(clone_bytes, CLONE_READ, &clone, read_off, 0);
out:
	bpf_dynptr_file_discard(&parent);
	phase(file, 0);
	phase(file, 1);
}

FILE_IOCTL_PROGS(clone, run)

char _license[] SEC("license") = "GPL";
