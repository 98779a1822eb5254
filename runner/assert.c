// SPDX-License-Identifier: GPL-2.0
/*
 * The out-of-line halves of the ASSERT_*() macros: compare, print what went
 * wrong into the test's log, mark the subtest (or test) failed.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "test_progs.h"

#define NUM_BUF 64

#define ENOTSUPP 524 /* the kernel's own, not in errno.h */

/* An errno value and its name. */
#define E(err)            \
	{                 \
		err, #err \
	}

/* The errno values BPF and file code returns most; others print as hex. */
static const char *errno_name(long long err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		E(EPERM),     E(ENOENT),    E(ESRCH),	   E(EINTR),
		E(EIO),	      E(ENXIO),	    E(E2BIG),	   E(EBADF),
		E(EAGAIN),    E(ENOMEM),    E(EACCES),	   E(EFAULT),
		E(EBUSY),     E(EEXIST),    E(EXDEV),	   E(ENODEV),
		E(ENOTDIR),   E(EISDIR),    E(EINVAL),	   E(EMFILE),
		E(ENOTTY),    E(EFBIG),	    E(ENOSPC),	   E(ESPIPE),
		E(EROFS),     E(EPIPE),	    E(ERANGE),	   E(ENAMETOOLONG),
		E(ENOSYS),    E(ENOTEMPTY), E(ELOOP),	   E(ENODATA),
		E(EOVERFLOW), E(EBADMSG),   E(EOPNOTSUPP), E(ETIMEDOUT),
		E(ECANCELED), E(ENOTSUPP)
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	return NULL;
}

/* Decimal, plus hex when it reads differently, or the errno name. */
static const char *format_num(char *buf, struct test__num n)
{
	const char *name;

	if (n.is_signed && n.s < 0) {
		name = errno_name(-n.s);
		if (name)
			snprintf(buf, NUM_BUF, "%lld (-%s)", n.s, name);
		else
			snprintf(buf, NUM_BUF, "%lld (-0x%llx)", n.s,
				 -(unsigned long long)n.s);
	} else if (n.u < 10) {
		snprintf(buf, NUM_BUF, "%llu", n.u);
	} else {
		snprintf(buf, NUM_BUF, "%llu (0x%llx)", n.u, n.u);
	}
	return buf;
}

static const char *format_ll(char *buf, long long v)
{
	return format_num(buf, (struct test__num){ true, v, v });
}

static int compare_nums(struct test__num a, struct test__num b)
{
	bool a_neg = a.is_signed && a.s < 0;
	bool b_neg = b.is_signed && b.s < 0;

	if (a_neg != b_neg)
		return a_neg ? -1 : 1;
	if (a_neg)
		return a.s < b.s ? -1 : a.s > b.s;
	return a.u < b.u ? -1 : a.u > b.u;
}

/*
 * Print the "file:line: FAIL 'name': MACRO(args)" head of a report. Under a
 * case (test__case()), the place is the case's row and the rule is named:
 * "row.c:31: FAIL [R-READ-1] 'name' (case ...; checked at helper.c:43)".
 */
static void report_head(bool ok, const char *file, int line, const char *name,
			const char *macro, const char *args)
{
	const char *rule, *row_file, *desc;
	int row_line;

	if (!ok)
		test__fail();
	if (ok && test__verbosity() < 1)
		return;
	if (!case_where(&rule, &row_file, &row_line, &desc)) {
		printf("%s:%d: %s '%s': %s(%s)%s", file, line,
		       ok ? "ok" : "FAIL", name, macro, args, ok ? "\n" : ": ");
		return;
	}
	printf("%s:%d: %s [%s] '%s'", row_file, row_line, ok ? "ok" : "FAIL",
	       rule, name);
	if (*desc || row_line != line || strcmp(row_file, file))
		printf(" (%s%s", desc, *desc ? "; " : "");
	if (row_line != line || strcmp(row_file, file))
		printf("checked at %s:%d", file, line);
	if (*desc || row_line != line || strcmp(row_file, file))
		printf(")");
	printf(": %s(%s)%s", macro, args, ok ? "\n" : ": ");
}

bool test__assert_cmp(const char *file, int line, const char *macro,
		      const char *name, const char *act_expr,
		      const char *exp_expr, enum test__cmp_op op,
		      struct test__num act, struct test__num exp)
{
	static const char *const op_text[] = { "",    "!= ", "< ",
					       "<= ", "> ",  ">= " };
	char args[512], act_buf[NUM_BUF], exp_buf[NUM_BUF];
	int cmp = compare_nums(act, exp);
	bool ok;

	switch (op) {
	case TEST__EQ:
		ok = cmp == 0;
		break;
	case TEST__NE:
		ok = cmp != 0;
		break;
	case TEST__LT:
		ok = cmp < 0;
		break;
	case TEST__LE:
		ok = cmp <= 0;
		break;
	case TEST__GT:
		ok = cmp > 0;
		break;
	default:
		ok = cmp >= 0;
		break;
	}
	snprintf(args, sizeof(args), "%s, %s", act_expr, exp_expr);
	report_head(ok, file, line, name, macro, args);
	if (!ok)
		printf("actual %s, expected %s%s\n", format_num(act_buf, act),
		       op_text[op], format_num(exp_buf, exp));
	return ok;
}

bool test__assert_bool(const char *file, int line, const char *macro,
		       const char *name, const char *expr, bool ok,
		       bool expected)
{
	report_head(ok, file, line, name, macro, expr);
	if (!ok)
		printf("'%s' is %s\n", expr, expected ? "false" : "true");
	return ok;
}

static void print_errno(int saved_errno)
{
	const char *name = errno_name(saved_errno);

	if (saved_errno)
		printf(" (errno %d%s%s)", saved_errno, name ? " " : "",
		       name ?: "");
}

bool test__assert_res(const char *file, int line, const char *macro,
		      const char *name, const char *expr, long long res,
		      bool want_ok, int saved_errno)
{
	bool ok = want_ok ? res == 0 : res < 0;
	char buf[NUM_BUF];

	report_head(ok, file, line, name, macro, expr);
	if (!ok) {
		printf("actual %s, expected %s", format_ll(buf, res),
		       want_ok ? "0" : "< 0");
		/* errno means something only after a syscall-style -1. */
		if (want_ok && res == -1)
			print_errno(saved_errno);
		printf("\n");
	}
	return ok;
}

bool test__assert_ptr(const char *file, int line, const char *macro,
		      const char *name, const char *expr, const void *ptr,
		      int want)
{
	int saved_errno = errno;
	long err = libbpf_get_error(ptr);
	char buf[NUM_BUF];
	bool ok;

	if (want == TEST__PTR_NULL)
		ok = ptr == NULL;
	else
		ok = (ptr && !err) == (want == TEST__PTR_OK);
	report_head(ok, file, line, name, macro, expr);
	if (ok)
		return true;
	if (want != TEST__PTR_OK)
		printf("actual %p, expected %s\n", ptr,
		       want == TEST__PTR_NULL ? "NULL" : "NULL or an error");
	else if (ptr)
		printf("actual error pointer %s\n", format_ll(buf, err));
	else {
		printf("actual NULL");
		print_errno(saved_errno);
		printf("\n");
	}
	return false;
}

/* Quote a string, escaping what would garble the log. */
static void print_quoted(const char *s)
{
	if (!s) {
		printf("NULL");
		return;
	}
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if (isprint((unsigned char)*s))
			putchar(*s);
		else
			printf("\\x%02x", (unsigned char)*s);
	}
	putchar('"');
}

bool test__assert_streq(const char *file, int line, const char *name,
			const char *act_expr, const char *exp_expr,
			const char *act, const char *exp)
{
	bool ok = act && exp ? !strcmp(act, exp) : act == exp;
	char args[512];

	snprintf(args, sizeof(args), "%s, %s", act_expr, exp_expr);
	report_head(ok, file, line, name, "ASSERT_STREQ", args);
	if (!ok) {
		printf("actual ");
		print_quoted(act);
		printf(", expected ");
		print_quoted(exp);
		printf("\n");
	}
	return ok;
}

#define ROW 16

static void print_row(const char *label, const unsigned char *buf, size_t start,
		      size_t end)
{
	size_t i;

	printf("%s", label);
	for (i = start; i < end; i++)
		printf(" %02x", buf[i]);
	printf("\n");
}

/*
 * Show 16-byte rows around the first difference: the row holding it, one
 * before and one after, actual above expected, "^^" under each mismatch.
 */
static void print_mem_window(const unsigned char *act, const unsigned char *exp,
			     size_t len, size_t first)
{
	size_t row = first / ROW * ROW;
	size_t start = row >= ROW ? row - ROW : 0;
	size_t end = row + 2 * ROW < len ? row + 2 * ROW : len;
	size_t r, i, row_end;
	char label[32];

	printf("  offset   actual (a) above expected (e); ^^ marks a difference\n");
	for (r = start; r < end; r += ROW) {
		row_end = r + ROW < end ? r + ROW : end;
		snprintf(label, sizeof(label), "  0x%06zx a:", r);
		print_row(label, act, r, row_end);
		print_row("           e:", exp, r, row_end);
		if (!memcmp(act + r, exp + r, row_end - r))
			continue;
		while (act[row_end - 1] == exp[row_end - 1])
			row_end--;
		printf("%13s", "");
		for (i = r; i < row_end; i++)
			printf("%s", act[i] != exp[i] ? " ^^" : "   ");
		printf("\n");
	}
}

bool test__assert_memeq(const char *file, int line, const char *name,
			const char *act_expr, const char *exp_expr,
			const void *actual, const void *expected, size_t len)
{
	const unsigned char *act = actual, *exp = expected;
	size_t i, first = len, nr_diff = 0;
	char args[512];
	bool ok;

	for (i = 0; i < len; i++) {
		if (act[i] == exp[i])
			continue;
		if (!nr_diff++)
			first = i;
	}
	ok = nr_diff == 0;
	snprintf(args, sizeof(args), "%s, %s, %zu", act_expr, exp_expr, len);
	report_head(ok, file, line, name, "ASSERT_MEMEQ", args);
	if (ok)
		return true;
	printf("first difference at offset %zu (0x%zx), %zu of %zu bytes differ\n",
	       first, first, nr_diff, len);
	print_mem_window(act, exp, len, first);
	return false;
}
