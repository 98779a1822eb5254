// SPDX-License-Identifier: GPL-2.0
/*
 * An interpreter of operation sequences on a file dynptr, for model_seq.
 *
 * User space writes a sequence (shared_defs.h: struct seq_op) and triggers
 * the program once: it makes one file dynptr with seq_flags, runs ops[0 ..
 * clone_at) on it, clones it at clone_at (if clone_at < n_ops), runs the
 * rest on the dynptr or its clone as each op says, and discards one of
 * the two (discard_which). Every op's return value goes to results[], its
 * bytes to out[]; user space compares both with the model (prog_tests/
 * model.c) and with pread().
 *
 * The shape is what the verifier can follow: two fixed stack slots, the
 * clone made only on the path that has one, and number iterators for the
 * loops, whose bodies it checks a few times rather than once per op.
 */
#include "common.h"

struct seq_op ops[SEQ_MAX_OPS];
__u32 n_ops;
__u32 clone_at; /* index of the SEQ_CLONE op, SEQ_MAX_OPS if none */
__u32 seq_flags;
__u32 discard_which;
__u32 runs;
__s64 create_ret;
__s64 discard_ret;
__s64 results[SEQ_MAX_OPS];
__u8 write_src[SEQ_WRITE_MAX];
__u8 out[SEQ_MAX_OPS][SEQ_MAX_LEN];

/* What a slice returned: NULL, the buffer it was given, or another. */
static __always_inline __s64 slice_ret(void *slice, void *buf)
{
	if (!slice)
		return 0;
	return slice == buf ? 1 : 2;
}

static __always_inline __s64 do_slice(struct bpf_dynptr *p, __u64 off,
				      __u64 len, __u8 *buf, bool with_buf)
{
	void *b = with_buf ? buf : NULL;

	/* The buffer's size must be a constant: three of them. */
	if (len == 1)
		return slice_ret(bpf_dynptr_slice(p, off, b, 1), buf);
	if (len == 16)
		return slice_ret(bpf_dynptr_slice(p, off, b, 16), buf);
	if (len == 256)
		return slice_ret(bpf_dynptr_slice(p, off, b, 256), buf);
	return RESULT_NOT_RUN;
}

static __always_inline __s64 do_op(struct bpf_dynptr *p,
				   const struct seq_op *op, __u8 *buf)
{
	__u64 len = op->b;

	switch (op->code) {
	case SEQ_ADJUST:
		return bpf_dynptr_adjust(p, op->a, op->b);
	case SEQ_READ:
		if (len > SEQ_MAX_LEN)
			return RESULT_NOT_RUN;
		return dynptr_read(buf, len, p, op->a, 0);
	case SEQ_SLICE:
		return do_slice(p, op->a, len, buf, true);
	case SEQ_SLICE_NOBUF:
		return do_slice(p, op->a, len, buf, false);
	case SEQ_SIZE:
		return bpf_dynptr_size(p);
	case SEQ_IS_NULL:
		return bool_ret(bpf_dynptr_is_null(p));
	case SEQ_IS_RDONLY:
		return bool_ret(bpf_dynptr_is_rdonly(p));
	case SEQ_WRITE:
		if (len > SEQ_WRITE_MAX)
			return RESULT_NOT_RUN;
		return dynptr_write(p, op->a, write_src, len, 0);
	case SEQ_DATA:
		return dynptr_data(p, op->a, 16) != NULL;
	default:
		return RESULT_NOT_RUN;
	}
}

/* ops[0 .. clone_at): on the dynptr alone. */
static __always_inline void run_before_clone(struct bpf_dynptr *ptr)
{
	int i;

	for_each_num(i, 0, SEQ_MAX_OPS)
	{
		if (i >= n_ops || i >= clone_at)
			break;
		results[i] = do_op(ptr, &ops[i], out[i]);
	}
}

/* ops(clone_at .. n_ops): on either. */
static __always_inline void run_after_clone(struct bpf_dynptr *ptr,
					    struct bpf_dynptr *clone)
{
	int i;

	for_each_num(i, 0, SEQ_MAX_OPS)
	{
		if (i >= n_ops)
			break;
		if (i <= clone_at)
			continue;
		if (ops[i].which)
			results[i] = do_op(clone, &ops[i], out[i]);
		else
			results[i] = do_op(ptr, &ops[i], out[i]);
	}
}

static __always_inline void run_seq(struct file *file)
{
	struct bpf_dynptr ptr, clone;
	__u32 at = clone_at;

	runs++;
	create_ret = bpf_dynptr_from_file(file, seq_flags, &ptr);
	run_before_clone(&ptr);
	if (at < n_ops && at < SEQ_MAX_OPS) {
		results[at] = bpf_dynptr_clone(&ptr, &clone);
		run_after_clone(&ptr, &clone);
		/* A clone shares its parent's reference: either ends both. */
		if (discard_which)
			discard_ret = bpf_dynptr_file_discard(&clone);
		else
			discard_ret = bpf_dynptr_file_discard(&ptr);
		return;
	}
	discard_ret = bpf_dynptr_file_discard(&ptr);
}

FILE_IOCTL_PROGS(seq, run_seq)

char _license[] SEC("license") = "GPL";
