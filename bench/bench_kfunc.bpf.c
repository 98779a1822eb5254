// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's BPF side: one trigger times params.iters operations on a
 * file dynptr with bpf_ktime_get_ns() (CLOCK_MONOTONIC, the clock user space
 * times pread() and memcpy() with). The dynptr of BENCH_READ and BENCH_SLICE
 * is made before the first timestamp and discarded after the second: their
 * figure is the operation alone; BENCH_CREATE times creation and discard.
 */
#include "common.h"
#include "elf_parse.h"
#include "bench_kfunc.h"

#define ENOENT 2

struct bench_params params;
struct bench_out out;
__u8 buf[BENCH_BUF];

static __always_inline void note_err(long err)
{
	if (err && !out.err)
		out.err = err;
}

static __always_inline void time_reads(struct bpf_dynptr *ptr)
{
	__u64 len = params.len, off = params.off;
	int i;

	if (len > BENCH_BUF)
		return;
	for_each_num(i, 0, params.iters)
	{
		long err = dynptr_read(buf, len, ptr, off, 0);

		note_err(err);
		out.done += !err;
	}
}

/* bpf_dynptr_slice() takes its size as a constant: one loop per size. */
#define SLICE_CASE(log2)                                                  \
	case log2:                                                        \
		for_each_num(i, 0, params.iters)                          \
		{                                                         \
			p = bpf_dynptr_slice(ptr, off, buf, 1ul << log2); \
			note_err(p ? 0 : -1);                             \
			out.done += !!p;                                  \
		}                                                         \
		break

static __always_inline void time_slices(struct bpf_dynptr *ptr)
{
	__u64 off = params.off;
	void *p = NULL;
	int i;

	switch (params.slice_log2) {
		SLICE_CASE(0);
		SLICE_CASE(1);
		SLICE_CASE(2);
		SLICE_CASE(3);
		SLICE_CASE(4);
		SLICE_CASE(5);
		SLICE_CASE(6);
		SLICE_CASE(7);
		SLICE_CASE(8);
		SLICE_CASE(9);
		SLICE_CASE(10);
		SLICE_CASE(11);
		SLICE_CASE(12);
		SLICE_CASE(13);
		SLICE_CASE(14);
		SLICE_CASE(15);
		SLICE_CASE(16);
		SLICE_CASE(17);
		SLICE_CASE(18);
		SLICE_CASE(19);
		SLICE_CASE(20);
	default:
		note_err(-EINVAL);
	}
	/* A file dynptr has no direct data: the bytes are copied into buf. */
	out.slice_copied = p == (void *)buf;
}

static __always_inline void time_creates(struct file *file)
{
	struct bpf_dynptr ptr;
	int i;

	for_each_num(i, 0, params.iters)
	{
		long err = bpf_dynptr_from_file(file, 0, &ptr);

		note_err(err);
		note_err(bpf_dynptr_file_discard(&ptr));
		out.done += !err;
	}
}

/* The section header of type @type among the first EP_MAX_SHDRS. */
static __always_inline long find_shdr(struct bpf_dynptr *p,
				      const struct ep_ehdr *eh, __u32 type,
				      struct ep_shdr *sh)
{
	int i;

	for_each_num(i, 0, EP_MAX_SHDRS)
	{
		if (i >= eh->e_shnum)
			break;
		if (dynptr_read(sh, sizeof(*sh), p,
				eh->e_shoff + (__u64)i * sizeof(*sh), 0))
			return -EIO;
		if (sh->sh_type == type)
			return i;
	}
	return -ENOENT;
}

/*
 * Whether the symbol name at @name_off is params.name: the name's bytes and
 * its NUL, compared as four words.
 */
static __always_inline bool name_matches(struct bpf_dynptr *p, __u64 name_off)
{
	__u64 name[BENCH_NAME_WORDS] = {};
	__u32 len = params.name_len + 1;

	if (len > sizeof(name))
		return false;
	if (dynptr_read(name, len, p, name_off, 0))
		return false;
	return name[0] == params.name[0] && name[1] == params.name[1] &&
	       name[2] == params.name[2] && name[3] == params.name[3];
}

/* The ELF lookup of the spec's motivating use: a symbol by its name. */
static __always_inline long lookup_symbol(struct bpf_dynptr *p)
{
	struct ep_shdr symtab, strtab;
	struct ep_ehdr eh;
	struct ep_sym sym;
	__u64 n_syms;
	long err;
	int j;

	out.sym_index = -1;
	out.syms_walked = 0;
	err = dynptr_read(&eh, sizeof(eh), p, 0, 0);
	if (err)
		return err;
	if (eh.e_shentsize != sizeof(struct ep_shdr))
		return -EINVAL;
	err = find_shdr(p, &eh, EP_SHT_SYMTAB, &symtab);
	if (err < 0)
		return err;
	err = dynptr_read(&strtab, sizeof(strtab), p,
			  eh.e_shoff + (__u64)symtab.sh_link * sizeof(strtab),
			  0);
	if (err)
		return err;
	n_syms = symtab.sh_size / sizeof(sym);
	for_each_num(j, 0, BENCH_MAX_SYMS)
	{
		if (j >= n_syms)
			break;
		err = dynptr_read(&sym, sizeof(sym), p,
				  symtab.sh_offset + (__u64)j * sizeof(sym), 0);
		if (err)
			return err;
		out.syms_walked++;
		if (sym.st_name &&
		    name_matches(p, strtab.sh_offset + sym.st_name)) {
			out.sym_index = j;
			out.sym_value = sym.st_value;
			return 0;
		}
	}
	return -ENOENT;
}

static __always_inline void time_lookups(struct file *file)
{
	struct bpf_dynptr ptr;
	int i;

	for_each_num(i, 0, params.iters)
	{
		long err = bpf_dynptr_from_file(file, 0, &ptr);

		if (!err)
			err = lookup_symbol(&ptr);
		bpf_dynptr_file_discard(&ptr);
		note_err(err);
		out.done += !err;
	}
}

static __always_inline void time_nops(void)
{
	int i;

	for_each_num(i, 0, params.iters) out.done++;
}

static __always_inline void run(struct file *file)
{
	struct bpf_dynptr ptr;
	__u64 t0;

	out.runs++;
	if (params.op == BENCH_CREATE || params.op == BENCH_ELF ||
	    params.op == BENCH_NOP) {
		t0 = bpf_ktime_get_ns();
		if (params.op == BENCH_CREATE)
			time_creates(file);
		else if (params.op == BENCH_ELF)
			time_lookups(file);
		else
			time_nops();
		out.ns = bpf_ktime_get_ns() - t0;
		return;
	}
	out.create_err = bpf_dynptr_from_file(file, 0, &ptr);
	if (!out.create_err) {
		t0 = bpf_ktime_get_ns();
		if (params.op == BENCH_READ)
			time_reads(&ptr);
		else
			time_slices(&ptr);
		out.ns = bpf_ktime_get_ns() - t0;
	}
	bpf_dynptr_file_discard(&ptr);
}

FILE_IOCTL_PROGS(bench, run)

char _license[] SEC("license") = "GPL";
