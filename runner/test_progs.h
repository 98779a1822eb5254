/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The API that test files in prog_tests/ use.
 *
 * A test is a function "void test_<name>(void)" starting a line of a file
 * in prog_tests/; runner/gen-tests.sh finds it at build time.  Each test
 * runs in its own child process; what it prints goes to a captured log,
 * shown when the test fails (or always with -v).
 */
#ifndef __TEST_PROGS_H
#define __TEST_PROGS_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <bpf/libbpf.h>

/*
 * Start subtest @name, ending the previous subtest of the test.  Returns
 * false if the filters exclude it: the caller then skips its body.
 */
bool test__start_subtest(const char *name);

/* Mark the current subtest (or the test if none) skipped, with a reason. */
void test__skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Mark the current subtest (or the test if none) failed. */
void test__fail(void);

/*
 * Return true if the running kernel's BTF has the kfunc @kfunc.  If not,
 * skip the current subtest (or test) saying the kernel lacks it and that
 * it was added in release @since, and return false.
 */
bool test__require_kfunc(const char *kfunc, const char *since);

/*
 * The kernel's active LSMs, comma-separated as /sys/kernel/security/lsm
 * lists them ("lockdown,capability,yama,bpf"), or NULL if that file cannot
 * be read (securityfs not mounted).
 */
const char *test__lsm_list(void);

/* 0 by default, 1 with -v, 2 with -vv (e.g. to ask for verifier logs). */
int test__verbosity(void);

/* The running kernel's release, "uname -r" cut at the first '-' or '+'. */
const char *test__kernel_release(void);

/*
 * How a test may share the machine under -j (runner option). A test that
 * declares no traits runs alone. TEST_TRAITS(name, .parallel = true) lets
 * it run beside other parallel tests; adding .lane = "NAME" keeps it from
 * running beside another test of the same lane (tests that use one kind
 * of shared state, the page cache say, one at a time). A test never runs
 * beside another run of itself.
 */
struct test_traits {
	bool parallel;
	const char *lane;
};

#define TEST_TRAITS(test, ...) \
	const struct test_traits test_traits_##test = { __VA_ARGS__ }

/*
 * An optional run-wide fixture.  One file of prog_tests/ may define these;
 * the runner calls run_fixture_setup() in its own process once, after its
 * probes and before the first test, and run_fixture_teardown() after the
 * last.  What the setup holds open (descriptors, BPF links) is inherited by
 * every test's child.  A fixture must not change what any test observes,
 * only how fast it runs; a non-zero return ends the run with exit code 3.
 */
int run_fixture_setup(void) __attribute__((weak));
void run_fixture_teardown(void) __attribute__((weak));

/*
 * Assertions.  Each is an expression that evaluates to true if the check
 * held.  A failing assertion prints where it is, its name, the expression
 * and the values involved, and marks the current subtest (or test) failed;
 * the test goes on, so callers usually write "if (!ASSERT_...) return;".
 */

/* Internal: a value of any integer type, kept with its signedness. */
struct test__num {
	bool is_signed;
	long long s;
	unsigned long long u;
};

enum test__cmp_op {
	TEST__EQ,
	TEST__NE,
	TEST__LT,
	TEST__LE,
	TEST__GT,
	TEST__GE,
};

/* The "(type)-1 < 1" trick tells signedness without -Wtype-limits noise. */
#define __TEST_NUM(x)                                              \
	((struct test__num){                                       \
		.is_signed = (__typeof__(x))-1 < (__typeof__(x))1, \
		.s = (long long)(x),                               \
		.u = (unsigned long long)(x),                      \
	})

bool test__assert_cmp(const char *file, int line, const char *macro,
		      const char *name, const char *act_expr,
		      const char *exp_expr, enum test__cmp_op op,
		      struct test__num act, struct test__num exp);
bool test__assert_bool(const char *file, int line, const char *macro,
		       const char *name, const char *expr, bool ok,
		       bool expected);
bool test__assert_res(const char *file, int line, const char *macro,
		      const char *name, const char *expr, long long res,
		      bool want_ok, int saved_errno);
bool test__assert_ptr(const char *file, int line, const char *macro,
		      const char *name, const char *expr, const void *ptr,
		      int want);
bool test__assert_streq(const char *file, int line, const char *name,
			const char *act_expr, const char *exp_expr,
			const char *act, const char *exp);
bool test__assert_memeq(const char *file, int line, const char *name,
			const char *act_expr, const char *exp_expr,
			const void *act, const void *exp, size_t len);

#define __ASSERT_CMP(macro, op, actual, expected, name)                      \
	({                                                                   \
		__typeof__(actual) ___act = (actual);                        \
		__typeof__(expected) ___exp = (expected);                    \
		test__assert_cmp(__FILE__, __LINE__, macro, (name), #actual, \
				 #expected, op, __TEST_NUM(___act),          \
				 __TEST_NUM(___exp));                        \
	})

#define ASSERT_EQ(actual, expected, name) \
	__ASSERT_CMP("ASSERT_EQ", TEST__EQ, actual, expected, name)
#define ASSERT_NEQ(actual, expected, name) \
	__ASSERT_CMP("ASSERT_NEQ", TEST__NE, actual, expected, name)
#define ASSERT_LT(actual, expected, name) \
	__ASSERT_CMP("ASSERT_LT", TEST__LT, actual, expected, name)
#define ASSERT_LE(actual, expected, name) \
	__ASSERT_CMP("ASSERT_LE", TEST__LE, actual, expected, name)
#define ASSERT_GT(actual, expected, name) \
	__ASSERT_CMP("ASSERT_GT", TEST__GT, actual, expected, name)
#define ASSERT_GE(actual, expected, name) \
	__ASSERT_CMP("ASSERT_GE", TEST__GE, actual, expected, name)

#define ASSERT_TRUE(cond, name)                                              \
	({                                                                   \
		bool ___ok = (cond);                                         \
		test__assert_bool(__FILE__, __LINE__, "ASSERT_TRUE", (name), \
				  #cond, ___ok, true);                       \
	})

#define ASSERT_FALSE(cond, name)                                              \
	({                                                                    \
		bool ___ok = !(cond);                                         \
		test__assert_bool(__FILE__, __LINE__, "ASSERT_FALSE", (name), \
				  #cond, ___ok, false);                       \
	})

/* @res == 0; errno is sampled right away, before anything can clobber it. */
#define ASSERT_OK(res, name)                                              \
	({                                                                \
		long long ___res = (res);                                 \
		int ___errno = errno;                                     \
		test__assert_res(__FILE__, __LINE__, "ASSERT_OK", (name), \
				 #res, ___res, true, ___errno);           \
	})

/* @res < 0 */
#define ASSERT_ERR(res, name)                                              \
	({                                                                 \
		long long ___res = (res);                                  \
		int ___errno = errno;                                      \
		test__assert_res(__FILE__, __LINE__, "ASSERT_ERR", (name), \
				 #res, ___res, false, ___errno);           \
	})

/* What a pointer assertion wants of the pointer. */
#define TEST__PTR_OK 0 /* non-NULL and not a libbpf error */
#define TEST__PTR_ERR 1 /* NULL or a libbpf error */
#define TEST__PTR_NULL 2 /* NULL */

#define ASSERT_OK_PTR(ptr, name)                                            \
	test__assert_ptr(__FILE__, __LINE__, "ASSERT_OK_PTR", (name), #ptr, \
			 (const void *)(ptr), TEST__PTR_OK)
#define ASSERT_ERR_PTR(ptr, name)                                            \
	test__assert_ptr(__FILE__, __LINE__, "ASSERT_ERR_PTR", (name), #ptr, \
			 (const void *)(ptr), TEST__PTR_ERR)
#define ASSERT_NULL(ptr, name)                                            \
	test__assert_ptr(__FILE__, __LINE__, "ASSERT_NULL", (name), #ptr, \
			 (const void *)(ptr), TEST__PTR_NULL)

#define ASSERT_STREQ(actual, expected, name)                               \
	test__assert_streq(__FILE__, __LINE__, (name), #actual, #expected, \
			   (actual), (expected))

#define ASSERT_MEMEQ(actual, expected, len, name)                          \
	test__assert_memeq(__FILE__, __LINE__, (name), #actual, #expected, \
			   (actual), (expected), (len))

#endif /* __TEST_PROGS_H */
