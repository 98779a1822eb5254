// SPDX-License-Identifier: GPL-2.0
/*
 * model_seq_gen.c: drawing a sequence and its file from a seed.
 */
#include "model_seq.h"

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

__u64 seq_round_up(__u64 x, __u64 to)
{
	return (x + to - 1) / to * to;
}

/* Adds [off, off + len) clipped to the file, if anything is left. */
void seq_add_data(struct seq_file *f, __s64 off, __s64 len)
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

void gen_file(struct seq_env *e, struct rng *r, struct seq_file *f)
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
		seq_add_data(f, 0, f->size);
		return;
	}
	f->size = sizes[rnd(r, N_ROWS(sizes))];
	if (f->size <= 4 * (__u64)page || chance(r, 30)) {
		seq_add_data(f, 0,
			     f->size <= 64ull << 20 ? f->size : 4ull * page);
		if (f->size > 64ull << 20)
			seq_add_data(f, f->size - 3 * page, 3 * page);
		return;
	}
	/* Sparse: data at the start, around 2^24 and 2^32, before EOF. */
	seq_add_data(f, 0, (1 + rnd(r, 3)) * page);
	seq_add_data(f, M16 - 2 * page, 4 * page);
	seq_add_data(f, G4 - 2 * page, 4 * page);
	seq_add_data(f, f->size - 3 * page, 3 * page);
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
			    seq_round_up(size, page),
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

void gen_case(struct seq_env *e, struct rng *r, struct seq_case *c)
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
