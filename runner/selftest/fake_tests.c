// SPDX-License-Identifier: GPL-2.0
/*
 * Fake tests for the runner's self-test (run.sh): each exercises one way a
 * test can end.  None of them is about BPF itself.
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_progs.h"

void test_pass(void)
{
	const char *s = "abc";
	int zero = 0;

	printf("pass: this line is shown only with -v\n");
	ASSERT_EQ(2 + 2, 4, "sum");
	ASSERT_EQ(strlen(s), 3, "size_t vs int");
	ASSERT_LT(-1, 1u, "signed vs unsigned compares by value");
	ASSERT_GE(UINT64_MAX, 0, "large unsigned");
	ASSERT_NEQ(1, 2, "neq");
	ASSERT_LE(2, 2, "le");
	ASSERT_GT(3, 2, "gt");
	ASSERT_TRUE(s, "true");
	ASSERT_FALSE(zero, "false");
	ASSERT_OK(zero, "ok");
	ASSERT_ERR(-22, "err");
	ASSERT_OK_PTR(s, "ok ptr");
	ASSERT_ERR_PTR(NULL, "err ptr");
	ASSERT_NULL(NULL, "null");
	ASSERT_STREQ(s, "abc", "streq");
	ASSERT_MEMEQ(s, "abc", 3, "memeq");
}

void test_fail_eq(void)
{
	int sum = 2 + 2;

	printf("fail_eq: about to compare\n");
	ASSERT_EQ(sum, 5, "sum");
}

void test_fail_memeq(void)
{
	unsigned char actual[64], expected[64];
	int i;

	for (i = 0; i < 64; i++)
		actual[i] = expected[i] = i;
	actual[37] = 0xff;
	actual[38] = 0xfe;
	actual[50] = 0xfd;
	ASSERT_MEMEQ(actual, expected, sizeof(actual), "buffer");
}

void test_fail_misc(void)
{
	ASSERT_OK(-14, "errno-like");
	ASSERT_LT(4096, 16, "hex");
	ASSERT_STREQ("left", "right", "strings");
	ASSERT_TRUE(1 == 2, "truth");
	ASSERT_OK_PTR(NULL, "pointer");
}

void test_skip(void)
{
	test__skip("no frobnicator on this machine");
}

void test_subtests(void)
{
	if (test__start_subtest("alpha"))
		ASSERT_EQ(1, 1, "alpha");
	if (test__start_subtest("beta"))
		ASSERT_TRUE(false, "beta fails");
	if (test__start_subtest("gamma"))
		test__skip("gamma needs a gizmo");
	if (test__start_subtest("delta"))
		ASSERT_EQ(2, 2, "delta");
}

void test_some_skipped(void)
{
	if (test__start_subtest("one"))
		ASSERT_EQ(1, 1, "one");
	if (test__start_subtest("two"))
		test__skip("two is not ready");
}

void test_all_skipped(void)
{
	if (test__start_subtest("one"))
		test__skip("one is not ready");
	if (test__start_subtest("two"))
		test__skip("two is not ready");
}

void test_hang(void)
{
	if (test__start_subtest("before"))
		ASSERT_EQ(1, 1, "before");
	if (test__start_subtest("stuck")) {
		printf("hang: going to sleep forever\n");
		for (;;)
			pause();
	}
}

void test_crash(void)
{
	printf("crash: about to raise SIGSEGV\n");
	raise(SIGSEGV);
}

void test_early_exit(void)
{
	exit(0);
}

void test_kfunc_missing(void)
{
	if (!test__require_kfunc("bpf_no_such_kfunc_for_selftest", "99.1"))
		return;
	ASSERT_TRUE(false, "must not get here");
}

void test_kfunc_present(void)
{
	if (!test__require_kfunc("bpf_put_file", "6.12"))
		return;
	printf("kfunc_present: found bpf_put_file\n");
}

void test_libbpf_log(void)
{
	struct bpf_object *obj;

	obj = bpf_object__open_file("/nonexistent/selftest.bpf.o", NULL);
	ASSERT_ERR_PTR(obj, "open of a missing object fails");
}

void test_deviation(void)
{
	if (test__start_subtest("broken"))
		ASSERT_EQ(1, 2, "broken");
	if (test__start_subtest("fixed"))
		ASSERT_EQ(1, 1, "fixed");
}

void test_lone_deviation(void)
{
	ASSERT_EQ(3, 4, "lone");
}

/*
 * The run-wide fixture, steered by FAKE_FIXTURE: "fail" makes its setup
 * fail; "trace" has it leave a descriptor open that every test inherits
 * (test_fixture_fd checks) and print when it is set up and torn down.
 */
#include <fcntl.h>

#define FIXTURE_FD 99

int run_fixture_setup(void)
{
	const char *mode = getenv("FAKE_FIXTURE");

	if (!mode)
		return 0;
	if (!strcmp(mode, "fail"))
		return -1;
	printf("fixture: setup\n");
	fflush(stdout);
	return dup2(STDIN_FILENO, FIXTURE_FD) == FIXTURE_FD ? 0 : -1;
}

void run_fixture_teardown(void)
{
	if (getenv("FAKE_FIXTURE"))
		printf("fixture: teardown\n");
}

void test_fixture_fd(void)
{
	if (!getenv("FAKE_FIXTURE")) {
		test__skip("FAKE_FIXTURE is not set");
		return;
	}
	ASSERT_NEQ(fcntl(FIXTURE_FD, F_GETFD), -1,
		   "the fixture's descriptor is inherited");
}

/*
 * -j: tests that may run beside each other. Each holds a marker file in
 * $FAKE_PAR_DIR while it runs and checks what else is running: "x_par_*"
 * may overlap anything parallel, "x_lane_*" share the lane "x" and must
 * never see each other, "x_alone" declares no traits and must see nobody.
 */
#include <dirent.h>
#include <stdio.h>

static int count_markers(const char *dir, const char *prefix, const char *self)
{
	struct dirent *e;
	int n = 0;
	DIR *d = opendir(dir);

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    !strncmp(e->d_name, prefix, strlen(prefix)) &&
		    strcmp(e->d_name, self))
			n++;
	closedir(d);
	return n;
}

/* Holds the marker @self for @ms, counting others with @prefix meanwhile. */
static int hold_marker(const char *self, const char *prefix, int ms)
{
	const char *dir = getenv("FAKE_PAR_DIR");
	char path[512];
	int seen = 0, i, fd;

	snprintf(path, sizeof(path), "%s/%s", dir, self);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	for (i = 0; i < ms / 50; i++) {
		int n = count_markers(dir, prefix, self);

		if (n > seen)
			seen = n;
		usleep(50000);
	}
	unlink(path);
	return seen;
}

static bool par_dir(void)
{
	if (getenv("FAKE_PAR_DIR"))
		return true;
	test__skip("FAKE_PAR_DIR is not set");
	return false;
}

TEST_TRAITS(x_par_a, .parallel = true);
void test_x_par_a(void)
{
	if (par_dir())
		printf("x_par_a saw %d other running tests\n",
		       hold_marker("x_par_a", "", 1000));
}

TEST_TRAITS(x_par_b, .parallel = true);
void test_x_par_b(void)
{
	if (par_dir())
		printf("x_par_b saw %d other running tests\n",
		       hold_marker("x_par_b", "", 1000));
}

TEST_TRAITS(x_lane_a, .parallel = true, .lane = "x");
void test_x_lane_a(void)
{
	if (par_dir())
		ASSERT_EQ(hold_marker("x_lane_a", "x_lane_", 500), 0,
			  "no other test of lane x beside it");
}

TEST_TRAITS(x_lane_b, .parallel = true, .lane = "x");
void test_x_lane_b(void)
{
	if (par_dir())
		ASSERT_EQ(hold_marker("x_lane_b", "x_lane_", 500), 0,
			  "no other test of lane x beside it");
}

void test_x_alone(void)
{
	if (par_dir())
		ASSERT_EQ(hold_marker("x_alone", "", 300), 0,
			  "no other test beside one without traits");
}

/* Cases and rules: a failing row names its rule and its place. */
static const struct {
	struct test_case_at at;
	int a, b;
} case_rows[] = {
	{ CASE_AT("R-FAKE-5"), 1, 1 },
	{ CASE_AT("R-FAKE-6"), 2, 3 },
	{ CASE_AT("R-FAKE-5"), 4, 4 },
};

void test_x_cases(void)
{
	size_t i;

	if (test__start_subtest("rows")) {
		for (i = 0; i < sizeof(case_rows) / sizeof(case_rows[0]); i++) {
			test__case(NULL, &case_rows[i].at, "a=%d",
				   case_rows[i].a);
			ASSERT_EQ(case_rows[i].a, case_rows[i].b, "a == b");
		}
	}
	if (test__start_subtest("other_rule")) {
		TEST_RULE("R-FAKE-7");
		ASSERT_EQ(1, 2, "fails under R-FAKE-7");
	}
	/* A deviation of the first rule must not hide the second's failure. */
	if (test__start_subtest("two_rules")) {
		TEST_RULE("R-FAKE-8");
		ASSERT_EQ(1, 2, "fails under R-FAKE-8");
		TEST_RULE("R-FAKE-7");
		ASSERT_EQ(1, 2, "fails under R-FAKE-7");
	}
}

/*
 * What the runner tells a test that draws random cases or follows a model:
 * the seed (-s), the budget (--budget) and a model switch (model = NAME).
 */
void test_y_model_switch(void)
{
	const char *rule = test__known_deviation("fake_switch");
	unsigned long long seed;
	long amount;
	bool secs;

	if (test__seed(&seed))
		printf("seed %#llx\n", seed);
	else
		printf("seed none\n");
	if (test__budget(&amount, &secs))
		printf("budget %ld%s\n", amount, secs ? " s" : "");
	else
		printf("budget none\n");
	printf("switch %s\n", rule ? rule : "off");
	if (test__start_subtest("deviation_fake_switch")) {
		TEST_RULE(rule ? rule : "R-FAKE-5");
		ASSERT_EQ(1, 0, "answers that followed the deviation");
	}
}

/*
 * Kernel options (.kconfigs): no kernel has these, so the runner skips
 * what needs them, by subtest and by row, saying where it read that; on
 * a machine where nothing tells (no configuration, no BTF) it says so and
 * runs them, and they skip themselves.
 */
TEST_TRAITS(z_kconfig,
	    .kconfigs = { { "CONFIG_FAKE_NONE", "absent", "fake_no_such_func" },
			  { "CONFIG_FAKE_ROWS", TEST_KCONFIG_ROWS,
			    "fake_no_such_func" } });

void test_z_kconfig(void)
{
	if (test__start_subtest("absent"))
		test__skip("nothing told the runner: it ran");
	if (test__start_subtest("rows")) {
		ASSERT_TRUE(true, "row 1 needs nothing");
		if (test__require_kconfig("CONFIG_FAKE_ROWS"))
			test__skip("nothing told the runner: row 2 ran");
	}
	if (test__start_subtest("undeclared"))
		test__require_kconfig("CONFIG_FAKE_UNDECLARED");
}

/* .lockdown_refused: "probe_*" cannot load under lockdown=confidentiality. */
TEST_TRAITS(z_lockdown, .lockdown_refused = "probe_*");

void test_z_lockdown(void)
{
	if (test__start_subtest("probe_read"))
		ASSERT_TRUE(true, "probe_read ran");
	if (test__start_subtest("plain"))
		ASSERT_TRUE(true, "plain ran");
}

/* A whole test refused under lockdown=confidentiality. */
TEST_TRAITS(z_lockdown_all, .lockdown_refused = "*");

void test_z_lockdown_all(void)
{
	ASSERT_TRUE(true, "z_lockdown_all ran");
}

/*
 * The kernel log (runner/kmsg.c): appends $FAKE_KMSG_LINES to the file the
 * runner watches in place of /dev/kmsg ($TEST_PROGS_KMSG), as a kernel
 * would log them while the test runs.
 */
void test_z_kmsg(void)
{
	const char *path = getenv("TEST_PROGS_KMSG");
	const char *lines = getenv("FAKE_KMSG_LINES");
	FILE *f;

	if (!path || !lines) {
		test__skip("TEST_PROGS_KMSG or FAKE_KMSG_LINES is not set");
		return;
	}
	f = fopen(path, "a");
	if (!ASSERT_OK_PTR(f, "open the fake kernel log"))
		return;
	fputs(lines, f);
	ASSERT_OK(fclose(f), "append to the fake kernel log");
}

/*
 * A setup the machine failed is ERROR, apart from FAIL and SKIP; a failure
 * in the same unit outweighs it.
 */
void test_z_setup_error(void)
{
	if (test__start_subtest("probe"))
		test__setup_error("scratch pages stay resident after %d tries",
				  5);
	if (test__start_subtest("fine"))
		ASSERT_EQ(1, 1, "fine");
	if (test__start_subtest("fails_too")) {
		test__setup_error("a probe failed");
		ASSERT_EQ(1, 2, "and so did a check");
	}
}
