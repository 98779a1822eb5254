// SPDX-License-Identifier: GPL-2.0
/*
 * read_grid: thousands of reads through file dynptrs, every result checked
 * against the contract and every byte against pread() of the same file.
 *
 * The grid: file sizes around page edges, 64 KiB and 2^24; offsets at page
 * edges, EOF, 2^24, 2^32, 2^63 and U64_MAX; lengths from 0 to the largest
 * read the program's buffer allows; sweeps of small reads around the first
 * page edge and EOF; bpf_dynptr_read() and bpf_dynptr_slice(); a
 * non-sleepable and a sleepable program. The whole file is resident
 * (verified with mincore()) before each context runs.
 *
 * Each case falls in one class, and each (size, context, class) is a
 * subtest, so a kernel deviation can be named narrowly (an empty class
 * skips, saying so):
 *   in_file      R-READ-1  len > 0, ends at or before EOF: 0, pread()'s bytes
 *   eof_tail     R-EOF-2   ends past EOF but inside the page holding EOF
 *   past_eof     R-EOF-2   ends past the page holding EOF
 *                          (both: sleepable -EIO, or -EINVAL at a position
 *                          above 2^63-1; non-sleepable -EFAULT)
 *   past_eof_no_leak  R-EOF-3  non-sleepable, past EOF: if it succeeds, the
 *                          bytes are the file's up to EOF and zeros after
 *   zero_len_cached_page  R-ZERO-1  len 0 below the end of EOF's page: 0
 *   zero_len_no_page      R-ZERO-1  len 0 beyond it (no page can exist): 0
 *   overflow     R-READ-2  off + len wraps past U64_MAX: -E2BIG
 * A slice must succeed exactly when the read of the same range does, with
 * the same bytes (R-SLICE-1).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "model.h"
#include "read_grid.skel.h"

#define M16 (1ull << 24)
#define G4 (1ull << 32)
#define MAX_LFS 0x7fffffffffffffffull
#define UMAX (~0ull)
#define SHOW_FAILURES 8

/* File sizes around the running kernel's page edges, 64 KiB and 2^24. */
static const struct pgoff file_sizes[] = {
	PG(0, 0),
	PG(0, 1),
	PG(1, -1),
	PG(1, 0),
	PG(1, 1),
	PG(0, 65536 + 1000 + 123), /* just over 64 KiB, not page-aligned */
	PG(1, M16 + 123), /* over 2^24, not page-aligned */
};

enum klass {
	K_IN_FILE,
	K_EOF_TAIL,
	K_PAST_EOF,
	K_ZERO_CACHED,
	K_ZERO_NO_PAGE,
	K_OVERFLOW,
	K_NR
};

static const char *const klass_names[K_NR] = {
	"in_file",	    "eof_tail", "past_eof", "zero_len_cached_page",
	"zero_len_no_page", "overflow",
};

/* The rule each class's oracle below applies (the no-leak check: R-EOF-3). */
static const struct test_case_at klass_rules[K_NR] = {
	[K_IN_FILE] = CASE_AT("R-READ-1"),
	[K_EOF_TAIL] = CASE_AT("R-EOF-2"),
	[K_PAST_EOF] = CASE_AT("R-EOF-2"),
	[K_ZERO_CACHED] = CASE_AT("R-ZERO-1"),
	[K_ZERO_NO_PAGE] = CASE_AT("R-ZERO-1"),
	[K_OVERFLOW] = CASE_AT("R-READ-2"),
};
static const struct test_case_at no_leak_rule = CASE_AT("R-EOF-3");
/* A slice that disagrees with the read of its range, the read right. */
static const struct test_case_at slice_rule = CASE_AT("R-SLICE-1");

static const char *const klass_empty_why[K_NR] = {
	[K_IN_FILE] = "an empty file has no byte to read",
	[K_EOF_TAIL] =
		"a file that ends on a page boundary has no EOF page tail",
	[K_ZERO_CACHED] = "an empty file has no page",
};

struct case_list {
	struct grid_case *c;
	int *ret; /* the kernel's result per case */
	int *bytes_bad; /* -1: matched or not compared; else offset */
	int n, cap;
};

struct grid {
	struct read_grid *skel;
	int fd;
	__u64 size;
	__u8 *data; /* the file, as pread() returned it */
	long cases_run, bytes_compared;
};

static bool add_case(struct case_list *l, __u64 off, __u64 len, __u32 helper)
{
	if (l->n == l->cap) {
		int cap = l->cap ? 2 * l->cap : 1024;
		void *c = realloc(l->c, cap * sizeof(*l->c));

		if (!c)
			return false;
		l->c = c;
		l->cap = cap;
	}
	l->c[l->n++] =
		(struct grid_case){ .off = off, .len = len, .helper = helper };
	return true;
}

static void gen_cases(struct case_list *l, __u64 size)
{
	const __u64 page = page_size();
	const __u64 offs[] = {
		0,	 1,	   page - 1,
		page,	 page + 1, size ? size - 1 : 0,
		size,	 size + 1, M16 - 1,
		M16,	 G4 - 1,   G4,
		MAX_LFS, UMAX - 1, UMAX,
	};
	const __u64 lens[] = {
		0, 1, 2, 7, page - 1, page, page + 1, 65536, GRID_MAX_LEN,
	};
	unsigned int i, j, k;
	int d;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (k = 0; k < i && offs[k] != offs[i]; k++)
			;
		if (k < i) /* small files repeat offsets */
			continue;
		for (j = 0; j < sizeof(lens) / sizeof(lens[0]); j++)
			add_case(l, offs[i], lens[j], GRID_READ);
		add_case(l, offs[i], 16, GRID_SLICE_16);
		add_case(l, offs[i], 4096, GRID_SLICE_4096);
	}
	/* Every small read that touches the first page edge or EOF. */
	for (d = -8; d <= 8; d++) {
		for (j = 1; j <= 16; j++) {
			add_case(l, page + d, j, GRID_READ);
			if ((__s64)size + d >= 0)
				add_case(l, size + d, j, GRID_READ);
		}
	}
	/* The whole file, or its last GRID_MAX_LEN bytes. */
	if (size <= GRID_MAX_LEN)
		add_case(l, 0, size, GRID_READ);
	else
		add_case(l, size - GRID_MAX_LEN, GRID_MAX_LEN, GRID_READ);
}

/* The end of the page that holds EOF: no page cache exists beyond it. */
static __u64 eof_page_end(__u64 size)
{
	__u64 page = page_size();

	return (size + page - 1) / page * page;
}

static enum klass classify(__u64 size, const struct grid_case *c)
{
	if (!c->len)
		return c->off < eof_page_end(size) ? K_ZERO_CACHED :
						     K_ZERO_NO_PAGE;
	if (c->off > UMAX - c->len)
		return K_OVERFLOW;
	if (c->off + c->len <= size)
		return K_IN_FILE;
	return c->off + c->len <= eof_page_end(size) ? K_EOF_TAIL : K_PAST_EOF;
}

/*
 * The whole file is resident (proven with mincore() before each context),
 * and no page can exist past the one holding EOF: the model's page cache.
 */
static bool grid_resident(void *arg, __u64 index)
{
	return index * page_size() < eof_page_end(*(__u64 *)arg);
}

/* The contract's answer for a read of the case's range: the model's. */
static int expected_read(__u64 size, const struct grid_case *c, bool sleepable)
{
	struct model_file f = { .size = size,
				.page = page_size(),
				.resident = grid_resident,
				.arg = &size };
	struct model m;

	model_init(&m, &f, sleepable ? MODEL_SLEEPABLE : MODEL_NONSLEEPABLE,
		   MODEL_STRICT);
	model_create(&m, 0);
	return model_read(&m, 0, c->off, c->len).ret;
}

/* A slice reports success (0) or failure (-1), as the read would. */
static int expected(__u64 size, const struct grid_case *c, bool sleepable)
{
	int ret = expected_read(size, c, sleepable);

	return c->helper == GRID_READ ? ret : (ret ? -1 : 0);
}

/*
 * For a successful read, the first offset where the bytes differ from the
 * file's (zeros past EOF), or -1.
 */
static int first_bad_byte(const struct grid *g, const struct grid_case *c,
			  const __u8 *got)
{
	__u64 in_file = c->off >= g->size ? 0 : g->size - c->off, i;

	if (in_file > c->len)
		in_file = c->len;
	/* memcmp first: the byte loop runs only to locate a difference. */
	if (in_file && memcmp(got, g->data + c->off, in_file)) {
		for (i = 0; got[i] == g->data[c->off + i]; i++)
			;
		return (int)i;
	}
	for (i = in_file; i < c->len; i++)
		if (got[i])
			return (int)i;
	return -1;
}

/*
 * Runs cases [from, to) in one invocation of the attached program; returns
 * false on harness failure.
 */
static bool run_batch(struct grid *g, struct case_list *l, int from, int to)
{
	struct read_grid__bss *bss = g->skel->bss;
	__u32 cursor = 0;
	int i;

	for (i = from; i < to; i++) {
		l->c[i].out_off = cursor;
		bss->cases[i - from] = l->c[i];
		bss->results[i - from] = RESULT_NOT_RUN;
		cursor += l->c[i].len;
	}
	memset(bss->out, 0xa5, cursor);
	bss->n_cases = to - from;
	bss->runs = 0;
	bss->create_err = RESULT_NOT_RUN;
	bss->target_tgid = getpid();

	if (!ASSERT_OK(trigger_file_ioctl(g->fd), "trigger ioctl") ||
	    !ASSERT_EQ(bss->runs, 1, "program invocations per trigger") ||
	    !ASSERT_OK(bss->create_err, "bpf_dynptr_from_file"))
		return false;

	for (i = from; i < to; i++) {
		const struct grid_case *c = &l->c[i];

		l->ret[i] = bss->results[i - from];
		l->bytes_bad[i] = -1;
		if (l->ret[i] == 0 && c->len) {
			l->bytes_bad[i] =
				first_bad_byte(g, c, &bss->out[c->out_off]);
			g->bytes_compared += c->len;
		}
	}
	g->cases_run += to - from;
	return true;
}

/* Both programs stay attached for the whole test (hold_prog_pair()). */
static bool run_context(struct grid *g, struct case_list *l,
			struct bpf_program *prog)
{
	int from = 0, to;
	bool ok = true;

	if (!make_file_resident(g->fd, g->size,
				"resident pages before the trigger (mincore)") ||
	    !ASSERT_OK(select_held_prog(prog), "select the program"))
		return false;
	while (ok && from < l->n) {
		__u64 cursor = 0;

		for (to = from; to < l->n && to - from < GRID_MAX_CASES; to++) {
			if (cursor > GRID_OUT_SIZE - GRID_MAX_LEN)
				break;
			cursor += l->c[to].len;
		}
		ok = run_batch(g, l, from, to);
		from = to;
	}
	return ok;
}

static const char *helper_name(__u32 helper)
{
	return helper == GRID_READ     ? "read" :
	       helper == GRID_SLICE_16 ? "slice16" :
					 "slice4096";
}

static void report_case(const struct grid *g, const struct grid_case *c,
			const char *ctx, const char *what, long got, long want)
{
	printf("  size=%llu %s %s off=%#llx len=%llu: %s: actual %ld, expected %ld\n",
	       (unsigned long long)g->size, ctx, helper_name(c->helper),
	       (unsigned long long)c->off, (unsigned long long)c->len, what,
	       got, want);
}

/* One subtest: every case of class @k, judged by the contract. */
static void check_class(const struct grid *g, const struct case_list *l,
			enum klass k, bool sleepable, const char *ctx)
{
	int i, bad = 0, bad_reads = 0, n = 0, slices = 0;

	for (i = 0; i < l->n; i++) {
		if (classify(g->size, &l->c[i]) != k)
			continue;
		n++;
		slices += l->c[i].helper != GRID_READ;
	}
	if (!n) {
		test__skip(
			"no case: %s",
			klass_empty_why[k] ?:
				"no case of this file size falls in this class");
		return;
	}
	/* The rules this subtest checks: its reads', and its slices'. */
	test__case(NULL, &klass_rules[k], "the %s class's oracle",
		   klass_names[k]);
	if (slices)
		test__case(NULL, &slice_rule, "slices of the %s class",
			   klass_names[k]);
	test__case_end();
	for (i = 0; i < l->n; i++) {
		const struct grid_case *c = &l->c[i];
		int want = expected(g->size, c, sleepable);

		if (classify(g->size, c) != k)
			continue;
		if (l->ret[i] != want) {
			bad_reads += c->helper == GRID_READ;
			if (bad++ < SHOW_FAILURES)
				report_case(g, c, ctx, "result", l->ret[i],
					    want);
		} else if (l->bytes_bad[i] >= 0) {
			bad_reads += c->helper == GRID_READ;
			if (bad++ < SHOW_FAILURES)
				report_case(g, c, ctx, "first wrong byte at",
					    l->bytes_bad[i], -1);
		}
	}
	if (bad) {
		/* Reads break the class's rule; slices alone, R-SLICE-1. */
		const struct test_case_at *at = bad_reads ? &klass_rules[k] :
							    &slice_rule;

		test__case(NULL, at, "the %s class's oracle", klass_names[k]);
		printf("  %d of %d %s cases broke the contract (%s)\n", bad, n,
		       klass_names[k], at->rule);
		test__fail();
		test__case_end();
	}
}

/*
 * R-EOF-3: a non-sleepable read past EOF may only fail with -EFAULT or
 * return the file's bytes followed by zeros, never anything else.
 */
static void check_no_leak(const struct grid *g, const struct case_list *l,
			  const char *ctx)
{
	int i, bad = 0;

	test__case(NULL, &no_leak_rule, "past EOF, non-sleepable");
	test__case_end();
	for (i = 0; i < l->n; i++) {
		const struct grid_case *c = &l->c[i];
		int fail = c->helper == GRID_READ ? -EFAULT : -1;

		if (classify(g->size, c) != K_PAST_EOF &&
		    classify(g->size, c) != K_EOF_TAIL)
			continue;
		if (l->ret[i] != 0 && l->ret[i] != fail) {
			if (bad++ < SHOW_FAILURES)
				report_case(
					g, c, ctx,
					"result (0 or the fault code allowed)",
					l->ret[i], fail);
		} else if (l->ret[i] == 0 && l->bytes_bad[i] >= 0) {
			if (bad++ < SHOW_FAILURES)
				report_case(g, c, ctx,
					    "byte not the file's nor zero at",
					    l->bytes_bad[i], -1);
		}
	}
	if (bad) {
		test__case(NULL, &no_leak_rule, "past EOF, non-sleepable");
		test__fail();
		test__case_end();
	}
}

static void check_context(const struct grid *g, const struct case_list *l,
			  bool sleepable)
{
	const char *ctx = sleepable ? "sleepable" : "nonsleepable";
	char name[96];
	int k;

	for (k = 0; k < K_NR; k++) {
		snprintf(name, sizeof(name), "size%llu_%s_%s",
			 (unsigned long long)g->size, ctx, klass_names[k]);
		if (test__start_subtest(name))
			check_class(g, l, k, sleepable, ctx);
	}
	snprintf(name, sizeof(name), "size%llu_%s_past_eof_no_leak",
		 (unsigned long long)g->size, ctx);
	if (!sleepable && test__start_subtest(name))
		check_no_leak(g, l, ctx);
}

static bool load_file(struct grid *g, char *path, size_t path_sz)
{
	char name[32];

	snprintf(name, sizeof(name), "grid%llu", (unsigned long long)g->size);
	g->fd = make_pattern_file(name, g->size, path, path_sz);
	if (!ASSERT_GE(g->fd, 0, "create pattern file"))
		return false;
	g->data = malloc(g->size ? g->size : 1);
	if (!ASSERT_OK_PTR(g->data, "malloc"))
		return false;
	return ASSERT_EQ(pread(g->fd, g->data, g->size, 0), (ssize_t)g->size,
			 "user-space pread of the whole file");
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void grid_for_size(struct read_grid *skel, __u64 size, long *cases,
			  long *bytes)
{
	struct grid g = { .skel = skel, .size = size, .fd = -1 };
	struct case_list l = {};
	double t0 = now_ms(), t1, t2;
	char path[256];

	gen_cases(&l, size);
	l.ret = calloc(l.n, sizeof(*l.ret));
	l.bytes_bad = calloc(l.n, sizeof(*l.bytes_bad));
	if (!ASSERT_OK_PTR(l.ret, "calloc") ||
	    !ASSERT_OK_PTR(l.bytes_bad, "calloc") ||
	    !load_file(&g, path, sizeof(path)))
		goto out;

	t1 = now_ms();
	/* Each context's after-state: its cases' pages evictable (R-AFTER-1). */
	if (run_context(&g, &l, skel->progs.grid_nonsleepable))
		check_context(&g, &l, false);
	after_case_evictable(g.fd,
			     "pages left resident after the grid's reads");
	if (run_context(&g, &l, skel->progs.grid_sleepable))
		check_context(&g, &l, true);
	after_case_evictable(g.fd,
			     "pages left resident after the grid's reads");
	t2 = now_ms();
	printf("read_grid: size %llu: %d cases a context, file setup %.0f ms, both contexts %.0f ms\n",
	       (unsigned long long)size, l.n, t1 - t0, t2 - t1);
	*cases += g.cases_run;
	*bytes += g.bytes_compared;
out:
	if (g.fd >= 0)
		file_released(g.fd, path, "the grid's file");
	free(g.data);
	free(l.c);
	free(l.ret);
	free(l.bytes_bad);
}

TEST_TRAITS(read_grid, NEEDS_FILE_DYNPTR_LSM, .parallel = true,
	    .lane = LANE_PAGE_CACHE);

void test_read_grid(void)
{
	struct read_grid *skel = SKEL_OPEN_LOAD(read_grid);
	struct timespec t0, t1;
	long cases = 0, bytes = 0;
	double secs;
	unsigned int i;

	if (!skel || !ASSERT_OK(hold_prog_pair(skel->progs.grid_nonsleepable,
					       skel->progs.grid_sleepable,
					       &skel->bss->trigger_ctx),
				"attach both programs"))
		goto out;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < sizeof(file_sizes) / sizeof(file_sizes[0]); i++)
		grid_for_size(skel, pg(file_sizes[i]), &cases, &bytes);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("read_grid: %ld cases, %ld bytes compared with pread(), %.2f s, %.0f cases/s\n",
	       cases, bytes, secs, cases / secs);
out:
	release_prog_pair();
	read_grid__destroy(skel);
}
