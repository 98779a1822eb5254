/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Constants and layouts shared by the BPF programs and the user-space tests.
 * Plain C: included both with vmlinux.h (BPF) and with <linux/types.h>.
 */
#ifndef __SHARED_DEFS_H
#define __SHARED_DEFS_H

/*
 * The ioctl command a test issues on its file to run the attached
 * lsm/file_ioctl program. No filesystem implements it, so after the LSM hook
 * the syscall fails with ENOTTY and changes nothing.
 */
#define TRIGGER_IOCTL 0x44ff7e01u

/*
 * Which program of a FILE_IOCTL_PROGS pair acts on a trigger (the programs'
 * trigger_ctx): either, unless user space holds the pair attached and picks
 * one (prog_tests/harness.h, hold_prog_pair()).
 */
#define TRIGGER_CTX_NONSLEEPABLE 1
#define TRIGGER_CTX_SLEEPABLE 2

/* A case result the program never writes: "this case did not run". */
#define RESULT_NOT_RUN 0x7fffbeef

/* Read-case batch walked by one program invocation (see file_reads.h). */
#define READ_MAX_CASES 8
/* 8 pages of 16 KiB: the longest case at that page size. */
#define READ_CHUNK 131072

struct read_case {
	__u64 off;
	__u64 len;
};

/* Adjust cases (progs/adjust.c): a window, maybe a second one, a read. */
#define ADJ_MAX_CASES 40
#define ADJ_OUT 64

struct adjust_case {
	__u64 start;
	__u64 end;
	__u64 start2; /* second adjust, if chained */
	__u64 end2;
	__u64 off; /* then a read of len bytes at off */
	__u64 len;
	__u32 chained;
	__u32 pad;
};

/*
 * The read grid (progs/read_grid.c): up to GRID_MAX_CASES reads per program
 * invocation, each into its own place of a GRID_OUT_SIZE output region.
 * GRID_MAX_LEN is the largest read: the biggest buffer the program offers.
 */
#define GRID_MAX_CASES 512
#define GRID_OUT_SIZE (4u << 20)
#define GRID_MAX_LEN (1u << 20)

/* How a case reads: bpf_dynptr_read(), or bpf_dynptr_slice() of a size. */
enum grid_helper {
	GRID_READ = 0,
	GRID_SLICE_16 = 1, /* bpf_dynptr_slice() with a 16-byte buffer */
	GRID_SLICE_4096 = 2, /* ... with a page-sized buffer */
};

struct grid_case {
	__u64 off;
	__u64 len; /* for slices: the slice's size */
	__u32 out_off; /* where in out[] the bytes go */
	__u32 helper; /* enum grid_helper */
};

/*
 * An operation sequence (progs/model_seq.c): one file dynptr made with
 * seq_flags, up to SEQ_MAX_OPS operations on it or on its clone, then the
 * discard of one of them. At most one SEQ_CLONE, and no operation on the
 * clone (which 1) before it.
 */
#define SEQ_MAX_OPS 16
#define SEQ_MAX_LEN 8192 /* the longest read */
#define SEQ_WRITE_MAX 16 /* the longest write */

enum seq_opcode {
	SEQ_ADJUST = 1, /* a = start, b = end */
	SEQ_CLONE, /* of the dynptr into the clone */
	SEQ_READ, /* bpf_dynptr_read(): a = off, b = len */
	SEQ_SLICE, /* bpf_dynptr_slice(): a = off, b = 1, 16 or 256 bytes */
	SEQ_SLICE_NOBUF, /* the same without a buffer */
	SEQ_SIZE,
	SEQ_IS_NULL,
	SEQ_IS_RDONLY,
	SEQ_WRITE, /* bpf_dynptr_write(): a = off, b = len */
	SEQ_DATA, /* bpf_dynptr_data() of 16 bytes at a */
	SEQ_NR_OPCODES,
};

struct seq_op {
	__u32 code; /* enum seq_opcode */
	__u32 which; /* 0: the dynptr, 1: its clone */
	__u64 a, b;
};

#endif /* __SHARED_DEFS_H */
