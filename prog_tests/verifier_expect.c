// SPDX-License-Identifier: GPL-2.0
/*
 * Runs the __success/__failure/__msg() expectations of a BPF object's
 * programs (see verifier_expect.h and progs/verifier_expect.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "test_progs.h"
#include "verifier_expect.h"

/* Must match progs/verifier_expect.h. */
#define TAG_PREFIX	"verifier_expect:"

#ifndef LOG_SIZE_START		/* overridable to exercise the ENOSPC retry */
#define LOG_SIZE_START	(1u << 20)
#endif
#define LOG_SIZE_MAX	(64u << 20)
/*
 * 7.x verifiers follow the error line with tens of lines of explanation: a
 * tail this long still shows the error itself. -vv prints whole logs.
 */
#define LOG_TAIL_LINES	80
#define LIBBPF_MSGS_MAX	(16u << 10)

enum verdict {
	VERDICT_NONE,
	VERDICT_SUCCESS,
	VERDICT_FAILURE,
};

struct expectation {
	char *prog;		/* program (function) name */
	char *sec;		/* its section, for messages */
	enum verdict verdict;
	char **msgs;		/* the __msg() patterns */
	int nr_msgs;
	char *error;		/* harness error: set, the program is not run */
};

static const char *verdict_str(enum verdict v)
{
	return v == VERDICT_SUCCESS ? "loaded (__success)" :
	       v == VERDICT_FAILURE ? "rejected (__failure)" : "none";
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		perror("strdup");
		exit(1);
	}
	return d;
}

static void set_error(struct expectation *e, const char *fmt, ...)
{
	va_list ap;

	if (e->error)
		return;		/* the first error is the one to fix */
	va_start(ap, fmt);
	if (vasprintf(&e->error, fmt, ap) < 0)
		e->error = NULL;
	va_end(ap);
}

/* A pattern that does not compile is the test's bug: say so before loading. */
static void check_regex(struct expectation *e, const char *pattern)
{
	char errbuf[256];
	regex_t re;
	int rc;

	rc = regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
	if (rc) {
		regerror(rc, &re, errbuf, sizeof(errbuf));
		set_error(e, "bad __msg(\"%s\"): %s", pattern, errbuf);
		return;
	}
	regfree(&re);
}

/* Reads the program's decl tags: DECL_TAGs on its FUNC, component_idx -1. */
static void read_tags(const struct btf *btf, struct expectation *e)
{
	__u32 i, n = btf__type_cnt(btf);
	bool saw_success = false, saw_failure = false;
	int func_id;

	func_id = btf__find_by_name_kind(btf, e->prog, BTF_KIND_FUNC);
	if (func_id < 0) {
		set_error(e, "no BTF FUNC named '%s' in the object", e->prog);
		return;
	}

	for (i = 1; i < n; i++) {
		const struct btf_type *t = btf__type_by_id(btf, i);
		const char *tag;

		if (!btf_is_decl_tag(t) || t->type != (__u32)func_id ||
		    btf_decl_tag(t)->component_idx != -1)
			continue;
		tag = btf__name_by_offset(btf, t->name_off);
		if (!tag || strncmp(tag, TAG_PREFIX, strlen(TAG_PREFIX)))
			continue;	/* someone else's tag */
		tag += strlen(TAG_PREFIX);

		if (!strcmp(tag, "success")) {
			saw_success = true;
		} else if (!strcmp(tag, "failure")) {
			saw_failure = true;
		} else if (!strncmp(tag, "msg=", 4)) {
			char **msgs = realloc(e->msgs, (e->nr_msgs + 1) *
							       sizeof(*msgs));

			if (!msgs) {
				perror("realloc");
				exit(1);
			}
			e->msgs = msgs;
			e->msgs[e->nr_msgs++] = xstrdup(tag + 4);
			check_regex(e, tag + 4);
		} else {
			set_error(e, "unknown annotation '%s%s'", TAG_PREFIX,
				  tag);
		}
	}

	if (saw_success && saw_failure)
		set_error(e, "both __success and __failure");
	else if (saw_success)
		e->verdict = VERDICT_SUCCESS;
	else if (saw_failure)
		e->verdict = VERDICT_FAILURE;
	else
		set_error(e, "no __success or __failure annotation (every program of the object needs one)");
	if (e->verdict == VERDICT_FAILURE && !e->nr_msgs)
		set_error(e, "__failure without __msg(): a rejection for any reason would pass");
}

static struct bpf_object *open_object(const char *obj_name, const void *bytes,
				      size_t sz)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = obj_name);

	return bpf_object__open_mem(bytes, sz, &opts);
}

/* The expectations of every program of the object, in section order. */
static struct expectation *read_expectations(const char *obj_name,
					     const void *bytes, size_t sz,
					     int *nr)
{
	struct expectation *exps = NULL;
	struct bpf_program *prog;
	struct bpf_object *obj;
	const struct btf *btf;
	int n = 0;

	obj = open_object(obj_name, bytes, sz);
	if (!ASSERT_OK_PTR(obj, "open BPF object"))
		return NULL;
	btf = bpf_object__btf(obj);
	if (!btf) {
		printf("verifier_expect: object '%s' has no BTF: nothing to read the annotations from\n",
		       obj_name);
		test__fail();
		bpf_object__close(obj);
		return NULL;
	}

	bpf_object__for_each_program(prog, obj) {
		struct expectation *e;

		exps = realloc(exps, (n + 1) * sizeof(*exps));
		if (!exps) {
			perror("realloc");
			exit(1);
		}
		e = &exps[n++];
		memset(e, 0, sizeof(*e));
		e->prog = xstrdup(bpf_program__name(prog));
		e->sec = xstrdup(bpf_program__section_name(prog));
		read_tags(btf, e);
	}
	bpf_object__close(obj);
	if (!n) {
		printf("verifier_expect: object '%s' has no programs\n",
		       obj_name);
		test__fail();
	}
	*nr = n;
	return exps;
}

/*
 * libbpf's messages during a load are kept (and shown on a mismatch), except
 * the verifier log it echoes, which we already hold in full.
 */
static char libbpf_msgs[LIBBPF_MSGS_MAX];
static size_t libbpf_msgs_len;

static int capture_libbpf(enum libbpf_print_level level, const char *fmt,
			  va_list args)
{
	char *msg;
	size_t len;

	if (level == LIBBPF_DEBUG && test__verbosity() < 2)
		return 0;
	if (vasprintf(&msg, fmt, args) < 0)
		return 0;
	if (test__verbosity() >= 2)
		fputs(msg, stderr);
	if (!strstr(msg, "-- BEGIN PROG LOAD LOG --")) {
		len = strlen(msg);
		if (len > sizeof(libbpf_msgs) - 1 - libbpf_msgs_len)
			len = sizeof(libbpf_msgs) - 1 - libbpf_msgs_len;
		memcpy(libbpf_msgs + libbpf_msgs_len, msg, len);
		libbpf_msgs_len += len;
		libbpf_msgs[libbpf_msgs_len] = '\0';
	}
	free(msg);
	return 0;
}

/* Prints the last @lines lines of @text, each prefixed. */
static void print_tail(const char *text, int lines, const char *prefix)
{
	const char *p = text + strlen(text);
	int total = 0, seen = 0;
	const char *q;

	for (q = text; *q; q++)
		total += *q == '\n';
	if (p > text && p[-1] != '\n')
		total++;
	/* Walk back over @lines line starts (a trailing newline ends one). */
	if (p > text && p[-1] == '\n')
		p--;
	while (p > text && seen < lines) {
		p--;
		if (*p == '\n' && ++seen == lines) {
			p++;
			break;
		}
	}
	if (total > lines)
		printf("%s[%d earlier lines not shown]\n", prefix,
		       total - lines);
	while (*p) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("%s%.*s\n", prefix, len, p);
		p += len + (nl ? 1 : 0);
	}
}

/* The line of @text holding offset @off, for messages. */
static void print_line_at(const char *text, size_t off, const char *prefix)
{
	const char *s = text + off, *e;

	while (s > text && s[-1] != '\n')
		s--;
	e = strchr(s, '\n');
	printf("%s%.*s\n", prefix, e ? (int)(e - s) : (int)strlen(s), s);
}

/*
 * Loads @e->prog alone. Returns the verifier log (malloc'd) and the load
 * result in @err, or NULL after a harness failure.
 */
static char *load_alone(const char *obj_name, const void *bytes, size_t sz,
			const struct expectation *e, int *err)
{
	size_t log_sz = LOG_SIZE_START;

	for (;;) {
		libbpf_print_fn_t old_print;
		struct bpf_program *prog, *target;
		struct bpf_object *obj;
		char *log;

		obj = open_object(obj_name, bytes, sz);
		if (!obj) {
			printf("verifier_expect: '%s': cannot open object '%s': %d\n",
			       e->prog, obj_name, -errno);
			test__fail();
			return NULL;
		}
		target = bpf_object__find_program_by_name(obj, e->prog);
		if (!target) {
			printf("verifier_expect: '%s': not found when reopened\n",
			       e->prog);
			test__fail();
			bpf_object__close(obj);
			return NULL;
		}
		bpf_object__for_each_program(prog, obj)
			bpf_program__set_autoload(prog, prog == target);

		log = calloc(1, log_sz);
		if (!log) {
			perror("calloc");
			exit(1);
		}
		bpf_program__set_log_buf(target, log, log_sz);
		bpf_program__set_log_level(target, 1);

		libbpf_msgs_len = 0;
		libbpf_msgs[0] = '\0';
		old_print = libbpf_set_print(capture_libbpf);
		*err = bpf_object__load(obj);
		libbpf_set_print(old_print);
		bpf_object__close(obj);

		/* A full log fails the load with ENOSPC, whatever the verdict. */
		if (*err != -ENOSPC)
			return log;
		free(log);
		if (log_sz >= LOG_SIZE_MAX) {
			printf("verifier_expect: '%s': the verifier log exceeds %u MiB\n",
			       e->prog, LOG_SIZE_MAX >> 20);
			test__fail();
			return NULL;
		}
		log_sz *= 4;
	}
}

static void check_one(const char *obj_name, const void *bytes, size_t sz,
		      const struct expectation *e)
{
	enum verdict actual;
	bool *matched;
	regmatch_t *where;
	bool ok = true;
	char *log;
	int err, i;

	log = load_alone(obj_name, bytes, sz, e, &err);
	if (!log)
		return;
	actual = err ? VERDICT_FAILURE : VERDICT_SUCCESS;

	matched = calloc(e->nr_msgs + 1, sizeof(*matched));
	where = calloc(e->nr_msgs + 1, sizeof(*where));
	if (!matched || !where) {
		perror("calloc");
		exit(1);
	}
	for (i = 0; i < e->nr_msgs; i++) {
		char errbuf[256];
		regex_t re;
		int rc;

		/* Compiled once already by check_regex(). */
		rc = regcomp(&re, e->msgs[i], REG_EXTENDED | REG_NEWLINE);
		if (rc) {
			regerror(rc, &re, errbuf, sizeof(errbuf));
			printf("verifier_expect: '%s': regcomp: %s\n", e->prog,
			       errbuf);
			ok = false;
			continue;
		}
		matched[i] = !regexec(&re, log, 1, &where[i], 0);
		regfree(&re);
		ok &= matched[i];
	}
	ok &= actual == e->verdict;

	if (!ok) {
		printf("verifier_expect: program '%s' (SEC(\"%s\")) of '%s':\n",
		       e->prog, e->sec, obj_name);
		printf("  expected: %s\n", verdict_str(e->verdict));
		printf("  actual:   %s", verdict_str(actual));
		if (err)
			printf(", bpf_object__load() = %d (%s)", err,
			       strerror(-err));
		printf("%s\n", actual == e->verdict ? "" : "  <-- MISMATCH");
		for (i = 0; i < e->nr_msgs; i++)
			if (!matched[i])
				printf("  pattern not matched: /%s/\n",
				       e->msgs[i]);
		if (!*log)
			printf("  verifier log: empty%s\n",
			       err ? " (libbpf failed before the verifier ran?)" : "");
		else if (test__verbosity() >= 2) {
			printf("  verifier log:\n");
			print_tail(log, INT_MAX, "  | ");
		} else {
			printf("  verifier log, tail:\n");
			print_tail(log, LOG_TAIL_LINES, "  | ");
		}
		if (libbpf_msgs_len) {
			printf("  libbpf said:\n");
			print_tail(libbpf_msgs, LOG_TAIL_LINES, "  > ");
		}
		test__fail();
	} else if (test__verbosity() >= 1) {
		printf("verifier_expect: '%s': %s as expected\n", e->prog,
		       verdict_str(actual));
		for (i = 0; i < e->nr_msgs; i++) {
			printf("  /%s/ matched:\n", e->msgs[i]);
			print_line_at(log, where[i].rm_so, "  | ");
		}
		if (test__verbosity() >= 2) {
			printf("  verifier log:\n");
			print_tail(log, INT_MAX, "  | ");
		}
	}
	free(matched);
	free(where);
	free(log);
}

void run_verifier_expectations(const char *obj_name,
			       verifier_expect_elf_fn elf_bytes)
{
	struct expectation *exps;
	const void *bytes;
	size_t sz = 0;
	int n = 0, i, j;

	bytes = elf_bytes(&sz);
	if (!ASSERT_OK_PTR(bytes, "BPF object ELF bytes"))
		return;
	exps = read_expectations(obj_name, bytes, sz, &n);
	if (!exps)
		return;

	for (i = 0; i < n; i++) {
		struct expectation *e = &exps[i];

		if (test__start_subtest(e->prog)) {
			if (e->error) {
				printf("verifier_expect: program '%s' (SEC(\"%s\")) of '%s': harness error: %s\n",
				       e->prog, e->sec, obj_name, e->error);
				test__fail();
			} else {
				check_one(obj_name, bytes, sz, e);
			}
		}
		for (j = 0; j < e->nr_msgs; j++)
			free(e->msgs[j]);
		free(e->msgs);
		free(e->prog);
		free(e->sec);
		free(e->error);
	}
	free(exps);
}
