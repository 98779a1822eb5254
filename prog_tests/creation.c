// SPDX-License-Identifier: GPL-2.0
/*
 * creation: bpf_dynptr_from_file()'s flags and the state it leaves.
 *
 * Checks R-CREATE-1..5 (SEMANTICS.md states them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "creation.skel.h"

#define FILE_LEN PG(3, 5)
#define N_FLAGS 34 /* 0, each of the 32 bits, all bits */

/*
 * What a dynptr made with some flags must show. Field names follow the
 * program's result arrays; .at is the row's rule, .size_at the size's.
 */
struct expect {
	struct test_case_at at, size_at;
	int create, is_null, is_rdonly, read_ret, adjust_ret, clone_ret;
	int clone_is_null, slice_is_null;
	__u64 size;
};

static const struct expect valid = {
	.at = CASE_AT("R-CREATE-2"),
	.size_at = CASE_AT("R-CREATE-3"),
	.create = 0,
	.is_null = 0,
	.is_rdonly = 1,
	.read_ret = 0,
	.adjust_ret = 0,
	.clone_ret = 0,
	.clone_is_null = 0,
	.slice_is_null = 0,
	.size = ~0ull,
};

static const struct expect rejected = {
	.at = CASE_AT("R-CREATE-1"),
	.size_at = CASE_AT("R-CREATE-1"),
	.create = -EINVAL,
	.is_null = 1,
	.is_rdonly = 0,
	.read_ret = -EINVAL,
	.adjust_ret = -EINVAL,
	.clone_ret = -EINVAL,
	.clone_is_null = 1,
	.slice_is_null = 1,
	.size = (__u64)-EINVAL,
};

static __u32 flags_value(int i)
{
	if (i == 0)
		return 0;
	if (i == N_FLAGS - 1)
		return ~0u;
	return 1u << (i - 1);
}

#define CHECK_FIELD(bss, i, field, want, flags)                          \
	({                                                               \
		char __name[64];                                         \
		snprintf(__name, sizeof(__name), "flags=%#x: %s", flags, \
			 #field);                                        \
		ASSERT_EQ((bss)->field[i], (want)->field, __name);       \
	})

static void check_flags(struct creation *skel)
{
	struct creation__bss *bss = skel->bss;
	int i;

	for (i = 0; i < N_FLAGS; i++) {
		const struct expect *want = i ? &rejected : &valid;
		__u32 flags = flags_value(i);
		char name[64];

		test__case(NULL, &want->size_at, "flags=%#x", flags);
		CHECK_FIELD(bss, i, size, want, flags);
		test__case(NULL, &want->at, "flags=%#x", flags);
		CHECK_FIELD(bss, i, is_null, want, flags);
		CHECK_FIELD(bss, i, is_rdonly, want, flags);
		CHECK_FIELD(bss, i, read_ret, want, flags);
		CHECK_FIELD(bss, i, slice_is_null, want, flags);
		CHECK_FIELD(bss, i, clone_ret, want, flags);
		CHECK_FIELD(bss, i, clone_is_null, want, flags);
		CHECK_FIELD(bss, i, adjust_ret, want, flags);
		snprintf(name, sizeof(name), "flags=%#x: create", flags);
		ASSERT_EQ(bss->create_ret[i], want->create, name);
		snprintf(name, sizeof(name), "flags=%#x: discard", flags);
		ASSERT_EQ(bss->discard_ret[i], 0, name);
	}
	test__case_end();
}

static void check_rdonly(struct creation *skel, int fd)
{
	struct creation__bss *bss = skel->bss;
	__u8 file_bytes[sizeof(bss->slice_bytes)];
	size_t len = pg(FILE_LEN);
	__u8 *pattern = malloc(len), *now = malloc(len);

	TEST_RULE("R-CREATE-4");
	if (!ASSERT_OK_PTR(pattern, "malloc") || !ASSERT_OK_PTR(now, "malloc"))
		goto out;
	ASSERT_EQ(bss->write_ret, -EINVAL, "bpf_dynptr_write on a file dynptr");
	ASSERT_EQ(bss->data_is_null, 1, "bpf_dynptr_data returns NULL");
	ASSERT_EQ(bss->slice_nobuf_is_null, 1,
		  "bpf_dynptr_slice without a buffer returns NULL");
	ASSERT_EQ(bss->slice_is_buf, 1,
		  "bpf_dynptr_slice returns the buffer given");
	if (ASSERT_EQ(pread(fd, file_bytes, sizeof(file_bytes), 0),
		      (ssize_t)sizeof(file_bytes), "pread slice range"))
		ASSERT_MEMEQ(bss->slice_bytes, file_bytes, sizeof(file_bytes),
			     "slice bytes equal pread");
	/* The write must not have reached the file. */
	pattern_fill(pattern, 0, len);
	if (ASSERT_EQ(pread(fd, now, len, 0), (ssize_t)len, "pread whole file"))
		ASSERT_MEMEQ(now, pattern, len,
			     "file unchanged after write attempts");
out:
	free(pattern);
	free(now);
}

/* Runs one context's program once; false if it did not run. */
static bool trigger_once(struct creation *skel, struct bpf_program *prog,
			 int fd)
{
	struct creation__bss *bss = skel->bss;
	int i;

	memset(bss, 0x5a, sizeof(*bss)); /* nothing may pass by default */
	bss->target_tgid = getpid();
	bss->runs = 0;
	bss->n_flags = N_FLAGS;
	for (i = 0; i < N_FLAGS; i++)
		bss->flags_cases[i] = flags_value(i);
	memset(bss->write_src, 0xee, sizeof(bss->write_src));

	if (!make_file_resident(fd, pg(FILE_LEN),
				"resident pages before the trigger (mincore)"))
		return false;
	ASSERT_OK(run_prog_once(prog, fd), "attach and trigger");
	return ASSERT_EQ(bss->runs, 1, "program invocations per trigger");
}

static void run_context(struct creation *skel, struct bpf_program *prog, int fd,
			const char *ctx)
{
	if (!test__start_subtest(ctx) || !trigger_once(skel, prog, fd))
		return;
	check_flags(skel);
	check_rdonly(skel, fd);
	after_case_evictable(fd, "pages left resident after the trigger");
}

/* R-CREATE-5, apart: a kernel that breaks it breaks every bool kfunc. */
static void bool_return(struct creation *skel, int fd)
{
	if (!test__start_subtest("bool_return_zero_extended") ||
	    !trigger_once(skel, skel->progs.creation_nonsleepable, fd))
		return;
	TEST_RULE("R-CREATE-5");
	ASSERT_EQ(
		skel->bss->raw_is_null, 1ull,
		"R0 (64 bits) of bpf_dynptr_is_null() on a null dynptr, after R0 = -EINVAL");
	ASSERT_EQ(
		skel->bss->raw_is_rdonly, 0ull,
		"R0 (64 bits) of bpf_dynptr_is_rdonly() on a null dynptr, after R0 = -EINVAL");
	after_case_evictable(fd, "pages left resident after the trigger");
}

TEST_TRAITS(creation, NEEDS_FILE_DYNPTR_LSM, .parallel = true,
	    .lane = LANE_PAGE_CACHE);

void test_creation(void)
{
	struct creation *skel = SKEL_OPEN_LOAD(creation);
	struct scratch_file f = { .fd = -1 };

	if (skel && scratch_pattern_file(&f, "creation", pg(FILE_LEN))) {
		run_context(skel, skel->progs.creation_nonsleepable, f.fd,
			    "nonsleepable");
		run_context(skel, skel->progs.creation_sleepable, f.fd,
			    "sleepable");
		bool_return(skel, f.fd);
	}
	scratch_file_done(&f);
	creation__destroy(skel);
}
