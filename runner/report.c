// SPDX-License-Identifier: GPL-2.0
/*
 * Output: the text format (default) or KTAP (--ktap) on stdout as each
 * test finishes, and a JSON summary (-J FILE) and a JUnit XML report
 * (--junit FILE) at the end.  Either way the last line of stdout is
 * "N passed, N failed, N skipped".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>

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
	const char *dev = opts.deviations_path ?: "none";

	if (opts.ktap) {
		printf("KTAP version 1\n1..%d\n# ", nr_selected * opts.repeat);
	}
	printf("test_progs: kernel %s (%s), %d test%s selected, watchdog %d s, repeat %d, verbosity %d, known deviations: %s; built with %s\n",
	       test__kernel_release(), kernel_release_full(), nr_selected,
	       nr_selected == 1 ? "" : "s", opts.watchdog_secs, opts.repeat,
	       opts.verbosity, dev, build_info());
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
	fprintf(f, ",\n  \"build\": ");
	json_str(f, build_info());
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

/*
 * JUnit XML (--junit FILE): a <testsuite> per test (per test and run when
 * repeating), a <testcase> per subtest, plus one for the test body when it
 * counts as a unit of its own (no subtests, or a result outside them), so
 * that the counts equal the last line's.  SKIP is <skipped>; FAIL, XPASS
 * and TIMEOUT are <failure type="..."> holding the log; XFAIL passes with a
 * <system-out> note and the log.
 */

/*
 * Decode the UTF-8 sequence at @s into *@cp; return its length, or 0 if it
 * is not valid UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated).
 */
static size_t utf8_decode(const unsigned char *s, size_t left, unsigned int *cp)
{
	static const unsigned int min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	size_t len = utf8_len(s, left), i;
	unsigned int c;

	if (len <= 1) {
		*cp = s[0];
		return len;
	}
	c = s[0] & (0xff >> (len + 1));
	for (i = 1; i < len; i++)
		c = (c << 6) | (s[i] & 0x3f);
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* XML 1.0 allows only these characters, even escaped. */
static bool xml_char_ok(unsigned int c)
{
	return c == 0x9 || c == 0xa || c == 0xd || (c >= 0x20 && c <= 0xd7ff) ||
	       (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
}

/* Escaped text; anything XML cannot carry becomes U+FFFD. */
static void xml_text(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned int c;
	size_t i = 0, n;

	while (i < len) {
		n = utf8_decode(s + i, len - i, &c);
		if (!n || !xml_char_ok(c))
			fputs("\xef\xbf\xbd", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c == '\n' || c == '\r' || c == '\t')
			/* Kept as is in text, preserved in attributes. */
			fprintf(f, "&#%u;", c);
		else
			fwrite(s + i, 1, n, f);
		i += n ? n : 1;
	}
}

static void xml_str(FILE *f, const char *s)
{
	xml_text(f, s ?: "", strlen(s ?: ""));
}

/* Element text: newlines stay newlines there, for readable logs. */
static void xml_body(FILE *f, const char *str, size_t len)
{
	const char *end = str + len, *nl;

	while (str < end) {
		nl = memchr(str, '\n', end - str);
		xml_text(f, str, (nl ?: end) - str);
		if (!nl)
			break;
		fputc('\n', f);
		str = nl + 1;
	}
}

/*
 * The part of the test's log that belongs to subtest @sub, from its
 * "--- subtest T/S ---" marker (api.c) to the next one; the whole log if
 * @sub is NULL or has no marker.
 */
static const char *log_section(const struct test_result *res, const char *sub,
			       size_t *len)
{
	const char *log = res->log, *start, *next;
	char *marker;

	*len = res->log ? res->log_len : 0;
	if (!log || !sub)
		return log;
	marker = xasprintf("--- subtest %s/%s ---\n", res->test->name, sub);
	start = memmem(log, res->log_len, marker, strlen(marker));
	free(marker);
	if (!start)
		return log;
	next = memmem(start + 1, log + res->log_len - start - 1,
		      "\n--- subtest ", strlen("\n--- subtest "));
	*len = (next ? next + 1 : log + res->log_len) - start;
	return start;
}

/* A failure's message when it has none: the first failed assertion in @log. */
static void junit_first_assert(FILE *f, const char *log, size_t len,
			       const char *fallback)
{
	const char *hit = log ? memmem(log, len, ": FAIL ", 7) : NULL;
	const char *start, *end;

	if (!hit) {
		xml_str(f, fallback);
		return;
	}
	for (start = hit; start > log && start[-1] != '\n'; start--)
		;
	end = memchr(hit, '\n', log + len - hit) ?: log + len;
	xml_text(f, start, end - start > 300 ? 300 : end - start);
}

static void junit_case(FILE *f, const struct test_result *res, const char *suite,
		       const char *sub, enum result result, const char *msg,
		       bool with_time)
{
	const char *log;
	size_t log_len;

	fprintf(f, "    <testcase classname=\"");
	xml_str(f, suite);
	fprintf(f, "\" name=\"");
	xml_str(f, sub ?: res->test->name);
	fprintf(f, "\"");
	if (with_time)
		fprintf(f, " time=\"%lld.%03lld\"", res->duration_ms / 1000,
			res->duration_ms % 1000);
	if (result == RES_OK) {
		fprintf(f, "/>\n");
		return;
	}
	fprintf(f, ">\n");
	log = log_section(res, sub, &log_len);
	switch (result) {
	case RES_SKIP:
		fprintf(f, "      <skipped message=\"");
		xml_str(f, msg);
		fprintf(f, "\"/>\n");
		break;
	case RES_XFAIL:
		fprintf(f, "      <system-out>XFAIL (known deviation, counted as passed): ");
		xml_str(f, msg);
		if (log_len) {
			fprintf(f, "\n\n");
			xml_body(f, log, log_len);
		}
		fprintf(f, "</system-out>\n");
		break;
	default: /* FAIL, XPASS, TIMEOUT (and RUNNING, which cannot last) */
		fprintf(f, "      <failure type=\"%s\" message=\"",
			result_name(result));
		if (msg && *msg)
			xml_str(f, msg);
		else
			junit_first_assert(f, log, log_len, result_name(result));
		fprintf(f, "\">");
		xml_body(f, log, log_len);
		fprintf(f, "</failure>\n");
		break;
	}
	fprintf(f, "    </testcase>\n");
}

static int junit_failed(const struct totals *t)
{
	return t->fail + t->xpass + t->timeout;
}

static int junit_units(const struct totals *t)
{
	return t->ok + t->xfail + t->skip + junit_failed(t);
}

int report_junit(const char *path, const struct test_result *results,
		 int nr_results, const struct totals *tot)
{
	const struct test_result *res;
	const struct subtest_result *sub;
	long long total_ms = 0;
	struct totals t;
	char suffix[48];
	char *suite;
	FILE *f;
	int i, j, err;

	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "test_progs: cannot write %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	for (i = 0; i < nr_results; i++)
		total_ms += results[i].duration_ms;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f,
		"<testsuites name=\"test_progs\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%lld.%03lld\">\n",
		junit_units(tot), junit_failed(tot), tot->skip,
		total_ms / 1000, total_ms % 1000);
	for (i = 0; i < nr_results; i++) {
		res = &results[i];
		memset(&t, 0, sizeof(t));
		result_add_totals(res, &t);
		suite = xasprintf("%s%s", res->test->name,
				  run_suffix(res, suffix, sizeof(suffix)));
		fprintf(f, "  <testsuite name=\"");
		xml_str(f, suite);
		fprintf(f,
			"\" tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%lld.%03lld\">\n",
			junit_units(&t), junit_failed(&t), t.skip,
			res->duration_ms / 1000, res->duration_ms % 1000);
		fprintf(f, "    <properties>\n      <property name=\"kernel\" value=\"");
		xml_str(f, test__kernel_release());
		fprintf(f, "\"/>\n      <property name=\"result\" value=\"%s\"/>\n",
			result_name(res->result));
		fprintf(f, "      <property name=\"run\" value=\"%d\"/>\n    </properties>\n",
			res->run);
		for (j = 0; j < res->nr_subtests; j++) {
			sub = &res->subtests[j];
			junit_case(f, res, suite, sub->name, sub->result,
				   sub->message, false);
		}
		/* The body is a unit when the totals count one more than the subtests. */
		if (junit_units(&t) > res->nr_subtests)
			junit_case(f, res, suite,
				   res->nr_subtests ? "(outside subtests)" : NULL,
				   res->body_result, res->body_message,
				   !res->nr_subtests);
		fprintf(f, "  </testsuite>\n");
		free(suite);
	}
	fprintf(f, "</testsuites>\n");
	err = ferror(f);
	if (fclose(f) || err) {
		fprintf(stderr, "test_progs: error writing %s\n", path);
		return -1;
	}
	return 0;
}
