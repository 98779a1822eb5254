// SPDX-License-Identifier: GPL-2.0
/*
 * fault_nonsleepable: the page cache decides non-sleepable reads.
 *
 * Spec: "in non-sleepable contexts, the read will result in a -EFAULT error"
 * when the data is not paged in, while a sleepable read waits for the data.
 * Each subtest makes the page-cache state it needs, proves it with mincore()
 * right before the trigger, and checks the exact return codes and bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "read_batch.h"
#include "fault_nonsleepable.skel.h"

#define PAGE		4096
#define FILE_PAGES	16
#define FILE_SIZE	(FILE_PAGES * PAGE)
#define HOLE_PAGE	5	/* the page evicted in the partly resident file */

static const struct read_case cases[] = {
	{ 0, PAGE },			/* the first page */
	{ 3 * PAGE + 100, 2 * PAGE },	/* across two page boundaries */
	{ 8 * PAGE, 8 * PAGE },		/* the second half */
	{ FILE_SIZE - 1, 1 },		/* the last byte */
};

#define N_CASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* Around the evicted HOLE_PAGE: which reads touch it decides -EFAULT. */
static const struct read_case partial_cases[] = {
	{ (HOLE_PAGE - 1) * PAGE, PAGE },	/* resident page before */
	{ (HOLE_PAGE + 1) * PAGE, PAGE },	/* resident page after */
	{ HOLE_PAGE * PAGE - 1, 2 },		/* resident into evicted */
	{ (HOLE_PAGE + 1) * PAGE - 1, 2 },	/* evicted into resident */
	{ HOLE_PAGE * PAGE + 17, 1 },		/* inside the evicted page */
	{ 0, 8 * PAGE },			/* spans it */
};

static const int partial_expect[] = { 0, 0, -EFAULT, -EFAULT, -EFAULT, -EFAULT };

#define N_PARTIAL ((int)(sizeof(partial_cases) / sizeof(partial_cases[0])))

struct fixture {
	struct fault_nonsleepable *skel;
	struct read_batch batch;
	int fd;
};

static bool make_evicted(int fd)
{
	return make_file_evicted(fd, FILE_SIZE, "resident pages after eviction (mincore)");
}

static bool make_resident(int fd)
{
	return ASSERT_EQ(make_file_resident(fd, FILE_SIZE), FILE_PAGES,
			 "resident pages before the trigger (mincore)");
}

static void evicted_nonsleepable(struct fixture *f)
{
	struct bpf_program *prog = f->skel->progs.read_nonsleepable;

	if (!test__start_subtest("evicted_nonsleepable_efault") || !make_evicted(f->fd))
		return;
	if (!read_batch_run(&f->batch, prog, f->fd, cases, N_CASES))
		return;
	/* A page-cache-only reader must not have brought anything in. */
	ASSERT_EQ(resident_pages(f->fd, 0, FILE_SIZE), 0,
		  "resident pages after the non-sleepable reads");
	read_batch_check(&f->batch, f->fd, cases, N_CASES, -EFAULT, "nonsleepable");
}

static void evicted_sleepable(struct fixture *f)
{
	struct bpf_program *prog = f->skel->progs.read_sleepable;
	char name[96];
	int i;

	if (!test__start_subtest("evicted_sleepable_reads") || !make_evicted(f->fd))
		return;
	if (!read_batch_run(&f->batch, prog, f->fd, cases, N_CASES))
		return;
	/* Before pread() can populate anything: the program's reads did. */
	for (i = 0; i < N_CASES; i++) {
		long want = (cases[i].off % PAGE + cases[i].len + PAGE - 1) / PAGE;

		snprintf(name, sizeof(name), "pages of case %d resident after the sleepable read", i);
		ASSERT_EQ(resident_pages(f->fd, cases[i].off, cases[i].len), want, name);
	}
	read_batch_check(&f->batch, f->fd, cases, N_CASES, 0, "sleepable");
}

static void resident_nonsleepable(struct fixture *f)
{
	struct bpf_program *prog = f->skel->progs.read_nonsleepable;

	if (!test__start_subtest("resident_nonsleepable_reads") || !make_resident(f->fd))
		return;
	if (read_batch_run(&f->batch, prog, f->fd, cases, N_CASES))
		read_batch_check(&f->batch, f->fd, cases, N_CASES, 0, "nonsleepable");
}

static void partly_resident(struct fixture *f)
{
	struct bpf_program *prog = f->skel->progs.read_nonsleepable;
	int i;

	if (!test__start_subtest("partly_resident_nonsleepable") || !make_resident(f->fd))
		return;
	if (!ASSERT_OK(evict_range(f->fd, HOLE_PAGE * PAGE, PAGE), "evict one page"))
		return;
	if (!ASSERT_EQ(resident_pages(f->fd, HOLE_PAGE * PAGE, PAGE), 0,
		       "evicted page resident (mincore)") ||
	    !ASSERT_EQ(resident_pages(f->fd, 0, FILE_SIZE), FILE_PAGES - 1,
		       "other pages resident (mincore)"))
		return;
	if (!read_batch_run(&f->batch, prog, f->fd, partial_cases, N_PARTIAL) ||
	    !read_batch_ran(&f->batch))
		return;
	for (i = 0; i < N_PARTIAL; i++)
		read_batch_check_case(&f->batch, f->fd, i, &partial_cases[i],
				      partial_expect[i], "nonsleepable");
}

/*
 * R-FAULT-1 for a page that is cached but not uptodate: the EOF page of a
 * file just written with a length that does not end on a page boundary
 * (ext4 keeps it so; pread() still serves it). mincore() says absent, and
 * the non-sleepable reader must agree: -EFAULT; pages before it read fine.
 */
static void written_eof_page(struct fixture *f)
{
	static const struct read_case eof_cases[] = {
		{ 0, PAGE },		/* a fully written page */
		{ 3 * PAGE, 50 },	/* inside the written part of EOF's page */
	};
	static const int expect[] = { 0, -EFAULT };
	struct bpf_program *prog = f->skel->progs.read_nonsleepable;
	char path[256];
	int fd, i;

	if (!test__start_subtest("written_eof_page_not_uptodate"))
		return;
	fd = make_pattern_file("fault_eof", 3 * PAGE + 100, path, sizeof(path));
	if (!ASSERT_GE(fd, 0, "create pattern file"))
		return;
	if (resident_pages(fd, 3 * PAGE, 100) != 0 ||
	    resident_pages(fd, 0, PAGE) != 1) {
		test__skip("this filesystem (%s) leaves a written EOF page uptodate: nothing to test",
			   scratch_dir());
		goto out;
	}
	if (!read_batch_run(&f->batch, prog, fd, eof_cases, 2) || !read_batch_ran(&f->batch))
		goto out;
	for (i = 0; i < 2; i++)
		read_batch_check_case(&f->batch, fd, i, &eof_cases[i], expect[i],
				      "nonsleepable");
out:
	close(fd);
	unlink(path);
}

/* A folio reference leaked by a read would pin its page in the cache. */
static void evictable_after_reads(struct fixture *f)
{
	if (!test__start_subtest("evictable_after_reads") || !make_resident(f->fd))
		return;
	if (read_batch_run(&f->batch, f->skel->progs.read_nonsleepable, f->fd,
			   cases, N_CASES))
		read_batch_check(&f->batch, f->fd, cases, N_CASES, 0, "nonsleepable");
	make_evicted(f->fd);
}

TEST_TRAITS(fault_nonsleepable, .parallel = true, .lane = LANE_PAGE_CACHE);

void test_fault_nonsleepable(void)
{
	struct bpf_object_open_opts opts;
	struct fixture f = { .fd = -1 };
	char path[256];

	if (!require_file_dynptr() || !require_bpf_lsm())
		return;

	skel_open_opts(&opts);
	f.skel = fault_nonsleepable__open_opts(&opts);
	if (!ASSERT_OK_PTR(f.skel, "open skeleton"))
		return;
	if (!ASSERT_OK(fault_nonsleepable__load(f.skel), "load skeleton"))
		goto cleanup;
	f.batch = READ_BATCH_OF(f.skel);

	f.fd = make_pattern_file("fault_nonsleepable", FILE_SIZE, path, sizeof(path));
	if (!ASSERT_GE(f.fd, 0, "create pattern file"))
		goto cleanup;

	evicted_nonsleepable(&f);
	evicted_sleepable(&f);
	resident_nonsleepable(&f);
	partly_resident(&f);
	written_eof_page(&f);
	evictable_after_reads(&f);

cleanup:
	if (f.fd >= 0) {
		close(f.fd);
		unlink(path);
	}
	fault_nonsleepable__destroy(f.skel);
}
