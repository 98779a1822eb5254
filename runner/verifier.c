// SPDX-License-Identifier: GPL-2.0
/*
 * Declarative verifier tests: runs the __success, __failure, __msg() and
 * __rule() annotations of a BPF object's programs (progs/verifier_expect.h),
 * and the loader they and other tests use: one program of an object loaded
 * alone, with its verifier log (test__load_alone()).
 *
 * __msg() means what it means in the kernel's selftests (bpf_misc.h,
 * test_loader.c): literal text, with {{regex}} parts, that must appear in
 * the verifier log; several __msg() must appear in their order.
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
#include "internal.h"
#include "test_progs.h"

/* Must match progs/verifier_expect.h. */
#define TAG_PREFIX "verifier_expect:"

#ifndef LOG_SIZE_START /* overridable to exercise the ENOSPC retry */
#define LOG_SIZE_START (1u << 20)
#endif
#define LOG_SIZE_MAX (64u << 20)
/*
 * 7.x verifiers follow the error line with tens of lines of explanation: a
 * tail this long still shows the error itself. -vv prints whole logs.
 */
#define LOG_TAIL_LINES 80
#define LIBBPF_MSGS_MAX (16u << 10)

enum verdict {
	VERDICT_NONE,
	VERDICT_SUCCESS,
	VERDICT_FAILURE,
};

struct expectation {
	char *prog; /* program (function) name */
	char *sec; /* its section, for messages */
	enum verdict verdict;
	char **msgs; /* the __msg() patterns */
	int nr_msgs;
	char *rule; /* __rule(): its rule, */
	char *rule_file; /* and where the annotation is */
	int rule_line;
	char *error; /* harness error: set, the program is not run */
};

static const char *verdict_str(enum verdict v)
{
	return v == VERDICT_SUCCESS ? "loaded (__success)" :
	       v == VERDICT_FAILURE ? "rejected (__failure)" :
				      "none";
}

static void set_error(struct expectation *e, const char *fmt, ...)
{
	va_list ap;

	if (e->error)
		return; /* the first error is the one to fix */
	va_start(ap, fmt);
	if (vasprintf(&e->error, fmt, ap) < 0)
		e->error = NULL;
	va_end(ap);
}

/*
 * A __msg() pattern as a POSIX ERE: the literal parts escaped, each {{...}}
 * part kept as a group. NULL (with @why set) if a {{ is not closed.
 */
static char *msg_to_ere(const char *msg, const char **why)
{
	size_t len = strlen(msg), n = 0;
	char *out = xcalloc(1, 2 * len + 3 * len + 1);
	const char *p = msg, *end;

	while (*p) {
		if (p[0] == '{' && p[1] == '{') {
			end = strstr(p + 2, "}}");
			if (!end) {
				free(out);
				*why = "{{ without }}";
				return NULL;
			}
			out[n++] = '(';
			memcpy(out + n, p + 2, end - p - 2);
			n += end - p - 2;
			out[n++] = ')';
			p = end + 2;
			continue;
		}
		if (strchr(".[]()*+?{}|^$\\", *p))
			out[n++] = '\\';
		out[n++] = *p++;
	}
	out[n] = '\0';
	return out;
}

static int compile_msg(const char *msg, regex_t *re, char *err, size_t err_sz)
{
	const char *why = NULL;
	char *ere = msg_to_ere(msg, &why);
	int rc;

	if (!ere) {
		snprintf(err, err_sz, "%s", why);
		return -1;
	}
	rc = regcomp(re, ere, REG_EXTENDED | REG_NEWLINE);
	if (rc)
		regerror(rc, re, err, err_sz);
	free(ere);
	return rc ? -1 : 0;
}

/* A pattern that does not compile is the test's bug: say so before loading. */
static void check_regex(struct expectation *e, const char *pattern)
{
	char errbuf[256];
	regex_t re;

	if (compile_msg(pattern, &re, errbuf, sizeof(errbuf))) {
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
			continue; /* someone else's tag */
		tag += strlen(TAG_PREFIX);

		if (!strcmp(tag, "success")) {
			saw_success = true;
		} else if (!strcmp(tag, "failure")) {
			saw_failure = true;
		} else if (!strncmp(tag, "msg=", 4)) {
			e->msgs = xrealloc_array(e->msgs, e->nr_msgs + 1,
						 sizeof(*e->msgs));
			e->msgs[e->nr_msgs++] = xstrdup(tag + 4);
			check_regex(e, tag + 4);
		} else if (!strncmp(tag, "rule=", 5)) {
			char *at;

			free(e->rule);
			free(e->rule_file);
			e->rule = xstrdup(tag + 5);
			at = strchr(e->rule, '@');
			e->rule_file = xstrdup(at ? at + 1 : "");
			if (at)
				*at = '\0';
			at = strrchr(e->rule_file, ':');
			e->rule_line = at ? atoi(at + 1) : 0;
			if (at)
				*at = '\0';
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
		set_error(
			e,
			"no __success or __failure annotation (every program of the object needs one)");
	if (e->verdict == VERDICT_FAILURE && !e->nr_msgs)
		set_error(
			e,
			"__failure without __msg(): a rejection for any reason would pass");
}

static struct bpf_object *open_object(const char *obj_name, const void *bytes,
				      size_t sz)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = obj_name);

	return bpf_object__open_mem(bytes, sz, &opts);
}

/* The expectations of every program of the object, in section order. */
static struct expectation *
read_expectations(const char *obj_name, const void *bytes, size_t sz, int *nr)
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

		exps = xrealloc_array(exps, n + 1, sizeof(*exps));
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

void test__print_tail(const char *text, int lines, const char *prefix)
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

char *test__load_alone(const char *obj_name, const void *bytes, size_t sz,
		       const char *prog_name, test__load_prepare_fn prepare,
		       void *arg, int *err)
{
	size_t log_sz = LOG_SIZE_START;

	for (;;) {
		libbpf_print_fn_t old_print;
		struct bpf_program *prog, *target;
		struct bpf_object *obj;
		char *log;

		obj = open_object(obj_name, bytes, sz);
		if (!obj) {
			printf("verifier: '%s': cannot open object '%s': %d\n",
			       prog_name, obj_name, -errno);
			test__fail();
			return NULL;
		}
		target = bpf_object__find_program_by_name(obj, prog_name);
		if (!target) {
			printf("verifier: '%s': no such program in '%s'\n",
			       prog_name, obj_name);
			test__fail();
			bpf_object__close(obj);
			return NULL;
		}
		bpf_object__for_each_program(prog, obj)
			bpf_program__set_autoload(prog, prog == target);
		if (prepare)
			prepare(obj, target, arg);

		log = xcalloc(1, log_sz);
		bpf_program__set_log_buf(target, log, log_sz);
		bpf_program__set_log_level(target, 1);

		libbpf_msgs_len = 0;
		libbpf_msgs[0] = '\0';
		old_print = libbpf_set_print(capture_libbpf);
		*err = bpf_object__load(obj);
		libbpf_set_print(old_print);
		/*
		 * Whatever libbpf's version, the answer must be about the
		 * program alone: no other program may have been loaded with
		 * it (libbpf 1.4+ loads struct_ops programs that a created
		 * map names, whatever their autoload).
		 */
		bpf_object__for_each_program(prog, obj) {
			if (prog == target || bpf_program__fd(prog) < 0)
				continue;
			printf("verifier: libbpf loaded '%s' with '%s', which was not asked for\n",
			       bpf_program__name(prog), prog_name);
			test__fail();
		}
		bpf_object__close(obj);

		/* A full log fails the load with ENOSPC, whatever the verdict. */
		if (*err != -ENOSPC)
			return log;
		free(log);
		if (log_sz >= LOG_SIZE_MAX) {
			printf("verifier: '%s': the verifier log exceeds %u MiB\n",
			       prog_name, LOG_SIZE_MAX >> 20);
			test__fail();
			return NULL;
		}
		log_sz *= 4;
	}
}

/*
 * The __msg() patterns, in their order: each must match after the end of
 * the one before. @where gets each match's offset (-1: not matched).
 */
static bool match_in_order(const struct expectation *e, const char *log,
			   regoff_t *where)
{
	regoff_t from = 0;
	bool ok = true;
	int i;

	for (i = 0; i < e->nr_msgs; i++) {
		char errbuf[256];
		regmatch_t m;
		regex_t re;

		where[i] = -1;
		/* Compiled once already by check_regex(). */
		if (compile_msg(e->msgs[i], &re, errbuf, sizeof(errbuf))) {
			printf("verifier: '%s': %s\n", e->prog, errbuf);
			ok = false;
			continue;
		}
		if (!regexec(&re, log + from, 1, &m, from ? REG_NOTBOL : 0)) {
			where[i] = from + m.rm_so;
			from += m.rm_eo;
		} else {
			ok = false;
		}
		regfree(&re);
	}
	return ok;
}

static void check_one(const char *obj_name, const void *bytes, size_t sz,
		      const struct expectation *e)
{
	enum verdict actual;
	regoff_t *where;
	bool ok;
	char *log;
	int err, i;

	log = test__load_alone(obj_name, bytes, sz, e->prog, NULL, NULL, &err);
	if (!log)
		return;
	actual = err ? VERDICT_FAILURE : VERDICT_SUCCESS;

	where = xcalloc(e->nr_msgs + 1, sizeof(*where));
	ok = match_in_order(e, log, where);
	ok &= actual == e->verdict;
	if (e->rule) {
		const struct test_case_at at = { e->rule, e->rule_file,
						 e->rule_line };

		test__case(NULL, &at, "program %s", e->prog);
	}

	if (!ok) {
		printf("verifier_expect: program '%s' (SEC(\"%s\")) of '%s':\n",
		       e->prog, e->sec, obj_name);
		if (e->rule)
			printf("  rule: %s, annotated at %s:%d\n", e->rule,
			       e->rule_file, e->rule_line);
		printf("  expected: %s\n", verdict_str(e->verdict));
		printf("  actual:   %s", verdict_str(actual));
		if (err)
			printf(", bpf_object__load() = %d (%s)", err,
			       strerror(-err));
		printf("%s\n", actual == e->verdict ? "" : "  <-- MISMATCH");
		for (i = 0; i < e->nr_msgs; i++)
			if (where[i] < 0)
				printf("  not found (in order): __msg(\"%s\")\n",
				       e->msgs[i]);
		if (!*log)
			printf("  verifier log: empty%s\n",
			       err ? " (libbpf failed before the verifier ran?)" :
				     "");
		else if (test__verbosity() >= 2) {
			printf("  verifier log:\n");
			test__print_tail(log, INT_MAX, "  | ");
		} else {
			printf("  verifier log, tail:\n");
			test__print_tail(log, LOG_TAIL_LINES, "  | ");
		}
		if (libbpf_msgs_len) {
			printf("  libbpf said:\n");
			test__print_tail(libbpf_msgs, LOG_TAIL_LINES, "  > ");
		}
		test__fail();
	} else if (test__verbosity() >= 1) {
		printf("verifier_expect: '%s': %s as expected\n", e->prog,
		       verdict_str(actual));
		for (i = 0; i < e->nr_msgs; i++) {
			printf("  __msg(\"%s\") found:\n", e->msgs[i]);
			print_line_at(log, where[i], "  | ");
		}
		if (test__verbosity() >= 2) {
			printf("  verifier log:\n");
			test__print_tail(log, INT_MAX, "  | ");
		}
	}
	test__case_end();
	free(where);
	free(log);
}

void test__run_verifier_expectations(const char *obj_name,
				     const void *(*elf_bytes)(size_t *sz))
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
		free(e->rule);
		free(e->rule_file);
		free(e->prog);
		free(e->sec);
		free(e->error);
	}
	free(exps);
}
