// SPDX-License-Identifier: GPL-2.0
/*
 * The known-deviations file (-X): reviewed kernel behaviours that differ
 * from what the tests expect, tolerated on the listed kernels.  A failure
 * covered by an entry is reported as XFAIL; a pass covered by one as XPASS,
 * which counts as a failure so that stale entries get noticed.
 *
 *   # comment
 *   [test/subtest-glob]
 *   kernels   = >=6.19 <7.4
 *   rule      = R-ID
 *   reference = where the behaviour comes from
 *   reason    = what deviates
 *   arch      = x86_64            (optional: only on these architectures)
 *   model     = switch_name       (optional: a switch of a test's model)
 *   scratch   = tmpfs             (optional: only when $SCRATCH_DIR is on
 *                                  one of these filesystems)
 *
 * Every key but arch, model and scratch is required.  Any mistake is a setup error
 * naming file:line.  arch is for a deviation that comes from an
 * architecture (its calling convention, its JIT): elsewhere the test must
 * pass.  model names the switch through which a test that predicts results
 * from a model of the contract (prog_tests/model.c) follows the entry:
 * test__known_deviation(NAME) tells it whether the entry applies to this
 * kernel, and the entry also covers every subtest named "deviation_NAME",
 * in which such a test reports that the kernel behaved as the entry says.
 * scratch is for a deviation of one filesystem that a test meets wherever
 * the scratch directory is (a guest without a block device gets a tmpfs).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "internal.h"

static struct deviation *devs;
static int nr_devs;
static const char *source = "none"; /* what the header line says */

#define DEFAULT_NAME "known-deviations.ini"

/*
 * DEFAULT_NAME beside the runner, in its directory or that directory's
 * parent: build/test_progs finds the repository's, a VM guest's
 * /bin/test_progs finds /known-deviations.ini, an install tree its own.
 * Found from the binary, not the working directory, so that every place
 * the runner runs from picks the same file. NULL if there is none.
 */
static char *default_path(void)
{
	char exe[4096], *slash, *path;
	ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int up;

	if (len <= 0)
		return NULL;
	exe[len] = '\0';
	for (up = 0; up < 2; up++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return NULL;
		*slash = '\0';
		path = xasprintf("%s/%s", exe, DEFAULT_NAME);
		if (!access(path, F_OK))
			return path;
		free(path);
	}
	return NULL;
}

const char *deviations_pick(const char *given)
{
	char *path;

	if (given && !strcmp(given, "none"))
		return NULL;
	if (given) {
		source = given;
		return given;
	}
	path = default_path();
	source = path ? xasprintf("%s (default)", path) : "none found";
	return path;
}

const char *deviations_source(void)
{
	return source;
}

static const char *const keys[] = { "kernels", "rule",	"reference", "reason",
				    "arch",    "model", "scratch" };
#define NR_KEYS (int)(sizeof(keys) / sizeof(keys[0]))
#define NR_REQUIRED 4 /* the keys before arch */
#define KEY_ARCH 4
#define KEY_MODEL 5
#define KEY_SCRATCH 6

struct parser {
	const char *path;
	int line;
	struct deviation *cur; /* section being read, NULL before the first */
	bool seen[NR_KEYS];
	bool other_arch; /* the section's arch does not name this machine's */
	bool other_fs; /* its scratch does not name the scratch directory's */
};

static int parse_error(const struct parser *p, int line, const char *fmt,
		       const char *arg)
{
	fprintf(stderr, "test_progs: %s:%d: ", p->path, line);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return -1;
}

/* Versions compare numerically, component by component; missing ones are 0. */
int version_cmp(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = strtoul(a, (char **)&a, 10);
		unsigned long y = strtoul(b, (char **)&b, 10);

		if (x != y)
			return x < y ? -1 : 1;
		a += *a == '.';
		b += *b == '.';
		/* Stop at anything that is not part of a version. */
		if (*a && !isdigit((unsigned char)*a))
			a += strlen(a);
		if (*b && !isdigit((unsigned char)*b))
			b += strlen(b);
	}
	return 0;
}

static bool valid_version(const char *v)
{
	bool want_digit = true;

	for (; *v; v++) {
		if (isdigit((unsigned char)*v))
			want_digit = false;
		else if (*v == '.' && !want_digit)
			want_digit = true;
		else
			return false;
	}
	return !want_digit;
}

/* Check one "<op><version>" and say whether @release satisfies it. */
static int check_constraint(const char *tok, const char *release, bool *holds)
{
	/* Each operator, and whether it holds for release <, = and > version. */
	static const struct {
		const char *op;
		bool lt, eq, gt;
	} ops[] = { { ">=", 0, 1, 1 },
		    { "<=", 1, 1, 0 },
		    { ">", 0, 0, 1 },
		    { "<", 1, 0, 0 },
		    { "=", 0, 1, 0 } };
	int i, cmp;

	for (i = 0; i < 5; i++)
		if (!strncmp(tok, ops[i].op, strlen(ops[i].op)))
			break;
	if (i == 5 || !valid_version(tok + strlen(ops[i].op)))
		return -1;
	cmp = version_cmp(release, tok + strlen(ops[i].op));
	*holds = cmp < 0 ? ops[i].lt : cmp > 0 ? ops[i].gt : ops[i].eq;
	return 0;
}

static int parse_kernels(struct parser *p, const char *release)
{
	char *copy = xstrdup(p->cur->kernels), *tok, *save = NULL;
	bool holds = false, all = true;
	int err = 0;

	if (!strcmp(copy, "*")) {
		p->cur->applies = true;
		free(copy);
		return 0;
	}
	for (tok = strtok_r(copy, " \t", &save); tok && !err;
	     tok = strtok_r(NULL, " \t", &save)) {
		err = check_constraint(tok, release, &holds);
		if (err)
			parse_error(
				p, p->line,
				"bad kernel constraint '%s' (want '*' or e.g. '>=6.19 <7.4')",
				tok);
		all = all && holds;
	}
	p->cur->applies = all;
	free(copy);
	return err;
}

static int end_section(struct parser *p)
{
	int i;

	if (!p->cur)
		return 0;
	for (i = 0; i < NR_REQUIRED; i++) {
		if (!p->seen[i])
			return parse_error(p, p->cur->line,
					   "entry lacks the required key '%s'",
					   keys[i]);
	}
	if (p->other_arch || p->other_fs)
		p->cur->applies = false;
	return 0;
}

/* The running machine's architecture, in the kernel's spelling. */
static const char *machine_arch(void)
{
	static struct utsname uts;

	if (!uts.machine[0] && uname(&uts))
		return "";
	return !strcmp(uts.machine, "aarch64") ? "arm64" : uts.machine;
}

/*
 * A list of names (arch, scratch): each must be one of @known, else @bad
 * (a format naming it) is the error; *@elsewhere is set when none is @here.
 */
static int parse_names(struct parser *p, const char *value,
		       const char *const *known, const char *bad,
		       const char *here, bool *elsewhere)
{
	char *copy = xstrdup(value), *tok, *save = NULL;
	bool found = false;
	int err = 0, i;

	for (tok = strtok_r(copy, " \t", &save); tok && !err;
	     tok = strtok_r(NULL, " \t", &save)) {
		for (i = 0; known[i] && strcmp(tok, known[i]); i++)
			;
		if (!known[i])
			err = parse_error(p, p->line, bad, tok);
		found = found || !strcmp(tok, here);
	}
	free(copy);
	*elsewhere = !found;
	return err;
}

/* arch = x86_64 arm64: the entry holds only on these architectures. */
static int parse_arch(struct parser *p)
{
	static const char *const known[] = { "x86_64", "arm64", NULL };

	return parse_names(p, p->cur->arch, known,
			   "unknown architecture '%s' (want x86_64 or arm64)",
			   machine_arch(), &p->other_arch);
}

/* The filesystem of the scratch directory, by name; "" if unknown. */
static const char *scratch_fs(void)
{
	const char *dir = getenv("SCRATCH_DIR");
	struct statfs sf;

	if (statfs(dir && *dir ? dir : "/var/tmp", &sf))
		return "";
	return sf.f_type == 0xef53     ? "ext4" :
	       sf.f_type == 0x01021994 ? "tmpfs" :
	       sf.f_type == 0x9123683e ? "btrfs" :
	       sf.f_type == 0x58465342 ? "xfs" :
					 "";
}

/* scratch = tmpfs: the entry holds only where the scratch directory is. */
static int parse_scratch(struct parser *p)
{
	static const char *const known[] = { "ext4", "tmpfs", "btrfs", "xfs",
					     NULL };

	return parse_names(
		p, p->cur->scratch, known,
		"unknown filesystem '%s' (want ext4, tmpfs, btrfs or xfs)",
		scratch_fs(), &p->other_fs);
}

static int start_section(struct parser *p, char *s)
{
	char *end = s + strlen(s) - 1, *slash;
	struct deviation *d;

	if (*end != ']' || end == s + 1)
		return parse_error(p, p->line, "bad section header '%s'", s);
	*end = '\0';
	s++;
	devs = realloc(devs, (nr_devs + 1) * sizeof(*devs));
	if (!devs)
		return parse_error(p, p->line, "%s", "out of memory");
	d = &devs[nr_devs++];
	memset(d, 0, sizeof(*d));
	d->line = p->line;
	slash = strchr(s, '/');
	if (slash) {
		*slash = '\0';
		d->sub_pat = xstrdup(slash + 1);
	}
	d->test_pat = xstrdup(s);
	p->cur = d;
	memset(p->seen, 0, sizeof(p->seen));
	p->other_arch = false;
	p->other_fs = false;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int set_key(struct parser *p, char *s, const char *release)
{
	char *eq = strchr(s, '='), *key, *value;
	char **slots[NR_KEYS];
	int i;

	if (!p->cur)
		return parse_error(p, p->line, "'%s' outside of a [section]",
				   s);
	if (!eq)
		return parse_error(p, p->line,
				   "expected 'key = value', got '%s'", s);
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	slots[0] = &p->cur->kernels;
	slots[1] = &p->cur->rule;
	slots[2] = &p->cur->reference;
	slots[3] = &p->cur->reason;
	slots[4] = &p->cur->arch;
	slots[5] = &p->cur->model;
	slots[6] = &p->cur->scratch;
	for (i = 0; i < NR_KEYS && strcmp(key, keys[i]); i++)
		;
	if (i == NR_KEYS)
		return parse_error(
			p, p->line,
			"unknown key '%s' (want kernels, rule, reference, reason, arch, model, scratch)",
			key);
	if (p->seen[i])
		return parse_error(p, p->line, "key '%s' given twice", key);
	if (!*value)
		return parse_error(p, p->line, "key '%s' has no value", key);
	p->seen[i] = true;
	*slots[i] = xstrdup(value);
	if (i == KEY_ARCH)
		return parse_arch(p);
	if (i == KEY_SCRATCH)
		return parse_scratch(p);
	if (i == KEY_MODEL &&
	    strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789_") !=
		    strlen(value))
		return parse_error(
			p, p->line,
			"model switch '%s' is not a lower-case identifier",
			value);
	return i == 0 ? parse_kernels(p, release) : 0;
}

int deviations_load(const char *path, const char *release)
{
	struct parser p = { .path = path };
	char *line = NULL, *s;
	size_t cap = 0;
	int err = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		fprintf(stderr,
			"test_progs: cannot read known-deviations file %s: %s\n",
			path, strerror(errno));
		return -1;
	}
	while (!err && getline(&line, &cap, f) >= 0) {
		p.line++;
		s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[')
			err = end_section(&p) ?: start_section(&p, s);
		else
			err = set_key(&p, s, release);
	}
	if (!err)
		err = end_section(&p);
	free(line);
	fclose(f);
	return err;
}

static bool deviation_matches(const struct deviation *d, const char *test,
			      const char *sub)
{
	/* A model's report of the entry: "deviation_NAME", in any test. */
	if (d->model && sub && !strncmp(sub, "deviation_", 10) &&
	    !strcmp(sub + 10, d->model))
		return true;
	if (fnmatch(d->test_pat, test, 0))
		return false;
	/* "[test]" covers the test and all its subtests. */
	if (!d->sub_pat)
		return true;
	return sub && !fnmatch(d->sub_pat, sub, 0);
}

/* The first entry for the running kernel covering test (or test/sub). */
struct deviation *deviation_find(const char *test, const char *sub)
{
	int i;

	for (i = 0; i < nr_devs; i++) {
		if (devs[i].applies && deviation_matches(&devs[i], test, sub))
			return &devs[i];
	}
	return NULL;
}

const char *test__known_deviation(const char *model)
{
	int i;

	for (i = 0; i < nr_devs; i++) {
		if (devs[i].applies && devs[i].model &&
		    !strcmp(devs[i].model, model))
			return devs[i].rule;
	}
	return NULL;
}

/* A unit that gave no verdict on the kernel: it skipped, or its setup failed. */
static bool no_verdict(enum result res)
{
	return res == RES_SKIP || res == RES_ERROR;
}

/*
 * Whether a run of a test can tell that entry @d covers nothing: not when
 * the test did not finish (it timed out or crashed before reaching the
 * units the entry names, or in one: neither is ever muted), some of its
 * subtests were filtered out, its body gave no verdict, or a unit the
 * entry names gave none.
 */
static bool run_tells(const struct deviation *d, const struct test_result *r)
{
	int i;

	if (r->cut_short || r->nr_subtests < r->subtests_met ||
	    no_verdict(r->body_result))
		return false;
	for (i = 0; i < r->nr_subtests; i++) {
		if (no_verdict(r->subtests[i].result) &&
		    deviation_matches(d, r->test->name, r->subtests[i].name))
			return false;
	}
	return true;
}

static char **unmatched;
static int nr_unmatched;

/*
 * An entry for this kernel that covered none of the units of a run that
 * could tell names nothing: a renamed subtest, a typo, or an entry that
 * an earlier one shadows. Said, in the output and the JSON; not failed.
 */
void deviations_report_unmatched(const struct test_result *results, int n)
{
	const struct deviation *d;
	bool told;
	int i, j;

	for (i = 0; i < nr_devs; i++) {
		d = &devs[i];
		if (!d->applies || d->matched)
			continue;
		told = false;
		for (j = 0; j < n && !told; j++)
			told = !fnmatch(d->test_pat, results[j].test->name,
					0) &&
			       run_tells(d, &results[j]);
		if (!told)
			continue;
		unmatched = xrealloc_array(unmatched, nr_unmatched + 1,
					   sizeof(*unmatched));
		unmatched[nr_unmatched] =
			xasprintf("[%s%s%s] (%s, line %d)", d->test_pat,
				  d->sub_pat ? "/" : "", d->sub_pat ?: "",
				  d->rule, d->line);
		printf("known deviation %s covered nothing in this run: fix its section or remove it\n",
		       unmatched[nr_unmatched]);
		nr_unmatched++;
	}
}

const char *const *deviations_unmatched(int *n)
{
	*n = nr_unmatched;
	return (const char *const *)unmatched;
}
