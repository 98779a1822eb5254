// SPDX-License-Identifier: GPL-2.0
/*
 * clone: a clone of a file dynptr against the generic dynptr contract, which
 * the kernel's own selftests assert for other dynptr kinds
 * (tools/testing/selftests/bpf/progs/dynptr_success.c, test_dynptr_clone).
 *
 * Checks R-CLONE-1..3 (SEMANTICS.md states them).
 *
 * Subtests per context: "same" (R-CLONE-1), "adjust_clone" (R-CLONE-2),
 * "adjust_parent" (R-CLONE-3), so a deviation is named by its rule.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "clone.skel.h"

#define FILE_PAGES 4
#define ADJ_START pg(PG(1, 0)) /* the window both phases apply */
#define ADJ_END pg(PG(3, 0))
#define READ_OFF 100 /* where both dynptrs then read */
#define READ_LEN 16

static void expect_bytes(int fd, const __u8 *got, __u64 file_off,
			 const char *name)
{
	__u8 want[READ_LEN];

	if (ASSERT_EQ(pread(fd, want, READ_LEN, file_off), READ_LEN, "pread"))
		ASSERT_MEMEQ(got, want, READ_LEN, name);
}

static void check_same(struct clone__bss *bss, int fd)
{
	TEST_RULE("R-CLONE-1");
	ASSERT_OK(bss->clone_ret, "bpf_dynptr_clone");
	ASSERT_EQ(bss->clone_size, bss->parent_size,
		  "clone size equals parent size");
	ASSERT_EQ(bss->parent_size, ~0ull, "parent size (U64_MAX)");
	ASSERT_EQ(bss->clone_rdonly, 1, "clone is read-only");
	ASSERT_EQ(bss->parent_rdonly, 1, "parent is read-only");
	if (ASSERT_OK(bss->parent_read_ret, "read through the parent"))
		expect_bytes(fd, bss->parent_bytes, READ_OFF, "parent bytes");
	if (ASSERT_OK(bss->clone_read_ret, "read through the clone"))
		expect_bytes(fd, bss->clone_bytes, READ_OFF, "clone bytes");
}

/*
 * @moved is the dynptr that was adjusted (0: the clone, 1: the parent); the
 * other one must still be the whole file.
 */
static void check_phase(struct clone__bss *bss, int fd, int which)
{
	__u64 moved_size = which ? bss->parent_size_after[1] :
				   bss->clone_size_after[0];
	__u64 kept_size = which ? bss->clone_size_after[1] :
				  bss->parent_size_after[0];
	int moved_read = which ? bss->parent_read_after[1] :
				 bss->clone_read_after[0];
	int kept_read = which ? bss->clone_read_after[1] :
				bss->parent_read_after[0];
	const __u8 *moved_bytes = which ? bss->parent_bytes_after[1] :
					  bss->clone_bytes_after[0];
	const __u8 *kept_bytes = which ? bss->clone_bytes_after[1] :
					 bss->parent_bytes_after[0];
	const char *moved = which ? "parent" : "clone";
	const char *kept = which ? "clone" : "parent";
	char name[96];

	/* The adjusted one follows R-ADJUST-1; the other the clone rule. */
	TEST_RULE("R-ADJUST-1");
	ASSERT_OK(bss->adjust_ret[which], "bpf_dynptr_adjust");
	snprintf(name, sizeof(name), "adjusted %s's size", moved);
	ASSERT_EQ(moved_size, ADJ_END - ADJ_START, name);
	snprintf(name, sizeof(name),
		 "adjusted %s's bytes (file offset start + off)", moved);
	if (ASSERT_OK(moved_read, name))
		expect_bytes(fd, moved_bytes, ADJ_START + READ_OFF, name);
	TEST_RULE(which ? "R-CLONE-3" : "R-CLONE-2");
	snprintf(name, sizeof(name), "%s's size after adjusting the %s", kept,
		 moved);
	ASSERT_EQ(kept_size, ~0ull, name);
	snprintf(name, sizeof(name),
		 "%s's bytes after adjusting the %s (file offset off)", kept,
		 moved);
	if (ASSERT_OK(kept_read, name))
		expect_bytes(fd, kept_bytes, READ_OFF, name);
}

static void run_context(struct clone *skel, struct bpf_program *prog, int fd,
			const char *ctx)
{
	struct clone__bss *bss = skel->bss;
	char name[64];

	memset(bss, 0x5a, sizeof(*bss)); /* nothing may pass by default */
	bss->target_tgid = getpid();
	bss->runs = 0;
	bss->adj_start = ADJ_START;
	bss->adj_end = ADJ_END;
	bss->read_off = READ_OFF;
	if (!make_file_resident(fd, pg(PG(FILE_PAGES, 0)),
				"resident pages before the trigger (mincore)"))
		return;
	ASSERT_OK(run_prog_once(prog, fd), "attach and trigger");
	if (!ASSERT_EQ(bss->runs, 1, "program invocations per trigger"))
		return;

	snprintf(name, sizeof(name), "%s_same", ctx);
	if (test__start_subtest(name))
		check_same(bss, fd);
	snprintf(name, sizeof(name), "%s_adjust_clone", ctx);
	if (test__start_subtest(name))
		check_phase(bss, fd, 0);
	snprintf(name, sizeof(name), "%s_adjust_parent", ctx);
	if (test__start_subtest(name))
		check_phase(bss, fd, 1);
	after_case_evictable(fd, "pages left resident after the trigger");
}

TEST_TRAITS(clone, NEEDS_FILE_DYNPTR_LSM, .parallel = true,
	    .lane = LANE_PAGE_CACHE);

void test_clone(void)
{
	struct clone *skel = SKEL_OPEN_LOAD(clone);
	struct scratch_file f = { .fd = -1 };

	if (skel && scratch_pattern_file(&f, "clone", pg(PG(FILE_PAGES, 0)))) {
		run_context(skel, skel->progs.clone_nonsleepable, f.fd,
			    "nonsleepable");
		run_context(skel, skel->progs.clone_sleepable, f.fd,
			    "sleepable");
	}
	scratch_file_done(&f);
	clone__destroy(skel);
}
