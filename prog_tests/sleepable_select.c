// SPDX-License-Identifier: GPL-2.0
/*
 * sleepable_select: the same read of an evicted page, from five places.
 *
 * Checks R-SELECT-1..5 (SEMANTICS.md states them).
 * Every subtest evicts the file and proves it with mincore() first.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "sleepable_select.skel.h"

#define FILE_LEN PG(8, 0)
#define READ_OFF pg(PG(3, 100))
#define SEL_LEN 64

/* A place the read is made from: its program, rule and expected result. */
struct place {
	struct test_case_at at;
	const char *name;
	int expect;
	const char *warns; /* a warning the kernel may log (ERE), or NULL */
};

static const struct place places[] = {
	{ CASE_AT("R-SELECT-1"), "sleepable", 0, NULL },
	{ CASE_AT("R-SELECT-2"), "nonsleepable", -EFAULT, NULL },
	{ CASE_AT("R-SELECT-3"), "sleepable_all_in_rcu", -EFAULT, NULL },
	{ CASE_AT("R-SELECT-4"), "sleepable_made_in_rcu", -EFAULT, NULL },
	{ CASE_AT("R-SELECT-5"), "sleepable_read_in_rcu", -EFAULT,
	  "tree_plugin\\.h:[0-9]+.*rcu_note_context_switch" },
};

static void run_place(struct sleepable_select *skel, int fd,
		      const struct place *p)
{
	struct bpf_program *prog =
		bpf_object__find_program_by_name(skel->obj, p->name);
	struct sleepable_select__bss *bss = skel->bss;
	int expect = p->expect, cursor = -1;
	struct bpf_link *link;
	__u8 want[SEL_LEN];
	char splat[256];

	if (!test__start_subtest(p->name))
		return;
	if (p->warns && !may_provoke_splat()) {
		test__skip(
			"may make this kernel log a known warning (%s); runs in vmtest",
			p->warns);
		return;
	}
	if (!ASSERT_OK_PTR(prog, "find program") ||
	    !make_file_evicted(fd, pg(FILE_LEN),
			       "resident pages before the trigger (mincore)"))
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
	test__case(NULL, &p->at, "the read from %s", p->name);
	if (p->warns && splat_seen(cursor, splat, sizeof(splat))) {
		printf("the kernel warned during the read: %s\n", splat);
		test__fail();
	}
	bpf_link__destroy(link);
	if (!ASSERT_EQ(bss->runs, 1, "program invocations per trigger") ||
	    !ASSERT_OK(bss->create_ret, "bpf_dynptr_from_file"))
		return;
	if (!ASSERT_EQ(bss->read_ret, expect, "read of an evicted page"))
		return;
	if (expect) {
		/* A read that cannot sleep must not have brought it in. */
		ASSERT_EQ(resident_pages(fd, READ_OFF, SEL_LEN), 0,
			  "pages resident after the failed read (mincore)");
		return;
	}
	if (ASSERT_EQ(pread(fd, want, SEL_LEN, READ_OFF), SEL_LEN, "pread"))
		ASSERT_MEMEQ(bss->buf, want, SEL_LEN, "bytes equal pread");
}

/* Not parallel: under -j it runs alone, as it provokes a kernel warning. */
/*
 * A read that sleeps in an RCU section warns with preemptible RCU (whose
 * __rcu_read_lock() is out of line); without it, it would panic the kernel.
 */
TEST_TRAITS(sleepable_select, NEEDS_FILE_DYNPTR_LSM,
	    .kconfigs = { { "CONFIG_PREEMPT_RCU", "sleepable_read_in_rcu",
			    "__rcu_read_lock" } });

void test_sleepable_select(void)
{
	struct sleepable_select *skel = SKEL_OPEN_LOAD(sleepable_select);
	struct scratch_file f = { .fd = -1 };
	int i;

	if (skel && scratch_pattern_file(&f, "sleepable_select", pg(FILE_LEN)))
		for (i = 0; i < N_ROWS(places); i++)
			run_place(skel, f.fd, &places[i]);
	scratch_file_done(&f);
	sleepable_select__destroy(skel);
}
