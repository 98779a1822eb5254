/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark's interface between its BPF program (bench/bench_kfunc.bpf.c)
 * and user space (bench/bench_kfunc.c). Plain C: included both with vmlinux.h
 * and with <linux/types.h>.
 *
 * User space fills params and issues TRIGGER_IOCTL on the file; the program
 * picked by trigger_ctx runs params.op params.iters times between two
 * bpf_ktime_get_ns() calls and leaves the elapsed time and the outcome in out.
 */
#ifndef __BENCH_KFUNC_H
#define __BENCH_KFUNC_H

/* The destination of every read: the largest read measured. */
#define BENCH_BUF (1u << 20)
#define BENCH_MAX_ITERS 65536
/* Symbols walked by one ELF lookup, and the longest name looked up. */
#define BENCH_MAX_SYMS (1u << 17)
#define BENCH_NAME_WORDS 4 /* 32 bytes, the NUL included */

enum bench_op {
	BENCH_NOP = 1, /* the timed loop alone: its cost per iteration */
	BENCH_READ, /* bpf_dynptr_read(buf, len, &file_dynptr, off) */
	BENCH_SLICE, /* bpf_dynptr_slice(&file_dynptr, off, buf, 1 << log2) */
	BENCH_CREATE, /* bpf_dynptr_from_file() + bpf_dynptr_file_discard() */
	BENCH_ELF, /* from_file, look a symbol up in .symtab, discard */
};

struct bench_params {
	__u32 op; /* enum bench_op */
	__u32 iters; /* 1 .. BENCH_MAX_ITERS */
	__u64 off;
	__u64 len; /* BENCH_READ: 0 .. BENCH_BUF */
	__u32 slice_log2; /* BENCH_SLICE: 0 .. 20 */
	__u32 name_len; /* BENCH_ELF: strlen of name, < 32 */
	__u64 name[BENCH_NAME_WORDS]; /* zero-padded */
};

struct bench_out {
	__u64 ns; /* bpf_ktime_get_ns() after the loop minus before */
	__u32 runs; /* program invocations that acted */
	__u32 done; /* iterations whose operation succeeded */
	__s32 err; /* the first failing operation's code (0: none) */
	__s32 create_err; /* bpf_dynptr_from_file() before the loop */
	__u32 slice_copied; /* the last slice pointed into buf */
	__u32 syms_walked; /* BENCH_ELF: symbols read by the last lookup */
	__s64 sym_index; /* BENCH_ELF: the symbol found (-1: none) */
	__u64 sym_value;
};

#endif /* __BENCH_KFUNC_H */
