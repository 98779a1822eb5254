// SPDX-License-Identifier: GPL-2.0
/*
 * sleepable_select: the same read of an evicted page, from five places.
 *
 * R-SELECT-1  sleepable program: 0, pread()'s bytes.
 * R-SELECT-2  non-sleepable program: -EFAULT.
 * R-SELECT-3  sleepable program, dynptr created and read inside a
 *             bpf_rcu_read_lock() section: -EFAULT (no sleeping there).
 * R-SELECT-4  created inside the section, read after it: the reader is the
 *             one bound where the dynptr was created: -EFAULT.
 * R-SELECT-5  created outside the section, read inside it: the read must not
 *             sleep inside the section: -EFAULT, and no kernel warning. (A
 *             kernel that sleeps there may WARN "Voluntary context switch
 *             within RCU read-side critical section!": declared to vmtest,
 *             checked here, and skipped outside vmtest.)
 * Every subtest evicts the file and proves it with mincore() first.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "sleepable_select.skel.h"

#define PAGE		4096
#define FILE_SIZE	(8 * PAGE)
#define READ_OFF	(3 * PAGE + 100)
#define SEL_LEN		64

struct place {
	const char *name;
	int expect;
	const char *warns;	/* a warning the kernel may log (ERE), or NULL */
};

static bool make_evicted(int fd)
{
	return make_file_evicted(fd, FILE_SIZE, "resident pages before the trigger (mincore)");
}

static void run_place(struct sleepable_select *skel, int fd,
		      const struct place *p)
{
	struct bpf_program *prog = bpf_object__find_program_by_name(skel->obj, p->name);
	struct sleepable_select__bss *bss = skel->bss;
	int expect = p->expect, cursor = -1;
	struct bpf_link *link;
	__u8 want[SEL_LEN];
	char splat[256];

	if (!test__start_subtest(p->name))
		return;
	if (p->warns && !may_provoke_splat()) {
		test__skip("may make this kernel log a known warning (%s); runs in vmtest",
			   p->warns);
		return;
	}
	if (!ASSERT_OK_PTR(prog, "find program") || !make_evicted(fd))
		return;
	memset(bss, 0x5a, sizeof(*bss));
	bss->target_tgid = getpid();
	bss->runs = 0;
	bss->read_off = READ_OFF;
	link = bpf_program__attach(prog);
	if (!ASSERT_OK_PTR(link, "attach"))
		return;
	if (p->warns)
		cursor = splat_watch(p->warns);
	ASSERT_OK(trigger_file_ioctl(fd), "trigger ioctl");
	if (p->warns && splat_seen(cursor, splat, sizeof(splat))) {
		printf("the kernel warned during the read: %s\n", splat);
		test__fail();
	}
	bpf_link__destroy(link);
	if (!ASSERT_EQ(bss->runs, 1, "program invocations per trigger") ||
	    !ASSERT_OK(bss->create_ret, "bpf_dynptr_from_file"))
		return;
	if (!ASSERT_EQ(bss->read_ret, expect, "read of an evicted page") || expect)
		return;
	if (ASSERT_EQ(pread(fd, want, SEL_LEN, READ_OFF), SEL_LEN, "pread"))
		ASSERT_MEMEQ(bss->buf, want, SEL_LEN, "bytes equal pread");
}

/* No traits: under -j it runs alone, as it provokes a kernel warning (RCU). */
void test_sleepable_select(void)
{
	static const struct place places[] = {
		{ "sleepable", 0, NULL },
		{ "nonsleepable", -EFAULT, NULL },
		{ "sleepable_all_in_rcu", -EFAULT, NULL },
		{ "sleepable_made_in_rcu", -EFAULT, NULL },
		{ "sleepable_read_in_rcu", -EFAULT,
		  "tree_plugin\\.h:[0-9]+.*rcu_note_context_switch" },
	};
	struct bpf_object_open_opts opts;
	struct sleepable_select *skel;
	char path[256];
	unsigned int i;
	int fd;

	if (!require_file_dynptr() || !require_bpf_lsm())
		return;
	skel_open_opts(&opts);
	skel = sleepable_select__open_opts(&opts);
	if (!ASSERT_OK_PTR(skel, "open skeleton"))
		return;
	if (!ASSERT_OK(sleepable_select__load(skel), "load skeleton"))
		goto out;
	fd = make_pattern_file("sleepable_select", FILE_SIZE, path, sizeof(path));
	if (!ASSERT_GE(fd, 0, "create pattern file"))
		goto out;
	for (i = 0; i < sizeof(places) / sizeof(places[0]); i++)
		run_place(skel, fd, &places[i]);
	close(fd);
	unlink(path);
out:
	sleepable_select__destroy(skel);
}
