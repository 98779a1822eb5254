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
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"
#include "model.h"
#include "model_seq.skel.h"

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

/* Everything a run of model_seq holds. */
struct seq_env {
	struct model_seq *skel;
	char tmpfs[64], tmpfs_huge[64];
	unsigned int switches; /* the known deviations, for this kernel */
	long page, folio;
	bool scratch_evicts; /* its pages can be evicted: ext4 in vmtest */
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

static __u64 rnd64(struct rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static __u64 rnd(struct rng *r, __u64 n)
{
	return n ? rnd64(r) % n : 0;
}

static bool chance(struct rng *r, int percent)
{
	return rnd(r, 100) < (__u64)percent;
}

/* --- The file ----------------------------------------------------------- */

static __u64 round_up_to(__u64 x, __u64 to)
{
	return (x + to - 1) / to * to;
}

/* Adds [off, off + len) clipped to the file, if anything is left. */
static void add_data(struct seq_file *f, __s64 off, __s64 len)
{
	if (off < 0) {
		len += off;
		off = 0;
	}
	if (len <= 0 || (__u64)off >= f->size || f->n_data == MAX_DATA)
		return;
	if ((__u64)(off + len) > f->size)
		len = f->size - off;
	/* Extents are drawn in order; merge one that overlaps the last. */
	if (f->n_data) {
		struct extent *last = &f->data[f->n_data - 1];

		if ((__u64)off <= last->off + last->len) {
			if ((__u64)(off + len) > last->off + last->len)
				last->len = off + len - last->off;
			return;
		}
	}
	f->data[f->n_data++] = (struct extent){ off, len };
}

static void gen_file(struct seq_env *e, struct rng *r, struct seq_file *f)
{
	long page = e->page, folio = e->folio;
	__s64 sizes[] = { 1,	    page - 1,	   page,
			  page + 1, 3 * page + 17, 65536 + 1000 + 123,
			  M16 + 5,  M16 - 7,	   G4 + 2 * page + 3 };
	int pick;

	memset(f, 0, sizeof(*f));
	pick = rnd(r, 100);
	if (pick < 55 && e->scratch_evicts)
		f->fs = FS_SCRATCH;
	else if (pick >= 80 && e->tmpfs_huge[0] && folio)
		f->fs = FS_TMPFS_HUGE;
	else
		f->fs = FS_TMPFS;
	if (f->fs == FS_TMPFS_HUGE) {
		/* Two or three huge folios, the last one partly filled. */
		f->size = (1 + rnd(r, 2)) * folio + rnd(r, 3) * page +
			  rnd(r, 2) * 17;
		add_data(f, 0, f->size);
		return;
	}
	f->size = sizes[rnd(r, N_ROWS(sizes))];
	if (f->size <= 4 * (__u64)page || chance(r, 30)) {
		add_data(f, 0, f->size <= 64ull << 20 ? f->size : 4ull * page);
		if (f->size > 64ull << 20)
			add_data(f, f->size - 3 * page, 3 * page);
		return;
	}
	/* Sparse: data at the start, around 2^24 and 2^32, before EOF. */
	add_data(f, 0, (1 + rnd(r, 3)) * page);
	add_data(f, M16 - 2 * page, 4 * page);
	add_data(f, G4 - 2 * page, 4 * page);
	add_data(f, f->size - 3 * page, 3 * page);
}

static const char *fs_dir(struct seq_env *e, enum seq_fs fs)
{
	if (fs == FS_SCRATCH)
		return scratch_dir();
	return fs == FS_TMPFS ? e->tmpfs : e->tmpfs_huge;
}

static void close_file(struct seq_env *e)
{
	if (e->fd < 0)
		return;
	close(e->fd);
	unlink(e->path);
	e->fd = -1;
}

/*
 * Creates the file and opens it for the program. POSIX_FADV_RANDOM: no
 * readahead, so a pread() of one page caches that page alone, and the
 * page-cache state is what the test made it.
 */
static bool open_file(struct seq_env *e, const struct seq_file *f)
{
	int err;

	close_file(e);
	e->file = *f;
	e->fd = make_sparse_pattern_file_in(fs_dir(e, f->fs), "model_seq",
					    f->size, f->data, f->n_data,
					    e->path, sizeof(e->path));
	if (e->fd < 0)
		return ASSERT_GE(e->fd, 0, "create the sequence's file");
	err = posix_fadvise(e->fd, 0, 0, POSIX_FADV_RANDOM);
	if (err)
		return ASSERT_OK(err, "POSIX_FADV_RANDOM");
	return true;
}

/* The byte the file holds at @off: the pattern in its data, else 0. */
static __u8 file_byte(const struct seq_file *f, __u64 off)
{
	int i;

	for (i = 0; i < f->n_data; i++)
		if (off >= f->data[i].off &&
		    off < f->data[i].off + f->data[i].len)
			return pattern_byte(off);
	return 0;
}

/* --- Page-cache state --------------------------------------------------- */

/*
 * Whether page @index is resident, from mincore() on a mapping of it.
 * Nothing is cached beyond the folio holding EOF of a file made fresh, so
 * pages past it are not asked about (a mapping so far out may fail).
 */
static bool page_is_resident(struct seq_env *e, __u64 index)
{
	__u64 limit = round_up_to(e->file.size, e->folio ?: e->page) +
		      (__u64)(e->folio ?: e->page);
	long n;

	if (index * e->page >= limit)
		return false;
	n = resident_pages(e->fd, index * e->page, e->page);
	if (n < 0) {
		e->q_failed = true;
		return false;
	}
	return n == 1;
}

/* The model's question, answered once per sequence and remembered. */
static bool model_resident(void *arg, __u64 index)
{
	struct seq_env *e = arg;
	int i;

	for (i = 0; i < e->n_q; i++)
		if (e->q_index[i] == index)
			return e->q_resident[i];
	if (e->n_q == MAX_QUERIED) {
		e->q_failed = true;
		return false;
	}
	e->q_index[e->n_q] = index;
	e->q_resident[e->n_q] = page_is_resident(e, index);
	return e->q_resident[e->n_q++];
}

/*
 * The harness checks of each sequence run thousands of times a run: they
 * assert (and so print) only when they fail, so that -v stays readable.
 *
 * Makes a scratch file's page cache hold exactly the case's pages, and
 * proves it with mincore(). tmpfs keeps what it has (its pages cannot be
 * evicted): the model asks mincore() what that is.
 */
static bool make_state(struct seq_env *e, const struct seq_case *c)
{
	char buf[1];
	ssize_t n;
	int i, err;

	if (e->file.fs != FS_SCRATCH)
		return true;
	err = evict_range(e->fd, 0, 0);
	if (err)
		return ASSERT_OK(err, "evict the file");
	for (i = 0; i < c->n_resident; i++) {
		n = pread(e->fd, buf, 1, c->resident[i] * e->page);
		if (n != 1)
			return ASSERT_EQ(n, 1, "pread() a page in");
	}
	for (i = 0; i < c->n_resident; i++)
		if (!page_is_resident(e, c->resident[i]))
			return ASSERT_EQ(
				page_is_resident(e, c->resident[i]), true,
				"the page read in is resident (mincore)");
	return true;
}

/*
 * After the model ran: every page it asked about is as the case made it,
 * resident if listed, evicted if not (mincore() said so to the model).
 */
static bool state_as_made(struct seq_env *e, const struct seq_case *c)
{
	char name[96];
	bool listed;
	int i, k;

	if (e->file.fs != FS_SCRATCH)
		return true;
	for (i = 0; i < e->n_q; i++) {
		for (listed = false, k = 0; k < c->n_resident; k++)
			listed |= c->resident[k] == e->q_index[i];
		snprintf(name, sizeof(name),
			 "page %llu resident as made (mincore)",
			 (unsigned long long)e->q_index[i]);
		if (e->q_resident[i] != listed)
			return ASSERT_EQ(e->q_resident[i], listed, name);
	}
	return true;
}

/* --- Running a sequence ------------------------------------------------- */

static int clone_at(const struct seq_case *c)
{
	int i;

	for (i = 0; i < c->n_ops; i++)
		if (c->ops[i].code == SEQ_CLONE)
			return i;
	return SEQ_MAX_OPS;
}

/* The model's answers to a whole sequence. */
struct seq_expect {
	struct model_answer create, ops[SEQ_MAX_OPS], discard;
};

static struct model_answer model_op(struct model *m, const struct seq_op *op)
{
	switch (op->code) {
	case SEQ_ADJUST:
		return model_adjust(m, op->which, op->a, op->b);
	case SEQ_CLONE:
		return model_clone(m);
	case SEQ_READ:
		return model_read(m, op->which, op->a, op->b);
	case SEQ_SLICE:
		return model_slice(m, op->which, op->a, op->b, true);
	case SEQ_SLICE_NOBUF:
		return model_slice(m, op->which, op->a, op->b, false);
	case SEQ_SIZE:
		return model_size(m, op->which);
	case SEQ_IS_NULL:
		return model_is_null(m, op->which);
	case SEQ_IS_RDONLY:
		return model_is_rdonly(m, op->which);
	case SEQ_WRITE:
		return model_write(m, op->which, op->a, op->b);
	default:
		return model_data(m, op->which, op->a, op->b);
	}
}

static void model_run(struct seq_env *e, const struct seq_case *c,
		      enum model_ctx ctx, unsigned int switches,
		      struct seq_expect *x)
{
	struct model_file f = {
		.size = e->file.size,
		.tmpfs = e->file.fs != FS_SCRATCH,
		.page = e->page,
		.resident = model_resident,
		.arg = e,
	};
	struct model m;
	int i;

	model_init(&m, &f, ctx, switches);
	x->create = model_create(&m, c->flags);
	for (i = 0; i < c->n_ops; i++)
		x->ops[i] = model_op(&m, &c->ops[i]);
	x->discard = model_discard(&m, c->discard_which);
}

/* What went wrong first, if anything. */
struct seq_verdict {
	bool failed;
	int unit; /* -1: the creation, 0..n_ops-1: an op, n_ops: the discard */
	const char *rule;
	char what[320];
	__s64 got[SEQ_MAX_OPS + 2]; /* the kernel's answers, by unit + 1 */
	struct seq_expect model;
};

static void fail_at(struct seq_verdict *v, int unit, const char *rule,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void fail_at(struct seq_verdict *v, int unit, const char *rule,
		    const char *fmt, ...)
{
	va_list ap;

	if (v->failed)
		return;
	v->failed = true;
	v->unit = unit;
	v->rule = rule;
	va_start(ap, fmt);
	vsnprintf(v->what, sizeof(v->what), fmt, ap);
	va_end(ap);
}

/* Bytes of a successful read against pread() (zeros past EOF). */
static bool bytes_match(struct seq_env *e, const __u8 *got, __u64 pos,
			__u64 len, char *what, size_t what_sz)
{
	static __u8 want[SEQ_MAX_LEN];
	ssize_t n = 0;
	__u64 i;

	memset(want, 0, len);
	if (pos < e->file.size && pos <= 0x7fffffffffffffffull)
		n = pread(e->fd, want, len, pos);
	if (n < 0) {
		snprintf(what, what_sz, "pread(%#llx, %llu) failed: %s",
			 (unsigned long long)pos, (unsigned long long)len,
			 strerror(errno));
		return false;
	}
	for (i = 0; i < len && got[i] == want[i]; i++)
		;
	if (i == len)
		return true;
	snprintf(
		what, what_sz,
		"byte %llu of %llu (file offset %#llx): kernel %#04x, pread() %#04x",
		(unsigned long long)i, (unsigned long long)len,
		(unsigned long long)(pos + i), got[i], want[i]);
	return false;
}

/* The kernel's answer is @a's: its return code and, for a read, bytes. */
static bool answer_is(struct seq_env *e, __s64 got, const __u8 *out,
		      const struct model_answer *a, char *what, size_t what_sz)
{
	if (got != a->ret) {
		snprintf(what, what_sz, "kernel %lld, model %lld",
			 (long long)got, (long long)a->ret);
		return false;
	}
	return !a->bytes || !out ||
	       bytes_match(e, out, a->pos, a->len, what, what_sz);
}

/*
 * One unit's answer against the model's (@want, with the known deviations)
 * and the contract's alone (@strict). An answer that followed a deviation
 * is counted for deviation_NAME (XFAIL); one that followed the contract
 * where the entry predicts the deviation is counted too, and makes
 * deviation_NAME pass (XPASS: the entry is stale); anything else fails.
 */
static void judge(struct seq_env *e, struct seq_verdict *v, int unit, __s64 got,
		  const __u8 *out, const struct model_answer *want,
		  const struct model_answer *strict)
{
	bool deviates = want->deviation >= 0 && !model_same(want, strict);
	char what[200], unused[200];

	if (answer_is(e, got, out, want, what, sizeof(what))) {
		if (deviates)
			e->dev_ops[want->deviation]++;
		return;
	}
	if (deviates &&
	    answer_is(e, got, out, strict, unused, sizeof(unused))) {
		e->dev_gone[want->deviation]++;
		return;
	}
	fail_at(v, unit, want->rule, "%s", what);
}

/* R-CREATE-4: the writes changed nothing in the file. */
static void check_writes(struct seq_env *e, const struct seq_case *c,
			 struct seq_verdict *v)
{
	__u8 now[SEQ_WRITE_MAX];
	int i, j;

	for (i = 0; i < c->n_ops; i++) {
		const struct seq_op *op = &c->ops[i];
		ssize_t n;

		if (op->code != SEQ_WRITE || op->a >= e->file.size)
			continue;
		n = pread(e->fd, now, op->b, op->a);
		for (j = 0; j < n; j++)
			if (now[j] != file_byte(&e->file, op->a + j))
				fail_at(v, i, "R-CREATE-4",
					"the file's byte at %#llx changed to %#04x",
					(unsigned long long)op->a + j, now[j]);
	}
}

/*
 * R-FAULT-1: a non-sleepable run brings nothing in; R-FAULT-2: a
 * sleepable read leaves the scratch file's pages it read resident.
 */
static void check_residency(struct seq_env *e, const struct seq_case *c,
			    enum model_ctx ctx, struct seq_verdict *v)
{
	int i;

	if (ctx == MODEL_NONSLEEPABLE) {
		for (i = 0; i < e->n_q; i++)
			if (!e->q_resident[i] &&
			    page_is_resident(e, e->q_index[i]))
				fail_at(v, c->n_ops, "R-FAULT-1",
					"page %llu became resident during the non-sleepable run",
					(unsigned long long)e->q_index[i]);
		return;
	}
	if (e->file.fs != FS_SCRATCH)
		return;
	for (i = 0; i < c->n_ops; i++) {
		const struct model_answer *a = &v->model.ops[i];
		__u64 end, p;

		if (c->ops[i].code != SEQ_READ || !a->bytes || a->ret)
			continue;
		end = a->pos + a->len;
		for (p = a->pos / e->page; p * e->page < end; p++)
			if (!page_is_resident(e, p))
				fail_at(v, i, "R-FAULT-2",
					"page %llu, read by the sleepable program, is not resident",
					(unsigned long long)p);
	}
}

/* Every rule the sequence's answers checked, for the subtest's results. */
static void note_rules(const struct seq_case *c, const struct seq_verdict *v)
{
	int i;

	TEST_RULE(v->model.create.rule);
	for (i = 0; i < c->n_ops; i++)
		TEST_RULE(v->model.ops[i].rule);
	TEST_RULE(v->model.discard.rule);
	test__case_end();
}

/*
 * Runs @c once in @ctx and judges every answer. False only if the
 * harness failed (asserted); a kernel mismatch is in @v.
 */
static bool run_case(struct seq_env *e, const struct seq_case *c,
		     enum model_ctx ctx, struct seq_verdict *v)
{
	struct model_seq__bss *bss = e->skel->bss;
	struct seq_expect strict;
	struct bpf_program *prog;
	int i, err;

	memset(v, 0, sizeof(*v));
	if (!make_state(e, c))
		return false;
	e->n_q = 0;
	e->q_failed = false;
	model_run(e, c, ctx, MODEL_STRICT, &strict);
	model_run(e, c, ctx, e->switches, &v->model);
	if (e->q_failed)
		return ASSERT_FALSE(e->q_failed,
				    "mincore() answered the model");
	if (!state_as_made(e, c))
		return false;

	memcpy(bss->ops, c->ops, sizeof(c->ops));
	bss->n_ops = c->n_ops;
	bss->clone_at = clone_at(c);
	bss->seq_flags = c->flags;
	bss->discard_which = c->discard_which;
	bss->runs = 0;
	bss->create_ret = bss->discard_ret = RESULT_NOT_RUN;
	for (i = 0; i < SEQ_MAX_OPS; i++)
		bss->results[i] = RESULT_NOT_RUN;
	memset(bss->out, OUT_POISON, c->n_ops * sizeof(bss->out[0]));
	memset(bss->write_src, 0x5a, sizeof(bss->write_src));
	bss->target_tgid = getpid();
	prog = ctx == MODEL_SLEEPABLE ? e->skel->progs.seq_sleepable :
					e->skel->progs.seq_nonsleepable;
	err = select_held_prog(prog) ?: trigger_file_ioctl(e->fd);
	if (err)
		return ASSERT_OK(err, "select the program and trigger");
	if (bss->runs != 1)
		return ASSERT_EQ(bss->runs, 1,
				 "program invocations per trigger");

	v->got[0] = bss->create_ret;
	judge(e, v, -1, bss->create_ret, NULL, &v->model.create,
	      &strict.create);
	for (i = 0; i < c->n_ops; i++) {
		v->got[i + 1] = bss->results[i];
		judge(e, v, i, bss->results[i], bss->out[i], &v->model.ops[i],
		      &strict.ops[i]);
	}
	v->got[c->n_ops + 1] = bss->discard_ret;
	judge(e, v, c->n_ops, bss->discard_ret, NULL, &v->model.discard,
	      &strict.discard);
	check_residency(e, c, ctx, v);
	check_writes(e, c, v);
	note_rules(c, v);
	e->seqs++;
	e->ops += c->n_ops + 2;
	return true;
}

/* --- Drawing sequences -------------------------------------------------- */

/* A file position near one of the edges a sequence should probe. */
static __u64 pick_pos(struct seq_env *e, struct rng *r)
{
	__u64 page = e->page, size = e->file.size;
	__u64 anchors[] = { 0,
			    page,
			    2 * page,
			    e->folio ? (__u64)e->folio : 16 * page,
			    2 * (e->folio ? (__u64)e->folio : 16 * page),
			    size,
			    round_up_to(size, page),
			    size > 3 * page ? size - 3 * page : 0,
			    M16,
			    G4,
			    1ull << 63,
			    ~0ull };
	__s64 deltas[] = { 0,
			   0,
			   1,
			   -1,
			   2,
			   -2,
			   7,
			   -17,
			   (__s64)page / 2,
			   -(__s64)page / 2,
			   (__s64)page,
			   -(__s64)page };
	__u64 a = anchors[rnd(r, N_ROWS(anchors))];

	/* Mostly where the file has something to read. */
	if (chance(r, 50) && e->file.n_data) {
		const struct extent *x = &e->file.data[rnd(r, e->file.n_data)];

		a = x->off + rnd(r, x->len + 1);
	}
	return a + (__u64)deltas[rnd(r, N_ROWS(deltas))];
}

static __u64 pick_len(struct seq_env *e, struct rng *r)
{
	__u64 lens[] = { 0,  1,	  2,	       8,	16,
			 64, 100, e->page - 1, e->page, e->page + 1 };

	if (chance(r, 15))
		return rnd(r, SEQ_MAX_LEN + 1);
	return lens[rnd(r, N_ROWS(lens))] % (SEQ_MAX_LEN + 1);
}

/* An offset into window @d: toward @pos if it lies in it, else its edges. */
static __u64 pick_off(struct seq_env *e, struct rng *r,
		      const struct model_dynptr *d, __u64 len)
{
	__u64 pos = pick_pos(e, r);

	if (chance(r, 20) && d->size != ~0ull)
		return d->size - len + rnd(r, 3) - 1;
	if (pos >= d->start)
		return pos - d->start;
	return rnd(r, 64);
}

static void gen_op(struct seq_env *e, struct rng *r, struct model *shadow,
		   int which, struct seq_op *op)
{
	const struct model_dynptr *d = &shadow->d[which];
	__u64 slices[] = { 1, 16, 256 };
	int pick = rnd(r, 100);

	op->which = which;
	op->a = op->b = 0;
	if (pick < 34) {
		op->code = SEQ_READ;
		op->b = pick_len(e, r);
		op->a = pick_off(e, r, d, op->b);
	} else if (pick < 56) {
		op->code = SEQ_ADJUST;
		op->a = chance(r, 15) ? d->size + rnd(r, 2) :
					pick_off(e, r, d, 0);
		if (chance(r, 15))
			op->b = chance(r, 50) ? d->size : ~0ull;
		else if (chance(r, 8))
			op->b = op->a - 1;
		else
			op->b = op->a + pick_len(e, r) + rnd(r, 2) * e->page;
	} else if (pick < 72) {
		op->code = chance(r, 90) ? SEQ_SLICE : SEQ_SLICE_NOBUF;
		op->b = slices[rnd(r, N_ROWS(slices))];
		op->a = pick_off(e, r, d, op->b);
	} else if (pick < 80) {
		op->code = SEQ_SIZE;
	} else if (pick < 85) {
		op->code = SEQ_IS_NULL;
	} else if (pick < 90) {
		op->code = SEQ_IS_RDONLY;
	} else if (pick < 95) {
		op->code = SEQ_WRITE;
		op->b = rnd(r, SEQ_WRITE_MAX + 1);
		op->a = pick_off(e, r, d, op->b);
	} else {
		op->code = SEQ_DATA;
		op->a = pick_off(e, r, d, 16);
	}
}

/* Pages a case's reads may touch, as the strict model places them. */
static int touched_pages(struct seq_env *e, const struct seq_case *c,
			 __u64 *pages, int max)
{
	struct seq_expect x;
	int n = 0, i;
	__u64 p;

	model_run(e, c, MODEL_SLEEPABLE, MODEL_STRICT, &x);
	for (i = 0; i < c->n_ops && n < max; i++) {
		const struct model_answer *a = &x.ops[i];

		if (!a->len || a->pos >= e->file.size)
			continue;
		/* Only pages that hold file bytes can be read in. */
		for (p = a->pos / e->page;
		     p * e->page < a->pos + a->len &&
		     p * e->page < e->file.size && n < max;
		     p++)
			pages[n++] = p;
	}
	return n;
}

static void gen_case(struct seq_env *e, struct rng *r, struct seq_case *c)
{
	struct model_file f = { .size = e->file.size, .page = e->page };
	__u64 pages[MAX_RESIDENT];
	struct model shadow;
	int clone = -1, i, n, mode;

	memset(c, 0, sizeof(*c));
	if (chance(r, 6))
		c->flags = chance(r, 50) ? 1u << rnd(r, 32) : ~0u;
	c->n_ops = 1 + rnd(r, SEQ_MAX_OPS);
	if (chance(r, 50))
		clone = rnd(r, c->n_ops);
	/* The shadow tracks windows only: it never reads. */
	model_init(&shadow, &f, MODEL_SLEEPABLE, MODEL_STRICT);
	model_create(&shadow, c->flags);
	for (i = 0; i < c->n_ops; i++) {
		if (i == clone) {
			c->ops[i] = (struct seq_op){ .code = SEQ_CLONE };
			model_clone(&shadow);
			continue;
		}
		gen_op(e, r, &shadow, clone >= 0 && i > clone && chance(r, 50),
		       &c->ops[i]);
		if (c->ops[i].code == SEQ_ADJUST)
			model_op(&shadow, &c->ops[i]);
	}
	c->discard_which = clone >= 0 && chance(r, 30);

	if (e->file.fs != FS_SCRATCH)
		return;
	/* Every touched page, none, or some of them, resident. */
	e->n_q = 0;
	n = touched_pages(e, c, pages, MAX_RESIDENT);
	mode = rnd(r, 100);
	for (i = 0; i < n; i++)
		if (mode < 35 || (mode >= 50 && chance(r, 60)))
			c->resident[c->n_resident++] = pages[i];
}

/* --- Shrinking and printing --------------------------------------------- */

/* @v still fails the rule of @first? */
static bool same_failure(const struct seq_verdict *first,
			 const struct seq_verdict *v)
{
	return v->failed && !strcmp(v->rule, first->rule);
}

static void drop_op(struct seq_case *c, int i)
{
	int k;

	if (c->ops[i].code == SEQ_CLONE) {
		/* No clone: what used it uses the dynptr. */
		for (k = i + 1; k < c->n_ops; k++)
			c->ops[k].which = 0;
		c->discard_which = 0;
	}
	memmove(&c->ops[i], &c->ops[i + 1],
		(c->n_ops - i - 1) * sizeof(c->ops[0]));
	c->n_ops--;
}

/* Smaller versions of a number: 0, 1, half, and a page edge below it. */
static int smaller(__u64 x, long page, __u64 *out)
{
	int n = 0;

	if (x > 0)
		out[n++] = 0;
	if (x > 1)
		out[n++] = 1;
	if (x > 2)
		out[n++] = x / 2;
	if (x % page && x > (__u64)page)
		out[n++] = x / page * page;
	if (x > 3 * (__u64)page)
		out[n++] = x - x / 4;
	/* Single steps only where they are few. */
	if (x > 0 && (x < 64 || x % page == 0))
		out[n++] = x - 1;
	return n;
}

/*
 * Tries @cand; keeps it in @c if it fails the same rule. @tries counts
 * the runs; a harness failure stops the shrinking.
 */
static bool try_case(struct seq_env *e, struct seq_case *c,
		     const struct seq_case *cand, enum model_ctx ctx,
		     struct seq_verdict *best, int *tries, bool *broken)
{
	struct seq_verdict v;

	if (*broken || *tries >= SHRINK_TRIES)
		return false;
	(*tries)++;
	if (!run_case(e, cand, ctx, &v)) {
		*broken = true;
		return false;
	}
	if (!same_failure(best, &v))
		return false;
	*c = *cand;
	*best = v;
	return true;
}

static bool shrink_numbers(struct seq_env *e, struct seq_case *c,
			   enum model_ctx ctx, struct seq_verdict *best,
			   int *tries, bool *broken)
{
	bool changed = false;
	__u64 alt[8];
	int i, k, n, which;

	for (i = 0; i < c->n_ops; i++) {
		for (which = 0; which < 2; which++) {
			struct seq_case cand = *c;
			__u64 *x = which ? &cand.ops[i].b : &cand.ops[i].a;

			/* A slice's size is one of three constants. */
			if (which && (c->ops[i].code == SEQ_SLICE ||
				      c->ops[i].code == SEQ_SLICE_NOBUF))
				continue;
			n = smaller(*x, e->page, alt);
			for (k = 0; k < n; k++) {
				*x = alt[k];
				if (try_case(e, c, &cand, ctx, best, tries,
					     broken)) {
					changed = true;
					break;
				}
			}
		}
	}
	return changed;
}

/* An adjust's window moved toward 0, its size kept. */
static bool shrink_windows(struct seq_env *e, struct seq_case *c,
			   enum model_ctx ctx, struct seq_verdict *best,
			   int *tries, bool *broken)
{
	bool changed = false;
	__u64 shift[3];
	int i, k;

	for (i = 0; i < c->n_ops; i++) {
		const struct seq_op *op = &c->ops[i];

		if (op->code != SEQ_ADJUST || !op->a || op->a > op->b)
			continue;
		shift[0] = op->a;
		shift[1] = op->a / 2;
		shift[2] = op->a % e->page;
		for (k = 0; k < 3; k++) {
			struct seq_case cand = *c;

			if (!shift[k])
				continue;
			cand.ops[i].a -= shift[k];
			cand.ops[i].b -= shift[k];
			if (try_case(e, c, &cand, ctx, best, tries, broken)) {
				changed = true;
				break;
			}
		}
	}
	return changed;
}

/* Fewer operations, fewer resident pages, no flags, smaller numbers. */
static void shrink(struct seq_env *e, struct seq_case *c, enum model_ctx ctx,
		   struct seq_verdict *best, int *tries)
{
	bool changed = true, broken = false;
	struct seq_case cand;
	int i;

	while (changed && !broken && *tries < SHRINK_TRIES) {
		changed = false;
		for (i = c->n_ops - 1; i >= 0; i--) {
			cand = *c;
			drop_op(&cand, i);
			changed |= try_case(e, c, &cand, ctx, best, tries,
					    &broken);
		}
		for (i = c->n_resident - 1; i >= 0; i--) {
			cand = *c;
			cand.resident[i] = cand.resident[--cand.n_resident];
			changed |= try_case(e, c, &cand, ctx, best, tries,
					    &broken);
		}
		if (c->flags) {
			cand = *c;
			cand.flags = 0;
			changed |= try_case(e, c, &cand, ctx, best, tries,
					    &broken);
		}
		if (c->discard_which) {
			cand = *c;
			cand.discard_which = 0;
			changed |= try_case(e, c, &cand, ctx, best, tries,
					    &broken);
		}
		changed |= shrink_windows(e, c, ctx, best, tries, &broken);
		changed |= shrink_numbers(e, c, ctx, best, tries, &broken);
	}
}

/* A number as a row writes it: PG(pages, bytes), near 0, 2^24 or 2^32. */
static void fmt_pgoff(struct seq_env *e, __u64 x, char *buf, size_t sz)
{
	__s64 anchors[] = { 0, M16, G4 }, d;
	__s64 best = 0, a;
	int i;

	if (x >= (1ull << 62)) {
		if (x == ~0ull)
			snprintf(buf, sz, "B(UMAX)");
		else
			snprintf(buf, sz, "B((long long)%#llxull)",
				 (unsigned long long)x);
		return;
	}
	for (i = 0; i < N_ROWS(anchors); i++) {
		a = anchors[i];
		if (llabs((__s64)x - a) < llabs((__s64)x - best))
			best = a;
	}
	if (e->folio && x >= (__u64)e->folio && x < 8ull * e->folio &&
	    llabs((__s64)x - best) >= e->folio / 2) {
		__s64 k = ((__s64)x + e->folio / 2) / e->folio;

		d = (__s64)x - k * e->folio;
		snprintf(buf, sz, "FOLIO_PG(%lld, %lld, %lld)", (long long)k,
			 (long long)(d / e->page), (long long)(d % e->page));
		return;
	}
	d = (__s64)x - best;
	if (!(d / e->page) && !best) {
		snprintf(buf, sz, "B(%lld)", (long long)x);
		return;
	}
	if (!best) {
		snprintf(buf, sz, "PG(%lld, %lld)", (long long)(d / e->page),
			 (long long)(d % e->page));
		return;
	}
	if (!(d % e->page))
		snprintf(buf, sz, "PG(%lld, %s)", (long long)(d / e->page),
			 best == G4 ? "G4" : "M16");
	else
		snprintf(buf, sz, "PG(%lld, %s %c %lld)",
			 (long long)(d / e->page), best == G4 ? "G4" : "M16",
			 d % e->page < 0 ? '-' : '+', llabs(d % e->page));
}

static void print_row(struct seq_env *e, const struct seq_case *c,
		      enum model_ctx ctx, const char *rule)
{
	char a[128], b[128];
	int i;

	fmt_pgoff(e, e->file.size, a, sizeof(a));
	printf("\t{ CASE_AT(\"%s\"), %s, %s, %s,\n", rule,
	       ctx == MODEL_SLEEPABLE ? "MODEL_SLEEPABLE" :
					"MODEL_NONSLEEPABLE",
	       fs_names[e->file.fs], a);
	printf("\t  .data = {");
	for (i = 0; i < e->file.n_data; i++) {
		fmt_pgoff(e, e->file.data[i].off, a, sizeof(a));
		fmt_pgoff(e, e->file.data[i].len, b, sizeof(b));
		printf("%s{ %s, %s }", i ? ", " : " ", a, b);
	}
	printf(" },\n");
	if (c->n_resident) {
		printf("\t  .resident = {");
		for (i = 0; i < c->n_resident; i++) {
			fmt_pgoff(e, c->resident[i] * e->page, a, sizeof(a));
			printf("%s%s", i ? ", " : " ", a);
		}
		printf(" }, .n_resident = %d,\n", c->n_resident);
	}
	if (c->flags)
		printf("\t  .flags = %#x,\n", c->flags);
	printf("\t  .ops = {");
	for (i = 0; i < c->n_ops; i++) {
		fmt_pgoff(e, c->ops[i].a, a, sizeof(a));
		fmt_pgoff(e, c->ops[i].b, b, sizeof(b));
		printf("%s\n\t\t   OP(%s, %u, %s, %s)", i ? "," : "",
		       op_names[c->ops[i].code], c->ops[i].which, a, b);
	}
	printf(" },\n");
	if (c->discard_which)
		printf("\t  .discard_which = 1,\n");
	printf("\t},\n");
}

static void print_unit(const struct seq_case *c, const struct seq_verdict *v,
		       int unit)
{
	const struct model_answer *m;
	char what[80];

	if (unit < 0) {
		m = &v->model.create;
		snprintf(what, sizeof(what), "from_file(flags=%#x)", c->flags);
	} else if (unit == c->n_ops) {
		m = &v->model.discard;
		snprintf(what, sizeof(what), "discard(%s)",
			 c->discard_which ? "clone" : "dynptr");
	} else {
		const struct seq_op *op = &c->ops[unit];

		m = &v->model.ops[unit];
		snprintf(what, sizeof(what), "%s(%s, %#llx, %#llx)",
			 op_names[op->code], op->which ? "clone" : "dynptr",
			 (unsigned long long)op->a, (unsigned long long)op->b);
	}
	printf("  %s %2d %-48s model %-6lld kernel %-6lld %s%s%s\n",
	       v->failed && v->unit == unit ? "=>" : "  ", unit + 1, what,
	       (long long)m->ret, (long long)v->got[unit + 1], m->rule,
	       m->deviation >= 0 ? " deviation " : "",
	       m->deviation >= 0 ? model_switch_names[m->deviation] : "");
}

static void report_failure(struct seq_env *e, const char *origin,
			   const struct test_case_at *at,
			   const struct seq_case *c, enum model_ctx ctx,
			   const struct seq_verdict *v, int tries)
{
	const struct test_case_at here = CASE_AT(NULL);
	int i;

	test__case(at ? NULL : v->rule, at ?: &here, "%s", origin);
	printf("model_seq: %s, %s, %s file of %llu bytes: [%s] %s (at %d of %d: shrunk in %d runs)\n",
	       origin, ctx == MODEL_SLEEPABLE ? "sleepable" : "nonsleepable",
	       fs_names[e->file.fs], (unsigned long long)e->file.size, v->rule,
	       v->what, v->unit + 1, c->n_ops, tries);
	for (i = -1; i <= c->n_ops; i++)
		print_unit(c, v, i);
	printf("model_seq: the sequence as a row of rows[] in prog_tests/model_seq.c:\n");
	print_row(e, c, ctx, v->rule);
	ASSERT_FALSE(v->failed, v->what);
	test__case_end();
}

/*
 * Runs @c in both contexts. On a mismatch: shrinks, reports, and returns
 * false so the caller stops drawing (one minimal report beats many).
 */
static bool check_case(struct seq_env *e, struct seq_case *c,
		       const char *origin, bool *harness_ok)
{
	enum model_ctx ctx;
	struct seq_verdict v;
	int tries = 0;

	for (ctx = MODEL_NONSLEEPABLE; ctx <= MODEL_SLEEPABLE; ctx++) {
		if (!run_case(e, c, ctx, &v)) {
			*harness_ok = false;
			return false;
		}
		if (!v.failed)
			continue;
		shrink(e, c, ctx, &v, &tries);
		report_failure(e, origin, NULL, c, ctx, &v, tries);
		return false;
	}
	return true;
}

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
		add_data(f, pg(row->data[k].off), pg(row->data[k].len));
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
		if (f.fs == FS_SCRATCH && !e->scratch_evicts) {
			test__skip(
				"row %d needs a scratch directory whose pages can be evicted",
				i + 1);
			return;
		}
		if (f.fs == FS_TMPFS_HUGE &&
		    !test__require_kconfig("CONFIG_TRANSPARENT_HUGEPAGE"))
			return;
		if (f.fs == FS_TMPFS_HUGE && !e->tmpfs_huge[0]) {
			test__skip("row %d needs a tmpfs with huge=always",
				   i + 1);
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
