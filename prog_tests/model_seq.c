// SPDX-License-Identifier: GPL-2.0
/*
 * model_seq: random sequences of operations on a file dynptr, each answer
 * checked against the model of the contract (prog_tests/model.c) and every
 * byte against pread() of the same file.
 *
 * A sequence: bpf_dynptr_from_file(flags), up to SEQ_MAX_OPS operations
 * (adjust, clone, read, slice, size, is_null, is_rdonly, write, data) on
 * the dynptr or its clone, and the discard of one of them, run by
 * progs/model_seq.c in one trigger, non-sleepable and then sleepable. The
 * file (ext4 or tmpfs, sparse, with sizes around page, huge-folio, 2^24
 * and 2^32 edges) and its page-cache state (made, then proven with
 * mincore() before each trigger) are drawn from the seed too.
 *
 * A mismatch is shrunk (fewer operations, smaller numbers, fewer resident
 * pages) to a sequence that still breaks the same rule, and printed with
 * the seed, each operation's model and kernel answers, and a row for
 * rows[] below, where found bugs stay as deterministic cases.
 *
 * Subtests: seed_N (fixed seeds, the same every run), rows (the table),
 * random (only with -s SEED or --budget: the default run is
 * deterministic), and deviation_NAME for each known deviation the model
 * followed (XFAIL through its known-deviations.ini entry).
 */
#include <time.h>
#include <unistd.h>
#include "model_seq.h"
#include "model_seq.skel.h"

/*
 * A row's operations end at the first without a code, its data at the
 * first empty extent; .n_resident counts its resident pages.
 */
#define OP(code, which, a, b)             \
	{                                 \
		SEQ_##code, (which), a, b \
	}

/*
 * Sequences that once broke a rule, kept as deterministic cases. The
 * shrinker prints new ones in this form. A row's rule is the one its
 * first operation to go wrong broke when it was found; every answer is
 * still checked against the model.
 */
static const struct seq_row rows[] = {
	/* Windows that compose, read across a page edge of a sparse file. */
	{ CASE_AT("R-ADJUST-4"), MODEL_NONSLEEPABLE, FS_SCRATCH, PG(2, G4),
	  .data = { { B(0), PG(3, 0) }, { PG(-1, G4), PG(3, 0) } },
	  .resident = { B(0), PG(-1, G4), B(G4) }, .n_resident = 3,
	  .ops = { OP(ADJUST, 0, PG(-1, G4), B(UMAX)),
		   OP(ADJUST, 0, PG(1, -3), PG(1, 5)), OP(READ, 0, B(0), B(8)),
		   OP(SIZE, 0, B(0), B(0)) } },
	/* A clone's read after the parent was narrowed. */
	{ CASE_AT("R-CLONE-3"), MODEL_SLEEPABLE, FS_SCRATCH, PG(3, 100),
	  .data = { { B(0), PG(3, 100) } },
	  .ops = { OP(CLONE, 0, B(0), B(0)), OP(ADJUST, 0, PG(1, 0), PG(2, 0)),
		   OP(READ, 1, B(10), B(16)), OP(SIZE, 1, B(0), B(0)) } },
	/* Found on mutant 23: a slice past an adjusted window fails. */
	{ CASE_AT("R-ADJUST-3"), MODEL_NONSLEEPABLE, FS_TMPFS, PG(1, 1),
	  .data = { { B(0), PG(1, 1) } },
	  .ops = { OP(ADJUST, 0, B(0), B(0)), OP(SLICE, 0, B(0), B(1)) } },
	/* Found on mutant 26: a write past the window is refused as read-only. */
	{ CASE_AT("R-CREATE-4"), MODEL_SLEEPABLE, FS_TMPFS, PG(1, 1),
	  .data = { { B(0), PG(1, 1) } },
	  .ops = { OP(ADJUST, 0, B(0), B(0)), OP(WRITE, 0, B(0), B(1)) } },
	/* A null dynptr and its clone (flags != 0). */
	{ CASE_AT("R-CREATE-1"), MODEL_NONSLEEPABLE, FS_TMPFS, PG(1, 0),
	  .data = { { B(0), PG(1, 0) } }, .flags = 4,
	  .ops = { OP(CLONE, 0, B(0), B(0)), OP(IS_NULL, 1, B(0), B(0)),
		   OP(SIZE, 1, B(0), B(0)), OP(READ, 1, B(0), B(0)),
		   OP(ADJUST, 1, B(0), B(0)) },
	  .discard_which = 1 },
};

/* --- Subtests ----------------------------------------------------------- */

/* @n_files files from @seed, SEQS_PER_FILE sequences each; false: stop. */
static bool run_seed(struct seq_env *e, __u64 seed, long max_seqs,
		     long max_secs)
{
	struct rng r = { seed };
	struct timespec t0, t;
	struct seq_file f;
	struct seq_case c;
	bool harness_ok = true;
	char origin[96];
	long i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < max_seqs; i++) {
		if (i % SEQS_PER_FILE == 0) {
			gen_file(e, &r, &f);
			if (!open_file(e, &f))
				return false;
		}
		gen_case(e, &r, &c);
		snprintf(origin, sizeof(origin), "seed %#llx, sequence %ld",
			 (unsigned long long)seed, i + 1);
		if (!check_case(e, &c, origin, &harness_ok))
			return false;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (max_secs && t.tv_sec - t0.tv_sec >= max_secs)
			break;
		if (i % 64 == 63)
			fprintf(stderr,
				"model_seq: seed %#llx: %ld sequences\n",
				(unsigned long long)seed, i + 1);
	}
	return harness_ok;
}

/* A row in the running kernel's bytes. */
static void resolve_row(struct seq_env *e, const struct seq_row *row,
			struct seq_file *f, struct seq_case *c)
{
	int k;

	memset(f, 0, sizeof(*f));
	memset(c, 0, sizeof(*c));
	f->fs = row->fs;
	f->size = pg(row->size);
	for (k = 0; k < MAX_DATA && pg(row->data[k].len); k++)
		seq_add_data(f, pg(row->data[k].off), pg(row->data[k].len));
	for (k = 0; k < row->n_resident; k++)
		c->resident[c->n_resident++] = pg(row->resident[k]) / e->page;
	for (k = 0; k < SEQ_MAX_OPS && row->ops[k].code; k++)
		c->ops[k] =
			(struct seq_op){ row->ops[k].code, row->ops[k].which,
					 pg(row->ops[k].a), pg(row->ops[k].b) };
	c->n_ops = k;
	c->flags = row->flags;
	c->discard_which = row->discard_which;
}

static void run_rows(struct seq_env *e)
{
	struct seq_verdict v;
	struct seq_file f;
	struct seq_case c;
	char origin[64];
	int i;

	for (i = 0; i < N_ROWS(rows); i++) {
		const struct seq_row *row = &rows[i];

		resolve_row(e, row, &f, &c);
		/* scratch_evicts: by the filesystem's type, never a probe. */
		if (f.fs == FS_SCRATCH && !scratch_block_backed())
			return;
		if (f.fs == FS_TMPFS_HUGE &&
		    !test__require_kconfig("CONFIG_TRANSPARENT_HUGEPAGE"))
			return;
		if (f.fs == FS_TMPFS_HUGE && !e->tmpfs_huge[0]) {
			/* Root mounts one where the kernel has huge pages. */
			if (e->folio)
				test__setup_error(
					"row %d needs a tmpfs with huge=always: the mount failed",
					i + 1);
			else
				test__skip("row %d needs huge pages", i + 1);
			return;
		}
		if (!open_file(e, &f) || !run_case(e, &c, row->ctx, &v))
			return;
		snprintf(origin, sizeof(origin), "row %d of rows[]", i + 1);
		if (v.failed)
			report_failure(e, origin, &row->at, &c, row->ctx, &v,
				       0);
	}
}

/*
 * deviation_NAME: the kernel followed a known deviation in some answers.
 * Reported as a failure of the entry's rule, which the entry turns into
 * XFAIL: a deviation shows, never passes silently.
 */
static void report_deviations(struct seq_env *e)
{
	char name[64];
	int i;

	for (i = 0; i < NR_MODEL_SWITCHES; i++) {
		const char *rule = test__known_deviation(model_switch_names[i]);

		if (!rule)
			continue;
		snprintf(name, sizeof(name), "deviation_%s",
			 model_switch_names[i]);
		if (!test__start_subtest(name))
			continue;
		if (!e->dev_ops[i] && !e->dev_gone[i]) {
			test__skip("no sequence of this run reached it");
			continue;
		}
		TEST_RULE(rule);
		printf("model_seq: known deviation %s: %ld answers followed it, %ld the contract\n",
		       model_switch_names[i], e->dev_ops[i], e->dev_gone[i]);
		/* Fails (XFAIL) while the kernel deviates; passes (XPASS) once not. */
		ASSERT_EQ(e->dev_ops[i], 0,
			  "answers that follow the known deviation");
		test__case_end();
	}
}

static bool setup(struct seq_env *e)
{
	char opts[64];

	e->fd = -1;
	e->page = page_size();
	e->folio = huge_folio_size();
	e->switches = model_known_switches();
	e->scratch_evicts = scratch_evicts();
	e->skel = SKEL_OPEN_LOAD(model_seq);
	if (!e->skel)
		return false;
	if (!ASSERT_OK(hold_prog_pair(e->skel->progs.seq_nonsleepable,
				      e->skel->progs.seq_sleepable,
				      &e->skel->bss->trigger_ctx),
		       "attach both programs"))
		return false;
	tmpfs_mount(e->tmpfs, sizeof(e->tmpfs), "model_seq", "size=64m");
	snprintf(opts, sizeof(opts), "size=%ldk,huge=always",
		 4 * e->folio / 1024);
	if (e->folio)
		tmpfs_mount(e->tmpfs_huge, sizeof(e->tmpfs_huge), "model_seq",
			    opts);
	return ASSERT_TRUE(e->tmpfs[0], "mount a tmpfs");
}

static void teardown(struct seq_env *e)
{
	close_file(e);
	release_prog_pair();
	tmpfs_unmount(e->tmpfs);
	tmpfs_unmount(e->tmpfs_huge);
	model_seq__destroy(e->skel);
}

static void run_random(struct seq_env *e)
{
	unsigned long long seed;
	long amount = RANDOM_DEFAULT_SEQS, secs = 0;
	bool in_secs, have_seed = test__seed(&seed);

	if (!test__start_subtest("random"))
		return;
	if (test__budget(&amount, &in_secs)) {
		if (in_secs) {
			secs = amount;
			amount = 100000000;
		}
	} else if (!have_seed) {
		amount = 0;
	}
	if (!amount) {
		test__skip(
			"random sequences run with -s SEED or --budget N[s] only: the default run is deterministic");
		return;
	}
	if (!have_seed)
		seed = (unsigned long long)time(NULL) ^ getpid();
	printf("model_seq: random run, seed %#llx (replay: -t model_seq -s %#llx)\n",
	       seed, seed);
	fprintf(stderr, "model_seq: random run, seed %#llx\n", seed);
	run_seed(e, seed, amount, secs);
}

TEST_TRAITS(model_seq, NEEDS_FILE_DYNPTR_LSM, .parallel = true,
	    .lane = LANE_PAGE_CACHE,
	    .kconfigs = { { "CONFIG_TRANSPARENT_HUGEPAGE", TEST_KCONFIG_ROWS,
			    "thp_get_unmapped_area" } });

void test_model_seq(void)
{
	struct seq_env e = { 0 };
	struct timespec t0, t1;
	char name[32];
	double secs;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (setup(&e)) {
		for (i = 1; i <= N_FIXED_SEEDS; i++) {
			snprintf(name, sizeof(name), "seed_%d", i);
			if (test__start_subtest(name))
				run_seed(&e, i, SEQS_PER_SEED, 0);
		}
		if (test__start_subtest("rows"))
			run_rows(&e);
		run_random(&e);
		report_deviations(&e);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("model_seq: %ld sequences, %ld operations checked in %.1f s (%.0f per second)\n",
	       e.seqs, e.ops, secs, secs > 0 ? e.ops / secs : 0.0);
	teardown(&e);
}
