// SPDX-License-Identifier: GPL-2.0
/*
 * Output: the text format (default) or KTAP (--ktap) on stdout as each
 * test finishes, and a JSON summary (-J FILE) at the end.  Either way the
 * last line of stdout is "N passed, N failed, N skipped".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "test_progs.h"

static int ktap_num; /* KTAP numbers every test run 1..plan */

/* " [run 2/20]" when repeating, so that the runs can be told apart. */
static const char *run_suffix(const struct test_result *res, char *buf,
			      size_t len)
{
	buf[0] = '\0';
	if (opts.repeat > 1)
		snprintf(buf, len, " [run %d/%d]", res->run, opts.repeat);
	return buf;
}

void report_begin(int nr_selected)
{
	const char *dev = opts.deviations_path ?: "none";

	if (opts.ktap) {
		printf("KTAP version 1\n1..%d\n# ", nr_selected * opts.repeat);
	}
	printf("test_progs: kernel %s (%s), %d test%s selected, watchdog %d s, repeat %d, verbosity %d, known deviations: %s\n",
	       test__kernel_release(), kernel_release_full(), nr_selected,
	       nr_selected == 1 ? "" : "s", opts.watchdog_secs, opts.repeat,
	       opts.verbosity, dev);
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

static void report_text(const struct test_result *res)
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
}

/* One KTAP result line; the directive follows ktap.rst. */
static void ktap_line(const char *indent, int num, const char *name,
		      const char *suffix, enum result result, const char *msg)
{
	static const char *const directive[] = {
		[RES_OK] = "",	       [RES_FAIL] = "",
		[RES_SKIP] = "SKIP",   [RES_XFAIL] = "XFAIL",
		[RES_XPASS] = "XPASS", [RES_TIMEOUT] = "TIMEOUT",
		[RES_RUNNING] = "",
	};
	bool ok = result == RES_OK || result == RES_SKIP || result == RES_XFAIL;
	const char *dir = directive[result];

	printf("%s%s %d %s%s", indent, ok ? "ok" : "not ok", num, name, suffix);
	if (*dir || (msg && *msg))
		printf(" #");
	if (*dir)
		printf(" %s", dir);
	if (msg && *msg)
		printf(" %s", msg);
	printf("\n");
}

static void report_ktap(const struct test_result *res)
{
	const struct subtest_result *sub;
	char suffix[48];
	int i;

	run_suffix(res, suffix, sizeof(suffix));
	if (res->show_log && res->log_len)
		print_lines("# ", res->log, res->log_len);
	if (res->nr_subtests)
		printf("    KTAP version 1\n    1..%d\n", res->nr_subtests);
	for (i = 0; i < res->nr_subtests; i++) {
		sub = &res->subtests[i];
		ktap_line("    ", i + 1, sub->name, "", sub->result,
			  sub->message);
	}
	ktap_line("", ++ktap_num, res->test->name, suffix, res->result,
		  res->message);
}

void report_test(const struct test_result *res)
{
	if (opts.ktap)
		report_ktap(res);
	else
		report_text(res);
	fflush(stdout);
}

void report_end(const struct totals *tot)
{
	if (tot->xfail || tot->xpass || tot->timeout)
		printf("%s%d XFAIL (counted as passed), %d XPASS and %d TIMEOUT (counted as failed)\n",
		       opts.ktap ? "# " : "", tot->xfail, tot->xpass,
		       tot->timeout);
	printf("%d passed, %d failed, %d skipped\n", tot->ok + tot->xfail,
	       tot->fail + tot->xpass + tot->timeout, tot->skip);
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

static void json_result(FILE *f, const struct test_result *res)
{
	const struct subtest_result *sub;
	int i;

	fprintf(f, "    {\"name\": ");
	json_str(f, res->test->name);
	fprintf(f,
		", \"number\": %d, \"run\": %d, \"duration_ms\": %lld, \"result\": \"%s\", \"message\": ",
		res->num, res->run, res->duration_ms, result_name(res->result));
	json_str(f, res->message);
	fprintf(f, ", \"log\": ");
	if (res->has_failure)
		json_string(f, res->log, res->log_len);
	else
		json_str(f, "");
	fprintf(f, ", \"subtests\": [");
	for (i = 0; i < res->nr_subtests; i++) {
		sub = &res->subtests[i];
		fprintf(f, "%s\n      {\"name\": ", i ? "," : "");
		json_str(f, sub->name);
		fprintf(f,
			", \"number\": %d, \"result\": \"%s\", \"message\": ",
			sub->num, result_name(sub->result));
		json_str(f, sub->message);
		fprintf(f, "}");
	}
	fprintf(f, "%s]}", res->nr_subtests ? "\n    " : "");
}

int report_json(const char *path, const struct test_result *results,
		int nr_results, const struct totals *tot)
{
	FILE *f = fopen(path, "w");
	int i, err;

	if (!f) {
		fprintf(stderr, "test_progs: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	fprintf(f, "{\n  \"kernel\": ");
	json_str(f, test__kernel_release());
	fprintf(f, ",\n  \"passed\": %d, \"failed\": %d, \"skipped\": %d,\n",
		tot->ok + tot->xfail, tot->fail + tot->xpass + tot->timeout,
		tot->skip);
	fprintf(f, "  \"xfail\": %d, \"xpass\": %d, \"timeout\": %d,\n",
		tot->xfail, tot->xpass, tot->timeout);
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
