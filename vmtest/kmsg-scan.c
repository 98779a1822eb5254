// SPDX-License-Identifier: GPL-2.0
/*
 * kmsg-scan: the kernel splats of a guest's console or dmesg log, by the
 * rules the runner applies to /dev/kmsg (runner/kmsg.c), for vmtest. Built
 * for the host (make build/kmsg-scan) whatever the runner is built for.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: kmsg-scan [-l] FILE\n"
		"Print the numbers of FILE's lines that are undeclared kernel splats,\n"
		"one a line; -l: \"N: LINE\", the line without its timestamp.\n"
		"Splat lines that a test's expect-splat window tolerated are counted\n"
		"on stderr (\"tolerated N\").\n"
		"Exit 0: no splat, 1: a splat, 2: usage error or unreadable FILE.\n");
}

static int scan(FILE *in, bool with_text)
{
	struct kmsg_scan s;
	unsigned long nr = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int found = 0;

	if (kmsg_scan_init(&s))
		return 2;
	while ((len = getline(&line, &cap, in)) >= 0) {
		nr++;
		/* Serial lines end in CR LF. */
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = 0;
		if (!kmsg_scan_line(&s, line))
			continue;
		found = 1;
		if (with_text)
			printf("%lu: %s\n", nr, kmsg_strip_time(line));
		else
			printf("%lu\n", nr);
	}
	if (s.tolerated)
		fprintf(stderr, "tolerated %lu\n", s.tolerated);
	free(line);
	kmsg_scan_free(&s);
	return found;
}

int main(int argc, char **argv)
{
	bool with_text = false;
	FILE *in;
	int c, ret;

	while ((c = getopt(argc, argv, "lh")) != -1) {
		switch (c) {
		case 'l':
			with_text = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	in = fopen(argv[optind], "re");
	if (!in) {
		perror(argv[optind]);
		return 2;
	}
	ret = scan(in, with_text);
	fclose(in);
	return ret;
}
