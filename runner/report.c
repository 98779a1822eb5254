// SPDX-License-Identifier: GPL-2.0
/*
 * Output: the text format on stdout as each test finishes, and a JSON
 * summary (-J FILE) at the end, the record that vmtest/report.py turns
 * into KTAP and JUnit.  The last line of stdout is
 * "N passed, N failed, N skipped".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

#include "internal.h"
#include "kmsg.h"
#include "test_progs.h"

/* " [run 2/20]" when repeating, so that the runs can be told apart. */
static const char *run_suffix(const struct test_result *res, char *buf,
			      size_t len)
{
	buf[0] = '\0';
	if (opts.repeat > 1)
		snprintf(buf, len, " [run %d/%d]", res->run, opts.repeat);
	return buf;
}

/* What the runner was built with: the Makefile passes the compilers. */
#ifndef TEST_BUILD_INFO
#define TEST_BUILD_INFO "unknown compilers"
#endif

static const char *build_info(void)
{
	static char buf[256];

	if (!buf[0])
		snprintf(buf, sizeof(buf), "%s, libbpf %s", TEST_BUILD_INFO,
			 libbpf_version_string());
	return buf;
}

void report_begin(int nr_selected)
{
	const char *dev = deviations_source();

	printf("test_progs: kernel %s (%s), %d test%s selected, watchdog %d s, repeat %d, verbosity %d, known deviations: %s; kernel log: %s; built with %s\n",
	       test__kernel_release(), kernel_release_full(), nr_selected,
	       nr_selected == 1 ? "" : "s", opts.watchdog_secs, opts.repeat,
	       opts.verbosity, dev, kmsg_watch_status(), build_info());
}

/* Print @len bytes of @text line by line, each line after @prefix. */
static void print_lines(const char *prefix, const char *text, size_t len)
{
	const char *end = text + len, *nl;

	while (text < end) {
		nl = memchr(text, '\n', end - text);
		if (!nl)
			nl = end;
		printf("%s%.*s\n", prefix, (int)(nl - text), text);
		text = nl + 1;
	}
}

static void text_line(const struct test_result *res,
		      const struct subtest_result *sub, const char *suffix)
{
	enum result result = sub ? sub->result : res->result;
	const char *msg = sub ? sub->message : res->message;

	if (sub)
		printf("#%d/%d %s/%s%s:%s", res->num, sub->num, res->test->name,
		       sub->name, suffix, result_name(result));
	else
		printf("#%d %s%s:%s", res->num, res->test->name, suffix,
		       result_name(result));
	if (msg && *msg)
		printf(" (%s)", msg);
	printf("\n");
}

void report_test(const struct test_result *res)
{
	char suffix[48];
	int i;

	run_suffix(res, suffix, sizeof(suffix));
	if (res->show_log && res->log_len) {
		printf("---- log of #%d %s%s ----\n", res->num, res->test->name,
		       suffix);
		print_lines("", res->log, res->log_len);
		printf("---- end of log ----\n");
	}
	for (i = 0; i < res->nr_subtests; i++)
		text_line(res, &res->subtests[i], suffix);
	text_line(res, NULL, suffix);
	fflush(stdout);
}

void report_end(const struct totals *tot)
{
	if (tot->xfail || tot->xpass || tot->timeout)
		printf("%d XFAIL (counted as passed), %d XPASS and %d TIMEOUT (counted as failed)\n",
		       tot->xfail, tot->xpass, tot->timeout);
	if (tot->error)
		printf("%d ERROR (counted as failed): the machine failed a setup the test needs, not the kernel a check\n",
		       tot->error);
	printf("%d passed, %d failed, %d skipped\n", tot->ok + tot->xfail,
	       tot->fail + tot->xpass + tot->timeout + tot->error, tot->skip);
	fflush(stdout);
}

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s, size_t left)
{
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0 && s[0] >= 0xc2)
		len = 2;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3;
	else if ((s[0] & 0xf8) == 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > left)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	}
	return len;
}

/* A JSON string; bytes that are not valid UTF-8 become U+FFFD. */
static void json_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	fputc('"', f);
	while (i < len) {
		n = utf8_len(s + i, len - i);
		if (s[i] == '"' || s[i] == '\\')
			fprintf(f, "\\%c", s[i]);
		else if (s[i] == '\n')
			fputs("\\n", f);
		else if (s[i] == '\t')
			fputs("\\t", f);
		else if (s[i] < 0x20 || s[i] == 0x7f)
			fprintf(f, "\\u%04x", s[i]);
		else if (!n)
			fputs("\\ufffd", f);
		else
			fwrite(s + i, 1, n, f);
		i += n ? n : 1;
	}
	fputc('"', f);
}

static void json_str(FILE *f, const char *s)
{
	json_string(f, s ?: "", strlen(s ?: ""));
}

/* Space-separated words as a JSON array of strings. */
static void json_words(FILE *f, const char *words)
{
	const char *w = words ?: "";
	size_t len;
	int n = 0;

	fputc('[', f);
	for (;;) {
		w += strspn(w, " ");
		len = strcspn(w, " ");
		if (!len)
			break;
		fputs(n++ ? ", " : "", f);
		json_string(f, w, len);
		w += len;
	}
	fputc(']', f);
}

/* A failing unit, as upstream's test_progs counts it: FAIL, XPASS, TIMEOUT;
 * and a setup error, which upstream calls a failure too. */
static bool unit_failed(enum result r)
{
	return r == RES_FAIL || r == RES_XPASS || r == RES_TIMEOUT ||
	       r == RES_ERROR || r == RES_RUNNING;
}

/*
 * The part of a test's log that belongs to subtest @sub (runner/api.c
 * starts each with a "--- subtest T/S ---" line), or with @sub NULL the
 * part before the first subtest. Empty when the log was not kept.
 */
static const char *log_part(const struct test_result *res,
			    const struct subtest_result *sub, size_t *len)
{
	const char *log = res->log, *end = res->log + res->log_len;
	const char *start = log, *next;
	char marker[600];
	size_t mlen;

	*len = 0;
	if (!log || !res->log_len)
		return "";
	if (sub) {
		mlen = snprintf(marker, sizeof(marker),
				"--- subtest %s/%s ---\n", res->test->name,
				sub->name);
		start = memmem(log, res->log_len, marker, mlen);
		if (!start)
			return "";
		start += mlen;
	}
	next = memmem(start, end - start, "--- subtest ", 12);
	while (next && next != log && next[-1] != '\n')
		next = memmem(next + 1, end - next - 1, "--- subtest ", 12);
	*len = (next ? next : end) - start;
	return start;
}

/* The fields of a test or subtest: upstream's, then this runner's. */
static void json_unit(FILE *f, const char *name, int number, const char *log,
		      size_t log_len, enum result result, const char *reason,
		      const char *rule, const char *rules, long long ms)
{
	fprintf(f, "{\"name\": ");
	json_str(f, name);
	fprintf(f, ", \"number\": %d, \"message\": ", number);
	/* A failure that logged nothing (an XPASS) says why it failed. */
	if (!log_len && unit_failed(result))
		json_str(f, reason);
	else
		json_string(f, log, log_len);
	fprintf(f, ", \"failed\": %s, \"result\": \"%s\", \"reason\": ",
		unit_failed(result) ? "true" : "false", result_name(result));
	json_str(f, reason);
	fprintf(f, ", \"rule\": ");
	json_str(f, rule);
	fprintf(f, ", \"rules\": ");
	json_words(f, rules);
	fprintf(f, ", \"duration_ms\": %lld", ms);
}

static void json_result(FILE *f, const struct test_result *res)
{
	const struct subtest_result *sub;
	const char *part;
	size_t len;
	int i;

	part = log_part(res, NULL, &len);
	fprintf(f, "    ");
	json_unit(f, res->test->name, res->num, part, len, res->result,
		  res->message, res->rule, res->rules, res->duration_ms);
	/* The test's own body, apart from its subtests' results. */
	fprintf(f, ", \"run\": %d, \"body\": \"%s\", \"subtests\": [", res->run,
		result_name(res->body_result));
	for (i = 0; i < res->nr_subtests; i++) {
		sub = &res->subtests[i];
		part = log_part(res, sub, &len);
		fprintf(f, "%s\n      ", i ? "," : "");
		json_unit(f, sub->name, sub->num, part, len, sub->result,
			  sub->message, sub->rule, sub->rules,
			  sub->duration_ms);
		fprintf(f, "}");
	}
	fprintf(f, "%s]}", res->nr_subtests ? "\n    " : "");
}

/* Upstream's counts: tests and subtests that failed, passed, skipped. */
static void json_upstream_counts(FILE *f, const struct test_result *results,
				 int n)
{
	int success = 0, success_sub = 0, skipped = 0, failed = 0;
	int failed_sub = 0, i, j;

	for (i = 0; i < n; i++) {
		const struct test_result *r = &results[i];

		for (j = 0; j < r->nr_subtests; j++) {
			enum result sr = r->subtests[j].result;

			if (unit_failed(sr))
				failed_sub++;
			else if (sr == RES_SKIP)
				skipped++;
			else
				success_sub++;
		}
		if (!r->nr_subtests && r->result == RES_SKIP)
			skipped++;
		if (unit_failed(r->result))
			failed++;
		else
			success++;
	}
	fprintf(f,
		"  \"success\": %d, \"success_subtest\": %d, \"skipped\": %d, \"failed\": %d, \"failed_subtest\": %d,\n",
		success, success_sub, skipped, failed, failed_sub);
}

int report_json(const char *path, const struct test_result *results,
		int nr_results, const struct totals *tot)
{
	FILE *f = fopen(path, "w");
	const char *const *unmatched;
	int i, err, nr_unmatched;

	if (!f) {
		fprintf(stderr, "test_progs: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	/*
	 * test_progs -J's shape (tools/testing/selftests/bpf/test_progs.c),
	 * so that BPF CI's readers take it; this runner's fields beside it.
	 */
	fprintf(f, "{\n");
	json_upstream_counts(f, results, nr_results);
	fprintf(f, "  \"kernel\": ");
	json_str(f, test__kernel_release());
	fprintf(f, ", \"kernel_full\": ");
	json_str(f, kernel_release_full());
	fprintf(f, ",\n  \"build\": ");
	json_str(f, build_info());
	/* Which file muted failures: "PATH (default)", "none", "none found". */
	fprintf(f, ",\n  \"known_deviations\": ");
	json_str(f, deviations_source());
	/* The first undeclared splat of the kernel log: it fails the run. */
	fprintf(f, ",\n  \"kernel_log\": ");
	json_str(f, kmsg_watch_status());
	fprintf(f, ", \"kernel_splat\": ");
	if (kmsg_splat())
		json_str(f, kmsg_splat());
	else
		fputs("null", f);
	fprintf(f,
		",\n  \"units\": {\"passed\": %d, \"failed\": %d, \"skipped\": %d, \"xfail\": %d, \"xpass\": %d, \"timeout\": %d, \"error\": %d},\n",
		tot->ok + tot->xfail,
		tot->fail + tot->xpass + tot->timeout + tot->error, tot->skip,
		tot->xfail, tot->xpass, tot->timeout, tot->error);
	unmatched = deviations_unmatched(&nr_unmatched);
	fprintf(f, "  \"jobs\": %d, \"wall_ms\": %lld,\n", opts.jobs,
		tot->wall_ms);
	fprintf(f, "  \"deviations_unmatched\": [");
	for (i = 0; i < nr_unmatched; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, unmatched[i]);
	}
	fprintf(f, "],\n");
	fprintf(f, "  \"results\": [");
	for (i = 0; i < nr_results; i++) {
		fprintf(f, "%s\n", i ? "," : "");
		json_result(f, &results[i]);
	}
	fprintf(f, "%s]\n}\n", nr_results ? "\n  " : "");
	err = ferror(f);
	if (fclose(f) || err) {
		fprintf(stderr, "test_progs: error writing %s\n", path);
		return -1;
	}
	return 0;
}
