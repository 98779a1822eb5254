// SPDX-License-Identifier: GPL-2.0
/*
 * release: a discarded file dynptr holds nothing.
 *
 * R-FAULT-4  after CYCLES create/read/discard cycles in each context over a
 *            file on the scratch disk, every read having returned pread()'s
 *            bytes, all its pages can be evicted again (a folio reference
 *            kept by a reader would pin its page). vmtest also unmounts the
 *            scratch filesystem after the run: a kept file reference fails
 *            that.
 */
#include <errno.h>
#include <unistd.h>
#include "read_batch.h"
#include "release.skel.h"

#define PAGE		4096
#define FILE_PAGES	8
#define FILE_SIZE	(FILE_PAGES * PAGE)
#define CYCLES		500

static const struct read_case cases[] = {
	{ 0, PAGE }, { PAGE - 1, 2 }, { 3 * PAGE + 7, 2 * PAGE }, { FILE_SIZE - 1, 1 },
};

#define N_CASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* CYCLES triggers with @prog attached; the last batch's bytes are checked. */
static bool cycle(struct release *skel, struct bpf_program *prog, int fd,
		  const char *ctx)
{
	struct read_batch b = READ_BATCH_OF(skel);
	struct bpf_link *link;
	int i, bad = 0;

	if (!read_batch_run(&b, prog, fd, cases, N_CASES))
		return false;
	read_batch_check(&b, fd, cases, N_CASES, 0, ctx);
	link = bpf_program__attach(prog);
	if (!ASSERT_OK_PTR(link, "attach"))
		return false;
	*b.runs = 0;
	for (i = 1; i < CYCLES; i++) {
		bad += trigger_file_ioctl(fd) != 0;
		bad += *b.create_err || *b.discard_err || b.results[0] || b.results[2];
	}
	bpf_link__destroy(link);
	return ASSERT_EQ(*b.runs, CYCLES - 1, "program invocations") &&
	       ASSERT_EQ(bad, 0, "cycles with an error");
}

void test_release(void)
{
	struct bpf_object_open_opts opts;
	struct release *skel;
	char path[256];
	int fd;

	if (!require_file_dynptr())
		return;
	skel_open_opts(&opts);
	skel = release__open_opts(&opts);
	if (!ASSERT_OK_PTR(skel, "open skeleton"))
		return;
	if (!ASSERT_OK(release__load(skel), "load skeleton"))
		goto out;
	fd = make_pattern_file("release", FILE_SIZE, path, sizeof(path));
	if (!ASSERT_GE(fd, 0, "create pattern file"))
		goto out;
	if (!ASSERT_EQ(make_file_resident(fd, FILE_SIZE), FILE_PAGES, "resident (mincore)"))
		goto close;

	if (!cycle(skel, skel->progs.read_nonsleepable, fd, "nonsleepable") ||
	    !cycle(skel, skel->progs.read_sleepable, fd, "sleepable"))
		goto close;

	make_file_evicted(fd, FILE_SIZE,
			  "pages still resident after eviction (a kept folio reference pins them)");
close:
	close(fd);
	unlink(path);
out:
	release__destroy(skel);
}
