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
 * R-FAULT-5  a discard frees the dynptr's state: CHURN create/discard
 *            cycles in one program run leave the kernel's unreclaimable
 *            slab (SUnreclaim) about where it was. A leaked state (at
 *            least 64 bytes a cycle) would grow it by CHURN * 64 bytes, 1
 *            MiB; the check allows a quarter of that.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "read_batch.h"
#include "release.skel.h"

#define PAGE		4096
#define FILE_PAGES	8
#define FILE_SIZE	(FILE_PAGES * PAGE)
#define CYCLES		500
#define CHURN		16384
#define CHURN_WARMUP	1024
#define MIN_STATE_SIZE	64	/* bytes: struct bpf_dynptr_file_impl is larger */

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

/* One run of @prog doing @n create/discard cycles on @fd. */
static bool churn_once(struct release *skel, struct bpf_program *prog, int fd,
		       __u32 n)
{
	struct release__bss *bss = skel->bss;

	bss->target_tgid = getpid();
	bss->churn_cycles = n;
	bss->churned = 0;
	bss->runs = 0;
	bss->churn_create_err = RESULT_NOT_RUN;
	bss->churn_discard_err = RESULT_NOT_RUN;
	return ASSERT_OK(run_prog_once(prog, fd), "attach and trigger") &&
	       ASSERT_EQ(bss->runs, 1, "program invocations per trigger") &&
	       ASSERT_OK(bss->churn_create_err, "last bpf_dynptr_from_file()") &&
	       ASSERT_OK(bss->churn_discard_err, "last bpf_dynptr_file_discard()") &&
	       ASSERT_EQ(bss->churned, n, "create/discard cycles done");
}

/*
 * R-FAULT-5. Other kernel activity can move SUnreclaim too, either way (a
 * busy host, not the vmtest guest): the check takes the smallest growth of
 * up to three runs. A leak grows it by the same megabyte every run.
 */
static void state_freed(struct release *skel, struct bpf_program *prog, int fd,
			const char *ctx)
{
	long before, after, growth, least = LONG_MAX;
	long limit_kb = (long)CHURN * MIN_STATE_SIZE / 4 / 1024;
	char name[64];
	int i;

	snprintf(name, sizeof(name), "state_freed_%s", ctx);
	if (!test__start_subtest(name))
		return;
	if (!churn_once(skel, prog, fd, CHURN_WARMUP))	/* slab caches warm */
		return;
	for (i = 0; i < 3 && least >= limit_kb; i++) {
		before = meminfo_kb("SUnreclaim");
		if (before < 0) {
			test__skip("no SUnreclaim in /proc/meminfo: %s", strerror(-before));
			return;
		}
		if (!churn_once(skel, prog, fd, CHURN))
			return;
		after = meminfo_kb("SUnreclaim");
		growth = after - before;
		if (growth < least)
			least = growth;
		printf("release: %s: SUnreclaim %ld kB before %d cycles, %ld kB after\n",
		       ctx, before, CHURN, after);
	}
	ASSERT_LT(least, limit_kb,
		  "least SUnreclaim growth in kB over the cycles (a leaked state grows it by cycles * size)");
}

/* No traits: under -j it runs alone, as it measures the kernel's unreclaimable slab. */
void test_release(void)
{
	struct bpf_object_open_opts opts;
	struct release *skel;
	char path[256];
	int fd;

	if (!require_file_dynptr() || !require_bpf_lsm())
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

	if (test__start_subtest("folios_and_file_released") &&
	    ASSERT_EQ(make_file_resident(fd, FILE_SIZE), FILE_PAGES, "resident (mincore)") &&
	    cycle(skel, skel->progs.read_nonsleepable, fd, "nonsleepable") &&
	    cycle(skel, skel->progs.read_sleepable, fd, "sleepable"))
		make_file_evicted(fd, FILE_SIZE,
				  "pages still resident after eviction (a kept folio reference pins them)");
	state_freed(skel, skel->progs.churn_nonsleepable, fd, "nonsleepable");
	state_freed(skel, skel->progs.churn_sleepable, fd, "sleepable");

	close(fd);
	unlink(path);
out:
	release__destroy(skel);
}
