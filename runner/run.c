// SPDX-License-Identifier: GPL-2.0
/*
 * Running one test: fork a child in its own process group, capture its
 * output, collect its result records, enforce the watchdog, then turn what
 * came back (or what did not) into results, known deviations applied.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

/* The running children's process groups, for the SIGINT/SIGTERM handler. */
#define MAX_RUNNING 64
static volatile pid_t running_pgids[MAX_RUNNING];

static void note_running(pid_t pgid, bool running)
{
	int i;

	for (i = 0; i < MAX_RUNNING; i++) {
		if (running ? running_pgids[i] == 0 :
			      running_pgids[i] == pgid) {
			running_pgids[i] = running ? pgid : 0;
			return;
		}
	}
}

const char *result_name(enum result res)
{
	static const char *const names[] = {
		[RES_OK] = "OK",       [RES_FAIL] = "FAIL",
		[RES_SKIP] = "SKIP",   [RES_XFAIL] = "XFAIL",
		[RES_XPASS] = "XPASS", [RES_TIMEOUT] = "TIMEOUT",
		[RES_ERROR] = "ERROR", [RES_RUNNING] = "RUNNING",
	};

	return names[res];
}

/* Do not leave a test's processes behind when the runner is interrupted. */
static void kill_child_and_die(int sig)
{
	int i;

	for (i = 0; i < MAX_RUNNING; i++)
		if (running_pgids[i] > 0)
			kill(-running_pgids[i], SIGKILL);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signal_handlers(void)
{
	static bool installed;

	if (installed)
		return;
	signal(SIGINT, kill_child_and_die);
	signal(SIGTERM, kill_child_and_die);
	signal(SIGHUP, kill_child_and_die);
	installed = true;
}

static char child_stdout_buf[BUFSIZ];

static void __attribute__((noreturn))
child_main(const struct test_def *test, int record_fd, int log_fd)
{
	setpgid(0, 0);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (dup2(log_fd, STDOUT_FILENO) < 0 || dup2(log_fd, STDERR_FILENO) < 0)
		_exit(EXIT_SETUP);
	close(log_fd);
	/*
	 * Line buffering keeps printf() and stderr lines in order, and loses
	 * at most a partial line on a crash.  glibc applies it reliably to a
	 * stream already used (by the parent) only when given a buffer.
	 */
	setvbuf(stdout, child_stdout_buf, _IOLBF, sizeof(child_stdout_buf));
	child_run_test(test, record_fd);
	_exit(0);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void handle_record(struct collector *c, const struct record *rec)
{
	struct test_result *res = c->res;
	struct subtest_result *sub;

	switch (rec->type) {
	case REC_SUBTEST_START:
		res->subtests = xrealloc_array(
			res->subtests, res->nr_subtests + 1, sizeof(*sub));
		sub = &res->subtests[res->nr_subtests++];
		sub->num = rec->subtest_num;
		sub->name = xstrdup(rec->name);
		sub->result = RES_RUNNING;
		sub->message = xstrdup("");
		sub->rule = xstrdup("");
		sub->also_failed[0] = 0;
		sub->rules = xstrdup("");
		/* Timed here, as the records arrive: close enough. */
		sub->start_ms = now_ms();
		sub->duration_ms = 0;
		break;
	case REC_SUBTEST_END:
		if (!res->nr_subtests)
			break;
		sub = &res->subtests[res->nr_subtests - 1];
		sub->result = rec->result;
		free(sub->message);
		sub->message = xstrdup(rec->message);
		free(sub->rule);
		sub->rule = xstrdup(rec->rule);
		snprintf(sub->also_failed, sizeof(sub->also_failed), "%s",
			 rec->also_failed);
		free(sub->rules);
		sub->rules = xstrdup(rec->rules);
		sub->duration_ms = now_ms() - sub->start_ms;
		break;
	case REC_TEST_END:
		c->got_end = true;
		res->subtests_met = rec->subtest_num;
		res->body_result = rec->result;
		free(res->body_message);
		res->body_message = xstrdup(rec->message);
		free(res->rule);
		res->rule = xstrdup(rec->rule);
		snprintf(res->also_failed, sizeof(res->also_failed), "%s",
			 rec->also_failed);
		free(res->rules);
		res->rules = xstrdup(rec->rules);
		break;
	}
}

/* Read whatever records are in the (non-blocking) pipe; false on EOF. */
static bool read_records(struct collector *c, int fd)
{
	ssize_t n;

	for (;;) {
		n = read(fd, c->buf + c->fill, sizeof(c->buf) - c->fill);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0;
		c->fill += n;
		if (c->fill == sizeof(c->buf)) {
			handle_record(c, (const struct record *)c->buf);
			c->fill = 0;
		}
	}
}

static int poll_timeout(long long deadline, bool have_pidfd)
{
	/* Without a pidfd, look at the child every 10ms. */
	long long left = have_pidfd ? -1 : 10;

	if (deadline) {
		long long to_deadline = deadline - now_ms();

		if (to_deadline < 0)
			to_deadline = 0;
		if (left < 0 || to_deadline < left)
			left = to_deadline;
	}
	return left;
}

/*
 * One step of watching a running test: read the records that came, see
 * whether the child is gone or its watchdog fired. True once it is over.
 * The pidfd says when the child is gone, even if something it started
 * still holds the pipe open.
 */
static bool job_step(struct job *j)
{
	struct collector *c = &j->c;

	if (j->record_fd >= 0 && !read_records(c, j->record_fd) && !j->eof)
		j->eof = true; /* poll() ignores it now */
	if (waitpid(j->pid, &c->status, WNOHANG) == j->pid)
		return true;
	if (j->deadline && now_ms() >= j->deadline) {
		c->timed_out = true;
		kill(-j->pid, SIGKILL);
		waitpid(j->pid, &c->status, 0);
		return true;
	}
	return false;
}

int job_poll_fds(const struct job *j, struct pollfd *pfd)
{
	int n = 0;

	pfd[n++] = (struct pollfd){ .fd = j->eof ? -1 : j->record_fd,
				    .events = POLLIN };
	if (j->pidfd >= 0)
		pfd[n++] = (struct pollfd){ .fd = j->pidfd, .events = POLLIN };
	return n;
}

int job_poll_timeout(const struct job *j)
{
	return poll_timeout(j->deadline, j->pidfd >= 0);
}

static const char *signal_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "%d", sig);
	return buf;
}

/*
 * If the child did not end normally, charge it to the subtest that was
 * running, or else to the test body.  Returns the unit so charged (never
 * to be muted by a known deviation): -1 for the body, -2 for none.
 */
static int charge_abnormal_end(struct collector *c)
{
	struct test_result *res = c->res;
	struct subtest_result *last = NULL;
	enum result why_res = RES_FAIL;
	char sig[32];
	char *why;

	if (c->timed_out) {
		why = xasprintf("timed out after %d s", opts.watchdog_secs);
		why_res = RES_TIMEOUT;
	} else if (WIFSIGNALED(c->status)) {
		why = xasprintf("killed by signal %s",
				signal_name(WTERMSIG(c->status), sig,
					    sizeof(sig)));
	} else if (!c->got_end) {
		why = xasprintf(
			"test process exited with status %d without reporting a result",
			WEXITSTATUS(c->status));
	} else {
		return -2;
	}
	res->cut_short = true;
	if (res->nr_subtests)
		last = &res->subtests[res->nr_subtests - 1];
	if (last && last->result == RES_RUNNING) {
		last->duration_ms = now_ms() - last->start_ms;
		last->result = why_res;
		free(last->message);
		last->message = why;
		return res->nr_subtests - 1;
	}
	res->body_result = why_res;
	free(res->body_message);
	res->body_message = why;
	return -1;
}

/*
 * FAIL under a known deviation is XFAIL; OK under one is XPASS. An entry
 * mutes only a failure of its own rule: a unit that failed a case of
 * another rule (test__case()) stays FAIL, and says which entry did not
 * apply.
 */
/*
 * Turns the unit's FAIL into XFAIL if a known deviation covers it (OK into
 * XPASS if @may_xpass). Only a failure of the deviation's rule alone: a
 * unit that also failed @also_failed, another rule, stays FAIL.
 */
static void apply_deviation(const char *test, const char *sub,
			    enum result *result, char **message, char **rule,
			    const char *also_failed, bool may_xpass)
{
	struct deviation *d;

	if (*result != RES_FAIL && (*result != RES_OK || !may_xpass))
		return;
	d = deviation_find(test, sub);
	if (!d)
		return;
	d->matched++;
	if (*result == RES_FAIL && **rule && strcmp(*rule, d->rule)) {
		free(*message);
		*message = xasprintf(
			"a case of %s failed; the known deviation for this subtest is of %s",
			*rule, d->rule);
		return;
	}
	if (*result == RES_FAIL && also_failed[0]) {
		free(*message);
		*message = xasprintf(
			"cases of %s and %s failed; the known deviation for this subtest covers %s only",
			*rule, also_failed, d->rule);
		return;
	}
	free(*message);
	free(*rule);
	*rule = xstrdup(d->rule);
	if (*result == RES_FAIL) {
		*result = RES_XFAIL;
		*message = xasprintf("%s: %s; see %s", d->rule, d->reason,
				     d->reference);
	} else {
		*result = RES_XPASS;
		*message = xasprintf(
			"known deviation %s no longer reproduces: remove or narrow the entry",
			d->rule);
	}
}

static void apply_deviations(struct test_result *res, int abnormal)
{
	const char *name = res->test->name;
	struct subtest_result *sub;
	int i;

	for (i = 0; i < res->nr_subtests; i++) {
		sub = &res->subtests[i];
		if (i != abnormal)
			apply_deviation(name, sub->name, &sub->result,
					&sub->message, &sub->rule,
					sub->also_failed, true);
	}
	/* With subtests, the body alone passing proves nothing: no XPASS. */
	if (abnormal != -1)
		apply_deviation(name, NULL, &res->body_result,
				&res->body_message, &res->rule,
				res->also_failed, res->nr_subtests == 0);
}

/* The body is a unit of its own if there are no subtests or it did not pass. */
static bool body_counts(const struct test_result *res)
{
	return res->nr_subtests == 0 || res->body_result != RES_OK;
}

/* A unit's result into the totals: one that never ended failed. */
static void count(enum result result, struct totals *tot)
{
	int *const n[] = {
		[RES_OK] = &tot->ok,	   [RES_FAIL] = &tot->fail,
		[RES_SKIP] = &tot->skip,   [RES_XFAIL] = &tot->xfail,
		[RES_XPASS] = &tot->xpass, [RES_TIMEOUT] = &tot->timeout,
		[RES_ERROR] = &tot->error, [RES_RUNNING] = &tot->fail,
	};

	if (result > RES_RUNNING)
		result = RES_FAIL;
	(*n[result])++;
}

void result_add_totals(const struct test_result *res, struct totals *tot)
{
	int i;

	for (i = 0; i < res->nr_subtests; i++)
		count(res->subtests[i].result, tot);
	if (body_counts(res))
		count(res->body_result, tot);
}

/* The test's own result, derived from its units. */
static void derive_test_result(struct test_result *res)
{
	struct totals tot = { 0 };
	int nr_units;

	result_add_totals(res, &tot);
	nr_units = res->nr_subtests + body_counts(res);
	res->has_failure = tot.fail || tot.timeout || tot.xpass || tot.xfail ||
			   tot.error;
	res->show_log = res->has_failure || opts.verbosity >= 1;
	if (res->nr_subtests == 0 || res->body_result == RES_TIMEOUT) {
		res->result = res->body_result;
		res->message = xstrdup(res->body_message);
	} else if (tot.timeout) {
		res->result = RES_TIMEOUT;
		res->message =
			xasprintf("timed out after %d s", opts.watchdog_secs);
	} else if (tot.fail || tot.xpass) {
		res->result = RES_FAIL;
		res->message = xstrdup(
			res->body_result == RES_FAIL ? res->body_message : "");
	} else if (tot.error) {
		res->result = RES_ERROR;
		res->message = xstrdup(res->body_result == RES_ERROR ?
					       res->body_message :
					       "a subtest could not set up");
	} else if (tot.skip == nr_units) {
		res->result = RES_SKIP;
		res->message = xstrdup(res->body_result == RES_SKIP ?
					       res->body_message :
					       "all subtests skipped");
	} else {
		res->result = tot.xfail ? RES_XFAIL : RES_OK;
		res->message = xstrdup("");
	}
}

static void start_child(const struct test_def *test, int pipefd[2], int log_fd,
			pid_t *pid)
{
	/* Unflushed output would otherwise be written twice. */
	fflush(stdout);
	fflush(stderr);
	*pid = fork();
	if (*pid < 0) {
		fprintf(stderr, "test_progs: fork: %s\n", strerror(errno));
		exit(EXIT_SETUP);
	}
	if (*pid == 0) {
		close(pipefd[0]);
		child_main(test, pipefd[1], log_fd);
	}
	/* Also done by the child: whoever runs first, kill(-pid) works. */
	setpgid(*pid, *pid);
	note_running(*pid, true);
	close(pipefd[1]);
}

/* Forks the test's child; the result fills @res when job_finish() runs. */
void job_start(struct job *j, const struct test_def *test, int num, int run,
	       struct test_result *res)
{
	int pipefd[2];

	memset(j, 0, sizeof(*j));
	memset(res, 0, sizeof(*res));
	j->c.res = res;
	res->test = test;
	res->num = num;
	res->run = run;
	res->body_result = RES_OK;
	res->body_message = xstrdup("");
	res->rule = xstrdup("");
	res->rules = xstrdup("");

	install_signal_handlers();
	if (pipe2(pipefd, O_CLOEXEC)) {
		fprintf(stderr, "test_progs: pipe: %s\n", strerror(errno));
		exit(EXIT_SETUP);
	}
	j->log_fd = log_create();
	j->start = now_ms();
	start_child(test, pipefd, j->log_fd, &j->pid);
	j->record_fd = pipefd[0];
	fcntl(j->record_fd, F_SETFL, O_NONBLOCK);
	if (opts.watchdog_secs)
		j->deadline = j->start + opts.watchdog_secs * 1000LL;
	j->pidfd = syscall(SYS_pidfd_open, j->pid, 0);
	j->running = true;
}

/* Watches the job; true (and the result complete) once it is over. */
bool job_check(struct job *j)
{
	struct test_result *res = j->c.res;
	int abnormal;

	if (!j->running || !job_step(j))
		return false;
	/* Records written just before the end, and leftover processes. */
	read_records(&j->c, j->record_fd);
	kill(-j->pid, SIGKILL);
	if (j->pidfd >= 0)
		close(j->pidfd);
	res->duration_ms = now_ms() - j->start;
	note_running(j->pid, false);
	close(j->record_fd);

	res->log = log_read(j->log_fd, &res->log_len);
	close(j->log_fd);

	abnormal = charge_abnormal_end(&j->c);
	apply_deviations(res, abnormal);
	derive_test_result(res);
	j->running = false;
	return true;
}

void run_test(const struct test_def *test, int num, int run,
	      struct test_result *res)
{
	struct pollfd pfd[2];
	struct job j;

	job_start(&j, test, num, run, res);
	while (!job_check(&j)) {
		if (poll(pfd, job_poll_fds(&j, pfd), job_poll_timeout(&j)) <
			    0 &&
		    errno != EINTR)
			break;
	}
}

void result_free(struct test_result *res)
{
	int i;

	for (i = 0; i < res->nr_subtests; i++) {
		free(res->subtests[i].name);
		free(res->subtests[i].message);
		free(res->subtests[i].rule);
		free(res->subtests[i].rules);
	}
	free(res->rule);
	free(res->rules);
	free(res->subtests);
	free(res->message);
	free(res->body_message);
	free(res->log);
}
