// SPDX-License-Identifier: GPL-2.0
/*
 * Creation and the state of a file dynptr: for each flags value user space
 * lists, create a dynptr and record what every generic operation returns on
 * it; for a valid one also the read-only contract (write, data) and slices
 * with and without a buffer. (bpf_dynptr_slice_rdwr cannot be called here at
 * all: the verifier refuses it in LSM programs, see verifier_file_dynptr.)
 * Rules: SEMANTICS.md R-CREATE-*.
 */
#include "common.h"

#define MAX_FLAGS 40
#define SLICE_LEN 16

__u32 flags_cases[MAX_FLAGS];
__u32 n_flags;
__u32 runs;

/* Per flags value. */
int create_ret[MAX_FLAGS];
int is_null[MAX_FLAGS];
int is_rdonly[MAX_FLAGS];
__u64 size[MAX_FLAGS];
int read_ret[MAX_FLAGS];
int adjust_ret[MAX_FLAGS];
int clone_ret[MAX_FLAGS];
int clone_is_null[MAX_FLAGS];
int slice_is_null[MAX_FLAGS];
int discard_ret[MAX_FLAGS];

/* For the valid (flags 0) dynptr only. */
int write_ret;
int data_is_null;
int slice_nobuf_is_null;
int slice_is_buf;
/*
 * R0 of bool kfuncs, all 64 bits, as the kernel leaves it after a call that
 * set R0 to -EINVAL (R-CREATE-5).
 */
__u64 raw_is_null;
__u64 raw_is_rdonly;
__u8 slice_bytes[SLICE_LEN];
__u8 write_src[SLICE_LEN];

static __always_inline void probe_flags(struct file *file, __u32 i)
{
	struct bpf_dynptr ptr, clone;
	__u8 buf[SLICE_LEN];

	create_ret[i] = bpf_dynptr_from_file(file, flags_cases[i], &ptr);
	is_null[i] = bool_ret(bpf_dynptr_is_null(&ptr));
	is_rdonly[i] = bool_ret(bpf_dynptr_is_rdonly(&ptr));
	size[i] = bpf_dynptr_size(&ptr);
	read_ret[i] = dynptr_read(buf, 1, &ptr, 0, 0);
	slice_is_null[i] = !bpf_dynptr_slice(&ptr, 0, buf, sizeof(buf));
	clone_ret[i] = bpf_dynptr_clone(&ptr, &clone);
	clone_is_null[i] = bool_ret(bpf_dynptr_is_null(&clone));
	/* Last, as it shrinks a valid dynptr to one byte. */
	adjust_ret[i] = bpf_dynptr_adjust(&ptr, 0, 1);
	/* Also for a failed creation: the verifier demands it, it must be harmless. */
	discard_ret[i] = bpf_dynptr_file_discard(&ptr);
}

static __always_inline void probe_rdonly(struct file *file)
{
	struct bpf_dynptr ptr;
	__u8 *slice;

	if (bpf_dynptr_from_file(file, 0, &ptr)) {
		bpf_dynptr_file_discard(&ptr);
		return;
	}
	write_ret = dynptr_write(&ptr, 0, write_src, sizeof(write_src), 0);
	data_is_null = !dynptr_data(&ptr, 0, SLICE_LEN);
	slice_nobuf_is_null = !bpf_dynptr_slice(&ptr, 0, NULL, SLICE_LEN);
	slice = bpf_dynptr_slice(&ptr, 0, slice_bytes, sizeof(slice_bytes));
	slice_is_buf = slice == slice_bytes;
	bpf_dynptr_file_discard(&ptr);
}

/*
 * A bool kfunc called right after a failed creation (flags 1: R0 = -EINVAL),
 * its R0 stored whole. Written in BPF assembly: in C, clang 16 and later mask
 * a bool call's result ("r0 &= 1") and clang 14 does not, so what the program
 * sees would depend on the compiler; here no instruction can come between
 * the two calls or touch R0 before the store. @out is a u64 lvalue.
 */
#define RAW_BOOL_AFTER_EINVAL(bool_kfunc, file, ptr, out)                     \
	asm volatile(                                                         \
		"r1 = %[f];"                                                  \
		"w2 = 1;"                                                     \
		"r3 = %[p];"                                                  \
		"call %[create];"                                             \
		"r1 = %[p];"                                                  \
		"call %[kfunc];"                                              \
		"%[o] = r0;"                                                  \
		: [o] "=r"(out)                                               \
		: [f] "r"(file), [p] "r"(ptr),                                \
		  [create] "i"(bpf_dynptr_from_file), [kfunc] "i"(bool_kfunc) \
		: "r0", "r1", "r2", "r3", "r4", "r5", "memory")

static __always_inline void probe_bool_abi(struct file *file)
{
	struct bpf_dynptr ptr;

	RAW_BOOL_AFTER_EINVAL(bpf_dynptr_is_null, file, &ptr, raw_is_null);
	bpf_dynptr_file_discard(&ptr);
	RAW_BOOL_AFTER_EINVAL(bpf_dynptr_is_rdonly, file, &ptr, raw_is_rdonly);
	bpf_dynptr_file_discard(&ptr);
}

static __always_inline void run(struct file *file)
{
	__u32 i;

	runs++;
	for (i = 0; i < MAX_FLAGS; i++) {
		if (i >= n_flags)
			break;
		probe_flags(file, i);
	}
	probe_rdonly(file);
	probe_bool_abi(file);
}

FILE_IOCTL_PROGS(creation, run)

char _license[] SEC("license") = "GPL";
