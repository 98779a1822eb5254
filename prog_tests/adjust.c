// SPDX-License-Identifier: GPL-2.0
/*
 * adjust: bpf_dynptr_adjust() windows on a file dynptr, and reads relative
 * to them, from a non-sleepable and a sleepable program.
 *
 * The expectations come from a model of the generic dynptr contract
 * (include/linux/bpf.h, kernel/bpf/helpers.c kernel-doc); it checks
 * R-ADJUST-1..4 (SEMANTICS.md states them).
 * The bytes are compared with pread() of the same file offsets, in a sparse
 * file of 4 GiB + 2 pages with data around 2^24 and 2^32.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "harness.h"
#include "model.h"
#include "adjust.skel.h"

#define M16 (1ll << 24)
#define G4 (1ll << 32)
#define UMAX (-1ll) /* as a pgoff's bytes: U64_MAX */
#define FILE_LEN PG(2, G4)

/* Where the sparse file has data (pattern bytes); elsewhere holes. */
static const struct {
	struct pgoff off, len;
} file_data[] = {
	{ PG(0, 0), PG(4, 0) },
	{ PG(-1, M16), PG(2, 0) },
	{ PG(-1, G4), PG(3, 0) },
};

/*
 * A row: adjust(start, end), maybe a second adjust(start2, end2) relative
 * to the first, then a read of len bytes at off. What each step returns
 * comes from the model below, which says the rule it applies.
 */
struct adjust_row {
	struct test_case_at at;
	struct pgoff start, end, start2, end2, off, len;
	bool chained;
};

#define B(x) PG(0, (x))
#define ONE(s, e, o, l)                                              \
	{                                                            \
		CASE_AT(NULL), (s), (e), B(0), B(0), (o), (l), false \
	}
#define TWO(s, e, s2, e2, o, l)                                     \
	{                                                           \
		CASE_AT(NULL), (s), (e), (s2), (e2), (o), (l), true \
	}

static const struct adjust_row rows[] = {
	ONE(B(0), B(0), B(0), B(0)), /* empty window, empty read */
	ONE(B(0), B(0), B(0), B(1)), /* empty window refuses a byte */
	ONE(B(5), B(4), B(0), B(16)), /* start > end: unchanged */
	ONE(B(UMAX), B(0), B(3), B(5)), /* start > end at the extremes */
	ONE(B(0), B(1), B(0), B(1)),
	ONE(B(0), B(1), B(0), B(2)), /* runs past the window's end */
	ONE(B(0), B(1), B(1), B(1)), /* starts at the window's end */
	ONE(B(0), B(1), B(1), B(0)), /* empty read at the end */
	ONE(PG(1, -1), PG(1, 1), B(0), B(2)), /* window straddles a page */
	ONE(PG(1, 0), PG(1, 16), B(0), B(16)),
	ONE(PG(1, 1), PG(3, 0), B(100), B(64)),
	ONE(B(10), B(20), B(9), B(1)), /* the window's last byte */
	ONE(B(10), B(20), B(5), B(6)), /* leaves the window; file has it */
	ONE(B(10), B(20), B(10), B(0)),
	ONE(B(M16 - 8), B(M16 + 8), B(0), B(16)), /* crosses 2^24 */
	ONE(B(M16), PG(1, M16), PG(1, -16), B(16)),
	ONE(B(G4 - 8), B(G4 + 8), B(0), B(16)), /* crosses 2^32 */
	ONE(B(G4), B(UMAX), PG(1, 0), B(64)), /* end = U64_MAX */
	ONE(B(0), B(UMAX), PG(1, 5), B(7)), /* the whole range: no change */
	ONE(B(UMAX), B(UMAX), B(1),
	    B(0)), /* start = end = U64_MAX; past its end */
	ONE(B(UMAX), B(UMAX), B(0), B(1)),
	ONE(B(0), B(UMAX), B(UMAX), B(1)), /* read offset U64_MAX */
	ONE(B(0), B(UMAX), B(UMAX - 1), B(2)), /* off + len wraps */
	TWO(PG(1, 0), PG(3, 0), B(16), B(32), B(0),
	    B(16)), /* windows compose */
	TWO(B(0), B(100), B(50), B(101), B(99),
	    B(1)), /* end past size: unchanged */
	TWO(B(0), B(100), B(101), B(101), B(99), B(1)), /* start past size */
	TWO(B(0), B(100), B(100), B(100), B(0),
	    B(0)), /* empty window at the end */
	TWO(B(0), B(100), B(100), B(100), B(0), B(1)),
	TWO(B(0), B(100), B(60), B(50), B(0), B(8)), /* start > end */
	TWO(PG(-1, G4), PG(1, G4), PG(1, -1), PG(1, 1), B(0),
	    B(2)), /* at 2^32 */
	TWO(B(M16), B(UMAX), PG(1, -3), PG(1, 3), B(1), B(5)),
};

#define N_CASES N_ROWS(rows)

/* The rows as the program takes them, in the running kernel's pages. */
static struct adjust_case cases[N_CASES];

static void resolve_rows(void)
{
	int i;

	for (i = 0; i < N_CASES; i++)
		cases[i] = (struct adjust_case){
			.start = pg(rows[i].start),
			.end = pg(rows[i].end),
			.start2 = pg(rows[i].start2),
			.end2 = pg(rows[i].end2),
			.off = pg(rows[i].off),
			.len = pg(rows[i].len),
			.chained = rows[i].chained,
		};
}

/*
 * The expectations come from the contract's model (model.h), strict: the
 * answers and rules of a fresh dynptr, adjusted as case @c says.
 */
struct case_model {
	struct model m;
	struct model_file f;
	struct model_answer adjust, adjust2, read;
	__u64 size1; /* the size the first adjust left */
	int fd;
};

static bool resident_page(void *arg, __u64 index)
{
	struct case_model *cm = arg;

	return resident_pages(cm->fd, index * page_size(), page_size()) == 1;
}

static void model_case(struct case_model *cm, int fd,
		       const struct adjust_case *c, enum model_ctx ctx)
{
	cm->fd = fd;
	cm->f = (struct model_file){ .size = pg(FILE_LEN),
				     .page = page_size(),
				     .resident = resident_page,
				     .arg = cm };
	model_init(&cm->m, &cm->f, ctx, MODEL_STRICT);
	model_create(&cm->m, 0);
	cm->adjust = model_adjust(&cm->m, 0, c->start, c->end);
	cm->size1 = model_size(&cm->m, 0).ret;
	if (c->chained)
		cm->adjust2 = model_adjust(&cm->m, 0, c->start2, c->end2);
	cm->read = model_read(&cm->m, 0, c->off, c->len);
}

/*
 * Successful reads must stay inside the file (EOF has rules of its own, see
 * read tests) and be resident for the non-sleepable program: read each range
 * in with pread(), hold it resident and prove it with mincore(). (Reading a
 * hole of the sparse file makes it resident only in a block-backed page
 * cache: tmpfs serves holes from the zero page.)
 */
static bool prepare_ranges(int fd)
{
	__u8 buf[ADJ_OUT];
	char name[80];
	int i;

	if (!scratch_block_backed())
		return false;
	release_resident(fd);
	for (i = 0; i < N_CASES; i++) {
		const struct adjust_case *c = &cases[i];
		long page = page_size();
		struct case_model cm;
		__u64 at, pages;

		/* Sleepable: the model's answer needs no page cache. */
		model_case(&cm, fd, c, MODEL_SLEEPABLE);
		if (!cm.read.bytes)
			continue;
		at = cm.read.pos;
		snprintf(name, sizeof(name),
			 "case %d reads inside the file (table sanity)", i);
		if (!ASSERT_LE(at + c->len, pg(FILE_LEN), name))
			return false;
		pread(fd, buf, c->len, at);
		/* Held through the trigger and the model's questions after it. */
		if (!hold_resident(fd, at, c->len))
			return false;
		pages = (at % page + c->len + page - 1) / page;
		snprintf(name, sizeof(name), "case %d range resident (mincore)",
			 i);
		if (!ASSERT_EQ(resident_pages(fd, at, c->len), (long)pages,
			       name))
			return false;
	}
	return true;
}

static void check_case(struct adjust__bss *bss, int fd, int i, const char *ctx)
{
	const struct adjust_case *c = &cases[i];
	const struct test_case_at *at = &rows[i].at;
	struct case_model cm;
	__u8 want[ADJ_OUT];
	char name[160];

	model_case(&cm, fd, c,
		   strcmp(ctx, "sleepable") ? MODEL_NONSLEEPABLE :
					      MODEL_SLEEPABLE);
	snprintf(name, sizeof(name), "%s case %d adjust(%#llx, %#llx)", ctx, i,
		 (unsigned long long)c->start, (unsigned long long)c->end);
	test__case("R-CREATE-2", at, "case %d", i);
	if (!ASSERT_OK(bss->create_ret[i], name))
		return;
	test__case(cm.adjust.rule, at, "case %d, the adjust", i);
	ASSERT_EQ(bss->adjust_ret[i], cm.adjust.ret, name);
	ASSERT_EQ(bss->size1[i], cm.size1, name);
	if (c->chained) {
		snprintf(name, sizeof(name),
			 "%s case %d then adjust(%#llx, %#llx)", ctx, i,
			 (unsigned long long)c->start2,
			 (unsigned long long)c->end2);
		/* A second window is relative to the first. */
		test__case(cm.adjust2.rule, at, "case %d, the second adjust",
			   i);
		ASSERT_EQ(bss->adjust2_ret[i], cm.adjust2.ret, name);
		ASSERT_EQ(bss->size2[i], (__u64)model_size(&cm.m, 0).ret, name);
	}
	snprintf(
		name, sizeof(name),
		"%s case %d read(off=%#llx, len=%llu) in window [%#llx, +%#llx)",
		ctx, i, (unsigned long long)c->off, (unsigned long long)c->len,
		(unsigned long long)cm.m.d[0].start,
		(unsigned long long)cm.m.d[0].size);
	test__case(cm.read.rule, at, "case %d, the read", i);
	if (!ASSERT_EQ(bss->read_ret[i], cm.read.ret, name) || !cm.read.bytes)
		goto out;
	if (ASSERT_EQ(pread(fd, want, c->len, cm.read.pos), (ssize_t)c->len,
		      "pread"))
		ASSERT_MEMEQ(bss->out[i], want, c->len, name);
out:
	test__case_end();
}

static void run_context(struct adjust *skel, struct bpf_program *prog, int fd,
			const char *ctx)
{
	struct adjust__bss *bss = skel->bss;
	int i;

	if (!test__start_subtest(ctx))
		return;
	resolve_rows();
	if (!prepare_ranges(fd))
		return;
	memset(bss, 0x5a, sizeof(*bss)); /* nothing may pass by default */
	bss->target_tgid = getpid();
	bss->runs = 0;
	bss->n_cases = N_CASES;
	memcpy(bss->cases, cases, sizeof(cases));

	ASSERT_OK(run_prog_once(prog, fd), "attach and trigger");
	if (!ASSERT_EQ(bss->runs, 1, "program invocations per trigger"))
		return;
	for (i = 0; i < N_CASES; i++)
		check_case(bss, fd, i, ctx);
	after_case_evictable(fd, "pages left resident after the adjusts");
}

TEST_TRAITS(adjust, NEEDS_FILE_DYNPTR_LSM, .parallel = true,
	    .lane = LANE_PAGE_CACHE);

void test_adjust(void)
{
	struct adjust *skel = SKEL_OPEN_LOAD(adjust);
	struct extent data[N_ROWS(file_data)];
	char path[256];
	int fd, i;

	if (!skel)
		return;
	for (i = 0; i < N_ROWS(file_data); i++)
		data[i] = (struct extent){ pg(file_data[i].off),
					   pg(file_data[i].len) };
	fd = make_sparse_pattern_file("adjust", pg(FILE_LEN), data,
				      N_ROWS(file_data), path, sizeof(path));
	if (ASSERT_GE(fd, 0, "create sparse pattern file")) {
		run_context(skel, skel->progs.adjust_nonsleepable, fd,
			    "nonsleepable");
		run_context(skel, skel->progs.adjust_sleepable, fd,
			    "sleepable");
		file_released(fd, path, "the adjusted file");
	}
	adjust__destroy(skel);
}
