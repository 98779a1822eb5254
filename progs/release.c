// SPDX-License-Identifier: GPL-2.0
/*
 * Many create/read/discard cycles: the batch programs of file_reads.h. And
 * churn_*: churn_cycles creations and discards in one run, reading nothing,
 * for the check that a discard frees the dynptr's state; with churn_flags
 * set, creations that fail (-EINVAL), for the check that a failed creation
 * keeps nothing.
 */
#include "file_reads.h"

#define CHURN_MAX 65536

__u32 churn_cycles;
__u32 churn_flags;
int churn_create_want; /* 0, or -EINVAL with churn_flags */
__u32 churned;
int churn_create_err;
int churn_discard_err;

static __always_inline void churn(struct file *file)
{
	struct bpf_dynptr ptr;
	int i;

	runs++;
	for_each_num(i, 0, CHURN_MAX)
	{
		if (i >= churn_cycles)
			break;
		churn_create_err =
			bpf_dynptr_from_file(file, churn_flags, &ptr);
		churn_discard_err = bpf_dynptr_file_discard(&ptr);
		if (churn_create_err != churn_create_want || churn_discard_err)
			break;
		churned++;
	}
}

FILE_IOCTL_PROGS(churn, churn)
