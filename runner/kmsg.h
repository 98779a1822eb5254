/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel log's splats, found by one set of rules: the runner applies
 * them to /dev/kmsg over its run, vmtest (build/kmsg-scan) to the guest's
 * console and dmesg logs. Only the C library: the host tool is built with
 * the host's compiler whatever the runner is built for.
 */
#ifndef __RUNNER_KMSG_H
#define __RUNNER_KMSG_H

#include <regex.h>
#include <stdbool.h>

/*
 * What a kernel prints when it is in trouble. WARN()s print "WARNING: CPU:
 * N PID: P at FILE:LINE FUNC" before 6.19 and "WARNING: FILE:LINE at FUNC"
 * since: "WARNING: " matches both.
 */
#define KMSG_SPLAT_ERE                                                    \
	"Kernel panic|kernel BUG at|BUG: |Oops|WARNING: |"                \
	"general protection fault|UBSAN: |KASAN: |KFENCE: |refcount_t: |" \
	"list_(add|del) corruption|RCU Stall|rcu_sched detected stall|"   \
	"soft lockup|hard LOCKUP|hung_task"

/*
 * A test that provokes a known splat on purpose declares it in the kernel
 * log (prog_tests/harness.c, splat_watch()):
 *   vmtest: expect-splat begin <ERE>   ...   vmtest: expect-splat end
 * and reports it itself as a failure (XFAIL only if listed in the
 * known-deviations file). A splat line inside such a window that matches
 * the ERE is left to the test; any other splat fails the run.
 */
#define KMSG_EXPECT_BEGIN "vmtest: expect-splat begin "
#define KMSG_EXPECT_END "vmtest: expect-splat end"

struct kmsg_scan {
	regex_t splat;
	regex_t expect; /* the open window's ERE, valid while expecting */
	bool expecting;
	unsigned long tolerated; /* splat lines a window left to its test */
};

int kmsg_scan_init(struct kmsg_scan *s);
void kmsg_scan_free(struct kmsg_scan *s);
/* Feed the next line of the log; true if it is an undeclared splat. */
bool kmsg_scan_line(struct kmsg_scan *s, const char *line);
/* @line without a leading "[   12.345678] " timestamp. */
const char *kmsg_strip_time(const char *line);

/*
 * The runner's watch over the kernel log during its run (runner/kmsg.c).
 * TEST_PROGS_KMSG=FILE, for the runner's self-test only, watches the
 * records appended to FILE, one a line in /dev/kmsg's format, instead of
 * /dev/kmsg (a host kernel cannot be made to warn on purpose).
 */
void kmsg_watch_disable(void); /* --no-kmsg */
void kmsg_watch_start(void); /* at the log's end: only the run counts */
void kmsg_watch_poll(void); /* read what was logged since */
/* Read the rest; print the first undeclared splat. Returns it or NULL. */
const char *kmsg_watch_end(void);
/* What was watched, or why nothing was (for the header line). */
const char *kmsg_watch_status(void);
/* The first undeclared splat's line, or NULL. */
const char *kmsg_splat(void);

#endif /* __RUNNER_KMSG_H */
