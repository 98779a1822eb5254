// SPDX-License-Identifier: GPL-2.0
/*
 * concurrent_write: reads while another process rewrites the file.
 *
 * Checks R-KIND-9 (SEMANTICS.md states them).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>
#include "read_batch.h"
#include "concurrent_write.skel.h"

#define FILE_PAGES 8
#define MIN_TRIGGERS 100
#define MAX_TRIGGERS 5000
#define N_CASES 2

/* The reads, in the running kernel's pages: the first chunk, and across two edges. */
static struct read_case cases[N_CASES];

static void make_cases(void)
{
	__u64 size = pg(PG(FILE_PAGES, 0));

	cases[0] =
		(struct read_case){ 0, size < READ_CHUNK ? size : READ_CHUNK };
	cases[1] = (struct read_case){ pg(PG(1, -3)), pg(PG(3, 0)) };
}

/* The writer flips the whole file between the pattern and its inverse. */
static void writer(const char *path)
{
	size_t size = pg(PG(FILE_PAGES, 0)), i;
	__u8 *a = malloc(size), *b = malloc(size);
	int fd = open(path, O_WRONLY);

	if (!a || !b)
		_exit(1);
	pattern_fill(a, 0, size);
	for (i = 0; i < size; i++)
		b[i] = ~a[i];
	for (;;) {
		pwrite(fd, b, size, 0);
		pwrite(fd, a, size, 0);
	}
}

/*
 * Index of the first byte that is neither the old nor the new value, or -1;
 * *saw_new is set when a byte has the writer's new value.
 */
static long foreign_byte(const __u8 *got, __u64 off, __u64 len, bool *saw_new)
{
	__u64 i;

	for (i = 0; i < len; i++) {
		__u8 old = pattern_byte(off + i), new = ~old;

		*saw_new |= got[i] == new;
		if (got[i] != old && got[i] != new)
			return i;
	}
	return -1;
}

static void race(struct concurrent_write *skel, struct bpf_program *prog,
		 int fd, const char *path, const char *ctx)
{
	struct read_batch b = READ_BATCH_OF(skel);
	int i, j, failed = 0, raced = 0;
	struct bpf_link *link;
	long foreign = -1;
	pid_t child;

	if (!test__start_subtest(ctx) ||
	    !make_file_resident(fd, pg(PG(FILE_PAGES, 0)),
				"resident (mincore)") ||
	    !read_batch_run(&b, prog, fd, cases, N_CASES)) /* fills the batch */
		return;
	link = bpf_program__attach(prog);
	if (!ASSERT_OK_PTR(link, "attach"))
		return;
	child = fork();
	if (child == 0)
		writer(path);
	/* Until enough reads overlapped the writer, within a bound. */
	for (i = 0; child > 0 && foreign < 0 && i < MAX_TRIGGERS &&
		    (i < MIN_TRIGGERS || raced < 10);
	     i++) {
		trigger_file_ioctl(fd);
		for (j = 0; j < N_CASES && foreign < 0; j++) {
			bool saw_new = false;

			failed += b.results[j] != 0;
			if (!b.results[j])
				foreign = foreign_byte(b.out[j], cases[j].off,
						       cases[j].len, &saw_new);
			raced += saw_new;
		}
	}
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	bpf_link__destroy(link);
	ASSERT_GT(child, 0, "fork the writer");
	TEST_RULE("R-KIND-9");
	printf("%s: %d triggers, %d reads saw the writer's bytes\n", ctx, i,
	       raced);
	ASSERT_EQ(failed, 0, "reads that failed while the file was rewritten");
	ASSERT_EQ(foreign, -1, "offset of a byte that is neither old nor new");
	after_case_evictable(fd, "pages left resident after the race");
	if (raced || failed || foreign >= 0)
		return;
	/* One CPU may never interleave them; on more, only timing fails. */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		test__skip(
			"one CPU: the writer never overlapped a read in %d triggers",
			i);
	else
		test__setup_error(
			"the writer never overlapped a read in %d triggers: nothing was tested",
			i);
}

/* Not parallel: under -j it runs alone, as it races a writer of its own. */
TEST_TRAITS(concurrent_write, NEEDS_FILE_DYNPTR_LSM);

void test_concurrent_write(void)
{
	struct concurrent_write *skel = SKEL_OPEN_LOAD(concurrent_write);
	struct scratch_file f = { .fd = -1 };

	make_cases();
	if (skel && scratch_pattern_file(&f, "concurrent_write",
					 pg(PG(FILE_PAGES, 0)))) {
		race(skel, skel->progs.read_nonsleepable, f.fd, f.path,
		     "nonsleepable");
		race(skel, skel->progs.read_sleepable, f.fd, f.path,
		     "sleepable");
	}
	scratch_file_done(&f);
	concurrent_write__destroy(skel);
}
