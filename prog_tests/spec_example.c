// SPDX-License-Identifier: GPL-2.0
/*
 * spec_example: the spec's example program, run as a user would run it: an
 * lsm/file_open program schedules task work on the opening task; the
 * sleepable callback reads the task's executable through a file dynptr.
 *
 * Checks R-EXAMPLE-1..5 (SEMANTICS.md states them).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "harness.h"
#include "spec_example.h"
#include "spec_example.skel.h"

#define IMPL_KFUNC "bpf_task_work_schedule_signal_impl"
#define PLAIN_KFUNC "bpf_task_work_schedule_signal"
#define WAIT_MS 2000

static const char *const variant_name[] = {
	[VARIANT_IMPL] = IMPL_KFUNC " (5 args)",
	[VARIANT_PLAIN] = PLAIN_KFUNC " (4 args)",
};

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void poison(struct spec_example__bss *bss)
{
	const int p = RESULT_NOT_RUN;

	bss->sched_ret = bss->create_ret = p;
	bss->read_full_ret = bss->read_shift_ret = p;
	bss->read_last_ret = bss->read_mid_ret = p;
	bss->adjust_ret = bss->adj_read1_ret = bss->adj_read2_ret = p;
	bss->adj_read_off1_ret = bss->discard_ret = p;
	bss->adj_size = 0xdeadbeef;
	memset(bss->out_full, 0xa5, sizeof(bss->out_full));
	memset(bss->out_shift, 0xa5, sizeof(bss->out_shift));
	bss->out_last[0] = ~0;
	memset(bss->out_mid, 0xa5, sizeof(bss->out_mid));
	bss->out_adj1[0] = ~0;
}

/* Loads and runs programs on files it does not evict: beside anything. */
TEST_TRAITS(spec_example,
	    .needs = { &need_file_dynptr, &need_bpf_lsm, &need_task_exe_file },
	    .parallel = true);

/* The task-work kfunc the kernel has, or -1 (skipped, saying so). */
static int pick_variant(struct btf *vmlinux)
{
	/* 7.x also keeps the _impl name in its BTF: prefer the new kfunc. */
	if (btf__find_by_name_kind(vmlinux, PLAIN_KFUNC, BTF_KIND_FUNC) > 0)
		return VARIANT_PLAIN;
	if (btf__find_by_name_kind(vmlinux, IMPL_KFUNC, BTF_KIND_FUNC) > 0)
		return VARIANT_IMPL;
	test__skip("kernel %s has neither %s nor %s", test__kernel_release(),
		   PLAIN_KFUNC, IMPL_KFUNC);
	return -1;
}

/* Opens and loads the skeleton with the program of @variant, attached. */
static struct spec_example *load_example(struct btf *vmlinux, __u32 variant,
					 struct bpf_link **link)
{
	struct bpf_object_open_opts opts;
	struct spec_example *skel;
	struct bpf_program *prog;

	skel_open_opts(&opts);
	skel = spec_example__open_opts(&opts);
	if (!ASSERT_OK_PTR(skel, "open skeleton"))
		return NULL;
	if (!align_impl_proto(skel->obj, vmlinux, IMPL_KFUNC))
		return skel;
	prog = variant == VARIANT_PLAIN ? skel->progs.on_open_signal :
					  skel->progs.on_open_signal_impl;
	bpf_program__set_autoload(prog, true);
	printf("kernel %s: loading %s, which calls %s\n",
	       test__kernel_release(), bpf_program__name(prog),
	       variant_name[variant]);
	if (!ASSERT_OK(spec_example__load(skel), "load skeleton"))
		return skel;
	*link = bpf_program__attach(prog);
	ASSERT_OK_PTR(*link, "attach lsm/file_open");
	return skel;
}

/* Arms the program, then opens a file: the program schedules on that open. */
static bool trigger(struct spec_example__bss *bss, __u64 n)
{
	struct timespec start;
	__u32 at_return;
	long waited;
	int fd;

	poison(bss);
	bss->len = n;
	bss->target_tgid = getpid();
	bss->armed = 1;
	clock_gettime(CLOCK_MONOTONIC, &start);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (!ASSERT_GE(fd, 0, "open /dev/null (the trigger)"))
		return false;
	close(fd);
	at_return = __atomic_load_n(&bss->cb_done, __ATOMIC_ACQUIRE);
	/*
	 * The kfunc hands the work to task_work_add() through an irq_work, so
	 * it normally runs as open() returns; wait a little in case not.
	 */
	while (!__atomic_load_n(&bss->cb_done, __ATOMIC_ACQUIRE) &&
	       elapsed_ms(&start) < WAIT_MS)
		usleep(1000);
	waited = elapsed_ms(&start);
	bss->target_tgid = 0;
	printf("task work scheduled by %s; callback %s (%s when open() "
	       "returned), %ld ms after the trigger\n",
	       bss->sched_variant <= VARIANT_PLAIN &&
			       variant_name[bss->sched_variant] ?
		       variant_name[bss->sched_variant] :
		       "?",
	       bss->cb_done ? "done" : "NOT done",
	       at_return ? "already done" : "not yet done", waited);
	return true;
}

static void check_schedule(const struct spec_example__bss *bss,
			   __u32 want_variant)
{
	TEST_RULE("R-EXAMPLE-1");
	ASSERT_EQ(bss->lookup_failed, 0, "arrmap lookup");
	ASSERT_EQ(bss->sched_runs, 1, "file_open program scheduled once");
	ASSERT_EQ(bss->sched_variant, want_variant,
		  "R-EXAMPLE-1: the kfunc the kernel has was called");
	ASSERT_EQ(bss->sched_ret, 0, "R-EXAMPLE-1: schedule returns 0");
	if (!bss->cb_done)
		printf("R-EXAMPLE-1: the callback did not run within %d ms\n",
		       WAIT_MS);
	ASSERT_EQ(bss->cb_done, 1, "R-EXAMPLE-1: callback completed");
	ASSERT_EQ(bss->cb_runs, 1, "R-EXAMPLE-1: callback ran once");
	ASSERT_EQ(bss->cb_tgid, (__u32)getpid(),
		  "R-EXAMPLE-1: callback ran in the opening task");
}

static void check_reads(const struct spec_example__bss *bss, const __u8 *exe,
			__u64 n)
{
	TEST_RULE("R-EXAMPLE-2");
	ASSERT_EQ(bss->cb_no_exe, 0,
		  "R-EXAMPLE-2: bpf_get_task_exe_file() non-NULL");
	ASSERT_EQ(bss->create_ret, 0,
		  "R-EXAMPLE-2: bpf_dynptr_from_file on the exe");
	TEST_RULE("R-EXAMPLE-3");
	if (ASSERT_EQ(bss->read_full_ret, 0, "R-EXAMPLE-3: read [0, n)"))
		ASSERT_MEMEQ(bss->out_full, exe, n,
			     "R-EXAMPLE-3: bytes [0, n) vs pread");
	if (ASSERT_EQ(bss->read_shift_ret, 0, "R-EXAMPLE-3: read [1, n)"))
		ASSERT_MEMEQ(bss->out_shift, exe + 1, n - 1,
			     "R-EXAMPLE-3: bytes [1, n) vs pread");
	if (ASSERT_EQ(bss->read_last_ret, 0, "R-EXAMPLE-3: read [n-1, n)"))
		ASSERT_EQ(bss->out_last[0], exe[n - 1],
			  "R-EXAMPLE-3: byte n-1 vs pread");
	if (ASSERT_EQ(bss->read_mid_ret, 0, "R-EXAMPLE-3: read [4097, 4197)"))
		ASSERT_MEMEQ(bss->out_mid, exe + SPEC_MID_OFF, SPEC_MID_LEN,
			     "R-EXAMPLE-3: bytes [4097, 4197) vs pread");
	TEST_RULE("R-EXAMPLE-5");
	ASSERT_EQ(bss->discard_ret, 0, "R-EXAMPLE-5: bpf_dynptr_file_discard");
}

static void check_adjusted(const struct spec_example__bss *bss, const __u8 *exe)
{
	TEST_RULE("R-EXAMPLE-4");
	ASSERT_EQ(bss->adjust_ret, 0,
		  "R-EXAMPLE-4: bpf_dynptr_adjust(4097, 4098)");
	ASSERT_EQ(bss->adj_size, 1, "R-EXAMPLE-4: size after adjust");
	if (ASSERT_EQ(bss->adj_read1_ret, 0, "R-EXAMPLE-4: 1-byte read at 0"))
		ASSERT_EQ(bss->out_adj1[0], exe[SPEC_MID_OFF],
			  "R-EXAMPLE-4: the byte is the file's byte 4097");
	ASSERT_EQ(bss->adj_read2_ret, -E2BIG, "R-EXAMPLE-4: 2-byte read at 0");
	ASSERT_EQ(bss->adj_read_off1_ret, -E2BIG,
		  "R-EXAMPLE-4: 1-byte read at 1");
}

void test_spec_example(void)
{
	struct spec_example *skel = NULL;
	struct spec_example__bss *bss;
	struct bpf_link *link = NULL;
	struct btf *vmlinux = NULL;
	size_t exe_size = 0;
	__u8 *exe = NULL;
	int variant;
	__u64 n;

	vmlinux = btf__load_vmlinux_btf();
	if (!ASSERT_OK_PTR(vmlinux, "load vmlinux BTF"))
		return;
	variant = pick_variant(vmlinux);
	if (variant < 0)
		goto cleanup;
	exe = read_self_exe(&exe_size);
	if (!exe)
		goto cleanup;
	if (exe_size < SPEC_MID_OFF + SPEC_MID_LEN) {
		test__skip(
			"/proc/self/exe has %zu bytes, the example reads up to %d",
			exe_size, SPEC_MID_OFF + SPEC_MID_LEN);
		goto cleanup;
	}
	n = exe_size < SPEC_BUF_SZ ? exe_size : SPEC_BUF_SZ;
	skel = load_example(vmlinux, variant, &link);
	if (!link || !trigger(skel->bss, n))
		goto cleanup;
	bss = skel->bss;
	if (test__start_subtest("schedule"))
		check_schedule(bss, variant);
	if (test__start_subtest("reads"))
		check_reads(bss, exe, n);
	if (test__start_subtest("adjusted"))
		check_adjusted(bss, exe);
cleanup:
	bpf_link__destroy(link);
	spec_example__destroy(skel);
	btf__free(vmlinux);
	free(exe);
}
