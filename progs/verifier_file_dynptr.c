// SPDX-License-Identifier: GPL-2.0
/*
 * What the verifier must accept and reject around file dynptrs. Each program
 * is loaded alone by prog_tests/verifier_file_dynptr.c and never attached;
 * its expectation and its rule (SEMANTICS.md R-VERIFY-n) are in its
 * annotations (progs/verifier_expect.h).
 *
 * __msg() text holds for 6.19 and 7.x wording: 6.19 names an argument
 * "arg#0", "arg0" or "arg #0" (by message) where 7.x says "R1", so the text
 * names it both ways, e.g. "{{arg #0|R1}}"; 7.3 adds explanation lines
 * after the message, which the text does not reach into.
 *
 * Neighbouring programs look alike on purpose: each is one case, written
 * out whole as the verifier sees it, and differs from the next in the line
 * the case is about. A macro for the common part would hide that line.
 *
 * Every refusal X (__failure) is followed by its twin X_twin (__success):
 * the nearest program that loads, differing only in what makes it legal
 * (the same ops in a legal order, a discard added, a trusted file, ...),
 * so that the pair pins the refusal's boundary: a verifier that refuses
 * too much fails the twin. X_twin_HOW is a second twin, e.g. one legal
 * only on newer kernels. Each twin's comment names its refusal, and
 * scripts/check-rules.py checks all of this (a refusal without a legal
 * twin would say "No twin:" and why in its comment).
 */
#include "common.h"
#include "verifier_expect.h"

char _license[] SEC("license") = "GPL";

/* A local dynptr's backing memory (a map value: .bss). */
__u8 local_buf[64];
/* Flags the verifier cannot know: a map value it reads at run time. */
__u32 runtime_flags;
/*
 * Results go here: an LSM program must return 0 or a -errno, so programs
 * return 0 and keep what they read observable to the compiler.
 */
long sink;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} ringbuf SEC(".maps");

/* ---- accepted ---------------------------------------------------------- */

SEC("lsm/file_open")
__rule("R-VERIFY-1")
__success
int BPF_PROG(ok_create_read_discard, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[16];

	bpf_dynptr_from_file(file, 0, &d);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	bpf_dynptr_file_discard(&d);
	return 0;
}

SEC("lsm.s/file_ioctl")
__rule("R-VERIFY-1")
__success
int BPF_PROG(ok_sleepable_create_read_discard, struct file *file,
	     unsigned int cmd, unsigned long arg)
{
	struct bpf_dynptr d;
	__u8 buf[16];

	bpf_dynptr_from_file(file, 0, &d);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/* Several exits, each discards (a failed creation included). */
SEC("lsm/file_open")
__rule("R-VERIFY-2")
__success
int BPF_PROG(ok_discard_every_path, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[16];

	if (bpf_dynptr_from_file(file, 0, &d)) {
		bpf_dynptr_file_discard(&d);
		return 0;
	}
	if (dynptr_read(buf, sizeof(buf), &d, 0, 0)) {
		bpf_dynptr_file_discard(&d);
		return 0;
	}
	bpf_dynptr_file_discard(&d);
	sink = buf[0];
	return 0;
}

/* Created with flags 0, discarded in either arm of a branch. */
SEC("lsm/file_open")
__rule("R-VERIFY-2")
__success
int BPF_PROG(ok_discard_in_branch, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	if (file->f_flags & 1) {
		dynptr_read(buf, sizeof(buf), &d, 0, 0);
		bpf_dynptr_file_discard(&d);
		sink = buf[0];
		return 0;
	}
	bpf_dynptr_file_discard(&d);
	return 0;
}

/* The task's executable, dynptr discarded before the file is put. */
SEC("lsm/file_open")
__rule("R-VERIFY-3")
__success
int BPF_PROG(ok_exe_file_discard_then_put, struct file *unused)
{
	struct file *file = bpf_get_task_exe_file(bpf_get_current_task_btf());
	struct bpf_dynptr d;
	__u8 buf[4];

	if (!file)
		return 0;
	bpf_dynptr_from_file(file, 0, &d);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	bpf_dynptr_file_discard(&d);
	bpf_put_file(file);
	return 0;
}

/* A clone shares the reference: discarding the parent ends both. */
SEC("lsm/file_open")
__rule("R-VERIFY-4")
__success
int BPF_PROG(ok_clone_read_discard_parent, struct file *file)
{
	struct bpf_dynptr d, c;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_clone(&d, &c);
	dynptr_read(buf, sizeof(buf), &c, 0, 0);
	bpf_dynptr_file_discard(&d);
	sink = buf[0];
	return 0;
}

/* Flags are checked at run time (-EINVAL), not by the verifier. */
SEC("lsm/file_open")
__rule("R-VERIFY-5")
__success
int BPF_PROG(ok_runtime_flags, struct file *file)
{
	struct bpf_dynptr d;
	int err;

	err = bpf_dynptr_from_file(file, runtime_flags, &d);
	bpf_dynptr_file_discard(&d);
	sink = err;
	return 0;
}

/* ---- reference leaks --------------------------------------------------- */

SEC("lsm/file_open")
__rule("R-VERIFY-6")
__failure
__msg("{{Unreleased reference id=[0-9]+|reference leak}}")
int BPF_PROG(leak_no_discard, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	sink = buf[0];
	return 0;
}

/* Twin of leak_no_discard (R-VERIFY-6): the same, discarded. */
SEC("lsm/file_open")
__rule("R-VERIFY-17")
__success
int BPF_PROG(leak_no_discard_twin, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	bpf_dynptr_file_discard(&d);
	sink = buf[0];
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-6")
__failure
__msg("{{Unreleased reference id=[0-9]+|reference leak}}")
int BPF_PROG(leak_discard_one_branch, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	if (file->f_flags & 1)
		bpf_dynptr_file_discard(&d);
	return 0;
}

/* Twin of leak_discard_one_branch (R-VERIFY-6): the other branch discards too. */
SEC("lsm/file_open")
__rule("R-VERIFY-17")
__success
int BPF_PROG(leak_discard_one_branch_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	if (file->f_flags & 1)
		bpf_dynptr_file_discard(&d);
	else
		bpf_dynptr_file_discard(&d);
	return 0;
}

/* ---- use after discard ------------------------------------------------- */

SEC("lsm/file_open")
__rule("R-VERIFY-7")
__failure
__msg("Expected an initialized dynptr as {{arg #2|R3}}")
int BPF_PROG(use_after_discard_read, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	sink = buf[0];
	return 0;
}

/* Twin of use_after_discard_read (R-VERIFY-7): read, then discard. */
SEC("lsm/file_open")
__rule("R-VERIFY-18")
__success
int BPF_PROG(use_after_discard_read_twin, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	bpf_dynptr_file_discard(&d);
	sink = buf[0];
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-7")
__failure
__msg("Expected an initialized dynptr as {{arg #0|R1}}")
int BPF_PROG(use_after_discard_slice, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[4];
	__u8 *p;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	sink = p ? p[0] : 0;
	return 0;
}

/*
 * Twin of use_after_discard_slice (R-VERIFY-7): slice, and use the slice,
 * then discard.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-18")
__success
int BPF_PROG(use_after_discard_slice_twin, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[4];
	__u8 *p;

	bpf_dynptr_from_file(file, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	sink = p ? p[0] : 0;
	bpf_dynptr_file_discard(&d);
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-7")
__failure
__msg("Expected an initialized dynptr as {{arg #0|R1}}")
int BPF_PROG(use_after_discard_adjust, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	sink = bpf_dynptr_adjust(&d, 1, 2);
	return 0;
}

/* Twin of use_after_discard_adjust (R-VERIFY-7): adjust, then discard. */
SEC("lsm/file_open")
__rule("R-VERIFY-18")
__success
int BPF_PROG(use_after_discard_adjust_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	sink = bpf_dynptr_adjust(&d, 1, 2);
	bpf_dynptr_file_discard(&d);
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-7")
__failure
__msg("Expected an initialized dynptr as {{arg #0|R1}}")
int BPF_PROG(use_after_discard_size, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	sink = bpf_dynptr_size(&d);
	return 0;
}

/* Twin of use_after_discard_size (R-VERIFY-7): size, then discard. */
SEC("lsm/file_open")
__rule("R-VERIFY-18")
__success
int BPF_PROG(use_after_discard_size_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	sink = bpf_dynptr_size(&d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-8")
__failure
__msg("Expected an initialized dynptr as {{arg #0|R1}}")
int BPF_PROG(double_discard, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of double_discard (R-VERIFY-8): the two discards end two file
 * dynptrs of the same file; the first leaves the second live.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-19")
__success
int BPF_PROG(double_discard_twin, struct file *file)
{
	struct bpf_dynptr d, e;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_from_file(file, 0, &e);
	bpf_dynptr_file_discard(&d);
	bpf_dynptr_file_discard(&e);
	return 0;
}

/* Discarding a clone releases the reference parent and clone share. */
SEC("lsm/file_open")
__rule("R-VERIFY-9")
__failure
__msg("Expected an initialized dynptr as {{arg #2|R3}}")
int BPF_PROG(clone_discard_then_use_parent, struct file *file)
{
	struct bpf_dynptr d, c;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_dynptr_file_discard(&c);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	sink = buf[0];
	return 0;
}

/*
 * Twin of clone_discard_then_use_parent (R-VERIFY-9): the parent is read
 * before the clone's discard releases both.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-20")
__success
int BPF_PROG(clone_discard_then_use_parent_twin, struct file *file)
{
	struct bpf_dynptr d, c;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_clone(&d, &c);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	bpf_dynptr_file_discard(&c);
	sink = buf[0];
	return 0;
}

/* And discarding the parent ends the clone. */
SEC("lsm/file_open")
__rule("R-VERIFY-9")
__failure
__msg("Expected an initialized dynptr as {{arg #2|R3}}")
int BPF_PROG(clone_discard_parent_then_use_clone, struct file *file)
{
	struct bpf_dynptr d, c;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_dynptr_file_discard(&d);
	dynptr_read(buf, sizeof(buf), &c, 0, 0);
	sink = buf[0];
	return 0;
}

/*
 * Twin of clone_discard_parent_then_use_clone (R-VERIFY-9): the clone is
 * read before the parent's discard releases both.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-20")
__success
int BPF_PROG(clone_discard_parent_then_use_clone_twin, struct file *file)
{
	struct bpf_dynptr d, c;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_clone(&d, &c);
	dynptr_read(buf, sizeof(buf), &c, 0, 0);
	bpf_dynptr_file_discard(&d);
	sink = buf[0];
	return 0;
}

/* ---- the file released under a live dynptr ------------------------------ */

/*
 * The dynptr would read a file whose reference is gone (the dynptr holds
 * no reference of its own). 7.3.4 rejects this; 6.19.14 loads it.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-10")
__failure
__msg("{{Leaking reference id=[0-9]+ alloc_insn=[0-9]+\\. Release it first|Expected an initialized dynptr as (arg #2|R3)}}")
int BPF_PROG(put_file_then_read, struct file *unused)
{
	struct file *file = bpf_get_task_exe_file(bpf_get_current_task_btf());
	struct bpf_dynptr d;
	__u8 buf[4];

	if (!file)
		return 0;
	bpf_dynptr_from_file(file, 0, &d);
	bpf_put_file(file);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	bpf_dynptr_file_discard(&d);
	sink = buf[0];
	return 0;
}

/*
 * Twin of put_file_then_read (R-VERIFY-10): read and discard, then put the
 * file.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-21")
__success
int BPF_PROG(put_file_then_read_twin, struct file *unused)
{
	struct file *file = bpf_get_task_exe_file(bpf_get_current_task_btf());
	struct bpf_dynptr d;
	__u8 buf[4];

	if (!file)
		return 0;
	bpf_dynptr_from_file(file, 0, &d);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	bpf_dynptr_file_discard(&d);
	bpf_put_file(file);
	sink = buf[0];
	return 0;
}

/* The same, with the dynptr only discarded after the put. */
SEC("lsm/file_open")
__rule("R-VERIFY-10")
__failure
__msg("{{Leaking reference id=[0-9]+ alloc_insn=[0-9]+\\. Release it first|Expected an initialized dynptr as (arg #0|R1)}}")
int BPF_PROG(put_file_then_discard, struct file *unused)
{
	struct file *file = bpf_get_task_exe_file(bpf_get_current_task_btf());
	struct bpf_dynptr d;

	if (!file)
		return 0;
	bpf_dynptr_from_file(file, 0, &d);
	bpf_put_file(file);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/* Twin of put_file_then_discard (R-VERIFY-10): discard, then put. */
SEC("lsm/file_open")
__rule("R-VERIFY-21")
__success
int BPF_PROG(put_file_then_discard_twin, struct file *unused)
{
	struct file *file = bpf_get_task_exe_file(bpf_get_current_task_btf());
	struct bpf_dynptr d;

	if (!file)
		return 0;
	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	bpf_put_file(file);
	return 0;
}

/* ---- overwriting a live file dynptr -------------------------------------- */

SEC("lsm/file_open")
__rule("R-VERIFY-11")
__failure
__msg("cannot overwrite referenced dynptr")
int BPF_PROG(overwrite_with_u64, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	*(__u64 *)&d = 0;
	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of overwrite_with_u64 (R-VERIFY-11): the same store, after the
 * discard.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-22")
__success
int BPF_PROG(overwrite_with_u64_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	*(__u64 *)&d = 0;
	/* The store is the case: keep the compiler from dropping it. */
	barrier();
	return 0;
}

/*
 * Twin of overwrite_with_u64 (R-VERIFY-11) on 7.1 and later: the store hits
 * a clone's slot while the parent still holds the shared reference.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-28")
__success
int BPF_PROG(overwrite_with_u64_twin_clone, struct file *file)
{
	struct bpf_dynptr d, c;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_clone(&d, &c);
	*(__u64 *)&c = 0;
	bpf_dynptr_file_discard(&d);
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-11")
__failure
__msg("cannot overwrite referenced dynptr")
int BPF_PROG(overwrite_with_file_dynptr, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of overwrite_with_file_dynptr (R-VERIFY-11): the first file dynptr
 * is discarded before the second takes its slot.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-22")
__success
int BPF_PROG(overwrite_with_file_dynptr_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of overwrite_with_file_dynptr (R-VERIFY-11) on 7.1 and later: the
 * new file dynptr goes into a clone's slot while the parent still holds
 * the first reference.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-28")
__success
int BPF_PROG(overwrite_with_file_dynptr_twin_clone, struct file *file)
{
	struct bpf_dynptr d, c;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_dynptr_from_file(file, 0, &c);
	bpf_dynptr_file_discard(&c);
	bpf_dynptr_file_discard(&d);
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-11")
__failure
__msg("cannot overwrite referenced dynptr")
int BPF_PROG(overwrite_with_local_dynptr, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_from_mem(local_buf, sizeof(local_buf), 0, &d);
	return 0;
}

/*
 * Twin of overwrite_with_local_dynptr (R-VERIFY-11): the file dynptr is
 * discarded before a local dynptr takes its slot.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-22")
__success
int BPF_PROG(overwrite_with_local_dynptr_twin, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	bpf_dynptr_from_mem(local_buf, sizeof(local_buf), 0, &d);
	dynptr_read(buf, sizeof(buf), &d, 0, 0);
	sink = buf[0];
	return 0;
}

/*
 * Twin of overwrite_with_local_dynptr (R-VERIFY-11) on 7.1 and later: the
 * local dynptr takes a clone's slot while the parent still holds the
 * reference.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-28")
__success
int BPF_PROG(overwrite_with_local_dynptr_twin_clone, struct file *file)
{
	struct bpf_dynptr d, c;
	__u8 buf[4];

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_clone(&d, &c);
	bpf_dynptr_from_mem(local_buf, sizeof(local_buf), 0, &c);
	dynptr_read(buf, sizeof(buf), &c, 0, 0);
	bpf_dynptr_file_discard(&d);
	sink = buf[0];
	return 0;
}

/*
 * Another file dynptr of the same file holds a reference of its own, not
 * d's: it cannot release d's, so d's slot stays protected.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-11")
__failure
__msg("cannot overwrite referenced dynptr")
int BPF_PROG(overwrite_beside_other_dynptr, struct file *file)
{
	struct bpf_dynptr d, e;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_from_file(file, 0, &e);
	*(__u64 *)&d = 0;
	bpf_dynptr_file_discard(&e);
	return 0;
}

/*
 * Twin of overwrite_beside_other_dynptr (R-VERIFY-11): d is discarded
 * before the store, beside the same live e.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-22")
__success
int BPF_PROG(overwrite_beside_other_dynptr_twin, struct file *file)
{
	struct bpf_dynptr d, e;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_from_file(file, 0, &e);
	bpf_dynptr_file_discard(&d);
	*(__u64 *)&d = 0;
	bpf_dynptr_file_discard(&e);
	return 0;
}

/*
 * Twin of overwrite_beside_other_dynptr (R-VERIFY-11) on 7.1 and later: e
 * is d's clone, so it shares d's reference and releases it; here the
 * parent's slot is the one overwritten.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-28")
__success
int BPF_PROG(overwrite_beside_other_dynptr_twin_clone, struct file *file)
{
	struct bpf_dynptr d, e;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_clone(&d, &e);
	*(__u64 *)&d = 0;
	bpf_dynptr_file_discard(&e);
	return 0;
}

/* ---- where the file comes from ------------------------------------------- */

/* A tracing argument is not trusted. */
SEC("fentry/vfs_read")
__rule("R-VERIFY-12")
__failure
__msg("{{arg#0|R1}} must be referenced or trusted")
int BPF_PROG(untrusted_fentry_arg, struct file *file, char *ubuf, size_t count,
	     loff_t *pos)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of untrusted_fentry_arg (R-VERIFY-12): the same file, from the LSM
 * hook vfs_read() calls (rw_verify_area()), whose arguments are trusted.
 */
SEC("lsm/file_permission")
__rule("R-VERIFY-23")
__success
int BPF_PROG(untrusted_fentry_arg_twin, struct file *file, int mask)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/* A pointer walked from a trusted one is not trusted. */
SEC("lsm/file_open")
__rule("R-VERIFY-12")
__failure
__msg("{{arg#0|R1}} must be referenced or trusted")
int BPF_PROG(untrusted_walked_exe_file, struct file *unused)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct bpf_dynptr d;

	bpf_dynptr_from_file(task->mm->exe_file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of untrusted_walked_exe_file (R-VERIFY-12): the same task's
 * executable, acquired with bpf_get_task_exe_file() instead of walked.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-23")
__success
int BPF_PROG(untrusted_walked_exe_file_twin, struct file *unused)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *file = bpf_get_task_exe_file(task);
	struct bpf_dynptr d;

	if (!file)
		return 0;
	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	bpf_put_file(file);
	return 0;
}

/* A pointer read from memory (CO-RE, probe read) is a number. */
SEC("lsm/file_open")
__rule("R-VERIFY-12")
__failure
__msg("{{(arg#0|R1) pointer type STRUCT file must point|R1 is scalar expected STRUCT file}}")
int BPF_PROG(untrusted_core_read_exe_file, struct file *unused)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *file = BPF_CORE_READ(task, mm, exe_file);
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of untrusted_core_read_exe_file (R-VERIFY-12): a pointer the
 * verifier typed (the hook's file) instead of one read as a number.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-23")
__success
int BPF_PROG(untrusted_core_read_exe_file_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/* A literal NULL file. */
SEC("lsm/file_open")
__rule("R-VERIFY-13")
__failure
__msg("Possibly NULL pointer passed to trusted {{arg0|R1}}")
int BPF_PROG(null_file, struct file *unused)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(NULL, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/* Twin of null_file (R-VERIFY-13): the hook's file instead of NULL. */
SEC("lsm/file_open")
__rule("R-VERIFY-24")
__success
int BPF_PROG(null_file_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/* A file that may be NULL (bpf_get_task_exe_file unchecked). */
SEC("lsm/file_open")
__rule("R-VERIFY-13")
__failure
__msg("Possibly NULL pointer passed to trusted {{arg0|R1}}")
int BPF_PROG(maybe_null_file, struct file *unused)
{
	struct file *file = bpf_get_task_exe_file(bpf_get_current_task_btf());
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	if (file)
		bpf_put_file(file);
	return 0;
}

/* Twin of maybe_null_file (R-VERIFY-13): the NULL check comes first. */
SEC("lsm/file_open")
__rule("R-VERIFY-24")
__success
int BPF_PROG(maybe_null_file_twin, struct file *unused)
{
	struct file *file = bpf_get_task_exe_file(bpf_get_current_task_btf());
	struct bpf_dynptr d;

	if (!file)
		return 0;
	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	bpf_put_file(file);
	return 0;
}

/* ---- dynptr kinds ------------------------------------------------------- */

SEC("lsm/file_open")
__rule("R-VERIFY-14")
__failure
__msg("Expected a dynptr of type file as {{arg #0|R1}}")
int BPF_PROG(discard_local_dynptr, struct file *unused)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_mem(local_buf, sizeof(local_buf), 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/* Twin of discard_local_dynptr (R-VERIFY-14): a file dynptr is discarded. */
SEC("lsm/file_open")
__rule("R-VERIFY-25")
__success
int BPF_PROG(discard_local_dynptr_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-14")
__failure
__msg("Expected a dynptr of type file as {{arg #0|R1}}")
int BPF_PROG(discard_ringbuf_dynptr, struct file *unused)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&ringbuf, 8, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of discard_ringbuf_dynptr (R-VERIFY-14): the ringbuf dynptr is
 * released by its own kind's discard.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-25")
__success
int BPF_PROG(discard_ringbuf_dynptr_twin, struct file *unused)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&ringbuf, 8, 0, &d);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-15")
__failure
__msg("Expected an initialized dynptr as {{arg #0|R1}}")
int BPF_PROG(discard_uninit_dynptr, struct file *unused)
{
	struct bpf_dynptr d;

	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of discard_uninit_dynptr (R-VERIFY-15): the dynptr is created
 * first.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-26")
__success
int BPF_PROG(discard_uninit_dynptr_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-16")
__failure
__msg("Expected a dynptr of type ringbuf as {{arg #0|R1}}")
int BPF_PROG(file_dynptr_to_ringbuf_submit, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

/*
 * Twin of file_dynptr_to_ringbuf_submit (R-VERIFY-16): a ringbuf dynptr is
 * submitted.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-27")
__success
int BPF_PROG(file_dynptr_to_ringbuf_submit_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_ringbuf_reserve_dynptr(&ringbuf, 8, 0, &d);
	bpf_ringbuf_submit_dynptr(&d, 0);
	return 0;
}

SEC("lsm/file_open")
__rule("R-VERIFY-16")
__failure
__msg("Expected a dynptr of type ringbuf as {{arg #0|R1}}")
int BPF_PROG(file_dynptr_to_ringbuf_discard, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_ringbuf_discard_dynptr(&d, 0);
	return 0;
}

/*
 * Twin of file_dynptr_to_ringbuf_discard (R-VERIFY-16): the file dynptr is
 * released by its own kind's discard.
 */
SEC("lsm/file_open")
__rule("R-VERIFY-27")
__success
int BPF_PROG(file_dynptr_to_ringbuf_discard_twin, struct file *file)
{
	struct bpf_dynptr d;

	bpf_dynptr_from_file(file, 0, &d);
	bpf_dynptr_file_discard(&d);
	return 0;
}

/* ---- read-only --------------------------------------------------------- */

/*
 * R-CREATE-4: a writable slice of a file dynptr is refused outright in an
 * LSM program, before the read-only flag could even matter at run time.
 */
SEC("lsm/file_open")
__rule("R-CREATE-4")
__failure
__msg("the prog does not allow writes to packet data")
int BPF_PROG(slice_rdwr_refused, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[16], *p;

	bpf_dynptr_from_file(file, 0, &d);
	p = bpf_dynptr_slice_rdwr(&d, 0, buf, sizeof(buf));
	if (p)
		sink = p[0];
	bpf_dynptr_file_discard(&d);
	return 0;
}

/*
 * Twin of slice_rdwr_refused (R-CREATE-4): the read-only slice of the same
 * range loads.
 */
SEC("lsm/file_open")
__rule("R-CREATE-4")
__success
int BPF_PROG(slice_rdwr_refused_twin, struct file *file)
{
	struct bpf_dynptr d;
	__u8 buf[16], *p;

	bpf_dynptr_from_file(file, 0, &d);
	p = bpf_dynptr_slice(&d, 0, buf, sizeof(buf));
	if (p)
		sink = p[0];
	bpf_dynptr_file_discard(&d);
	return 0;
}
