// SPDX-License-Identifier: GPL-2.0
/*
 * prog_types: one small program per BPF program type, each calling
 * bpf_dynptr_from_file() and bpf_dynptr_file_discard() with the best
 * struct file * that type can reach. User space loads them one at a time
 * (every section carries the "?" prefix: nothing loads unless asked) and
 * classifies the verifier's answer from the log.
 *
 * The file argument, by type:
 *  - LSM: the hook's own file (lsm.s/file_ioctl), a trusted pointer. Runs.
 *  - TRACING: tp_btf/sched_process_exec's bprm->file; raw tracepoint
 *    arguments are trusted and linux_binprm::file inherits that trust
 *    (BTF_TYPE_SAFE_TRUSTED in the verifier). Runs.
 *  - every other type: current->mm->exe_file, reached by walking BTF
 *    pointers from bpf_get_current_task_btf(). The walk ends in a plain,
 *    untrusted PTR_TO_BTF_ID: a real struct file *, so the verifier's
 *    answer tells whether the type may call the kfunc at all (checked at
 *    the call, before the arguments) and whether the argument is acceptable.
 *    bpf_get_task_exe_file(), the way to a referenced exe file, is an
 *    LSM-only kfunc (see the *_exe_kfunc probes below).
 *  - each type also has a *_null variant passing NULL, used when the
 *    primary program fails for another reason (a helper the type lacks).
 */
#include "common.h"

char _license[] SEC("license") = "GPL";

/* Netfilter verdict; cgroup and sk_* programs return 1 to let things pass. */
#define PT_NF_ACCEPT 1
#define PT_SK_PASS 1
#define PT_XDP_PASS 2

#define HEAD_LEN 4096
#define TAIL_LEN 512
#define EXEC_LEN 512

/*
 * The one call every program of this file makes.
 *
 * clang 14 describes a struct never dereferenced as a forward declaration,
 * and libbpf then finds the kfunc's prototype incompatible with the
 * kernel's; the CO-RE existence check puts the full struct file in the BTF.
 */
static __always_inline int try_file(struct file *file)
{
	struct bpf_dynptr ptr;
	int ret;

	if (!bpf_core_type_exists(struct file))
		return -1;
	ret = bpf_dynptr_from_file(file, 0, &ptr);
	bpf_dynptr_file_discard(&ptr);
	return ret;
}

/* current->mm->exe_file: a real struct file *, but an untrusted one. */
static __always_inline int try_current_exe(void)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *file = task->mm->exe_file;

	if (!file)
		return 0;
	return try_file(file);
}

/*
 * NAME: the untrusted current->mm->exe_file; NAME_null: NULL. SEC_NAME is
 * libbpf's section (it sets the program type and expected attach type).
 */
#define TYPE_PROGS(name, sec_name, ctx_type, ret) \
	SEC("?" sec_name)                         \
	int name(ctx_type *ctx)                   \
	{                                         \
		try_current_exe();                \
		return ret;                       \
	}                                         \
	SEC("?" sec_name)                         \
	int name##_null(ctx_type *ctx)            \
	{                                         \
		try_file((struct file *)0);       \
		return ret;                       \
	}

/* The 22 types the spec lists, in its order (LSM, STRUCT_OPS, TRACING below). */
TYPE_PROGS(cgroup_device, "cgroup/dev", struct bpf_cgroup_dev_ctx, 1)
TYPE_PROGS(cgroup_skb, "cgroup_skb/ingress", struct __sk_buff, 1)
TYPE_PROGS(cgroup_sock, "cgroup/sock_create", struct bpf_sock, 1)
TYPE_PROGS(cgroup_sockopt, "cgroup/getsockopt", struct bpf_sockopt, 1)
TYPE_PROGS(cgroup_sock_addr, "cgroup/connect4", struct bpf_sock_addr, 1)
TYPE_PROGS(cgroup_sysctl, "cgroup/sysctl", struct bpf_sysctl, 1)
TYPE_PROGS(lwt_in, "lwt_in", struct __sk_buff, 0)
TYPE_PROGS(lwt_out, "lwt_out", struct __sk_buff, 0)
TYPE_PROGS(lwt_seg6local, "lwt_seg6local", struct __sk_buff, 0)
TYPE_PROGS(lwt_xmit, "lwt_xmit", struct __sk_buff, 0)
/* libbpf 1.1 does not know this section: user space sets type and attach. */
TYPE_PROGS(netfilter, "netfilter", struct bpf_nf_ctx, PT_NF_ACCEPT)
TYPE_PROGS(perf_event, "perf_event", struct bpf_perf_event_data, 0)
TYPE_PROGS(sched_act, "action", struct __sk_buff, 0)
TYPE_PROGS(sched_cls, "tc", struct __sk_buff, 0)
TYPE_PROGS(sk_skb, "sk_skb/stream_parser", struct __sk_buff, 0)
TYPE_PROGS(socket_filter, "socket", struct __sk_buff, 0)
TYPE_PROGS(sock_ops, "sockops", struct bpf_sock_ops, 1)
TYPE_PROGS(syscall, "syscall", void, 0)
TYPE_PROGS(tracepoint, "tracepoint/syscalls/sys_enter_getpid", void, 0)
TYPE_PROGS(xdp, "xdp", struct xdp_md, PT_XDP_PASS)

/* Types the spec does not list: the kernel registers the kfunc for all. */
TYPE_PROGS(kprobe, "kprobe/do_nanosleep", struct pt_regs, 0)
TYPE_PROGS(raw_tracepoint, "raw_tp/sys_enter", struct bpf_raw_tracepoint_args,
	   0)
TYPE_PROGS(sk_msg, "sk_msg", struct sk_msg_md, PT_SK_PASS)
TYPE_PROGS(flow_dissector, "flow_dissector", struct __sk_buff, 0)
TYPE_PROGS(sk_lookup, "sk_lookup", struct bpf_sk_lookup, PT_SK_PASS)
TYPE_PROGS(sk_reuseport, "sk_reuseport", struct sk_reuseport_md, PT_SK_PASS)

/*
 * STRUCT_OPS: bpf_dummy_ops, the kernel's struct_ops for BPF_PROG_TEST_RUN,
 * present whenever CONFIG_NET is. Loading only verifies the programs; the
 * maps are never attached. Its arguments are trusted but lead to no file.
 *
 * One map per program: libbpf 1.4 and later load every struct_ops program
 * that a map being created refers to, whatever its autoload says, so a map
 * naming both programs would load the rejected one with the other. With
 * one map each, user space creates only the map of the program it loads,
 * and every libbpf loads the same single program.
 */
SEC("?struct_ops/test_1")
int BPF_PROG(struct_ops, struct bpf_dummy_ops_state *state)
{
	try_current_exe();
	return 0;
}

SEC("?struct_ops/test_1")
int BPF_PROG(struct_ops_null, struct bpf_dummy_ops_state *state)
{
	try_file((struct file *)0);
	return 0;
}

SEC(".struct_ops")
struct bpf_dummy_ops dummy_ops = {
	.test_1 = (void *)struct_ops,
};

SEC(".struct_ops")
struct bpf_dummy_ops dummy_ops_null = {
	.test_1 = (void *)struct_ops_null,
};

/*
 * LSM, run for real: the ioctl'd file (the test's /proc/self/exe), read at
 * offset 0 and at tail_off in a sleepable hook, so residency does not matter.
 */
__u64 tail_off;
__u32 lsm_runs;
int lsm_create_ret;
int lsm_head_ret;
int lsm_tail_ret;
int lsm_discard_ret;
__u8 lsm_head[HEAD_LEN];
__u8 lsm_tail[TAIL_LEN];

SEC("?lsm.s/file_ioctl")
int BPF_PROG(lsm, struct file *file, unsigned int cmd, unsigned long arg)
{
	struct bpf_dynptr ptr;

	if (!is_trigger(cmd))
		return 0;
	lsm_runs++;
	lsm_create_ret = bpf_dynptr_from_file(file, 0, &ptr);
	if (!lsm_create_ret) {
		lsm_head_ret =
			dynptr_read(lsm_head, sizeof(lsm_head), &ptr, 0, 0);
		lsm_tail_ret = dynptr_read(lsm_tail, sizeof(lsm_tail), &ptr,
					   tail_off, 0);
	}
	lsm_discard_ret = bpf_dynptr_file_discard(&ptr);
	return 0;
}

SEC("?lsm.s/file_ioctl")
int BPF_PROG(lsm_null, struct file *file, unsigned int cmd, unsigned long arg)
{
	try_file((struct file *)0);
	return 0;
}

/*
 * TRACING, run for real: the file being executed, when the test's child
 * (target_tgid) execs /proc/self/exe. Non-sleepable: only the page cache is
 * read, and exec has just read page 0 through it.
 */
__u32 exec_runs;
int exec_create_ret;
int exec_read_ret;
int exec_discard_ret;
__u8 exec_head[EXEC_LEN];

SEC("?tp_btf/sched_process_exec")
int BPF_PROG(tracing, struct task_struct *task, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	struct bpf_dynptr ptr;

	if ((bpf_get_current_pid_tgid() >> 32) != (__u32)target_tgid)
		return 0;
	exec_runs++;
	exec_create_ret = bpf_dynptr_from_file(bprm->file, 0, &ptr);
	if (!exec_create_ret)
		exec_read_ret =
			dynptr_read(exec_head, sizeof(exec_head), &ptr, 0, 0);
	exec_discard_ret = bpf_dynptr_file_discard(&ptr);
	return 0;
}

SEC("?tp_btf/sched_process_exec")
int BPF_PROG(tracing_null, struct task_struct *task, pid_t old_pid,
	     struct linux_binprm *bprm)
{
	try_file((struct file *)0);
	return 0;
}

/*
 * Probes of the one kfunc that hands out a referenced exe file, from types
 * that might have used it: the verifier tells whether they may call it.
 */
static __always_inline int try_exe_kfunc(void)
{
	struct file *file = bpf_get_task_exe_file(bpf_get_current_task_btf());

	if (!file)
		return 0;
	try_file(file);
	bpf_put_file(file);
	return 0;
}

SEC("?syscall")
int syscall_exe_kfunc(void *ctx)
{
	return try_exe_kfunc();
}

SEC("?fentry/do_nanosleep")
int BPF_PROG(fentry_exe_kfunc)
{
	return try_exe_kfunc();
}
