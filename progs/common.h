/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Declarations shared by every BPF program of the suite.
 *
 * The kfunc prototypes are written here, not taken from vmlinux.h: a
 * vmlinux.h made from a 6.18 BTF by a newer bpftool carries u32 versions of
 * bpf_dynptr_adjust()/bpf_dynptr_size() that conflict with 6.19's u64 ones.
 */
#ifndef __PROGS_COMMON_H
#define __PROGS_COMMON_H

#define BPF_NO_KFUNC_PROTOTYPES
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "shared_defs.h"

#define E2BIG 7
#define EBADF 9
#define EFAULT 14
#define EINVAL 22
#define ERANGE 34
#define EIO 5

extern int bpf_dynptr_from_file(struct file *file, __u32 flags,
				struct bpf_dynptr *ptr__uninit) __ksym;
extern int bpf_dynptr_file_discard(struct bpf_dynptr *dynptr) __ksym;

/* The generic dynptr kfuncs, with 6.19's 64-bit sizes and offsets. */
extern int bpf_dynptr_adjust(const struct bpf_dynptr *p, __u64 start,
			     __u64 end) __ksym;
extern bool bpf_dynptr_is_null(const struct bpf_dynptr *p) __ksym;
extern bool bpf_dynptr_is_rdonly(const struct bpf_dynptr *p) __ksym;
extern __u64 bpf_dynptr_size(const struct bpf_dynptr *p) __ksym;
extern int bpf_dynptr_clone(const struct bpf_dynptr *p,
			    struct bpf_dynptr *clone__uninit) __ksym;
extern void *bpf_dynptr_slice(const struct bpf_dynptr *p, __u64 offset,
			      void *buffer__opt, __u64 buffer__szk) __ksym;
extern void *bpf_dynptr_slice_rdwr(const struct bpf_dynptr *p, __u64 offset,
				   void *buffer__opt, __u64 buffer__szk) __ksym;

/* Files and RCU, for the programs that take the task's executable. */
extern struct file *bpf_get_task_exe_file(struct task_struct *task) __ksym;
extern void bpf_put_file(struct file *file) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

/*
 * libbpf 1.1's bpf_helper_defs.h declares the offset and length of these
 * helpers as __u32, which truncates file offsets of 4 GiB and more before the
 * call. The kernel takes u64 since file dynptrs exist: call them as such.
 */
static long (*const dynptr_read)(void *dst, __u64 len,
				 const struct bpf_dynptr *src, __u64 offset,
				 __u64 flags) = (void *)BPF_FUNC_dynptr_read;
static long (*const dynptr_write)(const struct bpf_dynptr *dst, __u64 offset,
				  void *src, __u64 len,
				  __u64 flags) = (void *)BPF_FUNC_dynptr_write;
static void *(*const dynptr_data)(const struct bpf_dynptr *ptr, __u64 offset,
				  __u64 len) = (void *)BPF_FUNC_dynptr_data;

/*
 * The number iterator (kernel 6.4+), for loops over many cases. The verifier
 * walks a bounded for loop once per iteration, which costs seconds under TCG
 * for a few hundred cases; an iterator loop's body is checked until its
 * states converge, a few passes. for_each_num(i, start, end) sets the int i
 * to start .. end - 1, and says so to the verifier (the bounds check).
 */
extern int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end) __ksym;
extern int *bpf_iter_num_next(struct bpf_iter_num *it) __ksym;
extern void bpf_iter_num_destroy(struct bpf_iter_num *it) __ksym;

/*
 * The (void)bpf_iter_num_destroy names the kfunc outside cleanup(): clang 14
 * emits no BTF for a kfunc used only there, and the load would fail.
 */
#define for_each_num(i, start, end)                                      \
	for (struct bpf_iter_num __it                                    \
	     __attribute__((aligned(8), cleanup(bpf_iter_num_destroy))), \
	     *__once __attribute__((unused)) =                           \
		     (bpf_iter_num_new(&__it, (start), (end)),           \
		      (void)bpf_iter_num_destroy, NULL);                 \
	     ({                                                          \
		     int *__n = bpf_iter_num_next(&__it);                \
		     __n && ((i) = *__n, (i) >= (start) && (i) < (end)); \
	     });)

/*
 * A bool kfunc's result, reduced to its low byte. On x86-64 a kfunc returning
 * bool sets only the low byte of R0 and leaves the rest as the previous call
 * left it, while clang assumes a zero-extended value; the asm keeps clang
 * from dropping the mask. (creation/bool_return_zero_extended records it.)
 */
static __always_inline int bool_ret(bool v)
{
	int x = v;

	asm volatile("%[x] &= 0xff" : [x] "+r"(x));
	return x;
}

/*
 * A program acts only on the trigger of the test process that loaded it, so
 * that other processes' ioctls (and other tests' files) never disturb it.
 */
int target_tgid;

static __always_inline bool is_trigger(unsigned int cmd)
{
	return cmd == TRIGGER_IOCTL &&
	       (bpf_get_current_pid_tgid() >> 32) == (__u32)target_tgid;
}

/*
 * TRIGGER_CTX_*: set by user space when both programs of a pair are held.
 * A program acts unless the other context is picked, so a .bss that a test
 * poisons or zeroes leaves a lone attached program acting.
 */
int trigger_ctx;

static __always_inline bool ctx_selected(int ctx)
{
	int other = ctx == TRIGGER_CTX_SLEEPABLE ? TRIGGER_CTX_NONSLEEPABLE :
						   TRIGGER_CTX_SLEEPABLE;

	return trigger_ctx != other;
}

/*
 * The two programs most themes need: NAME_nonsleepable on lsm/file_ioctl
 * and NAME_sleepable on lsm.s/file_ioctl, each calling FN(file) on the
 * test's trigger. The verifier binds bpf_dynptr_from_file() in FN to the
 * page-cache-only reader in the first and to the sleepable one in the
 * second.
 */
#define FILE_IOCTL_PROG(SECNAME, PROG, CTX, FN)                 \
	SEC(SECNAME)                                            \
	int BPF_PROG(PROG, struct file *file, unsigned int cmd, \
		     unsigned long arg)                         \
	{                                                       \
		if (is_trigger(cmd) && ctx_selected(CTX))       \
			FN(file);                               \
		return 0;                                       \
	}
#define FILE_IOCTL_PROGS(NAME, FN)                             \
	FILE_IOCTL_PROG("lsm/file_ioctl", NAME##_nonsleepable, \
			TRIGGER_CTX_NONSLEEPABLE, FN)          \
	FILE_IOCTL_PROG("lsm.s/file_ioctl", NAME##_sleepable,  \
			TRIGGER_CTX_SLEEPABLE, FN)

/*
 * Task work (the spec example's sleepable context) changed name and arity:
 * 6.19 has bpf_task_work_schedule_signal_impl(..., void *aux__prog), 7.x
 * bpf_task_work_schedule_signal() and the verifier supplies the aux
 * argument (7.x keeps the _impl name, with a struct bpf_prog_aux *: user
 * space aligns the prototype, align_impl_proto()). Both weak: a program
 * calls the one the kernel has.
 */
extern int bpf_task_work_schedule_signal_impl(struct task_struct *task,
					      struct bpf_task_work *tw,
					      void *map__map,
					      bpf_task_work_callback_t callback,
					      void *aux__prog) __weak __ksym;
extern int
bpf_task_work_schedule_signal(struct task_struct *task,
			      struct bpf_task_work *tw, void *map__map,
			      bpf_task_work_callback_t callback) __weak __ksym;

#endif /* __PROGS_COMMON_H */
