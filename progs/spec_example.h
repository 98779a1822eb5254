/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants shared by progs/spec_example.c and prog_tests/spec_example.c.
 * Plain #defines: included both with vmlinux.h and in user space.
 */
#ifndef __SPEC_EXAMPLE_H
#define __SPEC_EXAMPLE_H

#define SPEC_BUF_SZ 256000 /* the spec's user_buf: "read 256K bytes" */
#define SPEC_MID_OFF 4097 /* the spec's "random offset" */
#define SPEC_MID_LEN 100

/* Which kfunc scheduled the task work. */
#define VARIANT_IMPL 1 /* bpf_task_work_schedule_signal_impl (6.19) */
#define VARIANT_PLAIN 2 /* bpf_task_work_schedule_signal (7.x) */

#endif /* __SPEC_EXAMPLE_H */
