// SPDX-License-Identifier: GPL-2.0
/*
 * adjust: bpf_dynptr_adjust() windows on a file dynptr, and reads relative
 * to them, from a non-sleepable and a sleepable program.
 *
 * The expectations come from a model of the generic dynptr contract
 * (include/linux/bpf.h, kernel/bpf/helpers.c kernel-doc):
 * R-ADJUST-1  start > end: -EINVAL; start or end beyond the current size:
 *             -ERANGE; a failed adjust leaves the dynptr as it was.
 * R-ADJUST-2  otherwise the window moves by start and its size is end-start.
 * R-ADJUST-3  a read of len bytes at off needs len <= size and
 *             off <= size - len, else -E2BIG, even when the file has the
 *             bytes; offset 0 reads the file byte at the window's start.
 * R-ADJUST-4  windows compose: a second adjust is relative to the first.
 * The bytes are compared with pread() of the same file offsets, in a sparse
 * file of 4 GiB + 2 pages with data around 2^24 and 2^32.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "adjust.skel.h"

#define PAGE		4096ull
#define M16		(1ull << 24)
#define G4		(1ull << 32)
#define UMAX		(~0ull)
#define FILE_SIZE	(G4 + 2 * PAGE)

static const struct extent file_data[] = {
	{ 0, 4 * PAGE },
	{ M16 - PAGE, 2 * PAGE },
	{ G4 - PAGE, 3 * PAGE },
};

#define ONE(s, e, o, l) { .start = (s), .end = (e), .off = (o), .len = (l) }
#define TWO(s, e, s2, e2, o, l) { .start = (s), .end = (e), .start2 = (s2), \
	.end2 = (e2), .off = (o), .len = (l), .chained = 1 }

static const struct adjust_case cases[] = {
	ONE(0, 0, 0, 0),			/* empty window, empty read */
	ONE(0, 0, 0, 1),			/* empty window refuses a byte */
	ONE(5, 4, 0, 16),			/* start > end: unchanged */
	ONE(UMAX, 0, 3, 5),			/* start > end at the extremes */
	ONE(0, 1, 0, 1),
	ONE(0, 1, 0, 2),			/* runs past the window's end */
	ONE(0, 1, 1, 1),			/* starts at the window's end */
	ONE(0, 1, 1, 0),			/* empty read at the end */
	ONE(PAGE - 1, PAGE + 1, 0, 2),		/* window straddles a page */
	ONE(PAGE, PAGE + 16, 0, 16),
	ONE(PAGE + 1, 3 * PAGE, 100, 64),
	ONE(10, 20, 9, 1),			/* the window's last byte */
	ONE(10, 20, 5, 6),			/* leaves the window; file has it */
	ONE(10, 20, 10, 0),
	ONE(M16 - 8, M16 + 8, 0, 16),		/* crosses 2^24 */
	ONE(M16, M16 + PAGE, PAGE - 16, 16),
	ONE(G4 - 8, G4 + 8, 0, 16),		/* crosses 2^32 */
	ONE(G4, UMAX, PAGE, 64),		/* end = U64_MAX */
	ONE(0, UMAX, PAGE + 5, 7),		/* the whole range: no change */
	ONE(UMAX, UMAX, 1, 0),			/* start = end = U64_MAX; past its end */
	ONE(UMAX, UMAX, 0, 1),
	ONE(0, UMAX, UMAX, 1),			/* read offset U64_MAX */
	ONE(0, UMAX, UMAX - 1, 2),		/* off + len wraps */
	TWO(PAGE, 3 * PAGE, 16, 32, 0, 16),	/* windows compose */
	TWO(0, 100, 50, 101, 99, 1),		/* end past size: unchanged */
	TWO(0, 100, 101, 101, 99, 1),		/* start past size */
	TWO(0, 100, 100, 100, 0, 0),		/* empty window at the end */
	TWO(0, 100, 100, 100, 0, 1),
	TWO(0, 100, 60, 50, 0, 8),		/* start > end */
	TWO(G4 - PAGE, G4 + PAGE, PAGE - 1, PAGE + 1, 0, 2), /* at 2^32 */
	TWO(M16, UMAX, PAGE - 3, PAGE + 3, 1, 5),
};

#define N_CASES ((int)(sizeof(cases) / sizeof(cases[0])))

/* The contract, as a model: where the window starts and how long it is. */
struct window {
	__u64 start;
	__u64 size;
};

static int model_adjust(struct window *w, __u64 start, __u64 end)
{
	if (start > end)
		return -EINVAL;
	if (start > w->size || end > w->size)
		return -ERANGE;
	w->start += start;
	w->size = end - start;
	return 0;
}

static int model_read(const struct window *w, __u64 off, __u64 len)
{
	return len > w->size || off > w->size - len ? -E2BIG : 0;
}

/*
 * Successful reads must stay inside the file (EOF has rules of its own, see
 * read tests) and be resident for the non-sleepable program: read each range
 * in with pread() and prove it with mincore().
 */
static bool prepare_ranges(int fd)
{
	__u8 buf[ADJ_OUT];
	char name[80];
	int i;

	for (i = 0; i < N_CASES; i++) {
		const struct adjust_case *c = &cases[i];
		struct window w = { 0, UMAX };
		__u64 at, pages;

		model_adjust(&w, c->start, c->end);
		if (c->chained)
			model_adjust(&w, c->start2, c->end2);
		if (model_read(&w, c->off, c->len) || !c->len)
			continue;
		at = w.start + c->off;
		snprintf(name, sizeof(name), "case %d reads inside the file (table sanity)", i);
		if (!ASSERT_LE(at + c->len, FILE_SIZE, name))
			return false;
		pread(fd, buf, c->len, at);
		pages = (at % PAGE + c->len + PAGE - 1) / PAGE;
		snprintf(name, sizeof(name), "case %d range resident (mincore)", i);
		if (!ASSERT_EQ(resident_pages(fd, at, c->len), (long)pages, name))
			return false;
	}
	return true;
}

static void check_case(struct adjust__bss *bss, int fd, int i, const char *ctx)
{
	const struct adjust_case *c = &cases[i];
	struct window w = { 0, UMAX };
	__u8 want[ADJ_OUT];
	char name[160];
	int ret;

	snprintf(name, sizeof(name), "%s case %d adjust(%#llx, %#llx)", ctx, i,
		 (unsigned long long)c->start, (unsigned long long)c->end);
	if (!ASSERT_OK(bss->create_ret[i], name))
		return;
	ret = model_adjust(&w, c->start, c->end);
	ASSERT_EQ(bss->adjust_ret[i], ret, name);
	ASSERT_EQ(bss->size1[i], w.size, name);
	if (c->chained) {
		snprintf(name, sizeof(name), "%s case %d then adjust(%#llx, %#llx)", ctx, i,
			 (unsigned long long)c->start2, (unsigned long long)c->end2);
		ret = model_adjust(&w, c->start2, c->end2);
		ASSERT_EQ(bss->adjust2_ret[i], ret, name);
		ASSERT_EQ(bss->size2[i], w.size, name);
	}
	snprintf(name, sizeof(name), "%s case %d read(off=%#llx, len=%llu) in window [%#llx, +%#llx)",
		 ctx, i, (unsigned long long)c->off, (unsigned long long)c->len,
		 (unsigned long long)w.start, (unsigned long long)w.size);
	ret = model_read(&w, c->off, c->len);
	if (!ASSERT_EQ(bss->read_ret[i], ret, name) || ret || !c->len)
		return;
	if (ASSERT_EQ(pread(fd, want, c->len, w.start + c->off), (ssize_t)c->len, "pread"))
		ASSERT_MEMEQ(bss->out[i], want, c->len, name);
}

static void run_context(struct adjust *skel, struct bpf_program *prog, int fd,
			const char *ctx)
{
	struct adjust__bss *bss = skel->bss;
	int i;

	if (!test__start_subtest(ctx) || !prepare_ranges(fd))
		return;
	memset(bss, 0x5a, sizeof(*bss));	/* nothing may pass by default */
	bss->target_tgid = getpid();
	bss->runs = 0;
	bss->n_cases = N_CASES;
	memcpy(bss->cases, cases, sizeof(cases));

	ASSERT_OK(run_prog_once(prog, fd), "attach and trigger");
	if (!ASSERT_EQ(bss->runs, 1, "program invocations per trigger"))
		return;
	for (i = 0; i < N_CASES; i++)
		check_case(bss, fd, i, ctx);
}

TEST_TRAITS(adjust, .parallel = true, .lane = LANE_PAGE_CACHE);

void test_adjust(void)
{
	struct bpf_object_open_opts opts;
	struct adjust *skel;
	char path[256];
	int fd;

	if (!require_file_dynptr() || !require_bpf_lsm())
		return;
	skel_open_opts(&opts);
	skel = adjust__open_opts(&opts);
	if (!ASSERT_OK_PTR(skel, "open skeleton"))
		return;
	if (!ASSERT_OK(adjust__load(skel), "load skeleton"))
		goto out;
	fd = make_sparse_pattern_file("adjust", FILE_SIZE, file_data,
				      sizeof(file_data) / sizeof(file_data[0]),
				      path, sizeof(path));
	if (!ASSERT_GE(fd, 0, "create sparse pattern file"))
		goto out;

	run_context(skel, skel->progs.adjust_nonsleepable, fd, "nonsleepable");
	run_context(skel, skel->progs.adjust_sleepable, fd, "sleepable");

	close(fd);
	unlink(path);
out:
	adjust__destroy(skel);
}
