// SPDX-License-Identifier: GPL-2.0
/*
 * spec_example: the spec's example, as a user would run it. An LSM
 * file_open program schedules task work; the callback runs in a sleepable
 * context on the task's way back to user space, takes the task's executable
 * with bpf_get_task_exe_file(), and reads it through a file dynptr: 256000
 * bytes from 0, from 1, the last of them, 100 bytes at 4097, then the same
 * dynptr adjusted to [4097, 4098) read three ways.
 *
 * Unlike the spec, the callback compares nothing itself: it copies what it
 * read into globals and records every return code, and user space compares
 * them with pread() of /proc/self/exe, so a failure shows the bytes.
 *
 * The task-work kfunc changed name and arity: 6.19 has
 * bpf_task_work_schedule_signal_impl(task, tw, map, cb, aux__prog), 7.x
 * bpf_task_work_schedule_signal(task, tw, map, cb). Both are declared
 * __weak and one program per kfunc shares everything else; user space
 * loads the one whose kfunc the kernel has. A single program choosing with
 * bpf_ksym_exists() works on 6.19 but cannot load on 7.x with libbpf 1.1:
 * 7.x's _impl is a BTF-only name with no kernel address, so both its
 * address ("ldimm64 failed to find the address for kernel symbol") and a
 * call to it, even in a branch the verifier would prune ("cannot find
 * address for kernel function"), are refused before dead code is removed;
 * libbpf 1.1 resolves the weak extern anyway, as the name is in the BTF
 * (once user space has aligned its prototype: see prog_tests/).
 */
#include "common.h"
#include "spec_example.h"

char _license[] SEC("license") = "GPL";

#define USER_BUF_SZ SPEC_BUF_SZ
#define MID_OFF SPEC_MID_OFF
#define MID_LEN SPEC_MID_LEN

/* The spec's map value: the task-work state lives in a map. */
struct elem {
	struct file *file;
	struct bpf_task_work tw;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct elem);
} arrmap SEC(".maps");

/* Set by user space. */
__u32 armed; /* schedule on the next open, once */
__u64 len; /* min(executable size, USER_BUF_SZ) */

/* The scheduling side. */
__u32 sched_runs;
__u32 sched_variant;
int sched_ret;
int lookup_failed;

/* The callback side. */
__u32 cb_runs;
__u32 cb_tgid;
__u32 cb_no_exe;
__u32 cb_done;
int create_ret;
int read_full_ret; /* [0, len) */
int read_shift_ret; /* [1, len) */
int read_last_ret; /* [len - 1, len) */
int read_mid_ret; /* [4097, 4197) */
int adjust_ret; /* adjust(4097, 4098) */
__u64 adj_size;
int adj_read1_ret; /* adjusted: 1 byte at 0 */
int adj_read2_ret; /* adjusted: 2 bytes at 0 */
int adj_read_off1_ret; /* adjusted: 1 byte at 1 */
int discard_ret;

__u8 out_full[USER_BUF_SZ];
__u8 out_shift[USER_BUF_SZ];
__u8 out_last[1];
__u8 out_mid[MID_LEN];
__u8 out_adj1[1];
__u8 out_adj2[2];
__u8 out_adj_off1[1];

static __always_inline void validate_file_read(struct file *file)
{
	struct bpf_dynptr dynptr;
	__u64 n = len;

	/*
	 * clang 14 describes a struct never dereferenced as a forward
	 * declaration, and libbpf then finds bpf_dynptr_from_file()'s
	 * prototype incompatible with the kernel's: this check puts the full
	 * struct file in the program's BTF.
	 */
	if (!bpf_core_type_exists(struct file))
		return;
	/* The verifier needs the bound; user space never asks more. */
	if (n > USER_BUF_SZ)
		n = USER_BUF_SZ;
	if (n < MID_OFF + MID_LEN)
		return;

	create_ret = bpf_dynptr_from_file(file, 0, &dynptr);
	if (create_ret)
		goto cleanup;

	read_full_ret = dynptr_read(out_full, n, &dynptr, 0, 0);
	read_shift_ret = dynptr_read(out_shift, n - 1, &dynptr, 1, 0);
	read_last_ret = dynptr_read(out_last, 1, &dynptr, n - 1, 0);
	read_mid_ret = dynptr_read(out_mid, MID_LEN, &dynptr, MID_OFF, 0);

	/* The dynptr now covers one byte of the file: the one at 4097. */
	adjust_ret = bpf_dynptr_adjust(&dynptr, MID_OFF, MID_OFF + 1);
	adj_size = bpf_dynptr_size(&dynptr);
	adj_read1_ret = dynptr_read(out_adj1, 1, &dynptr, 0, 0);
	adj_read2_ret = dynptr_read(out_adj2, 2, &dynptr, 0, 0);
	adj_read_off1_ret = dynptr_read(out_adj_off1, 1, &dynptr, 1, 0);

cleanup:
	discard_ret = bpf_dynptr_file_discard(&dynptr);
}

/* Sleepable: runs as the task returns to user space from open(). */
static int task_work_callback(struct bpf_map *map, void *key, void *value)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *file;

	cb_runs++;
	cb_tgid = bpf_get_current_pid_tgid() >> 32;
	file = bpf_get_task_exe_file(task);
	if (!file) {
		cb_no_exe = 1;
		cb_done = 1;
		return 0;
	}
	validate_file_read(file);
	bpf_put_file(file);
	cb_done = 1;
	return 0;
}

/*
 * The spec's on_open_validate_file_read, up to the kfunc call: the first
 * open by the test process once armed gets the map value to schedule with.
 */
static __always_inline struct elem *arm_once(void)
{
	struct elem *work;
	int key = 0;

	if ((bpf_get_current_pid_tgid() >> 32) != (__u32)target_tgid || !armed)
		return NULL;
	armed = 0;
	work = bpf_map_lookup_elem(&arrmap, &key);
	if (!work) {
		lookup_failed = 1;
		return NULL;
	}
	sched_runs++;
	return work;
}

/* 6.19: the spec's call, with a NULL aux__prog (the verifier fills it). */
SEC("?lsm/file_open")
int BPF_PROG(on_open_signal_impl, struct file *file)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct elem *work = arm_once();

	if (!work)
		return 0;
	sched_variant = VARIANT_IMPL;
	sched_ret = bpf_task_work_schedule_signal_impl(
		task, &work->tw, &arrmap, task_work_callback, NULL);
	return 0;
}

/* 7.x: the same without the aux argument. */
SEC("?lsm/file_open")
int BPF_PROG(on_open_signal, struct file *file)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct elem *work = arm_once();

	if (!work)
		return 0;
	sched_variant = VARIANT_PLAIN;
	sched_ret = bpf_task_work_schedule_signal(task, &work->tw, &arrmap,
						  task_work_callback);
	return 0;
}
