// SPDX-License-Identifier: GPL-2.0
/*
 * release: a discarded file dynptr holds nothing.
 *
 * Checks R-FAULT-4..5 (SEMANTICS.md states them).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "read_batch.h"
#include "release.skel.h"

#define FILE_PAGES 8
#define FILE_LEN PG(FILE_PAGES, 0)
#define CYCLES 500
#define CHURN 16384
#define CHURN_WARMUP 1024
#define MIN_STATE_SIZE 64 /* bytes: struct bpf_dynptr_file_impl is larger */

/* Resident; read CYCLES times in each context, each time like pread(). */
#define BOTH EXPECT(0, "R-FAULT-4"), EXPECT(0, "R-FAULT-4")

static const struct read_row rows[] = {
	{ CASE_AT(NULL), PG(0, 0), PG(1, 0), BOTH },
	{ CASE_AT(NULL), PG(1, -1), PG(0, 2), BOTH },
	{ CASE_AT(NULL), PG(3, 7), PG(2, 0), BOTH },
	{ CASE_AT(NULL), PG(FILE_PAGES, -1), PG(0, 1), BOTH },
};

/* CYCLES triggers with @prog attached; the first batch's bytes are checked. */
static bool cycle(struct release *skel, struct bpf_program *prog,
		  enum read_ctx ctx, int fd)
{
	struct read_batch b = READ_BATCH_OF(skel);
	struct bpf_link *link;
	int i, bad = 0;

	/* read_rows() leaves the file evicted (R-AFTER-1): resident again. */
	if (!read_rows(&b, prog, ctx, fd, rows, N_ROWS(rows)) ||
	    !make_file_resident(fd, pg(FILE_LEN), "resident again (mincore)"))
		return false;
	link = bpf_program__attach(prog);
	if (!ASSERT_OK_PTR(link, "attach"))
		return false;
	*b.runs = 0;
	for (i = 1; i < CYCLES; i++) {
		bad += trigger_file_ioctl(fd) != 0;
		bad += *b.create_err || *b.discard_err || b.results[0] ||
		       b.results[2];
	}
	bpf_link__destroy(link);
	TEST_RULE("R-FAULT-4");
	return ASSERT_EQ(*b.runs, CYCLES - 1, "program invocations") &&
	       ASSERT_EQ(bad, 0, "cycles with an error");
}

/* One run of @prog doing @n create/discard cycles on @fd. */
/* A churn: its context, creation flags and what each creation returns. */
struct churn {
	const char *name;
	bool sleepable;
	__u32 flags;
	int create_ret;
	const char *rule;
};

static const struct churn churns[] = {
	{ "state_freed_nonsleepable", false, 0, 0, "R-FAULT-5" },
	{ "state_freed_sleepable", true, 0, 0, "R-FAULT-5" },
	{ "failed_creation_freed_nonsleepable", false, 1, -EINVAL,
	  "R-AFTER-3" },
	{ "failed_creation_freed_sleepable", true, 1, -EINVAL, "R-AFTER-3" },
};

static bool churn_once(struct release *skel, struct bpf_program *prog, int fd,
		       const struct churn *c, __u32 n)
{
	struct release__bss *bss = skel->bss;

	bss->target_tgid = getpid();
	bss->churn_flags = c->flags;
	bss->churn_create_want = c->create_ret;
	bss->churn_cycles = n;
	bss->churned = 0;
	bss->runs = 0;
	bss->churn_create_err = RESULT_NOT_RUN;
	bss->churn_discard_err = RESULT_NOT_RUN;
	return ASSERT_OK(run_prog_once(prog, fd), "attach and trigger") &&
	       ASSERT_EQ(bss->runs, 1, "program invocations per trigger") &&
	       ASSERT_EQ(bss->churn_create_err, c->create_ret,
			 "last bpf_dynptr_from_file()") &&
	       ASSERT_OK(bss->churn_discard_err,
			 "last bpf_dynptr_file_discard()") &&
	       ASSERT_EQ(bss->churned, n, "create/discard cycles done");
}

/*
 * R-FAULT-5, and R-AFTER-3 for creations that fail. Other kernel activity
 * can move SUnreclaim too, either way (a busy host, not the vmtest guest):
 * the check takes the smallest growth of up to three runs. A leak grows it
 * by the same megabyte every run.
 */
static void state_freed(struct release *skel, int fd, const struct churn *c)
{
	struct bpf_program *prog = c->sleepable ?
					   skel->progs.churn_sleepable :
					   skel->progs.churn_nonsleepable;
	long before, after, growth, least = LONG_MAX;
	long limit_kb = (long)CHURN * MIN_STATE_SIZE / 4 / 1024;
	int i;

	if (!test__start_subtest(c->name))
		return;
	if (!churn_once(skel, prog, fd, c, CHURN_WARMUP)) /* slab caches warm */
		return;
	for (i = 0; i < 3 && least >= limit_kb; i++) {
		before = meminfo_kb("SUnreclaim");
		if (before < 0) {
			test__skip("no SUnreclaim in /proc/meminfo: %s",
				   strerror(-before));
			return;
		}
		if (!churn_once(skel, prog, fd, c, CHURN))
			return;
		after = meminfo_kb("SUnreclaim");
		growth = after - before;
		if (growth < least)
			least = growth;
		printf("release: %s: SUnreclaim %ld kB before %d cycles, %ld kB after\n",
		       c->name, before, CHURN, after);
	}
	TEST_RULE(c->rule);
	ASSERT_LT(
		least, limit_kb,
		"least SUnreclaim growth in kB over the cycles (a leaked state grows it by cycles * size)");
	after_case_evictable(fd, "pages left resident after the cycles");
}

/* Not parallel: under -j it runs alone, as it measures the kernel's slab. */
TEST_TRAITS(release, NEEDS_FILE_DYNPTR_LSM);

void test_release(void)
{
	struct release *skel = SKEL_OPEN_LOAD(release);
	struct scratch_file f = { .fd = -1 };
	int i;

	if (!skel || !scratch_pattern_file(&f, "release", pg(FILE_LEN)))
		goto out;
	if (test__start_subtest("folios_and_file_released") &&
	    make_file_resident(f.fd, pg(FILE_LEN), "resident (mincore)") &&
	    cycle(skel, skel->progs.read_nonsleepable, CTX_NONSLEEPABLE,
		  f.fd) &&
	    cycle(skel, skel->progs.read_sleepable, CTX_SLEEPABLE, f.fd))
		file_evictable(
			f.fd, pg(FILE_LEN),
			"pages still resident after eviction (a kept folio reference pins them)");
	for (i = 0; i < N_ROWS(churns); i++)
		state_freed(skel, f.fd, &churns[i]);
out:
	scratch_file_done(&f);
	release__destroy(skel);
}
