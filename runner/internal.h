/* SPDX-License-Identifier: GPL-2.0 */
/* Declarations shared by the runner's own files; tests never see them. */
#ifndef __RUNNER_INTERNAL_H
#define __RUNNER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct test_kconfig;
struct test_traits;

/* Exit codes, also documented in usage() and README.md. */
#define EXIT_ALL_PASSED 0
#define EXIT_FAILED 1
#define EXIT_NO_TESTS 2 /* nothing selected, or a usage error */
#define EXIT_SETUP 3

struct test_traits;

struct test_def {
	const char *name;
	void (*fn)(void);
	const struct test_traits *traits; /* NULL: none declared */
};

/* tests.c: the table built from the generated tests.h, sorted by name. */
extern const struct test_def all_tests[];
extern const int nr_all_tests;

/* select.c: -t/-b (substring) and -a/-d (glob) filters. */
struct filter_item {
	char *test; /* pattern for the test name */
	char *sub; /* pattern for the subtest name, NULL if none */
	bool glob; /* fnmatch() rather than strstr() */
};

struct filter_list {
	struct filter_item *items;
	int nr;
};

struct filters {
	struct filter_list allow;
	struct filter_list deny;
};

int filters_add(struct filter_list *list, const char *arg, bool glob);
bool filters_select_test(const struct filters *f, const char *test);
bool filters_select_subtest(const struct filters *f, const char *test,
			    const char *sub);

/* main.c: options in force, read by the other files (and by children). */
struct options {
	struct filters filters;
	int verbosity;
	int watchdog_secs; /* 0: no watchdog */
	int repeat;
	bool list;
	bool guest_files; /* --guest-files */
	const char *json_path;
	const char *deviations_path;
	int jobs; /* tests at a time, -j */
	unsigned long long seed; /* -s */
	bool seed_given;
	long budget; /* --budget: cases (budget_secs false) or seconds; 0: none */
	bool budget_secs;
};

extern struct options opts;

/* probe.c */
const char *kernel_release_full(void);
int probe_privileges(void);
int probe_bpf(void);
void probe_preload_btf(void);
/* 1 if the kernel's BTF has function @name, 0 if not, -1 if unreadable. */
int btf_has_func(const char *name);
/*
 * The reason, in @why, to skip the test (@subtest NULL) or its @subtest
 * that @t's .lockdown_refused names, when the kernel's lockdown refuses
 * what its programs call; else NULL.
 */
const char *lockdown_unmet_for(const struct test_traits *t, const char *subtest,
			       char *why, size_t n);

/* runner/kconfig.c: the kernel options of struct test_kconfig. */
const char *kconfig_unmet(const struct test_kconfig *k, char *why, size_t n);
const char *kconfig_unmet_for(const struct test_traits *t, const char *subtest,
			      char *why, size_t n);

/* deviations.c: the known-deviations file (-X). */
struct test_result;

struct deviation {
	char *test_pat; /* glob on the test name */
	char *sub_pat; /* glob on the subtest name, NULL if none */
	char *kernels;
	char *rule;
	char *reference;
	char *reason;
	char *arch; /* architectures it is limited to, NULL: all */
	char *scratch; /* scratch filesystems it is limited to, NULL: all */
	char *model; /* the model's switch for it (model = NAME), or NULL */
	int line; /* of the section header, for messages */
	bool applies; /* to the running kernel */
	int matched; /* units of this run it covered */
};

/*
 * The file to load: @given (-X), NULL for "-X none", else the project's
 * known-deviations.ini found beside the runner (NULL if none is).
 */
const char *deviations_pick(const char *given);
/* Which file that was, and how chosen, for the header line. */
const char *deviations_source(void);
int deviations_load(const char *path, const char *release);
struct deviation *deviation_find(const char *test, const char *sub);
/* Prints the entries for this kernel that covered none of the tests run. */
void deviations_report_unmatched(const struct test_result *results, int n);
/* What deviations_report_unmatched() found: "[section] (rule, line N)". */
const char *const *deviations_unmatched(int *n);
int version_cmp(const char *a, const char *b);

enum result {
	RES_OK,
	RES_FAIL,
	RES_SKIP,
	RES_XFAIL,
	RES_XPASS,
	RES_TIMEOUT,
	RES_ERROR, /* a setup error: the environment, not the kernel */
	RES_RUNNING, /* started, never ended: the child hung or died */
};

const char *result_name(enum result res);

/*
 * What the child tells the parent over the result pipe.  Records are
 * fixed-size and smaller than PIPE_BUF, so each write() is atomic and the
 * parent never sees half a record, whatever happens to the child.
 */
enum record_type {
	REC_SUBTEST_START,
	REC_SUBTEST_END,
	REC_TEST_END,
};

#define REC_NAME_LEN 256
#define REC_MSG_LEN 768
#define REC_RULE_LEN 32
#define REC_RULES_LEN 512

struct record {
	int type;
	int subtest_num;
	int result; /* RES_OK, RES_FAIL, RES_SKIP or RES_ERROR */
	char name[REC_NAME_LEN];
	char message[REC_MSG_LEN];
	char rule[REC_RULE_LEN]; /* the rule of the unit's first failure */
	/* The first rule other than @rule that also failed, or "". */
	char also_failed[REC_RULE_LEN];
	char rules[REC_RULES_LEN]; /* every rule it checked, space-separated */
};

/* api.c: runs in the child. */
void child_run_test(const struct test_def *test, int record_fd);
/* The case being checked, if any: its rule, row and description. */
bool case_where(const char **rule, const char **file, int *line,
		const char **desc);

/* run.c: runs in the parent. */
struct subtest_result {
	int num;
	char *name;
	enum result result;
	char *message; /* skip/xfail/... reason, "" if none */
	char *rule; /* the rule its first failure named, or its deviation's */
	char also_failed[REC_RULE_LEN]; /* another rule that failed, or "" */
	char *rules; /* the rules its cases checked, space-separated */
	long long start_ms, duration_ms;
};

struct test_result {
	const struct test_def *test;
	int num; /* 1..N in the sorted table */
	int run; /* 1..opts.repeat */
	long long duration_ms; /* fork to the child's end */
	enum result result; /* derived from the units below */
	char *message;
	/* The test body outside subtests, which is a unit of its own. */
	enum result body_result;
	char *body_message;
	char *rule; /* the body's, as for a subtest */
	char also_failed[REC_RULE_LEN];
	char *rules;
	struct subtest_result *subtests;
	int nr_subtests;
	int subtests_met; /* by the child, filtered out or not */
	char *log; /* the child's captured stdout and stderr */
	size_t log_len;
	bool has_failure; /* a unit is FAIL, TIMEOUT, XPASS, XFAIL or ERROR */
	bool cut_short; /* timed out, killed, or exited without its end */
	bool show_log;
};

struct totals {
	int ok, fail, skip, xfail, xpass, timeout, error;
	long long wall_ms; /* the run over the selection, first fork to last end */
};

void run_test(const struct test_def *test, int num, int run,
	      struct test_result *res);

/* What the parent learns from one child. */
struct collector {
	struct test_result *res;
	char buf[sizeof(struct record)];
	size_t fill; /* bytes of a record read so far */
	bool got_end; /* REC_TEST_END arrived */
	bool timed_out;
	int status; /* from waitpid() */
};

/* A test's child being watched (run.c); several at once under -j. */
struct job {
	struct collector c;
	pid_t pid;
	int pidfd, record_fd, log_fd;
	long long start, deadline; /* ms, monotonic; deadline 0: none */
	bool eof, running;
};

struct pollfd;
void job_start(struct job *j, const struct test_def *test, int num, int run,
	       struct test_result *res);
bool job_check(struct job *j);
int job_poll_fds(const struct job *j, struct pollfd *pfd);
int job_poll_timeout(const struct job *j);

/* schedule.c: the selection, up to opts.jobs tests at a time. */
struct planned_run {
	int test; /* index into all_tests[] */
	int run; /* 1..opts.repeat */
};
void run_planned(const struct planned_run *plan, int n,
		 struct test_result *results,
		 void (*done)(struct test_result *res));
void result_add_totals(const struct test_result *res, struct totals *tot);
void result_free(struct test_result *res);

/* log.c */
int log_create(void);
char *log_read(int fd, size_t *len);

/* report.c */
void report_begin(int nr_selected);
void report_test(const struct test_result *res);
void report_end(const struct totals *tot);
int report_json(const char *path, const struct test_result *results,
		int nr_results, const struct totals *tot);

/* util */
char *xstrdup(const char *s);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc_array(void *p, size_t n, size_t size);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* __RUNNER_INTERNAL_H */
