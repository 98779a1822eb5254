// SPDX-License-Identifier: GPL-2.0
/*
 * Which reader a file dynptr gets: the verifier binds bpf_dynptr_from_file()
 * to its sleepable or page-cache-only implementation per call site, by the
 * context at that call site (kernel/bpf/verifier.c in_sleepable_context():
 * a sleepable program outside any RCU, preempt-disabled, irq-disabled or
 * locked region). Each program reads SEL_LEN bytes at read_off of a file
 * whose pages user space evicted, from a different place. Rules:
 * SEMANTICS.md R-SELECT-*.
 *
 * The programs whose section starts with "?" are not loaded with the
 * skeleton: the lock programs are loaded one at a time by the test (those
 * the verifier must refuse, and their legal twins), and the test turns
 * autoload off for a program whose region kfunc the kernel lacks, so the
 * __weak declarations below let the others load.
 */
#include "common.h"

#define SEL_LEN 64

/* The regions a sleepable program can open, and where the read is made. */
#define RGN_NONE 0
#define RGN_RCU 1
#define RGN_PREEMPT 2
#define RGN_IRQ 3

#define ALL_IN 0 /* created and read inside the region */
#define MADE_IN 1 /* created inside, read after it */
#define READ_IN 2 /* created before it, read inside */

extern void bpf_preempt_disable(void) __weak __ksym;
extern void bpf_preempt_enable(void) __weak __ksym;
extern void bpf_local_irq_save(unsigned long *flags__irq_flag) __weak __ksym;
extern void bpf_local_irq_restore(unsigned long *flags__irq_flag) __weak __ksym;
extern int bpf_res_spin_lock(struct bpf_res_spin_lock *lock) __weak __ksym;
extern void bpf_res_spin_unlock(struct bpf_res_spin_lock *lock) __weak __ksym;

__u64 read_off;
__u32 runs;
int create_ret;
int read_ret;
__u8 buf[SEL_LEN];

/* Always inlined with constant arguments: each program keeps its region. */
static __always_inline void enter(int region, unsigned long *flags)
{
	if (region == RGN_RCU)
		bpf_rcu_read_lock();
	else if (region == RGN_PREEMPT)
		bpf_preempt_disable();
	else if (region == RGN_IRQ)
		bpf_local_irq_save(flags);
}

static __always_inline void leave(int region, unsigned long *flags)
{
	if (region == RGN_RCU)
		bpf_rcu_read_unlock();
	else if (region == RGN_PREEMPT)
		bpf_preempt_enable();
	else if (region == RGN_IRQ)
		bpf_local_irq_restore(flags);
}

static __always_inline void record(struct file *file, int region, int shape)
{
	struct bpf_dynptr ptr;
	unsigned long flags;

	runs++;
	if (shape != READ_IN)
		enter(region, &flags);
	create_ret = bpf_dynptr_from_file(file, 0, &ptr);
	if (shape == MADE_IN)
		leave(region, &flags);
	if (shape == READ_IN)
		enter(region, &flags);
	read_ret = dynptr_read(buf, SEL_LEN, &ptr, read_off, 0);
	if (shape != MADE_IN)
		leave(region, &flags);
	bpf_dynptr_file_discard(&ptr);
}

/* Created in the inner region, read in the outer one after the inner ends. */
static __always_inline void record_nested(struct file *file, int outer,
					  int inner)
{
	unsigned long outer_flags, inner_flags;
	struct bpf_dynptr ptr;

	runs++;
	enter(outer, &outer_flags);
	enter(inner, &inner_flags);
	create_ret = bpf_dynptr_from_file(file, 0, &ptr);
	leave(inner, &inner_flags);
	read_ret = dynptr_read(buf, SEL_LEN, &ptr, read_off, 0);
	leave(outer, &outer_flags);
	bpf_dynptr_file_discard(&ptr);
}

SEC("lsm/file_ioctl")
int BPF_PROG(nonsleepable, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	if (is_trigger(cmd))
		record(file, RGN_NONE, ALL_IN);
	return 0;
}

/* A sleepable program at lsm.s/file_ioctl calling FN(file, ARGS...). */
#define SLEEPABLE_PROG(PROG, FN, ...)                           \
	SEC("lsm.s/file_ioctl")                                 \
	int BPF_PROG(PROG, struct file *file, unsigned int cmd, \
		     unsigned long arg)                         \
	{                                                       \
		if (is_trigger(cmd))                            \
			FN(file, __VA_ARGS__);                  \
		return 0;                                       \
	}

SLEEPABLE_PROG(sleepable, record, RGN_NONE, ALL_IN)

/* RCU read-side sections (R-SELECT-3..5). */
SLEEPABLE_PROG(sleepable_all_in_rcu, record, RGN_RCU, ALL_IN)
SLEEPABLE_PROG(sleepable_made_in_rcu, record, RGN_RCU, MADE_IN)
/* Created outside the section, read inside it: must not sleep there. */
SLEEPABLE_PROG(sleepable_read_in_rcu, record, RGN_RCU, READ_IN)

/* bpf_preempt_disable() regions (R-SELECT-6..8). */
SLEEPABLE_PROG(sleepable_all_in_preempt, record, RGN_PREEMPT, ALL_IN)
SLEEPABLE_PROG(sleepable_made_in_preempt, record, RGN_PREEMPT, MADE_IN)
SLEEPABLE_PROG(sleepable_read_in_preempt, record, RGN_PREEMPT, READ_IN)

/* bpf_local_irq_save() regions (R-SELECT-6..8). */
SLEEPABLE_PROG(sleepable_all_in_irq, record, RGN_IRQ, ALL_IN)
SLEEPABLE_PROG(sleepable_made_in_irq, record, RGN_IRQ, MADE_IN)
SLEEPABLE_PROG(sleepable_read_in_irq, record, RGN_IRQ, READ_IN)

/* Nested regions (R-SELECT-9). */
SLEEPABLE_PROG(sleepable_rcu_in_preempt, record_nested, RGN_PREEMPT, RGN_RCU)
SLEEPABLE_PROG(sleepable_irq_in_rcu, record_nested, RGN_RCU, RGN_IRQ)

/*
 * Synchronous callbacks (R-SELECT-11, R-SELECT-12). The caller spills the
 * hook's trusted file into a context on its stack; the callback reloads it
 * from there (the verifier restores a spilled pointer's type) and makes
 * and reads the dynptr itself.
 */
struct cb_ctx {
	struct file *file;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} cb_map SEC(".maps");

static int loop_cb(__u32 idx, void *data)
{
	struct cb_ctx *ctx = data;

	record(ctx->file, RGN_NONE, ALL_IN);
	return 1;
}

static long map_cb(struct bpf_map *map, __u32 *key, __u64 *val, void *data)
{
	struct cb_ctx *ctx = data;

	record(ctx->file, RGN_NONE, ALL_IN);
	return 1;
}

#define CB_LOOP 0
#define CB_MAP 1

static __always_inline void call_cb(struct file *file, int cb, int region)
{
	struct cb_ctx ctx = { .file = file };
	unsigned long flags;

	enter(region, &flags);
	if (cb == CB_LOOP)
		bpf_loop(1, loop_cb, &ctx, 0);
	else
		bpf_for_each_map_elem(&cb_map, map_cb, &ctx, 0);
	leave(region, &flags);
}

SLEEPABLE_PROG(sleepable_loop_cb, call_cb, CB_LOOP, RGN_NONE)
SLEEPABLE_PROG(sleepable_loop_cb_in_rcu, call_cb, CB_LOOP, RGN_RCU)
SLEEPABLE_PROG(sleepable_map_cb, call_cb, CB_MAP, RGN_NONE)
SLEEPABLE_PROG(sleepable_map_cb_in_rcu, call_cb, CB_MAP, RGN_RCU)

/*
 * R-SELECT-13: one callback, called inside an RCU section on a path the
 * trigger never takes (its ioctl argument is 0) and outside any section
 * on the path it takes. The verifier walks both paths.
 */
#define UNTAKEN_ARG 1

SEC("lsm.s/file_ioctl")
int BPF_PROG(sleepable_loop_cb_also_in_rcu, struct file *file, unsigned int cmd,
	     unsigned long arg)
{
	if (!is_trigger(cmd))
		return 0;
	if (arg == UNTAKEN_ARG)
		call_cb(file, CB_LOOP, RGN_RCU);
	else
		call_cb(file, CB_LOOP, RGN_NONE);
	return 0;
}

/*
 * Held locks (R-SELECT-10). The verifier allows no call but the unlock (and
 * KF_SPINLOCK_SAFE kfuncs) while a lock is held: creating or reading the
 * dynptr there is refused at load. Each refused program has a legal twin,
 * the same calls after the unlock, which must load and read as its program.
 */
struct spin_val {
	struct bpf_spin_lock lock;
};

struct res_val {
	struct bpf_res_spin_lock lock;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct spin_val);
} spin_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct res_val);
} res_map SEC(".maps");

#define LOCK_SPIN 0
#define LOCK_RES 1

#define MADE_IN_LOCK 0 /* created under the lock (refused) */
#define READ_IN_LOCK 1 /* read under the lock (refused) */
#define AFTER_LOCK 2 /* both after the unlock (legal) */

/* Takes the lock; false if it could not be taken. */
static __always_inline bool lock(int kind, struct spin_val *s,
				 struct res_val *r)
{
	if (kind == LOCK_SPIN) {
		bpf_spin_lock(&s->lock);
		return true;
	}
	return !bpf_res_spin_lock(&r->lock);
}

static __always_inline void unlock(int kind, struct spin_val *s,
				   struct res_val *r)
{
	if (kind == LOCK_SPIN)
		bpf_spin_unlock(&s->lock);
	else
		bpf_res_spin_unlock(&r->lock);
}

static __always_inline void record_lock(struct file *file, int kind, int shape)
{
	struct spin_val *s;
	struct res_val *r;
	struct bpf_dynptr ptr;
	__u32 zero = 0;

	s = bpf_map_lookup_elem(&spin_map, &zero);
	r = bpf_map_lookup_elem(&res_map, &zero);
	if (!s || !r)
		return;
	runs++;
	if (shape == READ_IN_LOCK)
		create_ret = bpf_dynptr_from_file(file, 0, &ptr);
	if (!lock(kind, s, r)) {
		if (shape == READ_IN_LOCK)
			bpf_dynptr_file_discard(&ptr);
		return;
	}
	if (shape == MADE_IN_LOCK)
		create_ret = bpf_dynptr_from_file(file, 0, &ptr);
	if (shape == READ_IN_LOCK)
		read_ret = dynptr_read(buf, SEL_LEN, &ptr, read_off, 0);
	unlock(kind, s, r);
	if (shape == AFTER_LOCK)
		create_ret = bpf_dynptr_from_file(file, 0, &ptr);
	if (shape != READ_IN_LOCK)
		read_ret = dynptr_read(buf, SEL_LEN, &ptr, read_off, 0);
	bpf_dynptr_file_discard(&ptr);
}

#define LOCK_PROG(PROG, KIND, SHAPE)                            \
	SEC("?lsm.s/file_ioctl")                                \
	int BPF_PROG(PROG, struct file *file, unsigned int cmd, \
		     unsigned long arg)                         \
	{                                                       \
		if (is_trigger(cmd))                            \
			record_lock(file, KIND, SHAPE);         \
		return 0;                                       \
	}

LOCK_PROG(sleepable_made_in_spin_lock, LOCK_SPIN, MADE_IN_LOCK)
LOCK_PROG(sleepable_read_in_spin_lock, LOCK_SPIN, READ_IN_LOCK)
LOCK_PROG(sleepable_after_spin_lock, LOCK_SPIN, AFTER_LOCK)
LOCK_PROG(sleepable_made_in_res_lock, LOCK_RES, MADE_IN_LOCK)
LOCK_PROG(sleepable_read_in_res_lock, LOCK_RES, READ_IN_LOCK)
LOCK_PROG(sleepable_after_res_lock, LOCK_RES, AFTER_LOCK)

char _license[] SEC("license") = "GPL";
