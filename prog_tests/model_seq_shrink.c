// SPDX-License-Identifier: GPL-2.0
/*
 * model_seq_shrink.c: a failing sequence made smaller while it still
 * breaks the same rule.
 */
#include "model_seq.h"

/* --- Shrinking ---------------------------------------------------------- */

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
int seq_smaller(__u64 x, long page, __u64 *out)
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
			n = seq_smaller(*x, e->page, alt);
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

/*
 * Runs @c in both contexts. On a mismatch: shrinks, reports, and returns
 * false so the caller stops drawing (one minimal report beats many).
 */
bool check_case(struct seq_env *e, struct seq_case *c, const char *origin,
		bool *harness_ok)
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
