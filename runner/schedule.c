// SPDX-License-Identifier: GPL-2.0
/*
 * The run over the selection: one test at a time, or with -j N up to N at
 * once where their traits allow (test_progs.h, struct test_traits). Results
 * are handed to @done in the selection's order, whatever order the tests
 * run and finish in, so the output and the summaries read as a serial
 * run's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "test_progs.h"

#define MAX_JOBS 16

static bool is_parallel(const struct test_def *t)
{
	return t->traits && t->traits->parallel;
}

static bool same_lane(const struct test_def *a, const struct test_def *b)
{
	const char *la = a->traits ? a->traits->lane : NULL;
	const char *lb = b->traits ? b->traits->lane : NULL;

	return la && lb && !strcmp(la, lb);
}

/* May @t start beside the @n jobs running? */
static bool may_start(const struct test_def *t, const struct job *jobs,
		      int n_running, int n_jobs)
{
	int i;

	if (!n_running)
		return true;
	if (!is_parallel(t) || n_running >= n_jobs)
		return false;
	for (i = 0; i < n_jobs; i++) {
		const struct test_def *o;

		if (!jobs[i].running)
			continue;
		o = jobs[i].c.res->test;
		if (!is_parallel(o) || o == t || same_lane(o, t))
			return false;
	}
	return true;
}

static void run_serial(const struct planned_run *plan, int n,
		       struct test_result *results,
		       void (*done)(struct test_result *res))
{
	int i;

	for (i = 0; i < n; i++) {
		run_test(&all_tests[plan[i].test], plan[i].test + 1,
			 plan[i].run, &results[i]);
		done(&results[i]);
	}
}

void run_planned(const struct planned_run *plan, int n,
		 struct test_result *results,
		 void (*done)(struct test_result *res))
{
	int n_jobs = opts.jobs < MAX_JOBS ? opts.jobs : MAX_JOBS;
	int job_of[MAX_JOBS], reported = 0, running = 0, i, k, m = 0;
	struct job jobs[MAX_JOBS] = { 0 };
	bool *started, *finished;
	int *order;

	if (n_jobs <= 1) {
		run_serial(plan, n, results, done);
		return;
	}
	started = xcalloc(n, sizeof(*started));
	finished = xcalloc(n, sizeof(*finished));
	order = xcalloc(n, sizeof(*order));
	/*
	 * Tests that must run alone go first, one by one; then the others,
	 * as many at once as their lanes allow, scanning past those that
	 * must wait. Results are still reported in the selection's order.
	 */
	for (k = 0; k < n; k++)
		if (!is_parallel(&all_tests[plan[k].test]))
			order[m++] = k;
	for (k = 0; k < n; k++)
		if (is_parallel(&all_tests[plan[k].test]))
			order[m++] = k;
	while (reported < n) {
		for (m = 0; m < n && running < n_jobs; m++) {
			const struct test_def *t;

			k = order[m];
			if (started[k])
				continue;
			t = &all_tests[plan[k].test];
			if (may_start(t, jobs, running, n_jobs)) {
				for (i = 0; jobs[i].running; i++)
					;
				job_start(&jobs[i], t, plan[k].test + 1,
					  plan[k].run, &results[k]);
				job_of[i] = k;
				started[k] = true;
				running++;
			}
			/* One that runs alone is started, or waits, first. */
			if (!is_parallel(t))
				break;
		}
		/* Wait for any of them. */
		{
			struct pollfd pfd[2 * MAX_JOBS];
			int nfds = 0, timeout = -1, t;

			for (i = 0; i < n_jobs; i++) {
				if (!jobs[i].running)
					continue;
				nfds += job_poll_fds(&jobs[i], pfd + nfds);
				t = job_poll_timeout(&jobs[i]);
				if (t >= 0 && (timeout < 0 || t < timeout))
					timeout = t;
			}
			if (poll(pfd, nfds, timeout) < 0 && errno != EINTR)
				break;
		}
		for (i = 0; i < n_jobs; i++) {
			if (jobs[i].running && job_check(&jobs[i])) {
				finished[job_of[i]] = true;
				running--;
			}
		}
		while (reported < n && finished[reported])
			done(&results[reported++]);
	}
	free(order);
	free(started);
	free(finished);
}
