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
/*
 * Mark the current subtest (or the test) a setup error: the machine failed
 * a probe that its setup is supposed to pass (an ext4 scratch that would
 * not evict after bounded retries). It counts as failed, apart from a
 * kernel failure (ERROR in every format; exit 3 when nothing else failed),
 * never as a SKIP: a SKIP is for what the kernel or machine cannot do by
 * design. The caller returns after it.
 */
void test__setup_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* Mark the current subtest (or the test if none) failed. */
void test__fail(void);

/* A case: the rule of SEMANTICS.md it checks and the place of its row. */
struct test_case_at {
	const char *rule;
	const char *file;
	int line;
};

/* A row's rule and place, here: { .at = CASE_AT("R-READ-1"), ... }. */
#define CASE_AT(rule)                      \
	{                                  \
		(rule), __FILE__, __LINE__ \
	}

/*
 * Open the case of rule @rule (NULL: the row's own, at->rule) at the place
 * of row @at, described by FMT (may be NULL). Until the next test__case(), test__case_end() or the subtest's
 * end, a failing assertion prints "FILE:LINE: FAIL [RULE] ..." with the
 * row's place and says where it was checked; the subtest's first failure
 * gives it its rule, which the results carry and a known deviation must
 * name to mute it. Every rule a subtest's cases named is listed in its
 * results ("rules"), failed or not: scripts/check-rules.py proves from
 * them that each rule was checked.
 */
void test__case(const char *rule, const struct test_case_at *at,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void test__case_end(void);

/* The checks that follow, up to the next case, are of RULE (here). */
#define TEST_RULE(rule) \
	test__case(NULL, &(const struct test_case_at)CASE_AT(rule), NULL)

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
 * For tests that draw random cases: the seed given with -s (true), else
 * false and @seed untouched. Such a test prints the seed it uses, so that
 * -s replays its run exactly.
 */
bool test__seed(unsigned long long *seed);

/*
 * The --budget given: a number of cases (*secs false) or of seconds
 * (*secs true); false if none was given.
 */
bool test__budget(long *amount, bool *secs);

/*
 * For tests that predict results from a model of the contract: the rule
 * of the known-deviations entry (-X) that turns on the model's switch
 * @model ("model = NAME") for the running kernel, or NULL when none does.
 * The entry also covers the subtest "deviation_NAME", where such a test
 * fails, under that rule, when the kernel behaved as the entry says: so the
 * deviation shows as XFAIL, and as XPASS once it no longer reproduces.
 */
const char *test__known_deviation(const char *model);

/*
 * Something a test needs that the kernel or the machine may lack, as the
 * suite defines it: unmet() returns NULL when it is there, else the reason,
 * which the runner gives as the test's SKIP before running it.
 */
struct test_need {
	const char *name;
	const char *(*unmet)(void);
};

#define TEST_MAX_NEEDS 4

/*
 * A kernel option a test needs, by name ("CONFIG_..."), and where: @subtests,
 * a pattern (fnmatch) of the subtests that need it, NULL for the whole test,
 * or TEST_KCONFIG_ROWS when only some rows of a subtest do (the test asks
 * test__require_kconfig() at those rows). @witness: a kernel function the
 * option builds in, looked for in the BTF when the kernel's configuration
 * cannot be read (a guest's, usually).
 */
struct test_kconfig {
	const char *option;
	const char *subtests;
	const char *witness;
};

#define TEST_MAX_KCONFIGS 16
#define TEST_KCONFIG_ROWS "(rows)"

/*
 * What a test declares about itself, once, beside its function:
 *
 *	TEST_TRAITS(read_basic, .needs = { &need_file_dynptr, &need_bpf_lsm },
 *		    .parallel = true, .lane = LANE_PAGE_CACHE);
 *
 * .needs: checked by the runner before the test runs; the first unmet one
 * skips it with its reason. .kconfigs: the kernel options it needs, each
 * checked by the runner as its test or subtest starts, which skips it
 * ("built without" the option) when the running kernel's configuration, or
 * the option's witness in the BTF, says so; scripts/check-rules.py checks
 * that config holds each, with the test named in its reason.
 * .parallel, .lane: how it may share the machine under -j: a test without
 * .parallel runs alone, parallel tests beside each other, tests of one lane
 * one at a time (tests that use one kind of shared state, the page cache
 * say); never beside another run of itself.
 * .guest_files: space-separated paths of the host the test reads, which a
 * guest must carry (vmtest asks the runner: test_progs --guest-files).
 */
struct test_traits {
	const struct test_need *needs[TEST_MAX_NEEDS];
	struct test_kconfig kconfigs[TEST_MAX_KCONFIGS];
	bool parallel;
	const char *lane;
	const char *guest_files;
};

#define TEST_TRAITS(test, ...) \
	const struct test_traits test_traits_##test = { __VA_ARGS__ }

/*
 * For a need of some rows only (TEST_KCONFIG_ROWS): true if the running
 * kernel has @option, or if nothing tells (the log says so); else skips the
 * current subtest "built without @option" and returns false. An option the
 * test's traits do not list fails the test.
 */
bool test__require_kconfig(const char *option);

/*
 * NULL if the running kernel's BTF has the kfunc, else the reason a test
 * needing it skips: "kernel 6.18.44 lacks KFUNC (added in SINCE)". For a
 * struct test_need's unmet().
 */
const char *test__kfunc_missing(const char *kfunc, const char *since);

/*
 * Declarative verifier tests (runner/verifier.c). For every program of a
 * BPF object, in section order, a subtest named after it: the program
 * loaded alone (a fresh object, only it autoloaded, verifier log level 1),
 * its verdict and log judged by the annotations of progs/verifier_expect.h:
 * __success or __failure; __msg("text {{regex}}"), as in the kernel's
 * selftests: literal text with regex parts, several in their order;
 * __rule("R-..."): the rule of SEMANTICS.md it checks, named by a failure.
 * A mismatch prints both verdicts, what was not found, the log's tail and
 * what libbpf said.
 */
void test__run_verifier_expectations(const char *obj_name,
				     const void *(*elf_bytes)(size_t *sz));
#define RUN_VERIFIER_EXPECTATIONS(skel) \
	test__run_verifier_expectations(#skel, skel##__elf_bytes)

/*
 * The loader under it, for other tests: opens the object in @bytes afresh,
 * autoloads only program @prog, calls @prepare (may be NULL) to adjust
 * the object, loads it with the verifier log captured (grown on ENOSPC)
 * and closes it. Returns the log (free() it) with the load's result in
 * @err, or NULL after a harness failure (already reported). A load that
 * also loads another program of the object fails the current subtest.
 */
typedef void (*test__load_prepare_fn)(struct bpf_object *obj,
				      struct bpf_program *prog, void *arg);
char *test__load_alone(const char *obj_name, const void *bytes, size_t sz,
		       const char *prog, test__load_prepare_fn prepare,
		       void *arg, int *err);
/* Prints the last @lines lines of @text (a log), each after @prefix. */
void test__print_tail(const char *text, int lines, const char *prefix);

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

/* The expression's text comes from the outer macro, before expansion. */
#define __ASSERT_BOOL(macro, ok, expr, name, expected)                     \
	({                                                                 \
		bool ___ok = (ok);                                         \
		test__assert_bool(__FILE__, __LINE__, macro, (name), expr, \
				  ___ok, expected);                        \
	})
#define ASSERT_TRUE(cond, name) \
	__ASSERT_BOOL("ASSERT_TRUE", cond, #cond, name, true)
#define ASSERT_FALSE(cond, name) \
	__ASSERT_BOOL("ASSERT_FALSE", !(cond), #cond, name, false)

/* errno is sampled right away, before anything can clobber it. */
#define __ASSERT_RES(macro, res, expr, name, want_ok)                     \
	({                                                                \
		long long ___res = (res);                                 \
		int ___errno = errno;                                     \
		test__assert_res(__FILE__, __LINE__, macro, (name), expr, \
				 ___res, want_ok, ___errno);              \
	})
/* @res == 0 */
#define ASSERT_OK(res, name) __ASSERT_RES("ASSERT_OK", res, #res, name, true)
/* @res < 0 */
#define ASSERT_ERR(res, name) __ASSERT_RES("ASSERT_ERR", res, #res, name, false)

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
