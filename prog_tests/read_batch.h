/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space half of progs/file_reads.h: fills a batch of read cases, runs
 * one program invocation over them, and checks every result against the
 * expected return code and every byte against pread() of the same file.
 */
#ifndef __READ_BATCH_H
#define __READ_BATCH_H

#include "common.h"

/* Pointers into the .bss of any skeleton built from progs/file_reads.h. */
struct read_batch {
	struct read_case *cases;
	__u32 *n_cases;
	int *results;
	__u8 (*out)[READ_CHUNK];
	__u32 *runs;
	int *create_err;
	int *discard_err;
	int *target_tgid;
};

#define READ_BATCH_OF(skel) ((struct read_batch){			\
	.cases = (skel)->bss->cases,					\
	.n_cases = &(skel)->bss->n_cases,				\
	.results = (skel)->bss->results,				\
	.out = (skel)->bss->out,					\
	.runs = &(skel)->bss->runs,					\
	.create_err = &(skel)->bss->create_err,				\
	.discard_err = &(skel)->bss->discard_err,			\
	.target_tgid = &(skel)->bss->target_tgid,			\
})

/*
 * Attaches @prog, triggers it once on @fd with @cases, detaches. Results are
 * poisoned first so a case the program skipped cannot look like a success.
 * Returns false (after a failed assertion) if the harness itself failed.
 */
bool read_batch_run(struct read_batch *b, struct bpf_program *prog, int fd,
		    const struct read_case *cases, int n);

/* Asserts the program ran once, created and discarded its dynptr. */
bool read_batch_ran(struct read_batch *b);

/*
 * Asserts case @i returned @expect_ret and, if that is 0, that its bytes
 * equal pread() of @fd at the same offset. @ctx names the context.
 */
void read_batch_check_case(struct read_batch *b, int fd, int i,
			   const struct read_case *c, int expect_ret,
			   const char *ctx);

/* read_batch_ran(), then every case expected to return @expect_ret. */
void read_batch_check(struct read_batch *b, int fd,
		      const struct read_case *cases, int n, int expect_ret,
		      const char *ctx);

#endif /* __READ_BATCH_H */
