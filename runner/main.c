// SPDX-License-Identifier: GPL-2.0
/* test_progs: command line, setup checks, and the run over the selection. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "test_progs.h"

struct options opts = {
	.watchdog_secs = 120,
	.repeat = 1,
	.jobs = 1,
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: test_progs [OPTION]...\n"
		"Run the tests built into this binary, each in its own process.\n"
		"\n"
		"Selection (items are comma-separated, NAME or NAME/SUBTEST, options repeatable;\n"
		"an item @FILE reads one item per line from FILE, skipping blanks and # comments):\n"
		"  -t, --name=NAME[,...]        run tests whose name contains NAME\n"
		"  -b, --skip-name=NAME[,...]   do not run tests whose name contains NAME\n"
		"  -a, --allow=GLOB[,...]       run tests whose name matches GLOB\n"
		"  -d, --deny=GLOB[,...]        do not run tests whose name matches GLOB\n"
		"      A test runs if no allow item is given or one matches it, and no deny\n"
		"      item without /SUBTEST matches it; subtests likewise, so that denying\n"
		"      TEST/SUBTEST skips only that subtest.\n"
		"  -l, --list                   list the selected tests and exit\n"
		"      --guest-files            list the host files the selected tests read\n"
		"                               (what a VM guest must carry) and exit\n"
		"\n"
		"Running:\n"
		"  -v, --verbose                show every test's log; -vv also libbpf debug\n"
		"                               output and verifier logs\n"
		"  -w, --watchdog=SECS          kill a test after SECS seconds and report it as\n"
		"                               TIMEOUT (default 120, 0 = no limit)\n"
		"  -r, --repeat=N               run the selection N times in a row\n"
		"  -j, --jobs=N                 run up to N tests at once where their traits\n"
		"                               allow (default 1); results print in order\n"
		"  -s, --seed=SEED              seed of the tests that draw random cases\n"
		"                               (decimal or 0x hex; 'random' draws one);\n"
		"                               they print the seed they use\n"
		"      --budget=N[s]            how many random cases such a test runs, or\n"
		"                               for how many seconds (Ns)\n"
		"  -X, --known-deviations=FILE  turn failures listed in FILE into XFAIL, and\n"
		"                               their passes into XPASS (a failure)\n"
		"\n"
		"Output:\n"

		"  -J, --json=FILE              also write a JSON summary to FILE: every test\n"
		"                               and subtest, its result, reason, rule, log and\n"
		"                               duration, in test_progs -J's shape; KTAP and\n"
		"                               JUnit come from it: vmtest/report.py --emit\n"
		"  -h, --help                   show this help\n"
		"\n"
		"The last line of output is \"N passed, N failed, N skipped\", counting each\n"
		"subtest (or test without subtests) once: XFAIL counts as passed, XPASS,\n"
		"TIMEOUT and ERROR (a setup the machine failed, not the kernel) as failed.\n"
		"\n"
		"Exit status:\n"
		"  0  every selected test passed (SKIP and XFAIL allowed)\n"
		"  1  a test or subtest failed, timed out or XPASSed\n"
		"  2  no test selected, or a usage error\n"
		"  3  setup error: not root, BPF unavailable, unreadable or malformed file,\n"
		"     or a test's setup ERROR with no failure\n"
		"\n"
		"Examples:\n"
		"  test_progs                          run everything\n"
		"  test_progs -t clone -v              tests whose name contains \"clone\"\n"
		"  test_progs -a 'read*/big_*' -w 10   glob on test and subtest names\n"
		"  test_progs -d @flaky.txt -J out.json\n"
		"  test_progs -X known-deviations.ini -J r.json &&\n"
		"      vmtest/report.py --emit --record r.json --ktap r.ktap --junit r.xml\n"
		"  test_progs -t clone/adjust -r 50    hunt for a flake\n");
}

static void __attribute__((noreturn)) usage_error(const char *fmt, ...)
{
	va_list ap;

	if (fmt) {
		fprintf(stderr, "test_progs: ");
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fprintf(stderr, "\n");
	}
	usage(stderr);
	exit(EXIT_NO_TESTS);
}

static int parse_count(const char *arg, const char *opt, int min)
{
	char *end;
	long val;

	val = strtol(arg, &end, 10);
	if (!*arg || *end || val < min || val > 1000000)
		usage_error("%s wants a number >= %d, not '%s'", opt, min, arg);
	return val;
}

static void add_filter(struct filter_list *list, const char *arg, bool glob)
{
	if (filters_add(list, arg, glob))
		exit(EXIT_SETUP);
}

enum { OPT_GUEST_FILES = 256, OPT_BUDGET };

static void parse_seed(const char *arg)
{
	char *end;
	FILE *f;

	opts.seed_given = true;
	if (!strcmp(arg, "random")) {
		f = fopen("/dev/urandom", "r");
		if (!f || fread(&opts.seed, sizeof(opts.seed), 1, f) != 1)
			usage_error("-s random: cannot read /dev/urandom");
		fclose(f);
		/* Short enough to type back. */
		opts.seed &= 0xffffffffull;
		return;
	}
	errno = 0;
	opts.seed = strtoull(arg, &end, 0);
	if (!*arg || *end || errno || *arg == '-')
		usage_error("-s wants a number or 'random', not '%s'", arg);
}

static void parse_budget(const char *arg)
{
	char *end;
	long val;

	val = strtol(arg, &end, 10);
	opts.budget_secs = *end == 's';
	if (opts.budget_secs)
		end++;
	if (!*arg || *end || val < 1 || val > 100000000)
		usage_error(
			"--budget wants N (cases) or Ns (seconds), N >= 1, not '%s'",
			arg);
	opts.budget = val;
}

static void parse_args(int argc, char **argv)
{
	static const struct option long_opts[] = {
		{ "name", required_argument, NULL, 't' },
		{ "skip-name", required_argument, NULL, 'b' },
		{ "allow", required_argument, NULL, 'a' },
		{ "deny", required_argument, NULL, 'd' },
		{ "list", no_argument, NULL, 'l' },
		{ "guest-files", no_argument, NULL, OPT_GUEST_FILES },
		{ "verbose", no_argument, NULL, 'v' },
		{ "watchdog", required_argument, NULL, 'w' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "seed", required_argument, NULL, 's' },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "json", required_argument, NULL, 'J' },
		{ "known-deviations", required_argument, NULL, 'X' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "t:b:a:d:lvw:r:j:s:J:X:h",
				long_opts, NULL)) != -1) {
		switch (c) {
		case 't':
			add_filter(&opts.filters.allow, optarg, false);
			break;
		case 'b':
			add_filter(&opts.filters.deny, optarg, false);
			break;
		case 'a':
			add_filter(&opts.filters.allow, optarg, true);
			break;
		case 'd':
			add_filter(&opts.filters.deny, optarg, true);
			break;
		case 'l':
			opts.list = true;
			break;
		case OPT_GUEST_FILES:
			opts.guest_files = true;
			break;
		case 'v':
			opts.verbosity++;
			break;
		case 'w':
			opts.watchdog_secs = parse_count(optarg, "-w", 0);
			break;
		case 'r':
			opts.repeat = parse_count(optarg, "-r", 1);
			break;
		case 'j':
			opts.jobs = parse_count(optarg, "-j", 1);
			break;
		case 's':
			parse_seed(optarg);
			break;
		case OPT_BUDGET:
			parse_budget(optarg);
			break;
		case 'J':
			opts.json_path = optarg;
			break;
		case 'X':
			opts.deviations_path = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_ALL_PASSED);
		default:
			usage_error(NULL); /* getopt said what is wrong */
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (opts.verbosity > 2)
		opts.verbosity = 2;
}

/* Each path the selected tests declare in .guest_files, once a line. */
static void print_guest_files(const int *selected, int n)
{
	char *seen = xstrdup(" "), *copy, *path, *save;
	int i;

	for (i = 0; i < n; i++) {
		const struct test_traits *t = all_tests[selected[i]].traits;

		if (!t || !t->guest_files)
			continue;
		copy = xstrdup(t->guest_files);
		for (path = strtok_r(copy, " ", &save); path;
		     path = strtok_r(NULL, " ", &save)) {
			char *key = xasprintf(" %s ", path), *grown;

			if (!strstr(seen, key)) {
				printf("%s\n", path);
				grown = xasprintf("%s%s ", seen, path);
				free(seen);
				seen = grown;
			}
			free(key);
		}
		free(copy);
	}
	free(seen);
}

/* Fill @selected with indexes into all_tests[]; return how many. */
static int select_tests(int *selected)
{
	int i, n = 0;

	for (i = 0; i < nr_all_tests; i++)
		if (filters_select_test(&opts.filters, all_tests[i].name))
			selected[n++] = i;
	return n;
}

/* libbpf in the runner itself (probes) speaks only when asked to. */
static int quiet_libbpf_print(enum libbpf_print_level level, const char *fmt,
			      va_list args)
{
	if (opts.verbosity < 2 && (level != LIBBPF_WARN || opts.verbosity < 1))
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void setup(void)
{
	libbpf_set_print(quiet_libbpf_print);
	if (probe_privileges() || probe_bpf())
		exit(EXIT_SETUP);
	probe_preload_btf();
}

/* Where the time went: the run's length and its slowest tests. */
static void report_time(const struct test_result *results, int n,
			long long wall_ms)
{
	const struct test_result *top[3] = { NULL };
	long long total = 0;
	int i, j, k;

	for (i = 0; i < n; i++) {
		total += results[i].duration_ms;
		for (j = 0; j < 3; j++) {
			if (top[j] &&
			    top[j]->duration_ms >= results[i].duration_ms)
				continue;
			for (k = 2; k > j; k--)
				top[k] = top[k - 1];
			top[j] = &results[i];
			break;
		}
	}
	printf("time: %lld.%lld s in tests", total / 1000, total % 1000 / 100);
	if (opts.jobs > 1)
		printf(", %lld.%lld s wall with -j %d", wall_ms / 1000,
		       wall_ms % 1000 / 100, opts.jobs);
	printf("; slowest:");
	for (j = 0; j < 3 && top[j]; j++)
		printf(" %s %lld.%lld s", top[j]->test->name,
		       top[j]->duration_ms / 1000,
		       top[j]->duration_ms % 1000 / 100);
	printf("\n");
}

static struct totals run_tot;

/* A test's result, in the selection's order: print it, count it. */
static void test_done(struct test_result *res)
{
	report_test(res);
	result_add_totals(res, &run_tot);
	/* Only failures' logs go into the JSON summary. */
	if (!res->has_failure) {
		free(res->log);
		res->log = NULL;
		res->log_len = 0;
	}
}

static int run_all(const int *selected, int nr_selected)
{
	int n = nr_selected * opts.repeat, run, i, k = 0;
	struct timespec t0, t1;
	struct test_result *results;
	struct planned_run *plan;

	results = xcalloc(n, sizeof(*results));
	plan = xcalloc(n, sizeof(*plan));
	for (run = 1; run <= opts.repeat; run++)
		for (i = 0; i < nr_selected; i++, k++)
			plan[k] = (struct planned_run){ selected[i], run };
	report_begin(nr_selected);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	run_planned(plan, n, results, test_done);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	run_tot.wall_ms = (t1.tv_sec - t0.tv_sec) * 1000LL +
			  (t1.tv_nsec - t0.tv_nsec) / 1000000;
	report_time(results, n, run_tot.wall_ms);
	if (opts.deviations_path)
		deviations_report_unmatched(results, n);
	report_end(&run_tot);
	if (opts.json_path && report_json(opts.json_path, results, n, &run_tot))
		return EXIT_SETUP;
	for (i = 0; i < n; i++)
		result_free(&results[i]);
	free(results);
	free(plan);
	/* A kernel's failure is a verdict; a setup error alone is none. */
	if (run_tot.fail || run_tot.timeout || run_tot.xpass)
		return EXIT_FAILED;
	return run_tot.error ? EXIT_SETUP : EXIT_ALL_PASSED;
}

int main(int argc, char **argv)
{
	int *selected, nr_selected, i, ret;

	parse_args(argc, argv);
	if (opts.deviations_path &&
	    deviations_load(opts.deviations_path, test__kernel_release()))
		return EXIT_SETUP;

	selected = xcalloc(nr_all_tests, sizeof(*selected));
	nr_selected = select_tests(selected);
	if (!nr_selected) {
		fprintf(stderr,
			"test_progs: no test matches the filters (%d tests built in; see -l)\n",
			nr_all_tests);
		return EXIT_NO_TESTS;
	}
	if (opts.list) {
		for (i = 0; i < nr_selected; i++)
			printf("%s\n", all_tests[selected[i]].name);
		return EXIT_ALL_PASSED;
	}
	if (opts.guest_files) {
		print_guest_files(selected, nr_selected);
		return EXIT_ALL_PASSED;
	}

	setup();
	if (run_fixture_setup && run_fixture_setup()) {
		fprintf(stderr,
			"test_progs: the run-wide fixture failed to set up\n");
		return EXIT_SETUP;
	}
	ret = run_all(selected, nr_selected);
	if (run_fixture_teardown)
		run_fixture_teardown();
	free(selected);
	return ret;
}
