// SPDX-License-Identifier: GPL-2.0
/*
 * model_seq_run.c: one sequence run by the kernel, each answer judged
 * against the model and each byte against pread().
 */
#include <fcntl.h>
#include <unistd.h>
#include "model_seq.h"
#include "model_seq.skel.h"

/* --- The file ----------------------------------------------------------- */

static const char *fs_dir(struct seq_env *e, enum seq_fs fs)
{
	if (fs == FS_SCRATCH)
		return scratch_dir();
	return fs == FS_TMPFS ? e->tmpfs : e->tmpfs_huge;
}

void close_file(struct seq_env *e)
{
	if (e->fd < 0)
		return;
	file_released(e->fd, e->path, "the sequence's file");
	e->fd = -1;
}

/*
 * Creates the file and opens it for the program. POSIX_FADV_RANDOM: no
 * readahead, so a pread() of one page caches that page alone, and the
 * page-cache state is what the test made it.
 */
bool open_file(struct seq_env *e, const struct seq_file *f)
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
	__u64 limit = seq_round_up(e->file.size, e->folio ?: e->page) +
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
 * Makes a scratch file's page cache hold exactly the case's pages, held
 * resident through the trigger (hold_resident()), and proves it with
 * mincore(). tmpfs keeps what it has (its pages cannot be evicted): the
 * model asks mincore() what that is.
 */
static bool make_state(struct seq_env *e, const struct seq_case *c)
{
	__u64 at;
	char buf[1];
	ssize_t n;
	int i, err;

	if (e->file.fs != FS_SCRATCH)
		return true;
	release_resident(e->fd);
	err = evict_range(e->fd, 0, 0);
	if (err)
		return ASSERT_OK(err, "evict the file");
	for (i = 0; i < c->n_resident; i++) {
		at = c->resident[i] * e->page;
		n = pread(e->fd, buf, 1, at);
		if (n != 1)
			return ASSERT_EQ(n, 1, "pread() a page in");
		if (!hold_resident(e->fd, at, e->page))
			return false;
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
 * resident if listed, evicted if not (mincore() said so to the model). A
 * page POSIX_FADV_DONTNEED left (busy for a moment) is reported in
 * @left_at, not asserted: the caller evicts again.
 */
static bool state_as_made(struct seq_env *e, const struct seq_case *c,
			  __s64 *left_at)
{
	char name[96];
	bool listed;
	int i, k;

	*left_at = -1;
	if (e->file.fs != FS_SCRATCH)
		return true;
	for (i = 0; i < e->n_q; i++) {
		for (listed = false, k = 0; k < c->n_resident; k++)
			listed |= c->resident[k] == e->q_index[i];
		snprintf(name, sizeof(name),
			 "page %llu resident as made (mincore)",
			 (unsigned long long)e->q_index[i]);
		if (e->q_resident[i] && !listed) {
			*left_at = e->q_index[i];
			return false;
		}
		if (e->q_resident[i] != listed)
			return ASSERT_EQ(e->q_resident[i], listed, name);
	}
	return true;
}

/*
 * The case's page-cache state and the model's answers in it: made again
 * while eviction left a page (EVICT_TRIES), then a setup error.
 */
static bool model_in_state(struct seq_env *e, const struct seq_case *c,
			   enum model_ctx ctx, struct seq_expect *strict,
			   struct seq_verdict *v)
{
	__s64 left_at;
	int try;

	for (try = 1;; try++) {
		if (!make_state(e, c))
			return false;
		e->n_q = 0;
		e->q_failed = false;
		model_run(e, c, ctx, MODEL_STRICT, strict);
		model_run(e, c, ctx, e->switches, &v->model);
		if (e->q_failed)
			return ASSERT_FALSE(e->q_failed,
					    "mincore() answered the model");
		if (state_as_made(e, c, &left_at))
			break;
		if (left_at < 0)
			return false;
		if (try == EVICT_TRIES) {
			test__setup_error(
				"page %lld of a scratch file stays resident after %d tries of POSIX_FADV_DONTNEED",
				(long long)left_at, try);
			return false;
		}
		usleep(10000 * try);
	}
	if (try > 1)
		printf("model_seq: the page-cache state took %d tries\n", try);
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

struct model_answer model_op(struct model *m, const struct seq_op *op)
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

void model_run(struct seq_env *e, const struct seq_case *c, enum model_ctx ctx,
	       unsigned int switches, struct seq_expect *x)
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

void fail_at(struct seq_verdict *v, int unit, const char *rule, const char *fmt,
	     ...)
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
			if (!page_is_resident(e, p)) {
				v->reclaimed |= !v->failed;
				fail_at(v, i, "R-FAULT-2",
					"page %llu, read by the sleepable program, is not resident",
					(unsigned long long)p);
			}
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

static bool run_case_once(struct seq_env *e, const struct seq_case *c,
			  enum model_ctx ctx, struct seq_verdict *v)
{
	struct model_seq__bss *bss = e->skel->bss;
	struct seq_expect strict;
	struct bpf_program *prog;
	int i, err;

	memset(v, 0, sizeof(*v));
	if (!model_in_state(e, c, ctx, &strict, v))
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

/*
 * Runs @c in @ctx and judges every answer. False only if the harness
 * failed (asserted, or a setup error); a kernel mismatch is in @v. A run
 * whose only fault is a page reclaimed after the sleepable read brought
 * it in runs again (CASE_TRIES).
 */
bool run_case(struct seq_env *e, const struct seq_case *c, enum model_ctx ctx,
	      struct seq_verdict *v)
{
	int try = 1;
	bool ok;

	while ((ok = run_case_once(e, c, ctx, v)) && v->reclaimed &&
	       try < CASE_TRIES)
		try++;
	if (try > 1)
		printf("model_seq: a sequence ran %d times (pages reclaimed after its sleepable read)\n",
		       try);
	/* Its after-state (R-AFTER-1); the next case makes its own state. */
	if (ok)
		after_case_evictable(e->fd,
				     "pages left resident after a sequence");
	return ok;
}
