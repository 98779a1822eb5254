// SPDX-License-Identifier: GPL-2.0
/*
 * Log capture.  A test's child writes its stdout and stderr into an
 * anonymous file the parent reads back once the child is gone.  The file
 * has no name (memfd, or an O_TMPFILE / unlinked file as a fallback), so
 * nothing is left behind whatever happens to either process.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

static int tmpfile_fd(void)
{
	char path[] = "/tmp/test_progs.XXXXXX";
	int fd;

	fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* The fd is close-on-exec; the child dup2()s it onto its stdout/stderr. */
int log_create(void)
{
	int fd = memfd_create("test_progs_log", MFD_CLOEXEC);

	if (fd < 0)
		fd = tmpfile_fd();
	if (fd < 0) {
		fprintf(stderr, "test_progs: cannot create a log file: %s\n",
			strerror(errno));
		exit(EXIT_SETUP);
	}
	return fd;
}

/* Read the whole log, NUL-terminated; *len excludes the NUL. */
char *log_read(int fd, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;

	if (fstat(fd, &st))
		st.st_size = 0;
	buf = xcalloc(1, st.st_size + 1);
	while (got < (size_t)st.st_size) {
		n = pread(fd, buf + got, st.st_size - got, got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}
