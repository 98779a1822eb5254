// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel splats: the rules (runner/kmsg.h) applied line by line, and the
 * runner's watch over /dev/kmsg during its run. vmtest's build/kmsg-scan
 * (vmtest/kmsg-scan.c) applies the same rules to the guest's logs, so a
 * kernel gets one verdict whether the runner runs natively or in a guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kmsg.h"

int kmsg_scan_init(struct kmsg_scan *s)
{
	memset(s, 0, sizeof(*s));
	return regcomp(&s->splat, KMSG_SPLAT_ERE, REG_EXTENDED | REG_NOSUB);
}

void kmsg_scan_free(struct kmsg_scan *s)
{
	if (s->expecting)
		regfree(&s->expect);
	s->expecting = false;
	regfree(&s->splat);
}

/*
 * A window opens: its ERE tolerates the splat lines it matches. An ERE
 * that does not compile tolerates nothing, and says so: a typo in a test
 * must not hide a splat.
 */
static void open_window(struct kmsg_scan *s, const char *ere)
{
	char why[128];
	int err;

	if (s->expecting)
		regfree(&s->expect);
	s->expecting = false;
	err = regcomp(&s->expect, ere, REG_EXTENDED | REG_NOSUB);
	if (err) {
		regerror(err, &s->expect, why, sizeof(why));
		fprintf(stderr,
			"kmsg: the expect-splat ERE '%s' does not compile (%s): it tolerates nothing\n",
			ere, why);
		return;
	}
	s->expecting = true;
}

bool kmsg_scan_line(struct kmsg_scan *s, const char *line)
{
	const char *begin = strstr(line, KMSG_EXPECT_BEGIN);

	if (begin) {
		open_window(s, begin + strlen(KMSG_EXPECT_BEGIN));
		return false;
	}
	if (strstr(line, KMSG_EXPECT_END)) {
		if (s->expecting)
			regfree(&s->expect);
		s->expecting = false;
		return false;
	}
	if (regexec(&s->splat, line, 0, NULL, 0))
		return false;
	if (s->expecting && !regexec(&s->expect, line, 0, NULL, 0)) {
		s->tolerated++;
		return false;
	}
	return true;
}

const char *kmsg_strip_time(const char *line)
{
	const char *end;

	if (line[0] != '[')
		return line;
	end = strchr(line, ']');
	if (!end)
		return line;
	return end + 1 + strspn(end + 1, " ");
}

/* ---- the runner's watch ------------------------------------------------ */

#define KMSG_DEV "/dev/kmsg"
#define CONTEXT_BEFORE 3
#define CONTEXT_AFTER 8

static struct {
	int fd; /* -1: not watching */
	bool disabled;
	bool is_file; /* TEST_PROGS_KMSG: a file of lines, not records */
	char status[200];
	struct kmsg_scan scan;
	char *ring[CONTEXT_BEFORE]; /* the last lines, oldest first */
	char *context[CONTEXT_BEFORE + 1 + CONTEXT_AFTER];
	int nr_context; /* lines in context[], the splat among them */
	int splat_at; /* its index in context[] */
	unsigned long more; /* undeclared splat lines after the first */
	unsigned long lost; /* records overwritten before they were read */
	char pending[4096]; /* a regular file's incomplete last line */
	size_t nr_pending;
} watch = { .fd = -1 };

void kmsg_watch_disable(void)
{
	watch.disabled = true;
}

const char *kmsg_watch_status(void)
{
	return watch.status[0] ? watch.status : "not read";
}

const char *kmsg_splat(void)
{
	return watch.nr_context ? watch.context[watch.splat_at] : NULL;
}

void kmsg_watch_start(void)
{
	const char *path = getenv("TEST_PROGS_KMSG") ?: KMSG_DEV;
	struct stat st;

	if (watch.disabled) {
		snprintf(watch.status, sizeof(watch.status),
			 "not read (--no-kmsg)");
		return;
	}
	watch.fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (watch.fd < 0 || fstat(watch.fd, &st) ||
	    lseek(watch.fd, 0, SEEK_END) < 0 || kmsg_scan_init(&watch.scan)) {
		snprintf(watch.status, sizeof(watch.status),
			 "not read (%s: %s), splats not checked", path,
			 strerror(errno));
		if (watch.fd >= 0)
			close(watch.fd);
		watch.fd = -1;
		return;
	}
	watch.is_file = S_ISREG(st.st_mode);
	snprintf(watch.status, sizeof(watch.status), "%s", path);
}

/* A copy of @line, or a stand-in: out of memory, a splat stays one. */
static char *dup_line(const char *line)
{
	return strdup(line) ?: "(a line the runner had no memory to keep)";
}

/* Keep the splat, the lines before it and a few after it, for the report. */
static void keep_line(const char *line)
{
	bool splat = kmsg_scan_line(&watch.scan, line);
	int i;

	if (watch.nr_context) {
		if (splat)
			watch.more++;
		if (watch.nr_context <
		    (int)(sizeof(watch.context) / sizeof(watch.context[0])))
			watch.context[watch.nr_context++] = dup_line(line);
		return;
	}
	if (splat) {
		for (i = 0; i < CONTEXT_BEFORE; i++)
			if (watch.ring[i])
				watch.context[watch.nr_context++] =
					watch.ring[i];
		watch.splat_at = watch.nr_context;
		watch.context[watch.nr_context++] = dup_line(line);
		return;
	}
	free(watch.ring[0]);
	memmove(watch.ring, watch.ring + 1,
		sizeof(watch.ring) - sizeof(watch.ring[0]));
	watch.ring[CONTEXT_BEFORE - 1] = strdup(line); /* NULL: one less */
}

/* Each line of @text, a record's text that may hold several. */
static void keep_lines(char *text)
{
	char *line, *save;
	size_t n;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* Serial lines end in CR LF. */
		n = strlen(line);
		while (n && line[n - 1] == '\r')
			line[--n] = 0;
		keep_line(line);
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* /dev/kmsg writes each byte it would not print, and a backslash, as \xhh. */
static void unescape(char *s)
{
	char *out = s;
	int hi, lo;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'x' &&
		    (hi = hex_digit(s[2])) >= 0 &&
		    (lo = hex_digit(s[3])) >= 0) {
			*out++ = hi << 4 | lo;
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = 0;
}

/* A record: "PRI,SEQ,TIME,FLAGS;TEXT", then " KEY=VALUE" lines. */
static void take_record(char *rec)
{
	char *text = strchr(rec, ';');

	if (!text)
		return;
	/* Continuation lines are not the message. */
	text[strcspn(text, "\n")] = 0;
	unescape(++text);
	keep_lines(text);
}

/* One read() of /dev/kmsg returns one record. */
static void read_records(void)
{
	char rec[8192];
	ssize_t n;

	for (;;) {
		n = read(watch.fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE) {
			/* Overwritten before we read them: say so at the end. */
			watch.lost++;
			continue;
		}
		if (n <= 0)
			return;
		rec[n] = 0;
		take_record(rec);
	}
}

/*
 * A regular file (the runner's self-test): the records appended since the
 * last read, one a line. A line longer than the buffer is taken in pieces.
 */
static void read_lines(void)
{
	char *buf = watch.pending, *nl, *line, *save;
	size_t room;
	ssize_t n;

	for (;;) {
		room = sizeof(watch.pending) - 1 - watch.nr_pending;
		n = read(watch.fd, buf + watch.nr_pending, room);
		if (n <= 0)
			return;
		watch.nr_pending += n;
		buf[watch.nr_pending] = 0;
		nl = strrchr(buf, '\n');
		if (!nl && (size_t)n < room)
			continue;
		if (!nl)
			nl = buf + watch.nr_pending;
		*nl = 0;
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			take_record(line);
		watch.nr_pending -= nl - buf;
		watch.nr_pending -= watch.nr_pending ? 1 : 0;
		memmove(buf, nl + 1, watch.nr_pending);
	}
}

void kmsg_watch_poll(void)
{
	if (watch.fd < 0)
		return;
	if (watch.is_file)
		read_lines();
	else
		read_records();
}

static void print_splat(void)
{
	int i;

	printf("test_progs: kernel splat during the run: %s\n", kmsg_splat());
	for (i = 0; i < watch.nr_context; i++)
		printf("    %s\n", watch.context[i]);
	if (watch.more)
		printf("test_progs: and %lu more undeclared splat line%s\n",
		       watch.more, watch.more == 1 ? "" : "s");
}

const char *kmsg_watch_end(void)
{
	kmsg_watch_poll();
	/* A last line without its newline is a record too. */
	if (watch.nr_pending) {
		watch.pending[watch.nr_pending] = 0;
		take_record(watch.pending);
		watch.nr_pending = 0;
	}
	if (watch.lost)
		printf("test_progs: kernel log: %lu gap%s: records were overwritten before the runner read them; a splat among them went unseen\n",
		       watch.lost, watch.lost == 1 ? "" : "s");
	if (kmsg_splat())
		print_splat();
	fflush(stdout);
	return kmsg_splat();
}
