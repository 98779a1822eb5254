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

/* A file that ends inside its sixth page. */
#define FILE_LEN PG(5, 123)

/* Resident, both contexts: every read returns 0 and pread()'s bytes. */
#define BOTH(rule) EXPECT(0, rule), EXPECT(0, rule)

static const struct read_row rows[] = {
	/* the whole file, to the last byte */
	{ CASE_AT(NULL), PG(0, 0), FILE_LEN, BOTH("R-READ-1") },
	/* shifted by one, ends at a page edge */
	{ CASE_AT(NULL), PG(0, 1), PG(1, -1), BOTH("R-READ-1") },
	/* straddles the first page boundary */
	{ CASE_AT(NULL), PG(1, -1), PG(0, 2), BOTH("R-READ-1") },
	/* exactly the second page */
	{ CASE_AT(NULL), PG(1, 0), PG(1, 0), BOTH("R-READ-1") },
	/* crosses two boundaries */
	{ CASE_AT(NULL), PG(2, -1), PG(2, 2), BOTH("R-READ-1") },
	/* ends exactly at EOF */
	{ CASE_AT(NULL), PG(5, 123 - 7), PG(0, 7), BOTH("R-EOF-1") },
	/* the last byte alone */
	{ CASE_AT(NULL), PG(5, 122), PG(0, 1), BOTH("R-EOF-1") },
	/* an empty read inside the file */
	{ CASE_AT(NULL), PG(0, 12345), PG(0, 0), BOTH("R-ZERO-1") },
};

static void read_in_context(struct read_basic *skel, struct bpf_program *prog,
			    enum read_ctx ctx, int fd, const char *name)
{
	struct read_batch batch = READ_BATCH_OF(skel);

	if (!test__start_subtest(name))
		return;
	/* Make the whole file resident and prove it before the trigger. */
	if (make_file_resident(fd, pg(FILE_LEN),
			       "resident pages before the trigger (mincore)"))
		read_rows(&batch, prog, ctx, fd, rows, N_ROWS(rows));
}

TEST_TRAITS(read_basic, NEEDS_FILE_DYNPTR_LSM, .parallel = true,
	    .lane = LANE_PAGE_CACHE);

void test_read_basic(void)
{
	struct scratch_file f = { .fd = -1 };
	struct read_basic *skel = SKEL_OPEN_LOAD(read_basic);

	if (skel && scratch_pattern_file(&f, "read_basic", pg(FILE_LEN))) {
		read_in_context(skel, skel->progs.read_nonsleepable,
				CTX_NONSLEEPABLE, f.fd, "nonsleepable");
		read_in_context(skel, skel->progs.read_sleepable, CTX_SLEEPABLE,
				f.fd, "sleepable");
	}
	scratch_file_done(&f);
	read_basic__destroy(skel);
}
