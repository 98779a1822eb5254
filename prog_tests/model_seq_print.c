// SPDX-License-Identifier: GPL-2.0
/*
 * model_seq_print.c: a failing sequence printed, with a row for rows[].
 */
#include "model_seq.h"
#include "model_seq.skel.h"

/* --- Printing ----------------------------------------------------------- */

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

void report_failure(struct seq_env *e, const char *origin,
		    const struct test_case_at *at, const struct seq_case *c,
		    enum model_ctx ctx, const struct seq_verdict *v, int tries)
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
