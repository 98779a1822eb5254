/* SPDX-License-Identifier: GPL-2.0 */
/*
 * model_seq's parts, shared: the test (model_seq.c: its rows and
 * subtests), drawing sequences (model_seq_gen.c), running one against the
 * model (model_seq_run.c), shrinking a failing one (model_seq_shrink.c)
 * and printing it (model_seq_print.c).
 */
#ifndef __MODEL_SEQ_H
#define __MODEL_SEQ_H

#include <stdbool.h>
#include "harness.h"
#include "model.h"

#define M16 (1ll << 24)
#define G4 (1ll << 32)
#define UMAX (-1ll) /* as a pgoff's bytes: U64_MAX */
#define B(x) PG(0, (x))

#define N_FIXED_SEEDS 8
#define SEQS_PER_SEED 32
#define SEQS_PER_FILE 8 /* sequences on one file, each in both contexts */
#define RANDOM_DEFAULT_SEQS 64
#define SHRINK_TRIES 400
#define MAX_DATA 4
#define MAX_RESIDENT 16
#define MAX_QUERIED 64
#define OUT_POISON 0xa5

enum seq_fs { FS_SCRATCH, FS_TMPFS, FS_TMPFS_HUGE };
static const char *const fs_names[] = { "FS_SCRATCH", "FS_TMPFS",
					"FS_TMPFS_HUGE" };

static const char *const op_names[SEQ_NR_OPCODES] = {
	[SEQ_ADJUST] = "ADJUST",
	[SEQ_CLONE] = "CLONE",
	[SEQ_READ] = "READ",
	[SEQ_SLICE] = "SLICE",
	[SEQ_SLICE_NOBUF] = "SLICE_NOBUF",
	[SEQ_SIZE] = "SIZE",
	[SEQ_IS_NULL] = "IS_NULL",
	[SEQ_IS_RDONLY] = "IS_RDONLY",
	[SEQ_WRITE] = "WRITE",
	[SEQ_DATA] = "DATA",
};

/* The file a sequence runs on: where it lives, its size, its data. */
struct seq_file {
	enum seq_fs fs;
	__u64 size;
	struct extent data[MAX_DATA]; /* pattern bytes; holes elsewhere */
	int n_data;
};

/* One sequence, in bytes of the running kernel. */
struct seq_case {
	__u32 flags;
	struct seq_op ops[SEQ_MAX_OPS];
	int n_ops;
	__u32 discard_which;
	/* Pages made resident (scratch files); every other page evicted. */
	__u64 resident[MAX_RESIDENT];
	int n_resident;
};

/*
 * A table row: the same, written in the running kernel's pages and folios
 * so that a row means the same edges with 4 KiB and 16 KiB pages.
 */
struct row_op {
	enum seq_opcode code;
	int which;
	struct pgoff a, b;
};

struct row_extent {
	struct pgoff off, len;
};

struct seq_row {
	struct test_case_at at;
	enum model_ctx ctx;
	enum seq_fs fs;
	struct pgoff size;
	struct row_extent data[MAX_DATA];
	struct pgoff resident[MAX_RESIDENT]; /* pages made resident */
	int n_resident;
	__u32 flags;
	struct row_op ops[SEQ_MAX_OPS];
	int discard_which;
};

/* Everything a run of model_seq holds. */
struct seq_env {
	struct model_seq *skel;
	char tmpfs[64], tmpfs_huge[64];
	unsigned int switches; /* the known deviations, for this kernel */
	long page, folio;
	bool scratch_evicts; /* by its filesystem type: ext4 in vmtest */
	/* The open file. */
	struct seq_file file;
	int fd;
	char path[256];
	/* The model's page-cache queries, answered before the trigger. */
	__u64 q_index[MAX_QUERIED];
	bool q_resident[MAX_QUERIED];
	int n_q;
	bool q_failed;
	/* Counts, for the summary and the deviation subtests. */
	long seqs, ops;
	long dev_ops[NR_MODEL_SWITCHES]; /* answers that followed it */
	long dev_gone[NR_MODEL_SWITCHES]; /* the contract's, where it predicts */
};

/* A splitmix64 generator: small, fast, and the same everywhere. */
struct rng {
	__u64 s;
};

/* The model's answers to a whole sequence. */
struct seq_expect {
	struct model_answer create, ops[SEQ_MAX_OPS], discard;
};

/* What went wrong first, if anything. */
struct seq_verdict {
	bool failed;
	bool reclaimed; /* only by a page that reclaim may have taken */
	int unit; /* -1: the creation, 0..n_ops-1: an op, n_ops: the discard */
	const char *rule;
	char what[320];
	__s64 got[SEQ_MAX_OPS + 2]; /* the kernel's answers, by unit + 1 */
	struct seq_expect model;
};

/* model_seq_gen.c */
__u64 seq_round_up(__u64 x, __u64 to);
void seq_add_data(struct seq_file *f, __s64 off, __s64 len);
void gen_file(struct seq_env *e, struct rng *r, struct seq_file *f);
void gen_case(struct seq_env *e, struct rng *r, struct seq_case *c);

/* model_seq_run.c */
void close_file(struct seq_env *e);
bool open_file(struct seq_env *e, const struct seq_file *f);
struct model_answer model_op(struct model *m, const struct seq_op *op);
void model_run(struct seq_env *e, const struct seq_case *c, enum model_ctx ctx,
	       unsigned int switches, struct seq_expect *x);
bool run_case(struct seq_env *e, const struct seq_case *c, enum model_ctx ctx,
	      struct seq_verdict *v);
void fail_at(struct seq_verdict *v, int unit, const char *rule, const char *fmt,
	     ...) __attribute__((format(printf, 4, 5)));

/* model_seq_shrink.c */
int seq_smaller(__u64 x, long page, __u64 *out);
bool check_case(struct seq_env *e, struct seq_case *c, const char *origin,
		bool *harness_ok);

/* model_seq_print.c */
void report_failure(struct seq_env *e, const char *origin,
		    const struct test_case_at *at, const struct seq_case *c,
		    enum model_ctx ctx, const struct seq_verdict *v, int tries);

#endif /* __MODEL_SEQ_H */
