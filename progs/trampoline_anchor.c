// SPDX-License-Identifier: GPL-2.0
/*
 * Programs that do nothing, held attached for a whole run (see
 * prog_tests/trampoline_anchor.c): one per LSM hook the tests attach to.
 */
#include "common.h"

char _license[] SEC("license") = "GPL";

SEC("lsm/file_open")
int BPF_PROG(anchor_file_open, struct file *file)
{
	return 0;
}

SEC("lsm/file_ioctl")
int BPF_PROG(anchor_file_ioctl, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	return 0;
}
