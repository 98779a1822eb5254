// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "read_batch.h"

/* Fill byte for output slots: a successful read must overwrite it. */
#define OUT_POISON 0xa5

bool read_batch_run(struct read_batch *b, struct bpf_program *prog, int fd,
		    const struct read_case *cases, int n)
{
	int i;

	if (!ASSERT_LE(n, READ_MAX_CASES, "cases fit in one batch"))
		return false;
	*b->target_tgid = getpid();
	*b->n_cases = n;
	*b->runs = 0;
	*b->create_err = RESULT_NOT_RUN;
	*b->discard_err = RESULT_NOT_RUN;
	for (i = 0; i < n; i++) {
		/* A longer case would not be run (the verifier's bound). */
		if (!ASSERT_LE(cases[i].len, READ_CHUNK,
			       "case fits the program's buffer"))
			return false;
		b->cases[i] = cases[i];
		b->results[i] = RESULT_NOT_RUN;
		memset(b->out[i], OUT_POISON, READ_CHUNK);
	}

	return ASSERT_OK(run_prog_once(prog, fd), "attach and trigger");
}

/* Case @i's return code is @expect; for 0, its bytes are pread()'s. */
static void check_read(struct read_batch *b, int fd, int i,
		       const struct read_case *c, int expect, const char *ctx)
{
	char name[128];
	uint8_t *want;
	ssize_t got;

	snprintf(name, sizeof(name), "%s read off=%llu len=%llu", ctx,
		 (unsigned long long)c->off, (unsigned long long)c->len);
	if (!ASSERT_EQ(b->results[i], expect, name) || expect)
		return;

	want = malloc(c->len ? c->len : 1);
	if (!ASSERT_OK_PTR(want, "malloc"))
		return;
	got = pread(fd, want, c->len, c->off);
	if (ASSERT_EQ(got, (ssize_t)c->len, "user-space pread of the range"))
		ASSERT_MEMEQ(b->out[i], want, c->len, name);
	free(want);
}

bool read_batch_ran(struct read_batch *b)
{
	if (!ASSERT_EQ(*b->runs, 1, "program invocations per trigger"))
		return false;
	if (!ASSERT_OK(*b->create_err, "bpf_dynptr_from_file"))
		return false;
	return ASSERT_OK(*b->discard_err, "bpf_dynptr_file_discard");
}

static const struct read_expect *expect_of(const struct read_row *r,
					   enum read_ctx ctx)
{
	return ctx == CTX_NONSLEEPABLE ? &r->nonsleepable : &r->sleepable;
}

/* The rows read in @ctx: their indexes into @rows, in batch order. */
static int rows_of(enum read_ctx ctx, const struct read_row *rows, int n,
		   int *idx)
{
	int m = 0, i;

	for (i = 0; i < n; i++)
		if (expect_of(&rows[i], ctx)->rule && m < READ_MAX_CASES)
			idx[m++] = i;
	return m;
}

static struct read_case case_of(const struct read_row *r)
{
	return (struct read_case){ pg(r->off), pg(r->len) };
}

bool read_rows_trigger(struct read_batch *b, struct bpf_program *prog,
		       enum read_ctx ctx, int fd, const struct read_row *rows,
		       int n)
{
	struct read_case cases[READ_MAX_CASES];
	int idx[READ_MAX_CASES], m, i, wanted = 0;

	for (i = 0; i < n; i++)
		wanted += expect_of(&rows[i], ctx)->rule != NULL;
	if (!ASSERT_LE(wanted, READ_MAX_CASES, "rows fit in one batch"))
		return false;
	m = rows_of(ctx, rows, n, idx);
	for (i = 0; i < m; i++)
		cases[i] = case_of(&rows[idx[i]]);
	return read_batch_run(b, prog, fd, cases, m) && read_batch_ran(b);
}

void read_rows_check(struct read_batch *b, enum read_ctx ctx, int fd,
		     const struct read_row *rows, int n)
{
	read_rows_check_with(b, ctx, fd, rows, n, NULL, NULL);
}

void read_rows_check_with(struct read_batch *b, enum read_ctx ctx, int fd,
			  const struct read_row *rows, int n,
			  void (*extra)(struct read_batch *b, int i,
					const struct read_row *r, int ret,
					void *arg),
			  void *arg)
{
	const char *ctx_name = ctx == CTX_NONSLEEPABLE ? "nonsleepable" :
							 "sleepable";
	int idx[READ_MAX_CASES], m, i;

	m = rows_of(ctx, rows, n, idx);
	for (i = 0; i < m; i++) {
		const struct read_row *r = &rows[idx[i]];
		struct read_case c = case_of(r);

		test__case(expect_of(r, ctx)->rule, &r->at,
			   "row %d of the table", idx[i] + 1);
		check_read(b, fd, i, &c, expect_of(r, ctx)->ret, ctx_name);
		if (extra)
			extra(b, i, r, expect_of(r, ctx)->ret, arg);
	}
	test__case_end();
	after_case_evictable(fd, "pages left resident after a table's reads");
}

bool read_rows(struct read_batch *b, struct bpf_program *prog,
	       enum read_ctx ctx, int fd, const struct read_row *rows, int n)
{
	if (!read_rows_trigger(b, prog, ctx, fd, rows, n))
		return false;
	read_rows_check(b, ctx, fd, rows, n);
	return true;
}
