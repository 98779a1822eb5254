// SPDX-License-Identifier: GPL-2.0
/*
 * The read grid: one invocation creates a file dynptr and walks a batch of
 * cases, each a read (bpf_dynptr_read) or a slice (bpf_dynptr_slice with a
 * constant-size buffer), recording the exact result and the bytes. User
 * space decides what each result should have been (SEMANTICS.md R-READ-*,
 * R-EOF-*, R-ZERO-*) and compares the bytes with pread().
 */
#include "common.h"

struct grid_case cases[GRID_MAX_CASES];
__u32 n_cases;
__u32 runs;
int create_err;
int results[GRID_MAX_CASES];
__u8 out[GRID_OUT_SIZE];

/* A slice's result as a code: 0 when it returned the buffer, else -1. */
#define SLICE_CASE(size, ptr, c, i)                                        \
	do {                                                               \
		__u8 *dst = &out[(c)->out_off & (GRID_OUT_SIZE - 1)];      \
                                                                           \
		if ((c)->out_off > GRID_OUT_SIZE - (size))                 \
			break;                                             \
		results[i] = bpf_dynptr_slice(ptr, (c)->off, dst, size) == \
					     dst ?                         \
				     0 :                                   \
				     -1;                                   \
	} while (0)

static __always_inline void run_case(struct bpf_dynptr *ptr, __u32 i)
{
	struct grid_case *c = &cases[i];
	__u64 len = c->len, at = c->out_off;

	switch (c->helper) {
	case GRID_READ:
		if (len > GRID_MAX_LEN || at > GRID_OUT_SIZE - GRID_MAX_LEN)
			return;
		results[i] = dynptr_read(&out[at], len, ptr, c->off, 0);
		return;
	case GRID_SLICE_16:
		SLICE_CASE(16, ptr, c, i);
		return;
	case GRID_SLICE_4096:
		SLICE_CASE(4096, ptr, c, i);
		return;
	}
}

static __always_inline void run(struct file *file)
{
	struct bpf_dynptr ptr;
	int i;

	runs++;
	create_err = bpf_dynptr_from_file(file, 0, &ptr);
	if (!create_err) {
		for_each_num(i, 0, GRID_MAX_CASES)
		{
			if (i >= n_cases)
				break;
			run_case(&ptr, i);
		}
	}
	bpf_dynptr_file_discard(&ptr);
}

FILE_IOCTL_PROGS(grid, run)

char _license[] SEC("license") = "GPL";
