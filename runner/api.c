// SPDX-License-Identifier: GPL-2.0
/*
 * The test-facing API, as run in a test's child process.  Results go to
 * the parent as records over a pipe, each subtest's as soon as it ends,
 * so the parent knows what finished even if the child later hangs or dies.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "test_progs.h"

struct unit_state {
	bool failed;
	bool skipped;
	bool setup_error; /* the environment failed a probe it should pass */
	char skip_reason[REC_MSG_LEN]; /* or the setup error's */
	char rule[REC_RULE_LEN]; /* of its first failure under a case */
	char also_failed[REC_RULE_LEN]; /* the first other rule that failed */
	char rules[REC_RULES_LEN]; /* of its cases, each once */
};

/* The case being checked (test__case()), until the next or its end. */
static struct {
	bool active;
	char rule[REC_RULE_LEN];
	char file[256];
	int line;
	char desc[256];
} cur_case;

static int record_fd = -1;
static const struct test_def *cur_test;
static struct unit_state body; /* the test outside subtests */
static struct unit_state sub; /* the running subtest */
static bool sub_active;
static int sub_num; /* subtests met so far, even filtered */
static char sub_name[REC_NAME_LEN];

static void send_record(int type, int result, const char *name,
			const char *message, const struct unit_state *u)
{
	struct record rec;
	ssize_t n;

	memset(&rec, 0, sizeof(rec));
	rec.type = type;
	rec.subtest_num = sub_num;
	rec.result = result;
	snprintf(rec.name, sizeof(rec.name), "%s", name ?: "");
	snprintf(rec.message, sizeof(rec.message), "%s", message ?: "");
	if (u) {
		snprintf(rec.rule, sizeof(rec.rule), "%s", u->rule);
		snprintf(rec.also_failed, sizeof(rec.also_failed), "%s",
			 u->also_failed);
		snprintf(rec.rules, sizeof(rec.rules), "%s", u->rules);
	}
	do {
		n = write(record_fd, &rec, sizeof(rec));
	} while (n < 0 && errno == EINTR);
	/* The parent is gone: nobody is left to report to. */
	if (n != sizeof(rec))
		_exit(EXIT_SETUP);
}

static int unit_result(const struct unit_state *u)
{
	/*
	 * A failure outweighs a setup error, which outweighs a skip, whatever
	 * came first: a kernel that failed a check has given a verdict.
	 */
	if (u->failed)
		return RES_FAIL;
	if (u->setup_error)
		return RES_ERROR;
	return u->skipped ? RES_SKIP : RES_OK;
}

/* What a SKIP or an ERROR says; other results say nothing here. */
static const char *unit_reason(const struct unit_state *u, int res)
{
	return res == RES_SKIP || res == RES_ERROR ? u->skip_reason : "";
}

static void end_subtest(void)
{
	int res;

	if (!sub_active)
		return;
	fflush(stdout);
	res = unit_result(&sub);
	send_record(REC_SUBTEST_END, res, sub_name, unit_reason(&sub, res),
		    &sub);
	sub_active = false;
	cur_case.active = false;
}

/*
 * For the harness's own tests: TEST_PROGS_HANG=TEST/SUBTEST makes that
 * subtest hang once started, so that a real run ends it with a TIMEOUT
 * and every format has one to show.
 */
static void hang_if_asked(const char *sub_name_)
{
	const char *want = getenv("TEST_PROGS_HANG");
	char here[600];

	if (!want)
		return;
	snprintf(here, sizeof(here), "%s/%s", cur_test->name, sub_name_);
	if (strcmp(want, here))
		return;
	printf("TEST_PROGS_HANG=%s: hanging here, as asked\n", want);
	fflush(stdout);
	for (;;)
		pause();
}

bool test__start_subtest(const char *name)
{
	end_subtest();
	sub_num++;
	if (!filters_select_subtest(&opts.filters, cur_test->name, name))
		return false;
	memset(&sub, 0, sizeof(sub));
	snprintf(sub_name, sizeof(sub_name), "%s", name);
	sub_active = true;
	/* Mark where the subtest starts in the test's shared log. */
	printf("--- subtest %s/%s ---\n", cur_test->name, name);
	fflush(stdout);
	send_record(REC_SUBTEST_START, RES_RUNNING, name, NULL, NULL);
	hang_if_asked(name);
	if (kconfig_unmet_for(cur_test->traits, name, sub.skip_reason,
			      sizeof(sub.skip_reason))) {
		sub.skipped = true;
		return false;
	}
	return true;
}

bool test__require_kconfig(const char *option)
{
	const struct test_traits *t = cur_test->traits;
	struct unit_state *u = sub_active ? &sub : &body;
	int i;

	for (i = 0; t && i < TEST_MAX_KCONFIGS && t->kconfigs[i].option; i++)
		if (!strcmp(t->kconfigs[i].option, option))
			break;
	if (!t || i == TEST_MAX_KCONFIGS || !t->kconfigs[i].option) {
		printf("%s needs %s, which its TEST_TRAITS' .kconfigs lack\n",
		       cur_test->name, option);
		test__fail();
		return false;
	}
	if (!kconfig_unmet(&t->kconfigs[i], u->skip_reason,
			   sizeof(u->skip_reason)))
		return true;
	u->skipped = true;
	return false;
}

/* The running unit, with its reason (a skip's or a setup error's) set. */
static struct unit_state *unit_with_reason(const char *fmt, va_list ap)
{
	struct unit_state *u = sub_active ? &sub : &body;

	vsnprintf(u->skip_reason, sizeof(u->skip_reason), fmt, ap);
	return u;
}

void test__skip(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	unit_with_reason(fmt, ap)->skipped = true;
	va_end(ap);
}

void test__setup_error(const char *fmt, ...)
{
	struct unit_state *u;
	va_list ap;

	va_start(ap, fmt);
	u = unit_with_reason(fmt, ap);
	va_end(ap);
	u->setup_error = true;
	printf("setup error: %s\n", u->skip_reason);
}

void test__fail(void)
{
	struct unit_state *u = sub_active ? &sub : &body;

	u->failed = true;
	if (!cur_case.active)
		return;
	/*
	 * A second rule's failure is kept too: a known deviation of the first
	 * must not turn the unit into XFAIL and hide it.
	 */
	if (!u->rule[0])
		snprintf(u->rule, sizeof(u->rule), "%s", cur_case.rule);
	else if (!u->also_failed[0] && strcmp(u->rule, cur_case.rule))
		snprintf(u->also_failed, sizeof(u->also_failed), "%s",
			 cur_case.rule);
}

/*
 * Adds @rule to the unit's rules, once. A unit checks a handful; one that
 * checked more than the record holds keeps the first ones, then " ...".
 */
static void note_rule(struct unit_state *u, const char *rule)
{
	size_t have = strlen(u->rules), len = strlen(rule);
	const char *p = u->rules;

	if (!len)
		return;
	while ((p = strstr(p, rule))) {
		if ((p == u->rules || p[-1] == ' ') &&
		    (p[len] == ' ' || !p[len]))
			return;
		p += len;
	}
	if (have + 1 + len + sizeof(" ...") > sizeof(u->rules)) {
		if (!strstr(u->rules, " ..."))
			strcat(u->rules, " ...");
		return;
	}
	snprintf(u->rules + have, sizeof(u->rules) - have, "%s%s",
		 have ? " " : "", rule);
}

void test__case(const char *rule, const struct test_case_at *at,
		const char *fmt, ...)
{
	const char *file = at->file;
	va_list ap;

	if (!rule)
		rule = at->rule;
	note_rule(sub_active ? &sub : &body, rule ?: "");
	cur_case.active = true;
	snprintf(cur_case.rule, sizeof(cur_case.rule), "%s", rule ?: "");
	snprintf(cur_case.file, sizeof(cur_case.file), "%s", file ?: "");
	cur_case.line = at->line;
	cur_case.desc[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(cur_case.desc, sizeof(cur_case.desc), fmt, ap);
		va_end(ap);
	}
}

void test__case_end(void)
{
	cur_case.active = false;
}

bool case_where(const char **rule, const char **file, int *line,
		const char **desc)
{
	if (!cur_case.active)
		return false;
	*rule = cur_case.rule;
	*file = cur_case.file;
	*line = cur_case.line;
	*desc = cur_case.desc;
	return true;
}

bool test__seed(unsigned long long *seed)
{
	if (opts.seed_given)
		*seed = opts.seed;
	return opts.seed_given;
}

bool test__budget(long *amount, bool *secs)
{
	*amount = opts.budget;
	*secs = opts.budget_secs;
	return opts.budget > 0;
}

int test__verbosity(void)
{
	return opts.verbosity;
}

/*
 * libbpf's messages, the verifier log included, go to the captured log so
 * that a failed load explains itself.  Debug ones only with -vv.
 */
static int libbpf_print_to_log(enum libbpf_print_level level, const char *fmt,
			       va_list args)
{
	if (level == LIBBPF_DEBUG && opts.verbosity < 2)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* Skips the test with the reason of its first unmet need or option. */
static bool unmet_need(const struct test_def *test)
{
	const char *why;
	int i;

	for (i = 0; test->traits && i < TEST_MAX_NEEDS; i++) {
		const struct test_need *need = test->traits->needs[i];

		if (!need)
			break;
		why = need->unmet();
		if (why) {
			test__skip("%s", why);
			return true;
		}
	}
	if (kconfig_unmet_for(test->traits, NULL, body.skip_reason,
			      sizeof(body.skip_reason))) {
		body.skipped = true;
		return true;
	}
	return false;
}

void child_run_test(const struct test_def *test, int fd)
{
	int res;

	record_fd = fd;
	cur_test = test;
	libbpf_set_print(libbpf_print_to_log);

	/* Whatever the runner left in errno would mislead assert messages. */
	errno = 0;
	if (!unmet_need(test))
		test->fn();

	end_subtest();
	fflush(NULL);
	res = unit_result(&body);
	send_record(REC_TEST_END, res, test->name, unit_reason(&body, res),
		    &body);
}
