// SPDX-License-Identifier: GPL-2.0
/*
 * read_basic: through a file dynptr, a resident multi-page file reads back
 * exactly what pread() returns, whole and at page-edge offsets, from a
 * non-sleepable and from a sleepable program.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "read_batch.h"
#include "read_basic.skel.h"

#define PAGE		4096
#define FILE_SIZE	(5 * PAGE + 123)	/* ends inside its sixth page */
#define FILE_PAGES	6

static const struct read_case cases[] = {
	{ 0, FILE_SIZE },		/* the whole file, to the last byte */
	{ 1, PAGE - 1 },		/* shifted by one, ends at a page edge */
	{ PAGE - 1, 2 },		/* straddles the first page boundary */
	{ PAGE, PAGE },			/* exactly the second page */
	{ 2 * PAGE - 1, 2 * PAGE + 2 },	/* crosses two boundaries */
	{ FILE_SIZE - 7, 7 },		/* ends exactly at EOF */
	{ FILE_SIZE - 1, 1 },		/* the last byte alone */
	{ 12345, 0 },			/* an empty read inside the file */
};

#define N_CASES ((int)(sizeof(cases) / sizeof(cases[0])))

static void read_in_context(struct read_basic *skel, struct bpf_program *prog,
			    int fd, const char *ctx)
{
	struct read_batch batch = READ_BATCH_OF(skel);

	if (!test__start_subtest(ctx))
		return;

	/* Make the whole file resident and prove it before the trigger. */
	if (!ASSERT_EQ(make_file_resident(fd, FILE_SIZE), FILE_PAGES,
		       "resident pages before the trigger (mincore)"))
		return;

	if (read_batch_run(&batch, prog, fd, cases, N_CASES))
		read_batch_check(&batch, fd, cases, N_CASES, 0, ctx);
}

TEST_TRAITS(read_basic, .parallel = true, .lane = LANE_PAGE_CACHE);

void test_read_basic(void)
{
	struct bpf_object_open_opts opts;
	struct read_basic *skel = NULL;
	char path[256];
	int fd = -1;

	if (!require_file_dynptr() || !require_bpf_lsm())
		return;

	skel_open_opts(&opts);
	skel = read_basic__open_opts(&opts);
	if (!ASSERT_OK_PTR(skel, "open skeleton"))
		return;
	if (!ASSERT_OK(read_basic__load(skel), "load skeleton"))
		goto cleanup;

	fd = make_pattern_file("read_basic", FILE_SIZE, path, sizeof(path));
	if (!ASSERT_GE(fd, 0, "create pattern file"))
		goto cleanup;

	read_in_context(skel, skel->progs.read_nonsleepable, fd, "nonsleepable");
	read_in_context(skel, skel->progs.read_sleepable, fd, "sleepable");

cleanup:
	if (fd >= 0) {
		close(fd);
		unlink(path);
	}
	read_basic__destroy(skel);
}
