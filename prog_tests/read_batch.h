/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User-space half of progs/file_reads.h: fills a batch of read cases, runs
 * one program invocation over them, and checks every result against the
 * expected return code and every byte against pread() of the same file.
 */
#ifndef __READ_BATCH_H
#define __READ_BATCH_H

#include "harness.h"

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

#define READ_BATCH_OF(skel)                               \
	((struct read_batch){                             \
		.cases = (skel)->bss->cases,              \
		.n_cases = &(skel)->bss->n_cases,         \
		.results = (skel)->bss->results,          \
		.out = (skel)->bss->out,                  \
		.runs = &(skel)->bss->runs,               \
		.create_err = &(skel)->bss->create_err,   \
		.discard_err = &(skel)->bss->discard_err, \
		.target_tgid = &(skel)->bss->target_tgid, \
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

/* What a row expects of a context: the return code and the rule it checks. */
struct read_expect {
	int ret;
	const char *rule; /* NULL: the row is not read in this context */
};

#define EXPECT(ret, rule)     \
	{                     \
		(ret), (rule) \
	}
/* A context the row is not read in. */
#define NOT_READ        \
	{               \
		0, NULL \
	}

/*
 * One read of a table: its place, the range in the running kernel's pages,
 * and what each context must return. A table is read in one page-cache
 * state, which the subtest makes and proves before the trigger.
 */
struct read_row {
	struct test_case_at at;
	struct pgoff off, len;
	struct read_expect nonsleepable, sleepable;
};

enum read_ctx {
	CTX_NONSLEEPABLE,
	CTX_SLEEPABLE,
};

/*
 * Reads the rows that expect something of @ctx in one run of @prog over
 * @fd, then checks each as a case of its rule: the exact return code and,
 * for 0, its bytes against pread(); then the after-state
 * (after_case_evictable(): R-AFTER-1), which leaves the file evicted.
 * False if the harness failed.
 */
bool read_rows(struct read_batch *b, struct bpf_program *prog,
	       enum read_ctx ctx, int fd, const struct read_row *rows, int n);

/*
 * The two halves of read_rows(), for a test that looks at the page cache
 * between the program's reads and pread()'s (which would populate it).
 */
bool read_rows_trigger(struct read_batch *b, struct bpf_program *prog,
		       enum read_ctx ctx, int fd, const struct read_row *rows,
		       int n);
void read_rows_check(struct read_batch *b, enum read_ctx ctx, int fd,
		     const struct read_row *rows, int n);

/* read_rows_check(), calling @extra on each row within its case too. */
void read_rows_check_with(struct read_batch *b, enum read_ctx ctx, int fd,
			  const struct read_row *rows, int n,
			  void (*extra)(struct read_batch *b, int i,
					const struct read_row *r, int ret,
					void *arg),
			  void *arg);

#endif /* __READ_BATCH_H */
