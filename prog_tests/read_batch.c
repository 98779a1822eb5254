// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "read_batch.h"

/* Fill byte for output slots: a successful read must overwrite it. */
#define OUT_POISON	0xa5

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
		b->cases[i] = cases[i];
		b->results[i] = RESULT_NOT_RUN;
		memset(b->out[i], OUT_POISON, READ_CHUNK);
	}

	return ASSERT_OK(run_prog_once(prog, fd), "attach and trigger");
}

void read_batch_check_case(struct read_batch *b, int fd, int i,
			   const struct read_case *c, int expect_ret,
			   const char *ctx)
{
	char name[128];
	uint8_t *want;
	ssize_t got;

	snprintf(name, sizeof(name), "%s read off=%llu len=%llu", ctx,
		 (unsigned long long)c->off, (unsigned long long)c->len);
	if (!ASSERT_EQ(b->results[i], expect_ret, name) || expect_ret)
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

void read_batch_check(struct read_batch *b, int fd,
		      const struct read_case *cases, int n, int expect_ret,
		      const char *ctx)
{
	int i;

	if (!read_batch_ran(b))
		return;
	for (i = 0; i < n; i++)
		read_batch_check_case(b, fd, i, &cases[i], expect_ret, ctx);
}
