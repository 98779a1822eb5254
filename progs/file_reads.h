/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A batch of reads through one file dynptr, shared by the themes that compare
 * file bytes (read_basic, fault_nonsleepable).
 *
 * User space fills cases[0..n_cases) and issues TRIGGER_IOCTL on the file.
 * The attached program makes one file dynptr, reads each case into its own
 * slot of out[] with bpf_dynptr_read(), records the exact return code in
 * results[], and discards the dynptr. runs counts the invocations so a test
 * can tell "the program never ran" from "every read failed".
 *
 * Two programs: lsm/file_ioctl runs non-sleepable (the kernel binds
 * bpf_dynptr_from_file to its page-cache-only reader), lsm.s/file_ioctl runs
 * sleepable (bound to the reader that may fault pages in). A test attaches
 * the one it wants.
 */
#ifndef __FILE_READS_H
#define __FILE_READS_H

#include "common.h"

struct read_case cases[READ_MAX_CASES];
__u32 n_cases;
int results[READ_MAX_CASES];
int create_err;
int discard_err;
__u32 runs;
__u8 out[READ_MAX_CASES][READ_CHUNK];

static __always_inline void run_read_cases(struct file *file)
{
	struct bpf_dynptr ptr;
	__u32 i;

	runs++;
	create_err = bpf_dynptr_from_file(file, 0, &ptr);
	for (i = 0; i < READ_MAX_CASES && !create_err; i++) {
		__u64 len = cases[i].len;

		if (i >= n_cases)
			break;
		/* The verifier needs a bound; user space checks it. */
		if (len > READ_CHUNK)
			continue;
		results[i] = dynptr_read(out[i], len, &ptr, cases[i].off, 0);
	}
	/* A file dynptr must be discarded even when its creation failed. */
	discard_err = bpf_dynptr_file_discard(&ptr);
}

FILE_IOCTL_PROGS(read, run_read_cases)

char _license[] SEC("license") = "GPL";

#endif /* __FILE_READS_H */
