// SPDX-License-Identifier: GPL-2.0
/*
 * Programs that do nothing, held attached for a whole run (see
 * prog_tests/trampoline_anchor.c): one per LSM hook the tests attach to.
 * The file_ioctl one also counts the runner's own probe ioctl, which tells
 * whether BPF LSM programs run on this kernel at all.
 */
#include "common.h"

char _license[] SEC("license") = "GPL";

int probe_tgid;
__u32 probe_runs;

SEC("lsm/file_open")
int BPF_PROG(anchor_file_open, struct file *file)
{
	return 0;
}

SEC("lsm/file_ioctl")
int BPF_PROG(anchor_file_ioctl, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	if (cmd == TRIGGER_IOCTL &&
	    (bpf_get_current_pid_tgid() >> 32) == (__u32)probe_tgid)
		probe_runs++;
	return 0;
}
