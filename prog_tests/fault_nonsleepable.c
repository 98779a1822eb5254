// SPDX-License-Identifier: GPL-2.0
/*
 * fault_nonsleepable: the page cache decides non-sleepable reads.
 *
 * Spec: "in non-sleepable contexts, the read will result in a -EFAULT error"
 * when the data is not paged in, while a sleepable read waits for the data.
 * Each subtest makes the page-cache state it needs, proves it with mincore()
 * right before the trigger, holds the resident pages through it
 * (hold_resident()), proves the absent ones still absent after it, and checks
 * the exact return codes and bytes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/vfs.h>
#include "read_batch.h"
#include "fault_nonsleepable.skel.h"

#define FILE_PAGES 16
#define FILE_LEN PG(FILE_PAGES, 0)
#define HOLE_PAGE 5 /* the page evicted in the partly resident file */

/* Evicted (mincore shows none resident). */
static const struct read_row evicted_rows[] = {
	/* the first page */
	{ CASE_AT(NULL), PG(0, 0), PG(1, 0), EXPECT(-EFAULT, "R-FAULT-1"),
	  EXPECT(0, "R-FAULT-2") },
	/* across two page boundaries */
	{ CASE_AT(NULL), PG(3, 100), PG(2, 0), EXPECT(-EFAULT, "R-FAULT-1"),
	  EXPECT(0, "R-FAULT-2") },
	/* the second half */
	{ CASE_AT(NULL), PG(8, 0), PG(8, 0), EXPECT(-EFAULT, "R-FAULT-1"),
	  EXPECT(0, "R-FAULT-2") },
	/* the last byte */
	{ CASE_AT(NULL), PG(FILE_PAGES, -1), PG(0, 1),
	  EXPECT(-EFAULT, "R-FAULT-1"), EXPECT(0, "R-FAULT-2") },
};

/* Resident: the context changes nothing. */
static const struct read_row resident_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(1, 0), EXPECT(0, "R-READ-3"), NOT_READ },
	{ CASE_AT(NULL), PG(3, 100), PG(2, 0), EXPECT(0, "R-READ-3"),
	  NOT_READ },
	{ CASE_AT(NULL), PG(8, 0), PG(8, 0), EXPECT(0, "R-READ-3"), NOT_READ },
	{ CASE_AT(NULL), PG(FILE_PAGES, -1), PG(0, 1), EXPECT(0, "R-READ-3"),
	  NOT_READ },
};

/* Resident but HOLE_PAGE: which reads touch it decides -EFAULT. */
static const struct read_row partial_rows[] = {
	/* resident page before */
	{ CASE_AT(NULL), PG(HOLE_PAGE - 1, 0), PG(1, 0), EXPECT(0, "R-FAULT-3"),
	  NOT_READ },
	/* resident page after */
	{ CASE_AT(NULL), PG(HOLE_PAGE + 1, 0), PG(1, 0), EXPECT(0, "R-FAULT-3"),
	  NOT_READ },
	/* resident into evicted */
	{ CASE_AT(NULL), PG(HOLE_PAGE, -1), PG(0, 2),
	  EXPECT(-EFAULT, "R-FAULT-3"), NOT_READ },
	/* evicted into resident */
	{ CASE_AT(NULL), PG(HOLE_PAGE + 1, -1), PG(0, 2),
	  EXPECT(-EFAULT, "R-FAULT-3"), NOT_READ },
	/* inside the evicted page */
	{ CASE_AT(NULL), PG(HOLE_PAGE, 17), PG(0, 1),
	  EXPECT(-EFAULT, "R-FAULT-3"), NOT_READ },
	/* spans it */
	{ CASE_AT(NULL), PG(0, 0), PG(8, 0), EXPECT(-EFAULT, "R-FAULT-3"),
	  NOT_READ },
};

/* A file of 3 pages + 100 bytes, just written: its EOF page is not uptodate. */
static const struct read_row written_eof_rows[] = {
	/* a fully written page */
	{ CASE_AT(NULL), PG(0, 0), PG(1, 0), EXPECT(0, "R-FAULT-1"), NOT_READ },
	/* inside the written part of EOF's page */
	{ CASE_AT(NULL), PG(3, 0), PG(0, 50), EXPECT(-EFAULT, "R-FAULT-1"),
	  NOT_READ },
};

/* Resident, then evicted again: after the reads nothing is pinned. */
static const struct read_row evictable_rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(1, 0), EXPECT(0, "R-FAULT-4"), NOT_READ },
	{ CASE_AT(NULL), PG(3, 100), PG(2, 0), EXPECT(0, "R-FAULT-4"),
	  NOT_READ },
	{ CASE_AT(NULL), PG(8, 0), PG(8, 0), EXPECT(0, "R-FAULT-4"), NOT_READ },
	{ CASE_AT(NULL), PG(FILE_PAGES, -1), PG(0, 1), EXPECT(0, "R-FAULT-4"),
	  NOT_READ },
};

struct fixture {
	struct fault_nonsleepable *skel;
	struct read_batch batch;
	int fd;
};

static bool make_evicted(int fd)
{
	return make_file_evicted(fd, pg(FILE_LEN),
				 "resident pages after eviction (mincore)");
}

static bool make_resident(int fd)
{
	return make_file_resident(
		fd, pg(FILE_LEN),
		"resident pages before the trigger (mincore)");
}

static void evicted_nonsleepable(struct fixture *f)
{
	struct bpf_program *prog = f->skel->progs.read_nonsleepable;

	if (!test__start_subtest("evicted_nonsleepable_efault") ||
	    !make_evicted(f->fd))
		return;
	if (!read_rows_trigger(&f->batch, prog, CTX_NONSLEEPABLE, f->fd,
			       evicted_rows, N_ROWS(evicted_rows)))
		return;
	/* A page-cache-only reader must not have brought anything in. */
	TEST_RULE("R-FAULT-1");
	ASSERT_EQ(resident_pages(f->fd, 0, pg(FILE_LEN)), 0,
		  "resident pages after the non-sleepable reads");
	read_rows_check(&f->batch, CTX_NONSLEEPABLE, f->fd, evicted_rows,
			N_ROWS(evicted_rows));
}

/* The pages row @r of a table touches. */
static long row_pages(const struct read_row *r)
{
	return (pg(r->off) % page_size() + pg(r->len) + page_size() - 1) /
	       page_size();
}

/* Whether every row's pages are resident, as sleepable reads leave them. */
static bool rows_resident(int fd, const struct read_row *rows, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (resident_pages(fd, pg(rows[i].off), pg(rows[i].len)) !=
		    row_pages(&rows[i]))
			return false;
	return true;
}

/*
 * Reclaim may take a page the sleepable read brought in before it is
 * counted: the case runs again then (CASE_TRIES), and judges its last run.
 */
static void evicted_sleepable(struct fixture *f)
{
	struct bpf_program *prog = f->skel->progs.read_sleepable;
	const struct read_row *r;
	char name[96];
	int i, try = 0;

	if (!test__start_subtest("evicted_sleepable_reads"))
		return;
	do {
		if (!make_evicted(f->fd) ||
		    !read_rows_trigger(&f->batch, prog, CTX_SLEEPABLE, f->fd,
				       evicted_rows, N_ROWS(evicted_rows)))
			return;
	} while (++try < CASE_TRIES &&
		 !rows_resident(f->fd, evicted_rows, N_ROWS(evicted_rows)));
	if (try > 1)
		printf("evicted_sleepable_reads: ran %d times\n", try);
	/*
	 * Before pread() can populate anything: the pages each read touched
	 * are resident, brought in by the program's reads.
	 */
	for (i = 0; i < N_ROWS(evicted_rows); i++) {
		r = &evicted_rows[i];
		test__case(
			r->sleepable.rule, &r->at,
			"row %d: its pages resident after the sleepable read",
			i + 1);
		snprintf(name, sizeof(name), "pages of row %d resident", i + 1);
		ASSERT_EQ(resident_pages(f->fd, pg(r->off), pg(r->len)),
			  row_pages(r), name);
	}
	test__case_end();
	read_rows_check(&f->batch, CTX_SLEEPABLE, f->fd, evicted_rows,
			N_ROWS(evicted_rows));
}

static void resident_nonsleepable(struct fixture *f)
{
	if (test__start_subtest("resident_nonsleepable_reads") &&
	    make_resident(f->fd))
		read_rows(&f->batch, f->skel->progs.read_nonsleepable,
			  CTX_NONSLEEPABLE, f->fd, resident_rows,
			  N_ROWS(resident_rows));
}

/*
 * The pages around HOLE_PAGE are held resident (hold_resident()) before the
 * file is evicted and through the trigger, which proves the holds work;
 * after it, HOLE_PAGE is still absent.
 */
static void partly_resident(struct fixture *f)
{
	off_t hole = HOLE_PAGE * page_size(), next = hole + page_size();
	long left;
	int tries;

	if (!test__start_subtest("partly_resident_nonsleepable") ||
	    !scratch_block_backed() || !make_resident(f->fd))
		return;
	release_resident(f->fd);
	if (!hold_resident(f->fd, 0, hole) ||
	    !hold_resident(f->fd, next, pg(FILE_LEN) - next))
		return;
	/* The whole file: the held pages stay, as every hold relies on. */
	if (!ASSERT_OK(evict_range(f->fd, 0, 0), "evict the file"))
		return;
	left = evict_counted(f->fd, hole, page_size(), &tries);
	if (tries > 1)
		printf("partly_resident: evicting the page took %d tries\n",
		       tries);
	if (left > 0)
		test__setup_error("page %d stays resident after %d tries",
				  HOLE_PAGE, tries);
	if (left > 0 || !ASSERT_OK(left < 0 ? left : 0, "evict the page") ||
	    !ASSERT_EQ(resident_pages(f->fd, 0, pg(FILE_LEN)), FILE_PAGES - 1,
		       "held pages resident after evicting the file (mincore)"))
		return;
	/* Proven before read_rows_check(), whose after-state evicts. */
	if (!read_rows_trigger(&f->batch, f->skel->progs.read_nonsleepable,
			       CTX_NONSLEEPABLE, f->fd, partial_rows,
			       N_ROWS(partial_rows)))
		return;
	TEST_RULE("R-FAULT-1");
	ASSERT_EQ(resident_pages(f->fd, hole, page_size()), 0,
		  "evicted page resident after the non-sleepable reads");
	read_rows_check(&f->batch, CTX_NONSLEEPABLE, f->fd, partial_rows,
			N_ROWS(partial_rows));
}

/*
 * A written file whose EOF page is not uptodate, in @eof. ext4 leaves it so
 * when its blocks are smaller than a page: the blocks past EOF are never
 * read. With page-sized blocks the one block is zeroed past EOF and the
 * page comes out uptodate: a fact of the filesystem's geometry (statfs()),
 * decided before the file is made.
 */
static bool make_written_eof(struct scratch_file *eof)
{
	struct statfs st;

	if (statfs(scratch_dir(), &st) == 0 && st.f_bsize >= page_size()) {
		test__skip(
			"%s has blocks of %ld bytes, a page's or more: a written EOF page comes out uptodate",
			scratch_dir(), (long)st.f_bsize);
		return false;
	}
	if (!scratch_pattern_file(eof, "fault_eof", pg(PG(3, 100))))
		return false;
	if (resident_pages(eof->fd, pg(PG(3, 0)), 100) == 0)
		return true;
	test__setup_error(
		"%s has blocks smaller than a page, yet the written EOF page is uptodate",
		scratch_dir());
	scratch_file_done(eof);
	return false;
}

/*
 * R-FAULT-1 for a page that is cached but not uptodate: the EOF page of a
 * file just written with a length that does not end on a page boundary
 * (ext4 keeps it so; pread() still serves it). mincore() says absent, and
 * the non-sleepable reader must agree: -EFAULT; pages before it read fine.
 */
static void written_eof_page(struct fixture *f)
{
	struct scratch_file eof = { .fd = -1 };

	if (!test__start_subtest("written_eof_page_not_uptodate") ||
	    !make_written_eof(&eof))
		return;
	if (hold_resident(eof.fd, 0, pg(PG(3, 0))) &&
	    ASSERT_EQ(resident_pages(eof.fd, 0, page_size()), 1,
		      "first page resident (mincore)")) {
		/* Proven before read_rows_check(), whose after-state evicts. */
		if (read_rows_trigger(
			    &f->batch, f->skel->progs.read_nonsleepable,
			    CTX_NONSLEEPABLE, eof.fd, written_eof_rows,
			    N_ROWS(written_eof_rows))) {
			TEST_RULE("R-FAULT-1");
			ASSERT_EQ(
				resident_pages(eof.fd, pg(PG(3, 0)), 100), 0,
				"EOF page uptodate after the non-sleepable reads");
			read_rows_check(&f->batch, CTX_NONSLEEPABLE, eof.fd,
					written_eof_rows,
					N_ROWS(written_eof_rows));
		}
	}
	scratch_file_done(&eof);
}

/* A folio reference leaked by a read would pin its page in the cache. */
static void evictable_after_reads(struct fixture *f)
{
	if (!test__start_subtest("evictable_after_reads") ||
	    !make_resident(f->fd))
		return;
	/* Evicted here, before the checks' pread()s: the reads alone. */
	if (!read_rows_trigger(&f->batch, f->skel->progs.read_nonsleepable,
			       CTX_NONSLEEPABLE, f->fd, evictable_rows,
			       N_ROWS(evictable_rows)))
		return;
	TEST_RULE("R-FAULT-4");
	file_evictable(f->fd, pg(FILE_LEN),
		       "resident pages after eviction (mincore)");
	read_rows_check(&f->batch, CTX_NONSLEEPABLE, f->fd, evictable_rows,
			N_ROWS(evictable_rows));
}

TEST_TRAITS(fault_nonsleepable, NEEDS_FILE_DYNPTR_LSM, .parallel = true,
	    .lane = LANE_PAGE_CACHE);

void test_fault_nonsleepable(void)
{
	struct scratch_file file = { .fd = -1 };
	struct fixture f = { .skel = SKEL_OPEN_LOAD(fault_nonsleepable) };

	if (f.skel &&
	    scratch_pattern_file(&file, "fault_nonsleepable", pg(FILE_LEN))) {
		f.batch = READ_BATCH_OF(f.skel);
		f.fd = file.fd;
		evicted_nonsleepable(&f);
		evicted_sleepable(&f);
		resident_nonsleepable(&f);
		partly_resident(&f);
		written_eof_page(&f);
		evictable_after_reads(&f);
	}
	scratch_file_done(&file);
	fault_nonsleepable__destroy(f.skel);
}
