// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_dynptr_adjust() on file dynptrs: each case makes a fresh dynptr,
 * adjusts it (once or twice), records the return codes and sizes, then reads
 * relative to the window. Rules: SEMANTICS.md R-ADJUST-*.
 */
#include "common.h"

struct adjust_case cases[ADJ_MAX_CASES];
__u32 n_cases;
__u32 runs;

int create_ret[ADJ_MAX_CASES];
int adjust_ret[ADJ_MAX_CASES];
__u64 size1[ADJ_MAX_CASES];
int adjust2_ret[ADJ_MAX_CASES];
__u64 size2[ADJ_MAX_CASES];
int read_ret[ADJ_MAX_CASES];
__u8 out[ADJ_MAX_CASES][ADJ_OUT];

static __always_inline void run_case(struct file *file, __u32 i)
{
	struct adjust_case *c = &cases[i];
	struct bpf_dynptr ptr;
	__u64 len = c->len;

	create_ret[i] = bpf_dynptr_from_file(file, 0, &ptr);
	if (create_ret[i])
		goto out;
	adjust_ret[i] = bpf_dynptr_adjust(&ptr, c->start, c->end);
	size1[i] = bpf_dynptr_size(&ptr);
	if (c->chained) {
		adjust2_ret[i] = bpf_dynptr_adjust(&ptr, c->start2, c->end2);
		size2[i] = bpf_dynptr_size(&ptr);
	}
	if (len <= ADJ_OUT)
		read_ret[i] = dynptr_read(out[i], len, &ptr, c->off, 0);
out:
	bpf_dynptr_file_discard(&ptr);
}

static __always_inline void run(struct file *file)
{
	__u32 i;

	runs++;
	for (i = 0; i < ADJ_MAX_CASES; i++) {
		if (i >= n_cases)
			break;
		run_case(file, i);
	}
}

FILE_IOCTL_PROGS(adjust, run)

char _license[] SEC("license") = "GPL";
