// SPDX-License-Identifier: GPL-2.0
/*
 * Which reader a file dynptr gets in an asynchronous callback. The verifier
 * checks each async callback in a fresh state of its own: bpf_timer
 * callbacks run in softirq and are non-sleepable, bpf_wq and task_work
 * callbacks are sleepable, whichever program scheduled them. The reader
 * bound to a bpf_dynptr_from_file() call site follows the callback's
 * context, not the scheduler's. Rules: SEMANTICS.md R-CALLBACK-*.
 *
 * A callback has no hook argument: it takes a trusted file from a task.
 * User space runs a child whose executable is a copy, in the scratch
 * directory, of a program with pattern pages appended past its ELF image
 * (never mapped), evicts those pages, and sets child_pid. The callback
 * takes the child with bpf_task_from_pid(), its executable with
 * bpf_get_task_exe_file(), and reads SEL_LEN bytes at read_off.
 *
 * Each program schedules one kind of work from lsm/file_ioctl or
 * lsm.s/file_ioctl on the test's trigger. The wq and task_work kfuncs
 * changed name and arity after 6.19 (bpf_wq_set_callback_impl and
 * bpf_task_work_schedule_signal_impl with an explicit aux argument, 7.x
 * without it and without _impl): one program per variant, user space loads
 * the one the kernel has (as in progs/spec_example.c).
 */
#include "common.h"

char _license[] SEC("license") = "GPL";

#define SEL_LEN 64
#define CLOCK_MONOTONIC 1
#define ENOENT 2

/* Setup failures the callback reports, beside the kfuncs' results. */
#define CB_NO_TASK 1 /* bpf_task_from_pid() found no child */
#define CB_NO_EXE 2 /* bpf_get_task_exe_file() returned NULL */

extern struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;

extern int bpf_wq_init(struct bpf_wq *wq, void *p__map,
		       unsigned int flags) __weak __ksym;
extern int bpf_wq_start(struct bpf_wq *wq, unsigned int flags) __weak __ksym;
/* 6.19 (7.x keeps the name with a struct bpf_prog_aux *: see prog_tests/). */
extern int
bpf_wq_set_callback_impl(struct bpf_wq *wq,
			 int(callback_fn)(void *map, int *key, void *value),
			 unsigned int flags, void *aux__ign) __weak __ksym;
/* 7.x: the verifier supplies the aux argument. */
extern int bpf_wq_set_callback(struct bpf_wq *wq,
			       int(callback_fn)(void *map, int *key,
						void *value),
			       unsigned int flags) __weak __ksym;

struct timer_elem {
	struct bpf_timer t;
};

struct wq_elem {
	struct bpf_wq w;
};

struct tw_elem {
	struct bpf_task_work tw;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct timer_elem);
} timers SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct wq_elem);
} wqs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, int);
	__type(value, struct tw_elem);
} tws SEC(".maps");

/* Set by user space. */
__u32 armed; /* schedule on the next trigger, once */
int child_pid;
__u64 read_off;

/* The scheduling side. */
__u32 sched_runs;
int sched_ret;

/* The callback side; cb_done is written last. */
__u32 cb_runs;
__u32 cb_err;
__u64 cb_ino; /* the inode the dynptr was made on */
int create_ret;
int read_ret;
__u8 buf[SEL_LEN];
__u32 cb_done;

/*
 * The callback's work: the child's executable, a dynptr on it, one read.
 * Inlined into each callback so that every bpf_dynptr_from_file() call site
 * is checked in one context only.
 */
static __always_inline void read_child_exe(bool in_rcu)
{
	struct task_struct *task;
	struct bpf_dynptr ptr;
	struct file *file;

	cb_runs++;
	task = bpf_task_from_pid(child_pid);
	if (!task) {
		cb_err = CB_NO_TASK;
		goto done;
	}
	/*
	 * Takes task_lock(), which is not softirq-safe: from the timer
	 * callback this could only deadlock if this CPU were inside the
	 * child's task_lock() when the softirq ran; the child is blocked in
	 * read() and the test touches nothing of it while the work is armed.
	 * (A lockdep kernel would still report the lock's softirq use: no
	 * other way gives a timer callback a trusted file.)
	 */
	file = bpf_get_task_exe_file(task);
	if (!file) {
		cb_err = CB_NO_EXE;
		bpf_task_release(task);
		goto done;
	}
	/* A BTF load, no probe read: lockdown=confidentiality refuses those. */
	cb_ino = file->f_inode->i_ino;
	if (in_rcu)
		bpf_rcu_read_lock();
	create_ret = bpf_dynptr_from_file(file, 0, &ptr);
	read_ret = dynptr_read(buf, SEL_LEN, &ptr, read_off, 0);
	if (in_rcu)
		bpf_rcu_read_unlock();
	bpf_dynptr_file_discard(&ptr);
	bpf_put_file(file);
	bpf_task_release(task);
done:
	cb_done = 1;
}

/* Softirq: never sleepable. */
static int timer_cb(void *map, int *key, void *value)
{
	read_child_exe(false);
	return 0;
}

/* A kworker: sleepable. */
static int wq_cb(void *map, int *key, void *value)
{
	read_child_exe(false);
	return 0;
}

/* The same, with the dynptr created and read inside an RCU section. */
static int wq_rcu_cb(void *map, int *key, void *value)
{
	read_child_exe(true);
	return 0;
}

/* The test process on its way back to user space: sleepable. */
static int tw_cb(struct bpf_map *map, void *key, void *value)
{
	read_child_exe(false);
	return 0;
}

static __always_inline int sched_timer(void)
{
	struct timer_elem *e;
	int key = 0, ret;

	e = bpf_map_lookup_elem(&timers, &key);
	if (!e)
		return -ENOENT;
	ret = bpf_timer_init(&e->t, &timers, CLOCK_MONOTONIC);
	ret = ret ?: bpf_timer_set_callback(&e->t, timer_cb);
	return ret ?: bpf_timer_start(&e->t, 0, 0);
}

/* The wq variants differ in the set_callback kfunc and the callback. */
#define SCHED_WQ(NAME, SET_CALLBACK)                  \
	static __always_inline int NAME(void)         \
	{                                             \
		struct wq_elem *e;                    \
		int key = 0, ret;                     \
                                                      \
		e = bpf_map_lookup_elem(&wqs, &key);  \
		if (!e)                               \
			return -ENOENT;               \
		ret = bpf_wq_init(&e->w, &wqs, 0);    \
		ret = ret ?: SET_CALLBACK;            \
		return ret ?: bpf_wq_start(&e->w, 0); \
	}

SCHED_WQ(sched_wq_impl, bpf_wq_set_callback_impl(&e->w, wq_cb, 0, NULL))
SCHED_WQ(sched_wq_plain, bpf_wq_set_callback(&e->w, wq_cb, 0))
SCHED_WQ(sched_wq_rcu_impl, bpf_wq_set_callback_impl(&e->w, wq_rcu_cb, 0, NULL))
SCHED_WQ(sched_wq_rcu_plain, bpf_wq_set_callback(&e->w, wq_rcu_cb, 0))

/* Task work on the triggering (test) process. */
#define SCHED_TW(NAME, CALL)                         \
	static __always_inline int NAME(void)        \
	{                                            \
		struct task_struct *task;            \
		struct tw_elem *e;                   \
		int key = 0;                         \
                                                     \
		e = bpf_map_lookup_elem(&tws, &key); \
		if (!e)                              \
			return -ENOENT;              \
		task = bpf_get_current_task_btf();   \
		return CALL;                         \
	}

SCHED_TW(sched_tw_impl,
	 bpf_task_work_schedule_signal_impl(task, &e->tw, &tws, tw_cb, NULL))
SCHED_TW(sched_tw_plain,
	 bpf_task_work_schedule_signal(task, &e->tw, &tws, tw_cb))

/*
 * One program per kind of work and scheduling context, loaded on demand:
 * KIND_lsm on lsm/file_ioctl, KIND_lsm_s on lsm.s/file_ioctl.
 */
#define SCHED_PROG(SECNAME, PROG, SCHED)                                  \
	SEC(SECNAME)                                                      \
	int BPF_PROG(PROG, struct file *file, unsigned int cmd,           \
		     unsigned long arg)                                   \
	{                                                                 \
		/* The full struct file in the BTF (see spec_example). */ \
		if (!bpf_core_type_exists(struct file))                   \
			return 0;                                         \
		if (is_trigger(cmd) && armed) {                           \
			armed = 0;                                        \
			sched_runs++;                                     \
			sched_ret = SCHED();                              \
		}                                                         \
		return 0;                                                 \
	}
#define SCHED_PROGS(KIND, SCHED)                         \
	SCHED_PROG("?lsm/file_ioctl", KIND##_lsm, SCHED) \
	SCHED_PROG("?lsm.s/file_ioctl", KIND##_lsm_s, SCHED)

SCHED_PROGS(timer, sched_timer)
SCHED_PROGS(wq_impl, sched_wq_impl)
SCHED_PROGS(wq_plain, sched_wq_plain)
SCHED_PROGS(wq_rcu_impl, sched_wq_rcu_impl)
SCHED_PROGS(wq_rcu_plain, sched_wq_rcu_plain)
SCHED_PROGS(tw_impl, sched_tw_impl)
SCHED_PROGS(tw_plain, sched_tw_plain)
